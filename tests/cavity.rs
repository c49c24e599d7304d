//! The lid-driven cavity (`pinn::pde::problems::LidDrivenCavity`): its residuals against an
//! exact steady Navier–Stokes solution and an independent finite-difference evaluation, and
//! its finite-difference reference against Ghia, Ghia & Shin (1982) and against itself on
//! finer grids.

mod common;

use std::cell::Cell;

use common::solution::{Solution, field_values};

use pinn::ad::jet::Component;
use pinn::ad::{Dual, Scalar};
use pinn::pde::problems::{
    CavityFormulation, CavityOptions, CavitySolution, LidDrivenCavity, Problem, Region, Side,
};
use pinn::pde::{Fields, Pde, Residuals};

/// Ghia, Ghia & Shin (1982), Table I, Re = 100: `u` on the vertical centre line `x = ½`.
const GHIA_U: [(f64, f64); 17] = [
    (1.0000, 1.00000),
    (0.9766, 0.84123),
    (0.9688, 0.78871),
    (0.9609, 0.73722),
    (0.9531, 0.68717),
    (0.8516, 0.23151),
    (0.7344, 0.00332),
    (0.6172, -0.13641),
    (0.5000, -0.20581),
    (0.4531, -0.21090),
    (0.2813, -0.15662),
    (0.1719, -0.10150),
    (0.1016, -0.06434),
    (0.0703, -0.04775),
    (0.0625, -0.04192),
    (0.0547, -0.03717),
    (0.0000, 0.00000),
];

/// Table II, Re = 100: `v` on the horizontal centre line `y = ½`.
const GHIA_V: [(f64, f64); 17] = [
    (1.0000, 0.00000),
    (0.9688, -0.05906),
    (0.9609, -0.07391),
    (0.9531, -0.08864),
    (0.9453, -0.10313),
    (0.9063, -0.16914),
    (0.8594, -0.22445),
    (0.8047, -0.24533),
    (0.5000, 0.05454),
    (0.2344, 0.17527),
    (0.2266, 0.17507),
    (0.1563, 0.16077),
    (0.0938, 0.12317),
    (0.0781, 0.10890),
    (0.0703, 0.10091),
    (0.0625, 0.09233),
    (0.0000, 0.00000),
];

/// Kovasznay's flow, an exact steady Navier–Stokes solution at Reynolds number `re`:
/// `ψ = y − e^{λx} sin(2πy)/(2π)`, `u = 1 − e^{λx} cos 2πy`, `v = λ e^{λx} sin(2πy)/(2π)`,
/// `p = (1 − e^{2λx})/2`, `λ = Re/2 − √(Re²/4 + 4π²)`. Outputs `(ψ, p)` or `(u, v, p)`.
struct Kovasznay {
    re: f64,
    formulation: CavityFormulation,
}

impl Kovasznay {
    fn lambda(&self) -> f64 {
        let pi = core::f64::consts::PI;
        self.re / 2.0 - (self.re * self.re / 4.0 + 4.0 * pi * pi).sqrt()
    }
}

impl Solution for Kovasznay {
    fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let c = S::from_f64;
        let tau = core::f64::consts::TAU;
        let e = (x[0] * c(self.lambda())).exp();
        let (s, co) = ((x[1] * c(tau)).sin(), (x[1] * c(tau)).cos());
        let p = (c(1.0) - e * e) * c(0.5);
        match self.formulation {
            CavityFormulation::StreamFunction => vec![x[1] - e * s * c(1.0 / tau), p],
            CavityFormulation::VelocityPressure => {
                vec![c(1.0) - e * co, e * s * c(self.lambda() / tau), p]
            }
        }
    }
}

/// The residuals of `pde` on the exact derivative values of `u` at `x`.
fn residuals(pde: &LidDrivenCavity, u: &impl Solution, x: &[f64]) -> Vec<f64> {
    let comps = pde.components();
    let m = pde.outputs();
    let vals = field_values(u, m, x, &comps);
    let missing = Cell::new(None);
    let fields = Fields::new(&comps, m, &vals, &missing);
    let mut r = vec![0.0; pde.equations()];
    pde.residual(x, &fields, &[], &mut Residuals::new(&mut r));
    assert_eq!(missing.get(), None, "read an undeclared component");
    r
}

fn points(n: usize) -> Vec<[f64; 2]> {
    (0..n)
        .map(|i| {
            let t = i as f64 + 0.5;
            [(t * 0.618_034) % 1.0, (t * 0.754_878) % 1.0]
        })
        .collect()
}

