//! Scans (`cumsum`, `cumprod`, `nancumsum`, `nancumprod`) and `diff` against eager sequential
//! references over the shapes and chunkings of the other suites, along every axis, with worker
//! invariance of the bits and the errors.
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{ArrayD, Axis};

/// NumPy's sequential scan along `axis` by `f`.
fn scan_ref<T: Copy>(a: &ArrayD<T>, axis: usize, f: impl Fn(T, T) -> T) -> ArrayD<T> {
    let mut out = a.clone();
    for mut lane in out.lanes_mut(Axis(axis)) {
        let mut run: Option<T> = None;
        for v in lane.iter_mut() {
            let r = match run {
                None => *v,
                Some(p) => f(p, *v),
            };
            *v = r;
            run = Some(r);
        }
    }
    out
}

#[test]
fn cumsum_and_cumprod_every_shape_chunking_and_axis() {
    for shape in shapes() {
        // Integer-valued floats keep every sum exact; powers of two keep products exact.
        let a = data_i64(&shape).mapv(|v| v as f64);
        let p = data_i64(&shape).mapv(|v| [0.5, 1.0, -2.0, 1.0][v.unsigned_abs() as usize % 4]);
        let ai = data_i64(&shape);
        for chunks in chunkings(&shape) {
            for axis in 0..shape.len() {
                let what = format!("{shape:?} {chunks:?} axis {axis}");
                let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
                let got = x.cumsum(axis as isize).unwrap().compute().unwrap();
                assert_eq!(got, scan_ref(&a, axis, |s, v| s + v), "cumsum {what}");
                let xp = chunkwise::from_array(p.clone(), chunks.clone()).unwrap();
                let got = xp.cumprod(axis as isize).unwrap().compute().unwrap();
                assert_eq!(got, scan_ref(&p, axis, |s, v| s * v), "cumprod {what}");
                let xi = chunkwise::from_array(ai.clone(), chunks.clone()).unwrap();
                let got = xi.cumsum(axis as isize).unwrap().compute().unwrap();
                assert_eq!(got, scan_ref(&ai, axis, |s, v| s + v), "int cumsum {what}");
                // Negative axes count from the end.
                let neg = axis as isize - shape.len() as isize;
                assert_eq!(
                    xi.cumsum(neg).unwrap().compute().unwrap(),
                    scan_ref(&ai, axis, |s, v| s + v),
                    "{what} as {neg}"
                );
            }
        }
    }
}

#[test]
fn scans_take_numpys_accumulator_types_and_wrap() {
    let x = chunkwise::full([300], 200u8).rechunk(7).unwrap();
    let c = x.cumsum(0).unwrap();
    assert_eq!(c.dtype(), chunkwise::DType::U64);
    assert_eq!(c.compute().unwrap()[299], 300 * 200);
    let i = chunkwise::full([70], 3i8).rechunk(9).unwrap();
    let p = i.cumprod(0).unwrap();
    assert_eq!(p.dtype(), chunkwise::DType::I64);
    // 3^70 wraps in i64, as NumPy's int64 cumprod.
    let want = (0..70).fold(1i64, |acc, _| acc.wrapping_mul(3));
    assert_eq!(p.compute().unwrap()[69], want);
    let f = chunkwise::full([5], 1.5f32).cumsum(0).unwrap();
    assert_eq!(f.dtype(), chunkwise::DType::F32);
}

#[test]
fn float_scans_are_close_to_sequential_and_the_same_for_any_workers() {
    let x = chunkwise::random::default_rng(3)
        .standard_normal([3, 50_000])
        .rechunk([2, 4_099])
        .unwrap();
    let a = x.compute().unwrap();
    let want = scan_ref(&a, 1, |s, v| s + v);
    let c = x.cumsum(1).unwrap();
    let one = c.compute_with(&Config::default().workers(1)).unwrap();
    assert_close(&one, &want, 1e-11, "cumsum of normals");
    for w in 2..=4 {
        let got = c.compute_with(&Config::default().workers(w)).unwrap();
        assert!(
            got.iter()
                .zip(&one)
                .all(|(g, o)| g.to_bits() == o.to_bits()),
            "{w} workers"
        );
    }
    // Chained into a reduction: the sum of the running sums.
    let s = c.sum().item().unwrap();
    assert!(
        (s - want.sum()).abs() <= 1e-9 * want.mapv(f64::abs).sum(),
        "{s}"
    );
}

#[test]
fn nan_scans_skip_nan() {
    let a = ndarray::array![1.0, f64::NAN, 2.0, f64::NAN, 4.0].into_dyn();
    for chunk in [1, 2, 5] {
        let x = chunkwise::from_array(a.clone(), chunk).unwrap();
        assert_eq!(
            x.nancumsum(0)
                .unwrap()
                .compute()
                .unwrap()
                .as_slice()
                .unwrap(),
            &[1.0, 1.0, 3.0, 3.0, 7.0]
        );
        assert_eq!(
            x.nancumprod(0)
                .unwrap()
                .compute()
                .unwrap()
                .as_slice()
                .unwrap(),
            &[1.0, 1.0, 2.0, 2.0, 8.0]
        );
        // Plain cumsum propagates NaN, as NumPy's.
        let c = x.cumsum(0).unwrap().compute().unwrap();
        assert_eq!(c[0], 1.0);
        assert!(c.iter().skip(1).all(|v| v.is_nan()));
    }
}

