//! The Sobol' sequence (Gray-code order, Joe & Kuo direction numbers).

use super::halton::index_end;
use super::sobol_table::{JOE_KUO, SOBOL_MAX_DIM};
use super::{Sampler, check_request, unit_to_domain};
use crate::domain::{Domain, Points};
use crate::error::{Error, Result};
use crate::rng::Seed;
use rand::Rng;

/// Bits per coordinate: points are multiples of `2^{−32}`, and at most `2^32` exist.
const BITS: u32 = 32;

/// The Sobol' sequence (Sobol' 1967) in up to [`SOBOL_MAX_DIM`] dimensions, with the direction
/// numbers of Joe & Kuo (2008), file `new-joe-kuo-6.21201`, in Gray-code order (Antonov &
/// Saleev 1979).
///
/// **Construction.** Axis `k` has direction numbers `v_{k,j} = m_{k,j} · 2^{32−j}`, `j = 1…32`.
/// Axis 0 has all `m_j = 1` (van der Corput); axis `k ≥ 1` takes degree `s`, coefficients
/// `a_1 … a_{s−1}` and `m_1 … m_s` from the file and continues by the recurrence
///
/// `m_j = 2a_1 m_{j−1} ⊕ 2²a_2 m_{j−2} ⊕ … ⊕ 2^{s−1}a_{s−1} m_{j−s+1} ⊕ 2^s m_{j−s} ⊕ m_{j−s}`.
///
/// Point `i` is `x_i = ⊕_j g_j v_j · 2^{−32}` with `g = i ⊕ (i >> 1)` the Gray code of `i`;
/// in sequence, `x_{i+1} = x_i ⊕ v_{c+1}` with `c` the number of trailing ones of `i`.
///
/// **Conventions.** Indices start at 0, so **the first point is the origin** (it is not
/// skipped; [`Sobol::skip`] does that, e.g. `skip(1)`). Unscrambled, the sequence ignores the
/// seed and matches `scipy.stats.qmc.Sobol(d, scramble=False).random(n)` bit for bit. The
/// balance properties hold for `n` (and `skip`) a power of two.
///
/// **Digital shift** (off by default; [`Sobol::digital_shift`]): every axis is XOR-ed with a
/// uniform random 32-bit word from the seed, which keeps the (t, m, s)-net structure and makes
/// the points uniformly distributed — redraws with different seeds then differ.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Sampler, Sobol};
/// let p = Sobol::new().sample(&BoxDomain::unit(3)?, 4, Seed(0))?;
/// assert_eq!(p.point(0), &[0.0, 0.0, 0.0]);
/// assert_eq!(p.point(1), &[0.5, 0.5, 0.5]);
/// assert_eq!(p.point(2), &[0.75, 0.25, 0.25]);
/// assert_eq!(p.point(3), &[0.25, 0.75, 0.75]);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sobol {
    skip: u64,
    shift: bool,
}

impl Sobol {
    /// Unshifted, from index 0 (the origin).
    pub fn new() -> Self {
        Sobol::default()
    }

    /// Starts at index `k`.
    pub fn skip(self, k: u64) -> Self {
        Sobol { skip: k, ..self }
    }

    /// XORs each axis with a random word drawn from the seed.
    pub fn digital_shift(self) -> Self {
        Sobol {
            shift: true,
            ..self
        }
    }
}

