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

/// Defines a reduction's forms from `$over(self, axes, keepdims)`: over all elements, and over
/// any [`Axes`](crate::Axes) with [`ReduceOptions`](crate::ReduceOptions) (`$with`, the one
/// surface NumPy's keywords map to); the older one-axis and several-axes spellings stay as
/// deprecated wrappers for a release.
macro_rules! three_forms {
    // A reduction that takes `ddof` from its options: `$over(ddof, axes, keepdims)`.
    (ddof $out:ty, $over:ident: $(#[$doc:meta])* $all:ident, $axis:ident, $axes:ident, $with:ident) => {
        $(#[$doc])*
        pub fn $all(&self) -> $out {
            self.$over(0, (0..self.ndim()).collect(), false)
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") over `axes` (one, several, or `None` for all: [`Axes`](crate::Axes)), with NumPy's `keepdims` and `ddof` in `opts` (the divisor is the count of values minus `ddof`; NaN where that is not positive, as NumPy's). Errors: an axis out of range or repeated.")]
        pub fn $with(&self, axes: impl Into<crate::Axes>, opts: crate::ReduceOptions) -> Result<$out> {
            let axes = axes.into().resolve(stringify!($with), self.shape())?;
            Ok(self.$over(opts.ddof, axes, opts.keepdims))
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") along `axis`.")]
        #[deprecated(since = "0.2.0", note = "use the `_with` form, which takes `Axes` and `ReduceOptions`")]
        pub fn $axis(&self, axis: isize) -> Result<$out> {
            Ok(self.$over(0, self.axis_arg(stringify!($axis), axis)?, false))
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") over several axes; `keepdims` keeps them with extent 1.")]
        #[deprecated(since = "0.2.0", note = "use the `_with` form, which takes `Axes` and `ReduceOptions`")]
        pub fn $axes(&self, axes: &[isize], keepdims: bool) -> Result<$out> {
            Ok(self.$over(0, self.axes_arg(stringify!($axes), axes)?, keepdims))
        }
    };
    ($out:ty, $over:ident: $(#[$doc:meta])* $all:ident, $axis:ident, $axes:ident, $with:ident) => {
        $(#[$doc])*
        pub fn $all(&self) -> $out {
            self.$over((0..self.ndim()).collect(), false)
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") over `axes` (one, several, or `None` for all: [`Axes`](crate::Axes)), with NumPy's `keepdims` in `opts`. Errors: an axis out of range or repeated, or a `ddof` (which only `var` and `std` take).")]
        pub fn $with(&self, axes: impl Into<crate::Axes>, opts: crate::ReduceOptions) -> Result<$out> {
            let op = stringify!($with);
            let keepdims = opts.without_ddof(op)?;
            Ok(self.$over(axes.into().resolve(op, self.shape())?, keepdims))
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") along `axis`.")]
        #[deprecated(since = "0.2.0", note = "use the `_with` form, which takes `Axes` and `ReduceOptions`")]
        pub fn $axis(&self, axis: isize) -> Result<$out> {
            Ok(self.$over(self.axis_arg(stringify!($axis), axis)?, false))
        }
        #[doc = concat!("[`", stringify!($all), "`](Self::", stringify!($all), ") over several axes; `keepdims` keeps them with extent 1.")]
        #[deprecated(since = "0.2.0", note = "use the `_with` form, which takes `Axes` and `ReduceOptions`")]
        pub fn $axes(&self, axes: &[isize], keepdims: bool) -> Result<$out> {
            Ok(self.$over(self.axes_arg(stringify!($axes), axes)?, keepdims))
        }
    };
}

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

    fn count_nonzero_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.reduce::<CountNonzeroR>(axes, keepdims)
    }
    fn any_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<bool> {
        self.reduce::<AnyR>(axes, keepdims)
    }
    fn all_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<bool> {
        self.reduce::<AllR>(axes, keepdims)
    }

    three_forms!(ChunkedArray<u64>, count_nonzero_over:
        /// Number of nonzero (true) elements, as `u64`: NumPy's `np.count_nonzero(x)`.
        count_nonzero, count_nonzero_axis, count_nonzero_axes, count_nonzero_with);
    three_forms!(ChunkedArray<bool>, any_over:
        /// Whether any element is nonzero (false for an empty array).
        any, any_axis, any_axes, any_with);
    three_forms!(ChunkedArray<bool>, all_over:
        /// Whether every element is nonzero (true for an empty array).
        all, all_axis, all_axes, all_with);
}

