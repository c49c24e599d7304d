//! FBPINN against PINNs on the original FBPINN paper's Cos1D problem (Moseley, Markham &
//! Nissen-Meyer 2023, `paper_specs.md` §3.2): `u′ = cos(ωx)` on `[−2π, 2π]`, `u(0) = 0`, exact
//! `u = sin(ωx)/ω`, with the paper's hard constraint `u = tanh(ωx)·N` and output scale `1/ω`.
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
//! cargo run --release --example fbpinn -- [--model fbpinn|pinn-16-2|…] [--schedule all|point]
//!     [--omega W] [--steps N] [--seed S] [--dtype f32|f64] [--threads T] [--record FILE]
//! cargo run --release --example fbpinn -- --compare docs/data/fbpinn.jsonl
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
use pinn::nets::{NetBuilder, fan_in_uniform};
use pinn::nets::fbpinn::{
    Decomposition, Fbpinn, RadialScheduler, SubdomainState, overlap_from_width, uniform_edges,
};
use pinn::optim::Adam;
use pinn::pde::{Fields, Pde, Residuals};
use pinn::rng::Seed;
use pinn::strategies::SubdomainSchedule;
use pinn::train::{TermId, Trainer};
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

/// Which subdomains train when.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Schedule {
    /// Every subdomain trains at every step.
    All,
    /// The paper's point scheduler: grows from x = 0 over the run; fixed subdomains freeze.
    Point,
}

/// FBPINN against PINNs on Cos1D, u′ = cos(ωx) on [−2π, 2π], u(0) = 0: the paper's L1 test
/// error (mean |u − u*|) against the step, one JSON line.
///
/// Writes fbpinn/cos1d-w<ω>-<model>-<dtype>-s<seed>.png (solution, error, L1 against the
/// step and the cost, the FBPINN's windows) to target/examples-out (or
/// $CARGO_TARGET_DIR/examples-out); with --compare, cos1d-w<ω>-compare-<dtype>-s<seed>.png.
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
    /// The model.
    #[arg(long, value_enum, default_value_t = ModelName::Fbpinn)]
    model: ModelName,
    /// The FBPINN's subdomain schedule (fbpinn only).
    #[arg(long, value_enum, default_value_t = Schedule::All)]
    schedule: Schedule,
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
    /// Append the final JSON line (with the L1 curve) to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Train nothing; draw the curves of the runs recorded in FILE (same ω, dtype, seed).
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
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
    if cli.schedule == Schedule::Point && cli.model != ModelName::Fbpinn {
        support::cli::usage_error::<Cli>("--schedule point needs --model fbpinn");
    }
    if let Some(file) = &cli.compare {
        return support::cli::finish(compare(&cli, file));
    }
    support::cli::finish(match cli.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
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
    dec: Decomposition,
    scheduler: Option<RadialScheduler>,
    train: Vec<f64>,
    per_point: f64,
    last: Option<(Vec<SubdomainState>, f64)>,
}

