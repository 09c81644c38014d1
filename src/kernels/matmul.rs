//! The block product of contractions: `c += a · b` for row-major blocks, through the `gemm`
//! crate's AVX2 kernels for floats (its AVX-512 ones with the feature `gemm-avx512`). Integers
//! (which NumPy multiplies with wrapping arithmetic and BLAS does not cover) take a plain loop in
//! the same fixed order.

use crate::element::{DType, Numeric};

/// `c[m×n] += a[m×k] · b[k×n]`, all row-major and contiguous. One thread: the pool's workers
/// each run their own blocks.
pub(crate) fn matmul_acc<T: Numeric>(m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let (n_i, k_i) = (n as isize, k as isize);
    match T::DTYPE {
        // SAFETY: `T` is `f64` or `f32` (its dtype says so), which `gemm::gemm` multiplies (it
        // dispatches on the type); the three slices hold m×k, k×n and m×n values (asserted),
        // which the strides given (row-major: column stride 1, row strides k, n, n) stay
        // within; `c` is borrowed mutably and so does not alias `a` or `b`.
        DType::F64 | DType::F32 => unsafe {
            gemm::gemm(
                m,
                n,
                k,
                c.as_mut_ptr(),
                1,
                n_i,
                true,
                a.as_ptr(),
                1,
                k_i,
                b.as_ptr(),
                1,
                n_i,
                T::ONE,
                T::ONE,
                false,
                false,
                false,
                gemm::Parallelism::None,
            )
        },
        _ => {
            // i-k-j order: the inner loop runs along rows of `b` and `c` and vectorizes.
            for (a_row, c_row) in a.chunks_exact(k).zip(c.chunks_exact_mut(n)) {
                for (&x, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                    for (o, &y) in c_row.iter_mut().zip(b_row) {
                        *o = o.n_add(x.n_mul(y));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, n: usize, k: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                for p in 0..k {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        c
    }

    #[test]
    fn float_and_integer_blocks_match_the_definition() {
        for (m, n, k) in [
            (1, 1, 1),
            (3, 5, 7),
            (17, 9, 33),
            (64, 1, 5),
            (0, 3, 2),
            (2, 3, 0),
        ] {
            let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 - 3.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 * 0.5).collect();
            let mut c = vec![1.0; m * n];
            matmul_acc(m, n, k, &a, &b, &mut c);
            let want: Vec<f64> = naive(m, n, k, &a, &b).iter().map(|v| v + 1.0).collect();
            assert_eq!(c, want, "{m}x{n}x{k}");
            let ai: Vec<i64> = a.iter().map(|&v| v as i64).collect();
            let bi: Vec<i64> = b.iter().map(|&v| (v * 2.0) as i64).collect();
            let mut ci = vec![0i64; m * n];
            matmul_acc(m, n, k, &ai, &bi, &mut ci);
            let want_i: Vec<i64> = naive(m, n, k, &a, &b)
                .iter()
                .map(|v| (v * 2.0) as i64)
                .collect();
            assert_eq!(ci, want_i);
            let af: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            let bf: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            let mut cf = vec![0f32; m * n];
            matmul_acc(m, n, k, &af, &bf, &mut cf);
            let want_f: Vec<f32> = naive(m, n, k, &a, &b).iter().map(|&v| v as f32).collect();
            assert_eq!(cf, want_f);
        }
        // Integers wrap, as NumPy's.
        let mut c = vec![0u8; 1];
        matmul_acc(1, 1, 2, &[200u8, 100], &[2, 3], &mut c);
        assert_eq!(c[0], (400u32 + 300) as u8);
    }
}
