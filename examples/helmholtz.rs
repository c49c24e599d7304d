//! Wang, Teng & Perdikaris (2021), Helmholtz 2-D (Table 3, row 50 units / 3 hidden layers),
//! and the self-adaptive PINN of McClenny & Braga-Neto on the same problem.
//!
//! `Δu + u = q` on `[−1, 1]²`, `u = sin(πx) sin(4πy)`, Dirichlet `u = u*` on the four sides.
//!
//! - `m1` plain MLP, `m2` MLP + learning-rate annealing, `m3` modified MLP, `m4` modified
//!   MLP + annealing: layers `[2, 50, 50, 50, 1]`, inputs normalised by the mean and standard
//!   deviation (ddof 0) of 10⁵ uniform points of the square, Xavier-normal weights, 40 001
//!   Adam steps with lr `1e-3·0.9^(n/1000)`, a fresh batch of 128 uniform points per term per
//!   step (the residual in the square, each side on its segment), `L = L_r + λ·(L_bc1 + … +
//!   L_bc4)` with one `λ` for the four sides, updated every 10 steps as coded
//!   ([`LrAnnealing`]; `--lambda-free` for the variant without `λ` in the denominator).
//!   `--gating old` (M3/M4) takes the modified MLP's gate from the other version of the
//!   authors' `Helmholtz2D_model_tf.py`, `σ(HW + b)⊙U + σ(1 − HW + b)⊙V` ([`Gate::Shifted`]);
//!   the default `z` is `Z⊙U + (1 − Z)⊙V`, as the spec.
//! - `sa` (SA-PINN, `levimcclenny/SA-PINNs/Helmholtz/helmholtz.py`): layers
//!   `[2, 50, 50, 50, 50, 1]` on raw inputs, 100 000 Latin-hypercube collocation points with
//!   `λ_r ~ U(0, 1)` each (inside the square), 100 points per side (the same 100 of a
//!   1001-point linspace on every side), boundaries unweighted, full batch; 10 000 Adam steps
//!   (lr 1e-3, `β₁ = 0.99`, `ε = 1e-7`, for θ and for λ, λ by ascent), then 10 000 L-BFGS
//!   iterations (500 steps of 20, 50 stored pairs) with λ frozen. The code's L-BFGS takes a
//!   fixed step of 0.8 with no line search; this one uses the crate's strong-Wolfe search.
//!
//! Relative ℓ² error on the 100×100 `linspace` grid of the square (boundary included).
//!
//! ```text
//! cargo run --release --example helmholtz -- --model m1|m2|m3|m4|sa [--dtype f32|f64]
//!     [--seed S] [--steps N] [--threads K] [--lambda-free] [--gating z|old]
//!     [--nf N_f] [--lbfgs-iters N]                      (sa only)
//! ```
//!
//! `--steps` is the number of Adam steps (default 40 001; 10 000 for `sa`). Writes
//! `target/examples-out/helmholtz_<model>_<dtype>_s<seed>{.png,_loss.png,_lambda.png,
//! _lambda.csv}` (prediction | exact | |error|; loss terms; λ history) and ends with one JSON
//! line.

#[path = "support/mod.rs"]
mod support;

use pinn::ad::{Elementary, Real};
use pinn::domain::BoxDomain;
use pinn::nets::{Gate, NetBuilder};
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig, Schedule};
use pinn::pde::problems::{Helmholtz2D, Problem};
use pinn::rng::{Seed, uniform};
use pinn::sampling::{LatinHypercube, Sampler};
use pinn::strategies::{
    Denominator, LrAnnealing, LrAnnealingConfig, SelfAdaptive, SelfAdaptiveConfig, WeightLog,
};
use pinn::train::{Control, Trainer};

/// Table 3, 50 units / 3 hidden layers: mean and standard deviation over 10 seeds.
const PAPER: [(&str, f64, f64); 4] = [
    ("m1", 1.94e-1, 3.91e-2),
    ("m2", 1.44e-2, 6.37e-3),
    ("m3", 2.12e-2, 4.32e-3),
    ("m4", 3.30e-3, 4.29e-4),
];

