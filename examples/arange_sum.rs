//! `np.arange(N).sum()`: eager (materialize N values, then sum, like NumPy) against chunkwise
//! (lazy, chunked, fused, in bounded memory).
//!
//!     cargo run --release --example arange_sum                       # both, N = 1e9, as a table
//!     cargo run --release --example arange_sum -- --n 1e9 --workers 2 --chunk 1e6
//!     cargo run --release --example arange_sum -- --variant chunked --explain
//!
//! Each variant runs in its own child process so its peak RSS is its own. After the table come
//! the chunked run's `result:`, `seconds:` (compute only) and `peak_rss_mib:` (VmHWM) lines.
mod common;

use chunkwise::diagnostics::{available_memory_bytes, Table};

fn run_variant(variant: &str, args: &common::Args) -> Result<(), chunkwise::Error> {
    let n = args.n;
    // u128 holds the product for any n; the cast wraps as the sum does.
    let expected = ((n as u128) * (n as u128).saturating_sub(1) / 2) as i64;
    let (result, seconds, chunks) = match variant {
        "chunked" => {
            let mut x = chunkwise::arange(n);
            if let Some(c) = args.chunk {
                x = x.rechunk(c)?;
            }
            let total = x.sum();
            if args.explain {
                println!("{}", total.explain()?);
            }
            let (r, s) = common::timed(args.workers, || total.item());
            (r?, s, x.chunks().num_chunks())
        }
        "eager" => {
            if let Some(avail) = available_memory_bytes()
                && (n as u64).saturating_mul(8) > avail * 9 / 10
            {
                println!("variant: eager");
                println!("n: {n}");
                println!(
                    "refused: needs {:.1} GiB, {:.1} GiB available",
                    n as f64 * 8.0 / 2f64.powi(30),
                    avail as f64 / 2f64.powi(30)
                );
                return Ok(());
            }
            // np.arange(N).sum(): the whole array, then one pass on one core.
            let (r, s) = common::timed(Some(1), || {
                let a: Vec<i64> = (0..n as i64).collect();
                a.iter().fold(0i64, |s, &v| s.wrapping_add(v))
            });
            (r, s, 1)
        }
        other => {
            eprintln!("unknown variant {other}; one of chunked, eager");
            std::process::exit(2)
        }
    };
    println!("variant: {variant}");
    println!("workload: arange_sum");
    println!("n: {n}");
    println!(
        "workers: {}",
        if variant == "eager" {
            1
        } else {
            common::workers_used(args.workers)
        }
    );
    println!("chunks: {chunks}");
    println!("result: {result}");
    println!("correct: {}", result == expected);
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        1_000_000_000,
        "usage: arange_sum [--n N] [--workers W] [--chunk C] [--explain] [--variant chunked|eager]",
    );
    if let Some(v) = &args.variant {
        return run_variant(v, &args);
    }
    common::header(
        "np.arange(N).sum() with NumPy against da.arange(N).sum() with Dask",
        "eager needs N x 8 bytes; chunked stays at a few MiB and is faster",
    );
    let mut table = Table::new([
        "variant",
        "N",
        "workers",
        "seconds",
        "peak_rss_mib",
        "result",
    ]);
    let mut chunked = None;
    for v in ["eager", "chunked"] {
        let mut a = common::child_args(&args);
        a.extend(["--variant".to_string(), v.to_string()]);
        if args.explain && v == "chunked" {
            a.push("--explain".into());
        }
        let r = common::run_self(&a).unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(1)
        });
        if let Some(why) = r.get("refused") {
            table.row([v, &common::fmt_n(args.n), "-", "refused", "-", why.as_str()]);
            continue;
        }
        table.row([
            v.to_string(),
            common::fmt_n(args.n),
            r["workers"].clone(),
            r["seconds"].clone(),
            r["peak_rss_mib"].clone(),
            r["result"].clone(),
        ]);
        if v == "chunked" {
            chunked = Some(r);
        }
    }
    print!("{table}");
    if let Some(r) = chunked {
        for k in ["result", "correct", "seconds", "peak_rss_mib"] {
            println!("{k}: {}", r[k]);
        }
    }
    Ok(())
}
