//! Shared by the integration tests: a tiny Poisson 1D run with resampling and two strategies
//! (one that moves points, one with state that changes weights and per-point weights), so a
//! checkpoint or a thread count has everything to get wrong; and `call`, the named `Scalar`
//! method of each rules-table entry.
#![allow(dead_code)]

pub mod jets;
pub mod oracle;
pub mod ranks;
pub mod solution;

use pinn::ad::{Elementary, Real};
use pinn::nets::NetBuilder;
use pinn::optim::{Adam, AdamConfig, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::Poisson1D;
use pinn::rng::{Seed, uniform};
use pinn::strategies::{EvalContext, Strategy, Terms};
use pinn::train::{Term, TermId, TermKind, Trainer, TrainerBuilder};

/// Moves every PDE point by a small seeded jitter at the first evaluation of each step (the
/// displacement accumulates in the assembly, so only a checkpoint of the points restores it).
pub struct Drift {
    term: TermId,
}

impl<T: Real> Strategy<T> for Drift {
    fn name(&self) -> &'static str {
        "drift"
    }
    fn init(&mut self, terms: &mut dyn Terms<T>) -> pinn::Result<()> {
        terms.check(self.term)
    }
    fn before_eval(
        &mut self,
        terms: &mut dyn Terms<T>,
        ctx: EvalContext,
        _params: &[T],
    ) -> pinn::Result<()> {
        if ctx.evaluation != 0 {
            return Ok(());
        }
        let mut rng = ctx.seed.rng();
        let pts: Vec<f64> = terms
            .points(self.term)?
            .iter()
            .map(|x| (x + 2e-3 * (uniform(&mut rng) - 0.5)).clamp(0.0, 1.0))
            .collect();
        terms.set_points(self.term, pts, vec![], vec![])
    }
}

/// Keeps a step counter (its state); every third step scales the boundary weight, and after
/// every step sets per-point weights on the PDE term from the recorded residuals.
pub struct Balance {
    pde: TermId,
    boundary: TermId,
    count: u64,
}

impl<T: Real> Strategy<T> for Balance {
    fn name(&self) -> &'static str {
        "balance"
    }
    fn init(&mut self, terms: &mut dyn Terms<T>) -> pinn::Result<()> {
        terms.check(self.boundary)?;
        terms.record_residuals(self.pde, true)
    }
    fn after_step(&mut self, terms: &mut dyn Terms<T>, _: &[T], _: usize) -> pinn::Result<()> {
        self.count += 1;
        if self.count.is_multiple_of(3) {
            let w = terms.weight(self.boundary)?;
            terms.set_weight(self.boundary, w * 1.1)?;
        }
        let lam: Vec<T> = terms
            .residuals(self.pde)?
            .iter()
            .map(|r| T::from_f64(1.0 + r.to_f64().min(1.0)))
            .collect();
        if lam.len() == terms.n_points(self.pde)? {
            terms.set_point_weights(self.pde, &lam)?;
        }
        Ok(())
    }
    fn state(&self) -> Vec<f64> {
        vec![self.count as f64]
    }
    fn set_state(&mut self, state: &[f64]) -> pinn::Result<()> {
        match state {
            [c] => {
                self.count = *c as u64;
                Ok(())
            }
            _ => Err(pinn::Error::DimensionMismatch {
                what: "balance state",
                expected: 1,
                found: state.len(),
            }),
        }
    }
}

pub fn grid(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 / (n - 1) as f64).collect()
}

