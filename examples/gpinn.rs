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
//! [--dtype f32|f64] [--steps N] [--wg W] [--record FILE]` runs both methods and prints one
//! JSON line per method (appended to FILE when given), and draws both methods against the
//! exact solution: `gpinn_<problem>_<dtype>_s<seed>.png` in `target/examples-out` (1-D: `u`,
//! `u′` and their pointwise errors along `x`; 2-D: the pointwise errors of `u` and `∂u/∂x` over
//! the test grid). Seconds: poisson1d ≈ 2 s per method, poisson2d ≈ 1 min per method on two
//! cores.

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use plotters::prelude::SeriesLabelPosition;

use pinn::ad::jet::Graph;
use pinn::ad::{Dual, Elementary, Real};
use pinn::nets::{NetBuilder, xavier_uniform};
use pinn::optim::Adam;
use pinn::pde::hard::HardConstraint;
use pinn::pde::problems::{Poisson1DModes, Poisson2D, Problem};
use pinn::pde::{GradientEnhanced, Pde};
use pinn::rng::Seed;
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{
    ColourMap, Grid2, LinePanel, Panel, Scale, Series, fields, lines, log_error, xy,
};

/// The two problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProblemName {
    /// The gPINN paper's −u″ = Σ i sin(ix) + 8 sin(8x) on [0, π] (about 2 s per method).
    Poisson1d,
    /// −Δu = 2π² sin πx sin πy on the unit square (about 1 min per method).
    Poisson2d,
}

/// gPINN (Yu, Lu, Meng & Karniadakis, CMAME 2022) against the plain PINN from the same
/// initialisation: L2 relative errors of u and ∂u/∂x, ms per step, one JSON line per method,
/// and a PNG of both methods against the exact solution in target/examples-out.
#[derive(Parser, Debug)]
#[command(
    name = "gpinn",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "Time on a 2-core machine: poisson1d about 5 s, poisson2d about 1 min \
                  (both methods)."
)]
struct Cli {
    /// The problem.
    #[arg(long, value_enum, default_value_t = ProblemName::Poisson1d)]
    problem: ProblemName,
    /// The seed of the network's initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Adam steps [default: 20000 for poisson1d, 5000 for poisson2d].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// The gradient term's weight w_g.
    #[arg(long, value_name = "W", default_value_t = 0.01,
          value_parser = support::cli::number_in(1e-12, 1e6))]
    wg: f64,
    /// Append the JSON lines to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// What one run measured, and its values on the test points beside the exact ones.
struct Outcome {
    rel_l2: f64,
    rel_l2_grad: f64,
    ms_per_step: f64,
    u: Vec<f64>,
    du: Vec<f64>,
    exact: Vec<f64>,
    exact_du: Vec<f64>,
}

