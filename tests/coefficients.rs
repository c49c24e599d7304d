//! Named, parametrised PDE coefficients (inverse problems): the gradient with respect to the
//! optimised `ρ` against finite differences for each parametrisation; a coefficient recovered
//! from exact data to near machine precision in f64 (a model that can represent the solution
//! exactly, so the only error is the optimiser's); values and names reported by the trainer
//! and its history; bad starting values named.

use pinn::ad::Scalar;
use pinn::ad::jet::{Component, Graph, GraphBuilder};
use pinn::optim::{Lbfgs, LbfgsConfig};
use pinn::pde::{Coefficient, Condition, Fields, Parametrisation, Pde, Residuals};
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind, Trainer};

/// `c · u_xx = 2 c*` on [0, 1]: with `u = x²` (the data) it holds exactly for `c = c*`.
#[derive(Clone)]
struct Scaled {
    truth: f64,
    spec: Coefficient,
}

impl Pde for Scaled {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = c[0] * u.d2(0, 0, 0) - S::from_f64(2.0 * self.truth);
    }
    fn coefficient_specs(&self) -> Vec<Coefficient> {
        vec![self.spec.clone()]
    }
}

/// `u = w · (x, x²) + b`: the family that holds `x²` exactly.
fn quadratic() -> Graph {
    let mut b = GraphBuilder::new(1);
    let x = b.input();
    let sq = b.mul(x, x);
    let feats = b.concat(x, sq);
    let out = b.dense(feats, 1);
    b.build(out).unwrap()
}

fn points() -> Vec<f64> {
    (0..20).map(|i| (i as f64 + 0.5) / 20.0).collect()
}

fn terms() -> Vec<Term> {
    let x = points();
    let data: Vec<f64> = x.iter().map(|v| v * v).collect();
    vec![
        Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points: x.clone(),
            normals: Vec::new(),
            partners: Vec::new(),
        },
        Term {
            name: "data".into(),
            kind: TermKind::Condition(Condition::data(0, &data)),
            weight: 1.0,
            points: x,
            normals: Vec::new(),
            partners: Vec::new(),
        },
    ]
}

fn specs() -> [Coefficient; 3] {
    [
        Coefficient::new("k", 0.7).unwrap(),
        Coefficient::new("nu", 0.7).unwrap().positive(),
        Coefficient::new("alpha", 0.7)
            .unwrap()
            .bounded(0.1, 5.0)
            .unwrap(),
    ]
}

#[test]
fn the_gradient_in_rho_matches_finite_differences_for_every_parametrisation() {
    for spec in specs() {
        let pde = Scaled {
            truth: 1.9,
            spec: spec.clone(),
        };
        let mut asm = Assembly::new(quadratic(), pde, terms(), 7, 1).unwrap();
        let mut params: Vec<f64> = quadratic().init_params(Seed(3));
        params.push(spec.raw_initial());
        let mut grad = vec![0.0; asm.n_params()];
        asm.eval(&params, &mut grad, 0).unwrap();
        let mut loss = |p: &[f64]| {
            let mut g = vec![0.0; p.len()];
            asm.eval(p, &mut g, 0).unwrap().total
        };
        let h = 1e-6;
        for i in 0..params.len() {
            let (mut a, mut b) = (params.clone(), params.clone());
            a[i] += h;
            b[i] -= h;
            let fd = (loss(&a) - loss(&b)) / (2.0 * h);
            assert!(
                (fd - grad[i]).abs() <= 1e-7 * fd.abs().max(1.0),
                "{:?}, entry {i}: {} vs {fd}",
                spec.parametrisation,
                grad[i]
            );
        }
    }
}

#[test]
fn a_coefficient_is_recovered_from_exact_data_to_near_machine_precision() {
    let truth = 1.9;
    for spec in specs() {
        let pde = Scaled {
            truth,
            spec: spec.clone(),
        };
        let lbfgs = Lbfgs::new(LbfgsConfig {
            max_iter: 50,
            tolerance_grad: 0.0,
            tolerance_change: 0.0,
            ..LbfgsConfig::default()
        })
        .unwrap();
        let mut b = Trainer::<_, f64, _>::builder(quadratic(), pde).seed(Seed(1));
        for t in terms() {
            b.add_term(t);
        }
        let mut trainer = b.phase("lbfgs", 20, lbfgs).threads(1).build().unwrap();
        assert_eq!(
            trainer.coefficient_names(),
            std::slice::from_ref(&spec.name)
        );
        assert_eq!(trainer.coefficients(), [0.7]);
        let report = trainer.run().unwrap();
        let c = trainer.coefficients()[0];
        // Measured: 3.8e-15 unparametrised.
        assert!(
            (c - truth).abs() < 1e-12,
            "{:?}: recovered {c} (error {:e})",
            spec.parametrisation,
            (c - truth).abs()
        );
        // The history carries the values after each step.
        let last = report.history.last().unwrap();
        assert_eq!(last.coefficients, [c]);
        if spec.parametrisation != Parametrisation::Identity {
            // The optimiser's number is ρ, not c.
            assert_ne!(*trainer.params().last().unwrap(), c);
        }
    }
}

#[test]
fn starting_values_a_parametrisation_cannot_reach_are_refused() {
    let e = Coefficient::new("alpha", 7.0)
        .unwrap()
        .bounded(0.0, 1.0)
        .unwrap_err();
    assert!(e.to_string().contains("alpha"), "{e}");
    let pde = Scaled {
        truth: 1.0,
        spec: Coefficient::new("nu", -0.1).unwrap().positive(),
    };
    let e = Assembly::<_, f64>::new(quadratic(), pde, terms(), 7, 1)
        .err()
        .unwrap();
    assert!(e.to_string().contains("`nu` starts at -0.1"), "{e}");
    assert!(Coefficient::new("", 1.0).is_err());
    assert!(Coefficient::new("k", f64::INFINITY).is_err());
}
