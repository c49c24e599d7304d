//! One import for a first PDE program: `use pinn::prelude::*;`.
//!
//! The types such a program names: the [`Pde`] trait and what its residual reads and writes
//! ([`Component`], [`Fields`], [`Residuals`], [`Scalar`]), conditions and catalog problems
//! ([`Condition`], [`Problem`]), hard constraints ([`hard`]), networks ([`NetBuilder`],
//! [`Elementary`]), domains and samplers ([`Interval`], [`BoxDomain`], [`SpaceTime`],
//! [`Sobol`], [`Grid`], [`linspace`], …), optimizers ([`Adam`], [`Lbfgs`]), the [`Trainer`],
//! [`Seed`], and [`Error`] / [`Result`] (whose error type is a default parameter, so
//! `Result<(), Box<dyn std::error::Error>>` still reads as usual). Everything else stays in its
//! module.
//!
//! A complete program: a 1-D Poisson problem written from scratch, its boundary condition
//! imposed by the network's form, trained with Adam then L-BFGS, and checked against the exact
//! solution.
//!
//! ```
//! use pinn::prelude::*;
//! use std::f64::consts::PI;
//!
//! /// −u″ = π² sin(πx) on [0, 1], u(0) = u(1) = 0; exact u = sin(πx).
//! struct Poisson;
//!
//! impl Pde for Poisson {
//!     fn dim(&self) -> usize {
//!         1
//!     }
//!     fn components(&self) -> Vec<Component> {
//!         vec![Component::Second(0, 0)]
//!     }
//!     fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
//!         let pi = S::from_f64(PI);
//!         r[0] = -u.d2(0, 0, 0) - pi * pi * (pi * x[0]).sin();
//!     }
//! }
//!
//! fn main() -> Result<()> {
//!     let domain = Interval::new(0.0, 1.0)?;
//!     // u = B(x)·N(x) with B = 4x(1 − x): zero at both ends, 1 in the middle.
//!     let net = NetBuilder::new(1)
//!         .mlp(&[16, 16], Elementary::Tanh)
//!         .transform(|b, x, n| {
//!             let bx = hard::vanish_on_box_normalized(b, x, &[0.0], &[1.0], &[0]);
//!             b.mul(bx, n)
//!         })
//!         .build(1)?;
//!     let interior = Sobol::new().sample(&domain, 64, Seed(1))?;
//!     let grid = Grid::points(&domain, &[101])?;
//!     let exact: Vec<f64> = grid.iter().map(|p| (PI * p[0]).sin()).collect();
//!     let mut trainer = Trainer::<_, f64>::builder(net, Poisson)
//!         .pde_points(interior.into_vec())
//!         .phase("adam", 200, Adam::with_lr(1e-2)?)
//!         .phase_until_converged("lbfgs", 100, Lbfgs::new(LbfgsConfig::default())?)
//!         .metrics(grid.into_vec(), exact, 100)
//!         .seed(Seed(0))
//!         .build()?;
//!     let report = trainer.run()?;
//!     let (_, metrics) = report.metrics.last().expect("metrics at the end");
//!     assert!(metrics.rel_l2 < 1e-3, "rel-L2 {:e}", metrics.rel_l2);
//!     Ok(())
//! }
//! ```

pub use crate::ad::{Elementary, Real, Scalar};
pub use crate::domain::{Boundary, BoxDomain, Domain, Interval, Points, SpaceTime};
pub use crate::error::{Error, Result};
pub use crate::nets::NetBuilder;
pub use crate::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
pub use crate::pde::problems::Problem;
pub use crate::pde::{Component, Condition, Fields, Pde, Residuals, hard};
pub use crate::rng::{Seed, uniform};
pub use crate::sampling::{
    BoundarySampler, Grid, Halton, LatinHypercube, Sampler, Sobol, Uniform, UniformBoundary,
    linspace, tensor_grid,
};
pub use crate::train::{TermId, TermKind, Trainer};
