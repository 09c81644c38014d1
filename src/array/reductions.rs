//! Reductions over all elements or along one axis. Each is a line over the reduce primitive;
//! `mean`, `var` and `std` are compositions (NumPy's two-pass variance).

use std::sync::Arc;

use super::ChunkedArray;
use crate::chunks::normalize_axis;
use crate::element::{CastTo, Element, Float, Numeric};
use crate::error::{Error, Result};
use crate::graph::elementwise::Check;
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

/// Defines a reduction's three forms from `$over(self, axes, keepdims)`: over all elements,
/// along one axis, over several axes with `keepdims`.
macro_rules! three_forms {
    ($out:ty, $over:ident: $(#[$doc:meta])* $all:ident, $axis:ident, $axes:ident) => {
        $(#[$doc])*
        pub fn $all(&self) -> $out {
            self.$over((0..self.ndim()).collect(), false)
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") along `axis`.")]
        pub fn $axis(&self, axis: isize) -> Result<$out> {
            Ok(self.$over(self.axis_arg(stringify!($axis), axis)?, false))
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") over several axes; `keepdims` keeps them with extent 1.")]
        pub fn $axes(&self, axes: &[isize], keepdims: bool) -> Result<$out> {
            Ok(self.$over(self.axes_arg(stringify!($axes), axes)?, keepdims))
        }
    };
}

/// ## Positions of extremes (numeric types)
///
/// `argmax`/`argmin` over all elements give the flat C-order index, along one axis the index
/// along it, and over several axes the C-order index within the sub-block of those axes (NumPy
/// takes one axis or none; several axes are the same rule applied to their sub-block).
/// `keepdims` keeps the reduced axes with extent 1, as NumPy's `keepdims=True`.
impl<T: Numeric> ChunkedArray<T> {
    /// The index of the extreme (`MaxR` or `MinR`) over `axes`, built from primitives: the
    /// extreme with keepdims, the positions that hold it (NaN matches NaN, so a NaN wins as in
    /// NumPy), and the smallest index among them (the first occurrence, as NumPy).
    fn arg_extreme<R: Reducer<T, Acc = T>>(
        &self,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> ChunkedArray<u64> {
        let extreme = self.reduce::<R>(axes.clone(), true);
        #[allow(clippy::eq_op)]
        let hit = self.zip_with(&extreme, "is_extreme", |x: T, m: T| {
            x == m || (x != x && m != m)
        });
        self.first_index(&hit, axes, keepdims)
    }

    /// The smallest index over `axes` (as [`axes_index`](crate::sources::axes_index)) where
    /// `hit` is true; `u64::MAX` where it is nowhere.
    fn first_index(
        &self,
        hit: &ChunkedArray<bool>,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> ChunkedArray<u64> {
        let index = ChunkedArray::from_expr(crate::graph::source::axes_index(self.shape(), &axes))
            .rechunk(self.chunks())
            .expect("same shape");
        let candidates = crate::array::where_(hit, &index, u64::MAX).expect("same shape");
        candidates.reduce::<MinR>(axes, keepdims)
    }

    fn argmax_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.arg_extreme::<MaxR>(axes, keepdims)
    }
    fn argmin_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.arg_extreme::<MinR>(axes, keepdims)
    }

