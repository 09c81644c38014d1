//! The profiler (Dask's `Profiler` and `ResourceProfiler`) and graph pictures for Python.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chunkwise::diagnostics::{GraphLevel, ProfileRecord, Profiler, Visualized};
use chunkwise::events::{ComputeInfo, Observer, TaskInfo};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::IntoPy;

/// The profilers whose `with` block is open: every compute reports to each.
fn active() -> &'static Mutex<Vec<Arc<Recorder>>> {
    static ACTIVE: Mutex<Vec<Arc<Recorder>>> = Mutex::new(Vec::new());
    &ACTIVE
}

/// The observers of the open profilers, for a compute's [`chunkwise::Config`].
pub fn observers() -> Vec<Arc<dyn Observer>> {
    active()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|r| r.clone() as Arc<dyn Observer>)
        .collect()
}

/// The core's [`Profiler`] records one compute; this keeps every compute of a `with` block,
/// each with its start in seconds from the block's start. Computes that overlap (one started
/// inside a delayed task or a block function, or from another thread meanwhile) join the record
/// of the first: their tasks are its tasks.
struct Recorder {
    opened: Instant,
    profiler: Profiler,
    /// Computes running, and the first one's start from `opened`.
    running: Mutex<(usize, f64)>,
    done: Mutex<Vec<(f64, ProfileRecord)>>,
}

impl Observer for Recorder {
    fn on_compute_start(&self, info: &ComputeInfo) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.0 += 1;
        if running.0 == 1 {
            running.1 = info
                .start
                .saturating_duration_since(self.opened)
                .as_secs_f64();
            self.profiler.on_compute_start(info);
        }
    }
    fn on_task_start(&self, task: &TaskInfo) {
        self.profiler.on_task_start(task);
    }
    fn on_task_end(&self, task: &TaskInfo, elapsed: Duration, ok: bool) {
        self.profiler.on_task_end(task, elapsed, ok);
    }
    fn on_compute_end(&self, info: &ComputeInfo, ok: bool) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.0 = running.0.saturating_sub(1);
        if running.0 == 0 {
            self.profiler.on_compute_end(info, ok);
            self.done
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((running.1, self.profiler.record()));
        }
    }
}

/// The recording behind `chunkwise.Profiler`: tasks and resources of every compute run while
/// it is open.
#[pyclass(name = "_Profiler", module = "chunkwise", frozen)]
pub struct PyProfiler {
    recorder: Arc<Recorder>,
}

#[pymethods]
impl PyProfiler {
    /// A recording that samples memory and CPU every `interval` seconds.
    #[new]
    fn new(interval: f64) -> PyResult<Self> {
        if !(interval.is_finite() && interval > 0.0) {
            return Err(PyValueError::new_err(format!(
                "Profiler: interval must be a positive number of seconds, not {interval}"
            )));
        }
        Ok(PyProfiler {
            recorder: Arc::new(Recorder {
                opened: Instant::now(),
                profiler: Profiler::new(Duration::from_secs_f64(interval)),
                running: Mutex::new((0, 0.0)),
                done: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Starts recording the computes of every thread.
    fn _open(&self) {
        active()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(self.recorder.clone());
    }

    /// Stops recording.
    fn _close(&self) {
        active()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|r| !Arc::ptr_eq(r, &self.recorder));
    }

    /// Every task: `(name, compute, start, end, worker, elements, bytes, ok)`, times in seconds
    /// from the profiler's creation.
    #[allow(clippy::type_complexity)]
    fn _tasks(&self) -> Vec<(String, String, f64, f64, Option<usize>, u64, u64, bool)> {
        let done = self.recorder.done.lock().unwrap_or_else(|p| p.into_inner());
        done.iter()
            .flat_map(|(offset, rec)| {
                rec.tasks.iter().map(move |t| {
                    (
                        t.name.clone(),
                        rec.name.clone(),
                        offset + t.start,
                        offset + t.end,
                        t.worker,
                        t.elements,
                        t.bytes,
                        t.ok,
                    )
                })
            })
            .collect()
    }

    /// Memory and CPU samples: `(seconds, resident bytes, CPU percent of one core)`.
    fn _resources(&self) -> Vec<(f64, u64, f64)> {
        let done = self.recorder.done.lock().unwrap_or_else(|p| p.into_inner());
        done.iter()
            .flat_map(|(offset, rec)| {
                rec.resources
                    .iter()
                    .map(move |s| (offset + s.seconds, s.rss_bytes, s.cpu_percent))
            })
            .collect()
    }

    /// The number of computes recorded.
    fn _computes(&self) -> usize {
        self.recorder
            .done
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Writes the timeline of compute `index` (the last by default) as SVG.
    #[pyo3(signature = (path, index=None))]
    fn _write_svg(&self, py: Python<'_>, path: PathBuf, index: Option<isize>) -> PyResult<()> {
        let rec = self.record(index)?;
        py.detach(|| rec.write_svg(&path)).py_err()
    }

    /// The record of compute `index` (the last by default) as JSON.
    #[pyo3(signature = (index=None))]
    fn _json(&self, index: Option<isize>) -> PyResult<String> {
        Ok(self.record(index)?.to_json())
    }
}

impl PyProfiler {
    fn record(&self, index: Option<isize>) -> PyResult<ProfileRecord> {
        let done = self.recorder.done.lock().unwrap_or_else(|p| p.into_inner());
        let n = done.len() as isize;
        let i = index.unwrap_or(-1);
        let at = if i < 0 { n + i } else { i };
        if n == 0 || !(0..n).contains(&at) {
            return Err(PyValueError::new_err(format!(
                "Profiler: no compute {i} among the {n} recorded"
            )));
        }
        Ok(done[at as usize].1.clone())
    }
}

/// The level of graph `visualize` draws: ops as built, or the plan's fused passes, or tasks.
pub fn level_of(optimize_graph: bool, tasks: bool) -> GraphLevel {
    match (tasks, optimize_graph) {
        (true, _) => GraphLevel::Tasks,
        (false, true) => GraphLevel::Optimized,
        (false, false) => GraphLevel::Ops,
    }
}

/// The file a picture is in: the SVG where Graphviz made one, else the DOT file (a warning
/// says why).
pub fn picture_path(py: Python<'_>, v: Visualized) -> PyResult<String> {
    if let Some(note) = &v.note {
        let warnings = py.import("warnings")?;
        warnings.call_method1(
            "warn",
            (
                note.as_str(),
                py.get_type::<pyo3::exceptions::PyRuntimeWarning>(),
            ),
        )?;
    }
    Ok(v.svg.unwrap_or(v.dot).display().to_string())
}
