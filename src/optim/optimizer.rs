//! The optimizer trait, what one step reports, and why an optimizer stops.

use core::fmt;

use super::Objective;
use crate::ad::Real;
use crate::{Error, Result};

/// An iterative minimiser over one flat parameter vector.
///
/// One call to [`step`](Optimizer::step) is one *outer* step, as in PyTorch's
/// `optimizer.step(closure)`: for [`Adam`](super::Adam) and [`Sgd`](super::Sgd) one
/// evaluation and one update; for [`Lbfgs`](super::Lbfgs) up to `max_iter` inner iterations,
/// each with its own line search. Everything the optimizer remembers between steps (moments,
/// momentum, the L-BFGS history, step counters) is its *state*: [`state`](Optimizer::state)
/// copies it out and [`set_state`](Optimizer::set_state) puts it back, so a checkpointed run
/// continues bit for bit.
pub trait Optimizer<T: Real> {
    /// A short lowercase name: `"adam"`, `"sgd"`, `"lbfgs"`.
    fn name(&self) -> &'static str;

    /// Runs one outer step on `x` in place, calling `obj` for values and gradients.
    ///
    /// # Errors
    ///
    /// Whatever `obj` returns, unchanged; [`Error::NonFinite`] if it returns a NaN or
    /// infinite loss or gradient (then `x` is left at the last finite iterate);
    /// [`Error::DimensionMismatch`] if `x` does not have the length of the optimizer's state.
    fn step(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<StepInfo<T>>;

    /// A copy of the optimizer's state. The layout of [`OptimizerState`] is documented by
    /// each optimizer; the hyper-parameters are not part of it.
    fn state(&self) -> OptimizerState<T>;

    /// Restores a state produced by [`state`](Optimizer::state) on an optimizer of the same
    /// kind.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] if the state does not have this optimizer's layout.
    fn set_state(&mut self, state: &OptimizerState<T>) -> Result<()>;
}

/// What one outer [`Optimizer::step`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct StepInfo<T> {
    /// The loss at the parameters the step started from: what PyTorch's `step` returns.
    pub loss: T,
    /// The loss at the parameters the step ended at, when known without another evaluation
    /// (L-BFGS: yes, the line search evaluated it; Adam and SGD: `None`).
    pub final_loss: Option<T>,
    /// Objective evaluations made during the step.
    pub evaluations: usize,
    /// Inner iterations (1 for Adam and SGD; 0 to `max_iter` for L-BFGS).
    pub iterations: usize,
    /// Why the step ended, for optimizers that decide (L-BFGS); `None` for Adam and SGD.
    pub termination: Option<Termination>,
}

/// Why a run, or one L-BFGS step, stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Termination {
    /// The gradient is small: `max_i |g_i| ≤ tolerance_grad`.
    GradientTolerance,
    /// The iterates stopped changing; the [`Change`] says which test fired.
    ChangeTolerance(Change),
    /// The strong-Wolfe line search found no acceptable point (it ran out of trials, or its
    /// bracket shrank below `tolerance_change`) and fell back on a step that changes `x` by
    /// at most `tolerance_change` (usually `t = 0`). PyTorch stops here through its
    /// step-size test; this reason names the cause.
    LineSearchFailed,
    /// This L-BFGS step ran its `max_iter` inner iterations (the next step continues).
    MaxIterations,
    /// This L-BFGS step used at least `max_eval` evaluations (the next step continues).
    MaxEvaluations,
    /// A driver ([`minimize`](super::minimize), [`AdamThenLbfgs`](super::AdamThenLbfgs)) ran
    /// all the outer steps it was allowed.
    MaxSteps,
}

/// Which of L-BFGS's three `tolerance_change` tests stopped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The search direction is not a descent direction any more: `g·d > −tolerance_change`.
    DirectionalDerivative,
    /// The step was tiny: `max_i |t·d_i| ≤ tolerance_change`.
    Step,
    /// The loss barely moved: `|f_k − f_{k−1}| < tolerance_change`.
    Loss,
}

impl Termination {
    /// Whether the optimizer has converged (or cannot make progress), as opposed to having
    /// used up a budget. [`minimize`](super::minimize) stops at the first converged step.
    pub fn is_converged(self) -> bool {
        matches!(
            self,
            Termination::GradientTolerance
                | Termination::ChangeTolerance(_)
                | Termination::LineSearchFailed
        )
    }
}

impl fmt::Display for Termination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Termination::GradientTolerance => write!(f, "gradient below tolerance_grad"),
            Termination::ChangeTolerance(Change::DirectionalDerivative) => {
                write!(f, "directional derivative above -tolerance_change")
            }
            Termination::ChangeTolerance(Change::Step) => {
                write!(f, "step below tolerance_change")
            }
            Termination::ChangeTolerance(Change::Loss) => {
                write!(f, "loss change below tolerance_change")
            }
            Termination::LineSearchFailed => write!(f, "line search failed"),
            Termination::MaxIterations => write!(f, "max_iter inner iterations"),
            Termination::MaxEvaluations => write!(f, "max_eval evaluations"),
            Termination::MaxSteps => write!(f, "maximum number of outer steps"),
        }
    }
}

/// An optimizer's state as two flat arrays, easy to write to a checkpoint: integer counters
/// and floating-point values. Each optimizer documents its layout.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizerState<T> {
    /// Step counters and sizes.
    pub counters: Vec<u64>,
    /// Moments, directions, histories…
    pub values: Vec<T>,
}

/// Checks that a hyper-parameter is finite and in range, or names it in an
/// [`Error::InvalidConfig`].
pub(crate) fn check(field: &'static str, value: f64, ok: bool, range: &str) -> Result<()> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            field,
            reason: format!("must be {range}, found {value}"),
        })
    }
}
