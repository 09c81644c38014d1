//! The `linalg` decompositions and functions against eager references over stacks of matrices
//! and their chunkings: each result checked by what defines it (`L L^T = x`, `Q R = x` with
//! `Q^T Q = I`, `U S Vh = x`, `x inv(x) = I`, `x solve(x, b) = b`, `x v = v w`), NumPy's
//! reference values for small cases, the same bits for every chunking (each matrix is
//! decomposed by one worker, whatever the grid), the norms, `diagonal`, `trace`, `outer`,
//! `cross` and `matrix_power` against loops, and every error path.

use crate::common::*;
use chunkwise::ndarray::{s, Array2, ArrayD, Axis, Ix2, IxDyn};
use chunkwise::{ChunkedArray, DType, DynArray, Error, MatrixNorm};

/// Stacks of square matrices: the matrix sides, and stacks of 0, 1 and 2 leading axes.
const SQUARE: &[&[usize]] = &[
    &[1, 1],
    &[2, 2],
    &[3, 3],
    &[5, 5],
    &[4, 3, 3],
    &[2, 3, 4, 4],
    &[3, 1, 2, 2],
];

/// Stacks of rectangular matrices (tall, wide and square).
const RECT: &[&[usize]] = &[
    &[3, 2],
    &[2, 5],
    &[4, 4],
    &[3, 5, 2],
    &[2, 2, 1, 4],
    &[6, 1],
];

/// Chunkings of `shape` (a few: the matrix axes split too, which the decompositions undo).
fn grids(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut g = vec![shape.iter().map(|&n| n.max(1)).collect::<Vec<_>>()];
    g.push(shape.iter().map(|_| 1).collect());
    g.push(shape.iter().map(|&n| n.div_ceil(2).max(1)).collect());
    g
}

fn arr(a: &ArrayD<f64>, chunks: &[usize]) -> ChunkedArray<f64> {
    chunkwise::from_array(a.clone(), chunks.to_vec()).unwrap()
}

/// The matrices of a stack, in C order of the stack.
fn matrices(a: &ArrayD<f64>) -> Vec<Array2<f64>> {
    let nd = a.ndim();
    let (m, n) = (a.shape()[nd - 2], a.shape()[nd - 1]);
    let count = a.len() / (m * n).max(1);
    let flat = a
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order(IxDyn(&[count, m, n]))
        .unwrap();
    (0..count)
        .map(|i| {
            flat.index_axis(Axis(0), i)
                .to_owned()
                .into_dimensionality::<Ix2>()
                .unwrap()
        })
        .collect()
}

/// The vectors of a stack of vectors (the last axis), in C order of the stack.
fn vectors(a: &ArrayD<f64>) -> Vec<Vec<f64>> {
    let k = *a.shape().last().unwrap();
    let v: Vec<f64> = a.iter().copied().collect();
    if k == 0 {
        return vec![vec![]; a.len()];
    }
    v.chunks(k).map(|c| c.to_vec()).collect()
}

fn close2(got: &Array2<f64>, want: &Array2<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: got\n{got}\nwant\n{want}"
        );
    }
}

/// Symmetric positive definite matrices of `shape`: `a a^T + n I`.
fn spd(shape: &[usize]) -> ArrayD<f64> {
    let a = data_f64(shape);
    let n = shape[shape.len() - 1];
    let mats: Vec<Array2<f64>> = matrices(&a)
        .into_iter()
        .map(|m| m.dot(&m.t()) + Array2::<f64>::eye(n) * n as f64)
        .collect();
    stack_of(&mats, shape)
}