/// Poisson 1D (`u = sin 2x`), a 1-10-10-1 tanh net, 40 PDE points redrawn every 5 steps,
/// both strategies, `adam` Adam steps then `lbfgs` L-BFGS steps (`max_iter` 4), chunks of 16.
pub fn config<T: Real>(threads: usize, adam: usize, lbfgs: usize) -> TrainerBuilder<Poisson1D, T> {
    let net = NetBuilder::new(1)
        .mlp(&[10, 10], Elementary::Tanh)
        .build(1)
        .unwrap();
    let lbfgs_config = LbfgsConfig {
        max_iter: 4,
        ..LbfgsConfig::default()
    };
    let mut b = Trainer::builder(net, Poisson1D::new(2.0).unwrap());
    let pde = b.add_pde_points(grid(40));
    let boundary = b.add_condition(
        "boundary",
        Condition::dirichlet(0, |x| (2.0 * x[0]).sin()),
        vec![0.0, 1.0],
    );
    b.resample(pde, 5, |seed| {
        let mut rng = seed.rng();
        Ok(((0..40).map(|_| uniform(&mut rng)).collect(), vec![]))
    })
    .strategy(Drift { term: pde })
    .strategy(Balance {
        pde,
        boundary,
        count: 0,
    })
    .phase(
        "adam",
        adam,
        Adam::new(AdamConfig {
            lr: 1e-2,
            ..AdamConfig::default()
        })
        .unwrap(),
    )
    .phase("lbfgs", lbfgs, Lbfgs::new(lbfgs_config).unwrap())
    .chunk_size(16)
    .threads(threads)
    .seed(Seed(11))
}

/// The bit patterns of a slice.
pub fn bits<T: Real>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

/// A scratch directory unique to this test process and `name`.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pinn-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Evaluates `f` through the named `Scalar` method, so the test also covers the mapping from
/// method to table entry (e.g. that `sinh` does not call `Cosh`).
pub fn call<S: pinn::ad::Scalar>(f: Elementary, x: S) -> S {
    match f {
        Elementary::Tanh => x.tanh(),
        Elementary::Sin => x.sin(),
        Elementary::Cos => x.cos(),
        Elementary::Exp => x.exp(),
        Elementary::Ln => x.ln(),
        Elementary::Sqrt => x.sqrt(),
        Elementary::Powi(n) => x.powi(n),
        Elementary::Powf(p) => x.powf(p),
        Elementary::Recip => x.recip(),
        Elementary::Sigmoid => x.sigmoid(),
        Elementary::Softplus => x.softplus(),
        Elementary::Sinh => x.sinh(),
        Elementary::Cosh => x.cosh(),
        Elementary::Abs => x.abs(),
        Elementary::Tan => x.tan(),
        Elementary::Atan => x.atan(),
        Elementary::Ln1p => x.ln_1p(),
        Elementary::Erf => x.erf(),
        Elementary::Erfc => x.erfc(),
        Elementary::Swish => x.swish(),
        Elementary::Gelu => x.gelu(),
        other => panic!("no named method known for {other:?}; extend this test"),
    }
}

/// Runs the trainer `make(threads)` builds on 1 and on 2 threads: the loss history and the
/// final parameters must have the same bits. Returns the first and the last loss.
pub fn same_bits_on_1_and_2_threads<P: pinn::pde::Pde, M: pinn::model::Model<f64>>(
    make: impl Fn(usize) -> Trainer<P, f64, M>,
) -> (f64, f64) {
    let run = |threads: usize| {
        let mut t = make(threads);
        let r = t.run().unwrap();
        let losses: Vec<u64> = r.history.iter().map(|h| h.loss.to_bits()).collect();
        let params: Vec<u64> = t.params().iter().map(|p| p.to_bits()).collect();
        let (first, last) = (r.history[0].loss, r.history.last().unwrap().loss);
        (losses, params, first, last)
    };
    let (l1, p1, first, last) = run(1);
    let (l2, p2, _, _) = run(2);
    assert_eq!(l1, l2, "loss history");
    assert_eq!(p1, p2, "parameters");
    (first, last)
}

/// A term of weight 1 with no normals or partners.
pub fn term(name: &str, kind: TermKind, points: Vec<f64>) -> Term {
    Term {
        name: name.into(),
        kind,
        weight: 1.0,
        points,
        normals: Vec::new(),
        partners: Vec::new(),
    }
}
