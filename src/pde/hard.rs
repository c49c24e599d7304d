//! Hard constraints: output transforms `u = A(x) + B(x)·N(x)` that satisfy a condition exactly.
//!
//! `A` matches the condition's values, `B` vanishes where the condition holds, and `N` is the
//! network. The transform is built from graph operations, so the jets carry its derivatives
//! through the chain rule with no extra code (Lagaris et al. 1998; Lu et al. 2021).
//!
//! ```
//! use pinn::ad::Elementary;
//! use pinn::nets::NetBuilder;
//! use pinn::pde::hard;
//! // u = x(1 − x)·y(1 − y)·N(x, y): zero on the whole boundary of the unit square.
//! let net = NetBuilder::new(2)
//!     .mlp(&[20, 20], Elementary::Tanh)
//!     .transform(|b, x, n| {
//!         let bx = hard::vanish_on_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1]);
//!         b.mul(bx, n)
//!     })
//!     .build(1)?;
//! let theta: Vec<f64> = net.init_params(pinn::rng::Seed(0));
//! let u = pinn::nets::predict(&net, &theta, &[0.0, 0.3, 0.7, 1.0])?;
//! assert_eq!(u, vec![0.0, 0.0]);
//! # Ok::<(), pinn::Error>(())
//! ```

use crate::ad::Elementary;
use crate::ad::jet::{GraphBuilder, NodeId};

/// The coordinate `x_k` as a one-feature node (`k` beyond the input is a build error).
pub fn coordinate(b: &mut GraphBuilder, x: NodeId, k: usize) -> NodeId {
    let d = b.width(x);
    let mut w = vec![0.0; d];
    match w.get_mut(k) {
        Some(wk) => *wk = 1.0,
        None => b.fail(
            "hard.coordinate",
            format!("coordinate {k} does not exist in {d} inputs"),
        ),
    }
    b.linear(x, 1, &w, None)
}

/// `α·x_k + β` as a one-feature node.
pub fn affine_coordinate(
    b: &mut GraphBuilder,
    x: NodeId,
    k: usize,
    alpha: f64,
    beta: f64,
) -> NodeId {
    let xk = coordinate(b, x, k);
    b.scale(xk, alpha, beta)
}

/// `f(ω·x_k + φ)` as a one-feature node, for an elementary `f` (`Sin`, `Cos`, …): the building
/// block of ansätze such as `sin πx + (1 − x²)·t·N`.
pub fn wave(
    b: &mut GraphBuilder,
    x: NodeId,
    k: usize,
    f: Elementary,
    omega: f64,
    phase: f64,
) -> NodeId {
    let z = affine_coordinate(b, x, k, omega, phase);
    b.unary(z, f)
}

/// `B(x) = Π_{k ∈ axes} (x_k − lo_k)(hi_k − x_k)`: zero on the faces `x_k = lo_k` and
/// `x_k = hi_k` of the listed axes, positive inside the box. `lo` and `hi` give every
/// coordinate's bounds; missing entries or axes are a build error.
///
/// **Its scale.** `B` peaks at the centre of the box, at `Π_{k ∈ axes} ((hi_k − lo_k)/2)²`:
/// `4⁻ᵈ` on the unit cube with `d` listed axes (1/4 in 1-D, 1/16 in 2-D, 1/64 in 3-D). In
/// `u = B·N` the network `N` must then reach `4ᵈ` times the size of the solution, while its
/// initialisation makes it `O(1)`: the early gradients are `4ᵈ` times too small and training
/// can stall (the quick start's Poisson 2D, with `u = O(1)` and `B ≤ 1/16`, still trains
/// well; a 3-D problem may not). [`vanish_on_box_normalized`] is the same function scaled to
/// peak at exactly 1. This one keeps its values: the figures of the quick start and of the
/// reproductions were measured with it.
pub fn vanish_on_box(
    b: &mut GraphBuilder,
    x: NodeId,
    lo: &[f64],
    hi: &[f64],
    axes: &[usize],
) -> NodeId {
    side_product(b, x, lo, hi, axes, "hard.vanish_on_box", false)
}

