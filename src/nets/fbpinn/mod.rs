//! Finite-basis PINNs (FBPINNs): domain decompositions and window functions.
//!
//! An FBPINN writes the solution as a windowed sum of small networks, one per overlapping
//! subdomain, each evaluated only on the points its support covers. This module holds the
//! pure building blocks: where the subdomains are ([`Decomposition`]), which points each one
//! covers ([`Decomposition::cover`]), how each network's inputs are normalised
//! ([`Subdomain::centre`], [`Subdomain::half_width`]), and the windows that blend them
//! ([`Window`]). [`Fbpinn`] is the model built on them, a [`Model`](crate::model::Model).
//!
//! Two families, as the two codes of the papers (specs in `paper_specs.md`):
//!
//! - **Original FBPINN** (B. Moseley, A. Markham, T. Nissen-Meyer, *Finite basis
//!   physics-informed neural networks (FBPINNs)*, Adv. Comput. Math. 49 (2023); PyTorch
//!   code, spec §3.1): [`Decomposition::from_edges`]. Partition edges `x₀ < … < x_J` per
//!   dimension and an overlap `o_j` at each edge (0 at the domain boundary); subdomain `j`
//!   spans `[x_j − o_j/2, x_{j+1} + o_{j+1}/2]` and normalises by its non-overlapped cell;
//!   its [`SigmoidWindow`] `Π_d σ((x − x_j)/(0.05 o_j))·σ((x_{j+1} − x)/(0.05 o_{j+1}))`
//!   is a partition of unity by construction and is not normalised.
//! - **JAX library and multilevel FBPINN** (V. Dolean, A. Heinlein, S. Mishra,
//!   B. Moseley, *Multilevel domain decomposition-based architectures for physics-informed
//!   neural networks*, CMAME 429 (2024); library v0.2, spec §3.3):
//!   [`Decomposition::from_centres`] and [`Decomposition::multilevel`]. Subdomain centres
//!   `c` and widths `w`: support `[c − w/2, c + w/2]`, normalised by its own centre and
//!   half-width; its [`CosineWindow`] `Π_d cos⁴(π z_d/2)` is normalised per level by
//!   [`partition_of_unity`] and the levels averaged by [`multilevel_average`]:
//!   `u = (1/L) Σ_ℓ Σ_j ŵ_j û_j / Σ_j ŵ_j`.
//!
//! A level with a single subdomain covering the domain has the window [`Window::One`].
//!
//! The original family, 1-D, three cells with overlap 0.5 (its windows sum to 1):
//!
//! ```
//! use pinn::nets::fbpinn::{Decomposition, overlap_from_width, uniform_edges};
//! let edges = uniform_edges(0.0, 3.0, 3)?;
//! let overlaps = overlap_from_width(&edges, 0.5)?;
//! let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
//! let x = [1.1_f64];
//! let sum: f64 = dec
//!     .covering(&x)?
//!     .map(|j| dec.subdomains()[j].window().eval(&x))
//!     .sum::<Result<f64, _>>()?;
//! assert!((sum - 1.0).abs() < 1e-4);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! The multilevel family, 1-D, three levels (1, 2 and 4 subdomains), weights of one point:
//!
//! ```
//! use pinn::nets::fbpinn::{Decomposition, multilevel_average};
//! let dec = Decomposition::multilevel(&[0.0], &[1.0], 3, 1.9)?;
//! let x = [0.3_f64];
//! let (mut raw, mut levels) = (Vec::new(), Vec::new());
//! for j in dec.covering(&x)? {
//!     let s = &dec.subdomains()[j];
//!     raw.push(s.window().eval(&x)?);
//!     levels.push(s.level());
//! }
//! let w = multilevel_average(&raw, &levels, dec.n_levels())?;
//! assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
//! # Ok::<(), pinn::Error>(())
//! ```

mod decomposition;
mod model;
mod schedule;
mod window;

pub use decomposition::{
    Decomposition, MAX_SUBDOMAINS, Subdomain, overlap_from_width, uneven_edges, uniform_edges,
};
pub use model::{Fbpinn, FbpinnWorkspace};
pub use schedule::{RadialScheduler, SubdomainState};
pub use window::{
    CosineWindow, SIGMOID_FLOOR, SIGMOID_SCALE, SigmoidSide, SigmoidWindow, Window,
    multilevel_average, partition_of_unity,
};
