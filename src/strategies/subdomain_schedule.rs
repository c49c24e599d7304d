//! [`SubdomainSchedule`]: FBPINN training on a subdomain schedule.

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::nets::fbpinn::{Fbpinn, RadialScheduler, Subdomain, SubdomainState};
use crate::train::{TermId, TermKind};

use super::redraw::keeps_points;
use super::{EvalContext, PointRole, Strategy, Terms};

/// Trains an [`Fbpinn`] on a subdomain schedule, as the FBPINNs library does (spec §3.1,
/// `trainers.py`): at each step, with the states of the [`RadialScheduler`],
///
/// - the loss of each scheduled term runs over **its points inside the support of an
///   [`Active`](SubdomainState::Active) subdomain** only (the rest are left out, and the
///   term's mean is over the points kept; a term with none contributes 0 that step, and a
///   step where every scheduled term has none is an error);
/// - every subdomain that covers one of those points is evaluated there: an
///   [`Inactive`](SubdomainState::Inactive) one trains with the active ones (the library
///   makes it active for the step), a [`Fixed`](SubdomainState::Fixed) one is **frozen**
///   (its parameters get no gradient and no update: [`Terms::set_frozen`]);
/// - a subdomain that covers none of them is not evaluated at all.
///
/// The states change only at the first evaluation of a step; a step whose states equal the
/// last step's changes nothing. The states depend only on the step, so a run restored from
/// a checkpoint continues with the same bits.
///
/// Windows: the model's windows are those of all the subdomains covering a point, whatever
/// their state (the library's cosine windows are normalised over exactly those). The
/// original PyTorch code instead drops a sigmoid window's factor on a side whose neighbour
/// is inactive; that variant is not implemented.
///
/// Scheduled terms: the PDE residual, and conditions that neither keep their points
/// (periodic pairs, data) nor need normals.
///
/// ```
/// use pinn::ad::Elementary;
/// use pinn::model::Model;
/// use pinn::nets::fbpinn::{Decomposition, Fbpinn, RadialScheduler, overlap_from_width, uniform_edges};
/// use pinn::optim::Adam;
/// use pinn::pde::{Condition, problems::SineOde};
/// use pinn::strategies::SubdomainSchedule;
/// use pinn::train::Trainer;
///
/// let edges = uniform_edges(0.0, 1.0, 4)?;
/// let dec = Decomposition::from_edges(&[edges.clone()], &[overlap_from_width(&edges, 0.5)?])?;
/// let model = Fbpinn::new(dec.clone(), &[8], 1, Elementary::Tanh, (0.0, 1.0))?;
/// let mut b = Trainer::<_, f64, _>::builder(model.clone(), SineOde::new(1.0)?);
/// let pde = b.add_pde_points((0..=40).map(|i| i as f64 / 40.0).collect());
/// let ic = b.add_condition("u(0)", Condition::dirichlet(0, |_| 0.0), vec![0.0]);
/// // Grow from x = 0 over 100 steps; the condition's point is scheduled too.
/// let schedule = SubdomainSchedule::new(&model, RadialScheduler::point(&dec, &[0.0], 100)?, &[pde, ic])?;
/// let mut trainer = b.strategy(schedule).phase("adam", 100, Adam::with_lr(1e-3)?).build()?;
/// let theta0 = trainer.theta().to_vec();
/// trainer.run_steps(1)?;
/// // Step 0 trains subdomain 0 and its overlapping neighbour 1 on the points of [0, 0.3125].
/// let n = model.n_params_per_subdomain();
/// assert_eq!(trainer.points(pde)?.len(), 13);
/// assert_ne!(trainer.theta()[n..2 * n], theta0[n..2 * n]);
/// assert_eq!(trainer.theta()[2 * n..], theta0[2 * n..]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub struct SubdomainSchedule {
    scheduler: RadialScheduler,
    /// The model's subdomains (their supports).
    subdomains: Vec<Subdomain>,
    dim: usize,
    per_subdomain: usize,
    n_theta: usize,
    terms: Vec<TermId>,
    /// Every point of each scheduled term, as given when the trainer was built.
    all_points: Vec<Vec<f64>>,
    states: Vec<SubdomainState>,
}

