//! Checkpoints of a training run: the state, its file format (documented on [`Checkpoint`]),
//! and the reader and writer.

use std::path::Path;

use crate::ad::Real;
use crate::error::{Error, Result};
use crate::nets::params::{fnv1a, io_error, write_atomic};
use crate::optim::OptimizerState;
use crate::rng::Seed;

/// The version of the checkpoint format this build writes (it also reads version 1, the
/// same without the coefficient names).
pub const CHECKPOINT_VERSION: u32 = 2;

const MAGIC: &[u8; 8] = b"PINNCKPT";
/// Magic, version, dtype, length.
const HEADER: usize = 8 + 4 + 1 + 8;
/// Header and checksum: the smallest possible file is longer.
const MIN_LEN: usize = HEADER + 8;

/// The state of a training run at a step boundary: everything it needs to continue **bit for
/// bit**, stored in one versioned, checksummed file written atomically.
///
/// A [`Checkpoint`] holds the parameters, the step count, the run's seed and chunk size, every
/// optimizer phase (its optimizer's [`OptimizerState`] — Adam's moments, L-BFGS's history —
/// and how many steps it has done), every strategy's state, and every loss term's current
/// points, weights, per-point weights and recorded residuals (resampling and strategies move
/// them). [`Trainer::save_checkpoint`](super::Trainer::save_checkpoint) writes one;
/// [`TrainerBuilder::resume_from`](super::TrainerBuilder::resume_from) or
/// [`Trainer::load_checkpoint`](super::Trainer::load_checkpoint) puts it back into a trainer
/// built with the same configuration, and the continued run is identical, bit for bit, to the
/// run that was never interrupted. What is *not* in the file is configuration: the network,
/// the PDE, the optimizers' hyper-parameters, the resampling closures (which must depend on
/// their seed only) and observers come from the builder.
///
/// ## File layout (version 2)
///
/// All integers and floating-point numbers are little-endian. `R` is the run's real type
/// (`f32` or `f64`, the dtype byte), `vec<X>` is a `u64` count followed by that many `X`, and
/// `str` is a `vec<u8>` of UTF-8.
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `PINNCKPT` |
/// | 8 | 4 | format version, `u32` (= [`CHECKPOINT_VERSION`]) |
/// | 12 | 1 | dtype: 4 = `f32`, 8 = `f64` |
/// | 13 | 8 | total file length in bytes, `u64` |
/// | 21 | … | body (below) |
/// | len − 8 | 8 | FNV-1a 64-bit checksum of bytes `0 .. len − 8` |
///
/// Body, in order:
///
/// 1. `seed: u64`, `step: u64`, `chunk_size: u64`;
/// 2. parameters: `vec<R>` (network `θ`, then PDE coefficients);
/// 3. phases: `u64` count, then per phase `name: str`, `optimizer: str`, `steps: u64`,
///    `done: u64`, `counters: vec<u64>`, `values: vec<R>`;
/// 4. strategies: `u64` count, then per strategy `name: str`, `state: vec<f64>`;
/// 5. terms: `u64` count, then per term `name: str`, `weight: f64`, `record: u8` (0 or 1),
///    `points: vec<f64>`, `normals: vec<f64>`, `partners: vec<f64>`,
///    `point_weights: vec<R>`, `residuals: vec<R>`;
/// 6. the PDE's trainable coefficients' names: `u64` count, then per coefficient `name: str`
///    (their values are the last entries of the parameters). Version 1 files end after 5 and
///    read with no names (the names are then not checked on restore).
///
/// The reader checks, in this order, the magic, the version, the dtype, the length, the
/// checksum, and then parses the body with every count bounded by the bytes that remain, so a
/// truncated, corrupted or foreign file is an [`Error::Format`] that says what is wrong, never
/// a panic or a huge allocation. Every single-byte change of a file is detected (FNV-1a maps
/// a change of one byte to a change of the hash).
///
/// Files are written to `path.tmp`, synced, and renamed over `path`, so a crash while writing
/// leaves the previous checkpoint intact.
///
/// ```
/// use pinn::optim::OptimizerState;
/// use pinn::rng::Seed;
/// use pinn::train::{Checkpoint, PhaseCheckpoint};
///
/// let ckpt = Checkpoint::<f64> {
///     seed: Seed(7),
///     step: 3,
///     chunk_size: 256,
///     params: vec![0.5, -1.25],
///     phases: vec![PhaseCheckpoint {
///         name: "adam".into(),
///         optimizer: "adam".into(),
///         steps: 10,
///         done: 3,
///         state: OptimizerState { counters: vec![3], values: vec![0.0; 4] },
///     }],
///     strategies: vec![],
///     terms: vec![],
///     coefficients: vec![],
/// };
/// let bytes = ckpt.to_bytes();
/// assert_eq!(Checkpoint::<f64>::from_bytes(&bytes)?, ckpt);
/// assert!(Checkpoint::<f64>::from_bytes(&bytes[..bytes.len() - 1]).is_err()); // truncated
/// assert!(Checkpoint::<f32>::from_bytes(&bytes).is_err()); // wrong dtype
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint<T> {
    /// The run's seed (every random stream derives from it).
    pub seed: Seed,
    /// Steps taken so far (counted across phases).
    pub step: usize,
    /// The chunk size the run was assembled with (part of the determinism contract).
    pub chunk_size: usize,
    /// The parameters: the network's `θ`, then the PDE's trainable coefficients.
    pub params: Vec<T>,
    /// Every optimizer phase, in order.
    pub phases: Vec<PhaseCheckpoint<T>>,
    /// Every strategy, in order.
    pub strategies: Vec<StrategyCheckpoint>,
    /// Every loss term, in order.
    pub terms: Vec<TermCheckpoint<T>>,
    /// The names of the PDE's trainable coefficients
    /// ([`Pde::coefficient_specs`](crate::pde::Pde::coefficient_specs)), whose values end
    /// `params`; empty when there are none or the file is of version 1.
    pub coefficients: Vec<String>,
}

