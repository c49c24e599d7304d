//! Validation curves: train in segments, evaluate a held-out measure between them (its time
//! not counted as training), and plot it against step and against training seconds.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pinn::ad::Real;
use pinn::model::Model;
use pinn::pde::Pde;
use pinn::train::{Trainer, TrainerBuilder};

use super::plot::{LinePanel, Series, lines};

/// One evaluation: the step, the training seconds before it, the measured value.
#[derive(Clone, Copy, Debug)]
pub struct CurvePoint {
    /// Steps taken.
    pub step: usize,
    /// Training seconds so far (evaluations excluded).
    pub seconds: f64,
    /// The measure.
    pub value: f64,
}

/// The flags of an example that trains with validation curves (flattened into its command
/// line with `#[command(flatten)]`).
#[derive(clap::Args, Debug)]
pub struct CurveRunArgs {
    /// The precision.
    #[arg(long, value_enum, default_value_t = super::Dtype::F32)]
    pub dtype: super::Dtype,
    /// Worker threads [default: all cores].
    #[arg(long, value_name = "N", value_parser = super::cli::at_least(1))]
    pub threads: Option<usize>,
    /// Save each method's run to DIR/<method>-<dtype>.ckpt (every validation) and its curve
    /// to DIR/<method>-<dtype>.curve; a later run with the same DIR resumes from them (same
    /// bits as an uninterrupted run); both are removed when the method finishes [default:
    /// none].
    #[arg(long, value_name = "DIR")]
    pub checkpoint: Option<PathBuf>,
    /// Append the JSON lines to FILE [default: none].
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl CurveRunArgs {
    /// Checks the record file and creates the checkpoint folder, before any training.
    ///
    /// # Errors
    /// A sentence naming the flag and the path.
    pub fn check(&self) -> Result<(), String> {
        if let Some(path) = &self.record {
            super::check_writable("--record", path)?;
        }
        if let Some(dir) = &self.checkpoint {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("--checkpoint: cannot create {}: {e}", dir.display()))?;
            super::check_writable("--checkpoint", &dir.join("probe"))?;
        }
        Ok(())
    }
}

/// A run's checkpoint and curve journal in a folder, named `<label>-<dtype>.ckpt` and
/// `<label>-<dtype>.curve`.
pub struct RunFiles {
    /// The trainer's checkpoint.
    pub checkpoint: PathBuf,
    /// The curve journal ([`train_measured`]).
    pub journal: PathBuf,
}

impl RunFiles {
    /// The files of run `label` in precision `dtype` under `dir`.
    pub fn new(dir: &Path, label: &str, dtype: &str) -> RunFiles {
        let stem = format!("{label}-{dtype}");
        RunFiles {
            checkpoint: dir.join(format!("{stem}.ckpt")),
            journal: dir.join(format!("{stem}.curve")),
        }
    }

    /// The builder resuming from the checkpoint when it exists, and saving one every `every`
    /// steps (the validation period, so that the journal and the checkpoint agree).
    pub fn attach<P: Pde, T: Real, M: Model<T>>(
        &self,
        mut b: TrainerBuilder<P, T, M>,
        every: usize,
    ) -> TrainerBuilder<P, T, M> {
        if self.checkpoint.exists() {
            b = b.resume_from(&self.checkpoint);
        }
        b.checkpoint_every(every, &self.checkpoint)
    }

    /// Removes both files (a finished run).
    pub fn remove(&self) {
        super::remove_finished([&self.checkpoint, &self.journal]);
    }
}

/// The points of a journal written by [`train_measured`] up to step `upto` (a checkpoint's
/// step): later ones belong to steps the resumed run will take again.
fn read_journal(path: &Path, upto: usize) -> Vec<CurvePoint> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some(CurvePoint {
                step: f.next()?.parse().ok()?,
                seconds: f.next()?.parse().ok()?,
                value: f.next()?.parse().ok()?,
            })
        })
        .filter(|c| c.step <= upto)
        .collect()
}

