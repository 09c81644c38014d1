//! Source nodes: a function of a region, with no inputs.

use std::ops::Range;
use std::sync::Arc;

use ndarray::{Array, ArrayD, Dimension};
use smallvec::SmallVec;

use super::{Expr, Invalid, Meta, Node, OpKind, TaskCx};
use crate::chunks::{checked_len, Chunks, IntoChunks};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::kernels::{self, gather};
use crate::region::{c_strides, for_each_region_row, for_each_row};

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
    /// Whether a region costs much less read in one call than tile by tile (a file: a system
    /// call per row of the region). A reduction then has the source fill a few hundred KiB at
    /// a time ([`Node::prefetch`]); [`cache_bytes`](Self::cache_bytes) should count that box
    /// ([`PREFETCH_LEN`](super::PREFETCH_LEN) elements).
    fn large_reads(&self) -> bool {
        false
    }
    /// Whether any box costs about its element count, whatever its shape ([`Node::any_box`]):
    /// values computed from positions or held in memory, not decoded or read in blocks.
    fn any_box(&self) -> bool {
        false
    }
    /// Whether [`fill_permuted`](Self::fill_permuted) reads a box of a transpose at the cost
    /// of a box ([`Node::reads_permuted`]).
    fn reads_permuted(&self) -> bool {
        false
    }
    /// Writes `region` of this source transposed by `perm` (output axis `d` is axis `perm[d]`
    /// of `at.shape`), C order, into `out`, where [`reads_permuted`](Self::reads_permuted)
    /// says it can; `Ok(false)` (nothing written) where it cannot.
    fn fill_permuted(
        &self,
        _cx: &mut TaskCx<'_>,
        _at: &Meta,
        _perm: &[usize],
        _region: &[Range<usize>],
        _out: &mut [T],
    ) -> Result<bool> {
        Ok(false)
    }
}

/// A source whose values depend on the flat C-order position only (arange, linspace, random).
pub(crate) trait FlatFn<T: Element>: Send + Sync + 'static {
    /// Values of flat positions `start, start + step, ...`, `out.len()` of them: a row of a
    /// region (`step` 1), or a row of a transposed region (`step` the stride of the axis that
    /// becomes the last).
    fn fill_flat(&self, start: u64, step: u64, out: &mut [T]);
    /// Values of the runs of `len` positions `step` apart starting at each of `starts`, one
    /// after another in `out`: the rows of a region, for sources that fill many short runs
    /// faster in one call.
    fn fill_runs(&self, starts: &[u64], len: usize, step: u64, out: &mut [T]) {
        debug_assert_eq!(out.len(), starts.len() * len);
        for (&start, out) in starts.iter().zip(out.chunks_exact_mut(len.max(1))) {
            self.fill_flat(start, step, out);
        }
    }
    /// Whether a run costs its length wherever it starts and whatever its step: false for
    /// values drawn in sequence from a block's generator, where a run starting inside a block
    /// replays the block up to it.
    fn by_position(&self) -> bool {
        true
    }
}

/// [`FlatFn::fill_flat`] one position at a time, for sources whose runs are sequences (a
/// block's generator): a run with a step is as many runs of one, each replaying its block up
/// to its position. Correct but slow, so never used for a transpose: those sources do not
/// read transposed ([`FlatFn::by_position`] is false), and are transposed a chunk at a time.
pub(crate) fn fill_stepped<T>(start: u64, step: u64, out: &mut [T], run: impl Fn(u64, &mut [T])) {
    if step == 1 {
        return run(start, out);
    }
    let mut p = start;
    for o in out.iter_mut() {
        run(p, std::slice::from_mut(o));
        p = p.wrapping_add(step);
    }
}

/// Rows shorter than this are filled a batch at a time ([`FlatFn::fill_runs`]).
const SHORT_RUN: usize = 64;
/// Rows in one [`FlatFn::fill_runs`] call.
const RUNS_PER_CALL: usize = 256;

/// Adapts a [`FlatFn`] to regions: every row of the region is one run of flat positions.
pub(crate) struct Flat<F>(pub F);

