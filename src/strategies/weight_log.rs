//! A shared record of how a balancing strategy's weights evolve, readable while the strategy
//! itself lives inside a [`Trainer`](crate::train::Trainer).

use std::sync::{Arc, Mutex, MutexGuard};

/// The history of a strategy's weights: named columns, one row per recorded step, plus the
/// latest full weight vectors.
///
/// A strategy is moved into the trainer when it is added, so it hands out a `WeightLog`
/// (a cheap clone of a shared handle) before that; the caller reads it during or after the
/// run, for plots and reports. The columns are documented by each strategy
/// ([`LrAnnealing`](super::LrAnnealing), [`SelfAdaptive`](super::SelfAdaptive)).
///
/// ```
/// use pinn::strategies::WeightLog;
/// let log = WeightLog::default();
/// let reader = log.clone();
/// log.set_columns(vec!["λ[boundary]".into()]);
/// log.push(0, vec![1.5]);
/// assert_eq!(reader.rows(), vec![(0, vec![1.5])]);
/// assert_eq!(reader.column("λ[boundary]"), Some(vec![1.5]));
/// ```
#[derive(Clone, Debug, Default)]
pub struct WeightLog {
    inner: Arc<Mutex<LogData>>,
}

#[derive(Debug, Default)]
struct LogData {
    columns: Vec<String>,
    rows: Vec<(usize, Vec<f64>)>,
    current: Vec<Vec<f64>>,
}

impl WeightLog {
    fn lock(&self) -> MutexGuard<'_, LogData> {
        // A panic while holding the lock cannot leave the data half-written (every write is
        // one push or one assignment), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Names the columns (clears nothing).
    pub fn set_columns(&self, columns: Vec<String>) {
        self.lock().columns = columns;
    }

    /// Appends the row of `step`.
    pub fn push(&self, step: usize, values: Vec<f64>) {
        self.lock().rows.push((step, values));
    }

    /// Replaces the latest full weight vectors.
    pub fn set_current(&self, current: Vec<Vec<f64>>) {
        self.lock().current = current;
    }

    /// The column names.
    pub fn columns(&self) -> Vec<String> {
        self.lock().columns.clone()
    }

    /// Every recorded `(step, values)` row, in order.
    pub fn rows(&self) -> Vec<(usize, Vec<f64>)> {
        self.lock().rows.clone()
    }

    /// The last recorded row.
    pub fn last(&self) -> Option<(usize, Vec<f64>)> {
        self.lock().rows.last().cloned()
    }

    /// One column over all rows, by name.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let d = self.lock();
        let c = d.columns.iter().position(|n| n == name)?;
        Some(d.rows.iter().map(|r| r.1[c]).collect())
    }

    /// The latest full weight vectors (one per weighted group or term).
    pub fn current(&self) -> Vec<Vec<f64>> {
        self.lock().current.clone()
    }
}
