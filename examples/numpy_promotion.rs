//! The promotion rules against NumPy: prints, for every ordered pair of the ten numeric types,
//! the dtype and values of `a + b`, `a - b` and `a * b` for two small arrays, one line each, and
//! NumPy's `promote_types` table as chunkwise has it. Then the dtype-erased `DynArray`, whose
//! promotion is decided at run time: every ordered pair of the eleven dtypes (`bool` included)
//! for ten operations, and NEP 50's weak scalars (a Rust number as a Python one) against each
//! dtype, with `error` where chunkwise refuses (NumPy must raise there too). `.ci/promotion_check.py` computes the same
//! with NumPy and compares line by line.
//!
//! ```text
//! cargo run --release --example numpy_promotion > lines.txt
//! python .ci/promotion_check.py lines.txt
//! ```

use chunkwise::{DType, DynArray, DynOperand, Numeric, Promote, ReduceOptions};

const A: [i64; 6] = [0, 1, 2, 3, 7, 100];
const B: [i64; 6] = [5, 3, 1, 0, 9, 27];

/// `promote P Q O` with O from the typed API's `Promote` (decided at compile time, and checked
/// here against the run-time table `DynArray` uses), then `a + b`, `a - b` and `a * b` of the
/// two arrays in those dtypes. The values are computed by `DynArray`: the typed operators are
/// one generic `promote` then the operation in O (tested on mixed pairs in
/// `tests/suite/dynamic.rs`), and instantiating 100 pairs of typed graphs here took minutes of
/// every CI build.
fn line<P: Promote<Q>, Q: Numeric>(a: &DynArray, b: &DynArray) {
    let promoted = <P::Output as chunkwise::Element>::DTYPE;
    assert_eq!(
        P::DTYPE.promote(Q::DTYPE),
        Some(promoted),
        "{} {}",
        P::DTYPE,
        Q::DTYPE
    );
    println!("promote {} {} {}", P::DTYPE, Q::DTYPE, promoted);
    let (a, b) = (a.astype(P::DTYPE), b.astype(Q::DTYPE));
    for (op, r) in [("add", a.add(&b)), ("sub", a.sub(&b)), ("mul", a.mul(&b))] {
        let r = r.expect("numeric dtypes");
        let values: ndarray::ArrayD<P::Output> = r
            .compute()
            .expect("small arrays compute")
            .downcast()
            .expect("the promoted dtype");
        let values: Vec<String> = values.iter().map(|e| e.to_string()).collect();
        println!(
            "{op} {} {} {}: {}",
            P::DTYPE,
            Q::DTYPE,
            r.dtype(),
            values.join(" ")
        );
    }
}

macro_rules! pairs {
    ($x:expr, $y:expr; $($a:ty),*) => { $( pairs!(@row $a, $x, $y; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8); )* };
    (@row $a:ty, $x:expr, $y:expr; $($b:ty),*) => { $( line::<$a, $b>($x, $y); )* };
}

const DTYPES: [DType; 11] = [
    DType::F64,
    DType::F32,
    DType::I64,
    DType::I32,
    DType::I16,
    DType::I8,
    DType::U64,
    DType::U32,
    DType::U16,
    DType::U8,
    DType::Bool,
];

type DynOp = fn(&DynArray, DynOperand) -> chunkwise::Result<DynArray>;

const DYN_OPS: [(&str, DynOp); 10] = [
    ("add", |x, y| x.add(y)),
    ("sub", |x, y| x.sub(y)),
    ("mul", |x, y| x.mul(y)),
    ("div", |x, y| x.true_divide(y)),
    ("floor_divide", |x, y| x.floor_divide(y)),
    ("rem", |x, y| x.rem(y)),
    ("maximum", |x, y| x.maximum(y)),
    ("lt", |x, y| x.lt(y)),
    ("eq", |x, y| x.eq(y)),
    ("bitand", |x, y| x.bitand(y)),
];

