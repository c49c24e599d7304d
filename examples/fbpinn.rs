//! FBPINN against PINNs on two problems of the FBPINN codes (`paper_specs.md` §3):
//!
//! **Cos1D** (`--problem cos1d`, the original paper: Moseley, Markham & Nissen-Meyer 2023,
//! §3.2): `u′ = cos(ωx)` on `[−2π, 2π]`, `u(0) = 0`, exact `u = sin(ωx)/ω`, with the paper's
//! hard constraint `u = tanh(ωx)·N` and output scale `1/ω`.
//!
//! - `--model fbpinn`: 30 equal cells, overlap width 0.7 (`0.7·min cell`), sigmoid windows,
//!   one 1-16-16-1 tanh network per subdomain on inputs normalised by its cell
//!   (`nets::fbpinn::Fbpinn`), all subdomains active, or (`--schedule point`) the paper's
//!   point scheduler growing from `x = 0` over the run (`strategies::SubdomainSchedule`).
//! - `--model pinn-16-2 | pinn-32-3 | pinn-64-4 | pinn-128-5`: one tanh network of that many
//!   hidden units and layers on inputs normalised by the domain's centre and half-width.
//!
//! 3000 equispaced training points (`--omega 1`: 200), Adam (lr 1e-3), 50 000 steps; the test
//! error is the paper's L1 = mean |u − u*| on 5000 equispaced points (`--omega 1`: 1000).
//!
//! **Damped oscillator** (`--problem oscillator`, the FBPINNs library's hard-constraint
//! notebook, §3.4): `u″ + 2d u′ + ω₀² u = 0` on `[0, 1]`, `d = 2`, `ω₀ = 80` (`--omega`),
//! `u(0) = 1`, `u′(0) = 0` through `u = 1 + tanh²(t/0.1)·N` (catalog `DampedOscillator`).
//! The FBPINN: 15 subdomains centred on `linspace(0, 1, 15)`, width 0.15, cosine windows
//! normalised to a partition of unity, one 1-32-1 tanh network each; the PINNs as above on
//! inputs normalised to `[−1, 1]`. 200 equispaced training points, 500 test points, Adam (lr
//! 1e-3), 20 000 steps.
//! Every network starts from PyTorch's default initialisation, `U(±1/√fan_in)` weights and
//! biases (`nets::fan_in_uniform`), as in the paper's code. The cost axis counts FLOPs as the
//! paper's code does (`models.py`, `main.py`): each step, each network's forward pass on the
//! points it is evaluated on, `2·d·h + 6h + (l − 1)(2h² + 6h) + 2h + 1` per point for `l`
//! hidden layers of `h` (a tanh counted as 5); derivatives and the backward pass are not
//! counted, as there.
//!
//! `--compare FILE` trains nothing: it draws the L1 curves of every run recorded in FILE for
//! the given ω, dtype and seed in one figure, against the step and against the cost.
//!
//! ```text
//! cargo run --release --example fbpinn -- [--problem cos1d|oscillator]
//!     [--model fbpinn|pinn-16-2|…] [--schedule all|point] [--omega W] [--steps N] [--seed S]
//!     [--dtype f32|f64] [--threads T] [--checkpoint FILE] [--record FILE]
//! cargo run --release --example fbpinn -- --compare docs/data/fbpinn.jsonl
//! ```

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use plotters::prelude::SeriesLabelPosition;

use pinn::ad::jet::{GraphBuilder, NodeId};
use pinn::ad::{Elementary, Real};
use pinn::model::Model;
use pinn::nets::fbpinn::{
    Decomposition, Fbpinn, RadialScheduler, SubdomainState, Window, multilevel_average,
    overlap_from_width, uniform_edges,
};
use pinn::nets::{NetBuilder, fan_in_uniform};
use pinn::optim::Adam;
use pinn::pde::Pde;
use pinn::pde::problems::{DampedOscillator, Problem, SineOde};
use pinn::rng::Seed;
use pinn::strategies::SubdomainSchedule;
use pinn::train::{TermId, Trainer};
use support::Dtype;
use support::plot::{LinePanel, Series, lines, log_error, xy};

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

/// The problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProblemName {
    /// u′ = cos(ωx) on [−2π, 2π] (the original paper).
    Cos1d,
    /// The damped oscillator u″ + 4u′ + ω₀²u = 0 on [0, 1] (the library's notebook).
    Oscillator,
}

