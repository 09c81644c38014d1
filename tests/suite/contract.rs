//! Contractions (`matmul`, `dot`, `tensordot`, `einsum`) against eager ndarray references over
//! shapes and chunkings (chunks of 1, single chunks, empty axes), batch broadcasting, worker
//! invariance of the bits, and every error path. Integer-valued data keeps every float sum
//! exact, so results compare exactly whatever the order of the sums.
use crate::common;

use chunkwise::prelude::*;
use ndarray::{Array2, ArrayD, Axis, IxDyn};

/// Small integer values as f64 (sums of products stay exact).
fn ints(shape: &[usize], seed: usize) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|i| ((i * 31 + seed * 17) % 11) as f64 - 5.0)
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// The chunkings tried for a matrix side of `n`: one chunk, chunks of 1, and a split in three.
fn sides(n: usize) -> Vec<Vec<usize>> {
    let mut v = vec![vec![n.max(1).min(n)]];
    if n == 0 {
        return vec![vec![0]];
    }
    if n > 1 {
        v.push(vec![1; n]);
    }
    if n >= 3 {
        v.push(vec![n - 2, 1, 1]);
    }
    v
}

fn eager_matmul(a: &ArrayD<f64>, b: &ArrayD<f64>) -> ArrayD<f64> {
    let a2: Array2<f64> = a.clone().into_dimensionality().unwrap();
    let b2: Array2<f64> = b.clone().into_dimensionality().unwrap();
    a2.dot(&b2).into_dyn()
}

#[test]
fn matmul_matches_ndarray_over_shapes_and_chunkings() {
    for (m, k, n) in [
        (1, 1, 1),
        (3, 4, 5),
        (5, 1, 2),
        (2, 7, 3),
        (0, 3, 2),
        (3, 0, 2),
        (4, 3, 0),
    ] {
        let (a, b) = (ints(&[m, k], 1), ints(&[k, n], 2));
        let want = eager_matmul(&a, &b);
        for ca in sides(m) {
            for ck in sides(k) {
                for cn in sides(n) {
                    let x = chunkwise::from_array(a.clone(), vec![ca.clone(), ck.clone()]).unwrap();
                    let y = chunkwise::from_array(b.clone(), vec![ck.clone(), cn.clone()]).unwrap();
                    let c = chunkwise::matmul(&x, &y).unwrap();
                    assert_eq!(c.shape(), &[m, n]);
                    assert_eq!(
                        c.compute().unwrap(),
                        want,
                        "{m}x{k}x{n} {ca:?} {ck:?} {cn:?}"
                    );
                    // Chained: the product feeds a reduction and an elementwise op.
                    let s = (&c * 2.0).sum().item().unwrap();
                    assert_eq!(s, want.sum() * 2.0);
                }
            }
        }
    }
}

#[test]
fn matmul_of_integers_wraps_as_numpy() {
    let a = chunkwise::full([2, 3], 200u8);
    let b = chunkwise::full([3, 2], 3u8);
    // 3 * 200 * 3 = 1800, modulo 256.
    let c = chunkwise::matmul(&a, &b).unwrap().compute().unwrap();
    assert!(c.iter().all(|&v| v == (1800 % 256) as u8));
    let a = chunkwise::arange(12)
        .reshape([3, 4])
        .unwrap()
        .rechunk([2, 3])
        .unwrap();
    let b = chunkwise::arange(8).reshape([4, 2]).unwrap();
    let want = Array2::from_shape_fn((3, 2), |(i, j)| {
        (0..4)
            .map(|p| (i * 4 + p) as i64 * (p * 2 + j) as i64)
            .sum::<i64>()
    });
    assert_eq!(
        chunkwise::matmul(&a, &b).unwrap().compute().unwrap(),
        want.into_dyn()
    );
}

