//! The fused kernels, one worker, through the public API: each bench is one pass over tiles,
//! so elements per second is the kernel's throughput plus the engine's per-tile overhead.
//! Chunk size is varied for the sum to show the per-chunk scheduling cost (with canonical
//! leaves of 2048 positions, chunks smaller than that are merged into one task per leaf).
use chunkwise::prelude::*;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const N: usize = 4_000_000;

fn kernels(c: &mut Criterion) {
    let one = Config::default().workers(1);
    let data = chunkwise::random::default_rng(1)
        .standard_normal(N)
        .compute()
        .unwrap();
    let x = chunkwise::from_array(data, 1 << 18).unwrap();
    let mut g = c.benchmark_group("kernels");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);
    g.bench_function("random_fill_sum", |b| {
        b.iter(|| {
            chunkwise::random::default_rng(2)
                .random(N)
                .sum()
                .item_with(&one)
                .unwrap()
        })
    });
    g.bench_function("normal_fill_sum", |b| {
        b.iter(|| {
            chunkwise::random::default_rng(2)
                .standard_normal(N)
                .sum()
                .item_with(&one)
                .unwrap()
        })
    });
    // Read in place, compensated, chunk-invariant.
    g.bench_function("in_memory_sum_f64", |b| {
        b.iter(|| x.sum().item_with(&one).unwrap())
    });
    // Axis sums: the last axis (rows through the run kernel) and the first (column folds).
    let m = x
        .reshape([2000, 2000])
        .unwrap()
        .rechunk([250, 2000])
        .unwrap();
    g.bench_function("sum_axis1_f64", |b| {
        b.iter(|| {
            m.sum_with(1, chunkwise::ReduceOptions::default())
                .unwrap()
                .compute_with(&one)
                .unwrap()
        })
    });
    g.bench_function("sum_axis0_f64", |b| {
        b.iter(|| {
            m.sum_with(0, chunkwise::ReduceOptions::default())
                .unwrap()
                .compute_with(&one)
                .unwrap()
        })
    });
    g.bench_function("fused_square_add_sqrt_sum", |b| {
        b.iter(|| ((x.square() + 1.0).sqrt()).sum().item_with(&one).unwrap())
    });
    g.bench_function("fused_compare_count", |b| {
        b.iter(|| x.lt(0.5).count_nonzero().item_with(&one).unwrap())
    });
    g.bench_function("binary_broadcast_sum", |b| {
        let y = chunkwise::from_array(ndarray::arr1(&[2.0f64]), 1).unwrap();
        b.iter(|| (&x * &y).sum().item_with(&one).unwrap())
    });
    // A file read region by region (page cache warm after the first iteration).
    let npy = std::env::temp_dir().join(format!("chunkwise-bench-{}.npy", std::process::id()));
    x.to_npy(&npy).unwrap();
    let from_file = chunkwise::from_npy::<f64>(&npy).unwrap();
    g.bench_function("npy_read_sum_f64", |b| {
        b.iter(|| from_file.sum().item_with(&one).unwrap())
    });
    g.bench_function("materialize_elementwise", |b| {
        b.iter(|| (&x * 2.0).compute_with(&one).unwrap())
    });
    for chunk in [4096usize, 65_536, 1 << 20] {
        g.bench_with_input(
            BenchmarkId::new("arange_sum_by_chunk", chunk),
            &chunk,
            |b, &chunk| {
                b.iter(|| {
                    chunkwise::arange(N)
                        .rechunk(chunk)
                        .unwrap()
                        .sum()
                        .item_with(&one)
                        .unwrap()
                })
            },
        );
    }
    g.finish();
    let _ = std::fs::remove_file(&npy);
}

criterion_group!(benches, kernels);
criterion_main!(benches);
