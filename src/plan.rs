//! Planning: check the graph, cut it into passes at staged reductions, and project peak memory
//! before anything runs.
//!
//! A *pass* pulls tiles through a fused chain of nodes: sources, elementwise ops, regrids and
//! inline reductions. Each staged reduction is a pass of its own (one task per input chunk plus
//! its combine tree); the final pass writes the output array, unless the result itself is a
//! staged reduction.

use std::collections::HashSet;
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
}

/// The last pass, which writes the result array.
#[derive(Debug, Clone)]
pub struct OutputPlan {
    /// Tasks: one per output chunk.
    pub tasks: usize,
    /// The ops fused into each task, inputs first.
    pub fused: Vec<String>,
}

/// Projected peak memory of a compute, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryPlan {
    /// Tile buffers of the largest pass: workers x its nodes x two tiles (one for the node's
    /// values, one for a broadcast input).
    pub tiles: u64,
    /// Partials alive in the largest combine tree: workers x (tree depth + 1) x an output chunk.
    pub partials: u64,
    /// Results of staged reductions, kept until the compute ends.
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
    /// Workers the plan was made for.
    pub workers: usize,
    /// Staged reductions, in the order they run.
    pub stages: Vec<StagePlan>,
    /// The output pass, or `None` when the result is the last stage's.
    pub output: Option<OutputPlan>,
    /// Projected peak memory.
    pub memory: MemoryPlan,
    pub(crate) stage_nodes: Vec<Arc<dyn Node>>,
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The nodes one pass evaluates starting from `start`, stopping at staged reductions (which it
/// reads), inputs first; and the bytes of a tile of each.
fn pass_nodes(start: &Arc<dyn Node>, is_root_stage: bool) -> (Vec<String>, u64) {
    let mut names = Vec::new();
    let mut tile_bytes = 0u64;
    let mut seen = HashSet::<NodeId>::new();
    fn visit(
        n: &Arc<dyn Node>,
        top: bool,
        is_root_stage: bool,
        seen: &mut HashSet<NodeId>,
        names: &mut Vec<String>,
        tile_bytes: &mut u64,
    ) {
        let m = n.meta();
        if !seen.insert(m.id) {
            return;
        }
        *tile_bytes += (2 * TILE_LEN * m.dtype.size()) as u64;
        if n.as_stage().is_some() && !(top && is_root_stage) {
            names.push(format!("read[{}]", m.name));
            return;
        }
        for i in n.inputs() {
            visit(&i, false, is_root_stage, seen, names, tile_bytes);
        }
        names.push(m.name.clone());
    }
    visit(
        start,
        true,
        is_root_stage,
        &mut seen,
        &mut names,
        &mut tile_bytes,
    );
    (names, tile_bytes)
}

/// Plans the computation of `root` on `workers` workers. Returns the first error recorded in
/// the graph, inputs first.
pub(crate) fn build(root: Arc<dyn Node>, workers: usize) -> Result<Plan> {
    let nodes = post_order(root.clone());
    if let Some(e) = nodes.iter().find_map(|n| n.meta().error.clone()) {
        return Err(e);
    }
    let workers = workers.max(1) as u64;
    let mut stages = Vec::new();
    let mut stage_nodes = Vec::new();
    let mut max_pass = 0u64;
    let mut max_tiles = 0u64;
    let mut max_partials = 0u64;
    let mut stage_results = 0u64;
    for n in &nodes {
        let Some(stage) = n.as_stage() else { continue };
        let m = n.meta();
        let input = &n.inputs()[0];
        let (mut fused, tile_bytes) = pass_nodes(input, false);
        fused.push(m.name.clone());
        let leaves = stage.leaves_per_output().max(1);
        let depth = usize::BITS - leaves.leading_zeros();
        let partials = workers * (depth as u64 + 1) * stage.max_partial_bytes() as u64;
        max_pass = max_pass.max(workers * tile_bytes + partials);
        max_tiles = max_tiles.max(workers * tile_bytes);
        max_partials = max_partials.max(partials);
        let result_bytes = (m.size() * m.dtype.size()) as u64;
        stage_results += result_bytes;
        stages.push(StagePlan {
            name: m.name.clone(),
            tasks: stage.tasks(),
            output_chunks: m.chunks.num_chunks(),
            leaves_per_output: leaves,
            fused,
            result_bytes,
        });
        stage_nodes.push(n.clone());
    }
    let rm = root.meta();
    let root_is_stage = root.as_stage().is_some();
    let (output, output_bytes) = if root_is_stage {
        (None, 0)
    } else {
        let (fused, tile_bytes) = pass_nodes(&root, false);
        max_pass = max_pass.max(workers * tile_bytes);
        max_tiles = max_tiles.max(workers * tile_bytes);
        let out = OutputPlan {
            tasks: rm.chunks.num_chunks(),
            fused,
        };
        (Some(out), (rm.size() * rm.dtype.size()) as u64)
    };
    let memory = MemoryPlan {
        tiles: max_tiles,
        partials: max_partials,
        stage_results,
        output: output_bytes,
        total: max_pass + stage_results + output_bytes,
    };
    Ok(Plan {
        result: rm.name.clone(),
        shape: rm.shape.clone(),
        dtype: rm.dtype,
        workers: workers as usize,
        stages,
        output,
        memory,
        stage_nodes,
    })
}

/// Whether the graph below `root` holds a reduction marked inline; used by tests of fusion.
#[allow(dead_code)]
pub(crate) fn has_inline_reduce(root: Arc<dyn Node>) -> bool {
    post_order(root)
        .iter()
        .any(|n| matches!(n.meta().kind, OpKind::Reduce { staged: false, .. }))
}

fn human(bytes: u64) -> String {
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
        writeln!(
            f,
            "plan: {} -> {}{:?} on {} worker(s)",
            self.result, self.dtype, self.shape, self.workers
        )?;
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
