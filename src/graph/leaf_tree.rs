//! The canonical leaves of a reduction and the tree over them, fixed by the reduced box's
//! extents alone, so that a reduction's bits depend on its input's values and shape only.
//!
//! - **Leaves** are the tiles of [`TileGrid`] of the reduced extents: whole inner axes, a slab
//!   of one, single indices before it (at most [`LEAF_LEN`](super::reduce::LEAF_LEN)
//!   positions). A leaf has coordinates in the grid of leaves, `counts[d]` along axis `d`.
//! - **Codes.** A leaf's code interleaves the bits of its coordinates in an order fixed by the
//!   extents (`bits`, lowest bit first): each next bit goes to the axis whose boxes are
//!   shortest in positions so far (the later axis on ties), so the leaves below any bit of the
//!   code form a box that is about as long as it is wide: a generalized Morton order.
//!   Coordinates past an axis's count make codes of no leaf (the padding up to powers of two).
//! - **The tree** is the binary tree of codes: the node at level `l` with code `n` holds the
//!   leaves whose codes shifted right by `l` equal `n`, a box of the leaf grid clipped to it;
//!   it combines its left child (bit `l - 1` clear) then its right one, and a node with one
//!   non-empty child is that child. Over leaves `0..n` of one axis this is the power-of-two
//!   tree (split at the largest power of two below `n`).
//!
//! A task folds a node at some level (its leaves in code order through a cascade that knows
//! the codes, `kernels::reducers::Cascade`), and the executor combines the non-empty nodes of
//! that level in the tree above them ([`LeafTree::split`]): the chunks and the workers decide
//! the level, never the tree, and every task's leaves are one compact box of the input.

use std::ops::Range;

use smallvec::SmallVec;

use crate::region::{Region, TileGrid};

/// Coordinates in the grid of leaves, one per reduced axis.
pub(crate) type Coords = SmallVec<[usize; 6]>;

/// The canonical leaves of a reduced box and the tree over them (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct LeafTree {
    /// The reduced box's extents.
    extents: SmallVec<[usize; 6]>,
    /// A leaf's extent along each axis (the last leaf of an axis may be shorter).
    leaf: SmallVec<[usize; 6]>,
    /// Leaves along each axis.
    counts: SmallVec<[usize; 6]>,
    /// For each bit of a code, lowest first: the axis it belongs to, and which bit of that
    /// axis's coordinate it is.
    bits: SmallVec<[(u32, u8); 64]>,
    /// When leaves are slabs of the first axis (every other axis whole), the slab length.
    first_axis_step: Option<usize>,
    /// The axis cut into leaves when at most one is (a leaf's code is then its index along
    /// it): the 1-d trees, walked without decoding codes.
    line_axis: Option<usize>,
    /// Leaves in all.
    len: usize,
}

/// A code of the tree (at most 127 bits: see [`LeafTree::new`]).
pub(crate) type Code = u128;

impl LeafTree {
    /// The tree of the box `extents` cut into leaves of at most `max` positions.
    ///
    /// A box of more than `usize::MAX` positions is an error recorded on its node (never
    /// evaluated); its tree is still built, for the plan, with its codes cut to 127 bits.
    pub(crate) fn new(extents: &[usize], max: usize) -> Self {
        let grid = TileGrid::new(extents, max);
        let n = extents.len();
        let len = grid.len();
        let (leaf, counts): (SmallVec<[usize; 6]>, SmallVec<[usize; 6]>) = if len == 0 {
            (
                extents.iter().map(|_| 1).collect(),
                extents.iter().copied().collect(),
            )
        } else {
            let t = grid.tile(0);
            let leaf: SmallVec<[usize; 6]> = t.iter().map(|r| r.len().max(1)).collect();
            let counts = extents
                .iter()
                .zip(&leaf)
                .map(|(&e, &l)| e.div_ceil(l))
                .collect();
            (leaf, counts)
        };
        // Bits each axis needs, then their order: the axis whose boxes are shortest next.
        let mut need: SmallVec<[u32; 6]> = counts
            .iter()
            .map(|&c| {
                if c <= 1 {
                    0
                } else {
                    usize::BITS - (c - 1).leading_zeros()
                }
            })
            .collect();
        let mut span: SmallVec<[usize; 6]> = leaf.clone();
        let mut used: SmallVec<[u8; 6]> = (0..n).map(|_| 0).collect();
        let mut bits = SmallVec::new();
        while bits.len() < 127 {
            let Some(a) = (0..n)
                .rev()
                .filter(|&d| need[d] > 0)
                .min_by_key(|&d| span[d])
            else {
                break;
            };
            bits.push((a as u32, used[a]));
            used[a] += 1;
            need[a] -= 1;
            span[a] = span[a].saturating_mul(2);
        }
        let line_axis = (n > 0 && counts.iter().filter(|&&c| c > 1).count() <= 1)
            .then(|| counts.iter().position(|&c| c > 1).unwrap_or(0));
        LeafTree {
            extents: extents.iter().copied().collect(),
            leaf,
            counts,
            bits,
            first_axis_step: grid.first_axis_step(),
            line_axis,
            len,
        }
    }

