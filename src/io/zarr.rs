//! Zarr stores (v3, and v2 for reading) through the `zarrs` crate: [`from_zarr`] decodes only
//! the store chunks its tasks touch, [`ChunkedArray::to_zarr`] encodes one store chunk (or
//! shard) per task. The format, codecs and filesystem store are zarrs'; this module maps them
//! to chunk grids, tasks and typed errors.
//!
//! **Reading.** The array's chunk grid defaults to the store's: one task per store chunk (per
//! shard for a sharded array). A task decodes each store chunk (each inner chunk of a shard)
//! it needs once, keeps the last one (`graph::blockwise::fill_from_blocks`), and serves its
//! tiles from it; memory is workers x one decoded chunk. With other chunks (`from_zarr_chunked`,
//! `rechunk`) the values are the same; a task whose chunk crosses store chunks decodes each of
//! them, and a store chunk shared by two tasks is decoded by both. A store whose chunks are the
//! `bytes` codec in this machine's byte order and then `zstd` (zarr-python's default, and
//! `to_zarr`'s) skips zarrs's buffers: the chunk file is streamed through zstd straight into
//! the task's block, which reuses the buffer of the block it replaces, so a worker holds one
//! decoded chunk and a 1 MiB read buffer, and no chunk-sized allocation is made per chunk.
//!
//! **Writing.** The array is regridded to the store's chunks (or shards), so each task computes one
//! whole store chunk and no two tasks write the same one; a staged reduction's result is written
//! from memory. With the default codecs (`bytes`, then `zstd`) and no shards, a task makes its
//! chunk a tile at a time and streams the tiles through zstd into the chunk's file: a worker holds
//! a tile and zstd's state, not the chunk nor its encoding (other codecs, shards and bool arrays
//! are encoded by zarrs from the whole chunk). The store is written into a temporary folder `.NAME.PID-N.tmp`
//! beside the destination and renamed to the destination when every chunk is written and flushed to
//! disk (each file once, at the end; [`ZarrOptions::durable`] can skip the flush): an error, a
//! panic or a full disk leaves nothing at the destination and removes the temporary; a killed
//! process may leave the temporary. An existing destination is an error unless
//! [`ZarrOptions::overwrite`] (Dask's `overwrite=`); then the old store is renamed aside, the new
//! one renamed in, and the old one removed.

use std::any::Any;
use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use zarrs::array::codec::{
    BloscCodec, BloscCompressionLevel, BloscCompressor, BloscShuffleMode, GzipCodec, ZstdCodec,
};
use zarrs::array::{
    data_type as zdt, Array, ArrayBuilder, ArrayBytes, ArrayBytesFixedDisjointView,
    ArrayShardedExt, ArraySubset, CodecOptions, DataType, FillValue,
};
use zarrs::filesystem::FilesystemStore;
use zarrs::storage::{
    OffsetBytesIterator, StorageError, StoreKey, StorePrefix, WritableStorageTraits,
};

use unsafe_cell_slice::UnsafeCellSlice;

use crate::array::ChunkedArray;
use crate::chunks::{AxisChunks, ChunkSpec, Chunks, IntoChunks};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::execute::{store_with, Config, Sink, Target};
use crate::files::{format_error, io_error, Pending};
use crate::frame::{bytes, bytes_mut, copy_from_bytes};
use crate::graph::blockwise::fill_from_blocks_reusing;
use crate::graph::source::{RegionFn, SourceNode};
use crate::graph::{pull, pull_whole_into, Expr, Meta, TaskCx};
use crate::kernels::gather;
use crate::pool::SharedPool;
use crate::region::{region_len, Region, TILE_LEN};

/// What a Zarr array holds, from its metadata (zarr-python's `zarr.open_array(path)` without
/// the data).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-zarr-info-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.zarr");
/// chunkwise::arange(10).rechunk(4)?.to_zarr(&path)?;
/// let info = chunkwise::zarr_info(&path)?;
/// assert_eq!(info.dtype, chunkwise::DType::I64);
/// assert_eq!((info.shape.as_slice(), info.chunks.as_slice()), (&[10][..], &[4][..]));
/// assert_eq!(info.codecs, ["bytes", "zstd"]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZarrInfo {
    /// The element type.
    pub dtype: DType,
    /// The data type as the metadata names it (`float64`; `<f8` in Zarr v2).
    pub data_type: String,
    /// The extents.
    pub shape: Vec<usize>,
    /// The store's chunk shape (the shard shape of a sharded array): the default chunks of
    /// [`from_zarr`].
    pub chunks: Vec<usize>,
    /// The inner chunk shape of a sharded array: the unit a task decodes.
    pub subchunks: Option<Vec<usize>>,
    /// The codecs, outermost array codec first (`bytes`, `zstd`, `sharding_indexed`, ...; a
    /// Zarr v2 array lists its filters and compressor).
    pub codecs: Vec<String>,
    /// 2 or 3.
    pub zarr_format: u8,
}

/// The metadata of the Zarr array at `path` (a folder with `zarr.json`, or `.zarray` for
/// Zarr v2). Errors: [`Error::Io`] (no such folder), [`Error::Format`] (not a Zarr array, a
/// group, unsupported codec or data type, named), [`Error::TooLarge`].
pub fn zarr_info(path: impl AsRef<Path>) -> Result<ZarrInfo> {
    open("zarr_info", path.as_ref()).map(|(_, info)| info)
}

