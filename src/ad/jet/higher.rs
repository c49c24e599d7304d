//! The order-3 and order-4 blocks of a jet: one general pass over precomputed term lists.
//!
//! The order-≤2 blocks `[value, d…, s…, lap?]` keep their hand-written kernels
//! ([`kernels`](super::kernels)); this pass handles only the blocks after them (third partials
//! `t`, then fourth partials `q`, see [`Layout`]), and runs only when the layout has some. A
//! partial `u_S` of order `r` is named by its positions `S = {0, …, r−1}`; any subset
//! `B ⊆ S` names the sub-partial `z_B` that the layout carries (see the
//! [plan](super::plan)). With `f^{(j)}` the derivatives of `f` at the value `z_v`:
//!
//! | node | forward | adjoint (accumulated) |
//! |---|---|---|
//! | `a = f(z)` | `a_S = Σ_{π∈Π(S)} f^{(\|π\|)} Π_{B∈π} z_B` | `z̄_v += ā_S Σ_π f^{(\|π\|+1)} Π_{B∈π} z_B`; `z̄_B += ā_S f^{(\|π\|)} Π_{B′∈π, B′≠B} z_{B′}` for every block `B` of every `π` |
//! | `c = x ⊙ y` | `c_S = Σ_{T⊆S} x_T y_{S∖T}` | `x̄_T += c̄_S y_{S∖T}` for every `T ⊆ S` (`x_∅ = x_v`; swap `x`, `y` for `ȳ`) |
//!
//! `Π(S)` are the set partitions of the positions (Bell(3) = 5, Bell(4) = 15); for example
//! `a_xxy = f′ z_xxy + f″ (2 z_x z_xy + z_y z_xx) + f‴ z_x² z_y`. Dense, linear, concatenation,
//! sum, difference, scaling and trainable-vector nodes act block by block on all `C` blocks
//! and need nothing here; the input jet has zero components of order ≥ 2.
//!
//! **Derivatives of `f`.** The forward pass of order `r` needs `f^{(r)}`, its adjoint
//! `f^{(r+1)}`: `f⁗` for order 3, `f⁗` and `f⁽⁵⁾` for order 4, beyond the `f′, f″, f‴` of the
//! rules table. They are *derived*, not written: [`Elementary::eval`] is generic over
//! [`Scalar`](crate::ad::Scalar), so evaluating it on the dual number `z_v + ε` gives
//! `f‴(z_v + ε) = f‴ + f⁗ ε`, and on the nested dual `z_v + ε₁ + ε₂` (a
//! `Dual<Dual<T>>`) gives `f‴ + f⁗ (ε₁ + ε₂) + f⁽⁵⁾ ε₁ε₂`. Every elementary derivative thus stays
//! written once, in the rules table; a new function added there gets orders 3 and 4 for free.
//! The price, a few nested-dual operations per element of an activation, is paid only by
//! layouts of order ≥ 3 (the activation itself, a `w × n` pass, is small next to the `C`
//! blocks of the GEMMs and of this pass), and a unary node then stores 4 or 5 derivative
//! blocks `[f′ | f″ | f‴ | f⁗ | f⁽⁵⁾]` instead of 3.

use super::kernels::{blk, blk_mut};
use super::selection::Layout;
use super::simd::per_instruction_set;
use crate::ad::Dual;
use crate::ad::rules::Elementary;
use crate::ad::scalar::Real;

/// Number of derivative blocks a unary node stores: `[f′ | f″ | f‴]` up to order 2, then one
/// more per order (`f⁗` for order 3, `f⁗, f⁽⁵⁾` for order 4).
pub(crate) fn n_der_blocks(l: &Layout) -> usize {
    3.max(l.max_order() + 1)
}

/// Writes `f⁗` (order 3), or `f⁗` and `f⁽⁵⁾` (order 4), at `z_v` after the three blocks of the
/// rules table in `der`, by running the rules table on (nested) duals.
#[inline(always)]
fn extra_derivatives<T: Real>(f: Elementary, order: usize, zv: &[T], der: &mut [T]) {
    let m = zv.len();
    let (zero, one) = (T::zero(), T::one());
    match order {
        3 => {
            let d4 = &mut der[3 * m..4 * m];
            for (d, &z) in d4.iter_mut().zip(zv) {
                // f‴(z + ε) = f‴(z) + f⁗(z) ε
                *d = f.eval(Dual::new(z, one))[3].eps;
            }
        }
        4 => {
            let (d4, d5) = der[3 * m..5 * m].split_at_mut(m);
            for i in 0..m {
                // f‴(z + ε₁ + ε₂) = f‴ + f⁗ (ε₁ + ε₂) + f⁽⁵⁾ ε₁ε₂
                let x = Dual::new(Dual::new(zv[i], one), Dual::new(one, zero));
                let d3 = f.eval(x)[3];
                d4[i] = d3.re.eps;
                d5[i] = d3.eps.eps;
            }
        }
        _ => {}
    }
}