/// Kovasznay's flow solves the equations at the same Re, in both formulations; the
/// continuity residual vanishes; at another Re it does not (the check has teeth).
#[test]
fn kovasznay_flow_solves_both_formulations() {
    for formulation in [
        CavityFormulation::StreamFunction,
        CavityFormulation::VelocityPressure,
    ] {
        let pde = LidDrivenCavity::new(40.0, formulation).unwrap();
        let exact = Kovasznay {
            re: 40.0,
            formulation,
        };
        let wrong = Kovasznay {
            re: 41.0,
            formulation,
        };
        for x in points(30) {
            let r = residuals(&pde, &exact, &x);
            assert!(
                r.iter().all(|v| v.abs() < 1e-12),
                "{formulation:?} at {x:?}: {r:?}"
            );
            let r = residuals(&pde, &wrong, &x);
            assert!(
                r[..2].iter().any(|v| v.abs() > 1e-4),
                "{formulation:?}: wrong Re passes at {x:?}: {r:?}"
            );
        }
    }
}

/// A flow that solves nothing: the stream-function residuals against the momentum equations
/// written out independently from central finite differences of `ψ` and `p` (step 1e-3,
/// error ~1e-6 of the terms); and the velocity–pressure form on `(ψ_y, −ψ_x, p)` gives the
/// same two residuals and a zero continuity residual.
#[test]
fn residuals_match_finite_differences_and_each_other() {
    struct Flow;
    impl Solution for Flow {
        fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
            let c = S::from_f64;
            let psi = (x[0] * c(2.0)).sin() * (x[1] * c(3.0) + c(0.4)).cos() * x[1] * x[1];
            let p = x[0] * x[1] + (x[0] * c(1.5)).cos();
            vec![psi, p]
        }
    }
    /// `(ψ_y, −ψ_x, p)` of [`Flow`], as exact expressions of the same function.
    struct FlowUvp;
    impl Solution for FlowUvp {
        fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
            // ψ_y and ψ_x of Flow, differentiated once by one level of duals inside.
            let d = |k: usize| {
                let xs: Vec<Dual<S>> = x
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| Dual::new(v, S::from_f64(f64::from(i == k))))
                    .collect();
                Flow.at(&xs)[0].eps
            };
            let p = Flow.at(x)[1];
            vec![d(1), -d(0), p]
        }
    }
    let re = 100.0;
    let psi_p = LidDrivenCavity::new(re, CavityFormulation::StreamFunction).unwrap();
    let uvp = LidDrivenCavity::new(re, CavityFormulation::VelocityPressure).unwrap();
    let h = 1e-3;
    let f = |o: usize, x: f64, y: f64| Flow.at(&[x, y])[o];
    // u = ψ_y, v = −ψ_x by central differences, then their derivatives by central
    // differences again (nested).
    let u = |x: f64, y: f64| (f(0, x, y + h) - f(0, x, y - h)) / (2.0 * h);
    let v = |x: f64, y: f64| -(f(0, x + h, y) - f(0, x - h, y)) / (2.0 * h);
    for [x, y] in points(20) {
        let dx = |g: &dyn Fn(f64, f64) -> f64| (g(x + h, y) - g(x - h, y)) / (2.0 * h);
        let dy = |g: &dyn Fn(f64, f64) -> f64| (g(x, y + h) - g(x, y - h)) / (2.0 * h);
        let lap = |g: &dyn Fn(f64, f64) -> f64| {
            (g(x + h, y) + g(x - h, y) + g(x, y + h) + g(x, y - h) - 4.0 * g(x, y)) / (h * h)
        };
        let px = (f(1, x + h, y) - f(1, x - h, y)) / (2.0 * h);
        let py = (f(1, x, y + h) - f(1, x, y - h)) / (2.0 * h);
        let (u0, v0) = (u(x, y), v(x, y));
        let fd = [
            u0 * dx(&u) + v0 * dy(&u) + px - lap(&u) / re,
            u0 * dx(&v) + v0 * dy(&v) + py - lap(&v) / re,
        ];
        let r = residuals(&psi_p, &Flow, &[x, y]);
        for e in 0..2 {
            let scale = 1.0 + fd[e].abs();
            assert!(
                (r[e] - fd[e]).abs() < 1e-4 * scale,
                "equation {e} at ({x}, {y}): {} vs FD {}",
                r[e],
                fd[e]
            );
        }
        let r2 = residuals(&uvp, &FlowUvp, &[x, y]);
        for e in 0..2 {
            assert!((r2[e] - r[e]).abs() < 1e-12 * (1.0 + r[e].abs()));
        }
        assert!(r2[2].abs() < 1e-12, "continuity {}", r2[2]);
    }
}

