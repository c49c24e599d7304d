//! A training step allocates nothing once warm: the loss, its gradient through the batched jets
//! (the tiled products included) and an Adam update, on 2 threads, counted by a counting global
//! allocator over the steps after a warm-up. Issue 25's "no allocation per step".

use common::term;
use pinn::ad::jet::{Graph, ProductMode, set_product_mode};
use pinn::ad::{Elementary, Real};
use pinn::optim::{Adam, AdamConfig, Optimizer};
use pinn::pde::Condition;
use pinn::pde::Pde;
use pinn::pde::problems::{Burgers, Poisson2D};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

mod common;
#[path = "common/counting.rs"]
mod counting;

/// Allocations in steps 10..30 of Adam on `pde` (after 10 warm-up steps), on 2 threads.
fn allocations_per_step<P: Pde + Send + Sync, T: Real>(
    widths: &[usize],
    pde: P,
    terms: Vec<Term>,
) -> u64 {
    let g = Graph::mlp(widths, Elementary::Tanh).unwrap();
    let mut params: Vec<T> = g.init_params(Seed(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    // Every worker thread started (a thread's start allocates its work queue) before counting.
    pool.broadcast(|_| ());
    pool.install(|| {
        let mut a = Assembly::<P, T>::new(g, pde, terms, 64, 2).unwrap();
        let mut adam = Adam::<T>::new(AdamConfig::default()).unwrap();
        let mut step = |params: &mut Vec<T>, i: usize| {
            let mut obj = |x: &[T], gr: &mut [T]| a.eval(x, gr, i).map(|r| r.total);
            adam.step(params, &mut obj).unwrap();
        };
        for i in 0..10 {
            step(&mut params, i);
        }
        let before = counting::allocations();
        for i in 10..30 {
            step(&mut params, i);
        }
        counting::allocations() - before
    })
}

fn poisson<T: Real>() -> u64 {
    let mut rng = Seed(0).rng();
    let interior: Vec<f64> = (0..2 * 512).map(|_| uniform(&mut rng)).collect();
    let bc: Vec<f64> = (0..128).flat_map(|i| [i as f64 / 128.0, 0.0]).collect();
    let terms = vec![
        term("pde", TermKind::Pde, interior),
        term(
            "bc",
            TermKind::Condition(Condition::dirichlet(0, |_| 0.0)),
            bc,
        ),
    ];
    allocations_per_step::<_, T>(&[2, 24, 24, 1], Poisson2D, terms)
}

#[test]
fn a_warm_training_step_allocates_nothing() {
    // Both product modes; f64 and f32; a problem with two second derivatives (Poisson) and
    // one with a product of jets (Burgers).
    for mode in [ProductMode::Fast, ProductMode::Portable] {
        set_product_mode(mode);
        assert_eq!(poisson::<f64>(), 0, "Poisson f64 {mode:?}");
        assert_eq!(poisson::<f32>(), 0, "Poisson f32 {mode:?}");
    }
    set_product_mode(ProductMode::Fast);
    let mut rng = Seed(2).rng();
    let interior: Vec<f64> = (0..2 * 384)
        .map(|_| 2.0 * uniform(&mut rng) - 1.0)
        .collect();
    let ic: Vec<f64> = (0..64).flat_map(|i| [i as f64 / 32.0 - 1.0, 0.0]).collect();
    let terms = vec![
        term("pde", TermKind::Pde, interior),
        term(
            "ic",
            TermKind::Condition(Condition::initial(0, |x| {
                -(std::f64::consts::PI * x[0]).sin()
            })),
            ic,
        ),
    ];
    let burgers = Burgers::new(0.01 / std::f64::consts::PI).unwrap();
    assert_eq!(
        allocations_per_step::<_, f64>(&[2, 20, 20, 1], burgers, terms),
        0,
        "Burgers f64"
    );
}
