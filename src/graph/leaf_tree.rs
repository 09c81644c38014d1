//! The canonical leaves of a reduction and the tree over them, fixed by the reduced box's
//! extents alone, so that a reduction's bits depend on its input's values and shape only.
//!
//! - **Leaves** are the tiles of [`TileGrid`] of the reduced extents (whole inner axes, a slab
//!   of one, single indices before it: at most [`LEAF_LEN`](super::reduce::LEAF_LEN)
//!   positions), each axis cut evenly: an axis of `e` positions that the tiles cut into `k`
//!   pieces is cut into `k` pieces of `ceil(e / k)` (the last shorter), so 20000 is ten leaves
//!   of 2000, not nine of 2048 and one of 1568. A leaf has coordinates in the grid of leaves,
//!   `counts[d]` along axis `d`.
//! - **Cells.** When two axes or more are cut into leaves, the grid is cut into cells: along
//!   each axis, the extent cut evenly into pieces of at most `LEAF_LEN` positions (20000 into
//!   ten of 2000, 200 into one), holding whole leaves. Round chunks of round shapes are then
//!   whole cells (blocks of 2000 x 2000 of a 20000 x 20000 array are its cells), so a node of
//!   the tree up to a cell lies in one block and a task reads one block, not parts of four.
//! - **Codes.** A leaf's padded coordinate along an axis is its cell's index times the power
//!   of two that holds a cell's leaves, plus its place in the cell (without cells, its
//!   coordinate). Its code interleaves the bits of its padded coordinates in an order fixed by
//!   the extents (`bits`, lowest bit first): first the bits inside a cell, then the cell's,
//!   each next bit going to the axis whose boxes are shortest in positions so far (the later
//!   axis on ties), so the leaves below any bit of the code form a box that is about as long
//!   as it is wide: a generalized Morton order, of the leaves inside a cell and of the cells.
//!   Padded coordinates past an axis's leaves or a cell's make codes of no leaf.
//! - **The tree** is the binary tree of codes: the node at level `l` with code `n` holds the
//!   leaves whose codes shifted right by `l` equal `n`, a box of the leaf grid clipped to it;
//!   it combines its left child (bit `l - 1` clear) then its right one, and a node with one
//!   non-empty child is that child. Over leaves `0..n` of one axis (no cells) this is the
//!   power-of-two tree (split at the largest power of two below `n`).
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
    /// axis's padded coordinate it is.
    bits: SmallVec<[(u32, u8); 64]>,
    /// Leaves per cell along each axis, when the grid is cut into cells (two axes or more cut
    /// into leaves); `None` when a padded coordinate is the leaf's own.
    cells: Option<Cells>,
    /// When leaves are slabs of the first axis (every other axis whole), the slab length.
    first_axis_step: Option<usize>,
    /// The axis cut into leaves when at most one is (a leaf's code is then its index along
    /// it): the 1-d trees, walked without decoding codes.
    line_axis: Option<usize>,
    /// Leaves in all.
    len: usize,
}

/// The cells of a grid of leaves cut along two axes or more (see the module docs).
#[derive(Debug, Clone)]
struct Cells {
    /// Leaves per cell along each axis (the last cell of an axis may hold fewer).
    per: SmallVec<[usize; 6]>,
    /// Bits of a leaf's place in its cell along each axis (at most 11 for cells of 2048
    /// positions): a padded coordinate is `cell << inner_bits | place`.
    inner_bits: SmallVec<[u32; 6]>,
}

