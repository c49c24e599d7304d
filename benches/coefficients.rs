//! The cost of trainable PDE coefficients: one loss-and-gradient evaluation of Burgers'
//! residual on Raissi et al.'s inverse-problem network (2-20⁸-1, tanh, 2000 points) with
//! `ν` known, with `ν` trainable, and with `λ₁, λ₂` trainable (`u_t + λ₁ u u_x − λ₂ u_xx`).
//!
//! Each coefficient adds one dual-number pass of the residual per point
//! (`train::kernel::pointwise`), beside the `C·m` passes that seed the reverse sweep (here 4)
//! and the jets through the network, which dominate. The benchmark measures that share.
//!
//! ```text
//! cargo bench --bench coefficients -- [--dtype f32|f64] [--threads N] [--points N]
//! ```
//!
//! Prints one JSON line per case: the median ms of one evaluation (of 21, after a warm-up)
//! and its ratio to the case without coefficients. Run it on an idle machine.

use std::time::Instant;

use pinn::ad::jet::{Component, Graph};
use pinn::ad::{Elementary, Real, Scalar};
use pinn::pde::{Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// Burgers with `n` trainable coefficients (0: ν = 0.01/π known; 1: ν; 2: λ₁ and λ₂).
struct Burgers(usize);

impl Pde for Burgers {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        use Component::{First, Second, Value};
        vec![Value, First(0), First(1), Second(0, 0)]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
        let nu = S::from_f64(0.01 / core::f64::consts::PI);
        let (l1, l2) = match self.0 {
            0 => (S::one(), nu),
            1 => (S::one(), c[0]),
            _ => (c[0], c[1]),
        };
        r[0] = u.d(0, 1) + l1 * u.u(0) * u.d(0, 0) - l2 * u.d2(0, 0, 0);
    }
    fn coefficients(&self) -> Vec<f64> {
        vec![0.5; self.0]
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T: Real>(coefs: usize, threads: usize, n: usize) -> f64 {
    let graph = Graph::mlp(&[2, 20, 20, 20, 20, 20, 20, 20, 20, 1], Elementary::Tanh).unwrap();
    let mut params: Vec<T> = graph.init_params(Seed(0));
    params.extend((0..coefs).map(|_| T::from_f64(0.5)));
    let mut rng = Seed(1).rng();
    let points: Vec<f64> = (0..n)
        .flat_map(|_| [2.0 * uniform(&mut rng) - 1.0, uniform(&mut rng)])
        .collect();
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points,
        normals: vec![],
        partners: vec![],
    };
    let mut a = Assembly::new(graph, Burgers(coefs), vec![term], 256, threads).unwrap();
    let mut grad = vec![T::zero(); a.n_params()];
    a.eval(&params, &mut grad, 0).unwrap();
    let times: Vec<f64> = (0..21)
        .map(|_| {
            let t = Instant::now();
            a.eval(&params, &mut grad, 0).unwrap();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(times)
}

fn run<T: Real>(threads: usize, n: usize) {
    let base = time::<T>(0, threads, n);
    for (coefs, case) in [
        (0, "nu known"),
        (1, "nu trainable"),
        (2, "lambda1, lambda2 trainable"),
    ] {
        let ms = if coefs == 0 {
            base
        } else {
            time::<T>(coefs, threads, n)
        };
        println!(
            "{{\"bench\":\"coefficients\",\"case\":\"{case}\",\"coefficients\":{coefs},\"dtype\":\"{}\",\
             \"threads\":{threads},\"points\":{n},\"ms\":{ms:.3},\"ratio\":{:.3}}}",
            T::NAME,
            ms / base
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let threads = value("--threads").map_or(1, |v| v.parse().expect("--threads: a number"));
    let n = value("--points").map_or(2000, |v| v.parse().expect("--points: a number"));
    match value("--dtype").as_deref() {
        Some("f32") => run::<f32>(threads, n),
        _ => run::<f64>(threads, n),
    }
}
