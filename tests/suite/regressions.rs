//! Defects found by the differential test against NumPy (issue 18) and by our fuzzer
//! (`fuzz/`): each test failed before its fix.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]

use chunkwise::prelude::*;
use chunkwise::Error;
use ndarray::array;

fn f64s(v: &[f64], chunk: usize) -> ChunkedArray<f64> {
    chunkwise::from_array(ndarray::Array1::from(v.to_vec()), chunk).unwrap()
}

/// Bits of a result, NaN as one pattern, so that `-0.0` and `0.0` differ.
fn bits(a: &ndarray::ArrayD<f64>) -> Vec<u64> {
    a.iter()
        .map(|x| if x.is_nan() { u64::MAX } else { x.to_bits() })
        .collect()
}

fn bits_of(v: &[f64]) -> Vec<u64> {
    bits(&ndarray::ArrayD::from_shape_vec(vec![v.len()], v.to_vec()).unwrap())
}

/// `bincount` sizes its result from the data: a huge maximum is a typed error before anything
/// that large is allocated, never an abort (`[1, 2^31 - 1]` aborted with 16 GiB) or a panic
/// (`u64::MAX` overflowed the capacity).
#[test]
fn bincount_of_a_huge_value_is_an_error_not_an_abort() {
    let big = chunkwise::from_array(array![1u32, (1 << 31) - 1], 1).unwrap();
    let err = big.bincount(0).compute().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    let max = chunkwise::from_array(array![1u64, u64::MAX], 2).unwrap();
    let err = max.bincount(0).compute().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    // explain plans the second pass for minlength, and still works.
    assert!(max.bincount(3).explain().is_ok());
    // A large minlength alone is refused the same way.
    let small = chunkwise::from_array(array![1u8, 2], 1).unwrap();
    let err = small.bincount(usize::MAX / 2).compute().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    // The ordinary case still counts.
    assert_eq!(
        small.bincount(0).compute().unwrap().as_slice().unwrap(),
        &[0, 1, 1]
    );
}

/// A histogram of more bins than memory holds, and a result larger than memory, are typed
/// errors too (the plan is refused before anything runs).
#[test]
fn data_sized_and_huge_results_are_refused_before_they_are_allocated() {
    let x = f64s(&[0.5, 1.5], 1);
    let err = x.histogram(usize::MAX / 16, (0.0, 2.0)).err().or_else(|| {
        x.histogram(usize::MAX / 16, (0.0, 2.0))
            .and_then(|(counts, _)| counts.compute())
            .err()
    });
    assert!(matches!(err, Some(Error::TooLarge { .. })), "{err:?}");
    // 2^40 f64 (8 TiB) as an output: lazy, and refused at compute.
    let huge = chunkwise::zeros::<f64>([1 << 20, 1 << 20]);
    let err = huge.compute().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    // A limit of the user's gives MemoryLimit instead.
    let cfg = Config::default().memory_limit(1 << 30);
    let err = huge.compute_with(&cfg).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit { .. }), "{err}");
    // A selection of 2^44 elements in chunks of one: its count per chunk is refused at
    // compute; explain plans the second pass on the input's grid (O(1)), where it made a
    // vector of 2^44 counts first (the fuzzer's out-of-memory findings).
    let sel = chunkwise::arange(1 << 44)
        .rechunk(1)
        .unwrap()
        .select(&chunkwise::arange(1 << 44).rechunk(1).unwrap().gt(3i64))
        .unwrap();
    assert!(sel.compute().is_err());
    let plan = sel.explain().unwrap();
    assert!(plan.contains("pass 2 of 2"), "{plan}");
}

/// Float `//` is NumPy's divmod-based floor division, not `floor(a / b)`.
#[test]
fn float_floor_divide_is_numpys() {
    let a = f64s(&[1.0, -1.0, f64::INFINITY, -7.0, 1.0], 2);
    let b = f64s(&[0.1, f64::INFINITY, 2.0, 2.0, 0.0], 3);
    let q = a.floor_divide(&b).compute().unwrap();
    assert_eq!(
        bits(&q),
        bits_of(&[9.0, -1.0, f64::NAN, -4.0, f64::INFINITY])
    );
    // Against a scalar, and f32.
    let q = a.floor_divide(0.1).compute().unwrap();
    assert_eq!(q[0], 9.0);
    let a32 = a.cast::<f32>();
    assert_eq!(a32.floor_divide(0.1f32).compute().unwrap()[0], 9.0);
}

