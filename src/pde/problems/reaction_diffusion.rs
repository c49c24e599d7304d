//! A Legendre–Galerkin / ETDRK4 solver for 1-D reaction–diffusion equations
//! `u_t = D u_xx + f(u)` on `[−1, 1]` with constant Dirichlet values: the reference solution of
//! [`super::AllenCahn`].

use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::{Error, Result};

use super::etdrk4::Etdrk4;
use super::gauss_legendre::GaussLegendre;
use super::shen::{MAX_SHEN_MODES, ShenBasis};

/// Resolution of [`ReactionDiffusion1D::solve`]: the number of Galerkin modes `N` (the
/// solution is a polynomial of degree `N + 1`) and the number of ETDRK4 steps per unit time
/// (the step is `h = 1/steps_per_unit_time`).
///
/// The default, `N = 640` and `h = 1/800`, resolves the Allen–Cahn problem of
/// [`super::AllenCahn`] (`D = 0.001`, `ρ = 5`: interfaces of width `√(2D/ρ) ≈ 0.02`) to
/// `≈ 2e−11` in max norm on `[−1, 1] × [0, 1]` in ~0.5 s (release build; see
/// [`super::AllenCahn`] for how this was measured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpectralOptions {
    /// Galerkin modes `N` (`4 ≤ N ≤ 4096`).
    pub modes: usize,
    /// Time steps per unit time (`≥ 1`).
    pub steps_per_unit_time: usize,
}

impl Default for SpectralOptions {
    fn default() -> Self {
        SpectralOptions {
            modes: 640,
            steps_per_unit_time: 800,
        }
    }
}

/// The largest [`SpectralOptions::modes`].
const MAX_MODES: usize = 4096;
/// The most time steps one solve takes.
const MAX_STEPS: f64 = 1e7;

impl SpectralOptions {
    fn validate(&self) -> Result<()> {
        if !(4..=MAX_MODES.min(MAX_SHEN_MODES)).contains(&self.modes) {
            return Err(Error::InvalidConfig {
                field: "spectral.modes",
                reason: format!("needs 4 ≤ modes ≤ {MAX_MODES}, found {}", self.modes),
            });
        }
        if self.steps_per_unit_time == 0 {
            return Err(Error::InvalidConfig {
                field: "spectral.steps_per_unit_time",
                reason: "must be ≥ 1, found 0".into(),
            });
        }
        Ok(())
    }
}

/// `u_t = D u_xx + f(u)` on `x ∈ [−1, 1]`, `t ≥ 0`, with `u(−1, t) = left`, `u(1, t) = right`
/// and `u(x, 0) = u₀(x)`, solved by a Legendre–Galerkin method in `x` and ETDRK4 in `t`.
///
/// **Method.** With the linear lift `ℓ(x) = ((1 − x) left + (1 + x) right)/2` (`ℓ_xx = 0`),
/// `u = ℓ + w`, `w = Σ_{k<N} a_k φ_k` in Shen's basis ([`ShenBasis`], `w(±1) = 0`). The
/// Galerkin equations `M ȧ = −D S a + F(a)`, `F_k = ∫ f(ℓ + w) φ_k dx`, are diagonalised by
/// the generalised eigenproblem `S v = λ M v`: even and odd `k` decouple, and in each parity
/// block the symmetric matrix `S^{−1/2} M S^{−1/2}` (tridiagonal) is diagonalised by
/// nalgebra's `SymmetricEigen`, `= Q diag(μ) Qᵀ`, giving `λ = 1/μ` and `V = S^{−1/2} Q
/// diag(μ^{−1/2})` with `Vᵀ M V = I`, `Vᵀ S V = Λ`. (This scaling keeps the slow modes, which
/// carry the solution, accurate to round-off relative to their size; the errors land on the
/// fast modes `λ ~ N⁴`, which any large decay rate damps.) In `a = V c`:
///
/// `ċ = −D Λ c + Vᵀ F(V c)`,
///
/// a diagonal linear part, integrated by [`Etdrk4`]. `F` is computed by a `Q = 2N + 4`-point
/// Gauss–Legendre rule ([`GaussLegendre`]), which integrates `u³ φ_k` (degree `4N + 4`)
/// exactly: no aliasing for cubic reactions. With `G = P V` (`P_qk = φ_k(x_q)`) precomputed,
/// `u(x_q) = ℓ(x_q) + (G c)_q` and `Vᵀ F = Gᵀ W f`; the symmetric nodes fold each transform
/// into its even and odd halves (`Q N/2` multiply-adds each), and the odd half is skipped
/// while it is exactly zero (even data stay even). The initial state is the `L²` projection
/// `c₀ = Gᵀ W (u₀ − ℓ)`.
///
/// **Times.** The solver marches with `h = 1/steps_per_unit_time` and hits each requested
/// time exactly: a time that is not a multiple of `h` gets one shorter ETDRK4 step (its own
/// coefficients, `O(N)` to build) from the last multiple of `h` below it.
///
/// ```
/// use pinn::pde::problems::{ReactionDiffusion1D, SpectralOptions};
/// // The heat equation u_t = u_xx from u₀ = cos(πx/2), u(±1) = 0: u = e^{−π²t/4} cos(πx/2).
/// let heat = ReactionDiffusion1D { diffusivity: 1.0, left: 0.0, right: 0.0 };
/// let opts = SpectralOptions { modes: 24, steps_per_unit_time: 10 };
/// let half_pi = std::f64::consts::FRAC_PI_2;
/// let sol = heat.solve(|_| 0.0, |x| (half_pi * x).cos(), &[0.0, 0.3], opts)?;
/// let exact = (-half_pi * half_pi * 0.3).exp() * (half_pi * 0.4).cos();
/// assert!((sol.value(1, 0.4)? - exact).abs() < 1e-13);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReactionDiffusion1D {
    /// The diffusivity `D > 0`.
    pub diffusivity: f64,
    /// `u(−1, t)`.
    pub left: f64,
    /// `u(1, t)`.
    pub right: f64,
}

