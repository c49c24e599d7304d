//! Exporting results: predictions on a grid to CSV and NumPy's `.npy`, the loss history to
//! CSV, and the small writers (and a CSV reader) behind them. No dependency: NPY v1.0 and
//! plain CSV are a few lines each.
//!
//! - [`Trainer::predict_grid`](super::Trainer::predict_grid) evaluates the network on a tensor
//!   grid ([`GridPrediction`]), which writes itself as CSV (`x0, …, u0, …` per point) or as an
//!   array of shape `(c_0, …, c_{d−1}, m)` in C order (`numpy.load` gives `u[i, j, o]`).
//! - [`write_history_csv`]: `step, loss, <term>…` per step of a [`Report`](super::Report).
//! - [`npy_bytes`] / [`write_npy`]: any `f32` (`<f4`) or `f64` (`<f8`) array; [`csv_string`] /
//!   [`write_csv`] / [`read_csv`]: numeric tables with a header.
//!
//! Numbers are written in Rust's shortest round-trip form, so reading a CSV back gives the
//! same bits. Files are written atomically (temporary file, then rename).
//!
//! ```
//! use pinn::train::export::{npy_bytes, read_csv, write_csv};
//!
//! let bytes = npy_bytes(&[1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
//! assert_eq!(&bytes[..6], b"\x93NUMPY");
//! assert_eq!(bytes.len(), 128 + 6 * 8); // a 64-byte-aligned header, then the data
//!
//! let path = std::env::temp_dir().join("pinn_export_doctest.csv");
//! write_csv(&path, &["x", "u"], &[0.0, 0.1, 0.5, 1.0 / 3.0])?;
//! let (header, data) = read_csv(&path)?;
//! assert_eq!(header, ["x", "u"]);
//! assert_eq!(data, [0.0, 0.1, 0.5, 1.0 / 3.0]); // bit for bit
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), pinn::Error>(())
//! ```

use std::fmt::Write as _;
use std::path::Path;

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::nets::params::{io_error, write_atomic};

use super::report::HistoryRow;

/// A network's outputs on a tensor grid, from
/// [`Trainer::predict_grid`](super::Trainer::predict_grid).
#[derive(Clone, Debug, PartialEq)]
pub struct GridPrediction {
    /// Points per axis, `c_k ≥ 2`; the first axis varies slowest.
    pub counts: Vec<usize>,
    /// The grid points, point-major (`d` numbers each).
    pub points: Vec<f64>,
    /// The outputs, `m` per point, output index fastest.
    pub values: Vec<f64>,
    /// The number of outputs `m`.
    pub outputs: usize,
}

impl GridPrediction {
    /// The input dimension `d`.
    pub fn dim(&self) -> usize {
        self.counts.len()
    }

    /// The number of grid points.
    pub fn len(&self) -> usize {
        self.points.len() / self.dim().max(1)
    }

    /// Whether the grid has no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The shape of [`GridPrediction::write_npy`]'s array: `counts ++ [m]`.
    pub fn shape(&self) -> Vec<usize> {
        let mut s = self.counts.clone();
        s.push(self.outputs);
        s
    }

    /// One row per point: `x0, …, x{d−1}, u0, …, u{m−1}`.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let (d, m) = (self.dim(), self.outputs);
        let header: Vec<String> = (0..d)
            .map(|k| format!("x{k}"))
            .chain((0..m).map(|o| format!("u{o}")))
            .collect();
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut data = Vec::with_capacity(self.len() * (d + m));
        for (x, u) in self
            .points
            .chunks(d.max(1))
            .zip(self.values.chunks(m.max(1)))
        {
            data.extend_from_slice(x);
            data.extend_from_slice(u);
        }
        write_csv(path, &header, &data)
    }

    /// The outputs as an `f64` array of shape `(c_0, …, c_{d−1}, m)`, C order.
    pub fn write_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        write_npy(path, &self.values, &self.shape())
    }

    /// The outputs as an `f32` array of shape `(c_0, …, c_{d−1}, m)`, C order.
    pub fn write_npy_f32(&self, path: impl AsRef<Path>) -> Result<()> {
        let v: Vec<f32> = self.values.iter().map(|&x| x as f32).collect();
        write_npy(path, &v, &self.shape())
    }
}

/// An NPY v1.0 file holding `data` as a C-order array of `shape` with dtype `<f4` (`f32`) or
/// `<f8` (`f64`): the magic `\x93NUMPY`, version 1.0, a little-endian `u16` header length,
/// the header dictionary padded with spaces and a newline to a multiple of 64 bytes, then the
/// values, little-endian. The bytes are those `numpy.save` writes for the same array
/// (checked against numpy 2.4 for ranks 0 to 20).
///
/// # Errors
///
/// [`Error::DimensionMismatch`] unless `data.len()` is the product of `shape`;
/// [`Error::InvalidConfig`] if the header does not fit in v1.0's 65535 bytes.
pub fn npy_bytes<T: Real>(data: &[T], shape: &[usize]) -> Result<Vec<u8>> {
    let count = shape.iter().try_fold(1usize, |a, &s| a.checked_mul(s));
    if count != Some(data.len()) {
        return Err(Error::DimensionMismatch {
            what: "NPY data (the product of the shape)",
            expected: count.unwrap_or(usize::MAX),
            found: data.len(),
        });
    }
    let f32s = T::NAME == "f32";
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let descr = if f32s { "<f4" } else { "<f8" };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Room for the first axis to grow to 21 digits in place, as `numpy.save` leaves.
    if let Some(first) = dims.first() {
        header.push_str(&" ".repeat(21usize.saturating_sub(first.len())));
    }
    // Pad so that magic (6) + version (2) + length (2) + header ends on a 64-byte boundary,
    // exactly as `numpy.save` does (a whole line of 64 spaces when it is already aligned).
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(64 - unpadded % 64));
    header.push('\n');
    let len = u16::try_from(header.len()).map_err(|_| Error::InvalidConfig {
        field: "npy.shape",
        reason: format!(
            "a {}-byte header does not fit in NPY v1.0 (at most 65535)",
            header.len()
        ),
    })?;
    let size = if f32s { 4 } else { 8 };
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * size);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for &v in data {
        if f32s {
            out.extend_from_slice(&(v.to_f64() as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&v.to_f64().to_le_bytes());
        }
    }
    Ok(out)
}

