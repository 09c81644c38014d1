//! Elementwise operations: methods, comparisons, `where_`, casts and the `std::ops` operators.
//! Each is a line or two over the primitive nodes (unary, converting, binary, ternary).

use std::any::Any;
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Shl, Shr, Sub};
use std::sync::Arc;

use super::ChunkedArray;
use crate::element::{Arith, CastTo, Element, Float, Integer, Numeric, Promote};
use crate::error::{Error, Result};
use crate::graph::elementwise::{Binary, Convert, Ternary, Unary};
use crate::graph::source;

/// The right-hand side of an elementwise op: a scalar or an array.
#[derive(Debug, Clone)]
pub enum Operand<T: Element> {
    /// A scalar, broadcast everywhere.
    Scalar(T),
    /// An array, broadcast NumPy-style.
    Array(ChunkedArray<T>),
}

/// Anything usable as an [`Operand`]: `T`, `ChunkedArray<T>` or `&ChunkedArray<T>`.
pub trait IntoOperand<T: Element> {
    /// The operand.
    fn into_operand(self) -> Operand<T>;
}
impl<T: Element> IntoOperand<T> for T {
    fn into_operand(self) -> Operand<T> {
        Operand::Scalar(self)
    }
}
impl<T: Element> IntoOperand<T> for ChunkedArray<T> {
    fn into_operand(self) -> Operand<T> {
        Operand::Array(self)
    }
}
impl<T: Element> IntoOperand<T> for &ChunkedArray<T> {
    fn into_operand(self) -> Operand<T> {
        Operand::Array(self.clone())
    }
}
impl<T: Element> IntoOperand<T> for Operand<T> {
    fn into_operand(self) -> Operand<T> {
        self
    }
}

impl<T: Element> Operand<T> {
    fn into_array(self) -> ChunkedArray<T> {
        match self {
            Operand::Scalar(s) => full(Vec::<usize>::new(), s),
            Operand::Array(a) => a,
        }
    }
}

/// ## Building blocks
impl<T: Element> ChunkedArray<T> {
    /// `f` applied to every element, same type, computed in place in the tile.
    pub(crate) fn map_same<F: Fn(T) -> T + Send + Sync + 'static>(&self, name: &str, f: F) -> Self {
        Self::from_expr(Arc::new(Unary::new(name, self.expr().clone(), f)))
    }

    /// `f` applied to every element, into another type.
    pub(crate) fn map_to<U: Element, F: Fn(T) -> U + Send + Sync + 'static>(
        &self,
        name: &str,
        f: F,
    ) -> ChunkedArray<U> {
        ChunkedArray::from_expr(Arc::new(Convert::new(name, self.expr().clone(), f)))
    }

    /// `f` over pairs of elements of two broadcast arrays.
    pub(crate) fn zip_with<B: Element, O: Element, F: Fn(T, B) -> O + Send + Sync + 'static>(
        &self,
        other: &ChunkedArray<B>,
        name: &str,
        f: F,
    ) -> ChunkedArray<O> {
        ChunkedArray::from_expr(Arc::new(Binary::new(
            name,
            self.expr().clone(),
            other.expr().clone(),
            f,
        )))
    }

    pub(crate) fn compare<F>(&self, rhs: Operand<T>, name: &str, f: F) -> ChunkedArray<bool>
    where
        F: Fn(T, T) -> bool + Copy + Send + Sync + 'static,
    {
        match rhs {
            Operand::Scalar(s) => self.map_to(&format!("{name} {s}"), move |x| f(x, s)),
            Operand::Array(a) => self.zip_with(&a, name, f),
        }
    }
}

