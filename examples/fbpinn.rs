//! FBPINN against PINNs on the original FBPINN paper's Cos1D problem (Moseley, Markham &
//! Nissen-Meyer 2023, `paper_specs.md` §3.2): `u′ = cos(ωx)` on `[−2π, 2π]`, `u(0) = 0`, exact
//! `u = sin(ωx)/ω`, with the paper's hard constraint `u = tanh(ωx)·N` and output scale `1/ω`.
//!
//! - `--model fbpinn`: 30 equal cells, overlap width 0.7 (`0.7·min cell`), sigmoid windows,
//!   one 1-16-16-1 tanh network per subdomain on inputs normalised by its cell
//!   (`nets::fbpinn::Fbpinn`), all subdomains active.
//! - `--model pinn-16-2 | pinn-32-3 | pinn-64-4 | pinn-128-5`: one tanh network of that many
//!   hidden units and layers on inputs normalised by the domain's centre and half-width.
//!
//! 3000 equispaced training points (`--omega 1`: 200), Adam (lr 1e-3), 50 000 steps; the test
//! error is the paper's L1 = mean |u − u*| on 5000 equispaced points (`--omega 1`: 1000).
//!
//! ```text
//! cargo run --release --example fbpinn -- [--model fbpinn|pinn-16-2|…] [--omega W]
//!     [--steps N] [--seed S] [--dtype f32|f64] [--threads T] [--record FILE]
//! ```

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use plotters::prelude::SeriesLabelPosition;

use pinn::ad::jet::{Component, GraphBuilder, NodeId};
use pinn::ad::{Elementary, Real, Scalar};
use pinn::model::Model;
use pinn::nets::NetBuilder;
use pinn::nets::fbpinn::{Decomposition, Fbpinn, overlap_from_width, uniform_edges};
use pinn::optim::Adam;
use pinn::pde::{Fields, Pde, Residuals};
use pinn::rng::Seed;
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{LinePanel, Series, lines, xy};

/// The models of the paper's Cos1D comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ModelName {
    /// 30 subdomains of 1-16-16-1 (the paper's FBPINN).
    Fbpinn,
    /// A PINN with 2 hidden layers of 16.
    #[value(name = "pinn-16-2")]
    Pinn16,
    /// A PINN with 3 hidden layers of 32.
    #[value(name = "pinn-32-3")]
    Pinn32,
    /// A PINN with 4 hidden layers of 64.
    #[value(name = "pinn-64-4")]
    Pinn64,
    /// A PINN with 5 hidden layers of 128.
    #[value(name = "pinn-128-5")]
    Pinn128,
}

/// FBPINN against PINNs on Cos1D, u′ = cos(ωx) on [−2π, 2π], u(0) = 0: the paper's L1 test
/// error (mean |u − u*|) against the step, one JSON line.
///
/// Writes fbpinn/cos1d-w<ω>-<model>-<dtype>-s<seed>.png (solution, error, L1 against the
/// step) to target/examples-out (or $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "fbpinn",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine (f32, one thread, measured beside other jobs): the \
                  default 50 000 steps took 4 min for the FBPINN, 1.7 min for pinn-16-2, 3.7 min \
                  for pinn-32-3 and 19 min for pinn-64-4; pinn-128-5 is slower still."
)]
struct Cli {
    /// The model.
    #[arg(long, value_enum, default_value_t = ModelName::Fbpinn)]
    model: ModelName,
    /// The frequency ω.
    #[arg(long, value_name = "W", default_value_t = 15.0,
          value_parser = support::cli::number_in(0.01, 1000.0))]
    omega: f64,
    /// Adam steps.
    #[arg(long, value_name = "N", default_value_t = 50_000,
          value_parser = support::cli::at_least(1))]
    steps: usize,
    /// The seed of the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// Worker threads (results do not depend on it) [default: all cores].
    #[arg(long, value_name = "T", value_parser = support::cli::at_least(1))]
    threads: Option<usize>,
    /// Append the final JSON line to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// `u′ − cos(ωx) = 0`.
#[derive(Clone, Copy)]
struct Cos1D {
    omega: f64,
}

impl Pde for Cos1D {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::First(0)]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.d(0, 0) - (S::from_f64(self.omega) * x[0]).cos();
    }
}

