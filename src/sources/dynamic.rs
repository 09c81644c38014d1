//! The sources of a dtype chosen at run time: [`DynArray`]'s creation functions (NumPy's
//! `dtype=` argument), here with the other sources rather than beside `DynArray` (sources are
//! built on arrays, not arrays on sources).

use crate::array::{DynArray, DynScalar};
use crate::chunks::IntoShape;
use crate::element::DType;
use crate::error::{Error, Result};

/// ## Creation by dtype
///
/// The sources of a dtype chosen at run time (NumPy's `dtype=` argument).
impl DynArray {
    /// `shape` filled with `value`, of `value`'s dtype (NumPy's `full(shape, value, dtype)`
    /// with `value` already cast: see [`DynScalar::astype`]).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray, DynScalar};
    /// let x = DynArray::full([2, 3], DynScalar::of(7u8));
    /// assert_eq!(x.dtype(), DType::U8);
    /// assert_eq!(x.sum_with(None, Default::default())?.item()?.to_f64(), 42.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn full(shape: impl IntoShape, value: DynScalar) -> DynArray {
        crate::element::with_dtype!(value.dtype(), T => {
            let v: T = value.downcast().expect("a scalar downcasts to its own dtype");
            crate::full(shape, v).into()
        })
    }

    /// Zeros of `dtype` (`false` for `bool`).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = DynArray::zeros(DType::F32, [4]);
    /// assert_eq!((x.dtype(), x.shape()), (DType::F32, &[4usize][..]));
    /// ```
    pub fn zeros(dtype: DType, shape: impl IntoShape) -> DynArray {
        crate::element::with_dtype!(dtype, T => crate::zeros::<T>(shape).into())
    }

    /// Ones of `dtype` (`true` for `bool`).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = DynArray::ones(DType::I16, [4]);
    /// assert_eq!(x.sum_with(None, Default::default())?.item()?.to_f64(), 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn ones(dtype: DType, shape: impl IntoShape) -> DynArray {
        Self::full(shape, DynScalar::of(1u8).astype(dtype))
    }

    /// `start, start + step, ..` up to `stop` (excluded), of `dtype` (NumPy's
    /// `arange(start, stop, step, dtype=dtype)`; the three are cast to `dtype` first).
    ///
    /// Errors with [`Error::UnsupportedDType`] for `bool`, and as [`crate::arange_of`] does for
    /// a zero or non-finite step.
    ///
    /// ```
    /// use chunkwise::{DType, DynArray, DynScalar};
    /// let x = DynArray::arange(DynScalar::of(1i64), DynScalar::of(10i64), DynScalar::of(3i64), DType::U8)?;
    /// assert_eq!(x.compute()?.downcast::<u8>()?.into_raw_vec_and_offset().0, vec![1, 4, 7]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn arange(
        start: DynScalar,
        stop: DynScalar,
        step: DynScalar,
        dtype: DType,
    ) -> Result<DynArray> {
        macro_rules! numeric_arange {
            ($($V:ident $t:ty),*) => {
                match dtype {
                    $(DType::$V => {
                        let get = |v: DynScalar| -> $t {
                            v.astype(dtype).downcast().expect("cast to its dtype")
                        };
                        let x = crate::arange_of::<$t>(get(start), get(stop), get(step));
                        // arange_of records a bad step in the graph; say it here.
                        x.plan()?;
                        Ok(x.into())
                    })*
                    DType::Bool => Err(Error::UnsupportedDType {
                        op: "arange".into(),
                        dtypes: "bool".into(),
                        reason: "needs a numeric dtype".into(),
                    }),
                }
            };
        }
        numeric_arange!(F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32, I16 i16, I8 i8,
                        U16 u16, U8 u8)
    }
}
