//! The array API standard's functions on the dtype-erased array, against eager references over
//! the shared shapes and chunkings: shifts of every integer dtype (counts past the width and
//! negative ones), the logical functions over numbers, `sign`/`signbit`/`isinf` of every dtype,
//! `clip` with broadcast array bounds in the array's dtype, the promotion of the float functions
//! of two operands, the rearrangements (`flip`, `roll`,
//! `moveaxis`, `repeat` by counts, `cumulative_sum`, `diff` of bools), functional assignment
//! against ndarray's own, and their errors.

use crate::common::*;
use chunkwise::ndarray::{ArrayD, IxDyn, Zip};
use chunkwise::{DType, DynArray, DynOperand, Error};

const INTEGERS: [(DType, u32, bool); 8] = [
    (DType::I8, 8, true),
    (DType::I16, 16, true),
    (DType::I32, 32, true),
    (DType::I64, 64, true),
    (DType::U8, 8, false),
    (DType::U16, 16, false),
    (DType::U32, 32, false),
    (DType::U64, 64, false),
];

/// `v` wrapped into an integer type of `bits` bits.
fn wrap(v: i128, bits: u32, signed: bool) -> i128 {
    let m = 1i128 << bits;
    let r = v.rem_euclid(m);
    if signed && r >= m / 2 {
        r - m
    } else {
        r
    }
}

fn dyn_of(a: &ArrayD<i64>, chunks: &[Vec<usize>], d: DType) -> DynArray {
    DynArray::from(chunkwise::from_array(a.clone(), chunks.to_vec()).unwrap()).astype(d)
}

/// The elements as `i128`, through `i64` (every value these tests make fits it).
fn ints(x: &DynArray) -> Vec<i128> {
    let v = x
        .astype(DType::I64)
        .compute()
        .unwrap()
        .downcast::<i64>()
        .unwrap();
    v.iter().map(|&e| e.into()).collect()
}

fn bools(x: &DynArray) -> Vec<bool> {
    assert_eq!(x.dtype(), DType::Bool);
    x.compute()
        .unwrap()
        .downcast::<bool>()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

/// `a` reversed, in `a`'s shape: a second operand whose values meet the first's differently.
fn reversed<T: Clone>(a: &ArrayD<T>) -> ArrayD<T> {
    let mut v: Vec<T> = a.iter().cloned().collect();
    v.reverse();
    ArrayD::from_shape_vec(IxDyn(a.shape()), v).unwrap()
}

#[test]
fn shifts_of_every_integer_dtype_follow_numpy() {
    let mut cases = 0;
    for shape in shapes() {
        let data = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            for (d, bits, signed) in INTEGERS {
                // Values and counts from -11 to 11 (non-negative for unsigned types): counts
                // past 8 bits and negative counts are both in.
                let x = if signed {
                    data.clone()
                } else {
                    data.mapv(i64::abs)
                };
                let n = reversed(&x);
                let (dx, dn) = (dyn_of(&x, &chunks, d), dyn_of(&n, &chunks, d));
                let (l, r) = (dx.shl(&dn).unwrap(), dx.shr(&dn).unwrap());
                assert_eq!((l.dtype(), r.dtype()), (d, d));
                let (l, r) = (ints(&l), ints(&r));
                for (i, (&v, &c)) in x.iter().zip(n.iter()).enumerate() {
                    let (v, c) = (i128::from(v), i128::from(c));
                    let past = c < 0 || c >= i128::from(bits);
                    let want_l = if past { 0 } else { wrap(v << c, bits, signed) };
                    let want_r = match (past, v < 0) {
                        (true, true) => -1,
                        (true, false) => 0,
                        _ => v >> c,
                    };
                    assert_eq!(l[i], want_l, "{d} {v} << {c} {shape:?} {chunks:?}");
                    assert_eq!(r[i], want_r, "{d} {v} >> {c} {shape:?} {chunks:?}");
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 300, "{cases} cases");
    // The 64-bit widths, a weak count, and bools (shifted as i8, as NumPy's).
    let x = DynArray::from(-chunkwise::arange(3));
    assert_eq!(ints(&x.shl(63).unwrap()), [0, i128::from(i64::MIN), 0]);
    assert_eq!(ints(&x.shr(64).unwrap()), [0, -1, -1]);
    let u = x.astype(DType::U64);
    assert_eq!(ints(&u.shr(63).unwrap()), [0, 1, 1]);
    let t = DynArray::from(chunkwise::arange(2).ne(0));
    let b = t.shl(&t).unwrap();
    assert_eq!((b.dtype(), ints(&b)), (DType::I8, vec![0, 2]));
    // Floats have no shifts.
    let f = DynArray::from(chunkwise::linspace(0.0, 1.0, 3));
    for e in [f.shl(1), x.shr(&f)] {
        assert!(matches!(e, Err(Error::UnsupportedDType { .. })), "{e:?}");
    }
}

#[test]
fn logical_functions_read_numbers_as_truth() {
    for shape in shapes() {
        let a = data_f64(&shape).mapv(|v| if v.abs() < 2.0 { 0.0 } else { v });
        let b = reversed(&data_i64(&shape)).mapv(|v| v % 3);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap());
            let y = dyn_of(&b, &chunks, DType::I8);
            let (p, q): (Vec<bool>, Vec<bool>) = a
                .iter()
                .zip(b.iter())
                .map(|(&u, &v)| (u != 0.0, v != 0))
                .unzip();
            let want = |f: fn(bool, bool) -> bool| -> Vec<bool> {
                p.iter().zip(&q).map(|(&u, &v)| f(u, v)).collect()
            };
            let what = format!("{shape:?} {chunks:?}");
            assert_eq!(
                bools(&x.logical_and(&y).unwrap()),
                want(|u, v| u & v),
                "and {what}"
            );
            assert_eq!(
                bools(&x.logical_or(&y).unwrap()),
                want(|u, v| u | v),
                "or {what}"
            );
            assert_eq!(
                bools(&x.logical_xor(&y).unwrap()),
                want(|u, v| u ^ v),
                "xor {what}"
            );
            assert_eq!(
                bools(&x.logical_not().unwrap()),
                want(|u, _| !u),
                "not {what}"
            );
            // Scalars of each kind read as truth too.
            assert_eq!(
                bools(&x.logical_and(0.5).unwrap()),
                want(|u, _| u),
                "and 0.5 {what}"
            );
            assert_eq!(
                bools(&x.logical_or(0i64).unwrap()),
                want(|u, _| u),
                "or 0 {what}"
            );
            assert_eq!(
                bools(&x.logical_xor(true).unwrap()),
                want(|u, _| !u),
                "xor {what}"
            );
        }
    }
}

#[test]
fn sign_signbit_and_isinf_of_every_dtype() {
    for shape in shapes() {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(5) {
            for (d, _, signed) in INTEGERS {
                let x = if signed { a.clone() } else { a.mapv(i64::abs) };
                let dx = dyn_of(&x, &chunks, d);
                let s = dx.sign().unwrap();
                assert_eq!(s.dtype(), d);
                let want: Vec<i128> = x.iter().map(|&v| i128::from(v.signum())).collect();
                assert_eq!(ints(&s), want, "sign {d} {shape:?} {chunks:?}");
                let want: Vec<bool> = x.iter().map(|&v| v < 0).collect();
                assert_eq!(bools(&dx.signbit()), want, "signbit {d}");
                assert!(bools(&dx.isinf()).iter().all(|&b| !b), "isinf {d}");
            }
        }
    }
    let inf = f64::INFINITY;
    let v = [-0.0, 0.0, -2.5, 3.0, inf, -inf, f64::NAN, -f64::NAN];
    for d in [DType::F64, DType::F32] {
        let x = DynArray::from(chunkwise::from_array(chunkwise::ndarray::arr1(&v), 3).unwrap())
            .astype(d);
        let s = x.sign().unwrap();
        assert_eq!(s.dtype(), d);
        let s = f64_values(&s);
        // Both zeros give +0; NaN stays NaN.
        assert_eq!(
            s.iter().take(6).map(|e| e.to_bits()).collect::<Vec<_>>(),
            [0.0f64, 0.0, -1.0, 1.0, 1.0, -1.0].map(f64::to_bits)
        );
        assert!(s[6].is_nan() && s[7].is_nan());
        assert_eq!(
            bools(&x.signbit()),
            [true, false, true, false, false, true, false, true]
        );
        assert_eq!(
            bools(&x.isinf()),
            [false, false, false, false, true, true, false, false]
        );
    }
    let t = DynArray::from(chunkwise::arange(3).ne(1));
    assert!(matches!(t.sign(), Err(Error::UnsupportedDType { .. })));
    assert_eq!(bools(&t.signbit()), [false; 3]);
    assert_eq!(bools(&t.isinf()), [false; 3]);
}

/// `x` clipped elementwise by the broadcast bounds (NaN wins, `max` applied last).
fn clip_reference(x: &ArrayD<f64>, lo: &ArrayD<f64>, hi: &ArrayD<f64>) -> ArrayD<f64> {
    let nan_max = |a: f64, b: f64| {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.max(b)
        }
    };
    let nan_min = |a: f64, b: f64| {
        if a.is_nan() || b.is_nan() {
            f64::NAN
        } else {
            a.min(b)
        }
    };
    let lo = lo.broadcast(x.raw_dim()).unwrap();
    let hi = hi.broadcast(x.raw_dim()).unwrap();
    Zip::from(x)
        .and(&lo)
        .and(&hi)
        .map_collect(|&v, &l, &h| nan_min(nan_max(v, l), h))
}

