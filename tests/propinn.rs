//! The ProPINN network (spec `ropinn_propinn_spec.md` §6.1): its parameter count, its jets
//! against the scalar path and finite differences, and the "gradient uniting" of its
//! perturbed copies.

mod common;

use common::oracle::check_against_oracle;
use pinn::Error;
use pinn::ad::HyperDual;
use pinn::ad::jet::{Component, JetWorkspace, NodeOp, Selection};
use pinn::nets::{
    PROPINN_COPIES, propinn, propinn_offsets, propinn_on_copies, weight_matrices, xavier_uniform,
};
use pinn::rng::Seed;

#[test]
fn the_parameter_count_is_the_checkpoints() {
    let g = propinn([1.0, 1.0]).unwrap();
    assert_eq!(g.n_params(), 15_030);
    // Six WaveAct instances, two scalars each; nine weight matrices: the projection's two
    // and the mixing's two, each shared by its blocks, and the head's five.
    let scalars = (g.nodes().iter())
        .filter(|n| matches!(n.op, NodeOp::ScaleByParam { .. }))
        .count();
    assert_eq!(scalars, 12);
    // The WaveAct weights start at 1, as in the authors' code.
    let theta: Vec<f64> = xavier_uniform(&g, Seed(0), 0.01).unwrap();
    for n in g.nodes() {
        if let NodeOp::ScaleByParam { offset, .. } = n.op {
            assert_eq!(theta[offset], 1.0);
        }
    }
    let shapes: Vec<(usize, usize)> = weight_matrices(&g, false)
        .iter()
        .map(|w| (w.n_in, w.n_out))
        .collect();
    assert_eq!(
        shapes,
        [
            (2, 8),
            (8, 32),
            (4, 8),
            (8, 1),
            (32, 64),
            (64, 64),
            (64, 64),
            (64, 64),
            (64, 1)
        ]
    );
    // P 314, M 51, H 14 665 (spec §6.1).
    let p = (2 * 8 + 8) + 2 + (8 * 32 + 32);
    let m = (4 * 8 + 8) + 2 + (8 + 1);
    let h = (32 * 64 + 64) + 3 * (64 * 64 + 64) + (64 + 1) + 4 * 2;
    assert_eq!((p, m, h), (314, 51, 14_665));
    assert_eq!(PROPINN_COPIES, propinn_offsets().len());
}

#[test]
fn the_offsets_are_the_uniform_grids() {
    let o = propinn_offsets();
    assert_eq!(o[0], [0.0, 0.0]);
    let region = |a: usize, b: usize| &o[a..b];
    for (r, (a, b, half, side)) in [(1, 10, 0.01, 3), (10, 35, 0.05, 5), (35, 84, 0.09, 7)]
        .into_iter()
        .enumerate()
    {
        let pts = region(a, b);
        let step = 2.0 * half / (side - 1) as f64;
        for (i, p) in pts.iter().enumerate() {
            let want = [
                -half + step * (i / side) as f64,
                -half + step * (i % side) as f64,
            ];
            assert!(
                (p[0] - want[0]).abs() < 1e-15 && (p[1] - want[1]).abs() < 1e-15,
                "region {}: {p:?} vs {want:?}",
                r + 1
            );
        }
        // Odd grids include δ = 0.
        assert!(pts.iter().any(|p| p[0].abs() < 1e-15 && p[1].abs() < 1e-15));
    }
}

/// Every output component and the θ-gradient against hyper-duals and a tape of hyper-duals,
/// to 1e-12 (the shared oracle of the jet tests), with the authors' initialisation plus noise.
#[test]
fn jets_and_gradient_match_the_scalar_path() {
    for scale in [[1.0, 1.0], [std::f64::consts::PI, std::f64::consts::PI]] {
        let g = propinn(scale).unwrap();
        let sel = Selection::new(2)
            .first(0)
            .first(1)
            .second(0, 0)
            .second(1, 1)
            .second(0, 1);
        check_against_oracle(&g, &sel, Seed(11), 2);
    }
}

