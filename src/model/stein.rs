//! The Gaussian-smoothed model of He et al. (AISTATS 2023), whose derivatives come from Stein's
//! identity instead of back-propagation through the input.
//!
//! A network `g_θ` defines the smoothed model
//!
//! ```text
//!   f_θ(x) = E_δ[ g_θ(x + δ) ],   δ ~ N(0, diag(σ₁², …, σ_d²))
//! ```
//!
//! and Stein's lemma writes its derivatives as expectations of `g` alone:
//!
//! ```text
//!   ∂f/∂x_i        = E[ δ_i/σ_i² · g(x + δ) ]
//!   ∂²f/∂x_i∂x_j   = E[ (δ_iδ_j − [i = j] σ_i²) / (σ_i²σ_j²) · g(x + δ) ]
//!   Δf             = Σ_i ∂²f/∂x_i²
//! ```
//!
//! so one forward pass of `g` at `K` perturbed copies of each point gives every derivative the
//! loss reads, and `∂L/∂θ` is one reverse sweep through those `K` passes: no derivative of `g`
//! with respect to its input is ever formed ("without stacked back-propagation"). Each
//! estimator is unbiased for the *smoothed* `f`, not for `g`.
//!
//! Writing `w_c(δ)` for the weight of component `c` above (`1` for the value, `δ_i/σ_i²`,
//! `h_ij(δ)`, `Σ_i h_ii(δ)`), the four [`SteinEstimator`]s are
//!
//! | estimator | samples | `f̂_c` |
//! |---|---|---|
//! | `Vanilla` | `δ_1 … δ_K` | `(1/K) Σ_k w_c(δ_k) g(x + δ_k)` |
//! | `ControlVariate` | `δ_1 … δ_K`, and `x` | `(1/K) Σ_k w_c(δ_k) (g(x + δ_k) − g(x))` |
//! | `Antithetic` | `±δ_1 … ±δ_{K/2}` | `(1/K) Σ_k Σ_± w_c(±δ_k) g(x ± δ_k)` |
//! | `Improved` | `±δ_1 … ±δ_{K/2}`, and `x` | `(1/K) Σ_k Σ_± w_c(±δ_k) (g(x ± δ_k) − g(x))` |
//!
//! The control variate is subtracted from the derivatives only (the value stays the plain
//! mean): `E[w_c(δ)] = 0` for every derivative, so it leaves them unbiased. Because `w` is odd
//! for first derivatives and even for second ones, the antithetic rows are the paper's
//! `δ (g₊ − g₋)/(2σ²)` and `(δδᵀ − σ²)(g₊ + g₋)/(2σ⁴)`, and `Improved` is the
//! `ImprovedSteinsWrapper` the paper's experiments use:
//! `(δ_i² − σ_i²)(g₊ + g₋ − 2g(x)) / (2σ_i⁴)`. `K` counts evaluations at perturbed points,
//! as the paper's `model_sample_cnt` does (`K/2` pairs for the antithetic sets); the control
//! variates add one evaluation at `x`.
//!
//! **Samples.** Every component of a point is estimated from one sample set (the paper's HJB
//! code shares it; its Poisson code draws the value's samples apart). The samples of point `p`
//! of a set come from `batch.stream.derive(first + p)`, so they do not depend on chunking or
//! threads, and the trainer hands each evaluation a fresh stream. `δ_i = σ_i z_i`, `z` from
//! [`standard_normal`].
//!
//! **Memory.** The perturbed copies go through the inner model in chunks of about
//! [`SteinSmoothed::with_chunk`] points (whole sample sets at a time). The reverse sweep
//! regenerates the samples of each chunk and runs its forward pass again, except for the chunk
//! still held from the forward pass; so memory does not grow with `K` and a batch that fits in
//! one chunk is never recomputed. The chunk size does not change the draws or the estimates'
//! bits; the θ-gradient adds chunk by chunk, so its last bits follow the chunk size (a fixed
//! setting, not the thread count).

use super::{Batch, Model};
use crate::ad::Real;
use crate::ad::jet::{Component, Graph};
use crate::error::{Error, Result, check_len};
use crate::rng::{Seed, standard_normal};

