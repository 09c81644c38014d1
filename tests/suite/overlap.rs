//! `map_overlap` against an eager stencil over the padded array, for every boundary, several
//! depths, shapes and chunkings; the two shapes a block function may return; and the errors.
use crate::common;

use chunkwise::prelude::*;
use chunkwise::Boundary;
use common::*;
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// For each position of `b`, the sum of the cells within `depth` of it along each axis that
/// lie inside `b` (a box sum clipped to the block).
fn box_sum(b: ArrayViewD<'_, f64>, depth: &[usize]) -> ArrayD<f64> {
    let shape = b.shape().to_vec();
    ArrayD::from_shape_fn(IxDyn(&shape), |p| {
        let lo: Vec<usize> = (0..shape.len())
            .map(|d| p[d].saturating_sub(depth[d]))
            .collect();
        let hi: Vec<usize> = (0..shape.len())
            .map(|d| (p[d] + depth[d] + 1).min(shape[d]))
            .collect();
        let mut s = 0.0;
        let mut idx = lo.clone();
        loop {
            s += b[IxDyn(&idx)];
            let mut d = shape.len();
            loop {
                if d == 0 {
                    return s;
                }
                d -= 1;
                idx[d] += 1;
                if idx[d] < hi[d] {
                    break;
                }
                idx[d] = lo[d];
            }
        }
    })
}

/// `a` padded by `depth` on each side by `boundary`, eagerly (`None`: not padded).
fn pad_eager(a: &ArrayD<f64>, depth: &[usize], boundary: Boundary<f64>) -> ArrayD<f64> {
    if boundary == Boundary::None {
        return a.clone();
    }
    let shape: Vec<usize> = a
        .shape()
        .iter()
        .zip(depth)
        .map(|(n, d)| n + 2 * d)
        .collect();
    ArrayD::from_shape_fn(IxDyn(&shape), |p| {
        let mut src = Vec::new();
        for d in 0..shape.len() {
            let n = a.shape()[d] as isize;
            let i = p[d] as isize - depth[d] as isize;
            let j = match boundary {
                _ if (0..n).contains(&i) => i,
                Boundary::Constant(_) => return f64::NAN,
                Boundary::Nearest => i.clamp(0, n - 1),
                Boundary::Periodic => i.rem_euclid(n),
                Boundary::Reflect => {
                    if i < 0 {
                        -i - 1
                    } else {
                        2 * n - 1 - i
                    }
                }
                Boundary::None => unreachable!(),
            };
            src.push(j as usize);
        }
        a[IxDyn(&src)]
    })
    .mapv(|v| match boundary {
        Boundary::Constant(c) if v.is_nan() => c,
        _ => v,
    })
}

/// The box sums of the array itself, from its eager padding, at its own positions.
fn stencil_reference(a: &ArrayD<f64>, depth: &[usize], boundary: Boundary<f64>) -> ArrayD<f64> {
    let p = pad_eager(a, depth, boundary);
    let sums = box_sum(p.view(), depth);
    let shift: Vec<usize> = if boundary == Boundary::None {
        vec![0; depth.len()]
    } else {
        depth.to_vec()
    };
    ArrayD::from_shape_fn(IxDyn(a.shape()), |i| {
        let q: Vec<usize> = (0..depth.len()).map(|d| i[d] + shift[d]).collect();
        sums[IxDyn(&q)]
    })
}

#[test]
fn map_overlap_is_the_eager_stencil_for_every_boundary() {
    let boundaries = [
        Boundary::Reflect,
        Boundary::Periodic,
        Boundary::Nearest,
        Boundary::Constant(0.5),
        Boundary::None,
    ];
    for shape in [vec![7], vec![5, 6], vec![3, 4, 5], vec![1, 4]] {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let smallest: Vec<usize> = chunks
                .iter()
                .map(|c| c.iter().copied().min().unwrap_or(0))
                .collect();
            for depth_max in [0, 1, 2] {
                let depth: Vec<usize> = smallest.iter().map(|&s| s.min(depth_max)).collect();
                for boundary in boundaries {
                    let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
                    let d = depth.clone();
                    let y = x
                        .map_overlap(&depth, boundary, move |b| box_sum(b, &d))
                        .unwrap();
                    let want = stencil_reference(&a, &depth, boundary);
                    assert_close(
                        &y.compute().unwrap(),
                        &want,
                        1e-12,
                        &format!("{shape:?} {chunks:?} depth {depth:?} {boundary:?}"),
                    );
                }
            }
        }
    }
}

