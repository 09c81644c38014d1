//! Rearranging functions against ndarray / NumPy references over the shapes and chunkings of
//! the other suites, and their errors.
use crate::common;

use chunkwise::PadMode;
use common::*;
use ndarray::{ArrayD, Axis, Dimension, IxDyn, Slice};

fn lazy(a: &ArrayD<i64>, chunks: &[Vec<usize>]) -> chunkwise::ChunkedArray<i64> {
    chunkwise::from_array(a.clone(), chunks.to_vec()).unwrap()
}

/// `a` with each element at index `i` taken from `a` at `map(i)` (the reference of every
/// rearrangement), into shape `shape`.
fn gather(
    a: &ArrayD<i64>,
    shape: &[usize],
    map: impl Fn(&[usize]) -> Option<Vec<usize>>,
    fill: i64,
) -> ArrayD<i64> {
    ArrayD::from_shape_fn(IxDyn(shape), |i| {
        match map(i.as_array_view().as_slice().unwrap()) {
            Some(j) => a[IxDyn(&j)],
            None => fill,
        }
    })
}

#[test]
fn flip_roll_swap_move_ravel() {
    for shape in shapes() {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let x = lazy(&a, &chunks);
            let what = format!("{shape:?} {chunks:?}");
            assert_eq!(
                x.ravel().compute().unwrap().as_slice().unwrap(),
                &a.iter().copied().collect::<Vec<_>>()[..],
                "ravel {what}"
            );
            for d in 0..shape.len() {
                let mut want = a.clone();
                want.slice_axis_inplace(Axis(d), Slice::new(0, None, -1));
                assert_eq!(
                    x.flip(d as isize).unwrap().compute().unwrap(),
                    want.as_standard_layout().to_owned(),
                    "flip {d} {what}"
                );
                for shift in [-7isize, -1, 0, 2, 5, 13] {
                    let n = shape[d] as isize;
                    let want = gather(
                        &a,
                        &shape,
                        |i| {
                            let mut j = i.to_vec();
                            j[d] = (i[d] as isize - shift).rem_euclid(n.max(1)) as usize;
                            Some(j)
                        },
                        0,
                    );
                    assert_eq!(
                        x.roll(shift, d as isize).unwrap().compute().unwrap(),
                        want,
                        "roll {shift} axis {d} {what}"
                    );
                }
                for e in 0..shape.len() {
                    let mut want = a.clone();
                    want.swap_axes(d, e);
                    assert_eq!(
                        x.swapaxes(d as isize, e as isize)
                            .unwrap()
                            .compute()
                            .unwrap(),
                        want.as_standard_layout().to_owned(),
                        "swapaxes {d} {e} {what}"
                    );
                    let got = x
                        .moveaxis(d as isize, e as isize)
                        .unwrap()
                        .compute()
                        .unwrap();
                    let mut order: Vec<usize> = (0..shape.len()).filter(|&k| k != d).collect();
                    order.insert(e, d);
                    let want = a
                        .view()
                        .permuted_axes(IxDyn(&order))
                        .as_standard_layout()
                        .to_owned();
                    assert_eq!(got, want, "moveaxis {d} {e} {what}");
                }
            }
        }
    }
    assert!(chunkwise::arange(3).flip(1).is_err());
    assert!(chunkwise::arange(3).roll(1, -2).is_err());
}

#[test]
fn tile_and_repeat() {
    for shape in [vec![3], vec![2, 3], vec![0, 2], vec![1, 4]] {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(2) {
            let x = lazy(&a, &chunks);
            for reps in [vec![2], vec![3, 1], vec![2, 2], vec![1, 1, 2], vec![0, 2]] {
                let nd = shape.len().max(reps.len());
                let mut ashape = vec![1; nd - shape.len()];
                ashape.extend(&shape);
                let reps_full: Vec<usize> = std::iter::repeat_n(1, nd - reps.len())
                    .chain(reps.iter().copied())
                    .collect();
                let out: Vec<usize> = ashape.iter().zip(&reps_full).map(|(s, r)| s * r).collect();
                let a2 = a.clone().into_shape_with_order(IxDyn(&ashape)).unwrap();
                let want = gather(
                    &a2,
                    &out,
                    |i| Some(i.iter().zip(&ashape).map(|(k, s)| k % s).collect()),
                    0,
                );
                assert_eq!(
                    x.tile(&reps).unwrap().compute().unwrap(),
                    want,
                    "tile {reps:?} of {shape:?} {chunks:?}"
                );
            }
            for d in 0..shape.len() {
                for r in [0usize, 1, 3] {
                    let mut out = shape.clone();
                    out[d] *= r;
                    let want = gather(
                        &a,
                        &out,
                        |i| {
                            let mut j = i.to_vec();
                            j[d] /= r.max(1);
                            Some(j)
                        },
                        0,
                    );
                    assert_eq!(
                        x.repeat(r, d as isize).unwrap().compute().unwrap(),
                        want,
                        "repeat {r} axis {d} {shape:?}"
                    );
                }
            }
        }
    }
}

