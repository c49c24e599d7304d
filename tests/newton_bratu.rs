//! The Newton–Bratu example as a test: it includes `examples/newton_bratu.rs` as a module and
//! checks the properties the example prints, namely quadratic convergence of Newton with the AD
//! Jacobian, and second-order accuracy against the exact solution.

#[allow(dead_code)] // the example's `main`
#[path = "../examples/newton_bratu.rs"]
mod bratu;

const LAMBDA: f64 = 1.0;

#[test]
fn newton_with_the_ad_jacobian_converges_quadratically() {
    for n in [99, 199] {
        let (u, norms) = bratu::solve(n, LAMBDA);
        assert_eq!(u.len(), n);
        // From u = 0 the residual is λ everywhere.
        assert_eq!(norms[0], LAMBDA);
        let last = norms[norms.len() - 1];
        assert!(last < 1e-10, "N = {n}: final residual {last:e}");
        assert!(norms.len() - 1 <= 5, "N = {n}: {} steps", norms.len() - 1);

        // Above the round-off floor of F (~ε/h²), every step squares the residual:
        // ‖F_{k+1}‖ ≤ C ‖F_k‖² with C ≈ 0.01 observed.
        let mut quadratic_steps = 0;
        for k in 0..norms.len() - 1 {
            assert!(norms[k + 1] < norms[k], "N = {n}: {norms:?}");
            if norms[k + 1] > 1e-9 {
                let ratio = norms[k + 1] / (norms[k] * norms[k]);
                assert!(ratio <= 0.05, "N = {n}, k = {k}: ratio {ratio:e}");
                quadratic_steps += 1;
            }
        }
        assert!(quadratic_steps >= 2, "N = {n}: {norms:?}");
    }
}

#[test]
fn error_against_the_exact_solution_is_second_order() {
    let errors: Vec<(f64, f64)> = [25_usize, 50, 100, 200]
        .iter()
        .map(|&m| {
            let (u, _) = bratu::solve(m - 1, LAMBDA);
            (1.0 / m as f64, bratu::max_error(&u, LAMBDA))
        })
        .collect();
    for &(h, err) in &errors {
        // err ≈ 0.0142 h² on every grid: bounded above and below by a multiple of h².
        assert!(err <= 0.02 * h * h, "h = {h}: err {err:e}");
        assert!(err >= 0.01 * h * h, "h = {h}: err {err:e}");
    }
    // N = 99 (h = 0.01).
    assert!(errors[2].1 <= 1e-4);
    // Halving h divides the error by 4.
    for w in errors.windows(2) {
        let ratio = w[0].1 / w[1].1;
        assert!((3.5..=4.5).contains(&ratio), "ratio {ratio}");
    }
}

#[test]
fn theta_solves_its_equation() {
    let (theta, steps) = bratu::theta(LAMBDA);
    assert!((theta - 1.517_164_599_050_754_3).abs() < 1e-15, "{theta}");
    assert!(bratu::theta_equation(theta, LAMBDA).abs() < 1e-15);
    assert!(steps <= 10);
    // The exact solution meets the boundary conditions and peaks at x = ½.
    assert!(bratu::exact(0.0, theta).abs() < 1e-15);
    assert!(bratu::exact(1.0, theta).abs() < 1e-15);
    assert!(bratu::exact(0.5, theta) > bratu::exact(0.4, theta));
}

#[test]
fn thomas_matches_nalgebra_lu() {
    let n = 7;
    let a: Vec<f64> = (0..n).map(|i| 0.3 + 0.1 * i as f64).collect();
    let b: Vec<f64> = (0..n).map(|i| -2.5 - 0.05 * i as f64).collect();
    let c: Vec<f64> = (0..n).map(|i| 0.9 - 0.07 * i as f64).collect();
    let d: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let x = bratu::thomas(&a, &b, &c, &d);

    let m = nalgebra::DMatrix::from_fn(n, n, |i, j| match j as isize - i as isize {
        -1 => a[i],
        0 => b[i],
        1 => c[i],
        _ => 0.0,
    });
    let reference = m
        .lu()
        .solve(&nalgebra::DVector::from_vec(d))
        .expect("nonsingular");
    for i in 0..n {
        assert!((x[i] - reference[i]).abs() < 1e-14);
    }
}
