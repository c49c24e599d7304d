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
//! counter: it keeps at most `⌈log₂ N⌉ + 1` partial sums, and merges two equal-sized blocks as
//! soon as both are complete. Buffers are recycled, so a warm reduction allocates nothing.

use crate::ad::Real;

/// The tree sum of vectors pushed in chunk order. See the [module documentation](self).
#[derive(Debug, Default)]
pub struct TreeSum<T> {
    /// Complete blocks, leftmost (largest) first: `(number of chunks, their sum)`.
    stack: Vec<(usize, Vec<T>)>,
    spare: Vec<Vec<T>>,
}

impl<T: Real> TreeSum<T> {
    /// Forgets every partial sum (keeping the buffers).
    pub fn clear(&mut self) {
        while let Some((_, b)) = self.stack.pop() {
            self.spare.push(b);
        }
    }

    /// Adds the next chunk's vector. Its contents are taken; `leaf` is left holding a recycled
    /// buffer of the same length (contents unspecified).
    pub fn push(&mut self, leaf: &mut Vec<T>) {
        let mut buf = self.spare.pop().unwrap_or_default();
        buf.resize(leaf.len(), T::zero());
        std::mem::swap(&mut buf, leaf);
        let (mut size, mut node) = (1, buf);
        while let Some(&(top, _)) = self.stack.last() {
            if top != size {
                break;
            }
            let (_, mut left) = self.stack.pop().expect("checked above");
            add(&mut left, &node);
            self.spare.push(node);
            node = left;
            size *= 2;
        }
        self.stack.push((size, node));
    }

    /// Writes the sum of everything pushed since the last [`TreeSum::clear`] to `out` (zeros
    /// if nothing was), and clears.
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
