//! The GPU path (feature `wgpu`) against the CPU engine: every output of a forward pass and
//! every parameter-gradient entry of a backward pass of `GpuGraph` matches the `Graph` it was
//! made from — f32 to a relative 1e-5, f64 to 1e-12 (`|gpu − cpu|∞ / max(|cpu|∞, 1)`) — on
//! random networks with two outputs, the modified MLP with both gates (with and without an
//! input normalisation), a sin MLP, random Fourier features, a periodic embedding, and the
//! networks of
//! `benches/cases` at reduced point counts; a short training run ends at the CPU run's loss; the device gives the same bits
//! twice; θ and points the device already holds are not uploaded again; and what it cannot
//! run is a typed error.
//!
//! Without an adapter every test prints why and passes, unless `PINN_GPU_REQUIRED` is set
//! (`.ci/run` sets it, after installing Mesa's software Vulkan driver): then a missing adapter
//! is a failure.
#![cfg(feature = "wgpu")]

mod common;

use std::sync::{Arc, OnceLock};

use common::jets::random_vec;
use pinn::Error;
use pinn::ad::jet::{Component, Graph, GraphBuilder};
use pinn::ad::{Elementary, Real};
use pinn::gpu::{GpuContext, GpuGraph};
use pinn::model::{Batch, Model};
use pinn::rng::Seed;

/// The shared device, or `None` (with the reason printed) when there is none and it is not
/// required.
fn context() -> Option<Arc<GpuContext>> {
    static CTX: OnceLock<Result<Arc<GpuContext>, Error>> = OnceLock::new();
    match CTX.get_or_init(GpuContext::new) {
        Ok(c) => Some(c.clone()),
        Err(e) if std::env::var_os("PINN_GPU_REQUIRED").is_some() => {
            panic!("PINN_GPU_REQUIRED is set, but: {e}")
        }
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// `|a − b|∞ / max(|b|∞, 1)`.
fn rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1f64, |m, v| m.max(v.abs()));
    a.iter().zip(b).fold(0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// Forward values and the gradient of random seeds, on the device and on the CPU; returns the
/// two relative errors.
fn compare<T: Real>(graph: &Graph, comps: &[Component], n: usize, seed: u64) -> Option<(f64, f64)> {
    let ctx = context()?;
    if T::NAME == "f64" && !ctx.supports_f64() {
        eprintln!("skipped: {} has no f64 in shaders", ctx.adapter());
        return None;
    }
    let gpu = GpuGraph::new(&ctx, graph.clone()).unwrap();
    // The initialisation, moved by up to 0.05 so that no parameter is zero (biases, and the
    // gate biases of the modified MLP, start at zero).
    let init: Vec<f64> = Model::<f64>::init_params(graph, Seed(seed));
    let theta: Vec<T> = random_vec(Seed(seed + 3), init.len(), -0.05, 0.05)
        .iter()
        .zip(&init)
        .map(|(e, t)| T::from_f64(t + e))
        .collect();
    let (d, m, c) = (graph.input_dim(), graph.output_dim(), comps.len());
    let points: Vec<T> = random_vec(Seed(seed + 1), n * d, -1.0, 1.0)
        .into_iter()
        .map(T::from_f64)
        .collect();
    let seeds: Vec<T> = random_vec(Seed(seed + 2), n * c * m, -1.0, 1.0)
        .into_iter()
        .map(T::from_f64)
        .collect();
    let batch = Batch::new(&points);
    let run = |model: &dyn Fn(&mut Vec<T>, &mut Vec<T>)| {
        let (mut v, mut g) = (vec![T::zero(); n * c * m], vec![T::zero(); theta.len()]);
        model(&mut v, &mut g);
        let f = |x: Vec<T>| x.iter().map(|v| v.to_f64()).collect::<Vec<f64>>();
        (f(v), f(g))
    };
    let cpu = run(&|v, g| {
        let mut ws = Model::<T>::workspace(graph, comps).unwrap();
        graph.forward(&mut ws, &theta, &batch, v).unwrap();
        graph.backward(&mut ws, &theta, &seeds, g).unwrap();
    });
    let dev = run(&|v, g| {
        let mut ws = Model::<T>::workspace(&gpu, comps).unwrap();
        gpu.forward(&mut ws, &theta, &batch, v).unwrap();
        gpu.backward(&mut ws, &theta, &seeds, g).unwrap();
    });
    // Run twice on the device: the same bits.
    let again = run(&|v, g| {
        let mut ws = Model::<T>::workspace(&gpu, comps).unwrap();
        gpu.forward(&mut ws, &theta, &batch, v).unwrap();
        gpu.backward(&mut ws, &theta, &seeds, g).unwrap();
    });
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&dev.0), bits(&again.0), "values twice");
    assert_eq!(bits(&dev.1), bits(&again.1), "gradient twice");
    Some((rel(&dev.0, &cpu.0), rel(&dev.1, &cpu.1)))
}

