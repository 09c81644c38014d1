//! `chunkwise.Array`: a `DynArray` with Dask's attributes, methods and operators.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chunkwise::{Config, DType, DynArray, DynOperand, ReduceOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{axes_of, chunks_of, descr, dtype_of, index_key, operand, to_numpy};
use crate::errors::IntoPy;
use crate::run::run;

/// A chunked, lazy N-d array: Dask's `dask.array.Array`, computed by the Rust engine.
///
/// Arrays are built by the creation functions (`arange`, `random.uniform`, `from_array`, ...)
/// and by operations on arrays; nothing runs until `compute()`.
#[pyclass(name = "Array", module = "chunkwise", frozen, weakref)]
pub struct Array {
    /// The lazy array; replaced (never written in place) by `__setitem__`, which rebinds the
    /// Python object to a new node as NumPy's in-place assignment appears to.
    cell: std::sync::RwLock<DynArray>,
}

impl Array {
    /// An `Array` holding `x` (see [`wrap`], which raises the error `x` recorded).
    pub fn new(x: DynArray) -> Array {
        Array {
            cell: std::sync::RwLock::new(x),
        }
    }

    /// The lazy array this object holds now (a cheap clone: a handle on the graph).
    pub fn inner(&self) -> DynArray {
        self.cell.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// A new array, or the error its building recorded (raised now, as NumPy and Dask do).
pub fn wrap(x: DynArray) -> PyResult<Array> {
    if let Some(e) = x.error() {
        return Err(crate::errors::to_py(e.clone()));
    }
    Ok(Array::new(x))
}

/// Whether computes show a progress bar (inside `with chunkwise.ProgressBar():`), and after
/// how many milliseconds.
static PROGRESS: AtomicBool = AtomicBool::new(false);
static PROGRESS_AFTER_MS: AtomicU64 = AtomicU64::new(0);

/// Turns the progress bar of computes on or off (`chunkwise.ProgressBar`'s enter and exit).
#[pyfunction]
pub fn _set_progress(on: bool, minimum_seconds: f64) {
    PROGRESS_AFTER_MS.store(
        (minimum_seconds.max(0.0) * 1000.0) as u64,
        Ordering::Relaxed,
    );
    PROGRESS.store(on, Ordering::Relaxed);
}

/// The compute configuration of `num_workers=` (and of the progress bar and the profilers,
/// where they are on).
pub fn config(num_workers: Option<usize>) -> PyResult<Config> {
    let mut cfg = match num_workers {
        Some(0) => return Err(PyValueError::new_err("num_workers must be at least 1")),
        Some(n) => Config::default().workers(n),
        None => Config::default(),
    };
    // The profilers whose `with` block is open record it.
    for o in crate::diagnostics::observers() {
        cfg = cfg.observer(o);
    }
    Ok(if PROGRESS.load(Ordering::Relaxed) {
        let after = Duration::from_millis(PROGRESS_AFTER_MS.load(Ordering::Relaxed));
        cfg.progress(true).progress_after(after)
    } else {
        cfg.progress(false)
    })
}

fn opts(keepdims: bool) -> ReduceOptions {
    ReduceOptions::default().keepdims(keepdims)
}

#[pymethods]
impl Array {
    /// The number of elements along each axis.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner().shape())
    }

    /// The number of axes.
    #[getter]
    fn ndim(&self) -> usize {
        self.inner().ndim()
    }

    /// The number of elements.
    #[getter]
    fn size(&self) -> usize {
        self.inner().len()
    }

    /// The NumPy dtype of the elements.
    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArrayDescr> {
        descr(py, self.inner().dtype())
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.inner().dtype().size()
    }

    /// Bytes the values take.
    #[getter]
    fn nbytes(&self) -> u128 {
        self.inner().nbytes()
    }

    /// The block sizes along each axis: Dask's tuple of tuples.
    #[getter]
    fn chunks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let axes: Vec<Bound<'py, PyTuple>> = self
            .inner()
            .chunks()
            .to_blocks()
            .into_iter()
            .map(|b| PyTuple::new(py, b))
            .collect::<PyResult<_>>()?;
        PyTuple::new(py, axes)
    }

