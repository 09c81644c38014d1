//! `map_blocks`: a user closure over each whole chunk of one or more arrays (of one grid, of
//! one element type or several), optionally grown by a halo of neighbouring cells
//! (`map_overlap`).
//!
//! The closure needs its chunk whole, so each worker computes the block of the chunk it is in
//! (once, cached in the task) and serves tiles from it: one chunk per worker of memory, counted
//! in the plan. A panic in the closure is caught and becomes an [`Error::Block`] naming the
//! chunk; the pool goes on.

use std::any::Any;
use std::marker::PhantomData;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use smallvec::SmallVec;

use super::{pull_whole_into, Expr, Meta, Node, OpKind, TaskCx};
use crate::element::{with_dtype, Element};
use crate::error::{Error, Result};
use crate::kernels::gather;
use crate::region::{region_len, Region};

/// What a block function returns: the block, or why it has none (reported as the op's
/// [`Error::Block`], naming the chunk).
pub(crate) type BlockResult<U> = std::result::Result<ArrayD<U>, String>;

/// One block of each input, as a [`MapBlocks`] gives them to its closure: the input's values
/// in C order, a `Vec` of its element type behind `Any` (the inputs may be of several types;
/// [`over_views`] turns them into views of one). The closure may take the buffers (to hand
/// them on without a copy); those it leaves are kept by the worker for the next block's
/// inputs, since a fresh block-sized allocation costs its page faults.
pub(crate) type AnyBlocks = Vec<Box<dyn Any + Send>>;

