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

/// `a = f(z)`; stores `f′, f″, f‴` at `z_v` in `der` (3 blocks) for the adjoint.
pub(crate) fn unary_forward<T: Real>(
    f: Elementary,
    l: &Layout,
    m: usize,
    z: &[T],
    a: &mut [T],
    der: &mut [T],
) {
    rules_pass(f, blk(z, m, 0), blk_mut(a, m, 0), &mut der[..3 * m]);
    let (d1, d2) = (blk(der, m, 0), blk(der, m, 1));
    for dir in 0..l.directions().len() {
        let c = l.first_at(dir);
        let (zd, out) = (blk(z, m, c), blk_mut(a, m, c));
        for i in 0..m {
            out[i] = d1[i] * zd[i];
        }
    }
    for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
        let c = l.second_at(q);
        let (zp, zr, zs) = (
            blk(z, m, l.first_at(p)),
            blk(z, m, l.first_at(r)),
            blk(z, m, c),
        );
        let out = blk_mut(a, m, c);
        for i in 0..m {
            out[i] = d2[i] * zp[i] * zr[i] + d1[i] * zs[i];
        }
    }
    if l.has_laplacian() {
        let c = l.lap_at();
        let out = blk_mut(a, m, c);
        sum_of_squares(l, m, z, out);
        let zl = blk(z, m, c);
        for i in 0..m {
            out[i] = d2[i] * out[i] + d1[i] * zl[i];
        }
    }
}

/// `a_v = f(z_v)` and `der = [f′ | f″ | f‴]` at `z_v`, with the function chosen once outside
/// the loop (one monomorphised loop per entry of the rules table).
fn rules_pass<T: Real>(f: Elementary, zv: &[T], av: &mut [T], der: &mut [T]) {
    #[inline(always)]
    fn run<T: Real>(rule: impl Fn(T) -> [T; 4], zv: &[T], av: &mut [T], der: &mut [T]) {
        let m = zv.len();
        let (d1, rest) = der.split_at_mut(m);
        let (d2, d3) = rest.split_at_mut(m);
        for i in 0..m {
            let [f0, f1, f2, f3] = rule(zv[i]);
            av[i] = f0;
            d1[i] = f1;
            d2[i] = f2;
            d3[i] = f3;
        }
    }
    use Elementary as E;
    match f {
        E::Tanh => run(|x| E::Tanh.eval(x), zv, av, der),
        E::Sin => run(|x| E::Sin.eval(x), zv, av, der),
        E::Cos => run(|x| E::Cos.eval(x), zv, av, der),
        E::Exp => run(|x| E::Exp.eval(x), zv, av, der),
        E::Ln => run(|x| E::Ln.eval(x), zv, av, der),
        E::Sqrt => run(|x| E::Sqrt.eval(x), zv, av, der),
        E::Powi(n) => run(|x| E::Powi(n).eval(x), zv, av, der),
        E::Powf(p) => run(|x| E::Powf(p).eval(x), zv, av, der),
        E::Recip => run(|x| E::Recip.eval(x), zv, av, der),
        E::Sigmoid => run(|x| E::Sigmoid.eval(x), zv, av, der),
        E::Softplus => run(|x| E::Softplus.eval(x), zv, av, der),
        E::Sinh => run(|x| E::Sinh.eval(x), zv, av, der),
        E::Cosh => run(|x| E::Cosh.eval(x), zv, av, der),
        E::Abs => run(|x| E::Abs.eval(x), zv, av, der),
        E::Tan => run(|x| E::Tan.eval(x), zv, av, der),
        E::Atan => run(|x| E::Atan.eval(x), zv, av, der),
        E::Ln1p => run(|x| E::Ln1p.eval(x), zv, av, der),
        E::Erf => run(|x| E::Erf.eval(x), zv, av, der),
        E::Erfc => run(|x| E::Erfc.eval(x), zv, av, der),
        E::Swish => run(|x| E::Swish.eval(x), zv, av, der),
        E::Gelu => run(|x| E::Gelu.eval(x), zv, av, der),
    }
}

