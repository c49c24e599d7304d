//! Non-adaptive and residual-adaptive sampling (Wu, Zhu, Tan, Kartha & Lu, CMAME 2023): one of
//! the ten methods on one of the study's four forward problems, trained as the study does.
//!
//! The problems carry their conditions in a hard-constraint ansatz, so the only loss is the
//! PDE residual on `N` points. Training is an initial Adam (+ L-BFGS) phase, then rounds of
//! Adam + L-BFGS; an adaptive method changes the points before every round (Random-R every 100
//! steps instead). `--budget paper` is the study's schedule (hours per run on two cores for
//! the three large problems); `--budget study` (the default) keeps its structure with fewer
//! and shorter rounds, the budget of `docs/REPRODUCTION.md`'s table.
//!
//! `cargo run --release --example adaptive -- --problem burgers --method rad` writes
//! `adaptive/<problem>-<method>[-k<k>-c<c>]-<dtype>-s<seed>.png` in the output folder: the
//! residual `|r|` (log colour scale over six decades, shared by the panels; x across, t up) with the training
//! points over it in red, at three rounds for an adaptive method; it prints progress and ends
//! with one JSON line, also appended to the `--record` file when one is given. `-- --help`
//! lists every flag with its default and what a run costs.

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::domain::{Interval, SpaceTime};
use pinn::nets::{NetBuilder, xavier_uniform};
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::hard::HardConstraint;
use pinn::pde::problems::{AllenCahn, Burgers, Diffusion1D, Problem, SpectralOptions, Wave};
use pinn::rng::Seed;
use pinn::sampling::{Grid, Halton, Hammersley, LatinHypercube, Sampler, Sobol, Uniform};
use pinn::strategies::{Adaptive, AdaptiveConfig, Method};
use pinn::train::{TermId, Trainer};
use support::Dtype;
use support::plot::{Grid2, points_over_fields};

/// The study's four problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProblemName {
    /// Diffusion u_t = u_xx − e^(−t)(sin πx − π² sin πx) (f32 by default, as the study).
    Diffusion,
    /// Burgers, ν = 0.01/π.
    Burgers,
    /// Allen–Cahn, D = 0.001, ρ = 5.
    AllenCahn,
    /// The wave equation u_tt = 4·u_xx, u = sin(πx) cos(2πt) + ½ sin(4πx) cos(8πt).
    Wave,
}

/// The ten methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MethodName {
    /// Fixed: a tensor grid.
    Grid,
    /// Fixed: uniform random points.
    Random,
    /// Fixed: Latin hypercube.
    Lhs,
    /// Fixed: Halton.
    Halton,
    /// Fixed: Hammersley.
    Hammersley,
    /// Fixed: Sobol.
    Sobol,
    /// Adaptive: fresh uniform points every 100 steps.
    RandomR,
    /// Adaptive: add the points of largest residual (greedy).
    RarG,
    /// Adaptive: redraw all points from a residual-based density.
    Rad,
    /// Adaptive: add points drawn from a residual-based density.
    RarD,
}

/// How long a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Budget {
    /// The study's schedule structure with fewer and shorter rounds (docs/REPRODUCTION.md).
    Study,
    /// The study's schedule (hours per run for the large problems).
    Paper,
    /// A few hundred steps, to try the command line (seconds).
    Smoke,
}

fn name<V: ValueEnum>(v: V) -> String {
    v.to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_string())
}

