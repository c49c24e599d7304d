//! The damped harmonic oscillator `m u″ + μ u′ + k u = 0` on `t ∈ [0, 1]`, `u(0) = 1`,
//! `u′(0) = 0` (FBPINNs' library example: m = 1, μ = 4, k = 400, i.e. δ = 2, ω₀ = 20).
//!
//! Both initial conditions are imposed exactly by the ansatz `u = 1 + tanh²(t/0.1)·N(t)` (as in
//! the FBPINNs hard-constraint example): `tanh²` vanishes with its derivative at `t = 0`.
//! A 1-32-32-32-1 tanh network, 200 collocation points, Adam then L-BFGS.
//!
//! `cargo run --release --example oscillator [-- --f32]`: prints rel-L2 against the exact
//! solution, writes `target/examples-out/oscillator.{csv,png}` and ends with one JSON line.

#[path = "support/mod.rs"]
mod support;

use std::time::Instant;

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::problems::{DampedOscillator, Problem};
use pinn::train::Trainer;

fn run<T: Real>() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let problem = DampedOscillator::default();
    let net = NetBuilder::new(1)
        .mlp(&[32, 32, 32], Elementary::Tanh)
        .transform(|b, t, n| {
            let s = b.linear(t, 1, &[10.0], None); // t / 0.1
            let s = b.unary(s, Elementary::Tanh);
            let s = b.unary(s, Elementary::Powi(2));
            let sn = b.mul(s, n);
            b.scale(sn, 1.0, 1.0)
        })
        .build(1)?;
    let points: Vec<f64> = (1..=200).map(|i| i as f64 / 200.0).collect();
    let ts = support::linspace(0.0, 1.0, 500);
    let reference = problem.reference_at(&ts)?;
    let mut trainer = Trainer::<_, T>::builder(net, problem)
        .pde_points(points)
        .phase(
            "adam",
            5000,
            Adam::new(AdamConfig {
                lr: 1e-3,
                ..Default::default()
            })?,
        )
        .phase_until_converged("lbfgs", 1000, Lbfgs::new(LbfgsConfig::default())?)
        .metrics(ts.clone(), reference.clone(), 1000)
        .observer(support::progress())
        .build()?;
    let report = trainer.run()?;
    let u = trainer.predict(&ts)?;
    let m = report.metrics.last().ok_or("no metrics")?.1;
    let dir = support::out_dir();
    let rows = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| vec![t, u[i], reference[i]]);
    support::write_csv(&dir.join("oscillator.csv"), "t,u_pinn,u_exact", rows)?;
    support::line_plot(
        &dir.join("oscillator.png"),
        &[&reference, &u],
        false,
        600,
        300,
    )?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}: rel-L2 {:.3e}, max error {:.3e}, {} steps ({:?}), {:.1} s",
        T::NAME,
        m.rel_l2,
        m.max_abs,
        report.steps,
        report.stop,
        secs
    );
    println!("{}", support::summary_json("oscillator", &m, &report, secs));
    Ok(())
}

/// The command line (`--help` prints it).
const USAGE: &str = "usage: oscillator [--f32]   (default f64)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::cli(USAGE, &[], &["--f32"]);
    support::by_dtype(run::<f32>, run::<f64>)
}
