//! Boundaries made of box faces, their outward unit normals, and points drawn on them.

use super::{BoxDomain, Domain, Points};
use crate::error::{Error, Result};

/// Which end of an axis a face sits at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// `x_axis = lo_axis`, outward normal `−e_axis`.
    Lo,
    /// `x_axis = hi_axis`, outward normal `+e_axis`.
    Hi,
}

/// A face `{x : x_axis = lo_axis}` or `{x : x_axis = hi_axis}` of a box, with outward unit
/// normal `n = −e_axis` ([`Side::Lo`]) or `n = +e_axis` ([`Side::Hi`]).
///
/// ```
/// use pinn::domain::{Face, Side};
/// assert_eq!(Face::new(1, Side::Lo).normal(3)?, vec![0.0, -1.0, 0.0]);
/// assert!(Face::new(3, Side::Hi).normal(3).is_err()); // no axis 3 in 3D
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Face {
    /// The axis the face is orthogonal to.
    pub axis: usize,
    /// Which end of that axis.
    pub side: Side,
}

impl Face {
    /// The face at `side` of `axis`.
    pub const fn new(axis: usize, side: Side) -> Self {
        Face { axis, side }
    }

    /// The sign of the outward normal along `axis`: `−1` for [`Side::Lo`], `+1` for [`Side::Hi`].
    pub fn sign(&self) -> f64 {
        match self.side {
            Side::Lo => -1.0,
            Side::Hi => 1.0,
        }
    }

    /// The outward unit normal `±e_axis` in `ℝ^dim`. Errors if `axis ≥ dim` or if `dim`
    /// numbers cannot be allocated.
    pub fn normal(&self, dim: usize) -> Result<Vec<f64>> {
        if self.axis >= dim {
            return Err(face_axis_error(*self, dim));
        }
        let mut n = Vec::new();
        n.try_reserve_exact(dim).map_err(|_| Error::InvalidConfig {
            field: "face.normal.dim",
            reason: format!("cannot allocate a normal of dimension {dim}"),
        })?;
        n.resize(dim, 0.0);
        n[self.axis] = self.sign();
        Ok(n)
    }
}

/// A union of faces of one box: the whole surface `∂B`, the spatial boundary `∂Ω × [t0, t1]` of
/// a space-time box, the initial slice `Ω × {t0}`, or any subset (say, only the faces where a
/// Neumann condition holds).
///
/// The area of a face is its `(d−1)`-dimensional volume `∏_{j ≠ axis} (hi_j − lo_j)`; in 1D a
/// face is a point and counts as area 1.
///
/// ```
/// use pinn::domain::{Boundary, BoxDomain, Face, Side};
/// let rect = BoxDomain::new(&[0.0, 0.0], &[2.0, 1.0])?;
/// let walls = Boundary::new(rect, vec![Face::new(0, Side::Lo), Face::new(1, Side::Hi)])?;
/// assert_eq!(walls.face_area(0), Some(1.0)); // x = 0, y ∈ [0, 1]
/// assert_eq!(walls.face_area(1), Some(2.0)); // y = 1, x ∈ [0, 2]
/// assert!(walls.contains(&[0.0, 0.3]) && !walls.contains(&[2.0, 0.3]));
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    bounds: BoxDomain,
    faces: Vec<Face>,
}

impl Boundary {
    /// The given faces of `bounds`. Errors if `faces` is empty, names an axis `≥ dim`, or
    /// repeats a face.
    pub fn new(bounds: BoxDomain, faces: Vec<Face>) -> Result<Self> {
        if faces.is_empty() {
            return Err(Error::InvalidConfig {
                field: "boundary.faces",
                reason: "a boundary needs at least one face".into(),
            });
        }
        for (i, f) in faces.iter().enumerate() {
            if f.axis >= bounds.dim() {
                return Err(face_axis_error(*f, bounds.dim()));
            }
            if faces[..i].contains(f) {
                return Err(Error::InvalidConfig {
                    field: "boundary.faces",
                    reason: format!("face {f:?} is listed twice"),
                });
            }
        }
        Ok(Boundary { bounds, faces })
    }

    /// All `2d` faces, in the order `(0, Lo), (0, Hi), (1, Lo), (1, Hi), …`.
    pub fn all(bounds: BoxDomain) -> Self {
        let faces = (0..bounds.dim())
            .flat_map(|axis| [Face::new(axis, Side::Lo), Face::new(axis, Side::Hi)])
            .collect();
        Boundary { bounds, faces }
    }

    /// Internal constructor for faces already known to be valid and distinct.
    pub(crate) fn from_valid(bounds: BoxDomain, faces: Vec<Face>) -> Self {
        debug_assert!(Boundary::new(bounds.clone(), faces.clone()).is_ok());
        Boundary { bounds, faces }
    }

    /// The box whose faces these are.
    pub fn bounds(&self) -> &BoxDomain {
        &self.bounds
    }

