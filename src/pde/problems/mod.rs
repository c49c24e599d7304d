//! A catalog of benchmark problems, each with its exact or reference solution.
//!
//! Every problem is a [`Pde`] plus what a trainer and a test need around it
//! ([`Problem`]): the box domain ([`Problem::bounds`], time last for evolution problems), the
//! conditions and the [`Region`] each lives on ([`Problem::conditions`]), and the solution —
//! exact and generic over [`Scalar`] where one is known ([`Problem::solution`], so hyper-dual
//! numbers differentiate it), a reference value otherwise ([`Problem::reference`]).
//!
//! | problem | equation | domain | solution | source |
//! |---|---|---|---|---|
//! | [`Poisson1D`] | `u_xx = g` | `[0, 1]` | `sin(Cx)` | Wang, Teng & Perdikaris 2021 §2.3 |
//! | [`Poisson1DModes`] | `−u″ = Σ i sin(ix) + 8 sin 8x` | `[0, π]` | `x + Σ sin(ix)/i + sin(8x)/8` | gPINN (Yu et al. 2022) |
//! | [`Poisson2D`] | `−Δu = f` | `[0, 1]²` | `sin πx sin πy` | `peers/CASES.md` poisson2d |
//! | [`PoissonND`] | `Δu = f` | `[0, 1]^d` | `(1/d) Σ sin(πx_i/2)` | `peers/CASES.md` poisson_hd |
//! | [`PoissonSinSum`] | `Δu + sin(Σx) = 0` | `[0, 1]^d` | `sin(Σx)/d` | He et al. 2023 §5.1 (Stein) |
//! | [`Helmholtz2D`] | `Δu + λu = q` | `[−1, 1]²` | `sin(a₁πx) sin(a₂πy)` | Wang, Teng & Perdikaris 2021 §3.1 |
//! | [`HelmholtzSource2D`] | `Δu + k²u = f` (Gaussian source) | `[0, 1]²` | sine series; 5-point FD | Dolean et al. 2024 (multilevel FBPINN) |
//! | [`Laplace2DMultiscale`] | `Δu + f = 0` | `[0, 1]²` | `(1/n) Σ_ω sin ωπx sin ωπy` | Dolean et al. 2024 (multilevel FBPINN) |
//! | [`HjbLqg`] | `u_t + Δ_x u − λ‖∇_x u‖² = 0` | `[0, 1]^N × [0, 1]` | Cole–Hopf, 1-D quadrature | He et al. 2023 §5.3 (Stein); Han, Jentzen & E 2018 |
//! | [`Heat1D`] | `u_t = α u_xx` | `[0, 1] × [0, 1]` | `e^{−απ²t} sin πx` | DeepXDE heat example |
//! | [`Convection`] | `u_t + β u_x = 0` | `[0, 2π] × [0, 1]` | `sin(x − βt)` | RoPINN (Wu et al. 2024) |
//! | [`Reaction`] | `u_t = ρ u(1 − u)` | `[0, 2π] × [0, 1]` | logistic of `h(x)` | RoPINN |
//! | [`Diffusion1D`] | `u_t = u_xx + s(x, t)` | `[−1, 1] × [0, 1]` | `e^{−t} sin πx` | Wu et al. 2023 (sampling) |
//! | [`Wave`] | `u_tt = c² u_xx` | `[0, 1] × [0, 1]` | two standing waves | RoPINN; Wu et al. 2023 |
//! | [`LidDrivenCavity`] | steady Navier–Stokes, `(ψ, p)` or `(u, v, p)` | `[0, 1]²` | finite differences ([`CavitySolution`]) | Wang, Teng & Perdikaris 2021 §3.3 |
//! | [`Burgers`] | `u_t + u·u_x = ν u_xx` | `[−1, 1] × [0, 1]` | Cole–Hopf quadrature | Raissi et al. 2019 |
//! | [`DampedOscillator`] | `m u″ + μ u′ + k u = 0` | `[0, 1]` | damped cosine | FBPINNs library |
//! | [`SineOde`] | `u′ = cos ωx` | `[−2π, 2π]` | `sin(ωx)/ω` | Moseley et al. 2023 (FBPINN) |
//! | [`Beam`] | `u⁗ = f` | `[0, 1]` | `sin²πx`, `sin πx`, quartic ([`BeamSupport`]) | Timoshenko & Gere; DeepXDE |
//! | [`Kdv`] | `u_t + 6uu_x + u_xxx = 0` | `[−10, 10] × [0, 4]` | two solitons (Hirota) | PDE-FIND (Rudy et al. 2017) |
//! | [`KuramotoSivashinsky`] | `u_t + αuu_x + βu_xx + γu_xxxx = f` | `[0, 2π] × [0, T]` | `e^{−t} sin x` (manufactured) | PirateNets (Wang et al. 2024) |
//! | [`AllenCahn`] | `u_t = D u_xx − ρ(u³ − u)` | `[−1, 1] × [0, 1]` | Legendre–Galerkin / ETDRK4 ([`ReactionDiffusion1D`]) | Wu et al. 2023 (CMAME); DeepXDE |
//! | [`AllenCahnPeriodic`] | `u_t = D u_xx − ρ(u³ − u)`, periodic | `[−1, 1] × [0, 1]` | Fourier / ETDRK4 ([`PeriodicReactionDiffusion1D`]) | Wang, Sankaran & Perdikaris 2024 (causal); Raissi et al. 2019 |
//!
//! Conditions are placed with [`Problem::sample_region`] (random or low-discrepancy points) or
//! [`Problem::grid_region`] (a tensor grid).
//!
//! ```
//! use pinn::pde::problems::{Burgers, Problem, Region};
//! use pinn::pde::Pde;
//! use pinn::rng::{uniform, Seed};
//!
//! let burgers = Burgers::default(); // ν = 0.01/π on x ∈ [−1, 1], t ∈ [0, 1]
//! assert_eq!(burgers.bounds(), (vec![-1.0, 0.0], vec![1.0, 1.0]));
//!
//! // The initial condition u(x, 0) = −sin πx, on 64 random points of the slice t = 0.
//! let conds = burgers.conditions();
//! let ic = conds.iter().find(|c| c.name == "initial").unwrap();
//! assert_eq!(ic.region, Region::Initial);
//! let mut rng = Seed(0).rng();
//! let pts = burgers.sample_region(&ic.region, 64, || uniform(&mut rng))?;
//! assert_eq!(pts.len(), 64);
//! assert!(pts.points.chunks(2).all(|p| p[1] == 0.0));
//!
//! // Burgers has no closed form: the reference is the Cole–Hopf integral.
//! let x = [0.5, 0.5];
//! assert!(burgers.solution(&x).is_none());
//! let u = burgers.reference(&x)?;
//! assert!((u[0] + 0.592_769_534_402).abs() < 1e-10);
//! # Ok::<(), pinn::Error>(())
//! ```

