//! The model seam proved by a second implementation: `Blend`, a sum of windowed sub-networks
//! where each point visits only the sub-networks whose support covers it (the shape of an
//! FBPINN). Its values, input derivatives and θ-gradients are checked
//!
//! - against the same network written as one graph (both supports cover everything), to
//!   1e-12 relative, directly and through the loss assembly;
//! - against the scalar hyper-dual path, sub-network by sub-network, where the supports are
//!   partial (each point sums only the sub-networks that cover it);
//! - against central finite differences in θ;
//!
//! and a trainer runs on it with the same bits on 1 and 2 threads.

mod common;

use common::jets::{assert_close, random_vec};
use pinn::ad::jet::{Component, Graph, GraphBuilder, NodeId};
use pinn::ad::{Dual, Elementary, HyperDual, Real, Scalar};
use pinn::model::{Batch, GraphWorkspace, Model};
use pinn::optim::Adam;
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind, Trainer};

const COMPS: [Component; 9] = [
    Component::Value,
    Component::First(0),
    Component::First(1),
    Component::Second(0, 0),
    Component::Second(0, 1),
    Component::Laplacian,
    Component::Third(0, 0, 1),
    Component::Fourth(0, 0, 1, 1),
    Component::Biharmonic,
];

/// Adds `w(x)·N(x)` to a builder: the window `w = σ((x₀ − a)/h)·σ((b − x₀)/h)` (constant
/// nodes) times a 2-8-8-1 tanh network.
fn windowed(b: &mut GraphBuilder, x: NodeId, (a, bnd): (f64, f64), h: f64) -> NodeId {
    let left = b.linear(x, 1, &[1.0 / h, 0.0], Some(&[-a / h]));
    let left = b.unary(left, Elementary::Sigmoid);
    let right = b.linear(x, 1, &[-1.0 / h, 0.0], Some(&[bnd / h]));
    let right = b.unary(right, Elementary::Sigmoid);
    let w = b.mul(left, right);
    let mut u = x;
    for width in [8, 8] {
        u = b.dense(u, width);
        u = b.unary(u, Elementary::Tanh);
    }
    let u = b.dense(u, 1);
    b.mul(w, u)
}

const WINDOWS: [(f64, f64); 2] = [(-0.1, 0.55), (0.45, 1.1)];
const H: f64 = 0.08;

fn sub_graph(i: usize) -> Graph {
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    let out = windowed(&mut b, x, WINDOWS[i], H);
    b.build(out).unwrap()
}

/// Both windowed networks summed in one graph (the parameters of the first, then the second).
fn one_graph() -> Graph {
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    let u0 = windowed(&mut b, x, WINDOWS[0], H);
    let u1 = windowed(&mut b, x, WINDOWS[1], H);
    let out = b.add(u0, u1);
    b.build(out).unwrap()
}

/// A sum of sub-networks, each evaluated only at the points of its support `lo ≤ x₀ ≤ hi`.
struct Blend {
    subs: Vec<(Graph, f64, f64)>,
}

impl Blend {
    fn new(supports: [(f64, f64); 2]) -> Self {
        Blend {
            subs: (0..2)
                .map(|i| (sub_graph(i), supports[i].0, supports[i].1))
                .collect(),
        }
    }
    fn offsets(&self) -> Vec<usize> {
        let mut o = vec![0];
        for (g, _, _) in &self.subs {
            o.push(o.last().unwrap() + g.n_params());
        }
        o
    }
}

struct SubWs<T> {
    ws: GraphWorkspace<T>,
    /// The batch points this sub-network covers, their coordinates, values and seeds.
    idx: Vec<usize>,
    pts: Vec<T>,
    vals: Vec<T>,
    seeds: Vec<T>,
    /// Points visited so far (for the test).
    visited: usize,
}

struct BlendWs<T> {
    subs: Vec<SubWs<T>>,
    c: usize,
}

