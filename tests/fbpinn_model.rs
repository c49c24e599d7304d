//! The FBPINN model (`nets::fbpinn::Fbpinn`) through the `Model` seam, checked
//!
//! - for coverage: each subdomain network visits exactly the batch points of its support;
//! - against an independent scalar path: each covering subdomain's MLP (`Graph::mlp`) on
//!   hyper-dual / nested dual inputs, normalised by hand, times the windows of
//!   `nets::fbpinn` (`SigmoidWindow` raw; `CosineWindow` through `multilevel_average`),
//!   for values and input derivatives up to order 4, to 1e-12 relative;
//! - for the windows alone: with every network's output ≡ 1 the model is the sum of the
//!   windows, and for the cosine family exactly 1 with vanishing derivatives;
//! - in θ, against central differences;
//!
//! and a trainer runs on it with the same bits on 1 and 2 threads.

mod common;

use common::jets::{assert_close, random_vec};
use pinn::Error;
use pinn::ad::jet::{Component, Graph, GraphBuilder, NodeId};
use pinn::ad::{Dual, Elementary, HyperDual, Scalar};
use pinn::model::{Batch, Model};
use pinn::nets::fbpinn::{
    Decomposition, Fbpinn, Window, multilevel_average, overlap_from_width, uniform_edges,
};
use pinn::optim::Adam;
use pinn::pde::{Condition, Fields, Pde, Residuals, hard};
use pinn::rng::Seed;
use pinn::train::Trainer;

const HIDDEN: [usize; 2] = [6, 6];
const UNNORM: (f64, f64) = (0.3, 1.7);

/// The original family, 1-D: three cells on `[0, 3]`, overlap 0.6.
fn sigmoid_1d(outputs: usize) -> Fbpinn {
    let edges = uniform_edges(0.0, 3.0, 3).unwrap();
    let overlaps = overlap_from_width(&edges, 0.6).unwrap();
    let dec = Decomposition::from_edges(&[edges], &[overlaps]).unwrap();
    Fbpinn::new(dec, &HIDDEN, outputs, Elementary::Tanh, UNNORM).unwrap()
}

/// `sigmoid_1d` with the hard constraint `u = sin x + x(3 − x)·Σ_j g_j`.
fn sigmoid_1d_hard(outputs: usize) -> Fbpinn {
    sigmoid_1d(outputs)
        .with_hard_constraint(
            move |b, x| {
                let s = hard::wave(b, x, 0, Elementary::Sin, 1.0, 0.0);
                b.linear(s, outputs, &vec![1.0; outputs], None)
            },
            |b, x| hard::vanish_on_box(b, x, &[0.0], &[3.0], &[0]),
        )
        .unwrap()
}

/// The multilevel family, 2-D, `levels` levels on `[0, 1]²`, overlap ratio 1.9.
fn cosine_2d(levels: usize) -> Fbpinn {
    let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], levels, 1.9).unwrap();
    Fbpinn::new(dec, &HIDDEN, 1, Elementary::Tanh, UNNORM).unwrap()
}

fn comps(d: usize) -> Vec<Component> {
    if d == 1 {
        vec![
            Component::Value,
            Component::First(0),
            Component::Second(0, 0),
            Component::Laplacian,
            Component::Third(0, 0, 0),
            Component::Fourth(0, 0, 0, 0),
        ]
    } else {
        vec![
            Component::Value,
            Component::First(0),
            Component::First(1),
            Component::Second(0, 0),
            Component::Second(0, 1),
            Component::Laplacian,
            Component::Third(0, 0, 1),
            Component::Fourth(0, 0, 1, 1),
            Component::Biharmonic,
        ]
    }
}

/// The MLP of one subdomain, laid out as the model lays `θ_j`.
fn mlp(model: &Fbpinn) -> Graph {
    let mut w = vec![Model::<f64>::input_dim(model)];
    w.extend_from_slice(&HIDDEN);
    w.push(Model::<f64>::output_dim(model));
    Graph::mlp(&w, Elementary::Tanh).unwrap()
}

