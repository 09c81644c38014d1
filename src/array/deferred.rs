//! Arrays whose size only the data tells (`x.select(&mask)`, `nonzero`, `unique`,
//! `bincount`): a [`Deferred`] array is a sizing pass and the array that pass's result sizes.
//! `compute()` runs the sizing pass, builds the sized graph, and runs it (Dask's
//! `compute_chunk_sizes`, done for the user); `explain()` shows both passes.

use std::marker::PhantomData;
use std::sync::Arc;

use ndarray::ArrayD;

use super::ChunkedArray;
use crate::element::{Element, Integer, Numeric};
use crate::error::{Error, Result};
use crate::execute::Config;
use crate::graph::aggregate::Aggregate;
use crate::graph::select::Select;
use crate::graph::source;
use crate::kernels::counts::{BinCount, ChunkCounts, Unique, UniqueOut};

/// How the sized array is made from the sizing pass's values.
type Build<T> = dyn Fn(&ArrayD<i64>) -> Result<ChunkedArray<T>> + Send + Sync;

/// The sized array `explain` plans for, made only when asked for (for a selection, every value
/// kept: the input's grid, never a list of its chunk counts).
type Planned<T> = dyn Fn() -> Result<ChunkedArray<T>> + Send + Sync;

/// An array whose shape is known only after a first pass over the data: the pass that sizes it
/// (counts of selected values per chunk, a maximum, a number of distinct values) and how the
/// array is built from that pass's result. Lazy until [`compute`](Self::compute) or
/// [`resolve`](Self::resolve); [`then`](Self::then) chains more operations onto the array before
/// it is sized.
///
/// ```
/// let x = chunkwise::arange(10).rechunk(4)?;
/// let even = x.select(&(&x % 2i64).eq(0i64))?;
/// assert_eq!(even.compute()?.as_slice().unwrap(), &[0, 2, 4, 6, 8]);
/// // More operations on the selection, still lazy; the plan shows both passes.
/// let total = even.then(|e| Ok(e.sum()));
/// assert!(total.explain()?.contains("pass 1 of 2"));
/// assert_eq!(total.compute()?.into_raw_vec_and_offset().0, vec![20]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone)]
pub struct Deferred<T: Element> {
    /// The sizing pass.
    sizes: ChunkedArray<i64>,
    /// The array `explain` plans the second pass for (before anything runs), and what it
    /// stands for.
    planned: Arc<Planned<T>>,
    bound_note: &'static str,
    build: Arc<Build<T>>,
}

