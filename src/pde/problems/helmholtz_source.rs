//! Helmholtz with a Gaussian point source (the multilevel FBPINN paper's `Helmholtz2D`).

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};
use crate::pde::{Condition, Fields, Pde, Residuals};

use super::{PlacedCondition, Problem, Region, check_param};

/// The largest source width the series solution accepts: the neglected tails of the
/// source's sine coefficients are below `e^{−1/(8s²)}` (`9·10⁻¹⁶` at `s = 0.06`).
pub const MAX_SOURCE_WIDTH: f64 = 0.06;

/// The smallest source width accepted: the series needs `O(1/s²)` terms (about 84 000 at
/// `s = 0.005`, each evaluated at every point).
pub const MIN_SOURCE_WIDTH: f64 = 0.005;

/// Helmholtz 2-D with a Gaussian source: `Δu + k² u = f` on `(x, y) ∈ [0, 1]²`, `u = 0` on
/// the boundary, `f = (1/(2πs²)) exp(−((x − ½)² + (y − ½)²)/(2s²))`.
///
/// - **Source:** V. Dolean, A. Heinlein, S. Mishra, B. Moseley, *Multilevel domain
///   decomposition-based architectures for physics-informed neural networks*, CMAME 429
///   (2024), `Helmholtz2D` of `multilevel-paper/problems.py` (spec §3.3): `k = 2π/0.2`
///   (`c = 1`), `s = 0.05`. The paper's reference is a 5-point finite-difference solve
///   ([`HelmholtzSource2D::five_point`]).
/// - **Solution** (ours): the sine series
///   `u = Σ_{p, q odd} a_pq sin(pπx) sin(qπy)`,
///   `a_pq = 4 σ_p σ_q e^{−π²s²(p² + q²)/2} / (k² − π²(p² + q²))`, `σ_p = sin(pπ/2)`:
///   `f`'s sine coefficients are `4 σ_p σ_q e^{−π²s²(p² + q²)/2}` (its integrals taken over
///   the whole plane, which neglects less than `e^{−1/(8s²)}`, `2·10⁻²²` at `s = 0.05`; even
///   modes vanish by symmetry), truncated where the terms fall below `10⁻¹⁸`. When `k²/π²`
///   is a sum of two squares `p² + q²`, `sin(pπx) sin(qπy)` solves the homogeneous problem
///   and the solution is not unique: at the default `k = 10π`, the modes `(6, 8)` and
///   `(8, 6)`. The series is the solution without them, as is the 5-point solve's (whose
///   operator is not singular there).
/// - **Conditions:** `"boundary"`: Dirichlet `u = 0` on [`Region::AllSpatialFaces`] (the
///   paper imposes it with the hard constraint `Π_d tanh(x_d/s) tanh((1 − x_d)/s)`,
///   `s = 1/k`).
/// - **Residual:** `r = Δu + k² u − f` (read as the value and the Laplacian aggregate).
#[derive(Clone, Debug, PartialEq)]
pub struct HelmholtzSource2D {
    k: f64,
    width: f64,
    /// The series' odd modes `p` (the same list for `q`) and coefficients `a_pq`, row-major.
    modes: Vec<f64>,
    coef: Vec<f64>,
}

impl Default for HelmholtzSource2D {
    /// `k = 2π/0.2`, `s = 0.05`.
    fn default() -> Self {
        // The default parameters are valid.
        Self::new(2.0 * core::f64::consts::PI / 0.2, 0.05).unwrap_or_else(|_| unreachable!())
    }
}

