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
