//! Running a plan's passes, the same code for every [`Executor`]: each rank runs its share of
//! every pass's tasks on the current rayon pool and, when there are several ranks, the ranks
//! exchange what the pass produced before the next pass reads it.
//!
//! - A reduction pass runs, per output chunk, the canonical tree over its leaf groups
//!   ([`Stage::split`]). A rank computes the largest subtrees whose groups all fall in its share,
//!   sends their partials to every rank, and every rank combines the missing top of each tree
//!   itself, in the same order: so the result has the same bits on every rank, for every
//!   number of ranks and workers.
//! - A held node and an output array are materialized chunk by chunk; each rank computes its
//!   chunks and every rank gathers the others' into its own copy.
//! - Files are written by rank 0 alone (it commits them, too); the other ranks wait for it.
//!
//! After every pass the ranks agree on success: a task that failed (or panicked) on one rank
//! fails the compute on every rank, with that error, at the same point, so none waits for
//! it.

use std::collections::HashMap;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ndarray::ArrayD;
use rayon::prelude::*;

use super::Target;
use super::{Executor, Gather};
use crate::element::{with_dtype, Element};
use crate::error::{panic_message, Error, Result};
use crate::events::Events;
use crate::frame::{
    bytes, copy_from_bytes, get_block, get_len, get_status, put_block, put_len, put_status,
};
use crate::graph::shared_blocks::SharedBlocks;
use crate::graph::{
    caches_below, Expr, Meta, Node, Parts, Results, Stage, TaskCx, Value, WorkerBlocks,
};
use crate::kernels::{contiguous_offset, gather, scatter, zeroed_vec, SendPtr};
use crate::plan::{PassKind, Plan};
use crate::region::{for_each_tile, region_len, Region, TILE_LEN};

/// Runs `plan`'s passes in order on `exec`'s ranks; file passes write through `targets`.
/// Returns what the passes produced (stage results, held nodes, output arrays) by node id.
pub(crate) fn run(
    plan: &Plan,
    exec: &dyn Executor,
    events: &Events,
    targets: Option<&[Target]>,
    gather: Gather,
) -> Result<Results> {
    let mut results = Results::default();
    for pass in &plan.passes {
        match &pass.kind {
            PassKind::Reduce { .. } => {
                let stages: Vec<&dyn Stage> = pass
                    .nodes
                    .iter()
                    .map(|n| n.as_stage().expect("a reduction pass runs stages"))
                    .collect();
                let values = run_stages(&stages, &results, exec, events)?;
                for (n, v) in pass.nodes.iter().zip(values) {
                    results.insert(n.meta().id, v);
                }
            }
            PassKind::Hold { .. } | PassKind::Output { .. } => {
                let n = &pass.nodes[0];
                // Held nodes are read by later passes on every rank.
                let to = match pass.kind {
                    PassKind::Output { .. } => gather,
                    _ => Gather::All,
                };
                let v = produce(n, &results, exec, events, to)?;
                results.insert(n.meta().id, v);
            }
            PassKind::Files { roots, .. } => {
                let targets = targets.expect("file passes are planned for targets");
                let m = pass.nodes[0].meta();
                let mine = files_share(exec, m.chunks.num_chunks());
                let wrote = on_rank(exec, || {
                    for_each_chunk(m, mine, &results, events, |cx, chunk| {
                        for n in &pass.holds {
                            n.hold(cx, chunk)?;
                        }
                        for &k in roots {
                            targets[k].sink.write_chunk(cx, chunk)?;
                        }
                        Ok(())
                    })
                });
                agree(exec, wrote)?;
            }
        }
    }
    Ok(results)
}

/// The tasks this rank runs in `plan` (for the progress of its own compute).
pub(crate) fn tasks_on(plan: &Plan, exec: &dyn Executor) -> u64 {
    plan.passes
        .iter()
        .map(|p| match p.kind {
            PassKind::Files { .. } => files_share(exec, p.tasks).len(),
            _ => exec.share(p.tasks, exec.rank()).len(),
        })
        .fold(0u64, |a, n| a.saturating_add(n as u64))
}

