//! The term lists of the order-3 and order-4 jet components, built once per [`Layout`].
//!
//! A partial `u_S` of order `r = |S|` is named by its *positions* `S = {0, …, r−1}`, position
//! `i` standing for input direction `k_i` (so `u_xxy` has positions `{0, 1, 2}` with directions
//! `(x, x, y)`). Any subset `B ⊆ S` of the positions names the sub-partial `z_B` (its
//! directions, sorted), a component that the layout carries by construction (the selection is
//! closed under sub-multisets).
//!
//! - **Chain rule** (multivariate Faà di Bruno) for `a = f(z)`:
//!   `a_S = Σ_{π ∈ Π(S)} f^{(|π|)}(z_v) Π_{B∈π} z_B`, over the set partitions `π` of the
//!   positions (Bell(3) = 5, Bell(4) = 15 of them).
//! - **Leibniz** for `c = x ⊙ y`: `c_S = Σ_{T⊆S} x_T y_{S∖T}` (8 or 16 subsets; `x_∅ = x_v`).
//!
//! Terms whose blocks name the same components (`u_xxy` has the partitions `{0}{1,2}` and
//! `{1}{0,2}`, both `z_x z_xy`) are merged into one with a multiplicity.

use super::selection::Layout;

/// `mult · f^{(blocks.len())}(z_v) · Π_j z_{blocks[j]}`: one merged Faà di Bruno term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChainTerm {
    /// How many set partitions give these blocks.
    pub mult: u32,
    /// The component indices of the blocks, sorted.
    pub blocks: Vec<usize>,
}

/// `mult · x_{x} · y_{y}`: one merged Leibniz term (`x`, `y` component indices).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LeibnizTerm {
    /// How many subsets `T` give this pair.
    pub mult: u32,
    /// Component index of `x_T` (0, the value, for `T = ∅`).
    pub x: usize,
    /// Component index of `y_{S∖T}`.
    pub y: usize,
}

/// The rules of one order-3 or order-4 component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HighComponent {
    /// Its component index.
    pub index: usize,
    /// Faà di Bruno terms.
    pub chain: Vec<ChainTerm>,
    /// Leibniz terms.
    pub leibniz: Vec<LeibnizTerm>,
}

/// Every order-3 and order-4 component of a layout, in component order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Plan {
    pub comps: Vec<HighComponent>,
}

impl Plan {
    /// The plan of `l`'s triples and quadruples (empty for a layout of order ≤ 2).
    pub fn new(l: &Layout) -> Plan {
        let mut comps = Vec::new();
        let triples = l.triples().iter().map(|t| t.to_vec());
        let quads = l.quadruples().iter().map(|q| q.to_vec());
        for dirs in triples.chain(quads) {
            let index = component_of(l, &dirs);
            comps.push(HighComponent {
                index,
                chain: chain_terms(l, &dirs),
                leibniz: leibniz_terms(l, &dirs),
            });
        }
        Plan { comps }
    }
}

/// The component index of the partial along the (sorted) directions `dirs`, 0 for none. The
/// layout's closure guarantees it is carried; a miss (a bug) maps to 0 rather than panicking.
/// (Every list of the layout is sorted, so each look-up is a binary search.)
fn component_of(l: &Layout, dirs: &[usize]) -> usize {
    let find = |v: core::result::Result<usize, usize>| v.unwrap_or(0);
    match *dirs {
        [] => 0,
        [k] => l.first_at(find(l.directions().binary_search(&k))),
        [k, j] => l.second_at(find(l.pairs().binary_search(&(k, j)))),
        [k, j, i] => l.third_at(find(l.triples().binary_search(&[k, j, i]))),
        [k, j, i, h] => l.fourth_at(find(l.quadruples().binary_search(&[k, j, i, h]))),
        _ => 0,
    }
}

/// The sorted directions of the positions in `mask`.
fn sub(dirs: &[usize], mask: u32) -> Vec<usize> {
    let mut v: Vec<usize> = (0..dirs.len())
        .filter(|&i| mask >> i & 1 == 1)
        .map(|i| dirs[i])
        .collect();
    v.sort_unstable();
    v
}

/// Every set partition of the positions `0..r`, each as a list of position masks.
fn set_partitions(r: usize) -> Vec<Vec<u32>> {
    // Restricted growth strings: position i goes to block g[i] ≤ 1 + max(g[..i]).
    fn grow(i: usize, r: usize, blocks: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
        if i == r {
            out.push(blocks.clone());
            return;
        }
        for b in 0..=blocks.len() {
            if b == blocks.len() {
                blocks.push(1 << i);
                grow(i + 1, r, blocks, out);
                blocks.pop();
            } else {
                blocks[b] |= 1 << i;
                grow(i + 1, r, blocks, out);
                blocks[b] &= !(1 << i);
            }
        }
    }
    let mut out = Vec::new();
    grow(0, r, &mut Vec::new(), &mut out);
    out
}

fn chain_terms(l: &Layout, dirs: &[usize]) -> Vec<ChainTerm> {
    let mut terms: Vec<ChainTerm> = Vec::new();
    for partition in set_partitions(dirs.len()) {
        let mut blocks: Vec<usize> = partition
            .iter()
            .map(|&mask| component_of(l, &sub(dirs, mask)))
            .collect();
        blocks.sort_unstable();
        match terms.iter_mut().find(|t| t.blocks == blocks) {
            Some(t) => t.mult += 1,
            None => terms.push(ChainTerm { mult: 1, blocks }),
        }
    }
    terms
}

fn leibniz_terms(l: &Layout, dirs: &[usize]) -> Vec<LeibnizTerm> {
    let r = dirs.len();
    let all = (1u32 << r) - 1;
    let mut terms: Vec<LeibnizTerm> = Vec::new();
    for mask in 0..=all {
        let x = component_of(l, &sub(dirs, mask));
        let y = component_of(l, &sub(dirs, all & !mask));
        match terms.iter_mut().find(|t| (t.x, t.y) == (x, y)) {
            Some(t) => t.mult += 1,
            None => terms.push(LeibnizTerm { mult: 1, x, y }),
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ad::jet::Selection;

    #[test]
    fn bell_numbers() {
        let counts: Vec<usize> = (1..=4).map(|r| set_partitions(r).len()).collect();
        assert_eq!(counts, [1, 2, 5, 15]);
    }

    #[test]
    fn term_counts_add_up() {
        let l = Selection::new(3)
            .third(0, 0, 1)
            .fourth(0, 1, 2, 2)
            .layout()
            .unwrap();
        let plan = Plan::new(&l);
        for hc in &plan.comps {
            let r = if hc.index < l.fourth_at(0) { 3 } else { 4 };
            let bell = [0, 1, 2, 5, 15][r];
            let chain: u32 = hc.chain.iter().map(|t| t.mult).sum();
            let leibniz: u32 = hc.leibniz.iter().map(|t| t.mult).sum();
            assert_eq!((chain, leibniz), (bell, 1 << r));
        }
    }
}
