//! Networks: the architectures PINN papers use, built as [`Graph`](crate::ad::jet::Graph)s so
//! that the batched jets and the scalar path both run them.
//!
//! - [`NetBuilder`]: input normalisation or a periodic embedding ([`periodic_embedding`]:
//!   exactly periodic along one axis) → optional random Fourier features → an MLP or a
//!   modified MLP body → linear output → optional output transform (hard constraints).
//! - [`modified_mlp`]: Wang, Teng & Perdikaris' gated architecture (2021), exactly as coded
//!   (both versions of the authors' gate: [`Gate`]).
//! - [`params`]: save and load parameter vectors; [`predict`]: plain batched inference;
//!   [`predict_components`]: derivative values by the jets.
//! - [`weight_matrices`]: where the weight matrices (not the biases) live in `θ`, for
//!   gradient statistics such as learning-rate annealing.
//! - [`xavier_uniform`]: PyTorch's Xavier-uniform weights with constant biases (the RoPINN
//!   benchmarks' initialisation); [`lecun_normal`]: `N(0, 1/n_in)` weights and normal biases
//!   (the NTK paper's code); [`fan_in_uniform`]: `U(±1/√n_in)` weights and biases (PyTorch's
//!   `nn.Linear` default, the FBPINN codes).
//! - [`propinn`]: ProPINN (Wu et al.), 84 perturbed copies through a shared projection,
//!   region pooling and multi-region mixing, as one graph (layers shared by blocks, gathers).
//! - [`fbpinn`]: finite-basis PINNs' building blocks: domain decompositions (the original
//!   paper's edges and overlaps, the library's centres and widths, multilevel grids) and
//!   their window functions.
//!
//! ```
//! use pinn::nets::NetBuilder;
//! use pinn::ad::Elementary;
//! let net = NetBuilder::new(2)
//!     .normalize(&[0.5, 0.5], &[0.289, 0.289])
//!     .mlp(&[50, 50, 50], Elementary::Tanh)
//!     .build(1)?;
//! assert_eq!(net.n_params(), 2 * 50 + 50 + 2 * (50 * 50 + 50) + 50 + 1);
//! # Ok::<(), pinn::Error>(())
//! ```

mod builder;
mod init;
mod periodic;
mod predict;
mod propinn;
mod weights;

pub mod fbpinn;
pub mod params;

pub use builder::{Body, Gate, NetBuilder, fourier_features, modified_mlp, normalize};
pub use init::{fan_in_uniform, lecun_normal, xavier_uniform};
pub use periodic::periodic_embedding;
pub use predict::{predict, predict_components};
pub use propinn::{PROPINN_COPIES, PROPINN_REGIONS, propinn, propinn_offsets, propinn_on_copies};
pub use weights::{WeightMatrix, weight_matrices};
