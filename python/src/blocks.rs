//! `map_blocks` and `map_overlap` with Python functions: each block goes to the function as a
//! NumPy array on a worker thread that takes the GIL only while the function runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use chunkwise::ndarray::ArrayD;
use chunkwise::{BlockSpec, Boundary, DType, DynArray, DynScalar, Element};
use numpy::{PyArrayDyn, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::array::{wrap, Array};
use crate::convert::{descr, dtype_of, from_numpy, owned_array, with_dtype};
use crate::errors::IntoPy;

/// Python exceptions raised inside block functions, by number, until the compute that met them
/// raises them in the calling thread (see [`take_python_error`]).
fn raised() -> &'static Mutex<HashMap<u64, PyErr>> {
    static RAISED: OnceLock<Mutex<HashMap<u64, PyErr>>> = OnceLock::new();
    RAISED.get_or_init(Default::default)
}

const MARK: &str = "python exception #";

/// Keeps `e` until the compute that met it raises it, and returns the text of the core error
/// that carries it there (its number, then its repr).
pub fn keep_python_error(e: PyErr) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let text = Python::attach(|py| {
        e.value(py)
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_default()
    });
    raised()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, e);
    format!("{MARK}{id}: {text}")
}

/// Keeps `e` and unwinds out of the block (the core turns the unwind into an
/// `Error::Block` whose reason carries the exception's number). `resume_unwind` does not run the
/// panic hook: nothing is printed.
fn raise_in_block(e: PyErr) -> ! {
    if chunkwise::events::cancelled() {
        // Ctrl-C (the `KeyboardInterrupt` sent into the function, or anything it raised
        // after): the waiting thread raises its own, this one is not kept.
        std::panic::resume_unwind(Box::new(String::from("cancelled")));
    }
    std::panic::resume_unwind(Box::new(keep_python_error(e)))
}

/// The Python exception behind a failed compute, if a block function raised it.
pub fn take_python_error(e: &chunkwise::Error) -> Option<PyErr> {
    let (chunkwise::Error::Block { reason, .. } | chunkwise::Error::Task { reason, .. }) = e else {
        return None;
    };
    let at = reason.find(MARK)? + MARK.len();
    let digits: String = reason[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let id: u64 = digits.parse().ok()?;
    raised()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id)
}

/// `f(*blocks)` for the blocks of one task (made NumPy arrays by `blocks`), as an array of
/// `U`.
fn call<U: Element + numpy::Element>(
    f: &Py<PyAny>,
    kwargs: &Option<Py<PyDict>>,
    blocks: impl for<'py> FnOnce(Python<'py>) -> Vec<Bound<'py, PyAny>>,
) -> ArrayD<U> {
    Python::attach(|py| {
        let run = || -> PyResult<ArrayD<U>> {
            let args = PyTuple::new(py, blocks(py))?;
            let out = f.bind(py).call(args, kwargs.as_ref().map(|k| k.bind(py)))?;
            let np = py.import("numpy")?;
            let out = if U::DTYPE == DType::Bool {
                // Bytes other than 0 and 1 (a view of u8) are not Rust bools: normalized.
                let normalized =
                    np.call_method1("not_equal", (np.call_method1("asarray", (out,))?, 0))?;
                np.call_method1("asarray", (normalized,))?
            } else {
                np.call_method1("asarray", (out, descr(py, U::DTYPE)))?
            };
            let typed = out.cast::<PyArrayDyn<U>>()?;
            Ok(typed.readonly().as_array().to_owned())
        };
        // All of the task's Python (the call and the conversions) runs where Ctrl-C reaches it,
        // and no interrupt meant for it outlives it.
        match crate::run::interruptible(py, run) {
            Ok(a) => a,
            Err(e) => raise_in_block(e),
        }
    })
}

/// The dtype `f` returns, found as Dask finds it: by calling it on one-element blocks.
fn infer_dtype(
    py: Python<'_>,
    f: &Bound<'_, PyAny>,
    kwargs: Option<&Bound<'_, PyDict>>,
    inputs: &[DynArray],
) -> PyResult<DType> {
    let np = py.import("numpy")?;
    let args: Vec<Bound<'_, PyAny>> = inputs
        .iter()
        .map(|x| np.call_method1("ones", (vec![1usize; x.ndim()], descr(py, x.dtype()))))
        .collect::<PyResult<_>>()?;
    let out = f.call(PyTuple::new(py, args)?, kwargs)?;
    let out = np.call_method1("asarray", (out,))?;
    dtype_of(Some(&out.getattr("dtype")?), DType::F64)
}

fn block_spec(
    drop_axis: Vec<usize>,
    new_axis: Vec<usize>,
    chunks: Option<Vec<usize>>,
) -> BlockSpec {
    BlockSpec {
        drop_axis,
        new_axis,
        block_shape: chunks
            .map(|c| c.into_iter().map(Some).collect())
            .unwrap_or_default(),
    }
}

