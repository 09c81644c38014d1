//! Statistics that a tree of per-element partials cannot give: exact quantiles and medians
//! (radix selection, `kernels::select`), histograms and the `k` largest values. Each is an
//! aggregate (`graph::aggregate`) or a short chain of them, planned as passes of its own and
//! shown in `explain()`.

use std::marker::PhantomData;
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

use super::{retype, BlockSpec, ChunkedArray};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Numeric;
use crate::error::{Error, Result};
use crate::graph::aggregate::Aggregate;
use crate::graph::Node;
use crate::kernels::counts::{Histogram, WeightedHistogram};
use crate::kernels::select::{passes, pick_lane, selection_len, Pick, RadixSelect, TopK};

fn invalid(op: &str, param: &str, value: impl ToString, reason: &str) -> Error {
    Error::InvalidParameter {
        op: op.into(),
        param: param.into(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Checks quantiles (each in `[0, 1]`).
fn quantiles_arg(op: &str, qs: &[f64]) -> Result<()> {
    match qs.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        Some(q) => Err(invalid(op, "q", q, "quantiles must be in the range [0, 1]")),
        None => Ok(()),
    }
}

/// Percentiles as quantiles (NumPy divides by 100), each checked in `[0, 100]`.
fn percentiles_arg(op: &str, ps: &[f64]) -> Result<Vec<f64>> {
    match ps.iter().find(|p| !(0.0..=100.0).contains(*p)) {
        Some(p) => Err(invalid(
            op,
            "q",
            p,
            "percentiles must be in the range [0, 100]",
        )),
        None => Ok(ps.iter().map(|p| p / 100.0).collect()),
    }
}

impl<T: Numeric> ChunkedArray<T> {
    /// The radix selection of `pick` over every value: a chain of aggregate passes, the last
    /// giving the results (`shape`: `[]` for one, `[len]` for several).
    fn select_ranks(
        &self,
        op: &str,
        pick: Pick,
        skip_nan: bool,
        shape: Vec<usize>,
    ) -> Result<ChunkedArray<f64>> {
        if self.is_empty() {
            return Err(Error::EmptyReduction {
                op: op.into(),
                shape: self.shape().to_vec(),
            });
        }
        let x = self.expr().clone();
        let len = self.len() as u64;
        let pick = Arc::new(pick);
        let steps = passes::<T>();
        let mut prev: Option<Arc<dyn Node>> = None;
        for s in 1..steps {
            let agg = RadixSelect::<T, u64> {
                len,
                pick: pick.clone(),
                skip_nan,
                prev: prev.as_ref().map(|p| p.meta().id),
                _t: PhantomData,
            };
            let node = Aggregate::new(
                format!("{op} select pass {s}/{steps}"),
                x.clone(),
                prev.into_iter().collect(),
                agg,
                vec![selection_len(&pick)],
            );
            prev = Some(Arc::new(node));
        }
        let agg = RadixSelect::<T, f64> {
            len,
            pick,
            skip_nan,
            prev: prev.as_ref().map(|p| p.meta().id),
            _t: PhantomData,
        };
        let name = format!("{op} select pass {steps}/{steps}");
        let node = Aggregate::new(name, x, prev.into_iter().collect(), agg, shape);
        Ok(ChunkedArray::from_expr(Arc::new(node)))
    }

    /// `self` with `axis` one chunk, the other axes' chunks shrunk (the largest halved) until
    /// a block is about the size of the input's largest chunk: the blocks of a function of
    /// whole lanes.
    pub(super) fn whole_along(&self, axis: usize) -> Result<ChunkedArray<T>> {
        self.whole_along_axes(&[axis], 1)
    }

    /// [`whole_along`](Self::whole_along) for several axes: each of `whole` one chunk (the
    /// matrices of a stack, for the decompositions), the others shrunk to the budget. A block
    /// function whose result is `grow` times its block (a full SVD's `U` of a tall matrix) gets
    /// blocks `grow` times smaller, down to one lane.
    pub(super) fn whole_along_axes(&self, whole: &[usize], grow: usize) -> Result<ChunkedArray<T>> {
        // Saturating: an empty array may have other axes whose extents multiply past usize.
        let block = |size: &[usize]| size.iter().fold(1usize, |p, &n| p.saturating_mul(n));
        let lanes: Vec<usize> = whole.iter().map(|&d| self.shape()[d]).collect();
        let budget = (self.chunks().max_chunk_len() / grow.max(1)).max(block(&lanes));
        let mut size: Vec<usize> = self
            .chunks()
            .axes()
            .iter()
            .map(|a| a.max().max(1))
            .collect();
        for &d in whole {
            size[d] = self.shape()[d].max(1);
        }
        while block(&size) > budget {
            let widest = size
                .iter()
                .enumerate()
                .filter(|&(d, &n)| !whole.contains(&d) && n > 1)
                .max_by_key(|&(_, &n)| n)
                .map(|(d, _)| d);
            match widest {
                Some(d) => size[d] = size[d].div_ceil(2),
                None => break,
            }
        }
        self.rechunk(size)
    }

    /// The picks of each lane along `axis`: the axis is made one chunk (the other axes'
    /// chunks shrunk so that a block stays about the size of the input's chunks), and each
    /// block's lanes are selected in place (`kernels::select::pick_lane`). With `q_axis`, the
    /// picks make a new leading axis (NumPy's shape for several quantiles).
    fn select_lanes(
        &self,
        op: &str,
        axis: isize,
        pick: Pick,
        skip_nan: bool,
        q_axis: bool,
    ) -> Result<ChunkedArray<f64>> {
        let axis = self.axis_arg(op, axis)?[0];
        if self.shape()[axis] == 0 {
            return Err(Error::EmptyReduction {
                op: op.into(),
                shape: self.shape().to_vec(),
            });
        }
        let x = self.whole_along(axis)?;
        let picks = pick.len();
        let spec = BlockSpec {
            drop_axis: vec![axis],
            new_axis: if q_axis { vec![0] } else { Vec::new() },
            block_shape: if q_axis {
                std::iter::once(Some(picks))
                    .chain((1..self.ndim()).map(|_| None))
                    .collect()
            } else {
                Vec::new()
            },
        };
        x.map_blocks_with(&spec, move |block: ArrayViewD<'_, T>| {
            let lanes = block.lanes(Axis(axis));
            let count = lanes.clone().into_iter().len();
            let mut vals = vec![0.0; picks * count];
            let mut keys = Vec::with_capacity(block.shape()[axis]);
            let mut res = vec![0.0; picks];
            for (l, lane) in lanes.into_iter().enumerate() {
                keys.clear();
                keys.extend(lane.iter().map(|v| v.order_key()));
                pick_lane::<T>(&pick, skip_nan, &mut keys, &mut res);
                for (i, &r) in res.iter().enumerate() {
                    vals[i * count + l] = r;
                }
            }
            let mut shape: Vec<usize> = block.shape().to_vec();
            shape.remove(axis);
            if q_axis {
                shape.insert(0, picks);
            }
            ArrayD::from_shape_vec(IxDyn(&shape), vals).expect("one value per lane and pick")
        })
    }

    /// The `q`-th quantile of every value, exact, by NumPy's default `linear` method
    /// (`np.quantile(x, q)`): the values of ranks `floor((n - 1) q)` and the next, interpolated
    /// as NumPy does. A NaN anywhere makes it NaN (see [`nanquantile`](Self::nanquantile)).
    ///
    /// The values are selected, not sorted and not sketched: a few passes over the array count
    /// the digits of the selected values' sort keys (one pass for 8- and 16-bit types, up to two
    /// for 32-bit, up to four for 64-bit; a pass whose candidates are few collects them and
    /// settles the rest), so memory stays that of the tiles and some counts, whatever the
    /// size. The result is `f64` for every input type (NumPy gives `f32` for `f32` input: the
    /// same selection, interpolated in `f64` here).
    ///
    /// Errors: `q` outside `[0, 1]`, or an empty array.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(3)?;
    /// assert_eq!(x.quantile(0.5)?.item()?, 4.5);
    /// assert_eq!(x.quantile(0.25)?.item()?, 2.25);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn quantile(&self, q: f64) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantile", &[q])?;
        self.select_ranks("quantile", Pick::Quantiles(vec![q]), false, Vec::new())
    }

    /// [`quantile`](Self::quantile) at each of `qs`, in one selection: a 1-d array of
    /// `qs.len()` results (`np.quantile(x, qs)`).
    pub fn quantiles(&self, qs: &[f64]) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantiles", qs)?;
        let shape = vec![qs.len()];
        self.select_ranks("quantiles", Pick::Quantiles(qs.to_vec()), false, shape)
    }

    /// [`quantile`](Self::quantile) of the values that are not NaN (`np.nanquantile`); NaN
    /// when every value is NaN.
    pub fn nanquantile(&self, q: f64) -> Result<ChunkedArray<f64>> {
        quantiles_arg("nanquantile", &[q])?;
        self.select_ranks("nanquantile", Pick::Quantiles(vec![q]), true, Vec::new())
    }

    /// The `p`-th percentile (`np.percentile(x, p)`): [`quantile`](Self::quantile) of
    /// `p / 100`. Errors: `p` outside `[0, 100]`, or an empty array.
    ///
    /// ```
    /// let x = chunkwise::arange(101).rechunk(10)?;
    /// assert_eq!(x.percentile(90.0)?.item()?, 90.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn percentile(&self, p: f64) -> Result<ChunkedArray<f64>> {
        let q = percentiles_arg("percentile", &[p])?;
        self.select_ranks("percentile", Pick::Quantiles(q), false, Vec::new())
    }

    /// [`percentile`](Self::percentile) at each of `ps`: a 1-d array.
    pub fn percentiles(&self, ps: &[f64]) -> Result<ChunkedArray<f64>> {
        let qs = percentiles_arg("percentiles", ps)?;
        let shape = vec![qs.len()];
        self.select_ranks("percentiles", Pick::Quantiles(qs), false, shape)
    }

    /// [`percentile`](Self::percentile) of the values that are not NaN (`np.nanpercentile`).
    pub fn nanpercentile(&self, p: f64) -> Result<ChunkedArray<f64>> {
        let q = percentiles_arg("nanpercentile", &[p])?;
        self.select_ranks("nanpercentile", Pick::Quantiles(q), true, Vec::new())
    }

    /// The median of every value, exact (`np.median(x)`): the middle value, or the mean of
    /// the two middle values, by the selection of [`quantile`](Self::quantile). NaN when any
    /// value is NaN. Errors: an empty array.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![3.0, 1.0, 4.0, 1.0, 5.0, 9.0], 4)?;
    /// assert_eq!(x.median()?.item()?, 3.5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn median(&self) -> Result<ChunkedArray<f64>> {
        self.select_ranks("median", Pick::Median, false, Vec::new())
    }

    /// [`median`](Self::median) of the values that are not NaN (`np.nanmedian`).
    pub fn nanmedian(&self) -> Result<ChunkedArray<f64>> {
        self.select_ranks("nanmedian", Pick::Median, true, Vec::new())
    }

    /// A selection over `axes` (all of them, or one: each lane along it), with `keepdims`:
    /// the one form the quantile functions take their axes and options in.
    fn pick_with(
        &self,
        op: &str,
        pick: Pick,
        nan: bool,
        qs: Option<usize>,
        axes: crate::Axes,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        let keepdims = opts.without_ddof(op)?;
        let resolved = axes.resolve(op, self.shape())?;
        let lead = usize::from(qs.is_some());
        if resolved.len() == self.ndim() {
            let shape = qs.map(|n| vec![n]).unwrap_or_default();
            let r = self.select_ranks(op, pick, nan, shape)?;
            if !keepdims {
                return Ok(r);
            }
            let mut kept = r.shape().to_vec();
            kept.extend(std::iter::repeat_n(1, self.ndim()));
            return r.reshape(kept);
        }
        let [axis] = resolved[..] else {
            return Err(Error::InvalidAxes {
                op: op.into(),
                axes: resolved.iter().map(|&a| a as isize).collect(),
                shape: self.shape().to_vec(),
                reason: "a quantile takes one axis, or all of them".into(),
            });
        };
        let r = self.select_lanes(op, axis as isize, pick, nan, qs.is_some())?;
        if keepdims {
            return r.expand_dims((axis + lead) as isize);
        }
        Ok(r)
    }

    /// The `q`-quantile over `axes` (all, or one: `np.quantile(x, q, axis, keepdims=...)`),
    /// as [`quantile`](Self::quantile) and [`quantile_axis`](Self::quantile_axis) compute it.
    ///
    /// ```
    /// use chunkwise::ReduceOptions;
    /// let x = chunkwise::arange(12).reshape([3, 4])?.rechunk([2, 2])?;
    /// let q = x.quantile_with(0.5, 0, ReduceOptions::default().keepdims(true))?;
    /// assert_eq!(q.shape(), &[1, 4]);
    /// assert_eq!(q.compute()?.into_raw_vec_and_offset().0, vec![4.0, 5.0, 6.0, 7.0]);
    /// assert_eq!(x.quantile_with(0.5, None, ReduceOptions::default())?.item()?, 5.5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn quantile_with(
        &self,
        q: f64,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantile_with", &[q])?;
        let pick = Pick::Quantiles(vec![q]);
        self.pick_with("quantile_with", pick, false, None, axes.into(), opts)
    }

    /// The quantiles at each of `qs` over `axes`: shape `[qs.len()]` followed by the reduced
    /// shape, as NumPy's `np.quantile(x, qs, axis)`.
    pub fn quantiles_with(
        &self,
        qs: &[f64],
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantiles_with", qs)?;
        let pick = Pick::Quantiles(qs.to_vec());
        let n = Some(qs.len());
        self.pick_with("quantiles_with", pick, false, n, axes.into(), opts)
    }

    /// [`quantile_with`](Self::quantile_with) of the values that are not NaN.
    pub fn nanquantile_with(
        &self,
        q: f64,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        quantiles_arg("nanquantile_with", &[q])?;
        let pick = Pick::Quantiles(vec![q]);
        self.pick_with("nanquantile_with", pick, true, None, axes.into(), opts)
    }

    /// The `p`-th percentile over `axes` (`np.percentile(x, p, axis, keepdims=...)`).
    pub fn percentile_with(
        &self,
        p: f64,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        let q = percentiles_arg("percentile_with", &[p])?;
        self.pick_with(
            "percentile_with",
            Pick::Quantiles(q),
            false,
            None,
            axes.into(),
            opts,
        )
    }

    /// The `p`-th percentile of the values that are not NaN over `axes`.
    pub fn nanpercentile_with(
        &self,
        p: f64,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        let q = percentiles_arg("nanpercentile_with", &[p])?;
        self.pick_with(
            "nanpercentile_with",
            Pick::Quantiles(q),
            true,
            None,
            axes.into(),
            opts,
        )
    }

    /// The median over `axes` (`np.median(x, axis, keepdims=...)`).
    ///
    /// ```
    /// use chunkwise::ReduceOptions;
    /// let x = chunkwise::from_array(ndarray::array![[1.0, 9.0, 2.0], [4.0, 3.0, 8.0]], [1, 2])?;
    /// let m = x.median_with(1, ReduceOptions::default())?;
    /// assert_eq!(m.compute()?.into_raw_vec_and_offset().0, vec![2.0, 4.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn median_with(
        &self,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        self.pick_with("median_with", Pick::Median, false, None, axes.into(), opts)
    }

    /// The median of the values that are not NaN over `axes` (`np.nanmedian`).
    pub fn nanmedian_with(
        &self,
        axes: impl Into<crate::Axes>,
        opts: crate::ReduceOptions,
    ) -> Result<ChunkedArray<f64>> {
        self.pick_with(
            "nanmedian_with",
            Pick::Median,
            true,
            None,
            axes.into(),
            opts,
        )
    }

    /// [`quantile`](Self::quantile) of each lane along `axis` (`np.quantile(x, q, axis)`):
    /// the input's shape without `axis`. The axis is made one chunk (other axes' chunks shrink
    /// to keep blocks about the input chunks' size) and each lane is selected in place.
    ///
    /// ```
    /// let x = chunkwise::arange(12).reshape([3, 4])?.rechunk([2, 2])?;
    /// let q = x.quantile_with(0.5, 0, chunkwise::ReduceOptions::default())?.compute()?;
    /// assert_eq!(q.as_slice().unwrap(), &[4.0, 5.0, 6.0, 7.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[deprecated(since = "0.2.0", note = "use `quantile_with(.., axes, ReduceOptions)`")]
    pub fn quantile_axis(&self, q: f64, axis: isize) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantile_axis", &[q])?;
        self.select_lanes(
            "quantile_axis",
            axis,
            Pick::Quantiles(vec![q]),
            false,
            false,
        )
    }

    /// [`quantile_axis`](Self::quantile_axis) at each of `qs`: shape `[qs.len()]` followed by
    /// the input's shape without `axis`, as NumPy's.
    #[deprecated(
        since = "0.2.0",
        note = "use `quantiles_with(.., axes, ReduceOptions)`"
    )]
    pub fn quantiles_axis(&self, qs: &[f64], axis: isize) -> Result<ChunkedArray<f64>> {
        quantiles_arg("quantiles_axis", qs)?;
        self.select_lanes(
            "quantiles_axis",
            axis,
            Pick::Quantiles(qs.to_vec()),
            false,
            true,
        )
    }

    /// [`quantile_axis`](Self::quantile_axis) of the values that are not NaN.
    #[deprecated(
        since = "0.2.0",
        note = "use `nanquantile_with(.., axes, ReduceOptions)`"
    )]
    pub fn nanquantile_axis(&self, q: f64, axis: isize) -> Result<ChunkedArray<f64>> {
        quantiles_arg("nanquantile_axis", &[q])?;
        self.select_lanes(
            "nanquantile_axis",
            axis,
            Pick::Quantiles(vec![q]),
            true,
            false,
        )
    }

    /// [`percentile`](Self::percentile) of each lane along `axis`.
    #[deprecated(
        since = "0.2.0",
        note = "use `percentile_with(.., axes, ReduceOptions)`"
    )]
    pub fn percentile_axis(&self, p: f64, axis: isize) -> Result<ChunkedArray<f64>> {
        let q = percentiles_arg("percentile_axis", &[p])?;
        self.select_lanes("percentile_axis", axis, Pick::Quantiles(q), false, false)
    }

    /// [`median`](Self::median) of each lane along `axis` (`np.median(x, axis)`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[1.0, 9.0, 2.0], [4.0, 3.0, 8.0]], [1, 2])?;
    /// let m = x.median_with(1, chunkwise::ReduceOptions::default())?;
    /// assert_eq!(m.compute()?.as_slice().unwrap(), &[2.0, 4.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[deprecated(since = "0.2.0", note = "use `median_with(.., axes, ReduceOptions)`")]
    pub fn median_axis(&self, axis: isize) -> Result<ChunkedArray<f64>> {
        self.select_lanes("median_axis", axis, Pick::Median, false, false)
    }

    /// [`median_axis`](Self::median_axis) of the values that are not NaN.
    #[deprecated(
        since = "0.2.0",
        note = "use `nanmedian_with(.., axes, ReduceOptions)`"
    )]
    pub fn nanmedian_axis(&self, axis: isize) -> Result<ChunkedArray<f64>> {
        self.select_lanes("nanmedian_axis", axis, Pick::Median, true, false)
    }

    /// Counts of the values in `bins` equal bins over `range` (`np.histogram(x, bins,
    /// range)`), and the `bins + 1` edges. Bins are half-open but the last, which holds its
    /// right edge; values outside the range and NaNs are not counted; a value is binned by
    /// NumPy's rule (so a value within an ulp of an edge lands where NumPy puts it). Values
    /// are compared as `f64` (NumPy uses `f32` edges for `f32` input). A range of zero width
    /// is widened by 0.5 each side, as NumPy does. The range is required, as in Dask (NumPy's
    /// default, the data's min and max, would cost a pass of its own: pass
    /// `(x.min().item()?, x.max().item()?)` for it).
    ///
    /// Errors: no bins, a range that is not finite or not increasing, more bins than the
    /// range can hold distinct edges for, or more than can be allocated
    /// ([`Error::TooLarge`]).
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// let (counts, edges) = x.histogram(4, (0.0, 8.0))?;
    /// assert_eq!(counts.compute()?.as_slice().unwrap(), &[2, 2, 2, 3]);
    /// assert_eq!(edges.compute()?.as_slice().unwrap(), &[0.0, 2.0, 4.0, 6.0, 8.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram(
        &self,
        bins: usize,
        range: (f64, f64),
    ) -> Result<(ChunkedArray<i64>, ChunkedArray<f64>)> {
        let h = equal_bins(bins, range)?;
        let name = format!("histogram(bins={bins}, range=({}, {}))", h.first, h.last);
        self.bin_counts(h, name)
    }

    /// Counts of the values in the bins between `edges` (`np.histogram(x, bins=edges)`), and
    /// the edges: bins are half-open but the last, which holds its right edge; values outside
    /// the edges and NaNs are not counted. Values are compared as `f64`. Edges may be infinite
    /// (`[-inf, 0, inf]`); one edge makes no bins.
    ///
    /// Errors: no edges, a NaN edge, or edges that decrease.
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// let (counts, edges) = x.histogram_edges(&[0.0, 1.0, 5.0, 9.0])?;
    /// assert_eq!(counts.compute()?.as_slice().unwrap(), &[1, 4, 5]);
    /// assert_eq!(edges.compute()?.as_slice().unwrap(), &[0.0, 1.0, 5.0, 9.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_edges(&self, edges: &[f64]) -> Result<(ChunkedArray<i64>, ChunkedArray<f64>)> {
        let h = given_bins(edges)?;
        let name = format!("histogram(bins of {} edges)", edges.len());
        self.bin_counts(h, name)
    }

    /// The sums of `weights` in `bins` equal bins over `range` (`np.histogram(x, bins, range,
    /// weights=w)`), and the edges: a value is binned as by [`histogram`](Self::histogram),
    /// and its weight added to its bin. `weights` has the array's shape (as NumPy asks). Each
    /// bin's sum is exact, rounded once (see the crate's determinism docs): the same bits at
    /// any chunking, workers and ranks. A NaN weight makes its bin NaN, as NumPy's equal bins
    /// do. A bin's partial takes about 300 bytes (a count's 8): mind very many bins.
    ///
    /// Errors: those of [`histogram`](Self::histogram), and weights of another shape
    /// ([`Error::ShapeMismatch`]).
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// let w = chunkwise::from_array(ndarray::Array1::from_elem(10, 0.5), 3)?;
    /// let (sums, edges) = x.histogram_weighted(&w, 4, (0.0, 8.0))?;
    /// assert_eq!(sums.compute()?.as_slice().unwrap(), &[1.0, 1.0, 1.0, 1.5]);
    /// assert_eq!(edges.shape(), &[5]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_weighted(
        &self,
        weights: &ChunkedArray<f64>,
        bins: usize,
        range: (f64, f64),
    ) -> Result<(ChunkedArray<f64>, ChunkedArray<f64>)> {
        let h = equal_bins(bins, range)?;
        let name = format!(
            "histogram(bins={bins}, range=({}, {}), weights)",
            h.first, h.last
        );
        self.bin_weights(weights, h, name)
    }

    /// The sums of `weights` in the bins between `edges` (`np.histogram(x, bins=edges,
    /// weights=w)`): [`histogram_edges`](Self::histogram_edges)'s bins, summed as by
    /// [`histogram_weighted`](Self::histogram_weighted).
    ///
    /// ```
    /// let x = chunkwise::arange(10).rechunk(4)?;
    /// let w = chunkwise::arange(10).cast::<f64>();
    /// let (sums, _) = x.histogram_edges_weighted(&w, &[0.0, 1.0, 5.0, 9.0])?;
    /// assert_eq!(sums.compute()?.as_slice().unwrap(), &[0.0, 10.0, 35.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_edges_weighted(
        &self,
        weights: &ChunkedArray<f64>,
        edges: &[f64],
    ) -> Result<(ChunkedArray<f64>, ChunkedArray<f64>)> {
        let h = given_bins(edges)?;
        let name = format!("histogram(bins of {} edges, weights)", edges.len());
        self.bin_weights(weights, h, name)
    }

    /// The counts in the bins of `h`, and its edges.
    fn bin_counts(
        &self,
        h: Histogram,
        name: String,
    ) -> Result<(ChunkedArray<i64>, ChunkedArray<f64>)> {
        let edges = histogram_edges_array(&h)?;
        let x: ChunkedArray<f64> = retype(self, |v: T| v.n_to_f64());
        let bins = h.edges.len() - 1;
        let counts = Aggregate::new(name, x.expr().clone(), Vec::new(), h, vec![bins]);
        Ok((ChunkedArray::from_expr(Arc::new(counts)), edges))
    }

    /// The sums of `weights` in the bins of `h`, and its edges: the values and weights as
    /// pairs along a last axis of extent 2, folded by [`WeightedHistogram`].
    fn bin_weights(
        &self,
        weights: &ChunkedArray<f64>,
        h: Histogram,
        name: String,
    ) -> Result<(ChunkedArray<f64>, ChunkedArray<f64>)> {
        if weights.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: format!("histogram of shape {:?}: weights", self.shape()),
                expected: self.shape().to_vec(),
                got: weights.shape().to_vec(),
            });
        }
        let edges = histogram_edges_array(&h)?;
        let x: ChunkedArray<f64> = retype(self, |v: T| v.n_to_f64());
        let mut axes = x.chunks().axes().to_vec();
        axes.push(AxisChunks::single(2));
        let pairs = super::stack(&[x, weights.clone()], -1)?.rechunk(Chunks::from_axes(axes))?;
        let bins = h.edges.len() - 1;
        let agg = WeightedHistogram(h);
        let sums = Aggregate::new(name, pairs.expr().clone(), Vec::new(), agg, vec![bins]);
        Ok((ChunkedArray::from_expr(Arc::new(sums)), edges))
    }

    fn top(&self, op: &str, k: isize, positions: bool) -> Result<ChunkedArray<i64>> {
        let want = k.unsigned_abs();
        if k == 0 || want > self.len() {
            return Err(invalid(
                op,
                "k",
                k,
                &format!(
                    "must be nonzero and at most the {} values of shape {:?} in magnitude",
                    self.len(),
                    self.shape()
                ),
            ));
        }
        let agg = TopK::<T> {
            shape: self.shape().to_vec(),
            k,
            positions,
            _t: PhantomData,
        };
        let name = format!("{op}(k={k})");
        let node = Aggregate::new(name, self.expr().clone(), Vec::new(), agg, vec![want]);
        Ok(ChunkedArray::from_expr(Arc::new(node)))
    }

    /// The best `|k|` of each lane along `axis`: their positions along it, or with `positions`
    /// false their values' order keys; the axis of extent `|k|`.
    fn top_lanes(
        &self,
        op: &str,
        k: isize,
        axis: isize,
        positions: bool,
    ) -> Result<ChunkedArray<i64>> {
        let axis = self.axis_arg(op, axis)?[0];
        let want = k.unsigned_abs();
        let lane = self.shape()[axis];
        if k == 0 || want > lane {
            return Err(invalid(
                op,
                "k",
                k,
                &format!(
                    "must be nonzero and at most the {lane} values along axis {axis} in magnitude"
                ),
            ));
        }
        let top = TopK::<T> {
            shape: Vec::new(),
            k,
            positions,
            _t: PhantomData,
        };
        let mut block_shape = vec![None; self.ndim()];
        block_shape[axis] = Some(want);
        let spec = BlockSpec {
            block_shape,
            ..Default::default()
        };
        self.whole_along(axis)?
            .map_blocks_with(&spec, move |block: ArrayViewD<'_, T>| {
                let mut shape = block.shape().to_vec();
                shape[axis] = want;
                let mut out = ArrayD::<i64>::zeros(IxDyn(&shape));
                let mut best = Vec::with_capacity(block.shape()[axis]);
                for (lane, mut o) in block
                    .lanes(Axis(axis))
                    .into_iter()
                    .zip(out.lanes_mut(Axis(axis)))
                {
                    best.clear();
                    best.extend(
                        lane.iter()
                            .enumerate()
                            .map(|(i, &v)| top.candidate(v, i as u64)),
                    );
                    top.trim(&mut best);
                    for (o, c) in o.iter_mut().zip(&best) {
                        *o = top.output(c);
                    }
                }
                out
            })
    }

    /// [`topk`](Self::topk) of each lane along `axis` (Dask's `topk(x, k, axis)`): the axis
    /// becomes `|k|` long, best first. The axis is made one chunk (other axes' chunks shrink).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[5, 1, 9], [3, 7, 2]], 1)?;
    /// let t = x.topk_axis(2, 1)?.compute()?;
    /// assert_eq!(t, ndarray::array![[9, 5], [7, 3]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn topk_axis(&self, k: isize, axis: isize) -> Result<ChunkedArray<T>> {
        let keys = self.top_lanes("topk_axis", k, axis, false)?;
        Ok(keys.map_to("topk", |key: i64| T::from_order_key(key as u64)))
    }

    /// The positions along `axis` of [`topk_axis`](Self::topk_axis)'s values (Dask's
    /// `argtopk(x, k, axis)`).
    pub fn argtopk_axis(&self, k: isize, axis: isize) -> Result<ChunkedArray<i64>> {
        self.top_lanes("argtopk_axis", k, axis, true)
    }

    /// The `k` largest values, largest first, or for negative `k` the `|k|` smallest, smallest
    /// first (Dask's `topk` of the flattened array, C order; NaN counts as the largest, as in
    /// NumPy's sort). One pass; memory `O(|k|)` per worker.
    ///
    /// Errors: `k == 0` or `|k|` larger than the array.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![5, 1, 9, 3, 7], 2)?;
    /// assert_eq!(x.topk(2)?.compute()?.as_slice().unwrap(), &[9, 7]);
    /// assert_eq!(x.topk(-2)?.compute()?.as_slice().unwrap(), &[1, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn topk(&self, k: isize) -> Result<ChunkedArray<T>> {
        let keys = self.top("topk", k, false)?;
        Ok(keys.map_to("topk", |key: i64| T::from_order_key(key as u64)))
    }

    /// The C-order positions (into the flattened array) of [`topk`](Self::topk)'s values, in
    /// its order; equal values in order of position (Dask's `argtopk`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![5, 1, 9, 3, 7], 2)?;
    /// assert_eq!(x.argtopk(2)?.compute()?.as_slice().unwrap(), &[2, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn argtopk(&self, k: isize) -> Result<ChunkedArray<i64>> {
        self.top("argtopk", k, true)
    }
}