/// The Zarr array at `path` as a lazy array whose chunks are the store's (Dask's
/// `da.from_zarr(path)`). Reads arrays written by zarr-python, Dask, xarray and zarrs: Zarr v3
/// with the `bytes`, `zstd`, `gzip`, `blosc`, `crc32c`, `transpose` and `sharding_indexed`
/// codecs, and Zarr v2 arrays (blosc, zstd, gzip compressors). Missing chunks read as the fill
/// value.
///
/// Errors as [`zarr_info`], and [`Error::DTypeMismatch`] when the store holds another type than
/// `T`; a chunk that fails to decode is an [`Error::Format`] naming it, when a task reads it.
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-from-zarr-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("x.zarr");
/// chunkwise::random::default_rng(0).random([10_000]).rechunk(4096)?.to_zarr(&path)?;
/// let x = chunkwise::from_zarr::<f64>(&path)?;
/// assert_eq!(x.chunks().axis(0), &[4096, 4096, 1808]);
/// let mean: f64 = x.mean().item()?;
/// assert!((mean - 0.5).abs() < 0.01);
/// assert!(matches!(chunkwise::from_zarr::<f32>(&path), Err(chunkwise::Error::DTypeMismatch { .. })));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_zarr<T: Element>(path: impl AsRef<Path>) -> Result<ChunkedArray<T>> {
    from_zarr_chunked(path, ChunkSpec::Auto)
}

/// [`from_zarr`] with explicit chunks ([`ChunkSpec::Auto`] means the store's).
pub fn from_zarr_chunked<T: Element>(
    path: impl AsRef<Path>,
    chunks: impl IntoChunks,
) -> Result<ChunkedArray<T>> {
    const OP: &str = "from_zarr";
    let path = path.as_ref();
    let (array, info) = open(OP, path)?;
    if info.dtype != T::DTYPE {
        return Err(Error::DTypeMismatch {
            op: OP.into(),
            path: path.display().to_string(),
            expected: T::DTYPE,
            found: info.data_type.clone(),
        });
    }
    let store_grid = grid_of(OP, path, &info.shape, &info.chunks)?;
    let blocks = match &info.subchunks {
        Some(inner) => grid_of(OP, path, &info.shape, inner)?,
        None => store_grid.clone(),
    };
    let chunks = match chunks.into_chunk_spec() {
        ChunkSpec::Auto => store_grid,
        spec => spec.resolve(OP, &info.shape, T::DTYPE.size())?,
    };
    let name = format!("from_zarr({})", path.display());
    let plain_zstd = info.subchunks.is_none() && is_plain_zstd(&array);
    let source = ZarrSource {
        array,
        blocks,
        chunk: info.chunks.clone(),
        plain_zstd,
        path: path.to_path_buf(),
    };
    Ok(ChunkedArray::from_expr(Arc::new(SourceNode::new(
        name,
        info.shape,
        chunks,
        Arc::new(source),
    ))))
}

/// Opens the array at `path` and reads its metadata.
fn open(op: &str, path: &Path) -> Result<(Array<FilesystemStore>, ZarrInfo)> {
    if !path.is_dir() {
        let reason = if path.exists() {
            "not a folder (a Zarr store is a folder)"
        } else {
            "no such folder"
        };
        return Err(io_error(op, path, reason));
    }
    let zarr_format = if path.join("zarr.json").is_file() {
        3
    } else if path.join(".zarray").is_file() {
        2
    } else if path.join(".zgroup").is_file() {
        return Err(format_error(op, path, "a Zarr v2 group, not an array"));
    } else {
        return Err(format_error(
            op,
            path,
            "not a Zarr array (no zarr.json or .zarray)",
        ));
    };
    let store = FilesystemStore::new(path).map_err(|e| io_error(op, path, e))?;
    let array =
        Array::open(Arc::new(store), "/").map_err(|e| format_error(op, path, e.to_string()))?;
    let meta = serde_json::to_value(array.metadata()).unwrap_or_default();
    let data_type = meta
        .get("data_type")
        .or_else(|| meta.get("dtype"))
        .map_or_else(
            || array.data_type().to_string(),
            |v| v.as_str().map_or_else(|| v.to_string(), str::to_string),
        );
    let dtype = dtype_of(array.data_type()).ok_or_else(|| {
        format_error(
            op,
            path,
            format!(
                "data type {data_type} is not one chunkwise holds (f64, f32, i64, i32, i16, i8, u64, u32, u16, u8, bool)"
            ),
        )
    })?;
    let to_usize = |v: &[u64]| -> Result<Vec<usize>> {
        v.iter()
            .map(|&n| {
                usize::try_from(n).map_err(|_| Error::TooLarge {
                    op: op.into(),
                    shape: v.iter().map(|&x| x as usize).collect(),
                    reason: format!("{} has {n} on an axis", path.display()),
                })
            })
            .collect()
    };
    let shape = to_usize(array.shape())?;
    crate::chunks::checked_len(op, &shape)?;
    let origin = vec![0u64; shape.len()];
    let chunk_shape: Vec<u64> = array
        .chunk_shape(&origin)
        .map_err(|e| format_error(op, path, e.to_string()))?
        .iter()
        .map(|n| n.get())
        .collect();
    let chunks = to_usize(&chunk_shape)?;
    let subchunks = match array.effective_subchunk_shape() {
        Some(s) if array.is_sharded() => {
            Some(to_usize(&s.iter().map(|n| n.get()).collect::<Vec<_>>())?)
        }
        _ => None,
    };
    let codecs = codec_names(&meta);
    let info = ZarrInfo {
        dtype,
        data_type,
        shape,
        chunks,
        subchunks,
        codecs,
        zarr_format,
    };
    Ok((array, info))
}

