//! The jet engine's dense products: a register-blocked kernel for its thin and small shapes,
//! with the caller's packing buffer (no allocation) and a summation order fixed by the shape.
//!
//! A PINN layer's products are `Z = W·A` (`W` is `w × w_in`, 50–512 wide; `A` is `w_in × C·n`,
//! a 256-point chunk of `C` jet components), `W̄ += Z̄·Aᵀ` and `Ā = Wᵀ·Z̄`. The general GEMM
//! used before (matrixmultiply) allocates its packing buffers on every call (41–259 allocations
//! per training step) and its rounding and summation order depend on the CPU. Here, as in any
//! Goto-style GEMM:
//!
//! - `C ← α·A·B + β·C` is cut into tiles of `MR × NR` elements of `C`, each summed in vector
//!   registers over the inner dimension: `MR` = two vectors of rows, `NR` = 6 columns (twelve
//!   accumulators) on AVX2 and NEON, 8 columns (sixteen of the 32 registers) on AVX-512;
//! - for each block of [`KC`] of the inner dimension, `A`'s rows are copied into panels of `MR`
//!   rows (zero past the last row; a last panel one vector high when the rows left fit in one),
//!   and each `NR` columns of `B` into a `KC × NR` panel, so the tile's loop reads contiguous
//!   memory with no bounds checks. The copies are `m·k + k·n` numbers against `2·m·n·k` flops;
//!   the buffer is the caller's (each jet workspace keeps one, sized with its other buffers
//!   for its widest layer: [`scratch_len`]), so a product allocates nothing.
//!
//! **Summation order.** Every element of `C` is `Σ_l a_il b_lj` summed in the order
//! `l = 0, 1, …` within each block of `KC`; each block's sum is scaled by `α` and added to `C`
//! in order (the first to `β·C`). The order depends on the shape alone: never on the thread
//! count, the vector width or the tile, since every lane of every accumulator is one element's
//! own running sum. Whether `a·b + c` is rounded once (a fused multiply-add) or twice is the
//! [`ProductMode`](super::ProductMode); both are defined to the bit by IEEE 754, so the result
//! is the same on every CPU that runs the same mode.
//!
//! **Vector width.** The kernel is safe Rust over [`pulp`]'s vector types; it runs inside
//! [`pulp::Arch::dispatch`], which compiles it once per instruction set (AVX-512, AVX2 + FMA,
//! scalar on x86-64; NEON on AArch64) and picks the best the CPU has at run time: no
//! `-C target-cpu=native` is needed, and the crate keeps `#![forbid(unsafe_code)]` (the
//! `unsafe` of calling a function compiled for a detected instruction set is pulp's).

use pulp::Simd;

use super::gemm::MatRef;
use crate::ad::scalar::Real;

/// The block of the inner dimension summed in registers before a tile is added to `C`.
pub(crate) const KC: usize = 256;

/// The vector operations the kernel needs, for `f32` and `f64` on any instruction set `S`.
pub(crate) trait Lanes: Real {
    /// A vector of `S`'s width.
    type V<S: Simd>: Copy;
    /// Numbers in one vector.
    fn lanes<S: Simd>() -> usize;
    /// Every lane `x`.
    fn splat<S: Simd>(s: S, x: Self) -> Self::V<S>;
    /// The first `lanes` numbers of `x`, or fewer (the rest zero).
    fn load<S: Simd>(s: S, x: &[Self]) -> Self::V<S>;
    /// Writes the first `x.len()` lanes (at most `lanes`).
    fn store<S: Simd>(s: S, x: &mut [Self], v: Self::V<S>);
    /// `x` as whole vectors (its length a multiple of `lanes`).
    fn vectors<S: Simd>(x: &[Self]) -> &[Self::V<S>];
    /// `a·b + c`, rounded once where `S` has a fused multiply-add.
    fn fused<S: Simd>(s: S, a: Self::V<S>, b: Self::V<S>, c: Self::V<S>) -> Self::V<S>;
    /// `a·b`.
    fn vmul<S: Simd>(s: S, a: Self::V<S>, b: Self::V<S>) -> Self::V<S>;
    /// `a + b`.
    fn vadd<S: Simd>(s: S, a: Self::V<S>, b: Self::V<S>) -> Self::V<S>;
}

