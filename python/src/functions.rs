//! The module's functions: creation, random, compute, joining, and the named reductions and
//! ufuncs the Python layer exposes under NumPy's names.

use std::sync::Mutex;

use chunkwise::{DType, DynArray, DynNdArray, DynScalar, ReduceOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::array::{config, wrap, Array};
use crate::convert::{
    axes_of, chunks_of, dtype_of, from_numpy, operand, scalar_of, shape_of, to_numpy,
};
use crate::errors::IntoPy;
use crate::run::run;

/// `x` under `chunks` (free on a source).
fn chunked(x: DynArray, chunks: Option<&Bound<'_, PyAny>>) -> PyResult<Array> {
    let x = wrap(x)?.inner();
    let spec = chunks_of(chunks, x.shape(), x.dtype())?;
    wrap(x.rechunk(spec).py_err()?)
}

/// An operand that must be an array (a NumPy array or a Python scalar becomes one).
pub(crate) fn array_of(obj: &Bound<'_, PyAny>) -> PyResult<DynArray> {
    if let Ok(a) = obj.cast::<Array>() {
        return Ok(a.get().inner().clone());
    }
    from_numpy(obj, None)
}

#[pyfunction]
#[pyo3(signature = (start, stop, step, dtype, chunks=None))]
pub fn _arange(
    start: &Bound<'_, PyAny>,
    stop: &Bound<'_, PyAny>,
    step: &Bound<'_, PyAny>,
    dtype: &Bound<'_, PyAny>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let d = dtype_of(Some(dtype), DType::I64)?;
    let get = |v: &Bound<'_, PyAny>| -> PyResult<DynScalar> {
        // Integers exact (the core casts them to `d`, and counts a negative step of an
        // unsigned dtype in i64); floats stay floats until cast.
        let wide = if v.extract::<i64>().is_ok() {
            DType::I64
        } else if v.extract::<u64>().is_ok() {
            DType::U64
        } else {
            DType::F64
        };
        scalar_of(v, wide)
    };
    let x = DynArray::arange(get(start)?, get(stop)?, get(step)?, d).py_err()?;
    chunked(x, chunks)
}

#[pyfunction]
#[pyo3(signature = (start, stop, num, endpoint, dtype, chunks=None))]
pub fn _linspace(
    start: f64,
    stop: f64,
    num: i64,
    endpoint: bool,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let num = usize::try_from(num).map_err(|_| {
        PyValueError::new_err(format!(
            "linspace: number of samples, {num}, must be non-negative"
        ))
    })?;
    let x = if endpoint {
        chunkwise::linspace(start, stop, num)
    } else {
        chunkwise::linspace_endpoint(start, stop, num, false)
    };
    let d = dtype_of(dtype, DType::F64)?;
    let x = DynArray::from(x);
    // NumPy 2 rounds toward -inf for an integer dtype (`astype` alone would truncate).
    let x = if matches!(d, DType::F64 | DType::F32 | DType::Bool) {
        x
    } else {
        x.floor().py_err()?
    };
    chunked(x.astype(d), chunks)
}

#[pyfunction]
#[pyo3(signature = (shape, fill_value, dtype=None, chunks=None))]
pub fn full(
    shape: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let shape = shape_of(shape)?;
    let d = match dtype.filter(|d| !d.is_none()) {
        Some(d) => dtype_of(Some(d), DType::F64)?,
        None => match operand(fill_value)? {
            chunkwise::DynOperand::Bool(_) => DType::Bool,
            // NumPy's dtype of a Python int: int64, or uint64 past int64's range.
            chunkwise::DynOperand::Int(v) if v > i128::from(i64::MAX) => DType::U64,
            chunkwise::DynOperand::Int(_) => DType::I64,
            chunkwise::DynOperand::Float(_) => DType::F64,
            chunkwise::DynOperand::Scalar(s) => s.dtype(),
            chunkwise::DynOperand::Array(a) => a.dtype(),
        },
    };
    chunked(DynArray::full(shape, scalar_of(fill_value, d)?), chunks)
}

#[pyfunction]
#[pyo3(signature = (shape, dtype=None, chunks=None))]
pub fn zeros(
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    chunked(
        DynArray::zeros(dtype_of(dtype, DType::F64)?, shape_of(shape)?),
        chunks,
    )
}

#[pyfunction]
#[pyo3(signature = (shape, dtype=None, chunks=None))]
pub fn ones(
    shape: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    chunked(
        DynArray::ones(dtype_of(dtype, DType::F64)?, shape_of(shape)?),
        chunks,
    )
}

/// Dask's `da.from_array`: a C-contiguous NumPy array is read in place (no copy).
#[pyfunction]
#[pyo3(signature = (x, chunks=None))]
pub fn from_array(x: &Bound<'_, PyAny>, chunks: Option<&Bound<'_, PyAny>>) -> PyResult<Array> {
    if let Ok(a) = x.cast::<Array>() {
        return chunked(a.get().inner().clone(), chunks);
    }
    wrap(from_numpy(x, chunks)?)
}