/// NumPy's index for position `p` of a padded axis of extent `n` with `before` added.
fn pad_index(p: usize, n: usize, before: usize, mode: &str) -> Option<usize> {
    let q = p as isize - before as isize;
    let n = n as isize;
    if (0..n).contains(&q) {
        return Some(q as usize);
    }
    match mode {
        "constant" => None,
        "edge" => Some(q.clamp(0, n - 1) as usize),
        "reflect" => Some(if q < 0 { -q } else { 2 * (n - 1) - q } as usize),
        _ => Some(q.rem_euclid(n) as usize),
    }
}

#[test]
fn pad_every_mode_against_numpy() {
    for shape in [vec![5], vec![3, 4], vec![4, 1, 3]] {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(5) {
            let x = lazy(&a, &chunks);
            for widths in [
                vec![(0usize, 0usize); shape.len()],
                vec![(2, 1); shape.len()],
                (0..shape.len()).map(|d| (d % 2, 2 - d % 2)).collect(),
            ] {
                for (name, mode) in [
                    ("constant", PadMode::Constant(-9)),
                    ("edge", PadMode::Edge),
                    ("reflect", PadMode::Reflect),
                    ("wrap", PadMode::Wrap),
                ] {
                    let got = x.pad(&widths, mode);
                    let fits = shape.iter().zip(&widths).all(|(&n, &(b, e))| match name {
                        "reflect" => (b == 0 || b < n) && (e == 0 || e < n),
                        "wrap" => b <= n && e <= n,
                        _ => true,
                    });
                    if !fits {
                        assert!(
                            matches!(got, Err(chunkwise::Error::InvalidParameter { .. })),
                            "{name} {widths:?} {shape:?}"
                        );
                        continue;
                    }
                    let out: Vec<usize> = shape
                        .iter()
                        .zip(&widths)
                        .map(|(n, (b, e))| n + b + e)
                        .collect();
                    let want = gather(
                        &a,
                        &out,
                        |i| {
                            i.iter()
                                .enumerate()
                                .map(|(d, &p)| pad_index(p, shape[d], widths[d].0, name))
                                .collect()
                        },
                        -9,
                    );
                    assert_eq!(
                        got.unwrap().compute().unwrap(),
                        want,
                        "{name} {widths:?} {shape:?} {chunks:?}"
                    );
                }
            }
        }
    }
    let x = chunkwise::arange(3);
    assert!(
        x.pad(&[(1, 1), (1, 1)], PadMode::Edge).is_err(),
        "one pair per axis"
    );
    assert!(
        chunkwise::arange(0).pad(&[(1, 0)], PadMode::Edge).is_err(),
        "edge of nothing"
    );
}

#[test]
fn split_diagonal_triangles_and_stacks() {
    let a = data_i64(&[7, 4]);
    let x = lazy(&a, &[vec![3, 3, 1], vec![2, 2]]);
    let parts = x.array_split(3, 0).unwrap();
    let lens: Vec<usize> = parts.iter().map(|p| p.shape()[0]).collect();
    assert_eq!(lens, [3, 2, 2]);
    let back = chunkwise::concatenate(&parts, 0)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(back, a);
    assert_eq!(x.split(2, 1).unwrap().len(), 2);
    assert!(
        matches!(
            x.split(3, 1),
            Err(chunkwise::Error::InvalidParameter { .. })
        ),
        "4 in 3 pieces"
    );
    assert!(x.array_split(0, 0).is_err());
    assert!(x.split(2, 5).is_err(), "bad axis");

    for (n, m) in [(3usize, 4usize), (4, 3), (1, 5), (0, 2)] {
        let a = data_i64(&[n, m]);
        let x = if n == 0 {
            chunkwise::from_array(a.clone(), [1, m]).unwrap()
        } else {
            chunkwise::from_array(a.clone(), [2, 3]).unwrap()
        };
        for k in -5isize..=5 {
            let want: Vec<i64> = (0..n as isize)
                .filter(|&r| (0..m as isize).contains(&(r + k)))
                .map(|r| a[[r as usize, (r + k) as usize]])
                .collect();
            assert_eq!(
                x.diagonal(k)
                    .unwrap()
                    .compute()
                    .unwrap()
                    .as_slice()
                    .unwrap(),
                &want[..],
                "diagonal {k} of {n}x{m}"
            );
            let tril = ArrayD::from_shape_fn(IxDyn(&[n, m]), |i| {
                if i[1] as isize - i[0] as isize <= k {
                    a[&i]
                } else {
                    0
                }
            });
            let triu = ArrayD::from_shape_fn(IxDyn(&[n, m]), |i| {
                if i[1] as isize - i[0] as isize >= k {
                    a[&i]
                } else {
                    0
                }
            });
            assert_eq!(x.tril(k).unwrap().compute().unwrap(), tril, "tril {k}");
            assert_eq!(x.triu(k).unwrap().compute().unwrap(), triu, "triu {k}");
        }
    }
    // Triangles apply to the last two axes of a stack of matrices.
    let s = chunkwise::ones::<i64>([2, 3, 3]).tril(0).unwrap();
    assert_eq!(s.sum().item().unwrap(), 12);
    assert!(chunkwise::arange(3).tril(0).is_err());
    assert!(chunkwise::arange(3).diagonal(0).is_err());

    let r = chunkwise::arange(3);
    let v = chunkwise::vstack(&[r.clone(), r.clone() * 2])
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(v.shape(), &[2, 3]);
    assert_eq!(v[[1, 2]], 4);
    let h = chunkwise::hstack(&[r.clone(), r.clone()]).unwrap();
    assert_eq!(h.shape(), &[6]);
    let d = chunkwise::dstack(&[r.clone(), r.clone()]).unwrap();
    assert_eq!(d.shape(), &[1, 3, 2]);
    let m = chunkwise::arange(4).reshape([2, 2]).unwrap();
    let b = chunkwise::block(&[
        vec![m.clone(), m.clone() * 10],
        vec![m.clone() * 100, m.clone()],
    ])
    .unwrap()
    .compute()
    .unwrap();
    assert_eq!(b.shape(), &[4, 4]);
    assert_eq!((b[[0, 3]], b[[3, 0]], b[[3, 3]]), (10, 200, 3));
    let b1 = chunkwise::block(&[vec![r.clone(), r.clone()], vec![r.clone(), r.clone()]]).unwrap();
    assert_eq!(b1.shape(), &[2, 6], "1-d blocks become rows, as np.block");
    assert!(chunkwise::vstack(&[r.clone(), chunkwise::arange(4)]).is_err());
}

