//! Movement ops, map_blocks, persist, argmin/argmax and keepdims against the eager ndarray
//! result, over many shapes and chunkings, and their compositions.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{s, ArrayD, Axis, IxDyn, NewAxis, SliceInfoElem};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn x_of(a: &ArrayD<f64>, chunks: &[Vec<usize>]) -> ChunkedArray<f64> {
    chunkwise::from_array(a.clone(), chunks.to_vec()).unwrap()
}

#[test]
fn transpose_and_permute() {
    for shape in [
        vec![3usize, 4],
        vec![2, 3, 4],
        vec![1, 5],
        vec![4],
        vec![],
        vec![0, 3],
    ] {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().take(12) {
            let x = x_of(&a, &chunks);
            let what = format!("{shape:?} {chunks:?}");
            assert_eq!(x.t().compute().unwrap(), a.t().to_owned(), "{what} t");
            if shape.len() == 3 {
                for perm in [[0isize, 2, 1], [2, 0, 1], [1, 2, 0], [-1, 0, 1]] {
                    let p: Vec<usize> = perm
                        .iter()
                        .map(|&v| if v < 0 { (v + 3) as usize } else { v as usize })
                        .collect();
                    let want = a.clone().permuted_axes(IxDyn(&p));
                    assert_eq!(
                        x.transpose(perm).unwrap().compute().unwrap(),
                        want,
                        "{what} {perm:?}"
                    );
                    assert_eq!(
                        x.permute(perm).unwrap().t().compute().unwrap(),
                        want.t().to_owned(),
                        "{what} permute then t"
                    );
                }
            }
        }
    }
}

/// Transposes of inputs computed from positions (uniform values, `full`, and unary maps,
/// same-shape binary maps and transposes of them) read each row of a transposed box as a run of
/// positions with a stride; of other inputs that read any box cheaply (arrays in memory), a
/// panel of about 32768 elements at a time; of others (normal values, drawn a block of 1024 at
/// a time), a chunk at a time. Over arrays several panels large, every
/// permutation of 2 to 4 axes, computed whole and through a reduction's leaf boxes, gives the
/// eager permutation's values, and its sums the bits of the same sums of the eager array.
#[test]
fn transposes_read_by_position_or_in_panels_match_the_eager_permutation() {
    let cases: [(&[usize], &[&[usize]]); 5] = [
        (&[70, 3001], &[&[1, 0]]),
        (&[3, 50_001], &[&[1, 0]]),
        (
            &[37, 41, 29],
            &[&[0, 2, 1], &[1, 0, 2], &[1, 2, 0], &[2, 0, 1], &[2, 1, 0]],
        ),
        (
            &[5, 7, 9, 111],
            &[&[3, 2, 1, 0], &[0, 3, 1, 2], &[3, 0, 2, 1]],
        ),
        (&[1, 2049, 1], &[&[2, 1, 0], &[1, 2, 0]]),
    ];
    for (case, (shape, perms)) in cases.into_iter().enumerate() {
        let chunkings: [Vec<usize>; 2] = [
            shape.to_vec(),
            shape.iter().map(|&n| (n / 3).max(1)).collect(),
        ];
        let mut rng = chunkwise::random::default_rng(case as u64);
        let u = rng.uniform(-1.0, 1.0, shape.to_vec());
        let v = rng.uniform(0.0, 3.0, shape.to_vec());
        let reversed: Vec<isize> = (0..shape.len() as isize).rev().collect();
        let sources = [
            // Read transposed by position (a run of positions with a stride per row).
            ("uniform", u.clone()),
            ("map of uniform", (&u * 3.0 + 1.0).sin()),
            ("sum of uniforms", &u + &v),
            ("cast of uniform", u.cast::<f32>().cast::<f64>()),
            (
                "sum with a 0-d array",
                &u + &chunkwise::full(Vec::<usize>::new(), 0.5),
            ),
            (
                "sum with a single value of every axis",
                &u + &chunkwise::full(vec![1; shape.len()], 0.25),
            ),
            ("full", chunkwise::full(shape.to_vec(), 2.5)),
            // A map used twice and costly enough to be held by a pass of its own: the
            // transpose reads the held values (it does not draw them again).
            ("held map of uniform", {
                let h = (&u * 2.0).sin().cos().exp();
                &h + &h
            }),
            (
                "transpose of a transpose",
                u.permute(reversed.clone())
                    .unwrap()
                    .permute(reversed)
                    .unwrap(),
            ),
            // Panels, or whole transposed chunks.
            ("normal", rng.standard_normal(shape.to_vec())),
            (
                "in memory",
                chunkwise::from_array(data_f64(shape), shape.to_vec()).unwrap(),
            ),
        ];
        for (name, source) in &sources {
            let a = source.compute().unwrap();
            for chunks in &chunkings {
                let x = source.rechunk(chunks.clone()).unwrap();
                for perm in perms.iter() {
                    let what = format!("{name} {shape:?} chunks {chunks:?} perm {perm:?}");
                    let want = a
                        .clone()
                        .permuted_axes(IxDyn(perm))
                        .as_standard_layout()
                        .to_owned();
                    let axes: Vec<isize> = perm.iter().map(|&p| p as isize).collect();
                    let t = x.permute(axes).unwrap();
                    assert_eq!(t.compute().unwrap(), want, "{what}");
                    let eager = chunkwise::from_array(want.clone(), want.shape().to_vec()).unwrap();
                    let twice = &t * 2.0 - 1.0;
                    if *name == "held map of uniform" {
                        let plan = twice.sum().explain().unwrap();
                        assert!(plan.contains("evaluated once and held"), "{what}: {plan}");
                    }
                    assert_eq!(
                        twice.sum().item().unwrap().to_bits(),
                        (&eager * 2.0 - 1.0).sum().item().unwrap().to_bits(),
                        "{what}: sum"
                    );
                    let last = shape.len() as isize - 1;
                    assert_eq!(
                        t.sum_axis(last).unwrap().compute().unwrap(),
                        eager.sum_axis(last).unwrap().compute().unwrap(),
                        "{what}: sum over the last axis"
                    );
                }
            }
        }
    }
}

