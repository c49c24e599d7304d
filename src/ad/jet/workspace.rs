//! Running a [`Graph`] on jets: the batched forward pass and the reverse sweep to `θ`.

use super::gemm::{MatRef, gemm};
use super::graph::{Graph, Node, NodeOp};
use super::higher;
use super::kernels::{
    axpy, blk, blk_mut, mul_backward, mul_forward, unary_backward, unary_forward,
};
use super::selection::{Component, Layout, Selection};
use crate::ad::scalar::Real;
use crate::error::{Error, Result};

/// Buffers for running one graph on batches of points: the jets of every node, their
/// adjoints, and the activation derivatives the reverse sweep needs. Allocate one per thread
/// and reuse it; after the first batch of a given size nothing is allocated.
///
/// A jet buffer for a node of width `w` on `n` points is a column-major `w × (C·n)` matrix:
/// `C` blocks (see [`Layout`]) of `w × n`, feature index fastest, then point. The biharmonic
/// aggregate, when selected, is not one of the blocks: [`JetWorkspace::output`] sums it from
/// the fourth partials into a buffer of its own after the forward pass, and its seed is moved
/// onto theirs at the start of [`JetWorkspace::backward`].
///
/// ```
/// use pinn::ad::{jet::{Component, Graph, JetWorkspace, Selection}, Elementary};
/// use pinn::rng::Seed;
/// let g = Graph::mlp(&[2, 32, 32, 1], Elementary::Tanh)?;
/// let theta: Vec<f64> = g.init_params(Seed(0));
/// let sel = Selection::new(2).second(0, 0).second(1, 1);
/// let mut ws = JetWorkspace::new(&g, &sel)?;
/// let points = [0.1, 0.2, 0.5, 0.5, 0.9, 0.3]; // three points (x, y)
/// ws.forward(&g, &theta, &points)?;
/// let u_xx = ws.output(Component::Second(0, 0))?[2]; // at the third point
/// // Seed ∂L/∂u_xx = 1 at every point, then sweep back to θ.
/// ws.seed(Component::Second(0, 0))?.fill(1.0);
/// let mut grad = vec![0.0; g.n_params()];
/// ws.backward(&g, &theta, &mut grad)?;
/// # let _ = u_xx;
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct JetWorkspace<T> {
    layout: Layout,
    n: usize,
    vals: Vec<Vec<T>>,
    adjs: Vec<Vec<T>>,
    ders: Vec<Vec<T>>,
    scratch: Vec<T>,
    /// The dense products' packing buffer ([`thin`](super::thin)), sized with the rest.
    products: Vec<T>,
    widths: Vec<usize>,
    nodes: Vec<Node>,
    consts: Vec<T>,
    adj_init: Vec<bool>,
    /// Whether a node depends on `θ` (through some dense layer); only those carry adjoints.
    trainable: Vec<bool>,
    /// `Δ²u` of the output (`m × n`), if selected.
    bilap: Vec<T>,
    /// Its seed `∂L/∂Δ²u`.
    bilap_seed: Vec<T>,
    /// Whether the directions are tangent slots seeded by the caller
    /// ([`JetWorkspace::new_directional`]).
    directional: bool,
}

impl<T: Real> JetWorkspace<T> {
    /// A workspace for `graph` carrying the derivatives of `selection`.
    pub fn new(graph: &Graph, selection: &Selection) -> Result<Self> {
        if selection.dim() != graph.input_dim() {
            return Err(Error::DimensionMismatch {
                what: "selection dimension vs graph input dimension",
                expected: graph.input_dim(),
                found: selection.dim(),
            });
        }
        let k = graph.nodes().len();
        Ok(JetWorkspace {
            layout: selection.layout()?,
            n: 0,
            vals: vec![Vec::new(); k],
            adjs: vec![Vec::new(); k],
            ders: vec![Vec::new(); k],
            scratch: Vec::new(),
            products: Vec::new(),
            widths: graph.nodes().iter().map(|n| n.width).collect(),
            nodes: graph.nodes().to_vec(),
            consts: graph.constants().iter().map(|&v| T::from_f64(v)).collect(),
            adj_init: Vec::new(),
            trainable: depends_on_theta(graph.nodes()),
            bilap: Vec::new(),
            bilap_seed: Vec::new(),
            directional: false,
        })
    }

