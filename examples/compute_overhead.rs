//! What one small compute costs the engine itself: `x[3]` of a 10-element array in two chunks,
//! computed to one value, in a loop. The Python package's figure for `float(x[3])` is this plus
//! the binding (argument conversion, the GIL released and taken back, a NumPy scalar made);
//! `python/examples/against_rust.py` runs both in one session.
//!
//!     cargo run --release --example compute_overhead -- --n 20000
//!
//! Prints `key: value` lines: `calls`, `seconds`, `us_per_call` (the median of `--repeats`
//! loops of `--n` calls each), for the dtype-erased array the binding holds (`DynArray`) and
//! for the typed one.
mod common;

use std::time::Instant;

use chunkwise::ndarray::{Array1, SliceInfoElem};
use chunkwise::{DynArray, Result};

/// Median seconds per call of `repeats` loops of `n` calls of `f`.
fn per_call(n: usize, repeats: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut check = 0.0;
    for _ in 0..n.min(1000) {
        check += f()?; // warm-up: the pool's threads, the allocator
    }
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let t = Instant::now();
        for _ in 0..n {
            check += f()?;
        }
        times.push(t.elapsed().as_secs_f64() / n as f64);
    }
    assert!(check > 0.0, "the values are used");
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

fn main() -> Result<()> {
    let args = common::parse(20_000, "usage: compute_overhead [--n CALLS] [--repeats R]");
    let n = args.n.max(1);
    let repeats = args.repeats.max(1);
    let values = Array1::from_iter((0..10).map(f64::from)).into_dyn();
    let typed = chunkwise::from_array(values, 5)?;
    let dynamic = DynArray::from(typed.clone());
    let at = [SliceInfoElem::Index(3)];
    let dyn_s = per_call(n, repeats, || Ok(dynamic.slice(at)?.item()?.to_f64()))?;
    let typed_s = per_call(n, repeats, || typed.slice(at)?.item())?;
    println!("workload: compute_overhead (x[3] of 10 values in 2 chunks, to one value)");
    println!("calls: {n}");
    println!("repeats: {repeats}");
    println!("us_per_call: {:.3}", dyn_s * 1e6);
    println!("us_per_call_typed: {:.3}", typed_s * 1e6);
    Ok(())
}