#[test]
fn map_overlap_dyn_gives_owned_blocks_of_the_arrays_dtype() {
    use chunkwise::{DynArray, DynNdArray, DynScalar};
    // f64: the eager stencil, as `map_overlap` computes it; a constant given as an integer.
    let boundaries = [
        (Boundary::Reflect, Boundary::Reflect),
        (Boundary::Periodic, Boundary::Periodic),
        (Boundary::Nearest, Boundary::Nearest),
        (
            Boundary::Constant(DynScalar::I64(2)),
            Boundary::Constant(2.0),
        ),
        (Boundary::None, Boundary::None),
    ];
    for shape in [vec![7], vec![5, 6]] {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let depth: Vec<usize> = chunks
                .iter()
                .map(|c| c.iter().copied().min().unwrap_or(0).min(1))
                .collect();
            for (boundary, typed) in boundaries {
                let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap());
                let d = depth.clone();
                let y = chunkwise::map_overlap_dyn::<f64, _>(&x, &depth, boundary, move |b| {
                    let DynNdArray::F64(v) = b else {
                        panic!("a block of f64")
                    };
                    box_sum(v.view(), &d)
                })
                .unwrap();
                assert_close(
                    &y.compute().unwrap(),
                    &stencil_reference(&a, &depth, typed),
                    1e-12,
                    &format!("{shape:?} {chunks:?} depth {depth:?} {typed:?}"),
                );
            }
        }
    }
    // i32: the constant 2.7 is 2 in the array's dtype; the block is the function's to change.
    let x = DynArray::from(chunkwise::arange(7).cast::<i32>().rechunk(3).unwrap());
    let y = chunkwise::map_overlap_dyn::<i32, _>(
        &x,
        &[1],
        Boundary::Constant(DynScalar::F64(2.7)),
        |b| {
            let DynNdArray::I32(mut v) = b else {
                panic!("a block of i32")
            };
            v.mapv_inplace(|e| e * 10);
            let n = v.len();
            ndarray::Array1::from_iter((1..n - 1).map(|i| v[[i - 1]] + v[[i + 1]])).into_dyn()
        },
    )
    .unwrap();
    assert_eq!(
        y.compute().unwrap().as_slice().unwrap(),
        &[30, 20, 40, 60, 80, 100, 70]
    );
    // Its errors are `map_overlap`'s.
    let e = chunkwise::map_overlap_dyn::<i32, _>(&x, &[4], Boundary::Nearest, |_| {
        ArrayD::zeros(IxDyn(&[1]))
    })
    .unwrap_err();
    assert!(e.to_string().contains("smallest chunk"), "{e}");
}

