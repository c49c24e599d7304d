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
    /// A derivative was asked for that the jet selection did not declare.
    UndeclaredDerivative {
        /// The derivative, e.g. `"∂²/∂x0∂x1"`.
        what: String,
    },
    /// A loss or gradient came back NaN or infinite (an optimizer refuses to step on it).
    NonFinite {
        /// What was not finite, e.g. `"loss"` or `"gradient[3]"`.
        what: String,
        /// The step (0-based count of completed optimizer steps) during which it was seen.
        step: u64,
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
            Error::UndeclaredDerivative { what } => write!(
                f,
                "derivative {what} was not declared in the jet selection; add it to the Selection"
            ),
            Error::NonFinite { what, step } => {
                write!(f, "non-finite {what} at step {step}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// `Result<T, pinn::Error>`.
pub type Result<T> = core::result::Result<T, Error>;
