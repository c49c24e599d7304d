//! The Euler–Bernoulli beam, a fourth-order ODE, with three kinds of support.

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, Side, pi};

/// How the ends of a [`Beam`] are held, which fixes its four boundary conditions and its exact
/// solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BeamSupport {
    /// Both ends clamped: `u(0) = u(1) = 0` and `u′(0) = u′(1) = 0`. Exact solution
    /// `u = sin²(πx)`, load `f = −8π⁴ cos(2πx)`.
    #[default]
    Clamped,
    /// Both ends simply supported (hinged): `u(0) = u(1) = 0` and zero bending moment
    /// `u″(0) = u″(1) = 0`. Exact solution `u = sin(πx)`, load `f = π⁴ sin(πx)`.
    SimplySupported,
    /// Clamped at `x = 0`, free at `x = 1`: `u(0) = u′(0) = 0`, and zero moment and shear
    /// `u″(1) = u‴(1) = 0`. Uniform load `f = −1`, exact solution
    /// `u = −x⁴/24 + x³/6 − x²/4` (DeepXDE's `Euler_beam.py`).
    Cantilever,
}

impl BeamSupport {
    /// A short name: `"clamped"`, `"simply-supported"`, `"cantilever"`.
    pub fn name(self) -> &'static str {
        match self {
            BeamSupport::Clamped => "clamped",
            BeamSupport::SimplySupported => "simply-supported",
            BeamSupport::Cantilever => "cantilever",
        }
    }
}

/// Euler–Bernoulli beam: `u⁗ = f(x)` on `x ∈ [0, 1]` — the static deflection `u` of a beam of
/// unit length and unit bending stiffness `EI` under the transverse load `f` (in the sign
/// convention `EI u⁗ = f`). The load is chosen per [`BeamSupport`] so that the solution is
/// exact:
///
/// | support | conditions | `u` | `f = u⁗` |
/// |---|---|---|---|
/// | [`Clamped`](BeamSupport::Clamped) | `u = u′ = 0` at `x = 0, 1` | `sin²(πx)` | `−8π⁴ cos(2πx)` |
/// | [`SimplySupported`](BeamSupport::SimplySupported) | `u = u″ = 0` at `x = 0, 1` | `sin(πx)` | `π⁴ sin(πx)` |
/// | [`Cantilever`](BeamSupport::Cantilever) | `u = u′ = 0` at 0, `u″ = u‴ = 0` at 1 | `−x⁴/24 + x³/6 − x²/4` | `−1` |
///
/// (`sin²(πx) = (1 − cos 2πx)/2`, so its fourth derivative is `−(2π)⁴/2 · cos 2πx`, and its
/// slope `π sin 2πx` vanishes at both ends.)
///
/// - **Source:** the Euler–Bernoulli equation `(EI u″)″ = q` and its support conditions, e.g.
///   S. Timoshenko, J. Gere, *Mechanics of Materials*, ch. 9 (deflections of beams); the
///   cantilever is DeepXDE's `examples/pinn_forward/Euler_beam.py` (Lu et al., *DeepXDE*, SIAM
///   Review 63 (2021)), which writes `u⁗ + 1 = 0`.
/// - **Conditions:** `"boundary"`: `u = 0` on both ends ([`Region::AllSpatialFaces`]) for the
///   clamped and simply supported beams; `"slope"`: `∂u/∂n = 0` ([`Condition::Neumann`], on
///   both ends, outward normals from the region) for the clamped one; `"moment"`:
///   `u″ = 0` ([`Condition::Derivative`] on [`Component::Second`]) on both ends for the simply
///   supported one. The cantilever has four terms, `"clamp_value"` `u(0) = 0`,
///   `"clamp_slope"` `∂u/∂n (0) = 0` (normal `−1`), `"free_moment"` `u″(1) = 0` and
///   `"free_shear"` `u‴(1) = 0` ([`Component::Third`]).
/// - **Residual:** `r = u⁗ − f(x)`. The load is large for the trigonometric solutions
///   (`8π⁴ ≈ 779`, `π⁴ ≈ 97`), so an unweighted PDE term dominates the boundary terms; a
///   trainer may weight it by `1/f_max²` ([`Beam::load_scale`]), the residual measured
///   relative to the load.
///
/// ```
/// use pinn::pde::problems::{Beam, BeamSupport, Problem};
/// use pinn::pde::Pde;
/// let beam = Beam::new(BeamSupport::SimplySupported);
/// assert_eq!(beam.name(), "beam(simply-supported)");
/// // u = sin(πx): u(½) = 1, and the load is π⁴ sin(πx).
/// assert!((beam.reference(&[0.5])?[0] - 1.0).abs() < 1e-15);
/// let pi4 = std::f64::consts::PI.powi(4);
/// assert!((beam.load(0.5_f64) - pi4).abs() < 1e-12);
/// let names: Vec<String> = beam.conditions().into_iter().map(|c| c.name).collect();
/// assert_eq!(names, ["boundary", "moment"]);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Beam {
    /// How the ends are held (default [`BeamSupport::Clamped`]).
    pub support: BeamSupport,
}

