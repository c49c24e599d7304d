//! The Stein estimators' error against their sample count (He et al. 2023, Fig. 4, first two
//! panels): a fixed random 5-layer tanh MLP `g` on `R^d` (d = 1000), σ = 0.1, and the error of
//! each estimator's `∇f` and `Δf` of the smoothed `f = E[g(x + δ)]` for K = 10² … 10⁵.
//!
//! **The oracle.** `∇f = E[∇g(x + δ)]` and `Δf = E[Δg(x + δ)]`: the exact gradient and
//! Laplacian of `g` from the forward-Laplacian jets at M perturbed copies (the
//! reparameterised, "back-propagation through the smoothed model" path of the paper), whose
//! own standard error is printed and drawn beside the estimators' errors.
//!
//! **The errors** are `‖∇̂f − ∇f‖ / ‖∇f‖` and `|Δ̂f − Δf| / |Δf|`, averaged over the test
//! points (x ~ N(0, I)), for the four estimators of `pinn::model::SteinSmoothed`.
//!
//! ```sh
//! cargo run --release --example stein_ablation                    # d = 1000, about 10 min
//! cargo run --release --example stein_ablation -- --dim 100 --k-max 10000
//! ```

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use pinn::ad::jet::{Component, Graph, JetWorkspace, Selection};
use pinn::ad::{Elementary, Real};
use pinn::model::{Batch, Model, SteinEstimator, SteinSmoothed};
use pinn::nets::fan_in_uniform;
use pinn::rng::{Seed, standard_normal};
use support::Dtype;
use support::plot::{LinePanel, Series, lines};

const ESTIMATORS: [SteinEstimator; 4] = [
    SteinEstimator::Vanilla,
    SteinEstimator::ControlVariate,
    SteinEstimator::Antithetic,
    SteinEstimator::Improved,
];

/// The error of the Stein estimators of ∇f and Δf against K (He et al. 2023, Fig. 4).
#[derive(Parser, Debug)]
#[command(
    name = "stein_ablation",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "Cost on this 2-core machine (beside other jobs) at the defaults: the oracle \
                  about 3 min (M forward-Laplacian jets of d directions per point: points × M × \
                  d × width²), the estimates about 25 min, most of it at K = 10⁵ (points × K \
                  forward passes per estimator). --dim 100 --k-max 10000 takes seconds."
)]
struct Cli {
    /// The input dimension d.
    #[arg(long, value_name = "D", default_value_t = 1000,
          value_parser = support::cli::at_least(1))]
    dim: usize,
    /// The hidden width (four hidden layers: a 5-layer MLP).
    #[arg(long, value_name = "W", default_value_t = 128,
          value_parser = support::cli::at_least(1))]
    width: usize,
    /// The smoothing σ.
    #[arg(long, default_value_t = 0.1, value_parser = support::cli::number_in(1e-6, 10.0))]
    sigma: f64,
    /// Test points x ~ N(0, I).
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = support::cli::at_least(1))]
    points: usize,
    /// M, perturbed copies per point for the oracle (each costs a d-direction jet).
    #[arg(long, value_name = "M", default_value_t = 1000,
          value_parser = support::cli::at_least(2))]
    oracle_samples: usize,
    /// The largest K, a power of ten (K = 100, 1000, … up to it).
    #[arg(long, value_name = "K", default_value_t = 100_000,
          value_parser = support::cli::at_least(100))]
    k_max: usize,
    /// The seed of the network, the points and the samples.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The precision of the estimators (the oracle is always f64).
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Append the JSON lines to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// The oracle at one point.
struct Truth {
    /// `∇f`.
    grad: Vec<f64>,
    /// `Δf`.
    lap: f64,
    /// The standard error of `∇f` (the norm of the coordinates' standard errors).
    se_grad: f64,
    /// The standard error of `Δf`.
    se_lap: f64,
}

/// One estimator at one K: mean relative errors over the points.
struct Row {
    k: usize,
    grad_err: f64,
    lap_err: f64,
}

