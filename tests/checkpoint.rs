//! Checkpoint and resume: a resumed run is bitwise the uninterrupted one (Adam → L-BFGS, with
//! resampling and strategies that move points and change weights), automatic checkpoints,
//! every truncation and byte flip of a checkpoint is a clear error, a checkpoint from another
//! configuration is refused without changing the trainer, a crash mid-write keeps the previous
//! checkpoint, and a training process killed mid-run resumes to the same final parameters.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{bits, config, scratch};
use pinn::Error;
use pinn::ad::Real;
use pinn::optim::Adam;
use pinn::train::{CHECKPOINT_VERSION, Checkpoint, StopReason};

/// (loss history, final parameters) of `config(adam, lbfgs)` run in one go.
fn uninterrupted<T: Real>(threads: usize, adam: usize, lbfgs: usize) -> (Vec<u64>, Vec<u64>) {
    let mut t = config::<T>(threads, adam, lbfgs).build().unwrap();
    let r = t.run().unwrap();
    assert_eq!(r.steps, adam + lbfgs);
    let losses: Vec<T> = r.history.iter().map(|h| h.loss).collect();
    (bits(&losses), bits(t.params()))
}

/// The same run, stopped after `k` steps, saved, and finished by a fresh trainer.
fn resumed<T: Real>(
    threads: usize,
    adam: usize,
    lbfgs: usize,
    k: usize,
    path: &Path,
) -> (Vec<u64>, Vec<u64>) {
    let mut first = config::<T>(threads, adam, lbfgs).build().unwrap();
    let r1 = first.run_steps(k).unwrap();
    assert_eq!((r1.steps, r1.stop), (k, StopReason::StepLimit));
    first.save_checkpoint(path).unwrap();
    let mut second = config::<T>(threads, adam, lbfgs)
        .resume_from(path)
        .build()
        .unwrap();
    assert_eq!(second.step(), k);
    assert_eq!(bits(second.params()), bits(first.params()));
    let r2 = second.run().unwrap();
    assert_eq!(r2.steps, adam + lbfgs - k);
    assert_eq!(r2.history[0].step, k);
    let losses: Vec<T> = r1
        .history
        .iter()
        .chain(&r2.history)
        .map(|h| h.loss)
        .collect();
    (bits(&losses), bits(second.params()))
}

