//! The dtype-erased array against the typed one: every ordered pair of the eleven dtypes for
//! arithmetic and comparisons (the result dtype the `DynArray` picks at run time against the
//! one `Promote` gives at compile time, the values against the typed operation in that dtype),
//! the typed operators on a few mixed pairs, every cast (against the scalar conversion), NEP
//! 50's weak scalars, reductions over axes with options, files of any dtype, and the errors of
//! unsupported dtypes.

use chunkwise::ndarray::{arr1, ArrayD};
use chunkwise::{
    CastTo, ChunkedArray, DType, DynArray, DynNdArray, DynScalar, Element, Error, Numeric, Promote,
    ReduceOptions,
};

const A: [i64; 8] = [0, 1, 2, 3, 7, 100, 5, 9];
const B: [i64; 8] = [5, 3, 1, 0, 9, 27, 2, 4];

fn typed<T: Element>(v: &[i64]) -> ChunkedArray<T>
where
    i64: CastTo<T>,
{
    chunkwise::from_array(arr1(v), 3).unwrap().cast::<T>()
}

/// Equal element for element, a NaN matching a NaN.
fn same<T: Element>(got: &ArrayD<T>, want: &ArrayD<T>) -> bool {
    #[allow(clippy::eq_op)]
    let nan = |x: &T| x != x;
    got.shape() == want.shape()
        && got
            .iter()
            .zip(want.iter())
            .all(|(g, w)| g == w || (nan(g) && nan(w)))
}

fn check<T: Element>(what: &str, got: DynArray, want: ChunkedArray<T>) {
    assert_eq!(got.dtype(), T::DTYPE, "{what}: dtype");
    let got: ArrayD<T> = got.compute().unwrap().downcast().unwrap();
    let want = want.compute().unwrap();
    assert!(same(&got, &want), "{what}: {got} against {want}");
}

/// Arithmetic and comparisons of two numeric dtypes against the typed API. The result dtype
/// the `DynArray` decides at run time must be the one `Promote` gives at compile time; the
/// values are the typed operation in that dtype (A and B fit every dtype, so converting them
/// straight to it is converting them through P or Q). The typed reference is built in the ten
/// output types only: 100 pairs of typed graphs (200 casts, each with its multiversioned
/// kernels) made this file the slowest of the suite to compile.
fn pair<P: Promote<Q>, Q: Numeric>()
where
    i64: CastTo<P> + CastTo<Q> + CastTo<P::Output>,
    P::Output: CastTo<f64>,
{
    let (da, db) = (
        DynArray::from(typed::<i64>(&A)).astype(P::DTYPE),
        DynArray::from(typed::<i64>(&B)).astype(Q::DTYPE),
    );
    let (pa, pb) = (typed::<P::Output>(&A), typed::<P::Output>(&B));
    let name = |op: &str| format!("{op} {} {}", P::DTYPE, Q::DTYPE);
    check(&name("add"), da.add(&db).unwrap(), &pa + &pb);
    check(&name("sub"), da.sub(&db).unwrap(), &pa - &pb);
    check(&name("mul"), da.mul(&db).unwrap(), &pa * &pb);
    check(&name("rem"), da.rem(&db).unwrap(), &pa % &pb);
    check(
        &name("floor_divide"),
        da.floor_divide(&db).unwrap(),
        pa.floor_divide(&pb),
    );
    check(&name("maximum"), da.maximum(&db).unwrap(), pa.maximum(&pb));
    check(&name("minimum"), da.minimum(&db).unwrap(), pa.minimum(&pb));
    check(&name("lt"), da.lt(&db).unwrap(), pa.lt(&pb));
    check(&name("eq"), da.eq(&db).unwrap(), pa.eq(&pb));
    check(&name("ge"), da.ge(&db).unwrap(), pa.ge(&pb));
    // True division: integers as f64, floats in their promoted type.
    let div = da.true_divide(&db).unwrap();
    if <P::Output as Numeric>::IS_FLOAT {
        check(&name("div"), div, &pa / &pb);
    } else {
        check(&name("div"), div, pa.true_divide(&pb));
    }
    // A bool operand takes the other side's dtype (NumPy's promotion of bool): adding the mask
    // B != 0 is adding its 0/1 values in P.
    let mask = DynArray::from(typed::<i64>(&B).ne(0)).astype(DType::Bool);
    let ones: Vec<i64> = B.iter().map(|&b| i64::from(b != 0)).collect();
    let (a, mask_p) = (
        DynArray::from(typed::<i64>(&A)).astype(P::DTYPE),
        DynArray::from(typed::<i64>(&ones)).astype(P::DTYPE),
    );
    let want = a.add(&mask_p).unwrap();
    assert_eq!(want.dtype(), P::DTYPE, "{}", name("add bool"));
    let got = a.add(&mask).unwrap();
    assert_eq!(got.dtype(), P::DTYPE, "{}", name("add bool"));
    assert_eq!(
        got.compute().unwrap(),
        want.compute().unwrap(),
        "{}",
        name("add bool")
    );
}