#[test]
fn diff_every_shape_and_order() {
    for shape in shapes() {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(2) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for axis in 0..shape.len() {
                let mut want = a.clone();
                for n in 0..4 {
                    let got = x.diff(n, axis as isize).unwrap();
                    assert_eq!(
                        got.compute().unwrap(),
                        want,
                        "{shape:?} {chunks:?} {axis} n={n}"
                    );
                    let len = want.shape()[axis];
                    want = if len == 0 {
                        want
                    } else {
                        let hi = want.slice_axis(Axis(axis), (1..len).into()).to_owned();
                        let lo = want.slice_axis(Axis(axis), (0..len - 1).into()).to_owned();
                        hi - lo
                    };
                }
            }
        }
    }
    // Unsigned differences wrap, as NumPy's.
    let u = chunkwise::from_array(ndarray::array![5u8, 3, 9], 2).unwrap();
    assert_eq!(
        u.diff(1, 0).unwrap().compute().unwrap().as_slice().unwrap(),
        &[254, 6]
    );
}

#[test]
fn scan_errors_and_memory() {
    let x = chunkwise::zeros::<f64>([3, 4]);
    for bad in [2, -3] {
        let e = x.cumsum(bad).unwrap_err();
        assert!(matches!(e, Error::AxisOutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("cumsum"), "{e}");
        assert!(x.diff(1, bad).is_err());
    }
    assert!(chunkwise::zeros::<f64>(Vec::<usize>::new())
        .cumsum(0)
        .is_err());
    // An empty axis, and an error recorded upstream.
    let e = chunkwise::zeros::<f64>([0, 3]).cumsum(0).unwrap();
    assert_eq!(e.compute().unwrap().shape(), &[0, 3]);
    let bad = chunkwise::arange_step(0.0, 1.0, 0.0).cumsum(0).unwrap();
    assert!(matches!(
        bad.compute().unwrap_err(),
        Error::InvalidParameter { .. }
    ));
    // A scan of 1e12 elements plans lazily with memory of a few blocks per worker.
    let big = chunkwise::arange(1_000_000_000_000)
        .rechunk(1_000_000)
        .unwrap();
    let plan = big.cumsum(0).unwrap().sum().plan().unwrap();
    assert!(plan.memory.total < 64 << 20, "{plan}");
}

#[test]
fn one_axis_scans_streamed_by_tiles_give_the_bits_of_whole_blocks() {
    // 1-d scans run tile by tile from a running value; a (1, n) array runs whole blocks. Both
    // fold the same values in the same order, whichever order the tiles are asked in.
    let n = 30_001;
    let x = chunkwise::random::default_rng(3).normal(0.0, 1.0, [n]);
    for chunk in [1usize, 7, 2048, 5000, 30_001] {
        let x = x.rechunk(chunk).unwrap();
        let lane = x.cumsum(0).unwrap();
        // The same blocks along the axis (a scan's bits follow its blocks).
        let row = x
            .reshape([1, n])
            .unwrap()
            .rechunk([1, chunk])
            .unwrap()
            .cumsum(1)
            .unwrap()
            .reshape([n])
            .unwrap();
        let want = row.compute().unwrap();
        let bits = |a: &ndarray::ArrayD<f64>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert!(
            bits(&lane.compute().unwrap()) == bits(&want),
            "chunk {chunk}"
        );
        // Tiles asked backwards, and from the middle of blocks.
        let back = lane.flip(0).unwrap().compute().unwrap();
        let mut w = want.clone();
        w.invert_axis(ndarray::Axis(0));
        assert!(bits(&back) == bits(&w), "chunk {chunk} reversed");
        let mid = lane
            .slice(ndarray::s![1234..29_000;3])
            .unwrap()
            .compute()
            .unwrap();
        let wm = want
            .slice(ndarray::s![1234..29_000;3])
            .to_owned()
            .into_dyn();
        assert!(bits(&mid) == bits(&wm), "chunk {chunk} strided");
        for w in [1, 3] {
            let s = lane
                .sum()
                .compute_with(&Config::default().workers(w))
                .unwrap();
            let r = row
                .sum()
                .compute_with(&Config::default().workers(w))
                .unwrap();
            assert_eq!(s, r, "chunk {chunk} {w} workers");
        }
    }
    // Integers (eight at a time) exactly, products wrapping.
    let i = chunkwise::arange(10_007).rechunk(999).unwrap() * 7_919i64 - 3_000i64;
    let c = i.cumsum(0).unwrap().compute().unwrap();
    let mut run = 0i64;
    for (k, v) in c.iter().enumerate() {
        run = run.wrapping_add(k as i64 * 7_919 - 3_000);
        assert_eq!(*v, run, "cumsum at {k}");
    }
    let p = (chunkwise::arange(1_003).rechunk(64).unwrap() % 5i64 + 1i64)
        .cumprod(0)
        .unwrap();
    let got = p.compute().unwrap();
    let mut run = 1i64;
    for (k, v) in got.iter().enumerate() {
        run = run.wrapping_mul(k as i64 % 5 + 1);
        assert_eq!(*v, run, "cumprod at {k}");
    }
}