/// Rewrites the journal with `curve` (a failure is reported, not fatal: the run goes on).
fn write_journal(path: &Path, curve: &[CurvePoint]) {
    let body: String = curve
        .iter()
        .map(|c| format!("{} {:?} {:?}\n", c.step, c.seconds, c.value))
        .collect();
    let done = std::fs::File::create(path).and_then(|mut f| f.write_all(body.as_bytes()));
    if let Err(e) = done {
        eprintln!("could not write the curve journal {}: {e}", path.display());
    }
}

/// Runs `trainer` to `steps` steps in segments of `every`, calling `measure(θ)` at the start
/// and after every segment; prints each value under `label`. Stops early, at the end of a
/// segment, once the training time reaches `budget` seconds. With a `journal` file the curve
/// is saved after every segment, and a trainer resumed from a checkpoint (saved every `every`
/// steps) continues the journal's curve and its training seconds. Returns the curve.
#[allow(clippy::too_many_arguments)]
pub fn train_measured<P: Pde, T: Real, M: Model<T>>(
    trainer: &mut Trainer<P, T, M>,
    steps: usize,
    every: usize,
    budget: f64,
    label: &str,
    journal: Option<&Path>,
    mut measure: impl FnMut(&[T]) -> pinn::Result<f64>,
) -> pinn::Result<Vec<CurvePoint>> {
    let resumed = trainer.step();
    let mut curve = journal.map_or_else(Vec::new, |p| read_journal(p, resumed));
    if resumed == 0 || curve.last().map(|c| c.step) != Some(resumed) {
        curve.clear();
        curve.push(CurvePoint {
            step: resumed,
            seconds: 0.0,
            value: measure(trainer.params())?,
        });
    } else {
        println!(
            "{label}: resumed at step {resumed} with {} curve points",
            curve.len()
        );
    }
    if let Some(p) = journal {
        write_journal(p, &curve);
    }
    let mut seconds = curve.last().map_or(0.0, |c| c.seconds);
    while trainer.step() < steps && seconds < budget {
        let take = every.max(1).min(steps - trainer.step());
        let start = Instant::now();
        trainer.run_steps(take)?;
        seconds += start.elapsed().as_secs_f64();
        let value = measure(trainer.params())?;
        println!("{label}: step {} validation {value:.3e}", trainer.step());
        curve.push(CurvePoint {
            step: trainer.step(),
            seconds,
            value,
        });
        if let Some(p) = journal {
            write_journal(p, &curve);
        }
    }
    Ok(curve)
}

/// The first training time at which the curve reaches `target` (linear in the evaluation
/// points, not interpolated), if it does.
pub fn time_to(curve: &[CurvePoint], target: f64) -> Option<f64> {
    curve.iter().find(|c| c.value <= target).map(|c| c.seconds)
}

/// Two panels, `y_label` against step and against training seconds (log scale), one line per
/// named curve.
pub fn plot_curves(
    path: &Path,
    heading: &str,
    y_label: &str,
    curves: &[(String, Vec<CurvePoint>)],
) -> Result<(), String> {
    let mut by_step = LinePanel::new(format!("{y_label} against step"), "step", y_label).log_y();
    let mut by_time = LinePanel::new(
        format!("{y_label} against time"),
        "training seconds",
        y_label,
    )
    .log_y();
    // Earlier curves drawn wider, so that one lying on another stays visible beneath it.
    let n = curves.len() as u32;
    for (i, (name, c)) in curves.iter().enumerate() {
        let width = 2 + 3 * (n - 1 - i as u32);
        let s = c.iter().map(|p| (p.step as f64, p.value)).collect();
        let t = c.iter().map(|p| (p.seconds, p.value)).collect();
        by_step = by_step.with(Series::line(name.clone(), s).colour(i).width(width));
        by_time = by_time.with(Series::line(name.clone(), t).colour(i).width(width));
    }
    super::save_figure(path, |p| lines(p, heading, &[by_step, by_time], (640, 420)))
}
