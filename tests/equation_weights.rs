//! Systems of equations: per-equation weights `ω_e` in the loss, its gradient and the
//! tangent-kernel traces, and the per-equation report (`Trainer::equation_losses`), on the
//! oscillator system `u′ = v`, `v′ = −u` with the manufactured solution `(sin x, cos x)`.

use pinn::ad::jet::{Component, Graph};
use pinn::ad::{Elementary, Scalar};
use pinn::nets::predict_components;
use pinn::optim::{Adam, AdamConfig};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind, Trainer};

/// `r₀ = u′ − v`, `r₁ = v′ + u`, outputs `(u, v)` of `x`; solved by `(sin x, cos x)`.
struct Oscillator;

impl Pde for Oscillator {
    fn dim(&self) -> usize {
        1
    }
    fn outputs(&self) -> usize {
        2
    }
    fn equations(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::First(0)]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.d(0, 0) - u.u(1);
        r[1] = u.d(1, 0) + u.u(0);
    }
}

const N: usize = 37;

fn points() -> Vec<f64> {
    (0..N)
        .map(|i| -2.0 + 4.0 * i as f64 / (N - 1) as f64)
        .collect()
}

fn net() -> Graph {
    Graph::mlp(&[1, 10, 10, 2], Elementary::Tanh).unwrap()
}

/// `(r₀², r₁²)` at every point, from the network's value and slope by the jets.
fn squared_residuals(theta: &[f64]) -> Vec<[f64; 2]> {
    let v = predict_components(
        &net(),
        theta,
        &points(),
        &[Component::Value, Component::First(0)],
    )
    .unwrap();
    (0..N)
        .map(|p| {
            let (u, w) = (v[0][2 * p], v[0][2 * p + 1]);
            let (du, dw) = (v[1][2 * p], v[1][2 * p + 1]);
            [(du - w).powi(2), (dw + u).powi(2)]
        })
        .collect()
}

fn assembly(weights: &[f64], term_weight: f64) -> Assembly<Oscillator, f64> {
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: term_weight,
        points: points(),
        normals: vec![],
        partners: vec![],
    };
    let mut a = Assembly::new(net(), Oscillator, vec![term], 8, 2).unwrap();
    a.set_equation_weights(a.term_ids()[0], weights).unwrap();
    a
}

/// The loss is `w·(1/N) Σ_p Σ_e ω_e r_e²` (by hand from the jets, 1e-13); its gradient is
/// linear in the weights (the weighted gradient equals the weighted sum of each equation's
/// alone, 1e-12) and matches central finite differences (1e-7).
#[test]
fn loss_and_gradient_are_weighted_per_equation() {
    let theta: Vec<f64> = net().init_params(Seed(11));
    let (w0, w1, wt) = (2.5, 0.3, 1.7);
    let r2 = squared_residuals(&theta);
    let hand = wt * r2.iter().map(|r| w0 * r[0] + w1 * r[1]).sum::<f64>() / N as f64;
    let mut a = assembly(&[w0, w1], wt);
    assert_eq!(a.equation_weights(a.term_ids()[0]).unwrap(), [w0, w1]);
    let n = a.n_params();
    let mut g = vec![0.0; n];
    let loss = a.eval(&theta, &mut g, 0).unwrap().total;
    assert!((loss - hand).abs() < 1e-13 * hand, "{loss} vs {hand}");
    let mut g0 = vec![0.0; n];
    let mut g1 = vec![0.0; n];
    assembly(&[1.0, 0.0], wt).eval(&theta, &mut g0, 0).unwrap();
    assembly(&[0.0, 1.0], wt).eval(&theta, &mut g1, 0).unwrap();
    for j in 0..n {
        let lin = w0 * g0[j] + w1 * g1[j];
        assert!((g[j] - lin).abs() < 1e-12 * (1.0 + lin.abs()), "θ{j}");
    }
    let h = 1e-6;
    let mut scratch = vec![0.0; n];
    for j in (0..n).step_by(7) {
        let (mut p, mut m) = (theta.clone(), theta.clone());
        p[j] += h;
        m[j] -= h;
        let fd = (a.eval(&p, &mut scratch, 0).unwrap().total
            - a.eval(&m, &mut scratch, 0).unwrap().total)
            / (2.0 * h);
        assert!(
            (fd - g[j]).abs() < 1e-7 * (1.0 + fd.abs()),
            "θ{j}: {fd} vs {}",
            g[j]
        );
    }
    // Scoring weighs the equations too: Σ_e ω_e r_e², and the per-equation values are r_e².
    let id = a.term_ids()[0];
    let per = a.equation_residuals_at(id, &theta, &points()).unwrap();
    let scored = a.residuals_at(id, &theta, &points()).unwrap();
    for p in 0..N {
        for e in 0..2 {
            assert!((per[2 * p + e] - r2[p][e]).abs() < 1e-13 * (1.0 + r2[p][e]));
        }
        let want = w0 * r2[p][0] + w1 * r2[p][1];
        assert!((scored[p] - want).abs() < 1e-13 * (1.0 + want));
    }
}

