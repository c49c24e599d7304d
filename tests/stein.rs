//! The Gaussian-smoothed Stein model (`pinn::model::SteinSmoothed`) checked three ways:
//!
//! - **unbiased for the smoothed model**: on a polynomial `g`, whose smoothing
//!   `f = E[g(x + δ)]` and its derivatives are known in closed form, the mean of each estimator
//!   over many seeds lies within a few standard errors of `f`'s value, gradient, Hessian and
//!   Laplacian — and the test is shown able to fail: `g`'s own derivatives lie many standard
//!   errors away;
//! - **against an oracle written from the paper's formulas** (He et al. 2023, §2.2 of the spec,
//!   each row as the authors code it), evaluated point by point on the scalar path with a tape
//!   for `∂/∂θ`, to 1e-12; every chunking gives the same bits of the estimates (the
//!   θ-gradient adds chunk by chunk, so its last bits follow the chunk size, a fixed setting);
//! - **against central finite differences** of the estimates in `θ`.

mod common;

use common::jets::{assert_close, mlp, random_vec};
use pinn::ad::jet::Component;
use pinn::ad::{Elementary, Tape, Var};
use pinn::model::{Batch, Model, SteinEstimator, SteinSmoothed};
use pinn::rng::{Seed, standard_normal};

const ALL: [SteinEstimator; 4] = [
    SteinEstimator::Vanilla,
    SteinEstimator::ControlVariate,
    SteinEstimator::Antithetic,
    SteinEstimator::Improved,
];

const COMPS: [Component; 7] = [
    Component::Value,
    Component::First(0),
    Component::First(1),
    Component::Second(0, 0),
    Component::Second(0, 1),
    Component::Second(1, 1),
    Component::Laplacian,
];

/// `g(x) = a₀x₀ + a₁x₁ + b₀x₀² + b₁x₁² + c·x₀x₁ + e·x₀³ + q·x₁⁴ + r`, θ = (a₀, a₁, b₀, b₁, c,
/// e, q, r): a model whose Gaussian smoothing is known exactly.
struct Poly;

fn monomials(x: &[f64]) -> [f64; 8] {
    let (x0, x1) = (x[0], x[1]);
    [
        x0,
        x1,
        x0 * x0,
        x1 * x1,
        x0 * x1,
        x0 * x0 * x0,
        x1.powi(4),
        1.0,
    ]
}

impl Model<f64> for Poly {
    type Workspace = Vec<f64>;
    fn input_dim(&self) -> usize {
        2
    }
    fn output_dim(&self) -> usize {
        1
    }
    fn n_params(&self) -> usize {
        8
    }
    fn init_params(&self, _: Seed) -> Vec<f64> {
        vec![0.0; 8]
    }
    fn workspace(&self, c: &[Component]) -> pinn::Result<Vec<f64>> {
        assert_eq!(c, [Component::Value]);
        Ok(Vec::new())
    }
    fn forward(
        &self,
        ws: &mut Vec<f64>,
        theta: &[f64],
        batch: &Batch<'_, f64>,
        values: &mut [f64],
    ) -> pinn::Result<()> {
        ws.clear();
        ws.extend_from_slice(batch.points);
        for (v, x) in values.iter_mut().zip(batch.points.chunks(2)) {
            *v = monomials(x).iter().zip(theta).map(|(m, t)| m * t).sum();
        }
        Ok(())
    }
    fn backward(
        &self,
        ws: &mut Vec<f64>,
        _: &[f64],
        seeds: &[f64],
        grad: &mut [f64],
    ) -> pinn::Result<()> {
        for (s, x) in seeds.iter().zip(ws.chunks(2)) {
            for (g, m) in grad.iter_mut().zip(monomials(x)) {
                *g += s * m;
            }
        }
        Ok(())
    }
}

