//! A Fourier pseudo-spectral / ETDRK4 solver for 1-D reaction–diffusion equations
//! `u_t = D u_xx + f(u)` on `x ∈ [−1, 1]` with period 2: the reference solution of
//! [`super::AllenCahnPeriodic`].

use nalgebra::Complex;

use crate::error::{Error, Result};

use super::etdrk4::Etdrk4;
use super::fft::Fft;

/// Resolution of [`PeriodicReactionDiffusion1D::solve`]: the number of collocation points `N`
/// (a power of two; the solution keeps the Fourier modes `k < N/2`) and the number of ETDRK4
/// steps per unit time (the step is `h = 1/steps_per_unit_time`).
///
/// The default, `N = 4096` and `h = 1/1000`, resolves the Allen–Cahn problem of
/// [`super::AllenCahnPeriodic`] (`D = 10⁻⁴`, `ρ = 5`) to about `1e−10` in max norm for
/// `t ≥ 1/200`, `1e−11` for `t ≥ 0.05`, in ~1.2 s on its 512 × 201 grid (release build; see
/// [`super::AllenCahnPeriodic`] for how this was measured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FourierOptions {
    /// Collocation points `N`: a power of two, `8 ≤ N ≤ 65536`.
    pub points: usize,
    /// Time steps per unit time (`≥ 1`).
    pub steps_per_unit_time: usize,
}

impl Default for FourierOptions {
    fn default() -> Self {
        FourierOptions {
            points: 4096,
            steps_per_unit_time: 1000,
        }
    }
}

/// The largest [`FourierOptions::points`].
const MAX_POINTS: usize = 1 << 16;
/// The most time steps one solve takes.
const MAX_STEPS: f64 = 1e7;

impl FourierOptions {
    fn validate(&self) -> Result<()> {
        if !(self.points.is_power_of_two() && (8..=MAX_POINTS).contains(&self.points)) {
            return Err(Error::InvalidConfig {
                field: "fourier.points",
                reason: format!(
                    "needs a power of two with 8 ≤ points ≤ {MAX_POINTS}, found {}",
                    self.points
                ),
            });
        }
        if self.steps_per_unit_time == 0 {
            return Err(Error::InvalidConfig {
                field: "fourier.steps_per_unit_time",
                reason: "must be ≥ 1, found 0".into(),
            });
        }
        Ok(())
    }
}

/// `u_t = D u_xx + f(u)` on `x ∈ [−1, 1]`, periodic with period 2, `t ≥ 0`, from
/// `u(x, 0) = u₀(x)` given by its Fourier coefficients; solved by a Fourier pseudo-spectral
/// method in `x` and ETDRK4 in `t`.
///
/// **Method.** `u` is the truncated real Fourier series
///
/// `u(x, t) = a₀(t) + Σ_{k=1}^{K} [a_k(t) cos kπx + b_k(t) sin kπx]`,  `K = N/2 − 1`
///
/// (the Nyquist mode `k = N/2` is dropped). Each coefficient obeys
/// `ȧ_k = −D k²π² a_k + F_k` (the same for `b_k`), `F_k` the coefficient of `f(u)`: a
/// diagonal linear part, integrated by [`Etdrk4`]. `F` is computed pseudo-spectrally: the
/// series is summed at the `N` points `x_j = −1 + 2j/N` by one complex FFT, `f` is applied
/// point by point, and a second FFT gives the coefficients of the trigonometric interpolant
/// of `f(u)`, which are `F` up to aliasing (modes `|k| ≥ N/2` of `f(u)` folding onto
/// `k − N`). Nothing is dealiased: for a cubic `f`, `f(u)` has modes up to `3K`, and the
/// aliasing error is the size of `f(u)`'s coefficients beyond `N/2`, which `N` must make
/// negligible (for the Allen–Cahn reference this is measured, see
/// [`super::AllenCahnPeriodic`]). The initial state is the truncated series of `u₀` from its
/// exact coefficients (no interpolation, so no aliasing of `u₀`).
///
/// **Times.** The solver marches with `h = 1/steps_per_unit_time` and hits each requested
/// time exactly: a time that is not a multiple of `h` gets one shorter ETDRK4 step (its own
/// coefficients, `O(N)` to build) from the last multiple of `h` below it.
///
/// ```
/// use pinn::pde::problems::{FourierOptions, PeriodicReactionDiffusion1D};
/// // The heat equation u_t = D u_xx from u₀ = cos 3πx: u = e^{−9π²Dt} cos 3πx.
/// let heat = PeriodicReactionDiffusion1D { diffusivity: 0.01 };
/// let opts = FourierOptions { points: 16, steps_per_unit_time: 10 };
/// let u0 = |k: usize| if k == 3 { [1.0, 0.0] } else { [0.0, 0.0] };
/// let sol = heat.solve(|_| 0.0, u0, &[0.0, 0.45], opts)?;
/// let pi = std::f64::consts::PI;
/// let exact = (-9.0 * pi * pi * 0.01 * 0.45).exp() * (3.0 * pi * 0.25).cos();
/// assert!((sol.value(1, 0.25)? - exact).abs() < 1e-15);
/// assert_eq!(sol.value(1, 0.25)?, sol.value(1, 2.25)?); // period 2
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodicReactionDiffusion1D {
    /// The diffusivity `D > 0`.
    pub diffusivity: f64,
}

