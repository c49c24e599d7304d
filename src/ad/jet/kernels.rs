//! The elementwise jet rules, forward and adjoint, one block at a time.
//!
//! A jet buffer holds `C` blocks of `m = width·n` numbers each (`width` features × `n` points),
//! in the component order of [`Layout`]: value, first derivatives `d_a`, second derivatives
//! `s_q`, Laplacian, then third and fourth partials. The kernels here handle the blocks of
//! order ≤ 2 (the first `Layout::n_low()` ones) and nothing after them: a selection of
//! order ≤ 2 runs only these. The order-3/4 blocks, and their contributions to the adjoints of
//! the lower ones, are the general pass of [`higher`](super::higher), run after these kernels.
//! Every loop below writes exactly one block and reads others, so each is a straight,
//! vectorisable pass over contiguous memory.
//!
//! For `a = f(z)` with `f′, f″, f‴` at the value `z_v` (from the rules table):
//!
//! | component | forward | adjoint (accumulated into `z̄`) |
//! |---|---|---|
//! | value | `f(z_v)` | `z̄_v += ā_v f′ + Σ_a ā_{d_a} f″ z_{d_a} + Σ_q ā_{s_q}(f‴ z_{d_k} z_{d_l} + f″ z_{s_q}) + ā_Δ(f‴ Σ_a z_{d_a}² + f″ z_Δ)` |
//! | `d_a` | `f′ z_{d_a}` | `z̄_{d_a} += ā_{d_a} f′ + Σ_{q∋a} ā_{s_q} f″ z_{d_other} + 2 ā_Δ f″ z_{d_a}` |
//! | `s_q`, q = (k, l) | `f″ z_{d_k} z_{d_l} + f′ z_{s_q}` | `z̄_{s_q} += ā_{s_q} f′` |
//! | Laplacian | `f″ Σ_a z_{d_a}² + f′ z_Δ` | `z̄_Δ += ā_Δ f′` |
//!
//! For `c = x ⊙ y` (Leibniz):
//!
//! | component | forward | adjoint of `x` (swap `x`, `y` for `ȳ`) |
//! |---|---|---|
//! | value | `x_v y_v` | `x̄_v += c̄_v y_v + Σ_a c̄_{d_a} y_{d_a} + Σ_q c̄_{s_q} y_{s_q} + c̄_Δ y_Δ` |
//! | `d_a` | `x_v y_{d_a} + y_v x_{d_a}` | `x̄_{d_a} += c̄_{d_a} y_v + Σ_{q∋a} c̄_{s_q} y_{d_other} + 2 c̄_Δ y_{d_a}` |
//! | `s_q` | `x_v y_{s_q} + y_v x_{s_q} + x_{d_k} y_{d_l} + x_{d_l} y_{d_k}` | `x̄_{s_q} += c̄_{s_q} y_v` |
//! | Laplacian | `x_v y_Δ + y_v x_Δ + 2 Σ_a x_{d_a} y_{d_a}` | `x̄_Δ += c̄_Δ y_v` |
//!
//! (For a diagonal pair `q = (k, k)` "the other direction" is `k` itself, counted twice.)
//!
//! The adjoint columns list what the order-≤2 blocks of `ā` (or `c̄`) contribute. When the
//! layout also carries third and fourth partials `t`, `q`, their forward rules (Faà di Bruno,
//! Leibniz) and their contributions to *every* block of `z̄` (or `x̄`, `ȳ`) — the value one
//! through `f⁗`, `f⁽⁵⁾` included — are added by [`higher`](super::higher), whose table
//! completes these two.

use super::selection::Layout;
use super::simd::per_instruction_set;
use crate::ad::rules::Elementary;
use crate::ad::scalar::Real;

/// Block `c` (length `m`) of a jet buffer.
#[inline(always)]
pub(crate) fn blk<T>(buf: &[T], m: usize, c: usize) -> &[T] {
    &buf[c * m..(c + 1) * m]
}

/// Block `c` (length `m`) of a jet buffer, mutable.
#[inline(always)]
pub(crate) fn blk_mut<T>(buf: &mut [T], m: usize, c: usize) -> &mut [T] {
    &mut buf[c * m..(c + 1) * m]
}