    three_forms!(ChunkedArray<u64>, argmax_over:
        /// Flat (C-order) index of the largest element; the first one on ties, a NaN if any
        /// (NumPy's `argmax()`). An empty array is an error at compute.
        ///
        /// ```
        /// let x = chunkwise::from_array(ndarray::array![[3.0, 9.0], [9.0, 1.0]], [1, 1])?;
        /// assert_eq!(x.argmax().item()?, 1);
        /// assert_eq!(x.argmin_axis(0)?.compute()?.as_slice().unwrap(), &[0, 1]);
        /// assert_eq!(x.argmax_axes(&[1], true)?.shape(), &[2, 1]);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        argmax, argmax_axis, argmax_axes);
    three_forms!(ChunkedArray<u64>, argmin_over:
        /// Flat index of the smallest element (NumPy's `argmin()`).
        argmin, argmin_axis, argmin_axes);
}

/// ## NaN-aware reductions (floats)
///
/// As NumPy's `nan*` functions: NaN elements are left out. A slice with no other element gives
/// the reduction of nothing: 0 for `nansum`, 1 for `nanprod`, and NaN for `nanmean`, `nanvar`,
/// `nanstd`, `nanmin` and `nanmax` (where NumPy also warns).
impl<T: Float> ChunkedArray<T> {
    /// Whether each element is not NaN: what the NaN-aware reductions count (one node).
    fn not_nan(&self) -> ChunkedArray<bool> {
        self.map_to("not isnan", |x: T| !x.is_nan())
    }
    fn nansum_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nan_as(T::ZERO).reduce::<SumR>(axes, keepdims)
    }
    fn nanprod_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nan_as(T::ONE).reduce::<ProdR>(axes, keepdims)
    }
    /// Elements that are not NaN, as `T`.
    fn count_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.not_nan()
            .reduce::<CountNonzeroR>(axes, keepdims)
            .map_to("count", |c: u64| T::from_f64(c as f64))
    }
    fn nanmean_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nansum_over(axes.clone(), keepdims) / self.count_over(axes, keepdims)
    }
    /// The extreme `R` of the elements that are not NaN, NaN where there are none.
    fn nan_extreme<R: Reducer<T, Acc = T>>(
        &self,
        fill: T,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> Self {
        let any = self.not_nan().reduce::<AnyR>(axes.clone(), keepdims);
        let m = self.nan_as(fill).reduce::<R>(axes, keepdims);
        crate::where_(&any, m, T::nan()).expect("the operands share one shape")
    }
    fn nanmin_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nan_extreme::<MinR>(T::infinity(), axes, keepdims)
    }
    fn nanmax_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nan_extreme::<MaxR>(T::neg_infinity(), axes, keepdims)
    }
    /// Squared deviations from the NaN-aware mean, over the count: two passes (the mean, then
    /// the deviations), as NumPy's `nanvar`.
    fn nanvar_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        // One count serves the mean and the variance: kept dims until the end.
        let count = self.count_over(axes.clone(), true);
        let mean = self.nansum_over(axes.clone(), true) / &count;
        // Only the values that are not NaN deviate: an infinity against an infinite mean is
        // NaN, and stays so (NumPy's `nanvar([inf, 1])` is NaN).
        let dev = crate::where_(&self.not_nan(), (self - &mean).square(), T::ZERO)
            .expect("the operands share one shape");
        let var = dev.reduce::<SumR>(axes.clone(), true) / count;
        if keepdims {
            return var;
        }
        axes.iter().rev().fold(var, |v, &a| {
            v.squeeze_axis(a as isize)
                .expect("a reduced axis kept with extent 1")
        })
    }
    fn nanstd_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nanvar_over(axes, keepdims).sqrt()
    }

    three_forms!(Self, nansum_over:
        /// Sum of the elements that are not NaN (0 where there are none).
        nansum, nansum_axis, nansum_axes);
    three_forms!(Self, nanprod_over:
        /// Product of the elements that are not NaN (1 where there are none).
        nanprod, nanprod_axis, nanprod_axes);
    three_forms!(Self, nanmean_over:
        /// Mean of the elements that are not NaN (NaN where there are none).
        nanmean, nanmean_axis, nanmean_axes);
    three_forms!(Self, nanmin_over:
        /// Minimum of the elements that are not NaN (NaN where there are none).
        nanmin, nanmin_axis, nanmin_axes);
    three_forms!(Self, nanmax_over:
        /// Maximum of the elements that are not NaN (NaN where there are none).
        nanmax, nanmax_axis, nanmax_axes);
    three_forms!(Self, nanvar_over:
        /// Population variance of the elements that are not NaN (NaN where there are none).
        nanvar, nanvar_axis, nanvar_axes);
    three_forms!(Self, nanstd_over:
        /// Standard deviation of the elements that are not NaN (NaN where there are none).
        nanstd, nanstd_axis, nanstd_axes);
}