/// The rows of a region, `len` positions `step` apart from each start pushed, filled
/// [`RUNS_PER_CALL`] at a time into consecutive rows of `out`.
struct Runs<'a, T, F> {
    f: &'a F,
    len: usize,
    step: u64,
    out: &'a mut [T],
    starts: [u64; RUNS_PER_CALL],
    pending: usize,
    done: usize,
}

impl<'a, T: Element, F: FlatFn<T>> Runs<'a, T, F> {
    fn new(f: &'a F, len: usize, step: u64, out: &'a mut [T]) -> Self {
        Runs {
            f,
            len,
            step,
            out,
            starts: [0; RUNS_PER_CALL],
            pending: 0,
            done: 0,
        }
    }
    fn push(&mut self, start: u64) {
        self.starts[self.pending] = start;
        self.pending += 1;
        if self.pending == RUNS_PER_CALL {
            self.flush();
        }
    }
    fn flush(&mut self) {
        let (n, len) = (self.pending, self.len);
        if n > 0 {
            let rows = &mut self.out[self.done * len..(self.done + n) * len];
            self.f.fill_runs(&self.starts[..n], len, self.step, rows);
            self.done += n;
            self.pending = 0;
        }
    }
}

impl<T: Element, F: FlatFn<T>> RegionFn<T> for Flat<F> {
    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let shape = &at.shape[..];
        let len = region.last().map_or(1, |r| r.len());
        if len >= SHORT_RUN || out.len() == len {
            for_each_region_row(shape, region, |row, off, len| {
                self.0
                    .fill_flat(off as u64, 1, &mut out[row * len..(row + 1) * len]);
            });
            return Ok(());
        }
        // Short rows (a transpose's panel): their starts a batch at a time, one call each.
        let mut runs = Runs::new(&self.0, len, 1, out);
        for_each_region_row(shape, region, |_, off, _| runs.push(off as u64));
        runs.flush();
        Ok(())
    }
    fn any_box(&self) -> bool {
        self.0.by_position()
    }
    fn reads_permuted(&self) -> bool {
        self.0.by_position()
    }
    fn fill_permuted(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        if !self.0.by_position() {
            return Ok(false);
        }
        // Output axis `d` steps the positions of axis `perm[d]`: each row of the region is a
        // run with the stride of the axis that became the last.
        let in_strides = c_strides(&at.shape);
        let strides: SmallVec<[usize; 6]> = perm.iter().map(|&p| in_strides[p]).collect();
        let base: usize = region.iter().zip(&strides).map(|(r, s)| r.start * s).sum();
        let ext: SmallVec<[usize; 6]> = region.iter().map(|r| r.len()).collect();
        let len = ext.last().copied().unwrap_or(1);
        let step = strides.last().copied().unwrap_or(1) as u64;
        let mut runs = Runs::new(&self.0, len, step, out);
        for_each_row(&ext, &strides, base, |_, off| runs.push(off as u64));
        runs.flush();
        Ok(true)
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
    fn cache_bytes(&self, _pass: &super::PassBlocks) -> usize {
        self.f.cache_bytes()
    }
    fn file(&self) -> Option<&std::path::Path> {
        self.f.file()
    }
    fn any_box(&self) -> bool {
        self.f.any_box()
    }
    fn reads_permuted(&self) -> bool {
        self.f.reads_permuted()
    }
    fn prefetch(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>]) -> Result<()> {
        if self.f.large_reads() && !cx.has::<T>(self.meta.id, region) {
            cx.hold_whole(self, region)?;
        }
        Ok(())
    }
}

impl<T: Element> Expr<T> for SourceNode<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        self.f.fill(cx, &self.meta, region, out)
    }
    fn borrow(&self, region: &[Range<usize>]) -> Option<&[T]> {
        self.f.borrow(&self.meta.shape, region)
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        self.f.fill_permuted(cx, &self.meta, perm, region, out)
    }
}

// ---------------------------------------------------------------------------------------------
// The sources the array API builds on (constants, positions, in-memory data), as nodes: the
// user-facing functions (`chunkwise::full`, `arange`, `from_array`) wrap them, and so do the
// array methods that need one, without importing the layer of those functions.

