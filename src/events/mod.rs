//! The executor's one event interface: a compute starts, tasks start and end (with the worker,
//! the elements and the bytes they produced), the compute ends. The progress bar and the
//! profiler are observers; a user adds their own with [`Config::observer`](crate::Config::observer).
//! The progress bar lives here, below the executor whose [`Config`](crate::Config) adds it
//! (and is re-exported as `diagnostics::ProgressBar`).

mod progress;

pub use progress::ProgressBar;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a compute is about to do.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputeInfo {
    /// Name of the result's op (or of the delayed task).
    pub name: String,
    /// Tasks it will run in all.
    pub total_tasks: u64,
    /// Elements its tasks will produce in all (0 for delayed tasks).
    pub total_elements: u64,
    /// When it started.
    pub start: Instant,
}

/// One task of a compute.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    /// Number of the task in this compute, from 0, in the order tasks start.
    pub id: u64,
    /// What it computes: the op and its chunk, e.g. `sum [3]`, or a delayed task's name.
    pub name: String,
    /// The rayon worker it runs on (`rayon::current_thread_index`), if any.
    pub worker: Option<usize>,
    /// Elements it produces (a chunk's, or a partial's input).
    pub elements: u64,
    /// Bytes it produces.
    pub bytes: u64,
    /// When it started.
    pub start: Instant,
    /// Bytes of array data it read from files (`.npy` regions, decoded Zarr chunks); known at
    /// the end (0 in `on_task_start`).
    pub read_bytes: u64,
    /// The reads that brought them: positioned reads of a `.npy` file, decoded Zarr chunks;
    /// known at the end.
    pub reads: u64,
    /// Bytes of array data it wrote to files; known at the end (0 in `on_task_start`).
    pub written_bytes: u64,
}

/// Receives the executor's events. Every method has an empty default; calls come from the
/// worker threads, so implementations synchronize themselves and should be quick.
pub trait Observer: Send + Sync {
    /// A compute is about to start.
    fn on_compute_start(&self, _info: &ComputeInfo) {}
    /// A task started.
    fn on_task_start(&self, _task: &TaskInfo) {}
    /// A task ended after `elapsed`; `ok` is false if it failed.
    fn on_task_end(&self, _task: &TaskInfo, _elapsed: Duration, _ok: bool) {}
    /// The compute ended; `ok` is false if it failed.
    fn on_compute_end(&self, _info: &ComputeInfo, _ok: bool) {}
}

/// The executor's side: forwards events to the observers, numbering tasks.
#[derive(Clone, Default)]
pub(crate) struct Events {
    observers: Arc<Vec<Arc<dyn Observer>>>,
    next: Arc<AtomicU64>,
    /// Set from another thread to stop the compute: tasks not yet started fail with
    /// [`Error::Cancelled`] instead of running.
    cancel: Option<Arc<AtomicBool>>,
}

impl Events {
    pub(crate) fn new(observers: Vec<Arc<dyn Observer>>) -> Self {
        Events {
            observers: Arc::new(observers),
            next: Arc::new(AtomicU64::new(0)),
            cancel: None,
        }
    }

    /// The same events, stopped when `flag` is set.
    pub(crate) fn cancelled_by(mut self, flag: Option<Arc<AtomicBool>>) -> Self {
        self.cancel = flag;
        self
    }

    pub(crate) fn compute_start(&self, info: &ComputeInfo) {
        for o in self.observers.iter() {
            o.on_compute_start(info);
        }
    }

    pub(crate) fn compute_end(&self, info: &ComputeInfo, ok: bool) {
        for o in self.observers.iter() {
            o.on_compute_end(info, ok);
        }
    }

    /// Runs `f` as one task, reporting its start and end (with the file bytes it read and
    /// wrote, counted by [`count_read`] and [`count_written`] on this thread).
    pub(crate) fn task<R>(
        &self,
        name: impl FnOnce() -> String,
        elements: u64,
        bytes: u64,
        f: impl FnOnce() -> Result<R>,
    ) -> Result<R> {
        if let Some(flag) = &self.cancel
            && flag.load(Ordering::Relaxed)
        {
            return Err(Error::Cancelled);
        }
        // Long tasks look at the flag between their tiles too (`check_cancelled`). Set even
        // without a flag: a thread waiting inside another compute's task may run this one.
        let _cancel = CancelScope::enter(self.cancel.clone());
        if self.observers.is_empty() {
            return f();
        }
        let mut info = TaskInfo {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            name: name(),
            worker: rayon::current_thread_index(),
            elements,
            bytes,
            start: Instant::now(),
            read_bytes: 0,
            reads: 0,
            written_bytes: 0,
        };
        for o in self.observers.iter() {
            o.on_task_start(&info);
        }
        // A task may run a compute of its own (a delayed task): the outer count resumes after.
        let outer = FILE_BYTES.with(|c| c.replace(FileCounts::default()));
        let r = f();
        let inner = FILE_BYTES.with(|c| c.replace(outer));
        FILE_BYTES.with(|c| {
            let o = c.get();
            c.set(FileCounts {
                read: o.read + inner.read,
                reads: o.reads + inner.reads,
                written: o.written + inner.written,
            });
        });
        info.read_bytes = inner.read;
        info.reads = inner.reads;
        info.written_bytes = inner.written;
        let elapsed = info.start.elapsed();
        for o in self.observers.iter() {
            o.on_task_end(&info, elapsed, r.is_ok());
        }
        r
    }
}

