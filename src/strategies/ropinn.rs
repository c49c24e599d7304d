//! RoPINN region optimization with trust-region calibration ([`RoPinn`]).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::rng::{Seed, uniform};
use crate::train::LossReport;
use crate::train::TermId;

use super::{EvalContext, Strategy, Terms};

/// How the trust region's `σ` is computed from the FIFO of per-step mean gradients `ḡ_k`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Calibration {
    /// As coded by the authors: the mean coefficient of variation,
    /// `σ = (1/P) Σ_j std_k(ḡ_{k,j}) / (mean_k |ḡ_{k,j}| + ε)`, population std, `ε = 1e-6`.
    #[default]
    CoefficientOfVariation,
    /// The paper's Algorithm 1 as written (not what the authors ran): the Euclidean norm of the
    /// per-parameter population standard deviations, `σ = ‖std_k(ḡ_k)‖₂`.
    StdNorm,
    /// No calibration, `σ ≡ σ₀`: the paper's "fixed region" ablation (radius `r/σ₀` for the
    /// whole run).
    Fixed,
}

/// The knobs of [`RoPinn`], with the paper's symbols; the defaults are the paper's and the
/// code's (1D-Reaction and 1D-Wave; use `past_iterations: 5` for Convection).
#[derive(Clone, Debug, PartialEq)]
pub struct RoPinnConfig {
    /// The initial region size `r` (`initial_region` in the code), finite and `> 0`.
    /// Default `1e-4`.
    pub radius: f64,
    /// The cap of the calibrated radius: `r_t = clip(r/σ_t, 0, max_radius)`, finite and
    /// `> 0`. Default `0.01` (hard-coded in the authors' scripts).
    pub max_radius: f64,
    /// Perturbed copies of every residual point (`sample_num`), `≥ 1`; the residual's mean is
    /// over all copies. Default `1`.
    pub samples: usize,
    /// The length `T₀` of the gradient FIFO (`past_iterations`), `≥ 1`. Default `10`.
    pub past_iterations: usize,
    /// The initial `σ₀`, also the value `σ` is reset to when the calibration gives 0; finite
    /// and `> 0`. Default `1`.
    pub sigma0: f64,
    /// The `ε` added to `mean_k |ḡ_{k,j}|` in the coefficient of variation, finite and
    /// `≥ 0`. Default `1e-6`.
    pub epsilon: f64,
    /// How `σ` is calibrated. Default [`Calibration::CoefficientOfVariation`] (the code).
    pub calibration: Calibration,
    /// The term whose points are perturbed; `None` (default) perturbs every PDE term.
    pub term: Option<TermId>,
}

impl Default for RoPinnConfig {
    fn default() -> Self {
        RoPinnConfig {
            radius: 1e-4,
            max_radius: 0.01,
            samples: 1,
            past_iterations: 10,
            sigma0: 1.0,
            epsilon: 1e-6,
            calibration: Calibration::CoefficientOfVariation,
            term: None,
        }
    }
}

/// One perturbed term: its index, its original points and the points last installed.
#[derive(Clone, Debug)]
struct Target {
    index: TermId,
    base: Vec<f64>,
    installed: Option<Vec<f64>>,
}

/// A read-only handle on a [`RoPinn`]'s current `σ`, usable after the strategy has been
/// moved into a trainer (progress reports).
#[derive(Clone, Debug)]
pub struct RoPinnMonitor {
    sigma: Arc<AtomicU64>,
    radius: f64,
    max_radius: f64,
}

impl RoPinnMonitor {
    /// The current `σ_t`.
    pub fn sigma(&self) -> f64 {
        f64::from_bits(self.sigma.load(Ordering::Relaxed))
    }
    /// The current radius `clip(r/σ_t, 0, max_radius)`.
    pub fn radius(&self) -> f64 {
        region_radius(self.radius, self.sigma(), self.max_radius)
    }
}

