//! Guides: how chunkwise is used, what it promises, and how it works.
//!
//! These modules hold text only (no items). They are the reference the top-level README points
//! to, written as rustdoc so that every link in them is checked by `cargo doc` and every example
//! runs under `cargo test --doc`. Measured speeds and memory are in `BENCHMARKS.md` at the
//! repository's root, each table with its date, machine and command.
//!
//! | guide | what it covers |
//! |---|---|
//! | [`numpy_dask_users`] | the NumPy and Dask functions and their chunkwise names; where chunkwise's results differ from NumPy's, and why; the rule for errors; task graphs and diagnostics |
//! | [`determinism`] | why the same seed and the same input give the same bits for any chunking, worker count and rank count |
//! | [`memory_and_chunks`] | automatic and explicit chunks, chunks against tiles, what a compute holds in memory, shared nodes, memory limits |
//! | [`files`] | `.npy` and Zarr in and out, several outputs in one pass ([`store`](crate::store), [`compute_many`](crate::compute_many)) |
//! | [`mpi`] | running the same program on the ranks of an `mpiexec` launch (feature `mpi`) |
//! | [`architecture`] | the pipeline from a method call to the result: graph, plan, passes, kernels; how the tests check it |
//!
//! A first program:
//!
//! ```
//! use chunkwise::prelude::*;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let x = chunkwise::arange(1_000_000).cast::<f64>();
//! let y = (&x / 1e6).sin().square();
//! println!("{}", y.mean().explain()?); // the plan, before anything runs
//! let m: f64 = y.mean().item()?;
//! assert!((m - 0.2727).abs() < 1e-3);
//! # Ok(())
//! # }
//! ```

pub mod architecture;
pub mod determinism;
pub mod files;
pub mod memory_and_chunks;
pub mod mpi;
pub mod numpy_dask_users;
