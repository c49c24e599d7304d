//! L-BFGS with a strong-Wolfe line search, step for step as `torch.optim.LBFGS`.

use std::collections::VecDeque;

use super::line_search::StrongWolfe;
use super::objective::eval_checked;
use super::optimizer::check;
use super::vector::{abs, dot, min, norm_inf, norm1};
use super::{Change, Objective, Optimizer, OptimizerState, StepInfo, Termination};
use crate::ad::Real;
use crate::error::check_len;
use crate::{Error, Result};

/// Hyper-parameters of [`Lbfgs`]. The defaults are those of
/// `torch.optim.LBFGS(params, line_search_fn='strong_wolfe')`, plus the line-search
/// constants PyTorch hard-codes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LbfgsConfig {
    /// The step length `t` tried first (after the very first iteration), finite and `> 0`.
    /// Default `1`.
    pub lr: f64,
    /// Inner iterations per [`step`](Optimizer::step), `≥ 1`. Default `20`.
    pub max_iter: usize,
    /// Evaluations per step, `≥ 1`; checked after each line search, so it can be exceeded
    /// by one search. `None` means `max_iter·5/4` (rounded down). Default `None`.
    pub max_eval: Option<usize>,
    /// The number `m` of curvature pairs `(s, y)` kept, `≥ 1`. Default `100`.
    pub history_size: usize,
    /// Stop when `max_i |g_i| ≤ tolerance_grad`, `≥ 0`. Default `1e-7`.
    pub tolerance_grad: f64,
    /// The three "no progress" tests of [`Change`] and the line search's smallest bracket,
    /// `≥ 0`. Default `1e-9`.
    pub tolerance_change: f64,
    /// The Armijo constant `c₁`, in `(0, 1)`. Default `1e-4`.
    pub c1: f64,
    /// The curvature constant `c₂`, in `(c₁, 1)`. Default `0.9`.
    pub c2: f64,
    /// Line-search evaluations after the first, `≥ 1`. Default `25`.
    pub max_ls: usize,
}

impl Default for LbfgsConfig {
    fn default() -> Self {
        LbfgsConfig {
            lr: 1.0,
            max_iter: 20,
            max_eval: None,
            history_size: 100,
            tolerance_grad: 1e-7,
            tolerance_change: 1e-9,
            c1: 1e-4,
            c2: 0.9,
            max_ls: 25,
        }
    }
}

impl LbfgsConfig {
    /// `max_eval`, or its default `max_iter·5/4`.
    pub fn max_eval(&self) -> usize {
        self.max_eval.unwrap_or(self.max_iter * 5 / 4)
    }
}

