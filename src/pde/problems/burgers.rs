//! Viscous Burgers with a sine initial condition; reference by the Cole–Hopf integral.

use std::sync::Arc;

use crate::ad::Elementary;
use crate::ad::Scalar;
use crate::ad::jet::{Component, GraphBuilder, NodeId};
use crate::error::{Error, Result};
use crate::pde::hard::{self, HardConstraint};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::hermite::GaussHermite;
use super::{PlacedCondition, Problem, Region, check_param, check_point, pi};

/// Number of Gauss–Hermite nodes of the default reference.
const NODES: usize = 120;

/// Viscous Burgers: `u_t + u·u_x = ν·u_xx` on `x ∈ [−1, 1]`, `t ∈ [0, 1]` (inputs
/// `(x, t)`), with `ν = 0.01/π`, `u(x, 0) = −sin(πx)` and `u(±1, t) = 0`. A shock forms at
/// `x = 0` near `t ≈ 0.3`.
///
/// - **Source:** M. Raissi, P. Perdikaris, G. E. Karniadakis, *Physics-informed neural
///   networks*, J. Comput. Phys. 378 (2019), §3.1; `peers/CASES.md` §2 (`burgers`); the
///   FBPINN paper's Burgers problem.
/// - **Conditions:** `"initial"`: `u(x, 0) = −sin(πx)` on [`Region::Initial`];
///   `"boundary"`: `u(±1, t) = 0`, one term on [`Region::AllSpatialFaces`].
/// - **Residual:** `r = u_t + u·u_x − ν·u_xx`.
/// - **Hard constraint** ([`HardConstraint`], the sampling study's):
///   `u = −sin(πx) + (1 − x²)·t·N` meets both conditions.
/// - **Solution:** no closed form ([`Problem::solution`] is `None`). The reference
///   ([`Problem::reference`], [`Burgers::cole_hopf`]) is the Cole–Hopf solution
///   (Basdevant et al., *Spectral and finite difference solutions of the Burgers equation*,
///   Comput. Fluids 14, 1986): with `f(y) = exp(−cos(πy)/(2πν))` and `s = √(4νt)`,
///
///   `u(x, t) = −∫ sin(π(x − sz)) f(x − sz) e^{−z²} dz / ∫ f(x − sz) e^{−z²} dz`,
///
///   both integrals by a 120-node Gauss–Hermite rule ([`GaussHermite`]), the exponents
///   shifted by their maximum so that nothing overflows (`f` spans `e^{±1/(2πν)} = e^{±50}`).
///   **Accuracy** (at `ν = 0.01/π`): against 30-digit adaptive quadrature at 48 points
///   including the shock (`scripts/burgers_reference.py`, `tests/data/burgers_cole_hopf.csv`)
///   the largest error is 3e−15; on a 562 × 200 grid of `[−1, 1] × (0, 1]` refined around the
///   shock, the 120-node rule agrees with a 300-node rule to 1e−14 (80 nodes: 1e−13, 60
///   nodes: 1e−9, 40 nodes: 3e−5). The residual of the quadrature, differentiated exactly by
///   hyper-duals, is below 1e−13 of its terms, shock included.
#[derive(Clone, Debug)]
pub struct Burgers {
    /// The viscosity `ν` (default `0.01/π`).
    pub nu: f64,
    rule: Arc<GaussHermite>,
}

impl Default for Burgers {
    fn default() -> Self {
        Burgers {
            nu: 0.01 / core::f64::consts::PI,
            rule: Arc::new(GaussHermite::build(NODES)),
        }
    }
}

impl PartialEq for Burgers {
    fn eq(&self, other: &Self) -> bool {
        self.nu == other.nu && self.rule == other.rule
    }
}

impl Burgers {
    /// The problem with viscosity `ν > 0`. Small `ν` sharpens the shock and needs more nodes
    /// ([`Burgers::with_nodes`]); the default rule is checked at `ν = 0.01/π`.
    pub fn new(nu: f64) -> Result<Self> {
        let p = Burgers {
            nu,
            ..Burgers::default()
        };
        p.validate()?;
        Ok(p)
    }