/// One optimizer phase in a [`Checkpoint`].
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseCheckpoint<T> {
    /// The phase's name.
    pub name: String,
    /// Its optimizer's [`name`](crate::optim::Optimizer::name).
    pub optimizer: String,
    /// The steps the phase was configured with.
    pub steps: usize,
    /// The steps it has done (equal to `steps` once it is over, also after converging).
    pub done: usize,
    /// Its optimizer's state.
    pub state: OptimizerState<T>,
}

/// One strategy in a [`Checkpoint`].
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyCheckpoint {
    /// The strategy's [`name`](crate::strategies::Strategy::name).
    pub name: String,
    /// Its [`state`](crate::strategies::Strategy::state).
    pub state: Vec<f64>,
}

/// One loss term in a [`Checkpoint`]: what resampling and strategies may change.
#[derive(Clone, Debug, PartialEq)]
pub struct TermCheckpoint<T> {
    /// The term's name.
    pub name: String,
    /// Its weight `w_t`.
    pub weight: f64,
    /// Its current points (point-major).
    pub points: Vec<f64>,
    /// Their outward normals, or empty.
    pub normals: Vec<f64>,
    /// Their periodic partners, or empty.
    pub partners: Vec<f64>,
    /// Per-point weights `λ_p`, or empty.
    pub point_weights: Vec<T>,
    /// Whether per-point residuals are recorded.
    pub record: bool,
    /// The residuals recorded by the last evaluation, or empty.
    pub residuals: Vec<T>,
}

fn bad(reason: String) -> Error {
    Error::Format {
        what: "checkpoint",
        reason,
    }
}

fn dtype_of<T: Real>() -> u8 {
    if T::NAME == "f32" { 4 } else { 8 }
}

fn dtype_name(d: u8) -> &'static str {
    if d == 4 { "f32" } else { "f64" }
}

/// Appends little-endian fields.
struct Writer<T> {
    out: Vec<u8>,
    _t: core::marker::PhantomData<T>,
}

impl<T: Real> Writer<T> {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    fn f64(&mut self, v: f64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    fn real(&mut self, v: T) {
        if dtype_of::<T>() == 4 {
            self.out
                .extend_from_slice(&(v.to_f64() as f32).to_le_bytes());
        } else {
            self.f64(v.to_f64());
        }
    }
    fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.out.extend_from_slice(s.as_bytes());
    }
    fn f64s(&mut self, v: &[f64]) {
        self.usize(v.len());
        v.iter().for_each(|&x| self.f64(x));
    }
    fn u64s(&mut self, v: &[u64]) {
        self.usize(v.len());
        v.iter().for_each(|&x| self.u64(x));
    }
    fn reals(&mut self, v: &[T]) {
        self.usize(v.len());
        v.iter().for_each(|&x| self.real(x));
    }
}