/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) with the strong-Wolfe line search,
/// reproducing the control flow of `torch.optim.LBFGS.step` with
/// `line_search_fn='strong_wolfe'`.
///
/// One [`step`](Optimizer::step) evaluates `f, g` at `x`, returns at once if
/// `max|g| ≤ tolerance_grad`, and otherwise runs inner iterations `k = 1, 2, …`:
///
/// 1. **Direction.** At the very first iteration `d = −g`. After that, with
///    `s = t·d_prev`, `y = g − g_prev`: if `y·s > 1e-10` the pair `(s, y)` and `ρ = 1/(y·s)`
///    are stored (dropping the oldest beyond `history_size`) and `H₀ = (s·y)/(y·y)`; then the
///    two-loop recursion gives `d = −H·g`:
///    `q = −g; for i newest→oldest: αᵢ = ρᵢ sᵢ·q, q −= αᵢ yᵢ;`
///    `d = H₀ q; for i oldest→newest: βᵢ = ρᵢ yᵢ·d, d += (αᵢ − βᵢ) sᵢ`.
/// 2. **Step.** `t = min(1, 1/‖g‖₁)·lr` at the very first iteration, `t = lr` after; stop
///    if `g·d > −tolerance_change`; otherwise the strong-Wolfe line search
///    (`c₁`, `c₂`, `max_ls`) picks `t`, and `x ← x + t·d`.
/// 3. **Stopping rules**, in this order, each a [`Termination`]: `max_iter` iterations in
///    this step ([`MaxIterations`](Termination::MaxIterations)); `max_eval` evaluations in
///    this step ([`MaxEvaluations`](Termination::MaxEvaluations));
///    `max|g| ≤ tolerance_grad` ([`GradientTolerance`](Termination::GradientTolerance));
///    `max|t·d| ≤ tolerance_change` ([`Change::Step`], or
///    [`LineSearchFailed`](Termination::LineSearchFailed) when the line search found no
///    strong-Wolfe point); `|f − f_prev| < tolerance_change` ([`Change::Loss`]).
///
/// The history, `d`, `t`, `g_prev` and the iteration count **persist across steps**, as in
/// PyTorch: ten calls with `max_iter = 2` are one run of 20 iterations, chunked (each call
/// adds one evaluation at its start).
///
/// **State** ([`Optimizer::state`]): `counters = [steps, iterations, evaluations, n, k]`
/// (`n` parameters, `k` stored pairs) and
/// `values = [t, H₀, f_prev] ++ d ++ g_prev ++ ρ₁…ρ_k ++ y₁…y_k ++ s₁…s_k` (oldest pair
/// first; `n = 0` and only the three scalars before the first iteration).
#[derive(Clone, Debug)]
pub struct Lbfgs<T> {
    config: LbfgsConfig,
    line_search: StrongWolfe<T>,
    steps: u64,
    n_iter: u64,
    func_evals: u64,
    d: Vec<T>,
    t: T,
    h_diag: T,
    prev_grad: Vec<T>,
    prev_loss: T,
    /// `(s, y, ρ)`, oldest first.
    history: VecDeque<(Vec<T>, Vec<T>, T)>,
    loss: Option<T>,
    // Scratch buffers.
    grad: Vec<T>,
    trial: Vec<T>,
    alpha: Vec<T>,
    spare: (Vec<T>, Vec<T>),
}