/// The bins of `np.histogram(x, bins, range)`, checked (see [`ChunkedArray::histogram`]).
fn equal_bins(bins: usize, range: (f64, f64)) -> Result<Histogram> {
    let op = "histogram";
    if bins == 0 {
        return Err(invalid(op, "bins", bins, "must be at least 1"));
    }
    let (mut first, mut last) = range;
    let shown = format!("({first}, {last})");
    if !(first.is_finite() && last.is_finite()) {
        return Err(invalid(op, "range", shown, "must be finite"));
    }
    if first > last {
        return Err(invalid(op, "range", shown, "max must be larger than min"));
    }
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let h = Histogram::new(first, last, bins)?;
    if h.edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(invalid(
            op,
            "bins",
            bins,
            "too many bins for the range: the edges are not distinct",
        ));
    }
    Ok(h)
}

/// The bins of `np.histogram(x, bins=edges)`, checked (see
/// [`ChunkedArray::histogram_edges`]).
fn given_bins(edges: &[f64]) -> Result<Histogram> {
    let op = "histogram";
    let shown = || format!("{edges:?}");
    if edges.is_empty() {
        return Err(invalid(op, "bins", shown(), "needs at least one edge"));
    }
    if edges.iter().any(|e| e.is_nan()) {
        return Err(invalid(op, "bins", shown(), "edges must not be NaN"));
    }
    if edges.windows(2).any(|w| w[0] > w[1]) {
        return Err(invalid(
            op,
            "bins",
            shown(),
            "edges must increase monotonically",
        ));
    }
    Ok(Histogram::from_edges(edges.to_vec()))
}

/// A histogram's edges as a (small, one-chunk) array.
fn histogram_edges_array(h: &Histogram) -> Result<ChunkedArray<f64>> {
    let e = ndarray::Array1::from(h.edges.clone());
    let n = e.len();
    crate::graph::source::from_array(e, n.max(1)).map(ChunkedArray::from_expr)
}
