//! The one buffer pool: vectors of any element type handed out and given back, so the hot
//! loops allocate once per task (or once per worker) instead of once per tile or chunk.
//!
//! A [`Pool`] belongs to one owner at a time and takes no lock: each task has one (in its
//! `graph::TaskCx`), from which every node takes its tile buffers ([`Pool::take`], aligned,
//! as [`TileBuf`]), the reduction kernels their rows of partials
//! (`kernels::reducers::RowCascade`), and block functions the buffers they pull a block's
//! inputs into ([`Pool::take_block`], kept apart from the tiles: a block is tens of MB, and a
//! tile take must not hold one while the next block allocates another). A [`SharedPool`] is a
//! pool behind a lock, for buffers that outlive a task: a Zarr sink's chunk buffers, reused by
//! the next task on any worker.
//!
//! The module sits at the bottom of the crate (it needs nothing of it), below the kernels and
//! the graph that take from it.

use std::any::Any;

/// Alignment of tile buffers: a cache line, and an AVX-512 register.
const TILE_ALIGN: usize = 64;

/// Spare vectors of any element type, reused by whoever takes them next.
#[derive(Default)]
pub(crate) struct Pool {
    /// Vectors for [`take`](Self::take) and [`take_vec`](Self::take_vec) (tiles, rows of
    /// partials, a Zarr sink's chunk buffers): one stack of spares per element type.
    free: Vec<Box<dyn Stack>>,
    /// Block-sized vectors ([`take_block`](Self::take_block)), likewise.
    blocks: Vec<Box<dyn Stack>>,
}

/// The spare vectors of one element type, `Vec<Vec<T>>`, behind one box. Why a stack per type,
/// boxed once: a box per vector given back was a `malloc` and a `free` for every tile buffer a
/// node took and gave back, 2-3% of the pi workload (measured 2026-12-06).
trait Stack: Any + Send {
    /// The vectors it holds.
    fn len(&self) -> usize;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Send + 'static> Stack for Vec<Vec<T>> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The stack of `T`s in `list`, if it has one.
fn spares<T: Send + 'static>(list: &mut [Box<dyn Stack>]) -> Option<&mut Vec<Vec<T>>> {
    list.iter_mut()
        .find_map(|b| b.as_any_mut().downcast_mut::<Vec<Vec<T>>>())
}

/// Puts `v` on the stack of its type in `list`, making the stack at the first vector of a type.
fn push<T: Send + 'static>(list: &mut Vec<Box<dyn Stack>>, v: Vec<T>) {
    match spares::<T>(list) {
        Some(stack) => stack.push(v),
        None => list.push(Box::new(vec![v])),
    }
}

impl Pool {
    /// A spare `Vec<T>` (its contents unspecified), or a new empty one.
    pub(crate) fn take_vec<T: Send + 'static>(&mut self) -> Vec<T> {
        spares::<T>(&mut self.free)
            .and_then(|stack| stack.pop())
            .unwrap_or_default()
    }

    /// A spare block-sized `Vec<T>` (one given by [`give_block`](Self::give_block)): the one of
    /// least capacity that holds `len` elements, else the largest (to be grown, so that a
    /// worker keeps one buffer per input however the blocks' sizes vary at the edges), else a
    /// new empty one. Its contents are unspecified.
    pub(crate) fn take_block<T: Send + 'static>(&mut self, len: usize) -> Vec<T> {
        fitting(spares::<T>(&mut self.blocks), len)
    }

    /// Gives a block-sized vector back for the next [`take_block`](Self::take_block).
    pub(crate) fn give_block<T: Send + 'static>(&mut self, v: Vec<T>) {
        if v.capacity() > 0 {
            push(&mut self.blocks, v);
        }
    }

    /// Whether it holds no vector.
    pub(crate) fn is_empty(&self) -> bool {
        self.count() == (0, 0)
    }

    /// The vectors it holds: (those of `take` and `take_vec`, those of `take_block`).
    fn count(&self) -> (usize, usize) {
        let len = |list: &[Box<dyn Stack>]| list.iter().map(|s| s.len()).sum();
        (len(&self.free), len(&self.blocks))
    }

    /// Gives a vector back for the next [`take_vec`](Self::take_vec) or
    /// [`take`](Self::take) of its type.
    pub(crate) fn give_vec<T: Send + 'static>(&mut self, v: Vec<T>) {
        push(&mut self.free, v);
    }

    /// A buffer of `len` elements, reused across tiles, starting on a 64-byte boundary (vector
    /// loads and stores that split cache lines cost up to a quarter of a fused pass; `malloc`
    /// alone gives 16 bytes). Its contents are unspecified: callers overwrite them.
    pub(crate) fn take<T: Copy + Default + Send + 'static>(&mut self, len: usize) -> TileBuf<T> {
        let pad = TILE_ALIGN / std::mem::size_of::<T>().max(1);
        let mut vec = fitting::<T>(spares::<T>(&mut self.free), len + pad);
        // Grows only when a larger tile comes.
        if vec.len() < len + pad {
            vec.resize(len + pad, T::default());
        }
        let off = vec.as_ptr().align_offset(TILE_ALIGN).min(pad);
        TileBuf { vec, off, len }
    }

    /// Returns a tile buffer to the pool.
    pub(crate) fn give<T: Copy + Default + Send + 'static>(&mut self, buf: TileBuf<T>) {
        self.give_vec(buf.vec);
    }
}

