//! Layouts with third and fourth derivatives, the biharmonic aggregate's output and seed, the
//! errors of undeclared or invalid components, and the order-≤2 engine unchanged: same
//! layouts, and the same bits as before orders 3–4 existed.

use std::cell::Cell;

use pinn::Error;
use pinn::ad::Elementary;
use pinn::ad::jet::{Component, Graph, GraphBuilder, JetWorkspace, Selection};
use pinn::pde::Fields;
use pinn::rng::{Seed, uniform};

/// The graph, parameters, points and seeds of the reference run at commit ca5096c (the
/// program that wrote `tests/data/jet_order2_bits.txt`): every node kind, widths ≤ 5 so every
/// product takes the plain loop (whose bits do not depend on the CPU's SIMD features), and only
/// `tanh`, the crate's own arithmetic (no libm).
fn reference_case() -> (Graph, Vec<f64>, Vec<f64>, pinn::rng::Rng64) {
    let mut b = GraphBuilder::new(3);
    let x = b.input();
    let w: Vec<f64> = (0..9).map(|i| if i % 4 == 0 { 1.3 } else { 0.2 }).collect();
    let xn = b.linear(x, 3, &w, Some(&[0.1, -0.2, 0.05]));
    let z1 = b.dense(xn, 5);
    let a1 = b.unary(z1, Elementary::Tanh);
    let z2 = b.dense(x, 5);
    let a2 = b.unary(z2, Elementary::Tanh);
    let p = b.param(5);
    let g1 = b.mul(a1, a2);
    let s = b.sub(p, a2);
    let s = b.scale(s, -0.7, 0.4);
    let h = b.add(g1, s);
    let cat = b.concat(h, a1);
    let z3 = b.dense(cat, 4);
    let a3 = b.unary(z3, Elementary::Tanh);
    let sq = b.mul(a3, a3);
    let out = b.dense(sq, 2);
    let g = b.build(out).unwrap();
    let mut rng = Seed(7).rng();
    let theta: Vec<f64> = g
        .init_params::<f64>(Seed(3))
        .iter()
        .map(|t| t + 0.1 * (uniform(&mut rng) - 0.5))
        .collect();
    let pts: Vec<f64> = (0..9).map(|_| uniform(&mut rng) * 2.0 - 1.0).collect();
    (g, theta, pts, rng)
}

/// The reference bits of `name` (`"a JET"`, …) from the data file.
fn reference(name: &str) -> Vec<u64> {
    let text = include_str!("data/jet_order2_bits.txt");
    let line = text
        .lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no line {name}"));
    line[name.len()..]
        .split_whitespace()
        .map(|h| u64::from_str_radix(h.trim_start_matches("0x"), 16).unwrap())
        .collect()
}

/// Order-≤2 selections give bit for bit the output jets and gradients of the engine before
/// orders 3–4 existed, with the same layouts.
#[test]
fn order2_selections_are_bit_identical_to_before() {
    let (g, theta, pts, mut rng) = reference_case();
    let sels = [
        (
            "a",
            Selection::new(3)
                .first(0)
                .second(0, 1)
                .second(2, 2)
                .laplacian(),
            7,
        ),
        ("b", Selection::new(3).second(1, 1).first(2), 4),
    ];
    for (name, sel, n_comp) in sels {
        let l = sel.layout().unwrap();
        assert_eq!(l.n_components(), n_comp);
        assert_eq!(l.max_order(), 2);
        assert!(l.triples().is_empty() && l.quadruples().is_empty() && !l.has_biharmonic());
        let mut ws = JetWorkspace::<f64>::new(&g, &sel).unwrap();
        ws.forward(&g, &theta, &pts).unwrap();
        let jet = ws.output_jet().to_vec();
        let seeds: Vec<f64> = (0..jet.len())
            .map(|_| uniform(&mut rng) * 2.0 - 1.0)
            .collect();
        ws.seed_jet().copy_from_slice(&seeds);
        let mut grad = vec![0.0; g.n_params()];
        ws.backward(&g, &theta, &mut grad).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert_eq!(bits(&jet), reference(&format!("{name} JET")), "{name}: jet");
        assert_eq!(
            bits(&grad),
            reference(&format!("{name} GRAD")),
            "{name}: gradient"
        );
    }
}