impl ReactionDiffusion1D {
    /// The solution at each of `times` (finite, `≥ 0`, any order, repeats allowed), from
    /// `u(x, 0) = initial(x)` with reaction `f = reaction`.
    ///
    /// Errors: `D ≤ 0` or non-finite boundary values; options out of range; a time negative,
    /// not finite, or so late that more than 10⁷ steps are needed; `initial(±1)` differing from
    /// the boundary values by more than `1e−10·max(1, |value|)` (the projection would converge
    /// slowly and the stated accuracy would not hold); a non-finite value during the march
    /// ([`Error::NonFinite`], `step` the step count, e.g. when the reaction blows up).
    pub fn solve(
        &self,
        reaction: impl Fn(f64) -> f64,
        initial: impl Fn(f64) -> f64,
        times: &[f64],
        opts: SpectralOptions,
    ) -> Result<SpectralSolution> {
        self.validate()?;
        opts.validate()?;
        let steps_per = opts.steps_per_unit_time as f64;
        if let Some(t) = times.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            return Err(Error::InvalidConfig {
                field: "spectral.times",
                reason: format!("times must be finite and ≥ 0, found {t}"),
            });
        }
        let t_max = times.iter().fold(0.0_f64, |m, &t| m.max(t));
        if t_max * steps_per > MAX_STEPS {
            return Err(Error::InvalidConfig {
                field: "spectral.times",
                reason: format!(
                    "t = {t_max} needs {:.3e} steps of 1/{}; at most {MAX_STEPS:e}",
                    t_max * steps_per,
                    opts.steps_per_unit_time
                ),
            });
        }
        for (x, b) in [(-1.0, self.left), (1.0, self.right)] {
            let u0 = initial(x);
            let close = (u0 - b).abs() <= 1e-10 * b.abs().max(1.0);
            if !close {
                return Err(Error::InvalidConfig {
                    field: "spectral.initial",
                    reason: format!("u₀({x}) = {u0} must equal the boundary value {b} (to 1e−10)"),
                });
            }
        }

