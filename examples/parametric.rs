//! A parametric PINN: one network for Burgers' equation over a range of viscosities, the
//! viscosity an input like `x` and `t`, trained once and then evaluated at viscosities it
//! never saw, against the Cole–Hopf reference of each.
//!
//! `u_t + u·u_x = ν u_xx` on `x ∈ [−1, 1]`, `t ∈ [0, 1]`, `u(x, 0) = −sin πx`,
//! `u(±1, t) = 0`, for `ν ∈ [ν_lo, ν_hi]` (default `[0.01, 0.1]`): the network maps
//! `(x, t, ν) → u` (inputs scaled to `[−1, 1]`, 8 hidden layers of 20, tanh); the residual
//! reads `ν` from the point. Collocation points are drawn uniformly in the 3-D box (Latin
//! hypercube), initial and boundary points with random `ν`; Adam, then L-BFGS.
//!
//! The test viscosities are a log-spaced set across the range and two outside it (the
//! network extrapolating); each is scored by the relative ℓ² error on a 256 × 100 grid of
//! `(x, t)` against [`Burgers::new`]`(ν)`'s reference.
//!
//! ```text
//! cargo run --release --example parametric -- [--nu-range 0.01,0.1] [--points N]
//!     [--adam N] [--lbfgs N] [--dtype f32|f64] [--seed S] [--threads K] [--record FILE]
//! ```
//!
//! Writes `parametric_burgers_<dtype>_s<seed>.png` (error against ν, and the prediction at
//! the smallest test ν beside its reference) and one JSON line (appended to `--record` too).

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Real, Scalar};
use pinn::domain::BoxDomain;
use pinn::nets::NetBuilder;
use pinn::pde::problems::{Burgers, Problem};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::sampling::{LatinHypercube, Sampler};
use pinn::train::{Metrics, Trainer};
use support::Dtype;
use support::plot::{Grid2, LinePanel, Series, compare, lines};

/// Seed streams of the example (the trainer uses 0, 1 + term and 2³² + k).
const POINT_STREAM: u64 = 1 << 48;

/// Burgers with the viscosity as the third input: `r = u_t + u·u_x − ν u_xx`, inputs
/// `(x, t, ν)`.
struct BurgersFamily;

impl Pde for BurgersFamily {
    fn dim(&self) -> usize {
        3
    }
    fn components(&self) -> Vec<Component> {
        vec![
            Component::Value,
            Component::First(0),
            Component::First(1),
            Component::Second(0, 0),
        ]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.d(0, 1) + u.u(0) * u.d(0, 0) - x[2] * u.d2(0, 0, 0);
    }
    fn name(&self) -> String {
        "burgers(x, t, ν)".into()
    }
}

/// A parametric PINN for Burgers' equation: (x, t, ν) → u over a range of viscosities,
/// trained once, then scored at viscosities inside the range (unseen values) and outside it
/// against the Cole–Hopf reference of each.
///
/// Writes parametric_burgers_<dtype>_s<seed>.png (error against ν; prediction and
/// reference at the smallest ν) to target/examples-out (or $CARGO_TARGET_DIR/examples-out),
/// and one JSON line.
#[derive(Parser, Debug)]
#[command(
    name = "parametric",
    verbatim_doc_comment,
    after_help = "Time on a 2-core machine with the defaults (f32, one thread): about 15 to 30 \
                  min (measured beside other jobs; see docs/REPRODUCTION.md)."
)]
struct Cli {
    /// The training range of ν, as `LO,HI` (0 < LO < HI ≤ 1).
    #[arg(long, value_name = "LO,HI", default_value = "0.01,0.1", value_parser = range)]
    nu_range: (f64, f64),
    /// Collocation points in the (x, t, ν) box (Latin hypercube).
    #[arg(long, value_name = "N", default_value_t = 20_000, value_parser = support::cli::at_least(100))]
    points: usize,
    /// Adam steps (lr 1e-3) before L-BFGS.
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = support::cli::at_least(0))]
    adam: usize,
    /// L-BFGS iterations (in steps of 50, 50 stored pairs, strong Wolfe), stopping early
    /// when it converges (gradient below 1e-12 or changes below 1e-15).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = support::cli::at_least(0))]
    lbfgs: usize,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// The seed of the points and the initialisation.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Worker threads (results do not depend on it).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = support::cli::at_least(1))]
    threads: usize,
    /// Append the JSON line to this file (checked before the run starts).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// `LO,HI` with `0 < LO < HI ≤ 1`.
