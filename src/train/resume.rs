//! Checkpoint and resume: taking a [`Checkpoint`] of a [`Trainer`], writing and reading it,
//! and restoring it into a trainer built with the same configuration.

use std::path::Path;

use crate::ad::Real;
use crate::error::{Error, Result, check_len};
use crate::model::Model;
use crate::pde::Pde;

use super::checkpoint::{Checkpoint, PhaseCheckpoint, StrategyCheckpoint};
use super::trainer::{Phase, Trainer};

impl<P: Pde, T: Real, M: Model<T>> Trainer<P, T, M> {
    /// A snapshot of the run at the current step boundary: everything
    /// [`Trainer::restore`] needs to continue it bit for bit (see [`Checkpoint`]).
    pub fn checkpoint(&self) -> Checkpoint<T> {
        self.snapshot(&self.phases)
    }

    pub(super) fn snapshot(&self, phases: &[Phase<T>]) -> Checkpoint<T> {
        Checkpoint {
            seed: self.seed,
            step: self.step,
            chunk_size: self.assembly.chunk_size(),
            params: self.params.clone(),
            phases: phases
                .iter()
                .map(|p| PhaseCheckpoint {
                    name: p.name.clone(),
                    optimizer: p.optimizer.name().into(),
                    steps: p.steps,
                    done: p.done,
                    state: p.optimizer.state(),
                })
                .collect(),
            strategies: self
                .strategies
                .iter()
                .map(|s| StrategyCheckpoint {
                    name: s.name().into(),
                    state: s.state(),
                })
                .collect(),
            terms: self.assembly.term_checkpoints(),
            coefficients: self
                .assembly
                .coefficient_specs()
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        }
    }

    /// Writes [`Trainer::checkpoint`] to `path` atomically: a temporary file `path.tmp`,
    /// synced, then renamed over `path`, so a crash mid-write leaves the previous checkpoint
    /// intact.
    ///
    /// ```
    /// # use pinn::ad::{jet::Component, Elementary, Scalar};
    /// # use pinn::nets::NetBuilder;
    /// # use pinn::optim::Adam;
    /// # use pinn::pde::{Condition, problems::Poisson1D};
    /// # use pinn::train::Trainer;
    /// let config = || -> pinn::Result<_> {
    ///     let net = NetBuilder::new(1).mlp(&[8], Elementary::Tanh).build(1)?;
    ///     Ok(Trainer::<_, f64>::builder(net, Poisson1D::new(1.0)?)
    ///         .pde_points((1..16).map(|i| i as f64 / 16.0).collect())
    ///         .condition("boundary", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0])
    ///         .phase("adam", 20, Adam::with_lr(1e-2)?)
    ///         .threads(1))
    /// };
    /// let path = std::env::temp_dir().join("pinn_trainer_checkpoint_doctest.ckpt");
    /// let mut full = config()?.build()?;
    /// full.run()?; // 20 steps in one go
    ///
    /// let mut first = config()?.build()?;
    /// first.run_steps(8)?;
    /// first.save_checkpoint(&path)?;
    /// let mut rest = config()?.resume_from(&path).build()?; // a fresh trainer at step 8
    /// rest.run()?;
    /// assert_eq!(rest.params(), full.params()); // bit for bit
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn save_checkpoint(&self, path: impl AsRef<Path>) -> Result<()> {
        self.checkpoint().write(path)
    }

    /// Reads a checkpoint written by [`Trainer::save_checkpoint`] (or `checkpoint_every`) and
    /// [restores](Trainer::restore) it.
    pub fn load_checkpoint(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let c = Checkpoint::read(path)?;
        self.restore(&c)
    }

