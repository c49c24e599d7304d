//! Progress lines during training: the phase, the step, the loss, the metrics when the
//! trainer computed them, the elapsed time and an estimate of what remains.
//!
//! The estimate comes from a [`Plan`] of the optimizer phases (the same names and step counts
//! the trainer is given) and what a step of each costs in loss evaluations: the current
//! phase's measured seconds per step for the rest of it, and for the phases after it the
//! measured seconds per evaluation so far. The time of phases that may stop early (L-BFGS run
//! until converged) is an upper bound, printed apart with `≤`.

use std::time::Instant;

use pinn::ad::Real;
use pinn::train::{Control, Event};

/// One optimizer phase as planned.
#[derive(Clone, Debug)]
struct Phase {
    name: String,
    steps: usize,
    /// Loss evaluations per step (an upper estimate for L-BFGS).
    cost: f64,
    may_stop_early: bool,
}

/// The optimizer phases of a run, in order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    phases: Vec<Phase>,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Plan {
        Plan::default()
    }

    /// A phase of `steps` first-order steps (Adam, SGD): one evaluation each.
    pub fn adam(mut self, name: &str, steps: usize) -> Plan {
        self.phases.push(Phase {
            name: name.into(),
            steps,
            cost: 1.0,
            may_stop_early: false,
        });
        self
    }

    /// A phase of up to `steps` L-BFGS steps of `max_iter` inner iterations (PyTorch's
    /// `max_eval` = 1.25·`max_iter` evaluations at most); `until_converged` if it may end
    /// early.
    pub fn lbfgs(
        mut self,
        name: &str,
        steps: usize,
        max_iter: usize,
        until_converged: bool,
    ) -> Plan {
        self.phases.push(Phase {
            name: name.into(),
            steps,
            cost: 1.25 * max_iter as f64,
            may_stop_early: until_converged,
        });
        self
    }

    /// The number of steps over all phases.
    pub fn total_steps(&self) -> usize {
        self.phases.iter().map(|p| p.steps).sum()
    }
}

/// `12 s`, `3.4 min`, `1.6 h`.
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        "?".into()
    } else if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 90.0 * 60.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// Where a run is: fed every step, it says how long the run has taken and about how long
/// the rest will take.
#[derive(Debug)]
pub struct Clock {
    plan: Plan,
    /// The run's start (from the first event, which says how long the run had been going).
    start: Option<Instant>,
    /// The current phase (an index into the plan), whether a step of it was seen, the time it
    /// started (seconds since the start) and its steps so far.
    phase: usize,
    started: bool,
    phase_start: f64,
    phase_done: usize,
    /// Evaluations (as planned) of the phases before the current one.
    past_cost: f64,
    /// Seconds since the start at the last step.
    now: f64,
    last_print: f64,
}

impl Clock {
    /// A clock for `plan`.
    pub fn new(plan: Plan) -> Clock {
        Clock {
            plan,
            start: None,
            phase: 0,
            started: false,
            phase_start: 0.0,
            phase_done: 0,
            past_cost: 0.0,
            now: 0.0,
            last_print: f64::NEG_INFINITY,
        }
    }

    /// Takes in a step of the phase named `phase`, `seconds` after its run started; returns
    /// whether it is the first step of a phase.
    pub fn step(&mut self, phase: &str, seconds: f64) -> bool {
        let now = Instant::now();
        let start = *self.start.get_or_insert_with(|| {
            now.checked_sub(std::time::Duration::from_secs_f64(seconds.max(0.0)))
                .unwrap_or(now)
        });
        let elapsed = now.duration_since(start).as_secs_f64();
        let mut first = false;
        let current = self.plan.phases.get(self.phase).map(|p| p.name.as_str());
        if !self.started || current != Some(phase) {
            // The next phase of that name (the ones between ended early or had no steps).
            let from = if self.started { self.phase + 1 } else { 0 };
            if let Some(k) =
                (from..self.plan.phases.len()).find(|&k| self.plan.phases[k].name == phase)
            {
                if self.started {
                    self.past_cost += self.plan.phases[self.phase].cost * self.phase_done as f64;
                }
                self.phase = k;
                self.started = true;
                self.phase_start = self.now;
                self.phase_done = 0;
                first = true;
            }
        }
        self.phase_done += 1;
        self.now = elapsed;
        first
    }