/// Float `%` gives a zero remainder the divisor's sign, as NumPy.
#[test]
fn float_remainder_zero_takes_the_divisor_sign() {
    let a = f64s(&[-4.0, 4.0, -1.0, 5.5], 1);
    let b = f64s(&[2.0, -2.0, f64::INFINITY, -2.0], 4);
    let r = (&a % &b).compute().unwrap();
    assert_eq!(bits(&r), bits_of(&[0.0, -0.0, f64::INFINITY, -0.5]));
    // Scalars on either side.
    let r = (&a % -2.0).compute().unwrap();
    assert_eq!(r[0].to_bits(), (-0.0f64).to_bits());
    let r = (8.0 % &f64s(&[-4.0, 3.0], 1)).compute().unwrap();
    assert_eq!(bits(&r), bits_of(&[-0.0, 2.0]));
}

/// `var` / `std` keep NaN and infinities, inside one leaf and across leaves and chunks.
#[test]
fn variance_of_nan_or_infinity_is_nan() {
    let cases: [&[f64]; 5] = [
        &[1.0, f64::NAN, 3.0],
        &[f64::INFINITY],
        &[f64::INFINITY, 1.0],
        &[f64::NEG_INFINITY, f64::NEG_INFINITY],
        &[f64::NAN],
    ];
    for xs in cases {
        for chunk in [1, 2, 5] {
            let x = f64s(xs, chunk);
            assert!(x.var().item().unwrap().is_nan(), "var {xs:?} chunk {chunk}");
            assert!(x.std().item().unwrap().is_nan(), "std {xs:?} chunk {chunk}");
        }
    }
    let x = f64s(&[f64::NAN, 2.0], 1);
    assert!(x.var_ddof(1).unwrap().item().unwrap().is_nan());
    // Along an axis (the column fold): one column with an infinity, one without.
    let m = chunkwise::from_array(array![[f64::INFINITY, 1.0], [1.0, 3.0]], 1).unwrap();
    let v = m.var_axis(0).unwrap().compute().unwrap();
    assert!(v[0].is_nan());
    assert_eq!(v[1], 1.0);
    // Finite data is unchanged, zero spread included.
    assert_eq!(f64s(&[2.0], 1).var().item().unwrap(), 0.0);
    assert_eq!(f64s(&[1.0, 3.0], 1).var().item().unwrap(), 1.0);
}

/// `nanvar` / `nanstd` leave NaNs out but keep what an infinity does (NaN).
#[test]
fn nanvar_with_infinities_is_nan() {
    for xs in [
        &[f64::INFINITY, 1.0, f64::NAN][..],
        &[f64::INFINITY, f64::INFINITY],
    ] {
        for chunk in [1, 3] {
            let x = f64s(xs, chunk);
            assert!(x.nanvar().item().unwrap().is_nan(), "{xs:?}");
            assert!(x.nanstd().item().unwrap().is_nan(), "{xs:?}");
        }
    }
    assert_eq!(f64s(&[1.0, f64::NAN, 3.0], 2).nanvar().item().unwrap(), 1.0);
}

/// `bincount` of only negative values is an error whatever `minlength` is.
#[test]
fn bincount_of_negative_values_is_an_error_for_any_minlength() {
    let x = chunkwise::from_array(array![-1i64, -5], 1).unwrap();
    for minlength in [0, 5] {
        let err = x.bincount(minlength).compute().unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
    }
    // An empty array has no value: an empty count, or minlength zeros.
    let e = chunkwise::from_array(ndarray::Array1::<i64>::zeros(0), 1).unwrap();
    assert_eq!(e.bincount(0).compute().unwrap().len(), 0);
    assert_eq!(
        e.bincount(2).compute().unwrap().as_slice().unwrap(),
        &[0, 0]
    );
}

/// `nonzero` of a 0-d array raises, as in NumPy 2; `argwhere` and `flatnonzero` do not.
#[test]
fn nonzero_of_a_0d_array_is_an_error() {
    let s = chunkwise::full([], 5i64);
    assert!(matches!(
        s.nonzero().unwrap_err(),
        Error::InvalidParameter { .. }
    ));
    assert_eq!(s.argwhere().unwrap().compute().unwrap().shape(), &[1, 0]);
    assert_eq!(
        s.flatnonzero()
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[0]
    );
}

