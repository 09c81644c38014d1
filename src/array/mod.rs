//! The user-facing type, [`ChunkedArray`].

mod axes;
#[cfg(feature = "linalg")]
mod decompositions;
mod deferred;
mod dynamic;
mod linalg;
mod movement;
mod ops;
mod rearrange;
mod reductions;
mod scans;
mod sorting;
mod statistics;
mod ufuncs;

pub use axes::{Axes, ReduceOptions};
#[cfg(feature = "linalg")]
pub use decompositions::Svd;
pub use deferred::Deferred;
#[cfg(feature = "linalg")]
pub use dynamic::MatrixNorm;
pub use dynamic::{
    broadcast_arrays, compute_many_dyn, compute_many_dyn_with, concatenate_dyn, einsum_dyn,
    map_blocks_dyn, map_overlap_dyn, matmul_dyn, result_type, stack_dyn, tensordot_dyn, where_dyn,
    DynArray, DynNdArray, DynOperand, DynScalar, UniqueAll,
};
pub use linalg::{einsum, matmul, tensordot};
pub use movement::{concatenate, map_blocks, map_blocks_with, stack, BlockSpec, Boundary, PadMode};
pub(crate) use ops::retype;
pub use ops::{
    equal, greater, greater_equal, less, less_equal, maximum, minimum, not_equal, promote, scalar,
    where_, IntoOperand, Operand,
};
pub(crate) use rearrange::by_offset;
pub use rearrange::{block, dstack, hstack, vstack};

use std::fmt;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::chunks::{Chunks, IntoChunks};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::execute::{self, Config};
use crate::graph::regrid::Regrid;
use crate::graph::Expr;
use crate::plan::Plan;

/// A lazy, chunked N-d array: Dask's `dask.array.Array` for Rust.
///
/// Building one records an operation in a graph and computes nothing; [`compute`](Self::compute)
/// plans the graph and evaluates it chunk by chunk on the current rayon pool, fusing chains of
/// elementwise ops and reductions into one pass over cache-sized tiles, so memory stays
/// proportional to workers x tile unless the result itself is large.
///
/// Cloning is cheap (an `Arc`), and an array can be used in many expressions.
///
/// ```
/// use chunkwise::prelude::*;
///
/// // np.arange(10**6).sum()
/// let total: i64 = chunkwise::arange(1_000_000).sum().item()?;
/// assert_eq!(total, 499_999_500_000);
///
/// // Monte-Carlo pi on 10^6 points
/// let n = 1_000_000;
/// let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
/// let inside: u64 = pts.square().sum_with(0, chunkwise::ReduceOptions::default())?.lt(1.0).count_nonzero().item()?;
/// let pi = 4.0 * inside as f64 / n as f64;
/// assert!((pi - std::f64::consts::PI).abs() < 0.01);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct ChunkedArray<T: Element> {
    /// Dropped by [`ChunkedArray`]'s `Drop`, which frees a graph one node at a time.
    expr: ManuallyDrop<Arc<dyn Expr<T>>>,
}

impl<T: Element> Clone for ChunkedArray<T> {
    fn clone(&self) -> Self {
        ChunkedArray::from_expr(Arc::clone(&self.expr))
    }
}

impl<T: Element> Drop for ChunkedArray<T> {
    fn drop(&mut self) {
        // SAFETY: `expr` is taken once, here, and the array is not used after its drop.
        let expr = unsafe { ManuallyDrop::take(&mut self.expr) };
        crate::graph::free_graph(expr);
    }
}

impl<T: Element> fmt::Debug for ChunkedArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.expr.meta();
        write!(
            f,
            "ChunkedArray<{}>(shape={:?}, chunks={}, op={})",
            m.dtype, m.shape, m.chunks, m.name
        )
    }
}

