//! Learning-rate schedules: the learning rate as a function of the step number.

use core::f64::consts::PI;

use super::optimizer::check;
use crate::{Error, Result};

/// A learning-rate schedule: the rate `lr(n)` at step `n = 0, 1, 2, …` (the number of steps
/// taken before this one) for a base rate `lr₀`; every schedule starts at `lr(0) = lr₀`.
///
/// [`Adam`](super::Adam) and [`Sgd`](super::Sgd) take one. Build the non-constant variants
/// with their constructors, which validate; [`Schedule::validate`] checks a hand-built value.
///
/// ```
/// use pinn::optim::Schedule;
///
/// // Wang, Teng & Perdikaris (2021): lr(n) = 1e-3 · 0.9^(n/1000), continuous.
/// let s = Schedule::wang2021();
/// assert_eq!(s.lr(1e-3, 0), 1e-3);
/// assert!((s.lr(1e-3, 40_000) - 1.478e-5).abs() < 1e-8);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// `lr(n) = lr₀`.
    Constant,
    /// Continuous exponential decay, `lr(n) = lr₀ · γ^(n/k)` with a real exponent: TF1's
    /// `tf.train.exponential_decay(lr₀, n, k, γ, staircase=False)`.
    Exponential {
        /// The decay factor `γ` per `k` steps, in `(0, 1]`.
        gamma: f64,
        /// The number of steps `k` over which the rate is multiplied by `γ`, `> 0`.
        decay_steps: u64,
    },
    /// Step decay, `lr(n) = lr₀ · γ^⌊n/k⌋`: PyTorch's `StepLR`, or `exponential_decay` with
    /// `staircase=True`.
    Step {
        /// The factor `γ` applied every `k` steps, in `(0, 1]`.
        gamma: f64,
        /// The number of steps `k` between decays, `> 0`.
        step_size: u64,
    },
    /// Cosine annealing without restarts,
    /// `lr(n) = η_min + (lr₀ − η_min)·(1 + cos(π·min(n, T)/T))/2`: PyTorch's
    /// `CosineAnnealingLR` closed form for `n ≤ T`, then held at `η_min`.
    Cosine {
        /// The number of steps `T` to reach `η_min`, `> 0`.
        t_max: u64,
        /// The final learning rate `η_min`, `≥ 0`.
        min_lr: f64,
    },
    /// Linear decay to zero, `lr(n) = lr₀ · (1 − min(n, N)/N)`: PyTorch's `LambdaLR` with
    /// `1 − n/N`, as He et al. (2023) train every Stein and PINN run.
    Linear {
        /// The number of steps `N` to reach zero, `> 0`.
        total: u64,
    },
}

impl Schedule {
    /// `lr₀ · γ^(n/k)` (continuous exponent).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] unless `0 < γ ≤ 1` and `k > 0`.
    pub fn exponential(gamma: f64, decay_steps: u64) -> Result<Self> {
        let s = Schedule::Exponential { gamma, decay_steps };
        s.validate()?;
        Ok(s)
    }

    /// `lr₀ · γ^⌊n/k⌋`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] unless `0 < γ ≤ 1` and `k > 0`.
    pub fn step(gamma: f64, step_size: u64) -> Result<Self> {
        let s = Schedule::Step { gamma, step_size };
        s.validate()?;
        Ok(s)
    }

    /// Cosine annealing from `lr₀` to `min_lr` over `t_max` steps.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] unless `t_max > 0` and `min_lr ≥ 0` is finite.
    pub fn cosine(t_max: u64, min_lr: f64) -> Result<Self> {
        let s = Schedule::Cosine { t_max, min_lr };
        s.validate()?;
        Ok(s)
    }

    /// Linear decay from `lr₀` to 0 over `total` steps.
    ///
    /// ```
    /// use pinn::optim::Schedule;
    /// let s = Schedule::linear(1000)?;
    /// assert_eq!(s.lr(1e-3, 250), 7.5e-4);
    /// assert_eq!(s.lr(1e-3, 2000), 0.0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] unless `total > 0`.
    pub fn linear(total: u64) -> Result<Self> {
        let s = Schedule::Linear { total };
        s.validate()?;
        Ok(s)
    }

    /// The schedule of Wang, Teng & Perdikaris (2021), `0.9^(n/1000)`, continuous, as coded
    /// in their TF1 scripts (with `lr₀ = 1e-3`).
    pub fn wang2021() -> Self {
        Schedule::Exponential {
            gamma: 0.9,
            decay_steps: 1000,
        }
    }

    /// Checks the parameters (the constructors call this).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        let positive = |field: &'static str, k: u64| {
            if k > 0 {
                Ok(())
            } else {
                Err(Error::InvalidConfig {
                    field,
                    reason: "must be > 0, found 0".into(),
                })
            }
        };
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Exponential { gamma, decay_steps } => {
                check(
                    "schedule.gamma",
                    gamma,
                    gamma > 0.0 && gamma <= 1.0,
                    "in (0, 1]",
                )?;
                positive("schedule.decay_steps", decay_steps)
            }
            Schedule::Step { gamma, step_size } => {
                check(
                    "schedule.gamma",
                    gamma,
                    gamma > 0.0 && gamma <= 1.0,
                    "in (0, 1]",
                )?;
                positive("schedule.step_size", step_size)
            }
            Schedule::Cosine { t_max, min_lr } => {
                positive("schedule.t_max", t_max)?;
                check("schedule.min_lr", min_lr, min_lr >= 0.0, "≥ 0")
            }
            Schedule::Linear { total } => positive("schedule.total", total),
        }
    }

    /// The learning rate at step `n` for the base rate `lr0`. (A schedule that fails
    /// [`Schedule::validate`] gives an unspecified rate, never a panic; the optimizers refuse
    /// such schedules when they are built.)
    pub fn lr(&self, lr0: f64, n: u64) -> f64 {
        match *self {
            Schedule::Constant => lr0,
            Schedule::Exponential { gamma, decay_steps } => {
                lr0 * gamma.powf(n as f64 / decay_steps as f64)
            }
            Schedule::Step { gamma, step_size } => {
                let k = n.checked_div(step_size).unwrap_or(0).min(i32::MAX as u64) as i32;
                lr0 * gamma.powi(k)
            }
            Schedule::Cosine { t_max, min_lr } => {
                let progress = n.min(t_max) as f64 / t_max.max(1) as f64;
                min_lr + (lr0 - min_lr) * (1.0 + (PI * progress).cos()) / 2.0
            }
            Schedule::Linear { total } => lr0 * (1.0 - n.min(total) as f64 / total.max(1) as f64),
        }
    }
}