/// Whether this rank writes (and commits) files: rank 0 alone.
pub(crate) fn writes_files(exec: &dyn Executor) -> bool {
    exec.rank() == 0
}

/// The chunks of a file pass this rank writes: all where [`writes_files`], none elsewhere.
fn files_share(exec: &dyn Executor, chunks: usize) -> Range<usize> {
    if writes_files(exec) {
        0..chunks
    } else {
        0..0
    }
}

/// Runs this rank's share of a pass; with several ranks, a panic becomes this rank's error
/// (to be exchanged) instead of unwinding past the ranks that wait for it.
fn on_rank<R>(exec: &dyn Executor, f: impl FnOnce() -> Result<R>) -> Result<R> {
    if exec.ranks() == 1 {
        return f();
    }
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(Error::Task {
            task: format!("rank {}", exec.rank()),
            reason: format!("panicked: {}", panic_message(&*p)),
        })
    })
}

/// Every rank's bytes, once every rank has finished its share: `local` is this rank's
/// outcome. When any rank failed, every rank returns an error: its own where it failed, else
/// [`Error::Rank`] with the lowest failing rank's message.
fn exchange(exec: &dyn Executor, local: Result<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
    if exec.ranks() == 1 {
        return local.map(|b| vec![b]);
    }
    let mine = match &local {
        Ok(b) => put_status(Ok(b)),
        Err(e) => put_status(Err(&e.to_string())),
    };
    let all = exec.all_gather(&mine)?;
    let local = local?;
    drop(local);
    all.iter()
        .enumerate()
        .map(|(rank, b)| match get_status(b) {
            Ok(payload) => Ok(payload.to_vec()),
            Err(reason) => Err(Error::Rank {
                rank,
                ranks: exec.ranks(),
                reason,
            }),
        })
        .collect()
}

/// [`exchange`] of nothing: whether every rank succeeded.
pub(crate) fn agree(exec: &dyn Executor, local: Result<()>) -> Result<()> {
    exchange(exec, local.map(|()| Vec::new())).map(|_| ())
}

fn corrupt(what: &str) -> Error {
    Error::Distributed {
        op: "compute".into(),
        reason: format!("a rank sent {what} that this rank cannot read"),
    }
}

/// Runs staged reductions that share a pass (one stage alone is the common case) and returns
/// their results, in order. Per output chunk, the leaf groups run as tasks (when several
/// stages share them, the task first holds the group's input box, so the input is read once)
/// and their partials combine in the canonical tree, so a stage's bits depend neither on the
/// chunking, the workers, the ranks nor the stages it shares a pass with.
fn run_stages(
    stages: &[&dyn Stage],
    results: &Results,
    exec: &dyn Executor,
    events: &Events,
) -> Result<Vec<Value>> {
    let first = stages[0];
    let m = first.meta();
    let groups = first.groups();
    let outputs = if m.size() == 0 {
        0
    } else {
        m.chunks.num_chunks()
    };
    let tasks = outputs.saturating_mul(groups);
    let mine = exec.share(tasks, exec.rank());
    let blocks = WorkerBlocks::new();
    // The largest subtrees of each output chunk's tree whose groups are all this rank's.
    let first_k = mine.start / groups.max(1);
    let last_k = mine.end.div_ceil(groups.max(1)).min(outputs);
    // One output chunk's tree at a time may run its tasks in order on blocks its workers share
    // (several trees at once would each keep their own).
    let in_order = last_k - first_k == 1;
    let owned = on_rank(exec, || {
        (first_k..last_k)
            .into_par_iter()
            .map(|k| {
                let region = m.chunks.chunk(k);
                let on = (results, events, &blocks);
                let trees = owned_trees(stages, on, &region, k * groups, &mine, groups, in_order)?;
                Ok((k, region, trees))
            })
            .collect::<Result<Vec<_>>>()
    });
    let per_chunk: Vec<(Region, Vec<Parts>)> = if exec.ranks() == 1 {
        // One rank owns every tree whole.
        owned?
            .into_iter()
            .map(|(_, region, mut trees)| (region, trees.pop().expect("one tree").2))
            .collect()
    } else {
        let sent = owned.map(|owned| encode_trees(stages, &owned));
        let mut received = HashMap::new();
        for raw in exchange(exec, sent)? {
            decode_trees(stages, m, &raw, &mut received)?;
        }
        (0..outputs)
            .map(|k| {
                let parts = join_tree(stages, &mut received, k, 0, groups)?;
                Ok((m.chunks.chunk(k), parts))
            })
            .collect::<Result<_>>()?
    };
    let mut by_stage: Vec<Vec<(Region, Parts)>> = stages.iter().map(|_| Vec::new()).collect();
    for (region, parts) in per_chunk {
        for (i, p) in parts.into_iter().enumerate() {
            by_stage[i].push((region.clone(), p));
        }
    }
    stages
        .iter()
        .zip(by_stage)
        .map(|(s, chunks)| s.assemble(chunks))
        .collect()
}

