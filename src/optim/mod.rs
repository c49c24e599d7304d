//! Optimizers over one flat parameter vector: [`Adam`], [`Sgd`], [`Lbfgs`] (strong-Wolfe
//! line search, PyTorch's semantics), learning-rate [`Schedule`]s, and the drivers
//! [`minimize`] and [`AdamThenLbfgs`].
//!
//! The pieces, argmin-style:
//!
//! - an [`Objective`] returns `f(x)` and writes `∇f(x)`; any closure
//!   `FnMut(&[T], &mut [T]) -> Result<T>` is one;
//! - an [`Optimizer`] takes one outer [`step`](Optimizer::step) at a time and reports a
//!   [`StepInfo`] (loss, evaluations, iterations and, for L-BFGS, a [`Termination`]);
//!   its state can be copied out and restored for checkpoints ([`OptimizerState`]);
//! - a driver runs steps until a [`Termination`] says stop, and returns a [`Report`].
//!
//! Parameters are `&mut [T]` for `T` = `f32` or `f64` ([`Real`](crate::ad::Real)).
//! A NaN or infinite loss or gradient is an [`Error::NonFinite`](crate::Error::NonFinite),
//! never a silent stop; an error returned by the objective passes through unchanged.
//!
//! ## Matching PyTorch
//!
//! [`Adam`] and [`Sgd`] use `torch.optim`'s update formulas in its order of operations.
//! [`Lbfgs`] reproduces `torch.optim.LBFGS(params, line_search_fn='strong_wolfe')` with
//! default arguments (lr 1, `max_iter` 20, `max_eval` 25, history 100, tolerances
//! `1e-7`/`1e-9`), including its control flow, its stopping rules and the state it keeps
//! between `step` calls. On 2-D Rosenbrock its iterates, iteration and evaluation counts
//! agree to the last bit with `torch/optim/lbfgs.py` run on `f64` NumPy arrays (the tests
//! carry that trace). Known differences, all at the level of rounding or reporting:
//!
//! - dot products and norms are summed in a different order (eight partial sums), and
//!   PyTorch's CPU kernels may fuse multiply-adds, so against PyTorch itself iterates agree
//!   to rounding, not bit for bit;
//! - all scalars are computed in `T`, where PyTorch keeps losses as Python (`f64`) floats
//!   and the rest as 0-d tensors of the parameters' type: for `f32` the loss-change test
//!   sees `f32` losses;
//! - PyTorch would carry on with a NaN loss; we return [`Error::NonFinite`](crate::Error::NonFinite);
//! - where PyTorch stops through its step-size test after a failed line search, we report
//!   [`Termination::LineSearchFailed`] instead of [`Change::Step`] (same control flow);
//! - the gradient buffer is zeroed before every evaluation (PyTorch leaves that to the
//!   closure's `zero_grad`).
//!
//! PyTorch's tolerances are **absolute**: with the defaults, L-BFGS stops when
//! `g·d > −1e-9` or `|Δf| < 1e-9`, so a problem whose loss is near `1e-9` stops early
//! (Rosenbrock stops at `|x − 1| ≈ 4e-5`); lower `tolerance_change` for tighter solutions.
//!
//! ## Example: Adam, then L-BFGS, on Rosenbrock
//!
//! ```
//! use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig, Optimizer, minimize};
//!
//! /// f(x, y) = 100 (y − x²)² + (1 − x)², minimum 0 at (1, 1).
//! fn rosenbrock(x: &[f64], g: &mut [f64]) -> pinn::Result<f64> {
//!     let (a, b) = (x[1] - x[0] * x[0], 1.0 - x[0]);
//!     g[0] = -400.0 * a * x[0] - 2.0 * b;
//!     g[1] = 200.0 * a;
//!     Ok(100.0 * a * a + b * b)
//! }
//!
//! let mut x = [-1.2, 1.0];
//! let mut adam = Adam::new(AdamConfig { lr: 1e-2, ..AdamConfig::default() })?;
//! for _ in 0..200 {
//!     adam.step(&mut x, &mut rosenbrock)?;
//! }
//! let mut lbfgs = Lbfgs::new(LbfgsConfig { tolerance_change: 1e-12, ..LbfgsConfig::default() })?;
//! let report = minimize(&mut lbfgs, &mut x, &mut rosenbrock, 100)?;
//! assert!(report.termination.is_converged());
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
//! println!("{} L-BFGS steps, {} evaluations: {}", report.steps, report.evaluations,
//!          report.termination);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! [`AdamThenLbfgs`] does the same in one call. [`FixedSteps`] makes a trainer phase take all
//! its outer steps, converged or not, as a script's `for i in range(n): opt.step(closure)`.

mod adam;
mod driver;
mod fixed_steps;
mod lbfgs;
mod line_search;
mod objective;
mod optimizer;
mod schedule;
mod sgd;
mod vector;

pub use adam::{Adam, AdamConfig};
pub use driver::{AdamThenLbfgs, Report, minimize};
pub use fixed_steps::FixedSteps;
pub use lbfgs::{Lbfgs, LbfgsConfig};
pub use objective::Objective;
pub use optimizer::{Change, Optimizer, OptimizerState, StepInfo, Termination};
pub use schedule::Schedule;
pub use sgd::{Sgd, SgdConfig};