macro_rules! pairs {
    ($($a:ty),*) => { $( pairs!(@row $a; f64, f32, i64, i32, i16, i8, u64, u32, u16, u8); )* };
    (@row $a:ty; $($b:ty),*) => { $( pair::<$a, $b>(); )* };
}

#[test]
fn every_pair_of_numeric_dtypes_matches_the_typed_api() {
    pairs!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8);
}

/// The typed operators between two element types (`promote`, then the operation in the common
/// type) on a few pairs, against the values converted by hand. The pairs above check the
/// `DynArray` in the promoted dtype; this checks the typed path itself.
#[test]
fn typed_operators_promote_mixed_pairs() {
    let sum: Vec<f64> = A.iter().zip(&B).map(|(a, b)| (a + b) as f64).collect();
    let r = &typed::<u64>(&A) + &typed::<i64>(&B);
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.compute().unwrap().as_slice().unwrap(), &sum[..]);
    let r = &typed::<i32>(&A) + &typed::<f32>(&B);
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.compute().unwrap().as_slice().unwrap(), &sum[..]);
    let r = &typed::<u8>(&A) - &typed::<i8>(&B);
    assert_eq!(r.dtype(), DType::I16);
    let diff: Vec<i16> = A.iter().zip(&B).map(|(a, b)| (a - b) as i16).collect();
    assert_eq!(r.compute().unwrap().as_slice().unwrap(), &diff[..]);
    let r = &typed::<u16>(&A) * &typed::<i8>(&B);
    assert_eq!(r.dtype(), DType::I32);
    let prod: Vec<i32> = A.iter().zip(&B).map(|(a, b)| (a * b) as i32).collect();
    assert_eq!(r.compute().unwrap().as_slice().unwrap(), &prod[..]);
    let r = &typed::<f32>(&A) / &typed::<u8>(&B);
    assert_eq!(r.dtype(), DType::F32);
    let quot: Vec<f32> = A
        .iter()
        .zip(&B)
        .map(|(&a, &b)| a as f32 / b as f32)
        .collect();
    let got = r.compute().unwrap();
    // 3 / 0 is inf in both; compared bit for bit.
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(got.as_slice().unwrap()), bits(&quot));
}

#[test]
fn two_bool_operands_follow_numpy() {
    let a = DynArray::from(typed::<i64>(&A).gt(2));
    let b = DynArray::from(typed::<i64>(&B).gt(2));
    let (ta, tb) = (typed::<i64>(&A).gt(2), typed::<i64>(&B).gt(2));
    check("bool + bool", a.add(&b).unwrap(), ta.or(&tb));
    check("bool * bool", a.mul(&b).unwrap(), ta.and(&tb));
    check("bool & bool", a.bitand(&b).unwrap(), ta.and(&tb));
    check("bool ^ bool", a.bitxor(&b).unwrap(), ta.xor(&tb));
    check("bool < bool", a.lt(&b).unwrap(), ta.zip_lt(&tb));
    assert!(matches!(a.sub(&b), Err(Error::UnsupportedDType { .. })));
    assert_eq!(a.floor_divide(&b).unwrap().dtype(), DType::I8);
    assert_eq!(a.true_divide(&b).unwrap().dtype(), DType::F64);
    assert!(matches!(a.neg(), Err(Error::UnsupportedDType { .. })));
    check("~bool", a.invert().unwrap(), ta.not());
}

/// `lt` of two bool arrays by their integer values, the typed reference of the test above.
trait ZipLt {
    fn zip_lt(&self, other: &Self) -> ChunkedArray<bool>;
}
impl ZipLt for ChunkedArray<bool> {
    fn zip_lt(&self, other: &Self) -> ChunkedArray<bool> {
        self.cast::<u8>().lt(other.cast::<u8>())
    }
}

fn casts_from<F>(values: ChunkedArray<F>)
where
    F: Element + CastTo<f64> + CastTo<f32> + CastTo<i64> + CastTo<i32> + CastTo<i16> + CastTo<i8>,
    F: CastTo<u64> + CastTo<u32> + CastTo<u16> + CastTo<u8> + CastTo<bool>,
{
    let d = DynArray::from(values.clone());
    // The reference converts each value with `CastTo` (the scalar conversion), not with the
    // typed `cast` kernel: 121 typed casts were each compiled again here.
    let eager = values.compute().unwrap();
    macro_rules! to {
        ($($t:ty),*) => {$(
            let what = format!("astype {} -> {}", F::DTYPE, <$t>::DTYPE);
            let got = d.astype(<$t>::DTYPE);
            assert_eq!(got.dtype(), <$t>::DTYPE, "{what}: dtype");
            let got: ArrayD<$t> = got.compute().unwrap().downcast().unwrap();
            let want = eager.mapv(|v| <F as CastTo<$t>>::cast(v));
            assert!(same(&got, &want), "{what}: {got} against {want}");
        )*};
    }
    to!(f64, f32, i64, i32, i16, i8, u64, u32, u16, u8, bool);
}