/// `COMPS` of the smoothed polynomial (`s` the standard deviations), or of `g` itself for
/// `s = 0`.
fn poly_exact(t: &[f64], x: &[f64], s: &[f64]) -> [f64; 7] {
    let [a0, a1, b0, b1, c, e, q, r] = t.try_into().unwrap();
    let (x0, x1, v0, v1) = (x[0], x[1], s[0] * s[0], s[1] * s[1]);
    let f = a0 * x0
        + a1 * x1
        + b0 * (x0 * x0 + v0)
        + b1 * (x1 * x1 + v1)
        + c * x0 * x1
        + e * (x0.powi(3) + 3.0 * x0 * v0)
        + q * (x1.powi(4) + 6.0 * x1 * x1 * v1 + 3.0 * v1 * v1)
        + r;
    let f0 = a0 + 2.0 * b0 * x0 + c * x1 + e * (3.0 * x0 * x0 + 3.0 * v0);
    let f1 = a1 + 2.0 * b1 * x1 + c * x0 + q * (4.0 * x1.powi(3) + 12.0 * x1 * v1);
    let f00 = 2.0 * b0 + 6.0 * e * x0;
    let f11 = 2.0 * b1 + q * (12.0 * x1 * x1 + 12.0 * v1);
    [f, f0, f1, f00, c, f11, f00 + f11]
}

#[test]
fn every_estimator_is_unbiased_for_the_smoothed_polynomial() {
    let theta = [0.5, -0.7, 0.8, -0.4, 1.1, 1.5, 2.0, 0.1];
    let (x, sigma) = ([0.4, -0.3], [0.4, 0.35]);
    let exact = poly_exact(&theta, &x, &sigma);
    let unsmoothed = poly_exact(&theta, &x, &[0.0, 0.0]);
    let repeats = 8000;
    for est in ALL {
        let f = SteinSmoothed::new(Poly, &sigma, 8, est).unwrap();
        let mut ws = f.workspace(&COMPS).unwrap();
        let (mut sum, mut sq) = ([0.0; 7], [0.0; 7]);
        let mut v = [0.0; 7];
        for i in 0..repeats {
            let batch = Batch {
                points: &x,
                first: 0,
                stream: Seed(1000 + i),
            };
            f.forward(&mut ws, &theta, &batch, &mut v).unwrap();
            for c in 0..7 {
                sum[c] += v[c];
                sq[c] += v[c] * v[c];
            }
        }
        let n = repeats as f64;
        for c in 0..7 {
            let mean = sum[c] / n;
            let se = ((sq[c] / n - mean * mean) / (n - 1.0)).sqrt();
            let z = (mean - exact[c]) / se;
            assert!(
                z.abs() < 4.5,
                "{est:?} {:?}: mean {mean:.5} vs exact {:.5} ({z:.2} standard errors {se:.2e})",
                COMPS[c],
                exact[c]
            );
            // Power: the unsmoothed g differs from f in these components by many standard
            // errors, so an estimator of g's derivatives would have failed above.
            if matches!(
                COMPS[c],
                Component::Value | Component::First(_) | Component::Laplacian
            ) {
                let z_g = (mean - unsmoothed[c]) / se;
                assert!(
                    z_g.abs() > 8.0,
                    "{est:?} {:?}: cannot tell f from g ({z_g:.1} standard errors)",
                    COMPS[c]
                );
            }
        }
    }
}

