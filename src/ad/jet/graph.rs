//! A network as a small, static computation graph that both AD paths can run.
//!
//! A [`Graph`] is a topologically ordered list of nodes: the input, dense layers, elementwise
//! functions from the [rules table](crate::ad::rules), sums, products, scalings and trainable
//! vectors. The same graph runs
//!
//! - batched, through [`JetWorkspace`](super::JetWorkspace): Taylor jets for many points at
//!   once, then one reverse sweep to the parameters;
//! - point by point, through [`Graph::eval`] on any [`Scalar`]: plain `f64`,
//!   [`HyperDual`](crate::ad::HyperDual) for exact input Hessians, or a
//!   [`Tape`](crate::ad::Tape) of hyper-duals for the parameter gradient of a second
//!   derivative. This is the oracle the batched path is tested against.
//!
//! Parameters live in one flat slice `θ`. A dense layer `z = W a + b` with `n_in` inputs and
//! `n_out` outputs owns `n_out·n_in` entries of `W`, stored column-major (`W[i, j]` at
//! `i + j·n_out`, the same bytes as a row-major `n_in × n_out` matrix used as `a W`), followed by
//! its `n_out` biases.

use crate::ad::rules::Elementary;
use crate::ad::scalar::{Real, Scalar};
use crate::error::{Error, Result};
use crate::rng::{Seed, standard_normal};

/// A node of a graph under construction (an index into it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) usize);

/// What a node computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NodeOp {
    /// The input point `x`.
    Input,
    /// `z = W a + b` with trainable `W` and `b` (`b` only if `bias`); `W`, then `b`, start at
    /// `offset` in `θ`.
    ///
    /// With `blocks = K > 1` the layer is **shared** by `K` equal blocks of the features: the
    /// input's `K·n_in` features are `K` vectors of `n_in`, each mapped by the same `W`
    /// (`n_out × n_in`) and `b`, giving `K·n_out` features (block after block). `n_in` and
    /// `n_out` below are per block.
    Dense {
        /// The node `a`.
        input: usize,
        /// Where this layer's parameters start in `θ`.
        offset: usize,
        /// Whether the layer has a bias.
        bias: bool,
        /// How [`Graph::init_params`] initialises the bias.
        bias_init: BiasInit,
        /// How many blocks share `W` and `b` (1: an ordinary layer).
        blocks: usize,
    },
    /// `z = W a + b` with **constant** `W` and `b` (input normalisation, Fourier-feature
    /// embeddings, coordinate selection): `W`, then `b`, start at `offset` in the graph's
    /// constants.
    ///
    /// `blocks` as for [`NodeOp::Dense`]: one constant map shared by equal blocks.
    Linear {
        /// The node `a`.
        input: usize,
        /// Where `W` starts in [`Graph::constants`].
        offset: usize,
        /// Whether a constant bias follows `W`.
        bias: bool,
        /// How many blocks share `W` and `b` (1: an ordinary map).
        blocks: usize,
    },
    /// `z_i = a_{idx[offset + i]}`: features of `a` picked by index (a permutation, a
    /// selection, repeats allowed); the indices are in [`Graph::indices`].
    Gather {
        /// The node `a`.
        input: usize,
        /// Where this node's indices start in [`Graph::indices`].
        offset: usize,
    },
    /// `[a; b]`: the features of `a` followed by those of `b`.
    Concat(usize, usize),
    /// `f(a)` elementwise.
    Unary {
        /// The node `a`.
        input: usize,
        /// The function.
        f: Elementary,
    },
    /// `a + b` elementwise.
    Add(usize, usize),
    /// `a − b` elementwise.
    Sub(usize, usize),
    /// `a ⊙ b` elementwise (Hadamard product).
    Mul(usize, usize),
    /// `α·a + β` elementwise.
    Scale {
        /// The node `a`.
        input: usize,
        /// `α`
        alpha: f64,
        /// `β`
        beta: f64,
    },
    /// A trainable vector `b`, the same at every point (so every derivative with respect to
    /// `x` is zero), starting at zero: a bias that more than one node uses, such as the `b`
    /// of the gate `σ(1 − HW + b)` (see [`Gate`](crate::nets::Gate)).
    Param {
        /// Where `b` starts in `θ`.
        offset: usize,
    },
    /// `p·a` with one trainable scalar `p` (the same at every point, so every derivative of
    /// `a` is scaled by it): learned gains such as ProPINN's WaveAct weights or adaptive
    /// activations' slopes.
    ScaleByParam {
        /// The node `a`.
        input: usize,
        /// Where `p` is in `θ`.
        offset: usize,
        /// The value [`Graph::init_params`] (and the `nets` initialisations) give `p`.
        init: f64,
    },
}