#[test]
fn every_cast_matches_the_scalar_conversion() {
    let floats = chunkwise::from_array(
        arr1(&[-3.7, 0.5, 300.2, 1e10, -1e19, f64::NAN, f64::INFINITY, -0.0]),
        3,
    )
    .unwrap();
    casts_from(floats.clone());
    casts_from(floats.cast::<f32>());
    let ints = typed::<i64>(&[-129, -1, 0, 1, 127, 255, 65_536, i64::MAX]);
    casts_from(ints.clone());
    casts_from(ints.cast::<i32>());
    casts_from(ints.cast::<i16>());
    casts_from(ints.cast::<i8>());
    casts_from(ints.cast::<u64>());
    casts_from(ints.cast::<u32>());
    casts_from(ints.cast::<u16>());
    casts_from(ints.cast::<u8>());
    casts_from(ints.ne(0));
}

#[test]
fn weak_scalars_take_the_arrays_dtype_as_nep_50() {
    for d in DType::ALL {
        let x = DynArray::from(typed::<i64>(&A)).astype(d);
        let float = matches!(d, DType::F64 | DType::F32);
        let int_result = if d == DType::Bool { DType::I64 } else { d };
        let float_result = if float { d } else { DType::F64 };
        assert_eq!(x.add(1).unwrap().dtype(), int_result, "{d} + 1");
        assert_eq!(x.mul(0.5).unwrap().dtype(), float_result, "{d} * 0.5");
        assert_eq!(x.bitor(true).map(|r| r.dtype()).ok(), (!float).then_some(d));
        assert_eq!(x.lt(1).unwrap().dtype(), DType::Bool);
        // A strong scalar promotes as an array does.
        let strong = x.add(DynScalar::F32(1.0)).unwrap().dtype();
        assert_eq!(
            strong,
            if d == DType::Bool {
                DType::F32
            } else {
                d.promote(DType::F32).unwrap()
            }
        );
    }
    // The values: the scalar is converted to the array's dtype first.
    let x = DynArray::from(typed::<i64>(&A).cast::<u8>());
    check("u8 + 200", x.add(200).unwrap(), &typed::<u8>(&A) + 200u8);
    check(
        "u8 * 2.5",
        x.mul(2.5).unwrap(),
        typed::<i64>(&A).cast::<f64>() * 2.5,
    );
    assert!(matches!(x.add(256), Err(Error::InvalidParameter { .. })));
    // Comparisons with a number out of the dtype's range compare values, as NumPy 2.
    check("u8 < 300", x.lt(300).unwrap(), typed::<u8>(&A).ge(0u8));
    check("u8 == -1", x.eq(-1).unwrap(), typed::<u8>(&A).lt(0u8));
    check("u8 > -1", x.gt(-1).unwrap(), typed::<u8>(&A).ge(0u8));
    assert!(matches!(x.sub(-1), Err(Error::InvalidParameter { .. })));
}

