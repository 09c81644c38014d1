//! [`DynArray`], the dtype-erased face of [`ChunkedArray`]: the dtype is known at run time and
//! every operation decides NumPy 2's promotion and casting then, as polars' `Series` beside its
//! typed `ChunkedArray<T>`. It is what a file of unknown dtype opens as, and what a binding to
//! another language holds.
//!
//! Each method is one dispatch over the eleven dtypes to the typed method: no array logic lives
//! here, so the two faces give the same graphs and the same bits.

use std::any::Any;
use std::fmt;

use ndarray::{ArrayD, SliceInfoElem};

use super::movement::BlockSpec;
use super::ops::Operand;
use super::{Axes, ChunkedArray, ReduceOptions};
use crate::chunks::{Chunks, IntoChunks, IntoShape};
use crate::element::{Arith, CastTo, DType, Element, Numeric};
use crate::error::{Error, Result};
use crate::execute::Config;
use crate::plan::Plan;

/// A lazy chunked array whose element type is known at run time: one [`ChunkedArray<T>`] of
/// any of the eleven dtypes. Converting either way is free ([`From`], [`DynArray::downcast`]).
///
/// Binary operations promote as NumPy 2 does (`np.result_type`): `i32 + f32` is `f64`,
/// `u8 + i8` is `i16`; a Rust number on the right is a *weak* scalar (NEP 50, as a Python
/// number in NumPy 2) that takes the array's dtype (`u8 array + 1` stays `u8`) unless its kind
/// is wider (`i32 array + 0.5` is `f64`). Operations the dtype does not support (bitwise on
/// floats, `-` and negation of `bool`, as NumPy's `TypeError`) are
/// [`Error::UnsupportedDType`], returned at once: the dtype, like a shape, is known when the
/// graph is built. What is not wrapped here is one `match` away: the variants are the typed
/// arrays.
///
/// ```
/// use chunkwise::{DType, DynArray, ReduceOptions};
/// let x = DynArray::from(chunkwise::arange(10).cast::<i32>());
/// let y = DynArray::from(chunkwise::arange(10).cast::<f32>()).mul(0.5)?; // stays f32
/// let z = x.add(&y)?; // i32 + f32 promotes to f64
/// assert_eq!((y.dtype(), z.dtype()), (DType::F32, DType::F64));
/// let s = z.sum_with(None, ReduceOptions::default())?;
/// assert_eq!(s.item()?.to_f64(), 67.5);
/// // back to the typed face, for free
/// let typed: chunkwise::ChunkedArray<f64> = z.downcast()?;
/// assert_eq!(typed.shape(), &[10]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone)]
#[allow(missing_docs)] // the variants are the dtypes, named as DType's
pub enum DynArray {
    F64(ChunkedArray<f64>),
    F32(ChunkedArray<f32>),
    I64(ChunkedArray<i64>),
    I32(ChunkedArray<i32>),
    U64(ChunkedArray<u64>),
    U32(ChunkedArray<u32>),
    I16(ChunkedArray<i16>),
    I8(ChunkedArray<i8>),
    U16(ChunkedArray<u16>),
    U8(ChunkedArray<u8>),
    Bool(ChunkedArray<bool>),
}

/// A computed [`DynArray`]: an `ndarray::ArrayD` of its dtype.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // the variants are the dtypes, named as DType's
pub enum DynNdArray {
    F64(ArrayD<f64>),
    F32(ArrayD<f32>),
    I64(ArrayD<i64>),
    I32(ArrayD<i32>),
    U64(ArrayD<u64>),
    U32(ArrayD<u32>),
    I16(ArrayD<i16>),
    I8(ArrayD<i8>),
    U16(ArrayD<u16>),
    U8(ArrayD<u8>),
    Bool(ArrayD<bool>),
}

/// One value of run-time dtype: [`DynArray::item`]'s result, and a *strong* scalar operand
/// (it keeps its dtype in promotion, as a NumPy scalar `np.float32(2)` does).
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)] // the variants are the dtypes, named as DType's
pub enum DynScalar {
    F64(f64),
    F32(f32),
    I64(i64),
    I32(i32),
    U64(u64),
    U32(u32),
    I16(i16),
    I8(i8),
    U16(u16),
    U8(u8),
    Bool(bool),
}

/// The right side of a [`DynArray`] binary operation: an array, a strong scalar of a dtype,
/// or a weak number (a Rust `i64`/`f64`/`bool`, as a Python number in NumPy 2's NEP 50).
#[derive(Clone)]
pub enum DynOperand {
    /// An array, broadcast NumPy-style.
    Array(DynArray),
    /// A scalar of its own dtype.
    Scalar(DynScalar),
    /// A weak integer (any Python int up to the `u64` range and down to `i64::MIN`): the
    /// array's dtype if that is an integer type (it must fit, as NumPy 2's `OverflowError`;
    /// comparisons take any value), else the float's, or `i64` with `bool`.
    Int(i128),
    /// A weak float: the array's dtype if it is a float type, else `f64`.
    Float(f64),
    /// A weak bool: the array's dtype.
    Bool(bool),
}

impl DynOperand {
    /// The operand as an array beside `other`, for `self op other` with `self` on the left
    /// (Python's reflected operators, and functions of an array and a Python scalar in either
    /// place): an array is itself, a scalar a 0-d array of its dtype, and a weak value a 0-d
    /// array of the dtype it takes beside `other` (see the variants), so that the op promotes
    /// as `other op self` does. An int out of range for an integer `other` is the
    /// [`Error::InvalidParameter`] that `other op int` gives.
    ///
    /// ```
    /// use chunkwise::{DType, DynArray, DynOperand};
    /// let x = DynArray::from(chunkwise::arange(3).cast::<i8>());
    /// let two = DynOperand::Int(2).into_array_beside("sub", &x)?;
    /// assert_eq!(two.dtype(), DType::I8);
    /// let d = two.sub(&x)?.compute()?.downcast::<i8>()?;
    /// assert_eq!(d.iter().copied().collect::<Vec<_>>(), [2, 1, 0]);
    /// assert!(DynOperand::Int(300).into_array_beside("sub", &x).is_err());
    /// assert_eq!(DynOperand::Float(0.5).into_array_beside("add", &x)?.dtype(), DType::F64);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn into_array_beside(self, op: &str, other: &DynArray) -> Result<DynArray> {
        let weak = match self {
            DynOperand::Array(a) => return Ok(a),
            DynOperand::Scalar(s) => return Ok(zero_d(s)),
            DynOperand::Int(v) => DynScalar::from_int(v),
            DynOperand::Float(v) => DynScalar::F64(v),
            DynOperand::Bool(v) => DynScalar::Bool(v),
        };
        let d = result_dtype(op, other, &self)?;
        if let DynOperand::Int(v) = self {
            check_weak_int(op, d, v)?;
        }
        Ok(zero_d(weak.astype(d)))
    }
}

impl From<DynArray> for DynOperand {
    fn from(a: DynArray) -> Self {
        DynOperand::Array(a)
    }
}
impl From<&DynArray> for DynOperand {
    fn from(a: &DynArray) -> Self {
        DynOperand::Array(a.clone())
    }
}
impl From<DynScalar> for DynOperand {
    fn from(s: DynScalar) -> Self {
        DynOperand::Scalar(s)
    }
}
impl From<i128> for DynOperand {
    fn from(v: i128) -> Self {
        DynOperand::Int(v)
    }
}
impl From<i64> for DynOperand {
    fn from(v: i64) -> Self {
        DynOperand::Int(v.into())
    }
}
impl From<u64> for DynOperand {
    fn from(v: u64) -> Self {
        DynOperand::Int(v.into())
    }
}
impl From<i32> for DynOperand {
    fn from(v: i32) -> Self {
        DynOperand::Int(v.into())
    }
}
impl From<f64> for DynOperand {
    fn from(v: f64) -> Self {
        DynOperand::Float(v)
    }
}
impl From<bool> for DynOperand {
    fn from(v: bool) -> Self {
        DynOperand::Bool(v)
    }
}

/// Runs `$body` with `$a` the typed array of `$x` (a [`DynArray`] or a reference to one) and
/// `$T` its element type, for every dtype.
macro_rules! each {
    ($x:expr, $a:ident, $T:ident => $body:expr) => {
        each!(@arms $x, $a, $T, $body; F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32,
              I16 i16, I8 i8, U16 u16, U8 u8, Bool bool)
    };
    (@arms $x:expr, $a:ident, $T:ident, $body:expr; $($V:ident $t:ty),*) => {
        match $x {
            $(DynArray::$V($a) => {
                #[allow(dead_code)]
                type $T = $t;
                $body
            })*
        }
    };
}

/// [`each!`] over the numeric dtypes; `bool` is an [`Error::UnsupportedDType`] of `$op`.
macro_rules! numeric {
    ($x:expr, $op:expr, $a:ident, $T:ident => $body:expr) => {
        numeric!(@arms $x, $op, $a, $T, $body; F64 f64, F32 f32, I64 i64, I32 i32, U64 u64,
                 U32 u32, I16 i16, I8 i8, U16 u16, U8 u8)
    };
    (@arms $x:expr, $op:expr, $a:ident, $T:ident, $body:expr; $($V:ident $t:ty),*) => {
        match $x {
            $(DynArray::$V($a) => {
                #[allow(dead_code)]
                type $T = $t;
                $body
            })*
            DynArray::Bool(b) => return Err(unsupported($op, b.shape(), &[DType::Bool], "a numeric dtype")),
        }
    };
}

/// [`each!`] over the float dtypes; anything else is an [`Error::UnsupportedDType`].
macro_rules! float {
    ($x:expr, $op:expr, $a:ident, $T:ident => $body:expr) => {
        match $x {
            DynArray::F64($a) => {
                #[allow(dead_code)]
                type $T = f64;
                $body
            }
            DynArray::F32($a) => {
                #[allow(dead_code)]
                type $T = f32;
                $body
            }
            other => {
                return Err(unsupported(
                    $op,
                    other.shape(),
                    &[other.dtype()],
                    "a float dtype",
                ))
            }
        }
    };
}