    /// Leaves in all (0 for an empty box).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Axes cut into more than one leaf.
    pub(crate) fn tiled_axes(&self) -> u32 {
        self.counts.iter().filter(|&&c| c > 1).count() as u32
    }

    /// Bits of a leaf's code: the root's level.
    pub(crate) fn levels(&self) -> u32 {
        self.bits.len() as u32
    }

    /// When leaves are slabs of the first axis (every 1-d box, and boxes whose later axes fill
    /// a leaf), the slab length: a leaf's code is then its index along that axis.
    pub(crate) fn first_axis_step(&self) -> Option<usize> {
        self.first_axis_step
    }

    /// The leaves along each axis of node (`level`, `node`), from the origin leaf: the node's
    /// start, and how many of its leaves lie in the grid along each axis (a 0 when none do).
    fn node_leaves(&self, level: u32, node: Code) -> (Coords, Coords) {
        let n = self.counts.len();
        if let Some(a) = self.line_axis {
            let mut start: Coords = (0..n).map(|_| 0).collect();
            let mut present: Coords = self.counts.clone();
            // Below 2^127: a node's code has at most `levels - level` bits.
            let first = node
                .checked_shl(level)
                .and_then(|v| usize::try_from(v).ok())
                .unwrap_or(usize::MAX);
            start[a] = first;
            let span = 1usize.checked_shl(level).unwrap_or(usize::MAX);
            present[a] = self.counts[a].saturating_sub(first).min(span);
            return (start, present);
        }
        let mut start: Coords = (0..n).map(|_| 0).collect();
        let mut span: Coords = (0..n).map(|_| 1).collect();
        for (i, &(a, b)) in self.bits.iter().enumerate() {
            let a = a as usize;
            if (i as u32) < level {
                span[a] = span[a].saturating_mul(2);
            } else if (node >> (i as u32 - level)) & 1 == 1 {
                start[a] |= 1usize.checked_shl(b as u32).unwrap_or(0);
            }
        }
        let present = (0..n)
            .map(|d| self.counts[d].saturating_sub(start[d]).min(span[d]))
            .collect();
        (start, present)
    }

    /// Leaves along each axis of a node at `level` (a power of two per axis).
    fn spans(&self, level: u32) -> Coords {
        let mut span: Coords = self.counts.iter().map(|_| 1).collect();
        for &(a, _) in &self.bits[..level as usize] {
            span[a as usize] = span[a as usize].saturating_mul(2);
        }
        span
    }

    /// Non-empty nodes at level `below` inside node (`level`, `node`).
    fn count_in(&self, level: u32, node: Code, below: &Coords) -> usize {
        let (_, present) = self.node_leaves(level, node);
        present
            .iter()
            .zip(below)
            .fold(1usize, |v, (&p, &s)| v.saturating_mul(p.div_ceil(s)))
    }

    /// Non-empty nodes at `level` (0 for an empty box).
    pub(crate) fn nodes(&self, level: u32) -> usize {
        if self.len == 0 {
            return 0;
        }
        let level = level.min(self.levels());
        self.count_in(self.levels(), 0, &self.spans(level))
    }