impl Sampler for Sobol {
    fn sample(&self, domain: &dyn Domain, n: usize, seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        if dim > SOBOL_MAX_DIM {
            return Err(Error::InvalidConfig {
                field: "sobol.dim",
                reason: format!("at most {SOBOL_MAX_DIM} dimensions, found {dim}"),
            });
        }
        let end = index_end(self.skip, n, "sobol.skip")?;
        if end > 1u64 << BITS {
            return Err(Error::InvalidConfig {
                field: "sobol.n",
                reason: format!("indices up to {end} exceed the 2^{BITS} points of the sequence"),
            });
        }
        let v: Vec<[u32; BITS as usize]> = (0..dim).map(directions).collect();
        // x = the point at index `skip`, from its Gray code.
        let gray = self.skip ^ (self.skip >> 1);
        let mut x: Vec<u32> = v
            .iter()
            .map(|vk| {
                (0..BITS)
                    .filter(|j| gray >> j & 1 == 1)
                    .fold(0, |acc, j| acc ^ vk[j as usize])
            })
            .collect();
        if self.shift {
            let mut rng = seed.rng();
            x.iter_mut().for_each(|xk| *xk ^= rng.next_u32());
        }
        let scale = 1.0 / (1u64 << BITS) as f64;
        let mut unit = Vec::with_capacity(n * dim);
        for i in self.skip..end {
            unit.extend(x.iter().map(|&xk| f64::from(xk) * scale));
            let c = i.trailing_ones() as usize;
            if c < BITS as usize {
                x.iter_mut().zip(&v).for_each(|(xk, vk)| *xk ^= vk[c]);
            }
        }
        unit_to_domain(domain, unit)
    }
}

/// Direction numbers `v_{k,1} … v_{k,32}` of axis `k < SOBOL_MAX_DIM`.
fn directions(k: usize) -> [u32; BITS as usize] {
    let mut m = [1u32; BITS as usize];
    if k > 0 {
        let (_, s, a, init) = JOE_KUO[k - 1];
        let s = usize::from(s);
        for (mj, &init_j) in m.iter_mut().zip(init) {
            *mj = u32::from(init_j);
        }
        for j in s..BITS as usize {
            let mut mj = m[j - s] ^ (m[j - s] << s);
            for l in 1..s {
                if (a >> (s - 1 - l)) & 1 == 1 {
                    mj ^= m[j - l] << l;
                }
            }
            m[j] = mj;
        }
    }
    let mut v = [0u32; BITS as usize];
    for (j, vj) in v.iter_mut().enumerate() {
        *vj = m[j] << (BITS as usize - 1 - j);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (row, &(d, s, a, m)) in JOE_KUO.iter().enumerate() {
            assert_eq!(usize::from(d), row + 2);
            assert_eq!(m.len(), usize::from(s));
            assert!(a < 1 << (s - 1));
            // m_j odd and below 2^j: v_j has its leading bit at position j.
            assert!(
                m.iter()
                    .enumerate()
                    .all(|(j, &mj)| mj % 2 == 1 && mj < 2 << j)
            );
        }
    }

    #[test]
    fn recurrence_keeps_direction_numbers_odd_and_small() {
        for k in 0..SOBOL_MAX_DIM {
            let v = directions(k);
            for (j, &vj) in v.iter().enumerate() {
                let mj = vj >> (31 - j);
                assert!(mj % 2 == 1 && u64::from(mj) < 2u64 << j, "axis {k}, j {j}");
            }
        }
    }

    #[test]
    fn second_axis_by_hand() {
        // d = 2: s = 1, a = 0, m_1 = 1; recurrence m_j = 2 m_{j−1} ⊕ m_{j−1}: 1, 3, 5, 15, 17.
        let v = directions(1);
        let m: Vec<u32> = (0..5).map(|j| v[j] >> (31 - j)).collect();
        assert_eq!(m, vec![1, 3, 5, 15, 17]);
    }

    #[test]
    fn limits() {
        let unit = crate::domain::BoxDomain::unit(SOBOL_MAX_DIM + 1).unwrap();
        assert!(Sobol::new().sample(&unit, 1, Seed(0)).is_err());
        let line = crate::domain::BoxDomain::unit(1).unwrap();
        assert!(
            Sobol::new()
                .skip(u64::MAX)
                .sample(&line, 2, Seed(0))
                .is_err()
        );
        assert!(
            Sobol::new()
                .skip(1 << 32)
                .sample(&line, 1, Seed(0))
                .is_err()
        );
        let last = Sobol::new()
            .skip((1 << 32) - 1)
            .sample(&line, 1, Seed(0))
            .unwrap();
        assert_eq!(last.point(0), &[0.5_f64.powi(32)]); // Gray code 2^31 → v_32 = 1
    }
}
