//! Equation discovery: a library of candidate terms built from derivative values, and the
//! sparse regression that picks the equation out of it (PDE-FIND, Rudy, Brunton, Proctor &
//! Kutz, Science Advances 2017).
//!
//! Given values of `u` and its derivatives at many points (from a trained network through the
//! jets, from an exact solution through dual numbers, or from data), the library evaluates
//! candidate terms `Θ = [1, u, u², u_x, u·u_x, u_xx, …]` column by column, and
//! [`StRidge`] solves `u_t ≈ Θ ξ` for a sparse `ξ`: ridge regression, then hard thresholding
//! of the small coefficients, repeated on the survivors (sequential thresholded ridge,
//! STRidge), with the threshold chosen by [`StRidge::train`]'s search.
//!
//! ```
//! use pinn::ad::jet::Component;
//! use pinn::pde::discovery::{Library, StRidge};
//!
//! // u_t = −u·u_x + 0.1·u_xx, from exact values at four hundred "points".
//! let lib = Library::polynomial(&[Component::First(0), Component::Second(0, 0)], &["u_x", "u_xx"], 2)?;
//! let comps = lib.components();
//! let mut values = Vec::new();
//! let mut target = Vec::new();
//! for i in 0..400 {
//!     let (u, ux, uxx) = ((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos(), (i as f64 * 0.05).sin());
//!     for &c in &comps {
//!         values.push(match c { Component::Value => u, Component::First(0) => ux, _ => uxx });
//!     }
//!     target.push(-u * ux + 0.1 * uxx);
//! }
//! let theta = lib.evaluate(&values)?;
//! let xi = StRidge::default().fit(&theta, &target)?;
//! assert_eq!(lib.describe(&xi, 1e-8), "-1 u·u_x + 0.1 u_xx");
//! # Ok::<(), pinn::Error>(())
//! ```

mod library;
mod stridge;

pub use library::{CandidateTerm, Library};
pub use stridge::{StRidge, ToleranceSearch};