impl<T: Element> Deferred<T> {
    fn new(
        sizes: ChunkedArray<i64>,
        (planned, bound_note): (Arc<Planned<T>>, &'static str),
        build: Arc<Build<T>>,
    ) -> Self {
        Deferred {
            sizes,
            planned,
            bound_note,
            build,
        }
    }

    /// A deferred array whose `explain` plans the array `build` makes from the 0-d sizing
    /// value `bound`.
    fn sized_for(
        sizes: ChunkedArray<i64>,
        (bound, note): (i64, &'static str),
        build: Arc<Build<T>>,
    ) -> Self {
        let b = build.clone();
        let planned: Arc<Planned<T>> = Arc::new(move || b(&ArrayD::from_elem(vec![], bound)));
        Deferred::new(sizes, (planned, note), build)
    }

    /// A deferred array built from a first pass's values whose sizes do not change the plan
    /// (`searchsorted`'s sorted keys): `explain` plans `build` of an empty pass result.
    pub(crate) fn from_pass(
        sizes: ChunkedArray<i64>,
        note: &'static str,
        build: Arc<Build<T>>,
    ) -> Self {
        let b = build.clone();
        let planned: Arc<Planned<T>> = Arc::new(move || b(&ArrayD::zeros(vec![0])));
        Deferred::new(sizes, (planned, note), build)
    }

    /// Runs the sizing pass with `cfg` and returns the sized array, still lazy (Dask's
    /// `compute_chunk_sizes`): its shape and chunks are known, and any operation applies.
    pub fn resolve_with(&self, cfg: &Config) -> Result<ChunkedArray<T>> {
        let sizes = self.sizes.compute_with(cfg)?;
        (self.build)(&sizes)
    }

    /// [`resolve_with`](Self::resolve_with) the default configuration.
    pub fn resolve(&self) -> Result<ChunkedArray<T>> {
        self.resolve_with(&Config::default())
    }

    /// Both passes with `cfg`: the sizing pass, then the sized array.
    pub fn compute_with(&self, cfg: &Config) -> Result<ArrayD<T>> {
        self.resolve_with(cfg)?.compute_with(cfg)
    }

    /// [`compute_with`](Self::compute_with) the default configuration.
    pub fn compute(&self) -> Result<ArrayD<T>> {
        self.compute_with(&Config::default())
    }

    /// `f` applied to the array once it is sized: more operations, still deferred.
    pub fn then<U: Element>(
        &self,
        f: impl Fn(ChunkedArray<T>) -> Result<ChunkedArray<U>> + Send + Sync + 'static,
    ) -> Deferred<U> {
        let f = Arc::new(f);
        let (build, planned) = (self.build.clone(), self.planned.clone());
        let g = f.clone();
        Deferred {
            sizes: self.sizes.clone(),
            planned: Arc::new(move || f(planned()?)),
            bound_note: self.bound_note,
            build: Arc::new(move |s| g(build(s)?)),
        }
    }

    /// The plans of both passes, without running either: the sizing pass, then the sized
    /// array's plan for a size the sizing could give (for a selection or `unique`, the
    /// largest: every value kept, every value distinct, so its memory projection is an upper
    /// bound; for `bincount`, `minlength`).
    pub fn explain(&self) -> Result<String> {
        let second = (self.planned)()?;
        Ok(format!(
            "pass 1 of 2 (sizes the result):\n{}\npass 2 of 2 (the values, sized by pass 1; \
             planned here for shape {:?}, {}):\n{}",
            self.sizes.explain()?,
            second.shape(),
            self.bound_note,
            second.explain()?
        ))
    }
}

impl<T: Element> std::fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Deferred<{}>(sized by {:?})",
            T::DTYPE,
            self.sizes.expr().meta().name
        )
    }
}

/// The sizing values as counts.
fn counts(sizes: &ArrayD<i64>) -> Vec<usize> {
    sizes.iter().map(|&c| c.max(0) as usize).collect()
}

/// `a` as 1-d, in chunks of `chunk` when given.
fn raveled<U: Element>(a: &ChunkedArray<U>, chunk: Option<usize>) -> Result<ChunkedArray<U>> {
    let r = a.ravel();
    match chunk {
        Some(c) => r.rechunk(c.min(r.len().max(1))),
        None => Ok(r),
    }
}