/// [`each!`] over the integer dtypes; anything else is an [`Error::UnsupportedDType`].
macro_rules! integer {
    ($x:expr, $op:expr, $a:ident, $T:ident => $body:expr) => {
        integer!(@arms $x, $op, $a, $T, $body; I64 i64, I32 i32, U64 u64, U32 u32, I16 i16,
                 I8 i8, U16 u16, U8 u8)
    };
    (@arms $x:expr, $op:expr, $a:ident, $T:ident, $body:expr; $($V:ident $t:ty),*) => {
        match $x {
            $(DynArray::$V($a) => {
                #[allow(dead_code)]
                type $T = $t;
                $body
            })*
            other => return Err(unsupported($op, other.shape(), &[other.dtype()], "an integer dtype")),
        }
    };
}

/// Runs `$body` with `$T` the element type of the dtype `$d`.
macro_rules! with_type {
    ($d:expr, $T:ident => $body:expr) => {
        crate::element::with_dtype!($d, $T => $body)
    };
}

fn unsupported(op: &str, shape: &[usize], dtypes: &[DType], needs: &str) -> Error {
    let names: Vec<&str> = dtypes.iter().map(|d| d.name()).collect();
    Error::UnsupportedDType {
        op: format!("{op} on shape {shape:?}"),
        dtypes: names.join(" and "),
        reason: format!("needs {needs}"),
    }
}

/// `v` as `U` when it is a `T` (the same type, as a run-time check).
fn same<T: 'static, U: 'static>(v: T) -> Option<U> {
    let mut slot = Some(v);
    (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<U>>()
        .and_then(Option::take)
}

impl<T: Element> From<ChunkedArray<T>> for DynArray {
    /// The typed array as a [`DynArray`] of its dtype (no copy, no new node).
    fn from(a: ChunkedArray<T>) -> Self {
        macro_rules! wrap {
            ($($V:ident $t:ty),*) => {
                match T::DTYPE {
                    $(DType::$V => DynArray::$V(same(a).expect("DTYPE names the type")),)*
                }
            };
        }
        wrap!(F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32, I16 i16, I8 i8, U16 u16,
              U8 u8, Bool bool)
    }
}

impl<T: Element> From<ArrayD<T>> for DynNdArray {
    fn from(a: ArrayD<T>) -> Self {
        macro_rules! wrap {
            ($($V:ident $t:ty),*) => {
                match T::DTYPE {
                    $(DType::$V => DynNdArray::$V(same(a).expect("DTYPE names the type")),)*
                }
            };
        }
        wrap!(F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32, I16 i16, I8 i8, U16 u16,
              U8 u8, Bool bool)
    }
}

impl<T: Element> TryFrom<DynArray> for ChunkedArray<T> {
    type Error = Error;
    fn try_from(a: DynArray) -> Result<Self> {
        a.downcast()
    }
}

macro_rules! scalar_from {
    ($($V:ident $t:ty),*) => {$(
        impl From<$t> for DynScalar {
            fn from(v: $t) -> Self {
                DynScalar::$V(v)
            }
        }
    )*};
}
scalar_from!(F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32, I16 i16, I8 i8, U16 u16,
             U8 u8, Bool bool);

impl DynScalar {
    /// A value of element type `T`.
    pub fn of<T: Element>(v: T) -> Self {
        macro_rules! wrap {
            ($($V:ident $t:ty),*) => {
                match T::DTYPE {
                    $(DType::$V => DynScalar::$V(same(v).expect("DTYPE names the type")),)*
                }
            };
        }
        wrap!(F64 f64, F32 f32, I64 i64, I32 i32, U64 u64, U32 u32, I16 i16, I8 i8, U16 u16,
              U8 u8, Bool bool)
    }

    /// A Python int as a scalar, before any dtype is known: `i64` when it fits, else `u64`,
    /// else the nearest `f64` (NumPy's reading of an int literal: `2**63` is `uint64`).
    ///
    /// ```
    /// use chunkwise::{DType, DynScalar};
    /// assert_eq!(DynScalar::from_int(-3), DynScalar::I64(-3));
    /// assert_eq!(DynScalar::from_int(1 << 63), DynScalar::U64(1 << 63));
    /// assert_eq!(DynScalar::from_int(1 << 70).dtype(), DType::F64);
    /// ```
    pub fn from_int(v: i128) -> Self {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => DynScalar::I64(i),
            (_, Ok(u)) => DynScalar::U64(u),
            _ => DynScalar::F64(v as f64),
        }
    }

    /// Its dtype.
    pub fn dtype(self) -> DType {
        self.apply(|_| ()).0
    }

    /// The value as `f64` (NumPy's `float(x)`: 64-bit integers round, `bool` is 0 or 1).
    pub fn to_f64(self) -> f64 {
        macro_rules! as_f64 {
            ($($V:ident),*) => {
                match self {
                    $(DynScalar::$V(v) => CastTo::<f64>::cast(v),)*
                }
            };
        }
        as_f64!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }

    /// The value converted to `dtype`, as NumPy's `astype` of one value (see [`CastTo`]).
    pub fn astype(self, dtype: DType) -> DynScalar {
        macro_rules! cast {
            ($($V:ident),*) => {
                match self {
                    $(DynScalar::$V(v) => with_type!(dtype, U => DynScalar::of::<U>(CastTo::<U>::cast(v))),)*
                }
            };
        }
        cast!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }

    /// The value if it is a `T`.
    pub fn downcast<T: Element>(self) -> Option<T> {
        macro_rules! get {
            ($($V:ident),*) => {
                match self {
                    $(DynScalar::$V(v) => same(v),)*
                }
            };
        }
        get!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }

    fn apply(self, f: impl FnOnce(&dyn fmt::Display)) -> (DType, ()) {
        macro_rules! run {
            ($($V:ident),*) => {
                match self {
                    $(DynScalar::$V(v) => (DType::$V, f(&v)),)*
                }
            };
        }
        run!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }
}

impl fmt::Display for DynScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Ok(());
        self.apply(|v| out = write!(f, "{v}"));
        out
    }
}

impl DynNdArray {
    /// Its dtype.
    pub fn dtype(&self) -> DType {
        macro_rules! get {
            ($($V:ident),*) => {
                match self {
                    $(DynNdArray::$V(_) => DType::$V,)*
                }
            };
        }
        get!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }

    /// Its shape.
    pub fn shape(&self) -> &[usize] {
        macro_rules! get {
            ($($V:ident),*) => {
                match self {
                    $(DynNdArray::$V(a) => a.shape(),)*
                }
            };
        }
        get!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }

    /// The array if its elements are `T`, else [`Error::UnsupportedDType`].
    pub fn downcast<T: Element>(self) -> Result<ArrayD<T>> {
        let (dtype, shape) = (self.dtype(), self.shape().to_vec());
        macro_rules! get {
            ($($V:ident),*) => {
                match self {
                    $(DynNdArray::$V(a) => same(a),)*
                }
            };
        }
        get!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
            .ok_or_else(|| unsupported("downcast", &shape, &[dtype], T::DTYPE.name()))
    }
}

/// ## The array and its dtype
impl DynArray {
    /// Its element type.
    pub fn dtype(&self) -> DType {
        each!(self, a, T => a.dtype())
    }

    /// The typed array, if its elements are `T`; else [`Error::UnsupportedDType`] (a free
    /// conversion: no node is added).
    pub fn downcast<T: Element>(self) -> Result<ChunkedArray<T>> {
        let (dtype, shape) = (self.dtype(), self.shape().to_vec());
        each!(self, a, U => same::<ChunkedArray<U>, ChunkedArray<T>>(a))
            .ok_or_else(|| unsupported("downcast", &shape, &[dtype], T::DTYPE.name()))
    }

    fn downcast_ref_bool(&self) -> Result<ChunkedArray<bool>> {
        self.astype(DType::Bool).downcast::<bool>()
    }

    /// The typed array by reference, if its elements are `T`.
    pub fn as_typed<T: Element>(&self) -> Option<&ChunkedArray<T>> {
        each!(self, a, U => (a as &dyn Any).downcast_ref::<ChunkedArray<T>>())
    }

    /// The extents.
    pub fn shape(&self) -> &[usize] {
        each!(self, a, T => a.shape())
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements (saturating at `usize::MAX` for lazy arrays larger than that).
    pub fn len(&self) -> usize {
        each!(self, a, T => a.len())
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes its elements would take.
    pub fn nbytes(&self) -> u128 {
        each!(self, a, T => a.nbytes())
    }

    /// The chunk grid.
    pub fn chunks(&self) -> &Chunks {
        each!(self, a, T => a.chunks())
    }

    /// The same values on another chunk grid (see [`ChunkedArray::rechunk`]).
    pub fn rechunk(&self, chunks: impl IntoChunks) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, spec: crate::chunks::ChunkSpec) -> Result<DynArray> {
            Ok(each!(this, a, T => a.rechunk(spec)?.into()))
        }
        imp(self, chunks.into_chunk_spec())
    }

    /// Every element converted to `dtype`, as NumPy's `astype` (see [`CastTo`]); the array
    /// itself when it already has that dtype.
    pub fn astype(&self, dtype: DType) -> Self {
        if dtype == self.dtype() {
            return self.clone();
        }
        each!(self, a, T => with_type!(dtype, U => a.cast::<U>().into()))
    }
}

/// ## Computing
impl DynArray {
    /// Evaluates the array (see [`ChunkedArray::compute`]).
    pub fn compute(&self) -> Result<DynNdArray> {
        self.compute_with(&Config::default())
    }

    /// [`compute`](Self::compute) with an explicit [`Config`].
    pub fn compute_with(&self, cfg: &Config) -> Result<DynNdArray> {
        Ok(each!(self, a, T => a.compute_with(cfg)?.into()))
    }

