//! RoPINN (`strategies::RoPinn`) as the authors coded it: region sampling (one-sided, from the
//! original points, every evaluation, PDE term only, seeded), the trust-region calibration on
//! hand-computed gradient histories (mean coefficient of variation, reset rule, FIFO of `T₀`),
//! checkpoint state, and short training runs that learn and are bitwise reproducible on 1 and
//! 2 threads; plus `optim::FixedSteps` and `nets::xavier_uniform`, which the benchmark uses.

use pinn::Error;
use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::nets::xavier_uniform;
use pinn::optim::{Adam, FixedSteps, Lbfgs, LbfgsConfig};
use pinn::pde::problems::{Problem, Reaction, Region};
use pinn::rng::Seed;
use pinn::strategies::{
    Calibration, EvalContext, RoPinn, RoPinnConfig, Strategy, Terms, calibrate, region_sample,
};
use pinn::train::{Assembly, LossReport, StopReason, Term, TermKind, Trainer, TrainerBuilder};

/// The authors' reaction harness on an `n × n` grid: PDE on every node, initial condition on
/// the t = 0 row, periodic condition on the x columns.
fn reaction_terms(n: usize) -> Vec<Term> {
    let p = Reaction::default();
    let mut terms = vec![Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: p.grid_region(&Region::Interior, n).unwrap().points,
        normals: vec![],
        partners: vec![],
    }];
    for c in p.conditions() {
        let pts = p.grid_region(&c.region, n).unwrap();
        terms.push(Term {
            name: c.name,
            kind: TermKind::Condition(c.condition),
            weight: 1.0,
            points: pts.points,
            normals: pts.normals,
            partners: pts.partners,
        });
    }
    terms
}

fn assembly(widths: &[usize], n: usize) -> Assembly<Reaction, f64> {
    let g = Graph::mlp(widths, Elementary::Tanh).unwrap();
    Assembly::new(g, Reaction::default(), reaction_terms(n), 32, 1).unwrap()
}

fn ctx(step: usize, evaluation: usize) -> EvalContext {
    EvalContext {
        step,
        evaluation,
        seed: Seed(11).derive(step as u64).derive(evaluation as u64),
        phase: 0,
        run: Seed(11),
    }
}

fn ropinn(config: RoPinnConfig) -> RoPinn {
    RoPinn::new(config).unwrap()
}

/// `before_eval` on `a`, then the PDE term's points.
fn perturb(r: &mut RoPinn, a: &mut Assembly<Reaction, f64>, c: EvalContext) -> Vec<f64> {
    Strategy::<f64>::before_eval(r, a, c, &[]).unwrap();
    a.points(a.term_ids()[0]).unwrap().to_vec()
}

#[test]
fn samples_stay_in_the_one_sided_region_and_follow_the_seed() {
    // σ₀ = 0.5 → r/σ = 2e-4 below the cap; a large r hits the 0.01 cap.
    for (cfg, want) in [
        (
            RoPinnConfig {
                sigma0: 0.5,
                ..RoPinnConfig::default()
            },
            2e-4,
        ),
        (
            RoPinnConfig {
                radius: 1.0,
                samples: 3,
                ..RoPinnConfig::default()
            },
            0.01,
        ),
    ] {
        let samples = cfg.samples;
        let mut a = assembly(&[2, 8, 1], 11);
        let base = a.points(a.term_ids()[0]).unwrap().to_vec();
        let mut r = ropinn(cfg.clone());
        Strategy::<f64>::init(&mut r, &mut a).unwrap();
        assert_eq!(r.radius(), want);
        let p = perturb(&mut r, &mut a, ctx(3, 1));
        assert_eq!(a.n_points(a.term_ids()[0]).unwrap(), samples * 121);
        assert_eq!(p.len(), samples * base.len());
        let mut max_offset: f64 = 0.0;
        for (x, b) in p.iter().zip(base.iter().cycle()) {
            let off = x - b;
            assert!(
                (0.0..want).contains(&off),
                "offset {off} outside [0, {want})"
            );
            max_offset = max_offset.max(off);
        }
        // Not clipped to the domain: the t = 1 row moves above 1, x = 2π beyond 2π.
        assert!(
            p.chunks(2).any(|q| q[1] > 1.0) && p.chunks(2).any(|q| q[0] > std::f64::consts::TAU)
        );
        assert!(
            max_offset > 0.9 * want,
            "the offsets should fill the region"
        );
        assert_eq!(p, region_sample(&base, want, samples, ctx(3, 1).seed));

        // The same seed gives the same bits on a fresh strategy; other evaluations differ.
        let mut a2 = assembly(&[2, 8, 1], 11);
        let mut r2 = ropinn(cfg);
        Strategy::<f64>::init(&mut r2, &mut a2).unwrap();
        assert_eq!(perturb(&mut r2, &mut a2, ctx(3, 1)), p);
        let q = perturb(&mut r2, &mut a2, ctx(3, 2));
        let s = perturb(&mut r2, &mut a2, ctx(4, 1));
        assert!(q != p && s != p && q != s);
    }
}

