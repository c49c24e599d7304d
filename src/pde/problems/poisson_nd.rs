//! Poisson in `d` dimensions (the `poisson_hd` benchmark cases).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_dim, pi};

/// Poisson in `d` dimensions: `Δu = f` on `[0, 1]^d`, with
/// `f = −(π²/(4d)) Σ_i sin(πx_i/2)`; exact solution `u = (1/d) Σ_i sin(πx_i/2)`.
///
/// - **Source:** the crate's cross-framework benchmark, `peers/CASES.md` §4 (`poisson_hd10`,
///   `poisson_hd100`), after the high-dimensional Poisson tests of the forward-Laplacian and
///   stochastic-dimension PINN literature.
/// - **Conditions:** Dirichlet `u = u*` on every face, one term `"boundary"` on
///   [`Region::AllSpatialFaces`] (the benchmark draws a random face per point).
/// - **Residual:** `r = Δu − f`, the full Laplacian (one aggregate component).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonND {
    /// The dimension `d` (default 10).
    pub d: usize,
}

impl Default for PoissonND {
    fn default() -> Self {
        PoissonND { d: 10 }
    }
}

impl PoissonND {
    /// The problem in `d ≥ 1` dimensions.
    pub fn new(d: usize) -> Result<Self> {
        let p = PoissonND { d };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: &[S]) -> S {
        let half_pi = pi::<S>() * S::from_f64(0.5);
        let sum = x
            .iter()
            .fold(S::zero(), |acc, &xi| acc + (half_pi * xi).sin());
        sum / S::from_f64(self.d as f64)
    }
}

impl Pde for PoissonND {
    fn dim(&self) -> usize {
        self.d
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Laplacian]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        use core::f64::consts::PI;
        let half_pi = S::from_f64(0.5 * PI);
        let sum = x.iter().fold(S::zero(), |a, &xi| a + (half_pi * xi).sin());
        let f = S::from_f64(-(PI * PI / (4.0 * self.d as f64))) * sum;
        r[0] = u.lap(0) - f;
    }
    fn name(&self) -> String {
        format!("poisson_hd(d={})", self.d)
    }
}

impl Problem for PoissonND {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0; self.d], vec![1.0; self.d])
    }
    fn validate(&self) -> Result<()> {
        check_dim("poisson_hd.d", self.d)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == self.d && self.d > 0).then(|| vec![self.exact(x)])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let p = *self;
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, move |x| p.exact(x)),
            Region::AllSpatialFaces,
        )]
    }
}
