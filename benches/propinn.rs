//! The cost of one ProPINN loss-and-gradient evaluation on the RoPINN harness' 101 × 101 grid,
//! beside the harness' PINN backbone (2-512-512-512-1 tanh), on the wave task (the residual
//! reads `u_tt` and `u_xx`; ProPINN's inputs scaled by π), with the initial and boundary terms
//! of the harness. f32 and f64, 1 and 2 threads; the median of 5 evaluations after a warm-up.
//! Prints one JSON line per case. Run it on an idle machine.
//!
//! `--dump DIR` instead writes ProPINN's initial parameters (f64, raw little-endian, graph
//! order) and our loss at them to DIR, for `scripts/peers/propinn_torch.py --check DIR`: the
//! PyTorch model of the same spec must give the same loss.
//!
//! ```text
//! cargo bench --bench propinn
//! cargo bench --bench propinn -- --dump DIR
//! ```

use std::time::Instant;

use pinn::ad::jet::Graph;
use pinn::ad::{Elementary, Real};
use pinn::nets::{propinn, xavier_uniform};
use pinn::pde::problems::{Problem, Region, Wave};
use pinn::rng::Seed;
use pinn::train::{Assembly, Term, TermKind};

fn terms(p: &Wave) -> Vec<Term> {
    let grid = p.grid_region(&Region::Interior, 101).unwrap().points;
    let mut terms = vec![Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: grid,
        normals: vec![],
        partners: vec![],
    }];
    for c in p.conditions() {
        let pts = p.grid_region(&c.region, 101).unwrap();
        terms.push(Term {
            name: c.name,
            kind: TermKind::Condition(c.condition),
            weight: 1.0,
            points: pts.points,
            normals: pts.normals,
            partners: pts.partners,
        });
    }
    terms
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn case<T: Real>(label: &str, g: &Graph, threads: usize) {
    let p = Wave::default();
    let theta: Vec<T> = xavier_uniform(g, Seed(0), 0.01).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut a = Assembly::new(g.clone(), p, terms(&p), 256, threads).unwrap();
    let mut grad = vec![T::zero(); a.n_params()];
    let ms = pool.install(|| {
        a.eval(&theta, &mut grad, 0).unwrap();
        median(
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    a.eval(&theta, &mut grad, 0).unwrap();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    });
    println!(
        "{{\"net\":\"{label}\",\"params\":{},\"dtype\":\"{}\",\"threads\":{threads},\"eval_ms\":{ms:.1}}}",
        g.n_params(),
        T::NAME
    );
}

fn dump(dir: &str, g: &Graph) {
    let p = Wave::default();
    let theta: Vec<f64> = xavier_uniform(g, Seed(0), 0.01).unwrap();
    let mut a = Assembly::new(g.clone(), p, terms(&p), 256, 1).unwrap();
    let mut grad = vec![0.0; a.n_params()];
    let loss = a.eval(&theta, &mut grad, 0).unwrap().total;
    std::fs::create_dir_all(dir).unwrap();
    let bytes: Vec<u8> = theta.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(format!("{dir}/propinn_wave.theta"), bytes).unwrap();
    std::fs::write(format!("{dir}/propinn_wave.loss"), format!("{loss:e}\n")).unwrap();
    println!(
        "{{\"dump\":\"{dir}\",\"params\":{},\"loss\":{loss:e}}}",
        theta.len()
    );
}

fn main() {
    let pi = std::f64::consts::PI;
    let pro = propinn([pi, pi]).unwrap();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--dump") {
        let dir = args.get(i + 1).expect("--dump DIR");
        dump(dir, &pro);
        return;
    }
    let pinn = Graph::mlp(&[2, 512, 512, 512, 1], Elementary::Tanh).unwrap();
    for threads in [1, 2] {
        for (label, g) in [("propinn", &pro), ("pinn-512x3", &pinn)] {
            case::<f32>(label, g, threads);
            case::<f64>(label, g, threads);
        }
    }
}
