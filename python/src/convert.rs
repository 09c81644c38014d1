//! Arguments from Python to the core's types (dtypes, shapes, chunks, axes, index keys,
//! operands) and results back to NumPy.

use std::sync::Arc;

use chunkwise::ndarray::{ArrayD, SliceInfoElem};
use chunkwise::{Axes, ChunkSpec, DType, DynArray, DynNdArray, DynOperand, DynScalar};
use numpy::{
    PyArray, PyArrayDescr, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods,
};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyEllipsis, PyFloat, PyInt, PyList, PySlice, PySliceMethods, PyString, PyTuple,
};

use crate::array::Array;
use crate::errors::IntoPy;

/// The dtypes chunkwise holds, by NumPy's name.
const DTYPES: [(&str, DType); 11] = [
    ("float64", DType::F64),
    ("float32", DType::F32),
    ("int64", DType::I64),
    ("int32", DType::I32),
    ("uint64", DType::U64),
    ("uint32", DType::U32),
    ("int16", DType::I16),
    ("int8", DType::I8),
    ("uint16", DType::U16),
    ("uint8", DType::U8),
    ("bool", DType::Bool),
];

/// NumPy's name of a dtype.
pub fn numpy_name(d: DType) -> &'static str {
    DTYPES.iter().find(|(_, t)| *t == d).map_or("?", |(n, _)| n)
}

/// Runs `$body` with `$T` the Rust type of the `DType` `$d`.
macro_rules! with_dtype {
    ($d:expr, $T:ident => $body:expr) => {
        match $d {
            chunkwise::DType::F64 => {
                type $T = f64;
                $body
            }
            chunkwise::DType::F32 => {
                type $T = f32;
                $body
            }
            chunkwise::DType::I64 => {
                type $T = i64;
                $body
            }
            chunkwise::DType::I32 => {
                type $T = i32;
                $body
            }
            chunkwise::DType::U64 => {
                type $T = u64;
                $body
            }
            chunkwise::DType::U32 => {
                type $T = u32;
                $body
            }
            chunkwise::DType::I16 => {
                type $T = i16;
                $body
            }
            chunkwise::DType::I8 => {
                type $T = i8;
                $body
            }
            chunkwise::DType::U16 => {
                type $T = u16;
                $body
            }
            chunkwise::DType::U8 => {
                type $T = u8;
                $body
            }
            chunkwise::DType::Bool => {
                type $T = bool;
                $body
            }
        }
    };
}
pub(crate) use with_dtype;

/// Any dtype-like (`np.float32`, `"int8"`, `np.dtype("u2")`, `float`) as a `DType`; `None` is
/// `default`. Dtypes chunkwise does not hold are a `TypeError`.
pub fn dtype_of(obj: Option<&Bound<'_, PyAny>>, default: DType) -> PyResult<DType> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(default);
    };
    let descr = PyArrayDescr::new(obj.py(), obj)?;
    dtype_of_descr(&descr)
}

/// A NumPy dtype as a `DType` (native byte order only).
pub fn dtype_of_descr(descr: &Bound<'_, PyArrayDescr>) -> PyResult<DType> {
    let py = descr.py();
    for (_, d) in DTYPES {
        if with_dtype!(d, T => descr.is_equiv_to(&numpy::dtype::<T>(py))) {
            return Ok(d);
        }
    }
    Err(PyTypeError::new_err(format!(
        "chunkwise does not hold dtype {}: it holds bool, int8..int64, uint8..uint64, float32 and float64",
        descr.str()?
    )))
}

/// The NumPy dtype of a `DType`.
pub fn descr<'py>(py: Python<'py>, d: DType) -> Bound<'py, PyArrayDescr> {
    with_dtype!(d, T => numpy::dtype::<T>(py))
}

/// An int or a sequence of ints as a shape (NumPy's `shape` argument).
pub fn shape_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(vec![extent(n)?]);
    }
    let items: Vec<i64> = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "a shape is an int or a tuple of ints, not {}",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })?;
    items.into_iter().map(extent).collect()
}

fn extent(n: i64) -> PyResult<usize> {
    usize::try_from(n).map_err(|_| {
        PyValueError::new_err(format!("negative dimensions are not allowed (got {n})"))
    })
}

