//! Movement and block operations: transpose, slicing, reshape, broadcast_to, squeeze,
//! expand_dims, concatenate, stack, map_blocks, persist.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, SliceInfoElem};

use super::ChunkedArray;
use crate::chunks::{broadcast_shapes, normalize_axis, IntoShape};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::graph::blockwise::{
    nodes, over_views, AnyBlocks, BlockMap, BlockResult, Halo, MapBlocks,
};
use crate::graph::movement::{AxisMap, BroadcastTo, Concat, Permute, Reshape, Slice, SliceAxis};
use crate::graph::Node;

/// How [`ChunkedArray::pad`] fills the border.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PadMode<T> {
    /// A constant.
    Constant(T),
    /// The edge value repeated.
    Edge,
    /// The values mirrored about the edge, the edge itself not repeated (NumPy's `reflect`).
    Reflect,
    /// The values mirrored with the edge repeated (NumPy's `symmetric`, Dask's `reflect`
    /// boundary).
    Symmetric,
    /// The values from the other end (periodic).
    Wrap,
}

/// ## Movement
impl<T: Element> ChunkedArray<T> {
    /// The transpose: axes reversed (NumPy's `x.T`). A transposed source generates the
    /// transposed region directly; nothing else moves until a tile is needed.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2])?;
    /// assert_eq!(x.t().compute()?, ndarray::array![[1, 4], [2, 5], [3, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn t(&self) -> Self {
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute_unchecked(perm)
    }

    pub(crate) fn permute_unchecked(&self, perm: Vec<usize>) -> Self {
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return self.clone();
        }
        Self::from_expr(Arc::new(Permute::new(self.expr().clone(), perm)))
    }

    /// Output axis `d` is input axis `axes[d]` (NumPy's `transpose(axes)`); `axes` must be a
    /// permutation of `0..ndim` (negative values count from the end).
    pub fn transpose(&self, axes: impl AsRef<[isize]>) -> Result<Self> {
        let axes = axes.as_ref();
        let bad = |reason: &str| Error::InvalidAxes {
            op: "transpose".into(),
            axes: axes.to_vec(),
            shape: self.shape().to_vec(),
            reason: reason.into(),
        };
        if axes.len() != self.ndim() {
            return Err(bad("need one axis per dimension"));
        }
        let perm = axes
            .iter()
            .map(|&a| normalize_axis("transpose", a, self.shape()))
            .collect::<Result<Vec<_>>>()?;
        let mut seen = vec![false; perm.len()];
        for &p in &perm {
            if std::mem::replace(&mut seen[p], true) {
                return Err(bad("an axis repeats"));
            }
        }
        Ok(self.permute_unchecked(perm))
    }

    /// ndarray's name for [`transpose`](Self::transpose).
    pub fn permute(&self, axes: impl AsRef<[isize]>) -> Result<Self> {
        self.transpose(axes)
    }

    /// Slicing with ndarray's `s![..]`: ranges with steps (a negative step walks the range
    /// backwards from its end, as ndarray), single indices (which drop the axis), `NewAxis`.
    /// Axes not named are taken whole. Range bounds past the axis are clamped, as NumPy; a
    /// single index out of range is an error, and so is a step of 0. Only the sliced elements
    /// are ever computed: `arange(1e9).slice(s![..10])` touches ten.
    ///
    /// ```
    /// use ndarray::s;
    /// let x = chunkwise::arange(1_000_000_000).slice(s![..10;3])?;
    /// assert_eq!(x.compute()?.as_slice().unwrap(), &[0, 3, 6, 9]);
    /// let m = chunkwise::arange(12).reshape([3, 4])?;
    /// assert_eq!(m.slice(s![1, ..;-1])?.compute()?.as_slice().unwrap(), &[7, 6, 5, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn slice(&self, info: impl AsRef<[SliceInfoElem]>) -> Result<Self> {
        let info = info.as_ref();
        let shape = self.shape();
        let named = info
            .iter()
            .filter(|e| !matches!(e, SliceInfoElem::NewAxis))
            .count();
        if named > shape.len() {
            return Err(Error::InvalidAxes {
                op: "slice".into(),
                axes: (0..named as isize).collect(),
                shape: shape.to_vec(),
                reason: format!("{named} axes sliced, the array has {}", shape.len()),
            });
        }
        let mut axes = Vec::new();
        let mut fixed = Vec::new();
        // An extent past `isize::MAX` is an error its node already records (surfaced at
        // compute); saturated here so that the index arithmetic cannot overflow.
        let extent = |n: usize| isize::try_from(n).unwrap_or(isize::MAX);
        let mut d = 0;
        let elems = info
            .iter()
            .cloned()
            .chain((named..shape.len()).map(|_| SliceInfoElem::from(..)));
        for e in elems {
            match e {
                SliceInfoElem::NewAxis => axes.push(SliceAxis::New),
                SliceInfoElem::Index(i) => {
                    let n = extent(shape[d]);
                    let j = if i < 0 { i + n } else { i };
                    if j < 0 || j >= n {
                        return Err(Error::IndexOutOfBounds {
                            op: format!("slice of shape {shape:?}"),
                            axis: d,
                            index: i as i64,
                            extent: shape[d],
                        });
                    }
                    fixed.push((d, j as usize));
                    d += 1;
                }
                SliceInfoElem::Slice { start, end, step } => {
                    if step == 0 {
                        return Err(Error::InvalidParameter {
                            op: format!("slice of shape {shape:?}"),
                            param: format!("step on axis {d}"),
                            value: "0".into(),
                            reason: "must be nonzero".into(),
                        });
                    }
                    let n = extent(shape[d]);
                    let clamp = |i: isize| (if i < 0 { i + n } else { i }).clamp(0, n) as usize;
                    let s = clamp(start);
                    let e = end.map_or(n as usize, clamp).max(s);
                    let m = e - s;
                    let len = m.div_ceil(step.unsigned_abs());
                    let first = if step > 0 || m == 0 { s } else { e - 1 };
                    axes.push(SliceAxis::Strided {
                        axis: d,
                        first,
                        step,
                        len,
                    });
                    d += 1;
                }
            }
        }
        let name = format!("slice{info:?}")
            .replace("Slice { start: ", "")
            .replace("SliceInfoElem::", "");
        Ok(Self::from_expr(Arc::new(Slice::new(
            name,
            self.expr().clone(),
            axes,
            fixed,
        ))))
    }

    /// The same elements in C order under a new shape (NumPy's `reshape`), any shape of the same
    /// size. The result gets automatic chunks; each output row is read as the input row
    /// segments that hold it, so no rechunk is needed and no data is staged.
    pub fn reshape(&self, shape: impl IntoShape) -> Result<Self> {
        let shape = shape.into_shape_vec();
        let size = crate::chunks::checked_len("reshape", &shape)?;
        if size != self.len() {
            return Err(Error::ShapeMismatch {
                op: format!("reshape to {shape:?} ({size} elements)"),
                got: self.shape().to_vec(),
                expected: shape,
            });
        }
        if shape == self.shape() {
            return Ok(self.clone());
        }
        Ok(Self::from_expr(Arc::new(Reshape::new(
            self.expr().clone(),
            shape,
        ))))
    }

    /// [`reshape`](Self::reshape) where one extent may be `-1`, inferred from the size (NumPy's
    /// `reshape(-1, 4)`). Two `-1`s, another negative extent, or a size the known extents do
    /// not divide are errors.
    ///
    /// ```
    /// let x = chunkwise::arange(12);
    /// assert_eq!(x.reshape_infer(&[-1, 4])?.shape(), &[3, 4]);
    /// assert!(x.reshape_infer(&[-1, 5]).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn reshape_infer(&self, shape: &[isize]) -> Result<Self> {
        let op = format!("reshape_infer of shape {:?} to {shape:?}", self.shape());
        let bad = |value: isize, reason: &str| Error::InvalidParameter {
            op: op.clone(),
            param: "shape".into(),
            value: value.to_string(),
            reason: reason.into(),
        };
        if shape.iter().filter(|&&n| n == -1).count() > 1 {
            return Err(bad(-1, "only one extent may be -1"));
        }
        if let Some(&n) = shape.iter().find(|&&n| n < -1) {
            return Err(bad(
                n,
                "extents are non-negative, or -1 for one inferred extent",
            ));
        }
        let known: Vec<usize> = shape
            .iter()
            .filter(|&&n| n >= 0)
            .map(|&n| n as usize)
            .collect();
        let known_len = crate::chunks::checked_len("reshape_infer", &known)?;
        let inferred = match shape.iter().position(|&n| n == -1) {
            None => None,
            Some(_) if known_len == 0 || !self.len().is_multiple_of(known_len) => {
                return Err(Error::ShapeMismatch {
                    op: op.clone(),
                    got: self.shape().to_vec(),
                    expected: known,
                })
            }
            Some(_) => Some(self.len() / known_len),
        };
        let full: Vec<usize> = shape
            .iter()
            .map(|&n| {
                if n == -1 {
                    inferred.unwrap_or(0)
                } else {
                    n as usize
                }
            })
            .collect();
        self.reshape(full)
    }

    /// The array broadcast to `shape` (NumPy's `broadcast_to`); nothing is copied.
    pub fn broadcast_to(&self, shape: impl IntoShape) -> Result<Self> {
        let shape = shape.into_shape_vec();
        crate::chunks::checked_len("broadcast_to", &shape)?;
        let b = broadcast_shapes("broadcast_to", self.shape(), &shape)?;
        if b != shape {
            return Err(Error::Broadcast {
                op: "broadcast_to".into(),
                lhs: self.shape().to_vec(),
                rhs: shape,
            });
        }
        Ok(Self::from_expr(Arc::new(BroadcastTo::new(
            self.expr().clone(),
            shape,
        ))))
    }

    /// Inserts an axis of extent 1 at `axis` (NumPy's `expand_dims`; `axis` may be `ndim`, or
    /// negative counting from the end of the result).
    pub fn expand_dims(&self, axis: isize) -> Result<Self> {
        let n = self.ndim();
        let out_shape: Vec<usize> = vec![1; n + 1];
        let a = normalize_axis("expand_dims", axis, &out_shape)?;
        let map = (0..=n)
            .map(|d| {
                if d == a {
                    None
                } else {
                    Some(if d < a { d } else { d - 1 })
                }
            })
            .collect();
        Ok(Self::from_expr(Arc::new(AxisMap::new(
            format!("expand_dims({a})"),
            self.expr().clone(),
            map,
        ))))
    }

    /// Removes every axis of extent 1 (NumPy's `squeeze()`).
    pub fn squeeze(&self) -> Self {
        let keep: Vec<Option<usize>> = (0..self.ndim())
            .filter(|&d| self.shape()[d] != 1)
            .map(Some)
            .collect();
        if keep.len() == self.ndim() {
            return self.clone();
        }
        Self::from_expr(Arc::new(AxisMap::new(
            "squeeze".into(),
            self.expr().clone(),
            keep,
        )))
    }

    /// Removes axis `axis`, which must have extent 1 (NumPy's `squeeze(axis)`).
    pub fn squeeze_axis(&self, axis: isize) -> Result<Self> {
        let a = normalize_axis("squeeze_axis", axis, self.shape())?;
        if self.shape()[a] != 1 {
            return Err(Error::InvalidAxes {
                op: "squeeze_axis".into(),
                axes: vec![axis],
                shape: self.shape().to_vec(),
                reason: "the axis does not have extent 1".into(),
            });
        }
        let keep = (0..self.ndim()).filter(|&d| d != a).map(Some).collect();
        Ok(Self::from_expr(Arc::new(AxisMap::new(
            format!("squeeze({a})"),
            self.expr().clone(),
            keep,
        ))))
    }
}

