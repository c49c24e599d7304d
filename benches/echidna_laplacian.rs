//! The Laplacian of a tanh MLP `N-256-256-256-1` (f64), and its gradient with respect to the
//! parameters `θ`, by our jets and by the `echidna` crate (0.15, features `stde` = `bytecode` +
//! `taylor`), on the same network, the same `θ` and the same points; `N = 100` and `N = 1000`.
//!
//! - **pinn, exact**: [`JetWorkspace`] with `Selection::new(N).laplacian()` (the forward
//!   Laplacian aggregate), `forward` on the batch; with `grad`, then `backward` with seed 1 on
//!   every point's `Δu` (the θ-gradient of `Σ_p Δu(x_p)`).
//! - **pinn, stde16**: [`ProbedLaplacian`] with 16 Rademacher probes per point through the
//!   [`Model`] trait (`workspace(&[Component::Laplacian])`, `forward`, `backward` with ones).
//! - **echidna, exact**: the network recorded once into a `BytecodeTape` (weights as tape
//!   constants), then per point `stde::hessian_diagonal_with_buf` (one `Taylor<f64, 3>` sweep
//!   per coordinate axis, `∂²u/∂x_j² = 2·c₂`), summed.
//! - **echidna, stde16**: per point `stde::laplacian` (Hutchinson: one `Taylor<f64, 3>` sweep
//!   per direction) with 16 Rademacher directions.
//! - **echidna, grad**: echidna has no function for the θ-gradient of a Laplacian. It has the
//!   pieces: a second tape recorded with inputs `[x; θ]`, and `BytecodeTape::taylor_grad::<3>`
//!   (a `Taylor<f64, 3>` forward sweep along `v`, then a reverse sweep of Taylor-valued
//!   adjoints), whose adjoint of `θ_j` is the Taylor series of `∂u/∂θ_j(x + t v)`: its `t²`
//!   coefficient is `½ ∂(vᵀ H v)/∂θ_j`. With `v = e_i` for every axis (exact) or the 16 probes
//!   (stde16, mean), `2·c₂` summed gives the θ-gradient. Each call also returns the adjoints
//!   of all `N + |θ|` inputs (a copy that is part of the API's cost).
//!
//! For a batch of 100 points echidna loops over the points (its CPU batch APIs are
//! `gradient_batch` and, with `parallel`, `hessian_batch_par`; no batched Taylor sweep). Its per-point work is independent
//! of the batch, so when 100 points would take longer than a cap (20 s; 1 s with `--quick`)
//! only the first `points_timed` of them are timed and `median_ms` is scaled by
//! `batch / points_timed` (`points_timed` is in every line).
//!
//! **Timing.** `std::time::Instant`; a first call (discarded unless it alone exceeds the
//! budget), then as many calls as fit in ~2 s (at most 1000; `--quick`: 0.2 s, at most 5);
//! the median is printed. Single-threaded throughout: our jet engine has no parallelism (rayon
//! is used only by the trainer's assembly, not reached here; nalgebra's matrixmultiply is built
//! without its `threading` feature), and echidna is built without its `parallel` feature, so
//! there is no thread pool to size.
//!
//! **Checks.** Before timing: the echidna-side forward function (written here from the same
//! `θ`, read with `Graph`'s layout: per dense layer `W` column-major `n_out × n_in`, then `b`)
//! against `Graph::eval` (to 1e-12), and both 16-probe estimators against the exact Laplacian
//! on 8 points (printed; the mean error must be within 5 standard errors). Each echidna case's
//! first call, before its remaining repetitions and its line: the exact Laplacian and the
//! exact θ-gradient against ours on the points that call ran (to 1e-10 relative), and the
//! 16-probe estimate from `taylor_grad` against `stde::laplacian`'s with the same directions.
//! Checks go to stderr, the timings as one JSON line per case to stdout. `tape.optimize()` is
//! not called: it removes nothing from these tapes.
//!
//! ```text
//! cargo bench --bench echidna_laplacian               # N = 100 and 1000 (several minutes)
//! cargo bench --bench echidna_laplacian -- --quick    # N = 100, few repetitions (smoke test)
//! cargo bench --bench echidna_laplacian -- --dim 1000 # one dimension (combines with --quick)
//! ```
//!
//! Run it on an idle machine.

