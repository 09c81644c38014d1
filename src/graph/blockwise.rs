//! `map_blocks`: a user closure over an ndarray view of each whole chunk.
//!
//! The closure needs its chunk whole, so each worker computes the block of the chunk it is in
//! (once, cached in the task) and serves tiles from it: one chunk per worker of memory, counted
//! in the plan. A panic in the closure is caught and becomes an [`Error::Block`] naming the
//! chunk; the pool goes on.

use std::marker::PhantomData;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, IxDyn};

use super::{pull_whole, Expr, Meta, Node, OpKind, TaskCx};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::kernels::gather;
use crate::region::{region_len, Region};

pub(crate) struct MapBlocks<T: Element, U: Element, F> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    f: F,
    _u: PhantomData<fn() -> U>,
}

impl<T: Element, U: Element, F> MapBlocks<T, U, F>
where
    F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
{
    pub(crate) fn new(input: Arc<dyn Expr<T>>, f: F) -> Self {
        let m = input.meta();
        MapBlocks {
            meta: Meta::new(
                "map_blocks",
                OpKind::Blockwise,
                U::DTYPE,
                m.shape.clone(),
                m.chunks.clone(),
            ),
            input,
            f,
            _u: PhantomData,
        }
    }

    fn compute_block(
        &self,
        cx: &mut TaskCx<'_>,
        coords: &[usize],
        chunk: &[Range<usize>],
    ) -> Result<Vec<U>> {
        let data = pull_whole(cx, &*self.input, chunk)?;
        let ext: Vec<usize> = chunk.iter().map(|r| r.len()).collect();
        let view =
            ArrayViewD::from_shape(IxDyn(&ext), &data).expect("chunk buffer matches its extents");
        let fail = |reason: String| Error::Block {
            op: "map_blocks".into(),
            chunk: coords.to_vec(),
            region: format!("{chunk:?}"),
            reason,
        };
        let out = catch_unwind(AssertUnwindSafe(|| (self.f)(view))).map_err(|p| {
            fail(format!(
                "the closure panicked: {}",
                crate::error::panic_message(&*p)
            ))
        })?;
        if out.shape() != ext.as_slice() {
            return Err(fail(format!(
                "the closure returned shape {:?}, the chunk has shape {ext:?}",
                out.shape()
            )));
        }
        Ok(out.as_standard_layout().iter().copied().collect())
    }
}

impl<T: Element, U: Element, F> Node for MapBlocks<T, U, F>
where
    F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
{
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(U);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn cache_bytes(&self) -> usize {
        self.meta
            .chunks
            .max_chunk_len()
            .saturating_mul(T::DTYPE.size() + U::DTYPE.size())
    }
}

impl<T: Element, U: Element, F> Expr<U> for MapBlocks<T, U, F>
where
    F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
{
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [U]) -> Result<()> {
        fill_from_blocks(
            cx,
            self.meta.id,
            &self.meta.chunks,
            1,
            region,
            out,
            |cx, coords, chunk| self.compute_block(cx, coords, chunk),
        )
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
/// new one replaces ([`TaskCx::block_reusing`]; empty without `reuse`).
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
    let axes = grid.axes();
    let first: Vec<usize> = (0..region.len())
        .map(|d| axes[d].overlapping(&region[d]).start)
        .collect();
    let end: Vec<usize> = (0..region.len())
        .map(|d| axes[d].overlapping(&region[d]).end)
        .collect();
    if first.iter().zip(&end).any(|(s, e)| s >= e) {
        return Ok(());
    }
    // Odometer over the overlapped blocks, last axis fastest.
    let mut coords = first.clone();
    loop {
        let block: Region = coords
            .iter()
            .enumerate()
            .map(|(d, &k)| axes[d].range(k))
            .collect();
        let values = if reuse {
            cx.block_reusing::<U>(id, &block, keep, |cx, spare| {
                make(cx, &coords, &block, spare)
            })?
        } else {
            cx.block::<U>(id, &block, keep, |cx| make(cx, &coords, &block, Vec::new()))?
        };
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
            crate::graph::movement::write_sub(out, region, &part, &buf);
            cx.give(buf);
        }
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