    /// The code of the `g`-th non-empty node at `level`, in code order (`g < nodes(level)`).
    pub(crate) fn node(&self, level: u32, mut g: usize) -> Code {
        if self.line_axis.is_some() {
            // Along one axis every node but the last is full: the g-th node's code is g.
            return g as Code;
        }
        let level = level.min(self.levels());
        let below = self.spans(level);
        let mut node: Code = 0;
        for l in (level..self.levels()).rev() {
            let left = node << 1;
            let c = self.count_in(l, left, &below);
            node = if g < c {
                left
            } else {
                g -= c;
                left | 1
            };
        }
        node
    }

    /// How many non-empty nodes at `level` have codes below `code`.
    fn rank(&self, level: u32, code: Code) -> usize {
        if self.line_axis.is_some() {
            return usize::try_from(code).unwrap_or(usize::MAX);
        }
        let below = self.spans(level);
        let mut node: Code = 0;
        let mut before = 0usize;
        for l in (level..self.levels()).rev() {
            let left = node << 1;
            if (code >> (l - level)) & 1 == 1 {
                before = before.saturating_add(self.count_in(l, left, &below));
                node = left | 1;
            } else {
                node = left;
            }
        }
        before
    }

    /// Where the tree splits the non-empty nodes `lo..hi` of `level` (`hi - lo >= 2`, and
    /// `lo..hi` the nodes below one node of the tree): the first of the right child's.
    pub(crate) fn split(&self, level: u32, lo: usize, hi: usize) -> usize {
        let level = level.min(self.levels());
        let (a, b) = (self.node(level, lo), self.node(level, hi - 1));
        let top = Code::BITS - 1 - (a ^ b).leading_zeros();
        self.rank(level, (b >> top) << top)
    }

    /// The positions of node (`level`, `node`): per reduced axis, relative to the box.
    pub(crate) fn node_box(&self, level: u32, node: Code) -> Region {
        let level = level.min(self.levels());
        let (start, present) = self.node_leaves(level, node);
        (0..self.extents.len())
            .map(|d| {
                let s = start[d].saturating_mul(self.leaf[d]).min(self.extents[d]);
                let e = (start[d] + present[d])
                    .saturating_mul(self.leaf[d])
                    .min(self.extents[d]);
                s..e
            })
            .collect()
    }

    /// Sets, through `set(axis, range)`, the positions of the leaf at `coords` along every axis
    /// it does not take whole (the caller keeps the other axes whole).
    #[inline]
    pub(crate) fn set_leaf(&self, coords: &[usize], mut set: impl FnMut(usize, Range<usize>)) {
        for (d, &c) in coords.iter().enumerate() {
            if self.counts[d] > 1 {
                let s = c.saturating_mul(self.leaf[d]).min(self.extents[d]);
                set(d, s..s.saturating_add(self.leaf[d]).min(self.extents[d]));
            }
        }
    }

    /// When at most one axis is cut into leaves: that axis, the leaves of node (`level`,
    /// `node`) along it (their codes) and a leaf's extent along it; the leaf `k` covers
    /// `k * extent..min((k + 1) * extent, axis extent)`.
    pub(crate) fn line(&self, level: u32, node: Code) -> Option<(usize, Range<usize>, usize)> {
        let a = self.line_axis?;
        if self.len == 0 {
            return None;
        }
        let (start, present) = self.node_leaves(level.min(self.levels()), node);
        Some((a, start[a]..start[a] + present[a], self.leaf[a]))
    }

    /// The leaves of node (`level`, `node`) in code order: each leaf's code and coordinates.
    pub(crate) fn leaves(&self, level: u32, node: Code) -> Leaves<'_> {
        let level = level.min(self.levels());
        let (start, present) = self.node_leaves(level, node);
        if self.len == 0 || present.contains(&0) {
            return Leaves::Line {
                axis: 0,
                next: 0,
                end: 0,
                coords: start,
            };
        }
        if self.line_axis.is_some() || self.counts.is_empty() {
            // One axis cut into leaves: a leaf's code is its index along it (the hot loop of
            // the 1-d reductions: no walk of the tree).
            let axis = self.line_axis.unwrap_or(0);
            let next = start.get(axis).copied().unwrap_or(0);
            let end = next + present.get(axis).copied().unwrap_or(1);
            return Leaves::Line {
                axis,
                next,
                end,
                coords: start,
            };
        }
        // A walk holds at most one pending right child per level, plus the node.
        let mut stack = Vec::with_capacity(level as usize + 1);
        stack.push((level, node, start));
        Leaves::Tree { tree: self, stack }
    }
}

