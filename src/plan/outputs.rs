//! Result arrays: each root that no earlier pass produced is written by a pass of its own,
//! one task per chunk.

use std::collections::HashMap;
use std::sync::Arc;

use super::fuse::fuse;
use super::{Builder, Pass, PassKind};
use crate::graph::{Node, NodeId};

/// The roots (indices) that no pass produced yet, each once (a root asked for twice is
/// written once).
pub(super) fn pending(roots: &[Arc<dyn Node>], held: &HashMap<NodeId, usize>) -> Vec<usize> {
    let mut pending: Vec<usize> = Vec::new();
    for (k, r) in roots.iter().enumerate() {
        let id = r.meta().id;
        if !held.contains_key(&id) && !pending.iter().any(|&j| roots[j].meta().id == id) {
            pending.push(k);
        }
    }
    pending
}

impl Builder {
    /// Adds a pass writing each of the `pending` roots to an array in memory.
    pub(super) fn add_outputs(&mut self, roots: &[Arc<dyn Node>], pending: &[usize]) {
        for &k in pending {
            let f = fuse(
                std::slice::from_ref(&roots[k]),
                &self.held,
                usize::MAX,
                self.workers,
            );
            self.passes.push(Pass {
                kind: PassKind::Output { root: k },
                tasks: roots[k].meta().chunks.num_chunks(),
                fused: f.names,
                memory: self.workers.saturating_mul(f.tile_bytes),
                reads: f.reads,
                blocks: f.blocks,
                nodes: vec![roots[k].clone()],
                holds: Vec::new(),
            });
        }
    }
}