/// ## Your own elementwise functions
///
/// A closure over elements becomes one elementwise node, fused with its neighbours into the
/// tile loop like every built-in op: no chunk is copied or materialized, unlike
/// [`map_blocks`](ChunkedArray::map_blocks), which hands the closure whole blocks.
impl<T: Element> ChunkedArray<T> {
    /// `f` of every element, into any element type (NumPy's `np.vectorize(f)(x)`, at the speed
    /// of a compiled loop). `name` labels the node in [`explain`](Self::explain) and the
    /// pictures. `f` must not panic on any value: a panic is the task's
    /// [`Error::Task`](crate::Error::Task), not a result.
    ///
    /// ```
    /// let x = chunkwise::linspace(-4.0, 4.0, 9).rechunk(4)?;
    /// let logistic = x.map("logistic", |v: f64| 1.0 / (1.0 + (-v).exp()));
    /// assert_eq!(logistic.compute()?[[4]], 0.5);
    /// let parity = chunkwise::arange(5).map("odd", |i: i64| i % 2 == 1);
    /// assert_eq!(parity.compute()?.into_raw_vec_and_offset().0, vec![false, true, false, true, false]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map<U: Element>(
        &self,
        name: &str,
        f: impl Fn(T) -> U + Send + Sync + 'static,
    ) -> ChunkedArray<U> {
        self.map_to(name, f)
    }

    /// `f` of the elements of two arrays broadcast together, NumPy-style (shapes that do not
    /// broadcast are an [`Error::Broadcast`](crate::Error::Broadcast) at compute, as for the
    /// operators).
    ///
    /// ```
    /// let x = chunkwise::arange(6).reshape([2, 3])?.cast::<f64>();
    /// let w = chunkwise::from_array(ndarray::array![1.0, 10.0, 100.0], 2)?;
    /// let y = x.zip_map(&w, "scaled", |v: f64, s: f64| v * s);
    /// assert_eq!(y.compute()?.into_raw_vec_and_offset().0, vec![0.0, 10.0, 200.0, 3.0, 40.0, 500.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn zip_map<B: Element, O: Element>(
        &self,
        other: &ChunkedArray<B>,
        name: &str,
        f: impl Fn(T, B) -> O + Send + Sync + 'static,
    ) -> ChunkedArray<O> {
        self.zip_with(other, name, f)
    }
}

/// ## Comparisons and casts (every element type)
impl<T: Element> ChunkedArray<T> {
    /// `self < rhs` elementwise (NumPy `<`).
    pub fn lt(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "lt", |a, b| a < b)
    }
    /// `self <= rhs` elementwise.
    pub fn le(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "le", |a, b| a <= b)
    }
    /// `self > rhs` elementwise.
    pub fn gt(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "gt", |a, b| a > b)
    }
    /// `self >= rhs` elementwise.
    pub fn ge(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "ge", |a, b| a >= b)
    }
    /// `self == rhs` elementwise (NaN is unequal to everything).
    pub fn eq(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "eq", |a, b| a == b)
    }
    /// `self != rhs` elementwise.
    pub fn ne(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<bool> {
        self.compare(rhs.into_operand(), "ne", |a, b| a != b)
    }

    /// Converts every element, as NumPy's `astype` (see [`CastTo`]). Casting to the same type
    /// returns the array unchanged.
    ///
    /// ```
    /// let x = chunkwise::arange(4).cast::<f32>().compute()?;
    /// assert_eq!(x.as_slice().unwrap(), &[0.0f32, 1.0, 2.0, 3.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn cast<U: Element>(&self) -> ChunkedArray<U>
    where
        T: CastTo<U>,
    {
        retype(self, |x: T| x.cast())
    }
}

/// `x` converted by `f`, or `x` itself when `U` is `T` (no node is added).
pub(crate) fn retype<T: Element, U: Element>(
    x: &ChunkedArray<T>,
    f: impl Fn(T) -> U + Send + Sync + 'static,
) -> ChunkedArray<U> {
    let same: Box<dyn Any> = Box::new(x.clone());
    match same.downcast::<ChunkedArray<U>>() {
        Ok(a) => *a,
        Err(_) => x.map_to(&format!("cast<{}>", U::DTYPE), f),
    }
}

/// Both arrays converted to their common type by NumPy's promotion rules ([`Promote`]): what
/// the arithmetic operators do for two arrays of different types, and what to call before
/// `where_`, `concatenate`, comparisons or `maximum` of mixed types. An array already of the
/// common type is returned as it is.
///
/// ```
/// let a = chunkwise::arange(3).cast::<u8>();
/// let b = chunkwise::arange(3).cast::<f32>();
/// let (a, b) = chunkwise::promote(&a, &b);
/// let c = chunkwise::concatenate(&[a, b], 0)?;
/// assert_eq!(c.dtype(), chunkwise::DType::F32);
/// // The operators promote by themselves: i32 * f64 is f64.
/// let d = &chunkwise::arange(3).cast::<i32>() * &chunkwise::linspace(0.0, 1.0, 3);
/// assert_eq!(d.compute()?.as_slice().unwrap(), &[0.0, 0.5, 2.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn promote<T: Promote<U>, U: Numeric>(
    a: &ChunkedArray<T>,
    b: &ChunkedArray<U>,
) -> (ChunkedArray<T::Output>, ChunkedArray<T::Output>) {
    (retype(a, T::lhs), retype(b, T::rhs))
}

