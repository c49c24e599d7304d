//! [`Redraw`]: fresh points for a loss term on a schedule.

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::pde::Condition;
use crate::rng::Seed;
use crate::train::{TermId, TermKind};

use super::{EvalContext, PointRole, Strategy, Terms};

type DrawFn = Box<dyn FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send>;

/// Redraws the points of one loss term every `every` steps (at steps `every, 2·every, …`; the
/// points given at build time serve until then), before the step's first evaluation.
/// `draw(seed)` returns the points and their outward normals (empty if the term needs none);
/// the seed is `run.derive(1 + t).derive(step)` for term number `t`, so the points in force at
/// any step depend only on the run's seed, the term and the step of the draw.
///
/// [`TrainerBuilder::resample`](crate::train::TrainerBuilder::resample) adds one; add it
/// yourself to order it among other strategies (strategies run in the order they were added,
/// and the builder's redraws come before them).
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::optim::Adam;
/// use pinn::pde::problems::Poisson1D;
/// use pinn::rng::uniform;
/// use pinn::strategies::Redraw;
/// use pinn::train::Trainer;
///
/// let net = Graph::mlp(&[1, 8, 1], Elementary::Tanh)?;
/// let mut b = Trainer::<_, f64>::builder(net, Poisson1D::new(1.0)?);
/// let pde = b.add_pde_points((1..64).map(|i| i as f64 / 64.0).collect());
/// // 64 fresh interior points of [0, 1] every 10 steps.
/// let redraw = Redraw::new(pde, 10, |seed| {
///     let mut rng = seed.rng();
///     Ok(((0..64).map(|_| uniform(&mut rng)).collect(), vec![]))
/// });
/// let mut trainer = b.strategy(redraw).phase("adam", 20, Adam::with_lr(1e-3)?).build()?;
/// trainer.run()?;
/// # Ok::<(), pinn::Error>(())
/// ```
pub struct Redraw {
    term: TermId,
    every: usize,
    draw: DrawFn,
}

impl Redraw {
    /// Redraws `term` every `every ≥ 1` steps with `draw` (checked when the trainer is built).
    pub fn new(
        term: TermId,
        every: usize,
        draw: impl FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send + 'static,
    ) -> Self {
        Redraw {
            term,
            every,
            draw: Box::new(draw),
        }
    }
}

impl<T: Real> Strategy<T> for Redraw {
    fn point_roles(&self) -> Vec<(TermId, PointRole)> {
        vec![(self.term, PointRole::Replaces)]
    }

    fn name(&self) -> &'static str {
        "redraw"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        let invalid = |field, reason| Err(Error::InvalidConfig { field, reason });
        if terms.check(self.term).is_err() {
            return invalid(
                "resample",
                format!("no term number {} here", self.term.index()),
            );
        }
        let name = &terms.term_names()[self.term.index()];
        if self.every == 0 {
            return invalid(
                "resample.every",
                format!("term `{name}`: must be ≥ 1, found 0"),
            );
        }
        if let TermKind::Condition(Condition::Periodic { .. } | Condition::Data { .. }) =
            terms.kind(self.term)?
        {
            return invalid(
                "resample",
                format!("term `{name}`: periodic and data terms keep their points"),
            );
        }
        Ok(())
    }

    fn before_eval(&mut self, terms: &mut dyn Terms<T>, ctx: EvalContext) -> Result<()> {
        if ctx.evaluation == 0 && ctx.step > 0 && ctx.step.is_multiple_of(self.every) {
            let t = self.term.index() as u64;
            let seed = ctx.run.derive(1 + t).derive(ctx.step as u64);
            let (points, normals) = (self.draw)(seed)?;
            terms.set_points(self.term, points, normals, Vec::new())?;
        }
        Ok(())
    }
}