impl<T: Real> Model<T> for Blend {
    type Workspace = BlendWs<T>;
    fn input_dim(&self) -> usize {
        2
    }
    fn output_dim(&self) -> usize {
        1
    }
    fn n_params(&self) -> usize {
        *self.offsets().last().unwrap()
    }
    fn init_params(&self, seed: Seed) -> Vec<T> {
        let mut theta = Vec::new();
        for (i, (g, _, _)) in self.subs.iter().enumerate() {
            theta.extend(g.init_params::<T>(seed.derive(i as u64)));
        }
        theta
    }
    fn workspace(&self, components: &[Component]) -> pinn::Result<BlendWs<T>> {
        let mut subs = Vec::new();
        for (g, _, _) in &self.subs {
            subs.push(SubWs {
                ws: Model::<T>::workspace(g, components)?,
                idx: Vec::new(),
                pts: Vec::new(),
                vals: Vec::new(),
                seeds: Vec::new(),
                visited: 0,
            });
        }
        Ok(BlendWs {
            subs,
            c: components.len(),
        })
    }
    fn forward(
        &self,
        ws: &mut BlendWs<T>,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> pinn::Result<()> {
        let c = ws.c;
        values.fill(T::zero());
        let off = self.offsets();
        for (i, ((g, lo, hi), s)) in self.subs.iter().zip(&mut ws.subs).enumerate() {
            s.idx.clear();
            s.pts.clear();
            for (p, x) in batch.points.chunks_exact(2).enumerate() {
                let x0 = x[0].to_f64();
                if *lo <= x0 && x0 <= *hi {
                    s.idx.push(p);
                    s.pts.extend_from_slice(x);
                }
            }
            s.visited += s.idx.len();
            if s.idx.is_empty() {
                continue;
            }
            s.vals.resize(s.idx.len() * c, T::zero());
            let sub = Batch {
                points: &s.pts,
                ..*batch
            };
            g.forward(&mut s.ws, &theta[off[i]..off[i + 1]], &sub, &mut s.vals)?;
            for (q, &p) in s.idx.iter().enumerate() {
                for k in 0..c {
                    values[p * c + k] += s.vals[q * c + k];
                }
            }
        }
        Ok(())
    }
    fn backward(
        &self,
        ws: &mut BlendWs<T>,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> pinn::Result<()> {
        let c = ws.c;
        let off = self.offsets();
        for (i, ((g, _, _), s)) in self.subs.iter().zip(&mut ws.subs).enumerate() {
            if s.idx.is_empty() {
                continue;
            }
            s.seeds.clear();
            for &p in &s.idx {
                s.seeds.extend_from_slice(&seeds[p * c..(p + 1) * c]);
            }
            let (th, gr) = (&theta[off[i]..off[i + 1]], &mut grad[off[i]..off[i + 1]]);
            g.backward(&mut s.ws, th, &s.seeds, gr)?;
        }
        Ok(())
    }
}

/// Values of `COMPS` and the θ-gradient of `Σ seeds·values`, through the `Model` interface.
fn run<M: Model<f64>>(m: &M, theta: &[f64], pts: &[f64], seeds: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut ws = m.workspace(&COMPS).unwrap();
    let mut vals = vec![0.0; pts.len() / 2 * COMPS.len()];
    m.forward(&mut ws, theta, &Batch::new(pts), &mut vals)
        .unwrap();
    let mut grad = vec![0.0; m.n_params()];
    m.backward(&mut ws, theta, seeds, &mut grad).unwrap();
    (vals, grad)
}

#[test]
fn blend_with_full_supports_equals_the_one_graph() {
    let all = (f64::NEG_INFINITY, f64::INFINITY);
    let blend = Blend::new([all, all]);
    let one = one_graph();
    assert_eq!(Model::<f64>::n_params(&blend), one.n_params());
    let theta = random_vec(Seed(1), one.n_params(), -0.8, 0.8);
    let n = 37;
    let pts = random_vec(Seed(2), 2 * n, 0.0, 1.0);
    let seeds = random_vec(Seed(3), n * COMPS.len(), -1.0, 1.0);
    let (v_blend, g_blend) = run(&blend, &theta, &pts, &seeds);
    let (v_one, g_one) = run(&one, &theta, &pts, &seeds);
    assert_close(&v_blend, &v_one, 1e-12, "values and input derivatives");
    assert_close(&g_blend, &g_one, 1e-12, "θ-gradient");
}

type D4 = Dual<Dual<Dual<Dual<f64>>>>;

/// `∂^k u/∂x_{dirs[0]}…∂x_{dirs[k−1]}` (k ≤ 4) of a graph's output at `x` on nested duals: the
/// input is `x + Σ_l ε_l e_{dirs[l]}` with one nesting level per direction.
fn partial(g: &Graph, theta: &[f64], x: &[f64], dirs: &[usize]) -> f64 {
    let seed = |i: usize, l: usize| -> f64 { f64::from(dirs.get(l) == Some(&i)) };
    let xs: Vec<D4> = (0..2)
        .map(|i| {
            let d1 = Dual::new(x[i], seed(i, 0));
            let d2 = Dual::new(d1, Scalar::from_f64(seed(i, 1)));
            let d3 = Dual::new(d2, Scalar::from_f64(seed(i, 2)));
            Dual::new(d3, Scalar::from_f64(seed(i, 3)))
        })
        .collect();
    let th: Vec<D4> = theta.iter().map(|&t| D4::from_f64(t)).collect();
    let u = g.eval(&th, &xs).unwrap()[0];
    // ε₄ is the outermost level, ε₁ the innermost: take `eps` at every seeded level.
    let l3 = if dirs.len() > 3 { u.eps } else { u.re };
    let l2 = if dirs.len() > 2 { l3.eps } else { l3.re };
    let l1 = if dirs.len() > 1 { l2.eps } else { l2.re };
    if !dirs.is_empty() { l1.eps } else { l1.re }
}

/// Component `c` of a graph's output at `x`: hyper-duals up to order 2 (the scalar path of
/// the jets' oracle), nested duals above.
fn scalar(g: &Graph, theta: &[f64], x: &[f64], c: Component) -> f64 {
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    let run = |k: usize, l: usize| {
        let xs: Vec<_> = (0..2).map(|i| HyperDual::seeded(x[i], i, k, l)).collect();
        g.eval(&th, &xs).unwrap()[0]
    };
    let p = |dirs: &[usize]| partial(g, theta, x, dirs);
    match c {
        Component::Value => run(0, 0).re,
        Component::First(k) => run(k, k).e1,
        Component::Second(k, l) => run(k, l).e12,
        Component::Laplacian => run(0, 0).e12 + run(1, 1).e12,
        Component::Third(k, l, m) => p(&[k, l, m]),
        Component::Fourth(k, l, m, n) => p(&[k, l, m, n]),
        Component::Biharmonic => p(&[0, 0, 0, 0]) + 2.0 * p(&[0, 0, 1, 1]) + p(&[1, 1, 1, 1]),
    }
}

#[test]
fn partial_supports_sum_only_the_covering_networks() {
    let supports = [(0.0, 0.6), (0.4, 1.0)];
    let blend = Blend::new(supports);
    let off = blend.offsets();
    let theta = random_vec(Seed(4), off[2], -0.8, 0.8);
    let n = 64;
    let pts = random_vec(Seed(5), 2 * n, 0.0, 1.0);
    let mut ws = Model::<f64>::workspace(&blend, &COMPS).unwrap();
    let mut vals = vec![0.0; n * COMPS.len()];
    blend
        .forward(&mut ws, &theta, &Batch::new(&pts), &mut vals)
        .unwrap();
    // Each sub-network visited exactly the points of its support.
    for (i, (lo, hi)) in supports.iter().enumerate() {
        let inside = pts.chunks(2).filter(|x| *lo <= x[0] && x[0] <= *hi).count();
        assert_eq!(ws.subs[i].visited, inside, "sub-network {i}");
        assert!(inside > 0 && inside < n, "the test needs partial supports");
    }
    // Against the scalar path, point by point.
    let mut oracle = vec![0.0; n * COMPS.len()];
    for (p, x) in pts.chunks(2).enumerate() {
        for (i, (lo, hi)) in supports.iter().enumerate() {
            if *lo <= x[0] && x[0] <= *hi {
                let g = &blend.subs[i].0;
                for (k, &c) in COMPS.iter().enumerate() {
                    oracle[p * COMPS.len() + k] += scalar(g, &theta[off[i]..off[i + 1]], x, c);
                }
            }
        }
    }
    assert_close(&vals, &oracle, 1e-12, "values against the scalar path");
    // θ-gradient against central differences of L(θ) = Σ seeds·values.
    let seeds = random_vec(Seed(6), n * COMPS.len(), -1.0, 1.0);
    let (_, grad) = run(&blend, &theta, &pts, &seeds);
    let loss = |th: &[f64]| -> f64 {
        let (v, _) = run(&blend, th, &pts, &seeds);
        v.iter().zip(&seeds).map(|(a, b)| a * b).sum()
    };
    let h = 1e-5;
    let fd: Vec<f64> = (0..theta.len())
        .map(|j| {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[j] += h;
            tm[j] -= h;
            (loss(&tp) - loss(&tm)) / (2.0 * h)
        })
        .collect();
    assert_close(&grad, &fd, 1e-7, "θ-gradient against central differences");
}

/// `Δu + u_x·u = f(x, y)` with a trainable coefficient in front of the Laplacian.
struct Toy;
impl Pde for Toy {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::First(0), Component::Laplacian]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = c[0] * u.lap(0) + u.d(0, 0) * u.u(0) - (x[0] * x[1]).sin();
    }
    fn coefficients(&self) -> Vec<f64> {
        vec![0.7]
    }
}