/// A 0-d array holding `v`: a scalar with a type of its own, which the operators promote as
/// NumPy promotes a NumPy scalar (`x_f32 + scalar(1.0f64)` is `f64`), where a bare scalar
/// takes the array's type (`x_f32 + 1.0` is `f32`, as NumPy 2 treats a Python float).
///
/// ```
/// let x = chunkwise::arange(4).cast::<u8>();
/// assert_eq!((&x + chunkwise::scalar(1000i64)).dtype(), chunkwise::DType::I64);
/// assert_eq!((&x + 1).dtype(), chunkwise::DType::U8);
/// ```
pub fn scalar<T: Element>(v: T) -> ChunkedArray<T> {
    full(Vec::<usize>::new(), v)
}

/// ## Arithmetic (numeric types)
impl<T: Numeric> ChunkedArray<T> {
    pub(crate) fn arith<F>(&self, rhs: Operand<T>, name: &str, f: F) -> Self
    where
        F: Fn(T, T) -> T + Copy + Send + Sync + 'static,
    {
        match rhs {
            Operand::Scalar(s) => self.map_same(&format!("{name} {s}"), move |x| f(x, s)),
            Operand::Array(a) => self.zip_with(&a, name, f),
        }
    }

    /// `x * x`.
    pub fn square(&self) -> Self {
        self.map_same("square", |x: T| x.n_mul(x))
    }

    /// `|x|` (wrapping for the minimum of signed integers, as NumPy).
    pub fn abs(&self) -> Self {
        self.map_same("abs", |x: T| x.n_abs())
    }

    /// `x^n`. Integer arrays take `n >= 0` only (NumPy refuses negative integer powers): a
    /// negative `n` is an [`Error::InvalidParameter`] at compute.
    pub fn powi(&self, n: i32) -> Self {
        if n < 0 && !T::IS_FLOAT {
            let e = Error::InvalidParameter {
                op: format!("powi on {}{:?}", T::DTYPE, self.shape()),
                param: "n".into(),
                value: n.to_string(),
                reason: "integers to negative integer powers are not allowed".into(),
            };
            return invalid("powi", self.shape().to_vec(), e);
        }
        self.map_same(&format!("powi {n}"), move |x: T| x.n_powi(n))
    }

    /// Elementwise maximum against a scalar or an array; NaN propagates (NumPy's `maximum`).
    pub fn maximum(&self, rhs: impl IntoOperand<T>) -> Self {
        self.arith(rhs.into_operand(), "maximum", |a: T, b: T| a.n_max(b))
    }

    /// Elementwise minimum against a scalar or an array; NaN propagates (NumPy's `minimum`).
    pub fn minimum(&self, rhs: impl IntoOperand<T>) -> Self {
        self.arith(rhs.into_operand(), "minimum", |a: T, b: T| a.n_min(b))
    }
}

/// ## Float functions
impl<T: Float> ChunkedArray<T> {
    /// Square root.
    pub fn sqrt(&self) -> Self {
        self.map_same("sqrt", |x: T| x.sqrt())
    }
    /// `e^x`.
    pub fn exp(&self) -> Self {
        self.map_same("exp", |x: T| x.exp())
    }
    /// Natural logarithm.
    pub fn ln(&self) -> Self {
        self.map_same("ln", |x: T| x.ln())
    }
    /// Sine.
    pub fn sin(&self) -> Self {
        self.map_same("sin", |x: T| x.sin())
    }
    /// Cosine.
    pub fn cos(&self) -> Self {
        self.map_same("cos", |x: T| x.cos())
    }
    /// `x^e` for a float exponent.
    pub fn powf(&self, e: T) -> Self {
        self.map_same(&format!("powf {e}"), move |x: T| x.powf(e))
    }
}

/// ## Logic (bool arrays)
impl ChunkedArray<bool> {
    /// Elementwise and.
    pub fn and(&self, rhs: impl IntoOperand<bool>) -> Self {
        match rhs.into_operand() {
            Operand::Scalar(s) => self.map_same(&format!("and {s}"), move |x| x & s),
            Operand::Array(a) => self.zip_with(&a, "and", |x: bool, y: bool| x & y),
        }
    }
    /// Elementwise exclusive or (`^`).
    pub fn xor(&self, rhs: impl IntoOperand<bool>) -> Self {
        match rhs.into_operand() {
            Operand::Scalar(s) => self.map_same(&format!("xor {s}"), move |x| x ^ s),
            Operand::Array(a) => self.zip_with(&a, "xor", |x: bool, y: bool| x ^ y),
        }
    }
    /// Elementwise or.
    pub fn or(&self, rhs: impl IntoOperand<bool>) -> Self {
        match rhs.into_operand() {
            Operand::Scalar(s) => self.map_same(&format!("or {s}"), move |x| x | s),
            Operand::Array(a) => self.zip_with(&a, "or", |x: bool, y: bool| x | y),
        }
    }
    /// Elementwise not.
    #[allow(clippy::should_implement_trait)]
    pub fn not(&self) -> Self {
        self.map_same("not", |x: bool| !x)
    }
}

