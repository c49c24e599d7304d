//! What the examples share (each includes it with `#[path = "support/mod.rs"] mod support;`):
//!
//! - [`plot`]: figures (heat maps with axes and colour bars, line plots with legends);
//! - [`cli`]: the command-line conventions (`--dtype`, usage errors, exit statuses);
//! - [`progress`]: progress lines with elapsed and remaining time;
//! - here: the output folder, CSV files, grids and the closing JSON line.
#![allow(dead_code, unused_imports)]

pub mod cli;
pub mod curves;
pub mod plot;
pub mod progress;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use cli::Dtype;
pub use progress::{Plan, progress};

/// The examples' output folder, created and checked for writing: `$CARGO_TARGET_DIR/
/// examples-out` when `CARGO_TARGET_DIR` is set, else `target/examples-out` in the crate,
/// with `sub` appended when given. Called before training, so that a run never ends unable to
/// save what it computed.
///
/// # Errors
/// A sentence naming the folder when it cannot be created or written to.
pub fn out_dir(sub: Option<&str>) -> Result<PathBuf, String> {
    let base = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
    };
    let mut dir = base.join("examples-out");
    if let Some(s) = sub {
        dir.push(s);
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create the output folder {}: {e}", dir.display()))?;
    // A folder can exist and still refuse files.
    let probe = dir.join(format!(".write-test-{}", std::process::id()));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| format!("cannot write to the output folder {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Prints `wrote <path>`: every file an example writes is named on its output.
pub fn wrote(path: &Path) {
    println!("wrote {}", path.display());
}

/// Writes rows of numbers as CSV with a header, and says so.
///
/// # Errors
/// A sentence naming the file.
pub fn write_csv(
    path: &Path,
    header: &str,
    rows: impl IntoIterator<Item = Vec<f64>>,
) -> Result<(), String> {
    let write = || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(f, "{header}")?;
        for r in rows {
            let line: Vec<String> = r.iter().map(|v| format!("{v:e}")).collect();
            writeln!(f, "{}", line.join(","))?;
        }
        f.flush()
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    wrote(path);
    Ok(())
}

/// Appends `lines` to the record file `path`, one per line, and says so; a failure is
/// reported on stderr without losing anything (the lines were printed before).
pub fn append_record(path: &Path, lines: &[String]) {
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| lines.iter().try_for_each(|l| writeln!(f, "{l}")));
    match appended {
        Ok(()) => println!("appended to {}", path.display()),
        Err(e) => eprintln!(
            "could not append to {}: {e} (the lines above are the results)",
            path.display()
        ),
    }
}

/// Checks that `path`'s folder takes files, before a long run relies on it.
pub fn check_writable(flag: &str, path: &Path) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let probe = dir.join(format!(".probe-{}", std::process::id()));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            format!(
                "cannot write the {flag} file's folder {}: {e}",
                dir.display()
            )
        })
}

/// The value of `"key":` in a one-line JSON object of ours (numbers and strings; the first
/// occurrence; no nesting before it).
pub fn json_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat)? + pat.len()..];
    if let Some(r) = rest.strip_prefix('"') {
        r.split('"').next()
    } else {
        rest.split([',', '}']).next().map(str::trim)
    }
}

/// Removes a finished run's checkpoint files; a failure is reported on stderr (the results
/// are already out).
pub fn remove_finished<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) {
    for path in paths {
        if let Err(e) = std::fs::remove_file(path) {
            eprintln!(
                "could not remove the finished run's {}: {e}",
                path.display()
            );
        }
    }
}

/// Runs a figure-drawing closure and says what it wrote.
///
/// # Errors
/// A sentence naming the file.
pub fn save_figure(path: &Path, draw: impl FnOnce(&Path) -> plot::Result) -> Result<(), String> {
    draw(path).map_err(|e| format!("cannot draw {}: {e}", path.display()))?;
    wrote(path);
    Ok(())
}

/// `n` equally spaced numbers from `a` to `b`, both included.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1).max(1) as f64)
        .collect()
}

/// The grid `xs × ys`, first coordinate slowest, point-major.
pub fn grid2(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    xs.iter()
        .flat_map(|&x| ys.iter().flat_map(move |&y| [x, y]))
        .collect()
}

