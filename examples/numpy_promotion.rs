//! The promotion rules against NumPy: prints, for every ordered pair of the ten numeric types,
//! the dtype and values of `a + b`, `a - b` and `a * b` for two small arrays, one line each, and
//! NumPy's `promote_types` table as chunkwise has it. `.ci/promotion_check.py` computes the same
//! with NumPy and compares line by line.
//!
//! ```text
//! cargo run --release --example numpy_promotion > lines.txt
//! python .ci/promotion_check.py lines.txt
//! ```

use chunkwise::{ChunkedArray, Numeric, Promote};

const A: [i64; 6] = [0, 1, 2, 3, 7, 100];
const B: [i64; 6] = [5, 3, 1, 0, 9, 27];

fn values<T: Numeric>(x: &ChunkedArray<T>) -> String {
    let v = x.compute().expect("small arrays compute");
    v.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn line<P: Promote<Q>, Q: Numeric>()
where
    i64: chunkwise::CastTo<P> + chunkwise::CastTo<Q>,
{
    let a = chunkwise::from_array(ndarray::arr1(&A), 4)
        .expect("1-d")
        .cast::<P>();
    let b = chunkwise::from_array(ndarray::arr1(&B), 3)
        .expect("1-d")
        .cast::<Q>();
    let promoted = P::DTYPE.promote(Q::DTYPE).expect("numeric types");
    println!("promote {} {} {}", P::DTYPE, Q::DTYPE, promoted);
    for (op, r) in [("add", &a + &b), ("sub", &a - &b), ("mul", &a * &b)] {
        println!(
            "{op} {} {} {}: {}",
            P::DTYPE,
            Q::DTYPE,
            r.dtype(),
            values(&r)
        );
    }
}

macro_rules! pairs {
    ($($a:ty),*) => { $( pairs!(@row $a; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8); )* };
    (@row $a:ty; $($b:ty),*) => { $( line::<$a, $b>(); )* };
}

fn main() {
    pairs!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
}
