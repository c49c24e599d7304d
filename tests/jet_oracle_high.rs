//! Third and fourth derivatives of the batched jet engine against the scalar path (the oracle)
//! and against finite differences; and the order-≤2 engine, bit for bit, as it was.
//!
//! - Forward: every component of the output jet (orders 0–4, diagonal and mixed, Laplacian)
//!   and the biharmonic aggregate equal `Graph::eval` on four nested duals
//!   (`Dual<Dual<Dual<Dual<f64>>>>`, nesting level `j` seeded along the `j`-th direction of
//!   the partial), to 1e-12 relative in f64, on random MLPs and on random graphs with products,
//!   sums, differences, scalings, concatenations, trainable vectors, constant maps and every
//!   activation of the rules table.
//! - Reverse: the θ-gradient of a random linear functional of all output components (the
//!   biharmonic aggregate included) equals a reverse tape of those nested duals, to 1e-12.
//!   Where a random graph is ill-conditioned (a width-1 chain of activations can give fourth
//!   derivatives of 1e10 made of larger terms that cancel), neither side can be that exact:
//!   each comparison also allows 4× the oracle's own rounding sensitivity, measured by
//!   re-running it with θ and x moved by at most two ulps ([`rounding_noise`]). On
//!   well-conditioned graphs that allowance is ~1e-16 relative and 1e-12 is what is tested.
//! - Central differences: orders 3 and 4 (and Δ²) against differences in `x` of the order-2
//!   engine's output; the gradient of a loss of order-4 terms against differences in `θ`.
//! - `f32` agrees with `f64`; an order-≤2 selection gives the bits it gave before orders 3–4
//!   existed (`tests/data/jet_order2_bits.txt`, from commit ca5096c).
//!
//! Run with `--nocapture` to see the largest relative errors met.

mod common;

use common::jets::{assert_close, mlp, random_vec};
use pinn::ad::jet::{
    BiasInit, Component, Graph, GraphBuilder, JetWorkspace, Layout, NodeId, Selection,
};
use pinn::ad::{Dual, Elementary, Scalar, Tape, Var};
use pinn::rng::{Seed, standard_normal, uniform};
use proptest::prelude::*;

type D1 = Dual<f64>;
type D2 = Dual<D1>;
type D3 = Dual<D2>;
type D4 = Dual<D3>;

/// Coordinate `i` of a point seeded for `∂^r/∂x_{dirs[0]}…∂x_{dirs[r−1]}`: nesting level `j`
/// (innermost first) has derivative part `[i == dirs[j]]`.
fn seeded(x: f64, i: usize, dirs: &[usize]) -> D4 {
    let e = |j: usize| if dirs.get(j) == Some(&i) { 1.0 } else { 0.0 };
    let d1 = D1::new(x, e(0));
    let d2 = D2::new(d1, D1::from_f64(e(1)));
    let d3 = D3::new(d2, D2::from_f64(e(2)));
    D4::new(d3, D3::from_f64(e(3)))
}

/// The part of a nested dual holding the derivative along the `r` innermost seeds.
fn part(v: D4, r: usize) -> f64 {
    let l3 = if r > 3 { v.eps } else { v.re };
    let l2 = if r > 2 { l3.eps } else { l3.re };
    let l1 = if r > 1 { l2.eps } else { l2.re };
    if r > 0 { l1.eps } else { l1.re }
}

/// The nested-dual runs (directions, factor) whose sum is component `c`.
fn runs(c: Component, dim: usize) -> Vec<(Vec<usize>, f64)> {
    match c {
        Component::Value => vec![(vec![], 1.0)],
        Component::First(k) => vec![(vec![k], 1.0)],
        Component::Second(k, l) => vec![(vec![k, l], 1.0)],
        Component::Laplacian => (0..dim).map(|k| (vec![k, k], 1.0)).collect(),
        Component::Third(k, l, m) => vec![(vec![k, l, m], 1.0)],
        Component::Fourth(k, l, m, n) => vec![(vec![k, l, m, n], 1.0)],
        Component::Biharmonic => {
            let mut r: Vec<_> = (0..dim).map(|k| (vec![k; 4], 1.0)).collect();
            for k in 0..dim {
                r.extend((k + 1..dim).map(|l| (vec![k, k, l, l], 2.0)));
            }
            r
        }
    }
}

