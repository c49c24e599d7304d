//! Training: the loss assembly, the [`Trainer`], observers and metrics, [checkpoints](Checkpoint)
//! and [exports](export). The only module that uses rayon.
//!
//! ```
//! use pinn::ad::{jet::Component, Elementary, Scalar};
//! use pinn::nets::NetBuilder;
//! use pinn::optim::Adam;
//! use pinn::pde::{Condition, Fields, Pde, Residuals};
//! use pinn::train::Trainer;
//!
//! /// u'' = −π² sin(πx) on [0, 1], u(0) = u(1) = 0: u = sin(πx).
//! struct Poisson;
//! impl Pde for Poisson {
//!     fn dim(&self) -> usize { 1 }
//!     fn components(&self) -> Vec<Component> { vec![Component::Second(0, 0)] }
//!     fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
//!         let pi = std::f64::consts::PI;
//!         r[0] = u.d2(0, 0, 0) + S::from_f64(pi * pi) * (S::from_f64(pi) * x[0]).sin();
//!     }
//! }
//!
//! let net = NetBuilder::new(1).mlp(&[16, 16], Elementary::Tanh).build(1)?;
//! let interior: Vec<f64> = (1..64).map(|i| i as f64 / 64.0).collect();
//! let mut trainer = Trainer::<_, f64>::builder(net, Poisson)
//!     .pde_points(interior)
//!     .condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0])
//!     .phase("adam", 300, Adam::with_lr(1e-2)?)
//!     .threads(1)
//!     .build()?;
//! let report = trainer.run()?;
//! assert!(report.history.last().unwrap().loss < report.history[0].loss);
//! # Ok::<(), pinn::Error>(())
//! ```

mod assembly;
mod builder;
mod checkpoint;
pub mod collective;
pub mod export;
mod kernel;
mod metrics;
pub mod reduce;
mod report;
mod resume;
mod term;
mod trainer;

pub use assembly::{Assembly, LossReport, TermLosses};
pub use builder::TrainerBuilder;
pub use checkpoint::{
    CHECKPOINT_VERSION, Checkpoint, PhaseCheckpoint, StrategyCheckpoint, TermCheckpoint,
};
pub use metrics::Metrics;
pub use report::{Control, Event, HistoryRow, Report, StopReason};
pub use term::{Term, TermId, TermKind};
pub use trainer::Trainer;