/// Which subdomains train when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Schedule {
    /// Every subdomain trains at every step.
    All,
    /// The paper's point scheduler: grows from x = 0 over the run; fixed subdomains freeze.
    Point,
}

/// FBPINN against PINNs on Cos1D, u′ = cos(ωx) on [−2π, 2π], u(0) = 0, or the damped
/// oscillator u″ + 4u′ + ω₀²u = 0 on [0, 1]: the paper's L1 test error (mean |u − u*|)
/// against the step and the cost, one JSON line.
///
/// Writes fbpinn/<problem>-w<ω>-<model>-<dtype>-s<seed>.png (solution, error, L1 against
/// the step and the cost, the FBPINN's windows) to target/examples-out (or
/// $CARGO_TARGET_DIR/examples-out); with --compare, <problem>-w<ω>-compare-<dtype>-s<seed>.png.
#[derive(Parser, Debug)]
#[command(
    name = "fbpinn",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine (f32, one thread, measured beside other jobs): the \
                  default 50 000 steps took 4 min for the FBPINN, 1.7 min for pinn-16-2, 3.7 min \
                  for pinn-32-3 and 19 min for pinn-64-4; pinn-128-5 is slower still. The point \
                  schedule trains fewer points per step than all-active."
)]
struct Cli {
    /// The problem.
    #[arg(long, value_enum, default_value_t = ProblemName::Cos1d)]
    problem: ProblemName,
    /// The model.
    #[arg(long, value_enum, default_value_t = ModelName::Fbpinn)]
    model: ModelName,
    /// The FBPINN's subdomain schedule (fbpinn only).
    #[arg(long, value_enum, default_value_t = Schedule::All)]
    schedule: Schedule,
    /// The frequency: ω of Cos1D [default: 15], ω₀ of the oscillator [default: 80; above 2].
    #[arg(long, value_name = "W", value_parser = support::cli::number_in(0.01, 1000.0))]
    omega: Option<f64>,
    /// Adam steps [default: 50 000 for Cos1D, 20 000 for the oscillator].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// The seed of the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// Worker threads (results do not depend on it) [default: all cores].
    #[arg(long, value_name = "T", value_parser = support::cli::at_least(1))]
    threads: Option<usize>,
    /// Save the run's state to FILE every 1000 steps (the L1 curve so far to FILE.curve) and,
    /// when FILE exists, resume from it (same bits as an uninterrupted run); both removed
    /// when the run has finished [default: none].
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Append the final JSON line (with the L1 curve) to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Train nothing; draw the curves of the runs recorded in FILE (same problem, ω, dtype,
    /// seed).
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
}

/// `tanh(kx)ᵖ`, the codes' hard-constraint factor for `u(0) = 0` (`p = 1`, `k = 1/sd = ω`)
/// and for `u(0) = u′(0) = 0` (`p = 2`).
fn vanish_at_zero(b: &mut GraphBuilder, x: NodeId, k: f64, p: u32) -> NodeId {
    let s = b.linear(x, 1, &[k], None);
    let t = b.unary(s, Elementary::Tanh);
    if p == 2 { b.mul(t, t) } else { t }
}

/// The command line with the problem's defaults filled in.
struct Args {
    cli: Cli,
    omega: f64,
    steps: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.schedule == Schedule::Point && cli.model != ModelName::Fbpinn {
        support::cli::usage_error::<Cli>("--schedule point needs --model fbpinn");
    }
    let (omega, steps) = match cli.problem {
        ProblemName::Cos1d => (cli.omega.unwrap_or(15.0), cli.steps.unwrap_or(50_000)),
        ProblemName::Oscillator => (cli.omega.unwrap_or(80.0), cli.steps.unwrap_or(20_000)),
    };
    if cli.problem == ProblemName::Oscillator && omega <= 2.0 {
        support::cli::usage_error::<Cli>(format!(
            "--omega {omega}: the oscillator's ω₀ must exceed its decay rate d = 2"
        ));
    }
    let args = Args { cli, omega, steps };
    if let Some(file) = &args.cli.compare {
        return support::cli::finish(compare(&args, file));
    }
    support::cli::finish(match args.cli.dtype {
        Dtype::F32 => run::<f32>(&args),
        Dtype::F64 => run::<f64>(&args),
    })
}

/// The paper's FLOPs of one forward pass of a `1 → h (×l) → 1` tanh network at one point
/// (`models.py`: `_single_flop`, a tanh counted as 5).
fn flops_per_point(h: usize, l: usize) -> f64 {
    let (d1, d2) = (1, 1);
    (2 * d1 * h + h + 5 * h + (l - 1) * (2 * h * h + h + 5 * h) + 2 * h * d2 + d2) as f64
}

/// The operations of each step of an FBPINN: every training point inside an active
/// subdomain (all points without a schedule) visits each subdomain that covers it.
struct FbpinnCost {
    n_subdomains: usize,
    scheduler: Option<RadialScheduler>,
    /// Per training point, the subdomains that cover it (found once).
    covering: Vec<Vec<usize>>,
    per_point: f64,
    last: Option<(Vec<SubdomainState>, f64)>,
}

impl FbpinnCost {
    fn new(
        dec: &Decomposition,
        scheduler: Option<RadialScheduler>,
        train: &[f64],
        per_point: f64,
    ) -> pinn::Result<Self> {
        let covering = (train.iter())
            .map(|x| Ok(dec.covering(std::slice::from_ref(x))?.collect()))
            .collect::<pinn::Result<_>>()?;
        Ok(FbpinnCost {
            n_subdomains: dec.len(),
            scheduler,
            covering,
            per_point,
            last: None,
        })
    }