    /// A workspace whose directions are *tangent slots* the caller seeds at every forward pass
    /// ([`JetWorkspace::forward_directional`]) instead of the coordinate axes: `selection`
    /// declares derivatives over `selection.dim()` slots (any number, not the input
    /// dimension), and with tangent `v_s` in slot `s` the jet carries the Taylor coefficients
    /// of `t ↦ u(x + Σ_s t_s v_s)`: `First(s)` is `∇u · v_s`, `Second(s, r)` is `v_sᵀ H v_r`,
    /// the Laplacian aggregate is `Σ_s v_sᵀ H v_s`, and so on. With `v_s = e_s` it is the
    /// ordinary jet. This is how random probes are pushed through the network (Hutchinson's
    /// estimator, stochastic Taylor derivatives).
    ///
    /// ```
    /// use pinn::ad::{jet::{Component, Graph, JetWorkspace, Selection}, Elementary};
    /// use pinn::rng::Seed;
    /// let g = Graph::mlp(&[3, 16, 1], Elementary::Tanh)?;
    /// let theta: Vec<f64> = g.init_params(Seed(0));
    /// // One slot: the second derivative of u along v = (1, −1, 1)/√3 at one point.
    /// let mut ws = JetWorkspace::new_directional(&g, &Selection::new(1).second(0, 0))?;
    /// let v = [1.0, -1.0, 1.0].map(|c: f64| c / 3f64.sqrt());
    /// ws.forward_directional(&g, &theta, &[0.1, 0.2, 0.3], &v)?;
    /// let vhv = ws.output(Component::Second(0, 0))?[0];
    /// # let _ = vhv;
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new_directional(graph: &Graph, selection: &Selection) -> Result<Self> {
        let mut ws = JetWorkspace::new(
            graph,
            &Selection::new(graph.input_dim()), // checked below with the slots' own layout
        )?;
        ws.layout = selection.layout()?;
        ws.directional = true;
        Ok(ws)
    }

    /// The component layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Number of points of the last forward pass.
    pub fn n_points(&self) -> usize {
        self.n
    }

    fn check_graph(&self, graph: &Graph) -> Result<()> {
        let same = graph.nodes() == &self.nodes[..] && graph.constants().len() == self.consts.len();
        if same {
            Ok(())
        } else {
            Err(Error::InvalidConfig {
                field: "graph",
                reason: "this workspace was created for a different graph".into(),
            })
        }
    }

    /// Sizes every buffer for `n` points (allocating only when `n` grows past earlier sizes).
    /// Sizes every buffer for `n` points now (a later pass of at most `n` points allocates
    /// nothing).
    pub fn reserve(&mut self, graph: &Graph, n: usize) {
        self.resize(graph, n);
    }

    fn resize(&mut self, graph: &Graph, n: usize) {
        let c = self.layout.n_components();
        self.n = n;
        let zero = T::zero();
        for (i, node) in graph.nodes().iter().enumerate() {
            let len = node.width * c * n;
            self.vals[i].resize(len, zero);
            // The output always has a seed buffer, even in a graph without parameters.
            let last = i + 1 == graph.nodes().len();
            let adj = if self.trainable[i] || last { len } else { 0 };
            self.adjs[i].resize(adj, zero);
            let der = match node.op {
                NodeOp::Unary { .. } => higher::n_der_blocks(&self.layout) * node.width * n,
                _ => 0,
            };
            self.ders[i].resize(der, zero);
        }
        let max_m = graph.nodes().iter().map(|nd| nd.width).max().unwrap_or(0) * n;
        self.scratch.resize(max_m, zero);
        self.adj_init.resize(graph.nodes().len(), false);
        let widest = graph.nodes().iter().map(|nd| nd.width).max().unwrap_or(0);
        let products = super::thin::scratch_len(widest);
        if self.products.len() < products {
            self.products.resize(products, zero);
        }
        let bilap = if self.layout.has_biharmonic() {
            graph.output_dim() * n
        } else {
            0
        };
        self.bilap.resize(bilap, zero);
        self.bilap_seed.resize(bilap, zero);
    }

