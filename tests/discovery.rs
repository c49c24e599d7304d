//! Equation discovery (`pinn::pde::discovery`): STRidge on synthetic libraries with known
//! sparse coefficients (exact on clean data, close on noisy data, the tolerance search picking
//! the true support where a fixed small threshold does not), and Burgers' equation recovered
//! from the derivatives of its Cole–Hopf solution (hyper-dual numbers through the quadrature).

use nalgebra::DMatrix;
use pinn::ad::HyperDual;
use pinn::ad::jet::Component;
use pinn::pde::discovery::{Library, StRidge, ToleranceSearch};
use pinn::pde::problems::Burgers;
use pinn::rng::{Seed, standard_normal, uniform};

/// A random `n × d` library (columns of different scales) and `y = Θ ξ*` for a 3-sparse `ξ*`.
fn synthetic(n: usize, d: usize, seed: u64) -> (DMatrix<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = Seed(seed).rng();
    let theta = DMatrix::from_fn(n, d, |_, j| (1.0 + j as f64) * standard_normal(&mut rng));
    let mut xi = vec![0.0; d];
    (xi[1], xi[4], xi[9]) = (1.5, -0.25, 0.04);
    let y: Vec<f64> = (0..n)
        .map(|i| (0..d).map(|j| theta[(i, j)] * xi[j]).sum())
        .collect();
    (theta, y, xi)
}

#[test]
fn stridge_recovers_a_sparse_vector_exactly_from_clean_data() {
    let (theta, y, xi) = synthetic(500, 12, 1);
    let cfg = StRidge {
        tolerance: 0.01,
        ..StRidge::default()
    };
    let got = cfg.fit(&theta, &y).unwrap();
    for (j, (a, b)) in got.iter().zip(&xi).enumerate() {
        if *b == 0.0 {
            assert_eq!(*a, 0.0, "term {j} should be out: {a}");
        } else {
            assert!((a - b).abs() < 1e-12 * b.abs(), "term {j}: {a} vs {b}");
        }
    }
    // A threshold above a true (scaled) coefficient drops it: the threshold is live.
    let harsh = StRidge {
        tolerance: 1e3,
        ..StRidge::default()
    };
    assert!(harsh.fit(&theta, &y).unwrap().iter().all(|v| *v == 0.0));
}

#[test]
fn with_noise_the_tolerance_search_finds_the_support_a_small_threshold_misses() {
    let (theta, mut y, xi) = synthetic(2000, 12, 2);
    let mut rng = Seed(3).rng();
    let scale = (y.iter().map(|v| v * v).sum::<f64>() / y.len() as f64).sqrt();
    for v in &mut y {
        *v += 0.01 * scale * standard_normal(&mut rng);
    }
    let support = |w: &[f64]| -> Vec<usize> { (0..w.len()).filter(|&j| w[j] != 0.0).collect() };
    // No threshold: least squares keeps every term.
    let loose = StRidge {
        tolerance: 0.0,
        ..StRidge::default()
    };
    assert_eq!(support(&loose.fit(&theta, &y).unwrap()).len(), 12);
    let (w, tol) = StRidge::default()
        .train(
            &theta,
            &y,
            &ToleranceSearch {
                seed: Seed(4),
                ..ToleranceSearch::default()
            },
        )
        .unwrap();
    assert_eq!(support(&w), vec![1, 4, 9], "tolerance {tol}: {w:?}");
    for j in [1, 4, 9] {
        assert!(
            (w[j] - xi[j]).abs() < 0.05 * xi[j].abs(),
            "term {j}: {} vs {}",
            w[j],
            xi[j]
        );
    }
}

/// `(u, u_x, u_xx, u_t)` of Burgers' Cole–Hopf solution at `(x, t)`, by hyper-duals.
fn burgers_derivatives(b: &Burgers, x: f64, t: f64) -> [f64; 4] {
    let hx = b.cole_hopf(HyperDual::new(x, 1.0, 1.0, 0.0), HyperDual::constant(t));
    let ht = b.cole_hopf(HyperDual::constant(x), HyperDual::new(t, 1.0, 0.0, 0.0));
    [hx.re, hx.e1, hx.e12, ht.e1]
}

#[test]
fn burgers_is_rediscovered_from_its_cole_hopf_solution() {
    let b = Burgers::default();
    let lib = Library::polynomial(
        &[Component::First(0), Component::Second(0, 0)],
        &["u_x", "u_xx"],
        2,
    )
    .unwrap();
    assert_eq!(lib.terms().len(), 9);
    let mut rng = Seed(5).rng();
    let (mut values, mut ut) = (Vec::new(), Vec::new());
    for _ in 0..1000 {
        let (x, t) = (
            -1.0 + 2.0 * uniform(&mut rng),
            0.05 + 0.9 * uniform(&mut rng),
        );
        let [u, ux, uxx, u_t] = burgers_derivatives(&b, x, t);
        values.extend([u, ux, uxx]);
        ut.push(u_t);
    }
    let theta = lib.evaluate(&values).unwrap();
    let (xi, tol) = StRidge::default()
        .train(
            &theta,
            &ut,
            &ToleranceSearch {
                step: 1e-3,
                seed: Seed(6),
                ..ToleranceSearch::default()
            },
        )
        .unwrap();
    let names: Vec<&str> = lib.terms().iter().map(|t| t.name.as_str()).collect();
    let at = |n: &str| names.iter().position(|&m| m == n).unwrap();
    let nonzero: Vec<&str> = (0..9).filter(|&j| xi[j] != 0.0).map(|j| names[j]).collect();
    assert_eq!(
        nonzero,
        ["u·u_x", "u_xx"],
        "{} (tolerance {tol})",
        lib.describe(&xi, 0.0)
    );
    let nu = 0.01 / core::f64::consts::PI;
    let (e_adv, e_visc) = (
        (xi[at("u·u_x")] + 1.0).abs(),
        (xi[at("u_xx")] - nu).abs() / nu,
    );
    eprintln!(
        "Burgers from Cole–Hopf: {}; errors {e_adv:.1e} (advection), {e_visc:.1e} (ν, relative)",
        lib.describe(&xi, 0.0)
    );
    // Measured: 1.3e-15 and 5.4e-16.
    assert!(e_adv < 1e-12 && e_visc < 1e-12, "{e_adv:e} {e_visc:e}");
}

#[test]
fn bad_inputs_are_named() {
    let lib = Library::polynomial(&[Component::First(0)], &["u_x"], 1).unwrap();
    assert!(lib.evaluate(&[1.0, 2.0, 3.0]).is_err());
    assert!(lib.evaluate(&[1.0, f64::NAN]).is_err());
    assert!(Library::polynomial(&[Component::Value], &["u"], 1).is_err());
    let theta = DMatrix::from_element(3, 2, 1.0);
    let e = StRidge::default().fit(&theta, &[1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("STRidge target"), "{e}");
    let neg = StRidge {
        lambda: -1.0,
        ..StRidge::default()
    };
    assert!(neg.fit(&theta, &[1.0, 2.0, 3.0]).is_err());
    assert!(
        StRidge::default()
            .train(
                &theta,
                &[1.0, 2.0, 3.0],
                &ToleranceSearch {
                    train: 1.0,
                    ..ToleranceSearch::default()
                }
            )
            .is_err()
    );
}
