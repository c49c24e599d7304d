//! Derivatives of ordinary functions, in one call each.
//!
//! Write the function once, generic over [`Scalar`], and pick the operator:
//!
//! | call | mode | cost (n inputs) |
//! |---|---|---|
//! | [`derivative`] | forward, [`Dual`] | 1 pass |
//! | [`gradient`] | reverse, [`Tape`] | 1 forward + 1 backward pass |
//! | [`jacobian`] | forward, [`Dual`] | n passes |
//! | [`hessian`] | forward, [`HyperDual`] | n(n+1)/2 passes |
//! | [`laplacian`] | forward, [`HyperDual`] | n passes |
//! | [`hessian_vector_product`] | forward over reverse, [`Tape`] of [`Dual`] | 1 + 1 pass |
//!
//! ```
//! use pinn::ad::{gradient, hessian, Scalar};
//! fn rosenbrock<S: Scalar>(x: &[S]) -> S {
//!     let (a, b) = (S::from_f64(1.0) - x[0], x[1] - x[0] * x[0]);
//!     a * a + S::from_f64(100.0) * b * b
//! }
//! let (f, g) = gradient(|x| rosenbrock(x), &[1.0, 1.0]);
//! assert_eq!((f, g), (0.0, vec![0.0, 0.0]));
//! let (_, _, h) = hessian(|x| rosenbrock(x), &[1.0_f64, 1.0]);
//! assert_eq!(h, vec![vec![802.0, -400.0], vec![-400.0, 200.0]]);
//! ```

use super::dual::Dual;
use super::hyperdual::HyperDual;
use super::scalar::Scalar;
use super::tape::{Tape, Var};
use crate::error::{Result, check_len};

/// `(f(x), f′(x))` of a function of one variable, by one dual-number pass.
pub fn derivative<T: Scalar>(f: impl Fn(Dual<T>) -> Dual<T>, x: T) -> (T, T) {
    let y = f(Dual::variable(x));
    (y.re, y.eps)
}

/// `(f(x), ∇f(x))` by reverse mode: one recording, one backward sweep, whatever the dimension.
pub fn gradient<T, F>(f: F, x: &[T]) -> (T, Vec<T>)
where
    T: Scalar,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars = tape.vars(x);
    let y = f(&vars);
    (y.value(), tape.gradient(y).wrt_all(&vars))
}

/// `(f(x), J)` of a vector function, `J[i][j] = ∂f_i/∂x_j`, by one dual pass per input.
pub fn jacobian<T: Scalar>(
    f: impl Fn(&[Dual<T>]) -> Vec<Dual<T>>,
    x: &[T],
) -> (Vec<T>, Vec<Vec<T>>) {
    let mut value = Vec::new();
    let mut jac: Vec<Vec<T>> = Vec::new();
    for j in 0..x.len() {
        let seeded: Vec<Dual<T>> = (0..x.len())
            .map(|k| Dual::new(x[k], if k == j { T::one() } else { T::zero() }))
            .collect();
        let y = f(&seeded);
        if j == 0 {
            value = y.iter().map(|d| d.re).collect();
            jac = vec![vec![T::zero(); x.len()]; y.len()];
        }
        for (row, d) in jac.iter_mut().zip(&y) {
            row[j] = d.eps;
        }
    }
    if x.is_empty() {
        value = f(&[]).iter().map(|d| d.re).collect();
        jac = vec![Vec::new(); value.len()];
    }
    (value, jac)
}

/// `(f(x), ∇f(x), ∇²f(x))` with exact second partials: one hyper-dual pass per pair `k ≤ l`,
/// mirrored, so the Hessian is symmetric by construction.
#[allow(clippy::needless_range_loop)] // the symmetric fill reads best with indices
pub fn hessian<T: Scalar>(
    f: impl Fn(&[HyperDual<T>]) -> HyperDual<T>,
    x: &[T],
) -> (T, Vec<T>, Vec<Vec<T>>) {
    let n = x.len();
    let mut grad = vec![T::zero(); n];
    let mut hess = vec![vec![T::zero(); n]; n];
    let mut value = None;
    for k in 0..n {
        for l in k..n {
            let y = f(&seed(x, k, l));
            value.get_or_insert(y.re);
            if k == l {
                grad[k] = y.e1;
            }
            hess[k][l] = y.e12;
            hess[l][k] = y.e12;
        }
    }
    let value = value.unwrap_or_else(|| f(&[]).re);
    (value, grad, hess)
}

/// `(f(x), Δf(x) = Σ_k ∂²f/∂x_k²)` by one hyper-dual pass per input.
pub fn laplacian<T: Scalar>(f: impl Fn(&[HyperDual<T>]) -> HyperDual<T>, x: &[T]) -> (T, T) {
    let mut value = None;
    let mut lap = T::zero();
    for k in 0..x.len() {
        let y = f(&seed(x, k, k));
        value.get_or_insert(y.re);
        lap += y.e12;
    }
    (value.unwrap_or_else(|| f(&[]).re), lap)
}

/// `∇²f(x)·v` by forward over reverse: a tape of dual numbers whose inputs carry `x + v ε`;
/// the `ε` parts of the adjoints are the Hessian-vector product. Costs about two gradients,
/// never forms the Hessian.
///
/// [`Error::DimensionMismatch`](crate::Error::DimensionMismatch) if `v` and `x` differ in
/// length.
///
/// ```
/// use pinn::ad::{hessian_vector_product, Scalar};
/// // f = x₀²x₁: H = [[2x₁, 2x₀], [2x₀, 0]].
/// let hv = hessian_vector_product(|x| x[0] * x[0] * x[1], &[1.0, 2.0], &[1.0, -1.0])?;
/// assert_eq!(hv, vec![4.0 - 2.0, 2.0]);
/// assert!(hessian_vector_product(|x| x[0], &[1.0, 2.0], &[1.0]).is_err());
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn hessian_vector_product<T, F>(f: F, x: &[T], v: &[T]) -> Result<Vec<T>>
where
    T: Scalar,
    F: for<'t> Fn(&[Var<'t, Dual<T>>]) -> Var<'t, Dual<T>>,
{
    check_len(
        "hessian_vector_product: direction v (one entry per x)",
        x.len(),
        v.len(),
    )?;
    let tape = Tape::new();
    let seeded: Vec<Dual<T>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, b)).collect();
    let vars = tape.vars(&seeded);
    let y = f(&vars);
    // One tape, and `f` cannot capture another tape's variables (its lifetime is
    // universally quantified), so neither the sweep nor the look-ups can fail.
    let g = tape.try_gradient(y)?;
    vars.iter().map(|&xi| Ok(g.try_wrt(xi)?.eps)).collect()
}

/// The point `x` as hyper-duals seeded for `∂²/∂x_k∂x_l`.
fn seed<T: Scalar>(x: &[T], k: usize, l: usize) -> Vec<HyperDual<T>> {
    x.iter()
        .enumerate()
        .map(|(i, &xi)| HyperDual::seeded(xi, i, k, l))
        .collect()
}