macro_rules! lanes {
    ($t:ty, $v:ident, $n:ident, $splat:ident, $load:ident, $store:ident, $vecs:ident, $vecs_mut:ident, $fma:ident, $mul:ident, $add:ident) => {
        impl Lanes for $t {
            type V<S: Simd> = S::$v;
            #[inline(always)]
            fn lanes<S: Simd>() -> usize {
                S::$n
            }
            #[inline(always)]
            fn splat<S: Simd>(s: S, x: Self) -> S::$v {
                s.$splat(x)
            }
            #[inline(always)]
            fn load<S: Simd>(s: S, x: &[Self]) -> S::$v {
                // A whole vector by a plain load; pulp's partial load is a call.
                match S::$vecs(x).0.first() {
                    Some(&v) => v,
                    None => s.$load(x),
                }
            }
            #[inline(always)]
            fn store<S: Simd>(s: S, x: &mut [Self], v: S::$v) {
                if x.len() == S::$n {
                    S::$vecs_mut(x).0[0] = v;
                } else {
                    s.$store(x, v)
                }
            }
            #[inline(always)]
            fn vectors<S: Simd>(x: &[Self]) -> &[S::$v] {
                S::$vecs(x).0
            }
            #[inline(always)]
            fn fused<S: Simd>(s: S, a: S::$v, b: S::$v, c: S::$v) -> S::$v {
                s.$fma(a, b, c)
            }
            #[inline(always)]
            fn vmul<S: Simd>(s: S, a: S::$v, b: S::$v) -> S::$v {
                s.$mul(a, b)
            }
            #[inline(always)]
            fn vadd<S: Simd>(s: S, a: S::$v, b: S::$v) -> S::$v {
                s.$add(a, b)
            }
        }
    };
}
lanes!(
    f32,
    f32s,
    F32_LANES,
    splat_f32s,
    partial_load_f32s,
    partial_store_f32s,
    as_simd_f32s,
    as_mut_simd_f32s,
    mul_add_e_f32s,
    mul_f32s,
    add_f32s
);
lanes!(
    f64,
    f64s,
    F64_LANES,
    splat_f64s,
    partial_load_f64s,
    partial_store_f64s,
    as_simd_f64s,
    as_mut_simd_f64s,
    mul_add_e_f64s,
    mul_f64s,
    add_f64s
);

/// `Σ_l A[:, l] B[l, :]` for one tile of `MV` vectors of rows × `NR` columns, in registers,
/// from packed panels: `ap` holds the tile's column `l` at `ap[l·MR ..]`, `bp` its row `l` at
/// `bp[l·NR ..]`.
#[inline(always)]
fn tile<T: Lanes, S: Simd, const FUSED: bool, const MV: usize, const NR: usize>(
    s: S,
    ap: &[T],
    bp: &[T],
) -> [[T::V<S>; MV]; NR] {
    let mr = MV * T::lanes::<S>();
    let mut acc = [[T::splat(s, T::zero()); MV]; NR];
    for (col, row) in ap.chunks_exact(mr).zip(bp.chunks_exact(NR)) {
        let av: &[T::V<S>; MV] = T::vectors::<S>(col).try_into().unwrap();
        for (accj, &bj) in acc.iter_mut().zip(row) {
            let b = T::splat(s, bj);
            for (x, &a) in accj.iter_mut().zip(av) {
                *x = if FUSED {
                    T::fused(s, a, b, *x)
                } else {
                    T::vadd(s, T::vmul(s, a, b), *x)
                };
            }
        }
    }
    acc
}

