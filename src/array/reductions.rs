//! Reductions over all elements or along one axis. Each is a line over the reduce primitive;
//! `mean`, `var` and `std` are compositions (NumPy's two-pass variance).

use std::sync::Arc;

use super::ChunkedArray;
use crate::chunks::normalize_axis;
use crate::element::{CastTo, Element, Float, Numeric};
use crate::error::Result;
use crate::graph::reduce::Reduce;
use crate::kernels::reducers::{AllR, AnyR, CountNonzeroR, MaxR, MinR, ProdR, Reducer, SumR};

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

    fn all_axes(&self) -> Vec<usize> {
        (0..self.ndim()).collect()
    }

    pub(crate) fn axis_arg(&self, op: &str, axis: isize) -> Result<Vec<usize>> {
        Ok(vec![normalize_axis(op, axis, self.shape())?])
    }

    /// Number of nonzero (true) elements, as `u64`: NumPy's `np.count_nonzero(x)`.
    pub fn count_nonzero(&self) -> ChunkedArray<u64> {
        self.reduce::<CountNonzeroR>(self.all_axes(), false)
    }

    /// Nonzero count along `axis` (negative counts from the end).
    pub fn count_nonzero_axis(&self, axis: isize) -> Result<ChunkedArray<u64>> {
        Ok(self.reduce::<CountNonzeroR>(self.axis_arg("count_nonzero_axis", axis)?, false))
    }

    /// Whether any element is nonzero (false for an empty array).
    pub fn any(&self) -> ChunkedArray<bool> {
        self.reduce::<AnyR>(self.all_axes(), false)
    }

    /// [`any`](Self::any) along `axis`.
    pub fn any_axis(&self, axis: isize) -> Result<ChunkedArray<bool>> {
        Ok(self.reduce::<AnyR>(self.axis_arg("any_axis", axis)?, false))
    }

    /// Whether every element is nonzero (true for an empty array).
    pub fn all(&self) -> ChunkedArray<bool> {
        self.reduce::<AllR>(self.all_axes(), false)
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
        self.reduce::<SumR>(self.all_axes(), false)
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
        self.reduce::<ProdR>(self.all_axes(), false)
    }

    /// Product along `axis`.
    pub fn prod_axis(&self, axis: isize) -> Result<ChunkedArray<T::Acc>> {
        Ok(self.reduce::<ProdR>(self.axis_arg("prod_axis", axis)?, false))
    }

    /// Smallest element; NaN propagates. An empty array is an
    /// [`Error::EmptyReduction`](crate::Error::EmptyReduction) at compute.
    pub fn min(&self) -> ChunkedArray<T> {
        self.reduce::<MinR>(self.all_axes(), false)
    }

    /// [`min`](Self::min) along `axis`.
    pub fn min_axis(&self, axis: isize) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MinR>(self.axis_arg("min_axis", axis)?, false))
    }

    /// Largest element; NaN propagates. An empty array is an error at compute.
    pub fn max(&self) -> ChunkedArray<T> {
        self.reduce::<MaxR>(self.all_axes(), false)
    }

    /// [`max`](Self::max) along `axis`.
    pub fn max_axis(&self, axis: isize) -> Result<ChunkedArray<T>> {
        Ok(self.reduce::<MaxR>(self.axis_arg("max_axis", axis)?, false))
    }
}

/// ## Statistics (numeric types, computed in `f64`, or `f32` for `f32` arrays)
impl<T: Numeric + CastTo<T::Float>> ChunkedArray<T> {
    fn mean_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Float> {
        let n: usize = axes.iter().map(|&a| self.shape()[a]).product();
        let sum = self.cast::<T::Float>().reduce::<SumR>(axes, keepdims);
        sum / <T::Float as Float>::from_f64(n as f64)
    }

    fn var_over(&self, axes: Vec<usize>) -> ChunkedArray<T::Float> {
        let x = self.cast::<T::Float>();
        let deviation = &x - &x.mean_over(axes.clone(), true);
        deviation.square().mean_over(axes, false)
    }

    /// Arithmetic mean (NaN for an empty array, as NumPy).
    pub fn mean(&self) -> ChunkedArray<T::Float> {
        self.mean_over(self.all_axes(), false)
    }

    /// Mean along `axis`.
    pub fn mean_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.mean_over(self.axis_arg("mean_axis", axis)?, false))
    }

    /// Population variance (`ddof = 0`), two-pass as NumPy: `mean((x - mean(x))^2)`.
    pub fn var(&self) -> ChunkedArray<T::Float> {
        self.var_over(self.all_axes())
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
}
