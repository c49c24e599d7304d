//! Where a PDE lives: intervals, boxes, space × time, and their boundaries with outward normals.
//!
//! - [`Points`]: the crate's point-set convention, a flat point-major `Vec<f64>` plus `dim`.
//! - [`Domain`]: the trait every domain implements (`dim`, `bounds`, `contains`, `volume`).
//! - [`Interval`] `[lo, hi]`, [`BoxDomain`] `∏_k [lo_k, hi_k]` of any dimension, and
//!   [`SpaceTime`] `Ω × [t0, t1]` with **time as the last coordinate**.
//! - [`Boundary`]: a union of box [`Face`]s, each with its outward unit normal `±e_axis`;
//!   [`BoundaryPoints`] carries points drawn on it together with their normals.
//!
//! Every domain is closed (it contains its boundary) and validated when built, so a bad bound
//! is an [`Error`](crate::Error), not a panic later.
//!
//! ```
//! use pinn::domain::{BoxDomain, Domain, SpaceTime};
//! // Heat equation on the unit square for t ∈ [0, 0.5]: points are (x, y, t).
//! let omega = BoxDomain::unit(2)?;
//! let st = SpaceTime::new(omega, 0.0, 0.5)?;
//! assert_eq!(st.dim(), 3);
//! assert!(st.contains(&[0.5, 1.0, 0.25]));
//! let walls = st.spatial_boundary(); // x = 0, x = 1, y = 0, y = 1, each × [0, 0.5]
//! assert_eq!(walls.normal(1), Some(vec![1.0, 0.0, 0.0])); // the face x = 1
//! let ic = st.initial_slice(); // t = 0
//! assert_eq!(ic.normal(0), Some(vec![0.0, 0.0, -1.0]));
//! # Ok::<(), pinn::Error>(())
//! ```

mod boundary;
mod box_domain;
mod interval;
mod points;
mod space_time;

pub use boundary::{Boundary, BoundaryPoints, Face, Side};
pub use box_domain::BoxDomain;
pub use interval::Interval;
pub use points::Points;
pub use space_time::SpaceTime;

/// A closed region of `ℝ^dim` that collocation points are drawn from.
///
/// Samplers fill [`Domain::bounds`], so a domain equal to its bounding box (every domain in
/// this module) is sampled exactly; the samplers check [`Domain::contains`] on what they
/// produce and return an error for points outside a non-box domain instead of returning them.
pub trait Domain {
    /// Dimension of the points (for [`SpaceTime`], space dimension + 1).
    fn dim(&self) -> usize;
    /// The smallest axis-aligned box containing the domain.
    fn bounds(&self) -> &BoxDomain;
    /// Whether `x` (of length `dim`) lies in the closed domain; `false` for a wrong length or a
    /// NaN coordinate.
    fn contains(&self, x: &[f64]) -> bool;
    /// The `dim`-dimensional volume (length, area, …).
    fn volume(&self) -> f64;
}
