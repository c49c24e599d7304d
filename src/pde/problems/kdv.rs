//! The Korteweg–de Vries equation with its exact two-soliton solution (equation discovery).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, Side, check_param};

/// Korteweg–de Vries: `u_t + 6 u u_x + u_xxx = 0` on `x ∈ [−10, 10]`, `t ∈ [0, 4]` (inputs
/// `(x, t)`), with the exact two-soliton solution (Hirota 1971)
///
/// ```text
/// u = 2 ∂²_x ln F,   F = 1 + e^{η₁} + e^{η₂} + A e^{η₁ + η₂},
/// η_i = k_i (x − x_i) − k_i³ t,   A = ((k₁ − k₂)/(k₁ + k₂))²,
/// ```
///
/// written out as `u = 2 (F F_xx − F_x²)/F²` (generic over [`Scalar`], so dual numbers
/// differentiate it exactly). Alone, soliton `i` is `(k_i²/2) sech²(η_i/2)`, moving right at
/// speed `k_i²`; the defaults `k = (1.5, 0.8)`, `x₀ = (−6, −2)` start the tall one behind the
/// short one and let it overtake it near `t ≈ 3` (with the phase shifts of the
/// interaction). Two solitons, unlike one, satisfy no first-order transport equation
/// `u_t = −c u_x`, so the equation is identifiable from the data (Rudy et al. 2017, PDE-FIND).
///
/// - **Source:** R. Hirota, *Exact solution of the Korteweg–de Vries equation for multiple
///   collisions of solitons*, Phys. Rev. Lett. 27 (1971); S. H. Rudy, S. L. Brunton,
///   J. L. Proctor, J. N. Kutz, *Data-driven discovery of partial differential equations*,
///   Science Advances 3 (2017) (KdV two-soliton data).
/// - **Conditions:** `"initial"`: the exact `u(x, 0)` on [`Region::Initial`]; `"left"` and
///   `"right"`: the exact `u(±10, t)` (the solitons' tails reach them: up to `1.3·10⁻²` on the
///   left at `t = 0` and `8.5·10⁻³` on the right, for the defaults).
/// - **Residual:** `r = u_t + 6 u u_x + u_xxx`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kdv {
    /// The wavenumbers `k₁, k₂` (distinct, positive).
    pub k: [f64; 2],
    /// The solitons' positions `x₁, x₂` at `t = 0`.
    pub x0: [f64; 2],
}

impl Default for Kdv {
    fn default() -> Self {
        Kdv {
            k: [1.5, 0.8],
            x0: [-6.0, -2.0],
        }
    }
}

impl Kdv {
    /// The two-soliton problem with wavenumbers `k` (positive, distinct) and initial
    /// positions `x0` (finite).
    pub fn new(k: [f64; 2], x0: [f64; 2]) -> Result<Self> {
        let p = Kdv { k, x0 };
        p.validate()?;
        Ok(p)
    }

    fn exact<S: Scalar>(&self, x: S, t: S) -> S {
        let c = S::from_f64;
        let [k1, k2] = self.k;
        let a = ((k1 - k2) / (k1 + k2)).powi(2);
        // e^{η_i} and its x-derivatives k_i e^{η_i}, k_i² e^{η_i}.
        let e = |i: usize| {
            let k = self.k[i];
            ((x - c(self.x0[i])) * c(k) - t * c(k * k * k)).exp()
        };
        let (e1, e2) = (e(0), e(1));
        let e12 = e1 * e2;
        let f = c(1.0) + e1 + e2 + e12 * c(a);
        let fx = e1 * c(k1) + e2 * c(k2) + e12 * c(a * (k1 + k2));
        let fxx = e1 * c(k1 * k1) + e2 * c(k2 * k2) + e12 * c(a * (k1 + k2) * (k1 + k2));
        c(2.0) * (f * fxx - fx * fx) / (f * f)
    }
}

impl Pde for Kdv {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
            Component::First(0),
            Component::First(1),
            Component::Third(0, 0, 0),
        ]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.d(0, 1) + S::from_f64(6.0) * u.u(0) * u.d(0, 0) + u.d3(0, 0, 0, 0);
    }
    fn name(&self) -> String {
        format!("kdv(k={:?}, x0={:?})", self.k, self.x0)
    }
}

impl Problem for Kdv {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-10.0, 0.0], vec![10.0, 4.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        for k in self.k {
            check_param("kdv.k", k, true)?;
        }
        for x in self.x0 {
            check_param("kdv.x0", x, false)?;
        }
        if self.k[0] == self.k[1] {
            return Err(Error::InvalidConfig {
                field: "kdv.k",
                reason: format!(
                    "the two wavenumbers must differ (A = 0 otherwise), found {:?}",
                    self.k
                ),
            });
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![self.exact(x[0], x[1])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let p = *self;
        let side = |name: &str, side: Side| {
            PlacedCondition::new(
                name,
                Condition::dirichlet(0, move |x| p.exact(x[0], x[1])),
                Region::Face { axis: 0, side },
            )
        };
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, move |x| p.exact(x[0], 0.0)),
                Region::Initial,
            ),
            side("left", Side::Lo),
            side("right", Side::Hi),
        ]
    }
}
