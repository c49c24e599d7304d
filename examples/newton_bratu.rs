//! `pinn::ad` inside a classical solver: Newton's method for the Bratu problem
//!
//! ```text
//! u″ + λ eᵘ = 0  on (0, 1),   u(0) = u(1) = 0,   λ = 1,
//! ```
//!
//! discretised with second-order central differences on `N` interior points
//! (`h = 1/(N+1)`, `x_i = i·h`):
//!
//! ```text
//! F_i(u) = (u_{i−1} − 2u_i + u_{i+1}) / h² + λ e^{u_i} = 0,   i = 1 … N,   u_0 = u_{N+1} = 0.
//! ```
//!
//! The residual `F` is written once, generic over [`Scalar`]. Called with `f64` it evaluates the
//! residual, and called through [`jacobian`] with dual numbers it yields the exact Jacobian,
//! with no hand-derived derivative. The Jacobian is tridiagonal, so each Newton step solves
//! it with the Thomas algorithm. The exact lower-branch solution is
//!
//! ```text
//! u(x) = −2 ln[ cosh((x − ½) θ/2) / cosh(θ/4) ],   θ = √(2λ) cosh(θ/4),
//! ```
//!
//! and the scalar equation for `θ` is itself solved by Newton with [`derivative`].
//!
//! ```text
//! cargo run --release --example newton_bratu
//! ```
//!
//! The integration test `tests/newton_bratu.rs` includes this file as a module and checks the
//! same functions.

use pinn::ad::{Scalar, derivative, jacobian};

/// Newton stops when `‖F‖∞` is at or below this.
pub const TOL: f64 = 1e-10;
/// Newton gives up after this many steps.
pub const MAX_ITER: usize = 20;

/// The discrete Bratu residual `F(u)` on the `N = u.len()` interior points, with the zero
/// boundary values built in. Generic over [`Scalar`]: `f64` for values, `Dual<f64>` for the
/// Jacobian.
pub fn residual<S: Scalar>(u: &[S], lambda: f64) -> Vec<S> {
    let n = u.len();
    let h = 1.0 / (n + 1) as f64;
    let inv_h2 = S::from_f64(1.0 / (h * h));
    let (two, lam) = (S::from_f64(2.0), S::from_f64(lambda));
    (0..n)
        .map(|i| {
            let left = if i > 0 { u[i - 1] } else { S::zero() };
            let right = if i + 1 < n { u[i + 1] } else { S::zero() };
            (left - two * u[i] + right) * inv_h2 + lam * u[i].exp()
        })
        .collect()
}

/// The max norm `‖v‖∞`.
pub fn max_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Solves the tridiagonal system with sub-diagonal `a` (`a[0]` unused), diagonal `b` and
/// super-diagonal `c` (`c[n−1]` unused) for right-hand side `d`, by the Thomas algorithm
/// (Gaussian elimination without pivoting; fine here, where `−J` is symmetric positive
/// definite).
pub fn thomas(a: &[f64], b: &[f64], c: &[f64], d: &[f64]) -> Vec<f64> {
    let n = d.len();
    let (mut cp, mut dp) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let (ai, prev_c, prev_d) = if i > 0 {
            (a[i], cp[i - 1], dp[i - 1])
        } else {
            (0.0, 0.0, 0.0)
        };
        let m = b[i] - ai * prev_c;
        cp[i] = if i + 1 < n { c[i] / m } else { 0.0 };
        dp[i] = (d[i] - ai * prev_d) / m;
    }
    let mut x = dp;
    for i in (0..n.saturating_sub(1)).rev() {
        x[i] -= cp[i] * x[i + 1];
    }
    x
}

