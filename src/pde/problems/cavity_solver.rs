//! The lid-driven cavity's reference: a finite-difference solver of the steady
//! Navier–Stokes equations in stream-function–vorticity form ([`CavitySolution::solve`]).

use super::sine_transform::SineTransform2;
use crate::error::{Error, Result};

/// The settings of [`CavitySolution::solve`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CavityOptions {
    /// Cells per side `n` (a power of two, 8 … 1024); the grid spacing is `h = 1/n`.
    /// Default 128.
    pub cells: usize,
    /// The pseudo-time step `Δt` (> 0); `None` (the default) takes
    /// `min(1/Re, 0.8·Re·h²)`. The steady state does not depend on it; the march's stability
    /// does: the explicit convection needs about `Δt ≤ 2/(Re·|u|²)`, the wall vorticity
    /// taken from the previous step about `Δt ≤ Re·h²`.
    pub dt: Option<f64>,
    /// Stop when `max |ω^{k+1} − ω^k| / Δt` falls below this (> 0). Default `10⁻⁹`.
    pub tolerance: f64,
    /// At most this many steps (≥ 1); more is an error. Default 400 000.
    pub max_steps: usize,
}

impl Default for CavityOptions {
    fn default() -> Self {
        CavityOptions {
            cells: 128,
            dt: None,
            tolerance: 1e-9,
            max_steps: 400_000,
        }
    }
}

/// The steady lid-driven cavity at Reynolds number `Re` on a uniform grid: the
/// stream-function–vorticity equations
///
/// ```text
/// Δψ = −ω,      u ω_x + v ω_y = (1/Re) Δω,      u = ψ_y,  v = −ψ_x,
/// ```
///
/// on `(0, 1)²`, `ψ = 0` on the walls, the lid `y = 1` moving at `u = 1`.
///
/// **Discretisation.** Second-order central differences on the `(n + 1)²` nodes
/// `(i h, j h)`, `h = 1/n`; the wall vorticity from Thom's formula
/// `ω_w = −2 ψ_1/h² − 2 U_w/h` (`ψ_1` the stream function one node inside, `U_w` the wall's
/// tangential velocity: 1 on the lid, 0 elsewhere).
///
/// **Solver.** Pseudo-time marching to the steady state: the convection explicit, the
/// diffusion implicit (backward Euler), the wall vorticity from the previous step,
///
/// ```text
/// (1 − Δt/Re Δ_h) ω^{k+1} = ω^k − Δt (u ω_x + v ω_y)^k,      −Δ_h ψ^{k+1} = ω^{k+1},
/// ```
///
/// both solved exactly by the 2-D discrete sine transform, which diagonalises the 5-point
/// Laplacian (`O(n² log n)` a step). At the steady state `Δt` cancels: the result solves the
/// discrete steady equations, whose residual [`CavitySolution::residual`] reports.
///
/// **Accuracy.** The scheme is second order: halving `h` divides the error by about 4, and
/// the tests check the centre-line velocities against Ghia, Ghia & Shin (1982), Table I
/// (`Re = 100`, their 129 × 129 multigrid solution, 5 digits). Velocities at the nodes are
/// the central differences of `ψ` (the wall values given); between nodes they are
/// interpolated by the tensor cubic through the 4 × 4 nearest nodes (error `O(h⁴)`).
#[derive(Clone, Debug, PartialEq)]
pub struct CavitySolution {
    re: f64,
    n: usize,
    /// `ψ`, `ω`, `u`, `v` at node `(i, j)`, index `j·(n + 1) + i` (`i` along `x`).
    psi: Vec<f64>,
    omega: Vec<f64>,
    u: Vec<f64>,
    v: Vec<f64>,
    steps: usize,
    change: f64,
    residual: f64,
}

fn bad(field: &'static str, reason: String) -> Error {
    Error::InvalidConfig { field, reason }
}

impl CavitySolution {
    /// Solves the cavity at `re` with `options` (see the type's documentation).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the setting out of range (`re` finite and `> 0`),
    /// [`Error::NonFinite`] if the march diverges (a `Δt` too large for the convection), and
    /// [`Error::InvalidConfig`] if it has not converged after `max_steps` steps.
    pub fn solve(re: f64, options: &CavityOptions) -> Result<Self> {
        Self::solve_with(re, options, |_, _| {})
    }