impl<T: Real> Lbfgs<T> {
    /// An L-BFGS optimizer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the field (`"lbfgs.lr"`, `"lbfgs.max_iter"`,
    /// `"lbfgs.max_eval"`, `"lbfgs.history_size"`, `"lbfgs.tolerance_grad"`,
    /// `"lbfgs.tolerance_change"`, `"lbfgs.c1"`, `"lbfgs.c2"`, `"lbfgs.max_ls"`) if a
    /// hyper-parameter is out of range.
    pub fn new(config: LbfgsConfig) -> Result<Self> {
        let c = &config;
        check("lbfgs.lr", c.lr, c.lr > 0.0, "finite and > 0")?;
        let count = |field, k: usize| check(field, k as f64, k >= 1, "≥ 1");
        count("lbfgs.max_iter", c.max_iter)?;
        count("lbfgs.max_eval", c.max_eval())?;
        count("lbfgs.history_size", c.history_size)?;
        count("lbfgs.max_ls", c.max_ls)?;
        let (tg, tc) = (c.tolerance_grad, c.tolerance_change);
        check("lbfgs.tolerance_grad", tg, tg >= 0.0, "finite and ≥ 0")?;
        check("lbfgs.tolerance_change", tc, tc >= 0.0, "finite and ≥ 0")?;
        check("lbfgs.c1", c.c1, c.c1 > 0.0 && c.c1 < 1.0, "in (0, 1)")?;
        let c2_ok = c.c2 > c.c1 && c.c2 < 1.0;
        check(
            "lbfgs.c2",
            c.c2,
            c2_ok,
            &format!("in (c1, 1) = ({}, 1)", c.c1),
        )?;
        let line_search = StrongWolfe::new(
            T::from_f64(c.c1),
            T::from_f64(c.c2),
            T::from_f64(tc),
            c.max_ls,
        );
        Ok(Lbfgs {
            config,
            line_search,
            steps: 0,
            n_iter: 0,
            func_evals: 0,
            d: Vec::new(),
            t: T::from_f64(c.lr),
            h_diag: T::one(),
            prev_grad: Vec::new(),
            prev_loss: T::zero(),
            history: VecDeque::new(),
            loss: None,
            grad: Vec::new(),
            trial: Vec::new(),
            alpha: Vec::new(),
            spare: Default::default(),
        })
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &LbfgsConfig {
        &self.config
    }

    /// Inner iterations run so far, over all steps (PyTorch's `state['n_iter']`).
    pub fn iterations(&self) -> u64 {
        self.n_iter
    }

    /// Objective evaluations so far, over all steps (PyTorch's `state['func_evals']`).
    pub fn evaluations(&self) -> u64 {
        self.func_evals
    }

    /// The loss at the current iterate, if known (after at least one step).
    pub fn loss(&self) -> Option<T> {
        self.loss
    }

    /// The last search direction `d` (empty before the first iteration).
    pub fn direction(&self) -> &[T] {
        &self.d
    }

    /// The last step length `t`: the line search's choice, or the initial trial if the
    /// iteration stopped before searching.
    pub fn step_length(&self) -> T {
        self.t
    }

    /// The number of curvature pairs stored.
    pub fn history_len(&self) -> usize {
        self.history.len()
    }

    /// Step 1 of the iteration: the new direction `d` from the gradient `g`.
    fn update_direction(&mut self) {
        let g = &self.grad;
        if self.n_iter == 1 {
            self.d.clear();
            self.d.extend(g.iter().map(|&g| -g));
            self.history.clear();
            self.h_diag = T::one();
            return;
        }
        // The new pair (s, y) = (t·d_prev, g − g_prev), built in the spare buffers.
        let (s, y) = &mut self.spare;
        s.clear();
        s.extend(self.d.iter().map(|&d| d * self.t));
        y.clear();
        y.extend(g.iter().zip(&self.prev_grad).map(|(&g, &gp)| g - gp));
        let ys = dot(y, s);
        if ys > T::from_f64(1e-10) {
            self.h_diag = ys / dot(y, y);
            let pair = core::mem::take(&mut self.spare);
            if self.history.len() == self.config.history_size {
                // Drop the oldest pair, and keep its buffers for the next one.
                if let Some((s, y, _)) = self.history.pop_front() {
                    self.spare = (s, y);
                }
            }
            self.history.push_back((pair.0, pair.1, T::one() / ys));
        }
        // Two-loop recursion: d = −H·g.
        self.alpha.resize(self.history.len(), T::zero());
        self.d.clear();
        self.d.extend(g.iter().map(|&g| -g));
        for ((s, y, rho), a) in self.history.iter().zip(&mut self.alpha).rev() {
            *a = dot(s, &self.d) * *rho;
            axpy(-*a, y, &mut self.d);
        }
        let h = self.h_diag;
        self.d.iter_mut().for_each(|d| *d *= h);
        for ((s, y, rho), &a) in self.history.iter().zip(&self.alpha) {
            let b = dot(y, &self.d) * *rho;
            axpy(a - b, s, &mut self.d);
        }
    }
}

/// `y ← y + a·x` (PyTorch's `y.add_(x, alpha=a)`).
fn axpy<T: Real>(a: T, x: &[T], y: &mut [T]) {
    y.iter_mut().zip(x).for_each(|(y, &x)| *y += a * x);
}

impl<T: Real> Optimizer<T> for Lbfgs<T> {
    fn name(&self) -> &'static str {
        "lbfgs"
    }

