//! Benchmark: one jet forward + reverse pass of an MLP 2-64-64-64-64-1 (tanh) on 4096 points
//! with components {u, u_x, u_y, u_xx, u_yy}, in f32 and f64, against nalgebra's plain GEMM on
//! the same shapes measured in the same run.
//!
//! Run: `cargo bench --bench jet_mlp` (add `-- --quick` for fewer repetitions).
//! A plain harness: prints a table, then one JSON line per configuration.

use std::time::Instant;

use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut};
use pinn::ad::jet::{Component, Graph, JetWorkspace, Selection};
use pinn::ad::{Elementary, Real, Scalar};
use pinn::rng::{Seed, uniform};
use rayon::prelude::*;

const WIDTHS: [usize; 6] = [2, 64, 64, 64, 64, 1];
const N: usize = 4096;

struct Stats {
    median_ms: f64,
    min_ms: f64,
}

fn time(reps: usize, mut f: impl FnMut()) -> Stats {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Stats {
        median_ms: t[t.len() / 2],
        min_ms: t[0],
    }
}

/// The dense-layer FLOPs of one forward + reverse pass with `c` components on `n` points.
fn pass_flops(c: usize, n: usize) -> f64 {
    let mut f = 0.0;
    for (i, w) in WIDTHS.windows(2).enumerate() {
        let (n_in, n_out) = (w[0] as f64, w[1] as f64);
        if i == 0 {
            // first layer: value-only product forward and for W̄; no Ā
            f += 2.0 * 2.0 * n_out * n_in * n as f64;
        } else {
            f += 3.0 * 2.0 * n_out * n_in * (c * n) as f64;
        }
    }
    f
}

/// One forward + reverse pass over all points in chunks, one workspace per rayon task.
fn jet_pass<T: Real>(
    g: &Graph,
    theta: &[T],
    pts: &[T],
    chunk: usize,
    ws: &mut [JetWorkspace<T>],
    grads: &mut [Vec<T>],
) {
    let per = pts.len().div_ceil(2 * chunk * ws.len()) * 2 * chunk; // points coords per task
    ws.par_iter_mut()
        .zip(grads.par_iter_mut())
        .zip(pts.par_chunks(per.max(2)))
        .for_each(|((ws, grad), task_pts)| {
            grad.iter_mut().for_each(|x| *x = <T as Scalar>::zero());
            for c in task_pts.chunks(2 * chunk) {
                ws.forward(g, theta, c).unwrap();
                // Poisson residual r = −(u_xx + u_yy) − f with f = 1: seeds 2r/N.
                let uxx = ws.output(Component::Second(0, 0)).unwrap().to_vec();
                let uyy = ws.output(Component::Second(1, 1)).unwrap().to_vec();
                let scale = <T as Scalar>::from_f64(-2.0 / N as f64);
                let seeds: Vec<T> = uxx
                    .iter()
                    .zip(&uyy)
                    .map(|(&a, &b)| scale * (-(a + b) - <T as Scalar>::one()))
                    .collect();
                ws.seed(Component::Second(0, 0))
                    .unwrap()
                    .copy_from_slice(&seeds);
                ws.seed(Component::Second(1, 1))
                    .unwrap()
                    .copy_from_slice(&seeds);
                ws.backward(g, theta, grad).unwrap();
            }
        });
}

/// The same dense products as one pass, done with plain nalgebra GEMMs.
struct GemmShapes<T: nalgebra::Scalar> {
    w: Vec<DMatrix<T>>,
    a: Vec<DMatrix<T>>,
    z: Vec<DMatrix<T>>,
    gw: Vec<DMatrix<T>>,
}

fn gemm_setup<T: Real + nalgebra::RealField>(c: usize, n: usize) -> GemmShapes<T> {
    let mut s = GemmShapes {
        w: vec![],
        a: vec![],
        z: vec![],
        gw: vec![],
    };
    for (i, w) in WIDTHS.windows(2).enumerate() {
        let cols = if i == 0 { n } else { c * n };
        s.w.push(DMatrix::from_element(
            w[1],
            w[0],
            <T as Scalar>::from_f64(0.01),
        ));
        s.a.push(DMatrix::from_element(
            w[0],
            cols,
            <T as Scalar>::from_f64(0.5),
        ));
        s.z.push(DMatrix::from_element(
            w[1],
            cols,
            <T as Scalar>::from_f64(0.0),
        ));
        s.gw.push(DMatrix::from_element(
            w[1],
            w[0],
            <T as Scalar>::from_f64(0.0),
        ));
    }
    s
}

