//! Random directions pushed through the jets: the directional jet workspace
//! (`JetWorkspace::new_directional`) against the exact Hessian contracted with the same
//! tangents, values and θ-gradients to 1e-12; and `ProbedLaplacian` (Hutchinson, Gaussian and
//! stochastic-dimension probes) unbiased for the network's own Laplacian, exact at `P = d` with
//! coordinate probes, and independent of how points are batched.

mod common;

use common::jets::{assert_close, mlp, random_vec};
use pinn::ad::Elementary;
use pinn::ad::jet::{Component, JetWorkspace, Selection};
use pinn::model::{Batch, Model, Probe, ProbedLaplacian};
use pinn::rng::Seed;

#[test]
fn directional_slots_carry_the_hessian_contracted_with_their_tangents() {
    let (d, n, m) = (3, 4, 2);
    let g = mlp(d, &[8, 8], m, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(1));
    let pts = random_vec(Seed(2), n * d, -1.0, 1.0);
    // Two slots with random tangents v (slot 0) and w (slot 1) at every point.
    let tangents = random_vec(Seed(3), 2 * n * d, -1.0, 1.0);
    let tan = |s: usize, p: usize| &tangents[(s * n + p) * d..(s * n + p + 1) * d];
    let mut exact_sel = Selection::new(d);
    for k in 0..d {
        for l in k..d {
            exact_sel = exact_sel.second(k, l);
        }
    }
    let mut exact = JetWorkspace::new(&g, &exact_sel).unwrap();
    exact.forward(&g, &theta, &pts).unwrap();
    let dir_sel = Selection::new(2).second(0, 0).second(0, 1).second(1, 1);
    let mut dir = JetWorkspace::new_directional(&g, &dir_sel).unwrap();
    dir.forward_directional(&g, &theta, &pts, &tangents)
        .unwrap();

    // Values: ∇u·v, vᵀHv, vᵀHw, wᵀHw from the exact partials.
    let h = |k: usize, l: usize| exact.output(Component::Second(k, l)).unwrap().to_vec();
    let grad_u = |k: usize| exact.output(Component::First(k)).unwrap().to_vec();
    let contract2 = |a: usize, b: usize| -> Vec<f64> {
        let mut out = vec![0.0; n * m];
        for k in 0..d {
            for l in 0..d {
                let hkl = h(k, l);
                for p in 0..n {
                    for o in 0..m {
                        out[p * m + o] += tan(a, p)[k] * tan(b, p)[l] * hkl[p * m + o];
                    }
                }
            }
        }
        out
    };
    for s in 0..2 {
        let mut want = vec![0.0; n * m];
        for k in 0..d {
            let gk = grad_u(k);
            for p in 0..n {
                for o in 0..m {
                    want[p * m + o] += tan(s, p)[k] * gk[p * m + o];
                }
            }
        }
        assert_close(
            dir.output(Component::First(s)).unwrap(),
            &want,
            1e-12,
            "∇u·v",
        );
    }
    for (a, b) in [(0, 0), (0, 1), (1, 1)] {
        let got = dir.output(Component::Second(a, b)).unwrap();
        assert_close(
            got,
            &contract2(a, b),
            1e-12,
            &format!("slot pair ({a}, {b})"),
        );
    }

    // θ-gradient of Σ seeds · vᵀHw: the same seeds, times v_k w_l, on every exact H_kl.
    let seeds = random_vec(Seed(4), n * m, -1.0, 1.0);
    dir.seed(Component::Second(0, 1))
        .unwrap()
        .copy_from_slice(&seeds);
    let mut got = vec![0.0; theta.len()];
    dir.backward(&g, &theta, &mut got).unwrap();
    let mut want = vec![0.0; theta.len()];
    for k in 0..d {
        for l in k..d {
            exact.forward(&g, &theta, &pts).unwrap();
            let s = exact.seed(Component::Second(k, l)).unwrap();
            for p in 0..n {
                // H_kl appears as (k, l) and (l, k) in the double sum.
                let c = tan(0, p)[k] * tan(1, p)[l]
                    + if k == l {
                        0.0
                    } else {
                        tan(0, p)[l] * tan(1, p)[k]
                    };
                for o in 0..m {
                    s[p * m + o] = c * seeds[p * m + o];
                }
            }
            exact.backward(&g, &theta, &mut want).unwrap();
        }
    }
    assert_close(&got, &want, 1e-12, "θ-gradient of vᵀHw");
    // The ordinary forward pass is refused on a directional workspace, and the other way.
    assert!(dir.forward(&g, &theta, &pts).is_err());
    assert!(
        exact
            .forward_directional(&g, &theta, &pts, &tangents)
            .is_err()
    );
    assert!(
        dir.forward_directional(&g, &theta, &pts, &tangents[1..])
            .is_err()
    );
}

