//! Writing arrays to files: a [`Target`] (an array and its sink) and [`store`], which computes
//! several in one compute and commits each only when all are written. The sinks themselves
//! (`.npy`, Zarr) are `io`'s; they implement [`Sink`].

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use super::Config;
use crate::error::Result;
use crate::graph::{Node, TaskCx};

/// An array and the file it goes to, for [`store`]: made by
/// [`ChunkedArray::npy_target`](crate::ChunkedArray::npy_target) or
/// [`ChunkedArray::zarr_target`](crate::ChunkedArray::zarr_target). Until it is stored, a
/// temporary beside the destination holds what is written; dropping the target removes it.
pub struct Target {
    pub(crate) node: Arc<dyn Node>,
    pub(crate) sink: Box<dyn Sink>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("array", &self.node.meta().name)
            .finish()
    }
}

/// What writes a target's array, chunk by chunk, into its temporary.
pub(crate) trait Sink: Send + Sync {
    /// Evaluates chunk `chunk` of the target's array (of its node's grid) and writes it.
    fn write_chunk(&self, cx: &mut TaskCx<'_>, chunk: &[Range<usize>]) -> Result<()>;
    /// Writes the whole array when it was computed as a step (a staged reduction's result, an
    /// `ArrayD` of the node's type).
    fn write_value(&self, value: &(dyn Any + Send + Sync)) -> Result<()>;
    /// Makes the file appear at its destination.
    fn commit(self: Box<Self>) -> Result<()>;
    /// Bytes a worker holds while it writes a chunk, besides evaluating the chunk's values
    /// tile by tile: a buffer of the chunk and its encoding, or a tile and a codec's state.
    fn worker_bytes(&self) -> u64;
}

/// Computes several arrays and writes each to its file in one compute (Dask's `da.store`):
/// steps they share run once, and arrays of one shape and chunk grid are written in one pass
/// whose tasks evaluate each node they share (a file they read, an op) once per chunk. So
/// writing `x` and `x * 2` of a file reads it once.
///
/// Every file appears at its destination only when every array is written; an error or a
/// panic leaves nothing at any destination. (The renames happen one after another at the end:
/// a failure of a later rename, which is rare, leaves the earlier files in place.)
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-store-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let x = chunkwise::random::default_rng(0).random([10_000]).rechunk(2_500)?;
/// chunkwise::store(vec![
///     x.npy_target(dir.join("x.npy"))?,
///     (&x * 2.0).npy_target(dir.join("x2.npy"))?,
/// ])?;
/// let back = chunkwise::from_npy::<f64>(dir.join("x2.npy"))?.compute()?;
/// assert_eq!(back, (&x * 2.0).compute()?);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn store(targets: Vec<Target>) -> Result<()> {
    store_with(targets, &Config::default())
}

/// [`store`] with an explicit [`Config`].
pub fn store_with(targets: Vec<Target>, cfg: &Config) -> Result<()> {
    // Under MPI rank 0 writes and commits; elsewhere dropping the targets removes their
    // (empty) temporaries.
    if super::write_targets(&targets, cfg)? {
        for t in targets {
            t.sink.commit()?;
        }
    }
    Ok(())
}
