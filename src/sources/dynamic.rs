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
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(shape: Vec<usize>, value: DynScalar) -> DynArray {
            crate::element::with_dtype!(value.dtype(), T => {
                let v: T = value.downcast().expect("a scalar downcasts to its own dtype");
                crate::full(shape, v).into()
            })
        }
        imp(shape.into_shape_vec(), value)
    }

    /// Zeros of `dtype` (`false` for `bool`).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = DynArray::zeros(DType::F32, [4]);
    /// assert_eq!((x.dtype(), x.shape()), (DType::F32, &[4usize][..]));
    /// ```
    pub fn zeros(dtype: DType, shape: impl IntoShape) -> DynArray {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(dtype: DType, shape: Vec<usize>) -> DynArray {
            crate::element::with_dtype!(dtype, T => crate::zeros::<T>(shape).into())
        }
        imp(dtype, shape.into_shape_vec())
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
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(dtype: DType, shape: Vec<usize>) -> DynArray {
            DynArray::full(shape, DynScalar::of(1u8).astype(dtype))
        }
        imp(dtype, shape.into_shape_vec())
    }

    /// `start, start + step, ..` up to `stop` (excluded), of `dtype` (NumPy's
    /// `arange(start, stop, step, dtype=dtype)`: the length comes from the values as given, not
    /// cast to `dtype`, and the values are cast to it).
    ///
    /// Errors with [`Error::UnsupportedDType`] for `bool`, and as [`crate::arange_of`] does for
    /// a zero or non-finite step.
    ///
    /// ```
    /// use chunkwise::{DType, DynArray, DynScalar};
    /// let x = DynArray::arange(DynScalar::of(1i64), DynScalar::of(10i64), DynScalar::of(3i64), DType::U8)?;
    /// assert_eq!(x.compute()?.downcast::<u8>()?.into_raw_vec_and_offset().0, vec![1, 4, 7]);
    /// // A negative step counts down in an unsigned dtype too, and a stop past the dtype's range
    /// // counts as given (the values wrap, as NumPy's).
    /// let down = DynArray::arange(DynScalar::of(5i64), DynScalar::of(0i64), DynScalar::of(-2i64), DType::U8)?;
    /// assert_eq!(down.compute()?.downcast::<u8>()?.into_raw_vec_and_offset().0, vec![5, 3, 1]);
    /// let wide = DynArray::arange(DynScalar::of(0i64), DynScalar::of(300i64), DynScalar::of(100i64), DType::U8)?;
    /// assert_eq!(wide.compute()?.downcast::<u8>()?.into_raw_vec_and_offset().0, vec![0, 100, 200]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn arange(
        start: DynScalar,
        stop: DynScalar,
        step: DynScalar,
        dtype: DType,
    ) -> Result<DynArray> {
        // An integer dtype counts from the values as given, as NumPy's does: `arange(0, 300,
        // 100, dtype=uint8)` is [0, 100, 200] and `arange(10, 0, -1, dtype=uint8)` counts down,
        // where casting 300 or -1 to the dtype first would not. Whole numbers count in i64,
        // others in f64; the values are then cast (wrapping, as NumPy's).
        let integer = !matches!(dtype, DType::F64 | DType::F32 | DType::Bool);
        let fraction = [start, stop, step].iter().any(|v| {
            matches!(v, DynScalar::F64(_) | DynScalar::F32(_)) && v.to_f64().fract() != 0.0
        });
        if integer {
            let counted: Option<DynArray> =
                match (exact_i64(start), exact_i64(stop), exact_i64(step)) {
                    // `arange(n)`: the range source, whose sums run at memory speed.
                    (Some(0), Some(b), Some(1)) => Some(crate::arange(b.max(0) as usize).into()),
                    (Some(a), Some(b), Some(s)) => Some(crate::arange_of::<i64>(a, b, s).into()),
                    _ if fraction => Some(
                        crate::arange_of::<f64>(start.to_f64(), stop.to_f64(), step.to_f64())
                            .into(),
                    ),
                    // Integers past i64 (u64's upper half): counted in the dtype below.
                    _ => None,
                };
            if let Some(counted) = counted {
                counted.plan()?;
                return Ok(counted.astype(dtype));
            }
        }
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

    /// The `n x m` array of `dtype` with ones on the `k`-th diagonal (`col - row == k`), zeros
    /// elsewhere (NumPy's `eye`; `true`/`false` for `bool`).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let e = DynArray::eye(DType::I32, 2, 3, 1);
    /// let v = e.compute()?.downcast::<i32>()?;
    /// assert_eq!(v.into_raw_vec_and_offset().0, vec![0, 1, 0, 0, 0, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn eye(dtype: DType, n: usize, m: usize, k: isize) -> DynArray {
        DynArray::from(crate::eye::<u8>(n, m, k)).astype(dtype)
    }

    /// Coordinate arrays from 1-d coordinate vectors, each output of its input's dtype (NumPy's
    /// `meshgrid`; see [`crate::meshgrid`]).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray, Indexing};
    /// let x = DynArray::from(chunkwise::arange(3));
    /// let y = DynArray::from(chunkwise::linspace(0.0, 1.0, 2));
    /// let g = DynArray::meshgrid(&[x, y], Indexing::Xy)?;
    /// assert_eq!((g[0].shape(), g[0].dtype()), (&[2usize, 3][..], DType::I64));
    /// assert_eq!(g[1].dtype(), DType::F64);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn meshgrid(xs: &[DynArray], indexing: crate::Indexing) -> Result<Vec<DynArray>> {
        let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
        let (shape, along) = super::creation::meshgrid_layout(&shapes, indexing)?;
        xs.iter()
            .zip(along)
            .map(|(x, along)| x.reshape(along)?.broadcast_to(shape.clone()))
            .collect()
    }
}

/// The value as an `i64` when it is a whole number in its range (an integer of any dtype, or
/// an integral float).
fn exact_i64(v: DynScalar) -> Option<i64> {
    match v {
        DynScalar::I64(x) => Some(x),
        DynScalar::I32(x) => Some(x.into()),
        DynScalar::I16(x) => Some(x.into()),
        DynScalar::I8(x) => Some(x.into()),
        DynScalar::U64(x) => i64::try_from(x).ok(),
        DynScalar::U32(x) => Some(x.into()),
        DynScalar::U16(x) => Some(x.into()),
        DynScalar::U8(x) => Some(x.into()),
        DynScalar::F64(_) | DynScalar::F32(_) => {
            let f = v.to_f64();
            // -2^63 and 2^63 bound the range; the upper is exclusive.
            let bound = 2f64.powi(63);
            (f.fract() == 0.0 && (-bound..bound).contains(&f)).then_some(f as i64)
        }
        DynScalar::Bool(_) => None,
    }
}