impl PeriodicReactionDiffusion1D {
    /// The solution at each of `times` (finite, `≥ 0`, any order, repeats allowed), from the
    /// initial coefficients `initial(k) = [a_k, b_k]` of
    /// `u₀ = a₀ + Σ_{k≥1} (a_k cos kπx + b_k sin kπx)` (called for `k = 0 … N/2 − 1`;
    /// `b₀` is not used) with reaction `f = reaction`.
    ///
    /// Errors: `D ≤ 0` or not finite; options out of range; a time negative, not finite, or
    /// so late that more than 10⁷ steps are needed; a non-finite initial coefficient; a
    /// non-finite value during the march ([`Error::NonFinite`], `step` the step count, e.g.
    /// when the reaction blows up).
    pub fn solve(
        &self,
        reaction: impl Fn(f64) -> f64,
        initial: impl Fn(usize) -> [f64; 2],
        times: &[f64],
        opts: FourierOptions,
    ) -> Result<FourierSolution> {
        if !(self.diffusivity.is_finite() && self.diffusivity > 0.0) {
            return Err(Error::InvalidConfig {
                field: "periodic_reaction_diffusion.diffusivity",
                reason: format!("must be finite and > 0, found {}", self.diffusivity),
            });
        }
        opts.validate()?;
        let steps_per = opts.steps_per_unit_time as f64;
        if let Some(t) = times.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            return Err(Error::InvalidConfig {
                field: "fourier.times",
                reason: format!("times must be finite and ≥ 0, found {t}"),
            });
        }
        let t_max = times.iter().fold(0.0_f64, |m, &t| m.max(t));
        if t_max * steps_per > MAX_STEPS {
            return Err(Error::InvalidConfig {
                field: "fourier.times",
                reason: format!(
                    "t = {t_max} needs {:.3e} steps of 1/{}; at most {MAX_STEPS:e}",
                    t_max * steps_per,
                    opts.steps_per_unit_time
                ),
            });
        }
        let n = opts.points;
        let modes = n / 2 - 1;
        let mut c = vec![0.0; 2 * modes + 1];
        c[0] = initial(0)[0];
        for k in 1..=modes {
            let [a, b] = initial(k);
            c[2 * k - 1] = a;
            c[2 * k] = b;
        }
        if let Some(i) = c.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "fourier.initial",
                reason: format!(
                    "initial coefficient of mode {} is not finite",
                    i.div_ceil(2)
                ),
            });
        }
        let pi2 = core::f64::consts::PI * core::f64::consts::PI;
        let rates: Vec<f64> = (0..c.len())
            .map(|i| {
                let k = i.div_ceil(2) as f64;
                -self.diffusivity * pi2 * k * k
            })
            .collect();
        let mut pseudo = Pseudo::new(n)?;
        let h = 1.0 / steps_per;
        let full = Etdrk4::new(&rates, h)?;
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
                full.step(&mut c, |c, out| pseudo.nonlinear(&reaction, c, out, k))?;
                k += 1;
            }
            let rest = t - m as f64 * h;
            coeffs[j] = if !hit && rest > 0.0 {
                let part = Etdrk4::new(&rates, rest)?;
                let mut cj = c.clone();
                part.step(&mut cj, |c, out| pseudo.nonlinear(&reaction, c, out, k))?;
                cj
            } else {
                c.clone()
            };
        }
        Ok(FourierSolution {
            points: n,
            times: times.to_vec(),
            coeffs,
        })
    }
}

