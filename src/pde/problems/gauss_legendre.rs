//! Gauss–Legendre quadrature, `∫_{−1}^{1} f(x) dx ≈ Σ_i w_i f(x_i)`, and the Legendre
//! polynomials by their three-term recurrence.
//!
//! The nodes are the roots of the Legendre polynomial `L_n`, found by Newton's method on the
//! recurrence `(k + 1) L_{k+1} = (2k + 1) x L_k − k L_{k−1}` (`L_0 = 1`, `L_1 = x`) from
//! Tricomi's asymptotic guesses
//!
//! `x_i ≈ (1 − 1/(8n²) + 1/(8n³)) cos(π (4i − 1)/(4n + 2))`, `i = 1, …, n`,
//!
//! with `L_n′(x) = n (x L_n − L_{n−1}) / (x² − 1)`, and the weights are
//! `w_i = 2 / ((1 − x_i²) L_n′(x_i)²)` (Abramowitz & Stegun 25.4.29). The upper half is
//! computed and mirrored, so the rule is exactly symmetric about 0 (with a node at 0 for odd
//! `n`).

use crate::error::{Error, Result};

/// The largest rule [`GaussLegendre::new`] builds (the Newton search costs `O(n²)`).
pub const MAX_LEGENDRE_NODES: usize = 16_384;

/// An `n`-point Gauss–Legendre rule on `[−1, 1]`: exact for polynomials of degree `< 2n`.
///
/// ```
/// use pinn::pde::problems::GaussLegendre;
/// // The 3-point rule: nodes 0, ±√(3/5), weights 8/9 and 5/9.
/// let g = GaussLegendre::new(3)?;
/// assert!((g.nodes()[2] - (0.6_f64).sqrt()).abs() < 1e-15);
/// assert!((g.weights()[1] - 8.0 / 9.0).abs() < 1e-15);
/// // ∫ x⁴ dx = 2/5 exactly (degree 4 < 2·3).
/// assert!((g.integrate(|x| x.powi(4)) - 0.4).abs() < 1e-15);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaussLegendre {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussLegendre {
    /// The rule with `1 ≤ n ≤` [`MAX_LEGENDRE_NODES`] nodes, in increasing order.
    pub fn new(n: usize) -> Result<Self> {
        if n == 0 || n > MAX_LEGENDRE_NODES {
            return Err(Error::InvalidConfig {
                field: "gauss_legendre.n",
                reason: format!("needs 1 ≤ n ≤ {MAX_LEGENDRE_NODES}, found {n}"),
            });
        }
        Ok(Self::build(n))
    }

    /// The rule for a valid `n`.
    pub(super) fn build(n: usize) -> Self {
        let nf = n as f64;
        let shrink = 1.0 - 1.0 / (8.0 * nf * nf) + 1.0 / (8.0 * nf * nf * nf);
        let mut nodes = vec![0.0; n];
        let mut weights = vec![0.0; n];
        // Roots i = 1..=⌊n/2⌋ are the positive ones, largest first.
        for i in 1..=n / 2 {
            let theta = core::f64::consts::PI * (4.0 * i as f64 - 1.0) / (4.0 * nf + 2.0);
            let mut x = shrink * theta.cos();
            for _ in 0..100 {
                let (p, dp) = legendre_with_derivative(n, x);
                let step = p / dp;
                x -= step;
                if step.abs() <= 4.0 * f64::EPSILON * x.abs() {
                    break;
                }
            }
            let (_, dp) = legendre_with_derivative(n, x);
            let w = 2.0 / ((1.0 - x * x) * dp * dp);
            nodes[n - i] = x;
            weights[n - i] = w;
            nodes[i - 1] = -x;
            weights[i - 1] = w;
        }
        if n % 2 == 1 {
            let (_, dp) = legendre_with_derivative(n, 0.0);
            nodes[n / 2] = 0.0;
            weights[n / 2] = 2.0 / (dp * dp);
        }
        GaussLegendre { nodes, weights }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    /// Whether the rule is empty (never, for a rule from [`GaussLegendre::new`]).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
    /// The nodes `x_i`, increasing, in `(−1, 1)`.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }
    /// The weights `w_i > 0` (they sum to 2).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
    /// `Σ_i w_i f(x_i)`.
    pub fn integrate(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes
            .iter()
            .zip(&self.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }
}

/// `(L_n(x), L_n′(x))`, the Legendre polynomial of degree `n` and its derivative, by the
/// three-term recurrence; `L_n′ = n (x L_n − L_{n−1})/(x² − 1)` away from `x = ±1`, and
/// `L_n′(±1) = (±1)^{n−1} n(n + 1)/2` there.
pub fn legendre_with_derivative(n: usize, x: f64) -> (f64, f64) {
    if n == 0 {
        return (1.0, 0.0);
    }
    let (mut prev, mut cur) = (1.0, x);
    for k in 1..n {
        let kf = k as f64;
        let next = ((2.0 * kf + 1.0) * x * cur - kf * prev) / (kf + 1.0);
        prev = cur;
        cur = next;
    }
    let nf = n as f64;
    let d = if x.abs() == 1.0 {
        let sign = if x > 0.0 || n % 2 == 1 { 1.0 } else { -1.0 };
        sign * nf * (nf + 1.0) / 2.0
    } else {
        nf * (x * cur - prev) / (x * x - 1.0)
    };
    (cur, d)
}

/// The Legendre polynomials `L_0(x), …, L_{n−1}(x)` and their first and second derivatives,
/// written to `v`, `d1`, `d2` (each of length `n`), by the recurrence and its derivatives:
///
/// `(k + 1) L_{k+1} = (2k + 1) x L_k − k L_{k−1}`,
/// `(k + 1) L′_{k+1} = (2k + 1)(L_k + x L′_k) − k L′_{k−1}`,
/// `(k + 1) L″_{k+1} = (2k + 1)(2 L′_k + x L″_k) − k L″_{k−1}`.
///
/// At `x = ±1` the values are `(±1)^k` exactly.
pub(super) fn legendre_table(x: f64, v: &mut [f64], d1: &mut [f64], d2: &mut [f64]) {
    let n = v.len().min(d1.len()).min(d2.len());
    if n == 0 {
        return;
    }
    v[0] = 1.0;
    d1[0] = 0.0;
    d2[0] = 0.0;
    if n == 1 {
        return;
    }
    v[1] = x;
    d1[1] = 1.0;
    d2[1] = 0.0;
    for k in 1..n - 1 {
        let kf = k as f64;
        let (a, b) = (2.0 * kf + 1.0, kf + 1.0);
        v[k + 1] = (a * x * v[k] - kf * v[k - 1]) / b;
        d1[k + 1] = (a * (v[k] + x * d1[k]) - kf * d1[k - 1]) / b;
        d2[k + 1] = (a * (2.0 * d1[k] + x * d2[k]) - kf * d2[k - 1]) / b;
    }
}

/// The Legendre polynomials `L_0(x), …, L_{n−1}(x)` into `v` (length `n`).
pub(super) fn legendre_values(x: f64, v: &mut [f64]) {
    let n = v.len();
    if n == 0 {
        return;
    }
    v[0] = 1.0;
    if n == 1 {
        return;
    }
    v[1] = x;
    for k in 1..n - 1 {
        let kf = k as f64;
        v[k + 1] = ((2.0 * kf + 1.0) * x * v[k] - kf * v[k - 1]) / (kf + 1.0);
    }
}