/// Whether a v3 array's chunks are the `bytes` codec in this machine's byte order followed by
/// `zstd` and nothing else (zarr-python's and `to_zarr`'s default): then a chunk file is one
/// zstd frame of the chunk's values as they lie in memory.
fn is_plain_zstd<S: ?Sized>(array: &Array<S>) -> bool {
    let meta = serde_json::to_value(array.metadata()).unwrap_or_default();
    let Some([bytes, zstd]) = meta
        .get("codecs")
        .and_then(|c| c.as_array())
        .map(Vec::as_slice)
    else {
        return false;
    };
    let name = |c: &serde_json::Value| c.get("name").and_then(|n| n.as_str()).map(str::to_owned);
    let endian = bytes
        .get("configuration")
        .and_then(|c| c.get("endian"))
        .and_then(|e| e.as_str());
    let native = if cfg!(target_endian = "little") {
        "little"
    } else {
        "big"
    };
    meta.get("zarr_format").and_then(|f| f.as_u64()) == Some(3)
        && name(bytes).as_deref() == Some("bytes")
        && name(zstd).as_deref() == Some("zstd")
        && endian.is_none_or(|e| e == native)
}

/// The codec names in a v3 `codecs` list or a v2 `filters` + `compressor`.
fn codec_names(meta: &serde_json::Value) -> Vec<String> {
    let name = |c: &serde_json::Value| {
        c.get("name")
            .or_else(|| c.get("id"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    if let Some(list) = meta.get("codecs").and_then(|c| c.as_array()) {
        return list.iter().filter_map(name).collect();
    }
    let filters = meta.get("filters").and_then(|f| f.as_array());
    filters
        .into_iter()
        .flatten()
        .chain(meta.get("compressor").filter(|c| !c.is_null()))
        .filter_map(name)
        .collect()
}

/// A regular grid of `size` blocks over `shape` (zarrs' chunk grids are regular; the last
/// block of an axis is clipped to the array).
fn grid_of(op: &str, path: &Path, shape: &[usize], size: &[usize]) -> Result<Chunks> {
    if size.len() != shape.len() || size.contains(&0) {
        return Err(format_error(
            op,
            path,
            format!("chunk shape {size:?} for an array of shape {shape:?}"),
        ));
    }
    Ok(Chunks::from_axes(
        shape
            .iter()
            .zip(size)
            .map(|(&n, &s)| AxisChunks::regular(n, s.min(n.max(1))))
            .collect(),
    ))
}

fn dtype_of(dt: &DataType) -> Option<DType> {
    DType::ALL.into_iter().find(|&d| zarr_data_type(d) == *dt)
}

fn zarr_data_type(d: DType) -> DataType {
    match d {
        DType::F64 => zdt::float64(),
        DType::F32 => zdt::float32(),
        DType::I64 => zdt::int64(),
        DType::I32 => zdt::int32(),
        DType::U64 => zdt::uint64(),
        DType::U32 => zdt::uint32(),
        DType::I16 => zdt::int16(),
        DType::I8 => zdt::int8(),
        DType::U16 => zdt::uint16(),
        DType::U8 => zdt::uint8(),
        DType::Bool => zdt::bool(),
    }
}

/// The grid coordinates of the store chunk that starts at `region`'s start (chunks of shape
/// `chunk`), as zarrs names them.
fn grid_indices(region: &[Range<usize>], chunk: &[usize]) -> Vec<u64> {
    region
        .iter()
        .zip(chunk)
        .map(|(r, &c)| (r.start / c) as u64)
        .collect()
}

/// Codec options for work inside a task: the pool's workers are busy with other tasks, so
/// zarrs does not fan a chunk's codecs out further.
fn task_codec_options() -> CodecOptions {
    CodecOptions::default().with_concurrent_target(1)
}

/// Bytes of a chunk file read at a time when zstd decodes it as it streams in.
const ZSTD_READ: usize = 1 << 20;

struct ZarrSource {
    array: Array<FilesystemStore>,
    /// The units decoded whole: store chunks, or the inner chunks of shards.
    blocks: Chunks,
    /// The store's chunk shape.
    chunk: Vec<usize>,
    /// Chunks are one zstd frame of the values in memory order ([`is_plain_zstd`]).
    plain_zstd: bool,
    path: PathBuf,
}

impl ZarrSource {
    /// Decodes store chunk `block` into `spare` (the buffer of the block it replaces, reused: a
    /// fresh chunk-sized allocation costs a page fault per 4 KiB).
    fn decode<T: Element>(&self, block: &[Range<usize>], spare: Vec<T>) -> Result<Vec<T>> {
        let fail = |e: String| format_error("from_zarr", &self.path, format!("{block:?}: {e}"));
        let extents: Vec<usize> = block.iter().map(|r| r.len()).collect();
        // Chunk files hold whole chunks, an edge chunk too: with zstd alone it is decoded
        // whole into the buffer, then its part inside the array is moved to the front.
        let fast = self.plain_zstd && T::DTYPE != DType::Bool;
        let room = if fast { &self.chunk } else { &extents };
        let mut out = crate::kernels::zeroed_vec_reusing("from_zarr", room, spare)?;
        if fast && self.decode_zstd(block, bytes_mut(&mut out))? {
            if extents != self.chunk {
                let strides = crate::region::c_strides(&self.chunk);
                let row = extents.last().copied().unwrap_or(1);
                // Each row moves to an offset no larger than its own, in order: no row is
                // overwritten before it is moved.
                crate::region::for_each_row(&extents, &strides, 0, |i, from| {
                    out.copy_within(from..from + row, i * row);
                });
                out.truncate(region_len(block));
            }
            crate::events::count_read(out.len() * T::DTYPE.size());
            return Ok(out);
        }
        if out.len() != region_len(block) {
            out.truncate(region_len(block));
        }
        let ranges: Vec<Range<u64>> = block.iter().map(|r| r.start as u64..r.end as u64).collect();
        let subset = ArraySubset::new_with_ranges(&ranges);
        let shape: Vec<u64> = extents.iter().map(|&n| n as u64).collect();
        let whole = ArraySubset::new_with_shape(shape.clone());
        // bool is decoded through bytes and checked (a file's bytes are not trusted to be 0 or
        // 1); numbers straight into the block.
        let mut raw = match T::DTYPE {
            DType::Bool => vec![0u8; out.len()],
            _ => Vec::new(),
        };
        let target: &mut [u8] = match T::DTYPE {
            DType::Bool => &mut raw,
            _ => bytes_mut(&mut out),
        };
        // SAFETY: the view covers the whole buffer, and it is the only view of it.
        let mut view = unsafe {
            ArrayBytesFixedDisjointView::new(
                UnsafeCellSlice::new(target),
                T::DTYPE.size(),
                &shape,
                whole,
            )
        }
        .map_err(|e| fail(e.to_string()))?;
        self.array
            .retrieve_array_subset_into_opt(&subset, (&mut view).into(), &task_codec_options())
            .map_err(|e| fail(e.to_string()))?;
        if T::DTYPE == DType::Bool {
            copy_from_bytes(&raw, &mut out);
        }
        crate::events::count_read(out.len() * T::DTYPE.size());
        Ok(out)
    }

    /// Streams the file of the whole store chunk `block` through zstd straight into `target`
    /// (a few reads of [`ZSTD_READ`] bytes; no buffer of the encoded chunk, no copy of the
    /// decoded one). `Ok(false)` when there is no file (a chunk never written reads as the
    /// fill value, which zarrs supplies).
    fn decode_zstd(&self, block: &[Range<usize>], target: &mut [u8]) -> Result<bool> {
        use std::io::Read;
        use zstd::zstd_safe::{DCtx, DParameter, InBuffer, OutBuffer};
        let indices = grid_indices(block, &self.chunk);
        let file = self.path.join(self.array.chunk_key(&indices).as_str());
        let mut f = match std::fs::File::open(&file) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(io_error("from_zarr", &file, e)),
        };
        let bad = |what: String| format_error("from_zarr", &file, format!("{block:?}: {what}"));
        let zstd_error =
            |code: usize| bad(format!("zstd: {}", zstd::zstd_safe::get_error_name(code)));
        let mut dctx = DCtx::create();
        // zstd writes into `target` in place rather than through its window buffer.
        dctx.set_parameter(DParameter::StableOutBuffer(true))
            .map_err(zstd_error)?;
        let want = target.len();
        let mut out = OutBuffer::around(target);
        let mut buf = vec![0u8; ZSTD_READ];
        let mut left = usize::MAX; // zstd's hint: 0 once the frame is complete
        loop {
            let n = f
                .read(&mut buf)
                .map_err(|e| io_error("from_zarr", &file, e))?;
            if n == 0 {
                break;
            }
            let mut input = InBuffer::around(&buf[..n]);
            while input.pos() < n {
                left = dctx
                    .decompress_stream(&mut out, &mut input)
                    .map_err(zstd_error)?;
                if left == 0 && input.pos() < n {
                    return Err(bad("bytes after the zstd frame".into()));
                }
            }
        }
        let got = out.pos();
        if left != 0 || got != want {
            return Err(bad(format!(
                "zstd gave {got} bytes{}, the chunk has {want}",
                if left != 0 {
                    " of an unfinished frame"
                } else {
                    ""
                }
            )));
        }
        Ok(true)
    }
}

impl<T: Element> RegionFn<T> for ZarrSource {
    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn fill(
        &self,
        cx: &mut TaskCx<'_>,
        at: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        fill_from_blocks_reusing(
            cx,
            at.id,
            &self.blocks,
            1,
            region,
            out,
            true,
            |_, _, block, spare| self.decode(block, spare),
        )
    }

    fn cache_bytes(&self) -> usize {
        // The decoded block a worker keeps, and the encoded bytes it came from: the whole
        // chunk file through zarrs, the read buffer when zstd streams it.
        let block = self
            .blocks
            .max_chunk_len()
            .saturating_mul(std::mem::size_of::<T>());
        if self.plain_zstd && T::DTYPE != DType::Bool {
            let whole = crate::chunks::checked_len("from_zarr", &self.chunk).unwrap_or(usize::MAX);
            whole
                .saturating_mul(std::mem::size_of::<T>())
                .max(block)
                .saturating_add(ZSTD_READ)
        } else {
            block.saturating_mul(2)
        }
    }
}

/// How a store chunk's bytes are compressed by [`ChunkedArray::to_zarr_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// The `bytes` codec alone.
    None,
    /// `zstd` at `level` (0 is zstd's default, 3), as zarr-python writes by default.
    Zstd {
        /// Compression level, -131072 to 22.
        level: i32,
        /// Whether to store a checksum of each chunk.
        checksum: bool,
    },
    /// `gzip` at `level` (0 to 9).
    Gzip {
        /// Compression level.
        level: u32,
    },
    /// `blosc` with the LZ4 compressor at `level` (0 to 9), with byte shuffling when `shuffle`.
    Blosc {
        /// Compression level.
        level: u8,
        /// Whether to shuffle bytes by element before compressing.
        shuffle: bool,
    },
}

impl Default for Compression {
    /// zarr-python's default: `zstd` at level 0 without checksum.
    fn default() -> Self {
        Compression::Zstd {
            level: 0,
            checksum: false,
        }
    }
}

/// How [`ChunkedArray::to_zarr_with`] writes a store (Dask's `to_zarr` keywords and
/// zarr-python's `create_array` ones).
///
/// ```
/// use chunkwise::io::zarr::{Compression, ZarrOptions};
/// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-zarr-opts-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let x = chunkwise::arange(100).reshape([10, 10])?;
/// let opts = ZarrOptions::new()
///     .chunks([5, 5])
///     .shards([10, 10])
///     .compression(Compression::Gzip { level: 5 })
///     .fill_value(-1)
///     .attribute("units", "m".into());
/// x.to_zarr_with(dir.join("x.zarr"), &opts, &chunkwise::Config::default())?;
/// let info = chunkwise::zarr_info(dir.join("x.zarr"))?;
/// assert_eq!((info.chunks, info.subchunks), (vec![10, 10], Some(vec![5, 5])));
/// assert_eq!(chunkwise::from_zarr::<i64>(dir.join("x.zarr"))?.compute()?, x.compute()?);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ZarrOptions<T> {
    chunks: Option<Vec<usize>>,
    shards: Option<Vec<usize>>,
    compression: Compression,
    fill_value: T,
    attributes: serde_json::Map<String, serde_json::Value>,
    overwrite: bool,
    durable: bool,
}

