//! Quick start: solve Poisson's equation on the unit square with a PINN.
//!
//! `−Δu = 2π² sin(πx) sin(πy)` on `[0,1]²`, `u = 0` on the boundary; exact solution
//! `u = sin(πx) sin(πy)`. The boundary condition is imposed exactly by the ansatz
//! `u = x(1−x)·y(1−y)·N(x, y)`; the network is trained with Adam, then L-BFGS.
//!
//! Writes `target/examples-out/quickstart.csv` (x, y, prediction, exact, error on a 101×101
//! grid) and `quickstart.png` (prediction | exact | |error|), prints the relative ℓ² error and
//! the wall time, and ends with one JSON line.
//!
//! `cargo run --release --example quickstart [-- --f32]`

#[path = "support/mod.rs"]
mod support;

use std::f64::consts::PI;
use std::time::Instant;

use pinn::prelude::*;

/// `−Δu = f` with `f = 2π² sin(πx) sin(πy)`.
struct Poisson2d;

impl Pde for Poisson2d {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Laplacian]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        let pi = S::from_f64(PI);
        let f = S::from_f64(2.0 * PI * PI) * (pi * x[0]).sin() * (pi * x[1]).sin();
        r[0] = -u.lap(0) - f;
    }
}

fn exact(x: f64, y: f64) -> f64 {
    (PI * x).sin() * (PI * y).sin()
}

fn run<T: Real>() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let net = NetBuilder::new(2)
        .mlp(&[32, 32, 32], Elementary::Tanh)
        .transform(|b, x, n| {
            let bx = hard::vanish_on_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1]);
            b.mul(bx, n)
        })
        .build(1)?;
    let mut rng = Seed(1).rng();
    let interior: Vec<f64> = (0..2 * 1024).map(|_| uniform(&mut rng)).collect();
    let xs = support::linspace(0.0, 1.0, 101);
    let grid = support::grid2(&xs, &xs);
    let reference: Vec<f64> = grid.chunks(2).map(|p| exact(p[0], p[1])).collect();

    let mut trainer = Trainer::<_, T>::builder(net, Poisson2d)
        .pde_points(interior)
        .seed(Seed(0))
        .phase(
            "adam",
            2000,
            Adam::new(AdamConfig {
                lr: 1e-3,
                ..Default::default()
            })?,
        )
        .phase_until_converged("lbfgs", 500, Lbfgs::new(LbfgsConfig::default())?)
        .metrics(grid.clone(), reference.clone(), 500)
        .observer(support::progress())
        .build()?;
    let report = trainer.run()?;
    let u = trainer.predict(&grid)?;
    let err: Vec<f64> = u
        .iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let m = report.metrics.last().map(|r| r.1).ok_or("no metrics")?;
    let dir = support::out_dir();
    let rows = grid
        .chunks(2)
        .enumerate()
        .map(|(i, p)| vec![p[0], p[1], u[i], reference[i], err[i]]);
    support::write_csv(
        &dir.join("quickstart.csv"),
        "x,y,u_pinn,u_exact,abs_error",
        rows,
    )?;
    support::heatmaps(
        &dir.join("quickstart.png"),
        &[&u, &reference, &err],
        101,
        101,
        3,
    )?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{}: rel-L2 {:.3e}, max error {:.3e}, {} steps, {} loss evaluations, {:.1} s",
        T::NAME,
        m.rel_l2,
        m.max_abs,
        report.steps,
        report.evaluations,
        seconds
    );
    println!("wrote {}", dir.join("quickstart.{csv,png}").display());
    println!(
        "{}",
        support::summary_json("quickstart", &m, &report, seconds)
    );
    Ok(())
}

/// The command line (`--help` prints it).
const USAGE: &str = "usage: quickstart [--f32]   (default f64)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::cli(USAGE, &[], &["--f32"]);
    support::by_dtype(run::<f32>, run::<f64>)
}
