//! A residual that breaks what its PDE declares is a typed error naming the term and, in the
//! PDE author's terms, what it did — through the training loss (`Assembly::eval`) and through
//! scoring (`Assembly::residuals_at`) alike, never a panic and never a silent zero:
//!
//! - `u.d(1, 0)` on a one-output PDE (output and axis swapped) says output 1 does not exist;
//! - an undeclared component names the accessor and what `components()` declares;
//! - `r[1]` with `equations() == 1` names the index and `equations()`;
//! - two equations declared, one written, names the one left unwritten.
//!
//! A correct two-output system in 3-D (writing `r[1] += …`, or the whole slice at once) passes.

use pinn::Error;
use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Scalar};
use pinn::pde::{Component, Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind, Trainer};

/// A PDE in `dim` inputs with `outputs` outputs and `equations` equations whose residual is
/// the closure `f`.
struct Custom<F> {
    dim: usize,
    outputs: usize,
    equations: usize,
    comps: Vec<Component>,
    f: F,
}

/// What the residual closures do: `f(u, r)`, on `f64` numbers (the scoring path) or dual
/// numbers (the training path).
trait Body: Send + Sync {
    fn run<S: Scalar>(&self, u: &Fields<'_, S>, r: &mut Residuals<'_, S>);
}

impl<F: Body> Pde for Custom<F> {
    fn dim(&self) -> usize {
        self.dim
    }
    fn outputs(&self) -> usize {
        self.outputs
    }
    fn equations(&self) -> usize {
        self.equations
    }
    fn components(&self) -> Vec<Component> {
        self.comps.clone()
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        self.f.run(u, r);
    }
}

macro_rules! body {
    ($name:ident, |$u:ident, $r:ident| $e:expr) => {
        struct $name;
        impl Body for $name {
            fn run<S: Scalar>(&self, $u: &Fields<'_, S>, $r: &mut Residuals<'_, S>) {
                $e;
            }
        }
    };
}

/// Evaluates the loss, then scores the PDE term at its own points: both results.
fn run<F: Body>(p: Custom<F>) -> (pinn::Result<f64>, pinn::Result<Vec<f64>>) {
    let (d, m) = (p.dim, p.outputs);
    let g = Graph::mlp(&[d, 6, m], Elementary::Tanh).unwrap();
    let mut rng = Seed(3).rng();
    let points: Vec<f64> = (0..d * 20).map(|_| uniform(&mut rng)).collect();
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: points.clone(),
        normals: vec![],
        partners: vec![],
    };
    let mut a = Assembly::<_, f64>::new(g.clone(), p, vec![term], 8, 1).unwrap();
    let params: Vec<f64> = g.init_params(Seed(1));
    let mut grad = vec![0.0; a.n_params()];
    let loss = a.eval(&params, &mut grad, 0).map(|r| r.total);
    let id = a.term_ids()[0];
    let scores = a.residuals_at(id, &params, &points);
    (loss, scores)
}

fn residual_error(r: pinn::Result<impl core::fmt::Debug>) -> String {
    match r {
        Err(e @ Error::Residual { .. }) => e.to_string(),
        other => panic!("expected Error::Residual, got {other:?}"),
    }
}

#[test]
fn output_and_axis_swapped_names_the_missing_output() {
    // ∂u/∂x is u.d(0, 0); u.d(1, 0) asks for output 1 of a one-output PDE.
    body!(Swapped, |u, r| r[0] = u.d(1, 0));
    let p = Custom {
        dim: 2,
        outputs: 1,
        equations: 1,
        comps: vec![Component::First(0)],
        f: Swapped,
    };
    let (loss, scores) = run(p);
    for m in [residual_error(loss), residual_error(scores)] {
        println!("{m}");
        assert!(
            m.contains("term `pde`")
                && m.contains("`u.d(1, 0)`")
                && m.contains("output 1")
                && m.contains("1 output,")
                && m.contains("output first"),
            "{m}"
        );
        // Not the old advice: First(0) *was* declared.
        assert!(
            !m.contains("Selection") && !m.contains("not declare"),
            "{m}"
        );
    }
}

