//! Equation discovery through a network (PDE-FIND on a neural fit): Burgers and KdV from
//! scattered, optionally noisy, data.
//!
//! 1. **Data:** `--points` random points of the box with the solution's values — Burgers
//!    (`ν = 0.01/π`, our Cole–Hopf reference) or KdV (the exact two-soliton solution,
//!    [`Kdv`]) — plus Gaussian noise of `--noise` times the values' standard deviation (as
//!    Raissi et al. 2019 add it).
//! 2. **Fit:** a tanh MLP `(x, t) → u`, Adam then L-BFGS. `--fit pinn` (the default, as in
//!    PINN-SR, Chen et al. 2021, and DeepMoD, Both et al. 2021): a PINN whose equation is the
//!    whole library with trainable coefficients, `u_t = Σ_j ξ_j θ_j(u, u_x, …)` on 10 000
//!    collocation points, beside the data, so that the fit is one whose derivatives satisfy
//!    *some* equation of the library; `--fit data`: the data alone.
//! 3. **Library:** the network's derivatives by the jets on an interior grid (the outer 5 %
//!    of each axis left out, where a fit has no data on one side): PDE-FIND's polynomial
//!    library `u^p · D`, `p ≤ 2`, `D ∈ {1, u_x, u_xx, u_xxx}` (12 terms).
//! 4. **Selection:** `u_t = Θ ξ` by sequential thresholded ridge regression with PDE-FIND's
//!    tolerance search ([`StRidge::train`]) on those derivatives. With `--fit pinn` the fit
//!    is in stages: (1) the data alone, selection; (2) data and the whole library equation,
//!    its `ξ` starting from the dense least-squares fit of stage 1's derivatives, selection;
//!    (3) PINN-SR's sequential thresholding in training: retrain with only the selected
//!    terms, select again among them, until the support stops shrinking (at most three
//!    rounds). The equation found is the last round's trained coefficients; every stage's
//!    selection is printed and recorded.
//!
//! Truth: Burgers `u_t = −u·u_x + 0.0031831·u_xx`; KdV `u_t = −6 u·u_x − u_xxx`. The run
//! prints the equation found and each true term's relative coefficient error (and names any
//! term found that is not in the truth).
//!
//! ```text
//! cargo run --release --example discover -- --problem burgers|kdv [--noise 0.01]
//!     [--points N] [--adam N] [--lbfgs N] [--dtype f64|f32] [--seed S] [--threads K]
//!     [--record FILE]
//! ```
//!
//! Writes `discover_<problem>_<noise>_<dtype>_s<seed>.png` (the fit against the truth on
//! one colour scale, and its error) and one JSON line (appended to `--record` too).

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Real, Scalar};
use pinn::nets::NetBuilder;
use pinn::optim::Lbfgs;
use pinn::pde::discovery::{Library, StRidge, ToleranceSearch};
use pinn::pde::problems::{Burgers, Kdv, Problem};
use pinn::pde::{Coefficient, Condition, Fields, Parametrisation, Pde, Residuals};
use pinn::rng::{Seed, standard_normal, uniform};
use pinn::train::{Metrics, Trainer};
use support::Dtype;
use support::plot::{Grid2, compare};

/// Seed streams of the example (the trainer uses 0, 1 + term and 2³² + k).
const DATA_STREAM: u64 = 1 << 48;
const NOISE_STREAM: u64 = (1 << 48) + 1;
const COLLOCATION_STREAM: u64 = (1 << 48) + 3;

/// How the network is fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Fit {
    /// Data and the library equation with trainable coefficients (PINN-SR, DeepMoD).
    Pinn,
    /// The data alone.
    Data,
}

impl Fit {
    fn name(self) -> &'static str {
        match self {
            Fit::Pinn => "pinn",
            Fit::Data => "data",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Which {
    /// Burgers, ν = 0.01/π, x ∈ [−1, 1], t ∈ [0, 1].
    Burgers,
    /// KdV two-soliton, x ∈ [−10, 10], t ∈ [0, 4].
    Kdv,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Burgers => "burgers",
            Which::Kdv => "kdv",
        }
    }
    /// The true coefficients, by library term name.
    fn truth(self) -> Vec<(&'static str, f64)> {
        match self {
            Which::Burgers => vec![("u·u_x", -1.0), ("u_xx", 0.01 / core::f64::consts::PI)],
            Which::Kdv => vec![("u·u_x", -6.0), ("u_xxx", -1.0)],
        }
    }
}

