//! NumPy's `.npy` format: [`from_npy`] reads only the regions its tasks ask for (positioned
//! reads into tile buffers, so resident memory stays at workers x tile however large the file;
//! pages in the OS cache are not the process's), [`ChunkedArray::to_npy`] writes chunk by chunk.
//! A reduction over the file reads it a box of up to 64 Ki elements at a time (512 KiB of f64),
//! one system call per box when the box is one run of the file, rather than one per tile.
//!
//! The header is read and written by `ndarray-npy`; the data is read and written here, by
//! region. Every dtype chunkwise has, both byte orders and both memory orders are read (a
//! Fortran-order file is read as its transposed C-order box and permuted per tile); files are
//! written little-endian in C order, as NumPy writes them by default.

use std::any::Any;
use std::fs::File;
use std::io::{BufReader, Seek};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use ndarray_npy::npy::header::{Header, Layout};
use py_literal::Value as PyValue;

use crate::array::ChunkedArray;
use crate::chunks::{checked_len, ChunkSpec, IntoChunks};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::execute::{store_with, Config, Sink, Target};
use crate::files::{format_error, io_error, read_exact_at, write_all_at, Pending};
use crate::frame::{bytes, bytes_mut, copy_from_bytes};
use crate::graph::source::{RegionFn, SourceNode};
use crate::graph::{pull, Expr};
use crate::graph::{Meta, TaskCx};
use crate::kernels::contiguous_offset;
use crate::region::{for_each_region_row, region_len};
use crate::region::{for_each_tile, TILE_LEN};

/// What an `.npy` file holds, from its header (NumPy's `np.load(path, mmap_mode='r')` without
/// the data).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-npy-info-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.npy");
/// chunkwise::arange(6).reshape([2, 3])?.to_npy(&path)?;
/// let info = chunkwise::npy_info(&path)?;
/// assert_eq!((info.dtype, info.shape.as_slice()), (chunkwise::DType::I64, &[2, 3][..]));
/// assert!(!info.fortran_order && !info.big_endian);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpyInfo {
    /// The element type.
    pub dtype: DType,
    /// The extents.
    pub shape: Vec<usize>,
    /// Whether the data is stored in Fortran (column-major) order.
    pub fortran_order: bool,
    /// Whether the data is stored big-endian.
    pub big_endian: bool,
    /// The dtype descriptor as written in the file, e.g. `<f8`.
    pub descr: String,
    /// Where the data starts.
    pub data_offset: u64,
}

/// Reads the header of the `.npy` file at `path` and checks that the file holds all its data.
/// Errors: [`Error::Io`] (missing or unreadable file), [`Error::Format`] (not `.npy`, truncated,
/// a dtype chunkwise cannot hold, named), [`Error::TooLarge`].
pub fn npy_info(path: impl AsRef<Path>) -> Result<NpyInfo> {
    open("npy_info", path.as_ref()).map(|(_, info)| info)
}

/// The `.npy` file at `path` as a lazy array with automatic chunks (Dask's
/// `da.from_array(np.load(path, mmap_mode='r'))`, without the memory map). Only the regions a
/// computation needs are read, with positioned reads, so a file much larger than memory sums
/// in workers x tile of resident memory.
///
/// Errors as [`npy_info`], and [`Error::DTypeMismatch`] when the file holds another type than
/// `T`.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-from-npy-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.npy");
/// chunkwise::random::default_rng(0).random([10_000]).to_npy(&path)?;
/// let x = chunkwise::from_npy::<f64>(&path)?;
/// let mean: f64 = x.mean().item()?;
/// assert!((mean - 0.5).abs() < 0.01);
/// assert!(matches!(chunkwise::from_npy::<i32>(&path), Err(chunkwise::Error::DTypeMismatch { .. })));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_npy<T: Element>(path: impl AsRef<Path>) -> Result<ChunkedArray<T>> {
    from_npy_chunked(path, ChunkSpec::Auto)
}

