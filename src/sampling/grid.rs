//! Tensor-product grids that include the boundary.

use super::{Sampler, check_inside, check_request};
use crate::domain::{BoxDomain, Domain, Points};
use crate::error::{Error, Result};
use crate::rng::Seed;

/// A tensor grid on the domain's box: `c_k` points per axis at `numpy.linspace(lo_k, hi_k, c_k)`
/// (both ends included), every combination, **first coordinate slowest**.
///
/// Point order is that of `numpy.stack(numpy.meshgrid(*axes, indexing="ij"), -1).reshape(-1, d)`:
/// grid index `(i_0, …, i_{d−1})` is point `((i_0·c_1 + i_1)·c_2 + …)·c_{d−1} + i_{d−1}`. The
/// axis values are computed as numpy does (`lo + i·step` with `step = (hi − lo)/(c − 1)`, the
/// last one exactly `hi`), so they agree bit for bit.
///
/// Two ways to size it:
/// - [`Grid::per_dim`]`(&[c_0, …])`: fixed counts; `sample` then requires `n = ∏ c_k`.
/// - [`Grid::auto`]: from a budget `n`, the finest grid with spacing as equal as possible
///   across axes and **at most** `n` points (so `sample` may return fewer than `n`; see
///   [`Grid::auto_counts`]).
///
/// The seed is ignored.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Grid, Sampler};
/// let rect = BoxDomain::new(&[0.0, 0.0], &[1.0, 2.0])?;
/// let g = Grid::per_dim(&[3, 2])?.sample(&rect, 6, Seed(0))?;
/// let expect = [0.0, 0.0, 0.0, 2.0, 0.5, 0.0, 0.5, 2.0, 1.0, 0.0, 1.0, 2.0];
/// assert_eq!(g.as_slice(), &expect);
/// assert_eq!(Grid::auto_counts(&rect, 50)?, vec![5, 10]); // spacings 1/4 and 2/9
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grid {
    counts: Option<Vec<usize>>,
}

impl Grid {
    /// `counts[k] ≥ 2` points along axis `k`.
    pub fn per_dim(counts: &[usize]) -> Result<Self> {
        if let Some(k) = counts.iter().position(|&c| c < 2) {
            return Err(Error::InvalidConfig {
                field: "grid.counts",
                reason: format!(
                    "axis {k} has {} points; a grid needs both ends, so ≥ 2",
                    counts[k]
                ),
            });
        }
        if counts.is_empty() {
            return Err(Error::InvalidConfig {
                field: "grid.counts",
                reason: "no axes".into(),
            });
        }
        Ok(Grid {
            counts: Some(counts.to_vec()),
        })
    }

    /// Counts chosen from the point budget `n` by [`Grid::auto_counts`].
    pub fn auto() -> Self {
        Grid { counts: None }
    }

    /// The finest grid with at most `n` points whose spacing is as equal as possible across
    /// axes: `c_k(h) = ⌊(hi_k − lo_k)/h⌋ + 1` (at least 2) for the smallest spacing `h` with
    /// `∏ c_k(h) ≤ n` (found by bisection on `h`). Errors if `n < 2^dim`.
    pub fn auto_counts(bounds: &BoxDomain, n: usize) -> Result<Vec<usize>> {
        let dim = bounds.dim();
        let smallest = u32::try_from(dim).ok().and_then(|d| 2usize.checked_pow(d));
        if smallest.is_none_or(|s| n < s) {
            return Err(Error::InvalidConfig {
                field: "grid.n",
                reason: format!(
                    "a grid with both ends of {dim} axes needs at least 2^{dim} points, found {n}"
                ),
            });
        }
        let sides: Vec<f64> = (0..dim).filter_map(|k| bounds.side(k)).collect();
        let counts = |h: f64| -> Vec<usize> {
            sides
                .iter()
                .map(|w| ((w / h).floor() as usize).saturating_add(1).max(2))
                .collect()
        };
        let size = |c: &[usize]| c.iter().try_fold(1usize, |acc, &x| acc.checked_mul(x));
        let fits = |h: f64| size(&counts(h)).is_some_and(|s| s <= n);
        let mut hi = sides.iter().copied().fold(0.0, f64::max); // ≤ 2 per axis: fits
        let mut lo = hi / (n as f64 + 1.0); // > n points on the longest axis: does not fit
        while lo < hi {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if fits(mid) { hi = mid } else { lo = mid }
        }
        Ok(counts(hi))
    }
}

