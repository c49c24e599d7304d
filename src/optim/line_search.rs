//! The strong-Wolfe line search of PyTorch's L-BFGS (`_strong_wolfe`, itself a port of
//! Mark Schmidt's minFunc `WolfeLineSearch` via torch7's `lswolfe.lua`), re-derived and
//! written out with its control flow intact.
//!
//! Along the direction `d` from `x`, with `φ(t) = f(x + t·d)` and `φ′(t) = ∇f(x + t·d)·d`,
//! a step `t` satisfies the **strong Wolfe conditions** when
//!
//! ```text
//! φ(t) ≤ φ(0) + c₁·t·φ′(0)      (sufficient decrease, Armijo)
//! |φ′(t)| ≤ −c₂·φ′(0)           (curvature)
//! ```
//!
//! The search first *brackets* such a step, extrapolating with a cubic limited to
//! `[t + 0.01·(t − t_prev), 10·t]`, then *zooms* into the bracket with cubic interpolation,
//! nudging a trial that lands within 10% of the bracket's ends (twice in a row, or outside)
//! to that 10% mark. It gives up after `max_ls` evaluations after the first, or when the
//! bracket is shorter than `tolerance_change / max_i |d_i|`, and then returns the best
//! point of its bracket, which may be `t = 0`.

use core::mem::swap;

use super::vector::{abs, dot, max, min, norm_inf};
use crate::Result;
use crate::ad::{Real, Scalar};

/// The minimiser of the cubic through `(x₁, f₁)` and `(x₂, f₂)` with slopes `g₁`, `g₂`
/// (torch's `_cubic_interpolate`, from minFunc's `polyinterp`):
///
/// ```text
/// d₁ = g₁ + g₂ − 3·(f₁ − f₂)/(x₁ − x₂)
/// d₂ = √(d₁² − g₁·g₂)
/// x* = x₂ − (x₂ − x₁)·(g₂ + d₂ − d₁)/(g₂ − g₁ + 2·d₂)     (for x₁ ≤ x₂; mirrored otherwise)
/// ```
///
/// clamped to `bounds` (default: the interval between `x₁` and `x₂`); the midpoint of the
/// bounds when `d₁² − g₁·g₂ < 0` (the cubic has no minimiser).
pub(crate) fn cubic_interpolate<T: Real>(
    (x1, f1, g1): (T, T, T),
    (x2, f2, g2): (T, T, T),
    bounds: Option<(T, T)>,
) -> T {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let (two, three) = (T::from_f64(2.0), T::from_f64(3.0));
    let d1 = g1 + g2 - three * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= T::zero() {
        let d2 = Scalar::sqrt(d2_square);
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + two * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + two * d2))
        };
        min(max(min_pos, lo), hi)
    } else {
        (lo + hi) / two
    }
}

/// One evaluated point of the search: `t`, `φ(t)`, `∇f(x + t·d)` and `φ′(t)`.
#[derive(Clone, Debug, Default)]
struct Point<T> {
    t: T,
    f: T,
    g: Vec<T>,
    gtd: T,
}

/// What the search returns (the gradient at the accepted step is swapped into the caller's
/// buffer).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome<T> {
    /// The accepted step length (possibly 0).
    pub t: T,
    /// `φ(t)`.
    pub f: T,
    /// Evaluations made.
    pub evals: usize,
    /// Whether `t` satisfies the strong Wolfe conditions.
    pub wolfe: bool,
}

/// The search's constants and its reusable buffers.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrongWolfe<T> {
    pub c1: T,
    pub c2: T,
    pub tolerance_change: T,
    pub max_ls: usize,
    /// `bracket[0]`, `bracket[1]`: during bracketing, the previous and the newest trial.
    bracket: [Point<T>; 2],
    spare: Point<T>,
}

impl<T: Real> StrongWolfe<T> {
    /// A search with Armijo constant `c1`, curvature constant `c2`, bracket tolerance
    /// `tolerance_change` and at most `max_ls` evaluations after the first.
    pub fn new(c1: T, c2: T, tolerance_change: T, max_ls: usize) -> Self {
        StrongWolfe {
            c1,
            c2,
            tolerance_change,
            max_ls,
            ..Default::default()
        }
    }

