//! Causal training (Wang, Sankaran & Perdikaris 2024): see [`Causal`].

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::train::TermId;

use super::{EvalContext, PointRole, Strategy, Terms, WeightLog};

/// How a term's points are cut into time slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slices {
    /// One slice per distinct time value (a tensor grid in time, as the authors' code).
    Values,
    /// `n ≥ 1` slices of equal width between the smallest and the largest time (scattered
    /// points); empty slices are skipped.
    Bins(usize),
}

/// Settings of [`Causal`]; the defaults are the paper's method.
#[derive(Clone, Debug, PartialEq)]
pub struct CausalConfig {
    /// The coordinate that is time; `None`: the last one. Default `None`.
    pub time_axis: Option<usize>,
    /// The causality parameters `ε`, tried in order; each gives way to the next once every
    /// weight exceeds `tol`. Default `[0.01, 0.1, 1, 10, 100]` (the paper; the Allen–Cahn
    /// notebook keeps `[100]`).
    pub epsilons: Vec<f64>,
    /// The threshold on `min_i w_i`, in `(0, 1)`. Default 0.99.
    pub tol: f64,
    /// Check the threshold every `check_every` steps (`≥ 1`). Default 1000.
    pub check_every: usize,
    /// How the points are sliced. Default [`Slices::Values`].
    pub slices: Slices,
}

impl Default for CausalConfig {
    fn default() -> Self {
        CausalConfig {
            time_axis: None,
            epsilons: vec![1e-2, 1e-1, 1.0, 10.0, 100.0],
            tol: 0.99,
            check_every: 1000,
            slices: Slices::Values,
        }
    }
}

/// The causal weights of slice losses `L_0 … L_{n−1}`: `w_i = exp(−ε Σ_{k<i} L_k)` (so
/// `w_0 = 1`), the paper's `w = exp(−ε M L)` with `M` the strictly lower-triangular matrix of
/// ones.
///
/// ```
/// use pinn::strategies::causal_weights;
/// let w = causal_weights(&[1.0, 2.0, 3.0], 0.5);
/// assert_eq!(w[0], 1.0);
/// assert!((w[1] - (-0.5f64).exp()).abs() < 1e-15);
/// assert!((w[2] - (-1.5f64).exp()).abs() < 1e-15);
/// ```
pub fn causal_weights(losses: &[f64], eps: f64) -> Vec<f64> {
    let mut before = 0.0;
    losses
        .iter()
        .map(|&l| {
            let w = (-eps * before).exp();
            before += l;
            w
        })
        .collect()
}

