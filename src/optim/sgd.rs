//! Stochastic gradient descent with (Nesterov) momentum, as in `torch.optim.SGD`.

use super::objective::eval_checked;
use super::optimizer::check;
use super::{Objective, Optimizer, OptimizerState, Schedule, StepInfo};
use crate::ad::Real;
use crate::error::check_len;
use crate::{Error, Result};

/// Hyper-parameters of [`Sgd`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    /// The base learning rate `lr₀`, finite and `> 0`. Default `1e-3`.
    pub lr: f64,
    /// The momentum `μ`, in `[0, 1)`. Default `0` (plain gradient descent).
    pub momentum: f64,
    /// Nesterov momentum (needs `μ > 0`). Default `false`.
    pub nesterov: bool,
    /// The learning-rate schedule. Default [`Schedule::Constant`].
    pub schedule: Schedule,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            lr: 1e-3,
            momentum: 0.0,
            nesterov: false,
            schedule: Schedule::Constant,
        }
    }
}

/// Gradient descent with momentum, exactly PyTorch's update (dampening 0, no weight decay).
/// At step `n` (from 0), with `g = ∇f(x)` and `lr = schedule.lr(lr₀, n)`:
///
/// ```text
/// b ← g                 at the first step,   b ← μ·b + g   after
/// x ← x − lr·(g + μ·b)  with Nesterov,       x ← x − lr·b  without
/// ```
///
/// With `μ = 0` this is `x ← x − lr·g`.
///
/// **State** ([`Optimizer::state`]): `counters = [steps, has_buffer]`, `values = b` (empty
/// before the first step with momentum).
#[derive(Clone, Debug)]
pub struct Sgd<T> {
    config: SgdConfig,
    steps: u64,
    buffer: Option<Vec<T>>,
    grad: Vec<T>,
}

impl<T: Real> Sgd<T> {
    /// An SGD optimizer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"sgd.lr"`, `"sgd.momentum"`,
    /// `"sgd.nesterov"`, `"schedule.*"`) if a hyper-parameter is out of range.
    pub fn new(config: SgdConfig) -> Result<Self> {
        check("sgd.lr", config.lr, config.lr > 0.0, "finite and > 0")?;
        let mu = config.momentum;
        check("sgd.momentum", mu, (0.0..1.0).contains(&mu), "in [0, 1)")?;
        if config.nesterov && mu == 0.0 {
            return Err(Error::InvalidConfig {
                field: "sgd.nesterov",
                reason: "Nesterov momentum needs momentum > 0, found 0".into(),
            });
        }
        config.schedule.validate()?;
        Ok(Sgd {
            config,
            steps: 0,
            buffer: None,
            grad: Vec::new(),
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f64 {
        self.config.schedule.lr(self.config.lr, self.steps)
    }
}

impl<T: Real> Optimizer<T> for Sgd<T> {
    fn name(&self) -> &'static str {
        "sgd"
    }

    fn step(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<StepInfo<T>> {
        if let Some(b) = &self.buffer {
            check_len("sgd parameters", b.len(), x.len())?;
        }
        self.grad.resize(x.len(), T::zero());
        let loss = eval_checked(obj, x, &mut self.grad, self.steps)?;
        let lr = T::from_f64(self.current_lr());
        let mu = T::from_f64(self.config.momentum);
        let g = &self.grad;
        if self.config.momentum == 0.0 {
            x.iter_mut().zip(g).for_each(|(x, &g)| *x += -lr * g);
        } else {
            let b = match &mut self.buffer {
                None => self.buffer.insert(g.clone()),
                Some(b) => {
                    b.iter_mut().zip(g).for_each(|(b, &g)| *b = *b * mu + g);
                    b
                }
            };
            for ((x, &g), &b) in x.iter_mut().zip(g).zip(b.iter()) {
                let d = if self.config.nesterov { g + mu * b } else { b };
                *x += -lr * d;
            }
        }
        self.steps += 1;
        Ok(StepInfo {
            loss,
            final_loss: None,
            evaluations: 1,
            iterations: 1,
            termination: None,
        })
    }

    fn state(&self) -> OptimizerState<T> {
        OptimizerState {
            counters: vec![self.steps, self.buffer.is_some() as u64],
            values: self.buffer.clone().unwrap_or_default(),
        }
    }

    fn set_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        check_len("sgd state counters", 2, state.counters.len())?;
        self.steps = state.counters[0];
        self.buffer = (state.counters[1] != 0).then(|| state.values.clone());
        Ok(())
    }
}
