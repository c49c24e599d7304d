//! Shen's Legendre–Galerkin basis for homogeneous Dirichlet conditions on `[−1, 1]`.

use crate::error::{Error, Result};

use super::gauss_legendre::{legendre_table, legendre_values};

/// The largest basis [`ShenBasis::new`] builds.
pub const MAX_SHEN_MODES: usize = 8192;

/// `φ_k = L_k − L_{k+2}`, `k = 0, …, n − 1` (J. Shen, *Efficient spectral-Galerkin method I*,
/// SIAM J. Sci. Comput. 15, 1994): polynomials of degree `k + 2` that vanish at `x = ±1`
/// (`L_k(±1) = (±1)^k`), spanning the polynomials of degree `≤ n + 1` that vanish there. With
/// `∫ L_j L_k dx = 2/(2k + 1) δ_jk` and `L_{k+2}′ − L_k′ = (2k + 3) L_{k+1}`:
///
/// - **stiffness** `S_jk = ∫ φ_j′ φ_k′ dx = (4k + 6) δ_jk` (diagonal);
/// - **mass** `M_jk = ∫ φ_j φ_k dx`: `M_kk = 2/(2k + 1) + 2/(2k + 5)`,
///   `M_{k,k+2} = M_{k+2,k} = −2/(2k + 5)`, zero otherwise (pentadiagonal, and even and odd
///   `k` decouple, as `φ_k` has the parity of `k`).
///
/// ```
/// use pinn::pde::problems::{GaussLegendre, ShenBasis};
/// let basis = ShenBasis::new(6)?;
/// // φ_k(±1) = 0, and M_00 = ∫ (1 − L_2)² dx = 2 + 2/5 by quadrature.
/// assert!(basis.values(1.0).iter().chain(&basis.values(-1.0)).all(|&v| v == 0.0));
/// let g = GaussLegendre::new(8)?;
/// let m00 = g.integrate(|x| basis.values(x)[0].powi(2));
/// assert!((m00 - basis.mass(0, 0)).abs() < 1e-14 && (m00 - 2.4).abs() < 1e-14);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShenBasis {
    n: usize,
}

impl ShenBasis {
    /// The basis `φ_0, …, φ_{n−1}`, `1 ≤ n ≤` [`MAX_SHEN_MODES`].
    pub fn new(n: usize) -> Result<Self> {
        if n == 0 || n > MAX_SHEN_MODES {
            return Err(Error::InvalidConfig {
                field: "shen_basis.n",
                reason: format!("needs 1 ≤ n ≤ {MAX_SHEN_MODES}, found {n}"),
            });
        }
        Ok(ShenBasis { n })
    }

    /// Number of basis functions `n`.
    pub fn len(&self) -> usize {
        self.n
    }
    /// Whether the basis is empty (never, for a basis from [`ShenBasis::new`]).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// `S_kk = ∫ (φ_k′)² dx = 4k + 6` (the off-diagonal entries are zero).
    pub fn stiffness(&self, k: usize) -> f64 {
        4.0 * k as f64 + 6.0
    }

    /// `M_jk = ∫ φ_j φ_k dx` (zero unless `|j − k| ∈ {0, 2}`).
    pub fn mass(&self, j: usize, k: usize) -> f64 {
        let (lo, hi) = (j.min(k), j.max(k));
        let l = lo as f64;
        match hi - lo {
            0 => 2.0 / (2.0 * l + 1.0) + 2.0 / (2.0 * l + 5.0),
            2 => -2.0 / (2.0 * l + 5.0),
            _ => 0.0,
        }
    }

    /// `φ_0(x), …, φ_{n−1}(x)`; exactly zero at `x = ±1`.
    pub fn values(&self, x: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        self.values_into(x, &mut out);
        out
    }

    /// `φ_k(x)` into `out[k]` for `k < min(n, out.len())`.
    pub(super) fn values_into(&self, x: f64, out: &mut [f64]) {
        let mut l = vec![0.0; self.n + 2];
        legendre_values(x, &mut l);
        for (k, o) in out.iter_mut().enumerate().take(self.n) {
            *o = l[k] - l[k + 2];
        }
    }

    /// `[φ_k(x), φ_k′(x), φ_k″(x)]` for `k = 0, …, n − 1`.
    pub fn derivatives(&self, x: f64) -> Vec<[f64; 3]> {
        let m = self.n + 2;
        let (mut v, mut d1, mut d2) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
        legendre_table(x, &mut v, &mut d1, &mut d2);
        (0..self.n)
            .map(|k| [v[k] - v[k + 2], d1[k] - d1[k + 2], d2[k] - d2[k + 2]])
            .collect()
    }
}
