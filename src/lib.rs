//! # chunkwise
//!
//! Chunked, lazy N-d arrays for Rust: the Dask-array model, without per-task overhead or
//! per-op temporaries.
//!
//! A [`ChunkedArray<T>`] records sources ([`arange`], [`random::default_rng`], [`zeros`],
//! [`from_array`], ...), elementwise ops and reductions lazily. [`ChunkedArray::compute`] plans
//! the graph and evaluates it chunk by chunk on the current rayon pool; chains of elementwise ops
//! feeding a reduction are fused into one pass over cache-sized tiles, so memory stays bounded
//! by workers x tile, not by the array's size.
//!
//! ```
//! use chunkwise::prelude::*;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! // np.arange(10**7).sum()
//! let total: i64 = chunkwise::arange(10_000_000).sum().item()?;
//! assert_eq!(total, 49_999_995_000_000);
//!
//! // calc_pi_dask(N): draw (2, N) points, count those inside the unit circle
//! let n = 1_000_000;
//! let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
//! let r2 = pts.square().sum_with(0, chunkwise::ReduceOptions::default())?; // sum(axis=0)
//! let inside: u64 = r2.lt(1.0).count_nonzero().item()?;
//! println!("pi ~ {}", 4.0 * inside as f64 / n as f64);
//! # Ok(())
//! # }
//! ```
//!
//! The guides in [`doc`] cover the rest: [`doc::numpy_dask_users`] (the functions by their NumPy
//! and Dask names, where results differ, the rule for errors), [`doc::determinism`],
//! [`doc::memory_and_chunks`], [`doc::files`], [`doc::mpi`] and [`doc::architecture`] (the
//! pipeline API -> graph -> plan -> execute). The guarantees in short:
//!
//! * **lazy**: building an array allocates nothing of its size;
//! * **bounded memory**: a compute ending in a reduction uses workers x tile memory; the plan
//!   projects its peak ([`Plan::memory`]) and [`Config::memory_limit`] refuses a plan over it;
//! * **fused**: no chunk-sized temporary exists for any intermediate op;
//! * **deterministic**: random arrays depend on (seed, position) only ([`random::STREAM`]);
//!   every reduction is defined by the input's shape alone (canonical leaves combined in a fixed
//!   tree), so results, floats included, are bit-identical for any chunking and any number of
//!   workers; float sums are compensated, more accurate than NumPy's pairwise summation;
//! * **lazy at any size**: chunk grids cost O(axes), so `arange(10**18)` builds, slices and plans
//!   in microseconds.
//!
//! Files: [`from_npy`] reads NumPy's `.npy` region by region (bounded memory however large the
//! file), [`ChunkedArray::to_npy`] writes chunk by chunk into a temporary renamed into place only
//! when complete; with the `zarr` feature (on by default), `from_zarr` and
//! `ChunkedArray::to_zarr` do the same for Zarr stores through zarrs ([`io`]). Several results
//! in one compute: [`compute_many`] (reductions of one input share a pass over it) and [`store`]
//! (several files written in one pass).
//!
//! Two faces of one array: [`ChunkedArray<T>`] is typed; [`DynArray`] holds any dtype known at
//! run time (a file of unknown dtype, a binding to another language) and promotes as NumPy 2 at
//! run time; conversions between them are free. Reductions take their axes and NumPy's keywords
//! in one form, [`Axes`] and [`ReduceOptions`]: `x.sum(axis=(0, 2), keepdims=True)` is
//! `x.sum_with([0, 2], ReduceOptions::default().keepdims(true))`.
//!
//! Beyond arrays: [`delayed`] builds typed task graphs from closures (Dask's `delayed`), and
//! [`diagnostics`] shows the work: graph pictures ([`ChunkedArray::visualize`]), a progress bar,
//! a [`Profiler`](diagnostics::Profiler) with an SVG timeline, and the memory sampler, tables and
//! plots the examples use; all observe the executor through [`events::Observer`].

#![warn(missing_docs)]

mod array;
mod chunks;
pub mod delayed;
pub mod diagnostics;
pub mod doc;
mod element;
mod error;
pub mod events;
pub mod execute;
mod files;
mod frame;
mod graph;
pub mod io;
mod kernels;
mod plan;
mod pool;
mod region;
mod sources;
mod walk;

/// The ndarray version chunkwise's results are (`ArrayD<T>`), re-exported so that users name
/// the same version: `use chunkwise::ndarray;`.
///
/// ```
/// use chunkwise::ndarray::{array, ArrayD};
/// let x = chunkwise::from_array(array![[1.0, 2.0], [3.0, 4.0]], [1, 2])?;
/// let back: ArrayD<f64> = x.t().compute()?;
/// assert_eq!(back, array![[1.0, 3.0], [2.0, 4.0]].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub use ndarray;

pub use array::{
    block, broadcast_arrays, compute_many, compute_many_dyn, compute_many_dyn_with,
    compute_many_with, concatenate, concatenate_dyn, dstack, einsum, einsum_dyn, equal, greater,
    greater_equal, hstack, less, less_equal, map_blocks, map_blocks_dyn, map_blocks_with,
    map_overlap_dyn, matmul, matmul_dyn, maximum, minimum, not_equal, plan_many, promote,
    result_type, scalar, stack, stack_dyn, tensordot, tensordot_dyn, vstack, where_, where_dyn,
    Axes, BlockSpec, Boundary, ChunkedArray, Deferred, DynArray, DynNdArray, DynOperand, DynScalar,
    IntoOperand, Operand, PadMode, ReduceOptions, UniqueAll,
};
#[cfg(feature = "linalg")]
pub use array::{MatrixNorm, Svd};
pub use chunks::{
    AxisChunks, ChunkSpec, Chunks, IntoChunks, IntoShape, AUTO_CHUNK_BYTES, MAX_ELEMENTS,
};
pub use delayed::Delayed;
pub use element::{CastTo, DType, Element, Float, Integer, Numeric, Promote};
pub use error::{Error, Result};
#[cfg(feature = "mpi")]
pub use execute::Mpi;
pub use execute::{store, store_with, Config, Executor, Local, Target};
pub use io::npy::{from_npy, from_npy_chunked, npy_info, NpyInfo};
#[cfg(feature = "zarr")]
pub use io::zarr::{from_zarr, from_zarr_chunked, zarr_info, ZarrInfo};
#[cfg(feature = "linalg")]
pub use kernels::linalg::Decompose;
pub use plan::{
    KeptBlocks, MemoryPlan, OutputPlan, Pass, PassKind, Plan, SharedPlan, Sharing, StagePlan,
};
pub use region::TILE_LEN;
pub use sources::random;
pub use sources::{
    arange, arange_of, arange_step, from_array, from_delayed, from_shared, full, linspace, ones,
    zeros, SharedBuffer,
};
pub use sources::{
    empty, eye, fromfunction, full_like, geomspace, identity, indices, linspace_endpoint, logspace,
    meshgrid, ones_like, tri, zeros_like, Indexing,
};

/// The README's examples, compiled (and, but for the `no_run` one of 10^9 elements, run) as
/// doc-tests, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The names most programs need: `use chunkwise::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Axes, ChunkedArray, Config, DynArray, Element, Error, Float, IntoChunks, IntoOperand,
        Numeric, ReduceOptions,
    };
}
