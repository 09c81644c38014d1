//! Bounded memory: the headline workloads at N = 1e8 peak within a few MiB of the same program
//! at N = 1e6. Each run is a fresh child process (this test binary re-executed with an
//! environment variable), so its VmHWM belongs to that workload alone.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use chunkwise::prelude::*;
use std::process::Command;

const CHILD: &str = "CHUNKWISE_MEMORY_CHILD";

fn run_child(workload: &str, n: usize) -> (u64, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "memory_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{workload}:{n}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "child failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // libtest prints "test memory_child ... " on the same line before the child's output.
    let at = stdout.find("VMHWM=").expect("child prints VMHWM");
    let line = stdout[at..].lines().next().unwrap();
    let mut parts = line["VMHWM=".len()..].split(' ');
    let hwm = parts.next().unwrap().parse().unwrap();
    (hwm, parts.next().unwrap_or("").to_string())
}

/// The mean of each cell of a 2-d block with a halo of one and its four neighbours' (the
/// block's interior).
fn four_neighbour_mean(b: ndarray::ArrayViewD<'_, f64>) -> ndarray::ArrayD<f64> {
    let (h, w) = (b.shape()[0], b.shape()[1]);
    ndarray::Array2::from_shape_fn((h - 2, w - 2), |(i, j)| {
        (b[[i, j + 1]] + b[[i + 1, j]] + b[[i + 1, j + 1]] + b[[i + 2, j + 1]]) / 4.0
    })
    .into_dyn()
}

