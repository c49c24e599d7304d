//! Multilevel FBPINNs against one-level FBPINNs and PINNs on the 2-D problems of the
//! multilevel paper (Dolean, Heinlein, Mishra & Moseley, CMAME 2024; `paper_specs.md` §3.3),
//! on `[0, 1]²` with the hard constraint `u = Π_d tanh(x_d/s) tanh((1 − x_d)/s) · N`:
//!
//! - `--problem laplace`: `Δu + f = 0` with `u = (1/n) Σ_ω sin(ωπx) sin(ωπy)` (catalog
//!   `Laplace2DMultiscale`), `s = 1/ω_max`, output scale `(0, 0.75)`; exact reference.
//! - `--problem helmholtz`: `Δu + k²u = f`, `k = 2π/0.2`, a Gaussian source of width 0.05
//!   (catalog `HelmholtzSource2D`), `s = 1/k`, output scale `(0, 0.07)`. Errors are given
//!   against the paper's reference, the 5-point finite-difference solution on the test grid,
//!   and against the exact sine series (the 5-point solution itself is 1.6% off it in
//!   relative ℓ² on the paper's 320² grid).
//!
//! Models (every network from `U(±1/√fan_in)` weights and biases, as the library's `FCN`):
//!
//! - `--model multilevel`: levels `0 … L − 1`, level `i` with `2^i` subdomains per dimension
//!   (centres `linspace(0, 1, 2^i)`, widths `1.9 · spacing`), cosine windows normalised per
//!   level and averaged over the levels; one 2-16-1 tanh network per subdomain.
//! - `--model one-level`: only the finest level, `2^(L−1)` subdomains per dimension.
//! - `--model pinn`: one tanh network of `--depth` hidden layers of `--width` (the paper: 5 of
//!   256) on inputs normalised to `[−1, 1]`.
//!
//! Adam (lr 1e-3) on an equispaced training grid, the paper's test metrics: relative ℓ² and
//! l1n = mean |u − u*| / std(u*).
//!
//! Budgets (`--budget`): `paper` is the paper's configuration (Laplace: ω up to 64, 320²
//! points, 30 000 steps; Helmholtz: 160² points, 150 000 steps), far beyond this machine;
//! `study` (default) is what our reproduction ran (Laplace: ω ∈ {2, 4, 8, 16}, the code's
//! default, on the weak-scaling grid 80², 10 000 steps; Helmholtz: 80² points, 20 000
//! steps); `smoke` checks that everything runs.
//!
//! ```text
//! cargo run --release --example fbpinn_multilevel -- [--problem laplace|helmholtz]
//!     [--model multilevel|one-level|pinn] [--levels L] [--budget paper|study|smoke]
//!     [--steps N] [--seed S] [--dtype f32|f64] [--threads T] [--checkpoint FILE]
//!     [--record FILE]
//! ```

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::{GraphBuilder, NodeId};
use pinn::ad::{Elementary, Real};
use pinn::model::Model;
use pinn::nets::fbpinn::{Decomposition, Fbpinn};
use pinn::nets::{NetBuilder, fan_in_uniform};
use pinn::optim::Adam;
use pinn::pde::problems::{HelmholtzSource2D, Laplace2DMultiscale, Problem};
use pinn::pde::{Pde, hard};
use pinn::rng::Seed;
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{Grid2, compare};

/// The problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProblemName {
    /// Δu + f = 0, u a sum of sin(ωπx) sin(ωπy) (exact).
    Laplace,
    /// Δu + k²u = f, a Gaussian source (5-point reference and exact series).
    Helmholtz,
}

/// The model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ModelName {
    /// All levels 0 … L − 1 (level i: 2^i subdomains per dimension).
    Multilevel,
    /// The finest level only (2^(L−1) subdomains per dimension).
    OneLevel,
    /// One network (--width, --depth).
    Pinn,
}

/// The budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Budget {
    /// The paper's points, frequencies and steps.
    Paper,
    /// Our reproduction's reduced budget (see the top of the file).
    Study,
    /// A few steps on a small grid.
    Smoke,
}

