//! The [`Trainer`]: one loop that drives a network, a PDE, its loss terms and a sequence of
//! optimizers, with resampling, metrics and observers.

use std::path::PathBuf;
use std::time::Instant;

use crate::ad::Real;
use crate::ad::jet::{Component, Graph};
use crate::domain::{BoxDomain, Domain};
use crate::error::{Error, Result};
use crate::model::{Model, evaluate};
use crate::optim::Optimizer;
use crate::pde::Pde;
use crate::rng::Seed;
use crate::sampling::{Grid, Sampler};
use crate::strategies::{EvalContext, PhaseInfo, Strategy};

use super::assembly::Assembly;
use super::builder::TrainerBuilder;
use super::collective::{self, Fingerprint};
use super::export::GridPrediction;
use super::metrics::Metrics;
use super::report::{Control, Event, HistoryRow, Report, StopReason};
use super::term::TermId;

/// The first seed stream of strategies (`seed.derive(STRATEGY_STREAM + k)` for strategy `k`);
/// streams below it are the network initialisation (0) and the resampled terms (1 + term).
const STRATEGY_STREAM: u64 = 1 << 32;

/// The stream handed to the model (`seed.derive(MODEL_STREAM).derive(step).derive(evaluation)`,
/// see [`Assembly::set_stream`]).
const MODEL_STREAM: u64 = 1 << 48;