#[test]
fn clip_takes_broadcast_array_bounds_and_keeps_the_dtype() {
    for shape in shapes() {
        let mut a = data_f64(&shape);
        if let Some(v) = a.iter_mut().nth(2) {
            *v = f64::NAN;
        }
        // Bounds along the last axis (broadcast over the others), one of them NaN somewhere.
        let last = shape.last().copied().unwrap_or(1);
        let lo = ArrayD::from_shape_fn(IxDyn(&[last]), |i| -2.0 + i[0] as f64 * 0.5);
        let mut hi = lo.mapv(|v| v + 3.0);
        if last > 3 {
            hi[[3]] = f64::NAN;
        }
        let (lo, hi) = if shape.is_empty() {
            (
                lo.into_shape_with_order(IxDyn(&[])).unwrap(),
                hi.into_shape_with_order(IxDyn(&[])).unwrap(),
            )
        } else {
            (lo, hi)
        };
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap());
            let bound = |b: &ArrayD<f64>| {
                let n = b.shape().first().copied().unwrap_or(1).max(1);
                DynOperand::Array(DynArray::from(chunkwise::from_array(b.clone(), n).unwrap()))
            };
            let what = format!("{shape:?} {chunks:?}");
            let got = x.clip(Some(bound(&lo)), Some(bound(&hi))).unwrap();
            assert_eq!(got.dtype(), DType::F64);
            assert_close(&f64_values(&got), &clip_reference(&a, &lo, &hi), 0.0, &what);
            // One side only, as a scalar; then f32 keeps f32 against f64 bounds.
            let inf = ArrayD::from_elem(IxDyn(&[]), f64::INFINITY);
            let quarter = ArrayD::from_elem(IxDyn(&[]), 0.25);
            let got = x.clip(Some(DynOperand::Float(0.25)), None).unwrap();
            assert_close(
                &f64_values(&got),
                &clip_reference(&a, &quarter, &inf),
                0.0,
                &what,
            );
            let got = x.astype(DType::F32).clip(None, Some(bound(&hi))).unwrap();
            assert_eq!(got.dtype(), DType::F32);
            let neg_inf = ArrayD::from_elem(IxDyn(&[]), f64::NEG_INFINITY);
            let want = clip_reference(&a.mapv(|v| f64::from(v as f32)), &neg_inf, &hi);
            assert_close(&f64_values(&got), &want, 0.0, &what);
        }
    }
    // Integer arrays: a bound past the dtype's range bounds nothing on its side; a float bound
    // clips in f64 and comes back to the dtype.
    let u = DynArray::from(chunkwise::arange(6)).astype(DType::U8);
    let c = u
        .clip(Some(DynOperand::Int(-5)), Some(DynOperand::Int(300)))
        .unwrap();
    assert_eq!((c.dtype(), ints(&c)), (DType::U8, vec![0, 1, 2, 3, 4, 5]));
    let c = u
        .clip(Some(DynOperand::Float(1.5)), Some(DynOperand::Int(4)))
        .unwrap();
    assert_eq!((c.dtype(), ints(&c)), (DType::U8, vec![1, 1, 2, 3, 4, 4]));
    let t = DynArray::from(chunkwise::arange(2).ne(0));
    assert!(matches!(
        t.clip(None, None),
        Err(Error::UnsupportedDType { .. })
    ));
    // Bounds that do not broadcast are a shape error (recorded in the graph, raised by compute).
    let w = DynArray::from(chunkwise::arange(4));
    let e = u
        .clip(None, Some(DynOperand::Array(w)))
        .unwrap()
        .compute()
        .unwrap_err();
    assert!(
        matches!(e, Error::ShapeMismatch { .. }) || matches!(e, Error::Broadcast { .. }),
        "{e}"
    );
}

