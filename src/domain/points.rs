//! A set of points in `ℝ^dim`, stored point-major.

use crate::error::{Error, Result};

/// `len()` points of dimension `dim`, stored point-major: the `dim` coordinates of point `i`
/// are `data[i·dim .. (i+1)·dim]`.
///
/// This is the crate's one convention for point sets (collocation points, boundary points,
/// normals): a flat `Vec<f64>` a batch can be cut from without copying.
///
/// ```
/// use pinn::domain::Points;
/// let mut p = Points::new(vec![0.0, 1.0, 2.0, 3.0], 2)?; // (0, 1) and (2, 3)
/// p.push(&[4.0, 5.0])?;
/// assert_eq!(p.len(), 3);
/// assert_eq!(p.point(1), &[2.0, 3.0]);
/// assert_eq!(p.iter().map(|x| x[0]).sum::<f64>(), 6.0);
/// assert!(p.push(&[1.0]).is_err()); // wrong dimension
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Points {
    data: Vec<f64>,
    dim: usize,
}

impl Points {
    /// Wraps point-major coordinates. Errors if `dim == 0` or `data.len()` is not a multiple of
    /// `dim`.
    pub fn new(data: Vec<f64>, dim: usize) -> Result<Self> {
        check_dim(dim)?;
        if !data.len().is_multiple_of(dim) {
            return Err(Error::InvalidConfig {
                field: "points.data",
                reason: format!("length {} is not a multiple of dim = {dim}", data.len()),
            });
        }
        Ok(Points { data, dim })
    }

    /// No points, of dimension `dim` (≥ 1).
    pub fn empty(dim: usize) -> Result<Self> {
        check_dim(dim)?;
        Ok(Points {
            data: Vec::new(),
            dim,
        })
    }

    /// Internal constructor for callers that uphold `dim ≥ 1` and `data.len() % dim == 0`.
    pub(crate) fn from_parts(data: Vec<f64>, dim: usize) -> Self {
        debug_assert!(dim >= 1 && data.len().is_multiple_of(dim));
        Points { data, dim }
    }

    /// Dimension of every point.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    /// `true` when there are no points.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Point `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`, like slice indexing; [`Points::get`] is the checked form.
    pub fn point(&self, i: usize) -> &[f64] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Point `i`, or `None` if `i >= self.len()`.
    pub fn get(&self, i: usize) -> Option<&[f64]> {
        self.data.get(i * self.dim..(i + 1) * self.dim)
    }

    /// The points in order, each as a `dim`-slice.
    pub fn iter(&self) -> core::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.dim)
    }

    /// All coordinates, point-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Mutable coordinates, point-major (the length cannot change).
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The coordinates, point-major.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Appends one point. Errors if `x.len() != dim`.
    pub fn push(&mut self, x: &[f64]) -> Result<()> {
        self.check_same_dim(x.len())?;
        self.data.extend_from_slice(x);
        Ok(())
    }

    /// Appends every point of `other` (residual-based refinement adds points this way).
    /// Errors if the dimensions differ.
    pub fn extend_from(&mut self, other: &Points) -> Result<()> {
        self.check_same_dim(other.dim)?;
        self.data.extend_from_slice(&other.data);
        Ok(())
    }

    fn check_same_dim(&self, found: usize) -> Result<()> {
        if found != self.dim {
            return Err(Error::DimensionMismatch {
                what: "point dimension",
                expected: self.dim,
                found,
            });
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a Points {
    type Item = &'a [f64];
    type IntoIter = core::slice::ChunksExact<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn check_dim(dim: usize) -> Result<()> {
    if dim == 0 {
        return Err(Error::InvalidConfig {
            field: "points.dim",
            reason: "must be at least 1, found 0".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_shapes() {
        assert!(Points::new(vec![1.0; 5], 2).is_err());
        assert!(Points::new(vec![], 0).is_err());
        assert!(Points::empty(0).is_err());
        let mut a = Points::empty(3).unwrap();
        assert!(a.is_empty());
        assert!(a.extend_from(&Points::empty(2).unwrap()).is_err());
        a.extend_from(&Points::new(vec![1.0; 6], 3).unwrap())
            .unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a.get(2), None);
        assert_eq!(a.get(1), Some(&[1.0, 1.0, 1.0][..]));
        assert_eq!((&a).into_iter().count(), 2);
    }
}
