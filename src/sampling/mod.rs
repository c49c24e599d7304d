//! Collocation points: grids, random, Latin hypercube, quasi-random (Halton, Hammersley, Sobol)
//! and boundary samplers, plus the schedule that redraws them during training.
//!
//! Every sampler implements [`Sampler`]: `sample(domain, n, seed)` returns `n` points of
//! `domain` as [`Points`] (point-major). Randomness comes only from the [`Seed`], so the same
//! call returns the same bits on every platform and thread count.
//!
//! | sampler | kind | seed used for |
//! |---|---|---|
//! | [`Grid`] | tensor grid, `numpy.linspace` per axis, first coordinate slowest | — |
//! | [`Uniform`] | i.i.d. uniform | the draws |
//! | [`LatinHypercube`] | one point per stratum per axis (McKay, Beckman & Conover 1979) | permutations, jitter |
//! | [`Halton`] | radical inverses in the first primes (Halton 1960) | optional digit scrambling |
//! | [`Hammersley`] | `(i/n, Halton)` for a fixed `n` (Hammersley 1960) | — |
//! | [`Sobol`] | Gray-code Sobol' sequence, Joe & Kuo (2008) directions, up to [`SOBOL_MAX_DIM`] | optional digital shift |
//! | [`UniformBoundary`] | uniform on a [`Boundary`](crate::domain::Boundary), area-weighted, with outward normals | the draws |
//!
//! [`Grid::points`]`(&domain, &[nx, ny])` returns a grid directly; [`linspace`] and
//! [`tensor_grid`] build one from axis values (first coordinate slowest).
//!
//! The unscrambled quasi-random sequences ignore the seed and start at their index 0 (the
//! origin), exactly like `scipy.stats.qmc`; `.skip(k)` drops the first `k` points.
//!
//! A trainer redraws its points with [`Resample`]: at step `s` it asks `is_due(s)` and draws
//! with `seed_at(s)`, a child of one root seed.
//!
//! ```
//! use pinn::domain::{Domain, Interval, SpaceTime};
//! use pinn::rng::Seed;
//! use pinn::sampling::{Resample, Sampler, Sobol, Uniform, UniformBoundary, BoundarySampler};
//!
//! let st = SpaceTime::new(Interval::new(-1.0, 1.0)?, 0.0, 1.0)?; // (x, t)
//! let interior = Sobol::new().sample(&st, 256, Seed(0))?;
//! assert!(interior.iter().all(|p| st.contains(p)));
//!
//! let walls = UniformBoundary.sample_boundary(&st.spatial_boundary(), 64, Seed(1))?;
//! assert!(walls.points().iter().all(|p| p[0].abs() == 1.0)); // x = ±1
//! assert!(walls.normals().iter().all(|n| n[0] == n[0].signum() && n[1] == 0.0));
//!
//! // Random-R (Wu et al. 2023): redraw all residual points every 100 steps.
//! let schedule = Resample::every(100, Seed(2))?;
//! let mut points = Uniform.sample(&st, 128, schedule.seed_at(0))?;
//! for step in 1..=300 {
//!     if let Some(fresh) = schedule.draw(&Uniform, &st, 128, step)? {
//!         points = fresh; // steps 100, 200, 300
//!     }
//!     // … one optimizer step on `points` …
//! }
//! assert_eq!(points, Uniform.sample(&st, 128, schedule.seed_at(300))?);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! **Residual-adaptive sampling** (Random-R, RAD, RAR-D, RAR-G; Wu et al., CMAME 2023) needs
//! the network's residual, so it is a training strategy:
//! [`strategies::Adaptive`](crate::strategies::Adaptive) scores a fresh uniform pool each round
//! and replaces or grows a term's points; `examples/adaptive.rs` runs the study's ten methods.

mod boundary;
mod grid;
mod halton;
mod hammersley;
mod lhs;
mod resample;
mod sobol;
mod sobol_table;
mod uniform;

