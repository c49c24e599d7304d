//! RoPINN, Table 1, PINN backbone (Wu et al., NeurIPS 2024): 1D-Reaction (ρ = 5), 1D-Wave and
//! Convection (β = 50), vanilla PINN against RoPINN region optimization, on the authors'
//! harness (and ProPINN's Allen–Cahn, `--problem allen-cahn`: its 512×201 grid, the initial
//! condition weighted 10, `u` and `u_x` periodic):
//!
//! - residual points: every node of the 101×101 grid of the box (boundary and t = 0 nodes
//!   included), x varying fastest; initial condition on the t = 0 row (101 points); periodic
//!   (reaction, convection) or Dirichlet (wave, two separate means) boundary conditions on the
//!   x = x_min / x_max columns (101 points each); the test set is the same grid;
//! - loss: the sum of the terms' mean squares, all weights 1;
//! - network: 2-512-512-512-1 tanh (protocols `full` and `a`) or 2-128-128-128-1 (protocol
//!   `b`), Xavier-uniform weights, biases 0.01 (0.0 for convection); or (`--backbone
//!   propinn`, the `propinn` example) ProPINN (Wu et al.; `nets::propinn`, 15 030
//!   parameters, the same initialisation, the wave task's inputs scaled by π);
//! - optimizer: `torch.optim.LBFGS(lr=1, line_search_fn='strong_wolfe')` defaults, called
//!   for a fixed number of outer steps (`for i in range(1000): optim.step(closure)`);
//! - RoPINN: r = 1e-4, one sample, T₀ = 10 (5 for convection), σ₀ = 1, redrawn at every loss
//!   evaluation;
//! - metrics: rMAE = Σ|u − û|/Σ|u|, rMSE = sqrt(Σ(u − û)²/Σu²); "loss" is the total of the
//!   last loss evaluation (a line-search trial, at perturbed points for RoPINN), as the
//!   authors print it.
//!
//! ```text
//! cargo run --release --example ropinn -- --problem reaction|wave|convection \
//!     --method vanilla|ropinn --dtype f32|f64 --protocol full|a|b [--steps N] [--seed S]
//!     [--every K] [--threads N] [--samples k] [--past-iterations T0]
//!     [--calibration cv|std-norm|fixed] [--width W] [--max-iter M]
//! cargo run --release --example ropinn -- --table results.jsonl   # JSON lines → markdown
//! cargo run --release --example propinn -- --problem wave   # = ropinn --backbone propinn
//! ```
//!
//! `-- --help` lists every flag with its default and what a run costs. Writes
//! `ropinn_<problem>_<method>_<dtype>_<protocol>_s<seed>.png` (prediction and reference on one
//! colour scale, the error on its own, over (t, x)) to the output folder and ends with one JSON
//! line.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Component;
use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::nets::{propinn, xavier_uniform};
use pinn::optim::{FixedSteps, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::{AllenCahnPeriodic, Convection, Problem, Reaction, Region, Wave};
use pinn::rng::Seed;
use pinn::strategies::{Calibration, RoPinn, RoPinnConfig, RoPinnMonitor, Strategy, Terms};
use pinn::train::{Assembly, Control, LossReport, Term, TermKind, Trainer};
use support::Dtype;
use support::plot::{Grid2, compare};
use support::progress::{Clock, Plan};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Protocol (a)'s default number of outer L-BFGS steps on the paper's network: chosen so that
/// the six runs of one precision fit in about two hours on two cores (see
/// `docs/REPRODUCTION.md`, where the per-step costs are measured).
const PROTOCOL_A_STEPS: usize = 25;

/// Points per axis of the authors' grid.
const GRID: usize = 101;

/// The problems of Table 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProblemName {
    /// 1D-Reaction, ρ = 5.
    Reaction,
    /// 1D-Wave.
    Wave,
    /// Convection, β = 50.
    Convection,
    /// Allen–Cahn, u_t = 1e-4 u_xx + 5u − 5u³, periodic (ProPINN's table; 512×201 grid).
    AllenCahn,
}

/// Vanilla PINN or RoPINN region optimization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MethodName {
    /// The PINN loss on the grid's points.
    Vanilla,
    /// Region optimization: the points perturbed within a trust region (Wu et al. 2024).
    Ropinn,
}

