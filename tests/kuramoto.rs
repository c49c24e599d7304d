//! A short training run on the manufactured Kuramoto–Sivashinsky problem
//! ([`KuramotoSivashinsky`], `α = β = γ = 1`, `u* = e^{−t} sin x` on `[0, 2π] × [0, 1]`).
//!
//! The network takes the periodic embedding `(cos x, sin x, 2t − 1)` (as jaxpi's KS runs do),
//! so `u` and all its `x`-derivatives are `2π`-periodic exactly — the catalog's periodic pair
//! constrains the value only, which a fourth-order equation does not make well-posed (a plain
//! 2-32-32-1 MLP on the same terms and steps drove the loss to 6e-6 with a rel-ℓ² error of
//! 0.14: a wrong solution fits them) — then a 3-32-32-1 tanh MLP. Adam (800 steps) then L-BFGS (at most 150 steps, until converged), on
//! the catalog's terms: the PDE on a 20×20 grid, the initial condition and the periodic pair
//! on 20 points each.

use pinn::ad::Elementary;
use pinn::ad::jet::{Graph, GraphBuilder};
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::hard;
use pinn::pde::problems::{KuramotoSivashinsky, Problem, Region};
use pinn::rng::Seed;
use pinn::train::{Term, TermKind, Trainer};

/// `(x, t) ↦ (cos x, sin x, 2t − 1)`, then a tanh MLP of `depth` layers of `width`.
fn periodic_mlp(width: usize, depth: usize) -> Graph {
    let mut b = GraphBuilder::new(2);
    let input = b.input();
    let x = hard::coordinate(&mut b, input, 0);
    let t = hard::affine_coordinate(&mut b, input, 1, 2.0, -1.0);
    let (c, s) = (b.unary(x, Elementary::Cos), b.unary(x, Elementary::Sin));
    let cs = b.concat(c, s);
    let mut h = b.concat(cs, t);
    for _ in 0..depth {
        h = b.dense(h, width);
        h = b.unary(h, Elementary::Tanh);
    }
    let out = b.dense(h, 1);
    b.build(out).unwrap()
}

/// Measured on 2 cores (release, seed 1): the loss falls from 1.7 to 7.7e-7 (a factor
/// 2e6) and the rel-ℓ² error on the 101×101 grid reaches 1.75e-4 in 4.6–5 s (seeds 2 and 3:
/// 2.3e-4, 1.0e-4). The assertions keep a margin of ten on the error and of a hundred on the
/// loss ratio.
#[test]
fn kuramoto_sivashinsky_learns_the_manufactured_solution() {
    let ks = KuramotoSivashinsky::default();
    let interior = ks.grid_region(&Region::Interior, 20).unwrap().points;
    let test = ks.grid_region(&Region::Interior, 101).unwrap().points;
    let reference = ks.reference_at(&test).unwrap();
    let mut b = Trainer::<_, f64>::builder(periodic_mlp(32, 2), ks)
        .pde_points(interior)
        .metrics(test, reference, usize::MAX)
        .chunk_size(64)
        .threads(2)
        .seed(Seed(1));
    for c in ks.conditions() {
        let p = ks.grid_region(&c.region, 20).unwrap();
        b = b.term(Term {
            name: c.name,
            kind: TermKind::Condition(c.condition),
            weight: 1.0,
            points: p.points,
            normals: p.normals,
            partners: p.partners,
        });
    }
    let adam = Adam::new(AdamConfig {
        lr: 1e-3,
        ..AdamConfig::default()
    })
    .unwrap();
    let mut t = b
        .phase("adam", 800, adam)
        .phase_until_converged("lbfgs", 150, Lbfgs::new(LbfgsConfig::default()).unwrap())
        .build()
        .unwrap();
    let r = t.run().unwrap();
    let first = r.history.first().unwrap().loss;
    let last = r.history.last().unwrap().loss;
    let rel = r.metrics.last().unwrap().1.rel_l2;
    eprintln!(
        "kuramoto_sivashinsky: rel-L2 {rel:.2e}, loss {first:.2e} → {last:.2e}, {} steps, {} \
         evaluations, {:.2} s ({:?})",
        r.steps, r.evaluations, r.seconds, r.stop
    );
    assert!(last <= 1e-4 * first, "loss {first:e} → {last:e}");
    assert!(rel <= 2e-3, "rel-L2 {rel:.3e}");
    // The periodic pair holds exactly with the embedding (cos and sin of 0 and 2π agree to
    // round-off).
    let periodic = r.history.last().unwrap().terms[2];
    assert!(periodic <= 1e-20, "periodic term {periodic:e}");
}
