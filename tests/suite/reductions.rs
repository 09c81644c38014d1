//! Every reduction, over all elements and along each axis, against ndarray, over many shapes
//! and chunkings (staged trees where a reduced axis has several chunks, inline otherwise).

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{ArrayD, Axis, IxDyn};

fn scalar<T: Clone>(v: T) -> ArrayD<T> {
    ArrayD::from_elem(IxDyn(&[]), v)
}

fn fold_axis(a: &ArrayD<f64>, axis: usize, init: f64, f: impl Fn(f64, f64) -> f64) -> ArrayD<f64> {
    a.fold_axis(Axis(axis), init, |&acc, &x| f(acc, x))
}

fn check_f64(x: &ChunkedArray<f64>, a: &ArrayD<f64>, what: &str) {
    let n = a.len();
    let tol = 1e-12;
    assert_close(
        &x.sum().compute().unwrap(),
        &scalar(a.sum()),
        tol,
        &format!("{what} sum"),
    );
    assert_close(
        &x.prod().compute().unwrap(),
        &scalar(a.product()),
        tol,
        &format!("{what} prod"),
    );
    assert_close(
        &x.mean().compute().unwrap(),
        &scalar(a.sum() / n as f64),
        tol,
        &format!("{what} mean"),
    );
    let mean = a.sum() / n as f64;
    let var = a.mapv(|v| (v - mean).powi(2)).sum() / n as f64;
    assert_close(
        &x.var().compute().unwrap(),
        &scalar(var),
        tol,
        &format!("{what} var"),
    );
    assert_close(
        &x.std().compute().unwrap(),
        &scalar(var.sqrt()),
        tol,
        &format!("{what} std"),
    );
    let nz = a.iter().filter(|&&v| v != 0.0).count() as u64;
    assert_eq!(
        x.count_nonzero().item().unwrap(),
        nz,
        "{what} count_nonzero"
    );
    assert_eq!(
        x.any().item().unwrap(),
        a.iter().any(|&v| v != 0.0),
        "{what} any"
    );
    assert_eq!(
        x.all().item().unwrap(),
        a.iter().all(|&v| v != 0.0),
        "{what} all"
    );
    if n > 0 {
        let mn = a.fold(f64::INFINITY, |m, &v| m.min(v));
        let mx = a.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        assert_eq!(x.min().item().unwrap(), mn, "{what} min");
        assert_eq!(x.max().item().unwrap(), mx, "{what} max");
    } else {
        assert!(matches!(
            x.min().compute(),
            Err(chunkwise::Error::EmptyReduction { .. })
        ));
    }
    for axis in 0..a.ndim() {
        let w = format!("{what} axis {axis}");
        let k = axis as isize;
        let len = a.shape()[axis];
        assert_close(
            &x.sum_axis(k).unwrap().compute().unwrap(),
            &a.sum_axis(Axis(axis)),
            tol,
            &format!("{w} sum"),
        );
        // Negative axes count from the end.
        let neg = k - a.ndim() as isize;
        assert_close(
            &x.sum_axis(neg).unwrap().compute().unwrap(),
            &a.sum_axis(Axis(axis)),
            tol,
            &format!("{w} sum neg"),
        );
        assert_close(
            &x.prod_axis(k).unwrap().compute().unwrap(),
            &fold_axis(a, axis, 1.0, |p, v| p * v),
            tol,
            &format!("{w} prod"),
        );
        let mean = a.sum_axis(Axis(axis)).mapv(|s| s / len as f64);
        assert_close(
            &x.mean_axis(k).unwrap().compute().unwrap(),
            &mean,
            tol,
            &format!("{w} mean"),
        );
        if len > 0 {
            let var = a.var_axis(Axis(axis), 0.0);
            assert_close(
                &x.var_axis(k).unwrap().compute().unwrap(),
                &var,
                1e-10,
                &format!("{w} var"),
            );
            assert_close(
                &x.std_axis(k).unwrap().compute().unwrap(),
                &var.mapv(f64::sqrt),
                1e-10,
                &format!("{w} std"),
            );
            assert_eq!(
                x.min_axis(k).unwrap().compute().unwrap(),
                fold_axis(a, axis, f64::INFINITY, f64::min),
                "{w} min"
            );
            assert_eq!(
                x.max_axis(k).unwrap().compute().unwrap(),
                fold_axis(a, axis, f64::NEG_INFINITY, f64::max),
                "{w} max"
            );
        } else {
            assert!(
                x.min_axis(k).unwrap().compute().is_err(),
                "{w} min of empty axis"
            );
        }
        let nz = a.map_axis(Axis(axis), |l| {
            l.iter().filter(|&&v| v != 0.0).count() as u64
        });
        assert_eq!(
            x.count_nonzero_axis(k).unwrap().compute().unwrap(),
            nz,
            "{w} count_nonzero"
        );
        let any = a.map_axis(Axis(axis), |l| l.iter().any(|&v| v != 0.0));
        assert_eq!(x.any_axis(k).unwrap().compute().unwrap(), any, "{w} any");
        let all = a.map_axis(Axis(axis), |l| l.iter().all(|&v| v != 0.0));
        assert_eq!(x.all_axis(k).unwrap().compute().unwrap(), all, "{w} all");
    }
}

