//! Loss weights from the neural tangent kernel (Wang, Yu & Perdikaris 2022): see
//! [`NtkWeighting`].

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::rng::{Seed, uniform};
use crate::train::TermId;

use super::groups::{Fields, GroupWeights};
use super::{EvalContext, Strategy, Terms, WeightLog};

/// How a block's trace is normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trace {
    /// `tr K_gg = Σ_i K_ii` over the group's points, as the authors' code takes it
    /// (`np.trace`) and Algorithm 1 writes it: a group with more points gets a larger trace
    /// and a smaller `λ`.
    Sum,
    /// The mean of the diagonal over the group's points (the later `jaxpi` form): `λ` does
    /// not depend on how many points a group has.
    Mean,
}

/// Settings of [`NtkWeighting`]; the defaults are the authors' code.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NtkConfig {
    /// Update every `every` steps (after steps `0, every, 2·every, …`), `≥ 1`. Default 100
    /// (the code's `it % 100 == 0`).
    pub every: usize,
    /// At most this many points per term enter the kernel's diagonal, drawn without
    /// replacement afresh at each update (the sum is scaled by `n/s` to estimate the whole
    /// trace); `None`: every point. Default `None`.
    pub points: Option<usize>,
    /// How a trace is normalised. Default [`Trace::Sum`] (as coded).
    pub trace: Trace,
    /// The moving-average rate `α` in `λ ← (1 − α)λ + αλ̂`, in `(0, 1]`. Default 1: `λ = λ̂`,
    /// no average (as coded).
    pub alpha: f64,
    /// The starting `λ`, finite and `> 0`. Default 1.
    pub initial: f64,
    /// The seed of the subsamples. Default 0.
    pub seed: u64,
}

impl Default for NtkConfig {
    fn default() -> Self {
        NtkConfig {
            every: 100,
            points: None,
            trace: Trace::Sum,
            alpha: 1.0,
            initial: 1.0,
            seed: 0,
        }
    }
}

/// NTK loss weighting (Wang, Yu & Perdikaris, "When and why PINNs fail to train: a neural
/// tangent kernel perspective", J. Comput. Phys. 2022, Algorithm 1), as the authors coded it
/// for their wave equation.
///
/// For each group `g` of loss terms (the PDE residual, a boundary, an initial condition…), let
/// `J_g = ∂r_g/∂θ` be the Jacobian of its residuals at its points with respect to the network's
/// parameters and `K_gg = J_g J_gᵀ` its block of the neural tangent kernel. Every `every`
/// steps (100), **after** the optimizer step, with the new parameters:
///
/// ```text
/// λ̂_g = (Σ_h tr K_hh) / tr K_gg        λ_g ← (1 − α)·λ_g + α·λ̂_g   (α = 1 as coded)
/// ```
///
/// and a term's weight becomes `w_t = w_t⁰·λ_g` from the next step on (`w_t⁰`: its weight when
/// training started). Under gradient flow the kernel's eigenvalues set how fast each term's
/// residual falls; equalising the traces gives every group the same average rate. The
/// diagonal `K_ii = Σ_e ‖∂r_{i,e}/∂θ‖²` comes from
/// [`Terms::tangent_kernel_diagonal`]: one forward pass and one reverse sweep per point.
///
/// **Groups.** Every term is weighted, the PDE residual included, each with its own `λ` unless
/// put in a group with [`NtkWeighting::group`]: the wave code has one `λ_u` for the initial
/// values and both boundaries, whose kernel it builds from the three batches stacked.
///
/// **As coded vs as written.** The code updates every 100 steps on mini-batch kernels (300
/// points per block, drawn afresh), with Adam, without averaging; Algorithm 1 as secondary
/// sources describe it (the paper's text was not checked) computes the weights from the full
/// kernel at every step or every fixed number of steps, under gradient descent. `every`, `points` and `alpha`
/// cover both. The later `jaxpi` code uses the mean of each diagonal and a moving average:
/// [`Trace::Mean`] with `alpha < 1` (without its `1e-5` guard).
///
/// **Cost.** An update costs one forward and one reverse pass per point of every term (or
/// of the subsample) and equation, about as much as a loss evaluation on those points done
/// point by point: with `every = 100` a few per cent of a run on small point sets; set `points`
/// on large ones.
///
/// **Records** ([`NtkWeighting::log`]): after every update, the row of its step holds, per
/// group in order, `λ[g]` (the new value), then `tr[g]` (the trace estimate).
/// [`WeightLog::current`] holds `[λ_g]` per group.
///
/// **State** ([`Strategy::state`]): `[λ_1, …, λ_G]`.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::pde::{problems::Poisson1D, Condition};
/// use pinn::strategies::{NtkConfig, NtkWeighting};
/// use pinn::train::Trainer;
///
/// let net = Graph::mlp(&[1, 32, 1], Elementary::Tanh)?;
/// let mut b = Trainer::<_, f64>::builder(net, Poisson1D::default());
/// let ends = b.add_condition("ends", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0]);
/// let ntk = NtkWeighting::new(NtkConfig::default())?.group("boundary", &[ends]);
/// let log = ntk.log(); // read it during or after the run
/// let b = b.strategy(ntk);
/// # let _ = (log, b);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NtkWeighting {
    config: NtkConfig,
    weights: GroupWeights,
    log: WeightLog,
}

