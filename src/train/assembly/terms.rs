//! What strategies and checkpoints read and change of an [`Assembly`]'s terms: points,
//! weights, per-point weights, recorded residuals.

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pde::Pde;
use crate::rng::Seed;

use super::super::checkpoint::TermCheckpoint;
use super::super::term::{Prepared, Term, TermId, TermKind, prepare};
use super::Assembly;

impl<P: Pde, T: Real, M: Model<T>> Assembly<P, T, M> {
    /// Sets the random stream of the next evaluations (the trainer derives one per step and
    /// evaluation from the run's seed); term `t` hands `stream.derive(t)` to the model. Only
    /// models that sample (Monte-Carlo estimators) read it.
    pub fn set_stream(&mut self, stream: Seed) {
        self.stream = stream;
    }

    /// Replaces the points of `term` (resampling, region sampling), keeping its kind and
    /// weight; `normals` and `partners` as for [`Term`]. Per-point weights are kept when the
    /// number of points does not change, and dropped otherwise.
    pub fn set_points(
        &mut self,
        term: TermId,
        points: Vec<f64>,
        normals: Vec<f64>,
        partners: Vec<f64>,
    ) -> Result<()> {
        let old = self.term(term.0)?;
        let t = Term {
            name: old.name.clone(),
            kind: old.kind.clone(),
            weight: old.weight,
            points,
            normals,
            partners,
        };
        let (record, weights, n_old) = (old.record, old.point_weights.clone(), old.n);
        let equation_weights = old.equation_weights.clone();
        let (d, m) = (self.model.input_dim(), self.model.output_dim());
        let mut new = prepare(t, &self.pde, d, m)?;
        new.record = record;
        new.equation_weights = equation_weights;
        if new.n == n_old {
            new.point_weights = weights;
        }
        self.terms[term.0] = new;
        self.rebuild_items();
        Ok(())
    }

    /// Removes every point of `term`: it contributes 0 to the loss and the gradient until
    /// [`Assembly::set_points`] gives it points again. For a strategy that selects a term's
    /// points and can find none at some step ([`SubdomainSchedule`]); `set_points` itself
    /// refuses an empty list, so that a term is never emptied by mistake.
    ///
    /// [`SubdomainSchedule`]: crate::strategies::SubdomainSchedule
    pub fn clear_points(&mut self, term: TermId) -> Result<()> {
        self.term(term.0)?;
        let t = &mut self.terms[term.0];
        t.n = 0;
        t.x.clear();
        t.xt.clear();
        t.normals.clear();
        t.partners.clear();
        t.point_weights.clear();
        self.residuals[term.0].clear();
        self.rebuild_items();
        Ok(())
    }

    pub(super) fn term(&self, index: usize) -> Result<&Prepared<T>> {
        self.terms.get(index).ok_or(Error::InvalidConfig {
            field: "term",
            reason: format!("no term number {index} (there are {})", self.terms.len()),
        })
    }

    pub(super) fn rebuild_items(&mut self) {
        self.items.clear();
        for (ti, t) in self.terms.iter().enumerate() {
            let mut s = 0;
            while s < t.n {
                self.items.push((ti, s, (s + self.chunk).min(t.n)));
                s += self.chunk;
            }
        }
    }

    /// The points of term `index` (point-major; for a periodic term, its first points only).
    pub fn points(&self, term: TermId) -> Result<&[f64]> {
        Ok(&self.term(term.0)?.x)
    }

    /// What `term` measures.
    pub fn kind(&self, term: TermId) -> Result<&TermKind> {
        Ok(&self.term(term.0)?.kind)
    }

    /// The number of points of `term`.
    pub fn n_points(&self, term: TermId) -> Result<usize> {
        Ok(self.term(term.0)?.n)
    }

    /// The weight `w_t` of `term`.
    pub fn weight(&self, term: TermId) -> Result<f64> {
        Ok(self.term(term.0)?.weight)
    }

