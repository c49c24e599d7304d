//! Where a condition's points live in a box domain, and how to place points there.
//!
//! A problem's domain is the box `[lo₀, hi₀] × … × [lo_{d−1}, hi_{d−1}]`; for an evolution
//! problem the last coordinate is time. A [`Region`] names a part of that box (a face, the
//! initial slice, a pair of periodic faces, fixed points). [`Region::sample`] and
//! [`Region::grid`] turn it into a [`RegionPoints`]: the points, their outward unit normals
//! (faces only) and, for periodic pairs, the partner of every point.
//!
//! The *free* coordinates of a region are the ones not pinned by it: on the face `x_k = lo_k`
//! every coordinate but `k`; on the initial slice every coordinate but time.

use crate::error::{Error, Result};

/// Which end of an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The lower bound `lo_k`; outward normal `−e_k`.
    Lo,
    /// The upper bound `hi_k`; outward normal `+e_k`.
    Hi,
}

/// A part of a box domain where a condition (or the PDE) is imposed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Region {
    /// The whole box (for the PDE residual, or data inside the domain).
    Interior,
    /// The face `x_axis = lo_axis` ([`Side::Lo`]) or `x_axis = hi_axis` ([`Side::Hi`]), with
    /// outward normal `∓e_axis`.
    Face {
        /// The pinned axis `k`.
        axis: usize,
        /// Which end.
        side: Side,
    },
    /// Both faces of every spatial axis (every axis but the last of an evolution problem).
    AllSpatialFaces,
    /// The initial slice `t = lo_t` of an evolution problem (time is the last coordinate).
    Initial,
    /// Points on the face `x_axis = lo_axis`, each paired with the same point moved to
    /// `x_axis = hi_axis`, for `u(…, lo, …) = u(…, hi, …)`.
    PeriodicPair {
        /// The periodic axis `k`.
        axis: usize,
    },
    /// Fixed points, point-major (`d` numbers each), e.g. `u(0) = 0` inside the domain.
    Points(Vec<f64>),
}

/// Points placed in a [`Region`], point-major, in the layout a loss term takes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegionPoints {
    /// The dimension `d` of a point.
    pub dim: usize,
    /// The points, `d` numbers each.
    pub points: Vec<f64>,
    /// The outward unit normal of every point on a face ([`Region::Face`],
    /// [`Region::AllSpatialFaces`], and the `Lo` face of [`Region::PeriodicPair`]); empty for
    /// the other regions.
    pub normals: Vec<f64>,
    /// For [`Region::PeriodicPair`], the partner of every point (on the `Hi` face); else empty.
    pub partners: Vec<f64>,
}

impl RegionPoints {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len().checked_div(self.dim).unwrap_or(0)
    }
    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// Largest number of points [`Region::grid`] builds (a guard against `per_axisᵈ` blowing up).
pub const MAX_GRID_POINTS: usize = 1 << 26;

/// One face of the box: pinned axis, side.
type FaceId = (usize, Side);