/// Non-adaptive and residual-adaptive sampling (Wu, Zhu, Tan, Kartha & Lu, CMAME 2023): one
/// of the ten methods on one of the study's four forward problems, trained as the study does
/// (hard constraints, so the only loss is the PDE residual on N points; an initial Adam
/// (+ L-BFGS) phase, then rounds of Adam + L-BFGS, the points changed before every round).
///
/// Writes adaptive/<problem>-<method>[-k<k>-c<c>]-<dtype>-s<seed>.png (the residual |r| with
/// the points over it) in target/examples-out (or $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "adaptive",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine: --budget study: diffusion about 10 s, burgers and \
                  allen-cahn about 3 min, wave about 13 min; --budget paper: diffusion about \
                  10 s, burgers and allen-cahn about 1.2 h, wave about 5 h; --budget smoke: \
                  seconds."
)]
struct Cli {
    /// The problem.
    #[arg(long, value_enum, default_value_t = ProblemName::Diffusion)]
    problem: ProblemName,
    /// The sampling method.
    #[arg(long, value_enum, default_value_t = MethodName::Rad)]
    method: MethodName,
    /// The schedule. paper: diffusion Adam 10 000, then 40 rounds of 1000 Adam; the others
    /// Adam 15 000 + L-BFGS 1000 iterations, then 100 rounds of 1000 Adam + 1000 L-BFGS
    /// iterations. study: diffusion as paper; the others Adam 3000 + L-BFGS 300 iterations,
    /// then 10 rounds of 300 Adam + 300 L-BFGS iterations.
    #[arg(long, value_enum, default_value_t = Budget::Study)]
    budget: Budget,
    /// The seed of the network, the fixed points and every draw.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in [default: f32 for diffusion, f64 otherwise,
    /// as the study].
    #[arg(long, value_enum)]
    dtype: Option<Dtype>,
    /// rad and rar-d: the exponent k of the density p ∝ εᵏ/mean(εᵏ) + c [default: 1 for rad,
    /// 2 for rar-d].
    #[arg(long, value_name = "K", value_parser = support::cli::number_in(0.0, 100.0))]
    k: Option<f64>,
    /// rad and rar-d: the constant c of the density [default: 1 for rad, 0 for rar-d].
    #[arg(long, value_name = "C", value_parser = support::cli::number_in(0.0, 1e6))]
    c: Option<f64>,
    /// Residual points N [default: 30 for diffusion, 2000 otherwise]; rar-g and rar-d start
    /// from N/2 (10 for diffusion) and end at N (50 for diffusion).
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(2))]
    points: Option<usize>,
    /// Candidate pool per round [default: 10000 for diffusion, 100000 otherwise]; scoring it
    /// costs about 14 evaluations on 2000 points.
    #[arg(long, value_name = "N0", value_parser = support::cli::at_least(1))]
    pool: Option<usize>,
    /// Adaptive rounds [default: the budget's].
    #[arg(long, value_name = "R", value_parser = support::cli::at_least(1))]
    rounds: Option<usize>,
    /// Worker threads (results do not depend on it) [default: all cores].
    #[arg(long, value_name = "T", value_parser = support::cli::at_least(1))]
    threads: Option<usize>,
    /// Append the final JSON line to FILE (checked before training) [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Save the run's state to FILE every 100 steps and, when FILE exists, resume from it: the
    /// result has the same bits as an uninterrupted run (the figure then shows only the rounds
    /// after the resumption). FILE is removed when the run has finished [default: none].
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
}

/// The ten methods.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sampling {
    Fixed(&'static str),
    Adaptive(Method),
}

/// One problem's settings under one budget.
struct Setup {
    name: &'static str,
    hidden: Vec<usize>,
    glorot_uniform: bool,
    f32_default: bool,
    n: usize,
    pool: usize,
    rar_start: usize,
    rar_m: usize,
    initial_adam: usize,
    initial_lbfgs: usize,
    rounds: usize,
    round_adam: usize,
    round_lbfgs: usize,
    /// Test grid: x values, t values.
    xs: Vec<f64>,
    ts: Vec<f64>,
}

/// Steps between two checkpoints (`--checkpoint`).
const CHECKPOINT_EVERY: usize = 100;

/// L-BFGS iterations per trainer step (PyTorch-style inner iterations).
const LBFGS_ITERS_PER_STEP: usize = 20;

