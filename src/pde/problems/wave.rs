//! 1-D wave equation (the RoPINN benchmark and the `wave_wide` case).

use crate::ad::Elementary;
use crate::ad::Scalar;
use crate::ad::jet::{Component, GraphBuilder, NodeId};
use crate::error::Result;
use crate::pde::hard::{self, HardConstraint};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, Side, check_param, pi};

/// Wave: `u_tt − c² u_xx = 0` on `x ∈ [0, 1]`, `t ∈ [0, 1]` (inputs `(x, t)`), with `c² = 4`;
/// exact solution `u = sin(πx) cos(cπt) + ½ sin(kπx) cos(kcπt)`, a standing wave and its
/// `k`-th mode: `k = 3` for RoPINN ([`Wave::default`], `= sin(πx) cos(2πt) + ½ sin(3πx)
/// cos(6πt)`), `k = 4` for the sampling study ([`Wave::sampling_study`]).
///
/// - **Sources:** H. Wu et al., *RoPINN: Region optimized physics-informed neural networks*,
///   NeurIPS 2024, App. C.1, as coded in its `1d_wave_*` scripts (the paper writes
///   `sin(βπx) cos(2βπt)` with `β = 3`), and `peers/CASES.md` §3 (`wave_wide`); C. Wu,
///   M. Zhu, Q. Tan, Y. Kartha, L. Lu, *A comprehensive study of non-adaptive and
///   residual-based adaptive sampling for physics-informed neural networks*, CMAME 403 (2023),
///   with `k = 4`.
/// - **Conditions:** `"initial"`: `u(x, 0) = sin(πx) + ½ sin(kπx)` and `"initial_rate"`:
///   `u_t(x, 0) = 0`, both on [`Region::Initial`]; `"left"`: `u(0, t) = 0` and `"right"`:
///   `u(1, t) = 0` as two terms (RoPINN averages the two sides separately).
/// - **Hard constraint** ([`HardConstraint`], the sampling study's):
///   `u = sin(πx) + ½ sin(kπx) + 20·x(1 − x)·t²·N` meets all four conditions.
/// - **Residual:** `r = u_tt − c² u_xx`.
/// - **Grid:** the RoPINN residual and test set is the 101×101 grid of the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wave {
    /// The squared speed `c²` (default 4).
    pub c2: f64,
    /// The second mode's wavenumber `k` (default 3; 4 in the sampling study).
    pub mode: f64,
}

impl Default for Wave {
    fn default() -> Self {
        Wave { c2: 4.0, mode: 3.0 }
    }
}

impl Wave {
    /// The problem with squared speed `c² > 0` and second mode `k` (finite).
    pub fn new(c2: f64, mode: f64) -> Result<Self> {
        let p = Wave { c2, mode };
        p.validate()?;
        Ok(p)
    }

    /// Wu et al.'s sampling study (CMAME 2023): `c² = 4`, `k = 4`, so
    /// `u = sin(πx) cos(2πt) + ½ sin(4πx) cos(8πt)`.
    pub fn sampling_study() -> Self {
        Wave { c2: 4.0, mode: 4.0 }
    }

    fn exact<S: Scalar>(&self, x: S, t: S) -> S {
        let c = S::from_f64(self.c2.sqrt());
        let (p, k) = (pi::<S>(), S::from_f64(self.mode));
        (p * x).sin() * (c * p * t).cos()
            + S::from_f64(0.5) * (k * p * x).sin() * (k * c * p * t).cos()
    }
}

impl Pde for Wave {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Second(0, 0), Component::Second(1, 1)]
    }
    fn residual<S: Scalar>(
        &self,
        _x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d2(0, 1, 1) - S::from_f64(self.c2) * u.d2(0, 0, 0);
    }
    fn name(&self) -> String {
        format!("wave(c2={}, k={})", self.c2, self.mode)
    }
}

impl Problem for Wave {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("wave.c2", self.c2, true)?;
        check_param("wave.mode", self.mode, false)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![self.exact(x[0], x[1])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let p = *self;
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, move |x| p.exact(x[0], 0.0)),
                Region::Initial,
            ),
            PlacedCondition::new(
                "initial_rate",
                Condition::initial_rate(0, |_| 0.0),
                Region::Initial,
            ),
            PlacedCondition::new(
                "left",
                Condition::dirichlet(0, |_| 0.0),
                Region::Face {
                    axis: 0,
                    side: Side::Lo,
                },
            ),
            PlacedCondition::new(
                "right",
                Condition::dirichlet(0, |_| 0.0),
                Region::Face {
                    axis: 0,
                    side: Side::Hi,
                },
            ),
        ]
    }
}

impl HardConstraint for Wave {
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId {
        let pi = core::f64::consts::PI;
        let s1 = hard::wave(b, x, 0, Elementary::Sin, pi, 0.0);
        let sk = hard::wave(b, x, 0, Elementary::Sin, self.mode * pi, 0.0);
        let a = {
            let half = b.scale(sk, 0.5, 0.0);
            b.add(s1, half)
        };
        // 20·x(1 − x)·t²
        let xs = hard::vanish_on_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0]);
        let t = hard::coordinate(b, x, 1);
        let t2 = b.mul(t, t);
        let xt2 = b.mul(xs, t2);
        let bx = b.scale(xt2, 20.0, 0.0);
        hard::ansatz(b, Some(a), bx, n)
    }
}