impl Sampler for Grid {
    fn sample(&self, domain: &dyn Domain, n: usize, _seed: Seed) -> Result<Points> {
        let dim = check_request(domain, n)?;
        let bounds = domain.bounds();
        let counts = match &self.counts {
            Some(c) if c.len() != dim => {
                return Err(Error::DimensionMismatch {
                    what: "grid axes",
                    expected: dim,
                    found: c.len(),
                });
            }
            Some(c) => {
                let size = c.iter().try_fold(1usize, |a, &x| a.checked_mul(x));
                if size != Some(n) {
                    return Err(Error::DimensionMismatch {
                        what: "grid points (the product of the counts)",
                        expected: size.unwrap_or(usize::MAX),
                        found: n,
                    });
                }
                c.clone()
            }
            None => Grid::auto_counts(bounds, n)?,
        };
        let axes: Vec<Vec<f64>> = (0..dim)
            .map(|k| linspace(bounds.lo()[k], bounds.hi()[k], counts[k]))
            .collect();
        let total: usize = counts.iter().product();
        let mut data = Vec::with_capacity(total * dim);
        let mut index = vec![0usize; dim];
        for _ in 0..total {
            data.extend(index.iter().zip(&axes).map(|(&i, axis)| axis[i]));
            // Odometer, last axis fastest.
            for k in (0..dim).rev() {
                index[k] += 1;
                if index[k] < counts[k] {
                    break;
                }
                index[k] = 0;
            }
        }
        check_inside(domain, Points::from_parts(data, dim))
    }
}

/// `numpy.linspace(lo, hi, c)` for `c ≥ 2`: `lo + i·step`, `step = (hi − lo)/(c − 1)`, last = `hi`.
fn linspace(lo: f64, hi: f64, c: usize) -> Vec<f64> {
    let step = (hi - lo) / (c - 1) as f64;
    let mut v: Vec<f64> = (0..c).map(|i| i as f64 * step + lo).collect();
    v[c - 1] = hi;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_counts_balance_spacing() {
        let b = BoxDomain::new(&[-1.0, 0.0], &[1.0, 1.0]).unwrap();
        assert_eq!(Grid::auto_counts(&b, 2000).unwrap(), vec![62, 31]);
        assert_eq!(
            Grid::auto_counts(&BoxDomain::unit(2).unwrap(), 100).unwrap(),
            vec![10, 10]
        );
        assert_eq!(
            Grid::auto_counts(&BoxDomain::unit(3).unwrap(), 8).unwrap(),
            vec![2, 2, 2]
        );
        assert!(Grid::auto_counts(&BoxDomain::unit(3).unwrap(), 7).is_err());
        assert!(Grid::auto_counts(&BoxDomain::unit(70).unwrap(), usize::MAX).is_err());
    }

    #[test]
    fn per_dim_validation() {
        assert!(Grid::per_dim(&[]).is_err());
        assert!(Grid::per_dim(&[3, 1]).is_err());
        let g = Grid::per_dim(&[3, 3]).unwrap();
        let sq = BoxDomain::unit(2).unwrap();
        assert!(g.sample(&sq, 8, Seed(0)).is_err());
        assert!(g.sample(&BoxDomain::unit(3).unwrap(), 9, Seed(0)).is_err());
        assert_eq!(g.sample(&sq, 9, Seed(0)).unwrap().len(), 9);
    }

    #[test]
    fn linspace_ends() {
        assert_eq!(linspace(-0.1, 0.3, 3), vec![-0.1, 0.1, 0.3]);
    }
}