#[test]
fn matmul_broadcasts_batches_and_promotes_vectors() {
    // Batches broadcast against each other: [2, 1, 3, 4] @ [5, 4, 2] -> [2, 5, 3, 2].
    let a = ints(&[2, 1, 3, 4], 3);
    let b = ints(&[5, 4, 2], 4);
    let x = chunkwise::from_array(a.clone(), [1, 1, 2, 3]).unwrap();
    let y = chunkwise::from_array(b.clone(), [2, 4, 1]).unwrap();
    let c = chunkwise::matmul(&x, &y).unwrap();
    assert_eq!(c.shape(), &[2, 5, 3, 2]);
    let got = c.compute().unwrap();
    for i in 0..2 {
        for j in 0..5 {
            let ai = a.index_axis(Axis(0), i).index_axis(Axis(0), 0).to_owned();
            let bj = b.index_axis(Axis(0), j).to_owned();
            let want = eager_matmul(&ai.into_dyn(), &bj.into_dyn());
            let g = got.index_axis(Axis(0), i).index_axis(Axis(0), j).to_owned();
            assert_eq!(g.into_dyn(), want, "batch {i} {j}");
        }
    }
    // 1-d operands: vector-matrix, matrix-vector, inner product (0-d).
    let v = ints(&[4], 5);
    let m = ints(&[4, 3], 6);
    let lv = chunkwise::from_array(v.clone(), 3).unwrap();
    let lm = chunkwise::from_array(m.clone(), [3, 2]).unwrap();
    let v1: ndarray::Array1<f64> = v.clone().into_dimensionality().unwrap();
    let m2: Array2<f64> = m.clone().into_dimensionality().unwrap();
    let vm = chunkwise::matmul(&lv, &lm).unwrap();
    assert_eq!(vm.shape(), &[3]);
    assert_eq!(vm.compute().unwrap(), v1.dot(&m2).into_dyn());
    let mv = chunkwise::matmul(&lm.t(), &lv).unwrap();
    assert_eq!(mv.compute().unwrap(), m2.t().dot(&v1).into_dyn());
    let vv = chunkwise::matmul(&lv, &lv).unwrap();
    assert_eq!(vv.shape(), &[] as &[usize]);
    assert_eq!(vv.item().unwrap(), v1.dot(&v1));
    // A batch of matrices times a vector.
    let bm = chunkwise::from_array(ints(&[2, 3, 4], 7), [1, 2, 2]).unwrap();
    let bv = chunkwise::matmul(&bm, &lv).unwrap();
    assert_eq!(bv.shape(), &[2, 3]);
}

#[test]
fn dot_follows_numpy_for_every_rank() {
    let v = chunkwise::from_array(ints(&[3], 1), 2).unwrap();
    let m = chunkwise::from_array(ints(&[3, 3], 2), [2, 1]).unwrap();
    let s = chunkwise::full(Vec::<usize>::new(), 2.0);
    assert_eq!(v.dot(&v).unwrap().shape(), &[] as &[usize]);
    assert_eq!(m.dot(&v).unwrap().shape(), &[3]);
    assert_eq!(v.dot(&m).unwrap().shape(), &[3]);
    assert_eq!(
        m.dot(&m).unwrap().compute().unwrap(),
        eager_matmul(&ints(&[3, 3], 2), &ints(&[3, 3], 2))
    );
    assert_eq!(
        s.dot(&m).unwrap().compute().unwrap(),
        ints(&[3, 3], 2) * 2.0
    );
    // N-d: the last axis of a with the second-to-last of b: [2, 3, 4] . [5, 4, 6] -> [2, 3, 5, 6].
    let a = ints(&[2, 3, 4], 3);
    let b = ints(&[5, 4, 6], 4);
    let la = chunkwise::from_array(a.clone(), [1, 2, 3]).unwrap();
    let lb = chunkwise::from_array(b.clone(), [2, 2, 4]).unwrap();
    let d = la.dot(&lb).unwrap();
    assert_eq!(d.shape(), &[2, 3, 5, 6]);
    let got = d.compute().unwrap();
    let want = ArrayD::from_shape_fn(IxDyn(&[2, 3, 5, 6]), |i| {
        (0..4)
            .map(|p| a[[i[0], i[1], p]] * b[[i[2], p, i[3]]])
            .sum::<f64>()
    });
    assert_eq!(got, want);
}