#[test]
fn resuming_reproduces_the_uninterrupted_run_bit_for_bit() {
    let dir = scratch("resume");
    let (adam, lbfgs) = (17, 4);
    let full = uninterrupted::<f64>(2, adam, lbfgs);
    // Inside Adam (right after a resampling step and between two), at the hand-over, and
    // inside L-BFGS (its history and direction are in the checkpoint).
    for k in [5, 8, adam, adam + 2] {
        let path = dir.join(format!("k{k}.ckpt"));
        assert_eq!(resumed::<f64>(2, adam, lbfgs, k, &path), full, "k = {k}");
    }
    // A different thread count after the resume changes nothing either.
    let path = dir.join("threads.ckpt");
    let mut first = config::<f64>(1, adam, lbfgs).build().unwrap();
    first.run_steps(adam + 1).unwrap();
    first.save_checkpoint(&path).unwrap();
    let mut second = config::<f64>(2, adam, lbfgs)
        .resume_from(&path)
        .build()
        .unwrap();
    second.run().unwrap();
    assert_eq!(bits(second.params()), full.1);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn resuming_in_f32_is_exact_too() {
    let dir = scratch("resume32");
    let full = uninterrupted::<f32>(1, 9, 3);
    assert_eq!(resumed::<f32>(1, 9, 3, 10, &dir.join("c.ckpt")), full);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn splitting_a_run_in_memory_changes_nothing() {
    let full = uninterrupted::<f64>(1, 12, 3);
    let mut t = config::<f64>(1, 12, 3).build().unwrap();
    let mut losses = Vec::new();
    for _ in 0..4 {
        let r = t.run_steps(4).unwrap();
        losses.extend(r.history.iter().map(|h| h.loss));
    }
    assert_eq!((bits(&losses), bits(t.params())), full);
    // The same state restored in memory, run again: the same bits once more.
    let mut u = config::<f64>(1, 12, 3).build().unwrap();
    u.run_steps(6).unwrap();
    let snap = u.checkpoint();
    u.run().unwrap();
    let end = bits(u.params());
    u.restore(&snap).unwrap();
    assert_eq!(u.step(), 6);
    u.run().unwrap();
    assert_eq!(bits(u.params()), end);
}

#[test]
fn checkpoint_every_writes_the_state_of_its_step() {
    let dir = scratch("every");
    let path = dir.join("auto.ckpt");
    let full = uninterrupted::<f64>(1, 10, 2);
    let mut t = config::<f64>(1, 10, 2)
        .checkpoint_every(4, &path)
        .build()
        .unwrap();
    t.run().unwrap();
    let c = Checkpoint::<f64>::read(&path).unwrap();
    assert_eq!(c.step, 12); // written after steps 4, 8 and 12
    assert_eq!(bits(&c.params), full.1);
    assert_eq!(c.phases[0].done, 10);
    assert!(!Path::new(&format!("{}.tmp", path.display())).exists());
    // Resuming from the checkpoint of step 8 (the run stopped there) finishes the same way.
    let mut t = config::<f64>(1, 10, 2)
        .checkpoint_every(8, &path)
        .observer(|e| {
            if e.step == 8 {
                pinn::train::Control::Stop
            } else {
                pinn::train::Control::Continue
            }
        })
        .build()
        .unwrap();
    t.run().unwrap();
    assert_eq!(Checkpoint::<f64>::read(&path).unwrap().step, 8);
    let mut u = config::<f64>(1, 10, 2).resume_from(&path).build().unwrap();
    u.run().unwrap();
    assert_eq!(bits(u.params()), full.1);
    assert!(matches!(
        config::<f64>(1, 10, 2).checkpoint_every(0, &path).build(),
        Err(Error::InvalidConfig {
            field: "checkpoint_every.every",
            ..
        })
    ));
    std::fs::remove_dir_all(dir).ok();
}

/// A small but complete checkpoint: 2 Adam steps of a 1-2-1 net, one strategy, two terms.
fn small_checkpoint() -> Vec<u8> {
    use pinn::ad::Elementary;
    use pinn::nets::NetBuilder;
    use pinn::pde::Condition;
    use pinn::pde::problems::Poisson1D;
    use pinn::train::Trainer;
    let net = NetBuilder::new(1)
        .mlp(&[2], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut t = Trainer::<_, f64>::builder(net, Poisson1D::new(1.0).unwrap())
        .pde_points(vec![0.25, 0.5, 0.75])
        .condition("bc", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0])
        .phase("adam", 5, Adam::with_lr(1e-2).unwrap())
        .threads(1)
        .build()
        .unwrap();
    t.run_steps(2).unwrap();
    t.checkpoint().to_bytes()
}

#[test]
fn every_truncation_and_byte_flip_is_a_clear_error() {
    let bytes = small_checkpoint();
    let good = Checkpoint::<f64>::from_bytes(&bytes).unwrap();
    assert_eq!(good.step, 2);
    let mut faults = 0;
    for len in 0..bytes.len() {
        match Checkpoint::<f64>::from_bytes(&bytes[..len]) {
            Err(Error::Format { what, reason }) => {
                assert_eq!(what, "checkpoint");
                if len >= 8 {
                    assert!(reason.contains("truncated"), "length {len}: {reason}");
                }
            }
            other => panic!("length {len}: {other:?}"),
        }
        faults += 1;
    }
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x10, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= mask;
            match Checkpoint::<f64>::from_bytes(&b) {
                Err(Error::Format { what, reason }) => {
                    assert_eq!(what, "checkpoint");
                    assert!(!reason.is_empty());
                }
                other => panic!("byte {i} ^ {mask:#x}: {other:?}"),
            }
            faults += 1;
        }
    }
    // Trailing garbage.
    let mut b = bytes.clone();
    b.push(0);
    assert!(matches!(
        Checkpoint::<f64>::from_bytes(&b),
        Err(Error::Format { reason, .. }) if reason.contains("after the")
    ));
    println!("{faults} corrupted checkpoints rejected");
}

#[test]
fn wrong_version_dtype_and_magic_say_so() {
    let bytes = small_checkpoint();
    let reseal = |mut b: Vec<u8>| {
        let n = b.len() - 8;
        let sum = fnv1a(&b[..n]);
        b[n..].copy_from_slice(&sum.to_le_bytes());
        b
    };
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&(CHECKPOINT_VERSION + 1).to_le_bytes());
    let err = Checkpoint::<f64>::from_bytes(&reseal(v2)).unwrap_err();
    assert!(err.to_string().contains("format version 3"), "{err}");
    let err = Checkpoint::<f32>::from_bytes(&bytes).unwrap_err();
    assert!(err.to_string().contains("holds f64 values"), "{err}");
    let err = Checkpoint::<f64>::from_bytes(b"PINNPAR1 not a checkpoint at all").unwrap_err();
    assert!(err.to_string().contains("magic"), "{err}");
    // A well-sealed file whose counts lie (a huge parameter count) is refused without
    // allocating.
    let mut huge = bytes.clone();
    huge[45..53].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = Checkpoint::<f64>::from_bytes(&reseal(huge)).unwrap_err();
    assert!(err.to_string().contains("do not fit"), "{err}");
    let err = Checkpoint::<f64>::read("/nonexistent/pinn.ckpt").unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
}