/// The network trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backbone {
    /// The tanh MLP of the protocol (--width).
    Pinn,
    /// ProPINN (84 perturbed copies, region pooling, multi-region mixing; 15 030 parameters).
    Propinn,
}

/// The harness' protocols (docs/REPRODUCTION.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Protocol {
    /// The paper's: 2-512-512-512-1, 1000 outer L-BFGS steps (hours per run).
    Full,
    /// The paper's network, 25 outer steps.
    A,
    /// 2-128-128-128-1, 1000 outer steps.
    B,
}

/// How RoPINN calibrates its region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CalibrationName {
    /// As the authors coded it: the mean coefficient of variation of the past mean gradients.
    Cv,
    /// The paper's Algorithm 1 as written: the norm of the past gradients' standard
    /// deviations.
    StdNorm,
    /// No calibration: the region keeps its initial size (the paper's ablation).
    Fixed,
}

fn name<V: ValueEnum>(v: V) -> String {
    v.to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_string())
}

/// RoPINN, Table 1, PINN backbone (Wu et al., NeurIPS 2024): 1D-Reaction (ρ = 5), 1D-Wave
/// and Convection (β = 50), vanilla PINN against RoPINN region optimization, on the
/// authors' harness (the 101×101 grid, full-batch L-BFGS with a fixed number of outer steps).
///
/// Writes ropinn_<problem>_<method>_<dtype>_<protocol>_s<seed>.png to target/examples-out
/// (or $CARGO_TARGET_DIR/examples-out). With --table FILE, turns the JSON lines of earlier
/// runs in FILE into a markdown table next to the paper's numbers instead.
#[derive(Parser, Debug)]
#[command(
    name = "ropinn",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Cost on a 2-core machine: one outer L-BFGS step (about 24 loss evaluations) takes \
                  16 / 34 / 23 s on the paper network in f32 (reaction / wave / convection) and \
                  31 / 67 / 41 s in f64; 1.7 / 3.3 / 2.1 s on protocol b's network in f32. So \
                  a protocol-a run (25 steps) takes 7 to 15 min in f32 and 13 to 28 min in f64; \
                  protocol b 5 to 25 min in f32, up to 1.6 h in f64; protocol full 4.5 to 9.5 h \
                  in f32 and 8.5 to 19 h in f64. --steps 200 on the paper network takes 1 to 2 h \
                  in f32 and 2 to 4 h in f64. Allen–Cahn (512×201 points) costs about 10 times \
                  as much per step."
)]
struct Cli {
    /// The problem.
    #[arg(long, value_enum, default_value_t = ProblemName::Reaction)]
    problem: ProblemName,
    /// The method.
    #[arg(long, value_enum, default_value_t = MethodName::Ropinn)]
    method: MethodName,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// The network: the protocol's PINN or ProPINN.
    #[arg(long, value_enum, default_value_t = Backbone::Pinn)]
    backbone: Backbone,
    /// The protocol: network and number of steps (ProPINN: full or a).
    #[arg(long, value_enum, default_value_t = Protocol::A)]
    protocol: Protocol,
    /// Outer L-BFGS steps [default: 25 for protocol a, 1000 otherwise].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// The seed of the initialisation and of RoPINN's draws.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Metrics and a progress line every K steps [default: 1 on the paper network or for
    /// at most 100 steps, else 10].
    #[arg(long, value_name = "K", value_parser = support::cli::at_least(1))]
    every: Option<usize>,
    /// Worker threads (results do not depend on it) [default: all cores].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    threads: Option<usize>,
    /// RoPINN: points sampled in each region per evaluation.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = support::cli::at_least(1))]
    samples: usize,
    /// RoPINN: past iterations T₀ of the calibration [default: 10; 5 for convection].
    #[arg(long, value_name = "T0", value_parser = support::cli::at_least(1))]
    past_iterations: Option<usize>,
    /// RoPINN: how the region's size is calibrated.
    #[arg(long, value_enum, default_value_t = CalibrationName::Cv)]
    calibration: CalibrationName,
    /// Hidden width [default: 512 for protocols full and a, 128 for b].
    #[arg(long, value_name = "W", value_parser = support::cli::at_least(1))]
    width: Option<usize>,
    /// L-BFGS inner iterations per outer step (torch's default; lower only to time
    /// evaluations).
    #[arg(long, value_name = "M", default_value_t = 20, value_parser = support::cli::at_least(1))]
    max_iter: usize,
    /// Save the run's state to FILE after every outer step and, when FILE exists, resume
    /// from it (same bits as an uninterrupted run); removed when the run has finished
    /// [default: none].
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Print a markdown table of the ropinn JSON lines in FILE and train nothing [default:
    /// none: train].
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "problem", "method", "dtype", "protocol", "steps", "seed", "every", "threads",
        "samples", "past_iterations", "calibration", "width", "max_iter", "checkpoint",
    ])]
    table: Option<String>,
}

