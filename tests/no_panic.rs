//! Bad input is a typed error, never a panic: random configurations, valid and invalid, are
//! pushed through the safe public API — domains and samplers, graphs, networks and jet
//! workspaces, optimizers and their states, the trainer (build, run, checkpoint, restore),
//! checkpoint and parameter files, exports, conditions and the problem catalog — each call
//! inside `catch_unwind`. Every error must also say something: an `InvalidConfig` names a field
//! and a reason, a `DimensionMismatch` has different expected and found sizes.
//!
//! Each test prints how many calls it made and how many were rejected with an error.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use pinn::Error;
use pinn::ad::jet::{Component, Graph, GraphBuilder, JetWorkspace, NodeId, Selection};
use pinn::ad::{Elementary, Scalar};
use pinn::domain::{Boundary, BoundaryPoints, BoxDomain, Face, Interval, Points, Side, SpaceTime};
use pinn::nets::NetBuilder;
use pinn::optim::{
    Adam, AdamConfig, Lbfgs, LbfgsConfig, Optimizer, OptimizerState, Schedule, Sgd, SgdConfig,
};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::Seed;
use pinn::sampling::{
    BoundarySampler, Grid, Halton, Hammersley, LatinHypercube, Resample, Sampler, Sobol, Uniform,
    UniformBoundary,
};
use pinn::train::{Checkpoint, Term, TermKind, Trainer};

/// Calls made and calls rejected with an error, per test.
struct Tally {
    calls: AtomicUsize,
    errors: AtomicUsize,
}

impl Tally {
    const fn new() -> Self {
        Tally {
            calls: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
        }
    }

    /// Runs `f` inside `catch_unwind`: a panic fails the test case, an error is checked for
    /// content and counted.
    fn call<R>(
        &self,
        what: &str,
        f: impl FnOnce() -> pinn::Result<R>,
    ) -> Result<Option<R>, TestCaseError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(r)) => Ok(Some(r)),
            Ok(Err(e)) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                check_error(what, &e)?;
                Ok(None)
            }
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(TestCaseError::fail(format!("{what} panicked: {msg}")))
            }
        }
    }

    /// For calls that return no `Result`.
    fn plain<R>(&self, what: &str, f: impl FnOnce() -> R) -> Result<R, TestCaseError> {
        Ok(self.call(what, || Ok(f()))?.expect("Ok"))
    }

    fn report(&self, name: &str, cases: u32) {
        println!(
            "{name}: {cases} random configurations, {} calls, {} rejected with a typed error, \
             no panic",
            self.calls.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed)
        );
    }
}

fn check_error(what: &str, e: &Error) -> Result<(), TestCaseError> {
    let msg = e.to_string();
    prop_assert!(!msg.is_empty(), "{what}: empty message");
    match e {
        Error::InvalidConfig { field, reason } => {
            prop_assert!(!field.is_empty() && !reason.is_empty(), "{what}: {e:?}");
        }
        Error::DimensionMismatch {
            what: w,
            expected,
            found,
        } => {
            prop_assert!(
                expected != found && !w.is_empty(),
                "{what}: a mismatch with equal sizes: {e:?}"
            );
        }
        Error::Format { reason, .. } => prop_assert!(!reason.is_empty(), "{what}: {e:?}"),
        _ => {}
    }
    Ok(())
}

/// `default` cases, or `PINN_NO_PANIC_CASES` (for a longer hunt, or a debug build with
/// overflow checks).
fn cases(default: u32) -> u32 {
    std::env::var("PINN_NO_PANIC_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Numbers: mostly ordinary, often special.
fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -2.0..2.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(1e308),
        1 => Just(-5e-324),
        1 => any::<f64>(),
    ]
}

/// Sizes: mostly small, sometimes zero or absurd.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        6 => 0usize..8,
        2 => 8usize..40,
        1 => Just(usize::MAX),
        1 => Just(1usize << 62),
    ]
}

/// Small sizes only (for things that allocate what they are asked for).
fn small() -> impl Strategy<Value = usize> {
    0usize..6
}

fn activation(i: u8) -> Elementary {
    match i % 6 {
        0 => Elementary::Tanh,
        1 => Elementary::Sin,
        2 => Elementary::Sigmoid,
        3 => Elementary::Softplus,
        4 => Elementary::Exp,
        _ => Elementary::Cos,
    }
}

fn component(kind: u8, k: usize, l: usize) -> Component {
    match kind % 7 {
        0 => Component::Value,
        1 => Component::First(k),
        2 => Component::Second(k, l),
        4 => Component::Third(k, l, l),
        5 => Component::Fourth(k, k, l, l),
        6 => Component::Biharmonic,
        _ => Component::Laplacian,
    }
}

static DOMAINS: Tally = Tally::new();

