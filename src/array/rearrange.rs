//! NumPy's rearranging functions, each a few lines over the movement primitives (slice with
//! steps, permute, reshape, broadcast, concatenate) and `where_`: no data moves until a task
//! asks for a region, and every one is lazy at any size.

use ndarray::SliceInfoElem;

use super::movement::{concatenate, PadMode};
use super::ChunkedArray;
use crate::chunks::{normalize_axis, normalize_index};
use crate::element::Element;
use crate::error::{Error, Result};

/// A slice along one axis of an `ndim`-d array, the other axes whole.
pub(crate) fn along(
    ndim: usize,
    axis: usize,
    start: isize,
    end: Option<isize>,
    step: isize,
) -> Vec<SliceInfoElem> {
    (0..ndim)
        .map(|d| {
            if d == axis {
                SliceInfoElem::Slice { start, end, step }
            } else {
                SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                }
            }
        })
        .collect()
}

/// ## Rearranging
impl<T: Element> ChunkedArray<T> {
    /// The elements in C order as a 1-d array (NumPy's `ravel` and `flatten`; here neither
    /// copies).
    pub fn ravel(&self) -> Self {
        self.reshape([self.len()])
            .expect("the same number of elements")
    }

    /// [`ravel`](Self::ravel).
    pub fn flatten(&self) -> Self {
        self.ravel()
    }