/// `out[i] += k · Π_j f[j][i]` for 1 to 6 factors.
#[inline(always)]
fn acc_product<T: Real>(out: &mut [T], k: T, f: &[&[T]]) {
    let m = out.len();
    match *f {
        [a] => {
            let a = &a[..m];
            for i in 0..m {
                out[i] += k * a[i];
            }
        }
        [a, b] => {
            let (a, b) = (&a[..m], &b[..m]);
            for i in 0..m {
                out[i] += k * a[i] * b[i];
            }
        }
        [a, b, c] => {
            let (a, b, c) = (&a[..m], &b[..m], &c[..m]);
            for i in 0..m {
                out[i] += k * a[i] * b[i] * c[i];
            }
        }
        [a, b, c, d] => {
            let (a, b, c, d) = (&a[..m], &b[..m], &c[..m], &d[..m]);
            for i in 0..m {
                out[i] += k * a[i] * b[i] * c[i] * d[i];
            }
        }
        [a, b, c, d, e] => {
            let (a, b, c, d, e) = (&a[..m], &b[..m], &c[..m], &d[..m], &e[..m]);
            for i in 0..m {
                out[i] += k * a[i] * b[i] * c[i] * d[i] * e[i];
            }
        }
        [a, b, c, d, e, g] => {
            let (a, b, c, d, e, g) = (&a[..m], &b[..m], &c[..m], &d[..m], &e[..m], &g[..m]);
            for i in 0..m {
                out[i] += k * a[i] * b[i] * c[i] * d[i] * e[i] * g[i];
            }
        }
        // The plans have at most 4 blocks per term, so at most 6 factors.
        _ => {}
    }
}

per_instruction_set! {
/// The order-3/4 blocks of `a = f(z)` (after [`kernels::unary_forward`](super::kernels) wrote
/// the others and `f′, f″, f‴` into `der`); also writes the extra derivative blocks of `der`.
pub(crate) fn unary_forward<'a, T: Real>(
    f: Elementary,
    l: &'a Layout,
    m: usize,
    z: &'a [T],
    a: &'a mut [T],
    der: &'a mut [T],
) {
    extra_derivatives(f, l.max_order(), blk(z, m, 0), der);
    let der = &*der;
    for hc in &l.plan().comps {
        let out = blk_mut(a, m, hc.index);
        out.fill(T::zero());
        for t in &hc.chain {
            let p = t.blocks.len();
            let mut fs: [&[T]; 6] = [&[]; 6];
            fs[0] = blk(der, m, p - 1);
            for (slot, &b) in fs[1..].iter_mut().zip(&t.blocks) {
                *slot = blk(z, m, b);
            }
            acc_product(out, T::from_f64(f64::from(t.mult)), &fs[..p + 1]);
        }
    }
}
}

per_instruction_set! {
/// The adjoint of [`unary_forward`] for the order-3/4 blocks of `ā`: adds their contributions
/// to every block of `z̄` (after [`kernels::unary_backward`](super::kernels) handled the
/// order-≤2 blocks of `ā`). With `overwrite`, the order-3/4 blocks of `z̄` are written rather
/// than added to (the order-≤2 ones were written by the kernel).
#[allow(clippy::too_many_arguments)]
pub(crate) fn unary_backward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    z: &'a [T],
    der: &'a [T],
    abar: &'a [T],
    zbar: &'a mut [T],
    overwrite: bool,
) {
    if overwrite {
        zbar[l.n_low() * m..l.n_components() * m].fill(T::zero());
    }
    for hc in &l.plan().comps {
        let ab = blk(abar, m, hc.index);
        for t in &hc.chain {
            let p = t.blocks.len();
            let k = T::from_f64(f64::from(t.mult));
            // z̄_v += k ā_S f^{(p+1)} Π_B z_B
            let mut fs: [&[T]; 6] = [&[]; 6];
            fs[0] = ab;
            fs[1] = blk(der, m, p);
            for (slot, &b) in fs[2..].iter_mut().zip(&t.blocks) {
                *slot = blk(z, m, b);
            }
            acc_product(blk_mut(zbar, m, 0), k, &fs[..p + 2]);
            // z̄_B += k ā_S f^{(p)} Π_{B′≠B} z_{B′}, once per block position
            for (j, &bj) in t.blocks.iter().enumerate() {
                fs[1] = blk(der, m, p - 1);
                let others = t.blocks.iter().enumerate().filter(|&(i, _)| i != j);
                for (slot, (_, &b)) in fs[2..].iter_mut().zip(others) {
                    *slot = blk(z, m, b);
                }
                acc_product(blk_mut(zbar, m, bj), k, &fs[..p + 1]);
            }
        }
    }
}
}

