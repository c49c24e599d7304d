//! The batched jet engine against the scalar path (the oracle) and against finite differences.
//!
//! - Forward: every component of the output jet (value, first, second and mixed derivatives,
//!   Laplacian) equals the hyper-dual evaluation of the same graph point by point, to 1e-12
//!   relative in f64, on random MLPs (depth 1–4, width 1–64, input dimension 1–5, 1–2 outputs)
//!   and random graphs with products, sums, differences, scalings and every activation.
//! - Reverse: the θ-gradient of a random linear functional of all output components equals a
//!   reverse tape of hyper-duals (`Tape<HyperDual<f64>>`) to 1e-12 relative.
//! - Both are also checked against central finite differences (in x and in θ).

mod common;

use common::jets::{assert_close, mlp, random_vec};
use common::oracle::{check_against_oracle, engine};
use pinn::ad::Elementary;
use pinn::ad::jet::{BiasInit, Component, Graph, GraphBuilder, JetWorkspace, NodeId, Selection};
use pinn::rng::{Seed, uniform};
use proptest::prelude::*;

/// A random selection over `dim` inputs, from bits of `mask`.
fn selection(dim: usize, mask: u64) -> Selection {
    let mut s = Selection::new(dim);
    let mut bit = 0;
    let mut take = || {
        bit += 1;
        (mask >> (bit % 64)) & 1 == 1
    };
    for k in 0..dim {
        if take() {
            s = s.first(k);
        }
    }
    for k in 0..dim {
        for l in k..dim {
            if take() {
                s = s.second(k, l);
            }
        }
    }
    if take() {
        s = s.laplacian();
    }
    s
}

