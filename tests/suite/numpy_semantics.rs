//! NumPy's semantics where a typed API could hide them: type promotion of mixed operands,
//! scalars of another type, free functions with the scalar on the left, `reshape` with `-1`,
//! positions of extremes over several axes with `keepdims`, NaN-aware positions, weighted means,
//! `arange` of every dtype, `f32` random draws and the 16- and 8-bit integer types. Each is
//! checked against an eager reference over the shapes and chunkings of the other suites.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use crate::common;

use chunkwise::prelude::*;
use chunkwise::{DType, Promote};
use common::*;
use ndarray::{ArrayD, Dimension, IxDyn};

/// The dtype `<A as Promote<B>>` gives, for each ordered pair of the ten numeric types.
fn promoted<A: Promote<B>, B: Numeric>() -> DType {
    <A as Promote<B>>::Output::DTYPE
}

macro_rules! for_pairs {
    ($f:ident; $($a:ty),*) => {{
        let rows: Vec<Vec<(DType, DType, DType)>> = vec![
            $( for_pairs!(@row $f, $a; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8) ),*
        ];
        rows.concat()
    }};
    (@row $f:ident, $a:ty; $($b:ty),*) => {
        vec![$( (<$a>::DTYPE, <$b>::DTYPE, $f::<$a, $b>()) ),*]
    };
}