#[test]
fn float_functions_of_two_operands_promote_as_numpy() {
    let x = |d: DType| DynArray::from(chunkwise::arange(4)).astype(d);
    for (a, b, want) in [
        (DType::I32, DType::I32, DType::F64),
        (DType::I8, DType::U8, DType::F32),
        (DType::F32, DType::I8, DType::F32),
        (DType::F32, DType::F64, DType::F64),
        (DType::Bool, DType::Bool, DType::F32),
    ] {
        for (name, r) in [
            ("atan2", x(a).atan2(x(b))),
            ("hypot", x(a).hypot(x(b))),
            ("copysign", x(a).copysign(x(b))),
            ("logaddexp", x(a).logaddexp(x(b))),
            ("nextafter", x(a).nextafter(x(b))),
        ] {
            assert_eq!(r.unwrap().dtype(), want, "{name} {a} {b}");
        }
    }
    // A weak float keeps f32; the values are the typed function's.
    let h = x(DType::F32).hypot(0.5).unwrap();
    assert_eq!(h.dtype(), DType::F32);
    let want = chunkwise::arange(4)
        .cast::<f32>()
        .hypot(0.5f32)
        .compute()
        .unwrap();
    assert_eq!(h.compute().unwrap().downcast::<f32>().unwrap(), want);
    let a = x(DType::I64).atan2(x(DType::U8)).unwrap();
    let want = chunkwise::arange(4).cast::<f64>();
    let want = want.atan2(&want).compute().unwrap();
    assert_eq!(f64_values(&a), want);
}

fn i64s(x: &DynArray) -> ArrayD<i64> {
    x.astype(DType::I64)
        .compute()
        .unwrap()
        .downcast::<i64>()
        .unwrap()
}

/// `a` rolled by `s` along axis `k` (element `i` moves to `i + s`, wrapping), by index.
fn roll_reference(a: &ArrayD<i64>, s: isize, k: usize) -> ArrayD<i64> {
    let n = a.shape()[k] as isize;
    ArrayD::from_shape_fn(a.raw_dim(), |mut i| {
        i[k] = (i[k] as isize - s).rem_euclid(n) as usize;
        a[i]
    })
}