fn terms() -> Vec<Term> {
    let n = 40;
    let edge: Vec<f64> = (0..n).flat_map(|i| [0.0, i as f64 / n as f64]).collect();
    let normals: Vec<f64> = (0..n).flat_map(|_| [-1.0, 0.0]).collect();
    let term = |name: &str, kind, points, normals| Term {
        name: name.into(),
        kind,
        weight: 1.3,
        points,
        normals,
        partners: vec![],
    };
    vec![
        term(
            "pde",
            TermKind::Pde,
            random_vec(Seed(7), 600, 0.0, 1.0),
            vec![],
        ),
        term(
            "neumann",
            TermKind::Condition(Condition::neumann(0, |x| x[1])),
            edge,
            normals,
        ),
        term(
            "data",
            TermKind::Condition(Condition::data(0, &random_vec(Seed(8), 25, -1.0, 1.0))),
            random_vec(Seed(9), 50, 0.0, 1.0),
            vec![],
        ),
    ]
}

#[test]
fn the_assembly_gives_the_same_loss_and_gradient_through_either_model() {
    let all = (f64::NEG_INFINITY, f64::INFINITY);
    let one = one_graph();
    let mut params = random_vec(Seed(10), one.n_params(), -0.8, 0.8);
    params.push(0.7);
    let mut a = Assembly::new(one, Toy, terms(), 32, 2).unwrap();
    let mut b = Assembly::new(Blend::new([all, all]), Toy, terms(), 32, 2).unwrap();
    let (mut ga, mut gb) = (vec![0.0; params.len()], vec![0.0; params.len()]);
    let ra = a.eval(&params, &mut ga, 0).unwrap();
    let rb = b.eval(&params, &mut gb, 0).unwrap();
    assert_close(&rb.terms, &ra.terms, 1e-12, "term losses");
    assert_close(&gb, &ga, 1e-12, "gradient (θ and the coefficient)");
    assert!(ga.iter().all(|g| g.is_finite()) && ga.iter().any(|&g| g != 0.0));
}

#[test]
fn a_trainer_runs_a_blend_with_the_same_bits_on_one_and_two_threads() {
    let (first, last) = common::same_bits_on_1_and_2_threads(|threads| {
        Trainer::<_, f64, _>::builder(Blend::new([(0.0, 0.6), (0.4, 1.0)]), Toy)
            .pde_points(random_vec(Seed(11), 400, 0.0, 1.0))
            .condition(
                "data",
                Condition::data(0, &random_vec(Seed(12), 30, -0.5, 0.5)),
                random_vec(Seed(13), 60, 0.0, 1.0),
            )
            .phase("adam", 30, Adam::with_lr(5e-3).unwrap())
            .chunk_size(16)
            .threads(threads)
            .build()
            .unwrap()
    });
    assert!(
        last < 0.5 * first,
        "training lowers the loss: {first} → {last}"
    );
}