/// The Monte-Carlo estimator of a [`SteinSmoothed`] model (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SteinEstimator {
    /// `K` independent samples: `(1/K) Σ w_c(δ_k) g(x + δ_k)`.
    Vanilla,
    /// Independent samples, `g(x)` subtracted from the derivatives' terms.
    ControlVariate,
    /// `K/2` antithetic pairs `±δ_k`.
    Antithetic,
    /// Antithetic pairs with `g(x)` subtracted: He et al.'s `improved-steins`.
    Improved,
}

impl SteinEstimator {
    /// Whether the samples come in pairs `±δ`.
    pub fn antithetic(self) -> bool {
        matches!(self, SteinEstimator::Antithetic | SteinEstimator::Improved)
    }
    /// Whether `g(x)` is evaluated and subtracted from the derivatives' terms.
    pub fn control_variate(self) -> bool {
        matches!(
            self,
            SteinEstimator::ControlVariate | SteinEstimator::Improved
        )
    }
    /// The name used by examples and records: `vanilla`, `control-variate`, `antithetic`,
    /// `improved`.
    pub fn name(self) -> &'static str {
        match self {
            SteinEstimator::Vanilla => "vanilla",
            SteinEstimator::ControlVariate => "control-variate",
            SteinEstimator::Antithetic => "antithetic",
            SteinEstimator::Improved => "improved",
        }
    }
    /// The estimator of that [`name`](SteinEstimator::name).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the accepted names.
    pub fn from_name(name: &str) -> Result<Self> {
        [
            SteinEstimator::Vanilla,
            SteinEstimator::ControlVariate,
            SteinEstimator::Antithetic,
            SteinEstimator::Improved,
        ]
        .into_iter()
        .find(|e| e.name() == name)
        .ok_or_else(|| Error::InvalidConfig {
            field: "stein.estimator",
            reason: format!(
                "unknown estimator `{name}`; expected vanilla, control-variate, antithetic or improved"
            ),
        })
    }
}

/// The Gaussian-smoothed model `f(x) = E[g(x + δ)]` of an inner model `g` (usually a
/// [`Graph`]), with its derivatives estimated by Stein's identity from `K` samples per point.
/// See the [module documentation](self) for the estimators.
///
/// ```
/// use pinn::ad::{jet::{Component, Graph}, Elementary};
/// use pinn::model::{Batch, Model, SteinEstimator, SteinSmoothed};
/// use pinn::rng::Seed;
///
/// let g = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
/// let f = SteinSmoothed::new(g, &[0.1, 0.1], 256, SteinEstimator::Improved)?;
/// let theta: Vec<f64> = f.init_params(Seed(0));
/// let comps = [Component::Value, Component::Laplacian];
/// let mut ws = f.workspace(&comps)?;
/// let mut v = vec![0.0; 2];
/// f.forward(&mut ws, &theta, &Batch::new(&[0.3, 0.4]), &mut v)?; // f̂ and Δ̂f at (0.3, 0.4)
/// let mut grad = vec![0.0; Model::<f64>::n_params(&f)];
/// f.backward(&mut ws, &theta, &[0.0, 1.0], &mut grad)?; // ∂(Δ̂f)/∂θ
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SteinSmoothed<M> {
    inner: M,
    sigma: Vec<f64>,
    samples: usize,
    estimator: SteinEstimator,
    chunk: usize,
}

/// Perturbed points per inner pass unless [`SteinSmoothed::with_chunk`] says otherwise.
const DEFAULT_CHUNK: usize = 4096;