/// Seed streams of the example (the trainer uses 0, 1 + term and 2³² + k).
const NORMALISATION_STREAM: u64 = 1 << 48;
const SA_WEIGHT_STREAM: u64 = (1 << 48) + 1;
const SA_POINT_STREAM: u64 = (1 << 48) + 2;

struct Args {
    model: String,
    dtype: String,
    seed: u64,
    steps: Option<usize>,
    threads: usize,
    lambda_free: bool,
    /// The modified MLP's gate (`--gating z|old`).
    gate: Gate,
    nf: usize,
    lbfgs_iters: usize,
}

fn parse() -> Result<Args, String> {
    let get = support::arg;
    let num = |name: &str, default: usize| support::arg_num(name).map(|v| v.unwrap_or(default));
    let model = get("--model").unwrap_or_else(|| "m1".into());
    if !["m1", "m2", "m3", "m4", "sa"].contains(&model.as_str()) {
        return Err(format!(
            "--model must be m1, m2, m3, m4 or sa, found {model}"
        ));
    }
    let dtype = get("--dtype").unwrap_or_else(|| "f32".into());
    if dtype != "f32" && dtype != "f64" {
        return Err(format!("--dtype must be f32 or f64, found {dtype}"));
    }
    let gate = match get("--gating").as_deref() {
        None | Some("z") => Gate::Complement,
        Some("old") if model == "m3" || model == "m4" => Gate::Shifted,
        Some("old") => return Err(format!("--gating old needs m3 or m4, found {model}")),
        Some(g) => return Err(format!("--gating must be z or old, found {g}")),
    };
    Ok(Args {
        model,
        dtype,
        seed: num("--seed", 0)? as u64,
        steps: support::arg_num("--steps")?,
        threads: num("--threads", 1)?.max(1),
        lambda_free: std::env::args().any(|a| a == "--lambda-free"),
        gate,
        nf: num("--nf", 100_000)?,
        lbfgs_iters: num("--lbfgs-iters", 10_000)?,
    })
}

/// `μ_X`, `σ_X` (ddof 0) of 10⁵ uniform points of `[−1, 1]²`, as the code computes them.
fn normalisation(seed: Seed) -> (Vec<f64>, Vec<f64>) {
    let n = 100_000;
    let mut rng = seed.rng();
    let pts: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            [
                -1.0 + 2.0 * uniform(&mut rng),
                -1.0 + 2.0 * uniform(&mut rng),
            ]
        })
        .collect();
    let mut mu = vec![0.0; 2];
    let mut sigma = vec![0.0; 2];
    for k in 0..2 {
        mu[k] = pts.iter().map(|p| p[k]).sum::<f64>() / n as f64;
        let var = pts.iter().map(|p| (p[k] - mu[k]).powi(2)).sum::<f64>() / n as f64;
        sigma[k] = var.sqrt();
    }
    (mu, sigma)
}

/// What a run produced.
struct Outcome {
    rel_l2: f64,
    seconds: f64,
    steps: usize,
    prediction: Vec<f64>,
    lambda: Vec<f64>,
    history: Vec<(usize, Vec<f64>)>,
    log: Option<WeightLog>,
}

fn test_grid() -> (Vec<f64>, Vec<f64>) {
    let xs = support::linspace(-1.0, 1.0, 100);
    let grid = support::grid2(&xs, &xs);
    let reference = Helmholtz2D::default()
        .reference_at(&grid)
        .expect("the exact solution is defined everywhere");
    (grid, reference)
}

fn progress<T: Real>(e: &pinn::train::Event<'_, T>) -> Control {
    if let Some(m) = e.metrics {
        println!(
            "step {:6} [{}] loss {:.3e}  rel-L2 {:.3e}  {:.0} s",
            e.step,
            e.phase,
            e.loss.to_f64(),
            m.rel_l2,
            e.seconds
        );
    }
    Control::Continue
}