/// The window weights of the subdomains covering `x` (in `covering` order), from the
/// building blocks: raw sigmoid windows, or the multilevel average of the cosine windows.
fn weights<S: Scalar>(model: &Fbpinn, x: &[S]) -> (Vec<usize>, Vec<S>) {
    let dec = model.decomposition();
    let xf: Vec<f64> = x.iter().map(|v| v.to_f64()).collect();
    let cov: Vec<usize> = dec.covering(&xf).unwrap().collect();
    let subs = dec.subdomains();
    let raw: Vec<S> = cov
        .iter()
        .map(|&j| subs[j].window().eval(x).unwrap())
        .collect();
    let sigmoid = subs
        .iter()
        .any(|s| matches!(s.window(), Window::Sigmoid(_)));
    if sigmoid {
        (cov, raw)
    } else {
        let levels: Vec<usize> = cov.iter().map(|&j| subs[j].level()).collect();
        let w = multilevel_average(&raw, &levels, dec.n_levels()).unwrap();
        (cov, w)
    }
}

/// `u(x)` on scalars: `Σ_j w_j(x)·(σ_out·N_j((x − μ_j)/s_j) + μ_out)` over the covering `j`.
fn u_at<S: Scalar>(model: &Fbpinn, net: &Graph, theta: &[f64], x: &[S], hard: bool) -> Vec<S> {
    let n = model.n_params_per_subdomain();
    let subs = model.decomposition().subdomains();
    let (cov, w) = weights(model, x);
    let mut u = vec![S::zero(); Model::<f64>::output_dim(model)];
    for (&j, &wj) in cov.iter().zip(&w) {
        let s = &subs[j];
        let xhat: Vec<S> = x
            .iter()
            .enumerate()
            .map(|(i, &v)| (v - S::from_f64(s.centre()[i])) / S::from_f64(s.half_width()[i]))
            .collect();
        let th: Vec<S> = theta[j * n..(j + 1) * n]
            .iter()
            .map(|&t| S::from_f64(t))
            .collect();
        let out = net.eval(&th, &xhat).unwrap();
        for (ui, o) in u.iter_mut().zip(out) {
            *ui += wj * (S::from_f64(UNNORM.1) * o + S::from_f64(UNNORM.0));
        }
    }
    if hard {
        // u = sin x + x(3 − x)·Σ_j g_j (1-D only).
        let b = x[0] * (S::from_f64(3.0) - x[0]);
        for ui in &mut u {
            *ui = x[0].sin() + b * *ui;
        }
    }
    u
}

type D4 = Dual<Dual<Dual<Dual<f64>>>>;

/// `∂^k u_o/∂x_{dirs[0]}…` (k ≤ 4) on nested duals, one level per direction.
fn partial(
    model: &Fbpinn,
    net: &Graph,
    theta: &[f64],
    x: &[f64],
    dirs: &[usize],
    hard: bool,
) -> Vec<f64> {
    let seed = |i: usize, l: usize| -> f64 { f64::from(dirs.get(l) == Some(&i)) };
    let xs: Vec<D4> = (0..x.len())
        .map(|i| {
            let d1 = Dual::new(x[i], seed(i, 0));
            let d2 = Dual::new(d1, Scalar::from_f64(seed(i, 1)));
            let d3 = Dual::new(d2, Scalar::from_f64(seed(i, 2)));
            Dual::new(d3, Scalar::from_f64(seed(i, 3)))
        })
        .collect();
    u_at(model, net, theta, &xs, hard)
        .into_iter()
        .map(|u| {
            let l3 = if dirs.len() > 3 { u.eps } else { u.re };
            let l2 = if dirs.len() > 2 { l3.eps } else { l3.re };
            let l1 = if dirs.len() > 1 { l2.eps } else { l2.re };
            if !dirs.is_empty() { l1.eps } else { l1.re }
        })
        .collect()
}

/// Component `c` of every output at `x`: hyper-duals up to order 2, nested duals above.
fn scalar(
    model: &Fbpinn,
    net: &Graph,
    theta: &[f64],
    x: &[f64],
    c: Component,
    hard: bool,
) -> Vec<f64> {
    let d = x.len();
    let run = |k: usize, l: usize| {
        let xs: Vec<_> = (0..d).map(|i| HyperDual::seeded(x[i], i, k, l)).collect();
        u_at(model, net, theta, &xs, hard)
    };
    let p = |dirs: &[usize]| partial(model, net, theta, x, dirs, hard);
    let sum = |a: Vec<f64>, b: Vec<f64>, s: f64| -> Vec<f64> {
        a.iter().zip(&b).map(|(x, y)| x + s * y).collect()
    };
    match c {
        Component::Value => run(0, 0).iter().map(|u| u.re).collect(),
        Component::First(k) => run(k, k).iter().map(|u| u.e1).collect(),
        Component::Second(k, l) => run(k, l).iter().map(|u| u.e12).collect(),
        Component::Laplacian => (0..d).fold(vec![0.0; Model::<f64>::output_dim(model)], |a, k| {
            sum(a, run(k, k).iter().map(|u| u.e12).collect(), 1.0)
        }),
        Component::Third(k, l, m) => p(&[k, l, m]),
        Component::Fourth(k, l, m, n) => p(&[k, l, m, n]),
        Component::Biharmonic => sum(
            sum(p(&[0, 0, 0, 0]), p(&[0, 0, 1, 1]), 2.0),
            p(&[1, 1, 1, 1]),
            1.0,
        ),
    }
}

