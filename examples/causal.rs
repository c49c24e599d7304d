//! Causal training (Wang, Sankaran & Perdikaris, CMAME 2024) against the plain PINN on the
//! periodic Allen–Cahn equation of the paper's notebook (`AllenCahnPeriodic`):
//! `u_t − 10⁻⁴u_xx + 5u³ − 5u = 0`, `x ∈ [−1, 1]` periodic, `t ∈ [0, 1]`, `u(x, 0) = x² cos πx`.
//!
//! The network is the paper's: the embedding `[t, 1, cos kπx, sin kπx]` (`k ≤ 10`, exactly
//! periodic) and 4 hidden layers of 128 (tanh); the residual on a fixed `n_t × n_x` grid
//! (`t = linspace(0, 1, n_t)`, `x = linspace(−1, 1, n_x)`), the initial condition on the
//! same `n_x` values of `x` with weight `λ_ic = 100`; Adam, `lr = 10⁻³·0.9^(n/5000)`. With
//! `--method causal` the residual is weighted per time slice, `w_i = exp(−ε Σ_{k<i} L_k)`
//! (`strategies::Causal`), `ε = 100` as the notebook or the paper's schedule
//! (`--epsilons paper`). The error is measured against our spectral reference on the 512 × 201
//! grid of the papers' `AC.mat`.
//!
//! The causal training algorithm is patented (see `strategies::Causal`): research use only.
//!
//! ```text
//! cargo run --release --example causal -- [--method causal|plain] [--budget paper|study|smoke]
//!     [--steps N] [--seed S] [--dtype f32|f64] [--epsilons notebook|paper] [--threads T]
//!     [--checkpoint FILE] [--record FILE]
//! ```

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Schedule};
use pinn::pde::Condition;
use pinn::pde::problems::{AllenCahnPeriodic, FourierOptions};
use pinn::rng::Seed;
use pinn::strategies::{Causal, CausalConfig};
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{Grid2, compare};

/// With or without the causal weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MethodName {
    /// Causal training (per-time-slice weights).
    Causal,
    /// The plain PINN on the same points.
    Plain,
}

/// The run's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Budget {
    /// The notebook's: a 100 × 256 grid, 300 000 Adam steps (75 to 95 h on 2 cores).
    Paper,
    /// A 50 × 128 grid, 20 000 steps (1.5 to 2 h).
    Study,
    /// A 10 × 32 grid, 200 steps (seconds): a check that everything runs.
    Smoke,
}

/// The ε schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Epsilons {
    /// ε = 100 throughout, as the Allen–Cahn notebook.
    Notebook,
    /// 0.01, 0.1, 1, 10, 100, each until min w > 0.99 (checked every 1000 steps), as the paper.
    Paper,
}

/// Causal training against the plain PINN on periodic Allen–Cahn (the causal-training paper's
/// notebook setting): the L2 relative error against a spectral reference on the 512 × 201
/// grid, a PNG of the prediction, the reference and the error, one JSON line.
///
/// Writes causal/allen-cahn-<method>-<budget>-<dtype>-s<seed>.png to target/examples-out (or
/// $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "causal",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine (f64, measured beside other jobs): a step takes \
                  about 0.9 s (plain) to 1.1 s (causal) on the paper's 100 × 256 grid, so \
                  --budget paper is 75 to 95 h (resume it with --checkpoint); about 0.25 to \
                  0.3 s on the study's 50 × 128 grid, 1.5 to 2 h; --budget smoke under 10 s. \
                  The causal weights cost one pass without gradient per step (measured: 15 to 25% more per step)."
)]
struct Cli {
    /// With or without causal weights.
    #[arg(long, value_enum, default_value_t = MethodName::Causal)]
    method: MethodName,
    /// The grid and the number of steps.
    #[arg(long, value_enum, default_value_t = Budget::Study)]
    budget: Budget,
    /// Adam steps [default: the budget's].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// The seed of the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// causal: the ε schedule [default: notebook].
    #[arg(long, value_enum)]
    epsilons: Option<Epsilons>,
    /// Worker threads (results do not depend on it) [default: all cores].
    #[arg(long, value_name = "T", value_parser = support::cli::at_least(1))]
    threads: Option<usize>,
    /// Save the run's state to FILE every 500 steps and, when FILE exists, resume from it
    /// (same bits as an uninterrupted run); removed when the run has finished [default: none].
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Append the final JSON line to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// Steps between two checkpoints.
const CHECKPOINT_EVERY: usize = 500;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.epsilons.is_some() && cli.method != MethodName::Causal {
        support::cli::usage_error::<Cli>("--epsilons applies to --method causal only");
    }
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let dir = support::out_dir(Some("causal"))?;
    for (flag, path) in [("--checkpoint", &cli.checkpoint), ("--record", &cli.record)] {
        if let Some(p) = path {
            support::check_writable(flag, p)?;
        }
    }
    let (nt, nx, steps_default, budget) = match cli.budget {
        Budget::Paper => (100, 256, 300_000, "paper"),
        Budget::Study => (50, 128, 20_000, "study"),
        Budget::Smoke => (10, 32, 200, "smoke"),
    };
    let steps = cli.steps.unwrap_or(steps_default);
    let method = if cli.method == MethodName::Causal {
        "causal"
    } else {
        "plain"
    };
    let problem = AllenCahnPeriodic::default();
    let net = NetBuilder::new(2)
        .periodic_embedding(0, 2.0, 10)
        .mlp(&[128; 4], Elementary::Tanh)
        .build(1)?;
    let theta: Vec<T> = net.init_params(Seed(cli.seed));
    let xs = support::linspace(-1.0, 1.0, nx);
    let ts = support::linspace(0.0, 1.0, nt);
    let residual = support::grid2(&xs, &ts);
    let initial: Vec<f64> = xs.iter().flat_map(|&x| [x, 0.0]).collect();

