//! Seeing what a computation costs: resident memory now, at its peak and over time
//! ([`MemorySampler`], like `memory_profiler.memory_usage(interval=0.01)`), and the two ways the
//! examples report it, aligned text tables ([`Table`]) and SVG line plots ([`LinePlot`]).

mod plot;
mod profile;
mod table;
mod visualize;

pub use crate::events::ProgressBar;
pub use plot::{LinePlot, Series};
pub use profile::{ProfileRecord, Profiler, ResourceSample, TaskRecord};
pub use table::Table;
pub(crate) use visualize::{array_dot, delayed_dot, write_graph};
pub use visualize::{GraphLevel, Visualized, MAX_TASK_NODES};

use crate::error::Result;
use std::path::Path;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Peak resident set size of this process in bytes (`VmHWM` of `/proc/self/status`), or `None`
/// where the file does not exist (non-Linux systems).
///
/// ```
/// if let Some(b) = chunkwise::diagnostics::peak_rss_bytes() {
///     assert!(b > 0);
/// }
/// ```
pub fn peak_rss_bytes() -> Option<u64> {
    kib_field("/proc/self/status", "VmHWM:")
}

/// Current resident set size of this process in bytes (`VmRSS`), or `None` off Linux.
pub fn current_rss_bytes() -> Option<u64> {
    kib_field("/proc/self/status", "VmRSS:")
}

/// Memory the kernel says can be allocated without swapping (`MemAvailable` of
/// `/proc/meminfo`), or `None` off Linux.
pub fn available_memory_bytes() -> Option<u64> {
    kib_field("/proc/meminfo", "MemAvailable:")
}

fn kib_field(file: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(file).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// CPU time this process has used so far, user plus system, in seconds (`/proc/self/stat`),
/// or `None` off Linux.
pub fn process_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux ABI.
    Some(ticks as f64 / 100.0)
}

/// Writes `bytes` to `path` atomically, through the same [`Pending`](crate::files::Pending) file as
/// the array sinks: a temporary beside it, flushed and renamed, so that a failure leaves nothing
/// half-written.
pub(crate) fn write_atomic(op: &str, path: &Path, bytes: &[u8]) -> Result<()> {
    let pending = crate::files::Pending::create(op, path)?;
    crate::files::write_all_at(pending.file(), bytes, 0)
        .map_err(|e| crate::files::io_error(op, path, e))?;
    pending.commit(op, true)
}

/// Peak RSS in MiB, for `peak_rss_mib: ...` lines (0 where unknown).
pub fn peak_rss_mib() -> f64 {
    peak_rss_bytes().map_or(0.0, |b| b as f64 / (1024.0 * 1024.0))
}

/// One reading of a [`MemorySampler`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Seconds since the sampler started.
    pub seconds: f64,
    /// Resident set size in bytes.
    pub rss_bytes: u64,
    /// CPU seconds the process had used (user + system), for CPU load between samples.
    pub cpu_seconds: f64,
}

/// Reads this process's resident memory every `interval` on a background thread until stopped,
/// as `memory_profiler.memory_usage(f, interval=0.01)` does in the lesson.
///
/// ```
/// use std::time::Duration;
/// let sampler = chunkwise::diagnostics::MemorySampler::start(Duration::from_millis(5));
/// let v = vec![1u8; 50 << 20];
/// std::thread::sleep(Duration::from_millis(30));
/// drop(v);
/// let samples = sampler.stop();
/// assert!(samples.len() >= 2);
/// assert!(samples.windows(2).all(|w| w[0].seconds <= w[1].seconds));
/// ```
pub struct MemorySampler {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Vec<Sample>>>,
}

impl MemorySampler {
    /// Starts sampling now; the first sample is taken at once.
    pub fn start(interval: Duration) -> Self {
        Self::start_at(interval, Instant::now())
    }

    /// Starts sampling now, with sample times counted from `t0`.
    pub fn start_at(interval: Duration, t0: Instant) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut samples = Vec::new();
            loop {
                let rss = current_rss_bytes().unwrap_or(0);
                samples.push(Sample {
                    seconds: t0.elapsed().as_secs_f64(),
                    rss_bytes: rss,
                    cpu_seconds: process_cpu_seconds().unwrap_or(0.0),
                });
                if flag.load(Ordering::Relaxed) {
                    return samples;
                }
                std::thread::sleep(interval);
            }
        });
        MemorySampler {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops the thread (after one last sample) and returns every sample, in time order.
    pub fn stop(mut self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for MemorySampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// ## Pictures
///
/// (Defined here, beside the pictures, so that `delayed` does not import `diagnostics`.)
impl<T: Send + Sync + 'static> crate::delayed::Delayed<T> {
    /// The graph as Graphviz DOT: one node per task, an edge from each input to its user.
    pub fn to_dot(&self) -> String {
        delayed_dot(&self.node)
    }

    /// Writes the graph to `path` as DOT, and beside it as SVG where Graphviz's `dot` is
    /// installed (Dask's `.visualize()`).
    pub fn visualize(&self, path: impl AsRef<std::path::Path>) -> Result<Visualized> {
        write_graph(path.as_ref(), &self.to_dot())
    }
}
