//! The FBPINN model: a windowed sum of subdomain networks behind the [`Model`] seam.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::decomposition::Decomposition;
use super::window::{SIGMOID_SCALE, Window};
use crate::ad::jet::{Component, Graph, GraphBuilder, NodeId};
use crate::ad::{Elementary, Real};
use crate::error::{Error, Result, check_len};
use crate::model::{Batch, GraphWorkspace, Model};
use crate::rng::Seed;

/// A finite-basis PINN (Moseley, Markham & Nissen-Meyer 2023; multilevel: Dolean, Heinlein,
/// Mishra & Moseley 2024; specs §3.1 and §3.3) as a [`Model`]:
///
/// `u(x) = Σ_j g_j(x)`, `g_j(x) = w̃_j(x) · (σ_out · N_j((x − μ_j)/s_j) + μ_out)`,
///
/// summed over the subdomains `j` whose closed support contains `x`. `N_j` is an MLP (the
/// given hidden widths and activation, linear output), `(μ_j, s_j)` the subdomain's
/// normalisation ([`Subdomain::centre`](super::Subdomain::centre),
/// [`Subdomain::half_width`](super::Subdomain::half_width)), `(μ_out, σ_out)` the shared
/// output unnormalisation, and `w̃_j` the window, built from graph nodes of `x` so that its
/// derivatives flow through the jets:
///
/// - [`Window::Sigmoid`] (the original family): the raw sigmoid product
///   `Π_d σ((x_d − x_j)/(0.05 o_j)) · σ((x_{j+1} − x_d)/(0.05 o_{j+1}))`, not normalised,
///   **without** the `1e-10` floor of [`SigmoidWindow`](super::SigmoidWindow). The floor is
///   never active where the window is evaluated: on the support
///   `[x_j − o_j/2, x_{j+1} + o_{j+1}/2]` every argument is `≥ −(o/2)/(0.05 o) = −10` (up to
///   rounding), and
///   `σ(−10) ≈ 4.5·10⁻⁵ > 10⁻¹⁰`.
/// - [`Window::Cosine`] (the library and multilevel family): the partition of unity of the
///   subdomain's level at `x`, `ŵ_j(x) / Σ_{k ∈ C_ℓ(x)} ŵ_k(x)` with `ŵ = Π_d cos⁴(π z_d/2)`
///   and `C_ℓ(x)` the subdomains of `j`'s level whose closed support contains `x`, times
///   `1/L` for the average over the `L` levels. The analytic `cos⁴` does not vanish outside a
///   support, so the set `C_ℓ(x)` cannot be fixed per subdomain: the points of subdomain `j`
///   are grouped by `C_ℓ(x)`, and each group runs a graph whose denominator sums exactly that
///   set (the groups share `N_j`'s parameters). A group with `C_ℓ(x) = {j}` has the constant
///   window `1/L` (the quotient `ŵ_j/ŵ_j` is 1 wherever it is defined).
/// - [`Window::One`] (the only subdomain of its level): `1/L`.
///
/// The result equals the scalar formula of [`multilevel_average`](super::multilevel_average)
/// (or the raw sigmoid windows) times the networks, derivatives included.
///
/// With a hard constraint ([`Fbpinn::with_hard_constraint`]) the model is
/// `u(x) = A(x) + B(x)·Σ_j g_j(x)`: `B` multiplies every `g_j` inside its graph and the
/// parameter-free `A` is one more graph run on every point.
///
/// Each point visits only the subdomain networks that cover it. A point covered by no
/// subdomain (outside the domain box; a validated decomposition covers every point of the box)
/// gets the values 0 (`A(x)` with a hard constraint). The parameters are the subdomain
/// networks' `θ_j` concatenated in subdomain order, all of the same length.
///
/// ```
/// use pinn::ad::Elementary;
/// use pinn::model::{Model, evaluate};
/// use pinn::nets::fbpinn::{Decomposition, Fbpinn, overlap_from_width, uniform_edges};
/// use pinn::rng::Seed;
///
/// let edges = uniform_edges(0.0, 3.0, 3)?;
/// let overlaps = overlap_from_width(&edges, 0.5)?;
/// let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
/// let model = Fbpinn::new(dec, &[8, 8], 1, Elementary::Tanh, (0.0, 1.0))?;
/// let theta: Vec<f64> = model.init_params(Seed(0));
/// assert_eq!(theta.len(), 3 * model.n_params_per_subdomain());
/// let u = evaluate(&model, &theta, &[0.2, 1.0, 2.9])?;
/// assert_eq!(u.len(), 3);
/// assert!(u.iter().all(|v| v.is_finite()));
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fbpinn {
    dec: Decomposition,
    hard: Option<Hard>,
    hidden: Vec<usize>,
    outputs: usize,
    activation: Elementary,
    unnorm: (f64, f64),
    /// The graph of each subdomain with the group `{j}` (for `init_params`).
    base: Vec<Graph>,
    n_sub: usize,
    /// Which subdomains may cover a point, by cell of a grid over the domain box.
    index: CoverIndex,
}

