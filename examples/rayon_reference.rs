//! The speed reference: the two headline workloads as plain hand-written rayon loops, no arrays,
//! no graph. Build it for the host CPU, as Numba compiles for it:
//!
//!     RUSTFLAGS="-C target-cpu=native" cargo run --release --example rayon_reference \
//!         --target-dir target/native -- --workload pi --n 1e9 --workers 2
//!
//! `--workload sum` is `(0..n).into_par_iter().sum()` over `i64`, split into the same chunks as
//! chunkwise's (each chunk summed by a plain loop over its values).
//!
//! `--workload pi` implements chunkwise's documented random stream independently (position `p`
//! is the `p`-th output of SplitMix64 seeded with the draw's key; see `chunkwise::random`), so it
//! draws exactly the same points and must print the same count: per block of 1024 x positions it
//! generates x and y into two stack buffers with rand_xoshiro's `SplitMix64` and counts
//! `x*x + y*y < 1` in one loop.
//! `--workload pi-smallrng` is what a user would write first: rand's `SmallRng` per rayon split,
//! `random_range(-1.0..1.0)` twice per point (different numbers, same work).
mod common;

use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
use rayon::prelude::*;

const BLOCK: usize = 1024;
const PHI: u64 = 0x9e37_79b9_7f4a_7c15;

/// Values of flat positions start..start+out.len() in [-1, 1) of stream `key`: SplitMix64
/// seeded with `key`, wound on to `start` (its state moves by `PHI` per output).
fn fill(key: u64, start: u64, out: &mut [f64]) {
    let mut g = SplitMix64::seed_from_u64(key.wrapping_add(start.wrapping_mul(PHI)));
    for o in out.iter_mut() {
        let u = f64::from_bits((g.next_u64() >> 12) | 0x3ff0_0000_0000_0000) - 1.0;
        *o = -1.0 + 2.0 * u;
    }
}

fn pi_same_stream(seed: u64, n: usize) -> u64 {
    // Draw 0 of default_rng(seed): the first SplitMix64 output.
    let key = SplitMix64::seed_from_u64(seed).next_u64();
    (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let j0 = b * BLOCK;
            let len = BLOCK.min(n - j0);
            let mut x = [0f64; BLOCK];
            let mut y = [0f64; BLOCK];
            fill(key, j0 as u64, &mut x[..len]);
            fill(key, (n + j0) as u64, &mut y[..len]);
            let mut c = 0u64;
            for i in 0..len {
                c += (x[i] * x[i] + y[i] * y[i] < 1.0) as u64;
            }
            c
        })
        .sum()
}

fn pi_smallrng(seed: u64, n: usize) -> u64 {
    (0..n.div_ceil(BLOCK * 64))
        .into_par_iter()
        .map(|b| {
            let mut rng = rand::rngs::SmallRng::seed_from_u64(seed ^ (b as u64).wrapping_mul(PHI));
            let len = (BLOCK * 64).min(n - b * BLOCK * 64);
            let mut c = 0u64;
            for _ in 0..len {
                let x: f64 = rng.random_range(-1.0..1.0);
                let y: f64 = rng.random_range(-1.0..1.0);
                c += (x * x + y * y < 1.0) as u64;
            }
            c
        })
        .sum()
}

fn sum_chunks(n: usize, chunk: usize) -> i64 {
    (0..n.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let lo = (c * chunk) as i64;
            let hi = ((c + 1) * chunk).min(n) as i64;
            // An opaque step keeps LLVM from replacing the loop by its closed form n(n-1)/2
            // (it does so for a step of 1, and the reference would then do no work at all);
            // the loop still vectorizes.
            let step = std::hint::black_box(1i64);
            let mut s = 0i64;
            let mut i = lo;
            while i < hi {
                s = s.wrapping_add(i);
                i += step;
            }
            s
        })
        .sum()
}

fn main() {
    let args = common::parse(
        100_000_000,
        "usage: rayon_reference --workload pi|pi-smallrng|sum [--n N] [--workers W] [--chunk C] [--seed S]",
    );
    let workload = args.workload.clone().unwrap_or_else(|| "pi".into());
    let n = args.n;
    let (line, seconds) = common::timed(args.workers, || match workload.as_str() {
        "pi" => {
            let c = pi_same_stream(args.seed, n);
            format!("inside: {c}\nresult: {}", 4.0 * c as f64 / n as f64)
        }
        "pi-smallrng" => {
            let c = pi_smallrng(args.seed, n);
            format!("inside: {c}\nresult: {}", 4.0 * c as f64 / n as f64)
        }
        "sum" => format!("result: {}", sum_chunks(n, args.chunk.unwrap_or(524_288))),
        other => {
            eprintln!("unknown workload {other}");
            std::process::exit(2)
        }
    });
    println!("workload: reference-{workload}");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("{line}");
    println!("seconds: {seconds:.6}");
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
}
