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
//! - [`NtkWeighting`]: Wang, Yu & Perdikaris' NTK weighting (2022), one weight per term (or
//!   group) from the traces of the neural tangent kernel's blocks, as coded.
//!
//! All three hand out a [`WeightLog`] to read their weights while the trainer owns them.
//!
//! Causality:
//!
//! - [`Causal`]: Wang, Sankaran & Perdikaris' causal training (2024), per-time-slice weights
//!   `exp(−ε Σ_{k<i} L_k)` with the `ε` schedule.
//!
//! Residual-adaptive sampling:
//!
//! - [`Adaptive`]: Random-R, RAD, RAR-D and RAR-G (Wu, Zhu, Tan, Kartha & Lu 2023, as coded),
//!   scoring a fresh candidate pool each round without a gradient.
//! - [`Redraw`]: fresh points on a schedule from your own sampler.
//!
//! Domain decomposition:
//!
//! - [`SubdomainSchedule`]: FBPINN training on a subdomain schedule (the FBPINNs library's
//!   point, line and plane schedulers): only active subdomains' points train, fixed
//!   subdomains are frozen.
//!
//! Region optimization:
//!
//! - [`RoPinn`]: Wu et al.'s RoPINN (NeurIPS 2024), as coded: residual points redrawn in a
//!   one-sided region at every loss evaluation, the region calibrated from the gradients of
//!   the last `T₀` steps; [`RoPinnMonitor`] reads its `σ` while the trainer owns it.
//!
//! ```
//! use pinn::ad::{jet::Graph, Elementary, Real};
//! use pinn::pde::{problems::Poisson1D, Condition};
//! use pinn::strategies::{Strategy, Terms};
//! use pinn::train::{TermId, Trainer};
//!
//! /// Doubles the weight of one term every 100 steps.
//! struct Ramp { term: TermId }
//! impl<T: Real> Strategy<T> for Ramp {
//!     fn name(&self) -> &'static str { "ramp" }
//!     fn init(&mut self, terms: &mut dyn Terms<T>) -> pinn::Result<()> {
//!         terms.check(self.term) // a handle from another trainer is an error here
//!     }
//!     fn after_step(&mut self, terms: &mut dyn Terms<T>, _p: &[T], step: usize) -> pinn::Result<()> {
//!         if (step + 1) % 100 == 0 {
//!             let w = terms.weight(self.term)?;
//!             terms.set_weight(self.term, 2.0 * w)?;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let net = Graph::mlp(&[1, 8, 1], Elementary::Tanh)?;
//! let mut b = Trainer::<_, f64>::builder(net, Poisson1D::new(1.0)?);
//! b.add_pde_points(vec![0.25, 0.5, 0.75]);
//! let boundary = b.add_condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0]);
//! let b = b.strategy(Ramp { term: boundary });
//! # let _ = b;
//! # Ok::<(), pinn::Error>(())
//! ```

use crate::ad::Real;
use crate::ad::jet::Graph;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pde::Pde;
use crate::rng::Seed;
use crate::train::{Assembly, LossReport, TermId, TermKind};

mod adaptive;
mod causal;
mod groups;
mod lr_annealing;
mod ntk;
pub(crate) mod redraw;
mod ropinn;
mod self_adaptive;
mod subdomain_schedule;
mod weight_log;

pub use adaptive::{Adaptive, AdaptiveConfig, Method, density, top, weighted_without_replacement};
pub use causal::{Causal, CausalConfig, Slices, causal_weights};
pub use lr_annealing::{
    Denominator, LrAnnealing, LrAnnealingConfig, Statistic, layer_ratio_max, max_abs_gradient,
    mean_of_layer_means,
};
pub use ntk::{NtkConfig, NtkWeighting, Trace};
pub use redraw::Redraw;
pub use ropinn::{Calibration, RoPinn, RoPinnConfig, RoPinnMonitor, calibrate, region_sample};
pub use self_adaptive::{Mask, SelfAdaptive, SelfAdaptiveConfig};
pub use subdomain_schedule::SubdomainSchedule;
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

/// What a strategy does with a term's points ([`Strategy::point_roles`]), so that the trainer
/// can refuse, when it is built, combinations that cannot work together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PointRole {
    /// Keeps state point by point, by index (self-adaptive weights): the points must stay.
    PerPointState,
    /// Replaces the points, keeping their number (Random-R, RAD, [`Redraw`]).
    Replaces,
    /// Adds points (RAR-D, RAR-G).
    Grows,
    /// Sets the term's per-point weights ([`Terms::set_point_weights`]); two strategies
    /// doing so on one term would overwrite each other (SA-PINN, causal training).
    Weights,
    /// Keeps a subset of the points the term was built with ([`SubdomainSchedule`]): another
    /// strategy that replaces, grows or selects the same term's points would be undone by it.
    Selects,
}

