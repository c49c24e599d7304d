//! Dense matrix products for the jet engine, and how they round ([`ProductMode`]).
//!
//! Products whose three dimensions exceed 5 go through the tiled kernel of
//! [`thin`](super::thin). Products with a small dimension (a 2-input first layer, a 1-output
//! last layer) are cheap, and go through a plain loop here.

use core::sync::atomic::{AtomicU8, Ordering};

use super::simd::per_instruction_set;
use crate::ad::scalar::Real;

/// How the jet engine's dense products round `a·b + c`. A process-wide setting
/// ([`set_product_mode`]); both modes sum every element of a product in the same order, which
/// depends on the shape alone.
///
/// ```
/// use pinn::ad::jet::{product_mode, set_product_mode, ProductMode};
/// set_product_mode(ProductMode::Portable); // the same bits on any CPU
/// assert_eq!(product_mode(), ProductMode::Portable);
/// set_product_mode(ProductMode::Fast);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProductMode {
    /// One rounding (a fused multiply-add) where the CPU has one: AVX2 + FMA on x86-64 (every
    /// Intel Core since Haswell, 2013, and every AMD Zen), NEON on AArch64; two roundings
    /// elsewhere. Runs on two CPUs that both have FMA give the same bits.
    #[default]
    Fast,
    /// Always two roundings, `(a·b) + c`: the same bits on any CPU, FMA or not, x86-64 or
    /// AArch64.
    Portable,
    /// matrixmultiply's general GEMM (through nalgebra), the kernels before the tiled one: its
    /// summation order and rounding depend on the CPU's features. Kept to compare against.
    #[doc(hidden)]
    MatrixMultiply,
}

static MODE: AtomicU8 = AtomicU8::new(0);

/// Sets the [`ProductMode`] of every product the jet engine computes from now on, on every
/// thread. Set it before training: a run that changes it midway is not reproducible.
pub fn set_product_mode(mode: ProductMode) {
    let v = match mode {
        ProductMode::Fast => 0,
        ProductMode::Portable => 1,
        ProductMode::MatrixMultiply => 2,
    };
    MODE.store(v, Ordering::Relaxed);
}

/// The current [`ProductMode`].
pub fn product_mode() -> ProductMode {
    match MODE.load(Ordering::Relaxed) {
        0 => ProductMode::Fast,
        1 => ProductMode::Portable,
        _ => ProductMode::MatrixMultiply,
    }
}

/// A read-only strided matrix: element `(i, j)` is `data[i·rs + j·cs]`.
#[derive(Clone, Copy)]
pub(crate) struct MatRef<'a, T> {
    pub data: &'a [T],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a, T: Copy> MatRef<'a, T> {
    /// A column-major `rows × cols` matrix.
    pub fn col_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        MatRef {
            data: &data[..rows * cols],
            rows,
            cols,
            rs: 1,
            cs: rows,
        }
    }
    /// A `rows × cols` matrix with element `(i, j)` at `data[i·rs + j·cs]`.
    pub fn strided(data: &'a [T], (rows, cols): (usize, usize), (rs, cs): (usize, usize)) -> Self {
        MatRef {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }
    /// The transpose (no copy).
    pub fn t(self) -> Self {
        MatRef {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
        }
    }
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        self.data[i * self.rs + j * self.cs]
    }
}

/// Below this size in any dimension, products use the plain loop.
const SMALL: usize = 5;

/// `C ← α·A·B + β·C` with `C` column-major `A.rows × B.cols`. With `β = 0`, `C` is not read.
/// `scratch`: the tiled kernel's packing buffer (grown if shorter than it needs).
pub(crate) fn gemm<T: Real>(
    alpha: T,
    a: MatRef<'_, T>,
    b: MatRef<'_, T>,
    beta: T,
    c: &mut [T],
    scratch: &mut Vec<T>,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    debug_assert_eq!(k, b.rows);
    let c = &mut c[..m * n];
    if m == 0 || n == 0 {
        return;
    }
    if m > SMALL && k > SMALL && n > SMALL {
        let mode = product_mode();
        if mode != ProductMode::MatrixMultiply && (b.rs == 1 || b.cs == 1) {
            T::tiled_gemm(
                alpha,
                a.data,
                (m, k, a.rs, a.cs),
                b.data,
                (n, b.rs, b.cs),
                beta,
                c,
                mode == ProductMode::Fast,
                scratch,
            );
            return;
        }
        T::gemm_strided(
            alpha,
            a.data,
            (m, k, a.rs, a.cs),
            b.data,
            (n, b.rs, b.cs),
            beta,
            c,
        );
        return;
    }
    small_gemm(alpha, a, b, beta, c);
}

