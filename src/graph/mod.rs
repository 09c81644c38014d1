//! The lazy graph: nodes of a few primitive kinds, shared through `Arc`, each knowing its shape,
//! dtype and chunk grid.
//!
//! Every node is a [`Node`] (what the planner sees: kind, shape, chunks, inputs) and an
//! [`Expr<T>`] (what the executor calls: fill a region with values). Kinds are data
//! ([`OpKind`]), so passes ask "is this a source / elementwise / reduction?" without knowing the
//! concrete op. See `src/README.md` for the whole pipeline.

pub(crate) mod aggregate;
pub(crate) mod blockwise;
pub(crate) mod contract;
pub(crate) mod elementwise;
pub(crate) mod leaf_tree;
pub(crate) mod movement;
pub(crate) mod reduce;
pub(crate) mod regrid;
pub(crate) mod scan;
pub(crate) mod select;
pub(crate) mod shared_blocks;
pub(crate) mod source;

use std::any::Any;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::chunks::Chunks;
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::pool::{Pool, TileBuf};

/// Identity of a node, unique for the life of the process.
pub(crate) type NodeId = u64;

pub(crate) fn next_id() -> NodeId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The primitive classes every op lowers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OpKind {
    /// A function of a region: arange, random, constant, ndarray.
    Source,
    /// Unary/binary/ternary over broadcast inputs, evaluated tile by tile.
    Elementwise,
    /// Reduction along `axes` (of the input), with an associative combine.
    Reduce {
        axes: Vec<usize>,
        keepdims: bool,
        /// Whether the reduction runs as its own stage (a reduced axis spans several chunks:
        /// one task per input chunk, partials combined in a fixed tree) or inline inside the
        /// consumer's tiles (every reduced axis is one chunk).
        staged: bool,
    },
    /// A new chunk grid over the same values.
    Regrid,
    /// Transpose, slice, concatenate, reshape, ...: regions of the output map to regions of
    /// the input.
    Movement,
    /// A user function of whole chunks (`map_blocks`).
    Blockwise,
}

/// What every node knows about itself.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub id: NodeId,
    pub name: String,
    pub kind: OpKind,
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub chunks: Chunks,
    /// Number of elements (checked: at most [`MAX_ELEMENTS`](crate::chunks::MAX_ELEMENTS)).
    pub len: usize,
    /// An error recorded when the node was built (bad broadcast, bad parameter, a shape with
    /// too many elements), returned by planning.
    pub error: Option<Error>,
}

impl Meta {
    pub(crate) fn new(
        name: impl Into<String>,
        kind: OpKind,
        dtype: DType,
        shape: Vec<usize>,
        chunks: Chunks,
    ) -> Self {
        let name = name.into();
        // Every node checks its element count, so `size()` never overflows downstream; an
        // oversized shape is recorded and returned by planning.
        let (len, error) = match crate::chunks::checked_len(&name, &shape) {
            Ok(n) => (n, None),
            Err(e) => (0, Some(e)),
        };
        debug_assert!(
            error.is_some() || chunks.check(&name, &shape).is_ok(),
            "{name}: grid {chunks} does not cover shape {shape:?}"
        );
        Meta {
            id: next_id(),
            name,
            kind,
            dtype,
            shape,
            chunks,
            len,
            error,
        }
    }

    /// Records `e` unless an error is recorded already (the first one wins).
    pub(crate) fn with_error(mut self, e: Option<Error>) -> Self {
        if self.error.is_none() {
            self.error = e;
        }
        self
    }

    /// Number of elements (0 for a node whose shape was refused).
    pub(crate) fn size(&self) -> usize {
        self.len
    }
}

/// Implements [`Node::expr`] and [`Node::hold`] for a node whose values are of type `$t`.
macro_rules! typed_as {
    ($t:ty) => {
        fn expr(self: std::sync::Arc<Self>) -> crate::graph::AnyExpr {
            crate::graph::AnyExpr::new::<$t>(self)
        }
        fn hold(
            &self,
            cx: &mut crate::graph::TaskCx<'_>,
            region: &[std::ops::Range<usize>],
        ) -> crate::error::Result<()> {
            cx.hold::<$t>(self, region)
        }
    };
}
pub(crate) use typed_as;

/// A node as the [`Expr`] of its element type, type-erased: the executor recovers the typed
/// node with [`AnyExpr::get`] under [`with_dtype!`](crate::element::with_dtype) of the node's
/// dtype.
pub(crate) struct AnyExpr(Box<dyn Any + Send + Sync>);

impl AnyExpr {
    pub(crate) fn new<T: Element>(e: Arc<dyn Expr<T>>) -> Self {
        AnyExpr(Box::new(e))
    }

    /// The node as an `Expr<T>`; `T` must be its dtype's type.
    pub(crate) fn get<T: Element>(self) -> Arc<dyn Expr<T>> {
        *self
            .0
            .downcast::<Arc<dyn Expr<T>>>()
            .expect("a node's values have its dtype")
    }
}

/// Positions of its input a reduction has [`Node::prefetch`] at a time: a file is then read
/// in system calls of up to 512 KiB (f64), a box that stays in a core's L2 cache while it is
/// folded.
pub(crate) const PREFETCH_LEN: usize = 1 << 16;

