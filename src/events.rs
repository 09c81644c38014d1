//! The executor's one event interface: a compute starts, tasks start and end (with the worker,
//! the elements and the bytes they produced), the compute ends. The progress bar and the
//! profiler are observers; a user adds their own with [`Config::observer`](crate::Config::observer).

use std::sync::atomic::{AtomicU64, Ordering};
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
}

impl Events {
    pub(crate) fn new(observers: Vec<Arc<dyn Observer>>) -> Self {
        Events {
            observers: Arc::new(observers),
            next: Arc::new(AtomicU64::new(0)),
        }
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

    /// Runs `f` as one task, reporting its start and end.
    pub(crate) fn task<R, E>(
        &self,
        name: impl FnOnce() -> String,
        elements: u64,
        bytes: u64,
        f: impl FnOnce() -> Result<R, E>,
    ) -> Result<R, E> {
        if self.observers.is_empty() {
            return f();
        }
        let info = TaskInfo {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            name: name(),
            worker: rayon::current_thread_index(),
            elements,
            bytes,
            start: Instant::now(),
        };
        for o in self.observers.iter() {
            o.on_task_start(&info);
        }
        let r = f();
        let elapsed = info.start.elapsed();
        for o in self.observers.iter() {
            o.on_task_end(&info, elapsed, r.is_ok());
        }
        r
    }
}
