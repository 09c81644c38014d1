//! The Monte-Carlo estimate of pi, written as the lesson's `calc_pi_dask`: draw (2, N) points
//! uniform in [-1, 1), square, sum over axis 0, compare with 1, count.
//!
//!     cargo run --release --example pi -- --n 1e9 --workers 2 --chunk 1e6
//!
//! Prints `key: value` lines: result (the estimate), seconds (compute only), peak_rss_mib.
//! `--profile DIR` records the tasks, memory and CPU and writes `pi_profile.svg` and
//! `pi_profile.json` there; `--visualize DIR` writes the graph at three levels (ops, fused
//! passes, tasks with the reduction tree) as DOT and SVG. On a terminal a progress bar shows for
//! runs longer than 0.5 s.
mod common;

use std::sync::Arc;

use chunkwise::diagnostics::{GraphLevel, Profiler};
use chunkwise::prelude::*;

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
    let inside = pts
        .square()
        .sum_with(0, chunkwise::ReduceOptions::default())?
        .lt(1.0)
        .count_nonzero();
    if args.explain {
        println!("{}", inside.explain()?);
    }
    if let Some(dir) = &args.visualize {
        common::make_dir(dir, "pi --visualize")?;
        for (name, level) in [
            ("pi_ops", GraphLevel::Ops),
            ("pi_optimized", GraphLevel::Optimized),
            ("pi_tasks", GraphLevel::Tasks),
        ] {
            let v = inside.visualize(dir.join(name), level)?;
            println!(
                "graph_{name}: {}",
                v.svg.as_ref().unwrap_or(&v.dot).display()
            );
            if let Some(note) = v.note {
                println!("graph_note: {note}");
            }
        }
    }
    let profiler = Arc::new(Profiler::new(std::time::Duration::from_millis(20)));
    let mut cfg = Config::default();
    if args.profile.is_some() {
        cfg = cfg.observer(profiler.clone());
    }
    let (count, seconds) = common::timed(args.workers, || inside.item_with(&cfg));
    let count = count?;
    let pi = 4.0 * count as f64 / n as f64;
    println!("workload: pi");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("chunk: {}", pts.chunks().axis(1).size(0));
    println!("chunks: {}", pts.chunks().num_chunks());
    println!("inside: {count}");
    println!("result: {pi}");
    println!("error: {:.2e}", (pi - std::f64::consts::PI).abs());
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    if let Some(dir) = &args.profile {
        let rec = profiler.record();
        common::make_dir(dir, "pi --profile")?;
        rec.write_svg(dir.join("pi_profile.svg"))?;
        rec.write_json(dir.join("pi_profile.json"))?;
        println!("profile_tasks: {}", rec.tasks.len());
        println!("profile_workers: {}", rec.workers());
        println!("profile: {}", dir.join("pi_profile.svg").display());
    }
    Ok(())
}
