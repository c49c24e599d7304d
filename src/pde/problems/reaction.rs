//! 1-D reaction, logistic growth (the RoPINN / PINNsFormer benchmark).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param, pi};

/// Reaction: `u_t − ρ u(1 − u) = 0` on `x ∈ [0, 2π]`, `t ∈ [0, 1]` (inputs `(x, t)`), with
/// `u(x, 0) = h(x) = exp(−(x − π)² / (2(π/4)²))`; exact solution
/// `u = h e^{ρt} / (h e^{ρt} + 1 − h)`.
///
/// - **Source:** H. Wu et al., *RoPINN: Region optimized physics-informed neural networks*,
///   NeurIPS 2024, App. C.1, as coded in its `1d_reaction_*` scripts (`ρ = 5`; the paper's
///   `h` omits the square), after Krishnapriyan et al., NeurIPS 2021.
/// - **Conditions:** `"initial"`: `u(x, 0) = h(x)` on [`Region::Initial`]; `"periodic"`:
///   `u(0, t) = u(2π, t)` on [`Region::PeriodicPair`] along `x`.
/// - **Residual:** `r = u_t − ρ u(1 − u)`.
/// - **Grid:** the benchmark's residual and test set is the 101×101 grid of the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reaction {
    /// The growth rate `ρ` (default 5).
    pub rho: f64,
}

impl Default for Reaction {
    fn default() -> Self {
        Reaction { rho: 5.0 }
    }
}

impl Reaction {
    /// The problem with a finite rate `ρ`.
    pub fn new(rho: f64) -> Result<Self> {
        let p = Reaction { rho };
        p.validate()?;
        Ok(p)
    }

    /// The initial profile `h(x) = exp(−(x − π)² / (2(π/4)²))`.
    pub fn initial_profile<S: Scalar>(x: S) -> S {
        let z = (x - pi::<S>()) / (pi::<S>() * S::from_f64(0.25));
        (-(z * z) * S::from_f64(0.5)).exp()
    }
}

impl Pde for Reaction {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::First(1)]
    }
    fn residual<S: Scalar>(
        &self,
        _x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let v = u.u(0);
        r[0] = u.d(0, 1) - S::from_f64(self.rho) * v * (S::one() - v);
    }
    fn name(&self) -> String {
        format!("reaction(rho={})", self.rho)
    }
}

impl Problem for Reaction {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![core::f64::consts::TAU, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("reaction.rho", self.rho, false)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        if x.len() != 2 {
            return None;
        }
        let h = Self::initial_profile(x[0]);
        let g = h * (S::from_f64(self.rho) * x[1]).exp();
        Some(vec![g / (g + S::one() - h)])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| Self::initial_profile(x[0])),
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