/// The planner's view of a node.
pub(crate) trait Node: Send + Sync + 'static {
    fn meta(&self) -> &Meta;
    fn inputs(&self) -> Vec<Arc<dyn Node>>;
    /// The node as the `Expr` of its type, for the executor to evaluate.
    fn expr(self: Arc<Self>) -> AnyExpr;
    /// Evaluates `region` once into the task ([`TaskCx::hold`]), for several readers.
    fn hold(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>]) -> Result<()>;
    /// Some for reductions that run as their own stage.
    fn as_stage(&self) -> Option<&dyn Stage> {
        None
    }
    /// Bytes this node caches per worker in a pass that keeps blocks as `pass` says (a whole
    /// chunk, for a transpose), for the plan's memory projection.
    fn cache_bytes(&self, _pass: &PassBlocks) -> usize {
        0
    }
    /// The blocks it keeps per worker at most in a pass that keeps blocks as `pass` says, and
    /// the elements of the largest, for the plan (counted in its
    /// [`cache_bytes`](Self::cache_bytes)); `None` for a node that keeps no blocks.
    fn kept_blocks(&self, _pass: &PassBlocks) -> Option<(usize, usize)> {
        None
    }
    /// How large the reads of its inputs are, for the plan's count of the blocks a read spans
    /// ([`PassBlocks::tiles`]).
    fn input_reads(&self) -> InputReads {
        match self.meta().kind {
            OpKind::Elementwise | OpKind::Regrid => InputReads::Own,
            // Reductions fold tiles; block functions, contractions and selections pull whole
            // blocks a tile at a time (`pull_box`).
            OpKind::Reduce { .. } | OpKind::Blockwise => InputReads::Tiles,
            // Sources read nothing; other movement may read a span larger than its read.
            OpKind::Source | OpKind::Movement => InputReads::Any,
        }
    }
    /// The file or store a source reads, for the plan.
    fn file(&self) -> Option<&std::path::Path> {
        None
    }
    /// Readies this task to read `region` of this node in small pieces (a reduction's leaves):
    /// a node whose values are cheapest made in large pieces (a file, read with one system call
    /// per row of the box rather than per tile) makes the box now and holds it
    /// ([`TaskCx::hold_whole`]); elementwise nodes and regrids pass the box on to their inputs
    /// of their own shape, which read the same region. Other nodes do nothing.
    fn prefetch(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>]) -> Result<()> {
        let m = self.meta();
        if !passes_reads(m) {
            return Ok(());
        }
        let mut r = Ok(());
        for_each_read_through(m, self.inputs(), passes_reads, |n, same_shape| {
            if same_shape {
                r = n.prefetch(cx, region);
            }
            r.is_ok()
        });
        r
    }
    /// Appends to `out` the blocks of caching nodes that reading `region` of this node makes or
    /// reads kept ([`TaskCx::block`]), for a pass that shares them among its workers
    /// ([`shared_blocks`]); `false` when they cannot be named (a caching node below that does
    /// not say). Nodes computed earlier in the compute read none. Elementwise nodes and regrids
    /// ask their inputs of their own shape; an input of another shape must cache nothing.
    /// Caching nodes that name their blocks override this.
    fn cached_blocks(
        &self,
        results: &Results,
        region: &[Range<usize>],
        out: &mut Vec<shared_blocks::BlockKey>,
    ) -> bool {
        let m = self.meta();
        if results.value(m.id).is_some() {
            return true;
        }
        if !passes_reads(m) {
            return !caches_below(self, results);
        }
        // Nodes computed earlier read nothing: the walk stops at them.
        let through = |n: &Meta| passes_reads(n) && results.value(n.id).is_none();
        for_each_read_through(m, self.inputs(), through, |n, same_shape| {
            if same_shape {
                n.cached_blocks(results, region, out)
            } else {
                !caches_below(&**n, results)
            }
        })
    }
    /// Whether a box of a transpose of this node is read straight from it at the cost of a
    /// box ([`Expr::fill_permuted`]): sources computed from positions (each row of the box is
    /// a run of positions with a stride), and maps, casts, regrids, binary maps of same-shape
    /// or single-value operands, and transposes of such nodes. A transpose of such a node
    /// caches nothing, and transposes nothing unless the values are held (then it reads the
    /// held values and transposes them). Elementwise nodes decide it once, when they are
    /// built, from their inputs' answers: a question never walks the graph.
    fn reads_permuted(&self) -> bool {
        false
    }
    /// Whether any box of this node costs about its element count to read, whatever its shape:
    /// sources whose values are computed from positions or held in memory, and elementwise
    /// maps and regrids of such nodes. A transpose of such a node (unless it
    /// [`reads_permuted`](Self::reads_permuted)) reads its input in narrow panels rather than
    /// whole chunks (see `movement::Permute`).
    fn any_box(&self) -> bool {
        let m = self.meta();
        if !passes_reads(m) {
            return false;
        }
        for_each_read_through(m, self.inputs(), passes_reads, |n, _| n.any_box())
    }
    /// Positions whose values this node makes together and keeps per worker, such as a scan's
    /// block when it is a C-order run; 0 when any split of the work is as good. A full
    /// reduction over it makes each task fold that many positions, so that two workers seldom
    /// make the same blocks. Elementwise nodes pass on the largest of their inputs' of the
    /// same shape.
    fn granule(&self) -> usize {
        let m = self.meta();
        let elementwise = |n: &Meta| matches!(n.kind, OpKind::Elementwise);
        if !elementwise(m) {
            return 0;
        }
        let mut granule = 0;
        for_each_read_through(m, self.inputs(), elementwise, |n, same_shape| {
            if same_shape {
                granule = granule.max(n.granule());
            }
            true
        });
        granule
    }
}

/// How large the reads a node makes of its inputs are ([`Node::input_reads`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputReads {
    /// Tiles, at most [`TILE_LEN`](crate::region::TILE_LEN) positions, whatever its own reads.
    Tiles,
    /// No more positions than its own read (the same region, or a broadcast part of it).
    Own,
    /// Unknown: possibly a box much larger than its read (a strided slice's span).
    Any,
}

