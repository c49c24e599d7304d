//! The multiscale Laplace problem of the multilevel FBPINN paper.

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param, pi};

/// Multiscale Laplace 2-D: `Δu + f = 0` on `(x, y) ∈ [0, 1]²`, `u = 0` on the boundary, with
/// `f = (2/n) Σ_ω (ωπ)² sin(ωπx) sin(ωπy)` over `n` frequencies `ω`; exact solution
/// `u = (1/n) Σ_ω sin(ωπx) sin(ωπy)`.
///
/// - **Source:** V. Dolean, A. Heinlein, S. Mishra, B. Moseley, *Multilevel domain
///   decomposition-based architectures for physics-informed neural networks*, CMAME 429
///   (2024), `Laplace2D_multiscale` of `multilevel-paper/problems.py` (spec §3.3): the strong
///   scaling study uses `ω ∈ {2, 4, 8, 16, 32, 64}`, the code's default is `{2, 4, 8, 16}`.
/// - **Conditions:** `"boundary"`: Dirichlet `u = 0` on [`Region::AllSpatialFaces`] (the
///   paper imposes it with the hard constraint `Π_d tanh(x_d/s) tanh((1 − x_d)/s)`,
///   `s = 1/ω_max`).
/// - **Residual:** `r = Δu + f` (read as the Laplacian aggregate).
#[derive(Clone, Debug, PartialEq)]
pub struct Laplace2DMultiscale {
    omegas: Vec<f64>,
}

impl Default for Laplace2DMultiscale {
    /// The strong-scaling frequencies `{2, 4, 8, 16, 32, 64}`.
    fn default() -> Self {
        Laplace2DMultiscale {
            omegas: vec![2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
        }
    }
}

impl Laplace2DMultiscale {
    /// The problem with the frequencies `omegas`: at least one, each a whole number `≥ 1`
    /// (so that `u` vanishes on the boundary).
    pub fn new(omegas: &[f64]) -> Result<Self> {
        let p = Laplace2DMultiscale {
            omegas: omegas.to_vec(),
        };
        p.validate()?;
        Ok(p)
    }

    /// The frequencies `ω`.
    pub fn omegas(&self) -> &[f64] {
        &self.omegas
    }

    /// `(1/n) Σ_ω c_ω sin(ωπx) sin(ωπy)` with `c_ω = coef(ω)`.
    fn series<S: Scalar>(&self, x: S, y: S, coef: impl Fn(f64) -> f64) -> S {
        let n = self.omegas.len() as f64;
        let mut sum = S::zero();
        for &w in &self.omegas {
            let k = pi::<S>() * S::from_f64(w);
            sum += S::from_f64(coef(w)) * (k * x).sin() * (k * y).sin();
        }
        sum * S::from_f64(1.0 / n)
    }
}

impl Pde for Laplace2DMultiscale {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Laplacian]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        let pi2 = core::f64::consts::PI * core::f64::consts::PI;
        let f = self.series(x[0], x[1], |w| 2.0 * w * w * pi2);
        r[0] = u.lap(0) + f;
    }
    fn name(&self) -> String {
        format!("laplace2d_multiscale(omegas={:?})", self.omegas)
    }
}

impl Problem for Laplace2DMultiscale {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }
    fn validate(&self) -> Result<()> {
        if self.omegas.is_empty() {
            return Err(Error::InvalidConfig {
                field: "laplace2d_multiscale.omegas",
                reason: "at least one frequency needed, found none".into(),
            });
        }
        for &w in &self.omegas {
            check_param("laplace2d_multiscale.omegas", w, true)?;
            if w.fract() != 0.0 {
                return Err(Error::InvalidConfig {
                    field: "laplace2d_multiscale.omegas",
                    reason: format!(
                        "{w} is not a whole number: sin(ωπx) would not vanish at x = 1"
                    ),
                });
            }
        }
        Ok(())
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        (x.len() == 2).then(|| vec![self.series(x[0], x[1], |_| 1.0)])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, |_| 0.0),
            Region::AllSpatialFaces,
        )]
    }
}