/// The pseudo-spectral evaluation of the reaction's coefficients, with its FFT plan and a
/// scratch buffer.
struct Pseudo {
    fft: Fft,
    buf: Vec<Complex<f64>>,
}

impl Pseudo {
    fn new(n: usize) -> Result<Self> {
        Ok(Pseudo {
            fft: Fft::new(n)?,
            buf: vec![Complex::new(0.0, 0.0); n],
        })
    }

    /// `out` = the coefficients (layout of [`FourierSolution::coefficients`]) of the
    /// trigonometric interpolant of `f(u)` at `x_j = −1 + 2j/N`, `u` given by `c`. With
    /// `θ_jk = 2πjk/N`, `kπx_j = θ_jk − kπ`, so `u(x_j) = Re Σ_k (−1)^k (a_k − i b_k) e^{iθ_jk}`
    /// (one backward FFT), and the forward FFT `F_k = Σ_j f_j e^{−iθ_jk}` gives
    /// `a_k − i b_k = 2(−1)^k F_k/N` (`a₀ = F₀/N`).
    fn nonlinear(
        &mut self,
        f: &impl Fn(f64) -> f64,
        c: &[f64],
        out: &mut [f64],
        step: usize,
    ) -> Result<()> {
        let n = self.buf.len();
        let modes = (c.len() - 1) / 2;
        let zero = Complex::new(0.0, 0.0);
        self.buf.fill(zero);
        self.buf[0] = Complex::new(c[0], 0.0);
        for k in 1..=modes {
            let z = Complex::new(c[2 * k - 1], -c[2 * k]);
            self.buf[k] = if k % 2 == 1 { -z } else { z };
        }
        self.fft.backward(&mut self.buf)?;
        for v in self.buf.iter_mut() {
            let fu = f(v.re);
            if !fu.is_finite() {
                return Err(Error::NonFinite {
                    step,
                    term: "periodic_reaction_diffusion (reaction at the collocation points)".into(),
                });
            }
            *v = Complex::new(fu, 0.0);
        }
        self.fft.forward(&mut self.buf)?;
        let scale = 1.0 / n as f64;
        out[0] = self.buf[0].re * scale;
        for k in 1..=modes {
            let s = if k % 2 == 1 {
                -2.0 * scale
            } else {
                2.0 * scale
            };
            let z = self.buf[k] * s;
            out[2 * k - 1] = z.re;
            out[2 * k] = -z.im;
        }
        Ok(())
    }
}

/// The solution of [`PeriodicReactionDiffusion1D::solve`] at the requested times:
/// `u(x, t_j) = a₀ + Σ_{k=1}^{K} (a_k cos kπx + b_k sin kπx)`, `K = N/2 − 1`, evaluable at any
/// finite `x` (period 2) with its first two `x`-derivatives.
#[derive(Clone, Debug, PartialEq)]
pub struct FourierSolution {
    points: usize,
    times: Vec<f64>,
    coeffs: Vec<Vec<f64>>,
}