    fn step(&mut self, x: &mut [T], obj: &mut dyn Objective<T>) -> Result<StepInfo<T>> {
        let n = x.len();
        if self.n_iter > 0 {
            check_len("lbfgs parameters", self.d.len(), n)?;
        }
        let step = self.steps;
        let cfg = self.config;
        let (lr, tol_grad) = (T::from_f64(cfg.lr), T::from_f64(cfg.tolerance_grad));
        let tol_change = T::from_f64(cfg.tolerance_change);

        self.grad.resize(n, T::zero());
        let orig_loss = eval_checked(obj, x, &mut self.grad, step)?;
        let mut loss = orig_loss;
        let mut evals = 1;
        self.func_evals += 1;
        let mut info = StepInfo {
            loss: orig_loss,
            final_loss: Some(orig_loss),
            evaluations: 1,
            iterations: 0,
            termination: Some(Termination::GradientTolerance),
        };
        if norm_inf(&self.grad) <= tol_grad {
            self.loss = Some(loss);
            self.steps += 1;
            return Ok(info);
        }

        let mut iterations = 0;
        let termination = loop {
            iterations += 1;
            self.n_iter += 1;
            self.update_direction();
            self.prev_grad.clone_from(&self.grad);
            self.prev_loss = loss;

            self.t = if self.n_iter == 1 {
                min(T::one(), T::one() / norm1(&self.grad)) * lr
            } else {
                lr
            };
            let gtd = dot(&self.grad, &self.d);
            if gtd > -tol_change {
                break Termination::ChangeTolerance(Change::DirectionalDerivative);
            }

            // φ(t) = f(x + t·d), evaluated at a trial copy; x itself moves once, below.
            let (d, trial) = (&self.d, &mut self.trial);
            let mut phi = |t: T, g: &mut [T]| {
                if !t.is_finite() {
                    return Err(Error::NonFinite {
                        term: format!("line-search step length ({t})"),
                        step: step as usize,
                    });
                }
                trial.clear();
                trial.extend(x.iter().zip(d).map(|(&x, &d)| x + t * d));
                eval_checked(obj, trial, g, step)
            };
            let ls = self
                .line_search
                .search(&mut phi, d, self.t, loss, &mut self.grad, gtd)?;
            self.t = ls.t;
            loss = ls.f;
            x.iter_mut().zip(&self.d).for_each(|(x, &d)| *x += ls.t * d);
            evals += ls.evals;
            self.func_evals += ls.evals as u64;

            if iterations == cfg.max_iter {
                break Termination::MaxIterations;
            }
            if evals >= cfg.max_eval() {
                break Termination::MaxEvaluations;
            }
            if norm_inf(&self.grad) <= tol_grad {
                break Termination::GradientTolerance;
            }
            let t = self.t;
            if self.d.iter().all(|&d| abs(d * t) <= tol_change) {
                break if ls.wolfe {
                    Termination::ChangeTolerance(Change::Step)
                } else {
                    Termination::LineSearchFailed
                };
            }
            if abs(loss - self.prev_loss) < tol_change {
                break Termination::ChangeTolerance(Change::Loss);
            }
        };
        self.loss = Some(loss);
        self.steps += 1;
        info.final_loss = Some(loss);
        info.evaluations = evals;
        info.iterations = iterations;
        info.termination = Some(termination);
        Ok(info)
    }

    fn state(&self) -> OptimizerState<T> {
        let n = self.d.len();
        let k = self.history.len();
        let mut values = vec![self.t, self.h_diag, self.prev_loss];
        values.extend_from_slice(&self.d);
        values.extend_from_slice(&self.prev_grad);
        values.extend(self.history.iter().map(|(_, _, rho)| *rho));
        self.history
            .iter()
            .for_each(|(_, y, _)| values.extend_from_slice(y));
        self.history
            .iter()
            .for_each(|(s, _, _)| values.extend_from_slice(s));
        OptimizerState {
            counters: vec![self.steps, self.n_iter, self.func_evals, n as u64, k as u64],
            values,
        }
    }

