//! Sorting along an axis and searching a sorted array (NumPy's `sort`, `argsort` and
//! `searchsorted`; the array API's `sort(descending, stable)`): each lane along the axis is
//! made one chunk (the other axes' chunks shrunk so that a block stays about the size of the
//! input's chunks) and sorted where it lies, by `kernels::sort`.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis};

use super::{ChunkedArray, Deferred};
use crate::element::Numeric;
use crate::error::Result;
use crate::kernels::sort::{insertion_point, sort_key, sort_positions, sort_values};

impl<T: Numeric> ChunkedArray<T> {
    /// The values sorted along `axis` (NumPy's `np.sort(x, axis)`, the array API's
    /// `sort(x, axis=, descending=)`): NaNs last ascending and first descending, `-0.0` equal
    /// to `0.0`. Always stable: equal values (signed zeros, NaN payloads) keep their order in
    /// both directions, since the radix sort that sorts long lanes is stable at no cost.
    ///
    /// Each lane along `axis` is one chunk while it is sorted, so a block holds whole lanes;
    /// a lane of at least 2^20 values is sorted by two workers, in halves then merged. Memory:
    /// about two blocks per worker (the sorted copy and the radix sort's buffer), and the
    /// lane, however long.
    ///
    /// Errors: `axis` out of range (a 0-d array has none).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[3.0, f64::NAN, 1.0], [2.0, 0.5, 2.0]], 1)?;
    /// let s = x.sort_axis(-1, false)?.compute()?;
    /// assert_eq!((s[[1, 0]], s[[1, 1]], s[[1, 2]]), (0.5, 2.0, 2.0));
    /// assert!(s[[0, 2]].is_nan());
    /// let d = x.sort_axis(0, true)?.compute()?;
    /// assert_eq!((d[[0, 0]], d[[1, 0]]), (3.0, 2.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn sort_axis(&self, axis: isize, descending: bool) -> Result<Self> {
        let axis = self.axis_arg("sort", axis)?[0];
        let x = self.whole_along(axis)?;
        Ok(x.map_blocks(move |block: ArrayViewD<'_, T>| {
            let mut out = block.to_owned();
            let mut buf = Vec::new();
            for mut lane in out.lanes_mut(Axis(axis)) {
                match lane.as_slice_mut() {
                    Some(s) => sort_values(s, descending),
                    None => {
                        buf.clear();
                        buf.extend(lane.iter().copied());
                        sort_values(&mut buf, descending);
                        lane.iter_mut().zip(&buf).for_each(|(o, &v)| *o = v);
                    }
                }
            }
            out
        }))
    }

    /// The positions along `axis` that sort each lane (NumPy's `argsort(x, axis,
    /// kind="stable")`, the array API's `argsort`), as `i64`: always stable, so equal values
    /// keep their order in both directions (descending is not the ascending result reversed).
    /// Same order as [`sort_axis`](Self::sort_axis): NaNs last ascending, first descending.
    ///
    /// Errors: `axis` out of range.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![2, 1, 2, 1], 3)?;
    /// assert_eq!(x.argsort_axis(0, false)?.compute()?.as_slice().unwrap(), &[1, 3, 0, 2]);
    /// assert_eq!(x.argsort_axis(0, true)?.compute()?.as_slice().unwrap(), &[0, 2, 1, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn argsort_axis(&self, axis: isize, descending: bool) -> Result<ChunkedArray<i64>> {
        let axis = self.axis_arg("argsort", axis)?[0];
        let x = self.whole_along(axis)?;
        Ok(x.map_blocks(move |block: ArrayViewD<'_, T>| {
            let mut out = ArrayD::<i64>::zeros(block.raw_dim());
            let mut pairs = Vec::new();
            for (lane, mut o) in block
                .lanes(Axis(axis))
                .into_iter()
                .zip(out.lanes_mut(Axis(axis)))
            {
                let order = sort_positions(lane.iter().copied(), descending, &mut pairs);
                o.iter_mut().zip(order).for_each(|(o, p)| *o = p);
            }
            out
        }))
    }

    /// Where each of `values` goes in `self`, a 1-d array sorted ascending in NumPy's order
    /// (NumPy's `np.searchsorted(self, values, side)`): with `right == false` (`side="left"`)
    /// the first position whose value is not below it, else the position after the last value
    /// not above it. `i64`, `values`' shape. NaNs sort last; `-0.0` equals `0.0`. An unsorted
    /// `self` gives positions, but not meaningful ones, as NumPy's.
    ///
    /// Deferred: the first pass computes `self`'s sort keys (8 bytes a value, held in memory
    /// while the positions are computed); `values` stays lazy and is read once, chunk by chunk.
    ///
    /// Errors: `self` not 1-d.
    ///
    /// ```
    /// let a = chunkwise::from_array(ndarray::array![1.0, 2.0, 2.0, 5.0], 2)?;
    /// let v = chunkwise::from_array(ndarray::array![2.0, 0.0, 9.0], 2)?;
    /// assert_eq!(a.searchsorted(&v, false)?.compute()?.as_slice().unwrap(), &[1, 0, 4]);
    /// assert_eq!(a.searchsorted(&v, true)?.compute()?.as_slice().unwrap(), &[3, 0, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn searchsorted(&self, values: &ChunkedArray<T>, right: bool) -> Result<Deferred<i64>> {
        if self.ndim() != 1 {
            return Err(crate::Error::InvalidParameter {
                op: "searchsorted".into(),
                param: "x1".into(),
                value: format!("shape {:?}", self.shape()),
                reason: "the sorted array must be 1-d".into(),
            });
        }
        // The keys travel as the sizing pass's i64 values (the same bits).
        let keys = self.map_to("searchsorted: sort keys", |v: T| sort_key(v, false) as i64);
        let values = values.clone();
        let build = move |keys: &ArrayD<i64>| -> Result<ChunkedArray<i64>> {
            let sorted: Arc<[u64]> = keys.iter().map(|&k| k as u64).collect();
            Ok(values.map_to("searchsorted", move |v: T| {
                insertion_point(&sorted, v, right) as i64
            }))
        };
        Ok(Deferred::from_pass(
            keys,
            "the sorted array's keys",
            Arc::new(build),
        ))
    }
}