/// A one-array block function as a function of the blocks of several arrays (the first).
fn on_first<T: Element, U: Element>(
    f: impl Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
) -> impl Fn(&[ArrayViewD<'_, T>]) -> BlockResult<U> + Send + Sync + 'static {
    move |blocks: &[ArrayViewD<'_, T>]| Ok(f(blocks[0].view()))
}

/// Applies `f` to the matching blocks of several arrays (Dask's `map_blocks(f, a, b, ..)`): the
/// arrays are broadcast to one shape (NumPy's rules) and rechunked to the common refinement of
/// their grids, and `f` gets one view per array, in order, for each block. It returns an array
/// of the block's shape; anything else, or a panic, is an [`Error::Block`] at compute naming
/// the chunk.
///
/// ```
/// let a = chunkwise::arange(6).reshape([2, 3])?.rechunk([1, 3])?;
/// let b = chunkwise::arange(3).rechunk(2)?; // broadcast along the rows
/// let c = chunkwise::map_blocks(&[&a, &b], |v| &v[0] * 10 + &v[1])?;
/// assert_eq!(c.compute()?, ndarray::array![[0, 11, 22], [30, 41, 52]].into_dyn());
/// assert_eq!(c.chunks().axis(1), &[2, 1]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn map_blocks<T, U, F>(arrays: &[&ChunkedArray<T>], f: F) -> Result<ChunkedArray<U>>
where
    T: Element,
    U: Element,
    F: Fn(&[ArrayViewD<'_, T>]) -> ArrayD<U> + Send + Sync + 'static,
{
    let arrays = owned(arrays);
    let shape = block_shape_of("map_blocks", &arrays)?;
    let (_, inputs) = aligned(&arrays, &shape, &[])?;
    Ok(ChunkedArray::from_expr(Arc::new(MapBlocks::new(
        inputs,
        over_views(move |v: &[ArrayViewD<'_, T>]| Ok(f(v))),
    ))))
}

/// The shape the arrays of a block function broadcast to; no array is an error.
pub(crate) fn block_shape_of<A: BlockArg>(op: &str, arrays: &[A]) -> Result<Vec<usize>> {
    let Some(first) = arrays.first() else {
        return Err(Error::InvalidParameter {
            op: op.into(),
            param: "arrays".into(),
            value: "[]".into(),
            reason: "needs at least one array".into(),
        });
    };
    arrays[1..]
        .iter()
        .try_fold(first.block_shape().to_vec(), |shape, a| {
            broadcast_shapes(op, &shape, a.block_shape())
        })
}

/// An array a block function takes: typed ([`ChunkedArray`]) or of any dtype (`DynArray`).
pub(crate) trait BlockArg: Sized {
    fn block_shape(&self) -> &[usize];
    fn block_chunks(&self) -> &crate::chunks::Chunks;
    fn broadcast_for_blocks(&self, shape: &[usize]) -> Result<Self>;
    fn rechunk_for_blocks(&self, grid: crate::chunks::Chunks) -> Result<Self>;
    fn block_node(&self) -> Arc<dyn Node>;
}

impl<T: Element> BlockArg for ChunkedArray<T> {
    fn block_shape(&self) -> &[usize] {
        self.shape()
    }
    fn block_chunks(&self) -> &crate::chunks::Chunks {
        self.chunks()
    }
    fn broadcast_for_blocks(&self, shape: &[usize]) -> Result<Self> {
        self.broadcast_to(shape.to_vec())
    }
    fn rechunk_for_blocks(&self, grid: crate::chunks::Chunks) -> Result<Self> {
        self.rechunk(grid)
    }
    fn block_node(&self) -> Arc<dyn Node> {
        self.expr().clone()
    }
}

/// `arrays` broadcast to `shape` (from [`block_shape_of`]) and rechunked to the common
/// refinement of their grids, with the axes in `whole` made one chunk: the grid and the input
/// nodes of a block function (each of its array's dtype).
fn aligned<A: BlockArg>(
    arrays: &[A],
    shape: &[usize],
    whole: &[usize],
) -> Result<(crate::chunks::Chunks, Vec<Arc<dyn Node>>)> {
    let wide: Vec<A> = arrays
        .iter()
        .map(|a| a.broadcast_for_blocks(shape))
        .collect::<Result<_>>()?;
    let parts: Vec<(&[usize], &crate::chunks::Chunks)> = wide
        .iter()
        .map(|a| (a.block_shape(), a.block_chunks()))
        .collect();
    let grid = crate::chunks::unify_chunks(shape, &parts);
    let mut axes = grid.axes().to_vec();
    for &d in whole {
        axes[d] = crate::chunks::AxisChunks::single(shape[d]);
    }
    let grid = crate::chunks::Chunks::from_axes(axes);
    let inputs = wide
        .iter()
        .map(|a| Ok(a.rechunk_for_blocks(grid.clone())?.block_node()))
        .collect::<Result<Vec<_>>>()?;
    Ok((grid, inputs))
}

/// The arrays of a block function, owned (for [`aligned`]; cheap: an array is a handle).
pub(crate) fn owned<A: Clone>(arrays: &[&A]) -> Vec<A> {
    arrays.iter().map(|&a| a.clone()).collect()
}

/// The blocks a [`map_blocks_with`] closure returns, when they are not its input blocks'
/// shape (Dask's `map_blocks(.., drop_axis=, new_axis=, chunks=)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockSpec {
    /// Input axes the closure removes. Each is made one chunk first (the closure sees it
    /// whole), so the output has one block per input block of the other axes.
    pub drop_axis: Vec<usize>,
    /// Axes the closure adds, as positions in the output; one block each.
    pub new_axis: Vec<usize>,
    /// Per output axis, the extent of every block along it: `Some(n)`, or `None` for the input
    /// blocks' extents (1 along a new axis). Empty: `None` for every axis.
    pub block_shape: Vec<Option<usize>>,
}

/// [`map_blocks`] whose closure returns blocks of another shape, as `spec` declares: axes
/// dropped (made one chunk first) or added, and block extents. Output block `k` is made from
/// input block `k` of the axes that are kept; a result of another shape than its declared
/// block, or a panic, is an [`Error::Block`] at compute naming the block.
///
/// ```
/// use chunkwise::BlockSpec;
/// let x = chunkwise::arange(12).reshape([3, 4])?.rechunk([2, 2])?;
/// // Each block's column sums: axis 0 dropped (made one chunk), blocks of 2 columns.
/// let spec = BlockSpec { drop_axis: vec![0], ..Default::default() };
/// let s = chunkwise::map_blocks_with(&[&x], &spec, |v| v[0].sum_axis(ndarray::Axis(0)))?;
/// assert_eq!(s.compute()?.as_slice().unwrap(), &[12, 15, 18, 21]);
/// // One value per block, along a new leading axis of one block: shape (1, 2).
/// let spec = BlockSpec { drop_axis: vec![0], new_axis: vec![0], block_shape: vec![None, Some(1)] };
/// let m = chunkwise::map_blocks_with(&[&x], &spec, |v| {
///     ndarray::Array2::from_elem((1, 1), v[0].sum()).into_dyn()
/// })?;
/// assert_eq!(m.compute()?.as_slice().unwrap(), &[27, 39]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn map_blocks_with<T, U, F>(
    arrays: &[&ChunkedArray<T>],
    spec: &BlockSpec,
    f: F,
) -> Result<ChunkedArray<U>>
where
    T: Element,
    U: Element,
    F: Fn(&[ArrayViewD<'_, T>]) -> ArrayD<U> + Send + Sync + 'static,
{
    try_map_blocks_with(
        "map_blocks",
        arrays,
        spec,
        move |v: &[ArrayViewD<'_, T>]| Ok(f(v)),
    )
}

/// [`map_blocks_with`] whose closure may fail: an `Err` is the op `name`'s [`Error::Block`]
/// at compute, naming the chunk (the block functions of the library, as `linalg.inv` of a
/// singular matrix).
pub(crate) fn try_map_blocks_with<T, U, F>(
    name: &str,
    arrays: &[&ChunkedArray<T>],
    spec: &BlockSpec,
    f: F,
) -> Result<ChunkedArray<U>>
where
    T: Element,
    U: Element,
    F: Fn(&[ArrayViewD<'_, T>]) -> BlockResult<U> + Send + Sync + 'static,
{
    let arrays = owned(arrays);
    let shape = block_shape_of("map_blocks_with", &arrays)?;
    blocks_by_spec(name, &arrays, shape, spec, over_views(f))
}

/// The op `name`: `f` over the blocks of `arrays` (of any dtypes, broadcast to `shape`) as
/// `spec` declares ([`map_blocks_with`]'s checks and output grid).
pub(crate) fn blocks_by_spec<A: BlockArg, U, G>(
    name: &str,
    arrays: &[A],
    shape: Vec<usize>,
    spec: &BlockSpec,
    f: G,
) -> Result<ChunkedArray<U>>
where
    U: Element,
    G: Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static,
{
    let op = "map_blocks_with";
    let bad_axes = |axes: &[usize], ndim: usize, reason: &str| Error::InvalidAxes {
        op: op.into(),
        axes: axes.iter().map(|&a| a as isize).collect(),
        shape: shape.clone(),
        reason: format!("{reason} (ndim {ndim})"),
    };
    let ndim = shape.len();
    let mut dropped = spec.drop_axis.clone();
    dropped.sort_unstable();
    dropped.dedup();
    if dropped.len() != spec.drop_axis.len() || dropped.iter().any(|&d| d >= ndim) {
        return Err(bad_axes(
            &spec.drop_axis,
            ndim,
            "drop_axis: each axis once, in range",
        ));
    }
    let out_ndim = ndim - dropped.len() + spec.new_axis.len();
    let mut added = spec.new_axis.clone();
    added.sort_unstable();
    added.dedup();
    if added.len() != spec.new_axis.len() || added.iter().any(|&d| d >= out_ndim) {
        return Err(bad_axes(
            &spec.new_axis,
            out_ndim,
            "new_axis: each output axis once, in range",
        ));
    }
    if !spec.block_shape.is_empty() && spec.block_shape.len() != out_ndim {
        return Err(Error::InvalidChunks {
            op: op.into(),
            shape: shape.clone(),
            reason: format!(
                "block_shape {:?} needs one entry per output axis ({out_ndim})",
                spec.block_shape
            ),
        });
    }
    if spec.block_shape.contains(&Some(0)) {
        return Err(Error::InvalidChunks {
            op: op.into(),
            shape: shape.clone(),
            reason: format!("block_shape {:?} has an empty block", spec.block_shape),
        });
    }
    let (grid, inputs) = aligned(arrays, &shape, &dropped)?;
    // Output axes: the kept input axes in order, with the new ones at their positions.
    let mut kept = (0..ndim).filter(|d| !dropped.contains(d));
    let mut from = vec![None; ndim];
    let mut out_axes = Vec::with_capacity(out_ndim);
    for p in 0..out_ndim {
        let size = spec.block_shape.get(p).copied().flatten();
        let axis = if added.contains(&p) {
            let n = size.unwrap_or(1);
            crate::chunks::AxisChunks::regular(n, n)
        } else {
            let d = kept.next().expect("the output has every kept axis");
            from[d] = Some(p);
            let a = grid.axis(d);
            match size {
                Some(n) => crate::chunks::AxisChunks::regular(
                    a.len().checked_mul(n).ok_or_else(|| Error::TooLarge {
                        op: op.into(),
                        shape: shape.clone(),
                        reason: format!("{} blocks of {n} along output axis {p}", a.len()),
                    })?,
                    n,
                ),
                None => a.clone(),
            }
        };
        out_axes.push(axis);
    }
    let out_shape: Vec<usize> = out_axes.iter().map(|a| a.extent()).collect();
    let chunks = crate::chunks::Chunks::from_axes(out_axes);
    let blocks = BlockMap { input: grid, from };
    Ok(ChunkedArray::from_expr(Arc::new(MapBlocks::with_blocks(
        name, inputs, out_shape, chunks, blocks, f,
    ))))
}

/// Where [`ChunkedArray::map_overlap`] takes the cells beyond the array's edges (Dask's
/// `boundary`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Boundary<T> {
    /// Mirrored with the edge cell repeated (Dask's `reflect`, NumPy's `symmetric` padding).
    Reflect,
    /// From the other end of the axis.
    Periodic,
    /// The edge cell repeated.
    Nearest,
    /// A constant.
    Constant(T),
    /// None: blocks at the edges get only the neighbours there are (a smaller block).
    None,
}

/// ## Blocks and persistence
impl<T: Element> ChunkedArray<T> {
    /// Applies `f` to an ndarray view of each whole chunk (Dask's `map_blocks`). `f` must return
    /// an array of its chunk's shape; the result has the input's shape and chunks. A panic in
    /// `f`, or a wrong shape, is an [`Error::Block`] at compute naming the chunk, and the pool
    /// keeps working.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// // A chunk-local operation: subtract each chunk's first element.
    /// let y = x.map_blocks(|b| { let first = b[[0]]; b.mapv(|v| v - first) });
    /// assert_eq!(y.compute()?.as_slice().unwrap(), &[0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
    /// let bad = x.map_blocks(|b| { if b[[0]] == 4 { panic!("no fours") } b.to_owned() });
    /// let err = bad.compute().unwrap_err();
    /// assert!(err.to_string().contains("chunk [1]") && err.to_string().contains("no fours"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map_blocks<U, F>(&self, f: F) -> ChunkedArray<U>
    where
        U: Element,
        F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
    {
        ChunkedArray::from_expr(Arc::new(MapBlocks::new(
            nodes(vec![self.expr().clone()]),
            over_views(on_first(f)),
        )))
    }

    /// [`map_blocks`](Self::map_blocks) whose closure returns blocks of another shape: axes
    /// dropped or added, block extents declared by `spec` (the one-array form of
    /// [`map_blocks_with`](crate::map_blocks_with), which has the details and an example).
    pub fn map_blocks_with<U, F>(&self, spec: &BlockSpec, f: F) -> Result<ChunkedArray<U>>
    where
        U: Element,
        F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
    {
        try_map_blocks_with("map_blocks", &[self], spec, on_first(f))
    }

    /// Applies `f` to each chunk grown by `depth[k]` cells of its neighbours along each axis
    /// (Dask's `map_overlap`): a stencil sees the cells across chunk edges. Beyond the array's
    /// edges the cells come from `boundary`. `f` may return the block with its halo (which is
    /// then trimmed off, as Dask's `trim=True`) or the chunk's shape; anything else, or a panic,
    /// is an [`Error::Block`] at compute. Only the halos are read: a block's neighbours are
    /// never held whole. A depth larger than the smallest chunk along its axis is an error.
    ///
    /// ```
    /// use chunkwise::Boundary;
    /// let x = chunkwise::arange(8).cast::<f64>().rechunk(3)?;
    /// // A 3-point mean, each output from the cells on either side.
    /// let mean3 = x.map_overlap(&[1], Boundary::Nearest, |b| {
    ///     let n = b.len();
    ///     ndarray::Array1::from_iter((1..n - 1).map(|i| (b[[i - 1]] + b[[i]] + b[[i + 1]]) / 3.0)).into_dyn()
    /// })?;
    /// let got = mean3.compute()?;
    /// assert_eq!(got.as_slice().unwrap(), &[1.0 / 3.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 20.0 / 3.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map_overlap<U, F>(
        &self,
        depth: &[usize],
        boundary: Boundary<T>,
        f: F,
    ) -> Result<ChunkedArray<U>>
    where
        U: Element,
        F: Fn(ArrayViewD<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
    {
        self.overlapped_blocks(depth, boundary, over_views(on_first(f)))
    }

    /// [`map_overlap`](Self::map_overlap) with `f` over the blocks as the node makes them (the
    /// block's values, owned, and its extents).
    pub(crate) fn overlapped_blocks<U: Element>(
        &self,
        depth: &[usize],
        boundary: Boundary<T>,
        f: impl Fn(&mut AnyBlocks, &[usize]) -> BlockResult<U> + Send + Sync + 'static,
    ) -> Result<ChunkedArray<U>> {
        let op = format!("map_overlap of {}{:?}", T::DTYPE, self.shape());
        let bad = |reason: String| Error::InvalidParameter {
            op: op.clone(),
            param: "depth".into(),
            value: format!("{depth:?}"),
            reason,
        };
        if depth.len() != self.ndim() {
            return Err(bad(format!("one depth per axis: {} axes", self.ndim())));
        }
        for (d, (&k, axis)) in depth.iter().zip(self.chunks().axes()).enumerate() {
            let smallest = axis.iter().min().unwrap_or(0);
            if k > smallest {
                return Err(bad(format!(
                    "depth {k} on axis {d} is larger than its smallest chunk ({smallest}); \
                     rechunk first"
                )));
            }
        }
        let widths: Vec<(usize, usize)> = depth.iter().map(|&k| (k, k)).collect();
        let mode = match boundary {
            Boundary::None => None,
            Boundary::Reflect => Some(PadMode::Symmetric),
            Boundary::Periodic => Some(PadMode::Wrap),
            Boundary::Nearest => Some(PadMode::Edge),
            Boundary::Constant(v) => Some(PadMode::Constant(v)),
        };
        let input = match mode {
            Some(m) => self.pad(&widths, m)?,
            None => self.clone(),
        };
        let halo = Halo {
            depth: depth.to_vec(),
            padded: mode.is_some(),
        };
        Ok(ChunkedArray::from_expr(Arc::new(MapBlocks::with_halo(
            "map_overlap",
            nodes(vec![input.expr().clone()]),
            self.shape().to_vec(),
            self.chunks().clone(),
            halo,
            f,
        ))))
    }

    /// Computes the array once and keeps its values in memory, with the same chunks, so that
    /// later computations that use it do not recompute it (Dask's `persist`).
    pub fn persist(&self) -> Result<Self> {
        let a = self.compute()?;
        crate::graph::source::from_array(a, self.chunks()).map(ChunkedArray::from_expr)
    }
}

/// Joins arrays along an existing axis (NumPy's `concatenate`). Shapes must agree except along
/// `axis`; the chunks along `axis` are the inputs' chunks one after the other.
pub fn concatenate<T: Element>(arrays: &[ChunkedArray<T>], axis: isize) -> Result<ChunkedArray<T>> {
    let Some(first) = arrays.first() else {
        return Err(Error::InvalidParameter {
            op: "concatenate".into(),
            param: "arrays".into(),
            value: "[]".into(),
            reason: "need at least one array".into(),
        });
    };
    let a = normalize_axis("concatenate", axis, first.shape())?;
    for x in &arrays[1..] {
        let ok = x.ndim() == first.ndim()
            && (0..x.ndim()).all(|d| d == a || x.shape()[d] == first.shape()[d]);
        if !ok {
            return Err(Error::ShapeMismatch {
                op: format!("concatenate(axis={a})"),
                got: x.shape().to_vec(),
                expected: first.shape().to_vec(),
            });
        }
    }
    if arrays.len() == 1 {
        return Ok(first.clone());
    }
    // Off the joined axis the grids are unified as for elementwise ops.
    let grid = crate::chunks::unify_chunks(
        first.shape(),
        &arrays
            .iter()
            .map(|x| (first.shape(), x.chunks()))
            .collect::<Vec<_>>(),
    );
    let inputs = arrays
        .iter()
        .map(|x| {
            let mut axes = grid.axes().to_vec();
            axes[a] = x.chunks().axis(a).clone();
            x.rechunk(crate::Chunks::from_axes(axes))
                .map(|y| y.expr().clone())
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ChunkedArray::from_expr(Arc::new(Concat::new(inputs, a))))
}

/// Joins arrays of one shape along a new axis (NumPy's `stack`).
pub fn stack<T: Element>(arrays: &[ChunkedArray<T>], axis: isize) -> Result<ChunkedArray<T>> {
    let expanded = arrays
        .iter()
        .map(|x| x.expand_dims(axis))
        .collect::<Result<Vec<_>>>()?;
    if let Some(f) = arrays.first()
        && let Some(x) = arrays.iter().find(|x| x.shape() != f.shape())
    {
        return Err(Error::ShapeMismatch {
            op: "stack".into(),
            got: x.shape().to_vec(),
            expected: f.shape().to_vec(),
        });
    }
    concatenate(&expanded, axis)
}
