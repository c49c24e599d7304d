//! [`FixedSteps`]: an optimizer that never reports convergence, so a trainer phase runs all
//! its outer steps.

use super::{Objective, Optimizer, OptimizerState, StepInfo};
use crate::Result;
use crate::ad::Real;

/// Wraps an optimizer so that every outer step of a phase is taken, as in a PyTorch script's
/// `for i in range(n): optimizer.step(closure)`.
///
/// A trainer phase added with
/// [`phase_until_converged`](crate::train::TrainerBuilder::phase_until_converged) ends at the
/// first step whose [`Termination`](super::Termination) is converged (gradient or change
/// tolerance, failed line search). PyTorch's loop does not: the next `step` evaluates the
/// closure again and, with L-BFGS, carries on from the stored history — and with a stochastic
/// objective (RoPINN redraws its points at every evaluation) it can make progress again. A
/// phase added with [`phase`](crate::train::TrainerBuilder::phase) already behaves like
/// PyTorch's loop; `FixedSteps` does the same for any other driver of an optimizer: it reports
/// such terminations as `None` and changes nothing else (the wrapped optimizer's arithmetic,
/// state and counters are untouched).
///
/// ```
/// use pinn::optim::{FixedSteps, Lbfgs, LbfgsConfig, Optimizer};
///
/// let mut opt = FixedSteps::new(Lbfgs::new(LbfgsConfig::default())?);
/// let mut x = [3.0_f64];
/// let mut f = |x: &[f64], g: &mut [f64]| -> pinn::Result<f64> {
///     g[0] = 2.0 * x[0];
///     Ok(x[0] * x[0])
/// };
/// for _ in 0..5 {
///     let info = opt.step(&mut x, &mut f)?;
///     assert!(info.termination.is_none_or(|t| !t.is_converged()));
/// }
/// assert!(x[0].abs() < 1e-6);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct FixedSteps<O> {
    inner: O,
}

impl<O> FixedSteps<O> {
    /// Wraps `inner`.
    pub fn new(inner: O) -> Self {
        FixedSteps { inner }
    }
    /// The wrapped optimizer.
    pub fn inner(&self) -> &O {
        &self.inner
    }
    /// Unwraps the optimizer.
    pub fn into_inner(self) -> O {
        self.inner
    }
}

impl<T: Real, O: Optimizer<T>> Optimizer<T> for FixedSteps<O> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn step(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<StepInfo<T>> {
        let mut info = self.inner.step(x, obj)?;
        info.termination = info.termination.filter(|t| !t.is_converged());
        Ok(info)
    }

    fn state(&self) -> OptimizerState<T> {
        self.inner.state()
    }

    fn set_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        self.inner.set_state(state)
    }
}
