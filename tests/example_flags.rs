//! Every example's command line, run as a user runs it: `--help` exits with status 0 and
//! gives every flag with its default; each bad input exits with status 2 (usage) or 1 (a
//! failure), quickly and before any training, with a message naming the flag or the path.
//!
//! The tests run the example binaries that `cargo test` builds into
//! `target/<profile>/examples/`, two folders up from this test's own binary
//! (`target/<profile>/deps/`). Cargo builds the examples for a plain `cargo test` (the CI
//! command) but not for `cargo test --test example_flags` alone: when a binary is missing, or
//! older than one of the sources its dep-info file (`<name>.d`) lists, a test says so on
//! stderr and checks nothing rather than run a stale program (`cargo build --examples`, with `--release` to
//! match `cargo test --release`, brings them up to date).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// How long a rejected command line may take (generous: the machine may be busy).
const QUICK: Duration = Duration::from_secs(30);

/// What a run of an example did.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
}

/// The example's binary, if it is built and newer than its sources.
fn binary(example: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let bin = profile_dir
        .join("examples")
        .join(format!("{example}{}", std::env::consts::EXE_SUFFIX));
    let Ok(built) = std::fs::metadata(&bin).and_then(|m| m.modified()) else {
        eprintln!(
            "SKIPPED: {} is not built (a plain `cargo test` builds the examples; or run \
             `cargo build --examples`)",
            bin.display()
        );
        return None;
    };
    // The sources cargo built it from, as its dep-info file lists them (the example, the
    // files it includes, the library's sources); without that file, the example's own.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed: Vec<PathBuf> = std::fs::read_to_string(bin.with_extension("d"))
        .ok()
        .and_then(|d| {
            let deps = d
                .lines()
                .next()?
                .split_once(": ")?
                .1
                .replace("\\ ", "\u{0}");
            Some(
                deps.split_whitespace()
                    .map(|p| PathBuf::from(p.replace('\u{0}', " ")))
                    .collect(),
            )
        })
        .unwrap_or_else(|| vec![root.join("examples").join(format!("{example}.rs"))]);
    let sources: Vec<Option<SystemTime>> = listed
        .iter()
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .collect();
    if sources.iter().flatten().any(|&t| t > built) {
        eprintln!(
            "SKIPPED: {} is older than its sources (run `cargo build --examples`, with \
             `--release` for `cargo test --release`)",
            bin.display()
        );
        return None;
    }
    Some(bin)
}

