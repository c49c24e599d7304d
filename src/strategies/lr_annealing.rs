//! Learning-rate annealing (Wang, Teng & Perdikaris 2021), as coded: see [`LrAnnealing`].

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::nets::weight_matrices;
use crate::train::TermId;

use super::groups::{Fields, GroupWeights};
use super::{EvalContext, Strategy, Terms, WeightLog};

/// What the denominator `B_g` of `λ̂_g = R/B_g` is the statistic of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denominator {
    /// `∇(λ_g L_g)` with the current `λ_g`: the authors' code and eq. (2.30). With frozen
    /// statistics `λ → √(R/B′)`.
    WithLambda,
    /// `∇L_g` without `λ_g` (**not** the authors' code): `λ → R/B′` with frozen statistics.
    LambdaFree,
}

/// How the ratio `λ̂_g` is formed from the gradients of `L_r` and `λ_g L_g` over the weight
/// matrices `W_1 … W_L`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// `λ̂ = max_l max|∂L_r/∂W_l| / ((1/L) Σ_l mean|∂(λ L_g)/∂W_l|)`: one global maximum over
    /// the mean of the layer means (the Helmholtz and Klein–Gordon code, eq. 2.30).
    GlobalMax,
    /// `λ̂ = max_l [max|∂L_r/∂W_l| / mean|∂(λ L_g)/∂W_l|]`: the ratio per layer, then the
    /// largest (the lid-driven cavity code, `NS_model_tf.py`).
    LayerRatioMax,
}

/// Settings of [`LrAnnealing`]; the defaults are Wang, Teng & Perdikaris' code.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrAnnealingConfig {
    /// Update every `every` steps (after steps `0, every, 2·every, …`), `≥ 1`. Default 10.
    pub every: usize,
    /// The moving-average rate `α` in `λ ← (1 − α)λ + αλ̂`, in `(0, 1]`. Default 0.1 (the
    /// code's `beta = 0.9` is `1 − α`).
    pub alpha: f64,
    /// The starting `λ`, finite and `> 0`. Default 1.
    pub initial: f64,
    /// What `B_g` is taken of. Default [`Denominator::WithLambda`] (as coded).
    pub denominator: Denominator,
    /// Leave the modified MLP's `U`/`V` encoder matrices out of the statistics. Default
    /// `true` (as coded).
    pub exclude_encoders: bool,
    /// How `λ̂` is formed. Default [`Statistic::GlobalMax`] (Helmholtz, Klein–Gordon);
    /// [`Statistic::LayerRatioMax`] for the cavity.
    pub statistic: Statistic,
}

impl Default for LrAnnealingConfig {
    fn default() -> Self {
        LrAnnealingConfig {
            every: 10,
            alpha: 0.1,
            initial: 1.0,
            denominator: Denominator::WithLambda,
            exclude_encoders: true,
            statistic: Statistic::GlobalMax,
        }
    }
}