/// Causal training (Wang, Sankaran & Perdikaris, "Respecting causality for training
/// physics-informed neural networks", CMAME 2024): the residual loss of an evolution problem
/// is split over time slices `t_1 < … < t_{N_t}`, and slice `i` counts only once the slices
/// before it are resolved:
///
/// ```text
/// L_r = (1/N_t) Σ_i w_i L_i,   L_i = mean_{x} r(t_i, x)²,   w_i = exp(−ε Σ_{k<i} L_k)
/// ```
///
/// with the weights held constant (no gradient flows through them): computed at the first
/// evaluation of every step from the residuals at that step's parameters (one extra pass over
/// the term's points without a gradient, [`Terms::residuals_at`]) and kept for the step's
/// other evaluations. They enter as per-point weights `λ_p² = w_i·N/(N_t n_i)` of the term
/// (`N` points, `n_i` in slice `i`), which gives exactly `L_r` above for any slice sizes.
///
/// **ε schedule.** Training starts with the first `ε`; every `check_every` steps, if
/// `min_i w_i > tol` (every slice resolved), the next `ε` takes over. After the last one is
/// resolved the strategy only records it (column `done` of the log): stop the run with an
/// observer, or let it continue.
///
/// **As coded vs as written.** The paper trains through `ε ∈ {10⁻², 10⁻¹, 1, 10, 100}`; the
/// Allen–Cahn notebook keeps `ε = 100` throughout (`epsilons: vec![100.0]`). Both compute the
/// weights from the same forward pass as the loss (stop-gradient); here that costs one pass
/// without gradient, 15–25% more per step on the Allen–Cahn example (measured beside other
/// jobs). The Kuramoto–Sivashinsky variant, with the initial condition inside the exponent and
/// time-marching windows, is not implemented.
///
/// **Patent and licence notice.** The authors' repository (`PredictiveIntelligenceLab/
/// CausalPINNs`) states that the causal training algorithm "cannot be used for commercial
/// purposes (protected by a patent at the University of Pennsylvania)", and its code is
/// licensed CC BY-NC-SA 4.0. This implementation is written from the paper's equations, not
/// from that code; the crate's licence does not grant rights under the patent. Check its
/// terms before any commercial use.
///
/// **Records** ([`Causal::log`]): at every check, the row of its step holds the `ε` the step
/// trained with, its `min w`, and `done` (1 once the last `ε` is resolved);
/// [`WeightLog::current`] holds the latest `[w_i]` (one list).
///
/// **State** ([`Strategy::state`]): `[k, done]`, the index of the current `ε`.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::pde::problems::AllenCahn;
/// use pinn::strategies::{Causal, CausalConfig};
/// use pinn::train::Trainer;
///
/// let net = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
/// let mut b = Trainer::<_, f64>::builder(net, AllenCahn::default());
/// // A 4 × 3 grid in (x, t): three time slices.
/// let grid: Vec<f64> = (0..4)
///     .flat_map(|i| (0..3).flat_map(move |j| [-0.75 + 0.5 * i as f64, 0.5 * j as f64]))
///     .collect();
/// let pde = b.add_pde_points(grid);
/// let causal = Causal::new(pde, CausalConfig { epsilons: vec![100.0], ..Default::default() })?;
/// let log = causal.log();
/// let b = b.strategy(causal);
/// # let _ = (log, b);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Causal {
    term: TermId,
    config: CausalConfig,
    /// The index of the current `ε`.
    k: usize,
    done: bool,
    /// `min_i w_i` of the last computation.
    min_w: f64,
    /// Per-point weights `λ_p` of the current step.
    lambda: Vec<f64>,
    log: WeightLog,
}

