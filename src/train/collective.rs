//! Data-parallel training: several processes (*ranks*) share one run and get the bits of one
//! process.
//!
//! Every rank holds the whole run: the network, the PDE, every term's points, the parameters,
//! the optimizer and the strategies, all built from the same seed. What is split is the one
//! expensive thing, the loss and its gradient. The chunks of every term, in the order of the
//! [fixed reduction tree](super::reduce), are cut into one contiguous range per rank, balanced by
//! cost (points × derivative components). Each rank sums its range alone into the few aligned
//! nodes of the tree that tile it; the ranges are then merged in a binomial tree over ranks
//! (rank `r` takes the nodes of rank `r + 1`, `r + 2`, `r + 4`, …: each merge is again a
//! contiguous range, so its nodes combine exactly as on one process), and rank 0, which ends
//! with the whole range, folds the root and broadcasts the loss, the gradient and the recorded
//! residuals. **The sum is the same tree of additions whatever the number of ranks**, so a run
//! on `N` ranks gives the same bits as the same run in one process, for any `N` (a rank may
//! even own no chunk).
//!
//! After the broadcast every rank runs the optimizer, the strategies, the resampling and the
//! metrics itself, on identical inputs: they are cheap beside the loss, and running them
//! everywhere costs no communication and keeps every rank's state identical (so any rank's
//! checkpoint is the run's checkpoint). Rank 0 alone writes files; a checkpoint written with
//! `N` ranks resumes with `M`.
//!
//! Failures never hang: a rank whose chunk fails (a non-finite loss, a residual that reads an
//! undeclared derivative) still takes part in the merge, carrying the error instead of its
//! sums; the first failure in chunk order wins, as on one process, and every rank returns it.
//! At the start, [`Trainer`](super::Trainer) compares a fingerprint of each rank's
//! configuration (parameters, points, terms, phases, seed, chunk size) with rank 0's and
//! every rank stops with the same [`Error::Collective`] if one differs.
//!
//! A group of ranks is anything that implements [`Collective`]: point-to-point messages of
//! bytes, in order, between ranks. [`local_group`] makes one of threads in one process (for
//! tests, and to try the split without MPI); with the cargo feature `mpi`, `MpiWorld` is
//! MPI's world communicator (Open MPI or MPICH, through the `mpi` crate).

use std::sync::mpsc::{Receiver, Sender, channel};

use crate::ad::Real;
use crate::error::{Error, Result};

use super::reduce::TreeSum;

/// A group of ranks that train one model together: ordered, reliable messages of bytes between
/// any two ranks. Messages from one rank to another arrive in the order they were sent.
///
/// The trainer calls it from one thread at a time (never from two at once), but not always
/// from the thread that created it.
pub trait Collective: Send {
    /// This rank's number, `0..size`.
    fn rank(&self) -> usize;
    /// The number of ranks.
    fn size(&self) -> usize;
    /// Sends `message` to rank `to`.
    ///
    /// # Errors
    ///
    /// [`Error::Collective`] if the message cannot be delivered.
    fn send(&mut self, to: usize, message: &[u8]) -> Result<()>;
    /// Receives the next message from rank `from`, waiting for it.
    ///
    /// # Errors
    ///
    /// [`Error::Collective`] if the rank is gone.
    fn receive(&mut self, from: usize) -> Result<Vec<u8>>;
}

/// One rank of a [`local_group`]: a thread of this process.
#[derive(Debug)]
pub struct LocalRank {
    rank: usize,
    to: Vec<Sender<Vec<u8>>>,
    from: Vec<Receiver<Vec<u8>>>,
}