/// How a trainable bias starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BiasInit {
    /// All zeros (the usual choice).
    Zero,
    /// Glorot/Xavier-normal as if the bias were a `1 × n_out` matrix: `N(0, 2/(1 + n_out))`
    /// (the encoder biases of Wang, Teng & Perdikaris' modified MLP, as coded).
    XavierNormal,
}

/// One node: its operation and its width (number of features).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// What it computes.
    pub op: NodeOp,
    /// Number of features it outputs.
    pub width: usize,
}

/// A computation graph from input points to network outputs. Build one with
/// [`GraphBuilder`] or [`Graph::mlp`].
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    nodes: Vec<Node>,
    n_params: usize,
    consts: Vec<f64>,
    indices: Vec<usize>,
}

/// Builds a [`Graph`] node by node; [`GraphBuilder::build`] validates it.
///
/// ```
/// use pinn::ad::{jet::GraphBuilder, Elementary};
/// // A gated layer: h = (1 − z)⊙u + z⊙v, as in the modified MLP.
/// let mut b = GraphBuilder::new(2);
/// let x = b.input();
/// let u = b.dense(x, 8);
/// let u = b.unary(u, Elementary::Tanh);
/// let v = b.dense(x, 8);
/// let v = b.unary(v, Elementary::Tanh);
/// let z = b.dense(x, 8);
/// let z = b.unary(z, Elementary::Sigmoid);
/// let one_minus_z = b.scale(z, -1.0, 1.0);
/// let a = b.mul(one_minus_z, u);
/// let c = b.mul(z, v);
/// let h = b.add(a, c);
/// let out = b.dense(h, 1);
/// let graph = b.build(out)?;
/// assert_eq!(graph.n_params(), 3 * (2 * 8 + 8) + 8 + 1);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct GraphBuilder {
    nodes: Vec<Node>,
    n_params: usize,
    consts: Vec<f64>,
    indices: Vec<usize>,
    error: Option<Error>,
}

impl GraphBuilder {
    /// A builder for inputs of dimension `dim`.
    pub fn new(dim: usize) -> Self {
        let error = (dim == 0).then(|| Error::InvalidConfig {
            field: "graph.input_dim",
            reason: "the input dimension must be at least 1, found 0".into(),
        });
        GraphBuilder {
            nodes: vec![Node {
                op: NodeOp::Input,
                width: dim,
            }],
            n_params: 0,
            consts: Vec::new(),
            indices: Vec::new(),
            error,
        }
    }

    /// The input node.
    pub fn input(&self) -> NodeId {
        NodeId(0)
    }

    /// The width (number of features) of node `a` (0 for a node that does not exist).
    pub fn width(&self, a: NodeId) -> usize {
        self.nodes.get(a.0).map_or(0, |n| n.width)
    }

    fn width_of(&mut self, a: NodeId) -> usize {
        match self.nodes.get(a.0) {
            Some(n) => n.width,
            None => {
                self.fail("graph.node", format!("node {} does not exist", a.0));
                0
            }
        }
    }

    /// Records a configuration error; [`GraphBuilder::build`] returns the first one. For code
    /// that builds graph pieces (hard constraints, embeddings) and finds its own arguments
    /// invalid.
    pub fn fail(&mut self, field: &'static str, reason: String) {
        self.error
            .get_or_insert(Error::InvalidConfig { field, reason });
    }

    fn push(&mut self, op: NodeOp, width: usize) -> NodeId {
        self.nodes.push(Node { op, width });
        NodeId(self.nodes.len() - 1)
    }

    /// A dense layer with bias, `z = W a + b`, of `width` outputs.
    pub fn dense(&mut self, a: NodeId, width: usize) -> NodeId {
        self.dense_with(a, width, true)
    }