/// FNV-1a 64, as the format documents it.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn a_checkpoint_of_another_configuration_is_refused_and_changes_nothing() {
    let mut t = config::<f64>(1, 6, 1).build().unwrap();
    t.run_steps(3).unwrap();
    let good = t.checkpoint();
    let mut other = config::<f64>(1, 6, 1).build().unwrap();
    let before = other.checkpoint();
    let mut cases: Vec<(&str, Checkpoint<f64>)> = Vec::new();
    let mut c = good.clone();
    c.params.pop();
    cases.push(("params", c));
    let mut c = good.clone();
    c.params[0] = f64::NAN;
    cases.push(("NaN param", c));
    let mut c = good.clone();
    c.chunk_size = 32;
    cases.push(("chunk", c));
    let mut c = good.clone();
    c.phases[1].optimizer = "adam".into();
    cases.push(("optimizer kind", c));
    let mut c = good.clone();
    c.phases.pop();
    cases.push(("phases", c));
    let mut c = good.clone();
    c.strategies[0].name = "rad".into();
    cases.push(("strategy", c));
    let mut c = good.clone();
    c.strategies[1].state = vec![1.0, 2.0];
    cases.push(("strategy state", c));
    let mut c = good.clone();
    c.terms[1].name = "walls".into();
    cases.push(("term name", c));
    let mut c = good.clone();
    c.terms[0].points.push(0.5); // 41 points but 40 point weights
    cases.push(("point weights", c));
    let mut c = good.clone();
    c.terms[0].points[3] = f64::INFINITY;
    cases.push(("infinite point", c));
    let mut c = good.clone();
    c.terms[1].weight = -1.0;
    cases.push(("negative weight", c));
    let mut c = good.clone();
    c.phases[0].state.counters.clear();
    cases.push(("adam state", c));
    let mut c = good.clone();
    c.step = 4; // 3 steps done
    cases.push(("step count", c));
    let mut c = good.clone();
    c.phases[0].done = 7; // of 6
    cases.push(("phase progress", c));
    for (what, c) in cases {
        match other.restore(&c) {
            Err(Error::InvalidConfig { .. } | Error::DimensionMismatch { .. }) => {}
            r => panic!("{what}: {r:?}"),
        }
        assert_eq!(other.checkpoint(), before, "{what}: the trainer changed");
    }
    other.restore(&good).unwrap();
    assert_eq!(other.checkpoint(), good);
}

#[test]
fn a_crash_mid_write_keeps_the_previous_checkpoint() {
    let dir = scratch("crash");
    let path = dir.join("run.ckpt");
    let mut t = config::<f64>(1, 6, 1).build().unwrap();
    t.run_steps(2).unwrap();
    t.save_checkpoint(&path).unwrap();
    // A writer that died half-way left a partial temporary file behind.
    let partial = &t.checkpoint().to_bytes()[..100];
    std::fs::write(dir.join("run.ckpt.tmp"), partial).unwrap();
    assert_eq!(Checkpoint::<f64>::read(&path).unwrap().step, 2);
    // The next save replaces both.
    t.run_steps(1).unwrap();
    t.save_checkpoint(&path).unwrap();
    assert_eq!(Checkpoint::<f64>::read(&path).unwrap().step, 3);
    assert!(!dir.join("run.ckpt.tmp").exists());
    std::fs::remove_dir_all(dir).ok();
}

const CHILD: &str = "PINN_KILL_TEST_CHECKPOINT";
const KILL_STEPS: (usize, usize) = (60, 6);

/// Not a test of its own: the training process that `a_killed_run_resumes_exactly` starts
/// and kills. It trains with a checkpoint after every step, slowed down by an observer.
#[test]
fn kill_child() {
    let Ok(path) = std::env::var(CHILD) else {
        return;
    };
    let mut t = config::<f64>(1, KILL_STEPS.0, KILL_STEPS.1)
        .checkpoint_every(1, &path)
        .observer(|_| {
            std::thread::sleep(Duration::from_millis(40));
            pinn::train::Control::Continue
        })
        .build()
        .unwrap();
    t.run().unwrap();
}