/// M1–M4.
fn run_wang<T: Real>(a: &Args) -> Result<Outcome, pinn::Error> {
    let problem = Helmholtz2D::default();
    let steps = a.steps.unwrap_or(40_001);
    let seed = Seed(a.seed);
    let (mu, sigma) = normalisation(seed.derive(NORMALISATION_STREAM));
    let modified = a.model == "m3" || a.model == "m4";
    let annealing = a.model == "m2" || a.model == "m4";
    let builder = NetBuilder::new(2).normalize(&mu, &sigma);
    let net = if modified {
        builder.modified_mlp_gated(&[50; 3], Elementary::Tanh, a.gate)
    } else {
        builder.mlp(&[50; 3], Elementary::Tanh)
    }
    .build(1)?;

    let conditions = problem.conditions();
    // Term order: "pde" (term 0), then the sides in the code's order.
    let mut names = vec!["pde".to_string()];
    names.extend(conditions.iter().map(|c| c.name.clone()));
    let draw_interior = |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
        let mut rng = s.rng();
        let pts = (0..2 * 128)
            .map(|_| -1.0 + 2.0 * uniform(&mut rng))
            .collect();
        Ok((pts, vec![]))
    };
    let draw_side = |region: pinn::pde::problems::Region| {
        move |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
            let mut rng = s.rng();
            let p = Helmholtz2D::default().sample_region(&region, 128, || uniform(&mut rng))?;
            Ok((p.points, vec![]))
        }
    };
    // The step-0 batch uses the stream the trainer's resampling uses for step 0.
    let first = |term: usize| seed.derive(1 + term as u64).derive(0);
    let (grid, reference) = test_grid();
    let adam = Adam::new(AdamConfig {
        lr: 1e-3,
        schedule: Schedule::wang2021(),
        ..Default::default()
    })?;
    let mut b = Trainer::<_, T>::builder(net, problem);
    let pde = b.add_pde_points(draw_interior(first(0))?.0);
    b = b.resample(pde, 1, draw_interior);
    let mut sides = Vec::new();
    for (k, c) in conditions.iter().enumerate() {
        let draw = draw_side(c.region.clone());
        let side = b.add_condition(&c.name, c.condition.clone(), draw(first(k + 1))?.0);
        b = b.resample(side, 1, draw);
        sides.push(side);
    }
    let mut log = None;
    if annealing {
        let s = LrAnnealing::new(LrAnnealingConfig {
            denominator: if a.lambda_free {
                Denominator::LambdaFree
            } else {
                Denominator::WithLambda
            },
            ..Default::default()
        })?
        .group("boundary", &sides); // bottom, right, top, left
        log = Some(s.log());
        b = b.strategy(s);
    }
    let mut trainer = b
        .phase("adam", steps, adam)
        .metrics(grid.clone(), reference, 1000)
        .observer(progress)
        .seed(seed)
        .chunk_size(128)
        .threads(a.threads)
        .build()?;
    let report = trainer.run()?;
    let history = report
        .history
        .iter()
        .map(|h| (h.step, h.terms.iter().map(|v| v.to_f64()).collect()))
        .collect();
    let lambda = log.as_ref().map_or(vec![1.0], |l| l.current().concat());
    Ok(Outcome {
        rel_l2: report.metrics.last().map_or(f64::NAN, |m| m.1.rel_l2),
        seconds: report.seconds,
        steps: report.steps,
        prediction: trainer.predict(&grid)?,
        lambda,
        history,
        log,
    })
}

