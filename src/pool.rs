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
    /// Each a `Vec<T>` of some `T`, boxed to keep one list for every type.
    free: Vec<Box<dyn Any + Send>>,
    /// Block-sized vectors ([`take_block`](Self::take_block)), likewise.
    blocks: Vec<Box<dyn Any + Send>>,
}

impl Pool {
    /// A spare `Vec<T>` (its contents unspecified), or a new empty one.
    pub(crate) fn take_vec<T: Send + 'static>(&mut self) -> Vec<T> {
        match self.free.iter().position(|b| b.is::<Vec<T>>()) {
            Some(i) => *self
                .free
                .swap_remove(i)
                .downcast::<Vec<T>>()
                .expect("checked by is()"),
            None => Vec::new(),
        }
    }

    /// A spare block-sized `Vec<T>` (one given by [`give_block`](Self::give_block)): the one of
    /// least capacity that holds `len` elements, else the largest (to be grown, so that a
    /// worker keeps one buffer per input however the blocks' sizes vary at the edges), else a
    /// new empty one. Its contents are unspecified.
    pub(crate) fn take_block<T: Send + 'static>(&mut self, len: usize) -> Vec<T> {
        fitting(&mut self.blocks, len)
    }

    /// Gives a block-sized vector back for the next [`take_block`](Self::take_block).
    pub(crate) fn give_block<T: Send + 'static>(&mut self, v: Vec<T>) {
        if v.capacity() > 0 {
            self.blocks.push(Box::new(v));
        }
    }

    /// Whether it holds no vector.
    pub(crate) fn is_empty(&self) -> bool {
        self.free.is_empty() && self.blocks.is_empty()
    }
    /// Gives a vector back for the next [`take_vec`](Self::take_vec) or
    /// [`take`](Self::take) of its type.
    pub(crate) fn give_vec<T: Send + 'static>(&mut self, v: Vec<T>) {
        self.free.push(Box::new(v));
    }

    /// A buffer of `len` elements, reused across tiles, starting on a 64-byte boundary (vector
    /// loads and stores that split cache lines cost up to a quarter of a fused pass; `malloc`
    /// alone gives 16 bytes). Its contents are unspecified: callers overwrite them.
    pub(crate) fn take<T: Copy + Default + Send + 'static>(&mut self, len: usize) -> TileBuf<T> {
        let pad = TILE_ALIGN / std::mem::size_of::<T>().max(1);
        let mut vec = fitting::<T>(&mut self.free, len + pad);
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

/// The `Vec<T>` of `list` of least capacity that holds `len` elements, else the largest (to be
/// grown), else a new one: a task's pool passes to the next task on its worker, and a buffer
/// taken for a large box and given back must not be handed out for small ones while the next
/// large box grows another.
fn fitting<T: Send + 'static>(list: &mut Vec<Box<dyn Any + Send>>, len: usize) -> Vec<T> {
    let capacity = |b: &Box<dyn Any + Send>| b.downcast_ref::<Vec<T>>().map(Vec::capacity);
    let fits = (0..list.len())
        .filter_map(|i| Some((i, capacity(&list[i])?)))
        .filter(|&(_, c)| c >= len)
        .min_by_key(|&(_, c)| c);
    let best = fits.or_else(|| {
        (0..list.len())
            .filter_map(|i| Some((i, capacity(&list[i])?)))
            .max_by_key(|&(_, c)| c)
    });
    match best {
        Some((i, _)) => *list
            .swap_remove(i)
            .downcast::<Vec<T>>()
            .expect("checked by downcast_ref"),
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
        assert_eq!((pool.blocks.len(), pool.free.len()), (1, 1));
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
        assert_eq!(pool.free.len(), 1, "the small buffer stays");
    }
}
