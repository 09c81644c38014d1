//! The rearrangements of the typed array on [`DynArray`], with the array API standard's forms
//! of their arguments (several axes at once, `None` for every axis or the flattened array):
//! `flip`, `moveaxis`, `roll`, `tile`, `repeat` (by a count or by one count per element),
//! `tril`/`triu`, `diff`, the scans with their initial value, and `broadcast_arrays`. Each is
//! the typed one per dtype; only `repeat_counts` builds something in memory (its gather's
//! indices, one per output element along the axis).

use super::{unsupported, DynArray, DynScalar};
use crate::array::Axes;
use crate::chunks::{broadcast_shapes, normalize_axis, MAX_ELEMENTS};
use crate::element::DType;
use crate::error::{Error, Result};

/// The axes into `shape`, counted from the end when negative, in the order given: each in
/// range and none repeated (checked as every op's axes are, by [`Axes::resolve`]).
fn distinct_axes(op: &str, axes: &[isize], shape: &[usize]) -> Result<Vec<usize>> {
    Axes::These(axes.to_vec()).resolve(op, shape)?;
    axes.iter().map(|&a| normalize_axis(op, a, shape)).collect()
}

/// ## Rearranging (the array API's forms)
impl DynArray {
    /// The elements in reverse order along each of `axes` (every axis when `None`), as
    /// NumPy's `flip`: a view, no data moved until computed.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::arange(6).reshape([2, 3])?);
    /// let v = x.flip(None)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(v.into_raw_vec_and_offset().0, vec![5, 4, 3, 2, 1, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn flip(&self, axes: Option<&[isize]>) -> Result<DynArray> {
        let all: Vec<isize> = (0..self.ndim() as isize).collect();
        let axes = distinct_axes("flip", axes.unwrap_or(&all), self.shape())?;
        let mut x = self.clone();
        for a in axes {
            x = each!(&x, t, T => t.flip(a as isize)?.into());
        }
        Ok(x)
    }

    /// Axes `source[i]` moved to positions `destination[i]`, the others kept in order (NumPy's
    /// `moveaxis` with sequences): a transpose.
    pub fn moveaxis(&self, source: &[isize], destination: &[isize]) -> Result<DynArray> {
        if source.len() != destination.len() {
            return Err(Error::InvalidAxes {
                op: "moveaxis".into(),
                axes: source.iter().chain(destination).copied().collect(),
                shape: self.shape().to_vec(),
                reason: format!(
                    "source {source:?} and destination {destination:?} differ in length"
                ),
            });
        }
        let src = distinct_axes("moveaxis", source, self.shape())?;
        let dst = distinct_axes("moveaxis", destination, self.shape())?;
        let mut order: Vec<usize> = (0..self.ndim()).filter(|a| !src.contains(a)).collect();
        let mut moves: Vec<(usize, usize)> = dst.into_iter().zip(src).collect();
        moves.sort_unstable();
        for (d, s) in moves {
            order.insert(d, s);
        }
        let perm: Vec<isize> = order.into_iter().map(|a| a as isize).collect();
        self.transpose(perm)
    }

    /// The elements shifted by `shifts[i]` along `axes[i]`, wrapping around (NumPy's `roll`);
    /// one shift applies to every axis given. With `axes` `None`, the flattened array is
    /// rolled by the one shift and put back in shape.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::arange(6).reshape([2, 3])?);
    /// let v = x.roll(&[1], None)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(v.into_raw_vec_and_offset().0, vec![5, 0, 1, 2, 3, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn roll(&self, shifts: &[isize], axes: Option<&[isize]>) -> Result<DynArray> {
        let bad = |reason: &str| Error::InvalidParameter {
            op: format!("roll of shape {:?}", self.shape()),
            param: "shift".into(),
            value: format!("{shifts:?} along {axes:?}"),
            reason: reason.into(),
        };
        let Some(axes) = axes else {
            let [s] = shifts else {
                return Err(bad("the flattened array takes one shift"));
            };
            let flat = self.ravel();
            let rolled = each!(&flat, t, T => t.roll(*s, 0)?.into());
            return DynArray::reshape(&rolled, self.shape().to_vec());
        };
        let shifts: Vec<isize> = match (shifts.len(), axes.len()) {
            (1, n) => vec![shifts[0]; n],
            (m, n) if m == n => shifts.to_vec(),
            _ => return Err(bad("one shift, or one per axis")),
        };
        // NumPy adds the shifts of an axis named twice.
        let mut x = self.clone();
        for (&s, &a) in shifts.iter().zip(axes) {
            normalize_axis("roll", a, self.shape())?;
            x = each!(&x, t, T => t.roll(s, a)?.into());
        }
        Ok(x)
    }

    /// The array repeated `reps[d]` times along each axis (NumPy's `tile`).
    pub fn tile(&self, reps: &[usize]) -> Result<DynArray> {
        Ok(each!(self, a, T => a.tile(reps)?.into()))
    }

    /// Each element repeated `repeats` times along `axis`, neighbours together (NumPy's
    /// `repeat`); the flattened array when `axis` is `None`.
    pub fn repeat(&self, repeats: usize, axis: Option<isize>) -> Result<DynArray> {
        let (x, axis) = match axis {
            Some(a) => (self.clone(), a),
            None => (self.ravel(), 0),
        };
        Ok(each!(&x, a, T => a.repeat(repeats, axis)?.into()))
    }

    /// Element `i` along `axis` repeated `counts[i]` times (NumPy's `repeat` with an array of
    /// counts; the flattened array when `axis` is `None`): a gather by the indices the counts
    /// spell, so the counts must be known (held in memory) and the values stay lazy.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::arange(3));
    /// let v = x.repeat_counts(&[2, 0, 3], Some(0))?.compute()?.downcast::<i64>()?;
    /// assert_eq!(v.into_raw_vec_and_offset().0, vec![0, 0, 2, 2, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn repeat_counts(&self, counts: &[usize], axis: Option<isize>) -> Result<DynArray> {
        let (x, axis) = match axis {
            Some(a) => (self.clone(), a),
            None => (self.ravel(), 0),
        };
        let a = normalize_axis("repeat", axis, x.shape())?;
        let n = x.shape()[a];
        if counts.len() != n {
            return Err(Error::InvalidParameter {
                op: format!("repeat of shape {:?} along axis {a}", x.shape()),
                param: "repeats".into(),
                value: format!("{} counts", counts.len()),
                reason: format!("one count per element ({n}) or one count"),
            });
        }
        // The output's extent, held as host indices: bounded as every extent is.
        let total = counts
            .iter()
            .try_fold(0usize, |t, &c| t.checked_add(c))
            .filter(|&t| t <= MAX_ELEMENTS)
            .ok_or_else(|| Error::TooLarge {
                op: "repeat".into(),
                shape: x.shape().to_vec(),
                reason: format!("the counts sum past {MAX_ELEMENTS} elements"),
            })?;
        let mut indices: Vec<i64> = Vec::new();
        indices
            .try_reserve_exact(total)
            .map_err(|e| Error::TooLarge {
                op: "repeat".into(),
                shape: vec![total],
                reason: format!("its {total} gather indices do not fit in memory: {e}"),
            })?;
        for (i, &c) in counts.iter().enumerate() {
            indices.extend(std::iter::repeat_n(i as i64, c));
        }
        x.take(&indices, a as isize)
    }

    /// The elements at and below the `k`-th diagonal of the last two axes, zeros above (NumPy's
    /// `tril`).
    pub fn tril(&self, k: isize) -> Result<DynArray> {
        Ok(each!(self, a, T => a.tril(k)?.into()))
    }

    /// The elements at and above the `k`-th diagonal of the last two axes, zeros below (NumPy's
    /// `triu`).
    pub fn triu(&self, k: isize) -> Result<DynArray> {
        Ok(each!(self, a, T => a.triu(k)?.into()))
    }

    /// The `n`-th differences along `axis` (NumPy's `diff`); `bool` arrays differ by
    /// inequality, as NumPy's.
    pub fn diff(&self, n: usize, axis: isize) -> Result<DynArray> {
        if self.dtype() == DType::Bool {
            // Each order: the first difference of 0/1 is -1, 0 or 1, non-zero where the
            // neighbours differ.
            let a = normalize_axis("diff", axis, self.shape())?;
            let mut x = self.clone();
            // Past the axis' extent the result stays empty: at most that many rounds.
            for _ in 0..n.min(self.shape()[a]) {
                x = x.astype(DType::I8).diff(1, axis)?.ne(0i64)?;
            }
            return Ok(x);
        }
        Ok(numeric!(self, "diff", a, T => a.diff(n, axis)?.into()))
    }

    /// Running sums along `axis` (see [`DynArray::cumsum`]), led by a 0 when
    /// `include_initial` (the array API's `cumulative_sum`: the axis grows by one).
    pub fn cumulative_sum(&self, axis: Option<isize>, include_initial: bool) -> Result<DynArray> {
        self.cumulative("cumulative_sum", axis, include_initial)
    }

    /// Running products along `axis`, led by a 1 when `include_initial` (the array API's
    /// `cumulative_prod`).
    pub fn cumulative_prod(&self, axis: Option<isize>, include_initial: bool) -> Result<DynArray> {
        self.cumulative("cumulative_prod", axis, include_initial)
    }

    fn cumulative(&self, op: &str, axis: Option<isize>, include_initial: bool) -> Result<DynArray> {
        let axis = match axis {
            Some(a) => a,
            None if self.ndim() <= 1 => 0,
            None => {
                return Err(Error::InvalidParameter {
                    op: format!("{op} of shape {:?}", self.shape()),
                    param: "axis".into(),
                    value: "None".into(),
                    reason: "an axis is needed for more than one dimension".into(),
                })
            }
        };
        let x = if self.ndim() == 0 {
            self.reshape([1])?
        } else {
            self.clone()
        };
        let sum = op == "cumulative_sum";
        let r = if sum {
            x.cumsum(axis)?
        } else {
            x.cumprod(axis)?
        };
        if !include_initial {
            return Ok(r);
        }
        let a = normalize_axis(op, axis, r.shape())?;
        let mut shape = r.shape().to_vec();
        shape[a] = 1;
        let initial = DynScalar::of(if sum { 0u8 } else { 1u8 }).astype(r.dtype());
        super::concatenate_dyn(&[super::filled(shape, initial), r], a as isize)
    }
}

/// The arrays broadcast against each other to their common shape (NumPy's
/// `broadcast_arrays`); each keeps its dtype.
///
/// ```
/// use chunkwise::DynArray;
/// let a = DynArray::from(chunkwise::arange(3));
/// let b = DynArray::from(chunkwise::arange(2).reshape([2, 1])?);
/// let out = chunkwise::broadcast_arrays(&[a, b])?;
/// assert_eq!((out[0].shape(), out[1].shape()), (&[2usize, 3][..], &[2usize, 3][..]));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn broadcast_arrays(arrays: &[DynArray]) -> Result<Vec<DynArray>> {
    let mut shape: Vec<usize> = Vec::new();
    for a in arrays {
        shape = broadcast_shapes("broadcast_arrays", &shape, a.shape())?;
    }
    arrays
        .iter()
        .map(|a| a.broadcast_to(shape.clone()))
        .collect()
}