#[test]
fn tensordot_matches_the_definition() {
    let a = ints(&[3, 4, 5], 1);
    let b = ints(&[4, 3, 2], 2);
    let la = chunkwise::from_array(a.clone(), [2, 3, 2]).unwrap();
    let lb = chunkwise::from_array(b.clone(), [1, 2, 2]).unwrap();
    // Over (0, 1) of a with (1, 0) of b: [5] x [2].
    let c = chunkwise::tensordot(&la, &lb, (&[0, 1], &[1, 0])).unwrap();
    assert_eq!(c.shape(), &[5, 2]);
    let want = ArrayD::from_shape_fn(IxDyn(&[5, 2]), |i| {
        let mut s = 0.0;
        for p in 0..3 {
            for q in 0..4 {
                s += a[[p, q, i[0]]] * b[[q, p, i[1]]];
            }
        }
        s
    });
    assert_eq!(c.compute().unwrap(), want);
    // No axes: the outer product.
    let o = chunkwise::tensordot(&la, &lb, (&[], &[])).unwrap();
    assert_eq!(o.shape(), &[3, 4, 5, 4, 3, 2]);
    assert_eq!(o.sum().item().unwrap(), a.sum() * b.sum());
    // Negative axes.
    let n = chunkwise::tensordot(&la, &lb, (&[-2], &[0])).unwrap();
    assert_eq!(n.shape(), &[3, 5, 3, 2]);
}

#[test]
fn einsum_covers_products_batches_transposes_and_sums() {
    let a = ints(&[3, 4], 1);
    let b = ints(&[4, 5], 2);
    let c3 = ints(&[2, 3, 4], 3);
    let d3 = ints(&[2, 4, 5], 4);
    let la = chunkwise::from_array(a.clone(), [2, 3]).unwrap();
    let lb = chunkwise::from_array(b.clone(), [1, 2]).unwrap();
    let lc = chunkwise::from_array(c3.clone(), [1, 2, 2]).unwrap();
    let ld = chunkwise::from_array(d3.clone(), [1, 3, 5]).unwrap();
    let mm = eager_matmul(&a, &b);
    let e =
        |s: &str, ops: &[&ChunkedArray<f64>]| chunkwise::einsum(s, ops).unwrap().compute().unwrap();
    assert_eq!(e("ij,jk->ik", &[&la, &lb]), mm);
    assert_eq!(e("ij,jk", &[&la, &lb]), mm, "implicit output");
    assert_eq!(e("ij,jk->ki", &[&la, &lb]), mm.t().to_owned());
    assert_eq!(e("ij->ji", &[&la]), a.t().to_owned());
    assert_eq!(e("ij->", &[&la]), ArrayD::from_elem(IxDyn(&[]), a.sum()));
    assert_eq!(e("ij->j", &[&la]), a.sum_axis(Axis(0)));
    assert_eq!(e("i j , j k -> i k", &[&la, &lb]), mm, "spaces");
    // The inner product and the outer product of vectors.
    let v = chunkwise::from_array(ints(&[4], 5), 3).unwrap();
    let v1: ndarray::Array1<f64> = ints(&[4], 5).into_dimensionality().unwrap();
    assert_eq!(
        e("i,i->", &[&v, &v]),
        ArrayD::from_elem(IxDyn(&[]), v1.dot(&v1))
    );
    let outer = e("i,j->ij", &[&v, &v]);
    assert_eq!(outer[[1, 2]], v1[1] * v1[2]);
    // A batch, and a subscript summed in one operand only.
    let batch = e("bij,bjk->bik", &[&lc, &ld]);
    for p in 0..2 {
        let want = eager_matmul(
            &c3.index_axis(Axis(0), p).to_owned().into_dyn(),
            &d3.index_axis(Axis(0), p).to_owned().into_dyn(),
        );
        assert_eq!(batch.index_axis(Axis(0), p).to_owned(), want);
    }
    let summed = e("bij,bjk->ik", &[&lc, &ld]);
    assert_eq!(summed, batch.sum_axis(Axis(0)));
    let one_sided = e("ij,kl->ik", &[&la, &lb]);
    let want = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| {
        a.index_axis(Axis(0), i[0]).sum() * b.index_axis(Axis(0), i[1]).sum()
    });
    assert_eq!(one_sided, want);
    // Three operands: a chain of products.
    let m3 = chunkwise::from_array(ints(&[5, 2], 6), [2, 2]).unwrap();
    let chain = e("ij,jk,kl->il", &[&la, &lb, &m3]);
    assert_eq!(chain, eager_matmul(&mm, &ints(&[5, 2], 6)));
    // Errors, each naming the subscripts.
    for (spec, ops) in [
        ("ij,jk->ik", vec![&la]),
        ("ii->i", vec![&la]),
        ("ij,jk->iz", vec![&la, &lb]),
        ("ijk,jk->i", vec![&la, &lb]),
        ("...ij->ij", vec![&lc]),
        ("i...j...->ij", vec![&lc]),
        ("i.j->ij", vec![&la]),
        ("...ijkl->", vec![&la]),
        ("ij->ii", vec![&la]),
        ("ij,ik->jk", vec![&la, &lb]),
    ] {
        let err = chunkwise::einsum(spec, &ops).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidParameter { .. } | Error::ShapeMismatch { .. }
            ),
            "{spec}: {err}"
        );
        assert!(err.to_string().contains("einsum"), "{spec}: {err}");
    }
}

