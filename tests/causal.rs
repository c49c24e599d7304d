//! Causal training (`strategies::Causal`): the weights of a fixed loss vector, the weighted
//! loss `(1/N_t) Σ_i w_i L_i` through the engine for equal and unequal slices, the ε schedule,
//! its checkpoint state, and the combinations it refuses.

use pinn::ad::Elementary;
use pinn::ad::jet::Graph;
use pinn::optim::Adam;
use pinn::pde::problems::AllenCahn;
use pinn::rng::{Seed, uniform};
use pinn::strategies::{
    Causal, CausalConfig, EvalContext, SelfAdaptive, SelfAdaptiveConfig, Slices, Strategy,
    causal_weights,
};
use pinn::train::{Assembly, Term, TermKind, Trainer};

#[test]
fn weights_of_a_fixed_loss_vector() {
    let l = [0.2, 0.0, 1.5, 0.3];
    let w = causal_weights(&l, 2.0);
    let want = [1.0, (-0.4f64).exp(), (-0.4f64).exp(), (-3.4f64).exp()];
    for (a, b) in w.iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{w:?}");
    }
    assert_eq!(causal_weights(&l, 0.0), vec![1.0; 4]);
    assert!(causal_weights(&[], 1.0).is_empty());
}

fn ctx(step: usize) -> EvalContext {
    EvalContext {
        step,
        evaluation: 0,
        seed: Seed(0),
        phase: 0,
        run: Seed(0),
    }
}

/// The PDE term's loss after `Causal` set its weights at `theta`, against
/// `(1/N_t) Σ_i w_i L_i` from the residuals and `slice` (each point's slice, `n_t` slices).
fn check(points: Vec<f64>, slices: Slices, slice: &dyn Fn(f64) -> usize, n_t: usize) {
    let net = Graph::mlp(&[2, 10, 1], Elementary::Tanh).unwrap();
    let term = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: points.clone(),
        normals: Vec::new(),
        partners: Vec::new(),
    };
    let mut a = Assembly::<_, f64>::new(net, AllenCahn::default(), vec![term], 8, 1).unwrap();
    let theta: Vec<f64> = a.model().init_params(Seed(2));
    let id = a.term_ids()[0];
    let eps = 3.0;
    let mut c = Causal::new(
        id,
        CausalConfig {
            epsilons: vec![eps],
            slices,
            ..CausalConfig::default()
        },
    )
    .unwrap();
    Strategy::<f64>::init(&mut c, &mut a).unwrap();
    Strategy::<f64>::before_eval(&mut c, &mut a, ctx(1), &theta).unwrap();
    let mut g = vec![0.0; a.n_params()];
    let got = a.eval(&theta, &mut g, 1).unwrap().terms[0];

    let r2 = a.residuals_at(id, &theta, &points).unwrap();
    let (mut sum, mut count) = (vec![0.0; n_t], vec![0.0; n_t]);
    for (p, r) in points.chunks(2).zip(&r2) {
        sum[slice(p[1])] += r;
        count[slice(p[1])] += 1.0;
    }
    let l: Vec<f64> = sum.iter().zip(&count).map(|(s, c)| s / c).collect();
    let w = causal_weights(&l, eps);
    let want = w.iter().zip(&l).map(|(w, l)| w * l).sum::<f64>() / n_t as f64;
    assert!((got - want).abs() <= 1e-13 * want, "{got} vs {want}");
    // The weights fall: later slices count less until earlier ones are resolved.
    assert!(
        w.windows(2).all(|p| p[1] <= p[0]) && w[n_t - 1] < 0.999,
        "{w:?}"
    );
    // What the log says is what was used.
    assert_eq!(c.log().current(), vec![w]);
}

#[test]
fn loss_on_a_grid() {
    // 6 × 4 grid in (x, t), t ∈ {0, 1/3, 2/3, 1}: four equal slices.
    let points: Vec<f64> = (0..6)
        .flat_map(|i| (0..4).flat_map(move |j| [-0.9 + 0.35 * i as f64, j as f64 / 3.0]))
        .collect();
    check(points, Slices::Values, &|t| (t * 3.0).round() as usize, 4);
}

#[test]
fn loss_on_scattered_points_in_unequal_bins() {
    let mut rng = Seed(4).rng();
    // 40 points, t squeezed towards 0 so that the three bins hold different numbers.
    let points: Vec<f64> = (0..40)
        .flat_map(|_| {
            let x = 2.0 * uniform(&mut rng) - 1.0;
            let t = uniform(&mut rng).powi(2);
            [x, t]
        })
        .collect();
    let ts: Vec<f64> = points.chunks(2).map(|p| p[1]).collect();
    let lo = ts.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bin = move |t: f64| (((t - lo) / ((hi - lo) / 3.0)) as usize).min(2);
    let counts: Vec<usize> = (0..3)
        .map(|b| ts.iter().filter(|&&t| bin(t) == b).count())
        .collect();
    assert!(
        counts.iter().all(|&c| c > 0) && counts[0] != counts[2],
        "{counts:?}"
    );
    check(points, Slices::Bins(3), &bin, 3);
}

