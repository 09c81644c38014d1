//! Blocks shared by the workers of a reduction pass whose reads are known ahead.
//!
//! A task of a staged reduction folds a box of its input ([`leaf_tree`](super::leaf_tree)),
//! and the boxes follow the input's shape, not its chunks: neighbouring tasks read the same
//! blocks of a transposed source or a `map_blocks` result. Kept per worker
//! ([`WorkerBlocks`](super::WorkerBlocks)), each worker makes the blocks its own tasks read, and
//! a worker that had to let one go makes it again when a later task comes back to it: the
//! stencil of `examples/stencil` (20000², blocks of 2000²) made 176 blocks of 100 when its
//! tasks' boxes (2048 rows of 2048) crossed four blocks each.
//!
//! When a rank makes one output chunk of the pass, every block its tasks read can be named
//! beforehand ([`Node::cached_blocks`]) and some block is at least
//! [`MIN_SHARED_BLOCK_BYTES`], the executor runs the tasks in the tree's order, each worker
//! taking the next task as it ends one, and the workers share one [`SharedBlocks`]:
//! - a block is made by one worker; another that reads it meanwhile waits for it (a thread
//!   inside a make of its own makes a copy instead, so no wait can close a circle);
//! - before a task folds, it makes the blocks it reads that no worker has or is making
//!   ([`SharedBlocks::make_ahead`]), so that by the time it reaches a block another worker
//!   is making, that block is mostly made;
//! - a block stays while a task not yet ended reads it, and goes at the next task's end once
//!   none does;
//! - over [`SharedBlocks::cap`] blocks of a node, the one read furthest ahead goes first
//!   (Belady's rule, from the tasks' listed reads) among those no running task reads; then
//!   the one read least recently. The cap is soft: a block being made is never let go.
//!
//! The stencil then made 114-119 blocks of 100 (before its chunks were the canonical tree's
//! cells: now each task folds one block, and each block is made once). Values are the same
//! whichever worker made a block, so the order changes no result.

use std::any::Any;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{Node, NodeId, TaskCx};
use crate::error::Result;
use crate::region::Region;

/// The smallest block worth sharing. Small blocks are cheap to make again, and shared they
/// cost memory: blocks of 720 KB shared by two workers (`tests/memory.rs`, the docs example at
/// 3000) grew the process 19.2-20.7 MB against a projection of 16.5 MB (with one malloc arena,
/// within it: blocks one thread makes and another frees stay in the maker's arena), where
/// blocks of 32 MB shared saved 20-25% of the time in the same memory (blocks of 8 MB: no
/// change in time, 114-129 MiB against 128.5).
pub(crate) const MIN_SHARED_BLOCK_BYTES: usize = 4 << 20;

/// A block of a caching node: the node and the block's region.
pub(crate) type BlockKey = (NodeId, Region);

/// A block's values: a `Vec` of its node's type.
type Values = Arc<dyn Any + Send + Sync>;

enum Slot {
    /// A worker is making it; readers wait.
    Making,
    /// Made; `read` is when it was last read (see [`State::clock`]).
    Ready { values: Values, read: u64 },
}

struct State {
    blocks: HashMap<BlockKey, Slot>,
    /// The ordinals of the tasks running.
    running: BTreeSet<usize>,
    /// The next task to start.
    next: usize,
    /// Each node's cap, from its last read ([`SharedBlocks::cap`]).
    caps: HashMap<NodeId, usize>,
    /// Counts reads, to order the blocks by their last read.
    clock: u64,
    /// For each running task, the blocks it last read (at most [`RECENT_READS`]), the most
    /// recent last.
    recent: HashMap<usize, Vec<BlockKey>>,
}

/// How many of the blocks a running task last read the store remembers: enough for the few
/// blocks per node a worker keeps ([`SharedBlocks::cap`]).
const RECENT_READS: usize = 64;

impl State {
    /// Task `task` read `key`: it becomes the task's most recent.
    fn read_by(&mut self, task: usize, key: &BlockKey) {
        let recent = self.recent.entry(task).or_default();
        if recent.last() == Some(key) {
            return;
        }
        recent.retain(|k| k != key);
        if recent.len() == RECENT_READS {
            recent.remove(0);
        }
        recent.push(key.clone());
    }

    /// Whether a block of node `id` could be made now without letting go of one that a task
    /// running reads: fewer than the node's cap are kept, or one kept is read only later.
    fn has_room(&self, store: &SharedBlocks, id: NodeId) -> bool {
        let Some(&cap) = self.caps.get(&id) else {
            return false;
        };
        let mut count = 0;
        let mut spare = false;
        for (key, slot) in &self.blocks {
            if key.0 == id {
                count += 1;
                spare |= matches!(slot, Slot::Ready { .. })
                    && store.next_use(self, key).is_none_or(|u| u >= self.next);
            }
        }
        count < cap || spare
    }
}

