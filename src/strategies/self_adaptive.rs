//! Self-adaptive PINN weights (McClenny & Braga-Neto), as coded: see [`SelfAdaptive`].

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::optim::{Adam, AdamConfig, Optimizer, OptimizerState};
use crate::rng::{Seed, uniform};
use crate::train::TermId;

use super::{EvalContext, PointRole, Strategy, Terms, WeightLog};

/// The self-adaptation mask `μ`, applied inside the square: a point's loss is `(μ(λ_p) r_p)²`.
///
/// The paper writes the mask outside the square, `m(λ) r²`, and names polynomial masks
/// `m(λ) = c·λ^q` (and sigmoids); here `m = μ²`.
#[derive(Clone, Copy, Debug)]
pub enum Mask {
    /// `μ(λ) = λ` (`m = λ²`): the code.
    Identity,
    /// The paper's polynomial mask `m(λ) = c·λ^q` outside the square, i.e.
    /// `μ(λ) = √c·λ^(q/2)` for `λ ≥ 0` (and 0 for `λ < 0`); `c > 0`, `q > 0`. `c = 1, q = 2` is
    /// the identity for positive weights.
    Polynomial {
        /// The factor `c`.
        c: f64,
        /// The power `q`.
        q: f64,
    },
    /// Any mask: returns `(μ(λ), μ′(λ))`.
    Custom(fn(f64) -> (f64, f64)),
}

impl Mask {
    /// `(μ(λ), μ′(λ))`.
    pub fn eval(&self, lambda: f64) -> (f64, f64) {
        match *self {
            Mask::Identity => (lambda, 1.0),
            Mask::Polynomial { c, q } => {
                if lambda <= 0.0 {
                    (0.0, 0.0)
                } else {
                    let s = c.sqrt();
                    let m = s * lambda.powf(q / 2.0);
                    (m, s * (q / 2.0) * lambda.powf(q / 2.0 - 1.0))
                }
            }
            Mask::Custom(f) => f(lambda),
        }
    }
}

/// Settings of [`SelfAdaptive`].
#[derive(Clone, Copy, Debug)]
pub struct SelfAdaptiveConfig {
    /// The λ-Adam's learning rate, finite and `> 0` (1e-3 Helmholtz, 5e-3 Allen–Cahn).
    pub lr: f64,
    /// The λ-Adam's `β₁`, in `[0, 1)` (0.99 in both presets).
    pub beta1: f64,
    /// The λ-Adam's `β₂`, in `[0, 1)` (0.999 in both presets).
    pub beta2: f64,
    /// The λ-Adam's `ε`, `> 0` (1e-7 in both presets, Keras' default).
    pub eps: f64,
    /// Stop updating `λ` from this training step on (the first step of the L-BFGS phase);
    /// `λ` keeps weighting the loss. `None` (both presets): never.
    pub freeze_after: Option<usize>,
    /// The mask ([`Mask::Identity`] in both presets).
    pub mask: Mask,
    /// The seed of the initial `λ`.
    pub seed: Seed,
    /// Record the weight statistics every `log_every` steps, `≥ 1` (100 in both presets).
    pub log_every: usize,
}

impl SelfAdaptiveConfig {
    /// The Helmholtz script: λ-Adam lr 1e-3, `β₁ = 0.99`.
    pub fn helmholtz(seed: Seed) -> Self {
        SelfAdaptiveConfig {
            lr: 1e-3,
            beta1: 0.99,
            beta2: 0.999,
            eps: 1e-7,
            freeze_after: None,
            mask: Mask::Identity,
            seed,
            log_every: 100,
        }
    }

    /// The Allen–Cahn script: λ-Adam lr 5e-3, `β₁ = 0.99`.
    pub fn allen_cahn(seed: Seed) -> Self {
        SelfAdaptiveConfig {
            lr: 5e-3,
            ..Self::helmholtz(seed)
        }
    }
}