/// ## NaN-aware positions and weighted means (floats)
impl<T: Float> ChunkedArray<T> {
    /// The index of the extreme of the elements that are not NaN: NaN counts as `fill` (the
    /// identity of `R`) for the extreme, and never matches it, so a slice of only NaN has no
    /// hit, which is NumPy's `ValueError` ([`Error::InvalidValue`] at compute).
    fn nanarg_extreme<R: Reducer<T, Acc = T>>(
        &self,
        name: &str,
        fill: T,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> ChunkedArray<u64> {
        let extreme = self.nan_as(fill).reduce::<R>(axes.clone(), true);
        let hit = self.zip_with(&extreme, "is_extreme", |x: T, m: T| x == m);
        let first = self.first_index(&hit, axes, keepdims);
        ChunkedArray::from_expr(Arc::new(Check::new(
            name,
            first.expr().clone(),
            |i: u64| i != u64::MAX,
            "All-NaN slice encountered".into(),
        )))
    }
    fn nanargmax_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.nanarg_extreme::<MaxR>("nanargmax", T::LOWEST, axes, keepdims)
    }
    fn nanargmin_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.nanarg_extreme::<MinR>("nanargmin", T::HIGHEST, axes, keepdims)
    }

    three_forms!(ChunkedArray<u64>, nanargmax_over:
        /// Index of the largest element that is not NaN, as [`argmax`](Self::argmax) otherwise
        /// (NumPy's `nanargmax`). A slice of only NaN is an [`Error::InvalidValue`] at compute,
        /// as NumPy's `ValueError`.
        ///
        /// ```
        /// let x = chunkwise::from_array(ndarray::array![[f64::NAN, 2.0], [f64::NAN, f64::NAN]], [1, 2])?;
        /// assert_eq!(x.nanargmax().item()?, 1);
        /// assert!(x.nanargmax_axis(1)?.compute().is_err());
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        nanargmax, nanargmax_axis, nanargmax_axes);
    three_forms!(ChunkedArray<u64>, nanargmin_over:
        /// Index of the smallest element that is not NaN (NumPy's `nanargmin`; a slice of only
        /// NaN is an [`Error::InvalidValue`] at compute).
        nanargmin, nanargmin_axis, nanargmin_axes);

    /// `sum(x * w) / sum(w)` over `axes`; `w` broadcast to the array's shape.
    fn average_over(
        &self,
        op: &str,
        weights: &ChunkedArray<T>,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> Result<Self> {
        let w = weights
            .broadcast_to(self.shape())
            .map_err(|_| Error::ShapeMismatch {
                op: format!("{op} of shape {:?}: weights", self.shape()),
                got: weights.shape().to_vec(),
                expected: self.shape().to_vec(),
            })?;
        let num = (self * &w).reduce::<SumR>(axes.clone(), keepdims);
        let den = w.reduce::<SumR>(axes, keepdims);
        let den = ChunkedArray::from_expr(Arc::new(Check::new(
            op,
            den.expr().clone(),
            |s: T| s != T::ZERO,
            "weights sum to zero, can't be normalized".into(),
        )));
        Ok(num / den)
    }

    /// The weighted mean `sum(x * w) / sum(w)` (NumPy's `average(x, weights=w)`). `weights`
    /// must broadcast to the array's shape (NumPy asks for the same shape); weights summing
    /// to zero are an [`Error::InvalidValue`] at compute, as NumPy's `ZeroDivisionError`.
    /// Integer arrays are cast to a float type first.
    ///
    /// ```
    /// let x = chunkwise::linspace(1.0, 4.0, 4);
    /// let w = chunkwise::from_array(ndarray::array![3.0, 1.0, 0.0, 0.0], 2)?;
    /// assert_eq!(x.average(&w)?.item()?, 1.25);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn average(&self, weights: &ChunkedArray<T>) -> Result<Self> {
        self.average_over("average", weights, (0..self.ndim()).collect(), false)
    }

    /// [`average`](Self::average) along `axis`. As in NumPy, `weights` may also be 1-d with
    /// the length of `axis`.
    pub fn average_axis(&self, axis: isize, weights: &ChunkedArray<T>) -> Result<Self> {
        let axes = self.axis_arg("average_axis", axis)?;
        let a = axes[0];
        if weights.ndim() == 1 && self.ndim() > 1 && weights.len() == self.shape()[a] {
            let mut along = vec![1; self.ndim()];
            along[a] = self.shape()[a];
            let w = weights.reshape(along)?;
            return self.average_over("average_axis", &w, axes, false);
        }
        self.average_over("average_axis", weights, axes, false)
    }

    /// [`average`](Self::average) over several axes; `keepdims` keeps them with extent 1.
    pub fn average_axes(
        &self,
        axes: &[isize],
        weights: &ChunkedArray<T>,
        keepdims: bool,
    ) -> Result<Self> {
        let axes = self.axes_arg("average_axes", axes)?;
        self.average_over("average_axes", weights, axes, keepdims)
    }
}

/// ## Spread (numeric types)
impl<T: Numeric> ChunkedArray<T> {
    fn ptp_over(&self, axes: Vec<usize>, keepdims: bool) -> Self {
        let max = self.reduce::<MaxR>(axes.clone(), keepdims);
        let min = self.reduce::<MinR>(axes, keepdims);
        max - min
    }

    three_forms!(Self, ptp_over:
        /// Peak to peak: maximum minus minimum (NumPy's `ptp`; wrapping for integers, an error
        /// for an empty array as `min` and `max`).
        ptp, ptp_axis, ptp_axes);
}

