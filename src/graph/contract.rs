//! Contraction: `[batch.., m, k] · [batch.., k, n] -> [batch.., m, n]`, the one primitive under
//! `matmul`, `dot`, `tensordot` and `einsum` (which move and merge axes into this form).
//!
//! Each output block `(batch, i, j)` is made whole: for every `k` block in ascending order, the
//! `[i, k]` block of `a` and the `[k, j]` block of `b` are pulled and their product added in
//! (the GEMM kernel of [`kernels::matmul`](crate::kernels::matmul)). The order of the sum is
//! fixed by the `k` blocks, so the bits do not depend on the workers.
//!
//! Memory is a few blocks per worker, whatever the number of blocks per row. A reduction's
//! tasks fold compact boxes of the output ([`leaf_tree`](super::leaf_tree)), and the output
//! blocks a box reads are named beforehand ([`Node::cached_blocks`]), so that the workers of
//! the pass share them ([`shared_blocks`](super::shared_blocks)) when blocks are large, and
//! each worker keeps the few its tasks read otherwise. A worker keeps the blocks of `a` of the
//! output row it is making when that row of `a` has at most [`A_ROW_MAX_BLOCKS`] blocks (each
//! is used by every output block of the row); a longer one is pulled again for each output
//! block, a block at a time. So memory is workers x (the output blocks a task reads + at most
//! [`A_ROW_MAX_BLOCKS`] blocks of `a` + a block of `b` + the GEMM kernel's slab), never the
//! matrices nor a row of blocks.

use std::ops::Range;
use std::sync::Arc;