#[test]
fn the_promotion_table_is_numpys_rule() {
    let table = for_pairs!(promoted; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
    assert_eq!(table.len(), 100);
    for (a, b, got) in table {
        assert_eq!(Some(got), a.promote(b), "{a} with {b}");
        assert_eq!(b.promote(a), a.promote(b), "{a} with {b} is symmetric");
    }
    // The cases the issue names, and NumPy's notable ones.
    assert_eq!(DType::F32.promote(DType::F64), Some(DType::F64));
    assert_eq!(DType::I32.promote(DType::F64), Some(DType::F64));
    assert_eq!(DType::U8.promote(DType::I64), Some(DType::I64));
    assert_eq!(DType::U8.promote(DType::I8), Some(DType::I16));
    assert_eq!(DType::U64.promote(DType::I64), Some(DType::F64));
    assert_eq!(DType::I16.promote(DType::F32), Some(DType::F32));
    assert_eq!(DType::I32.promote(DType::F32), Some(DType::F64));
    assert_eq!(DType::Bool.promote(DType::I8), None);
}

#[test]
fn mixed_operands_promote_and_compute_in_the_common_type() {
    for shape in [vec![7], vec![3, 4], vec![2, 3, 4], vec![0, 3]] {
        for chunks in chunkings(&shape).into_iter().take(6) {
            let a = data_i64(&shape);
            let b = data_f64(&shape);
            let x = chunkwise::from_array(a.clone(), chunks.clone())
                .unwrap()
                .cast::<i32>();
            let y = chunkwise::from_array(b.clone(), chunks.clone())
                .unwrap()
                .cast::<f32>();
            // i32 * f32 is f64, computed from both sides converted.
            let z = &x * &y;
            assert_eq!(z.dtype(), DType::F64);
            let want = ArrayD::from_shape_vec(
                IxDyn(&shape),
                a.iter()
                    .zip(b.iter())
                    .map(|(&p, &q)| p as i32 as f64 * q as f32 as f64)
                    .collect(),
            )
            .unwrap();
            assert_eq!(z.compute().unwrap(), want);
            // u8 + i64 is i64 (no wrap at 255); u64 - i64 is f64.
            let u = x.cast::<u8>();
            let w = &u + &chunkwise::full(shape.clone(), 1000i64);
            assert_eq!(w.dtype(), DType::I64);
            let want_w = a.mapv(|v| v as i32 as u8 as i64 + 1000);
            assert_eq!(w.compute().unwrap(), want_w);
            let d = &x.cast::<u64>() - &x.cast::<i64>();
            assert_eq!(d.dtype(), DType::F64);
            let want_d = a.mapv(|v| v as i32 as u64 as f64 - v as i32 as i64 as f64);
            assert_eq!(d.compute().unwrap(), want_d);
            // The same type costs no conversion node.
            let casts = |a: &ChunkedArray<f32>| a.explain().unwrap().matches("cast<").count();
            assert_eq!(casts(&(&y + &y)), casts(&y));
        }
    }
}

#[test]
fn scalars_weak_bare_and_strong_through_scalar() {
    let x = chunkwise::arange(5).cast::<u8>() * 60u8;
    // A bare scalar takes the array's type (NumPy 2's Python scalars): u8 wraps.
    let bare = (&x + 10).compute().unwrap();
    assert_eq!(bare.as_slice().unwrap(), &[10, 70, 130, 190, 250]);
    let wrapped = (&x * 2).compute().unwrap();
    assert_eq!(wrapped.as_slice().unwrap(), &[0, 120, 240, 104, 224]);
    // A typed scalar promotes (NumPy's np.int64(2)).
    let strong = &x * chunkwise::scalar(2i64);
    assert_eq!(strong.dtype(), DType::I64);
    assert_eq!(
        strong.compute().unwrap().as_slice().unwrap(),
        &[0, 120, 240, 360, 480]
    );
    let f = chunkwise::arange(3).cast::<f32>() / chunkwise::scalar(3.0f64);
    assert_eq!(f.dtype(), DType::F64);
    assert_eq!(f.compute().unwrap()[1], 1.0 / 3.0);
}

#[test]
fn promote_feeds_where_concatenate_and_comparisons() {
    let a = chunkwise::arange(4).cast::<i16>();
    let b = chunkwise::linspace(0.0, 1.5, 4).cast::<f32>();
    let (pa, pb) = chunkwise::promote(&a, &b);
    assert_eq!((pa.dtype(), pb.dtype()), (DType::F32, DType::F32));
    let c = chunkwise::concatenate(&[pa.clone(), pb.clone()], 0).unwrap();
    assert_eq!(
        c.compute().unwrap().as_slice().unwrap(),
        &[0.0, 1.0, 2.0, 3.0, 0.0, 0.5, 1.0, 1.5]
    );
    let w = chunkwise::where_(&pa.gt(&pb), &pa, &pb).unwrap();
    assert_eq!(
        w.compute().unwrap().as_slice().unwrap(),
        &[0.0, 1.0, 2.0, 3.0]
    );
    let m = pa.maximum(&pb).compute().unwrap();
    assert_eq!(m.as_slice().unwrap(), &[0.0, 1.0, 2.0, 3.0]);
}

#[test]
fn free_functions_take_the_scalar_on_either_side() {
    for shape in [vec![], vec![0], vec![7], vec![3, 4]] {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().take(5) {
            let x = chunkwise::from_array(a.clone(), chunks).unwrap();
            let max = chunkwise::maximum(0.5, &x).compute().unwrap();
            assert_eq!(max, a.mapv(|v| 0.5f64.max(v)));
            let min = chunkwise::minimum(&x, 0.5).compute().unwrap();
            assert_eq!(min, a.mapv(|v| v.min(0.5)));
            let both = chunkwise::maximum(&x, x.cos()).compute().unwrap();
            assert_eq!(both, a.mapv(|v| v.max(v.cos())));
            type Cmp = fn(f64, &ChunkedArray<f64>) -> ChunkedArray<bool>;
            type Eager = fn(f64, f64) -> bool;
            let cmps: [(Cmp, Eager); 6] = [
                (|s, x| chunkwise::less(s, x), |s, v| s < v),
                (|s, x| chunkwise::less_equal(s, x), |s, v| s <= v),
                (|s, x| chunkwise::greater(s, x), |s, v| s > v),
                (|s, x| chunkwise::greater_equal(s, x), |s, v| s >= v),
                (|s, x| chunkwise::equal(s, x), |s, v| s == v),
                (|s, x| chunkwise::not_equal(s, x), |s, v| s != v),
            ];
            for (lazy, eager) in cmps {
                assert_eq!(lazy(0.5, &x).compute().unwrap(), a.mapv(|v| eager(0.5, v)));
            }
        }
    }
    // NaN propagates from either side, as NumPy's maximum.
    let n = chunkwise::full([2], f64::NAN);
    assert!(chunkwise::maximum(1.0, &n).compute().unwrap()[0].is_nan());
    // Two scalars make a 0-d array.
    assert_eq!(chunkwise::minimum(3i64, 2i64).item().unwrap(), 2);
    // Shapes that do not broadcast are an error at compute, naming the op.
    let e = chunkwise::maximum(chunkwise::zeros::<f64>([3]), chunkwise::zeros::<f64>([4]))
        .compute()
        .unwrap_err();
    assert!(matches!(e, Error::Broadcast { .. }), "{e}");
}

#[test]
fn reshape_infers_one_extent() {
    let a = data_f64(&[4, 6]);
    for chunks in chunkings(&[4, 6]).into_iter().take(8) {
        let x = chunkwise::from_array(a.clone(), chunks).unwrap();
        for (spec, want) in [
            (vec![-1], vec![24]),
            (vec![-1, 8], vec![3, 8]),
            (vec![2, -1, 3], vec![2, 4, 3]),
            (vec![24, -1], vec![24, 1]),
            (vec![6, 4], vec![6, 4]),
        ] {
            let y = x.reshape_infer(&spec).unwrap();
            assert_eq!(y.shape(), want.as_slice(), "{spec:?}");
            let eager = a.clone().into_shape_with_order(IxDyn(&want)).unwrap();
            assert_eq!(y.compute().unwrap(), eager, "{spec:?}");
        }
    }
    let x = chunkwise::zeros::<f64>([4, 6]);
    for bad in [
        vec![-1, -1],
        vec![-1, 5],
        vec![-2, 12],
        vec![0, -1],
        vec![5, 5],
    ] {
        let e = x.reshape_infer(&bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidParameter { .. } | Error::ShapeMismatch { .. }
            ),
            "{bad:?}: {e}"
        );
        assert!(e.to_string().contains("[4, 6]"), "{e}");
    }
    // An empty array: -1 is inferred when the known extents are nonzero.
    let z = chunkwise::zeros::<f64>([0, 6]);
    assert_eq!(z.reshape_infer(&[3, -1]).unwrap().shape(), &[3, 0]);
    assert!(z.reshape_infer(&[0, -1]).is_err());
    // Extents past isize::MAX elements.
    let e = chunkwise::zeros::<f64>([4])
        .reshape_infer(&[isize::MAX, 4, -1])
        .unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

/// The C-order index within the sub-block of `axes` of the first extreme per lane (NaN wins),
/// with `keepdims`, or `None` where the sub-block is empty; `skip_nan` leaves NaN out
/// (`nanargmin`), giving `u64::MAX` for a slice of only NaN.
fn arg_reference(
    a: &ArrayD<f64>,
    axes: &[usize],
    max: bool,
    skip_nan: bool,
) -> Option<ArrayD<u64>> {
    let shape = a.shape().to_vec();
    let out_shape: Vec<usize> = shape
        .iter()
        .enumerate()
        .map(|(d, &n)| if axes.contains(&d) { 1 } else { n })
        .collect();
    let red: Vec<usize> = axes.iter().map(|&d| shape[d]).collect();
    let red_len: usize = red.iter().product();
    if red_len == 0 && out_shape.iter().product::<usize>() > 0 {
        return None;
    }
    let out = ArrayD::from_shape_fn(IxDyn(&out_shape), |o| {
        let mut best: Option<(usize, f64)> = None;
        for k in 0..red_len {
            let mut idx: Vec<usize> = o.slice().to_vec();
            let mut rem = k;
            for (j, &d) in axes.iter().enumerate().rev() {
                idx[d] = rem % red[j];
                rem /= red[j];
            }
            let v = a[IxDyn(&idx)];
            if skip_nan && v.is_nan() {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, b)) if b.is_nan() => false,
                Some((_, b)) => v.is_nan() || if max { v > b } else { v < b },
            };
            if better {
                best = Some((k, v));
            }
        }
        best.map_or(u64::MAX, |(k, _)| k as u64)
    });
    Some(out)
}

