//! The seam between the loss and a network: a [`Model`].
//!
//! The loss assembly ([`Assembly`](crate::train::Assembly)) never looks inside a network. Per
//! chunk of points it asks a model for the derivative values a loss term declared — `u`,
//! `∂u/∂x_k`, `∂²u/∂x_k∂x_l`, `Δu`, … for every output — evaluates the residuals point by
//! point, and hands the model back one seed `∂L/∂v` per value, from which the model adds
//! `∂L/∂θ = Σ_v (∂L/∂v)(∂v/∂θ)` to a gradient:
//!
//! ```text
//!   assembly                         model
//!   ────────                         ─────
//!   workspace(components)      →     per-thread buffers (jets, device memory, samples …)
//!   forward(θ, batch)          →     values  v[p][c][o]       (host, point-major)
//!   residuals r(x, v), seeds   ←
//!   backward(θ, seeds)         →     grad += (∂v/∂θ)ᵀ seeds
//! ```
//!
//! Only the values and the seeds cross the seam, both as host slices in one fixed layout:
//! point `p`, then component `c` (in the order requested), then output `o`, so that
//! `values[(p·C + c)·m + o]` is component `c` of output `o` at point `p` and each point's
//! numbers are contiguous. Everything the model keeps between `forward` and `backward` lives in
//! its own [`Model::Workspace`]: host jets for a [`Graph`], device buffers for a GPU backend,
//! the perturbed copies of each point for a Monte-Carlo model.
//!
//! What the seam is built to carry (one implementation each, without touching the assembly):
//!
//! - [`Graph`] (here): Taylor jets through one network, one GEMM per dense layer, then one
//!   reverse sweep.
//! - A *sum of sub-models* whose supports cover parts of the domain (FBPINN: windowed
//!   subdomain networks on several levels): `forward` gathers the points of the batch each
//!   sub-model covers, runs it on those only, and scatters the windowed values back;
//!   `backward` gathers the seeds the same way. The test `tests/model.rs` builds one.
//! - A *Monte-Carlo* model (Stein-smoothed `f(x) = E[g(x + δ)]`): `forward` draws the
//!   perturbations of point `first + p` from `batch.stream.derive(first + p)`, so the values do
//!   not depend on how points are chunked or on the thread, and forms the estimators as
//!   linear combinations of `g` at the perturbed copies; `backward` pushes the seeds through
//!   the same combinations.
//! - A device backend: its workspace owns device buffers; `forward` downloads only the values
//!   and `backward` uploads only the seeds, so nothing on the host is assumed in between.
//! - Read-only scoring: `forward` alone (no `backward`) evaluates residuals at arbitrary
//!   points without a gradient ([`Assembly::residuals_at`](crate::train::Assembly::residuals_at)).
//!
//! A model must be deterministic: the same `θ`, points, `first` and `stream` give the same
//! bits, whatever thread calls it.

mod graph;
pub mod probed;
pub mod stein;

pub use graph::GraphWorkspace;
pub use probed::{Probe, ProbedLaplacian, ProbedWorkspace};
pub use stein::{SteinEstimator, SteinSmoothed, SteinWorkspace};

use crate::ad::Real;
use crate::ad::jet::{Component, Graph};
use crate::error::{Error, Result};
use crate::rng::Seed;

/// A batch of points handed to [`Model::forward`].
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a, T> {
    /// The points, point-major (`d` numbers per point).
    pub points: &'a [T],
    /// The index of the first point in its set (a loss term's points): point `p` of the batch
    /// is point `first + p` of the set, whatever the chunking.
    pub first: usize,
    /// The random stream of this set for this evaluation: a model that samples derives the
    /// stream of point `first + p` as `stream.derive((first + p) as u64)`.
    pub stream: Seed,
}

impl<'a, T> Batch<'a, T> {
    /// A batch of `points` that is a whole set of its own (`first = 0`, stream `Seed(0)`).
    pub fn new(points: &'a [T]) -> Self {
        Batch {
            points,
            first: 0,
            stream: Seed(0),
        }
    }
}