    /// Sets the weight `w_t` of `term` (finite, ≥ 0).
    pub fn set_weight(&mut self, term: TermId, weight: f64) -> Result<()> {
        self.term(term.0)?;
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(Error::InvalidConfig {
                field: "term.weight",
                reason: format!("must be finite and ≥ 0, found {weight}"),
            });
        }
        self.terms[term.0].weight = weight;
        Ok(())
    }

    /// Sets the weights `ω_e` of the equations of `term` (a PDE term of a system with several
    /// equations): the term's loss becomes `w_t·(1/N)·Σ_p λ_p² Σ_e ω_e r_e²` (DeepXDE's
    /// per-equation `loss_weights`); one finite weight `≥ 0` per equation
    /// ([`Pde::equations`] for the PDE residual, 1 for a condition), or an empty slice for
    /// all 1. They are configuration, kept when the term's points change and not stored in
    /// checkpoints.
    pub fn set_equation_weights(&mut self, term: TermId, weights: &[f64]) -> Result<()> {
        let t = self.term(term.0)?;
        let neq = t.equations(&self.pde);
        if !weights.is_empty() && weights.len() != neq {
            return Err(Error::DimensionMismatch {
                what: "equation weights (one per equation of the term)",
                expected: neq,
                found: weights.len(),
            });
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
            return Err(Error::InvalidConfig {
                field: "term.equation_weights",
                reason: format!(
                    "term `{}`: every weight must be finite and ≥ 0, found {w}",
                    t.name
                ),
            });
        }
        self.terms[term.0].equation_weights = weights.iter().map(|&w| T::from_f64(w)).collect();
        Ok(())
    }

    /// The equation weights `ω_e` of `term`, one per equation (all 1 unless set).
    pub fn equation_weights(&self, term: TermId) -> Result<Vec<f64>> {
        let t = self.term(term.0)?;
        Ok((0..t.equations(&self.pde))
            .map(|e| t.equation_weight(e).to_f64())
            .collect())
    }

    /// Sets per-point weights `λ_p` of `term`, entering the loss inside the square:
    /// `w_t·(1/N)·Σ_p (λ_p r_p)²` (self-adaptive PINNs). An empty slice removes them.
    pub fn set_point_weights(&mut self, term: TermId, weights: &[T]) -> Result<()> {
        let n = self.term(term.0)?.n;
        if !weights.is_empty() && weights.len() != n {
            return Err(Error::DimensionMismatch {
                what: "per-point weights",
                expected: n,
                found: weights.len(),
            });
        }
        if weights.iter().any(|w| !w.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "term.point_weights",
                reason: "every weight must be finite".into(),
            });
        }
        self.terms[term.0].point_weights = weights.to_vec();
        Ok(())
    }

    /// Keeps (or stops keeping) each point's `Σ_e ω_e r_e²` (equation weights only) of `term`
    /// at every full evaluation ([`Assembly::eval`]); read them with [`Assembly::residuals`].
    pub fn record_residuals(&mut self, term: TermId, on: bool) -> Result<()> {
        self.term(term.0)?;
        self.terms[term.0].record = on;
        Ok(())
    }

    /// Each point's `Σ_e ω_e r_e²` from the last full evaluation of `term` (empty
    /// unless recording was switched on). [`Assembly::eval_term`] leaves them alone.
    pub fn residuals(&self, term: TermId) -> Result<&[T]> {
        self.term(term.0)?;
        Ok(&self.residuals[term.0])
    }

    /// Freezes the optimised numbers `i` with `frozen[i]` (network parameters, then PDE
    /// coefficients; length [`Assembly::n_params`]), or none with an empty slice: their
    /// gradient entries are 0 in every evaluation from now on, and the
    /// [`Trainer`](crate::train::Trainer) puts them back after every optimizer step (so
    /// Adam's momentum cannot move them either). The mask is not part of a checkpoint: a
    /// strategy that sets it sets it again after a restore (from its state or the step).
    pub fn set_frozen(&mut self, frozen: &[bool]) -> Result<()> {
        let n = self.n_params();
        if !frozen.is_empty() && frozen.len() != n {
            return Err(Error::DimensionMismatch {
                what: "frozen mask (network parameters, then PDE coefficients)",
                expected: n,
                found: frozen.len(),
            });
        }
        self.frozen.clear();
        if frozen.iter().any(|&f| f) {
            self.frozen.extend_from_slice(frozen);
        }
        Ok(())
    }

    /// The frozen mask of [`Assembly::set_frozen`] (empty: nothing frozen).
    pub fn frozen(&self) -> &[bool] {
        &self.frozen
    }

    /// Everything about each term that a checkpoint keeps: its points (with normals and
    /// partners), weight, per-point weights, and recorded residuals.
    pub(crate) fn term_checkpoints(&self) -> Vec<TermCheckpoint<T>> {
        self.terms
            .iter()
            .zip(&self.residuals)
            .map(|(t, r)| TermCheckpoint {
                name: t.name.clone(),
                weight: t.weight,
                points: t.x.clone(),
                normals: t.normals.clone(),
                partners: t.partners.clone(),
                point_weights: t.point_weights.clone(),
                record: t.record,
                residuals: r.clone(),
            })
            .collect()
    }

    /// Puts back what [`Assembly::term_checkpoints`] saved, validating it as when the term was
    /// built.
    pub(crate) fn restore_term(&mut self, index: usize, c: &TermCheckpoint<T>) -> Result<()> {
        let name = &self.term(index)?.name;
        if *name != c.name {
            return Err(Error::InvalidConfig {
                field: "checkpoint.terms",
                reason: format!(
                    "term {index} is `{name}` here but `{}` in the checkpoint",
                    c.name
                ),
            });
        }
        let id = TermId(index);
        if c.points.is_empty() {
            self.clear_points(id)?;
        } else {
            self.set_points(id, c.points.clone(), c.normals.clone(), c.partners.clone())?;
        }
        self.set_weight(id, c.weight)?;
        self.set_point_weights(id, &c.point_weights)?;
        self.record_residuals(id, c.record)?;
        let n = self.terms[index].n;
        if !(c.residuals.is_empty() || c.residuals.len() == n) {
            return Err(Error::DimensionMismatch {
                what: "checkpoint: recorded residuals of a term",
                expected: n,
                found: c.residuals.len(),
            });
        }
        self.residuals[index] = c.residuals.clone();
        Ok(())
    }
}