#[test]
fn domains_and_samplers_never_panic() {
    let cases = cases(1500);
    let strat = (
        prop::collection::vec(num(), 0..4),
        prop::collection::vec(num(), 0..4),
        prop_oneof![8 => 0usize..50, 2 => size(), 1 => Just(1usize << 59)],
        any::<u64>(),
        0u8..9,
        prop::collection::vec(size(), 0..4),
        prop_oneof![Just(0u64), 0u64..1000, Just(u64::MAX), Just(1u64 << 32)],
        prop::collection::vec((size(), any::<bool>()), 0..5),
        (num(), num(), size()),
    );
    runner(cases)
        .run(
            &strat,
            |(lo, hi, n, seed, which, counts, skip, faces, (t0, t1, dim))| {
                let t = &DOMAINS;
                t.call("Interval::new", || {
                    Interval::new(lo[0..].first().copied().unwrap_or(0.0), t0)
                })?;
                t.call("BoxDomain::unit", || {
                    BoxDomain::unit(dim.min(5).max(dim % 7))
                })?;
                t.call("Points::new", || Points::new(lo.clone(), dim))?;
                t.call("Points::empty", || Points::empty(dim))?;
                let Some(bx) = t.call("BoxDomain::new", || BoxDomain::new(&lo, &hi))? else {
                    return Ok(());
                };
                t.call("BoxDomain::extend", || bx.extend(t0, t1))?;
                let st = t.call("SpaceTime::new", || SpaceTime::new(bx.clone(), t0, t1))?;
                let faces: Vec<Face> = faces
                    .iter()
                    .map(|&(a, s)| Face::new(a, if s { Side::Hi } else { Side::Lo }))
                    .collect();
                for f in &faces {
                    t.call("Face::normal", || f.normal(dim))?;
                }
                let boundary =
                    t.call("Boundary::new", || Boundary::new(bx.clone(), faces.clone()))?;
                let seed = Seed(seed);
                let sampler: Box<dyn Sampler> = match which {
                    0 => Box::new(Uniform),
                    1 => Box::new(LatinHypercube),
                    2 => Box::new(Halton::new().skip(skip)),
                    3 => Box::new(Halton::new().scrambled().skip(skip)),
                    4 => Box::new(Hammersley),
                    5 => Box::new(Sobol::new().skip(skip)),
                    6 => Box::new(Sobol::new().digital_shift().skip(skip)),
                    7 => Box::new(Grid::auto()),
                    _ => match t.call("Grid::per_dim", || Grid::per_dim(&counts))? {
                        Some(g) => Box::new(g),
                        None => Box::new(Grid::auto()),
                    },
                };
                t.call("Sampler::sample(box)", || sampler.sample(&bx, n, seed))?;
                if let Some(st) = &st {
                    t.call("Sampler::sample(space-time)", || {
                        sampler.sample(st, n, seed)
                    })?;
                    t.call("UniformBoundary(initial)", || {
                        UniformBoundary.sample_boundary(&st.initial_slice(), n, seed)
                    })?;
                }
                if let Some(b) = &boundary {
                    let bp = t.call("UniformBoundary", || {
                        UniformBoundary.sample_boundary(b, n, seed)
                    })?;
                    if let Some(bp) = bp {
                        let (p, nn, f) = bp.into_parts();
                        t.call("BoundaryPoints::new", || {
                            BoundaryPoints::new(p.clone(), nn.clone(), f[..f.len() / 2].to_vec())
                        })?;
                    }
                }
                if let Some(r) = t.call("Resample::every", || Resample::every(skip, seed))? {
                    t.call("Resample::draw", || r.draw(&Uniform, &bx, n, skip))?;
                }
                Ok(())
            },
        )
        .unwrap();
    DOMAINS.report("domains and samplers", cases);
}

static GRAPHS: Tally = Tally::new();