/// Newton's method for `F(u) = 0` on `n` interior points, from `u = 0`.
///
/// Returns the solution and `‖F(u_k)‖∞` for every iterate `k = 0, 1, …` (the last one is the
/// converged residual).
///
/// # Panics
/// If Newton does not reach [`TOL`] within [`MAX_ITER`] steps, or if the AD Jacobian is not
/// tridiagonal.
pub fn solve(n: usize, lambda: f64) -> (Vec<f64>, Vec<f64>) {
    let mut u = vec![0.0; n];
    let mut norms = Vec::new();
    loop {
        let f = residual(&u, lambda);
        norms.push(max_norm(&f));
        if norms[norms.len() - 1] <= TOL {
            return (u, norms);
        }
        assert!(
            norms.len() <= MAX_ITER,
            "Newton did not converge: {norms:?}"
        );

        // The exact Jacobian from the same residual code, one dual pass per column. (It is
        // tridiagonal, so three passes with colour-grouped seeds would do; `jacobian` keeps it
        // simple.)
        let (_, jac) = jacobian(|v| residual(v, lambda), &u);
        let mut off_band = 0.0_f64;
        for (i, row) in jac.iter().enumerate() {
            for (j, &x) in row.iter().enumerate() {
                if i.abs_diff(j) > 1 {
                    off_band = off_band.max(x.abs());
                }
            }
        }
        assert_eq!(off_band, 0.0, "the Jacobian should be tridiagonal");
        let sub: Vec<f64> = (0..n)
            .map(|i| if i > 0 { jac[i][i - 1] } else { 0.0 })
            .collect();
        let diag: Vec<f64> = (0..n).map(|i| jac[i][i]).collect();
        let sup: Vec<f64> = (0..n)
            .map(|i| if i + 1 < n { jac[i][i + 1] } else { 0.0 })
            .collect();

        // J δ = −F, u ← u + δ.
        let minus_f: Vec<f64> = f.iter().map(|x| -x).collect();
        let delta = thomas(&sub, &diag, &sup, &minus_f);
        for (ui, di) in u.iter_mut().zip(&delta) {
            *ui += di;
        }
    }
}

/// `g(θ) = θ − √(2λ) cosh(θ/4)`, whose roots give the exact solutions.
pub fn theta_equation<S: Scalar>(theta: S, lambda: f64) -> S {
    theta - S::from_f64((2.0 * lambda).sqrt()) * (theta * S::from_f64(0.25)).cosh()
}

/// The lower-branch root of [`theta_equation`], by Newton from `θ = 0` with the derivative
/// from [`derivative`]. (`g` is concave and increasing left of its
/// smaller root, so Newton from 0 climbs monotonically to that root.) Returns `θ` and the
/// number of Newton steps.
pub fn theta(lambda: f64) -> (f64, usize) {
    let mut t = 0.0_f64;
    for k in 1..=50 {
        let (gt, dg) = derivative(|t| theta_equation(t, lambda), t);
        let step = gt / dg;
        t -= step;
        if step.abs() <= 4.0 * f64::EPSILON * t.abs() {
            return (t, k);
        }
    }
    panic!("theta: Newton did not converge");
}

/// The exact solution `u(x) = −2 ln[cosh((x − ½)θ/2) / cosh(θ/4)]`.
pub fn exact(x: f64, theta: f64) -> f64 {
    -2.0 * (((x - 0.5) * theta / 2.0).cosh() / (theta / 4.0).cosh()).ln()
}

/// `max_i |u_i − u(x_i)|` over the interior grid points `x_i = i/(N+1)`.
pub fn max_error(u: &[f64], lambda: f64) -> f64 {
    let (t, _) = theta(lambda);
    let h = 1.0 / (u.len() + 1) as f64;
    u.iter()
        .enumerate()
        .map(|(i, &ui)| (ui - exact((i + 1) as f64 * h, t)).abs())
        .fold(0.0, f64::max)
}

/// Newton's method for the Bratu problem u″ + λ·e^u = 0 on (0, 1), u(0) = u(1) = 0, λ = 1,
/// discretised by central differences, with the Jacobian computed by automatic
/// differentiation of the residual (dual numbers): prints the convergence of Newton, the
/// check of the AD Jacobian against the hand-derived one, and the h-convergence against the
/// exact solution. Writes no file.
#[derive(clap::Parser, Debug)]
#[command(
    name = "newton_bratu",
    verbatim_doc_comment,
    after_help = "Takes well under a second."
)]
struct Args {}

