//! Subdomain schedulers: which FBPINN subdomains train, which are frozen, at each step.

use super::decomposition::Decomposition;
use crate::error::{Error, Result};

/// The state of one subdomain at one step of a schedule (the FBPINNs library's `active`
/// array: 0, 1, 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubdomainState {
    /// Not reached yet (0). Its network still trains where it overlaps an active subdomain's
    /// training points, and is not evaluated elsewhere.
    Inactive,
    /// Training (1): the training points are those inside the active subdomains.
    Active,
    /// Trained and frozen (2): evaluated where it covers training points, never updated.
    Fixed,
}

/// A scheduler that grows outward from a point, a line or a plane (the FBPINNs library's
/// `PointSchedulerRectangularND`, `LineSchedulerRectangularND`,
/// `PlaneSchedulerRectangularND`; the original paper's point scheduler, spec §3.1).
///
/// In the constrained coordinates `c` (every coordinate but the free axes), subdomain `j`'s
/// support is at distance `r_j⁻` from the point (0 inside) and its farthest corner at
/// `r_j⁺`. Over the `n` steps of the schedule a radius sweeps
///
/// `r(i) = r⁻ + (r⁺ − r⁻)·(i/n)`, `r⁻ = min_j r_j⁻`, `r⁺ = max_j r_j⁺`,
///
/// and subdomain `j` is [`Active`](SubdomainState::Active) while `r_j⁻ ≤ r(i) < r_j⁺`,
/// [`Fixed`](SubdomainState::Fixed) once `r(i) ≥ r_j⁺` if it ever was active, and
/// [`Inactive`](SubdomainState::Inactive) otherwise. After the `n` steps the state of step
/// `n − 1` stays. This is the library's iterative update (inactive → active when the radius
/// enters `[r_j⁻, r_j⁺)`, active → fixed when it leaves) in closed form: the radius only
/// grows, so each subdomain is active over one contiguous range of steps.
///
/// ```
/// use pinn::nets::fbpinn::{Decomposition, RadialScheduler, SubdomainState::*};
/// // Three subdomains on [0, 3]: [−0.2, 1.2], [0.8, 2.2], [1.8, 3.2].
/// let dec = Decomposition::from_centres(&[0.0], &[3.0], &[vec![0.5, 1.5, 2.5]], &[vec![1.4; 3]])?;
/// let s = RadialScheduler::point(&dec, &[0.0], 100)?;
/// assert_eq!(s.states(0), vec![Active, Inactive, Inactive]);
/// assert_eq!(s.states(50), vec![Fixed, Active, Inactive]);
/// assert_eq!(s.states(99), vec![Fixed, Fixed, Active]);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RadialScheduler {
    r_near: Vec<f64>,
    r_far: Vec<f64>,
    r_lo: f64,
    r_hi: f64,
    steps: usize,
}

impl RadialScheduler {
    /// Grows from `point` (one coordinate per dimension) over `steps` steps.
    ///
    /// Errors (`InvalidConfig`): `point` of the wrong length or not finite; `steps` 0.
    pub fn point(dec: &Decomposition, point: &[f64], steps: usize) -> Result<Self> {
        Self::subspace(dec, point, &[], steps)
    }

    /// Grows from the line through `point` along `free_axis` (`point` gives the other
    /// `d − 1` coordinates, in order); `d ≥ 2`.
    ///
    /// Errors (`InvalidConfig`): `d < 2`; `free_axis ≥ d`; the [`point`](Self::point)
    /// errors for the constrained coordinates.
    pub fn line(
        dec: &Decomposition,
        point: &[f64],
        free_axis: usize,
        steps: usize,
    ) -> Result<Self> {
        Self::at_least(dec, 2, "line")?;
        Self::subspace(dec, point, &[free_axis], steps)
    }

