//! The canonical PINN training-step benchmarks of `benches/CASES.md`, implemented
//! exactly as specified there (same networks, point counts, losses and Adam update), so the
//! same step can be timed here and in JAX / PyTorch (`scripts/peers/`) on the same machine.
//!
//! One step = the full loss (PDE residual through the batched jets, boundary / initial terms),
//! its gradient with respect to every parameter, and one Adam update (lr 1e-3, PyTorch's
//! formula). Timing: 5 warm-up steps, then 20 steps timed one by one (fewer, at least 5, when a
//! step takes over 2 s: `max(5, min(20, floor(40 s / step)))`), as the peers' harness does.
//!
//! ```text
//! cargo bench --bench cases -- [--case poisson2d|burgers|wave_wide|poisson_hd10|poisson_hd100]
//!                              [--dtype f32|f64] [--threads N] [--chunk N] [--steps N]
//!                              [--device cpu|gpu]   (gpu: cargo bench --features wgpu …)
//! ```
//! Without `--case`/`--dtype` every case and dtype runs in turn. Each run prints one JSON line
//! (median/min ms per step, GFLOP/s of the dense-layer work, the GEMM rate measured in the same
//! process, peak resident memory of the process, the storage of one full-batch set of jets,
//! heap allocations per timed step, and the CPU time other processes used while it was timed).

use std::f64::consts::PI;
use std::time::Instant;

use nalgebra::DMatrix;
use pinn::ad::jet::{Graph, NodeOp, ProductMode, Selection, product_mode, set_product_mode};
use pinn::ad::{Elementary, Real, Scalar};
use pinn::model::Model;
use pinn::optim::{Adam, AdamConfig, Optimizer};
use pinn::pde::Condition;
use pinn::pde::Pde;
use pinn::pde::problems::{Burgers, Poisson2D, PoissonND, Wave};
use pinn::rng::{Rng64, Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};
use rayon::prelude::*;

const CASES: [&str; 5] = [
    "poisson2d",
    "burgers",
    "poisson_hd10",
    "poisson_hd100",
    "wave_wide",
];

/// Counts allocations, to check "no allocation per step".
#[path = "../tests/common/counting.rs"]
mod counting;

fn arg(name: &str) -> Option<String> {
    let a: Vec<String> = std::env::args().collect();
    a.iter()
        .position(|x| x == name)
        .and_then(|i| a.get(i + 1).cloned())
}

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

fn rand_points(rng: &mut Rng64, n: usize, d: usize, lo: f64, hi: f64) -> Vec<f64> {
    (0..n * d).map(|_| lo + (hi - lo) * uniform(rng)).collect()
}