    /// The order of the elements along `axis` reversed (NumPy's `flip`).
    ///
    /// ```
    /// let x = chunkwise::arange(5).rechunk(2)?.flip(0)?.compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[4, 3, 2, 1, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn flip(&self, axis: isize) -> Result<Self> {
        let a = normalize_axis("flip", axis, self.shape())?;
        self.slice(along(self.ndim(), a, 0, None, -1))
    }

    /// Axes `a` and `b` exchanged (NumPy's `swapaxes`).
    pub fn swapaxes(&self, a: isize, b: isize) -> Result<Self> {
        let a = normalize_axis("swapaxes", a, self.shape())?;
        let b = normalize_axis("swapaxes", b, self.shape())?;
        let mut axes: Vec<isize> = (0..self.ndim() as isize).collect();
        axes.swap(a, b);
        self.permute(axes)
    }

    /// Axis `source` moved to position `destination`, the others in order (NumPy's
    /// `moveaxis`).
    pub fn moveaxis(&self, source: isize, destination: isize) -> Result<Self> {
        let s = normalize_axis("moveaxis", source, self.shape())?;
        let d = normalize_axis("moveaxis", destination, self.shape())?;
        let mut axes: Vec<isize> = (0..self.ndim() as isize)
            .filter(|&i| i != s as isize)
            .collect();
        axes.insert(d, s as isize);
        self.permute(axes)
    }

    /// The elements shifted by `shift` along `axis`, those past the end coming back at the
    /// start (NumPy's `roll` with an axis).
    ///
    /// ```
    /// let x = chunkwise::arange(5).roll(2, 0)?.compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[3, 4, 0, 1, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn roll(&self, shift: isize, axis: isize) -> Result<Self> {
        let a = normalize_axis("roll", axis, self.shape())?;
        let n = self.shape()[a];
        if n == 0 {
            return Ok(self.clone());
        }
        let s = shift.rem_euclid(n as isize) as usize;
        if s == 0 {
            return Ok(self.clone());
        }
        let cut = (n - s) as isize;
        let tail = self.slice(along(self.ndim(), a, cut, None, 1))?;
        let head = self.slice(along(self.ndim(), a, 0, Some(cut), 1))?;
        concatenate(&[tail, head], a as isize)
    }

    /// The array repeated `reps[d]` times along each axis `d` (NumPy's `tile`; `reps` may be
    /// longer than the rank, adding leading axes, or shorter, repeating the trailing axes).
    pub fn tile(&self, reps: &[usize]) -> Result<Self> {
        let nd = self.ndim().max(reps.len());
        let mut x = self.clone();
        while x.ndim() < nd {
            x = x.expand_dims(0)?;
        }
        let reps: Vec<usize> = std::iter::repeat_n(1, nd - reps.len())
            .chain(reps.iter().copied())
            .collect();
        // Each axis: whole copies of the array along it.
        for (d, &r) in reps.iter().enumerate() {
            if r != 1 {
                x = x.repeat_along("tile", d, r, true)?;
            }
        }
        Ok(x)
    }

    /// Each element repeated `repeats` times along `axis`, neighbours together (NumPy's
    /// `repeat` with an axis): an axis of extent `repeats` broadcast in after `axis`, then
    /// merged.
    ///
    /// ```
    /// let x = chunkwise::arange(3).repeat(2, 0)?.compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[0, 0, 1, 1, 2, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn repeat(&self, repeats: usize, axis: isize) -> Result<Self> {
        let a = normalize_axis("repeat", axis, self.shape())?;
        self.repeat_along("repeat", a, repeats, false)
    }

    /// `r` copies along `axis` without copying: an axis of extent `r` broadcast in, then merged
    /// with `axis` (O(1) nodes whatever `r`). Inserted before `axis`, the copies are of the
    /// whole array (`tile`); after it, of each element (`repeat`).
    fn repeat_along(&self, op: &str, axis: usize, r: usize, whole: bool) -> Result<Self> {
        let new = if whole { axis } else { axis + 1 };
        let e = self.expand_dims(new as isize)?;
        let mut wide = e.shape().to_vec();
        wide[new] = r;
        let mut merged = self.shape().to_vec();
        merged[axis] = merged[axis].checked_mul(r).ok_or_else(|| Error::TooLarge {
            op: op.into(),
            shape: self.shape().to_vec(),
            reason: format!("{r} copies overflow axis {axis}"),
        })?;
        e.broadcast_to(wide)?.reshape(merged)
    }

    /// The array with `widths[d] = (before, after)` elements added on each side of each axis,
    /// filled as `mode` says (NumPy's `pad`). `Reflect` needs `before` and `after` below the
    /// axis's extent and `Edge`/`Wrap` a non-empty axis (NumPy's own limits, except that NumPy
    /// reflects again past the extent): otherwise an [`Error::InvalidParameter`].
    ///
    /// ```
    /// use chunkwise::PadMode;
    /// let x = chunkwise::arange(4);
    /// let r = x.pad(&[(2, 1)], PadMode::Reflect)?.compute()?;
    /// assert_eq!(r.as_slice().unwrap(), &[2, 1, 0, 1, 2, 3, 2]);
    /// let c = x.pad(&[(1, 1)], PadMode::Constant(9))?.compute()?;
    /// assert_eq!(c.as_slice().unwrap(), &[9, 0, 1, 2, 3, 9]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn pad(&self, widths: &[(usize, usize)], mode: PadMode<T>) -> Result<Self> {
        let bad = |reason: String| Error::InvalidParameter {
            op: format!("pad of {}{:?}", T::DTYPE, self.shape()),
            param: "widths".into(),
            value: format!("{widths:?}"),
            reason,
        };
        if widths.len() != self.ndim() {
            return Err(bad(format!(
                "one (before, after) pair per axis: {} axes",
                self.ndim()
            )));
        }
        let mut x = self.clone();
        for (d, &(before, after)) in widths.iter().enumerate() {
            let n = x.shape()[d];
            if before == 0 && after == 0 {
                continue;
            }
            let nd = x.ndim();
            let piece = |width: usize, at_start: bool| -> Result<Option<Self>> {
                if width == 0 {
                    return Ok(None);
                }
                // Saturated: an extent past `isize::MAX` is an error its node already records;
                // the index arithmetic below must not overflow on it.
                let w = isize::try_from(width).unwrap_or(isize::MAX);
                let ni = isize::try_from(n).unwrap_or(isize::MAX);
                let p = match mode {
                    PadMode::Constant(v) => {
                        let mut shape = x.shape().to_vec();
                        shape[d] = width;
                        ChunkedArray::from_expr(crate::graph::source::full(shape, v))
                    }
                    _ if n == 0 => return Err(bad(format!("axis {d} is empty"))),
                    PadMode::Edge => {
                        let i = if at_start { 0 } else { ni - 1 };
                        let edge = x.slice(along(nd, d, i, Some(i + 1), 1))?;
                        let mut shape = x.shape().to_vec();
                        shape[d] = width;
                        edge.broadcast_to(shape)?
                    }
                    PadMode::Reflect => {
                        if width >= n {
                            return Err(bad(format!(
                                "reflect pads {width} on axis {d} of extent {n}"
                            )));
                        }
                        if at_start {
                            // x[w], x[w-1], ..., x[1]
                            x.slice(along(nd, d, 1, Some(w.saturating_add(1)), 1))?
                                .flip(d as isize)?
                        } else {
                            // x[n-2], ..., x[n-1-w]
                            x.slice(along(nd, d, (ni - 1).saturating_sub(w), Some(ni - 1), 1))?
                                .flip(d as isize)?
                        }
                    }
                    PadMode::Symmetric => {
                        if width > n {
                            return Err(bad(format!(
                                "symmetric pads {width} on axis {d} of extent {n}"
                            )));
                        }
                        let (from, to) = if at_start {
                            (0, w) // x[w-1], ..., x[0]
                        } else {
                            (ni.saturating_sub(w), ni) // x[n-1], ..., x[n-w]
                        };
                        x.slice(along(nd, d, from, Some(to), 1))?.flip(d as isize)?
                    }
                    PadMode::Wrap => {
                        if width > n {
                            return Err(bad(format!(
                                "wrap pads {width} on axis {d} of extent {n}"
                            )));
                        }
                        if at_start {
                            x.slice(along(nd, d, ni.saturating_sub(w), None, 1))?
                        } else {
                            x.slice(along(nd, d, 0, Some(w), 1))?
                        }
                    }
                };
                Ok(Some(p))
            };
            let parts: Vec<Self> = [piece(before, true)?, Some(x.clone()), piece(after, false)?]
                .into_iter()
                .flatten()
                .collect();
            x = concatenate(&parts, d as isize)?;
        }
        Ok(x)
    }

    /// The elements at `indices` along `axis` (NumPy's `take(indices, axis)`, integer-array
    /// indexing): negative indices count from the end; one out of range is an
    /// [`Error::InvalidParameter`]. Repeats and any order are allowed; runs of consecutive
    /// indices are read as one box.
    ///
    /// ```
    /// let x = chunkwise::arange(12).reshape([3, 4])?;
    /// let t = x.take(&[3, 0, -1], 1)?.compute()?;
    /// assert_eq!(t, ndarray::array![[3, 0, 3], [7, 4, 7], [11, 8, 11]].into_dyn());
    /// assert!(x.take(&[4], 1).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn take(&self, indices: &[i64], axis: isize) -> Result<Self> {
        let axis = normalize_axis("take", axis, self.shape())?;
        let n = self.shape()[axis];
        let idx = indices
            .iter()
            .map(|&i| {
                let op = || format!("take along axis {axis} of {}{:?}", T::DTYPE, self.shape());
                normalize_index(op, i, axis, n)
            })
            .collect::<Result<Vec<usize>>>()?;
        Ok(Self::from_expr(std::sync::Arc::new(
            crate::graph::movement::Take::new(self.expr().clone(), axis, idx),
        )))
    }

    /// The array in `sections` pieces of equal extent along `axis` (NumPy's `split` with a
    /// count): an error when they do not divide the axis.
    pub fn split(&self, sections: usize, axis: isize) -> Result<Vec<Self>> {
        let a = normalize_axis("split", axis, self.shape())?;
        let n = self.shape()[a];
        if sections == 0 || !n.is_multiple_of(sections) {
            return Err(Error::InvalidParameter {
                op: format!("split of {}{:?} along axis {a}", T::DTYPE, self.shape()),
                param: "sections".into(),
                value: sections.to_string(),
                reason: format!("does not divide the extent {n} into equal pieces"),
            });
        }
        self.array_split(sections, axis)
    }

    /// The array in `sections` pieces along `axis`, the first `n % sections` one element
    /// longer (NumPy's `array_split` with a count).
    ///
    /// ```
    /// let parts = chunkwise::arange(7).array_split(3, 0)?;
    /// let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    /// assert_eq!(lens, [3, 2, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn array_split(&self, sections: usize, axis: isize) -> Result<Vec<Self>> {
        let a = normalize_axis("array_split", axis, self.shape())?;
        if sections == 0 {
            return Err(Error::InvalidParameter {
                op: format!("array_split of {}{:?}", T::DTYPE, self.shape()),
                param: "sections".into(),
                value: "0".into(),
                reason: "at least one section".into(),
            });
        }
        let n = self.shape()[a];
        let (size, extra) = (n / sections, n % sections);
        let mut start = 0usize;
        (0..sections)
            .map(|i| {
                let len = size + usize::from(i < extra);
                let piece = self.slice(along(
                    self.ndim(),
                    a,
                    start as isize,
                    Some((start + len) as isize),
                    1,
                ));
                start += len;
                piece
            })
            .collect()
    }

    /// The elements on the `offset`-th diagonal of each matrix of a stack (the last two axes;
    /// NumPy's `diagonal(x, offset, -2, -1)`, `offset > 0` above the main one): `(.., k)`,
    /// empty when the offset is past the matrix. The matrices are flattened and the diagonal
    /// is their elements `i * (n + 1) + offset`, a strided slice.
    ///
    /// ```
    /// let x = chunkwise::arange(12).reshape([3, 4])?;
    /// assert_eq!(x.diagonal(1)?.compute()?.as_slice().unwrap(), &[1, 6, 11]);
    /// assert_eq!(x.diagonal(-1)?.compute()?.as_slice().unwrap(), &[4, 9]);
    /// let stack = chunkwise::arange(12).reshape([2, 2, 3])?;
    /// assert_eq!(stack.diagonal(1)?.compute()?, ndarray::array![[1, 5], [7, 11]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn diagonal(&self, offset: isize) -> Result<Self> {
        let nd = self.ndim();
        if nd < 2 {
            return Err(Error::InvalidParameter {
                op: "diagonal".into(),
                param: "array".into(),
                value: format!("shape {:?}", self.shape()),
                reason: "a 2-d array or a stack of matrices is needed".into(),
            });
        }
        let (m, n) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        // In usize: any isize offset, isize::MIN included.
        let (row0, col0) = if offset >= 0 {
            (0, offset.unsigned_abs())
        } else {
            (offset.unsigned_abs(), 0)
        };
        let len = m.saturating_sub(row0).min(n.saturating_sub(col0));
        let mut flat_shape = self.shape()[..nd - 2].to_vec();
        flat_shape.push(m.checked_mul(n).ok_or_else(|| Error::TooLarge {
            op: "diagonal".into(),
            shape: self.shape().to_vec(),
            reason: "a matrix of more elements than usize holds".into(),
        })?);
        let flat = self.reshape(flat_shape)?;
        let mut info = vec![
            SliceInfoElem::Slice {
                start: 0,
                end: None,
                step: 1,
            };
            nd - 1
        ];
        info[nd - 2] = if len == 0 {
            SliceInfoElem::Slice {
                start: 0,
                end: Some(0),
                step: 1,
            }
        } else {
            // A diagonal within the matrix: row0 < m and col0 < n, so the bounds are below
            // m * n, which fits (checked above).
            let start = row0 * n + col0;
            SliceInfoElem::Slice {
                start: start as isize,
                end: Some((start + (len - 1) * (n + 1) + 1) as isize),
                step: (n + 1) as isize,
            }
        };
        flat.slice(info)
    }

    /// The lower triangle: elements with `col - row <= k` kept, the others 0, on the last two
    /// axes (NumPy's `tril`).
    pub fn tril(&self, k: isize) -> Result<Self> {
        self.triangle("tril", k, true)
    }

    /// The upper triangle: elements with `col - row >= k` kept, the others 0 (NumPy's `triu`).
    pub fn triu(&self, k: isize) -> Result<Self> {
        self.triangle("triu", k, false)
    }

    fn triangle(&self, op: &str, k: isize, lower: bool) -> Result<Self> {
        let nd = self.ndim();
        if nd < 2 {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "array".into(),
                value: format!("shape {:?}", self.shape()),
                reason: "at least 2 axes are needed".into(),
            });
        }
        let (n, m) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        let keep = by_offset(n, m, op, true, false, move |d| {
            if lower {
                d <= k as i128
            } else {
                d >= k as i128
            }
        });
        crate::where_(&keep, self, T::ZERO)
    }
}