impl FbpinnCost {
    fn at(&mut self, step: usize) -> f64 {
        let states = match &self.scheduler {
            Some(s) => s.states(step),
            None => vec![SubdomainState::Active; self.dec.len()],
        };
        if let Some((last, f)) = &self.last
            && *last == states
        {
            return *f;
        }
        let subs = self.dec.subdomains();
        let mut visits = 0usize;
        for x in &self.train {
            let x = [*x];
            let trained = subs
                .iter()
                .zip(&states)
                .any(|(s, &st)| st == SubdomainState::Active && s.contains(&x));
            if trained {
                visits += subs.iter().filter(|s| s.contains(&x)).count();
            }
        }
        let f = visits as f64 * self.per_point;
        self.last = Some((states, f));
        f
    }
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
    let data = Data {
        dir: &dir,
        train: &train,
        test: &test,
        exact: &exact,
    };
    match cli.model {
        ModelName::Fbpinn => {
            let hidden = [16, 16];
            let edges = uniform_edges(-two_pi, two_pi, 30)?;
            let overlaps = overlap_from_width(&edges, 0.7)?;
            let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
            let model = Fbpinn::new(
                dec.clone(),
                &hidden,
                1,
                Elementary::Tanh,
                (0.0, 1.0 / omega),
            )?
            .with_hard_constraint(
                |b, x| b.linear(x, 1, &[0.0], None),
                move |b, x| vanish_at_zero(b, x, omega),
            )?;
            let scheduler = match cli.schedule {
                Schedule::All => None,
                Schedule::Point => Some(RadialScheduler::point(&dec, &[0.0], cli.steps)?),
            };
            let mut cost = FbpinnCost {
                dec: dec.clone(),
                scheduler: scheduler.clone(),
                train: train.clone(),
                per_point: flops_per_point(16, 2),
                last: None,
            };
            let name = match cli.schedule {
                Schedule::All => "fbpinn",
                Schedule::Point => "fbpinn-point",
            };
            let windows = windows(&dec, &test)?;
            let run = Run {
                name,
                windows,
                cost: &mut |s| cost.at(s),
            };
            let theta = model.init_params_with(Seed(cli.seed), fan_in_uniform)?;
            let strategy: Option<MakeSchedule> = match scheduler {
                None => None,
                Some(s) => {
                    let m = model.clone();
                    Some(Box::new(move |pde| SubdomainSchedule::new(&m, s, &[pde])))
                }
            };
            train_and_report::<T, _>(cli, run, model, theta, strategy, &data)
        }
        m => {
            let (h, l, name) = match m {
                ModelName::Pinn16 => (16, 2, "pinn-16-2"),
                ModelName::Pinn32 => (32, 3, "pinn-32-3"),
                ModelName::Pinn64 => (64, 4, "pinn-64-4"),
                _ => (128, 5, "pinn-128-5"),
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
            let theta = fan_in_uniform(&net, Seed(cli.seed));
            let per_step = flops_per_point(h, l) * train.len() as f64;
            let run = Run {
                name,
                windows: Vec::new(),
                cost: &mut |_| per_step,
            };
            train_and_report::<T, _>(cli, run, net, theta, None, &data)
        }
    }
}

/// Each subdomain's window on the test points inside its support (`NaN` outside).
fn windows(dec: &Decomposition, test: &[f64]) -> pinn::Result<Vec<Vec<f64>>> {
    (dec.subdomains().iter())
        .map(|s| {
            (test.iter())
                .map(|&x| {
                    if s.contains(&[x]) {
                        s.window().eval(&[x])
                    } else {
                        Ok(f64::NAN)
                    }
                })
                .collect()
        })
        .collect()
}

/// Makes the subdomain schedule of the residual term.
type MakeSchedule = Box<dyn FnOnce(TermId) -> pinn::Result<SubdomainSchedule>>;

/// The training and test points, the exact solution, and where figures go.
struct Data<'a> {
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

fn train_and_report<T: Real, M: Model<T> + Clone + 'static>(
    cli: &Cli,
    run: Run<'_>,
    model: M,
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
    let start = Instant::now();
    let omega = cli.omega;
    let n_params = theta.len();
    let every = (cli.steps / 50).max(1);
    let mut b = Trainer::<_, T, M>::builder(model, Cos1D { omega });
    let pde = b.add_pde_points(train.to_vec());
    let mut b = b
        .params(theta)
        .phase("adam", cli.steps, Adam::with_lr(1e-3)?)
        .metrics(test.to_vec(), exact.to_vec(), every)
        .observer(support::progress(
            support::Plan::new().adam("adam", cli.steps),
        ));
    if let Some(make) = strategy {
        b = b.strategy(make(pde)?);
    }
    if let Some(t) = cli.threads {
        b = b.threads(t);
    }
    let mut trainer = b.build()?;
    let report = trainer.run()?;
    let secs = start.elapsed().as_secs_f64();
    let u = trainer.predict(test)?;
    // The paper's L1 = mean |u − u*|; from the trainer's rMAE: L1 = rMAE · mean |u*|.
    let mean_abs = exact.iter().map(|v| v.abs()).sum::<f64>() / exact.len() as f64;
    // The cumulative cost after each step, in GFLOP.
    let mut gflop = Vec::with_capacity(report.steps);
    let mut total = 0.0;
    for s in 0..report.steps {
        total += cost(s) * 1e-9;
        gflop.push(total);
    }
    let curve: Vec<(f64, f64, f64)> = (report.metrics.iter())
        .map(|(s, m)| ((s + 1) as f64, gflop[*s], m.rmae * mean_abs))
        .collect();
    let l1 = u.iter().zip(exact).map(|(a, b)| (a - b).abs()).sum::<f64>() / u.len() as f64;
    let curve_json: Vec<String> = (curve.iter())
        .map(|(s, g, l)| format!("[{s},{g:.6e},{l:.6e}]"))
        .collect();
    let line = format!(
        "{{\"example\":\"fbpinn\",\"problem\":\"cos1d\",\"omega\":{omega},\"model\":\"{name}\",\"dtype\":\"{}\",\"seed\":{},\"params\":{n_params},\"steps\":{},\"l1\":{l1:e},\"gflop\":{total:.4e},\"seconds\":{secs:.1},\"curve\":[{}]}}",
        T::NAME,
        cli.seed,
        report.steps,
        curve_json.join(",")
    );
    println!(
        "cos1d ω = {omega} {name} ({}, seed {}): L1 test error {l1:.3e}, {n_params} parameters, \
         {total:.1} GFLOP, {secs:.0} s",
        T::NAME,
        cli.seed,
    );
    println!("{line}");
    if let Some(path) = &cli.record {
        support::append_record(path, std::slice::from_ref(&line));
    }
    let err: Vec<f64> = u
        .iter()
        .zip(exact)
        .map(|(a, b)| (a - b).abs().max(1e-16))
        .collect();
    let png = data.dir.join(format!(
        "cos1d-w{omega}-{name}-{}-s{}.png",
        T::NAME,
        cli.seed
    ));
    let mut panels = vec![
        LinePanel::new("solution", "x", "u")
            .legend(SeriesLabelPosition::LowerLeft)
            .with(Series::line("exact", xy(test, exact)).colour(5).width(4))
            .with(Series::dashed(name, xy(test, &u)).colour(1)),
        LinePanel::new("pointwise error", "x", "|u − u*|")
            .log_y()
            .with(Series::line("", xy(test, &err)).colour(3)),
        LinePanel::new("L1 test error against the step", "step", "mean |u − u*|")
            .log_y()
            .with(Series::line(
                name,
                curve.iter().map(|c| (c.0, c.2)).collect(),
            )),
        LinePanel::new("L1 test error against the cost", "GFLOP", "mean |u − u*|")
            .log_y()
            .with(Series::line(
                name,
                curve.iter().map(|c| (c.1, c.2)).collect(),
            )),
    ];
    if !windows.is_empty() {
        let mut p = LinePanel::new(
            format!(
                "the {} subdomains' windows (on their supports)",
                windows.len()
            ),
            "x",
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
                "Cos1D u′ = cos({omega}x), {name} ({}, seed {}): L1 {l1:.2e}",
                T::NAME,
                cli.seed
            ),
            &panels,
            (720, 240),
        )
    })?;
    Ok(())
}