/// The matrices `mats` as an array of `shape`.
fn stack_of(mats: &[Array2<f64>], shape: &[usize]) -> ArrayD<f64> {
    let v: Vec<f64> = mats.iter().flat_map(|m| m.iter().copied()).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Every chunking of `shape` gives the same bits as the first one.
fn same_bits_over_grids(
    shape: &[usize],
    x: &ArrayD<f64>,
    f: impl Fn(&ChunkedArray<f64>) -> ArrayD<f64>,
) -> ArrayD<f64> {
    let grids = grids(shape);
    let first = f(&arr(x, &grids[0]));
    for g in &grids[1..] {
        let got = f(&arr(x, g));
        assert_eq!(got.shape(), first.shape(), "{shape:?} grid {g:?}");
        assert!(
            got.iter()
                .zip(&first)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{shape:?}: grid {g:?} changed the bits"
        );
    }
    first
}

#[test]
fn cholesky_reconstructs_and_is_triangular() {
    for &shape in SQUARE {
        let x = spd(shape);
        for upper in [false, true] {
            let l =
                same_bits_over_grids(shape, &x, |a| a.cholesky(upper).unwrap().compute().unwrap());
            for (f, a) in matrices(&l).iter().zip(matrices(&x)) {
                let rebuilt = if upper { f.t().dot(f) } else { f.dot(&f.t()) };
                close2(&rebuilt, &a, 1e-10, "cholesky");
                for ((i, j), v) in f.indexed_iter() {
                    if (upper && i > j) || (!upper && i < j) {
                        assert_eq!(*v, 0.0, "cholesky {shape:?} upper={upper}: ({i}, {j})");
                    }
                }
            }
        }
    }
}

#[test]
fn det_slogdet_inv_solve_against_their_definitions() {
    for &shape in SQUARE {
        let x = spd(shape);
        let n = shape[shape.len() - 1];
        let det = same_bits_over_grids(shape, &x, |a| a.det().unwrap().compute().unwrap());
        let sign = same_bits_over_grids(shape, &x, |a| a.slogdet().unwrap().0.compute().unwrap());
        let log = same_bits_over_grids(shape, &x, |a| a.slogdet().unwrap().1.compute().unwrap());
        let inv = same_bits_over_grids(shape, &x, |a| a.inv().unwrap().compute().unwrap());
        let mats = matrices(&x);
        for (k, a) in mats.iter().enumerate() {
            // The determinant as the product of the Cholesky diagonal squared (an SPD matrix).
            let l = arr(&a.clone().into_dyn(), &[n, n])
                .cholesky(false)
                .unwrap()
                .compute()
                .unwrap();
            let want: f64 = (0..n).map(|i| l[[i, i]] * l[[i, i]]).product();
            let d = det.iter().nth(k).copied().unwrap();
            assert!(
                (d - want).abs() <= 1e-9 * want.abs(),
                "det {shape:?}: {d} vs {want}"
            );
            assert_eq!(sign.iter().nth(k).copied().unwrap(), 1.0);
            let lg = log.iter().nth(k).copied().unwrap();
            assert!(
                (lg - want.ln()).abs() <= 1e-9 * want.ln().abs().max(1.0),
                "slogdet {shape:?}"
            );
            close2(&a.dot(&matrices(&inv)[k]), &Array2::eye(n), 1e-9, "inv");
        }
        // solve against a stack of right-hand sides and one vector.
        let mut bshape = shape.to_vec();
        *bshape.last_mut().unwrap() = 2;
        let b = data_f64(&bshape);
        let sol = x_solve(&x, shape, &b, &bshape);
        for ((a, xs), bs) in mats.iter().zip(matrices(&sol)).zip(matrices(&b)) {
            close2(&a.dot(&xs), &bs, 1e-9, "solve");
        }
        let v = data_f64(&[n]);
        let sol = arr(&x, &grids(shape)[1])
            .solve(&arr(&v, &[1]))
            .unwrap()
            .compute()
            .unwrap();
        assert_eq!(sol.shape(), &shape[..shape.len() - 1]);
        for (a, xs) in mats.iter().zip(vectors(&sol)) {
            let got = a.dot(&chunkwise::ndarray::Array1::from(xs));
            for (g, w) in got.iter().zip(v.iter()) {
                assert!(
                    (g - w).abs() < 1e-9 * (1.0 + w.abs()),
                    "solve of a vector {shape:?}"
                );
            }
        }
    }
}

fn x_solve(x: &ArrayD<f64>, shape: &[usize], b: &ArrayD<f64>, bshape: &[usize]) -> ArrayD<f64> {
    let mut first: Option<ArrayD<f64>> = None;
    for (g, h) in grids(shape).iter().zip(grids(bshape)) {
        let got = arr(x, g).solve(&arr(b, &h)).unwrap().compute().unwrap();
        if let Some(f) = &first {
            assert!(
                got.iter().zip(f).all(|(a, b)| a.to_bits() == b.to_bits()),
                "solve bits"
            );
        } else {
            first = Some(got);
        }
    }
    first.unwrap()
}

#[test]
fn singular_and_not_positive_definite_are_errors_at_compute() {
    let singular = ArrayD::from_shape_vec(
        IxDyn(&[2, 2, 2]),
        vec![2.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 4.0],
    )
    .unwrap();
    let x = arr(&singular, &[1, 2, 2]);
    for r in [x.inv(), x.solve(&arr(&data_f64(&[2, 2, 1]), &[1, 2, 1]))] {
        let e = r.unwrap().compute().unwrap_err();
        assert!(
            matches!(&e, Error::Block { op, reason, .. } if op.contains("linalg") && reason.contains("singular")),
            "{e}"
        );
    }
    // The determinant of a singular matrix is 0, its slogdet (0, -inf): no error.
    let (sign, log) = x.slogdet().unwrap();
    assert_eq!(sign.compute().unwrap().as_slice().unwrap(), &[1.0, 0.0]);
    assert_eq!(log.compute().unwrap()[[1]], f64::NEG_INFINITY);
    assert_eq!(x.det().unwrap().compute().unwrap()[[1]], 0.0);
    let e = x.cholesky(false).unwrap().compute().unwrap_err();
    assert!(e.to_string().contains("positive definite"), "{e}");
}

#[test]
fn eigh_and_eigvalsh_against_their_definition() {
    for &shape in SQUARE {
        let a = data_f64(shape);
        // Symmetric: a + a^T.
        let sym = stack_of(
            &matrices(&a).iter().map(|m| m + &m.t()).collect::<Vec<_>>(),
            shape,
        );
        let w = same_bits_over_grids(shape, &sym, |x| x.eigh().unwrap().0.compute().unwrap());
        let v = same_bits_over_grids(shape, &sym, |x| x.eigh().unwrap().1.compute().unwrap());
        let wo = same_bits_over_grids(shape, &sym, |x| x.eigvalsh().unwrap().compute().unwrap());
        // eigvalsh is eigh's values: the trace is their sum, the determinant their product.
        assert_close(&wo, &w, 1e-12, "eigvalsh");
        for (m, ws) in matrices(&sym).iter().zip(vectors(&w)) {
            let tr: f64 = m.diag().sum();
            assert!(
                (ws.iter().sum::<f64>() - tr).abs() < 1e-9 * (1.0 + tr.abs()),
                "trace"
            );
        }
        for ((m, ws), vs) in matrices(&sym).iter().zip(vectors(&w)).zip(matrices(&v)) {
            assert!(ws.windows(2).all(|p| p[0] <= p[1]), "ascending");
            let n = ws.len();
            let lambda = Array2::from_diag(&chunkwise::ndarray::Array1::from(ws));
            close2(&m.dot(&vs), &vs.dot(&lambda), 1e-9, "x v = v w");
            close2(&vs.t().dot(&vs), &Array2::eye(n), 1e-9, "v orthonormal");
        }
    }
}

#[test]
fn svd_qr_pinv_against_their_definitions() {
    for &shape in RECT {
        let x = data_f64(shape);
        let nd = shape.len();
        let (m, n) = (shape[nd - 2], shape[nd - 1]);
        let k = m.min(n);
        for full in [false, true] {
            let u = same_bits_over_grids(shape, &x, |a| a.svd(full).unwrap().u.compute().unwrap());
            let s = same_bits_over_grids(shape, &x, |a| a.svd(full).unwrap().s.compute().unwrap());
            let vh =
                same_bits_over_grids(shape, &x, |a| a.svd(full).unwrap().vh.compute().unwrap());
            assert_eq!(u.shape()[nd - 1], if full { m } else { k });
            assert_eq!(vh.shape()[nd - 2], if full { n } else { k });
            for (((a, us), ss), vs) in matrices(&x)
                .iter()
                .zip(matrices(&u))
                .zip(vectors(&s))
                .zip(matrices(&vh))
            {
                assert!(ss.windows(2).all(|p| p[0] >= p[1]) && ss.iter().all(|&v| v >= 0.0));
                let mut sigma = Array2::<f64>::zeros((us.ncols(), vs.nrows()));
                for (i, &v) in ss.iter().enumerate() {
                    sigma[[i, i]] = v;
                }
                close2(&us.dot(&sigma).dot(&vs), a, 1e-9, "U S Vh");
                close2(
                    &us.t().dot(&us),
                    &Array2::eye(us.ncols()),
                    1e-9,
                    "U orthonormal",
                );
            }
            // The singular values squared are the eigenvalues of x^T x (largest first).
            for (a, ss) in matrices(&x).iter().zip(vectors(&s)) {
                let gram = a.t().dot(a);
                let g = arr(&gram.clone().into_dyn(), &[n, n])
                    .eigvalsh()
                    .unwrap()
                    .compute()
                    .unwrap();
                let mut ev: Vec<f64> = g
                    .iter()
                    .copied()
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .take(k)
                    .collect();
                ev.iter_mut().for_each(|v| *v = v.max(0.0).sqrt());
                for (got, want) in ss.iter().zip(ev) {
                    assert!(
                        (got - want).abs() < 1e-7 * (1.0 + want),
                        "svdvals {shape:?}: {got} vs {want}"
                    );
                }
            }
        }
        for complete in [false, true] {
            let q =
                same_bits_over_grids(shape, &x, |a| a.qr(complete).unwrap().0.compute().unwrap());
            let r =
                same_bits_over_grids(shape, &x, |a| a.qr(complete).unwrap().1.compute().unwrap());
            let qk = if complete { m } else { k };
            assert_eq!((q.shape()[nd - 1], r.shape()[nd - 2]), (qk, qk));
            for ((a, qs), rs) in matrices(&x).iter().zip(matrices(&q)).zip(matrices(&r)) {
                close2(&qs.dot(&rs), a, 1e-9, "Q R");
                close2(&qs.t().dot(&qs), &Array2::eye(qk), 1e-9, "Q orthonormal");
                for ((i, j), v) in rs.indexed_iter() {
                    assert!(i <= j || *v == 0.0, "R upper triangular");
                }
            }
        }
        // pinv: the Moore-Penrose conditions a p a = a and p a p = p.
        let p = same_bits_over_grids(shape, &x, |a| a.pinv(None).unwrap().compute().unwrap());
        for (a, ps) in matrices(&x).iter().zip(matrices(&p)) {
            assert_eq!(ps.shape(), &[n, m]);
            close2(&a.dot(&ps).dot(a), a, 1e-8, "a p a");
            close2(&ps.dot(a).dot(&ps), &ps, 1e-8, "p a p");
        }
    }
}

#[test]
fn numpy_reference_values() {
    // np.linalg on [[1, 2], [3, 4]] (NumPy 2.4).
    let x = arr(
        &ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap(),
        &[1, 2],
    );
    assert!((x.det().unwrap().compute().unwrap()[[]] + 2.0).abs() < 1e-12);
    let s = x.svdvals().unwrap().compute().unwrap();
    assert!(
        (s[[0]] - 5.464985704219043).abs() < 1e-12 && (s[[1]] - 0.36596619062625746).abs() < 1e-12
    );
    let inv = x.inv().unwrap().compute().unwrap();
    let want = [-2.0, 1.0, 1.5, -0.5];
    assert!(
        inv.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12),
        "{inv}"
    );
    let p = x.pinv(None).unwrap().compute().unwrap();
    assert!(
        p.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12),
        "{p}"
    );
}