    fn at(&mut self, step: usize) -> f64 {
        let states = match &self.scheduler {
            Some(s) => s.states(step),
            None => vec![SubdomainState::Active; self.n_subdomains],
        };
        if let Some((last, f)) = &self.last
            && *last == states
        {
            return *f;
        }
        let visits: usize = (self.covering.iter())
            .filter(|c| c.iter().any(|&j| states[j] == SubdomainState::Active))
            .map(Vec::len)
            .sum();
        let f = visits as f64 * self.per_point;
        self.last = Some((states, f));
        f
    }
}

fn run<T: Real>(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let cli = &args.cli;
    let dir = support::out_dir(Some("fbpinn"))?;
    let omega = args.omega;
    match cli.problem {
        ProblemName::Cos1d => {
            let two_pi = 2.0 * core::f64::consts::PI;
            let (n_train, n_test) = if omega > 1.0 {
                (3000, 5000)
            } else {
                (200, 1000)
            };
            let train = support::linspace(-two_pi, two_pi, n_train);
            let test = support::linspace(-two_pi, two_pi, n_test);
            let exact: Vec<f64> = test.iter().map(|x| (omega * x).sin() / omega).collect();
            let data = Data {
                problem: "cos1d",
                var: "x",
                title: format!("Cos1D u′ = cos({omega}x)"),
                dir: &dir,
                train: &train,
                test: &test,
                exact: &exact,
            };
            let edges = uniform_edges(-two_pi, two_pi, 30)?;
            let overlaps = overlap_from_width(&edges, 0.7)?;
            let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
            let scale = (0.0, 1.0 / omega);
            // u = tanh(ωx)·N: A = 0, B = tanh(ωx).
            let a = |b: &mut GraphBuilder, x: NodeId| b.linear(x, 1, &[0.0], None);
            let bf = move |b: &mut GraphBuilder, x: NodeId| vanish_at_zero(b, x, omega, 1);
            let pde = SineOde::new(omega)?;
            let setup = Setup {
                dec,
                hidden: vec![16, 16],
                scale,
                centre: 0.0,
                half: two_pi,
                data,
            };
            run_model::<T, _>(args, setup, pde, a, bf)
        }
        ProblemName::Oscillator => {
            let (d, sd) = (2.0, 0.1);
            let pde = DampedOscillator::new(1.0, 2.0 * d, omega * omega)?;
            let train = support::linspace(0.0, 1.0, 200);
            let test = support::linspace(0.0, 1.0, 500);
            let exact: Vec<f64> = (test.iter())
                .map(|&t| pde.solution(&[t]).map_or(f64::NAN, |u| u[0]))
                .collect();
            let data = Data {
                problem: "oscillator",
                var: "t",
                title: format!("oscillator u″ + {}u′ + {}u = 0", 2.0 * d, omega * omega),
                dir: &dir,
                train: &train,
                test: &test,
                exact: &exact,
            };
            let centres = support::linspace(0.0, 1.0, 15);
            let dec = Decomposition::from_centres(&[0.0], &[1.0], &[centres], &[vec![0.15; 15]])?;
            // u = 1 + tanh²(t/0.1)·N.
            let a = |b: &mut GraphBuilder, x: NodeId| b.linear(x, 1, &[0.0], Some(&[1.0]));
            let bf = move |b: &mut GraphBuilder, x: NodeId| vanish_at_zero(b, x, 1.0 / sd, 2);
            let setup = Setup {
                dec,
                hidden: vec![32],
                scale: (0.0, 1.0),
                centre: 0.5,
                half: 0.5,
                data,
            };
            run_model::<T, _>(args, setup, pde, a, bf)
        }
    }
}

/// What a problem gives the models: the FBPINN's decomposition, subdomain widths and output
/// scale `(μ, σ)`, the PINNs' input normalisation `(x − centre)/half`, and the data.
struct Setup<'a> {
    dec: Decomposition,
    hidden: Vec<usize>,
    scale: (f64, f64),
    centre: f64,
    half: f64,
    data: Data<'a>,
}

