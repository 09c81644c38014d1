//! What one pass evaluates: the nodes its tasks pull tiles through, from where it starts down to
//! the nodes earlier passes hold (staged reductions, held shared nodes), whose values it reads
//! instead of evaluating them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::KeptBlocks;
use crate::graph::{InputReads, Meta, Node, NodeId, OpKind, PassBlocks};
use crate::region::TILE_LEN;

/// The work a `map_blocks` closure counts for in the shared-node rule: more than any few cheap
/// ops, so that its result is held when it fits.
const BLOCKWISE_WORK: usize = 8;

/// Ops per element a node costs each time it is evaluated.
pub(super) fn work(m: &Meta) -> usize {
    match m.kind {
        OpKind::Regrid => 0,
        // A user closure: its cost is unknown and it may have effects, so never run it twice
        // when holding its result fits.
        OpKind::Blockwise => BLOCKWISE_WORK,
        _ => 1,
    }
}

/// The chain a pass fuses.
pub(super) struct Fused {
    /// The ops evaluated per task, inputs first; a held node as `read[name]`.
    pub names: Vec<String>,
    /// One worker's tile buffers: two tiles per node (its values and a broadcast input's),
    /// plus what each node caches.
    pub tile_bytes: u64,
    /// Ops evaluated per element (held nodes are read, regrids are free).
    pub work: usize,
    /// The passes whose results it reads, ascending.
    pub reads: Vec<usize>,
    /// The nodes that keep blocks, and how many per worker.
    pub blocks: Vec<KeptBlocks>,
}

/// What a pass evaluating `starts` fuses (what several starts share counts once); `held` maps
/// each node held in memory to the pass that produces it. The pass's tasks keep at most
/// `limit` blocks of a caching node besides those one read spans (a reduction's
/// [`Stage::task_blocks`](crate::graph::Stage::task_blocks); `usize::MAX` for other passes),
/// on `workers` workers.
pub(super) fn fuse(
    starts: &[Arc<dyn Node>],
    held: &HashMap<NodeId, usize>,
    limit: usize,
    workers: u64,
) -> Fused {
    let order = evaluated(starts, held);
    let wide = wide_reads(&order, held);
    let mut f = Fused {
        names: Vec::with_capacity(order.len()),
        tile_bytes: 0,
        work: 0,
        reads: Vec::new(),
        blocks: Vec::new(),
    };
    let workers = usize::try_from(workers).unwrap_or(usize::MAX);
    for n in &order {
        let m = n.meta();
        let pass = PassBlocks {
            limit,
            workers,
            tiles: !wide.contains(&m.id),
        };
        f.tile_bytes = f
            .tile_bytes
            .saturating_add((2 * TILE_LEN * m.dtype.size()) as u64);
        match held.get(&m.id) {
            Some(&pass) => {
                // Read from memory: a tile's copy, no caches.
                f.names.push(format!("read[{}]", m.name));
                f.reads.push(pass);
            }
            None => {
                f.tile_bytes = f.tile_bytes.saturating_add(n.cache_bytes(&pass) as u64);
                if let Some((blocks, len)) = n.kept_blocks(&pass) {
                    f.blocks.push(KeptBlocks {
                        name: m.name.clone(),
                        blocks,
                        block_bytes: (len as u64).saturating_mul(m.dtype.size() as u64),
                    });
                }
                f.names.push(m.name.clone());
                f.work += work(m);
            }
        }
    }
    f.reads.sort_unstable();
    f.reads.dedup();
    f
}

/// The nodes of `order` (a pass's, inputs first) that some read may ask for more than a tile
/// of: the pass reads its starts a tile at a time, and a node's inputs are read in tiles, in
/// no more than its own reads, or in boxes of any size ([`Node::input_reads`]). A consumer
/// comes after its inputs in `order`, so one walk from the end sees every reader of a node
/// before the node.
fn wide_reads(order: &[Arc<dyn Node>], held: &HashMap<NodeId, usize>) -> HashSet<NodeId> {
    let mut wide = HashSet::new();
    for n in order.iter().rev() {
        let id = n.meta().id;
        if held.contains_key(&id) {
            // Read from memory: its inputs are not evaluated in this pass.
            continue;
        }
        let passes_on = match n.input_reads() {
            InputReads::Tiles => false,
            InputReads::Own => wide.contains(&id),
            InputReads::Any => true,
        };
        if passes_on {
            wide.extend(n.inputs().iter().map(|i| i.meta().id));
        }
    }
    wide
}

/// The nodes a pass evaluating `starts` reaches, inputs first, each once: it stops at `held`
/// nodes, which it reads (they are listed, what is behind them is not).
pub(super) fn evaluated(
    starts: &[Arc<dyn Node>],
    held: &HashMap<NodeId, usize>,
) -> Vec<Arc<dyn Node>> {
    crate::walk::post_order(
        starts.iter().cloned(),
        |n| n.meta().id,
        |n| match held.contains_key(&n.meta().id) {
            true => Vec::new(),
            false => n.inputs(),
        },
    )
}
