//! Dual numbers: `a + b·ε` with `ε² = 0`, forward-mode first derivatives.
//!
//! Evaluating `f(x + ε)` gives `f(x) + f′(x)·ε`: the derivative rides along with the value.
//! The type is generic over any [`Scalar`], so `Dual<Dual<f64>>` gives second derivatives and
//! `Dual<HyperDual<f64>>` third ones.
//!
//! ```
//! use pinn::ad::{Dual, Scalar};
//! let x = Dual::variable(0.5_f64);
//! let y = x.sin() * x; // y = x sin x
//! assert!((y.eps - (0.5_f64.cos() * 0.5 + 0.5_f64.sin())).abs() < 1e-15);
//! ```

use core::ops::{Add, Div, Mul, Neg, Sub};

use super::ops_macro::{impl_assign_ops, impl_f64_ops};
use super::rules::Elementary;
use super::scalar::Scalar;

/// A dual number `re + eps·ε` (`ε² = 0`): a value and one directional derivative.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// The derivative along the seeded direction.
    pub eps: T,
}

impl<T: Scalar> Dual<T> {
    /// `re + eps·ε`.
    pub fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }
    /// A constant: derivative part 0.
    pub fn constant(re: T) -> Self {
        Dual { re, eps: T::zero() }
    }
    /// The independent variable: derivative part 1.
    pub fn variable(re: T) -> Self {
        Dual { re, eps: T::one() }
    }
}

impl<T: Scalar> Add for Dual<T> {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Dual::new(self.re + o.re, self.eps + o.eps)
    }
}
impl<T: Scalar> Sub for Dual<T> {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Dual::new(self.re - o.re, self.eps - o.eps)
    }
}
impl<T: Scalar> Mul for Dual<T> {
    type Output = Self;
    /// `(a + a′ε)(b + b′ε) = ab + (a′b + ab′)ε`
    #[inline]
    fn mul(self, o: Self) -> Self {
        Dual::new(self.re * o.re, self.eps * o.re + self.re * o.eps)
    }
}
impl<T: Scalar> Div for Dual<T> {
    type Output = Self;
    /// `(a + a′ε)/(b + b′ε) = a/b + (a′b − ab′)/b² ε`
    #[inline]
    fn div(self, o: Self) -> Self {
        let inv = T::one() / o.re;
        let q = self.re * inv;
        Dual::new(q, (self.eps - q * o.eps) * inv)
    }
}
impl<T: Scalar> Neg for Dual<T> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Dual::new(-self.re, -self.eps)
    }
}
impl_assign_ops!(Dual);
impl_f64_ops!([T] Dual<T>);

impl<T: Scalar> Scalar for Dual<T> {
    fn from_f64(x: f64) -> Self {
        Dual::constant(T::from_f64(x))
    }
    fn to_f64(&self) -> f64 {
        self.re.to_f64()
    }
    /// Chain rule: `f(a + a′ε) = f(a) + f′(a)·a′ ε`.
    #[inline]
    fn apply(self, f: Elementary) -> Self {
        let [f0, f1, _, _] = f.eval(self.re);
        Dual::new(f0, f1 * self.eps)
    }
}
