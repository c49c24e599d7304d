//! The Allen–Cahn equation of DeepXDE's example and Wu et al.'s sampling study; reference by a
//! Legendre–Galerkin / ETDRK4 solver.

use crate::ad::jet::{Component, GraphBuilder, NodeId};
use crate::ad::{Elementary, Scalar};
use crate::error::{Error, Result};
use crate::pde::hard::{self, HardConstraint};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::reaction_diffusion::{ReactionDiffusion1D, SpectralOptions, SpectralSolution};
use super::{PlacedCondition, Problem, Region, check_param};

/// `u₀(x) = x² cos πx`.
fn initial(x: f64) -> f64 {
    x * x * (core::f64::consts::PI * x).cos()
}

/// Allen–Cahn: `u_t = D u_xx − ρ(u³ − u)` on `x ∈ [−1, 1]`, `t ∈ [0, 1]` (inputs `(x, t)`),
/// `D = 0.001`, `ρ = 5`, with `u(x, 0) = x² cos πx` and `u(±1, t) = −1`. The reaction drives
/// `u` to the wells `±1`; interfaces of width `~√(2D/ρ) ≈ 0.02` form where `u₀` changes sign
/// (`x = ±1/2`), with `u → −1` outside them and `u → 1` inside, except near `x = 0`, where
/// `u₀` only touches 0 and `u` has grown to 0.28 by `t = 1`.
///
/// - **Source:** C. Wu, M. Zhu, Q. Tan, Y. Kartha, L. Lu, *A comprehensive study of
///   non-adaptive and residual-based adaptive sampling for physics-informed neural networks*,
///   CMAME 403 (2023); the Allen–Cahn example of DeepXDE. The study's code loads
///   `usol_D_0.001_k_5.mat`, DeepXDE's example `Allen_Cahn.mat`: `u` on 201 `x`-values ×
///   101 `t`-values.
/// - **Conditions:** `"initial"`: `u(x, 0) = x² cos πx` on [`Region::Initial`]; `"boundary"`:
///   `u(±1, t) = −1` on [`Region::AllSpatialFaces`]. The study imposes both by the hard
///   constraint [`HardConstraint::ansatz`]: `u = x² cos πx + t(1 + x)(1 − x)·N(x, t)`, which
///   meets them for any network `N` (`cos(±π) = −1`).
/// - **Residual:** `r = u_t − D u_xx + ρ(u³ − u)`.
/// - **Solution:** no closed form ([`Problem::solution`] is `None`). The reference is computed
///   by [`ReactionDiffusion1D`] (Legendre–Galerkin in `x` with Shen's basis, exact
///   diagonalisation of the linear part, ETDRK4 in `t`, alias-free Gauss–Legendre quadrature of
///   the cubic): [`AllenCahn::reference_grid`] and [`AllenCahn::spectral`] solve once for many
///   points; [`Problem::reference`] and [`Problem::reference_at`] solve with the default
///   [`SpectralOptions`] (one solve per call, ~0.5 s in a release build, for all the points'
///   distinct times at once).
///
///   **Accuracy** (default: `N = 640` modes, step `h = 1/800`), on DeepXDE's 201 × 101 grid of
///   `[−1, 1] × [0, 1]`: the largest difference to the solve at `(2N, h/2)` is `2.1e−11`; to
///   `(N, h/2)` `2.2e−11` (the time error) and to `(2N, h)` `1.0e−11` (the space error). The
///   spectral convergence is fast — at `h = 1/200`, `N = 384, 512, 640, 768` are off by
///   `2.7e−7, 1.3e−9, 1.0e−11, 3e−13` — and ETDRK4's fourth order shows in time (`h = 1/100 …
///   1/800`: `8.3e−8, 5.3e−9, 3.4e−10` between successive halvings). `u(±1, t) = −1` exactly;
///   `u(x, 0)` matches `x² cos πx` to `3e−14`; the PDE residual of the solution (`u_xx` from the
///   spectral expansion, `u_t` by a sixth-order difference in time) is below `7e−10` on the
///   grid, against terms of size up to 4. `tests/allen_cahn.rs` asserts all of these (and checks
///   the solver against the exact heat-equation solution, `ρ = 0`, and exact linear-reaction
///   solutions). Sample values at `t = 1`: `u(0, 1) = 0.275326457`, `u(±0.25, 1) = 0.987321159`,
///   `u(±0.5, 1) = −0.247501076`.
///
///   **Against DeepXDE's data** (`examples/dataset/Allen_Cahn.mat` of the DeepXDE repository,
///   read once outside this crate; not shipped here): the largest difference is `4.9e−4` (at `x = 0.58`,
///   `t = 0.56`), relative ℓ² `1.6e−4`, `3e−14` at `t = 0`; e.g. the file has
///   `u(0, 1) = 0.27573`, `u(0.5, 1) = −0.24781`. That is the file's own error — seven orders of
///   magnitude above this reference's — and sets the floor of any error measured against it.
///   Layout: [`AllenCahn::reference_grid`] is `x`-slowest (as `xs × ts` grids are built here);
///   DeepXDE's `u.flatten()` is `t`-slowest (`u[t_i, x_j]`), so transpose when comparing.
///
/// ```
/// use pinn::pde::problems::{AllenCahn, Problem, SpectralOptions};
/// let ac = AllenCahn::default();
/// assert_eq!(ac.bounds(), (vec![-1.0, 0.0], vec![1.0, 1.0]));
/// // A coarse solve (the default options are accurate to ~2e−11, see above).
/// let opts = SpectralOptions { modes: 160, steps_per_unit_time: 50 };
/// let u = ac.reference_grid(&[-1.0, 0.0, 0.25, 1.0], &[0.0, 1.0], opts)?;
/// // Point-major, x slowest: u(−1, 0), u(−1, 1), u(0, 0), u(0, 1), …
/// assert_eq!((u[0], u[1], u[6], u[7]), (-1.0, -1.0, -1.0, -1.0));
/// assert!(u[2].abs() < 1e-14 && (u[3] - 0.2753).abs() < 0.01); // the dip at x = 0
/// assert!((u[4] - 0.0625 * (std::f64::consts::FRAC_PI_4).cos()).abs() < 1e-14);
/// assert!(u[5] > 0.98); // the plateau near +1
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllenCahn {
    /// The diffusivity `D` (default 0.001).
    pub d: f64,
    /// The reaction rate `ρ` (default 5).
    pub rho: f64,
}

