//! NTK loss weighting (Wang, Yu & Perdikaris, "When and why PINNs fail to train: a neural
//! tangent kernel perspective", J. Comput. Phys. 2022) against the plain PINN, from the same
//! initialisation, on the 1-D Poisson problem of the authors' `PINNsNTK` code:
//!
//! `u_xx = −(aπ)² sin(aπx)` on `[0, 1]`, `u(0) = u(1) = 0`, exact `u = sin(aπx)`, `a = 4`;
//! a 1-512-1 tanh network on inputs standardised by the residual points' mean and standard
//! deviation, weights `N(0, 1/n_in)` and biases `N(0, 1)`; 100 residual points
//! `linspace(0, 1, 100)` and 100 boundary points (50 copies of each end, as coded); plain
//! gradient descent, learning rate 1e-5, 40 001 steps; errors of `u` and `u_xx` on 1000
//! equispaced test points. The weighted run updates `λ_b = tr K / tr K_uu` and
//! `λ_r = tr K / tr K_rr` every 100 steps from the full kernels' traces
//! (`strategies::NtkWeighting`).
//!
//! `cargo run --release --example ntk -- [--seed S] [--dtype f32|f64] [--steps N] [--lr LR]
//! [--a A] [--width W] [--every N] [--optimizer gd|adam] [--record FILE]` prints one JSON
//! line per method and writes `ntk/poisson-a<A>-<dtype>-s<S>.png` (solutions, errors and the
//! λ trajectories) and a CSV of the λ.

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use plotters::prelude::SeriesLabelPosition;

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, HyperDual, Real};
use pinn::nets::{NetBuilder, lecun_normal};
use pinn::optim::{Adam, Sgd, SgdConfig};
use pinn::pde::Condition;
use pinn::pde::problems::Poisson1D;
use pinn::rng::Seed;
use pinn::strategies::{NtkConfig, NtkWeighting};
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{LinePanel, Series, lines, xy};

/// The optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Optim {
    /// Plain gradient descent, as the authors' Poisson code.
    Gd,
    /// Adam (as their wave code).
    Adam,
}

/// NTK loss weighting against the plain PINN on 1-D Poisson, u = sin(aπx), from the same
/// initialisation: L2 relative errors of u and u_xx, the λ trajectories, one JSON line per
/// method.
#[derive(Parser, Debug)]
#[command(
    name = "ntk",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "Time on a 2-core machine: about 1–3 min per method with the defaults; a \
                  kernel update costs about as much as 1–1.5 training steps, about 1% at \
                  --every 100."
)]
struct Cli {
    /// The seed of the network's initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Optimizer steps per method.
    #[arg(long, value_name = "N", default_value_t = 40_001,
          value_parser = support::cli::at_least(1))]
    steps: usize,
    /// The learning rate.
    #[arg(long, value_name = "LR", default_value_t = 1e-5,
          value_parser = support::cli::number_in(1e-12, 10.0))]
    lr: f64,
    /// The frequency a of the solution sin(aπx).
    #[arg(long, value_name = "A", default_value_t = 4.0,
          value_parser = support::cli::number_in(0.01, 100.0))]
    a: f64,
    /// The width of the one hidden layer.
    #[arg(long, value_name = "W", default_value_t = 512,
          value_parser = support::cli::at_least(1))]
    width: usize,
    /// Update the NTK weights every N steps.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = support::cli::at_least(1))]
    every: usize,
    /// The optimizer.
    #[arg(long, value_enum, default_value_t = Optim::Gd)]
    optimizer: Optim,
    /// Append the JSON lines to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// What one run measured.
struct Outcome {
    u: Vec<f64>,
    rel_u: f64,
    rel_uxx: f64,
    ms_per_step: f64,
    /// `(step, λ_b, λ_r, tr K_uu, tr K_rr)` after each update (weighted run only).
    lambdas: Vec<(usize, [f64; 4])>,
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}

