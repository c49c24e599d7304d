//! # pinn — physics-informed neural networks on the CPU, with their own autodiff
//!
//! `pinn` is a pure-Rust library for training physics-informed neural networks (PINNs) on a
//! laptop CPU: no Python, no C++ toolchain, no BLAS to install, and runs that are bit-for-bit
//! reproducible from one seed. Its automatic differentiation is its own, small enough to read
//! in one sitting, and it is the part this tour starts with.
//!
//! A first program needs one import, `use pinn::prelude::*;` ([`prelude`] shows a complete
//! one: a PDE written from scratch, trained and checked in thirty lines).
//!
//! ## Training a PINN
//!
//! The 1-D Poisson problem of the catalog ([`pde::problems::Poisson1D`]), a small tanh network,
//! 32 collocation points, the boundary values as a loss term, and 500 Adam steps. The relative
//! ℓ² error against the exact solution, on 51 grid points, falls from about 0.5 after the first
//! step to about 2·10⁻³:
//!
//! ```
//! use pinn::pde::problems::Poisson1D;
//! use pinn::prelude::*;
//! use std::f64::consts::PI;
//!
//! // u″ = −π² sin(πx) on [0, 1] with u(0) = u(1) = 0; the exact solution is u = sin(πx).
//! let problem = Poisson1D::new(PI)?;
//! let net = NetBuilder::new(1).mlp(&[16, 16], Elementary::Tanh).build(1)?;
//! let interior = Sobol::new().sample(&Interval::new(0.0, 1.0)?, 32, Seed(1))?;
//! let grid = linspace(0.0, 1.0, 51);
//! let exact = problem.reference_at(&grid)?;
//! let mut trainer = Trainer::<_, f64>::builder(net, problem)
//!     .pde_points(interior.into_vec())
//!     .condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0])
//!     .phase("adam", 500, Adam::with_lr(1e-2)?)
//!     .metrics(grid, exact, 100) // every 100 steps, and after the last
//!     .build()?;
//! let report = trainer.run()?;
//! let after_one = &report.metrics[0].1;
//! let at_end = &report.metrics[report.metrics.len() - 1].1;
//! assert!(after_one.rel_l2 > 0.1, "rel-L2 {:e}", after_one.rel_l2);
//! assert!(at_end.rel_l2 < 1e-2, "rel-L2 {:e}", at_end.rel_l2);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! ## A tour of the main types
//!
//! **Scalar AD** ([`ad`]) — the readable path, and the oracle for everything else.
//!
//! - [`ad::Scalar`]: the number trait every AD type implements; write a function once,
//!   generic over `S: Scalar`, and differentiate it any way below.
//! - [`ad::rules`]: the rules table — every elementary function with `f, f′, f″, f‴`,
//!   written once and used by every AD type and the batched engine.
//! - [`ad::Dual`] (forward mode), [`ad::HyperDual`] (exact second and mixed partials),
//!   [`ad::Tape`] / [`ad::Var`] (reverse mode). They nest: `Dual<Dual<f64>>`,
//!   `Tape<Dual<f64>>` (Hessian-vector products), `Tape<HyperDual<f64>>` (the θ-gradient of a
//!   second derivative).
//! - One-call operators: [`ad::derivative`], [`ad::gradient`], [`ad::jacobian`],
//!   [`ad::hessian`], [`ad::laplacian`], [`ad::hessian_vector_product`].
//!
//! ```
//! use pinn::ad::{gradient, hessian, Scalar};
//!
//! fn f<S: Scalar>(x: &[S]) -> S {
//!     (x[0] * x[1]).sin() + x[0].exp()
//! }
//! let (value, grad) = gradient(|x| f(x), &[0.5, 2.0]); // reverse mode
//! let (_, _, hess) = hessian(|x| f(x), &[0.5, 2.0]); // hyper-duals
//! assert!((grad[1] - 0.5 * 1.0_f64.cos()).abs() < 1e-15);
//! assert_eq!(hess[0][1], hess[1][0]);
//! # let _ = value;
//! ```
//!
//! **Batched jets** ([`ad::jet`]) — the fast path a PINN trains with.
//!
//! - [`ad::jet::Selection`]: which input derivatives to carry (`u_x`, `u_xx`, `u_xy`, the
//!   Laplacian aggregate, `u_xxy`, `u_xxxx`, the biharmonic aggregate…).
//! - [`ad::jet::Graph`]: a network as a small static graph (dense layers, activations,
//!   products, sums); [`ad::jet::Graph::mlp`] builds the usual MLP, and
//!   [`ad::jet::Graph::eval`] runs it on any `Scalar`, point by point.
//! - [`ad::jet::JetWorkspace`]: pushes Taylor jets for a whole batch of points through the
//!   graph — one GEMM per dense layer — then sweeps seeds on the output components back to
//!   the parameters θ.
//!
//! ```
//! use pinn::ad::jet::{Component, Graph, JetWorkspace, Selection};
//! use pinn::ad::Elementary;
//! use pinn::rng::Seed;
//!
//! let net = Graph::mlp(&[2, 64, 64, 1], Elementary::Tanh)?;
//! let theta: Vec<f64> = net.init_params(Seed(0));
//! let mut ws = JetWorkspace::new(&net, &Selection::new(2).laplacian())?;
//! ws.forward(&net, &theta, &[0.25, 0.5, 0.75, 0.5])?; // two points (x, y)
//! let lap = ws.output(Component::Laplacian)?; // Δu at both points
//! assert_eq!(lap.len(), 2);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! **Domains and collocation points** ([`domain`], [`sampling`]).
//!
//! - [`domain::Interval`], [`domain::BoxDomain`], [`domain::SpaceTime`] (time is the last
//!   coordinate) implement [`domain::Domain`]; a [`domain::Boundary`] is a set of box faces with
//!   outward unit normals (all of `∂Ω`, `∂Ω × [t0, t1]`, the initial slice `t = t0`).
//! - [`sampling::Sampler`]: [`sampling::Grid`], [`sampling::Uniform`],
//!   [`sampling::LatinHypercube`], [`sampling::Halton`], [`sampling::Hammersley`],
//!   [`sampling::Sobol`]; [`sampling::UniformBoundary`] draws boundary points with their normals;
//!   [`sampling::Resample`] says when to redraw and with which seed. Point sets are
//!   [`domain::Points`]: one flat point-major `Vec<f64>`.
//!
//! ```
//! use pinn::domain::{Interval, SpaceTime};
//! use pinn::rng::Seed;
//! use pinn::sampling::{BoundarySampler, Sampler, Sobol, UniformBoundary};
//!
//! let st = SpaceTime::new(Interval::new(-1.0, 1.0)?, 0.0, 1.0)?; // points (x, t)
//! let interior = Sobol::new().sample(&st, 1024, Seed(0))?;
//! let initial = UniformBoundary.sample_boundary(&st.initial_slice(), 128, Seed(1))?;
//! assert_eq!((interior.len(), interior.dim()), (1024, 2));
//! assert!(initial.points().iter().all(|p| p[1] == 0.0)); // t = 0
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! **Optimizers** ([`optim`]) — Adam, SGD and L-BFGS with PyTorch's arithmetic and, for
//! L-BFGS, its strong-Wolfe control flow and stopping rules; learning-rate schedules; and
//! [`optim::AdamThenLbfgs`], the usual PINN recipe, in one call. Parameters are one flat
//! `&mut [T]`; an [`optim::Objective`] returns the loss and writes its gradient.
//!
//! **Networks** ([`nets`]) — [`nets::NetBuilder`] composes input normalisation, random
//! Fourier features, an MLP or Wang et al.'s modified MLP, and output transforms (hard
//! constraints, [`pde::hard`]); [`nets::predict`] runs plain inference; [`nets::params`]
//! saves and loads `θ`.
//!
//! **Models** ([`model`]) — the seam between the loss and a network. A [`model::Model`]
//! computes, per chunk of points, the derivative values a loss term declared and, from seeds
//! on those values, adds its θ-gradient; only values and seeds cross it. A
//! [`ad::jet::Graph`] is the first model; sums of windowed sub-networks, Monte-Carlo
//! (Stein-smoothed) models and device backends are others.
//!
//! **Problems** ([`pde`]) — a [`pde::Pde`] writes its residual once, as arithmetic on the
//! derivative values at a point ([`pde::Fields`], up to fourth-order partials) and on the
//! point itself; [`pde::Condition`] covers Dirichlet, Neumann, Robin, periodic, initial value
//! and rate, data, and one derivative value (any [`ad::jet::Component`], e.g. `u″ = 0`).
//! Trainable PDE coefficients (inverse problems) come back with the network's gradient.
//! [`pde::problems`] is a catalog of benchmark problems with exact or reference solutions.
//!
//! **Training** ([`train`]) — [`train::Trainer`] runs optimizer phases (Adam, then L-BFGS)
//! over the loss terms (each added with a typed handle, [`train::TermId`]), with resampling,
//! [`train::Metrics`] (rel-L2, rMAE, rMSE, max error) and observers. Points are processed in
//! fixed-size chunks and reduced in a fixed binary tree ([`train::reduce`]), so a run gives the
//! same bits on any number of threads (`docs/REPRODUCIBILITY.md` states the
//! contract). A [`train::Checkpoint`] holds the whole state of a run in one checksummed file
//! ([`train::Trainer::save_checkpoint`], [`train::TrainerBuilder::resume_from`],
//! [`train::TrainerBuilder::checkpoint_every`]), and a resumed run continues bit for bit;
//! [`train::export`] writes predictions on a grid (CSV, NPY) and the loss history (CSV).
//! `examples/quickstart.rs` solves Poisson 2D end to end, with its figures.
//!
//! **Strategies** ([`strategies`]) — hooks called before and after every loss evaluation and
//! optimizer step: [`strategies::LrAnnealing`] (learning-rate-annealing loss balancing),
//! [`strategies::SelfAdaptive`] (SA-PINN per-point weights), [`strategies::RoPinn`] (RoPINN
//! region optimization), [`strategies::Redraw`] (fresh points on a schedule), or your own
//! [`strategies::Strategy`].
//!
//! **Support.** [`rng::Seed`] derives every random stream (SplitMix64 → Xoshiro256++);
//! [`Error`] is the one error type.
//!
//! ## Learn more
//!
//! - [`tutorial`]: dual numbers → hyper-duals → the reverse tape → jets through a network →
//!   the θ-gradient of a PDE residual, every code block a tested doctest.
//! - `examples/quickstart.rs` (Poisson 2D end to end), `examples/ad_tour.rs`,
//!   `examples/newton_bratu.rs` (the crate inside a Newton solver), and
//!   `benches/jet_mlp.rs`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ad;
pub mod domain;
pub mod error;
#[cfg(feature = "wgpu")]
pub mod gpu;
pub mod model;
pub mod nets;
pub mod optim;
pub mod pde;
pub mod prelude;
pub mod rng;
pub mod sampling;
pub mod strategies;
pub mod train;
pub mod tutorial;

pub use error::{Error, Result};
