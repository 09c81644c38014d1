//! Functional assignment (NumPy's `x[index] = value`, the array API's `__setitem__`): a new
//! lazy array that is `value` where the index selects and `self` elsewhere, as a `where` over
//! the old node. Nothing is written in place; the value is moved to the selected positions by
//! a gather along each indexed axis.

use ndarray::{Array1, ArrayD, Axis, IxDyn, Slice, SliceInfoElem};

use super::{where_dyn, DynArray, DynOperand, DynScalar};
use crate::element::DType;
use crate::error::{Error, Result};

/// The positions one index entry selects along an axis of extent `n`, in the order the
/// selection lists them (a negative step lists them backwards).
fn positions(entry: &SliceInfoElem, n: usize) -> Vec<usize> {
    let all = Array1::from_iter(0..n);
    match *entry {
        SliceInfoElem::Index(i) => {
            let i = if i < 0 { i + n as isize } else { i };
            vec![i as usize]
        }
        SliceInfoElem::Slice { start, end, step } => {
            // Bounds clamped into the axis first (ndarray's slicing panics past them, where
            // the index check let them through as an empty selection).
            let clamp = |i: isize| {
                let i = if i < 0 { i + n as isize } else { i };
                i.clamp(0, n as isize)
            };
            let (s, e) = (clamp(start), clamp(end.unwrap_or(n as isize)));
            if s >= e {
                return Vec::new();
            }
            let range = Slice {
                start: s,
                end: Some(e),
                step,
            };
            all.slice_axis(Axis(0), range).to_vec()
        }
        SliceInfoElem::NewAxis => unreachable!("new axes select no axis of the array"),
    }
}

/// `value` (a number or an array) as an array of `dtype` (NumPy casts the value to the
/// array's dtype in an assignment).
fn value_array(value: DynOperand, dtype: DType) -> DynArray {
    let scalar = |s: DynScalar| DynArray::full(Vec::<usize>::new(), s.astype(dtype));
    match value {
        DynOperand::Array(a) => a.astype(dtype),
        DynOperand::Scalar(s) => scalar(s),
        DynOperand::Bool(b) => scalar(DynScalar::Bool(b)),
        DynOperand::Float(f) => scalar(DynScalar::F64(f)),
        DynOperand::Int(v) => scalar(match i64::try_from(v) {
            Ok(i) => DynScalar::I64(i),
            Err(_) => DynScalar::U64(v as u64),
        }),
    }
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
        let value = value_array(value, d).broadcast_to(region.shape().to_vec())?;
        // Per axis of `self`: the positions selected, and whether an integer took the axis.
        let mut selected: Vec<(Vec<usize>, bool)> = Vec::with_capacity(self.ndim());
        let mut aligned: Vec<usize> = Vec::with_capacity(self.ndim());
        for entry in index {
            if let SliceInfoElem::NewAxis = entry {
                continue;
            }
            let n = self.shape()[selected.len()];
            let p = positions(entry, n);
            let integer = matches!(entry, SliceInfoElem::Index(_));
            aligned.push(if integer { 1 } else { p.len() });
            selected.push((p, integer));
        }
        while selected.len() < self.ndim() {
            let n = self.shape()[selected.len()];
            aligned.push(n);
            selected.push(((0..n).collect(), false));
        }
        if aligned.contains(&0) {
            // An empty selection assigns nothing.
            return Ok(self.clone());
        }
        // The value with one axis per axis of `self` (new axes dropped, integer axes kept as
        // length 1), then gathered so that element `p_j` of each axis holds the value's `j`.
        let mut spread = value.reshape(aligned)?;
        let mut mask: Option<DynArray> = None;
        for (axis, (p, integer)) in selected.iter().enumerate() {
            let n = self.shape()[axis];
            if !integer && p.len() == n && p.iter().enumerate().all(|(i, &q)| i == q) {
                continue;
            }
            let mut from = vec![0i64; n];
            let mut on = vec![false; n];
            for (j, &q) in p.iter().enumerate() {
                from[q] = j as i64;
                on[q] = true;
            }
            spread = spread.take(&from, axis as isize)?;
            let mut shape = vec![1usize; self.ndim()];
            shape[axis] = n;
            let on = ArrayD::from_shape_vec(IxDyn(&shape), on).expect("one flag per element");
            let on = DynArray::from(crate::from_array(on, shape)?);
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
        if mask.dtype() != DType::Bool || mask.shape() != self.shape() {
            return Err(Error::ShapeMismatch {
                op: format!("{} (a bool mask of the same shape)", op()),
                got: mask.shape().to_vec(),
                expected: self.shape().to_vec(),
            });
        }
        let value = value_array(value, self.dtype());
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
