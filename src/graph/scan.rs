//! Scans along one axis (`cumsum`, `cumprod`): Dask's method, per-block scans plus carried
//! offsets. The axis is cut into blocks of a fixed length; a staged reduction gives each
//! block's total (materialized once, before the scan's pass), and a block's carry is the fold
//! of the totals before it, in order. A worker makes a block whole (its carry, then a
//! sequential scan of its values) and serves tiles from it.
//!
//! The bits do not depend on the workers: a carry is always the left-to-right fold of the same
//! totals. A worker keeps the carry of the last block it made, so that the next block along the
//! axis extends it by one total instead of folding them all again (same operations, same bits).

use std::ops::Range;
use std::sync::Arc;

use super::{pull, pull_whole, pull_whole_into, Expr, Meta, Node, NodeId, OpKind, TaskCx};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::{DType, Numeric};
use crate::error::Result;
use crate::kernels::prefix::prefix_sum_u64;
use crate::region::{region_len, Region};

pub(crate) struct Scan<T: Numeric, F> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    /// Each block's total: the input's shape with `axis` cut to one value per block.
    totals: Arc<dyn Expr<T>>,
    axis: usize,
    combine: F,
    identity: T,
    /// Key of the carries a worker keeps.
    carries: NodeId,
    /// Key of the running value a worker keeps where its last tile of a 1-d scan ended.
    cursor: NodeId,
    /// Whether `combine` is addition (integer sums run a vector kernel).
    additive: bool,
}

impl<T: Numeric, F: Fn(T, T) -> T + Send + Sync + 'static> Scan<T, F> {
    /// A scan of `input` along `axis` in blocks of `block`, with `totals` the fold of each
    /// block (shape: `input`'s with `axis` of extent `ceil(n / block)`).
    pub(crate) fn new(
        name: String,
        input: Arc<dyn Expr<T>>,
        totals: Arc<dyn Expr<T>>,
        axis: usize,
        block: usize,
        combine: F,
        identity: T,
    ) -> Self {
        let m = input.meta();
        let mut axes: Vec<AxisChunks> = m.chunks.axes().to_vec();
        axes[axis] = AxisChunks::regular(m.shape[axis], block.max(1));
        let error = m.error.clone().or_else(|| totals.meta().error.clone());
        Scan {
            meta: Meta::new(
                &name,
                OpKind::Blockwise,
                T::DTYPE,
                m.shape.clone(),
                Chunks::from_axes(axes),
            )
            .with_error(error),
            input,
            totals,
            axis,
            combine,
            identity,
            carries: super::next_id(),
            cursor: super::next_id(),
            additive: false,
        }
    }

    /// Declares `combine` the addition of `T`, so that integer sums may group their adds.
    pub(crate) fn additive(mut self, additive: bool) -> Self {
        self.additive = additive;
        self
    }

    /// The carries (one per lane) into block `kb` of the lanes `lanes` (the block's region with
    /// `axis` replaced): kept per worker, extended from the previous block's when it is there.
    fn carry(&self, cx: &mut TaskCx<'_>, lanes: &Region, kb: usize) -> Result<Arc<Vec<T>>> {
        let key = |k: usize| -> Region {
            let mut r = lanes.clone();
            r[self.axis] = k..k + 1;
            r
        };
        // Start from the previous block's carries when the worker keeps them (one total to
        // fold in), else from the identity (every total before the block): the same folds in
        // the same order either way.
        let (start, from) = match kb
            .checked_sub(1)
            .and_then(|p| cx.kept::<T>(self.carries, &key(p)))
        {
            Some(prev) => (prev.to_vec(), kb - 1),
            None => (vec![self.identity; region_len(lanes)], 0),
        };
        cx.block(self.carries, &key(kb), 2, |cx| {
            let mut c = start;
            let mut totals = lanes.clone();
            totals[self.axis] = from..kb;
            let t = pull_whole(cx, &*self.totals, &totals)?;
            let (outer, inner) = self.split(lanes);
            let steps = kb - from;
            for o in 0..outer {
                for j in 0..steps {
                    let row = &t[(o * steps + j) * inner..(o * steps + j + 1) * inner];
                    for (acc, &v) in c[o * inner..(o + 1) * inner].iter_mut().zip(row) {
                        *acc = (self.combine)(*acc, v);
                    }
                }
            }
            Ok(c)
        })
    }

    /// 1-d: `region` scanned tile by tile in `out`, from a running value: the worker's cursor
    /// where its last tile ended, the block's carry at a block's start, or else the carry
    /// folded with the block's values before the region. No block is held, and each value is
    /// folded in the same order as in a whole block, so the bits are the same.
    fn fill_lane(&self, cx: &mut TaskCx<'_>, region: &Range<usize>, out: &mut [T]) -> Result<()> {
        let axis = self.meta.chunks.axis(0);
        let mut pos = region.start;
        while pos < region.end {
            let kb = axis.overlapping(&(pos..pos + 1)).start;
            let block = axis.range(kb);
            let end = block.end.min(region.end);
            let run = self.running_at(cx, kb, &block, pos)?;
            let piece = &mut out[pos - region.start..end - region.start];
            pull(cx, &*self.input, std::slice::from_ref(&(pos..end)), piece)?;
            let run = scan_in_place(&self.combine, self.additive, run, piece);
            if end < block.end {
                let at = end..end + 1;
                // Made in the vector of the cursor it replaces: one allocation a tile (the
                // `Arc`), not two.
                let cursor = |_: &mut TaskCx<'_>, mut v: Vec<T>| {
                    v.clear();
                    v.push(run);
                    Ok(v)
                };
                cx.block_in(self.cursor, std::slice::from_ref(&at), 1, 1, cursor, true)?;
            }
            pos = end;
        }
        Ok(())
    }

    /// The running value of a 1-d scan before position `pos` of block `kb` (`block`).
    fn running_at(
        &self,
        cx: &mut TaskCx<'_>,
        kb: usize,
        block: &Range<usize>,
        pos: usize,
    ) -> Result<T> {
        if pos > block.start
            && let Some(run) = cx.kept::<T>(self.cursor, std::slice::from_ref(&(pos..pos + 1)))
        {
            return Ok(run[0]);
        }
        let lanes: Region = std::iter::once(0..1).collect();
        let mut run = self.carry(cx, &lanes, kb)?[0];
        let mut buf = cx.take::<T>(crate::region::TILE_LEN);
        let mut at = block.start;
        let r = (|| {
            while at < pos {
                let next = (at + crate::region::TILE_LEN).min(pos);
                let vals = &mut buf[..next - at];
                pull(cx, &*self.input, std::slice::from_ref(&(at..next)), vals)?;
                for &v in vals.iter() {
                    run = (self.combine)(run, v);
                }
                at = next;
            }
            Ok(())
        })();
        cx.give(buf);
        r.map(|()| run)
    }

    /// Positions before and after `axis` in a region: `(outer, inner)`.
    fn split(&self, region: &Region) -> (usize, usize) {
        let outer = region[..self.axis].iter().map(|r| r.len()).product();
        let inner = region[self.axis + 1..].iter().map(|r| r.len()).product();
        (outer, inner)
    }

    /// Block `block` (grid coordinates `coords`), made in `vals` (the buffer of the block it
    /// replaces, or empty).
    fn make(
        &self,
        cx: &mut TaskCx<'_>,
        coords: &[usize],
        block: &Region,
        mut vals: Vec<T>,
    ) -> Result<Vec<T>> {
        pull_whole_into(cx, &*self.input, block, &mut vals)?;
        let mut lanes = block.clone();
        lanes[self.axis] = 0..1;
        let carry = self.carry(cx, &lanes, coords[self.axis])?;
        let (outer, inner) = self.split(block);
        let len = block[self.axis].len();
        let f = &self.combine;
        if inner == 1 {
            // One value per position along the axis: a plain running fold per lane.
            for (lane, &c) in vals.chunks_exact_mut(len.max(1)).zip(carry.iter()) {
                scan_in_place(f, self.additive, c, lane);
            }
            return Ok(vals);
        }
        let mut run = vec![self.identity; inner];
        for o in 0..outer {
            run.copy_from_slice(&carry[o * inner..(o + 1) * inner]);
            for t in 0..len {
                let at = (o * len + t) * inner;
                for (r, v) in run.iter_mut().zip(&mut vals[at..at + inner]) {
                    *r = f(*r, *v);
                    *v = *r;
                }
            }
        }
        Ok(vals)
    }
}