/// How a pass keeps the blocks of its caching nodes, as the plan counts them
/// ([`Node::cache_bytes`]): by the rules of [`TaskCx::keep`] and of the blocks the workers of
/// a reduction pass share ([`shared_blocks::cap`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PassBlocks {
    /// Blocks of a node a task keeps besides those one read spans ([`TaskCx::limit_blocks`]):
    /// a reduction's [`Stage::task_blocks`], `usize::MAX` in other passes.
    pub limit: usize,
    /// Workers per rank.
    pub workers: usize,
    /// Whether every read of the node in the pass is a tile, so that one read spans at most
    /// [`Chunks::max_spanned`](crate::chunks::Chunks::max_spanned) blocks; else a read may
    /// span any number.
    pub tiles: bool,
}

impl PassBlocks {
    /// A pass whose tasks keep what each node asks.
    pub(crate) const UNLIMITED: PassBlocks = PassBlocks {
        limit: usize::MAX,
        workers: 1,
        tiles: false,
    };

    /// Blocks of `grid` a worker holds at most of a node that would keep `keep` of them: what
    /// one worker keeps alone ([`kept_blocks`]) or its share of what the workers keep between
    /// them where they share blocks ([`shared_blocks::cap`]), whichever is more.
    ///
    /// The stencil's node (rows of 10 blocks of 2000², two workers, a limit of 6, a tile
    /// spanning at most 4 blocks) holds 6 per worker, not a row of 10.
    pub(crate) fn kept(&self, keep: usize, grid: &crate::chunks::Chunks) -> usize {
        if self.limit >= keep {
            return keep;
        }
        let spanned = if self.tiles {
            grid.max_spanned(crate::region::TILE_LEN)
        } else {
            usize::MAX
        };
        let workers = self.workers.max(1);
        let shared = shared_blocks::cap(keep, self.limit, spanned, workers);
        kept_blocks(keep, self.limit, spanned).max(shared.div_ceil(workers))
    }
}

/// How many blocks of a node that would keep `keep` of them a task keeps when its limit is
/// `limit` ([`TaskCx::limit_blocks`]) and one read spans `spanned` blocks: `keep`, within the
/// limit but never fewer than the read needs.
pub(crate) fn kept_blocks(keep: usize, limit: usize, spanned: usize) -> usize {
    keep.min(limit.max(spanned))
}

/// Whether a read of a region of this node reads the same region of its inputs of its shape:
/// elementwise nodes and regrids.
fn passes_reads(m: &Meta) -> bool {
    matches!(m.kind, OpKind::Elementwise | OpKind::Regrid)
}

/// Walks what a read of a node of `meta`, with inputs `inputs`, reads: an input of the node's
/// shape for which `through` holds is walked through to its own inputs, and every other input
/// reached is given to `at` with whether it has the node's shape (the region read of it is
/// then the same); until `at` returns `false`, which is returned. Each node once, and without
/// recursion: a map applied 40 times (`x = x * (1 - x)`) reads `x` twice at each level, 2^40
/// paths over 80 nodes, and a chain of ops can be deeper than a thread's stack.
fn for_each_read_through(
    meta: &Meta,
    inputs: Vec<Arc<dyn Node>>,
    through: impl Fn(&Meta) -> bool,
    mut at: impl FnMut(&Arc<dyn Node>, bool) -> bool,
) -> bool {
    let mut seen = std::collections::HashSet::from([meta.id]);
    let mut stack = inputs;
    stack.reverse();
    while let Some(n) = stack.pop() {
        let m = n.meta();
        if !seen.insert(m.id) {
            continue;
        }
        let same_shape = m.shape == meta.shape;
        if same_shape && through(m) {
            let mut more = n.inputs();
            more.reverse();
            stack.extend(more);
        } else if !at(&n, same_shape) {
            return false;
        }
    }
    true
}

/// Whether evaluating `node` may make or keep blocks ([`Node::cache_bytes`] of it or of a node
/// below it not computed earlier in the compute).
pub(crate) fn caches_below(node: &(impl Node + ?Sized), results: &Results) -> bool {
    if results.value(node.meta().id).is_some() {
        return false;
    }
    let computed = |n: &Arc<dyn Node>| results.value(n.meta().id).is_some();
    // Each node once, without recursion; the walk stops at nodes computed earlier.
    node.cache_bytes(&PassBlocks::UNLIMITED) > 0
        || crate::walk::post_order(
            node.inputs(),
            |n| n.meta().id,
            |n| if computed(n) { Vec::new() } else { n.inputs() },
        )
        .iter()
        .any(|n| !computed(n) && n.cache_bytes(&PassBlocks::UNLIMITED) > 0)
}

/// Fills `out` with `region` of `node`: from a result materialized earlier in this compute
/// (a staged reduction, a shared node) or a box this task holds of it ([`TaskCx::hold`]) when
/// there is one, else by evaluating the node.
pub(crate) fn pull<T: Element>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    region: &[Range<usize>],
    out: &mut [T],
) -> Result<()> {
    let m = node.meta();
    if let Some(arr) = cx.results.get::<T>(m.id) {
        crate::kernels::gather(
            arr.as_slice().expect("results are C-order"),
            &m.shape,
            region,
            out,
        );
        return Ok(());
    }
    if let Some((vals, local, ext)) = cx.held::<T>(m.id, region) {
        crate::kernels::gather(vals, ext, &local, out);
        return Ok(());
    }
    // A fused chain evaluates one level of recursion per op; a chain deeper than the thread's
    // stack allows (10000 ops overflowed it) goes on on a new segment of the heap. The check
    // reads the stack pointer: no cost beside a tile's work.
    stacker::maybe_grow(EVAL_RED_ZONE, EVAL_STACK_SEGMENT, || {
        node.fill(cx, region, out)
    })
}

/// Stack left below which an evaluation goes on on a new segment: more than any one level
/// takes (the largest frames are a few KB, those of the kernels' tile loops).
const EVAL_RED_ZONE: usize = 128 << 10;

/// The size of each new stack segment of a deep evaluation.
const EVAL_STACK_SEGMENT: usize = 4 << 20;

