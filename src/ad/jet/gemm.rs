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
    let zero = T::zero();
    for j in 0..n {
        let col = &mut c[j * m..(j + 1) * m];
        if beta == zero {
            col.fill(zero);
        } else {
            col.iter_mut().for_each(|x| *x *= beta);
        }
        for l in 0..k {
            let blj = alpha * b.at(l, j);
            for (i, ci) in col.iter_mut().enumerate() {
                *ci += a.at(i, l) * blj;
            }
        }
    }
}
