//! The periodic Allen–Cahn problem ([`AllenCahnPeriodic`], the causal-training paper's
//! example) and its reference solver ([`PeriodicReactionDiffusion1D`]: Fourier
//! pseudo-spectral in `x`, ETDRK4 in `t`).
//!
//! The solver is checked against exact solutions — the heat equation (`ρ = 0`) mode by mode
//! with its `x`-derivatives, a linear reaction through the pseudo-spectral (FFT) path, and the
//! spatially constant logistic solution of the cubic reaction, with ETDRK4's fourth order —
//! then the Allen–Cahn reference against itself at higher resolution, its conditions and
//! symmetry, and its own PDE residual (`u_t` by differences in time, `u_xx` spectrally). The
//! problem's residual vanishes on manufactured exact solutions (the logistic solution and the
//! stationary `tanh` interface) and not on perturbed ones; its conditions and errors are
//! checked as declared.
//!
//! The reference at the default resolution (`N = 4096`, `h = 1/1000`) costs ~1 s in a release
//! build and ~30 s in a debug one, so the tests that run by default use smaller `N` on
//! smaller grids (the whole file takes well under 20 s in debug); the checks at the default
//! resolution, which give the numbers in [`AllenCahnPeriodic`]'s documentation, are
//! `#[ignore]`d — run them with `cargo test --release --test allen_cahn_periodic -- --ignored`.
//!
//! Every tolerance sits a factor 3–10 above the value measured (in the comments), so a wrong
//! coefficient, sign, factor or order fails.

mod common;

use std::f64::consts::PI;
use std::time::Instant;

use common::solution::{Solution, field_values};
use pinn::Error;
use pinn::ad::Scalar;
use pinn::ad::jet::Component;
use pinn::pde::problems::{
    AllenCahnPeriodic, FourierOptions, GaussLegendre, PeriodicReactionDiffusion1D, Problem, Region,
};
use pinn::pde::{Condition, Fields, Pde, Residuals};

/// `n` equally spaced values from `a` to `b`, both included.
fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}

/// `n` equally spaced values of `[−1, 1)` (`linspace(−1, 1, n, endpoint=False)`).
fn periodic_grid(n: usize) -> Vec<f64> {
    (0..n).map(|i| -1.0 + 2.0 * i as f64 / n as f64).collect()
}

/// Numbers in short scientific notation, for the printouts.
fn sci(v: &[f64]) -> String {
    let parts: Vec<String> = v.iter().map(|e| format!("{e:.1e}")).collect();
    format!("[{}]", parts.join(", "))
}

/// `max_i |a_i − b_i|`.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// The causal paper's test grid (the notebook's `AC.mat`): 512 `x` of `[−1, 1)` × 201 `t`
/// of `[0, 1]`.
fn paper_grid() -> (Vec<f64>, Vec<f64>) {
    (periodic_grid(512), linspace(0.0, 1.0, 201))
}

fn opts(points: usize, steps_per_unit_time: usize) -> FourierOptions {
    FourierOptions {
        points,
        steps_per_unit_time,
    }
}

// ---------------------------------------------------------------------------------------
// The solver against exact solutions.

/// The closed-form coefficients against Gauss–Legendre quadrature of `x² cos πx cos kπx`
/// (`a₀` with the factor ½), `k ≤ 64` (200 nodes integrate these to round-off). Measured:
/// 1.1e-15. Their `k⁻²` decay: `k² a_k → 4(−1)^{k+1}/π²` (the corner of the periodic
/// extension), within 2e-8 at `k = 10⁴`.
#[test]
fn initial_coefficients_match_quadrature() {
    let g = GaussLegendre::new(200).unwrap();
    let mut worst: f64 = 0.0;
    for k in 0..=64 {
        let mut a = g.integrate(|x| x * x * (PI * x).cos() * (k as f64 * PI * x).cos());
        if k == 0 {
            a *= 0.5;
        }
        let [ak, bk] = AllenCahnPeriodic::initial_coefficient(k);
        assert_eq!(bk, 0.0);
        worst = worst.max((ak - a).abs());
    }
    eprintln!("initial coefficients vs quadrature: {worst:.1e}");
    assert!(worst <= 5e-15, "{worst:e}");
    for k in [9_999_usize, 10_000] {
        let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
        let scaled = (k * k) as f64 * AllenCahnPeriodic::initial_coefficient(k)[0];
        assert!(
            (scaled - sign * 4.0 / (PI * PI)).abs() <= 2e-8,
            "{k}: {scaled}"
        );
    }
}

