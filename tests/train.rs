//! The trainer end to end: a short run reaches a stated error, 1 and 2 threads give bitwise
//! identical loss histories and parameters (with resampling), observers stop a run, invalid
//! configurations are typed errors, and a non-finite loss stops training with the step and
//! term while the last finite parameters stay available.

use std::f64::consts::PI;

use pinn::Error;
use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Scalar};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::train::{Control, StopReason, Trainer};
// Wang et al.'s Poisson 1D, `u″ = −C² sin(Cx)` on [0, 1], `u = sin(Cx)`.
use pinn::pde::problems::Poisson1D as Poisson1d;

fn grid(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 / (n - 1) as f64).collect()
}

fn builder(c: f64, threads: usize) -> pinn::train::TrainerBuilder<Poisson1d, f64> {
    let net = NetBuilder::new(1)
        .mlp(&[20, 20], Elementary::Tanh)
        .build(1)
        .unwrap();
    let xs = grid(201);
    let reference: Vec<f64> = xs.iter().map(|x| (c * x).sin()).collect();
    Trainer::builder(net, Poisson1d::new(c).unwrap())
        .pde_points(grid(64))
        .condition(
            "boundary",
            Condition::dirichlet(0, move |x| (c * x[0]).sin()),
            vec![0.0, 1.0],
        )
        .metrics(xs, reference, 100)
        .chunk_size(16)
        .threads(threads)
        .seed(Seed(3))
}

/// The handle of the PDE term of [`builder`] (its first term).
fn pde() -> pinn::train::TermId {
    builder(1.0, 1).term_ids()[0]
}

#[test]
fn adam_then_lbfgs_solves_poisson_1d() {
    let mut t = builder(2.0, 2)
        .phase(
            "adam",
            500,
            Adam::new(AdamConfig {
                lr: 5e-3,
                ..Default::default()
            })
            .unwrap(),
        )
        .phase("lbfgs", 100, Lbfgs::new(LbfgsConfig::default()).unwrap())
        .build()
        .unwrap();
    let report = t.run().unwrap();
    let rel = report.metrics.last().unwrap().1.rel_l2;
    assert!(rel < 1e-3, "rel-L2 {rel:.3e} after {} steps", report.steps);
    assert_eq!(report.history.len(), report.steps);
}

#[test]
fn one_and_two_threads_give_identical_bits_with_resampling() {
    let run = |threads: usize| {
        let mut t = builder(4.0, threads)
            .phase(
                "adam",
                30,
                Adam::new(AdamConfig {
                    lr: 1e-2,
                    ..Default::default()
                })
                .unwrap(),
            )
            .phase("lbfgs", 3, Lbfgs::new(LbfgsConfig::default()).unwrap())
            .resample(pde(), 7, |seed| {
                let mut rng = seed.rng();
                Ok(((0..50).map(|_| uniform(&mut rng)).collect(), vec![]))
            })
            .build()
            .unwrap();
        let r = t.run().unwrap();
        let losses: Vec<u64> = r.history.iter().map(|h| h.loss.to_bits()).collect();
        let params: Vec<u64> = t.params().iter().map(|p| p.to_bits()).collect();
        (losses, params)
    };
    let one = run(1);
    assert_eq!(one.0.len(), 33);
    assert_eq!(one, run(2));
}

