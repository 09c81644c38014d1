//! The two headline workloads at N = 1e7: `arange(N).sum()` and the pi estimate, on the global
//! pool (all cores) and on one worker.
use chunkwise::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const N: usize = 10_000_000;

fn headline(c: &mut Criterion) {
    let mut g = c.benchmark_group("headline");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);
    for workers in [1usize, 2] {
        let cfg = Config::default().workers(workers);
        g.bench_function(format!("arange_sum_1e7/workers={workers}"), |b| {
            b.iter(|| chunkwise::arange(N).sum().item_with(&cfg).unwrap())
        });
        g.bench_function(format!("pi_1e7/workers={workers}"), |b| {
            b.iter(|| {
                let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, N]);
                pts.square()
                    .sum_with(0, chunkwise::ReduceOptions::default())
                    .unwrap()
                    .lt(1.0)
                    .count_nonzero()
                    .item_with(&cfg)
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, headline);
criterion_main!(benches);
