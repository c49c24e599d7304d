//! 1-D wave equation (the RoPINN benchmark and the `wave_wide` case).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde};

use super::{PlacedCondition, Problem, Region, Side, check_param, pi};

/// Wave: `u_tt − c² u_xx = 0` on `x ∈ [0, 1]`, `t ∈ [0, 1]` (inputs `(x, t)`), with `c² = 4`;
/// exact solution `u = sin(πx) cos(cπt) + ½ sin(3πx) cos(3cπt)`
/// (`= sin(πx) cos(2πt) + ½ sin(3πx) cos(6πt)` for `c = 2`).
///
/// - **Source:** H. Wu et al., *RoPINN: Region optimized physics-informed neural networks*,
///   NeurIPS 2024, App. C.1, as coded in its `1d_wave_*` scripts (the paper writes
///   `sin(βπx) cos(2βπt)` with `β = 3`), and `peers/CASES.md` §3 (`wave_wide`).
/// - **Conditions:** `"initial"`: `u(x, 0) = sin(πx) + ½ sin(3πx)` and `"initial_rate"`:
///   `u_t(x, 0) = 0`, both on [`Region::Initial`]; `"left"`: `u(0, t) = 0` and `"right"`:
///   `u(1, t) = 0` as two terms (RoPINN averages the two sides separately).
/// - **Residual:** `r = u_tt − c² u_xx`.
/// - **Grid:** the benchmark's residual and test set is the 101×101 grid of the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wave {
    /// The squared speed `c²` (default 4).
    pub c2: f64,
}

impl Default for Wave {
    fn default() -> Self {
        Wave { c2: 4.0 }
    }
}

impl Wave {
    /// The problem with squared speed `c² > 0`.
    pub fn new(c2: f64) -> Result<Self> {
        let p = Wave { c2 };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: S, t: S) -> S {
        let c = S::from_f64(self.c2.sqrt());
        let (p, three) = (pi::<S>(), S::from_f64(3.0));
        (p * x).sin() * (c * p * t).cos()
            + S::from_f64(0.5) * (three * p * x).sin() * (three * c * p * t).cos()
    }
}

impl Pde for Wave {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Second(0, 0), Component::Second(1, 1)]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _coef: &[S], r: &mut [S]) {
        r[0] = u.d2(0, 1, 1) - S::from_f64(self.c2) * u.d2(0, 0, 0);
    }
    fn name(&self) -> String {
        format!("wave(c2={})", self.c2)
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
        check_param("wave.c2", self.c2, true)
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
