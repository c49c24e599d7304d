//! Training on the Euler–Bernoulli beam `u⁗ = f` ([`Beam`]): a 1-32-32-1 tanh MLP, Adam (1000
//! steps) then L-BFGS (at most 100 steps, until converged) through the [`Trainer`], with the
//! catalog's conditions, must reach a relative ℓ² error ≤ 1e-3 against the exact solution on
//! a 1001-point grid in `f64` for every support kind, and in `f32` for the simply supported
//! and cantilever beams; the clamped beam in `f32` must reach 2e-3.
//!
//! The PDE term is weighted by `1/f_max²` ([`Beam::load_scale`]), i.e. the residual is
//! measured relative to the load. Without it the clamped beam's term (`f` up to `8π⁴ ≈ 779`,
//! a first loss of 3e5 against 0.6 weighted) swamps the boundary terms and conditions the
//! problem badly: with the same network, points, seed and steps the unweighted run stopped
//! at rel-ℓ² 4.7e-3 in `f64` (it needs ~375 L-BFGS steps and 5 s to reach 1.9e-4) and 9.5e-2
//! in `f32` (L-BFGS's line search fails), against 5.7e-5 and 5.2e-4 weighted. The simply
//! supported beam (`π⁴ ≈ 97`) reached 7.9e-5 unweighted.

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::problems::{Beam, BeamSupport, Problem, Region};
use pinn::rng::Seed;
use pinn::train::{Report, Trainer};

/// Trains the beam with `support` in precision `T` and returns the report (its last metrics
/// are at the end of the run).
fn train<T: Real>(support: BeamSupport) -> Report<T> {
    let beam = Beam::new(support);
    let net = NetBuilder::new(1)
        .mlp(&[32, 32], Elementary::Tanh)
        .build(1)
        .unwrap();
    // 64 equally spaced collocation points, both ends included.
    let interior = beam.grid_region(&Region::Interior, 64).unwrap().points;
    // The error is measured on a finer grid than the one trained on.
    let test = beam.grid_region(&Region::Interior, 1001).unwrap().points;
    let reference = beam.reference_at(&test).unwrap();
    let mut b = Trainer::<_, T>::builder(net, beam);
    let pde = b.add_pde_points(interior);
    let mut b = b
        .weight(pde, beam.load_scale().powi(-2))
        .metrics(test, reference, usize::MAX)
        .chunk_size(32)
        .threads(2)
        .seed(Seed(1));
    for c in beam.conditions() {
        // One point per end (a face of a 1-D box has no free coordinate).
        let p = beam.grid_region(&c.region, 2).unwrap();
        b = b.condition_with_normals(&c.name, c.condition, p.points, p.normals);
    }
    let adam = Adam::new(AdamConfig {
        lr: 1e-3,
        ..AdamConfig::default()
    })
    .unwrap();
    let lbfgs = Lbfgs::new(LbfgsConfig {
        tolerance_change: 1e-12,
        ..LbfgsConfig::default()
    })
    .unwrap();
    let mut t = b
        .phase("adam", 1000, adam)
        .phase_until_converged("lbfgs", 100, lbfgs)
        .build()
        .unwrap();
    let report = t.run().unwrap();
    let first = report.history.first().unwrap().loss.to_f64();
    let last = report.history.last().unwrap().loss.to_f64();
    eprintln!(
        "beam({}) {}: rel-L2 {:.2e}, loss {first:.2e} → {last:.2e}, {} steps, {} evaluations, \
         {:.2} s ({:?})",
        support.name(),
        std::any::type_name::<T>(),
        report.metrics.last().unwrap().1.rel_l2,
        report.steps,
        report.evaluations,
        report.seconds,
        report.stop,
    );
    report
}

fn rel_l2<T>(r: &Report<T>) -> f64 {
    r.metrics.last().unwrap().1.rel_l2
}

// Measured with seed 1 on 2 cores (release): rel-ℓ² 5.7e-5 (clamped), 9.4e-6 (simply
// supported), 9.1e-6 (cantilever) in f64, 5.2e-4 (clamped) in f32; seeds 1–5 gave at worst
// 1.4e-4, 1.2e-5, 3.8e-5 and 9.2e-4.

#[test]
fn clamped_beam_reaches_1e_3_in_f64() {
    let r = train::<f64>(BeamSupport::Clamped);
    assert!(rel_l2(&r) <= 1e-3, "rel-L2 {:.3e}", rel_l2(&r));
}

#[test]
fn simply_supported_beam_reaches_1e_3_in_f64() {
    let r = train::<f64>(BeamSupport::SimplySupported);
    assert!(rel_l2(&r) <= 1e-3, "rel-L2 {:.3e}", rel_l2(&r));
}

#[test]
fn cantilever_beam_reaches_1e_3_in_f64() {
    let r = train::<f64>(BeamSupport::Cantilever);
    assert!(rel_l2(&r) <= 1e-3, "rel-L2 {:.3e}", rel_l2(&r));
}

/// Single precision: the fourth derivative carried through the jets loses more digits (the
/// loss ends near 1e-5 against 1e-6 in f64, and L-BFGS stops on a failed line search). The
/// run measured 5.2e-4 with seed 1, and 1.1e-4 – 9.2e-4 over seeds 1–5; the tolerance 2e-3
/// is four times the measured value, twice the worst seed.
#[test]
fn clamped_beam_reaches_2e_3_in_f32() {
    let r = train::<f32>(BeamSupport::Clamped);
    assert!(rel_l2(&r) <= 2e-3, "rel-L2 {:.3e}", rel_l2(&r));
}

/// The derivative conditions (`u″`, `u‴`) in single precision: measured 9.1e-6 (simply
/// supported) and 7.7e-5 (cantilever) with seed 1; the brief's 1e-3 holds with a margin of
/// ten or more.
#[test]
fn simply_supported_and_cantilever_beams_reach_1e_3_in_f32() {
    for support in [BeamSupport::SimplySupported, BeamSupport::Cantilever] {
        let r = train::<f32>(support);
        assert!(rel_l2(&r) <= 1e-3, "{support:?}: rel-L2 {:.3e}", rel_l2(&r));
    }
}