/// ## Reductions (numeric types)
///
/// Sums and products accumulate as NumPy does: `i64` for signed integers, `u64` for unsigned
/// ones, wrapping silently on overflow; floats in their own type with pairwise summation.
impl<T: Numeric> ChunkedArray<T> {
    fn sum_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Acc> {
        self.reduce::<SumR>(axes, keepdims)
    }
    fn prod_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Acc> {
        self.reduce::<ProdR>(axes, keepdims)
    }
    fn min_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T> {
        self.reduce::<MinR>(axes, keepdims)
    }
    fn max_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T> {
        self.reduce::<MaxR>(axes, keepdims)
    }

    three_forms!(ChunkedArray<T::Acc>, sum_over:
        /// Sum of all elements: NumPy's `x.sum()`; [`sum_with`](Self::sum_with) is
        /// `x.sum(axis=..., keepdims=...)`.
        ///
        /// ```
        /// use chunkwise::ReduceOptions;
        /// let x = chunkwise::arange(24).reshape([2, 3, 4])?.rechunk([1, 2, 2])?;
        /// assert_eq!(x.sum().item()?, 276);
        /// let s = x.sum_with([0, -1], ReduceOptions::default().keepdims(true))?;
        /// assert_eq!(s.shape(), &[1, 3, 1]);
        /// assert_eq!(s.compute()?.iter().copied().collect::<Vec<i64>>(), vec![60, 92, 124]);
        /// assert!(x.sum_with(3, ReduceOptions::default()).is_err());
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        sum, sum_axis, sum_axes, sum_with);
    three_forms!(ChunkedArray<T::Acc>, prod_over:
        /// Product of all elements.
        prod, prod_axis, prod_axes, prod_with);
    three_forms!(ChunkedArray<T>, min_over:
        /// Smallest element; NaN propagates. An empty array is an
        /// [`Error::EmptyReduction`](crate::Error::EmptyReduction) at compute.
        min, min_axis, min_axes, min_with);
    three_forms!(ChunkedArray<T>, max_over:
        /// Largest element; NaN propagates. An empty array is an error at compute.
        max, max_axis, max_axes, max_with);
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

    fn std_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<T::Float> {
        self.var_over_keep(axes, keepdims).sqrt()
    }

    three_forms!(ChunkedArray<T::Float>, mean_over:
        /// Arithmetic mean (NaN for an empty array, as NumPy).
        mean, mean_axis, mean_axes, mean_with);

    /// Population variance (`ddof = 0`), in one pass over the data as Dask computes it: each
    /// canonical leaf's count, mean and squared deviations (two-pass inside the leaf, in
    /// cache), combined by Chan's update in the fixed tree. So `x.mean()` and `x.var()` of a
    /// file computed together ([`compute_many`](crate::compute_many)) read it once.
    /// [`var_with`](Self::var_with) takes axes, `keepdims` and `ddof`.
    pub fn var(&self) -> ChunkedArray<T::Float> {
        self.var_over(self.every_axis())
    }

