//! When to redraw collocation points, and with which seed.

use super::Sampler;
use crate::domain::{Domain, Points};
use crate::error::{Error, Result};
use crate::rng::Seed;

/// A redraw schedule: draw at step 0, then every `k` steps, each draw from its own child of
/// one root seed.
///
/// The draw made at step `s` uses `root.derive(s)`, so the set in force at any step depends
/// only on `(root, step of its draw)` — not on the period, the history, or the thread count.
/// Keep separate schedules (say `root.derive(0)` for the interior, `root.derive(1)` for the
/// boundary) for independent sets.
///
/// ```
/// use pinn::rng::Seed;
/// use pinn::sampling::Resample;
/// let r = Resample::every(10, Seed(1))?;
/// assert!(r.is_due(0) && r.is_due(20) && !r.is_due(25));
/// assert_eq!(r.last_draw(25), 20);
/// assert_eq!(r.seed_at(25), Seed(1).derive(20));
/// assert_eq!(Resample::once(Seed(1)).last_draw(25), 0); // fixed points
/// assert!(Resample::every(0, Seed(1)).is_err());
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resample {
    every: Option<u64>,
    root: Seed,
}

impl Resample {
    /// Redraw every `k ≥ 1` steps (steps 0, k, 2k, …).
    pub fn every(k: u64, root: Seed) -> Result<Self> {
        if k == 0 {
            return Err(Error::InvalidConfig {
                field: "resample.every",
                reason: "the period must be at least 1 step, found 0".into(),
            });
        }
        Ok(Resample {
            every: Some(k),
            root,
        })
    }

    /// Draw once, at step 0, and keep the points.
    pub fn once(root: Seed) -> Self {
        Resample { every: None, root }
    }

    /// The period, or `None` for [`Resample::once`].
    pub fn period(&self) -> Option<u64> {
        self.every
    }

    /// Whether a new set is drawn at `step`.
    pub fn is_due(&self, step: u64) -> bool {
        match self.every {
            Some(k) => step.is_multiple_of(k),
            None => step == 0,
        }
    }

    /// The step of the draw in force at `step` (the last due step `≤ step`).
    pub fn last_draw(&self, step: u64) -> u64 {
        match self.every {
            Some(k) => step - step % k,
            None => 0,
        }
    }

    /// The seed of the draw in force at `step`: `root.derive(last_draw(step))`.
    pub fn seed_at(&self, step: u64) -> Seed {
        self.root.derive(self.last_draw(step))
    }

    /// `Some(n fresh points)` if a draw is due at `step`, else `None`.
    pub fn draw<S: Sampler + ?Sized>(
        &self,
        sampler: &S,
        domain: &dyn Domain,
        n: usize,
        step: u64,
    ) -> Result<Option<Points>> {
        if !self.is_due(step) {
            return Ok(None);
        }
        sampler.sample(domain, n, self.seed_at(step)).map(Some)
    }
}