/// The values of the whole of `region` of `node`, C order, evaluated tile by tile into one
/// buffer (for nodes that need a whole chunk: a transpose's cache, a `map_blocks` input).
pub(crate) fn pull_whole<T: Element>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    region: &[Range<usize>],
) -> Result<Vec<T>> {
    let extents: Vec<usize> = region.iter().map(|r| r.len()).collect();
    let mut data = crate::kernels::zeroed_vec::<T>(&node.meta().name, &extents)?;
    pull_whole_into(cx, node, region, &mut data)?;
    Ok(data)
}

/// [`pull_whole`] into `data`, resized to the region (a buffer reused from chunk to chunk
/// spares the page faults of a fresh allocation of a chunk's size).
pub(crate) fn pull_whole_into<T: Element>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    region: &[Range<usize>],
    data: &mut Vec<T>,
) -> Result<()> {
    let len = crate::region::region_len(region);
    if data.capacity() < len {
        // A size that cannot be allocated is an error, not an abort (`zeroed_vec` checks);
        // the old buffer goes first, so the two are never held together.
        let extents: Vec<usize> = region.iter().map(|r| r.len()).collect();
        drop(std::mem::take(data));
        *data = crate::kernels::zeroed_vec::<T>(&node.meta().name, &extents)?;
    } else if data.len() != len {
        data.resize(len, T::ZERO);
    }
    pull_box(cx, node, region, data)
}

/// Fills `data` (C order over `region`'s extents) with `region` of `node`, a tile at a time.
pub(crate) fn pull_box<T: Element>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    region: &[Range<usize>],
    data: &mut [T],
) -> Result<()> {
    let strides = crate::region::c_strides(&region.iter().map(|r| r.len()).collect::<Vec<_>>());
    crate::region::for_each_tile(region, crate::region::TILE_LEN, |t| {
        // Tiles are cut in C order as contiguous runs of the region: fill each in place.
        let off: usize = region
            .iter()
            .zip(t)
            .zip(&strides)
            .map(|((c, r), s)| (r.start - c.start) * s)
            .sum();
        pull(
            cx,
            node,
            t,
            &mut data[off..off + crate::region::region_len(t)],
        )
    })
}

/// The executor's view of a node producing `T`.
pub(crate) trait Expr<T: Element>: Node {
    /// Writes the values of `region` (a box in this node's index space), C order, into `out`
    /// (`out.len() == region_len(region)`).
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()>;

    /// The values of `region`, C order, as a slice this node already holds (an in-memory
    /// array), so that a consumer reads them in place instead of copying them into a tile.
    fn borrow(&self, _region: &[Range<usize>]) -> Option<&[T]> {
        None
    }

    /// Writes `region` of this node transposed by `perm` (output axis `d` is this node's axis
    /// `perm[d]`; `region` is in the output's axes), C order, into `out`, where
    /// [`Node::reads_permuted`] says it can; `Ok(false)`, with `out` unspecified, where it
    /// cannot (the transpose then reads the box and transposes it). Called through
    /// [`pull_permuted`].
    fn fill_permuted(
        &self,
        _cx: &mut TaskCx<'_>,
        _perm: &[usize],
        _region: &[Range<usize>],
        _out: &mut [T],
    ) -> Result<bool> {
        Ok(false)
    }
}

/// The box of a node that `region` of its transpose by `perm` reads (output axis `d` is the
/// node's axis `perm[d]`).
pub(crate) fn unpermuted(perm: &[usize], region: &[Range<usize>]) -> crate::region::Region {
    let mut own: crate::region::Region = region.iter().map(|_| 0..0).collect();
    for (d, &p) in perm.iter().enumerate() {
        own[p] = region[d].clone();
    }
    own
}

/// [`Expr::fill_permuted`] of `node`, unless its values are a held result or a box the task
/// holds (`Ok(false)`: the caller reads those through [`pull`], as it would any other box).
pub(crate) fn pull_permuted<T: Element>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    perm: &[usize],
    region: &[Range<usize>],
    out: &mut [T],
) -> Result<bool> {
    let m = node.meta();
    if cx.results.get::<T>(m.id).is_some() {
        return Ok(false);
    }
    if cx.held::<T>(m.id, &unpermuted(perm, region)).is_some() {
        return Ok(false);
    }
    stacker::maybe_grow(EVAL_RED_ZONE, EVAL_STACK_SEGMENT, || {
        node.fill_permuted(cx, perm, region, out)
    })
}

/// The values of `region` of `node` in place, where a held result, a box the task holds
/// ([`TaskCx::hold`]) or the node itself has them contiguous (no copy, no evaluation); `None`
/// otherwise.
pub(crate) fn borrowed<'a, T: Element>(
    cx: &'a TaskCx<'_>,
    node: &'a dyn Expr<T>,
    region: &[Range<usize>],
) -> Option<&'a [T]> {
    let m = node.meta();
    if let Some(arr) = cx.results.get::<T>(m.id) {
        let off = crate::kernels::contiguous_offset(&m.shape, region)?;
        let data = arr.as_slice().expect("results are C-order");
        return Some(&data[off..off + crate::region::region_len(region)]);
    }
    if let Some((vals, local, ext)) = cx.held::<T>(m.id, region) {
        let off = crate::kernels::contiguous_offset(ext, &local)?;
        return Some(&vals[off..off + crate::region::region_len(region)]);
    }
    node.borrow(region)
}

/// Calls `f` with the values of `region` of `node`: in place where [`borrowed`] can, else
/// [`pull`]ed into a tile buffer from the task's pool (gathered from a held result, or
/// evaluated).
pub(crate) fn read<T: Element, R>(
    cx: &mut TaskCx<'_>,
    node: &dyn Expr<T>,
    region: &[Range<usize>],
    f: impl FnOnce(&[T]) -> R,
) -> Result<R> {
    if let Some(vals) = borrowed(cx, node, region) {
        return Ok(f(vals));
    }
    let mut buf = cx.take::<T>(crate::region::region_len(region));
    let r = pull(cx, node, region, &mut buf).map(|()| f(&buf));
    cx.give(buf);
    r
}

