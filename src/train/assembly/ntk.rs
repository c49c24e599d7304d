//! The diagonal of a term's block of the neural tangent kernel (NTK loss weighting).

use rayon::prelude::*;

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::model::{Batch, Model};
use crate::pde::Pde;

use super::super::kernel::{self, ConditionResidual, PdeResidual};
use super::super::term::{TermId, TermKind};
use super::{Assembly, Slot};

impl<P: Pde, T: Real, M: Model<T>> Assembly<P, T, M> {
    /// The diagonal of `term`'s block of the neural tangent kernel at `params`, at the term's
    /// points number `indices`:
    ///
    /// `K_ii = Σ_e ω_e ‖∂r_{i,e}/∂θ‖²`,
    ///
    /// the squared norm of the Jacobian row of each residual equation `e` at point `i` with
    /// respect to the model's parameters `θ` (not the PDE's trainable coefficients), each
    /// equation counted with its weight `ω_e` ([`Assembly::set_equation_weights`], 1 unless
    /// set: the loss holds `ω_e r_e² = (√ω_e r_e)²`). Its sum
    /// over a term's points is the trace `tr K_tt` that NTK loss weighting balances (Wang, Yu &
    /// Perdikaris, J. Comput. Phys. 2022: `K_tt = J_t J_tᵀ`, `J_t = ∂r_t/∂θ`).
    ///
    /// One forward pass and one reverse sweep per point and equation, seeded with `∂r_e/∂v`
    /// (not the loss's `2r·∂r/∂v`), in parallel over the points; each value depends only on
    /// its point and `params`, so the same bits come out on any number of threads.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an index past the term's points or a periodic term (its
    /// residual compares two points); [`Error::DimensionMismatch`] for `params` of the wrong
    /// length; the residual's own errors.
    pub fn tangent_kernel_diagonal(
        &self,
        term: TermId,
        params: &[T],
        indices: &[usize],
    ) -> Result<Vec<T>> {
        let index = term.0;
        let t = self.term(index)?;
        self.check_params(params, None)?;
        if t.periodic {
            return Err(Error::InvalidConfig {
                field: "term",
                reason: format!(
                    "term `{}` is periodic: its residual compares two points, and its tangent \
                     kernel is not computed",
                    t.name
                ),
            });
        }
        if let Some(&i) = indices.iter().find(|&&i| i >= t.n) {
            return Err(Error::InvalidConfig {
                field: "indices",
                reason: format!("term `{}` has {} points, found index {i}", t.name, t.n),
            });
        }
        let (d, m) = (self.model.input_dim(), self.model.output_dim());
        let n_theta = self.model.n_params();
        let phys = self.physical(params);
        let (theta, coef) = phys.split_at(n_theta);
        let neq = t.equations(&self.pde);
        let ncm = t.comps.len() * m;
        let stream = self.stream.derive(index as u64);
        indices
            .par_iter()
            .map(|&i| -> Result<T> {
                let slot = rayon::current_thread_index().unwrap_or(0) % self.threads;
                let mut slot = self.workspaces[index][slot]
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                let Slot { ws, sc } = &mut *slot;
                let batch = Batch {
                    points: &t.xt[i * d..(i + 1) * d],
                    first: i,
                    stream,
                };
                sc.vals.resize(ncm, T::zero());
                self.model.forward(ws, theta, &batch, &mut sc.vals)?;
                let mut seeds = vec![T::zero(); neq * ncm];
                match &t.kind {
                    TermKind::Pde => {
                        let res = PdeResidual(&self.pde);
                        kernel::partials(&res, t, i, m, neq, coef, sc, &mut seeds)?;
                    }
                    TermKind::Condition(c) => {
                        let res = ConditionResidual {
                            condition: c,
                            normals: &t.normals,
                        };
                        kernel::partials(&res, t, i, m, neq, coef, sc, &mut seeds)?;
                    }
                }
                let mut k = T::zero();
                let mut row = vec![T::zero(); n_theta];
                for (e, s) in seeds.chunks(ncm).enumerate() {
                    if e > 0 {
                        // A fresh forward pass: the reverse sweep may use the workspace.
                        self.model.forward(ws, theta, &batch, &mut sc.vals)?;
                    }
                    row.fill(T::zero());
                    self.model.backward(ws, theta, s, &mut row)?;
                    // The loss holds ω_e r_e² = (√ω_e r_e)²: equation e's row counts ω_e times.
                    k += t.equation_weight(e) * row.iter().fold(T::zero(), |a, &g| a + g * g);
                }
                Ok(k)
            })
            .collect()
    }
}
