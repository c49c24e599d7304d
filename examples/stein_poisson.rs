//! He et al. (AISTATS 2023), "Learning PINNs without stacked back-propagation", §5.1: Poisson
//! `Δu + sin(x₁ + x₂) = 0` on `[0, 1]²` with `u = u*` on the boundary (`u* = ½ sin(x₁ + x₂)`),
//! trained with the Gaussian-smoothed Stein model and with the exact PINN beside it.
//!
//! As the authors code it (`conf/possion/*.yaml`): a 2-256-256-256-1 tanh MLP with PyTorch's
//! default initialisation; every step draws 100 fresh interior points (uniform) and 100
//! boundary points (one random coordinate set to 0 or 1); loss `mean r² + 300 · mean (u − u*)²`;
//! Adam, lr 1e-3 decaying linearly to 0 over 1000 steps. The Stein model uses the
//! `improved-steins` estimator with K = 1024 evaluations per point and σ = 0.01, for training
//! and for evaluation.
//!
//! Printed and recorded (one JSON line per method): the validation loss (the training loss on
//! a fixed held-out set of 500 interior and 500 boundary points, each model evaluated as it is
//! trained: the Stein model through its estimator), the mean squared error against u* on 2000
//! uniform test points, and the L2 relative error normalised both ways (by ‖u*‖ and, as the
//! authors' `test_l2` does, by ‖u‖). Plots the validation loss against step and against
//! training seconds (`target/examples-out/stein_poisson/`).
//!
//! ```sh
//! cargo run --release --example stein_poisson                  # both methods, the paper's budget
//! cargo run --release --example stein_poisson -- --method pinn --steps 200
//! ```

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::model::{Model, SteinEstimator, SteinSmoothed, evaluate};
use pinn::nets::fan_in_uniform;
use pinn::optim::{Adam, AdamConfig, Schedule};
use pinn::pde::problems::{PoissonSinSum, Problem};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind, Trainer};
use support::Dtype;
use support::curves::{CurvePoint, CurveRunArgs, RunFiles};

/// Which model to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Method {
    /// The Gaussian-smoothed model, derivatives by Stein's identity (no input derivatives).
    Stein,
    /// The exact PINN: Δu from the forward-Laplacian jets.
    Pinn,
    /// Both, from the same initialisation.
    Both,
}

/// He et al.'s Poisson 2D with the Stein-smoothed model and the exact PINN.
#[derive(Parser, Debug)]
#[command(
    name = "stein_poisson",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "Cost on this 2-core machine (f32, 2 threads, beside other jobs): the exact \
                  PINN about 9 ms a step; the Stein model with K = 1024 about 2.2 s a step, so \
                  the paper's 1000 steps take about 40 min, plus about 10 s per validation \
                  (the time scales with K × width²)."
)]
struct Cli {
    /// Which model to train.
    #[arg(long, value_enum, default_value_t = Method::Both)]
    method: Method,
    /// The Stein estimator: vanilla, control-variate, antithetic or improved.
    #[arg(long, default_value = "improved", value_parser = parse_estimator)]
    estimator: SteinEstimator,
    /// K, the Stein model's evaluations per point in training (cost grows linearly).
    #[arg(long, value_name = "K", default_value_t = 1024,
          value_parser = support::cli::at_least(2))]
    samples: usize,
    /// K at evaluation (validation loss and test error).
    #[arg(long, value_name = "K", default_value_t = 1024,
          value_parser = support::cli::at_least(2))]
    eval_samples: usize,
    /// The smoothing σ, the same for both coordinates.
    #[arg(long, default_value_t = 0.01, value_parser = support::cli::number_in(1e-6, 1.0))]
    sigma: f64,
    /// Adam steps (the learning rate decays linearly to 0 over them).
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = support::cli::at_least(1))]
    steps: usize,
    /// Adam's initial learning rate.
    #[arg(long, default_value_t = 1e-3, value_parser = support::cli::number_in(1e-8, 1.0))]
    lr: f64,
    /// Fresh interior points per step, and as many boundary points.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = support::cli::at_least(1))]
    batch: usize,
    /// Hidden width (three hidden layers).
    #[arg(long, value_name = "W", default_value_t = 256,
          value_parser = support::cli::at_least(1))]
    width: usize,
    /// Steps between validation-loss evaluations (their time is not counted as training).
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = support::cli::at_least(1))]
    val_every: usize,
    /// The seed of the initialisation, the points and the samples.
    #[arg(long, value_name = "S", default_value_t = 1234)]
    seed: u64,
    #[command(flatten)]
    run: CurveRunArgs,
}