/// The conditions: eight terms in the code's order, on the right faces, with the lid's
/// speed 1 and the others 0; the pressure reads only its gradient.
#[test]
fn conditions_and_declarations() {
    for (formulation, outputs) in [
        (CavityFormulation::StreamFunction, 2),
        (CavityFormulation::VelocityPressure, 3),
    ] {
        let p = LidDrivenCavity::new(100.0, formulation).unwrap();
        assert_eq!((p.dim(), p.outputs(), p.equations()), (2, outputs, outputs));
        let conds = p.conditions();
        let names: Vec<&str> = conds.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "lid.u", "lid.v", "bottom.u", "bottom.v", "left.u", "left.v", "right.u", "right.v"
            ]
        );
        assert_eq!(
            conds[0].region,
            Region::Face {
                axis: 1,
                side: Side::Hi
            }
        );
        let pressure = p.output_components(outputs - 1);
        assert_eq!(pressure, vec![Component::First(0), Component::First(1)]);
        // The targets: 1 on the lid's u, 0 elsewhere (read through a zero field).
        for (k, c) in conds.iter().enumerate() {
            let comps = c.condition.components(2);
            let vals = vec![0.0; comps.len() * outputs];
            let missing = Cell::new(None);
            let fields = Fields::new(&comps, outputs, &vals, &missing);
            let r = c.condition.residual(&[0.5, 1.0], 0, &[], &fields);
            assert_eq!(r, if k == 0 { -1.0 } else { 0.0 }, "{}", c.name);
        }
    }
    assert!(LidDrivenCavity::new(0.0, CavityFormulation::StreamFunction).is_err());
    assert!(LidDrivenCavity::new(f64::NAN, CavityFormulation::StreamFunction).is_err());
    assert!(LidDrivenCavity::default().reference(&[0.5, 0.5]).is_err());
}

fn solve(cells: usize) -> CavitySolution {
    CavitySolution::solve(
        100.0,
        &CavityOptions {
            cells,
            ..Default::default()
        },
    )
    .unwrap()
}

/// The speed `|u|` on Wang et al.'s test grid (100 × 100 `linspace`, walls included), and
/// whether each point is away from the lid (`y ≤ 0.8`).
fn speed_on_test_grid(s: &CavitySolution) -> (Vec<f64>, Vec<bool>) {
    let t: Vec<f64> = (0..100).map(|i| i as f64 / 99.0).collect();
    let (mut out, mut away) = (Vec::new(), Vec::new());
    for &x in &t {
        for &y in &t {
            let [u, v] = s.velocity(x, y).unwrap();
            out.push(u.hypot(v));
            away.push(y <= 0.8);
        }
    }
    (out, away)
}

/// `‖a − b‖/‖b‖` over the points where `keep` holds.
fn rel_l2(a: &[f64], b: &[f64], keep: &[bool]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for ((x, y), &k) in a.iter().zip(b).zip(keep) {
        if k {
            num += (x - y) * (x - y);
            den += y * y;
        }
    }
    (num / den).sqrt()
}

/// The finite-difference reference converges: the march stopped below its tolerance and
/// the discrete steady equations hold. Away from the lid (`y ≤ 0.8`) at second order: the
/// differences of the speed between 32, 64 and 128 cells shrink by 4.1 (asserted 3.7 to
/// 4.5). Over the whole test grid more slowly (2.8, asserted 2.4 to 3.2): the lid's corners
/// are singular (the velocity jumps from 1 to 0, the vorticity grows like `1/r`) and the
/// few test points next to them dominate the difference. The 128-cell speed's error is
/// estimated as the last difference over `ratio − 1` (below 1e-2 over the whole grid, below
/// 5e-3 away from the lid). The centre lines agree with Ghia et al. to 1e-2 — their own
/// error (they used 129 points): refining our grid moves the centre value *away* from
/// theirs, towards the converged one.
#[test]
fn reference_converges_and_agrees_with_ghia() {
    let grids = [32, 64, 128].map(solve);
    convergence(&grids, [(2.4..3.2, 1e-2), (3.7..4.5, 5e-3)]);
    for s in &grids {
        assert!(s.change() < 1e-9, "{}", s.change());
        assert!(s.residual() < 1e-7, "steady residual {}", s.residual());
    }
    let fine = &grids[2];
    let (mut eu, mut ev) = (0.0_f64, 0.0_f64);
    for (y, u) in GHIA_U {
        eu = eu.max((fine.velocity(0.5, y).unwrap()[0] - u).abs());
    }
    for (x, v) in GHIA_V {
        ev = ev.max((fine.velocity(x, 0.5).unwrap()[1] - v).abs());
    }
    println!("Ghia et al.: max |Δu| {eu:.2e}, max |Δv| {ev:.2e}");
    assert!(eu < 6e-3 && ev < 1e-2, "Ghia: u {eu}, v {ev}");
    // Refining moves the centre value away from Ghia's −0.20581 (theirs is the coarser).
    let centre = |s: &CavitySolution| s.velocity(0.5, 0.5).unwrap()[0];
    let c: Vec<f64> = grids.iter().map(centre).collect();
    assert!(c[0] > c[1] && c[1] > c[2] && c[2] < -0.2085, "{c:?}");
    // The problem's reference is the solution with its options (128 cells by default; checked
    // on the 32-cell grid already solved rather than by solving 128 cells again).
    assert_eq!(CavityOptions::default().cells, 128);
    let p = LidDrivenCavity::default().with_reference_options(CavityOptions {
        cells: 32,
        ..Default::default()
    });
    assert_eq!(
        p.velocity(&[0.3, 0.7]).unwrap(),
        grids[0].velocity(0.3, 0.7).unwrap()
    );
}