impl Region {
    /// `n` points whose free coordinates are `lo_k + (hi_k − lo_k)·unit()`, drawn point by
    /// point, free axes in increasing order. `unit` should return numbers in `[0, 1]` (a seeded
    /// uniform stream such as [`crate::rng::uniform`], or a low-discrepancy sequence).
    ///
    /// - [`Region::AllSpatialFaces`] deals the points to the faces in turn, point `i` to face
    ///   `i mod 2s` in the order (axis 0, `Lo`), (axis 0, `Hi`), (axis 1, `Lo`), …, so every
    ///   face gets the same number (±1) whatever its area.
    /// - A region with no free coordinate (a face of a 1-D box, the initial instant of an ODE)
    ///   yields one point per face, whatever `n`; [`Region::Points`] yields its points.
    ///
    /// `evolution` says whether the last coordinate is time. Errors: bounds of unequal length,
    /// not finite or not increasing; an axis out of range; [`Region::Initial`] without time;
    /// [`Region::AllSpatialFaces`] without a spatial axis; [`Region::Points`] whose length is
    /// not a multiple of `d`; `n = 0`.
    pub fn sample(
        &self,
        lo: &[f64],
        hi: &[f64],
        evolution: bool,
        n: usize,
        mut unit: impl FnMut() -> f64,
    ) -> Result<RegionPoints> {
        check_box(lo, hi)?;
        if n == 0 {
            return Err(Error::InvalidConfig {
                field: "region.n",
                reason: "needs at least one point, found 0".into(),
            });
        }
        let d = lo.len();
        let faces = match self.faces(d, evolution)? {
            Some(faces) => faces,
            None => return self.fixed_points(d),
        };
        let mut out = RegionPoints {
            dim: d,
            ..RegionPoints::default()
        };
        let no_free = faces.iter().all(|&f| self.free_axes(f, d).is_empty());
        let count = if no_free { faces.len() } else { n };
        let mut x = vec![0.0; d];
        for i in 0..count {
            let face = faces[i % faces.len()];
            for (k, xk) in x.iter_mut().enumerate() {
                *xk = self.pinned_value(k, face, lo, hi);
            }
            for k in self.free_axes(face, d) {
                x[k] = lo[k] + (hi[k] - lo[k]) * unit();
            }
            self.push(&mut out, &x, face, hi);
        }
        Ok(out)
    }

    /// A tensor grid: `per_axis` equally spaced values, both ends included, on every free axis
    /// (so `per_axis^free` points per face), the first free axis varying fastest. With
    /// `per_axis = 101` on a 2-D box this is the 101×101 grid of the RoPINN benchmarks, in
    /// their order (x fastest, then t). [`Region::AllSpatialFaces`] concatenates the faces'
    /// grids in the order of [`Region::sample`]; corners appear once per face.
    ///
    /// Errors: those of [`Region::sample`], `per_axis < 2`, and grids above
    /// [`MAX_GRID_POINTS`].
    pub fn grid(
        &self,
        lo: &[f64],
        hi: &[f64],
        evolution: bool,
        per_axis: usize,
    ) -> Result<RegionPoints> {
        check_box(lo, hi)?;
        if per_axis < 2 {
            return Err(Error::InvalidConfig {
                field: "region.per_axis",
                reason: format!("a grid needs at least 2 values per axis, found {per_axis}"),
            });
        }
        let d = lo.len();
        let faces = match self.faces(d, evolution)? {
            Some(faces) => faces,
            None => return self.fixed_points(d),
        };
        let mut out = RegionPoints {
            dim: d,
            ..RegionPoints::default()
        };
        let mut x = vec![0.0; d];
        for &face in &faces {
            let free = self.free_axes(face, d);
            let total = u32::try_from(free.len())
                .ok()
                .and_then(|e| per_axis.checked_pow(e))
                .filter(|&t| t.saturating_mul(faces.len()) <= MAX_GRID_POINTS)
                .ok_or_else(|| Error::InvalidConfig {
                    field: "region.per_axis",
                    reason: format!(
                        "{per_axis}^{} points per face exceed the limit of {MAX_GRID_POINTS}",
                        free.len()
                    ),
                })?;
            for idx in 0..total {
                let mut rest = idx;
                for (k, xk) in x.iter_mut().enumerate() {
                    *xk = self.pinned_value(k, face, lo, hi);
                }
                for &k in &free {
                    let j = rest % per_axis;
                    rest /= per_axis;
                    x[k] = lo[k] + (hi[k] - lo[k]) * (j as f64 / (per_axis - 1) as f64);
                }
                self.push(&mut out, &x, face, hi);
            }
        }
        Ok(out)
    }