use std::hint::black_box;
use std::time::Instant;

use echidna::{BReverse, BytecodeTape, Taylor};
use pinn::ad::Elementary;
use pinn::ad::jet::{Component, Graph, JetWorkspace, NodeOp, Selection};
use pinn::model::{Batch, Model, Probe, ProbedLaplacian};
use pinn::rng::{Seed, uniform};

const HIDDEN: [usize; 3] = [256, 256, 256];
const PROBES: usize = 16;
const BATCH: usize = 100;
/// Points of the estimators' ballpark check.
const CHECK_POINTS: usize = 8;

/// One dense layer of the MLP: `W` (column-major `n_out × n_in`) at `offset` in `θ`, then `b`.
struct Dense {
    offset: usize,
    n_in: usize,
    n_out: usize,
}

/// The dense layers of `g`, read from the graph itself (offsets and shapes).
fn dense_layers(g: &Graph) -> Vec<Dense> {
    g.nodes()
        .iter()
        .enumerate()
        .filter_map(|(i, node)| match node.op {
            NodeOp::Dense { offset, bias, .. } => {
                assert!(bias, "Graph::mlp layers carry a bias");
                let (n_in, n_out) = g.affine_shape(i).expect("a dense node has a shape");
                Some(Dense {
                    offset,
                    n_in,
                    n_out,
                })
            }
            _ => None,
        })
        .collect()
}

/// The MLP `u(x; θ)`, tanh after every hidden layer, for any echidna scalar (`f64`,
/// `BReverse<f64>` while recording a tape). Sums in the order of `Graph::eval`.
fn mlp<T: echidna::Scalar>(layers: &[Dense], x: &[T], theta: &[T]) -> T {
    let mut a = x.to_vec();
    for (l, d) in layers.iter().enumerate() {
        assert_eq!(a.len(), d.n_in);
        let w = &theta[d.offset..][..d.n_in * d.n_out];
        let b = &theta[d.offset + d.n_in * d.n_out..][..d.n_out];
        let z = (0..d.n_out).map(|o| {
            let mut s = b[o];
            for (i, &ai) in a.iter().enumerate() {
                s = s + w[o + d.n_out * i] * ai;
            }
            s
        });
        a = if l + 1 < layers.len() {
            z.map(|v| v.tanh()).collect()
        } else {
            z.collect()
        };
    }
    assert_eq!(a.len(), 1);
    a[0]
}

struct Budget {
    /// Target seconds of timed calls per case.
    seconds: f64,
    max_reps: usize,
    /// Longest a batch of echidna points may take before only a prefix is timed.
    batch_cap: f64,
}

struct Timing {
    median_ms: f64,
    reps: usize,
}

/// Times `f`: a first call, whose result goes to `check`, then as many calls as fit in the
/// budget (if the first alone exceeded it, that call is the only sample).
fn measure<R>(b: &Budget, mut f: impl FnMut() -> R, check: impl FnOnce(R)) -> Timing {
    let t = Instant::now();
    let r = black_box(f());
    let first = t.elapsed().as_secs_f64();
    check(r);
    if first >= b.seconds {
        return Timing {
            median_ms: first * 1e3,
            reps: 1,
        };
    }
    let reps = ((b.seconds / first.max(1e-9)) as usize).clamp(1, b.max_reps);
    let mut ms: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    Timing {
        median_ms: ms[reps / 2],
        reps,
    }
}

#[allow(clippy::too_many_arguments)]
fn line(
    imp: &str,
    api: &str,
    method: &str,
    grad: bool,
    dim: usize,
    batch: usize,
    points_timed: usize,
    t: &Timing,
) {
    let median_ms = t.median_ms * batch as f64 / points_timed as f64;
    println!(
        "{{\"bench\":\"echidna_laplacian\",\"impl\":\"{imp}\",\"method\":\"{method}\",\
         \"grad\":{grad},\"dim\":{dim},\"batch\":{batch},\"median_ms\":{median_ms:.4},\
         \"reps\":{},\"points_timed\":{points_timed},\"api\":\"{api}\"}}",
        t.reps
    );
}

