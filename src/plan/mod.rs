//! Planning: check the graph, cut it into passes at staged reductions and held shared nodes,
//! and project peak memory before anything runs.
//!
//! A *pass* pulls tiles through a fused chain of nodes: sources, elementwise ops, regrids and
//! inline reductions. The plan's list of passes ([`Pass`]) is its one source of truth: what
//! each produces (the partials of staged reductions, a held shared node, a result array,
//! files), how many tasks it runs, what they fuse and which earlier passes they read. The
//! memory projection, `explain()`, the pictures and every executor are read from that list.
//!
//! One rule per file, as polars-plan's optimizer: [`fuse`] (what a pass evaluates), [`stages`]
//! (staged reductions, and which share a pass), [`shared`] (hold or recompute a node used
//! twice), [`outputs`] (result arrays), [`files`] (files of one grid written together),
//! [`memory`] (the projection from the passes) and [`explain`] (the text).

mod explain;
mod files;
mod fuse;
mod memory;
mod outputs;
mod shared;
mod stages;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::element::DType;
use crate::error::Result;
use crate::graph::{post_order, Node, NodeId, PassKey};

pub(crate) use explain::human;
pub use shared::SHARED_BUDGET_BYTES;

/// One staged reduction in the plan: a tree of partials in a [`PassKind::Reduce`] pass.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StagePlan {
    /// The reduction, e.g. `sum` or `sum(axis=[0])`.
    pub name: String,
    /// Leaf tasks: one per input chunk.
    pub tasks: usize,
    /// Chunks of the reduced result; each has its own combine tree.
    pub output_chunks: usize,
    /// Partials combined per output chunk (a binary tree of this many leaves).
    pub leaves_per_output: usize,
    /// The ops fused into each leaf task, inputs first.
    pub fused: Vec<String>,
    /// Bytes of the materialized result.
    pub result_bytes: u64,
    /// The earlier stage (index in [`Plan::stages`]) whose pass this one shares: both fold the
    /// same input in the same tasks, which read it once.
    pub shares_pass_with: Option<usize>,
    /// Tile buffers and caches of its tasks on all workers (in a shared pass, with the box of
    /// the input each task holds).
    pub tiles: u64,
    /// Partials alive at once on all workers: a tree depth of them per worker.
    pub partials: u64,
}

/// A node used by several ops in one compute, and what the plan does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedPlan {
    /// The node's op.
    pub name: String,
    /// How many ops read it.
    pub uses: usize,
    /// Bytes it would take in memory.
    pub bytes: u64,
    /// Whether it is held or recomputed, and why.
    pub sharing: Sharing,
}

impl SharedPlan {
    /// Whether it is evaluated once and held (by a [`PassKind::Hold`] pass), rather than
    /// recomputed by each use.
    ///
    /// ```
    /// use chunkwise::{PassKind, Sharing};
    /// let x = chunkwise::random::default_rng(0).random([1000]).rechunk(100)?;
    /// let y = x.sin().exp().sqrt();
    /// let plan = (&y * &y.sum()).sum().plan()?;
    /// // `y` costs four ops per element: a first pass holds it, and the later ones read it.
    /// assert!(plan.shared[0].materialized());
    /// assert!(matches!(plan.shared[0].sharing, Sharing::Held { work: 4 }));
    /// assert!(matches!(plan.passes[0].kind, PassKind::Hold { shared: 0 }));
    /// assert_eq!(plan.passes[1].reads, [0]);
    /// assert_eq!(plan.passes[2].reads, [0, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn materialized(&self) -> bool {
        matches!(self.sharing, Sharing::Held { .. })
    }
}

/// The shared-node rule's decision on a [`SharedPlan`]: hold a node used more than once when
/// recomputing it costs more than an op or two per use (a source and one cheap op are faster
/// to recompute than to write and read back) and holding it fits the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sharing {
    /// Recomputed by each use: its few ops per element cost less than holding it.
    Cheap {
        /// Ops per element to evaluate it (regrids are free).
        work: usize,
    },
    /// Recomputed by each use: holding it would exceed the budget.
    OverBudget {
        /// Bytes a held node may take: a quarter of the memory limit, or
        /// 512 MiB without one.
        budget: u64,
    },
    /// Evaluated once and held.
    Held {
        /// Ops per element each further use is spared.
        work: usize,
    },
}