impl<M> SteinSmoothed<M> {
    /// The smoothed model of `inner` with one standard deviation per input (`sigma.len()` is
    /// the input dimension: give time its own `σ_t` there), `samples = K` perturbed
    /// evaluations per point and `estimator`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] if a `σ` is not positive and finite, `K = 0`, or `K` is odd
    /// for an antithetic estimator.
    pub fn new(inner: M, sigma: &[f64], samples: usize, estimator: SteinEstimator) -> Result<Self> {
        if let Some(s) = sigma.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(Error::InvalidConfig {
                field: "stein.sigma",
                reason: format!("every σ must be positive and finite, found {s}"),
            });
        }
        if samples == 0 || (estimator.antithetic() && samples % 2 == 1) {
            return Err(Error::InvalidConfig {
                field: "stein.samples",
                reason: format!(
                    "K = {samples} perturbed evaluations per point; the {} estimator needs {}",
                    estimator.name(),
                    if estimator.antithetic() {
                        "an even K ≥ 2 (K/2 pairs ±δ)"
                    } else {
                        "K ≥ 1"
                    }
                ),
            });
        }
        Ok(SteinSmoothed {
            inner,
            sigma: sigma.to_vec(),
            samples,
            estimator,
            chunk: DEFAULT_CHUNK,
        })
    }

    /// The same model with `K = samples` (for instance a larger `K` to evaluate than to train).
    ///
    /// # Errors
    ///
    /// As [`SteinSmoothed::new`].
    pub fn with_samples(self, samples: usize) -> Result<Self> {
        SteinSmoothed::new(self.inner, &self.sigma, samples, self.estimator).map(|s| {
            SteinSmoothed {
                chunk: self.chunk,
                ..s
            }
        })
    }

    /// At most about `points` perturbed points per pass of the inner model (at least one whole
    /// sample set): a memory bound, not a change of the result.
    pub fn with_chunk(mut self, points: usize) -> Self {
        self.chunk = points.max(1);
        self
    }

    /// The inner model `g`.
    pub fn inner(&self) -> &M {
        &self.inner
    }
    /// The standard deviations `σ_i`.
    pub fn sigma(&self) -> &[f64] {
        &self.sigma
    }
    /// `K`, the perturbed evaluations per point.
    pub fn samples(&self) -> usize {
        self.samples
    }
    /// The estimator.
    pub fn estimator(&self) -> SteinEstimator {
        self.estimator
    }
    /// Evaluations of the inner model per point: `K`, plus one at `x` with a control variate.
    pub fn evaluations_per_point(&self) -> usize {
        self.samples + usize::from(self.estimator.control_variate())
    }
    /// Independent draws `δ` per point: `K`, or `K/2` for antithetic pairs.
    fn draws(&self) -> usize {
        if self.estimator.antithetic() {
            self.samples / 2
        } else {
            self.samples
        }
    }
}

/// The working memory of a [`SteinSmoothed`] model: the inner model's workspace for values,
/// the batch of the last forward pass, and one chunk of perturbed points, samples and values.
#[derive(Debug)]
pub struct SteinWorkspace<T, W> {
    inner: W,
    comps: Vec<Component>,
    /// The last forward pass's points, first index and stream (the reverse sweep redraws).
    points: Vec<T>,
    first: usize,
    stream: Seed,
    /// The chunk's draws `δ` (point-major, `draws × d` per point) and perturbed points.
    deltas: Vec<T>,
    perturbed: Vec<T>,
    /// Inner values, then inner seeds, of the chunk (`evaluations × m` per point).
    g: Vec<T>,
    /// The weights `w_c(δ)` of one evaluation.
    w: Vec<T>,
    /// The control variate's coefficient of `g(x)` per component, for one point.
    center: Vec<T>,
    /// `σ_i²` in `T`.
    var: Vec<T>,
    /// The chunk whose inner forward pass is still live (`[p0, p1)`).
    live: Option<(usize, usize)>,
}

impl<M> SteinSmoothed<M> {
    /// Points per chunk.
    fn points_per_chunk(&self) -> usize {
        (self.chunk / self.evaluations_per_point()).max(1)
    }

    /// `w_c(s·δ)` for every component (see the module docs), written to `w`.
    /// `var` holds `σ_i²`.
    fn weights<T: Real>(comps: &[Component], var: &[T], delta: &[T], sign: T, w: &mut [T]) {
        let var = |i: usize| var[i];
        let h = |i: usize, j: usize| {
            let (a, b) = (sign * delta[i], sign * delta[j]);
            if i == j {
                (a * b - var(i)) / (var(i) * var(i))
            } else {
                a * b / (var(i) * var(j))
            }
        };
        for (wc, &c) in w.iter_mut().zip(comps) {
            *wc = match c {
                Component::Value => T::one(),
                Component::First(i) => sign * delta[i] / var(i),
                Component::Second(i, j) => h(i, j),
                Component::Laplacian => (0..delta.len()).fold(T::zero(), |s, i| s + h(i, i)),
                // Refused when the workspace is made.
                _ => T::zero(),
            };
        }
    }