/// The speed's differences between three grids (each twice as fine) over the whole test
/// grid and away from the lid (`y ≤ 0.8`): their ratio in `ratios`, and the error of the
/// finest estimated as the last difference over `ratio − 1` below `bound`.
fn convergence(grids: &[CavitySolution; 3], checks: [(std::ops::Range<f64>, f64); 2]) {
    let speeds: Vec<(Vec<f64>, Vec<bool>)> = grids.iter().map(speed_on_test_grid).collect();
    let all = vec![true; speeds[0].0.len()];
    let n: Vec<usize> = grids.iter().map(CavitySolution::cells).collect();
    for ((keep, name), (ratios, bound)) in [(&all, "whole grid"), (&speeds[0].1, "y ≤ 0.8")]
        .into_iter()
        .zip(checks)
    {
        let d1 = rel_l2(&speeds[0].0, &speeds[1].0, keep);
        let d2 = rel_l2(&speeds[1].0, &speeds[2].0, keep);
        let ratio = d1 / d2;
        let err = d2 / (ratio - 1.0);
        println!(
            "{name}: |u| differences {}→{} {d1:.3e}, {}→{} {d2:.3e} (ratio {ratio:.2}); \
             error of {} cells ≈ {err:.2e}",
            n[0], n[1], n[1], n[2], n[2]
        );
        assert!(ratios.contains(&ratio), "{name}: ratio {ratio}");
        assert!(err < bound, "{name}: {err}");
    }
}

/// The same on 64, 128 and 256 cells (about 3 min): the numbers the problem's documentation
/// and `docs/REPRODUCTION.md` state (ratio 2.96 over the whole grid, 4.07 away from the
/// lid; error of 256 cells 2.2e-3 and 7e-4).
#[test]
#[ignore]
fn reference_error_at_256_cells() {
    let grids = [64, 128, 256].map(solve);
    convergence(&grids, [(2.7..3.2, 3e-3), (3.8..4.3, 1e-3)]);
}

/// Settings out of range are errors naming them; a time step too large diverges into an
/// error, not a NaN; points outside the square are refused.
#[test]
fn solver_errors() {
    let bad = |o: CavityOptions| CavitySolution::solve(100.0, &o).unwrap_err().to_string();
    let d = CavityOptions::default();
    assert!(bad(CavityOptions { cells: 48, ..d }).contains("cavity.cells"));
    assert!(bad(CavityOptions { cells: 4, ..d }).contains("cavity.cells"));
    assert!(
        bad(CavityOptions {
            dt: Some(-1.0),
            ..d
        })
        .contains("cavity.dt")
    );
    assert!(
        bad(CavityOptions {
            tolerance: 0.0,
            ..d
        })
        .contains("cavity.tolerance")
    );
    assert!(bad(CavityOptions { max_steps: 0, ..d }).contains("cavity.max_steps"));
    let few = bad(CavityOptions {
        cells: 16,
        max_steps: 10,
        ..d
    });
    assert!(few.contains("not converged"), "{few}");
    let diverged = bad(CavityOptions {
        cells: 64,
        dt: Some(0.5),
        ..d
    });
    assert!(diverged.contains("diverged"), "{diverged}");
    assert!(CavitySolution::solve(-1.0, &d).is_err());
    let s = solve(16);
    assert!(s.velocity(1.2, 0.5).is_err());
    assert!(s.velocity(0.5, f64::NAN).is_err());
    // The walls' velocities, up to the rounding of the interpolation weights.
    let [u, v] = s.velocity(0.3, 1.0).unwrap();
    assert!((u - 1.0).abs() < 1e-14 && v.abs() < 1e-14, "lid ({u}, {v})");
    assert_eq!(s.velocity(0.0, 0.4).unwrap(), [0.0, 0.0]);
}
