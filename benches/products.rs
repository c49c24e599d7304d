//! The jet engine's dense products on the shapes of `benches/CASES.md`, one thread, in each
//! product mode: the tiled kernel with fused multiply-adds (`Fast`), without (`Portable`), and
//! matrixmultiply's general GEMM it replaced. Prints one line per shape with GFLOP/s and the
//! share of the same run's 512² matrixmultiply rate.
//!
//! ```text
//! cargo bench --bench products [-- --dtype f32|f64]
//! ```

use std::time::Instant;

use pinn::ad::Real;
use pinn::ad::jet::{ProductMode, product, set_product_mode};

/// The three products of a dense layer of width `w` after `w_in`, on `cols` jet columns (a
/// 256-point chunk times the jet's components): forward `Z = W·A`, weight gradient
/// `W̄ += Z̄·Aᵀ`, adjoint `Ā = Wᵀ·Z̄`.
/// One product: name, `(m, k, n)`, `A`'s and `B`'s strides, `β`.
type Shape = (
    &'static str,
    (usize, usize, usize),
    (usize, usize),
    (usize, usize),
    f64,
);

fn layer_products(w: usize, w_in: usize, cols: usize) -> [Shape; 3] {
    [
        ("forward W·A", (w, w_in, cols), (1, w), (1, w_in), 0.0),
        ("weights Z̄·Aᵀ", (w, cols, w_in), (1, w), (w_in, 1), 1.0),
        ("adjoint Wᵀ·Z̄", (w_in, w, cols), (w, 1), (1, w), 0.0),
    ]
}

/// Best GFLOP/s of `reps` runs of one product, each repeated until it takes ≥ 20 ms.
fn rate<T: Real>(
    (m, k, n): (usize, usize, usize),
    (ars, acs): (usize, usize),
    (brs, bcs): (usize, usize),
    beta: f64,
) -> f64 {
    let a: Vec<T> = (0..m * k)
        .map(|i| T::from_f64(((i * 7) % 13) as f64 * 0.01 - 0.06))
        .collect();
    let b: Vec<T> = (0..k * n)
        .map(|i| T::from_f64(((i * 5) % 11) as f64 * 0.01 - 0.05))
        .collect();
    let mut c = vec![T::zero(); m * n];
    let mut scratch = Vec::new();
    let mut run = |c: &mut [T]| {
        product(
            T::one(),
            &a,
            (m, k, ars, acs),
            &b,
            (n, brs, bcs),
            T::from_f64(beta),
            c,
            &mut scratch,
        )
    };
    run(&mut c);
    let t0 = Instant::now();
    let mut reps = 0usize;
    while t0.elapsed().as_secs_f64() < 0.02 {
        run(&mut c);
        reps += 1;
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..reps {
            run(&mut c);
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    2.0 * (m * k * n) as f64 / best / 1e9
}

fn bench<T: Real>() {
    let modes = [
        ProductMode::Fast,
        ProductMode::Portable,
        ProductMode::MatrixMultiply,
    ];
    set_product_mode(ProductMode::MatrixMultiply);
    let peak = rate::<T>((512, 512, 512), (1, 512), (1, 512), 0.0);
    println!(
        "{}: matrixmultiply 512² rate {peak:.1} GFLOP/s (one thread)",
        T::NAME
    );
    println!("| case | product | m × k × n | Fast | Portable | matrixmultiply |");
    println!("|---|---|---|---|---|---|");
    // (case, width, input width of the hidden layers, jet components).
    let cases = [
        ("burgers", 50, 50, 4),
        ("poisson2d", 64, 64, 5),
        ("poisson_hd10", 128, 128, 12),
        ("poisson_hd100", 128, 128, 102),
        ("wave_wide", 512, 512, 5),
    ];
    for (case, w, w_in, comps) in cases {
        for (name, (m, k, n), sa, sb, beta) in layer_products(w, w_in, comps * 256) {
            let cells: Vec<String> = modes
                .iter()
                .map(|&mode| {
                    set_product_mode(mode);
                    let r = rate::<T>((m, k, n), sa, sb, beta);
                    format!("{r:.1} ({:.0}%)", 100.0 * r / peak)
                })
                .collect();
            println!(
                "| {case} | {name} | {m} × {k} × {n} | {} |",
                cells.join(" | ")
            );
        }
    }
    set_product_mode(ProductMode::Fast);
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let dtype = a
        .iter()
        .position(|x| x == "--dtype")
        .and_then(|i| a.get(i + 1))
        .cloned();
    match dtype.as_deref() {
        None => {
            bench::<f32>();
            bench::<f64>();
        }
        Some("f32") => bench::<f32>(),
        Some("f64") => bench::<f64>(),
        Some(other) => {
            eprintln!("products: --dtype must be f32 or f64, not '{other}'");
            std::process::exit(2);
        }
    }
}
