//! Same seed, same bits: whatever the chunking and the number of workers.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use chunkwise::prelude::*;

fn with_workers<T: Element>(x: &ChunkedArray<T>, w: usize) -> ndarray::ArrayD<T> {
    x.compute_with(&Config::default().workers(w)).unwrap()
}

#[test]
fn random_sources_are_chunking_invariant() {
    let shape = [3, 2500];
    let reference_u = chunkwise::random::default_rng(11)
        .uniform(-2.0, 5.0, shape)
        .rechunk(-1)
        .unwrap()
        .compute()
        .unwrap();
    let reference_n = {
        let mut g = chunkwise::random::default_rng(11);
        let _ = g.uniform(-2.0, 5.0, shape);
        g.normal(1.0, 3.0, shape)
            .rechunk(-1)
            .unwrap()
            .compute()
            .unwrap()
    };
    let chunkings: Vec<Vec<i64>> = vec![
        vec![1, 1],
        vec![1, 1000],
        vec![2, 777],
        vec![3, 1024],
        vec![3, 2500],
        vec![1, 2499],
    ];
    for c in chunkings {
        let mut g = chunkwise::random::default_rng(11);
        let u = g.uniform(-2.0, 5.0, shape).rechunk(c.clone()).unwrap();
        let n = g.normal(1.0, 3.0, shape).rechunk(c.clone()).unwrap();
        assert_eq!(
            u.compute().unwrap(),
            reference_u,
            "uniform with chunks {c:?}"
        );
        assert_eq!(
            n.compute().unwrap(),
            reference_n,
            "normal with chunks {c:?}"
        );
    }
    // Different draws and different seeds differ.
    assert_ne!(reference_u.mapv(|v| v.to_bits()), {
        chunkwise::random::default_rng(12)
            .uniform(-2.0, 5.0, shape)
            .compute()
            .unwrap()
            .mapv(|v| v.to_bits())
    });
}

#[test]
fn random_values_have_the_right_distribution() {
    let n = 1_000_000;
    let mut g = chunkwise::random::default_rng(5);
    let u = g.random(n);
    let mean = u.mean().item().unwrap();
    let var = u.var().item().unwrap();
    assert!((mean - 0.5).abs() < 3e-3, "{mean}");
    assert!((var - 1.0 / 12.0).abs() < 2e-3, "{var}");
    assert!(u.ge(0.0).all().item().unwrap() && u.lt(1.0).all().item().unwrap());
    let z = g.standard_normal(n);
    assert!(z.mean().item().unwrap().abs() < 5e-3);
    assert!((z.std().item().unwrap() - 1.0).abs() < 5e-3);
    let y = g.normal(10.0, 2.0, n);
    assert!((y.mean().item().unwrap() - 10.0).abs() < 1e-2);
}

#[test]
fn results_are_bit_identical_for_1_to_4_workers() {
    let x = chunkwise::random::default_rng(3)
        .standard_normal([4, 300_000])
        .rechunk([1, 50_000])
        .unwrap();
    let exprs: Vec<ChunkedArray<f64>> = vec![
        x.sum(),
        x.sum_axis(0).unwrap(),
        x.sum_axis(1).unwrap(),
        x.mean(),
        x.var_axis(1).unwrap(),
        x.square().sum_axis(0).unwrap().sqrt().max(),
    ];
    for e in &exprs {
        let one = with_workers(e, 1).mapv(f64::to_bits);
        for w in 2..=4 {
            assert_eq!(
                with_workers(e, w).mapv(f64::to_bits),
                one,
                "{e:?} with {w} workers"
            );
        }
    }
    let pts = chunkwise::random::default_rng(42)
        .uniform(-1.0, 1.0, [2, 1_000_000])
        .rechunk([2, 65_536])
        .unwrap();
    let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
    let counts: Vec<u64> = (1..=4)
        .map(|w| inside.item_with(&Config::default().workers(w)).unwrap())
        .collect();
    assert!(counts.windows(2).all(|p| p[0] == p[1]), "{counts:?}");
    // The same count whatever the chunking (an integer count is exact).
    for c in [1000, 4096, 333_333, 1_000_000] {
        let p = chunkwise::random::default_rng(42)
            .uniform(-1.0, 1.0, [2, 1_000_000])
            .rechunk([2, c])
            .unwrap();
        assert_eq!(
            p.square()
                .sum_axis(0)
                .unwrap()
                .lt(1.0)
                .count_nonzero()
                .item()
                .unwrap(),
            counts[0],
            "chunk {c}"
        );
    }
}

#[test]
fn integer_sums_are_chunking_and_worker_invariant() {
    let n = 10_000_019;
    let want = (n as i64) * (n as i64 - 1) / 2;
    for c in [1usize, 7, 1000, 65_536, n] {
        if c == 1 {
            // One-element chunks: 10^7 tasks is slow in a test; check a shorter range instead.
            let s = chunkwise::arange(5000)
                .rechunk(1)
                .unwrap()
                .sum()
                .item()
                .unwrap();
            assert_eq!(s, 5000 * 4999 / 2);
            continue;
        }
        let x = chunkwise::arange(n).rechunk(c).unwrap().sum();
        for w in [1, 3] {
            assert_eq!(
                x.item_with(&Config::default().workers(w)).unwrap(),
                want,
                "chunk {c} workers {w}"
            );
        }
    }
}

#[test]
fn compute_runs_on_the_callers_pool() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let x = chunkwise::arange(1000).rechunk(10).unwrap();
    let plan = pool.install(|| x.sum().plan().unwrap());
    assert_eq!(plan.workers, 3);
    let s = pool.install(|| x.sum().item().unwrap());
    assert_eq!(s, 499_500);
}