/// A source node over `f` of `shape`, chunked automatically; a node carrying the error of an
/// oversized shape instead.
pub(crate) fn auto<T: Element>(
    name: String,
    shape: Vec<usize>,
    f: Arc<dyn RegionFn<T>>,
) -> Arc<dyn Expr<T>> {
    if let Err(e) = checked_len(&name, &shape) {
        return invalid(&name, shape, e);
    }
    let chunks = Chunks::auto(&shape, T::DTYPE.size());
    Arc::new(SourceNode::new(name, shape, chunks, f))
}

/// A node of `shape` whose planning returns `e`.
pub(crate) fn invalid<T: Element>(name: &str, shape: Vec<usize>, e: Error) -> Arc<dyn Expr<T>> {
    Arc::new(Invalid::<T>::new(name, shape, e))
}

/// Every value `.0`.
pub(crate) struct Constant<T>(pub T);
impl<T: Element> RegionFn<T> for Constant<T> {
    fn any_box(&self) -> bool {
        true
    }
    fn fill(&self, _: &mut TaskCx<'_>, _: &Meta, _: &[Range<usize>], out: &mut [T]) -> Result<()> {
        out.fill(self.0);
        Ok(())
    }
    fn reads_permuted(&self) -> bool {
        true
    }
    fn fill_permuted(
        &self,
        _: &mut TaskCx<'_>,
        _: &Meta,
        _: &[usize],
        _: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        out.fill(self.0);
        Ok(true)
    }
}

/// `shape` filled with `value` (`chunkwise::full`).
pub(crate) fn full<T: Element>(shape: Vec<usize>, value: T) -> Arc<dyn Expr<T>> {
    auto(
        format!("full({shape:?}, {value})"),
        shape,
        Arc::new(Constant(value)),
    )
}

/// `shape` filled with zeros (`chunkwise::zeros`).
pub(crate) fn zeros<T: Element>(shape: Vec<usize>) -> Arc<dyn Expr<T>> {
    auto(
        format!("zeros({shape:?})"),
        shape,
        Arc::new(Constant(T::ZERO)),
    )
}

struct Iota {
    start: i64,
}
impl FlatFn<i64> for Iota {
    fn fill_flat(&self, start: u64, step: u64, out: &mut [i64]) {
        let s = self.start;
        kernels::from_positions(start, step, out, &|p: u64| s.wrapping_add(p as i64));
    }
}

/// `0, 1, ..., n-1` (`chunkwise::arange`).
pub(crate) fn arange(n: usize) -> Arc<dyn Expr<i64>> {
    auto(
        format!("arange({n})"),
        vec![n],
        Arc::new(Flat(Iota { start: 0 })),
    )
}

/// The C-order index of every position within the sub-block of some axes: one term
/// `(p / stride) % extent * weight` per run of consecutive axes.
struct AxesIndex {
    terms: Vec<(u64, u64, u64)>,
}
impl FlatFn<u64> for AxesIndex {
    fn fill_flat(&self, start: u64, step: u64, out: &mut [u64]) {
        match self.terms[..] {
            // One run (one axis, or all of them): the common case, one division per position.
            [(s, n, w)] => kernels::from_positions(start, step, out, &|p: u64| (p / s) % n * w),
            _ => kernels::from_positions(start, step, out, &|p: u64| {
                self.terms.iter().map(|&(s, n, w)| (p / s) % n * w).sum()
            }),
        }
    }
}

/// For each position of `shape`, its index along `axis`, or its flat C-order index.
pub(crate) fn axis_index(shape: &[usize], axis: Option<usize>) -> Arc<dyn Expr<u64>> {
    match axis {
        Some(a) => axes_index(shape, &[a]),
        None => axes_index(shape, &(0..shape.len()).collect::<Vec<_>>()),
    }
}