/// Runs the example with `args` and the extra environment `env`; `None` if it is not built.
/// A run that outlives [`QUICK`] twice over is killed and fails the test.
fn run(example: &str, args: &[&str], env: &[(&str, &Path)]) -> Option<Outcome> {
    let bin = binary(example)?;
    let start = Instant::now();
    let mut cmd = Command::new(&bin);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the example starts");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).ok();
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for the example") {
            break s;
        }
        if start.elapsed() > 2 * QUICK {
            child.kill().ok();
            child.wait().ok();
            panic!("{example} {args:?} was still running after {:?}", 2 * QUICK);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Some(Outcome {
        code: status.code(),
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Asserts that the example rejects `args` as a usage error (status 2) whose message names
/// `flag`, quickly and without starting to train.
fn usage_error(example: &str, args: &[&str], flag: &str) {
    let Some(o) = run(example, args, &[]) else {
        return;
    };
    let what = format!("{example} {}", args.join(" "));
    assert_eq!(o.code, Some(2), "{what}: status\n{}", o.stderr);
    assert!(
        o.stderr.starts_with("error: "),
        "{what}: a sentence on stderr\n{}",
        o.stderr
    );
    assert!(
        o.stderr.contains(flag),
        "{what}: the message names {flag}\n{}",
        o.stderr
    );
    assert!(o.stdout.is_empty(), "{what}: nothing ran\n{}", o.stdout);
    assert!(
        o.seconds < QUICK.as_secs_f64(),
        "{what}: took {} s",
        o.seconds
    );
}

/// Asserts that the example fails (status 1) with a message containing `needle` before it
/// trains.
fn failure(example: &str, args: &[&str], env: &[(&str, &Path)], needle: &str) {
    let Some(o) = run(example, args, env) else {
        return;
    };
    let what = format!("{example} {}", args.join(" "));
    assert_eq!(o.code, Some(1), "{what}: status\n{}{}", o.stdout, o.stderr);
    assert!(
        o.stderr.starts_with("error: ") && o.stderr.contains(needle),
        "{what}: the message names {needle}\n{}",
        o.stderr
    );
    assert!(
        !o.stdout.contains("step"),
        "{what}: failed before training\n{}",
        o.stdout
    );
    assert!(
        o.seconds < QUICK.as_secs_f64(),
        "{what}: took {} s",
        o.seconds
    );
}

/// A regular file of its own for the caller (named by `tag`), removed when dropped: a path
/// below it cannot be a folder.
struct AFile(PathBuf);

impl AFile {
    fn new(tag: &str) -> AFile {
        let file =
            std::env::temp_dir().join(format!("pinn-example-flags-{tag}-{}", std::process::id()));
        std::fs::write(&file, b"a file, not a folder").unwrap();
        AFile(file)
    }
}

impl Drop for AFile {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// With the output folder impossible to create, the example stops before training and names
/// the folder.
fn output_folder_is_checked_first(example: &str, args: &[&str]) {
    let file = AFile::new(example);
    let target = file.0.join("target");
    failure(
        example,
        args,
        &[("CARGO_TARGET_DIR", &target)],
        &target.join("examples-out").display().to_string(),
    );
}

/// `--help` exits with status 0 and gives every flag that takes a value a default (or says
/// which), and the time a run takes.
fn help_is_complete(example: &str) {
    let Some(o) = run(example, &["--help"], &[]) else {
        return;
    };
    assert_eq!(o.code, Some(0), "{example} --help\n{}", o.stderr);
    assert!(
        o.stdout.contains("Usage: "),
        "{example} --help\n{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("2-core") || o.stdout.contains("under a second"),
        "{example} --help says what a run costs\n{}",
        o.stdout
    );
    // Each option's block: from its line to the next option line.
    let lines: Vec<&str> = o.stdout.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with("--"))
        .collect();
    for (k, &i) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let block = lines[i..end].join("\n");
        let takes_value = lines[i].contains('<');
        assert!(
            !takes_value || block.contains("default"),
            "{example} --help: no default for\n{block}"
        );
        let text: String = lines[i + 1..end].concat();
        assert!(
            !text.trim().is_empty(),
            "{example} --help: no description for\n{block}"
        );
    }
}

#[test]
fn quickstart() {
    help_is_complete("quickstart");
    usage_error("quickstart", &["--dtype", "f16"], "--dtype");
    usage_error("quickstart", &["--f32"], "--f32");
    usage_error("quickstart", &["--dtpye", "f32"], "--dtpye");
    output_folder_is_checked_first("quickstart", &[]);
}

#[test]
fn burgers() {
    help_is_complete("burgers");
    usage_error("burgers", &["--adam", "0", "--lbfgs", "0"], "--adam");
    usage_error("burgers", &["--adam", "x"], "--adam");
    usage_error("burgers", &["--adam", "-1"], "--adam");
    usage_error("burgers", &["--lbfgs", "1.5"], "--lbfgs");
    usage_error("burgers", &["--lbfgs"], "--lbfgs");
    output_folder_is_checked_first("burgers", &["--adam", "1", "--lbfgs", "0"]);
}

#[test]
fn oscillator() {
    help_is_complete("oscillator");
    usage_error("oscillator", &["--dtype", "f16"], "--dtype");
    usage_error("oscillator", &["--steps", "10"], "--steps");
    output_folder_is_checked_first("oscillator", &[]);
}

#[test]
fn poisson1d_wang() {
    help_is_complete("poisson1d_wang");
    for c in ["0", "3", "-1", "2.0"] {
        usage_error("poisson1d_wang", &["--c", c], "--c");
    }
    usage_error("poisson1d_wang", &["--steps", "0"], "--steps");
    usage_error("poisson1d_wang", &["--f32"], "--f32");
}

#[test]
fn helmholtz() {
    help_is_complete("helmholtz");
    usage_error("helmholtz", &["--threads", "0"], "--threads");
    usage_error("helmholtz", &["--steps", "0"], "--steps");
    usage_error("helmholtz", &["--model", "m5"], "--model");
    usage_error("helmholtz", &["--dtype", "f16"], "--dtype");
    usage_error("helmholtz", &["--model", "m1", "--nf", "1000"], "--nf");
    usage_error(
        "helmholtz",
        &["--model", "m4", "--lbfgs-iters", "5"],
        "--lbfgs-iters",
    );
    usage_error(
        "helmholtz",
        &["--model", "m2", "--gating", "old"],
        "--gating",
    );
    usage_error(
        "helmholtz",
        &["--model", "m3", "--lambda-free"],
        "--lambda-free",
    );
    usage_error("helmholtz", &["--model", "sa", "--nf", "0"], "--nf");
    usage_error(
        "helmholtz",
        &["--model", "ntk", "--lambda-free"],
        "--lambda-free",
    );
    output_folder_is_checked_first("helmholtz", &["--steps", "1"]);
}

#[test]
fn ropinn() {
    help_is_complete("ropinn");
    usage_error("ropinn", &["--every", "0"], "--every");
    usage_error("ropinn", &["--steps", "0"], "--steps");
    usage_error("ropinn", &["--width", "0"], "--width");
    usage_error("ropinn", &["--problem", "heat"], "--problem");
    usage_error(
        "ropinn",
        &["--method", "vanilla", "--calibration", "fixed"],
        "--calibration",
    );
    usage_error(
        "ropinn",
        &["--table", "x.jsonl", "--problem", "wave"],
        "--table",
    );
    let garbage = AFile::new("ropinn-table");
    std::fs::write(&garbage.0, "not a result\n{\"example\":\"quickstart\"}\n").unwrap();
    let g = garbage.0.display().to_string();
    failure("ropinn", &["--table", &g], &[], &g);
    let missing = format!("{g}-missing");
    failure("ropinn", &["--table", &missing], &[], &missing);
    output_folder_is_checked_first("ropinn", &["--protocol", "b", "--steps", "1"]);
    usage_error(
        "ropinn",
        &["--backbone", "propinn", "--protocol", "b"],
        "--protocol",
    );
    usage_error(
        "ropinn",
        &["--backbone", "propinn", "--width", "64"],
        "--width",
    );
}

#[test]
fn propinn() {
    help_is_complete("propinn");
    usage_error("propinn", &["--protocol", "b"], "--protocol");
    usage_error("propinn", &["--width", "64"], "--width");
    usage_error("propinn", &["--steps", "0"], "--steps");
    usage_error("propinn", &["--problem", "heat"], "--problem");
    usage_error("propinn", &["--dtype", "f16"], "--dtype");
    output_folder_is_checked_first("propinn", &["--steps", "1", "--max-iter", "1"]);
    let file = AFile::new("propinn-checkpoint");
    let ckpt = file.0.join("run.ckpt").display().to_string();
    failure(
        "propinn",
        &["--steps", "1", "--max-iter", "1", "--checkpoint", &ckpt],
        &[],
        "--checkpoint",
    );
}

#[test]
fn adaptive() {
    help_is_complete("adaptive");
    usage_error("adaptive", &["--points", "1"], "--points");
    usage_error("adaptive", &["--rounds", "0"], "--rounds");
    usage_error("adaptive", &["--pool", "0"], "--pool");
    usage_error("adaptive", &["--threads", "0"], "--threads");
    usage_error("adaptive", &["--method", "lhs", "--k", "2"], "--k");
    usage_error("adaptive", &["--method", "rad", "--c", "-1"], "--c");
    usage_error("adaptive", &["--method", "radd"], "--method");
    usage_error("adaptive", &["--f32"], "--f32");
    let file = AFile::new("adaptive-record");
    let record = file.0.join("record.jsonl");
    let r = record.display().to_string();
    let out = std::env::temp_dir().join(format!("pinn-example-flags-out-{}", std::process::id()));
    failure(
        "adaptive",
        &["--budget", "smoke", "--record", &r],
        &[("CARGO_TARGET_DIR", &out)],
        &r,
    );
    let ckpt = file.0.join("run.ckpt").display().to_string();
    failure(
        "adaptive",
        &["--budget", "smoke", "--checkpoint", &ckpt],
        &[("CARGO_TARGET_DIR", &out)],
        "--checkpoint",
    );
    std::fs::remove_dir_all(&out).ok();
    output_folder_is_checked_first("adaptive", &["--budget", "smoke"]);
}

#[test]
fn gpinn() {
    help_is_complete("gpinn");
    usage_error("gpinn", &["--steps", "0"], "--steps");
    usage_error("gpinn", &["--wg", "-1"], "--wg");
    usage_error("gpinn", &["--problem", "poisson3d"], "--problem");
    usage_error("gpinn", &["--f32"], "--f32");
}

#[test]
fn stein_poisson() {
    help_is_complete("stein_poisson");
    usage_error("stein_poisson", &["--estimator", "fancy"], "--estimator");
    usage_error("stein_poisson", &["--samples", "1"], "--samples");
    usage_error("stein_poisson", &["--sigma", "0"], "--sigma");
    usage_error("stein_poisson", &["--method", "bp"], "--method");
    usage_error(
        "stein_poisson",
        &["--estimator", "antithetic", "--samples", "7"],
        "--samples",
    );
    output_folder_is_checked_first("stein_poisson", &["--steps", "1", "--width", "4"]);
}

#[test]
fn stein_ablation() {
    help_is_complete("stein_ablation");
    usage_error("stein_ablation", &["--dim", "0"], "--dim");
    usage_error("stein_ablation", &["--k-max", "10"], "--k-max");
    usage_error(
        "stein_ablation",
        &["--oracle-samples", "1"],
        "--oracle-samples",
    );
    usage_error("stein_ablation", &["--sigma", "-1"], "--sigma");
    output_folder_is_checked_first("stein_ablation", &["--dim", "2", "--k-max", "100"]);
}

#[test]
fn inverse_burgers() {
    help_is_complete("inverse_burgers");
    usage_error("inverse_burgers", &["--noise", "-0.1"], "--noise");
    usage_error("inverse_burgers", &["--points", "3"], "--points");
    usage_error("inverse_burgers", &["--dtype", "f16"], "--dtype");
    output_folder_is_checked_first("inverse_burgers", &["--adam", "1", "--lbfgs", "0"]);
}

#[test]
fn hjb() {
    help_is_complete("hjb");
    usage_error("hjb", &["--dim", "0"], "--dim");
    usage_error("hjb", &["--method", "bp"], "--method");
    usage_error("hjb", &["--probes", "0"], "--probes");
    usage_error("hjb", &["--target", "0"], "--target");
    output_folder_is_checked_first("hjb", &["--dim", "2", "--steps", "1", "--width", "4"]);
}

#[test]
fn ntk() {
    help_is_complete("ntk");
    usage_error("ntk", &["--steps", "0"], "--steps");
    usage_error("ntk", &["--lr", "0"], "--lr");
    usage_error("ntk", &["--a", "-1"], "--a");
    usage_error("ntk", &["--width", "0"], "--width");
    usage_error("ntk", &["--every", "0"], "--every");
    usage_error("ntk", &["--optimizer", "lbfgs"], "--optimizer");
    usage_error("ntk", &["--dtype", "f16"], "--dtype");
    output_folder_is_checked_first("ntk", &["--steps", "1", "--width", "4"]);
}

#[test]
fn causal() {
    help_is_complete("causal");
    usage_error("causal", &["--steps", "0"], "--steps");
    usage_error("causal", &["--budget", "huge"], "--budget");
    usage_error(
        "causal",
        &["--method", "plain", "--epsilons", "paper"],
        "--epsilons",
    );
    usage_error("causal", &["--threads", "0"], "--threads");
    usage_error("causal", &["--dtype", "f16"], "--dtype");
    let file = AFile::new("causal-checkpoint");
    let ckpt = file.0.join("run.ckpt").display().to_string();
    let out =
        std::env::temp_dir().join(format!("pinn-example-flags-causal-{}", std::process::id()));
    failure(
        "causal",
        &["--budget", "smoke", "--checkpoint", &ckpt],
        &[("CARGO_TARGET_DIR", &out)],
        "--checkpoint",
    );
    std::fs::remove_dir_all(&out).ok();
    output_folder_is_checked_first("causal", &["--budget", "smoke"]);
}

#[test]
fn fbpinn() {
    help_is_complete("fbpinn");
    usage_error("fbpinn", &["--steps", "0"], "--steps");
    usage_error("fbpinn", &["--omega", "0"], "--omega");
    usage_error("fbpinn", &["--model", "pinn-8-1"], "--model");
    usage_error("fbpinn", &["--threads", "0"], "--threads");
    usage_error("fbpinn", &["--dtype", "f16"], "--dtype");
    usage_error("fbpinn", &["--problem", "wave"], "--problem");
    usage_error(
        "fbpinn",
        &["--schedule", "point", "--model", "pinn-16-2"],
        "--schedule",
    );
    usage_error(
        "fbpinn",
        &["--problem", "oscillator", "--omega", "1"],
        "--omega",
    );
    output_folder_is_checked_first("fbpinn", &["--steps", "1"]);
    output_folder_is_checked_first("fbpinn", &["--steps", "1", "--problem", "oscillator"]);
    let missing = std::env::temp_dir().join(format!("pinn-no-such-record-{}", std::process::id()));
    let m = missing.display().to_string();
    failure("fbpinn", &["--compare", &m], &[], &m);
    let file = AFile::new("fbpinn-checkpoint");
    let ckpt = file.0.join("run.ckpt").display().to_string();
    failure(
        "fbpinn",
        &["--steps", "1", "--checkpoint", &ckpt],
        &[],
        "--checkpoint",
    );
}

#[test]
fn fbpinn_multilevel() {
    help_is_complete("fbpinn_multilevel");
    usage_error("fbpinn_multilevel", &["--steps", "0"], "--steps");
    usage_error("fbpinn_multilevel", &["--levels", "1"], "--levels");
    usage_error("fbpinn_multilevel", &["--problem", "wave"], "--problem");
    usage_error("fbpinn_multilevel", &["--budget", "huge"], "--budget");
    usage_error("fbpinn_multilevel", &["--width", "64"], "--width");
    usage_error("fbpinn_multilevel", &["--dtype", "f16"], "--dtype");
    output_folder_is_checked_first("fbpinn_multilevel", &["--budget", "smoke", "--steps", "1"]);
    let file = AFile::new("fbpinn-multilevel-record");
    let record = file.0.join("record.jsonl").display().to_string();
    failure(
        "fbpinn_multilevel",
        &["--budget", "smoke", "--record", &record],
        &[],
        "--record",
    );
}

/// A short run end to end: the files go under `$CARGO_TARGET_DIR/examples-out`, the final
/// metrics come before any file is written, every file is named, and the last line is JSON.
#[test]
fn adaptive_smoke_run_honours_cargo_target_dir() {
    let target = std::env::temp_dir().join(format!("pinn-example-out-{}", std::process::id()));
    let Some(o) = run(
        "adaptive",
        &[
            "--problem",
            "diffusion",
            "--method",
            "grid",
            "--budget",
            "smoke",
        ],
        &[("CARGO_TARGET_DIR", &target)],
    ) else {
        return;
    };
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    let png = target.join("examples-out/adaptive/diffusion-grid-f32-s0.png");
    let bytes = std::fs::read(&png).expect("the figure was written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    let lines: Vec<&str> = o.stdout.lines().collect();
    let metrics = lines
        .iter()
        .position(|l| l.contains("rel-L2") && !l.contains("step"));
    let wrote = lines
        .iter()
        .position(|l| *l == format!("wrote {}", png.display()));
    assert!(
        metrics.is_some() && wrote.is_some() && metrics < wrote,
        "metrics first, then the file's path:\n{}",
        o.stdout
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("{\"example\":\"adaptive\""))
    );
    std::fs::remove_dir_all(&target).ok();
}

#[test]
fn examples_without_flags() {
    for example in ["ad_tour", "newton_bratu"] {
        help_is_complete(example);
        usage_error(example, &["--bogus"], "--bogus");
        usage_error(example, &["extra"], "extra");
    }
}

/// A `--record` path inside a file (not a folder): refused before any work, naming the flag.
fn record_is_checked_first(example: &str, args: &[&str]) {
    let file = AFile::new(&format!("{example}-record"));
    let record = file.0.join("run.jsonl").display().to_string();
    let mut all = args.to_vec();
    all.extend(["--record", record.as_str()]);
    failure(example, &all, &[], "--record");
}

#[test]
fn cavity() {
    help_is_complete("cavity");
    usage_error("cavity", &["--model", "m5"], "--model");
    usage_error("cavity", &["--form", "vp"], "--form");
    usage_error("cavity", &["--reference-cells", "48"], "--reference-cells");
    usage_error(
        "cavity",
        &["--reference-cells", "1024"],
        "--reference-cells",
    );
    usage_error("cavity", &["--steps", "0"], "--steps");
    output_folder_is_checked_first("cavity", &["--steps", "1", "--reference-cells", "16"]);
    record_is_checked_first("cavity", &["--steps", "1", "--reference-cells", "16"]);
}

#[test]
fn discover() {
    help_is_complete("discover");
    usage_error("discover", &["--problem", "heat"], "--problem");
    usage_error("discover", &["--noise", "0.7"], "--noise");
    usage_error("discover", &["--points", "5"], "--points");
    output_folder_is_checked_first(
        "discover",
        &["--adam", "1", "--lbfgs", "0", "--points", "100"],
    );
    record_is_checked_first(
        "discover",
        &["--adam", "1", "--lbfgs", "0", "--points", "100"],
    );
    failure(
        "discover",
        &["--adam", "0", "--lbfgs", "0"],
        &[],
        "nothing to train",
    );
}

#[test]
fn parametric() {
    help_is_complete("parametric");
    usage_error("parametric", &["--nu-range", "0.1,0.01"], "--nu-range");
    usage_error("parametric", &["--nu-range", "0.1"], "--nu-range");
    usage_error("parametric", &["--nu-range", "a,b"], "--nu-range");
    usage_error("parametric", &["--points", "10"], "--points");
    output_folder_is_checked_first(
        "parametric",
        &["--adam", "1", "--lbfgs", "0", "--points", "100"],
    );
    record_is_checked_first(
        "parametric",
        &["--adam", "1", "--lbfgs", "0", "--points", "100"],
    );
}

#[test]
fn inverse_field() {
    help_is_complete("inverse_field");
    usage_error("inverse_field", &["--data", "1"], "--data");
    usage_error("inverse_field", &["--noise", "-0.1"], "--noise");
    usage_error("inverse_field", &["--dtype", "f16"], "--dtype");
    output_folder_is_checked_first("inverse_field", &["--adam", "1", "--lbfgs", "0"]);
    record_is_checked_first("inverse_field", &["--adam", "1", "--lbfgs", "0"]);
}
