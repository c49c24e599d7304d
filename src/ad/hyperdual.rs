//! Hyper-dual numbers: `a + b·ε₁ + c·ε₂ + d·ε₁ε₂` with `ε₁² = ε₂² = 0`, `ε₁ε₂ ≠ 0`.
//!
//! Seeding `x + e_k ε₁ + e_l ε₂` and evaluating `f` gives the value, the two first partials
//! `∂f/∂x_k` (ε₁ part) and `∂f/∂x_l` (ε₂ part), and the **exact** second partial
//! `∂²f/∂x_k∂x_l` (ε₁ε₂ part): no subtraction, no step size, no truncation error.
//!
//! ```
//! use pinn::ad::{HyperDual, Scalar};
//! // f(x) = x³ at x = 2: f′ = 12, f″ = 12.
//! let x = HyperDual::variable(2.0_f64);
//! let y = x * x * x;
//! assert_eq!((y.re, y.e1, y.e2, y.e12), (8.0, 12.0, 12.0, 12.0));
//! ```

use core::ops::{Add, Div, Mul, Neg, Sub};

use super::ops_macro::{impl_assign_ops, impl_f64_ops};
use super::rules::Elementary;
use super::scalar::Scalar;

/// A hyper-dual number `re + e1·ε₁ + e2·ε₂ + e12·ε₁ε₂`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct HyperDual<T> {
    /// The value.
    pub re: T,
    /// The derivative along the first seeded direction.
    pub e1: T,
    /// The derivative along the second seeded direction.
    pub e2: T,
    /// The mixed second derivative along both directions.
    pub e12: T,
}

impl<T: Scalar> HyperDual<T> {
    /// `re + e1·ε₁ + e2·ε₂ + e12·ε₁ε₂`.
    pub fn new(re: T, e1: T, e2: T, e12: T) -> Self {
        HyperDual { re, e1, e2, e12 }
    }
    /// A constant.
    pub fn constant(re: T) -> Self {
        let z = T::zero();
        HyperDual::new(re, z, z, z)
    }
    /// A variable seeded in both directions (`ε₁` and `ε₂` parts 1): then `e12` is `f″`.
    pub fn variable(re: T) -> Self {
        HyperDual::new(re, T::one(), T::one(), T::zero())
    }
    /// Component `k` of a point seeded for `∂²/∂x_i∂x_j`: `ε₁` part `[k == i]`, `ε₂` part `[k == j]`.
    pub fn seeded(re: T, k: usize, i: usize, j: usize) -> Self {
        let ind = |b: bool| if b { T::one() } else { T::zero() };
        HyperDual::new(re, ind(k == i), ind(k == j), T::zero())
    }
}

impl<T: Scalar> Add for HyperDual<T> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        HyperDual::new(
            self.re + o.re,
            self.e1 + o.e1,
            self.e2 + o.e2,
            self.e12 + o.e12,
        )
    }
}
impl<T: Scalar> Sub for HyperDual<T> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        HyperDual::new(
            self.re - o.re,
            self.e1 - o.e1,
            self.e2 - o.e2,
            self.e12 - o.e12,
        )
    }
}
impl<T: Scalar> Mul for HyperDual<T> {
    type Output = Self;
    /// Leibniz: the ε₁ε₂ part is `a·d′ + a₁b₂ + a₂b₁ + a₁₂·b`.
    #[inline]
    fn mul(self, o: Self) -> Self {
        HyperDual::new(
            self.re * o.re,
            self.e1 * o.re + self.re * o.e1,
            self.e2 * o.re + self.re * o.e2,
            self.e12 * o.re + self.e1 * o.e2 + self.e2 * o.e1 + self.re * o.e12,
        )
    }
}
impl<T: Scalar> Div for HyperDual<T> {
    type Output = Self;
    /// `a / b = a · recip(b)`, with `recip` from the rules table.
    #[inline]
    #[allow(clippy::suspicious_arithmetic_impl)] // division *is* a product with the reciprocal
    fn div(self, o: Self) -> Self {
        self * o.apply(Elementary::Recip)
    }
}
impl<T: Scalar> Neg for HyperDual<T> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        HyperDual::new(-self.re, -self.e1, -self.e2, -self.e12)
    }
}
impl_assign_ops!(HyperDual);
impl_f64_ops!([T] HyperDual<T>);

impl<T: Scalar> Scalar for HyperDual<T> {
    fn from_f64(x: f64) -> Self {
        HyperDual::constant(T::from_f64(x))
    }
    fn to_f64(&self) -> f64 {
        self.re.to_f64()
    }
    /// Second-order chain rule:
    /// `f(a + a₁ε₁ + a₂ε₂ + a₁₂ε₁ε₂) = f + f′a₁ ε₁ + f′a₂ ε₂ + (f′a₁₂ + f″a₁a₂) ε₁ε₂`.
    #[inline]
    fn apply(self, f: Elementary) -> Self {
        let [f0, f1, f2, _] = f.eval(self.re);
        HyperDual::new(
            f0,
            f1 * self.e1,
            f1 * self.e2,
            f1 * self.e12 + f2 * self.e1 * self.e2,
        )
    }
}