/// A weak scalar on the left (`2 - x`, `128 / x`) takes the dtype it takes on the right,
/// and the op runs on the swapped pair; true division meets integers as a float.
#[test]
fn weak_scalars_on_the_left_promote_as_on_the_right() {
    for d in DType::ALL {
        let x = DynArray::from(typed::<i64>(&A)).astype(d);
        for (name, lhs, rhs) in [
            ("3", chunkwise::DynOperand::Int(3), x.add(3)),
            ("0.5", chunkwise::DynOperand::Float(0.5), x.add(0.5)),
            ("true", chunkwise::DynOperand::Bool(true), x.add(true)),
        ] {
            let left = lhs.into_array_beside("add", &x).map(|a| a.dtype());
            assert_eq!(
                left.ok(),
                rhs.map(|r| r.dtype()).ok(),
                "{d}: {name} beside it"
            );
        }
        // `128 / x`: f64 for integers and bool (no overflow in i8), the float's own dtype.
        let q = x.rtrue_divide(128).unwrap();
        let float = matches!(d, DType::F64 | DType::F32);
        assert_eq!(q.dtype(), if float { d } else { DType::F64 }, "128 / {d}");
        let want = chunkwise::full(vec![8], 128.0f64) / typed::<i64>(&A).cast::<f64>();
        if !float {
            let want = if d == DType::Bool {
                chunkwise::full(vec![8], 128.0f64) / typed::<i64>(&A).ne(0).cast::<f64>()
            } else {
                want
            };
            check(&format!("128 / {d}"), q, want);
        }
    }
    // Out of range on the left is the error it is on the right.
    let x = DynArray::from(typed::<i64>(&A).cast::<u8>());
    assert!(matches!(
        chunkwise::DynOperand::Int(256).into_array_beside("sub", &x),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(x.add(256), Err(Error::InvalidParameter { .. })));
    check(
        "2 - u8 (wraps, as NumPy)",
        chunkwise::DynOperand::Int(2)
            .into_array_beside("sub", &x)
            .unwrap()
            .sub(&x)
            .unwrap(),
        chunkwise::full(vec![8], 2u8) - typed::<u8>(&A),
    );
    // A strong scalar stays its own dtype.
    let s = chunkwise::DynOperand::Scalar(DynScalar::F32(1.0)).into_array_beside("add", &x);
    assert_eq!(s.unwrap().dtype(), DType::F32);
    assert_eq!(DynScalar::from_int(-1), DynScalar::I64(-1));
    assert_eq!(
        DynScalar::from_int(u64::MAX.into()),
        DynScalar::U64(u64::MAX)
    );
    assert_eq!(
        DynScalar::from_int(i128::MIN),
        DynScalar::F64(i128::MIN as f64)
    );
}

#[test]
fn u64_against_signed_integers_compares_exactly() {
    let u =
        DynArray::from(chunkwise::from_array(arr1(&[(1u64 << 62) + 1, u64::MAX, 0]), 2).unwrap());
    let i = DynArray::from(chunkwise::from_array(arr1(&[1i64 << 62, -1, 0]), 2).unwrap());
    // In f64 (their common type) 2^62 + 1 rounds to 2^62; NumPy 2 compares the values.
    let eq = u
        .eq(&i)
        .unwrap()
        .compute()
        .unwrap()
        .downcast::<bool>()
        .unwrap();
    assert_eq!(eq.into_raw_vec_and_offset().0, vec![false, false, true]);
    let gt = i
        .gt(&u)
        .unwrap()
        .compute()
        .unwrap()
        .downcast::<bool>()
        .unwrap();
    assert_eq!(gt.into_raw_vec_and_offset().0, vec![false, false, false]);
    // A weak integer in the u64 range is a u64 value.
    let big = u.add(u64::MAX - 1).unwrap();
    assert_eq!(big.dtype(), DType::U64);
    assert!(matches!(u.add(-1), Err(Error::InvalidParameter { .. })));
}

#[test]
fn reductions_take_axes_and_options_as_the_typed_api() {
    let x = chunkwise::arange(24).reshape([2, 3, 4]).unwrap();
    let x = x.rechunk([1, 2, 3]).unwrap();
    let keep = ReduceOptions::default().keepdims(true);
    let plain = ReduceOptions::default();
    for d in [DType::F64, DType::F32, DType::I32, DType::U16, DType::I8] {
        let dx = DynArray::from(x.clone()).astype(d);
        let fx = x.cast::<f64>();
        let sum = dx.sum_with([0, 2], keep).unwrap();
        assert_eq!(sum.shape(), &[1, 3, 1]);
        let sum: Vec<f64> = values(&sum);
        let want: Vec<f64> = fx
            .sum_with([0, 2], keep)
            .unwrap()
            .compute()
            .unwrap()
            .into_raw_vec_and_offset()
            .0;
        // i8 wraps: 23 fits, the sums wrap in i64 only past 2^63, so they agree.
        assert_eq!(sum, want, "{d}");
        let var = values(&dx.var_with(-1, plain.ddof(1)).unwrap());
        let want_var = fx.var_with(-1, plain.ddof(1)).unwrap().compute().unwrap();
        for (g, w) in var.iter().zip(want_var.iter()) {
            assert!((g - w).abs() <= 1e-5 * w.abs(), "{d}: var {g} against {w}");
        }
        let am = dx.argmax_with(None, plain).unwrap();
        // Positions are NumPy's intp (i64).
        assert_eq!(am.dtype(), DType::I64);
        assert_eq!(am.item().unwrap(), DynScalar::I64(23));
        let c = dx.cumsum(None).unwrap();
        assert_eq!(c.shape(), &[24]);
        assert_eq!(values(&c).last().copied(), Some(276.0), "{d}: cumsum");
        assert!(matches!(
            dx.sum_with(3, plain),
            Err(Error::AxisOutOfRange { .. })
        ));
        assert!(matches!(
            dx.sum_with(None, plain.ddof(1)),
            Err(Error::InvalidParameter { .. })
        ));
        let med = dx.median_with(1, keep).unwrap();
        assert_eq!(med.shape(), &[2, 1, 4]);
    }
    // Bool arrays are summed as integers, as NumPy counts them.
    let mask = DynArray::from(x.gt(10));
    let n = mask.sum_with(None, plain).unwrap();
    assert_eq!(
        (n.dtype(), n.item().unwrap()),
        (DType::I64, DynScalar::I64(13))
    );
    let frac = mask
        .mean_with(None, plain)
        .unwrap()
        .item()
        .unwrap()
        .to_f64();
    assert!((frac - 13.0 / 24.0).abs() < 1e-15);
    // Their extremes are bools, their spread NumPy's TypeError.
    assert_eq!(
        mask.max_with(None, plain).unwrap().item().unwrap(),
        DynScalar::Bool(true)
    );
    assert_eq!(
        mask.min_with(None, plain).unwrap().item().unwrap(),
        DynScalar::Bool(false)
    );
    assert!(matches!(
        mask.ptp_with(None, plain),
        Err(Error::UnsupportedDType { .. })
    ));
    let n = mask.count_nonzero_with(None, plain).unwrap();
    assert_eq!(n.item().unwrap(), DynScalar::I64(13));
    assert_eq!(
        mask.any_with(2, plain).unwrap().shape(),
        &[2, 3],
        "any keeps bool"
    );
}

/// Every element as `f64`.
fn values(x: &DynArray) -> Vec<f64> {
    crate::common::f64_values(x).into_raw_vec_and_offset().0
}

#[test]
fn float_functions_of_integers_and_errors_of_unsupported_dtypes() {
    let x = DynArray::from(typed::<i64>(&A));
    let r = x.sqrt().unwrap();
    assert_eq!(r.dtype(), DType::F64);
    check("sqrt i64", r, typed::<i64>(&A).cast::<f64>().sqrt());
    let f = DynArray::from(typed::<f32>(&A));
    for err in [f.bitand(&f), f.invert(), f.bitor(1)] {
        let e = err.unwrap_err();
        assert!(matches!(e, Error::UnsupportedDType { .. }), "{e}");
        assert!(e.to_string().contains("f32"), "{e}");
    }
    assert!(matches!(
        DynArray::from(typed::<i64>(&A).ne(0)).neg(),
        Err(Error::UnsupportedDType { .. })
    ));
    let e = x.clone().downcast::<f64>().unwrap_err();
    assert!(e.to_string().contains("i64"), "{e}");
    // A negative integer power: at once for a scalar, at compute for an array.
    assert!(matches!(x.pow(-1), Err(Error::InvalidParameter { .. })));
    let neg = DynArray::from(typed::<i64>(&[1, -1, 2, 0, 1, 1, 1, 1]));
    assert!(matches!(
        x.pow(&neg).unwrap().compute(),
        Err(Error::InvalidValue { .. })
    ));
    check(
        "i64 ** i64",
        x.pow(DynArray::from(typed::<i64>(&B))).unwrap(),
        {
            let e = typed::<i64>(&B);
            chunkwise::from_array(
                arr1(
                    &A.iter()
                        .zip(B.iter())
                        .map(|(&a, &b)| a.wrapping_pow(b as u32))
                        .collect::<Vec<_>>(),
                ),
                4,
            )
            .unwrap()
            .rechunk(e.chunks().clone())
            .unwrap()
        },
    );
    check(
        "u8 ** 9 wraps",
        DynArray::from(typed::<u8>(&A)).pow(9).unwrap(),
        typed::<u8>(&A).powi(9),
    );
}

#[test]
fn float_functions_compute_in_the_smallest_float_holding_the_values() {
    for (d, f) in [
        (DType::U8, DType::F32),
        (DType::I16, DType::F32),
        (DType::U16, DType::F32),
        (DType::I32, DType::F64),
        (DType::U64, DType::F64),
        (DType::Bool, DType::F32),
        (DType::F32, DType::F32),
        (DType::F64, DType::F64),
    ] {
        let x = DynArray::from(chunkwise::arange(3)).astype(d);
        assert_eq!(x.sqrt().unwrap().dtype(), f, "{d}");
        assert_eq!(x.exp().unwrap().dtype(), f, "{d}");
    }
}

#[test]
fn files_of_any_dtype_open_reduce_and_write_back() {
    let dir = std::env::temp_dir().join(format!("cw-dynamic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let source = chunkwise::arange(1000).reshape([10, 100]).unwrap();
    for d in [
        DType::F64,
        DType::F32,
        DType::I32,
        DType::U8,
        DType::I16,
        DType::Bool,
    ] {
        let path = dir.join(format!("{d}.npy"));
        DynArray::from(source.clone())
            .astype(d)
            .to_npy(&path)
            .unwrap();
        let x = DynArray::from_npy(&path).unwrap();
        assert_eq!((x.dtype(), x.shape()), (d, &[10usize, 100][..]));
        let col = x.max_with(0, ReduceOptions::default()).unwrap();
        let out = dir.join(format!("{d}-max.npy"));
        col.to_npy(&out).unwrap();
        let back = DynArray::from_npy(&out).unwrap();
        let want = DynArray::from(source.clone())
            .astype(d)
            .max_with(0, ReduceOptions::default())
            .unwrap();
        assert_eq!(back.dtype(), want.dtype());
        assert_eq!(back.compute().unwrap(), want.compute().unwrap());
    }
    // Several dtypes written in one compute.
    let a = DynArray::from(source.clone());
    let b = a.astype(DType::U16);
    chunkwise::store(vec![
        a.npy_target(dir.join("a.npy")).unwrap(),
        b.npy_target(dir.join("b.npy")).unwrap(),
    ])
    .unwrap();
    assert_eq!(
        chunkwise::npy_info(dir.join("b.npy")).unwrap().dtype,
        DType::U16
    );
    let many = chunkwise::compute_many_dyn(&[&a, &b]).unwrap();
    assert!(matches!(many[0], DynNdArray::I64(_)) && matches!(many[1], DynNdArray::U16(_)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn movement_and_combinations_promote() {
    let a = DynArray::from(typed::<u8>(&A));
    let b = DynArray::from(typed::<i8>(&B));
    let c = chunkwise::stack_dyn(&[a.clone(), b.clone()], 0).unwrap();
    assert_eq!((c.dtype(), c.shape()), (DType::I16, &[2usize, 8][..]));
    let m = chunkwise::matmul_dyn(&c.t(), &c.astype(DType::F32)).unwrap();
    assert_eq!((m.dtype(), m.shape()), (DType::F32, &[8usize, 8][..]));
    let w = chunkwise::where_dyn(&a.gt(2).unwrap(), &a, &DynArray::from(typed::<f32>(&B))).unwrap();
    assert_eq!(w.dtype(), DType::F32);
    let r = a.reshape([2, 4]).unwrap().transpose([1, 0]).unwrap();
    assert_eq!(r.shape(), &[4, 2]);
    assert!(matches!(
        chunkwise::concatenate_dyn(&[], 0),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Histograms, top-k and einsum of every numeric dtype match the typed API in the typed
/// API's result types; `bool` counts as 0 and 1 and keeps its dtype in `topk`.
#[test]
fn histogram_topk_and_einsum_match_the_typed_api() {
    fn each<T: Numeric>()
    where
        i64: CastTo<T>,
    {
        let t = typed::<T>(&A);
        let d = DynArray::from(t.clone());
        let (counts, edges) = d.histogram(5, (0.0, 10.0)).unwrap();
        let (want_c, want_e) = t.histogram(5, (0.0, 10.0)).unwrap();
        check("histogram counts", counts, want_c);
        check("histogram edges", edges, want_e);
        check("topk", d.topk(3, None).unwrap(), t.topk(3).unwrap());
        check("topk -3", d.topk(-3, None).unwrap(), t.topk(-3).unwrap());
        check(
            "argtopk",
            d.argtopk(3, None).unwrap(),
            t.argtopk(3).unwrap(),
        );
        let m = t.reshape([2, 4]).unwrap();
        let dm = DynArray::from(m.clone());
        check(
            "topk axis",
            dm.topk(2, Some(1)).unwrap(),
            m.topk_axis(2, 1).unwrap(),
        );
        check(
            "argtopk axis",
            dm.argtopk(-2, Some(0)).unwrap(),
            m.argtopk_axis(-2, 0).unwrap(),
        );
        let e = chunkwise::einsum_dyn("ij,ij->j", &[&dm, &dm]).unwrap();
        check(
            "einsum",
            e,
            chunkwise::einsum("ij,ij->j", &[&m, &m]).unwrap(),
        );
    }
    each::<f64>();
    each::<f32>();
    each::<i64>();
    each::<i32>();
    each::<u64>();
    each::<u32>();
    each::<i16>();
    each::<i8>();
    each::<u16>();
    each::<u8>();

    let b = DynArray::from(typed::<i64>(&A).gt(4i64));
    let top = b.topk(2, None).unwrap();
    assert_eq!(top.dtype(), DType::Bool);
    assert_eq!(
        top.compute()
            .unwrap()
            .downcast::<bool>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[true, true]
    );
    let pos = b
        .argtopk(2, None)
        .unwrap()
        .compute()
        .unwrap()
        .downcast::<i64>()
        .unwrap();
    assert_eq!(pos.as_slice().unwrap(), &[4, 5]);
    let (counts, _) = b.histogram(2, (0.0, 1.0)).unwrap();
    assert_eq!(
        counts
            .compute()
            .unwrap()
            .downcast::<i64>()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[4, 4]
    );

    // Mixed dtypes meet at NumPy's common one; bool and bad subscripts are typed errors.
    let i = DynArray::from(typed::<i32>(&A));
    let f = DynArray::from(typed::<f32>(&B));
    assert_eq!(
        chunkwise::einsum_dyn("i,i->", &[&i, &f]).unwrap().dtype(),
        DType::F64
    );
    let any = chunkwise::einsum_dyn("i,i->", &[&b, &b]).unwrap();
    assert_eq!(any.dtype(), DType::Bool);
    assert!(any.compute().unwrap().downcast::<bool>().unwrap()[[]]);
    let none = chunkwise::einsum_dyn("i,i->", &[&b, &b.invert().unwrap()]).unwrap();
    assert!(!none.compute().unwrap().downcast::<bool>().unwrap()[[]]);
    assert!(matches!(
        chunkwise::einsum_dyn("ij->", &[&i]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        chunkwise::einsum_dyn("->", &[]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        i.topk(0, None),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        i.topk(9, None),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        i.histogram(0, (0.0, 1.0)),
        Err(Error::InvalidParameter { .. })
    ));
}

/// Weighted histograms sum in the weights' dtype, as NumPy's; bool weights are refused.
#[test]
fn weighted_histograms_take_the_weights_dtype() {
    let x = DynArray::from(typed::<i64>(&A));
    for d in DType::ALL {
        let w = DynArray::from(typed::<i64>(&B)).astype(d);
        let r = x.histogram_weighted(&w, 2, (0.0, 100.0));
        if d == DType::Bool {
            assert!(matches!(r, Err(Error::UnsupportedDType { .. })), "{d}");
            continue;
        }
        let (sums, edges) = r.unwrap();
        assert_eq!((sums.dtype(), edges.dtype()), (d, DType::F64), "{d}");
        // A = [0, 1, 2, 3, 7, 100, 5, 9]: 100 alone in the closed last bin.
        let got: ArrayD<f64> = sums
            .astype(DType::F64)
            .compute()
            .unwrap()
            .downcast()
            .unwrap();
        assert_eq!(got.as_slice().unwrap(), &[24.0, 27.0], "{d}");
        let (sums, _) = x.histogram_edges_weighted(&w, &[0.0, 50.0, 100.0]).unwrap();
        assert_eq!(sums.dtype(), d);
    }
}

/// `map_blocks_dyn` over an f64 array, an i8 array chunked differently and a bool array
/// broadcast along the rows: every shape and chunking gives each block in its array's dtype,
/// against the eager result; two workers and one give the same values.
#[test]
fn map_blocks_dyn_gives_each_array_its_own_dtype() {
    use chunkwise::{BlockSpec, Config};
    use ndarray::{Axis, Dimension, IxDyn, Zip};
    let mut cases = 0;
    for shape in crate::common::shapes() {
        for chunks in crate::common::chunkings(&shape) {
            let a = crate::common::data_f64(&shape);
            let k = crate::common::data_i64(&shape).mapv(|v| v as i8);
            // One flag per position of the last axis (broadcast), or a 0-d flag.
            let last = shape.last().copied().unwrap_or(1);
            let flags =
                ArrayD::from_shape_fn(IxDyn(&shape[shape.len().saturating_sub(1)..]), |i| {
                    i.slice().first().is_none_or(|&j| j % 3 != 1)
                });
            let other: Vec<usize> = shape.iter().map(|&n| n.div_ceil(2).max(1)).collect();
            let x = DynArray::from(chunkwise::from_array(a.clone(), chunks.clone()).unwrap());
            let y = DynArray::from(chunkwise::from_array(k.clone(), other).unwrap());
            let m = DynArray::from(chunkwise::from_array(flags.clone(), last.max(1)).unwrap());
            let out =
                chunkwise::map_blocks_dyn::<f64, _>(&[&x, &y, &m], &BlockSpec::default(), |b| {
                    let [DynNdArray::F64(v), DynNdArray::I8(k), DynNdArray::Bool(m)] = &b[..]
                    else {
                        panic!("blocks of the wrong dtypes")
                    };
                    assert_eq!(
                        (v.shape(), k.shape()),
                        (m.shape(), m.shape()),
                        "broadcast blocks"
                    );
                    Zip::from(v)
                        .and(k)
                        .and(m)
                        .map_collect(|&v, &k, &m| if m { v * k as f64 } else { v })
                })
                .unwrap();
            let flags_wide = flags.broadcast(IxDyn(&shape)).unwrap();
            let want = Zip::from(&a)
                .and(&k)
                .and(&flags_wide)
                .map_collect(|&v, &k, &m| if m { v * k as f64 } else { v });
            let one = out.compute_with(&Config::default().workers(1)).unwrap();
            assert_eq!(one, want, "shape {shape:?} chunks {chunks:?}");
            assert_eq!(
                out.compute_with(&Config::default().workers(2)).unwrap(),
                want
            );
            cases += 1;
        }
    }
    assert!(cases > 90, "{cases} cases");
    // drop_axis: the dropped axis is one chunk and each block is seen whole along it.
    let a = crate::common::data_f64(&[4, 6]);
    let x = DynArray::from(chunkwise::from_array(a.clone(), vec![2, 4]).unwrap());
    let n =
        DynArray::from(chunkwise::from_array(ndarray::arr2(&[[1u8; 6]; 4]).into_dyn(), 3).unwrap());
    let spec = BlockSpec {
        drop_axis: vec![0],
        ..Default::default()
    };
    let sums = chunkwise::map_blocks_dyn::<f64, _>(&[&x, &n], &spec, |b| {
        let [DynNdArray::F64(v), DynNdArray::U8(c)] = &b[..] else {
            panic!("dtypes")
        };
        assert_eq!(v.shape()[0], 4);
        (v * &c.mapv(f64::from)).sum_axis(Axis(0))
    })
    .unwrap();
    assert_eq!(sums.compute().unwrap(), a.sum_axis(Axis(0)));
}

/// The errors of `map_blocks_dyn`: no arrays, shapes that do not broadcast, a bad spec, and a
/// block of the wrong shape or a panic at compute, naming the op.
#[test]
fn map_blocks_dyn_errors() {
    use chunkwise::BlockSpec;
    let f = |b: Vec<DynNdArray>| match &b[0] {
        DynNdArray::F64(v) => v.clone(),
        _ => unreachable!(),
    };
    let none = chunkwise::map_blocks_dyn::<f64, _>(&[], &BlockSpec::default(), f);
    assert!(
        matches!(none, Err(Error::InvalidParameter { .. })),
        "{:?}",
        none.err()
    );
    let x = DynArray::from(chunkwise::arange(6).cast::<f64>().rechunk(4).unwrap());
    let y = DynArray::from(chunkwise::arange(4).cast::<i32>());
    let bad = chunkwise::map_blocks_dyn::<f64, _>(&[&x, &y], &BlockSpec::default(), f);
    assert!(
        matches!(bad, Err(Error::Broadcast { .. })),
        "{:?}",
        bad.err()
    );
    let spec = BlockSpec {
        drop_axis: vec![1],
        ..Default::default()
    };
    let axes = chunkwise::map_blocks_dyn::<f64, _>(&[&x], &spec, f);
    assert!(
        matches!(axes, Err(Error::InvalidAxes { .. })),
        "{:?}",
        axes.err()
    );
    let short = chunkwise::map_blocks_dyn::<f64, _>(
        &[&x, &y.reshape([4, 1]).unwrap()],
        &BlockSpec::default(),
        |_| ndarray::ArrayD::zeros(ndarray::IxDyn(&[1])),
    )
    .unwrap();
    let e = short.compute().unwrap_err();
    assert!(
        matches!(&e, Error::Block { op, .. } if op == "map_blocks"),
        "{e}"
    );
    let boom =
        chunkwise::map_blocks_dyn::<f64, _>(&[&x], &BlockSpec::default(), |_| panic!("boom"))
            .unwrap();
    let e = boom.compute().unwrap_err();
    assert!(e.to_string().contains("boom"), "{e}");
}

/// NumPy's `x ** 2` squares (so bools give `int8`, where `power` promotes a Python int to
/// `int64`), and a negative integer exponent is refused only where a value is raised.
#[test]
fn pow_of_bools_by_two_and_of_empty_arrays_by_negative_ints() {
    let flags = DynArray::from(chunkwise::from_array(arr1(&[true, false, true]), 2).unwrap());
    let sq = flags.pow_operator(2i64).unwrap();
    assert_eq!(sq.dtype(), DType::I8);
    assert_eq!(
        sq.compute().unwrap(),
        DynNdArray::from(arr1(&[1i8, 0, 1]).into_dyn())
    );
    let power = flags.pow(2i64).unwrap();
    assert_eq!(power.dtype(), DType::I64);
    assert_eq!(
        power.compute().unwrap(),
        DynNdArray::from(arr1(&[1i64, 0, 1]).into_dyn())
    );
    let cube = flags.pow_operator(3i64).unwrap();
    assert_eq!(cube.dtype(), DType::I64);
    assert_eq!(
        cube.compute().unwrap(),
        DynNdArray::from(arr1(&[1i64, 0, 1]).into_dyn())
    );
    for d in [DType::I64, DType::I8, DType::Bool] {
        let empty = DynArray::from(chunkwise::arange(0)).astype(d);
        let p = empty.pow(-1i64).unwrap();
        assert_eq!(p.shape(), &[0]);
        assert_eq!(p.compute().unwrap().shape(), &[0]);
        let one = DynArray::from(chunkwise::arange(1)).astype(d);
        assert!(
            matches!(one.pow(-1i64), Err(Error::InvalidParameter { .. })),
            "{d:?}"
        );
    }
}
