//! 1-D convection (the RoPINN / PINNsFormer benchmark).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// Convection: `u_t + β u_x = 0` on `x ∈ [0, 2π]`, `t ∈ [0, 1]` (inputs `(x, t)`); exact
/// solution `u = sin(x − βt)`.
///
/// - **Source:** H. Wu, H. Luo, Y. Ma, J. Wang, M. Long, *RoPINN: Region optimized
///   physics-informed neural networks*, NeurIPS 2024, App. C.1, as coded in its
///   `convection_*` scripts (`β = 50`; the paper's `β·∂u/∂t` is a typo), after
///   Krishnapriyan et al., *Characterizing possible failure modes in PINNs*, NeurIPS 2021.
/// - **Conditions:** `"initial"`: `u(x, 0) = sin x` on [`Region::Initial`]; `"periodic"`:
///   `u(0, t) = u(2π, t)` on [`Region::PeriodicPair`] along `x`.
/// - **Residual:** `r = u_t + β u_x`.
/// - **Grid:** the benchmark's residual and test set is the 101×101 grid of the box
///   ([`Problem::grid_region`] on [`Region::Interior`] with 101 per axis).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Convection {
    /// The speed `β` (default 50).
    pub beta: f64,
}

impl Default for Convection {
    fn default() -> Self {
        Convection { beta: 50.0 }
    }
}

impl Convection {
    /// The problem with a finite speed `β`.
    pub fn new(beta: f64) -> Result<Self> {
        let p = Convection { beta };
        p.validate()?;
        Ok(p)
    }
}

impl Pde for Convection {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::First(0), Component::First(1)]
    }
    fn residual<S: Scalar>(
        &self,
        _x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d(0, 1) + S::from_f64(self.beta) * u.d(0, 0);
    }
    fn name(&self) -> String {
        format!("convection(beta={})", self.beta)
    }
}

impl Problem for Convection {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![core::f64::consts::TAU, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("convection.beta", self.beta, false)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![(x[0] - S::from_f64(self.beta) * x[1]).sin()])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| x[0].sin()),
                Region::Initial,
            ),
            PlacedCondition::new(
                "periodic",
                Condition::Periodic { output: 0 },
                Region::PeriodicPair { axis: 0 },
            ),
        ]
    }
}