    /// The forward pass: the jets of every node at `points` (point-major, `d` numbers per
    /// point), then the biharmonic aggregate of the output if selected. Also clears the output
    /// seed (see [`JetWorkspace::seed`]).
    pub fn forward(&mut self, graph: &Graph, theta: &[T], points: &[T]) -> Result<()> {
        if self.directional {
            return Err(Error::InvalidConfig {
                field: "jet workspace",
                reason: "this workspace carries tangent slots; call forward_directional".into(),
            });
        }
        self.forward_seeded(graph, theta, points, None)
    }

    /// The forward pass of a [`JetWorkspace::new_directional`] workspace: `tangents` holds the
    /// tangent of every slot at every point, slot-major: `tangents[(s·n + p)·d + i]` is
    /// coordinate `i` of slot `s`'s tangent at point `p` (`slots · n · d` numbers). The
    /// tangents are constants: the reverse sweep does not differentiate them.
    ///
    /// # Errors
    ///
    /// As [`JetWorkspace::forward`]; [`Error::DimensionMismatch`] for a wrong number of
    /// tangents, [`Error::InvalidConfig`] for a non-finite one or a workspace made by
    /// [`JetWorkspace::new`].
    pub fn forward_directional(
        &mut self,
        graph: &Graph,
        theta: &[T],
        points: &[T],
        tangents: &[T],
    ) -> Result<()> {
        if !self.directional {
            return Err(Error::InvalidConfig {
                field: "jet workspace",
                reason: "this workspace differentiates along the coordinate axes; make it \
                         with JetWorkspace::new_directional to seed tangents"
                    .into(),
            });
        }
        let n = graph.check(theta, points)?;
        crate::error::check_len(
            "tangents (slots × points × input dimension)",
            self.layout.dim() * n * graph.input_dim(),
            tangents.len(),
        )?;
        if tangents.iter().any(|t| !t.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "tangents",
                reason: "every tangent coordinate must be finite".into(),
            });
        }
        self.forward_seeded(graph, theta, points, Some(tangents))
    }

    fn forward_seeded(
        &mut self,
        graph: &Graph,
        theta: &[T],
        points: &[T],
        tangents: Option<&[T]>,
    ) -> Result<()> {
        self.check_graph(graph)?;
        let n = graph.check(theta, points)?;
        if points.iter().any(|p| !p.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "points",
                reason: "every coordinate must be finite".into(),
            });
        }
        self.resize(graph, n);
        let directional = self.directional;
        let l = &self.layout;
        let c = l.n_components();
        let high = l.max_order() > 2;
        let (zero, one) = (T::zero(), T::one());
        // The input jet: value x, ∂x/∂x_k = e_k (or the tangent of slot k), higher
        // components 0.
        {
            let d = graph.input_dim();
            let x = &mut self.vals[0];
            x.fill(zero);
            x[..d * n].copy_from_slice(points);
            for (a, &k) in l.directions().iter().enumerate() {
                let b = blk_mut(x, d * n, l.first_at(a));
                match tangents {
                    None => {
                        for p in 0..n {
                            b[p * d + k] = one;
                        }
                    }
                    Some(t) => b.copy_from_slice(&t[k * n * d..(k + 1) * n * d]),
                }
            }
        }
        for (i, node) in graph.nodes().iter().enumerate().skip(1) {
            let w = node.width;
            let m = w * n;
            let (before, after) = self.vals.split_at_mut(i);
            let out = &mut after[0][..];
            match node.op {
                NodeOp::Input => {}
                NodeOp::Dense { input, blocks, .. } | NodeOp::Linear { input, blocks, .. } => {
                    // K blocks sharing W: the same memory as K·n points of one block.
                    let (wb, bias, _) = affine_of(node.op, theta, &self.consts);
                    let shape = (w / blocks, graph.nodes()[input].width / blocks);
                    let axes_input = input == 0 && !directional;
                    affine_forward(
                        l,
                        n * blocks,
                        shape,
                        wb,
                        bias,
                        axes_input,
                        &before[input],
                        out,
                        &mut self.products,
                    );
                }
                NodeOp::Gather { input, offset } => {
                    let idx = &graph.indices()[offset..offset + w];
                    let wa = graph.nodes()[input].width;
                    for p in 0..c * n {
                        let a = &before[input][p * wa..(p + 1) * wa];
                        for (o, &k) in out[p * w..(p + 1) * w].iter_mut().zip(idx) {
                            *o = a[k];
                        }
                    }
                }
                NodeOp::Concat(a, b) => {
                    let (wa, wb) = (graph.nodes()[a].width, graph.nodes()[b].width);
                    for p in 0..c * n {
                        let o = &mut out[p * w..(p + 1) * w];
                        o[..wa].copy_from_slice(&before[a][p * wa..(p + 1) * wa]);
                        o[wa..].copy_from_slice(&before[b][p * wb..(p + 1) * wb]);
                    }
                }
                NodeOp::Unary { input, f } => {
                    unary_forward(f, l, m, &before[input], out, &mut self.ders[i]);
                    if high {
                        higher::unary_forward(f, l, m, &before[input], out, &mut self.ders[i]);
                    }
                }
                NodeOp::Add(a, b) | NodeOp::Sub(a, b) => {
                    let sign = if matches!(node.op, NodeOp::Add(..)) {
                        one
                    } else {
                        -one
                    };
                    out.copy_from_slice(&before[a]);
                    axpy(sign, &before[b], out, false);
                }
                NodeOp::Mul(a, b) => {
                    mul_forward(l, m, &before[a], &before[b], out);
                    if high {
                        higher::mul_forward(l, m, &before[a], &before[b], out);
                    }
                }
                NodeOp::Scale { input, alpha, beta } => {
                    axpy(T::from_f64(alpha), &before[input], out, true);
                    let beta = T::from_f64(beta);
                    blk_mut(out, m, 0).iter_mut().for_each(|v| *v += beta);
                }
                NodeOp::ScaleByParam { input, offset, .. } => {
                    // Every component of a scales by the same p.
                    axpy(theta[offset], &before[input], out, true);
                }
                NodeOp::Param { offset } => {
                    // The value b at every point; no derivative with respect to x.
                    out.fill(zero);
                    let b = &theta[offset..offset + w];
                    for o in blk_mut(out, m, 0).chunks_exact_mut(w) {
                        o.copy_from_slice(b);
                    }
                }
            }
        }
        let last = self.adjs.len() - 1;
        self.adjs[last].fill(zero);
        self.bilap_seed.fill(zero);
        if self.layout.has_biharmonic() {
            // Δ²u = Σ_k u_kkkk + 2 Σ_{k<l} u_kkll
            let m = self.widths[last] * n;
            self.bilap.fill(zero);
            for &(idx, factor) in self.layout.biharmonic_terms() {
                let f = T::from_f64(f64::from(factor));
                axpy(f, blk(&self.vals[last], m, idx), &mut self.bilap, false);
            }
        }
        Ok(())
    }

    /// The output jet's component `c` after [`JetWorkspace::forward`]: `m × n` numbers,
    /// output index fastest (for a scalar network, one number per point). For
    /// [`Component::Biharmonic`], the aggregate `Σ_k u_kkkk + 2 Σ_{k<l} u_kkll` summed from the
    /// carried fourth partials after the forward pass.
    ///
    /// ```
    /// use pinn::ad::{jet::{Component, Graph, JetWorkspace, Selection}, Elementary};
    /// use pinn::rng::Seed;
    /// let g = Graph::mlp(&[2, 16, 1], Elementary::Tanh)?;
    /// let theta: Vec<f64> = g.init_params(Seed(0));
    /// let mut ws = JetWorkspace::new(&g, &Selection::new(2).biharmonic())?;
    /// ws.forward(&g, &theta, &[0.1, 0.2, 0.5, 0.5])?;
    /// let [xxxx, xxyy, yyyy] = [[0, 0, 0, 0], [0, 0, 1, 1], [1, 1, 1, 1]]
    ///     .map(|[k, l, m, n]| ws.output(Component::Fourth(k, l, m, n)).unwrap()[1]);
    /// let bilap = ws.output(Component::Biharmonic)?[1];
    /// assert!((bilap - (xxxx + 2.0 * xxyy + yyyy)).abs() <= 1e-12 * bilap.abs().max(1.0));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn output(&self, c: Component) -> Result<&[T]> {
        let idx = self.layout.index(c)?;
        if c == Component::Biharmonic {
            return Ok(&self.bilap);
        }
        let last = self.vals.len() - 1;
        let m = self.widths[last] * self.n;
        Ok(blk(&self.vals[last], m, idx))
    }

    /// The whole output jet: `C` blocks of `m × n`, in the order of [`Layout`] (value, first,
    /// second derivatives, Laplacian, third, fourth partials). The biharmonic aggregate is not
    /// among them (read it with [`JetWorkspace::output`]).
    pub fn output_jet(&self) -> &[T] {
        &self.vals[self.vals.len() - 1]
    }

    /// The seed `∂L/∂(component c of the output)`, to fill before [`JetWorkspace::backward`]:
    /// `m × n` numbers laid out as in [`JetWorkspace::output`]. Cleared by every forward pass.
    ///
    /// The seed of [`Component::Biharmonic`] is a buffer of its own: at the start of
    /// [`JetWorkspace::backward`] it is added onto the seeds of the fourth partials it sums
    /// (`s̄_kkkk += s̄`, `s̄_kkll += 2 s̄`, on top of any seed already there), then cleared.
    pub fn seed(&mut self, c: Component) -> Result<&mut [T]> {
        let idx = self.layout.index(c)?;
        if c == Component::Biharmonic {
            return Ok(&mut self.bilap_seed);
        }
        let last = self.adjs.len() - 1;
        let m = self.widths[last] * self.n;
        Ok(blk_mut(&mut self.adjs[last], m, idx))
    }

    /// The whole output seed: `C` blocks of `m × n`, as [`JetWorkspace::output_jet`]. The
    /// biharmonic seed is not among them (it is [`JetWorkspace::seed`]`(Component::Biharmonic)`
    /// until [`JetWorkspace::backward`] moves it onto the fourth partials here).
    pub fn seed_jet(&mut self) -> &mut [T] {
        let last = self.adjs.len() - 1;
        &mut self.adjs[last]
    }

    /// The reverse sweep: **adds** `∂L/∂θ` to `grad`, where `L = Σ seed · output` over every
    /// seeded component and point (the biharmonic aggregate included). `theta` must be the
    /// parameters of the last forward pass.
    pub fn backward(&mut self, graph: &Graph, theta: &[T], grad: &mut [T]) -> Result<()> {
        self.check_graph(graph)?;
        if theta.len() != graph.n_params() || grad.len() != graph.n_params() {
            return Err(Error::DimensionMismatch {
                what: "parameters θ and gradient",
                expected: graph.n_params(),
                found: if theta.len() != graph.n_params() {
                    theta.len()
                } else {
                    grad.len()
                },
            });
        }
        let n = self.n;
        let last = self.adjs.len() - 1;
        if self.layout.has_biharmonic() {
            // L ∋ s̄·Δ²u = Σ_k s̄·u_kkkk + Σ_{k<l} 2s̄·u_kkll: move the seed onto the partials.
            let m = self.widths[last] * n;
            for &(idx, factor) in self.layout.biharmonic_terms() {
                let seed = blk_mut(&mut self.adjs[last], m, idx);
                axpy(
                    T::from_f64(f64::from(factor)),
                    &self.bilap_seed,
                    seed,
                    false,
                );
            }
            self.bilap_seed.fill(T::zero());
        }
        let directional = self.directional;
        let l = &self.layout;
        let c = l.n_components();
        let high = l.max_order() > 2;
        let (zero, one) = (T::zero(), T::one());
        // Adjoints are written lazily: the first contribution to a node overwrites its buffer
        // (no zero-filling); a node nothing flows into is skipped.
        let init = &mut self.adj_init;
        let needs = &self.trainable;
        init.clear();
        init.resize(self.adjs.len(), false);
        init[last] = true;
        for (i, node) in graph.nodes().iter().enumerate().skip(1).rev() {
            if !init[i] {
                continue;
            }
            let w = node.width;
            let m = w * n;
            let (before, after) = self.adjs.split_at_mut(i);
            // Whether this is the first contribution to node `a` (then marked written).
            let mut first = |a: usize| -> bool { !std::mem::replace(&mut init[a], true) };
            // For operations that only accumulate: zero-fill a node on its first contribution.
            let zeroed = |a: usize, first: bool, before: &mut [Vec<T>]| {
                if first {
                    before[a].fill(zero);
                }
            };
            let gbar = &after[0][..];
            let vals = &self.vals;
            match node.op {
                NodeOp::Input => {}
                NodeOp::Dense { input, blocks, .. } | NodeOp::Linear { input, blocks, .. } => {
                    let (wb, bias, offset) = affine_of(node.op, theta, &self.consts);
                    let (w, w_in) = (w / blocks, graph.nodes()[input].width / blocks);
                    let len = w * w_in + if bias { w } else { 0 };
                    let abar = if needs[input] {
                        let f = first(input);
                        Some((&mut before[input][..], f))
                    } else {
                        None
                    };
                    let gwb = offset.map(|o| &mut grad[o..o + len]);
                    let (shape, a) = ((w, w_in), &vals[input]);
                    let axes_input = input == 0 && !directional;
                    affine_backward(
                        l,
                        n * blocks,
                        shape,
                        wb,
                        bias,
                        axes_input,
                        a,
                        gbar,
                        gwb,
                        abar,
                        &mut self.products,
                    );
                }
                NodeOp::Gather { input, offset } => {
                    if needs[input] {
                        let f = first(input);
                        zeroed(input, f, before);
                        let idx = &graph.indices()[offset..offset + w];
                        let wa = graph.nodes()[input].width;
                        for p in 0..c * n {
                            let g = &gbar[p * w..(p + 1) * w];
                            let ab = &mut before[input][p * wa..(p + 1) * wa];
                            for (&k, &v) in idx.iter().zip(g) {
                                ab[k] += v;
                            }
                        }
                    }
                }
                NodeOp::Concat(a, b) => {
                    let (wa, wb) = (graph.nodes()[a].width, graph.nodes()[b].width);
                    for (x, width, start) in [(a, wa, 0), (b, wb, wa)] {
                        if !needs[x] {
                            continue;
                        }
                        let f = first(x);
                        zeroed(x, f, before);
                        for p in 0..c * n {
                            let g = &gbar[p * w + start..p * w + start + width];
                            let xb = &mut before[x][p * width..(p + 1) * width];
                            xb.iter_mut().zip(g).for_each(|(x, &y)| *x += y);
                        }
                    }
                }
                NodeOp::Unary { input, .. } => {
                    if needs[input] {
                        let f = first(input);
                        let (z, der) = (&vals[input], &self.ders[i]);
                        let zbar = &mut before[input];
                        unary_backward(l, m, z, der, gbar, zbar, &mut self.scratch, f);
                        if high {
                            higher::unary_backward(l, m, z, der, gbar, zbar, f);
                        }
                    }
                }
                NodeOp::Add(a, b) | NodeOp::Sub(a, b) => {
                    let sign = if matches!(node.op, NodeOp::Add(..)) {
                        one
                    } else {
                        -one
                    };
                    for (x, s) in [(a, one), (b, sign)] {
                        if needs[x] {
                            let f = first(x);
                            axpy(s, gbar, &mut before[x], f);
                        }
                    }
                }
                NodeOp::Mul(a, b) => {
                    for (x, y) in [(a, b), (b, a)] {
                        if needs[x] {
                            let f = first(x);
                            zeroed(x, f, before);
                            mul_backward(l, m, gbar, &vals[y], &mut before[x]);
                            if high {
                                higher::mul_backward(l, m, gbar, &vals[y], &mut before[x]);
                            }
                        }
                    }
                }
                NodeOp::Scale { input, alpha, .. } => {
                    if needs[input] {
                        let f = first(input);
                        axpy(T::from_f64(alpha), gbar, &mut before[input], f);
                    }
                }
                NodeOp::ScaleByParam { input, offset, .. } => {
                    // ∂L/∂p = Σ over every component and point of ā·a, in memory order.
                    let dp = gbar
                        .iter()
                        .zip(&vals[input])
                        .fold(T::zero(), |acc, (&g, &a)| acc + g * a);
                    grad[offset] += dp;
                    if needs[input] {
                        let f = first(input);
                        axpy(theta[offset], gbar, &mut before[input], f);
                    }
                }
                NodeOp::Param { offset } => {
                    // ∂L/∂b_i = Σ_p ∂L/∂(value of node i at p), in point order.
                    let g = &mut grad[offset..offset + w];
                    for gp in blk(gbar, m, 0).chunks_exact(w) {
                        g.iter_mut().zip(gp).for_each(|(g, &y)| *g += y);
                    }
                }
            }
        }
        Ok(())
    }
}