impl NtkWeighting {
    /// NTK weighting with `config`: one `λ` per term, unless grouped with
    /// [`NtkWeighting::group`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"ntk.every"`, `"ntk.points"`,
    /// `"ntk.alpha"`, `"ntk.initial"`) if a setting is out of range.
    pub fn new(config: NtkConfig) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if config.every == 0 {
            return bad("ntk.every", "must be ≥ 1, found 0".into());
        }
        if config.points == Some(0) {
            return bad(
                "ntk.points",
                "must be ≥ 1 (or None for all), found 0".into(),
            );
        }
        if !(config.alpha > 0.0 && config.alpha <= 1.0) {
            return bad(
                "ntk.alpha",
                format!("must be in (0, 1], found {}", config.alpha),
            );
        }
        if !(config.initial.is_finite() && config.initial > 0.0) {
            return bad(
                "ntk.initial",
                format!("must be finite and > 0, found {}", config.initial),
            );
        }
        Ok(NtkWeighting {
            config,
            weights: GroupWeights::new(Fields {
                group: "ntk.group",
                state: "ntk.state",
                state_len: "ntk state (one λ per group)",
            }),
            log: WeightLog::default(),
        })
    }

    /// One `λ`, named `name` (for the log), shared by `terms`, whose kernel diagonals are
    /// pooled into one trace (checked when training starts: the terms must exist and belong
    /// to one group only).
    pub fn group(mut self, name: &str, terms: &[TermId]) -> Self {
        self.weights.declare(name, terms);
        self
    }

    /// The settings.
    pub fn config(&self) -> &NtkConfig {
        &self.config
    }

    /// A handle on the record of `λ` and the traces (see the [type documentation](Self));
    /// clone it before adding the strategy to a trainer.
    pub fn log(&self) -> WeightLog {
        self.log.clone()
    }

    /// The group names, in order (known once training has started).
    pub fn group_names(&self) -> Vec<String> {
        self.weights.groups.iter().map(|g| g.name.clone()).collect()
    }

    /// The current `λ_g`, one per group (known once training has started).
    pub fn lambdas(&self) -> &[f64] {
        &self.weights.lambda
    }

    /// The trace estimate of group `k` at `params` (update number `update`).
    fn trace<T: Real>(
        &self,
        terms: &dyn Terms<T>,
        k: usize,
        params: &[T],
        update: u64,
    ) -> Result<f64> {
        let (mut sum, mut count) = (0.0, 0usize);
        for &t in &self.weights.groups[k].terms {
            let n = terms.n_points(t)?;
            let seed = Seed(self.config.seed)
                .derive(update)
                .derive(t.index() as u64);
            let indices = subsample(n, self.config.points, seed);
            let diag = terms.tangent_kernel_diagonal(t, params, &indices)?;
            let s: f64 = diag.iter().map(|v| v.to_f64()).sum();
            // Σ over the subsample, scaled to the whole term: an unbiased estimate of its sum.
            sum += s * n as f64 / indices.len() as f64;
            count += n;
        }
        Ok(match self.config.trace {
            Trace::Sum => sum,
            Trace::Mean => sum / count as f64,
        })
    }
}

