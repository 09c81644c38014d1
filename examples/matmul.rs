//! `(random(n, n) @ random(n, n)).sum()`: a contraction whose operands are never held, blocks
//! multiplied by the `gemm` crate's kernels on the workers, the product summed as it is made.
//! `../shared/peers/ops_peers.py --cases matmul_numpy,matmul_dask --n N` times NumPy (OpenBLAS)
//! and Dask on the same work.
//!
//!     cargo run --release --example matmul -- --n 4096 --chunk 1024
//!     cargo run --release --example matmul -- --n 20000 --chunk 1000 --memory-limit-mib 512
//!
//! Prints `key: value` lines: `result:`, `seconds:` (the compute only, median of `--repeats`),
//! `projected_mib:` (the plan's memory), `gflops:` and `peak_rss_mib:`.
mod common;

use chunkwise::Config;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        4096,
        "usage: matmul [--n SIDE] [--chunk BLOCK] [--workers W] [--repeats R] \\
         [--memory-limit-mib M] [--explain]",
    );
    let n = args.n;
    let c = args.chunk.unwrap_or(1024).min(n.max(1));
    let mut rng = chunkwise::random::default_rng(args.seed);
    let a = rng.random([n, n]).rechunk([c, c])?;
    let b = rng.random([n, n]).rechunk([c, c])?;
    let s = chunkwise::matmul(&a, &b)?.sum();
    if args.explain {
        println!("{}", s.explain()?);
    }
    let mut cfg = Config::default();
    if let Some(w) = args.workers {
        cfg = cfg.workers(w);
    }
    if let Some(m) = args.memory_limit_mib {
        cfg = cfg.memory_limit((m as u64) << 20);
    }
    let projected = s.plan()?.memory.total;
    let mut times = Vec::new();
    let mut result = 0.0;
    for _ in 0..args.repeats {
        let (r, secs) = common::timed(args.workers, || s.item_with(&cfg));
        result = r?;
        times.push(secs);
    }
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    println!("workload: matmul_sum");
    println!("n: {n}");
    println!("chunk: {c}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("result: {result}");
    println!("seconds: {secs:.6}");
    println!("gflops: {:.1}", 2.0 * (n as f64).powi(3) / secs / 1e9);
    println!("projected_mib: {:.1}", projected as f64 / 1048576.0);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
