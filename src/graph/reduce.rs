//! Reduction nodes, and the definition that makes their results independent of chunks.
//!
//! The value of a reduction depends on its input's values and shape only: never on the chunks,
//! the number of workers, or (for a distributed executor) the number of ranks. It is defined as:
//!
//! 1. **Leaves.** The sub-box of the reduced axes is cut into the C-order tiles of at most
//!    [`LEAF_LEN`] positions (`TileGrid` of the reduced extents): whole inner reduced axes, a
//!    slab of one, single indices before it, each axis cut evenly (20000 positions are ten
//!    leaves of 2000). They make a grid of leaves, which, when two axes or more are cut, is
//!    grouped in cells of at most [`LEAF_LEN`] positions along each axis, also cut evenly.
//! 2. **Folding a leaf**, per output element, by a rule fixed by which axes are reduced
//!    ([`Layout`]): the reduced axes trailing (every full reduction): the reducer's run kernel
//!    over the leaf's values, which are contiguous (compensated summation for float sums); the
//!    last axis reduced among others: each row of the leaf through the run kernel, rows combined
//!    in order; the last axis kept: a sequential fold over the leaf's positions (in their C
//!    order, from the reducer's identity; how the loop is cut, two rows in one pass or the
//!    first without reading the identity back, changes no operation).
//! 3. **Combining leaves** in the tree of their codes ([`LeafTree`]): a generalized Morton order
//!    of the leaves inside each cell and of the cells, fixed by the extents, whose every node is
//!    a box of the input about as long as it is wide. Along one axis it is the power-of-two
//!    tree: the leaves `lo..hi` split at `lo + P`, `P` the largest power of two below `hi - lo`.
//!
//! Inline and staged evaluation differ in scheduling only. *Inline* (every reduced axis is one
//! chunk of the input): a consumer's tile folds all the leaves itself. *Staged*: each task folds
//! one node of the tree at a level of `2^m` leaves (a box of the input), and the nodes combine
//! in the tree above them (by `rayon::join`, splitting where [`Stage::split`] says), so the bits
//! are those of the inline evaluation. The level follows the input's chunks (about one input
//! chunk per task; with cells, the smallest node that holds a chunk's positions, so that a
//! chunk that is a cell is one task), which is why the chunks decide the work split but not the
//! result; and as a task's leaves are a compact box, a task reads each input block it needs
//! about once and a worker keeps a few blocks, not a row of them. Where the chunks are whole
//! cells (blocks of 2000 x 2000 of a 20000 x 20000 array), a task's box lies in one block: each
//! block is read by one task, made once per pass, and let go when the task ends.

use std::any::Any;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use smallvec::SmallVec;

use super::leaf_tree::{Code, LeafTree};
use super::{read, Expr, Meta, Node, OpKind, Parts, PassKey, Stage, TaskCx, PREFETCH_LEN};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::frame::Wire;
use crate::kernels::reducers::{Cascade, Reducer, RowCascade};
use crate::kernels::{scatter, zeroed_vec};
use crate::region::{
    c_strides, cancel_point, for_each_row, for_each_tile, region_len, Region, TILE_LEN,
};

/// Reduced positions per leaf: one tile, so a leaf of one output is folded from one buffer.
pub(crate) const LEAF_LEN: usize = TILE_LEN;

/// How a leaf is folded for one output element, fixed by which axes are reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// The reduced axes are the last ones: each output's leaf values are contiguous.
    Trailing,
    /// The last axis is reduced, and some earlier one is kept: rows through the run kernel.
    Rows,
    /// The last axis is kept: a sequential fold, a row of outputs at a time.
    Columns,
}

