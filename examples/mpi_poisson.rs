//! Data-parallel training over MPI: the quick start's Poisson problem on every rank of an
//! `mpirun`, with the same bits as one process.
//!
//! `−Δu = 2π² sin(πx) sin(πy)` on `[0,1]²`, `u = 0` on the boundary (built into the ansatz
//! `u = x(1−x)·y(1−y)·N`), a 2-32-32-32-1 tanh network on `--points` random points, Adam then
//! L-BFGS. Every rank builds the same trainer; each evaluates its share of the chunks of
//! points, and the shares are merged in the fixed reduction tree, so the final parameters, and
//! their checksum printed at the end, are the same bits for any number of ranks (and threads).
//! Rank 0 prints the progress and writes `mpi_poisson_<dtype>.csv` (the prediction on a
//! 101×101 grid) and `mpi_poisson_<dtype>.png` (prediction and exact solution on one colour
//! scale, the error on its own) to the output folder (`target/examples-out`); the last line is
//! JSON with the time per step and the share of it spent merging.
//!
//! ```sh
//! mpirun -np 2 cargo run --release --features mpi --example mpi_poisson
//! cargo build --release --features mpi --example mpi_poisson
//! mpirun -np 2 target/release/examples/mpi_poisson --threads 1
//! ```
//!
//! As root (in a container), Open MPI needs `--allow-run-as-root`; more ranks than cores need
//! `--oversubscribe`.

#[path = "support/mod.rs"]
mod support;

use std::process::ExitCode;

use clap::Parser;

use mpi::traits::Communicator;
use pinn::pde::problems::{Poisson2D, Problem};
use pinn::prelude::*;
use pinn::train::collective::MpiWorld;
use support::Dtype;
use support::plot::{Grid2, compare};

/// The plural ending for `n` of something: "" for one, "s" otherwise.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// FNV-1a over the parameters' bits: equal checksums, equal bits.
fn checksum<T: Real>(params: &[T]) -> u64 {
    params.iter().fold(0xcbf2_9ce4_8422_2325, |h, p| {
        (p.to_f64().to_bits().to_le_bytes().iter())
            .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    })
}

fn run<T: Real>(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let world = MpiWorld::new()?;
    let (rank, ranks) = (
        mpi::topology::SimpleCommunicator::world().rank(),
        mpi::topology::SimpleCommunicator::world().size(),
    );
    let root = rank == 0;
    // Rank 0 checks the output folder before anyone trains.
    let dir = if root {
        Some(support::out_dir(None)?)
    } else {
        None
    };
    let net = support::unit_square_zero_boundary_net()?;
    let mut rng = Seed(1).rng();
    let interior: Vec<f64> = (0..2 * args.points).map(|_| uniform(&mut rng)).collect();
    let xs = support::linspace(0.0, 1.0, 101);
    let grid = support::grid2(&xs, &xs);
    let reference = Poisson2D.reference_at(&grid)?;
    let lbfgs = LbfgsConfig::default();
    let mut b = Trainer::<_, T>::builder(net, Poisson2D)
        .pde_points(interior)
        .seed(Seed(0))
        .chunk_size(args.chunk)
        .threads(args.threads)
        .metrics(grid.clone(), reference.clone(), 500);
    let mut plan = support::Plan::new();
    if args.adam > 0 {
        b = b.phase("adam", args.adam, Adam::with_lr(1e-3)?);
        plan = plan.adam("adam", args.adam);
    }
    if args.lbfgs > 0 {
        b = b.phase_until_converged("lbfgs", args.lbfgs, Lbfgs::new(lbfgs)?);
        plan = plan.lbfgs("lbfgs", args.lbfgs, lbfgs.max_iter, true);
    }
    if root {
        println!(
            "{ranks} rank{} × {} thread{} each, {} points in chunks of {} ({} chunks), {}",
            plural(ranks as usize),
            args.threads,
            plural(args.threads),
            args.points,
            args.chunk,
            args.points.div_ceil(args.chunk),
            T::NAME
        );
        b = b.observer(support::progress(plan));
    }
    let mut trainer = b.collective(world).build()?;
    let report = trainer.run()?;
    let m = report
        .metrics
        .last()
        .map(|r| r.1.clone())
        .ok_or("no metrics")?;
    let per_step = report.seconds / report.steps.max(1) as f64;
    let merge = trainer.merge_seconds() / report.seconds.max(1e-12);
    println!(
        "rank {rank}: {:.2} ms per step, {:.1}% of it merging with the other ranks",
        1e3 * per_step,
        100.0 * merge
    );
    let Some(dir) = dir else { return Ok(()) };
    let sum = checksum(trainer.params());
    println!(
        "{}: rel-L2 {:.3e} after {} steps in {:.1} s; parameters' checksum {sum:016x} (the \
         same for any number of ranks and threads)",
        T::NAME,
        m.rel_l2,
        report.steps,
        report.seconds
    );
    let u = trainer.predict(&grid)?;
    let rows = (grid.chunks(2).enumerate())
        .map(|(i, p)| vec![p[0], p[1], u[i], reference[i], (u[i] - reference[i]).abs()]);
    let path = dir.join(format!("mpi_poisson_{}.csv", T::NAME));
    // A file that cannot be written is reported; the numbers above are already printed.
    if let Err(e) = support::write_csv(&path, "x,y,u_pinn,u_exact,abs_error", rows) {
        eprintln!("warning: {e}");
    }
    let title = format!(
        "Poisson −Δu = 2π² sin(πx) sin(πy) on {ranks} rank{} ({}: rel-L2 {:.1e})",
        plural(ranks as usize),
        T::NAME,
        m.rel_l2
    );
    let figure = dir.join(format!("mpi_poisson_{}.png", T::NAME));
    let drawn = support::save_figure(&figure, |path| {
        let axes = Grid2 {
            names: ["x", "y"],
            axes: [&xs, &xs],
            across: 0,
        };
        compare(path, &title, &axes, "u", &u, &reference, (250, 250))
    });
    if let Err(e) = drawn {
        eprintln!("warning: {e}");
    }
    println!(
        "{{\"example\":\"mpi_poisson\",\"dtype\":\"{}\",\"ranks\":{ranks},\"threads\":{},\
         \"points\":{},\"chunk\":{},\"steps\":{},\"ms_per_step\":{:.3},\"merge_share\":{:.4},\
         \"rel_l2\":{:e},\"checksum\":\"{sum:016x}\"}}",
        T::NAME,
        args.threads,
        args.points,
        args.chunk,
        report.steps,
        1e3 * per_step,
        merge,
        m.rel_l2
    );
    Ok(())
}

