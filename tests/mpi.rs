//! Data-parallel training over MPI (feature `mpi`): under `mpirun -np N` every rank trains the
//! runs of `tests/collective.rs` together, and each rank checks that it ends with the bits of
//! the same run in one process (which it also trains, alone):
//!
//! - Poisson 1D with resampling, moved points and residual-driven weights, f64 and f32;
//! - convection with a periodic pair and learning-rate annealing, f64, and with adaptive
//!   sampling (RAD) of its PDE points;
//! - a checkpoint written by these `N` ranks after 9 of 15 steps, and every checkpoint an
//!   earlier `mpirun` with another number of ranks left in the same folder, resumed here
//!   with `N` ranks to the bits of the uninterrupted run;
//! - a non-finite loss in the last rank's chunk: every rank returns the one-process error.
//!
//! It has its own `main` (MPI is initialised once per process). `.ci/run` runs it with
//! `-np 2` and `-np 3 --oversubscribe`, setting `PINN_MPI_RANKS` to the number it expects;
//! run alone it is a world of one rank and checks only that the split changes nothing:
//!
//! ```sh
//! cargo test --release --features mpi --test mpi --no-run     # prints the binary's path
//! PINN_MPI_RANKS=2 mpirun -np 2 target/release/deps/mpi-…
//! ```

mod common;

use common::ranks::{Bits, convection, convection_sampled, finish, poisson, poisson_with_nan};
use pinn::Error;
use pinn::train::collective::{Collective, MpiWorld};

fn world() -> MpiWorld {
    MpiWorld::new().expect("MPI is initialised")
}

fn check(rank: usize, what: &str, got: pinn::Result<Bits>, want: &Bits) {
    let got = got.unwrap_or_else(|e| panic!("rank {rank}, {what}: {e}"));
    assert!(want.0.len() >= 6, "{what}: too short to test");
    assert_eq!(
        &got, want,
        "rank {rank}, {what}: not the bits of one process"
    );
}

fn main() {
    let (universe, threading) =
        mpi::initialize_with_threading(mpi::Threading::Serialized).expect("MPI initialises once");
    assert!(
        threading >= mpi::Threading::Serialized,
        "MPI gave {threading:?}"
    );
    let (rank, size) = (world().rank(), world().size());
    if let Some(n) = std::env::var("PINN_MPI_RANKS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        assert_eq!(size, n, "expected {n} ranks (PINN_MPI_RANKS), found {size}");
    }
    let say = |msg: &str| {
        if rank == 0 {
            println!("mpi ({size} ranks): {msg}");
        }
    };

    let one = finish(&mut poisson::<f64>(1).build().unwrap()).unwrap();
    check(
        rank,
        "poisson f64",
        finish(&mut poisson::<f64>(1).collective(world()).build().unwrap()),
        &one,
    );
    say("poisson f64 (resampling, moved points, residual weights): same bits as one process");
    let one32 = finish(&mut poisson::<f32>(1).build().unwrap()).unwrap();
    check(
        rank,
        "poisson f32",
        finish(&mut poisson::<f32>(1).collective(world()).build().unwrap()),
        &one32,
    );
    say("poisson f32: same bits as one process");
    let conv = finish(&mut convection::<f64>(1).build().unwrap()).unwrap();
    check(
        rank,
        "convection f64",
        finish(&mut convection::<f64>(1).collective(world()).build().unwrap()),
        &conv,
    );
    say("convection f64 (periodic pair, annealing): same bits as one process");
    let rad = finish(&mut convection_sampled::<f64>(1, true).build().unwrap()).unwrap();
    let got = finish(
        &mut convection_sampled::<f64>(1, true)
            .collective(world())
            .build()
            .unwrap(),
    );
    check(rank, "convection with RAD", got, &rad);
    say("convection f64 with adaptive sampling (RAD): same bits as one process");

    // Checkpoints: this run's, and those earlier runs with other rank counts left here.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mpi-checkpoints");
    std::fs::create_dir_all(&dir).unwrap();
    let mine = dir.join(format!("np{size}.ckpt"));
    let mut t = poisson::<f64>(1)
        .checkpoint_every(9, &mine)
        .collective(world())
        .build()
        .unwrap();
    assert_eq!(t.run_steps(9).unwrap().steps, 9);
    let want = (
        one.0[9..].to_vec(),
        one.1[one.1.len() / 15 * 9..].to_vec(),
        one.2.clone(),
    );
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ckpt"))
        .collect();
    found.sort();
    for path in &found {
        let got = finish(
            &mut poisson::<f64>(1)
                .resume_from(path)
                .collective(world())
                .build()
                .unwrap(),
        );
        check(
            rank,
            &format!("resumed from {}", path.display()),
            got,
            &want,
        );
    }
    let names: Vec<_> = found
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .collect();
    say(&format!(
        "checkpoints {names:?} resumed on {size} ranks: same bits as the whole run"
    ));

    // A NaN in the data of the last chunk, which the last rank owns.
    let bad = poisson_with_nan::<f64>;
    let want = bad().build().unwrap().run().unwrap_err();
    let got = bad()
        .collective(world())
        .build()
        .unwrap()
        .run()
        .unwrap_err();
    assert!(matches!(want, Error::NonFinite { .. }), "{want:?}");
    assert_eq!(got, want, "rank {rank}");
    say(&format!(
        "a NaN on the last rank: every rank returns `{want}`"
    ));
    drop(universe);
}