/// Dask's repr in a line: dtype, shape, chunk shape, chunks, bytes, and the op, and the error
/// recorded when the op was built, if any. It plans nothing (for the tasks a compute runs, see
/// [`ChunkedArray::plan`]), so printing an array costs the same whatever its graph.
///
/// ```
/// let x = chunkwise::zeros::<f64>([1000, 1000]).rechunk([250, 500])?;
/// assert_eq!(
///     x.to_string(),
///     "ChunkedArray<f64> shape [1000, 1000], chunk shape [250, 500], 8 chunks, 7.6 MiB: rechunk((250 x 4), (500 x 2))"
/// );
/// # Ok::<(), chunkwise::Error>(())
/// ```
impl<T: Element> fmt::Display for ChunkedArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.expr.meta();
        let chunk: Vec<usize> = m.chunks.axes().iter().map(|a| a.max()).collect();
        write!(
            f,
            "ChunkedArray<{}> shape {:?}, chunk shape {:?}, {} chunks, {}: {}",
            m.dtype,
            m.shape,
            chunk,
            m.chunks.num_chunks(),
            crate::plan::human(u64::try_from(self.nbytes()).unwrap_or(u64::MAX)),
            m.name
        )?;
        match &m.error {
            Some(e) => write!(f, " (invalid, compute returns the error: {e})"),
            None => Ok(()),
        }
    }
}

/// ## Shape and chunks
impl<T: Element> ChunkedArray<T> {
    /// The error this array records, if building it went wrong (a shape that does not
    /// broadcast, a bad parameter): `compute` and `plan` return it. Building never fails, so
    /// that a graph can be assembled with `?` only at the end; callers that want to fail early,
    /// as NumPy and Dask do, ask here.
    ///
    /// ```
    /// let bad = chunkwise::arange(3) + chunkwise::arange(4);
    /// assert!(matches!(bad.error(), Some(chunkwise::Error::Broadcast { .. })));
    /// assert!(chunkwise::arange(3).error().is_none());
    /// ```
    pub fn error(&self) -> Option<&Error> {
        self.expr.meta().error.as_ref()
    }

    /// Bytes the values take (elements times the element size), as Dask's `nbytes`.
    pub fn nbytes(&self) -> u128 {
        self.len() as u128 * T::DTYPE.size() as u128
    }

    /// Chunks along each axis, as Dask's `numblocks`.
    pub fn numblocks(&self) -> Vec<usize> {
        self.chunks().grid()
    }

    /// Block `index` (one chunk, by its coordinates in the grid) as an array of its own, as
    /// Dask's `x.blocks[i, j]`. Errors for an index of the wrong length or past the grid.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// assert_eq!(x.numblocks(), vec![3]);
    /// let b = x.blocks(&[2])?.compute()?;
    /// assert_eq!(b.as_slice().unwrap(), &[8, 9]);
    /// assert!(x.blocks(&[3]).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn blocks(&self, index: &[usize]) -> Result<Self> {
        let grid = self.numblocks();
        if index.len() != grid.len() || index.iter().zip(&grid).any(|(i, n)| i >= n) {
            return Err(Error::InvalidParameter {
                op: format!("blocks of {}{:?}", T::DTYPE, self.shape()),
                param: "index".into(),
                value: format!("{index:?}"),
                reason: format!("the grid has {grid:?} blocks"),
            });
        }
        let elems: Vec<ndarray::SliceInfoElem> = index
            .iter()
            .zip(self.chunks().axes())
            .map(|(&i, a)| {
                let r = a.range(i);
                ndarray::SliceInfoElem::Slice {
                    start: r.start as isize,
                    end: Some(r.end as isize),
                    step: 1,
                }
            })
            .collect();
        self.slice(elems)
    }
    pub(crate) fn from_expr(expr: Arc<dyn Expr<T>>) -> Self {
        ChunkedArray {
            expr: ManuallyDrop::new(expr),
        }
    }

    pub(crate) fn expr(&self) -> &Arc<dyn Expr<T>> {
        &self.expr
    }

    /// The extents of the axes.
    pub fn shape(&self) -> &[usize] {
        &self.expr.meta().shape
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// Number of elements (the product of the shape), as ndarray's `len`.
    pub fn len(&self) -> usize {
        self.expr.meta().size()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        T::DTYPE
    }

    /// The chunk grid: block sizes per axis, as Dask's `.chunks`.
    pub fn chunks(&self) -> &Chunks {
        &self.expr.meta().chunks
    }

    /// The same values under a new chunk grid.
    ///
    /// Chunks are the unit of scheduling: `compute` runs one task per chunk of the result, and a
    /// reduction over an axis split into several chunks runs as a tree over them. Because every
    /// op can produce any region, a rechunk moves no data; on a source it costs nothing.
    ///
    /// Errors with [`Error::InvalidChunks`] for zero or negative sizes (other than `-1`, the
    /// whole axis), the wrong number of axes, or explicit blocks that do not sum to the extent.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// assert_eq!(x.chunks().axis(0), &[4, 4, 2]);
    /// assert!(chunkwise::arange(10).rechunk(0).is_err());
    /// assert!(chunkwise::arange(10).rechunk(vec![vec![5, 4]]).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn rechunk(&self, chunks: impl IntoChunks) -> Result<Self> {
        let m = self.expr.meta();
        let chunks = chunks
            .into_chunk_spec()
            .resolve("rechunk", &m.shape, T::DTYPE.size())?;
        if chunks == m.chunks {
            return Ok(self.clone());
        }
        Ok(Self::from_expr(Arc::new(Regrid::new(
            Arc::clone(&self.expr),
            chunks,
        ))))
    }
}

