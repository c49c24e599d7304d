//! Numeric helpers shared by the jet and model oracles: seeded random vectors, MLPs by widths,
//! and the relative max-norm comparison every oracle test asserts with.

use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::rng::{Seed, uniform};

/// `len` uniform numbers in `[lo, hi)` from `seed`.
pub fn random_vec(seed: Seed, len: usize, lo: f64, hi: f64) -> Vec<f64> {
    let mut rng = seed.rng();
    (0..len)
        .map(|_| lo + (hi - lo) * uniform(&mut rng))
        .collect()
}

/// `|a − b|∞ / max(|b|∞, 1)`, asserted `≤ tol`; returns it.
pub fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) -> f64 {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    let scale = b.iter().fold(1.0_f64, |s, v| s.max(v.abs()));
    let err = a
        .iter()
        .zip(b)
        .fold(0.0_f64, |e, (x, y)| e.max((x - y).abs()));
    assert!(
        err <= tol * scale,
        "{what}: max error {err:.3e} > {tol:.0e} × scale {scale:.3e}"
    );
    err / scale
}

/// The MLP `d → widths… → m` with `act` after every hidden layer.
pub fn mlp(d: usize, widths: &[usize], m: usize, act: Elementary) -> Graph {
    let mut all = vec![d];
    all.extend_from_slice(widths);
    all.push(m);
    Graph::mlp(&all, act).unwrap()
}
