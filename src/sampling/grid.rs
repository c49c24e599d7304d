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
/// The direct way: [`Grid::points`]`(&domain, &[c_0, …])` returns the grid, asking only for
/// what it uses. As a [`Sampler`] (to stand in for a random sampler), two ways to size it:
/// - [`Grid::per_dim`]`(&[c_0, …])`: fixed counts; `sample` then requires `n = ∏ c_k`.
/// - [`Grid::auto`]: from a budget `n`, the finest grid with spacing as equal as possible
///   across axes and **at most** `n` points (so `sample` may return fewer than `n`; see
///   [`Grid::auto_counts`]).
///
/// The seed of `sample` is ignored. For axes that are not evenly spaced, or a grid outside
/// any domain, [`tensor_grid`] takes the axis values themselves (and [`linspace`] makes them).
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{Grid, Sampler};
/// let rect = BoxDomain::new(&[0.0, 0.0], &[1.0, 2.0])?;
/// let g = Grid::points(&rect, &[3, 2])?;
/// let expect = [0.0, 0.0, 0.0, 2.0, 0.5, 0.0, 0.5, 2.0, 1.0, 0.0, 1.0, 2.0];
/// assert_eq!(g.as_slice(), &expect);
/// assert_eq!(Grid::per_dim(&[3, 2])?.sample(&rect, 6, Seed(0))?, g); // the same grid
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

    /// The grid of `counts[k] ≥ 2` points along axis `k` of the domain's box, both ends
    /// included, first coordinate slowest: what `Grid::per_dim(counts)?.sample(domain, ∏ c_k,
    /// _)` returns, without repeating the count or passing a seed. Errors as [`Grid::per_dim`]
    /// and `sample` do (a count below 2, one count per axis, a grid too large for memory, a
    /// point outside a non-box domain).
    pub fn points(domain: &dyn Domain, counts: &[usize]) -> Result<Points> {
        let grid = Grid::per_dim(counts)?;
        let n = counts
            .iter()
            .try_fold(1usize, |a, &c| a.checked_mul(c))
            .ok_or_else(|| Error::InvalidConfig {
                field: "grid.counts",
                reason: format!("{counts:?} points do not fit in memory"),
            })?;
        grid.sample(domain, n, Seed(0))
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
        check_inside(domain, tensor_grid(&axes)?)
    }
}

/// `numpy.linspace(a, b, n)`: `n` evenly spaced numbers from `a` to `b`, both included, bit
/// for bit numpy's values (`a + i·step` with `step = (b − a)/(n − 1)`, the last exactly `b`);
/// `[a]` for `n = 1` and nothing for `n = 0`, as numpy.
///
/// ```
/// use pinn::sampling::linspace;
/// assert_eq!(linspace(-0.1, 0.3, 3), vec![-0.1, 0.1, 0.3]);
/// assert_eq!(linspace(2.0, 5.0, 1), vec![2.0]);
/// ```
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => Vec::new(),
        1 => vec![a],
        _ => {
            let step = (b - a) / (n - 1) as f64;
            let mut v: Vec<f64> = (0..n).map(|i| i as f64 * step + a).collect();
            v[n - 1] = b;
            v
        }
    }
}

/// Every combination of the axis values, **first coordinate slowest** (point-major): the
/// points of `numpy.stack(numpy.meshgrid(*axes, indexing="ij"), -1).reshape(-1, d)`, so grid
/// index `(i_0, …, i_{d−1})` is point `((i_0·n_1 + i_1)·n_2 + …)·n_{d−1} + i_{d−1}`.
///
/// Errors ([`Error::InvalidConfig`]) if there are no axes, an axis is empty, or the grid does
/// not fit in memory.
///
/// ```
/// use pinn::sampling::{linspace, tensor_grid};
/// let (xs, ys) = (linspace(0.0, 1.0, 3), vec![10.0, 20.0]);
/// let g = tensor_grid(&[xs, ys])?;
/// assert_eq!((g.len(), g.dim()), (6, 2));
/// assert_eq!(g.point(0), &[0.0, 10.0]);
/// assert_eq!(g.point(1), &[0.0, 20.0]); // the last coordinate moves fastest
/// assert_eq!(g.point(5), &[1.0, 20.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn tensor_grid<A: AsRef<[f64]>>(axes: &[A]) -> Result<Points> {
    let dim = axes.len();
    let invalid = |reason: String| Error::InvalidConfig {
        field: "tensor_grid.axes",
        reason,
    };
    if dim == 0 {
        return Err(invalid("no axes".into()));
    }
    let counts: Vec<usize> = axes.iter().map(|a| a.as_ref().len()).collect();
    if let Some(k) = counts.iter().position(|&c| c == 0) {
        return Err(invalid(format!("axis {k} has no values")));
    }
    let total = counts
        .iter()
        .try_fold(1usize, |a, &c| a.checked_mul(c))
        .and_then(|t| t.checked_mul(dim))
        .filter(|&len| len <= isize::MAX as usize / 8)
        .ok_or_else(|| {
            invalid(format!(
                "a grid of {counts:?} points does not fit in memory"
            ))
        })?;
    let mut data = Vec::new();
    data.try_reserve_exact(total).map_err(|_| {
        invalid(format!(
            "a grid of {counts:?} points does not fit in memory"
        ))
    })?;
    let mut index = vec![0usize; dim];
    for _ in 0..total / dim {
        data.extend(index.iter().zip(axes).map(|(&i, axis)| axis.as_ref()[i]));
        // Odometer, last axis fastest.
        for k in (0..dim).rev() {
            index[k] += 1;
            if index[k] < counts[k] {
                break;
            }
            index[k] = 0;
        }
    }
    Ok(Points::from_parts(data, dim))
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