/// Everything a run is told.
#[derive(Clone, Debug)]
struct Setup {
    problem: ProblemName,
    method: MethodName,
    backbone: Backbone,
    dtype: Dtype,
    protocol: Protocol,
    width: usize,
    steps: usize,
    seed: u64,
    every: usize,
    threads: Option<usize>,
    samples: usize,
    past_iterations: usize,
    calibration: Calibration,
    /// L-BFGS `max_iter` (20, torch's default; lower only to time evaluations).
    max_iter: usize,
    checkpoint: Option<PathBuf>,
}

impl Cli {
    /// The run's settings, or a usage error naming a flag that does not apply.
    fn setup(&self) -> Result<Setup, String> {
        if self.method == MethodName::Vanilla {
            let ropinn_only = [
                ("--samples", self.samples != 1),
                ("--past-iterations", self.past_iterations.is_some()),
                ("--calibration", self.calibration != CalibrationName::Cv),
            ];
            if let Some((flag, _)) = ropinn_only.iter().find(|f| f.1) {
                return Err(format!(
                    "{flag} applies to --method ropinn only, not vanilla"
                ));
            }
        }
        if self.backbone == Backbone::Propinn {
            if self.width.is_some() {
                return Err("--width applies to --backbone pinn only".into());
            }
            if self.protocol == Protocol::B {
                return Err("--protocol b is a smaller PINN; ProPINN runs full or a".into());
            }
        }
        let (width, default_steps) = match self.protocol {
            Protocol::Full => (512, 1000),
            Protocol::A => (512, PROTOCOL_A_STEPS),
            Protocol::B => (128, 1000),
        };
        let width = self.width.unwrap_or(width);
        let steps = self.steps.unwrap_or(default_steps);
        // Progress (and metrics) every step on the paper's network, whose steps take 15–70 s.
        let default_every = if width >= 512 || steps <= 100 { 1 } else { 10 };
        let t0 = if self.problem == ProblemName::Convection {
            5
        } else {
            10
        };
        Ok(Setup {
            problem: self.problem,
            method: self.method,
            backbone: self.backbone,
            dtype: self.dtype,
            protocol: self.protocol,
            width,
            steps,
            seed: self.seed,
            every: self.every.unwrap_or(default_every),
            threads: self.threads,
            samples: self.samples,
            past_iterations: self.past_iterations.unwrap_or(t0),
            calibration: match self.calibration {
                CalibrationName::Cv => Calibration::CoefficientOfVariation,
                CalibrationName::StdNorm => Calibration::StdNorm,
                CalibrationName::Fixed => Calibration::Fixed,
            },
            max_iter: self.max_iter,
            checkpoint: self.checkpoint.clone(),
        })
    }
}

impl Setup {
    fn tag(&self) -> String {
        let backbone = match self.backbone {
            Backbone::Pinn => String::new(),
            Backbone::Propinn => "propinn_".into(),
        };
        format!(
            "{backbone}{}_{}_{}_{}_s{}",
            name(self.problem),
            name(self.method),
            self.dtype,
            name(self.protocol),
            self.seed
        )
    }
}

/// What the last loss evaluation said, shared with the example after the strategy has moved
/// into the trainer.
#[derive(Clone, Copy, Debug, Default)]
struct LastEval {
    loss: f64,
    evaluations: usize,
}

/// Records the last evaluation's total loss: the authors' printed "Train Loss".
struct RecordLast(Arc<Mutex<LastEval>>);