/// Bits that hold `0..n`.
fn bits_for(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

/// The length of the pieces of `e` positions cut evenly into pieces of at most `max`: the
/// fewest pieces, all as long as the first but the last (`ceil(e / ceil(e / max))`).
fn even_part(e: usize, max: usize) -> usize {
    if e == 0 {
        return max.max(1);
    }
    e.div_ceil(e.div_ceil(max.max(1)))
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
            // The tile's extents, each cut evenly: an axis of `e` positions that a tile cuts
            // into `k` pieces gets `k` pieces of `ceil(e / k)` (20000 is 10 leaves of 2000, not
            // 9 of 2048 and one of 1568), so that round chunks of round shapes hold whole leaves.
            let t = grid.tile(0);
            let leaf: SmallVec<[usize; 6]> = t
                .iter()
                .zip(extents)
                .map(|(r, &e)| even_part(e, r.len().max(1)))
                .collect();
            let counts = extents
                .iter()
                .zip(&leaf)
                .map(|(&e, &l)| e.div_ceil(l))
                .collect();
            (leaf, counts)
        };
        let line_axis = (n > 0 && counts.iter().filter(|&&c| c > 1).count() <= 1)
            .then(|| counts.iter().position(|&c| c > 1).unwrap_or(0));
        // Cells: along each axis, `max` positions or fewer, cut evenly as the leaves are.
        let cells = (len > 0 && line_axis.is_none()).then(|| {
            let per: SmallVec<[usize; 6]> = (0..n)
                .map(|d| {
                    let cell = even_part(extents[d], max.max(1));
                    (cell / leaf[d]).clamp(1, counts[d].max(1))
                })
                .collect();
            let inner_bits = per.iter().map(|&p| bits_for(p)).collect();
            Cells { per, inner_bits }
        });
        // Bits of each axis's padded coordinate: first those inside a cell, then the cell's
        // (without cells, one cell holds the whole axis).
        let (inner, outer): (SmallVec<[u32; 6]>, SmallVec<[u32; 6]>) = match &cells {
            Some(c) => (
                c.inner_bits.clone(),
                (0..n)
                    .map(|d| bits_for(counts[d].div_ceil(c.per[d])))
                    .collect(),
            ),
            None => (
                counts.iter().map(|&c| bits_for(c)).collect(),
                (0..n).map(|_| 0).collect(),
            ),
        };
        // Each next bit goes to the axis whose boxes are shortest so far (the later on ties):
        // inside a cell from a leaf, then above the cells from a cell.
        let mut bits = SmallVec::new();
        let mut span: SmallVec<[usize; 6]> = leaf.clone();
        let mut need = inner.clone();
        let mut used: SmallVec<[u32; 6]> = (0..n).map(|_| 0).collect();
        for phase in 0..2 {
            if phase == 1 {
                if need.iter().any(|&b| b > 0) {
                    // Cut at 127 bits inside the cells: no bits above them.
                    break;
                }
                need = outer.clone();
                if let Some(c) = &cells {
                    span = (0..n).map(|d| leaf[d].saturating_mul(c.per[d])).collect();
                }
            }
            while bits.len() < 127 {
                let Some(a) = (0..n)
                    .rev()
                    .filter(|&d| need[d] > 0)
                    .min_by_key(|&d| span[d])
                else {
                    break;
                };
                bits.push((a as u32, used[a] as u8));
                used[a] += 1;
                need[a] -= 1;
                span[a] = span[a].saturating_mul(2);
            }
        }
        let first_axis_step = grid.first_axis_step().map(|_| leaf[0]);
        LeafTree {
            extents: extents.iter().copied().collect(),
            leaf,
            counts,
            bits,
            cells,
            first_axis_step,
            line_axis,
            len,
        }
    }

    /// Leaves in all (0 for an empty box).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the leaves are grouped in cells (two axes or more cut into leaves).
    pub(crate) fn has_cells(&self) -> bool {
        self.cells.is_some()
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
        let (padded, span) = self.node_padded(level, node);
        let mut start: Coords = (0..n).map(|_| 0).collect();
        let mut present: Coords = (0..n).map(|_| 0).collect();
        for d in 0..n {
            (start[d], present[d]) = self.axis_leaves(d, padded[d], span[d]);
        }
        (start, present)
    }

    /// The padded coordinates of the origin of node (`level`, `node`) and its span along each
    /// axis (a power of two), some of which may lie past the grid or in a cell's padding.
    fn node_padded(&self, level: u32, node: Code) -> (Coords, Coords) {
        let n = self.counts.len();
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
        (start, span)
    }

    /// The leaves along axis `d` of the padded range `p..p + span` (`p` a multiple of
    /// `span`, a power of two): the first one's coordinate, and how many (0 when none).
    /// Inside a cell the leaves are its first places, and the cells of an axis follow each
    /// other, so the range's leaves are consecutive.
    fn axis_leaves(&self, d: usize, p: usize, span: usize) -> (usize, usize) {
        let count = self.counts[d];
        let Some(c) = &self.cells else {
            return (p, count.saturating_sub(p).min(span));
        };
        // Inner bits are at most 11 (cells of at most `max` positions): no shift overflows.
        let (per, ib) = (c.per[d], c.inner_bits[d]);
        let place = p & ((1 << ib) - 1);
        let start = (p >> ib).saturating_mul(per).saturating_add(place.min(per));
        let inside = if span <= 1 << ib {
            span.min(per.saturating_sub(place))
        } else {
            (span >> ib).saturating_mul(per)
        };
        (start, inside.min(count.saturating_sub(start)))
    }

    /// How many of the aligned padded ranges of `sub` (a power of two) inside `p..p + span`
    /// along axis `d` hold a leaf.
    fn axis_nodes(&self, d: usize, p: usize, span: usize, sub: usize) -> usize {
        let Some(c) = &self.cells else {
            return self.axis_leaves(d, p, span).1.div_ceil(sub);
        };
        let (per, ib) = (c.per[d], c.inner_bits[d]);
        let cell = 1usize << ib;
        if span <= cell {
            // Inside one cell: its leaves are the range's first places.
            return self.axis_leaves(d, p, span).1.div_ceil(sub);
        }
        // Whole cells, of which those in the grid come first.
        let cells = self.counts[d].div_ceil(per);
        let first = p >> ib;
        let here = (span >> ib).min(cells.saturating_sub(first));
        if here == 0 {
            return 0;
        }
        if sub >= cell {
            return here.div_ceil(sub >> ib);
        }
        // Ranges inside cells: the full cells', then the last cell's (which may be short).
        let last = first + here - 1;
        let in_last = self.counts[d]
            .saturating_sub(last.saturating_mul(per))
            .min(per);
        (here - 1)
            .saturating_mul(per.div_ceil(sub))
            .saturating_add(in_last.div_ceil(sub))
    }

    /// The coordinates of the leaf at padded coordinates `p`.
    fn leaf_coords(&self, mut p: Coords) -> Coords {
        if let Some(c) = &self.cells {
            for (d, v) in p.iter_mut().enumerate() {
                let ib = c.inner_bits[d];
                *v = (*v >> ib).saturating_mul(c.per[d]) + (*v & ((1 << ib) - 1));
            }
        }
        p
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
        if self.line_axis.is_some() {
            let (_, present) = self.node_leaves(level, node);
            return present
                .iter()
                .zip(below)
                .fold(1usize, |v, (&p, &s)| v.saturating_mul(p.div_ceil(s)));
        }
        let (start, span) = self.node_padded(level, node);
        (0..start.len()).fold(1usize, |v, d| {
            v.saturating_mul(self.axis_nodes(d, start[d], span[d], below[d]))
        })
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
        stack.push((level, node, self.node_padded(level, node).0));
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
        /// Nodes still to walk, the next on top: (level, code, padded coordinates of its
        /// origin leaf).
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
                return Some((node, tree.leaf_coords(start)));
            }
            let (a, b) = tree.bits[level as usize - 1];
            let a = a as usize;
            // The right child starts one bit further along its axis (in padded coordinates,
            // spanning that bit's value); it is empty when no leaf lies there (the left child
            // never is, as its parent is not: an axis's leaves are the first places of its
            // first cells).
            let half = 1usize.checked_shl(b as u32).unwrap_or(0);
            let right = start[a].saturating_add(half);
            if tree.axis_leaves(a, right, half).1 > 0 {
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
            // Cells with padding: cells of 44 rows of one leaf of 50 (the last cell 42 rows,
            // the padding to 64 rows is no leaf), and three axes cut into cells.
            vec![130, 200],
            vec![129, 3, 70],
            vec![65, 65, 65],
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

    /// Boxes of a square grid grow about as wide as long, and a cell is a node: round chunks
    /// of a round shape are whole nodes.
    #[test]
    fn nodes_are_about_square_and_cells_are_nodes() {
        let t = LeafTree::new(&[10_000, 10_000], 2048);
        // Leaves of 2000 (10000 in 5 even pieces), cells of 2000 x 2000.
        assert_eq!(t.node_box(0, 0).as_slice(), &[0..1, 0..2000]);
        assert_eq!(t.node_box(11, 0).as_slice(), &[0..2000, 0..2000]);
        assert_eq!(t.node_box(11, 1).as_slice(), &[0..2000, 2000..4000]);
        assert_eq!(t.node_box(12, 0).as_slice(), &[0..2000, 0..4000]);
        assert_eq!(t.node_box(8, 0).as_slice(), &[0..256, 0..2000]);
        assert_eq!(t.nodes(11), 25);
        // 20000 x 20000 in blocks of 2000 x 2000: every node of a level up to a cell's lies
        // in one block, and the cells are the blocks.
        let t = LeafTree::new(&[20_000, 20_000], 2048);
        for level in [9, 10, 11] {
            for g in 0..t.nodes(level) {
                let b = t.node_box(level, t.node(level, g));
                for r in &b {
                    assert_eq!(r.start / 2000, (r.end - 1) / 2000, "{b:?} at level {level}");
                }
                if level == 11 {
                    assert!(b.iter().all(|r| r.len() == 2000), "{b:?}");
                }
            }
        }
        assert_eq!(t.nodes(11), 100);
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
