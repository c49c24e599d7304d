//! Wang, Teng & Perdikaris (2021), the lid-driven cavity at Re = 100 (§3.3), models M1–M4, in
//! the stream-function form `(ψ, p)` the paper uses and the velocity–pressure form `(u, v, p)`
//! that it reports failing.
//!
//! - Steady Navier–Stokes on `[0, 1]²`, lid `y = 1` at `(u, v) = (1, 0)`
//!   ([`LidDrivenCavity`]); `L = mean(r_u²) + mean(r_v²) [+ mean(r_c²)] + λ·L_b`, the
//!   boundary loss as coded: eight terms (four walls × `u`, `v`) of weight ½, so that their
//!   sum is the code's mean over 128 points × 2 components of the four walls' summed squares.
//! - `m1` MLP, `m2` MLP + learning-rate annealing, `m3` modified MLP, `m4` modified MLP +
//!   annealing: layers `[2, 50, 50, 50, outputs]`, inputs normalised by the mean and standard
//!   deviation of 10⁵ uniform points, Xavier-normal weights, 40 001 Adam steps with lr
//!   `1e-3·0.9^(n/1000)`, a fresh batch of 128 uniform points per term per step. Annealing
//!   is the cavity code's: `λ̂ = max_l [max|∂L_r/∂W_l| / mean|∂(λL_b)/∂W_l|]` every 10 steps
//!   ([`Statistic::LayerRatioMax`]), one `λ` for the eight boundary terms.
//! - Error: relative ℓ² of the speed `|u| = √(u² + v²)` on the 100 × 100 `linspace` grid
//!   (walls included) against our finite-difference reference ([`CavitySolution`],
//!   `--reference-cells`, 256 by default: its error is stated in `docs/REPRODUCTION.md`).
//!
//! ```text
//! cargo run --release --example cavity -- --model m1|m2|m3|m4 [--form psi-p|uvp]
//!     [--dtype f32|f64] [--seed S] [--steps N] [--threads K] [--reference-cells N]
//!     [--record FILE]
//! ```
//!
//! Writes `cavity_<form>_<model>_<dtype>_s<seed>{.png,_loss.png}` (predicted and reference
//! speed on one colour scale with the error on its own; the loss terms), and for m2 and m4
//! `_lambda.png` (the boundary weight), to the output folder, and ends with one JSON line
//! (appended to `--record` too).

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Schedule};
use pinn::pde::Pde;
use pinn::pde::problems::{
    CavityFormulation, CavityOptions, CavitySolution, LidDrivenCavity, Problem, Region,
};
use pinn::rng::{Seed, uniform};
use pinn::strategies::{LrAnnealing, LrAnnealingConfig, Statistic, WeightLog};
use pinn::train::{Metrics, Trainer};
use support::Dtype;
use support::plot::{Grid2, LinePanel, Series, compare, lines};

/// The paper's relative ℓ² errors of |u| (arXiv v1, Fig. 18 ψ–p and Fig. 17 u–v–p).
const PAPER: [(&str, f64, f64); 4] = [
    ("m1", 2.71e-1, 7.84e-1),
    ("m2", 2.49e-1, 7.48e-1),
    ("m3", 1.21e-1, 7.48e-1),
    ("m4", 3.42e-2, 7.53e-1),
];

/// Seed stream of the input normalisation (the trainer uses 0, 1 + term and 2³² + k).
const NORMALISATION_STREAM: u64 = 1 << 48;

/// The models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Model {
    /// Plain MLP.
    M1,
    /// MLP + learning-rate annealing.
    M2,
    /// Modified MLP.
    M3,
    /// Modified MLP + learning-rate annealing.
    M4,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Model::M1 => "m1",
            Model::M2 => "m2",
            Model::M3 => "m3",
            Model::M4 => "m4",
        }
    }
}

/// What the network outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Form {
    /// (ψ, p), u = ψ_y, v = −ψ_x (the paper's).
    PsiP,
    /// (u, v, p) with the continuity residual.
    Uvp,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::PsiP => "psi-p",
            Form::Uvp => "uvp",
        }
    }
    fn formulation(self) -> CavityFormulation {
        match self {
            Form::PsiP => CavityFormulation::StreamFunction,
            Form::Uvp => CavityFormulation::VelocityPressure,
        }
    }
}