mod allen_cahn;
mod allen_cahn_periodic;
mod beam;
mod burgers;
mod cavity;
mod cavity_solver;
mod convection;
mod diffusion;
pub mod etdrk4;
mod fft;
mod gauss_legendre;
mod heat;
mod helmholtz;
mod helmholtz_source;
mod hermite;
mod hjb;
mod kdv;
mod kuramoto;
mod laplace_multiscale;
mod oscillator;
mod periodic_reaction_diffusion;
mod poisson1d;
mod poisson1d_modes;
mod poisson2d;
mod poisson_nd;
mod poisson_sin_sum;
mod reaction;
mod reaction_diffusion;
mod region;
mod shen;
mod sine_ode;
mod sine_transform;
mod wave;

pub use allen_cahn::AllenCahn;
pub use allen_cahn_periodic::AllenCahnPeriodic;
pub use beam::{Beam, BeamSupport};
pub use burgers::Burgers;
pub use cavity::{CavityFormulation, LidDrivenCavity};
pub use cavity_solver::{CavityOptions, CavitySolution};
pub use convection::Convection;
pub use diffusion::Diffusion1D;
pub use gauss_legendre::{GaussLegendre, MAX_LEGENDRE_NODES, legendre_with_derivative};
pub use heat::Heat1D;
pub use helmholtz::Helmholtz2D;
pub use helmholtz_source::{HelmholtzSource2D, MAX_SOURCE_WIDTH, MIN_SOURCE_WIDTH};
pub use hermite::{GaussHermite, MAX_HERMITE_NODES};
pub use hjb::HjbLqg;
pub use kdv::Kdv;
pub use kuramoto::KuramotoSivashinsky;
pub use laplace_multiscale::Laplace2DMultiscale;
pub use oscillator::DampedOscillator;
pub use periodic_reaction_diffusion::{
    FourierOptions, FourierSolution, PeriodicReactionDiffusion1D,
};
pub use poisson_nd::PoissonND;
pub use poisson_sin_sum::PoissonSinSum;
pub use poisson1d::Poisson1D;
pub use poisson1d_modes::Poisson1DModes;
pub use poisson2d::Poisson2D;
pub use reaction::Reaction;
pub use reaction_diffusion::{ReactionDiffusion1D, SpectralOptions, SpectralSolution};
pub use region::{MAX_GRID_POINTS, Region, RegionPoints, Side};
pub use shen::{MAX_SHEN_MODES, ShenBasis};
pub use sine_ode::SineOde;
pub use wave::Wave;