/// A reduction that runs as a stage of its own and materializes its (small) result. The
/// executor runs it (`execute/passes.rs`): per output chunk, one task per group of leaves (a
/// node of the canonical tree, [`fold_group`](Stage::fold_group)), the groups' partials
/// combined in that tree ([`split`](Stage::split)), the chunks' partials
/// [`assemble`](Stage::assemble)d into the result.
pub(crate) trait Stage: Node {
    /// Number of leaf tasks (input chunks).
    fn tasks(&self) -> usize;
    /// Largest partial (an output chunk) in bytes.
    fn max_partial_bytes(&self) -> usize;
    /// Leaf tasks per output chunk.
    fn leaves_per_output(&self) -> usize;
    /// Partials of one output chunk alive at once while its tasks' partials combine: at most
    /// one per level of the combine tree, plus one. By default that of a balanced tree over
    /// [`leaves_per_output`](Self::leaves_per_output) tasks.
    fn combine_levels(&self) -> u64 {
        u64::from(usize::BITS - self.leaves_per_output().max(1).leading_zeros())
    }
    /// Canonical leaves folded by one leaf task (a power of two): the depth of the cascade
    /// inside a task is its log2.
    fn leaves_per_task(&self) -> usize;
    /// Stages with equal keys fold the same input boxes in the same tasks, so they can share
    /// one pass over their input.
    fn pass_key(&self) -> PassKey;
    /// Leaf groups (tasks) per output chunk.
    fn groups(&self) -> usize;
    /// Where the canonical tree splits the groups `lo..hi` (`hi - lo >= 2`), which are the
    /// groups below one node of it: the first group of the node's right child. The
    /// power-of-two tree by default (split at the largest power of two below `hi - lo`).
    fn split(&self, lo: usize, hi: usize) -> usize {
        lo + reduce::tree_split(hi - lo)
    }
    /// Blocks of each caching node its tasks keep ([`TaskCx::limit_blocks`]): no limit by
    /// default.
    fn task_blocks(&self) -> usize {
        usize::MAX
    }
    /// Appends to `out` the blocks of caching nodes the task of group `g` of `out_region`
    /// reads ([`Node::cached_blocks`]); `false` when they cannot be named.
    fn task_reads(
        &self,
        _results: &Results,
        _out_region: &[Range<usize>],
        _g: usize,
        _out: &mut Vec<shared_blocks::BlockKey>,
    ) -> bool {
        false
    }
    /// The name, elements and bytes of the task of group `g` of `out_region`, for events.
    fn group_task(&self, out_region: &[Range<usize>], g: usize) -> (String, u64, u64);
    /// Evaluates the input box of group `g` of `out_region` once into `cx` ([`TaskCx::hold`]),
    /// for stages that share the pass.
    fn hold_group_input(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        g: usize,
    ) -> Result<()>;
    /// The partials of group `g` for every output of `out_region`.
    fn fold_group(
        &self,
        cx: &mut TaskCx<'_>,
        out_region: &[Range<usize>],
        g: usize,
    ) -> Result<Parts>;
    /// `a` then `b`, combined output by output.
    fn combine(&self, a: Parts, b: Parts) -> Parts;
    /// Appends the bytes of `parts` (of an output chunk) to `out`, for another rank.
    fn encode(&self, parts: &Parts, out: &mut Vec<u8>);
    /// The partials of `out_region` from the bytes [`encode`](Stage::encode) wrote; `None`
    /// when `raw` is not such bytes.
    fn decode(&self, out_region: &[Range<usize>], raw: &[u8]) -> Option<Parts>;
    /// The result array from every output chunk's combined partials.
    fn assemble(
        &self,
        chunks: Vec<(crate::region::Region, Parts)>,
    ) -> Result<Arc<dyn Any + Send + Sync>>;
}

/// The partials of a stage for the outputs of one region (a `Vec<R::Part>`), type-erased for
/// the executor.
pub(crate) type Parts = Box<dyn Any + Send>;

/// What decides whether two stages read their input in the same tasks (see
/// [`Stage::pass_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PassKey {
    pub input: NodeId,
    pub axes: Vec<usize>,
    pub keepdims: bool,
    pub group: usize,
    pub leaves: usize,
    /// The output grid: one tree per output chunk.
    pub out_chunks: Chunks,
}

/// A pass's result, type-erased: an `ArrayD` of its node's type.
pub(crate) type Value = Arc<dyn Any + Send + Sync>;

/// Materialized results of the stages that already ran, by node id.
#[derive(Default)]
pub(crate) struct Results {
    /// Fx-hashed: every pull of every tile asks it (SipHash was 2-3% of a scan's second pass).
    map: rustc_hash::FxHashMap<NodeId, Value>,
}

impl Results {
    pub(crate) fn insert(&mut self, id: NodeId, v: Arc<dyn Any + Send + Sync>) {
        self.map.insert(id, v);
    }

    /// The value of node `id`, type-erased (an `ArrayD` of its type).
    pub(crate) fn value(&self, id: NodeId) -> Option<Value> {
        self.map.get(&id).cloned()
    }

    pub(crate) fn get<T: Element>(&self, id: NodeId) -> Option<&ndarray::ArrayD<T>> {
        // Most computes hold nothing: skip the hash on the hot path.
        if self.map.is_empty() {
            return None;
        }
        self.map
            .get(&id)
            .and_then(|v| v.downcast_ref::<ndarray::ArrayD<T>>())
    }
}

/// A block a caching node computed: (node, block region, a `Vec` of its values).
type Block = (NodeId, crate::region::Region, Arc<dyn Any + Send + Sync>);