#[test]
fn a_converged_phase_hands_over_to_the_next() {
    // L-BFGS with a loose gradient tolerance converges at once; Adam then runs its 7 steps and
    // the run is reported as completed.
    let loose = LbfgsConfig {
        tolerance_grad: 1e3,
        ..Default::default()
    };
    let mut t = builder(1.0, 1)
        .phase_until_converged("lbfgs", 50, Lbfgs::new(loose).unwrap())
        .phase("adam", 7, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    let r = t.run().unwrap();
    assert_eq!((r.steps, r.stop), (8, StopReason::Completed));
    // A second run has nothing left to do.
    assert_eq!(t.run().unwrap().steps, 0);
}

#[test]
fn an_observer_can_stop_the_run() {
    let mut t = builder(1.0, 1)
        .phase("adam", 100, Adam::with_lr(1e-3).unwrap())
        .observer(|e| {
            if e.step == 9 {
                Control::Stop
            } else {
                Control::Continue
            }
        })
        .build()
        .unwrap();
    let r = t.run().unwrap();
    assert_eq!((r.steps, r.stop), (10, StopReason::Observer));
}

#[test]
fn a_non_finite_loss_stops_with_step_and_term() {
    // A boundary value that turns NaN once the optimizer has moved: the data are fine, the
    // run is fine, until step 5 (counted by the closure's calls).
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c2 = calls.clone();
    let g = move |_x: &[f64]| {
        let n = c2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n >= 2 * 5 { f64::NAN } else { 0.0 } // 2 boundary points per evaluation
    };
    let net = NetBuilder::new(1)
        .mlp(&[8], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut t = Trainer::<_, f64>::builder(net, Poisson1d::new(1.0).unwrap())
        .pde_points(grid(16))
        .condition("boundary", Condition::dirichlet(0, g), vec![0.0, 1.0])
        .phase("adam", 20, Adam::with_lr(1e-3).unwrap())
        .threads(1)
        .build()
        .unwrap();
    let before = t.params().to_vec();
    match t.run() {
        Err(Error::NonFinite { step, term }) => assert_eq!((step, term.as_str()), (5, "boundary")),
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert!(t.params().iter().all(|p| p.is_finite()));
    assert_ne!(t.params(), &before[..], "the five finite steps were kept");
    assert_eq!(t.step(), 5);
}

#[test]
fn invalid_configurations_are_typed_errors() {
    let adam = || Adam::with_lr(1e-3).unwrap();
    let net = || {
        NetBuilder::new(1)
            .mlp(&[4], Elementary::Tanh)
            .build(1)
            .unwrap()
    };
    type Built = Result<Trainer<Poisson1d, f64>, Error>;
    let cases: Vec<(&str, Built)> = vec![
        (
            "no terms",
            Trainer::builder(net(), Poisson1d::new(1.0).unwrap())
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "no phases",
            Trainer::builder(net(), Poisson1d::new(1.0).unwrap())
                .pde_points(grid(4))
                .build(),
        ),
        (
            "zero threads",
            builder(1.0, 0).phase("a", 1, adam()).build(),
        ),
        (
            "zero chunk",
            builder(1.0, 1).chunk_size(0).phase("a", 1, adam()).build(),
        ),
        (
            "empty points",
            Trainer::builder(net(), Poisson1d::new(1.0).unwrap())
                .pde_points(vec![])
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "NaN point",
            Trainer::builder(net(), Poisson1d::new(1.0).unwrap())
                .pde_points(vec![0.1, f64::NAN])
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "negative weight",
            builder(1.0, 1)
                .weight(pde(), -1.0)
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "wrong param count",
            builder(1.0, 1)
                .params(vec![0.0; 3])
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "missing normals",
            builder(1.0, 1)
                .condition("n", Condition::neumann(0, |_| 0.0), vec![0.0])
                .phase("a", 1, adam())
                .build(),
        ),
        (
            "bad output",
            builder(1.0, 1)
                .condition("o", Condition::dirichlet(3, |_| 0.0), vec![0.0])
                .phase("a", 1, adam())
                .build(),
        ),
        ("2-D PDE, 1-D net", {
            struct P2;
            impl Pde for P2 {
                fn dim(&self) -> usize {
                    2
                }
                fn components(&self) -> Vec<Component> {
                    vec![Component::Value]
                }
                fn residual<S: Scalar>(
                    &self,
                    _: &[S],
                    u: &Fields<'_, S>,
                    _: &[S],
                    r: &mut Residuals<'_, S>,
                ) {
                    r[0] = u.u(0);
                }
            }
            Trainer::<_, f64>::builder(net(), P2)
                .pde_points(vec![0.1, 0.2])
                .phase("a", 1, adam())
                .build()
                .map(|_| unreachable!())
        }),
    ];
    for (what, r) in cases {
        match r {
            Err(Error::InvalidConfig { .. }) | Err(Error::DimensionMismatch { .. }) => {}
            Err(e) => panic!("{what}: unexpected error kind {e:?}"),
            Ok(_) => panic!("{what}: accepted"),
        }
    }
    let _ = PI;
}

/// A strategy that jitters the PDE points at every evaluation (a miniature RoPINN) and counts
/// its calls: the hooks run once per evaluation and per step, and the run stays bitwise
/// deterministic across thread counts.
#[test]
fn strategies_are_called_per_evaluation_and_keep_determinism() {
    use pinn::ad::Real;
    use pinn::strategies::{EvalContext, Strategy, Terms};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Jitter {
        base: Vec<f64>,
        term: pinn::train::TermId,
        evals: Arc<AtomicUsize>,
        steps: Arc<AtomicUsize>,
    }
    impl<T: Real> Strategy<T> for Jitter {
        fn name(&self) -> &'static str {
            "jitter"
        }
        fn init(&mut self, terms: &mut dyn Terms<T>) -> pinn::Result<()> {
            assert!(terms.is_pde(self.term)?);
            self.base = terms.points(self.term)?.to_vec();
            Ok(())
        }
        fn before_eval(
            &mut self,
            terms: &mut dyn Terms<T>,
            ctx: EvalContext,
            _params: &[T],
        ) -> pinn::Result<()> {
            self.evals.fetch_add(1, Ordering::SeqCst);
            let mut rng = ctx.seed.rng();
            let pts = self
                .base
                .iter()
                .map(|x| x + 1e-3 * uniform(&mut rng))
                .collect();
            terms.set_points(self.term, pts, vec![], vec![])
        }
        fn after_step(&mut self, _: &mut dyn Terms<T>, _: &[T], _: usize) -> pinn::Result<()> {
            self.steps.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }
    let run = |threads: usize| {
        let (evals, steps) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut t = builder(2.0, threads)
            .strategy(Jitter {
                base: vec![],
                term: pde(),
                evals: evals.clone(),
                steps: steps.clone(),
            })
            .phase("adam", 10, Adam::with_lr(1e-2).unwrap())
            .phase("lbfgs", 3, Lbfgs::new(LbfgsConfig::default()).unwrap())
            .build()
            .unwrap();
        let r = t.run().unwrap();
        assert_eq!(evals.load(Ordering::SeqCst), r.evaluations);
        assert_eq!(steps.load(Ordering::SeqCst), r.steps);
        let bits: Vec<u64> = t.params().iter().map(|p| p.to_bits()).collect();
        bits
    };
    assert_eq!(run(1), run(2));
}

/// `u″ = 0` whose residual turns into `√(0·r)` after `after` residual calls: the loss stays
/// finite (0), its gradient is NaN (`√` has an infinite slope at 0).
struct NanGradient {
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    after: usize,
}
impl Pde for NanGradient {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(&self, _: &[S], u: &Fields<'_, S>, _: &[S], r: &mut Residuals<'_, S>) {
        let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let r0 = u.d2(0, 0, 0);
        // r₀·0 is 0 with slope 0, and √ has an infinite slope at 0: 0·∞ = NaN.
        r[0] = if n >= self.after {
            (r0 * S::from_f64(0.0)).sqrt()
        } else {
            r0
        };
    }
}

#[test]
fn a_nan_in_the_gradient_only_stops_with_the_term_and_keeps_the_last_finite_step() {
    let make = |after: usize| {
        let net = NetBuilder::new(1)
            .mlp(&[8], Elementary::Tanh)
            .build(1)
            .unwrap();
        let pde = NanGradient {
            calls: Default::default(),
            after,
        };
        Trainer::<_, f64>::builder(net, pde)
            .pde_points(grid(16)) // 16 residual calls per evaluation
            .condition(
                "boundary",
                Condition::dirichlet(0, |x| x[0]),
                vec![0.0, 1.0],
            )
            .phase("adam", 10, Adam::with_lr(1e-2).unwrap())
            .threads(1)
            .build()
            .unwrap()
    };
    // The gradient turns NaN at the 4th evaluation: step 3.
    let mut t = make(3 * 16);
    match t.run() {
        Err(Error::NonFinite { step, term }) => {
            assert_eq!((step, term.as_str()), (3, "pde (gradient)"))
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert_eq!(t.step(), 3);
    // The parameters are those after three clean steps, bit for bit.
    let mut clean = make(usize::MAX);
    clean.run_steps(3).unwrap();
    assert_eq!(t.params(), clean.params());
    assert!(t.params().iter().all(|p| p.is_finite()));

    // The same under L-BFGS, whose line search evaluates several times per step.
    let net = NetBuilder::new(1)
        .mlp(&[8], Elementary::Tanh)
        .build(1)
        .unwrap();
    let pde = NanGradient {
        calls: Default::default(),
        after: 5 * 16,
    };
    let mut t = Trainer::<_, f64>::builder(net, pde)
        .pde_points(grid(16))
        .condition(
            "boundary",
            Condition::dirichlet(0, |x| x[0]),
            vec![0.0, 1.0],
        )
        .phase("lbfgs", 5, Lbfgs::new(LbfgsConfig::default()).unwrap())
        .threads(1)
        .build()
        .unwrap();
    let before = t.params().to_vec();
    match t.run() {
        Err(Error::NonFinite { step: 0, term }) => assert_eq!(term, "pde (gradient)"),
        other => panic!("expected NonFinite at step 0, got {other:?}"),
    }
    assert_eq!(t.params(), &before[..], "the failing step was rolled back");
}

#[test]
fn an_update_that_overflows_stops_with_the_parameters_before_it() {
    // lr = 1e308: Adam's first step size is lr/(1 − β₁) = ∞.
    let mut t = builder(1.0, 1)
        .phase("adam", 5, Adam::with_lr(1e308).unwrap())
        .build()
        .unwrap();
    let before = t.params().to_vec();
    match t.run() {
        Err(Error::NonFinite { step, term }) => {
            assert_eq!(step, 0);
            assert!(term.starts_with("parameters"), "{term}");
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert_eq!(t.params(), &before[..]);
    assert_eq!(t.step(), 0);
}

#[test]
fn error_messages_name_the_field_and_the_values() {
    let adam = || Adam::with_lr(1e-3).unwrap();
    let msg = |r: Result<Trainer<Poisson1d, f64>, Error>| match r {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted"),
    };
    let m = msg(builder(1.0, 1)
        .weight(pde(), -2.0)
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("pde") && m.contains("-2"), "{m}");
    let m = msg(builder(1.0, 1).chunk_size(0).phase("a", 1, adam()).build());
    assert!(m.contains("chunk_size") && m.contains("found 0"), "{m}");
    let m = msg(builder(1.0, 1)
        .params(vec![0.0; 3])
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("expected 481") && m.contains("found 3"), "{m}");
    let m = msg(builder(1.0, 1)
        .condition("d", Condition::data(0, &[1.0, f64::NAN]), vec![0.2, 0.4])
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("data value 1") && m.contains("NaN"), "{m}");
    let m = msg(builder(1.0, 1)
        .condition_with_normals(
            "r",
            Condition::robin(0, f64::INFINITY, 1.0, |_| 0.0),
            vec![0.0],
            vec![-1.0],
        )
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("Robin") && m.contains("inf"), "{m}");
    let m = msg(builder(1.0, 1)
        .condition_with_normals(
            "n",
            Condition::neumann(0, |_| 0.0),
            vec![0.0],
            vec![1.0, 0.0],
        )
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("normal") && m.contains("found 2"), "{m}");
    let m = msg(builder(1.0, 1)
        .pde_points(vec![0.5, f64::INFINITY])
        .phase("a", 1, adam())
        .build());
    assert!(m.contains("finite") && m.contains("inf"), "{m}");
    // A residual that reads a derivative it did not declare.
    struct Sloppy;
    impl Pde for Sloppy {
        fn dim(&self) -> usize {
            1
        }
        fn components(&self) -> Vec<Component> {
            vec![Component::Value]
        }
        fn residual<S: Scalar>(
            &self,
            _: &[S],
            u: &Fields<'_, S>,
            _: &[S],
            r: &mut Residuals<'_, S>,
        ) {
            r[0] = u.u(0) + u.d2(0, 0, 0);
        }
    }
    let net = NetBuilder::new(1)
        .mlp(&[4], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut t = Trainer::<_, f64>::builder(net, Sloppy)
        .pde_points(grid(8))
        .phase("a", 3, adam())
        .build()
        .unwrap();
    match t.run() {
        Err(e @ Error::UndeclaredDerivative { .. }) => {
            let m = e.to_string();
            assert!(m.contains("Second(0, 0)") && m.contains("`pde`"), "{m}");
        }
        other => panic!("expected UndeclaredDerivative, got {other:?}"),
    }
    let e = Adam::<f64>::new(AdamConfig {
        beta1: 1.0,
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("adam.beta1") && e.to_string().contains("[0, 1)"));
    let e = Lbfgs::<f64>::new(LbfgsConfig {
        history_size: 0,
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("lbfgs.history_size"), "{e}");
}

/// Records the phases it is told about and the phase of every evaluation.
struct PhaseLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl pinn::strategies::Strategy<f64> for PhaseLog {
    fn name(&self) -> &'static str {
        "phase-log"
    }
    fn begin_phase(
        &mut self,
        _: &mut dyn pinn::strategies::Terms<f64>,
        p: pinn::strategies::PhaseInfo<'_>,
    ) -> pinn::Result<()> {
        let line = format!(
            "begin {} {} {} {}/{}",
            p.index, p.name, p.optimizer, p.done, p.steps
        );
        self.0.lock().unwrap().push(line);
        Ok(())
    }
    fn before_eval(
        &mut self,
        _: &mut dyn pinn::strategies::Terms<f64>,
        ctx: pinn::strategies::EvalContext,
        _params: &[f64],
    ) -> pinn::Result<()> {
        self.0
            .lock()
            .unwrap()
            .push(format!("eval {} step {}", ctx.phase, ctx.step));
        Ok(())
    }
}

#[test]
fn strategies_see_the_phase_they_run_in() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut t = builder(1.0, 1)
        .phase("warm", 2, Adam::with_lr(1e-3).unwrap())
        .phase("main", 3, Adam::with_lr(1e-3).unwrap())
        .strategy(PhaseLog(log.clone()))
        .build()
        .unwrap();
    t.run_steps(3).unwrap();
    t.run().unwrap();
    let got = log.lock().unwrap().clone();
    let want = [
        "begin 0 warm adam 0/2",
        "eval 0 step 0",
        "eval 0 step 1",
        "begin 1 main adam 0/3",
        "eval 1 step 2",
        // The second `run` resumes in the middle of phase 1.
        "begin 1 main adam 1/3",
        "eval 1 step 3",
        "eval 1 step 4",
    ];
    assert_eq!(got, want);
}

#[test]
fn resample_is_a_redraw_strategy() {
    let draw = |seed: Seed| {
        let mut rng = seed.rng();
        Ok(((0..40).map(|_| uniform(&mut rng)).collect(), vec![]))
    };
    let run = |b: pinn::train::TrainerBuilder<Poisson1d, f64>| {
        let mut t = b
            .phase("adam", 12, Adam::with_lr(1e-2).unwrap())
            .build()
            .unwrap();
        t.run().unwrap();
        t.params().iter().map(|p| p.to_bits()).collect::<Vec<_>>()
    };
    let by_builder = run(builder(1.0, 1).resample(pde(), 4, draw));
    let by_strategy = run(builder(1.0, 1).strategy(pinn::strategies::Redraw::new(pde(), 4, draw)));
    let fixed = run(builder(1.0, 1));
    assert_eq!(by_builder, by_strategy);
    assert_ne!(by_builder, fixed, "the points were redrawn");
}

/// Two terms with the same name are refused when the trainer is built, with an error naming
/// the name and both terms; distinct names build.
#[test]
fn duplicate_term_names_are_refused_at_build_time() {
    let adam = || Adam::new(AdamConfig::default()).unwrap();
    let b = builder(1.0, 1)
        .condition("left", Condition::dirichlet(0, |_| 0.0), vec![0.0])
        .condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![1.0])
        .phase("adam", 1, adam());
    match b.build() {
        Err(Error::InvalidConfig { field, reason }) => {
            assert_eq!(field, "term.name");
            assert!(
                reason.contains("`boundary`") && reason.contains("terms 1 and 3"),
                "{reason}"
            );
        }
        Err(e) => panic!("expected InvalidConfig, got {e}"),
        Ok(_) => panic!("a repeated name was accepted"),
    }
    // A repeated name through add_condition too, and the PDE's own name.
    let mut b = builder(1.0, 1);
    b.add_condition("pde", Condition::dirichlet(0, |_| 0.0), vec![0.5]);
    let e = b.phase("adam", 1, adam()).build().err().expect("refused");
    assert!(e.to_string().contains("`pde`"), "{e}");
    // Distinct names build.
    let ok = builder(1.0, 1)
        .condition("right", Condition::dirichlet(0, |_| 0.0), vec![1.0])
        .phase("adam", 1, adam())
        .build();
    assert!(ok.is_ok());
}

/// A term added with `add_resampled` gets its first batch from the draw closure when the
/// trainer is built, with the documented seed `Redraw::seed(run, term, 0)` =
/// `run.derive(1 + t).derive(0)`, and later batches from the same stream (step `every`); the
/// run's seed may be set after the term is added. Data and periodic terms are refused.
#[test]
fn a_resampled_term_draws_its_first_batch_from_the_stream() {
    use pinn::strategies::Redraw;
    use pinn::train::TermKind;
    let draw = |seed: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
        let mut rng = seed.rng();
        Ok(((0..32).map(|_| uniform(&mut rng)).collect(), vec![]))
    };
    let net = NetBuilder::new(1)
        .mlp(&[8], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut b = Trainer::<_, f64>::builder(net.clone(), Poisson1d::new(1.0).unwrap());
    let boundary = b.add_condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0]);
    let pde = b.add_resampled("pde", TermKind::Pde, 3, draw);
    assert_eq!((boundary.index(), pde.index()), (0, 1));
    let run = Seed(11);
    let mut t = b
        .seed(run) // after add_resampled: the first draw still uses it
        .phase("adam", 4, Adam::new(AdamConfig::default()).unwrap())
        .build()
        .unwrap();
    let first = draw(run.derive(2).derive(0)).unwrap().0;
    assert_eq!(Redraw::seed(run, pde, 0), run.derive(2).derive(0));
    assert_eq!(t.points(pde).unwrap(), first.as_slice());
    assert_eq!(t.points(boundary).unwrap(), &[0.0, 1.0]);
    t.run_steps(3).unwrap(); // steps 0, 1, 2: still the first batch
    assert_eq!(t.points(pde).unwrap(), first.as_slice());
    t.run_steps(1).unwrap(); // step 3 redraws
    let third = draw(Redraw::seed(run, pde, 3)).unwrap().0;
    assert_eq!(t.points(pde).unwrap(), third.as_slice());
    assert_ne!(first, third);
    // Data and periodic terms keep their points; a failing draw is the build's error.
    let mut b = Trainer::<_, f64>::builder(net.clone(), Poisson1d::new(1.0).unwrap());
    b.add_resampled(
        "data",
        TermKind::Condition(Condition::data(0, &[0.0; 32])),
        3,
        draw,
    );
    let e = b
        .phase("adam", 1, Adam::new(AdamConfig::default()).unwrap())
        .build()
        .err()
        .expect("refused");
    assert!(e.to_string().contains("keep their points"), "{e}");
    let mut b = Trainer::<_, f64>::builder(net, Poisson1d::new(1.0).unwrap());
    b.add_resampled("pde", TermKind::Pde, 3, |_| {
        Err(Error::InvalidConfig {
            field: "mine",
            reason: "no points today".into(),
        })
    });
    let e = b
        .phase("adam", 1, Adam::new(AdamConfig::default()).unwrap())
        .build()
        .err()
        .expect("refused");
    assert!(e.to_string().contains("no points today"), "{e}");
}