/// Blocks of a node that `workers` sharing them keep at most, when a worker alone would keep
/// `keep`, a task `limit` ([`TaskCx::limit_blocks`]) and a read spans `spanned`: within the
/// task limit plus one per worker and one more, but never fewer than one read of each worker
/// spans (fewer, and two tasks take each other's blocks at every row of tiles). Measured on
/// the stencil (limit 6, two workers): 9 blocks take the time of 12 in 20% less memory; 8 take
/// 1.3x the time. The plan counts the same ([`PassBlocks::kept`](super::PassBlocks::kept)).
pub(crate) fn cap(keep: usize, limit: usize, spanned: usize, workers: usize) -> usize {
    let pooled = keep.max(1).saturating_mul(workers);
    pooled
        .min(limit.saturating_add(workers + 1))
        .max(spanned.saturating_mul(workers).min(pooled))
}

/// The blocks of the caching nodes a pass's tasks read, shared by its workers (see the module
/// docs). Tasks are numbered in the order they start (`0..tasks`).
pub(crate) struct SharedBlocks {
    /// The blocks each task reads, in the order it first reads them.
    reads: Vec<Vec<BlockKey>>,
    /// For each block a task reads, the ordinals of the tasks that read it, ascending.
    uses: HashMap<BlockKey, Vec<usize>>,
    /// The caching nodes, by id. Fx-hashed: every block read of a task asks it ([`shares`]).
    ///
    /// [`shares`]: SharedBlocks::shares
    caching: rustc_hash::FxHashMap<NodeId, Arc<dyn Node>>,
    workers: usize,
    state: Mutex<State>,
    made: Condvar,
}

impl SharedBlocks {
    /// The store of a pass whose task `i` reads the blocks `reads[i]` of caching nodes at or
    /// below the nodes `input`.
    pub(crate) fn new(input: &[Arc<dyn Node>], reads: Vec<Vec<BlockKey>>) -> Self {
        let mut uses: HashMap<BlockKey, Vec<usize>> = HashMap::new();
        for (i, keys) in reads.iter().enumerate() {
            for key in keys {
                let u = uses.entry(key.clone()).or_default();
                if u.last() != Some(&i) {
                    u.push(i);
                }
            }
        }
        let ids: HashSet<NodeId> = uses.keys().map(|(id, _)| *id).collect();
        let mut caching = rustc_hash::FxHashMap::default();
        let mut seen = HashSet::new();
        let mut stack: Vec<Arc<dyn Node>> = input.to_vec();
        while let Some(n) = stack.pop() {
            let id = n.meta().id;
            if seen.insert(id) {
                if ids.contains(&id) {
                    caching.insert(id, n.clone());
                }
                stack.extend(n.inputs());
            }
        }
        let workers = rayon::current_num_threads().max(1);
        SharedBlocks {
            reads,
            uses,
            caching,
            workers,
            state: Mutex::new(State {
                blocks: HashMap::new(),
                running: BTreeSet::new(),
                next: 0,
                caps: HashMap::new(),
                clock: 0,
                recent: HashMap::new(),
            }),
            made: Condvar::new(),
        }
    }

