//! The periodic Allen–Cahn equation of Raissi et al.'s and the causal-training paper's
//! example; reference by a Fourier pseudo-spectral / ETDRK4 solver.

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::periodic_reaction_diffusion::{
    FourierOptions, FourierSolution, PeriodicReactionDiffusion1D,
};
use super::{PlacedCondition, Problem, Region, check_param};

/// `u₀(x) = x² cos πx`.
fn initial(x: f64) -> f64 {
    x * x * (core::f64::consts::PI * x).cos()
}

/// Allen–Cahn, periodic: `u_t − D u_xx + ρ(u³ − u) = 0` on `x ∈ [−1, 1]` (period 2),
/// `t ∈ [0, 1]` (inputs `(x, t)`), `D = 10⁻⁴`, `ρ = 5`, with `u(x, 0) = x² cos πx`.
///
/// - **Source:** S. Wang, S. Sankaran, P. Perdikaris, *Respecting causality for training
///   physics-informed neural networks*, CMAME 421 (2024) 116813 (the Allen–Cahn example;
///   the authors' causal-training algorithm is patented, see `strategies::Causal`); first as
///   a PINN benchmark in M. Raissi, P. Perdikaris, G. E. Karniadakis, J. Comput. Phys. 378
///   (2019) (discrete-time example), whose data file `AC.mat` (512 `x` × 201 `t`) both
///   papers test against. The [`AllenCahn`](super::AllenCahn) of the sampling study is the
///   same equation with `D = 10⁻³` and Dirichlet values.
/// - **Conditions:** `"initial"`: `u(x, 0) = x² cos πx` on [`Region::Initial`];
///   `"periodic"`: `u(−1, t) = u(1, t)` on [`Region::PeriodicPair`] along `x`. Periodicity
///   also means `u_x(−1, t) = u_x(1, t)` (Raissi et al. state both), which no [`Condition`]
///   expresses; the periodic embedding of the causal paper's network
///   (`NetBuilder::periodic_embedding`) makes `u` and all its `x`-derivatives periodic
///   exactly, so both hold by construction.
///   `u₀` itself is not smooth as a periodic function: `u₀′(±1) = ∓2`, a corner at `x = ±1`
///   that diffusion removes for `t > 0` (and that an exactly periodic network cannot fit).
/// - **Residual:** `r = u_t − D u_xx + ρ(u³ − u)`.
/// - **Solution:** no closed form ([`Problem::solution`] is `None`). The reference is computed
///   by [`PeriodicReactionDiffusion1D`] (Fourier pseudo-spectral in `x`, ETDRK4 in `t`,
///   `u₀` from its exact Fourier coefficients, [`AllenCahnPeriodic::initial_coefficient`]):
///   [`AllenCahnPeriodic::reference_grid`] and [`AllenCahnPeriodic::spectral`] solve once
///   for many points; [`Problem::reference`] and [`Problem::reference_at`] solve with the
///   default [`FourierOptions`] (one solve per call for all the points' distinct times). At
///   `t = 0` the reference is `x² cos πx` itself; the truncated series there
///   ([`AllenCahnPeriodic::spectral`]) is off by `O(1/N)` at the corner.
///
///   **Accuracy** (default: `N = 4096` points, so modes `k ≤ 2047`, step `h = 1/1000`), on
///   the causal paper's grid, 512 `x` of `[−1, 1)` (`x_i = −1 + 2i/512`) × 201 `t` of
///   `[0, 1]`: the largest difference to the solve at `(2N, h/2)` is `1.1e−10`, at the first
///   time `t = 1/200` and at the corner `x = −1` (`8e−14` there for `|x| < 0.9`), and
///   `8.2e−12` for `t ≥ 0.05`; to `(N, h/2)` `1.1e−10`
///   (the time error) and to `(2N, h)` `4.9e−12` (the space error, aliasing included). The
///   corner sets the resolution: against a `(16384, 1/4000)` solve, `N = 1024, 2048, 4096`
///   (at `h = 1/1000`) are off by `4.3e−5, 1.7e−7, 1.1e−10`, all at `t = 1/200`, while at
///   `t = 0.5` all three agree to `4e−12`; in time, `h = 1/250 … 1/2000` at `N = 4096` are off
///   by `3.2e−8, 1.6e−9, 1.1e−10, 8.7e−12`. For `0 < t < 1/200` (not measured) the corner is
///   resolved only once `D(Kπ)²t ≫ 1` (`K = N/2 − 1`, i.e. `t ≫ 2.4e−4` at the default).
///   **Dealiasing:** none (see [`PeriodicReactionDiffusion1D`]); the coefficients from `k =
///   N/3` on, where the cubic starts to alias, are at most `2.1e−11` at `t = 1/200` and
///   `1.3e−19` for `t ≥ 0.05`, and the space error above includes whatever aliasing does.
///   The PDE residual of the solution (`u_xx` from the series, `u_t` by a sixth-order
///   difference in time) is at most `3.3e−11` at the 512 `x` and 9 times in `[0.1, 0.9]`,
///   against terms of size up to 3.9 (`ρ` off by 1% gives `1.9e−2`). The heat limit
///   (`ρ = 0`) matches the exact decay of single modes to `7e−15`. `tests/allen_cahn_periodic.rs`
///   asserts these (the default-resolution checks are `#[ignore]`d: ~11 s in a release
///   build), except the comparisons with the `(16384, 1/4000)` solve and the location of the
///   largest difference, which were measured once. One default solve on the 512 × 201 grid takes ~1.2 s (release build, two busy
///   cores). Sample values at `t = 1`: `u(0, 1) = 0.029579721`, `u(±0.25, 1) = 0.988474648`,
///   `u(±0.5, 1) = −0.064076798` (an interface passes there), `u(±1, 1) = −0.999998884`.
///   This reference has not been compared with the papers' `AC.mat` (not available here).
///
/// ```
/// use pinn::pde::problems::{AllenCahnPeriodic, FourierOptions, Problem};
/// let ac = AllenCahnPeriodic::default();
/// assert_eq!(ac.bounds(), (vec![-1.0, 0.0], vec![1.0, 1.0]));
/// // A coarse solve (the default options are far more accurate, see above).
/// let opts = FourierOptions { points: 512, steps_per_unit_time: 100 };
/// let u = ac.reference_grid(&[-1.0, 0.0, 1.0], &[0.0, 1.0], opts)?;
/// // Point-major, x slowest: u(−1, 0), u(−1, 1), u(0, 0), u(0, 1), u(1, 0), u(1, 1).
/// assert_eq!((u[0], u[2], u[4]), (-1.0, 0.0, -1.0)); // x² cos πx at t = 0
/// assert_eq!(u[1], u[5]); // periodic
/// assert!((u[1] + 1.0).abs() < 1e-3 && u[3] > 0.0);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllenCahnPeriodic {
    /// The diffusivity `D` (default `10⁻⁴`).
    pub d: f64,
    /// The reaction rate `ρ` (default 5).
    pub rho: f64,
}