/// SA-PINN.
fn run_sa<T: Real>(a: &Args) -> Result<Outcome, pinn::Error> {
    let problem = Helmholtz2D::default();
    let adam_steps = a.steps.unwrap_or(10_000);
    // The code's L-BFGS (`eager_lbfgs`, a port of lbfgs.lua) keeps 50 pairs and takes a fixed
    // step of 0.8 without a line search; ours keeps 50 pairs and uses the strong-Wolfe search.
    let lbfgs = LbfgsConfig {
        history_size: 50,
        ..LbfgsConfig::default()
    };
    let lbfgs_steps = a.lbfgs_iters.div_ceil(lbfgs.max_iter);
    let seed = Seed(a.seed);
    let net = NetBuilder::new(2)
        .mlp(&[50; 4], Elementary::Tanh)
        .build(1)?;
    let square = BoxDomain::new(&[-1.0, -1.0], &[1.0, 1.0])?;
    let pseed = seed.derive(SA_POINT_STREAM);
    let interior = LatinHypercube.sample(&square, a.nf, pseed.derive(0))?;
    // 100 distinct values of linspace(−1, 1, 1001), the same on every side.
    let line = support::linspace(-1.0, 1.0, 1001);
    let mut idx: Vec<usize> = (0..line.len()).collect();
    let mut rng = pseed.derive(1).rng();
    for i in 0..100 {
        let j = i + (uniform(&mut rng) * (line.len() - i) as f64) as usize;
        idx.swap(i, j.min(line.len() - 1));
    }
    let yb: Vec<f64> = idx[..100].iter().map(|&i| line[i]).collect();
    let side =
        |f: &dyn Fn(f64) -> [f64; 2]| -> Vec<f64> { yb.iter().flat_map(|&t| f(t)).collect() };
    let (grid, reference) = test_grid();
    let sa = SelfAdaptive::new(SelfAdaptiveConfig {
        freeze_after: Some(adam_steps),
        ..SelfAdaptiveConfig::helmholtz(seed.derive(SA_WEIGHT_STREAM))
    })?;
    let log = sa.log();
    let mut b = Trainer::<_, T>::builder(net, problem).pde_points(interior.as_slice().to_vec());
    for c in problem.conditions() {
        let pts = match c.name.as_str() {
            "bottom" => side(&|t| [t, -1.0]),
            "right" => side(&|t| [1.0, t]),
            "top" => side(&|t| [t, 1.0]),
            _ => side(&|t| [-1.0, t]),
        };
        b = b.condition(&c.name, c.condition.clone(), pts);
    }
    let mut b = b
        .strategy(sa)
        .phase(
            "adam",
            adam_steps,
            Adam::new(AdamConfig {
                lr: 1e-3,
                beta1: 0.99,
                eps: 1e-7,
                ..Default::default()
            })?,
        )
        .metrics(grid.clone(), reference, 1000)
        .observer(progress)
        .seed(seed)
        .threads(a.threads);
    if lbfgs_steps > 0 {
        b = b.phase_until_converged("lbfgs", lbfgs_steps, Lbfgs::new(lbfgs)?);
    }
    let mut trainer = b.build()?;
    let report = trainer.run()?;
    let history = report
        .history
        .iter()
        .map(|h| (h.step, h.terms.iter().map(|v| v.to_f64()).collect()))
        .collect();
    let cur = log.current();
    let lam = cur.first().cloned().unwrap_or_default();
    let n = lam.len().max(1) as f64;
    let lambda = vec![
        lam.iter().sum::<f64>() / n,
        lam.iter().copied().fold(f64::INFINITY, f64::min),
        lam.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    ];
    Ok(Outcome {
        rel_l2: report.metrics.last().map_or(f64::NAN, |m| m.1.rel_l2),
        seconds: report.seconds,
        steps: report.steps,
        prediction: trainer.predict(&grid)?,
        lambda,
        history,
        log: Some(log),
    })
}

