//! Staged reductions: each runs a tree of partials in a reduction pass; stages of one
//! [`PassKey`](crate::graph::PassKey) (input, reduced axes, leaf groups, output grid) join one
//! pass, whose tasks read the input once and fold it for each.

use std::sync::Arc;

use super::fuse::fuse;
use super::{node_bytes, Builder, Pass, PassKind, StagePlan};
use crate::graph::{Node, Stage};

impl Builder {
    /// Adds staged reduction `n` (`stage`) to the pass of the stages of its key, or to a pass
    /// of its own when it is the first.
    pub(super) fn add_stage(&mut self, n: &Arc<dyn Node>, stage: &dyn Stage) {
        let m = n.meta();
        let input = &n.inputs()[0];
        // Its tasks keep a few blocks of each caching node (`TaskCx::limit_blocks`).
        let mut f = fuse(
            std::slice::from_ref(input),
            &self.held,
            stage.task_blocks(),
            self.workers,
        );
        f.names.push(m.name.clone());
        let key = stage.pass_key();
        let joined = self.keys.iter().find(|(k, _)| *k == key).map(|&(_, p)| p);
        if joined.is_some() {
            // A shared pass's task holds its box of the input (about an input chunk).
            let input_box = node_bytes(input.meta()) / (stage.tasks().max(1) as u64);
            f.tile_bytes = f.tile_bytes.saturating_add(input_box);
        }
        let leaves = stage.leaves_per_output().max(1);
        // Alive at once per worker: a partial per level of the tree over tasks, and one per
        // level of the cascade inside a task (plus the row being folded).
        let depth =
            stage.combine_levels() + (usize::BITS - stage.leaves_per_task().leading_zeros()) as u64;
        let plan = StagePlan {
            name: m.name.clone(),
            tasks: stage.tasks(),
            output_chunks: m.chunks.num_chunks(),
            leaves_per_output: leaves,
            fused: f.names.clone(),
            result_bytes: node_bytes(m),
            shares_pass_with: None,
            tiles: self.workers.saturating_mul(f.tile_bytes),
            partials: self
                .workers
                .saturating_mul(depth + 1)
                .saturating_mul(stage.max_partial_bytes() as u64),
        };
        let working = plan.tiles.saturating_add(plan.partials);
        let index = match joined {
            Some(index) => {
                let p = &mut self.passes[index];
                p.fused.push(m.name.clone());
                p.nodes.push(n.clone());
                p.memory = p.memory.saturating_add(working);
                p.reads.extend(f.reads);
                p.reads.sort_unstable();
                p.reads.dedup();
                if let PassKind::Reduce { stages } = &mut p.kind {
                    stages.push(plan);
                }
                index
            }
            None => {
                self.keys.push((key, self.passes.len()));
                self.passes.push(Pass {
                    kind: PassKind::Reduce { stages: vec![plan] },
                    tasks: stage.tasks(),
                    fused: f.names,
                    memory: working,
                    reads: f.reads,
                    blocks: f.blocks,
                    nodes: vec![n.clone()],
                    holds: Vec::new(),
                });
                self.passes.len() - 1
            }
        };
        self.held.insert(m.id, index);
    }
}

/// Numbers the stages in the order their passes run, and marks each stage after the first of
/// a pass as sharing the first one's pass.
pub(super) fn number(passes: &mut [Pass]) {
    let mut next = 0;
    for p in passes {
        if let PassKind::Reduce { stages } = &mut p.kind {
            for (j, s) in stages.iter_mut().enumerate() {
                s.shares_pass_with = (j > 0).then_some(next);
            }
            next += stages.len();
        }
    }
}