impl<T: Real> Strategy<T> for RecordLast {
    fn name(&self) -> &'static str {
        "record-last"
    }
    fn after_eval(
        &mut self,
        _: &mut dyn Terms<T>,
        _: &[T],
        loss: &LossReport<T>,
    ) -> pinn::Result<()> {
        let mut l = self.0.lock().unwrap_or_else(|p| p.into_inner());
        l.loss = loss.total.to_f64();
        l.evaluations += 1;
        Ok(())
    }
    fn state(&self) -> Vec<f64> {
        let l = self.0.lock().unwrap_or_else(|p| p.into_inner());
        vec![l.loss, l.evaluations as f64]
    }
    fn set_state(&mut self, state: &[f64]) -> pinn::Result<()> {
        let mut l = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let [loss, evaluations] = *state {
            l.loss = loss;
            l.evaluations = evaluations as usize;
        }
        Ok(())
    }
}

/// ProPINN's Allen–Cahn harness (`1d_ac_point_optimization.py`, spec §2.4): the PDE on the
/// 512 × 201 grid (`x = linspace(−1, 1, 512)` fastest, `t = linspace(0, 1, 201)`), the
/// initial condition `x² cos πx` on the t = 0 row with weight 10, and `u` and `u_x` periodic
/// between the x = −1 and x = 1 columns; the axes.
fn allen_cahn_terms() -> (Vec<Term>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (xs, ts) = (
        support::linspace(-1.0, 1.0, 512),
        support::linspace(0.0, 1.0, 201),
    );
    let grid: Vec<f64> = support::grid2(&ts, &xs)
        .chunks(2)
        .flat_map(|p| [p[1], p[0]])
        .collect();
    let term = |name: &str, kind, weight, points, partners| Term {
        name: name.into(),
        kind,
        weight,
        points,
        normals: Vec::new(),
        partners,
    };
    let ic: Vec<f64> = xs.iter().flat_map(|&x| [x, 0.0]).collect();
    let lo: Vec<f64> = ts.iter().flat_map(|&t| [-1.0, t]).collect();
    let hi: Vec<f64> = ts.iter().flat_map(|&t| [1.0, t]).collect();
    let pi = core::f64::consts::PI;
    let terms = vec![
        term("pde", TermKind::Pde, 1.0, grid.clone(), Vec::new()),
        term(
            "initial",
            TermKind::Condition(Condition::initial(0, move |x| {
                x[0] * x[0] * (pi * x[0]).cos()
            })),
            10.0,
            ic,
            Vec::new(),
        ),
        term(
            "periodic",
            TermKind::Condition(Condition::Periodic { output: 0 }),
            1.0,
            lo.clone(),
            hi.clone(),
        ),
        term(
            "periodic_ux",
            TermKind::Condition(Condition::periodic_derivative(0, Component::First(0))),
            1.0,
            lo,
            hi,
        ),
    ];
    (terms, grid, xs, ts)
}

/// The loss terms of the authors' harness for `problem`: the PDE on the whole 101×101 grid,
/// each condition on its 101-point grid row or column.
fn terms<P: Problem>(problem: &P) -> Res<(Vec<Term>, Vec<f64>)> {
    let grid = problem.grid_region(&Region::Interior, GRID)?.points;
    let mut terms = vec![Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: grid.clone(),
        normals: Vec::new(),
        partners: Vec::new(),
    }];
    for c in problem.conditions() {
        let pts = problem.grid_region(&c.region, GRID)?;
        terms.push(Term {
            name: c.name,
            kind: TermKind::Condition(c.condition),
            weight: 1.0,
            points: pts.points,
            normals: pts.normals,
            partners: pts.partners,
        });
    }
    Ok((terms, grid))
}

