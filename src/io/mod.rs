//! Files in and out: sources that read only the regions a task asks for, and sinks that write
//! each chunk at its place in a temporary file which replaces the destination only when complete.
//!
//! NumPy's `.npy` ([`npy`]) and, with the `zarr` feature (on by default), Zarr stores
//! ([`zarr`], through the `zarrs` crate).

pub mod npy;
#[cfg(feature = "zarr")]
pub mod zarr;

use std::any::Any;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::execute::Config;
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
    if crate::execute::write_targets(&targets, cfg)? {
        for t in targets {
            t.sink.commit()?;
        }
    }
    Ok(())
}

/// Reads exactly `buf.len()` bytes at `offset` (a positioned read: no shared cursor, so tasks
/// read one file in parallel).
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let (mut done, mut buf) = (0u64, buf);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, offset + done)? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => {
                    buf = &mut buf[n..];
                    done += n as u64;
                }
            }
        }
        Ok(())
    }
}

/// Writes all of `buf` at `offset` (a positioned write).
pub(crate) fn write_all_at(file: &File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let (mut done, mut buf) = (0u64, buf);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_write(file, buf, offset + done)? {
                0 => return Err(std::io::ErrorKind::WriteZero.into()),
                n => {
                    buf = &buf[n..];
                    done += n as u64;
                }
            }
        }
        Ok(())
    }
}

/// An I/O error as [`Error::Io`], naming the operation and the file.
pub(crate) fn io_error(op: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        op: op.to_string(),
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// A file that is not what it claims, as [`Error::Format`].
pub(crate) fn format_error(op: &str, path: &Path, reason: impl Into<String>) -> Error {
    Error::Format {
        op: op.into(),
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// The bytes of a slice of numbers (`T` not `bool`, checked by the callers).
pub(crate) fn bytes_mut<T: Element>(vals: &mut [T]) -> &mut [u8] {
    assert!(
        T::DTYPE != DType::Bool,
        "bool is read through a byte buffer"
    );
    // SAFETY: `T` is a number type (f64 .. u8, not bool, asserted): plain
    // numbers without padding, for which every bit pattern is a valid value.
    unsafe {
        std::slice::from_raw_parts_mut(vals.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(vals))
    }
}

/// The bytes of a slice of elements, for writing (every element type, bool included, is plain
/// bytes: bool is 0 or 1).
pub(crate) fn bytes<T: Element>(vals: &[T]) -> &[u8] {
    // SAFETY: every element type is plain data without padding.
    unsafe { std::slice::from_raw_parts(vals.as_ptr().cast::<u8>(), std::mem::size_of_val(vals)) }
}

/// Copies native-endian `raw` bytes into `out`; for bool, any nonzero byte is `true` (a
/// file's bytes are not trusted to be 0 or 1).
pub(crate) fn copy_from_bytes<T: Element>(raw: &[u8], out: &mut [T]) {
    if T::DTYPE == DType::Bool {
        // SAFETY of the cast: `T` is bool (checked), so the slice is of bool.
        let bools =
            unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<bool>(), out.len()) };
        for (b, &byte) in bools.iter_mut().zip(raw) {
            *b = byte != 0;
        }
    } else {
        bytes_mut(out).copy_from_slice(raw);
    }
}

/// A file or folder being written beside its destination, removed on drop unless
/// [`commit`]ted, so that an error or a panic anywhere in the computation leaves nothing at the
/// destination and no temporary (a kill may leave the temporary: it is named
/// `.NAME.PID-N.tmp`).
///
/// [`commit`]: Pending::commit
pub(crate) struct Pending {
    file: Option<File>,
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl Pending {
    /// A temporary file beside `dest`.
    pub(crate) fn create(op: &str, dest: &Path) -> Result<Self> {
        let tmp = temporary_beside(op, dest, "tmp")?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| io_error(op, dest, e))?;
        Ok(Pending {
            file: Some(file),
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// A temporary folder beside `dest` (for a Zarr store).
    #[cfg_attr(not(feature = "zarr"), allow(dead_code))]
    pub(crate) fn create_dir(op: &str, dest: &Path) -> Result<Self> {
        let tmp = temporary_beside(op, dest, "tmp")?;
        std::fs::create_dir(&tmp).map_err(|e| io_error(op, dest, e))?;
        Ok(Pending {
            file: None,
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// The temporary file (of a [`Pending::create`]).
    pub(crate) fn file(&self) -> &File {
        self.file.as_ref().expect("a pending file, not a folder")
    }

    /// Where the temporary is.
    #[cfg_attr(not(feature = "zarr"), allow(dead_code))]
    pub(crate) fn path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes the temporary to disk and renames it to the destination. A file replaces the
    /// destination atomically. A folder cannot replace a folder in one step: with `replace`,
    /// an existing destination is first renamed aside and removed once the new one is in
    /// place (between the two renames nothing is at the destination); without it, an
    /// existing destination is an error.
    pub(crate) fn commit(mut self, op: &str, replace: bool) -> Result<()> {
        let err = |e: std::io::Error| io_error(op, &self.dest, e);
        match &self.file {
            Some(f) => f.sync_all().map_err(err)?,
            // The sinks synced their files (a Zarr store's, before committing);
            // their folder entries are synced here.
            None => sync_dirs(&self.tmp).map_err(err)?,
        }
        let mut old = None;
        if self.file.is_none() && std::fs::symlink_metadata(&self.dest).is_ok() {
            if !replace {
                return Err(io_error(op, &self.dest, "it already exists"));
            }
            let aside = temporary_beside(op, &self.dest, "old")?;
            std::fs::rename(&self.dest, &aside).map_err(err)?;
            old = Some(aside);
        }
        std::fs::rename(&self.tmp, &self.dest).map_err(err)?;
        self.committed = true;
        if let Some(old) = old {
            let _ = if old.is_dir() {
                std::fs::remove_dir_all(&old)
            } else {
                std::fs::remove_file(&old)
            };
        }
        // The rename is durable once the folder is synced; not every platform can open one.
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            let _ = match self.file {
                Some(_) => std::fs::remove_file(&self.tmp),
                None => std::fs::remove_dir_all(&self.tmp),
            };
        }
    }
}

/// A new name `.NAME.PID-N.SUFFIX` in the folder of `dest`, which must exist.
fn temporary_beside(op: &str, dest: &Path, suffix: &str) -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = dest
        .file_name()
        .ok_or_else(|| io_error(op, dest, "not a file name"))?;
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(io_error(
            op,
            dest,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    Ok(dir.join(format!(
        ".{}.{}-{}.{suffix}",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )))
}

/// Syncs `dir` and every folder below it (on platforms that can open a folder).
fn sync_dirs(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_dirs(&entry.path())?;
        }
    }
    if let Ok(d) = File::open(dir) {
        d.sync_all()?;
    }
    Ok(())
}
