//! Arrays sized by the data: boolean selection, nonzero / argwhere / flatnonzero, unique and
//! bincount against eager references over the shared shapes and chunkings, their two passes,
//! the chunks of a resolved selection, worker invariance, and the errors.
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{ArrayD, Dimension};

#[test]
fn select_every_shape_and_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        let keep = a.mapv(|v| v > 0.5);
        let want: Vec<f64> = a
            .iter()
            .zip(keep.iter())
            .filter(|&(_, &k)| k)
            .map(|(&v, _)| v)
            .collect();
        for chunks in chunkings(&shape) {
            let what = format!("{shape:?} {chunks:?}");
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let m = chunkwise::from_array(keep.clone(), chunks.clone()).unwrap();
            let sel = x.select(&m).unwrap();
            let got = sel.compute().unwrap();
            assert_eq!(got.shape(), &[want.len()], "{what}");
            assert_eq!(got.as_slice().unwrap(), &want[..], "{what}");
            // The same through a mask computed from x, and after more operations.
            let sel2 = x.select(&x.gt(0.5)).unwrap().then(|s| Ok(s * 2.0));
            let got2 = sel2.compute().unwrap();
            let want2: Vec<f64> = want.iter().map(|v| v * 2.0).collect();
            assert_eq!(got2.as_slice().unwrap(), &want2[..], "{what}");
        }
    }
}

#[test]
fn a_resolved_selection_has_one_chunk_per_input_chunk_that_keeps_values() {
    let x = chunkwise::arange(20).rechunk(6).unwrap();
    // Keeps 2 of chunk 0 (0..6), none of chunk 1 (6..12), 5 of chunk 2, 1 of chunk 3.
    let keep = x.lt(2i64) | (x.ge(12i64) & x.lt(17i64)) | x.eq(19i64);
    let sel = x.select(&keep).unwrap().resolve().unwrap();
    assert_eq!(sel.shape(), &[8]);
    assert_eq!(sel.chunks().axis(0), &[2, 5, 1]);
    assert_eq!(
        sel.compute().unwrap().as_slice().unwrap(),
        &[0, 1, 12, 13, 14, 15, 16, 19]
    );
    // Nothing kept: an empty array; everything kept: the input.
    let none = x.select(&x.lt(0i64)).unwrap().compute().unwrap();
    assert_eq!(none.shape(), &[0]);
    let all = x.select(&x.ge(0i64)).unwrap().resolve().unwrap();
    assert_eq!(all.chunks(), x.chunks());
    // Both passes in explain, before anything runs.
    let plan = x.select(&keep).unwrap().explain().unwrap();
    assert!(
        plan.contains("pass 1 of 2") && plan.contains("select: count per chunk"),
        "{plan}"
    );
    assert!(
        plan.contains("pass 2 of 2") && plan.contains("shape [20]"),
        "{plan}"
    );
}

#[test]
fn nonzero_argwhere_and_flatnonzero_every_shape_and_chunking() {
    for shape in shapes() {
        let a = data_i64(&shape).mapv(|v| (v % 3 == 0) as i64 * v);
        let nz: Vec<Vec<usize>> = a
            .indexed_iter()
            .filter(|&(_, &v)| v != 0)
            .map(|(i, _)| i.slice().to_vec())
            .collect();
        let flat: Vec<i64> = a
            .iter()
            .enumerate()
            .filter(|&(_, &v)| v != 0)
            .map(|(i, _)| i as i64)
            .collect();
        for chunks in chunkings(&shape) {
            let what = format!("{shape:?} {chunks:?}");
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let f = x.flatnonzero().unwrap().compute().unwrap();
            assert_eq!(f.as_slice().unwrap(), &flat[..], "{what}");
            let w = x.argwhere().unwrap().compute().unwrap();
            assert_eq!(w.shape(), &[nz.len(), shape.len()], "{what}");
            for (r, idx) in nz.iter().enumerate() {
                for (d, &i) in idx.iter().enumerate() {
                    assert_eq!(w[[r, d]], i as i64, "{what} row {r}");
                }
            }
            if shape.is_empty() {
                // NumPy 2 raises for a 0-d array too.
                assert!(x.nonzero().is_err(), "{what}");
                continue;
            }
            let n = x.nonzero().unwrap().compute().unwrap();
            assert_eq!(n, w.t().to_owned(), "{what}");
        }
    }
}