#[test]
fn a_killed_run_resumes_exactly() {
    let dir = scratch("kill");
    let path = dir.join("child.ckpt");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "kill_child",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, &path)
        .spawn()
        .unwrap();
    let start = Instant::now();
    // Wait for a few checkpoints, then kill the process at an arbitrary point of its loop.
    let killed_at = loop {
        if let Ok(c) = Checkpoint::<f64>::read(&path)
            && c.step >= 5
        {
            break c.step;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the child wrote no checkpoint"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    std::thread::sleep(Duration::from_millis(17));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child finished before it was killed");
    let c = Checkpoint::<f64>::read(&path).expect("the last checkpoint is intact");
    assert!(c.step >= killed_at && c.step < KILL_STEPS.0 + KILL_STEPS.1);
    let mut resumed = config::<f64>(2, KILL_STEPS.0, KILL_STEPS.1)
        .resume_from(&path)
        .build()
        .unwrap();
    resumed.run().unwrap();
    let full = uninterrupted::<f64>(2, KILL_STEPS.0, KILL_STEPS.1);
    assert_eq!(bits(resumed.params()), full.1);
    println!(
        "killed at step {} after {:.2} s; resumed to the same bits",
        c.step,
        start.elapsed().as_secs_f64()
    );
    std::fs::remove_dir_all(dir).ok();
}

/// `u″ = c` with one named coefficient (for the checkpoint's coefficient names).
struct Named(&'static str);

impl pinn::pde::Pde for Named {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<pinn::ad::jet::Component> {
        vec![pinn::ad::jet::Component::Second(0, 0)]
    }
    fn residual<S: pinn::ad::Scalar>(
        &self,
        _x: &[S],
        u: &pinn::pde::Fields<'_, S>,
        c: &[S],
        r: &mut pinn::pde::Residuals<'_, S>,
    ) {
        r[0] = u.d2(0, 0, 0) - c[0];
    }
    fn coefficient_specs(&self) -> Vec<pinn::pde::Coefficient> {
        vec![pinn::pde::Coefficient::new(self.0, 0.5).unwrap()]
    }
}

fn named_trainer(name: &'static str) -> pinn::train::Trainer<Named, f64> {
    use pinn::ad::Elementary;
    use pinn::nets::NetBuilder;
    let net = NetBuilder::new(1)
        .mlp(&[3], Elementary::Tanh)
        .build(1)
        .unwrap();
    pinn::train::Trainer::builder(net, Named(name))
        .pde_points(vec![0.25, 0.5, 0.75])
        .phase("adam", 5, Adam::with_lr(1e-2).unwrap())
        .threads(1)
        .build()
        .unwrap()
}

/// Version 2 stores the coefficients' names: they round-trip, a trainer whose PDE names
/// them differently refuses the checkpoint (naming both lists), and a version 1 file (the
/// same bytes without the names) still reads, with no names, and restores.
#[test]
fn coefficient_names_are_stored_checked_and_version_1_still_reads() {
    let mut t = named_trainer("nu");
    t.run_steps(2).unwrap();
    let c = t.checkpoint();
    assert_eq!(c.coefficients, ["nu"]);
    let bytes = c.to_bytes();
    assert_eq!(Checkpoint::<f64>::from_bytes(&bytes).unwrap(), c);
    let err = named_trainer("kappa").restore(&c).unwrap_err().to_string();
    assert!(
        err.contains("checkpoint.coefficients") && err.contains("kappa"),
        "{err}"
    );
    // The same checkpoint in version 1: no names section (a count of 1, then the 8-byte
    // length and 2 bytes of "nu"), version 1 in the header, length and checksum redone.
    let body_end = bytes.len() - 8;
    let mut v1 = bytes[..body_end - (8 + 8 + 2)].to_vec();
    v1[8..12].copy_from_slice(&1u32.to_le_bytes());
    let total = (v1.len() + 8) as u64;
    v1[13..21].copy_from_slice(&total.to_le_bytes());
    let sum = fnv1a(&v1);
    v1.extend_from_slice(&sum.to_le_bytes());
    let old = Checkpoint::<f64>::from_bytes(&v1).unwrap();
    assert!(old.coefficients.is_empty());
    assert_eq!(old.params, c.params);
    let mut u = named_trainer("kappa");
    u.restore(&old).unwrap(); // no names to check
    assert_eq!(u.params(), t.params());
}
