//! Element types: the eleven dtypes a [`ChunkedArray`](crate::ChunkedArray) can hold and the
//! arithmetic the kernels need from them.
//!
//! Integer arithmetic follows NumPy rather than Rust's debug-mode checks: `+ - * neg abs pow` wrap
//! on overflow and integer division by zero gives 0 (NumPy gives 0 with a warning), so no user
//! input can make a kernel panic.

use std::fmt;

/// The runtime name of an element type, for plans, errors and memory estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// `f64`
    F64,
    /// `f32`
    F32,
    /// `i64`
    I64,
    /// `i32`
    I32,
    /// `u64`
    U64,
    /// `u32`
    U32,
    /// `i16`
    I16,
    /// `i8`
    I8,
    /// `u16`
    U16,
    /// `u8`
    U8,
    /// `bool`
    Bool,
}

impl DType {
    /// The eleven dtypes, widest float first (the order of the variants).
    ///
    /// ```
    /// assert_eq!(chunkwise::DType::ALL.len(), 11);
    /// ```
    pub const ALL: [DType; 11] = [
        DType::F64,
        DType::F32,
        DType::I64,
        DType::I32,
        DType::U64,
        DType::U32,
        DType::I16,
        DType::I8,
        DType::U16,
        DType::U8,
        DType::Bool,
    ];

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 | DType::U64 => 8,
            DType::F32 | DType::I32 | DType::U32 => 4,
            DType::I16 | DType::U16 => 2,
            DType::I8 | DType::U8 | DType::Bool => 1,
        }
    }

    /// NumPy-style name.
    pub fn name(self) -> &'static str {
        match self {
            DType::F64 => "f64",
            DType::F32 => "f32",
            DType::I64 => "i64",
            DType::I32 => "i32",
            DType::U64 => "u64",
            DType::U32 => "u32",
            DType::I16 => "i16",
            DType::I8 => "i8",
            DType::U16 => "u16",
            DType::U8 => "u8",
            DType::Bool => "bool",
        }
    }

    /// NumPy's type promotion of two dtypes (`np.promote_types`), the run-time form of
    /// [`Promote`]: `None` when either is `bool` (chunkwise does no arithmetic on bool arrays).
    ///
    /// ```
    /// use chunkwise::DType;
    /// assert_eq!(DType::U8.promote(DType::I64), Some(DType::I64));
    /// assert_eq!(DType::U64.promote(DType::I8), Some(DType::F64));
    /// assert_eq!(DType::F32.promote(DType::I16), Some(DType::F32));
    /// ```
    pub fn promote(self, other: DType) -> Option<DType> {
        // The run-time face of the one table, the `Promote` impls below: no second copy.
        macro_rules! numeric {
            ($d:expr, $T:ident => $body:expr) => {
                match $d {
                    DType::F64 => {
                        type $T = f64;
                        $body
                    }
                    DType::F32 => {
                        type $T = f32;
                        $body
                    }
                    DType::I64 => {
                        type $T = i64;
                        $body
                    }
                    DType::I32 => {
                        type $T = i32;
                        $body
                    }
                    DType::U64 => {
                        type $T = u64;
                        $body
                    }
                    DType::U32 => {
                        type $T = u32;
                        $body
                    }
                    DType::I16 => {
                        type $T = i16;
                        $body
                    }
                    DType::I8 => {
                        type $T = i8;
                        $body
                    }
                    DType::U16 => {
                        type $T = u16;
                        $body
                    }
                    DType::U8 => {
                        type $T = u8;
                        $body
                    }
                    DType::Bool => None,
                }
            };
        }
        numeric!(self, A => numeric!(other, B => Some(<<A as Promote<B>>::Output as Element>::DTYPE)))
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What users may not implement or call: the sealing trait, and the arithmetic the kernels
/// need from a numeric type (NumPy's semantics, wrapping integers), a supertrait of
/// [`Numeric`] that is not nameable outside the crate.
mod sealed {
    pub trait Sealed {}

    /// The kernels' arithmetic of a numeric type.
    pub trait Arith: Copy {
        /// `self + o`, wrapping for integers.
        fn n_add(self, o: Self) -> Self;
        /// `self - o`, wrapping for integers.
        fn n_sub(self, o: Self) -> Self;
        /// `self * o`, wrapping for integers.
        fn n_mul(self, o: Self) -> Self;
        /// `self / o`; integers: truncating, 0 on division by zero, wrapping on `MIN / -1`.
        fn n_div(self, o: Self) -> Self;
        /// `-self`, wrapping for integers (NumPy negates unsigned integers modulo 2^bits).
        fn n_neg(self) -> Self;
        /// `|self|`, wrapping for `MIN` of signed integers.
        fn n_abs(self) -> Self;
        /// `self^n` for `n >= 0` (integers wrap); floats take any `n`.
        fn n_powi(self, n: i32) -> Self;
        /// The smaller of two values; NaN wins (NumPy's `minimum`).
        fn n_min(self, o: Self) -> Self;
        /// The larger of two values; NaN wins (NumPy's `maximum`).
        fn n_max(self, o: Self) -> Self;
        /// NumPy's `remainder` (`%`): the sign of the divisor (a zero remainder too: `-4.0 % 2.0`
        /// is `0.0`, `4.0 % -2.0` is `-0.0`); integers give 0 for a zero divisor (NumPy: 0 with a
        /// warning), floats NaN.
        fn n_rem(self, o: Self) -> Self;
        /// NumPy's `floor_divide` (`//`): the quotient rounded down; integers give 0 for a zero
        /// divisor and wrap `MIN // -1`; floats follow NumPy's `divmod` (`1.0 // 0.1` is 9, as
        /// `1.0 - 9 * 0.1` leaves a positive remainder), and a zero divisor gives `a / 0`.
        fn n_floor_div(self, o: Self) -> Self;
        /// A position as this type (Rust's `as`: wrapping for integers, rounding for floats).
        fn n_from_u64(p: u64) -> Self;
        /// The value as `f64` (rounding for 64-bit integers).
        fn n_to_f64(self) -> f64;
        /// The value as `i128`, exact for integers (floats truncate, saturating).
        fn n_to_i128(self) -> i128;
        /// Bits of [`order_key`](Self::order_key): the type's width.
        const KEY_BITS: u32;
        /// An unsigned key in the low [`KEY_BITS`](Self::KEY_BITS) bits whose order is NumPy's sort
        /// order: integers by value, floats by value with `-0.0` before `0.0` and every NaN last
        /// (all NaNs share the largest key). Radix selection counts its digits.
        fn order_key(self) -> u64;
        /// The value of a key (a NaN for the NaN key).
        fn from_order_key(k: u64) -> Self;
    }
}
pub(crate) use sealed::Arith;

/// Runs `$body` with `$T` the element type of `$dtype` (a [`DType`]): how code that holds a
/// node or a value type-erased reaches its typed form.
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::element::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::element::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::element::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::element::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::element::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::element::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::element::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::element::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::element::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::element::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::element::DType::Bool => {
                type $T = bool;
                $body
            }
        }
    };
}
pub(crate) use with_dtype;

