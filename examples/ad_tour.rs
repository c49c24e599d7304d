//! A tour of `pinn::ad`, in the order of the tutorial: dual numbers, hyper-duals, the reverse
//! tape, Hessian-vector products, nested duals. Every number is printed next to what it should
//! be (a closed form, or for the Hessian-vector product the product with the hyper-dual
//! Hessian) and the absolute error; the last line is a JSON summary.
//!
//! ```text
//! cargo run --release --example ad_tour
//! ```

use pinn::ad::{
    Dual, HyperDual, Scalar, Tape, derivative, gradient, hessian, hessian_vector_product, jacobian,
    laplacian,
};

/// Collects checks of computed values against closed forms.
struct Tour {
    checks: usize,
    max_abs_err: f64,
}

impl Tour {
    fn section(&self, title: &str) {
        println!("\n== {title}");
    }

    fn check(&mut self, what: &str, got: f64, exact: f64) {
        let err = (got - exact).abs();
        self.checks += 1;
        self.max_abs_err = self.max_abs_err.max(err);
        println!("  {what:<34} {got:>22.16}  expected {exact:>22.16}  err {err:.1e}");
    }
}

/// `eˣ sin x`: f′ = eˣ(sin x + cos x), f″ = 2eˣ cos x, f‴ = 2eˣ(cos x − sin x).
fn f1<S: Scalar>(x: S) -> S {
    x.exp() * x.sin()
}

/// `x²y³ + sin(xy)`.
fn f2<S: Scalar>(p: &[S]) -> S {
    let (x, y) = (p[0], p[1]);
    x * x * y * y * y + (x * y).sin()
}

/// `e^{−|x|²}`: Δ = (4|x|² − 2n) e^{−|x|²}.
fn gaussian<S: Scalar>(x: &[S]) -> S {
    let mut r2 = S::zero();
    for &xi in x {
        r2 += xi * xi;
    }
    (-r2).exp()
}

/// `ln Σ eˣⁱ`: the gradient is the softmax.
fn logsumexp<S: Scalar>(x: &[S]) -> S {
    let mut sum = S::zero();
    for &xi in x {
        sum += xi.exp();
    }
    sum.ln()
}

/// A three-variable function with every kind of node, for the Hessian-vector product.
fn f3<S: Scalar>(x: &[S]) -> S {
    x[0] * x[0] * x[1] + x[1] * x[2].sin() + (x[0] * x[2]).exp() / (S::one() + x[1] * x[1])
}

/// A tour of pinn::ad in the order of the tutorial: dual numbers, hyper-duals, the reverse
/// tape, Hessian-vector products, nested duals. Every number is printed next to what it
/// should be and the absolute error; the last line is a JSON summary. Writes no file.
#[derive(clap::Parser, Debug)]
#[command(
    name = "ad_tour",
    verbatim_doc_comment,
    after_help = "Takes well under a second."
)]
struct Args {}

