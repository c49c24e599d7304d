//! Training strategies: the methods that change *what* is minimised while the optimizer runs
//! (RoPINN region optimization, learning-rate-annealing loss balancing, self-adaptive weights,
//! residual-adaptive sampling, …).
//!
//! A [`Strategy`] is called by the [`Trainer`](crate::train::Trainer) at four points:
//! once when the trainer is built ([`Strategy::init`]), before every loss evaluation —
//! including each line-search trial of L-BFGS — ([`Strategy::before_eval`]), after every
//! evaluation with its gradient ([`Strategy::after_eval`]), and after every optimizer step
//! ([`Strategy::after_step`]). Through [`Terms`] it can read and move the points of a loss
//! term, set term weights and per-point weights, record per-point residuals, and evaluate a
//! single term's loss and gradient. Every random draw comes from the seed it is handed, so a
//! strategy keeps the determinism contract.
//!
//! Loss balancing:
//!
//! - [`LrAnnealing`]: Wang, Teng & Perdikaris' learning-rate annealing (2021), one weight per
//!   boundary/initial term (or group), from gradient statistics every 10 steps, as coded.
//! - [`SelfAdaptive`]: McClenny & Braga-Neto's self-adaptive PINN, one weight per point,
//!   trained by gradient ascent.
//!
//! Both hand out a [`WeightLog`] to read their weights while the trainer owns them.
//!
//! Region optimization:
//!
//! - [`RoPinn`]: Wu et al.'s RoPINN (NeurIPS 2024), as coded: residual points redrawn in a
//!   one-sided region at every loss evaluation, the region calibrated from the gradients of
//!   the last `T₀` steps; [`RoPinnMonitor`] reads its `σ` while the trainer owns it.
//!
//! ```
//! use pinn::ad::Real;
//! use pinn::strategies::{EvalContext, Strategy, Terms};
//!
//! /// Doubles the weight of the term named "boundary" every 100 steps.
//! struct Ramp { term: usize }
//! impl<T: Real> Strategy<T> for Ramp {
//!     fn name(&self) -> &'static str { "ramp" }
//!     fn init(&mut self, terms: &mut dyn Terms<T>) -> pinn::Result<()> {
//!         self.term = terms.term_index("boundary")?;
//!         Ok(())
//!     }
//!     fn after_step(&mut self, terms: &mut dyn Terms<T>, _p: &[T], step: usize) -> pinn::Result<()> {
//!         if (step + 1) % 100 == 0 {
//!             let w = terms.weight(self.term)?;
//!             terms.set_weight(self.term, 2.0 * w)?;
//!         }
//!         Ok(())
//!     }
//! }
//! # let _ = Ramp { term: 0 };
//! ```

use crate::ad::Real;
use crate::ad::jet::Graph;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pde::Pde;
use crate::rng::Seed;
use crate::train::{Assembly, LossReport, TermKind};

mod lr_annealing;
mod redraw;
mod ropinn;
mod self_adaptive;
mod weight_log;

pub use lr_annealing::{
    Denominator, LrAnnealing, LrAnnealingConfig, max_abs_gradient, mean_of_layer_means,
};
pub use redraw::Redraw;
pub use ropinn::{Calibration, RoPinn, RoPinnConfig, RoPinnMonitor, calibrate, region_sample};
pub use self_adaptive::{Mask, SelfAdaptive, SelfAdaptiveConfig};
pub use weight_log::WeightLog;

/// Where an evaluation stands, and the seed for its random draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalContext {
    /// The training step.
    pub step: usize,
    /// The evaluation within the step (0 for the first; L-BFGS makes several).
    pub evaluation: usize,
    /// A seed unique to (strategy, step, evaluation), derived from the run's seed.
    pub seed: Seed,
    /// The index of the optimizer phase the evaluation belongs to (see
    /// [`Strategy::begin_phase`] for its name and optimizer).
    pub phase: usize,
    /// The run's seed, for a strategy that reproduces a stream the trainer defines (the
    /// resampling of term `t` at step `s` draws from `run.derive(1 + t).derive(s)`).
    pub run: Seed,
}

/// The optimizer phase a strategy runs in, as [`Strategy::begin_phase`] sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseInfo<'a> {
    /// Its index in the order the phases were added.
    pub index: usize,
    /// Its name (`"adam"`, `"lbfgs"`, …).
    pub name: &'a str,
    /// Its optimizer's [`name`](crate::optim::Optimizer::name).
    pub optimizer: &'a str,
    /// Outer steps it takes at most, and how many it has already taken (non-zero when a run
    /// resumes in the middle of the phase).
    pub steps: usize,
    /// Steps already taken.
    pub done: usize,
}

/// A hook into the training loop. Every method has a default that does nothing.
pub trait Strategy<T: Real>: Send {
    /// A short name for reports.
    fn name(&self) -> &'static str;
    /// Once, when the trainer is built.
    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        let _ = terms;
        Ok(())
    }
    /// When the trainer starts running an optimizer phase (or resumes in the middle of one),
    /// before its first step.
    fn begin_phase(&mut self, terms: &mut dyn Terms<T>, phase: PhaseInfo<'_>) -> Result<()> {
        let _ = (terms, phase);
        Ok(())
    }
    /// Before every loss evaluation.
    fn before_eval(&mut self, terms: &mut dyn Terms<T>, ctx: EvalContext) -> Result<()> {
        let _ = (terms, ctx);
        Ok(())
    }
    /// After every loss evaluation, with its gradient (network parameters, then PDE
    /// coefficients) and loss.
    fn after_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        grad: &[T],
        loss: &LossReport<T>,
    ) -> Result<()> {
        let _ = (terms, grad, loss);
        Ok(())
    }
    /// After every optimizer step, with the new parameters and the step just taken.
    fn after_step(&mut self, terms: &mut dyn Terms<T>, params: &[T], step: usize) -> Result<()> {
        let _ = (terms, params, step);
        Ok(())
    }
    /// The strategy's state as numbers (for checkpoints); empty by default.
    fn state(&self) -> Vec<f64> {
        Vec::new()
    }
    /// Restores a state from [`Strategy::state`].
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        if state.is_empty() {
            Ok(())
        } else {
            Err(Error::DimensionMismatch {
                what: "strategy state",
                expected: 0,
                found: state.len(),
            })
        }
    }
}

