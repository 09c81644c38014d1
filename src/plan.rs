//! Planning: check the graph, cut it into passes at staged reductions and held shared nodes,
//! and project peak memory before anything runs.
//!
//! A *pass* pulls tiles through a fused chain of nodes: sources, elementwise ops, regrids and
//! inline reductions. The plan lists its passes as data ([`Pass`]): what each produces (the
//! partials of staged reductions, a held shared node, a result array, files), how many tasks it
//! runs and what they fuse. `explain()`, the pictures and every executor read that one list.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use crate::element::DType;
use crate::error::Result;
use crate::graph::{post_order, Node, NodeId, OpKind};
use crate::region::TILE_LEN;

/// One staged reduction in the plan.
#[derive(Debug, Clone)]
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
}

/// A node used by several ops in one compute, and what the plan does about it.
#[derive(Debug, Clone)]
pub struct SharedPlan {
    /// The node's op.
    pub name: String,
    /// How many ops read it.
    pub uses: usize,
    /// Bytes it would take in memory.
    pub bytes: u64,
    /// Whether it is evaluated once and held (`true`) or recomputed by each use (`false`).
    pub materialized: bool,
    /// Why.
    pub reason: String,
}

/// The work a `map_blocks` closure counts for in the shared-node rule: more than any few cheap
/// ops, so that its result is held when it fits.
const BLOCKWISE_WORK: usize = 8;

/// Memory a shared node may take to be held, when no `memory_limit` is set.
pub const SHARED_BUDGET_BYTES: u64 = 512 << 20;

/// The passes that write the result arrays, summed.
#[derive(Debug, Clone)]
pub struct OutputPlan {
    /// Tasks: one per output chunk.
    pub tasks: usize,
    /// The ops fused into each task, inputs first.
    pub fused: Vec<String>,
}

/// One pass of a plan: tasks that run together, reading what earlier passes produced.
#[derive(Clone)]
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
    /// What it produces: the stage nodes, the held node, the root, or the files' nodes.
    pub(crate) nodes: Vec<Arc<dyn Node>>,
    /// Nodes each task first evaluates once into its context for several readers: the
    /// shared input of stages that share the pass, or the nodes that files of the pass share.
    pub(crate) holds: Vec<Arc<dyn Node>>,
}

/// What a [`Pass`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassKind {
    /// Staged reductions that fold one input in the same tasks (indices in [`Plan::stages`]),
    /// each combining its partials in its own canonical tree.
    Reduce {
        /// The stages.
        stages: Vec<usize>,
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
    },
}

impl fmt::Debug for Pass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pass")
            .field("kind", &self.kind)
            .field("tasks", &self.tasks)
            .field("fused", &self.fused)
            .field("memory", &self.memory)
            .finish()
    }
}

/// Projected peak memory of a compute, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// Staged reductions, in the order they run.
    pub stages: Vec<StagePlan>,
    /// Nodes used more than once, and whether each is held or recomputed.
    pub shared: Vec<SharedPlan>,
    /// The output pass, or `None` when the result is the last stage's.
    pub output: Option<OutputPlan>,
    /// The files the compute reads, with the bytes of array data in each (a pass reads each
    /// region once; a file read by several passes is read by each).
    pub reads: Vec<(std::path::PathBuf, u64)>,
    /// Projected peak memory.
    pub memory: MemoryPlan,
    /// The passes, in the order they run.
    pub passes: Vec<Pass>,
}

