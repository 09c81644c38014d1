//! The block product of contractions: `c += a · b` for row-major blocks, through the `gemm`
//! crate's kernels for floats (AVX-512, else AVX2 and FMA, chosen at run time). Integers (which
//! NumPy multiplies with wrapping arithmetic and BLAS does not cover) take a plain loop in the
//! same fixed order.

use crate::element::{DType, Numeric};
use crate::pool::Pool;

/// Widest column panel given to one `gemm` call. With the row-major blocks here, `gemm` packs
/// (into a buffer it allocates and frees on every call) the operand `a` when a call has more
/// than 128 x its register-tile height of columns: 1024 for f64 with AVX2 and FMA, the least of
/// its x86 vector kernels (2048 and 4096 for f32 and AVX-512). Its scalar kernel, for x86
/// CPUs without FMA (before 2013), packs above 256 columns: there the wide panels still
/// allocate per call. Narrower panels of a multiple of [`panel_step`] columns pack nothing but
/// into its per-thread slab.
const MAX_PANEL: usize = 1024;

/// Column count that `gemm`'s kernels for `T` take without packing `b` into a per-call
/// buffer: a multiple of the widest vector's lanes (64 bytes: 8 f64, 16 f32), which are also
/// a multiple of AVX2's.
fn panel_step<T>() -> usize {
    64 / std::mem::size_of::<T>()
}

/// The column panels a block product of `n` columns is cut into: `(start, width)`, each at
/// most [`MAX_PANEL`] wide and a multiple of [`panel_step`] except the last, which holds the
/// fewer than `panel_step` columns left over (and is computed padded to `panel_step` columns).
///
/// Why: a packing buffer that `gemm` allocates and frees on every block product is a source
/// of fragmentation. Above glibc's mmap threshold (blocks of 250 columns: 516 KB), freeing it
/// raised that threshold above the contraction's own blocks, which then lived in the heap
/// beside it: blocks of 250 x 250 f64 peaked at 29-40 MiB (measured 2026-12-03, against the
/// projection of then, 22.6 MiB). Below it (a narrow last panel: 64 KB), the workers' heaps
/// grew by 1-2.6 MiB. With the panels no call allocates a packing buffer (a call still
/// allocates a few flags, bytes to a few KB). The cut depends only on the block's shape, and
/// `gemm` picks its blocking of `k` from each call's shape, so a column's bits depend on the
/// block's shape (and the CPU), never on the worker that makes it.
fn column_panels<T>(n: usize) -> impl Iterator<Item = (usize, usize)> {
    let step = panel_step::<T>();
    let whole = n - n % step;
    let max = MAX_PANEL - MAX_PANEL % step;
    (0..whole)
        .step_by(max)
        .map(move |j| (j, max.min(whole - j)))
        .chain((whole < n).then_some((whole, n - whole)))
}