/// Modes `[k, a_k, b_k]` of the exact-solution tests (`k = 63` is the highest mode kept at
/// `N = 128`).
const MODES: [(usize, f64, f64); 5] = [
    (0, 0.3, 0.0),
    (1, 1.0, 0.0),
    (3, 0.0, -0.5),
    (10, 0.2, 0.7),
    (63, 0.1, -0.05),
];

/// `[u, u_x, u_xx]` of `Σ_modes e^{rate(k)·t} (a_k cos kπx + b_k sin kπx)` (plus `base`).
fn modal(x: f64, t: f64, base: f64, rate: &dyn Fn(f64) -> f64) -> [f64; 3] {
    let mut out = [base, 0.0, 0.0];
    for &(k, a, b) in &MODES {
        let w = k as f64 * PI;
        let e = (rate(w) * t).exp();
        let (s, c) = (w * x).sin_cos();
        out[0] += e * (a * c + b * s);
        out[1] += e * w * (b * c - a * s);
        out[2] -= e * w * w * (a * c + b * s);
    }
    out
}

fn modal_initial(k: usize) -> [f64; 2] {
    MODES
        .iter()
        .find(|m| m.0 == k)
        .map_or([0.0, 0.0], |&(_, a, b)| [a, b])
}

/// The heat equation (`ρ = 0`, through the reaction's FFT path), mode by mode: `u =
/// Σ e^{−D(kπ)²t}(a_k cos kπx + b_k sin kπx)` with `u_x`, `u_xx`, at `D = 10⁻⁴` (the
/// problem's) and `D = 10⁻²` (the highest mode decays by `e^{−392}` by `t = 1`), at `x` on
/// the 512-point grid, at times including two that are not multiples of the step; the same
/// bits at `x + 2`, `x − 4`, `x + 40` (period 2). Measured (relative to the scales 1, 63π,
/// (63π)² of `u`, `u_x`, `u_xx`): 6.7e-15, 7.0e-16, 1.0e-16. The same for
/// [`AllenCahnPeriodic`] with `ρ = 0` against the series of its initial coefficients:
/// 1.9e-15.
#[test]
fn heat_limit_matches_the_exact_modes() {
    let ts = [0.0, 0.0123, 0.1, 0.3707, 1.0];
    let xs = periodic_grid(512);
    let rho = 0.0;
    let mut worst = [0.0_f64; 3];
    for d in [1e-4, 1e-2] {
        let heat = PeriodicReactionDiffusion1D { diffusivity: d };
        let sol = heat
            .solve(
                move |u| rho * (u - u * u * u),
                modal_initial,
                &ts,
                opts(128, 100),
            )
            .unwrap();
        assert_eq!((sol.points(), sol.modes(), sol.times()), (128, 63, &ts[..]));
        for &x in &xs {
            for (j, &t) in ts.iter().enumerate() {
                let want = modal(x, t, 0.0, &|w| -d * w * w);
                let got = sol.derivatives(j, x).unwrap();
                assert_eq!(got[0], sol.value(j, x).unwrap());
                for shift in [2.0, -4.0, 40.0] {
                    assert_eq!(sol.value(j, x + shift).unwrap(), got[0], "{x} + {shift}");
                }
                for i in 0..3 {
                    let scale = [1.0, 63.0 * PI, (63.0 * PI).powi(2)][i];
                    worst[i] = worst[i].max((got[i] - want[i]).abs() / scale);
                }
            }
        }
    }
    eprintln!("heat limit: relative errors [u, u_x, u_xx] {}", sci(&worst));
    assert!(
        worst[0] <= 3e-14 && worst[1] <= 5e-15 && worst[2] <= 1e-15,
        "{worst:?}"
    );

    // AllenCahnPeriodic with ρ = 0: its coefficients decay by e^{−D(kπ)²t}.
    let ac = AllenCahnPeriodic::new(1e-4, 0.0).unwrap();
    let o = opts(256, 50);
    let xs = periodic_grid(64);
    let u = ac.reference_grid(&xs, &ts[1..], o).unwrap();
    let mut e: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        for (j, &t) in ts[1..].iter().enumerate() {
            let want: f64 = (0..128)
                .map(|k| {
                    let w = k as f64 * PI;
                    AllenCahnPeriodic::initial_coefficient(k)[0]
                        * (-1e-4 * w * w * t).exp()
                        * (w * x).cos()
                })
                .sum();
            e = e.max((u[i * 4 + j] - want).abs());
        }
    }
    eprintln!("allen_cahn_periodic, ρ = 0, vs its series: {e:.1e}");
    assert!(e <= 1e-14, "{e:e}");
}