#[test]
fn einsum_ellipses_broadcast_and_repeated_subscripts_take_diagonals() {
    let e =
        |s: &str, ops: &[&ChunkedArray<f64>]| chunkwise::einsum(s, ops).unwrap().compute().unwrap();
    // Diagonals and traces.
    let sq = ints(&[4, 4], 7);
    let lsq = chunkwise::from_array(sq.clone(), [3, 2]).unwrap();
    let diag: Vec<f64> = (0..4).map(|i| sq[[i, i]]).collect();
    assert_eq!(e("ii->i", &[&lsq]).as_slice().unwrap(), &diag[..]);
    assert_eq!(e("ii", &[&lsq])[[]], diag.iter().sum::<f64>());
    let t3 = ints(&[3, 3, 2], 8);
    let lt3 = chunkwise::from_array(t3.clone(), [2, 1, 2]).unwrap();
    let want: Vec<f64> = (0..2)
        .map(|j| (0..3).map(|i| t3[[i, i, j]]).sum())
        .collect();
    assert_eq!(e("iij->j", &[&lt3]).as_slice().unwrap(), &want[..]);
    assert_eq!(
        e(
            "jii->j",
            &[&chunkwise::from_array(t3.clone().permuted_axes(vec![2, 0, 1]), 2).unwrap()]
        )
        .as_slice()
        .unwrap(),
        &want[..]
    );
    let cube = ints(&[3, 3, 3], 9);
    let lcube = chunkwise::from_array(cube.clone(), 2).unwrap();
    let d3: Vec<f64> = (0..3).map(|i| cube[[i, i, i]]).collect();
    assert_eq!(e("iii->i", &[&lcube]).as_slice().unwrap(), &d3[..]);
    // Ellipses: batch axes broadcast across the operands, aligned on the right.
    let a = ints(&[2, 1, 3, 4], 10);
    let b = ints(&[5, 4, 2], 11);
    let la = chunkwise::from_array(a.clone(), [1, 1, 2, 3]).unwrap();
    let lb = chunkwise::from_array(b.clone(), [2, 3, 1]).unwrap();
    let want = ArrayD::from_shape_fn(IxDyn(&[2, 5, 3, 2]), |i| {
        (0..4)
            .map(|j| a[[i[0], 0, i[2], j]] * b[[i[1], j, i[3]]])
            .sum::<f64>()
    });
    assert_eq!(e("...ij,...jk->...ik", &[&la, &lb]), want);
    assert_eq!(
        e("...ij,...jk", &[&la, &lb]),
        want,
        "implicit output: ellipsis axes first"
    );
    let c = ints(&[3, 4, 2], 12);
    let d = ints(&[4, 5, 2], 13);
    let lc = chunkwise::from_array(c.clone(), 2).unwrap();
    let ld = chunkwise::from_array(d.clone(), 3).unwrap();
    let want = ArrayD::from_shape_fn(IxDyn(&[2, 3, 5]), |i| {
        (0..4)
            .map(|j| c[[i[1], j, i[0]]] * d[[j, i[2], i[0]]])
            .sum::<f64>()
    });
    assert_eq!(e("ij...,jk...", &[&lc, &ld]), want);
    // An ellipsis that stands for no axis, and a sum over ellipsis axes kept in the output.
    let v = chunkwise::from_array(ints(&[3], 14), 2).unwrap();
    assert_eq!(e("...i->i", &[&v]), ints(&[3], 14));
    assert_eq!(e("...i->...", &[&lc]), c.sum_axis(Axis(2)));
}

