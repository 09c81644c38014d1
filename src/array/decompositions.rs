//! Decompositions of stacks of matrices (NumPy's and the array API's `linalg`): `cholesky`,
//! `det`, `slogdet`, `inv`, `solve`, `eigh`, `eigvalsh`, `svd`, `svdvals`, `qr` and `pinv`
//! over the last two axes of an array, the leading axes a stack.
//!
//! One primitive, [`ChunkedArray::per_matrix`], serves them all: the last two axes are made one
//! chunk (each matrix whole in a block, the stack's chunks shrunk so a block stays about the
//! size of the input's chunks), and a block function runs the kernel of `kernels::linalg`
//! (faer) on every matrix of a block. A decomposition with several results (`eigh`, `svd`,
//! `qr`, `slogdet`) returns one lazy array per result, each computing only what it needs: an
//! `svd` whose `U`, `S` and `Vh` are all computed decomposes each matrix three times (persist
//! the input, or compute `svdvals` alone for the values). A matrix the kernel cannot take (a
//! singular one for `inv` and `solve`, one not positive definite for `cholesky`) is the op's
//! [`Error::Block`] at compute, as NumPy raises `LinAlgError`.

use ndarray::{ArrayD, ArrayViewD};

use super::movement::try_map_blocks_with;
use super::{concatenate, BlockSpec, ChunkedArray};
use crate::chunks::{broadcast_shapes, checked_len, saturating_len};
use crate::error::{Error, Result};
use crate::kernels::linalg::{self as kernel, Decompose, SvdParts};

/// The results of [`ChunkedArray::svd`]: `x = U diag(S) Vh`.
#[derive(Debug, Clone)]
pub struct Svd<T: Decompose> {
    /// The left singular vectors, as columns: `(.., m, m)`, or `(.., m, k)` when not full.
    pub u: ChunkedArray<T>,
    /// The singular values, descending: `(.., k)`, `k = min(m, n)`.
    pub s: ChunkedArray<T>,
    /// The right singular vectors, as rows: `(.., n, n)`, or `(.., k, n)` when not full.
    pub vh: ChunkedArray<T>,
}

/// ## Decompositions of stacks of matrices
///
/// The last two axes are the matrices, the leading ones a stack (NumPy's `linalg`). Each
/// matrix is made whole in one block; the workers decompose the blocks' matrices in parallel,
/// each matrix on one worker.
impl<T: Decompose> ChunkedArray<T> {
    /// The extents `(m, n)` of the matrices: `op`'s error for fewer than two axes or, with
    /// `square`, for `m != n`.
    fn matrices(&self, op: &str, square: bool) -> Result<(usize, usize)> {
        let nd = self.ndim();
        let bad = |reason: &str| Error::InvalidParameter {
            op: op.into(),
            param: "x".into(),
            value: format!("shape {:?}", self.shape()),
            reason: reason.into(),
        };
        if nd < 2 {
            return Err(bad("needs a stack of matrices (at least 2 axes)"));
        }
        let (m, n) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        if square && m != n {
            return Err(bad("needs square matrices (the last two axes equal)"));
        }
        // A matrix is one block: its size must be one.
        if m.checked_mul(n).is_none() {
            return Err(Error::TooLarge {
                op: op.into(),
                shape: self.shape().to_vec(),
                reason: "a matrix of more elements than usize holds".into(),
            });
        }
        Ok((m, n))
    }

