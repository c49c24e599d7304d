//! An inverse problem for a coefficient *field*: the space-dependent reaction rate `k(x)` of a
//! diffusion–reaction equation, learned as a second network output from data of `u`.
//!
//! `λ u″ − k(x) u = f` on `[0, 1]`, `u(0) = u(1) = 0`, `λ = 0.01`, with DeepXDE's reaction
//! rate `k(x) = 0.1 + exp(−(x − ½)²/(2·0.15²))` (its `diffusion_reaction_rate` example, from
//! the gPINN paper, Yu et al. 2022) and the manufactured solution `u = sin πx`, so that
//! `f = −(λπ² + k) sin πx` is known in closed form (no boundary-value solve). `k` enters only
//! through the residual: the network `x → (u, k)` is trained on `--data` observations of
//! `u` (evenly spaced, optionally with Gaussian noise of `--noise` times their standard
//! deviation), the boundary values, and the residual at 200 collocation points; Adam, then
//! L-BFGS. `k` is identifiable wherever `u ≠ 0`, that is inside the interval; near the ends
//! (where `u → 0`) it is determined only by the smoothness the network imposes.
//!
//! ```text
//! cargo run --release --example inverse_field -- [--data N] [--noise SIGMA] [--adam N]
//!     [--lbfgs N] [--dtype f64|f32] [--seed S] [--record FILE]
//! ```
//!
//! Reports the relative ℓ² errors of `u` and `k` on 1001 points of `[0, 1]` (and of `k` on the
//! inner `[0.1, 0.9]`); writes `inverse_field_<noise>_<dtype>_s<seed>.png` (`u` and `k`
//! against their truths) and one JSON line (appended to `--record` too).

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Real, Scalar};
use pinn::nets::NetBuilder;
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::{Seed, standard_normal};
use pinn::train::{Metrics, Trainer};
use support::Dtype;
use support::plot::{LinePanel, Series, lines};

/// `λ` of the equation.
const LAMBDA: f64 = 0.01;

/// Seed stream of the noise (the trainer uses 0, 1 + term and 2³² + k).
const NOISE_STREAM: u64 = 1 << 48;

/// The true reaction rate.
fn k_true<S: Scalar>(x: S) -> S {
    let d = x - S::from_f64(0.5);
    S::from_f64(0.1) + (-(d * d) * S::from_f64(1.0 / (2.0 * 0.15 * 0.15))).exp()
}

/// The manufactured solution.
fn u_true<S: Scalar>(x: S) -> S {
    (x * S::from_f64(core::f64::consts::PI)).sin()
}

/// `λ u″ − k u − f` with outputs `(u, k)`, `f = λ u*″ − k* u*` of the true pair.
struct ReactionField;

impl Pde for ReactionField {
    fn dim(&self) -> usize {
        1
    }
    fn outputs(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::Second(0, 0)]
    }
    fn output_components(&self, o: usize) -> Vec<Component> {
        match o {
            0 => vec![Component::Value, Component::Second(0, 0)],
            _ => vec![Component::Value], // k enters undifferentiated
        }
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        let pi2 = S::from_f64(core::f64::consts::PI.powi(2));
        let f = -(S::from_f64(LAMBDA) * pi2 + k_true(x[0])) * u_true(x[0]);
        r[0] = S::from_f64(LAMBDA) * u.d2(0, 0, 0) - u.u(1) * u.u(0) - f;
    }
    fn name(&self) -> String {
        "diffusion-reaction with k(x)".into()
    }
}

/// An inverse problem for a coefficient field: the reaction rate k(x) of
/// λu″ − k(x)u = f on [0, 1] (DeepXDE's field, u = sin πx manufactured), learned as a second
/// network output from observations of u.
///
/// Writes inverse_field_<noise>_<dtype>_s<seed>.png (u and k against their truths) to
/// target/examples-out (or $CARGO_TARGET_DIR/examples-out), and one JSON line.
#[derive(Parser, Debug)]
#[command(
    name = "inverse_field",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine with the defaults (f64, one thread): under a minute."
)]
struct Cli {
    /// Observations of u, evenly spaced inside (0, 1).
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = support::cli::at_least(2))]
    data: usize,
    /// Gaussian noise on the observations, as a fraction of their standard deviation (0 to 0.5).
    #[arg(long, value_name = "SIGMA", default_value_t = 0.0, value_parser = support::cli::number_in(0.0, 0.5))]
    noise: f64,
    /// Adam steps (lr 1e-3) before L-BFGS.
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = support::cli::at_least(0))]
    adam: usize,
    /// L-BFGS iterations (in steps of 50, 50 stored pairs, strong Wolfe), stopping early
    /// when it converges (gradient below 1e-12 or changes below 1e-15).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = support::cli::at_least(0))]
    lbfgs: usize,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// The seed of the noise and the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Append the JSON line to this file (checked before the run starts).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// What a run produced.
struct Outcome {
    u_err: f64,
    k_err: f64,
    k_err_inner: f64,
    seconds: f64,
    xs: Vec<f64>,
    u: Vec<f64>,
    k: Vec<f64>,
    data: Vec<(f64, f64)>,
}