impl Plan {
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

/// The nodes one pass evaluates starting from `start`, stopping at `held` nodes (staged
/// reductions, held shared nodes), whose materialized values it reads instead. Returns the names
/// (inputs first), one worker's tile bytes, and the work (ops evaluated per element; regrids are
/// free).
fn pass_nodes(start: &Arc<dyn Node>, held: &HashSet<NodeId>) -> (Vec<String>, u64, usize) {
    pass_of(std::slice::from_ref(start), held)
}

/// [`pass_nodes`] of a pass that evaluates several nodes (files written together): what they
/// share counts once.
fn pass_of(starts: &[Arc<dyn Node>], held: &HashSet<NodeId>) -> (Vec<String>, u64, usize) {
    let mut names = Vec::new();
    let mut tile_bytes = 0u64;
    let mut work = 0usize;
    let mut seen = HashSet::<NodeId>::new();
    let mut stack: Vec<(Arc<dyn Node>, bool, bool)> = starts
        .iter()
        .rev()
        .map(|s| (s.clone(), true, false))
        .collect();
    while let Some((n, top, expanded)) = stack.pop() {
        let m = n.meta();
        if expanded {
            names.push(m.name.clone());
            continue;
        }
        if !seen.insert(m.id) {
            continue;
        }
        tile_bytes = tile_bytes
            .saturating_add((2 * TILE_LEN * m.dtype.size()) as u64)
            .saturating_add(n.cache_bytes() as u64);
        if !top && held.contains(&m.id) {
            names.push(format!("read[{}]", m.name));
            continue;
        }
        work += match m.kind {
            OpKind::Regrid => 0,
            // A user closure: its cost is unknown and it may have effects, so never run it twice
            // when holding its result fits.
            OpKind::Blockwise => BLOCKWISE_WORK,
            _ => 1,
        };
        stack.push((n.clone(), top, true));
        for i in n.inputs().into_iter().rev() {
            stack.push((i, false, false));
        }
    }
    (names, tile_bytes, work)
}

/// Where the roots' values go, for the passes and the memory projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outputs {
    /// Arrays in memory: their bytes count.
    InMemory,
    /// Files: each worker holds a chunk and its encoding at a time.
    Files,
}

/// What the plan is made for: workers per rank, ranks, a memory limit, where outputs go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub workers: usize,
    pub ranks: usize,
    pub memory_limit: Option<u64>,
    pub outputs: Outputs,
}