/// For every node, whether it depends on `θ`: the reverse sweep only needs adjoints there (the
/// input, and constants computed from it such as a normalisation, need none).
fn depends_on_theta(nodes: &[Node]) -> Vec<bool> {
    let mut dep = vec![false; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        dep[i] = match node.op {
            NodeOp::Input => false,
            NodeOp::Dense { .. } | NodeOp::Param { .. } | NodeOp::ScaleByParam { .. } => true,
            NodeOp::Linear { input, .. }
            | NodeOp::Gather { input, .. }
            | NodeOp::Unary { input, .. }
            | NodeOp::Scale { input, .. } => dep[input],
            NodeOp::Concat(a, b) | NodeOp::Add(a, b) | NodeOp::Sub(a, b) | NodeOp::Mul(a, b) => {
                dep[a] || dep[b]
            }
        };
    }
    dep
}

/// For a dense or constant linear node: its weights-then-bias (from `θ` or from the graph's
/// constants), whether it has a bias, and where its parameters start in `θ` if trainable.
fn affine_of<'a, T>(op: NodeOp, theta: &'a [T], consts: &'a [T]) -> (&'a [T], bool, Option<usize>) {
    match op {
        NodeOp::Dense { offset, bias, .. } => (&theta[offset..], bias, Some(offset)),
        NodeOp::Linear { offset, bias, .. } => (&consts[offset..], bias, None),
        _ => (&[], false, None),
    }
}