/// Every component a layout carries, in layout order, then the biharmonic aggregate if
/// selected (and a check that [`Layout::index`] agrees with that order).
fn components(l: &Layout) -> Vec<Component> {
    let mut c = vec![Component::Value];
    c.extend(l.directions().iter().map(|&k| Component::First(k)));
    c.extend(l.pairs().iter().map(|&(k, j)| Component::Second(k, j)));
    if l.has_laplacian() {
        c.push(Component::Laplacian);
    }
    c.extend(
        l.triples()
            .iter()
            .map(|t| Component::Third(t[0], t[1], t[2])),
    );
    c.extend(
        l.quadruples()
            .iter()
            .map(|q| Component::Fourth(q[0], q[1], q[2], q[3])),
    );
    if l.has_biharmonic() {
        c.push(Component::Biharmonic);
    }
    for (i, &comp) in c.iter().enumerate() {
        assert_eq!(l.index(comp).unwrap(), i, "{comp:?}");
    }
    c
}

/// The oracle: components `comps` of every output at point `x`, `[comp][output]`.
fn oracle_components(g: &Graph, theta: &[f64], x: &[f64], comps: &[Component]) -> Vec<f64> {
    let th: Vec<D4> = theta.iter().map(|&t| D4::from_f64(t)).collect();
    let m = g.output_dim();
    let mut out = vec![0.0; comps.len() * m];
    for (ci, &c) in comps.iter().enumerate() {
        for (dirs, f) in runs(c, x.len()) {
            let xs: Vec<D4> = (0..x.len()).map(|i| seeded(x[i], i, &dirs)).collect();
            let u = g.eval(&th, &xs).unwrap();
            for o in 0..m {
                out[ci * m + o] += f * part(u[o], dirs.len());
            }
        }
    }
    out
}

/// The oracle θ-gradient of `L = Σ w · component` (weights `[comp][point][output]`), through
/// a reverse tape of nested duals: one recording per point and nested-dual run.
fn oracle_gradient(
    g: &Graph,
    theta: &[f64],
    pts: &[f64],
    comps: &[Component],
    w: &[f64],
) -> Vec<f64> {
    let (d, m) = (g.input_dim(), g.output_dim());
    let n = pts.len() / d;
    let mut grad = vec![0.0; theta.len()];
    for p in 0..n {
        let x = &pts[p * d..(p + 1) * d];
        for (ci, &c) in comps.iter().enumerate() {
            for (dirs, f) in runs(c, d) {
                let tape = Tape::new();
                let th: Vec<_> = theta.iter().map(|&t| tape.var(D4::from_f64(t))).collect();
                let xs: Vec<_> = (0..d)
                    .map(|i| Var::constant(seeded(x[i], i, &dirs)))
                    .collect();
                let u = g.eval(&th, &xs).unwrap();
                let mut y = Var::from_f64(0.0);
                for (o, &uo) in u.iter().enumerate() {
                    y += Var::from_f64(f * w[(ci * n + p) * m + o]) * uo;
                }
                let adj = tape.gradient(y);
                for (gi, &t) in grad.iter_mut().zip(&th) {
                    *gi += part(adj.wrt(t), dirs.len());
                }
            }
        }
    }
    grad
}

/// The engine's outputs `[comp][point][output]` for `comps`, and its θ-gradient for the
/// seeds `w` (same layout), set through [`JetWorkspace::seed`].
fn engine<T: pinn::ad::Real>(
    g: &Graph,
    sel: &Selection,
    theta: &[T],
    pts: &[T],
    comps: &[Component],
    w: &[T],
) -> (Vec<T>, Vec<T>) {
    let mut ws = JetWorkspace::new(g, sel).unwrap();
    ws.forward(g, theta, pts).unwrap();
    let mut jet = Vec::new();
    for &c in comps {
        jet.extend_from_slice(ws.output(c).unwrap());
    }
    let mn = jet.len() / comps.len();
    for (ci, &c) in comps.iter().enumerate() {
        ws.seed(c)
            .unwrap()
            .copy_from_slice(&w[ci * mn..(ci + 1) * mn]);
    }
    let mut grad = vec![T::zero(); g.n_params()];
    ws.backward(g, theta, &mut grad).unwrap();
    (jet, grad)
}