/// Plans the computation of `roots` together, as one graph: steps they share run once, and
/// staged reductions of one input share a pass. Returns the first error recorded in the graph,
/// inputs first. `memory_limit` also bounds what a shared node may hold (a quarter of it;
/// [`SHARED_BUDGET_BYTES`] without a limit).
pub(crate) fn build(roots: &[Arc<dyn Node>], target: Target) -> Result<Plan> {
    let outputs = target.outputs;
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
    let workers = target.workers.max(1) as u64;
    let budget = target.memory_limit.map_or(SHARED_BUDGET_BYTES, |l| l / 4);
    let mut uses = HashMap::<NodeId, usize>::new();
    for n in &nodes {
        for i in n.inputs() {
            *uses.entry(i.meta().id).or_default() += 1;
        }
    }
    let mut held = HashSet::<NodeId>::new();
    let mut stages = Vec::new();
    let mut pass_keys = Vec::new();
    let mut shared = Vec::new();
    let mut passes: Vec<Pass> = Vec::new();
    let (mut max_pass, mut max_tiles, mut max_partials, mut results_bytes) =
        (0u64, 0u64, 0u64, 0u64);
    for n in &nodes {
        let m = n.meta();
        let bytes = node_bytes(m);
        if let Some(stage) = n.as_stage() {
            let (mut fused, mut tile_bytes, _) = pass_nodes(&n.inputs()[0], &held);
            fused.push(m.name.clone());
            let key = stage.pass_key();
            let shares_pass_with = pass_keys.iter().position(|k| *k == key);
            if shares_pass_with.is_some() {
                // A shared pass's task holds its box of the input (about an input chunk).
                let input = n.inputs()[0].meta().clone();
                tile_bytes =
                    tile_bytes.saturating_add(node_bytes(&input) / (stage.tasks().max(1) as u64));
            }
            let leaves = stage.leaves_per_output().max(1);
            // Alive at once per worker: a partial per level of the tree over tasks, and one per
            // level of the cascade inside a task (plus the row being folded).
            let depth = (usize::BITS - leaves.leading_zeros()) as u64
                + (usize::BITS - stage.leaves_per_task().leading_zeros()) as u64;
            let partials = workers
                .saturating_mul(depth + 1)
                .saturating_mul(stage.max_partial_bytes() as u64);
            let working = workers.saturating_mul(tile_bytes).saturating_add(partials);
            max_pass = max_pass.max(working);
            max_tiles = max_tiles.max(workers.saturating_mul(tile_bytes));
            max_partials = max_partials.max(partials);
            results_bytes = results_bytes.saturating_add(bytes);
            pass_keys.push(key);
            let index = stages.len();
            stages.push(StagePlan {
                name: m.name.clone(),
                tasks: stage.tasks(),
                output_chunks: m.chunks.num_chunks(),
                leaves_per_output: leaves,
                fused: fused.clone(),
                result_bytes: bytes,
                shares_pass_with,
            });
            // A stage that shares a pass joins the pass of the first stage of its key.
            let joined = shares_pass_with.and_then(|j| {
                passes
                    .iter_mut()
                    .find(|p| matches!(&p.kind, PassKind::Reduce { stages } if stages.contains(&j)))
            });
            match joined {
                Some(p) => {
                    if let PassKind::Reduce { stages } = &mut p.kind {
                        stages.push(index);
                    }
                    p.fused.push(m.name.clone());
                    p.nodes.push(n.clone());
                    p.memory = p.memory.saturating_add(working);
                }
                None => passes.push(Pass {
                    kind: PassKind::Reduce {
                        stages: vec![index],
                    },
                    tasks: stage.tasks(),
                    fused,
                    memory: working,
                    nodes: vec![n.clone()],
                    holds: Vec::new(),
                }),
            }
            held.insert(m.id);
            continue;
        }
        let count = uses.get(&m.id).copied().unwrap_or(0);
        if count < 2 {
            continue;
        }
        // Used more than once: hold it if recomputing costs more than an op or two per use (a
        // source and one cheap op are faster to recompute than to write and read back) and
        // holding it fits the budget; otherwise every use evaluates it again.
        let (fused, tile_bytes, work) = pass_nodes(n, &held);
        let (materialized, reason) = if work <= 2 {
            (
                false,
                format!(
                    "recomputed per use: {work} op(s) per element, cheaper than holding {}",
                    human(bytes)
                ),
            )
        } else if bytes > budget {
            (
                false,
                format!(
                    "recomputed per use: holding {} would exceed the budget of {}",
                    human(bytes),
                    human(budget)
                ),
            )
        } else {
            (
                true,
                format!(
                    "evaluated once and held ({}): {work} ops per element per use saved",
                    human(bytes)
                ),
            )
        };
        shared.push(SharedPlan {
            name: m.name.clone(),
            uses: count,
            bytes,
            materialized,
            reason,
        });
        if materialized {
            max_pass = max_pass.max(workers.saturating_mul(tile_bytes));
            max_tiles = max_tiles.max(workers.saturating_mul(tile_bytes));
            results_bytes = results_bytes.saturating_add(bytes);
            held.insert(m.id);
            passes.push(Pass {
                kind: PassKind::Hold {
                    shared: shared.len() - 1,
                },
                tasks: m.chunks.num_chunks(),
                fused,
                memory: workers.saturating_mul(tile_bytes),
                nodes: vec![n.clone()],
                holds: Vec::new(),
            });
        }
    }
    // The roots that no pass produced yet: written by output passes, or file passes of one
    // grid each (whose tasks hold the nodes their files share).
    let mut pending: Vec<usize> = Vec::new();
    for (k, r) in roots.iter().enumerate() {
        let id = r.meta().id;
        if !held.contains(&id) && !pending.iter().any(|&j| roots[j].meta().id == id) {
            pending.push(k);
        }
    }
    let mut output_fused: Vec<String> = Vec::new();
    let mut output_tasks = 0usize;
    let mut file_holds = 0u64;
    let mut out_passes = Vec::new();
    match outputs {
        Outputs::InMemory => {
            for &k in &pending {
                let (fused, tile_bytes, _) = pass_nodes(&roots[k], &held);
                max_pass = max_pass.max(workers.saturating_mul(tile_bytes));
                max_tiles = max_tiles.max(workers.saturating_mul(tile_bytes));
                let tasks = roots[k].meta().chunks.num_chunks();
                output_tasks = output_tasks.saturating_add(tasks);
                for f in &fused {
                    if !output_fused.contains(f) {
                        output_fused.push(f.clone());
                    }
                }
                out_passes.push(Pass {
                    kind: PassKind::Output { root: k },
                    tasks,
                    fused,
                    memory: workers.saturating_mul(tile_bytes),
                    nodes: vec![roots[k].clone()],
                    holds: Vec::new(),
                });
            }
        }
        Outputs::Files => {
            let nodes: Vec<Arc<dyn Node>> = pending.iter().map(|&k| roots[k].clone()).collect();
            for group in file_passes(&nodes) {
                let members: Vec<Arc<dyn Node>> = group.iter().map(|&i| nodes[i].clone()).collect();
                let holds = shared_in_pass(&members, |id| held.contains(&id));
                let chunk = members[0].meta().chunks.max_chunk_len() as u64;
                let pass_holds = holds.iter().fold(0u64, |a, n| {
                    a.saturating_add(chunk.saturating_mul(n.meta().dtype.size() as u64))
                });
                file_holds = file_holds.max(pass_holds);
                let (fused, tile_bytes, _) = pass_of(&members, &held);
                max_pass = max_pass.max(workers.saturating_mul(tile_bytes));
                max_tiles = max_tiles.max(workers.saturating_mul(tile_bytes));
                let tasks = members[0].meta().chunks.num_chunks();
                output_tasks = output_tasks.saturating_add(tasks);
                output_fused.extend(fused.iter().cloned());
                out_passes.push(Pass {
                    kind: PassKind::Files {
                        roots: group.iter().map(|&i| pending[i]).collect(),
                    },
                    tasks,
                    fused,
                    memory: workers
                        .saturating_mul(tile_bytes)
                        .saturating_add(workers.saturating_mul(pass_holds)),
                    nodes: members,
                    holds,
                });
            }
        }
    }
    let output = (!out_passes.is_empty()).then_some(OutputPlan {
        tasks: output_tasks,
        fused: output_fused,
    });
    passes.extend(out_passes);
    let output_bytes = match (outputs, roots) {
        // A lone root that is a stage is counted with the stage results.
        (Outputs::InMemory, [root]) if root.as_stage().is_some() => 0,
        (Outputs::InMemory, _) => roots
            .iter()
            .fold(0u64, |a, r| a.saturating_add(node_bytes(r.meta()))),
        (Outputs::Files, _) => roots.iter().fold(0u64, |a, r| {
            let m = r.meta();
            a.saturating_add(
                workers
                    .saturating_mul(2)
                    .saturating_mul(m.chunks.max_chunk_len() as u64)
                    .saturating_mul(m.dtype.size() as u64),
            )
        }),
    };
    let holds = workers.saturating_mul(file_holds);
    let memory = MemoryPlan {
        tiles: max_tiles.saturating_add(holds),
        partials: max_partials,
        stage_results: results_bytes,
        output: output_bytes,
        total: max_pass
            .saturating_add(holds)
            .saturating_add(results_bytes)
            .saturating_add(output_bytes),
    };
    let reads = nodes
        .iter()
        .filter_map(|n| n.file().map(|p| (p.to_path_buf(), node_bytes(n.meta()))))
        .collect();
    let rm = all.meta();
    Ok(Plan {
        reads,
        result: rm.name.clone(),
        shape: if roots.len() == 1 {
            rm.shape.clone()
        } else {
            Vec::new()
        },
        dtype: rm.dtype,
        workers: workers as usize,
        ranks: target.ranks.max(1),
        stages,
        shared,
        output,
        memory,
        passes,
    })
}