fn main() {
    let _: Args = clap::Parser::parse();
    let mut tour = Tour {
        checks: 0,
        max_abs_err: 0.0,
    };

    // 1. Dual numbers: f(x + ε) = f(x) + f′(x) ε.
    tour.section("1. dual numbers: f(x) = e^x sin x at x = 1");
    let x0 = 1.0_f64;
    let (e, s, c) = (x0.exp(), x0.sin(), x0.cos());
    let y = f1(Dual::variable(x0));
    tour.check("f(1)", y.re, e * s);
    tour.check("f'(1) from the eps part", y.eps, e * (s + c));
    let (_, d) = derivative(f1, x0);
    tour.check("f'(1) via derivative()", d, e * (s + c));
    let fd_best_err = (1..=12)
        .map(|k| {
            let h = 10f64.powi(-k);
            ((f1(x0 + h) - f1(x0 - h)) / (2.0 * h) - e * (s + c)).abs()
        })
        .fold(f64::INFINITY, f64::min);
    println!("  (best central difference over h = 1e-1 … 1e-12: err {fd_best_err:.1e})");
    let (r, phi) = (2.0_f64, 0.5_f64);
    let (_, j) = jacobian(
        |p: &[Dual<f64>]| vec![p[0] * p[1].cos(), p[0] * p[1].sin()],
        &[r, phi],
    );
    tour.check(
        "det of polar Jacobian (= r)",
        j[0][0] * j[1][1] - j[0][1] * j[1][0],
        r,
    );

    // 2. Hyper-duals: the ε₁ε₂ part is the exact mixed partial.
    tour.section("2. hyper-duals: f(x, y) = x^2 y^3 + sin(xy) at (0.7, 1.3)");
    let (x, yv) = (0.7_f64, 1.3_f64);
    let (sxy, cxy) = ((x * yv).sin(), (x * yv).cos());
    let fxy = 6.0 * x * yv * yv + cxy - x * yv * sxy;
    let hd = f2(&[
        HyperDual::seeded(x, 0, 0, 1),
        HyperDual::seeded(yv, 1, 0, 1),
    ]);
    tour.check("d2f/dxdy from the e1e2 part", hd.e12, fxy);
    let (_, _, h) = hessian(f2, &[x, yv]);
    tour.check(
        "hessian()[0][0] = d2f/dx2",
        h[0][0],
        2.0 * yv.powi(3) - yv * yv * sxy,
    );
    tour.check(
        "hessian()[1][1] = d2f/dy2",
        h[1][1],
        6.0 * x * x * yv - x * x * sxy,
    );
    tour.check(
        "hessian() symmetry |H01 - H10|",
        (h[0][1] - h[1][0]).abs(),
        0.0,
    );
    let pt = [0.2_f64, -0.4, 0.1, 0.5];
    let r2: f64 = pt.iter().map(|v| v * v).sum();
    let (_, lap) = laplacian(gaussian, &pt);
    tour.check(
        "laplacian of exp(-|x|^2), n = 4",
        lap,
        (4.0 * r2 - 8.0) * (-r2).exp(),
    );

    // 3. The reverse tape: one backward sweep for the whole gradient.
    tour.section("3. reverse tape: f = ln x1 + x1 x2 - sin x2 at (2, 5)");
    let tape = Tape::new();
    let (a, b) = (tape.var(2.0_f64), tape.var(5.0));
    let out = a.ln() + a * b - b.sin();
    let g = tape.gradient(out);
    println!("  tape: {} nodes", tape.len());
    tour.check("df/dx1 = 1/x1 + x2", g.wrt(a), 0.5 + 5.0);
    tour.check("df/dx2 = x1 - cos x2", g.wrt(b), 2.0 - 5.0_f64.cos());
    let n = 1000;
    let xs: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let total: f64 = xs.iter().map(|v| v.exp()).sum();
    let lse_tape = Tape::new();
    let vars = lse_tape.vars(&xs);
    let lse = logsumexp(&vars);
    let tape_nodes = lse_tape.len();
    let grad = lse_tape.gradient(lse).wrt_all(&vars);
    println!("  log-sum-exp, n = {n}: {tape_nodes} nodes, one backward sweep");
    let softmax_err = grad
        .iter()
        .zip(&xs)
        .map(|(g, v)| (g - v.exp() / total).abs())
        .fold(0.0, f64::max);
    tour.check("max |grad - softmax|", softmax_err, 0.0);
    tour.check("sum of the gradient", grad.iter().sum(), 1.0);

    // 4. Forward over reverse: a tape of duals gives H·v.
    tour.section("4. Hessian-vector product (tape of Dual<f64>) vs hessian()");
    let p = [0.3_f64, -0.8, 1.1];
    let v = [1.0_f64, 2.0, -0.5];
    let (_, grad_p, h3) = hessian(f3, &p);
    let hv = hessian_vector_product(|q| f3(q), &p, &v).expect("v has one entry per input");
    let mut hvp_max_err = 0.0_f64;
    for (i, row) in h3.iter().enumerate() {
        let reference: f64 = row.iter().zip(&v).map(|(h, v)| h * v).sum();
        hvp_max_err = hvp_max_err.max((hv[i] - reference).abs());
        tour.check(
            &format!("(Hv)[{i}] vs H·v from hessian()"),
            hv[i],
            reference,
        );
    }
    let (_, grad_rev) = gradient(|q| f3(q), &p);
    for i in 0..3 {
        tour.check(
            &format!("gradient()[{i}] vs hyper-dual"),
            grad_rev[i],
            grad_p[i],
        );
    }

    // 5. Nested duals: the derivative of the derivative.
    tour.section("5. nested duals: Dual<Dual<f64>>, Dual<Dual<Dual<f64>>>");
    let d2 = derivative(|x| derivative(f1, x).1, x0).1;
    tour.check("f''(1) = 2e cos 1", d2, 2.0 * e * c);
    let d3 = derivative(|x| derivative(|x| derivative(f1, x).1, x).1, x0).1;
    tour.check("f'''(1) = 2e (cos 1 - sin 1)", d3, 2.0 * e * (c - s));

    assert!(tour.max_abs_err < 1e-12, "max_abs_err {}", tour.max_abs_err);
    println!(
        "\n{} checks against closed forms, max abs error {:.1e}\n",
        tour.checks, tour.max_abs_err
    );
    println!(
        "{{\"example\":\"ad_tour\",\"checks\":{},\"max_abs_err\":{:e},\"fd_best_err\":{:e},\"hvp_max_err\":{:e},\"lse_n\":{},\"lse_tape_nodes\":{}}}",
        tour.checks, tour.max_abs_err, fd_best_err, hvp_max_err, n, tape_nodes
    );
}