#[test]
fn values_near_the_largest_float_scale_instead_of_failing() {
    // np.linalg.svd(np.full((2, 2), 1e308))[1] is [inf, 0]; eigvalsh likewise overflows to inf.
    let x = arr(&ArrayD::from_elem(IxDyn(&[2, 2]), 1e308), &[2, 2]);
    let s = x.svdvals().unwrap().compute().unwrap();
    assert_eq!(s[[0]], f64::INFINITY);
    assert_eq!(s[[1]], 0.0);
    let w = x.eigvalsh().unwrap().compute().unwrap();
    assert_eq!(w[[1]], f64::INFINITY);
    let u = x.svd(true).unwrap().u.compute().unwrap();
    assert!(u.iter().all(|v| v.is_finite()));
    // f32 too: 3e38 is near f32's largest.
    let x32 = chunkwise::full(vec![2, 2], 3e38f32);
    let s32 = x32.svdvals().unwrap().compute().unwrap();
    assert_eq!(s32[[0]], f32::INFINITY);
}

#[test]
fn empty_matrices_and_stacks() {
    // 0 x 0 matrices: det 1, slogdet (1, 0), inverse and Cholesky empty.
    let e = arr(&ArrayD::zeros(IxDyn(&[3, 0, 0])), &[1, 1, 1]);
    assert_eq!(
        e.det().unwrap().compute().unwrap().as_slice().unwrap(),
        &[1.0; 3]
    );
    let (sign, log) = e.slogdet().unwrap();
    assert_eq!(sign.compute().unwrap().as_slice().unwrap(), &[1.0; 3]);
    assert_eq!(log.compute().unwrap().as_slice().unwrap(), &[0.0; 3]);
    assert_eq!(e.inv().unwrap().compute().unwrap().shape(), &[3, 0, 0]);
    assert_eq!(e.cholesky(false).unwrap().shape(), &[3, 0, 0]);
    // An empty stack.
    let z = arr(&ArrayD::zeros(IxDyn(&[0, 2, 2])), &[1, 2, 2]);
    assert_eq!(z.det().unwrap().compute().unwrap().shape(), &[0]);
    assert_eq!(
        z.svd(true).unwrap().u.compute().unwrap().shape(),
        &[0, 2, 2]
    );
    // A 0 x 3 matrix: full SVD's Vh is 3 x 3 and orthonormal; complete QR's Q is 0 x 0.
    let w = arr(&ArrayD::zeros(IxDyn(&[0, 3])), &[1, 3]);
    let vh = w
        .svd(true)
        .unwrap()
        .vh
        .compute()
        .unwrap()
        .into_dimensionality::<Ix2>()
        .unwrap();
    close2(&vh.t().dot(&vh), &Array2::eye(3), 1e-12, "Vh of 0 x 3");
    assert_eq!(w.svdvals().unwrap().compute().unwrap().shape(), &[0]);
    let (q, r) = w.qr(true).unwrap();
    assert_eq!((q.shape(), r.shape()), (&[0, 0][..], &[0, 3][..]));
    let t = arr(&ArrayD::zeros(IxDyn(&[3, 0])), &[3, 1]);
    let q = t
        .qr(true)
        .unwrap()
        .0
        .compute()
        .unwrap()
        .into_dimensionality::<Ix2>()
        .unwrap();
    close2(&q.t().dot(&q), &Array2::eye(3), 1e-12, "Q of 3 x 0");
    assert_eq!(t.pinv(None).unwrap().compute().unwrap().shape(), &[0, 3]);
}