/// [`from_npy`] with explicit chunks.
pub fn from_npy_chunked<T: Element>(
    path: impl AsRef<Path>,
    chunks: impl IntoChunks,
) -> Result<ChunkedArray<T>> {
    const OP: &str = "from_npy";
    let path = path.as_ref();
    let (file, info) = open(OP, path)?;
    if info.dtype != T::DTYPE {
        return Err(Error::DTypeMismatch {
            op: OP.into(),
            path: path.display().to_string(),
            expected: T::DTYPE,
            found: info.descr.clone(),
        });
    }
    let chunks = chunks
        .into_chunk_spec()
        .resolve(OP, &info.shape, T::DTYPE.size())?;
    let name = format!("from_npy({})", path.display());
    let shape = info.shape.clone();
    let source = NpySource {
        file,
        info,
        path: path.to_path_buf(),
    };
    Ok(ChunkedArray::from_expr(Arc::new(SourceNode::new(
        name,
        shape,
        chunks,
        Arc::new(source),
    ))))
}

/// The descriptor chunkwise writes, and the dtype and byte order of one it reads.
fn descr_of(dtype: DType) -> &'static str {
    match dtype {
        DType::F64 => "<f8",
        DType::F32 => "<f4",
        DType::I64 => "<i8",
        DType::I32 => "<i4",
        DType::U64 => "<u8",
        DType::U32 => "<u4",
        DType::I16 => "<i2",
        DType::I8 => "|i1",
        DType::U16 => "<u2",
        DType::U8 => "|u1",
        DType::Bool => "|b1",
    }
}

