//! Reductions over all elements or along one axis. Each is a line over the reduce primitive;
//! `mean`, `var` and `std` are compositions (NumPy's two-pass variance).

use std::sync::Arc;

use super::ChunkedArray;
use crate::chunks::normalize_axis;
use crate::element::{CastTo, Element, Float, Numeric};
use crate::error::{Error, Result};
use crate::graph::reduce::Reduce;
use crate::kernels::reducers::{AllR, AnyR, CountNonzeroR, MaxR, MinR, ProdR, Reducer, SumR, VarR};

/// ## Reductions (every element type)
impl<T: Element> ChunkedArray<T> {
    /// The reduce primitive: `R` over `axes` (sorted, in range).
    pub(crate) fn reduce<R: Reducer<T>>(
        &self,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> ChunkedArray<R::Acc> {
        ChunkedArray::from_expr(Arc::new(Reduce::<T, R>::new(
            self.expr().clone(),
            axes,
            keepdims,
        )))
    }

    fn every_axis(&self) -> Vec<usize> {
        (0..self.ndim()).collect()
    }

    pub(crate) fn axis_arg(&self, op: &str, axis: isize) -> Result<Vec<usize>> {
        Ok(vec![normalize_axis(op, axis, self.shape())?])
    }

    /// Normalized, sorted axes; a repeated axis is an error, as NumPy.
    pub(crate) fn axes_arg(&self, op: &str, axes: &[isize]) -> Result<Vec<usize>> {
        let mut v = axes
            .iter()
            .map(|&a| normalize_axis(op, a, self.shape()))
            .collect::<Result<Vec<_>>>()?;
        v.sort_unstable();
        if v.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::InvalidAxes {
                op: op.into(),
                axes: axes.to_vec(),
                shape: self.shape().to_vec(),
                reason: "an axis repeats".into(),
            });
        }
        Ok(v)
    }

    /// Nonzero count over several axes; `keepdims` keeps them with extent 1.
    pub fn count_nonzero_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<u64>> {
        Ok(self.reduce::<CountNonzeroR>(self.axes_arg("count_nonzero_axes", axes)?, keepdims))
    }

    /// [`any`](Self::any) over several axes; `keepdims` keeps them with extent 1.
    pub fn any_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<bool>> {
        Ok(self.reduce::<AnyR>(self.axes_arg("any_axes", axes)?, keepdims))
    }

    /// [`all`](Self::all) over several axes; `keepdims` keeps them with extent 1.
    pub fn all_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<bool>> {
        Ok(self.reduce::<AllR>(self.axes_arg("all_axes", axes)?, keepdims))
    }

    /// Number of nonzero (true) elements, as `u64`: NumPy's `np.count_nonzero(x)`.
    pub fn count_nonzero(&self) -> ChunkedArray<u64> {
        self.reduce::<CountNonzeroR>(self.every_axis(), false)
    }

    /// Nonzero count along `axis` (negative counts from the end).
    pub fn count_nonzero_axis(&self, axis: isize) -> Result<ChunkedArray<u64>> {
        Ok(self.reduce::<CountNonzeroR>(self.axis_arg("count_nonzero_axis", axis)?, false))
    }

    /// Whether any element is nonzero (false for an empty array).
    pub fn any(&self) -> ChunkedArray<bool> {
        self.reduce::<AnyR>(self.every_axis(), false)
    }

    /// [`any`](Self::any) along `axis`.
    pub fn any_axis(&self, axis: isize) -> Result<ChunkedArray<bool>> {
        Ok(self.reduce::<AnyR>(self.axis_arg("any_axis", axis)?, false))
    }

    /// Whether every element is nonzero (true for an empty array).
    pub fn all(&self) -> ChunkedArray<bool> {
        self.reduce::<AllR>(self.every_axis(), false)
    }

    /// [`all`](Self::all) along `axis`.
    pub fn all_axis(&self, axis: isize) -> Result<ChunkedArray<bool>> {
        Ok(self.reduce::<AllR>(self.axis_arg("all_axis", axis)?, false))
    }
}

