//! Batched Taylor jets: the fast path.
//!
//! Mainstream PINN codes get input derivatives by differentiating the graph of a graph
//! (stacked reverse mode). Here a *jet* — the value and the chosen derivatives with respect to
//! the inputs — is pushed **forward** through the network for a whole batch of points at once,
//! then **one** reverse sweep carries the loss back to the parameters `θ`.
//!
//! For a batch of `n` points and a layer of width `w`, a jet holds `C` matrices of `w × n`,
//! one per [`Component`]: the value `v`, first derivatives `d_k = ∂/∂x_k`, second derivatives
//! `s_kl = ∂²/∂x_k∂x_l`, and the Laplacian aggregate `Δ = Σ_k ∂²/∂x_k²` (one matrix, however
//! many dimensions: the "forward Laplacian"). The rules:
//!
//! - dense layer `z = W a + b`: every component maps through `W`; the bias enters `v` only.
//!   The components sit side by side, so the layer is **one GEMM** of `W` with a `w × C·n`
//!   matrix.
//! - unary `a = σ(z)`: `v = σ(z_v)`, `d_k = σ′ d_k(z)`, `s_kl = σ″ d_k(z) d_l(z) + σ′ s_kl(z)`,
//!   `Δ = σ″ Σ_k d_k(z)² + σ′ Δ(z)`, with `σ′, σ″` (and `σ‴` for the reverse sweep) from the
//!   [rules table](crate::ad::rules).
//! - product and sum of two jets: Leibniz and linearity (see the kernels' table in the source).
//!
//! The reverse sweep is each rule's adjoint; through a dense layer it is two GEMMs,
//! `W̄ += Z̄ Aᵀ` and `Ā += Wᵀ Z̄`.
//!
//! The pieces: a [`Selection`] declares the derivatives, a [`Graph`] is the network, a
//! [`JetWorkspace`] runs it. [`Graph::eval`] runs the same graph point by point on any
//! [`Scalar`](crate::ad::Scalar), which is how the batched path is tested: it agrees with
//! hyper-duals and a tape of hyper-duals to ~1e-12 in `f64`.

mod gemm;
mod graph;
mod kernels;
mod selection;
mod workspace;

pub use graph::{BiasInit, Graph, GraphBuilder, Node, NodeId, NodeOp};
pub use selection::{Component, Layout, Selection};
pub use workspace::JetWorkspace;