/// The closure of a [`MapBlocks`] from one over `ArrayViewD`s of inputs of one element type
/// `T`: each block's `Vec<T>` viewed with the block's extents.
pub(crate) fn over_views<T: Element, U: Element>(
    f: impl Fn(&[ArrayViewD<'_, T>]) -> BlockResult<U> + Send + Sync + 'static,
) -> impl Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static {
    move |blocks, ext| {
        // Viewed, not taken: the buffers go back to the worker.
        let views: Vec<ArrayViewD<'_, T>> = blocks
            .iter()
            .map(|b| {
                let data = b
                    .downcast_ref::<Vec<T>>()
                    .expect("the inputs' values are of type T");
                ArrayViewD::from_shape(IxDyn(ext), data).expect("block buffer matches its extents")
            })
            .collect();
        f(&views)
    }
}

/// The nodes of typed inputs, as a [`MapBlocks`] takes them.
pub(crate) fn nodes<T: Element>(inputs: Vec<Arc<dyn Expr<T>>>) -> Vec<Arc<dyn Node>> {
    inputs.into_iter().map(|i| i as Arc<dyn Node>).collect()
}

/// The values of `region` of `node`, whole, as a `Vec` of its element type behind `Any`, in
/// a block buffer of the task's pool when one holds them (an earlier block's, given back by
/// [`keep_inputs`]).
fn pull_any(
    cx: &mut TaskCx<'_>,
    node: &Arc<dyn Node>,
    region: &[Range<usize>],
) -> Result<Box<dyn Any + Send>> {
    with_dtype!(node.meta().dtype, X => {
        let e = node.clone().expr().get::<X>();
        let mut data = cx.pool.take_block::<X>(region_len(region));
        let pulled = pull_whole_into(cx, &*e, region, &mut data);
        if let Err(e) = pulled {
            cx.pool.give_block(data);
            return Err(e);
        }
        Ok(Box::new(data))
    })
}

/// Gives the task's pool the input buffers a block function left in `blocks` (each a `Vec`
/// of its input's element type; anything else a closure put there is dropped).
fn keep_inputs(cx: &mut TaskCx<'_>, inputs: &[Arc<dyn Node>], blocks: AnyBlocks) {
    for (buffer, input) in blocks.into_iter().zip(inputs) {
        with_dtype!(input.meta().dtype, X => {
            if let Ok(v) = buffer.downcast::<Vec<X>>() {
                cx.pool.give_block(*v);
            }
        })
    }
}

pub(crate) struct MapBlocks<U: Element, F> {
    meta: Meta,
    /// Arrays of one shape and grid (the API broadcasts and unifies them), of any element
    /// types.
    inputs: Vec<Arc<dyn Node>>,
    /// Called with one block of each input ([`AnyBlocks`]) and the blocks' extents.
    f: F,
    /// For `map_overlap`: the cells of the neighbours each block is given along each axis.
    halo: Halo,
    /// For a declared output grid (`map_blocks_with`): which input block each output block
    /// is made from.
    blocks: Option<BlockMap>,
    _u: PhantomData<fn() -> U>,
}

/// The input block of each output block when the closure returns blocks of another shape
/// (Dask's `map_blocks(.., chunks=, drop_axis=, new_axis=)`): output block coordinates map to
/// input block coordinates, axis by axis.
#[derive(Clone, Debug)]
pub(crate) struct BlockMap {
    /// The inputs' grid.
    pub input: crate::chunks::Chunks,
    /// For each input axis, the output axis whose block index it takes, or `None` for an axis
    /// the closure drops (one block of the input).
    pub from: Vec<Option<usize>>,
}

impl BlockMap {
    fn input_block(&self, coords: &[usize]) -> Region {
        self.from
            .iter()
            .enumerate()
            .map(|(d, o)| self.input.axis(d).range(o.map_or(0, |o| coords[o])))
            .collect()
    }
}

/// The neighbours' cells a block is given (`map_overlap`), and where they come from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Halo {
    /// Cells on each side, per axis (empty: none, `map_blocks`).
    pub depth: Vec<usize>,
    /// Whether the input is the array padded by `depth` on each side (a boundary rule); if
    /// not, blocks at the array's edges get only the neighbours there are.
    pub padded: bool,
}

impl Halo {
    /// The box of the input a block `chunk` reads: the chunk grown by the depth, in the
    /// input's coordinates, clipped to its extents.
    fn extend(&self, chunk: &[Range<usize>], in_shape: &[usize]) -> Region {
        chunk
            .iter()
            .enumerate()
            .map(|(d, r)| {
                let depth = self.depth.get(d).copied().unwrap_or(0);
                let shift = if self.padded { depth } else { 0 };
                let start = (r.start + shift).saturating_sub(depth);
                let end = (r.end + shift + depth).min(in_shape[d]);
                start..end
            })
            .collect()
    }
}

impl<U: Element, F> MapBlocks<U, F>
where
    F: Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static,
{
    /// `f` over the blocks of `inputs` (one shape and grid; at least one).
    pub(crate) fn new(inputs: Vec<Arc<dyn Node>>, f: F) -> Self {
        let m = inputs[0].meta();
        let (shape, chunks) = (m.shape.clone(), m.chunks.clone());
        Self::with_halo("map_blocks", inputs, shape, chunks, Halo::default(), f)
    }

    /// `f` over the blocks of `inputs` (one shape and grid), returning the blocks of `chunks`
    /// (an output grid of `shape`), each made from the input block `blocks` says.
    pub(crate) fn with_blocks(
        name: &str,
        inputs: Vec<Arc<dyn Node>>,
        shape: Vec<usize>,
        chunks: crate::chunks::Chunks,
        blocks: BlockMap,
        f: F,
    ) -> Self {
        let mut node = Self::with_halo(name, inputs, shape, chunks, Halo::default(), f);
        node.blocks = Some(blocks);
        node
    }

    /// A block function over blocks of `shape` cut by `chunks`, each given with its halo of
    /// every input (the arrays themselves, or the arrays padded by the halo's depth).
    pub(crate) fn with_halo(
        name: &str,
        inputs: Vec<Arc<dyn Node>>,
        shape: Vec<usize>,
        chunks: crate::chunks::Chunks,
        halo: Halo,
        f: F,
    ) -> Self {
        let error = inputs.iter().find_map(|i| i.meta().error.clone());
        MapBlocks {
            meta: Meta::new(name, OpKind::Blockwise, U::DTYPE, shape, chunks).with_error(error),
            inputs,
            f,
            halo,
            blocks: None,
            _u: PhantomData,
        }
    }

    fn compute_block(
        &self,
        cx: &mut TaskCx<'_>,
        coords: &[usize],
        chunk: &[Range<usize>],
    ) -> Result<Vec<U>> {
        let ext_region = match &self.blocks {
            Some(map) => map.input_block(coords),
            None => self.halo.extend(chunk, &self.inputs[0].meta().shape),
        };
        let mut data = self
            .inputs
            .iter()
            .map(|i| pull_any(cx, i, &ext_region))
            .collect::<Result<AnyBlocks>>()?;
        let ext: Vec<usize> = ext_region.iter().map(|r| r.len()).collect();
        let fail = |reason: String| Error::Block {
            op: self.meta.name.clone(),
            chunk: coords.to_vec(),
            region: format!("{chunk:?}"),
            reason,
        };
        let out = catch_unwind(AssertUnwindSafe(|| (self.f)(&mut data, &ext)));
        // The buffers the closure left are the next block's.
        keep_inputs(cx, &self.inputs, data);
        // A closure that saw the cancel (`events::cancelled`) may return early with anything,
        // or fail because of it (a Python function interrupted by Ctrl-C): the compute is
        // cancelled, its block not used.
        crate::events::check_cancelled()?;
        let out = out
            .map_err(|p| {
                fail(format!(
                    "the closure panicked: {}",
                    crate::error::panic_message(&*p)
                ))
            })?
            .map_err(fail)?;
        let want: Vec<usize> = chunk.iter().map(|r| r.len()).collect();
        // The chunk's values in the closure's result: all of it when it has the chunk's shape,
        // its inside when it is the block with its halo (the halo is trimmed).
        let inner: Region = if out.shape() == want.as_slice() {
            want.iter().map(|&n| 0..n).collect()
        } else if self.blocks.is_none() && out.shape() == ext.as_slice() {
            let shift = |d: usize| {
                if self.halo.padded {
                    self.halo.depth[d]
                } else {
                    0
                }
            };
            chunk
                .iter()
                .enumerate()
                .map(|(d, r)| {
                    let s = r.start + shift(d) - ext_region[d].start;
                    s..s + r.len()
                })
                .collect()
        } else {
            return Err(fail(if ext == want || self.blocks.is_some() {
                format!(
                    "the closure returned shape {:?}, the chunk has shape {want:?}",
                    out.shape()
                )
            } else {
                format!(
                    "the closure returned shape {:?}: neither the block with its halo {ext:?} \
                     nor the chunk {want:?}",
                    out.shape()
                )
            }));
        };
        Ok(values_in(out, &inner))
    }
}

/// The values of `region` of `out`, C order: `out`'s own buffer when that is exactly them (a
/// standard-layout result of the chunk's shape), a copy otherwise.
fn values_in<U: Element>(out: ArrayD<U>, region: &Region) -> Vec<U> {
    let whole = region
        .iter()
        .zip(out.shape())
        .all(|(r, &n)| r.start == 0 && r.end == n);
    if whole && out.is_standard_layout() {
        let len = out.len();
        let (mut vals, offset) = out.into_raw_vec_and_offset();
        // Standard layout: the values are contiguous from the offset.
        let off = offset.unwrap_or(0);
        if off > 0 || vals.len() != len {
            vals = vals[off..off + len].to_vec();
        }
        return vals;
    }
    if let Some(all) = out.as_slice() {
        let mut vals = vec![U::ZERO; region_len(region)];
        gather(all, out.shape(), region, &mut vals);
        return vals;
    }
    // Another layout (a transposed result): the region read from it in C order, with no
    // standard-layout copy of the whole result besides the block's input and the result.
    out.slice_each_axis(|ax| ndarray::Slice::from(region[ax.axis.index()].clone()))
        .iter()
        .copied()
        .collect()
}

impl<U: Element, F> Node for MapBlocks<U, F>
where
    F: Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static,
{
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(U);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        self.inputs.clone()
    }
    fn cached_blocks(
        &self,
        results: &super::Results,
        region: &[Range<usize>],
        out: &mut Vec<super::shared_blocks::BlockKey>,
    ) -> bool {
        whole_blocks_read(&self.meta, results, region, out)
    }
    fn kept_blocks(&self, pass: &super::PassBlocks) -> Option<(usize, usize)> {
        let grid = &self.meta.chunks;
        Some((pass.kept(row_keep(grid), grid), grid.max_chunk_len()))
    }
    fn cache_bytes(&self, pass: &super::PassBlocks) -> usize {
        // The blocks it keeps (a row, within a reduction's limit), the one being made among
        // them (copied out of the closure's result when that has the halo), the buffer of the
        // block (with its halo) given to the closure, which the worker keeps for the next, and
        // the closure's result.
        let grid = self.blocks.as_ref().map_or(&self.meta.chunks, |b| &b.input);
        let grown: usize = grid
            .axes()
            .iter()
            .enumerate()
            .map(|(d, a)| a.max() + 2 * self.halo.depth.get(d).copied().unwrap_or(0))
            .product();
        let (blocks, len) = self.kept_blocks(pass).unwrap_or_default();
        let kept = blocks.saturating_mul(len);
        let out = self.meta.chunks.max_chunk_len();
        let input_bytes: usize = self.inputs.iter().map(|i| i.meta().dtype.size()).sum();
        kept.saturating_mul(U::DTYPE.size())
            .saturating_add(grown.saturating_mul(input_bytes))
            .saturating_add(out.max(grown).saturating_mul(U::DTYPE.size()))
    }
}