/// Learning-rate annealing (Wang, Teng & Perdikaris 2021, Algorithm 2.1), exactly as the
/// authors coded it for their Helmholtz and Klein–Gordon models M2 and M4.
///
/// The loss is `L = L_r + Σ_g λ_g L_g`: the PDE residual `L_r` and, for each group `g` of
/// other terms (a boundary, an initial condition…), a weight `λ_g`. Every `every` steps
/// (10), **after** the optimizer step and on the **same** mini-batch, with the new
/// parameters `θ`:
///
/// ```text
/// R    = max_l max |∂L_r/∂W_l|                         (one global max)
/// B_g  = (1/L) Σ_l mean |∂(λ_g L_g)/∂W_l|               (the mean of the L layer means)
/// λ̂_g = R / B_g
/// λ_g ← (1 − α)·λ_g + α·λ̂_g                           (α = 0.1)
/// ```
///
/// `W_1 … W_L` are the **weight matrices** only ([`weight_matrices`]): biases are excluded,
/// the output layer is included, and for the modified MLP the `U`/`V` encoder matrices are
/// excluded (they are not in the code's `self.weights`). The new `λ_g` is used from the next
/// step on. The first update follows step 0 (`it % 10 == 0` in the code).
///
/// **λ in the denominator.** The code feeds the current `λ_g` into the boundary loss tensor
/// before differentiating it, so `B_g` is the statistic of `∇(λ_g L_g) = λ_g ∇L_g`, as eq.
/// (2.30) is written. With `B′_g` the statistic of the unweighted `∇L_g`, `λ̂_g = R/(λ_g B′_g)`,
/// and if `R` and `B′_g` stood still the average would settle at the fixed point of
/// `λ = R/(λ B′)`, namely **`λ* = √(R/B′)`** — not `R/B′`. That is what the paper's numbers
/// come from, so it is the default ([`Denominator::WithLambda`]).
/// [`Denominator::LambdaFree`] is a clearly *different* method, `λ̂_g = R/B′_g`, whose fixed
/// point is `R/B′`.
///
/// **Groups.** Each term other than the PDE residual gets its own `λ` unless it is put in a
/// group with [`LrAnnealing::group`]: the Helmholtz code has one `λ` for the sum of its four
/// sides, `λ·(L_bc1 + L_bc2 + L_bc3 + L_bc4)`, so `B` is taken of the gradient of that sum;
/// Klein–Gordon has one for the initial condition and one for the two boundaries, sharing
/// `R`. A term's weight becomes `w_t⁰·λ_g`, with `w_t⁰` its weight when training starts
/// (1 unless set).
///
/// **The cavity variant** ([`LrAnnealingConfig::statistic`] =
/// [`Statistic::LayerRatioMax`]): the lid-driven cavity code takes the ratio per layer and
/// then the largest, `λ̂_g = max_l [max|∂L_r/∂W_l| / mean|∂(λ_g L_g)/∂W_l|]`; everything
/// else is the same.
///
/// The statistics are computed in `f64` from the gradient in `T`. If `B_g` is zero or a ratio
/// is not finite, that `λ_g` keeps its value for this update.
///
/// **Cost.** An update evaluates every term once more (one extra loss evaluation per
/// `every` steps, ~10 % with the default).
///
/// **Records** ([`LrAnnealing::log`]): after every update, the row of its step holds, per
/// group `g` in order, `λ[g]` (the new value), then `λ̂[g]`, then `B[g]`, and last `R`
/// (with [`Statistic::LayerRatioMax`], `B[g]` is the effective denominator `R/λ̂[g]`).
/// [`WeightLog::current`] holds `[λ_g]` per group.
///
/// **State** ([`Strategy::state`]): `[λ_1, …, λ_G]`.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::pde::{problems::Helmholtz2D, Condition};
/// use pinn::strategies::{Denominator, LrAnnealing, LrAnnealingConfig};
/// use pinn::train::Trainer;
///
/// let net = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
/// let mut b = Trainer::<_, f64>::builder(net, Helmholtz2D::default());
/// let sides: Vec<_> = ["bottom", "right", "top", "left"]
///     .into_iter()
///     .map(|side| b.add_condition(side, Condition::dirichlet(0, |_| 0.0), vec![1.0, 1.0]))
///     .collect();
/// // Wang et al.'s Helmholtz M2/M4: one λ for the sum of the four sides.
/// let annealing = LrAnnealing::new(LrAnnealingConfig::default())?.group("boundary", &sides);
/// let log = annealing.log(); // read it during or after the run
/// let b = b.strategy(annealing);
/// # let _ = (log, b);
///
/// // The λ-free variant (not the paper's method).
/// let variant = LrAnnealing::new(LrAnnealingConfig {
///     denominator: Denominator::LambdaFree,
///     ..Default::default()
/// })?;
/// # let _ = variant;
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LrAnnealing {
    config: LrAnnealingConfig,
    pde_terms: Vec<TermId>,
    weights: GroupWeights,
    matrices: Vec<core::ops::Range<usize>>,
    log: WeightLog,
}