/// An error if one strategy keeps per-point state on a term whose points another replaces or
/// grows, or if two strategies set the same term's per-point weights: `roles[s]` lists
/// strategy `s`'s `(term, role)` pairs, `names[s]` its name.
pub(crate) fn check_point_roles(
    names: &[&str],
    roles: &[Vec<(TermId, PointRole)>],
    term_names: &[String],
) -> Result<()> {
    let term_name = |t: TermId| term_names.get(t.index()).map_or("?", |s| s.as_str());
    for (a, ra) in roles.iter().enumerate() {
        for &(term, role) in ra {
            if role == PointRole::Weights
                && let Some(b) =
                    (a + 1..roles.len()).find(|&b| roles[b].contains(&(term, PointRole::Weights)))
            {
                return Err(Error::InvalidConfig {
                    field: "strategies",
                    reason: format!(
                        "{} and {} both set the per-point weights of term \"{}\": the second \
                         would overwrite the first; use one of the two on this term",
                        names[a],
                        names[b],
                        term_name(term),
                    ),
                });
            }
            if role == PointRole::Selects
                && let Some((b, other)) = roles.iter().enumerate().find_map(|(b, rb)| {
                    (b != a)
                        .then(|| {
                            rb.iter().find(|(t, r)| {
                                *t == term
                                    && matches!(
                                        r,
                                        PointRole::Replaces | PointRole::Grows | PointRole::Selects
                                    )
                            })
                        })
                        .flatten()
                        .map(|&(_, r)| (b, r))
                })
            {
                let verb = match other {
                    PointRole::Grows => "adds points to",
                    PointRole::Selects => "also selects the points of",
                    _ => "replaces the points of",
                };
                return Err(Error::InvalidConfig {
                    field: "strategies",
                    reason: format!(
                        "{} keeps a subset of the points term \"{}\" was built with while {} \
                         {verb} it: each would undo the other; use one of the two on this term",
                        names[a],
                        term_name(term),
                        names[b],
                    ),
                });
            }
            if role != PointRole::PerPointState {
                continue;
            }
            for (b, rb) in roles.iter().enumerate() {
                if let Some(&(_, other)) = rb.iter().find(|(t, r)| {
                    *t == term
                        && b != a
                        && matches!(
                            r,
                            PointRole::Replaces | PointRole::Grows | PointRole::Selects
                        )
                }) {
                    let verb = match other {
                        PointRole::Grows => "adds points to",
                        PointRole::Selects => "selects a subset of the points of",
                        _ => "replaces the points of",
                    };
                    return Err(Error::InvalidConfig {
                        field: "strategies",
                        reason: format!(
                            "{} keeps a weight per point of term \"{}\" while {} {verb} it: \
                             per-point weights would no longer belong to their points; \
                             use one of the two on this term",
                            names[a],
                            term_name(term),
                            names[b],
                        ),
                    });
                }
            }
        }
    }
    Ok(())
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
    /// Before every loss evaluation, with the parameters it is evaluated at (network, then
    /// PDE coefficients; an L-BFGS line search evaluates at trial points).
    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        params: &[T],
    ) -> Result<()> {
        let _ = (terms, ctx, params);
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
    /// What the strategy does with the points of which terms (known after
    /// [`Strategy::init`]); the trainer refuses at build time a term whose points one strategy
    /// weights point by point while another replaces or grows them. Empty by default.
    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        Vec::new()
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
    /// The handles of the terms, in order.
    fn term_ids(&self) -> Vec<TermId>;
    /// Checks that `term` is one of the terms (a handle from another trainer, or one past the
    /// end, is an error naming it).
    fn check(&self, term: TermId) -> Result<()> {
        let n = self.term_names().len();
        if term.index() < n {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                field: "term",
                reason: format!("no term number {} (there are {n})", term.index()),
            })
        }
    }
    /// Whether `term` is the PDE residual.
    fn is_pde(&self, term: TermId) -> Result<bool>;
    /// What `term` measures.
    fn kind(&self, term: TermId) -> Result<&TermKind>;
    /// The points of `term`.
    fn points(&self, term: TermId) -> Result<&[f64]>;
    /// The number of points of `term`.
    fn n_points(&self, term: TermId) -> Result<usize>;
    /// Replaces the points of `term` (with normals / partners where the term needs them).
    fn set_points(
        &mut self,
        term: TermId,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()>;
    /// Removes every point of `term` (see [`Assembly::clear_points`]).
    fn clear_points(&mut self, term: TermId) -> Result<()>;
    /// The weight of `term`.
    fn weight(&self, term: TermId) -> Result<f64>;
    /// Sets the weight of `term`.
    fn set_weight(&mut self, term: TermId, w: f64) -> Result<()>;
    /// Sets per-point weights of `term` (inside the square).
    fn set_point_weights(&mut self, term: TermId, w: &[T]) -> Result<()>;
    /// Records each point's `Σ r²` of `term` at every evaluation.
    fn record_residuals(&mut self, term: TermId, on: bool) -> Result<()>;
    /// The recorded `Σ r²` of `term` from the last evaluation.
    fn residuals(&self, term: TermId) -> Result<&[T]>;
    /// Each point's `Σ_e ω_e r_e²` (equation weights only) of `term`'s residual at arbitrary
    /// `points`, without a gradient (see [`Assembly::residuals_at`]).
    fn residuals_at(&self, term: TermId, params: &[T], points: &[f64]) -> Result<Vec<T>>;
    /// The diagonal `K_ii = Σ_e ‖∂r_{i,e}/∂θ‖²` of `term`'s block of the neural tangent
    /// kernel at its points number `indices` (see [`Assembly::tangent_kernel_diagonal`]).
    fn tangent_kernel_diagonal(
        &self,
        term: TermId,
        params: &[T],
        indices: &[usize],
    ) -> Result<Vec<T>>;
    /// Freezes the optimised numbers `i` with `frozen[i]`, or none with an empty slice (see
    /// [`Assembly::set_frozen`]).
    fn set_frozen(&mut self, frozen: &[bool]) -> Result<()>;
    /// The frozen mask (empty: nothing frozen).
    fn frozen(&self) -> &[bool];
    /// `term`'s weighted loss and gradient alone, at `params`.
    fn eval_term(
        &mut self,
        term: TermId,
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
    fn term_ids(&self) -> Vec<TermId> {
        Assembly::term_ids(self)
    }
    fn is_pde(&self, term: TermId) -> Result<bool> {
        Ok(matches!(Assembly::kind(self, term)?, TermKind::Pde))
    }
    fn kind(&self, term: TermId) -> Result<&TermKind> {
        Assembly::kind(self, term)
    }
    fn points(&self, term: TermId) -> Result<&[f64]> {
        Assembly::points(self, term)
    }
    fn n_points(&self, term: TermId) -> Result<usize> {
        Assembly::n_points(self, term)
    }
    fn set_points(
        &mut self,
        term: TermId,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()> {
        Assembly::set_points(self, term, points, normals, partners)
    }
    fn clear_points(&mut self, term: TermId) -> Result<()> {
        Assembly::clear_points(self, term)
    }
    fn weight(&self, term: TermId) -> Result<f64> {
        Assembly::weight(self, term)
    }
    fn set_weight(&mut self, term: TermId, w: f64) -> Result<()> {
        Assembly::set_weight(self, term, w)
    }
    fn set_point_weights(&mut self, term: TermId, w: &[T]) -> Result<()> {
        Assembly::set_point_weights(self, term, w)
    }
    fn record_residuals(&mut self, term: TermId, on: bool) -> Result<()> {
        Assembly::record_residuals(self, term, on)
    }
    fn residuals(&self, term: TermId) -> Result<&[T]> {
        Assembly::residuals(self, term)
    }
    fn residuals_at(&self, term: TermId, params: &[T], points: &[f64]) -> Result<Vec<T>> {
        Assembly::residuals_at(self, term, params, points)
    }
    fn tangent_kernel_diagonal(
        &self,
        term: TermId,
        params: &[T],
        indices: &[usize],
    ) -> Result<Vec<T>> {
        Assembly::tangent_kernel_diagonal(self, term, params, indices)
    }
    fn set_frozen(&mut self, frozen: &[bool]) -> Result<()> {
        Assembly::set_frozen(self, frozen)
    }
    fn frozen(&self) -> &[bool] {
        Assembly::frozen(self)
    }
    fn eval_term(
        &mut self,
        term: TermId,
        params: &[T],
        grad: &mut [T],
        step: usize,
    ) -> Result<LossReport<T>> {
        Assembly::eval_term(self, term, params, grad, step)
    }
}