    fn set_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        check_len("lbfgs state counters", 5, state.counters.len())?;
        let c = &state.counters;
        let (n, k) = (c[3] as usize, c[4] as usize);
        // 3 + 2n + k(1 + 2n), refusing counters whose product overflows.
        let expected = n.checked_mul(2).and_then(|two_n| {
            two_n
                .checked_add(1)?
                .checked_mul(k)?
                .checked_add(two_n.checked_add(3)?)
        });
        let Some(expected) = expected else {
            return Err(Error::DimensionMismatch {
                what: "lbfgs state values (counters overflow)",
                expected: state.values.len(),
                found: usize::MAX,
            });
        };
        check_len("lbfgs state values", expected, state.values.len())?;
        if k > self.config.history_size {
            return Err(Error::DimensionMismatch {
                what: "lbfgs state history (history_size)",
                expected: self.config.history_size,
                found: k,
            });
        }
        let v = &state.values;
        (self.steps, self.n_iter, self.func_evals) = (c[0], c[1], c[2]);
        (self.t, self.h_diag, self.prev_loss) = (v[0], v[1], v[2]);
        let (d, rest) = v[3..].split_at(n);
        let (prev_grad, rest) = rest.split_at(n);
        let (rho, rest) = rest.split_at(k);
        let (ys, ss) = rest.split_at(k * n);
        self.d = d.to_vec();
        self.prev_grad = prev_grad.to_vec();
        self.history = (0..k)
            .map(|i| {
                let pair = |a: &[T]| a[i * n..(i + 1) * n].to_vec();
                (pair(ss), pair(ys), rho[i])
            })
            .collect();
        self.loss = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets up an optimizer whose next direction update adds the pair `(s, y)`.
    fn prepare(opt: &mut Lbfgs<f64>, s: &[f64], y: &[f64], g: &[f64]) {
        opt.n_iter = 2;
        opt.t = 0.5;
        opt.d = s.iter().map(|s| s / 0.5).collect();
        opt.prev_grad = g.iter().zip(y).map(|(g, y)| g - y).collect();
        opt.grad = g.to_vec();
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // index notation, as in the formula
    fn two_loop_recursion_equals_the_dense_bfgs_inverse() {
        let n = 4;
        let pairs: Vec<(Vec<f64>, Vec<f64>)> = (0..3)
            .map(|k| {
                let s: Vec<f64> = (0..n).map(|i| ((i + 2 * k) as f64 * 0.7).sin()).collect();
                // y = A s with A symmetric positive definite, so y·s > 0.
                let y = (0..n)
                    .map(|i| (2.0 + i as f64) * s[i] + 0.3 * s[(i + 1) % n])
                    .collect();
                (s, y)
            })
            .collect();
        let g: Vec<f64> = (0..n).map(|i| 1.0 - 0.4 * i as f64).collect();
        let mut opt = Lbfgs::<f64>::new(LbfgsConfig::default()).unwrap();
        for (s, y) in &pairs {
            prepare(&mut opt, s, y, &g);
            opt.update_direction();
        }
        assert_eq!(opt.history_len(), 3);

        // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ from H₀ = γ I, γ of the newest pair.
        let (s, y) = &pairs[2];
        let gamma = dot(s, y) / dot(y, y);
        let mut h = vec![vec![0.0; n]; n];
        (0..n).for_each(|i| h[i][i] = gamma);
        for (s, y) in &pairs {
            let rho = 1.0 / dot(s, y);
            let v = |i: usize, j: usize| f64::from(u8::from(i == j)) - rho * y[i] * s[j];
            let mut next = vec![vec![0.0; n]; n];
            for i in 0..n {
                for j in 0..n {
                    let mut sum = rho * s[i] * s[j];
                    for k in 0..n {
                        for l in 0..n {
                            sum += v(k, i) * h[k][l] * v(l, j);
                        }
                    }
                    next[i][j] = sum;
                }
            }
            h = next;
        }
        for i in 0..n {
            let hg: f64 = (0..n).map(|j| h[i][j] * g[j]).sum();
            assert!(
                (opt.d[i] + hg).abs() < 1e-12,
                "{i}: {} vs {}",
                opt.d[i],
                -hg
            );
        }
    }

    #[test]
    fn history_drops_the_oldest_pair_and_skips_flat_pairs() {
        let config = LbfgsConfig {
            history_size: 2,
            ..LbfgsConfig::default()
        };
        let mut opt = Lbfgs::<f64>::new(config).unwrap();
        let g = [1.0, 1.0];
        for k in 1..=3 {
            let s = [k as f64, 0.0];
            prepare(&mut opt, &s, &[k as f64, 1.0], &g);
            opt.update_direction();
        }
        let firsts: Vec<f64> = opt.history.iter().map(|(s, _, _)| s[0]).collect();
        assert_eq!(firsts, [2.0, 3.0]);
        // y·s = 1e-11 ≤ 1e-10: not stored, nothing dropped, H₀ unchanged.
        let h_diag = opt.h_diag;
        prepare(&mut opt, &[1e-11, 0.0], &[1.0, 5.0], &g);
        opt.update_direction();
        let firsts: Vec<f64> = opt.history.iter().map(|(s, _, _)| s[0]).collect();
        assert_eq!(firsts, [2.0, 3.0]);
        assert_eq!(opt.h_diag, h_diag);
    }
}