/// The passes that write the result arrays, summed ([`Plan::output`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputPlan {
    /// Tasks: one per output chunk.
    pub tasks: usize,
    /// The ops fused into each task, inputs first.
    pub fused: Vec<String>,
}

/// One pass of a plan: tasks that run together, reading what earlier passes produced.
#[derive(Clone)]
#[non_exhaustive]
pub struct Pass {
    /// What the pass produces.
    pub kind: PassKind,
    /// Its tasks. A reduction pass runs one per aligned group of leaves of each output chunk
    /// (task `k * groups + g` folds group `g` of output chunk `k`); the others one per chunk of
    /// what they produce, in the grid's C order.
    pub tasks: usize,
    /// The ops fused into each task, inputs first.
    pub fused: Vec<String>,
    /// Projected working memory of the pass on all workers (of one rank): tile buffers and
    /// caches, live partials, boxes its tasks hold; not the results it keeps.
    pub memory: u64,
    /// The earlier passes (indices in [`Plan::passes`], ascending) whose results its tasks
    /// read.
    pub reads: Vec<usize>,
    /// The nodes whose values are made a block at a time, and how many blocks of each a
    /// worker keeps at most (part of [`memory`](Self::memory)).
    pub blocks: Vec<KeptBlocks>,
    /// What it produces: the stage nodes, the held node, the root, or the files' nodes.
    pub(crate) nodes: Vec<Arc<dyn Node>>,
    /// Nodes each task first evaluates once into its context for several readers: the nodes
    /// that files of the pass share.
    pub(crate) holds: Vec<Arc<dyn Node>>,
}

/// A node of a pass whose values are made a whole block at a time (a `map_blocks` or
/// `map_overlap` result, a contraction's output, a transposed chunk), and the blocks of it a
/// worker keeps at most: a row of its blocks, or in a reduction's pass a few (its tasks fold
/// compact boxes, and a tile's read spans few blocks), never fewer than one read spans.
///
/// ```
/// // The stencil of `examples/stencil`: rows of 10 blocks of 2000², summed.
/// let x = chunkwise::random::default_rng(0)
///     .random([20_000, 20_000])
///     .rechunk([2000, 2000])?;
/// let y = x.map_blocks(|b| b.mapv(|v| v / 9.0)).sum();
/// let plan = y.plan()?;
/// let kept = &plan.passes[0].blocks[0];
/// assert_eq!(kept.block_bytes, 2000 * 2000 * 8);
/// // Six per worker (eight on one worker, where the blocks are shared with no other), not
/// // the row of ten.
/// assert!(kept.blocks == 6 || plan.workers == 1 && kept.blocks == 8);
/// assert!(plan.to_string().contains("blocks kept per worker: "));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeptBlocks {
    /// The node's op.
    pub name: String,
    /// Blocks a worker keeps at most.
    pub blocks: usize,
    /// Bytes of its largest block.
    pub block_bytes: u64,
}

/// What a [`Pass`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PassKind {
    /// Staged reductions that fold one input in the same tasks, each combining its partials
    /// in its own canonical tree.
    Reduce {
        /// The stages.
        stages: Vec<StagePlan>,
    },
    /// A node read by several ops, evaluated once and held (index in [`Plan::shared`]).
    Hold {
        /// The shared node.
        shared: usize,
    },
    /// A result array (the index of the root among those computed together).
    Output {
        /// The root.
        root: usize,
    },
    /// Files of one chunk grid, written together (indices of their roots).
    Files {
        /// The roots written.
        roots: Vec<usize>,
        /// Bytes of the boxes its tasks hold on all workers (a chunk of each node the files
        /// share), part of the pass's memory.
        held_bytes: u64,
    },
}

impl fmt::Debug for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pass")
            .field("kind", &self.kind)
            .field("tasks", &self.tasks)
            .field("fused", &self.fused)
            .field("memory", &self.memory)
            .field("reads", &self.reads)
            .field("blocks", &self.blocks)
            .finish()
    }
}

