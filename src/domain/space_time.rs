//! Space × time: `Ω × [t0, t1]` with time as the last coordinate.

use super::{Boundary, BoxDomain, Domain, Face, Side};
use crate::error::Result;

/// The space-time cylinder `Ω × [t0, t1]` of a box `Ω ⊂ ℝ^d`. Points are `(x_0, …, x_{d−1}, t)`:
/// **time is the last coordinate**, so [`Domain::dim`] is `d + 1`.
///
/// Its boundary splits the way a time-dependent PDE uses it:
/// - [`SpaceTime::spatial_boundary`]: `∂Ω × [t0, t1]`, the faces where boundary conditions hold,
///   with outward normals `(±e_k, 0)` (no time component);
/// - [`SpaceTime::initial_slice`]: `Ω × {t0}`, where the initial condition holds, outward normal
///   `(0, …, 0, −1)`;
/// - [`SpaceTime::final_slice`]: `Ω × {t1}`, outward normal `(0, …, 0, +1)`.
///
/// ```
/// use pinn::domain::{Domain, Interval, SpaceTime};
/// // Burgers: x ∈ [−1, 1], t ∈ [0, 1]; points are (x, t).
/// let st = SpaceTime::new(Interval::new(-1.0, 1.0)?, 0.0, 1.0)?;
/// assert_eq!(st.dim(), 2);
/// assert_eq!(st.volume(), 2.0);
/// assert_eq!(st.spatial_boundary().area(), 2.0); // x = ±1, each for t ∈ [0, 1]
/// assert_eq!(st.initial_slice().area(), 2.0); // t = 0, x ∈ [−1, 1]
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceTime {
    space: BoxDomain,
    t0: f64,
    t1: f64,
    bounds: BoxDomain,
}

impl SpaceTime {
    /// `space × [t0, t1]`; errors unless `t0 < t1` are finite with a finite difference.
    pub fn new(space: impl Into<BoxDomain>, t0: f64, t1: f64) -> Result<Self> {
        let space = space.into();
        let bounds = space.extend(t0, t1)?;
        Ok(SpaceTime {
            space,
            t0,
            t1,
            bounds,
        })
    }

    /// The spatial box `Ω`.
    pub fn space(&self) -> &BoxDomain {
        &self.space
    }

    /// Initial time.
    pub fn t0(&self) -> f64 {
        self.t0
    }

    /// Final time.
    pub fn t1(&self) -> f64 {
        self.t1
    }

    /// Spatial dimension `d` (the time axis is index `d`).
    pub fn space_dim(&self) -> usize {
        self.space.dim()
    }

    /// `∂Ω × [t0, t1]`: the `2d` spatial faces, each extended over the time interval.
    pub fn spatial_boundary(&self) -> Boundary {
        let faces = (0..self.space_dim())
            .flat_map(|axis| [Face::new(axis, Side::Lo), Face::new(axis, Side::Hi)])
            .collect();
        Boundary::from_valid(self.bounds.clone(), faces)
    }

    /// `Ω × {t0}`, outward normal `−e_t`.
    pub fn initial_slice(&self) -> Boundary {
        let face = Face::new(self.space_dim(), Side::Lo);
        Boundary::from_valid(self.bounds.clone(), vec![face])
    }

    /// `Ω × {t1}`, outward normal `+e_t`.
    pub fn final_slice(&self) -> Boundary {
        let face = Face::new(self.space_dim(), Side::Hi);
        Boundary::from_valid(self.bounds.clone(), vec![face])
    }
}

impl Domain for SpaceTime {
    fn dim(&self) -> usize {
        self.bounds.dim()
    }
    /// The box `Ω × [t0, t1]`.
    fn bounds(&self) -> &BoxDomain {
        &self.bounds
    }
    fn contains(&self, x: &[f64]) -> bool {
        self.bounds.contains(x)
    }
    /// `|Ω| · (t1 − t0)`.
    fn volume(&self) -> f64 {
        self.bounds.volume()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_and_shape() {
        let sq = BoxDomain::unit(2).unwrap();
        assert!(SpaceTime::new(sq.clone(), 1.0, 1.0).is_err());
        assert!(SpaceTime::new(sq.clone(), 0.0, f64::NAN).is_err());
        let st = SpaceTime::new(sq, 0.0, 2.0).unwrap();
        assert_eq!((st.dim(), st.space_dim()), (3, 2));
        assert_eq!(st.spatial_boundary().faces().len(), 4);
        assert_eq!(st.spatial_boundary().area(), 4.0 * 2.0);
        assert_eq!(st.initial_slice().faces(), &[Face::new(2, Side::Lo)]);
        assert_eq!(st.final_slice().normal(0).unwrap(), vec![0.0, 0.0, 1.0]);
        assert!(st.initial_slice().contains(&[0.3, 0.9, 0.0]));
        assert!(!st.initial_slice().contains(&[0.3, 0.9, 1e-12]));
    }
}