/// The largest power of two strictly below `n` (`n >= 2`): where the canonical tree splits.
pub(crate) fn tree_split(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

pub(crate) struct Reduce<I: Element, R: Reducer<I>> {
    meta: Meta,
    input: Arc<dyn Expr<I>>,
    /// Reduced axes of the input, sorted, unique.
    axes: Vec<usize>,
    keepdims: bool,
    staged: bool,
    layout: Layout,
    /// The canonical leaves (tiles of the reduced axes' extents) and the tree over them.
    tree: LeafTree,
    /// Leaves per task when staged (a power of two).
    group: usize,
    /// The level of the tree a task folds a node of: `log2(group)`.
    level: u32,
    _r: PhantomData<fn() -> R>,
}

impl<I: Element, R: Reducer<I>> Reduce<I, R> {
    /// `axes` must be sorted, unique and in range (the API checks them).
    pub(crate) fn new(input: Arc<dyn Expr<I>>, axes: Vec<usize>, keepdims: bool) -> Self {
        let m = input.meta();
        let n = m.shape.len();
        let mut shape = Vec::new();
        let mut grid = Vec::new();
        for (d, &e) in m.shape.iter().enumerate() {
            if axes.contains(&d) {
                if keepdims {
                    shape.push(1);
                    grid.push(AxisChunks::single(1));
                }
            } else {
                shape.push(e);
                grid.push(m.chunks.axis(d).clone());
            }
        }
        let staged = axes.iter().any(|&a| m.chunks.axis(a).len() > 1);
        let reduced: Vec<usize> = axes.iter().map(|&a| m.shape[a]).collect();
        let tree = LeafTree::new(&reduced, LEAF_LEN);
        let layout = if axes
            .iter()
            .enumerate()
            .all(|(i, &a)| a == n - axes.len() + i)
        {
            Layout::Trailing
        } else if axes.contains(&(n - 1)) {
            Layout::Rows
        } else {
            Layout::Columns
        };
        // About one input chunk of reduced positions per task.
        let leaf_len = if tree.len() > 0 {
            region_len(&tree.node_box(0, 0))
        } else {
            1
        };
        let mut chunk_reduced = axes
            .iter()
            .fold(1usize, |v, &a| v.saturating_mul(m.chunks.axis(a).max()));
        if axes.len() == n {
            // Whole runs of what the input makes together (a row of contraction blocks) per
            // task, so that tasks on two workers do not make the same blocks.
            chunk_reduced = chunk_reduced.max(input.granule());
        }
        let per_task = (chunk_reduced / leaf_len.max(1)).max(1);
        let mut group = 1usize << (usize::BITS - 1 - per_task.leading_zeros());
        if tree.has_cells() && group < per_task {
            // The next power of two: a chunk that is a cell (2000 rows of a leaf each) is one
            // task, the cell, not two halves whose workers would both make the chunk's block.
            group = group.saturating_mul(2);
        }
        let all = axes.len() == n;
        let name = if all {
            R::NAME.to_string()
        } else {
            format!(
                "{}(axis={:?}{})",
                R::NAME,
                axes,
                if keepdims { ", keepdims" } else { "" }
            )
        };
        let error = (!R::HAS_IDENTITY && reduced.contains(&0)).then(|| Error::EmptyReduction {
            op: name.clone(),
            shape: m.shape.clone(),
        });
        let kind = OpKind::Reduce {
            axes: axes.clone(),
            keepdims,
            staged,
        };
        Reduce {
            meta: Meta::new(name, kind, R::Acc::DTYPE, shape, Chunks::from_axes(grid))
                .with_error(error),
            input,
            axes,
            keepdims,
            staged,
            layout,
            level: group.trailing_zeros().min(tree.levels()),
            tree,
            group,
            _r: PhantomData,
        }
    }

    /// The reduction run as a stage of its own even where it could run inline: for a result
    /// that is read many times (the carries of a scan), so that it is computed once.
    pub(crate) fn into_staged(mut self) -> Self {
        self.staged = true;
        if let OpKind::Reduce { staged, .. } = &mut self.meta.kind {
            *staged = true;
        }
        self
    }

    /// Leaf tasks per output chunk when staged: the non-empty nodes of the tree at `level`
    /// (at least one, so that an empty reduction still makes its partials).
    fn groups(&self) -> usize {
        self.tree.nodes(self.level).max(1)
    }

    /// The node of the tree whose leaves group `g` folds.
    fn group_node(&self, g: usize) -> Code {
        if self.tree.len() == 0 {
            return 0;
        }
        self.tree.node(self.level, g)
    }

    /// The input box of an output region, with `reduced[k]` the range of the k-th reduced axis.
    fn input_box(&self, out: &[Range<usize>], reduced: &[Range<usize>]) -> Region {
        let n = self.input.meta().shape.len();
        let mut r = Region::with_capacity(n);
        let mut k = 0;
        let mut o = 0;
        for d in 0..n {
            if k < self.axes.len() && self.axes[k] == d {
                r.push(reduced[k].clone());
                k += 1;
                if self.keepdims {
                    o += 1;
                }
            } else {
                r.push(out[o].clone());
                o += 1;
            }
        }
        r
    }

    /// Output strides seen from the input axes of `in_box` (0 on reduced axes), and the number
    /// of reduced positions in it.
    fn out_strides(&self, in_box: &[Range<usize>]) -> (SmallVec<[usize; 6]>, usize) {
        let out_ext: SmallVec<[usize; 6]> = (0..in_box.len())
            .map(|d| {
                if self.axes.contains(&d) {
                    1
                } else {
                    in_box[d].len()
                }
            })
            .collect();
        let mut ostr = c_strides(&out_ext);
        for &a in &self.axes {
            ostr[a] = 0;
        }
        let per = self.axes.iter().map(|&a| in_box[a].len()).product();
        (ostr, per)
    }

    /// Reads `in_box` tile by tile: `f(values, tile extents, offset of the tile's first output)`
    /// (`ostr` from [`out_strides`](Self::out_strides)).
    fn for_each_input_tile(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &[Range<usize>],
        ostr: &[usize],
        mut f: impl FnMut(&[I], &[usize], usize),
    ) -> Result<()> {
        for_each_tile(in_box, TILE_LEN, |t| {
            let base: usize = (0..t.len())
                .map(|d| (t[d].start - in_box[d].start) * ostr[d])
                .sum();
            let ext: SmallVec<[usize; 6]> = t.iter().map(|x| x.len()).collect();
            read(cx, &*self.input, t, |vals: &[I]| f(vals, &ext, base))
        })
    }

    /// The sequential fold of [`Layout::Columns`] over `in_box`, in the result type, into `acc`
    /// (one per output, C order).
    ///
    /// Each output's values are folded in the C order of their reduced coordinates, as a loop
    /// over the box would: its first value from the identity, which is not written first
    /// ([`Reducer::accumulate`] with `first`), and two consecutive rows of one output row in
    /// one pass ([`Reducer::accumulate_pair`]). When the axes before the last hold few
    /// positions (the `(2, n)` points of pi), the box is cut along its last axis into pieces
    /// that take every one of those rows in one tile, so that they are folded together.
    fn fold_columns(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &[Range<usize>],
        acc: &mut [R::Acc],
    ) -> Result<()> {
        let (ostr, _) = self.out_strides(in_box);
        let n = in_box.len();
        // Columns: the last axis is kept, so there is one.
        let last = in_box[n - 1].clone();
        let rows: usize = in_box[..n - 1].iter().map(|r| r.len()).product();
        if rows == 0 || last.is_empty() {
            acc.fill(R::finish(R::identity()));
            return Ok(());
        }
        // Pieces of the last axis whose rows all fit one tile, when they are runs of at least
        // `MIN_PIECE` values (long enough that a row's call costs little beside its values);
        // else the box's own tiles.
        const MIN_PIECE: usize = 256;
        let piece = if rows <= TILE_LEN / MIN_PIECE {
            TILE_LEN / rows
        } else {
            last.len()
        };
        let mut sub: Region = in_box.iter().cloned().collect();
        let mut at = last.start;
        for k in 0.. {
            if at >= last.end {
                break;
            }
            // The pieces' tiles count between looks at the cancel flag as one walk's would.
            cancel_point(k)?;
            let end = at.saturating_add(piece).min(last.end);
            sub[n - 1] = at..end;
            for_each_tile(&sub, TILE_LEN, |t| {
                self.fold_column_tile(cx, in_box, &ostr, t, acc)
            })?;
            at = end;
        }
        Ok(())
    }

    /// [`fold_columns`](Self::fold_columns) of tile `t` of `in_box`.
    fn fold_column_tile(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &[Range<usize>],
        ostr: &[usize],
        t: &[Range<usize>],
        acc: &mut [R::Acc],
    ) -> Result<()> {
        let n = t.len();
        let base: usize = (0..n)
            .map(|d| (t[d].start - in_box[d].start) * ostr[d])
            .sum();
        let ext: SmallVec<[usize; 6]> = t.iter().map(|x| x.len()).collect();
        let len = ext[n - 1];
        // A row holds its outputs' first values when each of its reduced coordinates is the
        // box's first; only a tile that starts there on every reduced axis has such rows.
        let leads = self.axes.iter().all(|&a| t[a].start == in_box[a].start);
        let row_strides = c_strides(&ext[..n - 1]);
        let first = |row: usize| {
            leads
                && self
                    .axes
                    .iter()
                    .all(|&a| (row / row_strides[a]).is_multiple_of(ext[a]))
        };
        read(cx, &*self.input, t, |vals: &[I]| {
            let run = |row: usize| &vals[row * len..(row + 1) * len];
            let fold_one = |acc: &mut [R::Acc], (row, off, is_first): (usize, usize, bool)| {
                R::accumulate(&mut acc[off..off + len], is_first, run(row));
            };
            // A row waits for the next: folded with it when they share their outputs.
            let mut waiting: Option<(usize, usize, bool)> = None;
            for_each_row(&ext, ostr, base, |row, off| {
                let is_first = first(row);
                match waiting.take() {
                    Some((prev, prev_off, prev_first)) if prev_off == off && !is_first => {
                        let out = &mut acc[off..off + len];
                        R::accumulate_pair(out, prev_first, run(prev), run(row));
                    }
                    Some(w) => {
                        fold_one(acc, w);
                        waiting = Some((row, off, is_first));
                    }
                    None => waiting = Some((row, off, is_first)),
                }
            });
            if let Some(w) = waiting {
                fold_one(acc, w);
            }
        })
    }

    /// Folds the leaf at `coords` (of the leaf grid) for every output of `out_region` into
    /// `part` (one per output, C order), by the node's [`Layout`]. Every entry of `part` is
    /// written.
    fn fold_leaf(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &mut Region,
        coords: &[usize],
        part: &mut [R::Part],
    ) -> Result<()> {
        self.tree.set_leaf(coords, |k, r| in_box[self.axes[k]] = r);
        self.fold_leaf_box(cx, in_box, part)
    }

    /// [`fold_leaf`](Self::fold_leaf) of the leaf whose input box is `in_box`.
    fn fold_leaf_box(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &Region,
        part: &mut [R::Part],
    ) -> Result<()> {
        if self.layout == Layout::Columns && !R::FOLDS_IN_ACC {
            let (ostr, _) = self.out_strides(in_box);
            part.fill(R::identity());
            return self.for_each_input_tile(cx, in_box, &ostr, |vals, ext, base| {
                let len = ext.last().copied().unwrap_or(1);
                for_each_row(ext, &ostr, base, |row, off| {
                    R::push_each(&mut part[off..off + len], &vals[row * len..(row + 1) * len]);
                });
            });
        }
        if self.layout == Layout::Columns {
            let mut acc = cx.take::<R::Acc>(part.len());
            let r = self.fold_columns(cx, in_box, &mut acc);
            for (p, &a) in part.iter_mut().zip(acc.iter()) {
                *p = R::lift(a);
            }
            cx.give(acc);
            return r;
        }
        if part.len() == 1 && self.layout == Layout::Trailing {
            // One output: the leaf is one box of at most a tile, read whole.
            part[0] = read(cx, &*self.input, in_box, |vals: &[I]| R::reduce_run(vals))?;
            return Ok(());
        }
        let (ostr, per) = self.out_strides(in_box);
        if self.layout == Layout::Rows {
            part.fill(R::identity());
        }
        // A leaf holds at most a tile, so tiles of the box keep each output's leaf (Trailing)
        // or each row of the last axis (Rows) whole.
        self.for_each_input_tile(cx, in_box, &ostr, |vals, ext, base| {
            if self.layout == Layout::Trailing {
                for (j, run) in vals.chunks_exact(per.max(1)).enumerate() {
                    part[base + j] = R::reduce_run(run);
                }
            } else {
                let len = ext.last().copied().unwrap_or(1);
                for_each_row(ext, &ostr, base, |row, off| {
                    let run = R::reduce_run(&vals[row * len..(row + 1) * len]);
                    part[off] = R::combine(part[off], run);
                });
            }
        })
    }

    /// The values of the leaves of node (`level`, `node`) of one output as one slice, the
    /// first leaf's code and the length of a leaf in it, when the leaves are slabs of the
    /// first reduced axis (so a leaf's code is its index), the reduced axes are trailing (so
    /// the slabs are consecutive in memory) and the input holds them in place.
    fn borrowed_leaves<'a>(
        &'a self,
        cx: &'a TaskCx<'_>,
        in_box: &Region,
        level: u32,
        node: Code,
    ) -> Option<(&'a [I], Code, usize)> {
        let step = self.tree.first_axis_step()?;
        if self.layout != Layout::Trailing {
            return None;
        }
        // Leaves that are slabs of the first axis are the tree's line along it.
        let (line_axis, leaves, extent) = self.tree.line(level, node)?;
        debug_assert_eq!((line_axis, extent), (0, step));
        let shape = &self.input.meta().shape;
        let a = self.axes[0];
        let mut b = in_box.clone();
        b[a] = leaves.start.saturating_mul(step)..leaves.end.saturating_mul(step).min(shape[a]);
        // A leaf is `step` slabs of the first reduced axis times the whole later ones.
        let inner: usize = self.axes[1..].iter().map(|&d| shape[d]).product();
        let vals = super::borrowed(cx, &*self.input, &b)?;
        Some((vals, leaves.start as Code, (step * inner).max(1)))
    }

    /// The level of the nodes whose input the fold of `outputs` outputs asks to be
    /// [`prefetch`](Node::prefetch)ed at a time: about [`PREFETCH_LEN`] of input (`None`: a
    /// leaf alone is that large, no prefetch).
    fn prefetch_level(&self, outputs: usize) -> Option<u32> {
        let leaf = if self.tree.len() > 0 {
            region_len(&self.tree.node_box(0, 0)).max(1)
        } else {
            1
        };
        let w = PREFETCH_LEN / leaf.saturating_mul(outputs).max(1);
        (w >= 2).then(|| usize::BITS - 1 - w.leading_zeros())
    }

    /// Asks the input to ready the box of node (`level`, `node`) of `out_region`, unless the
    /// task holds it already (a shared pass holds its group's input).
    fn prefetch(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        level: u32,
        node: Code,
    ) -> Result<()> {
        let in_box = self.input_box(out_region, &self.tree.node_box(level, node));
        if cx.has::<I>(self.input.meta().id, &in_box) {
            return Ok(());
        }
        self.input.prefetch(cx, &in_box)
    }

    /// The canonical combination of the leaves of node (`level`, `node`) of the tree for every
    /// output of `out_region`: the leaves in code order through a [`Cascade`], which joins
    /// them as the tree does.
    fn fold_leaves(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        level: u32,
        node: Code,
        part: &mut [R::Part],
    ) -> Result<()> {
        // The input box of the leaves: whole reduced axes, of which each leaf sets its own
        // ranges (axes inside a leaf stay whole).
        let shape = &self.input.meta().shape;
        let whole: Region = self.axes.iter().map(|&a| 0..shape[a]).collect();
        let mut in_box = self.input_box(out_region, &whole);
        if self.tree.len() == 1 {
            // One leaf (every inline reduction of a short axis, as pi's `sum(axis=0)` of
            // two rows): the whole reduced box.
            return self.fold_leaf_box(cx, &in_box, part);
        }
        if level == 0 {
            return match self.tree.leaves(0, node).next() {
                Some((_, coords)) => self.fold_leaf(cx, &mut in_box, &coords, part),
                None => {
                    part.fill(R::identity());
                    Ok(())
                }
            };
        }
        // Ask for the input a node of about PREFETCH_LEN at a time, at its first leaf (a
        // non-empty node's first leaf is its origin, whose low code bits are 0).
        let ahead = self.prefetch_level(part.len()).map(|a| a.min(level));
        let starts_node = |code: Code| ahead.filter(|&a| code & ((1 << a) - 1) == 0);
        if part.len() == 1 {
            let mut cascade = Cascade::new();
            if let Some((vals, first, leaf_len)) = self.borrowed_leaves(cx, &in_box, level, node) {
                // Data in memory: the leaves are consecutive runs of one slice.
                for (i, run) in vals.chunks(leaf_len).enumerate() {
                    cascade.push(first + i as Code, R::reduce_run(run), R::combine);
                }
                part[0] = cascade.finish(R::identity(), R::combine);
                return Ok(());
            }
            if let Some((axis, leaves, leaf)) = self.tree.line(level, node) {
                // One axis cut into leaves (every 1-d reduction): leaf `k` is the `k`-th slab
                // of it and its code is `k`, so the loop sets the box directly.
                let (d, id) = (self.axes[axis], self.input.meta().id);
                let slab = |a: usize, b: usize| {
                    a.saturating_mul(leaf).min(shape[d])..b.saturating_mul(leaf).min(shape[d])
                };
                for k in leaves.clone() {
                    cancel_point(k)?;
                    if let Some(a) = starts_node(k as Code) {
                        let mut b = in_box.clone();
                        let span = 1usize.checked_shl(a).unwrap_or(usize::MAX);
                        b[d] = slab(k, k.saturating_add(span).min(leaves.end));
                        if !cx.has::<I>(id, &b) {
                            self.input.prefetch(cx, &b)?;
                        }
                    }
                    in_box[d] = slab(k, k + 1);
                    let mut p = [R::identity()];
                    self.fold_leaf_box(cx, &in_box, &mut p)?;
                    cascade.push(k as Code, p[0], R::combine);
                }
                part[0] = cascade.finish(R::identity(), R::combine);
                return Ok(());
            }
            for (i, (code, coords)) in self.tree.leaves(level, node).enumerate() {
                // A leaf is a tile: between tiles a long task looks for a cancel.
                cancel_point(i)?;
                if let Some(a) = starts_node(code) {
                    self.prefetch(cx, out_region, a, code >> a)?;
                }
                let mut p = [R::identity()];
                self.fold_leaf(cx, &mut in_box, &coords, &mut p)?;
                cascade.push(code, p[0], R::combine);
            }
            part[0] = cascade.finish(R::identity(), R::combine);
            return Ok(());
        }
        let mut cascade = RowCascade::new();
        for (i, (code, coords)) in self.tree.leaves(level, node).enumerate() {
            let mut p = cx.take::<R::Part>(part.len());
            let ready = match starts_node(code) {
                Some(a) => self.prefetch(cx, out_region, a, code >> a),
                None => Ok(()),
            };
            if let Err(e) = ready
                .and_then(|()| cancel_point(i))
                .and_then(|()| self.fold_leaf(cx, &mut in_box, &coords, &mut p))
            {
                cx.give(p);
                cascade.release(&mut cx.pool);
                return Err(e);
            }
            cascade.push(&mut cx.pool, code, p, R::combine);
        }
        cascade.finish(&mut cx.pool, part, R::identity(), R::combine);
        Ok(())
    }
}