impl Causal {
    /// Causal training of `term` (usually the PDE residual).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"causal.epsilons"`, `"causal.tol"`,
    /// `"causal.check_every"`, `"causal.slices"`) if a setting is out of range.
    pub fn new(term: TermId, config: CausalConfig) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if config.epsilons.is_empty() {
            return bad("causal.epsilons", "needs at least one ε".into());
        }
        if let Some(e) = config
            .epsilons
            .iter()
            .find(|e| !(e.is_finite() && **e >= 0.0))
        {
            return bad(
                "causal.epsilons",
                format!("every ε must be finite and ≥ 0, found {e}"),
            );
        }
        if !(config.tol > 0.0 && config.tol < 1.0) {
            return bad(
                "causal.tol",
                format!("must be in (0, 1), found {}", config.tol),
            );
        }
        if config.check_every == 0 {
            return bad("causal.check_every", "must be ≥ 1, found 0".into());
        }
        if config.slices == Slices::Bins(0) {
            return bad("causal.slices", "Bins(n) needs n ≥ 1, found 0".into());
        }
        Ok(Causal {
            term,
            config,
            k: 0,
            done: false,
            min_w: f64::NAN,
            lambda: Vec::new(),
            log: WeightLog::default(),
        })
    }

    /// A handle on the record of `ε`, `min w` and the weights (see the [type
    /// documentation](Self)); clone it before adding the strategy to a trainer.
    pub fn log(&self) -> WeightLog {
        self.log.clone()
    }

    /// The current `ε`.
    pub fn epsilon(&self) -> f64 {
        self.config.epsilons[self.k]
    }

    /// Each point's slice and the number of slices, from the time coordinates `t`.
    fn slice_of(&self, t: &[f64]) -> (Vec<usize>, usize) {
        match self.config.slices {
            Slices::Values => {
                let mut v = t.to_vec();
                v.sort_by(f64::total_cmp);
                v.dedup();
                let idx = t.iter().map(|x| v.partition_point(|y| y < x)).collect();
                (idx, v.len())
            }
            Slices::Bins(n) => {
                let lo = t.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let width = (hi - lo) / n as f64;
                let idx = t
                    .iter()
                    .map(|&x| {
                        if width > 0.0 {
                            (((x - lo) / width) as usize).min(n - 1)
                        } else {
                            0
                        }
                    })
                    .collect();
                (idx, n)
            }
        }
    }

    /// The weights at `params`: per-slice losses, `w_i`, and the per-point `λ_p`.
    fn update<T: Real>(&mut self, terms: &mut dyn Terms<T>, params: &[T]) -> Result<Vec<f64>> {
        let points = terms.points(self.term)?.to_vec();
        let n = terms.n_points(self.term)?;
        let d = points.len() / n;
        let axis = self.config.time_axis.unwrap_or(d - 1);
        if axis >= d {
            return Err(Error::InvalidConfig {
                field: "causal.time_axis",
                reason: format!("the term's points have {d} coordinates, found axis {axis}"),
            });
        }
        let t: Vec<f64> = points.chunks(d).map(|p| p[axis]).collect();
        let (slice, n_slices) = self.slice_of(&t);
        let r2 = terms.residuals_at(self.term, params, &points)?;
        let (mut sum, mut count) = (vec![0.0; n_slices], vec![0usize; n_slices]);
        for (&s, r) in slice.iter().zip(&r2) {
            sum[s] += r.to_f64();
            count[s] += 1;
        }
        // Empty bins carry no loss and no weight.
        let filled: Vec<usize> = (0..n_slices).filter(|&s| count[s] > 0).collect();
        let losses: Vec<f64> = filled.iter().map(|&s| sum[s] / count[s] as f64).collect();
        let w = causal_weights(&losses, self.epsilon());
        let mut w_of = vec![0.0; n_slices];
        for (&s, &wi) in filled.iter().zip(&w) {
            w_of[s] = wi;
        }
        let nt = filled.len() as f64;
        self.lambda = slice
            .iter()
            .map(|&s| (w_of[s] * n as f64 / (nt * count[s] as f64)).sqrt())
            .collect();
        self.min_w = w.iter().copied().fold(f64::INFINITY, f64::min);
        let lambda: Vec<T> = self.lambda.iter().map(|&l| T::from_f64(l)).collect();
        terms.set_point_weights(self.term, &lambda)?;
        Ok(w)
    }
}

impl<T: Real> Strategy<T> for Causal {
    fn name(&self) -> &'static str {
        "causal"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        terms.check(self.term)?;
        self.log
            .set_columns(vec!["ε".into(), "min w".into(), "done".into()]);
        Ok(())
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        params: &[T],
    ) -> Result<()> {
        if ctx.evaluation > 0 {
            return Ok(()); // held constant within a step
        }
        let w = self.update(terms, params)?;
        if ctx.step.is_multiple_of(self.config.check_every) {
            let (eps, resolved) = (self.epsilon(), self.min_w > self.config.tol);
            if resolved && self.k + 1 < self.config.epsilons.len() {
                self.k += 1;
            } else if resolved {
                self.done = true;
            }
            let done = f64::from(u8::from(self.done));
            self.log.push(ctx.step, vec![eps, self.min_w, done]);
        }
        self.log.set_current(vec![w]);
        Ok(())
    }

    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        // The weights are computed before the step's evaluation: a strategy that moved the
        // points afterwards would leave them on the wrong points.
        vec![
            (self.term, PointRole::Weights),
            (self.term, PointRole::PerPointState),
        ]
    }

    fn state(&self) -> Vec<f64> {
        vec![self.k as f64, f64::from(u8::from(self.done))]
    }

    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        let n = self.config.epsilons.len();
        match state {
            [k, done]
                if k.fract() == 0.0
                    && *k >= 0.0
                    && (*k as usize) < n
                    && (*done == 0.0 || *done == 1.0) =>
            {
                self.k = *k as usize;
                self.done = *done == 1.0;
                Ok(())
            }
            _ => Err(Error::InvalidConfig {
                field: "causal.state",
                reason: format!(
                    "expected [k, done] with k an index below {n} and done 0 or 1, found \
                     {state:?}"
                ),
            }),
        }
    }
}
