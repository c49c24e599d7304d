//! FBPINN windows: hand values, partition of unity, derivatives through `Dual` / `HyperDual`
//! against central finite differences and closed forms, behaviour at the support ends, and
//! typed errors.

use pinn::Error;
use pinn::ad::{Dual, HyperDual, Scalar, derivative, hessian};
use pinn::nets::fbpinn::{
    CosineWindow, Decomposition, SigmoidSide, SigmoidWindow, Window, multilevel_average,
    overlap_from_width, partition_of_unity, uneven_edges, uniform_edges,
};

type R = pinn::Result<()>;

fn sigma(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn field<T: std::fmt::Debug>(r: pinn::Result<T>) -> &'static str {
    match r {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

/// Edges 0, 1, 2, 3 with overlap 0.5 at the two interior edges (sigmoid scale 0.025).
fn three_cells() -> pinn::Result<Decomposition> {
    Decomposition::from_edges(&[vec![0.0, 1.0, 2.0, 3.0]], &[vec![0.0, 0.5, 0.5, 0.0]])
}

fn raw(dec: &Decomposition, j: usize, x: &[f64]) -> f64 {
    dec.subdomains()[j].window().eval(x).unwrap()
}

#[test]
fn sigmoid_window_values_by_hand() -> R {
    let dec = three_cells()?;
    // Middle cell [1, 2]: σ((x − 1)/0.025)·σ((2 − x)/0.025).
    assert_eq!(raw(&dec, 1, &[1.5]), sigma(20.0) * sigma(20.0));
    assert_eq!(raw(&dec, 1, &[1.0]), 0.5 * sigma(40.0));
    assert_eq!(raw(&dec, 1, &[0.75]), sigma(-10.0) * sigma(50.0)); // its support end
    // First cell: no factor on the domain-boundary side.
    assert_eq!(raw(&dec, 0, &[0.2]), sigma(32.0));
    assert_eq!(raw(&dec, 0, &[-5.0]), sigma(240.0));
    // The clamp: σ(−40) ≈ 4e−18 is raised to 1e−10, with zero derivative.
    assert_eq!(raw(&dec, 1, &[0.0]), 1e-10);
    let w = match dec.subdomains()[1].window() {
        Window::Sigmoid(w) => w.clone(),
        other => panic!("{other:?}"),
    };
    // Only the unclamped factor is differentiated: 1e−10·(d/dx)σ((2 − x)/0.025) ≈ 7e−44,
    // where the unclamped left factor alone would give σ′(−40)/0.025 ≈ 1.7e−16.
    assert!(derivative(|x| w.eval(&[x]).unwrap(), 0.0).1.abs() <= 1e-40);
    // The same window built by hand.
    let by_hand = SigmoidWindow::new(vec![(
        Some(SigmoidSide {
            edge: 1.0,
            overlap: 0.5,
        }),
        Some(SigmoidSide {
            edge: 2.0,
            overlap: 0.5,
        }),
    )])?;
    assert_eq!(w, by_hand);
    // 2-D: the product of the per-dimension factors.
    let w2 = SigmoidWindow::new(vec![
        (
            None,
            Some(SigmoidSide {
                edge: 1.0,
                overlap: 0.4,
            }),
        ),
        (
            Some(SigmoidSide {
                edge: 2.0,
                overlap: 1.0,
            }),
            None,
        ),
    ])?;
    let want = sigma((1.0 - 0.9) / (0.05 * 0.4)) * sigma((2.1 - 2.0) / (0.05 * 1.0));
    assert!((w2.eval(&[0.9, 2.1])? - want).abs() <= 1e-15, "{want}");
    Ok(())
}

/// The sum of all the windows of a partition exceeds 1 by at most
/// `Σ_{j≥1} σ(a_j)σ(−a_{j−1})` (≤ `J·e^{−L_min/(0.05 o_max)}`, the overlap of the sigmoids of
/// two different edges) plus the clamps (≤ `2·1e−10` per window). Truncating the sum to the
/// windows whose support contains `x` drops at most `2σ(−10) ≈ 9.1e−5` from the neighbours
/// (beyond its support a window is below `σ(−10)`) plus the far windows (each below the same
/// bounds).
fn sums_1d(dec: &Decomposition, x: f64) -> (f64, f64) {
    let all: f64 = (0..dec.len()).map(|j| raw(dec, j, &[x])).sum();
    let cov: f64 = dec.covering(&[x]).unwrap().map(|j| raw(dec, j, &[x])).sum();
    (all, cov)
}

#[test]
fn sigmoid_windows_are_a_partition_of_unity_1d() -> R {
    let pi2 = 2.0 * std::f64::consts::PI;
    let cases = [
        // The paper's "5 uneven" at width 0.7, and "30 equal" at width 0.7.
        uneven_edges(-pi2, pi2, &[2.0, 3.0, 2.0, 4.0, 3.0])?,
        uniform_edges(-pi2, pi2, 30)?,
    ];
    for edges in cases {
        let o = overlap_from_width(&edges, 0.7)?;
        let dec =
            Decomposition::from_edges(std::slice::from_ref(&edges), std::slice::from_ref(&o))?;
        let j = dec.len() as f64;
        let l_min = edges
            .windows(2)
            .map(|p| p[1] - p[0])
            .fold(f64::INFINITY, f64::min);
        // L_min/(0.05·0.7·L_min) = 28.57: e^{−28.57} = 3.9e−13.
        let over = j * (-l_min / (0.05 * o[1])).exp() + 2.0 * j * 1e-10;
        let trunc = 2.0 * sigma(-10.0) + over;
        let (mut max_over, mut max_trunc) = (0.0f64, 0.0f64);
        for k in 0..=4001 {
            let x = -pi2 + 2.0 * pi2 * k as f64 / 4001.0;
            let (all, cov) = sums_1d(&dec, x);
            // Below 1 only by rounding (a few ulps).
            assert!(all - 1.0 >= -1e-15 && all - 1.0 <= over, "x = {x}: {all}");
            assert!((cov - 1.0).abs() <= trunc, "x = {x}: {cov}");
            max_over = max_over.max((all - 1.0).abs());
            max_trunc = max_trunc.max((cov - 1.0).abs());
        }
        println!(
            "J = {j}: |Σ_all − 1| ≤ {max_over:.2e} (bound {over:.2e}), |Σ_cover − 1| ≤ {max_trunc:.2e} (bound {trunc:.2e})"
        );
        // The truncation level is reached: just past the end of cell 0's support the window of
        // cell 0 (σ(−10)) is dropped, so 1 − Σ_cover ≥ σ(−10) − (Σ_all − 1).
        let past = edges[1] + o[1] / 2.0 + 1e-12;
        let (_, cov) = sums_1d(&dec, past);
        assert!(
            1.0 - cov >= sigma(-10.0) - over && 1.0 - cov <= trunc,
            "{}",
            1.0 - cov
        );
    }
    Ok(())
}

#[test]
fn sigmoid_windows_are_a_partition_of_unity_on_a_2d_tensor_grid() -> R {
    let ex = uneven_edges(-1.0, 1.0, &[2.0, 3.0, 2.0, 4.0, 3.0])?;
    let ey = uniform_edges(0.0, 1.0, 4)?;
    let (ox, oy) = (overlap_from_width(&ex, 0.7)?, overlap_from_width(&ey, 0.9)?);
    let dec = Decomposition::from_edges(&[ex, ey], &[ox, oy])?;
    // Per dimension as in 1-D (width 0.9: e^{−1/0.045} = 2.3e−10 per window).
    let over_1d = 5.0 * (-1.0f64 / 0.035).exp() + 4.0 * (-1.0f64 / 0.045).exp() + 2.0 * 5.0 * 1e-10;
    let over = 2.0 * over_1d + over_1d * over_1d;
    let trunc = 2.0 * (2.0 * sigma(-10.0) + over_1d);
    let n = 201;
    for i in 0..n {
        for k in 0..n {
            let x = [
                -1.0 + 2.0 * i as f64 / (n - 1) as f64,
                k as f64 / (n - 1) as f64,
            ];
            let all: f64 = (0..dec.len()).map(|j| raw(&dec, j, &x)).sum();
            let cov: f64 = dec.covering(&x)?.map(|j| raw(&dec, j, &x)).sum();
            assert!(all - 1.0 >= -2e-15 && all - 1.0 <= over, "{x:?}: {all}");
            assert!((cov - 1.0).abs() <= trunc, "{x:?}: {cov}");
        }
    }
    Ok(())
}

#[test]
fn cosine_window_values_by_hand() -> R {
    let w = CosineWindow::new(vec![0.0, 0.0], vec![1.0, 2.0])?;
    assert_eq!(w.eval(&[0.0, 0.0])?, 1.0);
    // z = (1/3, 0): ((1 + cos(π/3))/2)² = 0.5625.
    assert!((w.eval(&[1.0 / 3.0, 0.0])? - 0.5625).abs() <= 1e-15);
    // z = (1/2, 1/2): cos⁴(π/4)² = 1/16.
    assert!((w.eval(&[0.5, 1.0])? - 0.0625).abs() <= 1e-16);
    // Exactly 0 at the support end and outside.
    assert_eq!(w.eval(&[1.0, 0.0])?, 0.0);
    assert_eq!(w.eval(&[0.0, -2.0])?, 0.0);
    assert_eq!(w.eval(&[1.0 + 1e-12, 0.0])?, 0.0);
    assert_eq!(w.eval(&[0.0, 7.0])?, 0.0);
    assert_eq!(w.eval(&[f64::NAN, 0.0])?, 0.0);
    assert_eq!(Window::One.eval(&[123.0])?, 1.0);
    // From a decomposition: the window of the subdomain's own support.
    let dec =
        Decomposition::from_centres(&[0.0], &[1.0], &[vec![0.0, 0.5, 1.0]], &[vec![0.75; 3]])?;
    let s = &dec.subdomains()[1];
    assert_eq!(
        s.window(),
        &Window::Cosine(CosineWindow::new(vec![0.5], vec![0.375])?)
    );
    Ok(())
}

/// Weights of every subdomain covering `x`, normalised per level and averaged over levels.
fn weights(dec: &Decomposition, x: &[f64]) -> pinn::Result<Vec<f64>> {
    let (mut raw, mut levels) = (Vec::new(), Vec::new());
    for j in dec.covering(x)? {
        let s = &dec.subdomains()[j];
        raw.push(s.window().eval(x)?);
        levels.push(s.level());
    }
    multilevel_average(&raw, &levels, dec.n_levels())
}

#[test]
fn cosine_windows_normalised_sum_to_one() -> R {
    let one_level = Decomposition::from_centres(
        &[0.0],
        &[1.0],
        &[vec![0.0, 0.25, 0.5, 0.75, 1.0]],
        &[vec![0.25 * 1.9; 5]],
    )?;
    let mut worst = 0.0f64;
    for k in 0..=1000 {
        let x = [k as f64 / 1000.0];
        let w = weights(&one_level, &x)?;
        let raw: Vec<f64> = one_level
            .covering(&x)?
            .map(|j| raw(&one_level, j, &x))
            .collect();
        assert_eq!(partition_of_unity(&raw)?, w); // one level: the same normalisation
        worst = worst.max((w.iter().sum::<f64>() - 1.0).abs());
    }
    assert!(worst <= 1e-15, "{worst:e}");
    let ml = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 3, 1.9)?;
    let mut worst = 0.0f64;
    let n = 101;
    for i in 0..n {
        for k in 0..n {
            let x = [i as f64 / (n - 1) as f64, k as f64 / (n - 1) as f64];
            let w = weights(&ml, &x)?;
            assert!(w.iter().all(|&v| v >= 0.0));
            worst = worst.max((w.iter().sum::<f64>() - 1.0).abs());
        }
    }
    println!("multilevel 2-D: max |Σ w − 1| = {worst:e}");
    assert!(worst <= 1e-15, "{worst:e}");
    Ok(())
}

/// Central differences: first derivative with step `h = 1e-6`, second as the central
/// difference of the exact (dual-number) first derivative with the same step. Truncation
/// `h² f‴/6`, `h² f⁗/6`: the sigmoid windows below (scale 0.1) have `|f⁗| ≲ 0.13/0.1⁴ ≈ 1.3e3`,
/// the cosine window (`k = π/(2s) = 2π`) `|f⁗| ≤ 40k⁴ ≈ 6.2e4` (from
/// `cos⁴θ = (3 + 4cos 2θ + cos 4θ)/8`), so below 1.1e−8; rounding `ε|f|/h` below 5e−9 (`|f′| ≤ 20`).
/// Tolerance 1e−7 absolute on values up to ~20 (f′) and ~160 (f″).
const H: f64 = 1e-6;
const TOL: f64 = 1e-7;

fn check_derivatives_1d(
    f: &dyn Fn(&[f64]) -> f64,
    fd: &dyn Fn(Dual<f64>) -> Dual<f64>,
    fh: &dyn Fn(HyperDual<f64>) -> HyperDual<f64>,
    x: f64,
) -> (f64, f64) {
    let (v, d1) = derivative(fd, x);
    // The dual numbers' sigmoid may round differently from the plain one: a few ulps.
    assert!(
        (v - f(&[x])).abs() <= 1e-15 * (1.0 + v.abs()),
        "{v} vs {}",
        f(&[x])
    );
    let fd1 = (f(&[x + H]) - f(&[x - H])) / (2.0 * H);
    assert!((d1 - fd1).abs() <= TOL, "x = {x}: f′ {d1} vs FD {fd1}");
    let (_, g, h) = hessian(|y: &[HyperDual<f64>]| fh(y[0]), &[x]);
    assert!(
        (g[0] - d1).abs() <= 1e-14 * (1.0 + d1.abs()),
        "{} vs {d1}",
        g[0]
    );
    let fd2 = (derivative(fd, x + H).1 - derivative(fd, x - H).1) / (2.0 * H);
    assert!(
        (h[0][0] - fd2).abs() <= TOL,
        "x = {x}: f″ {} vs FD {fd2}",
        h[0][0]
    );
    (d1, h[0][0])
}

#[test]
fn sigmoid_window_derivatives() -> R {
    // Cells of length 4 with overlap 2: scale 0.1.
    let dec = Decomposition::from_edges(&[vec![0.0, 4.0, 8.0, 12.0]], &[vec![0.0, 2.0, 2.0, 0.0]])?;
    for j in 0..3 {
        let w = dec.subdomains()[j].window().clone();
        let (wa, wb, wc) = (w.clone(), w.clone(), w.clone());
        let f = move |x: &[f64]| wa.eval(x).unwrap();
        let fd = move |x: Dual<f64>| wb.eval(&[x]).unwrap();
        let fh = move |x: HyperDual<f64>| wc.eval(&[x]).unwrap();
        for k in 0..=60 {
            // Within 2 of the cell [4j, 4j + 4], where no factor is clamped (the clamp sets in
            // 2.3 beyond an edge: σ(−23.03) = 1e−10).
            let x = 4.0 * j as f64 - 2.0 + 8.0 * k as f64 / 60.0;
            let (d1, d2) = check_derivatives_1d(&f, &fd, &fh, x);
            if j == 0 {
                // One factor s = σ((4 − x)/0.1): s′ = −s(1 − s)/0.1, s″ = s(1 − s)(1 − 2s)/0.01.
                let s = sigma((4.0 - x) / 0.1);
                assert!((d1 + s * (1.0 - s) / 0.1).abs() <= 1e-12 * (1.0 + d1.abs()));
                assert!(
                    (d2 - s * (1.0 - s) * (1.0 - 2.0 * s) / 0.01).abs() <= 1e-12 * (1.0 + d2.abs())
                );
            }
        }
    }
    // 2-D: the mixed second derivative against the central difference in y of ∂w/∂x.
    let w = SigmoidWindow::new(vec![
        (
            Some(SigmoidSide {
                edge: 0.0,
                overlap: 2.0,
            }),
            Some(SigmoidSide {
                edge: 1.0,
                overlap: 2.0,
            }),
        ),
        (
            Some(SigmoidSide {
                edge: 0.0,
                overlap: 3.0,
            }),
            None,
        ),
    ])?;
    let dx = |x: f64, y: f64| derivative(|t| w.eval(&[t, Dual::constant(y)]).unwrap(), x).1;
    for &(x, y) in &[(0.1, 0.05), (0.5, -0.1), (0.9, 0.2)] {
        let (_, _, h) = hessian(|p: &[HyperDual<f64>]| w.eval(p).unwrap(), &[x, y]);
        let fd = (dx(x, y + H) - dx(x, y - H)) / (2.0 * H);
        assert!((h[0][1] - fd).abs() <= TOL, "{} vs {fd}", h[0][1]);
        assert_eq!(h[0][1], h[1][0]);
    }
    Ok(())
}

#[test]
fn cosine_window_derivatives() -> R {
    // Support [0.25, 0.75] (μ = 0.5, s = 0.25).
    let (mu, s) = (0.5, 0.25);
    let w = CosineWindow::new(vec![mu], vec![s])?;
    let f = |x: &[f64]| w.eval(x).unwrap();
    let fd = |x: Dual<f64>| w.eval(&[x]).unwrap();
    let fh = |x: HyperDual<f64>| w.eval(&[x]).unwrap();
    let a = std::f64::consts::PI / 2.0;
    for k in 1..100 {
        let x = 0.25 + 0.5 * k as f64 / 100.0;
        let (d1, d2) = check_derivatives_1d(&f, &fd, &fh, x);
        // w = cos⁴(a z): w′ = −4a cos³ sin / s, w″ = a² (12 cos² sin² − 4 cos⁴) / s².
        let z = (x - mu) / s;
        let (c, sn) = ((a * z).cos(), (a * z).sin());
        let e1 = -4.0 * a * c.powi(3) * sn / s;
        let e2 = a * a * (12.0 * c * c * sn * sn - 4.0 * c.powi(4)) / (s * s);
        assert!((d1 - e1).abs() <= 1e-12 * (1.0 + e1.abs()), "{d1} vs {e1}");
        assert!((d2 - e2).abs() <= 1e-12 * (1.0 + e2.abs()), "{d2} vs {e2}");
    }
    // At the support ends the value and the first three derivatives vanish (C³; the fourth
    // jumps) in exact arithmetic. In floating point, with h = (1 + cos πz)/2 and w = h²:
    // h = 0 exactly at z = ±1, so w′ = 2hh′ = 0 and w″ = 2h′² ≈ 2(π sin(fl π)/2)²/s² ≈ 1e−30,
    // while w‴ = 6h′h″ ≈ 6·(π/2)·1.2e−16·(π²/2)/s³ ≈ 4e−13 (against ~(π/2s)³ ≈ 250 inside).
    for end in [0.25, 0.75] {
        let (_, g, h) = hessian(|p: &[HyperDual<f64>]| w.eval(p).unwrap(), &[end]);
        assert_eq!(f(&[end]), 0.0);
        assert!(
            g[0].abs() <= 1e-25 && h[0][0].abs() <= 1e-25,
            "{} {}",
            g[0],
            h[0][0]
        );
        // Third derivative: a hyper-dual number over dual numbers.
        let x = HyperDual::new(
            Dual::variable(end),
            Dual::constant(1.0),
            Dual::constant(1.0),
            Dual::constant(0.0),
        );
        let y = w.eval(&[x])?;
        assert!(y.e12.eps.abs() <= 1e-12, "{}", y.e12.eps);
        // Outside: identically 0 with zero derivatives.
        for out in [end - 1e-3, end + 1e-3] {
            if (out - mu).abs() > s {
                let (_, g, h) = hessian(|p: &[HyperDual<f64>]| w.eval(p).unwrap(), &[out]);
                assert_eq!((f(&[out]), g[0], h[0][0]), (0.0, 0.0, 0.0));
            }
        }
    }
    // 2-D mixed derivative: the product rule, ∂²w/∂x∂y = w₁′(x)·w₂′(y).
    let w2 = CosineWindow::new(vec![0.0, 1.0], vec![1.0, 0.5])?;
    let w1x = CosineWindow::new(vec![0.0], vec![1.0])?;
    let w1y = CosineWindow::new(vec![1.0], vec![0.5])?;
    for &(x, y) in &[(0.3, 0.8), (-0.7, 1.2), (0.1, 1.45)] {
        let (_, _, h) = hessian(|p: &[HyperDual<f64>]| w2.eval(p).unwrap(), &[x, y]);
        let gx = derivative(|t| w1x.eval(&[t]).unwrap(), x).1;
        let gy = derivative(|t| w1y.eval(&[t]).unwrap(), y).1;
        assert!((h[0][1] - gx * gy).abs() <= 1e-13 * (1.0 + (gx * gy).abs()));
    }
    Ok(())
}

#[test]
fn derivatives_flow_through_the_normalisation() -> R {
    // d/dx Σ_j w_j(x) = 0 after the partition-of-unity normalisation.
    let dec = Decomposition::from_centres(&[0.0], &[1.0], &[vec![0.0, 0.5, 1.0]], &[vec![0.8; 3]])?;
    for &x in &[0.1, 0.3, 0.45, 0.7] {
        let ids: Vec<usize> = dec.covering(&[x])?.collect();
        let total = |t: HyperDual<f64>| {
            let raw: Vec<HyperDual<f64>> = ids
                .iter()
                .map(|&j| dec.subdomains()[j].window().eval(&[t]).unwrap())
                .collect();
            partition_of_unity(&raw)
                .unwrap()
                .into_iter()
                .fold(HyperDual::zero(), |a, b| a + b)
        };
        let (v, g, h) = hessian(|p: &[HyperDual<f64>]| total(p[0]), &[x]);
        assert!(
            (v - 1.0).abs() <= 1e-15 && g[0].abs() <= 1e-12 && h[0][0].abs() <= 1e-10,
            "{v} {} {}",
            g[0],
            h[0][0]
        );
    }
    Ok(())
}

#[test]
fn invalid_windows_are_typed_errors() {
    let side = |edge: f64, overlap: f64| Some(SigmoidSide { edge, overlap });
    assert_eq!(field(SigmoidWindow::new(vec![])), "sides");
    assert_eq!(
        field(SigmoidWindow::new(vec![(side(0.0, 0.0), None)])),
        "sides"
    );
    assert_eq!(
        field(SigmoidWindow::new(vec![(side(0.0, -1.0), None)])),
        "sides"
    );
    assert_eq!(
        field(SigmoidWindow::new(vec![(side(f64::NAN, 1.0), None)])),
        "sides"
    );
    assert_eq!(
        field(SigmoidWindow::new(vec![(None, side(0.0, f64::NAN))])),
        "sides"
    );
    assert_eq!(
        field(SigmoidWindow::new(vec![(side(1.0, 1.0), side(1.0, 1.0))])),
        "sides"
    );
    assert_eq!(field(CosineWindow::new(vec![], vec![])), "centre");
    assert_eq!(
        field(CosineWindow::new(vec![f64::NAN], vec![1.0])),
        "centre"
    );
    assert_eq!(field(CosineWindow::new(vec![0.0], vec![0.0])), "half_width");
    assert_eq!(
        field(CosineWindow::new(vec![0.0], vec![f64::INFINITY])),
        "half_width"
    );
    assert!(matches!(
        CosineWindow::new(vec![0.0], vec![1.0, 1.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    let w = CosineWindow::new(vec![0.0], vec![1.0]).unwrap();
    assert!(matches!(
        w.eval(&[0.0, 0.0]),
        Err(Error::DimensionMismatch { .. })
    ));
    let s = SigmoidWindow::new(vec![(None, None)]).unwrap();
    assert!(matches!(
        s.eval::<f64>(&[]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(field(partition_of_unity::<f64>(&[])), "windows");
    assert_eq!(field(partition_of_unity(&[0.0, 0.0])), "windows");
    assert_eq!(field(partition_of_unity(&[1.0, -0.5])), "windows");
    assert_eq!(field(partition_of_unity(&[1.0, f64::NAN])), "windows");
    assert_eq!(field(partition_of_unity(&[f64::MAX, f64::MAX])), "windows");
    assert!(matches!(
        multilevel_average(&[1.0], &[0, 0], 1),
        Err(Error::DimensionMismatch { .. })
    ));
    assert_eq!(field(multilevel_average(&[1.0], &[0], 0)), "levels");
    assert_eq!(field(multilevel_average(&[1.0], &[1], 1)), "levels");
    assert_eq!(field(multilevel_average(&[1.0], &[0], 2)), "levels"); // level 1 missing
    assert_eq!(
        field(multilevel_average(&[1.0, 0.0], &[0, 1], 2)),
        "windows"
    );
}