/// Dask's `da.map_blocks(func, *arrays, dtype=None, chunks=None, drop_axis=(), new_axis=(),
/// **kwargs)`: `func` gets the matching blocks of the arrays (broadcast against each other,
/// each in its own dtype) as NumPy arrays that own them (no copy) and returns the block of the
/// result.
#[pyfunction]
#[allow(clippy::too_many_arguments)] // Dask's signature, keyword by keyword.
#[pyo3(signature = (func, *arrays, dtype=None, chunks=None, drop_axis=Vec::new(), new_axis=Vec::new(), **kwargs))]
pub fn map_blocks(
    py: Python<'_>,
    func: &Bound<'_, PyAny>,
    arrays: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<Vec<usize>>,
    drop_axis: Vec<usize>,
    new_axis: Vec<usize>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Array> {
    let mut inputs: Vec<DynArray> = Vec::new();
    for a in arrays.iter() {
        inputs.push(match a.cast::<Array>() {
            Ok(x) => x.get().inner().clone(),
            Err(_) => from_numpy(&a, None)?,
        });
    }
    if inputs.is_empty() {
        return Err(PyValueError::new_err("map_blocks needs at least one array"));
    }
    let out = match dtype.filter(|d| !d.is_none()) {
        Some(d) => dtype_of(Some(d), DType::F64)?,
        // Called on blocks of the dtype the real blocks arrive in.
        None => infer_dtype(py, func, kwargs, &inputs)?,
    };
    let f: Arc<Py<PyAny>> = Arc::new(func.clone().unbind());
    let kwargs: Arc<Option<Py<PyDict>>> = Arc::new(kwargs.map(|k| k.clone().unbind()));
    let spec = block_spec(drop_axis, new_axis, chunks);
    let refs: Vec<&DynArray> = inputs.iter().collect();
    let r: DynArray = with_dtype!(out, U => {
        let x = chunkwise::map_blocks_dyn::<U, _>(&refs, &spec, move |blocks| {
            call::<U>(&f, &kwargs, |py| blocks.into_iter().map(|b| owned_array(py, b)).collect())
        })
        .py_err()?;
        DynArray::from(x)
    });
    wrap(r)
}

/// Dask's `da.map_overlap(func, x, depth, boundary=None, dtype=None)`: each block with `depth`
/// neighbours on every side (an int, or one per axis), as a NumPy array over the buffer the
/// engine made it in (no copy; the function may keep or change it); `boundary` is `"none"` (no padding at
/// the array's edges), `"reflect"`, `"nearest"`, `"periodic"`, or a number (a constant).
#[pyfunction]
#[pyo3(signature = (func, x, depth, boundary=None, dtype=None, **kwargs))]
pub fn map_overlap(
    py: Python<'_>,
    func: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    depth: &Bound<'_, PyAny>,
    boundary: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Array> {
    let x = match x.cast::<Array>() {
        Ok(a) => a.get().inner().clone(),
        Err(_) => from_numpy(x, None)?,
    };
    let depth: Vec<usize> = match depth.extract::<usize>() {
        Ok(k) => vec![k; x.ndim()],
        Err(_) => depth.extract()?,
    };
    let out = match dtype.filter(|d| !d.is_none()) {
        Some(d) => dtype_of(Some(d), DType::F64)?,
        None => infer_dtype(py, func, kwargs, std::slice::from_ref(&x))?,
    };
    let f: Arc<Py<PyAny>> = Arc::new(func.clone().unbind());
    let kwargs: Arc<Option<Py<PyDict>>> = Arc::new(kwargs.map(|k| k.clone().unbind()));
    let boundary = boundary_of(boundary, x.dtype())?;
    let r: DynArray = with_dtype!(out, U => {
        // Each block (with its halo) goes to NumPy owned: no copy.
        let r = chunkwise::map_overlap_dyn::<U, _>(&x, &depth, boundary, move |block| {
            call::<U>(&f, &kwargs, |py| vec![owned_array(py, block)])
        }).py_err()?;
        DynArray::from(r)
    });
    wrap(r)
}

/// Dask's `boundary` for an array of dtype `dtype`.
fn boundary_of(b: Option<&Bound<'_, PyAny>>, dtype: DType) -> PyResult<Boundary<DynScalar>> {
    let Some(b) = b.filter(|b| !b.is_none()) else {
        return Ok(Boundary::None);
    };
    if let Ok(s) = b.extract::<String>() {
        return match s.as_str() {
            "none" => Ok(Boundary::None),
            "reflect" => Ok(Boundary::Reflect),
            "nearest" => Ok(Boundary::Nearest),
            "periodic" => Ok(Boundary::Periodic),
            other => Err(PyValueError::new_err(format!(
                "map_overlap: unknown boundary {other:?}"
            ))),
        };
    }
    let v = crate::convert::scalar_of(b, dtype)
        .map_err(|_| PyValueError::new_err("map_overlap: boundary must be a name or a number"))?;
    Ok(Boundary::Constant(v))
}