/// A random generator: NumPy's `np.random.default_rng(seed)`, chunkwise's stream (the same
/// values for any chunks and workers).
#[pyclass(name = "Generator", module = "chunkwise.random", frozen)]
pub struct Generator {
    inner: Mutex<chunkwise::random::Generator>,
}

impl Generator {
    fn draw(
        &self,
        f: impl FnOnce(&mut chunkwise::random::Generator) -> chunkwise::ChunkedArray<f64>,
    ) -> DynArray {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        DynArray::from(f(&mut g))
    }
}

fn size_of(size: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<usize>> {
    match size.filter(|s| !s.is_none()) {
        Some(s) => shape_of(s),
        None => Ok(vec![]),
    }
}

#[pymethods]
impl Generator {
    #[new]
    #[pyo3(signature = (seed=None))]
    fn new(seed: Option<u64>) -> Self {
        let g = match seed {
            Some(s) => chunkwise::random::default_rng(s),
            None => chunkwise::random::Generator::from_entropy(),
        };
        Generator {
            inner: Mutex::new(g),
        }
    }

    /// Uniform values in [0, 1).
    #[pyo3(signature = (size=None, dtype=None, chunks=None))]
    fn random(
        &self,
        size: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        chunks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Array> {
        let shape = size_of(size)?;
        let d = dtype_of(dtype, DType::F64)?;
        chunked(self.draw(|g| g.random(shape)).astype(d), chunks)
    }

    /// Uniform values in [low, high).
    #[pyo3(signature = (low=0.0, high=1.0, size=None, chunks=None))]
    fn uniform(
        &self,
        low: f64,
        high: f64,
        size: Option<&Bound<'_, PyAny>>,
        chunks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Array> {
        let shape = size_of(size)?;
        chunked(self.draw(|g| g.uniform(low, high, shape)), chunks)
    }

    /// Normal values of mean `loc` and standard deviation `scale`.
    #[pyo3(signature = (loc=0.0, scale=1.0, size=None, chunks=None))]
    fn normal(
        &self,
        loc: f64,
        scale: f64,
        size: Option<&Bound<'_, PyAny>>,
        chunks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Array> {
        let shape = size_of(size)?;
        chunked(self.draw(|g| g.normal(loc, scale, shape)), chunks)
    }

    /// Standard normal values.
    #[pyo3(signature = (size=None, dtype=None, chunks=None))]
    fn standard_normal(
        &self,
        size: Option<&Bound<'_, PyAny>>,
        dtype: Option<&Bound<'_, PyAny>>,
        chunks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Array> {
        let shape = size_of(size)?;
        let d = dtype_of(dtype, DType::F64)?;
        chunked(self.draw(|g| g.standard_normal(shape)).astype(d), chunks)
    }

    fn __repr__(&self) -> String {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        format!("chunkwise.random.Generator(seed={})", g.seed())
    }
}

/// Computes several arrays in one pass over their shared inputs (Dask's `da.compute`).
#[pyfunction]
#[pyo3(signature = (*arrays, num_workers=None))]
pub fn compute<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyTuple>,
    num_workers: Option<usize>,
) -> PyResult<Bound<'py, PyTuple>> {
    let cfg = config(num_workers)?;
    let mut lazy = Vec::new();
    let mut slots = Vec::new();
    for a in arrays.iter() {
        match a.cast::<Array>() {
            Ok(x) => {
                slots.push(None);
                lazy.push(x.get().inner().clone());
            }
            // Dask passes anything else through unchanged.
            Err(_) => slots.push(Some(a.unbind())),
        }
    }
    let results = crate::run::run(py, cfg, move |cfg| {
        let refs: Vec<&DynArray> = lazy.iter().collect();
        chunkwise::compute_many_dyn_with(&refs, cfg)
    })?;
    let mut results = results.into_iter();
    let mut out = Vec::with_capacity(slots.len());
    for s in slots {
        out.push(match s {
            Some(v) => v,
            None => to_numpy(py, results.next().expect("one result per array"))?,
        });
    }
    PyTuple::new(py, out)
}

/// A computed array held in memory as an array of `chunks` (for `persist`).
pub fn held(values: DynNdArray, chunks: &chunkwise::Chunks) -> PyResult<DynArray> {
    macro_rules! back {
        ($($V:ident),*) => {
            match values {
                $(DynNdArray::$V(a) => DynArray::from(chunkwise::from_array(a, chunks).py_err()?),)*
            }
        };
    }
    Ok(back!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool))
}

#[pyfunction]
#[pyo3(signature = (arrays, axis=0))]
pub fn concatenate(arrays: &Bound<'_, PyAny>, axis: isize) -> PyResult<Array> {
    let xs: Vec<DynArray> = arrays
        .try_iter()?
        .map(|a| array_of(&a?))
        .collect::<PyResult<_>>()?;
    if xs.is_empty() {
        return Err(PyValueError::new_err(
            "need at least one array to concatenate",
        ));
    }
    wrap(chunkwise::concatenate_dyn(&xs, axis).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (arrays, axis=0))]
pub fn stack(arrays: &Bound<'_, PyAny>, axis: isize) -> PyResult<Array> {
    let xs: Vec<DynArray> = arrays
        .try_iter()?
        .map(|a| array_of(&a?))
        .collect::<PyResult<_>>()?;
    if xs.is_empty() {
        return Err(PyValueError::new_err("need at least one array to stack"));
    }
    wrap(chunkwise::stack_dyn(&xs, axis).py_err()?)
}

/// `x` where `condition`, else `y` (NumPy's three-argument `where`).
#[pyfunction]
#[pyo3(name = "where")]
pub fn where_(
    condition: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
) -> PyResult<Array> {
    let c = array_of(condition)?;
    let c = if c.dtype() == DType::Bool {
        c
    } else {
        c.ne(0i64).py_err()?
    };
    // Scalars take their dtype against the other branch, as NumPy's weak scalars do.
    let (a, b) = match (operand(x)?, operand(y)?) {
        (chunkwise::DynOperand::Array(a), chunkwise::DynOperand::Array(b)) => (a, b),
        (chunkwise::DynOperand::Array(a), other) => {
            let b = other.into_array_beside("where", &a).py_err()?;
            (a, b)
        }
        (other, chunkwise::DynOperand::Array(b)) => {
            let a = other.into_array_beside("where", &b).py_err()?;
            (a, b)
        }
        (p, q) => (scalar_array(p)?, scalar_array(q)?),
    };
    wrap(chunkwise::where_dyn(&c, &a, &b).py_err()?)
}

fn scalar_array(o: chunkwise::DynOperand) -> PyResult<DynArray> {
    let s = match o {
        chunkwise::DynOperand::Array(a) => return Ok(a),
        chunkwise::DynOperand::Scalar(s) => s,
        // NumPy reads an int alone as int64, or uint64 past its range; beyond, as an object.
        chunkwise::DynOperand::Int(v) => match DynScalar::from_int(v) {
            s @ (DynScalar::I64(_) | DynScalar::U64(_)) => s,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "integer {v} out of the int64 and uint64 ranges"
                )))
            }
        },
        chunkwise::DynOperand::Float(v) => DynScalar::of(v),
        chunkwise::DynOperand::Bool(v) => DynScalar::of(v),
    };
    Ok(DynArray::full(Vec::<usize>::new(), s))
}

