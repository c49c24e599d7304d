//! Exact derivative values of a function given in closed form: hyper-duals for orders ≤ 2,
//! nested duals for orders 3 and 4 (shared by the catalog and gPINN tests).
#![allow(dead_code)]

use pinn::ad::jet::Component;
use pinn::ad::{Dual, HyperDual, Scalar};

/// A solution `u(x)` (one value per output), generic over the number type so that hyper-duals
/// (orders ≤ 2) and nested duals (orders 3 and 4) both differentiate it.
pub trait Solution {
    /// `u(x)`, one value per output.
    fn at<S: Scalar>(&self, x: &[S]) -> Vec<S>;
}

/// Four nested dual levels, one per derivative direction: `ε₁` innermost, `ε₄` outermost.
pub type D1 = Dual<f64>;
pub type D2 = Dual<D1>;
pub type D3 = Dual<D2>;
pub type D4 = Dual<D3>;

/// `∂ᵖu_o/∂x_{k₁}…∂x_{k_p}` for `dirs = [k₁, …, k_p]`, `p ≤ 4`, by one pass of nested duals:
/// coordinate `i` is `x_i + Σ_j [k_j = i] ε_j` (each `ε_j² = 0`), and the derivative is the
/// coefficient of `ε₁⋯ε_p`.
pub fn nested(u: &impl Solution, o: usize, x: &[f64], dirs: &[usize]) -> f64 {
    assert!(dirs.len() <= 4);
    let s = |i: usize, level: usize| {
        if dirs.get(level) == Some(&i) {
            1.0
        } else {
            0.0
        }
    };
    let seeded: Vec<D4> = x
        .iter()
        .enumerate()
        .map(|(i, &xi)| {
            let d1 = Dual::new(xi, s(i, 0));
            let d2 = Dual::new(d1, D1::from_f64(s(i, 1)));
            let d3 = Dual::new(d2, D2::from_f64(s(i, 2)));
            Dual::new(d3, D3::from_f64(s(i, 3)))
        })
        .collect();
    let v = u.at(&seeded)[o];
    match dirs.len() {
        0 => v.re.re.re.re,
        1 => v.re.re.re.eps,
        2 => v.re.re.eps.eps,
        3 => v.re.eps.eps.eps,
        _ => v.eps.eps.eps.eps,
    }
}

/// Component `c` of output `o` of `u` at `x`: one hyper-dual pass for orders ≤ 2 (`d` for the
/// Laplacian), one nested-dual pass for orders 3 and 4 (`d + d(d−1)/2` for the biharmonic
/// `Σ_k ∂⁴_k + 2 Σ_{k<l} ∂²_k∂²_l`).
pub fn component(u: &impl Solution, o: usize, x: &[f64], c: Component) -> f64 {
    let pass = |k: usize, l: usize| {
        let seeded: Vec<HyperDual<f64>> = x
            .iter()
            .enumerate()
            .map(|(i, &xi)| HyperDual::seeded(xi, i, k, l))
            .collect();
        u.at(&seeded)[o]
    };
    match c {
        Component::Value => pass(0, 0).re,
        Component::First(k) => pass(k, k).e1,
        Component::Second(k, l) => pass(k, l).e12,
        Component::Laplacian => (0..x.len()).map(|k| pass(k, k).e12).sum(),
        Component::Third(k, l, m) => nested(u, o, x, &[k, l, m]),
        Component::Fourth(k, l, m, n) => nested(u, o, x, &[k, l, m, n]),
        Component::Biharmonic => {
            let d = x.len();
            let pure: f64 = (0..d).map(|k| nested(u, o, x, &[k; 4])).sum();
            let mixed: f64 = (0..d)
                .flat_map(|k| (k + 1..d).map(move |l| (k, l)))
                .map(|(k, l)| nested(u, o, x, &[k, k, l, l]))
                .sum();
            pure + 2.0 * mixed
        }
    }
}

/// `vals[c·m + o]`, the layout of [`Fields`].
pub fn field_values(u: &impl Solution, m: usize, x: &[f64], comps: &[Component]) -> Vec<f64> {
    let mut vals = vec![0.0; comps.len() * m];
    for (ci, &c) in comps.iter().enumerate() {
        for o in 0..m {
            vals[ci * m + o] = component(u, o, x, c);
        }
    }
    vals
}