impl<I: Element, R: Reducer<I>> Node for Reduce<I, R> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(R::Acc);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn as_stage(&self) -> Option<&dyn Stage> {
        self.staged.then_some(self as &dyn Stage)
    }
    fn cache_bytes(&self, _pass: &super::PassBlocks) -> usize {
        // Inline, a tile of outputs carries a cascade of partial rows: one per level.
        let levels = self.tree.levels() as usize + 1;
        levels * TILE_LEN * std::mem::size_of::<R::Part>()
    }
}

impl<I: Element, R: Reducer<I>> Expr<R::Acc> for Reduce<I, R> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [R::Acc]) -> Result<()> {
        // A staged reduction's consumers read its stage result through `pull` and never come
        // here; this is the inline evaluation.
        if out.is_empty() {
            return Ok(());
        }
        if self.tree.len() == 1 && self.layout == Layout::Columns && R::FOLDS_IN_ACC {
            // One leaf folded sequentially: straight into the output (`finish(lift(a)) == a`).
            // One leaf is the whole reduced box.
            let shape = &self.input.meta().shape;
            let whole: Region = self.axes.iter().map(|&a| 0..shape[a]).collect();
            let in_box = self.input_box(region, &whole);
            return self.fold_columns(cx, &in_box, out);
        }
        let mut part = cx.take::<R::Part>(out.len());
        let r = self.fold_leaves(cx, region, self.tree.levels(), 0, &mut part);
        if r.is_ok() {
            for (o, &p) in out.iter_mut().zip(part.iter()) {
                *o = R::finish(p);
            }
        }
        cx.give(part);
        r
    }
}

