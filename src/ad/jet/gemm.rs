//! Dense matrix products for the jet engine, through nalgebra (matrixmultiply's kernels).
//!
//! nalgebra routes `gemm` to matrixmultiply only when every dimension exceeds 5; below that it
//! takes a per-column gemv path that mishandles strided (transposed) views. Products with a
//! small dimension (a 2-input first layer, a 1-output last layer) are cheap, and go through a
//! plain loop here instead.

use crate::ad::scalar::Real;

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
pub(crate) fn gemm<T: Real>(alpha: T, a: MatRef<'_, T>, b: MatRef<'_, T>, beta: T, c: &mut [T]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    debug_assert_eq!(k, b.rows);
    let c = &mut c[..m * n];
    if m == 0 || n == 0 {
        return;
    }
    if m > SMALL && k > SMALL && n > SMALL {
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

/// The plain-loop product for shapes with a dimension ≤ 5, in the loop order that keeps the
/// innermost loop on contiguous memory for the shapes the jet engine produces.
fn small_gemm<T: Real>(alpha: T, a: MatRef<'_, T>, b: MatRef<'_, T>, beta: T, c: &mut [T]) {
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

/// `Σ x_i y_i` with eight independent partial sums (so the loop vectorises), added in a fixed
/// order.
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
