//! Reduction nodes.
//!
//! A reduction whose reduced axes are each one chunk of the input runs *inline*: a consumer's
//! tile of the output pulls the matching input box tile by tile and folds it. Otherwise it is
//! *staged*: one task per input chunk folds that chunk into a partial, the partials of each
//! output chunk combine in a fixed binary tree (`rayon::join` over chunk order, so the result is
//! the same for any number of workers), and the result is materialized for its consumers.

use std::any::Any;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use smallvec::SmallVec;

use super::{pull, Expr, Meta, Node, OpKind, Results, Stage, TaskCx};
use crate::chunks::Chunks;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::kernels::reducers::{Cascade, Reducer};
use crate::kernels::{scatter, SendPtr};
use crate::region::{c_strides, for_each_row, for_each_tile, region_len, Region, TILE_LEN};

pub(crate) struct Reduce<I: Element, R: Reducer<I>> {
    meta: Meta,
    input: Arc<dyn Expr<I>>,
    /// Reduced axes of the input, sorted, unique.
    axes: Vec<usize>,
    keepdims: bool,
    staged: bool,
    _r: PhantomData<fn() -> R>,
}

impl<I: Element, R: Reducer<I>> Reduce<I, R> {
    /// `axes` must be sorted, unique and in range (the API checks them).
    pub(crate) fn new(input: Arc<dyn Expr<I>>, axes: Vec<usize>, keepdims: bool) -> Self {
        let m = input.meta();
        let mut shape = Vec::new();
        let mut blocks = Vec::new();
        for (d, &n) in m.shape.iter().enumerate() {
            if axes.contains(&d) {
                if keepdims {
                    shape.push(1);
                    blocks.push(vec![1]);
                }
            } else {
                shape.push(n);
                blocks.push(m.chunks.axis(d).to_vec());
            }
        }
        let staged = axes.iter().any(|&a| m.chunks.axis(a).len() > 1);
        let reduced: usize = axes.iter().map(|&a| m.shape[a]).product();
        let all = axes.len() == m.shape.len();
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
        let error = (!R::HAS_IDENTITY && reduced == 0).then(|| Error::EmptyReduction {
            op: name.clone(),
            shape: m.shape.clone(),
        });
        let kind = OpKind::Reduce {
            axes: axes.clone(),
            keepdims,
            staged,
        };
        Reduce {
            meta: Meta::new(
                name,
                kind,
                R::Acc::DTYPE,
                shape,
                Chunks::from_blocks(blocks),
            )
            .with_error(error),
            input,
            axes,
            keepdims,
            staged,
            _r: PhantomData,
        }
    }