/// ## Sizes known only at run time
impl<T: Element> ChunkedArray<T> {
    /// The values where `mask` is true, in C order, as a 1-d array (NumPy's `x[mask]`): a
    /// counting pass finds how many each chunk keeps, then the values pass fills chunks of
    /// those sizes (a chunk per input chunk that keeps any). Arrays of several axes are
    /// selected through their C-order ravel, in chunks of about the input's largest chunk.
    ///
    /// Errors: `mask` of another shape ([`Error::ShapeMismatch`]).
    ///
    /// ```
    /// let x = chunkwise::arange(6).reshape([2, 3])?.rechunk([1, 2])?;
    /// let big = x.select(&x.gt(2i64))?.compute()?;
    /// assert_eq!(big.as_slice().unwrap(), &[3, 4, 5]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn select(&self, mask: &ChunkedArray<bool>) -> Result<Deferred<T>> {
        if mask.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: "select (the mask)".into(),
                got: mask.shape().to_vec(),
                expected: self.shape().to_vec(),
            });
        }
        let chunk = if self.ndim() == 1 {
            None
        } else {
            Some(self.chunks().max_chunk_len().max(1))
        };
        let values = raveled(self, chunk)?;
        let mask = raveled(mask, chunk)?.rechunk(values.chunks().clone())?;
        let grid = values.chunks().axis(0).clone();
        let n = grid.len();
        let count = Aggregate::new(
            format!("select: count per chunk ({n} chunks)"),
            mask.expr().clone(),
            Vec::new(),
            ChunkCounts { grid: grid.clone() },
            vec![n],
        );
        let (v, m) = (values.expr().clone(), mask.expr().clone());
        let planned: Arc<Planned<T>> = Arc::new(move || {
            Ok(ChunkedArray::from_expr(Arc::new(Select::keeping_all(
                v.clone(),
                m.clone(),
            ))))
        });
        let build: Arc<Build<T>> = Arc::new(move |sizes| {
            Ok(ChunkedArray::from_expr(Arc::new(Select::new(
                values.expr().clone(),
                mask.expr().clone(),
                &counts(sizes),
            ))))
        });
        Ok(Deferred::new(
            ChunkedArray::from_expr(Arc::new(count)),
            (planned, "the largest: every value kept"),
            build,
        ))
    }

    /// The C-order positions (into the flattened array) of the nonzero values (NumPy's
    /// `flatnonzero`), 1-d `i64`.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![0, 3, 0, 5], 3)?;
    /// assert_eq!(x.flatnonzero()?.compute()?.as_slice().unwrap(), &[1, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn flatnonzero(&self) -> Result<Deferred<i64>> {
        let pos =
            ChunkedArray::from_expr(source::arange(self.len())).reshape(self.shape().to_vec())?;
        let pos = pos.rechunk(self.chunks().clone())?;
        pos.select(&self.map_to("nonzero", |v: T| v.is_nonzero()))
    }

    /// The indices of the nonzero values, one row per value in C order (NumPy's `argwhere`):
    /// shape `(count, ndim)`, `i64`.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[0, 1], [2, 0]], 1)?;
    /// let w = x.argwhere()?.compute()?;
    /// assert_eq!(w, ndarray::array![[0, 1], [1, 0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn argwhere(&self) -> Result<Deferred<i64>> {
        let shape = self.shape().to_vec();
        Ok(self.flatnonzero()?.then(move |flat| {
            let n = flat.len();
            if shape.is_empty() {
                return Ok(ChunkedArray::from_expr(source::zeros::<i64>(vec![n, 0])));
            }
            // Index along axis d: (position / stride_d) % extent_d.
            let mut stride = 1i64;
            let mut cols = Vec::with_capacity(shape.len());
            for &e in shape.iter().rev() {
                cols.push((&flat / stride) % (e.max(1) as i64));
                stride = stride.saturating_mul(e as i64);
            }
            cols.reverse();
            crate::stack(&cols, 1)
        }))
    }

    /// The indices of the nonzero values per axis (NumPy's `nonzero`, whose tuple is the rows
    /// here): shape `(ndim, count)`, `i64`, the transpose of [`argwhere`](Self::argwhere).
    ///
    /// Errors: a 0-d array ([`Error::InvalidParameter`], as NumPy 2's `ValueError`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[0, 1], [2, 0]], 1)?;
    /// let nz = x.nonzero()?.compute()?;
    /// assert_eq!(nz, ndarray::array![[0, 1], [1, 0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn nonzero(&self) -> Result<Deferred<i64>> {
        if self.ndim() == 0 {
            // NumPy 2 raises here too: a 0-d array has no axis to give indices along.
            return Err(Error::InvalidParameter {
                op: "nonzero".into(),
                param: "array".into(),
                value: "shape []".into(),
                reason: "a 0-d array has no axes to index (NumPy 2 raises too); use \
                         expand_dims(0) or flatnonzero"
                    .into(),
            });
        }
        Ok(self.argwhere()?.then(|w| Ok(w.t())))
    }
}

impl<T: Numeric> ChunkedArray<T> {
    fn unique_pass(&self, out: UniqueOut) -> ChunkedArray<i64> {
        let shape = match out {
            UniqueOut::Len => Vec::new(),
            UniqueOut::Keys(n) | UniqueOut::Counts(n) => vec![n],
        };
        let name = match out {
            UniqueOut::Len => "unique: count distinct values",
            UniqueOut::Keys(_) => "unique: values",
            UniqueOut::Counts(_) => "unique: counts",
        };
        let agg = Unique::<T> {
            out,
            _t: PhantomData,
        };
        let node = Aggregate::new(name.into(), self.expr().clone(), Vec::new(), agg, shape);
        ChunkedArray::from_expr(Arc::new(node))
    }

