//! The periodic embedding `[x_{≠axis}, 1, cos(2πk x_axis/L), sin(2πk x_axis/L)]`
//! ([`periodic_embedding`], [`NetBuilder::periodic_embedding`]): its features against their
//! definition; networks built on it periodic in value and in every derivative the jets carry
//! (orders 1–4, pure and mixed), through [`JetWorkspace`]; the jets against hyper-dual
//! derivatives of [`Graph::eval`]; the trainer's periodic term vanishing on the periodic
//! Allen–Cahn problem; typed errors.

mod common;

use std::f64::consts::{PI, TAU};

use common::jets::{assert_close, random_vec};
use pinn::Error;
use pinn::ad::jet::{Component, Graph, GraphBuilder, JetWorkspace, NodeOp, Selection};
use pinn::ad::{Elementary, HyperDual};
use pinn::nets::{NetBuilder, periodic_embedding};
use pinn::pde::problems::{AllenCahnPeriodic, Problem, Region};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// The features of a graph that is the embedding alone, at `x`.
fn features(d: usize, axis: usize, period: f64, m: usize, x: &[f64]) -> Vec<f64> {
    let mut b = GraphBuilder::new(d);
    let input = b.input();
    let h = periodic_embedding(&mut b, input, axis, period, m).unwrap();
    assert_eq!(b.width(h), d + 2 * m);
    b.build(h).unwrap().eval(&[], x).unwrap()
}

/// The features against `[x_{≠axis}, 1, cos(2πk x_axis/L)…, sin(2πk x_axis/L)…]` written
/// out, for the causal paper's `(x, t)`, `L = 2`, `m = 10` (22 features) and for three inputs
/// with the middle one periodic. Measured: equal to the bit (the same operations).
#[test]
fn features_follow_the_definition() {
    let mut worst: f64 = 0.0;
    let mut rng = Seed(1).rng();
    for _ in 0..20 {
        let (x, t) = (2.0 * uniform(&mut rng) - 1.0, uniform(&mut rng));
        let f = features(2, 0, 2.0, 10, &[x, t]);
        assert_eq!(f.len(), 22);
        assert_eq!((f[0], f[1]), (t, 1.0));
        for k in 1..=10 {
            let w = k as f64 * PI;
            worst = worst
                .max((f[1 + k] - (w * x).cos()).abs())
                .max((f[11 + k] - (w * x).sin()).abs());
        }
        let p = [
            uniform(&mut rng),
            3.0 * uniform(&mut rng),
            -uniform(&mut rng),
        ];
        let f = features(3, 1, 0.7, 4, &p);
        assert_eq!(f.len(), 11);
        assert_eq!((f[0], f[1], f[2]), (p[0], p[2], 1.0));
        for k in 1..=4 {
            let w = TAU * k as f64 / 0.7;
            worst = worst
                .max((f[2 + k] - (w * p[1]).cos()).abs())
                .max((f[6 + k] - (w * p[1]).sin()).abs());
        }
    }
    eprintln!("periodic embedding: features within {worst:.1e}");
    assert!(worst <= 1e-14, "{worst:e}");
    // The causal paper's network: a 22-wide first layer, then 4 × 128.
    let net = NetBuilder::new(2)
        .periodic_embedding(0, 2.0, 10)
        .mlp(&[128; 4], Elementary::Tanh)
        .build(1)
        .unwrap();
    let first = net
        .nodes()
        .iter()
        .find_map(|n| match n.op {
            NodeOp::Dense { input, .. } => Some(net.nodes()[input].width),
            _ => None,
        })
        .unwrap();
    assert_eq!(first, 22);
    assert_eq!(
        net.n_params(),
        22 * 128 + 128 + 3 * (128 * 128 + 128) + 128 + 1
    );
}