/// Arrays joined along their first axis after 1-d arrays become rows (NumPy's `vstack`).
pub fn vstack<T: Element>(arrays: &[ChunkedArray<T>]) -> Result<ChunkedArray<T>> {
    let rows = arrays
        .iter()
        .map(|a| {
            if a.ndim() < 2 {
                at_least(a, 2, 0)
            } else {
                Ok(a.clone())
            }
        })
        .collect::<Result<Vec<_>>>()?;
    concatenate(&rows, 0)
}

/// Arrays joined along their second axis, or along their first when the first array is 1-d
/// (NumPy's `hstack`); 0-d arrays count as 1-d arrays of one element (NumPy's `atleast_1d`).
pub fn hstack<T: Element>(arrays: &[ChunkedArray<T>]) -> Result<ChunkedArray<T>> {
    let arrays = arrays
        .iter()
        .map(|a| at_least(a, 1, 0))
        .collect::<Result<Vec<_>>>()?;
    let axis = match arrays.first() {
        Some(a) if a.ndim() == 1 => 0,
        _ => 1,
    };
    concatenate(&arrays, axis)
}

/// Arrays joined along a third axis after 1-d arrays become `(1, n, 1)` and 2-d ones
/// `(m, n, 1)` (NumPy's `dstack`).
pub fn dstack<T: Element>(arrays: &[ChunkedArray<T>]) -> Result<ChunkedArray<T>> {
    let deep = arrays
        .iter()
        .map(|a| match a.ndim() {
            0 | 1 => at_least(a, 2, 0)?.expand_dims(2),
            2 => a.expand_dims(2),
            _ => Ok(a.clone()),
        })
        .collect::<Result<Vec<_>>>()?;
    concatenate(&deep, 2)
}