/// Builds the model `--model` names with the hard constraint `u = A(x) + B(x)·N(x)` and
/// trains it.
fn run_model<T: Real, P: Pde + Clone + Send + Sync + 'static>(
    args: &Args,
    setup: Setup<'_>,
    pde: P,
    a: impl Fn(&mut GraphBuilder, NodeId) -> NodeId + Copy + Send + Sync + 'static,
    bf: impl Fn(&mut GraphBuilder, NodeId) -> NodeId + Copy + Send + Sync + 'static,
) -> Result<(), Box<dyn std::error::Error>> {
    let cli = &args.cli;
    let Setup {
        dec,
        hidden,
        scale,
        centre,
        half,
        data,
    } = setup;
    match cli.model {
        ModelName::Fbpinn => {
            let model = Fbpinn::new(dec.clone(), &hidden, 1, Elementary::Tanh, scale)?
                .with_hard_constraint(a, bf)?;
            let scheduler = match cli.schedule {
                Schedule::All => None,
                Schedule::Point => Some(RadialScheduler::point(&dec, &[0.0], args.steps)?),
            };
            let per_point = flops_per_point(hidden[0], hidden.len());
            let mut cost = FbpinnCost::new(&dec, scheduler.clone(), data.train, per_point)?;
            let name = match cli.schedule {
                Schedule::All => "fbpinn",
                Schedule::Point => "fbpinn-point",
            };
            let run = Run {
                name,
                windows: windows(&model, data.test)?,
                cost: &mut |s| cost.at(s),
            };
            let theta = model.init_params_with(Seed(cli.seed), fan_in_uniform)?;
            let strategy: Option<MakeSchedule> = match scheduler {
                None => None,
                Some(s) => {
                    let m = model.clone();
                    Some(Box::new(move |term| SubdomainSchedule::new(&m, s, &[term])))
                }
            };
            train_and_report::<T, _, _>(args, run, model, pde, theta, strategy, &data)
        }
        m => {
            let (h, l, name) = match m {
                ModelName::Pinn16 => (16, 2, "pinn-16-2"),
                ModelName::Pinn32 => (32, 3, "pinn-32-3"),
                ModelName::Pinn64 => (64, 4, "pinn-64-4"),
                _ => (128, 5, "pinn-128-5"),
            };
            let net = NetBuilder::new(1)
                .normalize(&[centre], &[half])
                .mlp(&vec![h; l], Elementary::Tanh)
                .transform(move |b, x, n| {
                    let s = b.scale(n, scale.1, scale.0);
                    let bn = bf(b, x);
                    let p = b.mul(bn, s);
                    let an = a(b, x);
                    b.add(an, p)
                })
                .build(1)?;
            let theta = fan_in_uniform(&net, Seed(cli.seed));
            let per_step = flops_per_point(h, l) * data.train.len() as f64;
            let run = Run {
                name,
                windows: Vec::new(),
                cost: &mut |_| per_step,
            };
            train_and_report::<T, _, _>(args, run, net, pde, theta, None, &data)
        }
    }
}