/// `∂f/∂x_0` at each point (`d` coordinates each) of a function evaluated on dual numbers.
fn derivative_x0(
    points: &[f64],
    d: usize,
    f: impl Fn(&[Dual<f64>]) -> Option<Dual<f64>>,
) -> Vec<f64> {
    points
        .chunks(d)
        .map(|x| {
            let xd: Vec<Dual<f64>> = x
                .iter()
                .enumerate()
                .map(|(k, &v)| Dual::new(v, if k == 0 { 1.0 } else { 0.0 }))
                .collect();
            f(&xd).map_or(f64::NAN, |u| u.eps)
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
    let th: Vec<Dual<f64>> = trainer
        .params()
        .iter()
        .map(|t| Dual::constant(t.to_f64()))
        .collect();
    let du = derivative_x0(test, d, |x| net.eval(&th, x).ok().map(|u| u[0]));
    let exact_du = derivative_x0(test, d, |x| problem.solution(x).map(|u| u[0]));
    Ok(Outcome {
        rel_l2: rel(&u, &exact),
        rel_l2_grad: rel(&du, &exact_du),
        ms_per_step,
        u,
        du,
        exact,
        exact_du,
    })
}

/// The figure: both methods against the exact solution on the test points.
fn draw(
    path: &std::path::Path,
    heading: &str,
    problem: &str,
    test: &[f64],
    [pinn, gpinn]: [&Outcome; 2],
) -> Result<(), String> {
    if problem == "poisson1d" {
        let x = test;
        let err = |o: &Outcome| log_error(&o.u, &o.exact);
        let derr = |o: &Outcome| log_error(&o.du, &o.exact_du);
        let panels = [
            LinePanel::new("solution", "x", "u")
                .legend(SeriesLabelPosition::UpperLeft)
                .with(Series::line("exact", xy(x, &pinn.exact)).colour(5).width(4))
                .with(Series::dashed("PINN", xy(x, &pinn.u)).colour(0))
                .with(Series::dashed("gPINN", xy(x, &gpinn.u)).colour(1)),
            LinePanel::new("derivative", "x", "∂u/∂x")
                .legend(SeriesLabelPosition::UpperRight)
                .with(
                    Series::line("exact", xy(x, &pinn.exact_du))
                        .colour(5)
                        .width(4),
                )
                .with(Series::dashed("PINN", xy(x, &pinn.du)).colour(0))
                .with(Series::dashed("gPINN", xy(x, &gpinn.du)).colour(1)),
            LinePanel::new("pointwise error of u", "x", "|u − u*|")
                .log_y()
                .with(Series::line("PINN", xy(x, &err(pinn))).colour(0))
                .with(Series::line("gPINN", xy(x, &err(gpinn))).colour(1)),
            LinePanel::new("pointwise error of ∂u/∂x", "x", "|∂u/∂x − ∂u*/∂x|")
                .log_y()
                .with(Series::line("PINN", xy(x, &derr(pinn))).colour(0))
                .with(Series::line("gPINN", xy(x, &derr(gpinn))).colour(1)),
        ];
        support::save_figure(path, |p| lines(p, heading, &panels, (720, 200)))
    } else {
        // The test points are `grid2(t, t)`: x outer, y inner.
        let n = (test.len() / 2).isqrt();
        let axis: Vec<f64> = test.chunks(2).take(n).map(|p| p[1]).collect();
        let (eu, gu) = (
            log_error(&pinn.u, &pinn.exact),
            log_error(&gpinn.u, &gpinn.exact),
        );
        let (ed, gd) = (
            log_error(&pinn.du, &pinn.exact_du),
            log_error(&gpinn.du, &gpinn.exact_du),
        );
        let panels = [
            Panel::new("PINN: |u − u*|", &eu, 0),
            Panel::new("gPINN: |u − u*|", &gu, 0),
            Panel::new("PINN: |∂u/∂x − ∂u*/∂x|", &ed, 1),
            Panel::new("gPINN: |∂u/∂x − ∂u*/∂x|", &gd, 1),
        ];
        let scales = [
            Scale::log("|u − u*|", ColourMap::Magma, 5),
            Scale::log("|∂u/∂x − ∂u*/∂x|", ColourMap::Magma, 5),
        ];
        let grid = Grid2 {
            names: ["x", "y"],
            axes: [&axis, &axis],
            across: 0,
        };
        support::save_figure(path, |p| {
            fields(p, heading, &grid, &panels, &scales, (220, 200))
        })
    }
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let problem = match cli.problem {
        ProblemName::Poisson1d => "poisson1d",
        ProblemName::Poisson2d => "poisson2d",
    };
    let (seed, wg) = (cli.seed, cli.wg);
    // Checked before training, so that a run never ends unable to save its figure.
    let dir = support::out_dir(None)?;
    let (net, points, test, steps_default) = match cli.problem {
        ProblemName::Poisson1d => {
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
        ProblemName::Poisson2d => {
            let net = support::unit_square_zero_boundary_net()?;
            let g = support::linspace(1.0 / 17.0, 16.0 / 17.0, 16);
            let t = support::linspace(0.0, 1.0, 50);
            (net, support::grid2(&g, &g), support::grid2(&t, &t), 5000)
        }
    };
    let steps = cli.steps.unwrap_or(steps_default);
    let theta: Vec<T> = xavier_uniform(&net, Seed(seed), 0.0)?;
    let mut records = Vec::new();
    let mut outcomes = Vec::new();
    for method in ["pinn", "gpinn"] {
        let out = match (problem, method) {
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
        records.push(format!(
            "{{\"example\":\"gpinn\",\"problem\":\"{problem}\",\"method\":\"{method}\",\"dtype\":\"{}\",\"seed\":{seed},\"steps\":{steps},\"w_g\":{wg},\"points\":{},\"rel_l2_u\":{:e},\"rel_l2_du\":{:e},\"ms_per_step\":{:.4}}}",
            T::NAME,
            points.len() / net.input_dim(),
            out.rel_l2,
            out.rel_l2_grad,
            out.ms_per_step
        ));
        outcomes.push(out);
    }
    let heading = format!(
        "gPINN (w_g = {wg}) against the PINN, {problem} ({}, seed {seed}): L2 rel. error of u \
         {:.1e} / {:.1e}, of ∂u/∂x {:.1e} / {:.1e}",
        T::NAME,
        outcomes[0].rel_l2,
        outcomes[1].rel_l2,
        outcomes[0].rel_l2_grad,
        outcomes[1].rel_l2_grad,
    );
    let png = dir.join(format!("gpinn_{problem}_{}_s{seed}.png", T::NAME));
    // A figure that cannot be drawn is reported; the JSON lines are printed and recorded
    // regardless.
    let drawn = draw(&png, &heading, problem, &test, [&outcomes[0], &outcomes[1]]);
    for l in &records {
        println!("{l}");
    }
    if let Some(path) = &cli.record {
        support::append_record(path, &records);
    }
    drawn?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}
