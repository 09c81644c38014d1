//! The floor under any Zarr reader or writer of a zstd store on this machine: decompress every
//! chunk file of a store into a reused buffer per thread (no allocation per chunk, no format
//! work), then compress as many chunks at zarr-python's default level into a reused buffer.
//! The README compares `from_zarr(..).sum()` and `to_zarr` with these times.
//!
//!     cargo run --release --example zstd_floor -- /tmp/io/x.zarr
use rayon::prelude::*;
use std::io::Read;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: zstd_floor STORE.zarr (a Zarr v3 store with the zstd codec)");
    let mut files: Vec<_> = std::fs::read_dir(format!("{dir}/c"))
        .expect("a store with chunks under c/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let read = |p: &std::path::Path, buf: &mut Vec<u8>| {
        buf.clear();
        std::fs::File::open(p)
            .and_then(|mut f| f.read_to_end(buf))
            .expect("a readable chunk");
    };
    let mut first = Vec::new();
    read(&files[0], &mut first);
    let chunk = zstd::bulk::decompress(&first, 1 << 30).expect("a zstd chunk");
    let t = std::time::Instant::now();
    let decoded: usize = files
        .par_iter()
        .map_init(
            || {
                let d = zstd::bulk::Decompressor::new().expect("a decompressor");
                (d, vec![0u8; chunk.len()], Vec::new())
            },
            |(d, out, enc), p| {
                read(p, enc);
                d.decompress_to_buffer(&enc[..], &mut out[..])
                    .expect("decodes")
            },
        )
        .sum();
    let decode_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let encoded: usize = (0..files.len())
        .into_par_iter()
        .map_init(
            || {
                let c = zstd::bulk::Compressor::new(0).expect("a compressor");
                (c, vec![0u8; zstd::zstd_safe::compress_bound(chunk.len())])
            },
            |(c, out), _| {
                c.compress_to_buffer(&chunk[..], &mut out[..])
                    .expect("encodes")
            },
        )
        .sum();
    let encode_s = t.elapsed().as_secs_f64();
    println!("chunks: {}", files.len());
    println!("decoded_bytes: {decoded}");
    println!("decode_seconds: {decode_s:.3}");
    println!("encoded_bytes: {encoded}");
    println!("encode_seconds: {encode_s:.3}");
    println!("threads: {}", rayon::current_num_threads());
}