/// Adds a finished tile to `C` (column-major, `m` rows) at rows `i0..`, columns `j0..`:
/// `C ← β·C + α·acc` for the first block of the inner dimension (`C` not read when `β = 0`),
/// `C ← C + α·acc` for the others.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn store<T: Lanes, S: Simd, const MV: usize, const NR: usize>(
    s: S,
    acc: &[[T::V<S>; MV]; NR],
    cols: usize,
    c: &mut [T],
    m: usize,
    (i0, j0): (usize, usize),
    alpha: T,
    beta: T,
    first: bool,
) {
    let lanes = T::lanes::<S>();
    let (va, vb) = (T::splat(s, alpha), T::splat(s, beta));
    for (jj, accj) in acc.iter().enumerate().take(cols) {
        let col = &mut c[(j0 + jj) * m..(j0 + jj + 1) * m];
        for (v, &x) in accj.iter().enumerate() {
            let i = i0 + v * lanes;
            if i >= m {
                break;
            }
            let dst = &mut col[i..m.min(i + lanes)];
            let x = T::vmul(s, va, x);
            let y = if !first {
                T::vadd(s, T::load(s, dst), x)
            } else if beta == T::zero() {
                x
            } else {
                T::vadd(s, T::vmul(s, vb, T::load(s, dst)), x)
            };
            T::store(s, dst, y);
        }
    }
}

/// Copies rows `i0 .. i0 + mr` (zero past `A`'s last row), columns `l0 .. l0 + kc` of `A` into
/// `out`, column after column.
#[inline(always)]
fn pack_a<T: Real>(
    a: MatRef<'_, T>,
    (i0, mr): (usize, usize),
    (l0, kc): (usize, usize),
    out: &mut [T],
) {
    let rows = mr.min(a.rows - i0);
    for (l, col) in out[..kc * mr].chunks_exact_mut(mr).enumerate() {
        let o = i0 * a.rs + (l0 + l) * a.cs;
        if a.rs == 1 {
            col[..rows].copy_from_slice(&a.data[o..o + rows]);
        } else {
            for (i, x) in col[..rows].iter_mut().enumerate() {
                *x = a.data[o + i * a.rs];
            }
        }
        col[rows..].fill(T::zero());
    }
}

/// Copies columns `j0 .. j0 + nr` (zero past `B`'s last column), rows `l0 .. l0 + kc` of `B`
/// into `out`, row after row.
#[inline(always)]
fn pack_b<T: Real>(
    b: MatRef<'_, T>,
    (j0, nr): (usize, usize),
    (l0, kc): (usize, usize),
    out: &mut [T],
) {
    let cols = nr.min(b.cols - j0);
    if b.rs == 1 {
        // Columns of B are contiguous: read each once, scatter into the rows.
        for jj in 0..nr {
            if jj < cols {
                let o = (j0 + jj) * b.cs + l0;
                for (row, &x) in out[..kc * nr].chunks_exact_mut(nr).zip(&b.data[o..o + kc]) {
                    row[jj] = x;
                }
            } else {
                out[..kc * nr]
                    .chunks_exact_mut(nr)
                    .for_each(|row| row[jj] = T::zero());
            }
        }
    } else if b.cs == 1 && cols == nr {
        // Rows of B are contiguous: copy `nr` numbers of each.
        for (l, row) in out[..kc * nr].chunks_exact_mut(nr).enumerate() {
            let o = (l0 + l) * b.rs + j0;
            row.copy_from_slice(&b.data[o..o + nr]);
        }
    } else {
        for (l, row) in out[..kc * nr].chunks_exact_mut(nr).enumerate() {
            let o = (l0 + l) * b.rs + j0 * b.cs;
            for (jj, x) in row.iter_mut().enumerate() {
                *x = if jj < cols {
                    b.data[o + jj * b.cs]
                } else {
                    T::zero()
                };
            }
        }
    }
}

