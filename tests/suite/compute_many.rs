//! Several arrays in one compute: the same bits as computing each alone, shared steps run once,
//! and staged reductions of one input share one pass over it. Also the one-pass variance's
//! accuracy where the naive formula fails.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]

use std::sync::atomic::Ordering;

use chunkwise::ndarray::Axis;
use chunkwise::prelude::*;

use crate::common;

fn bits(a: &chunkwise::ndarray::ArrayD<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn results_are_those_of_computing_each_alone() {
    let x = chunkwise::random::default_rng(4)
        .normal(1.0, 3.0, [300, 50])
        .rechunk([64, 16])
        .unwrap();
    let arrays = [
        x.mean(),
        x.std(),
        x.var_axis(0).unwrap(),
        x.sum_axis(1).unwrap(),
        &x * 2.0,
        x.mean(),
        x.max(),
    ];
    let refs: Vec<&ChunkedArray<f64>> = arrays.iter().collect();
    for workers in [1, 2, 3] {
        let cfg = Config::default().workers(workers);
        let got = chunkwise::compute_many_with(&refs, &cfg).unwrap();
        assert_eq!(got.len(), arrays.len());
        for (g, a) in got.iter().zip(&arrays) {
            assert_eq!(bits(g), bits(&a.compute().unwrap()), "{workers} workers");
        }
    }
    assert!(chunkwise::compute_many::<f64>(&[]).unwrap().is_empty());
    // The plan: the sums and variances of `x` over all axes share one pass.
    let plan = chunkwise::plan_many(&[&x.mean(), &x.std(), &x.sum()]).unwrap();
    assert_eq!(plan.stages().len(), 3);
    assert_eq!(
        plan.stages()
            .iter()
            .map(|s| s.shares_pass_with)
            .collect::<Vec<_>>(),
        [None, Some(0), Some(0)]
    );
    assert!(
        plan.to_string().contains("shares the pass of stage 1"),
        "{plan}"
    );
    // Its tasks hold a box of the input (an input chunk), which the projection counts.
    let alone = chunkwise::plan_many(&[&x.mean()]).unwrap();
    assert!(
        plan.memory.tiles >= alone.memory.tiles + 64 * 16 * 8,
        "{} vs {}",
        plan.memory.tiles,
        alone.memory.tiles
    );
}

#[test]
fn stages_of_one_input_read_it_once() {
    // The input counts its evaluations: a map_blocks closure runs once per chunk per read.
    let (x, calls) = common::counted(
        chunkwise::random::default_rng(7)
            .random([1 << 20])
            .rechunk(1 << 17)
            .unwrap(),
    );
    // A memory limit whose budget for shared nodes (a quarter) is below the input's 8 MiB, so
    // the input is not held whole: each stage would read it again. Chunks of 2^17 are one
    // task's leaf group each, so a pass evaluates each chunk once.
    let cfg = Config::default().workers(2).memory_limit(24 << 20);
    let (mean, std) = (x.mean(), x.std());
    let both = chunkwise::compute_many_with(&[&mean, &std], &cfg).unwrap();
    assert_eq!(
        calls.load(Ordering::Relaxed),
        8,
        "one read per chunk for both"
    );
    calls.store(0, Ordering::Relaxed);
    let alone = [
        mean.compute_with(&cfg).unwrap(),
        std.compute_with(&cfg).unwrap(),
    ];
    assert_eq!(
        calls.load(Ordering::Relaxed),
        16,
        "one read per chunk per compute"
    );
    assert_eq!(bits(&both[0]), bits(&alone[0]));
    assert_eq!(bits(&both[1]), bits(&alone[1]));
}

/// The reference: two passes over the data shifted by its first value, so that every
/// difference of values close to each other is exact (ndarray's streaming `var` loses about
/// 1e-8 here).
fn shifted_var(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let x0 = xs.clone().next().unwrap();
    let n = xs.clone().count() as f64;
    let mean = xs.clone().map(|x| x - x0).sum::<f64>() / n;
    xs.map(|x| (x - x0 - mean).powi(2)).sum::<f64>() / n
}

#[test]
fn one_pass_variance_is_accurate_far_from_zero() {
    // Mean 1e9, spread 1: E[x^2] - E[x]^2 in f64 would lose every digit.
    let x = chunkwise::random::default_rng(2)
        .normal(1e9, 1.0, [200_000])
        .rechunk(30_000)
        .unwrap();
    let a = x.compute().unwrap();
    let want = shifted_var(a.iter().copied());
    for y in [x.clone(), x.rechunk(7_000).unwrap()] {
        let got = y.var().item().unwrap();
        assert!(((got - want) / want).abs() < 1e-12, "{got} vs {want}");
    }
    // Along an axis whose values are columns (the sequential column fold).
    let m = x.reshape([2_000, 100]).unwrap();
    let got = m.var_axis(0).unwrap().compute().unwrap();
    let mc = m.compute().unwrap();
    let want: Vec<f64> = mc
        .axis_iter(Axis(1))
        .map(|col| shifted_var(col.iter().copied()))
        .collect();
    for (g, w) in got.iter().zip(&want) {
        assert!(((g - w) / w).abs() < 1e-12, "{g} vs {w}");
    }
}
