//! `chunkwise::Error` as the Python exception a NumPy or Dask user expects, with the core's
//! message.

use std::path::Path;

use chunkwise::Error;
use pyo3::exceptions::{
    PyFileNotFoundError, PyIndexError, PyIsADirectoryError, PyKeyboardInterrupt, PyMemoryError,
    PyOSError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::PyErr;

/// The Python exception for a core error: dtypes are `TypeError`, an index out of bounds is
/// `IndexError`, sizes past what memory holds are `MemoryError`, files are `OSError` (a missing
/// one `FileNotFoundError`), failed tasks and executors `RuntimeError`, a cancelled compute
/// `KeyboardInterrupt`, and the rest (shapes,
/// axes, chunks, parameters, values) `ValueError`.
pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::UnsupportedDType { .. } | Error::DTypeMismatch { .. } => PyTypeError::new_err(msg),
        Error::IndexOutOfBounds { .. } => PyIndexError::new_err(msg),
        Error::TooLarge { .. } | Error::MemoryLimit { .. } => PyMemoryError::new_err(msg),
        Error::Io { path, .. } | Error::Format { path, .. } if !Path::new(&path).exists() => {
            PyFileNotFoundError::new_err(msg)
        }
        Error::Io { path, .. } | Error::Format { path, .. }
            if Path::new(&path).is_dir() && !is_store(&path) =>
        {
            PyIsADirectoryError::new_err(msg)
        }
        Error::Io { .. } => PyOSError::new_err(msg),
        // A file of a dtype chunkwise does not hold is a dtype problem.
        Error::Format { reason, .. } if reason.contains("dtype") => PyTypeError::new_err(msg),
        // Ctrl-C (`Config::cancel_on`), as Python raises it.
        Error::Cancelled => PyKeyboardInterrupt::new_err(msg),
        Error::Task { .. }
        | Error::Pool { .. }
        | Error::Rank { .. }
        | Error::Distributed { .. } => PyRuntimeError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// A Zarr store (a folder), as opposed to a folder where a file was expected.
fn is_store(path: &str) -> bool {
    ["zarr.json", ".zarray", ".zgroup"]
        .iter()
        .any(|f| Path::new(path).join(f).exists())
}

/// `Result<T, chunkwise::Error>` to `PyResult<T>`.
pub trait IntoPy<T> {
    fn py_err(self) -> pyo3::PyResult<T>;
}

impl<T> IntoPy<T> for chunkwise::Result<T> {
    fn py_err(self) -> pyo3::PyResult<T> {
        self.map_err(to_py)
    }
}