        let sys = Galerkin::new(self, opts.modes)?;
        let mut c = sys.project(&initial)?;
        let h = 1.0 / steps_per;
        let full = Etdrk4::new(&sys.rates, h)?;
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by(|&i, &j| times[i].total_cmp(&times[j]));
        let mut coeffs = vec![Vec::new(); times.len()];
        let mut k = 0usize;
        for &j in &order {
            let t = times[j];
            // A multiple of h up to the round-off in t·S (relative 1e−12) counts as hit;
            // otherwise march to the multiple below t and take one shorter step.
            let ts = t * steps_per;
            let hit = (ts - ts.round()).abs() <= 1e-12 * ts.max(1.0);
            let m = if hit { ts.round() } else { ts.floor() } as usize;
            while k < m {
                full.step(&mut c, |c, out| sys.nonlinear(&reaction, c, out, k))?;
                k += 1;
            }
            let rest = t - m as f64 * h;
            let at = if !hit && rest > 0.0 {
                let part = Etdrk4::new(&sys.rates, rest)?;
                let mut cj = c.clone();
                part.step(&mut cj, |c, out| sys.nonlinear(&reaction, c, out, k))?;
                cj
            } else {
                c.clone()
            };
            coeffs[j] = sys.shen_coefficients(&at);
        }
        Ok(SpectralSolution {
            basis: sys.basis,
            left: self.left,
            right: self.right,
            times: times.to_vec(),
            coeffs,
        })
    }

    fn validate(&self) -> Result<()> {
        if !(self.diffusivity.is_finite() && self.diffusivity > 0.0) {
            return Err(Error::InvalidConfig {
                field: "reaction_diffusion.diffusivity",
                reason: format!("must be finite and > 0, found {}", self.diffusivity),
            });
        }
        if !(self.left.is_finite() && self.right.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "reaction_diffusion.boundary",
                reason: format!(
                    "boundary values must be finite, found {} and {}",
                    self.left, self.right
                ),
            });
        }
        Ok(())
    }
}

/// The Galerkin system in eigen-coordinates: `c = [c_even; c_odd]`.
struct Galerkin {
    basis: ShenBasis,
    /// Modes of each parity: `φ_{2i}` (`i < ne`) and `φ_{2i+1}` (`i < no`).
    ne: usize,
    no: usize,
    /// `−D λ`, even block then odd block.
    rates: Vec<f64>,
    /// `V` of each block, row-major (`v[i·n + col]`: coefficient of `φ_{2i(+1)}` in mode `col`).
    ve: Vec<f64>,
    vo: Vec<f64>,
    /// Positive quadrature nodes and weights.
    xq: Vec<f64>,
    wq: Vec<f64>,
    /// `G = P V` at the positive nodes, row-major by node.
    ge: Vec<f64>,
    go: Vec<f64>,
    /// The lift at `±x_q`.
    lift_plus: Vec<f64>,
    lift_minus: Vec<f64>,
}

impl Galerkin {
    fn new(p: &ReactionDiffusion1D, n: usize) -> Result<Self> {
        let basis = ShenBasis::new(n)?;
        let (ne, no) = (n.div_ceil(2), n / 2);
        let rule = GaussLegendre::new(2 * n + 4)?;
        let nq = rule.len() / 2;
        let xq = rule.nodes()[nq..].to_vec();
        let wq = rule.weights()[nq..].to_vec();
        let mut rates = Vec::with_capacity(n);
        let (ve, re) = eigen_block(&basis, 0, ne)?;
        let (vo, ro) = eigen_block(&basis, 1, no)?;
        rates.extend(re.iter().map(|l| -p.diffusivity * l));
        rates.extend(ro.iter().map(|l| -p.diffusivity * l));
        // P at the positive nodes, split by parity, times V.
        let mut pe = DMatrix::<f64>::zeros(nq, ne);
        let mut po = DMatrix::<f64>::zeros(nq, no);
        let mut phi = vec![0.0; n];
        for (q, &x) in xq.iter().enumerate() {
            basis.values_into(x, &mut phi);
            for (k, &v) in phi.iter().enumerate() {
                if k % 2 == 0 {
                    pe[(q, k / 2)] = v;
                } else {
                    po[(q, k / 2)] = v;
                }
            }
        }
        let ge = row_major(&(pe * DMatrix::from_row_slice(ne, ne, &ve)));
        let go = row_major(&(po * DMatrix::from_row_slice(no, no, &vo)));
        let lift = |x: f64| 0.5 * ((1.0 - x) * p.left + (1.0 + x) * p.right);
        Ok(Galerkin {
            basis,
            ne,
            no,
            rates,
            ve,
            vo,
            lift_plus: xq.iter().map(|&x| lift(x)).collect(),
            lift_minus: xq.iter().map(|&x| lift(-x)).collect(),
            xq,
            wq,
            ge,
            go,
        })
    }