/// A graph that uses each step twice (the logistic map) has 2^steps paths to its source:
/// whether its transpose reads boxes transposed is decided once per node as it is built, not
/// by walking the paths (60 steps took forever), and the values are the eager ones.
#[test]
fn transposes_of_deep_shared_graphs_build_at_once() {
    let u = chunkwise::random::default_rng(9).uniform(0.1, 0.9, [5, 7]);
    let mut x = u.clone();
    for _ in 0..60 {
        x = &(&x * 3.5) * &(1.0 - &x);
    }
    let t = x.permute(vec![1isize, 0]).unwrap();
    let mut want = u.compute().unwrap();
    for _ in 0..60 {
        want = want.mapv(|v| v * 3.5 * (1.0 - v));
    }
    assert_eq!(t.compute().unwrap(), want.t().to_owned().into_dyn());
}

#[test]
fn slicing_matches_ndarray() {
    let a = data_f64(&[7, 6]);
    let specs: Vec<Vec<SliceInfoElem>> = vec![
        s![.., ..].to_vec(),
        s![1..4, ..].to_vec(),
        s![..;2, 1..].to_vec(),
        s![..;-1, ..].to_vec(),
        s![1..6;-2, ..;3].to_vec(),
        s![2, ..].to_vec(),
        s![.., -1].to_vec(),
        s![-3.., ..;-1].to_vec(),
        s![NewAxis, 1..3, NewAxis, ..].to_vec(),
        s![3..3, ..].to_vec(),
        s![5, 2].to_vec(),
        s![..;4, ..;-4].to_vec(),
        s![1..].to_vec(),
    ];
    for chunks in chunkings(&[7, 6]).into_iter().take(15) {
        let x = x_of(&a, &chunks);
        for sp in &specs {
            // ndarray wants every axis named: pad with full ranges, as chunkwise does.
            let named = sp
                .iter()
                .filter(|e| !matches!(e, SliceInfoElem::NewAxis))
                .count();
            let mut full = sp.clone();
            full.extend((named..2).map(|_| SliceInfoElem::from(..)));
            let info = ndarray::SliceInfo::<_, IxDyn, IxDyn>::try_from(full).unwrap();
            let want = a.slice(info.as_ref()).to_owned();
            let got = x.slice(sp).unwrap();
            assert_eq!(got.shape(), want.shape(), "{sp:?} {chunks:?}");
            assert_eq!(
                got.compute().unwrap(),
                want,
                "{sp:?} with chunks {chunks:?}"
            );
            // The grid of a slice covers its shape.
            let sums: Vec<usize> = got.chunks().axes().iter().map(|a| a.iter().sum()).collect();
            assert_eq!(sums, want.shape().to_vec(), "{sp:?}");
        }
    }
    // Out-of-range bounds clamp, as NumPy.
    assert_eq!(
        chunkwise::arange(5)
            .slice(s![3..100])
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[3, 4]
    );
}

