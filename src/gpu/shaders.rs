//! The WGSL compute kernels of the GPU path, written once with `REAL` for the scalar type
//! (`f32` or `f64`), which [`source`] substitutes, and the activations (`tanh_real`,
//! `sincos_real`: the device's own in `f32`, plain arithmetic in `f64`).
//!
//! Jets are stored as `[point p][slot s][feature j]`: slot 0 the value, slots `1..=d` the
//! first derivatives `∂/∂x_k` (when any derivative is asked), then one slot per second-order
//! quantity (`∂²/∂x_k∂x_l`, or the Laplacian aggregate `Σ_k ∂²/∂x_k²`), described by the
//! `pairs` `(k, l)`, `(d, d)` marking the Laplacian. Every invocation sums in a fixed
//! order and owns what it writes (no atomics, no float reductions across invocations), so the
//! same inputs give the same bits on one device from run to run.

/// The uniform of every kernel: sizes and offsets (unused fields are 0).
pub(super) const DIMS: &str = r#"
struct Dims { n: u32, s: u32, n_in: u32, n_out: u32, w_off: u32, b_off: u32, d: u32, extra: u32 }
const NONE: u32 = 0xffffffffu;
@group(0) @binding(0) var<uniform> dims: Dims;
"#;

/// `tanh` in `f64` with plain arithmetic (Vulkan's `Tanh` and `Exp` are 32-bit only): the
/// scheme of `crate::ad::tanh::tanh` (Cephes' rational below 0.625, else `1 − 2/(e^{2|x|}+1)`
/// with a Cody–Waite exponential and a degree-13 Taylor polynomial).
pub(super) const TANH_F64: &str = r#"
fn tanh_real(x: f64) -> f64 {
    if (x != x) { return x; }
    let a = abs(x);
    let z = a * a;
    let num = (f64(-9.64399179425052238628e-1) * z + f64(-9.92877231001918586564e1)) * z
        + f64(-1.61468768441708447952e3);
    let den = ((z + f64(1.12811678491632931402e2)) * z + f64(2.23548839060100448583e3)) * z
        + f64(4.84406305325125486048e3);
    let y = 2.0 * min(a, f64(20.0));
    // (Not the CPU's 1.5·2⁵² shift: a shader compiler may fold `(v + c) − c` to `v`.)
    let n = round(y * f64(1.4426950408889634));
    let r = (y - n * f64(6.931471803691238e-1)) - n * f64(1.9082149292705877e-10);
    var p = f64(1.0 / 6227020800.0);
    p = p * r + f64(1.0 / 479001600.0);
    p = p * r + f64(1.0 / 39916800.0);
    p = p * r + f64(1.0 / 3628800.0);
    p = p * r + f64(1.0 / 362880.0);
    p = p * r + f64(1.0 / 40320.0);
    p = p * r + f64(1.0 / 5040.0);
    p = p * r + f64(1.0 / 720.0);
    p = p * r + f64(1.0 / 120.0);
    p = p * r + f64(1.0 / 24.0);
    p = p * r + f64(1.0 / 6.0);
    p = p * r + f64(0.5);
    p = p * r + f64(1.0);
    p = p * r + f64(1.0);
    // 2^k for 0 ≤ k ≤ 58, exactly, from two 32-bit shifts.
    let k = u32(n);
    let k1 = min(k, 30u);
    let two_k = f64(1u << k1) * f64(1u << (k - k1));
    let e = p * two_k;
    var t_small = a + a * z * (num / den);
    var t_large = 1.0 - 2.0 / (e + 1.0);
    var r_abs = select(t_large, t_small, a < f64(0.625));
    return select(r_abs, -r_abs, x < f64(0.0));
}
"#;

/// `tanh` in `f32`: the device's own.
pub(super) const TANH_F32: &str = r#"
fn tanh_real(x: f32) -> f32 { return tanh(x); }
"#;