/// For each position of `shape`, its C-order index within the sub-block of `axes` (sorted,
/// distinct): the index along the axis for one axis, the flat index for all of them.
pub(crate) fn axes_index(shape: &[usize], axes: &[usize]) -> Arc<dyn Expr<u64>> {
    let len = |s: &[usize]| crate::chunks::saturating_len(s) as u64;
    let mut terms: Vec<(u64, u64, u64)> = Vec::new();
    let mut weight = 1u64;
    // Runs of consecutive axes, from the last: each is one (stride, extent, weight) term.
    let mut i = axes.len();
    while i > 0 {
        let last = axes[i - 1];
        let mut first = last;
        i -= 1;
        while i > 0 && axes[i - 1] + 1 == first {
            first = axes[i - 1];
            i -= 1;
        }
        let extent = len(&shape[first..=last]);
        terms.push((len(&shape[last + 1..]), extent.max(1), weight));
        weight = weight.saturating_mul(extent);
    }
    if terms.is_empty() {
        terms.push((1, 1, 0));
    }
    let name = if axes.len() == shape.len() {
        "flat_index".to_string()
    } else {
        format!("index_along({axes:?})")
    };
    auto(name, shape.to_vec(), Arc::new(Flat(AxesIndex { terms })))
}

/// Values held in memory, in C order: an ndarray moved in, or a buffer someone else owns.
struct InMemory<T: Element> {
    data: Held<T>,
}
enum Held<T: Element> {
    Owned(ArrayD<T>),
    Shared(Arc<dyn SharedBuffer<T>>),
}
impl<T: Element> InMemory<T> {
    fn values(&self) -> &[T] {
        match &self.data {
            Held::Owned(a) => a.as_slice().expect("kept in C order"),
            Held::Shared(b) => b.as_slice(),
        }
    }
}
impl<T: Element> RegionFn<T> for InMemory<T> {
    fn any_box(&self) -> bool {
        true
    }
    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        gather(self.values(), &at.shape, region, out);
        Ok(())
    }
    fn borrow(&self, shape: &[usize], region: &[Range<usize>]) -> Option<&[T]> {
        let off = kernels::contiguous_offset(shape, region)?;
        let len = crate::region::region_len(region);
        Some(&self.values()[off..off + len])
    }
}

/// A contiguous buffer of values in C order that its owner lends to a graph: a NumPy array's
/// memory seen from the Python package, a memory map, a pinned buffer. [`from_shared`]
/// reads it in place, with no copy, for as long as any array built on it lives.
///
/// [`from_shared`]: crate::from_shared
pub trait SharedBuffer<T>: Send + Sync + 'static {
    /// The values, in C order. Must return the same slice every time it is called.
    fn as_slice(&self) -> &[T];
}
impl<T: Element> SharedBuffer<T> for Vec<T> {
    fn as_slice(&self) -> &[T] {
        self
    }
}

/// A buffer someone else owns as a source of the given shape and chunks (`chunkwise::from_shared`).
pub(crate) fn from_shared<T: Element>(
    buffer: Arc<dyn SharedBuffer<T>>,
    shape: Vec<usize>,
    chunks: impl IntoChunks,
) -> Result<Arc<dyn Expr<T>>> {
    let name = format!("from_shared({}{:?})", T::DTYPE, shape);
    let len = checked_len(&name, &shape)?;
    let got = buffer.as_slice().len();
    if got != len {
        return Err(Error::ShapeMismatch {
            op: format!("{name}: a buffer of {got} values"),
            got: vec![got],
            expected: vec![len],
        });
    }
    let chunks = chunks
        .into_chunk_spec()
        .resolve("from_shared", &shape, T::DTYPE.size())?;
    let data = Held::Shared(buffer);
    let node = SourceNode::new(name, shape, chunks, Arc::new(InMemory { data }));
    Ok(Arc::new(node))
}

/// An in-memory ndarray as a source of the given chunks (`chunkwise::from_array`).
pub(crate) fn from_array<T: Element, D: Dimension>(
    array: Array<T, D>,
    chunks: impl IntoChunks,
) -> Result<Arc<dyn Expr<T>>> {
    let data = array.into_dyn();
    let data = if data.is_standard_layout() {
        data
    } else {
        data.as_standard_layout().into_owned()
    };
    let shape = data.shape().to_vec();
    let chunks = chunks
        .into_chunk_spec()
        .resolve("from_array", &shape, T::DTYPE.size())?;
    let name = format!("from_array({}{:?})", T::DTYPE, shape);
    let data = Held::Owned(data);
    let node = SourceNode::new(name, shape, chunks, Arc::new(InMemory { data }));
    Ok(Arc::new(node))
}