fn parse_descr(descr: &str) -> Option<(DType, bool)> {
    let (order, code) = match descr.chars().next()? {
        c @ ('<' | '>' | '|' | '=') => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let dtype = match code {
        "f8" => DType::F64,
        "f4" => DType::F32,
        "i8" => DType::I64,
        "i4" => DType::I32,
        "u8" => DType::U64,
        "u4" => DType::U32,
        "i2" => DType::I16,
        "i1" => DType::I8,
        "u2" => DType::U16,
        "u1" => DType::U8,
        "b1" => DType::Bool,
        _ => return None,
    };
    let big = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    Some((dtype, big))
}

/// Opens `path`, parses its header and checks its length.
fn open(op: &str, path: &Path) -> Result<(File, NpyInfo)> {
    let file = File::open(path).map_err(|e| io_error(op, path, e))?;
    let mut reader = BufReader::new(&file);
    let header = Header::from_reader(&mut reader)
        .map_err(|e| format_error(op, path, format!("not a readable .npy file: {e}")))?;
    let data_offset = reader
        .stream_position()
        .map_err(|e| io_error(op, path, e))?;
    let descr = match &header.type_descriptor {
        PyValue::String(s) => s.clone(),
        other => {
            return Err(format_error(
                op,
                path,
                format!("structured dtype {other} is not supported"),
            ))
        }
    };
    let (dtype, big_endian) = parse_descr(&descr).ok_or_else(|| {
        format_error(
            op,
            path,
            format!("dtype {descr} is not supported (f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1 are)"),
        )
    })?;
    let len = checked_len(op, &header.shape)?;
    let need = (len as u128) * dtype.size() as u128 + data_offset as u128;
    let have = file.metadata().map_err(|e| io_error(op, path, e))?.len();
    if (have as u128) < need {
        return Err(format_error(
            op,
            path,
            format!(
                "truncated: shape {:?} of {descr} needs {need} bytes, the file has {have}",
                header.shape
            ),
        ));
    }
    let info = NpyInfo {
        dtype,
        shape: header.shape,
        fortran_order: header.layout.is_fortran(),
        big_endian,
        descr,
        data_offset,
    };
    Ok((file, info))
}

/// Reverses the bytes of each `size`-byte element.
fn swap_bytes(raw: &mut [u8], size: usize) {
    if size > 1 {
        raw.chunks_exact_mut(size).for_each(<[u8]>::reverse);
    }
}

struct NpySource {
    file: File,
    info: NpyInfo,
    path: PathBuf,
}

impl NpySource {
    /// Reads `region` of the file's C-order array of `shape` into `out`, a row at a time.
    fn read_c<T: Element>(
        &self,
        shape: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let size = T::DTYPE.size() as u64;
        let swap = self.info.big_endian != cfg!(target_endian = "big");
        let mut failed = None;
        let mut raw = Vec::new();
        // A region that is one run of the file (whole inner axes) is one read, not one per row.
        let (run_shape, run);
        let (shape, region) = match contiguous_offset(shape, region) {
            Some(off) => {
                let len = region_len(region);
                run_shape = [off + len];
                run = off..off + len;
                (&run_shape[..], std::slice::from_ref(&run))
            }
            None => (shape, region),
        };
        for_each_region_row(shape, region, |row, flat, len| {
            if failed.is_some() {
                return;
            }
            let at = self.info.data_offset + flat as u64 * size;
            let dest = &mut out[row * len..(row + 1) * len];
            let r = if T::DTYPE == DType::Bool {
                raw.resize(len, 0u8);
                read_exact_at(&self.file, &mut raw, at).map(|()| copy_from_bytes(&raw, dest))
            } else {
                let bytes = bytes_mut(dest);
                read_exact_at(&self.file, bytes, at).map(|()| {
                    if swap {
                        swap_bytes(bytes, size as usize);
                    }
                })
            };
            match r {
                Ok(()) => crate::events::count_read(len * size as usize),
                Err(e) => failed = Some(io_error("from_npy", &self.path, e)),
            }
        });
        failed.map_or(Ok(()), Err)
    }
}

impl<T: Element> RegionFn<T> for NpySource {
    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn large_reads(&self) -> bool {
        true
    }

    fn cache_bytes(&self) -> usize {
        // The box a reduction prefetches; a Fortran-order file also reads it into a second
        // buffer before permuting it.
        let copies = if self.info.fortran_order { 2 } else { 1 };
        copies * crate::graph::PREFETCH_LEN * T::DTYPE.size()
    }

    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let shape = &at.shape[..];
        if !self.info.fortran_order {
            return self.read_c(shape, region, out);
        }
        // Fortran order: the file is the C-order array of the reversed shape. Read the
        // reversed box, then permute it back.
        let rshape: Vec<usize> = shape.iter().rev().copied().collect();
        let rregion: Vec<Range<usize>> = region.iter().rev().cloned().collect();
        let mut tmp = vec![T::ZERO; region_len(region)];
        self.read_c(&rshape, &rregion, &mut tmp)?;
        let rext: Vec<usize> = rregion.iter().map(|r| r.len()).collect();
        let view = ArrayViewD::from_shape(IxDyn(&rext), &tmp).expect("tmp has the box's length");
        for (o, &v) in out.iter_mut().zip(view.reversed_axes().iter()) {
            *o = v;
        }
        Ok(())
    }
}