/// ## Reductions (numeric types)
///
/// Sums and products accumulate as NumPy does: `i64` for signed integers, `u64` for unsigned
/// ones, wrapping silently on overflow; floats in their own type with pairwise summation.
impl<T: Numeric> ChunkedArray<T> {
    /// Sum of all elements: NumPy's `x.sum()`.
    pub fn sum(&self) -> ChunkedArray<T::Acc> {
        self.reduce::<SumR>(self.every_axis(), false)
    }

    /// Sum along `axis` (negative counts from the end).
    ///
    /// ```
    /// let x = chunkwise::arange(6).cast::<f64>();
    /// let x = chunkwise::from_array(x.compute()?.into_shape_with_order((2, 3)).unwrap(), [1, 2])?;
    /// assert_eq!(x.sum_axis(0)?.compute()?.as_slice().unwrap(), &[3.0, 5.0, 7.0]);
    /// assert_eq!(x.sum_axis(-1)?.compute()?.as_slice().unwrap(), &[3.0, 12.0]);
    /// assert!(x.sum_axis(2).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn sum_axis(&self, axis: isize) -> Result<ChunkedArray<T::Acc>> {
        Ok(self.reduce::<SumR>(self.axis_arg("sum_axis", axis)?, false))
    }

    /// Product of all elements.
    pub fn prod(&self) -> ChunkedArray<T::Acc> {
        self.reduce::<ProdR>(self.every_axis(), false)
    }

    /// Product along `axis`.
    pub fn prod_axis(&self, axis: isize) -> Result<ChunkedArray<T::Acc>> {
        Ok(self.reduce::<ProdR>(self.axis_arg("prod_axis", axis)?, false))
    }

    /// Smallest element; NaN propagates. An empty array is an
    /// [`Error::EmptyReduction`](crate::Error::EmptyReduction) at compute.
    pub fn min(&self) -> ChunkedArray<T> {
        self.reduce::<MinR>(self.every_axis(), false)
    }

    /// [`min`](Self::min) along `axis`.
    pub fn min_axis(&self, axis: isize) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MinR>(self.axis_arg("min_axis", axis)?, false))
    }

    /// Largest element; NaN propagates. An empty array is an error at compute.
    pub fn max(&self) -> ChunkedArray<T> {
        self.reduce::<MaxR>(self.every_axis(), false)
    }

    /// [`max`](Self::max) along `axis`.
    pub fn max_axis(&self, axis: isize) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MaxR>(self.axis_arg("max_axis", axis)?, false))
    }

    /// Sum over several axes; `keepdims` keeps them with extent 1 (NumPy's `keepdims=True`).
    ///
    /// ```
    /// let x = chunkwise::arange(24).reshape([2, 3, 4])?;
    /// let s = x.sum_axes(&[0, -1], true)?;
    /// assert_eq!(s.shape(), &[1, 3, 1]);
    /// assert_eq!(s.compute()?.iter().copied().collect::<Vec<i64>>(), vec![60, 92, 124]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn sum_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Acc>> {
        Ok(self.reduce::<SumR>(self.axes_arg("sum_axes", axes)?, keepdims))
    }

    /// Product over several axes, optionally keeping them.
    pub fn prod_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Acc>> {
        Ok(self.reduce::<ProdR>(self.axes_arg("prod_axes", axes)?, keepdims))
    }

    /// Minimum over several axes, optionally keeping them.
    pub fn min_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MinR>(self.axes_arg("min_axes", axes)?, keepdims))
    }

    /// Maximum over several axes, optionally keeping them.
    pub fn max_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MaxR>(self.axes_arg("max_axes", axes)?, keepdims))
    }

    /// The index of the extreme (`MaxR` or `MinR`) over `axes`, built from primitives: the
    /// extreme with keepdims, the positions that hold it (NaN matches NaN, so a NaN wins as in
    /// NumPy), and the smallest index among them (the first occurrence, as NumPy).
    fn arg_extreme<R: Reducer<T, Acc = T>>(&self, axis: Option<usize>) -> ChunkedArray<u64> {
        let axes = axis.map_or_else(|| self.every_axis(), |a| vec![a]);
        let extreme = self.reduce::<R>(axes.clone(), true);
        #[allow(clippy::eq_op)]
        let hit = self.zip_with(&extreme, "is_extreme", |x: T, m: T| {
            x == m || (x != x && m != m)
        });
        let index = crate::sources::axis_index(self.shape(), axis)
            .rechunk(self.chunks())
            .expect("same shape");
        let candidates = crate::array::where_(&hit, &index, u64::MAX).expect("same shape");
        candidates.reduce::<MinR>(axes, false)
    }

    /// Flat (C-order) index of the largest element; the first one on ties, a NaN if any
    /// (NumPy's `argmax()`). An empty array is an error at compute.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[3.0, 9.0], [9.0, 1.0]], [1, 1])?;
    /// assert_eq!(x.argmax().item()?, 1);
    /// assert_eq!(x.argmin_axis(0)?.compute()?.as_slice().unwrap(), &[0, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn argmax(&self) -> ChunkedArray<u64> {
        self.arg_extreme::<MaxR>(None)
    }

    /// Flat index of the smallest element (NumPy's `argmin()`).
    pub fn argmin(&self) -> ChunkedArray<u64> {
        self.arg_extreme::<MinR>(None)
    }

    /// Index along `axis` of the largest element of each lane (NumPy's `argmax(axis)`).
    pub fn argmax_axis(&self, axis: isize) -> Result<ChunkedArray<u64>> {
        Ok(self.arg_extreme::<MaxR>(Some(normalize_axis("argmax_axis", axis, self.shape())?)))
    }

    /// Index along `axis` of the smallest element of each lane (NumPy's `argmin(axis)`).
    pub fn argmin_axis(&self, axis: isize) -> Result<ChunkedArray<u64>> {
        Ok(self.arg_extreme::<MinR>(Some(normalize_axis("argmin_axis", axis, self.shape())?)))
    }
}

