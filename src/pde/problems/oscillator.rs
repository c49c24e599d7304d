//! The damped harmonic oscillator (the FBPINNs library example).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// Damped harmonic oscillator: `m u″ + μ u′ + k u = 0` on `t ∈ [0, 1]`, `u(0) = 1`,
/// `u′(0) = 0`. With `δ = μ/(2m)`, `ω₀ = √(k/m)` and `ω = √(ω₀² − δ²)` (under-damped,
/// `δ < ω₀`), the exact solution is
/// `u = e^{−δt} · 2A cos(φ + ωt)`, `φ = atan(−δ/ω)`, `A = 1/(2 cos φ)`
/// (equivalently `e^{−δt} (cos ωt + (δ/ω) sin ωt)`).
///
/// - **Source:** the FBPINNs library (B. Moseley, `fbpinns/problems.py`,
///   `HarmonicOscillator1D`, and its example notebooks), which writes `u″ + μu′ + ku = 0` with
///   `μ = 2d`, `k = ω₀²` and defaults `d = 2`, `ω₀ = 20`: here `m = 1`, `μ = 4`, `k = 400`.
/// - **Conditions:** `"initial"`: `u(0) = 1` and `"initial_rate"`: `u′(0) = 0`, both on
///   [`Region::Initial`] (the single point `t = 0`; time is the only coordinate).
/// - **Residual:** `r = m u″ + μ u′ + k u`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DampedOscillator {
    /// The mass `m` (default 1).
    pub m: f64,
    /// The damping `μ` (default 4, i.e. `δ = 2`).
    pub mu: f64,
    /// The stiffness `k` (default 400, i.e. `ω₀ = 20`).
    pub k: f64,
}

impl Default for DampedOscillator {
    fn default() -> Self {
        DampedOscillator {
            m: 1.0,
            mu: 4.0,
            k: 400.0,
        }
    }
}

impl DampedOscillator {
    /// The oscillator `m u″ + μ u′ + k u = 0`; needs `m > 0`, `μ ≥ 0`, `k > 0` and
    /// under-damping `μ² < 4mk`.
    pub fn new(m: f64, mu: f64, k: f64) -> Result<Self> {
        let p = DampedOscillator { m, mu, k };
        p.validate()?;
        Ok(p)
    }

    /// `(δ, ω)`: the decay rate `μ/(2m)` and the damped angular frequency `√(k/m − δ²)`.
    pub fn rates(&self) -> (f64, f64) {
        let delta = self.mu / (2.0 * self.m);
        (delta, (self.k / self.m - delta * delta).sqrt())
    }

    fn exact<S: Scalar>(&self, t: S) -> S {
        let (delta, omega) = self.rates();
        let phi = (-delta / omega).atan();
        let a = 1.0 / (2.0 * phi.cos());
        (-S::from_f64(delta) * t).exp()
            * S::from_f64(2.0 * a)
            * (S::from_f64(phi) + S::from_f64(omega) * t).cos()
    }
}

impl Pde for DampedOscillator {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
            Component::First(0),
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
        let c = S::from_f64;
        r[0] = c(self.m) * u.d2(0, 0, 0) + c(self.mu) * u.d(0, 0) + c(self.k) * u.u(0);
    }
    fn name(&self) -> String {
        format!(
            "damped_oscillator(m={}, mu={}, k={})",
            self.m, self.mu, self.k
        )
    }
}

impl Problem for DampedOscillator {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0], vec![1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("damped_oscillator.m", self.m, true)?;
        check_param("damped_oscillator.mu", self.mu, false)?;
        check_param("damped_oscillator.k", self.k, true)?;
        if self.mu < 0.0 {
            return Err(Error::InvalidConfig {
                field: "damped_oscillator.mu",
                reason: format!("must be ≥ 0, found {}", self.mu),
            });
        }
        if self.mu * self.mu >= 4.0 * self.m * self.k {
            return Err(Error::InvalidConfig {
                field: "damped_oscillator.mu",
                reason: format!(
                    "the exact solution needs under-damping μ² < 4mk, found μ = {}, m = {}, k = {}",
                    self.mu, self.m, self.k
                ),
            });
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 1).then(|| vec![self.exact(x[0])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new("initial", Condition::initial(0, |_| 1.0), Region::Initial),
            PlacedCondition::new(
                "initial_rate",
                Condition::initial_rate(0, |_| 0.0),
                Region::Initial,
            ),
        ]
    }
}
