//! The array API's `linalg` extension (`chunkwise.linalg` is written over these): each a call
//! of the core's [`chunkwise::DynArray`] function of the same name.

use chunkwise::{DynArray, MatrixNorm};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::array::{wrap, Array};
use crate::convert::{axes_of, dtype_of};
use crate::errors::IntoPy;
use crate::functions::array_of;

fn pair(p: (DynArray, DynArray)) -> PyResult<(Array, Array)> {
    Ok((wrap(p.0)?, wrap(p.1)?))
}

#[pyfunction]
#[pyo3(signature = (x, /, *, upper=false))]
pub fn cholesky(x: &Bound<'_, PyAny>, upper: bool) -> PyResult<Array> {
    wrap(array_of(x)?.cholesky(upper).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn det(x: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x)?.det().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn _slogdet(x: &Bound<'_, PyAny>) -> PyResult<(Array, Array)> {
    pair(array_of(x)?.slogdet().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn inv(x: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x)?.inv().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x1, x2, /))]
pub fn solve(x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x1)?.solve(&array_of(x2)?).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn _eigh(x: &Bound<'_, PyAny>) -> PyResult<(Array, Array)> {
    pair(array_of(x)?.eigh().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn eigvalsh(x: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x)?.eigvalsh().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, full_matrices=true))]
pub fn _svd(x: &Bound<'_, PyAny>, full_matrices: bool) -> PyResult<(Array, Array, Array)> {
    let (u, s, vh) = array_of(x)?.svd(full_matrices).py_err()?;
    Ok((wrap(u)?, wrap(s)?, wrap(vh)?))
}

#[pyfunction]
#[pyo3(signature = (x, /))]
pub fn svdvals(x: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x)?.svdvals().py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, mode="reduced"))]
pub fn _qr(x: &Bound<'_, PyAny>, mode: &str) -> PyResult<(Array, Array)> {
    let complete = match mode {
        "reduced" => false,
        "complete" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "qr: mode must be 'reduced' or 'complete', not {other:?}"
            )))
        }
    };
    pair(array_of(x)?.qr(complete).py_err()?)
}

/// `rtol` as the core takes it: `None`, a Python float, or an array (per matrix).
enum Rtol {
    Default,
    Value(f64),
    PerMatrix(DynArray),
}

fn rtol_of(rtol: Option<&Bound<'_, PyAny>>) -> PyResult<Rtol> {
    match rtol.filter(|r| !r.is_none()) {
        None => Ok(Rtol::Default),
        Some(r) if r.cast::<Array>().is_err() && r.extract::<f64>().is_ok() => {
            Ok(Rtol::Value(r.extract::<f64>()?))
        }
        Some(r) => Ok(Rtol::PerMatrix(array_of(r)?)),
    }
}

#[pyfunction]
#[pyo3(signature = (x, /, *, rtol=None))]
pub fn pinv(x: &Bound<'_, PyAny>, rtol: Option<&Bound<'_, PyAny>>) -> PyResult<Array> {
    let x = array_of(x)?;
    wrap(
        match rtol_of(rtol)? {
            Rtol::Default => x.pinv(None),
            Rtol::Value(r) => x.pinv(Some(r)),
            Rtol::PerMatrix(r) => x.pinv_with(&r),
        }
        .py_err()?,
    )
}

#[pyfunction]
#[pyo3(signature = (x, /, *, rtol=None))]
pub fn matrix_rank(x: &Bound<'_, PyAny>, rtol: Option<&Bound<'_, PyAny>>) -> PyResult<Array> {
    let x = array_of(x)?;
    let r = match rtol_of(rtol)? {
        Rtol::Default => None,
        Rtol::Value(v) => Some(DynArray::from(chunkwise::scalar(v))),
        Rtol::PerMatrix(a) => Some(a),
    };
    wrap(x.matrix_rank(r.as_ref()).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, n, /))]