/// `sin` and `cos` in `f64` with plain arithmetic (Vulkan's `Sin` and `Cos` are 32-bit only):
/// Cody–Waite reduction by π/2 in three parts (fdlibm's constants; exact for `|x| < 2²⁰·π/2`),
/// Taylor polynomials to `r¹⁷` and `r¹⁸` on `|r| ≤ π/4` (truncation < 1e-19), and the
/// quadrant. Returns `(sin x, cos x)`.
pub(super) const SINCOS_F64: &str = r#"
fn sincos_real(x: f64) -> vec2<f64> {
    let k = round(x * f64(0.63661977236758134308));
    let r = ((x - k * f64(1.57079632673412561417e+00)) - k * f64(6.07710050630396597660e-11))
        - k * f64(2.02226624871116645580e-21);
    let r2 = r * r;
    var s = f64(1.0 / 355687428096000.0);
    s = s * r2 - f64(1.0 / 1307674368000.0);
    s = s * r2 + f64(1.0 / 6227020800.0);
    s = s * r2 - f64(1.0 / 39916800.0);
    s = s * r2 + f64(1.0 / 362880.0);
    s = s * r2 - f64(1.0 / 5040.0);
    s = s * r2 + f64(1.0 / 120.0);
    s = s * r2 - f64(1.0 / 6.0);
    let sin_r = r + r * r2 * s;
    var c = f64(1.0 / 6402373705728000.0);
    c = c * r2 - f64(1.0 / 20922789888000.0);
    c = c * r2 + f64(1.0 / 87178291200.0);
    c = c * r2 - f64(1.0 / 479001600.0);
    c = c * r2 + f64(1.0 / 3628800.0);
    c = c * r2 - f64(1.0 / 40320.0);
    c = c * r2 + f64(1.0 / 720.0);
    c = c * r2 - f64(1.0 / 24.0);
    c = c * r2 + f64(0.5);
    let cos_r = 1.0 - r2 * c;
    let q = ((i32(k) % 4) + 4) % 4;
    if (q == 0) { return vec2<f64>(sin_r, cos_r); }
    if (q == 1) { return vec2<f64>(cos_r, -sin_r); }
    if (q == 2) { return vec2<f64>(-sin_r, -cos_r); }
    return vec2<f64>(-cos_r, sin_r);
}
"#;

/// `sin` and `cos` in `f32`: the device's own.
pub(super) const SINCOS_F32: &str = r#"
fn sincos_real(x: f32) -> vec2<f32> { return vec2<f32>(sin(x), cos(x)); }
"#;

/// An activation and its first three derivatives at `z`, `(f, f', f'', f''')`, for the
/// activation numbered `f` (0 `tanh`, 1 `sin`, 2 `cos`).
pub(super) const ACTIVATION: &str = r#"
fn activation(f: u32, z: REAL) -> vec4<REAL> {
    if (f == 0u) {
        let y = tanh_real(z);
        let y1 = 1.0 - y * y;
        let y2 = -2.0 * y * y1;
        return vec4<REAL>(y, y1, y2, -2.0 * (y1 * y1 + y * y2));
    }
    let sc = sincos_real(z);
    if (f == 1u) {
        return vec4<REAL>(sc.x, sc.y, -sc.x, -sc.y);
    }
    return vec4<REAL>(sc.y, -sc.x, -sc.y, sc.x);
}
"#;

/// `c[p, s, off + j] = a[p, s, j]` for the `n_in` features of `a` (`w_off` = `off`, `n_out`
/// the width of `c`): one operand of a concatenation.
pub(super) const COPY_IN: &str = r#"
@group(0) @binding(1) var<storage, read> a: array<REAL>;
@group(0) @binding(2) var<storage, read_write> c: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_in) { return; }
    let j = idx % dims.n_in;
    let ps = idx / dims.n_in;
    c[ps * dims.n_out + dims.w_off + j] = a[idx];
}
"#;

/// The reverse of [`COPY_IN`]: `δa[p, s, j] += δc[p, s, off + j]`.
pub(super) const COPY_IN_BACK: &str = r#"
@group(0) @binding(1) var<storage, read> dc: array<REAL>;
@group(0) @binding(2) var<storage, read_write> da: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_in) { return; }
    let j = idx % dims.n_in;
    let ps = idx / dims.n_in;
    da[idx] += dc[ps * dims.n_out + dims.w_off + j];
}
"#;

