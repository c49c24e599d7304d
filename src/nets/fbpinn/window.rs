//! FBPINN window functions, generic over [`Scalar`] so their derivatives flow through
//! [`Dual`](crate::ad::Dual), [`HyperDual`](crate::ad::HyperDual) and the tape.
//!
//! - [`SigmoidWindow`]: the original paper's product of sigmoids centred on the partition
//!   edges, not normalised (spec §3.1).
//! - [`CosineWindow`]: the JAX library's `Π_d cos⁴(π z_d/2)` on the support, 0 outside
//!   (spec §3.3), normalised afterwards by [`partition_of_unity`] (one level) or
//!   [`multilevel_average`] (several levels).
//! - [`Window`]: either of them, or the constant 1 of a single subdomain covering the whole
//!   domain (the library's `flags = 0`).

use crate::ad::Scalar;
use crate::error::{Error, Result, check_len};

/// The sigmoid scale of the original code: a factor is `σ((x − x_j)/(SIGMOID_SCALE·o_j))`.
pub const SIGMOID_SCALE: f64 = 0.05;

/// The floor each sigmoid factor is clamped to from below (the original code's `1e-10`).
pub const SIGMOID_FLOOR: f64 = 1e-10;

/// One side of a [`SigmoidWindow`] in one dimension: the partition edge `x_j` and the
/// overlap width `o_j` at that edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SigmoidSide {
    /// The partition edge `x_j` the sigmoid is centred on.
    pub edge: f64,
    /// The overlap width `o_j` at that edge; the sigmoid's scale is `0.05·o_j`.
    pub overlap: f64,
}

/// The window of the original FBPINN code (Moseley, Markham & Nissen-Meyer 2023, spec §3.1),
/// a product over dimensions of
///
/// `w(x) = max(σ((x − x_j)/(0.05·o_j)), 1e-10) · max(σ((x_{j+1} − x)/(0.05·o_{j+1})), 1e-10)`,
///
/// where `[x_j, x_{j+1}]` is the subdomain's non-overlapped cell and `o_j` the overlap at
/// edge `x_j`. A side with no sigmoid (`None`: the domain boundary) contributes a factor of
/// one. Adjacent cells share an edge and its scale and `σ(z) + σ(−z) = 1`, so the windows of
/// a tensor-product partition sum to 1 up to the clamp and to the overlap of the sigmoids of
/// two different edges (see the tests, `tests/fbpinn_window.rs`). Not normalised.
///
/// ```
/// use pinn::nets::fbpinn::{SigmoidSide, SigmoidWindow};
/// // The first of two cells [0, 1], [1, 2] with overlap 0.5 at the edge 1.
/// let w = SigmoidWindow::new(vec![(None, Some(SigmoidSide { edge: 1.0, overlap: 0.5 }))])?;
/// assert_eq!(w.eval(&[1.0_f64])?, 0.5); // σ(0) on the shared edge
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SigmoidWindow {
    sides: Vec<(Option<SigmoidSide>, Option<SigmoidSide>)>,
}

impl SigmoidWindow {
    /// The window with, per dimension, its (left, right) sides.
    ///
    /// Errors (`InvalidConfig` on `"sides"`): no dimension; an edge not finite; an overlap
    /// not finite and `> 0`; a left edge not below the right edge of the same dimension.
    pub fn new(sides: Vec<(Option<SigmoidSide>, Option<SigmoidSide>)>) -> Result<Self> {
        let bad = |reason: String| Error::InvalidConfig {
            field: "sides",
            reason,
        };
        if sides.is_empty() {
            return Err(bad("no dimension".into()));
        }
        for (d, (left, right)) in sides.iter().enumerate() {
            for s in [left, right].into_iter().flatten() {
                if !s.edge.is_finite() {
                    return Err(bad(format!(
                        "edge {} in dimension {d} is not finite",
                        s.edge
                    )));
                }
                if !(s.overlap.is_finite() && s.overlap > 0.0) {
                    return Err(bad(format!(
                        "overlap {} in dimension {d} is not finite and > 0",
                        s.overlap
                    )));
                }
            }
            if let (Some(l), Some(r)) = (left, right)
                && l.edge >= r.edge
            {
                return Err(bad(format!(
                    "left edge {} is not below right edge {} in dimension {d}",
                    l.edge, r.edge
                )));
            }
        }
        Ok(SigmoidWindow { sides })
    }

    /// The number of dimensions.
    pub fn dim(&self) -> usize {
        self.sides.len()
    }

