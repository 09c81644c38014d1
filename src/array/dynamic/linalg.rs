//! The array API's `linalg` extension on [`DynArray`]: the decompositions of stacks of
//! matrices (the typed [`ChunkedArray`] ones, an integer or `bool` array taken as `f64` as
//! NumPy's `linalg` does), and the functions built on the other primitives: `matrix_rank`,
//! `matrix_power`, `matrix_norm`, `vector_norm`, `diagonal`, `trace`, `outer` and `cross`.
//! The whole module is the `linalg` feature's (several of these use the decompositions).

use ndarray::SliceInfoElem;

use super::{concatenate_dyn, matmul_dyn, result_type, unsupported, DynArray};
use crate::array::{Axes, ChunkedArray, ReduceOptions};
use crate::chunks::normalize_axis;
use crate::element::DType;
use crate::error::{Error, Result};

/// The norm [`DynArray::matrix_norm`] computes (the array API's `ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixNorm {
    /// The Frobenius norm: the square root of the sum of squares (`'fro'`, the default).
    Frobenius,
    /// The nuclear norm: the sum of the singular values (`'nuc'`).
    Nuclear,
    /// The largest sum of absolute values of a column (`1`).
    MaxColumnSum,
    /// The smallest sum of absolute values of a column (`-1`).
    MinColumnSum,
    /// The largest sum of absolute values of a row (`inf`).
    MaxRowSum,
    /// The smallest sum of absolute values of a row (`-inf`).
    MinRowSum,
    /// The largest singular value (`2`).
    LargestSingular,
    /// The smallest singular value (`-2`).
    SmallestSingular,
}

/// The float array the decompositions take: floats as they are, anything else as `f64`.
fn as_float(x: &DynArray) -> DynArray {
    match x.dtype() {
        DType::F64 | DType::F32 => x.clone(),
        _ => x.astype(DType::F64),
    }
}

/// `op`'s error for an array of fewer than `n` axes.
fn needs_axes(op: &str, x: &DynArray, n: usize, what: &str) -> Error {
    Error::InvalidParameter {
        op: op.into(),
        param: "x".into(),
        value: format!("shape {:?}", x.shape()),
        reason: format!("needs {what} (at least {n} axes)"),
    }
}

/// The last two axes, summed with `keepdims` kept.
fn opts(keepdims: bool) -> ReduceOptions {
    ReduceOptions::default().keepdims(keepdims)
}