/// `u_x`, `u_t`, `u_xx`, `u_tt` against central finite differences of the value.
#[test]
fn jets_match_finite_differences() {
    let g = propinn([std::f64::consts::PI, std::f64::consts::PI]).unwrap();
    let theta: Vec<f64> = xavier_uniform(&g, Seed(2), 0.01).unwrap();
    let sel = Selection::new(2)
        .first(0)
        .first(1)
        .second(0, 0)
        .second(1, 1);
    let mut ws = JetWorkspace::new(&g, &sel).unwrap();
    let p = [0.37, 0.61];
    ws.forward(&g, &theta, &p).unwrap();
    let jet = |c: Component| ws.output(c).unwrap()[0];
    let u = |x: [f64; 2]| g.eval(&theta, &x).unwrap()[0];
    for k in 0..2 {
        let e = |s: f64| {
            let mut x = p;
            x[k] += s;
            x
        };
        let h1 = 1e-6;
        let d1 = (u(e(h1)) - u(e(-h1))) / (2.0 * h1);
        let h2 = 1e-4;
        let d2 = (u(e(h2)) - 2.0 * u(p) + u(e(-h2))) / (h2 * h2);
        let (j1, j2) = (jet(Component::First(k)), jet(Component::Second(k, k)));
        assert!(
            (d1 - j1).abs() < 1e-7 * j1.abs().max(1.0),
            "u_{k}: {d1} vs {j1}"
        );
        assert!(
            (d2 - j2).abs() < 1e-4 * j2.abs().max(1.0),
            "u_{k}{k}: {d2} vs {j2}"
        );
    }
}

/// `∂u/∂p = s ⊙ Σ_j ∂u/∂copy_j`: the derivative sums the contributions of all 84 perturbed
/// copies, every one of them non-zero, and the unperturbed copy's alone is not the
/// derivative.
#[test]
fn the_derivative_unites_every_perturbed_copy() {
    let s = [std::f64::consts::PI, 2.0];
    let (g, gc) = (propinn(s).unwrap(), propinn_on_copies().unwrap());
    let theta: Vec<f64> = xavier_uniform(&g, Seed(5), 0.01).unwrap();
    let p = [0.2, 0.45];
    let copies: Vec<f64> = propinn_offsets()
        .iter()
        .flat_map(|d| [s[0] * p[0] + d[0], s[1] * p[1] + d[1]])
        .collect();
    // ∂u/∂p from the jets of the network on p.
    let sel = Selection::new(2).first(0).first(1);
    let mut ws = JetWorkspace::new(&g, &sel).unwrap();
    ws.forward(&g, &theta, &p).unwrap();
    let du = [
        ws.output(Component::First(0)).unwrap()[0],
        ws.output(Component::First(1)).unwrap()[0],
    ];
    // ∂u/∂copy_j by one hyper-dual run per input of the copies network.
    let th: Vec<HyperDual<f64>> = theta.iter().map(|&t| HyperDual::constant(t)).collect();
    let per_input: Vec<f64> = (0..copies.len())
        .map(|i| {
            let xs: Vec<HyperDual<f64>> = (0..copies.len())
                .map(|k| HyperDual::seeded(copies[k], k, i, i))
                .collect();
            gc.eval(&th, &xs).unwrap()[0].e1
        })
        .collect();
    for k in 0..2 {
        let summed: f64 = (0..PROPINN_COPIES)
            .map(|j| per_input[2 * j + k])
            .sum::<f64>()
            * s[k];
        assert!(
            (summed - du[k]).abs() < 1e-12 * du[k].abs().max(1.0),
            "∂u/∂p_{k}: {summed} vs {}",
            du[k]
        );
        let own = per_input[k] * s[k];
        assert!(
            (own - du[k]).abs() > 1e-3 * du[k].abs(),
            "the unperturbed copy alone gives the derivative ({own} vs {})",
            du[k]
        );
        for j in 0..PROPINN_COPIES {
            assert!(per_input[2 * j + k] != 0.0, "copy {j} contributes nothing");
        }
    }
}

#[test]
fn a_bad_input_scale_is_refused_by_name() {
    for s in [[0.0, 1.0], [1.0, f64::NAN], [f64::INFINITY, 1.0]] {
        match propinn(s) {
            Err(Error::InvalidConfig { field, .. }) => assert_eq!(field, "propinn.input_scale"),
            other => panic!("{s:?}: {other:?}"),
        }
    }
}
