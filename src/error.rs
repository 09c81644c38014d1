//! The one error type of the crate.
//!
//! Every bad input becomes a variant here whose message names the operation and the shapes
//! involved, so that a failing `compute()` deep inside a program says what was asked of what.

/// Result alias used throughout chunkwise.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when building or computing a [`ChunkedArray`](crate::ChunkedArray).
///
/// Operators and argument-free methods never fail on the spot: they record the error in the lazy
/// graph and `compute()` / `item()` return it. Functions that take shapes, axes or chunks check
/// them at once and return `Result`.
///
/// ```
/// use chunkwise::prelude::*;
/// let a = chunkwise::zeros::<f64>([3, 4]);
/// let b = chunkwise::zeros::<f64>([5]);
/// let err = (&a + &b).compute().unwrap_err();
/// assert!(matches!(err, chunkwise::Error::Broadcast { .. }));
/// assert!(err.to_string().contains("[3, 4]") && err.to_string().contains("[5]"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two shapes that NumPy's broadcasting rules cannot combine.
    #[error("{op}: shapes {lhs:?} and {rhs:?} cannot be broadcast together")]
    Broadcast {
        /// The operation, e.g. `add`.
        op: String,
        /// Shape of the left operand.
        lhs: Vec<usize>,
        /// Shape of the right operand.
        rhs: Vec<usize>,
    },
    /// An axis index outside `-ndim..ndim`.
    #[error("{op}: axis {axis} is out of range for an array of shape {shape:?} (ndim {})", shape.len())]
    AxisOutOfRange {
        /// The operation, e.g. `sum_axis`.
        op: String,
        /// The axis as given.
        axis: isize,
        /// Shape of the array.
        shape: Vec<usize>,
    },
    /// A chunk specification that does not fit the shape.
    #[error("{op}: invalid chunks for shape {shape:?}: {reason}")]
    InvalidChunks {
        /// The operation, e.g. `rechunk`.
        op: String,
        /// Shape of the array.
        shape: Vec<usize>,
        /// What is wrong with the chunks.
        reason: String,
    },
    /// `item()` on an array that does not hold exactly one element.
    #[error("item: expected an array of size 1, got shape {shape:?} ({size} elements)")]
    NotScalar {
        /// Shape of the array.
        shape: Vec<usize>,
        /// Number of elements.
        size: usize,
    },
    /// The plan's projected peak memory exceeds the configured `memory_limit`.
    #[error(
        "{op}: projected peak memory {projected} bytes exceeds memory_limit {limit} bytes \
         (result shape {shape:?}); use smaller chunks or end the computation in a reduction"
    )]
    MemoryLimit {
        /// The operation that produces the result.
        op: String,
        /// Shape of the result.
        shape: Vec<usize>,
        /// Projected peak bytes.
        projected: u64,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// A parameter outside its domain: NaN or infinite distribution parameters, `arange` step 0, ...
    #[error("{op}: invalid parameter {param} = {value}: {reason}")]
    InvalidParameter {
        /// The operation, e.g. `uniform`.
        op: String,
        /// The parameter's name.
        param: String,
        /// The value as given.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A reduction without identity (min, max) over zero elements.
    #[error("{op}: zero-size reduction over shape {shape:?} has no identity")]
    EmptyReduction {
        /// The reduction, e.g. `min`.
        op: String,
        /// Shape of the input.
        shape: Vec<usize>,
    },
    /// A shape, or a shape and its chunks, whose sizes do not fit what the operation can hold.
    #[error("{op}: shape {shape:?} is too large: {reason}")]
    TooLarge {
        /// The operation.
        op: String,
        /// The shape.
        shape: Vec<usize>,
        /// What overflows.
        reason: String,
    },
    /// Two arrays whose shapes must agree exactly (outside broadcasting), or an array whose shape
    /// does not match what an operation needs.
    #[error("{op}: shape {got:?} does not match the expected {expected:?}")]
    ShapeMismatch {
        /// The operation.
        op: String,
        /// The shape found.
        got: Vec<usize>,
        /// The shape expected.
        expected: Vec<usize>,
    },
    /// Axes that are not a permutation, or repeat, where distinct axes are needed.
    #[error("{op}: axes {axes:?} are not valid for an array of shape {shape:?}: {reason}")]
    InvalidAxes {
        /// The operation, e.g. `transpose`.
        op: String,
        /// The axes as given.
        axes: Vec<isize>,
        /// Shape of the array.
        shape: Vec<usize>,
        /// What is wrong.
        reason: String,
    },
    /// A user closure (`map_blocks`) panicked or returned the wrong shape on one chunk.
    #[error("{op}: chunk {chunk:?} (region {region}) failed: {reason}")]
    Block {
        /// The operation, e.g. `map_blocks`.
        op: String,
        /// Chunk coordinates in the grid.
        chunk: Vec<usize>,
        /// The chunk's index ranges.
        region: String,
        /// The panic message, or the shape mismatch.
        reason: String,
    },
    /// An integer index outside `-extent..extent` (NumPy's and Python's `IndexError`).
    #[error("{op}: index {index} is out of bounds for axis {axis} with extent {extent}")]
    IndexOutOfBounds {
        /// The operation, e.g. `slice of shape [3]`.
        op: String,
        /// The axis indexed.
        axis: usize,
        /// The index as given.
        index: i64,
        /// The axis' extent.
        extent: usize,
    },
    /// The compute was cancelled through the flag given to
    /// [`Config::cancel_on`](crate::Config::cancel_on) (the Python package sets it on Ctrl-C).
    #[error("compute: cancelled")]
    Cancelled,
    /// A value met at compute that the operation has no answer for, as NumPy's `ValueError`s
    /// (an all-NaN slice in `nanargmin`, weights that sum to zero in `average`).
    #[error("{op}: {reason}")]
    InvalidValue {
        /// The operation.
        op: String,
        /// What was found, and where.
        reason: String,
    },
    /// A delayed task panicked or failed (the tasks that depend on it fail with this error too).
    #[error("task {task:?} failed: {reason}")]
    Task {
        /// The task's name.
        task: String,
        /// The panic message or the error.
        reason: String,
    },
    /// A file could not be written or read.
    #[error("{op}: {path}: {reason}")]
    Io {
        /// The operation, e.g. `write_svg`.
        op: String,
        /// The file.
        path: String,
        /// What the operating system or the encoder said.
        reason: String,
    },
    /// A file that is not what it claims to be: not `.npy`, truncated, or of a dtype or layout
    /// chunkwise cannot hold (named).
    #[error("{op}: {path}: {reason}")]
    Format {
        /// The operation, e.g. `from_npy`.
        op: String,
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file holds another element type than the one asked for.
    #[error("{op}: {path} holds {found} values, not {expected}")]
    DTypeMismatch {
        /// The operation, e.g. `from_npy`.
        op: String,
        /// The file.
        path: String,
        /// The element type asked for.
        expected: crate::DType,
        /// What the file holds (its dtype descriptor).
        found: String,
    },
    /// An operation the element type does not support (NumPy's `TypeError`): bitwise
    /// operators on floats, arithmetic on `bool`, an array of another dtype than asked for.
    #[error("{op}: not supported for {dtypes}: {reason}")]
    UnsupportedDType {
        /// The operation with its operands' shapes, e.g. `bitand on f64[3]`.
        op: String,
        /// The dtypes involved, e.g. `f64 and i32`.
        dtypes: String,
        /// What the operation needs.
        reason: String,
    },
    /// The worker pool could not be built.
    #[error("compute: could not start a pool of {workers} workers: {reason}")]
    Pool {
        /// Workers requested.
        workers: usize,
        /// The reason rayon gave.
        reason: String,
    },
    /// Another rank of a distributed compute failed (a task's error or panic there); every
    /// rank returns this error, the failing rank its own.
    #[error("compute: rank {rank} of {ranks} failed: {reason}")]
    Rank {
        /// The rank that failed first (the lowest, when several did).
        rank: usize,
        /// The ranks in the compute.
        ranks: usize,
        /// Its error, as it displays.
        reason: String,
    },
    /// The distributed runtime (MPI) could not start or exchange data.
    #[error("{op}: {reason}")]
    Distributed {
        /// The operation, e.g. `Mpi::init`.
        op: String,
        /// What went wrong.
        reason: String,
    },
}

/// The text of a caught panic's payload (a `&str` or a `String`, as `panic!` makes them).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".into())
}
