//! The Hammersley point set.

use super::halton::{first_primes, radical_inverse};
use super::{Sampler, check_request, unit_to_domain};
use crate::domain::{Domain, Points};
use crate::error::Result;
use crate::rng::Seed;

/// The Hammersley set (Hammersley 1960) of a fixed size `n`: point `i ∈ 0..n` is
/// `(i/n, φ_2(i), φ_3(i), …)`: the first coordinate is the uniform fraction `i/n`, the others
/// are the Halton radical inverses in bases 2, 3, 5, … ([`super::Halton`] of dimension
/// `dim − 1`). In 1D it is the grid `i/n`.
///
/// Unlike a sequence, the whole set changes with `n`. Point 0 is the origin (the box's lower
/// corner). The seed is ignored.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Hammersley, Sampler};
/// let p = Hammersley.sample(&BoxDomain::unit(3)?, 4, Seed(0))?;
/// assert_eq!(p.point(3), &[0.75, 0.75, 1.0 / 9.0]); // (3/4, φ₂(3) = 0.11₂, φ₃(3) = 0.01₃)
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hammersley;

impl Sampler for Hammersley {
    fn sample(&self, domain: &dyn Domain, n: usize, _seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        let bases = first_primes(dim - 1);
        let mut unit = Vec::with_capacity(n * dim);
        for i in 0..n {
            unit.push(i as f64 / n as f64);
            unit.extend(bases.iter().map(|&b| radical_inverse(i as u64, b, &[])));
        }
        unit_to_domain(domain, unit)
    }
}
