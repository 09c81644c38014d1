//! Array sources: ranges, constants, ndarrays and random numbers. Every source produces any
//! region on demand, so nothing of the array's size is allocated when it is built.
//!
//! Sources get the automatic chunks ([`Chunks::auto`](crate::Chunks)); give explicit ones with
//! [`ChunkedArray::rechunk`], which on a source only changes the task grid and moves no data.

mod creation;
pub mod random;

mod dynamic;

pub use creation::{
    empty, eye, fromfunction, full_like, geomspace, identity, indices, linspace_endpoint, logspace,
    meshgrid, ones_like, tri, zeros_like, Indexing,
};

use std::ops::Range;
use std::sync::Arc;

use ndarray::{Array, ArrayD, Dimension};

use crate::array::ChunkedArray;
use crate::chunks::{checked_len, IntoChunks, IntoShape};
use crate::element::{Element, Numeric};
use crate::error::{Error, Result};
pub use crate::graph::source::SharedBuffer;
use crate::graph::source::{self as nodes, Flat, FlatFn, RegionFn, SourceNode};
use crate::graph::{Meta, TaskCx};
use crate::kernels::{self, gather};

/// Builds a source array, or an invalid one carrying the error of an oversized shape.
pub(crate) fn source<T: Element>(
    name: String,
    shape: Vec<usize>,
    f: Arc<dyn RegionFn<T>>,
) -> ChunkedArray<T> {
    ChunkedArray::from_expr(nodes::auto(name, shape, f))
}

pub(crate) fn invalid<T: Element>(name: &str, shape: Vec<usize>, e: Error) -> ChunkedArray<T> {
    ChunkedArray::from_expr(nodes::invalid(name, shape, e))
}

/// A source of shape `shape` refused for parameter `param` of `op`: its compute returns
/// [`Error::InvalidParameter`].
pub(crate) fn bad_param<T: Element>(
    op: &str,
    shape: Vec<usize>,
    param: &str,
    value: impl ToString,
    reason: &str,
) -> ChunkedArray<T> {
    let e = Error::InvalidParameter {
        op: op.into(),
        param: param.into(),
        value: value.to_string(),
        reason: reason.into(),
    };
    invalid(op, shape, e)
}

/// For each position of `shape`, its index along `axis`, or its flat C-order index.
pub(crate) fn axis_index(shape: &[usize], axis: Option<usize>) -> ChunkedArray<u64> {
    ChunkedArray::from_expr(nodes::axis_index(shape, axis))
}

struct Affine {
    start: f64,
    step: f64,
    /// For linspace: the exact last value at this position.
    last: Option<(u64, f64)>,
}
impl FlatFn<f64> for Affine {
    fn fill_flat(&self, start: u64, stride: u64, out: &mut [f64]) {
        let (s, step) = (self.start, self.step);
        kernels::from_positions(start, stride, out, &|p: u64| s + p as f64 * step);
        // The exact last value, where the run steps on its position (a run of step 0 is that
        // one position throughout).
        if let Some((p, v)) = self.last
            && let Some(d) = p.checked_sub(start)
        {
            if stride == 0 {
                if d == 0 {
                    out.fill(v);
                }
            } else if d % stride == 0 && d / stride < out.len() as u64 {
                out[(d / stride) as usize] = v;
            }
        }
    }
}

/// `0, 1, ..., n-1` as `i64`: NumPy's `np.arange(n)`.
///
/// ```
/// let total: i64 = chunkwise::arange(1_000).sum().item()?;
/// assert_eq!(total, 499_500);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn arange(n: usize) -> ChunkedArray<i64> {
    ChunkedArray::from_expr(nodes::arange(n))
}

/// `start, start + step, ...` up to but excluding `stop`, as `f64`: NumPy's float
/// `np.arange(start, stop, step)`, with `ceil((stop - start) / step)` elements, element `i` being
/// `start + i * step`. A zero or non-finite step, or non-finite bounds, is an error at compute.
///
/// ```
/// let x = chunkwise::arange_step(0.0, 1.0, 0.25).compute()?;
/// assert_eq!(x.as_slice().unwrap(), &[0.0, 0.25, 0.5, 0.75]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn arange_step(start: f64, stop: f64, step: f64) -> ChunkedArray<f64> {
    arange_of(start, stop, step)
}

/// `start + i * step`, computed in the element type (wrapping for integers, which is exact for
/// every value between `start` and `stop`).
struct Ramp<T> {
    start: T,
    step: T,
}
impl<T: Numeric> FlatFn<T> for Ramp<T> {
    fn fill_flat(&self, start: u64, stride: u64, out: &mut [T]) {
        let (s, step) = (self.start, self.step);
        kernels::from_positions(start, stride, out, &|p: u64| {
            s.n_add(T::n_from_u64(p).n_mul(step))
        });
    }
}

