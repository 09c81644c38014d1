//! Creation functions and array conveniences against NumPy's values, over sizes (empty
//! included), diagonals and chunkings, and their errors.
use chunkwise::Indexing;
use ndarray::{Array2, ArrayD, IxDyn};

#[test]
fn eye_identity_tri_against_numpy() {
    for (n, m) in [(0, 0), (1, 1), (3, 3), (4, 6), (6, 4), (0, 3)] {
        for k in [-7isize, -2, -1, 0, 1, 3, 9] {
            let want_eye =
                Array2::from_shape_fn((n, m), |(r, c)| f64::from(c as isize - r as isize == k));
            let want_tri =
                Array2::from_shape_fn((n, m), |(r, c)| i32::from(c as isize - r as isize <= k));
            for chunk in [1usize, 2, 5] {
                let e = chunkwise::eye::<f64>(n, m, k)
                    .rechunk([chunk, chunk])
                    .unwrap();
                assert_eq!(
                    e.compute().unwrap(),
                    want_eye.clone().into_dyn(),
                    "eye({n}, {m}, {k})"
                );
                let t = chunkwise::tri::<i32>(n, m, k).rechunk([chunk, 3]).unwrap();
                assert_eq!(
                    t.compute().unwrap(),
                    want_tri.clone().into_dyn(),
                    "tri({n}, {m}, {k})"
                );
            }
        }
    }
    let i = chunkwise::identity::<u8>(5).compute().unwrap();
    assert_eq!(i, Array2::<u8>::eye(5).into_dyn());
    // Lazy at any size: an identity of 1e9 x 1e9 builds, and its trace is a reduction.
    let big = chunkwise::identity::<f64>(1_000_000_000);
    assert_eq!(big.shape(), &[1_000_000_000, 1_000_000_000]);
    let corner = big.slice(ndarray::s![..3, ..3]).unwrap().compute().unwrap();
    assert_eq!(corner, Array2::<f64>::eye(3).into_dyn());
}

#[test]
fn like_functions_keep_shape_and_chunks() {
    let x = chunkwise::arange(30)
        .reshape([5, 6])
        .unwrap()
        .rechunk([2, 4])
        .unwrap();
    let z = chunkwise::zeros_like::<f32, _>(&x);
    let o = chunkwise::ones_like::<u64, _>(&x);
    let f = chunkwise::full_like(&x, true);
    for (shape, chunks) in [
        (z.shape(), z.chunks()),
        (o.shape(), o.chunks()),
        (f.shape(), f.chunks()),
    ] {
        assert_eq!(shape, x.shape());
        assert_eq!(chunks, x.chunks());
    }
    assert_eq!(z.sum().item().unwrap(), 0.0);
    assert_eq!(o.sum().item().unwrap(), 30);
    assert!(f.all().item().unwrap());
    assert_eq!(
        chunkwise::empty::<i64>([4, 2]).compute().unwrap(),
        ArrayD::<i64>::zeros(IxDyn(&[4, 2]))
    );
}

#[test]
fn indices_and_meshgrid() {
    for shape in [vec![3], vec![2, 3], vec![2, 0, 4], vec![1, 2, 3]] {
        let g = chunkwise::indices(shape.clone())
            .unwrap()
            .compute()
            .unwrap();
        let mut want_shape = vec![shape.len()];
        want_shape.extend(&shape);
        assert_eq!(g.shape(), &want_shape[..]);
        for (idx, v) in g.indexed_iter() {
            assert_eq!(*v, idx[idx[0] + 1] as i64, "indices {shape:?} at {idx:?}");
        }
    }
    let x = chunkwise::from_array(ndarray::arr1(&[1.0, 2.0, 3.0]), 2).unwrap();
    let y = chunkwise::from_array(ndarray::arr1(&[10.0, 20.0]), 1).unwrap();
    let z = chunkwise::from_array(ndarray::arr1(&[7.0, 8.0, 9.0, 0.0]), 3).unwrap();
    let xy = chunkwise::meshgrid(&[x.clone(), y.clone()], Indexing::Xy).unwrap();
    let (gx, gy) = (xy[0].compute().unwrap(), xy[1].compute().unwrap());
    assert_eq!(gx.shape(), &[2, 3]);
    for ((i, j), v) in gx
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter()
    {
        assert_eq!(*v, [1.0, 2.0, 3.0][j], "xy x at {i},{j}");
    }
    for ((i, _), v) in gy
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter()
    {
        assert_eq!(*v, [10.0, 20.0][i]);
    }
    let ij = chunkwise::meshgrid(&[x, y, z], Indexing::Ij).unwrap();
    let g: Vec<ArrayD<f64>> = ij.iter().map(|a| a.compute().unwrap()).collect();
    assert_eq!(g[0].shape(), &[3, 2, 4]);
    for (idx, _) in g[0].indexed_iter() {
        assert_eq!(g[0][&idx], [1.0, 2.0, 3.0][idx[0]]);
        assert_eq!(g[1][&idx], [10.0, 20.0][idx[1]]);
        assert_eq!(g[2][&idx], [7.0, 8.0, 9.0, 0.0][idx[2]]);
    }
    let not_1d = chunkwise::zeros::<f64>([2, 2]);
    assert!(matches!(
        chunkwise::meshgrid(&[not_1d], Indexing::Ij),
        Err(chunkwise::Error::InvalidParameter { .. })
    ));
}

