//! The lesson's Monte-Carlo pi, written six ways and timed side by side at one N.
//!
//!     cargo run --release --example calc_pi                # all variants, N = 1e7, as a table
//!     cargo run --release --example calc_pi -- --n 1e8 --workers 2
//!     cargo run --release --example calc_pi -- --variant chunked --n 1e8   # one, as key: value
//!
//! | variant | the lesson's | what it is |
//! |---|---|---|
//! | naive | pure Python `calc_pi` | one scalar loop drawing each number with a per-call RNG (`rand::random_range`, the thread-local generator looked up per call), at `--naive-n` |
//! | eager | `calc_pi_numpy` | ndarray materializes the (2, N) points, squares, sums axis 0, compares, counts: 41 bytes per point |
//! | chunked | `calc_pi_dask` | chunkwise: lazy, fused over tiles, on all workers |
//! | native | Numba `@jit` | a hand-written single-threaded loop, no arrays (rand `SmallRng`) |
//! | threads | `queue.Queue` + `threading.Thread` | work units in a channel drained by W std threads, counts combined |
//! | tasks | `dask.delayed` x 10 + mean | ten independent estimates of N/10 points as `chunkwise::delayed` tasks, averaged by an eleventh |
//!
//! Each variant runs in its own child process so its peak RSS is its own.
mod common;

use std::sync::{mpsc, Arc, Mutex};

use chunkwise::delayed;
use chunkwise::diagnostics::{available_memory_bytes, Table};
use ndarray::{Array2, Axis};
use rand::{RngExt, SeedableRng};

const VARIANTS: [&str; 6] = ["naive", "eager", "chunked", "native", "threads", "tasks"];

/// Points in one work unit of the thread and task variants.
fn count_inside(seed: u64, n: usize) -> u64 {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let mut c = 0u64;
    for _ in 0..n {
        let x: f64 = rng.random_range(-1.0..1.0);
        let y: f64 = rng.random_range(-1.0..1.0);
        c += (x * x + y * y < 1.0) as u64;
    }
    c
}

fn naive(n: usize) -> u64 {
    let mut c = 0u64;
    for _ in 0..n {
        let x: f64 = rand::random_range(-1.0..1.0);
        let y: f64 = rand::random_range(-1.0..1.0);
        if x * x + y * y < 1.0 {
            c += 1;
        }
    }
    c
}

/// Bytes the eager variant holds at its peak: points (16), squares (16), sums (8), flags (1).
fn eager_bytes(n: usize) -> u64 {
    (n as u64).saturating_mul(41)
}

fn eager(seed: u64, n: usize) -> u64 {
    let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
    let pts = Array2::from_shape_simple_fn((2, n), || rng.random_range(-1.0..1.0));
    let sq = &pts * &pts;
    let r = sq.sum_axis(Axis(0));
    let inside = r.mapv(|v| v < 1.0);
    inside.iter().filter(|&&b| b).count() as u64
}

fn chunked(args: &common::Args) -> Result<u64, chunkwise::Error> {
    let mut pts = chunkwise::random::default_rng(args.seed).uniform(-1.0, 1.0, [2, args.n]);
    if let Some(c) = args.chunk {
        pts = pts.rechunk([2, c])?;
    }
    pts.square()
        .sum_with(0, chunkwise::ReduceOptions::default())?
        .lt(1.0)
        .count_nonzero()
        .item()
}

fn threads(seed: u64, n: usize, workers: usize) -> u64 {
    // The lesson's worker model: a queue of work units, W threads taking from it until it is
    // empty, each result put on a result queue, combined at the end.
    let units = (workers * 16).max(16);
    let (work_tx, work_rx) = mpsc::channel::<(u64, usize)>();
    let (result_tx, result_rx) = mpsc::channel::<u64>();
    for u in 0..units {
        let size = n / units + usize::from(u < n % units);
        work_tx
            .send((seed.wrapping_add(u as u64), size))
            .expect("receiver alive");
    }
    drop(work_tx);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let rx = work_rx.clone();
            let tx = result_tx.clone();
            std::thread::spawn(move || loop {
                let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match job {
                    Ok((s, size)) => tx.send(count_inside(s, size)).expect("receiver alive"),
                    Err(_) => break,
                }
            })
        })
        .collect();
    drop(result_tx);
    let total = result_rx.iter().sum();
    for h in handles {
        h.join().expect("worker thread");
    }
    total
}