/// NumPy's `np.arange(start, stop, step, dtype=T)` for any numeric type: `start, start + step,
/// ...` up to but excluding `stop`, `ceil((stop - start) / step)` elements (counted exactly for
/// integers, in `f64` for floats), element `i` being `start + i * step` computed in `T`. A zero
/// step, non-finite float parameters, or more elements than can be addressed are an error at
/// compute.
///
/// ```
/// let x = chunkwise::arange_of(0u16, 10, 3).compute()?;
/// assert_eq!(x.as_slice().unwrap(), &[0, 3, 6, 9]);
/// let y = chunkwise::arange_of(5i16, -5, -3).compute()?;
/// assert_eq!(y.as_slice().unwrap(), &[5, 2, -1, -4]);
/// let z = chunkwise::arange_of(0.0f32, 1.0, 0.25).compute()?;
/// assert_eq!(z.as_slice().unwrap(), &[0.0, 0.25, 0.5, 0.75]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn arange_of<T: Numeric>(start: T, stop: T, step: T) -> ChunkedArray<T> {
    let name = format!("arange({start}, {stop}, {step}, dtype={})", T::DTYPE);
    let bad = |param: &str, value: T, reason: &str| bad_param(&name, vec![0], param, value, reason);
    let len: Option<u128> = if T::IS_FLOAT {
        let (a, b, d) = (start.n_to_f64(), stop.n_to_f64(), step.n_to_f64());
        if !a.is_finite() {
            return bad("start", start, "must be finite");
        }
        if !b.is_finite() {
            return bad("stop", stop, "must be finite");
        }
        if d == 0.0 || !d.is_finite() {
            return bad("step", step, "must be finite and nonzero");
        }
        let n = ((b - a) / d).ceil();
        (n < 1e30).then(|| n.max(0.0) as u128)
    } else {
        let (a, b, d) = (start.n_to_i128(), stop.n_to_i128(), step.n_to_i128());
        if d == 0 {
            return bad("step", step, "must be nonzero");
        }
        let (q, r) = ((b - a) / d, (b - a) % d);
        let n = if r != 0 && (r > 0) == (d > 0) {
            q + 1
        } else {
            q
        };
        Some(n.max(0) as u128)
    };
    match len.filter(|&n| n <= crate::chunks::MAX_ELEMENTS as u128) {
        Some(n) => source(name, vec![n as usize], Arc::new(Flat(Ramp { start, step }))),
        None => bad("step", step, "gives more elements than can be addressed"),
    }
}

/// `num` evenly spaced values from `start` to `stop` inclusive, as NumPy's `np.linspace`.
///
/// ```
/// let x = chunkwise::linspace(0.0, 1.0, 5).compute()?;
/// assert_eq!(x.as_slice().unwrap(), &[0.0, 0.25, 0.5, 0.75, 1.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn linspace(start: f64, stop: f64, num: usize) -> ChunkedArray<f64> {
    spaced(
        format!("linspace({start}, {stop}, {num})"),
        start,
        stop,
        num,
        true,
    )
}

/// `num` values from `start`, evenly spaced towards `stop`: with `endpoint` the last is `stop`
/// exactly (`num - 1` intervals), without it `num` intervals reach `stop` past the last.
pub(crate) fn spaced(
    name: String,
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
) -> ChunkedArray<f64> {
    for (p, v) in [("start", start), ("stop", stop)] {
        if !v.is_finite() {
            return bad_param(&name, vec![num], p, v, "must be finite");
        }
    }
    let intervals = if endpoint { num.saturating_sub(1) } else { num };
    let step = if intervals > 0 {
        (stop - start) / intervals as f64
    } else {
        0.0
    };
    let last = (endpoint && num > 1).then(|| ((num - 1) as u64, stop));
    source(
        name,
        vec![num],
        Arc::new(Flat(Affine { start, step, last })),
    )
}

/// An array of `shape` filled with `value`: NumPy's `np.full`.
///
/// ```
/// let x = chunkwise::full([2, 3], 7u8).compute()?;
/// assert!(x.iter().all(|&v| v == 7));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn full<T: Element>(shape: impl IntoShape, value: T) -> ChunkedArray<T> {
    ChunkedArray::from_expr(nodes::full(shape.into_shape_vec(), value))
}

/// An array of zeros: NumPy's `np.zeros`.
pub fn zeros<T: Element>(shape: impl IntoShape) -> ChunkedArray<T> {
    ChunkedArray::from_expr(nodes::zeros(shape.into_shape_vec()))
}

