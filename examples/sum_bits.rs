//! The same bits at any chunking: the random normal sum of N values (1e7 by default) under
//! chunkings 1000, 4097, 65537 and N, on 1 to 3 workers, with its error against the exact sum
//! (big-integer arithmetic, nothing rounded) beside the error of NumPy's pairwise summation of
//! the same values.
//!
//!     cargo run --release --example sum_bits -- --n 1e7
//!
//! Prints one `sum:` line per chunking and worker count (value and bit pattern), then
//! `distinct_bits:` (1 when every run agrees), `error_chunkwise:` and `error_numpy_pairwise:`.
//! With `--out DIR` it also writes the values to `DIR/normal.f64` (raw little-endian), so that
//! NumPy itself can be asked: `np.fromfile("DIR/normal.f64").sum()`.
mod common;
#[path = "../tests/common/exact.rs"]
mod exact;

use chunkwise::prelude::*;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(10_000_000, "sum_bits [--n N] [--seed S] [--out DIR]");
    let x = chunkwise::random::default_rng(args.seed).normal(0.0, 1.0, [args.n]);
    let mut bits = std::collections::BTreeSet::new();
    let mut value = 0.0;
    for chunk in [1000, 4097, 65537, args.n.max(1)] {
        for workers in 1..=3 {
            let cfg = Config::default().workers(workers);
            value = x.rechunk(chunk)?.sum().item_with(&cfg)?;
            bits.insert(value.to_bits());
            println!(
                "sum: chunk {chunk:>8} workers {workers}: {value:+.17e} bits {:016x}",
                value.to_bits()
            );
        }
    }
    let values = x.compute()?.into_raw_vec_and_offset().0;
    if std::env::args().any(|a| a == "--out") {
        common::make_dir(&args.out, "sum_bits")?;
        let path = args.out.join("normal.f64");
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&path, bytes).map_err(|e| chunkwise::Error::Io {
            op: "sum_bits".into(),
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        println!("values: {}", path.display());
    }
    let exact_sum = exact::exact_sum(&values);
    let numpy = exact::numpy_pairwise(&values);
    println!("distinct_bits: {}", bits.len());
    println!("numpy_pairwise: {numpy:+.17e}");
    println!(
        "error_chunkwise: {:.3e}",
        exact::error_f64(value, &exact_sum)
    );
    println!(
        "error_numpy_pairwise: {:.3e}",
        exact::error_f64(numpy, &exact_sum)
    );
    println!(
        "chunkwise_at_least_as_accurate: {}",
        exact::error(value, &exact_sum) <= exact::error(numpy, &exact_sum)
    );
    if bits.len() != 1 {
        return Err(chunkwise::Error::InvalidParameter {
            op: "sum_bits".into(),
            param: "chunks".into(),
            value: format!("{} bit patterns", bits.len()),
            reason: "the sum differs between chunkings or worker counts".into(),
        });
    }
    Ok(())
}
