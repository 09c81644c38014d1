//! The floor under any Zarr reader or writer of a zstd store on this machine: decompress every
//! chunk file of a store into a reused buffer per thread (no allocation per chunk, no format
//! work), then compress as many chunks at zarr-python's default level into a reused buffer.
//! BENCHMARKS.md compares `from_zarr(..).sum()` and `to_zarr` with these times.
//!
//!     cargo run --release --example zstd_floor -- /tmp/io/x.zarr
use rayon::prelude::*;
use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: zstd_floor STORE.zarr (a Zarr v3 store with the zstd codec)")?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(format!("{dir}/c"))
        .map_err(|e| format!("{dir}/c: {e} (a store with its chunks under c/ is needed)"))?
    {
        let p = entry?.path();
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    let read = |p: &std::path::Path, buf: &mut Vec<u8>| -> std::io::Result<()> {
        buf.clear();
        std::fs::File::open(p)?.read_to_end(buf)?;
        Ok(())
    };
    let mut first = Vec::new();
    read(
        files.first().ok_or("the store has no chunk files")?,
        &mut first,
    )?;
    let chunk = zstd::bulk::decompress(&first, 1 << 30)?;
    let t = std::time::Instant::now();
    let decoded: usize = files
        .par_iter()
        .map_init(
            || {
                let d = zstd::bulk::Decompressor::new();
                (d, vec![0u8; chunk.len()], Vec::new())
            },
            |(d, out, enc), p| -> std::io::Result<usize> {
                read(p, enc)?;
                d.as_mut()
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                    .decompress_to_buffer(&enc[..], &mut out[..])
            },
        )
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let decode_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let encoded: usize = (0..files.len())
        .into_par_iter()
        .map_init(
            || {
                let c = zstd::bulk::Compressor::new(0);
                (c, vec![0u8; zstd::zstd_safe::compress_bound(chunk.len())])
            },
            |(c, out), _| -> std::io::Result<usize> {
                c.as_mut()
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                    .compress_to_buffer(&chunk[..], &mut out[..])
            },
        )
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let encode_s = t.elapsed().as_secs_f64();
    println!("chunks: {}", files.len());
    println!("decoded_bytes: {decoded}");
    println!("decode_seconds: {decode_s:.3}");
    println!("encoded_bytes: {encoded}");
    println!("encode_seconds: {encode_s:.3}");
    println!("threads: {}", rayon::current_num_threads());
    Ok(())
}