impl HelmholtzSource2D {
    /// The problem with wavenumber `k > 0` and source width
    /// [`MIN_SOURCE_WIDTH`] `≤ s ≤` [`MAX_SOURCE_WIDTH`].
    ///
    /// Errors (`InvalidConfig`): a parameter out of range; `k²` within `10⁻⁸` (relative)
    /// of an eigenvalue `π²(p² + q²)` with `p` and `q` odd, where the source excites a
    /// homogeneous solution and no solution exists.
    pub fn new(k: f64, width: f64) -> Result<Self> {
        check_param("helmholtz_source.k", k, true)?;
        check_param("helmholtz_source.width", width, true)?;
        if !(MIN_SOURCE_WIDTH..=MAX_SOURCE_WIDTH).contains(&width) {
            return Err(Error::InvalidConfig {
                field: "helmholtz_source.width",
                reason: format!(
                    "must be between {MIN_SOURCE_WIDTH} (the series needs O(1/s²) terms) and \
                     {MAX_SOURCE_WIDTH} (it neglects e^(−1/(8s²))), found {width}"
                ),
            });
        }
        use core::f64::consts::PI;
        let decay = PI * PI * width * width / 2.0;
        // Odd p up to where e^{−decay·p²} < 1e-18.
        let p_max = (41.5 / decay).sqrt().ceil() as usize + 2;
        let modes: Vec<f64> = (1..=p_max).step_by(2).map(|p| p as f64).collect();
        let mut coef = Vec::with_capacity(modes.len() * modes.len());
        for &p in &modes {
            for &q in &modes {
                let lambda = PI * PI * (p * p + q * q);
                if (k * k - lambda).abs() <= 1e-8 * lambda {
                    return Err(Error::InvalidConfig {
                        field: "helmholtz_source.k",
                        reason: format!(
                            "k² = {} is the eigenvalue π²({p}² + {q}²) of a mode the source \
                             excites: no solution",
                            k * k
                        ),
                    });
                }
                let sign = if (p as usize + q as usize) % 4 == 2 {
                    1.0
                } else {
                    -1.0
                };
                coef.push(4.0 * sign * (-decay * (p * p + q * q)).exp() / (k * k - lambda));
            }
        }
        Ok(HelmholtzSource2D {
            k,
            width,
            modes,
            coef,
        })
    }

    /// The wavenumber `k`.
    pub fn k(&self) -> f64 {
        self.k
    }

    /// The source width `s`.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The source `f(x, y)`.
    fn source<S: Scalar>(&self, x: S, y: S) -> S {
        let s2 = self.width * self.width;
        let (dx, dy) = (x - S::from_f64(0.5), y - S::from_f64(0.5));
        (-(dx * dx + dy * dy) * S::from_f64(0.5 / s2)).exp()
            * S::from_f64(1.0 / (2.0 * core::f64::consts::PI * s2))
    }

