//! Property tests of the scalar AD path against central finite differences and against
//! itself.
//!
//! - **Every rule** at random points of its domain: the [`Dual`] derivative against a central
//!   difference of `f`, the [`HyperDual`] second derivative against a central difference of the
//!   dual derivative, and the reverse [`Tape`] against [`Dual`].
//! - **A fixed multivariate composition** (products, quotients, `tanh`, `exp`, `sin`, `powi`,
//!   `sqrt`, …) at random points: [`gradient`] (tape) vs [`jacobian`] (dual) vs central
//!   differences; [`hessian`] vs central differences of the gradient, and exactly symmetric;
//!   [`laplacian`] against the Hessian's trace; [`hessian_vector_product`] against `H·v`;
//!   `Dual<Dual<f64>>` against `HyperDual<f64>`; tape constants; zero gradients.
//! - **A tape over `HyperDual<f64>`**: the parameter gradient of a second derivative
//!   `∂/∂θ (∂²f/∂x²)` against central differences in `θ`.
//! - **`f32`**: the rules and the composition against the (already checked) `f64` results.
//!
//! Finite-difference tolerances are the error bound of the central difference, not a guess:
//! with step `h`, `|D_h − f′| ≤ h²/6·max|f‴| + δ/h`, where `δ` bounds the rounding error of one
//! evaluation. The higher derivative in the truncation term comes from the rules table or
//! from nested AD types (`Dual<HyperDual>`, `HyperDual<HyperDual>`, …; the table and the
//! nestings are checked against sympy up to third order in `tests/rules.rs`), maximised over
//! the stencil `x − h, x, x + h`; `δ` follows a stated rounding model. The bound is then
//! multiplied by a safety factor of 2 only: at large `|x|` the truncation term dominates and
//! the observed error reaches ~99% of the unscaled bound, so the bound is tight, not padded.
//!
//! Proptest runs 128 cases per property with a random seed; failures are not persisted to
//! disk, the minimal failing input is printed instead.

mod common;
use common::call;
use pinn::ad::{
    Dual, Elementary, HyperDual, Scalar, Tape, Var, gradient, hessian, hessian_vector_product,
    jacobian, laplacian,
};
use proptest::prelude::*;

const EPS: f64 = f64::EPSILON;
const EPS32: f64 = f32::EPSILON as f64;
/// Multiplies every finite-difference error bound: the bound is evaluated with a few
/// approximations (the sup of `|f‴|` over the stencil from three samples, a rounding model).
const SAFETY: f64 = 2.0;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/// Maps `u ∈ [0, 1)` into the sampled part of the rule's domain. Positive-only and singular
/// functions are sampled log-uniformly, away from the singularity.
fn point(f: Elementary, u: f64) -> f64 {
    let lin = |a: f64, b: f64| a + u * (b - a);
    let log = |a: f64, b: f64, u: f64| (a.ln() + u * (b.ln() - a.ln())).exp();
    let x = match f {
        Elementary::Ln | Elementary::Sqrt | Elementary::Powf(_) => log(0.05, 20.0, u),
        Elementary::Recip | Elementary::Powi(-2) | Elementary::Abs => {
            // Both signs: the lower half of [0, 1) maps to negative x.
            let (sign, v) = if u < 0.5 {
                (-1.0, 2.0 * u)
            } else {
                (1.0, 2.0 * u - 1.0)
            };
            sign * log(0.2, 10.0, v)
        }
        Elementary::Tanh => lin(-6.0, 6.0),
        Elementary::Sin | Elementary::Cos => lin(-10.0, 10.0),
        Elementary::Sigmoid | Elementary::Softplus => lin(-20.0, 20.0),
        Elementary::Exp | Elementary::Sinh | Elementary::Cosh => lin(-8.0, 8.0),
        // Away from the poles at ±π/2 (tan‴ reaches 1.2e3 at ±1.3).
        Elementary::Tan => lin(-1.3, 1.3),
        Elementary::Ln1p => lin(-0.9, 20.0),
        Elementary::Swish => lin(-20.0, 20.0),
        Elementary::Gelu => lin(-8.0, 8.0),
        _ => lin(-5.0, 5.0),
    };
    assert!(f.in_domain(x), "{f:?} at {x}");
    x
}