/// What the task running on a thread has read from and written to files.
#[derive(Debug, Clone, Copy, Default)]
struct FileCounts {
    read: u64,
    reads: u64,
    written: u64,
}

thread_local! {
    /// File bytes read and written by the task running on this thread.
    static FILE_BYTES: std::cell::Cell<FileCounts> = const {
        std::cell::Cell::new(FileCounts { read: 0, reads: 0, written: 0 })
    };
    /// The cancel flag of the compute whose task runs on this thread.
    static CANCEL: std::cell::RefCell<Option<Arc<AtomicBool>>> = const { std::cell::RefCell::new(None) };
}

/// The running task's cancel flag, on this thread for the task's length (the outer task's flag
/// comes back after a nested compute's task).
struct CancelScope {
    outer: Option<Arc<AtomicBool>>,
}

impl CancelScope {
    fn enter(flag: Option<Arc<AtomicBool>>) -> Self {
        CancelScope {
            outer: CANCEL.with(|c| c.replace(flag)),
        }
    }
}

impl Drop for CancelScope {
    fn drop(&mut self) {
        let outer = self.outer.take();
        CANCEL.with(|c| *c.borrow_mut() = outer);
    }
}

/// [`Error::Cancelled`] if the compute of the task running on this thread was cancelled: what a
/// long task calls between pieces of its work, so that a cancel does not wait for it to end.
pub(crate) fn check_cancelled() -> Result<()> {
    if cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(())
}

/// Whether the compute of the task running on this thread was cancelled (its
/// [`Config::cancel_on`](crate::Config::cancel_on) flag is set); `false` outside a task. A block
/// function that runs long can look between pieces of its work and return early: a block
/// function's result made after a cancel is not used, the compute fails with
/// [`Error::Cancelled`].
///
/// ```
/// use std::sync::{atomic::{AtomicBool, Ordering}, Arc};
/// let flag = Arc::new(AtomicBool::new(false));
/// let seen = flag.clone();
/// let x = chunkwise::arange(4).map_blocks(move |b| {
///     seen.store(true, Ordering::Relaxed); // as a Ctrl-C handler would, mid-compute
///     assert!(chunkwise::events::cancelled());
///     b.to_owned()
/// });
/// let cfg = chunkwise::Config::default().cancel_on(flag);
/// assert!(matches!(x.compute_with(&cfg), Err(chunkwise::Error::Cancelled)));
/// assert!(!chunkwise::events::cancelled()); // no task runs here
/// ```
pub fn cancelled() -> bool {
    CANCEL.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    })
}

/// The cancel flag of the compute whose task runs on this thread
/// ([`Config::cancel_on`](crate::Config::cancel_on)), or `None` outside a task or for a compute
/// without one: what a block function keeps to tell whoever runs its work (another thread,
/// another runtime) which compute it belongs to. The Python package uses it to interrupt the
/// Python functions of a compute that Ctrl-C cancels.
///
/// ```
/// use std::sync::{atomic::AtomicBool, Arc};
/// let flag = Arc::new(AtomicBool::new(false));
/// let mine = flag.clone();
/// let x = chunkwise::arange(4).map_blocks(move |b| {
///     let running = chunkwise::events::cancel_flag().expect("inside a task");
///     assert!(Arc::ptr_eq(&running, &mine));
///     b.to_owned()
/// });
/// x.compute_with(&chunkwise::Config::default().cancel_on(flag))?;
/// assert!(chunkwise::events::cancel_flag().is_none());
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn cancel_flag() -> Option<Arc<AtomicBool>> {
    CANCEL.with(|c| c.borrow().clone())
}

/// Counts one read of `n` bytes of array data from a file by the current task (for its
/// `TaskInfo`).
pub(crate) fn count_read(n: usize) {
    FILE_BYTES.with(|c| {
        let mut f = c.get();
        f.read = f.read.saturating_add(n as u64);
        f.reads = f.reads.saturating_add(1);
        c.set(f);
    });
}

/// Counts `n` bytes of array data written to a file by the current task.
pub(crate) fn count_written(n: usize) {
    FILE_BYTES.with(|c| {
        let mut f = c.get();
        f.written = f.written.saturating_add(n as u64);
        c.set(f);
    });
}
