//! RoPINN, Table 1, PINN backbone (Wu et al., NeurIPS 2024): 1D-Reaction (ρ = 5), 1D-Wave and
//! Convection (β = 50), vanilla PINN against RoPINN region optimization, on the authors'
//! harness:
//!
//! - residual points: every node of the 101×101 grid of the box (boundary and t = 0 nodes
//!   included), x varying fastest; initial condition on the t = 0 row (101 points); periodic
//!   (reaction, convection) or Dirichlet (wave, two separate means) boundary conditions on the
//!   x = x_min / x_max columns (101 points each); the test set is the same grid;
//! - loss: the sum of the terms' mean squares, all weights 1;
//! - network: 2-512-512-512-1 tanh (protocols `full` and `a`) or 2-128-128-128-1 (protocol
//!   `b`), Xavier-uniform weights, biases 0.01 (0.0 for convection);
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
//! ```
//!
//! Writes `target/examples-out/ropinn_<problem>_<method>_<dtype>_<protocol>.png`
//! (prediction | reference | |error| over (t → , x ↑)) and ends with one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::nets::xavier_uniform;
use pinn::optim::{FixedSteps, Lbfgs, LbfgsConfig};
use pinn::pde::problems::{Convection, Problem, Reaction, Region, Wave};
use pinn::rng::Seed;
use pinn::strategies::{Calibration, RoPinn, RoPinnConfig, RoPinnMonitor, Strategy, Terms};
use pinn::train::{Assembly, Control, LossReport, Term, TermKind, Trainer};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Protocol (a)'s default number of outer L-BFGS steps on the paper's network: chosen so that
/// the six runs of one precision fit in about two hours on two cores (see
/// `docs/REPRODUCTION.md`, where the per-step costs are measured).
const PROTOCOL_A_STEPS: usize = 25;

/// Points per axis of the authors' grid.
const GRID: usize = 101;

/// Everything a run is told.
#[derive(Clone, Debug)]
struct Setup {
    problem: String,
    method: String,
    dtype: String,
    protocol: String,
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
}

impl Setup {
    fn from_args() -> Res<Setup> {
        let pick = |name: &str, default: &str, allowed: &[&str]| -> Res<String> {
            let v = support::arg(name).unwrap_or_else(|| default.into());
            if allowed.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(format!("{name} must be one of {allowed:?}, found `{v}`").into())
            }
        };
        let problem = pick("--problem", "reaction", &["reaction", "wave", "convection"])?;
        let method = pick("--method", "ropinn", &["vanilla", "ropinn"])?;
        let dtype = pick("--dtype", "f32", &["f32", "f64"])?;
        let protocol = pick("--protocol", "a", &["full", "a", "b"])?;
        let calibration = match pick("--calibration", "cv", &["cv", "std-norm", "fixed"])?.as_str()
        {
            "cv" => Calibration::CoefficientOfVariation,
            "std-norm" => Calibration::StdNorm,
            _ => Calibration::Fixed,
        };
        let (width, default_steps) = match protocol.as_str() {
            "full" => (512, 1000),
            "a" => (512, PROTOCOL_A_STEPS),
            _ => (128, 1000),
        };
        let steps = support::arg_num("--steps")?.unwrap_or(default_steps);
        // Progress (and metrics) every step on the paper's network, whose steps take 15–70 s.
        let default_every = if width >= 512 || steps <= 100 { 1 } else { 10 };
        let t0 = if problem == "convection" { 5 } else { 10 };
        Ok(Setup {
            width: support::arg_num("--width")?.unwrap_or(width),
            steps,
            seed: support::arg_num("--seed")?.unwrap_or(0),
            every: support::arg_num("--every")?.unwrap_or(default_every).max(1),
            threads: support::arg_num("--threads")?,
            samples: support::arg_num("--samples")?.unwrap_or(1),
            past_iterations: support::arg_num("--past-iterations")?.unwrap_or(t0),
            calibration,
            max_iter: support::arg_num("--max-iter")?.unwrap_or(20),
            problem,
            method,
            dtype,
            protocol,
        })
    }

    fn tag(&self) -> String {
        format!(
            "{}_{}_{}_{}",
            self.problem, self.method, self.dtype, self.protocol
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

fn run<P: Problem + Clone + 'static, T: Real>(problem: P, bias: f64, s: &Setup) -> Res<()> {
    let start = Instant::now();
    let widths = [2, s.width, s.width, s.width, 1];
    let graph = Graph::mlp(&widths, Elementary::Tanh)?;
    let theta: Vec<T> = xavier_uniform(&graph, Seed(s.seed).derive(0), bias)?;
    let (terms, grid) = terms(&problem)?;
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
    if s.method == "ropinn" {
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
    builder = builder.observer(move |e| {
        if let Some(m) = e.metrics {
            let l = *last_obs.lock().unwrap_or_else(|p| p.into_inner());
            let region = mon
                .as_ref()
                .map(|m| format!("  σ {:.3e} r {:.2e}", m.sigma(), m.radius()))
                .unwrap_or_default();
            println!(
                "step {:4}/{steps}  loss {:.3e} (last eval {:.3e})  rMAE {:.4}  rMSE {:.4}{region}  evals {}  {:.0} s",
                e.step + 1,
                e.loss.to_f64(),
                l.loss,
                m.rmae,
                m.rmse,
                l.evaluations,
                e.seconds
            );
        }
        Control::Continue
    });
    let mut trainer = builder.build()?;
    println!(
        "ropinn example: {} / {} / {} / protocol {} — net {:?} ({} parameters), {} outer L-BFGS steps, seed {}",
        problem.name(),
        s.method,
        T::NAME,
        s.protocol,
        widths,
        trainer.graph().n_params(),
        s.steps,
        s.seed
    );
    let report = trainer.run()?;
    let m = report.metrics.last().ok_or("no metrics")?.1;
    let last = *last.lock().unwrap_or_else(|p| p.into_inner());
    // The loss of the final network on the unperturbed grid (one more evaluation).
    let mut assembly = Assembly::<P, T>::new(graph, problem, terms, 256, 1)?;
    let mut grad = vec![T::zero(); assembly.n_params()];
    let grid_loss = assembly
        .eval(trainer.params(), &mut grad, 0)?
        .total
        .to_f64();
    let u = trainer.predict(&grid)?;
    let err: Vec<f64> = u
        .iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let png = support::out_dir().join(format!("ropinn_{}.png", s.tag()));
    support::heatmaps(&png, &[&u, &reference, &err], GRID, GRID, 3)?;
    let secs = start.elapsed().as_secs_f64();
    let sigma = monitor.as_ref().map_or(f64::NAN, RoPinnMonitor::sigma);
    println!(
        "{} {} {}: loss {:.3e} (grid {:.3e}), rMAE {:.4}, rMSE {:.4}, {} steps, {} evaluations, {:.1} s ({:.2} s/step, {:.3} s/evaluation); {}",
        s.problem,
        s.method,
        T::NAME,
        last.loss,
        grid_loss,
        m.rmae,
        m.rmse,
        report.steps,
        report.evaluations,
        secs,
        report.seconds / report.steps.max(1) as f64,
        report.seconds / report.evaluations.max(1) as f64,
        png.display()
    );
    let num = |v: f64| {
        if v.is_finite() {
            format!("{v:e}")
        } else {
            "null".into()
        }
    };
    println!(
        "{{\"example\":\"ropinn\",\"problem\":\"{}\",\"method\":\"{}\",\"dtype\":\"{}\",\"protocol\":\"{}\",\"net\":\"2-{w}-{w}-{w}-1\",\"seed\":{},\"loss\":{},\"loss_grid\":{},\"rmae\":{},\"rmse\":{},\"steps\":{},\"evaluations\":{},\"sigma\":{},\"seconds\":{:.2}}}",
        s.problem,
        s.method,
        T::NAME,
        s.protocol,
        s.seed,
        num(last.loss),
        num(grid_loss),
        num(m.rmae),
        num(m.rmse),
        report.steps,
        report.evaluations,
        num(sigma),
        secs,
        w = s.width
    );
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
        _ => ("1.0e-2", "0.635", "0.720"),
    }
}

/// The value of `"key":` in a one-line JSON object (numbers and strings; no nesting).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat)? + pat.len()..];
    if let Some(r) = rest.strip_prefix('"') {
        r.split('"').next()
    } else {
        rest.split([',', '}']).next().map(str::trim)
    }
}