/// Absolute size of the intermediate terms of the table's derivative formulas beyond the
/// result itself, where a formula subtracts: `tanh′ = 1 − t²` is a difference of terms of
/// size ≤ 1 (and `f″ = −2t·f′`, `f‴ = f′·(6t² − 2)` multiply it by factors ≤ 4);
/// `sigmoid″ = σ′·(σ(−x) − σ(x))` and `sigmoid‴ = σ′·(1 − 6σ′)` subtract terms of size ≤ 1
/// times `σ′ ≤ 1/4` (softplus one order higher). Near the zeros of these derivatives the
/// rounding error is therefore absolute, `O(ε)`, not relative. Every other rule's derivatives
/// are products and quotients of accurately computed values, except two sums:
/// `swish′ = σ + xσ′`, `swish″ = 2σ′ + xσ″`, `swish‴ = 3σ″ + xσ‴` add terms of opposite signs
/// whose sizes stay below 1.5 (`σ ≤ 1`, `|x|σ′ ≤ 0.45`, …), and so do `gelu′ = Φ + xφ`,
/// `gelu″ = (2 − x²)φ` and `gelu‴ = x(x² − 4)φ` (`Φ ≤ 1`, `|x|φ ≤ 0.25`, `(2 + x²)φ ≤ 0.8`,
/// `(|x|³ + 4|x|)φ ≤ 1.5`): near their zeros the rounding error is absolute too.
fn formula_terms(f: Elementary, k: usize) -> f64 {
    match (f, k) {
        (Elementary::Tanh, 1..) => 4.0,
        (Elementary::Swish | Elementary::Gelu, 1..) => 1.5,
        (Elementary::Sigmoid, 2..) | (Elementary::Softplus, 3..) => 1.0,
        _ => 0.0,
    }
}

/// How much the derivatives of `erf`, `erfc` and `gelu` amplify a relative rounding error:
/// they exponentiate a square, `e^{−x²}` (GELU's `φ`: `e^{−x²/2}`), and the rounding of `x²`
/// (relative `ε`, absolute `x²ε`) becomes a relative error `x²ε` (`x²ε/2`) of the result — up to
/// 25 ulps at `x = 5`, which matters in `f32`.
fn square_amplification(f: Elementary, x: f64) -> f64 {
    match f {
        Elementary::Erf | Elementary::Erfc => x * x,
        Elementary::Gelu => 0.5 * x * x,
        _ => 0.0,
    }
}

/// Rounding bound of the computed `k`-th derivative of the rule at `x`: a few ulps of the
/// value plus the formula terms above.
fn rule_rounding(f: Elementary, k: usize, x: f64) -> f64 {
    4.0 * EPS * (f.eval(x)[k].abs() + formula_terms(f, k))
}

/// `max |f⁽ᵏ⁾|` over the stencil `{x − h, x, x + h}` (k ≤ 3 from the table).
fn sup_deriv(f: Elementary, k: usize, x: f64, h: f64) -> f64 {
    [x - h, x, x + h]
        .into_iter()
        .filter(|&y| f.in_domain(y))
        .map(|y| f.eval(y)[k].abs())
        .fold(0.0, f64::max)
}

/// `max |f⁗|` over the stencil: the `ε₁ε₂` part of the table's `f″` evaluated over a
/// hyper-dual number.
fn sup_fourth(f: Elementary, x: f64, h: f64) -> f64 {
    [x - h, x, x + h]
        .into_iter()
        .filter(|&y| f.in_domain(y))
        .map(|y| f.eval(HyperDual::variable(y))[2].e12.abs())
        .fold(0.0, f64::max)
}

/// The FD step for `x`, and the exact stencil points and their distance.
fn stencil(x: f64) -> (f64, f64, f64) {
    let h = 1e-5 * x.abs().max(1.0);
    let (xp, xm) = (x + h, x - h);
    (xp, xm, xp - xm)
}