/// A type a [`ChunkedArray`](crate::ChunkedArray) can hold: `f64, f32, i64, i32, i16, i8, u64,
/// u32, u16, u8, bool`.
pub trait Element:
    Copy
    + Send
    + Sync
    + Default
    + PartialEq
    + PartialOrd
    + fmt::Debug
    + fmt::Display
    + 'static
    + sealed::Sealed
{
    /// The runtime dtype.
    const DTYPE: DType;
    /// The additive zero (`false` for bool).
    const ZERO: Self;
    /// `self != 0`, the truth value NumPy uses for `count_nonzero`, `any`, `all` and `where`.
    fn is_nonzero(self) -> bool;
}

/// Numeric element types (everything but `bool`), with NumPy's overflow semantics.
pub trait Numeric: Element + sealed::Arith {
    /// Accumulator of `sum`/`prod`, as NumPy picks it: `i64` for signed integers, `u64` for
    /// unsigned ones, the type itself for floats.
    type Acc: Numeric;
    /// The float type of `mean`/`var`/`std`: `f32` for `f32`, `f64` for everything else.
    type Float: Float;
    /// The multiplicative one.
    const ONE: Self;
    /// The smallest value (`-inf` for floats): the identity of `max`.
    const LOWEST: Self;
    /// The largest value (`+inf` for floats): the identity of `min`.
    const HIGHEST: Self;
    /// Widen into the accumulator type.
    fn to_acc(self) -> Self::Acc;
    /// Back from the accumulator type (Rust's `as`: wrapping for integers).
    fn from_acc(a: Self::Acc) -> Self;
    /// Whether the type is a float (negative powers are allowed).
    const IS_FLOAT: bool;
}