impl Default for AllenCahn {
    fn default() -> Self {
        AllenCahn { d: 0.001, rho: 5.0 }
    }
}

impl AllenCahn {
    /// The problem with diffusivity `D > 0` and reaction rate `ρ ≥ 0` (`ρ = 0` is the heat
    /// equation).
    pub fn new(d: f64, rho: f64) -> Result<Self> {
        let p = AllenCahn { d, rho };
        p.validate()?;
        Ok(p)
    }

    /// The spectral solution ([`ReactionDiffusion1D`]) at `times` (each in `[0, 1]`, any
    /// order), evaluable at any `x` with its `x`-derivatives.
    pub fn spectral(&self, times: &[f64], opts: SpectralOptions) -> Result<SpectralSolution> {
        self.validate()?;
        if let Some(t) = times.iter().find(|t| !(0.0..=1.0).contains(*t)) {
            return Err(Error::InvalidConfig {
                field: "allen_cahn.times",
                reason: format!("times must lie in [0, 1], found {t}"),
            });
        }
        let rho = self.rho;
        let solver = ReactionDiffusion1D {
            diffusivity: self.d,
            left: -1.0,
            right: -1.0,
        };
        solver.solve(move |u| -rho * (u * u * u - u), initial, times, opts)
    }

    /// The reference `u(xs[i], ts[j])` on the grid `xs × ts`, point-major with `x` slowest
    /// (`out[i·ts.len() + j]`, the order of `(x, t)` points built as `xs × ts`), from one
    /// solve with `opts`. Times need not be multiples of the step (see
    /// [`ReactionDiffusion1D`]). Errors: an `x ∉ [−1, 1]` or `t ∉ [0, 1]`; invalid options.
    pub fn reference_grid(
        &self,
        xs: &[f64],
        ts: &[f64],
        opts: SpectralOptions,
    ) -> Result<Vec<f64>> {
        if let Some(x) = xs.iter().find(|x| !(-1.0..=1.0).contains(*x)) {
            return Err(Error::InvalidConfig {
                field: "allen_cahn.xs",
                reason: format!("x must lie in [−1, 1], found {x}"),
            });
        }
        self.spectral(ts, opts)?.grid(xs)
    }
}