/// ## Computing
impl<T: Element> ChunkedArray<T> {
    /// Evaluates the array on the current rayon pool (so `pool.install(|| x.compute())` chooses
    /// the workers) and returns it as an ndarray.
    ///
    /// ```
    /// let x = (chunkwise::arange(5) * 2).compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[0, 2, 4, 6, 8]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute(&self) -> Result<ArrayD<T>> {
        execute::compute(&self.expr, &Config::default())
    }

    /// Evaluates the array with an explicit [`Config`] (workers, memory limit, executor).
    /// Under an MPI executor every rank gets the whole result.
    pub fn compute_with(&self, cfg: &Config) -> Result<ArrayD<T>> {
        execute::compute(&self.expr, cfg)
    }

    /// [`compute_with`](Self::compute_with) returning the array on rank 0 only (`None` on
    /// the other ranks), as `comm.gather(x, root=0)` does: under MPI an array result then
    /// crosses the network once, to rank 0, instead of to every rank. In one process it is
    /// always `Some`.
    ///
    /// ```
    /// let x = (chunkwise::arange(4) * 3).compute_to_root(&Default::default())?;
    /// assert_eq!(x.unwrap().as_slice().unwrap(), &[0, 3, 6, 9]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute_to_root(&self, cfg: &Config) -> Result<Option<ArrayD<T>>> {
        execute::compute_to_root(&self.expr, cfg)
    }

    /// The single element of a one-element array (typically a full reduction), as NumPy's
    /// `.item()`. Errors with [`Error::NotScalar`] before computing anything if the array does
    /// not have exactly one element.
    pub fn item(&self) -> Result<T> {
        self.item_with(&Config::default())
    }

    /// [`item`](Self::item) with an explicit [`Config`].
    pub fn item_with(&self, cfg: &Config) -> Result<T> {
        if self.len() != 1 {
            return Err(Error::NotScalar {
                shape: self.shape().to_vec(),
                size: self.len(),
            });
        }
        let a = self.compute_with(cfg)?;
        Ok(*a.iter().next().expect("one element"))
    }

    /// The plan `compute()` would run on the current pool: stages, chunk counts, fused ops and
    /// projected memory. Errors recorded in the graph are returned here too.
    pub fn plan(&self) -> Result<Plan> {
        execute::plan_for(&self.expr, &Config::default())
    }

    /// The graph as Graphviz DOT at `level`: one node per op, one per fused pass, or one per
    /// task with the reductions' combine trees.
    pub fn to_dot(&self, level: crate::diagnostics::GraphLevel) -> Result<String> {
        let plan = self.plan()?;
        Ok(crate::diagnostics::array_dot(
            Arc::clone(&*self.expr) as Arc<dyn crate::graph::Node>,
            &plan,
            level,
        ))
    }

    /// Writes the graph at `level` to `path` as DOT, and beside it as SVG where Graphviz's `dot`
    /// is installed (Dask's `.visualize()`); [`Visualized::note`](crate::diagnostics::Visualized)
    /// says why there is no SVG otherwise.
    ///
    /// ```
    /// use chunkwise::diagnostics::GraphLevel;
    /// let pts = chunkwise::random::default_rng(1).uniform(-1.0, 1.0, [2, 8192]).rechunk([2, 2048])?;
    /// let inside = pts.square().sum_with(0, chunkwise::ReduceOptions::default())?.lt(1.0).count_nonzero();
    /// let dot = inside.to_dot(GraphLevel::Tasks)?;
    /// assert!(dot.contains("combine") && dot.contains("task 3"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn visualize(
        &self,
        path: impl AsRef<std::path::Path>,
        level: crate::diagnostics::GraphLevel,
    ) -> Result<crate::diagnostics::Visualized> {
        crate::diagnostics::write_graph(path.as_ref(), &self.to_dot(level)?)
    }

    /// A delayed task that computes this array, to feed task graphs (`x.sum().to_delayed()`).
    ///
    /// ```
    /// let total = chunkwise::arange(100).sum().to_delayed().then("double", |a| a[[]] * 2);
    /// assert_eq!(total.compute()?, 9900);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn to_delayed(&self) -> crate::Delayed<ArrayD<T>> {
        let x = self.clone();
        let name = self.expr.meta().name.clone();
        crate::delayed::try_task(format!("compute {name}"), move || x.compute())
    }

    /// The plan as text, like polars' `explain()`.
    ///
    /// ```
    /// let x = chunkwise::random::default_rng(0).uniform(-1.0, 1.0, [2, 1_000_000]);
    /// let text = x.square().sum_with(0, chunkwise::ReduceOptions::default())?.lt(1.0).count_nonzero().explain()?;
    /// assert!(text.contains("square -> sum(axis=[0]) -> lt 1 -> count_nonzero"));
    /// assert!(text.contains("projected peak memory"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn explain(&self) -> Result<String> {
        Ok(self.plan()?.to_string())
    }
}