/// ## Files
impl<T: Element> ChunkedArray<T> {
    /// Computes the array and writes it to `path` as `.npy` (little-endian, C order), chunk by
    /// chunk: each tile is written at its offset in a temporary file beside `path`, which is
    /// flushed to disk and renamed over `path` only when every chunk is written. A result larger
    /// than memory writes fine; an error (a full disk, a failing task) or a panic leaves no file
    /// at `path` and removes the temporary (a killed process may leave `.NAME.PID-N.tmp`).
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-to-npy-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let x = chunkwise::arange(12).reshape([3, 4])?.rechunk([2, 3])?;
    /// x.to_npy(dir.join("x.npy"))?;
    /// let back = chunkwise::from_npy::<i64>(dir.join("x.npy"))?.compute()?;
    /// assert_eq!(back, x.compute()?);
    /// // A folder that does not exist is an error, and nothing is written.
    /// assert!(x.to_npy(dir.join("missing/x.npy")).is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn to_npy(&self, path: impl AsRef<Path>) -> Result<()> {
        self.to_npy_with(path, &Config::default())
    }

    /// [`to_npy`](Self::to_npy) with an explicit [`Config`].
    pub fn to_npy_with(&self, path: impl AsRef<Path>, cfg: &Config) -> Result<()> {
        store_with(vec![self.npy_target(path)?], cfg)
    }

    /// The array as a [`Target`] of [`store`](crate::store), written to `path` as `.npy` like
    /// [`to_npy`](Self::to_npy) (with other arrays in the same compute). Creates the temporary
    /// file beside `path` now: a missing folder is an error here.
    pub fn npy_target(&self, path: impl AsRef<Path>) -> Result<Target> {
        const OP: &str = "to_npy";
        let path = path.as_ref();
        let shape = self.shape().to_vec();
        let header = Header {
            type_descriptor: PyValue::String(descr_of(T::DTYPE).into()),
            layout: Layout::Standard,
            shape: shape.clone(),
        }
        .to_bytes()
        .map_err(|e| format_error(OP, path, e.to_string()))?;
        let sink = NpySink {
            expr: self.expr().clone(),
            pending: Pending::create(OP, path)?,
            path: path.to_path_buf(),
            data_at: header.len() as u64,
            shape,
        };
        sink.write(&header, 0)?;
        Ok(Target {
            node: self.expr().clone(),
            sink: Box::new(sink),
        })
    }
}

/// Writes an array into a pending `.npy` file.
struct NpySink<T: Element> {
    expr: Arc<dyn Expr<T>>,
    pending: Pending,
    path: PathBuf,
    /// Where the data starts (after the header).
    data_at: u64,
    shape: Vec<usize>,
}

impl<T: Element> NpySink<T> {
    /// Writes `bytes` at `at`, little-endian on every host (a big-endian one swaps a copy).
    fn write(&self, bytes: &[u8], at: u64) -> Result<()> {
        let file = self.pending.file();
        let r = if cfg!(target_endian = "big") && T::DTYPE.size() > 1 {
            let mut le = bytes.to_vec();
            swap_bytes(&mut le, T::DTYPE.size());
            write_all_at(file, &le, at)
        } else {
            write_all_at(file, bytes, at)
        };
        crate::events::count_written(bytes.len());
        r.map_err(|e| io_error("to_npy", &self.path, e))
    }
}

impl<T: Element> Sink for NpySink<T> {
    fn worker_bytes(&self) -> u64 {
        // A tile, written at its offsets.
        (TILE_LEN * T::DTYPE.size()) as u64
    }

    fn write_chunk(&self, cx: &mut TaskCx<'_>, chunk: &[Range<usize>]) -> Result<()> {
        let size = T::DTYPE.size() as u64;
        for_each_tile(chunk, TILE_LEN, |tile| {
            let mut buf = cx.take::<T>(region_len(tile));
            let r = pull(cx, &*self.expr, tile, &mut buf).and_then(|()| {
                // Each row of the tile is a contiguous run of the file.
                let mut out = Ok(());
                for_each_region_row(&self.shape, tile, |row, flat, len| {
                    if out.is_ok() {
                        out = self.write(
                            bytes(&buf[row * len..(row + 1) * len]),
                            self.data_at + flat as u64 * size,
                        );
                    }
                });
                out
            });
            cx.give(buf);
            r
        })
    }

    fn write_value(&self, value: &(dyn Any + Send + Sync)) -> Result<()> {
        let arr = value
            .downcast_ref::<ArrayD<T>>()
            .expect("a step's value has its node's type")
            .as_standard_layout();
        self.write(
            bytes(arr.as_slice().expect("standard layout")),
            self.data_at,
        )
    }

    fn commit(self: Box<Self>) -> Result<()> {
        self.pending.commit("to_npy", true)
    }
}