/// Which terms carry trainable weights, and the scale of their initial draw.
#[derive(Clone, Debug, PartialEq)]
enum Selector {
    /// Every PDE residual term.
    Pde(f64),
    /// The term of this name, if there is one.
    NameIfPresent(String, f64),
    /// This term (an error if it is not one of the trainer's).
    Term(TermId, f64),
}

/// A weighted term, once resolved.
#[derive(Clone, Debug)]
struct Weighted {
    term: TermId,
    name: String,
    lambda: Vec<f64>,
}

/// Self-adaptive PINNs (McClenny & Braga-Neto, arXiv 2009.04544), as coded in
/// `levimcclenny/SA-PINNs`: one trainable weight per collocation point (and per
/// initial-condition point), trained by gradient **ascent** while the network is trained by
/// descent.
///
/// For a weighted term `t` with `N` points, term weight `w` and residuals `r_p`, the loss is
///
/// ```text
/// L_t(θ, λ) = w · (1/N) Σ_p (μ(λ_p) · r_p)²        (the weight inside the square)
/// ∂L_t/∂λ_p = 2 w μ(λ_p) μ′(λ_p) r_p² / N          (= 2 w λ_p r_p² / N for μ(λ) = λ)
/// ```
///
/// with the mask `μ` the identity as coded ([`Mask::Identity`], so the effective mask on `r²`
/// is `λ²`). Other terms (boundaries) are unweighted.
///
/// **Update.** After every optimizer step, `λ` moves by one step of its own Adam on `−∂L/∂λ`
/// (ascent), computed from the residuals of the step's evaluation — the same loss at the same
/// `θ` the network's gradient came from, so `θ` and `λ` are updated simultaneously, as with the
/// code's shared `GradientTape`. (An optimizer that evaluates several times per step, such as
/// L-BFGS, leaves the residuals of its last trial; the SA-PINN recipe freezes `λ` there,
/// see [`SelfAdaptiveConfig::freeze_after`].)
///
/// **Initialisation** (from [`SelfAdaptiveConfig::seed`], point by point, the trainer's term
/// number `k` from the stream `seed.derive(k)`): `λ_r ~ U(0, 1)` on collocation points, `λ_0 ~ 100·U(0, 1)` on
/// initial-condition points (the `scale` of each weighted term).
///
/// **Settings** (spec §5.1): Allen–Cahn Adam lr 5e-3, `β₁ = 0.99`
/// ([`SelfAdaptiveConfig::allen_cahn`]); Helmholtz lr 1e-3, `β₁ = 0.99`
/// ([`SelfAdaptiveConfig::helmholtz`]). Both then run L-BFGS with `λ` frozen. The
/// code's optimizers are Keras' Adam, whose `ε` is 1e-7; the λ-Adam here is the crate's
/// [`Adam`] (PyTorch's placement of `ε`, which differs from Keras' only while `√v ≲ ε`)
/// with `ε = 1e-7`. `λ` is kept and updated in `f64` whatever the training precision.
///
/// Per-point weights belong to points: train with fixed points (as the paper does). A term
/// whose number of points changes is an error.
///
/// **Records** ([`SelfAdaptive::log`]): a row after the updates of steps `0, log_every,
/// 2·log_every, …` and one at the freeze, with the columns `mean λ[t]` for every weighted term
/// `t`, then `min λ[t]`, then `max λ[t]`; [`WeightLog::current`] holds the latest `λ` of every
/// weighted term, point by point (updated after every step).
///
/// **State** ([`Strategy::state`]): `λ` of every weighted term (concatenated in term order),
/// then the Adam step count `t`, then Adam's `m` and `v` (empty before the first update).
///
/// ```
/// use pinn::rng::Seed;
/// use pinn::strategies::{SelfAdaptive, SelfAdaptiveConfig};
///
/// // Collocation points (and a term named "initial", if any), λ frozen from step 10 000 on,
/// // when the L-BFGS phase starts.
/// let sa = SelfAdaptive::new(SelfAdaptiveConfig {
///     freeze_after: Some(10_000),
///     ..SelfAdaptiveConfig::helmholtz(Seed(0))
/// })?;
/// let log = sa.log();
/// # let _ = log;
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SelfAdaptive {
    config: SelfAdaptiveConfig,
    selectors: Vec<Selector>,
    weighted: Vec<Weighted>,
    adam: Adam<f64>,
    /// Weights to push into the terms at the next evaluation (after `set_state`).
    dirty: bool,
    /// A state set before training started, applied at `init`.
    pending: Option<Vec<f64>>,
    frozen_logged: bool,
    log: WeightLog,
}

