//! One macro that gives an AD number type its compound-assignment operators, so each type
//! writes only `+ − × ÷` and negation.

/// Implements `+=`, `-=`, `*=`, `/=` for a generic AD type from its binary operators.
macro_rules! impl_assign_ops {
    ($ty:ident) => {
        impl<T: $crate::ad::Scalar> core::ops::AddAssign for $ty<T> {
            #[inline]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }
        impl<T: $crate::ad::Scalar> core::ops::SubAssign for $ty<T> {
            #[inline]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }
        impl<T: $crate::ad::Scalar> core::ops::MulAssign for $ty<T> {
            #[inline]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }
        impl<T: $crate::ad::Scalar> core::ops::DivAssign for $ty<T> {
            #[inline]
            fn div_assign(&mut self, rhs: Self) {
                *self = *self / rhs;
            }
        }
    };
}
pub(crate) use impl_assign_ops;

/// Implements `+ − × ÷` (and `+= −= ×= ÷=`) between an AD number type and plain `f64`
/// constants, on either side: `u * 2.0`, `2.0 * u`, `u + 1.0`, `1.0 / u`, `u -= 0.5`. The `f64`
/// becomes the type's constant ([`Scalar::from_f64`](crate::ad::Scalar::from_f64): derivative
/// parts zero, converted to `f32` for an `f32` base), then the type's own operator runs, so the
/// result is exactly that of `u * T::from_f64(2.0)`.
///
/// Called as `impl_f64_ops!([generics] Type)`, e.g. `impl_f64_ops!([T] Dual<T>)`.
macro_rules! impl_f64_ops {
    ([$($gen:tt)*] $ty:ty) => {
        $crate::ad::ops_macro::impl_f64_ops!(@op [$($gen)*] $ty, Add, add, AddAssign, add_assign, +);
        $crate::ad::ops_macro::impl_f64_ops!(@op [$($gen)*] $ty, Sub, sub, SubAssign, sub_assign, -);
        $crate::ad::ops_macro::impl_f64_ops!(@op [$($gen)*] $ty, Mul, mul, MulAssign, mul_assign, *);
        $crate::ad::ops_macro::impl_f64_ops!(@op [$($gen)*] $ty, Div, div, DivAssign, div_assign, /);
    };
    (@op [$($gen:tt)*] $ty:ty, $tr:ident, $m:ident, $tra:ident, $ma:ident, $op:tt) => {
        impl<$($gen)*> core::ops::$tr<f64> for $ty
        where
            $ty: $crate::ad::Scalar,
        {
            type Output = $ty;
            #[inline]
            fn $m(self, rhs: f64) -> $ty {
                self $op <$ty as $crate::ad::Scalar>::from_f64(rhs)
            }
        }
        impl<$($gen)*> core::ops::$tr<$ty> for f64
        where
            $ty: $crate::ad::Scalar,
        {
            type Output = $ty;
            #[inline]
            fn $m(self, rhs: $ty) -> $ty {
                <$ty as $crate::ad::Scalar>::from_f64(self) $op rhs
            }
        }
        impl<$($gen)*> core::ops::$tra<f64> for $ty
        where
            $ty: $crate::ad::Scalar,
        {
            #[inline]
            fn $ma(&mut self, rhs: f64) {
                *self = *self $op <$ty as $crate::ad::Scalar>::from_f64(rhs);
            }
        }
    };
}
pub(crate) use impl_f64_ops;