#[pyfunction]
pub fn matmul(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(chunkwise::matmul_dyn(&array_of(a)?, &array_of(b)?).py_err()?)
}

/// A reduction by NumPy's name over `axis`.
#[pyfunction]
#[pyo3(signature = (name, x, axis=None, keepdims=false, ddof=0, q=None))]
pub fn _reduce(
    name: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
    ddof: usize,
    q: Option<f64>,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let axes = axes_of(axis)?;
    let o = ReduceOptions::default().keepdims(keepdims);
    let od = o.ddof(ddof);
    let q = || q.ok_or_else(|| PyTypeError::new_err(format!("{name} needs q")));
    let r = match name {
        "sum" => x.sum_with(axes, o),
        "prod" => x.prod_with(axes, o),
        "min" => x.min_with(axes, o),
        "max" => x.max_with(axes, o),
        "ptp" => x.ptp_with(axes, o),
        "mean" => x.mean_with(axes, o),
        "var" => x.var_with(axes, od),
        "std" => x.std_with(axes, od),
        "argmin" => x.argmin_with(axes, o),
        "argmax" => x.argmax_with(axes, o),
        "any" => x.any_with(axes, o),
        "all" => x.all_with(axes, o),
        "count_nonzero" => x.count_nonzero_with(axes, o),
        "nansum" => x.nansum_with(axes, o),
        "nanprod" => x.nanprod_with(axes, o),
        "nanmin" => x.nanmin_with(axes, o),
        "nanmax" => x.nanmax_with(axes, o),
        "nanmean" => x.nanmean_with(axes, o),
        "nanvar" => x.nanvar_with(axes, od),
        "nanstd" => x.nanstd_with(axes, od),
        "nanargmin" => x.nanargmin_with(axes, o),
        "nanargmax" => x.nanargmax_with(axes, o),
        "median" => x.median_with(axes, o),
        "nanmedian" => x.nanmedian_with(axes, o),
        "quantile" => x.quantile_with(q()?, axes, o),
        "nanquantile" => x.nanquantile_with(q()?, axes, o),
        "percentile" => x.percentile_with(q()?, axes, o),
        "nanpercentile" => x.nanquantile_with(q()? / 100.0, axes, o),
        other => return Err(PyValueError::new_err(format!("no reduction named {other}"))),
    };
    wrap(r.py_err()?)
}

