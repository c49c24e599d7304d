//! The rules table: every elementary function, with its first three derivatives, written once.
//!
//! [`Elementary::eval`] returns `[f(x), f′(x), f″(x), f‴(x)]`. The derivatives are written in
//! terms of the function's own value where that is cheaper (`tanh′ = 1 − tanh²`). They are
//! generic over [`Scalar`], so the *same* formulas serve plain floats, the chain rule of every
//! AD type ([`Dual`](crate::ad::Dual) uses `f, f′`; [`HyperDual`](crate::ad::HyperDual) uses
//! `f, f′, f″`; the tape differentiates `f′` again when it runs over duals), and the batched jet
//! engine (whose reverse sweep needs `f‴`).
//!
//! | function | f | f′ | f″ | f‴ |
//! |---|---|---|---|---|
//! | `tanh` | t | 1−t² | −2t(1−t²) | (1−t²)(6t²−2) |
//! | `sin` | s | c | −s | −c |
//! | `cos` | c | −s | −c | s |
//! | `exp` | e | e | e | e |
//! | `ln` | ln x | 1/x | −1/x² | 2/x³ |
//! | `sqrt` | r | 1/(2r) | −1/(4r³) | 3/(8r⁵) |
//! | `powi(n)` | xⁿ | n xⁿ⁻¹ | n(n−1) xⁿ⁻² | n(n−1)(n−2) xⁿ⁻³ |
//! | `powf(p)` | xᵖ | p xᵖ⁻¹ | p(p−1) xᵖ⁻² | p(p−1)(p−2) xᵖ⁻³ |
//! | `recip` | 1/x | −1/x² | 2/x³ | −6/x⁴ |
//! | `sigmoid` | σ | σ(1−σ) | σ(1−σ)(1−2σ) | σ(1−σ)(1−6σ+6σ²) |
//! | `softplus` | ln(1+eˣ) | σ | σ(1−σ) | σ(1−σ)(1−2σ) |
//! | `sinh` | sh | ch | sh | ch |
//! | `cosh` | ch | sh | ch | sh |
//!
//! (t = tanh x, s = sin x, c = cos x, e = eˣ, r = √x, σ = sigmoid x, sh = sinh x, ch = cosh x.)
//! In the code, `1 − σ(x)` is evaluated as `σ(−x)`, so the sigmoid and softplus derivatives
//! keep their relative accuracy for large positive `x`.

use super::scalar::Scalar;

/// An elementary function of one variable, as recorded by the tape and the jet graph.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Elementary {
    /// `tanh x`
    Tanh,
    /// `sin x`
    Sin,
    /// `cos x`
    Cos,
    /// `eˣ`
    Exp,
    /// `ln x`
    Ln,
    /// `√x`
    Sqrt,
    /// `xⁿ` for an integer constant `n`
    Powi(i32),
    /// `xᵖ` for a real constant `p`
    Powf(f64),
    /// `1/x`
    Recip,
    /// `σ(x) = 1/(1+e⁻ˣ)`
    Sigmoid,
    /// `ln(1+eˣ)`
    Softplus,
    /// `sinh x`
    Sinh,
    /// `cosh x`
    Cosh,
}

impl Elementary {
    /// Every function of the table, with representative parameters for `Powi` and `Powf`
    /// (for tests and tours).
    pub const ALL: [Elementary; 14] = [
        Elementary::Tanh,
        Elementary::Sin,
        Elementary::Cos,
        Elementary::Exp,
        Elementary::Ln,
        Elementary::Sqrt,
        Elementary::Powi(3),
        Elementary::Powi(-2),
        Elementary::Powf(2.5),
        Elementary::Recip,
        Elementary::Sigmoid,
        Elementary::Softplus,
        Elementary::Sinh,
        Elementary::Cosh,
    ];

    /// The name, as used in reports and reference files (`powi(3)`, `powf(2.5)`, …).
    pub fn name(self) -> String {
        match self {
            Elementary::Tanh => "tanh".into(),
            Elementary::Sin => "sin".into(),
            Elementary::Cos => "cos".into(),
            Elementary::Exp => "exp".into(),
            Elementary::Ln => "ln".into(),
            Elementary::Sqrt => "sqrt".into(),
            Elementary::Powi(n) => format!("powi({n})"),
            Elementary::Powf(p) => format!("powf({p})"),
            Elementary::Recip => "recip".into(),
            Elementary::Sigmoid => "sigmoid".into(),
            Elementary::Softplus => "softplus".into(),
            Elementary::Sinh => "sinh".into(),
            Elementary::Cosh => "cosh".into(),
        }
    }