/// The left operand of a free function, as an array (a scalar becomes a 0-d array, broadcast).
fn lhs_array<T: Element>(a: impl IntoOperand<T>) -> ChunkedArray<T> {
    a.into_operand().into_array()
}

macro_rules! free_function {
    ($(#[$doc:meta])* $name:ident, $bound:ident, $out:ty, $method:ident) => {
        $(#[$doc])*
        pub fn $name<T: $bound>(a: impl IntoOperand<T>, b: impl IntoOperand<T>) -> $out {
            lhs_array(a).$method(b)
        }
    };
}
free_function!(
    /// NumPy's `maximum(a, b)` with either side a scalar or an array (NaN propagates).
    ///
    /// ```
    /// let x = chunkwise::linspace(-1.0, 1.0, 3);
    /// let y = chunkwise::maximum(0.0, &x).compute()?;
    /// assert_eq!(y.as_slice().unwrap(), &[0.0, 0.0, 1.0]);
    /// assert!(chunkwise::less(0.5, &x).compute()?[2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    maximum, Numeric, ChunkedArray<T>, maximum);
free_function!(
    /// NumPy's `minimum(a, b)` with either side a scalar or an array (NaN propagates).
    minimum, Numeric, ChunkedArray<T>, minimum);
free_function!(
    /// NumPy's `less(a, b)`: `a < b`, either side a scalar or an array.
    less, Element, ChunkedArray<bool>, lt);
free_function!(
    /// NumPy's `less_equal(a, b)`: `a <= b`.
    less_equal, Element, ChunkedArray<bool>, le);
free_function!(
    /// NumPy's `greater(a, b)`: `a > b`.
    greater, Element, ChunkedArray<bool>, gt);
free_function!(
    /// NumPy's `greater_equal(a, b)`: `a >= b`.
    greater_equal, Element, ChunkedArray<bool>, ge);
free_function!(
    /// NumPy's `equal(a, b)`: `a == b` (NaN is unequal to everything).
    equal, Element, ChunkedArray<bool>, eq);
free_function!(
    /// NumPy's `not_equal(a, b)`: `a != b`.
    not_equal, Element, ChunkedArray<bool>, ne);

/// `cond ? a : b` elementwise with NumPy broadcasting among the three: NumPy's `np.where`.
/// `a` and `b` may be scalars or arrays. Shapes that cannot broadcast are an
/// [`Error::Broadcast`] at once.
///
/// ```
/// let x = chunkwise::arange(6);
/// let y = chunkwise::where_(&x.lt(3), &x, -1)?.compute()?;
/// assert_eq!(y.as_slice().unwrap(), &[0, 1, 2, -1, -1, -1]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn where_<T: Element>(
    cond: &ChunkedArray<bool>,
    a: impl IntoOperand<T>,
    b: impl IntoOperand<T>,
) -> Result<ChunkedArray<T>> {
    let a = a.into_operand().into_array();
    let b = b.into_operand().into_array();
    let node = Ternary::new(
        "where",
        cond.expr().clone(),
        a.expr().clone(),
        b.expr().clone(),
        |c: bool, x: T, y: T| {
            if c {
                x
            } else {
                y
            }
        },
    );
    if let Some(e) = &crate::graph::Node::meta(&node).error {
        return Err(e.clone());
    }
    Ok(ChunkedArray::from_expr(Arc::new(node)))
}

macro_rules! binary_operator {
    ($Trait:ident, $method:ident, $name:literal, $f:ident) => {
        binary_operator!(@arrays $Trait, $method, $name, $f; ChunkedArray<T>, ChunkedArray<U>);
        binary_operator!(@arrays $Trait, $method, $name, $f; ChunkedArray<T>, &ChunkedArray<U>);
        binary_operator!(@arrays $Trait, $method, $name, $f; &ChunkedArray<T>, ChunkedArray<U>);
        binary_operator!(@arrays $Trait, $method, $name, $f; &ChunkedArray<T>, &ChunkedArray<U>);
        impl<T: Numeric> $Trait<T> for ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: T) -> ChunkedArray<T> {
                self.arith(Operand::Scalar(rhs), $name, |a: T, b: T| a.$f(b))
            }
        }
        impl<T: Numeric> $Trait<T> for &ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: T) -> ChunkedArray<T> {
                self.arith(Operand::Scalar(rhs), $name, |a: T, b: T| a.$f(b))
            }
        }
        binary_operator!(@left $Trait, $method, $name, $f; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
    };
    // Two arrays, of the same type or of two (promoted as NumPy: `f32 + f64` is `f64`).
    (@arrays $Trait:ident, $method:ident, $name:literal, $f:ident; $L:ty, $R:ty) => {
        impl<T: Promote<U>, U: Numeric> $Trait<$R> for $L {
            type Output = ChunkedArray<T::Output>;
            #[allow(clippy::needless_borrow)]
            fn $method(self, rhs: $R) -> ChunkedArray<T::Output> {
                let (a, b) = promote(&self, &rhs);
                a.arith(Operand::Array(b), $name, |a, b| a.$f(b))
            }
        }
    };
    (@left $Trait:ident, $method:ident, $name:literal, $f:ident; $($t:ty),*) => {$(
        impl $Trait<ChunkedArray<$t>> for $t {
            type Output = ChunkedArray<$t>;
            fn $method(self, rhs: ChunkedArray<$t>) -> ChunkedArray<$t> {
                let s = self;
                rhs.map_same(&format!("{} {} {}", s, $name, "x"), move |x: $t| s.$f(x))
            }
        }
        impl $Trait<&ChunkedArray<$t>> for $t {
            type Output = ChunkedArray<$t>;
            fn $method(self, rhs: &ChunkedArray<$t>) -> ChunkedArray<$t> {
                let s = self;
                rhs.map_same(&format!("{} {} {}", s, $name, "x"), move |x: $t| s.$f(x))
            }
        }
    )*};
}

