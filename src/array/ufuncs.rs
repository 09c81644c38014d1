//! The elementwise functions of the array API standard's list that NumPy users reach for, each
//! a line over the unary and binary primitives, so they fuse into one pass like every other op.
//! Names are Rust's float methods where Rust has one (`ln_1p`, `exp_m1`, `signum`, `recip`),
//! NumPy's otherwise (`clip`, `isnan`, `nan_to_num`); values follow NumPy where the two differ
//! (`round` halves to even, `signum(0) = 0`).

use super::ops::{IntoOperand, Operand};
use super::ChunkedArray;
use crate::element::{Float, Numeric};

/// Past this magnitude `x^2 + 1` is `x^2` in `f64` (and in `f32`), so `asinh(x)` and
/// `acosh(x)` are `ln(2x)`: computed as `ln(x) + ln(2)`, which cannot overflow.
const LARGE: f64 = (1u64 << 28) as f64;

/// Defines one-argument float methods `name => |x| value`, each a fused unary node.
macro_rules! float_unary {
    ($($(#[$doc:meta])* $name:ident => $f:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self) -> Self {
                self.map_same(stringify!($name), $f)
            }
        )*
    };
}

/// Defines two-argument float methods against a scalar or a broadcast array.
macro_rules! float_binary {
    ($($(#[$doc:meta])* $name:ident => $f:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&self, rhs: impl IntoOperand<T>) -> Self {
                let f = $f;
                match rhs.into_operand() {
                    Operand::Scalar(s) => {
                        self.map_same(&format!("{} {s}", stringify!($name)), move |x: T| f(x, s))
                    }
                    Operand::Array(a) => self.zip_with(&a, stringify!($name), f),
                }
            }
        )*
    };
}

/// ## Elementwise functions (floats)
impl<T: Float> ChunkedArray<T> {
    float_unary! {
        /// Tangent.
        tan => |x: T| x.tan();
        /// Arcsine (NaN outside [-1, 1]).
        asin => |x: T| x.asin();
        /// Arccosine (NaN outside [-1, 1]).
        acos => |x: T| x.acos();
        /// Arctangent.
        atan => |x: T| x.atan();
        /// Hyperbolic sine.
        sinh => |x: T| x.sinh();
        /// Hyperbolic cosine.
        cosh => |x: T| x.cosh();
        /// Hyperbolic tangent.
        tanh => |x: T| x.tanh();
        /// Inverse hyperbolic sine. Past 2^28, `ln(2|x|)` with its sign, as C's `asinh`
        /// (Rust's `asinh` forms `2|x|` first, which overflows past half the largest value).
        asinh => |x: T| {
            if x.abs() > T::from_f64(LARGE) {
                (x.abs().ln() + T::from_f64(std::f64::consts::LN_2)).copysign(x)
            } else {
                x.asinh()
            }
        };
        /// Inverse hyperbolic cosine (NaN below 1; `ln(2x)` past 2^28, as [`Self::asinh`]).
        acosh => |x: T| {
            if x > T::from_f64(LARGE) {
                x.ln() + T::from_f64(std::f64::consts::LN_2)
            } else {
                x.acosh()
            }
        };
        /// Inverse hyperbolic tangent (infinite at ±1, NaN beyond).
        atanh => |x: T| x.atanh();
        /// Base-2 logarithm.
        log2 => |x: T| x.log2();
        /// Base-10 logarithm.
        log10 => |x: T| x.log10();
        /// `ln(1 + x)`, accurate near 0 (NumPy's `log1p`).
        ln_1p => |x: T| x.ln_1p();
        /// `e^x - 1`, accurate near 0 (NumPy's `expm1`).
        exp_m1 => |x: T| x.exp_m1();
        /// `2^x`.
        exp2 => |x: T| x.exp2();
        /// The largest integer not above `x`.
        floor => |x: T| x.floor();
        /// The smallest integer not below `x`.
        ceil => |x: T| x.ceil();
        /// `x` rounded to the nearest integer, halves to even, as NumPy's `round` (Rust's
        /// `f64::round` rounds halves away from zero).
        round => |x: T| x.round_even();
        /// `x` with its fraction dropped (toward zero).
        trunc => |x: T| x.trunc();
        /// `1/x` (NumPy's `reciprocal`).
        recip => |x: T| x.recip();
        /// NumPy's `sign`: -1, 0 or 1, NaN for NaN (Rust's `signum` gives 1 for +0.0).
        signum => |x: T| {
            if x > T::ZERO {
                T::ONE
            } else if x < T::ZERO {
                -T::ONE
            } else {
                // 0 stays 0 and NaN stays NaN (`x * 0` keeps NaN; the sign of 0 is dropped).
                x * T::ZERO + T::ZERO
            }
        };
    }