    /// The one element of a size-1 array (see [`ChunkedArray::item`]).
    pub fn item(&self) -> Result<DynScalar> {
        self.item_with(&Config::default())
    }

    /// [`item`](Self::item) with an explicit [`Config`].
    pub fn item_with(&self, cfg: &Config) -> Result<DynScalar> {
        Ok(each!(self, a, T => DynScalar::of(a.item_with(cfg)?)))
    }

    /// The plan of [`compute`](Self::compute).
    pub fn plan(&self) -> Result<Plan> {
        each!(self, a, T => a.plan())
    }

    /// The plan as text (see [`ChunkedArray::explain`]).
    pub fn explain(&self) -> Result<String> {
        each!(self, a, T => a.explain())
    }

    /// The error this array records, if building it went wrong (see [`ChunkedArray::error`]).
    pub fn error(&self) -> Option<&Error> {
        each!(self, a, T => a.error())
    }

    /// Computes the array and holds the result in memory as a new source.
    pub fn persist(&self) -> Result<Self> {
        Ok(each!(self, a, T => a.persist()?.into()))
    }

    /// The graph as Graphviz DOT at `level` (see [`ChunkedArray::to_dot`]).
    pub fn to_dot(&self, level: crate::diagnostics::GraphLevel) -> Result<String> {
        each!(self, a, T => a.to_dot(level))
    }

    /// Writes the graph at `level` to `path` as DOT, and as SVG where Graphviz is installed
    /// (Dask's `.visualize(filename=)`; see [`ChunkedArray::visualize`]).
    ///
    /// ```
    /// use chunkwise::diagnostics::GraphLevel;
    /// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-dyn-vis-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let x = chunkwise::DynArray::from(chunkwise::arange(100).rechunk(25)?);
    /// let out = x.sum_with(None, chunkwise::ReduceOptions::default())?
    ///     .visualize(dir.join("sum"), GraphLevel::Ops)?;
    /// assert!(std::fs::read_to_string(&out.dot)?.contains("sum"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn visualize(
        &self,
        path: impl AsRef<std::path::Path>,
        level: crate::diagnostics::GraphLevel,
    ) -> Result<crate::diagnostics::Visualized> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(
            this: &DynArray,
            path: &std::path::Path,
            level: crate::diagnostics::GraphLevel,
        ) -> Result<crate::diagnostics::Visualized> {
            each!(this, a, T => a.visualize(path, level))
        }
        imp(self, path.as_ref(), level)
    }
}

/// [`compute_many`](crate::compute_many) of arrays of any dtypes: one plan, inputs shared by
/// several results read once (the mean and the variance of a file, in one pass).
///
/// ```
/// use chunkwise::{DynArray, ReduceOptions};
/// let x = DynArray::from(chunkwise::arange(100).cast::<f32>());
/// let opts = ReduceOptions::default();
/// let out = chunkwise::compute_many_dyn(&[&x.mean_with(None, opts)?, &x.argmax_with(None, opts)?])?;
/// assert_eq!(out[0].clone().downcast::<f32>()?.into_raw_vec_and_offset().0, vec![49.5]);
/// assert_eq!(out[1].clone().downcast::<i64>()?.into_raw_vec_and_offset().0, vec![99]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn compute_many_dyn(arrays: &[&DynArray]) -> Result<Vec<DynNdArray>> {
    compute_many_dyn_with(arrays, &Config::default())
}

/// [`compute_many_dyn`] with an explicit [`Config`].
pub fn compute_many_dyn_with(arrays: &[&DynArray], cfg: &Config) -> Result<Vec<DynNdArray>> {
    let roots: Vec<_> = arrays.iter().map(|a| a.node()).collect();
    let mut values = crate::execute::compute_values(&roots, cfg)?.into_iter();
    Ok(arrays
        .iter()
        .map(|a| {
            let v = values.next().expect("one value per root");
            each!(a, _x, T => crate::execute::into_array::<T>(v).into())
        })
        .collect())
}

impl DynArray {
    fn node(&self) -> std::sync::Arc<dyn crate::graph::Node> {
        each!(self, a, T => a.expr().clone() as std::sync::Arc<dyn crate::graph::Node>)
    }
}

/// [`ChunkedArray::map_overlap`] over an array of any dtype: `f` gets each block with its halo
/// as an owned [`DynNdArray`] of the array's dtype (to hand to another runtime without a copy,
/// as the Python package hands it to NumPy). A constant boundary is converted to the array's
/// dtype (NumPy's `pad`). Depths, boundaries, trimming and errors are `map_overlap`'s.
///
/// ```
/// use chunkwise::{Boundary, DynArray, DynNdArray, DynScalar};
/// let x = DynArray::from(chunkwise::arange(6).rechunk(3)?);
/// // Each cell and its right neighbour, 0 past the end.
/// let y = chunkwise::map_overlap_dyn::<i64, _>(&x, &[1], Boundary::Constant(DynScalar::F64(0.0)), |b| {
///     let DynNdArray::I64(v) = b else { unreachable!() };
///     let n = v.len();
///     ndarray::Array1::from_iter((1..n - 1).map(|i| v[[i]] + v[[i + 1]])).into_dyn()
/// })?;
/// assert_eq!(y.compute()?.as_slice().unwrap(), &[1, 3, 5, 7, 9, 5]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn map_overlap_dyn<U, F>(
    x: &DynArray,
    depth: &[usize],
    boundary: super::movement::Boundary<DynScalar>,
    f: F,
) -> Result<ChunkedArray<U>>
where
    U: Element,
    F: Fn(DynNdArray) -> ArrayD<U> + Send + Sync + 'static,
{
    use super::movement::Boundary;
    each!(x, a, T => {
        let boundary = match boundary {
            Boundary::Reflect => Boundary::Reflect,
            Boundary::Periodic => Boundary::Periodic,
            Boundary::Nearest => Boundary::Nearest,
            Boundary::None => Boundary::None,
            Boundary::Constant(v) => Boundary::Constant(
                v.astype(T::DTYPE).downcast::<T>().expect("cast to the array's dtype"),
            ),
        };
        a.overlapped_blocks(depth, boundary, move |blocks: &mut crate::graph::blockwise::AnyBlocks, ext: &[usize]| {
            // Taken: `f` owns its block (the Python package hands it to NumPy).
            let block = std::mem::take(blocks).into_iter().next().expect("one input");
            let vals = *block.downcast::<Vec<T>>().expect("the input's values have its dtype");
            let a = ArrayD::from_shape_vec(ndarray::IxDyn(ext), vals)
                .expect("block buffer matches its extents");
            Ok(f(DynNdArray::from(a)))
        })
    })
}

/// [`map_blocks_with`](crate::map_blocks_with) over arrays of any dtypes, each block given in its
/// array's own dtype (Dask's `map_blocks(f, x, mask)` with a float `x` and a bool `mask`): `f`
/// gets one owned
/// [`DynNdArray`] per array, in order, for each block (a block can be handed to another
/// runtime, as the Python package hands it to NumPy, without a copy), and returns the block of
/// the result. Broadcasting, rechunking, `spec` and errors are
/// [`map_blocks_with`](crate::map_blocks_with)'s.
///
/// ```
/// use chunkwise::{BlockSpec, DynArray, DynNdArray};
/// let x = DynArray::from(chunkwise::arange(6).cast::<f64>().rechunk(4)?);
/// let keep = DynArray::from((chunkwise::arange(6) % 2).eq(0));
/// let y = chunkwise::map_blocks_dyn::<f64, _>(&[&x, &keep], &BlockSpec::default(), |b| {
///     let (DynNdArray::F64(v), DynNdArray::Bool(m)) = (&b[0], &b[1]) else { unreachable!() };
///     ndarray::Zip::from(v).and(m).map_collect(|&v, &m| if m { v } else { -v })
/// })?;
/// assert_eq!(y.compute()?.as_slice().unwrap(), &[0.0, -1.0, 2.0, -3.0, 4.0, -5.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn map_blocks_dyn<U, F>(arrays: &[&DynArray], spec: &BlockSpec, f: F) -> Result<ChunkedArray<U>>
where
    U: Element,
    F: Fn(Vec<DynNdArray>) -> ArrayD<U> + Send + Sync + 'static,
{
    let dtypes: Vec<DType> = arrays.iter().map(|a| a.dtype()).collect();
    let arrays = super::movement::owned(arrays);
    let shape = super::movement::block_shape_of("map_blocks_dyn", &arrays)?;
    super::movement::blocks_by_spec(
        "map_blocks",
        &arrays,
        shape,
        spec,
        move |blocks: &mut crate::graph::blockwise::AnyBlocks, ext: &[usize]| {
            // Taken: `f` owns its blocks (the Python package hands them to NumPy).
            let owned = std::mem::take(blocks)
                .into_iter()
                .zip(&dtypes)
                .map(|(b, &d)| {
                    with_type!(d, X => {
                        let vals = *b.downcast::<Vec<X>>().expect("an input's values have its dtype");
                        let a = ArrayD::from_shape_vec(ndarray::IxDyn(ext), vals)
                            .expect("block buffer matches its extents");
                        DynNdArray::from(a)
                    })
                })
                .collect();
            Ok(f(owned))
        },
    )
}

impl super::movement::BlockArg for DynArray {
    fn block_shape(&self) -> &[usize] {
        self.shape()
    }
    fn block_chunks(&self) -> &Chunks {
        self.chunks()
    }
    fn broadcast_for_blocks(&self, shape: &[usize]) -> Result<Self> {
        self.broadcast_to(shape.to_vec())
    }
    fn rechunk_for_blocks(&self, grid: Chunks) -> Result<Self> {
        self.rechunk(grid)
    }
    fn block_node(&self) -> std::sync::Arc<dyn crate::graph::Node> {
        self.node()
    }
}