/// A linear reaction `f = κ(u − b)` through the pseudo-spectral path (collocation values,
/// FFTs): `u = b + Σ e^{(κ − D(kπ)²)t}(a_k cos kπx + b_k sin kπx)` (the mean `a₀ − b` grows
/// as `e^{κt}`). The reaction is explicit in ETDRK4, so this measures its time error at
/// `h = 1/400`: 7.7e-12 (`D = 0.05`, `κ = 1.5`, `N = 128`).
#[test]
fn linear_reaction_matches_its_exact_solution() {
    let (d, kappa, b) = (0.05, 1.5, 0.4);
    let ts = [0.0, 0.25, 0.6137, 1.0];
    let p = PeriodicReactionDiffusion1D { diffusivity: d };
    let sol = p
        .solve(
            |u| kappa * (u - b),
            |k| {
                let [a, bk] = modal_initial(k);
                if k == 0 { [a + b, 0.0] } else { [a, bk] }
            },
            &ts,
            opts(128, 400),
        )
        .unwrap();
    let xs = periodic_grid(100);
    let u = sol.grid(&xs).unwrap();
    let mut worst: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        for (j, &t) in ts.iter().enumerate() {
            let want = b + modal(x, t, 0.0, &|w| kappa - d * w * w)[0];
            worst = worst.max((u[i * ts.len() + j] - want).abs());
        }
    }
    eprintln!("linear reaction: {worst:.1e}");
    assert!(worst <= 3e-11, "{worst:e}");
}

/// The cubic reaction on spatially constant data, `u₀ = c`: `u_t = ρ(u − u³)` gives
/// `u = c e^{ρt}/√(1 + c²(e^{2ρt} − 1))`. At `t = 1` (`ρ = 5`, `c = 0.1`) with `h = 1/50 …
/// 1/400` the error falls by 16–17 per halving (fourth order; measured 1.3e-7, 7.7e-9,
/// 4.6e-10, 2.8e-11), and the
/// higher modes stay exactly zero.
#[test]
fn logistic_solution_shows_fourth_order() {
    let (rho, c) = (5.0, 0.1);
    let exact = |t: f64| {
        let e = (rho * t).exp();
        c * e / (1.0 + c * c * (e * e - 1.0)).sqrt()
    };
    let p = PeriodicReactionDiffusion1D { diffusivity: 1e-4 };
    let mut errors = Vec::new();
    for steps in [50, 100, 200, 400] {
        let sol = p
            .solve(
                move |u| rho * (u - u * u * u),
                |k| if k == 0 { [c, 0.0] } else { [0.0, 0.0] },
                &[0.5, 1.0],
                opts(16, steps),
            )
            .unwrap();
        let a = sol.coefficients(1).unwrap();
        assert!(a[1..].iter().all(|&v| v == 0.0), "{a:?}");
        errors.push((a[0] - exact(1.0)).abs());
        assert!((sol.value(0, 0.3).unwrap() - exact(0.5)).abs() <= 1e-5);
    }
    eprintln!("logistic: errors at t = 1 {}", sci(&errors));
    for w in errors.windows(2) {
        let ratio = w[0] / w[1];
        assert!((13.0..=18.0).contains(&ratio), "ratio {ratio} ({errors:?})");
    }
    assert!(errors[3] <= 1e-10, "{errors:?}");
}

// ---------------------------------------------------------------------------------------
// The Allen–Cahn reference.

/// `max |u(N, h) − u(2N, h/2)|` on `xs × ts`.
fn self_convergence(o: FourierOptions, xs: &[f64], ts: &[f64]) -> f64 {
    let ac = AllenCahnPeriodic::default();
    let fine = opts(2 * o.points, 2 * o.steps_per_unit_time);
    let u = ac.reference_grid(xs, ts, o).unwrap();
    let v = ac.reference_grid(xs, ts, fine).unwrap();
    max_diff(&u, &v)
}

/// A cheap version of the resolution study below (debug-mode friendly): `(N, h) = (1024,
/// 1/200)` against `(2048, 1/400)` on 64 `x` and `t = 0.25 … 1`, where the corner at `x = ±1`
/// has diffused away. Measured: 5.2e-9; `(512, 1/100)` is off by 5.4e-7.
#[test]
fn reference_converges_at_modest_resolution() {
    let xs = periodic_grid(64);
    let ts = [0.25, 0.5, 0.75, 1.0];
    let e = self_convergence(opts(1024, 200), &xs, &ts);
    let coarse = self_convergence(opts(512, 100), &xs, &ts);
    eprintln!(
        "allen_cahn_periodic (1024, 1/200) vs (2048, 1/400): {e:.1e}; (512, 1/100): {coarse:.1e}"
    );
    assert!(e <= 2e-8, "{e:e}");
    assert!(coarse >= 1e-7, "{coarse:e}");
}

