//! Quantiles, medians, histograms and top-k against eager references (a full sort, NumPy's
//! formulas) over the shared shapes and chunkings, for every numeric type, through the
//! selection's counting and collecting paths, with worker invariance and the errors.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::ArrayD;

/// NumPy's sort order: by value, NaN last.
fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    // total_cmp puts negative NaNs first; NumPy puts every NaN last.
    let (nan, mut rest): (Vec<f64>, Vec<f64>) = s.into_iter().partition(|x| x.is_nan());
    rest.extend(nan);
    rest
}

/// `np.quantile(v, q)` (method `linear`) on values sorted as NumPy sorts them.
fn quantile_ref(s: &[f64], q: f64) -> f64 {
    if s.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let n = s.len();
    let v = (n - 1) as f64 * q;
    let (lo, hi) = if v >= (n - 1) as f64 {
        (n - 1, n - 1)
    } else {
        (v.floor() as usize, v.floor() as usize + 1)
    };
    let t = v - v.floor();
    let (a, b) = (s[lo], s[hi]);
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// `np.median(v)`.
fn median_ref(s: &[f64]) -> f64 {
    if s.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

const QS: [f64; 7] = [0.0, 0.1, 0.25, 0.5, 0.7, 0.999, 1.0];

#[test]
fn quantiles_and_medians_every_shape_and_chunking() {
    for shape in shapes() {
        if shape.contains(&0) {
            continue;
        }
        let a = data_f64(&shape);
        let s = sorted(a.as_slice().unwrap());
        let ai = data_i64(&shape);
        let si = sorted(&ai.iter().map(|&v| v as f64).collect::<Vec<_>>());
        for chunks in chunkings(&shape) {
            let what = format!("{shape:?} {chunks:?}");
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let got = x.quantiles(&QS).unwrap().compute().unwrap();
            for (i, &q) in QS.iter().enumerate() {
                assert!(same(got[i], quantile_ref(&s, q)), "q {q} {what}");
            }
            let q = x.quantile(0.3).unwrap().item().unwrap();
            assert!(same(q, quantile_ref(&s, 0.3)), "quantile {what}");
            let m = x.median().unwrap().item().unwrap();
            assert!(same(m, median_ref(&s)), "median {what}");
            let p = x.percentile(42.0).unwrap().item().unwrap();
            assert!(same(p, quantile_ref(&s, 0.42)), "percentile {what}");
            let xi = chunkwise::from_array(ai.clone(), chunks.clone()).unwrap();
            let got = xi.quantiles(&QS).unwrap().compute().unwrap();
            for (i, &q) in QS.iter().enumerate() {
                assert!(same(got[i], quantile_ref(&si, q)), "int q {q} {what}");
            }
            let m = xi.median().unwrap().item().unwrap();
            assert!(same(m, median_ref(&si)), "int median {what}");
        }
    }
}

#[test]
fn quantiles_of_every_numeric_type() {
    fn check<T: chunkwise::Numeric + chunkwise::CastTo<f64>>(x: ChunkedArray<T>) {
        let vals = x.cast::<f64>().compute().unwrap();
        let s = sorted(vals.as_slice().unwrap());
        let got = x.quantiles(&QS).unwrap().compute().unwrap();
        for (i, &q) in QS.iter().enumerate() {
            let want = quantile_ref(&s, q);
            assert!(
                same(got[i], want),
                "{} q {q}: {} vs {want}",
                T::DTYPE,
                got[i]
            );
        }
        let m = x.median().unwrap().item().unwrap();
        assert!(same(m, median_ref(&s)), "{} median", T::DTYPE);
    }
    let idx = |n: usize| chunkwise::arange(n).rechunk(7).unwrap();
    let n = 301;
    check(
        chunkwise::random::default_rng(3)
            .normal(0.0, 1e6, vec![n])
            .rechunk(13)
            .unwrap(),
    );
    check(idx(n).cast::<f32>() * -0.37f32);
    check((idx(n) * 7919i64) % 1000i64 - 500i64);
    check(chunkwise::full([n], i64::MIN).rechunk(5).unwrap());
    check(((idx(n) * 31i64) % 101i64).cast::<i32>() - 50i32);
    check((idx(n) * 1_000_003i64).cast::<u64>() * 3_000_000_000_000u64);
    check(((idx(n) * 17i64) % 256i64).cast::<u8>());
    check(((idx(n) * 13i64) % 200i64).cast::<i8>() - 100i8);
    check(idx(n).cast::<i16>() * -3i16);
    check(idx(n).cast::<u16>() * 257u16);
    check(idx(n).cast::<u32>() * 14_000_000u32);
}

#[test]
fn nan_makes_quantiles_nan_and_nanquantile_skips_it() {
    let mut a = data_f64(&[203]);
    for i in [0, 50, 202] {
        a[[i]] = f64::NAN;
    }
    a[[7]] = -f64::NAN;
    let s = sorted(a.as_slice().unwrap());
    let clean: Vec<f64> = s.iter().copied().filter(|v| !v.is_nan()).collect();
    let x = chunkwise::from_array(a.clone(), 10).unwrap();
    assert!(x.quantile(0.5).unwrap().item().unwrap().is_nan());
    assert!(x.median().unwrap().item().unwrap().is_nan());
    for q in QS {
        let got = x.nanquantile(q).unwrap().item().unwrap();
        assert!(same(got, quantile_ref(&clean, q)), "nanquantile {q}");
    }
    assert!(same(
        x.nanmedian().unwrap().item().unwrap(),
        median_ref(&clean)
    ));
    assert!(same(
        x.nanpercentile(30.0).unwrap().item().unwrap(),
        quantile_ref(&clean, 0.3)
    ));
    let all = chunkwise::full([9], f64::NAN).rechunk(2).unwrap();
    assert!(all.nanquantile(0.5).unwrap().item().unwrap().is_nan());
    assert!(all.nanmedian().unwrap().item().unwrap().is_nan());
}

#[test]
fn selections_that_count_past_the_collecting_size_and_stay_exact() {
    // 5e6 values in one top digit (all within [1, 1.005)): the second pass counts the next
    // digit instead of collecting, the third collects.
    let n = 5_000_000usize;
    let x = chunkwise::arange(n).cast::<f64>() * 1e-9 + 1.0;
    let x = x.rechunk(1 << 20).unwrap();
    let vals = x.compute().unwrap();
    let s = vals.as_slice().unwrap(); // ascending already
    for q in [0.0, 0.3, 0.5, 0.77777, 1.0] {
        let got = x.quantile(q).unwrap().item().unwrap();
        assert!(same(got, quantile_ref(s, q)), "q {q}");
    }
    assert!(same(x.median().unwrap().item().unwrap(), median_ref(s)));
    // 99 percentiles of 5e6 values spread over [1, 2): the 16 top-digit prefixes they fall in
    // hold more than the pass may collect, so it collects some and counts the others.
    let u = (chunkwise::arange(n).cast::<f64>() / n as f64 + 1.0)
        .rechunk(1 << 20)
        .unwrap();
    let uv = u.compute().unwrap();
    let qs: Vec<f64> = (1..100).map(|p| p as f64 / 100.0).collect();
    let got = u.quantiles(&qs).unwrap().compute().unwrap();
    for (g, &q) in got.iter().zip(&qs) {
        assert!(same(*g, quantile_ref(uv.as_slice().unwrap(), q)), "q {q}");
    }
    // One value repeated: every pass counts.
    let c = chunkwise::full([n], 1.5f64).rechunk(1 << 20).unwrap();
    assert_eq!(c.quantile(0.9).unwrap().item().unwrap(), 1.5);
    // i64 values that differ only in their low bits.
    let i = chunkwise::arange(n).rechunk(1 << 20).unwrap() * -3i64;
    assert_eq!(
        i.quantile(0.25).unwrap().item().unwrap(),
        quantile_ref(
            &(0..n).rev().map(|v| -3.0 * v as f64).collect::<Vec<_>>(),
            0.25
        )
    );
}

#[test]
fn selections_are_the_same_for_any_workers_and_show_their_passes() {
    let x = chunkwise::random::default_rng(9).standard_normal(vec![200_000]);
    let x = x.rechunk(7_000).unwrap();
    let q = x.quantiles(&[0.01, 0.5, 0.9]).unwrap();
    let one = q.compute_with(&Config::default().workers(1)).unwrap();
    for w in [2, 3] {
        let got = q.compute_with(&Config::default().workers(w)).unwrap();
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{w} workers"
        );
    }
    let plan = q.explain().unwrap();
    for s in 1..=4 {
        assert!(
            plan.contains(&format!("select pass {s}/4")),
            "pass {s} in {plan}"
        );
    }
    let h = x.histogram(10, (-3.0, 3.0)).unwrap().0;
    let one = h.compute_with(&Config::default().workers(1)).unwrap();
    assert_eq!(h.compute_with(&Config::default().workers(2)).unwrap(), one);
    let t = x.argtopk(-50).unwrap();
    let one = t.compute_with(&Config::default().workers(1)).unwrap();
    assert_eq!(t.compute_with(&Config::default().workers(3)).unwrap(), one);
}

/// The bin of `x` by `np.histogram`'s documented rule: `[e_i, e_{i+1})`, the last closed.
fn bin_ref(x: f64, edges: &[f64]) -> Option<usize> {
    let bins = edges.len() - 1;
    if !(x >= edges[0] && x <= edges[bins]) {
        return None;
    }
    let i = edges
        .partition_point(|&e| e <= x)
        .min(bins)
        .saturating_sub(1);
    Some(i.min(bins - 1))
}

/// `np.histogram`'s counts.
fn histogram_ref(v: &[f64], edges: &[f64]) -> Vec<i64> {
    let mut c = vec![0i64; edges.len() - 1];
    for &x in v {
        if let Some(i) = bin_ref(x, edges) {
            c[i] += 1;
        }
    }
    c
}

/// `np.histogram`'s sums of weights, added in order (exact for the weights the tests draw:
/// multiples of 1/8 far below 2^50).
fn weighted_ref(v: &[f64], w: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; edges.len() - 1];
    for (&x, &w) in v.iter().zip(w) {
        if let Some(i) = bin_ref(x, edges) {
            c[i] += w;
        }
    }
    c
}

