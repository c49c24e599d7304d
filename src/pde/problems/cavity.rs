//! The lid-driven cavity (steady incompressible Navier–Stokes), in the stream-function and
//! the velocity–pressure formulations; reference by our finite-difference solver.

use std::sync::{Arc, OnceLock};

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::cavity_solver::{CavityOptions, CavitySolution};
use super::region::Side;
use super::{PlacedCondition, Problem, Region, check_param, check_point};

/// What the network outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CavityFormulation {
    /// Outputs `(ψ, p)`, velocities `u = ψ_y`, `v = −ψ_x`: incompressible by construction;
    /// the residual reads third derivatives of `ψ`. Wang, Teng & Perdikaris' `NS.py`.
    StreamFunction,
    /// Outputs `(u, v, p)` with the continuity equation `u_x + v_y = 0` as a third residual.
    VelocityPressure,
}

/// The lid-driven cavity at Reynolds number `Re`: steady incompressible Navier–Stokes on
/// `(x, y) ∈ [0, 1]²`, the lid `y = 1` moving at `(u, v) = (1, 0)`, the other walls at rest.
///
/// - **Source:** S. Wang, Y. Teng, P. Perdikaris, *Understanding and mitigating gradient
///   pathologies in physics-informed neural networks*, SIAM J. Sci. Comput. 43 (2021), §3.3
///   (`Lid-driven Cavity/NS.py`; spec §1.4): `Re = 100`.
/// - **Residuals** ([`CavityFormulation`]):
///   - stream function, outputs `(ψ, p)`, `u = ψ_y`, `v = −ψ_x`:
///     `r_u = u u_x + v u_y + p_x − (u_xx + u_yy)/Re`,
///     `r_v = u v_x + v v_y + p_y − (v_xx + v_yy)/Re` (two equations; the loss
///     `mean(r_u²) + mean(r_v²)` as coded);
///   - velocity–pressure, outputs `(u, v, p)`: the same two with `r_c = u_x + v_y` third.
/// - **Conditions:** one term per wall and velocity component, the lid first as in the code,
///   then bottom, left, right: `"lid.u"` (`u = 1`), `"lid.v"`, `"bottom.u"`, `"bottom.v"`, …
///   (`= 0`). In the stream-function form `u` and `v` are the derivatives `ψ_y` and `ψ_x`
///   ([`Condition::Derivative`]; `v = 0` is imposed as `ψ_x = 0`). The code's boundary loss
///   `mean over 128 points × 2 components` of the four walls' summed squares is these eight
///   terms with weight ½ each.
/// - **Reference:** no closed form ([`Problem::solution`] is `None`) and no pressure: the
///   velocity comes from our finite-difference solution ([`CavitySolution`], 128 × 128
///   cells by default, solved on first use, about 10 s;
///   [`LidDrivenCavity::with_reference_options`] for another grid), through
///   [`LidDrivenCavity::velocity`]; [`Problem::reference`] is an error, since the pressure
///   has none. **Accuracy** (`tests/cavity.rs`, and 256 cells measured once): away from
///   the lid (`y ≤ 0.8`) the scheme converges at second order (the speed's differences
///   between 64, 128 and 256 cells shrink by 4.07; the centre `u(½, ½)` is −0.207194,
///   −0.208669, −0.209030), so the speed's error there is about `3·10⁻³` relative ℓ² at
///   128 cells and `7·10⁻⁴` at 256. Over the whole 100 × 100 test grid of the paper the
///   convergence is slower (ratios 2.7 and 2.96) because the lid's corners are singular (the
///   velocity jumps from 1 to 0): the error is about `7.5·10⁻³` at 128 cells and `2·10⁻³` at
///   256, almost all of it in the few test points next to the two corners. Against Ghia,
///   Ghia & Shin (1982, Tables I and II) the centre-line velocities agree to `5·10⁻³`
///   (`u`) and `9·10⁻³` (`v`), the size of that 129-point multigrid solution's own
///   discretisation error: refining our grid moves our centre value away from theirs.
#[derive(Clone, Debug)]
pub struct LidDrivenCavity {
    re: f64,
    formulation: CavityFormulation,
    options: CavityOptions,
    solution: Arc<OnceLock<Result<CavitySolution>>>,
}

impl Default for LidDrivenCavity {
    /// `Re = 100`, stream-function form.
    fn default() -> Self {
        LidDrivenCavity {
            re: 100.0,
            formulation: CavityFormulation::StreamFunction,
            options: CavityOptions::default(),
            solution: Arc::new(OnceLock::new()),
        }
    }
}

impl LidDrivenCavity {
    /// The cavity at Reynolds number `re > 0` in `formulation`.
    ///
    /// Errors: `re` not finite and positive (`InvalidConfig`).
    pub fn new(re: f64, formulation: CavityFormulation) -> Result<Self> {
        let p = LidDrivenCavity {
            re,
            formulation,
            ..Self::default()
        };
        p.validate()?;
        Ok(p)
    }

    /// The same problem with the reference solved with `options` instead of the default
    /// 128 cells (checked when it is first solved).
    pub fn with_reference_options(mut self, options: CavityOptions) -> Self {
        self.options = options;
        self.solution = Arc::new(OnceLock::new());
        self
    }

    /// The Reynolds number.
    pub fn re(&self) -> f64 {
        self.re
    }

    /// The formulation.
    pub fn formulation(&self) -> CavityFormulation {
        self.formulation
    }

