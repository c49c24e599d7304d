//! The runs of the data-parallel tests (`tests/collective.rs` on threads, `tests/mpi.rs` under
//! `mpirun`): each is trained in one process and over several ranks, and must give the same
//! bits.

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::Convection;
use pinn::rng::Seed;
use pinn::strategies::{Adaptive, AdaptiveConfig, LrAnnealing, LrAnnealingConfig, Method};
use pinn::train::{Term, TermKind, Trainer, TrainerBuilder};

use super::bits;

/// The bits of a finished run: losses, per-term losses, parameters.
pub type Bits = (Vec<u64>, Vec<u64>, Vec<u64>);

/// Runs a built trainer to the end and returns its bits.
pub fn finish<P: pinn::pde::Pde, T: Real>(t: &mut Trainer<P, T>) -> pinn::Result<Bits> {
    let r = t.run()?;
    let losses: Vec<T> = r.history.iter().map(|h| h.loss).collect();
    let terms: Vec<T> = r.history.iter().flat_map(|h| h.terms.clone()).collect();
    Ok((bits(&losses), bits(&terms), bits(t.params())))
}

/// Problem 1: Poisson 1D with its PDE points redrawn every 5 steps, a strategy that moves
/// them and one that reweights them from the recorded residuals, Adam then L-BFGS
/// ([`super::config`]); chunks of 5 (8 PDE chunks and a boundary chunk).
pub fn poisson<T: Real>(threads: usize) -> TrainerBuilder<pinn::pde::problems::Poisson1D, T> {
    super::config::<T>(threads, 12, 3).chunk_size(5)
}

/// Problem 1 with a condition `"bad"` whose data are NaN near `x = 1`: its chunk is the last
/// of the run (the last rank's), and the run fails there at step 0.
pub fn poisson_with_nan<T: Real>() -> TrainerBuilder<pinn::pde::problems::Poisson1D, T> {
    poisson::<T>(1).condition(
        "bad",
        Condition::dirichlet(0, |x| if x[0] > 0.9 { f64::NAN } else { 0.0 }),
        vec![0.5, 0.95],
    )
}

/// Problem 2: convection `u_t + u_x = 0` on `[0, 2π] × [0, 1]`: a 12 × 12 PDE grid, the
/// initial condition and the periodic pair `u(0, t) = u(2π, t)` (a term that evaluates each
/// chunk's points with their partners), learning-rate annealing every 2 steps (it
/// evaluates each term's gradient alone), Adam then L-BFGS; chunks of 16.
pub fn convection<T: Real>(threads: usize) -> TrainerBuilder<Convection, T> {
    convection_sampled(threads, false)
}

/// Problem 2 with, when `rad`, residual-based adaptive distribution (RAD, k = c = 1) of its
/// PDE points from step 3 on, every 4 steps, from pools of 2000 points scored by every rank.
pub fn convection_sampled<T: Real>(threads: usize, rad: bool) -> TrainerBuilder<Convection, T> {
    let two_pi = 2.0 * std::f64::consts::PI;
    let net = NetBuilder::new(2)
        .mlp(&[12, 12], Elementary::Tanh)
        .build(1)
        .unwrap();
    let mut interior = Vec::new();
    for i in 0..12 {
        for j in 0..12 {
            interior.extend([two_pi * (i as f64 + 0.5) / 12.0, (j as f64 + 0.5) / 12.0]);
        }
    }
    let initial: Vec<f64> = (0..20)
        .flat_map(|i| [two_pi * i as f64 / 19.0, 0.0])
        .collect();
    let times: Vec<f64> = (0..20).map(|j| j as f64 / 19.0).collect();
    let left: Vec<f64> = times.iter().flat_map(|&t| [0.0, t]).collect();
    let right: Vec<f64> = times.iter().flat_map(|&t| [two_pi, t]).collect();
    let mut b = Trainer::builder(net, Convection::new(1.0).unwrap());
    let pde = b.add_pde_points(interior);
    if rad {
        let sampler = Adaptive::new(AdaptiveConfig {
            method: Method::Rad { k: 1.0, c: 1.0 },
            term: pde,
            first: 3,
            every: 4,
            rounds: None,
            pool: 2000,
            lo: vec![0.0, 0.0],
            hi: vec![two_pi, 1.0],
            seed: Seed(9),
        });
        b = b.strategy(sampler.unwrap());
    }
    b.add_condition("initial", Condition::initial(0, |x| x[0].sin()), initial);
    b.add_term(Term {
        name: "periodic".into(),
        kind: TermKind::Condition(Condition::Periodic { output: 0 }),
        weight: 1.0,
        points: left,
        normals: vec![],
        partners: right,
    });
    let annealing = LrAnnealing::new(LrAnnealingConfig {
        every: 2,
        ..LrAnnealingConfig::default()
    })
    .unwrap();
    b.strategy(annealing)
        .phase("adam", 10, Adam::with_lr(5e-3).unwrap())
        .phase(
            "lbfgs",
            3,
            Lbfgs::new(LbfgsConfig {
                max_iter: 4,
                ..LbfgsConfig::default()
            })
            .unwrap(),
        )
        .chunk_size(16)
        .threads(threads)
        .seed(Seed(5))
}