/// Values of `cs` through the `Model` interface, and the workspace.
fn forward(
    model: &Fbpinn,
    theta: &[f64],
    pts: &[f64],
    cs: &[Component],
) -> (Vec<f64>, pinn::nets::fbpinn::FbpinnWorkspace<f64>) {
    let mut ws = Model::<f64>::workspace(model, cs).unwrap();
    let n = pts.len() / Model::<f64>::input_dim(model);
    let mut vals = vec![0.0; n * cs.len() * Model::<f64>::output_dim(model)];
    model
        .forward(&mut ws, theta, &Batch::new(pts), &mut vals)
        .unwrap();
    (vals, ws)
}

/// Points in the domain box of a model: `n` uniform points.
fn points(model: &Fbpinn, seed: Seed, n: usize) -> Vec<f64> {
    let dec = model.decomposition();
    let d = dec.dim();
    let u = random_vec(seed, n * d, 0.0, 1.0);
    u.iter()
        .enumerate()
        .map(|(i, v)| dec.lo()[i % d] + v * (dec.hi()[i % d] - dec.lo()[i % d]))
        .collect()
}

#[test]
fn each_subdomain_visits_exactly_the_points_of_its_support() {
    for model in [sigmoid_1d(1), cosine_2d(3)] {
        let d = Model::<f64>::input_dim(&model);
        let n = 50;
        let pts = points(&model, Seed(1), n);
        let theta: Vec<f64> = model.init_params(Seed(2));
        let cs = [Component::Value];
        let (_, mut ws) = forward(&model, &theta, &pts, &cs);
        let mut partial_support = false;
        for s in model.decomposition().subdomains() {
            let inside = pts.chunks(d).filter(|x| s.contains(x)).count();
            assert_eq!(ws.visited(s.index()), inside, "subdomain {}", s.index());
            partial_support |= inside > 0 && inside < n;
        }
        assert!(partial_support, "the test needs partial supports");
        // A second forward pass on the same workspace adds the same counts again.
        let mut vals = vec![0.0; n];
        model
            .forward(&mut ws, &theta, &Batch::new(&pts), &mut vals)
            .unwrap();
        for s in model.decomposition().subdomains() {
            let inside = pts.chunks(d).filter(|x| s.contains(x)).count();
            assert_eq!(ws.visited(s.index()), 2 * inside);
        }
    }
}

fn check_against_scalar_path(model: &Fbpinn, seed: u64, n: usize, hard: bool) {
    let d = Model::<f64>::input_dim(model);
    let m = Model::<f64>::output_dim(model);
    let cs = comps(d);
    let theta = random_vec(Seed(seed), Model::<f64>::n_params(model), -0.8, 0.8);
    let pts = points(model, Seed(seed + 1), n);
    let (vals, _) = forward(model, &theta, &pts, &cs);
    let net = mlp(model);
    let mut oracle = vec![0.0; vals.len()];
    for (p, x) in pts.chunks(d).enumerate() {
        for (k, &c) in cs.iter().enumerate() {
            for (o, v) in scalar(model, &net, &theta, x, c, hard)
                .into_iter()
                .enumerate()
            {
                oracle[(p * cs.len() + k) * m + o] = v;
            }
        }
    }
    assert!(oracle.iter().all(|v| v.is_finite()));
    assert_close(&vals, &oracle, 1e-12, "values and input derivatives");
}

#[test]
fn values_and_input_derivatives_match_the_scalar_path_sigmoid_1d() {
    check_against_scalar_path(&sigmoid_1d(1), 10, 40, false);
    check_against_scalar_path(&sigmoid_1d(2), 20, 40, false);
}

#[test]
fn values_and_input_derivatives_match_the_scalar_path_cosine_2d() {
    check_against_scalar_path(&cosine_2d(2), 30, 25, false);
    check_against_scalar_path(&cosine_2d(3), 40, 25, false);
}

