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
        // (signals are only seen on the main thread anyway), cancelled with the compute whose
        // task this is.
        let cfg = match chunkwise::events::cancel_flag() {
            Some(flag) => cfg.cancel_on(flag),
            None => cfg,
        };
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
        // A Python exception a block function raised before the cancel is not raised: not
        // kept either.
        if let Some(Ok(Err(failed))) = &outcome {
            let _ = crate::blocks::take_python_error(failed);
        }
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
    /// Which call this is: numbered in the order they start, so a thread's innermost call (a
    /// function that runs a nested compute may have its thread run other tasks meanwhile) is
    /// its highest.
    call: u64,
    /// The thread, as `threading.get_ident()` names it.
    thread: std::os::raw::c_ulong,
    /// The cancel flag of the compute the function runs for.
    compute: Arc<AtomicBool>,
    /// Whether a `KeyboardInterrupt` is pending on the thread for this call.
    sent: bool,
}

/// The threads inside Python functions now. Read and changed only with the GIL held, so that
/// an interrupt is never sent to a thread that has left the call it was meant for.
fn in_python(_py: Python<'_>) -> MutexGuard<'static, Vec<InPython>> {
    static IN_PYTHON: Mutex<Vec<InPython>> = Mutex::new(Vec::new());
    IN_PYTHON.lock().unwrap_or_else(|p| p.into_inner())
}

/// The innermost call of `thread` in `calls`.
fn innermost(calls: &mut [InPython], thread: std::os::raw::c_ulong) -> Option<&mut InPython> {
    calls
        .iter_mut()
        .filter(|c| c.thread == thread)
        .max_by_key(|c| c.call)
}

/// Raises `KeyboardInterrupt` in `thread` at its next Python instruction (with `interrupt`
/// false: withdraws the one pending there).
fn send(_py: Python<'_>, thread: std::os::raw::c_ulong, interrupt: bool) {
    let exc = if interrupt {
        // SAFETY: reads the address of a static exception type of the interpreter.
        unsafe { ffi::PyExc_KeyboardInterrupt }
    } else {
        std::ptr::null_mut()
    };
    // SAFETY: the GIL is held (`_py`); the id names a thread inside a listed call (it leaves
    // the list, with the GIL, before it leaves the call), and a null exception clears.
    unsafe { ffi::PyThreadState_SetAsyncExc(thread as _, exc) };
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
        let mut calls = in_python(py);
        // Cancelled before this call was listed: the interrupts were sent without it.
        if compute.load(Ordering::Relaxed) {
            return Err(PyKeyboardInterrupt::new_err(()));
        }
        // An interrupt pending for an outer call of this thread (another compute's, or this
        // one's waiting in a nested compute) is not this call's: withdrawn, and sent again
        // when this call ends.
        if let Some(outer) = innermost(&mut calls, thread)
            && outer.sent
        {
            send(py, thread, false);
            outer.sent = false;
        }
        calls.push(InPython {
            call,
            thread,
            compute,
            sent: false,
        });
    }
    // Leaves the list however `f` ends (a Rust panic through Python included).
    struct Leave {
        call: u64,
        thread: std::os::raw::c_ulong,
    }
    impl Drop for Leave {
        fn drop(&mut self) {
            Python::attach(|py| {
                let mut calls = in_python(py);
                let Some(at) = calls.iter().position(|c| c.call == self.call) else {
                    return;
                };
                if calls.swap_remove(at).sent {
                    // One that `f` ended before running into would be raised in whatever
                    // Python code the thread runs next.
                    send(py, self.thread, false);
                }
                // The outer call of the thread, if its compute was cancelled meanwhile, gets
                // the interrupt it was not sent while this one ran.
                if let Some(outer) = innermost(&mut calls, self.thread)
                    && outer.compute.load(Ordering::Relaxed)
                    && !outer.sent
                {
                    send(py, self.thread, true);
                    outer.sent = true;
                }
            });
        }
    }
    let _leave = Leave { call, thread };
    f()
}

/// Sends `KeyboardInterrupt` to every thread whose innermost Python function runs for the
/// compute whose cancel flag is `compute` (an outer one gets it when the inner ends).
fn interrupt_python_functions(py: Python<'_>, compute: &Arc<AtomicBool>) {
    let mut calls = in_python(py);
    let threads: Vec<std::os::raw::c_ulong> = calls.iter().map(|c| c.thread).collect();
    for thread in threads {
        if let Some(c) = innermost(&mut calls, thread)
            && Arc::ptr_eq(&c.compute, compute)
            && !c.sent
        {
            send(py, thread, true);
            c.sent = true;
        }
    }
}
