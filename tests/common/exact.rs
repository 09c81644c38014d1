//! Exact sums of `f64` values (big integers scaled by 2^1074, so nothing rounds) and NumPy's
//! pairwise summation, to measure the error of a float sum against both.

use num_bigint::BigInt;

/// `x * 2^1074` as an integer: every finite `f64` is an integer multiple of 2^-1074.
pub fn scaled(x: f64) -> BigInt {
    assert!(x.is_finite(), "exact sums take finite values, got {x}");
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, shift) = if exp == 0 {
        (frac, 0)
    } else {
        (frac | (1u64 << 52), exp - 1)
    };
    let v = BigInt::from(mant) << shift as usize;
    if x.is_sign_negative() {
        -v
    } else {
        v
    }
}

/// The exact sum, scaled by 2^1074.
pub fn exact_sum(xs: &[f64]) -> BigInt {
    xs.iter().map(|&x| scaled(x)).sum()
}

/// `|got - exact|`, scaled by 2^1074 (exact: no rounding in the comparison either).
pub fn error(got: f64, exact: &BigInt) -> BigInt {
    let d = scaled(got) - exact;
    if d.sign() == num_bigint::Sign::Minus {
        -d
    } else {
        d
    }
}

/// The error as an `f64` (its top 64 bits, scaled back by 2^-1074).
pub fn error_f64(got: f64, exact: &BigInt) -> f64 {
    let e = error(got, exact);
    let shift = e.bits().saturating_sub(64);
    let (_, digits) = (e >> shift).to_u64_digits();
    let top = digits.first().copied().unwrap_or(0) as f64;
    // 2^(shift - 1074) in two factors, so neither underflows.
    top * 2f64.powi(shift as i32 - 537) * 2f64.powi(-537)
}

/// NumPy's `pairwise_sum` for doubles (numpy/_core/src/umath/loops_utils.h.src): blocks of up
/// to 128 with eight accumulators, longer runs split at `n / 2` rounded down to a multiple of 8.
pub fn numpy_pairwise(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in xs {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&xs[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for j in 0..8 {
                r[j] += xs[i + j];
            }
            i += 8;
        }
        let mut res = (r[0] + r[1]) + (r[2] + r[3]) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += xs[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        numpy_pairwise(&xs[..n2]) + numpy_pairwise(&xs[n2..])
    }
}