/// The jet kernels' shared start: invocation `idx` owns feature `j` of point `p` (all its
/// slots, from `base`, `w` apart), and the activation numbered `b_off` with its derivatives
/// at the value slot, `y`, `y1`, `y2`, `y3` ([`ACTIVATION`]).
pub(super) const JET_START: &str = r#"
struct Start { base: u32, w: u32, y: REAL, y1: REAL, y2: REAL, y3: REAL }
fn jet_start(idx: u32) -> Start {
    let w = dims.n_out;
    let base = (idx / w) * dims.s * w + idx % w;
    let f = activation(dims.b_off, z[base]);
    return Start(base, w, f.x, f.y, f.z, f.w);
}
"#;

/// The value and first-derivative slots of the input jet: `x`, and `e_k` in slot `1 + k`.
pub(super) const INPUT_JET: &str = r#"
@group(0) @binding(1) var<storage, read> pts: array<REAL>;
@group(0) @binding(2) var<storage, read_write> a: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.d) { return; }
    let j = idx % dims.d;
    let s = (idx / dims.d) % dims.s;
    let p = idx / (dims.d * dims.s);
    var v = REAL(0.0);
    if (s == 0u) {
        v = pts[p * dims.d + j];
    } else if (s <= dims.d && s - 1u == j) {
        v = REAL(1.0);
    }
    a[idx] = v;
}
"#;

/// `z = W a (+ b on the value slot, unless `b_off` is `NONE`)` for every slot; `W[i, j]` at
/// `w_off + i + j·n_out`.
pub(super) const DENSE: &str = r#"
@group(0) @binding(1) var<storage, read> a: array<REAL>;
@group(0) @binding(2) var<storage, read> theta: array<REAL>;
@group(0) @binding(3) var<storage, read_write> z: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_out) { return; }
    let i = idx % dims.n_out;
    let ps = idx / dims.n_out;
    let base = ps * dims.n_in;
    var acc = REAL(0.0);
    for (var j = 0u; j < dims.n_in; j++) {
        acc += theta[dims.w_off + i + j * dims.n_out] * a[base + j];
    }
    if (ps % dims.s == 0u && dims.b_off != NONE) {
        acc += theta[dims.b_off + i];
    }
    z[idx] = acc;
}
"#;

/// An activation's jet rule (the activation numbered `b_off`, `y = f(z)`, `y1 = f'(z)`,
/// `y2 = f''(z)`): first slots `y1 z_k`, second `y1 z_kl + y2 z_k z_l`, Laplacian
/// `y1 Δz + y2 Σ_k z_k²`.
pub(super) const ACT_JET: &str = r#"
@group(0) @binding(1) var<storage, read> z: array<REAL>;
@group(0) @binding(2) var<storage, read> pairs: array<u32>;
@group(0) @binding(3) var<storage, read_write> a: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.n_out) { return; }
    let st = jet_start(idx);
    let base = st.base;
    let w = st.w;
    let y1 = st.y1;
    let y2 = st.y2;
    a[base] = st.y;
    if (dims.extra == 1u) {
        for (var k = 0u; k < dims.d; k++) {
            a[base + (1u + k) * w] = y1 * z[base + (1u + k) * w];
        }
    }
    for (var s = 1u + dims.d; s < dims.s; s++) {
        let k = pairs[2u * (s - 1u - dims.d)];
        let l = pairs[2u * (s - 1u - dims.d) + 1u];
        var second = REAL(0.0);
        if (k == dims.d) {
            for (var q = 0u; q < dims.d; q++) {
                let zq = z[base + (1u + q) * w];
                second += zq * zq;
            }
        } else {
            second = z[base + (1u + k) * w] * z[base + (1u + l) * w];
        }
        a[base + s * w] = y1 * z[base + s * w] + y2 * second;
    }
}
"#;