/// Projected peak memory of a compute, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MemoryPlan {
    /// Tile buffers of the largest pass: workers x its nodes x two tiles (one for the node's
    /// values, one for a broadcast input), plus the chunk each transpose caches per worker.
    pub tiles: u64,
    /// Partials alive in the largest combine tree: workers x (tree depth + 1) x an output chunk.
    pub partials: u64,
    /// Results of staged reductions and held shared nodes, kept until the compute ends.
    pub stage_results: u64,
    /// The result array.
    pub output: u64,
    /// The peak: the largest pass (its tiles and partials together), plus stage results and
    /// output.
    pub total: u64,
}

/// What `compute()` will do, computed without running anything. `Display` prints it
/// (that is what [`ChunkedArray::explain`](crate::ChunkedArray::explain) returns).
#[derive(Clone)]
#[non_exhaustive]
pub struct Plan {
    /// Name of the result's op.
    pub result: String,
    /// Shape of the result.
    pub shape: Vec<usize>,
    /// Dtype of the result.
    pub dtype: DType,
    /// Workers the plan was made for (per rank).
    pub workers: usize,
    /// Ranks (processes) the plan was made for: 1, or the MPI ranks.
    pub ranks: usize,
    /// The files the compute reads, with the bytes of array data in each (a pass reads each
    /// region once; a file read by several passes is read by each).
    pub reads: Vec<(PathBuf, u64)>,
    /// Nodes used more than once, and whether each is held (by a [`PassKind::Hold`] pass) or
    /// recomputed.
    pub shared: Vec<SharedPlan>,
    /// The passes, in the order they run: what the rest of the plan is derived from.
    pub passes: Vec<Pass>,
    /// Projected peak memory, from the passes.
    pub memory: MemoryPlan,
}

impl Plan {
    /// The staged reductions, in the order their passes run (the stages of one pass
    /// together).
    ///
    /// ```
    /// let x = chunkwise::random::default_rng(0).random([1000]).rechunk(100)?;
    /// let plan = chunkwise::plan_many(&[&x.mean(), &x.var(), &x.max()])?;
    /// // The sum and the variance fold the same boxes of `x`: one pass, two trees.
    /// let names: Vec<&str> = plan.stages().iter().map(|s| s.name.as_str()).collect();
    /// assert_eq!(names, ["sum", "var", "max"]);
    /// assert_eq!(plan.stages()[1].shares_pass_with, Some(0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn stages(&self) -> Vec<&StagePlan> {
        self.passes
            .iter()
            .flat_map(|p| match &p.kind {
                PassKind::Reduce { stages } => stages.as_slice(),
                _ => &[],
            })
            .collect()
    }

    /// The passes that write the results, summed, or `None` when the result is the last
    /// stage's.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(5)?;
    /// let doubled = (&x * 2).plan()?.output().expect("an output pass");
    /// assert_eq!((doubled.tasks, doubled.fused.join(" -> ")), (2, "arange(10) -> rechunk((5 x 2)) -> mul 2".into()));
    /// assert!(x.sum().plan()?.output().is_none());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn output(&self) -> Option<OutputPlan> {
        let mut out: Option<OutputPlan> = None;
        for p in &self.passes {
            let dedup = match p.kind {
                PassKind::Output { .. } => true,
                PassKind::Files { .. } => false,
                _ => continue,
            };
            let o = out.get_or_insert(OutputPlan {
                tasks: 0,
                fused: Vec::new(),
            });
            o.tasks = o.tasks.saturating_add(p.tasks);
            for f in &p.fused {
                // Result arrays are listed once per op, files as their passes fuse them.
                if !dedup || !o.fused.contains(f) {
                    o.fused.push(f.clone());
                }
            }
        }
        out
    }

    /// Tasks the compute runs in all, over every pass (saturating at `u64::MAX`).
    pub fn total_tasks(&self) -> u64 {
        self.passes
            .iter()
            .fold(0u64, |a, p| a.saturating_add(p.tasks as u64))
    }

    /// Elements the tasks produce in all (inputs of the stage leaves, held nodes, the outputs).
    pub fn total_elements(&self) -> u64 {
        self.passes
            .iter()
            .flat_map(|p| match p.kind {
                // Stages sharing a pass read one input.
                PassKind::Reduce { .. } => vec![p.nodes[0].inputs()[0].meta().size()],
                _ => p.nodes.iter().map(|n| n.meta().size()).collect(),
            })
            .fold(0u64, |a, n| a.saturating_add(n as u64))
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Where the roots' values go, for the passes and the memory projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outputs {
    /// Arrays in memory: their bytes count.
    InMemory,
    /// Files: each worker holds `worker_bytes` while it writes a chunk of each (what the
    /// files' sinks say they hold, summed).
    Files {
        /// Bytes per worker for the files' writing.
        worker_bytes: u64,
    },
}