fn run<P: Problem + Clone + 'static, T: Real>(
    problem: P,
    bias: f64,
    s: &Setup,
    dir: &Path,
) -> Res<()> {
    let start = Instant::now();
    let (graph, net) = match s.backbone {
        Backbone::Pinn => (
            Graph::mlp(&[2, s.width, s.width, s.width, 1], Elementary::Tanh)?,
            format!("2-{w}-{w}-{w}-1", w = s.width),
        ),
        Backbone::Propinn => {
            // The wave task feeds the model (πx, πt) (spec §6.2).
            let pi = core::f64::consts::PI;
            let scale = if s.problem == ProblemName::Wave {
                [pi, pi]
            } else {
                [1.0, 1.0]
            };
            (propinn(scale)?, "propinn".into())
        }
    };
    let theta: Vec<T> = xavier_uniform(&graph, Seed(s.seed).derive(0), bias)?;
    let (terms, grid, xs, ts) = if s.problem == ProblemName::AllenCahn {
        allen_cahn_terms()
    } else {
        let (terms, grid) = terms(&problem)?;
        let (lo, hi) = problem.bounds();
        let xs = support::linspace(lo[0], hi[0], GRID);
        let ts = support::linspace(lo[1], hi[1], GRID);
        (terms, grid, xs, ts)
    };
    let reference = problem.reference_at(&grid)?;
    let last = Arc::new(Mutex::new(LastEval::default()));
    let mut builder = Trainer::<_, T>::builder(graph.clone(), problem.clone())
        .params(theta)
        .seed(Seed(s.seed))
        .phase(
            "lbfgs",
            s.steps,
            FixedSteps::new(Lbfgs::new(LbfgsConfig {
                max_iter: s.max_iter,
                ..LbfgsConfig::default()
            })?),
        )
        .metrics(grid.clone(), reference.clone(), s.every);
    for t in terms.clone() {
        builder = builder.term(t);
    }
    if let Some(n) = s.threads {
        builder = builder.threads(n);
    }
    let mut monitor: Option<RoPinnMonitor> = None;
    if s.method == MethodName::Ropinn {
        let ropinn = RoPinn::new(RoPinnConfig {
            samples: s.samples,
            past_iterations: s.past_iterations,
            calibration: s.calibration,
            ..RoPinnConfig::default()
        })?;
        monitor = Some(ropinn.monitor());
        builder = builder.strategy(ropinn);
    }
    builder = builder.strategy(RecordLast(last.clone()));
    let (mon, last_obs) = (monitor.clone(), last.clone());
    let steps = s.steps;
    let mut clock = Clock::new(Plan::new().lbfgs("lbfgs", s.steps, s.max_iter, false));
    builder = builder.observer(move |e| {
        clock.step(e.phase, e.seconds);
        if let Some(m) = &e.metrics {
            let l = *last_obs.lock().unwrap_or_else(|p| p.into_inner());
            let region = mon
                .as_ref()
                .map(|m| format!("  σ {:.3e} r {:.2e}", m.sigma(), m.radius()))
                .unwrap_or_default();
            println!(
                "step {:4}/{steps}  loss {:.3e} (last eval {:.3e})  rMAE {:.4}  rMSE {:.4}{region}  evals {}  {}",
                e.step + 1,
                e.loss.to_f64(),
                l.loss,
                m.rmae,
                m.rmse,
                l.evaluations,
                clock.status()
            );
        }
        Control::Continue
    });
    if let Some(path) = &s.checkpoint {
        support::check_writable("--checkpoint", path)?;
        if path.exists() {
            builder = builder.resume_from(path);
        }
        builder = builder.checkpoint_every(1, path);
    }
    let mut trainer = builder.build()?;
    let resumed_at = trainer.step();
    if resumed_at > 0 {
        println!("resumed at step {resumed_at} of {}", s.steps);
    }
    println!(
        "ropinn example: {} / {} / {} / protocol {} — net {net} ({} parameters), {} outer L-BFGS steps, seed {}",
        problem.name(),
        name(s.method),
        T::NAME,
        name(s.protocol),
        trainer.graph().n_params(),
        s.steps,
        s.seed
    );
    let report = trainer.run()?;
    let u = trainer.predict(&grid)?;
    // A run resumed at its last step has no metrics of its own.
    let m = match report.metrics.last() {
        Some(m) => m.1.clone(),
        None => pinn::train::Metrics::compute(&u, &reference),
    };
    let last = *last.lock().unwrap_or_else(|p| p.into_inner());
    let steps = trainer.step();
    // The loss of the final network on the unperturbed grid (one more evaluation).
    let mut assembly = Assembly::<P, T>::new(graph, problem.clone(), terms, 256, 1)?;
    let mut grad = vec![T::zero(); assembly.n_params()];
    let grid_loss = assembly
        .eval(trainer.params(), &mut grad, 0)?
        .total
        .to_f64();
    let secs = start.elapsed().as_secs_f64();
    let sigma = monitor.as_ref().map_or(f64::NAN, RoPinnMonitor::sigma);
    println!(
        "{} {} {}: loss {:.3e} (grid {:.3e}), rMAE {:.4}, rMSE {:.4}, {} steps, {} evaluations, {:.1} s ({:.2} s/step, {:.3} s/evaluation)",
        name(s.problem),
        name(s.method),
        T::NAME,
        last.loss,
        grid_loss,
        m.rmae,
        m.rmse,
        steps,
        last.evaluations,
        secs,
        report.seconds / report.steps.max(1) as f64,
        report.seconds / report.evaluations.max(1) as f64,
    );
    let resumed = if resumed_at > 0 {
        format!(",\"resumed_at\":{resumed_at}")
    } else {
        String::new()
    };
    let example = match s.backbone {
        Backbone::Pinn => "ropinn",
        Backbone::Propinn => "propinn",
    };
    let num = |v: f64| {
        if v.is_finite() {
            format!("{v:e}")
        } else {
            "null".into()
        }
    };
    println!(
        "{{\"example\":\"{example}\",\"problem\":\"{}\",\"method\":\"{}\",\"dtype\":\"{}\",\"protocol\":\"{}\",\"net\":\"{net}\",\"seed\":{},\"loss\":{},\"loss_grid\":{},\"rmae\":{},\"rmse\":{},\"steps\":{},\"evaluations\":{},\"sigma\":{},\"seconds\":{:.2}{resumed}}}",
        name(s.problem),
        name(s.method),
        T::NAME,
        name(s.protocol),
        s.seed,
        num(last.loss),
        num(grid_loss),
        num(m.rmae),
        num(m.rmse),
        steps,
        last.evaluations,
        num(sigma),
        secs,
    );
    support::save_figure(&dir.join(format!("ropinn_{}.png", s.tag())), |path| {
        compare(
            path,
            &format!(
                "{} — {net}, {}, {}, protocol {}, seed {}: rMAE {:.3}, rMSE {:.3}",
                problem.name(),
                name(s.method),
                T::NAME,
                name(s.protocol),
                s.seed,
                m.rmae,
                m.rmse
            ),
            // The grid lists x fastest: t is its slow (first) coordinate.
            &Grid2 {
                names: ["t", "x"],
                axes: [&ts, &xs],
                across: 0,
            },
            "u",
            &u,
            &reference,
            (260, 220),
        )
    })?;
    support::remove_finished(&s.checkpoint);
    Ok(())
}

