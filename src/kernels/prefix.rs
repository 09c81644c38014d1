//! Inclusive prefix sums of 64-bit integers (wrapping), the loop of an integer `cumsum`,
//! dispatched by hand: AVX-512 (eight lanes) or AVX2 (four), else one add at a time. Integer
//! addition is associative, so every version gives the same bits. A vector's prefix takes
//! `log2(lanes)` shifted adds that do not wait on the running value; only the running total's
//! add does, once per vector rather than once per element.

/// `xs[i] = run = run + xs[i]` (wrapping) in order; returns the last running value.
pub(crate) fn prefix_sum_u64(run: u64, xs: &mut [u64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { x86::prefix_sum_avx512(run, xs) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { x86::prefix_sum_avx2(run, xs) };
        }
    }
    prefix_sum_scalar(run, xs)
}

/// The portable loop, and every vector version's tail.
pub(crate) fn prefix_sum_scalar(mut run: u64, xs: &mut [u64]) -> u64 {
    for x in xs {
        run = run.wrapping_add(*x);
        *x = run;
    }
    run
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::prefix_sum_scalar;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn prefix_sum_avx512(run: u64, xs: &mut [u64]) -> u64 {
        let zero = _mm512_setzero_si512();
        let last = _mm512_set1_epi64(7);
        let mut carry = _mm512_set1_epi64(run as i64);
        let mut groups = xs.chunks_exact_mut(8);
        for g in &mut groups {
            // SAFETY: `g` holds eight u64 (unaligned loads and stores).
            let mut v = unsafe { _mm512_loadu_si512(g.as_ptr().cast()) };
            // [0, v0, .., v6], then by two, then by four: the prefix within the vector.
            v = _mm512_add_epi64(v, _mm512_alignr_epi64::<7>(v, zero));
            v = _mm512_add_epi64(v, _mm512_alignr_epi64::<6>(v, zero));
            v = _mm512_add_epi64(v, _mm512_alignr_epi64::<4>(v, zero));
            let total = _mm512_permutexvar_epi64(last, v);
            // SAFETY: as the load.
            unsafe { _mm512_storeu_si512(g.as_mut_ptr().cast(), _mm512_add_epi64(v, carry)) };
            carry = _mm512_add_epi64(carry, total);
        }
        let run = _mm_cvtsi128_si64(_mm512_castsi512_si128(carry)) as u64;
        prefix_sum_scalar(run, groups.into_remainder())
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn prefix_sum_avx2(run: u64, xs: &mut [u64]) -> u64 {
        let zero = _mm256_setzero_si256();
        let mut carry = _mm256_set1_epi64x(run as i64);
        let mut groups = xs.chunks_exact_mut(4);
        for g in &mut groups {
            // SAFETY: `g` holds four u64 (unaligned loads and stores).
            let mut v = unsafe { _mm256_loadu_si256(g.as_ptr().cast()) };
            // [0, v0, v1, v2]: lanes moved up one, the first from zero.
            let up1 = _mm256_blend_epi32::<0b0000_0011>(
                _mm256_permute4x64_epi64::<0b10_01_00_00>(v),
                zero,
            );
            v = _mm256_add_epi64(v, up1);
            // [0, 0, v0, v1]: the low half moved up, zeros below.
            v = _mm256_add_epi64(v, _mm256_permute2x128_si256::<0x08>(v, v));
            let total = _mm256_permute4x64_epi64::<0b11_11_11_11>(v);
            // SAFETY: as the load.
            unsafe { _mm256_storeu_si256(g.as_mut_ptr().cast(), _mm256_add_epi64(v, carry)) };
            carry = _mm256_add_epi64(carry, total);
        }
        let run = _mm_cvtsi128_si64(_mm256_castsi256_si128(carry)) as u64;
        prefix_sum_scalar(run, groups.into_remainder())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_gives_the_scalar_bits() {
        for n in [0usize, 1, 3, 4, 7, 8, 9, 31, 2048, 2053] {
            let xs: Vec<u64> = (0..n as u64)
                .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 60))
                .collect();
            let start = u64::MAX - 5;
            let mut want = xs.clone();
            let last = prefix_sum_scalar(start, &mut want);
            let mut got = xs.clone();
            assert_eq!(prefix_sum_u64(start, &mut got), last, "{n}");
            assert_eq!(got, want, "{n}");
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    let mut v = xs.clone();
                    // SAFETY: the CPU has AVX2.
                    assert_eq!(unsafe { x86::prefix_sum_avx2(start, &mut v) }, last);
                    assert_eq!(v, want, "avx2 {n}");
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    let mut v = xs.clone();
                    // SAFETY: the CPU has AVX-512F.
                    assert_eq!(unsafe { x86::prefix_sum_avx512(start, &mut v) }, last);
                    assert_eq!(v, want, "avx512 {n}");
                }
            }
        }
    }
}
