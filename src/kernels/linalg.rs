//! Dense decompositions of one matrix, by faer: the work per matrix of the `linalg`
//! functions over stacks of matrices (the array layer makes each matrix whole in one block and
//! calls these on every matrix of the block).
//!
//! Each function reads a row-major `m x n` matrix from a slice and writes row-major results
//! into slices the caller sized. A matrix the decomposition cannot take (singular for `inv`
//! and `solve`, not positive definite for `cholesky`, no convergence) is an `Err` saying why,
//! which the block function reports as the op's error at compute, as NumPy raises
//! `LinAlgError`. A matrix whose values are near the largest float (SVD, eigenvalues) or tiny
//! (every kernel but `qr` and `cholesky`) is scaled by a power of two first, as LAPACK's
//! drivers scale, so it factors as it does for NumPy; for the LU, a matrix with subnormal
//! values too (faer's LU multiplies by a pivot's reciprocal, infinite for a subnormal pivot,
//! where LAPACK divides), and an `f32` matrix's LU is computed in `f64`. Short of LAPACK: an
//! `f64` matrix spanning the whole exponent range with subnormal values, or a subnormal pivot
//! that elimination makes from normal values, gives NaN. faer runs sequentially here (its `rayon` feature is off): the workers of a
//! compute each decompose their own matrices.

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, MatRef, Side};

use crate::element::Float;

/// The float types faer decomposes: `f32` and `f64`.
pub trait Decompose: Float + faer::traits::RealField {
    /// Whether the LU kernels factor this type's matrices in `f64` (`f32`: its subnormals are
    /// normal there, and faer's LU multiplies by a pivot's reciprocal, which is infinite for a
    /// subnormal pivot; LAPACK divides).
    const LU_IN_F64: bool;
    /// The value as `f64` (exact).
    fn widen(self) -> f64;
    /// An `f64` rounded to this type (`as`: out of range is an infinity).
    fn narrow(v: f64) -> Self;
}

impl Decompose for f32 {
    const LU_IN_F64: bool = true;
    fn widen(self) -> f64 {
        f64::from(self)
    }
    fn narrow(v: f64) -> Self {
        v as f32
    }
}

impl Decompose for f64 {
    const LU_IN_F64: bool = false;
    fn widen(self) -> f64 {
        self
    }
    fn narrow(v: f64) -> Self {
        v
    }
}

/// `a` as `f64` values.
fn widened<T: Decompose>(a: &[T]) -> Vec<f64> {
    a.iter().map(|&v| v.widen()).collect()
}

/// `f`'s `f64` results written into `out` as `T`.
fn narrowed<T: Decompose>(
    out: &mut [T],
    f: impl FnOnce(&mut [f64]) -> Result<(), String>,
) -> Result<(), String> {
    let mut wide = vec![0.0; out.len()];
    f(&mut wide)?;
    for (o, w) in out.iter_mut().zip(wide) {
        *o = T::narrow(w);
    }
    Ok(())
}

/// A row-major `m x n` matrix over `a` (`a.len() == m * n`).
fn view<T: Decompose>(a: &[T], m: usize, n: usize) -> MatRef<'_, T> {
    MatRef::from_row_major_slice(a, m, n)
}

/// Which matrices [`scaled`] rescales, and how.
#[derive(Clone, Copy, PartialEq)]
enum Scale {
    /// Those whose largest absolute value is outside LAPACK's safe window `[sqrt(smallest
    /// normal) / eps, its inverse]` (about `[1e-139, 1e138]` for `f64`), to a largest value in
    /// `[1, 2)`: for the SVD and the symmetric eigensolver, inside which products near the
    /// largest float overflow and subnormals read as zero.
    OutsideWindow,
    /// For the LU: those below the window (as above), and those with subnormal values, up
    /// until the smallest is normal (when the largest stays finite): faer's LU multiplies by a
    /// pivot's reciprocal, which is infinite for a subnormal pivot (LAPACK divides). Never
    /// down: that would flush a wide range's small values to zero.
    Lu,
}

/// `floor(log2(v))` of a finite nonzero `v`, exactly: the exponent of its mantissa's leading
/// bit (subnormals included).
fn floor_log2<T: Decompose>(v: T) -> i32 {
    let (mantissa, exponent, _) = v.integer_decode();
    i32::from(exponent) + 63 - mantissa.leading_zeros() as i32
}

