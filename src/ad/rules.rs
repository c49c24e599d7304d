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
//! | `abs` | \|x\| | sgn x (0 at 0) | 0 | 0 |
//! | `tan` | τ | 1+τ² | 2τ(1+τ²) | 2(1+τ²)(1+3τ²) |
//! | `atan` | atan x | q | −2xq² | (6x²−2)q³ |
//! | `ln_1p` | ln(1+x) | p | −p² | 2p³ |
//! | `erf` | erf x | g | −2xg | (4x²−2)g |
//! | `erfc` | erfc x | −g | 2xg | (2−4x²)g |
//! | `swish` | xσ | σ+xσ′ | 2σ′+xσ″ | 3σ″+xσ‴ |
//! | `gelu` | xΦ | Φ+xφ | (2−x²)φ | (x³−4x)φ |
//!
//! (t = tanh x, s = sin x, c = cos x, e = eˣ, r = √x, σ = sigmoid x with its derivatives from
//! its own row, sh = sinh x, ch = cosh x, τ = tan x, q = 1/(1+x²), p = 1/(1+x),
//! g = (2/√π) e^{−x²}, Φ(x) = ½ erfc(−x/√2) the standard normal distribution function and
//! φ(x) = e^{−x²/2}/√(2π) its density.)
//! In the code, `1 − σ(x)` is evaluated as `σ(−x)`, so the sigmoid, softplus and swish
//! derivatives keep their relative accuracy for large positive `x`; likewise `Φ` is taken from
//! `erfc`, never as `1 + erf`, so GELU keeps its relative accuracy for large negative `x`.
//!
//! **`abs` at 0.** `|x|` has no derivative at 0; the table takes `sgn 0 = 0`, the middle of the
//! subdifferential `[−1, 1]` (as PyTorch and JAX do), and `f″ = f‴ = 0` everywhere (the Dirac
//! mass of `f″` at 0 is dropped). Away from 0 every entry is exact.
//!
//! **Where the values come from.** Plain `f32`/`f64` evaluate each function with the standard
//! library, except `tanh` ([`tanh`](super::tanh): a branch-free version for the engine),
//! `erf`, `erfc` and GELU's `Φ` ([`erf`](super::erf): W. J. Cody's rational approximations, the
//! standard library has none), and the compositions `sigmoid`, `softplus`, `swish`, `gelu`.
//! `f32` computes `erf`, `erfc` and `gelu` in `f64` and rounds.

use super::scalar::Scalar;

/// `1/√(2π)`.
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

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
    /// `|x|` (derivative `sgn x`, taken as 0 at 0; see the module documentation)
    Abs,
    /// `tan x`
    Tan,
    /// `atan x` (the principal branch, in `(−π/2, π/2)`)
    Atan,
    /// `ln(1 + x)` (C's `log1p`), accurate for small `x`
    Ln1p,
    /// The error function `erf x = (2/√π) ∫₀ˣ e^{−t²} dt`
    Erf,
    /// The complementary error function `erfc x = 1 − erf x`
    Erfc,
    /// Swish / SiLU `x·σ(x)` (Ramachandran, Zoph & Le 2017; Elfwing, Uchibe & Doya 2018)
    Swish,
    /// GELU `x·Φ(x)`, exact form with the standard normal distribution function
    /// `Φ(x) = ½ erfc(−x/√2)` (Hendrycks & Gimpel 2016), not the `tanh` approximation
    Gelu,
}

impl Elementary {
    /// Every function of the table, with representative parameters for `Powi` and `Powf`
    /// (for tests and tours).
    pub const ALL: [Elementary; 22] = [
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
        Elementary::Abs,
        Elementary::Tan,
        Elementary::Atan,
        Elementary::Ln1p,
        Elementary::Erf,
        Elementary::Erfc,
        Elementary::Swish,
        Elementary::Gelu,
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
            Elementary::Abs => "abs".into(),
            Elementary::Tan => "tan".into(),
            Elementary::Atan => "atan".into(),
            Elementary::Ln1p => "ln_1p".into(),
            Elementary::Erf => "erf".into(),
            Elementary::Erfc => "erfc".into(),
            Elementary::Swish => "swish".into(),
            Elementary::Gelu => "gelu".into(),
        }
    }

    /// Whether `x` lies in the (real) domain of the function and of its first three derivatives.
    pub fn in_domain(self, x: f64) -> bool {
        match self {
            Elementary::Ln | Elementary::Sqrt | Elementary::Powf(_) => x > 0.0,
            Elementary::Recip => x != 0.0,
            Elementary::Powi(n) => n >= 0 || x != 0.0,
            Elementary::Ln1p => x > -1.0,
            // tan x has poles at (k + ½)π, which no float hits exactly.
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
            Elementary::Abs => {
                // sgn x from the primal value (through any nesting), 0 at 0.
                let v = x.to_f64();
                let sign = if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    v // ±0, or NaN
                };
                [x.apply(self), c(sign), S::zero(), S::zero()]
            }
            Elementary::Tan => {
                let t = x.apply(self);
                let d1 = S::one() + t * t;
                [
                    t,
                    d1,
                    c(2.0) * t * d1,
                    c(2.0) * d1 * (S::one() + c(3.0) * t * t),
                ]
            }
            Elementary::Atan => {
                let q = (S::one() + x * x).apply(Elementary::Recip);
                let q2 = q * q;
                [
                    x.apply(self),
                    q,
                    c(-2.0) * x * q2,
                    (c(6.0) * x * x - c(2.0)) * q2 * q,
                ]
            }
            Elementary::Ln1p => {
                let p = (S::one() + x).apply(Elementary::Recip);
                let p2 = p * p;
                [x.apply(self), p, -p2, c(2.0) * p2 * p]
            }
            Elementary::Erf | Elementary::Erfc => {
                // g = (2/√π) e^{−x²}; erfc′ = −erf′.
                let g = c(core::f64::consts::FRAC_2_SQRT_PI) * (-(x * x)).apply(Elementary::Exp);
                let d1 = if self == Elementary::Erf { g } else { -g };
                [
                    x.apply(self),
                    d1,
                    c(-2.0) * x * d1,
                    (c(4.0) * x * x - c(2.0)) * d1,
                ]
            }
            Elementary::Swish => {
                // σ and its derivatives as in the sigmoid row, with 1 − σ(x) = σ(−x).
                let (s, sm) = (
                    x.apply(Elementary::Sigmoid),
                    (-x).apply(Elementary::Sigmoid),
                );
                let s1 = s * sm;
                let s2 = s1 * (sm - s);
                let s3 = s1 * (S::one() - c(6.0) * s1);
                [
                    x.apply(self),
                    s + x * s1,
                    c(2.0) * s1 + x * s2,
                    c(3.0) * s2 + x * s3,
                ]
            }
            Elementary::Gelu => {
                // Φ(x) = ½ erfc(−x/√2) (no cancellation for x ≪ 0), φ(x) = e^{−x²/2}/√(2π).
                let phi_cdf =
                    c(0.5) * (x * c(-core::f64::consts::FRAC_1_SQRT_2)).apply(Elementary::Erfc);
                let phi = c(FRAC_1_SQRT_2PI) * (c(-0.5) * x * x).apply(Elementary::Exp);
                let x2 = x * x;
                [
                    x.apply(self),
                    phi_cdf + x * phi,
                    (c(2.0) - x2) * phi,
                    x * (x2 - c(4.0)) * phi,
                ]
            }
        }
    }
}