    /// Draws the samples of points `[p0, p1)` of the workspace's batch and fills the chunk's
    /// perturbed points: per point, `x ± δ_k` in draw order (`+` then `−` for pairs), then `x`
    /// with a control variate.
    fn fill_chunk<T: Real, W>(&self, ws: &mut SteinWorkspace<T, W>, p0: usize, p1: usize) {
        let d = self.sigma.len();
        let (draws, evals) = (self.draws(), self.evaluations_per_point());
        ws.deltas.clear();
        ws.perturbed.clear();
        for p in p0..p1 {
            let x = &ws.points[p * d..(p + 1) * d];
            let mut rng = ws.stream.derive((ws.first + p) as u64).rng();
            let start = ws.deltas.len();
            for _ in 0..draws {
                for &s in &self.sigma {
                    ws.deltas.push(T::from_f64(s * standard_normal(&mut rng)));
                }
            }
            let deltas = &ws.deltas[start..];
            for delta in deltas.chunks_exact(d) {
                ws.perturbed
                    .extend(x.iter().zip(delta).map(|(&a, &b)| a + b));
                if self.estimator.antithetic() {
                    ws.perturbed
                        .extend(x.iter().zip(delta).map(|(&a, &b)| a - b));
                }
            }
            if self.estimator.control_variate() {
                ws.perturbed.extend_from_slice(x);
            }
            debug_assert_eq!(ws.perturbed.len(), (p + 1 - p0) * evals * d);
        }
    }

    /// For each point of the chunk `[p0, p1)` and each of its evaluations `e`, calls
    /// `f(p, e, c, coef)` with the coefficient of `g_e` in component `c`'s estimate.
    fn for_each_coefficient<T: Real, W>(
        &self,
        ws: &mut SteinWorkspace<T, W>,
        p0: usize,
        p1: usize,
        mut f: impl FnMut(usize, usize, usize, T),
    ) {
        let d = self.sigma.len();
        let (draws, evals) = (self.draws(), self.evaluations_per_point());
        let inv_k = T::one() / T::from_f64(self.samples as f64);
        let signs: &[f64] = if self.estimator.antithetic() {
            &[1.0, -1.0]
        } else {
            &[1.0]
        };
        let SteinWorkspace {
            comps,
            deltas,
            w,
            center,
            var,
            ..
        } = ws;
        for p in p0..p1 {
            center.fill(T::zero());
            let deltas = &deltas[(p - p0) * draws * d..(p - p0 + 1) * draws * d];
            for (k, delta) in deltas.chunks_exact(d).enumerate() {
                for (si, &s) in signs.iter().enumerate() {
                    Self::weights(comps, var, delta, T::from_f64(s), w);
                    let e = k * signs.len() + si;
                    for (c, &wc) in w.iter().enumerate() {
                        f(p, e, c, wc * inv_k);
                        if comps[c] != Component::Value {
                            center[c] -= wc * inv_k;
                        }
                    }
                }
            }
            if self.estimator.control_variate() {
                for (c, &cc) in center.iter().enumerate() {
                    f(p, evals - 1, c, cc);
                }
            }
        }
    }
}

impl<M> SteinSmoothed<M> {
    /// Draws the samples of points `[p0, p1)` and runs the inner model on them: `ws.g` holds
    /// `g` at every perturbed copy afterwards.
    fn inner_pass<T: Real>(
        &self,
        ws: &mut SteinWorkspace<T, M::Workspace>,
        theta: &[T],
        p0: usize,
        p1: usize,
    ) -> Result<()>
    where
        M: Model<T>,
    {
        self.fill_chunk(ws, p0, p1);
        let m = self.inner.output_dim();
        ws.g.resize((p1 - p0) * self.evaluations_per_point() * m, T::zero());
        let SteinWorkspace {
            inner,
            perturbed,
            g,
            ..
        } = ws;
        self.inner.forward(inner, theta, &Batch::new(perturbed), g)
    }
}

impl<T: Real, M: Model<T>> Model<T> for SteinSmoothed<M> {
    type Workspace = SteinWorkspace<T, M::Workspace>;

    fn input_dim(&self) -> usize {
        self.sigma.len()
    }
    fn output_dim(&self) -> usize {
        self.inner.output_dim()
    }
    fn n_params(&self) -> usize {
        self.inner.n_params()
    }
    fn init_params(&self, seed: Seed) -> Vec<T> {
        self.inner.init_params(seed)
    }