    // The reference on the 512 × 201 grid of AC.mat: x_i = −1 + 2i/512, t_j = j/200.
    println!("computing the spectral reference on the 512 × 201 grid…");
    let (rx, rt) = (
        (0..512)
            .map(|i| -1.0 + 2.0 * i as f64 / 512.0)
            .collect::<Vec<_>>(),
        support::linspace(0.0, 1.0, 201),
    );
    let test = support::grid2(&rx, &rt);
    let reference = problem.reference_grid(&rx, &rt, FourierOptions::default())?;

    let adam = Adam::new(AdamConfig {
        lr: 1e-3,
        schedule: Schedule::Exponential {
            gamma: 0.9,
            decay_steps: 5000,
        },
        ..Default::default()
    })?;
    let mut b = Trainer::<_, T>::builder(net, problem)
        .params(theta)
        .seed(Seed(cli.seed).derive(1))
        .metrics(test.clone(), reference.clone(), 1000.max(steps / 20))
        .observer(support::progress(support::Plan::new().adam("adam", steps)));
    if let Some(t) = cli.threads {
        b = b.threads(t);
    }
    let pde = b.add_pde_points(residual);
    let ic = b.add_condition(
        "initial",
        Condition::initial(0, |x| x[0] * x[0] * (core::f64::consts::PI * x[0]).cos()),
        initial,
    );
    b = b.weight(ic, 100.0).phase("adam", steps, adam);
    let mut log = None;
    if cli.method == MethodName::Causal {
        let epsilons = match cli.epsilons.unwrap_or(Epsilons::Notebook) {
            Epsilons::Notebook => vec![100.0],
            Epsilons::Paper => CausalConfig::default().epsilons,
        };
        let causal = Causal::new(
            pde,
            CausalConfig {
                epsilons,
                ..CausalConfig::default()
            },
        )?;
        log = Some(causal.log());
        b = b.strategy(causal);
    }
    if let Some(path) = &cli.checkpoint {
        if path.exists() {
            b = b.resume_from(path);
        }
        b = b.checkpoint_every(CHECKPOINT_EVERY, path);
    }
    let mut trainer = b.build()?;
    let resumed_at = trainer.step();
    if resumed_at > 0 {
        println!("resumed at step {resumed_at} of {steps}");
    }
    let report = trainer.run()?;
    let m = (report.metrics.last())
        .map(|m| m.1.clone())
        .ok_or("no metrics were computed")?;
    let secs = start.elapsed().as_secs_f64();
    let last = log.as_ref().and_then(|l| l.rows().last().cloned());
    let (eps, min_w) = last.map_or((f64::NAN, f64::NAN), |r| (r.1[0], r.1[1]));
    println!(
        "allen-cahn {method} ({}, {budget}, seed {}): rel-L2 {:.3e}, max error {:.3e}{}, {} steps, {:.0} s",
        T::NAME,
        cli.seed,
        m.rel_l2,
        m.max_abs,
        if eps.is_nan() {
            String::new()
        } else {
            format!(", ε {eps}, min w {min_w:.3}")
        },
        trainer.step(),
        secs
    );
    let resumed = if resumed_at > 0 {
        format!(",\"resumed_at\":{resumed_at}")
    } else {
        String::new()
    };
    let causal = if eps.is_nan() {
        String::new()
    } else {
        format!(",\"epsilon\":{eps},\"min_w\":{min_w:e}")
    };
    let line = format!(
        "{{\"example\":\"causal\",\"problem\":\"allen-cahn\",\"method\":\"{method}\",\"budget\":\"{budget}\",\"dtype\":\"{}\",\"seed\":{},\"grid\":[{nt},{nx}],\"steps\":{},\"rel_l2\":{:e},\"max_abs\":{:e}{causal},\"seconds\":{secs:.1}{resumed}}}",
        T::NAME,
        cli.seed,
        trainer.step(),
        m.rel_l2,
        m.max_abs
    );
    println!("{line}");
    if let Some(path) = &cli.record {
        support::append_record(path, std::slice::from_ref(&line));
    }
    let u = trainer.predict(&test)?;
    let png = dir.join(format!(
        "allen-cahn-{method}-{budget}-{}-s{}.png",
        T::NAME,
        cli.seed
    ));
    support::save_figure(&png, |path| {
        compare(
            path,
            &format!(
                "Allen–Cahn u_t = 1e-4 u_xx + 5u − 5u³, periodic: {method} ({}, {budget}, rel-L2 {:.1e})",
                T::NAME,
                m.rel_l2
            ),
            &Grid2 {
                names: ["x", "t"],
                axes: [&rx, &rt],
                across: 1,
            },
            "u",
            &u,
            &reference,
            (300, 220),
        )
    })?;
    support::remove_finished(&cli.checkpoint);
    Ok(())
}
