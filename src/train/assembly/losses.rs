//! Each term's loss of one evaluation, held without a heap allocation for up to
//! [`TermLosses::INLINE`] terms, so a training step allocates nothing.

use core::ops::{Deref, DerefMut};

/// Each term's weighted loss `w_t·mean(r²)`, in term order. Reads as a slice (`&[T]`, through
/// `Deref`): index it, iterate it, `to_vec()` it. Up to [`TermLosses::INLINE`] terms are stored
/// inline (every problem of the catalog has at most 6), more on the heap.
///
/// ```
/// use pinn::train::TermLosses;
/// let l: TermLosses<f64> = vec![0.5, 0.25].into();
/// assert_eq!(l.len(), 2);
/// assert_eq!(l.iter().sum::<f64>(), 0.75);
/// assert_eq!(&l[..], &[0.5, 0.25]);
/// ```
#[derive(Clone, Debug)]
pub struct TermLosses<T> {
    len: usize,
    inline: [T; INLINE],
    heap: Vec<T>,
}

/// See [`TermLosses::INLINE`].
const INLINE: usize = 8;

impl<T> TermLosses<T> {
    /// How many terms are stored without a heap allocation.
    pub const INLINE: usize = INLINE;
}

impl<T: Copy + Default> TermLosses<T> {
    /// The losses `values`, copied.
    pub fn from_slice(values: &[T]) -> Self {
        let mut inline = [T::default(); INLINE];
        let heap = if values.len() <= INLINE {
            inline[..values.len()].copy_from_slice(values);
            Vec::new()
        } else {
            values.to_vec()
        };
        TermLosses {
            len: values.len(),
            inline,
            heap,
        }
    }
}

impl<T> Deref for TermLosses<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        if self.len <= INLINE {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

impl<T> DerefMut for TermLosses<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        if self.len <= INLINE {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }
}

impl<T: PartialEq> PartialEq for TermLosses<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Copy + Default> From<Vec<T>> for TermLosses<T> {
    fn from(v: Vec<T>) -> Self {
        Self::from_slice(&v)
    }
}

impl<T: Copy + Default> From<&[T]> for TermLosses<T> {
    fn from(v: &[T]) -> Self {
        Self::from_slice(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap_read_the_same() {
        for n in [0, 1, 8, 9, 20] {
            let v: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
            let mut l = TermLosses::from_slice(&v);
            assert_eq!(&l[..], &v[..]);
            assert_eq!(l.to_vec(), v);
            if n > 0 {
                l[n - 1] = -1.0;
                assert_eq!(l[n - 1], -1.0);
            }
            assert_eq!(l.clone(), l);
        }
    }
}