pub(super) type ObserverFn<T> = Box<dyn FnMut(&Event<'_, T>) -> Control + Send>;

/// An optimizer phase: its configuration and its progress.
pub(super) struct Phase<T> {
    pub(super) name: String,
    pub(super) steps: usize,
    pub(super) done: usize,
    pub(super) optimizer: Box<dyn Optimizer<T> + Send>,
    /// Whether the phase ends at the first converged step.
    pub(super) until_converged: bool,
}

impl<T: Real> Phase<T> {
    pub(super) fn new(
        name: &str,
        steps: usize,
        optimizer: impl Optimizer<T> + Send + 'static,
        until_converged: bool,
    ) -> Self {
        Phase {
            name: name.into(),
            steps,
            done: 0,
            optimizer: Box::new(optimizer),
            until_converged,
        }
    }
}

pub(super) struct MetricSpec {
    pub(super) points: Vec<f64>,
    pub(super) reference: Vec<f64>,
    pub(super) every: usize,
}

/// Trains a model (by default one network, a [`Graph`]) on a PDE. Build one with
/// [`Trainer::builder`].
///
/// What a trainer holds splits into configuration (the model, the PDE, the optimizers'
/// settings, observers, metrics, the thread pool) and the run's state, which is exactly what a
/// [`Checkpoint`](super::Checkpoint) holds: parameters, step, seed and chunk size, each
/// phase's progress and optimizer state, each strategy's state, and each term's points,
/// weights and recorded residuals.
pub struct Trainer<P, T: Real, M: Model<T> = Graph> {
    pub(super) assembly: Assembly<P, T, M>,
    pub(super) params: Vec<T>,
    pub(super) phases: Vec<Phase<T>>,
    pub(super) pool: rayon::ThreadPool,
    pub(super) seed: Seed,
    pub(super) observers: Vec<ObserverFn<T>>,
    pub(super) metric: Option<MetricSpec>,
    pub(super) step: usize,
    pub(super) backup: Vec<T>,
    pub(super) strategies: Vec<Box<dyn Strategy<T>>>,
    /// The strategies before this index are the builder's redraws.
    pub(super) first_user_strategy: usize,
    pub(super) autosave: Option<(usize, PathBuf)>,
}

impl<P: Pde, T: Real> Trainer<P, T, Graph> {
    /// The network.
    pub fn graph(&self) -> &Graph {
        self.assembly.model()
    }

    /// The current network's derivative values at `points` (point-major): per component
    /// asked, `m` numbers per point, output fastest
    /// ([`predict_components`](crate::nets::predict_components)). For quantities derived
    /// from the outputs, such as the cavity's velocity `(ψ_y, −ψ_x)`.
    pub fn predict_components(
        &self,
        points: &[f64],
        components: &[Component],
    ) -> Result<Vec<Vec<f64>>> {
        let pts: Vec<T> = points.iter().map(|&v| T::from_f64(v)).collect();
        Ok(
            crate::nets::predict_components(self.graph(), self.theta(), &pts, components)?
                .into_iter()
                .map(|c| c.iter().map(|v| v.to_f64()).collect())
                .collect(),
        )
    }
}

impl<P: Pde, T: Real, M: Model<T>> Trainer<P, T, M> {
    /// A builder for training `model` (a [`Graph`], or any [`Model`]) on `pde`.
    pub fn builder(model: M, pde: P) -> TrainerBuilder<P, T, M> {
        TrainerBuilder {
            model,
            pde,
            terms: Vec::new(),
            phases: Vec::new(),
            seed: Seed(0),
            chunk: 256,
            threads: None,
            params: None,
            redraws: Vec::new(),
            observers: Vec::new(),
            metric: None,
            weights: Vec::new(),
            equation_weights: Vec::new(),
            strategies: Vec::new(),
            resume: None,
            autosave: None,
            collective: None,
        }
    }

    /// The current parameters: the network's `θ`, then the PDE's trainable coefficients. After
    /// an error they are those of the last finite step.
    pub fn params(&self) -> &[T] {
        &self.params
    }

    /// The network's parameters `θ` only.
    pub fn theta(&self) -> &[T] {
        &self.params[..self.assembly.model().n_params()]
    }

    /// The values of the PDE's trainable coefficients, `c = Coefficient::value(ρ)` (the
    /// optimised numbers `ρ` are the tail of [`Trainer::params`]).
    pub fn coefficients(&self) -> Vec<T> {
        self.assembly.coefficient_values(&self.params)
    }

    /// The names of the PDE's trainable coefficients, in order.
    pub fn coefficient_names(&self) -> Vec<String> {
        (self.assembly.coefficient_specs().iter())
            .map(|c| c.name.clone())
            .collect()
    }

    /// The model.
    pub fn model(&self) -> &M {
        self.assembly.model()
    }

    /// Steps taken so far.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The run's seed.
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// The loss term names, in order (the columns of the loss history).
    pub fn term_names(&self) -> Vec<String> {
        self.assembly.term_names()
    }

    /// The squared residual `Σ_e ω_e r_e²` of `term` at `points` (point-major), with the current
    /// parameters: no gradient, in chunks, in parallel, the same bits on any thread count (what
    /// the residual-adaptive samplers score; see [`Assembly::residuals_at`]).
    ///
    /// # Errors
    ///
    /// As [`Assembly::residuals_at`].
    pub fn residuals_at(&self, term: TermId, points: &[f64]) -> Result<Vec<T>> {
        let (assembly, params) = (&self.assembly, &self.params);
        self.pool
            .install(|| assembly.residuals_at(term, params, points))
    }

    /// Each equation's mean squared residual on `term`'s current points,
    /// `(1/N) Σ_p r_e(x_p)²` for `e < neq`, with the current parameters: the per-equation
    /// report of a system (DeepXDE prints these as its loss components). Unweighted: the
    /// equation's share of the loss is `w_t·ω_e` times it (`w_t` the term's weight, `ω_e` the
    /// equation weight; per-point weights left out). One forward pass over the term's points,
    /// without a gradient, the same bits on any thread count.
    ///
    /// # Errors
    ///
    /// As [`Assembly::equation_residuals_at`].
    pub fn equation_losses(&self, term: TermId) -> Result<Vec<f64>> {
        let (assembly, params) = (&self.assembly, &self.params);
        let points = crate::strategies::Terms::points(assembly, term)?;
        let r2 = self
            .pool
            .install(|| assembly.equation_residuals_at(term, params, points))?;
        let n = points.len() / assembly.model().input_dim();
        let neq = assembly.equation_weights(term)?.len();
        if n == 0 {
            return Ok(vec![0.0; neq]); // a term without points contributes nothing
        }
        let mut out = vec![0.0; neq];
        for r in r2.chunks(neq) {
            for (o, v) in out.iter_mut().zip(r) {
                *o += v.to_f64();
            }
        }
        Ok(out.into_iter().map(|s| s / n as f64).collect())
    }

    /// The points of `term` (point-major), as training sees them now.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a handle of another trainer.
    pub fn points(&self, term: TermId) -> Result<&[f64]> {
        crate::strategies::Terms::points(&self.assembly, term)
    }

    /// Runs at most `steps` more steps (fewer if the phases end first; the report then says
    /// [`StopReason::StepLimit`]); a later `run` or `run_steps` continues where it stopped,
    /// exactly as if the run had not been split.
    pub fn run_steps(&mut self, steps: usize) -> Result<Report<T>> {
        self.run_limited(Some(steps))
    }

    /// Runs the phases that still have steps to take, writing a checkpoint every `k` steps if
    /// [`TrainerBuilder::checkpoint_every`] asked for it.
    ///
    /// # Errors
    ///
    /// [`Error::NonFinite`] naming the step and the term when a loss is NaN or infinite
    /// (`"pde"`), when only its gradient is (`"pde (gradient)"`), or when an optimizer's update
    /// overflows (`"parameters (after the update)"`); [`Error::UndeclaredDerivative`] when a
    /// residual reads a derivative it did not declare; [`Error::Residual`] when it reads an
    /// output the PDE does not have, or uses an equation index past `equations()` or leaves
    /// an equation unwritten; the errors of resampling closures and
    /// strategies; [`Error::Io`] if an automatic checkpoint cannot be written. On an error the
    /// parameters are restored to those before the failing step, available through
    /// [`Trainer::params`], and a later `run` continues from there (with the optimizer state
    /// the failing step left; resume from a checkpoint for an exact continuation).
    pub fn run(&mut self) -> Result<Report<T>> {
        self.run_limited(None)
    }

    fn run_limited(&mut self, limit: Option<usize>) -> Result<Report<T>> {
        let start = Instant::now();
        let mut report = Report {
            steps: 0,
            stop: StopReason::Completed,
            history: Vec::new(),
            metrics: Vec::new(),
            evaluations: 0,
            seconds: 0.0,
        };
        let mut phases = std::mem::take(&mut self.phases);
        let outcome = self.run_phases(&mut phases, &mut report, start, limit);
        self.phases = phases;
        outcome?;
        if let Some(m) = &self.metric {
            let last = self.step.saturating_sub(1);
            if report.steps > 0 && report.metrics.last().map(|r| r.0) != Some(last) {
                report.metrics.push((last, self.metrics_now(m)?));
            }
        }
        report.seconds = start.elapsed().as_secs_f64();
        Ok(report)
    }

    fn run_phases(
        &mut self,
        phases: &mut [Phase<T>],
        report: &mut Report<T>,
        start: Instant,
        limit: Option<usize>,
    ) -> Result<()> {
        let names = self.assembly.term_names();
        for pi in 0..phases.len() {
            report.stop = StopReason::Completed;
            if phases[pi].done < phases[pi].steps {
                let p = &phases[pi];
                let info = PhaseInfo {
                    index: pi,
                    name: &p.name,
                    optimizer: p.optimizer.name(),
                    steps: p.steps,
                    done: p.done,
                };
                let (strategies, assembly) = (&mut self.strategies, &mut self.assembly);
                self.pool.install(|| -> Result<()> {
                    for s in strategies.iter_mut() {
                        s.begin_phase(&mut *assembly, info)?;
                    }
                    Ok(())
                })?;
            }
            while phases[pi].done < phases[pi].steps {
                if limit.is_some_and(|l| report.steps >= l) {
                    report.stop = StopReason::StepLimit;
                    return Ok(());
                }
                let step = self.step;
                let mut terms = Vec::new();
                self.backup.copy_from_slice(&self.params);
                let (assembly, params) = (&mut self.assembly, &mut self.params);
                let strategies = &mut self.strategies;
                let optimizer = &mut phases[pi].optimizer;
                let seed = self.seed;
                let first_user = self.first_user_strategy;
                let mut evaluation = 0;
                let info = self.pool.install(|| {
                    let mut objective = |x: &[T], g: &mut [T]| -> Result<T> {
                        for (k, s) in strategies.iter_mut().enumerate() {
                            // Strategy k's stream counts the strategies the user added.
                            let k = if k < first_user { k } else { k - first_user };
                            let ctx = EvalContext {
                                step,
                                evaluation,
                                seed: seed
                                    .derive(STRATEGY_STREAM + k as u64)
                                    .derive(step as u64)
                                    .derive(evaluation as u64),
                                phase: pi,
                                run: seed,
                            };
                            s.before_eval(&mut *assembly, ctx, x)?;
                        }
                        assembly.set_stream(
                            seed.derive(MODEL_STREAM)
                                .derive(step as u64)
                                .derive(evaluation as u64),
                        );
                        evaluation += 1;
                        let r = assembly.eval(x, g, step)?;
                        for s in strategies.iter_mut() {
                            s.after_eval(&mut *assembly, g, &r)?;
                        }
                        if terms.is_empty() {
                            terms = r.terms.to_vec(); // the step's first evaluation: its start
                        }
                        Ok(r.total)
                    };
                    optimizer.step(params, &mut objective)
                });
                // A step whose update is not finite (an overflowing learning rate or line
                // search) fails like a non-finite loss: the parameters go back.
                let info = match info {
                    Ok(i) if self.params.iter().all(|p| p.is_finite()) => i,
                    Ok(_) => {
                        self.params.copy_from_slice(&self.backup);
                        return Err(Error::NonFinite {
                            step,
                            term: "parameters (after the update)".into(),
                        });
                    }
                    Err(e) => {
                        self.params.copy_from_slice(&self.backup);
                        return Err(e);
                    }
                };
                // Frozen numbers go back (an optimizer with momentum would still move them).
                for ((p, &b), _) in (self.params.iter_mut().zip(&self.backup))
                    .zip(self.assembly.frozen())
                    .filter(|(_, f)| **f)
                {
                    *p = b;
                }
                let (strategies, assembly, params) =
                    (&mut self.strategies, &mut self.assembly, &self.params);
                self.pool.install(|| -> Result<()> {
                    for s in strategies.iter_mut() {
                        s.after_step(&mut *assembly, params, step)?;
                    }
                    Ok(())
                })?;
                report.evaluations += info.evaluations;
                let phase = &mut phases[pi];
                let converged = info
                    .termination
                    .filter(|t| t.is_converged() && phase.until_converged);
                phase.done += 1;
                if converged.is_some() {
                    // This phase is over; the next one (if any) starts from here.
                    phase.done = phase.steps;
                }
                self.step += 1;
                report.steps += 1;
                if let Some(t) = converged {
                    report.stop = StopReason::Converged(t);
                }
                if let Some((every, path)) = &self.autosave
                    && self.step.is_multiple_of(*every)
                {
                    // Every rank holds the same state; rank 0 writes it, and every rank
                    // stops if it could not.
                    let written = match self.assembly.rank() {
                        0 => self.snapshot(phases).write(path),
                        _ => Ok(()),
                    };
                    match self.assembly.collective() {
                        Some(c) => collective::agree_with_root(c, written)?,
                        None => written?,
                    }
                }
                let metrics = match &self.metric {
                    Some(m) if step.is_multiple_of(m.every) => Some(self.metrics_now(m)?),
                    _ => None,
                };
                if let Some(m) = &metrics {
                    report.metrics.push((step, m.clone()));
                }
                let event = Event {
                    step,
                    phase: &phases[pi].name,
                    loss: info.loss,
                    terms: &terms,
                    term_names: &names,
                    metrics,
                    seconds: start.elapsed().as_secs_f64(),
                };
                let mut stop = false;
                for obs in &mut self.observers {
                    stop |= obs(&event) == Control::Stop;
                }
                if let Some(c) = self.assembly.collective() {
                    stop = collective::any(c, stop)?;
                }
                report.history.push(HistoryRow {
                    step,
                    loss: info.loss,
                    terms,
                    coefficients: self.assembly.coefficient_values(&self.params),
                });
                if stop {
                    report.stop = StopReason::Observer;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// This rank's number in a data-parallel run ([`TrainerBuilder::collective`]); 0 without
    /// one. Rank 0 is the one that writes files.
    pub fn rank(&self) -> usize {
        self.assembly.rank()
    }

    /// The number of ranks of the run; 1 without a data-parallel run.
    pub fn ranks(&self) -> usize {
        self.assembly.ranks()
    }

    /// The seconds this rank has spent merging its share of the loss with the other ranks'
    /// (sending, receiving and waiting for slower ranks), since the trainer was built; 0
    /// without a data-parallel run.
    pub fn merge_seconds(&self) -> f64 {
        self.assembly.merge_seconds()
    }

    /// Compares this rank's configuration with rank 0's (see [`TrainerBuilder::collective`]).
    pub(super) fn check_ranks_agree(&mut self) -> Result<()> {
        let mut params = Fingerprint::default();
        params.f64s(self.params.iter().map(|v| v.to_f64()));
        let mut run = Fingerprint::default();
        run.bytes(T::NAME.as_bytes())
            .u64(self.seed.0)
            .u64(self.step as u64)
            .u64(self.assembly.chunk_size() as u64);
        let mut terms = Fingerprint::default();
        for id in self.assembly.term_ids() {
            let name = &self.assembly.term_names()[id.index()];
            terms
                .bytes(name.as_bytes())
                .f64s([self.assembly.weight(id)?]);
            terms.f64s(self.assembly.points(id)?.iter().copied());
        }
        let mut phases = Fingerprint::default();
        for p in &self.phases {
            phases
                .bytes(p.name.as_bytes())
                .bytes(p.optimizer.name().as_bytes());
            phases.u64(p.steps as u64).u64(p.done as u64);
        }
        let mut strategies = Fingerprint::default();
        for s in &self.strategies {
            strategies.bytes(s.name().as_bytes());
        }
        let parts = [
            ("parameters", params),
            ("precision, seed, step or chunk size", run),
            ("terms (names, weights, points)", terms),
            ("phases", phases),
            ("strategies", strategies),
        ];
        match self.assembly.collective() {
            Some(c) => collective::check_same(c, &parts),
            None => Ok(()),
        }
    }

    /// Metrics of the current network on the metric points.
    fn metrics_now(&self, m: &MetricSpec) -> Result<Metrics> {
        let pts: Vec<T> = m.points.iter().map(|&v| T::from_f64(v)).collect();
        let u = evaluate(self.model(), self.theta(), &pts)?;
        let u: Vec<f64> = u.iter().map(|v| v.to_f64()).collect();
        Ok(Metrics::compute_outputs(
            &u,
            &m.reference,
            self.model().output_dim(),
        ))
    }

    /// The current network's predictions at `points` (point-major).
    pub fn predict(&self, points: &[f64]) -> Result<Vec<f64>> {
        let pts: Vec<T> = points.iter().map(|&v| T::from_f64(v)).collect();
        Ok(evaluate(self.model(), self.theta(), &pts)?
            .iter()
            .map(|v| v.to_f64())
            .collect())
    }

    /// The network's outputs on a tensor grid of `counts[k] ≥ 2` points along axis `k` of
    /// `bounds` (both ends included, first axis slowest, as [`Grid`](crate::sampling::Grid)),
    /// ready to [write](GridPrediction) as CSV or NPY.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] unless `counts` has one entry per input; the errors of
    /// [`Grid::per_dim`](crate::sampling::Grid::per_dim) for bad counts.
    pub fn predict_grid(&self, bounds: &BoxDomain, counts: &[usize]) -> Result<GridPrediction> {
        let d = self.model().input_dim();
        for (what, found) in [("grid bounds", bounds.dim()), ("grid counts", counts.len())] {
            if found != d {
                return Err(Error::DimensionMismatch {
                    what,
                    expected: d,
                    found,
                });
            }
        }
        let n = counts
            .iter()
            .try_fold(1usize, |a, &c| a.checked_mul(c))
            .ok_or_else(|| Error::InvalidConfig {
                field: "grid.counts",
                reason: format!("{counts:?} points overflow the point count"),
            })?;
        let points = Grid::per_dim(counts)?
            .sample(bounds, n, Seed(0))?
            .into_vec();
        let values = self.predict(&points)?;
        Ok(GridPrediction {
            counts: counts.to_vec(),
            points,
            values,
            outputs: self.model().output_dim(),
        })
    }
}