#[test]
fn unique_and_counts_of_every_kind_of_value() {
    for shape in shapes() {
        let a = data_i64(&shape);
        let mut u: Vec<i64> = a.iter().copied().collect();
        u.sort_unstable();
        u.dedup();
        let counts: Vec<i64> = u
            .iter()
            .map(|v| a.iter().filter(|&&x| x == *v).count() as i64)
            .collect();
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            assert_eq!(x.unique().compute().unwrap().as_slice().unwrap(), &u[..]);
            assert_eq!(
                x.unique_counts().compute().unwrap().as_slice().unwrap(),
                &counts[..]
            );
        }
    }
    // Floats: -0.0 and 0.0 are one value (as in NumPy); NaNs are one value, last.
    let f = chunkwise::from_array(
        ndarray::array![
            2.5,
            f64::NAN,
            -1.0,
            0.0,
            2.5,
            f64::NAN,
            -0.0,
            -f64::NAN,
            -1.0,
            7.0
        ],
        3,
    )
    .unwrap();
    let u = f.unique().compute().unwrap();
    assert_eq!(&u.as_slice().unwrap()[..4], &[-1.0, 0.0, 2.5, 7.0]);
    assert!(u[1].is_sign_positive());
    assert!(u[4].is_nan() && u.len() == 5);
    assert_eq!(
        f.unique_counts().compute().unwrap().as_slice().unwrap(),
        &[2, 2, 2, 1, 3]
    );
    let b = chunkwise::arange(1000).rechunk(64).unwrap().cast::<u8>();
    assert_eq!(b.unique().compute().unwrap().len(), 256);
}

#[test]
fn bincount_with_and_without_minlength() {
    for shape in shapes() {
        let a = data_i64(&shape).mapv(|v| v + 11);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for minlength in [0usize, 5, 40] {
                let top = a.iter().copied().max().map_or(0, |m| m as usize + 1);
                let mut want = vec![0i64; top.max(minlength)];
                for &v in a.iter() {
                    want[v as usize] += 1;
                }
                let got = x.bincount(minlength).compute().unwrap();
                assert_eq!(got.as_slice().unwrap(), &want[..], "{shape:?} {chunks:?}");
            }
        }
    }
    let x = chunkwise::from_array(ndarray::array![3u8, 0, 3], 2).unwrap();
    assert_eq!(
        x.bincount(0).compute().unwrap().as_slice().unwrap(),
        &[1, 0, 0, 2]
    );
    let neg = chunkwise::from_array(ndarray::array![3, -2, 3], 2).unwrap();
    let e = neg.bincount(0).compute().unwrap_err();
    assert!(
        matches!(e, Error::InvalidValue { .. }) && e.to_string().contains("-2"),
        "{e}"
    );
}

#[test]
fn two_pass_results_are_the_same_for_any_workers() {
    let x = chunkwise::random::default_rng(5).standard_normal(vec![50_000]);
    let x = x.rechunk(3_333).unwrap();
    let sel = x.select(&x.gt(1.0)).unwrap();
    let u = (&x * 4.0).floor().unique();
    let one = Config::default().workers(1);
    let (s1, u1) = (
        sel.compute_with(&one).unwrap(),
        u.compute_with(&one).unwrap(),
    );
    for w in [2, 3] {
        let cfg = Config::default().workers(w);
        assert_eq!(sel.compute_with(&cfg).unwrap(), s1, "{w} workers");
        assert_eq!(u.compute_with(&cfg).unwrap(), u1, "{w} workers");
    }
}

#[test]
fn deferred_errors_and_empty_arrays() {
    let x = chunkwise::arange(10).rechunk(3).unwrap();
    let m = chunkwise::full([9], true);
    match x.select(&m) {
        Err(e @ Error::ShapeMismatch { .. }) => {
            assert!(
                e.to_string().contains("[9]") && e.to_string().contains("[10]"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    let e = ArrayD::<f64>::zeros(ndarray::IxDyn(&[2, 0]));
    let e = chunkwise::from_array(e, 1).unwrap();
    assert_eq!(e.select(&e.gt(0.0)).unwrap().compute().unwrap().len(), 0);
    assert_eq!(e.argwhere().unwrap().compute().unwrap().shape(), &[0, 2]);
    assert_eq!(e.unique().compute().unwrap().len(), 0);
    let ei = chunkwise::zeros::<i64>([0]);
    assert_eq!(
        ei.bincount(3).compute().unwrap().as_slice().unwrap(),
        &[0, 0, 0]
    );
    // A 0-d array: one position, no axes.
    let s = chunkwise::full([], 4i64);
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

#[test]
fn building_over_1e18_elements_stays_lazy() {
    // Nothing of the size of the array, or of its number of chunks, is made before compute.
    let n = 10usize.pow(18);
    let x = chunkwise::arange(n);
    let d = x.select(&x.lt(5i64)).unwrap();
    assert!(format!("{d:?}").contains("select: count per chunk"));
    let _ = x.flatnonzero().unwrap();
    let _ = x.argwhere().unwrap().then(|w| Ok(w.sum()));
    let _ = x.unique();
    let _ = x.bincount(3);
    let q = x.quantiles(&[0.25, 0.5]).unwrap();
    assert_eq!(q.shape(), &[2]);
    assert!(q.explain().unwrap().contains("select pass 4/4"));
    let (c, e) = x.histogram(7, (0.0, 1e18)).unwrap();
    assert_eq!((c.shape(), e.shape()), (&[7usize][..], &[8usize][..]));
    assert_eq!(x.topk(3).unwrap().shape(), &[3]);
    assert_eq!(x.argtopk(-3).unwrap().shape(), &[3]);
}