/// `size` ranks in this process, connected by channels: hand one to each of `size` threads,
/// each with its own [`Trainer`](super::Trainer). The split and the merge are those of an MPI
/// run; only the transport differs.
///
/// ```
/// use pinn::train::collective::{Collective, local_group};
/// let ranks = local_group(3);
/// let handles: Vec<_> = ranks
///     .into_iter()
///     .map(|mut c| {
///         std::thread::spawn(move || {
///             let right = (c.rank() + 1) % c.size();
///             let left = (c.rank() + c.size() - 1) % c.size();
///             c.send(right, &[c.rank() as u8])?;
///             c.receive(left)
///         })
///     })
///     .collect();
/// for (r, h) in handles.into_iter().enumerate() {
///     assert_eq!(h.join().unwrap()?, vec![((r + 2) % 3) as u8]);
/// }
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn local_group(size: usize) -> Vec<LocalRank> {
    // links[a][b]: the channel from rank a to rank b.
    let mut senders: Vec<Vec<Option<Sender<Vec<u8>>>>> = vec![vec![None; size]; size];
    let mut receivers: Vec<Vec<Option<Receiver<Vec<u8>>>>> = (0..size)
        .map(|_| (0..size).map(|_| None).collect())
        .collect();
    for (a, row) in senders.iter_mut().enumerate() {
        for (b, slot) in row.iter_mut().enumerate() {
            let (tx, rx) = channel();
            *slot = Some(tx);
            receivers[b][a] = Some(rx);
        }
    }
    senders
        .into_iter()
        .zip(receivers)
        .enumerate()
        .map(|(rank, (to, from))| LocalRank {
            rank,
            to: to.into_iter().flatten().collect(),
            from: from.into_iter().flatten().collect(),
        })
        .collect()
}

