//! A training step allocates nothing once warm: the loss, its gradient through the batched jets
//! (the tiled products included) and an Adam update, on 2 threads, counted by a counting global
//! allocator over the steps after a warm-up. Issue 25's "no allocation per step".

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use pinn::ad::jet::{Graph, ProductMode, set_product_mode};
use pinn::ad::{Elementary, Real};
use pinn::optim::{Adam, AdamConfig, Optimizer};
use pinn::pde::Condition;
use pinn::pde::Pde;
use pinn::pde::problems::{Burgers, Poisson2D};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// The system allocator, counting allocations. `GlobalAlloc` is an unsafe trait; this test
/// crate's only `unsafe` (the library forbids it).
struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;

fn term(name: &str, kind: TermKind, points: Vec<f64>) -> Term {
    Term {
        name: name.into(),
        kind,
        weight: 1.0,
        points,
        normals: vec![],
        partners: vec![],
    }
}

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
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for i in 10..30 {
            step(&mut params, i);
        }
        ALLOCATIONS.load(Ordering::Relaxed) - before
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
