//! Where a network's weight matrices live in `θ`: the parameter ranges that gradient
//! statistics such as learning-rate annealing ([`LrAnnealing`](crate::strategies::LrAnnealing))
//! look at.
//!
//! A [`Dense`](NodeOp::Dense) node `z = W a + b` owns `n_out·n_in` entries of `W` starting at
//! its offset, followed by its `n_out` biases (see [`Graph`]). [`weight_matrices`] lists the
//! `W` blocks only — biases, constant maps ([`NodeOp::Linear`]: input normalisation, Fourier
//! features) and PDE coefficients are never included.
//!
//! **Encoders.** The `U` and `V` encoders of the modified MLP
//! ([`modified_mlp`](super::modified_mlp)) are the only dense layers whose bias starts
//! Xavier-normal ([`BiasInit::XavierNormal`]); that is how they are recognised. Wang, Teng &
//! Perdikaris (2021) leave them out of their annealing statistic (their `self.weights` holds
//! the gate matrices `W_l` and the output matrix only), so `exclude_encoders = true`
//! reproduces their code.

use core::ops::Range;

use crate::ad::jet::{BiasInit, Graph, NodeOp};

/// One weight matrix `W` of a dense layer: its node and its entries in `θ`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightMatrix {
    /// The index of the dense node in [`Graph::nodes`].
    pub node: usize,
    /// The entries of `W` in `θ` (`n_out·n_in` of them, column-major `n_out × n_in`).
    pub range: Range<usize>,
    /// Inputs of the layer, `n_in`.
    pub n_in: usize,
    /// Outputs of the layer, `n_out`.
    pub n_out: usize,
    /// Whether this is a modified-MLP encoder (`U` or `V`: a Xavier-normal bias).
    pub encoder: bool,
}

/// The weight matrices of `graph`, in graph order (input side first, the output layer last),
/// biases excluded; with `exclude_encoders`, the modified MLP's `U`/`V` encoders are left out
/// too.
///
/// ```
/// use pinn::ad::Elementary;
/// use pinn::nets::{modified_mlp, weight_matrices, NetBuilder};
///
/// let mlp = NetBuilder::new(2)
///     .normalize(&[0.0, 0.0], &[0.577, 0.577])
///     .mlp(&[50, 50, 50], Elementary::Tanh)
///     .build(1)?;
/// let w = weight_matrices(&mlp, true);
/// let shapes: Vec<(usize, usize)> = w.iter().map(|m| (m.n_in, m.n_out)).collect();
/// assert_eq!(shapes, [(2, 50), (50, 50), (50, 50), (50, 1)]);
/// assert_eq!(w[0].range, 0..100); // its 50 biases follow at 100..150
///
/// // The modified MLP [2, 50, 50, 50, 1]: two encoders, three gates, the output layer.
/// let mm = modified_mlp(&[2, 50, 50, 50, 1], Elementary::Tanh)?;
/// assert_eq!(weight_matrices(&mm, false).len(), 6);
/// assert_eq!(weight_matrices(&mm, true).len(), 4); // as in Wang et al.'s `self.weights`
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn weight_matrices(graph: &Graph, exclude_encoders: bool) -> Vec<WeightMatrix> {
    let nodes = graph.nodes();
    nodes
        .iter()
        .enumerate()
        .filter_map(|(i, node)| match node.op {
            NodeOp::Dense {
                offset, bias_init, ..
            } => {
                let (n_in, n_out) = graph.affine_shape(i).unwrap_or((0, 0));
                let encoder = bias_init == BiasInit::XavierNormal;
                (!(exclude_encoders && encoder)).then(|| WeightMatrix {
                    node: i,
                    range: offset..offset + n_in * n_out,
                    n_in,
                    n_out,
                    encoder,
                })
            }
            _ => None,
        })
        .collect()
}