/// The passes that write `outputs` to files: indices of the outputs of one shape and chunk grid,
/// in order of first appearance.
fn file_passes(outputs: &[Arc<dyn Node>]) -> Vec<Vec<usize>> {
    let mut passes: Vec<Vec<usize>> = Vec::new();
    for (i, o) in outputs.iter().enumerate() {
        let m = o.meta();
        match passes.iter_mut().find(|p| {
            let f = outputs[p[0]].meta();
            f.shape == m.shape && f.chunks == m.chunks
        }) {
            Some(p) => p.push(i),
            None => passes.push(vec![i]),
        }
    }
    passes
}

/// The nodes that two or more of `outputs` (of one shape and grid, written in one pass) read
/// in the pass, of the outputs' shape (so a chunk of the outputs is a box of theirs): what the
/// pass's tasks hold per chunk. `held` nodes (steps, read from memory) and what is behind them
/// are not counted. The plan projects their memory; the executor holds them.
fn shared_in_pass(outputs: &[Arc<dyn Node>], held: impl Fn(NodeId) -> bool) -> Vec<Arc<dyn Node>> {
    let shape = &outputs[0].meta().shape;
    let mut count = HashMap::<NodeId, (usize, Arc<dyn Node>)>::new();
    for o in outputs {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![o.clone()];
        while let Some(n) = stack.pop() {
            let id = n.meta().id;
            if !seen.insert(id) || held(id) {
                continue;
            }
            stack.extend(n.inputs());
            count.entry(id).or_insert((0, n)).0 += 1;
        }
    }
    let mut shared: Vec<Arc<dyn Node>> = count
        .into_values()
        .filter(|(c, n)| *c > 1 && &n.meta().shape == shape)
        .map(|(_, n)| n)
        .collect();
    // Inputs first (ids grow as nodes are built), so a held node's evaluation reads the held
    // nodes below it.
    shared.sort_by_key(|n| n.meta().id);
    shared
}