/// `θ` and `x` with every entry moved by a random relative amount of at most two ulps.
fn nudged(v: &[f64], rng: &mut pinn::rng::Rng64) -> Vec<f64> {
    v.iter()
        .map(|&t| t * (1.0 + 4.0 * f64::EPSILON * (uniform(rng) - 0.5)))
        .collect()
}

/// The oracle's own rounding sensitivity: the largest change of each forward component (per
/// component, over the points) and of the θ-gradient (one number) when θ and the points move
/// by at most two ulps, over four such moves for the components and two for the gradient. A
/// result computed in another order of operations (the engine's) differs from the oracle's by
/// about this much from rounding alone.
fn rounding_noise(
    g: &Graph,
    theta: &[f64],
    pts: &[f64],
    comps: &[Component],
    w: &[f64],
    (forward, gradient): (&[f64], &[f64]),
) -> (Vec<f64>, f64) {
    let (d, m) = (g.input_dim(), g.output_dim());
    let n = pts.len() / d;
    let mut rng = Seed(0x5e75).rng();
    let mut fwd = vec![0.0_f64; comps.len()];
    for _ in 0..4 {
        let (th, xs) = (nudged(theta, &mut rng), nudged(pts, &mut rng));
        for p in 0..n {
            let o = oracle_components(g, &th, &xs[p * d..(p + 1) * d], comps);
            for ci in 0..comps.len() {
                for k in 0..m {
                    let at = (ci * n + p) * m + k;
                    fwd[ci] = fwd[ci].max((o[ci * m + k] - forward[at]).abs());
                }
            }
        }
    }
    let mut grad = 0.0_f64;
    for _ in 0..2 {
        let (th, xs) = (nudged(theta, &mut rng), nudged(pts, &mut rng));
        let o = oracle_gradient(g, &th, &xs, comps, w);
        for (a, b) in o.iter().zip(gradient) {
            grad = grad.max((a - b).abs());
        }
    }
    (fwd, grad)
}

/// The relative tolerance of a comparison with `reference`: 1e-12, plus 4× the oracle's
/// rounding sensitivity `noise` in units of `assert_close`'s scale.
fn tolerance(reference: &[f64], noise: f64) -> f64 {
    let scale = reference.iter().fold(1.0_f64, |s, v| s.max(v.abs()));
    1e-12 + 4.0 * noise / scale
}

/// Checks the engine against the oracle on one graph; returns the largest relative errors of
/// the forward components and of the gradient.
fn check_against_oracle(g: &Graph, sel: &Selection, seed: Seed, n: usize) -> (f64, f64) {
    let l = sel.layout().unwrap();
    let (d, m) = (g.input_dim(), g.output_dim());
    let mut theta: Vec<f64> = g.init_params(seed.derive(0));
    let mut rng = seed.derive(1).rng();
    theta
        .iter_mut()
        .for_each(|t| *t += 0.1 * standard_normal(&mut rng));
    let pts = random_vec(seed.derive(2), n * d, -1.0, 1.0);
    let comps = components(&l);
    let w = random_vec(seed.derive(3), comps.len() * m * n, -1.0, 1.0);
    let (jet, grad) = engine(g, sel, &theta, &pts, &comps, &w);
    let mut oracle = vec![0.0; comps.len() * m * n];
    for p in 0..n {
        let o = oracle_components(g, &theta, &pts[p * d..(p + 1) * d], &comps);
        for ci in 0..comps.len() {
            oracle[(ci * n + p) * m..(ci * n + p + 1) * m]
                .copy_from_slice(&o[ci * m..(ci + 1) * m]);
        }
    }
    let oracle_grad = oracle_gradient(g, &theta, &pts, &comps, &w);
    let (noise, grad_noise) = rounding_noise(g, &theta, &pts, &comps, &w, (&oracle, &oracle_grad));
    let mut fwd = 0.0_f64;
    for (ci, c) in comps.iter().enumerate() {
        let r = ci * m * n..(ci + 1) * m * n;
        let tol = tolerance(&oracle[r.clone()], noise[ci]);
        fwd = fwd.max(assert_close(
            &jet[r.clone()],
            &oracle[r],
            tol,
            &format!("{c:?}"),
        ));
    }
    let tol = tolerance(&oracle_grad, grad_noise);
    let rev = assert_close(&grad, &oracle_grad, tol, "θ-gradient");
    (fwd, rev)
}