/// The paper's estimators, row by row (spec §2.2), on the scalar path: `Σ_{p,c} seed · f̂_c`
/// and its θ-gradient by a tape. Samples are drawn as the model documents: point `first + p`
/// from `stream.derive(first + p)`, `δ_i = σ_i z`.
#[allow(clippy::too_many_arguments)]
fn oracle(
    g: &pinn::ad::jet::Graph,
    theta: &[f64],
    pts: &[f64],
    first: usize,
    stream: Seed,
    sigma: &[f64],
    k: usize,
    est: SteinEstimator,
    seeds: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let d = sigma.len();
    let n = pts.len() / d;
    let tape = Tape::new();
    let th = tape.vars(theta);
    let g_at = |x: &[f64]| -> Var<'_, f64> {
        let xs: Vec<_> = x.iter().map(|&v| Var::constant(v)).collect();
        g.eval(&th, &xs).unwrap()[0]
    };
    let c = |v: f64| Var::constant(v);
    let mut values = Vec::new();
    let mut loss = c(0.0);
    for p in 0..n {
        let x = &pts[p * d..(p + 1) * d];
        let mut rng = stream.derive((first + p) as u64).rng();
        let pairs = est == SteinEstimator::Antithetic || est == SteinEstimator::Improved;
        let draws = if pairs { k / 2 } else { k };
        let deltas: Vec<Vec<f64>> = (0..draws)
            .map(|_| {
                sigma
                    .iter()
                    .map(|s| s * standard_normal(&mut rng))
                    .collect()
            })
            .collect();
        let shift = |delta: &[f64], s: f64| -> Vec<f64> {
            x.iter().zip(delta).map(|(a, b)| a + s * b).collect()
        };
        let g0 = g_at(x);
        let v = |i: usize| sigma[i] * sigma[i];
        // h_ij(δ) = (δ_iδ_j − [i=j]σ_i²)/(σ_i²σ_j²)
        let h = |dl: &[f64], i: usize, j: usize| {
            (dl[i] * dl[j] - if i == j { v(i) } else { 0.0 }) / (v(i) * v(j))
        };
        let mut est_c = vec![c(0.0); COMPS.len()];
        for dl in &deltas {
            let gp = g_at(&shift(dl, 1.0));
            let terms: Vec<Var<'_, f64>> = match est {
                SteinEstimator::Vanilla | SteinEstimator::ControlVariate => {
                    let gd = if est == SteinEstimator::Vanilla {
                        gp
                    } else {
                        gp - g0
                    };
                    let sec = |i, j| gd * c(h(dl, i, j));
                    vec![
                        gp,
                        gd * c(dl[0] / v(0)),
                        gd * c(dl[1] / v(1)),
                        sec(0, 0),
                        sec(0, 1),
                        sec(1, 1),
                        sec(0, 0) + sec(1, 1),
                    ]
                }
                _ => {
                    let gm = g_at(&shift(dl, -1.0));
                    let even = if est == SteinEstimator::Antithetic {
                        gp + gm
                    } else {
                        gp + gm - c(2.0) * g0
                    };
                    let sec = |i, j| even * c(h(dl, i, j) / 2.0);
                    vec![
                        (gp + gm) * c(0.5),
                        (gp - gm) * c(dl[0] / (2.0 * v(0))),
                        (gp - gm) * c(dl[1] / (2.0 * v(1))),
                        sec(0, 0),
                        sec(0, 1),
                        sec(1, 1),
                        sec(0, 0) + sec(1, 1),
                    ]
                }
            };
            for (a, t) in est_c.iter_mut().zip(terms) {
                *a += t;
            }
        }
        for (ci, e) in est_c.into_iter().enumerate() {
            let e = e * c(1.0 / draws as f64);
            values.push(e.value());
            loss += e * c(seeds[p * COMPS.len() + ci]);
        }
    }
    let grad = tape.gradient(loss).wrt_all(&th);
    (values, grad)
}

#[test]
fn estimates_and_their_theta_gradients_match_the_papers_formulas_on_the_scalar_path() {
    let g = mlp(2, &[6, 6], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(3));
    let sigma = [0.1, 0.05];
    let pts = random_vec(Seed(4), 3 * 2, -1.0, 1.0);
    let seeds = random_vec(Seed(5), 3 * COMPS.len(), -1.0, 1.0);
    let (first, stream) = (5, Seed(9));
    for est in ALL {
        let (ov, og) = oracle(&g, &theta, &pts, first, stream, &sigma, 6, est, &seeds);
        let mut bits = None;
        // One chunk (the backward pass reuses the forward pass), one point per chunk (every
        // chunk but the last recomputed), and in between: the same draws, the same estimates.
        for chunk in [1 << 20, 1, 15] {
            let f = SteinSmoothed::new(g.clone(), &sigma, 6, est)
                .unwrap()
                .with_chunk(chunk);
            let mut ws = f.workspace(&COMPS).unwrap();
            let mut v = vec![0.0; 3 * COMPS.len()];
            let batch = Batch {
                points: &pts,
                first,
                stream,
            };
            f.forward(&mut ws, &theta, &batch, &mut v).unwrap();
            let mut grad = vec![0.0; theta.len()];
            f.backward(&mut ws, &theta, &seeds, &mut grad).unwrap();
            // Relative to the largest entry: second-derivative estimates carry 1/σ⁴ = 1.6e5.
            assert_close(&v, &ov, 1e-12, &format!("{est:?} values, chunk {chunk}"));
            assert_close(
                &grad,
                &og,
                1e-12,
                &format!("{est:?} θ-gradient, chunk {chunk}"),
            );
            let b: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            match &bits {
                None => bits = Some(b),
                Some(b0) => assert_eq!(b0, &b, "{est:?}: chunk {chunk} changed the bits"),
            }
        }
    }
}

