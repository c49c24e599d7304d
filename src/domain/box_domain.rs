//! Axis-aligned boxes `[lo_0, hi_0] × … × [lo_{d−1}, hi_{d−1}]` of any dimension.

use super::{Boundary, Domain};
use crate::error::{Error, Result};

/// The closed box `∏_k [lo_k, hi_k]` in `ℝ^d`, `d ≥ 1`, validated: every bound finite,
/// `lo_k < hi_k`, and every side `hi_k − lo_k` finite.
///
/// ```
/// use pinn::domain::{BoxDomain, Domain};
/// let rect = BoxDomain::new(&[0.0, -1.0], &[2.0, 1.0])?; // [0, 2] × [−1, 1]
/// assert_eq!(rect.dim(), 2);
/// assert_eq!(rect.volume(), 4.0);
/// assert!(rect.contains(&[2.0, 0.5])); // closed: the boundary belongs to it
/// assert!(!rect.contains(&[2.1, 0.5]));
/// assert!(BoxDomain::new(&[0.0], &[0.0]).is_err()); // lo < hi is required
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BoxDomain {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

impl BoxDomain {
    /// The box with lower corner `lo` and upper corner `hi`.
    pub fn new(lo: &[f64], hi: &[f64]) -> Result<Self> {
        if lo.len() != hi.len() {
            return Err(Error::DimensionMismatch {
                what: "box corners (hi vs lo)",
                expected: lo.len(),
                found: hi.len(),
            });
        }
        if lo.is_empty() {
            return Err(Error::InvalidConfig {
                field: "box.dim",
                reason: "a box needs at least one dimension".into(),
            });
        }
        for (k, (&a, &b)) in lo.iter().zip(hi).enumerate() {
            if !(a.is_finite() && b.is_finite() && a < b && (b - a).is_finite()) {
                return Err(Error::InvalidConfig {
                    field: "box.bounds",
                    reason: format!(
                        "axis {k}: need finite lo < hi with a finite side, found [{a}, {b}]"
                    ),
                });
            }
        }
        Ok(BoxDomain {
            lo: lo.to_vec(),
            hi: hi.to_vec(),
        })
    }

    /// The unit cube `[0, 1]^dim` (`dim ≥ 1`).
    pub fn unit(dim: usize) -> Result<Self> {
        BoxDomain::new(&vec![0.0; dim], &vec![1.0; dim])
    }

    /// Lower corner.
    pub fn lo(&self) -> &[f64] {
        &self.lo
    }

    /// Upper corner.
    pub fn hi(&self) -> &[f64] {
        &self.hi
    }

    /// Side length `hi_k − lo_k` along axis `k`, or `None` if `k ≥ dim`.
    pub fn side(&self, k: usize) -> Option<f64> {
        Some(self.hi.get(k)? - self.lo.get(k)?)
    }

    /// All `2·dim` faces with their outward normals (see [`Boundary::all`]).
    pub fn boundary(&self) -> Boundary {
        Boundary::all(self.clone())
    }

    /// The box `self × [lo, hi]`: one more axis, appended last.
    pub fn extend(&self, lo: f64, hi: f64) -> Result<BoxDomain> {
        let mut l = self.lo.clone();
        let mut h = self.hi.clone();
        l.push(lo);
        h.push(hi);
        BoxDomain::new(&l, &h)
    }

    /// Maps `u ∈ [0, 1]` to `lo_k + u·(hi_k − lo_k)` on axis `k`, clamped into `[lo_k, hi_k]` so
    /// rounding never leaves the box (callers keep `k < dim`).
    pub(crate) fn scale(&self, k: usize, u: f64) -> f64 {
        let (a, b) = (self.lo[k], self.hi[k]);
        (a + u * (b - a)).clamp(a, b)
    }
}

impl Domain for BoxDomain {
    fn dim(&self) -> usize {
        self.lo.len()
    }
    fn bounds(&self) -> &BoxDomain {
        self
    }
    fn contains(&self, x: &[f64]) -> bool {
        x.len() == self.lo.len()
            && x.iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(&v, (&a, &b))| a <= v && v <= b)
    }
    /// `∏_k (hi_k − lo_k)`.
    fn volume(&self) -> f64 {
        self.lo.iter().zip(&self.hi).map(|(a, b)| b - a).product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(BoxDomain::new(&[0.0], &[1.0, 2.0]).is_err());
        assert!(BoxDomain::new(&[], &[]).is_err());
        assert!(BoxDomain::new(&[0.0, 1.0], &[1.0, 0.5]).is_err());
        assert!(BoxDomain::new(&[f64::NAN], &[1.0]).is_err());
        assert!(BoxDomain::new(&[0.0], &[f64::INFINITY]).is_err());
        assert!(BoxDomain::new(&[-f64::MAX], &[f64::MAX]).is_err()); // side overflows
        assert!(BoxDomain::unit(0).is_err());
    }

    #[test]
    fn geometry() {
        let b = BoxDomain::new(&[-1.0, 0.0, 2.0], &[1.0, 0.5, 5.0]).unwrap();
        assert_eq!(b.volume(), 2.0 * 0.5 * 3.0);
        assert_eq!(b.side(2), Some(3.0));
        assert_eq!(b.side(3), None);
        assert!(b.contains(&[-1.0, 0.5, 2.0]));
        assert!(!b.contains(&[0.0, 0.0])); // wrong length
        assert!(!b.contains(&[0.0, f64::NAN, 3.0]));
        assert_eq!(b.scale(0, 1.0), 1.0);
        assert_eq!(b.scale(0, 0.0), -1.0);
        let c = b.extend(0.0, 1.0).unwrap();
        assert_eq!(c.dim(), 4);
        assert!(b.extend(1.0, 1.0).is_err());
    }
}