impl Pde for AllenCahn {
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
        format!("allen_cahn(d={}, rho={})", self.d, self.rho)
    }
}

impl Problem for AllenCahn {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![-1.0, 0.0], vec![1.0, 1.0])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("allen_cahn.d", self.d, true)?;
        check_param("allen_cahn.rho", self.rho, false)?;
        if self.rho < 0.0 {
            return Err(Error::InvalidConfig {
                field: "allen_cahn.rho",
                reason: format!("must be ≥ 0, found {}", self.rho),
            });
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, _x: &[S]) -> Option<Vec<S>> {
        None
    }
    /// One spectral solve with the default [`SpectralOptions`] (see [`AllenCahn`]); for many
    /// points use [`Problem::reference_at`] or [`AllenCahn::reference_grid`], which solve once.
    fn reference(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.reference_at(x)
    }
    /// One spectral solve with the default [`SpectralOptions`] for all the points' distinct
    /// times. Errors: a length not a multiple of 2; a point outside `[−1, 1] × [0, 1]`.
    fn reference_at(&self, points: &[f64]) -> Result<Vec<f64>> {
        if !points.len().is_multiple_of(2) {
            return Err(Error::DimensionMismatch {
                what: "reference points (numbers, a multiple of the dimension)",
                expected: points.len() / 2 * 2,
                found: points.len(),
            });
        }
        let mut times: Vec<f64> = points.chunks(2).map(|p| p[1]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let sol = self.spectral(&times, SpectralOptions::default())?;
        points
            .chunks(2)
            .map(|p| {
                let j = times.partition_point(|&t| t < p[1]);
                sol.value(j, p[0]).map_err(|_| Error::InvalidConfig {
                    field: "allen_cahn.reference",
                    reason: format!("needs x ∈ [−1, 1], found {p:?}"),
                })
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
                "boundary",
                Condition::dirichlet(0, |_| -1.0),
                Region::AllSpatialFaces,
            ),
        ]
    }
}

impl HardConstraint for AllenCahn {
    /// `u = x² cos πx + t (1 + x)(1 − x)·N(x, t)`: `u(x, 0) = x² cos πx` and
    /// `u(±1, t) = cos(±π) = −1` for any `N`.
    ///
    /// ```
    /// use pinn::ad::Elementary;
    /// use pinn::nets::{predict, NetBuilder};
    /// use pinn::pde::hard::HardConstraint;
    /// use pinn::pde::problems::AllenCahn;
    /// let ac = AllenCahn::default();
    /// let net = NetBuilder::new(2)
    ///     .mlp(&[16, 16], Elementary::Tanh)
    ///     .transform(move |b, x, n| ac.ansatz(b, x, n))
    ///     .build(1)?;
    /// let theta: Vec<f64> = net.init_params(pinn::rng::Seed(3));
    /// let u = predict(&net, &theta, &[-1.0, 0.7, 0.5, 0.0, 1.0, 0.2])?;
    /// assert_eq!(u[0], -1.0);
    /// assert!((u[1] - 0.25 * (std::f64::consts::FRAC_PI_2).cos()).abs() < 1e-16);
    /// assert_eq!(u[2], -1.0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId {
        let pi = core::f64::consts::PI;
        let x0 = hard::coordinate(b, x, 0);
        let x2 = b.mul(x0, x0);
        let cos = hard::wave(b, x, 0, Elementary::Cos, pi, 0.0);
        let a = b.mul(x2, cos);
        let t = hard::coordinate(b, x, 1);
        let (lo, hi) = self.bounds();
        let sides = hard::vanish_on_box(b, x, &lo, &hi, &[0]);
        let bx = b.mul(t, sides);
        hard::ansatz(b, Some(a), bx, n)
    }
}
