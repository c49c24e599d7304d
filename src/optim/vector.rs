//! The few vector reductions the optimizers need, on plain slices.
//!
//! Sums use eight interleaved partial sums combined pairwise: the loop vectorises, and the
//! rounding error grows like `n/8` instead of `n`, which matters for `f32` and long
//! parameter vectors. (PyTorch reduces in its own order, so results agree with it to
//! rounding, not bit for bit.)

use crate::ad::Real;

const LANES: usize = 8;

/// `Σ_i f(a_i, b_i)` with eight partial sums.
#[inline]
fn reduce<T: Real>(a: &[T], b: &[T], f: impl Fn(T, T) -> T) -> T {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [T::zero(); LANES];
    let (a8, b8) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (a_tail, b_tail) = (a8.remainder(), b8.remainder());
    for (ca, cb) in a8.zip(b8) {
        for k in 0..LANES {
            acc[k] += f(ca[k], cb[k]);
        }
    }
    for (k, (&x, &y)) in a_tail.iter().zip(b_tail).enumerate() {
        acc[k] += f(x, y);
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// The dot product `a·b`.
pub(crate) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    reduce(a, b, |x, y| x * y)
}

/// The 1-norm `Σ|a_i|`.
pub(crate) fn norm1<T: Real>(a: &[T]) -> T {
    reduce(a, a, |x, _| abs(x))
}

/// The max-norm `max_i |a_i|` (0 for an empty slice).
pub(crate) fn norm_inf<T: Real>(a: &[T]) -> T {
    a.iter().fold(T::zero(), |m, &x| max(m, abs(x)))
}

/// `|x|`.
#[inline]
pub(crate) fn abs<T: Real>(x: T) -> T {
    if x < T::zero() { -x } else { x }
}

/// Python's `max(a, b)`: `b` if `b > a`, else `a` (so a NaN `a` propagates).
#[inline]
pub(crate) fn max<T: Real>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: `b` if `b < a`, else `a`.
#[inline]
pub(crate) fn min<T: Real>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_match_naive_sums() {
        let a: Vec<f64> = (0..37).map(|i| (i as f64 * 0.7).sin()).collect();
        let b: Vec<f64> = (0..37).map(|i| (i as f64 * 0.3).cos()).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-13);
        let naive1: f64 = a.iter().map(|x| x.abs()).sum();
        assert!((norm1(&a) - naive1).abs() < 1e-13);
        let m = a.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        assert_eq!(norm_inf(&a), m);
        assert_eq!(norm_inf::<f64>(&[]), 0.0);
        assert!(max(f64::NAN, 1.0).is_nan() && min(f64::NAN, 1.0).is_nan());
    }
}