/// Networks to test: the causal paper's (smaller widths), a modified MLP with random Fourier
/// features on top of the embedding, and a three-input network periodic in its middle
/// coordinate with period 0.7.
fn nets() -> Vec<(Graph, usize, f64)> {
    vec![
        (
            NetBuilder::new(2)
                .periodic_embedding(0, 2.0, 10)
                .mlp(&[24, 24], Elementary::Tanh)
                .build(1)
                .unwrap(),
            0,
            2.0,
        ),
        (
            NetBuilder::new(2)
                .periodic_embedding(0, 2.0, 3)
                .fourier(6, 1.0, Seed(4))
                .modified_mlp(&[12, 12], Elementary::Tanh)
                .build(2)
                .unwrap(),
            0,
            2.0,
        ),
        (
            NetBuilder::new(3)
                .periodic_embedding(1, 0.7, 4)
                .mlp(&[16, 16], Elementary::Sin)
                .build(1)
                .unwrap(),
            1,
            0.7,
        ),
    ]
}

/// Every component of orders 1–4 for `d` inputs: all firsts, all seconds, and the pure and
/// one mixed third and fourth partial along `axis`.
fn components(d: usize, axis: usize) -> Vec<Component> {
    let other = (axis + 1) % d;
    let mut c = vec![Component::Value];
    c.extend((0..d).map(Component::First));
    for k in 0..d {
        c.extend((k..d).map(|l| Component::Second(k, l)));
    }
    c.extend([
        Component::Third(axis, axis, axis),
        Component::Third(axis, axis, other),
        Component::Fourth(axis, axis, axis, axis),
        Component::Fourth(axis, axis, other, other),
    ]);
    c
}

/// The jets of `g` at `points` for `comps`, one vector per component (output-fastest).
fn jets(g: &Graph, theta: &[f64], points: &[f64], comps: &[Component]) -> Vec<Vec<f64>> {
    let sel = comps
        .iter()
        .fold(Selection::new(g.input_dim()), |s, &c| s.component(c));
    let mut ws = JetWorkspace::new(g, &sel).unwrap();
    ws.forward(g, theta, points).unwrap();
    comps
        .iter()
        .map(|&c| ws.output(c).unwrap().to_vec())
        .collect()
}

/// Value and derivatives of orders 1–4 at `x` and at `x` shifted along the periodic axis by
/// `L`, `−L` and `3L`, 64 random points per network, through the batched jets. Measured
/// (relative to each component's largest value): 8.2e-14 for the causal paper's network,
/// 3.1e-13 with random Fourier features on top (their frequencies amplify the rounding of
/// `x + L`), 5.8e-14 for the three-input network.
#[test]
fn networks_are_periodic_in_every_derivative() {
    let mut worst = [0.0_f64; 3];
    for (i, (g, axis, period)) in nets().into_iter().enumerate() {
        let d = g.input_dim();
        let theta: Vec<f64> = g.init_params(Seed(10 + i as u64));
        let points = random_vec(Seed(20 + i as u64), 64 * d, -1.0, 1.0);
        let comps = components(d, axis);
        let base = jets(&g, &theta, &points, &comps);
        for shift in [period, -period, 3.0 * period] {
            let mut moved = points.clone();
            for p in moved.chunks_mut(d) {
                p[axis] += shift;
            }
            let other = jets(&g, &theta, &moved, &comps);
            for ((c, a), b) in comps.iter().zip(&other).zip(&base) {
                let what = format!("net {i}, {c:?}, shift {shift}");
                worst[i] = worst[i].max(assert_close(a, b, 2e-12, &what));
            }
        }
    }
    eprintln!(
        "periodic embedding: shifted jets within {:.1e}, {:.1e}, {:.1e} (per network)",
        worst[0], worst[1], worst[2]
    );
}

