//! The 1-D heat equation (DeepXDE's heat example).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param, pi};

/// Heat 1-D: `u_t = α u_xx` on `x ∈ [0, 1]`, `t ∈ [0, 1]` (inputs `(x, t)`); exact solution
/// `u = e^{−απ²t} sin(πx)`.
///
/// - **Source:** the heat-equation example of DeepXDE (L. Lu, X. Meng, Z. Mao, G. E.
///   Karniadakis, *DeepXDE: a deep learning library for solving differential equations*, SIAM
///   Rev. 63 (2021)), with `L = 1`, `n = 1` and its diffusivity `α = 0.4`.
/// - **Conditions:** `"initial"`: `u(x, 0) = sin(πx)` on [`Region::Initial`];
///   `"boundary"`: `u(0, t) = u(1, t) = 0` on [`Region::AllSpatialFaces`].
/// - **Residual:** `r = u_t − α u_xx`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heat1D {
    /// The diffusivity `α` (default 0.4).
    pub alpha: f64,
}

impl Default for Heat1D {
    fn default() -> Self {
        Heat1D { alpha: 0.4 }
    }
}

impl Heat1D {
    /// The problem with diffusivity `α > 0`.
    pub fn new(alpha: f64) -> Result<Self> {
        let p = Heat1D { alpha };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: S, t: S) -> S {
        let decay = -S::from_f64(self.alpha) * pi::<S>() * pi::<S>() * t;
        decay.exp() * (pi::<S>() * x).sin()
    }
}

impl Pde for Heat1D {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::First(1), Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(
        &self,
        _x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d(0, 1) - S::from_f64(self.alpha) * u.d2(0, 0, 0);
    }
    fn name(&self) -> String {
        format!("heat1d(alpha={})", self.alpha)
    }
}

impl Problem for Heat1D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("heat1d.alpha", self.alpha, true)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![self.exact(x[0], x[1])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| (core::f64::consts::PI * x[0]).sin()),
                Region::Initial,
            ),
            PlacedCondition::new(
                "boundary",
                Condition::dirichlet(0, |_| 0.0),
                Region::AllSpatialFaces,
            ),
        ]
    }
}
