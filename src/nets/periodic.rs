//! The periodic (time–space Fourier) embedding: a network exactly periodic along one axis.

use crate::ad::Elementary;
use crate::ad::jet::{GraphBuilder, NodeId};
use crate::error::{Error, Result};

/// Adds the periodic embedding of the input node `x` (`d` coordinates) along `axis` with
/// period `L` and `m` harmonics,
///
/// `γ(x) = [x_{≠axis}, 1, cos(2πk x_axis/L), sin(2πk x_axis/L)]`, `k = 1 … m`,
///
/// `d + 2m` features: the other coordinates in their order, the constant 1, the `m`
/// cosines, then the `m` sines. Every function of `γ(x)` is `L`-periodic in `x_axis` with all
/// its derivatives, so periodic conditions on the value and on every derivative hold by
/// construction. With `(x, t)`, `axis = 0`, `L = 2`, `m = 10` it is the 22-feature
/// embedding `[t, 1, cos kπx, sin kπx]` of the Allen–Cahn network of S. Wang, S. Sankaran,
/// P. Perdikaris, *Respecting causality for training physics-informed neural networks*,
/// CMAME 421 (2024).
///
/// The nodes: one constant linear map picks the other coordinates and adds the constant (as
/// its bias), another forms `ω_k x_axis` with `ω_k = 2πk/L`, then `cos`, `sin` and two
/// concatenations, so the jets differentiate it like any other node.
///
/// Errors: `axis` not below the width of `x`; `L` not finite and `> 0`; `m = 0`; a
/// frequency `2πm/L` that is not finite.
///
/// ```
/// use pinn::ad::Elementary;
/// use pinn::ad::jet::GraphBuilder;
/// use pinn::nets::periodic_embedding;
/// let mut b = GraphBuilder::new(2);
/// let x = b.input();
/// let h = periodic_embedding(&mut b, x, 0, 2.0, 10)?;
/// assert_eq!(b.width(h), 22);
/// let g = b.build(h)?;
/// let f = g.eval(&[], &[0.25, 0.7])?;
/// let pi = std::f64::consts::PI;
/// assert_eq!((f[0], f[1]), (0.7, 1.0)); // t, 1
/// assert!((f[2] - (pi * 0.25).cos()).abs() < 1e-16); // cos πx
/// assert!((f[2 + 10 + 2] - (3.0 * pi * 0.25).sin()).abs() < 1e-15); // sin 3πx
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn periodic_embedding(
    b: &mut GraphBuilder,
    x: NodeId,
    axis: usize,
    period: f64,
    m: usize,
) -> Result<NodeId> {
    let d = b.width(x);
    if axis >= d {
        return Err(Error::InvalidConfig {
            field: "periodic_embedding.axis",
            reason: format!("axis {axis} does not exist in {d} inputs"),
        });
    }
    let top = core::f64::consts::TAU * m as f64 / period;
    if !(period.is_finite() && period > 0.0) || m == 0 || !top.is_finite() {
        return Err(Error::InvalidConfig {
            field: "periodic_embedding",
            reason: format!(
                "need a finite period > 0, m ≥ 1 harmonics and finite frequencies, found \
                 period {period}, m = {m}"
            ),
        });
    }
    // [x_{≠axis}, 1]: a d × d constant map, column-major (w[i + j·d] = W[i, j]).
    let mut w = vec![0.0; d * d];
    for (i, j) in (0..d).filter(|&j| j != axis).enumerate() {
        w[i + j * d] = 1.0;
    }
    let mut bias = vec![0.0; d];
    bias[d - 1] = 1.0;
    let rest = b.linear(x, d, &w, Some(&bias));
    // ω_k x_axis, k = 1 … m: an m × d map with one non-zero column.
    let mut w = vec![0.0; m * d];
    for k in 0..m {
        w[k + axis * m] = core::f64::consts::TAU * (k + 1) as f64 / period;
    }
    let z = b.linear(x, m, &w, None);
    let (c, s) = (b.unary(z, Elementary::Cos), b.unary(z, Elementary::Sin));
    let waves = b.concat(c, s);
    Ok(b.concat(rest, waves))
}
