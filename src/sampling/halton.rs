//! The Halton sequence, optionally scrambled by random digit permutations.

use super::{Sampler, check_request, shuffle, unit_to_domain};
use crate::domain::{Domain, Points};
use crate::error::{Error, Result};
use crate::rng::Seed;

/// The Halton sequence (Halton 1960): point `i` is `(φ_2(i), φ_3(i), φ_5(i), …)`, one prime
/// base per axis, with the radical inverse
///
/// `φ_b(i) = Σ_k d_k b^{−(k+1)}` for `i = Σ_k d_k b^k` (the base-`b` digits mirrored about the
/// radix point).
///
/// **Conventions.** Indices start at 0, so the first point is the origin `(0, …, 0)` (mapped to
/// the box's lower corner); [`Halton::skip`] starts later. Unscrambled, the sequence ignores the
/// seed and matches `scipy.stats.qmc.Halton(d, scramble=False)` (to rounding: this
/// implementation rounds each coordinate once, from the exact fraction).
///
/// **Scrambling** (off by default; [`Halton::scrambled`]) applies random digit permutations
/// (Owen 2017, "A randomized Halton algorithm in R", Algorithm 1, as in scipy): for axis `k`
/// and digit position `j` a uniform permutation `π_{k,j}` of `0..b`, drawn from
/// `seed.derive(k)`, replaces `d_j` by `π_{k,j}(d_j)` in every digit position down to
/// `b^{−K} ≤ 2^{−53}`, trailing zero digits included.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Halton, Sampler};
/// let p = Halton::new().sample(&BoxDomain::unit(2)?, 4, Seed(0))?;
/// assert_eq!(p.point(1), &[0.5, 1.0 / 3.0]);
/// assert_eq!(p.point(3), &[0.75, 1.0 / 9.0]);
/// let q = Halton::new().skip(1).sample(&BoxDomain::unit(2)?, 3, Seed(0))?;
/// assert_eq!(q.point(0), p.point(1));
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Halton {
    scrambled: bool,
    skip: u64,
}

impl Halton {
    /// Unscrambled, from index 0.
    pub fn new() -> Self {
        Halton::default()
    }

    /// With random digit permutations drawn from the seed.
    pub fn scrambled(self) -> Self {
        Halton {
            scrambled: true,
            ..self
        }
    }

    /// Starts at index `k` (e.g. `skip(1)` leaves out the origin).
    pub fn skip(self, k: u64) -> Self {
        Halton { skip: k, ..self }
    }
}

impl Sampler for Halton {
    fn sample(&self, domain: &dyn Domain, n: usize, seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        let end = index_end(self.skip, n, "halton.skip")?;
        let mut unit = vec![0.0; n * dim];
        for (k, &base) in first_primes(dim).iter().enumerate() {
            let perms = if self.scrambled {
                digit_permutations(base, seed.derive(k as u64))
            } else {
                Vec::new()
            };
            for (j, i) in (self.skip..end).enumerate() {
                unit[j * dim + k] = radical_inverse(i, base, &perms);
            }
        }
        unit_to_domain(domain, unit)
    }
}

/// `skip + n`, or an error if it overflows `u64`.
pub(crate) fn index_end(skip: u64, n: usize, field: &'static str) -> Result<u64> {
    u64::try_from(n)
        .ok()
        .and_then(|n| skip.checked_add(n))
        .ok_or_else(|| Error::InvalidConfig {
            field,
            reason: format!("skip {skip} + {n} points overflows the index"),
        })
}

/// The first `k` primes, by trial division.
pub(crate) fn first_primes(k: usize) -> Vec<u64> {
    let mut primes: Vec<u64> = Vec::with_capacity(k);
    let mut c = 2u64;
    while primes.len() < k {
        if primes
            .iter()
            .take_while(|&&p| p * p <= c)
            .all(|&p| !c.is_multiple_of(p))
        {
            primes.push(c);
        }
        c += 1;
    }
    primes
}

/// `φ_b(i)` with digit `j` replaced by `perms[j][d_j]` where a permutation is given (and the
/// expansion carried through every permuted position). Computed as one exact fraction
/// `N / b^K` in `u128`, then rounded; clamped below 1.
pub(crate) fn radical_inverse(mut i: u64, base: u64, perms: &[Vec<u64>]) -> f64 {
    let b = u128::from(base);
    let (mut num, mut den) = (0u128, 1u128);
    let mut j = 0;
    while i > 0 || j < perms.len() {
        let d = i % base;
        i /= base;
        let digit = perms.get(j).map_or(d, |p| p[d as usize]);
        num = num * b + u128::from(digit);
        den *= b;
        j += 1;
    }
    ((num as f64) / (den as f64)).min(1.0f64.next_down())
}

/// One uniform permutation of `0..base` per digit position, for the positions `j` with
/// `base^{−j} > 2^{−53}` (the smallest `K` with `base^K ≥ 2^53`).
fn digit_permutations(base: u64, seed: Seed) -> Vec<Vec<u64>> {
    let mut rng = seed.rng();
    let (mut count, mut power) = (0, 1u128);
    while power < 1u128 << 53 {
        power *= u128::from(base);
        count += 1;
    }
    (0..count)
        .map(|_| {
            let mut p: Vec<u64> = (0..base).collect();
            shuffle(&mut rng, &mut p);
            p
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes() {
        assert_eq!(first_primes(8), vec![2, 3, 5, 7, 11, 13, 17, 19]);
        assert_eq!(first_primes(100)[99], 541);
    }

    #[test]
    fn radical_inverse_values() {
        assert_eq!(radical_inverse(0, 2, &[]), 0.0);
        assert_eq!(radical_inverse(6, 2, &[]), 0.375); // 110₂ → 0.011₂
        assert_eq!(radical_inverse(5, 3, &[]), 7.0 / 9.0); // 12₃ → 0.21₃
        assert_eq!(radical_inverse(u64::MAX, 2, &[]), 1.0f64.next_down()); // 1 − 2⁻⁶⁴ rounds to 1
    }

    #[test]
    fn scrambled_digits_stay_in_unit_interval_and_differ() {
        let perms = digit_permutations(3, Seed(4));
        assert_eq!(perms.len(), 34); // 3^33 < 2^53 ≤ 3^34
        let xs: Vec<f64> = (0..27).map(|i| radical_inverse(i, 3, &perms)).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        // Still one point per interval [m/27, (m+1)/27): scrambling permutes the strata.
        let mut cells: Vec<u64> = xs.iter().map(|x| (x * 27.0) as u64).collect();
        cells.sort_unstable();
        assert_eq!(cells, (0..27).collect::<Vec<_>>());
        assert_ne!(xs[0], 0.0);
    }
}