#[test]
fn weighted_histograms_every_shape_and_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        // Weights that sum exactly in any order: multiples of 1/8, some negative.
        let wa = a.mapv(|v| (v * 1000.0).round() / 8.0);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let w = chunkwise::from_array(wa.clone(), chunks.clone()).unwrap();
            let (v, wv) = (a.as_slice().unwrap(), wa.as_slice().unwrap());
            for (bins, range) in [(1, (-6.0, 6.0)), (7, (-2.0, 3.5))] {
                let (c, e) = x.histogram_weighted(&w, bins, range).unwrap();
                let e = e.compute().unwrap();
                let want = weighted_ref(v, wv, e.as_slice().unwrap());
                let got = c.compute().unwrap();
                assert_eq!(got.as_slice().unwrap(), &want[..], "{shape:?} {chunks:?}");
                // The counts' bins: weights of 1 count.
                let ones = chunkwise::full(shape.clone(), 1.0);
                let n = x.histogram_weighted(&ones, bins, range).unwrap().0;
                let counts = x.histogram(bins, range).unwrap().0.compute().unwrap();
                let n = n.compute().unwrap().mapv(|c| c as i64);
                assert_eq!(n, counts, "{shape:?} {chunks:?}");
            }
            let edges = [-2.0, -0.5, 0.0, 0.0, 1.25, 3.5];
            let (c, _) = x.histogram_edges_weighted(&w, &edges).unwrap();
            let want = weighted_ref(v, wv, &edges);
            assert_eq!(c.compute().unwrap().as_slice().unwrap(), &want[..]);
        }
    }
}

