//! Burgers' equation `u_t + u·u_x = ν·u_xx`, `ν = 0.01/π`, on `x ∈ [−1, 1]`, `t ∈ [0, 1]`,
//! `u(x, 0) = −sin(πx)`, `u(±1, t) = 0` (Raissi, Perdikaris & Karniadakis 2019).
//!
//! Raissi et al.'s network (8 hidden layers of 20, tanh) on 10 000 Latin-hypercube collocation
//! points, 256 initial and 100 boundary points; Adam, then L-BFGS. The reference is the
//! Cole–Hopf solution evaluated by Gauss–Hermite quadrature on a 256 × 100 grid.
//!
//! `cargo run --release --example burgers [-- --f32] [--adam N] [--lbfgs N]`: writes
//! `target/examples-out/burgers.{csv,png}` (PINN | reference | |error| over (x, t)) and ends
//! with one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use pinn::ad::{Elementary, Real};
use pinn::domain::{Interval, SpaceTime};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::{Burgers, Problem};
use pinn::rng::{Seed, uniform};
use pinn::sampling::{LatinHypercube, Sampler};
use pinn::train::Trainer;

fn run<T: Real>() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
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
    let adam = support::arg_num("--adam")?.unwrap_or(2000);
    let lbfgs = support::arg_num("--lbfgs")?.unwrap_or(1000);
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
            adam,
            Adam::new(AdamConfig {
                lr: 1e-3,
                ..Default::default()
            })?,
        )
        .phase_until_converged("lbfgs", lbfgs, Lbfgs::new(LbfgsConfig::default())?)
        .metrics(grid.clone(), reference.clone(), 500)
        .seed(Seed(0))
        .observer(support::progress())
        .build()?;
    let report = trainer.run()?;
    let u = trainer.predict(&grid)?;
    let err: Vec<f64> = u
        .iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let m = report.metrics.last().ok_or("no metrics")?.1;
    let dir = support::out_dir();
    let rows = grid
        .chunks(2)
        .enumerate()
        .map(|(i, p)| vec![p[0], p[1], u[i], reference[i], err[i]]);
    support::write_csv(
        &dir.join("burgers.csv"),
        "x,t,u_pinn,u_reference,abs_error",
        rows,
    )?;
    // Panels with t along the horizontal axis: transpose (x, t) → (t, x).
    let tr = |v: &[f64]| -> Vec<f64> {
        (0..100)
            .flat_map(|j| (0..256).map(move |i| v[i * 100 + j]))
            .collect()
    };
    let (ut, rt, et) = (tr(&u), tr(&reference), tr(&err));
    support::heatmaps(&dir.join("burgers.png"), &[&ut, &rt, &et], 100, 256, 2)?;
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
    println!("{}", support::summary_json("burgers", &m, &report, secs));
    Ok(())
}

/// The command line (`--help` prints it).
const USAGE: &str =
    "usage: burgers [--f32] [--adam N] [--lbfgs N]   (defaults: f64, 2000 Adam, 1000 L-BFGS steps)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::cli(USAGE, &["--adam", "--lbfgs"], &["--f32"]);
    support::by_dtype(run::<f32>, run::<f64>)
}