/// Our exact Laplacian at `pts` and the θ-gradient of its sum (the reference of the checks).
fn pinn_exact(g: &Graph, theta: &[f64], pts: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut ws = JetWorkspace::new(g, &Selection::new(g.input_dim()).laplacian()).unwrap();
    ws.forward(g, theta, pts).unwrap();
    let lap = ws.output(Component::Laplacian).unwrap().to_vec();
    ws.seed(Component::Laplacian).unwrap().fill(1.0);
    let mut grad = vec![0.0; theta.len()];
    ws.backward(g, theta, &mut grad).unwrap();
    (lap, grad)
}

/// `max |a − b| / max |b|`.
fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let num = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    num / b.iter().map(|y| y.abs()).fold(0.0, f64::max)
}

fn fmt(v: &[f64]) -> String {
    let s: Vec<String> = v.iter().map(|x| format!("{x:+.4e}")).collect();
    s.join(" ")
}

/// The network recorded for echidna, with the probes of every point.
struct Echidna {
    n: usize,
    /// Inputs `x`; `θ` as constants.
    tape_x: BytecodeTape<f64>,
    /// Inputs `[x; θ]`.
    tape_z: BytecodeTape<f64>,
    theta: Vec<f64>,
    /// 16 Rademacher directions per point, point-major then direction-major.
    dirs: Vec<f64>,
}

impl Echidna {
    /// Exact Laplacian at each point: one `Taylor<f64, 3>` sweep per axis.
    fn exact(&self, pts: &[f64]) -> Vec<f64> {
        let mut buf: Vec<Taylor<f64, 3>> = Vec::new();
        pts.chunks_exact(self.n)
            .map(|x| {
                let (_, diag) = echidna::stde::hessian_diagonal_with_buf(&self.tape_x, x, &mut buf);
                diag.iter().sum()
            })
            .collect()
    }

    /// Hutchinson estimate at each point (`pts` starts at the batch's first point).
    fn stde(&self, pts: &[f64]) -> Vec<f64> {
        pts.chunks_exact(self.n)
            .enumerate()
            .map(|(p, x)| {
                let dirs: Vec<&[f64]> = self.point_dirs(p).chunks_exact(self.n).collect();
                echidna::stde::laplacian(&self.tape_x, x, &dirs).1
            })
            .collect()
    }

    fn point_dirs(&self, p: usize) -> &[f64] {
        &self.dirs[p * PROBES * self.n..][..PROBES * self.n]
    }

    /// Laplacians (exact or 16-probe) at each point and the θ-gradient of their sum, by
    /// `taylor_grad::<3>` on the `[x; θ]` tape, one call per axis or probe.
    fn with_grad(&self, exact: bool, pts: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (n, np) = (self.n, self.theta.len());
        let mut z = vec![0.0; n + np];
        z[n..].copy_from_slice(&self.theta);
        let mut v = vec![0.0; n + np]; // zero on θ throughout
        let (mut fwd, mut adj) = (Vec::new(), Vec::new());
        let mut grad = vec![0.0; np];
        let mut laps = Vec::new();
        for (p, x) in pts.chunks_exact(n).enumerate() {
            z[..n].copy_from_slice(x);
            let (count, scale) = if exact {
                (n, 2.0)
            } else {
                (PROBES, 2.0 / PROBES as f64)
            };
            let mut lap = 0.0;
            for k in 0..count {
                if exact {
                    v[..n].fill(0.0);
                    v[k] = 1.0;
                } else {
                    v[..n].copy_from_slice(&self.point_dirs(p)[k * n..][..n]);
                }
                let (out, adjoints) = self
                    .tape_z
                    .taylor_grad_with_buf::<3>(&z, &v, &mut fwd, &mut adj);
                lap += scale * out.coeffs[2];
                for (g, a) in grad.iter_mut().zip(&adjoints[n..]) {
                    *g += scale * a.coeffs[2];
                }
            }
            laps.push(lap);
        }
        (laps, grad)
    }
}