proptest! {
    #![proptest_config(config())]

    /// Dual f′ vs central difference of f, for every rule at the same quantile `u`.
    #[test]
    fn rule_dual_vs_fd(u in 0.0..1.0f64) {
        for f in Elementary::ALL {
            let x = point(f, u);
            let (xp, xm, dx) = stencil(x);
            let h = dx / 2.0;
            let fd = (call(f, xp) - call(f, xm)) / dx;
            let ad = call(f, Dual::variable(x)).eps;
            // Each f value is within 4ε|f| (libm ≤ 1 ulp, the rule's own arithmetic).
            let delta = rule_rounding(f, 0, xp).max(rule_rounding(f, 0, xm));
            let bound = h * h / 6.0 * sup_deriv(f, 3, x, h) + delta / h;
            let err = (ad - fd).abs();
            prop_assert!(
                err <= SAFETY * bound,
                "{}({x}): dual {ad:e}, FD {fd:e}, err {err:e} > {:e}", f.name(), SAFETY * bound
            );
        }
    }

    /// HyperDual f″ vs central difference of the Dual f′.
    #[test]
    fn rule_hyperdual_vs_fd(u in 0.0..1.0f64) {
        for f in Elementary::ALL {
            let x = point(f, u);
            let (xp, xm, dx) = stencil(x);
            let h = dx / 2.0;
            let d1 = |y: f64| call(f, Dual::variable(y)).eps;
            let fd = (d1(xp) - d1(xm)) / dx;
            let y = call(f, HyperDual::variable(x));
            prop_assert_eq!(y.e1, y.e2);
            let delta = rule_rounding(f, 1, xp).max(rule_rounding(f, 1, xm));
            let bound = h * h / 6.0 * sup_fourth(f, x, h) + delta / h;
            let err = (y.e12 - fd).abs();
            prop_assert!(
                err <= SAFETY * bound,
                "{}({x}): hyper-dual {:e}, FD {fd:e}, err {err:e} > {:e}",
                f.name(), y.e12, SAFETY * bound
            );
        }
    }

    /// The tape's adjoint of one rule is exactly the dual derivative; through a product, a
    /// quotient and a sum that reuse `x` (fan-out) they agree to rounding.
    #[test]
    fn rule_tape_vs_dual(u in 0.0..1.0f64, a in 0.5..1.5f64) {
        for f in Elementary::ALL {
            let x = point(f, u);
            let tape = Tape::new();
            let xv = tape.var(x);
            let y = call(f, xv);
            let dual = call(f, Dual::variable(x));
            prop_assert_eq!(y.value(), dual.re);
            prop_assert_eq!(tape.gradient(y).wrt(xv), dual.eps, "{}({})", f.name(), x);

            // g(x) = f(x)·x/(a + x²) + a·x: exercises Mul, Div, Add adjoints and the
            // accumulation into a variable used four times. Tape and dual may round differently
            // (the dual divides by multiplying with 1/b), so compare to the size of the terms
            // of g′ = (f′x + f)/(a + x²) − 2x²f/(a + x²)² + a.
            let xd = Dual::variable(x);
            let ad = Dual::constant(a);
            let gd = (call(f, xd) * xd / (ad + xd * xd) + ad * xd).eps;
            let tape = Tape::new();
            let xv = tape.var(x);
            let c = Var::constant(a);
            let yv = call(f, xv) * xv / (c + xv * xv) + c * xv;
            let gt = tape.gradient(yv).wrt(xv);
            let [f0, f1, _, _] = f.eval(x);
            let q = a + x * x;
            let terms = ((f1 * x).abs() + f0.abs()) / q + 2.0 * (x * x * f0).abs() / (q * q) + a;
            let tol = 16.0 * EPS * terms;
            prop_assert!((gt - gd).abs() <= tol, "{}({x}): tape {gt:e}, dual {gd:e}", f.name());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A multivariate composition
// ---------------------------------------------------------------------------------------------

const N: usize = 4;

/// The terms of the test function on `[-2, 2]⁴` (every argument of `ln`, `sqrt`, `powf`,
/// `recip` and the negative power stays ≥ 0.5).
fn terms<S: Scalar>(x: &[S]) -> Vec<S> {
    let c = S::from_f64;
    let (a, b, z, d) = (x[0], x[1], x[2], x[3]);
    vec![
        a * b / (c(1.0) + z * z),
        (a - c(0.5) * d).tanh() * (c(0.3) * b).exp(),
        (z * d).sin() * (c(1.0) + a * a).sqrt(),
        (b + c(2.0) * d).powi(3) / c(10.0),
        (c(2.0) + a.cos()).ln(),
        d.sigmoid() * z.softplus(),
        (c(1.5) + b.sin()).recip(),
        -(c(0.5) * a).cosh() + (c(0.3) * d).sinh() * (c(1.0) + b * b).powf(1.5),
        (c(2.5) + (a * b - z).sin()).powi(-2),
    ]
}

/// The test function: the sum of [`terms`].
fn func<S: Scalar>(x: &[S]) -> S {
    terms(x).into_iter().fold(S::zero(), |s, t| s + t)
}

/// Scale of the rounding error of anything computed from [`func`] up to second order:
/// `Σ_k (|t_k| + s‖∇t_k‖₁ + s²‖∇²t_k‖₁)` with `s = max(1, ‖x‖∞)` (the rounding of an input or
/// intermediate of size ≲ s, times the sensitivity). Rounding model: every computed value,
/// gradient or Hessian entry of `func` is within `ROUND·ε·magnitude` of the exact one.
fn magnitude(x: &[f64]) -> f64 {
    let s = x.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    (0..terms(x).len())
        .map(|k| {
            let (v, g, h) = hessian(|y| terms(y)[k], x);
            let g1: f64 = g.iter().map(|v| v.abs()).sum();
            let h1: f64 = h.iter().flatten().map(|v| v.abs()).sum();
            v.abs() + s * g1 + s * s * h1
        })
        .sum()
}
const ROUND: f64 = 16.0;

fn unit(i: usize, j: usize) -> f64 {
    if i == j { 1.0 } else { 0.0 }
}

/// `∂³func/∂x_i³` by `Dual<HyperDual<f64>>`.
fn third(x: &[f64], i: usize) -> f64 {
    let seeded: Vec<Dual<HyperDual<f64>>> = (0..N)
        .map(|k| {
            let e = unit(k, i);
            Dual::new(HyperDual::new(x[k], e, e, 0.0), HyperDual::constant(e))
        })
        .collect();
    func(&seeded).eps.e12
}

/// `∂⁴func/∂x_i∂x_j³` by `HyperDual<HyperDual<f64>>`.
fn fourth(x: &[f64], i: usize, j: usize) -> f64 {
    let seeded: Vec<HyperDual<HyperDual<f64>>> = (0..N)
        .map(|k| {
            let ej = unit(k, j);
            HyperDual::new(
                HyperDual::new(x[k], ej, ej, 0.0),
                HyperDual::constant(unit(k, i)),
                HyperDual::constant(ej),
                HyperDual::constant(0.0),
            )
        })
        .collect();
    func(&seeded).e12.e12
}

/// `x` with `x_i` moved to `v`.
fn moved(x: &[f64], i: usize, v: f64) -> Vec<f64> {
    let mut y = x.to_vec();
    y[i] = v;
    y
}

/// `max_{t ∈ {−h, 0, h}} |g(x + t e_i)|`.
fn sup_along(x: &[f64], i: usize, h: f64, g: impl Fn(&[f64]) -> f64) -> f64 {
    [-h, 0.0, h]
        .into_iter()
        .map(|t| g(&moved(x, i, x[i] + t)).abs())
        .fold(0.0, f64::max)
}

fn tape_grad(x: &[f64]) -> Vec<f64> {
    gradient(|v| func(v), x).1
}

fn point4() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0..2.0f64, N)
}
fn dir4() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1.0..1.0f64, N)
}

