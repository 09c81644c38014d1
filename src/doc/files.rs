//! Files: NumPy's `.npy` and Zarr stores in and out, and several outputs in one pass.
//!
//! Reading a file is a source like any other: a task reads only the regions it needs, so resident
//! memory is workers x tile however large the file. Writing computes chunk by chunk into a
//! temporary beside the destination, renamed into place only when every chunk is written: an error,
//! a panic or a full disk leaves nothing at the destination.
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! let dir = std::env::temp_dir().join(format!("chunkwise-doc-files-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("x.npy");
//!
//! chunkwise::random::default_rng(0).random([1000, 300]).rechunk([250, 300])?.to_npy(&path)?;
//! let info = chunkwise::npy_info(&path)?; // the header only
//! assert_eq!((info.dtype, info.shape.clone()), (chunkwise::DType::F64, vec![1000, 300]));
//!
//! let x = chunkwise::from_npy::<f64>(&path)?; // reads nothing yet
//! let out = chunkwise::compute_many(&[&x.mean(), &x.std()])?; // one pass over the file
//! let (mean, std) = (out[0].sum(), out[1].sum());
//! assert!((mean - 0.5).abs() < 0.01 && (std - 0.2887).abs() < 0.01);
//!
//! // Another type than the file's is an error, named.
//! let wrong = chunkwise::from_npy::<i32>(&path);
//! assert!(matches!(wrong, Err(chunkwise::Error::DTypeMismatch { .. })));
//! std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! # `.npy`
//!
//! [`npy_info(path)?`](crate::npy_info) reads the header ([`NpyInfo`](crate::NpyInfo): dtype,
//! shape, order, byte order); [`from_npy::<T>(path)?`](crate::from_npy) and
//! [`from_npy_chunked::<T>(path, chunks)?`](crate::from_npy_chunked) make an array of the file;
//! [`to_npy(path)?`](crate::ChunkedArray::to_npy) and
//! [`to_npy_with(path, &cfg)?`](crate::ChunkedArray::to_npy_with) write one. The header goes
//! through ndarray-npy, the data by region.
//!
//! * **Reading** takes only the regions a task needs, with positioned reads into tile buffers
//!   (straight into the tile for little-endian numbers), so resident memory is workers x tile however
//!   large the file: the OS page cache holds the file, the process does not. A reduction over the
//!   file (through elementwise ops and rechunks too) has it read a box of up to 64 Ki elements at
//!   once, one system call when the box is one run of the file: the sum of a 2 GB file runs at
//!   the speed of a loop of 1 MiB `pread`s (`--op pread_sum` below). Every dtype chunkwise
//!   has, little and big endian, C and Fortran order (read as the transposed box, permuted per tile).
//!   A missing file is [`Error::Io`](crate::Error::Io); a file that is not `.npy`, is truncated, or
//!   holds a dtype chunkwise cannot hold (complex, structured, strings: named) is
//!   [`Error::Format`](crate::Error::Format); another type than the one asked for is
//!   [`Error::DTypeMismatch`](crate::Error::DTypeMismatch). Chunks default to the automatic rule
//!   (see [`memory_and_chunks`](super::memory_and_chunks)), or `from_npy_chunked`.
//! * **Writing** computes chunk by chunk, each tile written at its offset in a temporary file beside
//!   the destination (`.NAME.PID-N.tmp`), which is flushed to disk and renamed over the destination
//!   only when every chunk is written. An error (a full disk, a failing task, a folder that does not
//!   exist) or a panic leaves no file at the destination (an existing one stays whole) and removes
//!   the temporary; a killed process may leave the temporary. Files are little-endian, C order.
//!
//! `cargo run --release --example out_of_core -- --write /tmp/x.npy --n 2.5e8` writes a 2 GB file,
//! and `-- --read /tmp/x.npy --op sum` (or `mean`, `std`, `mean_std`, `pread_sum`) reads it back in a
//! few MiB of resident memory; `BENCHMARKS.md` has the times against NumPy and Dask, and a run under
//! a memory cgroup 8x smaller than the file.
//!
//! # Zarr
//!
//! With the feature `zarr` (on by default; it builds zstd's C library), Zarr stores go through the
//! `zarrs` crate (the format, codecs and filesystem store are zarrs'): `zarr_info(path)?`,
//! `from_zarr::<T>(path)?` (the store's chunks), `from_zarr_chunked::<T>(path, chunks)?`,
//! `x.to_zarr(path)?` and `x.to_zarr_with(path, &opts, &cfg)?` with
//! `ZarrOptions::new().chunks(..).shards(..).compression(..).fill_value(..).attribute(..).overwrite(..).durable(..)`
//! ([`io::zarr`](crate::io::zarr)).
//!
//! ```
//! # #[cfg(feature = "zarr")]
//! # fn main() -> Result<(), chunkwise::Error> {
//! use chunkwise::io::zarr::{Compression, ZarrOptions};
//! use chunkwise::Config;
//!
//! let dir = std::env::temp_dir().join(format!("chunkwise-doc-zarr-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let x = chunkwise::random::default_rng(0).standard_normal([400, 500]).rechunk([100, 500])?;
//! let opts = ZarrOptions::new().compression(Compression::Gzip { level: 5 }).shards([200, 500]);
//! x.to_zarr_with(dir.join("x.zarr"), &opts, &Config::default())?;
//!
//! let y = chunkwise::from_zarr::<f64>(dir.join("x.zarr"))?; // chunks = the store's
//! let z = (&y - y.mean()) / y.std();
//! assert!(z.mean().item()?.abs() < 1e-12);
//! assert_eq!(y.compute()?, x.compute()?);
//! std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "zarr"))]
//! # fn main() {}
//! ```
//!
//! * **Reading**: Zarr v3 arrays written by zarr-python, Dask, xarray or zarrs with the `bytes`,
//!   `zstd`, `gzip`, `blosc`, `crc32c`, `transpose` and `sharding_indexed` codecs, and Zarr v2 arrays
//!   (blosc, zstd, gzip; either byte order). One task per store chunk (per shard when sharded); a
//!   task decodes each store chunk (inner chunk of a shard) it needs once, straight into its buffer,
//!   and serves its tiles from it. With `bytes` + `zstd` alone (zarr-python's default), the chunk
//!   file is streamed through zstd into that buffer, which is reused from chunk to chunk: a 2 GB
//!   store of 32 MiB chunks sums in 74 MiB on 2 workers, faster than reading each file whole and
//!   decompressing it (`examples/zstd_floor.rs`). Missing chunks read as the fill value. Errors: a missing folder is
//!   `Error::Io`; a folder that is not a Zarr array (no metadata, a group), an unsupported data type
//!   or codec (named by zarrs), or a chunk that fails to decode (named, with its region) is
//!   `Error::Format`; another type than asked is `Error::DTypeMismatch`.
//! * **Writing**: one task per store chunk (or shard): the array is regridded to the store's chunks,
//!   so no two tasks write one store chunk (the default store chunks are the array's chunks when they
//!   are regular, else the automatic rule). zarr-python's defaults: `zstd` level 0, fill value 0,
//!   chunks holding only the fill value not written. With those codecs and no shards, a task makes
//!   its chunk a tile at a time and streams the tiles through zstd into the chunk's file (a frame
//!   with the content size in its header, as zarr-python writes): a worker holds a tile and zstd's
//!   state, so a 2 GB store of 32 MiB chunks is written in 15 MiB on 2 workers at zstd's own speed
//!   when the disk keeps up. Other codecs, shards and bool arrays are encoded by zarrs from the
//!   whole chunk; the plan's memory projection counts what each writer holds. The
//!   store is written into a temporary folder beside the destination, its files flushed to disk
//!   once at the end unless `durable(false)`, and renamed into place when complete: an error, a
//!   panic or a full disk leaves
//!   nothing at the destination. An existing store is an error unless `overwrite(true)` (then the old
//!   one is renamed aside, the new one renamed in, the old one removed; between the two renames
//!   nothing is at the destination). Zarr is written as v3 only (v2 is read).
//!
//! With store chunks of 32 MiB (zarr-python's choice for a 2 GB array) and codecs other than
//! `bytes` + `zstd`, the peak RSS of a sum is about four chunks per worker: zarrs' read buffer and
//! decoded buffer, chunkwise's, and glibc keeping freed 32 MiB blocks. The floor under any
//! reader and writer of such a store is zstd itself: `cargo run --release --example zstd_floor --
//! x.zarr` decodes and encodes all its chunks on 2 threads; `BENCHMARKS.md` compares.
//!
//! # Several outputs, one pass
//!
//! [`compute_many(&[&x.mean(), &x.std()])`](crate::compute_many) plans the arrays as one graph
//! (Dask's `dask.compute(a, b)`): staged reductions of the same input share a pass (each task reads
//! its box of the input once and folds it for both), so the mean and standard deviation of a file
//! read it once (`out_of_core --read x.npy --op mean_std` prints `read_bytes_per_array_byte: 1.000`,
//! from `/proc/self/io`).
//!
//! [`store(vec![x.npy_target(a)?, (&x * 2.0).npy_target(b)?, x.sum().zarr_target(c, &opts)?])`](crate::store)
//! is Dask's `da.store`: arrays of one shape and chunk grid are written in one pass whose tasks
//! evaluate what they share (the file `x` comes from) once per chunk, and every file appears only
//! when all are written (`tests/suite/store.rs` counts the evaluations). Each
//! [`Target`](crate::Target) is an array and where it goes
//! ([`npy_target`](crate::ChunkedArray::npy_target), `zarr_target`);
//! [`store_with`](crate::store_with) takes a [`Config`](crate::Config).
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! let dir = std::env::temp_dir().join(format!("chunkwise-doc-store-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let x = chunkwise::linspace(0.0, 1.0, 10_000);
//! chunkwise::store(vec![
//!     x.npy_target(dir.join("x.npy"))?,
//!     (&x * 2.0).npy_target(dir.join("x2.npy"))?,
//! ])?;
//! let back = chunkwise::from_npy::<f64>(dir.join("x2.npy"))?;
//! assert_eq!(back.max().item()?, 2.0);
//! std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! [`explain()`](crate::ChunkedArray::explain) lists the files a compute reads
//! (`reads: PATH (size)`) and the stages that share a pass; the progress bar and the
//! [`Profiler`](crate::diagnostics::Profiler) report the bytes each task read from and wrote to
//! files ([`TaskInfo`](crate::events::TaskInfo)).
//!
//! With MPI every rank reads the regions its tasks need (the paths must be visible to every rank)
//! and rank 0 alone writes and commits (see [`mpi`](super::mpi)).
//!
//! `.ci/run` has NumPy write 28 `.npy` files (every dtype, both orders, both byte orders) and
//! zarr-python 14 stores (every dtype with the default codecs, gzip, blosc, sharded, big-endian,
//! Zarr v2); chunkwise reads and rewrites them and NumPy and zarr-python check the copies.
//! `tests/suite/npy.rs` and `tests/suite/zarr.rs` cover round trips of every dtype and rank, every error path,
//! failed and overwriting writes, and a full disk.
