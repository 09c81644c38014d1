//! The shared-node rule: a node used more than once is held (evaluated once by a pass of its
//! own, read by each use) when recomputing it costs more than an op or two per use and holding
//! it fits the budget; otherwise every use evaluates it again.

use std::collections::HashMap;
use std::sync::Arc;

use super::fuse::fuse;
use super::{node_bytes, Builder, Pass, PassKind, SharedPlan, Sharing};
use crate::graph::{Node, NodeId};

/// Memory a shared node may take to be held, when no `memory_limit` is set.
pub const SHARED_BUDGET_BYTES: u64 = 512 << 20;

/// How many ops read each node of `nodes` (the whole graph).
pub(super) fn uses(nodes: &[Arc<dyn Node>]) -> HashMap<NodeId, usize> {
    let mut uses = HashMap::new();
    for n in nodes {
        for i in n.inputs() {
            *uses.entry(i.meta().id).or_default() += 1;
        }
    }
    uses
}

impl Builder {
    /// Decides on `n`, read by `uses` ops, and adds the pass that holds it if it is held.
    pub(super) fn add_shared(&mut self, n: &Arc<dyn Node>, uses: usize) {
        let m = n.meta();
        let bytes = node_bytes(m);
        let f = fuse(
            std::slice::from_ref(n),
            &self.held,
            usize::MAX,
            self.workers,
        );
        // A source and one cheap op are faster to recompute than to write and read back.
        let sharing = if f.work <= 2 {
            Sharing::Cheap { work: f.work }
        } else if bytes > self.budget {
            Sharing::OverBudget {
                budget: self.budget,
            }
        } else {
            Sharing::Held { work: f.work }
        };
        self.shared.push(SharedPlan {
            name: m.name.clone(),
            uses,
            bytes,
            sharing,
        });
        if let Sharing::Held { .. } = sharing {
            self.held.insert(m.id, self.passes.len());
            self.passes.push(Pass {
                kind: PassKind::Hold {
                    shared: self.shared.len() - 1,
                },
                tasks: m.chunks.num_chunks(),
                fused: f.names,
                memory: self.workers.saturating_mul(f.tile_bytes),
                reads: f.reads,
                blocks: f.blocks,
                nodes: vec![n.clone()],
                holds: Vec::new(),
            });
        }
    }
}