fn check<T: Real>(what: &str, widths: &[usize], comps: &[Component], n: usize) {
    check_graph::<T>(
        what,
        &Graph::mlp(widths, Elementary::Tanh).unwrap(),
        comps,
        n,
    );
}

fn check_graph<T: Real>(what: &str, graph: &Graph, comps: &[Component], n: usize) {
    let tol = if T::NAME == "f64" { 1e-12 } else { 1e-5 };
    if let Some((v, g)) = compare::<T>(graph, comps, n, 7) {
        eprintln!("{what} {}: values {v:.1e}, gradient {g:.1e}", T::NAME);
        assert!(v <= tol, "{what} {}: values off by {v:.2e}", T::NAME);
        assert!(g <= tol, "{what} {}: gradient off by {g:.2e}", T::NAME);
    }
}

const ALL: [Component; 7] = [
    Component::Value,
    Component::First(0),
    Component::First(1),
    Component::Second(0, 0),
    Component::Second(1, 0),
    Component::Second(1, 1),
    Component::Laplacian,
];

#[test]
fn every_component_and_the_gradient_match_the_cpu() {
    for comps in [
        &ALL[..],
        &ALL[..1],
        &[Component::Laplacian],
        &[Component::First(1)],
    ] {
        check::<f64>("2-16-16-2", &[2, 16, 16, 2], comps, 37);
        check::<f32>("2-16-16-2", &[2, 16, 16, 2], comps, 37);
    }
    // Three inputs, second derivatives in the middle of the list.
    let comps = [
        Component::Second(2, 0),
        Component::Value,
        Component::Laplacian,
        Component::First(2),
    ];
    check::<f64>("3-8-1", &[3, 8, 1], &comps, 20);
}

/// The modified MLP of Wang, Teng & Perdikaris, with both gates: products, sums, `1 − z`,
/// dense layers without bias and a trainable bias vector, on the device.
#[test]
fn the_modified_mlp_matches_the_cpu() {
    use pinn::nets::{Gate, NetBuilder};
    for gate in [Gate::Complement, Gate::Shifted] {
        let net = NetBuilder::new(2)
            .modified_mlp_gated(&[16, 16], Elementary::Tanh, gate)
            .build(2)
            .unwrap();
        // With Wang et al.'s input normalisation: a constant layer first.
        let normalised = NetBuilder::new(2)
            .normalize(&[0.5, -0.2], &[0.29, 0.6])
            .modified_mlp_gated(&[16, 16], Elementary::Tanh, gate)
            .build(1)
            .unwrap();
        let what = format!("normalised modified MLP ({gate:?})");
        check_graph::<f64>(&what, &normalised, &ALL, 23);
        check_graph::<f32>(&what, &normalised, &ALL, 23);
        let what = format!("modified MLP ({gate:?})");
        check_graph::<f64>(&what, &net, &ALL, 23);
        check_graph::<f32>(&what, &net, &ALL, 23);
        check_graph::<f64>(&what, &net, &[Component::Laplacian, Component::Value], 23);
    }
}