    fn workspace(&self, components: &[Component]) -> Result<Self::Workspace> {
        let d = self.sigma.len();
        if self.inner.input_dim() != d {
            return Err(Error::DimensionMismatch {
                what: "Stein σ (one per input of the inner model)",
                expected: self.inner.input_dim(),
                found: d,
            });
        }
        for &c in components {
            let ok = match c {
                Component::Value | Component::Laplacian => true,
                Component::First(i) => i < d,
                Component::Second(i, j) => i < d && j < d,
                _ => false,
            };
            if !ok {
                return Err(Error::InvalidConfig {
                    field: "stein.components",
                    reason: format!(
                        "{c:?}: a Stein-smoothed model estimates the value, first and second \
                         derivatives and the Laplacian, in directions below the input dimension {d}"
                    ),
                });
            }
        }
        Ok(SteinWorkspace {
            inner: self.inner.workspace(&[Component::Value])?,
            comps: components.to_vec(),
            points: Vec::new(),
            first: 0,
            stream: Seed(0),
            deltas: Vec::new(),
            perturbed: Vec::new(),
            g: Vec::new(),
            w: vec![T::zero(); components.len()],
            center: vec![T::zero(); components.len()],
            var: self.sigma.iter().map(|s| T::from_f64(s * s)).collect(),
            live: None,
        })
    }

    fn forward(
        &self,
        ws: &mut Self::Workspace,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()> {
        let (d, m, nc) = (self.sigma.len(), self.output_dim(), ws.comps.len());
        if !batch.points.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "points (a multiple of the input dimension)",
                expected: batch.points.len().div_ceil(d) * d,
                found: batch.points.len(),
            });
        }
        let n = batch.points.len() / d;
        check_len(
            "model values (points × components × outputs)",
            n * nc * m,
            values.len(),
        )?;
        ws.points.clear();
        ws.points.extend_from_slice(batch.points);
        ws.first = batch.first;
        ws.stream = batch.stream;
        ws.live = None;
        values.fill(T::zero());
        let evals = self.evaluations_per_point();
        let per = self.points_per_chunk();
        for p0 in (0..n).step_by(per) {
            let p1 = (p0 + per).min(n);
            self.inner_pass(ws, theta, p0, p1)?;
            ws.live = Some((p0, p1));
            let g = std::mem::take(&mut ws.g);
            self.for_each_coefficient(ws, p0, p1, |p, e, c, coef| {
                let gv = &g[((p - p0) * evals + e) * m..][..m];
                let out = &mut values[(p * nc + c) * m..][..m];
                for (o, &v) in out.iter_mut().zip(gv) {
                    *o += coef * v;
                }
            });
            ws.g = g;
        }
        Ok(())
    }

    fn backward(
        &self,
        ws: &mut Self::Workspace,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()> {
        let (d, m, nc) = (self.sigma.len(), self.output_dim(), ws.comps.len());
        let n = ws.points.len() / d;
        check_len(
            "model seeds (points × components × outputs)",
            n * nc * m,
            seeds.len(),
        )?;
        let evals = self.evaluations_per_point();
        let per = self.points_per_chunk();
        // The live chunk first (no recomputation), then the others.
        let live = ws.live.take();
        let chunks = live.into_iter().chain(
            (0..n)
                .step_by(per)
                .map(|p0| (p0, (p0 + per).min(n)))
                .filter(|c| Some(*c) != live),
        );
        for (p0, p1) in chunks {
            // The live chunk's samples and inner pass are still in the workspace.
            if Some((p0, p1)) != live {
                self.inner_pass(ws, theta, p0, p1)?;
            }
            let mut gs = std::mem::take(&mut ws.g);
            gs.fill(T::zero());
            self.for_each_coefficient(ws, p0, p1, |p, e, c, coef| {
                let s = &seeds[(p * nc + c) * m..][..m];
                let out = &mut gs[((p - p0) * evals + e) * m..][..m];
                for (o, &v) in out.iter_mut().zip(s) {
                    *o += coef * v;
                }
            });
            self.inner.backward(&mut ws.inner, theta, &gs, grad)?;
            ws.g = gs;
        }
        Ok(())
    }

    fn graph(&self) -> Option<&Graph> {
        self.inner.graph()
    }
}
