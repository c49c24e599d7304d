//! The examples' command-line conventions, on `clap`'s derive API.
//!
//! - `--help` lists every flag with what it does and its default; an unknown flag, a value
//!   that does not parse or is out of range, or flags that do not go together are a usage
//!   error naming the flag: one sentence on stderr and exit status 2, before any work starts.
//! - `--dtype f32|f64` is the precision a network is trained in, in every example that trains
//!   one (each example's default is in its `--help`).
//! - A run that fails prints its error as a sentence (`error: …`) and exits with status 1.

use std::fmt;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, ValueEnum};

/// The floating-point type a network is trained in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dtype {
    /// Single precision.
    F32,
    /// Double precision.
    F64,
}

impl Dtype {
    /// `"f32"` or `"f64"`, as in file names and JSON lines.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A usage error found after parsing (flags that do not go together, a value that is only
/// wrong in context): printed like `clap`'s own, with the usage line, and exit status 2.
pub fn usage_error<A: CommandFactory>(message: impl fmt::Display) -> ! {
    A::command()
        .error(ErrorKind::ArgumentConflict, message)
        .exit()
}

/// A `clap` value parser for a whole number of at least `min`, naming the bound in its error.
pub fn at_least(min: u64) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: u64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a whole number"))?;
        if v < min {
            return Err(format!("must be at least {min}"));
        }
        usize::try_from(v).map_err(|_| format!("`{s}` is too large"))
    }
}

/// A `clap` value parser for a finite number in `[lo, hi]`.
pub fn number_in(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |s: &str| {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number"))?;
        if !v.is_finite() || v < lo || v > hi {
            return Err(format!("must be a number in [{lo}, {hi}]"));
        }
        Ok(v)
    }
}

/// The end of `main`: status 0 when the run succeeded; otherwise its error as a sentence on
/// stderr and status 1.
pub fn finish(result: Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