/// `a` divided by a power of two, and the power, as `when` says (else `a` as it is and 1): the
/// decompositions of a matrix of values near the largest float or of tiny ones then give what
/// LAPACK's scaled routines give NumPy (a singular value past the largest float is an
/// infinity, the inverse of a subnormal matrix as large as it is). A power of two is exact
/// unless a value becomes subnormal, which only a matrix spanning nearly the whole exponent
/// range allows. A matrix of zeros, or with an infinity or NaN, is as it is.
fn scaled<T: Decompose>(a: &[T], when: Scale) -> (std::borrow::Cow<'_, [T]>, T) {
    let unscaled = (std::borrow::Cow::Borrowed(a), T::one());
    let largest = a.iter().fold(T::zero(), |m, &v| m.max(v.abs()));
    if largest == T::zero() || a.iter().any(|v| !v.is_finite()) {
        return unscaled;
    }
    let small = T::min_positive_value().sqrt() / T::epsilon();
    let k = if largest < small || (when == Scale::OutsideWindow && largest > small.recip()) {
        // The largest into [1, 2).
        floor_log2(largest)
    } else if when == Scale::Lu {
        let smallest = a
            .iter()
            .filter(|v| **v != T::zero())
            .fold(largest, |m, &v| m.min(v.abs()));
        if smallest >= T::min_positive_value() {
            return unscaled;
        }
        // The smallest up to the smallest normal, if the largest stays below 2^(max exp).
        let k = floor_log2(smallest) - floor_log2(T::min_positive_value());
        if floor_log2(largest) - k >= floor_log2(T::max_value()) {
            return unscaled;
        }
        k
    } else {
        return unscaled;
    };
    // In two halves: 2^k itself may be subnormal, and 2^-k past the largest float.
    let two = T::one() + T::one();
    let power = two.powi(k / 2) * two.powi(k - k / 2);
    (a.iter().map(|&v| v / power).collect(), power)
}

/// `mat` into `out`, row-major (`out.len() == rows * cols`).
fn write<T: Decompose>(mat: MatRef<'_, T>, out: &mut [T]) {
    let cols = mat.ncols();
    for (i, row) in out
        .chunks_exact_mut(cols.max(1))
        .enumerate()
        .take(mat.nrows())
    {
        for (j, v) in row.iter_mut().enumerate() {
            *v = mat[(i, j)];
        }
    }
}

/// `mat` transposed into `out`, row-major.
fn write_transposed<T: Decompose>(mat: MatRef<'_, T>, out: &mut [T]) {
    write(mat.transpose(), out);
}

/// The Cholesky factor of the symmetric positive definite `n x n` matrix `a` (its lower
/// triangle is read, as NumPy's): `L` (lower) or, with `upper`, `U = L^T`.
pub(crate) fn cholesky<T: Decompose>(
    a: &[T],
    n: usize,
    upper: bool,
    out: &mut [T],
) -> Result<(), String> {
    let llt = view(a, n, n)
        .llt(Side::Lower)
        .map_err(|_| "the matrix is not positive definite".to_string())?;
    if upper {
        write_transposed(llt.L(), out);
    } else {
        write(llt.L(), out);
    }
    Ok(())
}

/// The determinant of the `n x n` matrix `a`, as NumPy's: `sign * exp(logabsdet)` of
/// [`slogdet`], so the product of the pivots does not overflow or underflow part-way (1 for
/// `n == 0`, 0 for a singular matrix).
pub(crate) fn det<T: Decompose>(a: &[T], n: usize) -> T {
    let (sign, log) = slogdet(a, n);
    sign * log.exp()
}

/// The sign and the natural log of the absolute value of the determinant of the `n x n`
/// matrix `a`, from its LU factors: `(0, -inf)` for a singular matrix, `(1, 0)` for `n == 0`.
pub(crate) fn slogdet<T: Decompose>(a: &[T], n: usize) -> (T, T) {
    if n == 0 {
        return (T::one(), T::zero());
    }
    if T::LU_IN_F64 {
        let (sign, log) = slogdet(&widened(a), n);
        return (T::narrow(sign), T::narrow(log));
    }
    // log |det a| = sum of log |pivot of a / power| + n log power.
    let (a, power) = scaled(a, Scale::Lu);
    let lu = view(&a, n, n).partial_piv_lu();
    let u = lu.U();
    let mut sign = if permutation_is_odd(lu.P().arrays().0) {
        -T::one()
    } else {
        T::one()
    };
    let mut log = T::zero();
    for i in 0..n {
        let d = u[(i, i)];
        if d.is_nan() {
            return (T::nan(), T::nan());
        }
        if d == T::zero() {
            return (T::zero(), T::neg_infinity());
        }
        if d < T::zero() {
            sign = -sign;
        }
        log += d.abs().ln();
    }
    // The scaling's share once, not once per pivot (n - 1 fewer roundings).
    let n_log_power = T::from(n).map_or(T::zero(), |n| n * power.ln());
    (sign, log + n_log_power)
}