/// Each subdomain's window as the model applies it (sigmoid: raw; cosine: normalised over
/// the subdomains covering the point) on the test points inside its support (`NaN`
/// outside).
fn windows(model: &Fbpinn, test: &[f64]) -> pinn::Result<Vec<Vec<f64>>> {
    let dec = model.decomposition();
    let subs = dec.subdomains();
    let mut out = vec![vec![f64::NAN; test.len()]; subs.len()];
    for (p, &x) in test.iter().enumerate() {
        let covering: Vec<usize> = dec.covering(&[x])?.collect();
        let raw: Vec<f64> = (covering.iter())
            .map(|&j| subs[j].window().eval(&[x]))
            .collect::<pinn::Result<_>>()?;
        let levels: Vec<usize> = covering.iter().map(|&j| subs[j].level()).collect();
        let w = match subs[covering[0]].window() {
            Window::Cosine(_) => multilevel_average(&raw, &levels, dec.n_levels())?,
            _ => raw,
        };
        for (&j, v) in covering.iter().zip(w) {
            out[j][p] = v;
        }
    }
    Ok(out)
}

/// Steps between two checkpoints.
const CHECKPOINT_EVERY: usize = 1000;

/// Makes the subdomain schedule of the residual term.
type MakeSchedule = Box<dyn FnOnce(TermId) -> pinn::Result<SubdomainSchedule>>;

/// The problem's name and title, the training and test points, the exact solution, and
/// where figures go.
struct Data<'a> {
    problem: &'static str,
    /// The coordinate's name on the plots.
    var: &'static str,
    title: String,
    dir: &'a std::path::Path,
    train: &'a [f64],
    test: &'a [f64],
    exact: &'a [f64],
}

/// One model's run: its name, its windows to draw (FBPINN), and the operations of each step.
struct Run<'a> {
    name: &'a str,
    windows: Vec<Vec<f64>>,
    cost: &'a mut dyn FnMut(usize) -> f64,
}

fn train_and_report<
    T: Real,
    M: Model<T> + Clone + 'static,
    P: Pde + Clone + Send + Sync + 'static,