impl LrAnnealing {
    /// Annealing with `config`: one `λ` per term other than the PDE residual, unless grouped
    /// with [`LrAnnealing::group`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"lr_annealing.every"`,
    /// `"lr_annealing.alpha"`, `"lr_annealing.initial"`) if a setting is out of range.
    pub fn new(config: LrAnnealingConfig) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if config.every == 0 {
            return bad("lr_annealing.every", "must be ≥ 1, found 0".into());
        }
        if !(config.alpha > 0.0 && config.alpha <= 1.0) {
            return bad(
                "lr_annealing.alpha",
                format!("must be in (0, 1], found {}", config.alpha),
            );
        }
        if !(config.initial.is_finite() && config.initial > 0.0) {
            return bad(
                "lr_annealing.initial",
                format!("must be finite and > 0, found {}", config.initial),
            );
        }
        Ok(LrAnnealing {
            config,
            pde_terms: Vec::new(),
            weights: GroupWeights::new(Fields {
                group: "lr_annealing.group",
                state: "lr_annealing.state",
                state_len: "lr_annealing state (one λ per group)",
            }),
            matrices: Vec::new(),
            log: WeightLog::default(),
        })
    }

    /// The authors' setting ([`LrAnnealingConfig::default`]).
    pub fn wang2021() -> Self {
        // The default configuration is valid.
        Self::new(LrAnnealingConfig::default()).unwrap_or_else(|_| unreachable!())
    }

    /// One `λ`, named `name` (for the log), shared by `terms` (checked when training starts:
    /// they must exist, not be the PDE residual, and belong to one group only).
    pub fn group(mut self, name: &str, terms: &[TermId]) -> Self {
        self.weights.declare(name, terms);
        self
    }

    /// The settings.
    pub fn config(&self) -> &LrAnnealingConfig {
        &self.config
    }

    /// A handle on the record of `λ`, `λ̂`, `B` and `R` (see the [type
    /// documentation](Self)); clone it before adding the strategy to a trainer.
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

    fn resolve<T>(&mut self, terms: &dyn Terms<T>) -> Result<()> {
        self.pde_terms.clear();
        for id in terms.term_ids() {
            if terms.is_pde(id)? {
                self.pde_terms.push(id);
            }
        }
        if self.pde_terms.is_empty() {
            return Err(Error::InvalidConfig {
                field: "lr_annealing",
                reason: "needs a PDE residual term (R is taken of its gradient)".into(),
            });
        }
        let why = "is the PDE residual, which is not weighted";
        self.weights.resolve(terms, &self.pde_terms, why)?;
        if self.weights.groups.is_empty() {
            return Err(Error::InvalidConfig {
                field: "lr_annealing",
                reason: "no term to weight besides the PDE residual".into(),
            });
        }
        let graph = terms.graph().ok_or(Error::InvalidConfig {
            field: "lr_annealing",
            reason: "needs the model to be one network (a Graph) to read its weight matrices"
                .into(),
        })?;
        self.matrices = weight_matrices(graph, self.config.exclude_encoders)
            .into_iter()
            .map(|m| m.range)
            .collect();
        if self.matrices.is_empty() {
            return Err(Error::InvalidConfig {
                field: "lr_annealing",
                reason: "the network has no trainable weight matrix".into(),
            });
        }
        Ok(())
    }

    /// The sum of the gradients of `which` terms at `params`, in `f64`.
    fn gradient<T: Real>(
        terms: &mut dyn Terms<T>,
        which: &[TermId],
        params: &[T],
        step: usize,
    ) -> Result<Vec<f64>> {
        let n = terms.n_params();
        let mut g = vec![T::zero(); n];
        let mut sum = vec![0.0; n];
        for &t in which {
            terms.eval_term(t, params, &mut g, step)?;
            for (s, v) in sum.iter_mut().zip(&g) {
                *s += v.to_f64();
            }
        }
        Ok(sum)
    }
}