/// Elements per strip: every kernel below runs all its loops over one strip of every block
/// before the next, so the derivative blocks it has just written and the jet blocks it reads
/// several times stay in the L1 cache (a block of a 64-wide layer on 256 points is 128 KiB in
/// `f64`; the strip's few dozen streams of 256 numbers fit in 32 KiB).
const STRIP: usize = 256;

/// Elements `r` of every block of a jet buffer whose blocks are `m` long.
#[derive(Clone, Copy)]
struct Strip {
    m: usize,
    start: usize,
    end: usize,
}

impl Strip {
    /// The strips of blocks `m` long.
    #[inline(always)]
    fn all(m: usize) -> impl Iterator<Item = Strip> {
        (0..m).step_by(STRIP).map(move |start| Strip {
            m,
            start,
            end: m.min(start + STRIP),
        })
    }

    /// The strip's part of block `c`.
    #[inline(always)]
    fn of<T>(self, buf: &[T], c: usize) -> &[T] {
        &buf[c * self.m + self.start..c * self.m + self.end]
    }

    /// The strip's part of block `c`, mutable.
    #[inline(always)]
    fn of_mut<T>(self, buf: &mut [T], c: usize) -> &mut [T] {
        &mut buf[c * self.m + self.start..c * self.m + self.end]
    }

    /// Its length.
    #[inline(always)]
    fn len(self) -> usize {
        self.end - self.start
    }
}

per_instruction_set! {
/// `a = f(z)`; stores `f′, f″, f‴` at `z_v` in `der` (3 blocks) for the adjoint.
pub(crate) fn unary_forward<'a, T: Real>(
    f: Elementary,
    l: &'a Layout,
    m: usize,
    z: &'a [T],
    a: &'a mut [T],
    der: &'a mut [T],
) {
    for s in Strip::all(m) {
        let n = s.len();
        {
            let (d, rest) = der.split_at_mut(m);
            let (d2, d3) = rest.split_at_mut(m);
            let (d1, d2, d3) = (s.of_mut(d, 0), s.of_mut(d2, 0), s.of_mut(d3, 0));
            rules_pass(f, s.of(z, 0), s.of_mut(a, 0), d1, d2, d3);
        }
        let (d1, d2) = (s.of(der, 0), s.of(der, 1));
        for dir in 0..l.directions().len() {
            let c = l.first_at(dir);
            let (zd, out) = (s.of(z, c), s.of_mut(a, c));
            for i in 0..n {
                out[i] = d1[i] * zd[i];
            }
        }
        for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
            let c = l.second_at(q);
            let (zp, zr, zs) = (s.of(z, l.first_at(p)), s.of(z, l.first_at(r)), s.of(z, c));
            let out = s.of_mut(a, c);
            for i in 0..n {
                out[i] = d2[i] * zp[i] * zr[i] + d1[i] * zs[i];
            }
        }
        if l.has_laplacian() {
            let c = l.lap_at();
            let out = s.of_mut(a, c);
            sum_of_squares(l, s, z, out);
            let zl = s.of(z, c);
            for i in 0..n {
                out[i] = d2[i] * out[i] + d1[i] * zl[i];
            }
        }
    }
}
}

