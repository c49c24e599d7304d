//! The fixed-order reduction: a binary tree over chunk indices.
//!
//! The loss and its gradient are sums over chunks of points. Floating-point addition is not
//! associative, so the order of the additions is part of the result. The order used here
//! depends **only on the number of chunks `N`**, never on threads or processes:
//!
//! - write `N` in binary, `N = 2^{e₀} + 2^{e₁} + …` with `e₀ > e₁ > …`; the chunks split, in
//!   index order, into consecutive blocks of those sizes `B₀, B₁, …`;
//! - a block of `2^e` chunks is summed as a perfect binary tree: its left half plus its right
//!   half, each summed the same way down to single chunks;
//! - the blocks are then added from left to right: `((B₀ + B₁) + B₂) + …`.
//!
//! For `N = 6`: `((c₀+c₁) + (c₂+c₃)) + (c₄+c₅)`. This is pairwise summation (its rounding error
//! grows like `log N` rather than `N`), and every inner node of the tree is the sum of an
//! aligned range of chunks `[k·2^e, (k+1)·2^e)`. Whoever owns such a range — a thread, or a
//! process in a data-parallel run — can sum it alone, and the owner of the root combines the
//! partial sums in the same order: the bits do not depend on who did what.
//!
//! [`TreeSum`] computes this tree incrementally as chunks arrive in index order, like a binary
//! counter: it keeps at most `⌈log₂ N⌉ + 1` partial sums, and merges two blocks as soon as
//! they are the two halves of one node. Buffers are recycled, so a warm reduction allocates
//! nothing. A worker can sum any contiguous range of chunks `[a, b)` alone
//! ([`TreeSum::restart_at`]`(a)`): it ends with the few aligned nodes that tile the range
//! ([`TreeSum::blocks`]), and whoever sums the chunks before `a` takes them
//! ([`TreeSum::push_block`]) and then holds the bits it would have computed alone. This is how
//! the ranks of a [data-parallel run](super::collective) combine their chunks.

use crate::ad::Real;
use crate::error::{Error, Result};

/// The tree sum of vectors pushed in chunk order. See the [module documentation](self).
#[derive(Debug, Default)]
pub struct TreeSum<T> {
    /// Complete blocks, leftmost first: `(number of chunks, their sum)`.
    stack: Vec<(usize, Vec<T>)>,
    spare: Vec<Vec<T>>,
    /// The index of the first chunk summed.
    first: usize,
    /// The index of the next chunk.
    next: usize,
}

impl<T: Real> TreeSum<T> {
    /// Forgets every partial sum (keeping the buffers); the next chunk is chunk 0.
    pub fn clear(&mut self) {
        self.restart_at(0);
    }

    /// Forgets every partial sum; the next chunk pushed is chunk number `first` of the whole
    /// reduction (a worker that owns the chunks from `first` on).
    pub fn restart_at(&mut self, first: usize) {
        while let Some((_, b)) = self.stack.pop() {
            self.spare.push(b);
        }
        self.first = first;
        self.next = first;
    }

    /// The index of the first chunk summed since the last [`TreeSum::restart_at`].
    pub fn first(&self) -> usize {
        self.first
    }

    /// The index of the next chunk: one past the last chunk summed.
    pub fn end(&self) -> usize {
        self.next
    }

    /// Adds the next chunk's vector. Its contents are taken; `leaf` is left holding a recycled
    /// buffer of the same length (contents unspecified).
    pub fn push(&mut self, leaf: &mut Vec<T>) {
        self.merge(1, leaf);
    }

    /// Adds the sum of the next `chunks` chunks, computed elsewhere (by another thread or
    /// process, as a [`TreeSum`] of those chunks: one of its [`TreeSum::blocks`]). The result
    /// is the same, bit for bit, as pushing the chunks one by one, provided the block is a node
    /// of the tree: `chunks` a power of two, and the index of the next chunk a multiple of
    /// it. Takes `sum`'s contents as [`TreeSum::push`] does.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] if the block is not a node of the tree.
    ///
    /// ```
    /// use pinn::train::reduce::TreeSum;
    /// // Chunks 0..6 summed by one worker, or by two that own [0, 4) and [4, 6).
    /// let chunks: Vec<f64> = (0..6).map(|i| 1.0 / (3.0 + i as f64)).collect();
    /// let mut one = TreeSum::default();
    /// chunks.iter().for_each(|&c| one.push(&mut vec![c]));
    /// let mut whole = [0.0];
    /// one.finish_into(&mut whole);
    ///
    /// let (mut a, mut b) = (TreeSum::default(), TreeSum::default());
    /// chunks[..4].iter().for_each(|&c| a.push(&mut vec![c]));
    /// chunks[4..].iter().for_each(|&c| b.push(&mut vec![c]));
    /// let mut root = TreeSum::default();
    /// for part in [&a, &b] {
    ///     for (n, sum) in part.blocks() {
    ///         root.push_block(n, &mut sum.to_vec())?;
    ///     }
    /// }
    /// let mut split = [0.0];
    /// root.finish_into(&mut split);
    /// assert_eq!(split[0].to_bits(), whole[0].to_bits());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn push_block(&mut self, chunks: usize, sum: &mut Vec<T>) -> Result<()> {
        let at = self.next;
        if !chunks.is_power_of_two() || !at.is_multiple_of(chunks) {
            return Err(Error::InvalidConfig {
                field: "tree.block",
                reason: format!(
                    "a block of {chunks} chunks from chunk {at} on is not a node of the tree \
                     (it needs a power-of-two size that divides the index of its first chunk)"
                ),
            });
        }
        self.merge(chunks, sum);
        Ok(())
    }

    /// The blocks summed so far, leftmost first: `(number of chunks, their sum)`, the aligned
    /// nodes of the tree that tile the chunks from [`TreeSum::first`] on. A worker that summed
    /// a range of chunks hands these to the one that sums the chunks before it.
    pub fn blocks(&self) -> impl Iterator<Item = (usize, &[T])> {
        self.stack.iter().map(|(n, b)| (*n, b.as_slice()))
    }

    fn merge(&mut self, chunks: usize, leaf: &mut Vec<T>) {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.resize(leaf.len(), T::zero());
        std::mem::swap(&mut buf, leaf);
        let (mut size, mut node) = (chunks, buf);
        let mut start = self.next;
        self.next += chunks;
        // The top block is the left half of a node exactly when it has the same size and the
        // node starts at a multiple of twice that size (from chunk 0 this always holds).
        while let Some(&(top, _)) = self.stack.last() {
            if top != size || !(start - size).is_multiple_of(2 * size) {
                break;
            }
            start -= size;
            let (_, mut left) = self.stack.pop().expect("checked above");
            add(&mut left, &node);
            self.spare.push(node);
            node = left;
            size *= 2;
        }
        self.stack.push((size, node));
    }

    /// Writes the sum of everything pushed since the last [`TreeSum::clear`] to `out` (zeros
    /// if nothing was), and clears. From chunk 0, this is the root of the tree.
    pub fn finish_into(&mut self, out: &mut [T]) {
        let mut blocks = self.stack.iter();
        match blocks.next() {
            None => out.fill(T::zero()),
            Some((_, first)) => {
                out.copy_from_slice(first);
                for (_, b) in blocks {
                    add(out, b);
                }
            }
        }
        self.clear();
    }
}