#[test]
fn undeclared_component_names_the_accessor_and_the_declaration() {
    body!(Reads, |u, r| r[0] = u.u(1) + u.d2(0, 2, 2));
    let p = Custom {
        dim: 3,
        outputs: 2,
        equations: 1,
        comps: vec![Component::Value, Component::First(2)],
        f: Reads,
    };
    let (loss, scores) = run(p);
    for r in [loss.map(|_| ()), scores.map(|_| ())] {
        match r {
            Err(e @ Error::UndeclaredDerivative { .. }) => {
                let m = e.to_string();
                println!("{m}");
                assert!(
                    m.contains("term `pde`")
                        && m.contains("`u.d2(0, 2, 2)`")
                        && m.contains("Second(2, 2)")
                        && m.contains("Pde::components()")
                        && m.contains("[Value, First(2)]"),
                    "{m}"
                );
                assert!(!m.contains("Selection"), "{m}");
            }
            other => panic!("expected UndeclaredDerivative, got {other:?}"),
        }
    }
}

#[test]
fn an_equation_index_past_equations_is_an_error_not_a_panic() {
    body!(TooMany, |u, r| {
        r[0] = u.u(0);
        r[1] = u.d(0, 0);
    });
    let p = Custom {
        dim: 2,
        outputs: 1,
        equations: 1,
        comps: vec![Component::Value, Component::First(0)],
        f: TooMany,
    };
    let (loss, scores) = run(p);
    for m in [residual_error(loss), residual_error(scores)] {
        println!("{m}");
        assert!(
            m.contains("term `pde`") && m.contains("r[1]") && m.contains("equations() is 1"),
            "{m}"
        );
    }
}

#[test]
fn an_equation_left_unwritten_is_named() {
    body!(OneOfThree, |u, r| {
        r[0] = u.u(0);
        r[2] = u.u(1);
    });
    let p = Custom {
        dim: 3,
        outputs: 2,
        equations: 3,
        comps: vec![Component::Value],
        f: OneOfThree,
    };
    let (loss, scores) = run(p);
    for m in [residual_error(loss), residual_error(scores)] {
        println!("{m}");
        assert!(
            m.contains("term `pde`") && m.contains("left r[1] unwritten") && m.contains("is 3"),
            "{m}"
        );
    }
}

#[test]
fn a_correct_coupled_system_passes() {
    // Two outputs in 3-D, two equations; r[1] accumulates from zero.
    body!(Coupled, |u, r| {
        r[0] = u.lap(0) - u.u(1);
        r[1] += u.d(1, 2) * S::from_f64(0.5);
        r[1] += u.u(0) * u.u(1);
    });
    // The whole slice at once counts as written.
    body!(Whole, |u, r| r.copy_from_slice(&[u.u(0), u.u(1)]));
    let coupled = Custom {
        dim: 3,
        outputs: 2,
        equations: 2,
        comps: vec![Component::Value, Component::First(2), Component::Laplacian],
        f: Coupled,
    };
    let (loss, scores) = run(coupled);
    assert!(loss.unwrap().is_finite());
    assert!(scores.unwrap().iter().all(|s| s.is_finite()));
    let whole = Custom {
        dim: 3,
        outputs: 2,
        equations: 2,
        comps: vec![Component::Value],
        f: Whole,
    };
    let (loss, scores) = run(whole);
    assert!(loss.is_ok() && scores.is_ok());
}

/// The same errors surface from `Trainer::run`, with no panic.
#[test]
fn the_trainer_reports_them_too() {
    body!(Swapped, |u, r| r[0] = u.d(1, 0));
    let p = Custom {
        dim: 2,
        outputs: 1,
        equations: 1,
        comps: vec![Component::First(0)],
        f: Swapped,
    };
    let g = Graph::mlp(&[2, 4, 1], Elementary::Tanh).unwrap();
    let mut t = Trainer::<_, f64>::builder(g, p)
        .pde_points(vec![0.1, 0.2, 0.3, 0.4])
        .phase("adam", 2, pinn::optim::Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    let m = residual_error(t.run());
    assert!(m.contains("`u.d(1, 0)`"), "{m}");
}
