//! [`Residuals`]: where a residual writes its equations, `r[0..equations]`.

use core::cell::Cell;
use core::ops::{Deref, DerefMut, Index, IndexMut};

use crate::ad::Scalar;

/// The equations `r[0..n]` a residual writes at one point ([`Pde::residual`]'s `r`), with
/// `n =` [`Pde::equations`]: indexed like a slice (`r[0] = …`, `r[1] += …`), but an index past
/// the end does not panic, and an equation left unwritten does not pass silently.
///
/// - Writing or reading `r[i]` with `i ≥ n` goes to a scratch value and is recorded
///   ([`Residuals::out_of_range`]); the trainer turns it into
///   [`Error::Residual`](crate::Error::Residual) naming the index and `equations()`.
/// - Each `r[i] = …` (any mutable use of `r[i]`) marks equation `i` written; one never written
///   is recorded ([`Residuals::unwritten`]) and becomes the same error, naming the equation.
///   Mutable use of the whole slice (`r.copy_from_slice(…)`, `r.iter_mut()`, `r[a..b]`) counts
///   as writing every equation. Equations from the 65th on are not tracked (counted written).
/// - Every entry starts at zero, so `r[i] += …` accumulates from 0.
///
/// **Why a wrapper and not a checked slice.** A `&mut [S]` indexed past its end panics before
/// the engine regains control, and no check afterwards can turn that into an error; a longer
/// scratch slice would hide the mistake and break code that uses `r.len()`. Indexing through
/// this type costs one comparison and one bit set, and reads like a slice.
///
/// [`Pde::residual`]: super::Pde::residual
/// [`Pde::equations`]: super::Pde::equations
///
/// ```
/// use pinn::ad::Scalar;
/// use pinn::pde::Residuals;
/// let mut buf = [0.0_f64; 2];
/// let mut r = Residuals::new(&mut buf);
/// r[0] = 1.5;
/// r[2] = 7.0; // past the end: recorded, not a panic
/// assert_eq!((r.out_of_range(), r.unwritten()), (Some(2), Some(1)));
/// r[1] += 2.0;
/// assert_eq!(r.unwritten(), None);
/// assert_eq!(buf, [1.5, 2.0]);
/// ```
#[derive(Debug)]
pub struct Residuals<'a, S> {
    r: &'a mut [S],
    /// Where an out-of-range index goes.
    spill: S,
    /// Bit `i` set: equation `i` was written (for `i < 64`).
    written: u64,
    /// The whole slice was handed out mutably.
    all: bool,
    /// The first index past the end that was used (a `Cell`: reads take `&self`).
    beyond: Cell<Option<usize>>,
}

impl<'a, S: Scalar> Residuals<'a, S> {
    /// Wraps the equations `r`, setting every entry to zero.
    pub fn new(r: &'a mut [S]) -> Self {
        r.fill(S::zero());
        Residuals {
            r,
            spill: S::zero(),
            written: 0,
            all: false,
            beyond: Cell::new(None),
        }
    }

    /// The first index at or past the end (`i ≥ n`) that was used, if any.
    pub fn out_of_range(&self) -> Option<usize> {
        self.beyond.get()
    }

    /// The first equation `i < min(n, 64)` that was never written, if any.
    pub fn unwritten(&self) -> Option<usize> {
        if self.all {
            return None;
        }
        (0..self.r.len().min(64)).find(|&i| self.written & (1 << i) == 0)
    }

    fn record(&self, i: usize) {
        if self.beyond.get().is_none() {
            self.beyond.set(Some(i));
        }
    }
}

impl<S: Scalar> Index<usize> for Residuals<'_, S> {
    type Output = S;
    fn index(&self, i: usize) -> &S {
        match self.r.get(i) {
            Some(v) => v,
            None => {
                self.record(i);
                &self.spill
            }
        }
    }
}

impl<S: Scalar> IndexMut<usize> for Residuals<'_, S> {
    fn index_mut(&mut self, i: usize) -> &mut S {
        if i >= self.r.len() {
            self.record(i);
            self.spill = S::zero();
            return &mut self.spill;
        }
        if i < 64 {
            self.written |= 1 << i;
        }
        &mut self.r[i]
    }
}

impl<S> Deref for Residuals<'_, S> {
    type Target = [S];
    fn deref(&self) -> &[S] {
        self.r
    }
}

impl<S> DerefMut for Residuals<'_, S> {
    fn deref_mut(&mut self) -> &mut [S] {
        self.all = true;
        self.r
    }
}