/// One recorded run of `--compare`: its model name and its curve `(step, GFLOP, L1)`.
struct Recorded {
    model: String,
    curve: Vec<(f64, f64, f64)>,
}

/// The string value of `"key":"…"` in a JSON line of ours.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat)? + pat.len()..];
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let end = rest.find(['"', ',', '}'])?;
    Some(&rest[..end])
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

fn compare(cli: &Cli, file: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read --compare {}: {e}", file.display()))?;
    let seed = cli.seed.to_string();
    let omega = cli.omega.to_string();
    let mut runs: Vec<Recorded> = Vec::new();
    for line in text.lines() {
        let matches = field(line, "problem") == Some("cos1d")
            && field(line, "omega") == Some(omega.as_str())
            && field(line, "dtype") == Some(cli.dtype.name())
            && field(line, "seed") == Some(seed.as_str());
        if let (true, Some(model), Some(c)) = (matches, field(line, "model"), curve(line)) {
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
            "no run in {} has a curve for ω = {omega}, {}, seed {seed}",
            file.display(),
            cli.dtype
        )
        .into());
    }
    let mut by_step = LinePanel::new("L1 test error against the step", "step", "mean |u − u*|")
        .log_y()
        .legend(SeriesLabelPosition::LowerLeft);
    let mut by_cost = LinePanel::new("L1 test error against the cost", "GFLOP", "mean |u − u*|")
        .log_y()
        .legend(SeriesLabelPosition::LowerRight);
    for (k, r) in runs.iter().enumerate() {
        let c = k % 6;
        by_step = by_step
            .with(Series::line(&r.model, r.curve.iter().map(|p| (p.0, p.2)).collect()).colour(c));
        by_cost = by_cost
            .with(Series::line(&r.model, r.curve.iter().map(|p| (p.1, p.2)).collect()).colour(c));
        let last = r.curve.last().map_or(f64::NAN, |p| p.2);
        println!("{:<14} L1 at the last recorded step: {last:.3e}", r.model);
    }
    let dir = support::out_dir(Some("fbpinn"))?;
    let png = dir.join(format!("cos1d-w{omega}-compare-{}-s{seed}.png", cli.dtype));
    support::save_figure(&png, |path| {
        lines(
            path,
            &format!(
                "Cos1D u′ = cos({omega}x): FBPINN against PINNs ({}, seed {seed})",
                cli.dtype
            ),
            &[by_step, by_cost],
            (720, 300),
        )
    })?;
    Ok(())
}
