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
