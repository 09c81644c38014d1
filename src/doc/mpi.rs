//! MPI: the same program on the ranks of an `mpiexec` launch, with the same bits as in one process.
//!
//! With the feature `mpi` (rsmpi's `mpi` crate over the system's MPI; Debian:
//! `apt install libopenmpi-dev openmpi-bin libclang-dev`), `chunkwise::Mpi` is an
//! [`Executor`](crate::Executor): give it to [`Config::executor`](crate::Config::executor) and every
//! compute with that config runs on the ranks of the launch.
//!
//! ```no_run
//! # #[cfg(feature = "mpi")]
//! # fn main() -> Result<(), chunkwise::Error> {
//! use chunkwise::prelude::*;
//!
//! let mpi = chunkwise::Mpi::init()?; // MPI_Init_thread, serialized
//! let cfg = Config::default().executor(mpi.clone()).workers(2);
//! let n = 1_000_000_000;
//! let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
//! let r2 = pts.square().sum_with(0, chunkwise::ReduceOptions::default())?;
//! let inside: u64 = r2.lt(1.0).count_nonzero().item_with(&cfg)?;
//! println!("pi ~ {}", 4.0 * inside as f64 / n as f64); // on every rank
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "mpi"))]
//! # fn main() {}
//! ```
//!
//! ```text
//! cargo build --release --features mpi --example pi_mpi
//! mpiexec -n 2 target/release/examples/pi_mpi --n 1e9 --workers 1   # the lesson's MPI pi
//! mpiexec -n 4 target/release/examples/pi_mpi --workload docs       # also: sum, exchange
//! ```
//!
//! # How it runs
//!
//! The backends share one pass loop (`src/execute/passes.rs`); an executor says only where tasks run
//! (its rank, the number of ranks, and an all-gather).
//!
//! * Every rank builds the same plan ([`Plan::passes`](crate::Plan::passes), the data `explain()`
//!   prints as `pass N:` lines, with each rank's share of the tasks) and runs, of each pass's `T`
//!   tasks, the contiguous share `T*r/K .. T*(r+1)/K` ([`Executor::share`](crate::Executor::share))
//!   on its own rayon pool of [`Config::workers`](crate::Config::workers).
//! * A reduction's partials combine in the canonical tree (see [`determinism`](super::determinism)):
//!   a rank computes the largest subtrees whose leaf groups all fall in its share, the ranks exchange
//!   those partials (one `MPI_Allgatherv`), and every rank combines the rest of each tree in the same
//!   order. So every result is bit-identical to the one-process result for every number of ranks and
//!   workers (`tests/mpi.rs` compares K = 1..4 ranks x 1..3 workers on the pi count, integer and
//!   float sums and means over three chunkings, variances, axis sums and maxima, array results, the
//!   Dask docs expression, and empty arrays; each against a run in one process, bit for bit).
//! * [`compute()`](crate::ChunkedArray::compute) returns the result on every rank: an array result is
//!   gathered into every rank's copy. [`compute_to_root(&cfg)`](crate::ChunkedArray::compute_to_root)
//!   is the root-only variant (`comm.gather(root=0)`): `Some(array)` on rank 0, `None` elsewhere, and
//!   the chunks cross the network once (an `MPI_Gatherv`, after the ranks agree on success).
//! * Files: every rank reads the regions its tasks need (the paths must be visible to every rank, as
//!   on a shared filesystem); [`store`](crate::store), `to_npy` and `to_zarr` are written and
//!   committed by rank 0 alone.
//! * A task that fails or panics on one rank fails the compute on every rank: after each pass the
//!   ranks agree on success, so each gets the error ([`Error::Rank`](crate::Error::Rank) names the
//!   failing rank and carries its message) at the same collective and none waits (`tests/mpi.rs`:
//!   under a second with 2 and 3 ranks).
//! * [`delayed`](crate::delayed) task graphs are not distributed: on K ranks each rank runs the whole
//!   graph itself (an array computed inside a task with the MPI config is distributed like any
//!   compute, so every rank must run it).
//! * Every rank must run the same computes in the same order, as with any MPI collective.
//!
//! `.ci/mpi_netns.sh` starts four ranks in two network namespaces joined by a veth pair on a private
//! link (OpenMPI's starter runs `ip netns exec` instead of ssh), checks that the ranks ran in the two
//! namespaces, and that pi, the sum and the Dask docs example give the one-process bits over TCP;
//! `.ci/run` runs it (where namespaces cannot be made it says so and runs on one host).
//!
//! # What limits scaling
//!
//! Measured scaling on two cores and a model of 64 nodes x 32 cores are in `BENCHMARKS.md`. In short:
//! two ranks of one worker are as fast as one process of two workers, and what breaks first at scale
//! is the number of **tasks**, before the network: pi at 1e9 in the default 1e6 chunks has 1000 tasks
//! for 2048 cores (40% efficiency in the model), chunks of 1e5 give 0.67. Then the collective: the
//! partials travel by all-gather (every rank receives every other rank's), where a reduce along the
//! canonical tree would send log P messages of one partial each; array results are gathered to every
//! rank. Every rank also plans the whole graph itself (microseconds, but linear in the chunks of
//! listed grids).
