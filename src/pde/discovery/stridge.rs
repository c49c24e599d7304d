//! Sequential thresholded ridge regression (STRidge), as PDE-FIND codes it.

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};
use crate::rng::{Seed, uniform};

/// Sequential thresholded ridge regression: `ξ = argmin ‖Θξ − y‖² + λ‖ξ‖²` on the columns
/// still in play, then every coefficient below `tolerance` set to zero and the regression
/// repeated on the survivors, until the support stops changing (at most `iterations` times);
/// a final least-squares fit without the ridge term on the support. With `normalize`, the
/// columns are scaled to unit 2-norm first and the threshold applies to the scaled
/// coefficients (PDE-FIND's `normalize = 2`); the result is in the original scale.
///
/// ```
/// use nalgebra::DMatrix;
/// use pinn::pde::discovery::StRidge;
/// // y = 2·x₀ − 0.5·x₂, x₁ a distractor.
/// let theta = DMatrix::from_fn(50, 3, |i, j| ((i * 7 + j * 13) % 17) as f64 - 8.0 + j as f64 * 0.3);
/// let y: Vec<f64> = (0..50).map(|i| 2.0 * theta[(i, 0)] - 0.5 * theta[(i, 2)]).collect();
/// let xi = StRidge::default().fit(&theta, &y)?;
/// assert!((xi[0] - 2.0).abs() < 1e-12 && xi[1] == 0.0 && (xi[2] + 0.5).abs() < 1e-12);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StRidge {
    /// The ridge weight `λ ≥ 0` (PDE-FIND's default 1e-5).
    pub lambda: f64,
    /// The threshold on the (scaled) coefficients.
    pub tolerance: f64,
    /// At most this many threshold-and-refit rounds (PDE-FIND: 10).
    pub iterations: usize,
    /// Scale the columns to unit 2-norm before regressing.
    pub normalize: bool,
}

impl Default for StRidge {
    fn default() -> Self {
        StRidge {
            lambda: 1e-5,
            tolerance: 0.1,
            iterations: 10,
            normalize: true,
        }
    }
}