    /// Dimension of the ambient space (of the points and normals).
    pub fn dim(&self) -> usize {
        self.bounds.dim()
    }

    /// The faces, in order.
    pub fn faces(&self) -> &[Face] {
        &self.faces
    }

    /// Area `∏_{j ≠ axis} (hi_j − lo_j)` of face `i` (1 in 1D), or `None` if `i` is out of range.
    pub fn face_area(&self, i: usize) -> Option<f64> {
        let face = self.faces.get(i)?;
        Some(
            (0..self.dim())
                .filter(|&j| j != face.axis)
                .map(|j| self.bounds.hi()[j] - self.bounds.lo()[j])
                .product(),
        )
    }

    /// Total area `Σ_i face_area(i)`.
    pub fn area(&self) -> f64 {
        (0..self.faces.len())
            .filter_map(|i| self.face_area(i))
            .sum()
    }

    /// Outward unit normal of face `i`, or `None` if `i` is out of range.
    pub fn normal(&self, i: usize) -> Option<Vec<f64>> {
        self.faces.get(i)?.normal(self.dim()).ok()
    }

    /// Whether `x` lies on one of the faces: inside the closed box with `x_axis` exactly equal
    /// to the face's bound.
    pub fn contains(&self, x: &[f64]) -> bool {
        self.bounds.contains(x)
            && self.faces.iter().any(|f| {
                let bound = match f.side {
                    Side::Lo => self.bounds.lo()[f.axis],
                    Side::Hi => self.bounds.hi()[f.axis],
                };
                x[f.axis] == bound
            })
    }
}

/// Points on a boundary, each with the outward unit normal and the face it was drawn on.
///
/// `points().point(i)` lies on `faces()[i]`, whose outward normal is `normals().point(i)`.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryPoints {
    points: Points,
    normals: Points,
    faces: Vec<Face>,
}

impl BoundaryPoints {
    /// Bundles points, normals and faces. Errors unless all three have the same length and the
    /// normals the points' dimension.
    pub fn new(points: Points, normals: Points, faces: Vec<Face>) -> Result<Self> {
        if normals.dim() != points.dim() {
            return Err(Error::DimensionMismatch {
                what: "normal dimension",
                expected: points.dim(),
                found: normals.dim(),
            });
        }
        for (what, found) in [("normals", normals.len()), ("faces", faces.len())] {
            if found != points.len() {
                return Err(Error::DimensionMismatch {
                    what,
                    expected: points.len(),
                    found,
                });
            }
        }
        Ok(BoundaryPoints {
            points,
            normals,
            faces,
        })
    }

    /// The points.
    pub fn points(&self) -> &Points {
        &self.points
    }

    /// The outward unit normal at each point.
    pub fn normals(&self) -> &Points {
        &self.normals
    }

    /// The face each point lies on.
    pub fn faces(&self) -> &[Face] {
        &self.faces
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// `true` when there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// `(points, normals, faces)`.
    pub fn into_parts(self) -> (Points, Points, Vec<Face>) {
        (self.points, self.normals, self.faces)
    }
}

fn face_axis_error(face: Face, dim: usize) -> Error {
    Error::InvalidConfig {
        field: "face.axis",
        reason: format!("axis {} does not exist in dimension {dim}", face.axis),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_validation() {
        let b = BoxDomain::unit(2).unwrap();
        assert!(Boundary::new(b.clone(), vec![]).is_err());
        assert!(Boundary::new(b.clone(), vec![Face::new(2, Side::Lo)]).is_err());
        let f = Face::new(1, Side::Hi);
        assert!(Boundary::new(b.clone(), vec![f, f]).is_err());
        let all = Boundary::all(b);
        assert_eq!(all.faces().len(), 4);
        assert_eq!(all.area(), 4.0);
        assert_eq!(all.face_area(4), None);
        assert_eq!(all.normal(2), Some(vec![0.0, -1.0]));
    }

    #[test]
    fn one_dimensional_faces_are_points_of_area_one() {
        let b = Boundary::all(BoxDomain::new(&[2.0], &[5.0]).unwrap());
        assert_eq!(b.area(), 2.0);
        assert!(b.contains(&[2.0]) && b.contains(&[5.0]) && !b.contains(&[3.0]));
    }

    #[test]
    fn boundary_points_shapes() {
        let p = Points::new(vec![0.0, 1.0], 2).unwrap();
        let n = Points::new(vec![-1.0, 0.0], 2).unwrap();
        let f = vec![Face::new(0, Side::Lo)];
        assert!(BoundaryPoints::new(p.clone(), n.clone(), vec![]).is_err());
        assert!(BoundaryPoints::new(p.clone(), Points::empty(2).unwrap(), f.clone()).is_err());
        assert!(
            BoundaryPoints::new(p.clone(), Points::new(vec![1.0], 1).unwrap(), f.clone()).is_err()
        );
        let bp = BoundaryPoints::new(p, n, f).unwrap();
        assert_eq!(bp.len(), 1);
        assert!(!bp.is_empty());
    }
}