#[test]
fn points_are_offset_from_the_originals_every_evaluation() {
    let mut a = assembly(&[2, 8, 1], 11);
    let base = a.points(a.term_ids()[0]).unwrap().to_vec();
    let mut r = ropinn(RoPinnConfig::default());
    Strategy::<f64>::init(&mut r, &mut a).unwrap();
    // 200 evaluations of offsets < 1e-4: drift would take points far beyond the region.
    for e in 0..200 {
        let p = perturb(&mut r, &mut a, ctx(e / 20, e % 20));
        assert_eq!(p, region_sample(&base, 1e-4, 1, ctx(e / 20, e % 20).seed));
    }
    // Points replaced by someone else (a resampler) become the new originals.
    let moved: Vec<f64> = base.iter().map(|x| x * 0.5).collect();
    a.set_points(a.term_ids()[0], moved.clone(), vec![], vec![])
        .unwrap();
    let p = perturb(&mut r, &mut a, ctx(99, 0));
    assert_eq!(p, region_sample(&moved, 1e-4, 1, ctx(99, 0).seed));
}

#[test]
fn initial_and_boundary_terms_are_untouched() {
    let mut a = assembly(&[2, 8, 8, 1], 11);
    let names = a.term_names();
    assert_eq!(names, ["pde", "initial", "periodic"]);
    let theta: Vec<f64> = xavier_uniform(a.model(), Seed(1), 0.01).unwrap();
    let mut g = vec![0.0; a.n_params()];
    let before: Vec<(Vec<f64>, u64)> = (1..3)
        .map(|i| {
            let l = a
                .eval_term(a.term_ids()[i], &theta, &mut g, 0)
                .unwrap()
                .terms[i];
            (a.points(a.term_ids()[i]).unwrap().to_vec(), l.to_bits())
        })
        .collect();
    let pde_before = a
        .eval_term(a.term_ids()[0], &theta, &mut g, 0)
        .unwrap()
        .terms[0];
    let mut r = ropinn(RoPinnConfig {
        radius: 1.0,
        ..RoPinnConfig::default()
    });
    Strategy::<f64>::init(&mut r, &mut a).unwrap();
    for e in 0..3 {
        perturb(&mut r, &mut a, ctx(0, e));
        for (k, i) in (1..3).enumerate() {
            let l = a
                .eval_term(a.term_ids()[i], &theta, &mut g, 0)
                .unwrap()
                .terms[i];
            assert_eq!(
                a.points(a.term_ids()[i]).unwrap(),
                &before[k].0[..],
                "{}",
                names[i]
            );
            assert_eq!(l.to_bits(), before[k].1, "{}", names[i]);
        }
        let pde = a
            .eval_term(a.term_ids()[0], &theta, &mut g, 0)
            .unwrap()
            .terms[0];
        assert_ne!(
            pde, pde_before,
            "the residual is evaluated at the moved points"
        );
    }
}

/// Feeds the evaluations' gradients of one step, then ends the step.
fn step(r: &mut RoPinn, a: &mut Assembly<Reaction, f64>, grads: &[[f64; 3]], k: usize) {
    let loss = LossReport {
        total: 0.0,
        terms: vec![0.0; 3].into(),
    };
    for g in grads {
        Strategy::<f64>::after_eval(r, a, g, &loss).unwrap();
    }
    Strategy::<f64>::after_step(r, a, &[], k).unwrap();
}

