//! Error metrics of a prediction `û` against a reference `u`.

/// The error measures PINN papers report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Relative ℓ² error `‖u − û‖₂ / ‖u‖₂` (Wang et al., Raissi et al.).
    pub rel_l2: f64,
    /// Relative mean absolute error `Σ|u − û| / Σ|u|` (rMAE, as the RoPINN code defines it).
    pub rmae: f64,
    /// Relative root-mean-square error `sqrt(Σ(u − û)² / Σu²)` (rMSE, as the RoPINN code
    /// defines it; numerically the same as `rel_l2`).
    pub rmse: f64,
    /// Maximum absolute error `max|u − û|`.
    pub max_abs: f64,
}

impl Metrics {
    /// Compares `predicted` with `reference` (same length; extra entries are ignored).
    ///
    /// ```
    /// use pinn::train::Metrics;
    /// let m = Metrics::compute(&[1.0, 2.0], &[1.0, 2.5]);
    /// assert!((m.max_abs - 0.5).abs() < 1e-15);
    /// assert!((m.rmae - 0.5 / 3.5).abs() < 1e-15);
    /// ```
    pub fn compute(predicted: &[f64], reference: &[f64]) -> Metrics {
        let (mut se, mut ss, mut ae, mut sa, mut mx) = (0.0, 0.0, 0.0, 0.0, 0.0_f64);
        for (&p, &r) in predicted.iter().zip(reference) {
            let e = p - r;
            se += e * e;
            ss += r * r;
            ae += e.abs();
            sa += r.abs();
            mx = mx.max(e.abs());
        }
        let rel = (se / ss).sqrt();
        Metrics {
            rel_l2: rel,
            rmae: ae / sa,
            rmse: rel,
            max_abs: mx,
        }
    }
}