#[test]
fn slices_of_huge_sources_touch_only_what_they_keep() {
    // 10^18 elements; the slice reads 10 of them.
    let x = chunkwise::arange(1_000_000_000).slice(s![..10]).unwrap();
    assert_eq!(x.sum().item().unwrap(), 45);
    let y = chunkwise::arange(1_000_000_000)
        .slice(s![..;100_000_000])
        .unwrap();
    assert_eq!(
        y.compute().unwrap().as_slice().unwrap(),
        &[
            0,
            100_000_000,
            200_000_000,
            300_000_000,
            400_000_000,
            500_000_000,
            600_000_000,
            700_000_000,
            800_000_000,
            900_000_000
        ]
    );
    let r = chunkwise::random::default_rng(3).random([1_000_000, 1_000_000]);
    let corner = r.slice(s![..2, ..3]).unwrap().compute().unwrap();
    assert_eq!(corner.shape(), &[2, 3]);
    // The transposed corner is the corner of the transpose.
    let tc = r.t().slice(s![..3, ..2]).unwrap().compute().unwrap();
    assert_eq!(tc, corner.t().to_owned());
    // A column of the transpose is a row of the array; a row of the transpose is a column,
    // positions 1e6 apart (uniform values are read transposed by position).
    let column = r.t().slice(s![.., 7]).unwrap().compute().unwrap();
    assert_eq!(column, r.slice(s![7, ..]).unwrap().compute().unwrap());
    let row = r.t().slice(s![5, 3..9000]).unwrap().compute().unwrap();
    assert_eq!(row, r.slice(s![3..9000, 5]).unwrap().compute().unwrap());
}

#[test]
fn reshape_squeeze_expand_and_broadcast() {
    let a = data_f64(&[4, 6]);
    for chunks in chunkings(&[4, 6]).into_iter().take(15) {
        let x = x_of(&a, &chunks);
        for shape in [
            vec![24usize],
            vec![3, 8],
            vec![2, 3, 4],
            vec![6, 1, 4],
            vec![1, 24],
        ] {
            let want = a.clone().into_shape_with_order(IxDyn(&shape)).unwrap();
            assert_eq!(
                x.reshape(shape.clone()).unwrap().compute().unwrap(),
                want,
                "{shape:?} {chunks:?}"
            );
            // Reshape of a transpose reads the transposed order.
            let wt = a
                .t()
                .as_standard_layout()
                .into_owned()
                .into_shape_with_order(IxDyn(&shape))
                .unwrap();
            assert_eq!(
                x.t().reshape(shape.clone()).unwrap().compute().unwrap(),
                wt,
                "t {shape:?}"
            );
        }
        let e = x.expand_dims(1).unwrap();
        assert_eq!(e.shape(), &[4, 1, 6]);
        assert_eq!(e.compute().unwrap(), a.clone().insert_axis(Axis(1)));
        assert_eq!(x.expand_dims(-1).unwrap().shape(), &[4, 6, 1]);
        assert_eq!(e.squeeze().compute().unwrap(), a);
        assert_eq!(e.squeeze_axis(1).unwrap().compute().unwrap(), a);
        let b = x
            .slice(s![..1, ..])
            .unwrap()
            .broadcast_to([3, 4, 6])
            .unwrap();
        let want = a
            .slice(s![..1, ..])
            .broadcast((3, 4, 6))
            .unwrap()
            .to_owned()
            .into_dyn();
        assert_eq!(b.compute().unwrap(), want);
    }
    let row = x_of(&data_f64(&[1, 6]), &[vec![1], vec![4, 2]]);
    let b = row.broadcast_to([3, 5, 6]).unwrap();
    let want = data_f64(&[1, 6])
        .broadcast(IxDyn(&[3, 5, 6]))
        .unwrap()
        .to_owned();
    assert_eq!(b.compute().unwrap(), want);
    assert!(row.broadcast_to([2, 7]).is_err());
}

