//! Automatic differentiation, from scratch.
//!
//! Two paths share one [rules table](rules):
//!
//! - **The scalar path** — readable, nestable, the oracle for everything else:
//!   [`Dual`] (forward mode, first derivatives), [`HyperDual`] (exact second and mixed
//!   partials), the reverse [`Tape`] with its [`Var`]s, and the one-call operators
//!   [`derivative`], [`gradient`], [`jacobian`], [`hessian`], [`laplacian`] and
//!   [`hessian_vector_product`]. Every type is generic over [`Scalar`], so they nest:
//!   `Dual<Dual<f64>>`, a `Tape<HyperDual<f64>>` for the parameter gradient of a second
//!   derivative, a `Tape<Dual<f64>>` for Hessian-vector products.
//! - **The batched path** ([`jet`]) — the fast one: truncated Taylor jets (value, chosen first
//!   and second derivatives, a Laplacian aggregate, third and fourth partials, a biharmonic
//!   aggregate) pushed through a network for a whole batch of points, one GEMM per dense layer,
//!   then one reverse sweep to the parameters.
//!
//! The crate's tutorial ([`crate::tutorial`]) walks through both.

mod dual;
pub mod erf;
mod functions;
mod hyperdual;
mod ops_macro;
pub mod rules;
mod scalar;
pub mod tanh;
mod tape;

pub mod jet;

pub use dual::Dual;
pub use functions::{derivative, gradient, hessian, hessian_vector_product, jacobian, laplacian};
pub use hyperdual::HyperDual;
pub use rules::Elementary;
pub use scalar::{Real, Scalar};
pub use tape::{Gradient, Op, Tape, Var};