/// A random graph mixing every node kind: dense layers (shared by blocks too), constant maps
/// (shared too), gathers, the activations of the rules table that are defined everywhere,
/// products, sums, differences, scalings and trainable vectors.
fn random_graph(d: usize, width: usize, m: usize, seed: Seed) -> Graph {
    let acts = [
        Elementary::Tanh,
        Elementary::Sin,
        Elementary::Cos,
        Elementary::Sigmoid,
        Elementary::Softplus,
        Elementary::Sinh,
        Elementary::Powi(2),
        Elementary::Exp,
    ];
    let mut rng = seed.rng();
    let mut pick = |k: usize| (uniform(&mut rng) * k as f64) as usize;
    let mut b = GraphBuilder::new(d);
    let x = b.input();
    // A constant input map (normalisation-like, with mixing) in front, half of the time.
    let x = if pick(2) == 0 {
        let w: Vec<f64> = (0..d * d)
            .map(|i| if i % (d + 1) == 0 { 1.7 } else { 0.3 })
            .collect();
        let bias: Vec<f64> = (0..d).map(|i| -0.2 * i as f64).collect();
        b.linear(x, d, &w, Some(&bias))
    } else {
        x
    };
    let mut pool: Vec<NodeId> = Vec::new();
    for _ in 0..2 {
        let z = b.dense_init(x, width, true, BiasInit::XavierNormal);
        pool.push(b.unary(z, acts[pick(acts.len())]));
    }
    for _ in 0..4 {
        let (a, c) = (pool[pick(pool.len())], pool[pick(pool.len())]);
        let node = match pick(10) {
            0 => b.mul(a, c),
            1 => b.add(a, c),
            2 => b.sub(a, c),
            3 => b.scale(a, -0.7, 0.4),
            4 => {
                // concatenate, then bring the width back with a dense layer
                let cat = b.concat(a, c);
                b.dense(cat, width)
            }
            6 => {
                // a trainable vector, the same at every point
                let p = b.param(width);
                match pick(3) {
                    0 => b.mul(a, p),
                    1 => b.sub(p, a),
                    // a trainable scalar gain
                    _ => b.scale_by_param(a, 0.8),
                }
            }
            7 => {
                // a dense layer shared by two blocks (a, reversed a), the blocks added back
                let fwd: Vec<usize> = (0..width).chain((0..width).rev()).collect();
                let two = b.gather(a, &fwd);
                let z = b.dense_shared(two, 2, width, pick(2) == 0, BiasInit::Zero);
                let z = b.unary(z, acts[pick(acts.len())]);
                let lo: Vec<usize> = (0..width).collect();
                let hi: Vec<usize> = (width..2 * width).collect();
                let (p, q) = (b.gather(z, &lo), b.gather(z, &hi));
                b.add(p, q)
            }
            8 => {
                // a constant map shared by three blocks (a, a, c), the middle block kept
                let idx: Vec<usize> = (0..3 * width).map(|i| i % width).collect();
                let three = b.gather(a, &idx);
                let three = if pick(2) == 0 {
                    let mid: Vec<usize> = (0..width).collect();
                    let cc = b.gather(c, &mid);
                    let first: Vec<usize> = (0..2 * width).collect();
                    let head = b.gather(three, &first);
                    b.concat(head, cc)
                } else {
                    three
                };
                let w: Vec<f64> = (0..width * width)
                    .map(|i| ((i * 3) % 7) as f64 * 0.15 - 0.45)
                    .collect();
                let bias: Vec<f64> = (0..width).map(|i| 0.1 * i as f64).collect();
                let z = b.linear_shared(three, 3, width, &w, Some(&bias));
                let mid: Vec<usize> = (width..2 * width).collect();
                let z = b.gather(z, &mid);
                b.unary(z, Elementary::Sin)
            }
            5 => {
                // a constant map between hidden layers (Fourier-feature-like)
                let w: Vec<f64> = (0..width * width)
                    .map(|i| ((i * 7) % 5) as f64 * 0.2 - 0.4)
                    .collect();
                let z = b.linear(a, width, &w, None);
                b.unary(z, Elementary::Sin)
            }
            _ => {
                let z = b.dense_with(a, width, pick(2) == 0);
                b.unary(z, acts[pick(acts.len())])
            }
        };
        // Keep magnitudes tame for exp/sinh: squash through tanh now and then.
        pool.push(if pick(3) == 0 {
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
    fn mlp_matches_scalar_path(
        d in 1usize..=5,
        depth in 1usize..=4,
        width in 1usize..=64,
        m in 1usize..=2,
        mask in any::<u64>(),
        seed in any::<u64>(),
        n in 1usize..=3,
    ) {
        let widths = vec![width; depth];
        let g = mlp(d, &widths, m, Elementary::Tanh);
        check_against_oracle(&g, &selection(d, mask), Seed(seed), n);
    }

    #[test]
    fn mixed_graphs_match_scalar_path(
        d in 1usize..=4,
        width in 1usize..=12,
        m in 1usize..=2,
        mask in any::<u64>(),
        seed in any::<u64>(),
    ) {
        let g = random_graph(d, width, m, Seed(seed).derive(9));
        check_against_oracle(&g, &selection(d, mask), Seed(seed), 2);
    }
}

/// Every activation of the table through a small MLP (on inputs kept in each domain).
#[test]
fn every_activation_matches_scalar_path() {
    for (i, f) in Elementary::ALL.iter().enumerate() {
        // Feed positive pre-activations to functions defined only there: σ(z) > 0 via softplus.
        let mut b = GraphBuilder::new(2);
        let x = b.input();
        let z = b.dense(x, 7);
        let z = if f.in_domain(-5.0) && f.in_domain(0.0) {
            z
        } else {
            let s = b.unary(z, Elementary::Softplus);
            b.scale(s, 1.0, 0.5)
        };
        let a = b.unary(z, *f);
        let out = b.dense(a, 1);
        let g = b.build(out).unwrap();
        let sel = Selection::new(2)
            .first(0)
            .second(0, 1)
            .second(1, 1)
            .laplacian();
        check_against_oracle(&g, &sel, Seed(100 + i as u64), 3);
    }
}

/// Widths above nalgebra's small-matrix threshold on every side (the GEMM path), with the
/// case of the benchmark's shape at a few points.
#[test]
fn wide_layers_use_gemm_and_agree() {
    let g = mlp(2, &[64, 64, 64, 64], 1, Elementary::Tanh);
    let sel = Selection::new(2)
        .first(0)
        .first(1)
        .second(0, 0)
        .second(1, 1);
    check_against_oracle(&g, &sel, Seed(5), 8);
    let g = mlp(5, &[9, 17], 7, Elementary::Tanh);
    check_against_oracle(&g, &Selection::new(5).laplacian().second(1, 3), Seed(6), 7);
}

/// Central differences in x of the jet's own lower components, and in θ of the loss, on an
/// MLP and on random graphs with products, sums and every smooth activation.
fn check_finite_differences(g: &Graph, seed: Seed) {
    let sel = Selection::new(3)
        .first(0)
        .first(1)
        .first(2)
        .second(0, 1)
        .second(2, 2)
        .laplacian();
    let theta: Vec<f64> = g.init_params(seed);
    let x = [0.3, -0.4, 0.8];
    let mut ws = JetWorkspace::new(g, &sel).unwrap();
    let eval = |ws: &mut JetWorkspace<f64>, x: &[f64], c: Component| {
        ws.forward(g, &theta, x).unwrap();
        ws.output(c).unwrap()[0]
    };
    let h = 1e-5;
    let shifted = |k: usize, s: f64| {
        let mut y = x;
        y[k] += s;
        y
    };
    // Central differences with Richardson extrapolation, (4·D(h) − D(2h))/3: the h² truncation
    // term cancels, which matters for random graphs whose third derivatives reach 1e5 (at
    // h = 1e-5 the plain difference is then off by ~1e-6, more than the tolerance).
    let richardson = |d: &mut dyn FnMut(f64) -> f64| (4.0 * d(h) - d(2.0 * h)) / 3.0;
    for k in 0..3 {
        let fd = richardson(&mut |h| {
            (eval(&mut ws, &shifted(k, h), Component::Value)
                - eval(&mut ws, &shifted(k, -h), Component::Value))
                / (2.0 * h)
        });
        let ad = eval(&mut ws, &x, Component::First(k));
        assert!(
            (fd - ad).abs() < 1e-8 * (1.0 + ad.abs()),
            "∂/∂x{k}: fd {fd} ad {ad}"
        );
    }
    // s_01 = ∂(u_x0)/∂x1; s_22 = ∂(u_x2)/∂x2; Δ = Σ_k ∂(u_xk)/∂xk.
    let fd2 = |k: usize, l: usize, ws: &mut JetWorkspace<f64>| {
        richardson(&mut |h| {
            (eval(ws, &shifted(l, h), Component::First(k))
                - eval(ws, &shifted(l, -h), Component::First(k)))
                / (2.0 * h)
        })
    };
    let s01 = fd2(0, 1, &mut ws);
    let s22 = fd2(2, 2, &mut ws);
    let lap: f64 = (0..3).map(|k| fd2(k, k, &mut ws)).sum();
    for (fd, c) in [
        (s01, Component::Second(0, 1)),
        (s22, Component::Second(2, 2)),
        (lap, Component::Laplacian),
    ] {
        let ad = eval(&mut ws, &x, c);
        assert!(
            (fd - ad).abs() < 1e-7 * (1.0 + ad.abs()),
            "{c:?}: fd {fd} ad {ad}"
        );
    }

    // θ-gradient of L = Σ_p (Δu)² + u² over a few points, against central differences.
    let pts = random_vec(seed.derive(12), 3 * 5, -1.0, 1.0);
    let loss = |th: &[f64], ws: &mut JetWorkspace<f64>| {
        ws.forward(g, th, &pts).unwrap();
        let lap = ws.output(Component::Laplacian).unwrap().to_vec();
        let u = ws.output(Component::Value).unwrap().to_vec();
        lap.iter().zip(&u).map(|(a, b)| a * a + b * b).sum::<f64>()
    };
    loss(&theta, &mut ws);
    let lap = ws.output(Component::Laplacian).unwrap().to_vec();
    let u = ws.output(Component::Value).unwrap().to_vec();
    for (s, v) in ws.seed(Component::Laplacian).unwrap().iter_mut().zip(&lap) {
        *s = 2.0 * v;
    }
    for (s, v) in ws.seed(Component::Value).unwrap().iter_mut().zip(&u) {
        *s = 2.0 * v;
    }
    let mut grad = vec![0.0; g.n_params()];
    ws.backward(g, &theta, &mut grad).unwrap();
    let mut rng = seed.derive(13).rng();
    // Central differences of L carry a truncation error and a round-off error of about
    // ε·|L|/h; graphs with exp/sinh/x² layers can make |L| large, so the round-off part is
    // budgeted from the loss itself.
    let l0 = loss(&theta, &mut ws);
    let roundoff = 1e-13 * l0.abs() / h;
    for _ in 0..25 {
        let j = (uniform(&mut rng) * g.n_params() as f64) as usize;
        let fd = richardson(&mut |h| {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[j] += h;
            tm[j] -= h;
            (loss(&tp, &mut ws) - loss(&tm, &mut ws)) / (2.0 * h)
        });
        assert!(
            (fd - grad[j]).abs() <= 1e-6 * (1.0 + grad[j].abs()) + roundoff,
            "θ[{j}]: fd {fd} ad {} (loss {l0:e})",
            grad[j]
        );
    }
}

#[test]
fn mlp_jets_match_finite_differences() {
    check_finite_differences(&mlp(3, &[16, 16], 1, Elementary::Tanh), Seed(11));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]
    #[test]
    fn graph_jets_match_finite_differences(seed in any::<u64>(), width in 2usize..=10) {
        check_finite_differences(&random_graph(3, width, 1, Seed(seed)), Seed(seed).derive(1));
    }
}

/// The f32 engine agrees with the f64 one to single precision.
#[test]
fn f32_engine_agrees_with_f64() {
    let g = mlp(2, &[32, 32, 32], 1, Elementary::Tanh);
    let sel = Selection::new(2)
        .first(0)
        .second(0, 0)
        .second(1, 1)
        .laplacian();
    let theta: Vec<f64> = g.init_params(Seed(21));
    let pts = random_vec(Seed(22), 2 * 50, 0.0, 1.0);
    let l = sel.layout().unwrap();
    let w = random_vec(Seed(23), l.n_components() * 50, -1.0, 1.0);
    let (jet, grad) = engine(&g, &sel, &theta, &pts, &w);
    let f = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let mut ws = JetWorkspace::<f32>::new(&g, &sel).unwrap();
    let theta32 = f(&theta);
    ws.forward(&g, &theta32, &f(&pts)).unwrap();
    let jet32: Vec<f64> = ws.output_jet().iter().map(|&x| x as f64).collect();
    ws.seed_jet().copy_from_slice(&f(&w));
    let mut grad32 = vec![0.0f32; g.n_params()];
    ws.backward(&g, &theta32, &mut grad32).unwrap();
    let grad32: Vec<f64> = grad32.iter().map(|&x| x as f64).collect();
    assert_close(&jet32, &jet, 1e-4, "f32 jet");
    assert_close(&grad32, &grad, 1e-4, "f32 gradient");
}

/// A workspace reused for batches of different sizes gives the same numbers as fresh ones.
#[test]
fn workspace_reuse_across_batch_sizes() {
    let g = mlp(2, &[8, 8], 1, Elementary::Tanh);
    let sel = Selection::new(2).second(0, 0);
    let theta: Vec<f64> = g.init_params(Seed(31));
    let mut ws = JetWorkspace::new(&g, &sel).unwrap();
    for n in [10, 3, 17, 1] {
        let pts = random_vec(Seed(n as u64), 2 * n, 0.0, 1.0);
        ws.forward(&g, &theta, &pts).unwrap();
        let mut fresh = JetWorkspace::new(&g, &sel).unwrap();
        fresh.forward(&g, &theta, &pts).unwrap();
        assert_eq!(ws.output_jet(), fresh.output_jet());
    }
}

/// Adjoint buffers are written lazily (no zero-filling): a reused workspace must give the same
/// gradient as a fresh one, whatever the previous backward pass left behind, on graphs with
/// shared nodes (products, sums, concatenation) and dangling branches.
#[test]
fn reused_workspace_backward_matches_a_fresh_one() {
    for seed in 0..8u64 {
        let g = random_graph(2, 6, 1, Seed(seed));
        let sel = Selection::new(2).first(0).second(0, 1).laplacian();
        let theta: Vec<f64> = g.init_params(Seed(seed + 100));
        let n_c = sel.layout().unwrap().n_components();
        let mut reused = JetWorkspace::new(&g, &sel).unwrap();
        for round in 0..3u64 {
            let pts = random_vec(Seed(seed * 10 + round), 2 * 5, -1.0, 1.0);
            let w = random_vec(Seed(seed * 10 + round + 50), n_c * 5, -1.0, 1.0);
            reused.forward(&g, &theta, &pts).unwrap();
            reused.seed_jet().copy_from_slice(&w);
            let mut g1 = vec![0.0; g.n_params()];
            reused.backward(&g, &theta, &mut g1).unwrap();
            let (_, g2) = engine(&g, &sel, &theta, &pts, &w);
            assert_eq!(g1, g2, "seed {seed}, round {round}");
        }
    }
}

/// Layers shared by blocks and gathers (the pieces of ProPINN's perturbed copies) against the
/// scalar path and finite differences: `x` copied to 5 shifted copies, one dense layer and a
/// trainable-free constant map each shared by the copies, the copies gathered channel-major
/// and averaged per channel, then an ordinary head.
#[test]
fn shared_layers_and_gathers_match_scalar_path() {
    let (d, k, h) = (3, 5, 3);
    let mut b = GraphBuilder::new(d);
    let x = b.input();
    // Copy j = x + δ_j: W stacks k identities, the bias holds the shifts.
    let mut w = vec![0.0; k * d * d];
    for j in 0..k {
        for i in 0..d {
            w[(j * d + i) + i * (k * d)] = 1.0;
        }
    }
    let shifts: Vec<f64> = (0..k * d).map(|i| 0.03 * i as f64 - 0.1).collect();
    let copies = b.linear(x, k * d, &w, Some(&shifts));
    let z = b.dense_shared(copies, k, h, true, BiasInit::XavierNormal);
    let z = b.unary(z, Elementary::Tanh);
    let mix = [0.5, -1.0, 0.25, 2.0, 0.1, -0.3, 0.7, 0.2, -0.6];
    let z = b.linear_shared(z, k, h, &mix, Some(&[0.1, 0.0, -0.1]));
    // Channel-major: feature c of copy j at position c·k + j.
    let perm: Vec<usize> = (0..h)
        .flat_map(|c| (0..k).map(move |j| j * h + c))
        .collect();
    let t = b.gather(z, &perm);
    let mean = b.linear_shared(t, h, 1, &[1.0 / k as f64; 5], None);
    let u = b.unary(mean, Elementary::Sin);
    let out = b.dense(u, 1);
    let g = b.build(out).unwrap();
    assert_eq!(g.n_params(), (d * h + h) + (h + 1));
    let sel = Selection::new(3)
        .first(0)
        .first(2)
        .second(0, 0)
        .second(1, 2)
        .laplacian();
    check_against_oracle(&g, &sel, Seed(77), 4);
    check_finite_differences(&g, Seed(78));
}
