//! The number types every AD type is generic over.
//!
//! [`Scalar`] is what the rules table, [`Dual`](crate::ad::Dual),
//! [`HyperDual`](crate::ad::HyperDual) and the tape's [`Var`](crate::ad::Var) need: the field
//! operations, constants from `f64`, and one primitive, [`Scalar::apply`], that evaluates an
//! [`Elementary`] function. Every named function (`tanh`, `sin`, …) is a provided method that
//! calls `apply`, so a new AD type implements the chain rule once, in `apply`, and gets the
//! whole table.
//!
//! [`Real`] is a plain floating-point number (`f32` or `f64`) that the batched jet engine can
//! hand to a dense matrix product.

use core::fmt::Debug;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use super::rules::Elementary;

/// A number the automatic differentiation can compute with: `f32`, `f64`, or an AD type
/// built on one of them (`Dual<f64>`, `HyperDual<Dual<f64>>`, `Var<'_, HyperDual<f64>>`, …).
///
/// # Constants
///
/// Every AD type mixes with plain `f64` constants on either side (`u * 2.0`, `2.0 * u`,
/// `u + 1.0`, `1.0 / u`, `u -= 0.5`), so a closure handed to [`derivative`](crate::ad::derivative)
/// or [`gradient`](crate::ad::gradient) reads like the formula:
///
/// ```
/// use pinn::ad::{derivative, gradient, Scalar};
/// let (f, df) = derivative(|x| 3.0 * x * x - x / 2.0 + 1.0, 2.0);
/// assert_eq!((f, df), (12.0, 11.5));
/// let (_, g) = gradient(|x| 2.0 * x[0] * x[1] + x[1].sin() * 0.5, &[1.0, 0.0]);
/// assert_eq!(g, vec![0.0, 2.5]);
/// ```
///
/// **In code generic over `S: Scalar`** — a [`Pde::residual`](crate::pde::Pde::residual), or
/// any function written once for every AD type — write constants as `S::from_f64(0.5)`:
/// `u.d(0, 1) * S::from_f64(0.5)`, `S::from_f64(2.0) * u`. A bare `0.5` cannot work there,
/// because `f32` is a `Scalar` too and Rust allows nobody outside the standard library to
/// define `f32 * f64`, so `Scalar` cannot promise `S * f64` for every `S`. `S::from_f64`
/// costs nothing: for plain floats it is the number itself, for AD types a constant with zero
/// derivative parts.
///
/// ```
/// use pinn::ad::{Dual, Scalar};
/// fn burgers_flux<S: Scalar>(u: S) -> S {
///     u * u * S::from_f64(0.5) // ½u², generic
/// }
/// let d = burgers_flux(Dual::variable(3.0));
/// assert_eq!((d.re, d.eps), (4.5, 3.0));
/// ```
pub trait Scalar:
    Copy
    + Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
{
    /// The constant `x` (all derivative parts zero). This is how code generic over `S: Scalar`
    /// writes a number: `u * S::from_f64(0.5)` (see [Constants](Scalar#constants) for why a
    /// bare `0.5` works only on the concrete AD types).
    fn from_f64(x: f64) -> Self;

    /// The primal value as an `f64`: the real part, through any nesting.
    fn to_f64(&self) -> f64;

    /// Evaluates the elementary function `f`. For plain floats this calls the library
    /// function; for AD types it applies the chain rule with the derivatives from the
    /// rules table ([`Elementary::eval`]).
    fn apply(self, f: Elementary) -> Self;

    /// The constant 0.
    fn zero() -> Self {
        Self::from_f64(0.0)
    }
    /// The constant 1.
    fn one() -> Self {
        Self::from_f64(1.0)
    }
    /// Hyperbolic tangent.
    fn tanh(self) -> Self {
        self.apply(Elementary::Tanh)
    }
    /// Sine.
    fn sin(self) -> Self {
        self.apply(Elementary::Sin)
    }
    /// Cosine.
    fn cos(self) -> Self {
        self.apply(Elementary::Cos)
    }
    /// Exponential `eˣ`.
    fn exp(self) -> Self {
        self.apply(Elementary::Exp)
    }
    /// Natural logarithm.
    fn ln(self) -> Self {
        self.apply(Elementary::Ln)
    }
    /// Square root.
    fn sqrt(self) -> Self {
        self.apply(Elementary::Sqrt)
    }
    /// Integer power `xⁿ`.
    fn powi(self, n: i32) -> Self {
        self.apply(Elementary::Powi(n))
    }
    /// Real power `xᵖ` with a constant exponent `p` (use `(y * x.ln()).exp()` for a variable one).
    fn powf(self, p: f64) -> Self {
        self.apply(Elementary::Powf(p))
    }
    /// Reciprocal `1/x`.
    fn recip(self) -> Self {
        self.apply(Elementary::Recip)
    }
    /// Logistic sigmoid `1/(1+e⁻ˣ)`.
    fn sigmoid(self) -> Self {
        self.apply(Elementary::Sigmoid)
    }
    /// Softplus `ln(1+eˣ)`.
    fn softplus(self) -> Self {
        self.apply(Elementary::Softplus)
    }
    /// Hyperbolic sine.
    fn sinh(self) -> Self {
        self.apply(Elementary::Sinh)
    }
    /// Hyperbolic cosine.
    fn cosh(self) -> Self {
        self.apply(Elementary::Cosh)
    }
    /// Absolute value `|x|`; its derivative is `sgn x`, taken as 0 at 0 (see
    /// [`rules`](super::rules)).
    fn abs(self) -> Self {
        self.apply(Elementary::Abs)
    }
    /// Tangent.
    fn tan(self) -> Self {
        self.apply(Elementary::Tan)
    }
    /// Arc tangent (principal branch).
    fn atan(self) -> Self {
        self.apply(Elementary::Atan)
    }
    /// `ln(1 + x)`, accurate for small `x` (C's `log1p`).
    fn ln_1p(self) -> Self {
        self.apply(Elementary::Ln1p)
    }
    /// The error function `erf x = (2/√π) ∫₀ˣ e^{−t²} dt` ([`erf`](super::erf::erf)).
    fn erf(self) -> Self {
        self.apply(Elementary::Erf)
    }
    /// The complementary error function `erfc x = 1 − erf x` ([`erfc`](super::erf::erfc)).
    fn erfc(self) -> Self {
        self.apply(Elementary::Erfc)
    }
    /// Swish / SiLU `x·σ(x)`.
    fn swish(self) -> Self {
        self.apply(Elementary::Swish)
    }
    /// GELU `x·Φ(x)`, exact (erf) form.
    fn gelu(self) -> Self {
        self.apply(Elementary::Gelu)
    }
}

