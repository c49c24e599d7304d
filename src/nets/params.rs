//! Saving and loading a parameter vector `θ`.
//!
//! The format is small and self-checking: the magic `PINNPAR1`, a dtype byte (4 = f32,
//! 8 = f64), the count as a little-endian `u64`, the values as little-endian IEEE numbers, and
//! an FNV-1a 64-bit checksum of everything before it. Writes go to a temporary file that is
//! renamed over the target, so a crash never leaves a half-written file under the real name.
//!
//! ```
//! use pinn::nets::params::{load, save};
//! let path = std::env::temp_dir().join("pinn_params_doctest.bin");
//! save(&path, &[1.0f64, -2.5, 3.25])?;
//! let theta: Vec<f64> = load(&path)?;
//! assert_eq!(theta, vec![1.0, -2.5, 3.25]);
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), pinn::Error>(())
//! ```

use std::path::Path;

use crate::ad::Real;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"PINNPAR1";

/// FNV-1a, 64 bits.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Serialises `theta` into the format above.
pub fn to_bytes<T: Real>(theta: &[T]) -> Vec<u8> {
    let size = if T::NAME == "f32" { 4u8 } else { 8u8 };
    let mut out = Vec::with_capacity(17 + theta.len() * size as usize + 8);
    out.extend_from_slice(MAGIC);
    out.push(size);
    out.extend_from_slice(&(theta.len() as u64).to_le_bytes());
    for &t in theta {
        if size == 4 {
            out.extend_from_slice(&(t.to_f64() as f32).to_le_bytes());
        } else {
            out.extend_from_slice(&t.to_f64().to_le_bytes());
        }
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Parses the format above; the dtype in the file must be `T`'s.
pub fn from_bytes<T: Real>(bytes: &[u8]) -> Result<Vec<T>> {
    let bad = |reason: String| Error::Format {
        what: "parameter file",
        reason,
    };
    if bytes.len() < 25 || &bytes[..8] != MAGIC {
        return Err(bad(
            "missing the PINNPAR1 header (not a parameter file?)".into()
        ));
    }
    let size = bytes[8] as usize;
    let want = if T::NAME == "f32" { 4 } else { 8 };
    if size != want {
        return Err(bad(format!(
            "holds {}-byte numbers, but {} was requested",
            size,
            T::NAME
        )));
    }
    let count = u64::from_le_bytes(bytes[9..17].try_into().expect("8 bytes"));
    let expected = (count as u128) * size as u128 + 25;
    if bytes.len() as u128 != expected {
        return Err(bad(format!(
            "length {} does not match {count} values (expected {expected} bytes)",
            bytes.len()
        )));
    }
    let body = &bytes[..bytes.len() - 8];
    let stored = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
    if fnv1a(body) != stored {
        return Err(bad("checksum mismatch (corrupted file)".into()));
    }
    Ok(body[17..]
        .chunks_exact(size)
        .map(|c| {
            let v = if size == 4 {
                f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64
            } else {
                f64::from_le_bytes(c.try_into().expect("8 bytes"))
            };
            T::from_f64(v)
        })
        .collect())
}

/// Writes `theta` to `path` atomically (temporary file, then rename).
pub fn save<T: Real>(path: impl AsRef<Path>, theta: &[T]) -> Result<()> {
    write_atomic(path.as_ref(), &to_bytes(theta))
}

/// Reads a parameter vector written by [`save`].
pub fn load<T: Real>(path: impl AsRef<Path>) -> Result<Vec<T>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    from_bytes(&bytes)
}

pub(crate) fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `bytes` to a sibling temporary file (`path` + `.tmp`), syncs it, renames it over
/// `path`, then syncs the directory (where the platform allows) so the rename itself is
/// durable. A crash at any point leaves either the old file or the new one under `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| io_error(path, e))?;
    // Best effort: not every platform can open or sync a directory.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
