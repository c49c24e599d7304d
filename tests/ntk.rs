//! The neural tangent kernel's diagonal (`Assembly::tangent_kernel_diagonal`) and NTK loss
//! weighting (`strategies::NtkWeighting`):
//!
//! - on a linear model `u = w·x + b` the diagonal is known by hand (`K_ii = c(x)²(‖x‖² + 1)`
//!   for a residual `c(x)·u − f`), and so are the traces and the weights;
//! - on a network, `K_ii` equals `‖∇_θ L‖² / (4L)` for a one-point term (`L = r²`), the
//!   batched loss gradient's own check, to ~1e-12, and a central difference of `|r|` over θ;
//! - the same bits on one and two threads.

mod common;

use common::term;
use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::optim::{Sgd, SgdConfig};
use pinn::pde::problems::Poisson1D;
use pinn::pde::{Component, Condition, Fields, Pde, Residuals};
use pinn::prelude::Scalar;
use pinn::rng::Seed;
use pinn::strategies::{NtkConfig, NtkWeighting, Trace};
use pinn::train::{Assembly, TermId, TermKind, Trainer};

/// `r = x·u − 1`: `∂r/∂θ = x·(x, 1)` on a linear model, so `K_ii = x²(x² + 1)`.
#[derive(Clone, Copy)]
struct Scaled;
impl Pde for Scaled {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = x[0] * u.u(0) - S::one();
    }
}

#[test]
fn linear_model_diagonal_by_hand() {
    let net = Graph::mlp(&[1, 1], Elementary::Tanh).unwrap();
    let xs = vec![0.0, 0.5, -2.0, 3.0];
    let dirichlet = Condition::dirichlet(0, |x| x[0] * x[0]);
    let terms = vec![
        term("pde", TermKind::Pde, xs.clone()),
        term("ends", TermKind::Condition(dirichlet), xs.clone()),
    ];
    let a = Assembly::<_, f64>::new(net, Scaled, terms, 2, 1).unwrap();
    let theta = vec![0.3, -0.7];
    let all = [0, 1, 2, 3];
    let pde = a
        .tangent_kernel_diagonal(a.term_ids()[0], &theta, &all)
        .unwrap();
    let ends = a
        .tangent_kernel_diagonal(a.term_ids()[1], &theta, &all)
        .unwrap();
    for (i, &x) in xs.iter().enumerate() {
        assert!((pde[i] - x * x * (x * x + 1.0)).abs() < 1e-14, "{pde:?}");
        assert!((ends[i] - (x * x + 1.0)).abs() < 1e-14, "{ends:?}");
    }
    // A subset, in the order asked.
    let some = a
        .tangent_kernel_diagonal(a.term_ids()[1], &theta, &[3, 1])
        .unwrap();
    assert_eq!(some, vec![ends[3], ends[1]]);
    // Bad input is an error, not a panic.
    assert!(
        a.tangent_kernel_diagonal(a.term_ids()[1], &theta, &[4])
            .is_err()
    );
    assert!(
        a.tangent_kernel_diagonal(a.term_ids()[1], &theta[..1], &[0])
            .is_err()
    );
}

/// The Poisson residual of a 1-16-16-1 network at one point, two ways.
#[test]
fn network_diagonal_matches_the_loss_gradient_and_differences() {
    let net = Graph::mlp(&[1, 16, 16, 1], Elementary::Tanh).unwrap();
    let pde = Poisson1D {
        c: 4.0 * std::f64::consts::PI,
    };
    let theta: Vec<f64> = net.init_params(Seed(5));
    for &x in &[0.13, 0.5, 0.91] {
        let mut a = Assembly::<_, f64>::new(
            net.clone(),
            pde,
            vec![term("pde", TermKind::Pde, vec![x])],
            4,
            1,
        )
        .unwrap();
        let id = a.term_ids()[0];
        let k = a.tangent_kernel_diagonal(id, &theta, &[0]).unwrap()[0];
        // L = r², ∇L = 2r∇r: ‖∇L‖² / 4L = ‖∇r‖².
        let mut g = vec![0.0; a.n_params()];
        let loss = a.eval(&theta, &mut g, 0).unwrap().total;
        let want = g.iter().map(|v| v * v).sum::<f64>() / (4.0 * loss);
        assert!((k - want).abs() <= 1e-12 * want, "x = {x}: {k} vs {want}");
        // Central differences of |r| = √(Σ r²) along every parameter.
        let h = 1e-6;
        let abs_r = |t: &[f64]| a.residuals_at(id, t, &[x]).unwrap()[0].sqrt();
        let mut fd = 0.0;
        for j in 0..theta.len() {
            let (mut p, mut m) = (theta.clone(), theta.clone());
            p[j] += h;
            m[j] -= h;
            let d = (abs_r(&p) - abs_r(&m)) / (2.0 * h);
            fd += d * d;
        }
        assert!((k - fd).abs() <= 1e-6 * k, "x = {x}: {k} vs FD {fd}");
    }
}