/// A plain floating-point number, `f32` or `f64`: what the batched jet engine stores in its
/// matrices and multiplies with nalgebra's GEMM.
pub trait Real: Scalar + PartialOrd + Default + core::fmt::Display + Send + Sync + 'static {
    /// The name of the type, `"f32"` or `"f64"`, for reports.
    const NAME: &'static str;
    /// Machine epsilon of the type, as an `f64`.
    const EPSILON: f64;
    /// Whether the number is neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// `self·a + b` rounded once (IEEE 754 fusedMultiplyAdd): the CPU's FMA instruction where
    /// the code is compiled for one, a correctly rounded software routine elsewhere.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// `C ← α·A·B + β·C` through the jet engine's tiled kernel, shapes as in
    /// [`gemm_strided`](Real::gemm_strided) (`B` with a unit row or column stride); `fast`
    /// rounds `a·b + c` once where the instruction set has an FMA (`ProductMode::Fast`);
    /// `scratch` is the packing buffer.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    fn tiled_gemm(
        alpha: Self,
        a: &[Self],
        a_shape: (usize, usize, usize, usize),
        b: &[Self],
        b_shape: (usize, usize, usize),
        beta: Self,
        c: &mut [Self],
        fast: bool,
        scratch: &mut Vec<Self>,
    );
    /// `C ← α·A·B + β·C` through nalgebra's GEMM (matrixmultiply's kernels), where `A` is
    /// `m × k` with element `(i, j)` at `a[i·rsa + j·csa]`, `B` likewise `k × n`, and `C` is
    /// column-major `m × n`. Every dimension must exceed 5 (nalgebra's own small-size path does
    /// not handle strided views); the crate's jet engine ensures this.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    fn gemm_strided(
        alpha: Self,
        a: &[Self],
        a_shape: (usize, usize, usize, usize),
        b: &[Self],
        b_shape: (usize, usize, usize),
        beta: Self,
        c: &mut [Self],
    );
}

