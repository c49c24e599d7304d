//! Optimizers: Adam, SGD, L-BFGS with a strong-Wolfe line search, schedules, Adam → L-BFGS.

mod adam;
mod driver;
mod lbfgs;
mod line_search;
mod objective;
mod optimizer;
mod schedule;
mod sgd;
mod vector;

pub use adam::{Adam, AdamConfig};
pub use driver::{AdamThenLbfgs, Report, minimize};
pub use lbfgs::{Lbfgs, LbfgsConfig};
pub use objective::Objective;
pub use optimizer::{Change, Optimizer, OptimizerState, StepInfo, Termination};
pub use schedule::Schedule;
pub use sgd::{Sgd, SgdConfig};