impl Default for AllenCahnPeriodic {
    fn default() -> Self {
        AllenCahnPeriodic { d: 1e-4, rho: 5.0 }
    }
}

impl AllenCahnPeriodic {
    /// The problem with diffusivity `D > 0` and reaction rate `ρ ≥ 0` (`ρ = 0` is the heat
    /// equation).
    pub fn new(d: f64, rho: f64) -> Result<Self> {
        let p = AllenCahnPeriodic { d, rho };
        p.validate()?;
        Ok(p)
    }

    /// The Fourier coefficients `[a_k, b_k]` of `u₀ = x² cos πx = a₀ + Σ_{k≥1} a_k cos kπx`
    /// on `[−1, 1]` (`u₀` is even, so `b_k = 0`), from
    /// `∫_{−1}^{1} x² cos mπx dx = 4(−1)^m/(mπ)²` (`m ≥ 1`) and the product-to-sum rule:
    ///
    /// `a₀ = −2/π²`, `a₁ = 1/3 + 1/(2π²)`,
    /// `a_k = 2(−1)^{k+1}/π² · [1/(k − 1)² + 1/(k + 1)²]` (`k ≥ 2`).
    ///
    /// They decay like `4/(πk)²` only: the corner of `u₀`'s periodic extension at `x = ±1`.
    ///
    /// ```
    /// use pinn::pde::problems::AllenCahnPeriodic;
    /// // At x = 0: u₀(0) = Σ a_k = 0.
    /// let s: f64 = (0..200_000).map(|k| AllenCahnPeriodic::initial_coefficient(k)[0]).sum();
    /// assert!(s.abs() < 1e-10);
    /// ```
    pub fn initial_coefficient(k: usize) -> [f64; 2] {
        let pi2 = core::f64::consts::PI * core::f64::consts::PI;
        let a = match k {
            0 => -2.0 / pi2,
            1 => 1.0 / 3.0 + 0.5 / pi2,
            _ => {
                let (m, p) = ((k - 1) as f64, (k + 1) as f64);
                let sign = if k.is_multiple_of(2) { -1.0 } else { 1.0 };
                sign * 2.0 / pi2 * (1.0 / (m * m) + 1.0 / (p * p))
            }
        };
        [a, 0.0]
    }