/// RoPINN: region optimization with trust-region calibration (Wu, Luo, Ma, Wang & Long,
/// *RoPINN: Region optimized physics-informed neural networks*, NeurIPS 2024), as the authors
/// coded it in `thuml/RoPINN` (`*_region_optimization.py`, commit `cc4d708`).
///
/// Instead of the residual at each collocation point `x_i`, RoPINN minimises a Monte Carlo
/// estimate of its average over a small region `x_i + Ω_r`, `Ω_r = [0, r_t]^{d}`
/// (one-sided), with a radius `r_t` that shrinks when recent gradients disagree:
///
/// 1. **Sampling**, before *every* loss evaluation (so inside L-BFGS line searches too): each
///    residual point becomes `sample_num` copies `x_i + ξ`, `ξ_j = U_j·r_t`, `U_j ~ U[0, 1)`
///    independent per coordinate `j`, always from the **original** points, never clipped to
///    the domain (a point of the grid's last row reaches `t = 1 + r_t`). The PDE term's
///    mean square is over all `N·sample_num` copies. Boundary, initial and data terms keep
///    their points.
/// 2. **Gradient statistics.** Every evaluation `e` of step `t` adds its parameter gradient
///    `g^(e)` (network parameters `θ` only); after the step, `ḡ_t = mean_e g^(e)` — over the
///    step's initial evaluation and all its line-search trials — enters a FIFO of the last
///    `T₀` steps.
/// 3. **Calibration** ([`Calibration::CoefficientOfVariation`], as coded):
///
///    `σ_{t+1} = (1/P) Σ_{j=1}^{P} std_k(ḡ_{k,j}) / (mean_k |ḡ_{k,j}| + 1e-6)`,
///
///    population standard deviation over the `k ≤ T₀` entries of the FIFO, averaged over
///    the `P` parameters; `σ_{t+1} = 0` (always the case after the first step, with one
///    entry) is reset to `σ₀` (1, as in the code). The next radius is
///    `r_{t+1} = clip(r/σ_{t+1}, 0, 0.01)` ([`RoPinnConfig::max_radius`]).
///
/// Differences between the code and the paper's text, and which one is implemented:
///
/// | | code (default here) | paper text | option |
/// |---|---|---|---|
/// | σ | mean coefficient of variation | `‖σ(g)‖` (Algorithm 1) | [`Calibration::StdNorm`] |
/// | calibration | on | the "fixed region" ablation has none | [`Calibration::Fixed`] |
/// | perturbed terms | the PDE residual only | every term (IC and BC too) | — (see below) |
/// | `T₀` | 10 (reaction, wave), 5 (convection) | `T₀ ∈ {5, 10}` | [`RoPinnConfig::past_iterations`] (default 10) |
///
/// The paper's "all terms" variant is not offered: [`Terms`] does not expose a condition's
/// normals or periodic partners, which moving a condition's points would have to carry along.
///
/// **Determinism.** All draws of an evaluation come from its [`EvalContext::seed`], in the
/// order copy, point, coordinate; the statistics are summed in a fixed order in `f64`. A run
/// is bitwise reproducible on any number of threads.
///
/// **Numerics.** Offsets are added to the `f64` points and the sum is rounded once to the
/// training type (PyTorch adds an `f32` offset to `f32` points: a difference of at most one
/// rounding). The gradient statistics are kept in `f64` whatever the training type. After a
/// run the PDE term holds the last evaluation's perturbed points, as in the authors' scripts;
/// the metrics are computed on the trainer's metric points, not on the term.
///
/// **Checkpoints.** [`Strategy::state`] holds `σ`, the FIFO, the current step's gradient sum
/// and the original and installed points, so a run resumed from a trainer checkpoint is bit
/// for bit the uninterrupted one (the FIFO of the paper network with `T₀ = 10` is 10 × 527 361
/// numbers).
///
/// **Composition.** RoPINN only moves the points of the PDE term(s) and reads gradients, so it
/// works with any network, any optimizer (Adam: one evaluation per step; L-BFGS: every
/// line-search trial redraws, as in the authors' closure) and other strategies. If something
/// else replaces the PDE points (a resampler, RAR), the new points become the originals.
///
/// ```
/// use pinn::strategies::{Calibration, RoPinn, RoPinnConfig};
///
/// // The authors' convection setting: T₀ = 5, everything else at the paper's defaults.
/// let ropinn = RoPinn::new(RoPinnConfig { past_iterations: 5, ..RoPinnConfig::default() })?;
/// assert_eq!(ropinn.sigma(), 1.0);
/// assert_eq!(ropinn.radius(), 1e-4); // clip(r/σ₀, 0, 0.01)
/// assert_eq!(RoPinnConfig::default().calibration, Calibration::CoefficientOfVariation);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Debug)]
pub struct RoPinn {
    config: RoPinnConfig,
    targets: Vec<Target>,
    sigma: f64,
    n_theta: usize,
    /// `Σ_e g^(e)` over the current step's evaluations.
    grad_sum: Vec<f64>,
    /// The number of evaluations in `grad_sum`.
    grad_count: usize,
    /// The FIFO of per-step mean gradients `ḡ_k`, oldest first.
    history: VecDeque<Vec<f64>>,
    shared_sigma: Arc<AtomicU64>,
}