fn write_outputs(a: &Args, o: &Outcome) -> std::io::Result<()> {
    let dir = support::out_dir();
    let gating = if a.gate == Gate::Shifted { "_old" } else { "" };
    let stem = format!("helmholtz_{}{gating}_{}_s{}", a.model, a.dtype, a.seed);
    let (_, reference) = test_grid();
    let err: Vec<f64> = o
        .prediction
        .iter()
        .zip(&reference)
        .map(|(p, r)| (p - r).abs())
        .collect();
    support::heatmaps(
        &dir.join(format!("{stem}.png")),
        &[&o.prediction, &reference, &err],
        100,
        100,
        3,
    )?;
    // Loss terms every 10 steps: the residual and the sum of the four sides.
    let thin: Vec<&(usize, Vec<f64>)> = o.history.iter().step_by(10).collect();
    let res: Vec<f64> = thin.iter().map(|h| h.1[0]).collect();
    let bcs: Vec<f64> = thin.iter().map(|h| h.1[1..].iter().sum()).collect();
    support::line_plot(
        &dir.join(format!("{stem}_loss.png")),
        &[&res, &bcs],
        true,
        800,
        400,
    )?;
    if let Some(log) = &o.log {
        let rows = log.rows();
        let cols = log.columns();
        let n_series = if a.model == "sa" { 3 } else { 1 };
        let series: Vec<Vec<f64>> = (0..n_series)
            .map(|c| rows.iter().map(|r| r.1[c]).collect())
            .collect();
        let refs: Vec<&[f64]> = series.iter().map(|s| s.as_slice()).collect();
        support::line_plot(
            &dir.join(format!("{stem}_lambda.png")),
            &refs,
            true,
            800,
            400,
        )?;
        support::write_csv(
            &dir.join(format!("{stem}_lambda.csv")),
            &format!("step,{}", cols.join(",")),
            rows.iter().map(|(s, v)| {
                let mut r = vec![*s as f64];
                r.extend(v);
                r
            }),
        )?;
    }
    Ok(())
}

fn run<T: Real>(a: &Args) -> Result<String, Box<dyn std::error::Error>> {
    let o = if a.model == "sa" {
        run_sa::<T>(a)?
    } else {
        run_wang::<T>(a)?
    };
    write_outputs(a, &o)?;
    let paper = PAPER.iter().find(|p| p.0 == a.model);
    println!(
        "helmholtz {} {} seed {}: rel-L2 {:.3e}{}  λ {:?}  {:.1} s ({:.2} s per 1000 steps)",
        a.model,
        a.dtype,
        a.seed,
        o.rel_l2,
        paper.map_or(String::new(), |p| format!(
            " (paper {:.2e} ± {:.2e})",
            p.1, p.2
        )),
        o.lambda,
        o.seconds,
        1000.0 * o.seconds / o.steps.max(1) as f64,
    );
    let lambda: Vec<String> = o.lambda.iter().map(|l| format!("{l:e}")).collect();
    Ok(format!(
        "{{\"example\":\"helmholtz\",\"model\":\"{}\",\"dtype\":\"{}\",\"seed\":{},\"steps\":{},\
         \"variant\":\"{}\",\"gating\":\"{}\",\"threads\":{},\"rel_l2\":{:e},\"seconds\":{:.2},\
         \"seconds_per_1000\":{:.3},\"lambda\":[{}],\"paper_mean\":{},\"paper_std\":{}}}",
        a.model,
        a.dtype,
        a.seed,
        o.steps,
        if a.model == "sa" {
            "sa"
        } else if a.lambda_free {
            "lambda-free"
        } else {
            "as-coded"
        },
        if a.gate == Gate::Shifted { "old" } else { "z" },
        a.threads,
        o.rel_l2,
        o.seconds,
        1000.0 * o.seconds / o.steps.max(1) as f64,
        lambda.join(","),
        paper.map_or("null".into(), |p| format!("{:e}", p.1)),
        paper.map_or("null".into(), |p| format!("{:e}", p.2)),
    ))
}

/// The command line (`--help` prints it).
const USAGE: &str = "\
usage: helmholtz --model m1|m2|m3|m4|sa [--dtype f32|f64] [--seed S] [--steps N]
                 [--threads K] [--lambda-free] [--gating z|old]
                 [--nf N_f] [--lbfgs-iters N]                      (sa only)
defaults: m1, f32, seed 0, 40 001 Adam steps (10 000 for sa), 1 thread";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::cli(
        USAGE,
        &[
            "--model",
            "--dtype",
            "--seed",
            "--steps",
            "--threads",
            "--gating",
            "--nf",
            "--lbfgs-iters",
        ],
        &["--lambda-free"],
    );
    let a = parse()?;
    // Strategies evaluate terms after each step outside the trainer's thread pool (in rayon's
    // global pool): give that pool the same size so a run uses `--threads` cores.
    rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads)
        .build_global()
        .ok();
    let json = if a.dtype == "f64" {
        run::<f64>(&a)?
    } else {
        run::<f32>(&a)?
    };
    println!("{json}");
    Ok(())
}