/// The dtype two operands are computed in: NumPy 2's promotion of two arrays (or strong
/// scalars), and NEP 50's rule for a weak Python-style number against an array.
fn result_dtype(op: &str, lhs: &DynArray, rhs: &DynOperand) -> Result<DType> {
    let d = lhs.dtype();
    let refuse = |other: DType| unsupported(op, lhs.shape(), &[d, other], "numeric dtypes");
    let strong = |other: DType| match (d, other) {
        (DType::Bool, DType::Bool) => Ok(DType::Bool),
        (DType::Bool, o) => Ok(o),
        (o, DType::Bool) => Ok(o),
        (a, b) => a.promote(b).ok_or_else(|| refuse(b)),
    };
    match rhs {
        DynOperand::Array(b) => strong(b.dtype()),
        DynOperand::Scalar(s) => strong(s.dtype()),
        DynOperand::Bool(_) => Ok(d),
        DynOperand::Int(_) => Ok(if d == DType::Bool { DType::I64 } else { d }),
        DynOperand::Float(_) => Ok(if is_float(d) { d } else { DType::F64 }),
    }
}

fn is_float(d: DType) -> bool {
    matches!(d, DType::F64 | DType::F32)
}

/// The float dtype NumPy computes a float function of `d` in: the smallest float holding every
/// value of `d` exactly (`f32` for 8- and 16-bit integers and `bool`, where NumPy takes `f16`
/// for 8-bit ones and `bool`, which chunkwise does not have; `f64` for wider integers).
fn float_dtype(d: DType) -> DType {
    match d {
        DType::F64 | DType::F32 => d,
        DType::I8 | DType::U8 | DType::I16 | DType::U16 | DType::Bool => DType::F32,
        _ => DType::F64,
    }
}

/// A 0-d array of one value.
fn zero_d(s: DynScalar) -> DynArray {
    with_type!(s.dtype(), T => {
        let v = s.downcast::<T>().expect("a scalar of its own dtype");
        DynArray::from(ChunkedArray::from_expr(crate::graph::source::full(Vec::new(), v)))
    })
}

/// A value of `T` from a scalar of another dtype (NumPy's `astype`).
fn scalar_as<T: Element>(s: DynScalar) -> T {
    s.astype(T::DTYPE)
        .downcast::<T>()
        .expect("astype gives the dtype asked for")
}

/// The right operand as a typed operand of `T` (the dtype both sides were cast to). A weak
/// integer that does not fit an integer `T` is an [`Error::InvalidParameter`], as NumPy 2's
/// `OverflowError`.
fn typed_operand<T: Element>(op: &str, rhs: &DynOperand) -> Result<Operand<T>> {
    Ok(match rhs {
        DynOperand::Array(b) => Operand::Array(b.astype(T::DTYPE).downcast::<T>()?),
        DynOperand::Scalar(s) => Operand::Scalar(scalar_as(*s)),
        DynOperand::Int(v) => {
            check_weak_int(op, T::DTYPE, *v)?;
            // In range: exact as i64, or a u64 past i64::MAX, or (for a float) any value.
            Operand::Scalar(scalar_as(DynScalar::from_int(*v)))
        }
        DynOperand::Float(v) => Operand::Scalar(scalar_as(DynScalar::F64(*v))),
        DynOperand::Bool(v) => Operand::Scalar(scalar_as(DynScalar::Bool(*v))),
    })
}

/// The smallest and largest value of an integer dtype (`None` for floats and `bool`).
fn int_range(dtype: DType) -> Option<(i128, i128)> {
    Some(match dtype {
        DType::I64 => (i64::MIN.into(), i64::MAX.into()),
        DType::I32 => (i32::MIN.into(), i32::MAX.into()),
        DType::I16 => (i16::MIN.into(), i16::MAX.into()),
        DType::I8 => (i8::MIN.into(), i8::MAX.into()),
        DType::U64 => (0, u64::MAX.into()),
        DType::U32 => (0, u32::MAX.into()),
        DType::U16 => (0, u16::MAX.into()),
        DType::U8 => (0, u8::MAX.into()),
        DType::F64 | DType::F32 | DType::Bool => return None,
    })
}

/// A weak int beside an array of `dtype` must fit it (NumPy 2's `OverflowError`).
fn check_weak_int(op: &str, dtype: DType, v: i128) -> Result<()> {
    if weak_int_fits(dtype, v) {
        return Ok(());
    }
    Err(Error::InvalidParameter {
        op: op.into(),
        param: "scalar".into(),
        value: v.to_string(),
        reason: format!("out of bounds for {dtype}"),
    })
}

/// Whether a weak integer keeps its value in `dtype`: an integer type's range; floats and
/// `bool` take it as NumPy does, if it is within 64 bits.
fn weak_int_fits(dtype: DType, v: i128) -> bool {
    match (int_range(dtype), dtype) {
        (Some((lo, hi)), _) => (lo..=hi).contains(&v),
        // A float takes any Python int this side of its largest value (NumPy converts it).
        (None, DType::F64 | DType::F32) => true,
        (None, _) => (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&v),
    }
}

/// `x^n` for an integer type by squaring and multiplying, wrapping as NumPy's `power`.
fn int_pow<T: Numeric>(x: T, n: u128) -> T {
    let (mut base, mut n, mut acc) = (x, n, T::ONE);
    while n > 0 {
        if n & 1 == 1 {
            acc = acc.n_mul(base);
        }
        base = base.n_mul(base);
        n >>= 1;
    }
    acc
}

/// What NumPy does with an arithmetic operation of two `bool` operands.
#[derive(Clone, Copy)]
enum OnBools {
    /// A logical operation, giving `bool` (`+` is or, `*` is and).
    Logical(fn(bool, bool) -> bool),
    /// Computed in `i8` (`//` and `%`).
    AsI8,
    /// A `TypeError` (`-`).
    Refuse,
}

/// Defines binary methods over numeric dtypes: both sides promoted, then the typed kernel.
macro_rules! numeric_binary {
    ($($(#[$doc:meta])* $name:ident, $bools:expr => $f:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
                let op = stringify!($name);
                let mut d = result_dtype(op, this, &rhs)?;
                if d == DType::Bool {
                    match $bools {
                        OnBools::Logical(f) => {
                            let a = this.downcast_ref_bool()?;
                            return Ok(match typed_operand::<bool>(op, &rhs)? {
                                Operand::Scalar(s) => a.map_same(op, move |x: bool| f(x, s)),
                                Operand::Array(b) => a.zip_with(&b, op, f),
                            }
                            .into());
                        }
                        OnBools::AsI8 => d = DType::I8,
                        OnBools::Refuse => {}
                    }
                }
                numeric!(this.astype(d), op, a, T => {
                    let f = $f;
                    Ok(a.arith(typed_operand::<T>(op, &rhs)?, op, move |x: T, y: T| f(x, y)).into())
                })
            }
            imp(self, rhs.into())
        }
    )*};
}

/// Defines comparisons: both sides promoted, then the typed comparison. A weak integer out of
/// an integer array's range compares by value, as NumPy 2 does (`i8 array < 300` is all true).
macro_rules! comparison {
    ($($(#[$doc:meta])* $name:ident => $op:tt;)*) => {$(
        $(#[$doc])*
        // The same comparison for every dtype, `bool` included.
        #[allow(clippy::bool_comparison)]
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
                let op = stringify!($name);
                let d = result_dtype(op, this, &rhs)?;
                if let DynOperand::Int(v) = rhs {
                    if !weak_int_fits(d, v) && int_range(d).is_some() {
                        return Ok(integer!(this.astype(d), op, a, T => {
                            a.map_to(op, move |x: T| x.n_to_i128() $op v).into()
                        }));
                    }
                }
                if let Some(r) = this.exact_int_comparison(op, &rhs, d, |x, y| x $op y)? {
                    return Ok(r);
                }
                each!(this.astype(d), a, T => {
                    Ok(a.compare(typed_operand::<T>(op, &rhs)?, op, |x: T, y: T| x $op y).into())
                })
            }
            imp(self, rhs.into())
        }
    )*};
}

impl DynArray {
    /// A comparison of a `u64` with a signed integer, whose common type `f64` would round
    /// values past 2^53: compared exactly as `i128`, as NumPy 2 does. `None` for other pairs.
    fn exact_int_comparison(
        &self,
        op: &str,
        rhs: &DynOperand,
        common: DType,
        f: fn(i128, i128) -> bool,
    ) -> Result<Option<DynArray>> {
        let other = match rhs {
            DynOperand::Array(b) => b.clone(),
            DynOperand::Scalar(s) => zero_d(*s),
            _ => return Ok(None),
        };
        let integers = int_range(self.dtype()).is_some() && int_range(other.dtype()).is_some();
        if common != DType::F64 || !integers {
            return Ok(None);
        }
        // Each side as its 64-bit type of the same signedness.
        let wide = |x: &DynArray| {
            let unsigned = int_range(x.dtype()).is_some_and(|(lo, _)| lo == 0);
            x.astype(if unsigned { DType::U64 } else { DType::I64 })
        };
        let cmp = move |x: i128, y: i128| f(x, y);
        Ok(Some(
            match (wide(self), wide(&other)) {
                (DynArray::U64(a), DynArray::I64(b)) => {
                    a.zip_with(&b, op, move |x: u64, y: i64| cmp(x.into(), y.into()))
                }
                (DynArray::I64(a), DynArray::U64(b)) => {
                    a.zip_with(&b, op, move |x: i64, y: u64| cmp(x.into(), y.into()))
                }
                _ => return Ok(None),
            }
            .into(),
        ))
    }
}