/// The oracle at each point.
fn oracle(g: &Graph, theta: &[f64], pts: &[f64], cli: &Cli) -> pinn::Result<Vec<Truth>> {
    let d = cli.dim;
    let sel = Selection::new(d).laplacian();
    let mut ws = JetWorkspace::new(g, &sel)?;
    let chunk = 32;
    let mut out = Vec::new();
    for (p, x) in pts.chunks_exact(d).enumerate() {
        let mut rng = Seed(cli.seed).derive(1 << 40).derive(p as u64).rng();
        let (mut s1, mut s2) = (vec![0.0; d], vec![0.0; d]);
        let (mut l1, mut l2) = (0.0, 0.0);
        let mut left = cli.oracle_samples;
        while left > 0 {
            let k = left.min(chunk);
            left -= k;
            let mut batch = Vec::with_capacity(k * d);
            for _ in 0..k {
                batch.extend(
                    x.iter()
                        .map(|&xi| xi + cli.sigma * standard_normal(&mut rng)),
                );
            }
            ws.forward(g, theta, &batch)?;
            for (i, (a, b)) in s1.iter_mut().zip(s2.iter_mut()).enumerate() {
                for &v in ws.output(Component::First(i))? {
                    *a += v;
                    *b += v * v;
                }
            }
            for &v in ws.output(Component::Laplacian)? {
                l1 += v;
                l2 += v * v;
            }
        }
        let m = cli.oracle_samples as f64;
        let var = |s: f64, q: f64| ((q / m - (s / m) * (s / m)) * m / (m - 1.0)).max(0.0) / m;
        let grad: Vec<f64> = s1.iter().map(|s| s / m).collect();
        let se_grad = s1
            .iter()
            .zip(&s2)
            .map(|(&s, &q)| var(s, q))
            .sum::<f64>()
            .sqrt();
        out.push(Truth {
            grad,
            lap: l1 / m,
            se_grad,
            se_lap: var(l1, l2).sqrt(),
        });
        eprint!("\roracle: point {}/{}", p + 1, cli.points);
    }
    eprintln!();
    Ok(out)
}

