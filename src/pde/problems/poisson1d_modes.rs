//! Poisson 1-D with five modes (the gPINN paper's first example).

use crate::ad::jet::{Component, GraphBuilder, NodeId};
use crate::ad::{Elementary, Scalar};
use crate::pde::hard::{self, HardConstraint};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region};

/// Poisson 1-D with five modes: `−u″ = Σ_{i=1}^{4} i sin(ix) + 8 sin(8x)` on `x ∈ [0, π]`;
/// exact solution `u = x + Σ_{i=1}^{4} sin(ix)/i + sin(8x)/8`.
///
/// - **Source:** J. Yu, L. Lu, X. Meng, G. E. Karniadakis, *Gradient-enhanced
///   physics-informed neural networks for forward and inverse PDE problems*, CMAME 393 (2022),
///   §3.1, as coded in `lu-group/gpinn` (`poisson_1d.py`).
/// - **Conditions:** Dirichlet `u(0) = 0`, `u(π) = π`, one term `"boundary"` on
///   [`Region::AllSpatialFaces`].
/// - **Hard constraint** ([`HardConstraint`], the paper's): `u = x + tanh(x) tanh(π − x)·N`.
/// - **Residual:** `r = −u″ − Σ_{i=1}^{4} i sin(ix) − 8 sin(8x)`; its derivative (gPINN,
///   [`GradientEnhanced`](crate::pde::GradientEnhanced)) reads `u‴` and differentiates the
///   source.
///
/// ```
/// use pinn::pde::problems::{Poisson1DModes, Problem};
/// let u = Poisson1DModes.reference(&[core::f64::consts::PI])?;
/// assert!((u[0] - core::f64::consts::PI).abs() < 1e-14);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Poisson1DModes;

impl Poisson1DModes {
    /// `Σ_{i=1}^{4} i sin(ix) + 8 sin(8x)`.
    fn source<S: Scalar>(x: S) -> S {
        let mut f = S::from_f64(8.0) * (S::from_f64(8.0) * x).sin();
        for i in 1..=4 {
            let k = S::from_f64(i as f64);
            f += k * (k * x).sin();
        }
        f
    }

    fn exact<S: Scalar>(x: S) -> S {
        let mut u = x + (S::from_f64(8.0) * x).sin() / S::from_f64(8.0);
        for i in 1..=4 {
            let k = S::from_f64(i as f64);
            u += (k * x).sin() / k;
        }
        u
    }
}

impl Pde for Poisson1DModes {
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
        r[0] = -u.d2(0, 0, 0) - Self::source(x[0]);
    }
    fn name(&self) -> String {
        "poisson1d_modes".into()
    }
}

impl Problem for Poisson1DModes {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0], vec![core::f64::consts::PI])
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 1).then(|| vec![Self::exact(x[0])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, |x| Self::exact(x[0])),
            Region::AllSpatialFaces,
        )]
    }
}

impl HardConstraint for Poisson1DModes {
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId {
        let p = core::f64::consts::PI;
        let left = hard::wave(b, x, 0, Elementary::Tanh, 1.0, 0.0);
        let right = hard::wave(b, x, 0, Elementary::Tanh, -1.0, p);
        let bx = b.mul(left, right);
        let a = hard::coordinate(b, x, 0);
        hard::ansatz(b, Some(a), bx, n)
    }
}