/// Wang, Teng & Perdikaris (2021), the lid-driven cavity at Re = 100: models M1–M4 as the
/// authors coded them, in the stream-function form (ψ, p) of the paper or the
/// velocity–pressure form (u, v, p). Relative ℓ² error of the speed |u| on the 100×100 grid
/// against our finite-difference reference.
///
/// Writes cavity_<form>_<model>_<dtype>_s<seed>.png (predicted and reference speed, error),
/// _loss.png (loss terms) and, for m2 and m4, _lambda.png (the boundary weight) to
/// target/examples-out (or $CARGO_TARGET_DIR/examples-out), and one JSON line.
#[derive(Parser, Debug)]
#[command(
    name = "cavity",
    verbatim_doc_comment,
    after_help = "Time on a 2-core machine with the defaults (f32, one thread): the reference \
                  (256 cells) about 2 min; training about 10 to 20 min for psi-p (third \
                  derivatives of ψ), less for uvp; m2 and m4 about 10 % more (measured beside \
                  other jobs: see docs/REPRODUCTION.md for each run's time)."
)]
struct Cli {
    /// The model.
    #[arg(long, value_enum, default_value_t = Model::M1)]
    model: Model,
    /// The formulation: the network's outputs.
    #[arg(long, value_enum, default_value_t = Form::PsiP)]
    form: Form,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// The seed of the initialisation, the points and every draw.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Adam steps.
    #[arg(long, value_name = "N", default_value_t = 40_001, value_parser = support::cli::at_least(1))]
    steps: usize,
    /// Worker threads (results do not depend on it).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = support::cli::at_least(1))]
    threads: usize,
    /// Cells per side of the finite-difference reference (a power of two from 16 to 512;
    /// the solve's time grows about 16-fold per doubling: 128 about 10 s, 256 about 2 min).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = cells)]
    reference_cells: usize,
    /// Append the JSON line to this file (checked before the run starts).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// A power of two from 16 to 512.
fn cells(s: &str) -> Result<usize, String> {
    let n = support::cli::at_least(16)(s)?;
    if n.is_power_of_two() && n <= 512 {
        Ok(n)
    } else {
        Err(format!("must be a power of two from 16 to 512, found {n}"))
    }
}

/// The 100 × 100 test grid (x slowest) and the reference speed on it.
fn test_grid(reference: &CavitySolution) -> pinn::Result<(Vec<f64>, Vec<f64>)> {
    let xs = support::linspace(0.0, 1.0, 100);
    let grid = support::grid2(&xs, &xs);
    let speed = grid
        .chunks(2)
        .map(|p| reference.velocity(p[0], p[1]).map(|[u, v]| u.hypot(v)))
        .collect::<pinn::Result<Vec<f64>>>()?;
    Ok((grid, speed))
}

/// The reference speed on the test grid, from the cache file
/// `cavity_reference_<cells>.csv` in `dir` when an earlier run wrote it, else solved (and
/// the file written: a failure to write it is reported, not fatal).
fn reference_speed(
    cells: usize,
    dir: &Path,
) -> Result<(Vec<f64>, Vec<f64>), Box<dyn std::error::Error>> {
    let xs = support::linspace(0.0, 1.0, 100);
    let grid = support::grid2(&xs, &xs);
    let cache = dir.join(format!("cavity_reference_{cells}.csv"));
    let header =
        format!("speed |u| on the 100 x 100 test grid (x slowest), Re = 100, {cells} cells");
    if let Ok(text) = std::fs::read_to_string(&cache) {
        let mut lines = text.lines();
        if lines.next() == Some(header.as_str()) {
            let speed: Result<Vec<f64>, _> = lines.map(str::parse::<f64>).collect();
            if let Ok(speed) = speed
                && speed.len() == grid.len() / 2
            {
                println!("reference: read from {}", cache.display());
                return Ok((grid, speed));
            }
        }
        println!(
            "reference: {} is not this reference; solving again",
            cache.display()
        );
    }
    println!("reference: finite differences on {cells} × {cells} cells …");
    let t0 = std::time::Instant::now();
    let solution = CavitySolution::solve_with(
        100.0,
        &CavityOptions {
            cells,
            ..Default::default()
        },
        |step, change| {
            if step % 10_000 == 0 {
                println!("  step {step}: change {change:.2e} (stops below 1e-9)");
            }
        },
    )?;
    println!(
        "reference: {} steps, steady residual {:.1e}, {:.1} s",
        solution.steps(),
        solution.residual(),
        t0.elapsed().as_secs_f64()
    );
    let (grid, speed) = test_grid(&solution)?;
    let mut text = header;
    for v in &speed {
        text.push_str(&format!("\n{v:e}"));
    }
    match std::fs::write(&cache, text + "\n") {
        Ok(()) => support::wrote(&cache),
        Err(e) => eprintln!("could not cache the reference in {}: {e}", cache.display()),
    }
    Ok((grid, speed))
}

/// What a run produced.
struct Outcome {
    rel_l2: f64,
    seconds: f64,
    steps: usize,
    speed: Vec<f64>,
    lambda: f64,
    history: Vec<(usize, Vec<f64>)>,
    names: Vec<String>,
    log: Option<WeightLog>,
    /// Each equation's mean squared residual on the last batch (r_u, r_v[, r_c]).
    equations: Vec<f64>,
}

fn train<T: Real>(
    cli: &Cli,
    grid: &[f64],
    reference: &[f64],
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let problem = LidDrivenCavity::new(100.0, cli.form.formulation())?;
    let seed = Seed(cli.seed);
    let (mu, sigma) =
        support::input_normalisation(seed.derive(NORMALISATION_STREAM), &[0.0, 0.0], &[1.0, 1.0]);
    let modified = matches!(cli.model, Model::M3 | Model::M4);
    let annealing = matches!(cli.model, Model::M2 | Model::M4);
    let builder = NetBuilder::new(2).normalize(&mu, &sigma);
    let net = if modified {
        builder.modified_mlp(&[50; 3], Elementary::Tanh)
    } else {
        builder.mlp(&[50; 3], Elementary::Tanh)
    }
    .build(problem.outputs())?;

    let draw_interior = |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
        let mut rng = s.rng();
        Ok(((0..2 * 128).map(|_| uniform(&mut rng)).collect(), vec![]))
    };
    let draw_wall = |region: Region| {
        move |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
            let mut rng = s.rng();
            let p = LidDrivenCavity::default().sample_region(&region, 128, || uniform(&mut rng))?;
            Ok((p.points, vec![]))
        }
    };
    // The step-0 batch uses the stream the trainer's resampling uses for step 0.
    let first = |term: usize| seed.derive(1 + term as u64).derive(0);
    let adam = Adam::new(AdamConfig {
        lr: 1e-3,
        schedule: Schedule::wang2021(),
        ..Default::default()
    })?;
    let mut b = Trainer::<_, T>::builder(net, problem.clone());
    let pde = b.add_pde_points(draw_interior(first(0))?.0);
    b = b.resample(pde, 1, draw_interior);
    let mut walls = Vec::new();
    for (k, c) in problem.conditions().iter().enumerate() {
        let draw = draw_wall(c.region.clone());
        let term = b.add_condition(&c.name, c.condition.clone(), draw(first(k + 1))?.0);
        b = b.resample(term, 1, draw).weight(term, 0.5);
        walls.push(term);
    }
    let mut log = None;
    if annealing {
        let s = LrAnnealing::new(LrAnnealingConfig {
            statistic: Statistic::LayerRatioMax,
            ..Default::default()
        })?
        .group("boundary", &walls);
        log = Some(s.log());
        b = b.strategy(s);
    }
    let mut trainer = b
        .phase("adam", cli.steps, adam)
        .observer(support::progress(
            support::Plan::new().adam("adam", cli.steps),
        ))
        .seed(seed)
        .chunk_size(128)
        .threads(cli.threads)
        .build()?;
    let report = trainer.run()?;
    let equations = trainer.equation_losses(pde)?;
    let comps = match cli.form {
        Form::PsiP => vec![Component::First(0), Component::First(1)],
        Form::Uvp => vec![Component::Value],
    };
    let d = trainer.predict_components(grid, &comps)?;
    let m = trainer.graph().output_dim();
    let speed: Vec<f64> = (0..grid.len() / 2)
        .map(|p| match cli.form {
            // u = ψ_y, v = −ψ_x.
            Form::PsiP => d[1][p * m].hypot(d[0][p * m]),
            Form::Uvp => d[0][p * m].hypot(d[0][p * m + 1]),
        })
        .collect();
    Ok(Outcome {
        rel_l2: Metrics::compute(&speed, reference).rel_l2,
        seconds: report.seconds,
        steps: report.steps,
        speed,
        lambda: log
            .as_ref()
            .and_then(|l| l.current().first().and_then(|v| v.first().copied()))
            .unwrap_or(1.0),
        history: report
            .history
            .iter()
            .map(|h| (h.step, h.terms.iter().map(|v| v.to_f64()).collect()))
            .collect(),
        names: trainer.term_names(),
        log,
        equations,
    })
}