/// An array of ones: NumPy's `np.ones`.
pub fn ones<T: Numeric>(shape: impl IntoShape) -> ChunkedArray<T> {
    let shape = shape.into_shape_vec();
    source(
        format!("ones({shape:?})"),
        shape,
        Arc::new(nodes::Constant(T::ONE)),
    )
}

struct FromDelayed<T> {
    task: crate::delayed::Delayed<ArrayD<T>>,
    shape: Vec<usize>,
    value: std::sync::OnceLock<Result<Arc<ArrayD<T>>>>,
}
impl<T: Element> RegionFn<T> for FromDelayed<T> {
    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let shape = &at.shape[..];
        // The task runs once, by the first chunk task that needs it; the others wait for it.
        let v = self.value.get_or_init(|| {
            let a = self.task.compute_arc()?;
            if a.shape() != self.shape.as_slice() {
                return Err(Error::ShapeMismatch {
                    op: format!("from_delayed({:?})", self.task.name()),
                    got: a.shape().to_vec(),
                    expected: self.shape.clone(),
                });
            }
            Ok(if a.is_standard_layout() {
                a
            } else {
                Arc::new(a.as_standard_layout().into_owned())
            })
        });
        let a = v.as_ref().map_err(Clone::clone)?;
        gather(a.as_slice().expect("kept in C order"), shape, region, out);
        Ok(())
    }
}

/// An array whose values a delayed task computes (Dask's `da.from_delayed(value, shape)`). The
/// task runs once, when the array is first computed; a task result of another shape is an
/// [`Error::ShapeMismatch`] then.
///
/// ```
/// let d = chunkwise::delayed::task("load", || ndarray::ArrayD::from_elem(ndarray::IxDyn(&[4]), 2.5f64));
/// let x = chunkwise::from_delayed(d, [4], 2)?;
/// assert_eq!(x.sum().item()?, 10.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_delayed<T: Element>(
    task: crate::delayed::Delayed<ArrayD<T>>,
    shape: impl IntoShape,
    chunks: impl IntoChunks,
) -> Result<ChunkedArray<T>> {
    let shape = shape.into_shape_vec();
    checked_len("from_delayed", &shape)?;
    let chunks = chunks
        .into_chunk_spec()
        .resolve("from_delayed", &shape, T::DTYPE.size())?;
    let name = format!("from_delayed({})", task.name());
    let f = FromDelayed {
        task,
        shape: shape.clone(),
        value: std::sync::OnceLock::new(),
    };
    Ok(ChunkedArray::from_expr(Arc::new(SourceNode::new(
        name,
        shape,
        chunks,
        Arc::new(f),
    ))))
}

/// Reads a buffer someone else owns, in place: no copy is made, and the buffer lives as long as
/// any array built on it. This is how the Python package reads a NumPy array (Dask's
/// `da.from_array(x)` of a C-contiguous array). Values written into the buffer after this call
/// are seen by later computes, as in Dask.
///
/// Errors with [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when the buffer's length
/// is not the product of `shape`, and [`Error::InvalidChunks`](crate::Error::InvalidChunks)
/// for bad chunks.
///
/// ```
/// use std::sync::Arc;
/// let buffer: Arc<dyn chunkwise::SharedBuffer<f64>> = Arc::new(vec![1.0, 2.0, 3.0, 4.0]);
/// let x = chunkwise::from_shared(buffer.clone(), vec![2, 2], 1)?;
/// assert_eq!(x.sum().item()?, 10.0);
/// assert!(chunkwise::from_shared(buffer, vec![3, 2], 1).is_err());
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_shared<T: Element>(
    buffer: Arc<dyn SharedBuffer<T>>,
    shape: impl IntoShape,
    chunks: impl IntoChunks,
) -> Result<ChunkedArray<T>> {
    nodes::from_shared(buffer, shape.into_shape_vec(), chunks).map(ChunkedArray::from_expr)
}

/// Wraps an in-memory ndarray (any dimension, any layout) as a chunked array with the given
/// chunks (Dask's `da.from_array(x, chunks=...)`). The array is moved in, converted to C order
/// if it is not already.
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f64, 2.0], [3.0, 4.0]];
/// let x = chunkwise::from_array(a, [1, 2])?;
/// assert_eq!(x.chunks().axis(0), &[1, 1]);
/// assert_eq!(x.sum().item()?, 10.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_array<T: Element, D: Dimension>(
    array: Array<T, D>,
    chunks: impl IntoChunks,
) -> Result<ChunkedArray<T>> {
    nodes::from_array(array, chunks).map(ChunkedArray::from_expr)
}