#[test]
fn every_reduction_every_shape_every_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            check_f64(&x, &a, &format!("shape {shape:?} chunks {chunks:?}"));
        }
    }
}

#[test]
fn integer_reductions_use_numpy_accumulators() {
    let a = data_i64(&[4, 5]);
    for chunks in chunkings(&[4, 5]) {
        let x = chunkwise::from_array(a.mapv(|v| v as i32), chunks.clone()).unwrap();
        // i32 sums into i64, as NumPy.
        let s: i64 = x.sum().item().unwrap();
        assert_eq!(s, a.sum());
        assert_eq!(
            x.sum_axis(1).unwrap().compute().unwrap(),
            a.sum_axis(Axis(1))
        );
        assert_eq!(x.min().item().unwrap(), *a.iter().min().unwrap() as i32);
        assert_eq!(
            x.max_axis(0).unwrap().compute().unwrap(),
            a.map_axis(Axis(0), |l| *l.iter().max().unwrap() as i32)
        );
        let m: f64 = x.mean().item().unwrap();
        assert!((m - a.sum() as f64 / 20.0).abs() < 1e-12);
        let u = chunkwise::from_array(a.mapv(|v| (v + 11) as u8), chunks).unwrap();
        let su: u64 = u.sum().item().unwrap();
        assert_eq!(su, a.mapv(|v| (v + 11) as u64).sum());
    }
    // Overflow wraps silently, as NumPy's int64.
    let big = chunkwise::full([3], i64::MAX).sum().item().unwrap();
    assert_eq!(big, i64::MAX.wrapping_mul(3));
    // u64 products wrap too.
    let p: u64 = chunkwise::full([70], 2u64).prod().item().unwrap();
    assert_eq!(p, 0);
}

#[test]
fn bool_reductions() {
    let a = data_i64(&[6, 7]).mapv(|v| v > 0);
    let x = chunkwise::from_array(a.clone(), [4, 3]).unwrap();
    assert_eq!(
        x.count_nonzero().item().unwrap(),
        a.iter().filter(|&&b| b).count() as u64
    );
    assert!(x.any().item().unwrap());
    assert!(!x.all().item().unwrap());
    assert!(chunkwise::zeros::<bool>([0]).all().item().unwrap());
    assert!(!chunkwise::zeros::<bool>([0]).any().item().unwrap());
}

#[test]
fn reductions_chain_with_more_ops() {
    let a = data_f64(&[6, 8]);
    let x = chunkwise::from_array(a.clone(), [2, 3]).unwrap();
    // (x - x.mean(axis=0)).sum(): a staged reduction broadcast back into an elementwise op.
    let got = (&x - &x.mean_axis(0).unwrap()).abs().sum().item().unwrap();
    let mean0 = a.mean_axis(Axis(0)).unwrap();
    let want = (&a - &mean0).mapv(f64::abs).sum();
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    // A reduction of a reduction.
    let s = x.sum_axis(1).unwrap().max().item().unwrap();
    assert_eq!(
        s,
        a.sum_axis(Axis(1))
            .fold(f64::NEG_INFINITY, |m, &v| m.max(v))
    );
}