fn write_outputs(cli: &Cli, o: &Outcome, reference: &[f64], dir: &Path) -> Result<(), String> {
    let (form, model, dtype, seed) = (cli.form.name(), cli.model.name(), cli.dtype, cli.seed);
    let what = format!("{form} {model}, {dtype}, seed {seed}");
    let stem = format!("cavity_{form}_{model}_{dtype}_s{seed}");
    let xs = support::linspace(0.0, 1.0, 100);
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!(
                "Lid-driven cavity, Re = 100 ({what}): speed |u|, rel-L2 {:.2e}",
                o.rel_l2
            ),
            &Grid2 {
                names: ["x", "y"],
                axes: [&xs, &xs],
                across: 0,
            },
            "|u|",
            &o.speed,
            reference,
            (250, 250),
        )
    })?;
    let thin: Vec<&(usize, Vec<f64>)> = o.history.iter().step_by(10).collect();
    let pde_terms: Vec<usize> = (0..o.names.len())
        .filter(|&k| o.names[k] == "pde")
        .collect();
    let residual: Vec<(f64, f64)> = thin
        .iter()
        .map(|h| (h.0 as f64, pde_terms.iter().map(|&k| h.1[k]).sum()))
        .collect();
    let walls: Vec<(f64, f64)> = thin
        .iter()
        .map(|h| {
            let s: f64 = (0..h.1.len())
                .filter(|k| !pde_terms.contains(k))
                .map(|k| h.1[k])
                .sum();
            (h.0 as f64, s)
        })
        .collect();
    support::save_figure(&dir.join(format!("{stem}_loss.png")), |path| {
        lines(
            path,
            &format!("Cavity {what}: loss terms (weighted, at the start of each step)"),
            &[LinePanel::new("", "step", "loss")
                .log_y()
                .with(Series::line("PDE residual L_r", residual))
                .with(Series::line("boundary λ·L_b (four walls, u and v)", walls))],
            (700, 300),
        )
    })?;
    if let Some(log) = &o.log {
        let rows = log.rows();
        let column =
            |c: usize| -> Vec<(f64, f64)> { rows.iter().map(|r| (r.0 as f64, r.1[c])).collect() };
        support::save_figure(&dir.join(format!("{stem}_lambda.png")), |path| {
            lines(
                path,
                &format!("Cavity {what}: the boundary weight of learning-rate annealing"),
                &[LinePanel::new("", "step", "boundary weight λ")
                    .log_y()
                    .with(
                        Series::points("estimate at each update", column(1))
                            .colour(5)
                            .width(1),
                    )
                    .with(Series::line("λ (moving average, used)", column(0)).colour(1))],
                (700, 300),
            )
        })?;
    }
    Ok(())
}

