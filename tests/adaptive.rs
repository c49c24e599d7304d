//! Residual-adaptive sampling: RAR-G adds exactly the top `m` of the pool, RAD and RAR-D draw
//! from `p ∝ εᵏ/mean(εᵏ) + c` (checked on a residual field known in closed form, within
//! sampling error), Random-R redraws, and a run gives the same bits on 1 and 2 threads.

use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Scalar};
use pinn::nets::NetBuilder;
use pinn::optim::Adam;
use pinn::pde::{Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::strategies::{Adaptive, AdaptiveConfig, Method, weighted_without_replacement};
use pinn::train::{TermId, Trainer, TrainerBuilder};

/// A "PDE" whose residual does not depend on the network: `r = x₀` (plus `0·u`), so
/// `ε(x) = |x₀|` exactly, whatever the parameters.
struct Known;
impl Pde for Known {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = x[0] + S::zero() * u.u(0);
    }
}

fn builder(threads: usize) -> (TrainerBuilder<Known, f64>, TermId) {
    let net = NetBuilder::new(2)
        .mlp(&[8], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut rng = Seed(4).rng();
    let pts: Vec<f64> = (0..2 * 400).map(|_| uniform(&mut rng)).collect();
    let mut b = Trainer::builder(net, Known).threads(threads).seed(Seed(2));
    let pde = b.add_pde_points(pts);
    (b, pde)
}

fn config(method: Method, term: TermId, pool: usize) -> AdaptiveConfig {
    AdaptiveConfig {
        method,
        term,
        first: 1,
        every: 1,
        rounds: None,
        pool,
        lo: vec![0.0, 0.0],
        hi: vec![1.0, 1.0],
        seed: Seed(9),
    }
}

/// Trains one step with the sampler and returns the term's points afterwards and the sampler's
/// first pool.
fn one_round(method: Method, pool: usize) -> (Vec<f64>, Vec<f64>) {
    let (b, pde) = builder(1);
    let cfg = config(method, pde, pool);
    let first_pool = Adaptive::new(cfg.clone()).unwrap().pool(1);
    let mut t = b
        .strategy(Adaptive::new(cfg).unwrap())
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    t.run().unwrap();
    let c = t.checkpoint();
    (c.terms[0].points.clone(), first_pool)
}

#[test]
fn rar_g_adds_exactly_the_top_m() {
    let (pts, pool) = one_round(Method::RarG { m: 25 }, 5000);
    assert_eq!(pts.len(), 2 * (400 + 25));
    let mut order: Vec<usize> = (0..5000).collect();
    order.sort_by(|&a, &b| pool[2 * b].total_cmp(&pool[2 * a]));
    let want: Vec<f64> = order[..25]
        .iter()
        .flat_map(|&i| [pool[2 * i], pool[2 * i + 1]])
        .collect();
    assert_eq!(&pts[800..], &want[..]);
}

/// The mean of `x₀` over points drawn from `p ∝ x₀ᵏ/mean(x₀ᵏ) + c` on `[0, 1]` (uniform pool,
/// `mean(x₀ᵏ) = 1/(k+1)`, so `p = ((k+1)x₀ᵏ + c)/(1 + c)`): `((k+1)/(k+2) + c/2)/(1 + c)`; and
/// its standard error for `n` draws.
fn expected_mean(k: f64, c: f64, n: usize) -> (f64, f64) {
    let m1 = ((k + 1.0) / (k + 2.0) + c / 2.0) / (1.0 + c);
    let m2 = ((k + 1.0) / (k + 3.0) + c / 3.0) / (1.0 + c);
    (m1, ((m2 - m1 * m1) / n as f64).sqrt())
}

#[test]
fn rad_and_rar_d_draw_from_the_residual_density() {
    for (k, c) in [(1.0, 0.0), (2.0, 0.0), (1.0, 1.0), (0.0, 2.0)] {
        // RAD replaces the 400 points by 400 draws from a pool of 100 000.
        let (pts, _) = one_round(Method::Rad { k, c }, 100_000);
        assert_eq!(pts.len(), 800);
        let mean = pts.chunks(2).map(|p| p[0]).sum::<f64>() / 400.0;
        let (want, se) = expected_mean(k, c, 400);
        assert!(
            (mean - want).abs() < 4.0 * se,
            "RAD k = {k}, c = {c}: mean x₀ {mean:.4}, expected {want:.4} ± {se:.4}"
        );
        // RAR-D adds 400 draws to the 400 points.
        let (pts, _) = one_round(Method::RarD { k, c, m: 400 }, 100_000);
        assert_eq!(pts.len(), 1600);
        let mean = pts[800..].chunks(2).map(|p| p[0]).sum::<f64>() / 400.0;
        assert!(
            (mean - want).abs() < 4.0 * se,
            "RAR-D k = {k}, c = {c}: mean x₀ {mean:.4}, expected {want:.4} ± {se:.4}"
        );
    }
}

#[test]
fn weighted_draws_without_replacement_follow_the_weights() {
    // Two weights, 1 and 3: the first draw of one item is the second with probability 3/4.
    let trials = 4000;
    let second = (0..trials)
        .filter(|&s| weighted_without_replacement(&[1.0, 3.0], 1, Seed(s)) == [1])
        .count();
    let p = second as f64 / trials as f64;
    let se = (0.75 * 0.25 / trials as f64).sqrt();
    assert!((p - 0.75).abs() < 4.0 * se, "{p}");
    // No index twice; zero weights only when nothing else is left.
    let idx = weighted_without_replacement(&[0.0, 1.0, 2.0, 0.0], 3, Seed(1));
    assert_eq!(idx.len(), 3);
    assert!(idx.contains(&1) && idx.contains(&2));
}

#[test]
fn random_r_redraws_every_point() {
    let (b, pde) = builder(1);
    let before = {
        let (b2, _) = builder(1);
        let t = b2
            .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
            .build()
            .unwrap();
        t.checkpoint().terms[0].points.clone()
    };
    let mut t = b
        .strategy(Adaptive::new(config(Method::RandomR, pde, 10)).unwrap())
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    t.run().unwrap();
    let after = t.checkpoint().terms[0].points.clone();
    assert_eq!(after.len(), before.len());
    assert!(after.iter().zip(&before).all(|(a, b)| a != b));
}

#[test]
fn adaptive_runs_give_the_same_bits_on_one_and_two_threads() {
    let run = |threads: usize| {
        let (b, pde) = builder(threads);
        let mut cfg = config(Method::Rad { k: 1.0, c: 1.0 }, pde, 3000);
        (cfg.first, cfg.every) = (4, 3);
        let mut t = b
            .strategy(Adaptive::new(cfg).unwrap())
            .phase("adam", 10, Adam::with_lr(1e-2).unwrap())
            .chunk_size(64)
            .build()
            .unwrap();
        t.run().unwrap();
        let pts = t.checkpoint().terms[0].points.clone();
        (
            pts.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            t.params().iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn bad_settings_are_typed_errors() {
    let (_, pde) = builder(1);
    let bad = [
        AdaptiveConfig {
            every: 0,
            ..config(Method::RandomR, pde, 10)
        },
        AdaptiveConfig {
            first: 0,
            ..config(Method::RandomR, pde, 10)
        },
        AdaptiveConfig {
            pool: 0,
            ..config(Method::RandomR, pde, 10)
        },
        AdaptiveConfig {
            lo: vec![1.0, 0.0],
            ..config(Method::RandomR, pde, 10)
        },
        config(Method::Rad { k: -1.0, c: 0.0 }, pde, 10),
        config(
            Method::RarD {
                k: 1.0,
                c: f64::NAN,
                m: 3,
            },
            pde,
            10,
        ),
        config(Method::RarG { m: 0 }, pde, 10),
    ];
    for cfg in bad {
        assert!(matches!(
            Adaptive::new(cfg),
            Err(pinn::Error::InvalidConfig { .. })
        ));
    }
    // A box of the wrong dimension is caught when the trainer is built.
    let (b, pde) = builder(1);
    let cfg = AdaptiveConfig {
        lo: vec![0.0],
        hi: vec![1.0],
        ..config(Method::RandomR, pde, 10)
    };
    let r = b
        .strategy(Adaptive::new(cfg).unwrap())
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .build();
    assert!(matches!(r, Err(pinn::Error::DimensionMismatch { .. })));
}

/// The points change after steps `first − 1`, then every `every` steps, and nowhere else.
#[test]
fn rounds_follow_the_initial_training_then_the_period() {
    let (b, pde) = builder(1);
    let cfg = AdaptiveConfig {
        first: 5,
        every: 3,
        ..config(Method::RarG { m: 1 }, pde, 50)
    };
    let mut t = b
        .strategy(Adaptive::new(cfg).unwrap())
        .phase("adam", 12, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    let mut sizes = Vec::new();
    for _ in 0..12 {
        t.run_steps(1).unwrap();
        sizes.push(t.checkpoint().terms[0].points.len() / 2 - 400);
    }
    // After steps 0..=11: one point added after steps 4, 7 and 10.
    assert_eq!(sizes, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]);

    // At most two rounds: nothing after step 10.
    let (b, pde) = builder(1);
    let cfg = AdaptiveConfig {
        first: 5,
        every: 3,
        rounds: Some(2),
        ..config(Method::RarG { m: 1 }, pde, 50)
    };
    let mut t = b
        .strategy(Adaptive::new(cfg).unwrap())
        .phase("adam", 12, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    t.run().unwrap();
    assert_eq!(t.points(pde).unwrap().len() / 2, 402);
}

/// Self-adaptive weights belong to fixed points: a sampler that replaces or adds points on the
/// same term is refused when the trainer is built, naming both.
#[test]
fn self_adaptive_weights_beside_a_sampler_on_the_same_term_are_refused() {
    use pinn::strategies::{SelfAdaptive, SelfAdaptiveConfig};
    for method in [
        Method::RandomR,
        Method::Rad { k: 1.0, c: 1.0 },
        Method::RarD {
            k: 2.0,
            c: 0.0,
            m: 5,
        },
        Method::RarG { m: 5 },
    ] {
        let (b, pde) = builder(1);
        let sa = SelfAdaptive::with_terms(SelfAdaptiveConfig::helmholtz(Seed(1)), &[(pde, 1.0)])
            .unwrap();
        let r = b
            .strategy(Adaptive::new(config(method, pde, 10)).unwrap())
            .strategy(sa)
            .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
            .build();
        match r {
            Err(pinn::Error::InvalidConfig { field, reason }) => {
                assert_eq!(field, "strategies");
                assert!(
                    reason.contains("self_adaptive") && reason.contains("adaptive"),
                    "{reason}"
                );
            }
            Err(e) => panic!("{method:?}: wrong error {e}"),
            Ok(_) => panic!("{method:?}: accepted"),
        }
    }
}

/// A run stopped between rounds and resumed from its checkpoint ends with the same bits as
/// the run that went straight through: the sampler keeps no state beyond the step count and
/// the points, which the checkpoint holds (RAD replaces them, RAR-D grows them).
#[test]
fn resumed_runs_give_the_same_bits() {
    use pinn::optim::{Lbfgs, LbfgsConfig};
    for method in [
        Method::Rad { k: 1.0, c: 1.0 },
        Method::RarD {
            k: 2.0,
            c: 0.0,
            m: 20,
        },
    ] {
        let make = || {
            let (b, pde) = builder(1);
            let cfg = AdaptiveConfig {
                first: 4,
                every: 5,
                rounds: Some(3),
                ..config(method, pde, 3000)
            };
            b.strategy(Adaptive::new(cfg).unwrap())
                .phase("adam", 4, Adam::with_lr(1e-2).unwrap())
                .phase("r1", 5, Lbfgs::new(LbfgsConfig::default()).unwrap())
                .phase("r2", 5, Adam::with_lr(1e-2).unwrap())
                .phase("r3", 5, Adam::with_lr(1e-2).unwrap())
                .build()
                .unwrap()
        };
        let mut straight = make();
        straight.run().unwrap();
        for stop in [6, 9, 12] {
            let mut first = make();
            first.run_steps(stop).unwrap();
            let saved = first.checkpoint();
            let mut resumed = make();
            resumed.restore(&saved).unwrap();
            resumed.run().unwrap();
            let (a, b) = (straight.checkpoint(), resumed.checkpoint());
            assert_eq!(
                a.terms[0].points, b.terms[0].points,
                "{method:?}, stop {stop}"
            );
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(straight.params()),
                bits(resumed.params()),
                "{method:?}, stop {stop}"
            );
        }
    }
}