    /// The (left, right) sides per dimension.
    pub fn sides(&self) -> &[(Option<SigmoidSide>, Option<SigmoidSide>)] {
        &self.sides
    }

    /// `w(x)`. Errors: `x` not of length [`dim`](Self::dim) (`DimensionMismatch`).
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Result<S> {
        check_len("sigmoid window point", self.sides.len(), x.len())?;
        let mut w = S::one();
        for (&xd, (left, right)) in x.iter().zip(&self.sides) {
            if let Some(l) = left {
                w *= clamped_sigmoid(
                    (xd - S::from_f64(l.edge)) / S::from_f64(SIGMOID_SCALE * l.overlap),
                );
            }
            if let Some(r) = right {
                w *= clamped_sigmoid(
                    (S::from_f64(r.edge) - xd) / S::from_f64(SIGMOID_SCALE * r.overlap),
                );
            }
        }
        Ok(w)
    }
}

/// `max(σ(z), 1e-10)`: the constant floor (zero derivative) where `σ(z) < 1e-10`.
fn clamped_sigmoid<S: Scalar>(z: S) -> S {
    let s = z.sigmoid();
    if s.to_f64() < SIGMOID_FLOOR {
        S::from_f64(SIGMOID_FLOOR)
    } else {
        s
    }
}

/// The cosine window of the JAX FBPINN library (`windows.cosine`, spec §3.3) on the support
/// `[μ − s, μ + s]`:
///
/// `ŵ(x) = Π_d ((1 + cos(π z_d))/2)² = Π_d cos⁴(π z_d/2)`, `z = (x − μ)/s`, if every
/// `|z_d| ≤ 1`, and `ŵ(x) = 0` outside.
///
/// It is evaluated in the first form, as the library does, so it is exactly 0 at the ends
/// of the support. It is `C³` there: `cos⁴(π z/2)` behaves like `(π(1 − |z|)/2)⁴`.
///
/// ```
/// use pinn::nets::fbpinn::CosineWindow;
/// let w = CosineWindow::new(vec![0.0], vec![2.0])?;
/// assert_eq!(w.eval(&[0.0_f64])?, 1.0);
/// assert!((w.eval(&[1.0_f64])? - 0.25).abs() < 1e-15); // cos⁴(π/4) = 1/4
/// assert_eq!(w.eval(&[2.5_f64])?, 0.0);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CosineWindow {
    centre: Vec<f64>,
    half_width: Vec<f64>,
}

impl CosineWindow {
    /// The window with centre `μ` and half-width `s` per dimension.
    ///
    /// Errors: no dimension or `μ` not finite (`InvalidConfig` on `"centre"`); `s` not finite
    /// and `> 0` (`"half_width"`); different lengths (`DimensionMismatch`).
    pub fn new(centre: Vec<f64>, half_width: Vec<f64>) -> Result<Self> {
        if centre.is_empty() {
            return Err(Error::InvalidConfig {
                field: "centre",
                reason: "no dimension".into(),
            });
        }
        check_len("cosine window half_width", centre.len(), half_width.len())?;
        if let Some(c) = centre.iter().find(|c| !c.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "centre",
                reason: format!("{c} is not finite"),
            });
        }
        if let Some(s) = half_width.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(Error::InvalidConfig {
                field: "half_width",
                reason: format!("{s} is not finite and > 0"),
            });
        }
        Ok(CosineWindow { centre, half_width })
    }

    /// The number of dimensions.
    pub fn dim(&self) -> usize {
        self.centre.len()
    }

    /// The centre `μ`.
    pub fn centre(&self) -> &[f64] {
        &self.centre
    }

    /// The half-width `s`.
    pub fn half_width(&self) -> &[f64] {
        &self.half_width
    }

    /// `ŵ(x)`. Errors: `x` not of length [`dim`](Self::dim) (`DimensionMismatch`).
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Result<S> {
        check_len("cosine window point", self.centre.len(), x.len())?;
        let mut w = S::one();
        for ((&xd, &mu), &s) in x.iter().zip(&self.centre).zip(&self.half_width) {
            let z = (xd - S::from_f64(mu)) / S::from_f64(s);
            // A NaN coordinate is outside every support.
            let a = z.to_f64().abs();
            if a > 1.0 || a.is_nan() {
                return Ok(S::zero());
            }
            let h = (S::one() + (z * S::from_f64(core::f64::consts::PI)).cos()) * S::from_f64(0.5);
            w *= h * h;
        }
        Ok(w)
    }
}

