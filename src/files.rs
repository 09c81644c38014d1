//! Files written whole or not at all, and positioned reads and writes: what the sinks of `io`
//! and the pictures of `diagnostics` share. `Pending` is a temporary beside a destination,
//! renamed into place only when complete, so an error or a panic leaves nothing behind.
//!
//! The module sits low in the crate (it needs only `error`), below its users.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

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
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
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
