//! The integration tests, as one test binary: each file here is a module (`cargo test --test
//! suite`; `cargo test --test suite movement::` runs one file's tests). One binary instead of one
//! per file, because each binary instantiated the engine's generics anew at the test profile's
//! optimization and was linked on its own: a clean `cargo test` build of the 26 binaries took
//! 23m45s on this project's 2-core machine. `layers`, `memory` and `diagnostics` (they measure
//! their own process's memory, which tests running beside them would disturb) and `mpi` (it
//! launches itself under mpiexec) stay binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod array_api;
mod compute_many;
mod contract;
mod creation;
mod deferred;
mod determinism;
mod distributions;
mod dynamic;
mod elementwise;
mod errors;
mod explain_golden;
mod invariance;
#[cfg(feature = "linalg")]
mod linalg;
mod movement;
mod npy;
mod numpy_semantics;
mod overlap;
mod rearrange;
mod reductions;
mod regressions;
mod scale;
mod scans;
mod statistics;
mod store;
mod stream;
mod tasks;
mod ufuncs;
mod zarr;