impl Fbpinn {
    /// The FBPINN on `decomposition`: per subdomain an MLP with `hidden` widths, `activation`
    /// and `outputs` outputs, and the shared output unnormalisation `unnorm = (μ_out, σ_out)`.
    ///
    /// Errors (`InvalidConfig`): `"outputs"` is 0; `"unnorm"` not finite with `σ_out > 0`;
    /// a hidden width of 0 (the graph's own error).
    pub fn new(
        decomposition: Decomposition,
        hidden: &[usize],
        outputs: usize,
        activation: Elementary,
        unnorm: (f64, f64),
    ) -> Result<Self> {
        if outputs == 0 {
            return Err(Error::InvalidConfig {
                field: "outputs",
                reason: "at least 1 output needed, found 0".into(),
            });
        }
        let (mu, sigma) = unnorm;
        if !(mu.is_finite() && sigma.is_finite() && sigma > 0.0) {
            return Err(Error::InvalidConfig {
                field: "unnorm",
                reason: format!("(μ_out, σ_out) = ({mu}, {sigma}) is not finite with σ_out > 0"),
            });
        }
        let index = CoverIndex::new(&decomposition);
        let mut model = Fbpinn {
            dec: decomposition,
            hard: None,
            hidden: hidden.to_vec(),
            outputs,
            activation,
            unnorm,
            base: Vec::new(),
            n_sub: 0,
            index,
        };
        model.build_base()?;
        Ok(model)
    }

    fn build_base(&mut self) -> Result<()> {
        let base = (0..self.dec.len())
            .map(|j| self.sub_graph(j, &[j]))
            .collect::<Result<Vec<_>>>()?;
        self.n_sub = base[0].n_params();
        self.base = base;
        Ok(())
    }

