//! Hard-constraint ansätze of the catalog ([`HardConstraint`]): the transformed network meets
//! every condition of its problem for any parameters, through the training engine (value and
//! time-derivative conditions alike); the plain network does not.

use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::nets::NetBuilder;
use pinn::pde::hard::HardConstraint;
use pinn::pde::problems::{AllenCahn, Burgers, Diffusion1D, Problem, Wave};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// The largest `|r|` of every condition of `p` on random and grid points of its region, for
/// the network `graph` at `theta`.
fn worst_condition_residual<P: Problem + Clone>(p: &P, graph: &Graph, theta: &[f64]) -> f64 {
    let mut rng = Seed(11).rng();
    let mut terms = Vec::new();
    let mut sets = Vec::new();
    for c in p.conditions() {
        let mut pts = p
            .sample_region(&c.region, 50, || uniform(&mut rng))
            .unwrap()
            .points;
        pts.extend(p.grid_region(&c.region, 9).unwrap().points);
        sets.push(pts.clone());
        terms.push(Term {
            name: c.name,
            kind: TermKind::Condition(c.condition),
            weight: 1.0,
            points: pts,
            normals: Vec::new(),
            partners: Vec::new(),
        });
    }
    let asm = Assembly::new(graph.clone(), p.clone(), terms, 16, 1).unwrap();
    let mut worst: f64 = 0.0;
    for (id, pts) in asm.term_ids().into_iter().zip(&sets) {
        let r2 = asm.residuals_at(id, theta, pts).unwrap();
        worst = r2.iter().fold(worst, |w, v| w.max(v.sqrt()));
    }
    worst
}

fn check<P: Problem + HardConstraint + Clone + 'static>(p: P) {
    let name = p.name();
    let q = p.clone();
    let hard = NetBuilder::new(2)
        .mlp(&[12, 12], Elementary::Tanh)
        .transform(move |b, x, n| q.ansatz(b, x, n))
        .build(1)
        .unwrap();
    let plain = NetBuilder::new(2)
        .mlp(&[12, 12], Elementary::Tanh)
        .build(1)
        .unwrap();
    assert_eq!(hard.n_params(), plain.n_params());
    for seed in 0..3 {
        // Larger-than-usual parameters, so that N is far from zero everywhere.
        let theta: Vec<f64> = hard
            .init_params::<f64>(Seed(seed))
            .iter()
            .map(|v| 3.0 * v)
            .collect();
        let with = worst_condition_residual(&p, &hard, &theta);
        let without = worst_condition_residual(&p, &plain, &theta);
        eprintln!("{name} seed {seed}: conditions |r| ≤ {with:.1e} (plain network {without:.1e})");
        assert!(
            with <= 1e-13,
            "{name}: ansatz misses a condition by {with:e}"
        );
        assert!(
            without > 1e-2,
            "{name}: the plain network passes ({without:e})"
        );
    }
}

#[test]
fn diffusion_ansatz_meets_its_conditions() {
    check(Diffusion1D);
}

#[test]
fn burgers_ansatz_meets_its_conditions() {
    check(Burgers::default());
}

#[test]
fn wave_ansatz_meets_its_conditions_including_the_initial_rate() {
    check(Wave::sampling_study());
    check(Wave::default());
}

#[test]
fn allen_cahn_ansatz_meets_its_conditions() {
    check(AllenCahn::default());
}

/// `hard::vanish_on_box_normalized` peaks at 1 (at the centre) over a 3-D box, vanishes on the
/// faces of the listed axes only, is `vanish_on_box` times `Π 4/w_k²`, and rejects bad boxes.
#[test]
fn vanish_on_box_normalized_peaks_at_one() {
    use pinn::ad::jet::GraphBuilder;
    use pinn::pde::hard;
    let (lo, hi) = ([-1.0, 0.0, 2.0], [1.0, 0.5, 5.0]);
    for axes in [vec![0, 1, 2], vec![0, 2]] {
        let build = |normalized: bool| {
            let mut b = GraphBuilder::new(3);
            let x = b.input();
            let bx = if normalized {
                hard::vanish_on_box_normalized(&mut b, x, &lo, &hi, &axes)
            } else {
                hard::vanish_on_box(&mut b, x, &lo, &hi, &axes)
            };
            b.build(bx).unwrap()
        };
        let (norm, plain) = (build(true), build(false));
        let factor: f64 = axes
            .iter()
            .map(|&k| 4.0 / ((hi[k] - lo[k]) * (hi[k] - lo[k])))
            .product();
        // A 21³ grid (its middle node is the centre) and the faces.
        let n = 21;
        let mut max: f64 = 0.0;
        for i in 0..n * n * n {
            let idx = [i / (n * n), (i / n) % n, i % n];
            let p: Vec<f64> = (0..3)
                .map(|k| lo[k] + (hi[k] - lo[k]) * idx[k] as f64 / (n - 1) as f64)
                .collect();
            let v = norm.eval::<f64>(&[], &p).unwrap()[0];
            let w = plain.eval::<f64>(&[], &p).unwrap()[0];
            assert!((0.0..=1.0).contains(&v), "{p:?}: {v}");
            assert!(
                (v - factor * w).abs() <= 1e-15,
                "{p:?}: {v} vs {}",
                factor * w
            );
            let on_face = axes.iter().any(|&k| idx[k] == 0 || idx[k] == n - 1);
            if on_face {
                assert_eq!(v, 0.0, "{p:?}");
            } else {
                assert!(v > 0.0, "{p:?}");
            }
            max = max.max(v);
        }
        let centre: Vec<f64> = (0..3).map(|k| 0.5 * (lo[k] + hi[k])).collect();
        let c = norm.eval::<f64>(&[], &centre).unwrap()[0];
        assert!((c - 1.0).abs() <= 2.0 * f64::EPSILON, "centre {c}");
        assert_eq!(max, c, "the maximum over the grid is at the centre");
    }
    // The unit cube: exactly 1 at the centre (vanish_on_box gives 1/64 there).
    let mut b = GraphBuilder::new(3);
    let x = b.input();
    let bx = hard::vanish_on_box_normalized(&mut b, x, &[0.0; 3], &[1.0; 3], &[0, 1, 2]);
    let g = b.build(bx).unwrap();
    assert_eq!(g.eval::<f64>(&[], &[0.5; 3]).unwrap(), vec![1.0]);
    // Bad boxes and axes are build errors naming the function.
    for (lo, hi, axes) in [
        (vec![0.0, 1.0], vec![1.0, 1.0], vec![0, 1]), // empty side on a listed axis
        (vec![0.0, 0.0], vec![1.0, f64::NAN], vec![1]),
        (vec![0.0, 0.0], vec![1.0, 1.0], vec![2]), // no such axis
        (vec![0.0, 0.0], vec![1.0, 1.0], vec![]),
        (vec![0.0], vec![1.0], vec![0]),
    ] {
        let mut b = GraphBuilder::new(2);
        let x = b.input();
        let bx = hard::vanish_on_box_normalized(&mut b, x, &lo, &hi, &axes);
        let e = b.build(bx).unwrap_err();
        assert!(
            e.to_string().contains("vanish_on_box_normalized")
                || e.to_string().contains("coordinate"),
            "{lo:?} {hi:?} {axes:?}: {e}"
        );
    }
}