fn run<T: Real>(cli: &Cli) -> Result<Outcome, Box<dyn std::error::Error>> {
    let seed = Seed(cli.seed);
    let xd: Vec<f64> = (1..=cli.data)
        .map(|i| i as f64 / (cli.data + 1) as f64)
        .collect();
    let clean: Vec<f64> = xd.iter().map(|&x| u_true(x)).collect();
    let mean = clean.iter().sum::<f64>() / clean.len() as f64;
    let std = (clean.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / clean.len() as f64).sqrt();
    let mut rng = seed.derive(NOISE_STREAM).rng();
    let values: Vec<f64> = clean
        .iter()
        .map(|v| v + cli.noise * std * standard_normal(&mut rng))
        .collect();
    let net = NetBuilder::new(1)
        .normalize(&[0.5], &[0.5])
        .mlp(&[20; 3], Elementary::Tanh)
        .build(2)?;
    let collocation: Vec<f64> = (0..200).map(|i| (i as f64 + 0.5) / 200.0).collect();
    let b = Trainer::<_, T>::builder(net, ReactionField)
        .pde_points(collocation)
        .condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0])
        .condition("data", Condition::data(0, &values), xd.clone())
        .seed(seed)
        .threads(1);
    let mut trainer = support::adam_then_lbfgs(b, cli.adam, cli.lbfgs)?.build()?;
    let report = trainer.run()?;
    let xs = support::linspace(0.0, 1.0, 1001);
    let out = trainer.predict(&xs)?;
    let u: Vec<f64> = out.iter().step_by(2).copied().collect();
    let k: Vec<f64> = out.iter().skip(1).step_by(2).copied().collect();
    let ut: Vec<f64> = xs.iter().map(|&x| u_true(x)).collect();
    let kt: Vec<f64> = xs.iter().map(|&x| k_true(x)).collect();
    let inner: Vec<usize> = (0..xs.len())
        .filter(|&i| (0.1..=0.9).contains(&xs[i]))
        .collect();
    let pick = |v: &[f64]| -> Vec<f64> { inner.iter().map(|&i| v[i]).collect() };
    Ok(Outcome {
        u_err: Metrics::compute(&u, &ut).rel_l2,
        k_err: Metrics::compute(&k, &kt).rel_l2,
        k_err_inner: Metrics::compute(&pick(&k), &pick(&kt)).rel_l2,
        seconds: report.seconds,
        data: xd.into_iter().zip(values).collect(),
        xs,
        u,
        k,
    })
}

fn write_plot(cli: &Cli, o: &Outcome, dir: &Path) -> Result<(), String> {
    let stem = format!("inverse_field_{}_{}_s{}", cli.noise, cli.dtype, cli.seed);
    let curve =
        |v: &[f64]| -> Vec<(f64, f64)> { o.xs.iter().copied().zip(v.iter().copied()).collect() };
    let ut: Vec<f64> = o.xs.iter().map(|&x| u_true(x)).collect();
    let kt: Vec<f64> = o.xs.iter().map(|&x| k_true(x)).collect();
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        lines(
            path,
            &format!(
                "λu″ − k(x)u = f: k learned from {} observations of u (noise {} × std, {})",
                cli.data, cli.noise, cli.dtype
            ),
            &[
                LinePanel::new(format!("u: rel-L2 {:.2e}", o.u_err), "x", "u")
                    .with(
                        Series::line("exact u = sin πx", curve(&ut))
                            .colour(5)
                            .width(3),
                    )
                    .with(Series::line("network", curve(&o.u)).colour(0))
                    .with(Series::points("observations", o.data.clone()).colour(3)),
                LinePanel::new(
                    format!(
                        "k: rel-L2 {:.2e} on [0, 1], {:.2e} on [0.1, 0.9]",
                        o.k_err, o.k_err_inner
                    ),
                    "x",
                    "k(x)",
                )
                .with(Series::line("true k", curve(&kt)).colour(5).width(3))
                .with(Series::line("network (second output)", curve(&o.k)).colour(1)),
            ],
            (700, 260),
        )
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    support::cli::finish((|| -> Result<(), Box<dyn std::error::Error>> {
        if let Some(r) = &cli.record {
            support::check_writable("--record", r)?;
        }
        let dir = support::out_dir(None)?;
        let o = match cli.dtype {
            Dtype::F64 => run::<f64>(&cli)?,
            Dtype::F32 => run::<f32>(&cli)?,
        };
        println!(
            "u: rel-L2 {:.3e}; k: rel-L2 {:.3e} on [0, 1], {:.3e} on [0.1, 0.9]; {:.1} s",
            o.u_err, o.k_err, o.k_err_inner, o.seconds
        );
        let line = format!(
            "{{\"example\":\"inverse_field\",\"data\":{},\"noise\":{},\"dtype\":\"{}\",\"seed\":{},\
             \"u_rel_l2\":{:e},\"k_rel_l2\":{:e},\"k_rel_l2_inner\":{:e},\"seconds\":{:.2}}}",
            cli.data, cli.noise, cli.dtype, cli.seed, o.u_err, o.k_err, o.k_err_inner, o.seconds
        );
        println!("{line}");
        if let Some(r) = &cli.record {
            support::append_record(r, &[line]);
        }
        write_plot(&cli, &o, &dir)?;
        Ok(())
    })())
}
