//! The Kuramoto–Sivashinsky equation with a manufactured solution.

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::Result;
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// Kuramoto–Sivashinsky, forced: `u_t + α u u_x + β u_xx + γ u_xxxx = f(x, t)` on
/// `x ∈ [0, 2π]` (periodic), `t ∈ [0, T]` (inputs `(x, t)`), default `α = β = γ = 1`, `T = 1`.
///
/// The forcing is **manufactured** from the solution `u*(x, t) = e^{−t} sin x`, so that the
/// catalog entry has an exact solution:
///
/// `f = u*_t + α u* u*_x + β u*_xx + γ u*_xxxx
///    = (γ − β − 1) e^{−t} sin x + (α/2) e^{−2t} sin 2x`
///
/// (with `u*_t = −e^{−t} sin x`, `u*_x = e^{−t} cos x`, `u*_xx = −e^{−t} sin x`,
/// `u*_xxxx = e^{−t} sin x`); see [`KuramotoSivashinsky::forcing`].
///
/// With `f ≡ 0` it is the plain KS equation, whose solutions become chaotic — e.g. jaxpi's
/// `ks_chaotic` case and PirateNets' benchmark, `α = 100/16`, `β = 100/16²`, `γ = 100/16⁴` on
/// `[0, 2π] × [0, 1]` from `u₀ = cos x (1 + sin x)`, which has no closed form (its reference
/// is a spectral simulation). That equation is a few lines as a [`Pde`] of its own (below);
/// this catalog entry keeps the manufactured forcing so that its error can be measured
/// against an exact solution.
///
/// - **Source:** Y. Kuramoto, T. Tsuzuki, Prog. Theor. Phys. 55 (1976); G. Sivashinsky, Acta
///   Astronaut. 4 (1977). PINN benchmark coefficients: S. Wang, B. Li, Y. Chen, P. Perdikaris,
///   *PirateNets: Physics-informed deep learning with residual adaptive networks*, JMLR 25
///   (2024), and the jaxpi repository (`examples/ks_chaotic`). The manufactured solution is
///   this crate's.
/// - **Conditions:** `"initial"`: `u(x, 0) = sin x` on [`Region::Initial`]; `"periodic"`:
///   `u(0, t) = u(2π, t)` on [`Region::PeriodicPair`] along `x`. The pair constrains the value
///   only: for the fourth-order equation `u_x`, `u_xx`, `u_xxx` must be periodic too, which a
///   periodic input embedding `(cos x, sin x, t)` gives exactly (as jaxpi does). With a plain
///   network the two terms leave the problem under-determined: in `tests/kuramoto.rs` a plain
///   MLP drove the loss to 6e-6 with a relative ℓ² error of 0.14, the embedded one to 8e-7
///   with 1.8e-4.
/// - **Residual:** `r = u_t + α u u_x + β u_xx + γ u_xxxx − f(x, t)`.
///
/// ```
/// use pinn::ad::{jet::Component, Scalar};
/// use pinn::pde::problems::{KuramotoSivashinsky, Problem};
/// use pinn::pde::{Fields, Pde, Residuals};
///
/// let ks = KuramotoSivashinsky::default();
/// // u* = e^{−t} sin x and the forcing at (π/2, 0): (γ − β − 1) + (α/2)·sin π = −1.
/// let x = [core::f64::consts::FRAC_PI_2, 0.0];
/// assert!((ks.reference(&x)?[0] - 1.0).abs() < 1e-15);
/// assert!((ks.forcing(x[0], x[1]) + 1.0).abs() < 1e-15);
///
/// /// The plain (unforced) KS equation with the PirateNets / jaxpi coefficients.
/// struct PlainKs;
/// impl Pde for PlainKs {
///     fn dim(&self) -> usize { 2 }
///     fn components(&self) -> Vec<Component> {
///         vec![Component::Value, Component::First(0), Component::First(1),
///              Component::Second(0, 0), Component::Fourth(0, 0, 0, 0)]
///     }
///     fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
///         let (a, b, g) = (100.0 / 16.0, 100.0 / 256.0, 100.0 / 65536.0);
///         r[0] = u.d(0, 1) + S::from_f64(a) * u.u(0) * u.d(0, 0)
///             + S::from_f64(b) * u.d2(0, 0, 0) + S::from_f64(g) * u.d4(0, 0, 0, 0, 0);
///     }
/// }
/// # let _ = PlainKs;
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KuramotoSivashinsky {
    /// The advection coefficient `α` (default 1).
    pub alpha: f64,
    /// The (anti-)diffusion coefficient `β` (default 1).
    pub beta: f64,
    /// The hyper-diffusion coefficient `γ` (default 1).
    pub gamma: f64,
    /// The final time `T > 0` (default 1).
    pub t_end: f64,
}

impl Default for KuramotoSivashinsky {
    fn default() -> Self {
        KuramotoSivashinsky {
            alpha: 1.0,
            beta: 1.0,
            gamma: 1.0,
            t_end: 1.0,
        }
    }
}

impl KuramotoSivashinsky {
    /// The problem with finite coefficients `α`, `β`, `γ` on `t ∈ [0, T]`, `T` finite and
    /// `> 0`.
    pub fn new(alpha: f64, beta: f64, gamma: f64, t_end: f64) -> Result<Self> {
        let p = KuramotoSivashinsky {
            alpha,
            beta,
            gamma,
            t_end,
        };
        p.validate()?;
        Ok(p)
    }

    /// The manufactured forcing `f(x, t) = (γ − β − 1) e^{−t} sin x + (α/2) e^{−2t} sin 2x`,
    /// computed term by term from `u* = e^{−t} sin x`.
    pub fn forcing<S: Scalar>(&self, x: S, t: S) -> S {
        let (e, s, c) = ((-t).exp(), x.sin(), x.cos());
        let (u, u_t, u_x, u_xx, u_xxxx) = (e * s, -(e * s), e * c, -(e * s), e * s);
        u_t + S::from_f64(self.alpha) * u * u_x
            + S::from_f64(self.beta) * u_xx
            + S::from_f64(self.gamma) * u_xxxx
    }
}

impl Pde for KuramotoSivashinsky {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
            Component::First(0),
            Component::First(1),
            Component::Second(0, 0),
            Component::Fourth(0, 0, 0, 0),
        ]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.d(0, 1)
            + S::from_f64(self.alpha) * u.u(0) * u.d(0, 0)
            + S::from_f64(self.beta) * u.d2(0, 0, 0)
            + S::from_f64(self.gamma) * u.d4(0, 0, 0, 0, 0)
            - self.forcing(x[0], x[1]);
    }
    fn name(&self) -> String {
        format!(
            "kuramoto_sivashinsky(alpha={}, beta={}, gamma={}, T={})",
            self.alpha, self.beta, self.gamma, self.t_end
        )
    }
}

impl Problem for KuramotoSivashinsky {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![core::f64::consts::TAU, self.t_end])
    }
    fn is_evolution(&self) -> bool {
        true
    }
    fn validate(&self) -> Result<()> {
        check_param("kuramoto_sivashinsky.alpha", self.alpha, false)?;
        check_param("kuramoto_sivashinsky.beta", self.beta, false)?;
        check_param("kuramoto_sivashinsky.gamma", self.gamma, false)?;
        check_param("kuramoto_sivashinsky.t_end", self.t_end, true)
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![(-x[1]).exp() * x[0].sin()])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![
            PlacedCondition::new(
                "initial",
                Condition::initial(0, |x| x[0].sin()),
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