    /// Whether sharing pays: some block is at least [`MIN_SHARED_BLOCK_BYTES`] large.
    pub(crate) fn pays(&self) -> bool {
        self.uses.keys().any(|(id, block)| {
            let size = self.caching.get(id).map_or(0, |n| n.meta().dtype.size());
            crate::region::region_len(block).saturating_mul(size) >= MIN_SHARED_BLOCK_BYTES
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether blocks of node `id` are shared here.
    pub(crate) fn shares(&self, id: NodeId) -> bool {
        self.caching.contains_key(&id)
    }

    /// Blocks of a node kept at most, when a worker alone would keep `keep`, a task `limit`
    /// ([`TaskCx::limit_blocks`]) and a read spans `spanned`: [`cap`] for this pass's workers.
    pub(crate) fn cap(&self, keep: usize, limit: usize, spanned: usize) -> usize {
        cap(keep, limit, spanned, self.workers)
    }

    /// The next task to run, in order, marked as running; `None` when all have started.
    pub(crate) fn start_next(&self) -> Option<usize> {
        let mut s = self.lock();
        if s.next >= self.reads.len() {
            return None;
        }
        let i = s.next;
        s.next += 1;
        s.running.insert(i);
        Some(i)
    }

    /// Task `i` has ended: the blocks no task running or still to run reads go.
    pub(crate) fn finish(&self, i: usize) {
        let mut s = self.lock();
        s.running.remove(&i);
        s.recent.remove(&i);
        let dead: Vec<BlockKey> = s
            .blocks
            .iter()
            .filter(|(key, slot)| {
                matches!(slot, Slot::Ready { .. }) && self.next_use(&s, key).is_none()
            })
            .map(|(key, _)| key.clone())
            .collect();
        let mut gone = Vec::new();
        for key in dead {
            if let Some(Slot::Ready { values, .. }) = s.blocks.remove(&key) {
                gone.push(values);
            }
        }
        // Freed outside the lock.
        drop(s);
        drop(gone);
    }

    /// Makes the blocks task `i` reads that no worker has or is making, in the order the task
    /// reads them, before the task folds: a block another worker is making is then more
    /// often made by the time the task reaches it than waited for. It stops at the first
    /// block that would take the place of one a running task reads, or of a node no task has
    /// read yet (its cap is not known): the task makes it when it reaches it.
    pub(crate) fn make_ahead(&self, cx: &mut TaskCx<'_>, i: usize) -> Result<()> {
        for key in &self.reads[i] {
            if key.1.iter().any(|r| r.is_empty()) {
                continue;
            }
            {
                let s = self.lock();
                if s.blocks.contains_key(key) {
                    continue;
                }
                if !s.has_room(self, key.0) {
                    return Ok(());
                }
            }
            let Some(node) = self.caching.get(&key.0) else {
                continue;
            };
            // Reading the block's first value makes (and keeps) the whole block.
            let first: Region = key.1.iter().map(|r| r.start..r.start + 1).collect();
            node.hold(cx, &first)?;
        }
        Ok(())
    }

    /// The first read of `key` by a task running or still to run. A task before the next to
    /// start that is not running has ended: when a worker is held up in an early task while
    /// another runs ahead, the blocks only the tasks between them read are past.
    fn next_use(&self, s: &State, key: &BlockKey) -> Option<usize> {
        let u = self.uses.get(key)?;
        // Every running task started before `next`, so one that reads the block is the first.
        s.running
            .iter()
            .copied()
            .find(|r| u.binary_search(r).is_ok())
            .or_else(|| u.get(u.partition_point(|&t| t < s.next)).copied())
    }

    /// The values of block `key` for running task `task`: kept, or made by another worker
    /// (waited for), or made here by `make`, keeping at most `cap` blocks of its node
    /// ([`cap`](Self::cap)) where a worker alone would keep `keep`.
    pub(crate) fn get<T: Send + Sync + 'static>(
        &self,
        task: usize,
        key: &BlockKey,
        keep: usize,
        cap: usize,
        make: impl FnOnce() -> Result<Vec<T>>,
    ) -> Result<Arc<Vec<T>>> {
        let mut s = self.lock();
        loop {
            s.clock += 1;
            let now = s.clock;
            match s.blocks.get_mut(key) {
                Some(Slot::Ready { values, read, .. }) => {
                    *read = now;
                    let v = values.clone();
                    s.read_by(task, key);
                    return Ok(v.downcast::<Vec<T>>().expect("a node caches one type"));
                }
                Some(Slot::Making) if MAKING.get() > 0 => {
                    // This thread is inside a make itself (rayon may have it run another task
                    // while the make waits on a join): waiting could wait on its own make, or
                    // on a thread waiting on it. It makes a copy for itself, not kept.
                    drop(s);
                    return Ok(Arc::new(make()?));
                }
                Some(Slot::Making) => {
                    s = self.made.wait(s).unwrap_or_else(|e| e.into_inner());
                }
                None => break,
            }
        }
        let cap = cap.max(1);
        s.caps.insert(key.0, cap);
        let gone = self.make_room(&mut s, key.0, cap, keep, task);
        s.blocks.insert(key.clone(), Slot::Making);
        s.read_by(task, key);
        drop(s);
        drop(gone);
        // Whatever `make` does (fails, panics), the slot is freed and the waiters woken; they
        // then make the block themselves.
        let mut making = Making {
            store: self,
            key,
            done: None,
        };
        let made = {
            let _inside = InsideMake::enter();
            make()
        };
        let values: Arc<Vec<T>> = Arc::new(made?);
        making.done = Some(values.clone());
        Ok(values)
    }

    /// Lets blocks of node `id` go until fewer than `cap` are kept or being made, for task
    /// `task` to make one, and returns them (for the caller to free outside the lock):
    /// 1. those no running task reads, the one read furthest ahead first (Belady);
    /// 2. those a running task reads but not among the `keep` it read last (for `task`, the
    ///    `keep - 1`: the block it makes is its next), the one read least recently first. A
    ///    worker held up early in a task while the other runs ahead then loses the blocks it
    ///    reads later, which it makes again, as a worker keeping its own would, and not the
    ///    ones it is reading, which both workers would make again in turn;
    /// 3. as a task reads its blocks many times in an order the store does not see, the one
    ///    read least recently.
    fn make_room(
        &self,
        s: &mut State,
        id: NodeId,
        cap: usize,
        keep: usize,
        task: usize,
    ) -> Vec<Values> {
        let mut reading: HashSet<&BlockKey> = HashSet::new();
        for (&t, recent) in &s.recent {
            let n = if t == task {
                keep.saturating_sub(1)
            } else {
                keep
            };
            reading.extend(recent.iter().rev().filter(|k| k.0 == id).take(n));
        }
        let reading: HashSet<BlockKey> = reading.into_iter().cloned().collect();
        let mut gone = Vec::new();
        loop {
            let mut count = 0;
            // (which of the three, how far ahead or how long ago read)
            let mut victim: Option<(&BlockKey, u8, u64)> = None;
            for (key, slot) in &s.blocks {
                if key.0 != id {
                    continue;
                }
                count += 1;
                if let Slot::Ready { read, .. } = slot {
                    let next = self.next_use(s, key);
                    let (class, rank) = match next {
                        Some(u) if u < s.next && reading.contains(key) => (0, u64::MAX - read),
                        Some(u) if u < s.next => (1, u64::MAX - read),
                        _ => (2, next.map_or(u64::MAX, |u| u as u64)),
                    };
                    if victim.is_none_or(|(_, c, r)| (class, rank) > (c, r)) {
                        victim = Some((key, class, rank));
                    }
                }
            }
            match victim {
                Some((key, _, _)) if count >= cap => {
                    let key = key.clone();
                    if let Some(Slot::Ready { values, .. }) = s.blocks.remove(&key) {
                        gone.push(values);
                    }
                }
                _ => return gone,
            }
        }
    }
}

thread_local! {
    /// How many makes of shared blocks this thread is inside (see [`SharedBlocks::get`]).
    static MAKING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// This thread is inside a make while it lives (a panic out of the make included).
struct InsideMake;

impl InsideMake {
    fn enter() -> Self {
        MAKING.set(MAKING.get() + 1);
        InsideMake
    }
}

impl Drop for InsideMake {
    fn drop(&mut self) {
        MAKING.set(MAKING.get() - 1);
    }
}

/// A block being made: on drop, its slot holds the values (when they were made) or is freed,
/// and the workers waiting for it are woken.
struct Making<'a, T: Send + Sync + 'static> {
    store: &'a SharedBlocks,
    key: &'a BlockKey,
    done: Option<Arc<Vec<T>>>,
}

impl<T: Send + Sync + 'static> Drop for Making<'_, T> {
    fn drop(&mut self) {
        let mut s = self.store.lock();
        // Kept even when no listed read follows (reads inside another block's make are not
        // listed): a worker waiting for it takes it, and the next `finish` lets it go.
        match self.done.take() {
            Some(values) => {
                s.clock += 1;
                let read = s.clock;
                s.blocks
                    .insert(self.key.clone(), Slot::Ready { values, read });
            }
            None => {
                s.blocks.remove(self.key);
            }
        }
        drop(s);
        self.store.made.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(id: NodeId, k: usize) -> BlockKey {
        (id, std::iter::once(k..k + 1).collect())
    }

    /// Runs tasks reading `reads` (block numbers of node 7) one after the other, keeping at
    /// most `cap` blocks; returns how many blocks were made.
    fn makes(reads: &[&[usize]], cap: usize) -> usize {
        let reads: Vec<Vec<BlockKey>> = reads
            .iter()
            .map(|r| r.iter().map(|&k| key(7, k)).collect())
            .collect();
        let store = SharedBlocks::new(&[], reads.clone());
        let made = AtomicUsize::new(0);
        for (i, keys) in reads.iter().enumerate() {
            assert_eq!(store.start_next(), Some(i));
            for k in keys {
                let v = store
                    .get(i, k, cap, cap, || {
                        made.fetch_add(1, Ordering::Relaxed);
                        Ok(vec![k.1[0].start])
                    })
                    .unwrap();
                assert_eq!(*v, vec![k.1[0].start]);
            }
            store.finish(i);
        }
        assert_eq!(store.start_next(), None);
        // Nothing is kept once no task reads it.
        assert!(store.lock().blocks.is_empty());
        made.load(Ordering::Relaxed)
    }

    #[test]
    fn the_block_read_furthest_ahead_goes_first() {
        // Room for two blocks: block 2 takes the place of block 1 (read again at task 4, after
        // block 0 at task 3), so only block 1 is made twice; least-recently-used would have let
        // block 0 go and made both again.
        let reads: &[&[usize]] = &[&[0], &[1], &[2], &[0], &[1]];
        assert_eq!(makes(reads, 2), 4);
        assert_eq!(makes(reads, 3), 3);
        // Room for one: every change of block makes one.
        assert_eq!(makes(reads, 1), 5);
    }

    #[test]
    fn a_worker_held_up_early_keeps_the_block_it_is_reading() {
        // Two workers keeping one block each (a cap of two). Task 0 reads block 0, then is held
        // up while the other worker runs tasks 1 and 2 (blocks 1 to 3); then it reads block 0
        // again and block 1. Block 1, which task 0 reads later, goes for block 2, not block 0,
        // which it is reading: one block is made twice. Taking the block read least recently
        // (block 0) would have made blocks 0 and 1 twice.
        let reads: Vec<Vec<BlockKey>> = [&[0, 1][..], &[1, 2], &[2, 3]]
            .iter()
            .map(|r| r.iter().map(|&k| key(7, k)).collect())
            .collect();
        let store = SharedBlocks::new(&[], reads);
        let made = AtomicUsize::new(0);
        let read = |task: usize, k: usize| {
            let v = store
                .get(task, &key(7, k), 1, 2, || {
                    made.fetch_add(1, Ordering::Relaxed);
                    Ok(vec![k])
                })
                .unwrap();
            assert_eq!(*v, vec![k]);
        };
        assert_eq!(store.start_next(), Some(0));
        read(0, 0);
        for task in 1..3 {
            assert_eq!(store.start_next(), Some(task));
            read(task, task);
            read(task, task + 1);
            store.finish(task);
        }
        read(0, 0);
        read(0, 1);
        store.finish(0);
        assert_eq!(made.load(Ordering::Relaxed), 5);
        assert!(store.lock().blocks.is_empty());
    }

    #[test]
    fn the_cap_is_the_workers_keep_within_the_task_limit_but_never_below_their_reads() {
        let store = SharedBlocks::new(&[], vec![]);
        let w = store.workers;
        assert_eq!(store.cap(4, usize::MAX, 1), 4 * w);
        assert_eq!(store.cap(6, 6, 2), (6 * w).min(6 + w + 1).max(2 * w));
        // Reads spanning many blocks: one read per worker at least, within the pooled keep.
        assert_eq!(store.cap(4, 4, 4), 4 * w);
        assert_eq!(store.cap(5, 4, 9), 5 * w);
        // A worker keeps at least one block.
        assert!(store.cap(0, 0, 0) >= 1);
    }

    #[test]
    fn a_failed_make_frees_the_slot_for_the_next_reader() {
        let store = SharedBlocks::new(&[], vec![vec![key(1, 0)], vec![key(1, 0)]]);
        assert_eq!(store.start_next(), Some(0));
        let e = store.get::<f64>(0, &key(1, 0), 1, 1, || Err(crate::error::Error::Cancelled));
        assert!(matches!(e, Err(crate::error::Error::Cancelled)));
        let v = store.get(0, &key(1, 0), 1, 1, || Ok(vec![2.0])).unwrap();
        assert_eq!(*v, vec![2.0]);
    }

    #[test]
    fn a_reader_waits_for_the_block_another_worker_is_making() {
        let store = SharedBlocks::new(&[], vec![vec![key(1, 0)], vec![key(1, 0)]]);
        let made = AtomicUsize::new(0);
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let maker = s.spawn(|| {
                store.get(0, &key(1, 0), 1, 1, || {
                    started_tx.send(()).unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    made.fetch_add(1, Ordering::Relaxed);
                    Ok(vec![5u8])
                })
            });
            started_rx.recv().unwrap();
            let v = store
                .get(1, &key(1, 0), 1, 1, || {
                    made.fetch_add(1, Ordering::Relaxed);
                    Ok(vec![6u8])
                })
                .unwrap();
            assert_eq!(*v, vec![5u8]);
            assert_eq!(*maker.join().unwrap().unwrap(), vec![5u8]);
        });
        assert_eq!(made.load(Ordering::Relaxed), 1);
    }
}