#[test]
fn theta_gradient_matches_central_differences() {
    let g = mlp(2, &[8, 8], 2, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(11));
    let sigma = [0.2, 0.1];
    let pts = random_vec(Seed(12), 4 * 2, -1.0, 1.0);
    let seeds = random_vec(Seed(13), 4 * COMPS.len() * 2, -1.0, 1.0);
    for est in ALL {
        let f = SteinSmoothed::new(g.clone(), &sigma, 10, est)
            .unwrap()
            .with_chunk(25);
        let mut ws = f.workspace(&COMPS).unwrap();
        let loss = |ws: &mut _, th: &[f64]| {
            let mut v = vec![0.0; seeds.len()];
            let batch = Batch {
                points: &pts,
                first: 0,
                stream: Seed(21),
            };
            f.forward(ws, th, &batch, &mut v).unwrap();
            v.iter().zip(&seeds).map(|(a, b)| a * b).sum::<f64>()
        };
        loss(&mut ws, &theta);
        let mut grad = vec![0.0; theta.len()];
        f.backward(&mut ws, &theta, &seeds, &mut grad).unwrap();
        let h = 1e-5;
        let fd: Vec<f64> = (0..theta.len())
            .map(|i| {
                let (mut a, mut b) = (theta.clone(), theta.clone());
                a[i] += h;
                b[i] -= h;
                (loss(&mut ws, &a) - loss(&mut ws, &b)) / (2.0 * h)
            })
            .collect();
        assert_close(
            &grad,
            &fd,
            1e-6,
            &format!("{est:?} θ-gradient vs differences"),
        );
    }
}

#[test]
fn a_point_draws_the_same_samples_in_any_batch() {
    let g = mlp(2, &[8], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(1));
    let f = SteinSmoothed::new(g, &[0.1, 0.1], 16, SteinEstimator::Improved).unwrap();
    let pts = random_vec(Seed(2), 5 * 2, 0.0, 1.0);
    let mut ws = f.workspace(&COMPS).unwrap();
    let run = |ws: &mut _, lo: usize, hi: usize| {
        let mut v = vec![0.0; (hi - lo) * COMPS.len()];
        let batch = Batch {
            points: &pts[2 * lo..2 * hi],
            first: lo,
            stream: Seed(7),
        };
        f.forward(ws, &theta, &batch, &mut v).unwrap();
        v
    };
    let whole = run(&mut ws, 0, 5);
    let mut split = run(&mut ws, 0, 2);
    split.extend(run(&mut ws, 2, 5));
    assert_eq!(common::bits(&whole), common::bits(&split));
    // Another stream is another draw.
    let mut v = vec![0.0; 5 * COMPS.len()];
    let other = Batch {
        points: &pts,
        first: 0,
        stream: Seed(8),
    };
    f.forward(&mut ws, &theta, &other, &mut v).unwrap();
    assert_ne!(common::bits(&whole), common::bits(&v));
}

#[test]
fn pairs_and_the_control_variate_cut_the_laplacians_variance() {
    // He et al.'s motivation for `improved-steins`: on a random tanh network at σ = 0.1 the
    // vanilla Laplacian estimate's spread is dominated by g(x)·(‖δ‖² − dσ²)/σ⁴, which the
    // control variate removes and the pairs cancel to second order.
    let g = mlp(2, &[16, 16], 1, Elementary::Tanh);
    let theta: Vec<f64> = g.init_params(Seed(31));
    let x = [0.3, 0.6];
    let var = |est| {
        let f = SteinSmoothed::new(g.clone(), &[0.1, 0.1], 64, est).unwrap();
        let mut ws = f.workspace(&[Component::Laplacian]).unwrap();
        let vals: Vec<f64> = (0..200)
            .map(|i| {
                let mut v = [0.0];
                let batch = Batch {
                    points: &x,
                    first: 0,
                    stream: Seed(i),
                };
                f.forward(&mut ws, &theta, &batch, &mut v).unwrap();
                v[0]
            })
            .collect();
        let mean = vals.iter().sum::<f64>() / 200.0;
        vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 199.0
    };
    let (vanilla, cv, improved) = (
        var(SteinEstimator::Vanilla),
        var(SteinEstimator::ControlVariate),
        var(SteinEstimator::Improved),
    );
    // Measured: 171, 19.1 and 0.122 (ratios 8.9 and 157).
    assert!(
        cv < vanilla / 4.0,
        "control variate {cv:.3e} vs vanilla {vanilla:.3e}"
    );
    assert!(
        improved < cv / 50.0,
        "improved {improved:.3e} vs control variate {cv:.3e}"
    );
}