/// Integer element types: bitwise operators and shifts.
pub trait Integer:
    Numeric
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
    + std::ops::Not<Output = Self>
{
    /// `self << n`, 0 when `n` is at least the width (NumPy).
    fn n_shl(self, n: u32) -> Self;
    /// `self >> n` (arithmetic for signed types), the sign fill when `n` is at least the width.
    fn n_shr(self, n: u32) -> Self;
}

/// `f64` and `f32`: the types of `sqrt`, `exp`, `ln`, `sin`, `cos`, `powf`.
pub trait Float: Numeric<Acc = Self, Float = Self> + CastTo<Self> + num_traits::Float {
    /// Conversion from `f64` (rounding for `f32`).
    fn from_f64(v: f64) -> Self;
    /// Rounded to the nearest integer, halves to even (NumPy's `round`).
    fn round_even(self) -> Self;
    /// The largest value below this one.
    fn next_below(self) -> Self;
    /// The smallest value above this one.
    fn next_above(self) -> Self;
}

impl Float for f64 {
    #[inline(always)]
    fn next_below(self) -> Self {
        self.next_down()
    }
    #[inline(always)]
    fn next_above(self) -> Self {
        self.next_up()
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn round_even(self) -> Self {
        self.round_ties_even()
    }
}
impl Float for f32 {
    #[inline(always)]
    fn next_below(self) -> Self {
        self.next_down()
    }
    #[inline(always)]
    fn next_above(self) -> Self {
        self.next_up()
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn round_even(self) -> Self {
        self.round_ties_even()
    }
}

macro_rules! element_common {
    ($t:ty, $dt:ident, $zero:expr) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            const ZERO: Self = $zero;
            #[inline(always)]
            fn is_nonzero(self) -> bool {
                self != $zero
            }
        }
    };
}

/// The `as` conversions every numeric type has the same way.
macro_rules! numeric_as {
    ($t:ty) => {
        #[inline(always)]
        fn n_from_u64(p: u64) -> Self {
            p as $t
        }
        #[inline(always)]
        fn n_to_f64(self) -> f64 {
            self as f64
        }
        #[inline(always)]
        fn n_to_i128(self) -> i128 {
            self as i128
        }
    };
}