fn squeeze(a: ArrayD<u64>, axes: &[usize]) -> ArrayD<u64> {
    let shape: Vec<usize> = a
        .shape()
        .iter()
        .enumerate()
        .filter(|(d, _)| !axes.contains(d))
        .map(|(_, &n)| n)
        .collect();
    a.into_shape_with_order(IxDyn(&shape)).unwrap()
}

/// Every sorted, non-empty set of axes of an `ndim`-d array.
fn axis_sets(ndim: usize) -> Vec<Vec<usize>> {
    (1..1u32 << ndim)
        .map(|m| (0..ndim).filter(|d| m >> d & 1 == 1).collect())
        .collect()
}

fn with_nans(shape: &[usize]) -> ArrayD<f64> {
    let mut a = data_f64(shape);
    for (i, v) in a.iter_mut().enumerate() {
        if i % 5 == 2 {
            *v = f64::NAN;
        }
    }
    a
}

#[test]
fn argmin_argmax_over_several_axes_with_keepdims() {
    for shape in shapes() {
        for a in [data_f64(&shape), with_nans(&shape)] {
            for chunks in chunkings(&shape).into_iter().step_by(3) {
                let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
                for axes in axis_sets(shape.len()) {
                    let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
                    for max in [false, true] {
                        let want = arg_reference(&a, &axes, max, false);
                        for keepdims in [false, true] {
                            let lazy = if max {
                                x.argmax_axes(&iaxes, keepdims).unwrap()
                            } else {
                                x.argmin_axes(&iaxes, keepdims).unwrap()
                            };
                            let what = format!("{shape:?} {chunks:?} {axes:?} max={max}");
                            match &want {
                                None => assert!(lazy.compute().is_err(), "{what}"),
                                Some(w) => {
                                    let w = if keepdims {
                                        w.clone()
                                    } else {
                                        squeeze(w.clone(), &axes)
                                    };
                                    assert_eq!(lazy.compute().unwrap(), w, "{what}");
                                }
                            }
                        }
                    }
                }
                // All axes is the flat index, as argmax().
                if !a.is_empty() {
                    let all = arg_reference(&a, &(0..shape.len()).collect::<Vec<_>>(), true, false)
                        .unwrap();
                    assert_eq!(
                        x.argmax().item().unwrap(),
                        *all.iter().next().unwrap(),
                        "{shape:?}"
                    );
                }
            }
        }
    }
    let e = chunkwise::zeros::<f64>([2, 3])
        .argmax_axes(&[1, -1], false)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidAxes { .. }), "{e}");
    let e = chunkwise::zeros::<f64>([2, 3])
        .argmin_axes(&[2], true)
        .unwrap_err();
    assert!(matches!(e, Error::AxisOutOfRange { .. }), "{e}");
}