/// ## Arithmetic and comparisons, promoted at run time
///
/// Each takes a [`DynArray`], a [`DynScalar`] or a Rust number (a weak scalar, see
/// [`DynArray`]); the result dtype is NumPy 2's.
impl DynArray {
    numeric_binary! {
        /// `self + rhs` (integers wrap, as NumPy's; two `bool` operands give their or).
        add, OnBools::Logical(|x, y| x | y) => |x: T, y: T| x.n_add(y);
        /// `self - rhs` (two `bool` operands are an error, as NumPy's).
        sub, OnBools::Refuse => |x: T, y: T| x.n_sub(y);
        /// `self * rhs` (two `bool` operands give their and).
        mul, OnBools::Logical(|x, y| x & y) => |x: T, y: T| x.n_mul(y);
        /// NumPy's `floor_divide` (`//`; two `bool` operands give `i8`).
        floor_divide, OnBools::AsI8 => |x: T, y: T| x.n_floor_div(y);
        /// NumPy's `remainder` (`%`): the sign of the divisor.
        rem, OnBools::AsI8 => |x: T, y: T| x.n_rem(y);
        /// The larger of two values; NaN wins (NumPy's `maximum`).
        maximum, OnBools::Logical(|x, y| x | y) => |x: T, y: T| x.n_max(y);
        /// The smaller of two values; NaN wins (NumPy's `minimum`).
        minimum, OnBools::Logical(|x, y| x & y) => |x: T, y: T| x.n_min(y);
    }

    comparison! {
        /// `self == rhs` elementwise, as `bool`.
        eq => ==;
        /// `self != rhs`.
        ne => !=;
        /// `self < rhs`.
        lt => <;
        /// `self <= rhs`.
        le => <=;
        /// `self > rhs`.
        gt => >;
        /// `self >= rhs`.
        ge => >=;
    }

    /// NumPy's true division (`/`): integers and `bool` divide as `f64`, floats in their
    /// promoted type.
    pub fn true_divide(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
            let d = result_dtype("true_divide", this, &rhs)?;
            let d = if is_float(d) { d } else { DType::F64 };
            let rhs = match rhs {
                DynOperand::Array(b) => DynOperand::Array(b.astype(d)),
                other => other,
            };
            float!(this.astype(d), "true_divide", a, T => {
                Ok(a.arith(typed_operand::<T>("true_divide", &rhs)?, "true_divide", |x: T, y: T| x / y).into())
            })
        }
        imp(self, rhs.into())
    }

    /// `lhs / self`, Python's reflected `/`: [`true_divide`](Self::true_divide) with the
    /// operands swapped, where a weak int meets an integer or `bool` array as a float (true
    /// division runs in `f64`, so `128 / int8` is no overflow, as in NumPy).
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = DynArray::from(chunkwise::arange(3).cast::<i8>()).add(1i64)?;
    /// let q = x.rtrue_divide(128i64)?;
    /// assert_eq!(q.dtype(), DType::F64);
    /// let q = q.compute()?.downcast::<f64>()?;
    /// assert_eq!(q.iter().copied().collect::<Vec<_>>(), [128.0, 64.0, 128.0 / 3.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn rtrue_divide(&self, lhs: impl Into<DynOperand>) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, lhs: DynOperand) -> Result<DynArray> {
            let lhs = match lhs {
                DynOperand::Int(v) if !is_float(this.dtype()) => DynOperand::Float(v as f64),
                other => other,
            };
            lhs.into_array_beside("true_divide", this)?
                .true_divide(this)
        }
        imp(self, lhs.into())
    }

    /// `self ** rhs` (NumPy's `power`): floats by `powf`; integers exactly (wrapping). A
    /// negative integer exponent is NumPy's `ValueError`: [`Error::InvalidParameter`] at once
    /// for a scalar (unless the array is empty: no value is raised), [`Error::InvalidValue`] at
    /// compute for an array.
    // One check for every integer type: always false for the unsigned ones.
    #[allow(clippy::absurd_extreme_comparisons)]
    pub fn pow(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
            let d = result_dtype("pow", this, &rhs)?;
            // Two bools raise as i8, as NumPy's.
            let d = if d == DType::Bool { DType::I8 } else { d };
            let x = this.astype(d);
            if is_float(d) {
                // `x**2` as `x * x` (NumPy's fast path; the same bits, without `powf`).
                return float!(x, "pow", a, T => Ok(match typed_operand::<T>("pow", &rhs)? {
                    Operand::Array(b) => a.pow(&b),
                    Operand::Scalar(s) if s == T::ONE + T::ONE => a.square(),
                    Operand::Scalar(s) => a.powf(s),
                }.into()));
            }
            integer!(x, "pow", a, T => Ok(match typed_operand::<T>("pow", &rhs)? {
                Operand::Scalar(n) => {
                    if n < T::ZERO {
                        // NumPy refuses a value it raises: an empty array has none.
                        if a.is_empty() {
                            return Ok(a.into());
                        }
                        return Err(Error::InvalidParameter {
                            op: format!("pow on {}{:?}", T::DTYPE, a.shape()),
                            param: "exponent".into(),
                            value: n.to_string(),
                            reason: "integers to negative integer powers are not allowed".into(),
                        });
                    }
                    let e = n.n_to_i128() as u128;
                    if e == 2 {
                        return Ok(a.square().into());
                    }
                    a.map_same(&format!("pow {n}"), move |x: T| int_pow(x, e))
                }
                Operand::Array(b) => {
                    let b = ChunkedArray::from_expr(std::sync::Arc::new(
                        crate::graph::elementwise::Check::new(
                            "pow",
                            b.expr().clone(),
                            |n: T| n >= T::ZERO,
                            "integers to negative integer powers are not allowed".into(),
                        ),
                    ));
                    a.zip_with(&b, "pow", |x: T, n: T| int_pow(x, n.n_to_i128() as u128))
                }
            }.into()))
        }
        imp(self, rhs.into())
    }

    /// NumPy's `**` operator: [`pow`](Self::pow), except that a weak `2` squares (NumPy's
    /// `x ** 2` calls `square`), so bools give `i8` where `power` promotes them with the
    /// Python int to `i64`. Values are the same either way.
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let flags = DynArray::from(chunkwise::arange(3).eq(1));
    /// assert_eq!(flags.pow_operator(2i64)?.dtype(), DType::I8); // np.array([True]) ** 2
    /// assert_eq!(flags.pow(2i64)?.dtype(), DType::I64); // np.power(np.array([True]), 2)
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn pow_operator(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
            if this.dtype() == DType::Bool && matches!(rhs, DynOperand::Int(2)) {
                return this.astype(DType::I8).square();
            }
            this.pow(rhs)
        }
        imp(self, rhs.into())
    }
}

/// Defines the bitwise operators: logical on `bool`, bitwise on integers, after promotion.
macro_rules! bitwise_binary {
    ($($(#[$doc:meta])* $name:ident => $op:tt;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, rhs: DynOperand) -> Result<DynArray> {
                let op = stringify!($name);
                let d = result_dtype(op, this, &rhs)?;
                if d == DType::Bool {
                    let a = this.astype(d).downcast::<bool>()?;
                    return Ok(match typed_operand::<bool>(op, &rhs)? {
                        Operand::Scalar(s) => a.map_same(op, move |x: bool| x $op s),
                        Operand::Array(b) => a.zip_with(&b, op, |x: bool, y: bool| x $op y),
                    }
                    .into());
                }
                integer!(this.astype(d), op, a, T => {
                    Ok(a.bitwise(typed_operand::<T>(op, &rhs)?, op, |x: T, y: T| x $op y).into())
                })
            }
            imp(self, rhs.into())
        }
    )*};
}

/// Defines float functions: integer and `bool` arrays are computed in the float type NumPy
/// picks for them (see [`DynArray::sqrt`]).
macro_rules! float_unary {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Result<DynArray> {
            let x = self.astype(float_dtype(self.dtype()));
            Ok(float!(x, stringify!($name), a, T => a.$name().into()))
        }
    )*};
}

/// Defines the rounding functions: floats rounded, integer and `bool` arrays unchanged (they
/// hold integers already, and NumPy keeps their dtype).
macro_rules! rounding {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Result<DynArray> {
            match self {
                DynArray::F64(a) => Ok(a.$name().into()),
                DynArray::F32(a) => Ok(a.$name().into()),
                // NumPy's `round` (not floor, ceil or trunc) of bools is its smallest float
                // (f16); chunkwise's is f32.
                DynArray::Bool(_) if stringify!($name) == "round" => Ok(self.astype(DType::F32)),
                other => Ok(other.clone()),
            }
        }
    )*};
}

/// ## Elementwise functions
impl DynArray {
    /// `x * x` (a `bool` array squares as `i8`, as NumPy's).
    pub fn square(&self) -> Result<DynArray> {
        let x = if self.dtype() == DType::Bool {
            self.astype(DType::I8)
        } else {
            self.clone()
        };
        Ok(numeric!(x, "square", a, T => a.square().into()))
    }

    /// `|x|` (wrapping for the minimum of signed integers; a `bool` array unchanged, as
    /// NumPy's).
    pub fn abs(&self) -> Result<DynArray> {
        if self.dtype() == DType::Bool {
            return Ok(self.clone());
        }
        Ok(numeric!(self, "abs", a, T => a.abs().into()))
    }

    /// `-x` (NumPy negates unsigned integers modulo 2^bits; `bool` is an error, as NumPy's).
    pub fn neg(&self) -> Result<DynArray> {
        Ok(numeric!(self, "neg", a, T => (-a).into()))
    }

    float_unary! {
        /// The square root. Integer and `bool` arrays are computed in a float type first, the
        /// smallest that holds their values (`f32` for 8- and 16-bit integers, `f64` for
        /// wider ones), as NumPy does (which takes `f16` for 8-bit integers).
        sqrt;
        /// `e^x`.
        exp;
        /// The natural logarithm.
        ln;
        /// The sine.
        sin;
        /// The cosine.
        cos;
        /// The tangent.
        tan;
        /// The inverse sine.
        asin;
        /// The inverse cosine.
        acos;
        /// The inverse tangent.
        atan;
        /// The hyperbolic tangent.
        tanh;
        /// The base-2 logarithm.
        log2;
        /// The base-10 logarithm.
        log10;
        /// `ln(1 + x)`.
        ln_1p;
        /// `e^x - 1`.
        exp_m1;
        /// The hyperbolic sine.
        sinh;
        /// The hyperbolic cosine.
        cosh;
        /// The inverse hyperbolic sine.
        asinh;
        /// The inverse hyperbolic cosine (NaN below 1).
        acosh;
        /// The inverse hyperbolic tangent (infinite at ±1, NaN beyond).
        atanh;
        /// `1/x` (NumPy's `reciprocal` of floats; integers are computed as floats here, where
        /// NumPy's integer `reciprocal` truncates).
        recip;
    }