impl<U: Element, F> Expr<U> for MapBlocks<U, F>
where
    F: Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static,
{
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [U]) -> Result<()> {
        fill_from_blocks(
            cx,
            self.meta.id,
            &self.meta.chunks,
            row_keep(&self.meta.chunks),
            region,
            out,
            |cx, coords, chunk| self.compute_block(cx, coords, chunk),
        )
    }
}

/// The blocks of one row of `grid` (along its last axis): what a worker keeps of a node whose
/// values are made a block at a time, since a reduction's tiles run along rows and would
/// otherwise make each block again for every row of tiles.
pub(crate) fn row_keep(grid: &crate::chunks::Chunks) -> usize {
    match grid.axes() {
        // One axis: tiles run along it, each block once.
        [] | [_] => 1,
        [.., last] => last.len().max(1),
    }
}

/// Fills `region` of node `id`, whose values are made a whole block of `grid` at a time (a
/// `map_blocks` chunk, a compressed chunk of a file, a transposed chunk): each block the region
/// overlaps (usually one) is made by `make(cx, block coordinates, block region)` unless the
/// worker holds it (the last `keep` blocks of `id`, see [`TaskCx::block`]), and the overlap is
/// copied out of it.
pub(crate) fn fill_from_blocks<U: Element>(
    cx: &mut TaskCx<'_>,
    id: super::NodeId,
    grid: &crate::chunks::Chunks,
    keep: usize,
    region: &[Range<usize>],
    out: &mut [U],
    mut make: impl FnMut(&mut TaskCx<'_>, &[usize], &Region) -> Result<Vec<U>>,
) -> Result<()> {
    fill_from_blocks_reusing(cx, id, grid, keep, region, out, false, |cx, c, b, _| {
        make(cx, c, b)
    })
}

/// [`fill_from_blocks`] where, with `reuse`, `make` is also given the buffer of the block the
/// new one replaces ([`TaskCx::block_in`]; empty without `reuse`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn fill_from_blocks_reusing<U: Element>(
    cx: &mut TaskCx<'_>,
    id: super::NodeId,
    grid: &crate::chunks::Chunks,
    keep: usize,
    region: &[Range<usize>],
    out: &mut [U],
    reuse: bool,
    mut make: impl FnMut(&mut TaskCx<'_>, &[usize], &Region, Vec<U>) -> Result<Vec<U>>,
) -> Result<()> {
    let Some((first, end)) = overlapped(grid, region) else {
        return Ok(());
    };
    let spanned = first
        .iter()
        .zip(&end)
        .fold(1usize, |n, (s, e)| n.saturating_mul(e - s));
    let keep = cx.keep(keep, spanned);
    for_each_block(grid, &first, &end, |coords, block| {
        let values = cx.block_in::<U>(
            id,
            &block,
            keep,
            spanned,
            |cx, spare| make(cx, coords, &block, spare),
            reuse,
        )?;
        let part: Region = block
            .iter()
            .zip(region)
            .map(|(c, r)| c.start.max(r.start)..c.end.min(r.end))
            .collect();
        let local: Region = part
            .iter()
            .zip(&block)
            .map(|(p, c)| p.start - c.start..p.end - c.start)
            .collect();
        let ext: Vec<usize> = block.iter().map(|r| r.len()).collect();
        if part.as_slice() == region {
            gather(&values, &ext, &local, out);
        } else {
            let mut buf = cx.take::<U>(region_len(&part));
            gather(&values, &ext, &local, &mut buf);
            crate::kernels::write_sub(out, region, &part, &buf);
            cx.give(buf);
        }
        Ok(())
    })
}

/// The blocks of `grid` that `region` overlaps: the first block and the one past the last
/// along each axis; `None` when it overlaps none.
type BlockSpan = (SmallVec<[usize; 6]>, SmallVec<[usize; 6]>);

fn overlapped(grid: &crate::chunks::Chunks, region: &[Range<usize>]) -> Option<BlockSpan> {
    let axes = grid.axes();
    let first: SmallVec<[usize; 6]> = (0..region.len())
        .map(|d| axes[d].overlapping(&region[d]).start)
        .collect();
    let end: SmallVec<[usize; 6]> = (0..region.len())
        .map(|d| axes[d].overlapping(&region[d]).end)
        .collect();
    (!first.iter().zip(&end).any(|(s, e)| s >= e)).then_some((first, end))
}

/// Calls `f` with the coordinates and the region of each block of `grid` from `first` to
/// `end` (an odometer, last axis fastest).
fn for_each_block(
    grid: &crate::chunks::Chunks,
    first: &[usize],
    end: &[usize],
    mut f: impl FnMut(&[usize], Region) -> Result<()>,
) -> Result<()> {
    let axes = grid.axes();
    let mut coords: SmallVec<[usize; 6]> = first.iter().copied().collect();
    loop {
        f(
            &coords,
            coords
                .iter()
                .enumerate()
                .map(|(d, &k)| axes[d].range(k))
                .collect(),
        )?;
        let mut d = coords.len();
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            coords[d] += 1;
            if coords[d] < end[d] {
                break;
            }
            coords[d] = first[d];
        }
    }
}