/// The examples' last line: one JSON object with the key figures of a training run.
pub fn summary_json<T: pinn::ad::Real>(
    example: &str,
    m: &pinn::train::Metrics,
    report: &pinn::train::Report<T>,
    seconds: f64,
) -> String {
    format!(
        "{{\"example\":\"{example}\",\"dtype\":\"{}\",\"rel_l2\":{:e},\"max_abs\":{:e},\"steps\":{},\"evaluations\":{},\"seconds\":{seconds:.2}}}",
        T::NAME,
        m.rel_l2,
        m.max_abs,
        report.steps,
        report.evaluations
    )
}

/// The quick start's network for a problem on the unit square with `u = 0` on its boundary:
/// a 2-32-32-32-1 tanh MLP `N` inside the ansatz `u = x(1−x)·y(1−y)·N(x, y)`, so the boundary
/// condition holds exactly.
pub fn unit_square_zero_boundary_net() -> pinn::Result<pinn::ad::jet::Graph> {
    pinn::nets::NetBuilder::new(2)
        .mlp(&[32, 32, 32], pinn::ad::Elementary::Tanh)
        .transform(|b, x, n| {
            let bx = pinn::pde::hard::vanish_on_box(b, x, &[0.0, 0.0], &[1.0, 1.0], &[0, 1]);
            b.mul(bx, n)
        })
        .build(1)
}

/// L-BFGS run to machine precision, as Raissi et al. run SciPy's L-BFGS-B (`ftol` = eps):
/// PyTorch's tolerances (1e-7 on the gradient, 1e-9 on changes) stop it early on the small
/// losses of data fits and inverse problems. Steps of 50 iterations, 50 stored pairs, strong
/// Wolfe line search; it stops when the gradient is below 1e-12 or changes below 1e-15.
pub fn lbfgs_to_machine_precision() -> pinn::optim::LbfgsConfig {
    pinn::optim::LbfgsConfig {
        max_iter: 50,
        history_size: 50,
        tolerance_grad: 1e-12,
        tolerance_change: 1e-15,
        ..pinn::optim::LbfgsConfig::default()
    }
}

/// `b` with Adam (lr 1e-3) for `adam` steps, then [`lbfgs_to_machine_precision`] for up to
/// `lbfgs` iterations (the phase ends at its first converged step), and a progress observer
/// for both; a phase with no steps is left out.
///
/// # Errors
/// A sentence when both are 0 (nothing to train), or an optimizer's configuration error.
pub fn adam_then_lbfgs<P: pinn::pde::Pde, T: pinn::ad::Real, M: pinn::model::Model<T>>(
    mut b: pinn::train::TrainerBuilder<P, T, M>,
    adam: usize,
    lbfgs: usize,
) -> Result<pinn::train::TrainerBuilder<P, T, M>, Box<dyn std::error::Error>> {
    let config = lbfgs_to_machine_precision();
    let steps = lbfgs.div_ceil(config.max_iter);
    if adam == 0 && steps == 0 {
        return Err("nothing to train: --adam and --lbfgs are both 0".into());
    }
    let mut plan = Plan::new();
    if adam > 0 {
        b = b.phase("adam", adam, pinn::optim::Adam::with_lr(1e-3)?);
        plan = plan.adam("adam", adam);
    }
    if steps > 0 {
        b = b.phase_until_converged("lbfgs", steps, pinn::optim::Lbfgs::new(config)?);
        plan = plan.lbfgs("lbfgs", steps, config.max_iter, true);
    }
    Ok(b.observer(progress(plan)))
}

/// `μ_X`, `σ_X` (per coordinate, ddof 0) of 10⁵ uniform points of the box `[lo, hi]`, drawn
/// from `seed` coordinate by coordinate, point after point: the input normalisation of Wang,
/// Teng & Perdikaris' code (Helmholtz, cavity), `x̂ = (x − μ_X)/σ_X`.
pub fn input_normalisation(seed: pinn::rng::Seed, lo: &[f64], hi: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (n, d) = (100_000, lo.len());
    let mut rng = seed.rng();
    let pts: Vec<f64> = (0..n * d)
        .map(|i| {
            let k = i % d;
            lo[k] + (hi[k] - lo[k]) * pinn::rng::uniform(&mut rng)
        })
        .collect();
    let mut mu = vec![0.0; d];
    let mut sigma = vec![0.0; d];
    for k in 0..d {
        mu[k] = pts.iter().skip(k).step_by(d).sum::<f64>() / n as f64;
        let var = pts
            .iter()
            .skip(k)
            .step_by(d)
            .map(|x| (x - mu[k]).powi(2))
            .sum::<f64>()
            / n as f64;
        sigma[k] = var.sqrt();
    }
    (mu, sigma)
}
