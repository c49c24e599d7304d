//! The Poisson problem of He et al. (AISTATS 2023, "Learning PINNs without stacked
//! back-propagation", §5.1).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_dim};

/// Poisson with a plane-wave source: `Δu + sin(Σ_i x_i) = 0` on `[0, 1]^d`, exact solution
/// `u = sin(Σ_i x_i)/d` (`Δu = −d · sin(Σx)/d`).
///
/// - **Source:** He et al. 2023 §5.1 and their code's `possion` task (d = 2, the default):
///   interior points uniform in the square, boundary points with one random coordinate set to
///   0 or 1, Dirichlet data from the exact solution.
/// - **Conditions:** Dirichlet `u = u*` on every face, one term `"boundary"` on
///   [`Region::AllSpatialFaces`].
/// - **Residual:** `r = Δu + sin(Σx)`, the full Laplacian (one aggregate component).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonSinSum {
    /// The dimension `d` (default 2).
    pub d: usize,
}

impl Default for PoissonSinSum {
    fn default() -> Self {
        PoissonSinSum { d: 2 }
    }
}

impl PoissonSinSum {
    /// The problem in `d ≥ 1` dimensions.
    pub fn new(d: usize) -> Result<Self> {
        let p = PoissonSinSum { d };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: &[S]) -> S {
        let sum = x.iter().fold(S::zero(), |a, &xi| a + xi);
        sum.sin() / S::from_f64(self.d as f64)
    }
}

impl Pde for PoissonSinSum {
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
        let sum = x.iter().fold(S::zero(), |a, &xi| a + xi);
        r[0] = u.lap(0) + sum.sin();
    }
    fn name(&self) -> String {
        format!("poisson_sin_sum(d={})", self.d)
    }
}

impl Problem for PoissonSinSum {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0; self.d], vec![1.0; self.d])
    }
    fn validate(&self) -> Result<()> {
        check_dim("poisson_sin_sum.d", self.d)
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