    /// Whether `x` lies in the (real) domain of the function and of its first three derivatives.
    pub fn in_domain(self, x: f64) -> bool {
        match self {
            Elementary::Ln | Elementary::Sqrt | Elementary::Powf(_) => x > 0.0,
            Elementary::Recip => x != 0.0,
            Elementary::Powi(n) => n >= 0 || x != 0.0,
            _ => x.is_finite(),
        }
    }

    /// `[f(x), f′(x), f″(x), f‴(x)]`, each formula written once for every [`Scalar`].
    #[inline(always)]
    pub fn eval<S: Scalar>(self, x: S) -> [S; 4] {
        let c = S::from_f64;
        match self {
            Elementary::Tanh => {
                let t = x.apply(self);
                let d1 = S::one() - t * t;
                [t, d1, c(-2.0) * t * d1, d1 * (c(6.0) * t * t - c(2.0))]
            }
            Elementary::Sin => {
                let (s, co) = (x.apply(self), x.apply(Elementary::Cos));
                [s, co, -s, -co]
            }
            Elementary::Cos => {
                let (co, s) = (x.apply(self), x.apply(Elementary::Sin));
                [co, -s, -co, s]
            }
            Elementary::Exp => {
                let e = x.apply(self);
                [e, e, e, e]
            }
            Elementary::Ln => {
                let r = x.apply(Elementary::Recip);
                let r2 = r * r;
                [x.apply(self), r, -r2, c(2.0) * r2 * r]
            }
            Elementary::Sqrt => {
                let s = x.apply(self);
                let d1 = c(0.5) / s; // 1/(2r)
                let d2 = -d1 / (c(2.0) * x); // −1/(4 r³)
                let d3 = d2 * c(-1.5) / x; // 3/(8 r⁵)
                [s, d1, d2, d3]
            }
            Elementary::Powi(n) => {
                // Coefficients n, n(n−1), n(n−1)(n−2); a zero coefficient gives an exact 0
                // rather than 0·x⁻ᵏ (which would be NaN at x = 0).
                let n = i128::from(n); // n(n−1)(n−2) overflows i64 for |n| ≥ 2²¹
                let term = |k: i128, coeff: i128| {
                    if coeff == 0 {
                        S::zero()
                    } else {
                        c(coeff as f64) * x.apply(Elementary::Powi((n - k) as i32))
                    }
                };
                [
                    x.apply(self),
                    term(1, n),
                    term(2, n * (n - 1)),
                    term(3, n * (n - 1) * (n - 2)),
                ]
            }
            Elementary::Powf(p) => {
                let term = |k: f64, coeff: f64| {
                    if coeff == 0.0 {
                        S::zero()
                    } else {
                        c(coeff) * x.apply(Elementary::Powf(p - k))
                    }
                };
                [
                    x.apply(self),
                    term(1.0, p),
                    term(2.0, p * (p - 1.0)),
                    term(3.0, p * (p - 1.0) * (p - 2.0)),
                ]
            }
            Elementary::Recip => {
                let r = x.apply(self);
                let r2 = r * r;
                [r, -r2, c(2.0) * r2 * r, c(-6.0) * r2 * r2]
            }
            Elementary::Sigmoid => {
                // 1 − σ(x) is taken as σ(−x): computed as a difference it loses all relative
                // accuracy for large x (σ′(40) would be exactly 0 instead of 4e−18).
                let (s, sm) = (x.apply(self), (-x).apply(self));
                let d1 = s * sm;
                // 1 − 2σ = σ(−x) − σ(x); 1 − 6σ + 6σ² = 1 − 6σ(1 − σ).
                [s, d1, d1 * (sm - s), d1 * (S::one() - c(6.0) * d1)]
            }
            Elementary::Softplus => {
                // As for the sigmoid: 1 − σ(x) = σ(−x).
                let (s, sm) = (
                    x.apply(Elementary::Sigmoid),
                    (-x).apply(Elementary::Sigmoid),
                );
                let d2 = s * sm;
                [x.apply(self), s, d2, d2 * (sm - s)]
            }
            Elementary::Sinh => {
                let (sh, ch) = (x.apply(self), x.apply(Elementary::Cosh));
                [sh, ch, sh, ch]
            }
            Elementary::Cosh => {
                let (ch, sh) = (x.apply(self), x.apply(Elementary::Sinh));
                [ch, sh, ch, sh]
            }
        }
    }
}