/// Equation discovery through a network: PDE-FIND's library and sequential thresholded ridge
/// regression on the derivatives of a tanh MLP fitted to scattered (noisy) data of Burgers
/// or KdV. Prints the equation found and the relative error of each true coefficient.
///
/// Writes discover_<problem>_<noise>_<dtype>_s<seed>.png (fit, truth, error) to
/// target/examples-out (or $CARGO_TARGET_DIR/examples-out), and one JSON line.
#[derive(Parser, Debug)]
#[command(
    name = "discover",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine with the defaults (f64, one thread, beside other \
                  jobs): --fit pinn about 45 min (the KdV run trained 43 min: the data fit, then \
                  the library equation's stages); --fit data 15 to 25 min; the regressions take \
                  seconds."
)]
struct Cli {
    /// The problem the data come from.
    #[arg(long, value_enum, default_value_t = Which::Burgers)]
    problem: Which,
    /// How the network is fitted: with the library equation (its coefficients trained) or to
    /// the data alone.
    #[arg(long, value_enum, default_value_t = Fit::Pinn)]
    fit: Fit,
    /// Gaussian noise, as a fraction of the data's standard deviation (0 to 0.5).
    #[arg(long, value_name = "SIGMA", default_value_t = 0.0, value_parser = support::cli::number_in(0.0, 0.5))]
    noise: f64,
    /// Data points (random in the box).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = support::cli::at_least(100))]
    points: usize,
    /// Adam steps (lr 1e-3) before L-BFGS.
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = support::cli::at_least(0))]
    adam: usize,
    /// L-BFGS iterations (in steps of 50, 50 stored pairs, strong Wolfe), stopping early
    /// when it converges (gradient below 1e-12 or changes below 1e-15).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = support::cli::at_least(0))]
    lbfgs: usize,
    /// Collocation points of the library equation (random in the box; with `--fit pinn`).
    #[arg(long, value_name = "N", default_value_t = 2_000, value_parser = support::cli::at_least(1))]
    collocation: usize,
    /// L-BFGS iterations of each later stage (data and the library equation; with `--fit pinn`).
    #[arg(long, value_name = "N", default_value_t = 5_000, value_parser = support::cli::at_least(1))]
    refine: usize,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// The seed of the data, the noise, the initialisation and the regression's split.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Worker threads (results do not depend on it).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = support::cli::at_least(1))]
    threads: usize,
    /// Append the JSON line to this file (checked before the run starts).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// The library equation `u_t − Σ_j ξ_j θ_j = 0` with the `ξ_j` trainable (from 0), one per
/// candidate term of `library`, named after it.
struct LibraryEquation {
    library: Library,
    /// `library.components()`, kept: the residual reads them at every point.
    comps: Vec<Component>,
}

impl LibraryEquation {
    fn new(library: Library) -> Self {
        let comps = library.components();
        LibraryEquation { library, comps }
    }
}

impl Pde for LibraryEquation {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        let mut c = self.comps.clone();
        c.push(Component::First(1));
        c
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, xi: &[S], r: &mut Residuals<'_, S>) {
        let mut s = u.d(0, 1);
        for (term, &c) in self.library.terms().iter().zip(xi) {
            s -= c * term.value(|f| u.get(0, self.comps[f]));
        }
        r[0] = s;
    }
    fn coefficient_specs(&self) -> Vec<Coefficient> {
        self.library
            .terms()
            .iter()
            .map(|t| Coefficient {
                name: t.name.clone(),
                initial: 0.0,
                parametrisation: Parametrisation::Identity,
            })
            .collect()
    }
    fn name(&self) -> String {
        "u_t = Σ ξ_j θ_j (library)".into()
    }
}

/// PDE-FIND's polynomial library: `u^p · D`, `p ≤ 2`, `D ∈ {1, u_x, u_xx, u_xxx}`.
fn library() -> pinn::Result<Library> {
    Library::polynomial(
        &[
            Component::First(0),
            Component::Second(0, 0),
            Component::Third(0, 0, 0),
        ],
        &["u_x", "u_xx", "u_xxx"],
        2,
    )
}

/// The truth at `x = (x, t)`.
fn truth(which: Which, x: &[f64]) -> pinn::Result<f64> {
    Ok(match which {
        Which::Burgers => Burgers::default().reference(x)?[0],
        Which::Kdv => Kdv::default().reference(x)?[0],
    })
}