    /// The block function `f` over each matrix of the stack: the output has the stack's axes
    /// and then `tail` (the shape of `f`'s result for one matrix, which `f` writes row-major
    /// into the slice it is given). An `Err` of `f` is `op`'s [`Error::Block`] at compute.
    fn per_matrix<F>(&self, op: &'static str, tail: &[usize], f: F) -> Result<Self>
    where
        F: Fn(&[T], &mut [T]) -> std::result::Result<(), String> + Send + Sync + 'static,
    {
        let nd = self.ndim();
        let (m, n) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        let stack = &self.shape()[..nd - 2];
        let mut out_shape = stack.to_vec();
        out_shape.extend_from_slice(tail);
        let too_large = || Error::TooLarge {
            op: op.into(),
            shape: out_shape.clone(),
            reason: "a matrix's result of more elements than usize holds".into(),
        };
        let tail_len = tail
            .iter()
            .try_fold(1usize, |p, &t| p.checked_mul(t))
            .ok_or_else(too_large)?;
        if saturating_len(&out_shape) == 0 {
            return Ok(ChunkedArray::from_expr(crate::graph::source::full(
                out_shape,
                T::zero(),
            )));
        }
        checked_len(op, &out_shape)?;
        // Blocks sized by the larger of a matrix and its result.
        let grow = tail_len.div_ceil((m * n).max(1));
        let x = self.whole_along_axes(&[nd - 2, nd - 1], grow)?;
        let spec = BlockSpec {
            drop_axis: vec![nd - 2, nd - 1],
            new_axis: (nd - 2..nd - 2 + tail.len()).collect(),
            block_shape: stack
                .iter()
                .map(|_| None)
                .chain(tail.iter().map(|&t| Some(t)))
                .collect(),
        };
        let size = m * n;
        let tail = tail.to_vec();
        try_map_blocks_with(op, &[&x], &spec, move |v: &[ArrayViewD<'_, T>]| {
            let block = &v[0];
            let a = block
                .as_slice()
                .ok_or_else(|| "a block not in standard layout".to_string())?;
            let stack_block = &block.shape()[..block.ndim() - 2];
            let count: usize = stack_block.iter().product();
            let mut out = vec![T::zero(); count * tail_len];
            for i in 0..count {
                f(
                    &a[i * size..(i + 1) * size],
                    &mut out[i * tail_len..(i + 1) * tail_len],
                )
                .map_err(|e| format!("matrix {i} of the block: {e}"))?;
            }
            let mut shape = stack_block.to_vec();
            shape.extend_from_slice(&tail);
            ArrayD::from_shape_vec(shape, out).map_err(|e| e.to_string())
        })
    }

    /// The Cholesky factor of each symmetric positive definite matrix (its lower triangle is
    /// read): `L` with `x = L L^T`, or with `upper` `U = L^T` (`x = U^T U`). A matrix that is
    /// not positive definite is an [`Error::Block`] at compute.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[4.0, 2.0], [2.0, 3.0]].into_dyn(), 2)?;
    /// let l = x.cholesky(false)?.compute()?;
    /// assert_eq!(l[[0, 0]], 2.0);
    /// assert_eq!(l[[0, 1]], 0.0);
    /// assert!((l[[1, 1]] - 2f64.sqrt()).abs() < 1e-12);
    /// let not_pd = chunkwise::from_array(ndarray::array![[1.0, 2.0], [2.0, 1.0]].into_dyn(), 2)?;
    /// assert!(not_pd.cholesky(false)?.compute().is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn cholesky(&self, upper: bool) -> Result<Self> {
        let (_, n) = self.matrices("linalg.cholesky", true)?;
        self.per_matrix("linalg.cholesky", &[n, n], move |a, out| {
            kernel::cholesky(a, n, upper, out)
        })
    }