/// `hstack` of 0-d arrays joins them as 1-d arrays (NumPy's `atleast_1d`); the first array's
/// rank picks the axis, as NumPy's.
#[test]
fn hstack_of_0d_arrays() {
    let a = chunkwise::full([], 1i64);
    let b = chunkwise::full([], 2i64);
    let h = chunkwise::hstack(&[a.clone(), b])
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(h.as_slice().unwrap(), &[1, 2]);
    let v = chunkwise::from_array(array![3i64, 4], 1).unwrap();
    let h = chunkwise::hstack(&[a, v]).unwrap().compute().unwrap();
    assert_eq!(h.as_slice().unwrap(), &[1, 3, 4]);
}

/// `-0.0` equals `0.0`: ties between them go by position in `argtopk`, and `topk` returns the
/// values at those positions.
#[test]
fn argtopk_ties_zero_and_negative_zero_by_position() {
    let x = f64s(&[0.0, -0.0, 0.0, -0.0], 3);
    assert_eq!(
        x.argtopk(-2)
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[0, 1]
    );
    assert_eq!(
        x.argtopk(2).unwrap().compute().unwrap().as_slice().unwrap(),
        &[0, 1]
    );
    let t = x.topk(2).unwrap().compute().unwrap();
    assert_eq!(bits(&t), bits_of(&[0.0, -0.0]));
    let y = f64s(&[-0.0, 1.0, 0.0], 1);
    assert_eq!(
        y.argtopk(-2)
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[0, 2]
    );
    // Along an axis too.
    let m = chunkwise::from_array(array![[0.0, -0.0, 0.0, -0.0]], 1).unwrap();
    let a = m.argtopk_axis(-2, 1).unwrap().compute().unwrap();
    assert_eq!(a, array![[0i64, 1]].into_dyn());
    let t = m.topk_axis(-2, 1).unwrap().compute().unwrap();
    assert_eq!(bits(&t), bits_of(&[0.0, -0.0]));
}

/// Integer arrays have the `<<` and `>>` operators, by a scalar or by an array, with NumPy's
/// results past the width and for negative counts.
#[test]
fn shift_operators() {
    let x = chunkwise::from_array(array![1i64, -8, 3], 2).unwrap();
    assert_eq!(
        (&x << 2i64).compute().unwrap().as_slice().unwrap(),
        &[4, -32, 12]
    );
    assert_eq!(
        (x.clone() >> 1i64).compute().unwrap().as_slice().unwrap(),
        &[0, -4, 1]
    );
    let n = chunkwise::from_array(array![1i64, 64, -1], 1).unwrap();
    assert_eq!(
        (&x << &n).compute().unwrap().as_slice().unwrap(),
        &[2, 0, 0]
    );
    assert_eq!(
        (&x >> &n).compute().unwrap().as_slice().unwrap(),
        &[0, -1, 0]
    );
    let u = chunkwise::from_array(array![0x80u8, 1], 1).unwrap();
    assert_eq!((&u >> 7u8).compute().unwrap().as_slice().unwrap(), &[1, 0]);
    assert_eq!((&u << 8u8).compute().unwrap().as_slice().unwrap(), &[0, 0]);
}

/// Fuzzer finding: a reduction over a shape whose element count overflows `usize` panicked
/// while building its tile grid (`inner * extent` in `TileGrid::new`); it is a typed error at
/// compute, and explain still works.
#[test]
fn reduction_over_an_overflowing_shape_is_an_error() {
    let z = chunkwise::zeros::<f64>([usize::MAX / 2, 3]);
    let s = z.sum();
    let _ = s.explain();
    assert!(s.compute().is_err());
    let m = chunkwise::zeros::<i64>([3, usize::MAX / 2, 5])
        .max_axis(1)
        .unwrap();
    assert!(m.compute().is_err());
}

/// Fuzzer finding (of this session's own fix): `explain` of a `bincount` with `minlength` 0
/// planned its second pass as if the maximum were -1, which is the error of negative data.
#[test]
fn bincount_explain_with_minlength_zero() {
    let x = chunkwise::from_array(array![1i64, 3, 1], 2).unwrap();
    let d = x.bincount(0);
    assert!(d.explain().unwrap().contains("pass 2 of 2"));
    assert_eq!(d.compute().unwrap().as_slice().unwrap(), &[0, 2, 0, 1]);
}

