//! `arange(N).cumsum(0).sum()` against `arange(N).sum()`, in one run: the scan's two passes
//! (the blocks' totals, then each block scanned from its carry) against one reduction, memory
//! flat in N. `../shared/peers/ops_peers.py --cases cumsum_numpy,cumsum_dask --cumsum-n N`
//! times NumPy and Dask on the same work.
//!
//!     cargo run --release --example cumsum -- --n 1e9 --chunk 1e6
//!
//! Prints `key: value` lines: `result:` (wrapping in i64, as NumPy's int64), `expected:` (the
//! closed form `(N - 1) N (N + 1) / 6`, wrapped the same way), `seconds:` and `seconds_sum:`
//! (medians of `--repeats`), `ratio:` and `peak_rss_mib:`.
mod common;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: cumsum [--n N] [--chunk C] [--workers W] [--repeats R] [--explain]",
    );
    let n = args.n;
    let x = chunkwise::arange(n).rechunk(args.chunk.unwrap_or(1_000_000).min(n.max(1)))?;
    let scanned = x.cumsum(0)?.sum();
    let plain = x.sum();
    if args.explain {
        println!("{}", scanned.explain()?);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut t_scan, mut t_sum) = (Vec::new(), Vec::new());
    let (mut result, mut total) = (0, 0);
    for _ in 0..args.repeats {
        let (r, s) = common::timed(args.workers, || scanned.item());
        result = r?;
        t_scan.push(s);
        let (r, s) = common::timed(args.workers, || plain.item());
        total = r?;
        t_sum.push(s);
    }
    let big = n as i128;
    let expected = ((big - 1) * big * (big + 1) / 6) as i64;
    let (s_scan, s_sum) = (median(t_scan), median(t_sum));
    println!("workload: arange_cumsum_sum");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("result: {result}");
    println!("expected: {expected}");
    println!("correct: {}", result == expected);
    println!("sum: {total}");
    println!("seconds: {s_scan:.6}");
    println!("seconds_sum: {s_sum:.6}");
    println!("ratio: {:.3}", s_scan / s_sum);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