/// `a_v = f(z_v)` and `f′, f″, f‴` at `z_v`, with the function chosen once outside the loop
/// (one monomorphised loop per entry of the rules table).
#[inline(always)]
fn rules_pass<T: Real>(
    f: Elementary,
    zv: &[T],
    av: &mut [T],
    d1: &mut [T],
    d2: &mut [T],
    d3: &mut [T],
) {
    #[inline(always)]
    fn run<T: Real>(
        rule: impl Fn(T) -> [T; 4],
        zv: &[T],
        av: &mut [T],
        (d1, d2, d3): (&mut [T], &mut [T], &mut [T]),
    ) {
        let n = zv.len();
        let (av, d1, d2, d3) = (&mut av[..n], &mut d1[..n], &mut d2[..n], &mut d3[..n]);
        for i in 0..n {
            let [f0, f1, f2, f3] = rule(zv[i]);
            av[i] = f0;
            d1[i] = f1;
            d2[i] = f2;
            d3[i] = f3;
        }
    }
    use Elementary as E;
    let d = (d1, d2, d3);
    match f {
        E::Tanh => run(|x| E::Tanh.eval(x), zv, av, d),
        E::Sin => run(|x| E::Sin.eval(x), zv, av, d),
        E::Cos => run(|x| E::Cos.eval(x), zv, av, d),
        E::Exp => run(|x| E::Exp.eval(x), zv, av, d),
        E::Ln => run(|x| E::Ln.eval(x), zv, av, d),
        E::Sqrt => run(|x| E::Sqrt.eval(x), zv, av, d),
        E::Powi(n) => run(|x| E::Powi(n).eval(x), zv, av, d),
        E::Powf(p) => run(|x| E::Powf(p).eval(x), zv, av, d),
        E::Recip => run(|x| E::Recip.eval(x), zv, av, d),
        E::Sigmoid => run(|x| E::Sigmoid.eval(x), zv, av, d),
        E::Softplus => run(|x| E::Softplus.eval(x), zv, av, d),
        E::Sinh => run(|x| E::Sinh.eval(x), zv, av, d),
        E::Cosh => run(|x| E::Cosh.eval(x), zv, av, d),
        E::Abs => run(|x| E::Abs.eval(x), zv, av, d),
        E::Tan => run(|x| E::Tan.eval(x), zv, av, d),
        E::Atan => run(|x| E::Atan.eval(x), zv, av, d),
        E::Ln1p => run(|x| E::Ln1p.eval(x), zv, av, d),
        E::Erf => run(|x| E::Erf.eval(x), zv, av, d),
        E::Erfc => run(|x| E::Erfc.eval(x), zv, av, d),
        E::Swish => run(|x| E::Swish.eval(x), zv, av, d),
        E::Gelu => run(|x| E::Gelu.eval(x), zv, av, d),
    }
}

/// `out = Σ_a z_{d_a}²` (every carried direction) on strip `s`.
#[inline(always)]
fn sum_of_squares<T: Real>(l: &Layout, s: Strip, z: &[T], out: &mut [T]) {
    out.fill(T::zero());
    for dir in 0..l.directions().len() {
        let zd = s.of(z, l.first_at(dir));
        for (o, &x) in out.iter_mut().zip(zd) {
            *o += x * x;
        }
    }
}

/// `out[i] = x[i]·y[i]` when `overwrite`, else `out[i] += x[i]·y[i]`.
#[inline(always)]
fn put<T: Real>(out: &mut [T], overwrite: bool, x: &[T], y: &[T]) {
    let pairs = out.iter_mut().zip(x.iter().zip(y));
    if overwrite {
        pairs.for_each(|(o, (&a, &b))| *o = a * b);
    } else {
        pairs.for_each(|(o, (&a, &b))| *o += a * b);
    }
}

per_instruction_set! {
/// `z̄ += ∂a/∂z ᵀ ā` for `a = f(z)` (`z̄ = …` when `overwrite`, so `z̄` need not be zeroed
/// first); `scratch` holds at least `min(m, STRIP)` numbers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn unary_backward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    z: &'a [T],
    der: &'a [T],
    abar: &'a [T],
    zbar: &'a mut [T],
    scratch: &'a mut [T],
    overwrite: bool,
) {
    let two = T::from_f64(2.0);
    for s in Strip::all(m) {
        let n = s.len();
        let (d1, d2, d3) = (s.of(der, 0), s.of(der, 1), s.of(der, 2));
        // Value block.
        {
            let out = s.of_mut(zbar, 0);
            let av = s.of(abar, 0);
            put(out, overwrite, av, d1);
            for dir in 0..l.directions().len() {
                let c = l.first_at(dir);
                let (ad, zd) = (s.of(abar, c), s.of(z, c));
                for i in 0..n {
                    out[i] += ad[i] * d2[i] * zd[i];
                }
            }
            for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
                let c = l.second_at(q);
                let (zp, zr) = (s.of(z, l.first_at(p)), s.of(z, l.first_at(r)));
                let (as_, zs) = (s.of(abar, c), s.of(z, c));
                for i in 0..n {
                    out[i] += as_[i] * (d3[i] * zp[i] * zr[i] + d2[i] * zs[i]);
                }
            }
            if l.has_laplacian() {
                let c = l.lap_at();
                let sq = &mut scratch[..n];
                sum_of_squares(l, s, z, sq);
                let (al, zl) = (s.of(abar, c), s.of(z, c));
                for i in 0..n {
                    out[i] += al[i] * (d3[i] * sq[i] + d2[i] * zl[i]);
                }
            }
        }
        // First-derivative blocks.
        for dir in 0..l.directions().len() {
            let c = l.first_at(dir);
            let zd = s.of(z, c);
            let ad = s.of(abar, c);
            let out = s.of_mut(zbar, c);
            put(out, overwrite, ad, d1);
            for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
                let as_ = s.of(abar, l.second_at(q));
                for (this, other) in [(p, r), (r, p)] {
                    if this == dir {
                        let zo = s.of(z, l.first_at(other));
                        for i in 0..n {
                            out[i] += as_[i] * d2[i] * zo[i];
                        }
                    }
                }
            }
            if l.has_laplacian() {
                let al = s.of(abar, l.lap_at());
                for i in 0..n {
                    out[i] += two * al[i] * d2[i] * zd[i];
                }
            }
        }
        // Second-derivative and Laplacian blocks: linear in z through f′. (The order-3/4
        // blocks after them are not; `higher::unary_backward` handles those.)
        let first_linear = 1 + l.directions().len();
        for c in first_linear..l.n_low() {
            let ab = s.of(abar, c);
            let out = s.of_mut(zbar, c);
            put(out, overwrite, ab, d1);
        }
    }
}
}