    /// `c₀ = Gᵀ W (u₀ − ℓ)`.
    fn project(&self, initial: &impl Fn(f64) -> f64) -> Result<Vec<f64>> {
        let nq = self.xq.len();
        let (mut s, mut d) = (vec![0.0; nq], vec![0.0; nq]);
        for q in 0..nq {
            let wp = initial(self.xq[q]) - self.lift_plus[q];
            let wm = initial(-self.xq[q]) - self.lift_minus[q];
            if !(wp.is_finite() && wm.is_finite()) {
                return Err(Error::InvalidConfig {
                    field: "spectral.initial",
                    reason: format!("u₀ is not finite at ±{}", self.xq[q]),
                });
            }
            s[q] = self.wq[q] * (wp + wm);
            d[q] = self.wq[q] * (wp - wm);
        }
        let mut c = vec![0.0; self.ne + self.no];
        let (ce, co) = c.split_at_mut(self.ne);
        transpose_apply(&self.ge, &s, ce);
        transpose_apply(&self.go, &d, co);
        Ok(c)
    }

    /// `out = Gᵀ W f(ℓ + G c)`, folded by parity, in one pass over the rows of `G` (each row
    /// is read for `(G c)_q` and used again, still in cache, for `Gᵀ`'s accumulation); `step`
    /// names a non-finite value's step.
    fn nonlinear(
        &self,
        f: &impl Fn(f64) -> f64,
        c: &[f64],
        out: &mut [f64],
        step: usize,
    ) -> Result<()> {
        let (ce, co) = c.split_at(self.ne);
        let odd = co.iter().any(|&v| v != 0.0);
        out.fill(0.0);
        let (oe, oo) = out.split_at_mut(self.ne);
        // Both halves have a row per positive node (`ne, no ≥ 2`: at least 4 modes).
        let rows = self
            .ge
            .chunks_exact(self.ne)
            .zip(self.go.chunks_exact(self.no));
        for (q, (re, ro)) in rows.enumerate() {
            let e = dot(re, ce);
            let o = if odd { dot(ro, co) } else { 0.0 };
            let fp = f(self.lift_plus[q] + e + o);
            let fm = f(self.lift_minus[q] + e - o);
            if !(fp.is_finite() && fm.is_finite()) {
                return Err(Error::NonFinite {
                    step,
                    term: "reaction_diffusion (reaction at the quadrature nodes)".into(),
                });
            }
            let (s, d) = (self.wq[q] * (fp + fm), self.wq[q] * (fp - fm));
            axpy(oe, s, re);
            // The odd half is exactly zero while the data are even: skip it.
            if d != 0.0 {
                axpy(oo, d, ro);
            }
        }
        Ok(())
    }

    /// The Shen coefficients `a = V c`, interleaved by parity (`a_k` of `φ_k`).
    fn shen_coefficients(&self, c: &[f64]) -> Vec<f64> {
        let (ce, co) = c.split_at(self.ne);
        let mut a = vec![0.0; self.ne + self.no];
        for i in 0..self.ne {
            a[2 * i] = dot(&self.ve[i * self.ne..(i + 1) * self.ne], ce);
        }
        for i in 0..self.no {
            a[2 * i + 1] = dot(&self.vo[i * self.no..(i + 1) * self.no], co);
        }
        a
    }
}

/// `(V, λ)` of the parity block `φ_{2i + parity}`, `i < m`: `V` row-major with
/// `Vᵀ M V = I`, `Vᵀ S V = diag(λ)`, from `S^{−1/2} M S^{−1/2} = Q diag(μ) Qᵀ`.
fn eigen_block(basis: &ShenBasis, parity: usize, m: usize) -> Result<(Vec<f64>, Vec<f64>)> {
    if m == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let k = |i: usize| 2 * i + parity;
    let rs: Vec<f64> = (0..m)
        .map(|i| basis.stiffness(k(i)).sqrt().recip())
        .collect();
    let mut a = DMatrix::<f64>::zeros(m, m);
    for i in 0..m {
        a[(i, i)] = basis.mass(k(i), k(i)) * rs[i] * rs[i];
        if i + 1 < m {
            let v = basis.mass(k(i), k(i + 1)) * rs[i] * rs[i + 1];
            a[(i, i + 1)] = v;
            a[(i + 1, i)] = v;
        }
    }
    let eig = SymmetricEigen::new(a);
    let mut v = vec![0.0; m * m];
    let mut lambda = Vec::with_capacity(m);
    for col in 0..m {
        let mu = eig.eigenvalues[col];
        if !(mu.is_finite() && mu > 0.0) {
            return Err(Error::InvalidConfig {
                field: "spectral.modes",
                reason: format!("the scaled mass matrix lost definiteness (eigenvalue {mu})"),
            });
        }
        lambda.push(1.0 / mu);
        let scale = mu.sqrt().recip();
        for i in 0..m {
            v[i * m + col] = rs[i] * eig.eigenvectors[(i, col)] * scale;
        }
    }
    Ok((v, lambda))
}