per_instruction_set! {
/// The order-3/4 blocks of `c = x ⊙ y` (Leibniz).
pub(crate) fn mul_forward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    x: &'a [T],
    y: &'a [T],
    out: &'a mut [T],
) {
    for hc in &l.plan().comps {
        let o = blk_mut(out, m, hc.index);
        o.fill(T::zero());
        for t in &hc.leibniz {
            let k = T::from_f64(f64::from(t.mult));
            acc_product(o, k, &[blk(x, m, t.x), blk(y, m, t.y)]);
        }
    }
}
}

per_instruction_set! {
/// `x̄ += ∂c/∂x ᵀ c̄` for the order-3/4 blocks of `c̄`, `c = x ⊙ y` (call again with `x`, `y`
/// swapped for `ȳ`).
pub(crate) fn mul_backward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    cbar: &'a [T],
    y: &'a [T],
    xbar: &'a mut [T],
) {
    for hc in &l.plan().comps {
        let cb = blk(cbar, m, hc.index);
        for t in &hc.leibniz {
            let k = T::from_f64(f64::from(t.mult));
            acc_product(blk_mut(xbar, m, t.x), k, &[cb, blk(y, m, t.y)]);
        }
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::jet::Selection;
    use crate::ad::jet::simd::{every_arch, with_arch};

    /// Every kernel of this file on one instruction set, for a layout with third and fourth
    /// partials: the outputs, concatenated.
    fn run_all<T: Real>(f: Elementary, l: &Layout, m: usize) -> Vec<T> {
        let c = l.n_components();
        let mut rng = crate::rng::Seed(7).rng();
        let mut numbers = |n: usize| -> Vec<T> {
            (0..n)
                .map(|_| T::from_f64(crate::rng::uniform(&mut rng) * 2.0 - 1.0))
                .collect()
        };
        let (z, y, abar) = (numbers(c * m), numbers(c * m), numbers(c * m));
        let mut der = numbers(n_der_blocks(l) * m);
        let mut a = vec![T::zero(); c * m];
        unary_forward(f, l, m, &z, &mut a, &mut der);
        let mut zbar = numbers(c * m);
        unary_backward(l, m, &z, &der, &abar, &mut zbar, false);
        let mut prod = vec![T::zero(); c * m];
        mul_forward(l, m, &z, &y, &mut prod);
        let mut xbar = numbers(c * m);
        mul_backward(l, m, &abar, &y, &mut xbar);
        [a, der, zbar, prod, xbar].concat()
    }

    /// The same bits on every instruction set, orders 3 and 4, `f32` and `f64`.
    #[test]
    fn every_instruction_set_gives_the_baseline_bits() {
        let l3 = Selection::new(2).third(0, 0, 1).layout().unwrap();
        let l4 = Selection::new(2)
            .fourth(0, 0, 1, 1)
            .biharmonic()
            .layout()
            .unwrap();
        for l in [&l3, &l4] {
            for f in [Elementary::Tanh, Elementary::Sin] {
                let want64 = with_arch(pulp::Arch::Scalar, || run_all::<f64>(f, l, 77));
                let want32 = with_arch(pulp::Arch::Scalar, || run_all::<f32>(f, l, 77));
                for (name, arch) in every_arch() {
                    let got64 = with_arch(arch, || run_all::<f64>(f, l, 77));
                    let got32 = with_arch(arch, || run_all::<f32>(f, l, 77));
                    let same64 = want64
                        .iter()
                        .zip(&got64)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    let same32 = want32
                        .iter()
                        .zip(&got32)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(
                        same64 && same32,
                        "{f:?}, order {}, on {name}",
                        l.max_order()
                    );
                }
            }
        }
    }
}
