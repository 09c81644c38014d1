//! Reads every `np_*.npy` and `zp_*.zarr` in a folder with chunkwise (odd chunks, so reads
//! cross rows, chunks and store chunks) and writes it back as `rt_*.npy` / `rt_*.zarr` (a Zarr
//! written with the default options, and `rt_*_sharded.zarr` with shards): the Rust half of
//! `.ci/npy_check.py` and `.ci/zarr_check.py`, which have NumPy and zarr-python write the
//! originals and check the copies.
//!
//!     cargo run --release --example copy_files -- DIR
use std::path::Path;

use chunkwise::io::zarr::ZarrOptions;
use chunkwise::{ChunkedArray, Config, DType, Element};

fn copy<T: Element>(from: &Path, to: &Path) -> Result<(), chunkwise::Error> {
    let zarr = from.extension().is_some_and(|e| e == "zarr");
    let x: ChunkedArray<T> = if zarr {
        chunkwise::from_zarr(from)?
    } else {
        chunkwise::from_npy(from)?
    };
    let odd: Vec<i64> = x.shape().iter().map(|&n| (n as i64 / 2).max(1)).collect();
    let x = x.rechunk(odd.clone())?;
    if !zarr {
        return x.to_npy(to);
    }
    x.to_zarr(to)?;
    let chunks: Vec<usize> = odd.iter().map(|&n| n as usize).collect();
    let shards: Vec<usize> = chunks.iter().map(|&n| 2 * n).collect();
    let sharded = to.with_file_name(format!(
        "{}_sharded.zarr",
        to.file_stem().expect("a name").to_string_lossy()
    ));
    let opts = ZarrOptions::new().chunks(chunks).shards(shards);
    x.to_zarr_with(sharded, &opts, &Config::default())
}

fn dtype(path: &Path) -> Result<DType, chunkwise::Error> {
    if path.extension().is_some_and(|e| e == "zarr") {
        Ok(chunkwise::zarr_info(path)?.dtype)
    } else {
        Ok(chunkwise::npy_info(path)?.dtype)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: copy_files DIR")?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))? {
        let p = entry?.path();
        if p.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            n.starts_with("np_") || n.starts_with("zp_")
        }) {
            names.push(p);
        }
    }
    names.sort();
    for from in &names {
        let name = from.file_name().unwrap_or_default().to_string_lossy();
        let to = from.with_file_name(format!("rt_{}", &name[3..]));
        match dtype(from)? {
            DType::F64 => copy::<f64>(from, &to)?,
            DType::F32 => copy::<f32>(from, &to)?,
            DType::I64 => copy::<i64>(from, &to)?,
            DType::I32 => copy::<i32>(from, &to)?,
            DType::U64 => copy::<u64>(from, &to)?,
            DType::U32 => copy::<u32>(from, &to)?,
            DType::I16 => copy::<i16>(from, &to)?,
            DType::I8 => copy::<i8>(from, &to)?,
            DType::U16 => copy::<u16>(from, &to)?,
            DType::U8 => copy::<u8>(from, &to)?,
            DType::Bool => copy::<bool>(from, &to)?,
        }
    }
    println!("chunkwise copied {} files and stores", names.len());
    Ok(())
}
