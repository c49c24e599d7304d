//! Adam (Kingma & Ba, 2015), with PyTorch's arithmetic.

use super::objective::eval_checked;
use super::optimizer::check;
use super::{Objective, Optimizer, OptimizerState, Schedule, StepInfo};
use crate::ad::{Real, Scalar};
use crate::error::check_len;
use crate::{Error, Result};

/// Hyper-parameters of [`Adam`]; the defaults are PyTorch's (and TF's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    /// The base learning rate `lr₀`, finite and `> 0`. Default `1e-3`.
    pub lr: f64,
    /// The first-moment decay `β₁`, in `[0, 1)`. Default `0.9`.
    pub beta1: f64,
    /// The second-moment decay `β₂`, in `[0, 1)`. Default `0.999`.
    pub beta2: f64,
    /// The denominator guard `ε`, finite and `> 0`. Default `1e-8`.
    pub eps: f64,
    /// The learning-rate schedule. Default [`Schedule::Constant`]; Wang et al. use
    /// [`Schedule::wang2021`].
    pub schedule: Schedule,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            schedule: Schedule::Constant,
        }
    }
}

/// Adam, with the update of `torch.optim.Adam` (no weight decay, no AMSGrad). At step
/// `t = 1, 2, …`, with `g = ∇f(x)` and `lr = schedule.lr(lr₀, t − 1)`:
///
/// ```text
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// x ← x − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// The bias corrections `1 − βᵗ` are computed in `f64` (Python floats in PyTorch) and the
/// rest in `T`, in the order of PyTorch 1.13's kernels (`mul_`/`add_`, `addcmul_`,
/// `addcdiv_`); PyTorch 2's `lerp_` for `m` rounds differently. (TF's Adam, used by Wang et al., puts `ε` outside the bias correction:
/// `x ← x − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε)`; the difference only shows while `√v ≲ ε`.)
///
/// **State** ([`Optimizer::state`]): `counters = [t]`, `values = m ++ v` (empty before the
/// first step).
#[derive(Clone, Debug)]
pub struct Adam<T> {
    config: AdamConfig,
    t: u64,
    m: Vec<T>,
    v: Vec<T>,
    grad: Vec<T>,
}

impl<T: Real> Adam<T> {
    /// An Adam optimizer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"adam.lr"`, `"adam.beta1"`,
    /// `"adam.beta2"`, `"adam.eps"`, `"schedule.*"`) if a hyper-parameter is out of range.
    pub fn new(config: AdamConfig) -> Result<Self> {
        let AdamConfig {
            lr,
            beta1,
            beta2,
            eps,
            schedule,
        } = config;
        check("adam.lr", lr, lr > 0.0, "finite and > 0")?;
        check(
            "adam.beta1",
            beta1,
            (0.0..1.0).contains(&beta1),
            "in [0, 1)",
        )?;
        check(
            "adam.beta2",
            beta2,
            (0.0..1.0).contains(&beta2),
            "in [0, 1)",
        )?;
        check("adam.eps", eps, eps > 0.0, "finite and > 0")?;
        schedule.validate()?;
        Ok(Adam {
            config,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
            grad: Vec::new(),
        })
    }

    /// Adam with PyTorch's defaults and learning rate `lr`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] (`"adam.lr"`) unless `lr` is finite and `> 0`.
    pub fn with_lr(lr: f64) -> Result<Self> {
        Self::new(AdamConfig {
            lr,
            ..AdamConfig::default()
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// The number of steps taken, `t`.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// The learning rate the next step will use.
    pub fn current_lr(&self) -> f64 {
        self.config.schedule.lr(self.config.lr, self.t)
    }
}

impl<T: Real> Optimizer<T> for Adam<T> {
    fn name(&self) -> &'static str {
        "adam"
    }

    fn step(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<StepInfo<T>> {
        if self.t == 0 {
            self.m = vec![T::zero(); x.len()];
            self.v = vec![T::zero(); x.len()];
        }
        check_len("adam parameters", self.m.len(), x.len())?;
        self.grad.resize(x.len(), T::zero());
        let loss = eval_checked(obj, x, &mut self.grad, self.t)?;

        let AdamConfig {
            beta1, beta2, eps, ..
        } = self.config;
        let lr = self.current_lr();
        self.t += 1;
        let t = i32::try_from(self.t).unwrap_or(i32::MAX);
        let step_size = T::from_f64(lr / (1.0 - beta1.powi(t)));
        let bias2_sqrt = T::from_f64((1.0 - beta2.powi(t)).sqrt());
        let (b1, one_minus_b1) = (T::from_f64(beta1), T::from_f64(1.0 - beta1));
        let (b2, one_minus_b2) = (T::from_f64(beta2), T::from_f64(1.0 - beta2));
        let eps = T::from_f64(eps);
        let (m, v) = (&mut self.m, &mut self.v);
        for (((x, m), v), &g) in x.iter_mut().zip(m).zip(v).zip(&self.grad) {
            *m = *m * b1 + one_minus_b1 * g;
            *v = *v * b2 + one_minus_b2 * g * g;
            let denom = Scalar::sqrt(*v) / bias2_sqrt + eps;
            *x += -step_size * *m / denom;
        }
        Ok(StepInfo {
            loss,
            final_loss: None,
            evaluations: 1,
            iterations: 1,
            termination: None,
        })
    }

    fn state(&self) -> OptimizerState<T> {
        let mut values = self.m.clone();
        values.extend_from_slice(&self.v);
        OptimizerState {
            counters: vec![self.t],
            values,
        }
    }

    fn set_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        check_len("adam state counters", 1, state.counters.len())?;
        if !state.values.len().is_multiple_of(2) {
            return Err(Error::DimensionMismatch {
                what: "adam state values (m ++ v)",
                expected: 2 * self.m.len(),
                found: state.values.len(),
            });
        }
        let n = state.values.len() / 2;
        self.t = state.counters[0];
        self.m = state.values[..n].to_vec();
        self.v = state.values[n..].to_vec();
        Ok(())
    }
}