fn projected_of(workload: &str, n: usize) -> u64 {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "memory_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{workload}:{n}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let at = stdout.find("PROJECTED=").expect("child prints PROJECTED");
    stdout[at + "PROJECTED=".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Cubed's check (`test_mem_utilization.py`): what a compute really adds to the process's peak
/// stays within what its plan projected, for fused reductions, stages with a transpose cache,
/// and a result held whole. The growth is measured against a tiny run of the same program, so
/// the binary, the pool's threads and the allocator's arenas cancel out; 2 MiB of slack covers
/// allocator rounding.
#[test]
fn measured_memory_stays_within_the_projection() {
    if chunkwise::diagnostics::peak_rss_bytes().is_none() {
        eprintln!("no /proc/self/status here: skipping");
        return;
    }
    let mut cases = vec![
        ("sum", 1_000, 50_000_000),
        ("pi", 1_000, 20_000_000),
        ("docs", 20, 3_000),
        ("materialize", 10, 3_000),
        ("matmul", 16, 2_000),
        ("overlap", 16, 2_000),
        ("quantile", 1_000, 20_000_000),
    ];
    if cfg!(feature = "zarr") {
        cases.push(("zarr", 1_000, 20_000_000));
    }
    for (workload, small, large) in cases {
        let (base, _) = run_child(workload, small);
        let (peak, _) = run_child(workload, large);
        let projected = projected_of(workload, large);
        let grew = peak.saturating_sub(base);
        eprintln!(
            "{workload}: grew {:.2} MiB, projected {:.2} MiB",
            grew as f64 / 1048576.0,
            projected as f64 / 1048576.0
        );
        assert!(
            grew <= projected + (2 << 20),
            "{workload}: grew {grew} B, projected {projected} B"
        );
    }
}

/// Runs only when re-executed by `memory_is_bounded_by_tiles_not_by_n`.
#[test]
fn memory_child() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let (workload, n) = spec.split_once(':').unwrap();
    let n: usize = n.parse().unwrap();
    let (result, projected) = match workload {
        "sum" => {
            let s = chunkwise::arange(n).sum();
            (
                s.item().unwrap().to_string(),
                s.plan().unwrap().memory.total,
            )
        }
        "pi" => {
            let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
            let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
            let c = inside.item().unwrap();
            (
                (4.0 * c as f64 / n as f64).to_string(),
                inside.plan().unwrap().memory.total,
            )
        }
        "docs" => {
            // n is the side of the square; chunks of n/10.
            let x = chunkwise::random::default_rng(0)
                .random([n, n])
                .rechunk([n / 10, n / 10])
                .unwrap();
            let y = (&x + &x.t() - x.mean_axis(0).unwrap()).sum();
            (
                y.item().unwrap().to_string(),
                y.plan().unwrap().memory.total,
            )
        }
        "materialize" => {
            // An elementwise result held whole: n x n f64.
            let x = chunkwise::random::default_rng(0).random([n, n]);
            let y = (&x * 2.0).sqrt();
            let a = y.compute().unwrap();
            (a.len().to_string(), y.plan().unwrap().memory.total)
        }
        "matmul" => {
            // A contraction of two n x n operands (32 MB each at n = 2000) under a memory limit
            // below one of them: a row of output blocks and one block of each input per worker.
            let rng = || chunkwise::random::default_rng(0);
            let c = (n / 8).max(1);
            let a = rng().random([n, n]).rechunk([c, c]).unwrap();
            let b = rng().random([n, n]).rechunk([c, c]).unwrap();
            let s = chunkwise::matmul(&a, &b).unwrap().sum();
            let cfg = Config::default().memory_limit(24 << 20);
            (
                s.item_with(&cfg).unwrap().to_string(),
                s.plan().unwrap().memory.total,
            )
        }
        "overlap" => {
            // A 3x3 mean filter by map_overlap over an n x n array (32 MB at n = 2000) under a
            // memory limit below it: blocks with their halos, never the array.
            let c = (n / 8).max(1);
            let x = chunkwise::random::default_rng(0)
                .random([n, n])
                .rechunk([c, c])
                .unwrap();
            let f = x
                .map_overlap(&[1, 1], chunkwise::Boundary::Reflect, |b| {
                    let (h, w) = (b.shape()[0], b.shape()[1]);
                    ndarray::Array2::from_shape_fn((h - 2, w - 2), |(i, j)| {
                        let mut t = 0.0;
                        for di in 0..3 {
                            for dj in 0..3 {
                                t += b[[i + di, j + dj]];
                            }
                        }
                        t / 9.0
                    })
                    .into_dyn()
                })
                .unwrap()
                .sum();
            let cfg = Config::default().memory_limit(24 << 20);
            (
                f.item_with(&cfg).unwrap().to_string(),
                f.plan().unwrap().memory.total,
            )
        }
        "wide_transpose" | "wide_transpose_normal" | "wide_overlap" | "cells_overlap" => {
            // An n x n array in 20 x 20 blocks (2 MB each at n = 10000), summed through a
            // transpose or a 3x3 mean filter on 2 workers: a reduction task folds a box of
            // about a block, so a worker keeps a few blocks, not a row of 20. Uniform values
            // are drawn by position, so their transpose draws each tile's values transposed
            // and keeps nothing; normal values are drawn a block of 1024 positions at a time,
            // so theirs transposes whole blocks.
            //
            // `cells_overlap`: an (n/20 x n) array through the same filter (at n = 40000, a row
            // of 20 blocks of 2000 x 2000, 32 MB each). The chunks are the cells of the
            // canonical tree (2000 is 40000 cut evenly into pieces of at most 2048), so each
            // reduction task folds one block: a worker makes a block's input with its halo and
            // the filtered block, folds it and lets both go.
            let c = (n / 20).max(1);
            let rows = if workload == "cells_overlap" { c } else { n };
            let mut rng = chunkwise::random::default_rng(0);
            let x = if workload == "wide_transpose_normal" {
                rng.standard_normal([rows, n])
            } else {
                rng.random([rows, n])
            }
            .rechunk([c, c])
            .unwrap();
            let y = if workload.starts_with("wide_transpose") {
                (&x.t() * 2.0).sum()
            } else {
                x.map_overlap(&[1, 1], chunkwise::Boundary::Reflect, four_neighbour_mean)
                    .unwrap()
                    .sum()
            };
            let cfg = Config::default().workers(2);
            (
                y.item_with(&cfg).unwrap().to_string(),
                y.plan().unwrap().memory.total,
            )
        }
        "wide_contraction" => {
            // `(n/10 x n/2) @ (n/2 x n)` in blocks of n/20 (2 MB each at n = 10000), summed on
            // 2 workers: 20 output blocks per row, and 10 blocks of `a` per row, more than a
            // worker keeps. A reduction task folds a box of about a block, so a worker keeps a
            // few output blocks and one block of each operand, not a row of each.
            let c = (n / 20).max(1);
            let rng = || chunkwise::random::default_rng(0);
            let a = rng().random([n / 10, n / 2]).rechunk([c, c]).unwrap();
            let b = rng().random([n / 2, n]).rechunk([c, c]).unwrap();
            let y = chunkwise::matmul(&a, &b).unwrap().sum();
            let cfg = Config::default().workers(2);
            (
                y.item_with(&cfg).unwrap().to_string(),
                y.plan().unwrap().memory.total,
            )
        }
        "quantile" => {
            // The exact median of n normals (160 MB at n = 2e7) under a memory limit of a
            // fifth of that: counting passes, never the values.
            let x = chunkwise::random::default_rng(0)
                .standard_normal(vec![n])
                .rechunk(1 << 20)
                .unwrap();
            let q = x.quantile(0.5).unwrap();
            let cfg = Config::default().memory_limit(32 << 20);
            (
                q.item_with(&cfg).unwrap().to_string(),
                q.plan().unwrap().memory.total,
            )
        }
        "npy" => {
            // Written chunk by chunk to a file, then read back region by region: neither
            // holds the file's n values.
            let path =
                std::env::temp_dir().join(format!("chunkwise-mem-{}.npy", std::process::id()));
            chunkwise::arange(n).cast::<f64>().to_npy(&path).unwrap();
            let m = chunkwise::from_npy::<f64>(&path).unwrap().mean();
            let r = (
                m.item().unwrap().to_string(),
                m.plan().unwrap().memory.total,
            );
            std::fs::remove_file(&path).unwrap();
            r
        }
        #[cfg(feature = "zarr")]
        "zarr" => {
            // Written to a Zarr store (bytes + zstd) in two chunks of half the array (80 MB each
            // at n = 2e7) under a memory limit of a fifth of one: the chunks are streamed
            // through zstd a tile at a time, never held. The limit is what the plan was
            // accepted under.
            let path =
                std::env::temp_dir().join(format!("chunkwise-mem-{}.zarr", std::process::id()));
            let x = chunkwise::random::default_rng(0)
                .random([n])
                .rechunk(n.div_ceil(2))
                .unwrap();
            let limit = 16 << 20;
            x.to_zarr_with(
                &path,
                &chunkwise::io::zarr::ZarrOptions::default(),
                &Config::default().memory_limit(limit),
            )
            .unwrap();
            std::fs::remove_dir_all(&path).unwrap();
            (n.to_string(), limit)
        }
        other => panic!("unknown workload {other}"),
    };
    println!(
        "VMHWM={} {result} PROJECTED={projected}",
        chunkwise::diagnostics::peak_rss_bytes().unwrap()
    );
}

/// What `workload` at size `n` adds to the process's peak over a run at 200, in bytes and in
/// blocks of `block` bytes, and its plan's projection (printed too).
fn growth_in_blocks(workload: &str, n: usize, block: usize) -> (u64, f64, u64) {
    let (base, _) = run_child(workload, 200);
    let (peak, _) = run_child(workload, n);
    let projected = projected_of(workload, n);
    let grew = peak.saturating_sub(base);
    let blocks = grew as f64 / block as f64;
    eprintln!(
        "{workload}: grew {:.2} MiB ({blocks:.1} blocks), projected {:.2} MiB",
        grew as f64 / 1048576.0,
        projected as f64 / 1048576.0
    );
    (grew, blocks, projected)
}

/// Issue 22: a transpose, a `map_overlap` and a contraction over an array with 20 blocks per
/// row, summed, keep a few blocks per worker (the reduction's tasks fold compact boxes of the
/// canonical tree), where a row of leaves kept a row of 20 blocks per worker (44 blocks on 2
/// workers, with the block being made and its input; the contraction's tasks covered whole
/// rows and each worker kept the row of 10 blocks of `a`: 35 blocks measured): the measured
/// growth on 2 workers stays within 20 blocks in all (of 2 MB: 6 kept per worker, and those
/// being made; 17 for the contraction), and within the plan's projection.
#[test]
fn twenty_blocks_per_row_keep_a_few_blocks_per_worker() {
    if chunkwise::diagnostics::peak_rss_bytes().is_none() {
        eprintln!("no /proc/self/status here: skipping");
        return;
    }
    let (n, block) = (10_000usize, 500usize * 500 * 8);
    for workload in [
        "wide_transpose",
        "wide_transpose_normal",
        "wide_overlap",
        "wide_contraction",
    ] {
        let (grew, blocks, projected) = growth_in_blocks(workload, n, block);
        assert!(
            blocks <= 20.0,
            "{workload}: grew {grew} B, {blocks:.1} blocks"
        );
        if workload == "wide_transpose" {
            // Drawn transposed by position: tiles only, nothing kept (measured 0.0 blocks).
            assert!(
                blocks <= 1.0,
                "{workload}: grew {grew} B, {blocks:.1} blocks of 2 MB, drawn transposed"
            );
        }
        assert!(
            grew <= projected + (2 << 20),
            "{workload}: grew {grew} B, projected {projected} B"
        );
    }
}

/// A stencil over a row of 20 blocks of 32 MB whose chunks are the canonical tree's cells:
/// each block is folded by one task, which makes it and lets it go, so each of the two
/// workers holds about three blocks, whatever the number of blocks per row, among them the
/// buffer it pulls each block's input with its halo into (kept for the next block,
/// `graph/blockwise.rs`) and the filtered block. Measured: 6.0 blocks, where it was 4.0-5.0
/// when each input was allocated afresh and given back to the OS when let go (to be faulted in
/// again for the next). The bound leaves one block for the allocator. With boxes that crossed
/// four blocks, the 20000² stencil of `examples/stencil` held 13-14.
#[test]
fn blocks_of_whole_cells_keep_three_blocks_per_worker() {
    if chunkwise::diagnostics::peak_rss_bytes().is_none() {
        eprintln!("no /proc/self/status here: skipping");
        return;
    }
    let (n, block) = (40_000usize, 2000usize * 2000 * 8);
    let (grew, blocks, projected) = growth_in_blocks("cells_overlap", n, block);
    assert!(blocks <= 7.0, "grew {grew} B, {blocks:.1} blocks of 32 MB");
    assert!(
        grew <= projected + (2 << 20),
        "grew {grew} B, projected {projected} B"
    );
    // The plan counts what the reduction's tasks keep: 6 blocks per worker (a tile's read
    // spans at most 4; `PassBlocks::kept`), with the input and the result, 16 in all
    // (measured 16.03 blocks of 32 MB); a row per worker would be 44.
    let projected_blocks = projected as f64 / block as f64;
    assert!(
        projected_blocks <= 17.0,
        "projected {projected} B, {projected_blocks:.1} blocks of 32 MB"
    );
}

#[test]
fn memory_is_bounded_by_tiles_not_by_n() {
    if chunkwise::diagnostics::peak_rss_bytes().is_none() {
        eprintln!("no /proc/self/status here: skipping the VmHWM comparison");
        return;
    }
    // The npy workload writes and reads a 240 MB file, 60 times its 4 MiB chunk.
    for (workload, large) in [
        ("sum", 100_000_000),
        ("pi", 100_000_000),
        ("npy", 30_000_000),
    ] {
        let (small, _) = run_child(workload, 1_000_000);
        let (peak, result) = run_child(workload, large);
        let grew = peak.saturating_sub(small) as f64 / (1 << 20) as f64;
        eprintln!("{workload}: VmHWM {small} B at 1e6, {peak} B at {large} (+{grew:.2} MiB), result {result}");
        // 1e8 f64 would be 800 MB materialized; the fused plan needs a few tiles per worker.
        assert!(
            grew < 4.0,
            "{workload}: peak grew by {grew:.2} MiB from 1e6 to {large}"
        );
        match workload {
            "pi" => {
                let pi: f64 = result.parse().unwrap();
                assert!((pi - std::f64::consts::PI).abs() < 1e-3, "{pi}");
            }
            "sum" => assert_eq!(result, (100_000_000i64 * 99_999_999 / 2).to_string()),
            _ => assert_eq!(result.parse::<f64>().unwrap(), (large - 1) as f64 / 2.0),
        }
    }
}

#[test]
fn fused_plans_project_tile_sized_memory() {
    let pts = chunkwise::random::default_rng(0).uniform(-1.0, 1.0, [2, 1_000_000_000]);
    let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
    let plan = inside.plan().unwrap();
    assert_eq!(plan.stages().len(), 1, "{plan}");
    let stage = &plan.stages()[0];
    assert_eq!(
        stage.fused,
        vec![
            "uniform(-1, 1)",
            "square",
            "sum(axis=[0])",
            "lt 1",
            "count_nonzero"
        ],
        "{plan}"
    );
    assert!(plan.output().is_none());
    // Workers x five tile buffers plus a few partials: well under a MiB per worker.
    assert!(
        plan.memory.total < plan.workers as u64 * (1 << 20),
        "{plan}"
    );
    // The same plan with a memory limit below it is refused.
    let cfg = Config::default().memory_limit(1024);
    assert!(matches!(
        inside.item_with(&cfg),
        Err(chunkwise::Error::MemoryLimit { .. })
    ));
}

#[test]
fn building_allocates_nothing_of_size_n() {
    // 10^18 elements: building, planning and explaining must not touch them.
    let x = chunkwise::random::default_rng(1).random([1_000_000_000, 1_000_000_000]);
    let y = (&x * 2.0 + 1.0).sqrt().sum_axis(1).unwrap();
    assert_eq!(y.shape(), &[1_000_000_000]);
    assert!(y.explain().unwrap().contains("projected peak memory"));
}