fn range(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').collect();
    let parse = |p: &str| {
        p.trim()
            .parse::<f64>()
            .map_err(|_| format!("`{p}` is not a number"))
    };
    match parts.as_slice() {
        [a, b] => {
            let (lo, hi) = (parse(a)?, parse(b)?);
            if lo > 0.0 && lo < hi && hi <= 1.0 {
                Ok((lo, hi))
            } else {
                Err(format!("needs 0 < LO < HI ≤ 1, found {lo},{hi}"))
            }
        }
        _ => Err(format!("expected two numbers `LO,HI`, found `{s}`")),
    }
}

/// The error at one test viscosity.
struct Score {
    nu: f64,
    inside: bool,
    rel_l2: f64,
}

/// What a run produced.
struct Outcome {
    scores: Vec<Score>,
    seconds: f64,
    /// Prediction and reference on the test grid at the smallest test ν.
    first: (Vec<f64>, Vec<f64>),
}

fn test_grid() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (xs, ts) = (
        support::linspace(-1.0, 1.0, 256),
        support::linspace(0.0, 1.0, 100),
    );
    let grid = support::grid2(&xs, &ts);
    (xs, ts, grid)
}

/// Log-spaced viscosities across `[lo, hi]` (7, ends included), and two outside it.
fn test_viscosities(lo: f64, hi: f64) -> Vec<(f64, bool)> {
    let mut v: Vec<(f64, bool)> = (0..7)
        .map(|i| (lo * (hi / lo).powf(i as f64 / 6.0), true))
        .collect();
    v.insert(0, (lo / 1.5, false));
    v.push((hi * 1.5, false));
    v
}

fn run<T: Real>(cli: &Cli) -> Result<Outcome, Box<dyn std::error::Error>> {
    let (lo, hi) = cli.nu_range;
    let seed = Seed(cli.seed);
    let net = NetBuilder::new(3)
        .normalize(&[0.0, 0.5, (lo + hi) / 2.0], &[1.0, 0.5, (hi - lo) / 2.0])
        .mlp(&[20; 8], Elementary::Tanh)
        .build(1)?;
    let domain = BoxDomain::new(&[-1.0, 0.0, lo], &[1.0, 1.0, hi])?;
    let interior = LatinHypercube
        .sample(&domain, cli.points, seed.derive(POINT_STREAM))?
        .into_vec();
    let mut rng = seed.derive(POINT_STREAM + 1).rng();
    let nu = |rng: &mut _| lo + (hi - lo) * uniform(rng);
    let initial: Vec<f64> = (0..512)
        .flat_map(|_| [2.0 * uniform(&mut rng) - 1.0, 0.0, nu(&mut rng)])
        .collect();
    let boundary: Vec<f64> = (0..200)
        .flat_map(|i| {
            [
                if i % 2 == 0 { -1.0 } else { 1.0 },
                uniform(&mut rng),
                nu(&mut rng),
            ]
        })
        .collect();
    let pi = core::f64::consts::PI;
    let b = Trainer::<_, T>::builder(net, BurgersFamily)
        .pde_points(interior)
        .condition(
            "initial",
            Condition::dirichlet(0, move |x| -(pi * x[0]).sin()),
            initial,
        )
        .condition("boundary", Condition::dirichlet(0, |_| 0.0), boundary)
        .seed(seed)
        .threads(cli.threads);
    let mut trainer = support::adam_then_lbfgs(b, cli.adam, cli.lbfgs)?.build()?;
    let report = trainer.run()?;
    let (_, _, grid) = test_grid();
    let mut scores = Vec::new();
    let mut first = (Vec::new(), Vec::new());
    for (k, (nu, inside)) in test_viscosities(lo, hi).into_iter().enumerate() {
        println!("scoring ν = {nu:.4} (reference by Cole–Hopf quadrature) …");
        let pts: Vec<f64> = grid.chunks(2).flat_map(|p| [p[0], p[1], nu]).collect();
        let u = trainer.predict(&pts)?;
        let reference = Burgers::new(nu)?.reference_at(&grid)?;
        scores.push(Score {
            nu,
            inside,
            rel_l2: Metrics::compute(&u, &reference).rel_l2,
        });
        if k == 1 {
            first = (u, reference);
        }
    }
    Ok(Outcome {
        scores,
        seconds: report.seconds,
        first,
    })
}