/// Runs one case: returns the JSON line.
fn run_case<T: Real + nalgebra::RealField>(
    case: &str,
    threads: usize,
    chunk: usize,
    steps: usize,
) -> String {
    let mut rng = Seed(0).rng();
    match case {
        "poisson2d" => {
            let g = Graph::mlp(&[2, 64, 64, 64, 64, 1], Elementary::Tanh).unwrap();
            let interior = rand_points(&mut rng, 4096, 2, 0.0, 1.0);
            let mut bc = Vec::new();
            for edge in 0..4 {
                for _ in 0..256 {
                    let s = uniform(&mut rng);
                    bc.extend_from_slice(&match edge {
                        0 => [s, 0.0],
                        1 => [s, 1.0],
                        2 => [0.0, s],
                        _ => [1.0, s],
                    });
                }
            }
            let terms = vec![
                term("pde", TermKind::Pde, interior),
                term(
                    "bc",
                    TermKind::Condition(Condition::dirichlet(0, |_| 0.0)),
                    bc,
                ),
            ];
            time_case::<_, T>(case, g, Poisson2D, terms, threads, chunk, steps)
        }
        "burgers" => {
            let g = Graph::mlp(&[2, 50, 50, 50, 50, 1], Elementary::Tanh).unwrap();
            let mut interior = Vec::new();
            for _ in 0..4096 {
                interior.extend_from_slice(&[2.0 * uniform(&mut rng) - 1.0, uniform(&mut rng)]);
            }
            let ic: Vec<f64> = (0..256)
                .flat_map(|_| [2.0 * uniform(&mut rng) - 1.0, 0.0])
                .collect();
            let bc: Vec<f64> = (0..256)
                .flat_map(|i| [if i < 128 { -1.0 } else { 1.0 }, uniform(&mut rng)])
                .collect();
            let terms = vec![
                term("pde", TermKind::Pde, interior),
                term(
                    "ic",
                    TermKind::Condition(Condition::initial(0, |x| -(PI * x[0]).sin())),
                    ic,
                ),
                term(
                    "bc",
                    TermKind::Condition(Condition::dirichlet(0, |_| 0.0)),
                    bc,
                ),
            ];
            time_case::<_, T>(case, g, Burgers::default(), terms, threads, chunk, steps)
        }
        "wave_wide" => {
            let g = Graph::mlp(&[2, 512, 512, 512, 1], Elementary::Tanh).unwrap();
            let lin: Vec<f64> = (0..101).map(|i| i as f64 / 100.0).collect();
            let grid: Vec<f64> = lin
                .iter()
                .flat_map(|&x| lin.iter().flat_map(move |&t| [x, t]))
                .collect();
            let ic: Vec<f64> = lin.iter().flat_map(|&x| [x, 0.0]).collect();
            let bc: Vec<f64> = [0.0, 1.0]
                .iter()
                .flat_map(|&x| lin.iter().flat_map(move |&t| [x, t]))
                .collect();
            let u0 = |x: &[f64]| (PI * x[0]).sin() + 0.5 * (3.0 * PI * x[0]).sin();
            let terms = vec![
                term("pde", TermKind::Pde, grid),
                term(
                    "ic",
                    TermKind::Condition(Condition::initial(0, u0)),
                    ic.clone(),
                ),
                term(
                    "ic_rate",
                    TermKind::Condition(Condition::initial_rate(0, |_| 0.0)),
                    ic,
                ),
                term(
                    "bc",
                    TermKind::Condition(Condition::dirichlet(0, |_| 0.0)),
                    bc,
                ),
            ];
            time_case::<_, T>(case, g, Wave::default(), terms, threads, chunk, steps)
        }
        "poisson_hd10" | "poisson_hd100" => {
            let d = if case == "poisson_hd10" { 10 } else { 100 };
            let g = Graph::mlp(&[d, 128, 128, 128, 1], Elementary::Tanh).unwrap();
            let interior = rand_points(&mut rng, 1024, d, 0.0, 1.0);
            let mut bc = rand_points(&mut rng, 256, d, 0.0, 1.0);
            for k in 0..256 {
                let j = ((uniform(&mut rng) * d as f64) as usize).min(d - 1);
                bc[k * d + j] = if uniform(&mut rng) < 0.5 { 0.0 } else { 1.0 };
            }
            let exact =
                move |x: &[f64]| x.iter().map(|&v| (PI * v / 2.0).sin()).sum::<f64>() / d as f64;
            let terms = vec![
                term("pde", TermKind::Pde, interior),
                term(
                    "bc",
                    TermKind::Condition(Condition::dirichlet(0, exact)),
                    bc,
                ),
            ];
            time_case::<_, T>(
                case,
                g,
                PoissonND::new(d).unwrap(),
                terms,
                threads,
                chunk,
                steps,
            )
        }
        other => panic!("unknown case {other}"),
    }
}

/// Dense-layer FLOPs of one loss + gradient evaluation: per term, `C` components on `n`
/// points; forward `2·out·in·C·n`, and in reverse `W̄` and `Ā` as much again (the first layer
/// multiplies only the value, and has no `Ā`).
fn step_flops(g: &Graph, terms: &[(Selection, usize)]) -> f64 {
    let mut f = 0.0;
    for (sel, n) in terms {
        let c = sel.layout().unwrap().n_components() as f64;
        for node in g.nodes() {
            if let NodeOp::Dense { input, .. } = node.op {
                let (i, o) = (g.nodes()[input].width as f64, node.width as f64);
                let n = *n as f64;
                f += if input == 0 {
                    2.0 * 2.0 * o * i * n
                } else {
                    3.0 * 2.0 * o * i * c * n
                };
            }
        }
    }
    f
}

