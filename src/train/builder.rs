//! [`TrainerBuilder`]: configures a [`Trainer`] and validates everything at once.

use std::path::{Path, PathBuf};

use crate::ad::Real;
use crate::ad::jet::Graph;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::optim::Optimizer;
use crate::pde::{Condition, Pde};
use crate::rng::Seed;
use crate::strategies::{Redraw, Strategy};

use super::assembly::Assembly;
use super::collective::Collective;
use super::report::{Control, Event};
use super::term::{Term, TermId, TermKind};
use super::trainer::{MetricSpec, ObserverFn, Phase, Trainer};

/// Configures a [`Trainer`]; [`TrainerBuilder::build`] validates everything at once.
pub struct TrainerBuilder<P, T: Real, M: Model<T> = Graph> {
    pub(super) model: M,
    pub(super) pde: P,
    pub(super) terms: Vec<Term>,
    pub(super) phases: Vec<Phase<T>>,
    pub(super) seed: Seed,
    pub(super) chunk: usize,
    pub(super) threads: Option<usize>,
    pub(super) params: Option<Vec<T>>,
    pub(super) redraws: Vec<Redraw>,
    pub(super) observers: Vec<ObserverFn<T>>,
    pub(super) metric: Option<MetricSpec>,
    pub(super) weights: Vec<(TermId, f64)>,
    pub(super) equation_weights: Vec<(TermId, Vec<f64>)>,
    pub(super) strategies: Vec<Box<dyn Strategy<T>>>,
    pub(super) resume: Option<PathBuf>,
    pub(super) autosave: Option<(usize, PathBuf)>,
    pub(super) collective: Option<Box<dyn Collective>>,
}

impl<P: Pde, T: Real, M: Model<T>> TrainerBuilder<P, T, M> {
    /// Adds a loss term and returns its handle (for weights, resampling and strategies).
    pub fn add_term(&mut self, term: Term) -> TermId {
        self.terms.push(term);
        TermId(self.terms.len() - 1)
    }