/// `clip(r/σ, 0, max)`.
fn region_radius(r: f64, sigma: f64, max: f64) -> f64 {
    (r / sigma).clamp(0.0, max)
}

impl RoPinn {
    /// A RoPINN strategy.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"ropinn.radius"`, `"ropinn.max_radius"`,
    /// `"ropinn.samples"`, `"ropinn.past_iterations"`, `"ropinn.sigma0"`,
    /// `"ropinn.epsilon"`) if a knob is out of range.
    pub fn new(config: RoPinnConfig) -> Result<Self> {
        let c = &config;
        let positive = |field: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::InvalidConfig {
                    field,
                    reason: format!("must be finite and > 0, found {v}"),
                })
            }
        };
        positive("ropinn.radius", c.radius)?;
        positive("ropinn.max_radius", c.max_radius)?;
        positive("ropinn.sigma0", c.sigma0)?;
        if !(c.epsilon.is_finite() && c.epsilon >= 0.0) {
            return Err(Error::InvalidConfig {
                field: "ropinn.epsilon",
                reason: format!("must be finite and ≥ 0, found {}", c.epsilon),
            });
        }
        for (field, v) in [
            ("ropinn.samples", c.samples),
            ("ropinn.past_iterations", c.past_iterations),
        ] {
            if v == 0 {
                return Err(Error::InvalidConfig {
                    field,
                    reason: "must be ≥ 1, found 0".into(),
                });
            }
        }
        let sigma = c.sigma0;
        Ok(RoPinn {
            config,
            targets: Vec::new(),
            sigma,
            n_theta: 0,
            grad_sum: Vec::new(),
            grad_count: 0,
            history: VecDeque::new(),
            shared_sigma: Arc::new(AtomicU64::new(sigma.to_bits())),
        })
    }

    /// The knobs.
    pub fn config(&self) -> &RoPinnConfig {
        &self.config
    }

    /// The current `σ_t` (`σ₀` before the first step).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The current region size `r_t = clip(r/σ_t, 0, max_radius)`.
    pub fn radius(&self) -> f64 {
        region_radius(self.config.radius, self.sigma, self.config.max_radius)
    }

    /// The number of per-step mean gradients in the FIFO (at most `T₀`).
    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    /// A handle that reads `σ_t` while the strategy is inside a trainer.
    pub fn monitor(&self) -> RoPinnMonitor {
        RoPinnMonitor {
            sigma: self.shared_sigma.clone(),
            radius: self.config.radius,
            max_radius: self.config.max_radius,
        }
    }

    fn set_sigma(&mut self, sigma: f64) {
        self.sigma = sigma;
        self.shared_sigma.store(sigma.to_bits(), Ordering::Relaxed);
    }

    /// Ends a step: `ḡ_t` into the FIFO, then `σ_{t+1}` from it. Does nothing if the step
    /// made no evaluation.
    fn end_step(&mut self) {
        if self.grad_count == 0 {
            return;
        }
        let inv = 1.0 / self.grad_count as f64;
        let mean: Vec<f64> = self.grad_sum.iter().map(|g| g * inv).collect();
        self.grad_sum.fill(0.0);
        self.grad_count = 0;
        if self.history.len() == self.config.past_iterations {
            self.history.pop_front();
        }
        self.history.push_back(mean);
        let c = &self.config;
        let sigma = match c.calibration {
            Calibration::Fixed => c.sigma0,
            calibration => {
                let s = calibrate(
                    self.history.iter().map(Vec::as_slice),
                    calibration,
                    c.epsilon,
                );
                if s == 0.0 { c.sigma0 } else { s }
            }
        };
        self.set_sigma(sigma);
    }
}