proptest! {
    #![proptest_config(config())]

    /// Reverse (tape) gradient vs forward (dual) Jacobian vs central differences.
    #[test]
    fn composition_gradient(x in point4()) {
        let m = magnitude(&x);
        let (value, g) = gradient(|v| func(v), &x);
        let (jv, jac) = jacobian(|v| vec![func(v)], &x);
        prop_assert_eq!(jac.len(), 1);
        prop_assert!((value - func(&x)).abs() <= ROUND * EPS * m);
        prop_assert!((jv[0] - value).abs() <= ROUND * EPS * m);
        for i in 0..N {
            // Two exact derivatives of the same function: they differ by rounding only.
            prop_assert!(
                (g[i] - jac[0][i]).abs() <= 2.0 * ROUND * EPS * m,
                "∂{i}: tape {:e} vs dual {:e}", g[i], jac[0][i]
            );
            let (xp, xm, dx) = stencil(x[i]);
            let h = dx / 2.0;
            let fd = (func(&moved(&x, i, xp)) - func(&moved(&x, i, xm))) / dx;
            let bound = h * h / 6.0 * sup_along(&x, i, h, |y| third(y, i))
                + ROUND * EPS * m / h;
            let err = (g[i] - fd).abs();
            prop_assert!(
                err <= SAFETY * bound,
                "∂{i} at {x:?}: AD {:e}, FD {fd:e}, err {err:e} > {:e}", g[i], SAFETY * bound
            );
        }
    }

    /// Hyper-dual Hessian vs central differences of the tape gradient; exact symmetry; its
    /// gradient and value agree with the tape's.
    #[test]
    fn composition_hessian(x in point4()) {
        let m = magnitude(&x);
        let (value, grad, h) = hessian(func, &x);
        let (tv, tg) = gradient(|v| func(v), &x);
        prop_assert!((value - tv).abs() <= 2.0 * ROUND * EPS * m);
        for i in 0..N {
            prop_assert!((grad[i] - tg[i]).abs() <= 2.0 * ROUND * EPS * m);
            for j in 0..N {
                prop_assert_eq!(h[i][j].to_bits(), h[j][i].to_bits(), "H[{}][{}]", i, j);
                let (xp, xm, dx) = stencil(x[j]);
                let step = dx / 2.0;
                let fd = (tape_grad(&moved(&x, j, xp))[i] - tape_grad(&moved(&x, j, xm))[i]) / dx;
                let bound = step * step / 6.0 * sup_along(&x, j, step, |y| fourth(y, i, j))
                    + ROUND * EPS * m / step;
                let err = (h[i][j] - fd).abs();
                prop_assert!(
                    err <= SAFETY * bound,
                    "H[{i}][{j}] at {x:?}: AD {:e}, FD {fd:e}, err {err:e} > {:e}",
                    h[i][j], SAFETY * bound
                );
            }
        }
    }

    /// Laplacian = trace of the Hessian; Hessian-vector product = H·v; `Dual<Dual>` second
    /// directional derivative = hyper-dual one = uᵀHw.
    #[test]
    fn composition_second_order_operators(x in point4(), v in dir4(), u in dir4(), w in dir4()) {
        let m = magnitude(&x);
        let (value, _, h) = hessian(func, &x);
        let (lv, lap) = laplacian(func, &x);
        prop_assert_eq!(lv, value);
        let trace: f64 = (0..N).map(|k| h[k][k]).sum();
        let trace_abs: f64 = (0..N).map(|k| h[k][k].abs()).sum();
        prop_assert!((lap - trace).abs() <= 4.0 * EPS * trace_abs, "Δ {lap:e} vs tr H {trace:e}");

        let hv = hessian_vector_product(|y| func(y), &x, &v).unwrap();
        prop_assert_eq!(hv.len(), N);
        for i in 0..N {
            let want: f64 = (0..N).map(|j| h[i][j] * v[j]).sum();
            prop_assert!(
                (hv[i] - want).abs() <= 2.0 * ROUND * EPS * m,
                "(Hv)[{i}]: {:e} vs {want:e}", hv[i]
            );
        }

        // uᵀHw three ways.
        let dd: Vec<Dual<Dual<f64>>> =
            (0..N).map(|k| Dual::new(Dual::new(x[k], u[k]), Dual::new(w[k], 0.0))).collect();
        let hd: Vec<HyperDual<f64>> = (0..N).map(|k| HyperDual::new(x[k], w[k], u[k], 0.0)).collect();
        let (ydd, yhd) = (func(&dd), func(&hd));
        let uhw: f64 = (0..N).flat_map(|i| (0..N).map(move |j| (i, j))).map(|(i, j)| u[i] * h[i][j] * w[j]).sum();
        let tol = 4.0 * ROUND * EPS * m;
        prop_assert!((ydd.eps.eps - yhd.e12).abs() <= tol, "Dual<Dual> {:e} vs HyperDual {:e}", ydd.eps.eps, yhd.e12);
        prop_assert!((yhd.e12 - uhw).abs() <= tol, "HyperDual {:e} vs uᵀHw {uhw:e}", yhd.e12);
        // The first-order parts are the two directional derivatives.
        prop_assert_eq!(ydd.re.re, yhd.re);
        prop_assert!((ydd.re.eps - yhd.e2).abs() <= tol);
        prop_assert!((ydd.eps.re - yhd.e1).abs() <= tol);
    }

    /// Constants on the tape: `Var::constant` and `S::from_f64` act as numbers with zero
    /// derivative, with a constant on either side of every operator.
    #[test]
    fn tape_constants(x in -3.0..3.0f64, a in -3.0..3.0f64, b in 0.5..3.0f64) {
        let tape = Tape::new();
        let xv = tape.var(x);
        let (ca, cb) = (Var::constant(a), Var::<f64>::from_f64(b));
        // y = (a·x + b)·x − a/b + x/b − b/(x² + b) + (−a)·x, ∂y/∂x = 2ax + b + 1/b + 2bx/(x²+b)² − a
        let y = (ca * xv + cb) * xv - ca / cb + xv / cb - cb / (xv * xv + cb) + (-ca) * xv;
        let want_y = (a * x + b) * x - a / b + x / b - b / (x * x + b) - a * x;
        let want_g = 2.0 * a * x + b + 1.0 / b + 2.0 * b * x / (x * x + b).powi(2) - a;
        let g = tape.gradient(y);
        let scale = 1.0 + (a * x).abs() + b + 1.0 / b + (x * x).abs();
        prop_assert!((y.value() - want_y).abs() <= 16.0 * EPS * scale * (1.0 + x.abs()));
        prop_assert!((g.wrt(xv) - want_g).abs() <= 16.0 * EPS * scale * (1.0 + x.abs()));
        // Constants have zero derivative, and all-constant arithmetic records nothing.
        prop_assert_eq!(g.wrt(ca), 0.0);
        prop_assert_eq!(g.wrt(cb), 0.0);
        let len = tape.len();
        let k = (ca * cb + cb.sin()) / cb - Var::from_f64(1.0);
        prop_assert_eq!(tape.len(), len);
        prop_assert_eq!(k.value(), (a * b + b.sin()) / b - 1.0);
        prop_assert_eq!(tape.gradient(k).wrt(xv), 0.0);
    }

    /// `Tape::gradient` of an output that does not depend on a variable is 0 for it — also
    /// for a variable created after the output and for one used only in a discarded branch.
    #[test]
    fn tape_unrelated_variables(x in -2.0..2.0f64, y in -2.0..2.0f64) {
        let tape = Tape::new();
        let (xv, yv, zv) = (tape.var(x), tape.var(y), tape.var(0.5));
        let _discarded = yv * xv + zv.exp();
        let out = xv.sin() * xv + Var::constant(y); // depends on x only
        let later = tape.var(3.0);
        let g = tape.gradient(out);
        prop_assert_eq!(g.wrt(yv), 0.0);
        prop_assert_eq!(g.wrt(zv), 0.0);
        prop_assert_eq!(g.wrt(later), 0.0);
        prop_assert_eq!(g.wrt(xv), x.cos() * x + x.sin());
        let all = g.wrt_all(&[xv, yv, zv, later]);
        prop_assert_eq!(all, vec![x.cos() * x + x.sin(), 0.0, 0.0, 0.0]);
        // A variable minus itself: zero derivative, exactly.
        let d = tape.gradient(xv - xv + yv * Var::constant(0.0));
        prop_assert_eq!(d.wrt(xv), 0.0);
    }
}

