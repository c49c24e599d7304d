//! What an optimizer minimises: a function that returns its value and writes its gradient.

use crate::ad::Real;
use crate::{Error, Result};

/// A differentiable objective `f: ℝⁿ → ℝ`, evaluated together with its gradient.
///
/// [`eval`](Objective::eval) returns `f(x)` and writes `∇f(x)` into `grad` (same length as
/// `x`). The optimizers zero `grad` before every call, so an implementation may either
/// overwrite it or accumulate into it. An error returned here (a trainer's own
/// "non-finite loss", an I/O failure, …) is passed through the optimizer unchanged.
///
/// Every closure `FnMut(&[T], &mut [T]) -> Result<T>` is an objective, and so is a plain
/// function with that signature:
///
/// ```
/// use pinn::optim::Objective;
///
/// fn sphere(x: &[f64], g: &mut [f64]) -> pinn::Result<f64> {
///     g.iter_mut().zip(x).for_each(|(g, x)| *g = 2.0 * x);
///     Ok(x.iter().map(|x| x * x).sum())
/// }
/// let mut grad = [0.0; 2];
/// assert_eq!(sphere.eval(&[1.0, 2.0], &mut grad)?, 5.0);
/// assert_eq!(grad, [2.0, 4.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub trait Objective<T> {
    /// Returns `f(x)` and writes `∇f(x)` into `grad`.
    fn eval(&mut self, x: &[T], grad: &mut [T]) -> Result<T>;
}

impl<T, F> Objective<T> for F
where
    F: FnMut(&[T], &mut [T]) -> Result<T>,
{
    fn eval(&mut self, x: &[T], grad: &mut [T]) -> Result<T> {
        self(x, grad)
    }
}

/// Evaluates `obj` at `x` with `grad` zeroed first, and refuses a NaN or infinite value or
/// gradient with [`Error::NonFinite`] (tagged with the optimizer's `step`).
pub(crate) fn eval_checked<T: Real>(
    obj: &mut dyn Objective<T>,
    x: &[T],
    grad: &mut [T],
    step: u64,
) -> Result<T> {
    grad.fill(T::zero());
    let f = obj.eval(x, grad)?;
    if !f.is_finite() {
        return Err(Error::NonFinite {
            term: format!("loss ({f})"),
            step: step as usize,
        });
    }
    if let Some(i) = grad.iter().position(|g| !g.is_finite()) {
        return Err(Error::NonFinite {
            term: format!("gradient[{i}] ({})", grad[i]),
            step: step as usize,
        });
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_checked_zeroes_the_gradient_and_refuses_non_finite_values() {
        let mut accumulate = |x: &[f64], g: &mut [f64]| {
            g[0] += x[0];
            Ok(x[0])
        };
        let mut g = [7.0];
        assert_eq!(eval_checked(&mut accumulate, &[2.0], &mut g, 0), Ok(2.0));
        assert_eq!(g, [2.0]);
        let mut nan = |_: &[f64], _: &mut [f64]| Ok(f64::NAN);
        let err = eval_checked(&mut nan, &[2.0], &mut g, 4).unwrap_err();
        assert_eq!(
            err.to_string(),
            "non-finite value at step 4 in `loss (NaN)`"
        );
        let mut inf = |_: &[f32], g: &mut [f32]| {
            g[0] = f32::NEG_INFINITY;
            Ok(1.0_f32)
        };
        let err = eval_checked(&mut inf, &[2.0], &mut [0.0], 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "non-finite value at step 1 in `gradient[0] (-inf)`"
        );
    }
}