/// `σ` of a gradient history `ḡ_1 … ḡ_k` (each of `P` numbers), before the reset rule:
///
/// - [`Calibration::CoefficientOfVariation`]:
///   `(1/P) Σ_j std_k(ḡ_{k,j}) / (mean_k |ḡ_{k,j}| + ε)`;
/// - [`Calibration::StdNorm`]: `sqrt(Σ_j std_k(ḡ_{k,j})²)`;
/// - [`Calibration::Fixed`]: `0` (no statistic; the strategy keeps `σ₀`).
///
/// `std` is the population standard deviation `sqrt((1/k) Σ_k (ḡ_{k,j} − mean_k ḡ_{k,j})²)`.
/// Sums run in `f64`, in index order. An empty history, or one with no parameters, gives 0.
///
/// ```
/// use pinn::strategies::{Calibration, calibrate};
/// // One parameter, gradients 1 and 3: std 1, mean |g| 2, CV = 1/2 (ε = 0).
/// let h = [vec![1.0], vec![3.0]];
/// let s = calibrate(h.iter().map(|g| g.as_slice()), Calibration::CoefficientOfVariation, 0.0);
/// assert_eq!(s, 0.5);
/// ```
pub fn calibrate<'a>(
    history: impl Iterator<Item = &'a [f64]> + Clone,
    calibration: Calibration,
    epsilon: f64,
) -> f64 {
    let k = history.clone().count();
    let p = history.clone().next().map_or(0, <[f64]>::len);
    if k == 0 || p == 0 || calibration == Calibration::Fixed {
        return 0.0;
    }
    let inv_k = 1.0 / k as f64;
    let mut mean = vec![0.0; p];
    let mut mean_abs = vec![0.0; p];
    for g in history.clone() {
        for ((m, a), &v) in mean.iter_mut().zip(&mut mean_abs).zip(g) {
            *m += v;
            *a += v.abs();
        }
    }
    mean.iter_mut().for_each(|m| *m *= inv_k);
    mean_abs.iter_mut().for_each(|a| *a *= inv_k);
    let mut var = vec![0.0; p];
    for g in history {
        for ((s, m), &v) in var.iter_mut().zip(&mean).zip(g) {
            let d = v - m;
            *s += d * d;
        }
    }
    match calibration {
        Calibration::CoefficientOfVariation => {
            let total: f64 = var
                .iter()
                .zip(&mean_abs)
                .map(|(s, a)| (s * inv_k).sqrt() / (a + epsilon))
                .sum();
            total / p as f64
        }
        Calibration::StdNorm => var.iter().map(|s| s * inv_k).sum::<f64>().sqrt(),
        Calibration::Fixed => 0.0,
    }
}