/// The blocks caching nodes computed (a transpose's chunks, `map_blocks` results, decoded
/// Zarr chunks), kept per worker for the length of a pass: a task starts with the blocks the
/// previous task on its worker left, so consecutive tasks that read one block (a reduction's
/// leaf groups, which follow the shape rather than the chunks) compute it once. The executor
/// makes one per pass; dropping it frees the blocks. The worker's buffer pool goes from task to
/// task the same way: a buffer larger than `malloc` keeps on its heap (a transpose's panel
/// input, 256 KiB) would otherwise be mapped and faulted in again by every task.
pub(crate) struct WorkerBlocks {
    /// One slot per worker of the current pool, and one for threads outside it.
    slots: Vec<std::sync::Mutex<(Vec<Block>, Pool)>>,
}

impl WorkerBlocks {
    pub(crate) fn new() -> Self {
        WorkerBlocks {
            slots: (0..=rayon::current_num_threads())
                .map(|_| Default::default())
                .collect(),
        }
    }

    fn slot(&self) -> &std::sync::Mutex<(Vec<Block>, Pool)> {
        let last = self.slots.len() - 1;
        &self.slots[rayon::current_thread_index().map_or(last, |i| i.min(last))]
    }

    /// This worker's blocks and buffers, taken (a task nested in another on the same worker
    /// finds none).
    fn take(&self) -> (Vec<Block>, Pool) {
        std::mem::take(&mut *self.slot().lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Gives a finished task's blocks and buffers back to its worker.
    fn give(&self, blocks: Vec<Block>, pool: Pool) {
        let mut slot = self.slot().lock().unwrap_or_else(|e| e.into_inner());
        if slot.0.is_empty() {
            slot.0 = blocks;
        }
        if slot.1.is_empty() {
            slot.1 = pool;
        }
    }
}

impl Default for WorkerBlocks {
    fn default() -> Self {
        Self::new()
    }
}

/// Nodes a task holds a box of for the tiles that read it again ([`TaskCx::hold_tile`]).
const MAX_TILE_HOLDS: usize = 8;

/// Per-task context: the results of earlier stages and a pool of tile buffers.
pub(crate) struct TaskCx<'a> {
    pub results: &'a Results,
    /// The task's buffers (tiles, rows of partials, block functions' inputs).
    pub(crate) pool: Pool,
    /// The blocks caching nodes computed, most recently used last (see [`TaskCx::block`]).
    blocks: Vec<Block>,
    /// Where the blocks go when the task ends.
    worker: &'a WorkerBlocks,
    /// Boxes of nodes' values this task evaluated once for several readers (stages that share
    /// a pass, outputs written in one pass).
    holds: Vec<Held>,
    /// At most this many blocks of a node are kept ([`TaskCx::keep`]).
    block_limit: usize,
    /// The blocks the workers of the pass share ([`shared_blocks`]), if they do, and this
    /// task's number in the pass.
    shared: Option<(&'a shared_blocks::SharedBlocks, usize)>,
}

impl<'a> TaskCx<'a> {
    pub(crate) fn new(results: &'a Results, worker: &'a WorkerBlocks) -> Self {
        let (blocks, pool) = worker.take();
        TaskCx {
            results,
            pool,
            blocks,
            worker,
            holds: Vec::new(),
            block_limit: usize::MAX,
            shared: None,
        }
    }

    /// Reads the blocks of the nodes `shared` names from it rather than the worker's own
    /// ([`shared_blocks`]), as the pass's task `task`.
    pub(crate) fn share_blocks(&mut self, shared: &'a shared_blocks::SharedBlocks, task: usize) {
        self.shared = Some((shared, task));
    }

    /// Keeps at most `n` blocks of each caching node (besides those one read spans), for a
    /// task that reads its input a compact box at a time: a reduction's leaves (see
    /// [`leaf_tree`]) walk a box about an input chunk large, row by row, so a few blocks are
    /// all that the rows at hand and the next task on the worker read.
    pub(crate) fn limit_blocks(&mut self, n: usize) {
        self.block_limit = n.max(1);
    }

    /// How many blocks of a node that would keep `keep` of them this task keeps when one read
    /// spans `spanned` blocks: `keep`, within the task's limit ([`TaskCx::limit_blocks`]) but
    /// never fewer than the read needs.
    pub(crate) fn keep(&self, keep: usize, spanned: usize) -> usize {
        kept_blocks(keep, self.block_limit, spanned)
    }

    /// Evaluates `region` of `node` once and keeps it, so that every read of the node inside
    /// that box in this task ([`pull`], [`borrowed`]) is served from it instead of evaluating
    /// (or reading a file) again. Replaces what was held of that node before.
    pub(crate) fn hold<T: Element>(
        &mut self,
        node: &dyn Expr<T>,
        region: &[Range<usize>],
    ) -> Result<()> {
        let id = node.meta().id;
        let at = self.holds.iter().position(|h| h.id == id);
        self.replace_hold(id, false, region, at, |cx, values| {
            pull_whole_into(cx, node, region, values)
        })
    }

    /// [`hold`](Self::hold) with the whole box made by one [`Expr::fill`] call rather than tile by
    /// tile, for nodes that read it in large pieces ([`Node::prefetch`]). The buffer of the box
    /// it replaces is reused (a fresh allocation of that size would cost its page faults).
    pub(crate) fn hold_whole<T: Element>(
        &mut self,
        node: &dyn Expr<T>,
        region: &[Range<usize>],
    ) -> Result<()> {
        let id = node.meta().id;
        let at = self.holds.iter().position(|h| h.id == id);
        self.replace_hold(id, false, region, at, |cx, values| {
            values.resize(crate::region::region_len(region), T::ZERO);
            node.fill(cx, region, values)
        })
    }

    /// Holds `region` of `node`, a tile at most, for the tiles after this one that read the
    /// same box (a broadcast input: [`elementwise::fetch`]). It replaces only the box held this
    /// way before: a node another way holds (a file's prefetched box) keeps its box and is
    /// evaluated as before outside it. At most [`MAX_TILE_HOLDS`] nodes are held this way in a
    /// task, so that a chain of thousands of broadcast operands (`1 - x` makes a 0-d one)
    /// neither grows the task nor makes each lookup walk thousands of boxes.
    pub(crate) fn hold_tile<T: Element>(
        &mut self,
        node: &dyn Expr<T>,
        region: &[Range<usize>],
    ) -> Result<()> {
        let id = node.meta().id;
        let at = match self.holds.iter().position(|h| h.id == id) {
            Some(i) if !self.holds[i].for_tiles => return Ok(()),
            Some(i) => Some(i),
            None if self.holds.iter().filter(|h| h.for_tiles).count() >= MAX_TILE_HOLDS => {
                return Ok(());
            }
            None => None,
        };
        self.replace_hold(id, true, region, at, |cx, values| {
            values.resize(crate::region::region_len(region), T::ZERO);
            pull(cx, node, region, values)
        })
    }

    /// Holds `region` of node `id`, made by `make` (which sizes it) in the buffer of the box
    /// held at `at`, taken from the holds, or in a new one.
    fn replace_hold<T: Element>(
        &mut self,
        id: NodeId,
        for_tiles: bool,
        region: &[Range<usize>],
        at: Option<usize>,
        make: impl FnOnce(&mut Self, &mut Vec<T>) -> Result<()>,
    ) -> Result<()> {
        let mut values = match at {
            Some(i) => {
                let old = self.holds.swap_remove(i).values;
                old.downcast::<Vec<T>>().map(|v| *v).unwrap_or_default()
            }
            None => Vec::new(),
        };
        values.clear();
        make(self, &mut values)?;
        self.holds.push(Held {
            id,
            for_tiles,
            region: region.iter().cloned().collect(),
            extents: region.iter().map(|r| r.len()).collect(),
            values: Box::new(values),
        });
        Ok(())
    }

    /// Whether this task holds `region` of node `id`, or has its whole result.
    pub(crate) fn has<T: Element>(&self, id: NodeId, region: &[Range<usize>]) -> bool {
        self.results.get::<T>(id).is_some() || self.held::<T>(id, region).is_some()
    }

    /// The held values of `node` when they contain `region`: the values, `region` relative to
    /// the held box, and the box's extents.
    fn held<T: Element>(
        &self,
        id: NodeId,
        region: &[Range<usize>],
    ) -> Option<(&[T], crate::region::Region, &[usize])> {
        let held = self.holds.iter().find(|h| h.id == id)?;
        if held.region.len() != region.len()
            || held
                .region
                .iter()
                .zip(region)
                .any(|(h, r)| r.start < h.start || r.end > h.end)
        {
            return None;
        }
        let vals = held.values.downcast_ref::<Vec<T>>()?;
        let local = held
            .region
            .iter()
            .zip(region)
            .map(|(h, r)| r.start - h.start..r.end - h.start)
            .collect();
        Some((vals, local, &held.extents))
    }

    /// A tile buffer of `len` elements from the task's pool ([`Pool::take`]).
    pub(crate) fn take<T: Copy + Default + Send + 'static>(&mut self, len: usize) -> TileBuf<T> {
        self.pool.take(len)
    }

    /// The block `block` of node `id` if the worker keeps it (see [`TaskCx::block`]), without
    /// making it.
    pub(crate) fn kept<T: Element>(
        &self,
        id: NodeId,
        block: &[Range<usize>],
    ) -> Option<Arc<Vec<T>>> {
        let pos = self.find_block(id, block)?;
        Some(
            self.blocks[pos]
                .2
                .clone()
                .downcast::<Vec<T>>()
                .expect("a node caches one type"),
        )
    }

    /// Where the worker keeps block `block` of node `id`, if it does.
    fn find_block(&self, id: NodeId, block: &[Range<usize>]) -> Option<usize> {
        self.blocks
            .iter()
            .position(|(i, r, _)| *i == id && r.as_slice() == block)
    }

    /// The values of block `block` of node `id`, computed by `make` unless this worker holds
    /// them: the task keeps the last `keep` blocks of each node (at least one), and hands them
    /// to the next task on its worker within the pass ([`WorkerBlocks`]).
    pub(crate) fn block<T: Element>(
        &mut self,
        id: NodeId,
        block: &[Range<usize>],
        keep: usize,
        make: impl FnOnce(&mut Self) -> Result<Vec<T>>,
    ) -> Result<Arc<Vec<T>>> {
        self.block_in(id, block, keep, 1, |cx, _| make(cx), false)
    }

    /// [`block`](Self::block) for a read that spans `spanned` blocks of the node. With `reuse`,
    /// `make` is given the buffer of the block it replaces (when nothing else holds it; empty
    /// otherwise) to make the new one in, with [`pull_whole_into`]: a fresh block-sized
    /// allocation costs its page faults. In a pass whose workers share the node's blocks
    /// ([`shared_blocks`]) the buffer is always empty: the block let go may be another
    /// worker's, still read.
    pub(crate) fn block_in<T: Element>(
        &mut self,
        id: NodeId,
        block: &[Range<usize>],
        keep: usize,
        spanned: usize,
        make: impl FnOnce(&mut Self, Vec<T>) -> Result<Vec<T>>,
        reuse: bool,
    ) -> Result<Arc<Vec<T>>> {
        if let Some((shared, task)) = self.shared
            && shared.shares(id)
        {
            let key = (id, block.iter().cloned().collect());
            let cap = shared.cap(keep, self.block_limit, spanned);
            return shared.get(task, &key, keep, cap, || make(self, Vec::new()));
        }
        if let Some(pos) = self.find_block(id, block) {
            // Most recently used last.
            let hit = self.blocks.remove(pos);
            let v = hit.2.clone();
            self.blocks.push(hit);
            return Ok(v.downcast::<Vec<T>>().expect("a node caches one type"));
        }
        let mut spare = Vec::new();
        while self.blocks.iter().filter(|(i, _, _)| *i == id).count() >= keep.max(1) {
            let oldest = self
                .blocks
                .iter()
                .position(|(i, _, _)| *i == id)
                .expect("counted above");
            let (_, _, old) = self.blocks.remove(oldest);
            if reuse {
                spare = old
                    .downcast::<Vec<T>>()
                    .ok()
                    .and_then(|a| Arc::try_unwrap(a).ok())
                    .unwrap_or_default();
            }
        }
        let data = Arc::new(make(self, spare)?);
        self.blocks
            .push((id, block.iter().cloned().collect(), data.clone()));
        Ok(data)
    }

    /// Returns a tile buffer to the task's pool.
    pub(crate) fn give<T: Copy + Default + Send + 'static>(&mut self, buf: TileBuf<T>) {
        self.pool.give(buf);
    }
}