impl Beam {
    /// The beam with the given support.
    pub fn new(support: BeamSupport) -> Self {
        Beam { support }
    }

    /// The load `f(x) = u⁗(x)` of the exact solution (see the table of [`Beam`]).
    pub fn load<S: Scalar>(&self, x: S) -> S {
        let p = pi::<S>();
        match self.support {
            BeamSupport::Clamped => {
                S::from_f64(-8.0 * core::f64::consts::PI.powi(4)) * (S::from_f64(2.0) * p * x).cos()
            }
            BeamSupport::SimplySupported => {
                S::from_f64(core::f64::consts::PI.powi(4)) * (p * x).sin()
            }
            BeamSupport::Cantilever => S::from_f64(-1.0),
        }
    }

    /// The size of the load, `max_{[0, 1]} |f|`: `8π⁴`, `π⁴`, `1` (see the table of
    /// [`Beam`]). Dividing the residual by it (weighting the PDE term by `1/load_scale²`)
    /// measures the residual relative to the load, which keeps the PDE term from swamping the
    /// boundary terms in training.
    pub fn load_scale(&self) -> f64 {
        let pi4 = core::f64::consts::PI.powi(4);
        match self.support {
            BeamSupport::Clamped => 8.0 * pi4,
            BeamSupport::SimplySupported => pi4,
            BeamSupport::Cantilever => 1.0,
        }
    }

    fn exact<S: Scalar>(&self, x: S) -> S {
        match self.support {
            BeamSupport::Clamped => {
                let s = (pi::<S>() * x).sin();
                s * s
            }
            BeamSupport::SimplySupported => (pi::<S>() * x).sin(),
            BeamSupport::Cantilever => {
                let x2 = x * x;
                x2 * (x * (S::from_f64(1.0 / 6.0) - x * S::from_f64(1.0 / 24.0))
                    - S::from_f64(0.25))
            }
        }
    }
}

impl Pde for Beam {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Fourth(0, 0, 0, 0)]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d4(0, 0, 0, 0, 0) - self.load(x[0]);
    }
    fn name(&self) -> String {
        format!("beam({})", self.support.name())
    }
}

impl Problem for Beam {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0], vec![1.0])
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 1).then(|| vec![self.exact(x[0])])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        let zero = |_: &[f64]| 0.0;
        let second = Component::Second(0, 0);
        let (lo, hi) = (
            Region::Face {
                axis: 0,
                side: Side::Lo,
            },
            Region::Face {
                axis: 0,
                side: Side::Hi,
            },
        );
        match self.support {
            BeamSupport::Clamped => vec![
                PlacedCondition::new(
                    "boundary",
                    Condition::dirichlet(0, zero),
                    Region::AllSpatialFaces,
                ),
                PlacedCondition::new(
                    "slope",
                    Condition::neumann(0, zero),
                    Region::AllSpatialFaces,
                ),
            ],
            BeamSupport::SimplySupported => vec![
                PlacedCondition::new(
                    "boundary",
                    Condition::dirichlet(0, zero),
                    Region::AllSpatialFaces,
                ),
                PlacedCondition::new(
                    "moment",
                    Condition::derivative(0, second, zero),
                    Region::AllSpatialFaces,
                ),
            ],
            BeamSupport::Cantilever => vec![
                PlacedCondition::new("clamp_value", Condition::dirichlet(0, zero), lo.clone()),
                PlacedCondition::new("clamp_slope", Condition::neumann(0, zero), lo),
                PlacedCondition::new(
                    "free_moment",
                    Condition::derivative(0, second, zero),
                    hi.clone(),
                ),
                PlacedCondition::new(
                    "free_shear",
                    Condition::derivative(0, Component::Third(0, 0, 0), zero),
                    hi,
                ),
            ],
        }
    }
}