// ---------------------------------------------------------------------------------------------
// A tape over hyper-dual numbers: the parameter gradient of a second derivative
// ---------------------------------------------------------------------------------------------

/// A small "network": `f(θ, x) = θ₀ tanh(θ₁x + θ₂) + θ₃ x² sin(θ₀x) + θ₁ softplus(θ₂x)`.
fn theta_terms<S: Scalar>(th: &[S], x: S) -> [S; 3] {
    [
        th[0] * (th[1] * x + th[2]).tanh(),
        th[3] * x * x * (th[0] * x).sin(),
        th[1] * (th[2] * x).softplus(),
    ]
}
fn theta_f<S: Scalar>(th: &[S], x: S) -> S {
    let [a, b, c] = theta_terms(th, x);
    a + b + c
}

/// `∂²f/∂x²` by a plain hyper-dual pass.
fn f_xx(th: &[f64], x: f64) -> f64 {
    let th: Vec<HyperDual<f64>> = th.iter().map(|&t| HyperDual::constant(t)).collect();
    theta_f(&th, HyperDual::variable(x)).e12
}

/// `∂³/∂θ_k³ (∂²f/∂x²)` by `Dual<HyperDual<HyperDual<f64>>>`: the outer dual and the middle
/// hyper-dual along `θ_k`, the inner hyper-dual along `x`.
fn f_xx_theta3(th: &[f64], x: f64, k: usize) -> f64 {
    type D3 = Dual<HyperDual<HyperDual<f64>>>;
    let hd = HyperDual::constant;
    let t: Vec<D3> = (0..th.len())
        .map(|j| {
            let e = unit(j, k);
            Dual::new(
                HyperDual::new(hd(th[j]), hd(e), hd(e), hd(0.0)),
                HyperDual::constant(hd(e)),
            )
        })
        .collect();
    let xs = D3::constant(HyperDual::constant(HyperDual::variable(x)));
    theta_f(&t, xs).eps.e12.e12
}

