//! Summing an array that is already in memory runs at memory speed: `from_array(v).sum()`
//! against a hand-written rayon loop with eight accumulators over the same slice, in one
//! process, on the same data, alternating runs.
//!
//!     cargo run --release --example sum_in_memory -- --n 2e8 --workers 2 --repeats 7
//!
//! chunkwise reads the array in place (no copy into tiles) and sums it compensated, with a
//! result that does not depend on the chunks; the loop is a plain unordered sum. Prints
//! `key: value` lines: both results, the median seconds of each, their ratio, GB/s and peak RSS.
mod common;

use chunkwise::ChunkSpec;
use rayon::prelude::*;

/// The reference: 64 Ki-element pieces, eight accumulators each, pieces summed by rayon.
fn hand_sum(v: &[f64]) -> f64 {
    v.par_chunks(1 << 16)
        .map(|c| {
            let mut acc = [0.0f64; 8];
            let mut blocks = c.chunks_exact(8);
            for b in &mut blocks {
                for j in 0..8 {
                    acc[j] += b[j];
                }
            }
            let mut s =
                ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
            for &x in blocks.remainder() {
                s += x;
            }
            s
        })
        .sum()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        200_000_000,
        "sum_in_memory [--n N] [--workers W] [--chunk C] [--repeats R] [--seed S]",
    );
    let v: Vec<f64> = chunkwise::random::default_rng(args.seed)
        .random([args.n])
        .compute()?
        .into_raw_vec_and_offset()
        .0;
    let chunks = args
        .chunk
        .map_or(ChunkSpec::Auto, |c| ChunkSpec::Uniform(c as i64));
    let x = chunkwise::from_array(ndarray::Array1::from(v.clone()), chunks)?;
    let total = x.sum();
    let repeats = args.repeats.max(3);
    let (mut ours, mut hand) = (Vec::new(), Vec::new());
    let (mut r_ours, mut r_hand) = (0.0, 0.0);
    for _ in 0..repeats {
        let (r, t) = common::timed(args.workers, || total.item());
        r_ours = r?;
        ours.push(t);
        let (r, t) = common::timed(args.workers, || hand_sum(&v));
        r_hand = r;
        hand.push(t);
    }
    let (t_ours, t_hand) = (median(ours), median(hand));
    let gb = args.n as f64 * 8.0 / 1e9;
    println!("n: {}", common::fmt_n(args.n));
    println!("workers: {}", common::workers_used(args.workers));
    println!("chunks: {}", x.chunks().num_chunks());
    println!("result_chunkwise: {r_ours:e}");
    println!("result_hand: {r_hand:e}");
    println!("seconds_chunkwise: {t_ours:.6}");
    println!("seconds_hand: {t_hand:.6}");
    println!("ratio: {:.3}", t_ours / t_hand);
    println!("gb_per_s_chunkwise: {:.2}", gb / t_ours);
    println!("gb_per_s_hand: {:.2}", gb / t_hand);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_bytes().unwrap_or(0) as f64 / (1 << 20) as f64
    );
    Ok(())
}