/// Subtrees `(lo, hi, partials of every stage)` of the tree over the `groups` groups of the
/// output chunk whose first task is `base`: the largest whose tasks all fall in `mine`. With
/// `in_order`, when the blocks of caching nodes the tasks read can be named, the tasks run in
/// the tree's order on blocks the workers share ([`in_order_trees`]).
fn owned_trees(
    stages: &[&dyn Stage],
    on: On<'_>,
    out_region: &[Range<usize>],
    base: usize,
    mine: &Range<usize>,
    groups: usize,
    in_order: bool,
) -> Result<Vec<(usize, usize, Vec<Parts>)>> {
    let mut ranges = Vec::new();
    owned_ranges(stages, base, mine, 0, groups, &mut ranges);
    if in_order && let Some(shared) = shared_blocks(stages, on.0, out_region, &ranges) {
        return in_order_trees(stages, on, out_region, &ranges, &shared);
    }
    ranges
        .into_par_iter()
        .map(|(lo, hi)| Ok((lo, hi, stage_tree(stages, on, out_region, lo, hi)?)))
        .collect()
}

/// Appends to `out` the largest subtrees of the tree over groups `lo..hi` whose tasks (`base`
/// and on) all fall in `mine`, in order.
fn owned_ranges(
    stages: &[&dyn Stage],
    base: usize,
    mine: &Range<usize>,
    lo: usize,
    hi: usize,
    out: &mut Vec<(usize, usize)>,
) {
    let (a, b) = (base + lo, base + hi);
    if b <= mine.start || a >= mine.end {
        return;
    }
    if mine.start <= a && b <= mine.end {
        out.push((lo, hi));
        return;
    }
    let mid = stages[0].split(lo, hi);
    owned_ranges(stages, base, mine, lo, mid, out);
    owned_ranges(stages, base, mine, mid, hi, out);
}

/// Tasks of one tree beyond which their reads are not listed ahead (a few MB of keys).
const MAX_LISTED_TASKS: usize = 1 << 16;

/// The store of the blocks the tasks of `ranges` read, when there are some, they can all be
/// named ([`Stage::task_reads`]), there are at most [`MAX_LISTED_TASKS`] tasks and some block
/// is large enough to be worth sharing ([`SharedBlocks::pays`]).
fn shared_blocks(
    stages: &[&dyn Stage],
    results: &Results,
    out_region: &[Range<usize>],
    ranges: &[(usize, usize)],
) -> Option<SharedBlocks> {
    let tasks: usize = ranges.iter().map(|(lo, hi)| hi - lo).sum();
    let caching = stages[0]
        .inputs()
        .iter()
        .any(|i| caches_below(&**i, results));
    if !caching || !(2..=MAX_LISTED_TASKS).contains(&tasks) {
        return None;
    }
    let mut reads = Vec::with_capacity(tasks);
    for &(lo, hi) in ranges {
        for g in lo..hi {
            let mut r = Vec::new();
            if !stages[0].task_reads(results, out_region, g, &mut r) {
                return None;
            }
            reads.push(r);
        }
    }
    if reads.iter().all(|r| r.is_empty()) {
        return None;
    }
    let shared = SharedBlocks::new(&stages[0].inputs(), reads);
    shared.pays().then_some(shared)
}