/// Each bin's weights are summed exactly, rounded once: weights whose sum in order loses the
/// small ones give the same bits at any chunking and worker count, the exact sum.
#[test]
fn weighted_histograms_sum_exactly_at_any_chunking() {
    // 999 groups of four values: a third each of 1e16, 1.0 and -1e16 weights.
    let n = 3996;
    let v: Vec<f64> = (0..n).map(|i| (i % 4) as f64).collect();
    // 1e16 and -1e16 cancel; the 1.0s between them are lost by a sum in order.
    let w: Vec<f64> = (0..n)
        .map(|i| match (i / 4) % 3 {
            0 => 1e16,
            1 => 1.0,
            _ => -1e16,
        })
        .collect();
    let exact: Vec<f64> = (0..4)
        .map(|b| (0..n).filter(|i| i % 4 == b && (i / 4) % 3 == 1).count() as f64)
        .collect();
    let in_order = weighted_ref(&v, &w, &[0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_ne!(in_order, exact, "the weights must defeat a sum in order");
    for chunk in [1, 7, 64, 1000, n] {
        let x = chunkwise::from_array(ndarray::Array1::from(v.clone()), chunk).unwrap();
        let wx = chunkwise::from_array(ndarray::Array1::from(w.clone()), 13).unwrap();
        let (c, _) = x.histogram_weighted(&wx, 4, (0.0, 4.0)).unwrap();
        for workers in [1, 2, 3] {
            let got = c.compute_with(&Config::default().workers(workers)).unwrap();
            assert_eq!(got.as_slice().unwrap(), &exact[..], "{chunk} {workers}");
        }
    }
    // NaN weights make their bin NaN; infinities of both signs too; values out of the range
    // and NaN values add nothing.
    let x = chunkwise::from_array(ndarray::array![0.5, 1.5, 1.5, 2.5, f64::NAN, 9.0], 2).unwrap();
    let w = chunkwise::from_array(
        ndarray::array![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 2.0, 5.0, 5.0],
        4,
    )
    .unwrap();
    let got = x.histogram_weighted(&w, 3, (0.0, 3.0)).unwrap().0;
    let got = got.compute().unwrap();
    assert!(got[0].is_nan() && got[1].is_nan());
    assert_eq!(got[2], 2.0);
    // Weights of another shape.
    let e = x.histogram_weighted(&chunkwise::full([5], 1.0), 3, (0.0, 3.0));
    assert!(
        matches!(e, Err(Error::ShapeMismatch { .. })),
        "{:?}",
        e.err()
    );
    let e = x.histogram_edges_weighted(&chunkwise::full([2, 3], 1.0), &[0.0, 1.0]);
    assert!(matches!(e, Err(Error::ShapeMismatch { .. })));
    // The bins' own errors come first, as without weights.
    let e = x.histogram_weighted(&w, 0, (0.0, 3.0));
    assert!(matches!(e, Err(Error::InvalidParameter { .. })));
}

#[test]
fn histograms_every_shape_and_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for (bins, range) in [(1, (-6.0, 6.0)), (7, (-2.0, 3.5)), (24, (-6.0, 6.0))] {
                let (c, e) = x.histogram(bins, range).unwrap();
                let e = e.compute().unwrap();
                assert_eq!(e.len(), bins + 1);
                assert_eq!((e[0], e[bins]), range);
                let want = histogram_ref(a.as_slice().unwrap(), e.as_slice().unwrap());
                let got = c.compute().unwrap();
                assert_eq!(
                    got.as_slice().unwrap(),
                    &want[..],
                    "{shape:?} {chunks:?} {bins}"
                );
            }
        }
    }
    // Values on the edges, NaN and values outside the range; a range of zero width; ints.
    let x = chunkwise::from_array(
        ndarray::array![0.0, 0.1, 0.2, 0.3, 1.0, f64::NAN, -0.1, 1.1, 0.7, 0.9],
        3,
    )
    .unwrap();
    // NumPy's counts: 0.3 and 0.7 fall below the edges 0.1 * 3 and 0.1 * 7 (as computed).
    let (c, _) = x.histogram(10, (0.0, 1.0)).unwrap();
    assert_eq!(
        c.compute().unwrap().as_slice().unwrap(),
        &[1, 1, 2, 0, 0, 0, 1, 0, 0, 2]
    );
    let (c, e) = chunkwise::full([5], 2.0).histogram(2, (2.0, 2.0)).unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[0, 5]);
    assert_eq!(e.compute().unwrap().as_slice().unwrap(), &[1.5, 2.0, 2.5]);
    let (c, _) = chunkwise::arange(100)
        .rechunk(9)
        .unwrap()
        .histogram(4, (0.0, 100.0))
        .unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[25, 25, 25, 25]);
}