fn bounds(which: Which) -> (Vec<f64>, Vec<f64>) {
    match which {
        Which::Burgers => Burgers::default().bounds(),
        Which::Kdv => Kdv::default().bounds(),
    }
}

/// What a run found.
struct Outcome {
    equation: String,
    /// With `--fit pinn`: the trained coefficients, as an equation (dense).
    trained: Option<String>,
    /// With `--fit pinn`: what stage 1 (the data fit alone) selected.
    stage1: Option<String>,
    /// With `--fit pinn`: what stage 2 (the dense library equation trained) selected.
    stage2: Option<String>,
    /// `(term, found, true)` for every true term.
    errors: Vec<(String, f64, f64)>,
    /// Terms found that are not in the truth.
    extra: Vec<String>,
    tolerance: f64,
    fit_rel_l2: f64,
    seconds: f64,
    prediction: Vec<f64>,
    reference: Vec<f64>,
    axes: (Vec<f64>, Vec<f64>),
}

fn run<T: Real>(cli: &Cli) -> Result<Outcome, Box<dyn std::error::Error>> {
    let which = cli.problem;
    let seed = Seed(cli.seed);
    let (lo, hi) = bounds(which);
    // Data.
    let mut rng = seed.derive(DATA_STREAM).rng();
    let points: Vec<f64> = (0..cli.points)
        .flat_map(|_| {
            let (a, b) = (uniform(&mut rng), uniform(&mut rng));
            [lo[0] + (hi[0] - lo[0]) * a, lo[1] + (hi[1] - lo[1]) * b]
        })
        .collect();
    let clean = points
        .chunks(2)
        .map(|p| truth(which, p))
        .collect::<pinn::Result<Vec<f64>>>()?;
    let mean = clean.iter().sum::<f64>() / clean.len() as f64;
    let std = (clean.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / clean.len() as f64).sqrt();
    let mut nrng = seed.derive(NOISE_STREAM).rng();
    let data: Vec<f64> = clean
        .iter()
        .map(|v| v + cli.noise * std * standard_normal(&mut nrng))
        .collect();
    // Fit: inputs scaled to [−1, 1] by the network's first layer.
    let mu: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| (a + b) / 2.0).collect();
    let sigma: Vec<f64> = lo.iter().zip(&hi).map(|(a, b)| (b - a) / 2.0).collect();
    let net = NetBuilder::new(2)
        .normalize(&mu, &sigma)
        .mlp(&[32; 5], Elementary::Tanh)
        .build(1)?;
    let lbfgs = support::lbfgs_to_machine_precision();
    let b = Trainer::<_, T>::builder(net.clone(), LibraryEquation::new(library()?))
        .condition("data", Condition::data(0, &data), points.clone())
        .seed(seed)
        .threads(cli.threads);
    let mut trainer = support::adam_then_lbfgs(b, cli.adam, cli.lbfgs)?.build()?;
    println!("stage 1: the network fitted to the data alone");
    let mut seconds = trainer.run()?.seconds;
    // The library on an interior grid.
    let inner = |k: usize, n: usize| {
        let w = hi[k] - lo[k];
        support::linspace(lo[k] + 0.05 * w, hi[k] - 0.05 * w, n)
    };
    let (xs, ts) = (inner(0, 101), inner(1, 51));
    let grid = support::grid2(&xs, &ts);
    let library = library()?;
    let split = seed.derive(DATA_STREAM + 2);
    let mut sel = select(&trainer, &grid, &library, split)?;
    let mut trained = None;
    let mut stage1 = None;
    let mut stage2 = None;
    if cli.fit == Fit::Pinn {
        stage1 = Some(library.describe(&sel.xi, 0.0));
        println!("stage 1 selects: u_t = {}", library.describe(&sel.xi, 0.0));
        // Stage 2: the library equation joins the data, its coefficients starting from the
        // dense least-squares fit of stage 1's derivatives.
        let dense = StRidge {
            tolerance: 0.0,
            ..StRidge::default()
        }
        .fit(&sel.theta, &sel.target)?;
        let mut params: Vec<T> = trainer.params().to_vec();
        let n_theta = params.len() - dense.len();
        params.truncate(n_theta);
        params.extend(dense.iter().map(|&c| T::from_f64(c)));
        let mut crng = seed.derive(COLLOCATION_STREAM).rng();
        let colloc: Vec<f64> = (0..cli.collocation)
            .flat_map(|_| {
                let (a, b) = (uniform(&mut crng), uniform(&mut crng));
                [lo[0] + (hi[0] - lo[0]) * a, lo[1] + (hi[1] - lo[1]) * b]
            })
            .collect();
        let refine = |lib: &Library, params: Vec<T>| -> pinn::Result<Trainer<LibraryEquation, T>> {
            let steps = cli.refine.div_ceil(lbfgs.max_iter);
            Trainer::<_, T>::builder(net.clone(), LibraryEquation::new(lib.clone()))
                .condition("data", Condition::data(0, &data), points.clone())
                .pde_points(colloc.clone())
                .params(params)
                .phase_until_converged("lbfgs", steps, Lbfgs::new(lbfgs)?)
                .observer(support::progress(support::Plan::new().lbfgs(
                    "lbfgs",
                    steps,
                    lbfgs.max_iter,
                    true,
                )))
                .seed(seed)
                .threads(cli.threads)
                .build()
        };
        println!(
            "stage 2: data and u_t = Σ ξ_j θ_j on {} collocation points, ξ trained",
            cli.collocation
        );
        let mut second = refine(&library, params)?;
        seconds += second.run()?.seconds;
        let xi: Vec<f64> = second.coefficients().iter().map(|v| v.to_f64()).collect();
        println!("trained ξ (dense): u_t = {}", library.describe(&xi, 0.0));
        trained = Some(library.describe(&xi, 0.0));
        sel = select(&second, &grid, &library, split)?;
        stage2 = Some(library.describe(&sel.xi, 0.0));
        // Stage 3 (PINN-SR's sequential thresholding, in training): retrain with the selected
        // terms only, select again among them, until the support stops shrinking (at most
        // three rounds); the result is the last round's trained coefficients.
        let mut support: Vec<usize> = (0..sel.xi.len()).filter(|&j| sel.xi[j] != 0.0).collect();
        let mut coef: Vec<f64> = support.iter().map(|&j| sel.xi[j]).collect();
        let mut theta: Vec<T> = second.theta().to_vec();
        let comp_names: Vec<&str> = library
            .component_names()
            .iter()
            .map(String::as_str)
            .collect();
        for round in 1..=3 {
            if support.is_empty() {
                break;
            }
            let sub = Library::new(
                &library.components(),
                &comp_names,
                support
                    .iter()
                    .map(|&j| library.terms()[j].clone())
                    .collect(),
            )?;
            println!(
                "stage 3, round {round}: retraining with u_t = {}",
                sub.describe(&coef, 0.0)
            );
            let mut params = theta.clone();
            params.extend(coef.iter().map(|&c| T::from_f64(c)));
            let mut t3 = refine(&sub, params)?;
            seconds += t3.run()?.seconds;
            let trained3: Vec<f64> = t3.coefficients().iter().map(|v| v.to_f64()).collect();
            let sel3 = select(&t3, &grid, &sub, split)?;
            theta = t3.theta().to_vec();
            sel.values = sel3.values.clone();
            let keep: Vec<usize> = (0..trained3.len()).filter(|&k| sel3.xi[k] != 0.0).collect();
            // The result so far: this round's trained coefficients on its support.
            sel.xi = vec![0.0; library.terms().len()];
            for (&j, &c) in support.iter().zip(&trained3) {
                sel.xi[j] = c;
            }
            sel.tolerance = sel3.tolerance;
            if keep.len() == support.len() {
                break;
            }
            coef = keep.iter().map(|&k| trained3[k]).collect();
            support = keep.iter().map(|&k| support[k]).collect();
        }
    }
    let (xi, tolerance) = (sel.xi.clone(), sel.tolerance);
    let names: Vec<&str> = library.terms().iter().map(|t| t.name.as_str()).collect();
    let truths = which.truth();
    let errors = truths
        .iter()
        .map(|&(name, c)| {
            let found = names.iter().position(|&n| n == name).map_or(0.0, |j| xi[j]);
            (name.to_string(), found, c)
        })
        .collect();
    let extra = names
        .iter()
        .zip(&xi)
        .filter(|(n, c)| **c != 0.0 && !truths.iter().any(|t| t.0 == **n))
        .map(|(n, _)| n.to_string())
        .collect();
    // The fit against the truth on the grid (value only).
    let reference = grid
        .chunks(2)
        .map(|p| truth(which, p))
        .collect::<pinn::Result<Vec<f64>>>()?;
    let prediction = sel.values.clone();
    Ok(Outcome {
        equation: library.describe(&xi, 0.0),
        trained,
        stage1,
        stage2,
        errors,
        extra,
        tolerance,
        fit_rel_l2: Metrics::compute(&prediction, &reference).rel_l2,
        seconds,
        prediction,
        reference,
        axes: (xs, ts),
    })
}