/// Runs `f` on every rank of a [`local_group`] of `size`, each in a thread of its own, and
/// returns their results in rank order (a rank's panic is raised again here).
///
/// ```
/// use pinn::train::collective::{Collective, run_local};
/// assert_eq!(run_local(3, |c| c.rank() * c.size()), vec![0, 3, 6]);
/// ```
pub fn run_local<R: Send + 'static>(
    size: usize,
    f: impl Fn(LocalRank) -> R + Send + Sync + Clone + 'static,
) -> Vec<R> {
    let handles: Vec<_> = local_group(size)
        .into_iter()
        .map(|c| {
            let f = f.clone();
            std::thread::spawn(move || f(c))
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        .collect()
}

fn gone(rank: usize, other: usize) -> Error {
    Error::Collective {
        rank: other,
        reason: format!("rank {rank} lost its link to rank {other} (that rank stopped)"),
    }
}

fn no_rank(to: usize, size: usize) -> Error {
    Error::Collective {
        rank: to,
        reason: format!("there is no rank {to} in a group of {size}"),
    }
}

impl Collective for LocalRank {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.to.len()
    }
    fn send(&mut self, to: usize, message: &[u8]) -> Result<()> {
        let link = self.to.get(to).ok_or_else(|| no_rank(to, self.to.len()))?;
        link.send(message.to_vec()).map_err(|_| gone(self.rank, to))
    }
    fn receive(&mut self, from: usize) -> Result<Vec<u8>> {
        let link = self
            .from
            .get(from)
            .ok_or_else(|| no_rank(from, self.from.len()))?;
        link.recv().map_err(|_| gone(self.rank, from))
    }
}

/// MPI's world communicator as a [`Collective`] (cargo feature `mpi`).
///
/// Initialise MPI first, at least at [`Threading::Serialized`](mpi::Threading::Serialized)
/// (the trainer talks from its worker pool's thread), and keep the returned `Universe` alive
/// for the whole run:
///
/// ```no_run
/// let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Serialized).unwrap();
/// let world = pinn::train::collective::MpiWorld::new()?;
/// // … TrainerBuilder::collective(world) …
/// drop(universe); // MPI_Finalize
/// # Ok::<(), pinn::Error>(())
/// ```
#[cfg(feature = "mpi")]
#[derive(Clone, Copy, Debug)]
pub struct MpiWorld {
    rank: usize,
    size: usize,
}

#[cfg(feature = "mpi")]
impl MpiWorld {
    /// The world communicator of an initialised MPI.
    ///
    /// # Errors
    ///
    /// [`Error::Collective`] if MPI is not initialised, or was initialised below
    /// `Threading::Serialized`.
    pub fn new() -> Result<Self> {
        use mpi::traits::Communicator;
        if !mpi::environment::is_initialized() || mpi::environment::is_finalized() {
            return Err(Error::Collective {
                rank: 0,
                reason: "MPI is not initialised: call mpi::initialize_with_threading(\
                         mpi::Threading::Serialized) first and keep its Universe alive"
                    .into(),
            });
        }
        let world = mpi::topology::SimpleCommunicator::world();
        let rank = usize::try_from(world.rank()).unwrap_or(0);
        if mpi::environment::threading_support() < mpi::Threading::Serialized {
            return Err(Error::Collective {
                rank,
                reason: format!(
                    "MPI was initialised at {:?}; the trainer needs Threading::Serialized \
                     (it talks from its worker pool's thread)",
                    mpi::environment::threading_support()
                ),
            });
        }
        Ok(MpiWorld {
            rank,
            size: usize::try_from(world.size()).unwrap_or(1),
        })
    }
}

#[cfg(feature = "mpi")]
impl Collective for MpiWorld {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn send(&mut self, to: usize, message: &[u8]) -> Result<()> {
        use mpi::point_to_point::Destination;
        use mpi::traits::Communicator;
        let to = i32::try_from(to)
            .ok()
            .filter(|&t| (t as usize) < self.size)
            .ok_or_else(|| no_rank(to, self.size))?;
        // The world communicator is a constant handle; taking it per call keeps this type
        // `Send` (MPI's handle type is a raw pointer).
        let world = mpi::topology::SimpleCommunicator::world();
        world.process_at_rank(to).send(message);
        Ok(())
    }
    fn receive(&mut self, from: usize) -> Result<Vec<u8>> {
        use mpi::point_to_point::Source;
        use mpi::traits::Communicator;
        let from = i32::try_from(from)
            .ok()
            .filter(|&f| (f as usize) < self.size)
            .ok_or_else(|| no_rank(from, self.size))?;
        let world = mpi::topology::SimpleCommunicator::world();
        Ok(world.process_at_rank(from).receive_vec::<u8>().0)
    }
}

/// Little-endian bytes of a message.
#[derive(Default)]
pub(crate) struct Wire(pub(crate) Vec<u8>);

impl Wire {
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Numbers travel as their `f64` bits: exact for `f32` and `f64`.
    pub(crate) fn reals<T: Real>(&mut self, v: &[T]) -> &mut Self {
        self.u64(v.len() as u64);
        self.0.reserve(8 * v.len());
        for x in v {
            self.0
                .extend_from_slice(&x.to_f64().to_bits().to_le_bytes());
        }
        self
    }
    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// Reads a [`Wire`] message; a short or malformed one is an [`Error::Format`].
pub(crate) struct Reader<'a>(&'a [u8]);

fn truncated() -> Error {
    Error::Format {
        what: "message between ranks",
        reason: "it ends early or holds a malformed field".into(),
    }
}

impl Reader<'_> {
    pub(crate) fn u64(&mut self) -> Result<u64> {
        let (head, rest) = self.0.split_at_checked(8).ok_or_else(truncated)?;
        self.0 = rest;
        Ok(u64::from_le_bytes(
            head.try_into().map_err(|_| truncated())?,
        ))
    }
    fn len(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?)
            .ok()
            .filter(|&n| n <= self.0.len())
            .ok_or_else(truncated)
    }
    pub(crate) fn reals<T: Real>(&mut self) -> Result<Vec<T>> {
        let n = self.len()?;
        let (head, rest) = self.0.split_at_checked(8 * n).ok_or_else(truncated)?;
        self.0 = rest;
        let mut bits = [0u8; 8];
        Ok(head
            .chunks_exact(8)
            .map(|b| {
                bits.copy_from_slice(b);
                T::from_f64(f64::from_bits(u64::from_le_bytes(bits)))
            })
            .collect())
    }
    pub(crate) fn text(&mut self) -> Result<String> {
        let n = self.len()?;
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(head.to_vec()).map_err(|_| truncated())
    }
}

/// An error made on rank `rank`, as every rank reports it: the errors a chunk or a file can
/// raise keep their variant and fields; any other becomes an [`Error::Collective`] naming the
/// rank and quoting the error.
fn put_error(w: &mut Wire, rank: usize, e: &Error) {
    match e {
        Error::NonFinite { step, term } => w.u64(0).u64(*step as u64).text(term),
        Error::Residual { term, reason } => w.u64(1).text(term).text(reason),
        Error::UndeclaredDerivative { what } => w.u64(2).text(what),
        Error::Collective { rank, reason } => w.u64(3).u64(*rank as u64).text(reason),
        Error::Io { path, message } => w.u64(4).text(path).text(message),
        other => w.u64(3).u64(rank as u64).text(&other.to_string()),
    };
}

