//! Parameter initialisations other than the graph's own (Xavier-normal, zero biases):
//! Xavier-uniform and LeCun-normal.

use crate::ad::Real;
use crate::ad::jet::{Graph, NodeOp};
use crate::error::{Error, Result};
use crate::rng::{Rng64, Seed, standard_normal, uniform};

/// Xavier/Glorot-uniform weights and constant biases, as PyTorch scripts set them with
/// `torch.nn.init.xavier_uniform_(m.weight); m.bias.data.fill_(bias)`:
/// every dense layer's `W` has entries `U(−a, a)`, `a = sqrt(6/(n_in + n_out))` (gain 1), and
/// its bias, if any, is `bias`. The RoPINN, ProPINN and PINNsFormer benchmarks use
/// `bias = 0.01` (`0.0` for Convection). Trainable vectors
/// ([`GraphBuilder::param`](crate::ad::jet::GraphBuilder::param)) start at zero.
///
/// Dense layer number `i` of the graph (in node order) draws from `seed.derive(i)`, the weights
/// in `θ` order.
///
/// # Errors
///
/// [`Error::InvalidConfig`] (`"init.bias"`) if `bias` is not finite.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::nets::xavier_uniform;
/// use pinn::rng::Seed;
/// let g = Graph::mlp(&[2, 512, 512, 512, 1], Elementary::Tanh)?;
/// assert_eq!(g.n_params(), 527_361); // the RoPINN PINN backbone
/// let theta: Vec<f32> = xavier_uniform(&g, Seed(0), 0.01)?;
/// let a = (6.0f32 / (2.0 + 512.0)).sqrt();
/// assert!(theta[..2 * 512].iter().all(|w| w.abs() <= a));
/// assert!(theta[2 * 512..3 * 512].iter().all(|&b| b == 0.01));
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn xavier_uniform<T: Real>(graph: &Graph, seed: Seed, bias: f64) -> Result<Vec<T>> {
    if !bias.is_finite() {
        return Err(Error::InvalidConfig {
            field: "init.bias",
            reason: format!("must be finite, found {bias}"),
        });
    }
    Ok(per_dense_layer(graph, seed, |n_in, n_out, rng, w, b| {
        let a = (6.0 / (n_in + n_out) as f64).sqrt();
        for w in w {
            *w = T::from_f64(a * (2.0 * uniform(rng) - 1.0));
        }
        b.fill(T::from_f64(bias));
    }))
}

/// Fan-in-uniform weights and biases, PyTorch's `nn.Linear` default and the FBPINNs
/// library's `FCN` (spec §3.3; the original FBPINN code keeps PyTorch's default): every dense
/// layer's `W` and bias have entries `U(−a, a)`, `a = 1/sqrt(n_in)`. Trainable vectors start
/// at zero. Dense layer number `i` (in node order) draws from `seed.derive(i)`, the weights
/// first, in `θ` order.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::nets::fan_in_uniform;
/// use pinn::rng::Seed;
/// let g = Graph::mlp(&[1, 32, 1], Elementary::Tanh)?;
/// let theta: Vec<f64> = fan_in_uniform(&g, Seed(0));
/// // Layer 1 has fan-in 1 (|θ| ≤ 1), layer 2 fan-in 32.
/// assert!(theta[..64].iter().all(|t| t.abs() <= 1.0));
/// assert!(theta[64..].iter().all(|t| t.abs() <= 1.0 / 32f64.sqrt()));
/// assert!(theta[32..64].iter().any(|t| t.abs() > 0.5)); // biases are drawn, not zero
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn fan_in_uniform<T: Real>(graph: &Graph, seed: Seed) -> Vec<T> {
    per_dense_layer(graph, seed, |n_in, _, rng, w, b| {
        let a = 1.0 / (n_in as f64).sqrt();
        for v in w.iter_mut().chain(b.iter_mut()) {
            *v = T::from_f64(a * (2.0 * uniform(rng) - 1.0));
        }
    })
}

/// `θ` with every dense layer's weights and bias (empty without one) filled by
/// `fill(n_in, n_out, rng, weights, bias)`, layer number `i` (in node order) drawing from
/// `seed.derive(i)`; trainable vectors stay zero.
fn per_dense_layer<T: Real>(
    graph: &Graph,
    seed: Seed,
    mut fill: impl FnMut(usize, usize, &mut Rng64, &mut [T], &mut [T]),
) -> Vec<T> {
    let nodes = graph.nodes();
    let mut theta = graph.zero_params::<T>();
    for (i, node) in nodes.iter().enumerate() {
        if let NodeOp::Dense {
            offset,
            bias: has_bias,
            ..
        } = node.op
        {
            // One block's shape (a layer shared by blocks has one W).
            let (n_in, n_out) = graph.affine_shape(i).unwrap_or((0, 0));
            let mut rng = seed.derive(i as u64).rng();
            let end = offset + n_in * n_out;
            let n_bias = if has_bias { n_out } else { 0 };
            let (w, b) = theta[offset..end + n_bias].split_at_mut(n_in * n_out);
            fill(n_in, n_out, &mut rng, w, b);
        }
    }
    theta
}

/// LeCun-normal weights and normal biases: every dense layer's `W` has entries
/// `N(0, 1/n_in)` and its bias, if any, entries `N(0, bias_std²)`. Wang, Yu & Perdikaris'
/// NTK code (`PINNsNTK`, its `NTK_init`) uses `bias_std = 1`: standard parameterisation with
/// the scale of the NTK parameterisation at initialisation. Trainable vectors start at zero.
///
/// Dense layer number `i` of the graph (in node order) draws from `seed.derive(i)`, the
/// weights in `θ` order, then the biases.
///
/// # Errors
///
/// [`Error::InvalidConfig`] (`"init.bias_std"`) if `bias_std` is negative or not finite.
///
/// ```
/// use pinn::ad::{jet::Graph, Elementary};
/// use pinn::nets::lecun_normal;
/// use pinn::rng::Seed;
/// let g = Graph::mlp(&[1, 512, 1], Elementary::Tanh)?;
/// let theta: Vec<f64> = lecun_normal(&g, Seed(0), 1.0)?;
/// // The output layer's 512 weights have variance 1/512.
/// let w = &theta[2 * 512..3 * 512];
/// let var = w.iter().map(|v| v * v).sum::<f64>() / 512.0;
/// assert!((var * 512.0 - 1.0).abs() < 0.2);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn lecun_normal<T: Real>(graph: &Graph, seed: Seed, bias_std: f64) -> Result<Vec<T>> {
    if !(bias_std.is_finite() && bias_std >= 0.0) {
        return Err(Error::InvalidConfig {
            field: "init.bias_std",
            reason: format!("must be finite and ≥ 0, found {bias_std}"),
        });
    }
    Ok(per_dense_layer(graph, seed, |n_in, _, rng, w, b| {
        let std = 1.0 / (n_in as f64).sqrt();
        for w in w {
            *w = T::from_f64(std * standard_normal(rng));
        }
        for b in b {
            *b = T::from_f64(bias_std * standard_normal(rng));
        }
    }))
}