    /// Variance along `axis`.
    #[deprecated(since = "0.2.0", note = "use `var_with(axes, ReduceOptions)`")]
    pub fn var_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_over(self.axis_arg("var_axis", axis)?))
    }

    /// Standard deviation (`ddof = 0`); [`std_with`](Self::std_with) takes axes, `keepdims`
    /// and `ddof`.
    pub fn std(&self) -> ChunkedArray<T::Float> {
        self.var().sqrt()
    }

    /// Standard deviation along `axis`.
    #[deprecated(since = "0.2.0", note = "use `std_with(axes, ReduceOptions)`")]
    pub fn std_axis(&self, axis: isize) -> Result<ChunkedArray<T::Float>> {
        Ok(self.std_over(self.axis_arg("std_axis", axis)?, false))
    }

    /// Variance over several axes, optionally keeping them.
    #[deprecated(since = "0.2.0", note = "use `var_with(axes, ReduceOptions)`")]
    pub fn var_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Float>> {
        Ok(self.var_over_keep(self.axes_arg("var_axes", axes)?, keepdims))
    }

    /// Standard deviation over several axes, optionally keeping them.
    #[deprecated(since = "0.2.0", note = "use `std_with(axes, ReduceOptions)`")]
    pub fn std_axes(&self, axes: &[isize], keepdims: bool) -> Result<ChunkedArray<T::Float>> {
        Ok(self.std_over(self.axes_arg("std_axes", axes)?, keepdims))
    }
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
        op: &str,
        axes: Vec<usize>,
        keepdims: bool,
    ) -> ChunkedArray<u64> {
        let extreme = self.reduce::<R>(axes.clone(), true);
        #[allow(clippy::eq_op)]
        let hit = self.zip_with(&extreme, "is_extreme", |x: T, m: T| {
            x == m || (x != x && m != m)
        });
        let index = self.first_index(&hit, axes.clone(), keepdims);
        // The extreme's error would name `max`; an empty reduction names the operation asked.
        if axes.iter().any(|&d| self.shape()[d] == 0) {
            let e = Error::EmptyReduction {
                op: op.into(),
                shape: self.shape().to_vec(),
            };
            let node = crate::graph::source::invalid(op, index.shape().to_vec(), e);
            return ChunkedArray::from_expr(node);
        }
        index
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
        self.arg_extreme::<MaxR>("argmax", axes, keepdims)
    }
    fn argmin_over(&self, axes: Vec<usize>, keepdims: bool) -> ChunkedArray<u64> {
        self.arg_extreme::<MinR>("argmin", axes, keepdims)
    }

    three_forms!(ChunkedArray<u64>, argmax_over:
        /// Flat (C-order) index of the largest element; the first one on ties, a NaN if any
        /// (NumPy's `argmax()`). An empty array is an error at compute.
        ///
        /// ```
        /// let x = chunkwise::from_array(ndarray::array![[3.0, 9.0], [9.0, 1.0]], [1, 1])?;
        /// assert_eq!(x.argmax().item()?, 1);
        /// let opts = chunkwise::ReduceOptions::default();
        /// assert_eq!(x.argmin_with(0, opts)?.compute()?.as_slice().unwrap(), &[0, 1]);
        /// assert_eq!(x.argmax_with([1], opts.keepdims(true))?.shape(), &[2, 1]);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        argmax, argmax_axis, argmax_axes, argmax_with);
    three_forms!(ChunkedArray<u64>, argmin_over:
        /// Flat index of the smallest element (NumPy's `argmin()`).
        argmin, argmin_axis, argmin_axes, argmin_with);
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
    /// Squared deviations from the NaN-aware mean, over the count less `ddof`: two passes (the
    /// mean, then the deviations), as NumPy's `nanvar`.
    fn nanvar_over(&self, ddof: usize, axes: Vec<usize>, keepdims: bool) -> Self {
        // One count serves the mean and the variance: kept dims until the end.
        let count = self.count_over(axes.clone(), true);
        let mean = self.nansum_over(axes.clone(), true) / &count;
        // Only the values that are not NaN deviate: an infinity against an infinite mean is
        // NaN, and stays so (NumPy's `nanvar([inf, 1])` is NaN).
        let dev = crate::where_(&self.not_nan(), (self - &mean).square(), T::ZERO)
            .expect("the operands share one shape");
        let divisor = if ddof == 0 {
            count
        } else {
            // NumPy's degrees of freedom: NaN where no more values than `ddof` remain.
            let ddof = T::from_f64(ddof as f64);
            count.map_to(
                "minus ddof",
                move |c: T| {
                    if c > ddof {
                        c - ddof
                    } else {
                        T::nan()
                    }
                },
            )
        };
        let var = dev.reduce::<SumR>(axes.clone(), true) / divisor;
        if keepdims {
            return var;
        }
        axes.iter().rev().fold(var, |v, &a| {
            v.squeeze_axis(a as isize)
                .expect("a reduced axis kept with extent 1")
        })
    }
    fn nanstd_over(&self, ddof: usize, axes: Vec<usize>, keepdims: bool) -> Self {
        self.nanvar_over(ddof, axes, keepdims).sqrt()
    }

    three_forms!(Self, nansum_over:
        /// Sum of the elements that are not NaN (0 where there are none).
        nansum, nansum_axis, nansum_axes, nansum_with);
    three_forms!(Self, nanprod_over:
        /// Product of the elements that are not NaN (1 where there are none).
        nanprod, nanprod_axis, nanprod_axes, nanprod_with);
    three_forms!(Self, nanmean_over:
        /// Mean of the elements that are not NaN (NaN where there are none).
        nanmean, nanmean_axis, nanmean_axes, nanmean_with);
    three_forms!(Self, nanmin_over:
        /// Minimum of the elements that are not NaN (NaN where there are none).
        nanmin, nanmin_axis, nanmin_axes, nanmin_with);
    three_forms!(Self, nanmax_over:
        /// Maximum of the elements that are not NaN (NaN where there are none).
        nanmax, nanmax_axis, nanmax_axes, nanmax_with);
    three_forms!(ddof Self, nanvar_over:
        /// Population variance of the elements that are not NaN (NaN where there are none).
        nanvar, nanvar_axis, nanvar_axes, nanvar_with);
    three_forms!(ddof Self, nanstd_over:
        /// Standard deviation of the elements that are not NaN (NaN where there are none).
        nanstd, nanstd_axis, nanstd_axes, nanstd_with);
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
        /// let opts = chunkwise::ReduceOptions::default();
        /// assert!(x.nanargmax_with(1, opts)?.compute().is_err());
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        nanargmax, nanargmax_axis, nanargmax_axes, nanargmax_with);
    three_forms!(ChunkedArray<u64>, nanargmin_over:
        /// Index of the smallest element that is not NaN (NumPy's `nanargmin`; a slice of only
        /// NaN is an [`Error::InvalidValue`] at compute).
        nanargmin, nanargmin_axis, nanargmin_axes, nanargmin_with);

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

    /// [`average`](Self::average) over `axes` ([`Axes`](crate::Axes)) with NumPy's
    /// `keepdims` in `opts`: `np.average(x, axis, weights, keepdims=...)`. As in NumPy,
    /// `weights` may also be 1-d with the length of the one axis averaged over.
    ///
    /// ```
    /// use chunkwise::ReduceOptions;
    /// let x = chunkwise::arange(6).reshape([2, 3])?.cast::<f64>();
    /// let w = chunkwise::from_array(ndarray::array![1.0, 0.0, 1.0], 3)?;
    /// let a = x.average_with(&w, 1, ReduceOptions::default())?;
    /// assert_eq!(a.compute()?.into_raw_vec_and_offset().0, vec![1.0, 4.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn average_with(
        &self,
        weights: &ChunkedArray<T>,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<Self> {
        let keepdims = opts.without_ddof("average_with")?;
        let axes = axes.into().resolve("average_with", self.shape())?;
        if let [a] = axes[..]
            && weights.ndim() == 1
            && self.ndim() > 1
            && weights.len() == self.shape()[a]
        {
            let mut along = vec![1; self.ndim()];
            along[a] = self.shape()[a];
            let w = weights.reshape(along)?;
            return self.average_over("average_with", &w, axes, keepdims);
        }
        self.average_over("average_with", weights, axes, keepdims)
    }

    /// [`average`](Self::average) along `axis`. As in NumPy, `weights` may also be 1-d with
    /// the length of `axis`.
    #[deprecated(
        since = "0.2.0",
        note = "use `average_with(weights, axes, ReduceOptions)`"
    )]
    pub fn average_axis(&self, axis: isize, weights: &ChunkedArray<T>) -> Result<Self> {
        self.axis_arg("average_axis", axis)?;
        self.average_with(weights, axis, crate::ReduceOptions::default())
    }

    /// [`average`](Self::average) over several axes; `keepdims` keeps them with extent 1.
    #[deprecated(
        since = "0.2.0",
        note = "use `average_with(weights, axes, ReduceOptions)`"
    )]
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
        ptp, ptp_axis, ptp_axes, ptp_with);
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

    /// The variance over `axes` ([`Axes`](crate::Axes): one, several, or `None` for all) with
    /// NumPy's `keepdims` and `ddof` in `opts`: `x.var(axis=..., keepdims=..., ddof=...)`.
    /// `ddof` larger than the number of elements reduced is an [`Error::InvalidParameter`].
    ///
    /// ```
    /// use chunkwise::ReduceOptions;
    /// let x = chunkwise::arange(5).cast::<f64>();
    /// assert_eq!(x.var_with(None, ReduceOptions::default().ddof(1))?.item()?, 2.5);
    /// assert!(x.var_with(None, ReduceOptions::default().ddof(6)).is_err());
    /// let y = chunkwise::arange(6).reshape([2, 3])?.cast::<f64>();
    /// let v = y.var_with(1, ReduceOptions::default().keepdims(true))?;
    /// assert_eq!(v.compute()?.into_raw_vec_and_offset().0, vec![2.0 / 3.0; 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn var_with(
        &self,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<T::Float>> {
        let axes = axes.into().resolve("var_with", self.shape())?;
        self.var_ddof_over(opts.ddof, axes, opts.keepdims)
    }

    /// The standard deviation over `axes` with `keepdims` and `ddof` in `opts`: the square
    /// root of [`var_with`](Self::var_with).
    pub fn std_with(
        &self,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<T::Float>> {
        let axes = axes.into().resolve("std_with", self.shape())?;
        Ok(self.var_ddof_over(opts.ddof, axes, opts.keepdims)?.sqrt())
    }

    /// Variance with divisor `n - ddof` (NumPy's `var(ddof=...)`; `ddof = 1` is the sample
    /// variance). `ddof` larger than the number of elements is an
    /// [`Error::InvalidParameter`].
    ///
    #[deprecated(
        since = "0.2.0",
        note = "use `var_with(axes, ReduceOptions::default().ddof(n))`"
    )]
    pub fn var_ddof(&self, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        self.var_ddof_over(ddof, (0..self.ndim()).collect(), false)
    }

    /// [`var_ddof`](Self::var_ddof) along `axis`.
    #[deprecated(
        since = "0.2.0",
        note = "use `var_with(axes, ReduceOptions::default().ddof(n))`"
    )]
    pub fn var_ddof_axis(&self, axis: isize, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        self.var_ddof_over(ddof, self.axis_arg("var_ddof_axis", axis)?, false)
    }

    /// [`var_ddof`](Self::var_ddof) over several axes; `keepdims` keeps them with extent 1.
    #[deprecated(
        since = "0.2.0",
        note = "use `var_with(axes, ReduceOptions::default().ddof(n))`"
    )]
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
    #[deprecated(
        since = "0.2.0",
        note = "use `std_with(axes, ReduceOptions::default().ddof(n))`"
    )]
    pub fn std_ddof(&self, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        Ok(self
            .var_ddof_over(ddof, (0..self.ndim()).collect(), false)?
            .sqrt())
    }

    /// [`std_ddof`](Self::std_ddof) along `axis`.
    #[deprecated(
        since = "0.2.0",
        note = "use `std_with(axes, ReduceOptions::default().ddof(n))`"
    )]
    pub fn std_ddof_axis(&self, axis: isize, ddof: usize) -> Result<ChunkedArray<T::Float>> {
        Ok(self
            .var_ddof_over(ddof, self.axis_arg("std_ddof_axis", axis)?, false)?
            .sqrt())
    }

    /// [`std_ddof`](Self::std_ddof) over several axes; `keepdims` keeps them with extent 1.
    #[deprecated(
        since = "0.2.0",
        note = "use `std_with(axes, ReduceOptions::default().ddof(n))`"
    )]
    pub fn std_ddof_axes(
        &self,
        axes: &[isize],
        keepdims: bool,
        ddof: usize,
    ) -> Result<ChunkedArray<T::Float>> {
        Ok(self
            .var_ddof_over(ddof, self.axes_arg("std_ddof_axes", axes)?, keepdims)?
            .sqrt())
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
        sum, sum_axis, sum_axes, sum_with);
    three_forms!(ChunkedArray<f64>, fraction_over:
        /// The fraction of `true` elements (NumPy's `mean` of a bool array; NaN for none).
        mean, mean_axis, mean_axes, mean_with);
}