/// The batched jets of every component of orders ≤ 2 against hyper-dual derivatives of
/// [`Graph::eval`] (one pass per pair `(k, l)`), 16 random points per network. Measured:
/// within 6.6e-15 of each component's largest value.
#[test]
fn jets_match_hyper_duals() {
    let mut worst: f64 = 0.0;
    for (i, (g, axis, _)) in nets().into_iter().enumerate() {
        let d = g.input_dim();
        let m = g.output_dim();
        let theta: Vec<f64> = g.init_params(Seed(30 + i as u64));
        let points = random_vec(Seed(40 + i as u64), 16 * d, -3.0, 3.0);
        let comps: Vec<Component> = components(d, axis)
            .into_iter()
            .filter(|c| !matches!(c, Component::Third(..) | Component::Fourth(..)))
            .collect();
        let jet = jets(&g, &theta, &points, &comps);
        let th: Vec<HyperDual<f64>> = theta.iter().map(|&v| HyperDual::constant(v)).collect();
        for (c, got) in comps.iter().zip(&jet) {
            let (k, l) = match *c {
                Component::Value => (0, 0),
                Component::First(k) => (k, k),
                Component::Second(k, l) => (k, l),
                _ => unreachable!(),
            };
            let mut want = Vec::with_capacity(got.len());
            for p in points.chunks(d) {
                let x: Vec<HyperDual<f64>> = p
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| HyperDual::seeded(v, j, k, l))
                    .collect();
                let u = g.eval(&th, &x).unwrap();
                want.extend(u.iter().map(|h| match c {
                    Component::Value => h.re,
                    Component::First(_) => h.e1,
                    _ => h.e12,
                }));
            }
            assert_eq!(want.len(), m * points.len() / d);
            worst = worst.max(assert_close(got, &want, 1e-12, &format!("net {i}, {c:?}")));
        }
    }
    eprintln!("periodic embedding: jets vs hyper-duals within {worst:.1e}");
}

/// The trainer's periodic term of [`AllenCahnPeriodic`] (pairs `u(−1, t) = u(1, t)`) is zero
/// to round-off with the embedding (measured: 1.3e-31, i.e. differences of ~1e-16 per pair)
/// and not without it (1.1).
#[test]
fn the_periodic_term_vanishes_with_the_embedding() {
    let ac = AllenCahnPeriodic::default();
    let pair = ac
        .grid_region(&Region::PeriodicPair { axis: 0 }, 16)
        .unwrap();
    let interior = ac.grid_region(&Region::Interior, 8).unwrap();
    let terms = || {
        vec![
            Term {
                name: "pde".into(),
                kind: TermKind::Pde,
                weight: 1.0,
                points: interior.points.clone(),
                normals: Vec::new(),
                partners: Vec::new(),
            },
            Term {
                name: "periodic".into(),
                kind: TermKind::Condition(ac.conditions()[1].condition.clone()),
                weight: 1.0,
                points: pair.points.clone(),
                normals: Vec::new(),
                partners: pair.partners.clone(),
            },
        ]
    };
    let periodic_loss = |g: Graph| {
        let theta: Vec<f64> = g.init_params(Seed(3));
        let mut asm = Assembly::new(g, ac, terms(), 16, 1).unwrap();
        let mut grad = vec![0.0; asm.n_params()];
        asm.eval(&theta, &mut grad, 0).unwrap().terms[1]
    };
    let with = periodic_loss(
        NetBuilder::new(2)
            .periodic_embedding(0, 2.0, 10)
            .mlp(&[16, 16], Elementary::Tanh)
            .build(1)
            .unwrap(),
    );
    let without = periodic_loss(
        NetBuilder::new(2)
            .mlp(&[16, 16], Elementary::Tanh)
            .build(1)
            .unwrap(),
    );
    eprintln!("periodic term: {with:e} with the embedding, {without:.1e} without");
    assert!(with <= 1e-28, "{with:e}");
    assert!(without > 1e-6, "{without:e}");
}

#[test]
fn bad_arguments_are_typed_errors() {
    let build = |axis: usize, period: f64, m: usize| {
        NetBuilder::new(2)
            .periodic_embedding(axis, period, m)
            .mlp(&[4], Elementary::Tanh)
            .build(1)
    };
    for (axis, period, m) in [
        (2, 2.0, 3),
        (0, 0.0, 3),
        (0, -2.0, 3),
        (0, f64::NAN, 3),
        (0, f64::INFINITY, 3),
        (0, 2.0, 0),
        (0, 1e-308, 10),
    ] {
        assert!(
            matches!(build(axis, period, m), Err(Error::InvalidConfig { .. })),
            "{axis} {period} {m}"
        );
    }
    assert!(build(1, 2.0, 3).is_ok());
    let both = NetBuilder::new(2)
        .normalize(&[0.0, 0.5], &[0.6, 0.3])
        .periodic_embedding(0, 2.0, 3)
        .build(1);
    assert!(matches!(both, Err(Error::InvalidConfig { .. })));
    // The free function reports the same errors.
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    assert!(periodic_embedding(&mut b, x, 5, 2.0, 3).is_err());
}