impl<T: Element> Default for ZarrOptions<T> {
    fn default() -> Self {
        ZarrOptions {
            chunks: None,
            shards: None,
            compression: Compression::default(),
            fill_value: T::ZERO,
            attributes: serde_json::Map::new(),
            overwrite: false,
            durable: true,
        }
    }
}

impl<T: Element> ZarrOptions<T> {
    /// The defaults: the array's chunks as store chunks (when they are regular, else the
    /// automatic rule), no sharding, [`Compression::default`], fill value zero, no attributes,
    /// no overwriting.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store's chunk shape (the inner chunk shape when sharded).
    pub fn chunks(mut self, shape: impl Into<Vec<usize>>) -> Self {
        self.chunks = Some(shape.into());
        self
    }

    /// Shards of this shape, each holding whole chunks (Zarr v3's `sharding_indexed` codec):
    /// one file per shard, one task per shard.
    pub fn shards(mut self, shape: impl Into<Vec<usize>>) -> Self {
        self.shards = Some(shape.into());
        self
    }

    /// The compression.
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// The fill value: what missing chunks read as (chunks holding only it are not written).
    pub fn fill_value(mut self, v: T) -> Self {
        self.fill_value = v;
        self
    }

    /// A user attribute (`zarr.json`'s `attributes`).
    pub fn attribute(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.attributes.insert(key.into(), value);
        self
    }