/// `sin` and `cos` on the device: a sin MLP, random Fourier features (a constant projection,
/// `cos` and `sin`, a concatenation) and a periodic embedding in front of the modified MLP.
#[test]
fn sin_cos_fourier_features_and_periodic_embeddings_match_the_cpu() {
    use pinn::nets::NetBuilder;
    let sin = Graph::mlp(&[2, 16, 16, 1], Elementary::Sin).unwrap();
    check_graph::<f64>("sin MLP", &sin, &ALL, 23);
    check_graph::<f32>("sin MLP", &sin, &ALL, 23);
    let fourier = NetBuilder::new(2)
        .fourier(8, 2.0, Seed(3))
        .mlp(&[16, 16], Elementary::Tanh)
        .build(1)
        .unwrap();
    check_graph::<f64>("Fourier features", &fourier, &ALL, 23);
    check_graph::<f32>("Fourier features", &fourier, &ALL, 23);
    let periodic = NetBuilder::new(2)
        .periodic_embedding(0, 2.0, 4)
        .modified_mlp(&[16, 16], Elementary::Tanh)
        .build(1)
        .unwrap();
    check_graph::<f64>("periodic embedding", &periodic, &ALL, 23);
    check_graph::<f32>("periodic embedding", &periodic, &ALL, 23);
}

#[test]
fn the_benchmark_networks_match_the_cpu() {
    let lap = [Component::Laplacian];
    let burgers = [
        Component::Value,
        Component::First(0),
        Component::First(1),
        Component::Second(0, 0),
    ];
    let wave = [Component::Second(0, 0), Component::Second(1, 1)];
    for (name, widths, comps, n) in [
        ("poisson2d", &[2, 64, 64, 64, 64, 1][..], &lap[..], 64),
        ("burgers", &[2, 50, 50, 50, 50, 1], &burgers, 64),
        ("poisson_hd10", &[10, 128, 128, 128, 1], &lap, 32),
        ("wave_wide", &[2, 512, 512, 512, 1], &wave, 8),
    ] {
        check::<f64>(name, widths, comps, n);
        check::<f32>(name, widths, comps, n);
    }
}

#[test]
fn a_short_training_run_ends_at_the_cpu_loss() {
    use pinn::optim::Adam;
    use pinn::pde::Condition;
    use pinn::pde::problems::Poisson1D;
    use pinn::train::Trainer;
    let Some(ctx) = context() else { return };
    fn train<T: Real, M: Model<T>>(net: M) -> f64 {
        let mut t = Trainer::<_, T, M>::builder(net, Poisson1D::new(2.0).unwrap())
            .pde_points(common::grid(50))
            .condition(
                "boundary",
                Condition::dirichlet(0, |x| (2.0 * x[0]).sin()),
                vec![0.0, 1.0],
            )
            .phase("adam", 30, Adam::with_lr(1e-2).unwrap())
            .chunk_size(16)
            .threads(1)
            .build()
            .unwrap();
        let r = t.run().unwrap();
        r.history.last().unwrap().loss.to_f64()
    }
    let graph = Graph::mlp(&[1, 12, 12, 1], Elementary::Tanh).unwrap();
    let gpu = || GpuGraph::new(&ctx, graph.clone()).unwrap();
    let (cpu, dev) = (train::<f32, _>(graph.clone()), train::<f32, _>(gpu()));
    eprintln!("30 Adam steps, f32: CPU loss {cpu:.6e}, GPU loss {dev:.6e}");
    assert!((dev - cpu).abs() <= 1e-4 * cpu.abs(), "f32: {dev} vs {cpu}");
    if ctx.supports_f64() {
        let (cpu, dev) = (train::<f64, _>(graph.clone()), train::<f64, _>(gpu()));
        eprintln!("30 Adam steps, f64: CPU loss {cpu:.15e}, GPU loss {dev:.15e}");
        assert!(
            (dev - cpu).abs() <= 1e-10 * cpu.abs(),
            "f64: {dev} vs {cpu}"
        );
    }
}