#[test]
fn float_sums_are_at_least_as_accurate_as_pairwise() {
    // 0.1 summed 10^7 times: naive summation drifts by ~1e-5 relative; pairwise stays near eps.
    let n = 10_000_000;
    let x = chunkwise::full([n], 0.1f64);
    let s = x.sum().item().unwrap();
    assert!((s - 1_000_000.0).abs() / 1e6 < 1e-13, "{s}");
    let f = chunkwise::full([n], 0.1f32).sum().item().unwrap();
    assert!((f as f64 - 1_000_000.0).abs() / 1e6 < 1e-5, "{f}");
}

#[test]
fn nan_propagates_through_min_and_max() {
    let a = ArrayD::from_shape_vec(IxDyn(&[5]), vec![1.0, f64::NAN, -3.0, 4.0, 0.0]).unwrap();
    let x = chunkwise::from_array(a, 2).unwrap();
    assert!(x.min().item().unwrap().is_nan());
    assert!(x.max().item().unwrap().is_nan());
    assert!(x.maximum(0.0).compute().unwrap()[1].is_nan());
}

/// A staged reduction's result is read from where it is held, also by a consumer whose tiles
/// are not contiguous in it: its inputs are not evaluated again.
#[test]
fn held_results_are_read_not_recomputed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let x = chunkwise::arange(240)
        .cast::<f64>()
        .reshape([4, 6, 10])
        .unwrap()
        .rechunk([2, 6, 5])
        .unwrap()
        .map_blocks(move |b| {
            c.fetch_add(1, Ordering::SeqCst);
            b.to_owned()
        });
    // Staged (axis 0 has two chunks): its (6, 10) result is held, in column chunks of 5.
    let y = x.sum_axis(0).unwrap();
    // Inline over y's axis 0: each task reads a (6, 5) box of y, not contiguous in it.
    let z = y.sum_axis(0).unwrap().compute().unwrap();
    let want: Vec<f64> = (0..10)
        .map(|j| {
            (0..4)
                .flat_map(|a| (0..6).map(move |b| (a * 60 + b * 10 + j) as f64))
                .sum()
        })
        .collect();
    assert_eq!(z.as_slice().unwrap(), want.as_slice());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "one closure call per chunk of x"
    );
}

