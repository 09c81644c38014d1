//! Files: the roots of one shape and chunk grid are written by one pass, whose tasks first hold
//! a chunk of each node two or more of the files read, so that it is evaluated once per chunk.

use std::collections::HashMap;
use std::sync::Arc;

use super::fuse::{evaluated, fuse};
use super::{Builder, Pass, PassKind};
use crate::graph::{Node, NodeId};

impl Builder {
    /// Adds the passes writing the `pending` roots to files: one per shape and chunk grid, in
    /// order of first appearance.
    pub(super) fn add_files(&mut self, roots: &[Arc<dyn Node>], pending: &[usize]) {
        for group in same_grid(roots, pending) {
            let members: Vec<Arc<dyn Node>> = group.iter().map(|&k| roots[k].clone()).collect();
            let holds = shared_in_pass(&members, &self.held);
            let chunk = members[0].meta().chunks.max_chunk_len() as u64;
            let per_worker = holds.iter().fold(0u64, |a, n| {
                a.saturating_add(chunk.saturating_mul(n.meta().dtype.size() as u64))
            });
            let held_bytes = self.workers.saturating_mul(per_worker);
            let f = fuse(&members, &self.held, usize::MAX, self.workers);
            self.passes.push(Pass {
                kind: PassKind::Files {
                    roots: group,
                    held_bytes,
                },
                tasks: members[0].meta().chunks.num_chunks(),
                fused: f.names,
                memory: self
                    .workers
                    .saturating_mul(f.tile_bytes)
                    .saturating_add(held_bytes),
                reads: f.reads,
                blocks: f.blocks,
                nodes: members,
                holds,
            });
        }
    }
}

/// The `pending` roots grouped by shape and chunk grid, in order of first appearance.
fn same_grid(roots: &[Arc<dyn Node>], pending: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &k in pending {
        let m = roots[k].meta();
        match groups.iter_mut().find(|g| {
            let f = roots[g[0]].meta();
            f.shape == m.shape && f.chunks == m.chunks
        }) {
            Some(g) => g.push(k),
            None => groups.push(vec![k]),
        }
    }
    groups
}

/// The nodes that two or more of `outputs` (of one shape and grid, written in one pass) read
/// in the pass, of the outputs' shape (so a chunk of the outputs is a box of theirs): what the
/// pass's tasks hold per chunk. `held` nodes (read from memory) and what is behind them are
/// not counted. Inputs first (ids grow as nodes are built), so a held node's evaluation reads
/// the held nodes below it.
fn shared_in_pass(outputs: &[Arc<dyn Node>], held: &HashMap<NodeId, usize>) -> Vec<Arc<dyn Node>> {
    let shape = &outputs[0].meta().shape;
    let mut count = HashMap::<NodeId, (usize, Arc<dyn Node>)>::new();
    for o in outputs {
        for n in evaluated(std::slice::from_ref(o), held) {
            let id = n.meta().id;
            if !held.contains_key(&id) {
                count.entry(id).or_insert((0, n)).0 += 1;
            }
        }
    }
    let mut shared: Vec<Arc<dyn Node>> = count
        .into_values()
        .filter(|(c, n)| *c > 1 && &n.meta().shape == shape)
        .map(|(_, n)| n)
        .collect();
    shared.sort_by_key(|n| n.meta().id);
    shared
}