impl Drop for TaskCx<'_> {
    fn drop(&mut self) {
        self.worker.give(
            std::mem::take(&mut self.blocks),
            std::mem::take(&mut self.pool),
        );
    }
}

/// A box of a node's values held by a task ([`TaskCx::hold`]).
struct Held {
    id: NodeId,
    /// Held by [`TaskCx::hold_tile`] (a broadcast input's box), which replaces only its own.
    for_tiles: bool,
    region: crate::region::Region,
    /// The box's extents (the shape of `values`).
    extents: smallvec::SmallVec<[usize; 6]>,
    /// A `Vec<T>` of the node's type, C order.
    values: Box<dyn Any + Send>,
}

/// The node of a result that is already known to be invalid: planning returns its error.
pub(crate) struct Invalid<T> {
    meta: Meta,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T: Element> Invalid<T> {
    pub(crate) fn new(name: &str, shape: Vec<usize>, error: Error) -> Self {
        let chunks = Chunks::single(&shape);
        Invalid {
            meta: Meta::new(name, OpKind::Source, T::DTYPE, shape, chunks).with_error(Some(error)),
            _t: std::marker::PhantomData,
        }
    }
}

impl<T: Element> Node for Invalid<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        Vec::new()
    }
}

impl<T: Element> Expr<T> for Invalid<T> {
    fn fill(&self, _: &mut TaskCx<'_>, _: &[Range<usize>], _: &mut [T]) -> Result<()> {
        Err(self
            .meta
            .error
            .clone()
            .expect("an Invalid node carries its error"))
    }
}

