//! gPINN (Yu, Lu, Meng & Karniadakis, CMAME 2022) against the plain PINN at the same points.
//!
//! `--problem poisson1d` (default) is the paper's first example as coded in `lu-group/gpinn`:
//! `−u″ = Σ_{i=1}^{4} i sin(ix) + 8 sin(8x)` on `[0, π]`, the ansatz
//! `u = x + tanh(x) tanh(π − x)·N`, a 1-20-20-20-1 tanh network (Glorot uniform), 15
//! equispaced residual points inside the interval, Adam (lr 1e-3) for 20 000 steps, `w_g =
//! 0.01`; errors of `u` and `u′` on 100 equispaced test points. `--problem poisson2d` is
//! `−Δu = 2π² sin πx sin πy` on the unit square (ansatz `x(1−x)y(1−y)·N`, 2-32-32-32-1, an
//! 16 × 16 grid of residual points, 5000 Adam steps), to measure the cost of the extra order in
//! two dimensions: `gPINN` reads `∂Δu/∂x` and `∂Δu/∂y`.
//!
//! `cargo run --release --example gpinn -- [--problem poisson1d|poisson2d] [--seed S]
//! [--f32] [--steps N] [--wg W] [--record FILE]` runs both methods and prints one JSON line per
//! method (appended to FILE when given). Seconds: poisson1d ≈ 2 s per method, poisson2d
//! ≈ 1 min per method on two cores.

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::time::Instant;

use pinn::ad::jet::Graph;
use pinn::ad::{Dual, Elementary, Real};
use pinn::nets::{NetBuilder, xavier_uniform};
use pinn::optim::Adam;
use pinn::pde::hard::{self, HardConstraint};
use pinn::pde::problems::{Poisson1DModes, Poisson2D, Problem};
use pinn::pde::{GradientEnhanced, Pde};
use pinn::rng::Seed;
use pinn::train::Trainer;