/// Turns the JSON lines of `ropinn` runs into a markdown table next to the paper's numbers.
fn table(path: &str) -> Res<()> {
    let text = std::fs::read_to_string(path)?;
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| field(l, "example") == Some("ropinn"))
        .collect();
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
                    field(l, "problem") == Some(problem)
                        && field(l, "method") == Some(method)
                        && field(l, "dtype") == Some(dtype)
                })
            };
            let (p32, p64) = (find("f32"), find("f64"));
            let cell = |l: Option<&str>| match l {
                Some(l) => format!(
                    "{} / {} / {}",
                    fmt(field(l, "loss"), true),
                    fmt(field(l, "rmae"), false),
                    fmt(field(l, "rmse"), false)
                ),
                None => "pending".into(),
            };
            let get =
                |l: Option<&str>, k: &str| l.and_then(|l| field(l, k)).unwrap_or("–").to_string();
            let steps = p32.or(p64).and_then(|l| field(l, "steps")).unwrap_or("–");
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

/// The command line (`--help` prints it).
const USAGE: &str = "\
usage: ropinn --problem reaction|wave|convection --method vanilla|ropinn --dtype f32|f64
              --protocol full|a|b [--steps N] [--seed S] [--every K] [--threads N]
              [--samples k] [--past-iterations T0] [--calibration cv|std-norm|fixed]
              [--width W] [--max-iter M]
       ropinn --table results.jsonl        (JSON lines -> markdown table)
defaults: reaction, ropinn, f32, protocol a";

fn main() -> Res<()> {
    support::cli(
        USAGE,
        &[
            "--problem",
            "--method",
            "--dtype",
            "--protocol",
            "--steps",
            "--seed",
            "--every",
            "--threads",
            "--samples",
            "--past-iterations",
            "--calibration",
            "--width",
            "--max-iter",
            "--table",
        ],
        &[],
    );
    if let Some(path) = support::arg("--table") {
        return table(&path);
    }
    let s = Setup::from_args()?;
    let f64 = s.dtype == "f64";
    match s.problem.as_str() {
        "reaction" if f64 => run::<_, f64>(Reaction::default(), 0.01, &s),
        "reaction" => run::<_, f32>(Reaction::default(), 0.01, &s),
        "wave" if f64 => run::<_, f64>(Wave::default(), 0.01, &s),
        "wave" => run::<_, f32>(Wave::default(), 0.01, &s),
        _ if f64 => run::<_, f64>(Convection::default(), 0.0, &s),
        _ => run::<_, f32>(Convection::default(), 0.0, &s),
    }
}