    /// The hard constraint `u(x) = A(x) + B(x)·Σ_j g_j(x)` (Lagaris et al. 1998; see
    /// [`pde::hard`](crate::pde::hard) for building blocks): `a` and `b` add `A` and `B` to a
    /// graph builder from its input node `x`, without parameters. `A` has one feature per
    /// output; `B` one per output, or one shared by all outputs. The parameters and their
    /// initialisation are unchanged.
    ///
    /// Errors (`InvalidConfig`): the builders' own errors; on `"hard_constraint.a"` or
    /// `"hard_constraint.b"`, a width other than allowed, or trainable parameters.
    ///
    /// ```
    /// use pinn::ad::Elementary;
    /// use pinn::model::{Model, evaluate};
    /// use pinn::nets::fbpinn::{Decomposition, Fbpinn, overlap_from_width, uniform_edges};
    /// use pinn::pde::hard;
    /// use pinn::rng::Seed;
    ///
    /// let edges = uniform_edges(0.0, 1.0, 2)?;
    /// let overlaps = overlap_from_width(&edges, 0.5)?;
    /// let dec = Decomposition::from_edges(&[edges], &[overlaps])?;
    /// // u(0) = 1, u(1) = 0: A = 1 − x, B = x(1 − x).
    /// let model = Fbpinn::new(dec, &[8], 1, Elementary::Tanh, (0.0, 1.0))?
    ///     .with_hard_constraint(
    ///         |b, x| hard::affine_coordinate(b, x, 0, -1.0, 1.0),
    ///         |b, x| hard::vanish_on_box(b, x, &[0.0], &[1.0], &[0]),
    ///     )?;
    /// let theta: Vec<f64> = model.init_params(Seed(0));
    /// assert_eq!(evaluate(&model, &theta, &[0.0, 1.0])?, vec![1.0, 0.0]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn with_hard_constraint(
        mut self,
        a: impl Fn(&mut GraphBuilder, NodeId) -> NodeId + Send + Sync + 'static,
        b: impl Fn(&mut GraphBuilder, NodeId) -> NodeId + Send + Sync + 'static,
    ) -> Result<Self> {
        let (d, m) = (self.dec.dim(), self.outputs);
        let piece = |f: &dyn Fn(&mut GraphBuilder, NodeId) -> NodeId,
                     field: &'static str,
                     widths: &[usize]|
         -> Result<Graph> {
            let mut gb = GraphBuilder::new(d);
            let x = gb.input();
            let out = f(&mut gb, x);
            let g = gb.build(out)?;
            if !widths.contains(&g.output_dim()) || g.n_params() != 0 {
                return Err(Error::InvalidConfig {
                    field,
                    reason: format!(
                        "{} features and {} parameters; {widths:?} features and no parameter \
                         allowed",
                        g.output_dim(),
                        g.n_params()
                    ),
                });
            }
            Ok(g)
        };
        let a_graph = piece(&a, "hard_constraint.a", &[m])?;
        piece(&b, "hard_constraint.b", &[1, m])?;
        self.hard = Some(Hard {
            a: a_graph,
            b: Arc::new(b),
        });
        self.build_base()?;
        Ok(self)
    }

    /// `θ` with subdomain `j`'s network initialised by `init(graph_j, seed.derive(j))`, for
    /// an initialisation other than [`Model::init_params`]'s (the FBPINN codes use
    /// [`fan_in_uniform`](crate::nets::fan_in_uniform)). `graph_j` is the subdomain's whole
    /// graph (normalisation, network, window); only its dense layers hold parameters.
    ///
    /// Errors: `init` returns a vector of the wrong length (`DimensionMismatch`).
    ///
    /// ```
    /// use pinn::ad::Elementary;
    /// use pinn::model::Model;
    /// use pinn::nets::fan_in_uniform;
    /// use pinn::nets::fbpinn::{Decomposition, Fbpinn};
    /// use pinn::rng::Seed;
    /// let dec = Decomposition::multilevel(&[0.0], &[1.0], 2, 1.9)?;
    /// let model = Fbpinn::new(dec, &[32], 1, Elementary::Tanh, (0.0, 1.0))?;
    /// let theta: Vec<f64> = model.init_params_with(Seed(0), fan_in_uniform)?;
    /// assert_eq!(theta.len(), Model::<f64>::n_params(&model));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn init_params_with<T: Real>(
        &self,
        seed: Seed,
        init: impl Fn(&Graph, Seed) -> Vec<T>,
    ) -> Result<Vec<T>> {
        let mut theta = Vec::with_capacity(self.n_sub * self.base.len());
        for (j, g) in self.base.iter().enumerate() {
            let t = init(g, seed.derive(j as u64));
            check_len("fbpinn init (one subdomain)", self.n_sub, t.len())?;
            theta.extend(t);
        }
        Ok(theta)
    }

    /// The decomposition.
    pub fn decomposition(&self) -> &Decomposition {
        &self.dec
    }

    /// The number of parameters of one subdomain network; subdomain `j`'s are
    /// `θ[j·n .. (j + 1)·n]`, laid out as [`Graph::mlp`] on `[d, hidden…, outputs]` lays them.
    pub fn n_params_per_subdomain(&self) -> usize {
        self.n_sub
    }

    /// The graph `g_j` of subdomain `j` for the points whose same-level covering set is
    /// `group` (used only by the cosine window; ignored otherwise).
    fn sub_graph(&self, j: usize, group: &[usize]) -> Result<Graph> {
        let d = self.dec.dim();
        let m = self.outputs;
        let subs = self.dec.subdomains();
        let s = &subs[j];
        let mut b = GraphBuilder::new(d);
        let x = b.input();
        // x̂ = (x − μ_j)/s_j, then the MLP and the unnormalisation.
        let mut w = vec![0.0; d * d];
        for i in 0..d {
            w[i + i * d] = 1.0 / s.half_width()[i];
        }
        let bias: Vec<f64> = (0..d).map(|i| -s.centre()[i] / s.half_width()[i]).collect();
        let mut h = b.linear(x, d, &w, Some(&bias));
        for &width in &self.hidden {
            h = b.dense(h, width);
            h = b.unary(h, self.activation);
        }
        let n = b.dense(h, m);
        let u = b.scale(n, self.unnorm.1, self.unnorm.0);
        let inv_l = 1.0 / self.dec.n_levels() as f64;
        // A width-1 window node, or None for the constant window.
        let window: Option<NodeId> = match s.window() {
            Window::One => None,
            Window::Sigmoid(sw) => {
                let mut prod: Option<NodeId> = None;
                for (dim, (left, right)) in sw.sides().iter().enumerate() {
                    for (side, sign) in [(left, 1.0), (right, -1.0)] {
                        if let Some(side) = side {
                            // σ(±(x_d − edge)/(0.05·o))
                            let k = sign / (SIGMOID_SCALE * side.overlap);
                            let mut row = vec![0.0; d];
                            row[dim] = k;
                            let z = b.linear(x, 1, &row, Some(&[-k * side.edge]));
                            let f = b.unary(z, Elementary::Sigmoid);
                            prod = Some(match prod {
                                None => f,
                                Some(p) => b.mul(p, f),
                            });
                        }
                    }
                }
                prod.map(|p| b.scale(p, inv_l, 0.0))
            }
            Window::Cosine(_) if group.len() <= 1 => None,
            Window::Cosine(_) => {
                let mut raw_j = None;
                let mut sum: Option<NodeId> = None;
                for &k in group {
                    let r = cosine_node(&mut b, x, subs[k].centre(), subs[k].half_width());
                    if k == j {
                        raw_j = Some(r);
                    }
                    sum = Some(match sum {
                        None => r,
                        Some(t) => b.add(t, r),
                    });
                }
                match (raw_j, sum) {
                    (Some(r), Some(t)) => {
                        let inv = b.unary(t, Elementary::Recip);
                        let q = b.mul(r, inv);
                        Some(b.scale(q, inv_l, 0.0))
                    }
                    _ => {
                        b.fail(
                            "fbpinn.group",
                            format!("subdomain {j} is not in its own group {group:?}"),
                        );
                        None
                    }
                }
            }
        };
        let out = match window {
            None if inv_l == 1.0 => u,
            None => b.scale(u, inv_l, 0.0),
            Some(wn) => {
                let wm = broadcast(&mut b, wn, m);
                b.mul(wm, u)
            }
        };
        let out = match &self.hard {
            None => out,
            Some(h) => {
                let bn = (h.b)(&mut b, x);
                let bm = broadcast(&mut b, bn, m);
                b.mul(bm, out)
            }
        };
        b.build(out)
    }

    /// Appends to `out` the subdomains (increasing) whose support contains `x` **with the
    /// bounds rounded to `T`** (`bounds[j·d + i]`, see [`Fbpinn::rounded_bounds`]): a point
    /// on the domain boundary rounds outward in `f32` (`f32(−2π) < −2π`) and would otherwise
    /// fall outside every support and read 0. Only the subdomains the index lists for `x`'s
    /// cell are tested, so the work is about the number that cover it.
    fn covering_in(&self, x: &[f64], bounds: &[(f64, f64)], out: &mut Vec<usize>) {
        let d = x.len();
        for &j in self.index.candidates(x) {
            let j = j as usize;
            let b = &bounds[j * d..(j + 1) * d];
            if x.iter().zip(b).all(|(&v, &(lo, hi))| lo <= v && v <= hi) {
                out.push(j);
            }
        }
    }

    /// Every subdomain's support bounds rounded to `T`, `[(lo, hi)]` row-major by subdomain.
    fn rounded_bounds<T: Real>(&self) -> Vec<(f64, f64)> {
        let r = |v: f64| T::from_f64(v).to_f64();
        (self.dec.subdomains().iter())
            .flat_map(|s| s.lo().iter().zip(s.hi()).map(move |(&l, &h)| (r(l), r(h))))
            .collect()
    }
}