const USAGE: &str = "\
usage: gpinn [--problem P] [--seed S] [--f32] [--steps N] [--wg W] [--record FILE]

  --problem P    poisson1d (the paper's example; ≈ 2 s per method) or poisson2d
                   (≈ 1 min per method)                           (default poisson1d)
  --seed S       network initialisation                           (default 0)
  --f32          train in f32 (default f64)
  --steps N      Adam steps (default 20 000 poisson1d, 5000 poisson2d)
  --wg W         the gradient term's weight w_g                   (default 0.01)
  --record FILE  append the JSON lines to FILE";

/// What one run measured.
struct Outcome {
    rel_l2: f64,
    rel_l2_grad: f64,
    ms_per_step: f64,
}

/// The derivative of the network's output along `x_0` at each point (one dual pass per point).
fn derivative_x0<T: Real>(net: &Graph, theta: &[T], points: &[f64], d: usize) -> Vec<f64> {
    let th: Vec<Dual<f64>> = theta.iter().map(|t| Dual::constant(t.to_f64())).collect();
    points
        .chunks(d)
        .map(|x| {
            let xd: Vec<Dual<f64>> = x
                .iter()
                .enumerate()
                .map(|(k, &v)| Dual::new(v, if k == 0 { 1.0 } else { 0.0 }))
                .collect();
            net.eval(&th, &xd).map_or(f64::NAN, |u| u[0].eps)
        })
        .collect()
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

/// Trains `net` on `pde` (a plain or gradient-enhanced PDE term on `points`) and measures the
/// errors of `u` and `∂u/∂x_0` against `problem`'s exact solution on `test`.
fn train<P: Pde + 'static, Q: Problem, T: Real>(
    net: &Graph,
    theta: Vec<T>,
    pde: P,
    problem: &Q,
    points: &[f64],
    test: &[f64],
    steps: usize,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let d = problem.dim();
    let mut b = Trainer::<P, T>::builder(net.clone(), pde)
        .params(theta)
        .phase("adam", steps, Adam::with_lr(1e-3)?);
    b.add_pde_points(points.to_vec());
    let mut trainer = b.build()?;
    let start = Instant::now();
    trainer.run()?;
    let ms_per_step = 1e3 * start.elapsed().as_secs_f64() / steps as f64;
    let u = trainer.predict(test)?;
    let exact = problem.reference_at(test)?;
    let du = derivative_x0(net, trainer.params(), test, d);
    let exact_du: Vec<f64> = test
        .chunks(d)
        .map(|x| {
            let xd: Vec<Dual<f64>> = x
                .iter()
                .enumerate()
                .map(|(k, &v)| Dual::new(v, if k == 0 { 1.0 } else { 0.0 }))
                .collect();
            problem.solution(&xd).map_or(f64::NAN, |u| u[0].eps)
        })
        .collect();
    Ok(Outcome {
        rel_l2: rel(&u, &exact),
        rel_l2_grad: rel(&du, &exact_du),
        ms_per_step,
    })
}

fn run<T: Real>() -> Result<(), Box<dyn std::error::Error>> {
    let problem = support::arg("--problem").unwrap_or_else(|| "poisson1d".into());
    let seed = support::arg_num::<u64>("--seed")?.unwrap_or(0);
    let wg = support::arg_num::<f64>("--wg")?.unwrap_or(0.01);
    let record = support::arg("--record");
    let (net, points, test, steps_default) = match problem.as_str() {
        "poisson1d" => {
            let p = Poisson1DModes;
            let net = NetBuilder::new(1)
                .mlp(&[20, 20, 20], Elementary::Tanh)
                .transform(move |b, x, n| p.ansatz(b, x, n))
                .build(1)?;
            // DeepXDE's `uniform_points(15, boundary=False)` on [0, π].
            let pi = core::f64::consts::PI;
            let points: Vec<f64> = (1..=15).map(|i| pi * i as f64 / 16.0).collect();
            (net, points, support::linspace(0.0, pi, 100), 20_000)
        }
        "poisson2d" => {
            let net = NetBuilder::new(2)
                .mlp(&[32, 32, 32], Elementary::Tanh)
                .transform(|b, x, n| {
                    let bx = hard::vanish_on_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1]);
                    b.mul(bx, n)
                })
                .build(1)?;
            let g = support::linspace(1.0 / 17.0, 16.0 / 17.0, 16);
            let t = support::linspace(0.0, 1.0, 50);
            (net, support::grid2(&g, &g), support::grid2(&t, &t), 5000)
        }
        other => {
            return Err(format!("--problem: unknown `{other}`; poisson1d or poisson2d").into());
        }
    };
    let steps = support::arg_num::<usize>("--steps")?.unwrap_or(steps_default);
    if steps == 0 {
        return Err("--steps: need at least 1, found 0".into());
    }
    if !(wg.is_finite() && wg > 0.0) {
        return Err(format!("--wg: need a finite weight > 0, found {wg}").into());
    }
    let theta: Vec<T> = xavier_uniform(&net, Seed(seed), 0.0)?;
    let mut lines = Vec::new();
    for method in ["pinn", "gpinn"] {
        let out = match (problem.as_str(), method) {
            ("poisson1d", "pinn") => train(
                &net,
                theta.clone(),
                Poisson1DModes,
                &Poisson1DModes,
                &points,
                &test,
                steps,
            )?,
            ("poisson1d", _) => train(
                &net,
                theta.clone(),
                GradientEnhanced::new(Poisson1DModes, wg, &[0])?,
                &Poisson1DModes,
                &points,
                &test,
                steps,
            )?,
            (_, "pinn") => train(
                &net,
                theta.clone(),
                Poisson2D::new(),
                &Poisson2D::new(),
                &points,
                &test,
                steps,
            )?,
            _ => train(
                &net,
                theta.clone(),
                GradientEnhanced::new(Poisson2D::new(), wg, &[0, 1])?,
                &Poisson2D::new(),
                &points,
                &test,
                steps,
            )?,
        };
        println!(
            "{problem} {method:5} ({}, seed {seed}): L2 rel. error of u {:.3e}, of ∂u/∂x {:.3e}, {:.3} ms/step",
            T::NAME,
            out.rel_l2,
            out.rel_l2_grad,
            out.ms_per_step
        );
        lines.push(format!(
            "{{\"example\":\"gpinn\",\"problem\":\"{problem}\",\"method\":\"{method}\",\"dtype\":\"{}\",\"seed\":{seed},\"steps\":{steps},\"w_g\":{wg},\"points\":{},\"rel_l2_u\":{:e},\"rel_l2_du\":{:e},\"ms_per_step\":{:.4}}}",
            T::NAME,
            points.len() / net.input_dim(),
            out.rel_l2,
            out.rel_l2_grad,
            out.ms_per_step
        ));
    }
    for l in &lines {
        println!("{l}");
    }
    if let Some(path) = record {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| lines.iter().try_for_each(|l| writeln!(f, "{l}")));
        if let Err(e) = appended {
            eprintln!("could not append to {path}: {e} (the lines above are the results)");
        }
    }
    Ok(())
}

fn main() {
    support::cli(
        USAGE,
        &["--problem", "--seed", "--steps", "--wg", "--record"],
        &["--f32"],
    );
    if let Err(e) = support::by_dtype(run::<f32>, run::<f64>) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