fn get_error(r: &mut Reader<'_>) -> Result<Error> {
    Ok(match r.u64()? {
        0 => Error::NonFinite {
            step: r.u64()? as usize,
            term: r.text()?,
        },
        1 => Error::Residual {
            term: r.text()?,
            reason: r.text()?,
        },
        2 => Error::UndeclaredDerivative { what: r.text()? },
        3 => Error::Collective {
            rank: r.u64()? as usize,
            reason: r.text()?,
        },
        4 => Error::Io {
            path: r.text()?,
            message: r.text()?,
        },
        _ => return Err(truncated()),
    })
}

/// `message` from rank 0 to every rank, down a binomial tree (`⌈log₂ P⌉` rounds). On rank 0
/// it is sent; elsewhere it is replaced by rank 0's.
pub(crate) fn broadcast(c: &mut dyn Collective, message: &mut Vec<u8>) -> Result<()> {
    let (r, p) = (c.rank(), c.size());
    let mut mask = 1;
    while mask < p {
        if r & mask != 0 {
            *message = c.receive(r - mask)?;
            break;
        }
        mask <<= 1;
    }
    mask >>= 1;
    while mask > 0 {
        if r + mask < p {
            c.send(r + mask, message)?;
        }
        mask >>= 1;
    }
    Ok(())
}

/// Every rank's `mine`, in rank order, on every rank: gathered to rank 0 up a binomial tree,
/// then broadcast.
pub(crate) fn all_gather(c: &mut dyn Collective, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
    let (r, p) = (c.rank(), c.size());
    // Rank r holds the messages of ranks r..r+mask, in order.
    let mut parts = vec![mine.to_vec()];
    let mut mask = 1;
    while mask < p {
        if r & mask != 0 {
            let mut w = Wire::default();
            w.u64(parts.len() as u64);
            for part in &parts {
                w.u64(part.len() as u64);
                w.0.extend_from_slice(part);
            }
            c.send(r - mask, &w.0)?;
            break;
        }
        if r + mask < p {
            let msg = c.receive(r + mask)?;
            let mut rd = Reader(&msg);
            for _ in 0..rd.u64()? {
                let n = rd.len()?;
                let (head, rest) = rd.0.split_at(n);
                parts.push(head.to_vec());
                rd.0 = rest;
            }
        }
        mask <<= 1;
    }
    let mut all = Wire::default();
    if r == 0 {
        all.u64(parts.len() as u64);
        for part in &parts {
            all.u64(part.len() as u64);
            all.0.extend_from_slice(part);
        }
    }
    broadcast(c, &mut all.0)?;
    let mut rd = Reader(&all.0);
    let n = rd.u64()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let k = rd.len()?;
        let (head, rest) = rd.0.split_at(k);
        out.push(head.to_vec());
        rd.0 = rest;
    }
    if out.len() != p {
        return Err(truncated());
    }
    Ok(out)
}

/// The same `Ok` or the same error on every rank: rank 0's `outcome` (the others' is not
/// used), as [transcribed](put_error) for every rank, rank 0 included. For what rank 0 alone
/// does, such as writing a checkpoint.
pub(crate) fn agree_with_root(c: &mut dyn Collective, outcome: Result<()>) -> Result<()> {
    let mut w = Wire::default();
    if c.rank() == 0 {
        match &outcome {
            Ok(()) => w.u64(0),
            Err(e) => {
                w.u64(1);
                put_error(&mut w, 0, e);
                &mut w
            }
        };
    }
    broadcast(c, &mut w.0)?;
    let mut rd = Reader(&w.0);
    match rd.u64()? {
        0 => Ok(()),
        _ => Err(get_error(&mut rd)?),
    }
}