    float_binary! {
        /// The angle of the point `(rhs, self)`: `atan2(y = self, x = rhs)`, in `[-pi, pi]`.
        atan2 => |y: T, x: T| y.atan2(x);
        /// `sqrt(self^2 + rhs^2)` without undue overflow.
        hypot => |a: T, b: T| a.hypot(b);
        /// `|self|` with the sign bit of `rhs` (NaNs and zeros included).
        copysign => |a: T, b: T| a.copysign(b);
        /// `ln(e^self + e^rhs)` without overflow (NumPy's `logaddexp`): `+inf` and `+inf`
        /// give `+inf`, `-inf` and `-inf` give `-inf`.
        logaddexp => |x: T, y: T| {
            if x == y {
                // Equal infinities too, which `x - y` would turn into NaN.
                x + T::from_f64(std::f64::consts::LN_2)
            } else {
                let d = x - y;
                if d > T::ZERO {
                    x + (-d).exp().ln_1p()
                } else if d <= T::ZERO {
                    y + d.exp().ln_1p()
                } else {
                    // A NaN operand.
                    d
                }
            }
        };
        /// The next representable value after `self` toward `rhs` (C's `nextafter`): `rhs`
        /// itself when the two are equal (so `nextafter(-0, +0)` is `+0`), NaN with a NaN.
        nextafter => |x: T, y: T| {
            if x.is_nan() || y.is_nan() {
                x + y
            } else if x == y {
                y
            } else if y > x {
                x.next_above()
            } else {
                x.next_below()
            }
        };
        /// `self^rhs` with a float exponent array or scalar (NumPy's `power` on floats).
        pow => |a: T, b: T| a.powf(b);
    }

    /// Whether each element is NaN.
    pub fn isnan(&self) -> ChunkedArray<bool> {
        self.map_to("isnan", |x: T| x.is_nan())
    }

    /// Whether the sign bit of each element is set (`true` for `-0.0` and for NaNs whose sign
    /// bit is set, as NumPy's `signbit`).
    pub fn signbit(&self) -> ChunkedArray<bool> {
        self.map_to("signbit", |x: T| x.is_sign_negative())
    }

    /// Whether each element is infinite (either sign).
    pub fn isinf(&self) -> ChunkedArray<bool> {
        self.map_to("isinf", |x: T| x.is_infinite())
    }

    /// Whether each element is neither NaN nor infinite.
    pub fn isfinite(&self) -> ChunkedArray<bool> {
        self.map_to("isfinite", |x: T| x.is_finite())
    }

    /// NaN replaced by `nan`, `+inf` by `posinf` and `-inf` by `neginf` (NumPy's `nan_to_num`,
    /// whose defaults are `0`, the largest finite value and the most negative one:
    /// `x.nan_to_num(0.0, f64::MAX, f64::MIN)`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::arr1(&[f64::NAN, f64::INFINITY, -1.0]), 3)?;
    /// let y = x.nan_to_num(0.0, 9.0, -9.0).compute()?;
    /// assert_eq!(y.as_slice().unwrap(), &[0.0, 9.0, -1.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn nan_to_num(&self, nan: T, posinf: T, neginf: T) -> Self {
        self.map_same(
            &format!("nan_to_num {nan} {posinf} {neginf}"),
            move |x: T| {
                if x.is_nan() {
                    nan
                } else if x == T::infinity() {
                    posinf
                } else if x == T::neg_infinity() {
                    neginf
                } else {
                    x
                }
            },
        )
    }

    /// NaN replaced by `v` (what the NaN-aware reductions fold).
    pub(crate) fn nan_as(&self, v: T) -> Self {
        #[allow(clippy::eq_op)]
        self.map_same(
            &format!("nan_as {v}"),
            move |x: T| if x != x { v } else { x },
        )
    }
}

/// ## Elementwise functions (numbers)
impl<T: Numeric> ChunkedArray<T> {
    /// Each element limited to `[lo, hi]`: `minimum(maximum(x, lo), hi)`, as NumPy's `clip`
    /// (NaN stays NaN; with `lo > hi` every element is `hi`).
    ///
    /// ```
    /// let x = chunkwise::from_array(ndarray::arr1(&[-2.0, 0.5, 3.0]), 2)?;
    /// let x = x.clip(0.0, 1.0).compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[0.0, 0.5, 1.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn clip(&self, lo: T, hi: T) -> Self {
        self.map_same(&format!("clip {lo} {hi}"), move |x: T| {
            x.n_max(lo).n_min(hi)
        })
    }
}
