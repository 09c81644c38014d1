//! The same bits at any chunking: every float reduction, over all elements, one axis or several,
//! gives bit-identical results for every chunking and every number of workers; float sums are at
//! least as accurate as NumPy's pairwise summation against the exact sum.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]

use crate::common;

use chunkwise::prelude::*;
use common::exact::{error, error_f64, exact_sum, numpy_pairwise};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

/// Every float reduction of `x` over `axes` (with `keepdims`), as flat bit patterns, or the
/// error of a min or max over no values.
fn reductions(
    x: &ChunkedArray<f64>,
    axes: &[isize],
    keepdims: bool,
    cfg: &Config,
) -> Vec<Result<Vec<u64>, String>> {
    let bits = |a: ChunkedArray<f64>| -> Result<Vec<u64>, String> {
        match a.compute_with(cfg) {
            Ok(v) => Ok(v.iter().map(|v| v.to_bits()).collect()),
            // Min and max of no values (an empty shape): NumPy's ValueError, alike at every
            // chunking.
            Err(e @ chunkwise::Error::EmptyReduction { .. }) => Err(e.to_string()),
            Err(e) => panic!("{e}"),
        }
    };
    // Products of values near 1 stay finite and keep every rounding visible.
    let near_one = &(x * 1e-3) + 1.0;
    vec![
        bits(x.sum_axes(axes, keepdims).unwrap()),
        bits(near_one.prod_axes(axes, keepdims).unwrap()),
        bits(x.mean_axes(axes, keepdims).unwrap()),
        bits(x.var_axes(axes, keepdims).unwrap()),
        bits(x.std_axes(axes, keepdims).unwrap()),
        bits(x.min_axes(axes, keepdims).unwrap()),
        bits(x.max_axes(axes, keepdims).unwrap()),
        bits(x.sum()),
        bits(x.mean()),
        bits(x.var()),
    ]
}

/// A chunking of `n`: a regular block size, or a random irregular split.
fn axis_chunks(n: usize) -> impl Strategy<Value = Vec<usize>> {
    let regular = (1..=n.max(1)).prop_map(move |s| {
        let mut v = vec![s; n / s];
        if !n.is_multiple_of(s) {
            v.push(n % s);
        }
        if n == 0 {
            v = vec![0];
        }
        v
    });
    let cuts = proptest::collection::vec(0..=n, 0..6).prop_map(move |mut c| {
        c.push(0);
        c.push(n);
        c.sort_unstable();
        c.dedup();
        let v: Vec<usize> = c.windows(2).map(|w| w[1] - w[0]).collect();
        if v.is_empty() {
            vec![0]
        } else {
            v
        }
    });
    prop_oneof![regular, cuts]
}

/// Shapes from 1 to 3 axes, some past a leaf of 2048 positions so several leaves combine, and
/// some whose leaves make a grid of two axes (rows longer than a leaf, a middle axis cut into
/// slabs) with counts that are not powers of two, so the tree of leaf codes has gaps.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        (0usize..9000).prop_map(|n| vec![n]),
        (1usize..80, 1usize..120).prop_map(|(a, b)| vec![a, b]),
        (1usize..12, 1usize..30, 1usize..40).prop_map(|(a, b, c)| vec![a, b, c]),
        (2usize..7, 2049usize..7000).prop_map(|(a, b)| vec![a, b]),
        (2usize..4, 3usize..9, 300usize..1100).prop_map(|(a, b, c)| vec![a, b, c]),
    ]
}

/// Shape, chunks, axes, keepdims, workers, seed.
type Case = (Vec<usize>, Vec<Vec<usize>>, Vec<isize>, bool, usize, u64);

