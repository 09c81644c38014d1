//! Reads every `np_*.npy` in a folder with chunkwise (odd chunks, so reads cross rows and
//! chunks) and writes it back as `rt_*.npy`: the Rust half of `.ci/npy_check.py`, which has
//! NumPy write the originals and check the copies.
//!
//!     cargo run --release --example npy_copy -- DIR
use std::path::Path;

use chunkwise::{DType, Element};

fn copy<T: Element>(from: &Path, to: &Path) -> Result<(), chunkwise::Error> {
    let x = chunkwise::from_npy::<T>(from)?;
    let odd: Vec<i64> = x.shape().iter().map(|&n| (n as i64 / 2).max(1)).collect();
    x.rechunk(odd)?.to_npy(to)
}

fn main() -> Result<(), chunkwise::Error> {
    let dir = std::env::args().nth(1).expect("usage: npy_copy DIR");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("a folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("np_"))
        })
        .collect();
    names.sort();
    for from in &names {
        let name = from.file_name().expect("a file").to_string_lossy();
        let to = from.with_file_name(format!("rt_{}", &name[3..]));
        match chunkwise::npy_info(from)?.dtype {
            DType::F64 => copy::<f64>(from, &to)?,
            DType::F32 => copy::<f32>(from, &to)?,
            DType::I64 => copy::<i64>(from, &to)?,
            DType::I32 => copy::<i32>(from, &to)?,
            DType::U64 => copy::<u64>(from, &to)?,
            DType::U32 => copy::<u32>(from, &to)?,
            DType::U8 => copy::<u8>(from, &to)?,
            DType::Bool => copy::<bool>(from, &to)?,
        }
    }
    println!("chunkwise copied {} files", names.len());
    Ok(())
}
