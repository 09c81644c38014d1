//! Arrays on disk, larger than memory if need be: write a random array to `.npy` or Zarr, then
//! compute from the file in bounded memory. The format follows the extension (`.zarr`: a Zarr v3
//! store with zarr-python's default codecs, one store chunk per chunk; anything else: `.npy`).
//!
//!     cargo run --release --example out_of_core -- --write /tmp/x.npy --n 2.5e8
//!     cargo run --release --example out_of_core -- --read /tmp/x.npy --op sum
//!     cargo run --release --example out_of_core -- --read /tmp/x.npy --op pread_sum
//!     cargo run --release --example out_of_core -- --write /tmp/x.zarr --n 2.5e8
//!     cargo run --release --example out_of_core -- --read /tmp/x.zarr --op sum
//!
//! `--op` is `sum`, `mean`, `std` or `mean_std` (both in one compute, one pass over the file:
//! `chunkwise::compute_many`), or `pread_sum`: the reference, a
//! plain loop of positioned reads into a 1 MiB buffer per thread, summed, as fast as the page
//! cache delivers (`.npy` only). Prints `key: value` lines: `result:`, `seconds:` (the compute
//! only), `gb_per_s:` (of the array's bytes), `peak_rss_mib:`. Writing a `.zarr` replaces an
//! existing store and flushes it to disk before renaming it into place; `--no-sync` skips the
//! flush, as zarr-python and Dask do.
mod common;

use std::path::Path;

use chunkwise::ChunkSpec;
use rayon::prelude::*;

/// The reference: 1 MiB positioned reads, pieces summed on the pool (plain sum, 8 lanes).
fn pread_sum(path: &Path) -> Result<f64, chunkwise::Error> {
    let info = chunkwise::npy_info(path)?;
    let file = std::fs::File::open(path).expect("readable");
    let n: usize = info.shape.iter().product();
    const PIECE: usize = 1 << 17;
    let total = (0..n.div_ceil(PIECE))
        .into_par_iter()
        .map_init(
            || vec![0u8; PIECE * 8],
            |buf, k| {
                let len = PIECE.min(n - k * PIECE);
                let bytes = &mut buf[..len * 8];
                std::os::unix::fs::FileExt::read_exact_at(
                    &file,
                    bytes,
                    info.data_offset + (k * PIECE * 8) as u64,
                )
                .expect("read");
                let mut acc = [0.0f64; 8];
                for (i, c) in bytes.chunks_exact(8).enumerate() {
                    acc[i % 8] += f64::from_le_bytes(c.try_into().expect("8 bytes"));
                }
                acc.iter().sum::<f64>()
            },
        )
        .sum();
    Ok(total)
}

/// Bytes this process has read through system calls so far (`rchar` of `/proc/self/io`; 0
/// where there is no such file).
fn bytes_read() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("rchar: ")
                    .and_then(|v| v.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

fn is_zarr(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zarr")
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "out_of_core (--write PATH --n N [--no-sync] | --read PATH --op sum|mean|std|mean_std|pread_sum) [--chunk C] [--workers W]",
    );
    let chunks = args
        .chunk
        .map_or(ChunkSpec::Auto, |c| ChunkSpec::Uniform(c as i64));
    if let Some(path) = &args.write {
        let x = chunkwise::random::default_rng(0)
            .random([args.n])
            .rechunk(chunks)?;
        let (r, seconds) = common::timed(args.workers, || {
            if is_zarr(path) {
                let opts = chunkwise::io::zarr::ZarrOptions::new()
                    .overwrite(true)
                    .durable(!args.no_sync);
                x.to_zarr_with(path, &opts, &chunkwise::Config::default())
            } else {
                x.to_npy(path)
            }
        });
        r?;
        println!("wrote: {}", path.display());
        println!("n: {}", common::fmt_n(args.n));
        println!("seconds: {seconds:.3}");
        println!("gb_per_s: {:.2}", args.n as f64 * 8.0 / 1e9 / seconds);
    } else if let Some(path) = &args.read {
        let op = args.op.clone().unwrap_or_else(|| "sum".into());
        let x = if is_zarr(path) {
            chunkwise::from_zarr_chunked::<f64>(path, chunks)?
        } else {
            chunkwise::from_npy_chunked::<f64>(path, chunks)?
        };
        let bytes = (x.len() * 8) as f64;
        let one = |v: chunkwise::Result<f64>| v.map(|v| vec![v]);
        let read_before = bytes_read();
        let (result, seconds) = match op.as_str() {
            "sum" => common::timed(args.workers, || one(x.sum().item())),
            "mean" => common::timed(args.workers, || one(x.mean().item())),
            "std" => common::timed(args.workers, || one(x.std().item())),
            // Both in one compute: the sum and the variance share one pass over the file.
            "mean_std" => common::timed(args.workers, || {
                chunkwise::compute_many(&[&x.mean(), &x.std()])
                    .map(|v| v.iter().map(|a| a.sum()).collect())
            }),
            "pread_sum" => common::timed(args.workers, || one(pread_sum(path))),
            other => panic!("unknown --op {other}: one of sum, mean, std, mean_std, pread_sum"),
        };
        let read = bytes_read() - read_before;
        println!("op: {op}");
        let result: Vec<String> = result?.iter().map(|v| format!("{v:.17e}")).collect();
        println!("result: {}", result.join(" "));
        println!("seconds: {seconds:.4}");
        println!("gb_per_s: {:.2}", bytes / 1e9 / seconds);
        // What the process read (system calls, page cache included): once the array's bytes
        // when each byte is read once.
        println!("read_bytes_per_array_byte: {:.3}", read as f64 / bytes);
    } else {
        eprintln!("give --write PATH or --read PATH");
        std::process::exit(2);
    }
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