/// The trees over `ranges` with their tasks run in the trees' order, each worker taking the
/// next task as it ends one, on the blocks of `shared`; the partials of two children combine as
/// soon as both are made, in the same trees as [`stage_tree`]'s, so the bits are the same.
fn in_order_trees(
    stages: &[&dyn Stage],
    on: On<'_>,
    out_region: &[Range<usize>],
    ranges: &[(usize, usize)],
    shared: &SharedBlocks,
) -> Result<Vec<(usize, usize, Vec<Parts>)>> {
    let trees = Combiner::new(stages, ranges);
    let failed: Mutex<Option<(usize, Error)>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    (0..rayon::current_num_threads())
        .into_par_iter()
        .for_each(|_| {
            while let Some(i) = shared.start_next() {
                // Task `i` ends here whatever happens (a panic stops the others too).
                let _end = TaskEnd(shared, i, &stop);
                if stop.load(Ordering::Relaxed) {
                    continue;
                }
                let r = leaf_task(stages, on, out_region, trees.group(i), Some((shared, i)));
                match r {
                    Ok(parts) => trees.done(i, parts),
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        let mut f = failed.lock().unwrap_or_else(|e| e.into_inner());
                        // The first task's error, whichever worker saw which first.
                        if f.as_ref().is_none_or(|(j, _)| i < *j) {
                            *f = Some((i, e));
                        }
                    }
                }
            }
        });
    if let Some((_, e)) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(trees.roots())
}

/// Ends task `.1` of a shared pass when dropped; when dropped by a panic, stops the pass's
/// other tasks too.
struct TaskEnd<'a>(&'a SharedBlocks, usize, &'a AtomicBool);

impl Drop for TaskEnd<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.2.store(true, Ordering::Relaxed);
        }
        self.0.finish(self.1);
    }
}

/// The trees over ranges of groups, combining the partials of their tasks as they come in any
/// order: each node keeps the partials of the child that ended first until the other ends.
struct Combiner<'s> {
    stages: &'s [&'s dyn Stage],
    nodes: Vec<TreeNode>,
    /// For each task (in order), its group and its leaf's node.
    leaves: Vec<(usize, usize)>,
    /// Each tree's range and root node.
    roots: Vec<(usize, usize, usize)>,
}

struct TreeNode {
    /// The parent node, and whether this node is its left child.
    parent: Option<(usize, bool)>,
    /// The partials of a child waiting for its sibling (for a root: its own, once made).
    waiting: Mutex<Option<Vec<Parts>>>,
}

impl<'s> Combiner<'s> {
    fn new(stages: &'s [&'s dyn Stage], ranges: &[(usize, usize)]) -> Self {
        let mut c = Combiner {
            stages,
            nodes: Vec::new(),
            leaves: Vec::new(),
            roots: Vec::new(),
        };
        for &(lo, hi) in ranges {
            let root = c.build(lo, hi, None);
            c.roots.push((lo, hi, root));
        }
        c
    }

    fn build(&mut self, lo: usize, hi: usize, parent: Option<(usize, bool)>) -> usize {
        let me = self.nodes.len();
        self.nodes.push(TreeNode {
            parent,
            waiting: Mutex::new(None),
        });
        if hi - lo == 1 {
            self.leaves.push((lo, me));
        } else {
            let mid = self.stages[0].split(lo, hi);
            self.build(lo, mid, Some((me, true)));
            self.build(mid, hi, Some((me, false)));
        }
        me
    }

    /// The group of task `i`.
    fn group(&self, i: usize) -> usize {
        self.leaves[i].0
    }

    /// Task `i` made `parts`: combined up the tree as far as the siblings are made.
    fn done(&self, i: usize, mut parts: Vec<Parts>) {
        let mut node = self.leaves[i].1;
        loop {
            let Some((parent, left)) = self.nodes[node].parent else {
                *self.nodes[node]
                    .waiting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(parts);
                return;
            };
            let sibling = {
                let mut w = self.nodes[parent]
                    .waiting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                match w.take() {
                    Some(s) => s,
                    None => {
                        *w = Some(parts);
                        return;
                    }
                }
            };
            parts = if left {
                combine(self.stages, parts, sibling)
            } else {
                combine(self.stages, sibling, parts)
            };
            node = parent;
        }
    }

    /// Each tree's range and partials, once every task is done.
    fn roots(self) -> Vec<(usize, usize, Vec<Parts>)> {
        let mut nodes = self.nodes;
        self.roots
            .into_iter()
            .map(|(lo, hi, root)| {
                let parts = std::mem::take(&mut nodes[root].waiting)
                    .into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .expect("every task of the tree is done");
                (lo, hi, parts)
            })
            .collect()
    }
}