/// ## Linear algebra (the array API's `linalg`)
///
/// The decompositions act on the last two axes, the leading ones a stack (see the typed
/// [`ChunkedArray::cholesky`] and its neighbours for how they are computed); integer and
/// `bool` arrays are decomposed as `f64`.
impl DynArray {
    /// The Cholesky factor of each symmetric positive definite matrix: `L` (lower), or `L^T`
    /// with `upper`.
    pub fn cholesky(&self, upper: bool) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.cholesky", a, T => a.cholesky(upper)?.into()))
    }

    /// The determinant of each square matrix.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::arange(4).reshape([2, 2])?);
    /// let d = x.det()?.compute()?.downcast::<f64>()?;
    /// assert!((d[[]] + 2.0).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn det(&self) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.det", a, T => a.det()?.into()))
    }

    /// The sign and the log of the absolute value of each determinant.
    pub fn slogdet(&self) -> Result<(DynArray, DynArray)> {
        Ok(float!(as_float(self), "linalg.slogdet", a, T => {
            let (s, l) = a.slogdet()?;
            (s.into(), l.into())
        }))
    }

    /// The inverse of each square matrix (a singular one is an error at compute).
    pub fn inv(&self) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.inv", a, T => a.inv()?.into()))
    }

    /// `x` with `self @ x = b` for each square matrix of `self`, in the operands' promoted
    /// float dtype; `b` is `(.., m, k)` or `(m,)` (see [`ChunkedArray::solve`]).
    pub fn solve(&self, b: &DynArray) -> Result<DynArray> {
        let d = result_type(&[self.clone(), b.clone()])?;
        let a = as_float(&self.astype(d));
        let d = a.dtype();
        Ok(float!(a, "linalg.solve", a, T => {
            let b = b.astype(d).downcast::<T>()?;
            a.solve(&b)?.into()
        }))
    }

    /// The eigenvalues (ascending) and eigenvectors of each symmetric matrix.
    pub fn eigh(&self) -> Result<(DynArray, DynArray)> {
        Ok(float!(as_float(self), "linalg.eigh", a, T => {
            let (w, v) = a.eigh()?;
            (w.into(), v.into())
        }))
    }

    /// The eigenvalues of each symmetric matrix, ascending.
    pub fn eigvalsh(&self) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.eigvalsh", a, T => a.eigvalsh()?.into()))
    }

    /// The singular value decomposition `(U, S, Vh)` of each matrix.
    pub fn svd(&self, full_matrices: bool) -> Result<(DynArray, DynArray, DynArray)> {
        Ok(float!(as_float(self), "linalg.svd", a, T => {
            let svd = a.svd(full_matrices)?;
            (svd.u.into(), svd.s.into(), svd.vh.into())
        }))
    }

    /// The singular values of each matrix, descending.
    pub fn svdvals(&self) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.svdvals", a, T => a.svdvals()?.into()))
    }

    /// The QR decomposition `(Q, R)` of each matrix (`complete` for NumPy's `mode='complete'`).
    pub fn qr(&self, complete: bool) -> Result<(DynArray, DynArray)> {
        Ok(float!(as_float(self), "linalg.qr", a, T => {
            let (q, r) = a.qr(complete)?;
            (q.into(), r.into())
        }))
    }

    /// The pseudo-inverse of each matrix, singular values at most `rtol` times the largest
    /// cut (`None`: `max(m, n)` times the dtype's epsilon).
    pub fn pinv(&self, rtol: Option<f64>) -> Result<DynArray> {
        Ok(float!(as_float(self), "linalg.pinv", a, T => {
            let rtol = rtol.map(|r| r as T);
            a.pinv(rtol)?.into()
        }))
    }

    /// [`pinv`](Self::pinv) with a tolerance per matrix: `rtol` broadcast against the stack's
    /// shape (see [`ChunkedArray::pinv_with`]).
    pub fn pinv_with(&self, rtol: &DynArray) -> Result<DynArray> {
        let x = as_float(self);
        let d = x.dtype();
        Ok(float!(x, "linalg.pinv", a, T => {
            let r = rtol.astype(d).downcast::<T>()?;
            a.pinv_with(&r)?.into()
        }))
    }

    /// The rank of each matrix: the count of singular values above `rtol` times the largest
    /// (`None`: `max(m, n)` times the dtype's epsilon; an array broadcast against the stack),
    /// as `int64`.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![[1.0, 2.0], [2.0, 4.0]].into_dyn(), 2)?);
    /// let r = x.matrix_rank(None)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(r[[]], 1);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn matrix_rank(&self, rtol: Option<&DynArray>) -> Result<DynArray> {
        let op = "linalg.matrix_rank";
        let nd = self.ndim();
        if nd < 2 {
            return Err(needs_axes(op, self, 2, "a stack of matrices"));
        }
        let x = as_float(self);
        let (m, n) = (x.shape()[nd - 2], x.shape()[nd - 1]);
        let stack = x.shape()[..nd - 2].to_vec();
        if m.min(n) == 0 {
            return Ok(DynArray::from(ChunkedArray::from_expr(
                crate::graph::source::zeros::<i64>(stack),
            )));
        }
        let s = x.svdvals()?;
        let rtol = match rtol {
            Some(r) => r.astype(s.dtype()),
            None => float!(&x, op, _a, T => {
                let r = crate::array::decompositions::default_rtol::<T>(m, n);
                DynArray::from(ChunkedArray::from_expr(crate::graph::source::full(vec![], r)))
            }),
        };
        // Above rtol times the largest, per matrix.
        let tol = s.max_with(-1, opts(true))?.mul(&rtol.expand_dims(-1)?)?;
        s.gt(&tol)?.count_nonzero_with(-1, ReduceOptions::default())
    }

    /// Each square matrix to the integer power `n` (by repeated squaring; a negative power is
    /// of the inverse, `0` the identity), in the array's dtype (a negative power of an
    /// integer array is `f64`, the inverse's dtype).
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![[1i64, 1], [0, 1]].into_dyn(), 2)?);
    /// let p = x.matrix_power(5)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(p, ndarray::array![[1, 5], [0, 1]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn matrix_power(&self, n: i64) -> Result<DynArray> {
        let op = "linalg.matrix_power";
        let nd = self.ndim();
        if nd < 2 || self.shape()[nd - 2] != self.shape()[nd - 1] {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "x".into(),
                value: format!("shape {:?}", self.shape()),
                reason: "needs a stack of square matrices".into(),
            });
        }
        if n == 0 {
            // The identity from the graph's index source (this layer sits below `sources`,
            // whose `eye` this would be).
            let m = self.shape()[nd - 1];
            let i = DynArray::from(ChunkedArray::from_expr(crate::graph::source::arange(m)));
            let eye = i.expand_dims(-1)?.eq(&i)?.astype(self.dtype());
            return eye.broadcast_to(self.shape().to_vec());
        }
        let base = if n < 0 { self.inv()? } else { self.clone() };
        let mut power = n.unsigned_abs();
        let mut square = base;
        let mut result: Option<DynArray> = None;
        loop {
            if power & 1 == 1 {
                result = Some(match result {
                    Some(r) => matmul_dyn(&r, &square)?,
                    None => square.clone(),
                });
            }
            power >>= 1;
            if power == 0 {
                break;
            }
            square = matmul_dyn(&square, &square)?;
        }
        Ok(result.expect("a nonzero power multiplies at least once"))
    }

    /// A norm of each matrix (the last two axes), in the float dtype (`f64` for integers);
    /// with `keepdims` the two axes stay with extent 1.
    ///
    /// ```
    /// use chunkwise::{DynArray, MatrixNorm};
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![[1.0, -2.0], [3.0, 4.0]].into_dyn(), 2)?);
    /// let one = x.matrix_norm(MatrixNorm::MaxColumnSum, false)?.compute()?.downcast::<f64>()?;
    /// assert_eq!(one[[]], 6.0);
    /// let fro = x.matrix_norm(MatrixNorm::Frobenius, false)?.compute()?.downcast::<f64>()?;
    /// assert!((fro[[]] - 30f64.sqrt()).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn matrix_norm(&self, ord: MatrixNorm, keepdims: bool) -> Result<DynArray> {
        let nd = self.ndim();
        if nd < 2 {
            return Err(needs_axes(
                "linalg.matrix_norm",
                self,
                2,
                "a stack of matrices",
            ));
        }
        let x = as_float(self);
        let (rows, cols) = (nd as isize - 2, nd as isize - 1);
        let of_singular = |largest: bool| -> Result<DynArray> {
            let s = x.svdvals()?;
            let r = if largest {
                s.max_with(-1, opts(false))?
            } else {
                s.min_with(-1, opts(false))?
            };
            keep(r, keepdims)
        };
        match ord {
            MatrixNorm::Frobenius => {
                let a = x.abs()?;
                a.mul(&a)?.sum_with([rows, cols], opts(keepdims))?.sqrt()
            }
            MatrixNorm::Nuclear => keep(x.svdvals()?.sum_with(-1, opts(false))?, keepdims),
            MatrixNorm::LargestSingular => of_singular(true),
            MatrixNorm::SmallestSingular => of_singular(false),
            MatrixNorm::MaxColumnSum | MatrixNorm::MinColumnSum => {
                let sums = x.abs()?.sum_with(rows, opts(true))?;
                let r = if ord == MatrixNorm::MaxColumnSum {
                    sums.max_with(cols, opts(true))?
                } else {
                    sums.min_with(cols, opts(true))?
                };
                unkeep(r, keepdims)
            }
            MatrixNorm::MaxRowSum | MatrixNorm::MinRowSum => {
                let sums = x.abs()?.sum_with(cols, opts(true))?;
                let r = if ord == MatrixNorm::MaxRowSum {
                    sums.max_with(rows, opts(true))?
                } else {
                    sums.min_with(rows, opts(true))?
                };
                unkeep(r, keepdims)
            }
        }
    }

    /// The `ord`-norm of the vectors along `axes` (every axis by default): `inf` the largest
    /// absolute value, `-inf` the smallest, `0` the count of nonzero values, otherwise
    /// `sum(|x|^ord)^(1/ord)`; in the float dtype (`f64` for integers).
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![3.0, -4.0].into_dyn(), 2)?);
    /// let two = x.vector_norm(None, 2.0, false)?.compute()?.downcast::<f64>()?;
    /// assert_eq!(two[[]], 5.0);
    /// let inf = x.vector_norm(None, f64::INFINITY, false)?.compute()?.downcast::<f64>()?;
    /// assert_eq!(inf[[]], 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn vector_norm(&self, axes: impl Into<Axes>, ord: f64, keepdims: bool) -> Result<DynArray> {
        let axes = axes.into();
        let x = as_float(self);
        let a = x.abs()?;
        let o = opts(keepdims);
        if ord.is_nan() {
            return Err(Error::InvalidParameter {
                op: "linalg.vector_norm".into(),
                param: "ord".into(),
                value: "nan".into(),
                reason: "needs a number or an infinity".into(),
            });
        }
        if ord == f64::INFINITY {
            a.max_with(axes, o)
        } else if ord == f64::NEG_INFINITY {
            a.min_with(axes, o)
        } else if ord == 0.0 {
            Ok(x.ne(0.0)?.sum_with(axes, o)?.astype(x.dtype()))
        } else if ord == 1.0 {
            a.sum_with(axes, o)
        } else if ord == 2.0 {
            a.mul(&a)?.sum_with(axes, o)?.sqrt()
        } else {
            a.pow(ord)?.sum_with(axes, o)?.pow(1.0 / ord)
        }
    }

    /// The `offset`-th diagonal of each matrix (the last two axes), as
    /// [`ChunkedArray::diagonal`].
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::arange(12).reshape([2, 2, 3])?);
    /// let d = x.diagonal(1)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(d, ndarray::array![[1, 5], [7, 11]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn diagonal(&self, offset: isize) -> Result<DynArray> {
        Ok(each!(self, a, T => a.diagonal(offset)?.into()))
    }

    /// The sum of each matrix's `offset`-th diagonal (the stack's shape), summed as
    /// [`sum_with`](Self::sum_with) sums (integers in `i64`/`u64`), after a cast to `dtype`
    /// if given.
    pub fn trace(&self, offset: isize, dtype: Option<DType>) -> Result<DynArray> {
        let x = match dtype {
            Some(d) => self.astype(d),
            None => self.clone(),
        };
        let s = x.diagonal(offset)?.sum_with(-1, ReduceOptions::default())?;
        Ok(match dtype {
            Some(d) => s.astype(d),
            None => s,
        })
    }

    /// The outer product of two 1-d arrays, `(n, m)`, in their promoted dtype.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let a = DynArray::from(chunkwise::arange(3));
    /// let o = a.outer(&a)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(o[[2, 2]], 4);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn outer(&self, other: &DynArray) -> Result<DynArray> {
        if self.ndim() != 1 || other.ndim() != 1 {
            return Err(Error::ShapeMismatch {
                op: "linalg.outer: needs two 1-d arrays".into(),
                got: self.shape().to_vec(),
                expected: other.shape().to_vec(),
            });
        }
        self.expand_dims(-1)?.mul(&other.expand_dims(0)?)
    }

    /// The cross product of the 3-vectors along `axis` of the operands' broadcast shape (its
    /// extent must be 3), in their promoted dtype.
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = DynArray::from(chunkwise::from_array(ndarray::array![1.0, 0.0, 0.0].into_dyn(), 3)?);
    /// let y = DynArray::from(chunkwise::from_array(ndarray::array![0.0, 1.0, 0.0].into_dyn(), 3)?);
    /// let z = x.cross(&y, -1)?.compute()?.downcast::<f64>()?;
    /// assert_eq!(z.as_slice().unwrap(), &[0.0, 0.0, 1.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn cross(&self, other: &DynArray, axis: isize) -> Result<DynArray> {
        let op = "linalg.cross";
        let shape = crate::chunks::broadcast_shapes(op, self.shape(), other.shape())?;
        let ax = normalize_axis(op, axis, &shape)?;
        if shape[ax] != 3 {
            return Err(Error::ShapeMismatch {
                op: format!("{op}: axis {axis} needs extent 3 in the broadcast shape"),
                got: shape,
                expected: vec![3],
            });
        }
        let d = result_type(&[self.clone(), other.clone()])?;
        let (a, b) = (
            self.astype(d).broadcast_to(shape.clone())?,
            other.astype(d).broadcast_to(shape.clone())?,
        );
        let part = |x: &DynArray, i: isize| -> Result<DynArray> {
            let mut info = vec![
                SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                };
                shape.len()
            ];
            info[ax] = SliceInfoElem::Slice {
                start: i,
                end: Some(i + 1),
                step: 1,
            };
            x.slice(info)
        };
        let (a0, a1, a2) = (part(&a, 0)?, part(&a, 1)?, part(&a, 2)?);
        let (b0, b1, b2) = (part(&b, 0)?, part(&b, 1)?, part(&b, 2)?);
        let c0 = a1.mul(&b2)?.sub(&a2.mul(&b1)?)?;
        let c1 = a2.mul(&b0)?.sub(&a0.mul(&b2)?)?;
        let c2 = a0.mul(&b1)?.sub(&a1.mul(&b0)?)?;
        concatenate_dyn(&[c0, c1, c2], ax as isize)
    }
}

/// A per-matrix result (the stack's shape) with two axes of extent 1 appended when
/// `keepdims`.
fn keep(r: DynArray, keepdims: bool) -> Result<DynArray> {
    if keepdims {
        r.expand_dims(-1)?.expand_dims(-1)
    } else {
        Ok(r)
    }
}

/// A per-matrix result kept as `(.., 1, 1)`, with those axes removed unless `keepdims`.
fn unkeep(r: DynArray, keepdims: bool) -> Result<DynArray> {
    if keepdims {
        return Ok(r);
    }
    let nd = r.ndim();
    r.reshape(r.shape()[..nd - 2].to_vec())
}