    /// Puts the run back into the state of `c`: parameters, step count, seed, every phase's
    /// optimizer state and progress, every strategy's state, and every term's points and
    /// weights. The trainer must have been built with the same configuration: the same
    /// number of parameters, chunk size, phases (names and optimizer kinds), strategies and
    /// terms (names). The seed of the checkpoint replaces the builder's. On an error nothing
    /// changes.
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] or [`Error::InvalidConfig`] (field `"checkpoint.*"`)
    /// naming the first difference; whatever an optimizer's or strategy's `set_state` returns.
    pub fn restore(&mut self, c: &Checkpoint<T>) -> Result<()> {
        self.check_compatible(c)?;
        let before = self.checkpoint();
        if let Err(e) = self.apply(c) {
            // Roll back: `before` came from this trainer, so it applies.
            let _ = self.apply(&before);
            return Err(e);
        }
        Ok(())
    }

    fn check_compatible(&self, c: &Checkpoint<T>) -> Result<()> {
        let invalid = |field, reason| Err(Error::InvalidConfig { field, reason });
        check_len(
            "checkpoint: parameters (network, then PDE coefficients)",
            self.params.len(),
            c.params.len(),
        )?;
        if let Some(i) = c.params.iter().position(|p| !p.is_finite()) {
            return invalid(
                "checkpoint.params",
                format!(
                    "every parameter must be finite, found {} at {i}",
                    c.params[i]
                ),
            );
        }
        if c.chunk_size != self.assembly.chunk_size() {
            return invalid(
                "checkpoint.chunk_size",
                format!(
                    "the checkpoint was written with chunk_size {}, this trainer uses {}; \
                     the chunk size is part of the determinism contract",
                    c.chunk_size,
                    self.assembly.chunk_size()
                ),
            );
        }
        let names: Vec<&str> = self
            .assembly
            .coefficient_specs()
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        if !c.coefficients.is_empty() && c.coefficients != names {
            return invalid(
                "checkpoint.coefficients",
                format!(
                    "the checkpoint holds the coefficients {:?}, this trainer's PDE has {names:?}",
                    c.coefficients
                ),
            );
        }
        check_len("checkpoint: phases", self.phases.len(), c.phases.len())?;
        for (i, (p, q)) in self.phases.iter().zip(&c.phases).enumerate() {
            if p.name != q.name || p.optimizer.name() != q.optimizer {
                return invalid(
                    "checkpoint.phases",
                    format!(
                        "phase {i} is `{}` ({}) here but `{}` ({}) in the checkpoint",
                        p.name,
                        p.optimizer.name(),
                        q.name,
                        q.optimizer
                    ),
                );
            }
            if q.done > q.steps {
                return invalid(
                    "checkpoint.phases",
                    format!(
                        "phase {i} (`{}`) has done {} of its {} steps",
                        q.name, q.done, q.steps
                    ),
                );
            }
        }
        // The step count cannot exceed the steps the phases did, and must leave room for the
        // steps still to take here.
        let done = c
            .phases
            .iter()
            .try_fold(0usize, |a, q| a.checked_add(q.done));
        let left = self
            .phases
            .iter()
            .zip(&c.phases)
            .try_fold(0usize, |a, (p, q)| {
                a.checked_add(p.steps.saturating_sub(q.done))
            });
        if done.is_none_or(|d| c.step > d) || left.and_then(|l| c.step.checked_add(l)).is_none() {
            return invalid(
                "checkpoint.step",
                format!(
                    "step {} is inconsistent with the phases' steps done ({})",
                    c.step,
                    done.map_or("overflow".into(), |d| d.to_string())
                ),
            );
        }
        check_len(
            "checkpoint: strategies",
            self.strategies.len(),
            c.strategies.len(),
        )?;
        for (i, (s, q)) in self.strategies.iter().zip(&c.strategies).enumerate() {
            if s.name() != q.name {
                return invalid(
                    "checkpoint.strategies",
                    format!(
                        "strategy {i} is `{}` here but `{}` in the checkpoint",
                        s.name(),
                        q.name
                    ),
                );
            }
        }
        let names = self.assembly.term_names();
        check_len("checkpoint: terms", names.len(), c.terms.len())?;
        for (i, (n, t)) in names.iter().zip(&c.terms).enumerate() {
            if *n != t.name {
                return invalid(
                    "checkpoint.terms",
                    format!("term {i} is `{n}` here but `{}` in the checkpoint", t.name),
                );
            }
        }
        Ok(())
    }

    /// Applies a checkpoint that passed [`Trainer::check_compatible`].
    fn apply(&mut self, c: &Checkpoint<T>) -> Result<()> {
        for (p, q) in self.phases.iter_mut().zip(&c.phases) {
            p.optimizer.set_state(&q.state)?;
            p.done = q.done;
        }
        for (s, q) in self.strategies.iter_mut().zip(&c.strategies) {
            s.set_state(&q.state)?;
        }
        for (i, t) in c.terms.iter().enumerate() {
            self.assembly.restore_term(i, t)?;
        }
        self.params.copy_from_slice(&c.params);
        self.step = c.step;
        self.seed = c.seed;
        Ok(())
    }
}