#[test]
fn concatenate_and_stack() {
    let a = data_f64(&[3, 4]);
    let b = data_f64(&[5, 4]).mapv(|v| v + 100.0);
    for ca in chunkings(&[3, 4]).into_iter().take(6) {
        for cb in chunkings(&[5, 4]).into_iter().take(6) {
            let x = x_of(&a, &ca);
            let y = x_of(&b, &cb);
            let c = chunkwise::concatenate(&[x.clone(), y.clone(), x.clone()], 0).unwrap();
            let want = ndarray::concatenate(Axis(0), &[a.view(), b.view(), a.view()]).unwrap();
            assert_eq!(c.compute().unwrap(), want, "{ca:?} {cb:?}");
            assert_eq!(c.chunks().axis(0).iter().sum::<usize>(), 11);
            let c1 = chunkwise::concatenate(&[x.t(), y.t()], -1).unwrap();
            assert_eq!(
                c1.compute().unwrap(),
                ndarray::concatenate(Axis(1), &[a.t(), b.t()]).unwrap()
            );
        }
    }
    let x = x_of(&a, &[vec![2, 1], vec![3, 1]]);
    let st = chunkwise::stack(&[x.clone(), x.square()], 1).unwrap();
    let want = ndarray::stack(Axis(1), &[a.view(), a.mapv(|v| v * v).view()]).unwrap();
    assert_eq!(st.compute().unwrap(), want);
}

#[test]
fn the_dask_docs_expression_matches_eager() {
    for (n, c) in [(12usize, 5usize), (20, 7), (9, 9), (16, 1)] {
        let x = chunkwise::random::default_rng(0)
            .random([n, n])
            .rechunk([c, c])
            .unwrap();
        let got = (&x + &x.t() - x.mean_axis(0).unwrap())
            .sum()
            .item()
            .unwrap();
        let a = x.compute().unwrap();
        let m = a.mean_axis(Axis(0)).unwrap();
        let want = (&a + &a.t() - &m).sum();
        assert!(
            (got - want).abs() < 1e-9 * want.abs(),
            "n {n} c {c}: {got} vs {want}"
        );
        let e = (&x + &x.t() - x.mean_axis(0).unwrap()).compute().unwrap();
        let we = &a + &a.t() - &m;
        assert_close(&e, &we, 1e-15, "elementwise result");
    }
}

#[test]
fn rechunk_between_random_grids() {
    let a = data_f64(&[9, 8]);
    let grids: Vec<Vec<Vec<usize>>> = vec![
        vec![vec![9], vec![8]],
        vec![vec![1; 9], vec![1; 8]],
        vec![vec![4, 5], vec![3, 3, 2]],
        vec![vec![2, 2, 2, 2, 1], vec![8]],
        vec![vec![9], vec![1, 7]],
    ];
    for g1 in &grids {
        for g2 in &grids {
            let x = x_of(&a, g1).rechunk(g2.clone()).unwrap();
            assert_eq!(&x.chunks().to_blocks(), g2);
            assert_eq!(x.compute().unwrap(), a);
            let s = x.sum_axis(0).unwrap().compute().unwrap();
            assert_close(&s, &a.sum_axis(Axis(0)), 1e-12, "sum after rechunk");
        }
    }
}

#[test]
fn rechunk_of_1e4_squared_fits_256_mib() {
    let limit = 256u64 << 20;
    let x = chunkwise::random::default_rng(9)
        .random([10_000, 10_000])
        .rechunk([10_000, 100])
        .unwrap();
    let y = x.rechunk([100, 10_000]).unwrap();
    let cfg = Config::default().memory_limit(limit);
    let plan = y.sum_axis(1).unwrap().plan().unwrap();
    eprintln!("{plan}");
    assert!(plan.memory.total <= limit, "{plan}");
    let rows = y.sum_axis(1).unwrap().compute_with(&cfg).unwrap();
    let direct = x.sum_axis(1).unwrap().compute_with(&cfg).unwrap();
    assert_close(&rows, &direct, 1e-12, "row sums across grids");
    // Holding the rechunked array itself would need 763 MiB: refused before any work.
    assert!(matches!(
        y.compute_with(&cfg),
        Err(chunkwise::Error::MemoryLimit { .. })
    ));
}