/// Computes several arrays in one go, planned as one graph (Dask's `dask.compute(a, b)`):
/// a step they share (a staged reduction, a held shared node) runs once, and staged reductions
/// of the same input share one pass over it, so the mean and the standard deviation of a file
/// read it once. Each other array is then written in its own pass.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-compute-many-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.npy");
/// chunkwise::random::default_rng(0).normal(3.0, 2.0, [100_000]).to_npy(&path)?;
/// let x = chunkwise::from_npy_chunked::<f64>(&path, 10_000)?;
/// let (mean, std) = (x.mean(), x.std());
/// let both = chunkwise::compute_many(&[&mean, &std])?;
/// assert!((both[0].sum() - 3.0).abs() < 0.05 && (both[1].sum() - 2.0).abs() < 0.05);
/// // The same bits as computing each alone.
/// assert_eq!(both[1].sum().to_bits(), std.item()?.to_bits());
/// // One pass: the sum and the variance fold the same tasks' reads.
/// let plan = chunkwise::plan_many(&[&mean, &std])?;
/// assert_eq!(plan.stages()[1].shares_pass_with, Some(0));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn compute_many<T: Element>(arrays: &[&ChunkedArray<T>]) -> Result<Vec<ArrayD<T>>> {
    compute_many_with(arrays, &Config::default())
}

/// [`compute_many`] with an explicit [`Config`].
pub fn compute_many_with<T: Element>(
    arrays: &[&ChunkedArray<T>],
    cfg: &Config,
) -> Result<Vec<ArrayD<T>>> {
    let exprs: Vec<Arc<dyn Expr<T>>> = arrays.iter().map(|a| Arc::clone(&a.expr)).collect();
    execute::compute_many(&exprs, cfg)
}

/// The plan of [`compute_many`] (what [`ChunkedArray::plan`] is to `compute`).
pub fn plan_many<T: Element>(arrays: &[&ChunkedArray<T>]) -> Result<Plan> {
    let roots: Vec<Arc<dyn crate::graph::Node>> = arrays
        .iter()
        .map(|a| Arc::clone(&a.expr) as Arc<dyn crate::graph::Node>)
        .collect();
    execute::plan_many(&roots, &Config::default())
}