/// `u_xx` of the network at each test point, by hyper-dual numbers.
fn second_derivative(net: &Graph, theta: &[f64], test: &[f64]) -> Vec<f64> {
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    test.iter()
        .map(|&x| {
            let xs = [HyperDual::new(x, 1.0, 1.0, 0.0)];
            net.eval(&th, &xs).map_or(f64::NAN, |u| u[0].e12)
        })
        .collect()
}

/// Trains from `theta`, NTK-weighted or not, and measures the errors on `test`.
fn train<T: Real>(
    cli: &Cli,
    net: &Graph,
    theta: Vec<T>,
    weighted: bool,
    test: &[f64],
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let pde = Poisson1D {
        c: cli.a * core::f64::consts::PI,
    };
    let exact = move |x: &[f64]| (pde.c * x[0]).sin();
    let mut b = Trainer::<_, T>::builder(net.clone(), pde).params(theta);
    let residual = support::linspace(0.0, 1.0, 100);
    b.add_pde_points(residual);
    let ends: Vec<f64> = (0..100).map(|i| if i < 50 { 0.0 } else { 1.0 }).collect();
    let boundary = b.add_condition("boundary", Condition::dirichlet(0, exact), ends);
    let name = if weighted { "ntk" } else { "plain" };
    let plan = support::Plan::new().adam(name, cli.steps);
    let mut b = match cli.optimizer {
        Optim::Gd => b.phase(
            name,
            cli.steps,
            Sgd::new(SgdConfig {
                lr: cli.lr,
                ..SgdConfig::default()
            })?,
        ),
        Optim::Adam => b.phase(name, cli.steps, Adam::with_lr(cli.lr)?),
    }
    .observer(support::progress(plan));
    let log = if weighted {
        let ntk = NtkWeighting::new(NtkConfig {
            every: cli.every,
            ..NtkConfig::default()
        })?
        .group("boundary", &[boundary]);
        let log = ntk.log();
        b = b.strategy(ntk);
        Some(log)
    } else {
        None
    };
    let mut trainer = b.build()?;
    let start = Instant::now();
    trainer.run()?;
    let ms_per_step = 1e3 * start.elapsed().as_secs_f64() / cli.steps as f64;
    let u = trainer.predict(test)?;
    let exact_u: Vec<f64> = test.iter().map(|&x| exact(&[x])).collect();
    let theta: Vec<f64> = trainer.params().iter().map(|t| t.to_f64()).collect();
    let uxx = second_derivative(net, &theta, test);
    let exact_uxx: Vec<f64> = exact_u.iter().map(|u| -pde.c * pde.c * u).collect();
    // Columns: λ[boundary], λ[pde], tr[boundary], tr[pde].
    let lambdas = log.map_or_else(Vec::new, |l| {
        l.rows()
            .into_iter()
            .map(|(s, r)| (s, [r[0], r[1], r[2], r[3]]))
            .collect()
    });
    Ok(Outcome {
        rel_u: rel(&u, &exact_u),
        rel_uxx: rel(&uxx, &exact_uxx),
        u,
        ms_per_step,
        lambdas,
    })
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let dir = support::out_dir(Some("ntk")).map_err(|e| e.to_string())?;
    let residual = support::linspace(0.0, 1.0, 100);
    let mu = residual.iter().sum::<f64>() / 100.0;
    let sigma = (residual.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / 100.0).sqrt();
    let net = NetBuilder::new(1)
        .normalize(&[mu], &[sigma])
        .mlp(&[cli.width], Elementary::Tanh)
        .build(1)?;
    let theta: Vec<T> = lecun_normal(&net, Seed(cli.seed), 1.0)?;
    let test = support::linspace(0.0, 1.0, 1000);
    let (seed, a) = (cli.seed, cli.a);
    let opt = format!("{:?}", cli.optimizer).to_lowercase();
    let mut lines_out = Vec::new();
    let mut outcomes = Vec::new();
    for weighted in [false, true] {
        let out = train(cli, &net, theta.clone(), weighted, &test)?;
        let method = if weighted { "ntk" } else { "plain" };
        let last = out.lambdas.last().map(|l| l.1);
        println!(
            "poisson a = {a} {method:5} ({}, seed {seed}): L2 rel. error of u {:.3e}, of u_xx {:.3e}{}, {:.3} ms/step",
            T::NAME,
            out.rel_u,
            out.rel_uxx,
            last.map_or(String::new(), |l| format!(
                ", final λ_b {:.3e}, λ_r {:.3e}",
                l[0], l[1]
            )),
            out.ms_per_step
        );
        let lam = last.map_or(String::new(), |l| {
            format!(",\"lambda_b\":{:e},\"lambda_r\":{:e}", l[0], l[1])
        });
        lines_out.push(format!(
            "{{\"example\":\"ntk\",\"problem\":\"poisson\",\"a\":{a},\"method\":\"{method}\",\"dtype\":\"{}\",\"seed\":{seed},\"optimizer\":\"{opt}\",\"lr\":{:e},\"steps\":{},\"every\":{},\"width\":{},\"rel_l2_u\":{:e},\"rel_l2_uxx\":{:e}{lam},\"ms_per_step\":{:.4}}}",
            T::NAME,
            cli.lr,
            cli.steps,
            cli.every,
            cli.width,
            out.rel_u,
            out.rel_uxx,
            out.ms_per_step
        ));
        outcomes.push(out);
    }
    for l in &lines_out {
        println!("{l}");
    }
    if let Some(path) = &cli.record {
        support::append_record(path, &lines_out);
    }
    let stem = format!("poisson-a{a}-{}-s{seed}", T::NAME);
    let (plain, ntk) = (&outcomes[0], &outcomes[1]);
    support::write_csv(
        &dir.join(format!("{stem}-lambda.csv")),
        "step,lambda_b,lambda_r,trace_uu,trace_rr",
        (ntk.lambdas.iter()).map(|(s, l)| vec![*s as f64, l[0], l[1], l[2], l[3]]),
    )?;
    let c = a * core::f64::consts::PI;
    let exact: Vec<f64> = test.iter().map(|x| (c * x).sin()).collect();
    let err = |u: &[f64]| -> Vec<f64> {
        u.iter()
            .zip(&exact)
            .map(|(p, e)| (p - e).abs().max(1e-16))
            .collect()
    };
    let steps: Vec<f64> = ntk.lambdas.iter().map(|l| l.0 as f64).collect();
    let col = |k: usize| -> Vec<f64> { ntk.lambdas.iter().map(|l| l.1[k]).collect() };
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        lines(
            path,
            &format!(
                "u_xx = −({a}π)² sin({a}πx), 1-{}-1 tanh, {opt} lr {:e}, {} steps ({}, seed {seed})",
                cli.width,
                cli.lr,
                cli.steps,
                T::NAME
            ),
            &[
                LinePanel::new("solution", "x", "u")
                    .legend(SeriesLabelPosition::LowerLeft)
                    .with(Series::line("exact", xy(&test, &exact)).colour(5).width(4))
                    .with(
                        Series::dashed(
                            format!("plain (rel-L2 {:.2e})", plain.rel_u),
                            xy(&test, &plain.u),
                        )
                        .colour(3),
                    )
                    .with(
                        Series::dashed(
                            format!("NTK-weighted ({:.2e})", ntk.rel_u),
                            xy(&test, &ntk.u),
                        )
                        .colour(1),
                    ),
                LinePanel::new("pointwise error", "x", "|u − u_exact|")
                    .log_y()
                    .legend(SeriesLabelPosition::LowerRight)
                    .with(Series::line("plain", xy(&test, &err(&plain.u))).colour(3))
                    .with(Series::line("NTK-weighted", xy(&test, &err(&ntk.u))).colour(1)),
                LinePanel::new("NTK weights (every update)", "step", "λ")
                    .log_y()
                    .legend(SeriesLabelPosition::UpperRight)
                    .with(Series::line("λ_b = tr K / tr K_uu", xy(&steps, &col(0))).colour(2))
                    .with(Series::line("λ_r = tr K / tr K_rr", xy(&steps, &col(1))).colour(4)),
            ],
            (720, 240),
        )
    })?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}