/// The reverse of [`ACT_JET`]: from `δa` (every slot) and `z`, adds to `δz` (every slot).
pub(super) const ACT_JET_BACK: &str = r#"
@group(0) @binding(1) var<storage, read> z: array<REAL>;
@group(0) @binding(2) var<storage, read> da: array<REAL>;
@group(0) @binding(3) var<storage, read> pairs: array<u32>;
@group(0) @binding(4) var<storage, read_write> dz: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.n_out) { return; }
    let st = jet_start(idx);
    let base = st.base;
    let w = st.w;
    let y1 = st.y1;
    let y2 = st.y2;
    let y3 = st.y3;
    var dy1 = REAL(0.0);
    var dy2 = REAL(0.0);
    if (dims.extra == 1u) {
        for (var k = 0u; k < dims.d; k++) {
            let o = base + (1u + k) * w;
            dz[o] += y1 * da[o];
            dy1 += z[o] * da[o];
        }
    }
    for (var s = 1u + dims.d; s < dims.s; s++) {
        let k = pairs[2u * (s - 1u - dims.d)];
        let l = pairs[2u * (s - 1u - dims.d) + 1u];
        let o = base + s * w;
        let g = da[o];
        dz[o] += y1 * g;
        dy1 += z[o] * g;
        if (k == dims.d) {
            for (var q = 0u; q < dims.d; q++) {
                let oq = base + (1u + q) * w;
                dy2 += z[oq] * z[oq] * g;
                dz[oq] += 2.0 * y2 * z[oq] * g;
            }
        } else {
            let ok = base + (1u + k) * w;
            let ol = base + (1u + l) * w;
            dy2 += z[ok] * z[ol] * g;
            if (k == l) {
                dz[ok] += 2.0 * y2 * z[ok] * g;
            } else {
                dz[ok] += y2 * z[ol] * g;
                dz[ol] += y2 * z[ok] * g;
            }
        }
    }
    dz[base] += y1 * da[base] + y2 * dy1 + y3 * dy2;
}
"#;

/// `δa += Wᵀ δz` for every slot.
pub(super) const DENSE_BACK_INPUT: &str = r#"
@group(0) @binding(1) var<storage, read> dz: array<REAL>;
@group(0) @binding(2) var<storage, read> theta: array<REAL>;
@group(0) @binding(3) var<storage, read_write> da: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_in) { return; }
    let j = idx % dims.n_in;
    let base = (idx / dims.n_in) * dims.n_out;
    var acc = REAL(0.0);
    for (var i = 0u; i < dims.n_out; i++) {
        acc += theta[dims.w_off + i + j * dims.n_out] * dz[base + i];
    }
    da[idx] += acc;
}
"#;

/// The layer's parameter gradient, one invocation per parameter, summing over the points and
/// slots in order: `∂W[i, j] = Σ_{p,s} δz[p,s,i] a[p,s,j]`, `∂b[i] = Σ_p δz[p,0,i]`.
pub(super) const DENSE_BACK_PARAMS: &str = r#"
@group(0) @binding(1) var<storage, read> dz: array<REAL>;
@group(0) @binding(2) var<storage, read> a: array<REAL>;
@group(0) @binding(3) var<storage, read_write> grad: array<REAL>;
fn compute_at(idx: u32) {
    let nw = dims.n_out * dims.n_in;
    if (idx >= nw + select(dims.n_out, 0u, dims.b_off == NONE)) { return; }
    var acc = REAL(0.0);
    if (idx < nw) {
        let i = idx % dims.n_out;
        let j = idx / dims.n_out;
        for (var ps = 0u; ps < dims.n * dims.s; ps++) {
            acc += dz[ps * dims.n_out + i] * a[ps * dims.n_in + j];
        }
        grad[dims.w_off + idx] = acc;
    } else {
        let i = idx - nw;
        for (var p = 0u; p < dims.n; p++) {
            acc += dz[p * dims.s * dims.n_out + i];
        }
        grad[dims.b_off + i] = acc;
    }
}
"#;

/// The asked components from the output jet: `values[(p·C + c)·m + o]`; `slot[c]` is the
/// slot of component `c`, `dims.extra` is `C`.
pub(super) const GATHER: &str = r#"
@group(0) @binding(1) var<storage, read> z: array<REAL>;
@group(0) @binding(2) var<storage, read> slot: array<u32>;
@group(0) @binding(3) var<storage, read_write> values: array<REAL>;
fn compute_at(idx: u32) {
    let m = dims.n_out;
    let c_all = dims.extra;
    if (idx >= dims.n * c_all * m) { return; }
    let o = idx % m;
    let c = (idx / m) % c_all;
    let p = idx / (m * c_all);
    values[idx] = z[(p * dims.s + slot[c]) * m + o];
}
"#;