/// The arrays of one compute of several (`compute_many`), as one node whose inputs they are, so
/// that planning sees one graph. It is never evaluated.
pub(crate) struct Roots {
    meta: Meta,
    roots: Vec<Arc<dyn Node>>,
}

impl Roots {
    pub(crate) fn new(roots: &[Arc<dyn Node>]) -> Self {
        let names: Vec<&str> = roots.iter().map(|r| r.meta().name.as_str()).collect();
        Roots {
            meta: Meta::new(
                format!("({})", names.join(", ")),
                OpKind::Source,
                DType::F64,
                Vec::new(),
                Chunks::single(&[]),
            ),
            roots: roots.to_vec(),
        }
    }
}

impl Node for Roots {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        self.roots.clone()
    }
    fn expr(self: Arc<Self>) -> AnyExpr {
        unreachable!("the roots of a compute are planned, never evaluated")
    }
    fn hold(&self, _: &mut TaskCx<'_>, _: &[Range<usize>]) -> Result<()> {
        unreachable!("the roots of a compute are planned, never evaluated")
    }
}

/// Lets go of a handle to a graph's node, freeing the nodes only it holds one at a time. `Arc`'s
/// drop frees a node's inputs inside the node's drop, one level of recursion per op: the last
/// handle of a chain of 100000 ops overflowed an 8 MB stack. Here every node freed is held
/// until the nodes that hold it are gone, so no drop recurses. A node something else holds
/// too (another array, a running compute) is left to it and not walked.
pub(crate) fn free_graph(root: Arc<dyn Node>) {
    if Arc::strong_count(&root) > 1 {
        return;
    }
    let key = |n: &Arc<dyn Node>| Arc::as_ptr(n) as *const () as usize;
    // Handles to each node from the nodes to free walked so far.
    let mut held_by_freed: HashMap<usize, usize> = HashMap::new();
    // The nodes to free, each after every node to free that holds it.
    let mut owned: Vec<Arc<dyn Node>> = Vec::new();
    let mut next = vec![root];
    while let Some(n) = next.pop() {
        let mut inputs = n.inputs();
        inputs.sort_by_key(key);
        let mut k = 0;
        while k < inputs.len() {
            let c = inputs[k..]
                .iter()
                .take_while(|i| key(i) == key(&inputs[k]))
                .count();
            let held = held_by_freed.entry(key(&inputs[k])).or_insert(0);
            *held += c;
            // Its handles, less the `c` clones in `inputs`, all from nodes to free.
            if Arc::strong_count(&inputs[k]) - c == *held {
                next.push(inputs[k].clone());
            }
            k += c;
        }
        drop(inputs);
        owned.push(n);
    }
    // In order: each node, once freed, lets go of inputs still held here.
    for n in owned {
        drop(n);
    }
}

/// Every node reachable from `root`, each once, inputs before the nodes that use them.
pub(crate) fn post_order(root: Arc<dyn Node>) -> Vec<Arc<dyn Node>> {
    crate::walk::post_order([root], |n| n.meta().id, |n| n.inputs())
}