fn gemm_pass<T: Real + nalgebra::RealField>(s: &mut GemmShapes<T>) {
    let (one, zero) = (<T as Scalar>::one(), <T as Scalar>::zero());
    for l in 0..s.w.len() {
        // forward Z = W A
        s.z[l].gemm(one, &s.w[l], &s.a[l], zero);
        // W̄ += Z̄ Aᵀ (transposed strided view, as the engine does)
        let a = &s.a[l];
        let at =
            DMatrixView::from_slice_with_strides(a.as_slice(), a.ncols(), a.nrows(), a.nrows(), 1);
        s.gw[l].gemm(one, &s.z[l], &at, one);
        if l > 0 {
            // Ā += Wᵀ Z̄
            let w = &s.w[l];
            let wt = DMatrixView::from_slice_with_strides(
                w.as_slice(),
                w.ncols(),
                w.nrows(),
                w.nrows(),
                1,
            );
            let (rows, cols) = s.a[l].shape();
            let mut av = DMatrixViewMut::from_slice(s.a[l].as_mut_slice(), rows, cols);
            av.gemm(one, &wt, &s.z[l], one);
        }
    }
}

fn square_gemm_gflops<T: Real + nalgebra::RealField>(n: usize, reps: usize) -> f64 {
    let a = DMatrix::from_element(n, n, <T as Scalar>::from_f64(0.5));
    let b = DMatrix::from_element(n, n, <T as Scalar>::from_f64(0.25));
    let mut c = DMatrix::from_element(n, n, <T as Scalar>::from_f64(0.0));
    let st = time(reps, || {
        c.gemm(<T as Scalar>::one(), &a, &b, <T as Scalar>::zero())
    });
    2.0 * (n as f64).powi(3) / (st.min_ms * 1e-3) / 1e9
}

fn run<T: Real + nalgebra::RealField>(reps: usize) {
    let g = Graph::mlp(&WIDTHS, Elementary::Tanh).unwrap();
    let sel = Selection::new(2)
        .first(0)
        .first(1)
        .second(0, 0)
        .second(1, 1);
    let c = sel.layout().unwrap().n_components();
    let theta: Vec<T> = g.init_params(Seed(1));
    let mut rng = Seed(0).rng();
    let pts: Vec<T> = (0..2 * N)
        .map(|_| <T as Scalar>::from_f64(uniform(&mut rng)))
        .collect();
    let flops = pass_flops(c, N);
    let threads = rayon::current_num_threads();
    let peak = square_gemm_gflops::<T>(512, reps.min(10));
    for &(chunk, tasks) in &[(N, 1), (256, 1), (256, threads)] {
        let mut ws: Vec<JetWorkspace<T>> = (0..tasks)
            .map(|_| JetWorkspace::new(&g, &sel).unwrap())
            .collect();
        let mut grads = vec![vec![<T as Scalar>::zero(); g.n_params()]; tasks];
        let jet = time(reps, || {
            jet_pass(&g, &theta, &pts, chunk, &mut ws, &mut grads)
        });
        // The same GEMMs with plain nalgebra, same chunking, same number of tasks.
        let mut shapes: Vec<GemmShapes<T>> = (0..tasks).map(|_| gemm_setup(c, chunk)).collect();
        let per_task = N / chunk / tasks;
        let gemm = time(reps, || {
            shapes.par_iter_mut().for_each(|s| {
                for _ in 0..per_task.max(1) {
                    gemm_pass(s);
                }
            })
        });
        let jet_gf = flops / (jet.median_ms * 1e-3) / 1e9;
        let gemm_gf = flops / (gemm.median_ms * 1e-3) / 1e9;
        println!(
            "{:>4} chunk {:>4} tasks {}: jet pass {:>8.3} ms (min {:>8.3}) {:>6.1} GFLOP/s | same GEMMs {:>8.3} ms {:>6.1} GFLOP/s | {:>5.1}% of GEMM rate | square 512 GEMM {:>6.1} GFLOP/s",
            T::NAME,
            chunk,
            tasks,
            jet.median_ms,
            jet.min_ms,
            jet_gf,
            gemm.median_ms,
            gemm_gf,
            100.0 * jet_gf / gemm_gf,
            peak
        );
        println!(
            "{{\"bench\":\"jet_mlp\",\"dtype\":\"{}\",\"points\":{N},\"chunk\":{chunk},\"tasks\":{tasks},\"jet_ms_median\":{:.4},\"jet_ms_min\":{:.4},\"jet_gflops\":{:.2},\"gemm_ms_median\":{:.4},\"gemm_gflops\":{:.2},\"pct_of_gemm\":{:.1},\"square512_gflops\":{:.2}}}",
            T::NAME,
            jet.median_ms,
            jet.min_ms,
            jet_gf,
            gemm.median_ms,
            gemm_gf,
            100.0 * jet_gf / gemm_gf,
            peak
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 5 } else { 20 };
    println!(
        "jet forward + reverse, MLP {:?} tanh, {N} points, components u,u_x,u_y,u_xx,u_yy; {} rayon threads",
        WIDTHS,
        rayon::current_num_threads()
    );
    run::<f64>(reps);
    run::<f32>(reps);
}