macro_rules! numeric_int {
    ($t:ty, $dt:ident, $acc:ty, signed: $signed:tt) => {
        element_common!($t, $dt, 0);
        impl Numeric for $t {
            type Acc = $acc;
            type Float = f64;
            const ONE: Self = 1;
            const LOWEST: Self = <$t>::MIN;
            const HIGHEST: Self = <$t>::MAX;
            const IS_FLOAT: bool = false;
            #[inline(always)]
            fn to_acc(self) -> $acc {
                self as $acc
            }
            #[inline(always)]
            fn from_acc(a: $acc) -> Self {
                a as $t
            }
        }
        impl sealed::Arith for $t {
            #[inline(always)]
            fn n_add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn n_sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn n_mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn n_div(self, o: Self) -> Self {
                if o == 0 {
                    0
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn n_neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn n_abs(self) -> Self {
                numeric_int!(@abs self, $signed)
            }
            #[inline(always)]
            fn n_powi(self, n: i32) -> Self {
                self.wrapping_pow(n.max(0) as u32)
            }
            #[inline(always)]
            fn n_min(self, o: Self) -> Self {
                if self < o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn n_max(self, o: Self) -> Self {
                if self > o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn n_rem(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                if r != 0 && ((r < 0) != (o < 0)) {
                    r.wrapping_add(o)
                } else {
                    r
                }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn n_floor_div(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                if self.wrapping_rem(o) != 0 && ((self < 0) != (o < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            numeric_as!($t);
            const KEY_BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn order_key(self) -> u64 {
                // The offset from the type's minimum: order-preserving and exact.
                (self as i128 - <$t>::MIN as i128) as u64
            }
            #[inline(always)]
            fn from_order_key(k: u64) -> Self {
                (k as i128 + <$t>::MIN as i128) as $t
            }
        }
        impl Integer for $t {
            #[inline(always)]
            fn n_shl(self, n: u32) -> Self {
                self.checked_shl(n).unwrap_or(0)
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn n_shr(self, n: u32) -> Self {
                self.checked_shr(n)
                    .unwrap_or(if self < 0 { !0 } else { 0 })
            }
        }
    };
    (@abs $x:ident, true) => {
        $x.wrapping_abs()
    };
    (@abs $x:ident, false) => {
        $x
    };
}

/// NumPy's float `divmod` (`npy_divmod`) for a nonzero divisor: the remainder is `fmod`'s,
/// moved to the divisor's sign (a zero remainder is a zero of the divisor's sign), and the
/// quotient is `(a - mod) / b` rounded to the nearest integer it is within rounding of. So
/// `1.0 // 0.1 == 9.0` (`floor(1.0 / 0.1)` is 10), `-1.0 // inf == -1.0` and `inf // 2.0` is NaN,
/// and `a == b * (a // b) + a % b` holds as far as rounding lets it.
macro_rules! float_divmod {
    ($a:expr, $b:expr) => {{
        let (a, b) = ($a, $b);
        let mut m = a % b;
        let mut div = (a - m) / b;
        // NaN counts as nonzero, as in C.
        if m != 0.0 || m.is_nan() {
            if (b < 0.0) != (m < 0.0) {
                m += b;
                div -= 1.0;
            }
        } else {
            m = (0.0 as Self).copysign(b);
        }
        let q = if div != 0.0 || div.is_nan() {
            let f = div.floor();
            if div - f > 0.5 {
                f + 1.0
            } else {
                f
            }
        } else {
            (0.0 as Self).copysign(a / b)
        };
        (q, m)
    }};
}

macro_rules! numeric_float {
    ($t:ty, $dt:ident) => {
        element_common!($t, $dt, 0.0);
        impl Numeric for $t {
            type Acc = $t;
            type Float = $t;
            const ONE: Self = 1.0;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            const IS_FLOAT: bool = true;
            #[inline(always)]
            fn to_acc(self) -> $t {
                self
            }
            #[inline(always)]
            fn from_acc(a: $t) -> Self {
                a
            }
        }
        impl sealed::Arith for $t {
            #[inline(always)]
            fn n_add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn n_sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn n_mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn n_div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn n_neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn n_abs(self) -> Self {
                self.abs()
            }
            #[inline(always)]
            fn n_powi(self, n: i32) -> Self {
                self.powi(n)
            }
            #[inline(always)]
            #[allow(clippy::eq_op)]
            fn n_min(self, o: Self) -> Self {
                // `self != self` is the NaN test; written as a compare so the loop vectorizes.
                if self < o || self != self {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            #[allow(clippy::eq_op)]
            fn n_max(self, o: Self) -> Self {
                if self > o || self != self {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn n_rem(self, o: Self) -> Self {
                if o == 0.0 {
                    // NaN, as NumPy's `fmod` for a zero divisor.
                    return self % o;
                }
                float_divmod!(self, o).1
            }
            #[inline(always)]
            fn n_floor_div(self, o: Self) -> Self {
                if o == 0.0 {
                    // inf or NaN, as NumPy.
                    return self / o;
                }
                float_divmod!(self, o).0
            }
            numeric_as!($t);
            const KEY_BITS: u32 = (std::mem::size_of::<$t>() * 8) as u32;
            #[inline(always)]
            fn order_key(self) -> u64 {
                let w = Self::KEY_BITS;
                let mask = u64::MAX >> (64 - w);
                let sign = 1u64 << (w - 1);
                let b = self.to_bits() as u64;
                // Negative values reversed below the positive ones; NaN above everything.
                if self.is_nan() {
                    mask
                } else if b & sign != 0 {
                    !b & mask
                } else {
                    b | sign
                }
            }
            #[inline(always)]
            fn from_order_key(k: u64) -> Self {
                let w = Self::KEY_BITS;
                let mask = u64::MAX >> (64 - w);
                let sign = 1u64 << (w - 1);
                let b = if k & sign != 0 { k & !sign } else { !k & mask };
                <$t>::from_bits(b as _)
            }
        }
    };
}

numeric_float!(f64, F64);
numeric_float!(f32, F32);
numeric_int!(i64, I64, i64, signed: true);
numeric_int!(i32, I32, i64, signed: true);
numeric_int!(u64, U64, u64, signed: false);
numeric_int!(u32, U32, u64, signed: false);
numeric_int!(i16, I16, i64, signed: true);
numeric_int!(i8, I8, i64, signed: true);
numeric_int!(u16, U16, u64, signed: false);
numeric_int!(u8, U8, u64, signed: false);
element_common!(bool, Bool, false);

/// NumPy's type promotion (`np.result_type`) between arrays of `Self` and `U`: the type both
/// sides of a mixed binary operation are converted to (`f32` with `f64` is `f64`, `i32` with
/// `f64` is `f64`, `u8` with `i64` is `i64`, `u64` with a signed type is `f64`). The table is
/// NumPy 2's `np.promote_types` over the ten numeric types; [`DType::promote`] is the same rule
/// at run time.
pub trait Promote<U: Numeric>: Numeric {
    /// The common type.
    type Output: Numeric;
    /// This side as the common type (Rust's `as`, which rounds as NumPy's conversion does).
    fn lhs(self) -> Self::Output;
    /// The other side as the common type.
    fn rhs(u: U) -> Self::Output;
}

impl<T: Numeric> Promote<T> for T {
    type Output = T;
    #[inline(always)]
    fn lhs(self) -> T {
        self
    }
    #[inline(always)]
    fn rhs(u: T) -> T {
        u
    }
}

macro_rules! promote {
    ($a:ty: $($b:ty => $o:ty),*) => {$(
        impl Promote<$b> for $a {
            type Output = $o;
            #[inline(always)]
            fn lhs(self) -> $o {
                self as $o
            }
            #[inline(always)]
            fn rhs(u: $b) -> $o {
                u as $o
            }
        }
    )*};
}
// Generated from NumPy 2.x: `np.promote_types(a, b)` for every ordered pair.
promote!(f64: f32 => f64, i64 => f64, i32 => f64, i16 => f64, i8 => f64, u64 => f64, u32 => f64, u16 => f64, u8 => f64);
promote!(f32: f64 => f64, i64 => f64, i32 => f64, i16 => f32, i8 => f32, u64 => f64, u32 => f64, u16 => f32, u8 => f32);
promote!(i64: f64 => f64, f32 => f64, i32 => i64, i16 => i64, i8 => i64, u64 => f64, u32 => i64, u16 => i64, u8 => i64);
promote!(i32: f64 => f64, f32 => f64, i64 => i64, i16 => i32, i8 => i32, u64 => f64, u32 => i64, u16 => i32, u8 => i32);
promote!(i16: f64 => f64, f32 => f32, i64 => i64, i32 => i32, i8 => i16, u64 => f64, u32 => i64, u16 => i32, u8 => i16);
promote!(i8: f64 => f64, f32 => f32, i64 => i64, i32 => i32, i16 => i16, u64 => f64, u32 => i64, u16 => i32, u8 => i16);
promote!(u64: f64 => f64, f32 => f64, i64 => f64, i32 => f64, i16 => f64, i8 => f64, u32 => u64, u16 => u64, u8 => u64);
promote!(u32: f64 => f64, f32 => f64, i64 => i64, i32 => i64, i16 => i64, i8 => i64, u64 => u64, u16 => u32, u8 => u32);
promote!(u16: f64 => f64, f32 => f32, i64 => i64, i32 => i32, i16 => i32, i8 => i32, u64 => u64, u32 => u32, u8 => u16);
promote!(u8: f64 => f64, f32 => f32, i64 => i64, i32 => i32, i16 => i16, i8 => i16, u64 => u64, u32 => u32, u16 => u16);

/// A conversion between element types with NumPy's `astype` semantics as far as Rust allows:
/// numeric to numeric is Rust's `as` (floats to integers saturate, NaN becomes 0), anything to
/// `bool` is `!= 0`, `bool` to numeric is 0 or 1.
pub trait CastTo<U: Element>: Element {
    /// Convert one value.
    fn cast(self) -> U;
}

macro_rules! cast_num_to {
    ($from:ty => $($to:ty),*) => {
        $(impl CastTo<$to> for $from {
            #[inline(always)]
            fn cast(self) -> $to { self as $to }
        })*
        impl CastTo<bool> for $from {
            #[inline(always)]
            fn cast(self) -> bool { self.is_nonzero() }
        }
    };
}

cast_num_to!(f64 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(f32 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(i64 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(i32 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(i16 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(i8 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(u64 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(u32 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(u16 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
cast_num_to!(u8 => f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);

macro_rules! cast_bool_to {
    ($($to:ty),*) => {
        $(impl CastTo<$to> for bool {
            #[inline(always)]
            fn cast(self) -> $to { self as u8 as $to }
        })*
    };
}
cast_bool_to!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
impl CastTo<bool> for bool {
    #[inline(always)]
    fn cast(self) -> bool {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arithmetic_never_panics() {
        assert_eq!(i64::MIN.n_div(-1), i64::MIN);
        assert_eq!(7i32.n_div(0), 0);
        assert_eq!(u8::MAX.n_add(1), 0);
        assert_eq!(i64::MIN.n_abs(), i64::MIN);
        assert_eq!(3u32.n_neg(), u32::MAX - 2);
        assert_eq!(2u8.n_powi(9), 0);
    }

    /// NumPy's values (`np.floor_divide`, `np.remainder`) for floats, bit for bit.
    #[test]
    fn float_floor_divide_and_remainder_follow_numpy_divmod() {
        let inf = f64::INFINITY;
        let cases: [(f64, f64, f64, f64); 12] = [
            (1.0, 0.1, 9.0, 0.09999999999999995),
            (-1.0, inf, -1.0, inf),
            (1.0, inf, 0.0, 1.0),
            (-4.0, 2.0, -2.0, 0.0),
            (4.0, -2.0, -2.0, -0.0),
            (-0.0, 3.0, -0.0, 0.0),
            (0.0, -3.0, -0.0, -0.0),
            (-7.0, 2.0, -4.0, 1.0),
            (7.0, -2.0, -4.0, -1.0),
            (1.0, 0.0, inf, f64::NAN),
            (-1.0, 0.0, -inf, f64::NAN),
            (0.0, 0.0, f64::NAN, f64::NAN),
        ];
        for (a, b, q, m) in cases {
            let (gq, gm) = (a.n_floor_div(b), a.n_rem(b));
            assert!(
                gq.to_bits() == q.to_bits() || (gq.is_nan() && q.is_nan()),
                "{a} // {b}: {gq} against {q}"
            );
            assert!(
                gm.to_bits() == m.to_bits() || (gm.is_nan() && m.is_nan()),
                "{a} % {b}: {gm} against {m}"
            );
        }
        assert!(inf.n_floor_div(2.0).is_nan());
        assert!(inf.n_rem(2.0).is_nan());
        assert!(f64::NAN.n_floor_div(2.0).is_nan());
        assert_eq!(1.0f32.n_floor_div(0.1), 9.0);
        assert_eq!((-4.0f32).n_rem(2.0).to_bits(), 0.0f32.to_bits());
    }

    #[test]
    fn float_min_max_propagate_nan() {
        assert!(f64::NAN.n_min(1.0).is_nan());
        assert!(1.0f64.n_min(f64::NAN).is_nan());
        assert!(f32::NAN.n_max(1.0).is_nan());
        assert!(1.0f32.n_max(f32::NAN).is_nan());
        assert_eq!(1.0f64.n_min(2.0), 1.0);
    }

    #[test]
    fn casts_follow_numpy() {
        assert_eq!(CastTo::<f64>::cast(true), 1.0);
        assert!(!CastTo::<bool>::cast(0.0f64));
        assert_eq!(CastTo::<u8>::cast(300i64), 44);
        assert_eq!(CastTo::<i32>::cast(f64::NAN), 0);
    }
}