    rounding! {
        /// Rounded down (integer and `bool` arrays unchanged, as NumPy's).
        floor;
        /// Rounded up.
        ceil;
        /// Rounded to the nearest integer, halves to even (`bool` arrays give `f32` 0 and 1, where
        /// NumPy gives its `f16`).
        round;
        /// Rounded toward zero.
        trunc;
    }

    /// Whether each element is NaN (`false` for integer and `bool` arrays).
    pub fn isnan(&self) -> DynArray {
        match self {
            DynArray::F64(a) => a.isnan().into(),
            DynArray::F32(a) => a.isnan().into(),
            other => other.ne(other.clone()).expect("an array against itself"),
        }
    }

    /// Whether each element is finite (`true` for integer and `bool` arrays).
    pub fn isfinite(&self) -> DynArray {
        match self {
            DynArray::F64(a) => a.isfinite().into(),
            DynArray::F32(a) => a.isfinite().into(),
            other => other.eq(other.clone()).expect("an array against itself"),
        }
    }

    bitwise_binary! {
        /// Logical or bitwise and: `bool` arrays logically, integer arrays bitwise (NumPy's
        /// `&`); floats are an [`Error::UnsupportedDType`].
        bitand => &;
        /// Logical or bitwise or (NumPy's `|`).
        bitor => |;
        /// Logical or bitwise exclusive or (NumPy's `^`).
        bitxor => ^;
    }

    /// Logical or bitwise not (NumPy's `~`).
    pub fn invert(&self) -> Result<DynArray> {
        if let DynArray::Bool(a) = self {
            return Ok(a.not().into());
        }
        Ok(integer!(self, "invert", a, T => (!a).into()))
    }
}

/// Defines reductions over every numeric dtype taking [`Axes`] and [`ReduceOptions`].
macro_rules! reductions {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
                let op = stringify!($name);
                if let DynArray::Bool(b) = this {
                    // `any` and `all` have identities; the extremes they stand in for do not.
                    if matches!(op, "max_with" | "min_with") {
                        let reduced = axes.resolve(op, b.shape())?;
                        if reduced.iter().any(|&d| b.shape()[d] == 0) {
                            return Err(Error::EmptyReduction {
                                op: op.trim_end_matches("_with").into(),
                                shape: b.shape().to_vec(),
                            });
                        }
                    }
                    return match op {
                        // The extremes of bools are bools (`any` and `all`); their spread is
                        // NumPy's TypeError.
                        "max_with" => Ok(b.any_with(axes, opts)?.into()),
                        "min_with" => Ok(b.all_with(axes, opts)?.into()),
                        "ptp_with" => Err(unsupported(op, b.shape(), &[DType::Bool], "a numeric dtype")),
                        // Otherwise NumPy reduces bools as integers (a sum counts them).
                        _ => DynArray::from(b.cast::<i64>()).$name(axes, opts),
                    };
                }
                let r: DynArray = numeric!(this, op, a, T => a.$name(axes, opts)?.into());
                // Positions are NumPy's intp (i64), not the typed API's u64.
                Ok(if matches!(op, "argmax_with" | "argmin_with") { r.astype(DType::I64) } else { r })
            }
            imp(self, axes.into(), opts)
        }
    )*};
}

/// Defines NaN-aware reductions: floats skip NaN; other dtypes have none, so they are the
/// plain reduction (as NumPy's `nansum` of integers is `sum`).
macro_rules! nan_reductions {
    ($($(#[$doc:meta])* $name:ident => $plain:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
            // Not generic: compiled once here, not again in every crate that calls it.
            fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
                match this {
                    DynArray::F64(a) => Ok(index_as_i64(a.$name(axes, opts)?.into())),
                    DynArray::F32(a) => Ok(index_as_i64(a.$name(axes, opts)?.into())),
                    other => other.$plain(axes, opts),
                }
            }
            imp(self, axes.into(), opts)
        }
    )*};
}

/// A position result (`u64` in the typed API) as NumPy's `intp`; other results unchanged.
fn index_as_i64(r: DynArray) -> DynArray {
    if r.dtype() == DType::U64 {
        r.astype(DType::I64)
    } else {
        r
    }
}

/// ## Reductions and statistics
///
/// One surface, as NumPy's keywords: `x.sum(axis=(0, 2), keepdims=True)` is
/// `x.sum_with([0, 2], ReduceOptions::default().keepdims(true))`. Result dtypes are the typed
/// API's (sums in `i64`/`u64`/the float, means in `f64` or `f32`), but positions and counts
/// are `i64` (NumPy's `intp`) and quantiles of `f32` are `f32`; `bool` arrays are summed,
/// averaged and scanned as `i64`, their `min`/`max` are `bool` (`all`/`any`) and their `ptp` an
/// error, as NumPy's.
impl DynArray {
    reductions! {
        /// Sum over `axes`.
        sum_with;
        /// Product over `axes`.
        prod_with;
        /// Minimum over `axes` (NaN propagates; an empty reduction is an error at compute).
        min_with;
        /// Maximum over `axes`.
        max_with;
        /// Maximum minus minimum over `axes` (NumPy's `ptp`).
        ptp_with;
        /// Mean over `axes`, in `f64` (`f32` for `f32` arrays).
        mean_with;
        /// Variance over `axes` with `ddof` from `opts`.
        var_with;
        /// Standard deviation over `axes` with `ddof` from `opts`.
        std_with;
        /// Index of the largest element over `axes` (the first on ties; a NaN if any).
        argmax_with;
        /// Index of the smallest element over `axes`.
        argmin_with;
    }

    nan_reductions! {
        /// Sum of the values that are not NaN.
        nansum_with => sum_with;
        /// Product of the values that are not NaN.
        nanprod_with => prod_with;
        /// Minimum of the values that are not NaN.
        nanmin_with => min_with;
        /// Maximum of the values that are not NaN.
        nanmax_with => max_with;
        /// Mean of the values that are not NaN.
        nanmean_with => mean_with;
        /// Variance of the values that are not NaN.
        nanvar_with => var_with;
        /// Standard deviation of the values that are not NaN.
        nanstd_with => std_with;
        /// Index of the largest value that is not NaN.
        nanargmax_with => argmax_with;
        /// Index of the smallest value that is not NaN.
        nanargmin_with => argmin_with;
    }

    /// Whether any element is nonzero over `axes`.
    pub fn any_with(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            Ok(each!(this, a, T => a.any_with(axes, opts)?.into()))
        }
        imp(self, axes.into(), opts)
    }

    /// Whether every element is nonzero over `axes`.
    pub fn all_with(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            Ok(each!(this, a, T => a.all_with(axes, opts)?.into()))
        }
        imp(self, axes.into(), opts)
    }

    /// The number of nonzero elements over `axes`, as `i64` (NumPy's `intp`).
    pub fn count_nonzero_with(
        &self,
        axes: impl Into<Axes>,
        opts: ReduceOptions,
    ) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            let n: DynArray = each!(this, a, T => a.count_nonzero_with(axes, opts)?.into());
            Ok(n.astype(DType::I64))
        }
        imp(self, axes.into(), opts)
    }

    /// The `q`-quantile over `axes` (all, or one), exact: `f64`, or `f32` for `f32` arrays.
    pub fn quantile_with(
        &self,
        q: f64,
        axes: impl Into<Axes>,
        opts: ReduceOptions,
    ) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, q: f64, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "quantile_with", a, T => a.quantile_with(q, axes, opts)?.into()))
            })
        }
        imp(self, q, axes.into(), opts)
    }

    /// The quantiles at each of `qs` over `axes` (all, or one): the quantiles first, then the
    /// reduced shape, as NumPy's `np.quantile(x, qs, axis)`.
    pub fn quantiles_with(
        &self,
        qs: &[f64],
        axes: impl Into<Axes>,
        opts: ReduceOptions,
    ) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, qs: &[f64], axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "quantiles_with", a, T => a.quantiles_with(qs, axes, opts)?.into()))
            })
        }
        imp(self, qs, axes.into(), opts)
    }

    /// The `q`-quantile of the values that are not NaN over `axes`.
    pub fn nanquantile_with(
        &self,
        q: f64,
        axes: impl Into<Axes>,
        opts: ReduceOptions,
    ) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, q: f64, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "nanquantile_with", a, T => a.nanquantile_with(q, axes, opts)?.into()))
            })
        }
        imp(self, q, axes.into(), opts)
    }

    /// The `p`-th percentile over `axes`.
    pub fn percentile_with(
        &self,
        p: f64,
        axes: impl Into<Axes>,
        opts: ReduceOptions,
    ) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, p: f64, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "percentile_with", a, T => a.percentile_with(p, axes, opts)?.into()))
            })
        }
        imp(self, p, axes.into(), opts)
    }

    /// The median over `axes` (all, or one), exact: `f64`, or `f32` for `f32` arrays.
    pub fn median_with(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "median_with", a, T => a.median_with(axes, opts)?.into()))
            })
        }
        imp(self, axes.into(), opts)
    }

    /// The median of the values that are not NaN over `axes`.
    pub fn nanmedian_with(&self, axes: impl Into<Axes>, opts: ReduceOptions) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: Axes, opts: ReduceOptions) -> Result<DynArray> {
            this.select_f64(|x| {
                Ok(numeric!(x, "nanmedian_with", a, T => a.nanmedian_with(axes, opts)?.into()))
            })
        }
        imp(self, axes.into(), opts)
    }

    /// A selection computed in `f64` (the typed API's), given back as `f32` for an `f32`
    /// array, as NumPy's quantiles of `float32` are.
    fn select_f64(&self, f: impl FnOnce(&DynArray) -> Result<DynArray>) -> Result<DynArray> {
        let r = self.numeric_or_i64(f)?;
        Ok(if self.dtype() == DType::F32 {
            r.astype(DType::F32)
        } else {
            r
        })
    }

    /// Cumulative sum along `axis` (`None` flattens), in the accumulator type.
    pub fn cumsum(&self, axis: impl Into<Axes>) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axis: Axes) -> Result<DynArray> {
            this.numeric_or_i64(|x| Ok(numeric!(x, "cumsum", a, T => a.cumsum(axis)?.into())))
        }
        imp(self, axis.into())
    }

    /// Cumulative product along `axis` (`None` flattens), in the accumulator type.
    pub fn cumprod(&self, axis: impl Into<Axes>) -> Result<DynArray> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axis: Axes) -> Result<DynArray> {
            this.numeric_or_i64(|x| Ok(numeric!(x, "cumprod", a, T => a.cumprod(axis)?.into())))
        }
        imp(self, axis.into())
    }

    /// `f` of this array, with a `bool` array taken as `i64` (NumPy's rule for arithmetic
    /// reductions of bool).
    fn numeric_or_i64(&self, f: impl FnOnce(&DynArray) -> Result<DynArray>) -> Result<DynArray> {
        match self {
            DynArray::Bool(b) => f(&DynArray::from(b.cast::<i64>())),
            other => f(other),
        }
    }
}

