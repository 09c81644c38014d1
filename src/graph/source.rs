//! Source nodes: a function of a region, with no inputs.

use std::ops::Range;
use std::sync::Arc;

use super::{Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::Chunks;
use crate::element::Element;
use crate::error::Result;
use crate::region::for_each_region_row;

/// What a source knows how to do: produce the values of any region of its shape (`at.shape`).
/// Sources that decode whole blocks (a compressed chunk of a file) cache them in the task
/// through `cx` and [`fill_from_blocks`](super::blockwise::fill_from_blocks), keyed by `at.id`.
pub(crate) trait RegionFn<T: Element>: Send + Sync + 'static {
    fn fill(
        &self,
        cx: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()>;
    /// The region in place, for sources that hold their values (see [`Expr::borrow`]).
    fn borrow(&self, _shape: &[usize], _region: &[Range<usize>]) -> Option<&[T]> {
        None
    }
    /// Bytes a task keeps for this source (a decoded block), for the plan's memory projection.
    fn cache_bytes(&self) -> usize {
        0
    }
    /// The file or store it reads, for the plan.
    fn file(&self) -> Option<&std::path::Path> {
        None
    }
}

/// A source whose values depend on the flat C-order position only (arange, linspace, random).
pub(crate) trait FlatFn<T: Element>: Send + Sync + 'static {
    /// Values of flat positions `start..start + out.len()`.
    fn fill_flat(&self, start: u64, out: &mut [T]);
}

/// Adapts a [`FlatFn`] to regions: every row of the region is one run of flat positions.
pub(crate) struct Flat<F>(pub F);

impl<T: Element, F: FlatFn<T>> RegionFn<T> for Flat<F> {
    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let shape = &at.shape[..];
        for_each_region_row(shape, region, |row, off, len| {
            self.0
                .fill_flat(off as u64, &mut out[row * len..(row + 1) * len]);
        });
        Ok(())
    }
}

/// The graph node of every source.
pub(crate) struct SourceNode<T: Element> {
    meta: Meta,
    f: Arc<dyn RegionFn<T>>,
}

impl<T: Element> SourceNode<T> {
    pub(crate) fn new(
        name: String,
        shape: Vec<usize>,
        chunks: Chunks,
        f: Arc<dyn RegionFn<T>>,
    ) -> Self {
        SourceNode {
            meta: Meta::new(name, OpKind::Source, T::DTYPE, shape, chunks),
            f,
        }
    }
}

impl<T: Element> Node for SourceNode<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        Vec::new()
    }
    fn cache_bytes(&self) -> usize {
        self.f.cache_bytes()
    }
    fn file(&self) -> Option<&std::path::Path> {
        self.f.file()
    }
}

impl<T: Element> Expr<T> for SourceNode<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        self.f.fill(cx, &self.meta, region, out)
    }
    fn borrow(&self, region: &[Range<usize>]) -> Option<&[T]> {
        self.f.borrow(&self.meta.shape, region)
    }
}
