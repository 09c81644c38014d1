//! Files in and out: sources that read only the regions a task asks for, and sinks that write
//! each chunk at its place in a temporary file which replaces the destination only when complete.
//!
//! Today: NumPy's `.npy` ([`npy`]). Zarr is the next format (see the README's "Not there yet").

pub mod npy;

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

/// A file being written beside its destination, removed on drop unless [`commit`]ted, so that
/// an error or a panic anywhere in the computation leaves nothing at the destination and no
/// temporary (a kill may leave the temporary: it is named `.NAME.PID-N.tmp`).
///
/// [`commit`]: Pending::commit
pub(crate) struct Pending {
    pub(crate) file: File,
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl Pending {
    pub(crate) fn create(op: &str, dest: &Path) -> Result<Self> {
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
        let tmp = dir.join(format!(
            ".{}.{}-{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| io_error(op, dest, e))?;
        Ok(Pending {
            file,
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// Flushes the file to disk and renames it over the destination.
    pub(crate) fn commit(mut self, op: &str) -> Result<()> {
        self.file
            .sync_all()
            .map_err(|e| io_error(op, &self.dest, e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| io_error(op, &self.dest, e))?;
        self.committed = true;
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
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
