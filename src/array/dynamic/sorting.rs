//! Sorting, searching and the set functions on [`DynArray`], in the array API standard's
//! forms: `sort`/`argsort` with `descending` and `stable`, `searchsorted` of promoted operands,
//! `take_along_axis` (to gather what `argsort` orders), `unique_all` (each NaN a value of its
//! own, as the standard asks, where NumPy's `unique` merges them) and `nonzero` as one index
//! array per axis.
//!
//! The set functions and `nonzero` have shapes that only the data tells: their sizing passes
//! run when they are called (with the given [`Config`]), as [`DynArray::select`]'s does, and
//! the arrays they return are lazy and sized.

use std::sync::Arc;

use ndarray::{ArrayD, SliceInfoElem};

use super::{unsupported, where_dyn, DynArray};
use crate::array::ChunkedArray;
use crate::chunks::{broadcast_shapes, normalize_axis, normalize_index};
use crate::element::{DType, Numeric};
use crate::error::{Error, Result};
use crate::execute::Config;
use crate::kernels::sort::{insertion_point, sort_key};

/// The distinct values of an array and where they are (the array API's `unique_all`); see
/// [`DynArray::unique_all`].
#[derive(Debug, Clone)]
pub struct UniqueAll {
    /// The distinct values, ascending, every NaN last and each its own value (1-d, the
    /// array's dtype).
    pub values: DynArray,
    /// The flat (C-order) position of each value's first occurrence (`i64`).
    pub indices: DynArray,
    /// For each element of the array, the position of its value in `values` (`i64`, the
    /// array's shape).
    pub inverse_indices: DynArray,
    /// How often each value occurs (`i64`; 1 for each NaN).
    pub counts: DynArray,
}

/// An in-memory 1-d array as one chunk, from the graph's source (this layer sits below
/// `sources`).
fn held<T: Numeric>(values: Vec<T>) -> Result<DynArray> {
    let n = values.len();
    let a = ArrayD::from_shape_vec(vec![n], values).expect("a vector is its own 1-d shape");
    let expr = crate::graph::source::from_array(a, n.max(1))?;
    Ok(ChunkedArray::from_expr(expr).into())
}

/// Whether `v` is a NaN (never for integers).
fn is_nan<T: Numeric>(v: T) -> bool {
    v.partial_cmp(&v).is_none()
}

/// An integer index array's values as `i64`, broadcast to `shape`: `uint64` values past
/// `i64::MAX` saturate there, so the bounds check reports them (a cast would wrap them to
/// negative indices, counted from the end).
fn index_values(i: &DynArray, shape: &[usize], cfg: &Config) -> Result<ArrayD<i64>> {
    let b = i.broadcast_to(shape.to_vec())?;
    if i.dtype() == DType::U64 {
        let v = b.compute_with(cfg)?.downcast::<u64>()?;
        return Ok(v.mapv(|u| i64::try_from(u).unwrap_or(i64::MAX)));
    }
    b.astype(DType::I64).compute_with(cfg)?.downcast::<i64>()
}

/// `unique_all` of one dtype.
fn unique_typed<T: Numeric>(x: &ChunkedArray<T>, cfg: &Config) -> Result<UniqueAll> {
    let flat = x.ravel();
    // The sizing passes: NumPy's distinct values (NaNs merged, last) and their counts.
    let merged = flat.unique().compute_with(cfg)?;
    let merged_counts = flat.unique_counts().compute_with(cfg)?;
    let merged: Vec<T> = merged.iter().copied().collect();
    let mut counts: Vec<i64> = merged_counts.iter().copied().collect();
    let has_nan = merged.last().is_some_and(|&v| is_nan(v));
    let distinct = merged.len() - usize::from(has_nan);
    let nans = if has_nan {
        counts.pop().unwrap_or(0) as usize
    } else {
        0
    };
    let mut values = merged;
    values.truncate(distinct);
    // One entry per NaN: reserved fallibly, so a huge count of NaNs is an error, not an abort.
    let too_many = || Error::TooLarge {
        op: "unique_all".into(),
        shape: x.shape().to_vec(),
        reason: format!("{nans} NaNs, each a distinct value held in memory"),
    };
    values.try_reserve_exact(nans).map_err(|_| too_many())?;
    counts.try_reserve_exact(nans).map_err(|_| too_many())?;
    // The NaN key (every bit of the key set) gives the canonical NaN.
    let nan = T::from_order_key(u64::MAX >> (64 - T::KEY_BITS));
    values.extend(std::iter::repeat_n(nan, nans));
    counts.extend(std::iter::repeat_n(1, nans));

    // Each non-NaN value's position among the distinct ones; each NaN is the next one after
    // the NaNs before it in C order.
    let keys: Arc<[u64]> = values[..distinct]
        .iter()
        .map(|&v| sort_key(v, false))
        .collect();
    let found = DynArray::from(flat.map_to("unique_inverse", move |v: T| {
        insertion_point(&keys, v, false) as i64
    }));
    let flat_inverse = if nans == 0 {
        found
    } else {
        let is_nan = DynArray::from(flat.map_to("isnan", is_nan::<T>));
        let nan_rank = is_nan.astype(DType::I64).cumulative_sum(Some(0), false)?;
        let nan_pos = nan_rank.add(distinct as i64 - 1)?;
        where_dyn(&is_nan, &nan_pos, &found)?
    };
    let inverse_indices = flat_inverse.reshape(x.shape().to_vec())?;

    // First occurrences: the stable sort's first position of each run of equal values.
    let starts: Vec<i64> = std::iter::once(0)
        .chain(counts.iter().scan(0i64, |s, &c| {
            *s += c;
            Some(*s)
        }))
        .take(counts.len())
        .collect();
    let indices = if starts.is_empty() {
        held::<i64>(Vec::new())?
    } else {
        DynArray::from(flat.argsort_axis(0, false)?.take(&starts, 0)?)
    };
    Ok(UniqueAll {
        values: held(values)?,
        indices,
        inverse_indices,
        counts: held(counts)?,
    })
}