/// The layout of an order-≤2 selection is `[value, d…, s…, lap?]` as before.
#[test]
fn order2_layouts_are_unchanged() {
    let l = Selection::new(3)
        .second(2, 0)
        .first(1)
        .laplacian()
        .layout()
        .unwrap();
    assert_eq!(l.directions(), [0, 1, 2]);
    assert_eq!(l.pairs(), [(0, 2)]);
    assert_eq!(l.n_components(), 6);
    assert_eq!(l.index(Component::Second(2, 0)).unwrap(), 4);
    assert_eq!(l.index(Component::Laplacian).unwrap(), 5);
    let l = Selection::new(2).second(1, 1).layout().unwrap();
    assert_eq!(
        (l.directions(), l.pairs(), l.n_components()),
        (&[1][..], &[(1, 1)][..], 3)
    );
    assert_eq!(l.max_order(), 2);
    assert_eq!(Selection::new(2).first(0).layout().unwrap().max_order(), 1);
    assert_eq!(Selection::new(2).layout().unwrap().max_order(), 0);
}

/// Third and fourth partials bring their sub-partials, after the order-≤2 blocks.
#[test]
fn layouts_are_closed_under_sub_partials() {
    let l = Selection::new(3)
        .fourth(1, 0, 1, 0)
        .first(2)
        .layout()
        .unwrap();
    assert_eq!(l.directions(), [0, 1, 2]);
    assert_eq!(l.pairs(), [(0, 0), (0, 1), (1, 1)]);
    assert_eq!(l.triples(), [[0, 0, 1], [0, 1, 1]]);
    assert_eq!(l.quadruples(), [[0, 0, 1, 1]]);
    assert_eq!(l.n_components(), 1 + 3 + 3 + 2 + 1);
    assert_eq!(l.max_order(), 4);
    assert_eq!(l.index(Component::Third(1, 0, 1)).unwrap(), 8);
    assert_eq!(l.index(Component::Fourth(0, 1, 1, 0)).unwrap(), 9);
    // Δ² in 3 dimensions: u_kkkk and u_kkll (k < l), u_kkk, u_kkl, u_kll, every pair, every
    // direction; the aggregate itself is index C, past the blocks.
    let l = Selection::new(3).biharmonic().laplacian().layout().unwrap();
    assert_eq!(l.quadruples().len(), 6);
    assert_eq!(l.triples().len(), 9);
    assert_eq!(l.pairs().len(), 6);
    assert_eq!(l.n_components(), 1 + 3 + 6 + 1 + 9 + 6);
    assert_eq!(l.index(Component::Laplacian).unwrap(), 10);
    assert_eq!(l.index(Component::Third(0, 0, 0)).unwrap(), 11);
    assert_eq!(l.index(Component::Biharmonic).unwrap(), l.n_components());
    assert_eq!(
        Selection::new(2).component(Component::Value),
        Selection::new(2)
    );
}

#[test]
fn undeclared_and_invalid_components_are_errors() {
    let l = Selection::new(3).third(0, 1, 2).layout().unwrap();
    for c in [
        Component::Third(0, 0, 1),
        Component::Fourth(0, 1, 2, 2),
        Component::Biharmonic,
        Component::Second(0, 0),
    ] {
        assert!(
            matches!(l.index(c), Err(Error::UndeclaredDerivative { .. })),
            "{c:?}"
        );
    }
    for sel in [
        Selection::new(2).third(0, 1, 2),
        Selection::new(2).fourth(0, 0, 0, 5),
    ] {
        assert!(matches!(sel.layout(), Err(Error::InvalidConfig { .. })));
    }
    let g = Graph::mlp(&[2, 4, 1], Elementary::Tanh).unwrap();
    let theta: Vec<f64> = g.init_params(Seed(1));
    let mut ws = JetWorkspace::new(&g, &Selection::new(2).third(0, 0, 1)).unwrap();
    ws.forward(&g, &theta, &[0.1, 0.2]).unwrap();
    assert!(matches!(
        ws.output(Component::Biharmonic),
        Err(Error::UndeclaredDerivative { .. })
    ));
    assert!(matches!(
        ws.seed(Component::Fourth(0, 0, 0, 1)),
        Err(Error::UndeclaredDerivative { .. })
    ));
}

