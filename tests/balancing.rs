//! Loss balancing: learning-rate annealing (Wang, Teng & Perdikaris 2021) and self-adaptive
//! weights (McClenny & Braga-Neto).
//!
//! - The annealing statistic `λ̂ = max|∇_W L_r| / mean_l mean|∇_{W_l}(λ L_b)|` matches a hand
//!   computation (analytic gradients of a 1-2-1 network; finite differences for a modified
//!   MLP, whose encoders must be left out), with λ in the denominator or not.
//! - With frozen statistics λ settles at `√(R/B′)` (as coded) or `R/B′` (λ-free variant).
//! - λ stays finite and positive on short Helmholtz runs (MLP and modified MLP).
//! - SA weights: the seeded initial draw and two Adam-ascent steps checked by hand, the loss
//!   with the weights inside the square, the freeze, state round trips.
//! - Same bits on 1 and 2 threads with either strategy.

use pinn::ad::jet::{Component, Graph};
use pinn::ad::{Elementary, Scalar};
use pinn::nets::{NetBuilder, modified_mlp, predict, weight_matrices};
use pinn::optim::{Adam, Objective, Optimizer, OptimizerState, StepInfo};
use pinn::pde::problems::{Helmholtz2D, Problem};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::strategies::{
    Denominator, LrAnnealing, LrAnnealingConfig, Mask, SelfAdaptive, SelfAdaptiveConfig, Statistic,
    Strategy, WeightLog,
};
use pinn::train::{Assembly, Control, Term, TermId, TermKind, Trainer};

/// An algebraic "PDE" `r = u(x) − f(x)`, `f = x₀²`: its gradient needs no input derivatives,
/// so it can be written by hand.
struct Fit;

fn f(x: &[f64]) -> f64 {
    x[0] * x[0]
}

impl Pde for Fit {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.u(0) - x[0] * x[0];
    }
}

/// An optimizer that evaluates and does not move: frozen statistics.
struct Still;

impl Optimizer<f64> for Still {
    fn name(&self) -> &'static str {
        "still"
    }
    fn step(&mut self, x: &mut [f64], obj: &mut dyn Objective<f64>) -> pinn::Result<StepInfo<f64>> {
        let mut g = vec![0.0; x.len()];
        let loss = obj.eval(x, &mut g)?;
        Ok(StepInfo {
            loss,
            final_loss: None,
            evaluations: 1,
            iterations: 1,
            termination: None,
        })
    }
    fn state(&self) -> OptimizerState<f64> {
        OptimizerState {
            counters: vec![],
            values: vec![],
        }
    }
    fn set_state(&mut self, _s: &OptimizerState<f64>) -> pinn::Result<()> {
        Ok(())
    }
}

const PDE_X: [f64; 3] = [0.2, 0.7, -0.4];
const LEFT: (f64, f64) = (0.0, 0.3); // u(0) = 0.3
const RIGHT: (f64, f64) = (1.0, -0.1); // u(1) = −0.1

/// θ of the 1-2-1 tanh network: `W₁ = θ[0..2]`, `b₁ = θ[2..4]`, `W₂ = θ[4..6]`, `b₂ = θ[6]`.
const THETA: [f64; 7] = [0.8, -1.3, 0.1, 0.4, 0.9, -0.6, 0.05];