pub fn matrix_power(x: &Bound<'_, PyAny>, n: &Bound<'_, PyAny>) -> PyResult<Array> {
    if n.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err("matrix_power: n must be an integer"));
    }
    let n: i64 = n
        .extract()
        .map_err(|_| PyTypeError::new_err("matrix_power: n must be an integer"))?;
    wrap(array_of(x)?.matrix_power(n).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, keepdims=false, ord=None))]
pub fn matrix_norm(
    x: &Bound<'_, PyAny>,
    keepdims: bool,
    ord: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let norm = match ord.filter(|o| !o.is_none()) {
        None => MatrixNorm::Frobenius,
        Some(o) => {
            if let Ok(s) = o.extract::<String>() {
                match s.as_str() {
                    "fro" => MatrixNorm::Frobenius,
                    "nuc" => MatrixNorm::Nuclear,
                    _ => return Err(PyValueError::new_err(format!("matrix_norm: ord {s:?}"))),
                }
            } else {
                let v: f64 = o.extract().map_err(|_| {
                    PyTypeError::new_err(
                        "matrix_norm: ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf",
                    )
                })?;
                match v {
                    1.0 => MatrixNorm::MaxColumnSum,
                    -1.0 => MatrixNorm::MinColumnSum,
                    2.0 => MatrixNorm::LargestSingular,
                    -2.0 => MatrixNorm::SmallestSingular,
                    f64::INFINITY => MatrixNorm::MaxRowSum,
                    f64::NEG_INFINITY => MatrixNorm::MinRowSum,
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "matrix_norm: ord {v} is not 'fro', 'nuc', 1, -1, 2, -2, inf or -inf"
                        )))
                    }
                }
            }
        }
    };
    wrap(array_of(x)?.matrix_norm(norm, keepdims).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, axis=None, keepdims=false, ord=2.0))]
pub fn vector_norm(
    x: &Bound<'_, PyAny>,
    axis: Option<&Bound<'_, PyAny>>,
    keepdims: bool,
    ord: f64,
) -> PyResult<Array> {
    wrap(
        array_of(x)?
            .vector_norm(axes_of(axis)?, ord, keepdims)
            .py_err()?,
    )
}

#[pyfunction]
#[pyo3(signature = (x, /, *, offset=0))]
pub fn diagonal(x: &Bound<'_, PyAny>, offset: isize) -> PyResult<Array> {
    wrap(array_of(x)?.diagonal(offset).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x, /, *, offset=0, dtype=None))]
pub fn trace(
    x: &Bound<'_, PyAny>,
    offset: isize,
    dtype: Option<&Bound<'_, PyAny>>,
) -> PyResult<Array> {
    let x = array_of(x)?;
    let d = match dtype.filter(|d| !d.is_none()) {
        None => None,
        Some(d) => Some(dtype_of(Some(d), x.dtype())?),
    };
    wrap(x.trace(offset, d).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x1, x2, /))]
pub fn outer(x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>) -> PyResult<Array> {
    wrap(array_of(x1)?.outer(&array_of(x2)?).py_err()?)
}

#[pyfunction]
#[pyo3(signature = (x1, x2, /, *, axis=-1))]
pub fn cross(x1: &Bound<'_, PyAny>, x2: &Bound<'_, PyAny>, axis: isize) -> PyResult<Array> {
    wrap(array_of(x1)?.cross(&array_of(x2)?, axis).py_err()?)
}

/// The functions above, added to the extension module under `linalg_` names.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),*) => {$(
            m.add(concat!("linalg_", stringify!($f)), wrap_pyfunction!($f, m)?)?;
        )*};
    }
    add!(
        cholesky,
        det,
        _slogdet,
        inv,
        solve,
        _eigh,
        eigvalsh,
        _svd,
        svdvals,
        _qr,
        pinv,
        matrix_rank,
        matrix_power,
        matrix_norm,
        vector_norm,
        diagonal,
        trace,
        outer,
        cross
    );
    Ok(())
}