/// The reverse of [`GATHER`]: the seeds on the output jet's slots (0 where none is asked).
pub(super) const SCATTER: &str = r#"
@group(0) @binding(1) var<storage, read> seeds: array<REAL>;
@group(0) @binding(2) var<storage, read> slot: array<u32>;
@group(0) @binding(3) var<storage, read_write> dz: array<REAL>;
fn compute_at(idx: u32) {
    let m = dims.n_out;
    let c_all = dims.extra;
    if (idx >= dims.n * dims.s * m) { return; }
    let o = idx % m;
    let s = (idx / m) % dims.s;
    let p = idx / (m * dims.s);
    var acc = REAL(0.0);
    for (var c = 0u; c < c_all; c++) {
        if (slot[c] == s) {
            acc += seeds[(p * c_all + c) * m + o];
        }
    }
    dz[idx] = acc;
}
"#;

/// `c = α·a + β·b (+ γ on the value slot)`, `(α, β, γ)` at `coefs[w_off..]`: the sum, the
/// difference and `Scale` (`b` = `a`, `β` = 0).
pub(super) const AFFINE: &str = r#"
@group(0) @binding(1) var<storage, read> a: array<REAL>;
@group(0) @binding(2) var<storage, read> b: array<REAL>;
@group(0) @binding(3) var<storage, read> coefs: array<REAL>;
@group(0) @binding(4) var<storage, read_write> c: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_out) { return; }
    let s = (idx / dims.n_out) % dims.s;
    var v = coefs[dims.w_off] * a[idx] + coefs[dims.w_off + 1u] * b[idx];
    if (s == 0u) {
        v += coefs[dims.w_off + 2u];
    }
    c[idx] = v;
}
"#;

/// `dst += coefs[w_off]·src` on every slot: the reverse of [`AFFINE`] for one operand.
pub(super) const AXPY: &str = r#"
@group(0) @binding(1) var<storage, read> src: array<REAL>;
@group(0) @binding(2) var<storage, read> coefs: array<REAL>;
@group(0) @binding(3) var<storage, read_write> dst: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_out) { return; }
    dst[idx] += coefs[dims.w_off] * src[idx];
}
"#;

/// The product rule on jets, `c = a ⊙ b`: `c₀ = a₀b₀`, `c_k = a₀b_k + a_k b₀`,
/// `c_kl = a₀b_kl + a_k b_l + a_l b_k + a_kl b₀`, `Δc = a₀Δb + 2 Σ_q a_q b_q + Δa b₀`.
pub(super) const MUL_JET: &str = r#"
@group(0) @binding(1) var<storage, read> a: array<REAL>;
@group(0) @binding(2) var<storage, read> b: array<REAL>;
@group(0) @binding(3) var<storage, read> pairs: array<u32>;
@group(0) @binding(4) var<storage, read_write> c: array<REAL>;
fn compute_at(idx: u32) {
    let w = dims.n_out;
    if (idx >= dims.n * w) { return; }
    let base = (idx / w) * dims.s * w + idx % w;
    let a0 = a[base];
    let b0 = b[base];
    c[base] = a0 * b0;
    if (dims.extra == 1u) {
        for (var k = 0u; k < dims.d; k++) {
            let o = base + (1u + k) * w;
            c[o] = a0 * b[o] + a[o] * b0;
        }
    }
    for (var s = 1u + dims.d; s < dims.s; s++) {
        let k = pairs[2u * (s - 1u - dims.d)];
        let l = pairs[2u * (s - 1u - dims.d) + 1u];
        let o = base + s * w;
        var cross = REAL(0.0);
        if (k == dims.d) {
            for (var q = 0u; q < dims.d; q++) {
                let oq = base + (1u + q) * w;
                cross += 2.0 * a[oq] * b[oq];
            }
        } else {
            let ok = base + (1u + k) * w;
            let ol = base + (1u + l) * w;
            cross = a[ok] * b[ol] + a[ol] * b[ok];
        }
        c[o] = a0 * b[o] + cross + a[o] * b0;
    }
}
"#;

