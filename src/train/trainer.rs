//! The [`Trainer`]: one loop that drives a network, a PDE, its loss terms and a sequence of
//! optimizers, with resampling, metrics and observers.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::ad::Real;
use crate::ad::jet::Graph;
use crate::domain::{BoxDomain, Domain};
use crate::error::{Error, Result};
use crate::model::{Model, evaluate};
use crate::optim::{Optimizer, Termination};
use crate::pde::{Condition, Pde};
use crate::rng::Seed;
use crate::sampling::{Grid, Sampler};
use crate::strategies::{EvalContext, Strategy};

use super::assembly::Assembly;
use super::export::GridPrediction;
use super::metrics::Metrics;
use super::term::{Term, TermKind};

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
    /// Error metrics, on the steps where they were computed.
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
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The last phase ran all its steps.
    Completed,
    /// An observer returned [`Control::Stop`].
    Observer,
    /// [`Trainer::run_steps`] took the steps it was asked for.
    StepLimit,
    /// The last phase that ran ended early because its optimizer converged (or could not
    /// progress); earlier phases that converged simply handed over to the next one.
    Converged(Termination),
}

/// The outcome of [`Trainer::run`].
#[derive(Clone, Debug)]
pub struct Report<T> {
    /// Steps taken.
    pub steps: usize,
    /// Why the run ended.
    pub stop: StopReason,
    /// The loss history, one row per step.
    pub history: Vec<HistoryRow<T>>,
    /// `(step, metrics)` on the steps where metrics were computed, and after the last step.
    pub metrics: Vec<(usize, Metrics)>,
    /// Loss evaluations (forward + backward passes over all points).
    pub evaluations: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// The first seed stream of strategies (`seed.derive(STRATEGY_STREAM + k)` for strategy `k`);
/// streams below it are the network initialisation (0) and the resampled terms (1 + term).
const STRATEGY_STREAM: u64 = 1 << 32;

/// The stream handed to the model (`seed.derive(MODEL_STREAM).derive(step).derive(evaluation)`,
/// see [`Assembly::set_stream`]).
const MODEL_STREAM: u64 = 1 << 48;

type ObserverFn<T> = Box<dyn FnMut(&Event<'_, T>) -> Control + Send>;
type DrawFn = Box<dyn FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send>;

pub(super) struct Phase<T> {
    pub(super) name: String,
    pub(super) steps: usize,
    pub(super) done: usize,
    pub(super) optimizer: Box<dyn Optimizer<T> + Send>,
}

struct Resampler {
    term: String,
    every: usize,
    draw: DrawFn,
}

struct MetricSpec {
    points: Vec<f64>,
    reference: Vec<f64>,
    every: usize,
}

/// Configures a [`Trainer`]; [`TrainerBuilder::build`] validates everything at once.
pub struct TrainerBuilder<P, T: Real, M: Model<T> = Graph> {
    model: M,
    pde: P,
    terms: Vec<Term>,
    phases: Vec<Phase<T>>,
    seed: Seed,
    chunk: usize,
    threads: Option<usize>,
    params: Option<Vec<T>>,
    resamplers: Vec<Resampler>,
    observers: Vec<ObserverFn<T>>,
    metric: Option<MetricSpec>,
    weights: Vec<(String, f64)>,
    strategies: Vec<Box<dyn Strategy<T>>>,
    resume: Option<PathBuf>,
    autosave: Option<(usize, PathBuf)>,
}

/// Trains a model (by default one network, a [`Graph`]) on a PDE. Build one with
/// [`Trainer::builder`].
pub struct Trainer<P, T: Real, M: Model<T> = Graph> {
    pub(super) assembly: Assembly<P, T, M>,
    pub(super) params: Vec<T>,
    pub(super) phases: Vec<Phase<T>>,
    pool: rayon::ThreadPool,
    pub(super) seed: Seed,
    resamplers: Vec<Resampler>,
    observers: Vec<ObserverFn<T>>,
    metric: Option<MetricSpec>,
    pub(super) step: usize,
    backup: Vec<T>,
    pub(super) strategies: Vec<Box<dyn Strategy<T>>>,
    autosave: Option<(usize, PathBuf)>,
}

impl<P: Pde, T: Real> Trainer<P, T, Graph> {
    /// The network.
    pub fn graph(&self) -> &Graph {
        self.assembly.model()
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
            resamplers: Vec::new(),
            observers: Vec::new(),
            metric: None,
            weights: Vec::new(),
            strategies: Vec::new(),
            resume: None,
            autosave: None,
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

    /// The PDE's trainable coefficients only.
    pub fn coefficients(&self) -> &[T] {
        &self.params[self.assembly.model().n_params()..]
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
    /// residual reads a derivative it did not declare; the errors of resampling closures and
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
            while phases[pi].done < phases[pi].steps {
                if limit.is_some_and(|l| report.steps >= l) {
                    report.stop = StopReason::StepLimit;
                    return Ok(());
                }
                self.resample()?;
                let step = self.step;
                let mut terms = Vec::new();
                self.backup.copy_from_slice(&self.params);
                let (assembly, params) = (&mut self.assembly, &mut self.params);
                let strategies = &mut self.strategies;
                let optimizer = &mut phases[pi].optimizer;
                let seed = self.seed;
                let mut evaluation = 0;
                let info = self.pool.install(|| {
                    let mut objective = |x: &[T], g: &mut [T]| -> Result<T> {
                        for (k, s) in strategies.iter_mut().enumerate() {
                            let ctx = EvalContext {
                                step,
                                evaluation,
                                seed: seed
                                    .derive(STRATEGY_STREAM + k as u64)
                                    .derive(step as u64)
                                    .derive(evaluation as u64),
                            };
                            s.before_eval(&mut *assembly, ctx)?;
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
                            terms = r.terms.clone(); // the step's first evaluation: its start
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
                let (strategies, assembly, params) =
                    (&mut self.strategies, &mut self.assembly, &self.params);
                self.pool.install(|| -> Result<()> {
                    for s in strategies.iter_mut() {
                        s.after_step(&mut *assembly, params, step)?;
                    }
                    Ok(())
                })?;
                report.evaluations += info.evaluations;
                let converged = info.termination.filter(|t| t.is_converged());
                let phase = &mut phases[pi];
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
                    self.snapshot(phases).write(path)?;
                }
                let metrics = match &self.metric {
                    Some(m) if step.is_multiple_of(m.every) => Some(self.metrics_now(m)?),
                    _ => None,
                };
                if let Some(m) = metrics {
                    report.metrics.push((step, m));
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
                report.history.push(HistoryRow {
                    step,
                    loss: info.loss,
                    terms,
                });
                if stop {
                    report.stop = StopReason::Observer;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Metrics of the current network on the metric points.
    fn metrics_now(&self, m: &MetricSpec) -> Result<Metrics> {
        let pts: Vec<T> = m.points.iter().map(|&v| T::from_f64(v)).collect();
        let u = evaluate(self.model(), self.theta(), &pts)?;
        let u: Vec<f64> = u.iter().map(|v| v.to_f64()).collect();
        Ok(Metrics::compute(&u, &m.reference))
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

    fn resample(&mut self) -> Result<()> {
        let names = self.assembly.term_names();
        for r in &mut self.resamplers {
            if self.step > 0 && self.step.is_multiple_of(r.every) {
                let ti = names
                    .iter()
                    .position(|n| *n == r.term)
                    .ok_or(Error::InvalidConfig {
                        field: "resample",
                        reason: format!("no term named `{}`", r.term),
                    })?;
                let seed = self.seed.derive(1 + ti as u64).derive(self.step as u64);
                let (points, normals) = (r.draw)(seed)?;
                self.assembly.set_points(ti, points, normals, Vec::new())?;
            }
        }
        Ok(())
    }
}

impl<P: Pde, T: Real, M: Model<T>> TrainerBuilder<P, T, M> {
    /// Adds a loss term.
    pub fn term(mut self, term: Term) -> Self {
        self.terms.push(term);
        self
    }

    /// Adds the PDE residual on `points` (point-major), weight 1, named `"pde"`.
    pub fn pde_points(self, points: Vec<f64>) -> Self {
        self.term(Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points,
            normals: Vec::new(),
            partners: Vec::new(),
        })
    }

    /// Adds a condition on `points`, weight 1.
    pub fn condition(self, name: &str, condition: Condition, points: Vec<f64>) -> Self {
        self.condition_with_normals(name, condition, points, Vec::new())
    }

    /// Adds a condition on `points` with their outward unit normals (Neumann, Robin).
    pub fn condition_with_normals(
        self,
        name: &str,
        condition: Condition,
        points: Vec<f64>,
        normals: Vec<f64>,
    ) -> Self {
        self.term(Term {
            name: name.into(),
            kind: TermKind::Condition(condition),
            weight: 1.0,
            points,
            normals,
            partners: Vec::new(),
        })
    }

    /// Sets the weight of the term named `name` (checked and applied at build time).
    pub fn weight(mut self, name: &str, weight: f64) -> Self {
        self.weights.push((name.into(), weight));
        self
    }

    /// Adds a phase of `steps` outer steps with `optimizer`.
    pub fn phase(
        mut self,
        name: &str,
        steps: usize,
        optimizer: impl Optimizer<T> + Send + 'static,
    ) -> Self {
        self.phases.push(Phase {
            name: name.into(),
            steps,
            done: 0,
            optimizer: Box::new(optimizer),
        });
        self
    }

    /// The seed of every random stream (initialisation and resampling).
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Points per chunk (default 256). Part of the determinism contract: the same chunk size
    /// gives the same bits on any number of threads.
    pub fn chunk_size(mut self, chunk: usize) -> Self {
        self.chunk = chunk;
        self
    }

    /// Worker threads (default: all available cores).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Starting parameters (network `θ`, then PDE coefficients) instead of the seeded
    /// initialisation.
    pub fn params(mut self, params: Vec<T>) -> Self {
        self.params = Some(params);
        self
    }

    /// Redraws the points of term `term` every `every` steps: `draw(seed)` returns the points
    /// and their normals (empty if none). The seed is derived from the run's seed, the term
    /// and the step.
    pub fn resample(
        mut self,
        term: &str,
        every: usize,
        draw: impl FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send + 'static,
    ) -> Self {
        self.resamplers.push(Resampler {
            term: term.into(),
            every,
            draw: Box::new(draw),
        });
        self
    }

    /// Computes [`Metrics`] against `reference` at `points` every `every` steps and at the end.
    pub fn metrics(mut self, points: Vec<f64>, reference: Vec<f64>, every: usize) -> Self {
        self.metric = Some(MetricSpec {
            points,
            reference,
            every,
        });
        self
    }

    /// Adds a training strategy (RoPINN, loss balancing, self-adaptive weights, …); several
    /// strategies are called in the order they were added.
    pub fn strategy(mut self, s: impl Strategy<T> + 'static) -> Self {
        self.strategies.push(Box::new(s));
        self
    }

    /// Resumes the run saved in the checkpoint at `path` (see [`Trainer::restore`]): the
    /// trainer is built from this configuration, then takes the checkpoint's parameters, step,
    /// seed, optimizer, strategy and term states. Checked at build time.
    pub fn resume_from(mut self, path: impl AsRef<Path>) -> Self {
        self.resume = Some(path.as_ref().to_path_buf());
        self
    }

    /// Writes a checkpoint to `path` (atomically) after every `every`-th step of
    /// [`Trainer::run`], counted across phases (when the step count is a multiple of
    /// `every`). A failed write stops the run with [`Error::Io`].
    pub fn checkpoint_every(mut self, every: usize, path: impl AsRef<Path>) -> Self {
        self.autosave = Some((every, path.as_ref().to_path_buf()));
        self
    }

    /// Calls `f` after every step; it may stop the run.
    pub fn observer(mut self, f: impl FnMut(&Event<'_, T>) -> Control + Send + 'static) -> Self {
        self.observers.push(Box::new(f));
        self
    }

    /// Validates the whole configuration and prepares the run.
    pub fn build(mut self) -> Result<Trainer<P, T, M>> {
        let invalid =
            |field: &'static str, reason: String| Err(Error::InvalidConfig { field, reason });
        if self.terms.is_empty() {
            return invalid(
                "terms",
                "add at least one loss term (PDE points or a condition)".into(),
            );
        }
        if self.phases.is_empty() || self.phases.iter().all(|p| p.steps == 0) {
            return invalid(
                "phases",
                "add at least one optimizer phase with steps > 0".into(),
            );
        }
        if self.threads == Some(0) {
            return invalid("threads", "must be at least 1, found 0".into());
        }
        if let Some((every, path)) = &self.autosave {
            if *every == 0 {
                return invalid("checkpoint_every.every", "must be ≥ 1, found 0".into());
            }
            if path.as_os_str().is_empty() {
                return invalid("checkpoint_every.path", "must not be empty".into());
            }
        }
        for (name, w) in &self.weights {
            let mut found = false;
            for t in self.terms.iter_mut().filter(|t| t.name == *name) {
                t.weight = *w;
                found = true;
            }
            if !found {
                return invalid("weight", format!("no term named `{name}`"));
            }
        }
        for r in &self.resamplers {
            if r.every == 0 {
                return invalid(
                    "resample.every",
                    format!("term `{}`: must be ≥ 1, found 0", r.term),
                );
            }
            match self
                .terms
                .iter()
                .find(|t| t.name == r.term)
                .map(|t| &t.kind)
            {
                None => return invalid("resample", format!("no term named `{}`", r.term)),
                Some(TermKind::Condition(Condition::Periodic { .. } | Condition::Data { .. })) => {
                    return invalid(
                        "resample",
                        format!(
                            "term `{}`: periodic and data terms keep their points",
                            r.term
                        ),
                    );
                }
                Some(_) => {}
            }
        }
        if let Some(m) = &self.metric {
            let d = self.model.input_dim();
            if m.every == 0 {
                return invalid("metrics.every", "must be ≥ 1, found 0".into());
            }
            if m.points.is_empty() || !m.points.len().is_multiple_of(d) {
                return invalid("metrics.points", format!("need d = {d} numbers per point"));
            }
            if m.points.iter().chain(&m.reference).any(|v| !v.is_finite()) {
                return invalid(
                    "metrics",
                    "every point and reference value must be finite".into(),
                );
            }
            let want = m.points.len() / d * self.model.output_dim();
            if m.reference.len() != want {
                return Err(Error::DimensionMismatch {
                    what: "metric reference values",
                    expected: want,
                    found: m.reference.len(),
                });
            }
        }
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::InvalidConfig {
                field: "threads",
                reason: format!("could not start {threads} worker threads: {e}"),
            })?;
        let params = match self.params {
            Some(p) => p,
            None => {
                let mut p = self.model.init_params(self.seed.derive(0));
                p.extend(self.pde.coefficients().iter().map(|&c| T::from_f64(c)));
                p
            }
        };
        let mut assembly = Assembly::new(self.model, self.pde, self.terms, self.chunk, threads)?;
        let mut strategies = self.strategies;
        for s in &mut strategies {
            s.init(&mut assembly)?;
        }
        if params.len() != assembly.n_params() {
            return Err(Error::DimensionMismatch {
                what: "starting parameters (network, then PDE coefficients)",
                expected: assembly.n_params(),
                found: params.len(),
            });
        }
        if params.iter().any(|p| !p.is_finite()) {
            return invalid("params", "every starting parameter must be finite".into());
        }
        let params_len = params.len();
        let mut trainer = Trainer {
            assembly,
            params,
            phases: self.phases,
            pool,
            seed: self.seed,
            resamplers: self.resamplers,
            observers: self.observers,
            metric: self.metric,
            step: 0,
            backup: vec![T::zero(); params_len],
            strategies,
            autosave: self.autosave,
        };
        if let Some(path) = &self.resume {
            trainer.load_checkpoint(path)?;
        }
        Ok(trainer)
    }
}