#[test]
fn histograms_of_given_edges_every_shape_and_chunking() {
    let edge_sets: [&[f64]; 5] = [
        &[-6.0, 6.0],
        &[-2.0, -0.5, 0.0, 0.0, 1.25, 3.5],
        &[0.0, 1e300],
        &[-1e300, -3.0, -3.0, -3.0, 2.0, 2.0],
        &[0.5, 0.5],
    ];
    for shape in shapes() {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for edges in edge_sets {
                let (c, e) = x.histogram_edges(edges).unwrap();
                assert_eq!(e.compute().unwrap().as_slice().unwrap(), edges);
                let want = histogram_ref(a.as_slice().unwrap(), edges);
                let got = c.compute().unwrap();
                assert_eq!(
                    got.as_slice().unwrap(),
                    &want[..],
                    "{shape:?} {chunks:?} {edges:?}"
                );
            }
        }
    }
    // The last edge in the last bin, NaN and values outside left out, an empty bin between
    // equal edges; ints.
    let x = chunkwise::from_array(
        ndarray::array![0.0, 1.0, 1.0, 2.0, 3.0, f64::NAN, -0.1, 3.1],
        3,
    )
    .unwrap();
    let (c, _) = x.histogram_edges(&[0.0, 1.0, 1.0, 3.0]).unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[1, 0, 4]);
    let (c, _) = chunkwise::arange(100)
        .rechunk(9)
        .unwrap()
        .histogram_edges(&[0.0, 10.0, 99.0])
        .unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[10, 90]);
    // Infinite edges, as NumPy's `[-inf, 0, inf]`; one edge: no bins.
    let (c, _) = x
        .histogram_edges(&[f64::NEG_INFINITY, 1.0, f64::INFINITY])
        .unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[2, 5]);
    let (c, e) = x.histogram_edges(&[1.0]).unwrap();
    assert_eq!(c.compute().unwrap().len(), 0);
    assert_eq!(e.compute().unwrap().as_slice().unwrap(), &[1.0]);
    for bad in [&[][..], &[0.0, f64::NAN], &[f64::NAN], &[2.0, 1.0]] {
        let e = x.histogram_edges(bad).err();
        assert!(
            matches!(e, Some(Error::InvalidParameter { .. })),
            "{bad:?}: {e:?}"
        );
    }
}