#[test]
fn same_bits_on_one_and_two_threads() {
    let net = Graph::mlp(&[1, 12, 12, 1], Elementary::Tanh).unwrap();
    let pde = Poisson1D {
        c: 4.0 * std::f64::consts::PI,
    };
    let xs: Vec<f64> = (0..37).map(|i| i as f64 / 36.0).collect();
    let theta: Vec<f64> = net.init_params(Seed(9));
    let idx: Vec<usize> = (0..37).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let a = Assembly::<_, f64>::new(
            net.clone(),
            pde,
            vec![term("pde", TermKind::Pde, xs.clone())],
            8,
            threads,
        )
        .unwrap();
        pool.install(|| a.tangent_kernel_diagonal(a.term_ids()[0], &theta, &idx))
            .unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert!(one.iter().all(|v| *v > 0.0));
    assert!(
        one.iter()
            .zip(&two)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

/// The weights after one update on the linear model, where the traces do not depend on θ:
/// `ends` at x ∈ {0, 1}: tr = 1 + 2 = 3; `pde` (`x·u − 1`) at {0.5, 2, 3}: tr = 0.3125 + 20 +
/// 90 = 110.3125.
fn one_update(trace: Trace) -> (Vec<(usize, Vec<f64>)>, Vec<String>) {
    let net = Graph::mlp(&[1, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, Scaled);
    let _pde: TermId = b.add_pde_points(vec![0.5, 2.0, 3.0]);
    let ends = b.add_condition("ends", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0]);
    let ntk = NtkWeighting::new(NtkConfig {
        every: 1,
        trace,
        ..NtkConfig::default()
    })
    .unwrap()
    .group("boundary", &[ends]);
    let log = ntk.log();
    let sgd = Sgd::new(SgdConfig {
        lr: 1e-3,
        ..SgdConfig::default()
    })
    .unwrap();
    let mut t = b.phase("gd", 2, sgd).strategy(ntk).build().unwrap();
    t.run().unwrap();
    (log.rows(), log.columns())
}

#[test]
fn weights_are_trace_ratios() {
    let (rows, cols) = one_update(Trace::Sum);
    assert_eq!(cols, ["λ[boundary]", "λ[pde]", "tr[boundary]", "tr[pde]"]);
    assert_eq!(rows.len(), 2);
    let (tb, tr) = (3.0, 110.3125);
    let want = [(tb + tr) / tb, (tb + tr) / tr, tb, tr];
    for (step, row) in &rows {
        for (g, w) in row.iter().zip(want) {
            assert!(
                (g - w).abs() < 1e-12 * w,
                "step {step}: {row:?} vs {want:?}"
            );
        }
    }
    // Mean of the diagonal: 1.5 and 36.77083…
    let (rows, _) = one_update(Trace::Mean);
    let (mb, mr) = (1.5, tr / 3.0);
    let want = [(mb + mr) / mb, (mb + mr) / mr, mb, mr];
    for (g, w) in rows[0].1.iter().zip(want) {
        assert!((g - w).abs() < 1e-12 * w, "{:?} vs {want:?}", rows[0].1);
    }
}

#[test]
fn bad_settings_are_named() {
    let bad = |c: NtkConfig, field: &str| match NtkWeighting::new(c) {
        Err(pinn::Error::InvalidConfig { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected InvalidConfig({field}), got {other:?}"),
    };
    let d = NtkConfig::default();
    bad(NtkConfig { every: 0, ..d }, "ntk.every");
    bad(
        NtkConfig {
            points: Some(0),
            ..d
        },
        "ntk.points",
    );
    bad(NtkConfig { alpha: 0.0, ..d }, "ntk.alpha");
    bad(
        NtkConfig {
            alpha: f64::NAN,
            ..d
        },
        "ntk.alpha",
    );
    bad(NtkConfig { initial: -1.0, ..d }, "ntk.initial");
    // One term alone has nothing to balance against.
    let net = Graph::mlp(&[1, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, Scaled);
    b.add_pde_points(vec![0.5]);
    let sgd = Sgd::new(SgdConfig::default()).unwrap();
    let ntk = NtkWeighting::new(d).unwrap();
    let r = b
        .phase("gd", 1, sgd)
        .strategy(ntk)
        .build()
        .and_then(|mut t| t.run());
    assert!(
        matches!(r, Err(pinn::Error::InvalidConfig { field: "ntk", .. })),
        "{r:?}"
    );
}

/// A run restored from a checkpoint between two weight updates continues with the same λ and
/// ends with the same bits as the run that went straight through.
#[test]
fn resumed_runs_give_the_same_bits() {
    let make = || {
        let net = Graph::mlp(&[1, 8, 1], Elementary::Tanh).unwrap();
        let pde = Poisson1D { c: 2.0 };
        let mut b = Trainer::<_, f64>::builder(net, pde);
        b.add_pde_points((0..20).map(|i| i as f64 / 19.0).collect());
        let ends = b.add_condition("ends", Condition::dirichlet(0, |_| 0.0), vec![0.0, 1.0]);
        let ntk = NtkWeighting::new(NtkConfig {
            every: 2,
            ..NtkConfig::default()
        })
        .unwrap()
        .group("boundary", &[ends]);
        let sgd = Sgd::new(SgdConfig {
            lr: 1e-3,
            ..SgdConfig::default()
        })
        .unwrap();
        b.phase("gd", 7, sgd).strategy(ntk).build().unwrap()
    };
    let mut straight = make();
    straight.run().unwrap();
    let mut first = make();
    first.run_steps(3).unwrap();
    let saved = first.checkpoint();
    let mut resumed = make();
    resumed.restore(&saved).unwrap();
    resumed.run().unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(straight.params()), bits(resumed.params()));
}
