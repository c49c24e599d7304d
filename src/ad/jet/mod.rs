//! Batched Taylor jets: the fast path.
//!
//! Mainstream PINN codes get input derivatives by differentiating the graph of a graph
//! (stacked reverse mode). Here a *jet* — the value and the chosen derivatives with respect to
//! the inputs — is pushed **forward** through the network for a whole batch of points at once,
//! then **one** reverse sweep carries the loss back to the parameters `θ`.
//!
//! For a batch of `n` points and a layer of width `w`, a jet holds `C` matrices of `w × n`,
//! one per [`Component`]: the value `v`, first derivatives `d_k = ∂/∂x_k`, second derivatives
//! `s_kl = ∂²/∂x_k∂x_l`, the Laplacian aggregate `Δ = Σ_k ∂²/∂x_k²` (one matrix, however
//! many dimensions: the "forward Laplacian"), then any third and fourth partials
//! `t_klm = ∂³/∂x_k∂x_l∂x_m`, `q_klmn = ∂⁴/∂x_k∂x_l∂x_m∂x_n` (diagonal or mixed), together
//! with every lower partial they are built from (see [`Layout`]). The biharmonic operator
//! `Δ² = Σ_k ∂⁴/∂x_k⁴ + 2 Σ_{k<l} ∂⁴/∂x_k²∂x_l²` is the sum of carried fourth partials,
//! formed after the forward pass. The rules:
//!
//! - dense layer `z = W a + b`: every component maps through `W`; the bias enters `v` only.
//!   The components sit side by side, so the layer is **one GEMM** of `W` with a `w × C·n`
//!   matrix.
//! - unary `a = σ(z)`: `v = σ(z_v)`, `d_k = σ′ d_k(z)`, `s_kl = σ″ d_k(z) d_l(z) + σ′ s_kl(z)`,
//!   `Δ = σ″ Σ_k d_k(z)² + σ′ Δ(z)`, with `σ′, σ″` (and `σ‴` for the reverse sweep) from the
//!   [rules table](crate::ad::rules).
//! - product and sum of two jets: Leibniz and linearity (see the kernels' table in the source).
//! - orders 3 and 4, through one general pass over term lists built once per [`Layout`]:
//!   unary nodes by the multivariate Faà di Bruno formula over the set partitions `π` of the
//!   derivative's index positions, `a_S = Σ_π f^{(|π|)}(z_v) Π_{B∈π} z_B` (5 terms for order 3,
//!   15 for order 4; e.g. `a_xxy = f′ z_xxy + f″(2 z_x z_xy + z_y z_xx) + f‴ z_x² z_y`),
//!   products by Leibniz over subsets, `c_S = Σ_{T⊆S} x_T y_{S∖T}`. The derivatives `f⁗` and
//!   `f⁽⁵⁾` this needs are not tabulated: they come from running the rules table on nested dual
//!   numbers (`f‴(z + ε₁ + ε₂) = f‴ + f⁗(ε₁ + ε₂) + f⁽⁵⁾ε₁ε₂`), so each elementary derivative is
//!   still written once. A selection of order ≤ 2 never enters this pass: its layout, kernels
//!   and numbers are those of the order-2 engine.
//!
//! The reverse sweep is each rule's adjoint; through a dense layer it is two GEMMs,
//! `W̄ += Z̄ Aᵀ` and `Ā += Wᵀ Z̄`.
//!
//! The pieces: a [`Selection`] declares the derivatives, a [`Graph`] is the network, a
//! [`JetWorkspace`] runs it. [`Graph::eval`] runs the same graph point by point on any
//! [`Scalar`](crate::ad::Scalar), which is how the batched path is tested: it agrees with
//! hyper-duals and a tape of hyper-duals (orders ≤ 2), and with four nested duals and a tape of
//! them (orders 3 and 4), to ~1e-12 in `f64`.
//!
//! ```
//! use pinn::ad::{jet::{Component, Graph, JetWorkspace, Selection}, Elementary};
//! use pinn::rng::Seed;
//! // The Kuramoto–Sivashinsky residual u_t + u u_x + u_xx + u_xxxx at two points (x, t).
//! let g = Graph::mlp(&[2, 16, 16, 1], Elementary::Tanh)?;
//! let theta: Vec<f64> = g.init_params(Seed(3));
//! let sel = Selection::new(2).first(1).fourth(0, 0, 0, 0); // u_x, u_xx come along
//! let mut ws = JetWorkspace::new(&g, &sel)?;
//! ws.forward(&g, &theta, &[0.1, 0.0, 0.7, 0.5])?;
//! let get = |c| ws.output(c).map(|v| v[1]);
//! let r = get(Component::First(1))?
//!     + get(Component::Value)? * get(Component::First(0))?
//!     + get(Component::Second(0, 0))?
//!     + get(Component::Fourth(0, 0, 0, 0))?;
//! assert!(r.is_finite());
//! # Ok::<(), pinn::Error>(())
//! ```

pub(crate) mod gemm;
mod graph;
mod higher;
mod kernels;
mod plan;
mod selection;
mod simd;
pub(crate) mod thin;
mod workspace;

#[doc(hidden)]
pub use gemm::product;
pub use gemm::{ProductMode, product_mode, set_product_mode};
pub use graph::{BiasInit, Graph, GraphBuilder, Node, NodeId, NodeOp};
pub use selection::{Component, Layout, Selection};
pub use workspace::JetWorkspace;