impl FourierSolution {
    /// The times, as requested.
    pub fn times(&self) -> &[f64] {
        &self.times
    }
    /// The number of collocation points `N`.
    pub fn points(&self) -> usize {
        self.points
    }
    /// The highest mode kept, `K = N/2 − 1`.
    pub fn modes(&self) -> usize {
        self.points / 2 - 1
    }
    /// The coefficients of time `j`: `[a₀, a₁, b₁, a₂, b₂, …, a_K, b_K]` (`2K + 1` numbers).
    pub fn coefficients(&self, j: usize) -> Result<&[f64]> {
        self.coeffs
            .get(j)
            .map(Vec::as_slice)
            .ok_or_else(|| Error::InvalidConfig {
                field: "fourier_solution.time_index",
                reason: format!("index {j} out of {} times", self.times.len()),
            })
    }

    /// `(cos kπx, sin kπx)` for `k = 1 … K`, each from `sin_cos` of `kπ x̃` with `x̃` = `x`
    /// shifted by a multiple of the period, `x̃ = x − 2⌊(x + 1)/2⌋` (in `[−1, 1)` up to the
    /// rounding of `x + 1`; the shift is exact, and `x = ±1` both give `x̃ = −1`, so the same
    /// values).
    fn waves(&self, x: f64) -> Result<Vec<(f64, f64)>> {
        if !x.is_finite() {
            return Err(Error::InvalidConfig {
                field: "fourier_solution.x",
                reason: format!("x must be finite, found {x}"),
            });
        }
        let xr = x - 2.0 * (0.5 * (x + 1.0)).floor();
        let pi = core::f64::consts::PI;
        Ok((1..=self.modes())
            .map(|k| {
                let (s, c) = (k as f64 * pi * xr).sin_cos();
                (c, s)
            })
            .collect())
    }

    /// `u(x, t_j)`. Errors: `j` out of range, `x` not finite.
    pub fn value(&self, j: usize, x: f64) -> Result<f64> {
        let a = self.coefficients(j)?;
        Ok(sum(a, &self.waves(x)?))
    }

    /// `[u, u_x, u_xx]` at `(x, t_j)`. Errors: `j` out of range, `x` not finite.
    pub fn derivatives(&self, j: usize, x: f64) -> Result<[f64; 3]> {
        let a = self.coefficients(j)?;
        let pi = core::f64::consts::PI;
        let mut out = [0.0; 3];
        // The same order as `value` (highest mode first), so `out[0]` has the same bits.
        for (i, &(c, s)) in self.waves(x)?.iter().enumerate().rev() {
            let (ak, bk) = (a[2 * i + 1], a[2 * i + 2]);
            let w = (i + 1) as f64 * pi;
            out[0] += ak * c + bk * s;
            out[1] += w * (bk * c - ak * s);
            out[2] -= w * w * (ak * c + bk * s);
        }
        out[0] += a[0];
        Ok(out)
    }

    /// `u(xs[i], t_j)` for every `x` and every time, point-major with `x` slowest:
    /// `out[i·times + j]` (the order of the grid `xs × ts`, first coordinate slowest).
    /// Errors: an `x` not finite.
    pub fn grid(&self, xs: &[f64]) -> Result<Vec<f64>> {
        let mut out = Vec::with_capacity(xs.len() * self.times.len());
        for &x in xs {
            let w = self.waves(x)?;
            out.extend(self.coeffs.iter().map(|a| sum(a, &w)));
        }
        Ok(out)
    }
}

/// `a₀ + Σ_k (a_k cos_k + b_k sin_k)`, summed from the highest mode down (the small terms
/// first).
fn sum(a: &[f64], waves: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for (i, &(c, sn)) in waves.iter().enumerate().rev() {
        s += a[2 * i + 1] * c + a[2 * i + 2] * sn;
    }
    s + a[0]
}
