//! `np.arange(N).sum()` in chunkwise: lazy, chunked, fused, in bounded memory.
//!
//!     cargo run --release --example arange_sum -- --n 1e9 --workers 2 --chunk 1e6
//!
//! Prints `key: value` lines: result, seconds (compute only), peak_rss_mib, and the setup.
mod common;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        1_000_000_000,
        "usage: arange_sum [--n N] [--workers W] [--chunk C] [--explain]",
    );
    let mut x = chunkwise::arange(args.n);
    if let Some(c) = args.chunk {
        x = x.rechunk(c)?;
    }
    let total = x.sum();
    if args.explain {
        println!("{}", total.explain()?);
    }
    let (result, seconds) = common::timed(args.workers, || total.item());
    let result = result?;
    let n = args.n as i128;
    let expected = (n * (n - 1) / 2) as i64;
    println!("workload: arange_sum");
    println!("n: {}", args.n);
    println!("workers: {}", common::workers_used(args.workers));
    println!(
        "chunk: {}",
        x.chunks().axis(0).first().copied().unwrap_or(0)
    );
    println!("chunks: {}", x.chunks().num_chunks());
    println!("result: {result}");
    println!("correct: {}", result == expected);
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