#[test]
fn graphs_networks_and_workspaces_never_panic() {
    let cases = cases(1500);
    let ops = prop::collection::vec((0u8..13, small(), small(), size(), num()), 0..7);
    let sel = (
        prop::collection::vec(small(), 0..3),
        prop::collection::vec((small(), small()), 0..3),
        any::<bool>(),
        small(),
    );
    let data = (
        prop_oneof![3 => Just(0isize), 1 => -2isize..3],
        0usize..40,
        prop::collection::vec(num(), 1..6),
        prop::collection::vec((0u8..7, small(), small()), 0..4),
        0usize..12,
    );
    let net = (
        prop::collection::vec(prop_oneof![4 => 1usize..6, 1 => size()], 0..4),
        0u8..6,
        prop::collection::vec(num(), 0..3),
        prop::collection::vec(num(), 0..3),
        prop::option::of((size(), num())),
        any::<bool>(),
        prop_oneof![4 => 1usize..3, 1 => size()],
    );
    runner(cases)
        .run(
            &(0usize..4, ops, small(), sel, data, net),
            |(
                dim,
                ops,
                out,
                (first, second, lap, sdim),
                (dtheta, npts, vals, comps, seed),
                net,
            )| {
                let t = &GRAPHS;
                // A graph from random operations on random (possibly missing) nodes.
                // Node ids from another builder: valid there, maybe missing here.
                let mut other = GraphBuilder::new(1);
                let x0 = other.input();
                let ids: Vec<NodeId> = std::iter::once(x0)
                    .chain((0..8).map(|_| other.unary(x0, Elementary::Tanh)))
                    .collect();
                let mut b = GraphBuilder::new(dim);
                let mut last = b.input();
                for (op, a, c, w, x) in ops {
                    let (a, c) = (ids[a], ids[c]);
                    last = t.plain("GraphBuilder op", || match op {
                        0 | 1 => b.dense(a, w),
                        2 => b.dense_with(a, w, false),
                        3 => b.unary(a, activation(w as u8)),
                        4 => b.add(a, c),
                        5 => b.mul(a, c),
                        6 => b.concat(a, c),
                        7 => b.scale(a, x, 1.0),
                        9 => b.dense_shared(a, w, 2, true, pinn::ad::jet::BiasInit::Zero),
                        10 => b.linear_shared(a, w, 1, &[x; 2], Some(&[x])),
                        11 => b.gather(a, &[w, 0]),
                        12 => b.scale_by_param(a, x),
                        _ => b.linear(a, w, &[x; 4], Some(&[x])),
                    })?;
                }
                let out_id = if out % 2 == 0 { last } else { ids[out] };
                let graphs = [
                    t.call("GraphBuilder::build", || b.build(out_id))?,
                    t.call("Graph::mlp", || {
                        Graph::mlp(&[dim, 3, 1 + out % 2], Elementary::Tanh)
                    })?,
                ];
                for g in graphs.into_iter().flatten() {
                    if g.n_params() > 1 << 20 {
                        continue; // an honest (if silly) request: do not allocate it
                    }
                    let theta0: Vec<f64> =
                        t.plain("init_params", || g.init_params(Seed(seed as u64)))?;
                    let mut theta = theta0.clone();
                    match dtheta {
                        d if d < 0 => theta.truncate(theta.len().saturating_sub(1)),
                        d if d > 0 => theta.push(vals[0]),
                        _ => {}
                    }
                    let x: Vec<f64> = (0..npts).map(|i| vals[i % vals.len()]).collect();
                    t.call("Graph::eval", || g.eval(&theta, &x))?;
                    t.call("Graph::check", || g.check(&theta, &x))?;
                    t.call("nets::predict", || pinn::nets::predict(&g, &theta, &x))?;
                    let mut s = Selection::new(if sdim == 0 { g.input_dim() } else { sdim });
                    for &k in &first {
                        s = s.first(k);
                    }
                    for &(k, l) in &second {
                        s = s.second(k, l);
                    }
                    if lap {
                        s = s.laplacian();
                    }
                    if seed % 3 == 1 {
                        for &(k, l) in &second {
                            s = s.third(k, l, l).fourth(k, l, k, l);
                        }
                    }
                    if seed % 4 == 1 {
                        s = s.biharmonic();
                    }
                    t.call("Selection::layout", || s.layout())?;
                    let Some(mut ws) =
                        t.call("JetWorkspace::new", || JetWorkspace::<f64>::new(&g, &s))?
                    else {
                        continue;
                    };
                    // Before any forward pass, then after.
                    for pass in 0..2 {
                        for &(kind, k, l) in &comps {
                            let c = component(kind, k, l);
                            t.call("JetWorkspace::output", || ws.output(c).map(|v| v.len()))?;
                            t.call("JetWorkspace::seed", || ws.seed(c).map(|v| v.fill(1.0)))?;
                        }
                        let mut grad = vec![0.0; theta0.len() + (seed % 2)];
                        t.call("JetWorkspace::backward", || {
                            ws.backward(&g, &theta, &mut grad)
                        })?;
                        if pass == 0 {
                            t.call("JetWorkspace::forward", || ws.forward(&g, &theta, &x))?;
                        }
                    }
                }
                // Networks from the builder.
                let (hidden, act, mu, sigma, fourier, modified, outputs) = net;
                let mut nb = NetBuilder::new(dim);
                nb = if modified {
                    nb.modified_mlp(&hidden, activation(act))
                } else {
                    nb.mlp(&hidden, activation(act))
                };
                if !mu.is_empty() || !sigma.is_empty() {
                    nb = nb.normalize(&mu, &sigma);
                }
                if let Some((m, s)) = fourier {
                    nb = nb.fourier(m, s, Seed(1));
                }
                if let Some(g) = t.call("NetBuilder::build", || nb.build(outputs))?
                    && g.n_params() < 1 << 20
                {
                    let theta: Vec<f32> = t.plain("init_params", || g.init_params(Seed(2)))?;
                    let x: Vec<f32> = (0..npts).map(|i| vals[i % vals.len()] as f32).collect();
                    t.call("nets::predict(f32)", || pinn::nets::predict(&g, &theta, &x))?;
                }
                t.call("nets::modified_mlp", || {
                    pinn::nets::modified_mlp(&hidden, activation(act))
                })?;
                Ok(())
            },
        )
        .unwrap();
    GRAPHS.report("graphs, networks and workspaces", cases);
}

static OPTIMIZERS: Tally = Tally::new();