/// ## Sorting, searching and sets (the array API's forms)
impl DynArray {
    /// The values sorted along `axis`, stably, NaNs last (first when `descending`), in the
    /// array's dtype (see [`ChunkedArray::sort_axis`]). `bool` arrays sort `false` first.
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::from_array(ndarray::array![3i16, 1, 2], 2)?);
    /// let s = x.sort(-1, true)?.compute()?.downcast::<i16>()?;
    /// assert_eq!(s.as_slice().unwrap(), &[3, 2, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn sort(&self, axis: isize, descending: bool) -> Result<DynArray> {
        if let DynArray::Bool(b) = self {
            let s = DynArray::from(b.cast::<u8>()).sort(axis, descending)?;
            return Ok(s.astype(DType::Bool));
        }
        Ok(numeric!(self, "sort", a, T => a.sort_axis(axis, descending)?.into()))
    }

    /// The positions along `axis` that sort each lane, stable in both directions (`i64`; see
    /// [`ChunkedArray::argsort_axis`]).
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::from_array(ndarray::array![2.5f32, -1.0, 2.5], 2)?);
    /// let p = x.argsort(0, true)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(p.as_slice().unwrap(), &[0, 2, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn argsort(&self, axis: isize, descending: bool) -> Result<DynArray> {
        if let DynArray::Bool(b) = self {
            return DynArray::from(b.cast::<u8>()).argsort(axis, descending);
        }
        Ok(numeric!(self, "argsort", a, T => a.argsort_axis(axis, descending)?.into()))
    }

    /// Where each of `values` goes in `self`, a 1-d array sorted ascending (the array API's
    /// `searchsorted(x1, x2, side=)`, `right` for `side="right"`): both are promoted to their
    /// common dtype first. `self`'s sort keys are computed here, with `cfg`, and held in
    /// memory (8 bytes a value); the positions (`i64`, `values`' shape) stay lazy. See
    /// [`ChunkedArray::searchsorted`].
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let a = DynArray::from(chunkwise::from_array(ndarray::array![1u8, 3, 5], 2)?);
    /// let v = DynArray::from(chunkwise::from_array(ndarray::array![3i64, 6], 2)?);
    /// let p = a.searchsorted(&v, false, &Config::default())?.compute()?.downcast::<i64>()?;
    /// assert_eq!(p.as_slice().unwrap(), &[1, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn searchsorted(&self, values: &DynArray, right: bool, cfg: &Config) -> Result<DynArray> {
        let (a, v) = match (self, values) {
            (DynArray::Bool(a), DynArray::Bool(v)) => (
                DynArray::from(a.cast::<u8>()),
                DynArray::from(v.cast::<u8>()),
            ),
            _ => {
                let d = crate::result_type(&[self.clone(), values.clone()])?;
                (self.astype(d), values.astype(d))
            }
        };
        Ok(numeric!(&a, "searchsorted", s, T => {
            let v: ChunkedArray<T> = v.clone().downcast::<T>()?;
            s.searchsorted(&v, right)?.resolve_with(cfg)?.into()
        }))
    }

    /// The elements at `indices` along `axis`, lane by lane (NumPy's and the array API's
    /// `take_along_axis`; `take_along_axis(x, x.argsort(..), axis)` is the sorted array): both
    /// have the same number of axes, the other axes broadcast together, and the result has
    /// `indices`' extent along `axis`. Negative indices count from the end.
    ///
    /// The indices are computed here, with `cfg`, and turned into positions in the flattened
    /// array (held in memory while the positions are made: 16 bytes per result element, then 8, as
    /// [`take`](Self::take)'s are); the
    /// values are gathered lazily.
    ///
    /// Errors: `indices` not an integer dtype or of another number of axes, `axis` out of
    /// range, shapes that do not broadcast, an index out of range
    /// ([`Error::IndexOutOfBounds`]).
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![[30i64, 10, 20], [5, 6, 4]], 1)?);
    /// let order = x.argsort(1, false)?;
    /// let s = x.take_along_axis(&order, 1, &Config::default())?.compute()?.downcast::<i64>()?;
    /// assert_eq!(s, ndarray::array![[10, 20, 30], [4, 5, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn take_along_axis(
        &self,
        indices: &DynArray,
        axis: isize,
        cfg: &Config,
    ) -> Result<DynArray> {
        let op = "take_along_axis";
        let (xs, is) = (self.shape().to_vec(), indices.shape().to_vec());
        if matches!(indices.dtype(), DType::Bool | DType::F32 | DType::F64) {
            return Err(unsupported(op, &is, &[indices.dtype()], "integer indices"));
        }
        if xs.len() != is.len() {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "indices".into(),
                value: format!("shape {is:?}"),
                reason: format!("the indices must have the array's number of axes (shape {xs:?})"),
            });
        }
        let axis = normalize_axis(op, axis, &xs)?;
        // The other axes broadcast; along `axis`, the indices' extent.
        let (mut x1, mut i1) = (xs.clone(), is.clone());
        x1[axis] = 1;
        i1[axis] = 1;
        let mut out = broadcast_shapes(op, &x1, &i1)?;
        out[axis] = is[axis];
        let idx = index_values(indices, &out, cfg)?;
        // Positions in the flattened array: the index along `axis`, the output's own position
        // along the others (0 where the array's extent is 1).
        let strides = crate::region::c_strides(&xs);
        let extent = xs[axis];
        let mut flat = Vec::new();
        flat.try_reserve_exact(idx.len())
            .map_err(|_| Error::TooLarge {
                op: op.into(),
                shape: out.clone(),
                reason: "the gather's positions do not fit in memory".into(),
            })?;
        for (pos, &i) in idx.indexed_iter() {
            let j = normalize_index(|| format!("{op} of shape {xs:?}"), i, axis, extent)?;
            let mut p = 0u64;
            for d in 0..xs.len() {
                let c = if d == axis {
                    j as u64
                } else if xs[d] == 1 {
                    0
                } else {
                    pos[d] as u64
                };
                p += c * strides[d] as u64;
            }
            flat.push(p as i64);
        }
        self.ravel().take(&flat, 0)?.reshape(out)
    }

    /// NumPy's indexing of the leading axes by integer arrays, `x[i0, i1, ..]` with one index
    /// array per leading axis (`indices.len()` of them, at most `ndim`): the arrays broadcast
    /// together, and element `p` of the result is `x[i0[p], i1[p], .., :]`, so the result's
    /// shape is the broadcast shape followed by the axes not indexed. Negative indices count
    /// from the end. A mask's `nonzero` gives such indices (`x[mask]` of a mask of the leading
    /// axes).
    ///
    /// The indices are computed here, with `cfg`, and turned into positions (held in memory:
    /// 16 bytes per point while they are made, 8 after); the values are gathered lazily.
    ///
    /// Errors: a non-integer index array, more index arrays than axes, shapes that do not
    /// broadcast, an index out of range ([`Error::IndexOutOfBounds`]).
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let x = DynArray::from(chunkwise::arange(12).reshape([3, 4])?);
    /// let rows = DynArray::from(chunkwise::from_array(ndarray::array![2i64, 0], 1)?);
    /// let cols = DynArray::from(chunkwise::from_array(ndarray::array![-1i64], 1)?);
    /// let p = x.take_points(&[rows, cols], &Config::default())?.compute()?.downcast::<i64>()?;
    /// assert_eq!(p.as_slice().unwrap(), &[11, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn take_points(&self, indices: &[DynArray], cfg: &Config) -> Result<DynArray> {
        let op = "take_points";
        let xs = self.shape().to_vec();
        let k = indices.len();
        if k > xs.len() {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "indices".into(),
                value: format!("{k} index arrays"),
                reason: format!("more index arrays than axes (shape {xs:?})"),
            });
        }
        let mut points: Vec<usize> = Vec::new();
        for i in indices {
            if matches!(i.dtype(), DType::Bool | DType::F32 | DType::F64) {
                return Err(unsupported(op, i.shape(), &[i.dtype()], "integer indices"));
            }
            points = broadcast_shapes(op, &points, i.shape())?;
        }
        let lead = &xs[..k];
        let strides = crate::region::c_strides(lead);
        let total = points
            .iter()
            .try_fold(1usize, |p, &n| p.checked_mul(n))
            .ok_or_else(|| Error::TooLarge {
                op: op.into(),
                shape: points.clone(),
                reason: "the broadcast index arrays have more elements than usize holds".into(),
            })?;
        let mut flat: Vec<u64> = Vec::new();
        flat.try_reserve_exact(total).map_err(|_| Error::TooLarge {
            op: op.into(),
            shape: points.clone(),
            reason: "the gather's positions do not fit in memory".into(),
        })?;
        flat.resize(total, 0);
        for (d, i) in indices.iter().enumerate() {
            let idx = index_values(i, &points, cfg)?;
            let extent = lead[d];
            for (f, &v) in flat.iter_mut().zip(idx.iter()) {
                let j = normalize_index(|| format!("{op} of shape {xs:?}"), v, d, extent)?;
                *f += j as u64 * strides[d] as u64;
            }
        }
        let flat: Vec<i64> = flat.into_iter().map(|p| p as i64).collect();
        // The indexed axes as one, then the points along it, then their shape.
        let rest = &xs[k..];
        let mut merged = vec![lead.iter().product::<usize>()];
        merged.extend_from_slice(rest);
        let mut out = points;
        out.extend_from_slice(rest);
        self.reshape(merged)?.take(&flat, 0)?.reshape(out)
    }

    /// The distinct values, ascending, with each one's first position, each element's value
    /// position and each value's count (the array API's `unique_all`; `unique_values`,
    /// `unique_counts` and `unique_inverse` are its parts). Unlike NumPy's `unique`, which
    /// merges NaNs, every NaN is a value of its own (count 1), as the standard asks.
    ///
    /// The distinct values and counts are computed here with `cfg` (four passes: each of
    /// NumPy's `unique` and `unique_counts` counts, then lists; memory: the distinct values,
    /// and one value per NaN), the other two are lazy: the inverse is a binary search of each
    /// element (one pass), the first positions a stable sort of the flattened array (one block
    /// of the whole array, with its positions, when computed: not for arrays past memory).
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![2.0, f64::NAN, 1.0, 2.0, f64::NAN], 2)?);
    /// let u = x.unique_all(&Config::default())?;
    /// let counts = u.counts.compute()?.downcast::<i64>()?;
    /// assert_eq!(counts.as_slice().unwrap(), &[1, 2, 1, 1]);
    /// let inv = u.inverse_indices.compute()?.downcast::<i64>()?;
    /// assert_eq!(inv.as_slice().unwrap(), &[1, 2, 0, 1, 3]);
    /// let first = u.indices.compute()?.downcast::<i64>()?;
    /// assert_eq!(first.as_slice().unwrap(), &[2, 0, 1, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn unique_all(&self, cfg: &Config) -> Result<UniqueAll> {
        if let DynArray::Bool(b) = self {
            let u = DynArray::from(b.cast::<u8>()).unique_all(cfg)?;
            return Ok(UniqueAll {
                values: u.values.astype(DType::Bool),
                ..u
            });
        }
        numeric!(self, "unique_all", a, T => unique_typed(a, cfg))
    }

    /// The indices of the nonzero (true) elements, one `i64` array per axis (NumPy's and the
    /// array API's `nonzero`), in C order. The count runs here, with `cfg`.
    ///
    /// Errors: a 0-d array (the standard and NumPy 2 raise).
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![[0, 5], [7, 0]], 1)?);
    /// let nz = x.nonzero(&Config::default())?;
    /// assert_eq!(nz[0].compute()?.downcast::<i64>()?.as_slice().unwrap(), &[0, 1]);
    /// assert_eq!(nz[1].compute()?.downcast::<i64>()?.as_slice().unwrap(), &[1, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn nonzero(&self, cfg: &Config) -> Result<Vec<DynArray>> {
        let rows: ChunkedArray<i64> = match self {
            DynArray::Bool(b) => b.cast::<u8>().nonzero()?.resolve_with(cfg)?,
            _ => numeric!(self, "nonzero", a, T => a.nonzero()?.resolve_with(cfg)?),
        };
        (0..self.ndim())
            .map(|d| {
                let row = [
                    SliceInfoElem::Index(d as isize),
                    SliceInfoElem::Slice {
                        start: 0,
                        end: None,
                        step: 1,
                    },
                ];
                Ok(rows.slice(row)?.into())
            })
            .collect()
    }
}