/// The default resolution (`N = 4096`, `h = 1/1000`) on the paper's 512 × 201 grid (and
/// two times off the step grid) against `(2N, h/2)`, `(N, h/2)` (the time error) and
/// `(2N, h)` (the space error, aliasing included); the largest coefficient beyond `N/3`
/// (where aliasing of the cubic starts) at `t = 1/200` and for `t ≥ 0.05`; values recorded
/// from the `(2N, h/2)` solve. Measured: 1.07e-10 (8.2e-12 for `t ≥ 0.05`), 1.05e-10,
/// 4.9e-12; tail 2.1e-11 and 1.3e-19; one default solve 1.2–1.5 s. Expensive: ~11 s in a
/// release build on 2 busy cores (the `2N` solves dominate); run with `--release --
/// --ignored`.
#[test]
#[ignore = "expensive: ~11 s in release (run with --release -- --ignored)"]
fn reference_agrees_with_twice_the_resolution() {
    let ac = AllenCahnPeriodic::default();
    let (xs, mut ts) = paper_grid();
    ts.extend([0.123_456, 0.876_543]);
    let o = FourierOptions::default();
    assert_eq!(o, opts(4096, 1000));
    let start = Instant::now();
    let u = ac.reference_grid(&xs, &ts, o).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let u_all = ac.reference_grid(&xs, &ts, opts(8192, 2000)).unwrap();
    let u_t = ac.reference_grid(&xs, &ts, opts(4096, 2000)).unwrap();
    let u_x = ac.reference_grid(&xs, &ts, opts(8192, 1000)).unwrap();
    let (e_all, e_t, e_x) = (max_diff(&u, &u_all), max_diff(&u, &u_t), max_diff(&u, &u_x));
    // Where the error is: per time.
    let nt = ts.len();
    let late = |v: &[f64], t0: f64| {
        let mut m: f64 = 0.0;
        for i in 0..xs.len() {
            for j in (0..nt).filter(|&j| ts[j] >= t0) {
                m = m.max((u[i * nt + j] - v[i * nt + j]).abs());
            }
        }
        m
    };
    let e_late = late(&u_all, 0.05);
    let at = |v: &[f64], x: usize, t: usize| v[x * nt + t];
    // (x, t) indices: (0, 1), (0.5, 1), (0.25, 1), (−1, 1), (0.5, 0.5).
    let probes = [(256, 200), (384, 200), (320, 200), (0, 200), (384, 100)];
    let fine: Vec<String> = probes
        .iter()
        .map(|&(i, j)| format!("{:.12}", at(&u_all, i, j)))
        .collect();
    eprintln!(
        "allen_cahn_periodic default ({secs:.2} s): vs (2N, h/2) {e_all:.2e} ({e_late:.2e} for \
         t ≥ 0.05), vs (N, h/2) {e_t:.2e}, vs (2N, h) {e_x:.2e}; (2N, h/2) at u(0, 1), \
         u(0.5, 1), u(0.25, 1), u(−1, 1), u(0.5, 0.5): {fine:?}"
    );
    assert!(e_all <= 5e-10, "{e_all:e}");
    assert!(e_t <= 5e-10, "{e_t:e}");
    assert!(e_x <= 3e-11, "{e_x:e}");
    assert!(e_late <= 5e-11, "{e_late:e}");
    // Values recorded from the (2N, h/2) solve.
    let recorded = [
        0.029_579_720_998,
        -0.064_076_797_728,
        0.988_474_647_666,
        -0.999_998_883_737,
        -0.003_807_962_824,
    ];
    for (&(i, j), want) in probes.iter().zip(recorded) {
        assert!(
            (at(&u, i, j) - want).abs() <= 1e-9,
            "{} vs {want}",
            at(&u, i, j)
        );
    }
    // The spectral tail: the largest coefficient from k = N/3 on, at t = 1/200 and for
    // t ≥ 0.05.
    let sol = ac.spectral(&ts[1..201], o).unwrap();
    let tail = |j: usize| {
        // a_k sits at index 2k − 1.
        let a = sol.coefficients(j).unwrap();
        a[2 * (o.points / 3) - 1..]
            .iter()
            .fold(0.0_f64, |m, v| m.max(v.abs()))
    };
    let (first, later) = (tail(0), (9..200).map(tail).fold(0.0_f64, f64::max));
    eprintln!(
        "allen_cahn_periodic: max |coefficient| from N/3 on: {first:.1e} at t = 1/200, \
         {later:.1e} for t ≥ 0.05"
    );
    assert!(first <= 1e-10 && later <= 1e-15, "{first:e} {later:e}");
    // Problem::reference_at is the default solve.
    let r = ac.reference_at(&[0.0, 1.0, 0.5, 0.5, -1.0, 0.0]).unwrap();
    assert_eq!(r, vec![at(&u, 256, 200), at(&u, 384, 100), -1.0]);
}

