//! Regrid: the same values under a new chunk grid.
//!
//! Because every node can produce any region, changing the grid moves no data: it changes how the
//! consumer is split into tasks and whether a reduction over an axis is staged (several chunks)
//! or inline (one chunk).

use std::ops::Range;
use std::sync::Arc;

use super::{pull, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::Chunks;
use crate::element::Element;
use crate::error::Result;

pub(crate) struct Regrid<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    /// [`Node::reads_permuted`], decided once from the input's.
    reads_permuted: bool,
}

impl<T: Element> Regrid<T> {
    pub(crate) fn new(input: Arc<dyn Expr<T>>, chunks: Chunks) -> Self {
        let m = input.meta();
        Regrid {
            meta: Meta::new(
                format!("rechunk{chunks}"),
                OpKind::Regrid,
                T::DTYPE,
                m.shape.clone(),
                chunks,
            ),
            reads_permuted: input.reads_permuted(),
            input,
        }
    }
}

impl<T: Element> Node for Regrid<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn reads_permuted(&self) -> bool {
        self.reads_permuted
    }
}

impl<T: Element> Expr<T> for Regrid<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        pull(cx, &*self.input, region, out)
    }
    fn borrow(&self, region: &[Range<usize>]) -> Option<&[T]> {
        // Same values, same index space: the input's slice is ours. A held input is read by
        // `read` through its own id, not here.
        self.input.borrow(region)
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        super::pull_permuted(cx, &*self.input, perm, region, out)
    }
}