use crate::ad::Scalar;
use crate::error::{Error, Result};

use super::{Condition, Pde};

/// A condition of a problem, with its name (for the loss term) and where its points live.
#[derive(Clone, Debug)]
pub struct PlacedCondition {
    /// The loss term's name, e.g. `"initial"` or `"boundary"`.
    pub name: String,
    /// The condition.
    pub condition: Condition,
    /// Where its points live.
    pub region: Region,
}

impl PlacedCondition {
    /// `(name, condition, region)`.
    pub fn new(name: &str, condition: Condition, region: Region) -> Self {
        PlacedCondition {
            name: name.into(),
            condition,
            region,
        }
    }
}

/// A benchmark problem: a [`Pde`] on a box, its conditions, and its exact or reference solution.
pub trait Problem: Pde {
    /// The box `(lo, hi)`, one bound per input; time is the last coordinate of an evolution
    /// problem.
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);

    /// Whether the last coordinate is time (its lower bound is the initial instant).
    fn is_evolution(&self) -> bool {
        false
    }

    /// Checks the parameters (finite, in range); the constructors call it.
    fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// The exact solution `u(x)` (one value per output), written generically so dual and
    /// hyper-dual numbers differentiate it. `None` if the problem has no closed form (see
    /// [`Problem::reference`]) or if `x` does not have [`Pde::dim`] coordinates.
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>>;

    /// The exact or reference value at `x` (one per output). By default the exact
    /// [`Problem::solution`] in `f64`.
    ///
    /// Errors: `x` without [`Pde::dim`] coordinates; a point where no reference is defined.
    fn reference(&self, x: &[f64]) -> Result<Vec<f64>> {
        check_point(self.dim(), x)?;
        self.solution(x).ok_or_else(|| Error::InvalidConfig {
            field: "problem.reference",
            reason: format!("{} has no reference solution at {x:?}", self.name()),
        })
    }

    /// [`Problem::reference`] at every point of a point-major list, output-minor
    /// (`u[i·outputs + o]`).
    fn reference_at(&self, points: &[f64]) -> Result<Vec<f64>> {
        let d = self.dim();
        if d == 0 || !points.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "reference points (numbers, a multiple of the dimension)",
                expected: d * points.len().checked_div(d).unwrap_or(0),
                found: points.len(),
            });
        }
        let mut out = Vec::with_capacity(points.len() / d * self.outputs());
        for x in points.chunks(d) {
            out.extend(self.reference(x)?);
        }
        Ok(out)
    }

    /// The boundary, initial and point conditions, each with its name and region.
    fn conditions(&self) -> Vec<PlacedCondition>;

    /// `n` points in `region` of this problem's box, free coordinates from `unit()` ∈ [0, 1]
    /// (see [`Region::sample`]).
    fn sample_region(
        &self,
        region: &Region,
        n: usize,
        unit: impl FnMut() -> f64,
    ) -> Result<RegionPoints> {
        self.validate()?;
        let (lo, hi) = self.bounds();
        region.sample(&lo, &hi, self.is_evolution(), n, unit)
    }

    /// A grid of `per_axis` values per free axis in `region` of this problem's box (see
    /// [`Region::grid`]).
    fn grid_region(&self, region: &Region, per_axis: usize) -> Result<RegionPoints> {
        self.validate()?;
        let (lo, hi) = self.bounds();
        region.grid(&lo, &hi, self.is_evolution(), per_axis)
    }
}

/// `x` has `d` coordinates.
fn check_point(d: usize, x: &[f64]) -> Result<()> {
    if x.len() == d {
        Ok(())
    } else {
        Err(Error::DimensionMismatch {
            what: "point coordinates",
            expected: d,
            found: x.len(),
        })
    }
}

/// An error unless the dimension `d` is at least 1.
fn check_dim(field: &'static str, d: usize) -> Result<()> {
    if d == 0 {
        return Err(Error::InvalidConfig {
            field,
            reason: "the dimension must be at least 1, found 0".into(),
        });
    }
    Ok(())
}

/// An error unless `v` is finite (and positive if `positive`).
fn check_param(field: &'static str, v: f64, positive: bool) -> Result<()> {
    if v.is_finite() && (!positive || v > 0.0) {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            field,
            reason: format!(
                "must be finite{}, found {v}",
                if positive { " and > 0" } else { "" }
            ),
        })
    }
}

/// `π` as a scalar.
fn pi<S: Scalar>() -> S {
    S::from_f64(core::f64::consts::PI)
}
