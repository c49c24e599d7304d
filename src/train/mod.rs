//! Training: the loss assembly, the trainer, observers and metrics. The only module that uses
//! rayon.

mod assembly;

pub use assembly::{Assembly, LossReport, Term, TermKind};
