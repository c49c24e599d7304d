//! Plain `f64` constants mixed into the arithmetic of every AD type (`u * 2.0`, `2.0 * u`,
//! `u + 1.0`, `1.0 / u`, `u -= 0.5`): each result is bit for bit the one with the constant
//! written as `T::from_f64(c)`, and derivatives come out right.

use pinn::ad::{Dual, HyperDual, Scalar, Tape, Var, derivative, gradient, hessian};

/// Every operator with an `f64` on either side, and every compound assignment, against the
/// same operation with the constant converted by `from_f64`; compared through `key`.
fn check<S, K>(u: S, key: impl Fn(S) -> K)
where
    S: Scalar
        + core::ops::Add<f64, Output = S>
        + core::ops::Sub<f64, Output = S>
        + core::ops::Mul<f64, Output = S>
        + core::ops::Div<f64, Output = S>
        + core::ops::AddAssign<f64>
        + core::ops::SubAssign<f64>
        + core::ops::MulAssign<f64>
        + core::ops::DivAssign<f64>,
    f64: core::ops::Add<S, Output = S>
        + core::ops::Sub<S, Output = S>
        + core::ops::Mul<S, Output = S>
        + core::ops::Div<S, Output = S>,
    K: PartialEq + core::fmt::Debug,
{
    for c in [2.0, -0.5, 1e-3, 3.25] {
        let k = S::from_f64(c);
        assert_eq!(key(u + c), key(u + k), "u + {c}");
        assert_eq!(key(u - c), key(u - k), "u - {c}");
        assert_eq!(key(u * c), key(u * k), "u * {c}");
        assert_eq!(key(u / c), key(u / k), "u / {c}");
        assert_eq!(key(c + u), key(k + u), "{c} + u");
        assert_eq!(key(c - u), key(k - u), "{c} - u");
        assert_eq!(key(c * u), key(k * u), "{c} * u");
        assert_eq!(key(c / u), key(k / u), "{c} / u");
        let mut v = u;
        v += c;
        assert_eq!(key(v), key(u + k), "u += {c}");
        v -= c;
        assert_eq!(key(v), key(u + k - k), "u -= {c}");
        v *= c;
        assert_eq!(key(v), key((u + k - k) * k), "u *= {c}");
        v /= c;
        assert_eq!(key(v), key((u + k - k) * k / k), "u /= {c}");
    }
}

#[test]
fn dual_and_hyperdual_mix_with_f64() {
    check(Dual::new(1.7_f64, -0.3), |d| {
        (d.re.to_bits(), d.eps.to_bits())
    });
    check(Dual::new(1.7_f32, -0.3), |d| {
        (d.re.to_bits(), d.eps.to_bits())
    });
    check(HyperDual::new(0.9, 0.2, -1.1, 0.4), |h| {
        [h.re, h.e1, h.e2, h.e12].map(f64::to_bits)
    });
    check(HyperDual::new(0.9_f32, 0.2, -1.1, 0.4), |h| {
        [h.re, h.e1, h.e2, h.e12].map(f32::to_bits)
    });
    check(Dual::new(Dual::new(1.3, 0.5), Dual::new(-0.7, 2.0)), |d| {
        [d.re.re, d.re.eps, d.eps.re, d.eps.eps].map(f64::to_bits)
    });
    // d/dx (3x² − x/2 + 1) = 6x − 1/2; d²/dx² (x³/3 + 2x) = 2x.
    assert_eq!(
        derivative(|x| 3.0 * x * x - x / 2.0 + 1.0, 2.0),
        (12.0, 11.5)
    );
    let (_, _, h) = hessian(|x| x[0] * x[0] * x[0] / 3.0 + 2.0 * x[0], &[1.5]);
    assert_eq!(h, vec![vec![3.0]]);
}

#[test]
fn tape_variables_mix_with_f64() {
    // Through the tape: values and adjoints are those of the `from_f64` spelling.
    let tape = Tape::new();
    let x = tape.var(0.8);
    let key = |v: Var<'_, f64>| {
        let g = tape.gradient(v).wrt(x);
        (v.value().to_bits(), g.to_bits())
    };
    check(x.sin(), key);
    // Over duals (forward over reverse).
    let tape = Tape::new();
    let y = tape.var(Dual::new(0.8, 1.0));
    let key = |v: Var<'_, Dual<f64>>| {
        let g = tape.gradient(v).wrt(y);
        [v.value().re, v.value().eps, g.re, g.eps].map(f64::to_bits)
    };
    check(y * y, key);
    // A constant (not on any tape) mixed with f64 stays a constant.
    let c = Var::<f64>::constant(2.0) * 3.0 + 1.0;
    assert_eq!(c.value(), 7.0);
    // ∇(2xy + ½ sin y) = (2y, 2x + ½ cos y).
    let (_, g) = gradient(|x| 2.0 * x[0] * x[1] + x[1].sin() * 0.5, &[1.0, 0.0]);
    assert_eq!(g, vec![0.0, 2.5]);
}