/// A uniform grid of cells over the domain box, each listing (increasing) the subdomains
/// whose support, widened a little for rounding, meets the cell: the candidates a point in
/// that cell is tested against. Points outside the box use the nearest cell (their exact
/// test rejects what does not cover them).
#[derive(Clone, Debug)]
struct CoverIndex {
    lo: Vec<f64>,
    /// Cells per unit length, per dimension.
    scale: Vec<f64>,
    cells: Vec<usize>,
    lists: Vec<Vec<u32>>,
}

impl CoverIndex {
    /// At most this many cells in all.
    const MAX_CELLS: usize = 1 << 16;

    fn new(dec: &Decomposition) -> Self {
        let d = dec.dim();
        let j = dec.len();
        // About 2 cells per subdomain per dimension at the finest level, within MAX_CELLS.
        let per_dim = ((j as f64).powf(1.0 / d as f64).ceil() as usize * 2).max(1);
        let cap = (Self::MAX_CELLS as f64)
            .powf(1.0 / d as f64)
            .floor()
            .max(1.0) as usize;
        let cells: Vec<usize> = vec![per_dim.min(cap); d];
        let (lo, hi) = (dec.lo().to_vec(), dec.hi().to_vec());
        let scale: Vec<f64> = (0..d).map(|i| cells[i] as f64 / (hi[i] - lo[i])).collect();
        let total: usize = cells.iter().product();
        let mut lists = vec![Vec::new(); total];
        for s in dec.subdomains() {
            // The cell ranges of the support, widened by 1e-5 of the box (f32 rounding).
            let ranges: Vec<(usize, usize)> = (0..d)
                .map(|i| {
                    let pad = 1e-5 * (hi[i] - lo[i]).max(lo[i].abs()).max(hi[i].abs());
                    let cell = |v: f64| {
                        (((v - lo[i]) * scale[i]).floor().max(0.0) as usize).min(cells[i] - 1)
                    };
                    (cell(s.lo()[i] - pad), cell(s.hi()[i] + pad))
                })
                .collect();
            let mut at = vec![0usize; d];
            for (k, r) in at.iter_mut().zip(&ranges) {
                *k = r.0;
            }
            loop {
                let mut flat = 0;
                for i in 0..d {
                    flat = flat * cells[i] + at[i];
                }
                lists[flat].push(s.index() as u32);
                // Next cell of the box of ranges, last dimension fastest.
                let mut i = d;
                loop {
                    if i == 0 {
                        break;
                    }
                    i -= 1;
                    if at[i] < ranges[i].1 {
                        at[i] += 1;
                        break;
                    }
                    at[i] = ranges[i].0;
                }
                if at.iter().zip(&ranges).all(|(a, r)| *a == r.0) {
                    break;
                }
            }
        }
        CoverIndex {
            lo,
            scale,
            cells,
            lists,
        }
    }

