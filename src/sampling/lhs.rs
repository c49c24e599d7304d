//! Latin hypercube sampling.

use super::{Sampler, check_request, shuffle, unit_to_domain};
use crate::domain::{Domain, Points};
use crate::error::Result;
use crate::rng::{Seed, uniform};

/// Latin hypercube sampling (McKay, Beckman & Conover 1979): cut every axis into `n` equal
/// strata; each stratum of each axis holds exactly one point.
///
/// In unit coordinates, point `i` has `u_{i,k} = (π_k(i) + U_{i,k}) / n` with `π_k` a uniform
/// random permutation of `0..n` (Fisher–Yates) and `U_{i,k}` uniform in `[0, 1)`, so
/// `⌊n·u_{i,k}⌋ = π_k(i)` exactly (the construction nudges `u` by an ulp where rounding would
/// cross a stratum edge). The points are then scaled onto the domain's box. Draw order: for
/// each axis in turn, its permutation, then its `n` jitters, all from `seed.rng()`.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{LatinHypercube, Sampler};
/// let p = LatinHypercube.sample(&BoxDomain::unit(2)?, 10, Seed(1))?;
/// let mut strata: Vec<usize> = p.iter().map(|x| (x[0] * 10.0) as usize).collect();
/// strata.sort();
/// assert_eq!(strata, (0..10).collect::<Vec<_>>()); // one point per column
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatinHypercube;

impl Sampler for LatinHypercube {
    fn sample(&self, domain: &dyn Domain, n: usize, seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        let mut rng = seed.rng();
        let mut unit = vec![0.0; n * dim];
        let mut perm: Vec<usize> = Vec::with_capacity(n);
        let nf = n as f64;
        for k in 0..dim {
            perm.clear();
            perm.extend(0..n);
            shuffle(&mut rng, &mut perm);
            for (i, &stratum) in perm.iter().enumerate() {
                let u = (stratum as f64 + uniform(&mut rng)) / nf;
                unit[i * dim + k] = into_stratum(u, stratum, nf);
            }
        }
        unit_to_domain(domain, unit)
    }
}

/// Moves `u` by whole ulps until `⌊n·u⌋ = stratum` (at most a step or two; rounding of
/// `(stratum + U) / n` can land on the next stratum's edge).
fn into_stratum(mut u: f64, stratum: usize, n: f64) -> f64 {
    let s = stratum as f64;
    while (u * n).floor() > s {
        u = u.next_down();
    }
    while (u * n).floor() < s {
        u = u.next_up();
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nudges_across_rounded_edges() {
        // (1 + (1 − 2⁻⁵³)) rounds to 2: without the nudge the point would sit in stratum 2.
        let n = 3.0;
        let u = (1.0 + 1.0f64.next_down()) / n;
        assert_eq!((u * n).floor(), 2.0);
        let v = into_stratum(u, 1, n);
        assert_eq!((v * n).floor(), 1.0);
        assert!(v < u && u - v < 1e-15);
    }
}