impl<I: Element, R: Reducer<I>> Stage for Reduce<I, R> {
    fn tasks(&self) -> usize {
        self.meta.chunks.num_chunks().saturating_mul(self.groups())
    }

    fn max_partial_bytes(&self) -> usize {
        self.meta
            .chunks
            .max_chunk_len()
            .saturating_mul(std::mem::size_of::<R::Part>())
    }

    fn leaves_per_output(&self) -> usize {
        self.groups()
    }

    fn leaves_per_task(&self) -> usize {
        self.group
    }

    fn combine_levels(&self) -> u64 {
        // Over one axis the tree of nodes is the balanced one. Over `k` cut axes it is a box
        // whose sides round up to powers of two one by one: up to `k` levels more.
        let n = self.groups();
        let balanced = u64::from(usize::BITS - n.leading_zeros());
        match self.tree.tiled_axes() {
            k @ 2.. => balanced + u64::from(k),
            _ => balanced,
        }
    }

    fn pass_key(&self) -> PassKey {
        PassKey {
            input: self.input.meta().id,
            axes: self.axes.clone(),
            keepdims: self.keepdims,
            group: self.group,
            leaves: self.tree.len(),
            out_chunks: self.meta.chunks.clone(),
        }
    }

    fn groups(&self) -> usize {
        Reduce::groups(self)
    }