/// `out = Σ_a z_{d_a}²` (every carried direction).
fn sum_of_squares<T: Real>(l: &Layout, m: usize, z: &[T], out: &mut [T]) {
    out.fill(T::zero());
    for dir in 0..l.directions().len() {
        let zd = blk(z, m, l.first_at(dir));
        for i in 0..m {
            out[i] += zd[i] * zd[i];
        }
    }
}

/// `out[i] = f(i)` when `overwrite`, else `out[i] += f(i)`.
#[inline(always)]
fn put<T: Real>(out: &mut [T], overwrite: bool, f: impl Fn(usize) -> T) {
    if overwrite {
        for (i, o) in out.iter_mut().enumerate() {
            *o = f(i);
        }
    } else {
        for (i, o) in out.iter_mut().enumerate() {
            *o += f(i);
        }
    }
}

/// `z̄ += ∂a/∂z ᵀ ā` for `a = f(z)` (`z̄ = …` when `overwrite`, so `z̄` need not be zeroed
/// first); `scratch` holds at least `m` numbers.
#[allow(clippy::too_many_arguments)]
pub(crate) fn unary_backward<T: Real>(
    l: &Layout,
    m: usize,
    z: &[T],
    der: &[T],
    abar: &[T],
    zbar: &mut [T],
    scratch: &mut [T],
    overwrite: bool,
) {
    let (d1, d2, d3) = (blk(der, m, 0), blk(der, m, 1), blk(der, m, 2));
    let two = T::from_f64(2.0);
    // Value block.
    {
        let out = blk_mut(zbar, m, 0);
        let av = blk(abar, m, 0);
        put(out, overwrite, |i| av[i] * d1[i]);
        for dir in 0..l.directions().len() {
            let c = l.first_at(dir);
            let (ad, zd) = (blk(abar, m, c), blk(z, m, c));
            for i in 0..m {
                out[i] += ad[i] * d2[i] * zd[i];
            }
        }
        for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
            let c = l.second_at(q);
            let (zp, zr) = (blk(z, m, l.first_at(p)), blk(z, m, l.first_at(r)));
            let (as_, zs) = (blk(abar, m, c), blk(z, m, c));
            for i in 0..m {
                out[i] += as_[i] * (d3[i] * zp[i] * zr[i] + d2[i] * zs[i]);
            }
        }
        if l.has_laplacian() {
            let c = l.lap_at();
            let sq = &mut scratch[..m];
            sum_of_squares(l, m, z, sq);
            let (al, zl) = (blk(abar, m, c), blk(z, m, c));
            for i in 0..m {
                out[i] += al[i] * (d3[i] * sq[i] + d2[i] * zl[i]);
            }
        }
    }
    // First-derivative blocks.
    for dir in 0..l.directions().len() {
        let c = l.first_at(dir);
        let zd = blk(z, m, c);
        let ad = blk(abar, m, c);
        let out = blk_mut(zbar, m, c);
        put(out, overwrite, |i| ad[i] * d1[i]);
        for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
            let as_ = blk(abar, m, l.second_at(q));
            for (this, other) in [(p, r), (r, p)] {
                if this == dir {
                    let zo = blk(z, m, l.first_at(other));
                    for i in 0..m {
                        out[i] += as_[i] * d2[i] * zo[i];
                    }
                }
            }
        }
        if l.has_laplacian() {
            let al = blk(abar, m, l.lap_at());
            for i in 0..m {
                out[i] += two * al[i] * d2[i] * zd[i];
            }
        }
    }
    // Second-derivative and Laplacian blocks: linear in z through f′. (The order-3/4 blocks
    // after them are not; `higher::unary_backward` handles those.)
    let first_linear = 1 + l.directions().len();
    for c in first_linear..l.n_low() {
        let ab = blk(abar, m, c);
        let out = blk_mut(zbar, m, c);
        put(out, overwrite, |i| ab[i] * d1[i]);
    }
}

