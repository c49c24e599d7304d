//! Independent uniform points.

use super::{Sampler, check_request, unit_to_domain};
use crate::domain::{Domain, Points};
use crate::error::Result;
use crate::rng::{Seed, uniform};

/// I.i.d. uniform points in the domain's box: each coordinate is `lo_k + U·(hi_k − lo_k)` with
/// `U` uniform in `[0, 1)` ([`crate::rng::uniform`], 53 random bits), drawn point by point,
/// axis by axis, from `seed.rng()`.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Sampler, Uniform};
/// let square = BoxDomain::new(&[-1.0, -1.0], &[1.0, 1.0])?;
/// let a = Uniform.sample(&square, 100, Seed(5))?;
/// assert_eq!(a, Uniform.sample(&square, 100, Seed(5))?); // same seed, same bits
/// assert_ne!(a, Uniform.sample(&square, 100, Seed(6))?);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uniform;

impl Sampler for Uniform {
    fn sample(&self, domain: &dyn Domain, n: usize, seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        let mut rng = seed.rng();
        let unit = (0..n * dim).map(|_| uniform(&mut rng)).collect();
        unit_to_domain(domain, unit)
    }
}