/// The window of one subdomain.
#[derive(Clone, Debug, PartialEq)]
pub enum Window {
    /// The constant 1: the only subdomain of its level, covering the whole domain (the JAX
    /// library's `flags = 0`).
    One,
    /// The original paper's [`SigmoidWindow`].
    Sigmoid(SigmoidWindow),
    /// The library's [`CosineWindow`].
    Cosine(CosineWindow),
}

impl Window {
    /// The raw (not normalised) window at `x`: 1, the sigmoid product, or the cosine window.
    /// Errors: `x` of the wrong length (`DimensionMismatch`; [`Window::One`] accepts any).
    pub fn eval<S: Scalar>(&self, x: &[S]) -> Result<S> {
        match self {
            Window::One => Ok(S::one()),
            Window::Sigmoid(w) => w.eval(x),
            Window::Cosine(w) => w.eval(x),
        }
    }
}

/// The partition-of-unity normalisation of one level (the library's `FBPINN_model`):
/// `w_j(x) = ŵ_j(x) / Σ_k ŵ_k(x)` over the raw windows `ŵ` of the level's subdomains that
/// cover `x`, in their order.
///
/// Errors (`InvalidConfig` on `"windows"`): empty; a value not finite or negative; a sum that
/// is not `> 0`.
///
/// ```
/// use pinn::nets::fbpinn::partition_of_unity;
/// assert_eq!(partition_of_unity(&[1.0, 3.0])?, vec![0.25, 0.75]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn partition_of_unity<S: Scalar>(raw: &[S]) -> Result<Vec<S>> {
    let bad = |reason: String| Error::InvalidConfig {
        field: "windows",
        reason,
    };
    if raw.is_empty() {
        return Err(bad("no window covers the point".into()));
    }
    let mut sum = S::zero();
    for w in raw {
        let v = w.to_f64();
        if !(v.is_finite() && v >= 0.0) {
            return Err(bad(format!("window value {v} is not finite and >= 0")));
        }
        sum += *w;
    }
    let s = sum.to_f64();
    if !(s.is_finite() && s > 0.0) {
        return Err(bad(format!("the windows sum to {s}, not > 0")));
    }
    Ok(raw.iter().map(|&w| w / sum).collect())
}

/// The multilevel weights of the library (Dolean et al. 2024, spec §3.3): each level is
/// normalised separately and the levels are averaged,
///
/// `w_j(x) = (1/L) · ŵ_j(x) / Σ_{k ∈ level(j)} ŵ_k(x)`,
///
/// where `raw[i]` is the raw window of a subdomain covering `x` and `levels[i] < L` its level.
/// The weights sum to 1 when every level covers `x`, which is required.
///
/// Errors: `levels` not as long as `raw` (`DimensionMismatch`); `n_levels = 0`, a level
/// `≥ n_levels` or a level with no window (`InvalidConfig` on `"levels"`); a level's windows
/// as [`partition_of_unity`] rejects them (`"windows"`).
///
/// ```
/// use pinn::nets::fbpinn::multilevel_average;
/// // Level 0: one window; level 1: two windows 1 and 3.
/// let w = multilevel_average(&[1.0, 1.0, 3.0], &[0, 1, 1], 2)?;
/// assert_eq!(w, vec![0.5, 0.125, 0.375]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn multilevel_average<S: Scalar>(
    raw: &[S],
    levels: &[usize],
    n_levels: usize,
) -> Result<Vec<S>> {
    check_len("multilevel window levels", raw.len(), levels.len())?;
    let bad = |reason: String| Error::InvalidConfig {
        field: "levels",
        reason,
    };
    if n_levels == 0 {
        return Err(bad("n_levels is 0".into()));
    }
    if let Some(l) = levels.iter().find(|&&l| l >= n_levels) {
        return Err(bad(format!("level {l} is not below n_levels = {n_levels}")));
    }
    let mut out = vec![S::zero(); raw.len()];
    let inv_l = S::from_f64(1.0 / n_levels as f64);
    for level in 0..n_levels {
        let idx: Vec<usize> = (0..raw.len()).filter(|&i| levels[i] == level).collect();
        if idx.is_empty() {
            return Err(bad(format!("no window of level {level} covers the point")));
        }
        let own: Vec<S> = idx.iter().map(|&i| raw[i]).collect();
        for (&i, w) in idx.iter().zip(partition_of_unity(&own)?) {
            out[i] = w * inv_l;
        }
    }
    Ok(out)
}