    /// The input box of an output region, with `reduced(k)` the range of the k-th reduced axis.
    fn input_box(&self, out: &[Range<usize>], reduced: impl Fn(usize) -> Range<usize>) -> Region {
        let n = self.input.meta().shape.len();
        let mut r = Region::with_capacity(n);
        let mut k = 0;
        let mut o = 0;
        for d in 0..n {
            if k < self.axes.len() && self.axes[k] == d {
                r.push(reduced(k));
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

    /// Folds the input over `in_box` into `out` (the output region matching `in_box`).
    fn reduce_box(
        &self,
        cx: &mut TaskCx<'_>,
        in_box: &[Range<usize>],
        out: &mut [R::Acc],
    ) -> Result<()> {
        if out.len() == 1 {
            // Everything folds into one value: cascade the tiles' totals pairwise.
            let mut cascade = Cascade::new();
            for_each_tile(in_box, TILE_LEN, |t| {
                let mut buf = cx.take::<I>(region_len(t));
                let r = pull(cx, &*self.input, t, &mut buf);
                if r.is_ok() {
                    cascade.push(R::reduce_run(&buf), R::combine);
                }
                cx.give(buf);
                r
            })?;
            out[0] = cascade.finish(R::identity(), R::combine);
            return Ok(());
        }
        out.fill(R::identity());
        let n = in_box.len();
        // Strides of the output seen from input axes: 0 on reduced axes.
        let out_ext: SmallVec<[usize; 6]> = (0..n)
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
        let last_reduced = n > 0 && self.axes.contains(&(n - 1));
        for_each_tile(in_box, TILE_LEN, |t| {
            let mut buf = cx.take::<I>(region_len(t));
            let r = pull(cx, &*self.input, t, &mut buf);
            if r.is_ok() {
                let ext: SmallVec<[usize; 6]> = t.iter().map(|x| x.len()).collect();
                let base: usize = (0..n)
                    .map(|d| (t[d].start - in_box[d].start) * ostr[d])
                    .sum();
                let len = ext.last().copied().unwrap_or(1);
                for_each_row(&ext, &ostr, base, |row, off| {
                    let run = &buf[row * len..(row + 1) * len];
                    if last_reduced {
                        out[off] = R::combine(out[off], R::reduce_run(run));
                    } else {
                        R::accumulate(&mut out[off..off + len], run);
                    }
                });
            }
            cx.give(buf);
            r
        })
    }

    /// The combine tree over leaves `lo..hi` of one output chunk. Leaf `i` is the `i`-th
    /// combination (C order) of one chunk per reduced axis, decoded from `i` so that no list of
    /// leaves is held (a billion-element reduction has hundreds of thousands of them).
    fn tree(
        &self,
        results: &Results,
        events: &crate::events::Events,
        out_region: &[Range<usize>],
        reduced: &[Vec<Range<usize>>],
        lo: usize,
        hi: usize,
    ) -> Result<Vec<R::Acc>> {
        if hi - lo == 1 {
            let mut rest = lo;
            let mut pick: SmallVec<[Range<usize>; 6]> = SmallVec::from_elem(0..0, reduced.len());
            for k in (0..reduced.len()).rev() {
                pick[k] = reduced[k][rest % reduced[k].len()].clone();
                rest /= reduced[k].len();
            }
            let in_box = self.input_box(out_region, |k| pick[k].clone());
            let n = region_len(&in_box) as u64;
            let bytes = n * I::DTYPE.size() as u64;
            return events.task(
                || format!("{} {:?}", self.meta.name, in_box.as_slice()),
                n,
                bytes,
                || {
                    let mut part = vec![R::identity(); region_len(out_region)];
                    let mut cx = TaskCx::new(results);
                    self.reduce_box(&mut cx, &in_box, &mut part)?;
                    Ok(part)
                },
            );
        }
        let mid = lo + (hi - lo) / 2;
        let (a, b) = rayon::join(
            || self.tree(results, events, out_region, reduced, lo, mid),
            || self.tree(results, events, out_region, reduced, mid, hi),
        );
        let mut a = a?;
        for (x, y) in a.iter_mut().zip(b?) {
            *x = R::combine(*x, y);
        }
        Ok(a)
    }
}

impl<I: Element, R: Reducer<I>> Node for Reduce<I, R> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::materialize_as!(R::Acc);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn as_stage(&self) -> Option<&dyn Stage> {
        self.staged.then_some(self as &dyn Stage)
    }
}

impl<I: Element, R: Reducer<I>> Expr<R::Acc> for Reduce<I, R> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [R::Acc]) -> Result<()> {
        // A staged reduction's consumers read its stage result through `pull` and never come
        // here; this is the inline evaluation.
        let shape = &self.input.meta().shape;
        let in_box = self.input_box(region, |k| 0..shape[self.axes[k]]);
        self.reduce_box(cx, &in_box, out)
    }
}

impl<I: Element, R: Reducer<I>> Stage for Reduce<I, R> {
    fn tasks(&self) -> usize {
        self.input.meta().chunks.num_chunks()
    }

    fn max_partial_bytes(&self) -> usize {
        self.meta.chunks.max_chunk_len() * R::Acc::DTYPE.size()
    }

    fn leaves_per_output(&self) -> usize {
        let c = &self.input.meta().chunks;
        self.axes.iter().map(|&a| c.axis(a).len()).product()
    }

    fn run(
        &self,
        results: &Results,
        events: &crate::events::Events,
    ) -> Result<Arc<dyn Any + Send + Sync>> {
        let in_chunks = &self.input.meta().chunks;
        let reduced: Vec<Vec<Range<usize>>> =
            self.axes.iter().map(|&a| in_chunks.ranges(a)).collect();
        let leaves: usize = reduced.iter().map(Vec::len).product();
        let shape = self.meta.shape.clone();
        let mut data = vec![R::identity(); self.meta.size()];
        let ptr = SendPtr(data.as_mut_ptr());
        self.meta
            .chunks
            .regions()
            .par_iter()
            .try_for_each(|out_region| {
                let part = self.tree(results, events, out_region, &reduced, 0, leaves)?;
                // SAFETY: output chunks are disjoint regions of `data`, which outlives this loop.
                unsafe { scatter(&part, ptr.get(), &shape, out_region) };
                Ok::<(), Error>(())
            })?;
        let arr = ndarray::ArrayD::from_shape_vec(shape, data).expect("size matches shape");
        Ok(Arc::new(arr))
    }
}