fn add<T: Real>(acc: &mut [T], x: &[T]) {
    for (a, &b) in acc.iter_mut().zip(x) {
        *a += b;
    }
}

#[cfg(test)]
mod tests {
    use super::TreeSum;

    /// Chunks split between workers that own contiguous ranges: the root that takes their
    /// blocks gets the bits of one worker, for every `N` up to 40 and every split into ranges
    /// of sizes 1 to 8 (aligned or not); a misaligned block is an error.
    #[test]
    fn blocks_from_several_workers_give_the_bits_of_one() {
        let value = |i: usize| 1.0 / (3.0 + i as f64) * 1e-3f64.powi((i % 5) as i32);
        for n in 0..=40usize {
            let mut one = TreeSum::<f64>::default();
            (0..n).for_each(|i| one.push(&mut vec![value(i)]));
            let mut want = [0.0];
            one.finish_into(&mut want);
            for part in 1..=8usize {
                let mut root = TreeSum::<f64>::default();
                let mut start = 0;
                while start < n {
                    let end = (start + part).min(n);
                    let mut worker = TreeSum::<f64>::default();
                    worker.restart_at(start);
                    (start..end).for_each(|i| worker.push(&mut vec![value(i)]));
                    assert!(worker.blocks().count() <= 2 * part.ilog2() as usize + 2);
                    for (k, sum) in worker.blocks() {
                        root.push_block(k, &mut sum.to_vec()).unwrap();
                    }
                    start = end;
                }
                let mut got = [0.0];
                root.finish_into(&mut got);
                assert_eq!(
                    got[0].to_bits(),
                    want[0].to_bits(),
                    "N = {n}, ranges of {part}"
                );
            }
        }
        let mut t = TreeSum::<f64>::default();
        t.push(&mut vec![1.0]);
        assert!(t.push_block(2, &mut vec![1.0]).is_err(), "misaligned");
        assert!(
            t.push_block(3, &mut vec![1.0]).is_err(),
            "not a power of two"
        );
    }

    /// The tree of the module documentation, written out, for every `N` up to 40: the chunk
    /// values are chosen so that every association order gives different bits.
    #[test]
    fn matches_the_documented_tree() {
        fn tree(c: &[f64]) -> f64 {
            // Perfect blocks by the binary digits of N, then left to right.
            fn perfect(c: &[f64]) -> f64 {
                if c.len() == 1 {
                    c[0]
                } else {
                    let h = c.len() / 2;
                    perfect(&c[..h]) + perfect(&c[h..])
                }
            }
            let mut start = 0;
            let mut acc: Option<f64> = None;
            for e in (0..usize::BITS).rev() {
                let size = 1usize << e;
                if c.len() & size != 0 {
                    let b = perfect(&c[start..start + size]);
                    acc = Some(acc.map_or(b, |a| a + b));
                    start += size;
                }
            }
            acc.unwrap_or(0.0)
        }
        let mut sum = TreeSum::<f64>::default();
        for n in 0..=40 {
            let c: Vec<f64> = (0..n)
                .map(|i| 1.0 / (3.0 + i as f64) * 1e-3f64.powi(i % 5))
                .collect();
            for &v in &c {
                let mut leaf = vec![v, -v];
                sum.push(&mut leaf);
            }
            let mut out = [f64::NAN; 2];
            sum.finish_into(&mut out);
            assert_eq!(out[0].to_bits(), tree(&c).to_bits(), "N = {n}");
            let neg: Vec<f64> = c.iter().map(|v| -v).collect();
            assert_eq!(out[1].to_bits(), tree(&neg).to_bits(), "N = {n}");
        }
    }
}
