//! `chunkwise.delayed`: Python functions as a task graph on the core's `Delayed` (tasks run on
//! the engine's workers and overlap where they release the GIL, as `time.sleep` does).

use std::sync::Arc;

use chunkwise::Config;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::array::config;
use crate::blocks::keep_python_error;

/// A Python value as a task's value (shared: the core's values are `Clone`).
type Value = Arc<Py<PyAny>>;

/// A lazy Python value: the result of a `delayed` function call, computed by `compute()`.
#[pyclass(name = "Delayed", module = "chunkwise", frozen)]
pub struct Delayed {
    pub inner: chunkwise::Delayed<Value>,
}

/// A task that calls `call(values)` with the values of `deps`, in order (the Python layer's
/// `call` puts them back where the arguments held them).
#[pyfunction]
pub fn _delayed_call(name: String, call: Py<PyAny>, deps: Vec<Py<Delayed>>) -> Delayed {
    let deps: Vec<chunkwise::Delayed<Value>> = deps.iter().map(|d| d.get().inner.clone()).collect();
    let call = Arc::new(call);
    let gathered = chunkwise::delayed::gather(format!("{name} (inputs)"), &deps);
    let task_name = name.clone();
    let inner = gathered.try_then(name, move |values: &Vec<Value>| {
        Python::attach(|py| {
            let list = PyList::new(py, values.iter().map(|v| v.bind(py)))?;
            call.bind(py).call1((list,)).map(|r| Arc::new(r.unbind()))
        })
        .map_err(|e| chunkwise::Error::Task {
            task: task_name.clone(),
            reason: keep_python_error(e),
        })
    });
    Delayed { inner }
}

#[pymethods]
impl Delayed {
    /// Runs the graph (independent tasks in parallel, the GIL released while waiting) and
    /// returns the value.
    #[pyo3(signature = (num_workers=None))]
    fn compute(&self, py: Python<'_>, num_workers: Option<usize>) -> PyResult<Py<PyAny>> {
        let d = self.inner.clone();
        let v = crate::run::run(py, config(num_workers)?, move |cfg: &Config| {
            d.compute_arc_with(cfg)
        })?;
        Ok(v.clone_ref(py))
    }

    /// The task's name.
    #[getter]
    fn key(&self) -> String {
        self.inner.name().to_string()
    }

    fn __repr__(&self) -> String {
        format!("Delayed({:?})", self.inner.name())
    }
}