    /// The distinct values, sorted (NumPy's `unique`; NaNs are one value, last, as NumPy's
    /// `equal_nan=True`): a pass counts the distinct values, a second one lists them. Memory:
    /// the distinct values (per worker and in the result), not the array.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![3, 1, 3, 2, 1], 2)?;
    /// assert_eq!(x.unique().compute()?.as_slice().unwrap(), &[1, 2, 3]);
    /// assert_eq!(x.unique_counts().compute()?.as_slice().unwrap(), &[2, 1, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn unique(&self) -> Deferred<T> {
        self.distinct(UniqueOut::Keys)
            .then(|keys| Ok(keys.map_to("unique", |k: i64| T::from_order_key(k as u64))))
    }

    /// How often each of [`unique`](Self::unique)'s values occurs, in its order (NumPy's
    /// `return_counts`).
    pub fn unique_counts(&self) -> Deferred<i64> {
        self.distinct(UniqueOut::Counts)
    }

    /// The distinct values' pass `out(n)`, sized by the pass that counts them (`n`).
    fn distinct(&self, out: fn(usize) -> UniqueOut) -> Deferred<i64> {
        let x = self.clone();
        let len = self.len() as i64;
        let build: Arc<Build<i64>> = Arc::new(move |n| Ok(x.unique_pass(out(counts(n)[0]))));
        Deferred::sized_for(
            self.unique_pass(UniqueOut::Len),
            (len, "the largest: every value distinct"),
            build,
        )
    }
}

impl<T: Integer> ChunkedArray<T> {
    /// The number of occurrences of each value `0, 1, ..` of a non-negative integer array
    /// (NumPy's `bincount`): `max(x) + 1` counts, at least `minlength`. The maximum is the
    /// sizing pass; a negative value is an [`Error::InvalidValue`] at compute.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![1, 3, 1, 0], 3)?;
    /// assert_eq!(x.bincount(0).compute()?.as_slice().unwrap(), &[1, 2, 0, 1]);
    /// assert_eq!(x.bincount(6).compute()?.as_slice().unwrap(), &[1, 2, 0, 1, 0, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn bincount(&self, minlength: usize) -> Deferred<i64> {
        let x = self.clone();
        // An empty array has no maximum: its sizing pass is a constant.
        let top = if self.is_empty() {
            ChunkedArray::from_expr(source::full(vec![], -1i64))
        } else {
            self.max().map_to("bincount: max", |v: T| {
                i64::try_from(v.n_to_i128()).unwrap_or(i64::MAX)
            })
        };
        // A maximum of 0 when `minlength` is 0: a negative one is the error of negative data.
        let below = (minlength as i64).saturating_sub(1).max(0);
        let empty = self.is_empty();
        let build: Arc<Build<i64>> = Arc::new(move |top| {
            let top = top.iter().next().copied().unwrap_or(-1);
            if top < 0 && !empty {
                // Every value is negative. Without this, `minlength` 0 would size an empty
                // result, whose pass never reads (and so never rejects) a value.
                return Err(Error::InvalidValue {
                    op: "bincount".into(),
                    reason: format!(
                        "the input holds a negative value ({top}): bincount counts values 0, 1, .."
                    ),
                });
            }
            let len = usize::try_from(top.saturating_add(1))
                .unwrap_or(0)
                .max(minlength);
            let agg = BinCount::<T> {
                len,
                _t: PhantomData,
            };
            let name = format!("bincount({len} bins)");
            let node = Aggregate::new(name, x.expr().clone(), Vec::new(), agg, vec![len]);
            Ok(ChunkedArray::from_expr(Arc::new(node)))
        });
        Deferred::sized_for(
            top,
            (below, "as if the largest value were below minlength (or 0)"),
            build,
        )
    }
}
