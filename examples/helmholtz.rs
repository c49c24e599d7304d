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
//! - `ntk`: M2 with NTK weighting (Wang, Yu & Perdikaris 2022, [`NtkWeighting`]) in place of
//!   annealing: `L = λ_r L_r + λ_b (L_bc1 + … + L_bc4)`, `λ_g = tr K / tr K_gg` from the
//!   traces of the kernel's blocks on the current batch (128 residual points, 4 × 128 boundary
//!   points), every 100 steps, as the authors' wave code.
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
//! `--steps` is the number of Adam steps (default 40 001; 10 000 for `sa`); `-- --help` lists
//! every flag with its default and the time a run takes. Writes
//! `helmholtz_<model>_<dtype>_s<seed>{.png,_loss.png,_lambda.png,_lambda.csv}` (prediction and
//! exact solution on one colour scale with the error on its own; the loss terms; the λ
//! history) to the output folder and ends with one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

use pinn::ad::{Elementary, Real};
use pinn::domain::BoxDomain;
use pinn::nets::{Gate, NetBuilder};
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig, Schedule};
use pinn::pde::problems::{Helmholtz2D, Problem};
use pinn::rng::{Seed, uniform};
use pinn::sampling::{LatinHypercube, Sampler};
use pinn::strategies::{
    Denominator, LrAnnealing, LrAnnealingConfig, NtkConfig, NtkWeighting, SelfAdaptive,
    SelfAdaptiveConfig, WeightLog,
};
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{Grid2, LinePanel, Series, compare, lines};

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

/// The models of the table and SA-PINN.
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
    /// SA-PINN (McClenny & Braga-Neto), the authors' setting.
    Sa,
    /// MLP + NTK weighting (Wang, Yu & Perdikaris 2022) in place of annealing.
    Ntk,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Model::M1 => "m1",
            Model::M2 => "m2",
            Model::M3 => "m3",
            Model::M4 => "m4",
            Model::Sa => "sa",
            Model::Ntk => "ntk",
        }
    }
    fn modified(self) -> bool {
        matches!(self, Model::M3 | Model::M4)
    }
    fn annealing(self) -> bool {
        matches!(self, Model::M2 | Model::M4)
    }
}

/// The modified MLP's gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Gating {
    /// Z⊙U + (1 − Z)⊙V, as the paper writes it.
    Z,
    /// σ(HW + b)⊙U + σ(1 − HW + b)⊙V, from the other version of the authors' code.
    Old,
}

/// Wang, Teng & Perdikaris (2021), Helmholtz 2-D (Table 3, 50 units / 3 hidden layers):
/// Δu + u = q on [−1, 1]², u = sin(πx) sin(4πy), Dirichlet on the four sides, for the models
/// M1–M4 as the authors coded them, and the SA-PINN of McClenny & Braga-Neto on the same
/// problem (--model sa). Relative ℓ² error on the 100×100 grid of the square.
///
/// Writes helmholtz_<model>_<dtype>_s<seed>.png (prediction, exact, error), _loss.png (loss
/// terms), and for m2, m4 and sa _lambda.png and _lambda.csv (the weights' history) to
/// target/examples-out (or $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "helmholtz",
    verbatim_doc_comment,
    allow_negative_numbers = true,
    after_help = "Time on a 2-core machine with the defaults (one thread, idle): m1 about 65 s in \
                  f32 and 130 s in f64, m2 65 s / 140 s, m3 100 s / 250 s, m4 105 s / 275 s; \
                  ntk 85 to 210 s in f32 and 5 to 6 min in f64 (measured beside other jobs). \
                  sa (10 000 Adam steps on 100 000 points, then up to 10 000 L-BFGS \
                  iterations): about 2 h with --threads 2."
)]
struct Cli {
    /// The model.
    #[arg(long, value_enum, default_value_t = Model::M1)]
    model: Model,
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// The seed of the initialisation, the points and every draw.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// Adam steps [default: 40001; 10000 for sa].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(1))]
    steps: Option<usize>,
    /// Worker threads (results do not depend on it).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = support::cli::at_least(1))]
    threads: usize,
    /// m2 and m4: the variant of the annealing update without λ in the denominator.
    #[arg(long)]
    lambda_free: bool,
    /// m3 and m4: the modified MLP's gate [default: z].
    #[arg(long, value_enum)]
    gating: Option<Gating>,
    /// sa: collocation points [default: 100000].
    #[arg(long, value_name = "N_F", value_parser = support::cli::at_least(1))]
    nf: Option<usize>,
    /// sa: L-BFGS iterations after Adam, in steps of 20 (0: none) [default: 10000].
    #[arg(long, value_name = "N", value_parser = support::cli::at_least(0))]
    lbfgs_iters: Option<usize>,
}