    /// Whether an existing store at the destination is replaced (default: it is an error).
    pub fn overwrite(mut self, on: bool) -> Self {
        self.overwrite = on;
        self
    }

    /// Whether every file is flushed to disk before the store is renamed into place (default:
    /// yes). Without it the store still appears only when complete, but a power loss soon
    /// after may leave chunk files empty; zarr-python and Dask never flush. On this machine
    /// flushing a 2 GB store costs about as much as computing and writing it.
    pub fn durable(mut self, on: bool) -> Self {
        self.durable = on;
        self
    }
}

/// ## Files
impl<T: Element> ChunkedArray<T> {
    /// Computes the array and writes it as a Zarr v3 store at `path` with the defaults of
    /// [`ZarrOptions`] (store chunks = the array's chunks, zstd): Dask's `x.to_zarr(path)`.
    /// One task per store chunk; the store appears at `path` only when complete (see
    /// [`io::zarr`](crate::io::zarr)).
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("chunkwise-doc-to-zarr-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let x = chunkwise::arange(12).reshape([3, 4])?.rechunk([2, 3])?;
    /// x.to_zarr(dir.join("x.zarr"))?;
    /// let back = chunkwise::from_zarr::<i64>(dir.join("x.zarr"))?;
    /// assert_eq!(back.chunks(), x.chunks());
    /// assert_eq!(back.compute()?, x.compute()?);
    /// // The store exists now: writing it again is an error, and leaves it as it was.
    /// assert!(x.to_zarr(dir.join("x.zarr")).is_err());
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn to_zarr(&self, path: impl AsRef<Path>) -> Result<()> {
        self.to_zarr_with(path, &ZarrOptions::default(), &Config::default())
    }

    /// [`to_zarr`](Self::to_zarr) with [`ZarrOptions`] and a [`Config`].
    pub fn to_zarr_with(
        &self,
        path: impl AsRef<Path>,
        opts: &ZarrOptions<T>,
        cfg: &Config,
    ) -> Result<()> {
        store_with(vec![self.zarr_target(path, opts)?], cfg)
    }

    /// The array as a [`Target`] of [`store`](crate::store), written to `path` as a Zarr store
    /// like [`to_zarr_with`](Self::to_zarr_with) (with other arrays in the same compute).
    /// Checks the options and the destination, and creates the temporary folder with the
    /// array's metadata, now.
    pub fn zarr_target(&self, path: impl AsRef<Path>, opts: &ZarrOptions<T>) -> Result<Target> {
        const OP: &str = "to_zarr";
        let path = path.as_ref();
        if !opts.overwrite && std::fs::symlink_metadata(path).is_ok() {
            return Err(io_error(
                OP,
                path,
                "it already exists (ZarrOptions::overwrite replaces it)",
            ));
        }
        let shape = self.shape().to_vec();
        let ndim = shape.len();
        let check = |what: &str, s: &[usize]| -> Result<()> {
            if s.len() != ndim || s.contains(&0) {
                return Err(Error::InvalidChunks {
                    op: OP.into(),
                    shape: shape.clone(),
                    reason: format!(
                        "{what} {s:?}: one positive size per axis of the array is needed"
                    ),
                });
            }
            Ok(())
        };
        // Store chunks: asked for, else the array's own when regular, else the automatic rule.
        let chunks: Vec<usize> = match &opts.chunks {
            Some(c) => {
                check("store chunks", c)?;
                c.clone()
            }
            None => {
                let own = self.chunks();
                let grid = if own.axes().iter().all(AxisChunks::is_regular) {
                    own.clone()
                } else {
                    Chunks::auto(&shape, T::DTYPE.size())
                };
                grid.axes().iter().map(|a| a.max().max(1)).collect()
            }
        };
        // The unit a task writes: a shard, or a chunk.
        let unit = match &opts.shards {
            Some(s) => {
                check("shards", s)?;
                if s.iter().zip(&chunks).any(|(s, c)| s % c != 0) {
                    return Err(Error::InvalidChunks {
                        op: OP.into(),
                        shape: shape.clone(),
                        reason: format!("shards {s:?} do not hold whole chunks {chunks:?}"),
                    });
                }
                s.clone()
            }
            None => chunks.clone(),
        };
        let pending = Pending::create_dir(OP, path)?;
        let store = Arc::new(TempStore::new(pending.path()));
        let u64s = |v: &[usize]| v.iter().map(|&n| n as u64).collect::<Vec<u64>>();
        let mut builder = ArrayBuilder::new(
            u64s(&shape),
            u64s(&unit),
            zarr_data_type(T::DTYPE),
            FillValue::new(bytes(&[opts.fill_value]).to_vec()),
        );
        if opts.shards.is_some() {
            builder.subchunk_shape(u64s(&chunks));
        }
        builder.bytes_to_bytes_codecs(match opts.compression {
            Compression::None => vec![],
            Compression::Zstd { level, checksum } => {
                vec![Arc::new(ZstdCodec::new(level, checksum))]
            }
            Compression::Gzip { level } => vec![Arc::new(
                GzipCodec::new(level).map_err(|e| io_error(OP, path, e))?,
            )],
            Compression::Blosc { level, shuffle } => vec![Arc::new(
                BloscCodec::new(
                    BloscCompressor::LZ4,
                    BloscCompressionLevel::try_from(level).map_err(|e| io_error(OP, path, e))?,
                    None,
                    if shuffle {
                        BloscShuffleMode::Shuffle
                    } else {
                        BloscShuffleMode::NoShuffle
                    },
                    Some(T::DTYPE.size()),
                )
                .map_err(|e| io_error(OP, path, e))?,
            )],
        });
        builder.attributes(opts.attributes.clone());
        let array = builder
            .build(store.clone(), "/")
            .map_err(|e| io_error(OP, path, e))?;
        array.store_metadata().map_err(|e| io_error(OP, path, e))?;

        // zarr-python's default chain (bytes, then zstd), unsharded, of numbers (bool goes
        // through zarrs, which checks its bytes): chunks are streamed through zstd into their
        // files.
        let zstd = match opts.compression {
            Compression::Zstd { level, checksum }
                if opts.shards.is_none() && T::DTYPE != DType::Bool && is_plain_zstd(&array) =>
            {
                Some((level, checksum))
            }
            _ => None,
        };
        // One task per store chunk (shard): regrid the array to them.
        let unit_grid = grid_of(OP, path, &shape, &unit)?;
        let x = self.rechunk(ChunkSpec::Grid(unit_grid))?;
        Ok(Target {
            node: x.expr().clone(),
            sink: Box::new(ZarrSink {
                expr: x.expr().clone(),
                array,
                store,
                pending,
                path: path.to_path_buf(),
                unit,
                fill_value: opts.fill_value,
                overwrite: opts.overwrite,
                durable: opts.durable,
                zstd,
                spare: SharedPool::default(),
            }),
        })
    }
}

/// The write side of a filesystem store for the temporary folder: zarrs' `FilesystemStore`
/// syncs every file as it writes it, which makes each task wait for the disk; this one writes
/// and remembers the files, and [`sync`](Self::sync) flushes them all once, before the folder
/// is renamed into place (so the kernel writes back in the background meanwhile). The keys and
/// their files are zarrs' (`zarr.json`, `c/0/1`).
struct TempStore {
    base: PathBuf,
    written: std::sync::Mutex<Vec<PathBuf>>,
}

impl TempStore {
    fn new(base: &Path) -> Self {
        TempStore {
            base: base.to_path_buf(),
            written: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.base.join(key.strip_prefix('/').unwrap_or(key))
    }

    /// Flushes every file written to disk.
    fn sync(&self) -> std::io::Result<()> {
        let files = std::mem::take(&mut *self.written.lock().unwrap_or_else(|e| e.into_inner()));
        files
            .par_iter()
            .try_for_each(|p| match std::fs::File::open(p) {
                Ok(f) => f.sync_all(),
                // Erased since (a chunk rewritten to the fill value).
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e),
            })
    }
}

impl WritableStorageTraits for TempStore {
    fn set(
        &self,
        key: &StoreKey,
        value: zarrs::storage::Bytes,
    ) -> std::result::Result<(), StorageError> {
        let path = self.path(key.as_str());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &value)?;
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path);
        Ok(())
    }

    fn set_partial_many(
        &self,
        _: &StoreKey,
        _: OffsetBytesIterator,
    ) -> std::result::Result<(), StorageError> {
        // Whole chunks and shards only: chunkwise never writes part of one.
        Err(StorageError::Other(
            "partial writes are not supported".into(),
        ))
    }

    fn erase(&self, key: &StoreKey) -> std::result::Result<(), StorageError> {
        match std::fs::remove_file(self.path(key.as_str())) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> std::result::Result<(), StorageError> {
        match std::fs::remove_dir_all(self.path(prefix.as_str())) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

/// Writes an array into a pending Zarr store, one store chunk (or shard) per task.
struct ZarrSink<T: Element> {
    /// The array, regridded to the store's chunks (or shards).
    expr: Arc<dyn Expr<T>>,
    array: Array<TempStore>,
    store: Arc<TempStore>,
    pending: Pending,
    path: PathBuf,
    /// The shape of a store chunk (or shard).
    unit: Vec<usize>,
    fill_value: T,
    overwrite: bool,
    durable: bool,
    /// Zstd's level and checksum flag when chunks are the plain chain ([`is_plain_zstd`]) and
    /// unsharded: then a whole chunk is made a piece at a time and streamed into its file.
    zstd: Option<(i32, bool)>,
    /// Chunk buffers between tasks (at most one per worker), freed with the sink.
    spare: SharedPool,
}

impl<T: Element> ZarrSink<T> {
    /// Encodes and writes the store chunk whose in-array region is `region`.
    fn write(&self, region: &[Range<usize>], values: &[T]) -> Result<()> {
        let indices = grid_indices(region, &self.unit);
        // Edge chunks are stored whole: the part outside the array holds the fill value.
        let ext: Vec<usize> = region.iter().map(|r| r.len()).collect();
        let data: Cow<[T]> = if ext == self.unit {
            Cow::Borrowed(values)
        } else {
            let mut whole = vec![self.fill_value; self.unit.iter().product()];
            let inner: Vec<Range<usize>> = ext.iter().map(|&n| 0..n).collect();
            // SAFETY: `whole` has the extents `unit`, which contain `inner`; no one else holds
            // it.
            unsafe { crate::kernels::scatter(values, whole.as_mut_ptr(), &self.unit, &inner) };
            Cow::Owned(whole)
        };
        self.array
            .store_chunk_opt(
                &indices,
                ArrayBytes::new_flen(Cow::Borrowed(bytes(&data))),
                &task_codec_options(),
            )
            .map_err(|e| io_error("to_zarr", &self.path, format!("chunk {indices:?}: {e}")))?;
        crate::events::count_written(std::mem::size_of_val(values));
        Ok(())
    }

    /// Writes the whole store chunk `chunk` as one zstd frame (content size in its header, as
    /// zarr-python's and zarrs's frames, checksum as asked), its values made a tile at a time
    /// in C order and fed to the encoder, which writes its output as it goes: a worker holds a
    /// tile and zstd's state, never the chunk or its encoded bytes. A chunk that is all fill
    /// value is not kept, as zarrs and zarr-python leave it out.
    fn write_zstd(
        &self,
        cx: &mut TaskCx<'_>,
        chunk: &[Range<usize>],
        level: i32,
        checksum: bool,
    ) -> Result<()> {
        use std::io::Write;
        let indices = grid_indices(chunk, &self.unit);
        let file = self.store.path(self.array.chunk_key(&indices).as_str());
        let fail =
            |e: std::io::Error| io_error("to_zarr", &self.path, format!("chunk {indices:?}: {e}"));
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        // Edge chunks are stored whole, the fill value around the array's part.
        let whole: Vec<Range<usize>> = chunk
            .iter()
            .zip(&self.unit)
            .map(|(r, &u)| r.start..r.start.saturating_add(u))
            .collect();
        let len = crate::chunks::checked_len("to_zarr", &self.unit)?;
        let frame_bytes = len
            .checked_mul(T::DTYPE.size())
            .ok_or_else(|| Error::TooLarge {
                op: "to_zarr".into(),
                shape: self.unit.clone(),
                reason: "a store chunk's bytes overflow usize".into(),
            })?;
        let mut enc =
            zstd::stream::write::Encoder::new(std::fs::File::create(&file).map_err(fail)?, level)
                .map_err(fail)?;
        enc.include_checksum(checksum).map_err(fail)?;
        enc.set_pledged_src_size(Some(frame_bytes as u64))
            .map_err(fail)?;
        let fill = self.fill_value;
        let fill_bytes = bytes(std::slice::from_ref(&fill));
        let mut all_fill = true;
        let mut piece = cx.take::<T>(TILE_LEN.min(len.max(1)));
        let r = crate::region::for_each_tile(&whole, piece.len(), |t| {
            let vals = &mut piece[..region_len(t)];
            let inside: Region = t
                .iter()
                .zip(chunk)
                .map(|(t, c)| t.start..t.end.min(c.end).max(t.start))
                .collect();
            if inside.as_slice() == t {
                pull(cx, &*self.expr, t, vals)?;
            } else {
                vals.fill(fill);
                if region_len(&inside) > 0 {
                    let mut part = cx.take::<T>(region_len(&inside));
                    let r = pull(cx, &*self.expr, &inside, &mut part);
                    if r.is_ok() {
                        let ext: Vec<usize> = t.iter().map(|r| r.len()).collect();
                        let local: Region = inside
                            .iter()
                            .zip(t)
                            .map(|(i, t)| i.start - t.start..i.end - t.start)
                            .collect();
                        // SAFETY: `vals` has the extents `ext`, which contain `local`; this
                        // task alone holds it.
                        unsafe { crate::kernels::scatter(&part, vals.as_mut_ptr(), &ext, &local) };
                    }
                    cx.give(part);
                    r?;
                }
            }
            all_fill = all_fill
                && bytes(vals)
                    .chunks_exact(fill_bytes.len())
                    .all(|v| v == fill_bytes);
            enc.write_all(bytes(vals)).map_err(fail)
        });
        cx.give(piece);
        r?;
        drop(enc.finish().map_err(fail)?);
        if all_fill {
            std::fs::remove_file(&file).map_err(fail)?;
        } else {
            self.store
                .written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(file);
        }
        crate::events::count_written(region_len(chunk) * T::DTYPE.size());
        Ok(())
    }
}

impl<T: Element> Sink for ZarrSink<T> {
    fn worker_bytes(&self) -> u64 {
        let tile = (TILE_LEN * T::DTYPE.size()) as u64;
        match self.zstd {
            // SAFETY: a pure function of the level, which zstd clamps to its range.
            Some((level, _)) => tile.saturating_add(unsafe {
                zstd::zstd_safe::zstd_sys::ZSTD_estimateCStreamSize(level)
            } as u64),
            // The chunk (whole, with the fill value at the edges) and zarrs's encoding of it.
            None => self.unit.iter().fold(2 * T::DTYPE.size() as u64, |a, &n| {
                a.saturating_mul(n as u64)
            }),
        }
    }

    fn write_chunk(&self, cx: &mut TaskCx<'_>, chunk: &[Range<usize>]) -> Result<()> {
        if let Some((level, checksum)) = self.zstd {
            return self.write_zstd(cx, chunk, level, checksum);
        }
        let mut values = self.spare.take_vec::<T>();
        let r = pull_whole_into(cx, &*self.expr, chunk, &mut values)
            .and_then(|()| self.write(chunk, &values));
        self.spare.give_vec(values);
        r
    }

    fn write_value(&self, value: &(dyn Any + Send + Sync)) -> Result<()> {
        // A staged reduction's (small) result: written from memory.
        let arr = value
            .downcast_ref::<ndarray::ArrayD<T>>()
            .expect("a step's value has its node's type")
            .as_standard_layout();
        let data = arr.as_slice().expect("standard layout");
        let m = self.expr.meta();
        for k in 0..m.chunks.num_chunks() {
            let region = m.chunks.chunk(k);
            let mut values = vec![T::ZERO; region_len(&region)];
            gather(data, &m.shape, &region, &mut values);
            self.write(&region, &values)?;
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        if self.durable {
            self.store
                .sync()
                .map_err(|e| io_error("to_zarr", &self.path, e))?;
        }
        self.pending.commit("to_zarr", self.overwrite)
    }
}