fn write_plots(cli: &Cli, o: &Outcome, dir: &Path) -> Result<(), String> {
    let stem = format!("parametric_burgers_{}_s{}", cli.dtype, cli.seed);
    let (lo, hi) = cli.nu_range;
    let (xs, ts, _) = test_grid();
    let inside: Vec<(f64, f64)> = o
        .scores
        .iter()
        .filter(|s| s.inside)
        .map(|s| (s.nu.log10(), s.rel_l2))
        .collect();
    let outside: Vec<(f64, f64)> = o
        .scores
        .iter()
        .filter(|s| !s.inside)
        .map(|s| (s.nu.log10(), s.rel_l2))
        .collect();
    support::save_figure(&dir.join(format!("{stem}_error.png")), |path| {
        lines(
            path,
            &format!(
                "Parametric Burgers, one network for ν from {lo} to {hi} ({}, seed {})",
                cli.dtype, cli.seed
            ),
            &[LinePanel::new("", "log10 ν", "relative ℓ² error")
                .log_y()
                .with(Series::line("inside the training range", inside).colour(0))
                .with(Series::points("outside (extrapolation)", outside).colour(3))],
            (700, 320),
        )
    })?;
    let nu = o.scores.get(1).map_or(lo, |s| s.nu);
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!("Parametric Burgers at ν = {nu:.4} (in range, not a training value)"),
            &Grid2 {
                names: ["x", "t"],
                axes: [&xs, &ts],
                across: 1,
            },
            "u",
            &o.first.0,
            &o.first.1,
            (300, 220),
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
            Dtype::F32 => run::<f32>(&cli)?,
            Dtype::F64 => run::<f64>(&cli)?,
        };
        for s in &o.scores {
            println!(
                "ν = {:.5}{}: rel-L2 {:.3e}",
                s.nu,
                if s.inside { "" } else { " (outside the range)" },
                s.rel_l2
            );
        }
        let scores: Vec<String> = o
            .scores
            .iter()
            .map(|s| {
                format!(
                    "{{\"nu\":{:e},\"inside\":{},\"rel_l2\":{:e}}}",
                    s.nu, s.inside, s.rel_l2
                )
            })
            .collect();
        let line = format!(
            "{{\"example\":\"parametric\",\"problem\":\"burgers\",\"nu_range\":[{},{}],\"points\":{},\
             \"adam\":{},\"lbfgs\":{},\"dtype\":\"{}\",\"seed\":{},\"scores\":[{}],\"seconds\":{:.2}}}",
            cli.nu_range.0,
            cli.nu_range.1,
            cli.points,
            cli.adam,
            cli.lbfgs,
            cli.dtype,
            cli.seed,
            scores.join(","),
            o.seconds
        );
        println!("{line}");
        if let Some(r) = &cli.record {
            support::append_record(r, &[line]);
        }
        write_plots(&cli, &o, &dir)?;
        Ok(())
    })())
}