/// The tangent kernel's trace counts equation `e` `ω_e` times: with weights `(ω₀, ω₁)` it is
/// `ω₀·tr₀ + ω₁·tr₁` of the single-equation traces.
#[test]
fn kernel_traces_are_weighted_per_equation() {
    let theta: Vec<f64> = net().init_params(Seed(12));
    let idx: Vec<usize> = (0..N).step_by(5).collect();
    let trace = |w: &[f64]| -> f64 {
        let a = assembly(w, 1.0);
        a.tangent_kernel_diagonal(a.term_ids()[0], &theta, &idx)
            .unwrap()
            .iter()
            .sum()
    };
    let (t0, t1, t) = (trace(&[1.0, 0.0]), trace(&[0.0, 1.0]), trace(&[3.0, 0.5]));
    assert!(t0 > 0.0 && t1 > 0.0);
    assert!((t - (3.0 * t0 + 0.5 * t1)).abs() < 1e-12 * t);
}

/// The trainer reports each equation's mean squared residual, unweighted, and the weights
/// change the training (with equation 1 weighted 0 it is not trained: its residual stays
/// larger than when it is). Built with bad weights, the trainer says which.
#[test]
fn trainer_reports_each_equation_and_checks_the_weights() {
    let build = |weights: &[f64]| {
        let mut b = Trainer::<_, f64>::builder(net(), Oscillator);
        let pde = b.add_pde_points(points());
        let ic = b.add_condition("u(0)", Condition::dirichlet(0, |_| 0.0), vec![0.0]);
        b.add_condition("v(0)", Condition::dirichlet(1, |_| 1.0), vec![0.0]);
        let t = b
            .equation_weights(pde, weights)
            .phase("adam", 300, Adam::new(AdamConfig::default()).unwrap())
            .seed(Seed(3))
            .threads(1)
            .build();
        (t, pde, ic)
    };
    let (t, pde, ic) = build(&[1.0, 1.0]);
    let mut t = t.unwrap();
    let before = t.equation_losses(pde).unwrap();
    let r2 = squared_residuals(t.params());
    for e in 0..2 {
        let hand = r2.iter().map(|r| r[e]).sum::<f64>() / N as f64;
        assert!((before[e] - hand).abs() < 1e-13 * hand, "equation {e}");
    }
    t.run().unwrap();
    let both = t.equation_losses(pde).unwrap();
    let (t2, ..) = build(&[1.0, 0.0]);
    let mut t2 = t2.unwrap();
    t2.run().unwrap();
    let first_only = t2.equation_losses(pde).unwrap();
    println!("trained on both {both:?}, on the first only {first_only:?}");
    assert!(first_only[1] > 10.0 * both[1], "{first_only:?} vs {both:?}");
    // A condition is one equation.
    assert_eq!(t.equation_losses(ic).unwrap().len(), 1);
    for bad in [&[1.0][..], &[1.0, -1.0], &[f64::NAN, 1.0], &[1.0, 2.0, 3.0]] {
        let err = build(bad)
            .0
            .err()
            .expect("bad weights are refused")
            .to_string();
        assert!(
            err.contains("equation weights") || err.contains("equation_weights"),
            "{err}"
        );
    }
}