/// ## Histograms and the largest values
impl DynArray {
    /// Counts of the values in `bins` equal bins over `range`, and the `bins + 1` edges
    /// (`np.histogram(x, bins, range)`; see [`ChunkedArray::histogram`]): the counts are
    /// `i64`, the edges `f64`. `bool` values count as 0 and 1.
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::arange(10).cast::<f32>().rechunk(4)?);
    /// let (counts, edges) = x.histogram(4, (0.0, 8.0))?;
    /// assert_eq!(counts.compute()?.downcast::<i64>()?.as_slice().unwrap(), &[2, 2, 2, 3]);
    /// assert_eq!(edges.shape(), &[5]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram(&self, bins: usize, range: (f64, f64)) -> Result<(DynArray, DynArray)> {
        let x = match self {
            DynArray::Bool(b) => DynArray::from(b.cast::<i64>()),
            other => other.clone(),
        };
        let (counts, edges) = numeric!(&x, "histogram", a, T => a.histogram(bins, range)?);
        Ok((counts.into(), edges.into()))
    }

    /// The counts in the bins between `edges` (see [`ChunkedArray::histogram_edges`]; bool
    /// counts as 0 and 1), and the edges.
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::arange(10));
    /// let (counts, edges) = x.histogram_edges(&[0.0, 4.5, 9.0])?;
    /// assert_eq!(counts.compute()?.downcast::<i64>().unwrap().as_slice().unwrap(), &[5, 5]);
    /// assert_eq!(edges.shape(), &[3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_edges(&self, edges: &[f64]) -> Result<(DynArray, DynArray)> {
        let x = match self {
            DynArray::Bool(b) => DynArray::from(b.cast::<i64>()),
            other => other.clone(),
        };
        let (counts, edges) = numeric!(&x, "histogram", a, T => a.histogram_edges(edges)?);
        Ok((counts.into(), edges.into()))
    }

    /// The sums of `weights` in `bins` equal bins over `range` (see
    /// [`ChunkedArray::histogram_weighted`]: exact per bin), in the weights' dtype as NumPy
    /// gives them (an integer bin past its dtype converts as [`astype`](Self::astype) does,
    /// where NumPy's wraps), and the edges. `bool` weights are an error
    /// ([`Error::UnsupportedDType`]): NumPy refuses them with given edges and, with equal
    /// bins, gives each bin the `or` of its weights, which is no sum.
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = DynArray::from(chunkwise::arange(10));
    /// let w = DynArray::from(chunkwise::arange(10).cast::<i32>());
    /// let (sums, _) = x.histogram_weighted(&w, 2, (0.0, 10.0))?;
    /// assert_eq!(sums.dtype(), DType::I32);
    /// assert_eq!(sums.compute()?.downcast::<i32>()?.as_slice().unwrap(), &[10, 35]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_weighted(
        &self,
        weights: &DynArray,
        bins: usize,
        range: (f64, f64),
    ) -> Result<(DynArray, DynArray)> {
        self.weighted_bins(weights, |x, w| x.histogram_weighted(w, bins, range))
    }

    /// The sums of `weights` in the bins between `edges`, as
    /// [`histogram_weighted`](Self::histogram_weighted) sums them (see
    /// [`ChunkedArray::histogram_edges_weighted`]), and the edges.
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::arange(10));
    /// let w = chunkwise::DynArray::from(chunkwise::arange(10).cast::<f32>());
    /// let (sums, _) = x.histogram_edges_weighted(&w, &[0.0, 4.5, 9.0])?;
    /// assert_eq!(sums.compute()?.downcast::<f32>()?.as_slice().unwrap(), &[10.0, 35.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn histogram_edges_weighted(
        &self,
        weights: &DynArray,
        edges: &[f64],
    ) -> Result<(DynArray, DynArray)> {
        self.weighted_bins(weights, |x, w| x.histogram_edges_weighted(w, edges))
    }

    /// A weighted histogram by `f`, of the values as `f64` (bool as 0 and 1) and the weights
    /// as `f64`, its sums converted to the weights' dtype.
    fn weighted_bins(
        &self,
        weights: &DynArray,
        f: impl FnOnce(
            &ChunkedArray<f64>,
            &ChunkedArray<f64>,
        ) -> Result<(ChunkedArray<f64>, ChunkedArray<f64>)>,
    ) -> Result<(DynArray, DynArray)> {
        if weights.dtype() == DType::Bool {
            return Err(unsupported(
                "histogram weights",
                weights.shape(),
                &[DType::Bool],
                "numeric weights (a sum of bools is no bool)",
            ));
        }
        let x = self.astype(DType::F64).downcast::<f64>()?;
        let w = weights.astype(DType::F64).downcast::<f64>()?;
        let (sums, edges) = f(&x, &w)?;
        Ok((DynArray::from(sums).astype(weights.dtype()), edges.into()))
    }

    /// The `k` largest values, largest first, or for negative `k` the `|k|` smallest, smallest
    /// first: of the flattened array when `axis` is `None` (see [`ChunkedArray::topk`]), else
    /// of each lane along `axis` (Dask's `topk(x, k, axis)`; see
    /// [`ChunkedArray::topk_axis`]). Same dtype as the array.
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::from_array(ndarray::array![[5u8, 1, 9], [3, 7, 2]], 1)?);
    /// let t = x.topk(2, Some(-1))?.compute()?.downcast::<u8>()?;
    /// assert_eq!(t, ndarray::array![[9, 5], [7, 3]].into_dyn());
    /// assert_eq!(x.topk(-1, None)?.compute()?.downcast::<u8>()?.as_slice().unwrap(), &[1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn topk(&self, k: isize, axis: Option<isize>) -> Result<DynArray> {
        if let DynArray::Bool(b) = self {
            let top = DynArray::from(b.cast::<u8>()).topk(k, axis)?;
            return Ok(top.astype(DType::Bool));
        }
        Ok(numeric!(self, "topk", a, T => match axis {
            None => a.topk(k)?.into(),
            Some(axis) => a.topk_axis(k, axis)?.into(),
        }))
    }

    /// The positions of [`topk`](Self::topk)'s values, as `i64`: into the flattened array
    /// (C order) when `axis` is `None`, else along `axis` (Dask's `argtopk`).
    pub fn argtopk(&self, k: isize, axis: Option<isize>) -> Result<DynArray> {
        if let DynArray::Bool(b) = self {
            return DynArray::from(b.cast::<u8>()).argtopk(k, axis);
        }
        Ok(numeric!(self, "argtopk", a, T => match axis {
            None => a.argtopk(k)?.into(),
            Some(axis) => a.argtopk_axis(k, axis)?.into(),
        }))
    }
}

/// ## Shape and movement
impl DynArray {
    /// The same values in another shape (see [`ChunkedArray::reshape`]).
    pub fn reshape(&self, shape: impl IntoShape) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, shape: Vec<usize>) -> Result<DynArray> {
            Ok(each!(this, a, T => a.reshape(shape)?.into()))
        }
        imp(self, shape.into_shape_vec())
    }

    /// The axes reversed.
    pub fn t(&self) -> Self {
        each!(self, a, T => a.t().into())
    }

    /// The axes in the order `axes` (see [`ChunkedArray::transpose`]).
    pub fn transpose(&self, axes: impl AsRef<[isize]>) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, axes: &[isize]) -> Result<DynArray> {
            Ok(each!(this, a, T => a.transpose(axes)?.into()))
        }
        imp(self, axes.as_ref())
    }

    /// A view of a region, NumPy's basic indexing (see [`ChunkedArray::slice`]).
    pub fn slice(&self, info: impl AsRef<[SliceInfoElem]>) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, info: &[SliceInfoElem]) -> Result<DynArray> {
            Ok(each!(this, a, T => a.slice(info)?.into()))
        }
        imp(self, info.as_ref())
    }

    /// The values broadcast to `shape`.
    pub fn broadcast_to(&self, shape: impl IntoShape) -> Result<Self> {
        // Not generic: compiled once here, not again in every crate that calls it.
        fn imp(this: &DynArray, shape: Vec<usize>) -> Result<DynArray> {
            Ok(each!(this, a, T => a.broadcast_to(shape)?.into()))
        }
        imp(self, shape.into_shape_vec())
    }

    /// A new axis of extent 1 at `axis`.
    pub fn expand_dims(&self, axis: isize) -> Result<Self> {
        Ok(each!(self, a, T => a.expand_dims(axis)?.into()))
    }

    /// Every axis of extent 1 removed.
    pub fn squeeze(&self) -> Self {
        each!(self, a, T => a.squeeze().into())
    }

    /// The values as one axis, in C order.
    pub fn ravel(&self) -> Self {
        each!(self, a, T => a.ravel().into())
    }

    /// The elements at `indices` along `axis` (NumPy's `take`; negative indices count from the
    /// end). See [`ChunkedArray::take`].
    ///
    /// ```
    /// let x = chunkwise::DynArray::from(chunkwise::arange(5));
    /// let t = x.take(&[4, -5], 0)?.compute()?.downcast::<i64>()?;
    /// assert_eq!(t.as_slice().unwrap(), &[4, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn take(&self, indices: &[i64], axis: isize) -> Result<Self> {
        Ok(each!(self, a, T => a.take(indices, axis)?.into()))
    }

    /// The values where `mask` (a `bool` array of the same shape) is true, in C order, as a 1-d
    /// array (NumPy's `x[mask]`). Its length depends on the mask's values, so the mask's
    /// counting pass runs here, with `cfg` (see [`ChunkedArray::select`]); the values are
    /// computed later, lazily.
    ///
    /// ```
    /// use chunkwise::{Config, DynArray};
    /// let x = DynArray::from(chunkwise::arange(6));
    /// let big = x.select(&x.gt(3i64)?, &Config::default())?;
    /// assert_eq!(big.shape(), &[2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn select(&self, mask: &DynArray, cfg: &Config) -> Result<Self> {
        let DynArray::Bool(m) = mask else {
            return Err(unsupported(
                "select (the mask)",
                mask.shape(),
                &[mask.dtype()],
                "a bool mask",
            ));
        };
        Ok(each!(self, a, T => a.select(m)?.resolve_with(cfg)?.into()))
    }
}

