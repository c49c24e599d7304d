//! Data-parallel training (`pinn::train::collective`) on ranks that are threads of this
//! process: a run over 2, 3, 4 or 11 ranks gives the bits of the same run in one process, on
//! two problems (one with resampling, point moves and residual-driven weights; one with a
//! periodic pair and learning-rate annealing, and with residual-based adaptive sampling), in
//! f64 and f32; a checkpoint written by 2 ranks resumes on 3 (and in one process) to the same
//! bits; and failures reach every rank as the same error: a configuration that differs, a build that fails on one rank, a non-finite loss on
//! one rank's chunk, a checkpoint that cannot be written, an observer that stops one rank. The
//! same runs under `mpirun` are `tests/mpi.rs`.

mod common;

use common::ranks::{Bits, convection, convection_sampled, finish, poisson, poisson_with_nan};
use common::scratch;
use pinn::Error;
use pinn::pde::Condition;
use pinn::rng::Seed;
use pinn::train::collective::{Collective, run_local};
use pinn::train::{Control, StopReason};

fn assert_all_equal(want: &Bits, got: Vec<pinn::Result<Bits>>, what: &str) {
    assert!(want.0.len() > 10, "{what}: the run is too short to test");
    for (r, g) in got.into_iter().enumerate() {
        assert_eq!(&g.unwrap(), want, "{what}: rank {r}");
    }
}

#[test]
fn poisson_with_resampling_gives_the_bits_of_one_process() {
    let one = finish(&mut poisson::<f64>(1).build().unwrap()).unwrap();
    for (p, threads) in [(2, 1), (3, 1), (4, 1), (2, 2), (11, 1)] {
        let got = run_local(p, move |c| {
            finish(&mut poisson::<f64>(threads).collective(c).build()?)
        });
        assert_all_equal(&one, got, &format!("{p} ranks × {threads} threads"));
    }
    let one = finish(&mut poisson::<f32>(1).build().unwrap()).unwrap();
    let got = run_local(3, |c| finish(&mut poisson::<f32>(1).collective(c).build()?));
    assert_all_equal(&one, got, "f32, 3 ranks");
}

#[test]
fn convection_with_annealing_gives_the_bits_of_one_process() {
    let one = finish(&mut convection::<f64>(1).build().unwrap()).unwrap();
    for p in [2, 3] {
        let got = run_local(p, |c| {
            finish(&mut convection::<f64>(1).collective(c).build()?)
        });
        assert_all_equal(&one, got, &format!("{p} ranks"));
    }
    let one = finish(&mut convection::<f32>(2).build().unwrap()).unwrap();
    let got = run_local(2, |c| {
        finish(&mut convection::<f32>(1).collective(c).build()?)
    });
    assert_all_equal(&one, got, "f32, 2 ranks");
    // Not the same bits as another seed: the comparison can fail.
    let other = finish(&mut convection::<f64>(1).seed(Seed(6)).build().unwrap()).unwrap();
    assert_ne!(
        other.2,
        finish(&mut convection::<f64>(1).build().unwrap())
            .unwrap()
            .2
    );
}

#[test]
fn adaptive_sampling_gives_the_bits_of_one_process() {
    let one = finish(&mut convection_sampled::<f64>(1, true).build().unwrap()).unwrap();
    let plain = finish(&mut convection::<f64>(1).build().unwrap()).unwrap();
    assert_ne!(one.2, plain.2, "RAD changed nothing");
    let got = run_local(3, |c| {
        finish(&mut convection_sampled::<f64>(1, true).collective(c).build()?)
    });
    assert_all_equal(&one, got, "RAD, 3 ranks");
}

