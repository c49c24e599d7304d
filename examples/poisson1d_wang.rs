//! Wang, Teng & Perdikaris (2021), Table 1: Poisson 1D `u″ = −C² sin(Cx)` on `[0, 1]`,
//! `u = sin(Cx)`, Dirichlet at both ends, for `C = 1, 2, 4`.
//!
//! Setting: "5 layers, 50 hidden units, tanh", 40 000 Adam steps. The paper gives neither the
//! point sets nor the schedule for this table; as in the authors' Helmholtz code we draw a
//! fresh batch of 128 uniform residual points every step, use both boundary points every step,
//! and decay the learning rate as lr = 1e-3·0.9^(n/1000) (`--constant-lr` keeps 1e-3).
//! "5 layers" is read as five hidden layers of 50.
//!
//! `cargo run --release --example poisson1d_wang [-- --f32] [--steps N] [--c C] [--constant-lr]`
//! Prints rel-L2 on a 1000-point grid next to the paper's value and ends with one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Schedule};
use pinn::pde::Condition;
use pinn::pde::problems::Poisson1D;
use pinn::rng::{Seed, uniform};
use pinn::train::Trainer;

fn run<T: Real>(c: f64, steps: usize, paper: f64) -> Result<String, pinn::Error> {
    let start = Instant::now();
    let schedule = if std::env::args().any(|a| a == "--constant-lr") {
        Schedule::Constant
    } else {
        Schedule::wang2021()
    };
    let net = NetBuilder::new(1)
        .mlp(&[50; 5], Elementary::Tanh)
        .build(1)?;
    let draw = |seed: Seed| {
        let mut rng = seed.rng();
        Ok((
            (0..128).map(|_| uniform(&mut rng)).collect::<Vec<f64>>(),
            vec![],
        ))
    };
    let xs: Vec<f64> = (0..1000).map(|i| i as f64 / 999.0).collect();
    let reference: Vec<f64> = xs.iter().map(|x| (c * x).sin()).collect();
    let mut b = Trainer::<_, T>::builder(net, Poisson1D::new(c)?);
    let pde = b.add_pde_points(draw(Seed(99))?.0);
    let mut trainer = b
        .resample(pde, 1, draw)
        .condition(
            "boundary",
            Condition::dirichlet(0, move |x| (c * x[0]).sin()),
            vec![0.0, 1.0],
        )
        .phase(
            "adam",
            steps,
            Adam::new(AdamConfig {
                schedule,
                ..Default::default()
            })?,
        )
        .metrics(xs, reference, steps.max(1))
        .seed(Seed(1))
        .chunk_size(128)
        .threads(1)
        .build()?;
    let report = trainer.run()?;
    let rel = report.metrics.last().map_or(f64::NAN, |m| m.1.rel_l2);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "C = {c}  {}: rel-L2 {rel:.3e}  (paper {paper:.2e}, ratio {:.2})  {secs:.1} s",
        T::NAME,
        rel / paper
    );
    Ok(format!(
        "{{\"c\":{c},\"dtype\":\"{}\",\"rel_l2\":{rel:e},\"paper\":{paper:e},\"seconds\":{secs:.2}}}",
        T::NAME
    ))
}

/// The command line (`--help` prints it).
const USAGE: &str = "usage: poisson1d_wang [--f32] [--steps N] [--c C] [--constant-lr]
defaults: f64 only, 40 000 Adam steps, C = 1, 2 and 4";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::cli(USAGE, &["--steps", "--c"], &["--f32", "--constant-lr"]);
    let steps: usize = support::arg_num("--steps")?.unwrap_or(40_000);
    let only: Option<f64> = support::arg_num("--c")?;
    let f32_too = std::env::args().any(|a| a == "--f32");
    let mut rows = Vec::new();
    for (c, paper) in [(1.0, 1.34e-4), (2.0, 4.65e-4), (4.0, 3.82e-3)] {
        if only.is_some_and(|o| o != c) {
            continue;
        }
        rows.push(run::<f64>(c, steps, paper)?);
        if f32_too {
            rows.push(run::<f32>(c, steps, paper)?);
        }
    }
    println!(
        "{{\"example\":\"poisson1d_wang\",\"steps\":{steps},\"runs\":[{}]}}",
        rows.join(",")
    );
    Ok(())
}
