//! Time against the number of workers (the lesson's "more cores" figure), as a table and an SVG
//! plot with the ideal `T1 / W` line.
//!
//!     cargo run --release --example workers_scaling                       # pi at N = 1e8
//!     cargo run --release --example workers_scaling -- --workload sum --n 1e9 --max-workers 4
mod common;

use chunkwise::diagnostics::{LinePlot, Table};
use chunkwise::prelude::*;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: workers_scaling [--workload pi|sum] [--n N] [--max-workers W] [--repeats R] [--chunk C] [--out DIR]",
    );
    common::header(
        "the lesson's more-cores figure: the same computation on 1, 2, ... workers",
        "time falls as 1/W up to the number of cores, then flattens",
    );
    let workload = args.workload.clone().unwrap_or_else(|| "pi".into());
    let n = args.n;
    let result: ChunkedArray<f64> = match workload.as_str() {
        "pi" => {
            let mut pts = chunkwise::random::default_rng(args.seed).uniform(-1.0, 1.0, [2, n]);
            if let Some(c) = args.chunk {
                pts = pts.rechunk([2, c])?;
            }
            pts.square()
                .sum_with(0, chunkwise::ReduceOptions::default())?
                .lt(1.0)
                .count_nonzero()
                .cast::<f64>()
                * 4.0
                / n as f64
        }
        "sum" => {
            let mut x = chunkwise::arange(n);
            if let Some(c) = args.chunk {
                x = x.rechunk(c)?;
            }
            x.sum().cast::<f64>()
        }
        other => {
            eprintln!("unknown workload {other}; one of pi, sum");
            std::process::exit(2)
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let max = args.max_workers.unwrap_or(cores).max(1);
    let mut table = Table::new(["workers", "seconds", "speedup", "efficiency", "result"]);
    let (mut measured, mut ideal) = (Vec::new(), Vec::new());
    let mut t1 = 0.0;
    for w in 1..=max {
        let cfg = Config::default().workers(w);
        let mut best = f64::INFINITY;
        let mut value = 0.0;
        for _ in 0..args.repeats {
            let t = std::time::Instant::now();
            value = result.item_with(&cfg)?;
            best = best.min(t.elapsed().as_secs_f64());
        }
        if w == 1 {
            t1 = best;
        }
        let speedup = t1 / best;
        table.row([
            w.to_string(),
            format!("{best:.4}"),
            format!("{speedup:.2}"),
            format!("{:.0}%", 100.0 * speedup / w as f64),
            value.to_string(),
        ]);
        measured.push((w as f64, best));
        ideal.push((w as f64, t1 / w as f64));
    }
    println!(
        "workload: {workload}, N = {}, best of {} runs, {cores} cores",
        common::fmt_n(n),
        args.repeats
    );
    print!("{table}");
    common::make_dir(&args.out, "workers_scaling")?;
    let path = args.out.join("workers_scaling.svg");
    LinePlot::new(
        format!(
            "{workload} at N = {}: time against workers ({cores} cores)",
            common::fmt_n(n)
        ),
        "workers",
        "seconds",
    )
    .series("chunkwise", measured)
    .series("ideal T1 / W", ideal)
    .markers(true)
    .write_svg(&path)?;
    println!("plot: {}", path.display());
    Ok(())
}