/// Fuzzer finding: slicing an axis longer than `isize::MAX` (an `arange` of `2^63 + k`
/// elements, an error recorded on the node) panicked in `clamp` with a negative bound; it is
/// the recorded error at compute.
#[test]
fn slice_of_an_axis_past_isize_max_is_an_error_not_a_panic() {
    let n = (1usize << 63) + 5;
    let a = chunkwise::arange(n);
    for info in [
        ndarray::s![3..9;2].as_ref().to_vec(),
        ndarray::s![-4..].as_ref().to_vec(),
        ndarray::s![..;-1].as_ref().to_vec(),
        ndarray::s![7].as_ref().to_vec(),
    ] {
        if let Ok(x) = a.slice(&info) {
            assert!(x.compute().is_err(), "{info:?}");
        }
    }
}

/// Fuzzer finding: the end of the last regular block of an axis near `usize::MAX` long
/// overflowed (`start + size`) when the grid was rechunked; the array is an error at compute.
#[test]
fn regular_blocks_of_an_axis_near_usize_max() {
    for (n, chunk) in [
        (usize::MAX, usize::MAX - 1),
        (usize::MAX - 3, usize::MAX / 2 + 7),
    ] {
        let a = chunkwise::arange(n).rechunk(chunk).unwrap();
        let _ = a.explain();
        assert!(a.sum().compute().is_err());
    }
}

/// Found by running the examples with odd arguments: a scan along an axis near `usize::MAX`
/// long overflowed padding its blocks; it is a typed error.
#[test]
fn scan_along_an_axis_near_usize_max_is_an_error() {
    let a = chunkwise::arange(usize::MAX);
    match a.cumsum(0) {
        Ok(c) => assert!(c.sum().compute().is_err()),
        Err(e) => assert!(matches!(e, Error::TooLarge { .. }), "{e}"),
    }
}

/// Fuzzer findings: a pad of an axis past `isize::MAX` overflowed its index arithmetic
/// (`n as isize - w`), and the listed blocks of a concatenation longer than `usize::MAX`
/// overflowed their sum; both are errors at compute.
#[test]
fn concatenation_past_usize_max_is_an_error() {
    let a = chunkwise::arange(1usize << 63)
        .rechunk(1usize << 62)
        .unwrap();
    if let Ok(p) = a.pad(&[(3, 1)], chunkwise::PadMode::Wrap) {
        let _ = p.explain();
        assert!(p.compute().is_err());
    }
    let j = chunkwise::concatenate(&[a.clone(), a.clone(), a], 0);
    if let Ok(j) = j {
        let _ = j.explain();
        assert!(j.sum().compute().is_err());
    }
}

/// CI's fuzz replay: explaining a selection over more than `usize::MAX / 8` chunks planned its
/// counting pass with an overflowing state size.
#[test]
fn explain_of_a_selection_over_1e18_chunks() {
    let x = chunkwise::arange(1_000_000_000_000_000_000)
        .rechunk(1)
        .unwrap();
    let sel = x.select(&x.gt(3i64)).unwrap();
    assert!(sel.explain().unwrap().contains("pass 2 of 2"));
}

/// CI's fuzz replay: the listed block ends of an irregular concatenation past `usize::MAX`
/// overflowed.
#[test]
fn irregular_concatenation_past_usize_max() {
    let a = chunkwise::arange(1usize << 63)
        .rechunk(3usize << 60)
        .unwrap();
    let b = chunkwise::arange(5).rechunk(2).unwrap();
    if let Ok(j) = chunkwise::concatenate(&[a.clone(), b, a], 0) {
        let _ = j.explain();
        assert!(j.sum().compute().is_err());
    }
}

/// Review find: the reduction tree kept each code bit's axis in a byte, so over more than 256
/// axes it walked the wrong ones and summed part of the array. 258 axes, the last two cut
/// into leaves (3 x 3): every value counts, in one chunk or many.
#[test]
fn reductions_over_more_than_256_axes_fold_every_leaf() {
    let mut shape = vec![1usize; 256];
    shape.extend([3, 5000]);
    let ones = chunkwise::full(shape.clone(), 1.0f64);
    assert_eq!(ones.sum().item().unwrap(), 15000.0);
    let mut chunks = vec![1usize; 256];
    chunks.extend([2, 1700]);
    let x = ones.rechunk(chunks).unwrap();
    assert_eq!(x.sum().item().unwrap(), 15000.0);
    let r = x
        .sum_with([256, 257], chunkwise::ReduceOptions::default())
        .unwrap();
    assert_eq!(r.item().unwrap(), 15000.0);
}
