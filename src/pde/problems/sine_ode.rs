//! The first-order ODE `u′ = cos ωx` of the FBPINN paper.

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// `du/dx = cos(ωx)` on `x ∈ [−2π, 2π]`, `u(0) = 0`; exact solution `u = sin(ωx)/ω`.
///
/// - **Source:** B. Moseley, A. Markham, T. Nissen-Meyer, *Finite basis physics-informed
///   neural networks (FBPINNs)*, Adv. Comput. Math. 49 (2023): the `Cos1D` problem of its
///   `paper_main_1D.py`, in the multi-scale case `ω = 15` (the paper also runs `ω = 1`).
/// - **Conditions:** `"origin"`: `u(0) = 0` at the single point [`Region::Points`]`([0.0])`
///   (in the middle of the domain, not at an end).
/// - **Residual:** `r = u_x − cos(ωx)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SineOde {
    /// The angular frequency `ω` (default 15).
    pub omega: f64,
}

impl Default for SineOde {
    fn default() -> Self {
        SineOde { omega: 15.0 }
    }
}

impl SineOde {
    /// The problem with a finite `ω ≠ 0`.
    pub fn new(omega: f64) -> Result<Self> {
        let p = SineOde { omega };
        p.validate()?;
        Ok(p)
    }
}

impl Pde for SineOde {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::First(0)]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d(0, 0) - (S::from_f64(self.omega) * x[0]).cos();
    }
    fn name(&self) -> String {
        format!("sine_ode(omega={})", self.omega)
    }
}

impl Problem for SineOde {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let l = 2.0 * core::f64::consts::PI;
        (vec![-l], vec![l])
    }
    fn validate(&self) -> Result<()> {
        check_param("sine_ode.omega", self.omega, false)?;
        if self.omega == 0.0 {
            return Err(Error::InvalidConfig {
                field: "sine_ode.omega",
                reason: "must be non-zero (the solution is sin(ωx)/ω)".into(),
            });
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        let w = S::from_f64(self.omega);
        (x.len() == 1).then(|| vec![(w * x[0]).sin() / w])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![PlacedCondition::new(
            "origin",
            Condition::dirichlet(0, |_| 0.0),
            Region::Points(vec![0.0]),
        )]
    }
}