/// `‖a‖₂`.
fn norm(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Least squares `argmin ‖X w − y‖` (SVD, relative cut 1e-13), or the ridge solution
/// `(XᵀX + λI)⁻¹ Xᵀy` (Cholesky) for `λ > 0`.
fn solve(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> Result<DVector<f64>> {
    let fail = |what: &str| Error::InvalidConfig {
        field: "discovery.regression",
        reason: format!("{what} failed (rank-deficient or non-finite library)"),
    };
    if lambda > 0.0 {
        let mut a = x.transpose() * x;
        for i in 0..a.nrows() {
            a[(i, i)] += lambda;
        }
        let b = x.transpose() * y;
        a.cholesky()
            .map(|c| c.solve(&b))
            .ok_or_else(|| fail("ridge (Cholesky)"))
    } else {
        let svd = x.clone().svd(true, true);
        let cut = 1e-13 * svd.singular_values.max();
        svd.solve(y, cut).map_err(|_| fail("least squares (SVD)"))
    }
}

/// How [`StRidge::train`] searches for the threshold (PDE-FIND's `TrainSTRidge`): the rows
/// are split at random (from `seed`) into a training share `train` and a test set; starting
/// from `tolerance = step`, each STRidge fit on the training rows is scored by
/// `‖y − Θξ‖₂ + l0 · nnz(ξ)` on the test rows (`l0` defaults to `10⁻³ · cond(Θ)`); a better
/// score raises the tolerance by `step`, a worse one backs off and refines the step, for
/// `searches` rounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToleranceSearch {
    /// The share of rows to fit on (PDE-FIND: 0.8).
    pub train: f64,
    /// The first tolerance and the first step.
    pub step: f64,
    /// Rounds of the search (PDE-FIND: 25).
    pub searches: usize,
    /// The weight of the number of terms in the score [default: `10⁻³ · cond(Θ)`].
    pub l0: Option<f64>,
    /// The seed of the split.
    pub seed: Seed,
}

impl Default for ToleranceSearch {
    fn default() -> Self {
        ToleranceSearch {
            train: 0.8,
            step: 0.01,
            searches: 25,
            l0: None,
            seed: Seed(0),
        }
    }
}

impl StRidge {
    fn check(&self, theta: &DMatrix<f64>, y: &[f64]) -> Result<()> {
        if theta.nrows() != y.len() {
            return Err(Error::DimensionMismatch {
                what: "STRidge target (one value per library row)",
                expected: theta.nrows(),
                found: y.len(),
            });
        }
        if theta.ncols() == 0 || theta.nrows() == 0 {
            return Err(Error::InvalidConfig {
                field: "discovery.library",
                reason: "an empty library or no points".into(),
            });
        }
        if theta.iter().chain(y).any(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "discovery.values",
                reason: "the library and the target must be finite".into(),
            });
        }
        let ok = self.lambda >= 0.0 && self.lambda.is_finite() && self.tolerance >= 0.0;
        if !ok {
            return Err(Error::InvalidConfig {
                field: "stridge",
                reason: format!(
                    "needs λ ≥ 0 and a tolerance ≥ 0, found λ = {} and tolerance {}",
                    self.lambda, self.tolerance
                ),
            });
        }
        Ok(())
    }

    /// The sparse coefficients `ξ` of `y ≈ Θ ξ` (one per column of `theta`).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] for a target of the wrong length; [`Error::InvalidConfig`]
    /// for an empty or non-finite library, bad settings, or a failed solve.
    pub fn fit(&self, theta: &DMatrix<f64>, y: &[f64]) -> Result<Vec<f64>> {
        self.check(theta, y)?;
        let d = theta.ncols();
        // Column scales: 1/‖Θ_j‖ (0 for a zero column, which then stays out).
        let scale: Vec<f64> = (0..d)
            .map(|j| {
                let n = norm(theta.column(j).as_slice());
                if !self.normalize {
                    1.0
                } else if n > 0.0 {
                    1.0 / n
                } else {
                    0.0
                }
            })
            .collect();
        let x = DMatrix::from_fn(theta.nrows(), d, |i, j| theta[(i, j)] * scale[j]);
        let yv = DVector::from_column_slice(y);
        let fit_on = |support: &[usize], lambda: f64| -> Result<Vec<f64>> {
            let sub = x.select_columns(support.iter());
            let w = solve(&sub, &yv, lambda)?;
            let mut full = vec![0.0; d];
            for (k, &j) in support.iter().enumerate() {
                full[j] = w[k];
            }
            Ok(full)
        };
        let mut support: Vec<usize> = (0..d).filter(|&j| scale[j] != 0.0).collect();
        let mut w = fit_on(&support, self.lambda)?;
        for _ in 0..self.iterations {
            let keep: Vec<usize> = support
                .iter()
                .copied()
                .filter(|&j| w[j].abs() >= self.tolerance)
                .collect();
            if keep.len() == support.len() {
                break;
            }
            support = keep;
            if support.is_empty() {
                break;
            }
            w = fit_on(&support, self.lambda)?;
        }
        if support.is_empty() {
            return Ok(vec![0.0; d]);
        }
        // The final fit on the support, without the ridge term.
        let w = fit_on(&support, 0.0)?;
        Ok(w.iter().zip(&scale).map(|(a, s)| a * s).collect())
    }

    /// PDE-FIND's `TrainSTRidge`: a search for the tolerance (this `StRidge`'s own tolerance
    /// is not used; see [`ToleranceSearch`]). Returns the best `ξ`, refitted on all rows with
    /// the best tolerance, and that tolerance.
    ///
    /// # Errors
    ///
    /// As [`StRidge::fit`]; [`Error::InvalidConfig`] unless `0 < train < 1` leaves at least
    /// one row on each side.
    pub fn train(
        &self,
        theta: &DMatrix<f64>,
        y: &[f64],
        search: &ToleranceSearch,
    ) -> Result<(Vec<f64>, f64)> {
        let ToleranceSearch {
            train,
            step,
            searches,
            l0,
            seed,
        } = *search;
        self.check(theta, y)?;
        let n = theta.nrows();
        // A seeded shuffle of the rows.
        let mut rows: Vec<usize> = (0..n).collect();
        let mut rng = seed.rng();
        for i in (1..n).rev() {
            let j = ((uniform(&mut rng) * (i + 1) as f64) as usize).min(i);
            rows.swap(i, j);
        }
        let n_train = (train * n as f64).round() as usize;
        if !(train > 0.0 && train < 1.0) || n_train == 0 || n_train == n {
            return Err(Error::InvalidConfig {
                field: "stridge.train",
                reason: format!(
                    "the training share {train} of {n} rows must leave rows on both sides"
                ),
            });
        }
        let (tr, te) = rows.split_at(n_train);
        let take = |idx: &[usize]| {
            (
                theta.select_rows(idx.iter()),
                idx.iter().map(|&i| y[i]).collect::<Vec<f64>>(),
            )
        };
        let ((x_tr, y_tr), (x_te, y_te)) = (take(tr), take(te));
        let l0 = match l0 {
            Some(v) => v,
            None => {
                let sv = theta.clone().svd(false, false).singular_values;
                1e-3 * sv.max() / sv.min().max(f64::MIN_POSITIVE)
            }
        };
        let score = |w: &[f64]| {
            let r = &x_te * DVector::from_column_slice(w) - DVector::from_column_slice(&y_te);
            r.norm() + l0 * w.iter().filter(|v| **v != 0.0).count() as f64
        };
        let plain = StRidge {
            tolerance: 0.0,
            lambda: 0.0,
            ..*self
        };
        let mut best = (score(&plain.fit(&x_tr, &y_tr)?), 0.0);
        let (mut tol, mut dtol) = (step, step);
        for k in 0..searches {
            let cfg = StRidge {
                tolerance: tol,
                ..*self
            };
            let s = score(&cfg.fit(&x_tr, &y_tr)?);
            if s <= best.0 {
                best = (s, tol);
                tol += dtol;
            } else {
                tol = (tol - 2.0 * dtol).max(0.0);
                dtol = 2.0 * dtol / (searches - k) as f64;
                tol += dtol;
            }
        }
        let cfg = StRidge {
            tolerance: best.1,
            ..*self
        };
        Ok((cfg.fit(theta, y)?, best.1))
    }
}
