//! Optimizers against hand-computed values, closed forms, the strong Wolfe conditions, and
//! every stopping rule.

use pinn::ad::Real;
use pinn::optim::{
    Adam, AdamConfig, AdamThenLbfgs, Change, Lbfgs, LbfgsConfig, Objective, Optimizer, Schedule,
    Sgd, SgdConfig, Termination, minimize,
};
use pinn::{Error, Result};

/// `f(x) = ½ Σ λ_i (x_i − c_i)²` with `λ_i` log-spaced in `[1, κ]`, and `c_i = i + 1`.
struct Quadratic {
    lambda: Vec<f64>,
}

impl Quadratic {
    fn new(n: usize, kappa: f64) -> Self {
        let lambda = (0..n)
            .map(|i| kappa.powf(i as f64 / (n - 1).max(1) as f64))
            .collect();
        Quadratic { lambda }
    }
    fn centre(i: usize) -> f64 {
        i as f64 + 1.0
    }
}

impl<T: Real> Objective<T> for Quadratic {
    fn eval(&mut self, x: &[T], g: &mut [T]) -> Result<T> {
        let mut f = T::zero();
        for (i, (&x, g)) in x.iter().zip(g).enumerate() {
            let (l, r) = (
                T::from_f64(self.lambda[i]),
                x - T::from_f64(Self::centre(i)),
            );
            *g = l * r;
            f += T::from_f64(0.5) * l * r * r;
        }
        Ok(f)
    }
}

/// Rosenbrock, `f = Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)²`, minimum 0 at (1, …, 1).
fn rosenbrock<T: Real>(x: &[T], g: &mut [T]) -> Result<T> {
    let (c100, c2, one) = (T::from_f64(100.0), T::from_f64(2.0), T::one());
    let mut f = T::zero();
    g.fill(T::zero());
    for i in 0..x.len() - 1 {
        let (a, b) = (x[i + 1] - x[i] * x[i], one - x[i]);
        f += c100 * a * a + b * b;
        g[i] += -c2 * c2 * c100 * a * x[i] - c2 * b;
        g[i + 1] += c2 * c100 * a;
    }
    Ok(f)
}

/// Counts evaluations.
struct Counted<F> {
    f: F,
    evals: usize,
}

impl<T, F: FnMut(&[T], &mut [T]) -> Result<T>> Objective<T> for Counted<F> {
    fn eval(&mut self, x: &[T], g: &mut [T]) -> Result<T> {
        self.evals += 1;
        (self.f)(x, g)
    }
}

fn lbfgs(config: LbfgsConfig) -> Lbfgs<f64> {
    Lbfgs::new(config).unwrap()
}

