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
/// the seed of the draw at step `s` is [`Redraw::seed`]`(run, term, s)` =
/// `run.derive(1 + t).derive(s)` for term number `t`, so the points in force at any step depend
/// only on the run's seed, the term and the step of the draw.
///
/// The first batch can come from the same stream:
/// [`TrainerBuilder::add_resampled`](crate::train::TrainerBuilder::add_resampled) adds a term
/// with no points of its own and draws them when the trainer is built, as
/// `draw(Redraw::seed(run, term, 0))`. [`TrainerBuilder::resample`](crate::train::TrainerBuilder::resample)
/// redraws a term added with points; add a `Redraw` yourself to order it among other
/// strategies (strategies run in the order they were added, and the builder's redraws come
/// before them).
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
    /// The builder draws the term's first batch from this redraw's stream (step 0).
    pub(crate) draws_first: bool,
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
            draws_first: false,
        }
    }

    /// The seed of the draw of `term`'s points at training step `step` in a run seeded `run`:
    /// `run.derive(1 + t).derive(step)` for term number `t`. Step 0 is the first batch of a
    /// term added with [`TrainerBuilder::add_resampled`](crate::train::TrainerBuilder::add_resampled).
    ///
    /// ```
    /// use pinn::rng::Seed;
    /// use pinn::strategies::Redraw;
    /// # use pinn::ad::{jet::Graph, Elementary};
    /// # use pinn::pde::problems::Poisson1D;
    /// # use pinn::train::Trainer;
    /// # let mut b = Trainer::<_, f64>::builder(Graph::mlp(&[1, 4, 1], Elementary::Tanh)?, Poisson1D::new(1.0)?);
    /// # let term = b.add_pde_points(vec![0.5]);
    /// assert_eq!(Redraw::seed(Seed(7), term, 30), Seed(7).derive(1 + term.index() as u64).derive(30));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed(run: Seed, term: TermId, step: usize) -> Seed {
        run.derive(1 + term.index() as u64).derive(step as u64)
    }

    /// The term this redraw replaces the points of.
    pub fn term(&self) -> TermId {
        self.term
    }

    /// `draw(Redraw::seed(run, term, step))`.
    pub(crate) fn draw_at(&mut self, run: Seed, step: usize) -> Result<(Vec<f64>, Vec<f64>)> {
        (self.draw)(Redraw::seed(run, self.term, step))
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
        if keeps_points(terms.kind(self.term)?) {
            return invalid(
                "resample",
                format!("term `{name}`: periodic and data terms keep their points"),
            );
        }
        Ok(())
    }

    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        _params: &[T],
    ) -> Result<()> {
        if ctx.evaluation == 0 && ctx.step > 0 && ctx.step.is_multiple_of(self.every) {
            let (points, normals) = self.draw_at(ctx.run, ctx.step)?;
            terms.set_points(self.term, points, normals, Vec::new())?;
        }
        Ok(())
    }
}

/// Whether a term of this kind keeps its points (periodic pairs, data values): such terms
/// cannot be redrawn.
pub(crate) fn keeps_points(kind: &TermKind) -> bool {
    matches!(
        kind,
        TermKind::Condition(
            Condition::Periodic { .. }
                | Condition::PeriodicDerivative { .. }
                | Condition::Data { .. }
        )
    )
}