fn main() {
    let _: Args = clap::Parser::parse();
    let lambda = 1.0;
    let n = 199; // h = 1/200

    let (t, theta_steps) = theta(lambda);
    println!("Bratu problem u'' + λ e^u = 0 on (0,1), u(0) = u(1) = 0, λ = {lambda}");
    println!(
        "θ = √(2λ) cosh(θ/4): θ = {t:.16} after {theta_steps} Newton steps (derivative by Dual)"
    );

    println!(
        "\nNewton on N = {n} interior points (h = 1/{}), u₀ = 0:",
        n + 1
    );
    let (u, norms) = solve(n, lambda);
    println!("   k        ‖F(u_k)‖∞    ‖F_k‖/‖F_(k-1)‖²");
    for (k, &r) in norms.iter().enumerate() {
        if k == 0 {
            println!("  {k:>2}   {r:>14.6e}");
        } else {
            let ratio = r / (norms[k - 1] * norms[k - 1]);
            let note = if r < 1e3 * f64::EPSILON / (1.0 / (n + 1) as f64).powi(2) {
                "  (round-off floor of F)"
            } else {
                ""
            };
            println!("  {k:>2}   {r:>14.6e}   {ratio:>14.4e}{note}");
        }
    }
    let iterations = norms.len() - 1;

    // The AD Jacobian at the solution against the hand-derived one:
    // ∂F_i/∂u_i = −2/h² + λ e^{u_i},  ∂F_i/∂u_{i±1} = 1/h².
    let h = 1.0 / (n + 1) as f64;
    let (_, jac) = jacobian(|v| residual(v, lambda), &u);
    let mut jac_err = 0.0_f64;
    for i in 0..n {
        jac_err = jac_err.max((jac[i][i] - (-2.0 / (h * h) + lambda * u[i].exp())).abs());
        if i + 1 < n {
            jac_err = jac_err.max((jac[i][i + 1] - 1.0 / (h * h)).abs());
            jac_err = jac_err.max((jac[i + 1][i] - 1.0 / (h * h)).abs());
        }
    }
    println!("AD Jacobian vs hand-derived tridiagonal: max |diff| = {jac_err:.1e}");

    let max_err = max_error(&u, lambda);
    let u_mid = u[n / 2];
    println!(
        "u(½) = {u_mid:.10} (exact {:.10}), max |u_i − u(x_i)| = {max_err:.3e}",
        exact(0.5, t)
    );

    println!("\nh-convergence (error should fall 4× per halving of h):");
    println!("     N        h         max err      ratio   order   Newton steps");
    let mut prev: Option<f64> = None;
    let mut observed_order = f64::NAN;
    for m in [25_usize, 50, 100, 200, 400] {
        let (um, nm) = solve(m - 1, lambda);
        let err = max_error(&um, lambda);
        match prev {
            None => println!(
                "  {:>4}   {:<8}   {err:.4e}                    {}",
                m - 1,
                format!("1/{m}"),
                nm.len() - 1
            ),
            Some(p) => {
                observed_order = (p / err).log2();
                println!(
                    "  {:>4}   {:<8}   {err:.4e}   {:>6.3}   {observed_order:>5.3}   {}",
                    m - 1,
                    format!("1/{m}"),
                    p / err,
                    nm.len() - 1
                );
            }
        }
        prev = Some(err);
    }

    println!(
        "{{\"example\":\"newton_bratu\",\"n\":{n},\"lambda\":{lambda:?},\"theta\":{t:?},\"iterations\":{iterations},\"final_residual\":{:e},\"max_err\":{max_err:e},\"observed_order\":{observed_order:.4}}}",
        norms[iterations]
    );
}