/// ## Statistics (numeric types, computed in `f64`, or `f32` for `f32` arrays)
impl<T: Numeric + CastTo<T::Float>> ChunkedArray<T> {
    fn mean_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Float> {
        let reduced: Vec<usize> = axes.iter().map(|&a| self.shape()[a]).collect();
        let n = crate::chunks::saturating_len(&reduced);
        let sum = self.cast::<T::Float>().reduce::<SumR>(axes, keepdims);
        sum / <T::Float as Float>::from_f64(n as f64)
    }

    fn var_over(&self, axes: Vec<usize>) -> ChunkedArray<T::Float> {
        self.var_over_keep(axes, false)
    }

    fn var_over_keep(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Float> {
        self.cast::<T::Float>().reduce::<VarR>(axes, keepdims)
    }

    /// Arithmetic mean (NaN for an empty array, as NumPy).
    pub fn mean(&self) -> ChunkedArray<T::Float> {
        self.mean_over(self.every_axis(), false)
    }

    /// Mean along `axis`.
    pub fn mean_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.mean_over(self.axis_arg("mean_axis", axis)?, false))
    }

    /// Population variance (`ddof = 0`), in one pass over the data as Dask computes it: each
    /// canonical leaf's count, mean and squared deviations (two-pass inside the leaf, in
    /// cache), combined by Chan's update in the fixed tree. So `x.mean()` and `x.var()` of a
    /// file computed together ([`compute_many`](crate::compute_many)) read it once.
    pub fn var(&self) -> ChunkedArray<T::Float> {
        self.var_over(self.every_axis())
    }

    /// Variance along `axis`.
    pub fn var_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_over(self.axis_arg("var_axis", axis)?))
    }

    /// Standard deviation (`ddof = 0`).
    pub fn std(&self) -> ChunkedArray<T::Float> {
        self.var().sqrt()
    }

    /// Standard deviation along `axis`.
    pub fn std_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_over(self.axis_arg("std_axis", axis)?).sqrt())
    }

    /// Mean over several axes, optionally keeping them.
    pub fn mean_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Float>> {
        Ok(self.mean_over(self.axes_arg("mean_axes", axes)?, keepdims))
    }

    /// Variance over several axes, optionally keeping them.
    pub fn var_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_over_keep(self.axes_arg("var_axes", axes)?, keepdims))
    }

    /// Standard deviation over several axes, optionally keeping them.
    pub fn std_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Float>> {
        Ok(self
            .var_over_keep(self.axes_arg("std_axes", axes)?, keepdims)
            .sqrt())
    }
}
