//! A chain of the long-tail functions, fused: `arange(N).cast::<f64>().log10().clip(0, 1)
//! .nansum()` against a hand-written rayon loop doing the same arithmetic (`f64::log10`, the
//! clamp, a NaN-skipping sum) over the same N, in one run.
//!
//!     cargo run --release --example ufunc_chain -- --n 1e9 --workers 2
//!
//! Prints `key: value` lines: `result:` and `seconds:` of each (medians of `--repeats`),
//! `ratio:` (chunkwise / loop) and `peak_rss_mib:`.
mod common;

use rayon::prelude::*;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: ufunc_chain [--n N] [--chunk C] [--workers W] [--repeats R] [--explain]",
    );
    let n = args.n;
    let mut x = chunkwise::arange(n);
    if let Some(c) = args.chunk {
        x = x.rechunk(c)?;
    }
    let y = x.cast::<f64>().log10().clip(0.0, 1.0).nansum();
    if args.explain {
        println!("{}", y.explain()?);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut r_ours, mut r_loop) = (0.0, 0.0);
    for _ in 0..args.repeats {
        let (r, s) = common::timed(args.workers, || y.item());
        r_ours = r?;
        ours.push(s);
        let (r, s) = common::timed(args.workers, || {
            (0..n as u64)
                .into_par_iter()
                .map(|i| {
                    let v = (i as f64).log10().clamp(0.0, 1.0);
                    if v.is_nan() {
                        0.0
                    } else {
                        v
                    }
                })
                .sum::<f64>()
        });
        r_loop = r;
        theirs.push(s);
    }
    let (s_ours, s_loop) = (median(ours), median(theirs));
    println!("workload: log10_clip_nansum");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("result: {r_ours}");
    println!("result_loop: {r_loop}");
    println!("seconds: {s_ours:.6}");
    println!("seconds_loop: {s_loop:.6}");
    println!("ratio: {:.3}", s_ours / s_loop);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
