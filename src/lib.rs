//! # pinn — physics-informed neural networks on the CPU, with their own autodiff
//!
//! WIP crate docs (tour written below).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ad;
pub mod error;
pub mod rng;
pub mod tutorial;

pub use error::{Error, Result};