fn setup(problem: &str, budget: &str) -> Result<Setup, String> {
    let big = |name, hidden: Vec<usize>, uniform, xs, ts| Setup {
        name,
        hidden,
        glorot_uniform: uniform,
        f32_default: false,
        n: 2000,
        pool: 100_000,
        rar_start: 1000,
        rar_m: 10,
        initial_adam: 15_000,
        initial_lbfgs: 1000,
        rounds: 100,
        round_adam: 1000,
        round_lbfgs: 1000,
        xs,
        ts,
    };
    let mut s = match problem {
        "diffusion" => Setup {
            name: "diffusion",
            hidden: vec![32; 3],
            glorot_uniform: true,
            f32_default: true,
            n: 30,
            pool: 10_000,
            rar_start: 10,
            rar_m: 1,
            initial_adam: 10_000,
            initial_lbfgs: 0,
            rounds: 40,
            round_adam: 1000,
            round_lbfgs: 0,
            xs: support::linspace(-1.0, 1.0, 100),
            ts: support::linspace(0.0, 1.0, 100),
        },
        "burgers" => big(
            "burgers",
            vec![64; 3],
            false,
            support::linspace(-1.0, 1.0, 256),
            support::linspace(0.0, 0.99, 100),
        ),
        "allen-cahn" => big(
            "allen-cahn",
            vec![64; 3],
            false,
            support::linspace(-1.0, 1.0, 201),
            support::linspace(0.0, 1.0, 101),
        ),
        "wave" => big(
            "wave",
            vec![100; 5],
            true,
            support::linspace(0.0, 1.0, 100),
            support::linspace(0.0, 1.0, 100),
        ),
        other => {
            return Err(format!(
                "--problem: unknown `{other}`; one of diffusion, burgers, allen-cahn, wave"
            ));
        }
    };
    match budget {
        "paper" => {}
        "study" if s.name != "diffusion" => {
            (s.initial_adam, s.initial_lbfgs) = (3000, 300);
            (s.rounds, s.round_adam, s.round_lbfgs) = (10, 300, 300);
            s.rar_m = (s.n - s.rar_start) / s.rounds;
        }
        "study" => {}
        "smoke" => {
            (s.initial_adam, s.initial_lbfgs) = (200, s.initial_lbfgs.min(40));
            (s.rounds, s.round_adam, s.round_lbfgs) = (3, 50, s.round_lbfgs.min(40));
            s.rar_m = (s.n - s.rar_start) / s.rounds;
        }
        other => {
            return Err(format!(
                "--budget: unknown `{other}`; one of study, paper, smoke"
            ));
        }
    }
    Ok(s)
}

fn sampling(method: &str, k: Option<f64>, c: Option<f64>) -> Result<Sampling, String> {
    Ok(match method {
        "grid" | "random" | "lhs" | "halton" | "hammersley" | "sobol" => {
            Sampling::Fixed(match method {
                "grid" => "grid",
                "random" => "random",
                "lhs" => "lhs",
                "halton" => "halton",
                "hammersley" => "hammersley",
                _ => "sobol",
            })
        }
        "random-r" => Sampling::Adaptive(Method::RandomR),
        "rar-g" => Sampling::Adaptive(Method::RarG { m: 0 }),
        "rad" => Sampling::Adaptive(Method::Rad {
            k: k.unwrap_or(1.0),
            c: c.unwrap_or(1.0),
        }),
        "rar-d" => Sampling::Adaptive(Method::RarD {
            k: k.unwrap_or(2.0),
            c: c.unwrap_or(0.0),
            m: 0,
        }),
        other => {
            return Err(format!(
                "--method: unknown `{other}`; one of grid, random, lhs, halton, hammersley, \
                 sobol, random-r, rar-g, rad, rar-d"
            ));
        }
    })
}

/// Everything a run needs besides the problem and the precision.
struct Run {
    setup: Setup,
    method_name: String,
    sampling: Sampling,
    seed: u64,
    threads: Option<usize>,
    record: Option<PathBuf>,
    checkpoint: Option<PathBuf>,
    budget: String,
    /// The output folder (checked).
    dir: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let run = configure(&cli).unwrap_or_else(|e| support::cli::usage_error::<Cli>(e));
    support::cli::finish(dispatch(&cli, run))
}

/// The run's settings, or a usage error naming the flag.
fn configure(cli: &Cli) -> Result<Run, String> {
    let problem = name(cli.problem);
    let mut setup = setup(&problem, &name(cli.budget))?;
    let method_name = name(cli.method);
    if !matches!(cli.method, MethodName::Rad | MethodName::RarD) {
        for (flag, given) in [("--k", cli.k.is_some()), ("--c", cli.c.is_some())] {
            if given {
                return Err(format!(
                    "{flag} applies to the methods rad and rar-d only, not {method_name}"
                ));
            }
        }
    }
    let sampling = sampling(&method_name, cli.k, cli.c)?;
    if let Some(n) = cli.points {
        setup.rar_start = if setup.name == "diffusion" {
            setup.rar_start.min(n - 1)
        } else {
            n / 2
        };
        setup.n = n;
    }
    if let Some(p) = cli.pool {
        setup.pool = p;
    }
    if let Some(r) = cli.rounds {
        setup.rounds = r;
    }
    if setup.name != "diffusion" || cli.points.is_some() {
        setup.rar_m = ((setup.n - setup.rar_start) / setup.rounds).max(1);
    }
    Ok(Run {
        setup,
        method_name,
        sampling,
        seed: cli.seed,
        threads: cli.threads,
        record: cli.record.clone(),
        checkpoint: cli.checkpoint.clone(),
        budget: name(cli.budget),
        dir: PathBuf::new(),
    })
}

