//! Hamilton–Jacobi–Bellman (LQG) in N dimensions (He et al. 2023 §5.3): `u_t + Δ_x u −
//! λ‖∇_x u‖² = 0` on `[0, 1]^N × [0, 1]`, `u(x, 1) = ln((1 + ‖x‖²)/2)`, λ = 1, trained three
//! ways from the same initialisation:
//!
//! - `stein`: the Gaussian-smoothed model, every derivative by Stein's identity
//!   (`improved-steins`, K = 2048, σ_x = σ_t = 0.01; terminal weight 500, lr 2e-4, as coded);
//! - `pinn`: the exact PINN, `∇u`, `Δu` and `u_tt` from the forward-Laplacian jets (terminal
//!   weight 20, lr 7e-4, as coded);
//! - `probes`: the same network with `Δu` estimated from P random probes pushed through the
//!   jets (Hutchinson; `∇u` and `u_tt` exact), weights and rate as `pinn`.
//!
//! Every step draws 100 interior points (x, t uniform) and 100 terminal points (t = 1); Adam
//! with the rate decaying linearly to 0. The validation measure is the mean squared error
//! against the Cole–Hopf solution (`HjbLqg`, a quadrature accurate to 1e-13) on a fixed
//! held-out set, each model evaluated as it is trained (the Stein model smoothed, with K
//! samples); the example reports the training time to reach `--target` (1e-4) and plots the
//! curves against step and against training seconds.
//!
//! ```sh
//! cargo run --release --example hjb -- --dim 100 --steps 200 --width 256
//! cargo run --release --example hjb -- --dim 1000 --method pinn --steps 100
//! ```

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::model::{Model, Probe, ProbedLaplacian, SteinEstimator, SteinSmoothed, evaluate};
use pinn::nets::fan_in_uniform;
use pinn::optim::{Adam, AdamConfig, Schedule};
use pinn::pde::problems::{HjbLqg, Problem};
use pinn::rng::{Seed, uniform};
use pinn::train::{TermKind, Trainer};
use support::Dtype;
use support::curves::{CurvePoint, CurveRunArgs, RunFiles, plot_curves, time_to, train_measured};

/// Which models to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Method {
    /// The Stein-smoothed model.
    Stein,
    /// The exact PINN (forward-Laplacian jets).
    Pinn,
    /// The network with a probed (Hutchinson) Laplacian.
    Probes,
    /// All three.
    All,
}

/// HJB–LQG in N dimensions: Stein, exact PINN and probed Laplacian.
#[derive(Parser, Debug)]
#[command(
    name = "hjb",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "Cost on this 2-core machine (f32, 2 threads, beside other jobs), N = 100, \
                  width 256: the exact PINN about 0.3 s a step, the probes (P = 16) 0.4 s, \
                  the Stein model (K = 2048) 6 s; at width 768 the PINN takes 1.2 s a step. \
                  The jets carry N + 3 blocks per point (the probes N + 2P + 2), so their cost \
                  grows with N × width²; the Stein model runs K + 1 passes per point, growing \
                  with K × (N + width) × width. Validation evaluates the Stein model K times \
                  per held-out point."
)]
struct Cli {
    /// Which models to train.
    #[arg(long, value_enum, default_value_t = Method::All)]
    method: Method,
    /// The spatial dimension N.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = support::cli::at_least(1))]
    dim: usize,
    /// Adam steps (the rate decays linearly to 0 over them; the paper runs 10 000).
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = support::cli::at_least(1))]
    steps: usize,
    /// Hidden width (three hidden tanh layers; the paper's 768).
    #[arg(long, value_name = "W", default_value_t = 768,
          value_parser = support::cli::at_least(1))]
    width: usize,
    /// Fresh interior points per step, and as many terminal points.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = support::cli::at_least(1))]
    batch: usize,
    /// K, the Stein model's evaluations per point (training and evaluation).
    #[arg(long, value_name = "K", default_value_t = 2048,
          value_parser = support::cli::at_least(2))]
    samples: usize,
    /// The Stein smoothing σ, for x and t.
    #[arg(long, default_value_t = 0.01, value_parser = support::cli::number_in(1e-6, 1.0))]
    sigma: f64,
    /// P, probes per point for the probed Laplacian.
    #[arg(long, value_name = "P", default_value_t = 16,
          value_parser = support::cli::at_least(1))]
    probes: usize,
    /// Held-out points for the validation MSE.
    #[arg(long, value_name = "N", default_value_t = 200,
          value_parser = support::cli::at_least(1))]
    val_points: usize,
    /// Steps between validations (their time is not counted as training).
    #[arg(long, value_name = "N", default_value_t = 25,
          value_parser = support::cli::at_least(1))]
    val_every: usize,
    /// Stop each method after this many training seconds (validations not counted), at the
    /// end of a validation segment [default: no limit].
    #[arg(long, value_name = "S", value_parser = support::cli::number_in(1.0, 1e9))]
    max_seconds: Option<f64>,
    /// The validation MSE whose training time is reported.
    #[arg(long, default_value_t = 1e-4, value_parser = support::cli::number_in(1e-16, 1e6))]
    target: f64,
    /// The seed of the initialisation, the points and the samples.
    #[arg(long, value_name = "S", default_value_t = 1234)]
    seed: u64,
    #[command(flatten)]
    run: CurveRunArgs,
}