#[test]
fn a_hard_constraint_holds_exactly_and_matches_the_scalar_path() {
    for m in [1, 2] {
        let model = sigmoid_1d_hard(m);
        check_against_scalar_path(&model, 80 + m as u64, 40, true);
        let theta = random_vec(Seed(90), Model::<f64>::n_params(&model), -0.8, 0.8);
        // u(0) = sin 0, u(3) = sin 3 exactly (B = 0 there); outside every support, u = A.
        let u = pinn::model::evaluate(&model, &theta, &[0.0, 3.0, 7.0]).unwrap();
        let want: Vec<f64> = [0.0, 3.0_f64.sin(), 7.0_f64.sin()]
            .iter()
            .flat_map(|&v| vec![v; m])
            .collect();
        assert_eq!(u, want);
    }
    // A workspace of another model is an error, not a panic.
    let (plain, constrained) = (sigmoid_1d(1), sigmoid_1d_hard(1));
    let theta: Vec<f64> = plain.init_params(Seed(0));
    let mut ws = Model::<f64>::workspace(&plain, &[Component::Value]).unwrap();
    let mut vals = vec![0.0; 1];
    assert!(matches!(
        constrained.forward(&mut ws, &theta, &Batch::new(&[1.0]), &mut vals),
        Err(Error::InvalidConfig {
            field: "workspace",
            ..
        })
    ));
    let (small, big) = (cosine_2d(2), cosine_2d(3));
    let theta: Vec<f64> = big.init_params(Seed(0));
    let mut ws = Model::<f64>::workspace(&small, &[Component::Value]).unwrap();
    assert!(matches!(
        big.forward(&mut ws, &theta, &Batch::new(&[0.5, 0.5]), &mut vals),
        Err(Error::DimensionMismatch { .. })
    ));
    // A and B without parameters, of the allowed widths.
    type Piece = fn(&mut GraphBuilder, NodeId) -> NodeId;
    let with = |a: Piece, b: Piece| sigmoid_1d(2).with_hard_constraint(a, b);
    let x0: Piece = |b, x| hard::coordinate(b, x, 0);
    let two: Piece = |b, x| b.linear(x, 2, &[1.0, 1.0], None);
    let three: Piece = |b, x| b.linear(x, 3, &[1.0; 3], None);
    let trained: Piece = |b, x| b.dense(x, 2);
    assert!(with(two, x0).is_ok());
    assert!(with(two, two).is_ok());
    for (a, b, field) in [
        (x0, x0, "hard_constraint.a"),
        (trained, x0, "hard_constraint.a"),
        (two, three, "hard_constraint.b"),
        (two, trained, "hard_constraint.b"),
    ] {
        assert!(
            matches!(with(a, b), Err(Error::InvalidConfig { field: f, .. }) if f == field),
            "{field}"
        );
    }
}

/// `θ` with every network's output layer set so that `σ_out·N + μ_out ≡ 1`.
fn unit_networks(model: &Fbpinn) -> Vec<f64> {
    let n = model.n_params_per_subdomain();
    let m = Model::<f64>::output_dim(model);
    let last = m * HIDDEN[HIDDEN.len() - 1] + m;
    let mut theta = random_vec(Seed(50), Model::<f64>::n_params(model), -0.8, 0.8);
    for th in theta.chunks_mut(n) {
        th[n - last..n - m].fill(0.0);
        th[n - m..].fill((1.0 - UNNORM.0) / UNNORM.1);
    }
    theta
}

#[test]
fn the_windows_in_the_graphs_are_the_window_functions() {
    // Sigmoid family: the model is the sum of the raw windows (clamped in the reference).
    let model = sigmoid_1d(2);
    let theta = unit_networks(&model);
    let pts = points(&model, Seed(51), 200);
    let (vals, _) = forward(&model, &theta, &pts, &[Component::Value]);
    let want: Vec<f64> = pts
        .iter()
        .flat_map(|x| {
            let s: f64 = weights(&model, &[*x]).1.iter().sum();
            [s, s]
        })
        .collect();
    assert_close(&vals, &want, 1e-12, "sigmoid windows");
    // They are a partition of unity only up to the overlap of the sigmoids: not exactly 1.
    assert!(vals.iter().any(|v| (v - 1.0).abs() > 1e-8));
    // Cosine family: the normalised windows sum to 1, so the model is 1 and flat.
    for levels in [1, 2, 3] {
        let model = cosine_2d(levels);
        let theta = unit_networks(&model);
        let pts = points(&model, Seed(52), 200);
        let cs = [
            Component::Value,
            Component::First(0),
            Component::Laplacian,
            Component::Third(0, 0, 1),
        ];
        let (vals, _) = forward(&model, &theta, &pts, &cs);
        let want: Vec<f64> = (0..200).flat_map(|_| [1.0, 0.0, 0.0, 0.0]).collect();
        let values: Vec<f64> = vals.iter().step_by(4).copied().collect();
        assert_close(&values, &vec![1.0; 200], 1e-13, "cosine windows sum to 1");
        assert_close(&vals, &want, 1e-11, "the sum of the windows is flat");
    }
}