    /// Seconds since the run started, at the last step.
    pub fn elapsed(&self) -> f64 {
        self.now
    }

    /// `(phase name, steps done in it, its planned steps)`.
    pub fn phase(&self) -> (&str, usize, usize) {
        match self.plan.phases.get(self.phase) {
            Some(p) => (&p.name, self.phase_done, p.steps),
            None => ("?", self.phase_done, 0),
        }
    }

    /// The estimated seconds left: in phases that run all their steps, and in phases that
    /// may stop early (L-BFGS until converged: an upper bound).
    pub fn remaining(&self) -> (f64, f64) {
        let Some(cur) = self.plan.phases.get(self.phase) else {
            return (f64::NAN, 0.0);
        };
        let done = self.phase_done.max(1) as f64;
        let per_step = (self.now - self.phase_start) / done;
        let (mut sure, mut maybe) = (0.0, 0.0);
        let here = cur.steps.saturating_sub(self.phase_done) as f64 * per_step;
        if cur.may_stop_early {
            maybe += here;
        } else {
            sure += here;
        }
        let spent = self.past_cost + cur.cost * done;
        let per_eval = self.now / spent.max(1.0);
        for p in &self.plan.phases[self.phase + 1..] {
            let t = p.steps as f64 * p.cost * per_eval;
            if p.may_stop_early {
                maybe += t;
            } else {
                sure += t;
            }
        }
        (sure, maybe)
    }

    /// `"12 s elapsed, ~34 s left"`; with phases that may stop early, `"~34 s left + ≤ 5.0 min
    /// of L-BFGS"` (no estimate after the first step, which also carries the set-up).
    pub fn status(&self) -> String {
        let elapsed = format!("{} elapsed", duration(self.now));
        if !self.started || (self.phase_done <= 1 && self.past_cost == 0.0) {
            return elapsed;
        }
        match self.remaining() {
            (sure, maybe) if maybe > 0.0 && sure < 0.5 => {
                format!(
                    "{elapsed}, ≤ {} left (L-BFGS may stop sooner)",
                    duration(maybe)
                )
            }
            (sure, maybe) if maybe > 0.0 => format!(
                "{elapsed}, ~{} left + ≤ {} of L-BFGS (it may stop sooner)",
                duration(sure),
                duration(maybe)
            ),
            (sure, _) => format!("{elapsed}, ~{} left", duration(sure)),
        }
    }

    /// Whether a progress line is due: on a phase's first step, when the trainer computed
    /// metrics, on the plan's last step, and otherwise every `every` seconds.
    pub fn due(&mut self, first: bool, metrics: bool, every: f64) -> bool {
        let last = self.phase + 1 == self.plan.phases.len()
            && self
                .plan
                .phases
                .get(self.phase)
                .is_some_and(|p| self.phase_done >= p.steps);
        let due = first || metrics || last || self.now - self.last_print >= every;
        if due {
            self.last_print = self.now;
        }
        due
    }
}

/// An observer printing a progress line (phase, step, loss, rel-L2 when computed, elapsed
/// and remaining time) on each phase's first step, whenever the trainer computed metrics, and
/// at least every 10 seconds.
pub fn progress<T: Real>(plan: Plan) -> impl FnMut(&Event<'_, T>) -> Control + Send {
    let mut clock = Clock::new(plan);
    move |e| {
        let first = clock.step(e.phase, e.seconds);
        if clock.due(first, e.metrics.is_some(), 10.0) {
            let (name, done, steps) = clock.phase();
            let metric = (e.metrics.as_ref())
                .map(|m| format!("  rel-L2 {:.3e}", m.rel_l2))
                .unwrap_or_default();
            println!(
                "{name} {done:>w$}/{steps}  step {:>6}  loss {:.3e}{metric}  {}",
                e.step + 1,
                e.loss.to_f64(),
                clock.status(),
                w = steps.to_string().len(),
            );
        }
        Control::Continue
    }
}