/// `B(x) = Π_{k ∈ axes} 4(x_k − lo_k)(hi_k − x_k)/(hi_k − lo_k)²`: [`vanish_on_box`]
/// normalised so that each factor, and therefore `B`, peaks at exactly 1 at the centre of the
/// box; zero on the faces `x_k = lo_k` and `x_k = hi_k` of the listed axes, in `(0, 1]` inside.
/// With it, `u = B·N` has the size of `N` in the middle of the domain whatever the dimension,
/// which keeps the network's initial output and the solution on the same scale (see
/// [`vanish_on_box`] for why that matters).
///
/// Each factor is built as `(2(x_k − lo_k)/w_k)·(2(hi_k − x_k)/w_k)` with `w_k = hi_k − lo_k`,
/// so a face gives an exact 0 and, when `lo_k + hi_k` and `w_k` are exact, the centre an exact 1.
/// `lo`, `hi` give every coordinate's bounds; missing entries, no axes, an axis beyond the
/// inputs, or an empty or non-finite side (`hi_k ≤ lo_k`) of a listed axis are build errors.
///
/// ```
/// use pinn::ad::jet::GraphBuilder;
/// use pinn::pde::hard;
/// let mut b = GraphBuilder::new(3);
/// let x = b.input();
/// let bx = hard::vanish_on_box_normalized(&mut b, x, &[0.0; 3], &[1.0; 3], &[0, 1, 2]);
/// let g = b.build(bx)?;
/// assert_eq!(g.eval::<f64>(&[], &[0.5, 0.5, 0.5])?, vec![1.0]); // vanish_on_box: 1/64
/// assert_eq!(g.eval::<f64>(&[], &[0.5, 1.0, 0.5])?, vec![0.0]);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn vanish_on_box_normalized(
    b: &mut GraphBuilder,
    x: NodeId,
    lo: &[f64],
    hi: &[f64],
    axes: &[usize],
) -> NodeId {
    side_product(b, x, lo, hi, axes, "hard.vanish_on_box_normalized", true)
}

/// `B(x) = Π_{k ∈ axes} tanh((x_k − lo_k)/s)·tanh((hi_k − x_k)/s)`: the FBPINN codes' factor
/// (Dolean et al. 2024, `multilevel-paper/problems.py`; `s = 1/ω_max` or `1/k` there), zero on
/// the faces `x_k = lo_k`, `x_k = hi_k` of the listed axes and close to 1 farther than a few
/// `s` inside, so the network sets the solution's scale away from the boundary. `lo`, `hi`
/// give every coordinate's bounds; missing entries, no axes, an axis beyond the inputs or
/// `s` not finite and `> 0` are build errors.
///
/// ```
/// use pinn::ad::jet::GraphBuilder;
/// use pinn::pde::hard;
/// let mut b = GraphBuilder::new(2);
/// let x = b.input();
/// let bx = hard::tanh_box(&mut b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1], 0.05);
/// let g = b.build(bx)?;
/// assert_eq!(g.eval::<f64>(&[], &[0.0, 0.4])?, vec![0.0]);
/// // tanh(10)⁴ at the centre, ten widths from every side.
/// assert!((g.eval::<f64>(&[], &[0.5, 0.5])?[0] - 10f64.tanh().powi(4)).abs() < 1e-15);
/// assert!(1.0 - 10f64.tanh().powi(4) < 1e-7);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn tanh_box(
    b: &mut GraphBuilder,
    x: NodeId,
    lo: &[f64],
    hi: &[f64],
    axes: &[usize],
    s: f64,
) -> NodeId {
    let d = b.width(x);
    if lo.len() != d || hi.len() != d || axes.is_empty() || !(s.is_finite() && s > 0.0) {
        b.fail(
            "hard.tanh_box",
            format!(
                "need lo and hi for all {d} coordinates, at least one axis and a finite s > 0, \
                 found {} / {} / {} axes / s = {s}",
                lo.len(),
                hi.len(),
                axes.len()
            ),
        );
    }
    let mut acc: Option<NodeId> = None;
    for &k in axes {
        let (l, h) = (
            lo.get(k).copied().unwrap_or(0.0),
            hi.get(k).copied().unwrap_or(0.0),
        );
        for (a, c) in [(1.0 / s, -l / s), (-1.0 / s, h / s)] {
            let z = affine_coordinate(b, x, k, a, c);
            let t = b.unary(z, Elementary::Tanh);
            acc = Some(match acc {
                Some(p) => b.mul(p, t),
                None => t,
            });
        }
    }
    acc.unwrap_or_else(|| affine_coordinate(b, x, 0, 0.0, 1.0))
}