/// The quantiles at each of `qs` (in [0, 1]) over `axis`, in one pass: the quantiles' axis
/// first, as `np.quantile(x, qs, axis)`.
#[pyfunction]
#[pyo3(signature = (x, qs, axis=None, keepdims=false))]
pub fn _quantiles(
    x: &Bound<'_, PyAny>,
    qs: Vec<f64>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let o = ReduceOptions::default().keepdims(keepdims);
    wrap(x.quantiles_with(&qs, axes_of(axis)?, o).py_err()?)
}

/// An elementwise function of one array by NumPy's name.
#[pyfunction]
pub fn _unary(name: &str, x: &Bound<'_, PyAny>) -> PyResult<Array> {
    let x = array_of(x)?;
    let r = match name {
        "sqrt" => x.sqrt(),
        "exp" => x.exp(),
        "log" => x.ln(),
        "log2" => x.log2(),
        "log10" => x.log10(),
        "log1p" => x.ln_1p(),
        "expm1" => x.exp_m1(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "tan" => x.tan(),
        "arcsin" => x.asin(),
        "arccos" => x.acos(),
        "arctan" => x.atan(),
        "tanh" => x.tanh(),
        "sinh" => x.sinh(),
        "cosh" => x.cosh(),
        "arcsinh" => x.asinh(),
        "arccosh" => x.acosh(),
        "arctanh" => x.atanh(),
        "reciprocal" => x.recip(),
        "sign" => x.sign(),
        "signbit" => Ok(x.signbit()),
        "isinf" => Ok(x.isinf()),
        "logical_not" => x.logical_not(),
        "absolute" => x.abs(),
        "negative" => x.neg(),
        "square" => x.square(),
        "floor" => x.floor(),
        "ceil" => x.ceil(),
        "round" => x.round(),
        "trunc" => x.trunc(),
        "isnan" => Ok(x.isnan()),
        "isfinite" => Ok(x.isfinite()),
        "invert" => x.invert(),
        "positive" => Ok(x),
        other => {
            return Err(PyValueError::new_err(format!(
                "no elementwise function named {other}"
            )))
        }
    };
    wrap(r.py_err()?)
}

/// An elementwise function of two operands by NumPy's name (Python scalars are weak).
#[pyfunction]
pub fn _binary(name: &str, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let py = a.py();
    // The Array's operators hold NumPy's rules for either side; reuse them.
    let (lhs, rhs) = if a.cast::<Array>().is_ok() || b.cast::<Array>().is_ok() {
        (a.clone(), b.clone())
    } else {
        (
            Py::new(py, wrap(array_of(a)?)?)?.into_bound(py).into_any(),
            b.clone(),
        )
    };
    let dunder = match name {
        "add" => "__add__",
        "subtract" => "__sub__",
        "multiply" => "__mul__",
        "divide" | "true_divide" => "__truediv__",
        "floor_divide" => "__floordiv__",
        "mod" | "remainder" => "__mod__",
        "bitwise_and" => "__and__",
        "bitwise_or" => "__or__",
        "bitwise_xor" => "__xor__",
        "left_shift" => "__lshift__",
        "right_shift" => "__rshift__",
        "equal" => "__eq__",
        "not_equal" => "__ne__",
        "less" => "__lt__",
        "less_equal" => "__le__",
        "greater" => "__gt__",
        "greater_equal" => "__ge__",
        // Functions of the core without an operator (or other than it): a Python scalar on
        // the left takes its dtype against the array on the right, as the operators'
        // reflected forms do.
        "maximum" | "minimum" | "arctan2" | "hypot" | "copysign" | "logaddexp" | "nextafter"
        | "logical_and" | "logical_or" | "logical_xor" | "power" => {
            let y = operand(&rhs)?;
            let x = match (lhs.cast::<Array>(), &y) {
                (Ok(a), _) => a.get().inner().clone(),
                (Err(_), chunkwise::DynOperand::Array(b)) => {
                    operand(&lhs)?.into_array_beside(name, b).py_err()?
                }
                (Err(_), _) => array_of(&lhs)?,
            };
            let r = match name {
                "maximum" => x.maximum(y),
                "minimum" => x.minimum(y),
                "arctan2" => x.atan2(y),
                "hypot" => x.hypot(y),
                "copysign" => x.copysign(y),
                "logaddexp" => x.logaddexp(y),
                "nextafter" => x.nextafter(y),
                "logical_and" => x.logical_and(y),
                "logical_or" => x.logical_or(y),
                // NumPy's function, not its operator (`bools ** 2` squares, `power` does not).
                "power" => x.pow(y),
                _ => x.logical_xor(y),
            };
            return Ok(Py::new(py, wrap(r.py_err()?)?)?.into_any());
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "no elementwise function named {other}"
            )))
        }
    };
    let r = if lhs.cast::<Array>().is_ok() {
        lhs.call_method1(dunder, (rhs,))?
    } else {
        let reflected = dunder.replacen("__", "__r", 1);
        let reflected = match dunder {
            "__eq__" | "__ne__" => dunder.to_string(),
            "__lt__" => "__gt__".into(),
            "__le__" => "__ge__".into(),
            "__gt__" => "__lt__".into(),
            "__ge__" => "__le__".into(),
            _ => reflected,
        };
        rhs.call_method1(reflected.as_str(), (lhs,))?
    };
    if r.is(py.NotImplemented()) {
        return Err(PyTypeError::new_err(format!(
            "{name}: unsupported operand types"
        )));
    }
    Ok(r.unbind())
}

