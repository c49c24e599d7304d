//! The cost of one FBPINN loss-and-gradient evaluation against the number of subdomains at a
//! fixed number of points (issue: FBPINNs, performance), in 1-D and 2-D:
//!
//! - 1-D: Cos1D, `u′ = cos(15x)` on `[−2π, 2π]`, 3000 equispaced points, `J` equal cells
//!   with overlap width 0.7 (sigmoid windows), 1-16-16-1 tanh networks, `J ∈ {5, 10, 20, 30,
//!   60, 120}`;
//! - 2-D: the multilevel paper's Laplace, `Δu + f = 0` on `[0, 1]²`, 80² equispaced points,
//!   one level of `n × n` subdomains (cosine windows, width 1.9 × spacing) and multilevel
//!   stacks of `L` levels, 2-16-1 tanh networks.
//!
//! Each point visits only the subdomains covering it, so the cost should follow the number
//! of point-visits `V = Σ_j |points in subdomain j|`, not `points × J`. Prints one JSON line
//! per case: the median ms of an evaluation, `V`, `points × J`, and µs per visit. Run it on an
//! idle machine.
//!
//! Both models carry the hard constraints of their problems (`u = tanh(15x)·Σ` and
//! `u = Π_d tanh(x_d/s) tanh((1 − x_d)/s)·Σ`, `s = 1/16`), as `scripts/peers/fbpinn_jax.py`
//! does. `--check DIR` evaluates instead the loss at the initial parameters that script
//! wrote with `--dump DIR` (in `f64`), beside its own initial loss: the two implementations
//! compute the same function.
//!
//! ```text
//! cargo bench --bench fbpinn -- [--dtype f32|f64] [--threads N] [--chunk N (256)]
//! cargo bench --bench fbpinn -- --check DIR
//! ```

use std::time::Instant;

use pinn::ad::Elementary;
use pinn::ad::Real;
use pinn::model::Model;
use pinn::nets::fan_in_uniform;
use pinn::nets::fbpinn::{Decomposition, Fbpinn, overlap_from_width, uniform_edges};
use pinn::pde::problems::{Laplace2DMultiscale, SineOde};
use pinn::pde::{Pde, hard};
use pinn::train::{Assembly, Term, TermKind};

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn case<T: Real, P: Pde + Clone + Send + Sync + 'static>(
    label: &str,
    model: Fbpinn,
    pde: P,
    points: Vec<f64>,
    threads: usize,
    chunk: usize,
) {
    let d = model.decomposition().dim();
    let n = points.len() / d;
    let cover = model.decomposition().cover(&points, d).unwrap();
    let visits: usize = cover.iter().map(|c| c.len()).sum();
    let params: Vec<T> = model
        .init_params_with(pinn::rng::Seed(0), fan_in_uniform)
        .unwrap();
    let j = model.decomposition().len();
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points,
        normals: vec![],
        partners: vec![],
    };
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut a = Assembly::new(model, pde, vec![term], chunk, threads).unwrap();
    let mut grad = vec![T::zero(); Model::<T>::n_params(a.model())];
    let ms = rayon.install(|| {
        a.eval(&params, &mut grad, 0).unwrap(); // warm-up: builds the group graphs
        let reps = 7;
        median(
            (0..reps)
                .map(|_| {
                    let t = Instant::now();
                    a.eval(&params, &mut grad, 0).unwrap();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    });
    println!(
        "{{\"case\":\"{label}\",\"dtype\":\"{}\",\"threads\":{threads},\"chunk\":{chunk},\"subdomains\":{j},\"points\":{n},\"visits\":{visits},\"points_x_subdomains\":{},\"eval_ms\":{ms:.3},\"us_per_visit\":{:.4}}}",
        T::NAME,
        n * j,
        ms * 1e3 / visits as f64
    );
}

/// Cos1D's FBPINN on `cells` equal cells of `[−2π, 2π]`, with `u = tanh(15x)·Σ`.
fn cos1d_model(cells: usize) -> Fbpinn {
    let tp = 2.0 * std::f64::consts::PI;
    let edges = uniform_edges(-tp, tp, cells).unwrap();
    let overlaps = overlap_from_width(&edges, 0.7).unwrap();
    let dec = Decomposition::from_edges(&[edges], &[overlaps]).unwrap();
    Fbpinn::new(dec, &[16, 16], 1, Elementary::Tanh, (0.0, 1.0 / 15.0))
        .unwrap()
        .with_hard_constraint(
            |b, x| b.linear(x, 1, &[0.0], None),
            |b, x| {
                let z = b.linear(x, 1, &[15.0], None);
                b.unary(z, Elementary::Tanh)
            },
        )
        .unwrap()
}

/// Laplace's FBPINN on `dec`, with `u = Π_d tanh(x_d/s) tanh((1 − x_d)/s)·Σ`, `s = 1/16`.
fn laplace_model(dec: Decomposition) -> Fbpinn {
    Fbpinn::new(dec, &[16], 1, Elementary::Tanh, (0.0, 0.75))
        .unwrap()
        .with_hard_constraint(
            |b, x| b.linear(x, 1, &[0.0, 0.0], None),
            |b, x| hard::tanh_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1], 1.0 / 16.0),
        )
        .unwrap()
}