#[test]
fn calibration_matches_hand_computed_values() {
    // A 2-1 linear net: P = 3 parameters (two weights, one bias).
    let mut a = assembly(&[2, 1], 3);
    assert_eq!(a.n_params(), 3);
    let cfg = RoPinnConfig {
        past_iterations: 3,
        ..RoPinnConfig::default()
    };
    let mut r = ropinn(cfg.clone());
    Strategy::<f64>::init(&mut r, &mut a).unwrap();
    let eps = 1e-6;
    let close = |got: f64, want: f64| {
        assert!(
            (got - want).abs() <= 1e-14 * want.abs(),
            "σ = {got}, expected {want}"
        );
    };

    // Step 0: ḡ₁ = mean([1, 2, 0], [3, 2, 0]) = [2, 2, 0]; one entry → σ = 0 → reset to 1.
    step(&mut r, &mut a, &[[1.0, 2.0, 0.0], [3.0, 2.0, 0.0]], 0);
    assert_eq!((r.sigma(), r.history_len()), (1.0, 1));
    assert_eq!(r.radius(), 1e-4);

    // Step 1: ḡ₂ = [4, −2, 0]. Per parameter: (2, 4) std 1, mean|g| 3; (2, −2) std 2,
    // mean|g| 2; (0, 0) std 0.
    step(&mut r, &mut a, &[[4.0, -2.0, 0.0]], 1);
    let s1 = (1.0 / (3.0 + eps) + 2.0 / (2.0 + eps) + 0.0) / 3.0;
    close(r.sigma(), s1);
    close(r.radius(), 1e-4 / s1);

    // Step 2: ḡ₃ = mean of three evaluations = [6, 0, 0]. (2, 4, 6): std √(8/3), mean|g| 4;
    // (2, −2, 0): std √(8/3), mean|g| 4/3.
    step(
        &mut r,
        &mut a,
        &[[5.0, 1.0, 0.0], [6.0, 0.0, 0.0], [7.0, -1.0, 0.0]],
        2,
    );
    let sd = (8.0f64 / 3.0).sqrt();
    let s2 = (sd / (4.0 + eps) + sd / (4.0 / 3.0 + eps)) / 3.0;
    close(r.sigma(), s2);
    assert_eq!(r.history_len(), 3);
    let saved = Strategy::<f64>::state(&r);

    // Step 3: ḡ₄ = [8, 2, 0]; T₀ = 3 drops ḡ₁: (4, 6, 8) std √(8/3), mean|g| 6;
    // (−2, 0, 2) std √(8/3), mean|g| 4/3. (Keeping ḡ₁ would give (2, 4, 6, 8): std √5.)
    step(&mut r, &mut a, &[[8.0, 2.0, 0.0]], 3);
    let s3 = (sd / (6.0 + eps) + sd / (4.0 / 3.0 + eps)) / 3.0;
    close(r.sigma(), s3);
    assert_eq!(r.history_len(), 3);

    // The same through the free function.
    let h = [[4.0, -2.0, 0.0], [6.0, 0.0, 0.0], [8.0, 2.0, 0.0]];
    let direct = calibrate(
        h.iter().map(|g| &g[..]),
        Calibration::CoefficientOfVariation,
        eps,
    );
    assert_eq!(direct, r.sigma());
    let norm = calibrate(h.iter().map(|g| &g[..]), Calibration::StdNorm, eps);
    close(norm, (8.0f64 / 3.0 + 8.0 / 3.0).sqrt());

    // A checkpoint taken after step 2 continues bit for bit.
    let mut b = ropinn(cfg);
    Strategy::<f64>::init(&mut b, &mut a).unwrap();
    Strategy::<f64>::set_state(&mut b, &saved).unwrap();
    assert_eq!((b.sigma(), b.history_len()), (s2, 3));
    step(&mut b, &mut a, &[[8.0, 2.0, 0.0]], 3);
    assert_eq!(b.sigma().to_bits(), r.sigma().to_bits());
    for cut in [1, saved.len() / 2] {
        assert!(matches!(
            Strategy::<f64>::set_state(&mut b, &saved[..saved.len() - cut]),
            Err(Error::InvalidConfig { .. } | Error::DimensionMismatch { .. })
        ));
    }
    let mut longer = saved.clone();
    longer.push(0.0);
    assert!(Strategy::<f64>::set_state(&mut b, &longer).is_err());

    // Identical mean gradients: every std is 0 → σ = 0 → reset to 1 (whatever σ was).
    for k in 4..7 {
        step(&mut r, &mut a, &[[1.0, -1.0, 0.5]], k);
    }
    assert_eq!(r.sigma(), 1.0);
}

#[test]
fn fixed_and_std_norm_calibrations() {
    let mut a = assembly(&[2, 1], 3);
    let mut fixed = ropinn(RoPinnConfig {
        calibration: Calibration::Fixed,
        sigma0: 2.0,
        ..RoPinnConfig::default()
    });
    let mut norm = ropinn(RoPinnConfig {
        calibration: Calibration::StdNorm,
        ..RoPinnConfig::default()
    });
    Strategy::<f64>::init(&mut fixed, &mut a).unwrap();
    Strategy::<f64>::init(&mut norm, &mut a).unwrap();
    for (k, g) in [[1.0, 0.0, 0.0], [3.0, 4.0, 0.0]].iter().enumerate() {
        step(&mut fixed, &mut a, &[*g], k);
        step(&mut norm, &mut a, &[*g], k);
    }
    assert_eq!((fixed.sigma(), fixed.radius()), (2.0, 5e-5));
    // std of (1, 3) is 1, of (0, 4) is 2: ‖(1, 2, 0)‖ = √5.
    assert!((norm.sigma() - 5f64.sqrt()).abs() < 1e-15);
}