#[test]
fn nanargmin_nanargmax_skip_nan_and_refuse_all_nan_slices() {
    for shape in shapes() {
        let a = with_nans(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for axes in axis_sets(shape.len()) {
                let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
                for max in [false, true] {
                    let lazy = if max {
                        x.nanargmax_axes(&iaxes, true).unwrap()
                    } else {
                        x.nanargmin_axes(&iaxes, true).unwrap()
                    };
                    let what = format!("{shape:?} {chunks:?} {axes:?} max={max}");
                    match arg_reference(&a, &axes, max, true) {
                        None => assert!(lazy.compute().is_err(), "{what}"),
                        Some(w) if w.iter().any(|&i| i == u64::MAX) => {
                            let e = lazy.compute().unwrap_err();
                            assert!(matches!(e, Error::InvalidValue { .. }), "{what}: {e}");
                            assert!(e.to_string().contains("All-NaN slice"), "{e}");
                        }
                        Some(w) => assert_eq!(lazy.compute().unwrap(), w, "{what}"),
                    }
                }
            }
        }
    }
    // Infinity is a value, not a gap: [inf, NaN] gives 0.
    let x = chunkwise::from_array(ndarray::array![f64::INFINITY, f64::NAN], 1).unwrap();
    assert_eq!(x.nanargmin().item().unwrap(), 0);
    assert_eq!(x.nanargmax().item().unwrap(), 0);
    let x = chunkwise::from_array(ndarray::array![f64::NAN, f64::NEG_INFINITY], 1).unwrap();
    assert_eq!(x.nanargmax().item().unwrap(), 1);
}

