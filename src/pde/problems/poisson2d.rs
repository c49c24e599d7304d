//! Poisson 2-D on the unit square (the `poisson2d` benchmark case).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, pi};

/// Poisson 2-D: `−Δu = f` on `(x, y) ∈ [0, 1]²`, with `f = 2π² sin(πx) sin(πy)`; exact
/// solution `u = sin(πx) sin(πy)`.
///
/// - **Source:** the crate's cross-framework benchmark, `peers/CASES.md` §1 (`poisson2d`),
///   the standard manufactured-solution test of the PINN literature.
/// - **Conditions:** Dirichlet `u = 0` on the four edges, one term `"boundary"` on
///   [`Region::AllSpatialFaces`].
/// - **Residual:** `r = −Δu − f` (read as the Laplacian aggregate).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Poisson2D;

impl Poisson2D {
    /// The problem (it has no parameters).
    pub fn new() -> Self {
        Poisson2D
    }
}

impl Pde for Poisson2D {
    fn dim(&self) -> usize {
        2
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
        let pi = S::from_f64(PI);
        let f = S::from_f64(2.0 * PI * PI) * (pi * x[0]).sin() * (pi * x[1]).sin();
        r[0] = -u.lap(0) - f;
    }
    fn name(&self) -> String {
        "poisson2d".into()
    }
}

impl Problem for Poisson2D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![(pi::<S>() * x[0]).sin() * (pi::<S>() * x[1]).sin()])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, |_| 0.0),
            Region::AllSpatialFaces,
        )]
    }
}