use super::{pull_box, pull_whole_into, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Numeric;
use crate::error::Result;
use crate::kernels::matmul::{matmul_acc, thread_slab_bytes};
use crate::region::Region;

/// The longest row of `a`'s blocks (along the contracted axis) a worker keeps while it makes the
/// output blocks of that row. Kept, each block of `a` is pulled once per output row instead of
/// once per output block; pulled again, a block of `a` costs its `m k` values against the
/// `2 m n k` operations of its product with a block of `b`, a few percent of the time for
/// blocks of a few hundred columns or more (`matmul --n 8192 --chunk 1024`, 8 blocks per row
/// pulled again: 11.1 s and 97 MiB, against 11.2 s and 249 MiB with the row kept, 2026-12-06).
pub(crate) const A_ROW_MAX_BLOCKS: usize = 4;

pub(crate) struct Contract<T: Numeric> {
    meta: Meta,
    a: Arc<dyn Expr<T>>,
    b: Arc<dyn Expr<T>>,
    /// The blocks of the contracted axis (`a`'s last axis chunks): the order of the sum.
    k_blocks: AxisChunks,
    /// The key under which a worker keeps the blocks of `a` of the row it is making (each is
    /// used by every block of the row), when it keeps them ([`A_ROW_MAX_BLOCKS`]).
    a_cache: super::NodeId,
}

impl<T: Numeric> Contract<T> {
    /// `a` is `[batch.., m, k]`, `b` is `[batch.., k, n]` with the same batch shape (checked by
    /// the caller). The output takes its batch and row chunks from `a`, its column chunks
    /// from `b`.
    pub(crate) fn new(name: String, a: Arc<dyn Expr<T>>, b: Arc<dyn Expr<T>>) -> Self {
        let (ma, mb) = (a.meta(), b.meta());
        let nd = ma.shape.len();
        let mut shape = ma.shape.clone();
        shape[nd - 1] = mb.shape[nd - 1];
        let mut axes: Vec<AxisChunks> = ma.chunks.axes()[..nd - 1].to_vec();
        axes.push(mb.chunks.axes()[nd - 1].clone());
        let k_blocks = ma.chunks.axes()[nd - 1].clone();
        let error = ma.error.clone().or_else(|| mb.error.clone());
        Contract {
            meta: Meta::new(
                &name,
                OpKind::Blockwise,
                T::DTYPE,
                shape,
                Chunks::from_axes(axes),
            )
            .with_error(error),
            a,
            b,
            k_blocks,
            a_cache: super::next_id(),
        }
    }

    /// Output blocks kept per worker: at most a row of the grid (the blocks along the last
    /// axis), within what a reduction's task reads ([`TaskCx::keep`]).
    fn keep(&self) -> usize {
        super::blockwise::row_keep(&self.meta.chunks)
    }

    /// Blocks of `a` kept per worker: the row of them, which every block of an output row
    /// uses, when the output has several column blocks and the row has at most
    /// [`A_ROW_MAX_BLOCKS`]; else the one in use.
    fn a_keep(&self) -> usize {
        let cols = self.meta.chunks.axes().last().map_or(1, |a| a.len());
        if cols > 1 && self.k_blocks.len() <= A_ROW_MAX_BLOCKS {
            self.k_blocks.len()
        } else {
            1
        }
    }

    /// The output block `block` (batch ranges, then rows `i`, then columns `j`), made in
    /// `spare` (the buffer of the block it replaces, when it has room). Reusing the blocks'
    /// buffers (the output's, the row of `a`'s, and one for `b`'s, from the task's pool) spares
    /// the page faults of fresh block-sized allocations, and leaves glibc's heap, where blocks
    /// live once a freed one has raised its mmap threshold, without the holes that
    /// interleaved allocations of a few block sizes leave.
    fn make(&self, cx: &mut TaskCx<'_>, block: &Region, spare: Vec<T>) -> Result<Vec<T>> {
        let nd = block.len();
        let (rows, cols) = (block[nd - 2].clone(), block[nd - 1].clone());
        let (m, n) = (rows.len(), cols.len());
        let batch: Vec<Range<usize>> = block[..nd - 2].to_vec();
        let batches: usize = batch.iter().map(|r| r.len()).product();
        let mut c = crate::kernels::zeroed_vec_reusing(&self.meta.name, &[batches, m, n], spare)?;
        self.accumulate(cx, &batch, (&rows, &cols), &mut c)?;
        Ok(c)
    }

    /// Adds into `c` the products of the blocks along `k`, in ascending order, pulling each
    /// block of `b` into a buffer of the task's pool (the same one from block to block).
    fn accumulate(
        &self,
        cx: &mut TaskCx<'_>,
        batch: &[Range<usize>],
        (rows, cols): (&Range<usize>, &Range<usize>),
        c: &mut [T],
    ) -> Result<()> {
        let (m, n) = (rows.len(), cols.len());
        let batches: usize = batch.iter().map(|r| r.len()).product();
        for kb in 0..self.k_blocks.len() {
            let ks = self.k_blocks.range(kb);
            let k = ks.len();
            if k == 0 {
                continue;
            }
            let mut ra = batch.to_vec();
            ra.extend([rows.clone(), ks.clone()]);
            let mut rb = batch.to_vec();
            rb.extend([ks.clone(), cols.clone()]);
            // Between block products a long task looks for a cancel (a product of large
            // blocks takes a fraction of a second; a row of them, seconds).
            crate::events::check_cancelled()?;
            let av = cx.block_in::<T>(
                self.a_cache,
                &ra,
                self.a_keep(),
                1,
                |cx, mut spare| {
                    pull_whole_into(cx, &*self.a, &ra, &mut spare)?;
                    Ok(spare)
                },
                true,
            )?;
            // The pooled buffer grows by `resize`: refuse a size that cannot be allocated or
            // exceeds the machine's memory first, as `zeroed_vec` would.
            crate::kernels::checked_layout::<T>(&self.meta.name, &[batches, k, n])?;
            let mut bv = cx.take::<T>(batches * k * n);
            let pulled = pull_box(cx, &*self.b, &rb, &mut bv);
            if pulled.is_ok() {
                for p in 0..batches {
                    matmul_acc(
                        m,
                        n,
                        k,
                        &av[p * m * k..(p + 1) * m * k],
                        &bv[p * k * n..(p + 1) * k * n],
                        &mut c[p * m * n..(p + 1) * m * n],
                        &mut cx.pool,
                    );
                }
            }
            cx.give(bv);
            pulled?;
        }
        Ok(())
    }
}

impl<T: Numeric> Node for Contract<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.a.clone(), self.b.clone()]
    }
    fn cached_blocks(
        &self,
        results: &super::Results,
        region: &[Range<usize>],
        out: &mut Vec<super::shared_blocks::BlockKey>,
    ) -> bool {
        super::blockwise::whole_blocks_read(&self.meta, results, region, out)
    }
    fn kept_blocks(&self, pass: &super::PassBlocks) -> Option<(usize, usize)> {
        let grid = &self.meta.chunks;
        Some((pass.kept(self.keep(), grid), grid.max_chunk_len()))
    }
    fn cache_bytes(&self, pass: &super::PassBlocks) -> usize {
        // The output blocks kept (at most a row, within a reduction's limit), the blocks of `a`
        // kept, a block of `b`, the slab the GEMM kernel keeps on the worker's thread, and the
        // padded last panel's two buffers (a vector's width of `b`'s and `c`'s rows: 64 bytes
        // each).
        let axes = self.meta.chunks.axes();
        let nd = axes.len();
        let widest = |a: &AxisChunks| a.iter().max().unwrap_or(0);
        let batch: usize = axes[..nd - 2].iter().map(widest).product();
        let (m, n, k) = (
            widest(&axes[nd - 2]),
            widest(&axes[nd - 1]),
            widest(&self.k_blocks),
        );
        let out = batch.saturating_mul(m).saturating_mul(n);
        let a_kept = if self.a_keep() > 1 {
            self.a.meta().shape[nd - 1]
        } else {
            k
        };
        let a_row = batch.saturating_mul(m).saturating_mul(a_kept);
        let panels = a_row.saturating_add(batch.saturating_mul(k).saturating_mul(n));
        let (kept, _) = self.kept_blocks(pass).unwrap_or_default();
        kept.saturating_mul(out)
            .saturating_add(panels)
            .saturating_mul(T::DTYPE.size())
            .saturating_add(thread_slab_bytes::<T>())
            .saturating_add(batch.saturating_mul(m.saturating_add(k)).saturating_mul(64))
    }
}

impl<T: Numeric> Expr<T> for Contract<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        super::blockwise::fill_from_blocks_reusing(
            cx,
            self.meta.id,
            &self.meta.chunks,
            self.keep(),
            region,
            out,
            true,
            |cx, _, block, spare| self.make(cx, block, spare),
        )
    }
}