/// The reverse of [`MUL_JET`] for one operand: adds to `δa` from the other operand `b` and
/// `δc` (called twice, with the operands swapped, for `δa` and `δb`).
pub(super) const MUL_JET_BACK: &str = r#"
@group(0) @binding(1) var<storage, read> b: array<REAL>;
@group(0) @binding(2) var<storage, read> dc: array<REAL>;
@group(0) @binding(3) var<storage, read> pairs: array<u32>;
@group(0) @binding(4) var<storage, read_write> da: array<REAL>;
fn compute_at(idx: u32) {
    let w = dims.n_out;
    if (idx >= dims.n * w) { return; }
    let base = (idx / w) * dims.s * w + idx % w;
    let b0 = b[base];
    var d0 = b0 * dc[base];
    if (dims.extra == 1u) {
        for (var k = 0u; k < dims.d; k++) {
            let o = base + (1u + k) * w;
            d0 += b[o] * dc[o];
            da[o] += b0 * dc[o];
        }
    }
    for (var s = 1u + dims.d; s < dims.s; s++) {
        let k = pairs[2u * (s - 1u - dims.d)];
        let l = pairs[2u * (s - 1u - dims.d) + 1u];
        let o = base + s * w;
        let g = dc[o];
        d0 += b[o] * g;
        da[o] += b0 * g;
        if (k == dims.d) {
            for (var q = 0u; q < dims.d; q++) {
                let oq = base + (1u + q) * w;
                da[oq] += 2.0 * b[oq] * g;
            }
        } else {
            let ok = base + (1u + k) * w;
            let ol = base + (1u + l) * w;
            da[ok] += b[ol] * g;
            da[ol] += b[ok] * g;
        }
    }
    da[base] += d0;
}
"#;

/// A trainable vector, the same at every point: `θ[w_off + j]` on the value slot, 0 on the
/// others.
pub(super) const PARAM: &str = r#"
@group(0) @binding(1) var<storage, read> theta: array<REAL>;
@group(0) @binding(2) var<storage, read_write> c: array<REAL>;
fn compute_at(idx: u32) {
    if (idx >= dims.n * dims.s * dims.n_out) { return; }
    let s = (idx / dims.n_out) % dims.s;
    c[idx] = select(REAL(0.0), theta[dims.w_off + idx % dims.n_out], s == 0u);
}
"#;

/// The gradient of a [`PARAM`] vector: `∂θ[w_off + j] = Σ_p δc[p, 0, j]`, in point order.
pub(super) const PARAM_GRAD: &str = r#"
@group(0) @binding(1) var<storage, read> dc: array<REAL>;
@group(0) @binding(2) var<storage, read_write> grad: array<REAL>;
fn compute_at(j: u32) {
    if (j >= dims.n_out) { return; }
    var acc = REAL(0.0);
    for (var p = 0u; p < dims.n; p++) {
        acc += dc[p * dims.s * dims.n_out + j];
    }
    grad[dims.w_off + j] = acc;
}
"#;

/// Every kernel's entry point: invocation `idx` of a dispatch of up to 65 535 × `y` groups of
/// 64 calls the kernel's `fn compute_at(idx: u32)`.
const ENTRY: &str = r#"
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    compute_at(gid.x + gid.y * nwg.x * 64u);
}
"#;

/// A complete shader: the uniform, the activations for `real` (`"f32"` or `"f64"`), the
/// kernel (with [`JET_START`] between a jet kernel's bindings, for it reads `z`, and its
/// body) and the entry point; `REAL` replaced.
pub(super) fn source(kernel: &str, real: &str) -> String {
    let (tanh, sincos) = if real == "f64" {
        (TANH_F64, SINCOS_F64)
    } else {
        (TANH_F32, SINCOS_F32)
    };
    let (bindings, body) = kernel.split_at(kernel.find("fn compute_at").unwrap_or(0));
    let start = if body.contains("jet_start") {
        JET_START
    } else {
        ""
    };
    format!("{DIMS}{tanh}{sincos}{ACTIVATION}{bindings}{start}{body}{ENTRY}").replace("REAL", real)
}
