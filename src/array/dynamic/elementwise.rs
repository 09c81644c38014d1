//! The array API standard's elementwise functions past NumPy's operators, on [`DynArray`]: the
//! hyperbolic functions, `sign`/`signbit`/`isinf`, the float functions of two operands, the
//! shifts, the logical functions and `clip` with array bounds. Each promotes its operands as
//! the operators do (NumPy 2's rules, Python numbers weak), then runs the typed kernel, so it
//! fuses like every other elementwise op.

use super::{
    float_dtype, int_range, result_dtype, typed_operand, unsupported, DynArray, DynOperand,
};
use crate::array::ops::shift_count;
use crate::element::{DType, Integer, Numeric};
use crate::error::Result;

/// Defines float functions of two operands: both promoted, then computed in the float type
/// of the promoted dtype (as [`DynArray::sqrt`] picks it for integers and `bool`).
macro_rules! float_binary {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
                let op = stringify!($name);
                let d = float_dtype(result_dtype(op, this, &rhs)?);
                let rhs = match rhs {
                    DynOperand::Array(b) => DynOperand::Array(b.astype(d)),
                    other => other,
                };
                float!(this.astype(d), op, a, T => {
                    Ok(a.$name(typed_operand::<T>(op, &rhs)?).into())
                })
            }
            imp(self, rhs.into())
        }
    )*};
}

/// Defines the shifts: integers after promotion (two `bool` operands shift as `i8`, as
/// NumPy's); a count past the width, or negative, gives 0 (or the sign fill to the right).
macro_rules! shift {
    ($($(#[$doc:meta])* $name:ident => $f:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
                let op = stringify!($name);
                let d = match result_dtype(op, this, &rhs)? {
                    DType::Bool => DType::I8,
                    d => d,
                };
                integer!(this.astype(d), op, a, T => {
                    Ok(a.bitwise(typed_operand::<T>(op, &rhs)?, op, shifted::<T>).into())
                })
            }
            fn shifted<T: Integer>(x: T, n: T) -> T {
                x.$f(shift_count(n))
            }
            imp(self, rhs.into())
        }
    )*};
}

/// Defines the logical functions of two operands: each side as `bool` (non-zero is true,
/// as NumPy's `logical_*` read numbers), then the `bool` operator.
macro_rules! logical {
    ($($(#[$doc:meta])* $name:ident => $via:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            self.astype(DType::Bool).$via(as_bool(rhs.into()))
        }
    )*};
}

/// An operand as `bool`: an array cast, a number compared with zero.
fn as_bool(x: DynOperand) -> DynOperand {
    match x {
        DynOperand::Array(a) => DynOperand::Array(a.astype(DType::Bool)),
        DynOperand::Scalar(s) => {
            DynOperand::Bool(s.astype(DType::Bool).downcast::<bool>() == Some(true))
        }
        DynOperand::Int(v) => DynOperand::Bool(v != 0),
        DynOperand::Float(v) => DynOperand::Bool(v != 0.0),
        DynOperand::Bool(v) => DynOperand::Bool(v),
    }
}

/// ## The array API's elementwise functions
impl DynArray {
    float_binary! {
        /// The angle of the point `(rhs, self)` in `[-pi, pi]` (`atan2(y = self, x = rhs)`).
        ///
        /// ```
        /// use chunkwise::DynArray;
        /// let y = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[1.0, -1.0]), 2)?);
        /// let v = y.atan2(0.0)?.compute()?.downcast::<f64>()?;
        /// assert_eq!(v.as_slice().unwrap(), &[std::f64::consts::FRAC_PI_2, -std::f64::consts::FRAC_PI_2]);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        atan2;
        /// `sqrt(self^2 + rhs^2)` without undue overflow.
        hypot;
        /// `|self|` with the sign bit of `rhs`.
        copysign;
        /// `ln(e^self + e^rhs)` without overflow (NumPy's `logaddexp`).
        logaddexp;
        /// The next representable value after `self` toward `rhs`, in the promoted float type.
        nextafter;
    }

    shift! {
        /// `self << rhs` (NumPy's `left_shift`, the standard's `bitwise_left_shift`).
        ///
        /// ```
        /// use chunkwise::DynArray;
        /// let x = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[1i32, 3]), 2)?);
        /// let v = x.shl(DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[2i32, 40]), 2)?))?;
        /// assert_eq!(v.compute()?.downcast::<i32>()?.as_slice().unwrap(), &[4, 0]);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        shl => n_shl;
        /// `self >> rhs`, arithmetic for signed types (NumPy's `right_shift`).
        shr => n_shr;
    }