#[test]
fn rearrangements_match_eager_references() {
    use chunkwise::ndarray::{Axis, Slice};
    let mut cases = 0;
    for shape in shapes() {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(2) {
            let x = dyn_of(&a, &chunks, DType::I64);
            let what = format!("{shape:?} {chunks:?}");
            // flip: every axis reverses the C order; one axis by ndarray's reversed view.
            let mut rev: Vec<i64> = a.iter().copied().collect();
            rev.reverse();
            assert_eq!(
                i64s(&x.flip(None).unwrap())
                    .iter()
                    .copied()
                    .collect::<Vec<_>>(),
                rev,
                "flip {what}"
            );
            // roll of the flattened array: the C order rotated.
            let mut rolled: Vec<i64> = a.iter().copied().collect();
            if !rolled.is_empty() {
                let k = 3 % rolled.len();
                rolled.rotate_right(k);
            }
            let got = i64s(&x.roll(&[3], None).unwrap());
            assert_eq!(got.shape(), a.shape(), "roll {what}");
            assert_eq!(
                got.iter().copied().collect::<Vec<_>>(),
                rolled,
                "roll {what}"
            );
            if !shape.is_empty() {
                let last = shape.len() - 1;
                let want = a.slice_axis(Axis(0), Slice::new(0, None, -1)).to_owned();
                assert_eq!(i64s(&x.flip(Some(&[0])).unwrap()), want, "flip 0 {what}");
                // Two shifts of one axis add up, as NumPy's.
                let got = x.roll(&[2, -5], Some(&[-1, -1])).unwrap();
                assert_eq!(i64s(&got), roll_reference(&a, -3, last), "roll axis {what}");
                let got = x.moveaxis(&[0], &[-1]).unwrap();
                let mut perm: Vec<usize> = (1..shape.len()).collect();
                perm.push(0);
                assert_eq!(i64s(&got), a.clone().permuted_axes(perm), "moveaxis {what}");
                // repeat by counts along axis 0: element i of the axis, i % 3 times.
                let counts: Vec<usize> = (0..shape[0]).map(|i| i % 3).collect();
                let got = i64s(&x.repeat_counts(&counts, Some(0)).unwrap());
                let parts: Vec<_> = (0..shape[0])
                    .flat_map(|i| std::iter::repeat_n(a.index_axis(Axis(0), i), i % 3))
                    .collect();
                let mut want_shape = shape.clone();
                want_shape[0] = counts.iter().sum();
                let want = if parts.is_empty() {
                    ArrayD::zeros(IxDyn(&want_shape))
                } else {
                    chunkwise::ndarray::stack(Axis(0), &parts).unwrap()
                };
                assert_eq!(got, want, "repeat counts {what}");
                // cumulative_sum with its initial 0 along the last axis.
                let got = i64s(&x.cumulative_sum(Some(-1), true).unwrap());
                let mut want_shape = shape.clone();
                want_shape[last] += 1;
                let want = ArrayD::from_shape_fn(IxDyn(&want_shape), |i| {
                    let mut j = i.clone();
                    (0..i[last])
                        .map(|t| {
                            j[last] = t;
                            a[&j]
                        })
                        .sum::<i64>()
                });
                assert_eq!(got, want, "cumulative_sum {what}");
                // diff of bools: neighbours that differ.
                let b = x.gt(0i64).unwrap();
                let got = b.diff(1, -1).unwrap();
                assert_eq!(got.dtype(), DType::Bool);
                let n = shape[last];
                let mut want_shape = shape.clone();
                want_shape[last] = n.saturating_sub(1);
                let want = ArrayD::from_shape_fn(IxDyn(&want_shape), |i| {
                    let mut j = i.clone();
                    let p = a[&j] > 0;
                    j[last] += 1;
                    p != (a[&j] > 0)
                });
                assert_eq!(
                    got.compute().unwrap().downcast::<bool>().unwrap(),
                    want,
                    "diff {what}"
                );
            }
            cases += 1;
        }
    }
    assert!(cases > 50, "{cases} cases");
}