/// The `Vec<T>` of `stack` of least capacity that holds `len` elements, else the largest (to
/// be grown), else a new one: a task's pool passes to the next task on its worker, and a buffer
/// taken for a large box and given back must not be handed out for small ones while the next
/// large box grows another.
fn fitting<T>(stack: Option<&mut Vec<Vec<T>>>, len: usize) -> Vec<T> {
    let Some(stack) = stack else {
        return Vec::new();
    };
    let capacities = stack.iter().map(Vec::capacity).enumerate();
    let best = capacities
        .clone()
        .filter(|&(_, c)| c >= len)
        .min_by_key(|&(_, c)| c)
        .or_else(|| capacities.max_by_key(|&(_, c)| c));
    match best {
        Some((i, _)) => stack.swap_remove(i),
        None => Vec::new(),
    }
}

/// A tile buffer from [`Pool::take`]: `len` elements starting on a [`TILE_ALIGN`] boundary of a
/// pooled vector (which has a few elements of padding for that).
pub(crate) struct TileBuf<T> {
    vec: Vec<T>,
    off: usize,
    len: usize,
}

impl<T> std::ops::Deref for TileBuf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.vec[self.off..self.off + self.len]
    }
}

impl<T> std::ops::DerefMut for TileBuf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.vec[self.off..self.off + self.len]
    }
}

/// A [`Pool`] shared by tasks on any worker, behind a lock (taken only to take or give a
/// vector, never while one is in use).
#[derive(Default)]
#[cfg_attr(not(feature = "zarr"), allow(dead_code))]
pub(crate) struct SharedPool(std::sync::Mutex<Pool>);

impl SharedPool {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pool> {
        // A task that panicked while giving back leaves a valid pool.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`Pool::take_vec`] under the lock.
    #[cfg_attr(not(feature = "zarr"), allow(dead_code))]
    pub(crate) fn take_vec<T: Send + 'static>(&self) -> Vec<T> {
        self.lock().take_vec()
    }

    /// [`Pool::give_vec`] under the lock.
    #[cfg_attr(not(feature = "zarr"), allow(dead_code))]
    pub(crate) fn give_vec<T: Send + 'static>(&self, v: Vec<T>) {
        self.lock().give_vec(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_aligned_and_reused() {
        let mut pool = Pool::default();
        let mut a = pool.take::<f64>(100);
        assert_eq!(a.len(), 100);
        assert_eq!(a.as_ptr() as usize % TILE_ALIGN, 0);
        a[0] = 1.0;
        let at = a.as_ptr();
        pool.give(a);
        // Another type does not get it; the same type does, without a new allocation.
        assert_eq!(pool.take_vec::<u8>().capacity(), 0);
        let b = pool.take::<f64>(50);
        assert_eq!((b.len(), b.as_ptr()), (50, at));
    }

    #[test]
    fn a_give_makes_no_box_after_the_first_of_its_type() {
        let mut pool = Pool::default();
        assert!(pool.is_empty());
        for _ in 0..3 {
            let (a, b, c) = (
                pool.take::<f64>(64),
                pool.take::<f64>(64),
                pool.take::<u8>(8),
            );
            // Taken out, the pool holds no vector (its stacks stay, empty).
            assert!(pool.is_empty());
            pool.give(a);
            pool.give(b);
            pool.give(c);
            // One stack per type, whatever the number of vectors given.
            assert_eq!((pool.free.len(), pool.count()), (2, (3, 0)));
        }
        pool.give_block(vec![0u32; 4]);
        assert_eq!((pool.blocks.len(), pool.count()), (1, (3, 1)));
        assert_eq!(pool.take_block::<u32>(4).len(), 4);
        assert_eq!(pool.take_vec::<u8>().len(), 8 + 64);
        assert_eq!(pool.count(), (2, 0));
    }

    #[test]
    fn blocks_are_kept_apart_from_tiles() {
        let mut pool = Pool::default();
        let block = vec![0.0f64; 1 << 16];
        let at = block.as_ptr();
        pool.give_block(block);
        // A tile take of the block's type does not get it, whatever its size.
        let tile = pool.take::<f64>(1 << 10);
        assert_ne!(tile.as_ptr(), at);
        pool.give(tile);
        // A block take gets the block that holds it, of least capacity, else the largest to
        // grow (a worker keeps one buffer per input), else a new vector; never the tile
        // buffer.
        let small = vec![0.0f64; 1000];
        let small_at = small.as_ptr();
        pool.give_block(small);
        let fitting = pool.take_block::<f64>(999);
        assert_eq!(fitting.as_ptr(), small_at);
        let again = pool.take_block::<f64>(1000);
        assert_eq!(again.as_ptr(), at);
        pool.give_block(again);
        let grown = pool.take_block::<f64>((1 << 16) + 1);
        assert_eq!(grown.as_ptr(), at);
        assert_eq!(pool.take_block::<f64>(10).capacity(), 0);
        pool.give_block(grown);
        pool.give_block(Vec::<f64>::new());
        assert_eq!(pool.count(), (1, 1));
    }

    #[test]
    fn a_large_buffer_is_kept_for_large_takes() {
        let mut pool = Pool::default();
        let (small, large) = (pool.take::<f64>(2048), pool.take::<f64>(1 << 15));
        let (small_at, large_at) = (small.as_ptr(), large.as_ptr());
        pool.give(large);
        pool.give(small);
        // A small take gets the small buffer, wherever it lies in the pool, and a large one
        // the large buffer; with neither fitting, the largest is grown.
        let s = pool.take::<f64>(1000);
        assert_eq!(s.as_ptr(), small_at);
        let l = pool.take::<f64>(20_000);
        assert_eq!(l.as_ptr(), large_at);
        pool.give(s);
        pool.give(l);
        let l = pool.take::<f64>(1 << 15);
        assert_eq!(l.as_ptr(), large_at);
        pool.give(l);
        let grown = pool.take::<f64>(1 << 16);
        assert_eq!(grown.len(), 1 << 16);
        assert_eq!(pool.count(), (1, 0), "the small buffer stays");
    }
}