per_instruction_set! {
/// `c = x ⊙ y`.
pub(crate) fn mul_forward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    x: &'a [T],
    y: &'a [T],
    out: &'a mut [T],
) {
    let two = T::from_f64(2.0);
    for s in Strip::all(m) {
        let n = s.len();
        let (xv, yv) = (s.of(x, 0), s.of(y, 0));
        {
            let o = s.of_mut(out, 0);
            for i in 0..n {
                o[i] = xv[i] * yv[i];
            }
        }
        for dir in 0..l.directions().len() {
            let c = l.first_at(dir);
            let (xd, yd, o) = (s.of(x, c), s.of(y, c), s.of_mut(out, c));
            for i in 0..n {
                o[i] = xv[i] * yd[i] + yv[i] * xd[i];
            }
        }
        for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
            let c = l.second_at(q);
            let (cp, cr) = (l.first_at(p), l.first_at(r));
            let (xs, ys) = (s.of(x, c), s.of(y, c));
            let (xp, xr, yp, yr) = (s.of(x, cp), s.of(x, cr), s.of(y, cp), s.of(y, cr));
            let o = s.of_mut(out, c);
            for i in 0..n {
                o[i] = xv[i] * ys[i] + yv[i] * xs[i] + xp[i] * yr[i] + xr[i] * yp[i];
            }
        }
        if l.has_laplacian() {
            let c = l.lap_at();
            let (xl, yl) = (s.of(x, c), s.of(y, c));
            let o = s.of_mut(out, c);
            o.fill(T::zero());
            for dir in 0..l.directions().len() {
                let cd = l.first_at(dir);
                let (xd, yd) = (s.of(x, cd), s.of(y, cd));
                for i in 0..n {
                    o[i] += xd[i] * yd[i];
                }
            }
            for i in 0..n {
                o[i] = two * o[i] + xv[i] * yl[i] + yv[i] * xl[i];
            }
        }
    }
}
}

per_instruction_set! {
/// `x̄ += ∂c/∂x ᵀ c̄` for `c = x ⊙ y` (call again with `x`, `y` swapped for `ȳ`).
pub(crate) fn mul_backward<'a, T: Real>(
    l: &'a Layout,
    m: usize,
    cbar: &'a [T],
    y: &'a [T],
    xbar: &'a mut [T],
) {
    let two = T::from_f64(2.0);
    for s in Strip::all(m) {
        let n = s.len();
        let yv = s.of(y, 0);
        {
            let o = s.of_mut(xbar, 0);
            for c in 0..l.n_low() {
                let (cb, yc) = (s.of(cbar, c), s.of(y, c));
                for i in 0..n {
                    o[i] += cb[i] * yc[i];
                }
            }
        }
        for dir in 0..l.directions().len() {
            let c = l.first_at(dir);
            let cb = s.of(cbar, c);
            let o = s.of_mut(xbar, c);
            for i in 0..n {
                o[i] += cb[i] * yv[i];
            }
            for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
                let cs = s.of(cbar, l.second_at(q));
                for (this, other) in [(p, r), (r, p)] {
                    if this == dir {
                        let yo = s.of(y, l.first_at(other));
                        for i in 0..n {
                            o[i] += cs[i] * yo[i];
                        }
                    }
                }
            }
            if l.has_laplacian() {
                let (cl, yd) = (s.of(cbar, l.lap_at()), s.of(y, c));
                for i in 0..n {
                    o[i] += two * cl[i] * yd[i];
                }
            }
        }
        for c in 1 + l.directions().len()..l.n_low() {
            let cb = s.of(cbar, c);
            let o = s.of_mut(xbar, c);
            for i in 0..n {
                o[i] += cb[i] * yv[i];
            }
        }
    }
}
}

