//! `chunkwise.delayed`: Python functions as a task graph on the core's `Delayed` (tasks run on
//! the engine's workers and overlap where they release the GIL, as `time.sleep` does).

use std::sync::Arc;

use chunkwise::Config;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::array::config;
use crate::blocks::keep_python_error;
use crate::errors::IntoPy;

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
            // All of the task's Python runs where Ctrl-C reaches it.
            crate::run::interruptible(py, || {
                let list = PyList::new(py, values.iter().map(|v| v.bind(py)))?;
                call.bind(py).call1((list,)).map(|r| Arc::new(r.unbind()))
            })
        })
        .map_err(|e| {
            if chunkwise::events::cancelled() {
                // Ctrl-C: the waiting thread raises its own `KeyboardInterrupt`.
                return chunkwise::Error::Cancelled;
            }
            chunkwise::Error::Task {
                task: task_name.clone(),
                reason: keep_python_error(e),
            }
        })
    });
    Delayed { inner }
}

/// `operator.<name>(*args)` as a delayed task (the Python layer's `_delayed_op`).
fn lazy<'py>(
    slf: &Bound<'py, Delayed>,
    name: &str,
    args: impl IntoPyObject<'py, Target = PyTuple, Output = Bound<'py, PyTuple>, Error = PyErr>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let f = py.import("chunkwise")?.getattr("_delayed_op")?;
    let mut all = vec![name.into_pyobject(py)?.into_any()];
    all.extend(args.into_pyobject(py)?.iter());
    Ok(f.call1(PyTuple::new(py, all)?)?.unbind())
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

    /// Draws the task graph: writes `filename` as Graphviz DOT and, where Graphviz is
    /// installed, as SVG (an extension given is replaced); returns the picture's path.
    #[pyo3(signature = (filename=None))]
    fn visualize(&self, py: Python<'_>, filename: Option<std::path::PathBuf>) -> PyResult<String> {
        let filename = filename.unwrap_or_else(|| "mydask".into());
        let v = self.inner.visualize(&filename).py_err()?;
        crate::diagnostics::picture_path(py, v)
    }

    /// `d.name`: a delayed attribute of the value (Dask's); names with a leading underscore
    /// are the object's own.
    fn __getattr__(slf: &Bound<'_, Self>, name: &str) -> PyResult<Py<PyAny>> {
        if name.starts_with('_') {
            return Err(pyo3::exceptions::PyAttributeError::new_err(format!(
                "'Delayed' object has no attribute {name:?}"
            )));
        }
        lazy(slf, "getattr", (slf, name))
    }

    /// `d[key]`: a delayed item of the value.
    fn __getitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "getitem", (slf, key))
    }

    /// `d(*args, **kwargs)`: a delayed call of the value (a delayed function or method).
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let f = py.import("chunkwise")?.getattr("_delayed_call_value")?;
        let mut all = vec![slf.clone().into_any()];
        all.extend(args.iter());
        Ok(f.call(PyTuple::new(py, all)?, kwargs)?.unbind())
    }

    fn __add__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "add", (slf, o))
    }
    fn __radd__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "add", (o, slf))
    }
    fn __sub__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "sub", (slf, o))
    }
    fn __rsub__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "sub", (o, slf))
    }
    fn __mul__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "mul", (slf, o))
    }
    fn __rmul__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "mul", (o, slf))
    }
    fn __truediv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "truediv", (slf, o))
    }
    fn __rtruediv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "truediv", (o, slf))
    }
    fn __floordiv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "floordiv", (slf, o))
    }
    fn __rfloordiv__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "floordiv", (o, slf))
    }
    fn __mod__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "mod", (slf, o))
    }
    fn __rmod__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "mod", (o, slf))
    }
    fn __pow__(
        slf: &Bound<'_, Self>,
        o: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        match modulo.filter(|m| !m.is_none()) {
            // `pow(d, exponent, modulo)`: builtins.pow, which operator has no three-argument
            // form of.
            Some(m) => lazy(slf, "pow3", (slf, o, m)),
            None => lazy(slf, "pow", (slf, o)),
        }
    }
    fn __rpow__(
        slf: &Bound<'_, Self>,
        o: &Bound<'_, PyAny>,
        modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        // `pow(2, d, m)` arrives here (PyO3's one power slot serves both sides).
        match modulo.filter(|m| !m.is_none()) {
            Some(m) => lazy(slf, "pow3", (o, slf, m)),
            None => lazy(slf, "pow", (o, slf)),
        }
    }
    fn __neg__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        lazy(slf, "neg", (slf,))
    }
    fn __lt__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "lt", (slf, o))
    }
    fn __le__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "le", (slf, o))
    }
    fn __gt__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "gt", (slf, o))
    }
    fn __ge__(slf: &Bound<'_, Self>, o: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        lazy(slf, "ge", (slf, o))
    }

    /// A delayed value is not iterable: its length is not known until it is computed (without
    /// this, `d[i]` would make `for v in d` run for ever).
    fn __iter__(&self) -> PyResult<()> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "a Delayed value is not iterable (its length is not known until it is computed)",
        ))
    }

    fn __len__(&self) -> PyResult<usize> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "the length of a Delayed value is not known until it is computed",
        ))
    }

    fn __contains__(&self, _item: &Bound<'_, PyAny>) -> PyResult<bool> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "membership in a Delayed value is not known until it is computed",
        ))
    }

    /// A delayed value has no truth until computed (Dask raises the same).
    fn __bool__(&self) -> PyResult<bool> {
        Err(pyo3::exceptions::PyTypeError::new_err(
            "the truth of a Delayed value is not known until it is computed",
        ))
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