    fn split(&self, lo: usize, hi: usize) -> usize {
        self.tree.split(self.level, lo, hi)
    }

    fn task_blocks(&self) -> usize {
        // A task's box, about an input chunk large and not aligned with the chunks (unless
        // they are whole cells), overlaps up to two blocks along each axis its leaves tile; the
        // next task on the worker is its neighbor and shares some. Two more than that serve
        // both: fewer blocks make blocks again and again (measured on the stencil before its
        // chunks were cells: 4 blocks took 1.4x the time of 6, 3 took 4.4x), more only hold
        // memory.
        (1usize << self.tree.tiled_axes().min(6)) + 2
    }

    fn task_reads(
        &self,
        results: &super::Results,
        out_region: &[Range<usize>],
        g: usize,
        out: &mut Vec<super::shared_blocks::BlockKey>,
    ) -> bool {
        if self.tree.len() == 0 {
            return true;
        }
        let leaves = self.tree.node_box(self.level, self.group_node(g));
        let in_box = self.input_box(out_region, &leaves);
        self.input.cached_blocks(results, &in_box, out)
    }

    fn group_task(&self, out_region: &[Range<usize>], g: usize) -> (String, u64, u64) {
        let leaves = self.tree.node_box(self.level, self.group_node(g));
        let n = (region_len(out_region) as u64).saturating_mul(region_len(&leaves) as u64);
        let name = format!("{} {:?} leaves {:?}", self.meta.name, out_region, leaves);
        (name, n, n.saturating_mul(I::DTYPE.size() as u64))
    }