fn grid80() -> Vec<f64> {
    let axis = linspace(0.0, 1.0, 80);
    axis.iter()
        .flat_map(|&x| axis.iter().flat_map(move |&y| [x, y]))
        .collect()
}

fn laplace_pde() -> Laplace2DMultiscale {
    Laplace2DMultiscale::new(&[2.0, 4.0, 8.0, 16.0]).unwrap()
}

fn run<T: Real>(threads: usize, chunk: usize) {
    let tp = 2.0 * std::f64::consts::PI;
    for cells in [5, 10, 20, 30, 60, 120] {
        let pts = linspace(-tp, tp, 3000);
        let model = cos1d_model(cells);
        case::<T, _>(
            &format!("cos1d-{cells}"),
            model,
            SineOde::default(),
            pts,
            threads,
            chunk,
        );
    }
    for n in [2, 4, 8, 16, 32] {
        let c = linspace(0.0, 1.0, n);
        let w = vec![1.9 / (n - 1) as f64; n];
        let dec =
            Decomposition::from_centres(&[0.0, 0.0], &[1.0, 1.0], &[c.clone(), c], &[w.clone(), w])
                .unwrap();
        let label = format!("laplace-one-level-{n}x{n}");
        case::<T, _>(
            &label,
            laplace_model(dec),
            laplace_pde(),
            grid80(),
            threads,
            chunk,
        );
    }
    for levels in [2, 3, 4, 5, 6] {
        let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], levels, 1.9).unwrap();
        let label = format!("laplace-multilevel-L{levels}");
        case::<T, _>(
            &label,
            laplace_model(dec),
            laplace_pde(),
            grid80(),
            threads,
            chunk,
        );
    }
}

/// The loss (`f64`) at the parameters `fbpinn_jax.py --dump dir` wrote for `label`, beside
/// the script's own.
fn check_one<P: Pde + Clone + Send + Sync + 'static>(
    dir: &str,
    label: &str,
    model: Fbpinn,
    pde: P,
    points: Vec<f64>,
) {
    let path = format!("{dir}/{label}.theta");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let theta: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let theirs: f64 = std::fs::read_to_string(format!("{dir}/{label}.loss"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points,
        normals: vec![],
        partners: vec![],
    };
    let mut a = Assembly::new(model, pde, vec![term], 256, 1).unwrap();
    assert_eq!(theta.len(), a.n_params(), "{label}: parameter count");
    let mut grad = vec![0.0; theta.len()];
    let ours = a.eval(&theta, &mut grad, 0).unwrap().total;
    println!(
        "{{\"check\":\"{label}\",\"loss_pinn\":{ours:e},\"loss_jax\":{theirs:e},\"relative_difference\":{:e}}}",
        (ours - theirs).abs() / theirs.abs()
    );
}

fn check(dir: &str) {
    let tp = 2.0 * std::f64::consts::PI;
    check_one(
        dir,
        "cos1d-30",
        cos1d_model(30),
        SineOde::default(),
        linspace(-tp, tp, 3000),
    );
    let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 4, 1.9).unwrap();
    check_one(
        dir,
        "laplace-multilevel-L4",
        laplace_model(dec),
        laplace_pde(),
        grid80(),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let threads: usize = arg("--threads").and_then(|s| s.parse().ok()).unwrap_or(1);
    let chunk: usize = arg("--chunk").and_then(|s| s.parse().ok()).unwrap_or(256);
    if let Some(dir) = arg("--check") {
        check(&dir);
        return;
    }
    match arg("--dtype").as_deref() {
        Some("f64") => run::<f64>(threads, chunk),
        Some("f32") | None => run::<f32>(threads, chunk),
        Some(other) => {
            eprintln!("--dtype {other}: expected f32 or f64");
            std::process::exit(2);
        }
    }
}