/// `Ok` on every rank if every rank's `failure` is `None`; otherwise, on every rank, the
/// error of the lowest rank that failed, as [transcribed](put_error) for all of them. For what
/// each rank does alone and every rank must know went well (building the trainer).
pub(crate) fn agree_on(c: &mut dyn Collective, failure: Option<&Error>) -> Result<()> {
    let mut w = Wire::default();
    match failure {
        None => {
            w.u64(0);
        }
        Some(e) => {
            w.u64(1);
            put_error(&mut w, c.rank(), e);
        }
    }
    for part in all_gather(c, &w.0)? {
        let mut rd = Reader(&part);
        if rd.u64()? != 0 {
            return Err(get_error(&mut rd)?);
        }
    }
    Ok(())
}

/// Whether `flag` holds on any rank.
pub(crate) fn any(c: &mut dyn Collective, flag: bool) -> Result<bool> {
    Ok(all_gather(c, &[u8::from(flag)])?
        .iter()
        .any(|m| m.first() == Some(&1)))
}

/// The contiguous range of chunks `[lo, hi)` that rank `rank` of `ranks` owns, given each
/// chunk's cost: the ranges tile the chunks in order, and rank `r`'s starts at the first chunk
/// before which at least `r/P` of the total cost lies.
pub(crate) fn share(costs: &[u64], ranks: usize, rank: usize) -> (usize, usize) {
    let total: u128 = costs.iter().map(|&c| u128::from(c)).sum();
    let start = |r: usize| -> usize {
        if r == 0 {
            return 0;
        }
        if r >= ranks {
            return costs.len();
        }
        let mut before = 0u128;
        for (i, &c) in costs.iter().enumerate() {
            if before * ranks as u128 >= r as u128 * total {
                return i;
            }
            before += u128::from(c);
        }
        costs.len()
    };
    (start(rank), start(rank + 1))
}

/// One rank's part of a loss evaluation: the tree nodes of its chunks (or the first error
/// among them, with its chunk number), and the recorded residuals of its chunks
/// (`(chunk, values)`).
pub(crate) struct Part<T> {
    pub(crate) failure: Option<(usize, Error)>,
    pub(crate) residuals: Vec<(usize, Vec<T>)>,
}

/// Merges every rank's part of a loss evaluation (each rank summed its range of chunks into
/// `tree`, started at its first chunk) and gives every rank the root of the tree in `out`,
/// with every chunk's recorded residuals; or, on every rank, the first error in chunk order.
pub(crate) fn combine<T: Real>(
    c: &mut dyn Collective,
    tree: &mut TreeSum<T>,
    mut part: Part<T>,
    out: &mut [T],
) -> Result<Vec<(usize, Vec<T>)>> {
    let (r, p) = (c.rank(), c.size());
    let mut mask = 1;
    while mask < p {
        if r & mask != 0 {
            let mut w = Wire::default();
            put_part(&mut w, r, tree, &part);
            c.send(r - mask, &w.0)?;
            break;
        }
        if r + mask < p {
            let msg = c.receive(r + mask)?;
            let mut rd = Reader(&msg);
            let theirs = get_failure(&mut rd)?;
            match (&part.failure, theirs) {
                // Their chunks come after ours: our failure, if any, is the first.
                (Some(_), _) => {}
                (None, Some(f)) => part.failure = Some(f),
                (None, None) => {
                    // A rank that cannot take the blocks carries the error on instead (a
                    // rank that returned early would leave the others waiting).
                    if let Err(e) = take_blocks(&mut rd, tree, r + mask) {
                        part.failure = Some((tree.end(), e));
                    }
                }
            }
            if part.failure.is_none() {
                for _ in 0..rd.u64()? {
                    let chunk = rd.u64()? as usize;
                    part.residuals.push((chunk, rd.reals()?));
                }
            }
        }
        mask <<= 1;
    }
    let mut w = Wire::default();
    if r == 0 {
        let width = tree.blocks().next().map_or(out.len(), |(_, b)| b.len());
        if part.failure.is_none() && width != out.len() {
            let e = Error::DimensionMismatch {
                what: "the sum over ranks (its output vs the chunks' vectors)",
                expected: width,
                found: out.len(),
            };
            part.failure = Some((tree.end(), e));
        }
        match &part.failure {
            Some((chunk, e)) => {
                w.u64(1).u64(*chunk as u64);
                put_error(&mut w, r, e);
            }
            None => {
                tree.finish_into(out);
                w.u64(0).reals(out);
                put_residuals(&mut w, &part.residuals);
            }
        }
    }
    broadcast(c, &mut w.0)?;
    let mut rd = Reader(&w.0);
    if let Some((_, e)) = get_failure(&mut rd)? {
        return Err(e);
    }
    let total = rd.reals::<T>()?;
    if total.len() != out.len() {
        return Err(truncated());
    }
    out.copy_from_slice(&total);
    let mut residuals = Vec::new();
    for _ in 0..rd.u64()? {
        let chunk = rd.u64()? as usize;
        residuals.push((chunk, rd.reals()?));
    }
    Ok(residuals)
}