per_instruction_set! {
/// The plain-loop product for shapes with a dimension ≤ 5, in the loop order that keeps the
/// innermost loop on contiguous memory for the shapes the jet engine produces.
fn small_gemm<'a, T: Real>(alpha: T, a: MatRef<'a, T>, b: MatRef<'a, T>, beta: T, c: &'a mut [T]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let zero = T::zero();
    if beta == zero {
        c.fill(zero);
    } else {
        c.iter_mut().for_each(|x| *x *= beta);
    }
    if m == 1 && b.cs == 1 {
        // A row vector times B with contiguous rows: c += α Σ_l a(0,l)·B[l, :].
        for l in 0..k {
            let s = alpha * a.at(0, l);
            let row = &b.data[l * b.rs..l * b.rs + n];
            for (cj, &bj) in c.iter_mut().zip(row) {
                *cj += s * bj;
            }
        }
    } else if m == 1 && a.cs == 1 && b.rs == 1 {
        // Dot products of a contiguous row with contiguous columns.
        let arow = &a.data[..k];
        for (j, cj) in c.iter_mut().enumerate() {
            *cj += alpha * dot(arow, &b.data[j * b.cs..j * b.cs + k]);
        }
    } else {
        // Column updates: C[:, j] += α b(l, j)·A[:, l].
        for j in 0..n {
            let col = &mut c[j * m..(j + 1) * m];
            for l in 0..k {
                let blj = alpha * b.at(l, j);
                if a.rs == 1 {
                    let acol = &a.data[l * a.cs..l * a.cs + m];
                    for (ci, &ai) in col.iter_mut().zip(acol) {
                        *ci += ai * blj;
                    }
                } else {
                    for (i, ci) in col.iter_mut().enumerate() {
                        *ci += a.at(i, l) * blj;
                    }
                }
            }
        }
    }
}
}

/// `Σ x_i y_i` with eight independent partial sums (so the loop vectorises), added in a fixed
/// order.
#[inline(always)]
fn dot<T: Real>(x: &[T], y: &[T]) -> T {
    let mut acc = [T::zero(); 8];
    let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for t in 0..8 {
            acc[t] += a[t] * b[t];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (&a, &b) in xr.iter().zip(yr) {
        s += a * b;
    }
    s
}

/// `C ← α·A·B + β·C` exactly as the jet engine computes it in the current [`ProductMode`]:
/// `A` is `m × k` with element `(i, l)` at `a[i·rs + l·cs]`, `B` likewise `k × n`, `C`
/// column-major `m × n`; `scratch` the packing buffer (kept between calls to allocate
/// nothing). For benchmarks (`benches/products.rs`) and tests.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn product<T: Real>(
    alpha: T,
    a: &[T],
    (m, k, ars, acs): (usize, usize, usize, usize),
    b: &[T],
    (n, brs, bcs): (usize, usize, usize),
    beta: T,
    c: &mut [T],
    scratch: &mut Vec<T>,
) {
    let a = MatRef::strided(a, (m, k), (ars, acs));
    let b = MatRef::strided(b, (k, n), (brs, bcs));
    gemm(alpha, a, b, beta, c, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::jet::simd::{every_arch, with_arch};

    /// The plain-loop products (a dimension ≤ 5) give the same bits on every instruction set,
    /// through each of their three loops: a row vector times rows, dot products with columns,
    /// column updates (A column- and row-major), with `β` zero and not.
    #[test]
    fn small_products_give_the_same_bits_on_every_instruction_set() {
        let mut rng = crate::rng::Seed(11).rng();
        let mut numbers = |n: usize| -> Vec<f64> {
            (0..n)
                .map(|_| crate::rng::uniform(&mut rng) - 0.5)
                .collect()
        };
        // (m, k, n, A's strides, B's strides)
        let shapes = [
            (1, 37, 29, (37, 1), (29, 1)),
            (1, 37, 29, (37, 1), (1, 37)),
            (64, 2, 300, (1, 64), (1, 2)),
            (64, 3, 300, (3, 1), (1, 3)),
            (5, 64, 77, (1, 5), (1, 64)),
        ];
        for (m, k, n, (ars, acs), (brs, bcs)) in shapes {
            let (a, b, c0) = (numbers(m * k), numbers(k * n), numbers(m * n));
            for beta in [0.0, 0.7] {
                let run = || {
                    let mut c = c0.clone();
                    let mut scratch = Vec::new();
                    product(
                        1.3,
                        &a,
                        (m, k, ars, acs),
                        &b,
                        (n, brs, bcs),
                        beta,
                        &mut c,
                        &mut scratch,
                    );
                    c
                };
                let want = with_arch(pulp::Arch::Scalar, run);
                for (name, arch) in every_arch() {
                    let got = with_arch(arch, run);
                    let same = want
                        .iter()
                        .zip(&got)
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(
                        same,
                        "{m}×{k}×{n} β = {beta} on {name}: not the baseline's bits"
                    );
                }
            }
        }
    }
}