/// Dask's `chunks=` for an array of `shape` and `dtype`: `"auto"` or `None`, an int (`-1` is
/// the whole axis), a tuple with one entry per axis (an int, `-1` or `None` for the whole axis,
/// `"auto"`, or a tuple of explicit block sizes), a tuple of tuples, or for one axis a flat
/// tuple of blocks that sum to its length.
pub fn chunks_of(
    obj: Option<&Bound<'_, PyAny>>,
    shape: &[usize],
    dtype: DType,
) -> PyResult<ChunkSpec> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(ChunkSpec::Auto);
    };
    if is_auto(obj) {
        return Ok(ChunkSpec::Auto);
    }
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(ChunkSpec::Uniform(n));
    }
    if shape.len() == 1
        && let Ok(blocks) = obj.extract::<Vec<usize>>()
        && blocks.len() > 1
        && blocks.iter().sum::<usize>() == shape[0]
    {
        // Dask reads a flat tuple for one axis as its blocks when they sum to its length.
        return Ok(ChunkSpec::Explicit(vec![blocks]));
    }
    let per_axis: Vec<Bound<'_, PyAny>> = obj.extract().map_err(|_| {
        PyTypeError::new_err(
            "chunks must be an int, \"auto\", or a tuple (of ints or of tuples of block sizes)",
        )
    })?;
    if per_axis.len() != shape.len() {
        return Err(PyValueError::new_err(format!(
            "chunks {} has {} entries for an array of {} dimensions (shape {shape:?})",
            obj.repr()?,
            per_axis.len(),
            shape.len()
        )));
    }
    let explicit = per_axis
        .iter()
        .any(|c| c.is_instance_of::<PyTuple>() || c.is_instance_of::<PyList>());
    let auto = per_axis.iter().any(is_auto);
    if !explicit && !auto {
        // `None` is the whole axis, as `-1` (Dask's normalize_chunks).
        let sizes: Vec<i64> = per_axis
            .iter()
            .map(|c| if c.is_none() { Ok(-1) } else { c.extract() })
            .collect::<PyResult<_>>()?;
        return Ok(ChunkSpec::PerAxis(sizes));
    }
    // Mixed forms: each axis to its blocks. `"auto"` axes take the automatic rule's blocks.
    let auto_blocks = DynArray::zeros(dtype, shape.to_vec())
        .rechunk(ChunkSpec::Auto)
        .py_err()?
        .chunks()
        .to_blocks();
    let mut blocks = Vec::with_capacity(shape.len());
    for (d, c) in per_axis.iter().enumerate() {
        let n = shape[d];
        blocks.push(if is_auto(c) {
            auto_blocks[d].clone()
        } else if c.is_none() {
            uniform_blocks(n, -1)?
        } else if let Ok(size) = c.extract::<i64>() {
            uniform_blocks(n, size)?
        } else {
            c.extract::<Vec<usize>>()?
        });
    }
    Ok(ChunkSpec::Explicit(blocks))
}

fn is_auto(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyString>() && obj.extract::<String>().is_ok_and(|s| s == "auto")
}

/// Blocks of `size` along an axis of extent `n` (`-1`: one block), as Dask's normalization.
fn uniform_blocks(n: usize, size: i64) -> PyResult<Vec<usize>> {
    let size = match size {
        -1 => n.max(1),
        s if s > 0 => s as usize,
        s => {
            return Err(PyValueError::new_err(format!(
                "chunks: block size {s}; sizes must be positive (or -1 for the whole axis)"
            )))
        }
    };
    if n == 0 {
        return Ok(vec![0]);
    }
    let mut v = vec![size; n / size];
    if !n.is_multiple_of(size) {
        v.push(n % size);
    }
    Ok(v)
}

/// NumPy's `axis=`: `None` (every axis), an int, or a tuple of ints.
pub fn axes_of(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Axes> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(Axes::All),
        Some(o) => {
            if let Ok(a) = o.extract::<isize>() {
                Ok(Axes::from(a))
            } else {
                let v: Vec<isize> = o.extract().map_err(|_| {
                    PyTypeError::new_err("axis must be None, an int or a tuple of ints")
                })?;
                Ok(Axes::from(v))
            }
        }
    }
}

/// A value on the other side of an operator: an `Array`, a Python scalar (NumPy 2's weak
/// scalars), a NumPy scalar (of its own dtype), or anything NumPy makes an array of.
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<DynOperand> {
    if let Ok(a) = obj.cast::<Array>() {
        return Ok(DynOperand::Array(a.get().inner().clone()));
    }
    // Python's own scalars are weak; NumPy's (`np.float64` is a `float` subclass) are not.
    if obj.is_exact_instance_of::<PyBool>() {
        return Ok(DynOperand::Bool(obj.extract()?));
    }
    if obj.is_exact_instance_of::<PyInt>() {
        return Ok(DynOperand::Int(obj.extract()?));
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok(DynOperand::Float(obj.extract()?));
    }
    let py = obj.py();
    let np = py.import("numpy")?;
    if obj.is_instance(&np.getattr("generic")?)? {
        let d = dtype_of_descr(&obj.getattr("dtype")?.cast_into::<PyArrayDescr>()?)?;
        return Ok(DynOperand::Scalar(scalar_of(obj, d)?));
    }
    Ok(DynOperand::Array(from_numpy(obj, None)?))
}