/// The library evaluated on the network's derivatives at `grid`, and STRidge's selection.
struct Selection {
    theta: nalgebra::DMatrix<f64>,
    target: Vec<f64>,
    /// The network's values at the grid.
    values: Vec<f64>,
    xi: Vec<f64>,
    tolerance: f64,
}

fn select<T: Real>(
    trainer: &Trainer<LibraryEquation, T>,
    grid: &[f64],
    library: &Library,
    split: Seed,
) -> pinn::Result<Selection> {
    let comps = library.components();
    let mut asked = comps.clone();
    asked.push(Component::First(1));
    let d = trainer.predict_components(grid, &asked)?;
    let n = grid.len() / 2;
    let values: Vec<f64> = (0..n)
        .flat_map(|p| (0..comps.len()).map(move |c| (c, p)))
        .map(|(c, p)| d[c][p])
        .collect();
    let theta = library.evaluate(&values)?;
    let target = d[comps.len()].clone();
    println!(
        "library: {} terms on {n} points; selecting …",
        theta.ncols()
    );
    let (xi, tolerance) = StRidge::default().train(
        &theta,
        &target,
        &ToleranceSearch {
            seed: split,
            ..ToleranceSearch::default()
        },
    )?;
    Ok(Selection {
        theta,
        target,
        values: d[0].clone(),
        xi,
        tolerance,
    })
}