    /// The faces the region is made of (`None` inside a face list means "no pinned axis"), or
    /// `None` for fixed points.
    fn faces(&self, d: usize, evolution: bool) -> Result<Option<Vec<Option<FaceId>>>> {
        let axis_ok = |axis: usize| {
            if axis < d {
                Ok(())
            } else {
                Err(Error::InvalidConfig {
                    field: "region.axis",
                    reason: format!("axis {axis} does not exist in a {d}-dimensional box"),
                })
            }
        };
        Ok(Some(match self {
            Region::Interior => vec![None],
            Region::Face { axis, side } => {
                axis_ok(*axis)?;
                vec![Some((*axis, *side))]
            }
            Region::PeriodicPair { axis } => {
                axis_ok(*axis)?;
                vec![Some((*axis, Side::Lo))]
            }
            Region::AllSpatialFaces => {
                let spatial = if evolution { d.saturating_sub(1) } else { d };
                if spatial == 0 {
                    return Err(Error::InvalidConfig {
                        field: "region",
                        reason: "AllSpatialFaces needs a spatial axis; the box has none".into(),
                    });
                }
                (0..spatial)
                    .flat_map(|k| [Some((k, Side::Lo)), Some((k, Side::Hi))])
                    .collect()
            }
            Region::Initial => {
                if !evolution || d == 0 {
                    return Err(Error::InvalidConfig {
                        field: "region",
                        reason: "Initial needs an evolution problem (time as last coordinate)"
                            .into(),
                    });
                }
                vec![None]
            }
            Region::Points(_) => return Ok(None),
        }))
    }

    /// The coordinates that vary over `face` of the region, increasing: all but the face's
    /// axis, and but time on the initial slice.
    fn free_axes(&self, face: Option<FaceId>, d: usize) -> Vec<usize> {
        let initial = matches!(self, Region::Initial);
        (0..d)
            .filter(|&k| Some(k) != face.map(|f| f.0) && !(initial && k == d - 1))
            .collect()
    }

    /// The value of coordinate `k` if the region pins it (else `lo_k`, overwritten later).
    fn pinned_value(&self, k: usize, face: Option<FaceId>, lo: &[f64], hi: &[f64]) -> f64 {
        match face {
            Some((a, Side::Hi)) if a == k => hi[k],
            _ => lo[k],
        }
    }

    /// Appends point `x` with its normal and partner.
    fn push(&self, out: &mut RegionPoints, x: &[f64], face: Option<FaceId>, hi: &[f64]) {
        out.points.extend_from_slice(x);
        if let Some((axis, side)) = face {
            out.normals
                .extend((0..x.len()).map(|k| match (k == axis, side) {
                    (false, _) => 0.0,
                    (true, Side::Lo) => -1.0,
                    (true, Side::Hi) => 1.0,
                }));
        }
        if let Region::PeriodicPair { axis } = self {
            out.partners.extend(
                x.iter()
                    .enumerate()
                    .map(|(k, &v)| if k == *axis { hi[k] } else { v }),
            );
        }
    }

    /// The points of [`Region::Points`].
    fn fixed_points(&self, d: usize) -> Result<RegionPoints> {
        let Region::Points(p) = self else {
            return Ok(RegionPoints::default());
        };
        if p.is_empty() || !p.len().is_multiple_of(d) {
            return Err(Error::InvalidConfig {
                field: "region.points",
                reason: format!(
                    "needs a non-empty list of {d}-dimensional points, found {} numbers",
                    p.len()
                ),
            });
        }
        Ok(RegionPoints {
            dim: d,
            points: p.clone(),
            ..RegionPoints::default()
        })
    }
}

/// `lo` and `hi` of equal, non-zero length, finite, `lo_k < hi_k`.
fn check_box(lo: &[f64], hi: &[f64]) -> Result<()> {
    if lo.len() != hi.len() {
        return Err(Error::DimensionMismatch {
            what: "box bounds (hi vs lo)",
            expected: lo.len(),
            found: hi.len(),
        });
    }
    if lo.is_empty() {
        return Err(Error::InvalidConfig {
            field: "region.bounds",
            reason: "the box has no axis".into(),
        });
    }
    for (k, (&a, &b)) in lo.iter().zip(hi).enumerate() {
        if !(a.is_finite() && b.is_finite() && a < b) {
            return Err(Error::InvalidConfig {
                field: "region.bounds",
                reason: format!("axis {k} needs finite lo < hi, found [{a}, {b}]"),
            });
        }
    }
    Ok(())
}