/// `n` points of the box, with `t = 1` for the terminal set.
fn draw(n_dim: usize, n: usize, terminal: bool, seed: Seed) -> Vec<f64> {
    let mut rng = seed.rng();
    let mut v = Vec::with_capacity(n * (n_dim + 1));
    for _ in 0..n {
        v.extend((0..n_dim).map(|_| uniform(&mut rng)));
        v.push(if terminal { 1.0 } else { uniform(&mut rng) });
    }
    v
}

/// The peak resident memory of this process so far, in MiB (`VmHWM`; Linux only).
fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// What one run measured.
struct Outcome {
    curve: Vec<CurvePoint>,
    steps: usize,
    mse: f64,
    rel_l2: f64,
    seconds: f64,
}

/// Trains `model` with terminal weight `w_term` and rate `lr`; validates with `eval_model`.
#[allow(clippy::too_many_arguments)]
fn train<T: Real, M: Model<T> + 'static>(
    model: M,
    eval_model: &M,
    theta: Vec<T>,
    cli: &Cli,
    label: &str,
    w_term: f64,
    lr: f64,
    chunk: usize,
    val: &(Vec<f64>, Vec<f64>),
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let p = HjbLqg::new(cli.dim, 1.0)?;
    let terminal = p.conditions().remove(0);
    let (nd, n) = (cli.dim, cli.batch);
    let adam = Adam::new(AdamConfig {
        lr,
        schedule: Schedule::linear(cli.steps as u64)?,
        ..AdamConfig::default()
    })?;
    let mut b = Trainer::<_, T, M>::builder(model, p)
        .params(theta)
        .seed(Seed(cli.seed).derive(1))
        .chunk_size(chunk)
        .phase("adam", cli.steps, adam);
    b.add_resampled("pde", TermKind::Pde, 1, move |s| {
        Ok((draw(nd, n, false, s), Vec::new()))
    });
    let term = b.add_resampled(
        "terminal",
        TermKind::Condition(terminal.condition),
        1,
        move |s| Ok((draw(nd, n, true, s), Vec::new())),
    );
    b = b.weight(term, w_term);
    if let Some(t) = cli.run.threads {
        b = b.threads(t);
    }
    b = b.observer(support::progress(
        support::Plan::new().adam(label, cli.steps),
    ));
    let files = (cli.run.checkpoint.as_deref()).map(|d| RunFiles::new(d, label, T::NAME));
    if let Some(f) = &files {
        b = f.attach(b, cli.val_every);
    }
    let mut trainer = b.build()?;
    let (vx, vu) = val;
    let vx_t: Vec<T> = vx.iter().map(|&v| T::from_f64(v)).collect();
    let errors = |theta: &[T]| -> pinn::Result<(f64, f64)> {
        let u = evaluate(eval_model, theta, &vx_t)?;
        let (mut se, mut norm) = (0.0, 0.0);
        for (a, b) in u.iter().zip(vu) {
            se += (a.to_f64() - b).powi(2);
            norm += b * b;
        }
        Ok((se / vu.len() as f64, (se / norm).sqrt()))
    };
    let budget = cli.max_seconds.unwrap_or(f64::INFINITY);
    let curve = train_measured(
        &mut trainer,
        cli.steps,
        cli.val_every,
        budget,
        label,
        files.as_ref().map(|f| f.journal.as_path()),
        |th| errors(th).map(|e| e.0),
    )?;
    // A run stopped by --max-seconds keeps its files.
    if let Some(f) = &files
        && trainer.step() >= cli.steps
    {
        f.remove();
    }
    let (mse, rel_l2) = errors(trainer.params())?;
    Ok(Outcome {
        steps: trainer.step(),
        seconds: curve.last().map_or(0.0, |c| c.seconds),
        curve,
        mse,
        rel_l2,
    })
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let out = support::out_dir(Some("hjb"))?;
    cli.run.check()?;
    let (nd, w) = (cli.dim, cli.width);
    let p = HjbLqg::new(nd, 1.0)?;
    let net = Graph::mlp(&[nd + 1, w, w, w, 1], Elementary::Tanh)?;
    let theta: Vec<T> = fan_in_uniform(&net, Seed(cli.seed));
    let vx = draw(nd, cli.val_points, false, Seed(cli.seed).derive(9));
    let vu = p.reference_at(&vx)?;
    let val = (vx, vu);
    // Points per chunk: about 256 MiB of jets per thread (blocks × width × 8 bytes × 8 nodes).
    let chunk_of = |blocks: usize| ((256usize << 20) / (blocks * w * 64).max(1)).clamp(1, 64);
    let methods: Vec<&str> = match cli.method {
        Method::Stein => vec!["stein"],
        Method::Pinn => vec!["pinn"],
        Method::Probes => vec!["probes"],
        Method::All => vec!["pinn", "probes", "stein"],
    };
    let mut curves = Vec::new();
    let mut json = Vec::new();
    for method in methods {
        let rss_before = peak_rss_mib();
        let o = match method {
            "stein" => {
                let f = SteinSmoothed::new(
                    net.clone(),
                    &vec![cli.sigma; nd + 1],
                    cli.samples,
                    SteinEstimator::Improved,
                )?
                // One inner pass per trainer chunk of 8 points: no recomputation.
                .with_chunk(8 * (cli.samples + 1));
                train(
                    f.clone(),
                    &f,
                    theta.clone(),
                    cli,
                    method,
                    500.0,
                    2e-4,
                    8,
                    &val,
                )?
            }
            "pinn" => {
                let chunk = chunk_of(nd + 3);
                train(
                    net.clone(),
                    &net,
                    theta.clone(),
                    cli,
                    method,
                    20.0,
                    7e-4,
                    chunk,
                    &val,
                )?
            }
            _ => {
                let f = ProbedLaplacian::new(net.clone(), cli.probes, Probe::Rademacher)?;
                let chunk = chunk_of(nd + 3 + 2 * cli.probes);
                train(
                    f.clone(),
                    &f,
                    theta.clone(),
                    cli,
                    method,
                    20.0,
                    7e-4,
                    chunk,
                    &val,
                )?
            }
        };
        let reach = time_to(&o.curve, cli.target);
        let best = o
            .curve
            .iter()
            .map(|c| c.value)
            .fold(f64::INFINITY, f64::min);
        let rss = peak_rss_mib();
        println!(
            "{method} (N = {nd}, {}): validation MSE {:.3e} (best {best:.3e}), L2 rel. error {:.3e}, {:.2} s/step, {} {:e}, peak RSS {} MiB",
            T::NAME,
            o.mse,
            o.rel_l2,
            o.seconds / o.steps.max(1) as f64,
            reach.map_or("did not reach".to_string(), |s| format!(
                "{s:.1} s of training to reach"
            )),
            cli.target,
            rss.map_or("?".into(), |r| format!("{r:.0}")),
        );
        let extra = match method {
            "stein" => format!(",\"samples\":{},\"sigma\":{}", cli.samples, cli.sigma),
            "probes" => format!(",\"probes\":{}", cli.probes),
            _ => String::new(),
        };
        json.push(format!(
            "{{\"example\":\"hjb\",\"method\":\"{method}\",\"dim\":{nd},\"width\":{w},\"dtype\":\"{}\",\"seed\":{},\"steps\":{},\"steps_planned\":{},\"batch\":{}{extra},\"mse\":{:e},\"best_mse\":{best:e},\"rel_l2\":{:e},\"seconds\":{:.2},\"s_per_step\":{:.4},\"target\":{:e},\"seconds_to_target\":{},\"peak_rss_mib\":{},\"peak_rss_mib_before\":{}}}",
            T::NAME,
            cli.seed,
            o.steps,
            cli.steps,
            cli.batch,
            o.mse,
            o.rel_l2,
            o.seconds,
            o.seconds / o.steps.max(1) as f64,
            cli.target,
            reach.map_or("null".into(), |s| format!("{s:.2}")),
            rss.map_or("null".into(), |r| format!("{r:.0}")),
            rss_before.map_or("null".into(), |r| format!("{r:.0}")),
        ));
        curves.push((method.to_string(), o.curve));
    }
    for l in &json {
        println!("{l}");
    }
    if let Some(path) = &cli.run.record {
        support::append_record(path, &json);
    }
    plot_curves(
        &out.join(format!("hjb_n{nd}_{}.png", T::NAME)),
        &format!(
            "HJB–LQG, N = {nd}, width {w}, {}: validation MSE against the Cole–Hopf solution",
            T::NAME
        ),
        "validation MSE",
        &curves,
    )?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    support::cli::finish(match cli.run.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}