fn run_dim(n: usize, b: &Budget) {
    let mut widths = vec![n];
    widths.extend(HIDDEN);
    widths.push(1);
    let g = Graph::mlp(&widths, Elementary::Tanh).unwrap();
    let theta: Vec<f64> = g.init_params(Seed(0));
    let layers = dense_layers(&g);
    let mut rng = Seed(1).rng();
    let pts: Vec<f64> = (0..BATCH * n)
        .map(|_| 2.0 * uniform(&mut rng) - 1.0)
        .collect();
    let mut rng = Seed(2).rng();
    let dirs: Vec<f64> = (0..BATCH * PROBES * n)
        .map(|_| if uniform(&mut rng) < 0.5 { 1.0 } else { -1.0 })
        .collect();
    let x0 = &pts[..n];

    // ── The echidna side: record, and check the function against Graph::eval. ──
    let (tape_x, u_x) = echidna::record(
        |xs| {
            let th: Vec<BReverse<f64>> = theta.iter().map(|&w| BReverse::constant(w)).collect();
            mlp(&layers, xs, &th)
        },
        x0,
    );
    let mut z0 = x0.to_vec();
    z0.extend_from_slice(&theta);
    let (tape_z, u_z) = echidna::record(|zs| mlp(&layers, &zs[..n], &zs[n..]), &z0);
    let u_ref = g.eval(&theta, x0).unwrap()[0];
    let u_f64 = mlp(&layers, x0, &theta);
    for (what, u) in [("tape(x)", u_x), ("tape([x; θ])", u_z), ("f64", u_f64)] {
        let err = (u - u_ref).abs();
        eprintln!("check dim={n}: u by echidna's {what} {u:.17e}, Graph::eval {u_ref:.17e}");
        assert!(
            err <= 1e-12 * u_ref.abs().max(1.0),
            "forward mismatch {err:e}"
        );
    }
    let e = Echidna {
        n,
        tape_x,
        tape_z,
        theta: theta.clone(),
        dirs,
    };

    // ── The estimators' ballpark, on CHECK_POINTS points. ──
    let model = ProbedLaplacian::new(g.clone(), PROBES, Probe::Rademacher).unwrap();
    let check_pts = &pts[..CHECK_POINTS * n];
    let (exact, _) = pinn_exact(&g, &theta, check_pts);
    let mut ws =
        <ProbedLaplacian as Model<f64>>::workspace(&model, &[Component::Laplacian]).unwrap();
    let mut pinn_est = vec![0.0; CHECK_POINTS];
    model
        .forward(&mut ws, &theta, &Batch::new(check_pts), &mut pinn_est)
        .unwrap();
    let echidna_est = e.stde(check_pts);
    eprintln!("check dim={n}: exact Δu      {}", fmt(&exact));
    for (who, est) in [("pinn", &pinn_est), ("echidna", &echidna_est)] {
        eprintln!("check dim={n}: {who:7} Δ̂u16 {}", fmt(est));
        let err: Vec<f64> = est.iter().zip(&exact).map(|(a, b)| a - b).collect();
        let k = CHECK_POINTS as f64;
        let mean = err.iter().sum::<f64>() / k;
        let sd = (err.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (k - 1.0)).sqrt();
        eprintln!(
            "check dim={n}: {who} 16-probe error over {CHECK_POINTS} points: mean {mean:+.3e}, \
             sd {sd:.3e}"
        );
        assert!(
            mean.abs() <= 5.0 * sd / k.sqrt() + 1e-12,
            "{who}'s estimator is off"
        );
    }

    // ── Timings. ──
    let (ref_lap, _) = pinn_exact(&g, &theta, &pts);
    for batch in [1, BATCH] {
        let bp = &pts[..batch * n];
        // pinn, exact
        let mut ws = JetWorkspace::new(&g, &Selection::new(n).laplacian()).unwrap();
        let t = measure(b, || ws.forward(&g, &theta, bp).unwrap(), |_| ());
        line("pinn", "JetWorkspace", "exact", false, n, batch, batch, &t);
        let mut grad = vec![0.0; theta.len()];
        let t = measure(
            b,
            || {
                ws.forward(&g, &theta, bp).unwrap();
                ws.seed(Component::Laplacian).unwrap().fill(1.0);
                grad.fill(0.0);
                ws.backward(&g, &theta, &mut grad).unwrap();
            },
            |_| (),
        );
        line("pinn", "JetWorkspace", "exact", true, n, batch, batch, &t);
        drop(ws);
        // pinn, stde16
        let mut ws =
            <ProbedLaplacian as Model<f64>>::workspace(&model, &[Component::Laplacian]).unwrap();
        let mut values = vec![0.0; batch];
        let ones = vec![1.0; batch];
        let t = measure(
            b,
            || {
                model
                    .forward(&mut ws, &theta, &Batch::new(bp), &mut values)
                    .unwrap()
            },
            |_| (),
        );
        line(
            "pinn",
            "ProbedLaplacian",
            "stde16",
            false,
            n,
            batch,
            batch,
            &t,
        );
        let t = measure(
            b,
            || {
                model
                    .forward(&mut ws, &theta, &Batch::new(bp), &mut values)
                    .unwrap();
                grad.fill(0.0);
                model.backward(&mut ws, &theta, &ones, &mut grad).unwrap();
            },
            |_| (),
        );
        line(
            "pinn",
            "ProbedLaplacian",
            "stde16",
            true,
            n,
            batch,
            batch,
            &t,
        );
    }

    // ── echidna: batch 1 first; its time per point sets how many of the 100 points are timed.
    for (method, grad) in [
        ("exact", false),
        ("stde16", false),
        ("exact", true),
        ("stde16", true),
    ] {
        let api = match (method, grad) {
            ("exact", false) => "stde::hessian_diagonal",
            ("stde16", false) => "stde::laplacian",
            _ => "BytecodeTape::taylor_grad",
        };
        let run = |p: &[f64]| -> (Vec<f64>, Option<Vec<f64>>) {
            match (method, grad) {
                ("exact", false) => (e.exact(p), None),
                ("stde16", false) => (e.stde(p), None),
                _ => {
                    let (lap, gr) = e.with_grad(method == "exact", p);
                    (lap, Some(gr))
                }
            }
        };
        // Exact: Δu and ∇θ against ours. stde16 with the gradient: its estimates against
        // `stde::laplacian`'s with the same directions.
        let check = |p: &[f64], (lap, gr): (Vec<f64>, Option<Vec<f64>>)| {
            let k = p.len() / n;
            let (what, reference) = if method == "exact" {
                ("ours", ref_lap[..k].to_vec())
            } else if grad {
                ("stde::laplacian", e.stde(p))
            } else {
                return;
            };
            let err = rel_err(&lap, &reference);
            eprintln!(
                "check dim={n}: echidna {method} Δu ({api}) vs {what} over {k} point(s): \
                 rel err {err:.2e}"
            );
            assert!(err <= 1e-10, "echidna's Laplacian differs from {what}");
            if let (Some(gr), "exact") = (gr, method) {
                let (_, ref_grad) = pinn_exact(&g, &theta, p);
                let err = rel_err(&gr, &ref_grad);
                eprintln!(
                    "check dim={n}: echidna exact θ-gradient of ΣΔu vs ours over {k} point(s): \
                     rel err {err:.2e}"
                );
                assert!(err <= 1e-10, "echidna's θ-gradient differs from ours");
            }
        };
        let p1 = &pts[..n];
        let t1 = measure(b, || run(p1), |r| check(p1, r));
        line("echidna", api, method, grad, n, 1, 1, &t1);
        let per_point = t1.median_ms / 1e3;
        let k = if per_point * BATCH as f64 <= b.batch_cap {
            BATCH
        } else {
            ((b.batch_cap / per_point) as usize).clamp(1, BATCH)
        };
        let pk = &pts[..k * n];
        let t = measure(b, || run(pk), |r| check(pk, r));
        line("echidna", api, method, grad, n, BATCH, k, &t);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let dims: Vec<usize> = match args.iter().position(|a| a == "--dim") {
        Some(i) => vec![
            args.get(i + 1)
                .and_then(|s| s.parse().ok())
                .expect("--dim N"),
        ],
        None if quick => vec![100],
        None => vec![100, 1000],
    };
    let budget = if quick {
        Budget {
            seconds: 0.2,
            max_reps: 5,
            batch_cap: 1.0,
        }
    } else {
        Budget {
            seconds: 2.0,
            max_reps: 1000,
            batch_cap: 20.0,
        }
    };
    for n in dims {
        run_dim(n, &budget);
    }
}