/// `c += a · b` through `gemm`, for `f64` or `f32`: `m` rows, `n` columns, depth `k`, with
/// row strides `ldc`, `k` and `ldb` and column stride 1.
///
/// # Safety
/// `T` is `f64` or `f32`; `a` holds `m·k` values, `b` at least `(k - 1)·ldb + n` and `c` at
/// least `(m - 1)·ldc + n`; `n ≤ ldb` and `n ≤ ldc`.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_acc<T: Numeric>(
    m: usize,
    n: usize,
    k: usize,
    a: *const T,
    b: *const T,
    ldb: usize,
    c: *mut T,
    ldc: usize,
) {
    // SAFETY: the caller's contract: `gemm::gemm` dispatches on `T` (f64 or f32) and reads
    // and writes only the elements the strides above reach.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c,
            1,
            ldc as isize,
            true,
            a,
            1,
            k as isize,
            b,
            1,
            ldb as isize,
            T::ONE,
            T::ONE,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// Bytes that block products of `T` leave held by each thread that ran one: `gemm` packs `b`
/// into a per-thread slab the size of the L2 cache (1 MiB here), allocated at a thread's first
/// float product and kept for the thread's life. Integers take the plain loop and hold nothing.
pub(crate) fn thread_slab_bytes<T: Numeric>() -> usize {
    match T::DTYPE {
        DType::F64 | DType::F32 => gemm_common::cache::CACHE_INFO[1].cache_bytes,
        _ => 0,
    }
}

/// `c[m×n] += a[m×k] · b[k×n]`, all row-major and contiguous. One thread: the pool's workers
/// each run their own blocks. `scratch` lends the padded last panel's buffers (`k` and `m`
/// rows of a vector's width).
pub(crate) fn matmul_acc<T: Numeric>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    scratch: &mut Pool,
) {
    // Checked products: the unsafe calls below rely on these lengths.
    assert!(
        m.checked_mul(k) == Some(a.len())
            && k.checked_mul(n) == Some(b.len())
            && m.checked_mul(n) == Some(c.len())
    );
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    match T::DTYPE {
        // One column: `gemm` takes its matrix-vector path, which packs nothing.
        DType::F64 | DType::F32 if n == 1 => {
            // SAFETY: `T` is f64 or f32 (its dtype); `a`, `b` and `c` hold m·k, k and m values
            // (asserted), which row strides k, 1 and 1 over one column stay within.
            unsafe { gemm_acc(m, 1, k, a.as_ptr(), b.as_ptr(), 1, c.as_mut_ptr(), 1) }
        }
        DType::F64 | DType::F32 => {
            let step = panel_step::<T>();
            for (j, width) in column_panels::<T>(n) {
                if width % step == 0 {
                    // SAFETY: `T` is f64 or f32 (its dtype). Columns `j..j + width` with
                    // `j + width ≤ n`: with row strides n (of `b` and `c`) the last element
                    // reached is `(k - 1)·n + j + width - 1` of `b` (k·n values) and
                    // `(m - 1)·n + j + width - 1` of `c` (m·n values); `a` holds m·k. `c` is
                    // borrowed mutably, so it aliases neither.
                    unsafe {
                        gemm_acc(
                            m,
                            width,
                            k,
                            a.as_ptr(),
                            b.as_ptr().add(j),
                            n,
                            c.as_mut_ptr().add(j),
                            n,
                        )
                    }
                    continue;
                }
                // The last columns, fewer than a vector: padded with zero columns to one
                // (copies of `b`'s and `c`'s columns, then `c`'s back), so that `gemm` packs
                // nothing. The padding's products are dropped; the columns' own are as in a
                // call of `step` columns.
                let mut bp = scratch.take::<T>(k * step);
                let mut cp = scratch.take::<T>(m * step);
                for (dst, src) in bp.chunks_exact_mut(step).zip(b.chunks_exact(n)) {
                    dst[..width].copy_from_slice(&src[j..j + width]);
                    dst[width..].fill(T::ZERO);
                }
                for (dst, src) in cp.chunks_exact_mut(step).zip(c.chunks_exact(n)) {
                    dst[..width].copy_from_slice(&src[j..j + width]);
                    dst[width..].fill(T::ZERO);
                }
                // SAFETY: `T` is f64 or f32 (its dtype); `bp` holds k·step and `cp` m·step
                // values, row strides `step` over `step` columns; `a` holds m·k. The three
                // are distinct buffers.
                unsafe {
                    gemm_acc(
                        m,
                        step,
                        k,
                        a.as_ptr(),
                        bp.as_ptr(),
                        step,
                        cp.as_mut_ptr(),
                        step,
                    )
                }
                for (dst, src) in c.chunks_exact_mut(n).zip(cp.chunks_exact(step)) {
                    dst[j..j + width].copy_from_slice(&src[..width]);
                }
                scratch.give(bp);
                scratch.give(cp);
            }
        }
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
    fn column_panels_cover_the_columns_in_whole_vectors() {
        for n in [
            1, 7, 8, 9, 16, 250, 1023, 1024, 1025, 1030, 2048, 2100, 5000,
        ] {
            for (step, panels) in [
                (8, column_panels::<f64>(n).collect::<Vec<_>>()),
                (16, column_panels::<f32>(n).collect::<Vec<_>>()),
            ] {
                let mut next = 0;
                for (i, &(j, w)) in panels.iter().enumerate() {
                    assert_eq!(j, next, "n = {n}: {panels:?}");
                    assert!(w > 0 && w <= MAX_PANEL, "n = {n}: {panels:?}");
                    if i + 1 < panels.len() || n % step == 0 {
                        assert_eq!(w % step, 0, "n = {n}: {panels:?}");
                    } else {
                        assert!(w < step, "n = {n}: {panels:?}");
                    }
                    next = j + w;
                }
                assert_eq!(next, n, "n = {n}: {panels:?}");
            }
        }
    }

    #[test]
    fn float_and_integer_blocks_match_the_definition() {
        let mut pool = Pool::default();
        for (m, n, k) in [
            (1, 1, 1),
            (3, 5, 7),
            (17, 9, 33),
            (64, 1, 5),
            (0, 3, 2),
            (2, 3, 0),
            // Cut into column panels: whole panels and a remainder, more than one panel.
            (5, 1030, 9),
            (3, 2100, 4),
            (40, 24, 70),
            (7, 13, 600),
            (4, 2, 9),
        ] {
            let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 - 3.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 * 0.5).collect();
            let mut c = vec![1.0; m * n];
            matmul_acc(m, n, k, &a, &b, &mut c, &mut pool);
            let want: Vec<f64> = naive(m, n, k, &a, &b).iter().map(|v| v + 1.0).collect();
            assert_eq!(c, want, "{m}x{n}x{k}");
            let ai: Vec<i64> = a.iter().map(|&v| v as i64).collect();
            let bi: Vec<i64> = b.iter().map(|&v| (v * 2.0) as i64).collect();
            let mut ci = vec![0i64; m * n];
            matmul_acc(m, n, k, &ai, &bi, &mut ci, &mut pool);
            let want_i: Vec<i64> = naive(m, n, k, &a, &b)
                .iter()
                .map(|v| (v * 2.0) as i64)
                .collect();
            assert_eq!(ci, want_i);
            let af: Vec<f32> = a.iter().map(|&v| v as f32).collect();
            let bf: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            let mut cf = vec![0f32; m * n];
            matmul_acc(m, n, k, &af, &bf, &mut cf, &mut pool);
            let want_f: Vec<f32> = naive(m, n, k, &a, &b).iter().map(|&v| v as f32).collect();
            assert_eq!(cf, want_f);
        }
        // Integers wrap, as NumPy's.
        let mut c = vec![0u8; 1];
        matmul_acc(1, 1, 2, &[200u8, 100], &[2, 3], &mut c, &mut pool);
        assert_eq!(c[0], (400u32 + 300) as u8);
    }
}