/// Whether the permutation (`p[i]` is where row `i` goes) is odd: a cycle of length `k` is
/// `k - 1` transpositions.
fn permutation_is_odd(p: &[usize]) -> bool {
    let mut seen = vec![false; p.len()];
    let mut odd = false;
    for start in 0..p.len() {
        let mut len = 0usize;
        let mut i = start;
        while !seen[i] {
            seen[i] = true;
            i = p[i];
            len += 1;
        }
        if len > 1 && len.is_multiple_of(2) {
            odd = !odd;
        }
    }
    odd
}

/// The LU factors of the `n x n` matrix `a`, or an `Err` when a pivot is exactly zero (the
/// matrix is singular; LAPACK's `getrf` reports the same).
fn nonsingular_lu<T: Decompose>(
    a: &[T],
    n: usize,
) -> Result<faer::linalg::solvers::PartialPivLu<T>, String> {
    let lu = view(a, n, n).partial_piv_lu();
    let u = lu.U();
    if (0..n).any(|i| u[(i, i)] == T::zero()) {
        return Err("the matrix is singular".into());
    }
    Ok(lu)
}

/// The inverse of the `n x n` matrix `a`.
pub(crate) fn inverse<T: Decompose>(a: &[T], n: usize, out: &mut [T]) -> Result<(), String> {
    if n == 0 {
        return Ok(());
    }
    if T::LU_IN_F64 {
        return narrowed(out, |wide| inverse(&widened(a), n, wide));
    }
    // inv(a) = inv(a / power) / power.
    let (a, power) = scaled(a, Scale::Lu);
    let inv = nonsingular_lu(&a, n)?.inverse();
    write(inv.as_ref(), out);
    for v in out.iter_mut() {
        *v /= power;
    }
    Ok(())
}

/// `x` with `a x = b`, for the `n x n` matrix `a` and the `n x k` matrix `b`.
pub(crate) fn solve<T: Decompose>(
    a: &[T],
    n: usize,
    b: &[T],
    k: usize,
    out: &mut [T],
) -> Result<(), String> {
    if n == 0 || k == 0 {
        return Ok(());
    }
    if T::LU_IN_F64 {
        return narrowed(out, |wide| solve(&widened(a), n, &widened(b), k, wide));
    }
    // (a / power) (power x) = b.
    let (a, power) = scaled(a, Scale::Lu);
    let lu = nonsingular_lu(&a, n)?;
    let mut x: Mat<T> = view(b, n, k).to_owned();
    lu.solve_in_place(x.as_mut());
    write(x.as_ref(), out);
    for v in out.iter_mut() {
        *v /= power;
    }
    Ok(())
}

/// The eigenvalues (ascending, into `values`, `n`) and, when asked, the eigenvectors (the
/// columns of `vectors`, `n x n`) of the symmetric `n x n` matrix `a` (its lower triangle is
/// read, as NumPy's `eigh`).
pub(crate) fn eigh<T: Decompose>(
    a: &[T],
    n: usize,
    values: Option<&mut [T]>,
    vectors: Option<&mut [T]>,
) -> Result<(), String> {
    if n == 0 {
        return Ok(());
    }
    let no_convergence = |_| "the eigenvalues did not converge".to_string();
    let (a, power) = scaled(a, Scale::OutsideWindow);
    let a = &*a;
    match vectors {
        Some(vectors) => {
            let evd = view(a, n, n)
                .self_adjoint_eigen(Side::Lower)
                .map_err(no_convergence)?;
            write(evd.U(), vectors);
            if let Some(values) = values {
                let s = evd.S().column_vector();
                for (i, v) in values.iter_mut().enumerate() {
                    *v = s[i] * power;
                }
            }
        }
        None => {
            let s = view(a, n, n)
                .self_adjoint_eigenvalues(Side::Lower)
                .map_err(no_convergence)?;
            if let Some(values) = values {
                for (v, &w) in values.iter_mut().zip(&s) {
                    *v = w * power;
                }
            }
        }
    }
    Ok(())
}

