//! Per-output components ([`Pde::output_components`]): narrowing what each output may read
//! changes no bit of the loss or its gradient, a read outside an output's list is an error
//! naming that output and its list (never a silent zero), a list that `components()` does not
//! hold is refused at build time, and gPINN raises each output's list on its own.

use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::pde::{Component, Fields, GradientEnhanced, Pde, Residuals};
use pinn::prelude::Scalar;
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind};
use pinn::{Error, Result};

use Component::{First, Laplacian, Second, Value};

/// Stokes flow with a source, outputs (u, v, p):
/// `−Δu + ∂p/∂x = f`, `−Δv + ∂p/∂y = 0`, `∂u/∂x + ∂v/∂y = 0`.
#[derive(Clone, Copy)]
struct Stokes {
    /// Narrow the outputs' lists (else every output declares everything).
    narrow: bool,
    /// Also read the pressure's Laplacian, which the narrowed lists do not declare.
    bad_read: bool,
    /// Let output 2 list a component `components()` lacks.
    bad_list: bool,
}

impl Pde for Stokes {
    fn dim(&self) -> usize {
        2
    }
    fn outputs(&self) -> usize {
        3
    }
    fn equations(&self) -> usize {
        3
    }
    fn components(&self) -> Vec<Component> {
        vec![First(0), First(1), Laplacian]
    }
    fn output_components(&self, o: usize) -> Vec<Component> {
        if !self.narrow {
            return self.components();
        }
        match o {
            0 => vec![First(0), Laplacian],
            1 => vec![First(1), Laplacian],
            _ if self.bad_list => vec![First(0), First(1), Second(0, 0)],
            _ => vec![First(0), First(1)],
        }
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        let f = (S::from_f64(2.0) * x[0]).sin() * x[1];
        r[0] = -u.lap(0) + u.d(2, 0) - f;
        r[1] = -u.lap(1) + u.d(2, 1);
        r[2] = u.d(0, 0) + u.d(1, 1);
        if self.bad_read {
            r[1] += u.lap(2);
        }
    }
}

const GOOD: Stokes = Stokes {
    narrow: true,
    bad_read: false,
    bad_list: false,
};

fn assembly<P: Pde>(pde: P) -> Result<Assembly<P, f64>> {
    let net = Graph::mlp(&[2, 12, 12, 3], Elementary::Tanh)?;
    let points: Vec<f64> = (0..40)
        .flat_map(|i| [0.05 + 0.023 * i as f64, 0.9 - 0.017 * i as f64])
        .collect();
    let term = Term {
        name: "stokes".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points,
        normals: Vec::new(),
        partners: Vec::new(),
    };
    Assembly::new(net, pde, vec![term], 16, 2)
}

fn loss_and_grad<P: Pde>(pde: P) -> (f64, Vec<f64>) {
    let mut a = assembly(pde).unwrap();
    let theta: Vec<f64> = a.model().init_params(Seed(7));
    let mut g = vec![0.0; a.n_params()];
    let loss = a.eval(&theta, &mut g, 0).unwrap().total;
    (loss, g)
}

#[test]
fn narrowing_changes_no_bit() {
    let wide = Stokes {
        narrow: false,
        ..GOOD
    };
    let (l0, g0) = loss_and_grad(wide);
    let (l1, g1) = loss_and_grad(GOOD);
    assert!(l0 > 0.0);
    assert_eq!(l0.to_bits(), l1.to_bits());
    assert!(g0.iter().zip(&g1).all(|(a, b)| a.to_bits() == b.to_bits()));
}

#[test]
fn a_read_outside_the_outputs_list_names_it() {
    let bad = Stokes {
        bad_read: true,
        ..GOOD
    };
    let mut a = assembly(bad).unwrap();
    let theta: Vec<f64> = a.model().init_params(Seed(7));
    let mut g = vec![0.0; a.n_params()];
    match a.eval(&theta, &mut g, 0) {
        Err(Error::UndeclaredDerivative { what }) => {
            assert!(what.contains("`u.lap(2)`"), "{what}");
            assert!(what.contains("Pde::output_components(2)"), "{what}");
            assert!(what.contains("[First(0), First(1)]"), "{what}");
        }
        other => panic!("expected UndeclaredDerivative, got {other:?}"),
    }
    // Without narrowing the same read is declared and evaluates.
    let wide = Stokes {
        narrow: false,
        ..bad
    };
    assert!(loss_and_grad(wide).0 > 0.0);
}