/// A Python or NumPy scalar as a value of dtype `d` (NumPy's `np.array(v).astype(d)` of one
/// value).
pub fn scalar_of(obj: &Bound<'_, PyAny>, d: DType) -> PyResult<DynScalar> {
    let item = if obj.hasattr("item")? {
        obj.call_method0("item")?
    } else {
        obj.clone()
    };
    let s = if item.is_instance_of::<PyBool>() {
        DynScalar::of(item.extract::<bool>()?)
    } else if item.is_instance_of::<PyInt>() {
        match item.extract::<i64>() {
            Ok(v) => DynScalar::of(v),
            Err(_) => DynScalar::of(item.extract::<u64>()?),
        }
    } else {
        DynScalar::of(item.extract::<f64>()?)
    };
    Ok(s.astype(d))
}

/// A NumPy array's buffer lent to the core: read in place, kept alive by the reference held.
struct NumpyBuffer<T> {
    _owner: Py<PyAny>,
    ptr: *const T,
    len: usize,
}

// SAFETY: the buffer is NumPy's memory, valid while `_owner` holds a reference to the array:
// NumPy does not free or move a referenced array's data (`resize` refuses a referenced array;
// only `resize(refcheck=False)`, documented as unsafe by NumPy, would). It was checked aligned,
// C-contiguous and of `T`'s dtype, and bools were normalized to 0 and 1 in a copy. Writes from
// Python while a compute reads are documented, as Dask documents them (later computes see them).
unsafe impl<T> Send for NumpyBuffer<T> {}
// SAFETY: as for `Send`: the buffer is only read through `as_slice`.
unsafe impl<T> Sync for NumpyBuffer<T> {}

impl<T: 'static> chunkwise::SharedBuffer<T> for NumpyBuffer<T> {
    fn as_slice(&self) -> &[T] {
        // SAFETY: `ptr` points at `len` initialized, aligned values of type `T` (checked as a
        // C-contiguous, aligned array of `T`'s dtype when made), alive as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

/// A NumPy array (or anything `np.asarray` takes) as an array of the given chunks. A
/// C-contiguous, aligned array of a chunkwise dtype is read in place; anything else is first
/// made one by NumPy (a copy).
pub fn from_numpy(obj: &Bound<'_, PyAny>, chunks: Option<&Bound<'_, PyAny>>) -> PyResult<DynArray> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let arr = np.call_method1("asarray", (obj,))?;
    let untyped = arr.cast::<numpy::PyUntypedArray>()?;
    // Object arrays (Python ints beyond int64 and the like), complex, f16: a TypeError.
    let d = dtype_of_descr(&untyped.dtype())?;
    let flags = arr.getattr("flags")?;
    let arr = if d == DType::Bool {
        // A bool array's bytes may be other than 0 and 1 (a view of u8): normalized in a copy,
        // as Rust's `bool` must be 0 or 1.
        let normalized = np.call_method1(
            "not_equal",
            (arr.call_method1("view", (np.getattr("uint8")?,))?, 0),
        )?;
        // A 0-d comparison gives a NumPy scalar: back to an array.
        np.call_method1("asarray", (normalized,))?
    } else if flags.getattr("c_contiguous")?.extract()? && flags.getattr("aligned")?.extract()? {
        arr
    } else {
        // `ascontiguousarray` keeps a misaligned array as it is; `require` copies it.
        np.call_method1("require", (arr, py.None(), "CA"))?
    };
    let shape: Vec<usize> = arr.cast::<numpy::PyUntypedArray>()?.shape().to_vec();
    let spec = chunks_of(chunks, &shape, d)?;
    with_dtype!(d, T => {
        let typed = arr.cast::<PyArrayDyn<T>>()?;
        let len = typed.len();
        let ptr = typed.data() as *const T;
        let contiguous = typed.is_c_contiguous();
        let buffer: Arc<dyn chunkwise::SharedBuffer<T>> = if len == 0 {
            Arc::new(Vec::<T>::new())
        } else if !contiguous || !ptr.is_aligned() {
            return Err(PyValueError::new_err("from_array: NumPy did not give an aligned C-contiguous copy"));
        } else {
            Arc::new(NumpyBuffer::<T> { _owner: arr.clone().unbind(), ptr, len })
        };
        let x = chunkwise::from_shared(buffer, shape, spec).py_err()?;
        Ok(DynArray::from(x))
    })
}