/// `c = x ⊙ y`.
pub(crate) fn mul_forward<T: Real>(l: &Layout, m: usize, x: &[T], y: &[T], out: &mut [T]) {
    let (xv, yv) = (blk(x, m, 0), blk(y, m, 0));
    {
        let o = blk_mut(out, m, 0);
        for i in 0..m {
            o[i] = xv[i] * yv[i];
        }
    }
    for dir in 0..l.directions().len() {
        let c = l.first_at(dir);
        let (xd, yd, o) = (blk(x, m, c), blk(y, m, c), blk_mut(out, m, c));
        for i in 0..m {
            o[i] = xv[i] * yd[i] + yv[i] * xd[i];
        }
    }
    for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
        let c = l.second_at(q);
        let (cp, cr) = (l.first_at(p), l.first_at(r));
        let (xs, ys) = (blk(x, m, c), blk(y, m, c));
        let (xp, xr, yp, yr) = (blk(x, m, cp), blk(x, m, cr), blk(y, m, cp), blk(y, m, cr));
        let o = blk_mut(out, m, c);
        for i in 0..m {
            o[i] = xv[i] * ys[i] + yv[i] * xs[i] + xp[i] * yr[i] + xr[i] * yp[i];
        }
    }
    if l.has_laplacian() {
        let c = l.lap_at();
        let two = T::from_f64(2.0);
        let (xl, yl) = (blk(x, m, c), blk(y, m, c));
        let o = blk_mut(out, m, c);
        o.fill(T::zero());
        for dir in 0..l.directions().len() {
            let cd = l.first_at(dir);
            let (xd, yd) = (blk(x, m, cd), blk(y, m, cd));
            for i in 0..m {
                o[i] += xd[i] * yd[i];
            }
        }
        for i in 0..m {
            o[i] = two * o[i] + xv[i] * yl[i] + yv[i] * xl[i];
        }
    }
}

/// `x̄ += ∂c/∂x ᵀ c̄` for `c = x ⊙ y` (call again with `x`, `y` swapped for `ȳ`).
pub(crate) fn mul_backward<T: Real>(l: &Layout, m: usize, cbar: &[T], y: &[T], xbar: &mut [T]) {
    let yv = blk(y, m, 0);
    let two = T::from_f64(2.0);
    {
        let o = blk_mut(xbar, m, 0);
        for c in 0..l.n_low() {
            let (cb, yc) = (blk(cbar, m, c), blk(y, m, c));
            for i in 0..m {
                o[i] += cb[i] * yc[i];
            }
        }
    }
    for dir in 0..l.directions().len() {
        let c = l.first_at(dir);
        let cb = blk(cbar, m, c);
        let o = blk_mut(xbar, m, c);
        for i in 0..m {
            o[i] += cb[i] * yv[i];
        }
        for (q, &(p, r)) in l.pair_directions().iter().enumerate() {
            let cs = blk(cbar, m, l.second_at(q));
            for (this, other) in [(p, r), (r, p)] {
                if this == dir {
                    let yo = blk(y, m, l.first_at(other));
                    for i in 0..m {
                        o[i] += cs[i] * yo[i];
                    }
                }
            }
        }
        if l.has_laplacian() {
            let (cl, yd) = (blk(cbar, m, l.lap_at()), blk(y, m, c));
            for i in 0..m {
                o[i] += two * cl[i] * yd[i];
            }
        }
    }
    for c in 1 + l.directions().len()..l.n_low() {
        let cb = blk(cbar, m, c);
        let o = blk_mut(xbar, m, c);
        for i in 0..m {
            o[i] += cb[i] * yv[i];
        }
    }
}

/// `out += α·x` over every block (`out = α·x` when `overwrite`).
pub(crate) fn axpy<T: Real>(alpha: T, x: &[T], out: &mut [T], overwrite: bool) {
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
