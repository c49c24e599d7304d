//! 1-D diffusion with a source (the sampling study's diffusion problem).

use crate::ad::jet::{Component, GraphBuilder, NodeId};
use crate::ad::{Elementary, Scalar};
use crate::pde::hard::{self, HardConstraint};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::burgers::zero_sides_ansatz;
use super::{PlacedCondition, Problem, Region, pi};

/// Diffusion with a source: `u_t = u_xx − e^{−t}(sin πx − π² sin πx)` on `x ∈ [−1, 1]`,
/// `t ∈ [0, 1]` (inputs `(x, t)`); exact solution `u = e^{−t} sin(πx)`.
///
/// - **Source:** C. Wu, M. Zhu, Q. Tan, Y. Kartha, L. Lu, *A comprehensive study of
///   non-adaptive and residual-based adaptive sampling for physics-informed neural networks*,
///   CMAME 403 (2023), §4.2 (the diffusion example of DeepXDE).
/// - **Conditions:** `"initial"`: `u(x, 0) = sin(πx)` on [`Region::Initial`];
///   `"boundary"`: `u(±1, t) = 0` on [`Region::AllSpatialFaces`].
/// - **Hard constraint** ([`HardConstraint`], the study's): `u = sin(πx) + (1 − x²)·t·N`.
/// - **Residual:** `r = u_t − u_xx + e^{−t}(1 − π²) sin(πx)`.
///
/// ```
/// use pinn::pde::problems::{Diffusion1D, Problem};
/// let u = Diffusion1D.reference(&[0.5, 1.0])?;
/// assert!((u[0] - (-1.0f64).exp()).abs() < 1e-15);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Diffusion1D;

impl Diffusion1D {
    fn exact<S: Scalar>(x: S, t: S) -> S {
        (-t).exp() * (pi::<S>() * x).sin()
    }
}

impl Pde for Diffusion1D {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::First(1), Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let p = pi::<S>();
        let source = (-x[1]).exp() * (S::one() - p * p) * (p * x[0]).sin();
        r[0] = u.d(0, 1) - u.d2(0, 0, 0) + source;
    }
    fn name(&self) -> String {
        "diffusion1d".into()
    }
}

impl Problem for Diffusion1D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-1.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![Self::exact(x[0], x[1])])
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

impl HardConstraint for Diffusion1D {
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId {
        let a = hard::wave(b, x, 0, Elementary::Sin, core::f64::consts::PI, 0.0);
        zero_sides_ansatz(b, x, a, n)
    }
}