/// What a pass's tasks run on: earlier passes' results, the observers, the workers' blocks.
type On<'a> = (&'a Results, &'a Events, &'a WorkerBlocks);

/// The partials of every stage of a shared pass for group `g` of one output chunk: one task.
fn leaf_task(
    stages: &[&dyn Stage],
    on: On<'_>,
    out_region: &[Range<usize>],
    g: usize,
    shared: Option<(&SharedBlocks, usize)>,
) -> Result<Vec<Parts>> {
    let tasks: Vec<(String, u64, u64)> =
        stages.iter().map(|s| s.group_task(out_region, g)).collect();
    let name = || {
        tasks
            .iter()
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let (n, bytes) = (tasks[0].1, tasks[0].2);
    let (results, events, blocks) = on;
    events.task(name, n, bytes, || {
        let mut cx = TaskCx::new(results, blocks);
        // A reduction task folds a compact box of its input (a node of the canonical tree), so
        // a few blocks per caching node serve it and the next task on the worker.
        cx.limit_blocks(stages[0].task_blocks());
        if let Some((shared, i)) = shared {
            cx.share_blocks(shared, i);
            shared.make_ahead(&mut cx, i)?;
        }
        if stages.len() > 1 {
            stages[0].hold_group_input(&mut cx, out_region, g)?;
        }
        stages
            .iter()
            .map(|s| s.fold_group(&mut cx, out_region, g))
            .collect()
    })
}

/// The tree over leaf groups `lo..hi` of one output chunk, for every stage of a shared pass.
fn stage_tree(
    stages: &[&dyn Stage],
    on: On<'_>,
    out_region: &[Range<usize>],
    lo: usize,
    hi: usize,
) -> Result<Vec<Parts>> {
    if hi - lo == 1 {
        return leaf_task(stages, on, out_region, lo, None);
    }
    let mid = stages[0].split(lo, hi);
    let (a, b) = rayon::join(
        || stage_tree(stages, on, out_region, lo, mid),
        || stage_tree(stages, on, out_region, mid, hi),
    );
    let b = b?;
    Ok(combine(stages, a?, b))
}

/// `a` then `b`, stage by stage.
fn combine(stages: &[&dyn Stage], a: Vec<Parts>, b: Vec<Parts>) -> Vec<Parts> {
    stages
        .iter()
        .zip(a.into_iter().zip(b))
        .map(|(s, (x, y))| s.combine(x, y))
        .collect()
}

/// A rank's subtrees as bytes: per subtree its output chunk, `lo`, `hi`, then per stage the
/// length and bytes of its partials.
type Owned = Vec<(usize, Region, Vec<(usize, usize, Vec<Parts>)>)>;

fn encode_trees(stages: &[&dyn Stage], owned: &Owned) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for (k, _, trees) in owned {
        for (lo, hi, parts) in trees {
            for v in [*k, *lo, *hi] {
                put_len(v, &mut out);
            }
            for (s, p) in stages.iter().zip(parts) {
                buf.clear();
                s.encode(p, &mut buf);
                put_block(&buf, &mut out);
            }
        }
    }
    out
}

