//! Optimizers against hand-computed values, closed forms, the strong Wolfe conditions, and
//! every stopping rule.

use pinn::ad::Real;
use pinn::optim::{
    Adam, AdamConfig, AdamThenLbfgs, Change, Lbfgs, LbfgsConfig, Objective, Optimizer,
    Schedule, Sgd, SgdConfig, Termination, minimize,
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
            let (l, r) = (T::from_f64(self.lambda[i]), x - T::from_f64(Self::centre(i)));
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
        assert_eq!((info.evaluations, info.iterations, info.termination), (1, 1, None));
        for i in 0..2 {
            assert!((x[i] - want[i]).abs() < 1e-12, "step {t}: {x:?} vs {want:?}");
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
            assert!((x.to_f64() - Quadratic::centre(i)).abs() < tol, "{}: {x}", T::NAME);
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