#[test]
fn rearrangement_errors_and_small_cases() {
    let x = DynArray::from(chunkwise::arange(6).reshape([2, 3]).unwrap());
    // Repeated axes, mismatched lengths, counts of the wrong length, an axis out of range.
    assert!(matches!(
        x.flip(Some(&[0, -2])),
        Err(Error::InvalidAxes { .. })
    ));
    assert!(matches!(
        x.moveaxis(&[0], &[0, 1]),
        Err(Error::InvalidAxes { .. })
    ));
    assert!(matches!(
        x.roll(&[1, 2], None),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.roll(&[1, 2, 3], Some(&[0, 1])),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.repeat_counts(&[1], Some(1)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.flip(Some(&[2])),
        Err(Error::AxisOutOfRange { .. })
    ));
    assert!(matches!(
        x.cumulative_sum(None, false),
        Err(Error::InvalidParameter { .. })
    ));
    let t = DynArray::from(chunkwise::arange(2).ne(0));
    assert!(matches!(t.tril(0), Err(Error::InvalidParameter { .. })));
    // tile, tril/triu, eye, meshgrid, broadcast_arrays and a 0-d cumulative product.
    assert_eq!(i64s(&x.tile(&[2]).unwrap()).shape(), &[2, 6]);
    assert_eq!(
        i64s(&x.tril(0).unwrap()).into_raw_vec_and_offset().0,
        [0, 0, 0, 3, 4, 0]
    );
    assert_eq!(
        i64s(&x.triu(1).unwrap()).into_raw_vec_and_offset().0,
        [0, 1, 2, 0, 0, 5]
    );
    let e = DynArray::eye(DType::Bool, 2, 3, -1);
    assert_eq!(bools(&e), [false, false, false, true, false, false]);
    let g = DynArray::meshgrid(
        &[
            x.ravel(),
            DynArray::from(chunkwise::arange(2)).astype(DType::U8),
        ],
        chunkwise::Indexing::Ij,
    )
    .unwrap();
    assert_eq!((g[1].shape(), g[1].dtype()), (&[6usize, 2][..], DType::U8));
    let b = chunkwise::broadcast_arrays(&[
        x.clone(),
        DynArray::from(chunkwise::arange(3)).astype(DType::F32),
    ])
    .unwrap();
    assert_eq!((b[1].shape(), b[1].dtype()), (&[2usize, 3][..], DType::F32));
    let w = DynArray::from(chunkwise::arange(4));
    assert!(matches!(
        chunkwise::broadcast_arrays(&[x.clone(), w]),
        Err(Error::Broadcast { .. })
    ));
    let s = DynArray::full(Vec::<usize>::new(), chunkwise::DynScalar::of(5i64));
    assert_eq!(
        i64s(&s.cumulative_prod(None, true).unwrap())
            .into_raw_vec_and_offset()
            .0,
        [1, 5]
    );
    assert_eq!(chunkwise::result_type(&[x, t]).unwrap(), DType::I64);
}

#[test]
fn assign_matches_ndarray_assignment() {
    use chunkwise::ndarray::{Dimension, SliceInfoElem as E};
    let slice = |start, end, step| E::Slice { start, end, step };
    let mut cases = 0;
    for shape in shapes() {
        let a = data_i64(&shape);
        // Index forms: a strided slice, a reversed one, an integer from the end, a new axis.
        let mut keys: Vec<Vec<E>> = vec![vec![]];
        if let Some(&n) = shape.first() {
            keys.push(vec![E::NewAxis, slice(0, None, -1)]);
            if n > 0 {
                // (ndarray's own slicing, the reference, panics on a start past the end.)
                keys.push(vec![slice(1, None, 2)]);
                keys.push(vec![E::Index(-1)]);
            }
        }
        if shape.len() >= 2 && shape[1] > 0 {
            keys.push(vec![slice(0, None, 1), E::Index(0), E::NewAxis]);
        }
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = dyn_of(&a, &chunks, DType::I64).astype(DType::I32);
            for key in &keys {
                // Every axis named (ndarray's slicing needs them all).
                let named = key.iter().filter(|e| !matches!(e, E::NewAxis)).count();
                let mut key = key.clone();
                key.extend((named..shape.len()).map(|_| slice(0, None, 1)));
                let key = &key;
                let mut want = a.mapv(|v| v as i32);
                let region: Vec<usize> = want.slice(&key[..]).shape().to_vec();
                // A value whose last axis broadcasts (length 1), then a scalar.
                let mut vshape = region.clone();
                if let Some(l) = vshape.last_mut() {
                    *l = 1;
                }
                let v = ArrayD::from_shape_fn(IxDyn(&vshape), |i| {
                    100 + i.slice().iter().sum::<usize>() as i64
                });
                want.slice_mut(&key[..]).assign(&v.mapv(|e| e as i32));
                let dv = DynArray::from(chunkwise::from_array(v.clone(), 2).unwrap());
                let got = x.assign(key, DynOperand::Array(dv)).unwrap();
                assert_eq!(got.dtype(), DType::I32);
                let got = got.compute().unwrap().downcast::<i32>().unwrap();
                assert_eq!(got, want, "{key:?} {shape:?} {chunks:?}");
                let mut want = a.mapv(|v| v as i32);
                want.slice_mut(&key[..]).fill(-7);
                let got = x.assign(key, DynOperand::Float(-7.9)).unwrap();
                assert_eq!(
                    got.compute().unwrap().downcast::<i32>().unwrap(),
                    want,
                    "scalar {key:?}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 50, "{cases} cases");
    // A mask takes one value; other values, and masks of another shape, are errors.
    let x = DynArray::from(chunkwise::arange(5));
    let m = x.gt(2i64).unwrap();
    let y = x.assign_where(&m, DynOperand::Bool(true)).unwrap();
    assert_eq!(ints(&y), [0, 1, 2, 1, 1]);
    let two = DynArray::from(chunkwise::arange(2));
    assert!(matches!(
        x.assign_where(&m, DynOperand::Array(two)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.assign_where(&x, DynOperand::Int(0)),
        Err(Error::UnsupportedDType { .. })
    ));
    let short = DynArray::from(chunkwise::arange(4)).gt(1i64).unwrap();
    assert!(matches!(
        x.assign_where(&short, DynOperand::Int(0)),
        Err(Error::ShapeMismatch { .. })
    ));
    // A Python integer out of the dtype's range is an error (NumPy 2's OverflowError).
    let u = x.astype(DType::U8);
    assert!(matches!(
        u.assign(&[E::Index(0)], DynOperand::Int(300)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        u.assign_where(&m, DynOperand::Int(-1)),
        Err(Error::InvalidParameter { .. })
    ));
    // An index out of bounds, and a value that does not broadcast to the selection.
    assert!(matches!(
        x.assign(&[E::Index(5)], DynOperand::Int(0)),
        Err(Error::IndexOutOfBounds { .. })
    ));
    // A start past the end selects nothing (a no-op, not a panic); a negative step past it
    // selects from the end of the range.
    let y = x.assign(&[slice(7, None, 1)], DynOperand::Int(3)).unwrap();
    assert_eq!(ints(&y), ints(&x));
    let y = x
        .assign(&[slice(-9, Some(9), -2)], DynOperand::Int(-1))
        .unwrap();
    assert_eq!(ints(&y), [-1, 1, -1, 3, -1]);
    // The bool diff of every order, and an order far past the axis (an empty result at once).
    let b = DynArray::from(
        chunkwise::from_array(
            chunkwise::ndarray::arr1(&[false, true, false, false, true]),
            2,
        )
        .unwrap(),
    );
    assert_eq!(bools(&b.diff(2, 0).unwrap()), [false, true, true]);
    let far = b.diff(usize::MAX, -1).unwrap();
    assert_eq!(far.shape(), &[0]);
    // meshgrid keeps each input's dtype, as NumPy's.
    let g = DynArray::meshgrid(
        &[
            x.astype(DType::U8),
            DynArray::from(chunkwise::linspace(0.0, 1.0, 2)),
        ],
        chunkwise::Indexing::Xy,
    )
    .unwrap();
    assert_eq!(
        (g[0].dtype(), g[1].dtype(), g[0].shape()),
        (DType::U8, DType::F64, &[2usize, 5][..])
    );
    let three = DynArray::from(chunkwise::arange(3));
    assert!(x
        .assign(&[slice(0, Some(2), 1)], DynOperand::Array(three))
        .is_err());
}

/// `data_f64` with NaNs, signed zeros and infinities among repeated values: the cases a sort
/// order has to settle.
fn awkward_f64(shape: &[usize]) -> ArrayD<f64> {
    data_i64(shape).mapv(|v| match v {
        -11 | 4 => f64::NAN,
        -10 => -0.0,
        0 => 0.0,
        7 => f64::INFINITY,
        -9 => f64::NEG_INFINITY,
        v => (v / 3) as f64 * 0.5,
    })
}

/// NumPy's sort order as a comparison: NaNs equal and above everything, `-0.0 == 0.0`.
fn numpy_order(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap(),
    }
}

/// The stable argsort of `lane` by `numpy_order` (reversed for `descending`, equal values
/// still in order of position, as Python's `sorted(reverse=True)`).
fn argsort_reference(lane: &[f64], descending: bool) -> Vec<i64> {
    let mut p: Vec<usize> = (0..lane.len()).collect();
    if descending {
        p.sort_by(|&i, &j| numpy_order(lane[j], lane[i]));
    } else {
        p.sort_by(|&i, &j| numpy_order(lane[i], lane[j]));
    }
    p.into_iter().map(|i| i as i64).collect()
}

#[test]
fn sort_and_argsort_match_a_stable_reference_over_shapes_and_chunkings() {
    use chunkwise::ndarray::Axis;
    let mut cases = 0;
    for shape in shapes().into_iter().filter(|s| !s.is_empty()) {
        let a = awkward_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let xf = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap());
            for d in [DType::F64, DType::F32, DType::I16, DType::U8] {
                // Integer dtypes see the data cast (NaN and inf wrap or saturate: any values do).
                let x = xf.astype(d);
                let eager = f64_values(&x);
                for axis in 0..shape.len() {
                    for descending in [false, true] {
                        let what =
                            format!("{d:?} {shape:?} {chunks:?} axis {axis} desc {descending}");
                        let got_p = i64s(&x.argsort(axis as isize, descending).unwrap());
                        let got_s = f64_values(
                            &x.sort(axis as isize - shape.len() as isize, descending)
                                .unwrap(),
                        );
                        assert_eq!(got_s.shape(), eager.shape(), "{what}");
                        for ((lane, p), s) in eager
                            .lanes(Axis(axis))
                            .into_iter()
                            .zip(got_p.lanes(Axis(axis)))
                            .zip(got_s.lanes(Axis(axis)))
                        {
                            let lane: Vec<f64> = lane.to_vec();
                            let want = argsort_reference(&lane, descending);
                            assert_eq!(p.to_vec(), want, "argsort {what}");
                            // Stable: the reference's values, bit for bit (signed zeros too).
                            let want_bits: Vec<u64> =
                                want.iter().map(|&i| lane[i as usize].to_bits()).collect();
                            let s_bits: Vec<u64> = s.iter().map(|v| v.to_bits()).collect();
                            assert_eq!(s_bits, want_bits, "sort {what}");
                        }
                        cases += 1;
                    }
                }
            }
        }
    }
    assert!(cases > 200, "{cases} cases");
}

#[test]
fn searchsorted_matches_a_linear_count() {
    let sorted: Vec<f64> = {
        let mut v: Vec<f64> = awkward_f64(&[23]).iter().copied().collect();
        v.sort_by(|a, b| numpy_order(*a, *b));
        v
    };
    let values = awkward_f64(&[3, 4]);
    for chunk in [1, 4, 23] {
        let a = DynArray::from(
            chunkwise::from_array(
                ArrayD::from_shape_vec(IxDyn(&[23]), sorted.clone()).unwrap(),
                chunk,
            )
            .unwrap(),
        );
        for vchunks in [vec![vec![1, 2], vec![4]], vec![vec![3], vec![1, 3]]] {
            let v = DynArray::from(chunkwise::from_array(values.clone(), vchunks.clone()).unwrap());
            for (right, dt) in [
                (false, DType::F64),
                (true, DType::F64),
                (false, DType::I32),
                (true, DType::F32),
            ] {
                // Sorted in the dtype: a cast can reorder (NaN becomes 0 in an integer dtype).
                let mut in_dt: Vec<f64> = f64_values(&a.astype(dt)).iter().copied().collect();
                in_dt.sort_by(|a, b| numpy_order(*a, *b));
                let in_dt = ArrayD::from_shape_vec(IxDyn(&[23]), in_dt).unwrap();
                let a = DynArray::from(chunkwise::from_array(in_dt, chunk).unwrap()).astype(dt);
                let v = v.astype(dt);
                let got = i64s(
                    &a.searchsorted(&v, right, &chunkwise::Config::default())
                        .unwrap(),
                );
                let (sa, sv) = (f64_values(&a), f64_values(&v));
                assert_eq!(got.shape(), &[3, 4]);
                for (g, &x) in got.iter().zip(sv.iter()) {
                    // Left: how many are below x; right: how many are not above it.
                    let want = sa
                        .iter()
                        .filter(|&&s| match numpy_order(s, x) {
                            std::cmp::Ordering::Less => true,
                            std::cmp::Ordering::Equal => right,
                            _ => false,
                        })
                        .count() as i64;
                    assert_eq!(
                        *g, want,
                        "searchsorted of {x} right {right} {dt:?} {chunk} {vchunks:?}"
                    );
                }
            }
        }
    }
    // Mixed dtypes promote (u8 with i64), and a 2-d sorted array is an error.
    let a = DynArray::from(chunkwise::from_array(chunkwise::ndarray::array![1u8, 200], 1).unwrap());
    let v =
        DynArray::from(chunkwise::from_array(chunkwise::ndarray::array![-5i64, 300], 1).unwrap());
    assert_eq!(
        i64s(
            &a.searchsorted(&v, false, &chunkwise::Config::default())
                .unwrap()
        )
        .as_slice()
        .unwrap(),
        &[0, 2]
    );
    let m = DynArray::zeros(DType::F64, [2, 2]);
    assert!(matches!(
        m.searchsorted(&v, false, &chunkwise::Config::default()),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn unique_all_counts_each_nan_once_and_matches_a_reference() {
    let cfg = chunkwise::Config::default();
    let mut cases = 0;
    for shape in shapes() {
        let a = awkward_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            for d in [DType::F64, DType::F32, DType::I8, DType::Bool] {
                let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap())
                    .astype(d);
                let eager: Vec<f64> = f64_values(&x).iter().copied().collect();
                let what = format!("{d:?} {shape:?} {chunks:?}");
                let u = x.unique_all(&cfg).unwrap();
                assert_eq!(u.values.dtype(), d, "{what}");
                let values: Vec<f64> = f64_values(&u.values).iter().copied().collect();
                let counts = i64s(&u.counts);
                let first = i64s(&u.indices);
                let inverse = i64s(&u.inverse_indices);
                // Reference: the distinct non-NaN values ascending, then one NaN per NaN.
                let mut want: Vec<f64> = eager.iter().copied().filter(|v| !v.is_nan()).collect();
                want.sort_by(|a, b| numpy_order(*a, *b));
                want.dedup_by(|a, b| a == b);
                let nans: Vec<usize> = (0..eager.len()).filter(|&i| eager[i].is_nan()).collect();
                assert_eq!(values.len(), want.len() + nans.len(), "{what}");
                assert_eq!(&values[..want.len()], &want[..], "{what}");
                assert!(values[want.len()..].iter().all(|v| v.is_nan()), "{what}");
                assert_eq!(inverse.shape(), &shape[..], "{what}");
                let inverse: Vec<i64> = inverse.iter().copied().collect();
                for (k, w) in want.iter().enumerate() {
                    let at: Vec<usize> = (0..eager.len()).filter(|&i| eager[i] == *w).collect();
                    assert_eq!(counts[k], at.len() as i64, "count {what}");
                    assert_eq!(first[k], at[0] as i64, "first {what}");
                    assert!(at.iter().all(|&i| inverse[i] == k as i64), "inverse {what}");
                }
                for (j, &i) in nans.iter().enumerate() {
                    let k = want.len() + j;
                    assert_eq!(
                        (counts[k], first[k], inverse[i]),
                        (1, i as i64, k as i64),
                        "NaN {what}"
                    );
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 50, "{cases} cases");
}

#[test]
fn nonzero_gives_one_index_array_per_axis() {
    let cfg = chunkwise::Config::default();
    for shape in shapes().into_iter().filter(|s| !s.is_empty()) {
        let a = awkward_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(5) {
            for d in [DType::F64, DType::I64, DType::Bool] {
                let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap())
                    .astype(d);
                let eager = f64_values(&x);
                let nz = x.nonzero(&cfg).unwrap();
                assert_eq!(nz.len(), shape.len());
                let cols: Vec<Vec<i64>> = nz
                    .iter()
                    .map(|r| i64s(r).iter().copied().collect())
                    .collect();
                let want: Vec<Vec<usize>> = eager
                    .indexed_iter()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(i, _)| (0..shape.len()).map(|d| i[d]).collect())
                    .collect();
                for (k, idx) in want.iter().enumerate() {
                    for (dim, &i) in idx.iter().enumerate() {
                        assert_eq!(cols[dim][k], i as i64, "{d:?} {shape:?} {chunks:?}");
                    }
                }
                assert!(cols.iter().all(|c| c.len() == want.len()));
            }
        }
    }
    let zero_d = DynArray::zeros(DType::F64, Vec::<usize>::new());
    assert!(matches!(
        zero_d.nonzero(&cfg),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        zero_d.sort(0, false),
        Err(Error::AxisOutOfRange { .. })
    ));
}

/// Long lanes take the other paths of the sort: the radix sort (256 values and more), and two
/// halves on two workers merged (2^20 and more). Few distinct values, so that the merge and the
/// radix passes meet many ties, plus NaNs and signed zeros.
#[test]
fn long_lanes_sort_stably_by_radix_and_merged_halves() {
    for (n, chunk) in [
        (300usize, 64usize),
        (5_000, 1_000),
        ((1 << 20) + 4_097, 1 << 18),
    ] {
        let v: Vec<f64> = (0..n)
            .map(|i| match (i * 7919 + 13) % 101 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                k => ((k % 37) as f64 - 18.0) * 0.25,
            })
            .collect();
        let a = ArrayD::from_shape_vec(IxDyn(&[n]), v.clone()).unwrap();
        let x = DynArray::from(chunkwise::from_array(a, chunk).unwrap());
        for d in [DType::F64, DType::F32, DType::I32] {
            let x = x.astype(d);
            let lane: Vec<f64> = f64_values(&x).iter().copied().collect();
            for descending in [false, true] {
                let want = argsort_reference(&lane, descending);
                let got: Vec<i64> = i64s(&x.argsort(0, descending).unwrap())
                    .iter()
                    .copied()
                    .collect();
                assert!(got == want, "argsort {n} {d:?} desc {descending}");
                let sorted = f64_values(&x.sort(0, descending).unwrap());
                let bits: Vec<u64> = sorted.iter().map(|v| v.to_bits()).collect();
                let want_bits: Vec<u64> =
                    want.iter().map(|&i| lane[i as usize].to_bits()).collect();
                assert!(bits == want_bits, "sort {n} {d:?} desc {descending}");
            }
        }
    }
}

#[test]
fn take_along_axis_gathers_lane_by_lane_and_checks_its_indices() {
    use chunkwise::ndarray::Axis;
    let cfg = chunkwise::Config::default();
    let mut cases = 0;
    for shape in shapes()
        .into_iter()
        .filter(|s| !s.is_empty() && !s.contains(&0))
    {
        let a = data_i64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = dyn_of(&a, &chunks, DType::I32);
            for axis in 0..shape.len() {
                // Indices: the lane sorted by argsort (then gathered back), and a fixed pattern
                // with negative indices and a broadcast axis.
                let order = x.argsort(axis as isize, false).unwrap();
                let sorted = i64s(&x.take_along_axis(&order, axis as isize, &cfg).unwrap());
                assert_eq!(
                    sorted,
                    i64s(&x.sort(axis as isize, false).unwrap()),
                    "{shape:?} {chunks:?} {axis}"
                );
                let n = shape[axis] as i64;
                let mut ishape = vec![1; shape.len()];
                ishape[axis] = 3;
                let pattern = ArrayD::from_shape_vec(IxDyn(&ishape), vec![-1, 0, n - 1]).unwrap();
                let idx = DynArray::from(chunkwise::from_array(pattern, 2).unwrap());
                let got = i64s(&x.take_along_axis(&idx, axis as isize, &cfg).unwrap());
                let mut out_shape = shape.clone();
                out_shape[axis] = 3;
                assert_eq!(got.shape(), &out_shape[..]);
                for (g, lane) in got.lanes(Axis(axis)).into_iter().zip(a.lanes(Axis(axis))) {
                    let l = lane.to_vec();
                    assert_eq!(g.to_vec(), vec![l[l.len() - 1], l[0], l[l.len() - 1]]);
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 20, "{cases}");
    let x = DynArray::from(chunkwise::arange(6).reshape([2, 3]).unwrap());
    let bad = DynArray::from(chunkwise::from_array(chunkwise::ndarray::array![[3i64]], 1).unwrap());
    assert!(matches!(
        x.take_along_axis(&bad, 1, &cfg),
        Err(Error::IndexOutOfBounds {
            index: 3,
            extent: 3,
            ..
        })
    ));
    let flat = DynArray::from(chunkwise::arange(2));
    assert!(matches!(
        x.take_along_axis(&flat, 0, &cfg),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.take_along_axis(&x.astype(DType::F64), 0, &cfg),
        Err(Error::UnsupportedDType { .. })
    ));
    assert!(matches!(
        x.take_along_axis(&x, 2, &cfg),
        Err(Error::AxisOutOfRange { .. })
    ));
    let wide = DynArray::zeros(DType::I64, [3, 1]);
    assert!(matches!(
        x.take_along_axis(&wide, 1, &cfg),
        Err(Error::Broadcast { .. })
    ));
}

#[test]
fn tensordot_dyn_promotes_and_matches_einsum() {
    let a = DynArray::from(
        chunkwise::from_array(data_i64(&[2, 3, 4]), vec![vec![1, 1], vec![2, 1], vec![4]]).unwrap(),
    );
    let b =
        DynArray::from(chunkwise::from_array(data_f64(&[4, 3, 2]), 2).unwrap()).astype(DType::F32);
    let got = chunkwise::tensordot_dyn(&a, &b, (&[1, 2], &[1, 0])).unwrap();
    assert_eq!(got.dtype(), DType::F64);
    let want = chunkwise::einsum_dyn("ijk,kjl->il", &[&a, &b]).unwrap();
    assert_close(&f64_values(&got), &f64_values(&want), 1e-12, "tensordot");
    assert!(chunkwise::tensordot_dyn(&a, &b, (&[0], &[0])).is_err());
}

#[test]
fn take_points_is_numpys_integer_array_indexing_of_the_leading_axes() {
    let cfg = chunkwise::Config::default();
    let a = data_i64(&[3, 4, 2]);
    for chunks in chunkings(&[3, 4, 2]).into_iter().step_by(7) {
        let x = dyn_of(&a, &chunks, DType::I64);
        let rows = DynArray::from(
            chunkwise::from_array(chunkwise::ndarray::array![[2i64], [-3]], 1).unwrap(),
        );
        let cols = DynArray::from(
            chunkwise::from_array(chunkwise::ndarray::array![0i32, -1, 1], 2).unwrap(),
        );
        // Broadcast to (2, 3), the last axis whole: shape (2, 3, 2).
        let got = i64s(&x.take_points(&[rows, cols.clone()], &cfg).unwrap());
        assert_eq!(got.shape(), &[2, 3, 2]);
        for (r, &row) in [2usize, 0].iter().enumerate() {
            for (c, &col) in [0usize, 3, 1].iter().enumerate() {
                for z in 0..2 {
                    assert_eq!(got[[r, c, z]], a[[row, col, z]], "{chunks:?}");
                }
            }
        }
        // One index array: rows in its order, the other axes whole.
        let one = i64s(
            &x.take_points(&[cols.astype(DType::I64).add(1i64).unwrap()], &cfg)
                .unwrap(),
        );
        assert_eq!(one.shape(), &[3, 4, 2]);
        assert_eq!(one[[1, 2, 1]], a[[0, 2, 1]]);
    }
    let x = DynArray::from(chunkwise::arange(6).reshape([2, 3]).unwrap());
    let two = DynArray::from(chunkwise::from_array(chunkwise::ndarray::array![2i64], 1).unwrap());
    assert!(matches!(
        x.take_points(std::slice::from_ref(&two), &cfg),
        Err(Error::IndexOutOfBounds {
            index: 2,
            extent: 2,
            ..
        })
    ));
    assert!(matches!(
        x.take_points(&[two.clone(), two.clone(), two], &cfg),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        x.take_points(&[x.astype(DType::F32)], &cfg),
        Err(Error::UnsupportedDType { .. })
    ));
    // uint64 past i64::MAX is out of range (not wrapped to -1, the last row).
    let huge =
        DynArray::from(chunkwise::from_array(chunkwise::ndarray::array![u64::MAX], 1).unwrap());
    assert!(matches!(
        x.take_points(std::slice::from_ref(&huge), &cfg),
        Err(Error::IndexOutOfBounds {
            index: i64::MAX,
            ..
        })
    ));
    assert!(matches!(
        x.take_along_axis(&huge.reshape([1, 1]).unwrap(), 0, &cfg),
        Err(Error::IndexOutOfBounds {
            index: i64::MAX,
            ..
        })
    ));
    // Index arrays whose broadcast has more elements than usize holds: TooLarge, no panic.
    let wide = DynArray::zeros(DType::I64, [1usize << 40, 1]);
    let tall = DynArray::zeros(DType::I64, [1usize << 40]);
    assert!(matches!(
        x.take_points(&[wide, tall], &cfg),
        Err(Error::TooLarge { .. })
    ));
    let (p, q) = (
        DynArray::zeros(DType::I64, [2]),
        DynArray::zeros(DType::I64, [3]),
    );
    assert!(matches!(
        x.take_points(&[p, q], &cfg),
        Err(Error::Broadcast { .. })
    ));
}