#[test]
fn map_blocks_sees_whole_chunks_and_reports_panics() {
    let a = data_f64(&[6, 5]);
    let x = x_of(&a, &[vec![4, 2], vec![2, 3]]);
    let shapes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = shapes.clone();
    let y = x.map_blocks(move |b| {
        seen.lock().unwrap().push(b.shape().to_vec());
        b.mapv(|v| v * 2.0)
    });
    assert_eq!(y.compute().unwrap(), a.mapv(|v| v * 2.0));
    let mut got = shapes.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, vec![vec![2, 2], vec![2, 3], vec![4, 2], vec![4, 3]]);
    // Reduced afterwards, through tiles of another grid.
    assert_close(
        &y.sum_axis(1).unwrap().compute().unwrap(),
        &a.mapv(|v| v * 2.0).sum_axis(Axis(1)),
        1e-12,
        "map_blocks then sum",
    );
    // Type-changing blocks.
    let z = x.map_blocks(|b| b.mapv(|v| v > 0.0));
    assert_eq!(z.compute().unwrap(), a.mapv(|v| v > 0.0));
    // A panic names the chunk; the pool works on afterwards.
    let bad = x.map_blocks(|b| {
        if b.shape() == [2, 3] {
            panic!("boom in a 2x3 block");
        }
        b.to_owned()
    });
    let err = bad.sum().item().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, chunkwise::Error::Block { .. }), "{msg}");
    assert!(
        msg.contains("chunk [1, 1]") && msg.contains("boom"),
        "{msg}"
    );
    assert_eq!(x.sum().item().unwrap(), a.sum());
    // A wrong shape is an error too.
    let wrong = x.map_blocks(|b| b.slice(s![..1, ..]).to_owned().into_dyn());
    let err = wrong.compute().unwrap_err().to_string();
    assert!(err.contains("returned shape"), "{err}");
}

#[test]
fn persist_and_shared_nodes_evaluate_once() {
    let a = data_f64(&[8, 8]);
    let x = x_of(&a, &[vec![4, 4], vec![4, 4]]);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let costly = x.map_blocks(move |b| {
        c.fetch_add(1, Ordering::SeqCst);
        b.mapv(|v| v.sin())
    });
    // Used twice in one compute: the plan holds it (several ops per element), 4 chunks once.
    let expr = (&costly + &costly.t()).sum();
    let text = expr.explain().unwrap();
    assert!(
        text.contains("shared: map_blocks") && text.contains("evaluated once and held"),
        "{text}"
    );
    let got = expr.item().unwrap();
    let s = a.mapv(f64::sin);
    assert!((got - (&s + &s.t()).sum()).abs() < 1e-12);
    assert_eq!(calls.load(Ordering::SeqCst), 4, "each chunk once");
    // A cheap shared source is recomputed, and explain says so.
    let r = chunkwise::random::default_rng(1).random([100, 100]);
    let t = (&r + &r.t()).sum().explain().unwrap();
    assert!(t.contains("recomputed per use"), "{t}");
    // persist: later computations do not call the closure again.
    calls.store(0, Ordering::SeqCst);
    let p = costly.persist().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(p.chunks(), costly.chunks());
    let _ = p.sum().item().unwrap();
    let _ = (&p * 2.0).max().item().unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "persisted values are reused"
    );
}

#[test]
fn argmin_argmax_and_keepdims() {
    let mut a = data_f64(&[5, 7]);
    a[[3, 2]] = 100.0; // a unique max
    a[[1, 4]] = 100.0; // a tie: the first in C order wins
    for chunks in chunkings(&[5, 7]).into_iter().take(12) {
        let x = x_of(&a, &chunks);
        // Row 1, column 4 of 7 columns.
        assert_eq!(x.argmax().item().unwrap(), 7 + 4, "{chunks:?}");
        let flat_min = a
            .iter()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |(bi, bv), (i, &v)| if v < bv { (i, v) } else { (bi, bv) },
            )
            .0;
        assert_eq!(x.argmin().item().unwrap(), flat_min as u64);
        for axis in 0..2 {
            let want_max = a.map_axis(Axis(axis), |l| {
                l.iter()
                    .enumerate()
                    .fold((0u64, f64::NEG_INFINITY), |(bi, bv), (i, &v)| {
                        if v > bv {
                            (i as u64, v)
                        } else {
                            (bi, bv)
                        }
                    })
                    .0
            });
            assert_eq!(
                x.argmax_axis(axis as isize).unwrap().compute().unwrap(),
                want_max,
                "axis {axis}"
            );
            let want_min = a.map_axis(Axis(axis), |l| {
                l.iter()
                    .enumerate()
                    .fold((0u64, f64::INFINITY), |(bi, bv), (i, &v)| {
                        if v < bv {
                            (i as u64, v)
                        } else {
                            (bi, bv)
                        }
                    })
                    .0
            });
            assert_eq!(
                x.argmin_axis(axis as isize).unwrap().compute().unwrap(),
                want_min,
                "axis {axis}"
            );
        }
        let k = x.sum_axes(&[1], true).unwrap();
        assert_eq!(k.shape(), &[5, 1]);
        assert_close(
            &k.compute().unwrap(),
            &a.sum_axis(Axis(1)).insert_axis(Axis(1)),
            1e-12,
            "keepdims",
        );
        let m = x.mean_axes(&[0, 1], true).unwrap();
        assert_eq!(m.shape(), &[1, 1]);
        assert!((m.item().unwrap() - a.mean().unwrap()).abs() < 1e-12);
        assert_eq!(x.max_axes(&[0], true).unwrap().shape(), &[1, 7]);
        assert_eq!(x.count_nonzero_axes(&[-1], true).unwrap().shape(), &[5, 1]);
        let v = x.var_axes(&[0], true).unwrap().compute().unwrap();
        assert_close(
            &v,
            &a.var_axis(Axis(0), 0.0).insert_axis(Axis(0)),
            1e-10,
            "var keepdims",
        );
    }
    // NaN wins, as NumPy.
    let n = chunkwise::from_array(
        ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.0, f64::NAN, 5.0, f64::NAN]).unwrap(),
        2,
    )
    .unwrap();
    assert_eq!(n.argmax().item().unwrap(), 1);
    assert_eq!(n.argmin().item().unwrap(), 1);
    // Integers too.
    let i = chunkwise::from_array(ndarray::array![4i32, 9, 9, -2], 3).unwrap();
    assert_eq!(i.argmax().item().unwrap(), 1);
    assert_eq!(i.argmin().item().unwrap(), 3);
    assert!(chunkwise::zeros::<f64>([0]).argmax().item().is_err());
}

