//! Contraction: `[batch.., m, k] · [batch.., k, n] -> [batch.., m, n]`, the one primitive under
//! `matmul`, `dot`, `tensordot` and `einsum` (which move and merge axes into this form).
//!
//! Each output block `(batch, i, j)` is made whole, once per worker: for every `k` block in
//! ascending order, the `[i, k]` block of `a` and the `[k, j]` block of `b` are pulled and their
//! product added in (the GEMM kernel of [`kernels::matmul`](crate::kernels::matmul)). The order
//! of the sum is fixed by the `k` blocks, so the bits do not depend on the workers. A worker
//! keeps the output blocks of one row of the grid (a reduction's tiles run along rows, and its
//! tasks cover whole rows: [`Node::granule`]) and the blocks of `a` that row uses, so memory is
//! workers x (a row of output blocks + a row of blocks of `a` + a block of `b` + the GEMM
//! kernel's slab), never the matrices.

use std::ops::Range;
use std::sync::Arc;

use super::{pull_box, pull_whole_into, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Numeric;
use crate::error::Result;
use crate::kernels::matmul::{matmul_acc, thread_slab_bytes};
use crate::region::Region;

pub(crate) struct Contract<T: Numeric> {
    meta: Meta,
    a: Arc<dyn Expr<T>>,
    b: Arc<dyn Expr<T>>,
    /// The blocks of the contracted axis (`a`'s last axis chunks): the order of the sum.
    k_blocks: AxisChunks,
    /// The key under which a worker keeps the blocks of `a` of the row it is making (each is
    /// used by every block of the row).
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

    /// Output blocks kept per worker: one row of the grid (the blocks along the last axis).
    fn keep(&self) -> usize {
        super::blockwise::row_keep(&self.meta.chunks)
    }

    /// Blocks of `a` kept per worker: the row of them, which every block of an output row
    /// uses, when the output has several column blocks; else the one in use.
    fn a_keep(&self) -> usize {
        let cols = self.meta.chunks.axes().last().map_or(1, |a| a.len());
        if cols > 1 {
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
    fn granule(&self) -> usize {
        super::blockwise::row_granule(&self.meta.chunks, &self.meta.shape)
    }
    fn cache_bytes(&self) -> usize {
        // A row of output blocks, the blocks of `a` along that row, a block of `b`, the slab
        // the GEMM kernel keeps on the worker's thread, and the padded last panel's two
        // buffers (a vector's width of `b`'s and `c`'s rows: 64 bytes each).
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
        self.keep()
            .saturating_mul(out)
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