/// Each element of `x` limited to `[min, max]` in `x`'s dtype (either bound `None`, a scalar
/// or an array).
#[pyfunction]
#[pyo3(signature = (x, min=None, max=None))]
pub fn clip(
    x: &Bound<'_, PyAny>,
    min: Option<&Bound<'_, PyAny>>,
    max: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let bound = |b: Option<&Bound<'_, PyAny>>| b.filter(|b| !b.is_none()).map(operand).transpose();
    wrap(x.clip(bound(min)?, bound(max)?).py_err()?)
}

/// The rearrangements with the array API's arguments, by name: `flip` (axes), `moveaxis`
/// (source, destination), `roll` (shifts, axes), `tile` (reps), `tril`/`triu` (k), `diff`
/// (n, axis).
#[pyfunction]
#[pyo3(signature = (name, x, ints=Vec::new(), axes=None))]
pub fn _rearrange(
    name: &str,
    x: &Bound<'_, PyAny>,
    ints: Vec<isize>,
    axes: Option<Vec<isize>>,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let one = |what: &str| -> PyResult<isize> {
        ints.first()
            .copied()
            .ok_or_else(|| PyValueError::new_err(format!("{name}: {what} is missing")))
    };
    let r = match name {
        "flip" => x.flip(axes.as_deref()),
        "moveaxis" => x.moveaxis(&ints, &axes.unwrap_or_default()),
        "roll" => x.roll(&ints, axes.as_deref()),
        "tile" => {
            let reps = ints
                .iter()
                .map(|&r| usize::try_from(r))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    PyValueError::new_err(format!("tile: negative repetitions {ints:?}"))
                })?;
            x.tile(&reps)
        }
        "tril" => x.tril(one("k")?),
        "triu" => x.triu(one("k")?),
        "diff" => {
            let n = usize::try_from(one("n")?).map_err(|_| {
                PyValueError::new_err(format!("diff: order {} must be non-negative", ints[0]))
            })?;
            x.diff(n, axes.and_then(|a| a.first().copied()).unwrap_or(-1))
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "no rearrangement named {other}"
            )))
        }
    };
    wrap(r.py_err()?)
}

/// Each element repeated along `axis` (the flattened array when `None`): `repeats` one count
/// or one count per element (a sequence or an array, computed here).
#[pyfunction]
#[pyo3(signature = (x, repeats, axis=None))]
pub fn _repeat(
    x: &Bound<'_, PyAny>,
    repeats: &Bound<'_, PyAny>,
    axis: Option<isize>,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let negative = || PyValueError::new_err("repeat: repeats may not contain negative values");
    if let Ok(n) = repeats.extract::<i64>() {
        let n = usize::try_from(n).map_err(|_| negative())?;
        return wrap(x.repeat(n, axis).py_err()?);
    }
    let counts = to_numpy_values(repeats)?;
    if counts.len() == 1 {
        let n = usize::try_from(counts[0]).map_err(|_| negative())?;
        return wrap(x.repeat(n, axis).py_err()?);
    }
    let counts = counts
        .into_iter()
        .map(usize::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| negative())?;
    wrap(x.repeat_counts(&counts, axis).py_err()?)
}

/// The values of a sequence or array of integers (a chunkwise array is computed).
fn to_numpy_values(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    let np = obj.py().import("numpy")?;
    let obj = match obj.cast::<Array>() {
        Ok(a) => a.call_method0("compute")?,
        Err(_) => obj.clone(),
    };
    let a = np.call_method1("asarray", (obj,))?;
    let kind: String = a.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "i" | "u" | "b") {
        return Err(PyTypeError::new_err("repeat: repeats must be integers"));
    }
    np.call_method1("ravel", (a.call_method1("astype", ("int64",))?,))?
        .call_method0("tolist")?
        .extract()
}

