//! The autodiff tutorial: five short chapters, each building on the last. Every code block
//! in them is compiled and run as a doctest.
//!
//! 1. [Dual numbers](dual_numbers) — forward mode, one derivative per pass.
//! 2. [Hyper-duals and Hessians](hyper_duals) — exact second and mixed partials.
//! 3. [The reverse tape](reverse_tape) — all first derivatives in one backward sweep.
//! 4. [Jets through a network](jets) — the batched fast path.
//! 5. [The θ-gradient of a PDE residual](residual_gradient) — nesting it all.

#[doc = include_str!("../docs/autodiff/01-dual-numbers.md")]
pub mod dual_numbers {}
#[doc = include_str!("../docs/autodiff/02-hyper-duals.md")]
pub mod hyper_duals {}
#[doc = include_str!("../docs/autodiff/03-reverse-tape.md")]
pub mod reverse_tape {}
#[doc = include_str!("../docs/autodiff/04-jets.md")]
pub mod jets {}
#[doc = include_str!("../docs/autodiff/05-residual-gradient.md")]
pub mod residual_gradient {}
