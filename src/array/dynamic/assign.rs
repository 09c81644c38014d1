//! Functional assignment (NumPy's `x[index] = value`, the array API's `__setitem__`): a new
//! lazy array that is `value` where the index selects and `self` elsewhere, as a `where` over
//! the old node. Nothing is written in place, and nothing the size of an axis is built in
//! memory: a slice selects an arithmetic progression of each axis, so the value is spread to
//! it by a repeat and two pads, and the mask is a comparison of a lazy index along the axis.

use ndarray::SliceInfoElem;

use super::{filled, weak_int_fits, where_dyn, DynArray, DynOperand, DynScalar};
use crate::element::DType;
use crate::error::{Error, Result};

/// What an index entry selects along an axis of extent `n`: positions `first`, `first +
/// stride`, ... (`count` of them, ascending), listed backwards by the index when `reversed`;
/// `integer` when an integer took the axis away.
struct Progression {
    first: usize,
    stride: usize,
    count: usize,
    reversed: bool,
    integer: bool,
}

impl Progression {
    /// The selection of `entry` (already checked by the slicing, which uses the same rules:
    /// ndarray's, where a negative step lists the range `start..end` from its end).
    fn of(entry: &SliceInfoElem, n: usize) -> Progression {
        let whole = |first, stride, count, reversed| Progression {
            first,
            stride,
            count,
            reversed,
            integer: false,
        };
        match *entry {
            SliceInfoElem::Index(i) => {
                let i = if i < 0 { i + n as isize } else { i };
                Progression {
                    integer: true,
                    ..whole(i as usize, 1, 1, false)
                }
            }
            SliceInfoElem::Slice { start, end, step } => {
                let clamp = |i: isize| {
                    let i = if i < 0 { i + n as isize } else { i };
                    i.clamp(0, n as isize) as usize
                };
                let (s, e) = (clamp(start), clamp(end.unwrap_or(n as isize)));
                let stride = step.unsigned_abs().max(1);
                if s >= e {
                    return whole(0, 1, 0, false);
                }
                let count = (e - s).div_ceil(stride);
                if step < 0 {
                    // From `e - 1` down: the lowest position is the last listed.
                    whole(e - 1 - (count - 1) * stride, stride, count, true)
                } else {
                    whole(s, stride, count, false)
                }
            }
            SliceInfoElem::NewAxis => unreachable!("new axes select no axis of the array"),
        }
    }

    /// Whether the selection is the whole axis in order (nothing to spread or mask).
    fn is_whole(&self, n: usize) -> bool {
        !self.integer && !self.reversed && self.first == 0 && self.stride == 1 && self.count == n
    }
}

/// `value` (a number or an array) as an array of `dtype` (NumPy casts the value to the array's
/// dtype in an assignment; a Python integer out of an integer dtype's range is an error, as
/// NumPy 2's `OverflowError`).
fn value_array(value: DynOperand, dtype: DType) -> Result<DynArray> {
    let scalar = |s: DynScalar| filled(Vec::new(), s.astype(dtype));
    Ok(match value {
        DynOperand::Array(a) => a.astype(dtype),
        DynOperand::Scalar(s) => scalar(s),
        DynOperand::Bool(b) => scalar(DynScalar::Bool(b)),
        DynOperand::Float(f) => scalar(DynScalar::F64(f)),
        DynOperand::Int(v) => {
            let wide = match (i64::try_from(v), u64::try_from(v)) {
                (Ok(i), _) => Some(DynScalar::I64(i)),
                (_, Ok(u)) => Some(DynScalar::U64(u)),
                _ => None,
            };
            match wide.filter(|_| weak_int_fits(dtype, v)) {
                Some(s) => scalar(s),
                None => {
                    return Err(Error::InvalidParameter {
                        op: "assign".into(),
                        param: "value".into(),
                        value: v.to_string(),
                        reason: format!("out of bounds for {dtype}"),
                    })
                }
            }
        }
    })
}