fn dispatch(cli: &Cli, mut run: Run) -> Result<(), Box<dyn std::error::Error>> {
    // Where the results go, checked before training.
    run.dir = support::out_dir(Some("adaptive"))?;
    if let Some(path) = &run.record {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("cannot append to the --record file {}: {e}", path.display()))?;
    }
    if let Some(path) = &run.checkpoint {
        // The folder must take the checkpoints before a long run relies on them.
        support::check_writable("--checkpoint", path)?;
    }
    let f32 = match cli.dtype {
        Some(d) => d == Dtype::F32,
        None => run.setup.f32_default,
    };
    let run = &run;
    match (cli.problem, f32) {
        (ProblemName::Diffusion, true) => train::<_, f32>(Diffusion1D, run),
        (ProblemName::Diffusion, false) => train::<_, f64>(Diffusion1D, run),
        (ProblemName::Burgers, true) => train::<_, f32>(Burgers::default(), run),
        (ProblemName::Burgers, false) => train::<_, f64>(Burgers::default(), run),
        (ProblemName::AllenCahn, true) => train::<_, f32>(AllenCahn::default(), run),
        (ProblemName::AllenCahn, false) => train::<_, f64>(AllenCahn::default(), run),
        (ProblemName::Wave, true) => train::<_, f32>(Wave::sampling_study(), run),
        (ProblemName::Wave, false) => train::<_, f64>(Wave::sampling_study(), run),
    }
}

/// A problem of the study: its ansatz, and its reference on the test grid (`xs` × `ts`, x
/// slowest, as `support::grid2`; `grid` is that list of points).
trait Study: Problem + HardConstraint + Clone + Send + Sync + 'static {
    fn reference_on(&self, xs: &[f64], ts: &[f64], grid: &[f64]) -> pinn::Result<Vec<f64>> {
        let _ = (xs, ts);
        self.reference_at(grid)
    }
}

impl Study for Diffusion1D {}
impl Study for Burgers {}
impl Study for Wave {}
impl Study for AllenCahn {
    /// The spectral reference ([`AllenCahn::reference_grid`]), computed once per grid.
    fn reference_on(&self, xs: &[f64], ts: &[f64], _grid: &[f64]) -> pinn::Result<Vec<f64>> {
        self.reference_grid(xs, ts, SpectralOptions::default())
    }
}

/// The `N` fixed points of a non-adaptive method on the box.
fn fixed_points(
    kind: &str,
    lo: &[f64],
    hi: &[f64],
    n: usize,
    seed: Seed,
) -> pinn::Result<Vec<f64>> {
    let domain = SpaceTime::new(Interval::new(lo[0], hi[0])?, lo[1], hi[1])?;
    let pts = match kind {
        "grid" => Grid::auto().sample(&domain, n, seed)?,
        "random" => Uniform.sample(&domain, n, seed)?,
        "lhs" => LatinHypercube.sample(&domain, n, seed)?,
        "halton" => Halton::new().sample(&domain, n, seed)?,
        "hammersley" => Hammersley.sample(&domain, n, seed)?,
        // As DeepXDE's `sample(…, "Sobol")`: the first two points of the sequence dropped.
        _ => Sobol::new().skip(2).sample(&domain, n, seed)?,
    };
    Ok(pts.into_vec())
}