/// What a run is told.
struct Args {
    model: Model,
    dtype: Dtype,
    seed: u64,
    steps: Option<usize>,
    threads: usize,
    lambda_free: bool,
    /// The modified MLP's gate.
    gate: Gate,
    nf: usize,
    lbfgs_iters: usize,
}

impl Cli {
    /// The run's settings, or a usage error naming a flag that does not apply to the model.
    fn check(self) -> Result<Args, String> {
        let m = self.model;
        if self.lambda_free && !m.annealing() {
            return Err(format!(
                "--lambda-free applies to the annealing models m2 and m4, not {}",
                m.name()
            ));
        }
        if self.gating.is_some() && !m.modified() {
            return Err(format!(
                "--gating applies to the modified MLP (m3 and m4), not {}",
                m.name()
            ));
        }
        for (flag, given) in [
            ("--nf", self.nf.is_some()),
            ("--lbfgs-iters", self.lbfgs_iters.is_some()),
        ] {
            if given && m != Model::Sa {
                return Err(format!(
                    "{flag} applies to --model sa only, not {}",
                    m.name()
                ));
            }
        }
        Ok(Args {
            model: m,
            dtype: self.dtype,
            seed: self.seed,
            steps: self.steps,
            threads: self.threads,
            lambda_free: self.lambda_free,
            gate: match self.gating {
                Some(Gating::Old) => Gate::Shifted,
                _ => Gate::Complement,
            },
            nf: self.nf.unwrap_or(100_000),
            lbfgs_iters: self.lbfgs_iters.unwrap_or(10_000),
        })
    }
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

/// M1–M4.
fn run_wang<T: Real>(a: &Args) -> Result<Outcome, pinn::Error> {
    let problem = Helmholtz2D::default();
    let steps = a.steps.unwrap_or(40_001);
    let seed = Seed(a.seed);
    let (mu, sigma) = support::input_normalisation(
        seed.derive(NORMALISATION_STREAM),
        &[-1.0, -1.0],
        &[1.0, 1.0],
    );
    let modified = a.model.modified();
    let annealing = a.model.annealing();
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
    if a.model == Model::Ntk {
        let s = NtkWeighting::new(NtkConfig::default())?.group("boundary", &sides);
        log = Some(s.log());
        b = b.strategy(s);
    }
    let mut trainer = b
        .phase("adam", steps, adam)
        .metrics(grid.clone(), reference, 1000)
        .observer(support::progress(support::Plan::new().adam("adam", steps)))
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
        .observer(support::progress(
            support::Plan::new().adam("adam", adam_steps).lbfgs(
                "lbfgs",
                lbfgs_steps,
                lbfgs.max_iter,
                true,
            ),
        ))
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

fn write_outputs(a: &Args, o: &Outcome, dir: &Path) -> Result<(), String> {
    let gating = if a.gate == Gate::Shifted { "_old" } else { "" };
    let name = format!("{}{gating}", a.model.name());
    let stem = format!("helmholtz_{name}_{}_s{}", a.dtype, a.seed);
    let (_, reference) = test_grid();
    let xs = support::linspace(-1.0, 1.0, 100);
    let what = format!("{name}, {}, seed {}", a.dtype, a.seed);
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!(
                "Helmholtz Δu + u = q, u = sin(πx) sin(4πy) ({what}: rel-L2 {:.1e})",
                o.rel_l2
            ),
            &Grid2 {
                names: ["x", "y"],
                axes: [&xs, &xs],
                across: 0,
            },
            "u",
            &o.prediction,
            &reference,
            (250, 250),
        )
    })?;
    // Loss terms every 10 steps: the residual and the sum of the four sides.
    let thin: Vec<&(usize, Vec<f64>)> = o.history.iter().step_by(10).collect();
    let residual: Vec<(f64, f64)> = thin.iter().map(|h| (h.0 as f64, h.1[0])).collect();
    let sides: Vec<(f64, f64)> = thin
        .iter()
        .map(|h| (h.0 as f64, h.1[1..].iter().sum()))
        .collect();
    support::save_figure(&dir.join(format!("{stem}_loss.png")), |path| {
        lines(
            path,
            &format!("Helmholtz {what}: loss terms (weighted, at the start of each step)"),
            &[LinePanel::new("", "step", "loss")
                .log_y()
                .with(Series::line("PDE residual L_r", residual))
                .with(Series::line("boundary, four sides Σ L_b", sides))],
            (700, 300),
        )
    })?;
    if let Some(log) = &o.log {
        let rows = log.rows();
        let cols = log.columns();
        let column =
            |c: usize| -> Vec<(f64, f64)> { rows.iter().map(|r| (r.0 as f64, r.1[c])).collect() };
        let panel = if a.model == Model::Ntk {
            // Columns λ[boundary], λ[pde], tr[boundary], tr[pde].
            LinePanel::new("", "step", "weight λ")
                .log_y()
                .with(Series::line("λ_b = tr K / tr K_bb", column(0)).colour(1))
                .with(Series::line("λ_r = tr K / tr K_rr", column(1)).colour(3))
        } else if a.model == Model::Sa {
            LinePanel::new("", "step", "λ_r")
                .log_y()
                .with(Series::line("max over the points", column(2)).colour(3))
                .with(Series::line("mean", column(0)).colour(0))
                .with(Series::line("min", column(1)).colour(2))
        } else {
            // Columns λ, λ̂ (the instantaneous estimate), B, R of the one boundary group.
            LinePanel::new("", "step", "boundary weight λ")
                .log_y()
                .with(
                    Series::points("estimate at each update", column(1))
                        .colour(5)
                        .width(1),
                )
                .with(Series::line("λ (moving average, used)", column(0)).colour(1))
        };
        let title = if a.model == Model::Ntk {
            format!("Helmholtz {what}: the NTK weights of the boundary and the residual")
        } else if a.model == Model::Sa {
            format!("Helmholtz {what}: the residual points' self-adaptive weights")
        } else {
            format!("Helmholtz {what}: the boundary weight of learning-rate annealing")
        };
        support::save_figure(&dir.join(format!("{stem}_lambda.png")), |path| {
            lines(path, &title, &[panel], (700, 300))
        })?;
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

fn run<T: Real>(a: &Args, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let o = if a.model == Model::Sa {
        run_sa::<T>(a)?
    } else {
        run_wang::<T>(a)?
    };
    let paper = PAPER.iter().find(|p| p.0 == a.model.name());
    println!(
        "helmholtz {} {} seed {}: rel-L2 {:.3e}{}  λ {:?}  {:.1} s ({:.2} s per 1000 steps)",
        a.model.name(),
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
    write_outputs(a, &o, dir)?;
    let lambda: Vec<String> = o.lambda.iter().map(|l| format!("{l:e}")).collect();
    println!(
        "{{\"example\":\"helmholtz\",\"model\":\"{}\",\"dtype\":\"{}\",\"seed\":{},\"steps\":{},\
         \"variant\":\"{}\",\"gating\":\"{}\",\"threads\":{},\"rel_l2\":{:e},\"seconds\":{:.2},\
         \"seconds_per_1000\":{:.3},\"lambda\":[{}],\"paper_mean\":{},\"paper_std\":{}}}",
        a.model.name(),
        a.dtype,
        a.seed,
        o.steps,
        if a.model == Model::Sa {
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
    );
    Ok(())
}

fn main() -> ExitCode {
    let a = Cli::parse()
        .check()
        .unwrap_or_else(|e| support::cli::usage_error::<Cli>(e));
    // Strategies evaluate terms after each step outside the trainer's thread pool (in rayon's
    // global pool): give that pool the same size so a run uses `--threads` cores.
    rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads)
        .build_global()
        .ok();
    support::cli::finish(
        support::out_dir(None)
            .map_err(Into::into)
            .and_then(|dir| match a.dtype {
                Dtype::F64 => run::<f64>(&a, &dir),
                Dtype::F32 => run::<f32>(&a, &dir),
            }),
    )
}