/// Rounding scale of `∂²f/∂x²`: per term, `|∂xx t| + s·‖∇_{θ,x} ∂xx t‖₁`, the latter by
/// `Dual<HyperDual<f64>>` (one pass per coordinate).
fn f_xx_magnitude(th: &[f64], x: f64) -> f64 {
    let s = th.iter().fold(x.abs().max(1.0), |m, v| m.max(v.abs()));
    let mut total = 0.0;
    for term in 0..3 {
        let hd_th: Vec<HyperDual<f64>> = th.iter().map(|&t| HyperDual::constant(t)).collect();
        let txx = theta_terms(&hd_th, HyperDual::variable(x))[term].e12;
        let mut grad1 = 0.0;
        for j in 0..=th.len() {
            // Coordinate j < 4 is θ_j, coordinate 4 is x.
            let ths: Vec<Dual<HyperDual<f64>>> = (0..th.len())
                .map(|i| Dual::new(HyperDual::constant(th[i]), HyperDual::constant(unit(i, j))))
                .collect();
            let xs = Dual::new(HyperDual::variable(x), HyperDual::constant(unit(4, j)));
            grad1 += theta_terms(&ths, xs)[term].eps.e12.abs();
        }
        total += txx.abs() + s * grad1;
    }
    total
}

fn theta_strategy() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1.5..1.5f64, 4)
}