/// θ and the points stay on the device while they do not change: a second forward pass with
/// the same θ and points uploads nothing and gives the same bits; a new θ uploads exactly θ;
/// new points exactly the points.
#[test]
fn unchanged_parameters_and_points_are_not_uploaded_again() {
    let Some(ctx) = context() else { return };
    let graph = Graph::mlp(&[2, 8, 8, 1], Elementary::Tanh).unwrap();
    let gpu = GpuGraph::new(&ctx, graph.clone()).unwrap();
    let comps = [Component::Value, Component::Laplacian];
    let n = 10;
    let theta: Vec<f32> = Model::<f32>::init_params(&graph, Seed(4));
    let other: Vec<f32> = theta.iter().map(|t| t * 0.5).collect();
    let pts: Vec<f32> = random_vec(Seed(5), 2 * n, -1.0, 1.0)
        .into_iter()
        .map(|x| x as f32)
        .collect();
    let moved: Vec<f32> = pts.iter().map(|x| x * 0.5).collect();
    let mut ws = Model::<f32>::workspace(&gpu, &comps).unwrap();
    let (tb, pb) = (4 * theta.len() as u64, 4 * pts.len() as u64);
    let mut forward = |th: &[f32], p: &[f32]| {
        let mut v = vec![0f32; n * comps.len()];
        gpu.forward(&mut ws, th, &Batch::new(p), &mut v).unwrap();
        (
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            ws.uploads(),
        )
    };
    let (first, up) = forward(&theta, &pts);
    assert_eq!(up, (tb + pb, 0), "the first pass uploads θ and the points");
    let (again, up) = forward(&theta, &pts);
    assert_eq!(again, first, "the same bits from the resident copies");
    assert_eq!(up, (tb + pb, tb + pb), "nothing uploaded the second time");
    let (_, up) = forward(&other, &pts);
    assert_eq!(up, (2 * tb + pb, tb + 2 * pb), "a new θ: θ alone");
    let (_, up) = forward(&other, &moved);
    assert_eq!(
        up,
        (2 * tb + 2 * pb, 2 * tb + 2 * pb),
        "new points: the points alone"
    );
    let (back, _) = forward(&theta, &pts);
    assert_eq!(
        back, first,
        "back to the first θ and points: the first bits"
    );
}

#[test]
fn what_the_device_cannot_run_is_a_typed_error() {
    let Some(ctx) = context() else { return };
    // An activation the device does not compute.
    let sigmoid = Graph::mlp(&[2, 8, 1], Elementary::Sigmoid).unwrap();
    assert!(matches!(
        GpuGraph::new(&ctx, sigmoid),
        Err(Error::InvalidConfig {
            field: "gpu.graph",
            ..
        })
    ));
    // A gather (a coordinate selection) and a trainable scale.
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    let h = b.gather(x, &[1, 0]);
    let out = b.dense(h, 1);
    let e = GpuGraph::new(&ctx, b.build(out).unwrap()).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidConfig { reason, .. } if reason.contains("node 1")),
        "{e}"
    );
    let mut b = GraphBuilder::new(2);
    let x = b.input();
    let h = b.dense(x, 4);
    let h = b.scale_by_param(h, 1.0);
    let out = b.dense(h, 1);
    assert!(GpuGraph::new(&ctx, b.build(out).unwrap()).is_err());
    // A component it does not compute.
    let net = GpuGraph::new(&ctx, Graph::mlp(&[2, 8, 1], Elementary::Tanh).unwrap()).unwrap();
    let third = Model::<f32>::workspace(&net, &[Component::Third(0, 0, 0)]);
    assert!(matches!(
        third,
        Err(Error::InvalidConfig {
            field: "gpu.components",
            ..
        })
    ));
    let outside = Model::<f32>::workspace(&net, &[Component::First(2)]);
    assert!(outside.is_err());
}