/// The best `|k|` of `v` (largest first for positive `k`), ties by position, NaN largest.
fn topk_ref(v: &[f64], k: isize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    let key = |x: f64| if x.is_nan() { f64::INFINITY } else { x };
    idx.sort_by(|&i, &j| {
        let (a, b) = (v[i], v[j]);
        let o = if a.is_nan() || b.is_nan() {
            a.is_nan().cmp(&b.is_nan())
        } else {
            key(a).total_cmp(&key(b))
        };
        let o = if k > 0 { o.reverse() } else { o };
        o.then(i.cmp(&j))
    });
    idx.truncate(k.unsigned_abs());
    idx
}

#[test]
fn topk_and_argtopk_every_shape_and_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        let n = a.len();
        if n == 0 {
            continue;
        }
        let flat: Vec<f64> = a.iter().copied().collect();
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for k in [1isize, 3, n as isize, -1, -5, -(n as isize)] {
                if k.unsigned_abs() > n {
                    continue;
                }
                let want = topk_ref(&flat, k);
                let got = x.argtopk(k).unwrap().compute().unwrap();
                let got: Vec<usize> = got.iter().map(|&p| p as usize).collect();
                assert_eq!(got, want, "argtopk {k} {shape:?} {chunks:?}");
                let vals = x.topk(k).unwrap().compute().unwrap();
                let wv: Vec<f64> = want.iter().map(|&i| flat[i]).collect();
                assert_eq!(
                    vals.as_slice().unwrap(),
                    &wv[..],
                    "topk {k} {shape:?} {chunks:?}"
                );
            }
        }
    }
    let x = chunkwise::from_array(ndarray::array![1.0, f64::NAN, 3.0, -2.0], 2).unwrap();
    assert!(x.topk(1).unwrap().compute().unwrap()[0].is_nan());
    assert_eq!(
        x.argtopk(-2)
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[3, 0]
    );
    let i = chunkwise::arange(1000).rechunk(64).unwrap() * 7i64 % 1000i64;
    let got = i.topk(3).unwrap().compute().unwrap();
    assert_eq!(got.as_slice().unwrap(), &[999, 998, 997]);
}

