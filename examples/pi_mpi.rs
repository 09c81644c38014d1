//! The lesson's MPI estimate of pi (`mpi4py`: scatter the work, count, `comm.gather`, rank 0
//! prints), with chunkwise splitting the work: the same program runs on every rank, each rank
//! runs its share of the tasks, and the count is combined in the one fixed tree, so `inside:`
//! is the same number as `examples/pi.rs` prints for the same flags, for any number of ranks.
//!
//!     cargo build --release --features mpi --example pi_mpi
//!     mpiexec -n 2 target/release/examples/pi_mpi --n 1e9 --workers 1
//!     mpiexec -n 2 target/release/examples/pi_mpi --workload sum --n 1e9
//!     mpiexec -n 2 target/release/examples/pi_mpi --workload docs --docs-n 10000
//!     mpiexec -n 2 target/release/examples/pi_mpi --workload exchange   # latency, bandwidth
//!
//! Every rank prints `before gather:` and `after gather:` lines as the lesson's script does;
//! rank 0 prints `key: value` lines: `result:`, `inside:` (pi), `seconds:` (the compute only,
//! from the first rank's start to the last rank's end), `ranks:`, `workers:`, `peak_rss_mib:`
//! (rank 0's). Flags as `examples/pi.rs`: `--n`, `--chunk`, `--workers`, `--seed`.
mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chunkwise::events::{Observer, TaskInfo};
use chunkwise::prelude::*;
use chunkwise::{Executor, Mpi};

/// Counts the tasks and elements this rank ran.
#[derive(Default)]
struct Share {
    tasks: AtomicU64,
    elements: AtomicU64,
}

impl Observer for Share {
    fn on_task_end(&self, info: &TaskInfo, _: std::time::Duration, _: bool) {
        self.tasks.fetch_add(1, Ordering::Relaxed);
        self.elements.fetch_add(info.elements, Ordering::Relaxed);
    }
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: pi_mpi [--n N] [--chunk C] [--workers W] [--seed S] [--workload pi|sum|docs|exchange] [--docs-n N]",
    );
    let mpi = Mpi::init()?;
    let (rank, ranks) = (mpi.rank(), mpi.ranks());
    let share = Arc::new(Share::default());
    let mut cfg = Config::default()
        .executor(mpi.clone())
        .observer(share.clone())
        .progress(false);
    if let Some(w) = args.workers {
        cfg = cfg.workers(w);
    }
    let workload = args.workload.clone().unwrap_or_else(|| "pi".into());
    let mut lines: Vec<String> = Vec::new();
    let before = |what: &str| println!("before gather: rank {rank}, {what}: 0");
    // Every rank starts the clock together and stops it when all are done.
    let barrier = || mpi.all_gather(&[]).map(|_| ());
    let timed = |f: &dyn Fn() -> Result<String, chunkwise::Error>| {
        barrier()?;
        let t = Instant::now();
        let r = f()?;
        barrier()?;
        Ok::<_, chunkwise::Error>((r, t.elapsed().as_secs_f64()))
    };
    let seconds = match workload.as_str() {
        "pi" => {
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
            before("n_inside_circle");
            let (count, s) = timed(&|| Ok(inside.item_with(&cfg)?.to_string()))?;
            println!("after gather: rank {rank}, n_inside_circle: {count}");
            let count: u64 = count.parse().expect("a count");
            lines.push(format!("n: {n}"));
            lines.push(format!("chunks: {}", pts.chunks().num_chunks()));
            lines.push(format!("inside: {count}"));
            lines.push(format!("result: {}", 4.0 * count as f64 / n as f64));
            s
        }
        "sum" => {
            let mut a = chunkwise::arange(args.n);
            if let Some(c) = args.chunk {
                a = a.rechunk(c)?;
            }
            let total = a.sum();
            before("sum");
            let (sum, s) = timed(&|| Ok(total.item_with(&cfg)?.to_string()))?;
            println!("after gather: rank {rank}, sum: {sum}");
            lines.push(format!("n: {}", args.n));
            lines.push(format!("result: {sum}"));
            s
        }
        "docs" => {
            let n = args.docs_n;
            let chunk = args.chunk.unwrap_or((n / 10).max(1));
            let x = chunkwise::random::default_rng(args.seed)
                .random([n, n])
                .rechunk([chunk, chunk])?;
            let y = (&x + &x.t() - x.mean_with(0, chunkwise::ReduceOptions::default())?).sum();
            before("sum");
            let (v, s) = timed(&|| {
                let v: f64 = y.item_with(&cfg)?;
                // The bits, so that ranks and runs compare exactly.
                Ok(format!("{v:?} (bits {:#018x})", v.to_bits()))
            })?;
            println!("after gather: rank {rank}, sum: {v}");
            lines.push(format!("n: {n}"));
            lines.push(format!("chunk: {chunk}"));
            lines.push(format!("result: {v}"));
            s
        }
        "exchange" => {
            // What the executor's one collective costs: an all-gather of 8 bytes (latency) and
            // of 64 MiB per rank (bandwidth), timed on rank 0 over repeats.
            for (label, bytes, reps) in [("latency_us", 8usize, 2000), ("bandwidth", 64 << 20, 5)] {
                let buf = vec![rank as u8; bytes];
                barrier()?;
                let t = Instant::now();
                for _ in 0..reps {
                    mpi.all_gather(&buf)?;
                }
                let per = t.elapsed().as_secs_f64() / reps as f64;
                if label == "latency_us" {
                    lines.push(format!("exchange_latency_us: {:.2}", per * 1e6));
                } else {
                    // Each rank receives (ranks - 1) x bytes per all-gather.
                    let moved = (ranks.saturating_sub(1) * bytes) as f64;
                    lines.push(format!(
                        "exchange_bandwidth_mib_s: {:.0}",
                        moved / per / (1 << 20) as f64
                    ));
                }
            }
            0.0
        }
        other => {
            eprintln!("error: unknown workload {other:?} (pi, sum, docs, exchange)");
            std::process::exit(2);
        }
    };
    println!(
        "rank {rank}: ran {} tasks over {} elements",
        share.tasks.load(Ordering::Relaxed),
        share.elements.load(Ordering::Relaxed)
    );
    if rank == 0 {
        println!("workload: {workload}");
        println!("ranks: {ranks}");
        println!(
            "workers: {}",
            args.workers.unwrap_or_else(rayon::current_num_threads)
        );
        for l in lines {
            println!("{l}");
        }
        println!("seconds: {seconds:.6}");
        println!(
            "peak_rss_mib: {:.1}",
            chunkwise::diagnostics::peak_rss_mib()
        );
    }
    Ok(())
}