/// `vals[i] = run = f(run, vals[i])` in order; returns the last running value. A sum of 64-bit
/// integers (`additive`; wrapping addition is associative, so any grouping gives the same bits)
/// runs through the vector prefix-sum kernel; every other fold runs one value at a time, in
/// order.
#[inline]
fn scan_in_place<T: Numeric>(
    f: &impl Fn(T, T) -> T,
    additive: bool,
    mut run: T,
    vals: &mut [T],
) -> T {
    if additive && matches!(T::DTYPE, DType::I64 | DType::U64) {
        // SAFETY: `T` is `i64` or `u64` (checked by its dtype): the size, alignment and every
        // bit pattern of `u64`.
        let xs =
            unsafe { std::slice::from_raw_parts_mut(vals.as_mut_ptr().cast::<u64>(), vals.len()) };
        let mut r = [run];
        // SAFETY: as above, for one value.
        let r64 = unsafe { &mut *r.as_mut_ptr().cast::<u64>() };
        *r64 = prefix_sum_u64(*r64, xs);
        return r[0];
    }
    for v in vals {
        run = f(run, *v);
        *v = run;
    }
    run
}

impl<T: Numeric, F: Fn(T, T) -> T + Send + Sync + 'static> Node for Scan<T, F> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone(), self.totals.clone()]
    }
    fn input_reads(&self) -> super::InputReads {
        // 1-d, the scanned run of a read is pulled as one piece.
        super::InputReads::Own
    }
    fn cache_bytes(&self, _pass: &super::PassBlocks) -> usize {
        // The block being served and two blocks' carries (1-d: the carries and a cursor only).
        if self.meta.shape.len() == 1 {
            return 4 * T::DTYPE.size();
        }
        let block = self.meta.chunks.max_chunk_len();
        let lanes = block / self.meta.chunks.axis(self.axis).max().max(1);
        block
            .saturating_add(2 * lanes)
            .saturating_mul(T::DTYPE.size())
    }
    fn granule(&self) -> usize {
        // A block is a C-order run when the axes after the scanned one are whole single
        // chunks and those before it have extent 1.
        let m = &self.meta;
        let contiguous = m.shape[..self.axis].iter().all(|&n| n <= 1)
            && m.chunks.axes()[self.axis + 1..]
                .iter()
                .all(|a| a.len() <= 1);
        if contiguous {
            m.chunks.max_chunk_len()
        } else {
            0
        }
    }
}

impl<T: Numeric, F: Fn(T, T) -> T + Send + Sync + 'static> Expr<T> for Scan<T, F> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        if self.meta.shape.len() == 1 {
            return self.fill_lane(cx, &region[0], out);
        }
        super::blockwise::fill_from_blocks_reusing(
            cx,
            self.meta.id,
            &self.meta.chunks,
            1,
            region,
            out,
            true,
            |cx, coords, block, spare| self.make(cx, coords, block, spare),
        )
    }
}