/// The whole product on instruction set `S`: for each block of `KC` of the inner dimension,
/// `A`'s rows packed into `MR`-row panels, then for each `NR` columns of `B` (packed), every
/// row tile.
#[inline(always)]
fn run<T: Lanes, S: Simd, const FUSED: bool, const MV: usize, const NR: usize>(
    s: S,
    alpha: T,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    beta: T,
    c: &mut [T],
    scratch: &mut Vec<T>,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let lanes = T::lanes::<S>();
    let mr = MV * lanes;
    // Row tiles of `MR` rows; the last one a single vector high when the rows left fit in one
    // (a width of 50 wastes 6 rows in 56 rather than 14 in 64).
    let full = m / mr;
    let tail = match m - full * mr {
        0 => 0,
        r if r <= lanes => lanes,
        _ => mr,
    };
    let kcmax = KC.min(k);
    let arows = full * mr + tail;
    let need = arows * kcmax + kcmax * NR;
    if scratch.len() < need {
        scratch.resize(need, T::zero());
    }
    let (apack, bpack) = scratch.split_at_mut(arows * kcmax);
    let (afull, atail) = apack.split_at_mut(full * mr * kcmax);
    let mut l0 = 0;
    while l0 < k {
        let kc = KC.min(k - l0);
        let first = l0 == 0;
        for (t, panel) in afull.chunks_exact_mut(mr * kcmax).enumerate() {
            pack_a(a, (t * mr, mr), (l0, kc), panel);
        }
        if tail > 0 {
            pack_a(a, (full * mr, tail), (l0, kc), atail);
        }
        for j0 in (0..n).step_by(NR) {
            pack_b(b, (j0, NR), (l0, kc), bpack);
            let bp = &bpack[..kc * NR];
            let cols = NR.min(n - j0);
            for (t, panel) in afull.chunks_exact(mr * kcmax).enumerate() {
                let acc = tile::<T, S, FUSED, MV, NR>(s, &panel[..kc * mr], bp);
                store(s, &acc, cols, c, m, (t * mr, j0), alpha, beta, first);
            }
            if tail == lanes {
                let acc = tile::<T, S, FUSED, 1, NR>(s, &atail[..kc * tail], bp);
                store(s, &acc, cols, c, m, (full * mr, j0), alpha, beta, first);
            } else if tail > 0 {
                let acc = tile::<T, S, FUSED, MV, NR>(s, &atail[..kc * tail], bp);
                store(s, &acc, cols, c, m, (full * mr, j0), alpha, beta, first);
            }
        }
        l0 += kc;
    }
}

/// One call of [`run`], as the operation [`pulp::Arch::dispatch`] compiles once per
/// instruction set. Everything it calls is `#[inline(always)]`, so all of it is compiled with
/// that instruction set's features.
struct Product<'a, 's, T, const FUSED: bool> {
    alpha: T,
    a: MatRef<'a, T>,
    b: MatRef<'a, T>,
    beta: T,
    c: &'a mut [T],
    scratch: &'s mut Vec<T>,
}

impl<T: Lanes, const FUSED: bool> pulp::WithSimd for Product<'_, '_, T, FUSED> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, s: S) {
        let (alpha, a, b, beta, c, scratch) =
            (self.alpha, self.a, self.b, self.beta, self.c, self.scratch);
        if T::lanes::<S>() * core::mem::size_of::<T>() >= 64 {
            // 512-bit vectors: 32 registers, sixteen accumulators.
            run::<T, S, FUSED, 2, 8>(s, alpha, a, b, beta, c, scratch)
        } else {
            run::<T, S, FUSED, 2, 6>(s, alpha, a, b, beta, c, scratch)
        }
    }
}

/// Whether the instruction set `arch` has a fused multiply-add: AVX2 + FMA or AVX-512 (pulp's
/// `V3`, `V4`) on x86-64, NEON on AArch64.
fn has_fma(arch: pulp::Arch) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !matches!(arch, pulp::Arch::Scalar)
    }
    #[cfg(target_arch = "aarch64")]
    {
        matches!(arch, pulp::Arch::Neon(_))
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = arch;
        false
    }
}

/// The largest tile height of any instruction set (two 512-bit vectors of `f32`).
const MR_MAX: usize = 32;
/// The widest tile.
const NR_MAX: usize = 8;