binary_operator!(Add, add, "add", n_add);
binary_operator!(Sub, sub, "sub", n_sub);
binary_operator!(Mul, mul, "mul", n_mul);
binary_operator!(Div, div, "div", n_div);
binary_operator!(Rem, rem, "rem", n_rem);

/// ## Integer division, both kinds, and true division
impl<T: Numeric> ChunkedArray<T> {
    /// NumPy's `floor_divide` (`//`): the quotient rounded down (`-7 // 2 == -4`), against a
    /// scalar or an array. `/` on integers truncates toward zero as Rust's does; this is the
    /// other kind.
    pub fn floor_divide(&self, rhs: impl IntoOperand<T>) -> Self {
        self.arith(rhs.into_operand(), "floor_divide", |a: T, b: T| {
            a.n_floor_div(b)
        })
    }

    /// NumPy's true division (`/` on integer arrays gives `f64`): both sides as `f64`.
    pub fn true_divide(&self, rhs: impl IntoOperand<T>) -> ChunkedArray<f64>
    where
        T: CastTo<f64>,
    {
        let lhs = self.cast::<f64>();
        match rhs.into_operand() {
            Operand::Scalar(s) => lhs / CastTo::<f64>::cast(s),
            Operand::Array(a) => lhs / a.cast::<f64>(),
        }
    }
}

/// ## Bitwise (integer types)
impl<T: Integer> ChunkedArray<T> {
    pub(crate) fn bitwise(&self, rhs: Operand<T>, name: &str, f: fn(T, T) -> T) -> Self {
        match rhs {
            Operand::Scalar(s) => self.map_same(&format!("{name} {s}"), move |x| f(x, s)),
            Operand::Array(a) => self.zip_with(&a, name, f),
        }
    }

    /// `self << n` elementwise (0 once `n` reaches the width, as NumPy).
    pub fn shl(&self, n: u32) -> Self {
        self.map_same(&format!("shl {n}"), move |x: T| x.n_shl(n))
    }

    /// `self >> n` elementwise (arithmetic for signed types).
    pub fn shr(&self, n: u32) -> Self {
        self.map_same(&format!("shr {n}"), move |x: T| x.n_shr(n))
    }
}