    /// The subdomains that may cover `x` (increasing).
    fn candidates(&self, x: &[f64]) -> &[u32] {
        let mut flat = 0;
        for (i, &v) in x.iter().enumerate() {
            let c = ((v - self.lo[i]) * self.scale[i]).floor().max(0.0) as usize;
            flat = flat * self.cells[i] + c.min(self.cells[i] - 1);
        }
        &self.lists[flat]
    }
}

/// A one-feature node repeated to `m` features (unchanged if it has `m` already).
fn broadcast(b: &mut GraphBuilder, a: NodeId, m: usize) -> NodeId {
    if b.width(a) == m {
        a
    } else {
        b.linear(a, m, &vec![1.0; m], None)
    }
}

/// Adds a parameter-free piece of graph (`B` of a hard constraint) from the input node.
type Piece = Arc<dyn Fn(&mut GraphBuilder, NodeId) -> NodeId + Send + Sync>;

/// The parts of a hard constraint: the graph of `A`, and the builder of `B`.
#[derive(Clone)]
struct Hard {
    a: Graph,
    b: Piece,
}

impl core::fmt::Debug for Hard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hard")
            .field("a", &self.a)
            .finish_non_exhaustive()
    }
}

/// `ŵ(x) = Π_d ((1 + cos(π (x_d − μ_d)/s_d))/2)²` as width-1 graph nodes.
fn cosine_node(b: &mut GraphBuilder, x: NodeId, centre: &[f64], half: &[f64]) -> NodeId {
    let d = centre.len();
    let mut prod: Option<NodeId> = None;
    for dim in 0..d {
        let k = core::f64::consts::PI / half[dim];
        let mut row = vec![0.0; d];
        row[dim] = k;
        let z = b.linear(x, 1, &row, Some(&[-k * centre[dim]]));
        let c = b.unary(z, Elementary::Cos);
        let h = b.scale(c, 0.5, 0.5);
        let f = b.mul(h, h);
        prod = Some(match prod {
            None => f,
            Some(p) => b.mul(p, f),
        });
    }
    // `d ≥ 1` for every decomposition.
    prod.unwrap_or(x)
}

