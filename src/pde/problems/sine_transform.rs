//! The discrete sine transform (type I) on a square grid, by the fast Fourier transform: the
//! transform that diagonalises the 5-point Laplacian with zero Dirichlet values, for the
//! lid-driven cavity's finite-difference solver ([`super::CavitySolution`]).
//!
//! For `x_1 … x_{n−1}` (`n` a power of two),
//!
//! ```text
//! S_k = Σ_{j=1}^{n−1} x_j sin(πjk/n),   k = 1 … n−1,      x_j = (2/n) Σ_k S_k sin(πjk/n).
//! ```
//!
//! The odd extension `y = (0, x_1, …, x_{n−1}, 0, −x_{n−1}, …, −x_1)` of length `2n` has the
//! Fourier transform `Y_k = −2i S_k`, so one complex FFT of length `2n` gives `S`. Two real
//! sequences `a` and `b` share one FFT: the transform of `a + ib` is `−2i S^a + 2 S^b`, whose
//! real part is `2S^b` and imaginary part `−2S^a`.

use nalgebra::Complex;

use super::fft::Fft;
use crate::error::Result;

/// A plan for 2-D sine transforms of `(n − 1) × (n − 1)` arrays (row-major).
#[derive(Clone, Debug)]
pub(crate) struct SineTransform2 {
    n: usize,
    fft: Fft,
    buf: Vec<Complex<f64>>,
    /// The transposed array between the two passes.
    tmp: Vec<f64>,
}

impl SineTransform2 {
    /// The plan for `n` intervals per axis (`n` a power of two, `n ≥ 2`).
    pub(crate) fn new(n: usize) -> Result<Self> {
        if n < 2 {
            return Err(crate::error::Error::InvalidConfig {
                field: "sine_transform.n",
                reason: format!("needs at least 2 intervals, found {n}"),
            });
        }
        let fft = Fft::new(2 * n)?;
        Ok(SineTransform2 {
            n,
            fft,
            buf: vec![Complex::new(0.0, 0.0); 2 * n],
            tmp: vec![0.0; (n - 1) * (n - 1)],
        })
    }

    /// The unnormalised 2-D transform `Σ_{j,l} a_{jl} sin(πjk/n) sin(πlm/n)` in place: apply
    /// it twice and divide by `(n/2)²` to come back.
    pub(crate) fn apply(&mut self, a: &mut [f64]) -> Result<()> {
        let m = self.n - 1;
        crate::error::check_len("sine transform data", m * m, a.len())?;
        self.rows(a)?;
        transpose(a, &mut self.tmp, m);
        self.rows_tmp()?;
        transpose(&self.tmp, a, m);
        Ok(())
    }

    fn rows_tmp(&mut self) -> Result<()> {
        let mut t = core::mem::take(&mut self.tmp);
        let r = self.rows(&mut t);
        self.tmp = t;
        r
    }

    /// The 1-D transform of every row of `a` (`(n − 1)` rows of `n − 1`), two rows per FFT.
    fn rows(&mut self, a: &mut [f64]) -> Result<()> {
        let (n, m) = (self.n, self.n - 1);
        let mut r = 0;
        while r < m {
            let two = r + 1 < m;
            let zero = Complex::new(0.0, 0.0);
            self.buf.fill(zero);
            for j in 1..n {
                let re = a[r * m + j - 1];
                let im = if two { a[(r + 1) * m + j - 1] } else { 0.0 };
                self.buf[j] = Complex::new(re, im);
                self.buf[2 * n - j] = Complex::new(-re, -im);
            }
            self.fft.forward(&mut self.buf)?;
            for k in 1..n {
                let y = self.buf[k];
                a[r * m + k - 1] = -0.5 * y.im;
                if two {
                    a[(r + 1) * m + k - 1] = 0.5 * y.re;
                }
            }
            r += 2;
        }
        Ok(())
    }
}

/// `out = aᵀ` for an `m × m` array.
fn transpose(a: &[f64], out: &mut [f64], m: usize) {
    for i in 0..m {
        for j in 0..m {
            out[j * m + i] = a[i * m + j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Seed, uniform};

    /// Against the double sum, and twice the transform is `(n/2)²` times the identity.
    #[test]
    fn matches_the_direct_sum_and_inverts() {
        for n in [2, 4, 8, 16] {
            let m = n - 1;
            let mut rng = Seed(n as u64).rng();
            let a: Vec<f64> = (0..m * m).map(|_| uniform(&mut rng) - 0.5).collect();
            let mut fast = a.clone();
            let mut plan = SineTransform2::new(n).unwrap();
            plan.apply(&mut fast).unwrap();
            let pi = core::f64::consts::PI;
            for k in 1..n {
                for l in 1..n {
                    let mut s = 0.0;
                    for j in 1..n {
                        for q in 1..n {
                            s += a[(j - 1) * m + q - 1]
                                * (pi * (j * k % (2 * n)) as f64 / n as f64).sin()
                                * (pi * (q * l % (2 * n)) as f64 / n as f64).sin();
                        }
                    }
                    let got = fast[(k - 1) * m + l - 1];
                    assert!((got - s).abs() < 1e-13, "n {n} ({k}, {l}): {got} vs {s}");
                }
            }
            plan.apply(&mut fast).unwrap();
            let scale = (n as f64 / 2.0).powi(2);
            for (x, y) in fast.iter().zip(&a) {
                assert!((x / scale - y).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let mut plan = SineTransform2::new(8).unwrap();
        assert!(plan.apply(&mut [0.0; 48]).is_err());
        assert!(SineTransform2::new(6).is_err());
        assert!(SineTransform2::new(1).is_err());
    }
}
