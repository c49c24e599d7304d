//! The 1D domain `[lo, hi]`.

use super::{Boundary, BoxDomain, Domain};
use crate::error::Result;

/// The closed interval `[lo, hi]`: a one-dimensional [`BoxDomain`] with scalar accessors.
///
/// ```
/// use pinn::domain::{Domain, Interval};
/// let x = Interval::new(-1.0, 1.0)?;
/// assert_eq!((x.lo(), x.hi(), x.length()), (-1.0, 1.0, 2.0));
/// assert!(x.contains(&[1.0]));
/// assert_eq!(x.boundary().faces().len(), 2); // x = −1 (normal −1) and x = 1 (normal +1)
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    bx: BoxDomain,
}

impl Interval {
    /// `[lo, hi]`; errors unless both are finite, `lo < hi` and `hi − lo` is finite.
    pub fn new(lo: f64, hi: f64) -> Result<Self> {
        Ok(Interval {
            bx: BoxDomain::new(&[lo], &[hi])?,
        })
    }

    /// Left end.
    pub fn lo(&self) -> f64 {
        self.bx.lo()[0]
    }

    /// Right end.
    pub fn hi(&self) -> f64 {
        self.bx.hi()[0]
    }

    /// `hi − lo`.
    pub fn length(&self) -> f64 {
        self.hi() - self.lo()
    }

    /// The two end points with outward normals `−1` (at `lo`) and `+1` (at `hi`).
    pub fn boundary(&self) -> Boundary {
        self.bx.boundary()
    }
}

impl From<Interval> for BoxDomain {
    fn from(i: Interval) -> BoxDomain {
        i.bx
    }
}

impl Domain for Interval {
    fn dim(&self) -> usize {
        1
    }
    fn bounds(&self) -> &BoxDomain {
        &self.bx
    }
    fn contains(&self, x: &[f64]) -> bool {
        self.bx.contains(x)
    }
    /// The length `hi − lo`.
    fn volume(&self) -> f64 {
        self.length()
    }
}