/// A random selection over `dim` inputs mixing every kind of component.
fn selection(dim: usize, seed: Seed) -> Selection {
    let mut rng = seed.rng();
    let mut pick = |k: usize| (uniform(&mut rng) * k as f64) as usize;
    let mut s = Selection::new(dim);
    for _ in 0..pick(3) {
        s = s.first(pick(dim));
    }
    for _ in 0..pick(3) {
        s = s.second(pick(dim), pick(dim));
    }
    if pick(3) == 0 {
        s = s.laplacian();
    }
    for _ in 0..pick(3) {
        s = s.third(pick(dim), pick(dim), pick(dim));
    }
    for _ in 0..1 + pick(2) {
        s = s.fourth(pick(dim), pick(dim), pick(dim), pick(dim));
    }
    if pick(3) == 0 {
        s = s.biharmonic();
    }
    s
}

/// `f(a)`, with `a` first mapped to `softplus(a) + 0.5 > 0` for the functions defined only on
/// positive numbers.
fn activation(b: &mut GraphBuilder, a: NodeId, f: Elementary) -> NodeId {
    let a = if f.in_domain(-5.0) && f.in_domain(0.0) {
        a
    } else {
        let s = b.unary(a, Elementary::Softplus);
        b.scale(s, 1.0, 0.5)
    };
    b.unary(a, f)
}

/// The activations the random graphs draw from: the first fourteen entries of
/// [`Elementary::ALL`], the ones it had when the graphs pinned below were found (a longer list would draw other
/// graphs from the same seeds). The later entries — `abs` with its kink, `tan` with its poles,
/// which finite differences over random graphs would cross, and `atan`, `ln_1p`, `erf`,
/// `erfc`, `swish`, `gelu` — go through the engine one by one in
/// `every_activation_orders_3_4_match_nested_duals`.
const RANDOM_GRAPH_ACTS: [Elementary; 14] = [
    Elementary::Tanh,
    Elementary::Sin,
    Elementary::Cos,
    Elementary::Exp,
    Elementary::Ln,
    Elementary::Sqrt,
    Elementary::Powi(3),
    Elementary::Powi(-2),
    Elementary::Powf(2.5),
    Elementary::Recip,
    Elementary::Sigmoid,
    Elementary::Softplus,
    Elementary::Sinh,
    Elementary::Cosh,
];

/// A random graph mixing every node kind and the activations of [`RANDOM_GRAPH_ACTS`].
fn random_graph(d: usize, width: usize, m: usize, seed: Seed) -> Graph {
    let acts = RANDOM_GRAPH_ACTS;
    let mut rng = seed.rng();
    let mut pick = |k: usize| (uniform(&mut rng) * k as f64) as usize;
    let mut b = GraphBuilder::new(d);
    let x = b.input();
    let x = if pick(2) == 0 {
        let w: Vec<f64> = (0..d * d)
            .map(|i| if i % (d + 1) == 0 { 1.3 } else { 0.3 })
            .collect();
        let bias: Vec<f64> = (0..d).map(|i| -0.2 * i as f64).collect();
        b.linear(x, d, &w, Some(&bias))
    } else {
        x
    };
    let mut pool: Vec<NodeId> = Vec::new();
    for _ in 0..2 {
        let z = b.dense_init(x, width, true, BiasInit::XavierNormal);
        let f = acts[pick(acts.len())];
        pool.push(activation(&mut b, z, f));
    }
    for _ in 0..4 {
        let (a, c) = (pool[pick(pool.len())], pool[pick(pool.len())]);
        let node = match pick(8) {
            0 => b.mul(a, c),
            1 => b.add(a, c),
            2 => b.sub(a, c),
            3 => b.scale(a, -0.7, 0.4),
            4 => {
                let cat = b.concat(a, c);
                b.dense(cat, width)
            }
            5 => {
                let w: Vec<f64> = (0..width * width)
                    .map(|i| ((i * 7) % 5) as f64 * 0.2 - 0.4)
                    .collect();
                let z = b.linear(a, width, &w, None);
                b.unary(z, Elementary::Sin)
            }
            6 => {
                let p = b.param(width);
                if pick(2) == 0 {
                    b.mul(a, p)
                } else {
                    b.sub(p, a)
                }
            }
            _ => {
                let z = b.dense_with(a, width, pick(2) == 0);
                let f = acts[pick(acts.len())];
                activation(&mut b, z, f)
            }
        };
        // Keep magnitudes tame (exp, cosh, x³ and 1/x² compose): squash now and then.
        pool.push(if pick(2) == 0 {
            b.unary(node, Elementary::Tanh)
        } else {
            node
        });
    }
    let last = *pool.last().unwrap();
    let out = b.dense(last, m);
    b.build(out).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn mlp_orders_3_4_match_nested_duals(
        d in 1usize..=3,
        depth in 1usize..=3,
        width in 1usize..=10,
        m in 1usize..=2,
        seed in any::<u64>(),
        n in 1usize..=2,
    ) {
        let widths = vec![width; depth];
        let g = mlp(d, &widths, m, Elementary::Tanh);
        let sel = selection(d, Seed(seed).derive(7));
        check_against_oracle(&g, &sel, Seed(seed), n);
    }

    #[test]
    fn mixed_graphs_orders_3_4_match_nested_duals(
        d in 1usize..=3,
        width in 1usize..=6,
        m in 1usize..=2,
        seed in any::<u64>(),
    ) {
        let g = random_graph(d, width, m, Seed(seed).derive(9));
        let sel = selection(d, Seed(seed).derive(7));
        check_against_oracle(&g, &sel, Seed(seed), 2);
    }
}