/// Running sums or products along `axis` as the array API's `cumulative_sum`/`_prod` (a 0 or
/// 1 first when `include_initial`).
#[pyfunction]
#[pyo3(signature = (name, x, axis=None, include_initial=false))]
pub fn _cumulative(
    name: &str,
    x: &Bound<'_, PyAny>,
    axis: Option<isize>,
    include_initial: bool,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let r = match name {
        "cumulative_sum" => x.cumulative_sum(axis, include_initial),
        "cumulative_prod" => x.cumulative_prod(axis, include_initial),
        other => return Err(PyValueError::new_err(format!("no scan named {other}"))),
    };
    wrap(r.py_err()?)
}

/// NumPy's `eye(n, m, k, dtype)`.
#[pyfunction]
#[pyo3(signature = (n, m, k, dtype=None, chunks=None))]
pub fn _eye(
    n: i64,
    m: i64,
    k: isize,
    dtype: Option<&Bound<'_, PyAny>>,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let size = |v: i64| {
        usize::try_from(v)
            .map_err(|_| PyValueError::new_err(format!("eye: negative dimension {v}")))
    };
    let d = dtype_of(dtype, DType::F64)?;
    chunked(DynArray::eye(d, size(n)?, size(m)?, k), chunks)
}

/// NumPy's `meshgrid` of 1-d arrays (indexing "xy" or "ij").
#[pyfunction]
pub fn _meshgrid(xs: Vec<Bound<'_, PyAny>>, indexing: &str) -> PyResult<Vec<Array>> {
    let indexing = match indexing {
        "xy" => chunkwise::Indexing::Xy,
        "ij" => chunkwise::Indexing::Ij,
        other => {
            return Err(PyValueError::new_err(format!(
                "meshgrid: indexing must be 'xy' or 'ij', not {other:?}"
            )))
        }
    };
    let xs = xs.iter().map(array_of).collect::<PyResult<Vec<_>>>()?;
    DynArray::meshgrid(&xs, indexing)
        .py_err()?
        .into_iter()
        .map(wrap)
        .collect()
}

/// `x` broadcast to `shape` (a view).
#[pyfunction]
pub fn _broadcast_to(x: &Bound<'_, PyAny>, shape: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x)?.broadcast_to(shape_of(shape)?).py_err()?)
}