#[test]
fn optimizers_and_their_states_never_panic() {
    let cases = cases(1500);
    let cfg = (
        num(),
        num(),
        num(),
        num(),
        size(),
        size(),
        size(),
        0u8..5,
        size(),
    );
    let state = (
        prop::collection::vec(prop_oneof![0u64..6, any::<u64>()], 0..7),
        prop::collection::vec(num(), 0..24),
    );
    runner(cases)
        .run(
            &(
                0u8..3,
                cfg,
                state,
                prop::collection::vec(num(), 0..5),
                0u8..4,
                0usize..4,
            ),
            |(
                kind,
                (a, b, c, d, k1, k2, k3, sched, k4),
                (counters, values),
                x0,
                objective,
                steps,
            )| {
                let t = &OPTIMIZERS;
                let schedule = match sched {
                    0 => Schedule::Constant,
                    1 => Schedule::Exponential {
                        gamma: d,
                        decay_steps: k4 as u64,
                    },
                    2 => Schedule::Step {
                        gamma: d,
                        step_size: k4 as u64,
                    },
                    3 => Schedule::Cosine {
                        t_max: k4 as u64,
                        min_lr: d,
                    },
                    _ => Schedule::wang2021(),
                };
                t.call("Schedule::validate", || schedule.validate())?;
                t.plain("Schedule::lr", || schedule.lr(a, k1 as u64))?;
                t.call("Schedule::exponential", || {
                    Schedule::exponential(d, k4 as u64)
                })?;
                t.call("Schedule::step", || Schedule::step(d, k4 as u64))?;
                t.call("Schedule::cosine", || Schedule::cosine(k4 as u64, d))?;
                let opt: Option<Box<dyn Optimizer<f64>>> = match kind {
                    0 => t
                        .call("Adam::new", || {
                            Adam::new(AdamConfig {
                                lr: a,
                                beta1: b,
                                beta2: c,
                                eps: d,
                                schedule,
                            })
                        })?
                        .map(|o| Box::new(o) as _),
                    1 => t
                        .call("Sgd::new", || {
                            Sgd::new(SgdConfig {
                                lr: a,
                                momentum: b,
                                nesterov: k1 % 2 == 1,
                                schedule,
                            })
                        })?
                        .map(|o| Box::new(o) as _),
                    _ => t
                        .call("Lbfgs::new", || {
                            Lbfgs::new(LbfgsConfig {
                                lr: a.abs(),
                                max_iter: k1.min(50),
                                max_eval: (k2 % 3 == 0).then_some(k2),
                                history_size: k3,
                                tolerance_grad: b,
                                tolerance_change: c.abs(),
                                c1: 1e-4,
                                c2: d.abs(),
                                max_ls: k4.min(30),
                            })
                        })?
                        .map(|o| Box::new(o) as _),
                };
                let Some(mut opt) = opt else {
                    return Ok(());
                };
                // f(x) = Σ (x_i − 1)² / 2, or one that fails.
                let mut calls = 0;
                let mut obj = |x: &[f64], g: &mut [f64]| -> pinn::Result<f64> {
                    calls += 1;
                    let mut f = 0.0;
                    for (gi, xi) in g.iter_mut().zip(x) {
                        *gi = xi - 1.0;
                        f += 0.5 * (xi - 1.0) * (xi - 1.0);
                    }
                    match objective {
                        1 if calls > 2 => Ok(f64::NAN),
                        2 if calls > 1 => {
                            g.iter_mut().for_each(|g| *g = f64::INFINITY);
                            Ok(f)
                        }
                        3 if calls > 3 => Err(Error::InvalidConfig {
                            field: "objective",
                            reason: "fails on purpose".into(),
                        }),
                        _ => Ok(f),
                    }
                };
                let mut x = x0.clone();
                for _ in 0..steps {
                    t.call("Optimizer::step", || opt.step(&mut x, &mut obj))?;
                }
                let good = t.plain("Optimizer::state", || opt.state())?;
                // A random state, then a step with it: an error or a step, never a panic.
                let random = OptimizerState { counters, values };
                for st in [&random, &good] {
                    if t.call("Optimizer::set_state", || opt.set_state(st))?
                        .is_some()
                    {
                        let mut x = x0.clone();
                        t.call("Optimizer::step after set_state", || {
                            opt.step(&mut x, &mut obj)
                        })?;
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    OPTIMIZERS.report("optimizers and states", cases);
}

/// A PDE of random shape: dimension, components, equations, coefficients; `sloppy` also reads
/// a derivative and an output it did not declare.
struct RandomPde {
    dim: usize,
    comps: Vec<Component>,
    equations: usize,
    outputs: usize,
    coefficients: Vec<f64>,
    sloppy: bool,
}

impl Pde for RandomPde {
    fn dim(&self) -> usize {
        self.dim
    }
    fn outputs(&self) -> usize {
        self.outputs
    }
    fn equations(&self) -> usize {
        self.equations
    }
    fn components(&self) -> Vec<Component> {
        self.comps.clone()
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
        let mut acc = x.iter().fold(S::zero(), |a, &xi| a + xi) - S::from_f64(0.5);
        for &comp in &self.comps {
            acc += u.get(0, comp) * S::from_f64(0.5);
        }
        if self.sloppy {
            acc += u.get(self.outputs, Component::Value) + u.d(0, self.dim);
        }
        for (q, &cq) in c.iter().enumerate() {
            acc += cq * S::from_f64(q as f64);
        }
        for (e, ri) in r.iter_mut().enumerate() {
            *ri = acc * S::from_f64(1.0 + e as f64);
        }
    }
    fn coefficients(&self) -> Vec<f64> {
        self.coefficients.clone()
    }
}

/// The faults `trainers_never_panic` injects, one per configuration (or none).
const FAULTS: [&str; 27] = [
    "pde dimension",
    "component direction",
    "no equations",
    "pde outputs",
    "term without points",
    "NaN coordinate",
    "normals length",
    "periodic partners",
    "data count",
    "term weight",
    "weight of a missing term",
    "no phase steps",
    "chunk size 0",
    "threads 0",
    "parameter count",
    "NaN parameter",
    "metric points",
    "resample every 0",
    "resample draws garbage",
    "resample a missing term",
    "condition output",
    "checkpoint_every 0",
    "undeclared derivative",
    "NaN data value",
    "Robin coefficient",
    "NaN boundary value",
    "derivative direction",
];

/// Faults that every configuration must refuse at build time.
const BUILD_ERRORS: [&str; 13] = [
    "pde dimension",
    "pde outputs",
    "term without points",
    "NaN coordinate",
    "term weight",
    "weight of a missing term",
    "no phase steps",
    "chunk size 0",
    "threads 0",
    "parameter count",
    "NaN parameter",
    "resample a missing term",
    "derivative direction",
];

static TRAINERS: Tally = Tally::new();
static TRAINER_RUNS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn trainers_never_panic() {
    let cases = cases(800);
    let term = (
        0u8..9,
        1usize..12,
        prop::collection::vec(-1.0..1.0f64, 1..5),
        0.0..3.0f64,
    );
    let strat = (
        1usize..4,
        0usize..45, // a fault below FAULTS.len(), none above
        prop::collection::vec((0u8..4, 0usize..4, 0usize..4), 0..4),
        prop::collection::vec(num(), 0..2),
        prop::collection::vec(term, 1..4),
        prop::collection::vec((0u8..3, 1usize..4), 1..3),
        (1usize..20, 1usize..3, any::<u64>(), num()),
        (
            prop::option::of((1usize..4, 1usize..3)),
            prop::option::of(1usize..4),
            prop::option::of(1usize..3),
        ),
    );
    runner(cases)
        .run(
            &strat,
            |(d, fault, comps, coefficients, terms, phases, (chunk, threads, seed, bad), opts)| {
                let t = &TRAINERS;
                let f = |name: &str| FAULTS.get(fault) == Some(&name);
                let (metric, resample, autosave) = opts;
                let net = NetBuilder::new(d)
                    .mlp(&[3], Elementary::Tanh)
                    .build(1)
                    .unwrap();
                let coefficients: Vec<f64> = coefficients
                    .iter()
                    .map(|c| if c.is_finite() { *c } else { 0.5 })
                    .collect();
                let pde = RandomPde {
                    dim: if f("pde dimension") { d + 1 } else { d },
                    comps: comps
                        .iter()
                        .map(|&(k, a, b)| {
                            let m = if f("component direction") { d + 3 } else { d };
                            component(k, a % m, b % m)
                        })
                        .collect(),
                    equations: usize::from(!f("no equations")) * (1 + seed as usize % 2),
                    outputs: if f("pde outputs") { 2 } else { 1 },
                    coefficients: coefficients.clone(),
                    sloppy: f("undeclared derivative"),
                };
                let mut b = Trainer::<_, f64>::builder(net, pde)
                    .chunk_size(if f("chunk size 0") { 0 } else { chunk })
                    .threads(if f("threads 0") { 0 } else { threads })
                    .seed(Seed(seed));
                let mut names = Vec::new();
                let n_terms = terms.len();
                for (i, (kind, n, vals, weight)) in terms.into_iter().enumerate() {
                    let last = i + 1 == n_terms;
                    let n = if last && f("term without points") {
                        0
                    } else {
                        n
                    };
                    let mut pts: Vec<f64> = (0..n * d).map(|j| vals[j % vals.len()]).collect();
                    if last && f("NaN coordinate") && !pts.is_empty() {
                        pts[0] = bad_or(bad, f64::NAN);
                    }
                    let output = usize::from(last && f("condition output"));
                    let mut data: Vec<f64> = (0..n).map(|j| vals[j % vals.len()]).collect();
                    if last && f("data count") {
                        data.push(0.0);
                    }
                    if last && f("NaN data value") && !data.is_empty() {
                        data[0] = bad_or(bad, f64::INFINITY);
                    }
                    let alpha = if last && f("Robin coefficient") {
                        bad_or(bad, f64::NAN)
                    } else {
                        1.0
                    };
                    let nan_g = last && f("NaN boundary value");
                    // A derivative condition: random directions below d, or one at d + n
                    // or beyond (the fault).
                    let bad_dir = last && f("derivative direction");
                    let derivative = if bad_dir {
                        component([1u8, 2, 4, 5][n % 4], d + n, 0)
                    } else {
                        component(n as u8, n % d, i % d)
                    };
                    let kind = if bad_dir { 8 } else { kind };
                    let kind = match kind {
                        0 => TermKind::Pde,
                        1 => TermKind::Condition(Condition::dirichlet(output, move |x| {
                            if nan_g { f64::NAN } else { x[0] }
                        })),
                        2 => TermKind::Condition(Condition::neumann(output, |_| 0.0)),
                        3 => TermKind::Condition(Condition::robin(output, alpha, 1.0, |_| 1.0)),
                        4 => TermKind::Condition(Condition::Periodic { output }),
                        5 => TermKind::Condition(Condition::initial_rate(output, |_| 0.0)),
                        6 => TermKind::Condition(Condition::data(output, &data)),
                        7 => TermKind::Condition(Condition::initial(output, |x| x[0] * x[0])),
                        _ => {
                            TermKind::Condition(Condition::derivative(output, derivative, |x| x[0]))
                        }
                    };
                    let needs_normals = matches!(
                        &kind,
                        TermKind::Condition(c) if c.needs_normals()
                    );
                    let mut normals = if needs_normals {
                        vec![1.0; pts.len()]
                    } else {
                        vec![]
                    };
                    if last && f("normals length") {
                        normals.push(1.0);
                    }
                    let periodic = matches!(kind, TermKind::Condition(Condition::Periodic { .. }));
                    let partners = if periodic && !(last && f("periodic partners")) {
                        pts.iter().map(|x| 1.0 - x).collect()
                    } else {
                        vec![]
                    };
                    let name = format!("t{i}");
                    let id = b.add_term(Term {
                        name: name.clone(),
                        kind,
                        weight: 1.0,
                        points: pts,
                        normals,
                        partners,
                    });
                    let w = if last && f("term weight") {
                        bad_or(bad, -1.0)
                    } else {
                        weight
                    };
                    b = b.weight(id, w);
                    names.push(id);
                }
                if f("weight of a missing term") {
                    b = b.weight(missing_term(), 1.0);
                }
                for (k, steps) in phases {
                    let steps = if f("no phase steps") { 0 } else { steps };
                    b = match k {
                        0 => b.phase("adam", steps, Adam::with_lr(1e-2).unwrap()),
                        1 => b.phase("sgd", steps, Sgd::new(SgdConfig::default()).unwrap()),
                        _ => {
                            let c = LbfgsConfig {
                                max_iter: 3,
                                ..LbfgsConfig::default()
                            };
                            b.phase("lbfgs", steps, Lbfgs::new(c).unwrap())
                        }
                    };
                }
                let n_params = 3 * d + 3 + 3 + 1 + coefficients.len();
                if f("parameter count") {
                    b = b.params(vec![0.1; n_params + 1]);
                } else if f("NaN parameter") {
                    let mut p = vec![0.1; n_params];
                    p[0] = bad_or(bad, f64::NAN);
                    b = b.params(p);
                } else if seed % 3 == 0 {
                    b = b.params(vec![0.1; n_params]);
                }
                if let Some((np, every)) = metric {
                    let extra = usize::from(f("metric points"));
                    b = b.metrics(vec![0.5; np * d + extra], vec![0.0; np], every);
                }
                let target = names[0];
                if f("resample a missing term") {
                    b = b.resample(missing_term(), 1, |_| Ok((vec![], vec![])));
                } else if let Some(every) = resample {
                    let every = if f("resample every 0") { 0 } else { every };
                    let garbage = f("resample draws garbage");
                    b = b.resample(target, every, move |seed| {
                        let n = 1 + (seed.0 % 5) as usize;
                        let mut rng = seed.rng();
                        let mut pts: Vec<f64> =
                            (0..n * d).map(|_| pinn::rng::uniform(&mut rng)).collect();
                        if garbage {
                            pts.push(f64::NAN);
                        }
                        Ok((pts, vec![]))
                    });
                }
                let dir = common::scratch("no-panic");
                let path = dir.join(format!("{seed}.ckpt"));
                if let Some(every) = autosave {
                    let every = if f("checkpoint_every 0") { 0 } else { every };
                    b = b.checkpoint_every(every, &path);
                }
                let built = t.call("TrainerBuilder::build", || b.build())?;
                if BUILD_ERRORS.iter().any(|e| f(e)) {
                    prop_assert!(built.is_none(), "{} was accepted", FAULTS[fault]);
                }
                let Some(mut trainer) = built else {
                    std::fs::remove_dir_all(&dir).ok();
                    return Ok(());
                };
                TRAINER_RUNS.fetch_add(1, Ordering::Relaxed);
                t.call("Trainer::run_steps", || trainer.run_steps(2))?;
                t.call("Trainer::run", || trainer.run())?;
                t.call("Trainer::predict", || trainer.predict(&[0.5; 3]))?;
                let bx = BoxDomain::unit(d).unwrap();
                t.call("Trainer::predict_grid", || {
                    trainer.predict_grid(&bx, &vec![3; d])
                })?;
                // Checkpoints: round trip, then restore damaged ones.
                let c = t.plain("Trainer::checkpoint", || trainer.checkpoint())?;
                let bytes = c.to_bytes();
                let back = t.call("Checkpoint::from_bytes", || {
                    Checkpoint::<f64>::from_bytes(&bytes)
                })?;
                prop_assert_eq!(back.as_ref(), Some(&c));
                t.call("Trainer::restore", || trainer.restore(&c))?;
                let mut damaged = c.clone();
                damaged.step = usize::MAX;
                damaged.phases.iter_mut().for_each(|p| p.done = usize::MAX);
                for term in &mut damaged.terms {
                    term.points.push(0.25);
                    term.residuals.push(1.0);
                }
                t.call("Trainer::restore(damaged)", || trainer.restore(&damaged))?;
                prop_assert_eq!(
                    &trainer.checkpoint(),
                    &c,
                    "a failed restore changed the trainer"
                );
                damaged.terms = c.terms.clone();
                t.call("Trainer::restore(step MAX)", || trainer.restore(&damaged))?;
                t.call("Trainer::run after restore", || trainer.run_steps(1))?;
                t.call("Trainer::save_checkpoint", || {
                    trainer.save_checkpoint(&path)
                })?;
                t.call("Trainer::load_checkpoint", || {
                    trainer.load_checkpoint(&path)
                })?;
                std::fs::remove_dir_all(&dir).ok();
                Ok(())
            },
        )
        .unwrap();
    TRAINERS.report("trainers", cases);
    println!(
        "trainers: {} of {cases} configurations built and ran",
        TRAINER_RUNS.load(Ordering::Relaxed)
    );
}

/// A non-finite `x` as it is, else `fallback`.
fn bad_or(x: f64, fallback: f64) -> f64 {
    if x.is_finite() { fallback } else { x }
}

static FILES: Tally = Tally::new();

/// A problem's reference solution at a point.
type Reference = Box<dyn Fn(&[f64]) -> pinn::Result<Vec<f64>>>;

#[test]
fn files_exports_conditions_and_problems_never_panic() {
    use pinn::pde::problems::{
        Beam, BeamSupport, Burgers, CavityOptions, CavitySolution, Convection, DampedOscillator,
        GaussHermite, Heat1D, Helmholtz2D, Kdv, KuramotoSivashinsky, Poisson1D, Poisson2D,
        PoissonND, Problem, Reaction, SineOde, Wave,
    };
    use pinn::train::export::{csv_string, npy_bytes, parse_csv};
    let cases = cases(1500);
    let valid = {
        let mut c = Checkpoint::<f64> {
            seed: Seed(1),
            step: 2,
            chunk_size: 4,
            params: vec![0.5, 1.5],
            phases: vec![],
            strategies: vec![],
            terms: vec![],
            coefficients: vec!["nu".into()],
        };
        c.phases.push(pinn::train::PhaseCheckpoint {
            name: "adam".into(),
            optimizer: "adam".into(),
            steps: 3,
            done: 2,
            state: OptimizerState {
                counters: vec![2],
                values: vec![0.1; 4],
            },
        });
        c.to_bytes()
    };
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (0usize..200, any::<u8>(), 0usize..200).prop_map(move |(i, v, cut)| {
            let mut b = valid.clone();
            let i = i % b.len();
            b[i] = v;
            b.truncate(b.len() - cut % b.len());
            b
        }),
    ];
    let cond = (
        0u8..8,
        prop::collection::vec(num(), 0..4),
        size(),
        prop::collection::vec(num(), 0..4),
        prop::collection::vec((0u8..4, small(), small()), 0..4),
        prop::collection::vec(num(), 0..6),
    );
    runner(cases)
        .run(
            &(
                bytes,
                prop::collection::vec(size(), 0..4),
                prop::collection::vec("[a-z,\"\n]{0,4}", 0..4),
                "[0-9a-z,.\"\\-\n]{0,40}",
                cond,
                (num(), num(), num(), size()),
            ),
            |(bytes, shape, header, text, cond, (p1, p2, p3, n))| {
                let t = &FILES;
                t.call("Checkpoint::<f64>::from_bytes", || {
                    Checkpoint::<f64>::from_bytes(&bytes)
                })?;
                t.call("Checkpoint::<f32>::from_bytes", || {
                    Checkpoint::<f32>::from_bytes(&bytes)
                })?;
                t.call("params::from_bytes", || {
                    pinn::nets::params::from_bytes::<f64>(&bytes)
                })?;
                let len = shape
                    .iter()
                    .try_fold(1usize, |a, &s| a.checked_mul(s))
                    .unwrap_or(0);
                let data = vec![1.0f64; len.min(64)];
                t.call("npy_bytes", || npy_bytes(&data, &shape))?;
                let h: Vec<&str> = header.iter().map(String::as_str).collect();
                t.call("csv_string", || csv_string(&h, &data))?;
                t.call("parse_csv", || parse_csv(&text))?;
                // Conditions and fields on inconsistent inputs.
                let (kind, x, index, normal, comps, vals) = cond;
                let c = match kind {
                    0 => Condition::dirichlet(index % 3, |x| x.first().copied().unwrap_or(0.0)),
                    1 => Condition::neumann(index % 3, |_| 0.0),
                    2 => Condition::robin(0, p1, p2, |_| 0.0),
                    3 => Condition::initial_rate(index % 3, |_| 0.0),
                    4 => Condition::data(0, &vals),
                    5 => Condition::Periodic { output: 0 },
                    6 => Condition::initial(0, |_| 1.0),
                    _ => Condition::derivative(
                        index % 3,
                        comps
                            .first()
                            .map_or(Component::Fourth(index, 0, 0, index), |&(k, a, b)| {
                                component(k, a, b)
                            }),
                        |_| 0.0,
                    ),
                };
                let comps: Vec<Component> =
                    comps.iter().map(|&(k, a, b)| component(k, a, b)).collect();
                let missing = std::cell::Cell::new(None);
                let fields = Fields::new(&comps, 1 + index % 2, &vals, &missing);
                t.plain("Condition::components", || c.components(x.len()))?;
                t.plain("Condition::residual", || {
                    c.residual(&x, index, &normal, &fields)
                })?;
                t.plain("Fields::get", || {
                    fields.get(index % 3, Component::First(index % 4))
                })?;
                // The problem catalog with random parameters, points and regions.
                let d = n % 5;
                let problems: Vec<pinn::Result<Reference>> = vec![
                    Poisson1D::new(p1).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Ok(Box::new(|x: &[f64]| Poisson2D::new().reference(x))),
                    PoissonND::new(d).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Helmholtz2D::new(p1, p2, p3)
                        .map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Heat1D::new(p1).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Convection::new(p1).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Reaction::new(p1).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Wave::new(p1, 3.0).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Burgers::new(p1.abs() * 0.1)
                        .map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    DampedOscillator::new(p1, p2, p3)
                        .map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    SineOde::new(p1).map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Ok(Box::new(move |x: &[f64]| {
                        Beam::new(match n % 3 {
                            0 => BeamSupport::Clamped,
                            1 => BeamSupport::SimplySupported,
                            _ => BeamSupport::Cantilever,
                        })
                        .reference(x)
                    })),
                    KuramotoSivashinsky::new(p1, p2, p3, p1)
                        .map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    Kdv::new([p1, p2], [p3, p1])
                        .map(|p| Box::new(move |x: &[f64]| p.reference(x)) as _),
                    // The cavity's velocity on a coarse grid (the pseudo-time march itself
                    // with out-of-range settings: an error, never a panic).
                    CavitySolution::solve(
                        p1,
                        &CavityOptions {
                            cells: 8,
                            dt: Some(p2.abs()),
                            tolerance: 1e-6,
                            max_steps: 200,
                        },
                    )
                    .map(|s| {
                        Box::new(move |x: &[f64]| {
                            let at = |k: usize| x.get(k).copied().unwrap_or(0.5);
                            s.velocity(at(0), at(1)).map(|v| v.to_vec())
                        }) as _
                    }),
                ];
                for (i, p) in problems.into_iter().enumerate() {
                    let p = t.call("Problem::new", || p)?;
                    if let Some(p) = p {
                        let x: Vec<f64> = x.iter().map(|v| v.clamp(-1.0, 1.0)).collect();
                        t.call(&format!("Problem::reference #{i}"), || p(&x))?;
                    }
                }
                t.call("GaussHermite::new", || GaussHermite::new(n))?;
                let poisson = Poisson2D::new();
                let regions = [
                    pinn::pde::problems::Region::Interior,
                    pinn::pde::problems::Region::Face {
                        axis: index,
                        side: pinn::pde::problems::Side::Lo,
                    },
                    pinn::pde::problems::Region::AllSpatialFaces,
                    pinn::pde::problems::Region::Initial,
                    pinn::pde::problems::Region::PeriodicPair { axis: index },
                    pinn::pde::problems::Region::Points(x.clone()),
                ];
                for r in &regions {
                    let mut k = 0u64;
                    t.call("Problem::sample_region", || {
                        poisson.sample_region(r, n.min(50), || {
                            k += 1;
                            [0.5, p1, 0.0, 1.0][(k % 4) as usize]
                        })
                    })?;
                    t.call("Problem::grid_region", || poisson.grid_region(r, n.min(9)))?;
                    t.call("Region::grid", || {
                        r.grid(&x, &normal, index % 2 == 0, n.min(9))
                    })?;
                }
                Ok(())
            },
        )
        .unwrap();
    FILES.report("files, exports, conditions and problems", cases);
}

/// A handle no configuration here has: the 100th term of another builder.
fn missing_term() -> pinn::train::TermId {
    let net = Graph::mlp(&[1, 1], Elementary::Tanh).unwrap();
    let mut b = Trainer::<_, f64>::builder(net, pinn::pde::problems::Poisson1D::default());
    (0..100)
        .map(|_| b.add_pde_points(vec![0.5]))
        .last()
        .unwrap()
}