/// The named partials of the brief (u_xxx, u_xxy, u_xyz, u_xxxx, u_xxyy, u_xxyz), Δ², with
/// first and second derivatives and the Laplacian, through every activation of the table.
#[test]
fn every_activation_orders_3_4_match_nested_duals() {
    let sel = Selection::new(3)
        .first(2)
        .second(0, 2)
        .laplacian()
        .third(0, 0, 0)
        .third(0, 0, 1)
        .third(0, 1, 2)
        .fourth(0, 0, 0, 0)
        .fourth(0, 0, 1, 1)
        .fourth(0, 0, 1, 2)
        .biharmonic();
    let (mut fwd, mut rev) = (0.0_f64, 0.0_f64);
    for (i, f) in Elementary::ALL.iter().enumerate() {
        let mut b = GraphBuilder::new(3);
        let x = b.input();
        let z = b.dense(x, 6);
        let a = activation(&mut b, z, *f);
        let out = b.dense(a, 1);
        let g = b.build(out).unwrap();
        let (e1, e2) = check_against_oracle(&g, &sel, Seed(200 + i as u64), 2);
        fwd = fwd.max(e1);
        rev = rev.max(e2);
    }
    // Two activations in a row (f(g(z)) has every Faà di Bruno term of both), and a product.
    let mut b = GraphBuilder::new(3);
    let x = b.input();
    let z = b.dense(x, 5);
    let a = b.unary(z, Elementary::Sin);
    let z = b.dense(a, 5);
    let t = b.unary(z, Elementary::Tanh);
    let e = b.unary(z, Elementary::Exp);
    let p = b.mul(t, e);
    let out = b.dense(p, 2);
    let (e1, e2) = check_against_oracle(&b.build(out).unwrap(), &sel, Seed(300), 3);
    println!(
        "every activation: max rel. error forward {:.2e}, gradient {:.2e}",
        fwd.max(e1),
        rev.max(e2)
    );
}

/// Widths above the small-product threshold (the GEMM path) with a selection mixing every
/// order, the Laplacian and the biharmonic aggregate.
#[test]
fn wide_layers_mixed_selection_match_nested_duals() {
    let g = mlp(2, &[24, 24], 1, Elementary::Tanh);
    let sel = Selection::new(2)
        .first(0)
        .second(1, 1)
        .laplacian()
        .third(1, 0, 0)
        .fourth(1, 1, 1, 0)
        .biharmonic();
    let (fwd, rev) = check_against_oracle(&g, &sel, Seed(5), 7);
    println!("wide layers: max rel. error forward {fwd:.2e}, gradient {rev:.2e}");
}