/// Reads little-endian fields, every count bounded by the bytes that remain.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    real: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let rest = self.bytes.len() - self.pos;
        if n > rest {
            return Err(bad(format!(
                "{what} at byte {} needs {n} bytes, only {rest} remain",
                self.pos
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(b))
    }
    fn usize(&mut self, what: &str) -> Result<usize> {
        let v = self.u64(what)?;
        usize::try_from(v).map_err(|_| bad(format!("{what} = {v} does not fit in usize")))
    }
    fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_bits(self.u64(what)?))
    }
    /// A count of items of `size` bytes each, checked against the bytes that remain.
    fn count(&mut self, size: usize, what: &str) -> Result<usize> {
        let n = self.u64(what)?;
        let rest = (self.bytes.len() - self.pos) as u64;
        if n.checked_mul(size as u64).is_none_or(|b| b > rest) {
            return Err(bad(format!(
                "{what}: {n} items of {size} bytes do not fit in the {rest} bytes that remain"
            )));
        }
        Ok(n as usize)
    }
    fn str(&mut self, what: &str) -> Result<String> {
        let n = self.count(1, what)?;
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| bad(format!("{what} is not UTF-8")))
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>> {
        let n = self.count(8, what)?;
        (0..n).map(|_| self.f64(what)).collect()
    }
    fn u64s(&mut self, what: &str) -> Result<Vec<u64>> {
        let n = self.count(8, what)?;
        (0..n).map(|_| self.u64(what)).collect()
    }
    fn reals<T: Real>(&mut self, what: &str) -> Result<Vec<T>> {
        let n = self.count(self.real, what)?;
        let b = self.take(n * self.real, what)?;
        Ok(b.chunks_exact(self.real)
            .map(|c| {
                let v = if let [a, b, c, d] = *c {
                    f64::from(f32::from_le_bytes([a, b, c, d]))
                } else {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(c);
                    f64::from_le_bytes(a)
                };
                T::from_f64(v)
            })
            .collect())
    }
}

