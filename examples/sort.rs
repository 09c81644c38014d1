//! Sorting along an axis, against NumPy's `np.sort` on the same values: `N` uniform `f64`
//! along their only axis (one lane, sorted by every worker), and the last axis of a
//! `side x side` array (many lanes, one block of whole lanes per worker). The values are
//! computed into memory first and held by `from_array`, so only the sort is timed, as
//! `np.sort(x)` of an array in memory. `benches/sort_numpy.py` times NumPy on the same shapes.
//!
//!     cargo run --release --example sort -- --n 1e8 --side 1e4
//!
//! Prints `key: value` lines per case: `seconds:` (median of `--repeats`; the sort is always
//! stable, and as fast as it gets: a radix sort), `argsort_seconds:` and
//! `peak_rss_mib:` (VmHWM: the whole run). With `--check`, each result is compared with the
//! standard library's sort of the same values (`correct:`).
mod common;

use chunkwise::ndarray::{ArrayD, Axis};

fn sorted_reference(x: &ArrayD<f64>) -> ArrayD<f64> {
    let mut out = x.clone();
    for mut lane in out.lanes_mut(Axis(x.ndim() - 1)) {
        let mut v = lane.to_vec();
        v.sort_by(f64::total_cmp);
        lane.iter_mut().zip(v).for_each(|(o, v)| *o = v);
    }
    out
}

fn case(name: &str, shape: Vec<usize>, args: &common::Args, check: bool) -> chunkwise::Result<()> {
    let chunk = args.chunk.unwrap_or(1 << 22);
    let values = chunkwise::random::default_rng(args.seed)
        .random(shape.clone())
        .compute()?;
    // Chunks of about `chunk` values: along the only axis, or whole rows.
    let chunks: Vec<usize> = match shape[..] {
        [n] => vec![chunk.min(n).max(1)],
        [_, cols] => vec![(chunk / cols.max(1)).max(1), cols.max(1)],
        _ => shape.clone(),
    };
    let x = chunkwise::from_array(values, chunks)?;
    let line = |label: &str, f: &(dyn Fn() -> chunkwise::Result<ArrayD<f64>> + Sync)| {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..args.repeats {
            let (r, s) = common::timed(args.workers, f);
            last = Some(r?);
            times.push(s);
        }
        times.sort_by(f64::total_cmp);
        println!("{label}: {:.6}", times[times.len() / 2]);
        Ok::<_, chunkwise::Error>(last.expect("at least one repeat"))
    };
    println!("case: {name}");
    println!("shape: {shape:?}");
    println!("workers: {}", common::workers_used(args.workers));
    let sorted = line("seconds", &|| x.sort_axis(-1, false)?.compute())?;
    let positions = line("argsort_seconds", &|| {
        Ok(x.argsort_axis(-1, false)?.compute()?.mapv(|p| p as f64))
    })?;
    if check {
        let want = sorted_reference(&x.compute()?);
        let ok = sorted == want;
        // The positions sort the values: gathering them gives the sorted lanes.
        let values = x.compute()?;
        let mut gathered = values.clone();
        for ((mut g, p), v) in gathered
            .lanes_mut(Axis(values.ndim() - 1))
            .into_iter()
            .zip(positions.lanes(Axis(values.ndim() - 1)))
            .zip(values.lanes(Axis(values.ndim() - 1)))
        {
            g.iter_mut().zip(p).for_each(|(g, &p)| *g = v[p as usize]);
        }
        println!("correct: {}", ok && gathered == want);
    }
    Ok(())
}

fn main() -> chunkwise::Result<()> {
    let args = common::parse(
        100_000_000,
        "usage: sort [--n N] [--side S] [--chunk C] [--workers W] [--repeats R] [--seed S] [--check]",
    );
    let check = std::env::args().any(|a| a == "--check");
    case("one axis", vec![args.n], &args, check)?;
    case("last axis", vec![args.side, args.side], &args, check)?;
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    Ok(())
}