#[test]
fn blocks_hold_few_matrices_when_results_are_larger() {
    // A full SVD of 100 x 2 matrices: U is 100 x 100 per matrix, 50 times the input, so the
    // stack is cut to one matrix per block where the input held all 64.
    let x = arr(&data_f64(&[64, 100, 2]), &[64, 100, 2]);
    let svd = x.svd(true).unwrap();
    assert_eq!(svd.u.shape(), &[64, 100, 100]);
    assert_eq!(svd.u.chunks().axes()[0].max(), 1);
    // The values are as small as the input: its blocks stay whole.
    assert_eq!(x.svdvals().unwrap().chunks().axes()[0].max(), 64);
    // Per-matrix tolerances over empty matrices: an empty result, no reduction of nothing.
    let e = arr(&ArrayD::zeros(IxDyn(&[2, 0, 3])), &[1, 1, 1]);
    let r = arr(&data_f64(&[2]), &[2]);
    assert_eq!(
        e.pinv_with(&r).unwrap().compute().unwrap().shape(),
        &[2, 3, 0]
    );
}

#[test]
fn shape_and_parameter_errors() {
    let v = arr(&data_f64(&[4]), &[2]);
    let rect = arr(&data_f64(&[2, 3]), &[2, 3]);
    for r in [
        v.det(),
        rect.det(),
        rect.inv(),
        rect.cholesky(false),
        rect.eigvalsh(),
        v.svdvals(),
        v.qr(false).map(|p| p.0),
    ] {
        assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
    }
    let sq = arr(&spd(&[3, 3]), &[3, 3]);
    for b in [data_f64(&[2]), data_f64(&[2, 2]), data_f64(&[])] {
        let r = sq.solve(&arr(
            &b,
            &b.shape().iter().map(|&n| n.max(1)).collect::<Vec<_>>(),
        ));
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    }
    // Stacks that do not broadcast.
    let a = arr(&spd(&[2, 3, 3]), &[1, 3, 3]);
    let b = arr(&data_f64(&[3, 3, 1]), &[1, 3, 1]);
    assert!(a.solve(&b).is_err());
    assert!(matches!(
        sq.pinv(Some(-1.0)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        sq.pinv(Some(f64::NAN)),
        Err(Error::InvalidParameter { .. })
    ));
}

fn dyn_f64(a: &ArrayD<f64>, chunks: &[usize]) -> DynArray {
    DynArray::from(arr(a, chunks))
}

#[test]
fn norms_against_loops() {
    for &shape in RECT {
        let x = data_f64(shape);
        for g in grids(shape) {
            let d = dyn_f64(&x, &g);
            let mats = matrices(&x);
            let each =
                |f: &dyn Fn(&Array2<f64>) -> f64| -> Vec<f64> { mats.iter().map(f).collect() };
            let col = |m: &Array2<f64>| -> Vec<f64> {
                m.columns()
                    .into_iter()
                    .map(|c| c.iter().map(|v| v.abs()).sum())
                    .collect()
            };
            let row = |m: &Array2<f64>| -> Vec<f64> {
                m.rows()
                    .into_iter()
                    .map(|c| c.iter().map(|v| v.abs()).sum())
                    .collect()
            };
            let max = |v: Vec<f64>| v.into_iter().fold(f64::NEG_INFINITY, f64::max);
            let min = |v: Vec<f64>| v.into_iter().fold(f64::INFINITY, f64::min);
            let cases: Vec<(MatrixNorm, Vec<f64>)> = vec![
                (
                    MatrixNorm::Frobenius,
                    each(&|m| m.iter().map(|v| v * v).sum::<f64>().sqrt()),
                ),
                (MatrixNorm::MaxColumnSum, each(&|m| max(col(m)))),
                (MatrixNorm::MinColumnSum, each(&|m| min(col(m)))),
                (MatrixNorm::MaxRowSum, each(&|m| max(row(m)))),
                (MatrixNorm::MinRowSum, each(&|m| min(row(m)))),
            ];
            let sv = vectors(&arr(&x, &g).svdvals().unwrap().compute().unwrap());
            let mut cases = cases;
            cases.push((
                MatrixNorm::LargestSingular,
                sv.iter().map(|s| s[0]).collect(),
            ));
            cases.push((
                MatrixNorm::SmallestSingular,
                sv.iter().map(|s| *s.last().unwrap()).collect(),
            ));
            cases.push((
                MatrixNorm::Nuclear,
                sv.iter().map(|s| s.iter().sum()).collect(),
            ));
            for (ord, want) in cases {
                let got = f64_values(&d.matrix_norm(ord, false).unwrap());
                assert_eq!(got.shape(), &shape[..shape.len() - 2]);
                let want = ArrayD::from_shape_vec(got.raw_dim(), want).unwrap();
                assert_close(&got, &want, 1e-12, &format!("{ord:?} {shape:?}"));
                let kept = d.matrix_norm(ord, true).unwrap();
                assert_eq!(&kept.shape()[shape.len() - 2..], &[1, 1]);
            }
            // vector_norm over every axis and over the last.
            for ord in [2.0, 1.0, 0.0, -1.0, 3.5, f64::INFINITY, f64::NEG_INFINITY] {
                let p = |v: &[f64]| -> f64 {
                    let a: Vec<f64> = v.iter().map(|x| x.abs()).collect();
                    if ord == f64::INFINITY {
                        max(a)
                    } else if ord == f64::NEG_INFINITY {
                        min(a)
                    } else if ord == 0.0 {
                        a.iter().filter(|&&x| x != 0.0).count() as f64
                    } else {
                        a.iter().map(|x| x.powf(ord)).sum::<f64>().powf(1.0 / ord)
                    }
                };
                let all = f64_values(&d.vector_norm(None, ord, false).unwrap());
                let want = p(x.as_slice().unwrap());
                assert!(
                    (all[[]] - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "vector_norm {ord} {shape:?}"
                );
                let last = f64_values(&d.vector_norm(-1, ord, true).unwrap());
                let want: Vec<f64> = vectors(&x).iter().map(|v| p(v)).collect();
                assert_eq!(*last.shape().last().unwrap(), 1);
                for (g, w) in last.iter().zip(want) {
                    assert!(
                        (g - w).abs() <= 1e-12 * w.abs().max(1.0)
                            || (g.is_infinite() && w.is_infinite()),
                        "vector_norm {ord} last {shape:?}"
                    );
                }
            }
        }
    }
    let v = dyn_f64(&data_f64(&[3]), &[3]);
    assert!(v.matrix_norm(MatrixNorm::Frobenius, false).is_err());
    assert!(v.vector_norm(None, f64::NAN, false).is_err());
}

#[test]
fn diagonal_trace_outer_cross_against_loops() {
    let x = data_i64(&[2, 3, 4]);
    for g in [vec![1, 1, 1], vec![2, 3, 4], vec![1, 2, 3]] {
        let d = DynArray::from(chunkwise::from_array(x.clone(), g.clone()).unwrap());
        for offset in [-4isize, -3, -1, 0, 1, 2, 3, 4, 7, isize::MIN, isize::MAX] {
            let got = d
                .diagonal(offset)
                .unwrap()
                .compute()
                .unwrap()
                .downcast::<i64>()
                .unwrap();
            let mut want = Vec::new();
            let mut len = 0;
            for b in 0..2 {
                let mut lane = Vec::new();
                for i in 0..3i64 {
                    let j = i as i128 + offset as i128;
                    if (0..4).contains(&j) {
                        lane.push(x[[b, i as usize, j as usize]]);
                    }
                }
                len = lane.len();
                want.extend(lane);
            }
            assert_eq!(got.shape(), &[2, len], "diagonal {offset} {g:?}");
            assert_eq!(
                got.iter().copied().collect::<Vec<_>>(),
                want,
                "diagonal {offset}"
            );
            let t = d.trace(offset, None).unwrap();
            assert_eq!(t.dtype(), DType::I64);
            let t = t.compute().unwrap().downcast::<i64>().unwrap();
            let sums: Vec<i64> = want.chunks(len.max(1)).map(|c| c.iter().sum()).collect();
            let sums = if len == 0 { vec![0, 0] } else { sums };
            assert_eq!(t.as_slice().unwrap(), &sums[..], "trace {offset}");
        }
        assert_eq!(
            d.astype(DType::I8)
                .trace(0, Some(DType::F32))
                .unwrap()
                .dtype(),
            DType::F32
        );
    }
    let a = DynArray::from(chunkwise::from_array(data_i64(&[4]), vec![3]).unwrap());
    let b = DynArray::from(chunkwise::from_array(data_f64(&[3]), vec![2]).unwrap());
    let o = a.outer(&b).unwrap();
    assert_eq!(o.dtype(), DType::F64);
    let o = f64_values(&o);
    for i in 0..4 {
        for j in 0..3 {
            assert_eq!(o[[i, j]], data_i64(&[4])[[i]] as f64 * data_f64(&[3])[[j]]);
        }
    }
    assert!(matches!(
        a.outer(&dyn_f64(&data_f64(&[2, 2]), &[2, 2])),
        Err(Error::ShapeMismatch { .. })
    ));
    // cross along axis 0 and -1, broadcast.
    let u = data_i64(&[3, 4]);
    let w = data_i64(&[3, 1]);
    let (du, dw) = (
        DynArray::from(chunkwise::from_array(u.clone(), vec![2, 3]).unwrap()),
        DynArray::from(chunkwise::from_array(w.clone(), vec![1, 1]).unwrap()),
    );
    let c = du
        .cross(&dw, 0)
        .unwrap()
        .compute()
        .unwrap()
        .downcast::<i64>()
        .unwrap();
    for k in 0..4 {
        let (a, b) = (u.slice(s![.., k]).to_vec(), w.slice(s![.., 0]).to_vec());
        let want = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        assert_eq!(c.slice(s![.., k]).to_vec(), want.to_vec());
    }
    assert!(matches!(
        du.cross(&dw, -1),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(du.cross(&dw, 2).is_err());
}

#[test]
fn matrix_power_and_rank() {
    let x = data_i64(&[2, 3, 3]);
    let d = DynArray::from(chunkwise::from_array(x.clone(), vec![1, 2, 3]).unwrap());
    for n in [0i64, 1, 2, 5, 8] {
        let got = d.matrix_power(n).unwrap();
        assert_eq!(got.dtype(), DType::I64);
        let got = got.compute().unwrap().downcast::<i64>().unwrap();
        for b in 0..2 {
            let m = x
                .index_axis(Axis(0), b)
                .to_owned()
                .into_dimensionality::<Ix2>()
                .unwrap();
            let mut want = Array2::<i64>::eye(3);
            for _ in 0..n {
                want = want.dot(&m);
            }
            assert_eq!(got.index_axis(Axis(0), b), want.into_dyn(), "power {n}");
        }
    }
    let spd_x = spd(&[3, 3]);
    let p = f64_values(&dyn_f64(&spd_x, &[2, 2]).matrix_power(-2).unwrap());
    let m = spd_x.clone().into_dimensionality::<Ix2>().unwrap();
    close2(
        &m.dot(&m).dot(&p.into_dimensionality::<Ix2>().unwrap()),
        &Array2::eye(3),
        1e-9,
        "power -2",
    );
    assert!(dyn_f64(&data_f64(&[2, 3]), &[2, 3])
        .matrix_power(2)
        .is_err());
    // Rank: full, one, none, and a per-matrix tolerance.
    let mats = vec![
        Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 2.0, 4.0, 6.0]).unwrap(),
        Array2::from_shape_vec((2, 3), vec![1.0, 0.0, 0.0, 0.0, 1e-3, 0.0]).unwrap(),
        Array2::zeros((2, 3)),
    ];
    let st = dyn_f64(&stack_of(&mats, &[3, 2, 3]), &[1, 2, 2]);
    let r = st.matrix_rank(None).unwrap();
    assert_eq!(r.dtype(), DType::I64);
    assert_eq!(
        r.compute()
            .unwrap()
            .downcast::<i64>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[1, 2, 0]
    );
    let tol = dyn_f64(
        &ArrayD::from_shape_vec(IxDyn(&[3]), vec![1e-9, 1e-2, 0.5]).unwrap(),
        &[3],
    );
    let r = st
        .matrix_rank(Some(&tol))
        .unwrap()
        .compute()
        .unwrap()
        .downcast::<i64>()
        .unwrap();
    assert_eq!(r.as_slice().unwrap(), &[1, 1, 0]);
    // pinv with a per-matrix tolerance cuts the same values.
    let p = f64_values(&st.pinv_with(&tol).unwrap());
    let p1 = f64_values(
        &dyn_f64(&mats[1].clone().into_dyn(), &[2, 3])
            .pinv(Some(1e-2))
            .unwrap(),
    );
    assert_close(
        &p.index_axis(Axis(0), 1).to_owned(),
        &p1,
        1e-12,
        "pinv_with",
    );
    assert_eq!(
        dyn_f64(&ArrayD::zeros(IxDyn(&[2, 0, 3])), &[1, 1, 1])
            .matrix_rank(None)
            .unwrap()
            .compute()
            .unwrap()
            .downcast::<i64>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[0, 0]
    );
}

#[test]
fn integers_decompose_as_f64_and_f32_stays_f32() {
    let i = DynArray::from(chunkwise::from_array(data_i64(&[3, 3]), vec![2, 2]).unwrap());
    assert_eq!(i.det().unwrap().dtype(), DType::F64);
    let f = i.astype(DType::F32);
    for r in [f.inv(), f.svdvals(), f.det(), f.pinv(None)] {
        assert_eq!(r.unwrap().dtype(), DType::F32);
    }
    let (q, r) = f.qr(false).unwrap();
    assert_eq!((q.dtype(), r.dtype()), (DType::F32, DType::F32));
    // solve promotes: f32 with i64 is f64.
    let b = DynArray::from(chunkwise::from_array(data_i64(&[3]), vec![3]).unwrap());
    assert_eq!(f.solve(&b).unwrap().dtype(), DType::F64);
}
