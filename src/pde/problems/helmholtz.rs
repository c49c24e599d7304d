//! Helmholtz 2-D (Wang, Teng & Perdikaris 2021).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, Side, check_param, pi};

/// Helmholtz 2-D: `Δu + λu = q(x, y)` on `(x, y) ∈ [−1, 1]²`, with
/// `q = (λ − (a₁π)² − (a₂π)²) sin(a₁πx) sin(a₂πy)`; exact solution
/// `u = sin(a₁πx) sin(a₂πy)`.
///
/// - **Source:** S. Wang, Y. Teng, P. Perdikaris, *Understanding and mitigating gradient flow
///   pathologies in physics-informed neural networks*, SIAM J. Sci. Comput. 43 (2021), §3.1,
///   and its code `Helmholtz/Helmholtz2D.py` (`a1 = 1`, `a2 = 4`, `lam = 1`; the paper writes
///   `k²` for `λ`).
/// - **Conditions:** Dirichlet `u = u*` (zero up to round-off for integer `a₁`, `a₂`) on the
///   four sides as four terms, in the code's order: `"bottom"` (`y = −1`), `"right"`
///   (`x = 1`), `"top"` (`y = 1`), `"left"` (`x = −1`).
/// - **Residual:** `r = Δu + λu − q`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Helmholtz2D {
    /// `a₁`, the frequency in `x` (default 1).
    pub a1: f64,
    /// `a₂`, the frequency in `y` (default 4).
    pub a2: f64,
    /// `λ` (default 1).
    pub lambda: f64,
}

impl Default for Helmholtz2D {
    fn default() -> Self {
        Helmholtz2D {
            a1: 1.0,
            a2: 4.0,
            lambda: 1.0,
        }
    }
}

impl Helmholtz2D {
    /// The problem with frequencies `a₁`, `a₂` and coefficient `λ` (all finite).
    pub fn new(a1: f64, a2: f64, lambda: f64) -> Result<Self> {
        let p = Helmholtz2D { a1, a2, lambda };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: S, y: S) -> S {
        let (a1, a2) = (S::from_f64(self.a1), S::from_f64(self.a2));
        (a1 * pi::<S>() * x).sin() * (a2 * pi::<S>() * y).sin()
    }
}

impl Pde for Helmholtz2D {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::Laplacian]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        use core::f64::consts::PI;
        let (k1, k2) = (self.a1 * PI, self.a2 * PI);
        let q = S::from_f64(self.lambda - k1 * k1 - k2 * k2) * self.exact(x[0], x[1]);
        r[0] = u.lap(0) + S::from_f64(self.lambda) * u.u(0) - q;
    }
    fn name(&self) -> String {
        format!(
            "helmholtz2d(a1={}, a2={}, lambda={})",
            self.a1, self.a2, self.lambda
        )
    }
}

impl Problem for Helmholtz2D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-1.0, -1.0], vec![1.0, 1.0])
    }
    fn validate(&self) -> Result<()> {
        check_param("helmholtz2d.a1", self.a1, false)?;
        check_param("helmholtz2d.a2", self.a2, false)?;
        check_param("helmholtz2d.lambda", self.lambda, false)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![self.exact(x[0], x[1])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let p = *self;
        let side = |name: &str, axis: usize, side: Side| {
            PlacedCondition::new(
                name,
                Condition::dirichlet(0, move |x| p.exact(x[0], x[1])),
                Region::Face { axis, side },
            )
        };
        vec![
            side("bottom", 1, Side::Lo),
            side("right", 0, Side::Hi),
            side("top", 1, Side::Hi),
            side("left", 0, Side::Lo),
        ]
    }
}