    /// [`CavitySolution::solve`], calling `progress(step, change)` every 1000 steps, where
    /// `change = max |ω^{k+1} − ω^k| / Δt` is the quantity compared with the tolerance.
    pub fn solve_with(
        re: f64,
        options: &CavityOptions,
        mut progress: impl FnMut(usize, f64),
    ) -> Result<Self> {
        let CavityOptions {
            cells: n,
            dt,
            tolerance,
            max_steps,
        } = *options;
        if !(re.is_finite() && re > 0.0) {
            return Err(bad(
                "cavity.re",
                format!("must be finite and > 0, found {re}"),
            ));
        }
        if !(n.is_power_of_two() && (8..=1024).contains(&n)) {
            return Err(bad(
                "cavity.cells",
                format!("must be a power of two from 8 to 1024, found {n}"),
            ));
        }
        let (np, m, h) = (n + 1, n - 1, 1.0 / n as f64);
        let dt = dt.unwrap_or_else(|| f64::min(1.0 / re, 0.8 * re * h * h));
        for (field, v) in [("cavity.dt", dt), ("cavity.tolerance", tolerance)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(field, format!("must be finite and > 0, found {v}")));
            }
        }
        if max_steps == 0 {
            return Err(bad("cavity.max_steps", "must be at least 1".into()));
        }
        let nu = 1.0 / re;
        let at = |i: usize, j: usize| j * np + i;
        let mut psi = vec![0.0; np * np];
        let mut omega = vec![0.0; np * np];
        let mut dst = SineTransform2::new(n)?;
        // −Δ_h's eigenvalues, and 1/(n/2)² for the inverse transform.
        let sin2 = |k: usize| {
            (core::f64::consts::PI * k as f64 / (2.0 * n as f64))
                .sin()
                .powi(2)
        };
        let mu: Vec<f64> = (1..n)
            .flat_map(|k| (1..n).map(move |l| 4.0 * (sin2(k) + sin2(l)) / (h * h)))
            .collect();
        let inverse = 1.0 / (n as f64 / 2.0).powi(2);
        let mut rhs = vec![0.0; m * m];
        let mut psi_hat = vec![0.0; m * m];
        let mut steps = 0;
        let mut change = f64::INFINITY;
        while change >= tolerance {
            if steps == max_steps {
                return Err(bad(
                    "cavity.max_steps",
                    format!(
                        "not converged after {max_steps} steps (change {change:.3e}, tolerance \
                         {tolerance:.1e}): raise max_steps or dt"
                    ),
                ));
            }
            wall_vorticity(&psi, &mut omega, n, h);
            for j in 1..n {
                for i in 1..n {
                    let c = at(i, j);
                    // The wall values of the implicit Laplacian, known from this step.
                    let mut wall = 0.0;
                    if i == 1 {
                        wall += omega[c - 1];
                    }
                    if i == n - 1 {
                        wall += omega[c + 1];
                    }
                    if j == 1 {
                        wall += omega[c - np];
                    }
                    if j == n - 1 {
                        wall += omega[c + np];
                    }
                    rhs[(j - 1) * m + i - 1] = omega[c] - dt * convection(&psi, &omega, c, np, h)
                        + dt * nu * wall / (h * h);
                }
            }
            dst.apply(&mut rhs)?;
            for ((r, p), &mu) in rhs.iter_mut().zip(psi_hat.iter_mut()).zip(&mu) {
                *r /= 1.0 + dt * nu * mu;
                *p = *r / mu;
            }
            dst.apply(&mut rhs)?;
            dst.apply(&mut psi_hat)?;
            change = 0.0;
            let mut finite = true;
            for j in 1..n {
                for i in 1..n {
                    let (c, k) = (at(i, j), (j - 1) * m + i - 1);
                    let w = rhs[k] * inverse;
                    finite &= w.is_finite();
                    change = change.max((w - omega[c]).abs() / dt);
                    omega[c] = w;
                    psi[c] = psi_hat[k] * inverse;
                }
            }
            if !(finite && change.is_finite()) {
                return Err(Error::NonFinite {
                    step: steps,
                    term: "cavity vorticity (the pseudo-time march diverged: lower dt)".into(),
                });
            }
            steps += 1;
            if steps % 1000 == 0 {
                progress(steps, change);
            }
        }
        wall_vorticity(&psi, &mut omega, n, h);
        let (u, v) = velocities(&psi, n, h);
        let residual = steady_residual(&psi, &omega, n, h, nu);
        Ok(CavitySolution {
            re,
            n,
            psi,
            omega,
            u,
            v,
            steps,
            change,
            residual,
        })
    }

    /// The Reynolds number.
    pub fn re(&self) -> f64 {
        self.re
    }

    /// Cells per side.
    pub fn cells(&self) -> usize {
        self.n
    }

    /// Pseudo-time steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The last `max |ω^{k+1} − ω^k| / Δt` (below the tolerance).
    pub fn change(&self) -> f64 {
        self.change
    }

    /// The largest residual of the discrete steady vorticity equation,
    /// `max |u ω_x + v ω_y − (1/Re) Δ_h ω|` over the interior nodes (the Poisson equation
    /// holds to rounding by construction).
    pub fn residual(&self) -> f64 {
        self.residual
    }

    /// The velocity `(u, v)` at `(x, y) ∈ [0, 1]²`: the walls' own on the walls (`(1, 0)` on
    /// the whole lid, its corners included, `(0, 0)` on the other three), interpolated
    /// inside.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a point outside the square or not finite.
    pub fn velocity(&self, x: f64, y: f64) -> Result<[f64; 2]> {
        if (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y) {
            if y == 1.0 {
                return Ok([1.0, 0.0]);
            }
            if x == 0.0 || x == 1.0 || y == 0.0 {
                return Ok([0.0, 0.0]);
            }
        }
        Ok([
            self.interpolate(&self.u, x, y)?,
            self.interpolate(&self.v, x, y)?,
        ])
    }

    /// The stream function `ψ` at `(x, y) ∈ [0, 1]²` (errors as [`CavitySolution::velocity`]).
    pub fn stream_function(&self, x: f64, y: f64) -> Result<f64> {
        self.interpolate(&self.psi, x, y)
    }

    /// The vorticity `ω = v_x − u_y` at `(x, y) ∈ [0, 1]²` (errors as
    /// [`CavitySolution::velocity`]).
    pub fn vorticity(&self, x: f64, y: f64) -> Result<f64> {
        self.interpolate(&self.omega, x, y)
    }

    /// The tensor cubic through the 4 × 4 nodes nearest `(x, y)` (one-sided at the walls).
    fn interpolate(&self, f: &[f64], x: f64, y: f64) -> Result<f64> {
        for (name, v) in [("x", x), ("y", y)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(bad(
                    "cavity.point",
                    format!("{name} must be in [0, 1], found {v}"),
                ));
            }
        }
        let n = self.n;
        let (ix, wx) = cubic_weights(x, n);
        let (iy, wy) = cubic_weights(y, n);
        let mut s = 0.0;
        for (b, wy) in wy.iter().enumerate() {
            for (a, wx) in wx.iter().enumerate() {
                s += wy * wx * f[(iy + b) * (n + 1) + ix + a];
            }
        }
        Ok(s)
    }
}