proptest! {
    #![proptest_config(config())]

    /// `Tape<HyperDual<f64>>`: the `ε₁ε₂` part of the θ-adjoints is `∂/∂θ (∂²f/∂x²)`; check
    /// it against central differences in θ of the hyper-dual second derivative.
    #[test]
    fn tape_over_hyperdual_parameter_gradient(th in theta_strategy(), x in -2.0..2.0f64) {
        let tape = Tape::new();
        let thv = tape.vars(&th.iter().map(|&t| HyperDual::constant(t)).collect::<Vec<_>>());
        let xv = Var::constant(HyperDual::variable(x));
        let y = theta_f(&thv, xv);
        let g = tape.gradient(y);
        let fxx = f_xx(&th, x);
        prop_assert_eq!(y.value().e12, fxx);

        let m = f_xx_magnitude(&th, x);
        for k in 0..th.len() {
            let adj = g.wrt(thv[k]);
            // The plain adjoint is ∂f/∂θ_k; compare it with a dual pass.
            let dual_th: Vec<Dual<f64>> = (0..th.len()).map(|j| Dual::new(th[j], unit(j, k))).collect();
            let df = theta_f(&dual_th, Dual::constant(x)).eps;
            prop_assert!((adj.re - df).abs() <= 64.0 * EPS * (1.0 + df.abs()), "∂f/∂θ{k}");

            let (tp, tm, dt) = stencil(th[k]);
            let h = dt / 2.0;
            let fd = (f_xx(&moved(&th, k, tp), x) - f_xx(&moved(&th, k, tm), x)) / dt;
            let sup3 = [tm, th[k], tp]
                .into_iter()
                .map(|t| f_xx_theta3(&moved(&th, k, t), x, k).abs())
                .fold(0.0, f64::max);
            let bound = h * h / 6.0 * sup3 + ROUND * EPS * m / h;
            let err = (adj.e12 - fd).abs();
            prop_assert!(
                err <= SAFETY * bound,
                "∂/∂θ{k} f_xx at θ={th:?}, x={x}: tape {:e}, FD {fd:e}, err {err:e} > {:e}",
                adj.e12, SAFETY * bound
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// f32
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// `Dual<f32>` and `HyperDual<f32>` reproduce the `f64` derivatives at the same (f32-exact)
    /// point to a few f32 ulps (plus the absolute formula terms of `tanh` and `sigmoid`, and
    /// the amplified rounding of a square under `exp`, [`square_amplification`]).
    #[test]
    fn f32_rules_match_f64(u in 0.0..1.0f64) {
        for f in Elementary::ALL {
            let x32 = point(f, u) as f32;
            let x = f64::from(x32);
            if !f.in_domain(x) {
                continue;
            }
            let want = f.eval(x);
            let d = call(f, Dual::variable(x32));
            let hd = call(f, HyperDual::variable(x32));
            let got = [d.re, d.eps, hd.e1, hd.e12];
            let which = [0, 1, 1, 2];
            for (g, &k) in got.iter().zip(&which) {
                let amp = 1.0 + square_amplification(f, x);
                let tol = 8.0 * EPS32 * (amp * want[k].abs() + formula_terms(f, k));
                let err = (f64::from(*g) - want[k]).abs();
                prop_assert!(
                    err <= tol,
                    "{}({x32}) f^({k}): f32 {g:e}, f64 {:e}, err {err:e} > {tol:e}",
                    f.name(), want[k]
                );
            }
        }
    }

    /// The composition's tape gradient and hyper-dual Hessian in `f32` match `f64` within the
    /// rounding model at `f32` precision.
    #[test]
    fn f32_composition_matches_f64(x in point4()) {
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let x: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        let m = magnitude(&x);
        let tol = 2.0 * ROUND * EPS32 * m;
        let (v32, g32) = gradient(|v| func(v), &x32);
        let (v64, g64) = gradient(|v| func(v), &x);
        prop_assert!((f64::from(v32) - v64).abs() <= tol);
        let (_, _, h32) = hessian(func, &x32);
        let (_, _, h64) = hessian(func, &x);
        for i in 0..N {
            prop_assert!((f64::from(g32[i]) - g64[i]).abs() <= tol, "g[{i}]: {} vs {}", g32[i], g64[i]);
            for j in 0..N {
                prop_assert!(
                    (f64::from(h32[i][j]) - h64[i][j]).abs() <= tol,
                    "H[{i}][{j}]: {} vs {}", h32[i][j], h64[i][j]
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Misuse: typed errors, not panics
// ---------------------------------------------------------------------------------------------

/// Variables of two tapes meeting in an operation do not panic; the tape reports it when asked
/// for a gradient of anything recorded from then on (`try_gradient`), an output or a variable
/// of another tape is an error too (`try_gradient`, `try_wrt`), while outputs recorded before
/// the mix keep their exact gradient. The convenience forms panic with the same message.
#[test]
fn mixing_tapes_is_a_typed_error() {
    use pinn::Error;
    let (a, b) = (Tape::new(), Tape::new());
    let (x, y) = (a.var(1.5_f64), b.var(-2.0));
    let before = x * x;
    let mixed = x * y + y.sin(); // no panic here
    assert_eq!(mixed.value(), 1.5 * -2.0 + (-2.0_f64).sin());
    let after = before * 2.0;
    for out in [mixed, after] {
        match a.try_gradient(out) {
            Err(Error::InvalidConfig {
                field: "tape",
                reason,
            }) => {
                assert!(reason.contains("two different tapes"), "{reason}")
            }
            other => panic!("expected a tape error, got {other:?}"),
        }
    }
    assert_eq!(a.try_gradient(before).unwrap().wrt(x), 3.0);
    // `mixed` lives on `a`: not an output of `b`.
    let e = b.try_gradient(mixed).unwrap_err();
    assert!(e.to_string().contains("another tape"), "{e}");
    // `b` itself is untouched by the mix.
    let gb = b.try_gradient(y * y).unwrap();
    assert_eq!(gb.wrt(y), -4.0);
    // A variable of another tape in a gradient's look-up.
    let e = gb.try_wrt(x).unwrap_err();
    assert!(e.to_string().contains("another tape"), "{e}");
    // A variable recorded after the sweep: the output cannot depend on it.
    let late = b.var(7.0);
    assert_eq!(gb.try_wrt(late).unwrap(), 0.0);
    // The panicking forms say why.
    let msg = |r: std::thread::Result<f64>| match r {
        Err(p) => p.downcast_ref::<String>().cloned().unwrap_or_default(),
        Ok(v) => panic!("expected a panic, got {v}"),
    };
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || a.gradient(after).wrt(x),
    )));
    assert!(
        m.contains("Tape::gradient") && m.contains("two different tapes"),
        "{m}"
    );
    let m = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || gb.wrt(x),
    )));
    assert!(
        m.contains("Gradient::wrt") && m.contains("another tape"),
        "{m}"
    );
    // Clearing the tape forgets the mix.
    let mut a = a;
    a.clear();
    let z = a.var(2.0);
    assert_eq!(a.try_gradient(z * z).unwrap().wrt(z), 4.0);
}

/// `hessian_vector_product` with a direction of the wrong length is a dimension error.
#[test]
fn hessian_vector_product_checks_lengths() {
    fn f<'t>(x: &[Var<'t, Dual<f64>>]) -> Var<'t, Dual<f64>> {
        x[0] * x[1]
    }
    match hessian_vector_product(f, &[1.0, 2.0], &[1.0]) {
        Err(pinn::Error::DimensionMismatch {
            expected, found, ..
        }) => assert_eq!((expected, found), (2, 1)),
        other => panic!("expected a dimension mismatch, got {other:?}"),
    }
    assert_eq!(
        hessian_vector_product(f, &[1.0, 2.0], &[1.0, 0.0]).unwrap(),
        vec![0.0, 1.0]
    );
}