/// The PDE residual `u_t − D u_xx + ρ(u³ − u)` of the reference, with `u_xx` from the
/// Fourier series and `u_t` by a sixth-order central difference in time (step `δ = h`,
/// within the same solve), at the `x` of `xs` and `centres`; returns `(max |r|, max |r| with
/// ρ off by 1%, size of the terms)`.
fn residual_of_reference(o: FourierOptions, xs: &[f64], centres: &[f64]) -> (f64, f64, f64) {
    let ac = AllenCahnPeriodic::default();
    let delta = 1.0 / o.steps_per_unit_time as f64;
    let stencil = [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0];
    let weights = [-1.0, 9.0, -45.0, 45.0, -9.0, 1.0];
    let mut times = Vec::new();
    for &c in centres {
        times.push(c);
        times.extend(stencil.iter().map(|m| c + m * delta));
    }
    let sol = ac.spectral(&times, o).unwrap();
    let (mut worst, mut worst_wrong, mut scale) = (0.0_f64, 0.0_f64, 0.0_f64);
    for ci in 0..centres.len() {
        let base = ci * 7;
        for &x in xs {
            let [u, _, uxx] = sol.derivatives(base, x).unwrap();
            let mut ut = 0.0;
            for (k, w) in weights.iter().enumerate() {
                ut += w * sol.value(base + 1 + k, x).unwrap();
            }
            ut /= 60.0 * delta;
            let react = u * u * u - u;
            worst = worst.max((ut - ac.d * uxx + ac.rho * react).abs());
            worst_wrong = worst_wrong.max((ut - ac.d * uxx + 1.01 * ac.rho * react).abs());
            scale = scale.max(ut.abs() + (ac.d * uxx).abs() + (ac.rho * react).abs());
        }
    }
    (worst, worst_wrong, scale)
}

/// The residual at `(1024, 1/400)` on 64 `x` and 5 times in `[0.1, 0.9]`. Measured: 1.3e-9
/// (terms up to 3.9); with `ρ` off by 1%: 1.9e-2.
#[test]
fn reference_satisfies_the_pde() {
    let (worst, wrong, scale) =
        residual_of_reference(opts(1024, 400), &periodic_grid(64), &linspace(0.1, 0.9, 5));
    eprintln!(
        "allen_cahn_periodic residual (1024, 1/400): {worst:.2e} (terms up to {scale:.2}); ρ off \
         by 1%: {wrong:.2e}"
    );
    assert!(worst <= 1e-8, "{worst:e}");
    assert!(wrong > 1e-3, "{wrong:e}");
}

/// The residual at the default resolution on the 512 `x` of the paper's grid and 9 times in
/// `[0.1, 0.9]`. Measured: 3.3e-11 (terms up to 3.9); with `ρ` off by 1%: 1.9e-2. ~1 s in
/// release, ~30 s in debug.
#[test]
#[ignore = "expensive in debug: ~30 s (run with --release -- --ignored)"]
fn reference_satisfies_the_pde_at_the_default_resolution() {
    let (worst, wrong, scale) = residual_of_reference(
        FourierOptions::default(),
        &periodic_grid(512),
        &linspace(0.1, 0.9, 9),
    );
    eprintln!(
        "allen_cahn_periodic residual (default): {worst:.2e} (terms up to {scale:.2}); ρ off by \
         1%: {wrong:.2e}"
    );
    assert!(worst <= 2e-10, "{worst:e}");
    assert!(wrong > 1e-3, "{wrong:e}");
}