/// The first of the four nodes around `t ∈ [0, 1]` on `n` cells and their Lagrange weights.
fn cubic_weights(t: f64, n: usize) -> (usize, [f64; 4]) {
    let s = t * n as f64;
    let first = (s.floor() as usize).saturating_sub(1).min(n - 3);
    let mut w = [0.0; 4];
    for (a, wa) in w.iter_mut().enumerate() {
        *wa = (0..4)
            .filter(|&b| b != a)
            .map(|b| (s - (first + b) as f64) / (a as f64 - b as f64))
            .product();
    }
    (first, w)
}

/// Thom's wall vorticity `ω_w = −2 ψ_1/h² − 2 U_w/h` on the four walls (the corners, which
/// no stencil reads, are set to 0).
fn wall_vorticity(psi: &[f64], omega: &mut [f64], n: usize, h: f64) {
    let np = n + 1;
    let h2 = h * h;
    for k in 1..n {
        omega[k] = -2.0 * psi[np + k] / h2; // bottom
        omega[n * np + k] = -2.0 * psi[(n - 1) * np + k] / h2 - 2.0 / h; // lid
        omega[k * np] = -2.0 * psi[k * np + 1] / h2; // left
        omega[k * np + n] = -2.0 * psi[k * np + n - 1] / h2; // right
    }
    for c in [0, n, n * np, n * np + n] {
        omega[c] = 0.0;
    }
}

/// `(u, v) = (ψ_y, −ψ_x)` at interior node `c` (`np = n + 1` nodes per row), central
/// differences.
fn velocity(psi: &[f64], c: usize, np: usize, h: f64) -> (f64, f64) {
    (
        (psi[c + np] - psi[c - np]) / (2.0 * h),
        -(psi[c + 1] - psi[c - 1]) / (2.0 * h),
    )
}

/// The convection `u ω_x + v ω_y` at interior node `c`, central differences.
fn convection(psi: &[f64], omega: &[f64], c: usize, np: usize, h: f64) -> f64 {
    let (u, v) = velocity(psi, c, np, h);
    let wx = (omega[c + 1] - omega[c - 1]) / (2.0 * h);
    let wy = (omega[c + np] - omega[c - np]) / (2.0 * h);
    u * wx + v * wy
}

/// `u = ψ_y`, `v = −ψ_x` at every node: central differences inside, the wall velocities on
/// the walls.
fn velocities(psi: &[f64], n: usize, h: f64) -> (Vec<f64>, Vec<f64>) {
    let np = n + 1;
    let mut u = vec![0.0; np * np];
    let mut v = vec![0.0; np * np];
    for j in 1..n {
        for i in 1..n {
            let c = j * np + i;
            (u[c], v[c]) = velocity(psi, c, np, h);
        }
    }
    for i in 1..n {
        u[n * np + i] = 1.0;
    }
    // The lid's corners, where u jumps from 1 to 0, take the mean for the interpolation
    // near them ([`CavitySolution::velocity`] gives points on the walls their exact values).
    u[n * np] = 0.5;
    u[n * np + n] = 0.5;
    (u, v)
}

/// `max |u ω_x + v ω_y − ν Δ_h ω|` over the interior nodes.
fn steady_residual(psi: &[f64], omega: &[f64], n: usize, h: f64, nu: f64) -> f64 {
    let np = n + 1;
    let mut r = 0.0_f64;
    for j in 1..n {
        for i in 1..n {
            let c = j * np + i;
            let lap = (omega[c + 1] + omega[c - 1] + omega[c + np] + omega[c - np]
                - 4.0 * omega[c])
                / (h * h);
            r = r.max((convection(psi, omega, c, np, h) - nu * lap).abs());
        }
    }
    r
}