/// ## Assigning (functionally)
impl DynArray {
    /// A new array: `value` where the basic index `index` (NumPy's integers, slices and new
    /// axes, as [`DynArray::slice`] takes them) selects, `self` elsewhere, in `self`'s dtype.
    /// `value` broadcasts to the selection's shape (`self.slice(index)`'s). `self` is not
    /// changed: Python's `x[i] = v` rebinds `x` to this array.
    ///
    /// ```
    /// use chunkwise::ndarray::s;
    /// use chunkwise::{DynArray, DynOperand};
    /// let x = DynArray::from(chunkwise::arange(6).reshape([2, 3])?);
    /// let y = x.assign(s![.., 1..;-1].as_ref(), DynOperand::Int(-1))?;
    /// assert_eq!(y.compute()?.downcast::<i64>()?.into_raw_vec_and_offset().0, vec![0, -1, -1, 3, -1, -1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn assign(&self, index: &[SliceInfoElem], value: DynOperand) -> Result<DynArray> {
        // The selection's shape, and the index checked (bounds, number of axes).
        let region = self.slice(index)?;
        let d = self.dtype();
        let value = value_array(value, d)?.broadcast_to(region.shape().to_vec())?;
        // Per axis of `self`: what the index selects, and the value's extent along it (1 where
        // an integer took the axis; new axes hold no axis of `self`).
        let mut selected: Vec<Progression> = Vec::with_capacity(self.ndim());
        for entry in index {
            if !matches!(entry, SliceInfoElem::NewAxis) {
                selected.push(Progression::of(entry, self.shape()[selected.len()]));
            }
        }
        while selected.len() < self.ndim() {
            let n = self.shape()[selected.len()];
            selected.push(Progression::of(&SliceInfoElem::from(..), n));
        }
        if selected.iter().any(|p| p.count == 0) {
            // An empty selection assigns nothing.
            return Ok(self.clone());
        }
        let aligned: Vec<usize> = selected.iter().map(|p| p.count).collect();
        let mut spread = value.reshape(aligned)?;
        let mut mask: Option<DynArray> = None;
        for (axis, p) in selected.iter().enumerate() {
            let n = self.shape()[axis];
            if p.is_whole(n) {
                continue;
            }
            let a = axis as isize;
            if !p.integer {
                // Element `j` of the value to position `first + j * stride`: in ascending
                // order, `stride - 1` fillers after each, then padded to the axis.
                if p.reversed {
                    spread = spread.flip(Some(&[a]))?;
                }
                if p.stride > 1 {
                    let mut cut: Vec<SliceInfoElem> = vec![SliceInfoElem::from(..); self.ndim()];
                    cut[axis] = SliceInfoElem::from(..((p.count - 1) * p.stride + 1));
                    spread = spread.repeat(p.stride, Some(a))?.slice(cut)?;
                }
                let span = spread.shape()[axis];
                let pad = |len: usize| {
                    let mut shape = spread.shape().to_vec();
                    shape[axis] = len;
                    filled(shape, DynScalar::Bool(false).astype(d))
                };
                let mut parts = Vec::with_capacity(3);
                if p.first > 0 {
                    parts.push(pad(p.first));
                }
                parts.push(spread.clone());
                if n > p.first + span {
                    parts.push(pad(n - p.first - span));
                }
                if parts.len() > 1 {
                    spread = super::concatenate_dyn(&parts, a)?;
                }
            }
            // The mask along the axis: position i is selected when `first <= i`, `i - first`
            // is a multiple of `stride` and `i <= last`.
            let last = (p.first + (p.count - 1) * p.stride) as i64;
            let i = crate::graph::source::axis_index(&[n], Some(0));
            let i = DynArray::from(crate::ChunkedArray::from_expr(i)).astype(DType::I64);
            let offset = i.sub(p.first as i64)?;
            let on = offset
                .ge(0i64)?
                .bitand(i.le(last)?)?
                .bitand(offset.rem(p.stride as i64)?.eq(0i64)?)?;
            let mut shape = vec![1usize; self.ndim()];
            shape[axis] = n;
            let on = on.reshape(shape)?;
            mask = Some(match mask {
                None => on,
                Some(m) => m.bitand(on)?,
            });
        }
        let spread = spread.broadcast_to(self.shape().to_vec())?;
        match mask {
            None => Ok(spread),
            Some(m) => where_dyn(&m.broadcast_to(self.shape().to_vec())?, &spread, self),
        }
    }

    /// A new array: `value` (a number, or an array of one element) where the `bool` array
    /// `mask` (of `self`'s shape) is true, `self` elsewhere, in `self`'s dtype (NumPy's
    /// `x[mask] = value`).
    ///
    /// ```
    /// use chunkwise::{DynArray, DynOperand};
    /// let x = DynArray::from(chunkwise::arange(5));
    /// let y = x.assign_where(&x.gt(2i64)?, DynOperand::Int(0))?;
    /// assert_eq!(y.compute()?.downcast::<i64>()?.into_raw_vec_and_offset().0, vec![0, 1, 2, 0, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn assign_where(&self, mask: &DynArray, value: DynOperand) -> Result<DynArray> {
        let op = || format!("assign_where on shape {:?}", self.shape());
        if mask.dtype() != DType::Bool {
            return Err(super::unsupported(
                &op(),
                mask.shape(),
                &[mask.dtype()],
                "a bool mask",
            ));
        }
        if mask.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: format!("{} (a mask of the same shape)", op()),
                got: mask.shape().to_vec(),
                expected: self.shape().to_vec(),
            });
        }
        let value = value_array(value, self.dtype())?;
        if value.len() != 1 {
            return Err(Error::InvalidParameter {
                op: op(),
                param: "value".into(),
                value: format!("an array of shape {:?}", value.shape()),
                reason: "a boolean mask takes one value (the number of true elements is only \
                         known once computed)"
                    .into(),
            });
        }
        let value = value.reshape(Vec::<usize>::new())?;
        where_dyn(mask, &value.broadcast_to(self.shape().to_vec())?, self)
    }
}