/// A packing buffer long enough for every product whose `A` has at most `rows` rows.
pub(crate) fn scratch_len(rows: usize) -> usize {
    (rows + MR_MAX) * KC + KC * NR_MAX
}

/// `C ← α·A·B + β·C` with `C` column-major `A.rows × B.cols`, by the tiled kernel (`A` any
/// strides; `B` with a unit row or column stride). With `β = 0`, `C` is not read. `fast`:
/// round `a·b + c` once where the instruction set the kernel runs on has an FMA
/// ([`ProductMode::Fast`](super::ProductMode::Fast)), else always twice. `scratch`: the packing
/// buffer, grown if shorter than [`scratch_len`]`(A.rows)`.
pub(crate) fn gemm<T: Lanes>(
    alpha: T,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    beta: T,
    c: &mut [T],
    fast: bool,
    scratch: &mut Vec<T>,
) {
    debug_assert!(b.rs == 1 || b.cs == 1);
    debug_assert_eq!(a.cols, b.rows);
    let arch = super::simd::arch();
    if fast && has_fma(arch) {
        arch.dispatch(Product::<T, true> {
            alpha,
            a,
            b,
            beta,
            c,
            scratch,
        })
    } else {
        arch.dispatch(Product::<T, false> {
            alpha,
            a,
            b,
            beta,
            c,
            scratch,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented order, one element at a time in scalar arithmetic.
    fn reference<T: Real>(
        alpha: T,
        a: MatRef<'_, T>,
        b: MatRef<'_, T>,
        beta: T,
        c: &mut [T],
        fused: bool,
    ) {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        for j in 0..n {
            for i in 0..m {
                let cij = &mut c[j * m + i];
                for l0 in (0..k).step_by(KC) {
                    let mut acc = T::zero();
                    for l in l0..k.min(l0 + KC) {
                        let (x, y) = (a.data[i * a.rs + l * a.cs], b.data[l * b.rs + j * b.cs]);
                        acc = if fused {
                            x.mul_add(y, acc)
                        } else {
                            x * y + acc
                        };
                    }
                    *cij = if l0 > 0 {
                        *cij + alpha * acc
                    } else if beta == T::zero() {
                        alpha * acc
                    } else {
                        beta * *cij + alpha * acc
                    };
                }
            }
        }
    }

    /// Numbers with full mantissas (so a fused and a separate `a·b + c` differ).
    fn numbers<T: Real>(n: usize, seed: u64) -> Vec<T> {
        let mut rng = crate::rng::Seed(seed).rng();
        (0..n)
            .map(|_| T::from_f64(crate::rng::uniform(&mut rng) * 2.0 - 1.0))
            .collect()
    }

    /// Every instruction set this CPU has, as `(name, runner)`.
    fn each_arch<T: Lanes>(
        mut f: impl FnMut(&str, &dyn Fn(Product<'_, '_, T, true>), &dyn Fn(Product<'_, '_, T, false>)),
    ) {
        for (name, arch) in crate::ad::jet::simd::every_arch() {
            f(name, &|p| arch.dispatch(p), &|p| arch.dispatch(p));
        }
    }

    /// Shapes around the tile sizes (rows past a whole tile, a one-vector tail, columns past
    /// `NR`, the inner dimension past `KC`), with `A` column- or row-major and `B`'s columns or
    /// rows contiguous, `β` zero or not.
    fn check<T: Lanes>() {
        let shapes = [
            (1, 1, 1),
            (7, 9, 6),
            (8, 3, 8),
            (16, 16, 16),
            (50, 50, 37),
            (64, 300, 13),
            (33, 6, 100),
            (17, 513, 70),
            (130, 20, 9),
        ];
        let mut checked = 0;
        for (s, &(m, k, n)) in shapes.iter().enumerate() {
            let ad = numbers::<T>(m * k, 10 + s as u64);
            let bd = numbers::<T>(k * n, 20 + s as u64);
            let c0 = numbers::<T>(m * n, 30 + s as u64);
            for (a_rows, b_rows, beta) in
                [(false, false, 0.0), (true, true, 0.5), (false, true, 1.0)]
            {
                let a = if a_rows {
                    MatRef::strided(&ad, (m, k), (k, 1))
                } else {
                    MatRef::col_major(&ad, m, k)
                };
                let b = if b_rows {
                    MatRef::strided(&bd, (k, n), (n, 1))
                } else {
                    MatRef::col_major(&bd, k, n)
                };
                let (alpha, beta) = (T::from_f64(1.5), T::from_f64(beta));
                let mut want = [c0.clone(), c0.clone()];
                reference(alpha, a, b, beta, &mut want[0], false);
                reference(alpha, a, b, beta, &mut want[1], true);
                each_arch::<T>(|arch, fused, separate| {
                    let mut scratch = Vec::new();
                    let same = |got: &[T], want: &[T]| {
                        got.iter()
                            .zip(want)
                            .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits())
                    };
                    let what = format!(
                        "{} {arch} {m}×{k}×{n} a_rows {a_rows} b_rows {b_rows}",
                        T::NAME
                    );
                    let mut got = c0.clone();
                    let c = &mut got;
                    separate(Product {
                        alpha,
                        a,
                        b,
                        beta,
                        c,
                        scratch: &mut scratch,
                    });
                    assert!(
                        same(&got, &want[0]),
                        "{what} separate: not the reference's bits"
                    );
                    // The scalar set has no fused multiply-add (its `fused` rounds twice), and
                    // the kernel never asks it for one.
                    if arch != "scalar" {
                        let mut got = c0.clone();
                        let c = &mut got;
                        fused(Product {
                            alpha,
                            a,
                            b,
                            beta,
                            c,
                            scratch: &mut scratch,
                        });
                        assert!(
                            same(&got, &want[1]),
                            "{what} fused: not the reference's bits"
                        );
                    }
                    checked += 1;
                });
            }
        }
        // Every shape and layout ran on at least the scalar instruction set.
        assert!(checked >= shapes.len() * 3);
    }

    #[test]
    fn every_instruction_set_gives_the_reference_bits_f64() {
        check::<f64>();
    }

    #[test]
    fn every_instruction_set_gives_the_reference_bits_f32() {
        check::<f32>();
    }

    #[test]
    fn fused_and_separate_rounding_differ() {
        // A check of the test data: with full-mantissa numbers the two roundings disagree
        // somewhere, so the bitwise comparisons distinguish the modes.
        let (m, k, n) = (50, 50, 37);
        let ad = numbers::<f64>(m * k, 1);
        let bd = numbers::<f64>(k * n, 2);
        let (a, b) = (MatRef::col_major(&ad, m, k), MatRef::col_major(&bd, k, n));
        let mut x = vec![0.0; m * n];
        let mut y = vec![0.0; m * n];
        reference(1.0, a, b, 0.0, &mut x, false);
        reference(1.0, a, b, 0.0, &mut y, true);
        assert!(x.iter().zip(&y).any(|(p, q)| p != q));
    }

    #[test]
    fn the_front_door_matches_a_plain_triple_loop() {
        // Through `gemm` (dispatch, one scratch reused across different shapes, never grown
        // past `scratch_len`).
        let mut scratch = vec![0.0; scratch_len(64)];
        for &(m, k, n) in &[(64, 64, 1280), (50, 1024, 50), (9, 7, 11), (64, 64, 1280)] {
            let ad = numbers::<f64>(m * k, 3);
            let bd = numbers::<f64>(k * n, 4);
            let (a, b) = (MatRef::col_major(&ad, m, k), MatRef::col_major(&bd, k, n));
            let mut c = vec![0.0; m * n];
            gemm(1.0, a, b, 0.0, &mut c, true, &mut scratch);
            for j in 0..n {
                for i in 0..m {
                    let s: f64 = (0..k).map(|l| ad[i + l * m] * bd[l + j * k]).sum();
                    assert!(
                        (c[i + j * m] - s).abs() <= 1e-13 * (1.0 + s.abs()),
                        "{m}×{k}×{n} ({i},{j})"
                    );
                }
            }
        }
    }
}