/// One group of points of one subdomain: its graph and the points it runs on.
#[derive(Clone, Debug)]
struct Part<T> {
    graph: Graph,
    ws: GraphWorkspace<T>,
    idx: Vec<usize>,
    pts: Vec<T>,
    vals: Vec<T>,
    seeds: Vec<T>,
}

/// The working memory of an [`Fbpinn`] for one list of components: per subdomain, a graph
/// workspace per group of points (see [`Fbpinn`]), built the first time the group occurs.
#[derive(Clone, Debug)]
pub struct FbpinnWorkspace<T> {
    components: Vec<Component>,
    /// The workspace of `A` and its values, with a hard constraint.
    hard: Option<(GraphWorkspace<T>, Vec<T>)>,
    parts: Vec<BTreeMap<Vec<usize>, Part<T>>>,
    visited: Vec<usize>,
    xs: Vec<f64>,
    n_points: usize,
    /// The supports' bounds rounded to `T` ([`Fbpinn::rounded_bounds`]).
    bounds: Vec<(f64, f64)>,
    /// One point's covering subdomains (scratch).
    covering: Vec<usize>,
}

impl<T> FbpinnWorkspace<T> {
    /// The number of points subdomain `j`'s graphs have been run on by the forward passes of
    /// this workspace, all groups together (0 for `j` out of range).
    pub fn visited(&self, j: usize) -> usize {
        self.visited.get(j).copied().unwrap_or(0)
    }
}

