//! gPINN ([`GradientEnhanced`]): the extra equations are `√w_g·∂r/∂x_i`, the total derivative
//! of the residual (network values and source term), checked against a fourth-order central
//! difference of the residual along `x_i` on functions known in closed form (value, first,
//! second derivatives and the Laplacian raised); through the engine, the loss equals
//! `mean r² + w_g Σ mean (∂r/∂x_i)²` computed point by point with nested duals, and its
//! θ-gradient matches central differences.

mod common;

use std::cell::Cell;

use common::solution::{Solution, field_values};
use pinn::ad::jet::Component;
use pinn::ad::{Dual, Elementary, Scalar};
use pinn::nets::NetBuilder;
use pinn::pde::hard::HardConstraint;
use pinn::pde::problems::{Burgers, KuramotoSivashinsky, Poisson1DModes, Poisson2D};
use pinn::pde::{Fields, GradientEnhanced, Pde, Residuals};
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind};

/// A smooth function that solves none of the PDEs: `sin(1.3x₀ + 0.7x₁) + 0.2x₀³ − x₁²x₀`
/// (only `x₀` in one dimension).
struct V;
impl Solution for V {
    fn at<S: Scalar>(&self, x: &[S]) -> Vec<S> {
        let x1 = x.get(1).copied().unwrap_or(S::zero());
        let arg = S::from_f64(1.3) * x[0] + S::from_f64(0.7) * x1;
        vec![arg.sin() + S::from_f64(0.2) * x[0] * x[0] * x[0] - x1 * x1 * x[0]]
    }
}

/// The residuals of `p` at `x` for the function `V`, in `f64`.
fn residual_of_v<P: Pde>(p: &P, x: &[f64]) -> Vec<f64> {
    let comps = p.components();
    let vals = field_values(&V, p.outputs(), x, &comps);
    let missing = Cell::new(None);
    let fields = Fields::new(&comps, p.outputs(), &vals, &missing);
    let mut r = vec![0.0; p.equations()];
    let mut rr = Residuals::new(&mut r);
    p.residual(x, &fields, &p.coefficients(), &mut rr);
    assert_eq!(
        missing.get(),
        None,
        "{} read an undeclared component",
        p.name()
    );
    assert_eq!(
        (rr.unwritten(), rr.out_of_range()),
        (None, None),
        "{}",
        p.name()
    );
    r
}

fn check<P: Pde + Clone>(p: P, axes: &[usize], points: &[&[f64]]) {
    let w = 0.04;
    let g = GradientEnhanced::new(p.clone(), w, axes).unwrap();
    let neq = p.equations();
    assert_eq!(g.equations(), neq * (1 + axes.len()));
    let mut worst: f64 = 0.0;
    for &x in points {
        let rg = residual_of_v(&g, x);
        assert_eq!(
            rg[..neq],
            residual_of_v(&p, x)[..],
            "the first equations are r"
        );
        for (a, &i) in axes.iter().enumerate() {
            let at = |h: f64| {
                let mut y = x.to_vec();
                y[i] += h;
                residual_of_v(&p, &y)
            };
            let h = 1e-3;
            let (p1, m1, p2, m2) = (at(h), at(-h), at(2.0 * h), at(-2.0 * h));
            for eq in 0..neq {
                let fd = (8.0 * (p1[eq] - m1[eq]) - (p2[eq] - m2[eq])) / (12.0 * h);
                let got = rg[neq * (1 + a) + eq] / w.sqrt();
                let err = (got - fd).abs() / fd.abs().max(1.0);
                worst = worst.max(err);
                assert!(
                    err < 1e-8,
                    "{}: ∂r{eq}/∂x{i} = {got} against {fd} at {x:?}",
                    p.name()
                );
            }
        }
    }
    eprintln!("{}: worst relative difference {worst:.1e}", g.name());
}

#[test]
fn the_extra_equations_are_the_residual_derivatives_source_included() {
    // u_xx raised to u_xxx, and the five-mode source differentiated.
    check(Poisson1DModes, &[0], &[&[0.3], &[1.7], &[2.9]]);
    // Value, first and second derivatives raised along x and t.
    check(Burgers::default(), &[0, 1], &[&[0.2, 0.4], &[-0.6, 0.9]]);
    check(Burgers::default(), &[1], &[&[0.5, 0.1]]);
    // The Laplacian raised to Σ_k ∂³u/∂x_k²∂x_i, and a source in two dimensions.
    check(Poisson2D::new(), &[0, 1], &[&[0.3, 0.8], &[0.55, 0.1]]);
}

#[test]
fn bad_settings_are_typed_errors() {
    let e = |r: pinn::Result<GradientEnhanced<Burgers>>| match r {
        Err(pinn::Error::InvalidConfig { field, .. }) => field,
        other => panic!(
            "expected a typed error, found {:?}",
            other.map(|g| g.name())
        ),
    };
    assert_eq!(
        e(GradientEnhanced::new(Burgers::default(), -1.0, &[0])),
        "gpinn.weight"
    );
    assert_eq!(
        e(GradientEnhanced::new(Burgers::default(), f64::NAN, &[0])),
        "gpinn.weight"
    );
    assert_eq!(
        e(GradientEnhanced::new(Burgers::default(), 0.1, &[])),
        "gpinn.axes"
    );
    assert_eq!(
        e(GradientEnhanced::new(Burgers::default(), 0.1, &[2])),
        "gpinn.axes"
    );
    assert_eq!(
        e(GradientEnhanced::new(Burgers::default(), 0.1, &[1, 1])),
        "gpinn.axes"
    );
    // Kuramoto–Sivashinsky reads u_xxxx: its derivative is beyond the jets.
    match GradientEnhanced::new(KuramotoSivashinsky::default(), 0.1, &[0]) {
        Err(pinn::Error::InvalidConfig { field, reason }) => {
            assert_eq!(field, "gpinn.pde");
            assert!(reason.contains("order 5"), "{reason}");
        }
        _ => panic!("accepted a fourth-order PDE"),
    }
    let g = GradientEnhanced::new(Burgers::default(), 0.1, &[1, 0]).unwrap();
    let c = g.components();
    for want in [
        Component::Third(0, 0, 1),
        Component::Second(0, 1),
        Component::First(1),
    ] {
        assert!(c.contains(&want), "{want:?} missing from {c:?}");
    }
}