/// `z = W a + b` on a jet, `W` column-major `w × w_in` at the start of `wb`, then `b`.
/// When `a` is the input jet seeded with the coordinate axes (`axes_input`; not tangent slots)
/// only its value needs a product: `∂z/∂x_k = W[:, k]`, and every
/// component of order ≥ 2 (second, Laplacian, third, fourth: all blocks after the first
/// derivatives) is zero.
#[allow(clippy::too_many_arguments)]
fn affine_forward<T: Real>(
    l: &Layout,
    n: usize,
    (w, w_in): (usize, usize),
    wb: &[T],
    bias: bool,
    axes_input: bool,
    a: &[T],
    out: &mut [T],
    products: &mut Vec<T>,
) {
    let (zero, one) = (T::zero(), T::one());
    let c = l.n_components();
    let m = w * n;
    let wmat = MatRef::col_major(wb, w, w_in);
    if axes_input {
        let x = MatRef::col_major(a, w_in, n);
        gemm(one, wmat, x, zero, &mut out[..m], products);
        for (dir, &k) in l.directions().iter().enumerate() {
            let col = &wb[k * w..(k + 1) * w];
            for blkp in blk_mut(out, m, l.first_at(dir)).chunks_exact_mut(w) {
                blkp.copy_from_slice(col);
            }
        }
        out[(1 + l.directions().len()) * m..].fill(zero);
    } else {
        gemm(
            one,
            wmat,
            MatRef::col_major(a, w_in, c * n),
            zero,
            out,
            products,
        );
    }
    if bias {
        let b = &wb[w * w_in..w * w_in + w];
        for col in out[..m].chunks_exact_mut(w) {
            for (z, &bi) in col.iter_mut().zip(b) {
                *z += bi;
            }
        }
    }
}