/// The paper's Table 1, PINN backbone: (Loss, rMAE, rMSE) for vanilla and RoPINN.
fn paper(problem: &str, method: &str) -> (&'static str, &'static str, &'static str) {
    match (problem, method) {
        ("reaction", "vanilla") => ("2.0e-1", "0.982", "0.981"),
        ("reaction", _) => ("4.7e-5", "0.056", "0.095"),
        ("wave", "vanilla") => ("1.9e-2", "0.326", "0.335"),
        ("wave", _) => ("1.5e-3", "0.063", "0.064"),
        ("convection", "vanilla") => ("1.6e-2", "0.778", "0.840"),
        // Allen–Cahn is not in RoPINN's table; ProPINN's gives the vanilla PINN (rMAE / rRMSE).
        ("allen-cahn", "vanilla") => ("–", "0.350", "0.562"),
        ("allen-cahn", _) => ("–", "–", "–"),
        _ => ("1.0e-2", "0.635", "0.720"),
    }
}

/// Turns the JSON lines of `ropinn` runs into a markdown table next to the paper's numbers.
fn table(path: &str) -> Res<()> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| support::json_field(l, "example") == Some("ropinn"))
        .collect();
    if rows.is_empty() {
        return Err(format!(
            "{path} holds no result of this example (JSON lines with \"example\":\"ropinn\", as \
             its runs print last)"
        )
        .into());
    }
    let fmt = |v: Option<&str>, sci: bool| -> String {
        match v.and_then(|v| v.parse::<f64>().ok()) {
            Some(x) if sci => format!("{x:.1e}"),
            Some(x) => format!("{x:.3}"),
            None => "pending".into(),
        }
    };
    println!(
        "| problem | method | paper (f32) Loss / rMAE / rMSE | ours f32 | ours f64 | steps | evals (f32 / f64) | wall (f32 / f64) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for problem in ["reaction", "wave", "convection"] {
        for method in ["vanilla", "ropinn"] {
            let find = |dtype: &str| {
                rows.iter().rev().copied().find(|l| {
                    support::json_field(l, "problem") == Some(problem)
                        && support::json_field(l, "method") == Some(method)
                        && support::json_field(l, "dtype") == Some(dtype)
                })
            };
            let (p32, p64) = (find("f32"), find("f64"));
            let cell = |l: Option<&str>| match l {
                Some(l) => format!(
                    "{} / {} / {}",
                    fmt(support::json_field(l, "loss"), true),
                    fmt(support::json_field(l, "rmae"), false),
                    fmt(support::json_field(l, "rmse"), false)
                ),
                None => "pending".into(),
            };
            let get = |l: Option<&str>, k: &str| {
                l.and_then(|l| support::json_field(l, k))
                    .unwrap_or("–")
                    .to_string()
            };
            let steps = p32
                .or(p64)
                .and_then(|l| support::json_field(l, "steps"))
                .unwrap_or("–");
            let (pl, pa, pr) = paper(problem, method);
            println!(
                "| {problem} | {method} | {pl} / {pa} / {pr} | {} | {} | {steps} | {} / {} | {} s / {} s |",
                cell(p32),
                cell(p64),
                get(p32, "evaluations"),
                get(p64, "evaluations"),
                get(p32, "seconds"),
                get(p64, "seconds"),
            );
        }
    }
    Ok(())
}