impl SelfAdaptive {
    /// Weights on every PDE residual term (`λ ~ U(0, 1)`) and on the term named `"initial"`
    /// if there is one (`λ ~ 100·U(0, 1)`; the problem catalog's name for initial
    /// conditions); other terms unweighted.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field if a setting is out of range.
    pub fn new(config: SelfAdaptiveConfig) -> Result<Self> {
        Self::with_selectors(
            config,
            vec![
                Selector::Pde(1.0),
                Selector::NameIfPresent("initial".into(), 100.0),
            ],
        )
    }

    /// Weights on the given terms only, `λ ~ scale·U(0, 1)` for each `(term, scale)`.
    ///
    /// # Errors
    ///
    /// As [`SelfAdaptive::new`], and if a scale is not finite and `> 0`.
    pub fn with_terms(config: SelfAdaptiveConfig, terms: &[(TermId, f64)]) -> Result<Self> {
        Self::with_selectors(
            config,
            terms.iter().map(|&(t, s)| Selector::Term(t, s)).collect(),
        )
    }

    fn with_selectors(config: SelfAdaptiveConfig, selectors: Vec<Selector>) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if config.log_every == 0 {
            return bad("self_adaptive.log_every", "must be ≥ 1, found 0".into());
        }
        if let Mask::Polynomial { c, q } = config.mask
            && !(c.is_finite() && c > 0.0 && q.is_finite() && q > 0.0)
        {
            return bad(
                "self_adaptive.mask",
                format!("a polynomial mask needs c > 0 and q > 0, found c = {c}, q = {q}"),
            );
        }
        for s in &selectors {
            let (Selector::Pde(scale)
            | Selector::Term(_, scale)
            | Selector::NameIfPresent(_, scale)) = s;
            if !(scale.is_finite() && *scale > 0.0) {
                return bad(
                    "self_adaptive.scale",
                    format!("must be finite and > 0, found {scale}"),
                );
            }
        }
        let adam = Adam::new(AdamConfig {
            lr: config.lr,
            beta1: config.beta1,
            beta2: config.beta2,
            eps: config.eps,
            ..AdamConfig::default()
        })
        .map_err(|e| match e {
            Error::InvalidConfig { reason, .. } => Error::InvalidConfig {
                field: "self_adaptive.adam",
                reason,
            },
            other => other,
        })?;
        Ok(SelfAdaptive {
            config,
            selectors,
            weighted: Vec::new(),
            adam,
            dirty: false,
            pending: None,
            frozen_logged: false,
            log: WeightLog::default(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &SelfAdaptiveConfig {
        &self.config
    }

    /// A handle on the record of the weights (see the [type documentation](Self)); clone it
    /// before adding the strategy to a trainer.
    pub fn log(&self) -> WeightLog {
        self.log.clone()
    }

    /// The current `λ` of each weighted term, with its name (known once training started).
    pub fn weights(&self) -> Vec<(String, Vec<f64>)> {
        self.weighted
            .iter()
            .map(|w| (w.name.clone(), w.lambda.clone()))
            .collect()
    }

    fn frozen(&self, step: usize) -> bool {
        self.config.freeze_after.is_some_and(|f| step >= f)
    }

    fn n_weights(&self) -> usize {
        self.weighted.iter().map(|w| w.lambda.len()).sum()
    }

    /// Writes `μ(λ_p)` into the terms.
    fn apply<T: Real>(&self, terms: &mut dyn Terms<T>) -> Result<()> {
        for w in &self.weighted {
            let mu: Vec<T> = w
                .lambda
                .iter()
                .map(|&l| T::from_f64(self.config.mask.eval(l).0))
                .collect();
            terms.set_point_weights(w.term, &mu)?;
        }
        Ok(())
    }

    fn record(&self, step: usize) {
        let mut row = Vec::with_capacity(3 * self.weighted.len());
        for w in &self.weighted {
            let n = w.lambda.len() as f64;
            row.push(w.lambda.iter().sum::<f64>() / n);
        }
        for w in &self.weighted {
            row.push(w.lambda.iter().fold(f64::INFINITY, |a, &b| a.min(b)));
        }
        for w in &self.weighted {
            row.push(w.lambda.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)));
        }
        self.log.push(step, row);
        self.log
            .set_current(self.weighted.iter().map(|w| w.lambda.clone()).collect());
    }

    fn restore(&mut self, state: &[f64]) -> Result<()> {
        let n = self.n_weights();
        if state.len() < n + 1 || !(state.len() - n - 1).is_multiple_of(2) {
            return Err(Error::DimensionMismatch {
                what: "self_adaptive state (λ, t, m, v)",
                expected: n + 1,
                found: state.len(),
            });
        }
        if let Some(v) = state.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "self_adaptive.state",
                reason: format!("every number must be finite, found {v}"),
            });
        }
        let rest = &state[n + 1..];
        if !rest.is_empty() && rest.len() != 2 * n {
            return Err(Error::DimensionMismatch {
                what: "self_adaptive state (Adam m ++ v)",
                expected: 2 * n,
                found: rest.len(),
            });
        }
        self.adam.set_state(&OptimizerState {
            counters: vec![state[n] as u64],
            values: rest.to_vec(),
        })?;
        let mut k = 0;
        for w in &mut self.weighted {
            let m = w.lambda.len();
            w.lambda.copy_from_slice(&state[k..k + m]);
            k += m;
        }
        Ok(())
    }
}