#[test]
fn invalid_settings_are_typed_errors() {
    let bad = [
        (
            RoPinnConfig {
                radius: 0.0,
                ..RoPinnConfig::default()
            },
            "ropinn.radius",
        ),
        (
            RoPinnConfig {
                samples: 0,
                ..RoPinnConfig::default()
            },
            "ropinn.samples",
        ),
        (
            RoPinnConfig {
                past_iterations: 0,
                ..RoPinnConfig::default()
            },
            "ropinn.past_iterations",
        ),
        (
            RoPinnConfig {
                sigma0: f64::NAN,
                ..RoPinnConfig::default()
            },
            "ropinn.sigma0",
        ),
        (
            RoPinnConfig {
                max_radius: -1.0,
                ..RoPinnConfig::default()
            },
            "ropinn.max_radius",
        ),
    ];
    for (cfg, want) in bad {
        match RoPinn::new(cfg) {
            Err(Error::InvalidConfig { field, .. }) => assert_eq!(field, want),
            other => panic!("{want}: expected InvalidConfig, got {other:?}"),
        }
    }
    let mut a = assembly(&[2, 1], 3);
    // A handle of another loss with more terms: out of range here.
    let mut twice = reaction_terms(3);
    twice.extend(reaction_terms(3).into_iter().map(|mut t| {
        t.name.push_str(" (2)"); // names are unique within a loss
        t
    }));
    let g = Graph::mlp(&[2, 1], Elementary::Tanh).unwrap();
    let other = Assembly::<_, f64>::new(g, Reaction::default(), twice, 32, 1).unwrap();
    let mut r = ropinn(RoPinnConfig {
        term: other.term_ids().last().copied(),
        ..RoPinnConfig::default()
    });
    assert!(matches!(
        Strategy::<f64>::init(&mut r, &mut a),
        Err(Error::InvalidConfig { field: "term", .. })
    ));
}

/// Reaction on a 16 × 16 grid with a 2-16-16-1 net, initialised as the authors do.
fn small_run(threads: usize) -> TrainerBuilder<Reaction, f64> {
    let g = Graph::mlp(&[2, 16, 16, 1], Elementary::Tanh).unwrap();
    let theta = xavier_uniform(&g, Seed(0), 0.01).unwrap();
    let mut b = Trainer::builder(g, Reaction::default())
        .params(theta)
        .seed(Seed(5))
        .chunk_size(32)
        .threads(threads);
    for t in reaction_terms(16) {
        b = b.term(t);
    }
    b
}

