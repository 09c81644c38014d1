//! Memory over time of `arange(N).sum()`, eager against chunked, sampled every 10 ms as the
//! lesson does with `memory_profiler.memory_usage(f, interval=0.01)`, drawn as an SVG line plot.
//!
//!     cargo run --release --example memory_profile                 # N = 2e8, writes ./memory_profile.svg
//!     cargo run --release --example memory_profile -- --n 5e8 --out target --interval-ms 5
mod common;

use std::time::Duration;

use chunkwise::diagnostics::{LinePlot, MemorySampler, Sample, Table};

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Runs `f` under a sampler; returns its result, seconds and the samples.
fn profile<R>(interval: Duration, f: impl FnOnce() -> R) -> (R, f64, Vec<Sample>) {
    let sampler = MemorySampler::start(interval);
    // Let the sampler take its baseline reading first.
    std::thread::sleep(interval * 2);
    let t = std::time::Instant::now();
    let r = f();
    let secs = t.elapsed().as_secs_f64();
    std::thread::sleep(interval * 2);
    (r, secs, sampler.stop())
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        200_000_000,
        "usage: memory_profile [--n N] [--workers W] [--chunk C] [--interval-ms MS] [--out DIR]",
    );
    common::header(
        "the memory_profiler figure: sum_with_numpy against sum_with_dask",
        "the eager line climbs to N x 8 bytes and drops; the chunked line stays flat at the baseline",
    );
    let n = args.n;
    let interval = Duration::from_millis(args.interval_ms);
    if let Some(avail) = chunkwise::diagnostics::available_memory_bytes()
        && (n as u64).saturating_mul(8) > avail * 9 / 10
    {
        eprintln!(
            "error: the eager sum of N = {n} needs {:.1} GiB and {:.1} GiB are available; use a smaller --n",
            mib((n as u64).saturating_mul(8)) / 1024.0,
            mib(avail) / 1024.0
        );
        std::process::exit(2);
    }
    let mut x = chunkwise::arange(n);
    if let Some(c) = args.chunk {
        x = x.rechunk(c)?;
    }
    let total = x.sum();
    // Chunked first: the eager run's freed pages must not count as the chunked baseline.
    let (chunked, chunked_s, chunked_samples) =
        profile(interval, || common::timed(args.workers, || total.item()).0);
    let chunked = chunked?;
    let (eager, eager_s, eager_samples) = profile(interval, || {
        let a: Vec<i64> = (0..n as i64).collect();
        a.iter().fold(0i64, |s, &v| s.wrapping_add(v))
    });
    assert_eq!(eager, chunked, "both sums agree");

    let mut table = Table::new([
        "variant",
        "N",
        "seconds",
        "samples",
        "baseline_mib",
        "max_mib",
    ]);
    let mut plot = LinePlot::new(
        format!(
            "memory while summing arange({}), sampled every {} ms",
            common::fmt_n(n),
            args.interval_ms
        ),
        "seconds",
        "resident memory (MiB)",
    );
    for (name, secs, samples) in [
        ("eager", eager_s, &eager_samples),
        ("chunked", chunked_s, &chunked_samples),
    ] {
        let base = samples.first().map_or(0, |s| s.rss_bytes);
        let max = samples.iter().map(|s| s.rss_bytes).max().unwrap_or(0);
        table.row([
            name.to_string(),
            common::fmt_n(n),
            format!("{secs:.3}"),
            samples.len().to_string(),
            format!("{:.1}", mib(base)),
            format!("{:.1}", mib(max)),
        ]);
        // The chunked run is over in milliseconds: say so in the legend, where the line is short.
        let label = format!("{name}: {secs:.3} s, max {:.1} MiB", mib(max));
        plot = plot.series(
            label,
            samples
                .iter()
                .map(|s| (s.seconds, mib(s.rss_bytes)))
                .collect(),
        );
    }
    print!("{table}");
    common::make_dir(&args.out, "memory_profile")?;
    let path = args.out.join("memory_profile.svg");
    plot.write_svg(&path)?;
    println!("result: {chunked}");
    println!("plot: {}", path.display());
    Ok(())
}