/// Writes [`npy_bytes`] to `path` atomically.
pub fn write_npy<T: Real>(path: impl AsRef<Path>, data: &[T], shape: &[usize]) -> Result<()> {
    write_atomic(path.as_ref(), &npy_bytes(data, shape)?)
}

/// A CSV field, quoted if it holds a comma or a quote.
fn field(name: &str) -> Result<String> {
    if name.contains(['\n', '\r']) {
        return Err(Error::InvalidConfig {
            field: "csv.header",
            reason: format!("a column name may not contain a line break, found {name:?}"),
        });
    }
    Ok(if name.contains([',', '"']) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    })
}

/// A CSV table: a header line, then one line per row of `header.len()` numbers taken from
/// `data` (row-major) in Rust's shortest round-trip form (`NaN`, `inf`, `-inf` as such).
///
/// # Errors
///
/// [`Error::DimensionMismatch`] unless `data.len()` is a multiple of the number of columns;
/// [`Error::InvalidConfig`] for an empty header or a column name with a line break.
pub fn csv_string(header: &[&str], data: &[f64]) -> Result<String> {
    let cols = header.len();
    if cols == 0 {
        return Err(Error::InvalidConfig {
            field: "csv.header",
            reason: "a table needs at least one column, found 0".into(),
        });
    }
    if !data.len().is_multiple_of(cols) {
        return Err(Error::DimensionMismatch {
            what: "CSV data (a multiple of the number of columns)",
            expected: data.len().div_ceil(cols) * cols,
            found: data.len(),
        });
    }
    let names: Vec<String> = header.iter().map(|h| field(h)).collect::<Result<_>>()?;
    let mut out = names.join(",");
    out.push('\n');
    for row in data.chunks(cols) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        out.push('\n');
    }
    Ok(out)
}

/// Writes [`csv_string`] to `path` atomically.
pub fn write_csv(path: impl AsRef<Path>, header: &[&str], data: &[f64]) -> Result<()> {
    write_atomic(path.as_ref(), csv_string(header, data)?.as_bytes())
}

/// Splits one CSV line into fields, undoing the quoting of [`csv_string`].
fn split_line(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let cur = fields.last_mut()?;
        match (c, quoted) {
            ('"', false) if cur.is_empty() => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            ('"', true) => quoted = false,
            (',', false) => fields.push(String::new()),
            (c, _) => cur.push(c),
        }
    }
    (!quoted).then_some(fields)
}

/// Parses a table written by [`csv_string`]: the header and the numbers, row-major.
///
/// # Errors
///
/// [`Error::Format`] naming the line and column of a field that is not a number, a row with
/// the wrong number of fields, or an unterminated quote.
pub fn parse_csv(text: &str) -> Result<(Vec<String>, Vec<f64>)> {
    let bad = |reason: String| Error::Format {
        what: "CSV table",
        reason,
    };
    let mut lines = text.lines();
    let header = lines
        .next()
        .and_then(split_line)
        .ok_or_else(|| bad("no header line".into()))?;
    let mut data = Vec::new();
    for (i, line) in lines.enumerate() {
        let fields = split_line(line).ok_or_else(|| bad(format!("line {}: open quote", i + 2)))?;
        if fields.len() != header.len() {
            return Err(bad(format!(
                "line {}: {} fields, the header has {}",
                i + 2,
                fields.len(),
                header.len()
            )));
        }
        for (j, f) in fields.iter().enumerate() {
            let v = f.trim().parse::<f64>().map_err(|_| {
                bad(format!(
                    "line {}, column {}: {f:?} is not a number",
                    i + 2,
                    j + 1
                ))
            })?;
            data.push(v);
        }
    }
    Ok((header, data))
}

/// Reads a CSV file written by [`write_csv`] (see [`parse_csv`]).
pub fn read_csv(path: impl AsRef<Path>) -> Result<(Vec<String>, Vec<f64>)> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    parse_csv(&text)
}

/// The loss history as CSV: `step, loss, <term names>…`, one row per step.
///
/// # Errors
///
/// [`Error::DimensionMismatch`] if a row does not have one loss per term name.
pub fn history_csv<T: Real>(history: &[HistoryRow<T>], term_names: &[String]) -> Result<String> {
    let mut header = vec!["step", "loss"];
    header.extend(term_names.iter().map(String::as_str));
    let mut data = Vec::with_capacity(history.len() * header.len());
    for row in history {
        if row.terms.len() != term_names.len() {
            return Err(Error::DimensionMismatch {
                what: "history row terms vs term names",
                expected: term_names.len(),
                found: row.terms.len(),
            });
        }
        data.push(row.step as f64);
        data.push(row.loss.to_f64());
        data.extend(row.terms.iter().map(|t| t.to_f64()));
    }
    csv_string(&header, &data)
}

/// Writes [`history_csv`] to `path` atomically; `term_names` from
/// [`Trainer::term_names`](super::Trainer::term_names).
pub fn write_history_csv<T: Real>(
    path: impl AsRef<Path>,
    history: &[HistoryRow<T>],
    term_names: &[String],
) -> Result<()> {
    write_atomic(path.as_ref(), history_csv(history, term_names)?.as_bytes())
}