impl SubdomainSchedule {
    /// Schedules the subdomains of `model` by `scheduler` (made on the model's
    /// decomposition), restricting the points of `terms`.
    ///
    /// Errors (`InvalidConfig` on `"scheduler"`): the scheduler has another number of
    /// subdomains than the model; `terms` is empty. The terms are checked when the trainer
    /// is built.
    pub fn new(model: &Fbpinn, scheduler: RadialScheduler, terms: &[TermId]) -> Result<Self> {
        let dec = model.decomposition();
        if scheduler.n_subdomains() != dec.len() {
            return Err(Error::InvalidConfig {
                field: "scheduler",
                reason: format!(
                    "made for {} subdomains, the model has {}",
                    scheduler.n_subdomains(),
                    dec.len()
                ),
            });
        }
        if terms.is_empty() {
            return Err(Error::InvalidConfig {
                field: "scheduler",
                reason: "no term to schedule".into(),
            });
        }
        Ok(SubdomainSchedule {
            scheduler,
            subdomains: dec.subdomains().to_vec(),
            dim: dec.dim(),
            per_subdomain: model.n_params_per_subdomain(),
            n_theta: Model::<f64>::n_params(model),
            terms: terms.to_vec(),
            all_points: Vec::new(),
            states: Vec::new(),
        })
    }

    /// The states in force (empty before the first evaluation).
    pub fn states(&self) -> &[SubdomainState] {
        &self.states
    }

    fn apply<T: Real>(&self, terms: &mut dyn Terms<T>, step: usize) -> Result<()> {
        let d = self.dim;
        let active: Vec<&Subdomain> = (self.subdomains.iter().zip(&self.states))
            .filter(|(_, s)| **s == SubdomainState::Active)
            .map(|(b, _)| b)
            .collect();
        let mut any = false;
        for (&term, all) in self.terms.iter().zip(&self.all_points) {
            let kept: Vec<f64> = all
                .chunks_exact(d)
                .filter(|x| active.iter().any(|s| s.contains(x)))
                .flatten()
                .copied()
                .collect();
            if kept.is_empty() {
                terms.clear_points(term)?;
            } else {
                any = true;
                terms.set_points(term, kept, Vec::new(), Vec::new())?;
            }
        }
        if !any {
            return Err(Error::InvalidConfig {
                field: "scheduler",
                reason: format!(
                    "at step {step}, no point of any scheduled term lies inside an active \
                     subdomain; give the terms more points"
                ),
            });
        }
        let mut frozen = vec![false; terms.n_params()];
        let n = self.per_subdomain;
        for (j, _) in (self.states.iter().enumerate()).filter(|(_, s)| **s == SubdomainState::Fixed)
        {
            frozen[j * n..(j + 1) * n].fill(true);
        }
        terms.set_frozen(&frozen)
    }
}

impl<T: Real> Strategy<T> for SubdomainSchedule {
    fn name(&self) -> &'static str {
        "subdomain-schedule"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        if terms.n_theta() != self.n_theta {
            return Err(Error::InvalidConfig {
                field: "scheduler",
                reason: format!(
                    "made for an FBPINN of {} parameters, the trainer's model has {}",
                    self.n_theta,
                    terms.n_theta()
                ),
            });
        }
        self.all_points.clear();
        for (i, &term) in self.terms.iter().enumerate() {
            terms.check(term)?;
            let name = &terms.term_names()[term.index()];
            if self.terms[..i].contains(&term) {
                return Err(Error::InvalidConfig {
                    field: "scheduler",
                    reason: format!("term `{name}` is listed twice"),
                });
            }
            let kind = terms.kind(term)?;
            let unsupported = match kind {
                TermKind::Pde => false,
                TermKind::Condition(c) => keeps_points(kind) || c.needs_normals(),
            };
            if unsupported {
                return Err(Error::InvalidConfig {
                    field: "scheduler",
                    reason: format!(
                        "term `{name}` cannot be scheduled: periodic and data conditions keep \
                         their points, and conditions with normals need them"
                    ),
                });
            }
            self.all_points.push(terms.points(term)?.to_vec());
        }
        self.states.clear();
        Ok(())
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        _params: &[T],
    ) -> Result<()> {
        if ctx.evaluation == 0 || self.states.is_empty() {
            let states = self.scheduler.states(ctx.step);
            if states != self.states {
                self.states = states;
                self.apply(terms, ctx.step)?;
            }
        }
        Ok(())
    }

    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        self.terms
            .iter()
            .map(|&t| (t, PointRole::Selects))
            .collect()
    }
}