#[test]
fn a_checkpoint_of_two_ranks_resumes_on_three_and_on_one() {
    let dir = scratch("collective-resume");
    let path = dir.join("run.ckpt");
    let whole = finish(&mut poisson::<f64>(1).build().unwrap()).unwrap();
    // Two ranks stop after 9 of the 15 steps; rank 0 wrote the checkpoint of step 9.
    let ck = path.clone();
    let first = run_local(2, move |c| {
        let mut t = poisson::<f64>(1)
            .checkpoint_every(9, &ck)
            .collective(c)
            .build()?;
        t.run_steps(9).map(|r| r.steps)
    });
    assert!(
        first.iter().all(|r| r.as_ref().ok() == Some(&9)),
        "{first:?}"
    );
    // The resumed run's history is that of steps 9 to 14.
    let want = (whole.0[9..].to_vec(), whole.2.clone());
    let tail = |b: &Bits| (b.0.clone(), b.2.clone());
    let ck = path.clone();
    let resumed = run_local(3, move |c| {
        finish(&mut poisson::<f64>(1).resume_from(&ck).collective(c).build()?)
    });
    for (r, got) in resumed.into_iter().enumerate() {
        assert_eq!(tail(&got.unwrap()), want, "rank {r} of 3");
    }
    let alone = finish(&mut poisson::<f64>(1).resume_from(&path).build().unwrap()).unwrap();
    assert_eq!(tail(&alone), want, "one process");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_rank_with_another_configuration_stops_every_rank() {
    let got = run_local(3, |c| {
        let seed = if c.rank() == 1 { Seed(12) } else { Seed(11) };
        poisson::<f64>(1)
            .seed(seed)
            .collective(c)
            .build()
            .map(|_| ())
    });
    for (r, g) in got.into_iter().enumerate() {
        match g {
            Err(Error::Collective { rank: 1, reason }) => {
                assert!(reason.contains("parameters"), "rank {r}: {reason}");
                assert!(reason.contains("seed"), "rank {r}: {reason}");
            }
            other => panic!("rank {r}: {other:?}"),
        }
    }
}

/// Building fails on one rank only (a checkpoint to resume that only rank 2 lacks): every rank
/// returns its error, none waits for the others.
#[test]
fn a_build_that_fails_on_one_rank_fails_on_every_rank() {
    let got = run_local(3, |c| {
        let mut b = poisson::<f64>(1);
        if c.rank() == 2 {
            b = b.resume_from("/nonexistent/pinn/run.ckpt");
        }
        b.collective(c).build().map(|_| ())
    });
    for (r, g) in got.into_iter().enumerate() {
        match g {
            Err(Error::Io { path, .. }) => assert!(path.contains("nonexistent"), "rank {r}"),
            other => panic!("rank {r}: {other:?}"),
        }
    }
}

#[test]
fn a_non_finite_loss_on_one_rank_is_every_rank_s_error() {
    let bad = poisson_with_nan::<f64>;
    let want = bad().build().unwrap().run().unwrap_err();
    assert!(
        matches!(&want, Error::NonFinite { term, .. } if term == "bad"),
        "{want:?}"
    );
    for p in [2, 3] {
        let got = run_local(p, move |c| bad().collective(c).build()?.run().map(|_| ()));
        for (r, g) in got.into_iter().enumerate() {
            assert_eq!(g.unwrap_err(), want, "rank {r} of {p}");
        }
    }
}

#[test]
fn a_checkpoint_that_cannot_be_written_stops_every_rank() {
    let path = std::path::PathBuf::from("/dev/null/cannot/run.ckpt");
    let want = poisson::<f64>(1)
        .checkpoint_every(2, &path)
        .build()
        .unwrap()
        .run()
        .unwrap_err();
    assert!(matches!(want, Error::Io { .. }), "{want:?}");
    let got = run_local(3, move |c| {
        let mut t = poisson::<f64>(1)
            .checkpoint_every(2, &path)
            .collective(c)
            .build()?;
        let e = t.run().unwrap_err();
        Ok::<_, Error>((e, t.step()))
    });
    for (r, g) in got.into_iter().enumerate() {
        assert_eq!(g.unwrap(), (want.clone(), 2), "rank {r}");
    }
}

#[test]
fn an_observer_that_stops_one_rank_stops_every_rank() {
    let got = run_local(3, |c| {
        let rank = c.rank();
        let mut t = poisson::<f64>(1)
            .observer(move |e| {
                if rank == 2 && e.step == 4 {
                    Control::Stop
                } else {
                    Control::Continue
                }
            })
            .collective(c)
            .build()?;
        let r = t.run()?;
        Ok::<_, Error>((r.steps, r.stop, t.rank(), t.ranks()))
    });
    for (r, g) in got.into_iter().enumerate() {
        assert_eq!(g.unwrap(), (5, StopReason::Observer, r, 3), "rank {r}");
    }
}

/// Each chunk is evaluated by exactly one rank: a condition that counts its calls is called,
/// summed over 3 ranks, as often as in one process, and no rank makes all the calls.
#[test]
fn each_rank_evaluates_only_its_share() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let counted = |calls: Arc<AtomicUsize>| {
        let g = move |_: &[f64]| {
            calls.fetch_add(1, Ordering::Relaxed);
            0.0
        };
        poisson::<f64>(1).condition("counted", Condition::dirichlet(0, g), common::grid(40))
    };
    let alone = Arc::new(AtomicUsize::new(0));
    finish(&mut counted(alone.clone()).build().unwrap()).unwrap();
    let alone = alone.load(Ordering::Relaxed);
    let per_rank = run_local(3, move |c| {
        let calls = Arc::new(AtomicUsize::new(0));
        finish(&mut counted(calls.clone()).collective(c).build()?)?;
        Ok::<_, Error>(calls.load(Ordering::Relaxed))
    });
    let per_rank: Vec<usize> = per_rank.into_iter().map(Result::unwrap).collect();
    assert!(alone > 0);
    assert_eq!(per_rank.iter().sum::<usize>(), alone, "{per_rank:?}");
    assert!(per_rank.iter().all(|&c| c < alone), "{per_rank:?}");
}