    /// The paper's reference: the 5-point finite-difference solution of `Δ_h u + k² u = f` on
    /// the `n × n` grid `x_i = i/(n − 1)` (boundary included, `u = 0` there), as
    /// `u[i·n + j] = u(x_i, y_j)` (the code's `meshgrid(…, indexing="ij")`). Solved exactly
    /// (to rounding) by the discrete sine transform, which diagonalises the 5-point
    /// operator: `O(n³)` operations (a fraction of a second at the paper's `n = 320`, about a
    /// minute at the largest, `n = 2048`).
    ///
    /// Errors (`InvalidConfig`): `n < 3`, or more than 2048; `k²` an eigenvalue of the
    /// discrete operator (to `10⁻¹²`, relative).
    pub fn five_point(&self, n: usize) -> Result<Vec<f64>> {
        if !(3..=2048).contains(&n) {
            return Err(Error::InvalidConfig {
                field: "helmholtz_source.grid",
                reason: format!("between 3 and 2048 points per side needed, found {n}"),
            });
        }
        use core::f64::consts::PI;
        let m = n - 1; // intervals
        let h = 1.0 / m as f64;
        let ni = m - 1; // interior points per side
        // S[p][j] = sin(π p j / m), p, j = 1 … m − 1, the argument reduced mod 2m.
        let mut sine = vec![0.0; ni * ni];
        for p in 1..m {
            for j in 1..m {
                sine[(p - 1) * ni + (j - 1)] = (PI * ((p * j) % (2 * m)) as f64 / m as f64).sin();
            }
        }
        let lambda: Vec<f64> = (1..m)
            .map(|p| 4.0 / (h * h) * (PI * p as f64 / (2 * m) as f64).sin().powi(2))
            .collect();
        let mut f = vec![0.0; ni * ni];
        for i in 1..m {
            for j in 1..m {
                f[(i - 1) * ni + (j - 1)] = self.source(i as f64 * h, j as f64 * h);
            }
        }
        // F̂ = S F S (S is symmetric), Û = F̂ / (k² − λ_p − λ_q), U = (2/m)² S Û S.
        let mut fh = matmul(&sine, &matmul(&f, &sine, ni), ni);
        let k2 = self.k * self.k;
        for p in 0..ni {
            for q in 0..ni {
                let den = k2 - lambda[p] - lambda[q];
                if den.abs() <= 1e-12 * (lambda[p] + lambda[q]) {
                    return Err(Error::InvalidConfig {
                        field: "helmholtz_source.k",
                        reason: format!(
                            "k² is an eigenvalue of the 5-point operator on {n} points \
                             (mode ({}, {}))",
                            p + 1,
                            q + 1
                        ),
                    });
                }
                fh[p * ni + q] /= den;
            }
        }
        let mut u_in = matmul(&sine, &matmul(&fh, &sine, ni), ni);
        let scale = (2.0 / m as f64).powi(2);
        u_in.iter_mut().for_each(|v| *v *= scale);
        let mut u = vec![0.0; n * n];
        for i in 1..m {
            u[i * n + 1..i * n + m].copy_from_slice(&u_in[(i - 1) * ni..i * ni]);
        }
        Ok(u)
    }
}

/// `A B` for `n × n` row-major matrices.
fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for (c, &b) in c[i * n..(i + 1) * n].iter_mut().zip(&b[k * n..(k + 1) * n]) {
                *c += aik * b;
            }
        }
    }
    c
}

impl Pde for HelmholtzSource2D {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::Laplacian]
    }
    fn residual<S: Scalar>(
        &self,
        x: &[S],
        u: &Fields<'_, S>,
        _coef: &[S],
        r: &mut Residuals<'_, S>,
    ) {
        r[0] = u.lap(0) + S::from_f64(self.k * self.k) * u.u(0) - self.source(x[0], x[1]);
    }
    fn name(&self) -> String {
        format!("helmholtz_source2d(k={}, s={})", self.k, self.width)
    }
}

impl Problem for HelmholtzSource2D {
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![0.0, 0.0], vec![1.0, 1.0])
    }
    fn validate(&self) -> Result<()> {
        Self::new(self.k, self.width).map(|_| ())
    }
    fn solution<S: Scalar>(&self, x: &[S]) -> Option<Vec<S>> {
        if x.len() != 2 {
            return None;
        }
        let pi = S::from_f64(core::f64::consts::PI);
        let sx: Vec<S> = self
            .modes
            .iter()
            .map(|&p| (pi * S::from_f64(p) * x[0]).sin())
            .collect();
        let sy: Vec<S> = self
            .modes
            .iter()
            .map(|&q| (pi * S::from_f64(q) * x[1]).sin())
            .collect();
        let nm = self.modes.len();
        let mut u = S::zero();
        for (p, &a) in sx.iter().enumerate() {
            let mut row = S::zero();
            for (&c, &b) in self.coef[p * nm..(p + 1) * nm].iter().zip(&sy) {
                row += b * S::from_f64(c);
            }
            u += a * row;
        }
        Some(vec![u])
    }
    fn conditions(&self) -> Vec<PlacedCondition> {
        vec![PlacedCondition::new(
            "boundary",
            Condition::dirichlet(0, |_| 0.0),
            Region::AllSpatialFaces,
        )]
    }
}