/// Bytes of the jets of every node for all points of every term at once (what a full-batch
/// forward pass would hold): the yardstick for the step's peak memory.
fn jet_bytes<T>(g: &Graph, terms: &[(Selection, usize)]) -> f64 {
    let widths: usize = g.nodes().iter().map(|n| n.width).sum();
    let comps_points: usize = terms
        .iter()
        .map(|(sel, n)| sel.layout().unwrap().n_components() * n)
        .sum();
    (widths * comps_points * std::mem::size_of::<T>()) as f64
}

fn selection_of(p: &impl Pde, d: usize, t: &Term) -> Selection {
    let comps = match &t.kind {
        TermKind::Pde => p.components(),
        TermKind::Condition(c) => c.components(d),
    };
    comps.iter().fold(Selection::new(d), |s, &c| s.component(c))
}

/// CPU seconds used by the whole machine (all processes) so far.
fn machine_busy_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let v: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() < 8 {
        return 0.0;
    }
    let idle = v[3] + v[4];
    (v[..8].iter().sum::<f64>() - idle) / 100.0
}

/// CPU seconds used by this process so far.
fn own_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let t = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// GFLOP/s of `threads` concurrent n×n GEMMs (nalgebra → matrixmultiply), best of `reps`.
fn gemm_rate<T: Real + nalgebra::RealField>(n: usize, threads: usize, reps: usize) -> f64 {
    let mats: Vec<_> = (0..threads)
        .map(|_| {
            let a = DMatrix::from_fn(n, n, |i, j| {
                <T as Scalar>::from_f64(((i * 7 + j) % 13) as f64 * 0.01)
            });
            (
                a.clone(),
                a,
                DMatrix::from_element(n, n, <T as Scalar>::zero()),
            )
        })
        .collect::<Vec<_>>();
    let mut mats = mats;
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = Instant::now();
        mats.par_iter_mut()
            .for_each(|(a, b, c)| c.gemm(<T as Scalar>::one(), a, b, <T as Scalar>::zero()));
        best = best.min(t0.elapsed().as_secs_f64());
    }
    threads as f64 * 2.0 * (n as f64).powi(3) / best / 1e9
}

fn time_case<P: Pde, T: Real + nalgebra::RealField>(
    case: &str,
    g: Graph,
    pde: P,
    terms: Vec<Term>,
    threads: usize,
    chunk: usize,
    steps: usize,
) -> String {
    let d = g.input_dim();
    let sels: Vec<(Selection, usize)> = terms
        .iter()
        .map(|t| (selection_of(&pde, d, t), t.points.len() / d))
        .collect();
    let flops = step_flops(&g, &sels);
    let jets_mib = jet_bytes::<T>(&g, &sels) / (1024.0 * 1024.0);
    let n_params = g.n_params();
    let mut params: Vec<T> = g.init_params(Seed(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let rss_before = peak_rss_mib();
    let device = arg("--device").unwrap_or_else(|| "cpu".into());
    let measured = match device.as_str() {
        "cpu" => pool.install(|| measure(g, pde, terms, threads, chunk, steps, &mut params)),
        #[cfg(feature = "wgpu")]
        "gpu" => {
            let ctx = pinn::gpu::GpuContext::new().unwrap_or_else(|e| panic!("--device gpu: {e}"));
            eprintln!("device: {}", ctx.adapter());
            let model = pinn::gpu::GpuGraph::new(&ctx, g).unwrap();
            pool.install(|| measure(model, pde, terms, threads, chunk, steps, &mut params))
        }
        other => panic!(
            "--device {other}: expected cpu{}",
            if cfg!(feature = "wgpu") {
                " or gpu"
            } else {
                " (gpu needs --features wgpu)"
            }
        ),
    };
    let (times, first_loss, foreign, gemm, allocs) = measured;
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        0.5 * (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2])
    };
    let gflops = flops / (median * 1e-3) / 1e9;
    eprintln!(
        "{case:14} {} {threads}T: median {median:9.3} ms  min {:9.3} ms  {gflops:6.1} GFLOP/s = {:5.1}% of GEMM {gemm:6.1}  (foreign load {foreign:.2})",
        T::NAME,
        sorted[0],
        100.0 * gflops / gemm
    );
    format!(
        "{{\"framework\":\"pinn\",\"case\":\"{case}\",\"dtype\":\"{}\",\"threads\":{threads},\"chunk\":{chunk},\"median_ms\":{median:.4},\"min_ms\":{:.4},\"steps\":{},\"n_params\":{n_params},\"first_loss\":{first_loss:e},\"gflops\":{gflops:.3},\"gemm512_gflops\":{gemm:.3},\"pct_gemm\":{:.2},\"peak_rss_mib\":{:.1},\"rss_before_mib\":{rss_before:.1},\"jets_mib\":{jets_mib:.2},\"allocs_per_step\":{allocs:.1},\"foreign_cpu_load\":{foreign:.3},\"target_cpu_native\":{},\"products\":\"{:?}\"}}",
        T::NAME,
        sorted[0],
        times.len(),
        100.0 * gflops / gemm,
        peak_rss_mib(),
        cfg!(target_feature = "avx512f"),
        product_mode()
    )
}