/// A computed array as a NumPy array that owns the computed buffer (no copy); a 0-d result
/// as a NumPy scalar, as Dask returns it.
pub fn to_numpy(py: Python<'_>, a: DynNdArray) -> PyResult<Py<PyAny>> {
    macro_rules! out {
        ($($V:ident),*) => {
            match a {
                $(DynNdArray::$V(x) => owned(py, x),)*
            }
        };
    }
    out!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
}

/// A block as the NumPy array that owns its buffer (no copy; a 0-d block stays an array).
pub fn owned_array(py: Python<'_>, a: DynNdArray) -> Bound<'_, PyAny> {
    macro_rules! out {
        ($($V:ident),*) => {
            match a {
                $(DynNdArray::$V(x) => PyArray::from_owned_array(py, x).into_any(),)*
            }
        };
    }
    out!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
}

fn owned<T: numpy::Element>(py: Python<'_>, x: ArrayD<T>) -> PyResult<Py<PyAny>> {
    let zero_d = x.ndim() == 0;
    let arr = PyArray::from_owned_array(py, x).into_any();
    if zero_d {
        Ok(arr.get_item(PyTuple::empty(py))?.unbind())
    } else {
        Ok(arr.unbind())
    }
}

/// A scalar result as the NumPy scalar of its dtype.
pub fn scalar_to_py(py: Python<'_>, s: DynScalar) -> PyResult<Py<PyAny>> {
    with_dtype!(s.dtype(), T => {
        let v: T = s.downcast().expect("a scalar downcasts to its dtype");
        let arr = PyArray::from_owned_array(py, ArrayD::from_elem(vec![], v)).into_any();
        Ok(arr.get_item(PyTuple::empty(py))?.unbind())
    })
}

/// NumPy's basic indexing (`x[1, ::-2, None, ...]`) for an array of `shape`, as the core's
/// slice elements. Integer arrays and boolean masks are refused with a `TypeError` naming them.
pub fn index_key(key: &Bound<'_, PyAny>, shape: &[usize]) -> PyResult<Vec<SliceInfoElem>> {
    let parts: Vec<Bound<'_, PyAny>> = if let Ok(t) = key.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        vec![key.clone()]
    };
    let ellipses = parts
        .iter()
        .filter(|p| p.is_instance_of::<PyEllipsis>())
        .count();
    if ellipses > 1 {
        return Err(PyIndexError::new_err(
            "an index can only have a single ellipsis ('...')",
        ));
    }
    let named = parts
        .iter()
        .filter(|p| !p.is_none() && !p.is_instance_of::<PyEllipsis>())
        .count();
    if named > shape.len() {
        return Err(PyIndexError::new_err(format!(
            "too many indices for array: array is {}-dimensional, but {named} were indexed",
            shape.len()
        )));
    }
    let mut out = Vec::with_capacity(parts.len() + shape.len());
    let mut axis = 0;
    for p in &parts {
        if p.is_none() {
            out.push(SliceInfoElem::NewAxis);
        } else if p.is_instance_of::<PyEllipsis>() {
            for _ in 0..shape.len() - named {
                out.push(SliceInfoElem::from(..));
                axis += 1;
            }
        } else if let Ok(s) = p.cast::<PySlice>() {
            let n = shape[axis];
            let ind = s.indices(isize::try_from(n).unwrap_or(isize::MAX))?;
            out.push(python_slice(ind.start, ind.stop, ind.step, ind.slicelength));
            axis += 1;
        } else if !p.is_instance_of::<PyBool>()
            && let Ok(i) = p.extract::<isize>()
        {
            // NumPy scalars of integer type index too (`__index__`).
            out.push(SliceInfoElem::Index(i));
            axis += 1;
        } else {
            return Err(PyTypeError::new_err(format!(
                "chunkwise indexes with ints, slices, None and ... (not {}): integer arrays and boolean masks are not supported yet",
                p.get_type().name()?
            )));
        }
    }
    Ok(out)
}

/// Python's `start:stop:step` (already normalized by `slice.indices`) as ndarray's slice, whose
/// negative steps count from the end of `start..end` rather than from `start`.
fn python_slice(start: isize, _stop: isize, step: isize, len: usize) -> SliceInfoElem {
    if len == 0 {
        return SliceInfoElem::Slice {
            start: 0,
            end: Some(0),
            step: 1,
        };
    }
    let last = start + (len as isize - 1) * step;
    if step > 0 {
        SliceInfoElem::Slice {
            start,
            end: Some(last + 1),
            step,
        }
    } else {
        SliceInfoElem::Slice {
            start: last,
            end: Some(start + 1),
            step,
        }
    }
}