/// The common dtype of arrays: NumPy 2's `result_type` of all of them (an
/// [`Error::UnsupportedDType`] for a pair without one, an [`Error::InvalidParameter`] for no
/// array).
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let a = DynArray::zeros(DType::U8, [2]);
/// let b = DynArray::zeros(DType::I8, [2]);
/// assert_eq!(chunkwise::result_type(&[a, b])?, DType::I16);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn result_type(arrays: &[DynArray]) -> Result<DType> {
    promoted("result_type", arrays)
}

fn promoted(op: &str, arrays: &[DynArray]) -> Result<DType> {
    let Some(first) = arrays.first() else {
        return Err(Error::InvalidParameter {
            op: op.into(),
            param: "arrays".into(),
            value: "[]".into(),
            reason: "need at least one array".into(),
        });
    };
    let mut d = first.dtype();
    for a in &arrays[1..] {
        d = result_dtype(op, &first.astype(d), &DynOperand::Array(a.clone()))?;
    }
    Ok(d)
}

/// The arrays cast to their common dtype (NumPy's `result_type` of all of them).
fn common(op: &str, arrays: &[DynArray]) -> Result<(DType, Vec<DynArray>)> {
    let d = promoted(op, arrays)?;
    Ok((d, arrays.iter().map(|a| a.astype(d)).collect()))
}

/// [`concatenate`](crate::concatenate) of arrays of any dtypes, promoted to their common one.
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let a = DynArray::from(chunkwise::arange(3).cast::<u8>());
/// let b = DynArray::from(chunkwise::arange(2).cast::<i8>());
/// let c = chunkwise::concatenate_dyn(&[a, b], 0)?;
/// assert_eq!((c.dtype(), c.shape()), (DType::I16, &[5usize][..]));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn concatenate_dyn(arrays: &[DynArray], axis: isize) -> Result<DynArray> {
    let (d, cast) = common("concatenate", arrays)?;
    with_type!(d, T => {
        let typed = cast
            .into_iter()
            .map(DynArray::downcast::<T>)
            .collect::<Result<Vec<_>>>()?;
        Ok(crate::concatenate(&typed, axis)?.into())
    })
}

/// [`stack`](crate::stack) of arrays of any dtypes, promoted to their common one.
pub fn stack_dyn(arrays: &[DynArray], axis: isize) -> Result<DynArray> {
    let (d, cast) = common("stack", arrays)?;
    with_type!(d, T => {
        let typed = cast
            .into_iter()
            .map(DynArray::downcast::<T>)
            .collect::<Result<Vec<_>>>()?;
        Ok(crate::stack(&typed, axis)?.into())
    })
}

/// [`where_`](crate::where_) of arrays of any dtypes: `a` where `cond` is nonzero, else `b`,
/// in the common dtype of `a` and `b`.
pub fn where_dyn(cond: &DynArray, a: &DynArray, b: &DynArray) -> Result<DynArray> {
    let cond = cond.astype(DType::Bool).downcast::<bool>()?;
    let (d, cast) = common("where", &[a.clone(), b.clone()])?;
    with_type!(d, T => {
        let x = cast[0].clone().downcast::<T>()?;
        let y = cast[1].clone().downcast::<T>()?;
        Ok(crate::where_(&cond, &x, &y)?.into())
    })
}

/// [`matmul`](crate::matmul) of arrays of any numeric dtypes, in their common dtype.
pub fn matmul_dyn(a: &DynArray, b: &DynArray) -> Result<DynArray> {
    let d = result_dtype("matmul", a, &DynOperand::Array(b.clone()))?;
    numeric!(a.astype(d), "matmul", x, T => {
        let y = b.astype(d).downcast::<T>()?;
        Ok(crate::matmul(&x, &y)?.into())
    })
}

/// [`tensordot`](crate::tensordot) of arrays of any numeric dtypes, in their common dtype:
/// `axes.0` of `a` contracted with `axes.1` of `b`.
///
/// ```
/// use chunkwise::DynArray;
/// let a = DynArray::from(chunkwise::arange(6).reshape([2, 3])?);
/// let b = DynArray::from(chunkwise::arange(3).cast::<f32>());
/// let c = chunkwise::tensordot_dyn(&a, &b, (&[1], &[0]))?;
/// assert_eq!(c.compute()?.downcast::<f64>()?.as_slice().unwrap(), &[5.0, 14.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn tensordot_dyn(a: &DynArray, b: &DynArray, axes: (&[isize], &[isize])) -> Result<DynArray> {
    let d = result_dtype("tensordot", a, &DynOperand::Array(b.clone()))?;
    numeric!(a.astype(d), "tensordot", x, T => {
        let y = b.astype(d).downcast::<T>()?;
        Ok(crate::tensordot(&x, &y, axes)?.into())
    })
}

/// [`einsum`](crate::einsum) of arrays of any dtypes, in their common dtype; of bools, whether
/// any product is true (NumPy's).
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let a = DynArray::from(chunkwise::arange(6).reshape([2, 3])?.cast::<i32>());
/// let b = DynArray::from(chunkwise::arange(3).cast::<f32>());
/// let c = chunkwise::einsum_dyn("ij,j->i", &[&a, &b])?;
/// assert_eq!(c.dtype(), DType::F64); // i32 with f32 is f64, as NumPy's
/// assert_eq!(c.compute()?.downcast::<f64>()?.as_slice().unwrap(), &[5.0, 14.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn einsum_dyn(subscripts: &str, operands: &[&DynArray]) -> Result<DynArray> {
    let op = format!("einsum {subscripts:?}");
    let owned: Vec<DynArray> = operands.iter().map(|&a| a.clone()).collect();
    let (d, cast) = common(&op, &owned)?;
    if d == DType::Bool {
        // NumPy's einsum of bools: whether any product is true (a count of them, nonzero).
        let counts: Vec<DynArray> = cast.iter().map(|a| a.astype(DType::I64)).collect();
        let refs: Vec<&DynArray> = counts.iter().collect();
        return einsum_dyn(subscripts, &refs)?.ne(0i64);
    }
    let first = cast[0].clone();
    numeric!(first, &op, x, T => {
        let mut typed = vec![x];
        for a in &cast[1..] {
            typed.push(a.clone().downcast::<T>()?);
        }
        let refs: Vec<&ChunkedArray<T>> = typed.iter().collect();
        Ok(crate::einsum(subscripts, &refs)?.into())
    })
}

/// The array as `ndarray` prints it (`[[1, 2], [3, 4]]`).
impl fmt::Display for DynNdArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        macro_rules! show {
            ($($V:ident),*) => {
                match self {
                    $(DynNdArray::$V(a) => fmt::Display::fmt(a, f),)*
                }
            };
        }
        show!(F64, F32, I64, I32, U64, U32, I16, I8, U16, U8, Bool)
    }
}

impl fmt::Debug for DynArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        each!(self, a, T => fmt::Debug::fmt(a, f))
    }
}

impl fmt::Display for DynArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        each!(self, a, T => fmt::Display::fmt(a, f))
    }
}

/// `shape` filled with `value`, of `value`'s dtype: the graph's constant source, reached from
/// this layer directly (the `sources` module, whose `DynArray::full` this is, sits above it).
fn filled(shape: Vec<usize>, value: DynScalar) -> DynArray {
    with_type!(value.dtype(), T => {
        let v: T = value.downcast().expect("a scalar downcasts to its own dtype");
        DynArray::from(ChunkedArray::from_expr(crate::graph::source::full(shape, v)))
    })
}

mod assign;
mod elementwise;
#[cfg(feature = "linalg")]
mod linalg;
mod rearrange;
mod sorting;
#[cfg(feature = "linalg")]
pub use linalg::MatrixNorm;
pub use rearrange::broadcast_arrays;
pub use sorting::UniqueAll;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_the_same_array() {
        let x = ChunkedArray::from_expr(crate::graph::source::arange(5)).cast::<u16>();
        let d = DynArray::from(x.clone());
        assert_eq!(d.dtype(), DType::U16);
        assert!(d.as_typed::<u16>().is_some() && d.as_typed::<i16>().is_none());
        let back: ChunkedArray<u16> = d.clone().downcast().unwrap();
        assert!(std::sync::Arc::ptr_eq(back.expr(), x.expr()));
        assert!(matches!(
            d.downcast::<f64>(),
            Err(Error::UnsupportedDType { .. })
        ));
    }
}