/// Richardson extrapolation of a difference quotient whose error is even in `h`:
/// `R(h) = (4·D(h) − D(2h))/3` cancels the `h²` term, `(16·R(h) − R(2h))/15` the `h⁴` one.
/// Random graphs (exp, cosh, x³ composed) reach eighth derivatives of 1e9 and more, so one
/// level at h = 1e-3 can leave fourth derivatives wrong by 1e-5 relative.
fn richardson(h: f64, d: &mut dyn FnMut(f64) -> f64) -> f64 {
    let (d1, d2, d4) = (d(h), d(2.0 * h), d(4.0 * h));
    let (r1, r2) = ((4.0 * d1 - d2) / 3.0, (4.0 * d2 - d4) / 3.0);
    (16.0 * r1 - r2) / 15.0
}

/// Orders 3, 4 and Δ² against central differences in `x` of the order-2 engine's second
/// derivatives and Laplacian (and order 4 against differences of the engine's own third
/// derivatives); returns the largest error relative to `1 + |value|`.
fn check_x_differences(g: &Graph, seed: Seed) -> f64 {
    let quads = [
        [0, 0, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 1, 2],
        [1, 2, 2, 2],
        [0, 1, 1, 2],
    ];
    let triples = [[0, 0, 0], [0, 0, 1], [0, 1, 2], [2, 2, 1]];
    let mut high = Selection::new(3).biharmonic();
    for [k, l, m, n] in quads {
        high = high.fourth(k, l, m, n);
    }
    for [k, l, m] in triples {
        high = high.third(k, l, m);
    }
    let mut low = Selection::new(3).laplacian();
    for k in 0..3 {
        for l in k..3 {
            low = low.second(k, l);
        }
    }
    let theta: Vec<f64> = g.init_params(seed);
    let x = [0.3, -0.4, 0.8];
    let mut ws_low = JetWorkspace::new(g, &low).unwrap();
    let mut ws_high = JetWorkspace::new(g, &high).unwrap();
    let eval = |ws: &mut JetWorkspace<f64>, y: &[f64], c: Component| {
        ws.forward(g, &theta, y).unwrap();
        ws.output(c).unwrap()[0]
    };
    let at = |shifts: &[(usize, f64)]| {
        let mut y = x;
        for &(k, s) in shifts {
            y[k] += s;
        }
        y
    };
    let mut worst = 0.0_f64;
    let mut check = |fd: f64, ad: f64, tol: f64, what: String| {
        let err = (fd - ad).abs() / (1.0 + ad.abs());
        assert!(err <= tol, "{what}: fd {fd} ad {ad}");
        worst = worst.max(err);
    };
    // u_klm = ∂_m u_kl: first differences (h = 1e-4) of the order-2 engine.
    for [k, l, m] in triples {
        let s = Component::Second(k, l);
        let fd = richardson(1e-4, &mut |h| {
            (eval(&mut ws_low, &at(&[(m, h)]), s) - eval(&mut ws_low, &at(&[(m, -h)]), s))
                / (2.0 * h)
        });
        let ad = eval(&mut ws_high, &x, Component::Third(k, l, m));
        check(fd, ad, 1e-7, format!("u_{k}{l}{m}"));
    }
    // u_klmn = ∂_m ∂_n u_kl: second differences (h = 1e-3) of the order-2 engine, and
    // ∂_n u_klm: first differences of the engine's own third derivatives.
    for [k, l, m, n] in quads {
        let s = Component::Second(k, l);
        let fd = richardson(1e-3, &mut |h| {
            if m == n {
                (eval(&mut ws_low, &at(&[(m, h)]), s) - 2.0 * eval(&mut ws_low, &x, s)
                    + eval(&mut ws_low, &at(&[(m, -h)]), s))
                    / (h * h)
            } else {
                let e = |ws: &mut JetWorkspace<f64>, a: f64, b: f64| {
                    eval(ws, &at(&[(m, a), (n, b)]), s)
                };
                (e(&mut ws_low, h, h) - e(&mut ws_low, h, -h) - e(&mut ws_low, -h, h)
                    + e(&mut ws_low, -h, -h))
                    / (4.0 * h * h)
            }
        });
        let ad = eval(&mut ws_high, &x, Component::Fourth(k, l, m, n));
        check(fd, ad, 1e-6, format!("u_{k}{l}{m}{n} from u_{k}{l}"));
        let t = Component::Third(k, l, m);
        let fd = richardson(1e-4, &mut |h| {
            (eval(&mut ws_high, &at(&[(n, h)]), t) - eval(&mut ws_high, &at(&[(n, -h)]), t))
                / (2.0 * h)
        });
        check(fd, ad, 1e-7, format!("u_{k}{l}{m}{n} from u_{k}{l}{m}"));
    }
    // Δ²u = Σ_k ∂_k² Δu.
    let lap = Component::Laplacian;
    let fd: f64 = (0..3)
        .map(|k| {
            richardson(1e-3, &mut |h| {
                (eval(&mut ws_low, &at(&[(k, h)]), lap) - 2.0 * eval(&mut ws_low, &x, lap)
                    + eval(&mut ws_low, &at(&[(k, -h)]), lap))
                    / (h * h)
            })
        })
        .sum();
    let ad = eval(&mut ws_high, &x, Component::Biharmonic);
    check(fd, ad, 1e-6, "Δ²u".into());
    worst
}

