//! The progress bar (indicatif) of a compute: tasks done, elements per second, ETA; it appears
//! only for work that runs longer than a threshold (0.5 s by default), as asked in dask/dask#584.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressDrawTarget, ProgressStyle};

use super::{ComputeInfo, Observer, TaskInfo};

struct State {
    info: ComputeInfo,
    bar: Option<indicatif::ProgressBar>,
    done: u64,
    elements: u64,
    read: u64,
    written: u64,
}

/// An [`Observer`] that draws a progress bar on standard error once a compute has run for
/// `after`. [`Config`](crate::Config) adds one by default when standard error is a terminal;
/// `Config::progress(false)` turns it off, `Config::progress(true)` on.
pub struct ProgressBar {
    after: Duration,
    hidden: bool,
    state: Mutex<Option<State>>,
    shown: Mutex<u64>,
}

impl ProgressBar {
    /// A bar that appears after `after`.
    pub fn new(after: Duration) -> Self {
        ProgressBar {
            after,
            hidden: false,
            state: Mutex::new(None),
            shown: Mutex::new(0),
        }
    }

    /// The same bookkeeping without drawing anything (for tests and for programs that read
    /// [`tasks_done`](Self::tasks_done) themselves).
    pub fn hidden(after: Duration) -> Self {
        ProgressBar {
            hidden: true,
            ..Self::new(after)
        }
    }

    /// Tasks finished in the current (or last) compute.
    pub fn tasks_done(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, |s| s.done)
    }

    /// File bytes (read, written) by the tasks of the current (or last) compute.
    pub fn file_bytes(&self) -> (u64, u64) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or((0, 0), |s| (s.read, s.written))
    }

    /// How many computes so far ran long enough for the bar to appear.
    pub fn times_shown(&self) -> u64 {
        *self.shown.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Observer for ProgressBar {
    fn on_compute_start(&self, info: &ComputeInfo) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = Some(State {
            info: info.clone(),
            bar: None,
            done: 0,
            elements: 0,
            read: 0,
            written: 0,
        });
    }

    fn on_task_end(&self, task: &TaskInfo, _elapsed: Duration, _ok: bool) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(st) = guard.as_mut() else { return };
        st.done += 1;
        st.elements += task.elements;
        st.read += task.read_bytes;
        st.written += task.written_bytes;
        let elapsed = st.info.start.elapsed();
        if st.bar.is_none() && elapsed >= self.after {
            let target = if self.hidden {
                ProgressDrawTarget::hidden()
            } else {
                ProgressDrawTarget::stderr()
            };
            let bar = indicatif::ProgressBar::with_draw_target(Some(st.info.total_tasks), target);
            let style = ProgressStyle::with_template(
                "{spinner} {prefix} [{wide_bar}] {pos}/{len} tasks, {msg}, {elapsed} elapsed, ETA {eta}",
            )
            .expect("a valid template")
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(st.info.name.clone());
            bar.enable_steady_tick(Duration::from_millis(200));
            st.bar = Some(bar);
            *self.shown.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        }
        if let Some(bar) = &st.bar {
            bar.set_position(st.done);
            let rate = st.elements as f64 / elapsed.as_secs_f64().max(1e-9);
            let mut msg = format!("{rate:.3e} elements/s");
            // Files: how much of them has gone through.
            if st.read > 0 || st.written > 0 {
                let mib = |b: u64| b as f64 / 1048576.0;
                msg += &format!(
                    ", read {:.0} MiB, wrote {:.0} MiB",
                    mib(st.read),
                    mib(st.written)
                );
            }
            bar.set_message(msg);
        }
    }

    fn on_compute_end(&self, _info: &ComputeInfo, ok: bool) {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = guard.as_mut().and_then(|s| s.bar.take()) {
            if ok {
                bar.finish();
            } else {
                bar.abandon_with_message("failed");
            }
        }
    }
}
