//! A 3x3 mean filter by `map_overlap` on an n x n random array, summed: each 2000 x 2000 chunk
//! is given with one cell of its neighbours on every side (`Boundary::Reflect`), and the filter
//! returns the chunk. `--variant blocks` runs `map_blocks(|b| b / 9)` on the same array instead,
//! the memory yardstick. `../shared/peers/ops_peers.py --cases stencil_dask,stencil_dask_map_blocks
//! --stencil-n N` times Dask on the same work.
//!
//!     cargo run --release --example stencil -- --n 20000
//!     cargo run --release --example stencil -- --n 20000 --variant blocks
//!
//! Prints `key: value` lines: `result:`, `seconds:` (the compute only, median of `--repeats`),
//! `projected_mib:` and `peak_rss_mib:`; `--explain` prints the plan first (the blocks a worker
//! keeps, the projection).
mod common;

use chunkwise::Boundary;
use ndarray::{Array2, ArrayD, ArrayViewD, Ix2};

/// The 3x3 mean of every interior cell of `b` (a chunk with a halo of one).
fn mean3x3(b: ArrayViewD<'_, f64>) -> ArrayD<f64> {
    let b = b.into_dimensionality::<Ix2>().expect("2-d blocks");
    let (rows, cols) = (b.nrows() - 2, b.ncols() - 2);
    let mut out = Array2::<f64>::zeros((rows, cols));
    for (i, mut o) in out.rows_mut().into_iter().enumerate() {
        let o = o.as_slice_mut().expect("a fresh array is contiguous");
        for di in 0..3 {
            let r = b.row(i + di);
            let r = r.as_slice().expect("blocks are C order");
            for (j, v) in o.iter_mut().enumerate() {
                *v += r[j] + r[j + 1] + r[j + 2];
            }
        }
        o.iter_mut().for_each(|v| *v /= 9.0);
    }
    out.into_dyn()
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        4000,
        "usage: stencil [--n SIDE] [--chunk C] [--workers W] [--repeats R] [--variant overlap|blocks]",
    );
    let n = args.n;
    let c = args.chunk.unwrap_or(2000).min(n.max(1));
    let x = chunkwise::random::default_rng(0)
        .random([n, n])
        .rechunk([c, c])?;
    let variant = args.variant.as_deref().unwrap_or("overlap");
    let y = match variant {
        "overlap" => x.map_overlap(&[1, 1], Boundary::Reflect, mean3x3)?.sum(),
        "blocks" => x.map_blocks(|b| b.mapv(|v| v / 9.0)).sum(),
        other => {
            eprintln!("unknown variant {other} (overlap, blocks)");
            std::process::exit(2);
        }
    };
    let projected = y.plan()?.memory.total;
    if args.explain {
        println!("{}", y.explain()?);
    }
    let mut times = Vec::new();
    let mut result = 0.0;
    for _ in 0..args.repeats {
        let (r, s) = common::timed(args.workers, || y.item());
        result = r?;
        times.push(s);
    }
    times.sort_by(f64::total_cmp);
    println!("workload: stencil_{variant}");
    println!("n: {n}");
    println!("chunk: {c}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("result: {result}");
    println!("seconds: {:.6}", times[times.len() / 2]);
    println!("projected_mib: {:.1}", projected as f64 / 1048576.0);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
