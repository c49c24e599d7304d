//! Drivers that run an optimizer for many steps: [`minimize`] and [`AdamThenLbfgs`].

use super::{Adam, AdamConfig, Lbfgs, LbfgsConfig, Objective, Optimizer, StepInfo, Termination};
use crate::Result;
use crate::ad::Real;

/// What a driver run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Report<T> {
    /// [`StepInfo::loss`] of every outer step, in order: the loss at the start of each step.
    pub losses: Vec<T>,
    /// The loss at the final parameters, when the last step knew it (L-BFGS does).
    pub final_loss: Option<T>,
    /// Outer steps taken.
    pub steps: usize,
    /// Inner iterations, summed over steps.
    pub iterations: usize,
    /// Objective evaluations, summed over steps.
    pub evaluations: usize,
    /// Why the run stopped: the converged step's reason, or [`Termination::MaxSteps`].
    pub termination: Termination,
}

impl<T: Copy> Report<T> {
    fn new() -> Self {
        Report {
            losses: Vec::new(),
            final_loss: None,
            steps: 0,
            iterations: 0,
            evaluations: 0,
            termination: Termination::MaxSteps,
        }
    }

    fn record(&mut self, info: &StepInfo<T>) {
        self.losses.push(info.loss);
        self.final_loss = info.final_loss;
        self.steps += 1;
        self.iterations += info.iterations;
        self.evaluations += info.evaluations;
    }
}

/// Steps `opt` until a step reports a converged [`Termination`]
/// ([`Termination::is_converged`]: gradient or change tolerance, failed line search), or for
/// `max_steps` outer steps ([`Termination::MaxSteps`]).
///
/// With [`Lbfgs`] this is "run to convergence"; L-BFGS budgets (`max_iter`, `max_eval`)
/// only end a step, and the next step continues. Adam and SGD never converge by themselves,
/// so they run `max_steps` steps. (Scripts that call `optimizer.step` a fixed number of
/// times whatever happens should call [`Optimizer::step`] in their own loop.)
///
/// # Errors
///
/// Any error of [`Optimizer::step`], which stops the run at once.
pub fn minimize<T: Real>(
    opt: &mut dyn Optimizer<T>,
    x: &mut [T],
    obj: &mut dyn Objective<T>,
    max_steps: usize,
) -> Result<Report<T>> {
    let mut report = Report::new();
    run(opt, x, obj, max_steps, &mut report)?;
    Ok(report)
}

fn run<T: Real>(
    opt: &mut dyn Optimizer<T>,
    x: &mut [T],
    obj: &mut dyn Objective<T>,
    max_steps: usize,
    report: &mut Report<T>,
) -> Result<()> {
    for _ in 0..max_steps {
        let info = opt.step(x, obj)?;
        report.record(&info);
        if let Some(reason) = info.termination.filter(|r| r.is_converged()) {
            report.termination = reason;
            return Ok(());
        }
    }
    report.termination = Termination::MaxSteps;
    Ok(())
}

/// The usual PINN recipe: `adam_steps` Adam steps, then L-BFGS until it converges or has
/// taken `lbfgs_steps` outer steps.
///
/// ```
/// use pinn::optim::{AdamConfig, AdamThenLbfgs, LbfgsConfig};
///
/// fn bowl(x: &[f64], g: &mut [f64]) -> pinn::Result<f64> {
///     g[0] = 2.0 * (x[0] - 1.0);
///     g[1] = 20.0 * (x[1] + 2.0);
///     Ok((x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2))
/// }
/// let adam = AdamConfig { lr: 0.1, ..AdamConfig::default() };
/// let mut opt = AdamThenLbfgs::new(adam, 100, LbfgsConfig::default(), 50)?;
/// let mut x = [0.0, 0.0];
/// let report = opt.run(&mut x, &mut bowl)?;
/// assert!(report.termination.is_converged());
/// assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] + 2.0).abs() < 1e-6);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct AdamThenLbfgs<T> {
    /// The first phase's optimizer.
    pub adam: Adam<T>,
    /// Adam steps to take.
    pub adam_steps: usize,
    /// The second phase's optimizer.
    pub lbfgs: Lbfgs<T>,
    /// L-BFGS outer steps allowed (each up to `max_iter` inner iterations).
    pub lbfgs_steps: usize,
}

impl<T: Real> AdamThenLbfgs<T> {
    /// Both optimizers, built from their configurations.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) from [`Adam::new`] or
    /// [`Lbfgs::new`].
    pub fn new(
        adam: AdamConfig,
        adam_steps: usize,
        lbfgs: LbfgsConfig,
        lbfgs_steps: usize,
    ) -> Result<Self> {
        Ok(AdamThenLbfgs {
            adam: Adam::new(adam)?,
            adam_steps,
            lbfgs: Lbfgs::new(lbfgs)?,
            lbfgs_steps,
        })
    }

    /// Runs both phases on `x`. The report covers both: `losses[..adam_steps]` are Adam's
    /// (fewer if L-BFGS is not reached), and the termination is L-BFGS's converged reason
    /// or [`Termination::MaxSteps`].
    ///
    /// # Errors
    ///
    /// Any error of either optimizer's step, which stops the run at once.
    pub fn run(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<Report<T>> {
        let mut report = Report::new();
        for _ in 0..self.adam_steps {
            let info = self.adam.step(x, obj)?;
            report.record(&info);
        }
        run(&mut self.lbfgs, x, obj, self.lbfgs_steps, &mut report)?;
        Ok(report)
    }
}