/// The handle of the `i`-th term added to a builder: the tests below add their terms in a
/// fixed order (the PDE first, then the conditions as listed).
fn nth(i: usize) -> TermId {
    let net = Graph::mlp(&[1, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, Fit);
    (0..=i).map(|_| b.add_pde_points(vec![0.0])).last().unwrap()
}

fn fit_trainer(strategy: impl Strategy<f64> + 'static, steps: usize) -> Trainer<Fit, f64> {
    let net = Graph::mlp(&[1, 2, 1], Elementary::Tanh).unwrap();
    Trainer::builder(net, Fit)
        .pde_points(PDE_X.to_vec())
        .condition("left", Condition::dirichlet(0, |_| LEFT.1), vec![LEFT.0])
        .condition("right", Condition::dirichlet(0, |_| RIGHT.1), vec![RIGHT.0])
        .params(THETA.to_vec())
        .strategy(strategy)
        .phase("still", steps, Still)
        .threads(1)
        .build()
        .unwrap()
}

/// `∂/∂(W₁, W₂)` of `mean_p (u(x_p) − y_p)²` for the 1-2-1 network, by hand.
fn hand_weight_grad(points: &[(f64, f64)]) -> [f64; 4] {
    let (w1, b1, w2, b2) = (&THETA[0..2], &THETA[2..4], &THETA[4..6], THETA[6]);
    let n = points.len() as f64;
    let mut g = [0.0; 4];
    for &(x, y) in points {
        let h = [(w1[0] * x + b1[0]).tanh(), (w1[1] * x + b1[1]).tanh()];
        let r = w2[0] * h[0] + w2[1] * h[1] + b2 - y;
        for i in 0..2 {
            g[i] += 2.0 / n * r * w2[i] * (1.0 - h[i] * h[i]) * x; // ∂/∂W₁[i]
            g[2 + i] += 2.0 / n * r * h[i]; // ∂/∂W₂[i]
        }
    }
    g
}

/// `R` and the unweighted `B′` of the boundary group, by hand.
fn hand_statistics() -> (f64, f64) {
    let res: Vec<(f64, f64)> = PDE_X.iter().map(|&x| (x, f(&[x]))).collect();
    let gr = hand_weight_grad(&res);
    let r = gr.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let gl = hand_weight_grad(&[LEFT]);
    let gg = hand_weight_grad(&[RIGHT]);
    let gb: Vec<f64> = (0..4).map(|i| gl[i] + gg[i]).collect();
    // Mean of the two layer means (W₁: entries 0, 1; W₂: entries 2, 3).
    let b = ((gb[0].abs() + gb[1].abs()) / 2.0 + (gb[2].abs() + gb[3].abs()) / 2.0) / 2.0;
    (r, b)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

#[test]
fn annealing_statistic_matches_a_hand_computation() {
    let (r, b1) = hand_statistics();
    // Two boundary terms in one group; λ₀ = 2 so that λ in the denominator shows.
    for (denominator, b) in [
        (Denominator::WithLambda, 2.0 * b1),
        (Denominator::LambdaFree, b1),
    ] {
        let s = LrAnnealing::new(LrAnnealingConfig {
            initial: 2.0,
            denominator,
            ..Default::default()
        })
        .unwrap()
        .group("boundary", &[nth(1), nth(2)]);
        let log = s.log();
        let mut t = fit_trainer(s, 1);
        t.run().unwrap();
        assert_eq!(
            log.columns(),
            ["λ[boundary]", "λ̂[boundary]", "B[boundary]", "R"]
        );
        let rows = log.rows();
        assert_eq!(rows.len(), 1);
        let (step, row) = &rows[0];
        assert_eq!(*step, 0, "the first update follows step 0");
        assert!(close(row[3], r, 1e-12), "R {} vs {r}", row[3]);
        assert!(close(row[2], b, 1e-12), "B {} vs {b}", row[2]);
        assert!(close(row[1], r / b, 1e-12));
        assert!(close(row[0], 0.9 * 2.0 + 0.1 * r / b, 1e-12));
        assert_eq!(log.current(), vec![vec![row[0]]]);
    }
}

/// The cavity code's statistic: the ratio per layer (`max|∂L_r/∂W_l| / mean|∂(λL_b)/∂W_l|`),
/// then the largest, by hand on the 1-2-1 network; with λ₀ = 2 in the denominator, and
/// without it for the λ-free variant.
#[test]
fn layer_ratio_statistic_matches_a_hand_computation() {
    let res: Vec<(f64, f64)> = PDE_X.iter().map(|&x| (x, f(&[x]))).collect();
    let gr = hand_weight_grad(&res);
    let gl = hand_weight_grad(&[LEFT]);
    let gg = hand_weight_grad(&[RIGHT]);
    let gb: Vec<f64> = (0..4).map(|i| gl[i] + gg[i]).collect();
    let layer = |k: usize| {
        let top = gr[2 * k].abs().max(gr[2 * k + 1].abs());
        top / ((gb[2 * k].abs() + gb[2 * k + 1].abs()) / 2.0)
    };
    let hat_free = layer(0).max(layer(1));
    assert!(
        (layer(0) - layer(1)).abs() > 1e-3 * hat_free,
        "the two layers' ratios differ, so the maximum is a real choice"
    );
    let (r, b1) = hand_statistics();
    for (denominator, hat, global) in [
        (Denominator::WithLambda, hat_free / 2.0, r / (2.0 * b1)),
        (Denominator::LambdaFree, hat_free, r / b1),
    ] {
        let s = LrAnnealing::new(LrAnnealingConfig {
            initial: 2.0,
            denominator,
            statistic: Statistic::LayerRatioMax,
            ..Default::default()
        })
        .unwrap()
        .group("boundary", &[nth(1), nth(2)]);
        let log = s.log();
        fit_trainer(s, 1).run().unwrap();
        let row = &log.rows()[0].1;
        assert!(close(row[1], hat, 1e-12), "λ̂ {} vs {hat}", row[1]);
        assert!(close(row[2], row[3] / hat, 1e-12), "B is R/λ̂");
        assert!(close(row[0], 0.9 * 2.0 + 0.1 * hat, 1e-12));
        // The global statistic gives another value on the same network.
        assert!(
            !close(row[1], global, 1e-3),
            "{} vs the global {global}",
            row[1]
        );
    }
}

#[test]
fn one_lambda_per_term_without_groups() {
    // Each boundary term then has its own λ and its own B.
    let s = LrAnnealing::wang2021();
    let log = s.log();
    fit_trainer(s, 1).run().unwrap();
    assert_eq!(
        log.columns(),
        [
            "λ[left]",
            "λ[right]",
            "λ̂[left]",
            "λ̂[right]",
            "B[left]",
            "B[right]",
            "R"
        ]
    );
    let row = &log.rows()[0].1;
    let g = hand_weight_grad(&[LEFT]);
    let b_left = ((g[0].abs() + g[1].abs()) / 2.0 + (g[2].abs() + g[3].abs()) / 2.0) / 2.0;
    assert!(close(row[4], b_left, 1e-12));
    assert!(close(row[0], 0.9 + 0.1 * row[6] / b_left, 1e-12));
}

#[test]
fn lambda_settles_at_sqrt_r_over_b_as_coded_and_at_r_over_b_without_lambda() {
    let (r, b) = hand_statistics();
    for (denominator, expected) in [
        (Denominator::WithLambda, (r / b).sqrt()),
        (Denominator::LambdaFree, r / b),
    ] {
        let s = LrAnnealing::new(LrAnnealingConfig {
            every: 1,
            denominator,
            ..Default::default()
        })
        .unwrap()
        .group("boundary", &[nth(1), nth(2)]);
        let log = s.log();
        fit_trainer(s, 400).run().unwrap();
        let lambda = log.column("λ[boundary]").unwrap();
        assert_eq!(lambda.len(), 400);
        let last = *lambda.last().unwrap();
        assert!(
            close(last, expected, 1e-10),
            "{denominator:?}: λ = {last}, expected {expected}"
        );
    }
    // The two differ (R/B′ ≠ 1 here).
    assert!((r / b - 1.0).abs() > 0.1);
}

#[test]
fn updates_every_ten_steps_from_step_zero() {
    let s = LrAnnealing::wang2021().group("boundary", &[nth(1), nth(2)]);
    let log = s.log();
    fit_trainer(s, 35).run().unwrap();
    let steps: Vec<usize> = log.rows().iter().map(|r| r.0).collect();
    assert_eq!(steps, [0, 10, 20, 30]);
}

/// A problem with the modified MLP 1-3-3-1 on `Fit`, and the gradients of its terms by
/// central differences.
#[test]
fn encoders_are_excluded_for_the_modified_mlp() {
    let g = modified_mlp(&[1, 3, 3, 1], Elementary::Tanh).unwrap();
    // Layout by hand: U (W 0..3, b 3..6), V (W 6..9, b 9..12), gate 1 (W 12..15, b 15..18),
    // gate 2 (W 18..27, b 27..30), output (W 30..33, b 33).
    assert_eq!(g.n_params(), 34);
    let gates = [12..15, 18..27, 30..33];
    let all = [0..3, 6..9, 12..15, 18..27, 30..33];
    let ranges = |e: bool| -> Vec<_> {
        weight_matrices(&g, e)
            .into_iter()
            .map(|m| m.range)
            .collect()
    };
    assert_eq!(ranges(true), gates);
    assert_eq!(ranges(false), all);
    assert_eq!(
        weight_matrices(&g, false)
            .iter()
            .filter(|m| m.encoder)
            .count(),
        2
    );

    let theta: Vec<f64> = g.init_params(Seed(5));
    // Mean-square loss of `points` against `values` at θ, and its gradient by central
    // differences.
    let loss = |th: &[f64], pts: &[f64], vals: &[f64]| -> f64 {
        let u = predict(&g, th, pts).unwrap();
        u.iter()
            .zip(vals)
            .map(|(u, v)| (u - v).powi(2))
            .sum::<f64>()
            / pts.len() as f64
    };
    let fd = |pts: &[f64], vals: &[f64]| -> Vec<f64> {
        (0..theta.len())
            .map(|i| {
                let h = 1e-6;
                let (mut p, mut m) = (theta.clone(), theta.clone());
                p[i] += h;
                m[i] -= h;
                (loss(&p, pts, vals) - loss(&m, pts, vals)) / (2.0 * h)
            })
            .collect()
    };
    let res_vals: Vec<f64> = PDE_X.iter().map(|&x| f(&[x])).collect();
    let gr = fd(&PDE_X, &res_vals);
    let gl = fd(&[LEFT.0], &[LEFT.1]);
    let gg = fd(&[RIGHT.0], &[RIGHT.1]);
    let gb: Vec<f64> = gl.iter().zip(&gg).map(|(a, b)| a + b).collect();
    let stat = |mats: &[std::ops::Range<usize>]| {
        let r = mats
            .iter()
            .flat_map(|m| gr[m.clone()].iter())
            .fold(0.0_f64, |a, v| a.max(v.abs()));
        let b = mats
            .iter()
            .map(|m| gb[m.clone()].iter().map(|v| v.abs()).sum::<f64>() / m.len() as f64)
            .sum::<f64>()
            / mats.len() as f64;
        r / b
    };
    for (exclude, hat) in [(true, stat(&gates)), (false, stat(&all))] {
        let s = LrAnnealing::new(LrAnnealingConfig {
            exclude_encoders: exclude,
            ..Default::default()
        })
        .unwrap()
        .group("boundary", &[nth(1), nth(2)]);
        let log = s.log();
        let mut t = Trainer::builder(g.clone(), Fit)
            .pde_points(PDE_X.to_vec())
            .condition("left", Condition::dirichlet(0, |_| LEFT.1), vec![LEFT.0])
            .condition("right", Condition::dirichlet(0, |_| RIGHT.1), vec![RIGHT.0])
            .params(theta.clone())
            .strategy(s)
            .phase("still", 1, Still)
            .threads(1)
            .build()
            .unwrap();
        t.run().unwrap();
        let got = log.column("λ̂[boundary]").unwrap()[0];
        assert!(close(got, hat, 1e-6), "exclude {exclude}: λ̂ {got} vs {hat}");
    }
    assert!(
        !close(stat(&gates), stat(&all), 1e-3),
        "the encoders matter here"
    );
}

/// A short Helmholtz M2/M4-like run (small net, fresh batches every step).
fn helmholtz_run(
    modified: bool,
    threads: usize,
    strategy: impl Strategy<f64> + 'static,
    steps: usize,
) -> (Vec<u64>, Vec<u64>) {
    let problem = Helmholtz2D::default();
    let b = NetBuilder::new(2).normalize(&[0.0, 0.0], &[0.577, 0.577]);
    let net = if modified {
        b.modified_mlp(&[8, 8], Elementary::Tanh)
    } else {
        b.mlp(&[8, 8], Elementary::Tanh)
    }
    .build(1)
    .unwrap();
    let draw = |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
        let mut rng = s.rng();
        Ok((
            (0..64).map(|_| -1.0 + 2.0 * uniform(&mut rng)).collect(),
            vec![],
        ))
    };
    let mut tb = Trainer::<_, f64>::builder(net, problem)
        .pde_points(draw(Seed(1)).unwrap().0)
        .resample(nth(0), 1, draw);
    for (k, c) in problem.conditions().into_iter().enumerate() {
        let region = c.region.clone();
        let side = move |s: Seed| -> pinn::Result<(Vec<f64>, Vec<f64>)> {
            let mut rng = s.rng();
            let p = Helmholtz2D::default().sample_region(&region, 16, || uniform(&mut rng))?;
            Ok((p.points, vec![]))
        };
        tb = tb
            .condition(&c.name, c.condition.clone(), side(Seed(2)).unwrap().0)
            .resample(nth(1 + k), 1, side);
    }
    let mut t = tb
        .strategy(strategy)
        .phase("adam", steps, Adam::with_lr(1e-3).unwrap())
        .chunk_size(16)
        .threads(threads)
        .seed(Seed(11))
        .build()
        .unwrap();
    let r = t.run().unwrap();
    (
        r.history.iter().map(|h| h.loss.to_bits()).collect(),
        t.params().iter().map(|p| p.to_bits()).collect(),
    )
}

fn helmholtz_annealing() -> (LrAnnealing, WeightLog) {
    // The sides bottom, right, top, left are terms 1–4.
    let s = LrAnnealing::wang2021().group("boundary", &[nth(1), nth(2), nth(3), nth(4)]);
    let log = s.log();
    (s, log)
}

#[test]
fn lambda_stays_finite_and_positive_on_short_helmholtz_runs() {
    for modified in [false, true] {
        let (s, log) = helmholtz_annealing();
        helmholtz_run(modified, 1, s, 60);
        let rows = log.rows();
        assert_eq!(rows.len(), 6);
        for (step, row) in &rows {
            assert!(
                row.iter().all(|v| v.is_finite() && *v > 0.0),
                "step {step}: {row:?}"
            );
        }
        // The residual's gradients dwarf the boundary's on this problem: λ grows.
        assert!(rows.last().unwrap().1[0] > 1.0, "{rows:?}");
    }
}

#[test]
fn annealing_and_sa_give_the_same_bits_on_one_and_two_threads() {
    let ann = |threads| {
        let (s, log) = helmholtz_annealing();
        let out = helmholtz_run(true, threads, s, 25);
        let rows: Vec<Vec<u64>> = log
            .rows()
            .iter()
            .map(|r| r.1.iter().map(|v| v.to_bits()).collect())
            .collect();
        (out, rows)
    };
    assert_eq!(ann(1), ann(2));
    let sa = |threads| {
        let s = SelfAdaptive::new(SelfAdaptiveConfig {
            log_every: 1,
            ..SelfAdaptiveConfig::helmholtz(Seed(4))
        })
        .unwrap();
        let log = s.log();
        // Fixed points (SA weights belong to points): no resampling here.
        let problem = Helmholtz2D::default();
        let net = NetBuilder::new(2)
            .mlp(&[8, 8], Elementary::Tanh)
            .build(1)
            .unwrap();
        let mut rng = Seed(9).rng();
        let pts: Vec<f64> = (0..2 * 100)
            .map(|_| -1.0 + 2.0 * uniform(&mut rng))
            .collect();
        let mut tb = Trainer::<_, f64>::builder(net, problem).pde_points(pts);
        for c in problem.conditions() {
            let p = problem
                .sample_region(&c.region, 10, || uniform(&mut rng))
                .unwrap();
            tb = tb.condition(&c.name, c.condition.clone(), p.points);
        }
        let mut t = tb
            .strategy(s)
            .phase("adam", 20, Adam::with_lr(1e-3).unwrap())
            .chunk_size(16)
            .threads(threads)
            .build()
            .unwrap();
        t.run().unwrap();
        let params: Vec<u64> = t.params().iter().map(|p| p.to_bits()).collect();
        let lambda: Vec<u64> = log.current()[0].iter().map(|v| v.to_bits()).collect();
        (params, lambda)
    };
    assert_eq!(sa(1), sa(2));
}

const SA_X: [f64; 5] = [-0.9, -0.3, 0.1, 0.5, 0.8];

fn sa_trainer(s: SelfAdaptive, steps: usize, weight: f64) -> Trainer<Fit, f64> {
    let net = Graph::mlp(&[1, 4, 1], Elementary::Tanh).unwrap();
    Trainer::builder(net, Fit)
        .pde_points(SA_X.to_vec())
        .condition("left", Condition::dirichlet(0, |_| LEFT.1), vec![LEFT.0])
        .weight(nth(0), weight)
        .strategy(s)
        .phase("adam", steps, Adam::with_lr(1e-2).unwrap())
        .observer(|_| Control::Stop) // one step per run
        .threads(1)
        .seed(Seed(21))
        .build()
        .unwrap()
}

#[test]
fn sa_weights_follow_their_update_rule() {
    let (lr, b1, b2, eps) = (0.05, 0.99, 0.999, 1e-7);
    let config = SelfAdaptiveConfig {
        lr,
        ..SelfAdaptiveConfig::helmholtz(Seed(8))
    };
    let s = SelfAdaptive::new(config).unwrap();
    let log = s.log();
    let w = 1.5; // the PDE term's weight enters ∂L/∂λ
    let mut t = sa_trainer(s, 2, w);
    // λ₀ ~ U(0, 1) from seed.derive(term index 0), point by point.
    let mut rng = Seed(8).derive(0).rng();
    let mut lambda: Vec<f64> = SA_X.iter().map(|_| uniform(&mut rng)).collect();
    assert_eq!(log.current(), vec![lambda.clone()]);
    let n = SA_X.len() as f64;
    let (mut m, mut v) = (vec![0.0; 5], vec![0.0; 5]);
    for step in 1..=2 {
        let theta = t.params().to_vec();
        let u = predict(t.graph(), &theta, &SA_X).unwrap();
        let r: Vec<f64> = SA_X.iter().zip(&u).map(|(x, u)| u - f(&[*x])).collect();
        let report = t.run().unwrap();
        // The loss at this step's start has the weights inside the square.
        let expected_loss: f64 = w / n
            * lambda
                .iter()
                .zip(&r)
                .map(|(l, r)| (l * r).powi(2))
                .sum::<f64>();
        assert!(close(report.history[0].terms[0], expected_loss, 1e-12));
        // One PyTorch-style Adam step on −∂L/∂λ, ∂L/∂λ_p = 2 w λ_p r_p² / N.
        let bc1 = 1.0 - b1_pow(b1, step);
        let bc2 = (1.0 - b1_pow(b2, step)).sqrt();
        for p in 0..5 {
            let g = -(2.0 * w * lambda[p] * r[p] * r[p] / n);
            m[p] = m[p] * b1 + (1.0 - b1) * g;
            v[p] = v[p] * b2 + (1.0 - b2) * g * g;
            lambda[p] -= lr / bc1 * m[p] / (v[p].sqrt() / bc2 + eps);
        }
        let got = &log.current()[0];
        for p in 0..5 {
            assert!(
                close(got[p], lambda[p], 1e-12),
                "step {step}, point {p}: {} vs {}",
                got[p],
                lambda[p]
            );
        }
    }
    // Ascent: every weight grew.
    let mut rng = Seed(8).derive(0).rng();
    let start: Vec<f64> = SA_X.iter().map(|_| uniform(&mut rng)).collect();
    assert!(lambda.iter().zip(&start).all(|(a, b)| a > b));
}

fn b1_pow(b: f64, t: i32) -> f64 {
    b.powi(t)
}

#[test]
fn sa_weights_freeze_and_restore() {
    let config = SelfAdaptiveConfig {
        freeze_after: Some(2),
        log_every: 1,
        ..SelfAdaptiveConfig::helmholtz(Seed(3))
    };
    let s = SelfAdaptive::new(config).unwrap();
    let log = s.log();
    let mut t = sa_trainer(s, 5, 1.0);
    t.run().unwrap();
    t.run().unwrap();
    let after_two = log.current();
    for _ in 0..3 {
        t.run().unwrap();
    }
    assert_eq!(t.step(), 5);
    assert_eq!(log.current(), after_two, "λ frozen from step 2 on");
    let steps: Vec<usize> = log.rows().iter().map(|r| r.0).collect();
    assert_eq!(
        steps,
        [0, 1, 2],
        "steps 0 and 1 update, step 2 records the freeze"
    );
}

/// A strategy driven by hand on an [`Assembly`] (the `Terms` a trainer hands it).
fn fit_assembly() -> Assembly<Fit, f64> {
    let net = Graph::mlp(&[1, 2, 1], Elementary::Tanh).unwrap();
    let terms = vec![
        Term {
            name: "pde".into(),
            kind: TermKind::Pde,
            weight: 1.0,
            points: PDE_X.to_vec(),
            normals: vec![],
            partners: vec![],
        },
        Term {
            name: "left".into(),
            kind: TermKind::Condition(Condition::dirichlet(0, |_| LEFT.1)),
            weight: 1.0,
            points: vec![LEFT.0],
            normals: vec![],
            partners: vec![],
        },
    ];
    Assembly::new(net, Fit, terms, 8, 1).unwrap()
}

#[test]
fn states_round_trip() {
    let mut grad = vec![0.0; THETA.len()];
    // Annealing.
    let mut a = fit_assembly();
    let mut s = LrAnnealing::wang2021();
    Strategy::<f64>::init(&mut s, &mut a).unwrap();
    for step in [0, 10, 20] {
        s.after_step(&mut a, &THETA, step).unwrap();
    }
    let state = Strategy::<f64>::state(&s);
    assert_eq!(state.len(), 1);
    assert_eq!(a.weight(a.term_ids()[1]).unwrap(), state[0]);
    let mut b = fit_assembly();
    let mut s2 = LrAnnealing::wang2021();
    Strategy::<f64>::set_state(&mut s2, &state).unwrap();
    Strategy::<f64>::init(&mut s2, &mut b).unwrap();
    assert_eq!(
        b.weight(b.term_ids()[1]).unwrap(),
        state[0],
        "restored before init"
    );
    s.after_step(&mut a, &THETA, 30).unwrap();
    s2.after_step(&mut b, &THETA, 30).unwrap();
    assert_eq!(s.lambdas(), s2.lambdas());
    assert!(Strategy::<f64>::set_state(&mut s2, &[1.0, 2.0]).is_err());
    assert!(Strategy::<f64>::set_state(&mut s2, &[-1.0]).is_err());

    // SA: λ, Adam's t, m, v.
    let mut a = fit_assembly();
    let mut s = SelfAdaptive::new(SelfAdaptiveConfig::allen_cahn(Seed(2))).unwrap();
    Strategy::<f64>::init(&mut s, &mut a).unwrap();
    for step in 0..3 {
        a.eval(&THETA, &mut grad, step).unwrap(); // records the residuals
        s.after_step(&mut a, &THETA, step).unwrap();
    }
    let state = Strategy::<f64>::state(&s);
    assert_eq!(state.len(), 3 + 1 + 2 * 3);
    assert_eq!(state[3], 3.0);
    let mut b = fit_assembly();
    let mut s2 = SelfAdaptive::new(SelfAdaptiveConfig::allen_cahn(Seed(99))).unwrap();
    Strategy::<f64>::set_state(&mut s2, &state).unwrap();
    Strategy::<f64>::init(&mut s2, &mut b).unwrap();
    assert_eq!(Strategy::<f64>::state(&s2), state);
    for (asm, st) in [(&mut a, &mut s), (&mut b, &mut s2)] {
        asm.eval(&THETA, &mut grad, 3).unwrap();
        st.after_step(asm, &THETA, 3).unwrap();
    }
    assert_eq!(s.weights(), s2.weights());
    // Restoring a state taken before the freeze, after the freeze, updates again.
    let mut c = fit_assembly();
    let mut s3 = SelfAdaptive::new(SelfAdaptiveConfig {
        freeze_after: Some(1),
        ..SelfAdaptiveConfig::allen_cahn(Seed(2))
    })
    .unwrap();
    Strategy::<f64>::init(&mut s3, &mut c).unwrap();
    c.eval(&THETA, &mut grad, 0).unwrap();
    s3.after_step(&mut c, &THETA, 0).unwrap();
    let before_freeze = Strategy::<f64>::state(&s3);
    c.eval(&THETA, &mut grad, 1).unwrap();
    s3.after_step(&mut c, &THETA, 1).unwrap(); // frozen: recording stops
    c.eval(&THETA, &mut grad, 2).unwrap();
    assert!(c.residuals(c.term_ids()[0]).unwrap().is_empty());
    Strategy::<f64>::set_state(&mut s3, &before_freeze).unwrap();
    let ctx = pinn::strategies::EvalContext {
        step: 1,
        evaluation: 0,
        seed: Seed(0),
        phase: 0,
        run: Seed(0),
    };
    s3.before_eval(&mut c, ctx, &THETA).unwrap();
    c.eval(&THETA, &mut grad, 0).unwrap();
    s3.after_step(&mut c, &THETA, 0).unwrap();
    assert_ne!(Strategy::<f64>::state(&s3), before_freeze);
    // The weights reach the loss: both assemblies give the same bits.
    let (mut g1, mut g2) = (grad.clone(), grad.clone());
    let l1 = a.eval(&THETA, &mut g1, 4).unwrap();
    let l2 = b.eval(&THETA, &mut g2, 4).unwrap();
    assert_eq!(l1, l2);
    assert!(Strategy::<f64>::set_state(&mut s2, &[1.0]).is_err());
}

#[test]
fn masks() {
    assert_eq!(Mask::Identity.eval(0.3), (0.3, 1.0));
    let (m, d) = Mask::Polynomial { c: 4.0, q: 4.0 }.eval(0.5);
    // μ = √c λ^(q/2) = 2·0.25; μ′ = √c (q/2) λ = 2·2·0.5.
    assert!(close(m, 0.5, 1e-15) && close(d, 2.0, 1e-15));
    let (m, _) = Mask::Polynomial { c: 1.0, q: 2.0 }.eval(0.7);
    assert!(
        close(m, 0.7, 1e-15),
        "c = 1, q = 2 is the identity for λ > 0"
    );
    assert!(
        SelfAdaptive::new(SelfAdaptiveConfig {
            mask: Mask::Polynomial { c: -1.0, q: 2.0 },
            ..SelfAdaptiveConfig::helmholtz(Seed(0))
        })
        .is_err()
    );
}

#[test]
fn invalid_configurations_are_typed_errors() {
    use pinn::Error;
    let bad_config = |c: LrAnnealingConfig| match LrAnnealing::new(c) {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    };
    assert_eq!(
        bad_config(LrAnnealingConfig {
            every: 0,
            ..Default::default()
        }),
        "lr_annealing.every"
    );
    assert_eq!(
        bad_config(LrAnnealingConfig {
            alpha: 0.0,
            ..Default::default()
        }),
        "lr_annealing.alpha"
    );
    assert_eq!(
        bad_config(LrAnnealingConfig {
            initial: f64::NAN,
            ..Default::default()
        }),
        "lr_annealing.initial"
    );
    let init = |s: &mut LrAnnealing| Strategy::<f64>::init(s, &mut fit_assembly());
    assert!(matches!(
        init(&mut LrAnnealing::wang2021().group("g", &[nth(0)])),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        init(&mut LrAnnealing::wang2021().group("g", &[nth(9)])),
        Err(Error::InvalidConfig { .. })
    ));
    assert!(matches!(
        init(
            &mut LrAnnealing::wang2021()
                .group("g", &[nth(1)])
                .group("h", &[nth(1)])
        ),
        Err(Error::InvalidConfig { .. })
    ));
    let sa =
        SelfAdaptive::with_terms(SelfAdaptiveConfig::helmholtz(Seed(0)), &[(nth(9), 1.0)]).unwrap();
    let mut sa = sa;
    assert!(Strategy::<f64>::init(&mut sa, &mut fit_assembly()).is_err());
    assert!(
        SelfAdaptive::new(SelfAdaptiveConfig {
            lr: 0.0,
            ..SelfAdaptiveConfig::helmholtz(Seed(0))
        })
        .is_err()
    );
}