    /// Adds the PDE residual on `points` (point-major), weight 1, named `"pde"`; returns its
    /// handle.
    pub fn add_pde_points(&mut self, points: Vec<f64>) -> TermId {
        self.add_term(Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points,
            normals: Vec::new(),
            partners: Vec::new(),
        })
    }

    /// Adds a condition on `points`, weight 1; returns its handle.
    pub fn add_condition(&mut self, name: &str, condition: Condition, points: Vec<f64>) -> TermId {
        self.add_condition_with_normals(name, condition, points, Vec::new())
    }

    /// Adds a condition on `points` with their outward unit normals (Neumann, Robin); returns
    /// its handle.
    pub fn add_condition_with_normals(
        &mut self,
        name: &str,
        condition: Condition,
        points: Vec<f64>,
        normals: Vec<f64>,
    ) -> TermId {
        self.add_term(Term {
            name: name.into(),
            kind: TermKind::Condition(condition),
            weight: 1.0,
            points,
            normals,
            partners: Vec::new(),
        })
    }

    /// The handles of the terms added so far, in order (for terms added with the chaining
    /// methods [`TrainerBuilder::term`], [`TrainerBuilder::pde_points`],
    /// [`TrainerBuilder::condition`]).
    pub fn term_ids(&self) -> Vec<TermId> {
        (0..self.terms.len()).map(TermId).collect()
    }

    /// Adds a loss term (when its handle is not needed; see [`TrainerBuilder::add_term`]).
    pub fn term(mut self, term: Term) -> Self {
        self.add_term(term);
        self
    }

    /// Adds the PDE residual on `points` (point-major), weight 1, named `"pde"` (see
    /// [`TrainerBuilder::add_pde_points`] for its handle).
    pub fn pde_points(mut self, points: Vec<f64>) -> Self {
        self.add_pde_points(points);
        self
    }

    /// Adds a condition on `points`, weight 1 (see [`TrainerBuilder::add_condition`] for its
    /// handle).
    pub fn condition(mut self, name: &str, condition: Condition, points: Vec<f64>) -> Self {
        self.add_condition(name, condition, points);
        self
    }

    /// Adds a condition on `points` with their outward unit normals (Neumann, Robin).
    pub fn condition_with_normals(
        mut self,
        name: &str,
        condition: Condition,
        points: Vec<f64>,
        normals: Vec<f64>,
    ) -> Self {
        self.add_condition_with_normals(name, condition, points, normals);
        self
    }

    /// Sets the weight of `term` (checked and applied at build time).
    pub fn weight(mut self, term: TermId, weight: f64) -> Self {
        self.weights.push((term, weight));
        self
    }

    /// Sets the weights `ω_e` of the equations of `term`, one per equation: its loss becomes
    /// `w_t·(1/N)·Σ_p Σ_e ω_e r_e²` (checked and applied at build time; see
    /// [`Assembly::set_equation_weights`](super::Assembly::set_equation_weights)).
    /// [`Trainer::equation_losses`](super::Trainer::equation_losses) reports each equation.
    pub fn equation_weights(mut self, term: TermId, weights: &[f64]) -> Self {
        self.equation_weights.push((term, weights.to_vec()));
        self
    }

    /// Adds a phase of `steps` outer steps with `optimizer`. Every step is taken, as in a
    /// PyTorch script's `for i in range(steps): optimizer.step(closure)`: an optimizer that
    /// reports convergence (L-BFGS's tolerances, a failed line search) is stepped again, and
    /// the history records each step. To end the phase at the first converged step instead, use
    /// [`TrainerBuilder::phase_until_converged`].
    pub fn phase(
        mut self,
        name: &str,
        steps: usize,
        optimizer: impl Optimizer<T> + Send + 'static,
    ) -> Self {
        self.phases.push(Phase::new(name, steps, optimizer, false));
        self
    }

    /// Adds a phase of at most `steps` outer steps with `optimizer` that ends at the first step
    /// whose [`Termination`](crate::optim::Termination) is converged (then the next phase, if
    /// any, starts from there; after the last phase the report says
    /// [`StopReason::Converged`](super::StopReason::Converged)).
    pub fn phase_until_converged(
        mut self,
        name: &str,
        steps: usize,
        optimizer: impl Optimizer<T> + Send + 'static,
    ) -> Self {
        self.phases.push(Phase::new(name, steps, optimizer, true));
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

    /// Starting parameters (network `θ`, then the PDE coefficients' optimised numbers `ρ`,
    /// [`Coefficient::raw_initial`](crate::pde::Coefficient::raw_initial) for a fresh start)
    /// instead of the seeded initialisation.
    pub fn params(mut self, params: Vec<T>) -> Self {
        self.params = Some(params);
        self
    }

    /// Redraws the points of `term` every `every` steps: `draw(seed)` returns the points
    /// and their normals (empty if none), with the seed [`Redraw::seed`]`(run, term, step)`.
    /// A [`Redraw`] strategy, run before the strategies added with
    /// [`TrainerBuilder::strategy`]. The term keeps the points it was added with until the
    /// first redraw (step `every`); to draw those from the same stream too, add the term with
    /// [`TrainerBuilder::add_resampled`] instead.
    pub fn resample(
        mut self,
        term: TermId,
        every: usize,
        draw: impl FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send + 'static,
    ) -> Self {
        self.redraws.push(Redraw::new(term, every, draw));
        self
    }

    /// Adds a term (weight 1) whose points `draw` supplies, every one of its batches from the
    /// same seed stream: the first when the trainer is built, `draw(`[`Redraw::seed`]`(run,
    /// term, 0))`, then a fresh one every `every` steps, `draw(Redraw::seed(run, term, step))`
    /// at steps `every, 2·every, …` (`run` is the seed given to [`TrainerBuilder::seed`],
    /// whenever it is called). `draw` returns the points and their outward normals (empty if
    /// the condition needs none). Returns the term's handle.
    ///
    /// Periodic and data conditions keep their points and are refused at build time, as are
    /// `every = 0` and the errors of `draw`.
    ///
    /// ```
    /// use pinn::ad::{jet::Graph, Elementary};
    /// use pinn::optim::Adam;
    /// use pinn::pde::problems::Poisson1D;
    /// use pinn::rng::{uniform, Seed};
    /// use pinn::strategies::Redraw;
    /// use pinn::train::{TermKind, Trainer};
    ///
    /// // 64 uniform points of [0, 1] from a seed.
    /// let draw = |seed: Seed| {
    ///     let mut rng = seed.rng();
    ///     Ok(((0..64).map(|_| uniform(&mut rng)).collect::<Vec<f64>>(), vec![]))
    /// };
    /// let net = Graph::mlp(&[1, 8, 1], Elementary::Tanh)?;
    /// let mut b = Trainer::<_, f64>::builder(net, Poisson1D::new(1.0)?);
    /// let pde = b.add_resampled("pde", TermKind::Pde, 10, draw);
    /// let trainer = b.seed(Seed(5)).phase("adam", 20, Adam::with_lr(1e-3)?).build()?;
    /// assert_eq!(trainer.points(pde)?, draw(Redraw::seed(Seed(5), pde, 0))?.0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn add_resampled(
        &mut self,
        name: &str,
        kind: TermKind,
        every: usize,
        draw: impl FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send + 'static,
    ) -> TermId {
        let id = self.add_term(Term {
            name: name.into(),
            kind,
            weight: 1.0,
            points: Vec::new(),
            normals: Vec::new(),
            partners: Vec::new(),
        });
        let mut redraw = Redraw::new(id, every, draw);
        redraw.draws_first = true;
        self.redraws.push(redraw);
        id
    }

    /// Computes [`Metrics`](super::Metrics) against `reference` at `points` every `every` steps and
    /// at the end: `reference` is point-major with one value per output (`v[p·m + o]`), and the
    /// metrics are given over all outputs and for each output ([`Metrics::outputs`](super::Metrics::outputs)).
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

    /// Trains data-parallel over the ranks of `group` (see [`collective`](super::collective)):
    /// every rank builds the same trainer and calls [`Trainer::run`]; each evaluates its share
    /// of the chunks, and the run gives the same bits as in one process. Rank 0 alone writes
    /// the automatic checkpoints ([`TrainerBuilder::checkpoint_every`]); an observer that
    /// stops the run on one rank stops it on every rank. Checked at build time: every rank's
    /// configuration must match rank 0's ([`Error::Collective`] names the first that does
    /// not, on every rank).
    pub fn collective(mut self, group: impl Collective + 'static) -> Self {
        self.collective = Some(Box::new(group));
        self
    }

    /// Calls `f` after every step; it may stop the run.
    pub fn observer(mut self, f: impl FnMut(&Event<'_, T>) -> Control + Send + 'static) -> Self {
        self.observers.push(Box::new(f));
        self
    }

    /// Validates the whole configuration and prepares the run. Among the checks: every term
    /// has its own name ([`Error::InvalidConfig`] naming a repeated one and the two terms).
    ///
    /// In a data-parallel run ([`TrainerBuilder::collective`]) building is collective too:
    /// if it fails on one rank (a bad setting, a checkpoint to resume that one rank cannot
    /// read), every rank returns that rank's error, as [transcribed](super::collective) for
    /// all of them; no rank is left waiting for the others.
    pub fn build(mut self) -> Result<Trainer<P, T, M>> {
        let group = self.collective.take();
        let built = self.build_here();
        let Some(mut group) = group else {
            return built;
        };
        super::collective::agree_on(&mut *group, built.as_ref().err())?;
        let mut trainer = built?;
        trainer.assembly.set_collective(group);
        trainer.check_ranks_agree()?;
        Ok(trainer)
    }

    fn build_here(mut self) -> Result<Trainer<P, T, M>> {
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
        let n_terms = self.terms.len();
        for &(id, w) in &self.weights {
            match self.terms.get_mut(id.index()) {
                Some(t) => t.weight = w,
                None => {
                    return invalid(
                        "weight",
                        format!("no term number {} (there are {n_terms})", id.index()),
                    );
                }
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
                p.extend(
                    self.pde
                        .coefficient_specs()
                        .iter()
                        .map(|c| T::from_f64(c.raw_initial())),
                );
                p
            }
        };
        for r in self.redraws.iter_mut().filter(|r| r.draws_first) {
            let Some(t) = self.terms.get_mut(r.term().index()) else {
                continue; // not from this builder: Redraw::init reports it
            };
            if crate::strategies::redraw::keeps_points(&t.kind) {
                return invalid(
                    "add_resampled",
                    format!(
                        "term `{}`: periodic and data terms keep their points",
                        t.name
                    ),
                );
            }
            let (points, normals) = r.draw_at(self.seed, 0)?;
            t.points = points;
            t.normals = normals;
        }
        let mut assembly = Assembly::new(self.model, self.pde, self.terms, self.chunk, threads)?;
        for (id, w) in &self.equation_weights {
            assembly.set_equation_weights(*id, w)?;
        }
        let first_user_strategy = self.redraws.len();
        let mut strategies: Vec<Box<dyn Strategy<T>>> = self
            .redraws
            .into_iter()
            .map(|r| Box::new(r) as Box<dyn Strategy<T>>)
            .collect();
        strategies.extend(self.strategies);
        for s in &mut strategies {
            s.init(&mut assembly)?;
        }
        let names: Vec<&str> = strategies.iter().map(|s| s.name()).collect();
        let roles: Vec<_> = strategies.iter().map(|s| s.point_roles()).collect();
        crate::strategies::check_point_roles(&names, &roles, &assembly.term_names())?;
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
            observers: self.observers,
            metric: self.metric,
            step: 0,
            backup: vec![T::zero(); params_len],
            strategies,
            first_user_strategy,
            autosave: self.autosave,
        };
        if let Some(path) = &self.resume {
            trainer.load_checkpoint(path)?;
        }
        Ok(trainer)
    }
}