/// ## Variance with a divisor `n - ddof` (numeric types)
impl<T: Numeric + CastTo<T::Float>> ChunkedArray<T> {
    /// The variance over `axes` with divisor `n - ddof`: the one-pass population variance
    /// scaled by `n / (n - ddof)`. `ddof` above the count is an error; `ddof` equal to it gives
    /// infinity (NaN for zero spread), as NumPy's division by zero does.
    fn var_ddof_over(
        &self,
        ddof: usize,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> Result<ChunkedArray<T::Float>> {
        let reduced: Vec<usize> = axes.iter().map(|&a| self.shape()[a]).collect();
        let n = crate::chunks::saturating_len(&reduced);
        if ddof > n {
            return Err(Error::InvalidParameter {
                op: format!(
                    "var_ddof on {}{:?} over axes {axes:?}",
                    T::DTYPE,
                    self.shape()
                ),
                param: "ddof".into(),
                value: ddof.to_string(),
                reason: format!("larger than the {n} elements reduced"),
            });
        }
        let scale = <T::Float as Float>::from_f64(n as f64)
            / <T::Float as Float>::from_f64((n - ddof) as f64);
        Ok(self.var_over_keep(axes, keepdims) * scale)
    }

    /// Variance with divisor `n - ddof` (NumPy's `var(ddof=...)`; `ddof = 1` is the sample
    /// variance). `ddof` larger than the number of elements is an
    /// [`Error::InvalidParameter`].
    ///
    /// ```
    /// let x = chunkwise::arange(5).cast::<f64>();
    /// assert_eq!(x.var_ddof(1)?.item()?, 2.5);
    /// assert!(x.var_ddof(6).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn var_ddof(&self, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        self.var_ddof_over(ddof, (0..self.ndim()).collect(), false)
    }

    /// [`var_ddof`](Self::var_ddof) along `axis`.
    pub fn var_ddof_axis(&self, axis: isize, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        self.var_ddof_over(ddof, self.axis_arg("var_ddof_axis", axis)?, false)
    }

    /// [`var_ddof`](Self::var_ddof) over several axes; `keepdims` keeps them with extent 1.
    pub fn var_ddof_axes(
        &self,
        axes: &[isize],
        keepdims: bool,
        ddof: usize,
    ) -> Result<ChunkedArray<T::Float>> {
        self.var_ddof_over(ddof, self.axes_arg("var_ddof_axes", axes)?, keepdims)
    }

    /// Standard deviation with divisor `n - ddof` (the square root of
    /// [`var_ddof`](Self::var_ddof)).
    pub fn std_ddof(&self, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_ddof(ddof)?.sqrt())
    }

    /// [`std_ddof`](Self::std_ddof) along `axis`.
    pub fn std_ddof_axis(&self, axis: isize, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_ddof_axis(axis, ddof)?.sqrt())
    }

    /// [`std_ddof`](Self::std_ddof) over several axes; `keepdims` keeps them with extent 1.
    pub fn std_ddof_axes(
        &self,
        axes: &[isize],
        keepdims: bool,
        ddof: usize,
    ) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_ddof_axes(axes, keepdims, ddof)?.sqrt())
    }
}

/// ## Reductions of bool arrays (NumPy counts them)
///
/// As in every Dask tutorial: `(x.lt(1.0)).sum()` counts the `true` elements, and `mean` gives
/// their fraction.
///
/// ```
/// let x = chunkwise::arange(10).cast::<f64>();
/// assert_eq!(x.lt(4.0).sum().item()?, 4);
/// assert_eq!(x.lt(4.0).mean().item()?, 0.4);
/// # Ok::<(), chunkwise::Error>(())
/// ```
impl ChunkedArray<bool> {
    fn count_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<i64> {
        self.reduce::<CountNonzeroR>(axes, keepdims)
            .map_to("as i64", |c: u64| c as i64)
    }
    fn fraction_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<f64> {
        let reduced: Vec<usize> = axes.iter().map(|&a| self.shape()[a]).collect();
        let n = crate::chunks::saturating_len(&reduced) as f64;
        self.reduce::<CountNonzeroR>(axes, keepdims)
            .map_to("fraction", move |c: u64| c as f64 / n)
    }

    three_forms!(ChunkedArray<i64>, count_over:
        /// The number of `true` elements, as `i64` (NumPy's `sum` of a bool array).
        sum, sum_axis, sum_axes);
    three_forms!(ChunkedArray<f64>, fraction_over:
        /// The fraction of `true` elements (NumPy's `mean` of a bool array; NaN for none).
        mean, mean_axis, mean_axes);
}