#[test]
fn huge_counts_are_lazy_or_typed_errors() {
    let x = chunkwise::arange(3);
    for r in [usize::MAX, usize::MAX / 2, 1 << 62] {
        assert!(
            matches!(x.tile(&[r]), Err(chunkwise::Error::TooLarge { .. })),
            "tile {r}"
        );
        assert!(
            matches!(x.repeat(r, 0), Err(chunkwise::Error::TooLarge { .. })),
            "repeat {r}"
        );
    }
    // Lazy at 3e17 elements: built, sliced and computed in part.
    let big = x.repeat(100_000_000_000_000_000, 0).unwrap();
    assert_eq!(big.shape(), &[300_000_000_000_000_000]);
    let tail = big.slice(ndarray::s![-3..]).unwrap().compute().unwrap();
    assert_eq!(tail.as_slice().unwrap(), &[2, 2, 2]);
    let t = x.tile(&[100_000_000_000_000_000]).unwrap();
    let tail = t.slice(ndarray::s![-4..]).unwrap().compute().unwrap();
    assert_eq!(tail.as_slice().unwrap(), &[2, 0, 1, 2]);
    let r = x.roll(isize::MIN, 0).unwrap().compute().unwrap();
    assert_eq!(
        r.as_slice().unwrap(),
        &[2, 0, 1],
        "isize::MIN mod 3 = 1: a roll by one"
    );
}

#[test]
fn take_is_numpys_integer_array_indexing() {
    for shape in shapes() {
        if shape.is_empty() {
            continue;
        }
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for axis in 0..shape.len() {
                let n = shape[axis] as i64;
                let patterns: Vec<Vec<i64>> = vec![
                    (0..n).collect(),
                    (0..n).rev().collect(),
                    (0..n).map(|i| -1 - i).collect(),
                    (0..2 * n)
                        .map(|i| (i * 7 + 3) % n.max(1))
                        .filter(|_| n > 0)
                        .collect(),
                    vec![],
                ];
                for idx in patterns {
                    let got = x.take(&idx, axis as isize).unwrap();
                    let eager: Vec<usize> = idx
                        .iter()
                        .map(|&i| if i < 0 { (i + n) as usize } else { i as usize })
                        .collect();
                    let want = a.select(ndarray::Axis(axis), &eager);
                    assert_eq!(
                        got.compute().unwrap(),
                        want,
                        "{shape:?} {chunks:?} {axis} {idx:?}"
                    );
                }
            }
        }
    }
    let x = chunkwise::arange(5);
    for bad in [5, -6, i64::MIN, i64::MAX] {
        let e = x.take(&[0, bad], 0).unwrap_err();
        assert!(
            matches!(e, chunkwise::Error::IndexOutOfBounds { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("out of bounds"), "{e}");
    }
    assert!(matches!(
        x.take(&[0], 1).unwrap_err(),
        chunkwise::Error::AxisOutOfRange { .. }
    ));
    // Lazy at any size: a few elements of 1e18.
    let big = chunkwise::arange_of(0u64, 1_000_000_000_000_000_000, 1);
    let t = big
        .take(&[-1, 0, 999_999_999_999], 0)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(
        t.as_slice().unwrap(),
        &[999_999_999_999_999_999, 0, 999_999_999_999]
    );
}