#[test]
fn fromfunction_per_element_and_its_panics() {
    for chunks in [[1usize, 1], [2, 3], [4, 5]] {
        let x = chunkwise::fromfunction([4, 5], |i| (i[0] * 100 + i[1]) as i64)
            .rechunk(chunks)
            .unwrap();
        let want = ndarray::Array2::from_shape_fn((4, 5), |(r, c)| (r * 100 + c) as i64);
        assert_eq!(x.compute().unwrap(), want.into_dyn());
    }
    let bad = chunkwise::fromfunction([10], |i| {
        assert!(i[0] != 7, "no seven");
        i[0] as f64
    });
    let err = bad.compute().unwrap_err();
    assert!(matches!(&err, chunkwise::Error::Block { .. }), "{err}");
    assert!(err.to_string().contains("no seven"), "{err}");
}

#[test]
fn spaced_ranges_against_numpy() {
    // np.linspace(0, 1, 4, endpoint=False) = [0, 0.25, 0.5, 0.75]
    let x = chunkwise::linspace_endpoint(0.0, 1.0, 4, false)
        .compute()
        .unwrap();
    assert_eq!(x.as_slice().unwrap(), &[0.0, 0.25, 0.5, 0.75]);
    let y = chunkwise::linspace_endpoint(2.0, 3.0, 5, true)
        .compute()
        .unwrap();
    assert_eq!(y, chunkwise::linspace(2.0, 3.0, 5).compute().unwrap());
    assert_eq!(chunkwise::linspace_endpoint(0.0, 1.0, 0, false).len(), 0);
    assert!(chunkwise::linspace_endpoint(f64::NAN, 1.0, 3, false)
        .compute()
        .is_err());
    // np.logspace(0, 2, 3, base=2) = [1, 2, 4]
    let l = chunkwise::logspace(0.0, 2.0, 3, 2.0).compute().unwrap();
    assert_eq!(l.as_slice().unwrap(), &[1.0, 2.0, 4.0]);
    // np.geomspace(-1000, -1, 4) = [-1000, -100, -10, -1], ends exact.
    let g = chunkwise::geomspace(-1000.0, -1.0, 4).compute().unwrap();
    assert_eq!(g.as_slice().unwrap(), &[-1000.0, -100.0, -10.0, -1.0]);
    let g = chunkwise::geomspace(3.0, 7.0, 9)
        .rechunk(4)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!((g[0], g[8]), (3.0, 7.0));
    for w in g.as_slice().unwrap().windows(3) {
        let r = (w[1] / w[0]) / (w[2] / w[1]);
        assert!((r - 1.0).abs() < 1e-12, "a constant ratio: {w:?}");
    }
    for (a, b) in [(0.0, 1.0), (-1.0, 1.0), (1.0, f64::INFINITY)] {
        let err = chunkwise::geomspace(a, b, 3).compute().unwrap_err();
        assert!(
            matches!(err, chunkwise::Error::InvalidParameter { .. }),
            "{a}, {b}: {err}"
        );
    }
}

#[test]
fn conveniences_like_dask() {
    let x = chunkwise::random::default_rng(1)
        .random([7, 10])
        .rechunk([3, 4])
        .unwrap();
    assert_eq!(x.nbytes(), 7 * 10 * 8);
    assert_eq!(x.numblocks(), vec![3, 3]);
    let whole = x.compute().unwrap();
    for i in 0..3 {
        for j in 0..3 {
            let b = x.blocks(&[i, j]).unwrap();
            let (r, c) = (i * 3..(i * 3 + 3).min(7), j * 4..(j * 4 + 4).min(10));
            let want = whole.slice(ndarray::s![r, c]).to_owned().into_dyn();
            assert_eq!(b.compute().unwrap(), want, "block {i},{j}");
            assert_eq!(b.numblocks(), vec![1, 1]);
        }
    }
    for bad in [&[3usize, 0][..], &[0], &[0, 0, 0]] {
        assert!(
            matches!(
                x.blocks(bad),
                Err(chunkwise::Error::InvalidParameter { .. })
            ),
            "{bad:?}"
        );
    }
    let shown = x.to_string();
    assert!(
        shown.starts_with("ChunkedArray<f64> shape [7, 10], chunk shape [3, 4], 9 chunks, 560 B"),
        "{shown}"
    );
    // Lazy at any size, and an invalid array says so instead of failing to print.
    let huge = chunkwise::zeros::<u8>([1_000_000_000, 1_000_000_000]);
    assert_eq!(huge.nbytes(), 1_000_000_000_000_000_000);
    assert!(huge.to_string().contains("TiB"), "{huge}");
    let invalid = chunkwise::arange(3) + chunkwise::arange(4);
    assert!(invalid.to_string().contains("invalid"), "{invalid}");
}
