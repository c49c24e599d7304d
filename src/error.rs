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
    /// A derivative was asked for that was not declared: by a residual, one its
    /// `components()` do not list; of a jet workspace, one its
    /// [`Selection`](crate::ad::jet::Selection) does not carry.
    UndeclaredDerivative {
        /// What was asked for, by whom, and where to declare it, as a sentence (e.g. "the
        /// residual of term `pde` reads `u.d2(0, 0, 0)` …").
        what: String,
    },
    /// A residual broke what its PDE declares: it read an output the PDE does not have
    /// (`u.d(1, 0)` with one output, output and axis swapped), or used an equation index at or
    /// past [`Pde::equations`](crate::pde::Pde::equations), or left an equation unwritten.
    Residual {
        /// The loss term whose residual it was, e.g. `"pde"`.
        term: String,
        /// What it did, in the PDE author's terms (`u.d(1, 0)`, `r[1]`, `equations()`).
        reason: String,
    },
    /// The GPU path (cargo feature `wgpu`) cannot run: no adapter, no 64-bit floats in its
    /// shaders for an `f64` model, or an error the device reported.
    Device {
        /// What happened, with the adapter where known.
        reason: String,
    },
    /// A [data-parallel run](crate::train::collective) cannot go on: a rank's configuration
    /// differs from rank 0's, a rank is gone, or a rank failed with an error that only it
    /// could describe (quoted here). Every rank of the run returns the same one.
    Collective {
        /// The rank concerned.
        rank: usize,
        /// What happened.
        reason: String,
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
            Error::UndeclaredDerivative { what } => write!(f, "undeclared derivative: {what}"),
            Error::Residual { term, reason } => write!(f, "residual of term `{term}`: {reason}"),
            Error::Collective { rank, reason } => write!(f, "rank {rank} of the run: {reason}"),
            Error::Device { reason } => write!(f, "GPU: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Result<T, pinn::Error>`. The error type is a default parameter, so the name imported with
/// the [prelude](crate::prelude) still spells other results:
/// `Result<(), Box<dyn std::error::Error>>`.
pub type Result<T, E = Error> = core::result::Result<T, E>;

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