/// Multilevel FBPINN, one-level FBPINN or PINN on the multilevel paper's Laplace (multiscale)
/// or Helmholtz (Gaussian source) problem: relative ℓ² and l1n test errors, one JSON line.
///
/// Writes fbpinn_multilevel/<problem>-<model>-<budget>-<dtype>-s<seed>.png (prediction,
/// reference, error) to target/examples-out (or $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "fbpinn_multilevel",
    verbatim_doc_comment,
    after_help = "Time on a 2-core machine (f32, one thread, measured beside other jobs), Laplace \
                  at --budget study (80² points): about 0.1 s a step for the multilevel FBPINN \
                  with 5 levels (10 000 steps: 15 to 25 min), less for fewer levels and for \
                  one-level, and about 1 s a step for the 5 × 256 PINN (about 3 h). --budget \
                  paper is days; --budget smoke a few seconds."
)]
struct Cli {
    /// The problem.
    #[arg(long, value_enum, default_value_t = ProblemName::Laplace)]
    problem: ProblemName,
    /// The model.
    #[arg(long, value_enum, default_value_t = ModelName::Multilevel)]
    model: ModelName,
    /// Levels L (multilevel: 0 … L − 1; one-level: 2^(L−1) subdomains per dimension)
    /// [default: 5 for Laplace, 4 for Helmholtz].
    #[arg(long, value_name = "L", value_parser = support::cli::at_least(2))]
    levels: Option<usize>,
    /// The budget.
    #[arg(long, value_enum, default_value_t = Budget::Study)]
    budget: Budget,
    /// Adam steps [default: the budget's].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// pinn: hidden width.
    #[arg(long, value_name = "P", default_value_t = 256, value_parser = support::cli::at_least(1))]
    width: usize,
    /// pinn: hidden layers.
    #[arg(long, value_name = "H", default_value_t = 5, value_parser = support::cli::at_least(1))]
    depth: usize,
    /// The seed of the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
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
    if cli.model != ModelName::Pinn && (cli.width != 256 || cli.depth != 5) {
        support::cli::usage_error::<Cli>("--width and --depth apply to --model pinn only");
    }
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}