/// Times `steps` Adam steps of `model` (after 5 untimed): per-step ms, the first loss, the
/// foreign CPU load while timed, the 512² GEMM rate and the allocations per step.
fn measure<P: Pde, T: Real + nalgebra::RealField, M: Model<T>>(
    model: M,
    pde: P,
    terms: Vec<Term>,
    threads: usize,
    chunk: usize,
    steps: usize,
    params: &mut Vec<T>,
) -> (Vec<f64>, f64, f64, f64, f64) {
    let a = &mut Assembly::<P, T, M>::new(model, pde, terms, chunk, threads).unwrap();
    let mut adam = Adam::<T>::new(AdamConfig::default()).unwrap();
    let mut step = |params: &mut Vec<T>, i: usize| -> f64 {
        let mut obj = |x: &[T], gr: &mut [T]| a.eval(x, gr, i).map(|r| r.total);
        adam.step(params, &mut obj).unwrap().loss.to_f64()
    };
    let first = step(params, 0);
    let t0 = Instant::now();
    for i in 1..5 {
        step(params, i);
    }
    let est = t0.elapsed().as_secs_f64() / 4.0;
    let n = if est > 2.0 {
        (40.0 / est)
            .floor()
            .clamp(steps.min(5) as f64, steps as f64) as usize
    } else {
        steps
    };
    // The list of times is allocated before the count starts: only the steps are counted.
    let mut times: Vec<f64> = Vec::with_capacity(n);
    let (b0, o0, w0) = (machine_busy_s(), own_cpu_s(), Instant::now());
    let allocs0 = counting::allocations();
    for i in 0..n {
        let t = Instant::now();
        step(params, 5 + i);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let allocs = (counting::allocations() - allocs0) as f64 / n as f64;
    let wall = w0.elapsed().as_secs_f64();
    let foreign = ((machine_busy_s() - b0) - (own_cpu_s() - o0)).max(0.0) / wall;
    let gemm = gemm_rate::<T>(512, threads, 10);
    (times, first, foreign, gemm, allocs)
}

fn main() {
    let threads: usize = arg("--threads").and_then(|s| s.parse().ok()).unwrap_or(2);
    let chunk: usize = arg("--chunk").and_then(|s| s.parse().ok()).unwrap_or(256);
    let steps: usize = arg("--steps")
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .max(1);
    // The products' kernel: the tiled kernel with fused multiply-adds (default), without
    // (`portable`: the same bits on any CPU), or matrixmultiply's general GEMM (to compare).
    let products = arg("--products").unwrap_or_else(|| "fast".into());
    set_product_mode(match products.as_str() {
        "fast" => ProductMode::Fast,
        "portable" => ProductMode::Portable,
        "matrixmultiply" => ProductMode::MatrixMultiply,
        other => {
            eprintln!("cases: --products must be fast, portable or matrixmultiply, not '{other}'");
            std::process::exit(2);
        }
    });
    let cases: Vec<String> = match arg("--case") {
        Some(c) => vec![c],
        None => CASES.iter().map(|s| s.to_string()).collect(),
    };
    let dtypes: Vec<String> = match arg("--dtype") {
        Some(d) => vec![d],
        None => vec!["f32".into(), "f64".into()],
    };
    for case in &cases {
        for dt in &dtypes {
            let line = if dt == "f32" {
                run_case::<f32>(case, threads, chunk, steps)
            } else {
                run_case::<f64>(case, threads, chunk, steps)
            };
            println!("{line}");
        }
    }
}