#[test]
fn statistics_errors_name_the_op_and_the_value() {
    let x = chunkwise::arange(10).rechunk(3).unwrap();
    for (r, op) in [
        (x.quantile(1.5).map(|_| ()), "quantile"),
        (x.quantile(f64::NAN).map(|_| ()), "quantile"),
        (x.quantiles(&[0.5, -0.1]).map(|_| ()), "quantiles"),
        (x.percentile(101.0).map(|_| ()), "percentile"),
        (x.topk(0).map(|_| ()), "topk"),
        (x.argtopk(-11).map(|_| ()), "argtopk"),
        (x.histogram(0, (0.0, 1.0)).map(|_| ()), "histogram"),
        (x.histogram(3, (1.0, 0.0)).map(|_| ()), "histogram"),
        (
            x.histogram(3, (0.0, f64::INFINITY)).map(|_| ()),
            "histogram",
        ),
        (
            x.histogram(1000, (1.0, 1.0 + 1e-14)).map(|_| ()),
            "histogram",
        ),
    ] {
        match r {
            Err(e @ Error::InvalidParameter { .. }) => {
                assert!(e.to_string().starts_with(op), "{e}")
            }
            other => panic!("{op}: {other:?}"),
        }
    }
    // Sizes a fuzzer would try: bins past any allocation, k at isize::MIN, no quantiles.
    assert!(matches!(
        x.histogram(usize::MAX, (0.0, 1.0)),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        x.topk(isize::MIN),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.argtopk_axis(isize::MIN, 0),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(x.quantiles(&[]).unwrap().compute().unwrap().len(), 0);
    let empty = chunkwise::zeros::<f64>([0]);
    assert!(matches!(
        empty.quantile(0.5),
        Err(Error::EmptyReduction { .. })
    ));
    assert!(matches!(empty.median(), Err(Error::EmptyReduction { .. })));
    let e = ArrayD::<f64>::zeros(ndarray::IxDyn(&[2, 0]));
    let e = chunkwise::from_array(e, 1).unwrap();
    assert!(matches!(e.nanmedian(), Err(Error::EmptyReduction { .. })));
    // An empty array's histogram counts nothing.
    let (c, _) = empty.histogram(3, (0.0, 1.0)).unwrap();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[0, 0, 0]);
}

#[test]
fn quantiles_and_medians_along_every_axis() {
    for shape in shapes() {
        if shape.is_empty() || shape.contains(&0) {
            continue;
        }
        let mut a = data_f64(&shape);
        let ai = data_i64(&shape);
        for chunks in chunkings(&shape) {
            for axis in 0..shape.len() {
                let what = format!("{shape:?} {chunks:?} axis {axis}");
                let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
                let lanes: Vec<Vec<f64>> = a
                    .lanes(ndarray::Axis(axis))
                    .into_iter()
                    .map(|l| sorted(&l.to_vec()))
                    .collect();
                let mut out_shape = shape.clone();
                out_shape.remove(axis);
                let got = x
                    .quantiles_axis(&QS, axis as isize)
                    .unwrap()
                    .compute()
                    .unwrap();
                let mut qshape = vec![QS.len()];
                qshape.extend(&out_shape);
                assert_eq!(got.shape(), &qshape[..], "{what}");
                let flat: Vec<f64> = got.iter().copied().collect();
                for (i, &q) in QS.iter().enumerate() {
                    for (l, lane) in lanes.iter().enumerate() {
                        let g = flat[i * lanes.len() + l];
                        assert!(same(g, quantile_ref(lane, q)), "q {q} lane {l} {what}");
                    }
                }
                let m = x.median_axis(axis as isize).unwrap().compute().unwrap();
                assert_eq!(m.shape(), &out_shape[..], "{what}");
                for (g, lane) in m.iter().zip(&lanes) {
                    assert!(same(*g, median_ref(lane)), "median {what}");
                }
                let xi = chunkwise::from_array(ai.clone(), chunks.clone()).unwrap();
                let q = xi
                    .quantile_axis(0.3, axis as isize)
                    .unwrap()
                    .compute()
                    .unwrap();
                for (g, l) in q.iter().zip(ai.lanes(ndarray::Axis(axis))) {
                    let s = sorted(&l.iter().map(|&v| v as f64).collect::<Vec<_>>());
                    assert!(same(*g, quantile_ref(&s, 0.3)), "int {what}");
                }
            }
        }
        // NaN in one lane: NaN there, skipped by the nan forms.
        a.as_slice_mut().unwrap()[0] = f64::NAN;
        let x = chunkwise::from_array(a.clone(), 3).unwrap();
        let last = shape.len() as isize - 1;
        let m = x.median_axis(last).unwrap().compute().unwrap();
        assert!(m.iter().next().unwrap().is_nan());
        let nm = x.nanmedian_axis(last).unwrap().compute().unwrap();
        let first = a
            .lanes(ndarray::Axis(shape.len() - 1))
            .into_iter()
            .next()
            .unwrap();
        let clean: Vec<f64> = sorted(&first.to_vec())
            .into_iter()
            .filter(|v| !v.is_nan())
            .collect();
        let want = if clean.is_empty() {
            f64::NAN
        } else {
            median_ref(&clean)
        };
        assert!(same(*nm.iter().next().unwrap(), want), "{shape:?}");
        let nq = x.nanquantile_axis(0.25, last).unwrap().compute().unwrap();
        let want = if clean.is_empty() {
            f64::NAN
        } else {
            quantile_ref(&clean, 0.25)
        };
        assert!(same(*nq.iter().next().unwrap(), want), "{shape:?}");
    }
    let x = chunkwise::zeros::<f64>([3, 0]);
    assert!(matches!(
        x.median_axis(1),
        Err(Error::EmptyReduction { .. })
    ));
    // No elements, but lanes and blocks whose extents multiply past usize: built, and empty.
    let wide = chunkwise::zeros::<f64>([0, 1 << 40, 1 << 40]);
    let m = wide.median_axis(1).unwrap();
    assert_eq!(m.shape(), &[0, 1 << 40]);
    assert_eq!(m.compute().unwrap().len(), 0);
    assert_eq!(wide.topk_axis(2, 2).unwrap().shape(), &[0, 1 << 40, 2]);
    assert!(matches!(
        x.quantile_axis(0.5, 2),
        Err(Error::AxisOutOfRange { .. })
    ));
    assert!(matches!(
        chunkwise::zeros::<f64>([3]).percentile_axis(-1.0, 0),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn topk_and_argtopk_along_every_axis() {
    for shape in shapes() {
        if shape.is_empty() || shape.contains(&0) {
            continue;
        }
        let a = data_f64(&shape);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for axis in 0..shape.len() {
                let n = shape[axis] as isize;
                for k in [1, 2, n, -1, -n] {
                    if k.unsigned_abs() > n as usize || k == 0 {
                        continue;
                    }
                    let what = format!("{shape:?} {chunks:?} axis {axis} k {k}");
                    let pos = x.argtopk_axis(k, axis as isize).unwrap().compute().unwrap();
                    let vals = x.topk_axis(k, axis as isize).unwrap().compute().unwrap();
                    let mut want_shape = shape.clone();
                    want_shape[axis] = k.unsigned_abs();
                    assert_eq!(pos.shape(), &want_shape[..], "{what}");
                    let lanes = a.lanes(ndarray::Axis(axis));
                    for ((lane, p), v) in lanes
                        .into_iter()
                        .zip(pos.lanes(ndarray::Axis(axis)))
                        .zip(vals.lanes(ndarray::Axis(axis)))
                    {
                        let l = lane.to_vec();
                        let want = topk_ref(&l, k);
                        let got: Vec<usize> = p.iter().map(|&i| i as usize).collect();
                        assert_eq!(got, want, "{what}");
                        let wv: Vec<f64> = want.iter().map(|&i| l[i]).collect();
                        assert_eq!(v.to_vec(), wv, "{what}");
                    }
                }
            }
        }
    }
    let x = chunkwise::zeros::<i32>([3, 4]);
    assert!(matches!(
        x.topk_axis(5, 1),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.argtopk_axis(0, 0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.topk_axis(1, 2),
        Err(Error::AxisOutOfRange { .. })
    ));
}
