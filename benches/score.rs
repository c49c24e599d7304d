//! The cost of scoring a residual pool without a gradient (`Assembly::residuals_at`), beside
//! one loss-and-gradient evaluation, on the networks of Wu et al.'s sampling study (CMAME 2023,
//! `../shared/papers/paper_specs.md` §4.2): Diffusion 2-32³-1, Burgers and Allen–Cahn 2-64³-1,
//! Wave 2-100⁵-1, tanh, with the residuals of their equations (no hard-constraint ansatz).
//!
//! ```text
//! cargo bench --bench score -- [--dtype f32|f64] [--threads N] [--pool N] [--points N]
//! ```
//!
//! Prints one JSON line per problem: the median ms of one evaluation over `--points` residual
//! points (default 2000, the study's RAD budget) and of scoring `--pool` candidates (default
//! 100 000), and their ratio. Run it on an idle machine.

use std::time::Instant;

use pinn::ad::jet::{Component, Graph};
use pinn::ad::{Elementary, Real, Scalar};
use pinn::pde::{Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// The four equations of the study, inputs (x, t).
#[derive(Clone, Copy)]
enum Study {
    Diffusion,
    Burgers,
    AllenCahn,
    Wave,
}

impl Pde for Study {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        use Component::{First, Second, Value};
        match self {
            Study::Diffusion => vec![First(1), Second(0, 0)],
            Study::Burgers => vec![Value, First(0), First(1), Second(0, 0)],
            Study::AllenCahn => vec![Value, First(1), Second(0, 0)],
            Study::Wave => vec![Second(1, 1), Second(0, 0)],
        }
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        let c = S::from_f64;
        let pi = core::f64::consts::PI;
        r[0] = match self {
            Study::Diffusion => {
                let s = (c(pi) * x[0]).sin();
                u.d(0, 1) - u.d2(0, 0, 0) + (-x[1]).exp() * (s - c(pi * pi) * s)
            }
            Study::Burgers => u.d(0, 1) + u.u(0) * u.d(0, 0) - c(0.01 / pi) * u.d2(0, 0, 0),
            Study::AllenCahn => {
                let v = u.u(0);
                u.d(0, 1) - c(0.001) * u.d2(0, 0, 0) + c(5.0) * (v * v * v - v)
            }
            Study::Wave => u.d2(0, 1, 1) - c(4.0) * u.d2(0, 0, 0),
        };
    }
}

fn points(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Seed(seed).rng();
    (0..n)
        .flat_map(|_| [2.0 * uniform(&mut rng) - 1.0, uniform(&mut rng)])
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run<T: Real>(study: Study, name: &str, widths: &[usize], threads: usize, n: usize, pool: usize) {
    let graph = Graph::mlp(widths, Elementary::Tanh).unwrap();
    let params: Vec<T> = graph.init_params(Seed(0));
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: points(n, 1),
        normals: vec![],
        partners: vec![],
    };
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut a = Assembly::new(graph, study, vec![term], 256, threads).unwrap();
    let id = a.term_ids()[0];
    let candidates = points(pool, 2);
    let mut grad = vec![T::zero(); a.n_params()];
    let (eval_ms, score_ms) = rayon.install(|| {
        a.eval(&params, &mut grad, 0).unwrap(); // warm-up
        let eval: Vec<f64> = (0..10)
            .map(|_| {
                let t = Instant::now();
                a.eval(&params, &mut grad, 0).unwrap();
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        a.residuals_at(id, &params, &candidates[..2 * 1000])
            .unwrap();
        let score: Vec<f64> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let r = a.residuals_at(id, &params, &candidates).unwrap();
                assert_eq!(r.len(), pool);
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        (median(eval), median(score))
    });
    println!(
        "{{\"problem\":\"{name}\",\"dtype\":\"{}\",\"threads\":{threads},\"net\":\"{widths:?}\",\"points\":{n},\"eval_ms\":{eval_ms:.3},\"pool\":{pool},\"score_ms\":{score_ms:.3},\"score_over_eval\":{:.2}}}",
        T::NAME,
        score_ms / eval_ms
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
    let threads: usize = arg("--threads").and_then(|s| s.parse().ok()).unwrap_or(2);
    let n: usize = arg("--points").and_then(|s| s.parse().ok()).unwrap_or(2000);
    let pool: usize = arg("--pool")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dtypes: Vec<String> = match arg("--dtype") {
        Some(d) => vec![d],
        None => vec!["f32".into(), "f64".into()],
    };
    let cases: [(Study, &str, &[usize]); 4] = [
        (Study::Diffusion, "diffusion", &[2, 32, 32, 32, 1]),
        (Study::Burgers, "burgers", &[2, 64, 64, 64, 1]),
        (Study::AllenCahn, "allen_cahn", &[2, 64, 64, 64, 1]),
        (Study::Wave, "wave", &[2, 100, 100, 100, 100, 100, 1]),
    ];
    for dt in &dtypes {
        for (study, name, widths) in cases {
            match dt.as_str() {
                "f32" => run::<f32>(study, name, widths, threads, n, pool),
                _ => run::<f64>(study, name, widths, threads, n, pool),
            }
        }
    }
}