/// `dyn op a b dtype: values`, or `dyn op a b error`.
fn dyn_line(head: &str, r: chunkwise::Result<DynArray>) {
    match r.and_then(|r| Ok((r.dtype(), r.compute()?))) {
        Ok((d, v)) => println!("{head} {d}: {v}"),
        Err(_) => println!("{head} error"),
    }
}

type DynUnary = fn(&DynArray) -> chunkwise::Result<DynArray>;

const REDUCTIONS: [(&str, DynUnary); 12] = [
    ("sum", |x| x.sum_with(None, ReduceOptions::default())),
    ("prod", |x| x.prod_with(None, ReduceOptions::default())),
    ("mean", |x| x.mean_with(None, ReduceOptions::default())),
    ("var", |x| {
        x.var_with(None, ReduceOptions::default().ddof(1))
    }),
    ("max", |x| x.max_with(None, ReduceOptions::default())),
    ("min", |x| x.min_with(None, ReduceOptions::default())),
    ("ptp", |x| x.ptp_with(None, ReduceOptions::default())),
    ("argmax", |x| x.argmax_with(None, ReduceOptions::default())),
    ("count_nonzero", |x| {
        x.count_nonzero_with(None, ReduceOptions::default())
    }),
    ("cumsum", |x| x.cumsum(None)),
    ("median", |x| x.median_with(None, ReduceOptions::default())),
    ("any", |x| x.any_with(None, ReduceOptions::default())),
];

const UNARY: [(&str, DynUnary); 8] = [
    ("sqrt", |x| x.sqrt()),
    ("floor", |x| x.floor()),
    ("abs", |x| x.abs()),
    ("negative", |x| x.neg()),
    ("square", |x| x.square()),
    ("invert", |x| x.invert()),
    ("isnan", |x| Ok(x.isnan())),
    ("exp", |x| x.exp()),
];

fn main() {
    let a = DynArray::from(chunkwise::from_array(ndarray::arr1(&A), 4).expect("1-d"));
    let b = DynArray::from(chunkwise::from_array(ndarray::arr1(&B), 3).expect("1-d"));
    pairs!(&a, &b; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
    // Comparisons of 64-bit integers past f64's exact range.
    let big_u = DynArray::from(
        chunkwise::from_array(ndarray::arr1(&[(1u64 << 62) + 1, (1 << 63) + 5, 0]), 2)
            .expect("1-d"),
    );
    let big_i =
        DynArray::from(chunkwise::from_array(ndarray::arr1(&[1i64 << 62, -1, 0]), 2).expect("1-d"));
    for (op, f) in DYN_OPS {
        if matches!(op, "lt" | "eq") {
            dyn_line(
                &format!("big {op} u64 i64"),
                f(&big_u, DynOperand::from(big_i.clone())),
            );
            dyn_line(
                &format!("big {op} i64 u64"),
                f(&big_i, DynOperand::from(big_u.clone())),
            );
        }
    }
    for da in DTYPES {
        for db in DTYPES {
            for (op, f) in DYN_OPS {
                let r = f(&a.astype(da), DynOperand::from(b.astype(db)));
                dyn_line(&format!("dyn {op} {da} {db}"), r);
            }
        }
        for (op, f) in REDUCTIONS {
            dyn_line(&format!("reduce {op} {da}"), f(&a.astype(da)));
        }
        for (op, f) in UNARY {
            dyn_line(&format!("unary {op} {da}"), f(&a.astype(da)));
        }
        let weak: [(&str, DynOperand); 5] = [
            ("int 3", 3.into()),
            ("int 300", 300.into()),
            ("int -1", (-1).into()),
            ("float 0.5", 0.5.into()),
            ("bool true", true.into()),
        ];
        for (what, s) in weak {
            for (op, f) in DYN_OPS {
                let r = f(&a.astype(da), s.clone());
                dyn_line(&format!("weak {op} {da} {what}"), r);
            }
        }
    }
}
