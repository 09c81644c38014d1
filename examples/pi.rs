//! The Monte-Carlo estimate of pi, written as the lesson's `calc_pi_dask`: draw (2, N) points
//! uniform in [-1, 1), square, sum over axis 0, compare with 1, count.
//!
//!     cargo run --release --example pi -- --n 1e9 --workers 2 --chunk 1e6
//!
//! Prints `key: value` lines: result (the estimate), seconds (compute only), peak_rss_mib.
mod common;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: pi [--n N] [--workers W] [--chunk C] [--seed S] [--explain]",
    );
    let n = args.n;
    let mut pts = chunkwise::random::default_rng(args.seed).uniform(-1.0, 1.0, [2, n]);
    if let Some(c) = args.chunk {
        pts = pts.rechunk([2, c])?;
    }
    let inside = pts.square().sum_axis(0)?.lt(1.0).count_nonzero();
    if args.explain {
        println!("{}", inside.explain()?);
    }
    let (count, seconds) = common::timed(args.workers, || inside.item());
    let count = count?;
    let pi = 4.0 * count as f64 / n as f64;
    println!("workload: pi");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!(
        "chunk: {}",
        pts.chunks().axis(1).first().copied().unwrap_or(0)
    );
    println!("chunks: {}", pts.chunks().num_chunks());
    println!("inside: {count}");
    println!("result: {pi}");
    println!("error: {:.2e}", (pi - std::f64::consts::PI).abs());
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