/// The reproducible all-reduce: every rank passes the [`TreeSum`] of its own contiguous range
/// of chunks (started with [`TreeSum::restart_at`] at its first chunk; the ranges of ranks
/// `0, 1, …` tile `0..N` in order, and a rank may have none), and every rank receives in
/// `out` the sum of all `N` chunks: the root of the same tree one process computes, so the
/// bits do not depend on the number of ranks. `⌈log₂ P⌉` rounds up a binomial tree (each
/// message holds the few aligned nodes of a range, at most `2⌈log₂ N⌉` vectors), then
/// `⌈log₂ P⌉` rounds of broadcast. Every rank's `out` must have the length of the vectors.
///
/// ```
/// use pinn::train::collective::{Collective, all_sum, local_group};
/// use pinn::train::reduce::TreeSum;
/// let chunk = |i: usize| vec![1.0 / (3.0 + i as f64)];
/// let mut one = TreeSum::default();
/// (0..10).for_each(|i| one.push(&mut chunk(i)));
/// let mut want = [0.0];
/// one.finish_into(&mut want);
/// // Three ranks own chunks 0..3, 3..7 and 7..10.
/// let handles: Vec<_> = local_group(3).into_iter().map(|mut c| {
///     std::thread::spawn(move || {
///         let (lo, hi) = [(0, 3), (3, 7), (7, 10)][c.rank()];
///         let mut tree = TreeSum::default();
///         tree.restart_at(lo);
///         (lo..hi).for_each(|i| tree.push(&mut chunk(i)));
///         let mut out = [0.0];
///         all_sum(&mut c, &mut tree, &mut out).map(|()| out[0])
///     })
/// }).collect();
/// for h in handles {
///     assert_eq!(h.join().unwrap()?.to_bits(), want[0].to_bits());
/// }
/// # Ok::<(), pinn::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Collective`] if a rank is gone, [`Error::InvalidConfig`] if the ranges do not
/// tile the chunks in rank order, [`Error::Format`] if a message is malformed.
pub fn all_sum<T: Real>(
    c: &mut dyn Collective,
    tree: &mut TreeSum<T>,
    out: &mut [T],
) -> Result<()> {
    let part = Part {
        failure: None,
        residuals: Vec::new(),
    };
    combine(c, tree, part, out).map(|_| ())
}

/// Pushes the blocks of rank `from`'s message onto `tree`; an error if they do not start
/// where `tree` ends.
fn take_blocks<T: Real>(rd: &mut Reader<'_>, tree: &mut TreeSum<T>, from: usize) -> Result<()> {
    let (first, end) = (rd.u64()? as usize, tree.end());
    if first != end {
        return Err(Error::InvalidConfig {
            field: "collective.ranges",
            reason: format!(
                "rank {from} starts at chunk {first}, but the ranks before it end at chunk \
                 {end}: the ranges must tile the chunks in rank order"
            ),
        });
    }
    for _ in 0..rd.u64()? {
        let size = rd.u64()? as usize;
        let mut sum = rd.reals::<T>()?;
        tree.push_block(size, &mut sum)?;
    }
    Ok(())
}

fn put_part<T: Real>(w: &mut Wire, rank: usize, tree: &TreeSum<T>, part: &Part<T>) {
    match &part.failure {
        Some((chunk, e)) => {
            w.u64(1).u64(*chunk as u64);
            put_error(w, rank, e);
        }
        None => {
            w.u64(0).u64(tree.first() as u64);
            w.u64(tree.blocks().count() as u64);
            for (size, sum) in tree.blocks() {
                w.u64(size as u64).reals(sum);
            }
            put_residuals(w, &part.residuals);
        }
    }
}