#[allow(dead_code)]
fn main() -> ExitCode {
    run_main(None)
}

/// The example's body; `backbone` forces the network (the `propinn` example: its own name and
/// description, point optimisation by default).
pub fn run_main(backbone: Option<Backbone>) -> ExitCode {
    use clap::error::ErrorKind;
    use clap::{CommandFactory, FromArgMatches};
    let mut cmd = Cli::command();
    if backbone == Some(Backbone::Propinn) {
        cmd = cmd
            .name("propinn")
            .about(
                "ProPINN (Wu et al.) on the RoPINN harness: 1D-Reaction, 1D-Wave and \
                 Convection, full-batch L-BFGS on the 101×101 grid. Writes \
                 ropinn_propinn_<problem>_<method>_<dtype>_<protocol>_s<seed>.png to \
                 target/examples-out (or $CARGO_TARGET_DIR/examples-out).",
            )
            .long_about(None)
            .mut_arg("backbone", |a| a.hide(true))
            .mut_arg("width", |a| a.hide(true))
            .mut_arg("table", |a| a.hide(true))
            .mut_arg("method", |a| a.default_value("vanilla"))
            .after_help(
                "Cost on a 2-core machine (idle): one loss evaluation on the 101×101 grid takes \
                 2.6 s in f32 and 3.6 s in f64 on one thread (1.25 s and 2.2 s on two), so one \
                 outer L-BFGS step (about 20 evaluations) about a minute: protocol a (25 steps) is about half an hour, protocol full (1000 \
                 steps) about 20 hours. Allen–Cahn's 512×201 grid has 10 times the points: \
                 about 15 s an evaluation on two threads, protocol a about 2 hours.",
            );
    }
    let matches = cmd.clone().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some(b) = backbone {
        cli.backbone = b;
    }
    if let Some(path) = &cli.table {
        return support::cli::finish(table(path));
    }
    let s = cli
        .setup()
        .unwrap_or_else(|e| cmd.error(ErrorKind::ArgumentConflict, e).exit());
    let dir = match support::out_dir(None) {
        Ok(d) => d,
        Err(e) => return support::cli::finish(Err(e.into())),
    };
    let f64 = s.dtype == Dtype::F64;
    support::cli::finish(match s.problem {
        ProblemName::Reaction if f64 => run::<_, f64>(Reaction::default(), 0.01, &s, &dir),
        ProblemName::Reaction => run::<_, f32>(Reaction::default(), 0.01, &s, &dir),
        ProblemName::Wave if f64 => run::<_, f64>(Wave::default(), 0.01, &s, &dir),
        ProblemName::Wave => run::<_, f32>(Wave::default(), 0.01, &s, &dir),
        ProblemName::Convection if f64 => run::<_, f64>(Convection::default(), 0.0, &s, &dir),
        ProblemName::Convection => run::<_, f32>(Convection::default(), 0.0, &s, &dir),
        ProblemName::AllenCahn if f64 => {
            run::<_, f64>(AllenCahnPeriodic::default(), 0.01, &s, &dir)
        }
        ProblemName::AllenCahn => run::<_, f32>(AllenCahnPeriodic::default(), 0.01, &s, &dir),
    })
}