#[test]
fn the_block_function_may_return_the_chunk_or_the_block_with_its_halo() {
    let x = chunkwise::arange(10).cast::<f64>().rechunk(4).unwrap();
    // The chunk's shape: the interior computed directly (a 3-point difference).
    let interior = x
        .map_overlap(&[1], Boundary::Nearest, |b| {
            let n = b.len();
            ndarray::Array1::from_iter((1..n - 1).map(|i| b[[i + 1]] - b[[i - 1]])).into_dyn()
        })
        .unwrap();
    assert_eq!(
        interior.compute().unwrap().as_slice().unwrap(),
        &[1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    );
    // Another type out, and the result feeds more ops.
    let flags = x.map_overlap(&[1], Boundary::Constant(0.0), |b| b.mapv(|v| v > 4.0));
    assert_eq!(flags.unwrap().count_nonzero().item().unwrap(), 5);
}

#[test]
fn overlap_errors() {
    let x = chunkwise::zeros::<f64>([6, 6]).rechunk([2, 3]).unwrap();
    let id = |b: ArrayViewD<'_, f64>| b.to_owned();
    // A depth per axis; no depth past the smallest chunk.
    let e = x.map_overlap(&[1], Boundary::Nearest, id).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    let e = x.map_overlap(&[3, 1], Boundary::Nearest, id).unwrap_err();
    assert!(e.to_string().contains("smallest chunk"), "{e}");
    assert!(e.to_string().contains("[6, 6]"), "{e}");
    // A block of another shape, and a panic: Error::Block naming the chunk.
    let wrong = x
        .map_overlap(&[1, 1], Boundary::Reflect, |_| {
            ArrayD::<f64>::zeros(IxDyn(&[1, 1]))
        })
        .unwrap();
    let e = wrong.compute().unwrap_err();
    assert!(matches!(e, Error::Block { .. }), "{e}");
    assert!(
        e.to_string().contains("neither the block with its halo"),
        "{e}"
    );
    let panics = x
        .map_overlap(&[1, 1], Boundary::Periodic, |b| {
            if b[[0, 0]] == 0.0 {
                panic!("no zeros here")
            }
            b.to_owned()
        })
        .unwrap();
    let e = panics.compute().unwrap_err();
    assert!(
        e.to_string().contains("no zeros here") && e.to_string().contains("map_overlap"),
        "{e}"
    );
}

#[test]
fn overlap_reads_halos_not_neighbour_chunks() {
    // A 20000 x 20000 array (3.2 GB) plans with a row of 10 chunks per worker (a reduction's
    // tiles run along rows), and the grown chunk and the closure's result while one is made.
    let x = chunkwise::random::default_rng(0)
        .random([20_000, 20_000])
        .rechunk([2000, 2000])
        .unwrap();
    let y = x
        .map_overlap(&[1, 1], Boundary::Reflect, |b| b.to_owned())
        .unwrap()
        .sum();
    let plan = y.plan().unwrap();
    let per_worker = plan.memory.total / plan.workers as u64;
    assert!(per_worker < 12 * 2002 * 2002 * 8 + (8 << 20), "{plan}");
    assert!(plan.memory.total < 3_200_000_000 / 3, "{plan}");
}

#[test]
fn map_blocks_over_several_arrays_unifies_their_grids() {
    for shape in [vec![7], vec![5, 6], vec![3, 4, 5], vec![0, 3]] {
        let a = data_f64(&shape);
        let b = data_f64(&shape).mapv(|v| v * 0.5 + 1.0);
        let cs = chunkings(&shape);
        for (ca, cb) in cs.iter().zip(cs.iter().rev()).step_by(2) {
            let x = chunkwise::from_array(a.clone(), ca.clone()).unwrap();
            let y = chunkwise::from_array(b.clone(), cb.clone()).unwrap();
            let z = chunkwise::map_blocks(&[&x, &y], |v| &v[0] * 2.0 - &v[1]).unwrap();
            assert_eq!(
                z.compute().unwrap(),
                &a * 2.0 - &b,
                "{shape:?} {ca:?} {cb:?}"
            );
            // The grid is the common refinement: every input's edges are block edges.
            for (d, axis) in z.chunks().axes().iter().enumerate() {
                let edges: Vec<usize> = (0..axis.len()).map(|k| axis.range(k).end).collect();
                for c in [ca, cb] {
                    let mut end = 0;
                    for &s in &c[d] {
                        end += s;
                        assert!(
                            end == 0 || edges.contains(&end),
                            "{shape:?} axis {d}: {edges:?}"
                        );
                    }
                }
            }
        }
    }
    // Broadcasting: a row against a column.
    let row = chunkwise::arange(4).cast::<f64>().rechunk(3).unwrap();
    let col = chunkwise::arange(3).cast::<f64>().reshape([3, 1]).unwrap();
    let outer = chunkwise::map_blocks(&[&row, &col], |v| &v[0] * &v[1]).unwrap();
    assert_eq!(outer.shape(), &[3, 4]);
    assert_eq!(outer.sum().item().unwrap(), 6.0 * 3.0);
    // Errors: no arrays, shapes that do not broadcast, a block of the wrong shape.
    let none: [&ChunkedArray<f64>; 0] = [];
    let e = chunkwise::map_blocks(&none, |v| v[0].to_owned()).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    let e = chunkwise::map_blocks(&[&row, &chunkwise::zeros::<f64>([3])], |v| v[0].to_owned())
        .unwrap_err();
    assert!(matches!(e, Error::Broadcast { .. }), "{e}");
    let wrong =
        chunkwise::map_blocks(&[&row, &row], |_| ArrayD::<f64>::zeros(IxDyn(&[7]))).unwrap();
    let e = wrong.compute().unwrap_err();
    assert!(matches!(e, Error::Block { .. }), "{e}");
}

#[test]
fn map_blocks_with_declared_blocks_drops_and_adds_axes() {
    use chunkwise::BlockSpec;
    let a = ndarray::Array::from_shape_fn((7, 10), |(i, j)| (i * 10 + j) as i64).into_dyn();
    for chunks in [vec![7usize, 10], vec![3, 4], vec![1, 1], vec![2, 10]] {
        let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
        // Column sums per block: axis 0 dropped (made one chunk).
        let spec = BlockSpec {
            drop_axis: vec![0],
            ..Default::default()
        };
        let s = x
            .map_blocks_with(&spec, |v| v.sum_axis(ndarray::Axis(0)))
            .unwrap();
        assert_eq!(s.shape(), &[10]);
        assert_eq!(s.chunks().axis(0), x.chunks().axis(1), "{chunks:?}");
        assert_eq!(
            s.compute().unwrap(),
            a.sum_axis(ndarray::Axis(0)),
            "{chunks:?}"
        );
        // Two values per block along each axis: declared block extents.
        let spec = BlockSpec {
            block_shape: vec![Some(1), Some(2)],
            ..Default::default()
        };
        let m = x
            .map_blocks_with(&spec, |v| {
                ndarray::Array2::from_shape_vec((1, 2), vec![v.len() as i64, v.sum()])
                    .unwrap()
                    .into_dyn()
            })
            .unwrap();
        let (br, bc) = (x.chunks().axis(0).len(), x.chunks().axis(1).len());
        assert_eq!(m.shape(), &[br, 2 * bc]);
        let got = m.compute().unwrap();
        let total: i64 = (0..br)
            .map(|i| (0..bc).map(|j| got[[i, 2 * j + 1]]).sum::<i64>())
            .sum();
        let count: i64 = (0..br)
            .map(|i| (0..bc).map(|j| got[[i, 2 * j]]).sum::<i64>())
            .sum();
        assert_eq!((total, count), (a.sum(), 70), "{chunks:?}");
        // A new leading axis of 3 and the last axis dropped.
        let spec = BlockSpec {
            drop_axis: vec![1],
            new_axis: vec![0],
            block_shape: vec![Some(3), None],
        };
        let n = x
            .map_blocks_with(&spec, |v| {
                let rows = v.sum_axis(ndarray::Axis(1));
                ndarray::stack(
                    ndarray::Axis(0),
                    &[rows.view(), (&rows * 2).view(), (&rows - 1).view()],
                )
                .unwrap()
            })
            .unwrap();
        assert_eq!(n.shape(), &[3, 7]);
        let rows = a.sum_axis(ndarray::Axis(1));
        let want = ndarray::stack(
            ndarray::Axis(0),
            &[rows.view(), (&rows * 2).view(), (&rows - 1).view()],
        )
        .unwrap();
        assert_eq!(n.compute().unwrap(), want, "{chunks:?}");
        // Several inputs, broadcast and aligned first.
        let b = chunkwise::arange(10).rechunk(3).unwrap();
        let spec = BlockSpec {
            drop_axis: vec![0],
            ..Default::default()
        };
        let d = chunkwise::map_blocks_with(&[&x, &b], &spec, |v| {
            (&v[0] - &v[1]).sum_axis(ndarray::Axis(0))
        })
        .unwrap();
        let want =
            a.sum_axis(ndarray::Axis(0)) - ndarray::Array1::from_iter(0..10i64).into_dyn() * 7;
        assert_eq!(d.compute().unwrap(), want, "{chunks:?}");
    }
    // A block of another shape than declared, and bad specs.
    let x = chunkwise::arange(10).rechunk(4).unwrap();
    let spec = BlockSpec {
        block_shape: vec![Some(2)],
        ..Default::default()
    };
    let bad = x.map_blocks_with(&spec, |v| v.to_owned()).unwrap();
    let e = bad.compute().unwrap_err();
    assert!(
        matches!(e, Error::Block { .. }) && e.to_string().contains("[2]"),
        "{e}"
    );
    let spec = BlockSpec {
        drop_axis: vec![1],
        ..Default::default()
    };
    assert!(matches!(
        x.map_blocks_with(&spec, |v| v.to_owned()),
        Err(Error::InvalidAxes { .. })
    ));
    let spec = BlockSpec {
        new_axis: vec![0, 0],
        ..Default::default()
    };
    assert!(matches!(
        x.map_blocks_with(&spec, |v| v.to_owned()),
        Err(Error::InvalidAxes { .. })
    ));
    let spec = BlockSpec {
        block_shape: vec![Some(1), None],
        ..Default::default()
    };
    assert!(matches!(
        x.map_blocks_with(&spec, |v| v.to_owned()),
        Err(Error::InvalidChunks { .. })
    ));
    let spec = BlockSpec {
        block_shape: vec![Some(0)],
        ..Default::default()
    };
    assert!(matches!(
        x.map_blocks_with(&spec, |v| v.to_owned()),
        Err(Error::InvalidChunks { .. })
    ));
    let spec = BlockSpec::default();
    assert!(matches!(
        chunkwise::map_blocks_with::<i64, i64, _>(&[], &spec, |v| v[0].to_owned()),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Sums the doubled blocks of `x` by a block function (`map_blocks`, or `map_overlap` with a
/// halo of `depth` that it cuts off again) on `workers`, checks the bits against the same
/// values made elementwise, and returns how many blocks the function made.
fn doubled_blocks_made(x: &ChunkedArray<f64>, depth: usize, workers: usize) -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let doubled = move |b: ArrayViewD<'_, f64>| {
        counter.fetch_add(1, Ordering::Relaxed);
        b.mapv(|v| v * 2.0)
    };
    let y = if depth == 0 {
        x.map_blocks(doubled)
    } else {
        // The halo is cut off again: the values are those of the chunk.
        let d = depth;
        x.map_overlap(&[d, d], Boundary::Reflect, move |b| {
            let inner = b.slice_each_axis(|a| ndarray::Slice::from(d..a.len - d));
            doubled(inner)
        })
        .unwrap()
    };
    let config = Config::default().workers(workers);
    let got = y.sum().compute_with(&config).unwrap();
    let want = (x * 2.0).sum().compute_with(&config).unwrap();
    assert_eq!(
        got.first().unwrap().to_bits(),
        want.first().unwrap().to_bits(),
        "{:?} {workers} workers",
        x.chunks()
    );
    calls.load(Ordering::Relaxed)
}

/// A full reduction's tasks fold boxes that follow the shape, not the chunks, so neighbouring
/// tasks may read the same blocks of a block function's result. The workers share them: a
/// block is made about once per pass, and the sum has the bits of the same values made
/// elementwise, for 1 to 3 workers. Where the chunks are whole cells of the canonical tree
/// (along each axis, the shape cut evenly into pieces of at most 2048: 40000 is twenty of
/// 2000, 200 one of 200), every task's box lies in one block, so each block is made exactly
/// once on any number of workers, whether they share blocks (at least 4 MB) or keep their own.
#[test]
fn a_reduction_makes_each_block_of_a_block_function_once() {
    for (shape, chunks, depth, cells) in [
        // Boxes of 512 x 2000 positions over blocks of 1000 x 1000 (6 x 6 blocks).
        ([6000, 6000], [1000, 1000], 0, false),
        // Blocks of 700 x 900 with a halo (5 x 6 blocks).
        ([3500, 5400], [700, 900], 1, false),
        // Rows shorter than a leaf: leaves of several rows (12 x 2 blocks of 4.8 MB).
        ([6000, 1500], [500, 1200], 2, false),
        // Cells: 20 blocks per row of 3.2 MB, 6 of 32 MB, 10 of 12.8 MB with a halo.
        ([200, 40000], [200, 2000], 0, true),
        ([4000, 6000], [2000, 2000], 0, true),
        ([4000, 6000], [2000, 2000], 1, true),
        ([400, 40000], [400, 4000], 2, true),
    ] {
        let x = chunkwise::random::default_rng(5)
            .random(shape)
            .rechunk(chunks)
            .unwrap();
        let blocks = x.chunks().num_chunks();
        for w in 1..=3 {
            let made = doubled_blocks_made(&x, depth, w);
            let at = format!("{shape:?} {chunks:?} {w} workers: {made} blocks made of {blocks}");
            if cells || w == 1 {
                // One worker runs the tasks in the tree's order and keeps the blocks they
                // share: each block once (53 of 36 and 41 of 30 before the tree had cells).
                assert_eq!(made, blocks, "{at}");
            } else {
                // With more workers the count depends on how they interleave: each block once
                // on two workers, 28-32 of 24 on three in the third case, and more with busy
                // processes beside them (a worker held up in a task while another runs ahead).
                assert!(made < blocks * 2, "{at}");
                assert!(made >= blocks, "{at}");
            }
        }
    }
}