/// The adjoint of [`affine_forward`]: adds `W̄ = Z̄ Aᵀ` and `b̄ = Σ_points Z̄_v` to `gwb` (if
/// trainable) and `Ā = Wᵀ Z̄` to `abar` (if wanted; written rather than added when its flag
/// says this is the first contribution).
#[allow(clippy::too_many_arguments)]
fn affine_backward<T: Real>(
    l: &Layout,
    n: usize,
    (w, w_in): (usize, usize),
    wb: &[T],
    bias: bool,
    axes_input: bool,
    a: &[T],
    gbar: &[T],
    gwb: Option<&mut [T]>,
    abar: Option<(&mut [T], bool)>,
    products: &mut Vec<T>,
) {
    let one = T::one();
    let c = l.n_components();
    let m = w * n;
    let gmat = MatRef::col_major(gbar, w, c * n);
    if let Some(gwb) = gwb {
        let (gw, gb) = gwb.split_at_mut(w * w_in);
        if axes_input {
            // W̄ += Z̄_v Xᵀ + Σ_k (row sums of Z̄_{d_k}) e_kᵀ.
            let x = MatRef::col_major(a, w_in, n);
            gemm(one, MatRef::col_major(gbar, w, n), x.t(), one, gw, products);
            for (dir, &k) in l.directions().iter().enumerate() {
                let col = &mut gw[k * w..(k + 1) * w];
                for gp in blk(gbar, m, l.first_at(dir)).chunks_exact(w) {
                    col.iter_mut().zip(gp).for_each(|(g, &v)| *g += v);
                }
            }
        } else {
            gemm(
                one,
                gmat,
                MatRef::col_major(a, w_in, c * n).t(),
                one,
                gw,
                products,
            );
        }
        if bias {
            for col in gbar[..m].chunks_exact(w) {
                gb.iter_mut().zip(col).for_each(|(g, &v)| *g += v);
            }
        }
    }
    if let Some((abar, overwrite)) = abar {
        let wmat = MatRef::col_major(wb, w, w_in);
        let beta = if overwrite { T::zero() } else { one };
        gemm(one, wmat.t(), gmat, beta, abar, products);
    }
}
