//! Nested derivatives of a network at one point, as the mission asks: the input Hessian
//! `∂²u/∂x∂x` of a small MLP `u(x; θ)`, and the θ-gradient of the Poisson residual
//! `r = u_xx + u_yy − f(x)` built from it, both against central finite differences.

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, HyperDual, Tape, Var, gradient, hessian};
use pinn::rng::Seed;
use std::f64::consts::PI;

fn f(x: &[f64]) -> f64 {
    -2.0 * PI * PI * (PI * x[0]).sin() * (PI * x[1]).sin()
}

fn net() -> (Graph, Vec<f64>) {
    let g = Graph::mlp(&[2, 12, 12, 1], Elementary::Tanh).unwrap();
    let mut theta: Vec<f64> = g.init_params(Seed(8));
    // non-zero biases
    for (i, t) in theta.iter_mut().enumerate() {
        *t += 0.05 * ((i as f64) * 0.37).sin();
    }
    (g, theta)
}

fn residual(g: &Graph, theta: &[f64], x: &[f64]) -> f64 {
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    let (_, _, h) = hessian(|p| g.eval(&th, p).unwrap()[0], x);
    h[0][0] + h[1][1] - f(x)
}

#[test]
fn input_hessian_matches_finite_differences_of_the_gradient() {
    let (g, theta) = net();
    let x = [0.31, -0.47];
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    let (_, grad, h) = hessian(|p| g.eval(&th, p).unwrap()[0], &x);
    let grad_at = |y: &[f64]| {
        gradient(
            |p| {
                let th: Vec<_> = theta.iter().map(|&t| Var::constant(t)).collect();
                g.eval(&th, p).unwrap()[0]
            },
            y,
        )
        .1
    };
    assert_eq!(grad_at(&x).len(), 2);
    for (a, b) in grad_at(&x).iter().zip(&grad) {
        assert!((a - b).abs() < 1e-14, "tape gradient {a} vs hyper-dual {b}");
    }
    let eps = 1e-5;
    for l in 0..2 {
        let (mut xp, mut xm) = (x, x);
        xp[l] += eps;
        xm[l] -= eps;
        let (gp, gm) = (grad_at(&xp), grad_at(&xm));
        for k in 0..2 {
            let fd = (gp[k] - gm[k]) / (2.0 * eps);
            assert!(
                (fd - h[k][l]).abs() < 1e-8,
                "H[{k}][{l}] = {} vs fd {fd}",
                h[k][l]
            );
        }
    }
    assert_eq!(h[0][1], h[1][0]);
}

#[test]
fn residual_theta_gradient_matches_finite_differences() {
    let (g, theta) = net();
    let x = [0.31, -0.47];
    // ∂r/∂θ through a tape of hyper-duals: one recording per diagonal direction.
    let mut grad = vec![0.0; theta.len()];
    for k in 0..2 {
        let tape = Tape::new();
        let th: Vec<_> = theta
            .iter()
            .map(|&t| tape.var(HyperDual::constant(t)))
            .collect();
        let xs: Vec<_> = (0..2)
            .map(|i| Var::constant(HyperDual::seeded(x[i], i, k, k)))
            .collect();
        let adj = tape.gradient(g.eval(&th, &xs).unwrap()[0]);
        for (gr, &t) in grad.iter_mut().zip(&th) {
            *gr += adj.wrt(t).e12;
        }
    }
    let eps = 1e-6;
    let mut worst: f64 = 0.0;
    for j in 0..theta.len() {
        let (mut tp, mut tm) = (theta.clone(), theta.clone());
        tp[j] += eps;
        tm[j] -= eps;
        let fd = (residual(&g, &tp, &x) - residual(&g, &tm, &x)) / (2.0 * eps);
        worst = worst.max((fd - grad[j]).abs() / (1.0 + fd.abs()));
    }
    assert!(worst < 1e-7, "worst relative error {worst:.2e}");
    // The gradient is not trivially zero.
    assert!(grad.iter().map(|v| v.abs()).fold(0.0, f64::max) > 1e-2);
}