/// Blocks of uneven sizes, wider than a column panel of the GEMM kernel (1024) and not a
/// multiple of a vector, over several rows, columns and `k` blocks: each output block, row of
/// `a` and block of `b` is made in the buffer of one of another size (larger and smaller), and
/// the products are cut into panels. Integer values keep the sums exact; under a memory limit
/// that keeps few blocks, on 1 to 3 workers, and through a reduction.
#[test]
fn products_of_uneven_blocks_made_in_reused_buffers_are_exact() {
    let (m, k, n) = (37, 45, 1100);
    let (a, b) = (ints(&[m, k], 3), ints(&[k, n], 4));
    let want = eager_matmul(&a, &b);
    for (ca, ck, cn) in [
        (vec![20, 17], vec![30, 15], vec![1030, 70]),
        (vec![5, 20, 12], vec![7, 38], vec![9, 1091]),
        (vec![37], vec![45], vec![1100]),
    ] {
        let x = chunkwise::from_array(a.clone(), vec![ca.clone(), ck.clone()]).unwrap();
        let y = chunkwise::from_array(b.clone(), vec![ck.clone(), cn.clone()]).unwrap();
        let c = chunkwise::matmul(&x, &y).unwrap();
        for w in 1..=3 {
            let cfg = Config::default().workers(w);
            assert_eq!(
                c.compute_with(&cfg).unwrap(),
                want,
                "{ca:?} {ck:?} {cn:?}, {w} workers"
            );
            let s = (&c - 1.0).sum().item_with(&cfg).unwrap();
            assert_eq!(s, want.sum() - (m * n) as f64, "{ca:?} {ck:?} {cn:?}");
        }
    }
}

#[test]
fn products_are_bit_identical_for_any_number_of_workers() {
    let rng = || chunkwise::random::default_rng(11);
    let a = rng().standard_normal([70, 90]).rechunk([30, 25]).unwrap();
    let b = rng().standard_normal([90, 50]).rechunk([25, 20]).unwrap();
    let c = chunkwise::matmul(&a, &b).unwrap();
    let s = c.sum();
    let one = Config::default().workers(1);
    let (c1, s1) = (c.compute_with(&one).unwrap(), s.item_with(&one).unwrap());
    for w in 2..=4 {
        let cfg = Config::default().workers(w);
        assert_eq!(c.compute_with(&cfg).unwrap(), c1, "{w} workers");
        assert_eq!(
            s.item_with(&cfg).unwrap().to_bits(),
            s1.to_bits(),
            "{w} workers"
        );
    }
    // And close to ndarray's product of the same values.
    let want = eager_matmul(&a.compute().unwrap(), &b.compute().unwrap());
    common::assert_close(&c1, &want, 1e-12, "matmul of normals");
}