impl<T: Real> Strategy<T> for SelfAdaptive {
    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        (self.weighted.iter())
            .flat_map(|w| {
                [
                    (w.term, PointRole::PerPointState),
                    (w.term, PointRole::Weights),
                ]
            })
            .collect()
    }

    fn name(&self) -> &'static str {
        "self_adaptive"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        let names = terms.term_names();
        let mut chosen: Vec<(TermId, f64)> = Vec::new();
        for s in &self.selectors {
            match s {
                Selector::Pde(scale) => {
                    for id in terms.term_ids() {
                        if terms.is_pde(id)? {
                            chosen.push((id, *scale));
                        }
                    }
                }
                Selector::NameIfPresent(n, scale) => {
                    if let Some(i) = names.iter().position(|m| m == n) {
                        chosen.push((terms.term_ids()[i], *scale));
                    }
                }
                Selector::Term(id, scale) => {
                    terms.check(*id)?;
                    chosen.push((*id, *scale));
                }
            }
        }
        chosen.sort_by_key(|c| c.0);
        if let Some(w) = chosen.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::InvalidConfig {
                field: "self_adaptive.terms",
                reason: format!("term `{}` is selected twice", names[w[0].0.index()]),
            });
        }
        if chosen.is_empty() {
            return Err(Error::InvalidConfig {
                field: "self_adaptive.terms",
                reason: "no term to weight".into(),
            });
        }
        self.weighted.clear();
        for &(id, scale) in &chosen {
            let n = terms.n_points(id)?;
            let mut rng = self.config.seed.derive(id.index() as u64).rng();
            let lambda = (0..n).map(|_| scale * uniform(&mut rng)).collect();
            self.weighted.push(Weighted {
                term: id,
                name: names[id.index()].clone(),
                lambda,
            });
            terms.record_residuals(id, true)?;
        }
        self.adam = Adam::new(*self.adam.config())?;
        if let Some(state) = self.pending.take() {
            self.restore(&state)?;
        }
        let mut columns = Vec::new();
        for stat in ["mean", "min", "max"] {
            for w in &self.weighted {
                columns.push(format!("{stat} λ[{}]", w.name));
            }
        }
        self.log.set_columns(columns);
        self.log
            .set_current(self.weighted.iter().map(|w| w.lambda.clone()).collect());
        self.dirty = false;
        self.frozen_logged = false;
        self.apply(terms)
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        _ctx: EvalContext,
        _params: &[T],
    ) -> Result<()> {
        if self.dirty {
            // A restored state: its weights, and residuals recorded again (the freeze turns
            // recording off; the restored run may start before it).
            self.apply(terms)?;
            for w in &self.weighted {
                terms.record_residuals(w.term, true)?;
            }
            self.frozen_logged = false;
            self.dirty = false;
        }
        Ok(())
    }

    fn after_step(&mut self, terms: &mut dyn Terms<T>, _params: &[T], step: usize) -> Result<()> {
        if self.frozen(step) {
            if !self.frozen_logged {
                self.record(step);
                self.frozen_logged = true;
                for w in &self.weighted {
                    terms.record_residuals(w.term, false)?;
                }
            }
            return Ok(());
        }
        // ∂L/∂λ_p = 2 w μ(λ_p) μ′(λ_p) r_p² / N, from the step's evaluation.
        let mut grad = Vec::with_capacity(self.n_weights());
        for w in &self.weighted {
            let r2 = terms.residuals(w.term)?;
            if r2.len() != w.lambda.len() {
                return Err(Error::DimensionMismatch {
                    what: "self-adaptive weights vs the term's points (keep the points fixed)",
                    expected: w.lambda.len(),
                    found: r2.len(),
                });
            }
            let c = 2.0 * terms.weight(w.term)? / w.lambda.len() as f64;
            for (&l, r) in w.lambda.iter().zip(r2) {
                let (mu, dmu) = self.config.mask.eval(l);
                grad.push(c * mu * dmu * r.to_f64());
            }
        }
        let mut lambda: Vec<f64> = self
            .weighted
            .iter()
            .flat_map(|w| w.lambda.iter().copied())
            .collect();
        // Ascent: Adam minimises −L, whose gradient is −∂L/∂λ.
        let mut ascent = |_x: &[f64], g: &mut [f64]| -> Result<f64> {
            for (gi, &d) in g.iter_mut().zip(&grad) {
                *gi = -d;
            }
            Ok(0.0)
        };
        self.adam
            .step(&mut lambda, &mut ascent)
            .map_err(|e| match e {
                Error::NonFinite { .. } => Error::NonFinite {
                    step,
                    term: "self-adaptive weights".into(),
                },
                other => other,
            })?;
        let mut k = 0;
        for w in &mut self.weighted {
            let m = w.lambda.len();
            w.lambda.copy_from_slice(&lambda[k..k + m]);
            k += m;
        }
        self.apply(terms)?;
        if step.is_multiple_of(self.config.log_every) {
            self.record(step);
        } else {
            self.log
                .set_current(self.weighted.iter().map(|w| w.lambda.clone()).collect());
        }
        Ok(())
    }

    fn state(&self) -> Vec<f64> {
        let mut s: Vec<f64> = self
            .weighted
            .iter()
            .flat_map(|w| w.lambda.iter().copied())
            .collect();
        let adam = self.adam.state();
        s.push(adam.counters.first().copied().unwrap_or(0) as f64);
        s.extend(adam.values);
        s
    }

    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        if self.weighted.is_empty() {
            // Before training started: keep it for `init`.
            self.pending = Some(state.to_vec());
            return Ok(());
        }
        self.restore(state)?;
        self.dirty = true;
        Ok(())
    }
}
