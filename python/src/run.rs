//! Running the engine from Python: the GIL released, Ctrl-C honoured.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chunkwise::Config;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::ffi;
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
                    if interrupted.is_none() {
                        interrupted = Python::attach(|py| {
                            let e = py.check_signals().err()?;
                            // The flag first: a Python function that starts after the threads
                            // are interrupted sees it (`interruptible`).
                            flag.store(true, Ordering::Relaxed);
                            interrupt_python_functions(py, &flag);
                            Some(e)
                        });
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

/// A thread inside a Python function (a block function or a `delayed` task) for a compute that
/// Ctrl-C can cancel.
struct InPython {
    /// Which call this is (a thread may be inside several, nested).
    call: u64,
    /// The thread, as `threading.get_ident()` names it.
    thread: std::os::raw::c_ulong,
    /// The cancel flag of the compute the function runs for.
    compute: Arc<AtomicBool>,
    /// Whether a `KeyboardInterrupt` was sent to the thread for this call.
    sent: bool,
}

/// The threads inside Python functions now. Read and changed only with the GIL held, so that
/// an interrupt is never sent to a thread that has left the call it was meant for.
fn in_python(_py: Python<'_>) -> MutexGuard<'static, Vec<InPython>> {
    static IN_PYTHON: Mutex<Vec<InPython>> = Mutex::new(Vec::new());
    IN_PYTHON.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f`, a call into Python made by a task of a compute, so that Ctrl-C cancelling that
/// compute interrupts it: a `KeyboardInterrupt` is raised in this thread at its next Python
/// instruction (a C function it is inside, as `time.sleep` or a long NumPy call, ends first).
/// Outside a task of a cancellable compute it is `f()`.
pub fn interruptible<R>(py: Python<'_>, f: impl FnOnce() -> PyResult<R>) -> PyResult<R> {
    let Some(compute) = chunkwise::events::cancel_flag() else {
        return f();
    };
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: no precondition (it reads the calling thread's id).
    let thread = unsafe { ffi::PyThread_get_thread_ident() };
    {
        let mut now = in_python(py);
        // Cancelled before this call was listed: the interrupts were sent without it.
        if compute.load(Ordering::Relaxed) {
            return Err(PyKeyboardInterrupt::new_err(()));
        }
        now.push(InPython {
            call,
            thread,
            compute,
            sent: false,
        });
    }
    let r = f();
    // Removed with the GIL held (`f` has it back): no interrupt can be sent for it after this.
    let mut now = in_python(py);
    if let Some(at) = now.iter().position(|c| c.call == call) {
        let left = now.swap_remove(at);
        if left.sent {
            // An interrupt that `f` ended before running into would be raised in whatever
            // Python code the thread runs next: withdrawn.
            // SAFETY: the GIL is held; a null exception clears the thread's pending one.
            unsafe { ffi::PyThreadState_SetAsyncExc(thread as _, std::ptr::null_mut()) };
        }
    }
    r
}

/// Sends `KeyboardInterrupt` to every thread inside a Python function for the compute whose
/// cancel flag is `compute`.
fn interrupt_python_functions(py: Python<'_>, compute: &Arc<AtomicBool>) {
    for c in in_python(py)
        .iter_mut()
        .filter(|c| Arc::ptr_eq(&c.compute, compute) && !c.sent)
    {
        // SAFETY: the GIL is held; the thread is inside `interruptible`'s call (it leaves the
        // list, with the GIL, before it leaves the call), so the exception lands there.
        unsafe { ffi::PyThreadState_SetAsyncExc(c.thread as _, ffi::PyExc_KeyboardInterrupt) };
        c.sent = true;
    }
}