/// Bytes of a node's values, saturating (a lazy array of 2^62 `f64` has more than `u64` bytes
/// fit only just; the memory check refuses it either way).
fn node_bytes(m: &crate::graph::Meta) -> u64 {
    (m.size() as u64).saturating_mul(m.dtype.size() as u64)
}

pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "plan: {} -> {}{:?} on ",
            self.result, self.dtype, self.shape
        )?;
        if self.ranks > 1 {
            write!(f, "{} ranks x ", self.ranks)?;
        }
        writeln!(f, "{} worker(s)", self.workers)?;
        for (path, bytes) in &self.reads {
            writeln!(f, "  reads: {} ({})", path.display(), human(*bytes))?;
        }
        for (i, s) in self.stages.iter().enumerate() {
            writeln!(
                f,
                "  stage {}: {} as a tree reduction: {} tasks, {} output chunk(s), {} partials per tree, result {}",
                i + 1,
                s.name,
                s.tasks,
                s.output_chunks,
                s.leaves_per_output,
                human(s.result_bytes)
            )?;
            writeln!(f, "    fused per task: {}", s.fused.join(" -> "))?;
            if let Some(j) = s.shares_pass_with {
                writeln!(
                    f,
                    "    shares the pass of stage {}: its tasks read the input once for both",
                    j + 1
                )?;
            }
        }
        for sh in &self.shared {
            writeln!(
                f,
                "  shared: {} (used by {} ops): {}",
                sh.name, sh.uses, sh.reason
            )?;
        }
        match &self.output {
            Some(o) => {
                writeln!(
                    f,
                    "  output: {} tasks writing {}",
                    o.tasks,
                    human(self.memory.output)
                )?;
                writeln!(f, "    fused per task: {}", o.fused.join(" -> "))?;
            }
            None => writeln!(f, "  output: the result of the last stage")?,
        }
        for (i, p) in self.passes.iter().enumerate() {
            let what = match &p.kind {
                PassKind::Reduce { stages } => format!(
                    "reduce (stage {})",
                    stages
                        .iter()
                        .map(|s| (s + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                PassKind::Hold { shared } => format!("hold {}", self.shared[*shared].name),
                PassKind::Output { .. } => "output array".into(),
                PassKind::Files { roots } => format!("{} file(s)", roots.len()),
            };
            write!(
                f,
                "  pass {}: {what}, {} tasks, working memory {}",
                i + 1,
                p.tasks,
                human(p.memory)
            )?;
            if self.ranks > 1 {
                write!(
                    f,
                    " ({} to {} tasks per rank)",
                    p.tasks / self.ranks,
                    p.tasks.div_ceil(self.ranks)
                )?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "  projected peak memory: {} (tiles {}, partials {}, stage results {}, output {}); tile = {} elements",
            human(self.memory.total),
            human(self.memory.tiles),
            human(self.memory.partials),
            human(self.memory.stage_results),
            human(self.memory.output),
            TILE_LEN
        )
    }
}

#[cfg(test)]
mod tests;