#[test]
fn bad_settings_are_named() {
    let g = mlp(2, &[4], 1, Elementary::Tanh);
    let err = |r: pinn::Result<SteinSmoothed<_>>| r.unwrap_err().to_string();
    assert!(
        err(SteinSmoothed::new(
            g.clone(),
            &[0.1, 0.0],
            8,
            SteinEstimator::Vanilla
        ))
        .contains("σ")
    );
    assert!(
        err(SteinSmoothed::new(
            g.clone(),
            &[0.1, f64::NAN],
            8,
            SteinEstimator::Vanilla
        ))
        .contains("σ")
    );
    assert!(
        err(SteinSmoothed::new(
            g.clone(),
            &[0.1, 0.1],
            0,
            SteinEstimator::Vanilla
        ))
        .contains("K = 0")
    );
    assert!(
        err(SteinSmoothed::new(
            g.clone(),
            &[0.1, 0.1],
            7,
            SteinEstimator::Improved
        ))
        .contains("even K")
    );
    let f = SteinSmoothed::new(g.clone(), &[0.1, 0.1, 0.1], 8, SteinEstimator::Vanilla).unwrap();
    assert!(Model::<f64>::workspace(&f, &[Component::Value]).is_err());
    let f = SteinSmoothed::new(g, &[0.1, 0.1], 8, SteinEstimator::Vanilla).unwrap();
    let e = Model::<f64>::workspace(&f, &[Component::Third(0, 0, 1)]).unwrap_err();
    assert!(e.to_string().contains("Third"), "{e}");
    assert!(Model::<f64>::workspace(&f, &[Component::First(2)]).is_err());
    assert!(SteinEstimator::from_name("improved").is_ok());
    assert!(
        SteinEstimator::from_name("fancy")
            .unwrap_err()
            .to_string()
            .contains("fancy")
    );
}

#[test]
fn a_trainer_runs_the_stein_model_with_the_same_bits_on_one_and_two_threads() {
    use pinn::optim::{Adam, AdamConfig, Schedule};
    use pinn::pde::problems::{PoissonSinSum, Problem};
    use pinn::rng::uniform;
    use pinn::train::Trainer;
    let p = PoissonSinSum::default();
    let bc = p.conditions().remove(0);
    let mut rng = Seed(3).rng();
    let boundary = p
        .sample_region(&bc.region, 40, || uniform(&mut rng))
        .unwrap();
    // Every evaluation draws fresh samples from the trainer's stream; the points are split
    // into chunks of 8 across the threads. (That the Stein loss trains is the `stein_poisson`
    // example's business: the loss has the estimator's variance as a floor, ≈ 0.2 for this
    // network at K = 64.)
    let (first, last) = common::same_bits_on_1_and_2_threads(|threads| {
        let g = mlp(2, &[16, 16], 1, Elementary::Tanh);
        let f = SteinSmoothed::new(g, &[0.1, 0.1], 16, SteinEstimator::Improved).unwrap();
        let adam = Adam::new(AdamConfig {
            lr: 1e-2,
            schedule: Schedule::linear(20).unwrap(),
            ..AdamConfig::default()
        })
        .unwrap();
        Trainer::<_, f64, _>::builder(f, p)
            .pde_points(random_vec(Seed(11), 2 * 50, 0.0, 1.0))
            .condition(&bc.name, bc.condition.clone(), boundary.points.clone())
            .phase("adam", 20, adam)
            .chunk_size(8)
            .threads(threads)
            .build()
            .unwrap()
    });
    assert!(first.is_finite() && last.is_finite() && first != last);
}