fn train<P: Study, T: Real>(problem: P, run: &Run) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let s = &run.setup;
    let seed = Seed(run.seed);
    let (lo, hi) = problem.bounds();
    let q = problem.clone();
    let net: Graph = NetBuilder::new(2)
        .mlp(&s.hidden, Elementary::Tanh)
        .transform(move |b, x, n| q.ansatz(b, x, n))
        .build(1)?;
    let theta: Vec<T> = if s.glorot_uniform {
        xavier_uniform(&net, seed.derive(0), 0.0)?
    } else {
        net.init_params(seed.derive(0))
    };
    let grid = support::grid2(&s.xs, &s.ts);
    println!(
        "{} · {} · {} · seed {} · N = {} · {} rounds · computing the reference…",
        s.name,
        run.method_name,
        T::NAME,
        run.seed,
        s.n,
        s.rounds
    );
    let reference = problem.reference_on(&s.xs, &s.ts, &grid)?;

    // The points: a fixed set, or the adaptive method's start (N/2 for RAR).
    let point_seed = seed.derive(1);
    let (points, method) = match run.sampling {
        Sampling::Fixed(kind) => (fixed_points(kind, &lo, &hi, s.n, point_seed)?, None),
        Sampling::Adaptive(m) => {
            let (n0, m) = match m {
                Method::RarG { .. } => (s.rar_start, Method::RarG { m: s.rar_m }),
                Method::RarD { k, c, .. } => (s.rar_start, Method::RarD { k, c, m: s.rar_m }),
                other => (s.n, other),
            };
            (fixed_points("random", &lo, &hi, n0, point_seed)?, Some(m))
        }
    };
    let lbfgs_steps = |iters: usize| iters.div_ceil(LBFGS_ITERS_PER_STEP);
    let first = s.initial_adam + lbfgs_steps(s.initial_lbfgs);
    let every = s.round_adam + lbfgs_steps(s.round_lbfgs);
    let total = first + s.rounds * every;

    let mut plan = support::Plan::new().adam("adam", s.initial_adam);
    if s.initial_lbfgs > 0 {
        plan = plan.lbfgs(
            "lbfgs",
            lbfgs_steps(s.initial_lbfgs),
            LBFGS_ITERS_PER_STEP,
            false,
        );
    }
    for r in 1..=s.rounds {
        plan = plan.adam(&format!("round {r} adam"), s.round_adam);
        if s.round_lbfgs > 0 {
            plan = plan.lbfgs(
                &format!("round {r} lbfgs"),
                lbfgs_steps(s.round_lbfgs),
                LBFGS_ITERS_PER_STEP,
                false,
            );
        }
    }
    let mut b = Trainer::<P, T>::builder(net, problem.clone())
        .params(theta)
        .seed(seed.derive(2))
        .metrics(grid.clone(), reference.clone(), every.max(500))
        .observer(support::progress(plan));
    if let Some(t) = run.threads {
        b = b.threads(t);
    }
    let pde: TermId = b.add_pde_points(points);
    let adam = || {
        Adam::new(AdamConfig {
            lr: 1e-3,
            ..Default::default()
        })
    };
    let lbfgs = || {
        Lbfgs::new(LbfgsConfig {
            max_iter: LBFGS_ITERS_PER_STEP,
            ..Default::default()
        })
    };
    b = b.phase("adam", s.initial_adam, adam()?);
    if s.initial_lbfgs > 0 {
        b = b.phase("lbfgs", lbfgs_steps(s.initial_lbfgs), lbfgs()?);
    }
    for r in 1..=s.rounds {
        b = b.phase(&format!("round {r} adam"), s.round_adam, adam()?);
        if s.round_lbfgs > 0 {
            b = b.phase(
                &format!("round {r} lbfgs"),
                lbfgs_steps(s.round_lbfgs),
                lbfgs()?,
            );
        }
    }
    if let Some(m) = method {
        let (first, every, rounds) = if m == Method::RandomR {
            (100, 100, None) // DeepXDE's PDEResidualResampler(period=100)
        } else {
            (first, every, Some(s.rounds))
        };
        b = b.strategy(Adaptive::new(AdaptiveConfig {
            method: m,
            term: pde,
            first,
            every,
            rounds,
            pool: s.pool,
            lo: lo.clone(),
            hi: hi.clone(),
            seed: seed.derive(3),
        })?);
    }
    if let Some(path) = &run.checkpoint {
        if path.exists() {
            b = b.resume_from(path);
        }
        b = b.checkpoint_every(CHECKPOINT_EVERY, path);
    }
    let mut trainer = b.build()?;
    let resumed_at = trainer.step();
    if resumed_at > 0 {
        println!(
            "resumed at step {resumed_at} of {total} from {} (rounds before it are not drawn)",
            run.checkpoint
                .as_deref()
                .unwrap_or(Path::new("?"))
                .display()
        );
    }

    // Snapshots of the points and the residual field: after the first, middle and last round
    // for an adaptive method (Random-R: after the same steps), at the end otherwise.
    let snap_rounds: Vec<usize> = if method.is_some() {
        let mut r = vec![1, s.rounds.div_ceil(2), s.rounds];
        r.dedup();
        r
    } else {
        vec![s.rounds]
    };
    let (fx, ft) = (
        support::linspace(lo[0], hi[0], 160),
        support::linspace(lo[1], hi[1], 100),
    );
    let field_grid = support::grid2(&fx, &ft);
    let mut snaps: Vec<(usize, Vec<f64>, Vec<f64>)> = Vec::new();
    let mut evaluations = 0;
    let mut last_metric = None;
    for &r in &snap_rounds {
        // The points used in round r are installed after step first + (r − 1)·every − 1.
        let until = if method.is_some() {
            first + (r - 1) * every
        } else {
            total
        };
        if trainer.step() > until {
            continue; // before the resumption
        }
        let report = trainer.run_steps(until.saturating_sub(trainer.step()))?;
        evaluations += report.evaluations;
        last_metric = report.metrics.last().map(|m| m.1.clone()).or(last_metric);
        let eps: Vec<f64> = trainer
            .residuals_at(pde, &field_grid)?
            .iter()
            .map(|v| v.to_f64().sqrt())
            .collect();
        snaps.push((r, trainer.points(pde)?.to_vec(), eps));
    }
    let report = trainer.run()?;
    evaluations += report.evaluations;
    let m = report
        .metrics
        .last()
        .map(|m| m.1.clone())
        .or(last_metric)
        .ok_or("no metrics were computed")?;
    let secs = start.elapsed().as_secs_f64();

    let n_final = trainer.points(pde)?.len() / 2;
    let (k, c) = match method {
        Some(Method::Rad { k, c }) | Some(Method::RarD { k, c, .. }) => (k, c),
        _ => (f64::NAN, f64::NAN),
    };
    let kc = if k.is_nan() {
        String::new()
    } else {
        format!(",\"k\":{k},\"c\":{c}")
    };
    // A resumed run's evaluations and seconds count from the resumption only.
    let resumed = if resumed_at > 0 {
        format!(",\"resumed_at\":{resumed_at}")
    } else {
        String::new()
    };
    let line = format!(
        "{{\"example\":\"adaptive\",\"problem\":\"{}\",\"method\":\"{}\"{kc},\"dtype\":\"{}\",\"seed\":{},\"budget\":\"{}\",\"points\":{},\"final_points\":{},\"pool\":{},\"rounds\":{},\"steps\":{},\"evaluations\":{},\"rel_l2\":{:e},\"max_abs\":{:e},\"seconds\":{:.1}{resumed}}}",
        s.name,
        run.method_name,
        T::NAME,
        run.seed,
        run.budget,
        s.n,
        n_final,
        s.pool,
        s.rounds,
        trainer.step(),
        evaluations,
        m.rel_l2,
        m.max_abs,
        secs
    );
    println!(
        "{} {} ({}): rel-L2 {:.3e}, max error {:.3e}, {} points at the end, {:.0} s",
        s.name,
        run.method_name,
        T::NAME,
        m.rel_l2,
        m.max_abs,
        n_final,
        secs
    );
    // The record first: a study's runs are collected from it.
    if let Some(path) = &run.record {
        record(path, &line)?;
        println!("appended the result to {}", path.display());
    }
    // rad and rar-d carry their (k, c), so that a sweep's runs do not overwrite each other.
    let kc_name = if k.is_nan() {
        String::new()
    } else {
        format!("-k{k}-c{c}")
    };
    let png = run.dir.join(format!(
        "{}-{}{kc_name}-{}-s{}.png",
        s.name,
        run.method_name,
        T::NAME,
        run.seed
    ));
    let panels: Vec<(String, &[f64], &[f64])> = snaps
        .iter()
        .map(|(r, points, eps)| {
            let title = if method.is_some() {
                format!("round {r} ({} points)", points.len() / 2)
            } else {
                format!("end of training ({} points)", points.len() / 2)
            };
            (title, eps.as_slice(), points.as_slice())
        })
        .collect();
    support::save_figure(&png, |path| {
        points_over_fields(
            path,
            &format!(
                "{} · {} · {} · seed {}: the PDE residual and the training points (rel-L2 {:.1e})",
                s.name,
                run.method_name,
                T::NAME,
                run.seed,
                m.rel_l2
            ),
            &Grid2 {
                names: ["x", "t"],
                axes: [&fx, &ft],
                across: 0,
            },
            &panels,
            "|r|",
            6,
            (300, 200),
        )
    })?;
    println!("{line}");
    support::remove_finished(&run.checkpoint);
    Ok(())
}

/// Appends `line` to the record file.
fn record(path: &Path, line: &str) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{line}"))
        .map_err(|e| format!("cannot append to {}: {e}", path.display()))
}