/// A seed on Δ² is a seed of 1 on every `u_kkkk` and 2 on every `u_kkll`, added to any seed
/// already there; it is used up by the reverse sweep.
#[test]
fn biharmonic_seed_is_moved_onto_the_fourth_partials() {
    let g = Graph::mlp(&[3, 6, 6, 2], Elementary::Sin).unwrap();
    let theta: Vec<f64> = g.init_params(Seed(4));
    let pts: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin()).collect();
    let n_out = 2 * 4;
    let s: Vec<f64> = (0..n_out).map(|i| (i as f64 * 0.71).cos()).collect();
    let a: Vec<f64> = (0..n_out).map(|i| 0.3 - 0.1 * i as f64).collect();
    let sel = Selection::new(3).biharmonic();
    let mut ws = JetWorkspace::new(&g, &sel).unwrap();
    // Δ² seeded, plus a seed of its own on u_0000.
    ws.forward(&g, &theta, &pts).unwrap();
    ws.seed(Component::Biharmonic).unwrap().copy_from_slice(&s);
    ws.seed(Component::Fourth(0, 0, 0, 0))
        .unwrap()
        .copy_from_slice(&a);
    let mut g1 = vec![0.0; g.n_params()];
    ws.backward(&g, &theta, &mut g1).unwrap();
    assert!(
        ws.seed(Component::Biharmonic)
            .unwrap()
            .iter()
            .all(|&v| v == 0.0)
    );
    // A second sweep without reseeding gives the same gradient again (the seed was moved,
    // not counted twice).
    let mut again = vec![0.0; g.n_params()];
    ws.backward(&g, &theta, &mut again).unwrap();
    assert_eq!(again, g1);
    // The same seeds written by hand on the partials.
    ws.forward(&g, &theta, &pts).unwrap();
    for k in 0..3 {
        let seed = ws.seed(Component::Fourth(k, k, k, k)).unwrap();
        for (t, (&sv, &av)) in seed.iter_mut().zip(s.iter().zip(&a)) {
            *t = if k == 0 { av + sv } else { sv };
        }
        for l in k + 1..3 {
            let seed = ws.seed(Component::Fourth(k, k, l, l)).unwrap();
            for (t, &sv) in seed.iter_mut().zip(&s) {
                *t = 2.0 * sv;
            }
        }
    }
    let mut g2 = vec![0.0; g.n_params()];
    ws.backward(&g, &theta, &mut g2).unwrap();
    assert_eq!(g1, g2);
    // And the output is the sum of those partials.
    let out = |ws: &JetWorkspace<f64>, c| ws.output(c).unwrap().to_vec();
    let bilap = out(&ws, Component::Biharmonic);
    let mut sum = vec![0.0; n_out];
    for k in 0..3 {
        let terms = [((k, k), 1.0)].into_iter();
        for ((p, q), f) in terms.chain((k + 1..3).map(|l| ((k, l), 2.0))) {
            let u = out(&ws, Component::Fourth(p, p, q, q));
            sum.iter_mut().zip(&u).for_each(|(s, v)| *s += f * v);
        }
    }
    for (b, s) in bilap.iter().zip(&sum) {
        assert!((b - s).abs() <= 1e-14 * s.abs().max(1.0));
    }
}

/// Adding order-3/4 components leaves the order-≤2 ones bit for bit as the order-2 engine
/// computes them (small widths: every product is the plain loop, column by column).
#[test]
fn order2_components_do_not_change_with_higher_ones() {
    let (g, theta, pts, _) = reference_case();
    let low = Selection::new(3)
        .first(0)
        .second(0, 1)
        .second(2, 2)
        .laplacian();
    let high = low.clone().third(0, 1, 1).fourth(2, 2, 2, 1).biharmonic();
    let mut ws_low = JetWorkspace::new(&g, &low).unwrap();
    let mut ws_high = JetWorkspace::new(&g, &high).unwrap();
    ws_low.forward(&g, &theta, &pts).unwrap();
    ws_high.forward(&g, &theta, &pts).unwrap();
    let l = low.layout().unwrap();
    let mut comps = vec![Component::Value, Component::Laplacian];
    comps.extend(l.directions().iter().map(|&k| Component::First(k)));
    comps.extend(l.pairs().iter().map(|&(k, j)| Component::Second(k, j)));
    for c in comps {
        assert_eq!(
            ws_low.output(c).unwrap(),
            ws_high.output(c).unwrap(),
            "{c:?}"
        );
    }
}

/// `Fields` reads third, fourth and biharmonic components, indices in any order.
#[test]
fn fields_read_orders_3_4() {
    let comps = [
        Component::Third(0, 1, 0),
        Component::Fourth(1, 0, 0, 1),
        Component::Biharmonic,
    ];
    let vals = [1.5, -2.0, 7.0];
    let missing = Cell::new(None);
    let f = Fields::new(&comps, 1, &vals, &missing);
    assert_eq!(f.d3(0, 1, 0, 0), 1.5);
    assert_eq!(f.d4(0, 0, 1, 1, 0), -2.0);
    assert_eq!(f.bilap(0), 7.0);
    assert_eq!(missing.get(), None);
    assert_eq!(f.d3(0, 1, 1, 0), 0.0);
    assert_eq!(missing.get(), Some(Component::Third(0, 1, 1)));
}
