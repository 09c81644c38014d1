//! The exact median of `N` standard normals (`random.default_rng(seed).standard_normal(N)`,
//! chunks of 2^22 as in the Dask peer): `x.quantile(0.5)`, a radix selection in a few passes
//! over values that are never held. `../shared/peers/ops_peers.py --cases
//! quantile_numpy,quantile_dask --quantile-n N` times `np.quantile` and Dask's approximate
//! `da.percentile` on the same work.
//!
//!     cargo run --release --example quantile -- --n 1e8
//!
//! Prints `key: value` lines: `result:`, `seconds:` (median of `--repeats`) and
//! `peak_rss_mib:`. With `--check`, also the same quantiles from the values computed whole and
//! partially sorted (`expected:`, `correct:`); with `--write PATH`, the values go to a `.npy`
//! file, the quantiles `q`, `0.01`, `0.9` are printed as `quantiles:` and the median as
//! `median:`, for NumPy to check (`.ci/quantile_check.py`).
mod common;

/// NumPy's `quantile(v, q)` (method `linear`) by selecting the two ranks from the values.
fn reference(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    let v = (n - 1) as f64 * q;
    let (lo, hi) = if v >= (n - 1) as f64 {
        (n - 1, n - 1)
    } else {
        (v.floor() as usize, v.floor() as usize + 1)
    };
    let a = *values.select_nth_unstable_by(lo, f64::total_cmp).1;
    let b = *values.select_nth_unstable_by(hi, f64::total_cmp).1;
    let (t, d) = (v - v.floor(), b - a);
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        100_000_000,
        "usage: quantile [--n N] [--chunk C] [--workers W] [--repeats R] [--seed S] [--explain] [--check] [--write PATH]",
    );
    let check = std::env::args().any(|a| a == "--check");
    let n = args.n;
    let q = 0.5;
    let x = chunkwise::random::default_rng(args.seed).standard_normal(vec![n]);
    let x = x.rechunk(args.chunk.unwrap_or(1 << 22).min(n.max(1)))?;
    let median = x.quantile(q)?;
    if args.explain {
        println!("{}", median.explain()?);
    }
    let mut times = Vec::new();
    let mut result = f64::NAN;
    for _ in 0..args.repeats {
        let (r, s) = common::timed(args.workers, || median.item());
        result = r?;
        times.push(s);
    }
    times.sort_by(f64::total_cmp);
    println!("workload: quantile_normal");
    println!("n: {n}");
    println!("workers: {}", common::workers_used(args.workers));
    println!("q: {q}");
    println!("result: {result:?}");
    println!("seconds: {:.6}", times[times.len() / 2]);
    println!(
        "peak_rss_mib: {:.1}",
        chunkwise::diagnostics::peak_rss_mib()
    );
    if check {
        let mut values = x.compute()?.into_raw_vec_and_offset().0;
        let expected = reference(&mut values, q);
        println!("expected: {expected:?}");
        println!("correct: {}", expected.to_bits() == result.to_bits());
    }
    if let Some(path) = &args.write {
        x.to_npy(path)?;
        let qs = x.quantiles(&[q, 0.01, 0.9])?.compute()?;
        let shown: Vec<String> = qs.iter().map(|v| format!("{v:?}")).collect();
        println!("quantiles: {}", shown.join(" "));
        println!("median: {:?}", x.median()?.item()?);
    }
    Ok(())
}