/// What a run trains on and is measured against.
struct Setup {
    /// Training grid points per side, test grid points per side, Adam steps.
    points: usize,
    test: usize,
    steps: usize,
    /// The hard constraint's `s` and the output scale `(μ, σ)`.
    s: f64,
    unnorm: (f64, f64),
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    // The output folder first: a run never loses its figure to a folder it cannot make.
    support::out_dir(Some("fbpinn_multilevel"))?;
    for (flag, path) in [("--checkpoint", &cli.checkpoint), ("--record", &cli.record)] {
        if let Some(p) = path {
            support::check_writable(flag, p)?;
        }
    }
    match cli.problem {
        ProblemName::Laplace => {
            let omegas: &[f64] = match cli.budget {
                Budget::Paper => &[2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
                Budget::Study => &[2.0, 4.0, 8.0, 16.0],
                Budget::Smoke => &[2.0, 4.0],
            };
            let problem = Laplace2DMultiscale::new(omegas)?;
            let (points, test, steps) = match cli.budget {
                Budget::Paper => (320, 350, 30_000),
                Budget::Study => (80, 350, 10_000),
                Budget::Smoke => (20, 40, 20),
            };
            let w_max = omegas.iter().copied().fold(0.0, f64::max);
            let setup = Setup {
                points,
                test,
                steps,
                s: 1.0 / w_max,
                unnorm: (0.0, 0.75),
            };
            let axis = support::linspace(0.0, 1.0, test);
            let reference = problem.reference_at(&support::grid2(&axis, &axis))?;
            train::<T, _>(cli, "laplace", problem, setup, &[("exact", reference)], 5)
        }
        ProblemName::Helmholtz => {
            let problem = HelmholtzSource2D::default();
            let (points, test, steps) = match cli.budget {
                Budget::Paper => (160, 320, 150_000),
                Budget::Study => (80, 320, 20_000),
                Budget::Smoke => (20, 40, 20),
            };
            let setup = Setup {
                points,
                test,
                steps,
                s: 1.0 / problem.k(),
                unnorm: (0.0, 0.07),
            };
            let axis = support::linspace(0.0, 1.0, test);
            let fd = problem.five_point(test)?;
            let series = problem.reference_at(&support::grid2(&axis, &axis))?;
            let refs = [("fd", fd), ("exact", series)];
            train::<T, _>(cli, "helmholtz", problem, setup, &refs, 4)
        }
    }
}

/// Relative ℓ² and l1n = mean |u − u*| / std(u*).
fn errors(u: &[f64], reference: &[f64]) -> (f64, f64) {
    let n = reference.len() as f64;
    let diff2: f64 = u
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    let ref2: f64 = reference.iter().map(|b| b * b).sum();
    let mean = reference.iter().sum::<f64>() / n;
    let std = (reference
        .iter()
        .map(|b| (b - mean) * (b - mean))
        .sum::<f64>()
        / n)
        .sqrt();
    let l1 = u
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n;
    ((diff2 / ref2).sqrt(), l1 / std)
}

fn train<T: Real, P: Problem + Clone + Send + Sync + 'static>(
    cli: &Cli,
    problem_name: &str,
    problem: P,
    setup: Setup,
    references: &[(&str, Vec<f64>)],
    default_levels: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let levels = cli.levels.unwrap_or(default_levels);
    let s = setup.s;
    let unnorm = setup.unnorm;
    let hard_b = move |b: &mut GraphBuilder, x: NodeId| {
        hard::tanh_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1], s)
    };
    let (model, name) = match cli.model {
        ModelName::Multilevel => {
            let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], levels, 1.9)?;
            (Some(dec), format!("multilevel-L{levels}"))
        }
        ModelName::OneLevel => {
            let n = 1usize << (levels - 1);
            let c = support::linspace(0.0, 1.0, n);
            let w = vec![1.9 / (n - 1) as f64; n];
            let dec = Decomposition::from_centres(
                &[0.0, 0.0],
                &[1.0, 1.0],
                &[c.clone(), c],
                &[w.clone(), w],
            )?;
            (Some(dec), format!("one-level-{n}x{n}"))
        }
        ModelName::Pinn => (None, format!("pinn-{}-{}", cli.width, cli.depth)),
    };
    match model {
        Some(dec) => {
            let n_sub = dec.len();
            let model = Fbpinn::new(dec, &[16], 1, Elementary::Tanh, unnorm)?
                .with_hard_constraint(|b, x| b.linear(x, 1, &[0.0, 0.0], None), hard_b)?;
            let theta: Vec<T> = model.init_params_with(Seed(cli.seed), fan_in_uniform)?;
            println!("{name}: {n_sub} subdomains, {} parameters", theta.len());
            fit(
                cli,
                problem_name,
                &name,
                model,
                theta,
                problem,
                &setup,
                references,
            )
        }
        None => {
            let net = NetBuilder::new(2)
                .normalize(&[0.5, 0.5], &[0.5, 0.5])
                .mlp(&vec![cli.width; cli.depth], Elementary::Tanh)
                .transform(move |b, x, n| {
                    let u = b.scale(n, unnorm.1, unnorm.0);
                    let bx = hard_b(b, x);
                    b.mul(bx, u)
                })
                .build(1)?;
            let theta: Vec<T> = fan_in_uniform(&net, Seed(cli.seed));
            println!("{name}: {} parameters", theta.len());
            fit(
                cli,
                problem_name,
                &name,
                net,
                theta,
                problem,
                &setup,
                references,
            )
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn fit<T: Real, M: Model<T> + Clone + 'static, P: Pde + Clone + Send + Sync + 'static>(
    cli: &Cli,
    problem_name: &str,
    name: &str,
    model: M,
    theta: Vec<T>,
    problem: P,
    setup: &Setup,
    references: &[(&str, Vec<f64>)],
) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let steps = cli.steps.unwrap_or(setup.steps);
    let budget = format!("{:?}", cli.budget).to_lowercase();
    let n_params = theta.len();
    let train_axis = support::linspace(0.0, 1.0, setup.points);
    let test_axis = support::linspace(0.0, 1.0, setup.test);
    let test = support::grid2(&test_axis, &test_axis);
    let (_, first_ref) = &references[0];
    let mut b = Trainer::<_, T, M>::builder(model, problem)
        .params(theta)
        .pde_points(support::grid2(&train_axis, &train_axis))
        .phase("adam", steps, Adam::with_lr(1e-3)?)
        .metrics(test.clone(), first_ref.clone(), (steps / 20).max(1))
        .observer(support::progress(support::Plan::new().adam("adam", steps)));
    if let Some(t) = cli.threads {
        b = b.threads(t);
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
    trainer.run()?;
    let secs = start.elapsed().as_secs_f64();
    let u = trainer.predict(&test)?;
    let mut errs = String::new();
    let mut said = Vec::new();
    for (rname, r) in references {
        let (l2, l1n) = errors(&u, r);
        errs.push_str(&format!(
            ",\"rel_l2_{rname}\":{l2:e},\"l1n_{rname}\":{l1n:e}"
        ));
        said.push(format!("against {rname}: rel-ℓ² {l2:.3e}, l1n {l1n:.3e}"));
    }
    let resumed = if resumed_at > 0 {
        format!(",\"resumed_at\":{resumed_at}")
    } else {
        String::new()
    };
    let line = format!(
        "{{\"example\":\"fbpinn_multilevel\",\"problem\":\"{problem_name}\",\"model\":\"{name}\",\"budget\":\"{budget}\",\"dtype\":\"{}\",\"seed\":{},\"params\":{n_params},\"points\":{},\"steps\":{}{errs},\"seconds\":{secs:.1}{resumed}}}",
        T::NAME,
        cli.seed,
        setup.points,
        trainer.step(),
    );
    println!(
        "{problem_name} {name} ({}, {budget}, seed {}): {}; {} steps, {secs:.0} s",
        T::NAME,
        cli.seed,
        said.join("; "),
        trainer.step()
    );
    println!("{line}");
    if let Some(path) = &cli.record {
        support::append_record(path, std::slice::from_ref(&line));
    }
    let dir = support::out_dir(Some("fbpinn_multilevel"))?;
    let png = dir.join(format!(
        "{problem_name}-{name}-{budget}-{}-s{}.png",
        T::NAME,
        cli.seed
    ));
    let (rname, reference) = &references[references.len() - 1];
    let (l2, _) = errors(&u, reference);
    support::save_figure(&png, |path| {
        compare(
            path,
            &format!(
                "{problem_name}: {name} ({}, {budget}, seed {}), rel-ℓ² {l2:.2e} against {rname}",
                T::NAME,
                cli.seed
            ),
            &Grid2 {
                names: ["x", "y"],
                axes: [&test_axis, &test_axis],
                across: 0,
            },
            "u",
            &u,
            reference,
            (260, 260),
        )
    })?;
    support::remove_finished(&cli.checkpoint);
    Ok(())
}
