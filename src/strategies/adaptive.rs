//! Residual-adaptive sampling: [`Adaptive`].

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::rng::{Seed, uniform};
use crate::train::TermId;

use super::{PointRole, Strategy, Terms};

/// Which residual-adaptive method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Redraw every point uniformly.
    RandomR,
    /// Replace every point by draws from `p ∝ εᵏ/mean(εᵏ) + c`.
    Rad {
        /// `k ≥ 0`
        k: f64,
        /// `c ≥ 0`
        c: f64,
    },
    /// Add `m` draws from `p ∝ εᵏ/mean(εᵏ) + c`.
    RarD {
        /// `k ≥ 0`
        k: f64,
        /// `c ≥ 0`
        c: f64,
        /// Points added per round.
        m: usize,
    },
    /// Add the `m` pool points of largest `ε`.
    RarG {
        /// Points added per round.
        m: usize,
    },
}

/// The settings of an [`Adaptive`] sampler.
#[derive(Clone, Debug, PartialEq)]
pub struct AdaptiveConfig {
    /// The method.
    pub method: Method,
    /// The term whose points are changed.
    pub term: TermId,
    /// Steps of training before the first round (`≥ 1`): the points first change after step
    /// `first − 1`.
    pub first: usize,
    /// Steps per round (`≥ 1`): after the first change, the points change after steps
    /// `first + every − 1, first + 2·every − 1, …`.
    pub every: usize,
    /// At most this many rounds (`None`: as long as training runs). A study of `R` rounds
    /// whose last round ends with training sets `Some(R)`, so that its last step does not
    /// start a round that is never trained.
    pub rounds: Option<usize>,
    /// Candidate pool size `N₀ ≥ 1` (100 000 in the paper; 10 000 for diffusion).
    pub pool: usize,
    /// The box the pool is drawn from, lower corner.
    pub lo: Vec<f64>,
    /// Upper corner.
    pub hi: Vec<f64>,
    /// The seed of the pools and draws.
    pub seed: Seed,
}

/// Residual-adaptive sampling (Wu, Zhu, Tan, Kartha & Lu, CMAME 2023, as coded): Random-R,
/// RAD, RAR-D and RAR-G as strategies.
///
/// After `first` steps of initial training, then every `every` steps (a *round*; the study's
/// round is 1000 Adam steps then 1000 L-BFGS steps, two phases of fixed length), a fresh pool `S₀` of `pool` uniform points of the box
/// `[lo, hi]` is scored without a gradient ([`Terms::residuals_at`]: in chunks, in parallel,
/// the same bits on any thread count), `ε(x) = |r(x)|` (for several equations, the norm of the
/// residual vector), and the term's points are changed:
///
/// | method | each round |
/// |---|---|
/// | Random-R | replace all `N` points by `N` fresh uniform ones (RAD with `k = 0`) |
/// | RAD | replace all `N` points by `N` drawn from `S₀` with `p(x) ∝ εᵏ/mean_{S₀}(εᵏ) + c`, without replacement |
/// | RAR-D | add `m` points drawn from `S₀` with the same `p`, without replacement |
/// | RAR-G | add the `m` points of `S₀` with the largest `ε` (the greedy limit `k → ∞`) |
///
/// Draws without replacement use Efraimidis–Spirakis keys (`ln u / w`, the largest `n` kept),
/// which give the distribution of drawing one point at a time with probability proportional to
/// its weight among those left, as `numpy.random.choice(replace=False, p=…)` does. The pool and
/// the draws of round `j` come from `seed.derive(j)`.
///
/// Per-point state of other strategies: RoPINN takes points replaced by another strategy as its
/// new originals; self-adaptive weights belong to fixed points, so any of these methods beside
/// [`SelfAdaptive`](super::SelfAdaptive) on the same term is refused when the trainer is built
/// ([`Strategy::point_roles`]).
pub struct Adaptive {
    config: AdaptiveConfig,
}

impl Adaptive {
    /// Checks `config`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field for a period, first round or pool of 0, an empty or
    /// inverted box, `k` or `c` negative or not finite, or `m = 0`.
    pub fn new(config: AdaptiveConfig) -> Result<Self> {
        let bad = |field, reason: String| Err(Error::InvalidConfig { field, reason });
        if config.every == 0 {
            return bad("adaptive.every", "must be ≥ 1, found 0".into());
        }
        if config.first == 0 {
            return bad("adaptive.first", "must be ≥ 1, found 0".into());
        }
        if config.pool == 0 {
            return bad("adaptive.pool", "must be ≥ 1, found 0".into());
        }
        let box_ok = !config.lo.is_empty()
            && config.lo.len() == config.hi.len()
            && config
                .lo
                .iter()
                .zip(&config.hi)
                .all(|(a, b)| a.is_finite() && b.is_finite() && a < b);
        if !box_ok {
            return bad(
                "adaptive.box",
                format!(
                    "needs finite lo < hi per coordinate, found {:?} and {:?}",
                    config.lo, config.hi
                ),
            );
        }
        match config.method {
            Method::Rad { k, c } | Method::RarD { k, c, .. }
                if !(k.is_finite() && k >= 0.0 && c.is_finite() && c >= 0.0) =>
            {
                return bad(
                    "adaptive.method",
                    format!("k and c must be finite and ≥ 0, found k = {k}, c = {c}"),
                );
            }
            Method::RarD { m: 0, .. } | Method::RarG { m: 0 } => {
                return bad("adaptive.method", "m must be ≥ 1, found 0".into());
            }
            _ => {}
        }
        Ok(Adaptive { config })
    }

