//! The profiler: per-task start, end, worker, elements and bytes (Dask's `Profiler`), and the
//! process's memory and CPU sampled over the compute (Dask's `ResourceProfiler`), written as an
//! SVG timeline (one row per worker, tasks as bars, memory and CPU beneath) and as JSON.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use plotters::prelude::*;
use serde::Serialize;

use super::{write_atomic, MemorySampler};
use crate::error::{Error, Result};
use crate::events::{ComputeInfo, Observer, TaskInfo};

/// One task of a profiled compute; times in seconds from the compute's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskRecord {
    /// Task number, in start order.
    pub id: u64,
    /// The op and chunk, or the delayed task's name.
    pub name: String,
    /// The worker it ran on.
    pub worker: Option<usize>,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// Elements produced.
    pub elements: u64,
    /// Bytes produced.
    pub bytes: u64,
    /// Bytes of array data read from files.
    pub read_bytes: u64,
    /// The reads that brought them (positioned reads of a `.npy` file, decoded Zarr chunks).
    pub reads: u64,
    /// Bytes of array data written to files.
    pub written_bytes: u64,
    /// Whether it succeeded.
    pub ok: bool,
}

/// One reading of the process's resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceSample {
    /// Seconds from the compute's start.
    pub seconds: f64,
    /// Resident memory, bytes.
    pub rss_bytes: u64,
    /// CPU load since the previous sample, percent of one core (200 = two busy cores).
    pub cpu_percent: f64,
}

/// What a [`Profiler`] recorded of the last compute it observed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProfileRecord {
    /// The compute's name.
    pub name: String,
    /// Wall seconds of the compute.
    pub seconds: f64,
    /// Every task, in the order they ended.
    pub tasks: Vec<TaskRecord>,
    /// Memory and CPU over time.
    pub resources: Vec<ResourceSample>,
}

/// An [`Observer`] that records tasks and samples memory and CPU every `interval`.
///
/// ```
/// use std::sync::Arc;
/// use chunkwise::prelude::*;
/// use chunkwise::diagnostics::Profiler;
/// let prof = Arc::new(Profiler::new(std::time::Duration::from_millis(5)));
/// let x = chunkwise::arange(1 << 20).rechunk(1 << 17)?;
/// let s = x.sum();
/// s.compute_with(&Config::default().observer(prof.clone()))?;
/// let rec = prof.record();
/// assert_eq!(rec.tasks.len() as u64, s.plan()?.total_tasks());
/// assert_eq!(rec.tasks.len(), 8);
/// assert!(rec.to_json().contains("\"tasks\""));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct Profiler {
    interval: Duration,
    running: Mutex<Option<(Instant, MemorySampler)>>,
    record: Mutex<ProfileRecord>,
}

impl Profiler {
    /// A profiler sampling resources every `interval`.
    pub fn new(interval: Duration) -> Self {
        Profiler {
            interval,
            running: Mutex::new(None),
            record: Mutex::new(ProfileRecord::default()),
        }
    }

    /// What it recorded of the last compute.
    pub fn record(&self) -> ProfileRecord {
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Observer for Profiler {
    fn on_compute_start(&self, info: &ComputeInfo) {
        *self.record.lock().unwrap_or_else(|e| e.into_inner()) = ProfileRecord {
            name: info.name.clone(),
            ..Default::default()
        };
        let sampler = MemorySampler::start_at(self.interval, info.start);
        *self.running.lock().unwrap_or_else(|e| e.into_inner()) = Some((info.start, sampler));
    }

    fn on_task_end(&self, task: &TaskInfo, elapsed: Duration, ok: bool) {
        let t0 = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(t, _)| *t);
        let Some(t0) = t0 else { return };
        let start = task.start.saturating_duration_since(t0).as_secs_f64();
        self.record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tasks
            .push(TaskRecord {
                id: task.id,
                name: task.name.clone(),
                worker: task.worker,
                start,
                end: start + elapsed.as_secs_f64(),
                elements: task.elements,
                bytes: task.bytes,
                read_bytes: task.read_bytes,
                reads: task.reads,
                written_bytes: task.written_bytes,
                ok,
            });
    }

    fn on_compute_end(&self, info: &ComputeInfo, _ok: bool) {
        let running = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let samples = running.map(|(_, s)| s.stop()).unwrap_or_default();
        let mut rec = self.record.lock().unwrap_or_else(|e| e.into_inner());
        rec.seconds = info.start.elapsed().as_secs_f64();
        rec.resources = samples
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let cpu = if i == 0 {
                    0.0
                } else {
                    let p = &samples[i - 1];
                    100.0 * (s.cpu_seconds - p.cpu_seconds) / (s.seconds - p.seconds).max(1e-9)
                };
                ResourceSample {
                    seconds: s.seconds,
                    rss_bytes: s.rss_bytes,
                    cpu_percent: cpu.max(0.0),
                }
            })
            .collect();
    }
}