/// ε = 0 resolves every slice at once (all weights 1), so the schedule moves on at the first
/// check; a huge ε on an untrained network does not.
#[test]
fn schedule_advances_when_resolved_and_restores() {
    let net = Graph::mlp(&[2, 8, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, AllenCahn::default());
    let grid: Vec<f64> = (0..5)
        .flat_map(|i| (0..3).flat_map(move |j| [-0.8 + 0.4 * i as f64, 0.5 * j as f64]))
        .collect();
    let pde = b.add_pde_points(grid);
    let causal = Causal::new(
        pde,
        CausalConfig {
            epsilons: vec![0.0, 1e6],
            check_every: 2,
            ..CausalConfig::default()
        },
    )
    .unwrap();
    let log = causal.log();
    let mut t = b
        .phase("adam", 5, Adam::with_lr(1e-3).unwrap())
        .strategy(causal)
        .build()
        .unwrap();
    t.run().unwrap();
    let rows = log.rows();
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 2, 4]);
    assert_eq!(rows[0].1, vec![0.0, 1.0, 0.0], "ε = 0: every weight 1");
    assert_eq!(rows[1].1[0], 1e6, "the next ε took over");
    assert!(rows[1].1[1] < 0.99 && rows[1].1[2] == 0.0, "{rows:?}");

    let mut c = Causal::new(pde, CausalConfig::default()).unwrap();
    Strategy::<f64>::set_state(&mut c, &[3.0, 0.0]).unwrap();
    assert_eq!(Strategy::<f64>::state(&c), vec![3.0, 0.0]);
    assert_eq!(c.epsilon(), 10.0);
    for bad in [&[5.0, 0.0][..], &[1.5, 0.0], &[1.0, 0.5], &[1.0]] {
        assert!(Strategy::<f64>::set_state(&mut c, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn bad_settings_and_combinations_are_refused() {
    let net = Graph::mlp(&[2, 8, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, AllenCahn::default());
    let pde = b.add_pde_points(vec![0.0, 0.0, 0.5, 0.5]);
    let d = CausalConfig::default();
    let field = |c: CausalConfig| match Causal::new(pde, c) {
        Err(pinn::Error::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    };
    assert_eq!(
        field(CausalConfig {
            epsilons: vec![],
            ..d.clone()
        }),
        "causal.epsilons"
    );
    assert_eq!(
        field(CausalConfig {
            epsilons: vec![-1.0],
            ..d.clone()
        }),
        "causal.epsilons"
    );
    assert_eq!(
        field(CausalConfig {
            tol: 1.0,
            ..d.clone()
        }),
        "causal.tol"
    );
    assert_eq!(
        field(CausalConfig {
            check_every: 0,
            ..d.clone()
        }),
        "causal.check_every"
    );
    assert_eq!(
        field(CausalConfig {
            slices: Slices::Bins(0),
            ..d.clone()
        }),
        "causal.slices"
    );
    // Two strategies weighting the same points.
    let sa =
        SelfAdaptive::with_terms(SelfAdaptiveConfig::helmholtz(Seed(1)), &[(pde, 1.0)]).unwrap();
    let r = b
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .strategy(Causal::new(pde, d).unwrap())
        .strategy(sa)
        .build();
    match r {
        Err(pinn::Error::InvalidConfig { reason, .. }) => {
            assert!(
                reason.contains("causal") && reason.contains("per-point weights"),
                "{reason}"
            )
        }
        Err(e) => panic!("expected InvalidConfig, got {e:?}"),
        Ok(_) => panic!("the combination was accepted"),
    }
    // A time axis the points do not have.
    let net = Graph::mlp(&[2, 8, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, AllenCahn::default());
    let pde = b.add_pde_points(vec![0.0, 0.0, 0.5, 0.5]);
    let c = Causal::new(
        pde,
        CausalConfig {
            time_axis: Some(2),
            ..CausalConfig::default()
        },
    );
    let r = b
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .strategy(c.unwrap())
        .build()
        .and_then(|mut t| t.run());
    assert!(
        matches!(
            r,
            Err(pinn::Error::InvalidConfig {
                field: "causal.time_axis",
                ..
            })
        ),
        "{r:?}"
    );
}