    /// The candidate pool of round `round` (point-major): `pool` uniform points of the box.
    pub fn pool(&self, round: u64) -> Vec<f64> {
        let c = &self.config;
        uniform_box(&c.lo, &c.hi, c.pool, c.seed.derive(round).derive(0))
    }
}

fn uniform_box(lo: &[f64], hi: &[f64], n: usize, seed: Seed) -> Vec<f64> {
    let mut rng = seed.rng();
    let mut out = Vec::with_capacity(n * lo.len());
    for _ in 0..n {
        for (a, b) in lo.iter().zip(hi) {
            out.push(a + (b - a) * uniform(&mut rng));
        }
    }
    out
}

/// The indices of `n` items drawn without replacement with probabilities proportional to
/// `weights` (Efraimidis–Spirakis: the `n` largest `ln u / w`), in increasing index order.
/// Items of weight 0 come last, in index order, if more are needed.
pub fn weighted_without_replacement(weights: &[f64], n: usize, seed: Seed) -> Vec<usize> {
    let mut rng = seed.rng();
    let mut keys: Vec<(f64, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let u = 1.0 - uniform(&mut rng); // (0, 1]
            let key = if w > 0.0 {
                u.ln() / w
            } else {
                f64::NEG_INFINITY
            };
            (key, i)
        })
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut idx: Vec<usize> = keys.iter().take(n).map(|k| k.1).collect();
    idx.sort_unstable();
    idx
}

/// The indices of the `m` largest values (ties by index), in decreasing order of value.
pub fn top(values: &[f64], m: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order.truncate(m);
    order
}

impl<T: Real> Strategy<T> for Adaptive {
    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        let role = match self.config.method {
            Method::RandomR | Method::Rad { .. } => PointRole::Replaces,
            Method::RarD { .. } | Method::RarG { .. } => PointRole::Grows,
        };
        vec![(self.config.term, role)]
    }

    fn name(&self) -> &'static str {
        "adaptive"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        terms.check(self.config.term)?;
        let n = terms.n_points(self.config.term)?;
        let d = terms.points(self.config.term)?.len() / n.max(1);
        if d != self.config.lo.len() {
            return Err(Error::DimensionMismatch {
                what: "adaptive sampling box vs the term's points",
                expected: d,
                found: self.config.lo.len(),
            });
        }
        Ok(())
    }

    fn after_step(&mut self, terms: &mut dyn Terms<T>, params: &[T], step: usize) -> Result<()> {
        let c = &self.config;
        // Round j ≥ 1 starts after step first + (j − 1)·every − 1.
        let Some(since) = (step + 1).checked_sub(c.first) else {
            return Ok(());
        };
        if !since.is_multiple_of(c.every) {
            return Ok(());
        }
        let round = (since / c.every + 1) as u64;
        if c.rounds.is_some_and(|r| round > r as u64) {
            return Ok(());
        }
        let d = c.lo.len();
        let draw_seed = c.seed.derive(round).derive(1);
        let current = terms.points(c.term)?.to_vec();
        let n = current.len() / d;
        let pick = |pool: &[f64], idx: &[usize]| -> Vec<f64> {
            idx.iter()
                .flat_map(|&i| pool[i * d..(i + 1) * d].iter().copied())
                .collect()
        };
        let points = match c.method {
            Method::RandomR => uniform_box(&c.lo, &c.hi, n, draw_seed),
            Method::Rad { k, c: cc } | Method::RarD { k, c: cc, .. } => {
                let pool = self.pool(round);
                let eps = scores(terms, c.term, params, &pool)?;
                let w = density(&eps, k, cc);
                match c.method {
                    Method::Rad { .. } => {
                        pick(&pool, &weighted_without_replacement(&w, n, draw_seed))
                    }
                    Method::RarD { m, .. } => {
                        let mut p = current;
                        p.extend(pick(&pool, &weighted_without_replacement(&w, m, draw_seed)));
                        p
                    }
                    _ => unreachable!("matched above"),
                }
            }
            Method::RarG { m } => {
                let pool = self.pool(round);
                let eps = scores(terms, c.term, params, &pool)?;
                let mut p = current;
                p.extend(pick(&pool, &top(&eps, m)));
                p
            }
        };
        terms.set_points(c.term, points, Vec::new(), Vec::new())
    }
}

/// `ε = √(Σ_e ω_e r_e²)` at every pool point (`ω_e` the equation weights, 1 unless set),
/// in `f64`.
fn scores<T: Real>(
    terms: &mut dyn Terms<T>,
    term: TermId,
    params: &[T],
    pool: &[f64],
) -> Result<Vec<f64>> {
    let r2 = terms.residuals_at(term, params, pool)?;
    Ok(r2.iter().map(|v| v.to_f64().sqrt()).collect())
}

/// `εᵏ/mean(εᵏ) + c` (unnormalised; `c` alone where every `εᵏ` is 0).
pub fn density(eps: &[f64], k: f64, c: f64) -> Vec<f64> {
    let ek: Vec<f64> = eps.iter().map(|e| e.powf(k)).collect();
    let mean = ek.iter().sum::<f64>() / ek.len().max(1) as f64;
    ek.iter()
        .map(|v| if mean > 0.0 { v / mean + c } else { 1.0 + c })
        .collect()
}