fn field_of<T: std::fmt::Debug>(r: Result<T>) -> &'static str {
    match r {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------- Adam

#[test]
fn adam_first_three_steps_match_the_pytorch_formula() {
    // f = x0² + 5 x1², lr = 0.1; values from m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
    // x ← x − (lr/(1−β1ᵗ))·m/(√v/√(1−β2ᵗ) + ε), worked out in Python floats.
    let expected = [
        [0.9000000005, -1.90000000005],
        [0.8004122286917927, -1.8001664857113877],
        [0.7015862729460302, -1.7006233914339461],
    ];
    let mut f = |x: &[f64], g: &mut [f64]| {
        g[0] = 2.0 * x[0];
        g[1] = 10.0 * x[1];
        Ok(x[0] * x[0] + 5.0 * x[1] * x[1])
    };
    let mut adam = Adam::with_lr(0.1).unwrap();
    let mut x = [1.0, -2.0];
    for (t, want) in expected.iter().enumerate() {
        let info = adam.step(&mut x, &mut f).unwrap();
        assert_eq!(
            (info.evaluations, info.iterations, info.termination),
            (1, 1, None)
        );
        for i in 0..2 {
            assert!(
                (x[i] - want[i]).abs() < 1e-12,
                "step {t}: {x:?} vs {want:?}"
            );
        }
    }
    assert_eq!(adam.steps(), 3);
}

#[test]
fn adam_converges_to_the_minimiser_in_f64_and_f32() {
    fn run<T: Real>(tol: f64) {
        let mut q = Quadratic::new(4, 10.0);
        let mut adam = Adam::<T>::with_lr(0.05).unwrap();
        let mut x = vec![T::zero(); 4];
        for _ in 0..3000 {
            adam.step(&mut x, &mut q).unwrap();
        }
        for (i, x) in x.iter().enumerate() {
            assert!(
                (x.to_f64() - Quadratic::centre(i)).abs() < tol,
                "{}: {x}",
                T::NAME
            );
        }
    }
    run::<f64>(1e-6);
    run::<f32>(1e-4);
}

#[test]
fn adam_follows_its_schedule() {
    let config = AdamConfig {
        lr: 1e-3,
        schedule: Schedule::wang2021(),
        ..AdamConfig::default()
    };
    let mut adam = Adam::<f64>::new(config).unwrap();
    let mut x = [1.0];
    let mut f = |x: &[f64], g: &mut [f64]| {
        g[0] = x[0];
        Ok(0.5 * x[0] * x[0])
    };
    for _ in 0..500 {
        adam.step(&mut x, &mut f).unwrap();
    }
    assert!((adam.current_lr() - 1e-3 * 0.9_f64.powf(0.5)).abs() < 1e-18);
}

// ----------------------------------------------------------------------------------- SGD

#[test]
fn sgd_with_momentum_matches_the_closed_form_recursion() {
    // f = ½ a x²: heavy ball x_{k+1} = (1 − lr a + μ) x_k − μ x_{k−1}, so
    // x_k = c₁ λ₁ᵏ + c₂ λ₂ᵏ with λ² − (1 − lr a + μ) λ + μ = 0, x₀ = 1, x₁ = 1 − lr a.
    let (a, lr, mu) = (1.0, 0.1, 0.1);
    let mut sgd = Sgd::new(SgdConfig {
        lr,
        momentum: mu,
        ..SgdConfig::default()
    })
    .unwrap();
    let tr = 1.0 - lr * a + mu;
    let disc = (tr * tr - 4.0 * mu).sqrt();
    let (l1, l2) = ((tr + disc) / 2.0, (tr - disc) / 2.0);
    let x1 = 1.0 - lr * a;
    let c1 = (x1 - l2) / (l1 - l2);
    let c2 = 1.0 - c1;
    let mut f = |x: &[f64], g: &mut [f64]| {
        g[0] = a * x[0];
        Ok(0.5 * a * x[0] * x[0])
    };
    let mut x = [1.0];
    for k in 1..=40 {
        sgd.step(&mut x, &mut f).unwrap();
        let want = c1 * l1.powi(k) + c2 * l2.powi(k);
        assert!((x[0] - want).abs() < 1e-14, "step {k}: {} vs {want}", x[0]);
    }
}

#[test]
fn sgd_nesterov_and_plain_match_their_recursions() {
    // Nesterov on f = ½ a x²: (x_{k+1}, b_k) = M (x_k, b_{k−1}),
    // M = [[1 − lr a (1 + μ), −lr μ²], [a, μ]], b_{−1} = 0.
    let (a, lr, mu) = (2.0, 0.05, 0.9);
    let mut f = |x: &[f64], g: &mut [f64]| {
        g[0] = a * x[0];
        Ok(0.5 * a * x[0] * x[0])
    };
    let config = SgdConfig {
        lr,
        momentum: mu,
        nesterov: true,
        ..SgdConfig::default()
    };
    let mut sgd = Sgd::new(config).unwrap();
    let (mut xr, mut b) = (1.0_f64, 0.0_f64);
    let mut x = [1.0];
    for k in 0..50 {
        sgd.step(&mut x, &mut f).unwrap();
        (xr, b) = (
            (1.0 - lr * a * (1.0 + mu)) * xr - lr * mu * mu * b,
            a * xr + mu * b,
        );
        assert!((x[0] - xr).abs() < 1e-13, "step {k}: {} vs {xr}", x[0]);
    }
    // μ = 0: x_k = (1 − lr a)ᵏ.
    let mut sgd = Sgd::new(SgdConfig {
        lr,
        ..SgdConfig::default()
    })
    .unwrap();
    let mut x = [1.0];
    for k in 1..=20 {
        sgd.step(&mut x, &mut f).unwrap();
        assert!((x[0] - (1.0 - lr * a).powi(k)).abs() < 1e-15);
    }
}

// ------------------------------------------------------------------------------ Schedules

#[test]
fn schedules_match_their_closed_forms() {
    let lr0 = 1e-3;
    let wang = Schedule::wang2021();
    for n in [0_u64, 1, 500, 1000, 2500, 40_000] {
        let want = lr0 * 0.9_f64.powf(n as f64 / 1000.0);
        assert!((wang.lr(lr0, n) - want).abs() <= 1e-18, "n = {n}");
    }
    assert_eq!(wang.lr(lr0, 1000), lr0 * 0.9);
    assert!((wang.lr(lr0, 40_000) - 1.478e-5).abs() < 1e-8);

    let step = Schedule::step(0.5, 100).unwrap();
    let pairs = [(0, 1.0), (99, 1.0), (100, 0.5), (250, 0.25), (399, 0.125)];
    for (n, factor) in pairs {
        assert_eq!(step.lr(2.0, n), 2.0 * factor, "n = {n}");
    }

    let cos = Schedule::cosine(100, 1e-4).unwrap();
    assert_eq!(cos.lr(1e-2, 0), 1e-2);
    assert!((cos.lr(1e-2, 50) - (1e-4 + (1e-2 - 1e-4) / 2.0)).abs() < 1e-16);
    let quarter = 1e-4 + (1e-2 - 1e-4) * (1.0 + (std::f64::consts::PI / 4.0).cos()) / 2.0;
    assert!((cos.lr(1e-2, 25) - quarter).abs() < 1e-16);
    assert!((cos.lr(1e-2, 100) - 1e-4).abs() < 1e-18);
    assert_eq!(cos.lr(1e-2, 100), cos.lr(1e-2, 10_000));

    assert_eq!(Schedule::Constant.lr(0.3, 12345), 0.3);
    let e = Schedule::exponential(0.5, 10).unwrap();
    assert!((e.lr(1.0, 5) - 0.5_f64.sqrt()).abs() < 1e-16);
}

// -------------------------------------------------------------------------------- L-BFGS
//
// Reference numbers below come from `torch/optim/lbfgs.py` (its `step`, `_strong_wolfe` and
// `_cubic_interpolate` run verbatim on f64 NumPy arrays through a small tensor shim). In
// two dimensions every dot product rounds the same way, so the iterates agree bit for bit.

#[test]
fn lbfgs_on_rosenbrock_with_torch_defaults_matches_the_torch_trace() {
    let mut opt = lbfgs(LbfgsConfig::default());
    let mut x = [-1.2, 1.0];
    let info = opt.step(&mut x, &mut rosenbrock).unwrap();
    assert_eq!(info.loss, 24.199999999999996);
    let counts = (info.iterations, info.evaluations, info.termination);
    assert_eq!(counts, (19, 25, Some(Termination::MaxEvaluations)));
    assert_eq!(x, [0.3806226433464964, 0.12491013187294217]);

    let info = opt.step(&mut x, &mut rosenbrock).unwrap();
    assert_eq!(info.loss, 0.4234823024380213);
    let counts = (info.iterations, info.evaluations, info.termination);
    let gtd = Termination::ChangeTolerance(Change::DirectionalDerivative);
    assert_eq!(counts, (16, 19, Some(gtd)));
    assert_eq!(x, [0.9999814210791363, 0.9999619651810986]);
    assert_eq!(info.final_loss, Some(4.22145751115101e-10));

    // Torch's tolerances are absolute: at f ≈ 4e-10 the predicted decrease g·d is above
    // −1e-9, so every further step stops at once (one evaluation, one iteration).
    let info = opt.step(&mut x, &mut rosenbrock).unwrap();
    assert_eq!(
        (info.iterations, info.evaluations, info.termination),
        (1, 1, Some(gtd))
    );
    assert_eq!((opt.iterations(), opt.evaluations()), (36, 45));
}

#[test]
fn lbfgs_reaches_the_rosenbrock_minimum_in_45_evaluations() {
    // tolerance_change 1e-12 (the default 1e-9 stops at |x − 1| ≈ 4e-5, above).
    let mut opt = lbfgs(LbfgsConfig {
        tolerance_change: 1e-12,
        ..LbfgsConfig::default()
    });
    let mut x = [-1.2, 1.0];
    let mut obj = Counted {
        f: rosenbrock::<f64>,
        evals: 0,
    };
    let report = minimize(&mut opt, &mut x, &mut obj, 100).unwrap();
    let gtd = Termination::ChangeTolerance(Change::DirectionalDerivative);
    assert_eq!(report.termination, gtd);
    assert_eq!(
        (report.steps, report.iterations, report.evaluations),
        (2, 36, 45)
    );
    assert_eq!(obj.evals, 45);
    assert!(x.iter().all(|x| (x - 1.0).abs() < 1e-7), "{x:?}");
    assert!(report.final_loss.unwrap() < 1e-13);
    assert_eq!(report.losses.len(), 2);
}

#[test]
fn lbfgs_accepted_steps_satisfy_the_strong_wolfe_conditions() {
    let config = LbfgsConfig {
        max_iter: 1,
        tolerance_change: 1e-12,
        ..LbfgsConfig::default()
    };
    let (c1, c2) = (config.c1, config.c2);
    let mut opt = lbfgs(config);
    let mut x = [-1.2, 1.0];
    let (mut g0, mut g1) = ([0.0; 2], [0.0; 2]);
    let mut checked = 0;
    for _ in 0..100 {
        let before = x;
        let info = opt.step(&mut x, &mut rosenbrock).unwrap();
        let (t, d) = (opt.step_length(), opt.direction());
        if x != before {
            // Re-evaluate at both ends of the accepted step x⁺ = x + t·d.
            let f0 = rosenbrock(&before, &mut g0).unwrap();
            let f1 = rosenbrock(&x, &mut g1).unwrap();
            assert_eq!(x, [before[0] + t * d[0], before[1] + t * d[1]]);
            let (gtd0, gtd1) = (g0[0] * d[0] + g0[1] * d[1], g1[0] * d[0] + g1[1] * d[1]);
            assert!(gtd0 < 0.0);
            assert!(f1 <= f0 + c1 * t * gtd0, "Armijo fails at step {checked}");
            assert!(
                gtd1.abs() <= c2 * gtd0.abs(),
                "curvature fails at step {checked}"
            );
            checked += 1;
        }
        if info.termination.unwrap().is_converged() {
            break;
        }
    }
    assert_eq!(checked, 35);
}

#[test]
fn lbfgs_solves_an_ill_conditioned_quadratic() {
    // n = 10, eigenvalues 1…1e4. With unit steps accepted by a Wolfe search (not exact
    // line searches) L-BFGS has no n-step termination: torch's L-BFGS needs 49
    // iterations here to reach 1e-10, and so do we.
    let n = 10;
    let mut q = Quadratic::new(n, 1e4);
    let mut opt = lbfgs(LbfgsConfig {
        max_iter: 1,
        tolerance_grad: 0.0,
        tolerance_change: 0.0,
        ..LbfgsConfig::default()
    });
    let mut x = vec![0.0; n];
    let err = |x: &[f64]| {
        x.iter()
            .enumerate()
            .map(|(i, x)| (x - Quadratic::centre(i)).abs())
            .fold(0.0, f64::max)
    };
    while err(&x) > 1e-10 && opt.iterations() < 200 {
        opt.step(&mut x, &mut q).unwrap();
    }
    assert!(err(&x) <= 1e-10);
    assert!(
        opt.iterations() <= 5 * n as u64,
        "{} iterations",
        opt.iterations()
    );
    assert_eq!(opt.iterations(), 49);
    // Five pairs had y·s ≤ 1e-10 and were skipped, as in torch.
    assert_eq!(opt.history_len(), 44);
}

#[test]
fn lbfgs_state_persists_across_steps_bitwise() {
    // Extended Rosenbrock in 6-D: 20 iterations, no early stop.
    let config = |max_iter| LbfgsConfig {
        max_iter,
        max_eval: Some(100),
        ..LbfgsConfig::default()
    };
    let x0 = [-1.2, 1.0, -1.2, 1.0, -1.2, 1.0];
    let mut one = lbfgs(config(20));
    let mut x1 = x0;
    let info = one.step(&mut x1, &mut rosenbrock).unwrap();
    assert_eq!((info.iterations, info.evaluations), (20, 24));
    assert_eq!(info.termination, Some(Termination::MaxIterations));

    let mut two = lbfgs(config(10));
    let mut x2 = x0;
    for _ in 0..2 {
        let info = two.step(&mut x2, &mut rosenbrock).unwrap();
        assert_eq!(info.termination, Some(Termination::MaxIterations));
    }
    assert_eq!(x1, x2);
    assert_eq!(two.iterations(), 20);
    assert_eq!(two.evaluations(), 25); // one more: the second call's opening evaluation
    let (s1, s2) = (one.state(), two.state());
    assert_eq!(s1.values, s2.values);
    assert_eq!(s1.counters[1..2], s2.counters[1..2]);
}

#[test]
fn lbfgs_checkpoint_restores_the_run_bitwise() {
    let config = LbfgsConfig {
        max_iter: 3,
        ..LbfgsConfig::default()
    };
    let mut a = lbfgs(config);
    let mut xa = [-1.2, 1.0, -1.2, 1.0];
    for _ in 0..3 {
        a.step(&mut xa, &mut rosenbrock).unwrap();
    }
    let (saved, mut xb) = (a.state(), xa);
    for _ in 0..3 {
        a.step(&mut xa, &mut rosenbrock).unwrap();
    }
    let mut b = lbfgs(config);
    b.set_state(&saved).unwrap();
    for _ in 0..3 {
        b.step(&mut xb, &mut rosenbrock).unwrap();
    }
    assert_eq!(xa, xb);
    assert_eq!(a.state(), b.state());
    // A state of the wrong shape is refused, and so are parameters of the wrong length.
    let mut bad = saved.clone();
    bad.values.pop();
    assert!(matches!(
        b.set_state(&bad),
        Err(Error::DimensionMismatch { .. })
    ));
    let r = b.step(&mut [0.0; 3], &mut rosenbrock);
    assert!(matches!(
        r,
        Err(Error::DimensionMismatch {
            expected: 4,
            found: 3,
            ..
        })
    ));
}

#[test]
fn lbfgs_reports_every_termination_reason() {
    let reason = |config: LbfgsConfig, x: &mut [f64], obj: &mut dyn Objective<f64>| {
        let info = lbfgs(config).step(x, obj).unwrap();
        (info.termination.unwrap(), info.iterations, info.evaluations)
    };
    let default = LbfgsConfig::default;

    // Already at the minimum: no iteration at all.
    let mut sphere = |x: &[f64], g: &mut [f64]| {
        g.copy_from_slice(x);
        Ok(0.5 * x.iter().map(|x| x * x).sum::<f64>())
    };
    let r = reason(default(), &mut [0.0, 0.0], &mut sphere);
    assert_eq!(r, (Termination::GradientTolerance, 0, 1));
    // ½‖x‖²: a steepest-descent step, then the exact Newton step.
    let r = reason(default(), &mut [1.0, 2.0], &mut sphere);
    assert_eq!(r, (Termination::GradientTolerance, 2, 3));

    // A gentle slope, 1e-5: g·d = −2e-10 > −1e-9 at once.
    let mut slope = |x: &[f64], g: &mut [f64]| {
        g.fill(1e-5);
        Ok(1e-5 * (x[0] + x[1]))
    };
    let r = reason(default(), &mut [0.0, 0.0], &mut slope);
    let expect = Termination::ChangeTolerance(Change::DirectionalDerivative);
    assert_eq!(r, (expect, 1, 1));

    // A steep parabola 1e-12 from its minimum: the exact step is 1e-20 long.
    let mut steep = |x: &[f64], g: &mut [f64]| {
        g[0] = 1e8 * x[0];
        Ok(0.5e8 * x[0] * x[0])
    };
    let config = LbfgsConfig {
        tolerance_grad: 0.0,
        ..default()
    };
    let r = reason(config, &mut [1e-12], &mut steep);
    assert_eq!(r, (Termination::ChangeTolerance(Change::Step), 1, 3));

    // f ≈ 6e-10: the line search removes almost all of it, a change below 1e-9.
    let mut flat = |x: &[f64], g: &mut [f64]| {
        g[0] = 100.0 * x[0];
        g[1] = 200.0 * x[1];
        Ok(0.5 * (100.0 * x[0] * x[0] + 200.0 * x[1] * x[1]))
    };
    let r = reason(default(), &mut [2e-6, 2e-6], &mut flat);
    assert_eq!(r, (Termination::ChangeTolerance(Change::Loss), 1, 3));

    // A gradient of the wrong sign: every trial step increases f; the bracket collapses
    // onto t = 0 and torch's step test stops the run.
    let mut wrong = |x: &[f64], g: &mut [f64]| {
        g[0] = -2.0 * x[0];
        Ok(x[0] * x[0])
    };
    let mut x = [1.0];
    let r = reason(default(), &mut x, &mut wrong);
    assert_eq!(r, (Termination::LineSearchFailed, 1, 11));
    assert_eq!(x, [1.0]);

    let config = LbfgsConfig {
        max_iter: 5,
        max_eval: Some(100),
        ..default()
    };
    let r = reason(config, &mut [-1.2, 1.0], &mut rosenbrock);
    assert_eq!(r.0, Termination::MaxIterations);
    assert_eq!(r.1, 5);
    let r = reason(default(), &mut [-1.2, 1.0], &mut rosenbrock);
    assert_eq!(r, (Termination::MaxEvaluations, 19, 25));

    let mut opt = lbfgs(default());
    let report = minimize(&mut opt, &mut [-1.2, 1.0], &mut rosenbrock, 1).unwrap();
    assert_eq!(report.termination, Termination::MaxSteps);
    assert!(!Termination::MaxSteps.is_converged() && !Termination::MaxIterations.is_converged());
}

// --------------------------------------------------------------------------------- f32

#[test]
fn f32_adam_and_lbfgs_minimise_the_quadratic() {
    let mut q = Quadratic::new(4, 10.0);
    let mut x = vec![0.0_f32; 4];
    let mut opt = Lbfgs::<f32>::new(LbfgsConfig::default()).unwrap();
    let report = minimize(&mut opt, &mut x, &mut q, 50).unwrap();
    assert!(
        report.termination.is_converged(),
        "{:?}",
        report.termination
    );
    for (i, x) in x.iter().enumerate() {
        assert!((x - Quadratic::centre(i) as f32).abs() < 1e-4, "{i}: {x}");
    }
    let mut adam = Adam::<f32>::with_lr(0.1).unwrap();
    let mut x = vec![0.0_f32; 4];
    let mut f = |x: &[f32], g: &mut [f32]| {
        g.iter_mut().zip(x).for_each(|(g, x)| *g = x - 1.0);
        Ok(x.iter().map(|x| 0.5 * (x - 1.0) * (x - 1.0)).sum())
    };
    for _ in 0..500 {
        adam.step(&mut x, &mut f).unwrap();
    }
    assert!(x.iter().all(|x| (x - 1.0).abs() < 1e-3), "{x:?}");
}

// ---------------------------------------------------------------------- Adam then L-BFGS

#[test]
fn adam_then_lbfgs_solves_rosenbrock() {
    let adam = AdamConfig {
        lr: 0.01,
        ..AdamConfig::default()
    };
    let lbfgs = LbfgsConfig {
        tolerance_change: 1e-12,
        ..LbfgsConfig::default()
    };
    let mut opt = AdamThenLbfgs::new(adam, 200, lbfgs, 50).unwrap();
    let mut x = [-1.2_f64, 1.0];
    let report = opt.run(&mut x, &mut rosenbrock).unwrap();
    assert!(
        report.termination.is_converged(),
        "{:?}",
        report.termination
    );
    assert!(x.iter().all(|x| (x - 1.0).abs() < 1e-6), "{x:?}");
    assert_eq!(report.losses.len(), report.steps);
    assert!(report.steps > 200 && report.evaluations > 200);
    assert!(report.losses[199] < report.losses[0]);
}

// ------------------------------------------------------------------------ Errors, guards

#[test]
fn non_finite_values_are_errors_and_objective_errors_pass_through() {
    let mut nan_loss = |_: &[f64], _: &mut [f64]| Ok(f64::NAN);
    let mut inf_grad = |_: &[f64], g: &mut [f64]| {
        g[1] = f64::INFINITY;
        Ok(1.0)
    };
    let own = Error::DimensionMismatch {
        what: "my objective",
        expected: 1,
        found: 2,
    };
    let mut failing = |_: &[f64], _: &mut [f64]| Err(own.clone());
    let mut opts: Vec<Box<dyn Optimizer<f64>>> = vec![
        Box::new(Adam::with_lr(0.1).unwrap()),
        Box::new(Sgd::new(SgdConfig::default()).unwrap()),
        Box::new(lbfgs(LbfgsConfig::default())),
    ];
    for opt in &mut opts {
        let mut x = [1.0, 2.0];
        match opt.step(&mut x, &mut nan_loss) {
            Err(Error::NonFinite { term, step: 0 }) => assert!(term.starts_with("loss")),
            other => panic!("{}: {other:?}", opt.name()),
        }
        match opt.step(&mut x, &mut inf_grad) {
            Err(Error::NonFinite { term, step: 0 }) => assert!(term.starts_with("gradient[1]")),
            other => panic!("{}: {other:?}", opt.name()),
        }
        assert_eq!(opt.step(&mut x, &mut failing), Err(own.clone()));
        assert_eq!(x, [1.0, 2.0], "{}", opt.name());
    }
    // A NaN met inside the line search is caught too, with the step number.
    let mut opt = lbfgs(LbfgsConfig::default());
    let mut x = [-1.2, 1.0];
    opt.step(&mut x, &mut rosenbrock).unwrap();
    let mut nan_far = |x: &[f64], g: &mut [f64]| {
        let f = rosenbrock(x, g)?;
        Ok(if x[0] > 0.5 { f64::NAN } else { f })
    };
    let err = opt.step(&mut x, &mut nan_far).unwrap_err();
    assert!(matches!(err, Error::NonFinite { step: 1, .. }), "{err}");
}

#[test]
fn invalid_hyper_parameters_name_their_field() {
    let adam = |c: AdamConfig| field_of(Adam::<f64>::new(c));
    let d = AdamConfig::default;
    assert_eq!(adam(AdamConfig { lr: 0.0, ..d() }), "adam.lr");
    assert_eq!(
        adam(AdamConfig {
            lr: f64::NAN,
            ..d()
        }),
        "adam.lr"
    );
    assert_eq!(adam(AdamConfig { beta1: 1.0, ..d() }), "adam.beta1");
    assert_eq!(adam(AdamConfig { beta2: -0.1, ..d() }), "adam.beta2");
    assert_eq!(adam(AdamConfig { eps: 0.0, ..d() }), "adam.eps");
    let schedule = Schedule::Exponential {
        gamma: 0.0,
        decay_steps: 10,
    };
    assert_eq!(adam(AdamConfig { schedule, ..d() }), "schedule.gamma");
    match Adam::<f64>::with_lr(-1.0) {
        Err(e @ Error::InvalidConfig { .. }) => assert!(e.to_string().contains("-1")),
        other => panic!("{other:?}"),
    }

    let sgd = |c: SgdConfig| field_of(Sgd::<f64>::new(c));
    let d = SgdConfig::default;
    assert_eq!(
        sgd(SgdConfig {
            lr: f64::INFINITY,
            ..d()
        }),
        "sgd.lr"
    );
    assert_eq!(
        sgd(SgdConfig {
            momentum: 1.0,
            ..d()
        }),
        "sgd.momentum"
    );
    assert_eq!(
        sgd(SgdConfig {
            nesterov: true,
            ..d()
        }),
        "sgd.nesterov"
    );

    let lb = |c: LbfgsConfig| field_of(Lbfgs::<f64>::new(c));
    let d = LbfgsConfig::default;
    assert_eq!(lb(LbfgsConfig { lr: 0.0, ..d() }), "lbfgs.lr");
    assert_eq!(lb(LbfgsConfig { max_iter: 0, ..d() }), "lbfgs.max_iter");
    assert_eq!(
        lb(LbfgsConfig {
            max_eval: Some(0),
            ..d()
        }),
        "lbfgs.max_eval"
    );
    assert_eq!(
        lb(LbfgsConfig {
            history_size: 0,
            ..d()
        }),
        "lbfgs.history_size"
    );
    assert_eq!(
        lb(LbfgsConfig {
            tolerance_grad: -1.0,
            ..d()
        }),
        "lbfgs.tolerance_grad"
    );
    let nan = f64::NAN;
    assert_eq!(
        lb(LbfgsConfig {
            tolerance_change: nan,
            ..d()
        }),
        "lbfgs.tolerance_change"
    );
    assert_eq!(lb(LbfgsConfig { c1: 0.0, ..d() }), "lbfgs.c1");
    assert_eq!(lb(LbfgsConfig { c2: 1e-5, ..d() }), "lbfgs.c2");
    assert_eq!(lb(LbfgsConfig { max_ls: 0, ..d() }), "lbfgs.max_ls");

    assert_eq!(field_of(Schedule::step(0.5, 0)), "schedule.step_size");
    assert_eq!(field_of(Schedule::exponential(1.5, 10)), "schedule.gamma");
    assert_eq!(field_of(Schedule::cosine(0, 0.0)), "schedule.t_max");
    assert_eq!(field_of(Schedule::linear(0)), "schedule.total");
    assert_eq!(field_of(Schedule::cosine(10, -1.0)), "schedule.min_lr");
}

#[test]
fn adam_and_sgd_checkpoints_restore_the_run_bitwise() {
    fn check(mut make: impl FnMut() -> Box<dyn Optimizer<f64>>) {
        let mut a = make();
        let mut xa = [-1.2, 1.0];
        let mut f = |x: &[f64], g: &mut [f64]| rosenbrock(x, g);
        for _ in 0..5 {
            a.step(&mut xa, &mut f).unwrap();
        }
        let (saved, mut xb) = (a.state(), xa);
        let mut b = make();
        b.set_state(&saved).unwrap();
        for _ in 0..5 {
            a.step(&mut xa, &mut f).unwrap();
            b.step(&mut xb, &mut f).unwrap();
        }
        assert_eq!(xa, xb, "{}", a.name());
        assert_eq!(a.state(), b.state());
        assert!(b.set_state(&Default::default()).is_err());
    }
    check(|| Box::new(Adam::with_lr(1e-3).unwrap()));
    let momentum = SgdConfig {
        lr: 1e-4,
        momentum: 0.9,
        ..SgdConfig::default()
    };
    check(|| Box::new(Sgd::new(momentum).unwrap()));
}

/// A crafted L-BFGS state whose counters overflow the length check is refused, not a panic.
#[test]
fn lbfgs_refuses_overflowing_state_counters() {
    use pinn::optim::{Lbfgs, LbfgsConfig, Optimizer, OptimizerState};
    let mut opt = Lbfgs::<f64>::new(LbfgsConfig::default()).unwrap();
    for (n, k) in [(1u64 << 63, 0u64), (u64::MAX, 1), (1 << 40, 1 << 40)] {
        let state = OptimizerState {
            counters: vec![0, 0, 0, n, k],
            values: vec![0.0; 3],
        };
        assert!(opt.set_state(&state).is_err(), "n = {n}, k = {k}");
    }
}