    /// A dense layer, `z = W a (+ b)`, of `width` outputs, biases starting at zero.
    pub fn dense_with(&mut self, a: NodeId, width: usize, bias: bool) -> NodeId {
        self.dense_init(a, width, bias, BiasInit::Zero)
    }

    /// A dense layer, `z = W a (+ b)`, of `width` outputs, with a chosen bias initialisation.
    pub fn dense_init(
        &mut self,
        a: NodeId,
        width: usize,
        bias: bool,
        bias_init: BiasInit,
    ) -> NodeId {
        self.dense_shared(a, 1, width, bias, bias_init)
    }

    /// A dense layer shared by `blocks` equal blocks of `a`'s features (see
    /// [`NodeOp::Dense`]): each block of `width(a)/blocks` features is mapped by the same
    /// `W` (`width × width(a)/blocks`) and `b` to `width` features, `blocks·width` in all.
    /// The point-wise networks of ProPINN's perturbed copies are built this way.
    ///
    /// Errors at [`build`](Self::build): `blocks` 0 or not dividing `a`'s width; `a` the
    /// input node with `blocks > 1` (map the input first).
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// // Three copies of a 2-vector, each through the same 2 → 4 layer.
    /// let mut b = GraphBuilder::new(2);
    /// let x = b.input();
    /// let copies = b.linear(x, 6, &[1., 0., 1., 0., 1., 0., 0., 1., 0., 1., 0., 1.], None);
    /// let z = b.dense_shared(copies, 3, 4, true, pinn::ad::jet::BiasInit::Zero);
    /// let g = b.build(z)?;
    /// assert_eq!((g.n_params(), g.output_dim()), (2 * 4 + 4, 12));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn dense_shared(
        &mut self,
        a: NodeId,
        blocks: usize,
        width: usize,
        bias: bool,
        bias_init: BiasInit,
    ) -> NodeId {
        let n_in = self.block_width(a, blocks, "graph.dense.blocks");
        if width == 0 {
            self.fail(
                "graph.dense.width",
                "a dense layer needs at least 1 output, found 0".into(),
            );
        }
        let offset = self.n_params;
        let size = width
            .checked_mul(n_in)
            .and_then(|s| s.checked_add(if bias { width } else { 0 }))
            .and_then(|s| s.checked_add(offset));
        match size {
            Some(end) => self.n_params = end,
            None => self.fail(
                "graph.dense.width",
                format!("a {width} × {n_in} layer overflows the parameter count"),
            ),
        }
        let total = width.checked_mul(blocks.max(1)).unwrap_or_else(|| {
            self.fail("graph.dense.blocks", "the width overflows".into());
            0
        });
        self.push(
            NodeOp::Dense {
                input: a.0,
                offset,
                bias,
                bias_init,
                blocks: blocks.max(1),
            },
            total,
        )
    }

    /// The width of one of `blocks` equal blocks of `a` (recording an error if they are not
    /// equal, or if `a` is the input node split into several blocks).
    fn block_width(&mut self, a: NodeId, blocks: usize, field: &'static str) -> usize {
        let w = self.width_of(a);
        if blocks == 0 || !w.is_multiple_of(blocks) {
            self.fail(
                field,
                format!("{blocks} blocks do not split the {w} features of the input node"),
            );
            return 0;
        }
        if blocks > 1 && a.0 == 0 {
            self.fail(
                field,
                "the input node cannot be split into blocks; map it first (e.g. with `linear`)"
                    .into(),
            );
        }
        w / blocks
    }

    /// A constant affine map `z = W a + b`: `w` is column-major `width × n_in` (so
    /// `w[i + j·width] = W[i, j]`), `b` has `width` entries. Nothing here is trained.
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// // x̂ = (x − μ)/σ for 2 inputs, as a diagonal constant map.
    /// let (mu, sigma) = ([0.5, 0.5], [0.289, 0.289]);
    /// let mut b = GraphBuilder::new(2);
    /// let x = b.input();
    /// let w = [1.0 / sigma[0], 0.0, 0.0, 1.0 / sigma[1]];
    /// let bias = [-mu[0] / sigma[0], -mu[1] / sigma[1]];
    /// let xhat = b.linear(x, 2, &w, Some(&bias));
    /// let g = b.build(xhat)?;
    /// assert_eq!(g.n_params(), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn linear(&mut self, a: NodeId, width: usize, w: &[f64], b: Option<&[f64]>) -> NodeId {
        self.linear_shared(a, 1, width, w, b)
    }

    /// A constant affine map shared by `blocks` equal blocks of `a`'s features (as
    /// [`dense_shared`](Self::dense_shared)): `w` is column-major `width × width(a)/blocks`,
    /// `b` has `width` entries, and the node has `blocks·width` features.
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// // The mean of each of 4 blocks of 3 features.
    /// let mut b = GraphBuilder::new(1);
    /// let x = b.input();
    /// let wide = b.linear(x, 12, &[1.0; 12], None);
    /// let mean = b.linear_shared(wide, 4, 1, &[1.0 / 3.0; 3], None);
    /// let g = b.build(mean)?;
    /// assert_eq!(g.eval(&[], &[2.0])?.len(), 4);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn linear_shared(
        &mut self,
        a: NodeId,
        blocks: usize,
        width: usize,
        w: &[f64],
        b: Option<&[f64]>,
    ) -> NodeId {
        let n_in = self.block_width(a, blocks, "graph.linear.blocks");
        let want = width.checked_mul(n_in);
        if Some(w.len()) != want {
            self.fail(
                "graph.linear.w",
                format!(
                    "expected {width}×{n_in} = {} entries, found {}",
                    want.map_or("too many".into(), |n| n.to_string()),
                    w.len()
                ),
            );
        }
        if let Some(b) = b.filter(|b| b.len() != width) {
            self.fail(
                "graph.linear.b",
                format!("expected {width} entries, found {}", b.len()),
            );
        }
        if w.iter().chain(b.unwrap_or(&[])).any(|v| !v.is_finite()) {
            self.fail("graph.linear", "every constant must be finite".into());
        }
        if width == 0 {
            self.fail(
                "graph.linear.width",
                "a linear map needs at least 1 output, found 0".into(),
            );
        }
        let offset = self.consts.len();
        self.consts.extend_from_slice(w);
        if let Some(b) = b {
            self.consts.extend_from_slice(b);
        }
        let total = width.checked_mul(blocks.max(1)).unwrap_or_else(|| {
            self.fail("graph.linear.blocks", "the width overflows".into());
            0
        });
        self.push(
            NodeOp::Linear {
                input: a.0,
                offset,
                bias: b.is_some(),
                blocks: blocks.max(1),
            },
            total,
        )
    }

    /// `z_i = a_{indices[i]}`: the features of `a` at `indices` (a permutation, a selection;
    /// repeats allowed), `indices.len()` features.
    ///
    /// Errors at [`build`](Self::build): no index, or one not below `a`'s width.
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// let mut b = GraphBuilder::new(3);
    /// let x = b.input();
    /// let y = b.gather(x, &[2, 0, 0]);
    /// let g = b.build(y)?;
    /// assert_eq!(g.eval(&[], &[1.0, 2.0, 3.0])?, vec![3.0, 1.0, 1.0]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn gather(&mut self, a: NodeId, indices: &[usize]) -> NodeId {
        let w = self.width_of(a);
        if indices.is_empty() {
            self.fail(
                "graph.gather",
                "at least one index needed, found none".into(),
            );
        }
        if let Some(&i) = indices.iter().find(|&&i| i >= w) {
            self.fail(
                "graph.gather",
                format!("index {i} is not below the input's width {w}"),
            );
        }
        let offset = self.indices.len();
        self.indices.extend_from_slice(indices);
        self.push(NodeOp::Gather { input: a.0, offset }, indices.len())
    }

    /// `[a; b]`: the features of `a`, then those of `b`.
    pub fn concat(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let (wa, wb) = (self.width_of(a), self.width_of(b));
        let w = wa.checked_add(wb).unwrap_or_else(|| {
            self.fail("graph.concat", format!("widths {wa} + {wb} overflow"));
            0
        });
        self.push(NodeOp::Concat(a.0, b.0), w)
    }

    /// `f(a)` elementwise.
    pub fn unary(&mut self, a: NodeId, f: Elementary) -> NodeId {
        let w = self.width_of(a);
        self.push(NodeOp::Unary { input: a.0, f }, w)
    }

    fn binary(&mut self, a: NodeId, b: NodeId, op: NodeOp) -> NodeId {
        let (wa, wb) = (self.width_of(a), self.width_of(b));
        if wa != wb {
            self.fail(
                "graph.elementwise",
                format!("operands have widths {wa} and {wb}; they must agree"),
            );
        }
        self.push(op, wa)
    }

    /// `a + b` elementwise.
    pub fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, NodeOp::Add(a.0, b.0))
    }

    /// `a − b` elementwise.
    pub fn sub(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, NodeOp::Sub(a.0, b.0))
    }

    /// `a ⊙ b` elementwise.
    pub fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.binary(a, b, NodeOp::Mul(a.0, b.0))
    }

    /// `α·a + β` elementwise.
    pub fn scale(&mut self, a: NodeId, alpha: f64, beta: f64) -> NodeId {
        let w = self.width_of(a);
        if !(alpha.is_finite() && beta.is_finite()) {
            self.fail(
                "graph.scale",
                format!("α = {alpha}, β = {beta} must be finite"),
            );
        }
        self.push(
            NodeOp::Scale {
                input: a.0,
                alpha,
                beta,
            },
            w,
        )
    }

    /// A trainable vector `b` of `width` entries, starting at zero, independent of the input:
    /// for a bias that appears in more than one place.
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// // z = W x + b and 1 − W x + b with one shared b.
    /// let mut b = GraphBuilder::new(2);
    /// let x = b.input();
    /// let wx = b.dense_with(x, 4, false);
    /// let bias = b.param(4);
    /// let z = b.add(wx, bias);
    /// let y = b.sub(bias, wx);
    /// let y = b.scale(y, 1.0, 1.0);
    /// let out = b.mul(z, y);
    /// assert_eq!(b.build(out)?.n_params(), 2 * 4 + 4);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn param(&mut self, width: usize) -> NodeId {
        if width == 0 {
            self.fail(
                "graph.param.width",
                "a parameter vector needs at least 1 entry, found 0".into(),
            );
        }
        let offset = self.n_params;
        match offset.checked_add(width) {
            Some(end) => self.n_params = end,
            None => self.fail(
                "graph.param.width",
                format!("{width} entries overflow the parameter count"),
            ),
        }
        self.push(NodeOp::Param { offset }, width)
    }

    /// `p·a` with a trainable scalar `p` that starts at `init` ([`NodeOp::ScaleByParam`]).
    ///
    /// ```
    /// use pinn::ad::jet::GraphBuilder;
    /// let mut b = GraphBuilder::new(2);
    /// let x = b.input();
    /// let y = b.scale_by_param(x, 1.0);
    /// let g = b.build(y)?;
    /// let theta: Vec<f64> = g.init_params(pinn::rng::Seed(0));
    /// assert_eq!(theta, vec![1.0]);
    /// assert_eq!(g.eval(&[3.0], &[1.0, 2.0])?, vec![3.0, 6.0]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn scale_by_param(&mut self, a: NodeId, init: f64) -> NodeId {
        let w = self.width_of(a);
        if !init.is_finite() {
            self.fail(
                "graph.scale_by_param",
                format!("the initial value must be finite, found {init}"),
            );
        }
        let offset = self.n_params;
        self.n_params += 1;
        self.push(
            NodeOp::ScaleByParam {
                input: a.0,
                offset,
                init,
            },
            w,
        )
    }

    /// Finishes the graph with `output` as its last node. Nodes after `output` are dropped.
    pub fn build(mut self, output: NodeId) -> Result<Graph> {
        if output.0 >= self.nodes.len() {
            self.fail("graph.output", format!("node {} does not exist", output.0));
        }
        if output.0 == 0 {
            self.fail(
                "graph.output",
                "the output is the input node; add at least one operation".into(),
            );
        }
        if let Some(e) = self.error {
            return Err(e);
        }
        self.nodes.truncate(output.0 + 1);
        let n_params = self
            .nodes
            .iter()
            .map(|n| match n.op {
                NodeOp::Dense {
                    offset,
                    bias,
                    input,
                    blocks,
                    ..
                } => {
                    let (n_out, n_in) = (n.width / blocks, self.nodes[input].width / blocks);
                    offset + n_out * n_in + if bias { n_out } else { 0 }
                }
                NodeOp::Param { offset } => offset + n.width,
                NodeOp::ScaleByParam { offset, .. } => offset + 1,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        Ok(Graph {
            nodes: self.nodes,
            n_params,
            consts: self.consts,
            indices: self.indices,
        })
    }
}

impl Graph {
    /// A multilayer perceptron: `widths = [d, h₁, …, h_L, m]`, `activation` after every hidden
    /// layer, linear output.
    ///
    /// ```
    /// use pinn::ad::{jet::Graph, Elementary};
    /// let g = Graph::mlp(&[2, 64, 64, 64, 64, 1], Elementary::Tanh)?;
    /// assert_eq!(g.n_params(), 12_737);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn mlp(widths: &[usize], activation: Elementary) -> Result<Graph> {
        if widths.len() < 2 {
            return Err(Error::InvalidConfig {
                field: "mlp.widths",
                reason: format!(
                    "need at least an input and an output width, found {} widths",
                    widths.len()
                ),
            });
        }
        let mut b = GraphBuilder::new(widths[0]);
        let mut h = b.input();
        for (i, &w) in widths[1..].iter().enumerate() {
            h = b.dense(h, w);
            if i + 2 < widths.len() {
                h = b.unary(h, activation);
            }
        }
        b.build(h)
    }

    /// The nodes, in evaluation order; the last one is the output.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// The constants of [`NodeOp::Linear`] nodes.
    pub fn constants(&self) -> &[f64] {
        &self.consts
    }
    /// The indices of [`NodeOp::Gather`] nodes.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }
    /// `(n_in, n_out)` of one block of a dense or constant linear node (its whole shape for
    /// an ordinary layer); `None` for other nodes.
    pub fn affine_shape(&self, node: usize) -> Option<(usize, usize)> {
        let n = self.nodes.get(node)?;
        match n.op {
            NodeOp::Dense { input, blocks, .. } | NodeOp::Linear { input, blocks, .. } => {
                Some((self.nodes[input].width / blocks, n.width / blocks))
            }
            _ => None,
        }
    }
    /// Number of parameters `|θ|`.
    pub fn n_params(&self) -> usize {
        self.n_params
    }
    /// Input dimension `d`.
    pub fn input_dim(&self) -> usize {
        self.nodes[0].width
    }
    /// Output dimension `m`.
    pub fn output_dim(&self) -> usize {
        self.nodes[self.nodes.len() - 1].width
    }

    /// Glorot/Xavier-normal initialisation: `W ~ N(0, 2/(n_in + n_out))`, biases as their
    /// [`BiasInit`] says, trainable vectors ([`NodeOp::Param`]) at zero, trainable scalars
    /// ([`NodeOp::ScaleByParam`]) at their `init`. Node `i` draws from the stream
    /// `seed.derive(i)` (weights first, then bias).
    pub fn init_params<T: Real>(&self, seed: Seed) -> Vec<T> {
        let mut theta = self.zero_params();
        for (layer, node) in self.nodes.iter().enumerate() {
            if let NodeOp::Dense {
                offset,
                bias,
                bias_init,
                ..
            } = node.op
            {
                let (n_in, n_out) = self.affine_shape(layer).unwrap_or((0, 0));
                let mut rng = seed.derive(layer as u64).rng();
                let mut fill = |slice: &mut [T], std: f64| {
                    for w in slice {
                        *w = T::from_f64(std * standard_normal(&mut rng));
                    }
                };
                let end = offset + n_in * n_out;
                fill(
                    &mut theta[offset..end],
                    (2.0 / (n_in + n_out) as f64).sqrt(),
                );
                if bias && bias_init == BiasInit::XavierNormal {
                    fill(
                        &mut theta[end..end + n_out],
                        (2.0 / (1 + n_out) as f64).sqrt(),
                    );
                }
            }
        }
        theta
    }

    /// `θ` with every entry 0 but the trainable scalars, at their `init`: what every
    /// initialisation starts from before it fills the dense layers.
    pub fn zero_params<T: Real>(&self) -> Vec<T> {
        let mut theta = vec![T::zero(); self.n_params];
        for node in &self.nodes {
            if let NodeOp::ScaleByParam { offset, init, .. } = node.op {
                theta[offset] = T::from_f64(init);
            }
        }
        theta
    }

    /// Checks `θ` and a batch of points (point-major, `d` numbers per point); returns the
    /// number of points.
    pub fn check<T>(&self, theta: &[T], points: &[T]) -> Result<usize> {
        if theta.len() != self.n_params {
            return Err(Error::DimensionMismatch {
                what: "parameters θ",
                expected: self.n_params,
                found: theta.len(),
            });
        }
        let d = self.input_dim();
        if !points.len().is_multiple_of(d) {
            return Err(Error::DimensionMismatch {
                what: "points (a multiple of the input dimension)",
                expected: points.len().div_ceil(d) * d,
                found: points.len(),
            });
        }
        Ok(points.len() / d)
    }

    /// Evaluates the network at one point `x` with any [`Scalar`]: the readable path, and the
    /// oracle of the batched one. Returns the `m` outputs.
    ///
    /// ```
    /// use pinn::ad::{jet::Graph, hessian, Elementary, HyperDual};
    /// use pinn::rng::Seed;
    /// let g = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
    /// let theta: Vec<f64> = g.init_params(Seed(1));
    /// let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    /// let (_, _, h) = hessian(|x| g.eval(&th, x).unwrap()[0], &[0.3, -0.2]);
    /// assert_eq!(h[0][1], h[1][0]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn eval<S: Scalar>(&self, theta: &[S], x: &[S]) -> Result<Vec<S>> {
        if self.check(theta, x)? != 1 {
            return Err(Error::DimensionMismatch {
                what: "point coordinates",
                expected: self.input_dim(),
                found: x.len(),
            });
        }
        let mut vals: Vec<Vec<S>> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let out: Vec<S> = match node.op {
                NodeOp::Input => x.to_vec(),
                NodeOp::Dense {
                    input,
                    offset,
                    bias,
                    blocks,
                    ..
                } => vals[input]
                    .chunks(vals[input].len() / blocks)
                    .flat_map(|a| affine(&theta[offset..], bias, a, node.width / blocks, |t| t))
                    .collect(),
                NodeOp::Linear {
                    input,
                    offset,
                    bias,
                    blocks,
                } => vals[input]
                    .chunks(vals[input].len() / blocks)
                    .flat_map(|a| {
                        affine(
                            &self.consts[offset..],
                            bias,
                            a,
                            node.width / blocks,
                            S::from_f64,
                        )
                    })
                    .collect(),
                NodeOp::Gather { input, offset } => self.indices[offset..offset + node.width]
                    .iter()
                    .map(|&i| vals[input][i])
                    .collect(),
                NodeOp::Concat(a, b) => vals[a].iter().chain(&vals[b]).copied().collect(),
                NodeOp::Unary { input, f } => vals[input].iter().map(|&a| a.apply(f)).collect(),
                NodeOp::Add(a, b) => zip(&vals[a], &vals[b], |p, q| p + q),
                NodeOp::Sub(a, b) => zip(&vals[a], &vals[b], |p, q| p - q),
                NodeOp::Mul(a, b) => zip(&vals[a], &vals[b], |p, q| p * q),
                NodeOp::Scale { input, alpha, beta } => vals[input]
                    .iter()
                    .map(|&a| S::from_f64(alpha) * a + S::from_f64(beta))
                    .collect(),
                NodeOp::Param { offset } => theta[offset..offset + node.width].to_vec(),
                NodeOp::ScaleByParam { input, offset, .. } => {
                    vals[input].iter().map(|&a| theta[offset] * a).collect()
                }
            };
            vals.push(out);
        }
        Ok(vals.pop().unwrap_or_default())
    }
}

/// `W a + b` for one point, `W` column-major `n_out × n_in` then `b` in `wb`.
fn affine<S: Scalar, W: Copy>(
    wb: &[W],
    bias: bool,
    a: &[S],
    n_out: usize,
    to_s: impl Fn(W) -> S,
) -> Vec<S> {
    let n_in = a.len();
    (0..n_out)
        .map(|i| {
            let mut z = if bias {
                to_s(wb[n_out * n_in + i])
            } else {
                S::zero()
            };
            for (j, &aj) in a.iter().enumerate() {
                z += to_s(wb[i + j * n_out]) * aj;
            }
            z
        })
        .collect()
}

fn zip<S: Copy>(a: &[S], b: &[S], f: impl Fn(S, S) -> S) -> Vec<S> {
    a.iter().zip(b).map(|(&p, &q)| f(p, q)).collect()
}