fn write_plot(cli: &Cli, o: &Outcome, dir: &Path) -> Result<(), String> {
    let stem = format!(
        "discover_{}_{}_{}_s{}",
        cli.problem.name(),
        cli.noise,
        cli.dtype,
        cli.seed
    );
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!(
                "{} data, noise {} × std ({} points): network fit, rel-L2 {:.1e}",
                cli.problem.name(),
                cli.noise,
                cli.points,
                o.fit_rel_l2
            ),
            &Grid2 {
                names: ["x", "t"],
                axes: [&o.axes.0, &o.axes.1],
                across: 0,
            },
            "u",
            &o.prediction,
            &o.reference,
            (300, 200),
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
        println!("found:  u_t = {}", o.equation);
        let truth: Vec<String> = cli
            .problem
            .truth()
            .iter()
            .map(|(n, c)| format!("{c} {n}"))
            .collect();
        println!("truth:  u_t = {}", truth.join(" + "));
        let mut errs = Vec::new();
        for (name, found, c) in &o.errors {
            let rel = (found - c).abs() / c.abs();
            println!("  {name}: {found:.6} (true {c:.6}), relative error {rel:.2e}");
            errs.push(format!("\"{name}\":{rel:e}"));
        }
        if !o.extra.is_empty() {
            println!(
                "  terms found that are not in the truth: {}",
                o.extra.join(", ")
            );
        }
        let line = format!(
            "{{\"example\":\"discover\",\"problem\":\"{}\",\"noise\":{},\"points\":{},\"dtype\":\"{}\",\
             \"seed\":{},\"fit\":\"{}\",\"equation\":\"{}\",\"trained\":{},\"stage1\":{},\"stage2\":{},\
             \"relative_errors\":{{{}}},\"extra_terms\":{},\"tolerance\":{:e},\"fit_rel_l2\":{:e},\
             \"seconds\":{:.2}}}",
            cli.problem.name(),
            cli.noise,
            cli.points,
            cli.dtype,
            cli.seed,
            cli.fit.name(),
            o.equation,
            o.trained
                .as_ref()
                .map_or("null".to_string(), |t| format!("\"{t}\"")),
            o.stage1
                .as_ref()
                .map_or("null".to_string(), |t| format!("\"{t}\"")),
            o.stage2
                .as_ref()
                .map_or("null".to_string(), |t| format!("\"{t}\"")),
            errs.join(","),
            o.extra.len(),
            o.tolerance,
            o.fit_rel_l2,
            o.seconds
        );
        println!("{line}");
        if let Some(r) = &cli.record {
            support::append_record(r, &[line]);
        }
        write_plot(&cli, &o, &dir)?;
        Ok(())
    })())
}