/// A column-major nalgebra matrix as a row-major vector.
fn row_major(a: &DMatrix<f64>) -> Vec<f64> {
    let (r, c) = a.shape();
    let mut out = Vec::with_capacity(r * c);
    for i in 0..r {
        out.extend((0..c).map(|j| a[(i, j)]));
    }
    out
}

/// `out = Gᵀ s` for `G` row-major with `s.len()` rows of `out.len()` columns.
fn transpose_apply(g: &[f64], s: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    let n = out.len();
    if n == 0 {
        return;
    }
    for (row, &sq) in g.chunks_exact(n).zip(s) {
        axpy(out, sq, row);
    }
}

/// `out += a·x`.
fn axpy(out: &mut [f64], a: f64, x: &[f64]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o += a * v;
    }
}

/// `Σ a_i b_i` with four partial sums (a fixed order: the same bits on every run).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let mut s = [0.0; 4];
    for (x, y) in ca.zip(cb) {
        s[0] += x[0] * y[0];
        s[1] += x[1] * y[1];
        s[2] += x[2] * y[2];
        s[3] += x[3] * y[3];
    }
    let mut r = (s[0] + s[1]) + (s[2] + s[3]);
    for (x, y) in ra.iter().zip(rb) {
        r += x * y;
    }
    r
}

/// The solution of [`ReactionDiffusion1D::solve`] at the requested times: `u(x, t_j) = ℓ(x) +
/// Σ_k a_{jk} φ_k(x)`, evaluable at any `x ∈ [−1, 1]` with its first two `x`-derivatives.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectralSolution {
    basis: ShenBasis,
    left: f64,
    right: f64,
    times: Vec<f64>,
    coeffs: Vec<Vec<f64>>,
}

impl SpectralSolution {
    /// The times, as requested.
    pub fn times(&self) -> &[f64] {
        &self.times
    }
    /// The number of Galerkin modes.
    pub fn modes(&self) -> usize {
        self.basis.len()
    }
    /// The Shen coefficients `a_{jk}` of time `j` ([`ShenBasis`]).
    pub fn coefficients(&self, j: usize) -> Result<&[f64]> {
        self.coeffs
            .get(j)
            .map(Vec::as_slice)
            .ok_or_else(|| Error::InvalidConfig {
                field: "spectral_solution.time_index",
                reason: format!("index {j} out of {} times", self.times.len()),
            })
    }

    fn check_x(x: f64) -> Result<()> {
        if (-1.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                field: "spectral_solution.x",
                reason: format!("x must lie in [−1, 1], found {x}"),
            })
        }
    }

    fn lift(&self, x: f64) -> f64 {
        0.5 * ((1.0 - x) * self.left + (1.0 + x) * self.right)
    }

    /// `u(x, t_j)`. Errors: `j` out of range, `x ∉ [−1, 1]`.
    pub fn value(&self, j: usize, x: f64) -> Result<f64> {
        let a = self.coefficients(j)?;
        Self::check_x(x)?;
        let mut phi = vec![0.0; a.len()];
        self.basis.values_into(x, &mut phi);
        Ok(self.lift(x) + dot(a, &phi))
    }

    /// `[u, u_x, u_xx]` at `(x, t_j)`. Errors: `j` out of range, `x ∉ [−1, 1]`.
    pub fn derivatives(&self, j: usize, x: f64) -> Result<[f64; 3]> {
        let a = self.coefficients(j)?;
        Self::check_x(x)?;
        let mut out = [self.lift(x), 0.5 * (self.right - self.left), 0.0];
        for (ak, d) in a.iter().zip(self.basis.derivatives(x)) {
            for (o, dv) in out.iter_mut().zip(d) {
                *o += ak * dv;
            }
        }
        Ok(out)
    }

    /// `u(xs[i], t_j)` for every `x` and every time, point-major with `x` slowest:
    /// `out[i·times + j]` (the order of the grid `xs × ts`, first coordinate slowest).
    /// Errors: an `x ∉ [−1, 1]`.
    pub fn grid(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let n = self.basis.len();
        let mut phi = vec![0.0; n];
        let mut out = Vec::with_capacity(xs.len() * self.times.len());
        for &x in xs {
            Self::check_x(x)?;
            self.basis.values_into(x, &mut phi);
            let l = self.lift(x);
            out.extend(self.coeffs.iter().map(|a| l + dot(a, &phi)));
        }
        Ok(out)
    }
}