/// `Π_{k ∈ axes} s_k(x_k − lo_k)·s_k(hi_k − x_k)`, with `s_k = 2/(hi_k − lo_k)` when
/// `normalized` (each factor peaks at 1) and 1 otherwise; bad bounds are build errors named
/// `field`.
fn side_product(
    b: &mut GraphBuilder,
    x: NodeId,
    lo: &[f64],
    hi: &[f64],
    axes: &[usize],
    field: &'static str,
    normalized: bool,
) -> NodeId {
    let d = b.width(x);
    if lo.len() != d || hi.len() != d || axes.is_empty() {
        b.fail(
            field,
            format!(
                "need lo and hi for all {d} coordinates and at least one axis, found {} / {} / {}",
                lo.len(),
                hi.len(),
                axes.len()
            ),
        );
    }
    let mut acc: Option<NodeId> = None;
    for &k in axes {
        let (l, h) = (
            lo.get(k).copied().unwrap_or(0.0),
            hi.get(k)
                .copied()
                .unwrap_or(if normalized { 1.0 } else { 0.0 }),
        );
        let w = h - l;
        let s = if !normalized {
            1.0
        } else if w.is_finite() && w > 0.0 {
            2.0 / w
        } else {
            if k < d {
                b.fail(
                    field,
                    format!("axis {k}: need finite lo < hi, found lo = {l}, hi = {h}"),
                );
            }
            1.0
        };
        let left = affine_coordinate(b, x, k, s, -s * l);
        let right = affine_coordinate(b, x, k, -s, s * h);
        let f = b.mul(left, right);
        acc = Some(match acc {
            Some(a) => b.mul(a, f),
            None => f,
        });
    }
    acc.unwrap_or_else(|| affine_coordinate(b, x, 0, 0.0, 1.0))
}

/// `u = A + B ⊙ N`.
pub fn ansatz(b: &mut GraphBuilder, a: Option<NodeId>, bx: NodeId, n: NodeId) -> NodeId {
    let bn = b.mul(bx, n);
    match a {
        Some(a) => b.add(a, bn),
        None => bn,
    }
}

/// A problem whose initial and boundary conditions an output transform imposes exactly, so
/// the only loss is the PDE residual (the forward problems of Wu et al.'s sampling study,
/// CMAME 2023, are trained this way).
///
/// [`HardConstraint::ansatz`] builds `u = A(x) + B(x)·N(x)` on the graph from the input node
/// `x` and the network's output node `n`; pass it to
/// [`NetBuilder::transform`](crate::nets::NetBuilder::transform). Each implementation's
/// documentation gives its formula, and its tests check that the transformed output meets
/// every condition of the problem for any network.
pub trait HardConstraint {
    /// `u = A(x) + B(x)·N(x)`; `x` is the input node, `n` the network's (one-feature) output.
    fn ansatz(&self, b: &mut GraphBuilder, x: NodeId, n: NodeId) -> NodeId;
}