/// Data-parallel training over MPI: the quick start's Poisson problem (−Δu = 2π² sin(πx)
/// sin(πy) on the unit square, u = 0 on its boundary) on every rank of an mpirun.
///
/// Every rank trains the same 2-32-32-32-1 tanh network on its share of the points; the
/// shares are merged in a fixed tree, so the parameters are the same bits for any number of
/// ranks and threads (compare the checksum). Rank 0 prints progress and writes
/// mpi_poisson_<dtype>.csv and mpi_poisson_<dtype>.png to target/examples-out.
///
/// Run: mpirun -np 2 target/release/examples/mpi_poisson (after cargo build --release
/// --features mpi --example mpi_poisson).
#[derive(Parser, Debug)]
#[command(
    name = "mpi_poisson",
    verbatim_doc_comment,
    after_help = "With the defaults it takes about 6 s on 2 ranks × 1 thread of a 2-core \
                  machine, a little less than on 1 rank × 2 threads (see docs/PERFORMANCE.md)."
)]
struct Args {
    /// The precision the network is trained in.
    #[arg(long, value_enum, default_value_t = Dtype::F64)]
    dtype: Dtype,
    /// Adam steps (learning rate 1e-3). Each costs one loss evaluation.
    #[arg(long, default_value_t = 2000)]
    adam: usize,
    /// L-BFGS steps after Adam (20 iterations each at most; the phase ends when converged).
    #[arg(long, default_value_t = 25)]
    lbfgs: usize,
    /// Random collocation points; the cost of a step grows linearly with them.
    #[arg(long, default_value_t = 1024, value_parser = support::cli::at_least(1))]
    points: usize,
    /// Points per chunk: the unit the ranks share out. Part of the bits: another chunk size
    /// sums in another order.
    #[arg(long, default_value_t = 256, value_parser = support::cli::at_least(1))]
    chunk: usize,
    /// Worker threads per rank.
    #[arg(long, default_value_t = 1, value_parser = support::cli::at_least(1))]
    threads: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some((universe, _)) = mpi::initialize_with_threading(mpi::Threading::Serialized) else {
        eprintln!("error: MPI could not be initialised");
        return ExitCode::from(1);
    };
    let code = support::cli::finish(match args.dtype {
        Dtype::F32 => run::<f32>(&args),
        Dtype::F64 => run::<f64>(&args),
    });
    drop(universe);
    code
}