    /// The finite-difference reference, solved on first use (and shared by clones).
    ///
    /// # Errors
    ///
    /// Those of [`CavitySolution::solve`] with the reference options.
    pub fn solution(&self) -> Result<&CavitySolution> {
        self.solution
            .get_or_init(|| CavitySolution::solve(self.re, &self.options))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The reference velocity `(u, v)` at `x = (x, y)`.
    ///
    /// # Errors
    ///
    /// A point without two coordinates or outside the square; the reference's errors.
    pub fn velocity(&self, x: &[f64]) -> Result<[f64; 2]> {
        check_point(2, x)?;
        self.solution()?.velocity(x[0], x[1])
    }

    /// The velocity `(u, v)` of the network's derivative values: `(ψ_y, −ψ_x)` in the
    /// stream-function form, `(u, v)` in the other.
    pub fn velocity_of<S: Scalar>(&self, u: &Fields<'_, S>) -> [S; 2] {
        match self.formulation {
            CavityFormulation::StreamFunction => [u.d(0, 1), -u.d(0, 0)],
            CavityFormulation::VelocityPressure => [u.u(0), u.u(1)],
        }
    }
}

impl Pde for LidDrivenCavity {
    fn dim(&self) -> usize {
        2
    }

    fn outputs(&self) -> usize {
        match self.formulation {
            CavityFormulation::StreamFunction => 2,
            CavityFormulation::VelocityPressure => 3,
        }
    }

    fn equations(&self) -> usize {
        match self.formulation {
            CavityFormulation::StreamFunction => 2,
            CavityFormulation::VelocityPressure => 3,
        }
    }

    fn components(&self) -> Vec<Component> {
        use Component::{First, Second, Third, Value};
        match self.formulation {
            CavityFormulation::StreamFunction => vec![
                First(0),
                First(1),
                Second(0, 0),
                Second(0, 1),
                Second(1, 1),
                Third(0, 0, 0),
                Third(0, 0, 1),
                Third(0, 1, 1),
                Third(1, 1, 1),
            ],
            CavityFormulation::VelocityPressure => {
                vec![Value, First(0), First(1), Second(0, 0), Second(1, 1)]
            }
        }
    }

    fn output_components(&self, o: usize) -> Vec<Component> {
        use Component::{First, Second, Value};
        let pressure = o + 1 == self.outputs();
        match self.formulation {
            _ if pressure => vec![First(0), First(1)],
            CavityFormulation::StreamFunction => self.components(),
            CavityFormulation::VelocityPressure => {
                vec![Value, First(0), First(1), Second(0, 0), Second(1, 1)]
            }
        }
    }

    fn residual<S: Scalar>(&self, _x: &[S], f: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        let nu = S::from_f64(1.0 / self.re);
        match self.formulation {
            CavityFormulation::StreamFunction => {
                let (u, v) = (f.d(0, 1), -f.d(0, 0));
                let (ux, uy) = (f.d2(0, 0, 1), f.d2(0, 1, 1));
                let (vx, vy) = (-f.d2(0, 0, 0), -f.d2(0, 0, 1));
                let lap_u = f.d3(0, 0, 0, 1) + f.d3(0, 1, 1, 1);
                let lap_v = -(f.d3(0, 0, 0, 0) + f.d3(0, 0, 1, 1));
                r[0] = u * ux + v * uy + f.d(1, 0) - nu * lap_u;
                r[1] = u * vx + v * vy + f.d(1, 1) - nu * lap_v;
            }
            CavityFormulation::VelocityPressure => {
                let (u, v) = (f.u(0), f.u(1));
                let lap = |o: usize| f.d2(o, 0, 0) + f.d2(o, 1, 1);
                r[0] = u * f.d(0, 0) + v * f.d(0, 1) + f.d(2, 0) - nu * lap(0);
                r[1] = u * f.d(1, 0) + v * f.d(1, 1) + f.d(2, 1) - nu * lap(1);
                r[2] = f.d(0, 0) + f.d(1, 1);
            }
        }
    }

    fn name(&self) -> String {
        format!("lid-driven cavity (Re = {})", self.re)
    }
}

impl Problem for LidDrivenCavity {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }

    fn validate(&self) -> Result<()> {
        check_param("cavity.re", self.re, true)
    }

    fn solution<S: Scalar>(&self, _x: &[S]) -> Option<Vec<S>> {
        None
    }

    /// An error: the pressure has no reference. Use [`LidDrivenCavity::velocity`].
    fn reference(&self, x: &[f64]) -> Result<Vec<f64>> {
        check_point(2, x)?;
        Err(Error::InvalidConfig {
            field: "problem.reference",
            reason: "the lid-driven cavity's reference is the velocity only (no pressure): \
                     use LidDrivenCavity::velocity"
                .into(),
        })
    }

    fn conditions(&self) -> Vec<PlacedCondition> {
        let walls = [
            ("lid", 1, Side::Hi, 1.0),
            ("bottom", 1, Side::Lo, 0.0),
            ("left", 0, Side::Lo, 0.0),
            ("right", 0, Side::Hi, 0.0),
        ];
        let mut out = Vec::new();
        for (wall, axis, side, speed) in walls {
            let region = Region::Face { axis, side };
            let (cu, cv) = match self.formulation {
                CavityFormulation::StreamFunction => (
                    Condition::derivative(0, Component::First(1), move |_| speed),
                    Condition::derivative(0, Component::First(0), |_| 0.0),
                ),
                CavityFormulation::VelocityPressure => (
                    Condition::dirichlet(0, move |_| speed),
                    Condition::dirichlet(1, |_| 0.0),
                ),
            };
            out.push(PlacedCondition::new(
                &format!("{wall}.u"),
                cu,
                region.clone(),
            ));
            out.push(PlacedCondition::new(&format!("{wall}.v"), cv, region));
        }
        out
    }
}