/// The arrays broadcast to their common shape.
#[pyfunction]
pub fn _broadcast_arrays(xs: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<Array>> {
    let xs = xs.iter().map(array_of).collect::<PyResult<Vec<_>>>()?;
    chunkwise::broadcast_arrays(&xs)
        .py_err()?
        .into_iter()
        .map(wrap)
        .collect()
}

/// Running sums or products along `axis` (the flattened array when `None`).
#[pyfunction]
#[pyo3(signature = (name, x, axis=None))]
pub fn _scan(name: &str, x: &Bound<'_, PyAny>, axis: Option<isize>) -> PyResult<Array> {
    let x = array_of(x)?;
    let r = match name {
        "cumsum" => x.cumsum(axis),
        "cumprod" => x.cumprod(axis),
        other => return Err(PyValueError::new_err(format!("no scan named {other}"))),
    };
    wrap(r.py_err()?)
}

#[pyfunction]
#[pyo3(signature = (path, chunks=None))]
pub fn from_npy(
    py: Python<'_>,
    path: std::path::PathBuf,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let x = py.detach(|| DynArray::from_npy(&path)).py_err()?;
    chunked(x, chunks)
}

#[pyfunction]
pub fn to_npy(py: Python<'_>, path: std::path::PathBuf, x: &Bound<'_, PyAny>) -> PyResult<()> {
    store_files(py, vec![(array_of(x)?, path, FileKind::Npy)], None)
}

#[pyfunction]
#[pyo3(signature = (path, chunks=None))]
pub fn from_zarr(
    py: Python<'_>,
    path: std::path::PathBuf,
    chunks: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let x = py.detach(|| DynArray::from_zarr(&path)).py_err()?;
    match chunks {
        Some(c) if !c.is_none() => chunked(x, Some(c)),
        _ => wrap(x),
    }
}

#[pyfunction]
pub fn to_zarr(py: Python<'_>, x: &Bound<'_, PyAny>, path: std::path::PathBuf) -> PyResult<()> {
    store_files(py, vec![(array_of(x)?, path, FileKind::Zarr)], None)
}

/// `np.histogram(x, bins, range, weights)` with `bins` equal bins over `range`: the counts
/// (`int64`), or the exact sums of `weights` in the weights' dtype, and the `bins + 1` edges
/// (`float64`), all lazy.
#[pyfunction]
#[pyo3(signature = (x, bins, range, weights=None))]
pub fn _histogram(
    x: &Bound<'_, PyAny>,
    bins: usize,
    range: (f64, f64),
    weights: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Array, Array)> {
    let x = array_of(x)?;
    let (counts, edges) = match weights {
        None => x.histogram(bins, range),
        Some(w) => x.histogram_weighted(&array_of(w)?, bins, range),
    }
    .py_err()?;
    Ok((wrap(counts)?, wrap(edges)?))
}

/// NumPy's `histogram` with bins given by their edges: the counts (or sums of `weights`) and
/// the edges.
#[pyfunction]
#[pyo3(signature = (x, edges, weights=None))]
pub fn _histogram_edges(
    x: &Bound<'_, PyAny>,
    edges: Vec<f64>,
    weights: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Array, Array)> {
    let x = array_of(x)?;
    let (counts, edges) = match weights {
        None => x.histogram_edges(&edges),
        Some(w) => x.histogram_edges_weighted(&array_of(w)?, &edges),
    }
    .py_err()?;
    Ok((wrap(counts)?, wrap(edges)?))
}

/// Dask's `topk` (`name` "topk") and `argtopk`: the `k` largest (negative `k`: smallest) along
/// `axis`, or of the flattened array when `axis` is `None`.
#[pyfunction]
#[pyo3(signature = (name, x, k, axis=None))]
pub fn _topk(name: &str, x: &Bound<'_, PyAny>, k: isize, axis: Option<isize>) -> PyResult<Array> {
    let x = array_of(x)?;
    let r = match name {
        "topk" => x.topk(k, axis),
        "argtopk" => x.argtopk(k, axis),
        other => return Err(PyValueError::new_err(format!("no top-k named {other}"))),
    };
    wrap(r.py_err()?)
}

/// NumPy's `einsum` of chunked arrays, in their common dtype.
#[pyfunction]
#[pyo3(signature = (subscripts, *operands))]
pub fn einsum(subscripts: &str, operands: &Bound<'_, PyTuple>) -> PyResult<Array> {
    let arrays: Vec<DynArray> = operands
        .iter()
        .map(|o| array_of(&o))
        .collect::<PyResult<_>>()?;
    let refs: Vec<&DynArray> = arrays.iter().collect();
    wrap(chunkwise::einsum_dyn(subscripts, &refs).py_err()?)
}

/// Writes each array to its file in one compute (`kinds[i]` is `"npy"` or `"zarr"`): shared
/// inputs are read once, and the files appear only when all are written.
#[pyfunction]
#[pyo3(signature = (arrays, paths, kinds, num_workers=None))]
pub fn _store(
    py: Python<'_>,
    arrays: Vec<Py<Array>>,
    paths: Vec<std::path::PathBuf>,
    kinds: Vec<String>,
    num_workers: Option<usize>,
) -> PyResult<()> {
    if arrays.len() != paths.len() || paths.len() != kinds.len() {
        return Err(PyValueError::new_err(format!(
            "store: {} sources for {} targets",
            arrays.len(),
            paths.len()
        )));
    }
    let jobs = arrays
        .iter()
        .zip(paths)
        .zip(kinds)
        .map(|((a, p), k)| {
            let kind = match k.as_str() {
                "npy" => FileKind::Npy,
                "zarr" => FileKind::Zarr,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "store: no file format named {other:?} (npy or zarr)"
                    )));
                }
            };
            Ok((a.get().inner().clone(), p, kind))
        })
        .collect::<PyResult<_>>()?;
    store_files(py, jobs, num_workers)
}

/// The file formats a path target is written in.
#[derive(Clone, Copy)]
enum FileKind {
    Npy,
    Zarr,
}

/// Writes each array to its file in one cancellable compute: shared inputs are read once, and
/// the files appear only when all are written (`to_npy`, `to_zarr` and `da.store` of paths).
fn store_files(
    py: Python<'_>,
    jobs: Vec<(DynArray, std::path::PathBuf, FileKind)>,
    num_workers: Option<usize>,
) -> PyResult<()> {
    crate::run::run(py, config(num_workers)?, move |cfg| {
        let targets = jobs
            .iter()
            .map(|(x, path, kind)| match kind {
                FileKind::Npy => x.npy_target(path),
                FileKind::Zarr => x.zarr_target(path),
            })
            .collect::<chunkwise::Result<Vec<_>>>()?;
        chunkwise::store_with(targets, cfg)
    })
}

/// The array API's `sort(x, axis, descending, stable)`: always stable, NaNs last (first
/// descending).
#[pyfunction]
#[pyo3(signature = (x, /, *, axis=-1, descending=false, stable=true))]
pub fn sort(x: &Bound<'_, PyAny>, axis: isize, descending: bool, stable: bool) -> PyResult<Array> {
    // Every sort is stable (a radix sort): a stable result is one an unstable sort may give.
    let _ = stable;
    wrap(array_of(x)?.sort(axis, descending).py_err()?)
}