/// What a strategy may see and change of the loss: the terms of an
/// [`Assembly`].
pub trait Terms<T> {
    /// The network, when the model is a single [`Graph`] (strategies that read its layers need
    /// one).
    fn graph(&self) -> Option<&Graph>;
    /// Number of the model's parameters `|θ|` (the PDE coefficients follow them).
    fn n_theta(&self) -> usize;
    /// Number of optimised numbers (network parameters, then PDE coefficients).
    fn n_params(&self) -> usize;
    /// The term names, in order.
    fn term_names(&self) -> Vec<String>;
    /// The index of the term named `name`.
    fn term_index(&self, name: &str) -> Result<usize> {
        self.term_names()
            .iter()
            .position(|n| n == name)
            .ok_or(Error::InvalidConfig {
                field: "term",
                reason: format!("no term named `{name}`"),
            })
    }
    /// Whether term `i` is the PDE residual.
    fn is_pde(&self, i: usize) -> Result<bool>;
    /// What term `i` measures.
    fn kind(&self, i: usize) -> Result<&TermKind>;
    /// The points of term `i`.
    fn points(&self, i: usize) -> Result<&[f64]>;
    /// The number of points of term `i`.
    fn n_points(&self, i: usize) -> Result<usize>;
    /// Replaces the points of term `i` (with normals / partners where the term needs them).
    fn set_points(
        &mut self,
        i: usize,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()>;
    /// The weight of term `i`.
    fn weight(&self, i: usize) -> Result<f64>;
    /// Sets the weight of term `i`.
    fn set_weight(&mut self, i: usize, w: f64) -> Result<()>;
    /// Sets per-point weights of term `i` (inside the square).
    fn set_point_weights(&mut self, i: usize, w: &[T]) -> Result<()>;
    /// Records each point's `Σ r²` of term `i` at every evaluation.
    fn record_residuals(&mut self, i: usize, on: bool) -> Result<()>;
    /// The recorded `Σ r²` of term `i` from the last evaluation.
    fn residuals(&self, i: usize) -> Result<&[T]>;
    /// Each point's unweighted `Σ_eq r²` of term `i`'s residual at arbitrary `points`, without
    /// a gradient (see [`Assembly::residuals_at`]).
    fn residuals_at(&self, i: usize, params: &[T], points: &[f64]) -> Result<Vec<T>>;
    /// Term `i`'s weighted loss and gradient alone, at `params`.
    fn eval_term(
        &mut self,
        i: usize,
        params: &[T],
        grad: &mut [T],
        step: usize,
    ) -> Result<LossReport<T>>;
}

impl<P: Pde, T: Real, M: Model<T>> Terms<T> for Assembly<P, T, M> {
    fn graph(&self) -> Option<&Graph> {
        self.model().graph()
    }
    fn n_theta(&self) -> usize {
        self.model().n_params()
    }
    fn n_params(&self) -> usize {
        Assembly::n_params(self)
    }
    fn term_names(&self) -> Vec<String> {
        Assembly::term_names(self)
    }
    fn is_pde(&self, i: usize) -> Result<bool> {
        Ok(matches!(Assembly::kind(self, i)?, TermKind::Pde))
    }
    fn kind(&self, i: usize) -> Result<&TermKind> {
        Assembly::kind(self, i)
    }
    fn points(&self, i: usize) -> Result<&[f64]> {
        Assembly::points(self, i)
    }
    fn n_points(&self, i: usize) -> Result<usize> {
        Assembly::n_points(self, i)
    }
    fn set_points(
        &mut self,
        i: usize,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()> {
        Assembly::set_points(self, i, points, normals, partners)
    }
    fn weight(&self, i: usize) -> Result<f64> {
        Assembly::weight(self, i)
    }
    fn set_weight(&mut self, i: usize, w: f64) -> Result<()> {
        Assembly::set_weight(self, i, w)
    }
    fn set_point_weights(&mut self, i: usize, w: &[T]) -> Result<()> {
        Assembly::set_point_weights(self, i, w)
    }
    fn record_residuals(&mut self, i: usize, on: bool) -> Result<()> {
        Assembly::record_residuals(self, i, on)
    }
    fn residuals(&self, i: usize) -> Result<&[T]> {
        Assembly::residuals(self, i)
    }
    fn residuals_at(&self, i: usize, params: &[T], points: &[f64]) -> Result<Vec<T>> {
        Assembly::residuals_at(self, i, params, points)
    }
    fn eval_term(
        &mut self,
        i: usize,
        params: &[T],
        grad: &mut [T],
        step: usize,
    ) -> Result<LossReport<T>> {
        Assembly::eval_term(self, i, params, grad, step)
    }
}
