//! The crate's one error type.

use core::fmt;

/// Everything that can go wrong in `pinn`, as a value the caller can match on.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of its valid range.
    InvalidConfig {
        /// The field or argument, e.g. `"graph.dense.width"`.
        field: &'static str,
        /// Why it is invalid, with the value found.
        reason: String,
    },
    /// Two sizes that must agree do not.
    DimensionMismatch {
        /// What was being checked, e.g. `"points"`.
        what: &'static str,
        /// The size required.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A file or buffer is not in the expected format (bad magic, version, checksum, length).
    Format {
        /// What was being read, e.g. `"parameter file"`.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The loss (or its gradient) stopped being finite.
    NonFinite {
        /// The training (or optimizer) step at which it happened, 0-based.
        step: usize,
        /// The loss term, e.g. `"pde"` or `"boundary"`; `"pde (gradient)"` when the term's
        /// loss is finite but its gradient is not; `"parameters (after the update)"` when an
        /// optimizer's update overflowed; `"loss"` or `"gradient[i]"` when an optimizer sees
        /// it without knowing the term.
        term: String,
    },
    /// A derivative was asked for that the jet selection did not declare.
    UndeclaredDerivative {
        /// The derivative, e.g. `"∂²/∂x0∂x1"`.
        what: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig { field, reason } => write!(f, "invalid `{field}`: {reason}"),
            Error::DimensionMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "dimension mismatch in {what}: expected {expected}, found {found}"
            ),
            Error::Io { path, message } => write!(f, "I/O error on `{path}`: {message}"),
            Error::Format { what, reason } => write!(f, "malformed {what}: {reason}"),
            Error::NonFinite { step, term } => {
                write!(f, "non-finite value at step {step} in `{term}`")
            }
            Error::UndeclaredDerivative { what } => write!(
                f,
                "derivative {what} was not declared in the jet selection; add it to the Selection"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// `Result<T, pinn::Error>`.
pub type Result<T> = core::result::Result<T, Error>;

/// `Ok` if a length `found` is the `expected` one, else [`Error::DimensionMismatch`] naming
/// `what`.
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what,
            expected,
            found,
        })
    }
}