const COMPS: [Component; 4] = [
    Component::Value,
    Component::First(1),
    Component::Second(0, 2),
    Component::Laplacian,
];

/// The exact values of `COMPS` and the θ-gradient of `seeds` on them, from the graph's own
/// jets.
fn exact(
    g: &pinn::ad::jet::Graph,
    theta: &[f64],
    pts: &[f64],
    seeds: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut ws = Model::<f64>::workspace(g, &COMPS).unwrap();
    let mut v = vec![0.0; pts.len() / g.input_dim() * COMPS.len()];
    g.forward(&mut ws, theta, &Batch::new(pts), &mut v).unwrap();
    let mut grad = vec![0.0; theta.len()];
    g.backward(&mut ws, theta, seeds, &mut grad).unwrap();
    (v, grad)
}

#[test]
fn coordinate_probes_at_p_equal_d_give_the_exact_laplacian_and_gradient() {
    let d = 5;
    let g = mlp(d, &[12, 12], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(5));
    let pts = random_vec(Seed(6), 3 * d, -1.0, 1.0);
    let seeds = random_vec(Seed(7), 3 * COMPS.len(), -1.0, 1.0);
    let (want_v, want_g) = exact(&g, &theta, &pts, &seeds);
    let f = ProbedLaplacian::new(g, d, Probe::Coordinates).unwrap();
    let mut ws = f.workspace(&COMPS).unwrap();
    let mut v = vec![0.0; want_v.len()];
    f.forward(&mut ws, &theta, &Batch::new(&pts), &mut v)
        .unwrap();
    let mut grad = vec![0.0; theta.len()];
    f.backward(&mut ws, &theta, &seeds, &mut grad).unwrap();
    assert_close(&v, &want_v, 1e-12, "values");
    assert_close(&grad, &want_g, 1e-12, "θ-gradient");
}

#[test]
fn every_probe_is_unbiased_for_the_networks_laplacian_and_the_rest_is_exact() {
    let d = 6;
    let g = mlp(d, &[16, 16], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(8));
    let x = random_vec(Seed(9), d, -1.0, 1.0);
    let (want, _) = exact(&g, &theta, &x, &[0.0; 4]);
    for probe in [Probe::Rademacher, Probe::Gaussian, Probe::Coordinates] {
        let f = ProbedLaplacian::new(g.clone(), 2, probe).unwrap();
        let mut ws = f.workspace(&COMPS).unwrap();
        let (mut sum, mut sq, n) = (0.0, 0.0, 4000);
        let mut v = [0.0; 4];
        for i in 0..n {
            let batch = Batch {
                points: &x,
                first: 0,
                stream: Seed(100 + i as u64),
            };
            f.forward(&mut ws, &theta, &batch, &mut v).unwrap();
            assert_close(&v[..3], &want[..3], 1e-12, "exact components");
            sum += v[3];
            sq += v[3] * v[3];
        }
        let mean = sum / n as f64;
        let se = ((sq / n as f64 - mean * mean) / (n as f64 - 1.0)).sqrt();
        let z = (mean - want[3]) / se;
        assert!(
            z.abs() < 4.5 && se > 0.0,
            "{probe:?}: mean Δ̂u {mean:.6} vs Δu {:.6} ({z:.2} standard errors of {se:.2e})",
            want[3]
        );
    }
}

#[test]
fn a_point_draws_the_same_probes_in_any_batch_and_bad_settings_are_named() {
    let d = 4;
    let g = mlp(d, &[8], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(1));
    let f = ProbedLaplacian::new(g.clone(), 3, Probe::Rademacher).unwrap();
    let pts = random_vec(Seed(2), 5 * d, 0.0, 1.0);
    let mut ws = f.workspace(&COMPS).unwrap();
    let mut run = |lo: usize, hi: usize| {
        let mut v = vec![0.0; (hi - lo) * COMPS.len()];
        let batch = Batch {
            points: &pts[d * lo..d * hi],
            first: lo,
            stream: Seed(7),
        };
        f.forward(&mut ws, &theta, &batch, &mut v).unwrap();
        v
    };
    let whole = run(0, 5);
    let mut split = run(0, 2);
    split.extend(run(2, 5));
    assert_eq!(common::bits(&whole), common::bits(&split));

    assert!(ProbedLaplacian::new(g.clone(), 0, Probe::Gaussian).is_err());
    let e = ProbedLaplacian::new(g.clone(), 5, Probe::Coordinates).unwrap_err();
    assert!(e.to_string().contains("input dimension 4"), "{e}");
    let f = ProbedLaplacian::new(g, 2, Probe::Gaussian).unwrap();
    assert!(Model::<f64>::workspace(&f, &[Component::Third(0, 0, 1)]).is_err());
    assert!(Model::<f64>::workspace(&f, &[Component::First(4)]).is_err());
}