fn parse_estimator(s: &str) -> Result<SteinEstimator, String> {
    SteinEstimator::from_name(s).map_err(|e| e.to_string())
}

/// Interior and boundary point sets of `n` points each, from `seed`.
fn draw(p: &PoissonSinSum, n: usize, seed: Seed) -> pinn::Result<(Vec<f64>, Vec<f64>)> {
    let mut rng = seed.rng();
    let interior = (0..2 * n).map(|_| uniform(&mut rng)).collect();
    let region = &p.conditions()[0].region;
    let boundary = p.sample_region(region, n, || uniform(&mut rng))?.points;
    Ok((interior, boundary))
}

/// What one run measured.
struct Outcome {
    curve: Vec<CurvePoint>,
    val_loss: f64,
    mse: f64,
    rel_l2: f64,
    rel_l2_by_prediction: f64,
    seconds: f64,
}

const BOUNDARY_WEIGHT: f64 = 300.0;

/// Points per trainer chunk: four chunks per term of 100 points, so both threads have work.
const CHUNK: usize = 25;

/// Trains `model` (evaluated as `eval_model`) and measures it.
fn train<T: Real, M: Model<T> + Clone + 'static>(
    model: M,
    eval_model: M,
    theta: Vec<T>,
    cli: &Cli,
    label: &str,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let p = PoissonSinSum::default();
    let bc = p.conditions().remove(0);
    let seed = Seed(cli.seed);
    let n = cli.batch;
    let adam = Adam::new(AdamConfig {
        lr: cli.lr,
        schedule: Schedule::linear(cli.steps as u64)?,
        ..AdamConfig::default()
    })?;
    let mut b = Trainer::<_, T, M>::builder(model, p)
        .params(theta)
        .seed(seed.derive(1))
        .chunk_size(CHUNK)
        .phase("adam", cli.steps, adam);
    b.add_resampled("pde", TermKind::Pde, 1, move |s| {
        Ok((draw(&p, n, s)?.0, Vec::new()))
    });
    let boundary = b.add_resampled("boundary", TermKind::Condition(bc.condition.clone()), 1, {
        move |s| Ok((draw(&p, n, s)?.1, Vec::new()))
    });
    b = b.weight(boundary, BOUNDARY_WEIGHT);
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

    // The held-out validation set and the test points, fixed for every method.
    let (vi, vb) = draw(&p, 500, seed.derive(7))?;
    let terms = vec![
        Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points: vi,
            normals: Vec::new(),
            partners: Vec::new(),
        },
        Term {
            name: "boundary".into(),
            kind: TermKind::Condition(bc.condition),
            weight: BOUNDARY_WEIGHT,
            points: vb,
            normals: Vec::new(),
            partners: Vec::new(),
        },
    ];
    let threads = (cli.run.threads)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut val = Assembly::new(eval_model.clone(), p, terms, 32, threads)?;
    let mut grad = vec![T::zero(); val.n_params()];
    let mut validate =
        |theta: &[T]| -> pinn::Result<f64> { Ok(val.eval(theta, &mut grad, 0)?.total.to_f64()) };

    let curve = support::curves::train_measured(
        &mut trainer,
        cli.steps,
        cli.val_every,
        f64::INFINITY,
        label,
        files.as_ref().map(|f| f.journal.as_path()),
        &mut validate,
    )?;
    if let Some(f) = &files {
        f.remove();
    }
    let seconds = curve.last().map_or(0.0, |c| c.seconds);
    let val_loss = curve.last().map_or(f64::NAN, |c| c.value);

    let mut rng = seed.derive(8).rng();
    let test: Vec<f64> = (0..2 * 2000).map(|_| uniform(&mut rng)).collect();
    let test_t: Vec<T> = test.iter().map(|&v| T::from_f64(v)).collect();
    let u: Vec<f64> = evaluate(&eval_model, trainer.params(), &test_t)?
        .iter()
        .map(|v| v.to_f64())
        .collect();
    let exact = p.reference_at(&test)?;
    let sq = |a: &[f64]| a.iter().map(|v| v * v).sum::<f64>();
    let diff: Vec<f64> = u.iter().zip(&exact).map(|(a, b)| a - b).collect();
    Ok(Outcome {
        curve,
        val_loss,
        mse: sq(&diff) / diff.len() as f64,
        rel_l2: (sq(&diff) / sq(&exact)).sqrt(),
        rel_l2_by_prediction: (sq(&diff) / sq(&u)).sqrt(),
        seconds,
    })
}