#[test]
fn movement_errors() {
    let x = chunkwise::zeros::<f64>([3, 4]);
    let msg = |e: chunkwise::Error| e.to_string();
    let e = x.transpose([0isize, 0]).unwrap_err();
    assert!(
        matches!(e, chunkwise::Error::InvalidAxes { .. })
            && msg(e.clone()).contains("transpose")
            && msg(e).contains("[3, 4]")
    );
    assert!(matches!(
        x.transpose([0isize]).unwrap_err(),
        chunkwise::Error::InvalidAxes { .. }
    ));
    assert!(matches!(
        x.transpose([0isize, 5]).unwrap_err(),
        chunkwise::Error::AxisOutOfRange { .. }
    ));
    assert!(matches!(
        x.slice(s![3, ..]).unwrap_err(),
        chunkwise::Error::IndexOutOfBounds { .. }
    ));
    assert!(matches!(
        x.slice(s![.., .., ..]).unwrap_err(),
        chunkwise::Error::InvalidAxes { .. }
    ));
    let step0 = vec![SliceInfoElem::Slice {
        start: 0,
        end: None,
        step: 0,
    }];
    assert!(x.slice(step0).unwrap_err().to_string().contains("step"));
    let e = x.reshape([5, 2]).unwrap_err();
    assert!(
        matches!(e, chunkwise::Error::ShapeMismatch { .. }) && e.to_string().contains("reshape"),
        "{e}"
    );
    assert!(matches!(
        x.broadcast_to([4, 4]).unwrap_err(),
        chunkwise::Error::Broadcast { .. }
    ));
    assert!(matches!(
        x.broadcast_to([4]).unwrap_err(),
        chunkwise::Error::Broadcast { .. }
    ));
    let y = chunkwise::zeros::<f64>([3, 5]);
    assert!(matches!(
        chunkwise::concatenate(&[x.clone(), y.clone()], 0).unwrap_err(),
        chunkwise::Error::ShapeMismatch { .. }
    ));
    assert!(chunkwise::concatenate(&[x.clone(), y.clone()], 1).is_ok());
    assert!(chunkwise::concatenate::<f64>(&[], 0).is_err());
    assert!(matches!(
        chunkwise::stack(&[x.clone(), y], 0).unwrap_err(),
        chunkwise::Error::ShapeMismatch { .. }
    ));
    assert!(matches!(
        x.squeeze_axis(0).unwrap_err(),
        chunkwise::Error::InvalidAxes { .. }
    ));
    assert!(matches!(
        x.expand_dims(4).unwrap_err(),
        chunkwise::Error::AxisOutOfRange { .. }
    ));
    assert!(matches!(
        x.sum_axes(&[1, -1], false).unwrap_err(),
        chunkwise::Error::InvalidAxes { .. }
    ));
}