/// The θ-gradient of `L = Σ_p (Δ²u/σ₁)² + (u_xxyz/σ₂)² + (u_xyz/σ₃)² + (u/σ₄)²` against
/// central differences in θ, each term scaled by its largest value at the starting `θ`
/// (`σ = max(|·|∞, 1)`, constants) so that `L` stays of order 1 whatever the graph, and so
/// does its round-off. Returns the largest error relative to `1 + |∂L/∂θ_j|`.
fn check_theta_differences(g: &Graph, seed: Seed) -> f64 {
    let sel = Selection::new(3)
        .biharmonic()
        .fourth(0, 0, 1, 2)
        .third(0, 1, 2);
    let comps = [
        Component::Biharmonic,
        Component::Fourth(0, 0, 1, 2),
        Component::Third(0, 1, 2),
        Component::Value,
    ];
    let theta: Vec<f64> = g.init_params(seed);
    let pts = random_vec(seed.derive(12), 3 * 4, -1.0, 1.0);
    let mut ws = JetWorkspace::new(g, &sel).unwrap();
    ws.forward(g, &theta, &pts).unwrap();
    let inv_scale: Vec<f64> = comps
        .iter()
        .map(|&c| {
            let v = ws.output(c).unwrap();
            1.0 / v.iter().fold(1.0_f64, |s, x| s.max(x.abs()))
        })
        .collect();
    let loss = |th: &[f64], ws: &mut JetWorkspace<f64>| {
        ws.forward(g, th, &pts).unwrap();
        let sq = |v: &[f64], w: f64| v.iter().map(|a| (a * w) * (a * w)).sum::<f64>();
        comps
            .iter()
            .zip(&inv_scale)
            .map(|(&c, &w)| sq(ws.output(c).unwrap(), w))
            .sum::<f64>()
    };
    let l0 = loss(&theta, &mut ws);
    for (&c, &w) in comps.iter().zip(&inv_scale) {
        let v = ws.output(c).unwrap().to_vec();
        for (s, v) in ws.seed(c).unwrap().iter_mut().zip(&v) {
            *s = 2.0 * w * w * v;
        }
    }
    let mut grad = vec![0.0; g.n_params()];
    ws.backward(g, &theta, &mut grad).unwrap();
    let h = 1e-5;
    let mut rng = seed.derive(13).rng();
    let mut worst = 0.0_f64;
    for _ in 0..25 {
        let j = (uniform(&mut rng) * g.n_params() as f64) as usize;
        let fd = richardson(h, &mut |h| {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[j] += h;
            tm[j] -= h;
            (loss(&tp, &mut ws) - loss(&tm, &mut ws)) / (2.0 * h)
        });
        let err = (fd - grad[j]).abs() / (1.0 + grad[j].abs());
        assert!(err <= 1e-6, "θ[{j}]: fd {fd} ad {} (loss {l0:e})", grad[j]);
        worst = worst.max(err);
    }
    worst
}

#[test]
fn mlp_orders_3_4_match_finite_differences() {
    let g = mlp(3, &[16, 16], 1, Elementary::Tanh);
    let ex = check_x_differences(&g, Seed(11));
    let et = check_theta_differences(&g, Seed(11));
    println!("MLP finite differences: max rel. error in x {ex:.2e}, in θ {et:.2e}");
}