#[test]
fn a_list_beyond_components_is_refused_at_build() {
    let bad = Stokes {
        bad_list: true,
        ..GOOD
    };
    match assembly(bad) {
        Err(Error::InvalidConfig { reason, .. }) => {
            assert!(reason.contains("output_components(2)"), "{reason}");
            assert!(reason.contains("Second(0, 0)"), "{reason}");
        }
        Err(e) => panic!("expected InvalidConfig, got {e:?}"),
        Ok(_) => panic!("expected InvalidConfig, got an assembly"),
    }
    assert!(GradientEnhanced::new(bad, 0.1, &[0, 1]).is_err());
}

#[test]
fn gpinn_raises_each_outputs_list() {
    let g = GradientEnhanced::new(GOOD, 0.1, &[0]).unwrap();
    // u: ∂u/∂x, Δu and their x-derivatives ∂²u/∂x², ∂³u/∂x³ + ∂³u/∂x∂y².
    let mut u = g.output_components(0);
    u.sort_by_key(|c| format!("{c:?}"));
    let want = [
        First(0),
        Laplacian,
        Second(0, 0),
        Component::Third(0, 0, 0),
        Component::Third(0, 1, 1),
    ];
    let mut want = want.to_vec();
    want.sort_by_key(|c| format!("{c:?}"));
    assert_eq!(u, want);
    // p: ∇p and ∂/∂x of it, no third derivative.
    let mut p = g.output_components(2);
    p.sort_by_key(|c| format!("{c:?}"));
    assert_eq!(p, vec![First(0), First(1), Second(0, 0), Second(0, 1)]);
    assert!(!g.output_components(2).contains(&Value));

    // The gradient-enhanced loss is the same with and without narrowing, bit for bit, and a
    // read outside the inner lists is still refused through the wrapper.
    let wide = Stokes {
        narrow: false,
        ..GOOD
    };
    let (l0, g0) = loss_and_grad(GradientEnhanced::new(wide, 0.1, &[0, 1]).unwrap());
    let (l1, g1) = loss_and_grad(GradientEnhanced::new(GOOD, 0.1, &[0, 1]).unwrap());
    assert_eq!(l0.to_bits(), l1.to_bits());
    assert!(g0.iter().zip(&g1).all(|(a, b)| a.to_bits() == b.to_bits()));
    let bad = Stokes {
        bad_read: true,
        ..GOOD
    };
    let mut a = assembly(GradientEnhanced::new(bad, 0.1, &[0, 1]).unwrap()).unwrap();
    let theta: Vec<f64> = a.model().init_params(Seed(7));
    let mut grad = vec![0.0; a.n_params()];
    match a.eval(&theta, &mut grad, 0) {
        Err(Error::UndeclaredDerivative { what }) => assert!(what.contains("u.lap(2)"), "{what}"),
        other => panic!("expected UndeclaredDerivative, got {other:?}"),
    }
}

/// The trainer's metrics over a three-output network: the whole, and each output alone, as
/// [`Metrics::compute`] gives them on that output's column of the predictions.
#[test]
fn trainer_metrics_per_output() {
    use pinn::optim::Adam;
    use pinn::train::{Metrics, Trainer};
    let net = Graph::mlp(&[2, 8, 3], Elementary::Tanh).unwrap();
    let test: Vec<f64> = (0..30)
        .flat_map(|i| [0.03 * i as f64, 1.0 - 0.02 * i as f64])
        .collect();
    // A reference whose third field (the pressure) is a hundred times smaller.
    let reference: Vec<f64> = test
        .chunks(2)
        .flat_map(|x| [x[0].sin(), x[1].cos(), 0.01 * x[0] * x[1]])
        .collect();
    let mut b = Trainer::<_, f64>::builder(net, GOOD);
    b.add_pde_points(test.clone());
    let mut t = b
        .phase("adam", 3, Adam::with_lr(1e-3).unwrap())
        .metrics(test.clone(), reference.clone(), 1)
        .build()
        .unwrap();
    let report = t.run().unwrap();
    let m = &report.metrics.last().unwrap().1;
    let u = t.predict(&test).unwrap();
    assert_eq!(*m, Metrics::compute_outputs(&u, &reference, 3));
    assert_eq!(m.outputs.len(), 3);
    for o in 0..3 {
        let col = |v: &[f64]| v.iter().skip(o).step_by(3).copied().collect::<Vec<f64>>();
        let alone = Metrics::compute(&col(&u), &col(&reference));
        assert_eq!(m.outputs[o].rel_l2, alone.rel_l2);
        assert_eq!(m.outputs[o].max_abs, alone.max_abs);
        assert!(m.outputs[o].outputs.is_empty());
    }
    // The untrained network is wrong on every field; the whole hides how wrong on the small
    // one.
    assert!(m.outputs[2].rel_l2 > 10.0 * m.rel_l2, "{m:?}");
}