fn run(cli: &Cli, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(r) = &cli.record {
        support::check_writable("--record", r)?;
    }
    let cells = cli.reference_cells;
    let (grid, reference) = reference_speed(cells, dir)?;
    let o = match cli.dtype {
        Dtype::F32 => train::<f32>(cli, &grid, &reference)?,
        Dtype::F64 => train::<f64>(cli, &grid, &reference)?,
    };
    let paper = PAPER
        .iter()
        .find(|p| p.0 == cli.model.name())
        .map(|p| if cli.form == Form::PsiP { p.1 } else { p.2 });
    let eq_names = ["r_u", "r_v", "r_c"];
    let equations: Vec<String> = o
        .equations
        .iter()
        .zip(eq_names)
        .map(|(v, n)| format!("mean {n}² {v:.2e}"))
        .collect();
    println!("residuals on the last batch: {}", equations.join(", "));
    println!(
        "cavity {} {} {} seed {}: rel-L2 of |u| {:.3e}{}  λ {:.3e}  {:.1} s",
        cli.form.name(),
        cli.model.name(),
        cli.dtype,
        cli.seed,
        o.rel_l2,
        paper.map_or(String::new(), |p| format!(" (paper {p:.2e})")),
        o.lambda,
        o.seconds,
    );
    let line = format!(
        "{{\"example\":\"cavity\",\"form\":\"{}\",\"model\":\"{}\",\"dtype\":\"{}\",\"seed\":{},\
         \"steps\":{},\"threads\":{},\"reference_cells\":{cells},\"rel_l2\":{:e},\"lambda\":{:e},\
         \"seconds\":{:.2},\"equation_losses\":[{}],\"paper\":{}}}",
        cli.form.name(),
        cli.model.name(),
        cli.dtype,
        cli.seed,
        o.steps,
        cli.threads,
        o.rel_l2,
        o.lambda,
        o.seconds,
        o.equations
            .iter()
            .map(|v| format!("{v:e}"))
            .collect::<Vec<_>>()
            .join(","),
        paper.map_or("null".into(), |p| format!("{p:e}")),
    );
    println!("{line}");
    if let Some(r) = &cli.record {
        support::append_record(r, &[line]);
    }
    write_outputs(cli, &o, &reference, dir)?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Strategies evaluate terms after each step outside the trainer's thread pool (in rayon's
    // global pool): give that pool the same size so a run uses `--threads` cores.
    rayon::ThreadPoolBuilder::new()
        .num_threads(cli.threads)
        .build_global()
        .ok();
    support::cli::finish(
        support::out_dir(None)
            .map_err(Into::into)
            .and_then(|dir| run(&cli, &dir)),
    )
}
