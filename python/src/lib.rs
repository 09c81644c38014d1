//! `chunkwise._chunkwise`: the Python extension module of chunkwise.
//!
//! A thin layer over the Rust core's dtype-erased array ([`chunkwise::DynArray`]): it converts
//! arguments, releases the GIL while the engine runs, and maps [`chunkwise::Error`] to Python's
//! exceptions. The Dask-style surface (`chunkwise/__init__.py`) is written over these types.

mod array;
mod blocks;
mod convert;
mod delayed;
mod diagnostics;
mod errors;
mod functions;
mod linalg;
mod run;

use pyo3::prelude::*;

/// The extension's allocator: mimalloc, for the Rust side's allocations (NumPy keeps its own),
/// as polars' wheels ship jemalloc. On glibc's `malloc` a block of tens of MB made on a worker
/// thread (a `map_overlap` block with its halo, handed to the function) does not fit twice in
/// the thread's arena of 64 MiB: each one is mapped afresh, given back to the OS when let go,
/// and faulted in again. Memory that NumPy receives from the engine without a copy is freed
/// through the same allocator (its owner is a Rust vector). `RUSTFLAGS="--cfg
/// system_allocator"` builds the extension on the system allocator.
#[cfg(not(system_allocator))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _chunkwise(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<array::Array>()?;
    m.add_class::<functions::Generator>()?;
    m.add_function(wrap_pyfunction!(functions::_arange, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_linspace, m)?)?;
    m.add_function(wrap_pyfunction!(functions::full, m)?)?;
    m.add_function(wrap_pyfunction!(functions::zeros, m)?)?;
    m.add_function(wrap_pyfunction!(functions::ones, m)?)?;
    m.add_function(wrap_pyfunction!(functions::from_array, m)?)?;
    m.add_function(wrap_pyfunction!(functions::compute, m)?)?;
    m.add_function(wrap_pyfunction!(functions::concatenate, m)?)?;
    m.add_function(wrap_pyfunction!(functions::stack, m)?)?;
    m.add_function(wrap_pyfunction!(functions::where_, m)?)?;
    m.add_function(wrap_pyfunction!(functions::clip, m)?)?;
    m.add_function(wrap_pyfunction!(functions::matmul, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_unary, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_binary, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_scan, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_rearrange, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_repeat, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_cumulative, m)?)?;
    m.add_function(wrap_pyfunction!(functions::sort, m)?)?;
    m.add_function(wrap_pyfunction!(functions::argsort, m)?)?;
    m.add_function(wrap_pyfunction!(functions::searchsorted, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_unique_all, m)?)?;
    m.add_function(wrap_pyfunction!(functions::nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(functions::tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(functions::take_along_axis, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_eye, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_meshgrid, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_broadcast_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_broadcast_to, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_histogram, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_histogram_edges, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_quantiles, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_topk, m)?)?;
    m.add_function(wrap_pyfunction!(functions::einsum, m)?)?;
    m.add_function(wrap_pyfunction!(functions::_store, m)?)?;
    m.add_class::<diagnostics::PyProfiler>()?;
    m.add_function(wrap_pyfunction!(functions::from_npy, m)?)?;
    m.add_function(wrap_pyfunction!(functions::to_npy, m)?)?;
    m.add_function(wrap_pyfunction!(functions::from_zarr, m)?)?;
    m.add_function(wrap_pyfunction!(functions::to_zarr, m)?)?;
    m.add_function(wrap_pyfunction!(blocks::map_blocks, m)?)?;
    m.add_function(wrap_pyfunction!(blocks::map_overlap, m)?)?;
    m.add_class::<delayed::Delayed>()?;
    m.add_function(wrap_pyfunction!(array::_set_progress, m)?)?;
    m.add_function(wrap_pyfunction!(delayed::_delayed_call, m)?)?;
    linalg::register(m)?;
    m.add("__engine_version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