/// Which parts of a singular value decomposition to write.
pub(crate) struct SvdParts<'a, T> {
    /// `U`: `m x m`, or `m x k` when not `full` (`k = min(m, n)`).
    pub u: Option<&'a mut [T]>,
    /// The singular values, descending (`k`).
    pub s: Option<&'a mut [T]>,
    /// `V^T`: `n x n`, or `k x n` when not `full`.
    pub vh: Option<&'a mut [T]>,
}

/// The singular value decomposition `a = U S V^T` of the `m x n` matrix `a`: the parts
/// `parts` asks for (only the values: the vectors are not computed).
pub(crate) fn svd<T: Decompose>(
    a: &[T],
    m: usize,
    n: usize,
    full: bool,
    parts: SvdParts<'_, T>,
) -> Result<(), String> {
    let no_convergence = |_| "the singular value decomposition did not converge".to_string();
    let (a, power) = scaled(a, Scale::OutsideWindow);
    let mat = view(&a, m, n);
    if parts.u.is_none() && parts.vh.is_none() {
        if let Some(s_out) = parts.s {
            let s = mat.singular_values().map_err(no_convergence)?;
            for (v, &w) in s_out.iter_mut().zip(&s) {
                *v = w * power;
            }
        }
        return Ok(());
    }
    let svd = if full { mat.svd() } else { mat.thin_svd() }.map_err(no_convergence)?;
    if let Some(u) = parts.u {
        write(svd.U(), u);
    }
    if let Some(s_out) = parts.s {
        let s = svd.S().column_vector();
        for (i, v) in s_out.iter_mut().enumerate() {
            *v = s[i] * power;
        }
    }
    if let Some(vh) = parts.vh {
        write_transposed(svd.V(), vh);
    }
    Ok(())
}

/// The pseudo-inverse (`n x m`) of the `m x n` matrix `a`: from its thin SVD, the singular
/// values at most `rtol` times the largest taken as zero (NumPy's `pinv` rule).
pub(crate) fn pinv<T: Decompose>(
    a: &[T],
    m: usize,
    n: usize,
    rtol: T,
    out: &mut [T],
) -> Result<(), String> {
    if m == 0 || n == 0 {
        return Ok(());
    }
    // pinv(a) = pinv(a / power) / power.
    let (a, power) = scaled(a, Scale::OutsideWindow);
    let svd = view(&a, m, n)
        .thin_svd()
        .map_err(|_| "the singular value decomposition did not converge".to_string())?;
    let s = svd.S().column_vector();
    let k = m.min(n);
    let cutoff = rtol * s[0];
    let inv: Vec<T> = (0..k)
        .map(|i| {
            if s[i] > cutoff {
                T::one() / s[i] / power
            } else {
                T::zero()
            }
        })
        .collect();
    // pinv = V diag(inv) U^T: (n x k) (k x k) (k x m).
    let (u, v) = (svd.U(), svd.V());
    let scaled = Mat::from_fn(n, k, |i, j| v[(i, j)] * inv[j]);
    let p = &scaled * u.transpose();
    write(p.as_ref(), out);
    Ok(())
}

