//! Gauss–Hermite quadrature, `∫ e^{−z²} f(z) dz ≈ Σ_i w_i f(z_i)`.
//!
//! The nodes are the eigenvalues of the symmetric tridiagonal Jacobi matrix of the Hermite
//! polynomials (Golub & Welsch 1969: zero diagonal, off-diagonal `√(k/2)`), found with
//! nalgebra's symmetric eigensolver, then polished by Newton's method on the orthonormal
//! Hermite polynomial `p̃_n`. The weights come from the classical formula
//! `w_i = 2 / p̃_n′(z_i)² = 1 / (n · p̃_{n−1}(z_i)²)`, evaluated by the three-term recurrence
//! `p̃_k = z √(2/k) p̃_{k−1} − √((k−1)/k) p̃_{k−2}`, `p̃_0 = π^{−1/4}`: unlike the eigenvector
//! form of Golub–Welsch, this keeps full *relative* accuracy in the tiny weights of the outer
//! nodes (down to ~1e−250 at `n = 300`), which the Cole–Hopf integral of [`super::Burgers`]
//! multiplies by factors up to `e^{100}`.

use nalgebra::DMatrix;

use crate::error::{Error, Result};

/// The largest rule [`GaussHermite::new`] builds: beyond it the outer weights underflow `f64`.
pub const MAX_HERMITE_NODES: usize = 300;

/// An `n`-point Gauss–Hermite rule: exact for `∫ e^{−z²} p(z) dz` with `p` a polynomial of
/// degree `< 2n`.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussHermite {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussHermite {
    /// The rule with `1 ≤ n ≤` [`MAX_HERMITE_NODES`] nodes, in increasing order, exactly
    /// symmetric about 0.
    pub fn new(n: usize) -> Result<Self> {
        if n == 0 || n > MAX_HERMITE_NODES {
            return Err(Error::InvalidConfig {
                field: "gauss_hermite.n",
                reason: format!("needs 1 ≤ n ≤ {MAX_HERMITE_NODES}, found {n}"),
            });
        }
        Ok(Self::build(n))
    }

    /// The rule for a valid `n`.
    pub(super) fn build(n: usize) -> Self {
        // Golub–Welsch: the Jacobi matrix's eigenvalues are the nodes.
        let mut jac = DMatrix::<f64>::zeros(n, n);
        for k in 1..n {
            let b = (k as f64 / 2.0).sqrt();
            jac[(k - 1, k)] = b;
            jac[(k, k - 1)] = b;
        }
        let mut guess: Vec<f64> = jac.symmetric_eigenvalues().iter().copied().collect();
        guess.sort_by(f64::total_cmp);
        // Newton on p̃_n from the upper half's guesses; mirror for exact symmetry.
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        for i in n / 2..n {
            let mut z = if 2 * i + 1 == n { 0.0 } else { guess[i] };
            for _ in 0..8 {
                let (p, dp) = orthonormal(n, z);
                let step = p / dp;
                z -= step;
                if step.abs() <= 1e-16 * z.abs().max(1.0) {
                    break;
                }
            }
            let (_, dp) = orthonormal(n, z);
            let w = 2.0 / (dp * dp);
            nodes[i] = z;
            weights[i] = w;
            nodes[n - 1 - i] = -z;
            weights[n - 1 - i] = w;
        }
        GaussHermite { nodes, weights }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Whether the rule is empty (never, for a rule from [`GaussHermite::new`]).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    /// The nodes `z_i`, increasing.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }
    /// The weights `w_i`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// `Σ_i w_i f(z_i) ≈ ∫ e^{−z²} f(z) dz`.
    pub fn integrate(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&z, &w)| w * f(z))
            .sum()
    }
}

/// `(p̃_n(z), p̃_n′(z))` for the Hermite polynomials orthonormal under `e^{−z²}`, using
/// `p̃_n′ = √(2n) p̃_{n−1}`.
fn orthonormal(n: usize, z: f64) -> (f64, f64) {
    let mut p_prev = 0.0;
    let mut p = core::f64::consts::PI.powf(-0.25);
    for k in 1..=n {
        let kf = k as f64;
        let next = z * (2.0 / kf).sqrt() * p - ((kf - 1.0) / kf).sqrt() * p_prev;
        p_prev = p;
        p = next;
    }
    (p, (2.0 * n as f64).sqrt() * p_prev)
}