    logical! {
        /// Whether both are true (non-zero), as `bool`.
        ///
        /// ```
        /// use chunkwise::DynArray;
        /// let x = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[0.0, 2.0, 3.0]), 3)?);
        /// let v = x.logical_and(DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[1i8, 0, 5]), 3)?))?;
        /// assert_eq!(v.compute()?.downcast::<bool>()?.as_slice().unwrap(), &[false, false, true]);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        logical_and => bitand;
        /// Whether either is true (non-zero).
        logical_or => bitor;
        /// Whether exactly one is true (non-zero).
        logical_xor => bitxor;
    }

    /// Whether each element is zero (`false` for non-zero values), as `bool`.
    pub fn logical_not(&self) -> Result<DynArray> {
        self.astype(DType::Bool).invert()
    }

    /// NumPy's `sign`: -1, 0 or 1 in the array's dtype (NaN stays NaN, both zeros give `+0`);
    /// `bool` is an [`Error::UnsupportedDType`](crate::Error::UnsupportedDType).
    pub fn sign(&self) -> Result<DynArray> {
        fn of<T: Numeric>(x: T) -> T {
            if x > T::ZERO {
                T::ONE
            } else if x < T::ZERO {
                T::ZERO.n_sub(T::ONE)
            } else {
                // Zero stays zero, and a float NaN stays NaN (`NaN + 0` is NaN, `-0 + 0` is +0).
                x.n_add(T::ZERO)
            }
        }
        Ok(numeric!(self, "sign", a, T => a.map_same("sign", of::<T>).into()))
    }

    /// Whether the sign bit of each element is set: `-0.0` and NaNs with the bit set are
    /// `true` (NumPy's `signbit`); negative integers are `true`; `bool` arrays all `false`.
    pub fn signbit(&self) -> DynArray {
        match self {
            DynArray::F64(a) => a.signbit().into(),
            DynArray::F32(a) => a.signbit().into(),
            DynArray::Bool(a) => a.map_to("signbit", |_| false).into(),
            // The integer dtypes (every other arm is above).
            other => {
                fn negative<T: crate::element::Element>(x: T) -> bool {
                    x < T::ZERO
                }
                each!(other, a, T => a.map_to("signbit", negative::<T>).into())
            }
        }
    }

    /// Whether each element is infinite (`false` for integer and `bool` arrays).
    pub fn isinf(&self) -> DynArray {
        match self {
            DynArray::F64(a) => a.isinf().into(),
            DynArray::F32(a) => a.isinf().into(),
            other => each!(other, a, T => a.map_to("isinf", |_: T| false).into()),
        }
    }

    /// Each element limited to `[min, max]`, in the array's own dtype (the standard's `clip`:
    /// the bounds take no part in promotion). Either bound may be absent, a scalar or an array
    /// that broadcasts against `self`; in a float array a NaN anywhere gives NaN. A Python
    /// integer past the range of an integer dtype bounds nothing on its side; array and typed
    /// scalar bounds are cast to the array's dtype first, so out of its range they wrap (the
    /// standard leaves such bounds unspecified).
    ///
    /// ```
    /// use chunkwise::{DynArray, DynOperand};
    /// let x = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[-3i8, 0, 7]), 3)?);
    /// let hi = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&[1i8, 1, 5]), 3)?);
    /// let v = x.clip(Some(DynOperand::Int(-1)), Some(DynOperand::Array(hi)))?;
    /// assert_eq!(v.compute()?.downcast::<i8>()?.as_slice().unwrap(), &[-1, 0, 5]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn clip(&self, min: Option<DynOperand>, max: Option<DynOperand>) -> Result<DynArray> {
        let d = self.dtype();
        if d == DType::Bool {
            return Err(unsupported("clip", self.shape(), &[d], "a numeric dtype"));
        }
        // A bound in the array's dtype, where that keeps its value (an integer bound out of an
        // integer dtype's range is clamped to it: the same clip).
        let bound = |b: DynOperand| match b {
            DynOperand::Array(a) => DynOperand::Array(a.astype(d)),
            DynOperand::Scalar(s) => DynOperand::Scalar(s.astype(d)),
            DynOperand::Int(v) => match int_range(d) {
                Some((lo, hi)) => DynOperand::Int(v.clamp(lo, hi)),
                None => DynOperand::Int(v),
            },
            other => other,
        };
        let mut r = self.clone();
        if let Some(lo) = min {
            r = r.maximum(bound(lo))?;
        }
        if let Some(hi) = max {
            r = r.minimum(bound(hi))?;
        }
        // A float bound of an integer array promotes to f64; the clipped values are back in
        // the array's range.
        Ok(r.astype(d))
    }
}
