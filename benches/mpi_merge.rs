//! The cost of merging ranks (feature `mpi`), for the scaling model of `docs/PERFORMANCE.md`:
//! under `mpirun -np P`, per message size `n` (f64 numbers), the median of repeated
//!
//! - **ping-pong** between ranks 0 and 1 (half a round trip): the latency `α` and inverse
//!   bandwidth `β` of the model `α + β·bytes`;
//! - **MPI_Allreduce** (sum) of `n` numbers: what a data-parallel trainer that does not care
//!   about bits would pay;
//! - **`all_sum`**, our reproducible merge, with each rank owning 4 chunks of the tree (each
//!   message carries a rank's few aligned nodes, then rank 0 broadcasts the root; the ranks'
//!   own sums of their 4 chunks are not timed).
//!
//! ```sh
//! cargo build --release --features mpi --bench mpi_merge
//! mpirun -np 2 target/release/deps/mpi_merge-… --bench
//! ```

use std::time::Instant;

use mpi::collective::SystemOperation;
use mpi::traits::*;
use pinn::train::collective::{MpiWorld, all_sum};
use pinn::train::reduce::TreeSum;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Serialized).unwrap();
    let world = universe.world();
    let (rank, size) = (world.rank() as usize, world.size() as usize);
    let mut ours = MpiWorld::new().unwrap();
    if rank == 0 {
        println!("ranks {size}; medians in µs");
        println!(
            "| n (f64) | ping-pong (½ round trip) | MPI_Allreduce | all_sum (ours) | ours / allreduce |"
        );
        println!("|---|---|---|---|---|");
    }
    for n in [1usize, 100, 1_000, 10_000, 100_000, 1_000_000] {
        let reps = (2_000_000 / n.max(100)).clamp(20, 2000);
        let data: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64)).collect();
        // Ping-pong between ranks 0 and 1.
        let mut pp = Vec::new();
        let mut buf = vec![0.0f64; n];
        for _ in 0..reps {
            world.barrier();
            let t = Instant::now();
            if rank == 0 {
                world.process_at_rank(1).send(&data[..]);
                world.process_at_rank(1).receive_into(&mut buf[..]);
            } else if rank == 1 {
                world.process_at_rank(0).receive_into(&mut buf[..]);
                world.process_at_rank(0).send(&buf[..]);
            }
            pp.push(t.elapsed().as_secs_f64() / 2.0);
        }
        let mut ar = Vec::new();
        let mut out = vec![0.0f64; n];
        for _ in 0..reps {
            world.barrier();
            let t = Instant::now();
            world.all_reduce_into(&data[..], &mut out[..], SystemOperation::sum());
            ar.push(t.elapsed().as_secs_f64());
        }
        let mut us = Vec::new();
        let mut tree = TreeSum::default();
        for _ in 0..reps {
            tree.restart_at(4 * rank);
            for _ in 0..4 {
                tree.push(&mut data.clone());
            }
            world.barrier();
            let t = Instant::now();
            all_sum(&mut ours, &mut tree, &mut out).unwrap();
            us.push(t.elapsed().as_secs_f64());
        }
        if rank == 0 {
            let (pp, ar, us) = (median(pp), median(ar), median(us));
            println!(
                "| {n} | {:.2} | {:.2} | {:.2} | {:.1}× |",
                1e6 * pp,
                1e6 * ar,
                1e6 * us,
                us / ar
            );
        }
    }
    drop(universe);
}