/// `s` distinct indices below `n` (all of them, in order, when `s` is `None` or `≥ n`), drawn
/// by a partial Fisher–Yates shuffle from `seed`, then sorted.
fn subsample(n: usize, s: Option<usize>, seed: Seed) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let Some(s) = s.filter(|&s| s < n) else {
        return idx;
    };
    let mut rng = seed.rng();
    for i in 0..s {
        let j = i + ((uniform(&mut rng) * (n - i) as f64) as usize).min(n - i - 1);
        idx.swap(i, j);
    }
    idx.truncate(s);
    idx.sort_unstable();
    idx
}

impl<T: Real> Strategy<T> for NtkWeighting {
    fn name(&self) -> &'static str {
        "ntk"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        self.weights.resolve(terms, &[], "")?;
        if self.weights.groups.len() < 2 {
            return Err(Error::InvalidConfig {
                field: "ntk",
                reason: "needs at least two groups of terms to balance".into(),
            });
        }
        self.weights.start(terms, self.config.initial)?;
        let groups = &self.weights.groups;
        let mut columns: Vec<String> = groups.iter().map(|g| format!("λ[{}]", g.name)).collect();
        columns.extend(groups.iter().map(|g| format!("tr[{}]", g.name)));
        self.log.set_columns(columns);
        self.log.set_current(self.weights.current());
        Ok(())
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        _ctx: EvalContext,
        _params: &[T],
    ) -> Result<()> {
        self.weights.refresh(terms)
    }

    fn after_step(&mut self, terms: &mut dyn Terms<T>, params: &[T], step: usize) -> Result<()> {
        if !step.is_multiple_of(self.config.every) {
            return Ok(());
        }
        let update = (step / self.config.every) as u64;
        let traces = (0..self.weights.groups.len())
            .map(|k| self.trace(terms, k, params, update))
            .collect::<Result<Vec<f64>>>()?;
        let total: f64 = traces.iter().sum();
        let a = self.config.alpha;
        for (l, &tr) in self.weights.lambda.iter_mut().zip(&traces) {
            let hat = total / tr;
            // A zero or non-finite trace (a term that does not depend on θ) keeps its λ.
            if tr > 0.0 && hat.is_finite() {
                *l = (1.0 - a) * *l + a * hat;
            }
        }
        self.weights.apply(terms)?;
        let mut row = self.weights.lambda.clone();
        row.extend(&traces);
        self.log.push(step, row);
        self.log.set_current(self.weights.current());
        Ok(())
    }

    fn state(&self) -> Vec<f64> {
        self.weights.lambda.clone()
    }

    fn set_state(&mut self, state: &[f64]) -> Result<()> {
        self.weights.set_state(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsample_is_distinct_sorted_and_seeded() {
        assert_eq!(subsample(5, None, Seed(1)), vec![0, 1, 2, 3, 4]);
        assert_eq!(subsample(5, Some(9), Seed(1)), vec![0, 1, 2, 3, 4]);
        let a = subsample(1000, Some(50), Seed(3));
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, subsample(1000, Some(50), Seed(3)));
        assert_ne!(a, subsample(1000, Some(50), Seed(4)));
    }
}