#[test]
fn ropinn_with_lbfgs_trains_and_is_bitwise_reproducible_on_1_and_2_threads() {
    let run = |threads: usize| {
        let ro = ropinn(RoPinnConfig::default());
        let monitor = ro.monitor();
        let mut t = small_run(threads)
            .strategy(ro)
            .phase(
                "lbfgs",
                8,
                FixedSteps::new(Lbfgs::new(LbfgsConfig::default()).unwrap()),
            )
            .build()
            .unwrap();
        let r = t.run().unwrap();
        assert_eq!((r.steps, r.stop), (8, StopReason::Completed));
        assert!(r.evaluations > 8, "L-BFGS evaluates several times per step");
        let first = r.history[0].loss;
        let last = r.history.last().unwrap().loss;
        assert!(last < 0.5 * first, "loss {first:.3e} → {last:.3e}");
        // σ was calibrated (reset to 1 after the first step, then the mean CV).
        assert!(monitor.sigma() > 0.0 && monitor.sigma() != 1.0);
        let losses: Vec<u64> = r.history.iter().map(|h| h.loss.to_bits()).collect();
        let params: Vec<u64> = t.params().iter().map(|p| p.to_bits()).collect();
        (losses, params, monitor.sigma().to_bits())
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn a_resumed_ropinn_run_is_the_uninterrupted_one() {
    // The checkpoint holds σ, the gradient FIFO and the step's sums, and the original and
    // installed points: the resumed run redraws from the originals, not from the perturbed
    // points the checkpoint puts back into the PDE term.
    let build = || {
        small_run(2)
            .strategy(ropinn(RoPinnConfig {
                past_iterations: 3,
                ..RoPinnConfig::default()
            }))
            .phase(
                "lbfgs",
                6,
                FixedSteps::new(Lbfgs::new(LbfgsConfig::default()).unwrap()),
            )
            .build()
            .unwrap()
    };
    let bits =
        |t: &Trainer<Reaction, f64>| t.params().iter().map(|p| p.to_bits()).collect::<Vec<_>>();
    let mut full = build();
    full.run().unwrap();
    let mut first = build();
    first.run_steps(4).unwrap();
    let snap = first.checkpoint();
    let mut second = build();
    second.restore(&snap).unwrap();
    second.run().unwrap();
    assert_eq!(second.step(), 6);
    assert_eq!(bits(&second), bits(&full));
}

#[test]
fn ropinn_with_adam_trains_and_is_bitwise_reproducible() {
    let run = |threads: usize| {
        let mut t = small_run(threads)
            .strategy(ropinn(RoPinnConfig {
                samples: 2,
                ..RoPinnConfig::default()
            }))
            .phase("adam", 40, Adam::with_lr(1e-2).unwrap())
            .build()
            .unwrap();
        let r = t.run().unwrap();
        assert_eq!(r.evaluations, 40, "Adam: one evaluation per step");
        assert!(r.history.last().unwrap().loss < r.history[0].loss);
        t.params().iter().map(|p| p.to_bits()).collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn a_phase_runs_every_step_unless_asked_to_end_at_convergence() {
    // A gradient tolerance so loose that L-BFGS "converges" at once.
    let loose = || {
        Lbfgs::new(LbfgsConfig {
            tolerance_grad: 1e3,
            ..LbfgsConfig::default()
        })
        .unwrap()
    };
    // `phase`: every step is taken, as in PyTorch's loop.
    let mut plain = small_run(1).phase("lbfgs", 5, loose()).build().unwrap();
    let r = plain.run().unwrap();
    assert_eq!((r.steps, r.stop), (5, StopReason::Completed));
    // `phase_until_converged`: the phase ends at the first converged step.
    let mut early = small_run(1)
        .phase_until_converged("lbfgs", 5, loose())
        .build()
        .unwrap();
    let r = early.run().unwrap();
    assert_eq!(r.steps, 1);
    assert!(matches!(r.stop, StopReason::Converged(t) if t.is_converged()));
    // FixedSteps hides convergence from any driver, that one included.
    let mut fixed = small_run(1)
        .phase_until_converged("lbfgs", 5, FixedSteps::new(loose()))
        .build()
        .unwrap();
    let r = fixed.run().unwrap();
    assert_eq!((r.steps, r.stop), (5, StopReason::Completed));
}

#[test]
fn xavier_uniform_matches_the_authors_init() {
    let g = Graph::mlp(&[2, 512, 512, 512, 1], Elementary::Tanh).unwrap();
    assert_eq!(g.n_params(), 527_361);
    let theta: Vec<f64> = xavier_uniform(&g, Seed(0), 0.0).unwrap();
    // Hidden layer 512 → 512: W ~ U(±√(6/1024)), variance a²/3 = 2/1024.
    let (start, n) = (2 * 512 + 512, 512 * 512);
    let w = &theta[start..start + n];
    let a = (6.0f64 / 1024.0).sqrt();
    assert!(w.iter().all(|v| v.abs() <= a));
    let var = w.iter().map(|v| v * v).sum::<f64>() / n as f64;
    assert!((var / (2.0 / 1024.0) - 1.0).abs() < 0.01, "variance {var}");
    assert!(theta[start + n..start + n + 512].iter().all(|&b| b == 0.0));
    assert!(xavier_uniform::<f32>(&g, Seed(0), f64::NAN).is_err());
}

#[test]
fn terms_trait_object_sees_the_perturbed_count() {
    // The PDE mean is over all N·sample_num copies: the term holds them all.
    let mut a = assembly(&[2, 8, 1], 5);
    let mut r = ropinn(RoPinnConfig {
        samples: 4,
        ..RoPinnConfig::default()
    });
    Strategy::<f64>::init(&mut r, &mut a).unwrap();
    Strategy::<f64>::before_eval(&mut r, &mut a, ctx(0, 0), &[]).unwrap();
    let t: &dyn Terms<f64> = &a;
    assert_eq!(t.n_points(t.term_ids()[0]).unwrap(), 4 * 25);
    assert_eq!(t.n_points(t.term_ids()[1]).unwrap(), 5);
}