/// RoPINN's Monte Carlo region sample: `samples` copies of the points `base` (point-major),
/// copy `c` of point `i` at `base_i + radius·(U_{c,i,0}, …, U_{c,i,d−1})` with `U ~ U[0, 1)`
/// drawn from `seed` in the order copy, point, coordinate (that is, in the order of the
/// output). One-sided and not clipped to any domain, as in the authors' code.
///
/// ```
/// use pinn::rng::Seed;
/// use pinn::strategies::region_sample;
/// let base = [0.0, 0.0, 1.0, 1.0];
/// let pts = region_sample(&base, 1e-2, 3, Seed(7));
/// assert_eq!(pts.len(), 3 * base.len());
/// for (p, b) in pts.iter().zip(base.iter().cycle()) {
///     assert!(*p >= *b && *p < *b + 1e-2);
/// }
/// ```
pub fn region_sample(base: &[f64], radius: f64, samples: usize, seed: Seed) -> Vec<f64> {
    let mut rng = seed.rng();
    let mut out = Vec::with_capacity(base.len() * samples);
    for _ in 0..samples {
        out.extend(base.iter().map(|&x| x + uniform(&mut rng) * radius));
    }
    out
}

impl<T: Real> Strategy<T> for RoPinn {
    fn name(&self) -> &'static str {
        "ropinn"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        let indices: Vec<TermId> = match self.config.term {
            Some(id) => {
                terms.check(id)?;
                vec![id]
            }
            None => {
                let mut v = Vec::new();
                for id in terms.term_ids() {
                    if terms.is_pde(id)? {
                        v.push(id);
                    }
                }
                v
            }
        };
        if indices.is_empty() {
            return Err(Error::InvalidConfig {
                field: "ropinn.term",
                reason: "the loss has no PDE term to perturb".into(),
            });
        }
        self.targets = indices
            .into_iter()
            .map(|index| {
                Ok(Target {
                    index,
                    base: terms.points(index)?.to_vec(),
                    installed: None,
                })
            })
            .collect::<Result<_>>()?;
        self.n_theta = terms.n_theta();
        self.grad_sum = vec![0.0; self.n_theta];
        self.grad_count = 0;
        Ok(())
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        _params: &[T],
    ) -> Result<()> {
        let radius = self.radius();
        for (k, t) in self.targets.iter_mut().enumerate() {
            let current = terms.points(t.index)?;
            if t.installed.as_deref() != Some(current) {
                // Someone else (a resampler) replaced the points: they are the new originals.
                t.base = current.to_vec();
            }
            let seed = if k == 0 {
                ctx.seed
            } else {
                ctx.seed.derive(k as u64)
            };
            let pts = region_sample(&t.base, radius, self.config.samples, seed);
            terms.set_points(t.index, pts.clone(), Vec::new(), Vec::new())?;
            t.installed = Some(pts);
        }
        Ok(())
    }

    fn after_eval(
        &mut self,
        _terms: &mut dyn Terms<T>,
        grad: &[T],
        _loss: &LossReport<T>,
    ) -> Result<()> {
        if self.config.calibration == Calibration::Fixed {
            return Ok(());
        }
        if grad.len() < self.n_theta {
            return Err(Error::DimensionMismatch {
                what: "ropinn gradient (network parameters)",
                expected: self.n_theta,
                found: grad.len(),
            });
        }
        for (s, g) in self.grad_sum.iter_mut().zip(&grad[..self.n_theta]) {
            *s += g.to_f64();
        }
        self.grad_count += 1;
        Ok(())
    }

    fn after_step(&mut self, _terms: &mut dyn Terms<T>, _params: &[T], _step: usize) -> Result<()> {
        self.end_step();
        Ok(())
    }

    /// `[σ, P, k, c, m, Σ_e g^(e) (P numbers), ḡ_1 … ḡ_k (k·P numbers, oldest first)]`, then
    /// for each of the `m` perturbed terms `[n_o, original points (n_o numbers), n_i, points
    /// installed at the last evaluation (n_i numbers; n_i = 0 before the first)]`; `c` counts
    /// the evaluations in the sum. With the installed points the strategy recognises the
    /// points a checkpoint puts back as its own, so a resumed run redraws from the same
    /// originals (bit for bit the uninterrupted run).
    fn state(&self) -> Vec<f64> {
        let p = self.n_theta;
        let mut s = Vec::with_capacity(5 + p * (1 + self.history.len()));
        s.extend([
            self.sigma,
            p as f64,
            self.history.len() as f64,
            self.grad_count as f64,
            self.targets.len() as f64,
        ]);
        s.extend_from_slice(&self.grad_sum);
        for g in &self.history {
            s.extend_from_slice(g);
        }
        for t in &self.targets {
            s.push(t.base.len() as f64);
            s.extend_from_slice(&t.base);
            let installed = t.installed.as_deref().unwrap_or(&[]);
            s.push(installed.len() as f64);
            s.extend_from_slice(installed);
        }
        s
    }

    /// Restores [`Strategy::state`] on a strategy initialised for the same terms and network.
    /// On an error nothing changes.
    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        let bad = |reason: String| Error::InvalidConfig {
            field: "ropinn.state",
            reason,
        };
        let mut r = StateReader { s: state, at: 0 };
        let sigma = r.take(1, "σ")?[0];
        let p = r.count("P")?;
        let k = r.count("k")?;
        let n = r.count("the evaluation count")?;
        let m = r.count("the number of terms")?;
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(bad(format!("σ must be finite and > 0, found {sigma}")));
        }
        if p != self.n_theta {
            return Err(Error::DimensionMismatch {
                what: "ropinn state parameters",
                expected: self.n_theta,
                found: p,
            });
        }
        if k > self.config.past_iterations {
            return Err(bad(format!(
                "{k} gradients in the history, more than T₀ = {}",
                self.config.past_iterations
            )));
        }
        if m != self.targets.len() {
            return Err(Error::DimensionMismatch {
                what: "ropinn state terms",
                expected: self.targets.len(),
                found: m,
            });
        }
        let grad_sum = r.take(p, "the gradient sum")?.to_vec();
        let history: VecDeque<Vec<f64>> = (0..k)
            .map(|_| r.take(p, "the gradient history").map(<[f64]>::to_vec))
            .collect::<Result<_>>()?;
        let mut points = Vec::with_capacity(m);
        for _ in 0..m {
            let nb = r.count("the original points' length")?;
            let base = r.take(nb, "the original points")?.to_vec();
            let ni = r.count("the installed points' length")?;
            let installed = r.take(ni, "the installed points")?.to_vec();
            if base.is_empty() || base.iter().chain(&installed).any(|v| !v.is_finite()) {
                return Err(bad("points must be finite and not empty".into()));
            }
            points.push((base, (ni > 0).then_some(installed)));
        }
        if r.at != state.len() {
            return Err(Error::DimensionMismatch {
                what: "ropinn state",
                expected: r.at,
                found: state.len(),
            });
        }
        if grad_sum
            .iter()
            .chain(history.iter().flatten())
            .any(|v| !v.is_finite())
        {
            return Err(bad("gradients must be finite".into()));
        }
        for (t, (base, installed)) in self.targets.iter_mut().zip(points) {
            t.base = base;
            t.installed = installed;
        }
        self.grad_sum = grad_sum;
        self.grad_count = n;
        self.history = history;
        self.set_sigma(sigma);
        Ok(())
    }
}

/// Reads a flat state vector front to back.
struct StateReader<'a> {
    s: &'a [f64],
    at: usize,
}

impl<'a> StateReader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [f64]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.s.len());
        let Some(end) = end else {
            return Err(Error::InvalidConfig {
                field: "ropinn.state",
                reason: format!(
                    "too short: {what} needs {n} numbers at {}, the state has {}",
                    self.at,
                    self.s.len()
                ),
            });
        };
        let out = &self.s[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn count(&mut self, what: &'static str) -> Result<usize> {
        let v = self.take(1, what)?[0];
        if v >= 0.0 && v.fract() == 0.0 && v <= self.s.len() as f64 {
            Ok(v as usize)
        } else {
            Err(Error::InvalidConfig {
                field: "ropinn.state",
                reason: format!("{what} must be a whole number ≤ the state's length, found {v}"),
            })
        }
    }
}