    /// The determinant of each square matrix (1 for a 0 x 0 matrix): the stack's shape.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[[1.0f64, 2.0], [3.0, 4.0]], [[2.0, 0.0], [0.0, 5.0]]].into_dyn(), 1)?;
    /// let d = x.det()?.compute()?;
    /// assert!((d[[0]] + 2.0).abs() < 1e-12 && (d[[1]] - 10.0).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn det(&self) -> Result<Self> {
        let (_, n) = self.matrices("linalg.det", true)?;
        self.per_matrix("linalg.det", &[], move |a, out| {
            out[0] = kernel::det(a, n);
            Ok(())
        })
    }

    /// The sign and the natural log of the absolute value of each determinant (`(sign,
    /// logabsdet)`, NumPy's `slogdet`): a singular matrix gives `(0, -inf)`, a matrix with a NaN
    /// `(NaN, NaN)`. No overflow where `det` itself would.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[0.0, 2.0], [3.0, 0.0]].into_dyn(), 2)?;
    /// let (sign, log) = x.slogdet()?;
    /// assert_eq!(sign.compute()?[[]], -1.0);
    /// assert!((log.compute()?[[]] - 6f64.ln()).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn slogdet(&self) -> Result<(Self, Self)> {
        let (_, n) = self.matrices("linalg.slogdet", true)?;
        let sign = self.per_matrix("linalg.slogdet", &[], move |a, out| {
            out[0] = kernel::slogdet(a, n).0;
            Ok(())
        })?;
        let log = self.per_matrix("linalg.slogdet", &[], move |a, out| {
            out[0] = kernel::slogdet(a, n).1;
            Ok(())
        })?;
        Ok((sign, log))
    }

    /// The inverse of each square matrix (LU with partial pivoting). A singular matrix (an
    /// exactly zero pivot) is an [`Error::Block`] at compute.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[2.0, 0.0], [0.0, 4.0]].into_dyn(), 2)?;
    /// assert_eq!(x.inv()?.compute()?, ndarray::array![[0.5, 0.0], [0.0, 0.25]].into_dyn());
    /// let singular = chunkwise::from_array(ndarray::array![[1.0, 2.0], [2.0, 4.0]].into_dyn(), 2)?;
    /// assert!(singular.inv()?.compute().is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn inv(&self) -> Result<Self> {
        let (_, n) = self.matrices("linalg.inv", true)?;
        self.per_matrix("linalg.inv", &[n, n], move |a, out| {
            kernel::inverse(a, n, out)
        })
    }

    /// `x` with `self @ x = b` for each square matrix of `self` (`(.., m, m)`): `b` is a stack
    /// of `(.., m, k)` matrices (the stacks broadcast) or one `(m,)` vector (the result is
    /// then `(.., m)`), as the array API's `solve`. A singular matrix is an [`Error::Block`]
    /// at compute.
    ///
    /// ```
    /// let a = chunkwise::from_array(ndarray::array![[3.0f64, 1.0], [1.0, 2.0]].into_dyn(), 2)?;
    /// let b = chunkwise::from_array(ndarray::array![9.0, 8.0].into_dyn(), 2)?;
    /// let x = a.solve(&b)?.compute()?;
    /// assert!((x[[0]] - 2.0).abs() < 1e-12 && (x[[1]] - 3.0).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn solve(&self, b: &Self) -> Result<Self> {
        let op = "linalg.solve";
        let (_, m) = self.matrices(op, true)?;
        let vector = b.ndim() == 1;
        let b2 = if vector {
            b.expand_dims(-1)?
        } else {
            b.clone()
        };
        let mismatch = || Error::ShapeMismatch {
            op: format!("{op}: b needs (m,) or (.., m, k) for a of (.., m, m)"),
            got: b.shape().to_vec(),
            expected: self.shape().to_vec(),
        };
        if b2.ndim() < 2 || b2.shape()[b2.ndim() - 2] != m {
            return Err(mismatch());
        }
        let k = b2.shape()[b2.ndim() - 1];
        let stack = broadcast_shapes(
            op,
            &self.shape()[..self.ndim() - 2],
            &b2.shape()[..b2.ndim() - 2],
        )?;
        let with = |tail: [usize; 2]| {
            let mut s = stack.clone();
            s.extend_from_slice(&tail);
            s
        };
        let a_wide = self.broadcast_to(with([m, m]))?;
        let b_wide = b2.broadcast_to(with([m, k]))?;
        // One matrix `[a | b]` per stack entry, so one block function sees both.
        let ab = concatenate(&[a_wide, b_wide], -1)?;
        let x = ab.per_matrix(op, &[m, k], move |ab, out| {
            let (a, b) = split_columns(ab, m, m);
            kernel::solve(&a, m, &b, k, out)
        })?;
        if vector {
            x.squeeze_axis(-1)
        } else {
            Ok(x)
        }
    }

    /// The eigenvalues (ascending, `(.., n)`) and eigenvectors (the columns of `(.., n, n)`) of
    /// each symmetric matrix, its lower triangle read (NumPy's `eigh`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[2.0f64, 1.0], [1.0, 2.0]].into_dyn(), 2)?;
    /// let (w, v) = x.eigh()?;
    /// let w = w.compute()?;
    /// assert!((w[[0]] - 1.0).abs() < 1e-12 && (w[[1]] - 3.0).abs() < 1e-12);
    /// let v = v.compute()?;
    /// assert!((v[[0, 1]].abs() - 0.5f64.sqrt()).abs() < 1e-12);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn eigh(&self) -> Result<(Self, Self)> {
        let (_, n) = self.matrices("linalg.eigh", true)?;
        let values = self.eigvalsh()?;
        let vectors = self.per_matrix("linalg.eigh", &[n, n], move |a, out| {
            kernel::eigh(a, n, None, Some(out))
        })?;
        Ok((values, vectors))
    }

    /// The eigenvalues of each symmetric matrix, ascending (`(.., n)`), its lower triangle
    /// read: [`eigh`](Self::eigh) without the eigenvectors.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[2.0, 0.0], [0.0, -1.0]].into_dyn(), 2)?;
    /// assert_eq!(x.eigvalsh()?.compute()?, ndarray::array![-1.0, 2.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn eigvalsh(&self) -> Result<Self> {
        let (_, n) = self.matrices("linalg.eigvalsh", true)?;
        self.per_matrix("linalg.eigvalsh", &[n], move |a, out| {
            kernel::eigh(a, n, Some(out), None)
        })
    }

    /// The singular value decomposition of each matrix, `x = U diag(S) Vh`, the values
    /// descending. With `full_matrices`, `U` is `(.., m, m)` and `Vh` `(.., n, n)`; without,
    /// `(.., m, k)` and `(.., k, n)` (`k = min(m, n)`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[3.0, 0.0], [0.0, -4.0], [0.0, 0.0]].into_dyn(), 2)?;
    /// let svd = x.svd(false)?;
    /// assert_eq!(svd.s.compute()?, ndarray::array![4.0, 3.0].into_dyn());
    /// assert_eq!(svd.u.shape(), &[3, 2]);
    /// assert_eq!(x.svd(true)?.u.shape(), &[3, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn svd(&self, full_matrices: bool) -> Result<Svd<T>> {
        let op = "linalg.svd";
        let (m, n) = self.matrices(op, false)?;
        let k = m.min(n);
        let (u_tail, vh_tail) = if full_matrices {
            ([m, m], [n, n])
        } else {
            ([m, k], [k, n])
        };
        let full = full_matrices;
        let u = self.per_matrix(op, &u_tail, move |a, out| {
            let parts = SvdParts {
                u: Some(out),
                s: None,
                vh: None,
            };
            kernel::svd(a, m, n, full, parts)
        })?;
        let vh = self.per_matrix(op, &vh_tail, move |a, out| {
            let parts = SvdParts {
                u: None,
                s: None,
                vh: Some(out),
            };
            kernel::svd(a, m, n, full, parts)
        })?;
        Ok(Svd {
            u,
            s: self.svdvals()?,
            vh,
        })
    }

    /// The singular values of each matrix, descending (`(.., min(m, n))`), without the
    /// vectors.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[0.0, 2.0], [1.0, 0.0]].into_dyn(), 2)?;
    /// assert_eq!(x.svdvals()?.compute()?, ndarray::array![2.0, 1.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn svdvals(&self) -> Result<Self> {
        let op = "linalg.svdvals";
        let (m, n) = self.matrices(op, false)?;
        self.per_matrix(op, &[m.min(n)], move |a, out| {
            let parts = SvdParts {
                u: None,
                s: Some(out),
                vh: None,
            };
            kernel::svd(a, m, n, false, parts)
        })
    }

    /// The QR decomposition of each matrix, `x = Q R` with `Q` orthonormal and `R` upper
    /// triangular (Householder reflections): `(.., m, k)` and `(.., k, n)` (`k = min(m, n)`),
    /// or with `complete` `(.., m, m)` and `(.., m, n)`.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[3.0f64, 1.0], [4.0, 2.0], [0.0, 5.0]].into_dyn(), 2)?;
    /// let (q, r) = x.qr(false)?;
    /// assert_eq!((q.shape(), r.shape()), (&[3, 2][..], &[2, 2][..]));
    /// let r = r.compute()?;
    /// assert!((r[[0, 0]].abs() - 5.0).abs() < 1e-12 && r[[1, 0]] == 0.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn qr(&self, complete: bool) -> Result<(Self, Self)> {
        let op = "linalg.qr";
        let (m, n) = self.matrices(op, false)?;
        let k = m.min(n);
        let (q_tail, r_tail) = if complete {
            ([m, m], [m, n])
        } else {
            ([m, k], [k, n])
        };
        let q = self.per_matrix(op, &q_tail, move |a, out| {
            kernel::qr(a, m, n, complete, Some(out), None);
            Ok(())
        })?;
        let r = self.per_matrix(op, &r_tail, move |a, out| {
            kernel::qr(a, m, n, complete, None, Some(out));
            Ok(())
        })?;
        Ok((q, r))
    }

    /// The Moore-Penrose pseudo-inverse of each matrix (`(.., n, m)`), from its SVD: singular
    /// values at most `rtol` times the largest count as zero; `None` is the array API's
    /// default, `max(m, n)` times the dtype's epsilon.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[2.0, 0.0], [0.0, 0.0]].into_dyn(), 2)?;
    /// assert_eq!(x.pinv(None)?.compute()?, ndarray::array![[0.5, 0.0], [0.0, 0.0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn pinv(&self, rtol: Option<T>) -> Result<Self> {
        let op = "linalg.pinv";
        let (m, n) = self.matrices(op, false)?;
        let rtol = rtol.unwrap_or_else(|| default_rtol::<T>(m, n));
        if rtol.is_nan() || rtol < T::zero() {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "rtol".into(),
                value: format!("{rtol:?}"),
                reason: "needs a number at least 0".into(),
            });
        }
        self.per_matrix(op, &[n, m], move |a, out| kernel::pinv(a, m, n, rtol, out))
    }
}