/// [`Node::cached_blocks`](super::Node::cached_blocks) of a node whose blocks are made whole
/// (`map_blocks`, a contraction): the blocks of its grid that `region` overlaps, unless it was
/// computed earlier in the compute. What making a block reads is that task's business.
pub(crate) fn whole_blocks_read(
    meta: &Meta,
    results: &super::Results,
    region: &[Range<usize>],
    out: &mut Vec<super::shared_blocks::BlockKey>,
) -> bool {
    if results.value(meta.id).is_none() {
        push_overlapped(meta.id, &meta.chunks, region, out);
    }
    true
}

/// Appends to `out` the blocks of node `id`, whose block grid is `grid`, that `region` overlaps
/// (for [`Node::cached_blocks`](super::Node::cached_blocks)).
pub(crate) fn push_overlapped(
    id: super::NodeId,
    grid: &crate::chunks::Chunks,
    region: &[Range<usize>],
    out: &mut Vec<super::shared_blocks::BlockKey>,
) {
    if let Some((first, end)) = overlapped(grid, region) {
        let _ = for_each_block(grid, &first, &end, |_, block| {
            out.push((id, block));
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::graph::{Results, WorkerBlocks};

    /// Makes the two blocks of `arange(8)` in chunks of 4 through `f`, on one task, and returns
    /// where each block's input was and whether the buffer at each was in the task's pool after
    /// its block was made.
    fn inputs_kept(
        f: impl Fn(&mut AnyBlocks, &[usize]) -> BlockResult<f64> + Send + Sync + 'static,
    ) -> Vec<(usize, bool)> {
        let x = crate::arange(8).cast::<f64>().rechunk(4).unwrap();
        let input: Arc<dyn Node> = x.expr().clone();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let node = MapBlocks::new(vec![input], move |blocks: &mut AnyBlocks, ext: &[usize]| {
            let at = blocks[0].downcast_ref::<Vec<f64>>().unwrap().as_ptr() as usize;
            record.lock().unwrap().push(at);
            f(blocks, ext)
        });
        let (results, worker) = (Results::default(), WorkerBlocks::new());
        let mut cx = TaskCx::new(&results, &worker);
        let mut kept = Vec::new();
        for (k, region) in [0..4, 4..8].into_iter().enumerate() {
            let mut out = [0.0; 4];
            node.fill(&mut cx, std::slice::from_ref(&region), &mut out)
                .unwrap();
            let want: Vec<f64> = region.map(|v| 2.0 * v as f64).collect();
            assert_eq!(out.as_slice(), want.as_slice());
            let at = seen.lock().unwrap()[k];
            let pooled = cx.pool.take_block::<f64>(4);
            kept.push((at, pooled.as_ptr() as usize == at));
            cx.pool.give_block(pooled);
        }
        kept
    }

    #[test]
    fn inputs_the_closure_leaves_are_the_next_blocks_buffers() {
        let viewed = inputs_kept(over_views(|v: &[ArrayViewD<'_, f64>]| {
            Ok(v[0].mapv(|a| 2.0 * a))
        }));
        // Each block's input goes back to the pool, and the second block is pulled into the
        // first one's buffer: one allocation for both.
        assert_eq!(viewed, [(viewed[0].0, true), (viewed[0].0, true)]);
        // A closure that takes its inputs (to hand them on) leaves nothing to keep.
        let taken = inputs_kept(|blocks: &mut AnyBlocks, ext: &[usize]| {
            let data = *std::mem::take(blocks)
                .pop()
                .unwrap()
                .downcast::<Vec<f64>>()
                .unwrap();
            let a = ArrayD::from_shape_vec(IxDyn(ext), data).unwrap();
            Ok(a.mapv(|v| 2.0 * v))
        });
        assert!(taken.iter().all(|&(_, pooled)| !pooled), "{taken:?}");
    }

    #[test]
    fn a_result_of_any_layout_gives_its_values_in_c_order() {
        let c = ArrayD::from_shape_vec(IxDyn(&[4, 5]), (0..20).map(f64::from).collect()).unwrap();
        // The same values in Fortran order: not standard layout, read without a copy of it.
        let f = c.t().as_standard_layout().into_owned().reversed_axes();
        assert!(!f.is_standard_layout());
        assert_eq!(f, c);
        for region in [vec![0..4, 0..5], vec![1..3, 2..5], vec![3..4, 0..1]] {
            let want: Vec<f64> = c
                .slice_each_axis(|ax| ndarray::Slice::from(region[ax.axis.index()].clone()))
                .iter()
                .copied()
                .collect();
            let region: Region = region.into_iter().collect();
            assert_eq!(values_in(f.clone(), &region), want, "{region:?}");
            assert_eq!(values_in(c.clone(), &region), want, "{region:?}");
        }
    }
}
