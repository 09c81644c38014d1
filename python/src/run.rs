//! Running the engine from Python: the GIL released, Ctrl-C honoured.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use chunkwise::Config;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// How often a waiting compute looks for a pending signal (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Runs `work` on the engine's pool with the GIL released, so other Python threads run. The
/// calling thread waits, and every [`SIGNAL_POLL`] runs Python's signal handlers: a
/// `KeyboardInterrupt` (or any exception a handler raises) cancels the compute through
/// [`Config::cancel_on`], waits for the running tasks to end, and is raised.
pub fn run<R: Send + 'static>(
    py: Python<'_>,
    cfg: Config,
    work: impl FnOnce(&Config) -> chunkwise::Result<R> + Send + 'static,
) -> PyResult<R> {
    if rayon::current_thread_index().is_some() {
        // Called from a block function or a delayed task on a pool thread: waiting there for a
        // job spawned on the same pool could take the pool's last thread. Run it here instead
        // (signals are only seen on the main thread anyway).
        return py.detach(move || work(&cfg)).map_err(|e| {
            crate::blocks::take_python_error(&e).unwrap_or_else(|| crate::errors::to_py(e))
        });
    }
    let flag = Arc::new(AtomicBool::new(false));
    let cfg = cfg.cancel_on(flag.clone());
    let (tx, rx) = sync_channel(1);
    // On the pool rather than a thread of its own: no thread is created per compute.
    rayon::spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(|| work(&cfg)));
        let _ = tx.send(r);
    });
    let (outcome, interrupted) = py.detach(move || {
        let mut interrupted: Option<PyErr> = None;
        loop {
            match rx.recv_timeout(SIGNAL_POLL) {
                Ok(r) => return (Some(r), interrupted),
                Err(RecvTimeoutError::Timeout) => {
                    if interrupted.is_none()
                        && let Err(e) = Python::attach(|py| py.check_signals())
                    {
                        flag.store(true, Ordering::Relaxed);
                        interrupted = Some(e);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return (None, interrupted),
            }
        }
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    match outcome {
        // A Python exception raised by a block function comes back as itself.
        Some(Ok(r)) => r.map_err(|e| {
            crate::blocks::take_python_error(&e).unwrap_or_else(|| crate::errors::to_py(e))
        }),
        Some(Err(_)) | None => Err(PyRuntimeError::new_err(
            "chunkwise: the engine panicked (a bug: please report it with the code that led here)",
        )),
    }
}