    /// Grows from the plane through `point` spanned by the two `free_axes` (`point` gives
    /// the other `d − 2` coordinates, in order); `d ≥ 3`.
    ///
    /// Errors (`InvalidConfig`): `d < 3`; an axis `≥ d` or both the same; the
    /// [`point`](Self::point) errors for the constrained coordinates.
    pub fn plane(
        dec: &Decomposition,
        point: &[f64],
        free_axes: [usize; 2],
        steps: usize,
    ) -> Result<Self> {
        Self::at_least(dec, 3, "plane")?;
        Self::subspace(dec, point, &free_axes, steps)
    }

    fn at_least(dec: &Decomposition, d: usize, what: &str) -> Result<()> {
        if dec.dim() < d {
            return Err(Error::InvalidConfig {
                field: "scheduler",
                reason: format!(
                    "a {what} scheduler needs at least {d} dimensions, the decomposition has {}",
                    dec.dim()
                ),
            });
        }
        Ok(())
    }

    fn subspace(dec: &Decomposition, point: &[f64], free: &[usize], steps: usize) -> Result<Self> {
        let d = dec.dim();
        let bad = |field: &'static str, reason: String| Err(Error::InvalidConfig { field, reason });
        if steps == 0 {
            return bad("scheduler.steps", "at least 1 step needed, found 0".into());
        }
        if let Some(&a) = free.iter().find(|&&a| a >= d) {
            return bad(
                "scheduler.axes",
                format!("axis {a} is not one of the {d} dimensions"),
            );
        }
        if free.len() == 2 && free[0] == free[1] {
            return bad(
                "scheduler.axes",
                format!("the two free axes are both {}", free[0]),
            );
        }
        let constrained: Vec<usize> = (0..d).filter(|a| !free.contains(a)).collect();
        if point.len() != constrained.len() {
            return bad(
                "scheduler.point",
                format!(
                    "{} coordinates needed (the axes {constrained:?}), found {}",
                    constrained.len(),
                    point.len()
                ),
            );
        }
        if let Some(v) = point.iter().find(|v| !v.is_finite()) {
            return bad("scheduler.point", format!("coordinate {v} is not finite"));
        }
        let (mut r_near, mut r_far) = (Vec::new(), Vec::new());
        for s in dec.subdomains() {
            let (mut near, mut far) = (0.0, 0.0);
            for (&p, &a) in point.iter().zip(&constrained) {
                let (lo, hi) = (s.lo()[a], s.hi()[a]);
                let n = p - p.clamp(lo, hi);
                let f = if (p - lo).abs() >= (p - hi).abs() {
                    p - lo
                } else {
                    p - hi
                };
                near += n * n;
                far += f * f;
            }
            r_near.push(f64::sqrt(near));
            r_far.push(f64::sqrt(far));
        }
        let r_lo = r_near.iter().copied().fold(f64::INFINITY, f64::min);
        let r_hi = r_far.iter().copied().fold(0.0, f64::max);
        Ok(RadialScheduler {
            r_near,
            r_far,
            r_lo,
            r_hi,
            steps,
        })
    }

    /// The number of subdomains it schedules.
    pub fn n_subdomains(&self) -> usize {
        self.r_near.len()
    }

    /// The number of steps the radius takes to sweep the domain.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The radius at step `i` (held at step `n − 1` after the schedule).
    pub fn radius(&self, i: usize) -> f64 {
        let i = i.min(self.steps - 1);
        self.r_lo + (self.r_hi - self.r_lo) * (i as f64 / self.steps as f64)
    }

    /// The state of every subdomain at step `i`.
    pub fn states(&self, i: usize) -> Vec<SubdomainState> {
        let i = i.min(self.steps - 1);
        let r = self.radius(i);
        (0..self.r_near.len())
            .map(|j| {
                let (near, far) = (self.r_near[j], self.r_far[j]);
                if near <= r && r < far {
                    SubdomainState::Active
                } else if r >= far && self.first_reach(near).is_some_and(|k| self.radius(k) < far) {
                    SubdomainState::Fixed
                } else {
                    SubdomainState::Inactive
                }
            })
            .collect()
    }

    /// The first step whose radius is at least `near`, if any (the radius grows with the
    /// step, so a binary search finds it).
    fn first_reach(&self, near: f64) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.steps);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.radius(mid) >= near {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        (lo < self.steps).then_some(lo)
    }
}