>(
    args: &Args,
    run: Run<'_>,
    model: M,
    pde: P,
    theta: Vec<T>,
    strategy: Option<MakeSchedule>,
    data: &Data<'_>,
) -> Result<(), Box<dyn std::error::Error>> {
    let Run {
        name,
        windows,
        cost,
    } = run;
    let (train, test, exact) = (data.train, data.test, data.exact);
    let (cli, omega, steps) = (&args.cli, args.omega, args.steps);
    let (problem, title) = (data.problem, &data.title);
    let start = Instant::now();
    let n_params = theta.len();
    let every = (steps / 50).max(1);
    for (flag, path) in [("--checkpoint", &cli.checkpoint), ("--record", &cli.record)] {
        if let Some(p) = path {
            support::check_writable(flag, p)?;
        }
    }
    // The paper's L1 = mean |u − u*|; from the trainer's rMAE: L1 = rMAE · mean |u*|.
    let mean_abs = exact.iter().map(|v| v.abs()).sum::<f64>() / exact.len() as f64;
    // The L1 curve, kept beside the checkpoint so that a resumed run has all of it.
    let sidecar = cli.checkpoint.as_ref().map(|c| {
        let mut s = c.clone().into_os_string();
        s.push(".curve");
        PathBuf::from(s)
    });
    let resuming = cli.checkpoint.as_ref().is_some_and(|c| c.exists());
    let mut points: Vec<(usize, f64)> = Vec::new();
    if let Some(path) = &sidecar {
        if resuming {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            for l in text.lines() {
                let mut it = l.split_whitespace();
                if let (Some(Ok(st)), Some(Ok(v))) = (
                    it.next().map(str::parse::<usize>),
                    it.next().map(str::parse::<f64>),
                ) {
                    points.push((st, v));
                }
            }
        } else {
            std::fs::write(path, "")
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    let collected = std::sync::Arc::new(std::sync::Mutex::new(points));
    let sink = collected.clone();
    let side = sidecar.clone();
    let mut b = Trainer::<_, T, M>::builder(model, pde);
    let pde = b.add_pde_points(train.to_vec());
    let mut progress = support::progress(support::Plan::new().adam("adam", steps));
    let mut b = b
        .params(theta)
        .phase("adam", steps, Adam::with_lr(1e-3)?)
        .metrics(test.to_vec(), exact.to_vec(), every)
        .observer(move |e| {
            if let Some(m) = &e.metrics {
                let v = m.rmae * mean_abs;
                if let Ok(mut c) = sink.lock() {
                    c.push((e.step, v));
                }
                if let Some(path) = &side {
                    use std::io::Write;
                    let ok = std::fs::OpenOptions::new()
                        .append(true)
                        .open(path)
                        .and_then(|mut f| writeln!(f, "{} {v:e}", e.step));
                    if let Err(err) = ok {
                        eprintln!("could not append to {}: {err}", path.display());
                    }
                }
            }
            progress(e)
        });
    if let Some(make) = strategy {
        b = b.strategy(make(pde)?);
    }
    if let Some(t) = cli.threads {
        b = b.threads(t);
    }
    if let Some(path) = &cli.checkpoint {
        if resuming {
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
    let total_steps = trainer.step();
    let secs = start.elapsed().as_secs_f64();
    let u = trainer.predict(test)?;
    // The cumulative cost after each step, in GFLOP.
    let mut gflop = Vec::with_capacity(total_steps);
    let mut total = 0.0;
    for s in 0..total_steps {
        total += cost(s) * 1e-9;
        gflop.push(total);
    }
    // Metric steps recorded before an interruption may repeat after the resume (the steps
    // between the last checkpoint and the stop are run again, with the same bits).
    let mut points = collected.lock().map(|c| c.clone()).unwrap_or_default();
    points.sort_by_key(|p| p.0);
    points.dedup_by_key(|p| p.0);
    let curve: Vec<(f64, f64, f64)> = (points.iter())
        .filter(|(s, _)| *s < total_steps)
        .map(|&(s, l)| ((s + 1) as f64, gflop[s], l))
        .collect();
    let l1 = u.iter().zip(exact).map(|(a, b)| (a - b).abs()).sum::<f64>() / u.len() as f64;
    let resumed = if resumed_at > 0 {
        format!(",\"resumed_at\":{resumed_at}")
    } else {
        String::new()
    };
    let curve_json: Vec<String> = (curve.iter())
        .map(|(s, g, l)| format!("[{s},{g:.6e},{l:.6e}]"))
        .collect();
    let line = format!(
        "{{\"example\":\"fbpinn\",\"problem\":\"{problem}\",\"omega\":{omega},\"model\":\"{name}\",\"dtype\":\"{}\",\"seed\":{},\"params\":{n_params},\"steps\":{},\"l1\":{l1:e},\"gflop\":{total:.4e},\"seconds\":{secs:.1}{resumed},\"curve\":[{}]}}",
        T::NAME,
        cli.seed,
        total_steps,
        curve_json.join(",")
    );
    println!(
        "{problem} ω = {omega} {name} ({}, seed {}): L1 test error {l1:.3e}, {n_params} parameters, \
         {total:.1} GFLOP, {secs:.0} s",
        T::NAME,
        cli.seed,
    );
    println!("{line}");
    if let Some(path) = &cli.record {
        support::append_record(path, std::slice::from_ref(&line));
    }
    let err = log_error(&u, exact);
    let png = data.dir.join(format!(
        "{problem}-w{omega}-{name}-{}-s{}.png",
        T::NAME,
        cli.seed
    ));
    let mut panels = vec![
        LinePanel::new("solution", data.var, "u")
            .legend(SeriesLabelPosition::LowerLeft)
            .with(Series::line("exact", xy(test, exact)).colour(5).width(4))
            .with(Series::dashed(name, xy(test, &u)).colour(1)),
        LinePanel::new("pointwise error", data.var, "|u − u*|")
            .log_y()
            .with(Series::line("", xy(test, &err)).colour(3)),
        LinePanel::new("L1 test error against the step", "step", "mean |u − u*|")
            .log_y()
            .with(Series::line(
                name,
                curve.iter().map(|c| (c.0, c.2)).collect(),
            )),
        LinePanel::new(
            "L1 test error against the cost",
            "log10(GFLOP)",
            "mean |u − u*|",
        )
        .log_y()
        .with(Series::line(
            name,
            curve.iter().map(|c| (c.1.log10(), c.2)).collect(),
        )),
    ];
    if !windows.is_empty() {
        let mut p = LinePanel::new(
            format!(
                "the {} subdomains' windows (on their supports)",
                windows.len()
            ),
            data.var,
            "window",
        );
        for (j, w) in windows.iter().enumerate() {
            p = p.with(Series::line("", xy(test, w)).colour(j % 5));
        }
        panels.push(p);
    }
    support::save_figure(&png, |path| {
        lines(
            path,
            &format!(
                "{title}, {name} ({}, seed {}): L1 {l1:.2e}",
                T::NAME,
                cli.seed
            ),
            &panels,
            (720, 240),
        )
    })?;
    support::remove_finished(cli.checkpoint.iter().chain(&sidecar));
    Ok(())
}

/// One recorded run of `--compare`: its model name and its curve `(step, GFLOP, L1)`.
struct Recorded {
    model: String,
    curve: Vec<(f64, f64, f64)>,
}

/// The `"curve":[[s,g,l],…]` of a JSON line of ours.
fn curve(line: &str) -> Option<Vec<(f64, f64, f64)>> {
    let rest = &line[line.find("\"curve\":[")? + "\"curve\":[".len()..];
    let body = &rest[..rest.find("]]")? + 1];
    body.split("],")
        .map(|t| {
            let v: Vec<f64> = t
                .trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .map(|x| x.parse().ok())
                .collect::<Option<_>>()?;
            (v.len() == 3).then(|| (v[0], v[1], v[2]))
        })
        .collect()
}

fn compare(args: &Args, file: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let cli = &args.cli;
    let problem = match cli.problem {
        ProblemName::Cos1d => "cos1d",
        ProblemName::Oscillator => "oscillator",
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read --compare {}: {e}", file.display()))?;
    let seed = cli.seed.to_string();
    let omega = args.omega.to_string();
    let mut runs: Vec<Recorded> = Vec::new();
    for line in text.lines() {
        let matches = support::json_field(line, "problem") == Some(problem)
            && support::json_field(line, "omega") == Some(omega.as_str())
            && support::json_field(line, "dtype") == Some(cli.dtype.name())
            && support::json_field(line, "seed") == Some(seed.as_str());
        if let (true, Some(model), Some(c)) =
            (matches, support::json_field(line, "model"), curve(line))
        {
            // A later line for the same model replaces an earlier one.
            runs.retain(|r| r.model != model);
            runs.push(Recorded {
                model: model.to_string(),
                curve: c,
            });
        }
    }
    if runs.is_empty() {
        return Err(format!(
            "no run in {} has a curve for {problem}, ω = {omega}, {}, seed {seed}",
            file.display(),
            cli.dtype
        )
        .into());
    }
    let mut by_step = LinePanel::new("L1 test error against the step", "step", "mean |u − u*|")
        .log_y()
        .legend(SeriesLabelPosition::LowerLeft);
    let mut by_cost = LinePanel::new(
        "L1 test error against the cost",
        "log10(GFLOP)",
        "mean |u − u*|",
    )
    .log_y()
    .legend(SeriesLabelPosition::LowerRight);
    for (k, r) in runs.iter().enumerate() {
        let c = k % 6;
        by_step = by_step
            .with(Series::line(&r.model, r.curve.iter().map(|p| (p.0, p.2)).collect()).colour(c));
        by_cost = by_cost.with(
            Series::line(
                &r.model,
                r.curve.iter().map(|p| (p.1.log10(), p.2)).collect(),
            )
            .colour(c),
        );
        let last = r.curve.last().map_or(f64::NAN, |p| p.2);
        println!("{:<14} L1 at the last recorded step: {last:.3e}", r.model);
    }
    let dir = support::out_dir(Some("fbpinn"))?;
    let png = dir.join(format!(
        "{problem}-w{omega}-compare-{}-s{seed}.png",
        cli.dtype
    ));
    support::save_figure(&png, |path| {
        lines(
            path,
            &format!(
                "{problem}, ω = {omega}: FBPINN against PINNs ({}, seed {seed})",
                cli.dtype
            ),
            &[by_step, by_cost],
            (720, 300),
        )
    })?;
    Ok(())
}