macro_rules! integer_operator {
    ($Trait:ident, $method:ident, $name:literal, $op:tt) => {
        impl<T: Integer, R: IntoOperand<T>> $Trait<R> for ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: R) -> ChunkedArray<T> {
                self.bitwise(rhs.into_operand(), $name, |a, b| a $op b)
            }
        }
        impl<T: Integer, R: IntoOperand<T>> $Trait<R> for &ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: R) -> ChunkedArray<T> {
                self.bitwise(rhs.into_operand(), $name, |a, b| a $op b)
            }
        }
    };
}
integer_operator!(BitAnd, bitand, "bitand", &);
integer_operator!(BitOr, bitor, "bitor", |);
integer_operator!(BitXor, bitxor, "bitxor", ^);

/// A shift count as NumPy reads it: a negative count is past the width (`(size_t)b` in C).
#[inline(always)]
pub(crate) fn shift_count<T: Integer>(b: T) -> u32 {
    u32::try_from(b.n_to_i128()).unwrap_or(u32::MAX)
}

macro_rules! shift_operator {
    ($Trait:ident, $method:ident, $name:literal, $f:ident) => {
        impl<T: Integer, R: IntoOperand<T>> $Trait<R> for ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: R) -> ChunkedArray<T> {
                self.bitwise(rhs.into_operand(), $name, |a, b| a.$f(shift_count(b)))
            }
        }
        impl<T: Integer, R: IntoOperand<T>> $Trait<R> for &ChunkedArray<T> {
            type Output = ChunkedArray<T>;
            fn $method(self, rhs: R) -> ChunkedArray<T> {
                self.bitwise(rhs.into_operand(), $name, |a, b| a.$f(shift_count(b)))
            }
        }
    };
}
// `x << y` and `x >> y` by a scalar or elementwise by an array of the same type (NumPy's
// `left_shift` / `right_shift`: 0, or the sign fill, once the count reaches the width or is
// negative).
shift_operator!(Shl, shl, "shl", n_shl);
shift_operator!(Shr, shr, "shr", n_shr);

impl<T: Numeric> Neg for ChunkedArray<T> {
    type Output = ChunkedArray<T>;
    fn neg(self) -> ChunkedArray<T> {
        self.map_same("neg", |x: T| x.n_neg())
    }
}
impl<T: Numeric> Neg for &ChunkedArray<T> {
    type Output = ChunkedArray<T>;
    fn neg(self) -> ChunkedArray<T> {
        self.map_same("neg", |x: T| x.n_neg())
    }
}

macro_rules! bool_operator {
    ($Trait:ident, $method:ident, $via:ident) => {
        impl<R: IntoOperand<bool>> $Trait<R> for ChunkedArray<bool> {
            type Output = ChunkedArray<bool>;
            fn $method(self, rhs: R) -> ChunkedArray<bool> {
                ChunkedArray::<bool>::$via(&self, rhs)
            }
        }
        impl<R: IntoOperand<bool>> $Trait<R> for &ChunkedArray<bool> {
            type Output = ChunkedArray<bool>;
            fn $method(self, rhs: R) -> ChunkedArray<bool> {
                ChunkedArray::<bool>::$via(self, rhs)
            }
        }
    };
}
bool_operator!(BitAnd, bitand, and);
bool_operator!(BitOr, bitor, or);
bool_operator!(BitXor, bitxor, xor);

impl<T: Integer> Not for ChunkedArray<T> {
    type Output = ChunkedArray<T>;
    fn not(self) -> ChunkedArray<T> {
        self.map_same("invert", |x: T| !x)
    }
}
impl<T: Integer> Not for &ChunkedArray<T> {
    type Output = ChunkedArray<T>;
    fn not(self) -> ChunkedArray<T> {
        self.map_same("invert", |x: T| !x)
    }
}

impl Not for ChunkedArray<bool> {
    type Output = ChunkedArray<bool>;
    fn not(self) -> ChunkedArray<bool> {
        ChunkedArray::<bool>::not(&self)
    }
}
impl Not for &ChunkedArray<bool> {
    type Output = ChunkedArray<bool>;
    fn not(self) -> ChunkedArray<bool> {
        ChunkedArray::<bool>::not(self)
    }
}

/// An array of `shape` filled with `value` (what `chunkwise::full` makes).
fn full<T: Element>(shape: Vec<usize>, value: T) -> ChunkedArray<T> {
    ChunkedArray::from_expr(source::full(shape, value))
}

/// An array of `shape` whose compute returns `e`.
fn invalid<T: Element>(name: &str, shape: Vec<usize>, e: Error) -> ChunkedArray<T> {
    ChunkedArray::from_expr(source::invalid(name, shape, e))
}