fn run<T: Real>(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let out = support::out_dir(Some("stein_poisson"))?;
    cli.run.check()?;
    let w = cli.width;
    let net = Graph::mlp(&[2, w, w, w, 1], Elementary::Tanh)?;
    let theta: Vec<T> = fan_in_uniform(&net, Seed(cli.seed));
    let methods: &[&str] = match cli.method {
        Method::Stein => &["stein"],
        Method::Pinn => &["pinn"],
        Method::Both => &["pinn", "stein"],
    };
    let mut results = Vec::new();
    let mut lines_out = Vec::new();
    for &method in methods {
        let o = if method == "stein" {
            let sigma = [cli.sigma; 2];
            // The inner passes hold a whole trainer chunk, so the reverse sweep never
            // recomputes one (about 200 MB per thread in f32 at width 256, K = 1024).
            let f = SteinSmoothed::new(net.clone(), &sigma, cli.samples, cli.estimator)?
                .with_chunk(CHUNK * (cli.samples + 1));
            let fe = f.clone().with_samples(cli.eval_samples)?;
            train(f, fe, theta.clone(), cli, "stein")?
        } else {
            train(net.clone(), net.clone(), theta.clone(), cli, "pinn")?
        };
        println!(
            "{method} ({}): validation loss {:.3e}, MSE {:.3e}, L2 rel. error {:.3e} (by ‖u‖: {:.3e}), {:.1} s training, {:.3} s/step",
            T::NAME,
            o.val_loss,
            o.mse,
            o.rel_l2,
            o.rel_l2_by_prediction,
            o.seconds,
            o.seconds / cli.steps as f64
        );
        let stein = if method == "stein" {
            format!(
                ",\"estimator\":\"{}\",\"samples\":{},\"eval_samples\":{},\"sigma\":{}",
                cli.estimator.name(),
                cli.samples,
                cli.eval_samples,
                cli.sigma
            )
        } else {
            String::new()
        };
        lines_out.push(format!(
            "{{\"example\":\"stein_poisson\",\"method\":\"{method}\",\"dtype\":\"{}\",\"seed\":{},\"steps\":{},\"batch\":{},\"width\":{w}{stein},\"val_loss\":{:e},\"mse\":{:e},\"rel_l2\":{:e},\"rel_l2_by_prediction\":{:e},\"seconds\":{:.2}}}",
            T::NAME,
            cli.seed,
            cli.steps,
            cli.batch,
            o.val_loss,
            o.mse,
            o.rel_l2,
            o.rel_l2_by_prediction,
            o.seconds
        ));
        results.push((method, o));
    }
    for l in &lines_out {
        println!("{l}");
    }
    if let Some(path) = &cli.run.record {
        support::append_record(path, &lines_out);
    }

    let curves: Vec<(String, Vec<CurvePoint>)> = results
        .into_iter()
        .map(|(m, o)| (m.to_string(), o.curve))
        .collect();
    let path = out.join(format!("stein_poisson_{}.png", T::NAME));
    support::curves::plot_curves(
        &path,
        &format!(
            "Poisson 2D (He et al. 2023): Stein ({}, K = {}, σ = {}) and exact PINN, {}",
            cli.estimator.name(),
            cli.samples,
            cli.sigma,
            T::NAME
        ),
        "validation loss",
        &curves,
    )?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.estimator.antithetic() {
        for (flag, k) in [
            ("--samples", cli.samples),
            ("--eval-samples", cli.eval_samples),
        ] {
            if k % 2 == 1 {
                support::cli::usage_error::<Cli>(format!(
                    "{flag} {k}: the {} estimator draws K/2 pairs ±δ, so K must be even",
                    cli.estimator.name()
                ));
            }
        }
    }
    support::cli::finish(match cli.run.dtype {
        Dtype::F32 => run::<f32>(&cli),
        Dtype::F64 => run::<f64>(&cli),
    })
}