    /// The number of blocks along each axis.
    #[getter]
    fn numblocks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.inner().chunks().grid())
    }

    /// The number of blocks.
    #[getter]
    fn npartitions(&self) -> usize {
        self.inner().chunks().num_chunks()
    }

    /// The largest block along each axis.
    #[getter]
    fn chunksize<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let sizes: Vec<usize> = self
            .inner()
            .chunks()
            .axes()
            .iter()
            .map(|a| a.max())
            .collect();
        PyTuple::new(py, sizes)
    }

    /// The transpose (axes reversed).
    #[getter(T)]
    fn transposed(&self) -> Array {
        Array::new(self.inner().t())
    }

    /// The transpose of the last two axes, a stack of matrices each transposed (the array
    /// API's `mT`; at least two axes).
    #[getter(mT)]
    fn matrix_transposed(&self) -> PyResult<Array> {
        let n = self.inner().ndim();
        if n < 2 {
            return Err(PyValueError::new_err(format!(
                "mT needs at least two axes, the array has {n}"
            )));
        }
        let mut perm: Vec<isize> = (0..n as isize).collect();
        perm.swap(n - 2, n - 1);
        wrap(self.inner().transpose(perm).py_err()?)
    }

    /// Where the array lives: `"cpu"`, the one device (the array API's `device`).
    #[getter]
    fn device(&self) -> &'static str {
        "cpu"
    }

    /// The array on `device`: itself, for `"cpu"`, the one device (the array API's
    /// `to_device`); any other device is a `ValueError`.
    #[pyo3(signature = (device, /, *, stream=None))]
    fn to_device(
        slf: PyRef<'_, Self>,
        device: &Bound<'_, PyAny>,
        stream: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<Self>> {
        if stream.is_some_and(|s| !s.is_none()) {
            return Err(PyValueError::new_err("chunkwise arrays take no stream"));
        }
        match device.extract::<String>() {
            Ok(d) if d == "cpu" => Ok(slf.into()),
            _ => Err(PyValueError::new_err(format!(
                "chunkwise has one device, \"cpu\", not {}",
                device.repr()?
            ))),
        }
    }

    /// The array API namespace of the array: the `chunkwise` module (standard 2024.12; `None`
    /// or `"2024.12"` as `api_version`).
    #[pyo3(signature = (*, api_version=None))]
    fn __array_namespace__<'py>(
        &self,
        py: Python<'py>,
        api_version: Option<&str>,
    ) -> PyResult<Bound<'py, PyModule>> {
        match api_version {
            None | Some("2024.12") => py.import("chunkwise"),
            Some(v) => Err(PyValueError::new_err(format!(
                "chunkwise implements the array API standard 2024.12, not {v:?}"
            ))),
        }
    }

    /// Evaluates the array and returns it as a NumPy array (a 0-d result as a NumPy scalar).
    /// The GIL is released while the engine runs.
    #[pyo3(signature = (num_workers=None))]
    fn compute(&self, py: Python<'_>, num_workers: Option<usize>) -> PyResult<Py<PyAny>> {
        let x = self.inner().clone();
        let r = run(py, config(num_workers)?, move |cfg| x.compute_with(cfg))?;
        to_numpy(py, r)
    }

    /// Computes the array and keeps the values in memory, as an array built on them.
    #[pyo3(signature = (num_workers=None))]
    fn persist(&self, py: Python<'_>, num_workers: Option<usize>) -> PyResult<Array> {
        // One snapshot: an assignment from another thread meanwhile does not mix in.
        let x = self.inner();
        let chunks = x.chunks().clone();
        let values = run(py, config(num_workers)?, move |cfg| x.compute_with(cfg))?;
        wrap(crate::functions::held(values, &chunks)?)
    }

    /// The same values under new chunks (see `from_array` for the forms `chunks` takes). As in
    /// Dask, an axis given `None`, or left out of a dict `{axis: chunks}`, keeps its chunks.
    fn rechunk(&self, chunks: &Bound<'_, PyAny>) -> PyResult<Array> {
        let py = chunks.py();
        let ndim = self.inner().ndim();
        let current = self.inner().chunks().to_blocks();
        let keep = |d: usize| -> PyResult<Bound<'_, PyAny>> {
            Ok(PyTuple::new(py, &current[d])?.into_any())
        };
        let chunks = if let Ok(dict) = chunks.cast::<PyDict>() {
            let mut per: Vec<Bound<'_, PyAny>> = (0..ndim).map(keep).collect::<PyResult<_>>()?;
            for (k, v) in dict.iter() {
                let axis: isize = k.extract()?;
                let a = if axis < 0 { axis + ndim as isize } else { axis };
                if !(0..ndim as isize).contains(&a) {
                    return Err(PyValueError::new_err(format!(
                        "rechunk: axis {axis} is out of range for an array of {ndim} dimensions"
                    )));
                }
                if !v.is_none() {
                    per[a as usize] = v;
                }
            }
            PyTuple::new(py, per)?.into_any()
        } else if let Ok(t) = chunks.cast::<PyTuple>()
            && t.len() == ndim
            && t.iter().any(|c| c.is_none())
        {
            let per: Vec<Bound<'_, PyAny>> = t
                .iter()
                .enumerate()
                .map(|(d, c)| if c.is_none() { keep(d) } else { Ok(c) })
                .collect::<PyResult<_>>()?;
            PyTuple::new(py, per)?.into_any()
        } else {
            chunks.clone()
        };
        let spec = chunks_of(Some(&chunks), self.inner().shape(), self.inner().dtype())?;
        wrap(self.inner().rechunk(spec).py_err()?)
    }

    /// The values converted to `dtype`, as NumPy's `astype`.
    fn astype(&self, dtype: &Bound<'_, PyAny>) -> PyResult<Array> {
        let d = dtype_of(Some(dtype), DType::F64)?;
        wrap(self.inner().astype(d))
    }

    /// The same values in a new shape (one `-1` is inferred).
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<Array> {
        let dims: Vec<i64> = if shape.len() == 1 && shape.get_item(0)?.extract::<i64>().is_err() {
            shape.get_item(0)?.extract()?
        } else {
            shape.extract()?
        };
        let n = self.inner().len();
        let known: usize = dims
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .product();
        let unknown = dims.iter().filter(|&&d| d < 0).count();
        let dims: Vec<usize> = match unknown {
            0 => dims.iter().map(|&d| d as usize).collect(),
            1 if dims.iter().all(|&d| d >= -1) && known > 0 && n.is_multiple_of(known) => dims
                .iter()
                .map(|&d| if d == -1 { n / known } else { d as usize })
                .collect(),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "cannot reshape array of size {n} into shape {dims:?}"
                )));
            }
        };
        wrap(self.inner().reshape(dims).py_err()?)
    }

    /// The axes permuted (reversed when none are given).
    #[pyo3(signature = (*axes))]
    fn transpose(&self, axes: &Bound<'_, PyTuple>) -> PyResult<Array> {
        if axes.is_empty() || (axes.len() == 1 && axes.get_item(0)?.is_none()) {
            return Ok(Array::new(self.inner().t()));
        }
        let perm: Vec<isize> = if axes.len() == 1 && axes.get_item(0)?.extract::<isize>().is_err() {
            axes.get_item(0)?.extract()?
        } else {
            axes.extract()?
        };
        wrap(self.inner().transpose(perm).py_err()?)
    }

    /// The values as one axis, in C order.
    fn ravel(&self) -> Array {
        Array::new(self.inner().ravel())
    }

    /// The values as one axis, in C order.
    fn flatten(&self) -> Array {
        Array::new(self.inner().ravel())
    }

    /// Axes of length one removed (all of them, or those given).
    #[pyo3(signature = (axis=None))]
    fn squeeze(&self, axis: Option<&Bound<'_, PyAny>>) -> PyResult<Array> {
        let Some(axis) = axis.filter(|a| !a.is_none()) else {
            return Ok(Array::new(self.inner().squeeze()));
        };
        let shape = self.inner().shape().to_vec();
        let mut drop: Vec<usize> = axes_of(Some(axis))?.resolve("squeeze", &shape).py_err()?;
        for &d in &drop {
            if shape[d] != 1 {
                return Err(PyValueError::new_err(format!(
                    "squeeze: cannot select an axis to squeeze out which has size not equal to one (axis {d} of shape {shape:?})"
                )));
            }
        }
        drop.sort_unstable();
        let kept: Vec<usize> = (0..shape.len())
            .filter(|d| !drop.contains(d))
            .map(|d| shape[d])
            .collect();
        wrap(self.inner().reshape(kept).py_err()?)
    }

    /// The variance, with `ddof` delta degrees of freedom.
    #[pyo3(signature = (axis=None, dtype=None, keepdims=false, ddof=0))]
    fn var(
        &self,
        axis: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        keepdims: bool,
        ddof: usize,
    ) -> PyResult<Array> {
        let x = self.with_dtype(dtype)?;
        wrap(
            x.var_with(axes_of(axis)?, opts(keepdims).ddof(ddof))
                .py_err()?,
        )
    }

    /// The standard deviation, with `ddof` delta degrees of freedom.
    #[pyo3(signature = (axis=None, dtype=None, keepdims=false, ddof=0))]
    fn std(
        &self,
        axis: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        keepdims: bool,
        ddof: usize,
    ) -> PyResult<Array> {
        let x = self.with_dtype(dtype)?;
        wrap(
            x.std_with(axes_of(axis)?, opts(keepdims).ddof(ddof))
                .py_err()?,
        )
    }

    /// Running sums along `axis` (the flattened array when `None`).
    #[pyo3(signature = (axis=None))]
    fn cumsum(&self, axis: Option<isize>) -> PyResult<Array> {
        wrap(self.inner().cumsum(axis).py_err()?)
    }

    /// Running products along `axis` (the flattened array when `None`).
    #[pyo3(signature = (axis=None))]
    fn cumprod(&self, axis: Option<isize>) -> PyResult<Array> {
        wrap(self.inner().cumprod(axis).py_err()?)
    }

    /// Dask's `x.map_blocks(func, *args, **kwargs)`: `da.map_blocks(func, x, *args, **kwargs)`.
    #[pyo3(signature = (func, *args, **kwargs))]
    fn map_blocks(
        slf: &Bound<'_, Self>,
        func: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let mut all = vec![func.clone(), slf.clone().into_any()];
        all.extend(args.iter());
        let f = py.import("chunkwise._chunkwise")?.getattr("map_blocks")?;
        Ok(f.call(PyTuple::new(py, all)?, kwargs)?.unbind())
    }

    /// Dask's `x.map_overlap(func, depth, boundary=None, **kwargs)`.
    #[pyo3(signature = (func, depth, boundary=None, **kwargs))]
    fn map_overlap(
        slf: &Bound<'_, Self>,
        func: &Bound<'_, PyAny>,
        depth: &Bound<'_, PyAny>,
        boundary: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let f = py.import("chunkwise._chunkwise")?.getattr("map_overlap")?;
        let args = (
            func.clone(),
            slf.clone().into_any(),
            depth.clone(),
            boundary.cloned(),
        );
        Ok(f.call(args, kwargs)?.unbind())
    }

    /// The `k` largest values along `axis`, largest first (negative `k`: the `|k|` smallest,
    /// smallest first); `axis=None` takes them of the flattened array (Dask's `topk`).
    #[pyo3(signature = (k, axis=Some(-1)))]
    fn topk(&self, k: isize, axis: Option<isize>) -> PyResult<Array> {
        wrap(self.inner().topk(k, axis).py_err()?)
    }

    /// The positions along `axis` of `topk`'s values (Dask's `argtopk`).
    #[pyo3(signature = (k, axis=Some(-1)))]
    fn argtopk(&self, k: isize, axis: Option<isize>) -> PyResult<Array> {
        wrap(self.inner().argtopk(k, axis).py_err()?)
    }

    /// Draws the graph (Dask's `visualize`): writes `filename` as Graphviz DOT and, where
    /// Graphviz is installed, as SVG beside it (an extension given is replaced), and returns
    /// the picture's path. `optimize_graph=True` draws the plan's fused passes, `tasks=True`
    /// every task; by default one node per operation.
    #[pyo3(signature = (filename=None, optimize_graph=false, tasks=false))]
    fn visualize(
        &self,
        py: Python<'_>,
        filename: Option<std::path::PathBuf>,
        optimize_graph: bool,
        tasks: bool,
    ) -> PyResult<String> {
        let level = crate::diagnostics::level_of(optimize_graph, tasks);
        let filename = filename.unwrap_or_else(|| "mydask".into());
        let x = self.inner().clone();
        let v = py.detach(|| x.visualize(&filename, level)).py_err()?;
        crate::diagnostics::picture_path(py, v)
    }

    /// The plan: passes, fusion, projected memory.
    fn explain(&self) -> PyResult<String> {
        self.inner().explain().py_err()
    }

    /// NumPy's assignment, functionally: `x[key] = value` rebinds `x` to a new lazy array,
    /// `value` where `key` selects and the old values elsewhere, in `x`'s dtype (arrays built
    /// from `x` before keep the old values). `key` is a basic index (ints, slices, `None`,
    /// `...`), whose selection `value` broadcasts to, or a boolean mask of `x`'s shape with one
    /// value.
    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // The Python side first (the key and the value may run Python code); the shape does
        // not change with assignments, so the key is read against it before the lock.
        let shape = self.inner().shape().to_vec();
        let value = operand(value)?;
        let parts: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
            Ok(t) => t.iter().collect(),
            Err(_) => vec![key.clone()],
        };
        let basic = match parts.iter().position(is_advanced) {
            None => Some(index_key(key, &shape)?),
            Some(_) => None,
        };
        let mask = match basic {
            Some(_) => None,
            None => match operand(key)? {
                DynOperand::Array(m) if m.dtype() == DType::Bool && parts.len() == 1 => {
                    if m.shape() != shape.as_slice() {
                        return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                            "boolean index of shape {:?} does not match the indexed array's shape {shape:?}",
                            m.shape()
                        )));
                    }
                    Some(m)
                }
                _ => {
                    return Err(PyTypeError::new_err(
                        "assignment takes a basic index (ints, slices, None, ...) or a \
                         boolean mask of the array's shape",
                    ))
                }
            },
        };
        // One read and one write under the lock: concurrent assignments are not lost.
        let mut cell = self.cell.write().unwrap_or_else(|p| p.into_inner());
        let new = match (&basic, &mask) {
            (Some(info), _) => cell.assign(info, value),
            (None, Some(m)) => cell.assign_where(m, value),
            (None, None) => unreachable!("a basic index or a mask"),
        };
        *cell = wrap(new.py_err()?)?.inner();
        Ok(())
    }

    /// NumPy's indexing: ints, slices (any step), `None` and `...`; one integer list or
    /// integer array among them (`take` along its axis, whose extent becomes the index's
    /// shape); integer arrays and ints only, one per leading axis (NumPy's points); or a
    /// boolean mask of the leading axes, or 0-d (its counting pass runs here, as the result's
    /// length depends on it). Index arrays are computed here; the values stay lazy.
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Array> {
        let parts: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
            Ok(t) => t.iter().collect(),
            Err(_) => vec![key.clone()],
        };
        let advanced: Vec<usize> = (0..parts.len())
            .filter(|&i| is_advanced(&parts[i]))
            .collect();
        // The one advanced entry as a boolean mask, if it is one (converted once).
        if let [i] = advanced.as_slice()
            && let Some(mask) = self.mask_of(&parts[*i])?
        {
            if parts.len() != 1 {
                return Err(PyTypeError::new_err(
                    "a boolean mask must be the whole index (x[mask])",
                ));
            }
            return self.masked(py, mask);
        }
        match advanced.as_slice() {
            [] => {
                let info = index_key(key, self.inner().shape())?;
                wrap(self.inner().slice(info).py_err()?)
            }
            _ if parts.iter().all(|p| is_advanced(p) || is_int(p))
                && parts.len() <= self.inner().ndim() =>
            {
                // Integer arrays and integers, one per leading axis: NumPy's points, the
                // arrays (and the integers, as 0-d arrays) broadcast together.
                let indices = parts
                    .iter()
                    .map(|p| match operand(p)? {
                        chunkwise::DynOperand::Array(a) => Ok(a),
                        _ => {
                            let v = chunkwise::ndarray::arr0(p.extract::<i64>()?).into_dyn();
                            Ok(DynArray::from(chunkwise::from_array(v, 1).py_err()?))
                        }
                    })
                    .collect::<PyResult<Vec<DynArray>>>()?;
                if let Some(f) = indices
                    .iter()
                    .find(|a| matches!(a.dtype(), DType::F32 | DType::F64 | DType::Bool))
                {
                    return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                        "arrays used as indices must be of integer type, not {}",
                        f.dtype()
                    )));
                }
                let x = self.inner().clone();
                wrap(run(py, config(None)?, move |cfg| {
                    x.take_points(&indices, cfg)
                })?)
            }
            [i] => {
                let index = operand(&parts[*i])?;
                let chunkwise::DynOperand::Array(index) = index else {
                    return Err(PyTypeError::new_err("an index array must be an array"));
                };
                if matches!(index.dtype(), DType::F32 | DType::F64) {
                    return Err(pyo3::exceptions::PyIndexError::new_err(
                        "arrays used as indices must be of integer (or boolean) type",
                    ));
                }
                if parts
                    .iter()
                    .any(|p| p.is_instance_of::<pyo3::types::PyBool>())
                {
                    // NumPy reads a bool as a 0-d mask, which basic indexing here would not.
                    return Err(PyTypeError::new_err(
                        "a bool beside an integer array in an index is not supported yet",
                    ));
                }
                // Basic indexing with `:` in its place, then `take` along the axis it became,
                // whose extent becomes the index array's shape.
                let mut basic = parts.clone();
                basic[*i] = pyo3::types::PySlice::full(py).into_any();
                let info = index_key(&PyTuple::new(py, &basic)?.into_any(), self.inner().shape())?;
                let named_before = output_axis(&parts, *i, self.inner().ndim());
                let x = self.inner().slice(info).py_err()?;
                // uint64 past i64::MAX saturates, so `take` reports it out of range (a cast
                // would wrap it to a negative index, counted from the end).
                let unsigned = index.dtype() == DType::U64;
                let idx = if unsigned {
                    index
                } else {
                    index.astype(DType::I64)
                };
                let values = run(py, config(None)?, move |cfg| idx.compute_with(cfg))?;
                let index_shape = values.shape().to_vec();
                let values: Vec<i64> = if unsigned {
                    let v = values.downcast::<u64>().py_err()?;
                    v.iter()
                        .map(|&u| i64::try_from(u).unwrap_or(i64::MAX))
                        .collect()
                } else {
                    values.downcast::<i64>().py_err()?.iter().copied().collect()
                };
                let taken = x.take(&values, named_before as isize).py_err()?;
                let mut shape = taken.shape().to_vec();
                let index_ndim = index_shape.len();
                shape.splice(named_before..=named_before, index_shape);
                let taken = taken.reshape(shape).py_err()?;
                // NumPy reads the ints as index arrays too: when a slice, `None` or `...`
                // separates them from the array, the index's axes go first.
                let advanced: Vec<usize> = (0..parts.len())
                    .filter(|&j| j == *i || is_int(&parts[j]))
                    .collect();
                let apart = advanced.last().map_or(0, |l| l - advanced[0]) + 1 != advanced.len();
                if apart && named_before > 0 {
                    let from: Vec<isize> = (named_before..named_before + index_ndim)
                        .map(|a| a as isize)
                        .collect();
                    let to: Vec<isize> = (0..index_ndim as isize).collect();
                    return wrap(taken.moveaxis(&from, &to).py_err()?);
                }
                wrap(taken)
            }
            _ => Err(PyTypeError::new_err(
                "integer arrays or masks mixed with slices, more than one: not supported yet",
            )),
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        match self.inner().shape().first() {
            Some(&n) => Ok(n),
            None => Err(PyTypeError::new_err("len() of unsized object")),
        }
    }

    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.add(y))
    }

    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "add", |x, y| x.add(y))
    }

    fn __sub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.sub(y))
    }

    fn __rsub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "sub", |x, y| x.sub(y))
    }

    fn __mul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.mul(y))
    }

    fn __rmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "mul", |x, y| x.mul(y))
    }

    fn __truediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.true_divide(y))
    }

    fn __rtruediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(lhs) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        Ok(Py::new(py, wrap(self.inner().rtrue_divide(lhs).py_err()?)?)?.into_any())
    }

    fn __floordiv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.floor_divide(y))
    }

    fn __rfloordiv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "floor_divide", |x, y| x.floor_divide(y))
    }

    fn __mod__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.rem(y))
    }

    fn __rmod__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "rem", |x, y| x.rem(y))
    }

    fn __and__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.bitand(y))
    }

    fn __rand__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "bitand", |x, y| x.bitand(y))
    }

    fn __or__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.bitor(y))
    }

    fn __ror__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "bitor", |x, y| x.bitor(y))
    }

    fn __xor__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.bitxor(y))
    }

    fn __rxor__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "bitxor", |x, y| x.bitxor(y))
    }

    fn __lshift__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.shl(y))
    }

    fn __rlshift__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "shl", |x, y| x.shl(y))
    }

    fn __rshift__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.shr(y))
    }

    fn __rrshift__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "shr", |x, y| x.shr(y))
    }

    fn __pow__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.binary(py, other, |x, y| x.pow_operator(y))
    }

    fn __rpow__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.reflected(py, other, "pow", |x, y| x.pow(y))
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn sum(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .sum_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn prod(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .prod_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn min(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .min_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn max(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .max_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn mean(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .mean_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn any(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .any_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn all(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .all_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn argmin(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .argmin_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn argmax(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .argmax_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    #[pyo3(signature = (axis=None, keepdims=false))]
    fn ptp(&self, axis: Option<&Bound<'_, PyAny>>, keepdims: bool) -> PyResult<Array> {
        wrap(
            self.inner()
                .ptp_with(axes_of(axis)?, opts(keepdims))
                .py_err()?,
        )
    }

    fn __neg__(&self) -> PyResult<Array> {
        wrap(self.inner().neg().py_err()?)
    }

    fn __pos__(&self) -> Array {
        Array::new(self.inner().clone())
    }

    fn __abs__(&self) -> PyResult<Array> {
        wrap(self.inner().abs().py_err()?)
    }

    fn __invert__(&self) -> PyResult<Array> {
        wrap(self.inner().invert().py_err()?)
    }

    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(DynOperand::Array(b)) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        Ok(Py::new(
            py,
            wrap(chunkwise::matmul_dyn(&self.inner(), &b).py_err()?)?,
        )?
        .into_any())
    }

    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(DynOperand::Array(a)) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        Ok(Py::new(
            py,
            wrap(chunkwise::matmul_dyn(&a, &self.inner()).py_err()?)?,
        )?
        .into_any())
    }

    fn __richcmp__(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let Ok(rhs) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        let x = &self.inner();
        let r = match op {
            CompareOp::Eq => x.eq(rhs),
            CompareOp::Ne => x.ne(rhs),
            CompareOp::Lt => x.lt(rhs),
            CompareOp::Le => x.le(rhs),
            CompareOp::Gt => x.gt(rhs),
            CompareOp::Ge => x.ge(rhs),
        };
        Ok(Py::new(py, wrap(r.py_err()?)?)?.into_any())
    }

    /// NumPy's conversion: `np.asarray(x)` computes the array.
    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__(
        &self,
        py: Python<'_>,
        dtype: Option<&Bound<'_, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let _ = copy;
        let x = self.with_dtype(dtype)?;
        let r = run(py, config(None)?, move |cfg| x.compute_with(cfg))?;
        let out = to_numpy(py, r)?;
        // A 0-d result comes back as a scalar; `__array__` must return an array.
        let np = py.import("numpy")?;
        Ok(np.call_method1("asarray", (out,))?.unbind())
    }

    fn __float__(&self, py: Python<'_>) -> PyResult<f64> {
        Ok(self.scalar(py)?.to_f64())
    }

    /// `complex(x)` of a one-element array: its value with no imaginary part (computed).
    fn __complex__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyComplex>> {
        Ok(pyo3::types::PyComplex::from_doubles(
            py,
            self.scalar(py)?.to_f64(),
            0.0,
        ))
    }

    /// The DLPack protocol: the array is computed, and the NumPy array of its values is
    /// exported (so `from_dlpack` of any library reads the values, on the CPU).
    #[pyo3(signature = (*, stream=None, max_version=None, dl_device=None, copy=None))]
    fn __dlpack__(
        &self,
        py: Python<'_>,
        stream: Option<&Bound<'_, PyAny>>,
        max_version: Option<&Bound<'_, PyAny>>,
        dl_device: Option<&Bound<'_, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Py<PyAny>> {
        let values = self.__array__(py, None, None)?;
        let kwargs = pyo3::types::PyDict::new(py);
        // Only what was given: NumPy 2.0's `__dlpack__` knows no `copy`.
        if let Some(s) = stream {
            kwargs.set_item("stream", s)?;
        }
        if let Some(v) = max_version {
            kwargs.set_item("max_version", v)?;
        }
        if let Some(d) = dl_device {
            kwargs.set_item("dl_device", d)?;
        }
        if let Some(c) = copy {
            kwargs.set_item("copy", c)?;
        }
        Ok(values
            .bind(py)
            .call_method("__dlpack__", (), Some(&kwargs))?
            .unbind())
    }

    /// The DLPack device: the CPU (`kDLCPU`, device 0).
    fn __dlpack_device__(&self) -> (i32, i32) {
        (1, 0)
    }

    fn __int__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let v = crate::convert::scalar_to_py(py, self.scalar(py)?)?;
        Ok(v.bind(py).call_method0("__int__")?.unbind())
    }

    fn __index__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if !matches!(
            self.inner().dtype(),
            DType::I8
                | DType::I16
                | DType::I32
                | DType::I64
                | DType::U8
                | DType::U16
                | DType::U32
                | DType::U64
        ) {
            return Err(PyTypeError::new_err(
                "only integer arrays of one element can be converted to an index",
            ));
        }
        self.__int__(py)
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        Ok(self.scalar(py)?.to_f64() != 0.0)
    }

    fn __repr__(&self) -> String {
        let tuple = |v: &[usize]| match v {
            [one] => format!("({one},)"),
            _ => format!(
                "({})",
                v.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let chunk: Vec<usize> = self
            .inner()
            .chunks()
            .axes()
            .iter()
            .map(|a| a.max())
            .collect();
        let name = crate::convert::numpy_name(self.inner().dtype());
        format!(
            "chunkwise.Array<shape={}, dtype={name}, chunksize={}, blocks={}, nbytes={}>",
            tuple(self.inner().shape()),
            tuple(&chunk),
            self.inner().chunks().num_chunks(),
            self.inner().nbytes()
        )
    }

    /// Jupyter's view: the shape, dtype, chunk and bytes table with a picture of the chunks.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        Ok(py
            .import("chunkwise._html")?
            .call_method1("repr_html", (slf,))?
            .unbind())
    }

    /// NumPy ufuncs on arrays (`np.sqrt(x)`, `np.float64(2) * x`) stay lazy: they are handed to
    /// chunkwise's function of the same name.
    #[pyo3(signature = (ufunc, method, *inputs, **kwargs))]
    fn __array_ufunc__(
        &self,
        py: Python<'_>,
        ufunc: &Bound<'_, PyAny>,
        method: &str,
        inputs: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let module = py.import("chunkwise")?;
        Ok(module
            .call_method1("_array_ufunc", (ufunc, method, inputs, kwargs))?
            .unbind())
    }
}

/// An index entry for NumPy's advanced indexing: a list, a NumPy array or an `Array`.
impl Array {
    /// The boolean array an index entry is, if it is one.
    fn mask_of(&self, part: &Bound<'_, PyAny>) -> PyResult<Option<DynArray>> {
        if !is_advanced(part) && part.cast::<Array>().is_err() {
            return Ok(None);
        }
        match operand(part)? {
            chunkwise::DynOperand::Array(a) if a.dtype() == DType::Bool => Ok(Some(a)),
            _ => Ok(None),
        }
    }

    /// `x[mask]`: a mask of the array's shape selects (its count runs here); one of the
    /// leading axes selects their points (`nonzero`), the other axes whole; a 0-d mask adds
    /// an axis of extent 1 (true) or 0 (false). An extent of 0 in the mask selects nothing
    /// along that axis, as the standard's tests ask.
    fn masked(&self, py: Python<'_>, mask: DynArray) -> PyResult<Array> {
        let x = self.inner().clone();
        let (xs, ms) = (x.shape().to_vec(), mask.shape().to_vec());
        if ms.is_empty() {
            let truth = run(py, config(None)?, move |cfg| mask.item_with(cfg))?.to_f64() != 0.0;
            let e = x.expand_dims(0).py_err()?;
            let mut info = vec![chunkwise::ndarray::SliceInfoElem::Slice {
                start: 0,
                end: Some(usize::from(truth) as isize),
                step: 1,
            }];
            info.extend(
                (1..e.ndim()).map(|_| chunkwise::ndarray::SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                }),
            );
            return wrap(e.slice(info).py_err()?);
        }
        if ms == xs {
            return wrap(run(py, config(None)?, move |cfg| x.select(&mask, cfg))?);
        }
        if ms.len() > xs.len() || ms.iter().zip(&xs).any(|(&m, &n)| m != n && m != 0) {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "boolean index of shape {ms:?} does not match the indexed array's shape {xs:?}"
            )));
        }
        wrap(run(py, config(None)?, move |cfg| {
            let points = mask.nonzero(cfg)?;
            x.take_points(&points, cfg)
        })?)
    }
}

