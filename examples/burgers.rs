//! Burgers' equation `u_t + u·u_x = ν·u_xx`, `ν = 0.01/π`, on `x ∈ [−1, 1]`, `t ∈ [0, 1]`,
//! `u(x, 0) = −sin(πx)`, `u(±1, t) = 0` (Raissi, Perdikaris & Karniadakis 2019).
//!
//! Raissi et al.'s network (8 hidden layers of 20, tanh) on 10 000 Latin-hypercube collocation
//! points, 256 initial and 100 boundary points; Adam, then L-BFGS. The reference is the
//! Cole–Hopf solution evaluated by Gauss–Hermite quadrature on a 256 × 100 grid.
//!
//! `cargo run --release --example burgers [-- --dtype f32] [--adam N] [--lbfgs N]`: prints
//! progress and the errors, writes `burgers_<dtype>.{csv,png}` (the PINN and the reference
//! over (t, x) on one colour scale, the error on its own) to the output folder and ends with
//! one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use pinn::ad::{Elementary, Real};
use pinn::domain::{Interval, SpaceTime};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::{Burgers, Problem};
use pinn::rng::{Seed, uniform};
use pinn::sampling::{LatinHypercube, Sampler};
use pinn::train::Trainer;
use support::Dtype;
use support::plot::{Grid2, compare};

fn run<T: Real>(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let dir = support::out_dir(None)?;
    let problem = Burgers::default();
    let pi = std::f64::consts::PI;
    let net = NetBuilder::new(2)
        .mlp(&[20; 8], Elementary::Tanh)
        .build(1)?;
    let domain = SpaceTime::new(Interval::new(-1.0, 1.0)?, 0.0, 1.0)?;
    let interior = LatinHypercube.sample(&domain, 10_000, Seed(1))?.into_vec();
    let mut rng = Seed(2).rng();
    let initial: Vec<f64> = (0..256)
        .flat_map(|_| [2.0 * uniform(&mut rng) - 1.0, 0.0])
        .collect();
    let boundary: Vec<f64> = (0..100)
        .flat_map(|i| [if i % 2 == 0 { -1.0 } else { 1.0 }, uniform(&mut rng)])
        .collect();
    let (xs, ts) = (
        support::linspace(-1.0, 1.0, 256),
        support::linspace(0.0, 1.0, 100),
    );
    let grid = support::grid2(&xs, &ts);
    let reference = problem.reference_at(&grid)?;
    let lbfgs = LbfgsConfig::default();
    let plan = support::Plan::new().adam("adam", args.adam).lbfgs(
        "lbfgs",
        args.lbfgs,
        lbfgs.max_iter,
        true,
    );
    let mut trainer = Trainer::<_, T>::builder(net, problem)
        .pde_points(interior)
        .condition(
            "initial",
            Condition::initial(0, move |x| -(pi * x[0]).sin()),
            initial,
        )
        .condition("boundary", Condition::dirichlet(0, |_| 0.0), boundary)
        .phase(
            "adam",
            args.adam,
            Adam::new(AdamConfig {
                lr: 1e-3,
                ..Default::default()
            })?,
        )
        .phase_until_converged("lbfgs", args.lbfgs, Lbfgs::new(lbfgs)?)
        .metrics(grid.clone(), reference.clone(), 500)
        .seed(Seed(0))
        .observer(support::progress(plan))
        .build()?;
    let report = trainer.run()?;
    let u = trainer.predict(&grid)?;
    let m = report
        .metrics
        .last()
        .ok_or("no metrics were computed")?
        .1
        .clone();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}: rel-L2 {:.3e} (Raissi et al. 6.7e-4), max error {:.3e}, {} steps, {} evaluations, {:.1} s",
        T::NAME,
        m.rel_l2,
        m.max_abs,
        report.steps,
        report.evaluations,
        secs
    );

    let stem = format!("burgers_{}", T::NAME);
    let rows = grid
        .chunks(2)
        .enumerate()
        .map(|(i, p)| vec![p[0], p[1], u[i], reference[i], (u[i] - reference[i]).abs()]);
    support::write_csv(
        &dir.join(format!("{stem}.csv")),
        "x,t,u_pinn,u_reference,abs_error",
        rows,
    )?;
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!(
                "Burgers u_t + u·u_x = (0.01/π)·u_xx, u(x, 0) = −sin(πx) ({}: rel-L2 {:.1e})",
                T::NAME,
                m.rel_l2
            ),
            &Grid2 {
                names: ["x", "t"],
                axes: [&xs, &ts],
                across: 1,
            },
            "u",
            &u,
            &reference,
            (300, 220),
        )
    })?;
    println!("{}", support::summary_json("burgers", &m, &report, secs));
    Ok(())
}

/// Burgers' equation u_t + u·u_x = ν·u_xx, ν = 0.01/π, on x ∈ [−1, 1], t ∈ [0, 1], with
/// u(x, 0) = −sin(πx) and u(±1, t) = 0, solved by a PINN (Raissi, Perdikaris & Karniadakis
/// 2019): 8 hidden layers of 20 (tanh), 10 000 Latin-hypercube points, 256 initial and 100
/// boundary points; Adam, then L-BFGS until converged. Compared with the Cole–Hopf solution
/// on a 256 × 100 grid.
///
/// Writes burgers_<dtype>.csv and burgers_<dtype>.png to target/examples-out (or
/// $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "burgers",
    allow_negative_numbers = true,
    verbatim_doc_comment,
    after_help = "With the defaults it takes about 3.5 min on a 2-core machine (f32 and f64 alike; \
                  L-BFGS usually converges after about 100 of its 1000 steps)."
)]
struct Args {
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Adam steps (learning rate 1e-3).
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = support::cli::at_least(0))]
    adam: usize,
    /// L-BFGS steps at most (20 iterations each; the phase ends when L-BFGS converges).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = support::cli::at_least(0))]
    lbfgs: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.adam == 0 && args.lbfgs == 0 {
        support::cli::usage_error::<Args>(
            "--adam and --lbfgs are both 0: there is nothing to train",
        );
    }
    support::cli::finish(match args.dtype {
        Dtype::F32 => run::<f32>(&args),
        Dtype::F64 => run::<f64>(&args),
    })
}