/// The array API's `argsort(x, axis, descending, stable)`: always stable (`int64`).
#[pyfunction]
#[pyo3(signature = (x, /, *, axis=-1, descending=false, stable=true))]
pub fn argsort(
    x: &Bound<'_, PyAny>,
    axis: isize,
    descending: bool,
    stable: bool,
) -> PyResult<Array> {
    // Every sort is stable (a radix sort): a stable result is one an unstable sort may give.
    let _ = stable;
    wrap(array_of(x)?.argsort(axis, descending).py_err()?)
}

/// The array API's `searchsorted(x1, x2, side, sorter)`: `x1` (1-d, sorted, or sorted by the
/// indices `sorter`) is computed here; the positions stay lazy.
#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, side="left", sorter=None))]
pub fn searchsorted(
    py: Python<'_>,
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    side: &str,
    sorter: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let right = match side {
        "left" => false,
        "right" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "searchsorted: side must be 'left' or 'right', not {other:?}"
            )))
        }
    };
    let mut sorted = array_of(x1)?;
    if let Some(s) = sorter {
        let order = array_of(s)?;
        if order.ndim() != 1 || order.shape() != sorted.shape() {
            return Err(PyValueError::new_err(format!(
                "searchsorted: sorter of shape {:?} must be 1-d with x1's length {:?}",
                order.shape(),
                sorted.shape()
            )));
        }
        if matches!(order.dtype(), DType::Bool | DType::F32 | DType::F64) {
            return Err(PyTypeError::new_err(format!(
                "searchsorted: sorter must be integers, not {}",
                order.dtype()
            )));
        }
        sorted = sorted.take(&to_numpy_values(s)?, 0).py_err()?;
    }
    let values = array_of(x2)?;
    wrap(run(py, config(None)?, move |cfg| {
        sorted.searchsorted(&values, right, cfg)
    })?)
}

/// The array API's `unique_all` as a tuple (values, indices, inverse_indices, counts); the
/// distinct values are counted here.
#[pyfunction]
pub fn _unique_all(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(Array, Array, Array, Array)> {
    let x = array_of(x)?;
    let u = run(py, config(None)?, move |cfg| x.unique_all(cfg))?;
    Ok((
        wrap(u.values)?,
        wrap(u.indices)?,
        wrap(u.inverse_indices)?,
        wrap(u.counts)?,
    ))
}

/// NumPy's and the array API's `nonzero(x)`: a tuple of `int64` index arrays, one per axis
/// (counted here).
#[pyfunction]
pub fn nonzero<'py>(py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let x = array_of(x)?;
    let rows = run(py, config(None)?, move |cfg| x.nonzero(cfg))?;
    let rows = rows.into_iter().map(wrap).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, rows)
}

/// The array API's `tensordot(x1, x2, axes)`: `axes` an integer `n` (the last `n` axes of
/// `x1` with the first `n` of `x2`) or two sequences of axes.
#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, axes=None))]
pub fn tensordot(
    x1: &Bound<'_, PyAny>,
    x2: &Bound<'_, PyAny>,
    axes: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let (a, b) = (array_of(x1)?, array_of(x2)?);
    let (left, right): (Vec<isize>, Vec<isize>) = match axes {
        None => last_first(a.ndim(), b.ndim(), 2)?,
        Some(n) if n.extract::<i64>().is_ok() => last_first(a.ndim(), b.ndim(), n.extract()?)?,
        Some(pair) => pair.extract().map_err(|_| {
            PyTypeError::new_err("tensordot: axes must be an integer or two sequences of axes")
        })?,
    };
    wrap(chunkwise::tensordot_dyn(&a, &b, (&left, &right)).py_err()?)
}

/// `tensordot`'s integer `axes`: the last `n` axes of the first operand, the first `n` of the
/// second.
fn last_first(a: usize, b: usize, n: i64) -> PyResult<(Vec<isize>, Vec<isize>)> {
    match usize::try_from(n) {
        Ok(n) if n <= a && n <= b => Ok((
            (a - n..a).map(|d| d as isize).collect(),
            (0..n).map(|d| d as isize).collect(),
        )),
        _ => Err(PyValueError::new_err(format!(
            "tensordot: axes={n} must be between 0 and the operands' numbers of axes ({a} and {b})"
        ))),
    }
}

/// The array API's `take_along_axis(x, indices, axis)`: the indices are computed here.
#[pyfunction]
#[pyo3(signature = (x, indices, /, *, axis=-1))]
pub fn take_along_axis(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    indices: &Bound<'_, PyAny>,
    axis: isize,
) -> PyResult<Array> {
    let (x, indices) = (array_of(x)?, array_of(indices)?);
    wrap(run(py, config(None)?, move |cfg| {
        x.take_along_axis(&indices, axis, cfg)
    })?)
}
