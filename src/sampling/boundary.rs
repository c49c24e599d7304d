//! Points on a boundary, with outward normals.

use super::check_request;
use crate::domain::{Boundary, BoundaryPoints, Points, Side};
use crate::error::Result;
use crate::rng::{Seed, uniform};

/// Draws points on a [`Boundary`] (box faces: all of `∂B`, the spatial boundary of a
/// space-time cylinder, the initial slice, …), each with its outward unit normal and face.
pub trait BoundarySampler {
    /// `n` points on `boundary`, drawn from the stream `seed`.
    fn sample_boundary(&self, boundary: &Boundary, n: usize, seed: Seed) -> Result<BoundaryPoints>;
}

/// I.i.d. points uniform with respect to surface area on a [`Boundary`].
///
/// Each point picks face `f` with probability `area(f) / Σ area` (so the expected count on a
/// face is proportional to its area; a 1D face counts as area 1), then draws its other
/// coordinates uniformly on the face; the coordinate across the face is exactly `lo_axis` or
/// `hi_axis`. Per point, from `seed.rng()`: one uniform for the face, then one per remaining
/// axis in increasing order.
///
/// ```
/// use pinn::domain::BoxDomain;
/// use pinn::rng::Seed;
/// use pinn::sampling::{BoundarySampler, UniformBoundary};
/// let square = BoxDomain::unit(2)?;
/// let bp = UniformBoundary.sample_boundary(&square.boundary(), 100, Seed(0))?;
/// for ((x, n), face) in bp.points().iter().zip(bp.normals()).zip(bp.faces()) {
///     let on_face = if n[face.axis] < 0.0 { 0.0 } else { 1.0 };
///     assert_eq!(x[face.axis], on_face);
///     assert_eq!(n.iter().map(|c| c * c).sum::<f64>(), 1.0);
/// }
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UniformBoundary;

impl BoundarySampler for UniformBoundary {
    fn sample_boundary(&self, boundary: &Boundary, n: usize, seed: Seed) -> Result<BoundaryPoints> {
        let bounds = boundary.bounds();
        let dim = check_request(bounds, n)?;
        let faces = boundary.faces();
        let cumulative: Vec<f64> = (0..faces.len())
            .scan(0.0, |acc, i| {
                *acc += boundary.face_area(i).unwrap_or(0.0);
                Some(*acc)
            })
            .collect();
        let total = cumulative.last().copied().unwrap_or(0.0);
        let mut rng = seed.rng();
        let mut points = Vec::with_capacity(n * dim);
        let mut normals = vec![0.0; n * dim];
        let mut on = Vec::with_capacity(n);
        for i in 0..n {
            let r = uniform(&mut rng) * total;
            let f = cumulative
                .iter()
                .position(|&c| r < c)
                .unwrap_or(faces.len() - 1);
            let face = faces[f];
            for k in 0..dim {
                points.push(if k == face.axis {
                    match face.side {
                        Side::Lo => bounds.lo()[k],
                        Side::Hi => bounds.hi()[k],
                    }
                } else {
                    bounds.scale(k, uniform(&mut rng))
                });
            }
            normals[i * dim + face.axis] = face.sign();
            on.push(face);
        }
        BoundaryPoints::new(
            Points::from_parts(points, dim),
            Points::from_parts(normals, dim),
            on,
        )
    }
}