fn case() -> impl Strategy<Value = Case> {
    shape().prop_flat_map(|s| {
        let chunks: Vec<_> = s.iter().map(|&n| axis_chunks(n)).collect();
        let nd = s.len();
        let axes = proptest::sample::subsequence((0..nd as isize).collect::<Vec<_>>(), 1..=nd);
        (
            Just(s),
            chunks,
            axes,
            any::<bool>(),
            1usize..=3,
            any::<u64>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Random chunkings of random shapes, random axes and worker counts: every reduction has
    /// the bits of the one-chunk, one-worker result. Random sources and in-memory arrays (read
    /// in place) both.
    #[test]
    fn float_reductions_are_bit_identical_for_every_chunking(
        (shape, chunks, axes, keepdims, workers, seed) in case()
    ) {
        let x = chunkwise::random::default_rng(seed).normal(0.0, 1.0, shape.clone());
        let one = Config::default().workers(1);
        let whole = reductions(&x.rechunk(-1).unwrap(), &axes, keepdims, &one);
        let cfg = Config::default().workers(workers);
        let chunked = x.rechunk(chunks.clone()).unwrap();
        prop_assert_eq!(&reductions(&chunked, &axes, keepdims, &cfg), &whole, "random source, chunks {:?}", chunks);
        let held = chunkwise::from_array(x.compute().unwrap(), chunks.clone()).unwrap();
        prop_assert_eq!(&reductions(&held, &axes, keepdims, &cfg), &whole, "from_array, chunks {:?}", chunks);
    }
}

/// The figure: the random normal sum of 1e7 values under chunkings 1000, 4097, 65537
/// and 1e7 on 1 to 3 workers gives the same bits, no farther from the exact sum than NumPy's.
#[test]
fn normal_sum_of_1e7_has_one_value_and_beats_numpy_pairwise() {
    let n = 10_000_000;
    let x = chunkwise::random::default_rng(2024).normal(0.0, 1.0, [n]);
    let mut seen = Vec::new();
    for chunk in [1000, 4097, 65537, n] {
        for workers in 1..=3 {
            let s = x
                .rechunk(chunk)
                .unwrap()
                .sum()
                .item_with(&Config::default().workers(workers))
                .unwrap();
            seen.push((chunk, workers, s.to_bits()));
        }
    }
    assert!(
        seen.iter().all(|&(_, _, b)| b == seen[0].2),
        "bits differ: {seen:?}"
    );
    let ours = f64::from_bits(seen[0].2);
    let values = x.compute().unwrap().into_raw_vec_and_offset().0;
    let exact = exact_sum(&values);
    let numpy = numpy_pairwise(&values);
    println!(
        "normal sum of 1e7: {ours:e}, error {:.3e}; NumPy pairwise {numpy:e}, error {:.3e}",
        error_f64(ours, &exact),
        error_f64(numpy, &exact)
    );
    assert!(error(ours, &exact) <= error(numpy, &exact));
}

/// Ill-conditioned sums: mixed magnitudes and signs (integers times powers of two from 2^-20 to
/// 2^73, as in the issue), and heavy cancellation. The error against the exact sum is at most
/// NumPy's for every chunking (and within an ulp where the sum does not cancel to the noise;
/// the compensated sum's bound is about eps * |sum| + n * eps^2 * sum(|x|)).
#[test]
fn ill_conditioned_sums_are_as_accurate_as_numpy_or_better() {
    let n = 3_000_000;
    // A small LCG: the data only needs to be fixed and varied.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 11
    };
    let mixed: Vec<f64> = (0..n)
        .map(|_| {
            let int = (next() % (1 << 20)) as f64 - (1 << 19) as f64;
            let exp = (next() % 94) as i32 - 20;
            int * 2f64.powi(exp)
        })
        .collect();
    // Large values first, their negatives (each nudged by a small amount) later in reverse
    // order: the partial sums grow to 1e30 and the true sum is what the nudges leave.
    let bigs: Vec<f64> = (0..n / 2)
        .map(|i| (next() % (1 << 40)) as f64 * 2f64.powi(30 + (i % 20)))
        .collect();
    let mut cancel = bigs.clone();
    cancel.extend(
        bigs.iter()
            .rev()
            .map(|&b| -b + (next() % 1000) as f64 * 1e-3),
    );
    for (name, values) in [("mixed magnitudes", mixed), ("cancellation", cancel)] {
        let exact = exact_sum(&values);
        let numpy = numpy_pairwise(&values);
        let arr = ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.clone()).unwrap();
        let mut first = None;
        for chunk in [values.len(), 1_000_003, 4097, 1000] {
            let s = chunkwise::from_array(arr.clone(), chunk)
                .unwrap()
                .sum()
                .item()
                .unwrap();
            let b = *first.get_or_insert(s.to_bits());
            assert_eq!(s.to_bits(), b, "{name}: chunk {chunk}");
        }
        let ours = f64::from_bits(first.unwrap());
        println!(
            "{name}: exact error of ours {:.3e}, of NumPy's pairwise {:.3e}",
            error_f64(ours, &exact),
            error_f64(numpy, &exact)
        );
        assert!(
            error(ours, &exact) <= error(numpy, &exact),
            "{name}: ours {ours:e} is farther from the exact sum than NumPy's {numpy:e}"
        );
        if name == "mixed magnitudes" {
            // Without cancellation down to the noise, within one unit in the last place.
            let ulp = f64::from_bits(ours.abs().to_bits() + 1) - ours.abs();
            assert!(
                error_f64(ours, &exact) <= ulp,
                "{name}: more than an ulp off"
            );
        }
    }
}

/// Axis reductions (whose folds run along strided rows) keep their bits across chunkings of
/// both axes, on a shape with many leaves.
#[test]
fn axis_sums_over_many_leaves_are_chunk_invariant() {
    let x = chunkwise::random::default_rng(5).normal(3.0, 2.0, [3000, 700]);
    let base: Vec<ArrayD<f64>> = (0..2)
        .map(|a| {
            x.rechunk(-1)
                .unwrap()
                .sum_axis(a)
                .unwrap()
                .compute()
                .unwrap()
        })
        .collect();
    for chunks in [[1, 700], [7, 13], [3000, 1], [1024, 512], [999, 700]] {
        let c = x.rechunk(chunks).unwrap();
        for (a, want) in base.iter().enumerate() {
            let got = c.sum_axis(a as isize).unwrap().compute().unwrap();
            let same = got
                .iter()
                .zip(want)
                .all(|(g, w)| g.to_bits() == w.to_bits());
            assert!(same, "sum_axis({a}) with chunks {chunks:?}");
        }
    }
}
