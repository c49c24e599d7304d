//! Error metrics of a prediction `û` against a reference `u`.

/// The error measures PINN papers report, over all outputs together and per output.
#[derive(Clone, Debug, PartialEq)]
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
    /// The same measures for each output alone, in output order (one entry for a one-output
    /// network, equal to the whole; each entry's own `outputs` is empty). Fields of different
    /// scales (a velocity of order 1 beside a pressure of order 10⁻²) need these: the measures
    /// over all outputs are dominated by the largest field.
    pub outputs: Vec<Metrics>,
}

impl Metrics {
    /// Compares `predicted` with `reference` (same length; extra entries are ignored), one
    /// output: `outputs` holds one entry equal to the whole.
    ///
    /// ```
    /// use pinn::train::Metrics;
    /// let m = Metrics::compute(&[1.0, 2.0], &[1.0, 2.5]);
    /// assert!((m.max_abs - 0.5).abs() < 1e-15);
    /// assert!((m.rmae - 0.5 / 3.5).abs() < 1e-15);
    /// ```
    pub fn compute(predicted: &[f64], reference: &[f64]) -> Metrics {
        Metrics::compute_outputs(predicted, reference, 1)
    }

    /// Compares `predicted` with `reference`, both point-major with `m ≥ 1` outputs per point
    /// (`v[p·m + o]`), over all outputs and for each output alone.
    ///
    /// ```
    /// use pinn::train::Metrics;
    /// // Two points of (u, p): u is exact, p is off by 0.01 at the second point.
    /// let m = Metrics::compute_outputs(&[1.0, 0.02, 2.0, 0.04], &[1.0, 0.02, 2.0, 0.03], 2);
    /// assert_eq!(m.outputs.len(), 2);
    /// assert_eq!(m.outputs[0].rel_l2, 0.0);
    /// assert!((m.outputs[1].max_abs - 0.01).abs() < 1e-15);
    /// // p's relative error is 28%, the whole's 0.4%: the velocity's scale hides it.
    /// assert!(m.outputs[1].rel_l2 > 0.25 && m.rel_l2 < 0.005);
    /// ```
    pub fn compute_outputs(predicted: &[f64], reference: &[f64], m: usize) -> Metrics {
        let m = m.max(1);
        let n = predicted.len().min(reference.len()) / m * m;
        let (predicted, reference) = (&predicted[..n], &reference[..n]);
        let mut whole = Metrics::measure(predicted.iter().zip(reference));
        whole.outputs = (0..m)
            .map(|o| {
                let pairs = predicted.iter().zip(reference).skip(o).step_by(m);
                Metrics::measure(pairs)
            })
            .collect();
        whole
    }

    /// The measures over pairs `(û, u)`, with no per-output entries.
    fn measure<'a>(pairs: impl Iterator<Item = (&'a f64, &'a f64)>) -> Metrics {
        let (mut se, mut ss, mut ae, mut sa, mut mx) = (0.0, 0.0, 0.0, 0.0, 0.0_f64);
        for (&p, &r) in pairs {
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
            outputs: Vec::new(),
        }
    }
}