/// The conditions, the maximum principle, symmetry and the shape of the solution, at
/// `(1024, 1/200)` (accurate to ~1e-8 for `t ≥ 0.25`, see above). Measured: `u(−1, t)` and
/// `u(1, t)` agree to the bit; `t = 0` is `x² cos πx` to the bit, while the truncated series
/// there is off by 7.9e-4 at the corner `x = ±1` (`O(1/N)`) and 7.8e-7 at `x = ½`
/// (`O(1/N²)`); `|u(x) − u(−x)|` 2.1e-15; `max |u| = 1` (at `t = 0`, `x = ±1`).
#[test]
fn reference_meets_its_conditions_and_has_the_known_shape() {
    let ac = AllenCahnPeriodic::default();
    let o = opts(1024, 200);
    let xs = linspace(-1.0, 1.0, 81);
    let ts = linspace(0.0, 1.0, 11);
    let nt = ts.len();
    let u = ac.reference_grid(&xs, &ts, o).unwrap();
    let at = |i: usize, j: usize| u[i * nt + j];
    for j in 0..nt {
        assert_eq!(at(0, j), at(80, j), "u(−1, t_{j}) = u(1, t_{j})");
    }
    for (i, &x) in xs.iter().enumerate() {
        assert_eq!(at(i, 0), x * x * (PI * x).cos(), "u({x}, 0)");
    }
    let series = ac.spectral(&[0.0], o).unwrap();
    let corner = (series.value(0, 1.0).unwrap() + 1.0).abs();
    let half = series.value(0, 0.5).unwrap().abs();
    let asym = (0..xs.len()).fold(0.0_f64, |m, i| {
        (0..nt).fold(m, |m, j| m.max((at(i, j) - at(80 - i, j)).abs()))
    });
    let over = u.iter().fold(0.0_f64, |m, v| m.max(v.abs() - 1.0));
    eprintln!(
        "allen_cahn_periodic: series at t = 0 off by {corner:.1e} at x = 1, {half:.1e} at x = ½; \
         asymmetry {asym:.1e}; max |u| − 1 = {over:.1e}"
    );
    assert!(corner > 1e-4 && half <= 3e-6, "{corner:e} {half:e}");
    assert!(asym <= 1e-14, "{asym:e}");
    assert!(over <= 1e-14, "{over:e}");
    // The shape at t = 1: plateaus near +1 (0.25 ≤ |x| ≤ 0.45) and −1 (|x| ≥ 0.55),
    // interfaces at x ≈ ±1/2 where x² cos πx changes sign, and a dip at x = 0 where it
    // touches 0 (u stays small and positive there: u(0, 1) ≈ 0.03).
    // (Values at (1024, 1/200): u(0, 1) = 0.0296, u(0.25, 1) = 0.9885, u(0.5, 1) = −0.064,
    // u(0.55, 1) = −0.989.)
    assert!((50..=58).all(|i| at(i, 10) > 0.97), "{}", at(50, 10));
    assert!((62..=80).all(|i| at(i, 10) < -0.98), "{}", at(62, 10));
    assert!(at(40, 10) > 0.02 && at(40, 10) < 0.04, "dip {}", at(40, 10));
    let crossing = (50..80).find(|&i| at(i, 10) < 0.0).unwrap();
    assert_eq!(crossing, 60, "interface at x = {}", xs[crossing]);
    // Problem::reference / reference_at: the default solve at the points' times (t = 0.01 is
    // 10 steps, cheap in debug), x² cos πx at t = 0.
    let pts = [0.3, 0.01, -1.0, 0.0, -0.3, 0.01, 0.7, 0.0];
    let r = ac.reference_at(&pts).unwrap();
    let grid = ac
        .reference_grid(&[0.3, -0.3], &[0.01], FourierOptions::default())
        .unwrap();
    assert_eq!((r[0], r[2]), (grid[0], grid[1]));
    assert_eq!((r[1], r[3]), (-1.0, 0.7 * 0.7 * (PI * 0.7).cos()));
    assert_eq!(ac.reference(&[0.3, 0.01]).unwrap(), vec![grid[0]]);
}

// ---------------------------------------------------------------------------------------
// The problem.

/// The spatially constant logistic solution `u = c e^{ρt}/√(1 + c²(e^{2ρt} − 1))`.
struct Logistic {
    c: f64,
    rho: f64,
}

impl Solution for Logistic {
    fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let e = (S::from_f64(self.rho) * x[1]).exp();
        let c = S::from_f64(self.c);
        vec![c * e / (S::from_f64(1.0) + c * c * (e * e - S::from_f64(1.0))).sqrt()]
    }
}

/// The stationary interface `u = tanh((x − x₀)/δ)`, `δ = √(2D/ρ)`: `D u_xx = ρ(u³ − u)`.
struct Kink {
    delta: f64,
    x0: f64,
}

impl Solution for Kink {
    fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        vec![((x[0] - S::from_f64(self.x0)) / S::from_f64(self.delta)).tanh()]
    }
}