#[test]
fn shapes_that_do_not_contract_are_errors() {
    let a = chunkwise::zeros::<f64>([3, 4]);
    let b = chunkwise::zeros::<f64>([5, 2]);
    let e = chunkwise::matmul(&a, &b).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    assert!(
        e.to_string().contains("[3, 4]") && e.to_string().contains("[5, 2]"),
        "{e}"
    );
    let s = chunkwise::zeros::<f64>(Vec::<usize>::new());
    assert!(chunkwise::matmul(&s, &a).is_err());
    // Batches that do not broadcast.
    let e = chunkwise::matmul(
        &chunkwise::zeros::<f64>([2, 3, 4]),
        &chunkwise::zeros::<f64>([3, 4, 2]),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Broadcast { .. }), "{e}");
    assert!(a.dot(&b).is_err());
    // tensordot: lists of different lengths, extents that differ, an axis repeated or out of range.
    assert!(chunkwise::tensordot(&a, &b, (&[1], &[])).is_err());
    let e = chunkwise::tensordot(&a, &b, (&[1], &[0])).unwrap_err();
    assert!(e.to_string().contains("differ"), "{e}");
    let e = chunkwise::tensordot(&a, &a, (&[0, 0], &[0, 0])).unwrap_err();
    assert!(matches!(e, Error::InvalidAxes { .. }), "{e}");
    let e = chunkwise::tensordot(&a, &a, (&[2], &[0])).unwrap_err();
    assert!(matches!(e, Error::AxisOutOfRange { .. }), "{e}");
    // An error recorded in an operand surfaces at compute.
    let bad = chunkwise::arange_step(0.0, 1.0, 0.0)
        .expand_dims(0)
        .unwrap();
    let e = chunkwise::matmul(&bad, &chunkwise::zeros::<f64>([0, 2]))
        .unwrap()
        .compute()
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
}

#[test]
fn the_plan_projects_blocks_not_the_matrices() {
    let rng = || chunkwise::random::default_rng(0);
    let n = 20_000;
    let a = rng().random([n, n]).rechunk([1000, 1000]).unwrap();
    let b = rng().random([n, n]).rechunk([1000, 1000]).unwrap();
    let s = chunkwise::matmul(&a, &b).unwrap().sum();
    let plan = s.plan().unwrap();
    // Two 3.2 GB operands; per worker 6 output blocks (a reduction's task keeps 6 of a row
    // of 20: a tile's read spans at most 4 of 1000 x 1000; 8 on one worker, the cap of the
    // blocks shared), one block of `a` (a row of 20 is longer than a worker keeps) and one of
    // `b`.
    let per_worker = plan.memory.total / plan.workers as u64;
    let kept = &plan.passes[0].blocks;
    let want = if plan.workers == 1 { 8 } else { 6 };
    assert_eq!(kept.len(), 1, "{plan}");
    assert_eq!(
        (kept[0].blocks, kept[0].block_bytes),
        (want, 8_000_000),
        "{plan}"
    );
    let blocks = (want as u64 + 2) * 8_000_000;
    assert!(per_worker >= blocks, "{plan}");
    assert!(per_worker < blocks + (8 << 20), "{plan}");
    // Under a limit below that, the plan is refused before anything runs.
    let tight = Config::default().workers(2).memory_limit(64 << 20);
    let e = s.item_with(&tight).unwrap_err();
    assert!(matches!(e, Error::MemoryLimit { .. }), "{e}");
}