    /// Searches along `d` from the point with value `f`, gradient `g` and slope
    /// `gtd = g·d < 0`, starting at step `t`. `phi(t, grad)` evaluates `f(x + t·d)` and
    /// writes its gradient. On return `g` holds the gradient at the accepted step.
    pub fn search(
        &mut self,
        phi: &mut impl FnMut(T, &mut [T]) -> Result<T>,
        d: &[T],
        t: T,
        f: T,
        g: &mut Vec<T>,
        gtd: T,
    ) -> Result<Outcome<T>> {
        let (c1, c2, tol, max_ls) = (self.c1, self.c2, self.tolerance_change, self.max_ls);
        let n = d.len();
        let [b0, b1] = &mut self.bracket;
        for p in [&mut *b0, &mut *b1, &mut self.spare] {
            p.g.resize(n, T::zero());
        }
        let d_norm = norm_inf(d);
        let armijo = |t: T, f_new: T| f_new > f + c1 * t * gtd;
        let curvature = |gtd_new: T| abs(gtd_new) <= -c2 * gtd;
        let mut eval = |p: &mut Point<T>, t: T| -> Result<()> {
            p.t = t;
            p.f = phi(t, &mut p.g)?;
            p.gtd = dot(&p.g, d);
            Ok(())
        };

        // Bracketing: b0 is the previous trial (first t = 0), b1 the newest.
        *b0 = Point {
            t: T::zero(),
            f,
            g: core::mem::take(&mut b0.g),
            gtd,
        };
        b0.g.copy_from_slice(g);
        eval(b1, t)?;
        let mut evals = 1;
        let mut ls_iter = 0;
        let mut done = false;
        while ls_iter < max_ls {
            if armijo(b1.t, b1.f) || (ls_iter > 1 && b1.f >= b0.f) {
                break;
            }
            if curvature(b1.gtd) {
                done = true;
                break;
            }
            if b1.gtd >= T::zero() {
                break;
            }
            let t = b1.t;
            let min_step = t + T::from_f64(0.01) * (t - b0.t);
            let max_step = t * T::from_f64(10.0);
            let t_next = cubic_interpolate(
                (b0.t, b0.f, b0.gtd),
                (t, b1.f, b1.gtd),
                Some((min_step, max_step)),
            );
            swap(b0, b1);
            eval(b1, t_next)?;
            evals += 1;
            ls_iter += 1;
        }
        if ls_iter == max_ls {
            // Out of trials while bracketing: the bracket is [0, t].
            b0.t = T::zero();
            b0.f = f;
            b0.g.copy_from_slice(g);
            b0.gtd = gtd;
        }

        // Zoom: shrink [b0, b1] around a strong-Wolfe point.
        let order = |b0: &Point<T>, b1: &Point<T>| if b0.f <= b1.f { (0, 1) } else { (1, 0) };
        let (mut low, mut high) = if done { (1, 0) } else { order(b0, b1) };
        let mut insufficient_progress = false;
        while !done && ls_iter < max_ls {
            let [b0, b1] = &mut self.bracket;
            if abs(b1.t - b0.t) * d_norm < tol {
                break;
            }
            let mut t = cubic_interpolate((b0.t, b0.f, b0.gtd), (b1.t, b1.f, b1.gtd), None);
            let (hi_t, lo_t) = (max(b0.t, b1.t), min(b0.t, b1.t));
            let eps = T::from_f64(0.1) * (hi_t - lo_t);
            if min(hi_t - t, t - lo_t) < eps {
                // Too close to an end: accept once, then move it 10% inside.
                if insufficient_progress || t >= hi_t || t <= lo_t {
                    t = if abs(t - hi_t) < abs(t - lo_t) {
                        hi_t - eps
                    } else {
                        lo_t + eps
                    };
                    insufficient_progress = false;
                } else {
                    insufficient_progress = true;
                }
            } else {
                insufficient_progress = false;
            }

            eval(&mut self.spare, t)?;
            evals += 1;
            ls_iter += 1;
            let new = &mut self.spare;
            if armijo(t, new.f) || new.f >= self.bracket[low].f {
                // Not a decrease: the trial becomes the high end.
                swap(&mut self.bracket[high], new);
                (low, high) = order(&self.bracket[0], &self.bracket[1]);
            } else {
                if curvature(new.gtd) {
                    done = true;
                } else if new.gtd * (self.bracket[high].t - self.bracket[low].t) >= T::zero() {
                    // The slope points away from the high end: the old low becomes high.
                    self.bracket.swap(high, low);
                }
                swap(&mut self.bracket[low], new);
            }
        }

        let best = &mut self.bracket[low];
        swap(g, &mut best.g);
        Ok(Outcome {
            t: best.t,
            f: best.f,
            evals,
            wolfe: done,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_finds_the_minimiser_of_a_cubic() {
        // φ(t) = t³ − 3t: minimiser at t = 1; data at t = 0 and t = 2.
        let phi = |t: f64| (t * t * t - 3.0 * t, 3.0 * t * t - 3.0);
        let ((f0, g0), (f2, g2)) = (phi(0.0), phi(2.0));
        let t = cubic_interpolate((0.0, f0, g0), (2.0, f2, g2), None);
        assert!((t - 1.0).abs() < 1e-14, "{t}");
        let t = cubic_interpolate((2.0, f2, g2), (0.0, f0, g0), None);
        assert!((t - 1.0).abs() < 1e-14, "{t}");
        // Clamped to the bounds, and the midpoint when there is no real minimiser.
        assert_eq!(
            cubic_interpolate((0.0, f0, g0), (2.0, f2, g2), Some((1.5, 3.0))),
            1.5
        );
        assert_eq!(
            cubic_interpolate((0.0, 0.0, 2.0), (1.0, 1.0, 2.0), None),
            0.5
        );
    }

    #[test]
    fn accepts_an_exact_step_on_a_parabola() {
        // f(x) = (x − 3)², from x = 0 along d = 1: t = 3 satisfies strong Wolfe at once.
        let mut ls = StrongWolfe::new(1e-4, 0.9, 1e-9, 25);
        let mut phi = |t: f64, g: &mut [f64]| {
            g[0] = 2.0 * (t - 3.0);
            Ok((t - 3.0) * (t - 3.0))
        };
        let mut g = vec![-6.0];
        let out = ls.search(&mut phi, &[1.0], 3.0, 9.0, &mut g, -6.0).unwrap();
        assert_eq!((out.t, out.f, out.evals, out.wolfe), (3.0, 0.0, 1, true));
        assert_eq!(g, [0.0]);
    }

    /// Runs the search on `φ` along `d = 1` from `t = 0`.
    fn search_1d(
        phi: impl Fn(f64) -> (f64, f64),
        t0: f64,
        c2: f64,
        max_ls: usize,
    ) -> (f64, f64, f64, usize) {
        let mut ls = StrongWolfe::new(1e-4, c2, 1e-9, max_ls);
        let (f0, g0) = phi(0.0);
        let mut eval = |t: f64, g: &mut [f64]| {
            let (f, slope) = phi(t);
            g[0] = slope;
            Ok(f)
        };
        let mut g = vec![g0];
        let out = ls.search(&mut eval, &[1.0], t0, f0, &mut g, g0).unwrap();
        (out.t, out.f, g[0], out.evals)
    }

    #[test]
    fn every_branch_matches_torch_strong_wolfe() {
        // Reference values: torch's `_strong_wolfe` run in Python floats on the same φ.
        // Between them these cases extrapolate, zoom, flag and correct insufficient
        // progress, swap the bracket's ends, stop on a tiny bracket (returning t = 0) and
        // run out of trials.
        let quartic = |t: f64| {
            (
                (t - 2.0).powf(4.0) - 3.0 * t,
                4.0 * (t - 2.0).powf(3.0) - 3.0,
            )
        };
        let wiggle = |t: f64| {
            let f = (3.0 * t).sin() + 0.1 * (t - 4.0).powf(2.0) - 1.0;
            (f, 3.0 * (3.0 * t).cos() + 0.2 * (t - 4.0))
        };
        let steep = |t: f64| {
            let f = 1.0 / (1.0 + t) + 0.001 * t * t * t * t;
            (f, -1.0 / (1.0 + t).powf(2.0) + 0.004 * t.powf(3.0))
        };
        let steep_small = |t: f64| {
            let f = 1.0 / (1.0 + t) + 1e-6 * t.powf(4.0);
            (f, -1.0 / (1.0 + t).powf(2.0) + 4e-6 * t.powf(3.0))
        };
        let kink = |t: f64| {
            let r = ((t - 1.0).powf(2.0) + 1e-8).sqrt();
            (r, (t - 1.0) / r)
        };
        let log = |t: f64| (-(1.0 + t).ln(), -1.0 / (1.0 + t));
        type Case<'a> = (&'a dyn Fn(f64) -> (f64, f64), f64, f64, usize);
        #[rustfmt::skip]
        let cases: [(Case, (f64, f64, f64, usize)); 9] = [
            // (φ, t₀, c₂, max_ls), (t, φ(t), φ′(t), evaluations)
            ((&quartic, 10.0, 0.9, 25), (2.3635193188546637, -7.0730953132340435, -2.807849075147184, 3)),
            ((&quartic, 1e-3, 0.9, 25), (0.16677411262500003, 10.794097452268337, -27.64381474847236, 4)),
            ((&wiggle, 5.0, 0.9, 25), (7.769311585580505, -0.5471415249974441, 2.5091040356528538e-14, 11)),
            ((&wiggle, 0.01, 0.9, 25), (0.0, 0.6000000000000001, 2.2, 11)),
            ((&steep, 100.0, 0.9, 25), (3.963136192556677, 0.44817802844714427, 0.20839076917112398, 4)),
            ((&steep_small, 1e-4, 0.9, 25), (0.09179399898756248, 0.9159237008124542, -0.8389162224860457, 5)),
            ((&kink, 3.0, 0.9, 25), (0.9998652276395138, 0.00016782010949532446, -0.8030763469973572, 8)),
            ((&kink, 3.0, 0.01, 25), (0.9999998840868947, 0.00010000006717921738, -0.0011591302746685357, 11)),
            ((&log, 1e-3, 0.9, 3), (0.16677411262500003, -0.154242772122347, -0.8570639245245227, 4)),
        ];
        for (k, ((phi, t0, c2, max_ls), want)) in cases.into_iter().enumerate() {
            assert_eq!(search_1d(phi, t0, c2, max_ls), want, "case {k}");
        }
    }
}