    /// The problem with viscosity `ν` and an `n`-node Gauss–Hermite rule for the reference.
    pub fn with_nodes(nu: f64, n: usize) -> Result<Self> {
        let p = Burgers {
            nu,
            rule: Arc::new(GaussHermite::new(n)?),
        };
        p.validate()?;
        Ok(p)
    }

    /// The quadrature rule of the reference.
    pub fn rule(&self) -> &GaussHermite {
        &self.rule
    }

    /// The Cole–Hopf reference `u(x, t)` by Gauss–Hermite quadrature, generic so dual numbers
    /// differentiate it (the tests check its residual with hyper-duals). At `t = 0` it returns
    /// `−sin(πx)` exactly (its `t`-derivative there is not meaningful: `√t` is not
    /// differentiable at 0); for `t < 0` it is NaN.
    pub fn cole_hopf<S: Scalar>(&self, x: S, t: S) -> S {
        if t.to_f64() == 0.0 {
            return -(pi::<S>() * x).sin();
        }
        let inv = 1.0 / (2.0 * core::f64::consts::PI * self.nu);
        let s = (S::from_f64(4.0 * self.nu) * t).sqrt();
        let n = self.rule.len();
        let mut y = Vec::with_capacity(n);
        let mut expo = Vec::with_capacity(n);
        let mut top = f64::NEG_INFINITY;
        for (&z, &w) in self.rule.nodes().iter().zip(self.rule.weights()) {
            let yi = x - s * S::from_f64(z);
            let e = S::from_f64(w.ln()) - S::from_f64(inv) * (pi::<S>() * yi).cos();
            top = top.max(e.to_f64());
            y.push(yi);
            expo.push(e);
        }
        let (mut num, mut den) = (S::zero(), S::zero());
        for (yi, e) in y.into_iter().zip(expo) {
            let f = (e - S::from_f64(top)).exp();
            num += (pi::<S>() * yi).sin() * f;
            den += f;
        }
        -(num / den)
    }
}

impl Pde for Burgers {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
            Component::First(0),
            Component::First(1),
            Component::Second(0, 0),
        ]
    }
    fn residual<S: Scalar>(
        &self,
        _x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d(0, 1) + u.u(0) * u.d(0, 0) - S::from_f64(self.nu) * u.d2(0, 0, 0);
    }
    fn name(&self) -> String {
        format!("burgers(nu={})", self.nu)
    }
}

impl Problem for Burgers {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-1.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("burgers.nu", self.nu, true)
    }
    fn solution<S: Scalar>(&self, _x: &[S]) -> Option<Vec<S>> {
        None
    }
    /// The Cole–Hopf quadrature ([`Burgers::cole_hopf`]). Errors: `x` not `(x, t)`, `t < 0`
    /// or not finite, `x` not finite.
    fn reference(&self, x: &[f64]) -> Result<Vec<f64>> {
        check_point(2, x)?;
        if !(x[0].is_finite() && x[1].is_finite() && x[1] >= 0.0) {
            return Err(Error::InvalidConfig {
                field: "burgers.reference",
                reason: format!("needs finite x and t ≥ 0, found {x:?}"),
            });
        }
        Ok(vec![self.cole_hopf(x[0], x[1])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| -(core::f64::consts::PI * x[0]).sin()),
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

/// `A + (1 − x²)·t·N`: the hard-constraint form of the sampling study's problems on
/// `[−1, 1] × [0, 1]` whose boundary values vanish (Burgers, diffusion).
pub(super) fn zero_sides_ansatz(b: &mut GraphBuilder, x: NodeId, a: NodeId, n: NodeId) -> NodeId {
    let sides = hard::vanish_on_box(b, x, &[-1.0, 0.0], &[1.0, 1.0], &[0]);
    let t = hard::coordinate(b, x, 1);
    let bx = b.mul(sides, t);
    hard::ansatz(b, Some(a), bx, n)
}

impl HardConstraint for Burgers {
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId {
        let pi = core::f64::consts::PI;
        let a = hard::wave(b, x, 0, Elementary::Sin, -pi, 0.0); // −sin πx = sin(−πx)
        zero_sides_ansatz(b, x, a, n)
    }
}