impl<T: Real> Checkpoint<T> {
    /// Serialises the checkpoint into the format described on [`Checkpoint`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::<T> {
            out: Vec::new(),
            _t: core::marker::PhantomData,
        };
        w.out.extend_from_slice(MAGIC);
        w.out.extend_from_slice(&CHECKPOINT_VERSION.to_le_bytes());
        w.u8(dtype_of::<T>());
        w.u64(0); // total length, filled in below
        w.u64(self.seed.0);
        w.usize(self.step);
        w.usize(self.chunk_size);
        w.reals(&self.params);
        w.usize(self.phases.len());
        for p in &self.phases {
            w.str(&p.name);
            w.str(&p.optimizer);
            w.usize(p.steps);
            w.usize(p.done);
            w.u64s(&p.state.counters);
            w.reals(&p.state.values);
        }
        w.usize(self.strategies.len());
        for s in &self.strategies {
            w.str(&s.name);
            w.f64s(&s.state);
        }
        w.usize(self.terms.len());
        for t in &self.terms {
            w.str(&t.name);
            w.f64(t.weight);
            w.u8(u8::from(t.record));
            w.f64s(&t.points);
            w.f64s(&t.normals);
            w.f64s(&t.partners);
            w.reals(&t.point_weights);
            w.reals(&t.residuals);
        }
        w.usize(self.coefficients.len());
        for c in &self.coefficients {
            w.str(c);
        }
        let mut out = w.out;
        let total = (out.len() + 8) as u64;
        out[13..21].copy_from_slice(&total.to_le_bytes());
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Parses a checkpoint; its dtype must be `T`'s.
    ///
    /// # Errors
    ///
    /// [`Error::Format`] naming what is wrong: not a checkpoint (magic), another format
    /// version, another dtype, a truncated or over-long file, a checksum mismatch, or a body
    /// that does not parse.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let len = bytes.len();
        let magic_len = len.min(MAGIC.len());
        if bytes[..magic_len] != MAGIC[..magic_len] {
            return Err(bad(
                "missing the PINNCKPT magic (not a checkpoint file?)".into()
            ));
        }
        if len < MIN_LEN {
            return Err(bad(format!(
                "truncated: {len} bytes, shorter than the {MIN_LEN}-byte header and checksum"
            )));
        }
        let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        if !(1..=CHECKPOINT_VERSION).contains(&version) {
            return Err(bad(format!(
                "format version {version}; this build reads versions 1 to {CHECKPOINT_VERSION}"
            )));
        }
        let dtype = bytes[12];
        if dtype != 4 && dtype != 8 {
            return Err(bad(format!(
                "dtype byte {dtype}, expected 4 (f32) or 8 (f64)"
            )));
        }
        if dtype != dtype_of::<T>() {
            return Err(bad(format!(
                "holds {} values, but {} was requested",
                dtype_name(dtype),
                T::NAME
            )));
        }
        let mut r = Reader {
            bytes,
            pos: 13,
            real: usize::from(dtype),
        };
        let total = r.u64("file length")?;
        if total != len as u64 {
            return Err(bad(if (len as u64) < total {
                format!("truncated: {len} of {total} bytes")
            } else {
                format!(
                    "{} bytes after the {total}-byte checkpoint",
                    len as u64 - total
                )
            }));
        }
        let (body, sum) = bytes.split_at(len - 8);
        let mut stored = [0u8; 8];
        stored.copy_from_slice(sum);
        if fnv1a(body) != u64::from_le_bytes(stored) {
            return Err(bad("checksum mismatch (the file is corrupted)".into()));
        }
        r.bytes = body;
        let ckpt = parse_body(&mut r, version)?;
        if r.pos != body.len() {
            return Err(bad(format!(
                "{} unparsed bytes before the checksum",
                body.len() - r.pos
            )));
        }
        Ok(ckpt)
    }

    /// Writes the checkpoint to `path` atomically (`path.tmp`, synced, then renamed).
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic(path.as_ref(), &self.to_bytes())
    }

    /// Reads a checkpoint written by [`Checkpoint::write`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
        Self::from_bytes(&bytes)
    }
}

fn parse_body<T: Real>(r: &mut Reader<'_>, version: u32) -> Result<Checkpoint<T>> {
    let seed = Seed(r.u64("seed")?);
    let step = r.usize("step")?;
    let chunk_size = r.usize("chunk size")?;
    let params = r.reals("parameters")?;
    // Each phase takes at least 6 counts/strings of 8 bytes.
    let n = r.count(48, "phase count")?;
    let mut phases = Vec::with_capacity(n);
    for _ in 0..n {
        phases.push(PhaseCheckpoint {
            name: r.str("phase name")?,
            optimizer: r.str("optimizer name")?,
            steps: r.usize("phase steps")?,
            done: r.usize("phase steps done")?,
            state: OptimizerState {
                counters: r.u64s("optimizer counters")?,
                values: r.reals("optimizer values")?,
            },
        });
    }
    let n = r.count(16, "strategy count")?;
    let mut strategies = Vec::with_capacity(n);
    for _ in 0..n {
        strategies.push(StrategyCheckpoint {
            name: r.str("strategy name")?,
            state: r.f64s("strategy state")?,
        });
    }
    let n = r.count(57, "term count")?;
    let mut terms = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str("term name")?;
        let weight = r.f64("term weight")?;
        let record = match r.u8("term record flag")? {
            0 => false,
            1 => true,
            b => {
                return Err(bad(format!(
                    "term `{name}`: record flag {b}, expected 0 or 1"
                )));
            }
        };
        terms.push(TermCheckpoint {
            name,
            weight,
            record,
            points: r.f64s("term points")?,
            normals: r.f64s("term normals")?,
            partners: r.f64s("term partners")?,
            point_weights: r.reals("term point weights")?,
            residuals: r.reals("term residuals")?,
        });
    }
    let mut coefficients = Vec::new();
    if version >= 2 {
        let n = r.count(8, "coefficient count")?;
        for _ in 0..n {
            coefficients.push(r.str("coefficient name")?);
        }
    }
    Ok(Checkpoint {
        seed,
        step,
        chunk_size,
        params,
        phases,
        strategies,
        terms,
        coefficients,
    })
}