fn put_residuals<T: Real>(w: &mut Wire, residuals: &[(usize, Vec<T>)]) {
    w.u64(residuals.len() as u64);
    for (chunk, v) in residuals {
        w.u64(*chunk as u64).reals(v);
    }
}

fn get_failure(rd: &mut Reader<'_>) -> Result<Option<(usize, Error)>> {
    Ok(match rd.u64()? {
        0 => None,
        _ => Some((rd.u64()? as usize, get_error(rd)?)),
    })
}

/// A 64-bit FNV-1a hash, for comparing configurations between ranks.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fingerprint(pub(crate) u64);

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }
}

impl Fingerprint {
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
        }
        self
    }
    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    pub(crate) fn f64s(&mut self, v: impl IntoIterator<Item = f64>) -> &mut Self {
        for x in v {
            self.u64(x.to_bits());
        }
        self
    }
}

/// Compares each rank's labelled fingerprints with rank 0's: the same `Ok`, or the same
/// [`Error::Collective`] naming the first rank and part that differ, on every rank.
pub(crate) fn check_same(c: &mut dyn Collective, parts: &[(&str, Fingerprint)]) -> Result<()> {
    let mut w = Wire::default();
    w.u64(parts.len() as u64);
    for (_, f) in parts {
        w.u64(f.0);
    }
    let all = all_gather(c, &w.0)?;
    for (rank, theirs) in all.iter().enumerate().skip(1) {
        if theirs != &all[0] {
            let mut a = Reader(&all[0]);
            let mut b = Reader(theirs);
            let (na, nb) = (a.u64()?, b.u64()?);
            let mut differs = Vec::new();
            for (label, _) in parts.iter().take(na.min(nb) as usize) {
                if a.u64()? != b.u64()? {
                    differs.push(*label);
                }
            }
            return Err(Error::Collective {
                rank,
                reason: format!(
                    "rank {rank}'s configuration differs from rank 0's in: {}; every rank \
                     must build the same trainer (same seed, points, network and phases)",
                    if differs.is_empty() {
                        "its number of parts".to_string()
                    } else {
                        differs.join(", ")
                    }
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::run_local as run;

    /// Ranges tile the chunks in order for every group size, balanced to within one chunk's
    /// cost.
    #[test]
    fn shares_tile_the_chunks() {
        let costs: Vec<u64> = (0..23).map(|i| 1 + (i * 7 % 5) as u64).collect();
        let total: u64 = costs.iter().sum();
        let max = *costs.iter().max().unwrap();
        for p in 1..=30 {
            let mut next = 0;
            for r in 0..p {
                let (lo, hi) = share(&costs, p, r);
                assert_eq!(lo, next, "P = {p}, rank {r}");
                assert!(hi >= lo);
                let mine: u64 = costs[lo..hi].iter().sum();
                assert!(mine <= total / p as u64 + max, "P = {p}, rank {r}: {mine}");
                next = hi;
            }
            assert_eq!(next, costs.len());
        }
    }

    /// The merged tree over any number of ranks has the bits of one process, and a failure on
    /// any rank reaches every rank as the first failure in chunk order.
    #[test]
    fn combine_gives_the_bits_of_one_process() {
        let value = |i: usize| vec![1.0 / (3.0 + i as f64), 1e-3f64.powi((i % 5) as i32)];
        for n in [0usize, 1, 5, 13, 32] {
            let mut one = TreeSum::<f64>::default();
            (0..n).for_each(|i| one.push(&mut value(i)));
            let mut want = [0.0; 2];
            one.finish_into(&mut want);
            for p in 1..=5 {
                let costs = vec![1u64; n];
                let got = run(p, move |mut c| {
                    let (lo, hi) = share(&costs, c.size(), c.rank());
                    let mut tree = TreeSum::default();
                    tree.restart_at(lo);
                    (lo..hi).for_each(|i| tree.push(&mut value(i)));
                    let part = Part {
                        failure: None,
                        residuals: (lo..hi).map(|i| (i, vec![i as f64])).collect(),
                    };
                    let mut out = [0.0; 2];
                    let res = combine(&mut c, &mut tree, part, &mut out).unwrap();
                    (out, res)
                });
                for (out, res) in got {
                    assert_eq!(out.map(f64::to_bits), want.map(f64::to_bits), "N {n} P {p}");
                    let mut chunks: Vec<usize> = res.iter().map(|r| r.0).collect();
                    chunks.sort_unstable();
                    assert_eq!(chunks, (0..n).collect::<Vec<_>>());
                }
            }
        }
        // Ranks 1 and 2 of 3 fail, at chunks 7 and 9: every rank reports chunk 7's error.
        let got = run(3, |mut c| {
            let (lo, hi) = share(&[1; 12], 3, c.rank());
            let mut tree = TreeSum::<f64>::default();
            tree.restart_at(lo);
            let failure = [None, Some(7), Some(9)][c.rank()].map(|k: usize| {
                let e = Error::NonFinite {
                    step: 4,
                    term: format!("chunk {k}"),
                };
                (k, e)
            });
            (lo..hi).for_each(|i| tree.push(&mut vec![i as f64]));
            let part = Part {
                failure,
                residuals: Vec::new(),
            };
            combine(&mut c, &mut tree, part, &mut [0.0]).unwrap_err()
        });
        for e in got {
            assert_eq!(
                e,
                Error::NonFinite {
                    step: 4,
                    term: "chunk 7".into()
                }
            );
        }
    }

    /// Misuse of `all_sum` is an error on every rank, never a hang or a panic: ranges with a
    /// gap between them, and an output of the wrong length.
    #[test]
    fn all_sum_misuse_is_an_error_on_every_rank() {
        for (ranges, width) in [([(0, 2), (3, 5), (5, 6)], 1), ([(0, 2), (2, 5), (5, 6)], 2)] {
            let got = run(3, move |mut c| {
                let (lo, hi) = ranges[c.rank()];
                let mut tree = TreeSum::<f64>::default();
                tree.restart_at(lo);
                (lo..hi).for_each(|i| tree.push(&mut vec![i as f64]));
                all_sum(&mut c, &mut tree, &mut vec![0.0; width])
            });
            for g in got {
                match g.unwrap_err() {
                    Error::Collective { reason, .. } => assert!(
                        reason.contains("tile") || reason.contains("dimension"),
                        "{reason}"
                    ),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    /// Rank 0's outcome reaches everyone; a configuration that differs is named on every
    /// rank; `any` sees a flag raised on one rank.
    #[test]
    fn agreement_and_checks() {
        let got = run(4, |mut c| {
            let io = Err(Error::Io {
                path: "ck.bin".into(),
                message: "disk full".into(),
            });
            let outcome = if c.rank() == 0 { io } else { Ok(()) };
            let agreed = agree_with_root(&mut c, outcome);
            let mut fp = Fingerprint::default();
            fp.u64(u64::from(c.rank() == 2));
            let checked = check_same(&mut c, &[("seed", Fingerprint::default()), ("points", fp)]);
            let last = c.rank() == 3;
            let raised = any(&mut c, last).unwrap();
            (c.rank(), agreed, checked, raised)
        });
        for (rank, agreed, checked, raised) in got {
            assert_eq!(
                agreed.unwrap_err(),
                Error::Io {
                    path: "ck.bin".into(),
                    message: "disk full".into()
                },
                "rank {rank}"
            );
            match checked.unwrap_err() {
                Error::Collective { rank: 2, reason } => {
                    assert!(reason.contains("in: points;"), "{reason}")
                }
                other => panic!("{other:?}"),
            }
            assert!(raised);
        }
    }

    /// A truncated message is a format error, never a panic.
    #[test]
    fn truncated_messages_are_errors() {
        let mut w = Wire::default();
        w.reals(&[1.0f64, 2.0]).text("abc");
        for cut in 0..w.0.len() {
            let mut r = Reader(&w.0[..cut]);
            let ok = r.reals::<f64>().is_ok() && r.text().is_ok();
            assert!(!ok, "cut at {cut}");
        }
    }
}