/// What the loss assembly needs of a network: derivative values per point, then the
/// parameter gradient of seeds on those values. See the [module documentation](self).
///
/// ```
/// use pinn::ad::{jet::{Component, Graph}, Elementary};
/// use pinn::model::{Batch, Model};
/// use pinn::rng::Seed;
///
/// let net = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
/// let theta: Vec<f64> = Model::<f64>::init_params(&net, Seed(0));
/// let comps = [Component::Value, Component::Laplacian];
/// let mut ws = net.workspace(&comps)?;
/// let points = [0.1, 0.2, 0.7, 0.4]; // two points (x, y)
/// let mut values = vec![0.0; 2 * comps.len()]; // [point][component][output]
/// net.forward(&mut ws, &theta, &Batch::new(&points), &mut values)?;
/// // L = Σ_p Δu(x_p): seed 1 on every Laplacian value, 0 on the values.
/// let seeds = [0.0, 1.0, 0.0, 1.0];
/// let mut grad = vec![0.0; Model::<f64>::n_params(&net)];
/// net.backward(&mut ws, &theta, &seeds, &mut grad)?;
/// # Ok::<(), pinn::Error>(())
/// ```
pub trait Model<T: Real>: Send + Sync {
    /// Per-thread working memory for one list of components: allocate one per thread and term,
    /// reuse it from chunk to chunk.
    type Workspace: Send;

    /// Input dimension `d`.
    fn input_dim(&self) -> usize;
    /// Number of outputs `m`.
    fn output_dim(&self) -> usize;
    /// Number of trainable parameters `|θ|`.
    fn n_params(&self) -> usize;
    /// Starting parameters drawn from `seed`.
    fn init_params(&self, seed: Seed) -> Vec<T>;

    /// A workspace computing `components` (for every output), in that order.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a component this model cannot compute or a direction
    /// outside the input dimension.
    fn workspace(&self, components: &[Component]) -> Result<Self::Workspace>;

    /// Sizes `ws` now for batches of up to `points` points, so forward and backward passes of
    /// at most that many points allocate nothing (the trainer calls it for every workspace
    /// when it is built). The default does nothing: the workspace grows on first use.
    fn reserve(&self, ws: &mut Self::Workspace, points: usize) {
        let _ = (ws, points);
    }

    /// The values of the workspace's components at the batch's points, written to `values`
    /// (`n·C·m` numbers, `values[(p·C + c)·m + o]`).
    fn forward(
        &self,
        ws: &mut Self::Workspace,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()>;

    /// After [`Model::forward`] on the same workspace and `θ`: **adds**
    /// `Σ_{p,c,o} seeds[(p·C + c)·m + o] · ∂values[(p·C + c)·m + o]/∂θ` to `grad`.
    fn backward(
        &self,
        ws: &mut Self::Workspace,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()>;

    /// The single graph behind this model, if it is one (methods that read its layers, such
    /// as learning-rate annealing's weight statistics, need it).
    fn graph(&self) -> Option<&Graph> {
        None
    }
}

/// The model's outputs at `points` (point-major): `m` numbers per point, output fastest, by
/// forward passes over chunks of 1024 points.
///
/// # Errors
///
/// [`Error::DimensionMismatch`] unless `points` holds whole points; the model's errors.
pub fn evaluate<T: Real, M: Model<T>>(model: &M, theta: &[T], points: &[T]) -> Result<Vec<T>> {
    const CHUNK: usize = 1024;
    let (d, m) = (model.input_dim(), model.output_dim());
    if !points.len().is_multiple_of(d) {
        return Err(Error::DimensionMismatch {
            what: "points (a multiple of the input dimension)",
            expected: points.len().div_ceil(d) * d,
            found: points.len(),
        });
    }
    let mut ws = model.workspace(&[Component::Value])?;
    let mut out = vec![T::zero(); points.len() / d * m];
    for (i, (x, u)) in points
        .chunks(CHUNK * d)
        .zip(out.chunks_mut(CHUNK * m))
        .enumerate()
    {
        let batch = Batch {
            points: x,
            first: i * CHUNK,
            stream: Seed(0),
        };
        model.forward(&mut ws, theta, &batch, u)?;
    }
    Ok(out)
}
