//! The memory projection, read from the passes: the largest pass's working memory (its tile
//! buffers and live partials; the largest stage of a shared reduction pass), the boxes file
//! passes hold, the results staged reductions and held nodes keep, and the outputs.

use std::sync::Arc;

use super::{node_bytes, MemoryPlan, Outputs, Pass, PassKind, SharedPlan};
use crate::graph::Node;

/// The projection of `passes` (with `shared`, the nodes [`PassKind::Hold`] passes hold) and
/// `output` bytes of results.
pub(super) fn project(passes: &[Pass], shared: &[SharedPlan], output: u64) -> MemoryPlan {
    let (mut peak, mut tiles, mut partials, mut results, mut holds) = (0u64, 0u64, 0, 0u64, 0);
    for p in passes {
        match &p.kind {
            PassKind::Reduce { stages } => {
                for s in stages {
                    peak = peak.max(s.tiles.saturating_add(s.partials));
                    tiles = tiles.max(s.tiles);
                    partials = partials.max(s.partials);
                    results = results.saturating_add(s.result_bytes);
                }
            }
            PassKind::Hold { shared: k } => {
                peak = peak.max(p.memory);
                tiles = tiles.max(p.memory);
                results = results.saturating_add(shared[*k].bytes);
            }
            PassKind::Output { .. } => {
                peak = peak.max(p.memory);
                tiles = tiles.max(p.memory);
            }
            PassKind::Files { held_bytes, .. } => {
                let own = p.memory.saturating_sub(*held_bytes);
                peak = peak.max(own);
                tiles = tiles.max(own);
                holds = holds.max(*held_bytes);
            }
        }
    }
    MemoryPlan {
        tiles: tiles.saturating_add(holds),
        partials,
        stage_results: results,
        output,
        total: peak
            .saturating_add(holds)
            .saturating_add(results)
            .saturating_add(output),
    }
}

/// Bytes the results take: the arrays in memory (a lone root that is a stage counts with the
/// stage results), or, for files, what each worker holds to write them.
pub(super) fn output_bytes(roots: &[Arc<dyn Node>], outputs: Outputs, workers: u64) -> u64 {
    match (outputs, roots) {
        (Outputs::InMemory, [root]) if root.as_stage().is_some() => 0,
        (Outputs::InMemory, _) => roots
            .iter()
            .fold(0u64, |a, r| a.saturating_add(node_bytes(r.meta()))),
        (Outputs::Files { worker_bytes }, _) => workers.saturating_mul(worker_bytes),
    }
}