impl<T: Real> Model<T> for Fbpinn {
    type Workspace = FbpinnWorkspace<T>;

    fn input_dim(&self) -> usize {
        self.dec.dim()
    }
    fn output_dim(&self) -> usize {
        self.outputs
    }
    fn n_params(&self) -> usize {
        self.n_sub * self.dec.len()
    }
    /// Subdomain `j`'s network from `seed.derive(j)` ([`Graph::init_params`]).
    fn init_params(&self, seed: Seed) -> Vec<T> {
        let mut theta = Vec::with_capacity(self.n_sub * self.base.len());
        for (j, g) in self.base.iter().enumerate() {
            theta.extend(g.init_params::<T>(seed.derive(j as u64)));
        }
        theta
    }

    fn workspace(&self, components: &[Component]) -> Result<FbpinnWorkspace<T>> {
        // Validates the components once, on the first subdomain's graph.
        Model::<T>::workspace(&self.base[0], components)?;
        let hard = match &self.hard {
            None => None,
            Some(h) => Some((Model::<T>::workspace(&h.a, components)?, Vec::new())),
        };
        Ok(FbpinnWorkspace {
            components: components.to_vec(),
            hard,
            parts: vec![BTreeMap::new(); self.dec.len()],
            visited: vec![0; self.dec.len()],
            xs: Vec::new(),
            n_points: 0,
            bounds: self.rounded_bounds::<T>(),
            covering: Vec::new(),
        })
    }