/// A Python (or NumPy) integer index entry; not a bool, which NumPy reads as a 0-d mask.
fn is_int(p: &Bound<'_, PyAny>) -> bool {
    !p.is_instance_of::<pyo3::types::PyBool>()
        && !is_advanced(p)
        && p.cast::<Array>().is_err()
        && p.extract::<i64>().is_ok()
}

fn is_advanced(p: &Bound<'_, PyAny>) -> bool {
    p.is_instance_of::<pyo3::types::PyList>()
        || p.cast::<Array>().is_ok()
        || p.hasattr("__array_interface__").unwrap_or(false)
            && p.getattr("ndim")
                .and_then(|n| n.extract::<usize>())
                .is_ok_and(|n| n > 0)
}

/// The output axis of index entry `i` (a `:` in the basic index): the axes the entries before it
/// leave (a slice or `None` one each, an int none, `...` the axes it spans).
fn output_axis(parts: &[Bound<'_, PyAny>], i: usize, ndim: usize) -> usize {
    let named = parts
        .iter()
        .filter(|p| !p.is_none() && !p.is_instance_of::<pyo3::types::PyEllipsis>())
        .count();
    parts[..i]
        .iter()
        .map(|p| {
            if p.is_none() {
                1
            } else if p.is_instance_of::<pyo3::types::PyEllipsis>() {
                ndim - named
            } else if p.cast::<pyo3::types::PySlice>().is_ok() || is_advanced(p) {
                1
            } else {
                0
            }
        })
        .sum()
}

impl Array {
    /// `self op other`, or `NotImplemented` for an operand chunkwise cannot take.
    fn binary(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        op: impl FnOnce(&DynArray, DynOperand) -> chunkwise::Result<DynArray>,
    ) -> PyResult<Py<PyAny>> {
        let Ok(rhs) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        Ok(Py::new(py, wrap(op(&self.inner(), rhs).py_err()?)?)?.into_any())
    }

    /// `other op self`, the Python operand on the left taking its dtype beside `self`.
    fn reflected(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        name: &str,
        op: impl FnOnce(&DynArray, DynOperand) -> chunkwise::Result<DynArray>,
    ) -> PyResult<Py<PyAny>> {
        let Ok(lhs) = operand(other) else {
            return Ok(py.NotImplemented());
        };
        let x = self.inner();
        let lhs = lhs.into_array_beside(name, &x).py_err()?;
        Ok(Py::new(py, wrap(op(&lhs, DynOperand::Array(x.clone())).py_err()?)?)?.into_any())
    }

    /// The one value of a size-1 array, computed (another size is NumPy's `TypeError`).
    fn scalar(&self, py: Python<'_>) -> PyResult<chunkwise::DynScalar> {
        if self.inner().len() != 1 {
            return Err(PyTypeError::new_err(format!(
                "only arrays of size 1 can be converted to Python scalars (shape {:?})",
                self.inner().shape()
            )));
        }
        let x = self.inner().clone();
        run(py, config(None)?, move |cfg| x.item_with(cfg))
    }

    /// The array cast to `dtype` first, when one is given.
    fn with_dtype(&self, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DynArray> {
        match dtype.filter(|d| !d.is_none()) {
            Some(d) => Ok(self.inner().astype(dtype_of(Some(d), DType::F64)?)),
            None => Ok(self.inner().clone()),
        }
    }
}