/// The residual of `p` on the exact derivatives (hyper-duals) of `u` at `x`, with the
/// components `comps`: `(r, size of its terms, a component read but not declared)`.
fn residual_on(
    p: &AllenCahnPeriodic,
    u: &impl Solution,
    x: &[f64],
    comps: &[Component],
) -> (f64, f64, Option<Component>) {
    let vals = field_values(u, 1, x, comps);
    let missing = std::cell::Cell::new(None);
    let fields = Fields::new(comps, 1, &vals, &missing);
    let mut r = [0.0_f64];
    p.residual(x, &fields, &[], &mut Residuals::new(&mut r));
    let all = field_values(u, 1, x, &p.components());
    let v = all[0];
    let scale = all[1].abs() + (p.d * all[2]).abs() + (p.rho * (v * v * v - v)).abs();
    (r[0], scale, missing.get())
}

/// The residual vanishes to round-off on two exact solutions of the PDE (the logistic one
/// and the stationary interface, `u_t = 0`) and not on wrong ones (`ρ` or `D` off by 1%);
/// it reads exactly the components it declares. Measured: `|r|` at most 6.7e-16 of the size of
/// its terms; off by 1%: at least 1.4e-4.
#[test]
fn residual_vanishes_on_manufactured_solutions() {
    let p = AllenCahnPeriodic::default();
    let comps = p.components();
    assert_eq!(
        comps,
        vec![
            Component::Value,
            Component::First(1),
            Component::Second(0, 0)
        ]
    );
    let delta = (2.0 * p.d / p.rho).sqrt();
    let logistic = Logistic { c: 0.1, rho: p.rho };
    let kink = Kink { delta, x0: 0.013 };
    let (mut worst, mut off) = (0.0_f64, f64::INFINITY);
    let wrong_rho = AllenCahnPeriodic::new(p.d, 1.01 * p.rho).unwrap();
    let wrong_d = AllenCahnPeriodic::new(1.01 * p.d, p.rho).unwrap();
    for x in [
        [0.0, 0.0],
        [0.005, 0.3],
        [-0.01, 0.5],
        [0.02, 1.0],
        [0.3, 0.7],
    ] {
        for u in [&logistic as &dyn Probe, &kink] {
            let (r, scale, missing) = u.residual(&p, &x, &comps);
            assert_eq!(missing, None);
            worst = worst.max(r.abs() / scale.max(1.0));
            assert!(
                r.abs() <= 1e-14 * scale.max(1.0),
                "{x:?}: {r:e} ({scale:e})"
            );
            // Every declared component is read.
            for drop in &comps {
                let fewer: Vec<Component> = comps.iter().copied().filter(|c| c != drop).collect();
                assert_eq!(u.residual(&p, &x, &fewer).2, Some(*drop));
            }
        }
        // Teeth: the logistic solution feels ρ, the interface near its centre feels D.
        off = off.min(logistic.residual(&wrong_rho, &x, &comps).0.abs());
        if x[0].abs() < 0.03 {
            off = off.min(kink.residual(&wrong_d, &x, &comps).0.abs());
        }
    }
    eprintln!("manufactured: worst relative residual {worst:.1e}; off by 1%: ≥ {off:.1e}");
    assert!(off >= 3e-5, "{off:e}");
}

/// A manufactured solution as a trait object.
trait Probe {
    fn residual(
        &self,
        p: &AllenCahnPeriodic,
        x: &[f64],
        comps: &[Component],
    ) -> (f64, f64, Option<Component>);
}

impl<U: Solution> Probe for U {
    fn residual(
        &self,
        p: &AllenCahnPeriodic,
        x: &[f64],
        comps: &[Component],
    ) -> (f64, f64, Option<Component>) {
        residual_on(p, self, x, comps)
    }
}