#[test]
fn theta_gradient_matches_central_differences() {
    for model in [sigmoid_1d(2), cosine_2d(2), sigmoid_1d_hard(2)] {
        let d = Model::<f64>::input_dim(&model);
        let cs = comps(d);
        let n = 20;
        let pts = points(&model, Seed(60), n);
        let theta = random_vec(Seed(61), Model::<f64>::n_params(&model), -0.8, 0.8);
        let seeds = random_vec(
            Seed(62),
            n * cs.len() * Model::<f64>::output_dim(&model),
            -1.0,
            1.0,
        );
        let (_, mut ws) = forward(&model, &theta, &pts, &cs);
        let mut grad = vec![0.0; theta.len()];
        model.backward(&mut ws, &theta, &seeds, &mut grad).unwrap();
        let loss = |th: &[f64]| -> f64 {
            let (v, _) = forward(&model, th, &pts, &cs);
            v.iter().zip(&seeds).map(|(a, b)| a * b).sum()
        };
        let h = 1e-5;
        // Every third parameter (all layers of every subdomain are hit).
        let idx: Vec<usize> = (0..theta.len()).step_by(3).collect();
        let fd: Vec<f64> = idx
            .iter()
            .map(|&j| {
                let (mut tp, mut tm) = (theta.clone(), theta.clone());
                tp[j] += h;
                tm[j] -= h;
                (loss(&tp) - loss(&tm)) / (2.0 * h)
            })
            .collect();
        let got: Vec<f64> = idx.iter().map(|&j| grad[j]).collect();
        assert!(got.iter().any(|&g| g != 0.0));
        assert_close(&got, &fd, 1e-7, "θ-gradient against central differences");
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let edges = uniform_edges(0.0, 3.0, 3).unwrap();
    let dec = Decomposition::from_edges(&[edges], &[vec![0.0, 0.5, 0.5, 0.0]]).unwrap();
    let new =
        |outputs, unnorm| Fbpinn::new(dec.clone(), &HIDDEN, outputs, Elementary::Tanh, unnorm);
    assert!(matches!(
        new(0, UNNORM),
        Err(Error::InvalidConfig {
            field: "outputs",
            ..
        })
    ));
    for unnorm in [
        (f64::NAN, 1.0),
        (0.0, 0.0),
        (0.0, -1.0),
        (0.0, f64::INFINITY),
    ] {
        assert!(matches!(
            new(1, unnorm),
            Err(Error::InvalidConfig {
                field: "unnorm",
                ..
            })
        ));
    }
    assert!(Fbpinn::new(dec.clone(), &[4, 0], 1, Elementary::Tanh, UNNORM).is_err());
    let model = new(1, UNNORM).unwrap();
    let theta: Vec<f64> = model.init_params(Seed(0));
    let mut ws = Model::<f64>::workspace(&model, &[Component::Value]).unwrap();
    let mut vals = vec![0.0; 2];
    // A non-finite coordinate, θ of the wrong length, values of the wrong length.
    assert!(matches!(
        model.forward(&mut ws, &theta, &Batch::new(&[0.5, f64::NAN]), &mut vals),
        Err(Error::InvalidConfig {
            field: "points",
            ..
        })
    ));
    assert!(matches!(
        model.forward(&mut ws, &theta[1..], &Batch::new(&[0.5, 1.0]), &mut vals),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        model.forward(&mut ws, &theta, &Batch::new(&[0.5]), &mut vals),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(Model::<f64>::workspace(&model, &[Component::First(1)]).is_err());
    // Points outside every support: values 0.
    model
        .forward(&mut ws, &theta, &Batch::new(&[-5.0, 9.0]), &mut vals)
        .unwrap();
    assert_eq!(vals, [0.0, 0.0]);
    let mut grad = vec![0.0; theta.len()];
    assert!(matches!(
        model.backward(&mut ws, &theta, &[1.0], &mut grad),
        Err(Error::DimensionMismatch { .. })
    ));
    model
        .backward(&mut ws, &theta, &[1.0, 1.0], &mut grad)
        .unwrap();
    assert!(grad.iter().all(|&g| g == 0.0));
    // Outside the box, a point on the edges of two cosine supports only: the windows of its
    // level all vanish there.
    let c = vec![0.0, 1.0];
    let w = vec![2.0, 2.0];
    let dec = Decomposition::from_centres(&[0.0; 2], &[1.0; 2], &[c.clone(), c], &[w.clone(), w])
        .unwrap();
    let model = Fbpinn::new(dec, &HIDDEN, 1, Elementary::Tanh, UNNORM).unwrap();
    let theta: Vec<f64> = model.init_params(Seed(0));
    let mut ws = Model::<f64>::workspace(&model, &[Component::Value]).unwrap();
    let mut vals = vec![0.0; 2];
    model
        .forward(
            &mut ws,
            &theta,
            &Batch::new(&[0.5, 0.5, 0.2, 0.9]),
            &mut vals,
        )
        .unwrap();
    assert!(vals.iter().all(|v| v.is_finite()));
    let mut one = vec![0.0; 1];
    assert!(matches!(
        model.forward(&mut ws, &theta, &Batch::new(&[-1.0, 0.5]), &mut one),
        Err(Error::InvalidConfig {
            field: "points",
            ..
        })
    ));
}

/// `u'' = −sin x` on `[0, 3]`.
struct Poisson;
impl Pde for Poisson {
    fn dim(&self) -> usize {
        1
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::Second(0, 0)]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, _: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.d2(0, 0, 0) + x[0].sin();
    }
}

#[test]
fn a_trainer_runs_an_fbpinn_with_the_same_bits_on_one_and_two_threads() {
    same_bits_on_one_and_two_threads(sigmoid_1d(1));
    // The multilevel family: 1, 2 and 4 cosine-windowed subdomains on [0, 3].
    let dec = Decomposition::multilevel(&[0.0], &[3.0], 3, 1.9).unwrap();
    same_bits_on_one_and_two_threads(
        Fbpinn::new(dec, &HIDDEN, 1, Elementary::Tanh, UNNORM).unwrap(),
    );
}

fn same_bits_on_one_and_two_threads(model: Fbpinn) {
    let (first, last) = common::same_bits_on_1_and_2_threads(|threads| {
        Trainer::<_, f64, _>::builder(model.clone(), Poisson)
            .pde_points(random_vec(Seed(70), 120, 0.0, 3.0))
            .condition(
                "ends",
                Condition::data(0, &[0.0, 3.0_f64.sin()]),
                vec![0.0, 3.0],
            )
            .phase("adam", 20, Adam::with_lr(5e-3).unwrap())
            .chunk_size(16)
            .threads(threads)
            .build()
            .unwrap()
    });
    assert!(last < first, "training lowers the loss: {first} → {last}");
}

/// In `f32` a point on the domain boundary rounds outward (`f32(−2π) < −2π`); it must still be
/// covered by the end subdomains, not read 0 (found on the Cos1D example's end points).
#[test]
fn boundary_points_are_covered_in_f32() {
    let tp = 2.0 * std::f64::consts::PI;
    let edges = uniform_edges(-tp, tp, 30).unwrap();
    let overlaps = overlap_from_width(&edges, 0.7).unwrap();
    let dec = Decomposition::from_edges(&[edges], &[overlaps]).unwrap();
    let model = Fbpinn::new(dec, &HIDDEN, 1, Elementary::Tanh, UNNORM).unwrap();
    assert!(
        (-tp as f32 as f64) < -tp && (tp as f32 as f64) > tp,
        "the case needs rounding"
    );
    let th64: Vec<f64> = model.init_params(Seed(3));
    let th32: Vec<f32> = th64.iter().map(|&t| t as f32).collect();
    let u64 = pinn::model::evaluate(&model, &th64, &[-tp, tp]).unwrap();
    let u32 = pinn::model::evaluate(&model, &th32, &[-tp as f32, tp as f32]).unwrap();
    for (a, b) in u64.iter().zip(&u32) {
        assert!(a.abs() > 1e-3, "{u64:?}");
        assert!(
            (a - f64::from(*b)).abs() < 1e-4 * a.abs().max(1.0),
            "{u64:?} vs {u32:?}"
        );
    }
}
