//! What a run reports: the events observers see, the loss history, why it stopped.

use super::metrics::Metrics;
use crate::optim::Termination;

/// What an observer tells the trainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop after this step (the report says [`StopReason::Observer`]).
    Stop,
}

/// What observers see after every step.
#[derive(Clone, Debug)]
pub struct Event<'a, T> {
    /// The step just taken (0-based, counted across phases).
    pub step: usize,
    /// The phase's name (`"adam"`, `"lbfgs"`, …).
    pub phase: &'a str,
    /// The loss at the start of the step.
    pub loss: T,
    /// Each term's weighted loss at the start of the step (its first evaluation), in term order.
    pub terms: &'a [T],
    /// The term names.
    pub term_names: &'a [String],
    /// Error metrics of the network after this step's update, on the steps where they were
    /// computed (`loss` is from before the update).
    pub metrics: Option<Metrics>,
    /// Seconds since the run started.
    pub seconds: f64,
}

/// One row of the loss history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRow<T> {
    /// The step.
    pub step: usize,
    /// The loss at the start of the step.
    pub loss: T,
    /// Each term's weighted loss at the start of the step; they add up to `loss`.
    pub terms: Vec<T>,
    /// The PDE's trainable coefficients after the step's update (their values `c`, in the
    /// order of [`Pde::coefficient_specs`](crate::pde::Pde::coefficient_specs); empty if none).
    pub coefficients: Vec<T>,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The last phase ran all its steps.
    Completed,
    /// An observer returned [`Control::Stop`].
    Observer,
    /// [`Trainer::run_steps`](super::Trainer::run_steps) took the steps it was asked for.
    StepLimit,
    /// The last phase that ran ended early because its optimizer converged (or could not
    /// progress); earlier phases that converged simply handed over to the next one.
    Converged(Termination),
}

/// The outcome of [`Trainer::run`](super::Trainer::run).
#[derive(Clone, Debug)]
pub struct Report<T> {
    /// Steps taken.
    pub steps: usize,
    /// Why the run ended.
    pub stop: StopReason,
    /// The loss history, one row per step.
    pub history: Vec<HistoryRow<T>>,
    /// `(step, metrics)` on the steps where metrics were computed, and after the last step.
    /// The metrics of step `s` are those of the network **after** step `s`'s update, whereas
    /// `history[s].loss` is the loss **before** it (the loss the step's gradient came from).
    pub metrics: Vec<(usize, Metrics)>,
    /// Loss evaluations (forward + backward passes over all points).
    pub evaluations: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}