/// The QR decomposition `a = Q R` of the `m x n` matrix `a` (`k = min(m, n)`): `Q` is
/// `m x m` and `R` is `m x n` when `complete`, else `m x k` and `k x n`; `R` is upper
/// triangular (trapezoidal).
pub(crate) fn qr<T: Decompose>(
    a: &[T],
    m: usize,
    n: usize,
    complete: bool,
    q_out: Option<&mut [T]>,
    r_out: Option<&mut [T]>,
) {
    let qr = view(a, m, n).qr();
    if let Some(q) = q_out {
        let qm = if complete {
            qr.compute_Q()
        } else {
            qr.compute_thin_Q()
        };
        write(qm.as_ref(), q);
    }
    if let Some(r) = r_out {
        let rm = if complete { qr.R() } else { qr.thin_R() };
        write(rm, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() < 1e-9 * (1.0 + y.abs()))
    }

    #[test]
    fn det_of_singular_matrices_is_zero() {
        // The zero matrix: faer's own determinant is 0 / 0 = NaN here.
        assert_eq!(det(&[0.0, 0.0, 0.0, 0.0], 2), 0.0);
        assert_eq!(det(&[1.0, 2.0, 2.0, 4.0], 2), 0.0);
        assert_eq!(det(&[0.0, 1.0, 1.0, 0.0], 2), -1.0);
        assert!(det(&[f64::NAN, 1.0, 1.0, 0.0], 2).is_nan());
        assert_eq!(det::<f64>(&[], 0), 1.0);
        // A subnormal pivot among normal values is a pivot (f64: scaled up; f32: in f64).
        let mixed = [2.2e-309f64, 0.0, 0.0, 1.0];
        // exp(log) of a subnormal keeps fewer bits, as NumPy's det (sign * exp(logdet)).
        assert!((det(&mixed, 2) / 2.2e-309 - 1.0).abs() < 1e-12);
        assert_eq!(det(&[0.0, 0.0, 2.2e-309, 1.0], 2), 0.0);
        let mut inv = [0.0; 4];
        inverse(&mixed, 2, &mut inv).unwrap();
        assert_eq!((inv[0], inv[3]), (f64::INFINITY, 1.0));
        let mixed = [9e-44f32, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(det(&mixed, 3), 0.0);
        assert_eq!(det(&[9e-44f32, 0.0, 0.0, 1.0], 2), 9e-44);
        let mut inv = [0f32; 4];
        inverse(&[3e-40f32, 0.0, 0.0, 1.0], 2, &mut inv).unwrap();
        assert_eq!((inv[0], inv[3]), (f32::INFINITY, 1.0));
        // A matrix of subnormal values (f32: 3e-40) is scaled first: its pivots are pivots,
        // not zeros, and its inverse is as large as it is.
        let tiny = [3e-40f32, 0.0, 0.0, 2e-40];
        assert_eq!(det(&tiny, 2), 0.0, "6e-80 underflows");
        assert_eq!(slogdet(&tiny, 2).0, 1.0);
        let mut inv = [0.0f32; 4];
        inverse(&tiny, 2, &mut inv).unwrap();
        assert_eq!(inv[0], f32::INFINITY);
        assert_eq!(inv[1], 0.0);
        let tiny = [3e-310f64, 0.0, 0.0, 1e-310];
        assert_eq!(det(&tiny, 2), 0.0);
        assert!((slogdet(&tiny, 2).1 - (3e-310f64.ln() + 1e-310f64.ln())).abs() < 1e-9);
        // A wide range is not scaled down (its small pivots would flush to zero), and the
        // determinant does not overflow part-way: det diag(1e-30, 1e-30, 1e30, 1e30) = 1.
        let wide = [1e300f64, 0.0, 0.0, 1e-30];
        assert!((det(&wide, 2) / 1e270 - 1.0).abs() < 1e-12);
        let mut inv = [0.0; 4];
        inverse(&wide, 2, &mut inv).unwrap();
        assert!((inv[0] / 1e-300 - 1.0).abs() < 1e-12 && (inv[3] / 1e30 - 1.0).abs() < 1e-12);
        let mut d = [0f32; 16];
        for (i, v) in [1e-30f32, 1e-30, 1e30, 1e30].into_iter().enumerate() {
            d[i * 5] = v;
        }
        assert!((det(&d, 4) - 1.0).abs() < 1e-4);
        let mut inv = [0f32; 4];
        inverse(&[1e20f32, 0.0, 0.0, 1e-20], 2, &mut inv).unwrap();
        assert!((inv[0] / 1e-20 - 1.0).abs() < 1e-6 && (inv[3] / 1e20 - 1.0).abs() < 1e-6);
    }

    #[test]
    fn scaling_keeps_huge_and_subnormal_values() {
        let out = Scale::OutsideWindow;
        let (a, p) = scaled(&[1e308, -3.0], out);
        assert_eq!(p, 2f64.powi(1023));
        assert!(a[0] >= 1.0 && a[0] < 2.0);
        // The largest floats: 2^1023 and 2^127, not an infinite power.
        assert_eq!(scaled(&[f64::MAX], out).1, 2f64.powi(1023));
        assert_eq!(scaled(&[f32::MAX], out).1, 2f32.powi(127));
        let (a, p) = scaled(&[2.2e-313], out);
        assert!(p > 0.0 && p < f64::MIN_POSITIVE);
        assert!(a[0] >= 1.0 && a[0] < 2.0);
        // Inside the window, or above it for the LU, a matrix is as it is.
        assert_eq!(scaled(&[1e100, 1e-100], out).1, 1.0);
        assert_eq!(scaled(&[1e300, 1e-30], Scale::Lu).1, 1.0);
        assert!(scaled(&[1e-300], Scale::Lu).1 < 1e-250);
        // A subnormal among normal values: for the LU, up until it is normal.
        let (a, p) = scaled(&[2.2e-309, 1.0], Scale::Lu);
        assert!(a[0] >= f64::MIN_POSITIVE && p < 1.0 && a[1] == 1.0 / p);
        assert_eq!(scaled(&[2.2e-309, 1e308], Scale::Lu).1, 1.0);
        let mut s = [0.0; 2];
        let parts = SvdParts {
            u: None,
            s: Some(&mut s),
            vh: None,
        };
        svd(&[f64::MAX, 0.0, 0.0, f64::MAX], 2, 2, false, parts).unwrap();
        assert_eq!(s, [f64::MAX, f64::MAX]);
        let mut w = [0f32; 1];
        eigh(&[f32::MAX], 1, Some(&mut w), None).unwrap();
        assert_eq!(w[0], f32::MAX);
        let mut s = [0.0];
        svd(
            &[2.2e-313],
            1,
            1,
            false,
            SvdParts {
                u: None,
                s: Some(&mut s),
                vh: None,
            },
        )
        .unwrap();
        assert_eq!(s[0], 2.2e-313);
        let mut p = [0.0];
        pinv(&[2.2e-313], 1, 1, 1e-15, &mut p).unwrap();
        assert_eq!(p[0], f64::INFINITY);
        assert_eq!(scaled(&[0.0, 0.0], out).1, 1.0);
        assert_eq!(scaled(&[f64::NAN, 1e300], out).1, 1.0);
    }

    #[test]
    fn permutation_parity() {
        assert!(!permutation_is_odd(&[0, 1, 2]));
        assert!(permutation_is_odd(&[1, 0, 2]));
        assert!(!permutation_is_odd(&[1, 2, 0]));
        assert!(permutation_is_odd(&[3, 2, 1, 0, 5, 4]));
    }

    #[test]
    fn slogdet_signs_and_singular() {
        // det [[0, 1], [1, 0]] = -1: a row swap.
        assert_eq!(slogdet(&[0.0, 1.0, 1.0, 0.0], 2), (-1.0, 0.0));
        let (s, l) = slogdet(&[2.0, 0.0, 0.0, -3.0], 2);
        assert_eq!(s, -1.0);
        assert!((l - 6f64.ln()).abs() < 1e-12);
        assert_eq!(slogdet(&[1.0, 2.0, 2.0, 4.0], 2), (0.0, f64::NEG_INFINITY));
        assert_eq!(slogdet::<f64>(&[], 0), (1.0, 0.0));
    }

    #[test]
    fn inverse_and_solve_reconstruct() {
        let a = [4.0, 1.0, 2.0, 0.5, 3.0, 1.0, 2.0, 1.0, 5.0];
        let mut inv = [0.0; 9];
        inverse(&a, 3, &mut inv).unwrap();
        let eye = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        assert!(close(&matmul(&a, &inv, 3, 3, 3), &eye));
        let b = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut x = [0.0; 6];
        solve(&a, 3, &b, 2, &mut x).unwrap();
        assert!(close(&matmul(&a, &x, 3, 3, 2), &b));
        let singular = [1.0, 2.0, 2.0, 4.0];
        assert!(inverse(&singular, 2, &mut [0.0; 4]).is_err());
        assert!(solve(&singular, 2, &[1.0, 1.0], 1, &mut [0.0; 2]).is_err());
    }

    #[test]
    fn cholesky_needs_positive_definite() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let mut l = [0.0; 4];
        cholesky(&a, 2, false, &mut l).unwrap();
        assert_eq!(l[1], 0.0);
        let lt = [l[0], l[2], l[1], l[3]];
        assert!(close(&matmul(&l, &lt, 2, 2, 2), &a));
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2, false, &mut l).is_err());
    }
}
