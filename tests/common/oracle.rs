//! The scalar oracle of the batched jet engine: every output component by hyper-dual
//! evaluation of the same graph point by point, and the θ-gradient of a linear functional of
//! them through a reverse tape of hyper-duals (orders ≤ 2).

use super::jets::{assert_close, random_vec};
use pinn::ad::jet::{Component, Graph, JetWorkspace, Layout, Selection};
use pinn::ad::{HyperDual, Scalar, Tape};
use pinn::rng::{Seed, standard_normal};

/// Every component a layout carries, in layout order.
pub fn components(l: &Layout) -> Vec<Component> {
    let mut c = vec![Component::Value];
    c.extend(l.directions().iter().map(|&k| Component::First(k)));
    c.extend(l.pairs().iter().map(|&(k, j)| Component::Second(k, j)));
    if l.has_laplacian() {
        c.push(Component::Laplacian);
    }
    c
}

/// The hyper-dual runs `(k, l)` a component needs, and which part of each run it sums.
pub fn runs(c: Component, dim: usize) -> Vec<((usize, usize), usize)> {
    // part: 0 = re, 1 = e1, 3 = e12
    match c {
        Component::Value => vec![((0, 0), 0)],
        Component::First(k) => vec![((k, k), 1)],
        Component::Second(k, l) => vec![((k, l), 3)],
        Component::Laplacian => (0..dim).map(|k| ((k, k), 3)).collect(),
        // Orders 3 and 4 have their own oracle (nested duals, tests/jet_oracle_high.rs); the
        // selections here never carry them.
        Component::Third(..) | Component::Fourth(..) | Component::Biharmonic => {
            unreachable!("order-≤2 oracle asked for {c:?}")
        }
    }
}

pub fn part<T: Scalar>(h: HyperDual<T>, p: usize) -> T {
    match p {
        0 => h.re,
        1 => h.e1,
        2 => h.e2,
        _ => h.e12,
    }
}

/// The oracle value of component `c` of output `o` at point `x`.
pub fn scalar_component(g: &Graph, theta: &[f64], x: &[f64], c: Component, o: usize) -> f64 {
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    runs(c, x.len())
        .into_iter()
        .map(|((k, l), p)| {
            let xs: Vec<_> = (0..x.len())
                .map(|i| HyperDual::seeded(x[i], i, k, l))
                .collect();
            part(g.eval(&th, &xs).unwrap()[o], p)
        })
        .sum()
}

/// The oracle θ-gradient of `L = Σ_{c,o,p} w · component` via a tape of hyper-duals.
pub fn scalar_gradient(g: &Graph, theta: &[f64], pts: &[f64], l: &Layout, w: &[f64]) -> Vec<f64> {
    let (d, m) = (g.input_dim(), g.output_dim());
    let n = pts.len() / d;
    let comps = components(l);
    let mut grad = vec![0.0; theta.len()];
    for p in 0..n {
        let x = &pts[p * d..(p + 1) * d];
        for (ci, &c) in comps.iter().enumerate() {
            for ((k, j), part_idx) in runs(c, d) {
                let tape = Tape::new();
                let th: Vec<_> = theta
                    .iter()
                    .map(|&t| tape.var(HyperDual::constant(t)))
                    .collect();
                let xs: Vec<_> = (0..d)
                    .map(|i| pinn::ad::Var::constant(HyperDual::seeded(x[i], i, k, j)))
                    .collect();
                let out = g.eval(&th, &xs).unwrap();
                for (o, &u) in out.iter().enumerate() {
                    let weight = w[ci * m * n + p * m + o];
                    let adj = tape.gradient(u);
                    for (gi, &t) in grad.iter_mut().zip(&th) {
                        *gi += weight * part(adj.wrt(t), part_idx);
                    }
                }
            }
        }
    }
    grad
}

/// Runs the engine: output components, and the θ-gradient for seeds `w`.
pub fn engine(
    g: &Graph,
    sel: &Selection,
    theta: &[f64],
    pts: &[f64],
    w: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut ws = JetWorkspace::new(g, sel).unwrap();
    ws.forward(g, theta, pts).unwrap();
    let jet = ws.output_jet().to_vec();
    ws.seed_jet().copy_from_slice(w);
    let mut grad = vec![0.0; g.n_params()];
    ws.backward(g, theta, &mut grad).unwrap();
    (jet, grad)
}

/// Checks the engine against the oracle on one graph.
pub fn check_against_oracle(g: &Graph, sel: &Selection, seed: Seed, n: usize) {
    let l = sel.layout().unwrap();
    let (d, m) = (g.input_dim(), g.output_dim());
    let mut theta: Vec<f64> = g.init_params(seed.derive(0));
    // Non-zero biases, so every bias path is exercised.
    let mut rng = seed.derive(1).rng();
    theta
        .iter_mut()
        .for_each(|t| *t += 0.1 * standard_normal(&mut rng));
    let pts = random_vec(seed.derive(2), n * d, -1.0, 1.0);
    let cn = l.n_components();
    let w = random_vec(seed.derive(3), cn * m * n, -1.0, 1.0);
    let (jet, grad) = engine(g, sel, &theta, &pts, &w);
    for (ci, &c) in components(&l).iter().enumerate() {
        let mut oracle = vec![0.0; m * n];
        for p in 0..n {
            for o in 0..m {
                oracle[p * m + o] = scalar_component(g, &theta, &pts[p * d..(p + 1) * d], c, o);
            }
        }
        assert_close(
            &jet[ci * m * n..(ci + 1) * m * n],
            &oracle,
            1e-12,
            &format!("{c:?}"),
        );
    }
    let oracle = scalar_gradient(g, &theta, &pts, &l, &w);
    assert_close(&grad, &oracle, 1e-12, "θ-gradient");
}
