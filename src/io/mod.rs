//! Files in and out: sources that read only the regions a task asks for, and sinks that write
//! each chunk at its place in a temporary file which replaces the destination only when complete.
//!
//! NumPy's `.npy` ([`npy`]) and, with the `zarr` feature (on by default), Zarr stores
//! ([`zarr`], through the `zarrs` crate). This module defines sources and sinks only: the
//! [`Target`](crate::Target)s a sink goes into and [`store`](crate::store), which computes them,
//! are the executor's; the temporary beside a destination (`files::Pending`) and the byte views
//! of elements (`frame`) sit below both.

mod dynamic;
pub mod npy;
#[cfg(feature = "zarr")]
pub mod zarr;
