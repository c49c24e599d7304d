//! Scoring: residuals at arbitrary points without a gradient (residual-adaptive sampling).

use rayon::prelude::*;

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::model::{Batch, Model};
use crate::pde::Pde;

use super::super::kernel::{self, ConditionResidual, PdeResidual};
use super::super::term::{TermId, TermKind};
use super::{Assembly, Slot};

impl<P: Pde, T: Real, M: Model<T>> Assembly<P, T, M> {
    /// Each point's `Σ_e ω_e r_e²` of `term`'s residual at arbitrary `points` (point-major),
    /// without a gradient: in chunks, in parallel, and the same bits on any number of threads
    /// (each point's value depends only on the point and `params`). `ω_e` are the equation
    /// weights ([`Assembly::set_equation_weights`], 1 unless set); neither the term's weight
    /// nor per-point weights enter. For scoring candidate points (residual-adaptive
    /// sampling). Works for the PDE residual and for conditions that need neither normals,
    /// partners nor data values.
    ///
    /// Call it inside the trainer's thread pool (strategies are) to use its threads.
    pub fn residuals_at(&self, term: TermId, params: &[T], points: &[f64]) -> Result<Vec<T>> {
        let per_eq = self.equation_residuals_at(term, params, points)?;
        let t = self.term(term.0)?;
        let neq = t.equations(&self.pde);
        Ok(per_eq
            .chunks(neq)
            .map(|r| {
                r.iter()
                    .enumerate()
                    .fold(T::zero(), |a, (e, &v)| a + t.equation_weight(e) * v)
            })
            .collect())
    }

    /// Each point's squared residual `r_e²` of every equation `e` of `term`, unweighted, at
    /// arbitrary `points` (point-major): `out[p·neq + e]`, `neq` the term's number of
    /// equations ([`Pde::equations`] for the PDE residual, 1 for a condition). Computed as
    /// [`Assembly::residuals_at`], with the same restrictions; for reporting each equation of
    /// a system on its own.
    pub fn equation_residuals_at(
        &self,
        term: TermId,
        params: &[T],
        points: &[f64],
    ) -> Result<Vec<T>> {
        let index = term.0;
        let t = self.term(index)?;
        self.check_params(params, None)?;
        let (d, m) = (self.model.input_dim(), self.model.output_dim());
        if !points.len().is_multiple_of(d) || points.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "points",
                reason: format!("need finite coordinates, {d} per point"),
            });
        }
        if let TermKind::Condition(c) = &t.kind
            && (c.needs_normals() || matches!(c, crate::pde::Condition::Data { .. }) || t.periodic)
        {
            return Err(Error::InvalidConfig {
                field: "term",
                reason: format!(
                    "term `{}` ({} condition) cannot be scored at arbitrary points",
                    t.name,
                    c.kind()
                ),
            });
        }
        let n_theta = self.model.n_params();
        let phys = self.physical(params);
        let (theta, coef) = phys.split_at(n_theta);
        let neq = t.equations(&self.pde);
        let n = points.len() / d;
        let mut out = vec![T::zero(); n * neq];
        let stream = self.stream.derive(index as u64);
        out.par_chunks_mut(self.chunk * neq)
            .enumerate()
            .try_for_each(|(ci, o)| -> Result<()> {
                let s = ci * self.chunk;
                let k = o.len() / neq;
                let x = &points[s * d..(s + k) * d];
                let xt: Vec<T> = x.iter().map(|&v| T::from_f64(v)).collect();
                let slot = rayon::current_thread_index().unwrap_or(0) % self.threads;
                let mut slot = self.workspaces[index][slot]
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let Slot { ws, sc } = &mut *slot;
                sc.vals.resize(k * t.comps.len() * m, T::zero());
                let batch = Batch {
                    points: &xt,
                    first: s,
                    stream,
                };
                self.model.forward(ws, theta, &batch, &mut sc.vals)?;
                match &t.kind {
                    TermKind::Pde => {
                        let res = PdeResidual(&self.pde);
                        kernel::score(&res, t, x, d, m, neq, coef, sc, o)
                    }
                    TermKind::Condition(c) => {
                        let res = ConditionResidual {
                            condition: c,
                            normals: &[],
                        };
                        kernel::score(&res, t, x, d, m, neq, coef, sc, o)
                    }
                }
            })?;
        Ok(out)
    }
}