    fn hold_group_input(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        g: usize,
    ) -> Result<()> {
        // The group's leaves are a node of the tree: a box of the reduced axes.
        if self.tree.len() == 0 {
            return Ok(());
        }
        let leaves = self.tree.node_box(self.level, self.group_node(g));
        let in_box = self.input_box(out_region, &leaves);
        cx.hold(&*self.input, &in_box)
    }

    fn fold_group(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        g: usize,
    ) -> Result<Parts> {
        let mut part = vec![R::identity(); region_len(out_region)];
        self.fold_leaves(cx, out_region, self.level, self.group_node(g), &mut part)?;
        Ok(Box::new(part))
    }

    fn combine(&self, a: Parts, b: Parts) -> Parts {
        let mut a = a.downcast::<Vec<R::Part>>().expect("parts of this stage");
        let b = b.downcast::<Vec<R::Part>>().expect("parts of this stage");
        for (x, y) in a.iter_mut().zip(b.iter()) {
            *x = R::combine(*x, *y);
        }
        a
    }

    fn encode(&self, parts: &Parts, out: &mut Vec<u8>) {
        let parts = parts
            .downcast_ref::<Vec<R::Part>>()
            .expect("parts of this stage");
        for p in parts {
            p.put(out);
        }
    }

    fn decode(&self, out_region: &[Range<usize>], raw: &[u8]) -> Option<Parts> {
        let mut parts = Vec::with_capacity(region_len(out_region));
        let mut rest = raw;
        for _ in 0..region_len(out_region) {
            let (p, r) = R::Part::get(rest)?;
            parts.push(p);
            rest = r;
        }
        rest.is_empty().then(|| Box::new(parts) as Parts)
    }

