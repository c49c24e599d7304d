//! Validation curves: train in segments, evaluate a held-out measure between them (its time
//! not counted as training), and plot it against step and against training seconds.

use std::path::Path;
use std::time::Instant;

use pinn::ad::Real;
use pinn::model::Model;
use pinn::pde::Pde;
use pinn::train::Trainer;

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

/// Runs `trainer` to `steps` steps in segments of `every`, calling `measure(θ)` at the start
/// and after every segment; prints each value under `label`. Stops early, at the end of a
/// segment, once the training time reaches `budget` seconds. Returns the curve.
pub fn train_measured<P: Pde, T: Real, M: Model<T>>(
    trainer: &mut Trainer<P, T, M>,
    steps: usize,
    every: usize,
    budget: f64,
    label: &str,
    mut measure: impl FnMut(&[T]) -> pinn::Result<f64>,
) -> pinn::Result<Vec<CurvePoint>> {
    let mut curve = vec![CurvePoint {
        step: trainer.step(),
        seconds: 0.0,
        value: measure(trainer.params())?,
    }];
    let mut seconds = 0.0;
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
    for (i, (name, c)) in curves.iter().enumerate() {
        let s = c.iter().map(|p| (p.step as f64, p.value)).collect();
        let t = c.iter().map(|p| (p.seconds, p.value)).collect();
        by_step = by_step.with(Series::line(name.clone(), s).colour(i));
        by_time = by_time.with(Series::line(name.clone(), t).colour(i));
    }
    super::save_figure(path, |p| lines(p, heading, &[by_step, by_time], (640, 420)))
}