#[test]
fn problem_contract_and_errors() {
    let ac = AllenCahnPeriodic::default();
    assert_eq!((ac.d, ac.rho), (1e-4, 5.0));
    assert_eq!(ac, AllenCahnPeriodic::new(1e-4, 5.0).unwrap());
    assert_eq!((ac.dim(), ac.outputs(), ac.equations()), (2, 1, 1));
    assert!(ac.is_evolution());
    assert_eq!(ac.bounds(), (vec![-1.0, 0.0], vec![1.0, 1.0]));
    assert!(ac.solution(&[0.1, 0.2]).is_none());
    assert_eq!(ac.name(), "allen_cahn_periodic(d=0.0001, rho=5)");
    // r = u_t − D u_xx + ρ(u³ − u) on given component values [u, u_t, u_xx].
    let comps = ac.components();
    let missing = std::cell::Cell::new(None);
    let vals = [0.5, 0.2, 3.0];
    let fields = Fields::new(&comps, 1, &vals, &missing);
    let mut r = [0.0_f64];
    ac.residual(&[0.1, 0.2], &fields, &[], &mut Residuals::new(&mut r));
    assert!((r[0] - (0.2 - 3e-4 + 5.0 * (0.125 - 0.5))).abs() <= 1e-15);
    // Conditions: the initial value on t = 0, the periodic pair along x.
    let conds = ac.conditions();
    assert_eq!(conds.len(), 2);
    assert_eq!(
        (conds[0].name.as_str(), &conds[0].region),
        ("initial", &Region::Initial)
    );
    assert_eq!(
        (conds[1].name.as_str(), &conds[1].region),
        ("periodic", &Region::PeriodicPair { axis: 0 })
    );
    match (&conds[0].condition, &conds[1].condition) {
        (Condition::InitialValue { output: 0, g }, Condition::Periodic { output: 0 }) => {
            assert_eq!(g(&[0.5, 0.0]), 0.25 * (PI * 0.5).cos());
            assert_eq!((g(&[-1.0, 0.0]), g(&[1.0, 0.0])), (-1.0, -1.0));
        }
        _ => panic!("unexpected condition kinds"),
    }
    let pair = ac
        .grid_region(&Region::PeriodicPair { axis: 0 }, 5)
        .unwrap();
    for (p, q) in pair.points.chunks(2).zip(pair.partners.chunks(2)) {
        assert_eq!((p[0], q[0], p[1]), (-1.0, 1.0, q[1]));
    }
    assert_eq!(pair.len(), 5);
    // Typed errors, never panics.
    for (d, rho) in [
        (0.0, 5.0),
        (-1.0, 5.0),
        (f64::NAN, 5.0),
        (1e-4, -1.0),
        (1e-4, f64::INFINITY),
    ] {
        assert!(
            matches!(
                AllenCahnPeriodic::new(d, rho),
                Err(Error::InvalidConfig { .. })
            ),
            "{d} {rho}"
        );
    }
    for bad in [
        opts(0, 10),
        opts(4, 10),
        opts(12, 10),
        opts(1 << 17, 10),
        opts(64, 0),
    ] {
        assert!(
            matches!(ac.spectral(&[0.5], bad), Err(Error::InvalidConfig { .. })),
            "{bad:?}"
        );
    }
    let small = opts(64, 10);
    assert!(ac.reference_grid(&[0.0], &[1.5], small).is_err());
    assert!(ac.reference_grid(&[0.0], &[f64::NAN], small).is_err());
    assert!(ac.reference_grid(&[1.01], &[0.5], small).is_err());
    assert!(ac.reference_grid(&[f64::NAN], &[0.5], small).is_err());
    assert!(ac.reference_at(&[0.0, 0.5, 0.1]).is_err());
    assert!(ac.reference(&[2.0, 0.5]).is_err());
    assert!(ac.reference(&[0.0, -0.5]).is_err());
    let broken = AllenCahnPeriodic { d: 0.0, rho: 5.0 };
    assert!(broken.reference_grid(&[0.0], &[0.5], small).is_err());
    // The solver's own errors.
    let p = PeriodicReactionDiffusion1D { diffusivity: 0.1 };
    let zero = |_: usize| [0.0, 0.0];
    assert!(
        PeriodicReactionDiffusion1D { diffusivity: -1.0 }
            .solve(|u| u, zero, &[0.1], small)
            .is_err()
    );
    assert!(p.solve(|u| u, zero, &[-0.1], small).is_err());
    assert!(p.solve(|u| u, zero, &[f64::INFINITY], small).is_err());
    assert!(p.solve(|u| u, zero, &[1e9], small).is_err()); // too many steps
    assert!(p.solve(|u| u, |_| [f64::NAN, 0.0], &[0.1], small).is_err());
    assert!(matches!(
        p.solve(
            |u| u * u * u,
            |k| if k == 0 { [2.0, 0.0] } else { [0.0, 0.0] },
            &[1.0],
            small
        ),
        Err(Error::NonFinite { .. })
    ));
    let sol = p.solve(|u| u, zero, &[0.1], small).unwrap();
    assert!(sol.value(1, 0.0).is_err() && sol.coefficients(1).is_err());
    assert!(sol.value(0, f64::NAN).is_err() && sol.derivatives(0, f64::INFINITY).is_err());
    assert!(sol.grid(&[0.0, f64::NAN]).is_err());
}