/// `nanvar`/`nanstd` with `ddof` against an eager reference, along each axis and over all, at
/// several chunkings: the divisor is the count of values that are not NaN less `ddof`, and
/// NaN where that is not positive (NumPy's `nanvar(ddof=)`).
#[test]
fn nanvar_and_nanstd_take_ddof() {
    let vals = [
        1.0,
        f64::NAN,
        3.0,
        -2.5,
        f64::NAN,
        f64::NAN,
        7.25,
        0.5,
        4.0,
        f64::NAN,
        -1.0,
        2.0,
    ];
    let a = ndarray::Array::from_shape_vec(IxDyn(&[3, 4]), vals.to_vec()).unwrap();
    let lane_var = |v: Vec<f64>, ddof: usize| -> f64 {
        let v: Vec<f64> = v.into_iter().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        if n <= ddof {
            return f64::NAN;
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - ddof) as f64
    };
    let close =
        |g: f64, w: f64| (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs().max(1.0);
    for chunk in [[1, 1], [2, 3], [3, 4]] {
        let x = chunkwise::from_array(a.clone(), chunk).unwrap();
        for ddof in 0..4 {
            let opts = ReduceOptions::default().ddof(ddof);
            let all = x.nanvar_with(None, opts).unwrap().compute().unwrap();
            let want = lane_var(vals.to_vec(), ddof);
            assert!(
                close(all[[]], want),
                "nanvar all ddof={ddof}: {} vs {want}",
                all[[]]
            );
            let sd = x.nanstd_with(None, opts).unwrap().compute().unwrap();
            assert!(close(sd[[]], want.sqrt()), "nanstd all ddof={ddof}");
            for axis in 0..2 {
                let got = x
                    .nanvar_with(axis as isize, opts)
                    .unwrap()
                    .compute()
                    .unwrap();
                for (i, lane) in a.lanes(Axis(axis)).into_iter().enumerate() {
                    let w = lane_var(lane.to_vec(), ddof);
                    assert!(
                        close(got[[i]], w),
                        "axis {axis} lane {i} ddof={ddof}: {} vs {w}",
                        got[[i]]
                    );
                }
            }
        }
    }
    // Other reductions still refuse a ddof.
    assert!(matches!(x_err(), Err(Error::InvalidParameter { .. })));
    fn x_err() -> chunkwise::Result<ChunkedArray<f64>> {
        chunkwise::arange(4)
            .cast::<f64>()
            .nanmean_with(None, ReduceOptions::default().ddof(1))
    }
}

/// Whether two floats are the same bits (any NaN matching any NaN).
fn same_bits(a: &ArrayD<f64>, b: &ArrayD<f64>) -> bool {
    a.shape() == b.shape()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

/// A reduction along leading axes (the last one kept) whose reduced box is one canonical leaf
/// folds each output sequentially: its values' left fold in the C order of their reduced
/// coordinates, bit for bit, whatever the chunks. The cases take the fold's paths: few rows
/// (the box cut along its last axis), many (the box's own tiles), rows folded two at a time
/// after the first two, reduced axes between kept ones, an odd number of rows, one row.
#[test]
fn column_folds_are_the_left_fold_in_c_order() {
    let cases: &[(&[usize], &[usize])] = &[
        (&[2, 700], &[0]),
        (&[3, 5, 700], &[0, 1]),
        (&[2, 3, 500], &[0, 1]),
        (&[2, 2, 2, 300], &[0, 2]),
        (&[2, 3, 4, 90], &[0, 2]),
        (&[40, 30, 5], &[0, 1]),
        (&[4, 6, 3, 50], &[0, 2]),
        (&[3, 2100], &[0]),
        (&[1, 9], &[0]),
    ];
    for &(shape, axes) in cases {
        let n: usize = shape.iter().product();
        // Magnitudes far apart, so that adds or multiplies in another order give other bits.
        let vals: Vec<f64> = (0..n)
            .map(|i| {
                [1e16, 1.0, -1e16, 3.5, 1e-3, 0.0, -2.25][i % 7] * (1.0 + (i % 5) as f64 / 8.0)
            })
            .collect();
        let a = ArrayD::from_shape_vec(IxDyn(shape), vals).unwrap();
        let kept: Vec<usize> = (0..shape.len()).filter(|d| !axes.contains(d)).collect();
        let out_shape: Vec<usize> = kept.iter().map(|&d| shape[d]).collect();
        // `indexed_iter` walks in C order: an output's values in the C order of the reduced
        // coordinates.
        let left_fold = |init: f64, f: &dyn Fn(f64, f64) -> f64| {
            let mut out = ArrayD::from_elem(IxDyn(&out_shape), init);
            for (idx, &v) in a.indexed_iter() {
                let o: Vec<usize> = kept.iter().map(|&d| idx[d]).collect();
                let slot = &mut out[IxDyn(&o)];
                *slot = f(*slot, v);
            }
            out
        };
        let sum = left_fold(0.0, &|s, v| s + v);
        let prod = left_fold(1.0, &|p, v| p * v);
        let min = left_fold(f64::INFINITY, &|m, v| if v < m { v } else { m });
        let max = left_fold(f64::NEG_INFINITY, &|m, v| if v > m { v } else { m });
        let nonzero = left_fold(0.0, &|c, v| c + (v != 0.0) as u8 as f64).mapv(|c| c as u64);
        let ax: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
        let opts = ReduceOptions::default();
        for chunks in chunkings(shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let what = format!("shape {shape:?} axes {axes:?} chunks {chunks:?}");
            let got = x.sum_with(ax.clone(), opts).unwrap().compute().unwrap();
            assert!(same_bits(&got, &sum), "{what} sum: {got} against {sum}");
            let got = x.prod_with(ax.clone(), opts).unwrap().compute().unwrap();
            assert!(same_bits(&got, &prod), "{what} prod: {got} against {prod}");
            let got = x.min_with(ax.clone(), opts).unwrap().compute().unwrap();
            assert!(same_bits(&got, &min), "{what} min");
            let got = x.max_with(ax.clone(), opts).unwrap().compute().unwrap();
            assert!(same_bits(&got, &max), "{what} max");
            let got = x
                .count_nonzero_with(ax.clone(), opts)
                .unwrap()
                .compute()
                .unwrap();
            assert_eq!(got, nonzero, "{what} count_nonzero");
        }
    }
}