fn decode_trees(
    stages: &[&dyn Stage],
    m: &Meta,
    mut raw: &[u8],
    into: &mut HashMap<(usize, usize, usize), Vec<Parts>>,
) -> Result<()> {
    let next = |raw: &mut &[u8]| -> Result<usize> {
        let (v, rest) = get_len(raw).ok_or_else(|| corrupt("partials"))?;
        *raw = rest;
        Ok(v)
    };
    while !raw.is_empty() {
        let (k, lo, hi) = (next(&mut raw)?, next(&mut raw)?, next(&mut raw)?);
        if k >= m.chunks.num_chunks() {
            return Err(corrupt("partials"));
        }
        let region = m.chunks.chunk(k);
        let mut parts = Vec::with_capacity(stages.len());
        for s in stages {
            let (bytes, rest) = get_block(raw).ok_or_else(|| corrupt("partials"))?;
            parts.push(
                s.decode(&region, bytes)
                    .ok_or_else(|| corrupt("partials"))?,
            );
            raw = rest;
        }
        into.insert((k, lo, hi), parts);
    }
    Ok(())
}

/// The tree over groups `lo..hi` of output chunk `k` from the ranks' subtrees, combined in
/// the canonical order.
fn join_tree(
    stages: &[&dyn Stage],
    received: &mut HashMap<(usize, usize, usize), Vec<Parts>>,
    k: usize,
    lo: usize,
    hi: usize,
) -> Result<Vec<Parts>> {
    if let Some(parts) = received.remove(&(k, lo, hi)) {
        return Ok(parts);
    }
    if hi - lo <= 1 {
        return Err(corrupt("no partials for a leaf group"));
    }
    let mid = stages[0].split(lo, hi);
    let a = join_tree(stages, received, k, lo, mid)?;
    let b = join_tree(stages, received, k, mid, hi)?;
    Ok(combine(stages, a, b))
}

/// The whole of node `n` as an array: this rank's chunks computed, the others' gathered.
fn produce(
    n: &Arc<dyn Node>,
    results: &Results,
    exec: &dyn Executor,
    events: &Events,
    to: Gather,
) -> Result<Value> {
    let m = n.meta();
    with_dtype!(m.dtype, T => {
        let expr = n.clone().expr().get::<T>();
        let mine = exec.share(m.chunks.num_chunks(), exec.rank());
        let local = on_rank(exec, || materialize(&*expr, mine.clone(), results, events));
        let arr = if exec.ranks() == 1 {
            local?
        } else {
            gather_chunks(exec, m, local, to)?
        };
        Ok(Arc::new(arr) as Value)
    })
}

/// Every rank's chunks of `m`'s array in this rank's copy (`local`, which holds this rank's):
/// on every rank, or only on rank 0 (the others keep their own chunks).
fn gather_chunks<T: Element>(
    exec: &dyn Executor,
    m: &Meta,
    local: Result<ArrayD<T>>,
    to: Gather,
) -> Result<ArrayD<T>> {
    let chunks = if m.size() == 0 {
        0
    } else {
        m.chunks.num_chunks()
    };
    let (arr, sent) = match local {
        Ok(arr) => {
            let data = arr.as_slice().expect("a materialized array is C-order");
            let mut out = Vec::new();
            for k in exec.share(chunks, exec.rank()) {
                let region = m.chunks.chunk(k);
                let mut buf = vec![T::ZERO; region_len(&region)];
                gather(data, &m.shape, &region, &mut buf);
                out.extend_from_slice(bytes(&buf));
            }
            (Some(arr), Ok(out))
        }
        Err(e) => (None, Err(e)),
    };
    let all = match to {
        Gather::All => exchange(exec, sent)?,
        Gather::Root => {
            // Agree on success first (a few bytes to every rank), then move the chunks once.
            let sent = agree(exec, sent.as_ref().map(|_| ()).map_err(Clone::clone)).and(sent)?;
            match exec.gather(&sent, 0)? {
                Some(all) => all,
                None => return Ok(arr.expect("this rank succeeded")),
            }
        }
    };
    let mut arr = arr.expect("exchange fails where this rank failed");
    let data = arr.as_slice_mut().expect("a materialized array is C-order");
    for (r, raw) in all.iter().enumerate() {
        if r == exec.rank() {
            continue;
        }
        let mut at = 0;
        for k in exec.share(chunks, r) {
            let region = m.chunks.chunk(k);
            let len = region_len(&region) * std::mem::size_of::<T>();
            let src = raw.get(at..at + len).ok_or_else(|| corrupt("chunks"))?;
            let mut buf = vec![T::ZERO; region_len(&region)];
            copy_from_bytes(src, &mut buf);
            // SAFETY: `region` is a chunk of `m`, inside the array's shape.
            unsafe { scatter(&buf, data.as_mut_ptr(), &m.shape, &region) };
            at += len;
        }
        if at != raw.len() {
            return Err(corrupt("chunks"));
        }
    }
    Ok(arr)
}