/// `a` with axes of extent 1 added at `at` until it has `ndim` axes.
fn at_least<T: Element>(a: &ChunkedArray<T>, ndim: usize, at: isize) -> Result<ChunkedArray<T>> {
    let mut x = a.clone();
    while x.ndim() < ndim {
        x = x.expand_dims(at)?;
    }
    Ok(x)
}

/// Arrays assembled from a nested list of blocks (NumPy's `block` for two levels): each row
/// of `rows` is joined along the last axis, then the rows along the second to last.
pub fn block<T: Element>(rows: &[Vec<ChunkedArray<T>>]) -> Result<ChunkedArray<T>> {
    let joined = rows
        .iter()
        .map(|r| {
            let nd = r.iter().map(|a| a.ndim()).max().unwrap_or(1).max(1);
            concatenate(r, nd as isize - 1)
        })
        .collect::<Result<Vec<_>>>()?;
    // Rows of 1-d blocks are stacked as rows of a 2-d result, as NumPy's `block`.
    let joined = joined
        .iter()
        .map(|a| at_least(a, 2, 0))
        .collect::<Result<Vec<_>>>()?;
    let nd = joined.iter().map(|a| a.ndim()).max().unwrap_or(2);
    concatenate(&joined, nd as isize - 2)
}

/// An `(n, m)` array of `on` where `keep(col - row)`, `off` elsewhere: one binary node over
/// the two index sources (`eye`, `tri`, and the masks of `tril`/`triu`).
pub(crate) fn by_offset<T: Element>(
    n: usize,
    m: usize,
    name: &str,
    on: T,
    off: T,
    keep: impl Fn(i128) -> bool + Send + Sync + 'static,
) -> ChunkedArray<T> {
    let shape = [n, m];
    let rows = ChunkedArray::from_expr(crate::graph::source::axis_index(&shape, Some(0)));
    let cols = ChunkedArray::from_expr(crate::graph::source::axis_index(&shape, Some(1)));
    rows.zip_with(&cols, name, move |r: u64, c: u64| {
        if keep(c as i128 - r as i128) {
            on
        } else {
            off
        }
    })
}
