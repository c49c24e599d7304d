//! Groups of loss terms that share one weight `λ_g`, for the balancing strategies
//! ([`LrAnnealing`](super::LrAnnealing), [`NtkWeighting`](super::NtkWeighting)): which terms
//! form a group, each term's starting weight `w_t⁰`, the current `λ_g`, and writing
//! `w_t = w_t⁰·λ_g` into the terms, also after a checkpoint restored the `λ`.

use crate::error::{Error, Result};
use crate::train::TermId;

use super::Terms;

/// The names a strategy's errors use.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    /// The field of a group error (`"ntk.group"`).
    pub(crate) group: &'static str,
    /// The field of a bad state (`"ntk.state"`).
    pub(crate) state: &'static str,
    /// What a state of the wrong length is (`"ntk state (one λ per group)"`).
    pub(crate) state_len: &'static str,
}

/// A group of terms sharing one `λ`.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) terms: Vec<TermId>,
    /// Each term's weight when training started, `w_t⁰`.
    pub(crate) base: Vec<f64>,
}

/// The groups of a strategy and their `λ`.
#[derive(Clone, Debug)]
pub(crate) struct GroupWeights {
    fields: Fields,
    declared: Vec<(String, Vec<TermId>)>,
    pub(crate) groups: Vec<Group>,
    pub(crate) lambda: Vec<f64>,
    /// Weights to push into the terms at the next evaluation (after `set_state`).
    dirty: bool,
    /// A state set before training started, to keep at `start`.
    pending: bool,
    initialised: bool,
}

impl GroupWeights {
    pub(crate) fn new(fields: Fields) -> Self {
        GroupWeights {
            fields,
            declared: Vec::new(),
            groups: Vec::new(),
            lambda: Vec::new(),
            dirty: false,
            pending: false,
            initialised: false,
        }
    }

    /// Declares one group (checked by [`GroupWeights::resolve`]).
    pub(crate) fn declare(&mut self, name: &str, terms: &[TermId]) {
        self.declared.push((name.into(), terms.to_vec()));
    }

    /// The declared groups, checked against the trainer's terms (each exists, belongs to one
    /// group, and is not one of `excluded`, which `why` explains), then one group for every
    /// other term not excluded, named after it. Empty if there is nothing to weight.
    pub(crate) fn resolve<T>(
        &mut self,
        terms: &dyn Terms<T>,
        excluded: &[TermId],
        why: &str,
    ) -> Result<()> {
        let bad = |reason: String| Error::InvalidConfig {
            field: self.fields.group,
            reason,
        };
        let names = terms.term_names();
        // `Some(usize::MAX)`: excluded; `Some(g)`: in group g.
        let mut owner: Vec<Option<usize>> = vec![None; names.len()];
        for t in excluded {
            owner[t.index()] = Some(usize::MAX);
        }
        let mut groups: Vec<(String, Vec<TermId>)> = Vec::new();
        for (name, members) in &self.declared {
            if groups.iter().any(|g| g.0 == *name) {
                return Err(bad(format!("two groups are named `{name}`")));
            }
            if members.is_empty() {
                return Err(bad(format!("group `{name}` has no terms")));
            }
            for &id in members {
                terms.check(id)?;
                let (i, m) = (id.index(), &names[id.index()]);
                match owner[i] {
                    Some(usize::MAX) => {
                        return Err(bad(format!("group `{name}`: `{m}` {why}")));
                    }
                    Some(_) => {
                        return Err(bad(format!(
                            "group `{name}`: `{m}` already belongs to a group"
                        )));
                    }
                    None => owner[i] = Some(groups.len()),
                }
            }
            groups.push((name.clone(), members.clone()));
        }
        for (id, name) in terms.term_ids().into_iter().zip(&names) {
            if owner[id.index()].is_none() {
                groups.push((name.clone(), vec![id]));
            }
        }
        self.groups = groups
            .into_iter()
            .map(|(name, members)| {
                let base = (members.iter())
                    .map(|&t| terms.weight(t))
                    .collect::<Result<Vec<f64>>>()?;
                Ok(Group {
                    name,
                    terms: members,
                    base,
                })
            })
            .collect::<Result<Vec<Group>>>()?;
        Ok(())
    }

    /// After [`GroupWeights::resolve`], when training starts: `λ = initial` for every group,
    /// or the state restored before, then the weights written.
    pub(crate) fn start<T>(&mut self, terms: &mut dyn Terms<T>, initial: f64) -> Result<()> {
        let g = self.groups.len();
        if self.pending {
            if self.lambda.len() != g {
                return Err(Error::DimensionMismatch {
                    what: self.fields.state_len,
                    expected: g,
                    found: self.lambda.len(),
                });
            }
            self.pending = false;
        } else {
            self.lambda = vec![initial; g];
        }
        self.initialised = true;
        self.dirty = false;
        self.apply(terms)
    }

    /// Writes the weights again if a state was restored since they were last written.
    pub(crate) fn refresh<T>(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        if self.dirty {
            self.apply(terms)?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Writes `w_t = w_t⁰·λ_g` into every grouped term.
    pub(crate) fn apply<T>(&self, terms: &mut dyn Terms<T>) -> Result<()> {
        for (g, &l) in self.groups.iter().zip(&self.lambda) {
            for (&t, &b) in g.terms.iter().zip(&g.base) {
                terms.set_weight(t, b * l)?;
            }
        }
        Ok(())
    }

    /// `[λ_g]` per group, for [`WeightLog::set_current`](super::WeightLog::set_current).
    pub(crate) fn current(&self) -> Vec<Vec<f64>> {
        self.lambda.iter().map(|&l| vec![l]).collect()
    }

    /// Restores `λ` from a checkpoint: one finite positive value per group.
    pub(crate) fn set_state(&mut self, state: &[f64]) -> Result<()> {
        if self.initialised && state.len() != self.groups.len() {
            return Err(Error::DimensionMismatch {
                what: self.fields.state_len,
                expected: self.groups.len(),
                found: state.len(),
            });
        }
        if let Some(l) = state.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
            return Err(Error::InvalidConfig {
                field: self.fields.state,
                reason: format!("every λ must be finite and > 0, found {l}"),
            });
        }
        self.lambda = state.to_vec();
        self.dirty = self.initialised;
        self.pending = !self.initialised;
        Ok(())
    }
}