per_instruction_set! {
/// `out += α·x` over every block (`out = α·x` when `overwrite`).
pub(crate) fn axpy<'a, T: Real>(alpha: T, x: &'a [T], out: &'a mut [T], overwrite: bool) {
    if overwrite {
        for (o, &xi) in out.iter_mut().zip(x) {
            *o = alpha * xi;
        }
    } else {
        for (o, &xi) in out.iter_mut().zip(x) {
            *o += alpha * xi;
        }
    }
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::jet::Selection;
    use crate::ad::jet::simd::{every_arch, with_arch};

    /// Numbers in `[−2, 2]` with full mantissas.
    fn numbers<T: Real>(n: usize, seed: u64) -> Vec<T> {
        let mut rng = crate::rng::Seed(seed).rng();
        (0..n)
            .map(|_| T::from_f64(crate::rng::uniform(&mut rng) * 4.0 - 2.0))
            .collect()
    }

    /// Every kernel of this file, run on one instruction set: the outputs, concatenated.
    fn run_all<T: Real>(f: Elementary, l: &Layout, m: usize) -> Vec<T> {
        let c = l.n_components();
        let (z, y, abar) = (
            numbers::<T>(c * m, 1),
            numbers::<T>(c * m, 2),
            numbers::<T>(c * m, 3),
        );
        let (mut a, mut der) = (vec![T::zero(); c * m], vec![T::zero(); 3 * m]);
        unary_forward(f, l, m, &z, &mut a, &mut der);
        let mut zbar = numbers::<T>(c * m, 4);
        let mut scratch = vec![T::zero(); m];
        unary_backward(l, m, &z, &der, &abar, &mut zbar, &mut scratch, false);
        let mut zbar2 = vec![T::zero(); c * m];
        unary_backward(l, m, &z, &der, &abar, &mut zbar2, &mut scratch, true);
        let mut prod = vec![T::zero(); c * m];
        mul_forward(l, m, &z, &y, &mut prod);
        let mut xbar = numbers::<T>(c * m, 5);
        mul_backward(l, m, &abar, &y, &mut xbar);
        let mut ax = numbers::<T>(c * m, 6);
        axpy(T::from_f64(0.3), &z, &mut ax, false);
        [a, der, zbar, zbar2, prod, xbar, ax].concat()
    }

    /// The same bits on every instruction set, for every activation of the rules table that
    /// the networks use, `f32` and `f64`, on a layout with first and mixed second derivatives
    /// and a Laplacian, and block lengths that are not a multiple of any vector width.
    fn same_bits<T: Real>() {
        let l = Selection::new(3)
            .first(2)
            .second(0, 1)
            .second(1, 1)
            .laplacian()
            .layout()
            .unwrap();
        // One strip, and three with a short last one.
        for (m, f) in [101, 600].into_iter().flat_map(|m| {
            [
                Elementary::Tanh,
                Elementary::Sin,
                Elementary::Sigmoid,
                Elementary::Gelu,
                Elementary::Swish,
            ]
            .map(|f| (m, f))
        }) {
            let want = with_arch(pulp::Arch::Scalar, || run_all::<T>(f, &l, m));
            assert!(want.iter().all(|x| x.is_finite()));
            for (name, arch) in every_arch() {
                let got = with_arch(arch, || run_all::<T>(f, &l, m));
                let same = want
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_f64().to_bits() == b.to_f64().to_bits());
                assert!(same, "{f:?} on {name}: not the baseline's bits");
            }
        }
    }

    #[test]
    fn every_instruction_set_gives_the_baseline_bits_f64() {
        same_bits::<f64>();
    }

    #[test]
    fn every_instruction_set_gives_the_baseline_bits_f32() {
        same_bits::<f32>();
    }
}
