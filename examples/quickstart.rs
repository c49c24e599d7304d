//! Quick start: solve Poisson's equation on the unit square with a PINN.
//!
//! `−Δu = 2π² sin(πx) sin(πy)` on `[0,1]²`, `u = 0` on the boundary; exact solution
//! `u = sin(πx) sin(πy)`. The boundary condition is imposed exactly by the ansatz
//! `u = x(1−x)·y(1−y)·N(x, y)`; the network is trained with Adam, then L-BFGS.
//!
//! Prints progress and the relative ℓ² error, writes `quickstart_<dtype>.csv` (x, y,
//! prediction, exact, error on a 101×101 grid) and `quickstart_<dtype>.png` (prediction and
//! exact solution on one colour scale, the error on its own) to the output folder
//! (`target/examples-out`, or `$CARGO_TARGET_DIR/examples-out`), and ends with one JSON line.
//!
//! `cargo run --release --example quickstart [-- --dtype f32]` (`-- --help` for the flags)

#[path = "support/mod.rs"]
mod support;

use std::f64::consts::PI;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use pinn::prelude::*;
use support::Dtype;
use support::plot::{Grid2, compare};

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

/// Adam steps, then at most this many L-BFGS steps (it stops when converged).
const ADAM: usize = 2000;
const LBFGS: usize = 500;

fn run<T: Real>() -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let dir = support::out_dir(None)?;
    let net = support::unit_square_zero_boundary_net()?;
    let mut rng = Seed(1).rng();
    let interior: Vec<f64> = (0..2 * 1024).map(|_| uniform(&mut rng)).collect();
    let xs = support::linspace(0.0, 1.0, 101);
    let grid = support::grid2(&xs, &xs);
    let reference: Vec<f64> = grid.chunks(2).map(|p| exact(p[0], p[1])).collect();
    let lbfgs = LbfgsConfig::default();
    let plan = support::Plan::new()
        .adam("adam", ADAM)
        .lbfgs("lbfgs", LBFGS, lbfgs.max_iter, true);

    let mut trainer = Trainer::<_, T>::builder(net, Poisson2d)
        .pde_points(interior)
        .seed(Seed(0))
        .phase(
            "adam",
            ADAM,
            Adam::new(AdamConfig {
                lr: 1e-3,
                ..Default::default()
            })?,
        )
        .phase_until_converged("lbfgs", LBFGS, Lbfgs::new(lbfgs)?)
        .metrics(grid.clone(), reference.clone(), 500)
        .observer(support::progress(plan))
        .build()?;
    let report = trainer.run()?;
    let u = trainer.predict(&grid)?;
    let m = report
        .metrics
        .last()
        .map(|r| r.1.clone())
        .ok_or("no metrics were computed")?;
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

    let stem = format!("quickstart_{}", T::NAME);
    let rows = grid
        .chunks(2)
        .enumerate()
        .map(|(i, p)| vec![p[0], p[1], u[i], reference[i], (u[i] - reference[i]).abs()]);
    support::write_csv(
        &dir.join(format!("{stem}.csv")),
        "x,y,u_pinn,u_exact,abs_error",
        rows,
    )?;
    support::save_figure(&dir.join(format!("{stem}.png")), |path| {
        compare(
            path,
            &format!(
                "Poisson −Δu = 2π² sin(πx) sin(πy), u = 0 on the boundary ({}: rel-L2 {:.1e})",
                T::NAME,
                m.rel_l2
            ),
            &Grid2 {
                names: ["x", "y"],
                axes: [&xs, &xs],
                across: 0,
            },
            "u",
            &u,
            &reference,
            (250, 250),
        )
    })?;
    println!(
        "{}",
        support::summary_json("quickstart", &m, &report, seconds)
    );
    Ok(())
}

/// Quick start: Poisson's equation −Δu = 2π² sin(πx) sin(πy) on the unit square with u = 0
/// on its boundary, solved by a PINN.
///
/// A 2-32-32-32-1 tanh network with the boundary condition built into the ansatz
/// u = x(1−x)·y(1−y)·N(x, y), on 1024 random points: 2000 Adam steps, then L-BFGS until
/// converged (at most 500 steps). Writes quickstart_<dtype>.csv and quickstart_<dtype>.png to
/// target/examples-out (or $CARGO_TARGET_DIR/examples-out).
#[derive(Parser, Debug)]
#[command(
    name = "quickstart",
    verbatim_doc_comment,
    after_help = "Takes about 6 s in f64 and 4 s in f32 on a 2-core machine."
)]
struct Args {
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::cli::finish(match args.dtype {
        Dtype::F32 => run::<f32>(),
        Dtype::F64 => run::<f64>(),
    })
}
