//! Problems: the PDE residual, its conditions, hard constraints, and a catalog of benchmark
//! problems with exact or reference solutions ([`problems`]).
//!
//! A [`Pde`] writes its residual **once**, as ordinary arithmetic on the derivative values at a
//! point ([`Fields`]), generic over [`Scalar`]. The trainer evaluates it on
//! plain floats for the loss and on dual numbers for the seeds `∂r/∂(u, u_x, …)` that start the
//! batched reverse sweep — and, with the PDE's own coefficients as dual numbers, for their
//! gradient (inverse problems).
//!
//! The [`problems`] catalog holds the benchmark problems of the literature (Poisson, Helmholtz,
//! heat, convection, reaction, wave, Burgers, ODEs, the Euler–Bernoulli beam,
//! Kuramoto–Sivashinsky, Allen–Cahn), each with its domain, its conditions and where they live,
//! and its exact or reference solution.
//!
//! ```
//! use pinn::ad::Scalar;
//! use pinn::pde::{Component, Fields, Pde, Residuals};
//!
//! /// Burgers: u_t + u·u_x − ν·u_xx = 0, inputs (x, t).
//! struct Burgers { nu: f64 }
//! impl Pde for Burgers {
//!     fn dim(&self) -> usize { 2 }
//!     fn components(&self) -> Vec<Component> {
//!         vec![Component::Value, Component::First(0), Component::First(1), Component::Second(0, 0)]
//!     }
//!     fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
//!         r[0] = u.d(0, 1) + u.u(0) * u.d(0, 0) - S::from_f64(self.nu) * u.d2(0, 0, 0);
//!     }
//! }
//! # let _ = Burgers { nu: 0.01 / std::f64::consts::PI };
//! ```

mod conditions;
mod fields;
mod gradient;
pub mod hard;
pub mod problems;
mod residuals;

/// The derivative values a residual can read (value, first and second partials, the
/// Laplacian, third and fourth partials, the biharmonic): declared by
/// [`Pde::components`], read through [`Fields`]. The same type as
/// [`ad::jet::Component`](crate::ad::jet::Component), re-exported here where a PDE needs it.
pub use crate::ad::jet::Component;
pub use conditions::{Condition, Func};
pub use fields::Fields;
pub(crate) use fields::normalise as normalise_component;
pub use gradient::GradientEnhanced;
pub use residuals::Residuals;

use crate::ad::Scalar;

/// A partial differential equation `𝒩[u](x) = 0`, written point-wise.
pub trait Pde: Send + Sync {
    /// Input dimension (space, then time last for evolution problems).
    fn dim(&self) -> usize;
    /// Number of network outputs (unknown fields); 1 by default.
    fn outputs(&self) -> usize {
        1
    }
    /// Number of residual equations; 1 by default.
    fn equations(&self) -> usize {
        1
    }
    /// The derivative values the residual reads (for every output).
    fn components(&self) -> Vec<Component>;
    /// The residuals `r[0..equations]` at point `x`, from the derivative values `u` and the
    /// trainable coefficients `coef` (see [`Pde::coefficients`]).
    ///
    /// `u.d(o, k)` is `∂u_o/∂x_k` (output first). `r` is indexed like a slice and starts at
    /// zero; write each of its [`Pde::equations`] entries. Reading an output or component not
    /// declared, using `r[i]` with `i ≥ equations()`, or leaving an equation unwritten is an
    /// error naming the term, the accessor or the index, never a panic or a silent zero (see
    /// [`Fields`] and [`Residuals`]).
    ///
    /// The point comes as the same scalar type as the fields, so that a residual can be
    /// differentiated with respect to `x` as a whole — source terms included (gPINN's
    /// `∂r/∂x_k`). Write source terms in `S` arithmetic (`(S::from_f64(π) * x[0]).sin()`), not
    /// through `to_f64()`, or their derivative is lost.
    ///
    /// Constants are written `S::from_f64(0.5)` (`u.d(0, 1) * S::from_f64(0.5)`): a bare `0.5`
    /// works on each concrete AD type but not on a generic `S`, see
    /// [`Scalar`'s documentation](crate::ad::Scalar#constants).
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, coef: &[S], r: &mut Residuals<'_, S>);
    /// Initial values of coefficients trained with the network (inverse problems); none by
    /// default.
    fn coefficients(&self) -> Vec<f64> {
        Vec::new()
    }
    /// A short name for reports.
    fn name(&self) -> String {
        "pde".into()
    }
}
