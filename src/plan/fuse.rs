//! What one pass evaluates: the nodes its tasks pull tiles through, from where it starts down to
//! the nodes earlier passes hold (staged reductions, held shared nodes), whose values it reads
//! instead of evaluating them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::graph::{Meta, Node, NodeId, OpKind};
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
}

/// What a pass evaluating `starts` fuses (what several starts share counts once); `held` maps
/// each node held in memory to the pass that produces it.
pub(super) fn fuse(starts: &[Arc<dyn Node>], held: &HashMap<NodeId, usize>) -> Fused {
    let order = evaluated(starts, held);
    let mut f = Fused {
        names: Vec::with_capacity(order.len()),
        tile_bytes: 0,
        work: 0,
        reads: Vec::new(),
    };
    for n in &order {
        let m = n.meta();
        f.tile_bytes = f
            .tile_bytes
            .saturating_add((2 * TILE_LEN * m.dtype.size()) as u64)
            .saturating_add(n.cache_bytes() as u64);
        match held.get(&m.id) {
            Some(&pass) => {
                f.names.push(format!("read[{}]", m.name));
                f.reads.push(pass);
            }
            None => {
                f.names.push(m.name.clone());
                f.work += work(m);
            }
        }
    }
    f.reads.sort_unstable();
    f.reads.dedup();
    f
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