    /// The spectral solution ([`PeriodicReactionDiffusion1D`]) at `times` (each in `[0, 1]`,
    /// any order), evaluable at any `x` with its `x`-derivatives. At `t = 0` it is the
    /// truncated Fourier series of `u₀`.
    pub fn spectral(&self, times: &[f64], opts: FourierOptions) -> Result<FourierSolution> {
        self.validate()?;
        if let Some(t) = times.iter().find(|t| !(0.0..=1.0).contains(*t)) {
            return Err(Error::InvalidConfig {
                field: "allen_cahn_periodic.times",
                reason: format!("times must lie in [0, 1], found {t}"),
            });
        }
        let rho = self.rho;
        let solver = PeriodicReactionDiffusion1D {
            diffusivity: self.d,
        };
        solver.solve(
            move |u| rho * (u - u * u * u),
            Self::initial_coefficient,
            times,
            opts,
        )
    }

    /// The reference `u(xs[i], ts[j])` on the grid `xs × ts`, point-major with `x` slowest
    /// (`out[i·ts.len() + j]`, the order of `(x, t)` points built as `xs × ts`), from one
    /// solve with `opts`; `x² cos πx` exactly where `t = 0`. Times need not be multiples of
    /// the step (see [`PeriodicReactionDiffusion1D`]). Errors: an `x ∉ [−1, 1]` or
    /// `t ∉ [0, 1]`; invalid options.
    pub fn reference_grid(&self, xs: &[f64], ts: &[f64], opts: FourierOptions) -> Result<Vec<f64>> {
        check_xs(xs)?;
        let mut u = self.spectral(ts, opts)?.grid(xs)?;
        for (j, _) in ts.iter().enumerate().filter(|(_, t)| **t == 0.0) {
            for (i, &x) in xs.iter().enumerate() {
                u[i * ts.len() + j] = initial(x);
            }
        }
        Ok(u)
    }
}

/// An error unless every `x ∈ [−1, 1]`.
fn check_xs(xs: &[f64]) -> Result<()> {
    match xs.iter().find(|x| !(-1.0..=1.0).contains(*x)) {
        Some(x) => Err(Error::InvalidConfig {
            field: "allen_cahn_periodic.xs",
            reason: format!("x must lie in [−1, 1], found {x}"),
        }),
        None => Ok(()),
    }
}

impl Pde for AllenCahnPeriodic {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
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
        let v = u.u(0);
        r[0] = u.d(0, 1) - S::from_f64(self.d) * u.d2(0, 0, 0)
            + S::from_f64(self.rho) * (v * v * v - v);
    }
    fn name(&self) -> String {
        format!("allen_cahn_periodic(d={}, rho={})", self.d, self.rho)
    }
}

impl Problem for AllenCahnPeriodic {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-1.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("allen_cahn_periodic.d", self.d, true)?;
        check_param("allen_cahn_periodic.rho", self.rho, false)?;
        if self.rho < 0.0 {
            return Err(Error::InvalidConfig {
                field: "allen_cahn_periodic.rho",
                reason: format!("must be ≥ 0, found {}", self.rho),
            });
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, _x: &[S]) -> Option<Vec<S>> {
        None
    }
    /// One spectral solve with the default [`FourierOptions`] (see [`AllenCahnPeriodic`]);
    /// for many points use [`Problem::reference_at`] or
    /// [`AllenCahnPeriodic::reference_grid`], which solve once.
    fn reference(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.reference_at(x)
    }
    /// One spectral solve with the default [`FourierOptions`] for all the points' distinct
    /// times (`x² cos πx` exactly at `t = 0`). Errors: a length not a multiple of 2; a point
    /// outside `[−1, 1] × [0, 1]`.
    fn reference_at(&self, points: &[f64]) -> Result<Vec<f64>> {
        if !points.len().is_multiple_of(2) {
            return Err(Error::DimensionMismatch {
                what: "reference points (numbers, a multiple of the dimension)",
                expected: points.len() / 2 * 2,
                found: points.len(),
            });
        }
        let xs: Vec<f64> = points.chunks(2).map(|p| p[0]).collect();
        check_xs(&xs)?;
        let mut times: Vec<f64> = points.chunks(2).map(|p| p[1]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let sol = self.spectral(&times, FourierOptions::default())?;
        points
            .chunks(2)
            .map(|p| {
                if p[1] == 0.0 {
                    return Ok(initial(p[0]));
                }
                sol.value(times.partition_point(|&t| t < p[1]), p[0])
            })
            .collect()
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| initial(x[0])),
                Region::Initial,
            ),
            PlacedCondition::new(
                "periodic",
                Condition::Periodic { output: 0 },
                Region::PeriodicPair { axis: 0 },
            ),
        ]
    }
}