/// `tanh(ωx)`, the paper's hard-constraint factor for `u(0) = 0` (`sd = 1/ω`).
fn vanish_at_zero(b: &mut GraphBuilder, x: NodeId, omega: f64) -> NodeId {
    let s = b.linear(x, 1, &[omega], None);
    b.unary(s, Elementary::Tanh)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let dir = support::out_dir(Some("fbpinn"))?;
    let omega = cli.omega;
    let two_pi = 2.0 * core::f64::consts::PI;
    let (n_train, n_test) = if omega > 1.0 {
        (3000, 5000)
    } else {
        (200, 1000)
    };
    let train = support::linspace(-two_pi, two_pi, n_train);
    let test = support::linspace(-two_pi, two_pi, n_test);
    let exact: Vec<f64> = test.iter().map(|x| (omega * x).sin() / omega).collect();
    let name = match cli.model {
        ModelName::Fbpinn => "fbpinn",
        ModelName::Pinn16 => "pinn-16-2",
        ModelName::Pinn32 => "pinn-32-3",
        ModelName::Pinn64 => "pinn-64-4",
        ModelName::Pinn128 => "pinn-128-5",
    };
    match cli.model {
        ModelName::Fbpinn => {
            let edges = uniform_edges(-two_pi, two_pi, 30)?;
            let overlaps = overlap_from_width(&edges, 0.7)?;
            let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
            let model = Fbpinn::new(dec, &[16, 16], 1, Elementary::Tanh, (0.0, 1.0 / omega))?
                .with_hard_constraint(
                    |b, x| b.linear(x, 1, &[0.0], None),
                    move |b, x| vanish_at_zero(b, x, omega),
                )?;
            train_and_report::<T, _>(cli, name, model, &dir, &train, &test, &exact)
        }
        m => {
            let (h, l) = match m {
                ModelName::Pinn16 => (16, 2),
                ModelName::Pinn32 => (32, 3),
                ModelName::Pinn64 => (64, 4),
                _ => (128, 5),
            };
            let net = NetBuilder::new(1)
                .normalize(&[0.0], &[two_pi])
                .mlp(&vec![h; l], Elementary::Tanh)
                .transform(move |b, x, n| {
                    let s = b.linear(n, 1, &[1.0 / omega], None);
                    let v = vanish_at_zero(b, x, omega);
                    b.mul(v, s)
                })
                .build(1)?;
            train_and_report::<T, _>(cli, name, net, &dir, &train, &test, &exact)
        }
    }
}

fn train_and_report<T: Real, M: Model<T> + Clone + 'static>(
    cli: &Cli,
    name: &str,
    model: M,
    dir: &std::path::Path,
    train: &[f64],
    test: &[f64],
    exact: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let omega = cli.omega;
    let theta: Vec<T> = model.init_params(Seed(cli.seed));
    let n_params = theta.len();
    let every = (cli.steps / 50).max(1);
    let mut b = Trainer::<_, T, M>::builder(model, Cos1D { omega })
        .params(theta)
        .pde_points(train.to_vec())
        .phase("adam", cli.steps, Adam::with_lr(1e-3)?)
        .metrics(test.to_vec(), exact.to_vec(), every)
        .observer(support::progress(
            support::Plan::new().adam("adam", cli.steps),
        ));
    if let Some(t) = cli.threads {
        b = b.threads(t);
    }
    let mut trainer = b.build()?;
    let report = trainer.run()?;
    let secs = start.elapsed().as_secs_f64();
    let u = trainer.predict(test)?;
    // The paper's L1 = mean |u − u*|; from the trainer's rMAE: L1 = rMAE · mean |u*|.
    let mean_abs = exact.iter().map(|v| v.abs()).sum::<f64>() / exact.len() as f64;
    let curve: Vec<(f64, f64)> = (report.metrics.iter())
        .map(|(s, m)| ((s + 1) as f64, m.rmae * mean_abs))
        .collect();
    let l1 = u.iter().zip(exact).map(|(a, b)| (a - b).abs()).sum::<f64>() / u.len() as f64;
    let line = format!(
        "{{\"example\":\"fbpinn\",\"problem\":\"cos1d\",\"omega\":{omega},\"model\":\"{name}\",\"dtype\":\"{}\",\"seed\":{},\"params\":{n_params},\"steps\":{},\"l1\":{l1:e},\"seconds\":{secs:.1}}}",
        T::NAME,
        cli.seed,
        report.steps
    );
    println!(
        "cos1d ω = {omega} {name} ({}, seed {}): L1 test error {l1:.3e}, {n_params} parameters, {:.0} s",
        T::NAME,
        cli.seed,
        secs
    );
    if let Some(path) = &cli.record {
        support::append_record(path, std::slice::from_ref(&line));
    }
    let err: Vec<f64> = u
        .iter()
        .zip(exact)
        .map(|(a, b)| (a - b).abs().max(1e-16))
        .collect();
    let png = dir.join(format!(
        "cos1d-w{omega}-{name}-{}-s{}.png",
        T::NAME,
        cli.seed
    ));
    support::save_figure(&png, |path| {
        lines(
            path,
            &format!(
                "Cos1D u′ = cos({omega}x), {name} ({}, seed {}): L1 {l1:.2e}",
                T::NAME,
                cli.seed
            ),
            &[
                LinePanel::new("solution", "x", "u")
                    .legend(SeriesLabelPosition::LowerLeft)
                    .with(Series::line("exact", xy(test, exact)).colour(5).width(4))
                    .with(Series::dashed(name, xy(test, &u)).colour(1)),
                LinePanel::new("pointwise error", "x", "|u − u*|")
                    .log_y()
                    .with(Series::line("", xy(test, &err)).colour(3)),
                LinePanel::new("L1 test error", "step", "mean |u − u*|")
                    .log_y()
                    .with(Series::line(name, curve)),
            ],
            (720, 240),
        )
    })?;
    println!("{line}");
    Ok(())
}