macro_rules! impl_float {
    ($t:ty, $name:literal, $tanh:path) => {
        impl Scalar for $t {
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(&self) -> f64 {
                *self as f64
            }
            #[inline(always)]
            fn apply(self, f: Elementary) -> Self {
                let x = self;
                // Evaluated with a non-positive exponent so exp never overflows.
                let sigmoid = |x: $t| {
                    if x >= 0.0 {
                        1.0 / (1.0 + <$t>::exp(-x))
                    } else {
                        let e = <$t>::exp(x);
                        e / (1.0 + e)
                    }
                };
                match f {
                    Elementary::Tanh => $tanh(x),
                    Elementary::Sin => <$t>::sin(x),
                    Elementary::Cos => <$t>::cos(x),
                    Elementary::Exp => <$t>::exp(x),
                    Elementary::Ln => <$t>::ln(x),
                    Elementary::Sqrt => <$t>::sqrt(x),
                    Elementary::Powi(n) => <$t>::powi(x, n),
                    Elementary::Powf(p) => <$t>::powf(x, p as $t),
                    Elementary::Recip => 1.0 / x,
                    Elementary::Sigmoid => sigmoid(x),
                    Elementary::Softplus => {
                        // ln(1+eˣ) = max(x,0) + ln(1+e^{-|x|}).
                        x.max(0.0) + <$t>::ln_1p(<$t>::exp(-x.abs()))
                    }
                    Elementary::Sinh => <$t>::sinh(x),
                    Elementary::Cosh => <$t>::cosh(x),
                    Elementary::Abs => <$t>::abs(x),
                    Elementary::Tan => <$t>::tan(x),
                    Elementary::Atan => <$t>::atan(x),
                    Elementary::Ln1p => <$t>::ln_1p(x),
                    Elementary::Erf => super::erf::erf(x as f64) as $t,
                    Elementary::Erfc => super::erf::erfc(x as f64) as $t,
                    Elementary::Swish => x * sigmoid(x),
                    Elementary::Gelu => (x as f64 * super::erf::normal_cdf(x as f64)) as $t,
                }
            }
        }

        impl Real for $t {
            const NAME: &'static str = $name;
            const EPSILON: f64 = <$t>::EPSILON as f64;
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            fn tiled_gemm(
                alpha: Self,
                a: &[Self],
                (m, k, rs, cs): (usize, usize, usize, usize),
                b: &[Self],
                (n, brs, bcs): (usize, usize, usize),
                beta: Self,
                c: &mut [Self],
                fast: bool,
                scratch: &mut Vec<Self>,
            ) {
                use crate::ad::jet::gemm::MatRef;
                let a = MatRef::strided(a, (m, k), (rs, cs));
                let b = MatRef::strided(b, (k, n), (brs, bcs));
                crate::ad::jet::thin::gemm(alpha, a, b, beta, c, fast, scratch);
            }
            fn gemm_strided(
                alpha: Self,
                a: &[Self],
                (m, k, rsa, csa): (usize, usize, usize, usize),
                b: &[Self],
                (n, rsb, csb): (usize, usize, usize),
                beta: Self,
                c: &mut [Self],
            ) {
                let av = nalgebra::DMatrixView::from_slice_with_strides(a, m, k, rsa, csa);
                let bv = nalgebra::DMatrixView::from_slice_with_strides(b, k, n, rsb, csb);
                let mut cv = nalgebra::DMatrixViewMut::from_slice(&mut c[..m * n], m, n);
                cv.gemm(alpha, &av, &bv, beta);
            }
        }
    };
}

impl_float!(f32, "f32", super::tanh::tanh_f32);
impl_float!(f64, "f64", super::tanh::tanh);