impl ProfileRecord {
    /// The record as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serializes")
    }

    /// Writes [`to_json`](Self::to_json) to `path`, atomically.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic("write_json", path.as_ref(), self.to_json().as_bytes())
    }

    /// Number of distinct workers that ran tasks.
    pub fn workers(&self) -> usize {
        let mut w: Vec<usize> = self.tasks.iter().filter_map(|t| t.worker).collect();
        w.sort_unstable();
        w.dedup();
        w.len()
    }

    /// The timeline as SVG: one row per worker with a bar per task (coloured by op), and memory
    /// and CPU over time beneath, on the same time axis.
    pub fn to_svg(&self) -> Result<String> {
        let err = |e: &dyn std::fmt::Display| Error::Io {
            op: "profile svg".into(),
            path: self.name.clone(),
            reason: e.to_string(),
        };
        let end = self
            .tasks
            .iter()
            .map(|t| t.end)
            .chain(self.resources.iter().map(|r| r.seconds))
            .fold(self.seconds, f64::max)
            .max(1e-6);
        let mut workers: Vec<usize> = self
            .tasks
            .iter()
            .map(|t| t.worker.map_or(0, |w| w + 1))
            .collect();
        workers.sort_unstable();
        workers.dedup();
        let rows = workers.len().max(1);
        let row_of = |t: &TaskRecord| {
            workers
                .iter()
                .position(|&w| w == t.worker.map_or(0, |w| w + 1))
                .unwrap_or(0)
        };
        let mut ops: Vec<String> = self.tasks.iter().map(|t| op_of(&t.name)).collect();
        ops.sort();
        ops.dedup();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1000, 760)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| err(&e))?;
            let (top, bottom) = root.split_vertically(420);
            let (mem, cpu) = bottom.split_vertically(170);
            let mut chart = ChartBuilder::on(&top)
                .caption(
                    format!(
                        "{}: {} tasks on {} worker(s), {:.3} s",
                        self.name,
                        self.tasks.len(),
                        self.workers(),
                        self.seconds
                    ),
                    ("sans-serif", 20),
                )
                .margin(12)
                .x_label_area_size(30)
                .y_label_area_size(90)
                .build_cartesian_2d(0.0..end, 0.0..rows as f64)
                .map_err(|e| err(&e))?;
            let labels: Vec<String> = workers
                .iter()
                .map(|&w| {
                    if w == 0 {
                        "caller".to_string()
                    } else {
                        format!("worker {}", w - 1)
                    }
                })
                .collect();
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(rows * 2 + 1)
                .y_label_formatter(&|y| {
                    let i = (*y - 0.5).round();
                    if (*y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                        labels[i as usize].clone()
                    } else {
                        String::new()
                    }
                })
                .x_desc("seconds")
                .draw()
                .map_err(|e| err(&e))?;
            for (k, op) in ops.iter().enumerate() {
                let color = Palette99::pick(k).to_rgba();
                let bars = self
                    .tasks
                    .iter()
                    .filter(|t| &op_of(&t.name) == op)
                    .map(|t| {
                        let r = row_of(t) as f64;
                        Rectangle::new(
                            [
                                (t.start, r + 0.1),
                                (t.end.max(t.start + end * 1e-4), r + 0.9),
                            ],
                            color.filled(),
                        )
                    });
                chart
                    .draw_series(bars)
                    .map_err(|e| err(&e))?
                    .label(op.as_str())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                    });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
            let mib: Vec<(f64, f64)> = self
                .resources
                .iter()
                .map(|r| (r.seconds, r.rss_bytes as f64 / 1048576.0))
                .collect();
            let cpu_pts: Vec<(f64, f64)> = self
                .resources
                .iter()
                .map(|r| (r.seconds, r.cpu_percent))
                .collect();
            for (area, pts, label, color) in [
                (&mem, mib, "memory (MiB)", BLUE),
                (&cpu, cpu_pts, "CPU (%)", RED),
            ] {
                let top_y = pts.iter().map(|p| p.1).fold(1.0, f64::max) * 1.1;
                let mut c = ChartBuilder::on(area)
                    .margin(12)
                    .x_label_area_size(30)
                    .y_label_area_size(90)
                    .build_cartesian_2d(0.0..end, 0.0..top_y)
                    .map_err(|e| err(&e))?;
                c.configure_mesh()
                    .y_desc(label)
                    .x_desc("seconds")
                    .draw()
                    .map_err(|e| err(&e))?;
                c.draw_series(LineSeries::new(pts, color.stroke_width(2)))
                    .map_err(|e| err(&e))?;
            }
            root.present().map_err(|e| err(&e))?;
        }
        Ok(svg)
    }

    /// Writes [`to_svg`](Self::to_svg) to `path`, atomically.
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomic("write_svg", path.as_ref(), self.to_svg()?.as_bytes())
    }
}

/// The op of a task name (`"sum [0..5]"` -> `"sum"`).
fn op_of(name: &str) -> String {
    name.split(" [").next().unwrap_or(name).to_string()
}