/// The leaves of a node of a [`LeafTree`] in code order ([`LeafTree::leaves`]).
pub(crate) enum Leaves<'a> {
    /// Leaves `next..end` along `axis`, the only one cut into several (`coords` the others').
    Line {
        axis: usize,
        next: usize,
        end: usize,
        coords: Coords,
    },
    /// A walk of the tree.
    Tree {
        tree: &'a LeafTree,
        /// Nodes still to walk, the next on top: (level, code, origin leaf).
        stack: Vec<(u32, Code, Coords)>,
    },
}

impl Iterator for Leaves<'_> {
    type Item = (Code, Coords);

    fn next(&mut self) -> Option<Self::Item> {
        let (tree, stack) = match self {
            Leaves::Line {
                axis,
                next,
                end,
                coords,
            } => {
                if *next >= *end {
                    return None;
                }
                if let Some(c) = coords.get_mut(*axis) {
                    *c = *next;
                }
                *next += 1;
                return Some(((*next - 1) as Code, coords.clone()));
            }
            Leaves::Tree { tree, stack } => (*tree, stack),
        };
        while let Some((level, node, start)) = stack.pop() {
            if level == 0 {
                return Some((node, start));
            }
            let (a, b) = tree.bits[level as usize - 1];
            let a = a as usize;
            // The right child starts one bit further along its axis; it is empty when that
            // start is past the grid (the left child never is, as its parent is not).
            let right = start[a].saturating_add(1usize.checked_shl(b as u32).unwrap_or(0));
            if right < tree.counts[a] {
                let mut r = start.clone();
                r[a] = right;
                stack.push((level - 1, (node << 1) | 1, r));
            }
            stack.push((level - 1, node << 1, start));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every leaf of the grid once, in code order, each inside its node's box.
    #[test]
    fn leaves_cover_the_grid_once_and_nodes_are_boxes() {
        for ext in [
            vec![1000usize, 1000],
            vec![5, 3000],
            vec![7, 9, 300],
            vec![1, 1],
            vec![4097],
            vec![3; 9],
            vec![0, 4],
        ] {
            let t = LeafTree::new(&ext, 64);
            let all: Vec<(Code, Coords)> = t.leaves(t.levels(), 0).collect();
            assert_eq!(all.len(), t.len(), "{ext:?}");
            assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
            let mut seen = std::collections::HashSet::new();
            for (_, c) in &all {
                assert!(seen.insert(c.clone()));
            }
            for level in 0..=t.levels() {
                let nodes = t.nodes(level);
                let mut total = 0;
                for g in 0..nodes {
                    let n = t.node(level, g);
                    assert_eq!(t.rank(level, n), g);
                    let b = t.node_box(level, n);
                    for (_, c) in t.leaves(level, n) {
                        total += 1;
                        t.set_leaf(&c, |d, r| {
                            assert!(b[d].start <= r.start && r.end <= b[d].end, "{ext:?}")
                        });
                    }
                }
                assert_eq!(total, t.len(), "{ext:?} level {level}");
            }
        }
    }

    /// Boxes of a square grid grow about as wide as long.
    #[test]
    fn nodes_are_about_square() {
        let t = LeafTree::new(&[10_000, 10_000], 2048);
        let b = t.node_box(11, 0);
        assert_eq!(b.as_slice(), &[0..2048, 0..2048]);
        let b = t.node_box(8, 0);
        assert_eq!(b.as_slice(), &[0..256, 0..2048]);
    }

    /// One axis: the tree is the power-of-two tree over leaf indices.
    #[test]
    fn one_axis_splits_at_powers_of_two() {
        fn walk(t: &LeafTree, level: u32, lo: usize, hi: usize) {
            if hi - lo < 2 {
                return;
            }
            let mid = lo + crate::graph::reduce::tree_split(hi - lo);
            assert_eq!(t.split(level, lo, hi), mid, "{lo}..{hi} at level {level}");
            walk(t, level, lo, mid);
            walk(t, level, mid, hi);
        }
        let t = LeafTree::new(&[100 * 64 + 5], 64);
        assert_eq!(t.len(), 101);
        assert_eq!(t.first_axis_step(), Some(64));
        for level in 0..=t.levels() {
            walk(&t, level, 0, t.nodes(level));
        }
    }
}