/// Derivatives of the network output along x up to order 3, by nested duals through the graph.
fn net_derivatives(graph: &pinn::ad::jet::Graph, theta: &[f64], x: f64) -> [f64; 4] {
    type D3 = Dual<Dual<Dual<f64>>>;
    let xd: D3 = Dual::new(
        Dual::new(Dual::new(x, 1.0), Dual::constant(1.0)),
        Dual::new(Dual::constant(1.0), Dual::constant(0.0)),
    );
    let th: Vec<D3> = theta.iter().map(|&t| D3::from_f64(t)).collect();
    let u = graph.eval(&th, &[xd]).unwrap()[0];
    [u.re.re.re, u.re.re.eps, u.re.eps.eps, u.eps.eps.eps]
}

#[test]
fn through_the_engine_the_loss_and_its_gradient_are_gpinn_s() {
    let p = Poisson1DModes;
    let w = 0.01;
    let net = NetBuilder::new(1)
        .mlp(&[10, 10], Elementary::Tanh)
        .transform(move |b, x, n| p.ansatz(b, x, n))
        .build(1)
        .unwrap();
    let theta: Vec<f64> = net.init_params(Seed(3));
    let xs: Vec<f64> = (0..15).map(|i| 0.1 + 0.2 * i as f64).collect();
    let term = |pts: Vec<f64>| {
        vec![Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points: pts,
            normals: Vec::new(),
            partners: Vec::new(),
        }]
    };
    let g = GradientEnhanced::new(p, w, &[0]).unwrap();
    let mut asm = Assembly::new(net.clone(), g, term(xs.clone()), 4, 1).unwrap();
    let mut grad = vec![0.0; asm.n_params()];
    let loss = asm.eval(&theta, &mut grad, 0).unwrap().total;

    // Point by point: r = −u″ − f, ∂r/∂x = −u‴ − f′.
    let mut want = 0.0;
    for &x in &xs {
        let d = net_derivatives(&net, &theta, x);
        let f = (1..=4)
            .map(|i| i as f64 * (i as f64 * x).sin())
            .sum::<f64>()
            + 8.0 * (8.0 * x).sin();
        let df = (1..=4)
            .map(|i| (i * i) as f64 * (i as f64 * x).cos())
            .sum::<f64>()
            + 64.0 * (8.0 * x).cos();
        let (r, dr) = (-d[2] - f, -d[3] - df);
        want += r * r + w * dr * dr;
    }
    want /= xs.len() as f64;
    let rel = (loss - want).abs() / want;
    eprintln!("loss {loss} against {want} point by point (relative {rel:.1e})");
    assert!(rel < 1e-12);

    // The θ-gradient against central differences.
    let h = 1e-6;
    let mut worst: f64 = 0.0;
    for k in (0..theta.len()).step_by(7) {
        let mut tp = theta.clone();
        tp[k] += h;
        let mut tm = theta.clone();
        tm[k] -= h;
        let mut scratch = vec![0.0; grad.len()];
        let lp = asm.eval(&tp, &mut scratch, 0).unwrap().total;
        let lm = asm.eval(&tm, &mut scratch, 0).unwrap().total;
        let fd = (lp - lm) / (2.0 * h);
        let err = (grad[k] - fd).abs() / fd.abs().max(1.0);
        worst = worst.max(err);
        assert!(err < 1e-6, "∂L/∂θ[{k}] = {} against {fd}", grad[k]);
    }
    eprintln!("θ-gradient against central differences: worst relative {worst:.1e}");
}

/// A wrapped residual that leaves an equation unwritten, or writes past its end, is reported
/// through the wrapper (the trainer turns both into `Error::Residual`).
#[test]
fn the_wrapped_residual_s_mistakes_surface() {
    struct Sloppy(usize);
    impl Pde for Sloppy {
        fn dim(&self) -> usize {
            1
        }
        fn equations(&self) -> usize {
            2
        }
        fn components(&self) -> Vec<Component> {
            vec![Component::Second(0, 0)]
        }
        fn residual<S: Scalar>(
            &self,
            _x: &[S],
            u: &Fields<'_, S>,
            _c: &[S],
            r: &mut Residuals<'_, S>,
        ) {
            r[self.0] = u.d2(0, 0, 0);
        }
    }
    let run = |write: usize| {
        let g = GradientEnhanced::new(Sloppy(write), 1.0, &[0]).unwrap();
        let comps = g.components();
        let vals = [1.0, 2.0];
        let missing = Cell::new(None);
        let fields = Fields::new(&comps, 1, &vals, &missing);
        let mut r = vec![0.0; g.equations()];
        let mut rr = Residuals::new(&mut r);
        g.residual(&[0.5], &fields, &[], &mut rr);
        (rr.unwritten(), rr.out_of_range())
    };
    // Only equation 0 written: equation 1 (and its derivative, equation 3) unwritten.
    assert_eq!(run(0).0, Some(1));
    // Index 2 of 2 equations: past the end of the wrapper's 4 as well.
    assert_eq!(run(2).1, Some(4));
}