#[test]
fn average_with_weights_over_all_one_and_several_axes() {
    for shape in [vec![7], vec![3, 4], vec![2, 3, 4], vec![1, 5]] {
        let a = data_f64(&shape);
        let w = data_f64(&shape).mapv(|v| v.abs() + 0.25);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let lw = chunkwise::from_array(w.clone(), chunks.clone()).unwrap();
            let want = (&a * &w).sum() / w.sum();
            assert_close(
                &x.average(&lw).unwrap().compute().unwrap(),
                &ArrayD::from_elem(IxDyn(&[]), want),
                1e-12,
                "average",
            );
            for axes in axis_sets(shape.len()) {
                let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
                let mut num = &a * &w;
                let mut den = w.clone();
                for &d in axes.iter().rev() {
                    num = num.sum_axis(ndarray::Axis(d));
                    den = den.sum_axis(ndarray::Axis(d));
                }
                let got = x
                    .average_axes(&iaxes, &lw, false)
                    .unwrap()
                    .compute()
                    .unwrap();
                assert_close(&got, &(num / den), 1e-12, &format!("{shape:?} {axes:?}"));
                let kept = x.average_axes(&iaxes, &lw, true).unwrap();
                assert_eq!(kept.ndim(), shape.len());
            }
            // Along one axis, 1-d weights of that axis' length (NumPy's rule).
            let last = shape.len() - 1;
            let w1 = ndarray::Array1::from_iter((0..shape[last]).map(|i| i as f64 + 1.0));
            let got = x
                .average_axis(-1, &chunkwise::from_array(w1.clone(), 2).unwrap())
                .unwrap()
                .compute()
                .unwrap();
            let full_w = ArrayD::from_shape_fn(IxDyn(&shape), |i| w1[i[last]]);
            let want =
                (&a * &full_w).sum_axis(ndarray::Axis(last)) / full_w.sum_axis(ndarray::Axis(last));
            assert_close(&got, &want, 1e-12, "1-d weights");
        }
    }
    let x = chunkwise::linspace(0.0, 1.0, 4);
    // Weights summing to zero: NumPy's ZeroDivisionError, here at compute.
    let zero = chunkwise::from_array(ndarray::array![1.0, -1.0, 0.0, 0.0], 2).unwrap();
    let e = x.average(&zero).unwrap().compute().unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
    assert!(e.to_string().contains("weights sum to zero"), "{e}");
    // Weights of another shape.
    let e = x.average(&chunkwise::ones::<f64>([3])).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    assert!(
        e.to_string().contains("[4]") && e.to_string().contains("[3]"),
        "{e}"
    );
}

#[test]
fn arange_of_every_dtype() {
    fn check<T: Numeric + std::fmt::Debug>(start: T, stop: T, step: T, want: Vec<T>) {
        for chunk in [1, 2, 3, 64] {
            let x = chunkwise::arange_of(start, stop, step)
                .rechunk(chunk)
                .unwrap();
            assert_eq!(x.dtype(), T::DTYPE);
            assert_eq!(
                x.compute().unwrap().as_slice().unwrap(),
                want.as_slice(),
                "arange({start:?}, {stop:?}, {step:?}) as {}",
                T::DTYPE
            );
        }
    }
    check(0.0f64, 1.0, 0.25, vec![0.0, 0.25, 0.5, 0.75]);
    check(1.0f32, 0.0, -0.5, vec![1.0, 0.5]);
    check(-3i64, 4, 3, vec![-3, 0, 3]);
    check(5i32, -5, -3, vec![5, 2, -1, -4]);
    check(-128i8, 127, 100, vec![-128, -28, 72]);
    check(i16::MAX - 2, i16::MAX, 1, vec![i16::MAX - 2, i16::MAX - 1]);
    check(0u8, 255, 100, vec![0, 100, 200]);
    check(250u16, 260, 4, vec![250, 254, 258]);
    check(u32::MAX - 1, u32::MAX, 1, vec![u32::MAX - 1]);
    check(
        u64::MAX - 10,
        u64::MAX,
        5,
        vec![u64::MAX - 10, u64::MAX - 5],
    );
    check(3i64, 3, 1, vec![]);
    check(3i64, 0, 1, vec![]);
    // The full range of i64, and the element count past what can be addressed.
    let x = chunkwise::arange_of(i64::MIN, i64::MAX, i64::MAX);
    assert_eq!(
        x.compute().unwrap().as_slice().unwrap(),
        &[i64::MIN, -1, i64::MAX - 1]
    );
    let e = chunkwise::arange_of(i64::MIN, i64::MAX, 1)
        .compute()
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    let e = chunkwise::arange_of(0u8, 9, 0).compute().unwrap_err();
    assert!(e.to_string().contains("step"), "{e}");
    let e = chunkwise::arange_of(0.0f32, f32::INFINITY, 1.0)
        .compute()
        .unwrap_err();
    assert!(e.to_string().contains("stop"), "{e}");
    // Large but addressable: lazy, and its sum is exact.
    let big = chunkwise::arange_of(0u64, 1 << 62, 1 << 20);
    assert_eq!(big.len(), 1 << 42);
    let tail = big.slice(ndarray::s![-2..]).unwrap().compute().unwrap();
    assert_eq!(
        tail.as_slice().unwrap(),
        &[(1 << 62) - (2 << 20), (1 << 62) - (1 << 20)]
    );
}