proptest! {
    // A fixed seed: see `a_round_off_limited_graph_still_matches_the_nested_dual_oracle`.
    #![proptest_config(ProptestConfig {
        cases: 16,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0ffd),
        .. ProptestConfig::default()
    })]
    #[test]
    fn graph_orders_3_4_match_finite_differences(seed in any::<u64>(), width in 2usize..=8) {
        let g = random_graph(3, width, 1, Seed(seed));
        check_x_differences(&g, Seed(seed).derive(1));
        check_theta_differences(&g, Seed(seed).derive(2));
    }
}

/// The f32 engine agrees with the f64 one: each component within `1e-5 × max(|block|∞, 1)`,
/// the gradient within `1e-5 × max(|gradient|∞, 1)` (f32's ε is 1.2e-7; the errors met are
/// about 3e-7 and 5e-7, order-4 blocks included).
#[test]
fn f32_engine_agrees_with_f64_at_orders_3_4() {
    let g = mlp(3, &[32, 32, 32], 1, Elementary::Tanh);
    let sel = Selection::new(3)
        .first(0)
        .second(1, 1)
        .laplacian()
        .third(0, 1, 2)
        .fourth(0, 0, 1, 2)
        .biharmonic();
    let comps = components(&sel.layout().unwrap());
    let n = 40;
    let theta: Vec<f64> = g.init_params(Seed(21));
    let pts = random_vec(Seed(22), 3 * n, 0.0, 1.0);
    let w = random_vec(Seed(23), comps.len() * n, -1.0, 1.0);
    let (jet, grad) = engine(&g, &sel, &theta, &pts, &comps, &w);
    let f = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let back = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let (jet32, grad32) = engine(&g, &sel, &f(&theta), &f(&pts), &comps, &f(&w));
    let (jet32, grad32) = (back(&jet32), back(&grad32));
    let mut worst = 0.0_f64;
    for (ci, c) in comps.iter().enumerate() {
        let r = ci * n..(ci + 1) * n;
        worst = worst.max(assert_close(
            &jet32[r.clone()],
            &jet[r],
            1e-5,
            &format!("f32 {c:?}"),
        ));
    }
    let eg = assert_close(&grad32, &grad, 1e-5, "f32 gradient");
    println!("f32 vs f64: max rel. error components {worst:.2e}, gradient {eg:.2e}");
}

/// A random graph whose θ-differences are limited by round-off, not by the engine: for
/// `random_graph(3, 8, 1, Seed(15091750747066381095))`, the central differences of
/// [`check_theta_differences`]'s loss in `θ[169]` stay 2.5e-6 to 6.4e-4 away from the engine's
/// 0.2419527105 for every step from 1e-3 down to 3e-7 (the order-4 blocks of this graph cancel
/// heavily), while the nested-dual oracle agrees with the engine to 6e-15. The
/// finite-difference property test below therefore runs a fixed set of cases (a fixed proptest
/// seed) rather than new random ones on every run, where it would fail on graphs like this one
/// now and then; the nested-dual oracle stays the check of record on random graphs.
#[test]
fn a_round_off_limited_graph_still_matches_the_nested_dual_oracle() {
    let s = 15091750747066381095u64;
    let g = random_graph(3, 8, 1, Seed(s));
    let sel = Selection::new(3)
        .biharmonic()
        .third(0, 1, 2)
        .fourth(0, 0, 1, 2)
        .fourth(0, 1, 1, 2);
    check_against_oracle(&g, &sel, Seed(s).derive(2), 2);
}

/// A random graph found by the property test above (d = 3, width 1, one output), whose second
/// to fourth derivatives at one point are 6.6e4 to 4.9e10 and move by 2e-12 relative when θ
/// and x move by two ulps: the engine's `Second(0, 0)` differed from the oracle's by 2.0e-12
/// relative, which the fixed 1e-12 rejected. With the allowance for the oracle's rounding
/// sensitivity it passes; every component is still checked against it.
#[test]
fn an_ill_conditioned_random_graph_agrees_within_rounding() {
    let seed = 10_827_897_273_686_820_481_u64;
    let g = random_graph(3, 1, 1, Seed(seed).derive(9));
    let sel = selection(3, Seed(seed).derive(7));
    check_against_oracle(&g, &sel, Seed(seed), 2);
}