fn norm(v: impl Iterator<Item = f64>) -> f64 {
    v.map(|a| a * a).sum::<f64>().sqrt()
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = support::out_dir(Some("stein_ablation"))?;
    if let Some(path) = &cli.record {
        support::check_writable("--record", path)?;
    }
    let (d, w) = (cli.dim, cli.width);
    let g = Graph::mlp(&[d, w, w, w, w, 1], Elementary::Tanh)?;
    let theta: Vec<f64> = fan_in_uniform(&g, Seed(cli.seed));
    let mut rng = Seed(cli.seed).derive(1).rng();
    let pts: Vec<f64> = (0..cli.points * d)
        .map(|_| standard_normal(&mut rng))
        .collect();

    let start = Instant::now();
    let truth = oracle(&g, &theta, &pts, cli)?;
    let oracle_s = start.elapsed().as_secs_f64();
    let mean = |f: &dyn Fn(&Truth) -> f64| truth.iter().map(f).sum::<f64>() / truth.len() as f64;
    let oracle_grad_err = mean(&|t| t.se_grad / norm(t.grad.iter().copied()));
    let oracle_lap_err = mean(&|t| t.se_lap / t.lap.abs());
    println!(
        "oracle: M = {} per point, {:.1} s; its relative standard error: ∇f {:.2e}, Δf {:.2e} (mean over points); mean |Δf| {:.3e}, mean ‖∇f‖ {:.3e}",
        cli.oracle_samples,
        oracle_s,
        oracle_grad_err,
        oracle_lap_err,
        mean(&|t| t.lap.abs()),
        mean(&|t| norm(t.grad.iter().copied()))
    );

    let mut comps: Vec<Component> = (0..d).map(Component::First).collect();
    comps.push(Component::Laplacian);
    let nc = comps.len();
    let theta_t: Vec<T> = theta.iter().map(|&v| T::from_f64(v)).collect();
    let pts_t: Vec<T> = pts.iter().map(|&v| T::from_f64(v)).collect();
    let mut ks = Vec::new();
    let mut k = 100;
    while k <= cli.k_max {
        ks.push(k);
        k *= 10;
    }
    let mut rows: Vec<(SteinEstimator, Vec<Row>)> = Vec::new();
    let mut json = Vec::new();
    println!(
        "{:>16} {:>8} {:>12} {:>12} {:>10}",
        "estimator", "K", "err ∇f", "err Δf", "s"
    );
    for est in ESTIMATORS {
        let mut row = Vec::new();
        for &k in &ks {
            let f = SteinSmoothed::new(g.clone(), &vec![cli.sigma; d], k, est)?;
            let mut ws = f.workspace(&comps)?;
            let mut v = vec![T::zero(); cli.points * nc];
            let batch = Batch {
                points: &pts_t,
                first: 0,
                stream: Seed(cli.seed).derive(2).derive(k as u64),
            };
            let t0 = Instant::now();
            f.forward(&mut ws, &theta_t, &batch, &mut v)?;
            let secs = t0.elapsed().as_secs_f64();
            let (mut eg, mut el) = (0.0, 0.0);
            for (p, t) in truth.iter().enumerate() {
                let est_v = &v[p * nc..(p + 1) * nc];
                let diff = norm(est_v[..d].iter().zip(&t.grad).map(|(a, b)| a.to_f64() - b));
                eg += diff / norm(t.grad.iter().copied());
                el += (est_v[d].to_f64() - t.lap).abs() / t.lap.abs();
            }
            let (eg, el) = (eg / cli.points as f64, el / cli.points as f64);
            println!(
                "{:>16} {k:>8} {eg:>12.3e} {el:>12.3e} {secs:>10.2}",
                est.name()
            );
            json.push(format!(
                "{{\"example\":\"stein_ablation\",\"dtype\":\"{}\",\"dim\":{d},\"width\":{w},\"sigma\":{},\"points\":{},\"seed\":{},\"estimator\":\"{}\",\"samples\":{k},\"rel_err_grad\":{eg:e},\"rel_err_lap\":{el:e},\"oracle_samples\":{},\"oracle_rel_se_grad\":{oracle_grad_err:e},\"oracle_rel_se_lap\":{oracle_lap_err:e},\"seconds\":{secs:.3}}}",
                T::NAME,
                cli.sigma,
                cli.points,
                cli.seed,
                est.name(),
                cli.oracle_samples
            ));
            row.push(Row {
                k,
                grad_err: eg,
                lap_err: el,
            });
        }
        rows.push((est, row));
    }
    for l in &json {
        println!("{l}");
    }
    if let Some(path) = &cli.record {
        support::append_record(path, &json);
    }

    let k_span = (ks[0] as f64, *ks.last().unwrap_or(&ks[0]) as f64);
    let panel = |title: &str, y: &str, pick: fn(&Row) -> f64, floor: f64| {
        let mut p = LinePanel::new(title, "K, evaluations per point (log10)", y).log_y();
        for (i, (est, row)) in rows.iter().enumerate() {
            let pts = row
                .iter()
                .map(|r| ((r.k as f64).log10(), pick(r)))
                .collect();
            p = p.with(Series::line(est.name(), pts).colour(i));
        }
        p.with(
            Series::dashed(
                "oracle standard error",
                vec![(k_span.0.log10(), floor), (k_span.1.log10(), floor)],
            )
            .colour(4),
        )
    };
    let path = out_dir.join(format!("stein_ablation_d{d}_{}.png", T::NAME));
    support::save_figure(&path, |p| {
        lines(
            p,
            &format!(
                "Stein estimators on a random 5-layer tanh MLP, d = {d}, width {w}, σ = {}, {} points, {}",
                cli.sigma,
                cli.points,
                T::NAME
            ),
            &[
                panel(
                    "gradient: |estimate − grad f| / |grad f| (antithetic = improved)",
                    "relative error",
                    |r| r.grad_err,
                    oracle_grad_err,
                ),
                panel(
                    "Laplacian: |estimate − Δf| / |Δf|",
                    "relative error",
                    |r| r.lap_err,
                    oracle_lap_err,
                ),
            ],
            (640, 420),
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