#[test]
fn f32_draws_follow_the_f64_stream_and_stay_in_range() {
    let shape = [37, 29];
    let f64s = chunkwise::random::default_rng(5)
        .uniform(-1.0, 1.0, shape)
        .compute()
        .unwrap();
    let want = f64s.mapv(|v| {
        let t = v as f32;
        if t >= 1.0 {
            1.0f32.next_down()
        } else {
            t
        }
    });
    for chunks in [vec![37, 29], vec![5, 7], vec![1, 29], vec![36, 1]] {
        for workers in [1, 2, 3] {
            let cfg = Config::default().workers(workers);
            let x = chunkwise::random::default_rng(5)
                .uniform_as::<f32>(-1.0, 1.0, shape)
                .rechunk(chunks.clone())
                .unwrap();
            assert_eq!(x.dtype(), DType::F32);
            assert_eq!(x.compute_with(&cfg).unwrap(), want, "{chunks:?} {workers}");
        }
    }
    // Rounding to f32 can reach hi; the cap keeps every value below it.
    let top = chunkwise::random::default_rng(9)
        .uniform_as::<f32>(0.0, 1.0, 1 << 20)
        .max()
        .item()
        .unwrap();
    assert!(top < 1.0);
    let n = chunkwise::random::default_rng(2)
        .standard_normal_as::<f32>(1000)
        .compute()
        .unwrap();
    let n64 = chunkwise::random::default_rng(2)
        .standard_normal(1000)
        .compute()
        .unwrap();
    assert_eq!(n, n64.mapv(|v| v as f32));
    // f64 through the generic form is the f64 draw itself.
    let r = chunkwise::random::default_rng(4).random_as::<f64>(100);
    assert_eq!(
        r.compute().unwrap(),
        chunkwise::random::default_rng(4)
            .random(100)
            .compute()
            .unwrap()
    );
    let e = chunkwise::random::default_rng(4)
        .normal_as::<f32>(0.0, -1.0, 3)
        .compute()
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
}

#[test]
fn small_integer_types_wrap_and_accumulate_as_numpy() {
    let x = chunkwise::arange_of(120i8, 127, 1).rechunk(3).unwrap();
    // Arithmetic wraps in the type; sums accumulate in i64 (u64 for unsigned), means in f64.
    let y = (&x + 10).compute().unwrap();
    assert_eq!(
        y.as_slice().unwrap(),
        &[-126, -125, -124, -123, -122, -121, -120]
    );
    assert_eq!(x.sum().item().unwrap(), (120..127).sum::<i64>());
    assert_eq!(x.mean().item().unwrap(), 123.0);
    let u = chunkwise::full([1000], u16::MAX).rechunk(77).unwrap();
    assert_eq!(u.sum().item().unwrap(), 1000 * u16::MAX as u64);
    assert_eq!(u.max().item().unwrap(), u16::MAX);
    let s = chunkwise::arange_of(-4i16, 4, 1);
    assert_eq!(
        (s.floor_divide(3i16))
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[-2, -1, -1, -1, 0, 0, 0, 1]
    );
    assert_eq!(
        (&s % 3).compute().unwrap().as_slice().unwrap(),
        &[2, 0, 1, 2, 0, 1, 2, 0]
    );
    assert_eq!(
        s.shr(1).compute().unwrap().as_slice().unwrap(),
        &[-2, -2, -1, -1, 0, 0, 1, 1]
    );
    assert_eq!(s.abs().argmax().item().unwrap(), 0);
    // Casts to and from the new types follow `as`.
    let c = chunkwise::arange_of(250i64, 260, 3).cast::<u8>();
    assert_eq!(c.compute().unwrap().as_slice().unwrap(), &[250, 253, 0, 3]);
    assert_eq!(s.cast::<u16>().compute().unwrap()[0], 65532);
}
