//! Scans and differences along an axis: `cumsum`, `cumprod`, their NaN-skipping forms, and
//! `diff`. A scan is the scan primitive (`graph::scan`) over blocks of the axis, with the
//! blocks' totals from a staged reduction of the array padded and reshaped to `(blocks,
//! block)` along the axis; `diff` is a movement over neighbours (two slices and a
//! subtraction).

use std::sync::Arc;

use super::rearrange::along;
use super::{retype, ChunkedArray, PadMode};
use crate::element::{Arith, Float, Numeric};
use crate::error::{Error, Result};
use crate::graph::reduce::Reduce;
use crate::graph::scan::Scan;
use crate::kernels::reducers::{ProdR, Reducer, SumR};

impl<T: Numeric> ChunkedArray<T> {
    /// The scan of `self` (as its accumulator type) along `axis` by `combine`, with the
    /// blocks' totals by `R` (whose identity is `identity`).
    fn scan<R: Reducer<T::Acc, Acc = <T::Acc as Numeric>::Acc>>(
        &self,
        op: &str,
        axis: isize,
        combine: impl Fn(T::Acc, T::Acc) -> T::Acc + Send + Sync + 'static,
        identity: T::Acc,
    ) -> Result<ChunkedArray<T::Acc>> {
        let axis = self.axis_arg(op, axis)?[0];
        let x: ChunkedArray<T::Acc> = retype(self, T::to_acc);
        let n = self.shape()[axis];
        // Blocks of the input's largest chunk along the axis (the scan's grid along it).
        let block = self.chunks().axis(axis).max().max(1);
        let blocks = n.div_ceil(block);
        // Past `usize::MAX` only for an axis near it (an array already too large to hold).
        let padded = blocks.checked_mul(block).ok_or_else(|| Error::TooLarge {
            op: op.to_string(),
            shape: self.shape().to_vec(),
            reason: format!("{blocks} blocks of {block} along axis {axis} overflow usize"),
        })?;
        let mut widths = vec![(0, 0); self.ndim()];
        widths[axis] = (0, padded - n);
        let mut split: Vec<usize> = self.shape().to_vec();
        split.splice(axis..=axis, [blocks, block]);
        let cut = x
            .pad(&widths, PadMode::Constant(identity))?
            .reshape(split)?;
        let totals: ChunkedArray<R::Acc> = ChunkedArray::from_expr(Arc::new(
            Reduce::<T::Acc, R>::new(cut.expr().clone(), vec![axis + 1], false).into_staged(),
        ));
        // The totals in the scan's type (the accumulator's accumulator is itself: no node).
        let totals: ChunkedArray<T::Acc> = retype(&totals, <T::Acc as Numeric>::from_acc);
        let name = format!("{op}(axis={axis})");
        Ok(ChunkedArray::from_expr(Arc::new(
            Scan::new(
                name,
                x.expr().clone(),
                totals.expr().clone(),
                axis,
                block,
                combine,
                identity,
            )
            // Integer sums may group their adds (a vector prefix sum): `R` says it is a sum.
            .additive(std::any::TypeId::of::<R>() == std::any::TypeId::of::<SumR>()),
        )))
    }

    /// The array a scan runs over and its axis: the array itself for one axis, flattened for
    /// [`Axes::All`](crate::Axes::All) (NumPy's `axis=None`).
    fn scan_input(&self, op: &str, axis: crate::Axes) -> Result<(Self, isize)> {
        Ok(match axis.single(op, self.shape())? {
            Some(a) => (self.clone(), a as isize),
            None => (self.ravel(), 0),
        })
    }

    /// Cumulative sum along `axis` (NumPy's `cumsum(axis)`; `None` scans the flattened array,
    /// as NumPy's `axis=None`), in the accumulator type of [`sum`](Self::sum): `i64` for signed
    /// integers, `u64` for unsigned, the float type itself. Integer results are exact
    /// (wrapping as NumPy's); float results are the sequential scan within each block of the
    /// axis, started from the compensated sum of the blocks before: within a few ulps of
    /// NumPy's sequential scan, and the same bits for any number of workers.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(3)?;
    /// let c = x.cumsum(0)?.compute()?;
    /// assert_eq!(c.as_slice().unwrap(), &[0, 1, 3, 6, 10, 15, 21, 28, 36, 45]);
    /// let m = x.reshape([2, 5])?;
    /// assert_eq!(m.cumsum(None)?.compute()?, c);
    /// let rows = m.cumsum(-1)?.compute()?.into_raw_vec_and_offset().0;
    /// assert_eq!(rows[5..], [5, 11, 18, 26, 35]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn cumsum(&self, axis: impl Into<crate::Axes>) -> Result<ChunkedArray<T::Acc>> {
        let (x, axis) = self.scan_input("cumsum", axis.into())?;
        x.scan::<SumR>(
            "cumsum",
            axis,
            |a: T::Acc, b| a.n_add(b),
            <T::Acc as crate::element::Element>::ZERO,
        )
    }

    /// Cumulative product along `axis` (NumPy's `cumprod(axis)`; `None` flattens), in the
    /// accumulator type (integers wrap).
    pub fn cumprod(&self, axis: impl Into<crate::Axes>) -> Result<ChunkedArray<T::Acc>> {
        let (x, axis) = self.scan_input("cumprod", axis.into())?;
        x.scan::<ProdR>(
            "cumprod",
            axis,
            |a: T::Acc, b| a.n_mul(b),
            <T::Acc as Numeric>::ONE,
        )
    }

    /// The `n`-th difference along `axis` (NumPy's `diff(n, axis)`): `x[1:] - x[:-1]`, `n`
    /// times; the axis shrinks by `n` (to 0 when `n` is larger). Integers wrap.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![1, 4, 9, 16], 3)?;
    /// assert_eq!(x.diff(1, 0)?.compute()?.as_slice().unwrap(), &[3, 5, 7]);
    /// assert_eq!(x.diff(2, -1)?.compute()?.as_slice().unwrap(), &[2, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn diff(&self, n: usize, axis: isize) -> Result<Self> {
        let axis = self.axis_arg("diff", axis)?[0];
        let nd = self.ndim();
        let mut x = self.clone();
        for _ in 0..n {
            if x.shape()[axis] == 0 {
                break;
            }
            x = x.slice(along(nd, axis, 1, None, 1))? - x.slice(along(nd, axis, 0, Some(-1), 1))?;
        }
        Ok(x)
    }
}

/// ## NaN-skipping scans (floats)
impl<T: Float> ChunkedArray<T> {
    /// [`cumsum`](Self::cumsum) with NaN counted as 0 (NumPy's `nancumsum`).
    pub fn nancumsum(&self, axis: impl Into<crate::Axes>) -> Result<Self> {
        self.nan_as(T::ZERO).cumsum(axis)
    }

    /// [`cumprod`](Self::cumprod) with NaN counted as 1 (NumPy's `nancumprod`).
    pub fn nancumprod(&self, axis: impl Into<crate::Axes>) -> Result<Self> {
        self.nan_as(T::ONE).cumprod(axis)
    }
}