    fn assemble(&self, chunks: Vec<(Region, Parts)>) -> Result<Arc<dyn Any + Send + Sync>> {
        let shape = self.meta.shape.clone();
        let mut data = zeroed_vec::<R::Acc>(&self.meta.name, &shape)?;
        for (out_region, parts) in chunks {
            let parts = parts
                .downcast::<Vec<R::Part>>()
                .expect("parts of this stage");
            let vals: Vec<R::Acc> = parts.iter().map(|&p| R::finish(p)).collect();
            // SAFETY: `out_region` is a chunk of the output, inside `data`'s shape.
            unsafe { scatter(&vals, data.as_mut_ptr(), &shape, &out_region) };
        }
        let arr = ndarray::ArrayD::from_shape_vec(shape, data).expect("size matches shape");
        Ok(Arc::new(arr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canonical tree over leaves, written out recursively.
    fn tree(lo: usize, hi: usize) -> String {
        if hi - lo == 1 {
            return lo.to_string();
        }
        let mid = lo + tree_split(hi - lo);
        format!("({}+{})", tree(lo, mid), tree(mid, hi))
    }

    /// The same tree over aligned groups of `g` leaves, each group a cascade of its leaves.
    fn grouped(k: usize, g: usize) -> String {
        fn over(groups: &[String], lo: usize, hi: usize) -> String {
            if hi - lo == 1 {
                return groups[lo].clone();
            }
            let mid = lo + tree_split(hi - lo);
            format!("({}+{})", over(groups, lo, mid), over(groups, mid, hi))
        }
        let groups: Vec<String> = (0..k.div_ceil(g))
            .map(|j| {
                let mut c = Cascade::new();
                for leaf in j * g..((j + 1) * g).min(k) {
                    c.push(leaf as u128, leaf.to_string(), |a, b| format!("({a}+{b})"));
                }
                c.finish(String::new(), |a, b| format!("({a}+{b})"))
            })
            .collect();
        over(&groups, 0, groups.len())
    }

    /// The tree of leaf codes written out recursively: a node joins its two children, a node
    /// with one non-empty child is that child.
    fn code_tree(t: &LeafTree, level: u32, node: Code) -> Option<String> {
        if level == 0 {
            return t.leaves(0, node).next().map(|(c, _)| c.to_string());
        }
        match (
            code_tree(t, level - 1, node << 1),
            code_tree(t, level - 1, (node << 1) | 1),
        ) {
            (Some(a), Some(b)) => Some(format!("({a}+{b})")),
            (a, b) => a.or(b),
        }
    }

    /// Grids of leaves along several axes, with counts that are not powers of two: the
    /// cascade over a node's leaves, and the nodes of any level combined where
    /// [`LeafTree::split`] splits them (as the executor does), compute the one tree.
    #[test]
    fn every_level_of_tasks_computes_the_tree_of_codes() {
        let join = |a: String, b: String| format!("({a}+{b})");
        for ext in [
            vec![5usize, 3000],
            vec![3, 7, 40],
            vec![13, 9],
            vec![2, 2, 2, 5],
        ] {
            let t = LeafTree::new(&ext, 16);
            let want = code_tree(&t, t.levels(), 0).unwrap();
            for level in 0..=t.levels() {
                let nodes: Vec<String> = (0..t.nodes(level))
                    .map(|g| {
                        let mut c = Cascade::new();
                        for (code, _) in t.leaves(level, t.node(level, g)) {
                            c.push(code, code.to_string(), join);
                        }
                        c.finish(String::new(), join)
                    })
                    .collect();
                fn over(t: &LeafTree, level: u32, n: &[String], lo: usize, hi: usize) -> String {
                    if hi - lo == 1 {
                        return n[lo].clone();
                    }
                    let mid = t.split(level, lo, hi);
                    format!(
                        "({}+{})",
                        over(t, level, n, lo, mid),
                        over(t, level, n, mid, hi)
                    )
                }
                assert_eq!(
                    over(&t, level, &nodes, 0, nodes.len()),
                    want,
                    "{ext:?} level {level}"
                );
            }
        }
    }

    /// Tasks of any power-of-two group size, and the tile cascade, compute the one tree.
    #[test]
    fn every_grouping_of_leaves_is_the_canonical_tree() {
        for k in 1..=70 {
            let want = tree(0, k);
            for g in [1, 2, 4, 8, 16, 32, 64, 128] {
                assert_eq!(grouped(k, g), want, "{k} leaves in groups of {g}");
            }
        }
    }
}