    /// Errors: `θ` or `values` of the wrong length, points not whole, a workspace made by a
    /// model with another number of subdomains (`DimensionMismatch`); a workspace made by a
    /// model with or without a hard constraint where this one differs (`InvalidConfig` on
    /// `"workspace"`); a coordinate not finite (`InvalidConfig` on `"points"`); a point where
    /// the cosine windows of a level that covers it all vanish (`"points"`: a validated
    /// decomposition puts every point of the domain box inside some support of each level,
    /// so this happens outside the box, or within rounding of the ends of the supports).
    fn forward(
        &self,
        ws: &mut FbpinnWorkspace<T>,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()> {
        let (d, m, nc) = (self.dec.dim(), self.outputs, ws.components.len());
        check_len("fbpinn θ", Model::<T>::n_params(self), theta.len())?;
        check_len(
            "fbpinn workspace (subdomains)",
            self.dec.len(),
            ws.parts.len(),
        )?;
        ws.xs.clear();
        ws.xs.extend(batch.points.iter().map(|v| v.to_f64()));
        if let Some(i) = ws.xs.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "points",
                reason: format!("coordinate {i} is {}, not finite", ws.xs[i]),
            });
        }
        let n = ws.xs.len() / d;
        check_len(
            "model values (points × components × outputs)",
            n * nc * m,
            values.len(),
        )?;
        ws.n_points = n;
        for parts in &mut ws.parts {
            for part in parts.values_mut() {
                part.idx.clear();
                part.pts.clear();
            }
        }
        let subs = self.dec.subdomains();
        check_len(
            "fbpinn workspace (support bounds)",
            subs.len() * d,
            ws.bounds.len(),
        )?;
        let mut covering = std::mem::take(&mut ws.covering);
        for p in 0..n {
            let x = &ws.xs[p * d..(p + 1) * d];
            covering.clear();
            self.covering_in(x, &ws.bounds, &mut covering);
            // Subdomains are stored level by level: each level's covering set is a run.
            let mut a = 0;
            while a < covering.len() {
                let level = subs[covering[a]].level();
                let b = a + covering[a..]
                    .iter()
                    .take_while(|&&k| subs[k].level() == level)
                    .count();
                let run = &covering[a..b];
                a = b;
                let cosine = |j: usize| matches!(subs[j].window(), Window::Cosine(_));
                if run.len() > 1 && cosine(run[0]) {
                    let mut sum = 0.0;
                    for &k in run {
                        sum += subs[k].window().eval(x)?;
                    }
                    if !(sum.is_finite() && sum > 0.0) {
                        return Err(Error::InvalidConfig {
                            field: "points",
                            reason: format!(
                                "point {p} {x:?}: the windows of level {level} all vanish there"
                            ),
                        });
                    }
                }
                for &j in run {
                    // The key of the graph this point runs: its level's covering set for a
                    // cosine window, nothing otherwise.
                    let key: &[usize] = if cosine(j) { run } else { &[] };
                    if !ws.parts[j].contains_key(key) {
                        let own = [j];
                        let graph = self.sub_graph(j, if key.is_empty() { &own } else { key })?;
                        let gws = Model::<T>::workspace(&graph, &ws.components)?;
                        ws.parts[j].insert(
                            key.to_vec(),
                            Part {
                                graph,
                                ws: gws,
                                idx: Vec::new(),
                                pts: Vec::new(),
                                vals: Vec::new(),
                                seeds: Vec::new(),
                            },
                        );
                    }
                    if let Some(part) = ws.parts[j].get_mut(key) {
                        part.idx.push(p);
                        part.pts
                            .extend_from_slice(&batch.points[p * d..(p + 1) * d]);
                    }
                }
            }
        }
        ws.covering = covering;
        match (&self.hard, &mut ws.hard) {
            (Some(h), Some((aws, avals))) => {
                avals.clear();
                avals.resize(values.len(), T::zero());
                h.a.forward(aws, &[], batch, avals)?;
                values.copy_from_slice(avals);
            }
            (None, None) => values.fill(T::zero()),
            _ => {
                return Err(Error::InvalidConfig {
                    field: "workspace",
                    reason: "made by a model with a different hard constraint".into(),
                });
            }
        }
        let w = nc * m;
        // Subdomains in order, groups in key order: each point's sum, and each subdomain's
        // gradient in `backward`, depend only on the chunk, never on the workspace's history.
        for (j, parts) in ws.parts.iter_mut().enumerate() {
            let th = &theta[j * self.n_sub..(j + 1) * self.n_sub];
            for part in parts.values_mut().filter(|p| !p.idx.is_empty()) {
                ws.visited[j] += part.idx.len();
                part.vals.clear();
                part.vals.resize(part.idx.len() * w, T::zero());
                let sub = Batch {
                    points: &part.pts,
                    ..*batch
                };
                part.graph.forward(&mut part.ws, th, &sub, &mut part.vals)?;
                for (q, &p) in part.idx.iter().enumerate() {
                    for (v, &a) in values[p * w..(p + 1) * w]
                        .iter_mut()
                        .zip(&part.vals[q * w..(q + 1) * w])
                    {
                        *v += a;
                    }
                }
            }
        }
        Ok(())
    }

    fn backward(
        &self,
        ws: &mut FbpinnWorkspace<T>,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()> {
        let np = Model::<T>::n_params(self);
        check_len("fbpinn θ", np, theta.len())?;
        check_len(
            "fbpinn workspace (subdomains)",
            self.dec.len(),
            ws.parts.len(),
        )?;
        check_len("fbpinn gradient", np, grad.len())?;
        let w = ws.components.len() * self.outputs;
        check_len(
            "model seeds (points × components × outputs)",
            ws.n_points * w,
            seeds.len(),
        )?;
        for (j, parts) in ws.parts.iter_mut().enumerate() {
            let range = j * self.n_sub..(j + 1) * self.n_sub;
            for part in parts.values_mut().filter(|p| !p.idx.is_empty()) {
                part.seeds.clear();
                for &p in &part.idx {
                    part.seeds.extend_from_slice(&seeds[p * w..(p + 1) * w]);
                }
                part.graph.backward(
                    &mut part.ws,
                    &theta[range.clone()],
                    &part.seeds,
                    &mut grad[range.clone()],
                )?;
            }
        }
        Ok(())
    }
}