fn tasks(seed: u64, n: usize) -> Result<f64, chunkwise::Error> {
    // The blog post's version: ten independent nogil estimates as delayed tasks, then a mean.
    let estimates: Vec<_> = (0..10u64)
        .map(|k| {
            let m = n / 10 + usize::from((k as usize) < n % 10);
            delayed::task(format!("calc_pi {k}"), move || {
                4.0 * count_inside(seed.wrapping_add(k), m) as f64 / m.max(1) as f64
            })
        })
        .collect();
    let mean = delayed::gather("estimates", &estimates)
        .then("mean", |v| v.iter().sum::<f64>() / v.len() as f64);
    mean.compute()
}

fn run_variant(variant: &str, args: &common::Args) {
    let workers = common::workers_used(args.workers);
    let n = if variant == "naive" {
        args.naive_n.unwrap_or(args.n.min(1_000_000))
    } else {
        args.n
    };
    if variant == "eager"
        && let Some(avail) = available_memory_bytes()
        && eager_bytes(n) > avail * 9 / 10
    {
        println!("variant: eager");
        println!("n: {n}");
        println!(
            "refused: needs {:.1} GiB for the (2, N) points and temporaries, {:.1} GiB available",
            eager_bytes(n) as f64 / (1u64 << 30) as f64,
            avail as f64 / (1u64 << 30) as f64
        );
        return;
    }
    let (estimate, seconds) = common::timed(args.workers, || -> Result<f64, chunkwise::Error> {
        let pi = |c: u64| 4.0 * c as f64 / n as f64;
        Ok(match variant {
            "naive" => pi(naive(n)),
            "eager" => pi(eager(args.seed, n)),
            "chunked" => pi(chunked(args)?),
            "native" => pi(count_inside(args.seed, n)),
            "threads" => pi(threads(args.seed, n, workers)),
            "tasks" => tasks(args.seed, n)?,
            other => {
                eprintln!("unknown variant {other}; one of {VARIANTS:?}");
                std::process::exit(2)
            }
        })
    });
    let estimate = match estimate {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    };
    println!("variant: {variant}");
    println!("n: {n}");
    println!(
        "workers: {}",
        if matches!(variant, "naive" | "eager" | "native") {
            1
        } else {
            workers
        }
    );
    println!("result: {estimate}");
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
}

fn main() {
    let args = common::parse(
        10_000_000,
        "usage: calc_pi [--n N] [--naive-n N] [--workers W] [--chunk C] [--seed S] [--variant naive|eager|chunked|native|threads|tasks]",
    );
    if let Some(v) = &args.variant {
        run_variant(v, &args);
        return;
    }
    common::header(
        "calc_pi written six ways (pure Python, NumPy, Dask, Numba, threads, dask.delayed)",
        "eager pays 41 bytes per point and one core; chunked stays at a few MiB and uses every core",
    );
    let mut table = Table::new([
        "variant",
        "lesson",
        "N",
        "workers",
        "seconds",
        "peak_rss_mib",
        "estimate",
        "error",
    ]);
    let lesson = [
        "pure Python",
        "NumPy",
        "Dask",
        "Numba",
        "threads",
        "dask.delayed",
    ];
    let mut chunked_report = None;
    for (v, l) in VARIANTS.iter().zip(lesson) {
        let mut a = common::child_args(&args);
        a.extend(["--variant".to_string(), v.to_string()]);
        if let Some(nn) = args.naive_n {
            a.extend(["--naive-n".to_string(), nn.to_string()]);
        }
        match common::run_self(&a) {
            Ok(r) if r.contains_key("refused") => {
                table.row([
                    v.to_string(),
                    l.into(),
                    r["n"].clone(),
                    "-".into(),
                    "refused".into(),
                    "-".into(),
                    "-".into(),
                    r["refused"].clone(),
                ]);
            }
            Ok(r) => {
                let est: f64 = r["result"].parse().unwrap_or(f64::NAN);
                table.row([
                    v.to_string(),
                    l.into(),
                    common::fmt_n(r["n"].parse().unwrap_or(0)),
                    r["workers"].clone(),
                    r["seconds"].clone(),
                    r["peak_rss_mib"].clone(),
                    format!("{est:.6}"),
                    format!("{:.1e}", (est - std::f64::consts::PI).abs()),
                ]);
                if *v == "chunked" {
                    chunked_report = Some(r);
                }
            }
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    print!("{table}");
    if let Some(r) = chunked_report {
        println!("result: {}", r["result"]);
        println!("seconds: {}", r["seconds"]);
        println!("peak_rss_mib: {}", r["peak_rss_mib"]);
    }
}
