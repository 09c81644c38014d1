//! Boolean selection, whose size only the data tells: `x[mask]` over 1-d operands of one grid.
//! A counting pass (an aggregate, `kernels::counts::ChunkCounts`) finds how many values each input chunk
//! keeps; with those counts the API builds a [`Select`] whose output chunk `k` is the kept
//! values of the `k`-th input chunk that keeps any, in order (Dask's chunks after
//! `compute_chunk_sizes`). A worker makes an output block whole from its input chunk (one
//! chunk of memory) and serves tiles from it.

use std::ops::Range;
use std::sync::Arc;

use super::blockwise::fill_from_blocks;
use super::{pull_whole, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Element;
use crate::error::{Error, Result};

/// The values of a 1-d array where a 1-d mask (of the same grid) is true, given how many each
/// chunk keeps.
pub(crate) struct Select<T: Element> {
    meta: Meta,
    values: Arc<dyn Expr<T>>,
    mask: Arc<dyn Expr<bool>>,
    /// The input chunk each output block comes from (chunks that keep nothing have none);
    /// `None` when every chunk keeps every value (block `k` is chunk `k`).
    sources: Option<Vec<usize>>,
}

impl<T: Element> Select<T> {
    /// `values[mask]`, where input chunk `k` keeps `counts[k]` values.
    pub(crate) fn new(
        values: Arc<dyn Expr<T>>,
        mask: Arc<dyn Expr<bool>>,
        counts: &[usize],
    ) -> Self {
        let sources: Vec<usize> = (0..counts.len()).filter(|&k| counts[k] > 0).collect();
        let sizes: Vec<usize> = sources.iter().map(|&k| counts[k]).collect();
        let total = sizes.iter().sum();
        let error = values
            .meta()
            .error
            .clone()
            .or_else(|| mask.meta().error.clone());
        let chunks = Chunks::from_axes(vec![AxisChunks::from_sizes(&sizes)]);
        Select {
            meta: Meta::new("select", OpKind::Blockwise, T::DTYPE, vec![total], chunks)
                .with_error(error),
            values,
            mask,
            sources: Some(sources),
        }
    }

    /// `values[mask]` as if the mask kept every value: the input's own grid, in O(1) for a
    /// regular one (what `explain` plans a selection's second pass for, whatever its chunk
    /// count).
    pub(crate) fn keeping_all(values: Arc<dyn Expr<T>>, mask: Arc<dyn Expr<bool>>) -> Self {
        let m = values.meta();
        let error = m.error.clone().or_else(|| mask.meta().error.clone());
        let meta = Meta::new(
            "select",
            OpKind::Blockwise,
            T::DTYPE,
            m.shape.clone(),
            m.chunks.clone(),
        )
        .with_error(error);
        Select {
            meta,
            values,
            mask,
            sources: None,
        }
    }

    fn make_block(&self, cx: &mut TaskCx<'_>, k: usize, want: usize) -> Result<Vec<T>> {
        let source = self.sources.as_ref().map_or(k, |s| s[k]);
        let chunk = self.values.meta().chunks.axis(0).range(source);
        let region = [chunk.clone()];
        let vals = pull_whole(cx, &*self.values, &region)?;
        let keep = pull_whole(cx, &*self.mask, &region)?;
        let out: Vec<T> = vals
            .into_iter()
            .zip(keep)
            .filter_map(|(v, m)| m.then_some(v))
            .collect();
        if out.len() != want {
            return Err(Error::InvalidValue {
                op: "select".into(),
                reason: format!(
                    "the mask keeps {} values of input chunk {chunk:?}, but its counting pass \
                     found {want}: the mask changed between the passes",
                    out.len()
                ),
            });
        }
        Ok(out)
    }
}

impl<T: Element> Node for Select<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.values.clone(), self.mask.clone()]
    }
    fn cache_bytes(&self, _pass: &super::PassBlocks) -> usize {
        // An input chunk of values and of the mask while a block is made, and the block.
        let chunk = self.values.meta().chunks.max_chunk_len();
        chunk.saturating_mul(2 * T::DTYPE.size() + 1)
    }
}

impl<T: Element> Expr<T> for Select<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        fill_from_blocks(
            cx,
            self.meta.id,
            &self.meta.chunks,
            1,
            region,
            out,
            |cx, coords, block| self.make_block(cx, coords[0], block[0].len()),
        )
    }
}
