//! The Dask documentation's first example:
//!
//! ```python
//! x = da.random.random(size=(10000, 10000), chunks=(1000, 1000))
//! (x + x.T - x.mean(axis=0)).sum().compute()
//! ```
//!
//!     cargo run --release --example dask_docs                     # n = 10000, chunks of n/10
//!     cargo run --release --example dask_docs -- --n 2000 --chunk 500 --workers 2 --explain
//!     cargo run --release --example dask_docs -- --n 300 --check   # also against eager ndarray
//!
//! Prints `key: value` lines: result, seconds (compute only), peak_rss_mib; `--explain` the plan.
mod common;

use ndarray::Axis;

fn main() -> Result<(), chunkwise::Error> {
    let mut args = common::parse(
        10_000,
        "usage: dask_docs [--n N] [--chunk C] [--workers W] [--seed S] [--explain] [--check]",
    );
    let check = std::env::args().any(|a| a == "--check");
    let n = args.n;
    let chunk = *args.chunk.get_or_insert((n / 10).max(1));
    let x = chunkwise::random::default_rng(args.seed)
        .random([n, n])
        .rechunk([chunk, chunk])?;
    let y = (&x + &x.t() - x.mean_with(0, chunkwise::ReduceOptions::default())?).sum();
    if args.explain {
        println!("{}", y.explain()?);
    }
    let (result, seconds) = common::timed(args.workers, || y.item());
    let result = result?;
    println!("workload: dask_docs");
    println!("n: {n}");
    println!("chunk: {chunk}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("result: {result}");
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    if check {
        let a = x.compute()?;
        let m = a.mean_axis(Axis(0)).expect("n > 0");
        let eager = (&a + &a.t() - &m).sum();
        let rel = (result - eager).abs() / eager.abs().max(1.0);
        println!("eager: {eager}");
        println!("relative_difference: {rel:.2e}");
        if rel > 1e-9 {
            eprintln!("mismatch against the eager ndarray result");
            std::process::exit(1);
        }
    }
    Ok(())
}
