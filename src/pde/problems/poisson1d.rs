//! Poisson 1-D with a single frequency (Wang, Teng & Perdikaris 2021).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// Poisson 1-D: `u_xx = g(x)` on `x ∈ [0, 1]`, with `g(x) = −C² sin(Cx)`, so that the exact
/// solution is `u(x) = sin(Cx)`.
///
/// - **Source:** S. Wang, Y. Teng, P. Perdikaris, *Understanding and mitigating gradient flow
///   pathologies in physics-informed neural networks*, SIAM J. Sci. Comput. 43 (2021), §2.3
///   (Table 1 sweeps `C ∈ {1, 2, 4, 8, 16}`). The paper writes `u″ = g`; `g` follows from
///   the exact solution, hence the minus sign.
/// - **Conditions:** Dirichlet `u = sin(Cx)` at both ends (`u(0) = 0`, `u(1) = sin C`), one
///   term `"boundary"` on [`Region::AllSpatialFaces`].
/// - **Residual:** `r = u_xx + C² sin(Cx)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Poisson1D {
    /// The frequency `C` (default 1).
    pub c: f64,
}

impl Default for Poisson1D {
    fn default() -> Self {
        Poisson1D { c: 1.0 }
    }
}

impl Poisson1D {
    /// `u = sin(Cx)`; `C` must be finite.
    pub fn new(c: f64) -> Result<Self> {
        let p = Poisson1D { c };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: S) -> S {
        (S::from_f64(self.c) * x).sin()
    }
}

impl Pde for Poisson1D {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let c = self.c;
        r[0] = u.d2(0, 0, 0) + S::from_f64(c * c) * (S::from_f64(c) * x[0]).sin();
    }
    fn name(&self) -> String {
        format!("poisson1d(C={})", self.c)
    }
}

impl Problem for Poisson1D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0], vec![1.0])
    }
    fn validate(&self) -> Result<()> {
        check_param("poisson1d.c", self.c, false)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 1).then(|| vec![self.exact(x[0])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let p = *self;
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, move |x| p.exact(x[0])),
            Region::AllSpatialFaces,
        )]
    }
}
