//! [`Redraw`]: fresh points for a loss term on a schedule.

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::pde::Condition;
use crate::rng::Seed;
use crate::train::TermKind;

use super::{EvalContext, Strategy, Terms};

type DrawFn = Box<dyn FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send>;

/// Redraws the points of one loss term every `every` steps (at steps `every, 2·every, …`; the
/// points given at build time serve until then), before the step's first evaluation.
/// `draw(seed)` returns the points and their outward normals (empty if the term needs none);
/// the seed is `run.derive(1 + t).derive(step)` for term `t`, so the points in force at any
/// step depend only on the run's seed, the term and the step of the draw.
///
/// [`TrainerBuilder::resample`](crate::train::TrainerBuilder::resample) adds one; add it
/// yourself to order it among other strategies (strategies run in the order they were added,
/// and the builder's redraws come before them).
///
/// ```
/// use pinn::rng::uniform;
/// use pinn::strategies::Redraw;
/// // 64 fresh interior points of [0, 1] every 10 steps.
/// let redraw = Redraw::new("pde", 10, |seed| {
///     let mut rng = seed.rng();
///     Ok(((0..64).map(|_| uniform(&mut rng)).collect(), vec![]))
/// });
/// # let _ = redraw;
/// ```
pub struct Redraw {
    name: String,
    every: usize,
    draw: DrawFn,
    term: usize,
}

impl Redraw {
    /// Redraws the term named `term` every `every ≥ 1` steps with `draw` (checked when the
    /// trainer is built).
    pub fn new(
        term: &str,
        every: usize,
        draw: impl FnMut(Seed) -> Result<(Vec<f64>, Vec<f64>)> + Send + 'static,
    ) -> Self {
        Redraw {
            name: term.into(),
            every,
            draw: Box::new(draw),
            term: 0,
        }
    }
}

impl<T: Real> Strategy<T> for Redraw {
    fn name(&self) -> &'static str {
        "redraw"
    }

    fn init(&mut self, terms: &mut dyn Terms<T>) -> Result<()> {
        if self.every == 0 {
            return Err(Error::InvalidConfig {
                field: "resample.every",
                reason: format!("term `{}`: must be ≥ 1, found 0", self.name),
            });
        }
        self.term = terms
            .term_index(&self.name)
            .map_err(|_| Error::InvalidConfig {
                field: "resample",
                reason: format!("no term named `{}`", self.name),
            })?;
        if let TermKind::Condition(Condition::Periodic { .. } | Condition::Data { .. }) =
            terms.kind(self.term)?
        {
            return Err(Error::InvalidConfig {
                field: "resample",
                reason: format!(
                    "term `{}`: periodic and data terms keep their points",
                    self.name
                ),
            });
        }
        Ok(())
    }

    fn before_eval(&mut self, terms: &mut dyn Terms<T>, ctx: EvalContext) -> Result<()> {
        if ctx.evaluation == 0 && ctx.step > 0 && ctx.step.is_multiple_of(self.every) {
            let seed = ctx.run.derive(1 + self.term as u64).derive(ctx.step as u64);
            let (points, normals) = (self.draw)(seed)?;
            terms.set_points(self.term, points, normals, Vec::new())?;
        }
        Ok(())
    }
}