/// One task per chunk of `expr` in `chunks` (decoded from its index, reported to `events`),
/// each walking its chunk's tiles in C order with `per_tile(cx, tile)`: the loop every output
/// (an array, a file) runs.
pub(crate) fn for_each_chunk_tile<T: Element>(
    expr: &dyn Expr<T>,
    chunks: Range<usize>,
    results: &Results,
    events: &Events,
    per_tile: impl Fn(&mut TaskCx<'_>, &[Range<usize>]) -> Result<()> + Sync,
) -> Result<()> {
    for_each_chunk(expr.meta(), chunks, results, events, |cx, chunk| {
        for_each_tile(chunk, TILE_LEN, |tile| per_tile(cx, tile))
    })
}

/// One task per chunk `k` in `chunks` of the node of `m`, in parallel: `per_chunk(cx, chunk)`
/// gets each chunk decoded from its index, and the task is reported to `events`. Outputs that
/// need each chunk whole (a compressed file chunk) use it directly; the others walk tiles
/// through [`for_each_chunk_tile`].
pub(crate) fn for_each_chunk(
    m: &Meta,
    chunks: Range<usize>,
    results: &Results,
    events: &Events,
    per_chunk: impl Fn(&mut TaskCx<'_>, &[Range<usize>]) -> Result<()> + Sync,
) -> Result<()> {
    if m.size() == 0 {
        return Ok(());
    }
    let blocks = WorkerBlocks::new();
    chunks.into_par_iter().try_for_each(|k| {
        let chunk = &m.chunks.chunk(k);
        let n = region_len(chunk) as u64;
        let name = || format!("{} {chunk:?}", m.name);
        events.task(name, n, n * m.dtype.size() as u64, || {
            let mut cx = TaskCx::new(results, &blocks);
            per_chunk(&mut cx, chunk)
        })
    })
}

/// Writes chunks `chunks` of `expr` into a new array of its shape (zeros elsewhere), one task
/// per chunk, tile by tile. Tiles that are contiguous in the output are filled in place; others
/// go through a tile buffer.
fn materialize<T: Element>(
    expr: &dyn Expr<T>,
    chunks: Range<usize>,
    results: &Results,
    events: &Events,
) -> Result<ArrayD<T>> {
    let m = expr.meta();
    let shape = m.shape.clone();
    // Zeroed allocation: the OS hands out zero pages lazily, no pass over the memory here.
    let mut data = zeroed_vec::<T>(&m.name, &shape)?;
    let ptr = SendPtr(data.as_mut_ptr());
    for_each_chunk_tile(expr, chunks, results, events, |cx, tile| {
        let len = region_len(tile);
        match contiguous_offset(&shape, tile) {
            Some(off) => {
                // SAFETY: chunks are disjoint and tiles partition a chunk, so this slice of
                // `data` is written by this task only; `data` outlives the loop.
                let out = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(off), len) };
                expr.fill(cx, tile, out)
            }
            None => {
                let mut buf = cx.take::<T>(len);
                let r = expr.fill(cx, tile, &mut buf);
                // SAFETY: as above, the tile's region belongs to this task.
                unsafe { scatter(&buf, ptr.get(), &shape, tile) };
                cx.give(buf);
                r
            }
        }
    })?;
    Ok(ArrayD::from_shape_vec(shape, data).expect("size matches shape"))
}
