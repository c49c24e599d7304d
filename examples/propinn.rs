//! ProPINN (Wu et al.; `ropinn_propinn_spec.md` §6) on the RoPINN harness: the `ropinn`
//! example with `--backbone propinn` (see its documentation and `--help` for the flags, the
//! protocols and what a run costs). 1D-Reaction, 1D-Wave (inputs scaled by π, as the
//! authors' script) and Convection, full-batch L-BFGS on the 101 × 101 grid, the network of
//! `nets::propinn` (15 030 parameters, Xavier-uniform weights, biases 0.01, 0.0 for
//! convection).
//!
//! ```text
//! cargo run --release --example propinn -- --problem reaction|wave|convection
//!     [--dtype f32|f64] [--protocol full|a] [--steps N] [--seed S] [--threads N]
//! ```

#[path = "ropinn.rs"]
mod harness;

fn main() -> std::process::ExitCode {
    harness::run_main(Some(harness::Backbone::Propinn))
}