impl<T: Decompose> ChunkedArray<T> {
    /// [`pinv`](Self::pinv) with one tolerance per matrix: `rtol` broadcast against the
    /// stack's shape (the array API's `pinv(x, rtol=array)`). Each matrix is decomposed once,
    /// its tolerance carried beside it as one more column.
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::array![[[2.0, 0.0], [0.0, 1e-3]], [[2.0, 0.0], [0.0, 1e-3]]].into_dyn(), 1)?;
    /// let rtol = chunkwise::from_array(ndarray::array![1e-6, 1e-2].into_dyn(), 2)?;
    /// let p = x.pinv_with(&rtol)?.compute()?;
    /// assert_eq!((p[[0, 1, 1]], p[[1, 1, 1]]), (1000.0, 0.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn pinv_with(&self, rtol: &Self) -> Result<Self> {
        let op = "linalg.pinv";
        let (m, n) = self.matrices(op, false)?;
        let nd = self.ndim();
        let stack = broadcast_shapes(op, &self.shape()[..nd - 2], rtol.shape())?;
        let with = |tail: [usize; 2]| {
            let mut s = stack.clone();
            s.extend_from_slice(&tail);
            s
        };
        let x = self.broadcast_to(with([m, n]))?;
        let r = rtol
            .expand_dims(-1)?
            .expand_dims(-1)?
            .broadcast_to(with([m, 1]))?;
        let xr = concatenate(&[x, r], -1)?;
        xr.per_matrix(op, &[n, m], move |xr, out| {
            let (a, r) = split_columns(xr, m, n);
            // An empty matrix has no tolerance to read, and none is needed.
            let rtol = r.first().copied().unwrap_or_else(T::zero);
            kernel::pinv(&a, m, n, rtol, out)
        })
    }
}

/// The row-major `rows x (left + k)` matrix `[a | b]` split into `a` (`rows x left`) and `b`
/// (`rows x k`), both row-major: how one block function gets two operands of a matrix.
fn split_columns<T: Copy>(ab: &[T], rows: usize, left: usize) -> (Vec<T>, Vec<T>) {
    let w = ab.len().checked_div(rows).unwrap_or(0);
    let mut a = Vec::with_capacity(rows * left);
    let mut b = Vec::with_capacity(ab.len() - rows * left);
    for row in ab.chunks_exact(w.max(1)).take(rows) {
        a.extend_from_slice(&row[..left]);
        b.extend_from_slice(&row[left..]);
    }
    (a, b)
}

/// The array API's default relative tolerance of `matrix_rank` and `pinv` for `m x n`
/// matrices: `max(m, n)` times the dtype's machine epsilon.
pub(crate) fn default_rtol<T: Decompose>(m: usize, n: usize) -> T {
    T::from(m.max(n)).unwrap_or_else(T::infinity) * T::epsilon()
}