/// `R = max_l max_{(i,j)} |g_{W_l, ij}|` over the entries of the weight matrices `matrices`
/// (ranges into the gradient `g`).
pub fn max_abs_gradient(g: &[f64], matrices: &[core::ops::Range<usize>]) -> f64 {
    matrices
        .iter()
        .flat_map(|r| g[r.clone()].iter())
        .fold(0.0, |m, v| m.max(v.abs()))
}

/// `B = (1/L) Σ_l mean_{(i,j)} |g_{W_l, ij}|`: the mean over the `L` weight matrices of the
/// mean absolute entry of each (not the global mean over all entries).
pub fn mean_of_layer_means(g: &[f64], matrices: &[core::ops::Range<usize>]) -> f64 {
    let sum: f64 = matrices
        .iter()
        .map(|r| g[r.clone()].iter().map(|v| v.abs()).sum::<f64>() / r.len() as f64)
        .sum();
    sum / matrices.len() as f64
}

/// `max_l [max|r_{W_l}| / mean|g_{W_l}|]`: the per-layer ratio of the largest entry of `r` to
/// the mean absolute entry of `g`, maximised over the weight matrices (a layer whose `g` is
/// all zero gives `+∞`, which the caller treats as no update).
pub fn layer_ratio_max(r: &[f64], g: &[f64], matrices: &[core::ops::Range<usize>]) -> f64 {
    matrices
        .iter()
        .map(|m| {
            let top = r[m.clone()].iter().fold(0.0_f64, |a, v| a.max(v.abs()));
            let mean = g[m.clone()].iter().map(|v| v.abs()).sum::<f64>() / m.len() as f64;
            top / mean
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

impl<T: Real> Strategy<T> for LrAnnealing {
    fn name(&self) -> &'static str {
        "lr_annealing"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        self.resolve(terms)?;
        self.weights.start(terms, self.config.initial)?;
        let groups = &self.weights.groups;
        let mut columns: Vec<String> = groups.iter().map(|g| format!("λ[{}]", g.name)).collect();
        columns.extend(groups.iter().map(|g| format!("λ̂[{}]", g.name)));
        columns.extend(groups.iter().map(|g| format!("B[{}]", g.name)));
        columns.push("R".into());
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
        let pde = self.pde_terms.clone();
        let gr = Self::gradient(terms, &pde, params, step)?;
        let r = max_abs_gradient(&gr, &self.matrices);
        let ng = self.weights.groups.len();
        let mut hats = vec![f64::NAN; ng];
        let mut bs = vec![f64::NAN; ng];
        for k in 0..ng {
            let members = self.weights.groups[k].terms.clone();
            let g = Self::gradient(terms, &members, params, step)?;
            // λ_g's share of the denominator: removed for the λ-free variant.
            let lambda = match self.config.denominator {
                Denominator::WithLambda => 1.0,
                Denominator::LambdaFree => self.weights.lambda[k],
            };
            let (hat, b) = match self.config.statistic {
                Statistic::GlobalMax => {
                    let b = mean_of_layer_means(&g, &self.matrices) / lambda;
                    (r / b, b)
                }
                Statistic::LayerRatioMax => {
                    let hat = layer_ratio_max(&gr, &g, &self.matrices) * lambda;
                    (hat, r / hat)
                }
            };
            bs[k] = b;
            hats[k] = hat;
            if b > 0.0 && hat.is_finite() {
                let a = self.config.alpha;
                let l = &mut self.weights.lambda[k];
                *l = (1.0 - a) * *l + a * hat;
            }
        }
        self.weights.apply(terms)?;
        let mut row = self.weights.lambda.clone();
        row.extend(&hats);
        row.extend(&bs);
        row.push(r);
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
