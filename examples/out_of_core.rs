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
//! `--op` is `sum`, `mean` or `std` (chunkwise over the file), or `pread_sum`: the reference, a
//! plain loop of positioned reads into a 1 MiB buffer per thread, summed, as fast as the page
//! cache delivers (`.npy` only). Prints `key: value` lines: `result:`, `seconds:` (the compute
//! only), `gb_per_s:` (of the array's bytes), `peak_rss_mib:`. Writing a `.zarr` replaces an
//! existing store.
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

fn is_zarr(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zarr")
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "out_of_core (--write PATH --n N | --read PATH --op sum|mean|std|pread_sum) [--chunk C] [--workers W]",
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
                let opts = chunkwise::io::zarr::ZarrOptions::new().overwrite(true);
                x.to_zarr_with(path, &opts, &chunkwise::Config::default())
            } else {
                x.to_npy(path)
            }
        });
        r?;
        println!("wrote: {}", path.display());
        println!("n: {}", common::fmt_n(args.n));
        println!("seconds: {seconds:.3}");
        println!("gb_per_s: {:.2}", (args.n * 8) as f64 / 1e9 / seconds);
    } else if let Some(path) = &args.read {
        let op = args.op.clone().unwrap_or_else(|| "sum".into());
        let x = if is_zarr(path) {
            chunkwise::from_zarr_chunked::<f64>(path, chunks)?
        } else {
            chunkwise::from_npy_chunked::<f64>(path, chunks)?
        };
        let bytes = (x.len() * 8) as f64;
        let (result, seconds) = match op.as_str() {
            "sum" => common::timed(args.workers, || x.sum().item()),
            "mean" => common::timed(args.workers, || x.mean().item()),
            "std" => common::timed(args.workers, || x.std().item()),
            "pread_sum" => common::timed(args.workers, || pread_sum(path)),
            other => panic!("unknown --op {other}: one of sum, mean, std, pread_sum"),
        };
        println!("op: {op}");
        println!("result: {:.17e}", result?);
        println!("seconds: {seconds:.4}");
        println!("gb_per_s: {:.2}", bytes / 1e9 / seconds);
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