/// What the plan is made for: workers per rank, ranks, a memory limit, where outputs go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub workers: usize,
    pub ranks: usize,
    pub memory_limit: Option<u64>,
    pub outputs: Outputs,
}

/// The passes of a plan as they are cut, node by node, inputs first.
struct Builder {
    /// Workers per rank.
    workers: u64,
    /// Bytes a shared node may take to be held.
    budget: u64,
    /// The pass that produces each node held in memory (a staged reduction, a held shared
    /// node): later passes read it there instead of evaluating it.
    held: HashMap<NodeId, usize>,
    /// Each reduction pass's key: a stage of the same key joins the pass.
    keys: Vec<(PassKey, usize)>,
    passes: Vec<Pass>,
    shared: Vec<SharedPlan>,
}

/// Plans the computation of `roots` together, as one graph: steps they share run once, and
/// staged reductions of one input share a pass. Returns the first error recorded in the graph,
/// inputs first. `memory_limit` also bounds what a shared node may hold (a quarter of it;
/// [`SHARED_BUDGET_BYTES`] without a limit).
pub(crate) fn build(roots: &[Arc<dyn Node>], target: Target) -> Result<Plan> {
    let all: Arc<dyn Node> = match roots {
        [root] => root.clone(),
        _ => Arc::new(crate::graph::Roots::new(roots)),
    };
    let mut nodes = post_order(all.clone());
    if let Some(e) = nodes.iter().find_map(|n| n.meta().error.clone()) {
        return Err(e);
    }
    if roots.len() != 1 {
        // The `Roots` node only joins the graph; it is never evaluated.
        nodes.pop();
    }
    let mut b = Builder {
        workers: target.workers.max(1) as u64,
        budget: target.memory_limit.map_or(SHARED_BUDGET_BYTES, |l| l / 4),
        held: HashMap::new(),
        keys: Vec::new(),
        passes: Vec::new(),
        shared: Vec::new(),
    };
    let uses = shared::uses(&nodes);
    for n in &nodes {
        match (n.as_stage(), uses.get(&n.meta().id)) {
            (Some(stage), _) => b.add_stage(n, stage),
            (None, Some(&count)) if count > 1 => b.add_shared(n, count),
            _ => {}
        }
    }
    let pending = outputs::pending(roots, &b.held);
    match target.outputs {
        Outputs::InMemory => b.add_outputs(roots, &pending),
        Outputs::Files { .. } => b.add_files(roots, &pending),
    }
    stages::number(&mut b.passes);
    let output = memory::output_bytes(roots, target.outputs, b.workers);
    let rm = all.meta();
    Ok(Plan {
        reads: nodes
            .iter()
            .filter_map(|n| n.file().map(|p| (p.to_path_buf(), node_bytes(n.meta()))))
            .collect(),
        result: rm.name.clone(),
        shape: if roots.len() == 1 {
            rm.shape.clone()
        } else {
            Vec::new()
        },
        dtype: rm.dtype,
        workers: b.workers as usize,
        ranks: target.ranks.max(1),
        memory: memory::project(&b.passes, &b.shared, output),
        shared: b.shared,
        passes: b.passes,
    })
}

/// Bytes of a node's values, saturating (a lazy array of 2^62 `f64` has more than `u64` bytes
/// fit only just; the memory check refuses it either way).
fn node_bytes(m: &crate::graph::Meta) -> u64 {
    (m.size() as u64).saturating_mul(m.dtype.size() as u64)
}