pub use boundary::{BoundarySampler, UniformBoundary};
pub use grid::{Grid, linspace, tensor_grid};
pub use halton::Halton;
pub use hammersley::Hammersley;
pub use lhs::LatinHypercube;
pub use resample::Resample;
pub use sobol::Sobol;
pub use sobol_table::SOBOL_MAX_DIM;
pub use uniform::Uniform;

use crate::domain::{Domain, Points};
use crate::error::{Error, Result};
use crate::rng::{Rng64, Seed};

/// Draws collocation points in a domain.
///
/// `sample(domain, n, seed)` returns `n` points (a [`Grid`] returns its own grid; see there)
/// of dimension `domain.dim()`, inside `domain`, as a function of `(self, domain, n, seed)`
/// only. Call it again with `seed.derive(step)` (or through [`Resample`]) to redraw.
pub trait Sampler {
    /// `n` points of `domain`, drawn from the stream `seed`.
    fn sample(&self, domain: &dyn Domain, n: usize, seed: Seed) -> Result<Points>;
}

/// Checks a domain's dimension against its bounds and that `n · dim` fits in memory sizes;
/// returns `dim`.
pub(crate) fn check_request(domain: &dyn Domain, n: usize) -> Result<usize> {
    let dim = domain.dim();
    if domain.bounds().dim() != dim {
        return Err(Error::DimensionMismatch {
            what: "domain bounds",
            expected: dim,
            found: domain.bounds().dim(),
        });
    }
    // Ask the allocator before sampling: an impossible request is an error here instead of
    // an abort (allocation failure) later. The probe is freed at once.
    let fits = n
        .checked_mul(dim)
        .filter(|&len| len <= isize::MAX as usize / 8)
        .is_some_and(|len| Vec::<f64>::new().try_reserve_exact(len).is_ok());
    if !fits {
        return Err(Error::InvalidConfig {
            field: "sampler.n",
            reason: format!("{n} points of dimension {dim} do not fit in memory"),
        });
    }
    Ok(dim)
}

/// Maps point-major unit-cube coordinates onto `domain.bounds()` (`lo + u·(hi − lo)`, clamped)
/// and checks every point against `domain.contains`.
pub(crate) fn unit_to_domain(domain: &dyn Domain, mut unit: Vec<f64>) -> Result<Points> {
    let dim = domain.dim();
    let bounds = domain.bounds();
    for x in unit.chunks_exact_mut(dim) {
        for (k, v) in x.iter_mut().enumerate() {
            *v = bounds.scale(k, *v);
        }
    }
    check_inside(domain, Points::from_parts(unit, dim))
}

/// Returns `points` if every one lies in `domain`, else an error naming the first that does not.
pub(crate) fn check_inside(domain: &dyn Domain, points: Points) -> Result<Points> {
    match points.iter().position(|x| !domain.contains(x)) {
        None => Ok(points),
        Some(i) => Err(Error::InvalidConfig {
            field: "sampler.domain",
            reason: format!(
                "point {i} of the bounding box lies outside the domain; \
                 a non-box domain needs a rejection sampler"
            ),
        }),
    }
}

/// A uniform integer in `0..n` (`n ≥ 1`) by Lemire's multiply-and-reject method (Lemire 2019,
/// "Fast random integer generation in an interval"): unbiased and the same on every platform.
pub(crate) fn below(rng: &mut Rng64, n: u64) -> u64 {
    use rand::Rng;
    debug_assert!(n >= 1);
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n; // 2^64 mod n
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// Shuffles `v` in place by Fisher–Yates (Durstenfeld 1964) with [`below`].
pub(crate) fn shuffle<T>(rng: &mut Rng64, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut rng = Seed(3).rng();
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[below(&mut rng, 7) as usize] += 1;
        }
        // Each count is Binomial(7000, 1/7): mean 1000, σ ≈ 29.3; 5σ ≈ 147.
        assert!(
            seen.iter().all(|&c| (c as f64 - 1000.0).abs() < 147.0),
            "{seen:?}"
        );
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<usize> = (0..100).collect();
        shuffle(&mut Seed(9).rng(), &mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
