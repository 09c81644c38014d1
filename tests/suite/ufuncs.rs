//! The long tail of elementwise functions and NaN-aware reductions against eager ndarray
//! references (NumPy's semantics), over the shapes and chunkings of the other suites, with NaN,
//! infinities, signed zeros and halves among the inputs.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{ArrayD, Axis, IxDyn};

/// `data_f64` with NaN, infinities, signed zeros and halves mixed in.
fn special(shape: &[usize]) -> ArrayD<f64> {
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.0,
        0.5,
        1.5,
        2.5,
        -2.5,
    ];
    let mut a = data_f64(shape);
    for (i, v) in a.iter_mut().enumerate() {
        if i % 3 == 1 {
            *v = specials[(i / 3) % specials.len()];
        }
    }
    a
}

/// Equal bit for bit, or both NaN.
fn same(got: &ArrayD<f64>, want: &ArrayD<f64>, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(
            (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits(),
            "{what}: got {g:?}, want {w:?}"
        );
    }
}

fn numpy_sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else if v.is_nan() {
        f64::NAN
    } else {
        0.0
    }
}

/// `ln(e^a + e^b)`: the larger plus `ln(1 + e^-|a - b|)`, the infinities and NaN by their
/// limits (NumPy's `logaddexp`).
fn logaddexp_reference(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == f64::NEG_INFINITY {
        b
    } else if b == f64::NEG_INFINITY || a == f64::INFINITY {
        a
    } else if b == f64::INFINITY {
        b
    } else if a == b {
        a + std::f64::consts::LN_2
    } else {
        a.max(b) + (-(a - b).abs()).exp().ln_1p()
    }
}

/// C's `nextafter` by the bits: one unit in the last place toward `b`.
fn nextafter_reference(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if a == b {
        return b;
    }
    if a == 0.0 {
        // The smallest subnormal, on the side of `b`.
        return f64::from_bits(1).copysign(b);
    }
    // Away from zero when `b` lies beyond `a`'s side, toward it otherwise.
    let away = (b > a) == (a > 0.0);
    f64::from_bits(if away {
        a.to_bits() + 1
    } else {
        a.to_bits() - 1
    })
}

#[test]
fn logaddexp_nextafter_copysign_signbit_special_values() {
    let inf = f64::INFINITY;
    let x = chunkwise::from_array(
        ndarray::arr1(&[inf, -inf, inf, -inf, 0.0, 1000.0, -0.0, f64::NAN]),
        3,
    )
    .unwrap();
    let y = chunkwise::from_array(
        ndarray::arr1(&[inf, -inf, -inf, 5.0, 0.0, 1000.0, 0.0, 1.0]),
        3,
    )
    .unwrap();
    let l = x.logaddexp(&y).compute().unwrap();
    assert_eq!(&l.as_slice().unwrap()[..4], &[inf, -inf, inf, 5.0]);
    assert_eq!(l[4], std::f64::consts::LN_2);
    // No overflow where e^1000 would.
    assert_eq!(l[5], 1000.0 + std::f64::consts::LN_2);
    assert!(l[7].is_nan());
    // Moderate values: the naive formula within rounding.
    let a = data_f64(&[50]);
    let got = chunkwise::from_array(a.clone(), 7)
        .unwrap()
        .logaddexp(0.25)
        .compute()
        .unwrap();
    for (g, v) in got.iter().zip(a.iter()) {
        let naive = (v.exp() + 0.25f64.exp()).ln();
        assert!(
            (g - naive).abs() <= 1e-14 * naive.abs().max(1.0),
            "{v}: {g} against {naive}"
        );
    }
    // nextafter: -0 toward +0 is +0, 0 toward 1 the smallest subnormal, 1 toward 2 one ulp.
    let n = chunkwise::from_array(ndarray::arr1(&[-0.0, 0.0, 1.0, 1.0, f64::MAX]), 2).unwrap();
    let t = chunkwise::from_array(ndarray::arr1(&[0.0, 1.0, 2.0, 0.0, inf]), 2).unwrap();
    let n = n.nextafter(&t).compute().unwrap();
    assert_eq!(n[0].to_bits(), 0.0f64.to_bits());
    assert_eq!(n[1], f64::from_bits(1));
    assert_eq!(n[2], 1.0 + f64::EPSILON);
    assert_eq!(n[3], 1.0 - f64::EPSILON / 2.0);
    assert_eq!(n[4], inf);
    // copysign and signbit see the sign bit of zeros and NaNs.
    let neg_nan = -f64::NAN;
    let s = chunkwise::from_array(ndarray::arr1(&[1.0, f64::NAN, 2.0, -0.0]), 2).unwrap();
    let c =
        s.copysign(chunkwise::from_array(ndarray::arr1(&[-0.0, -1.0, neg_nan, 1.0]), 2).unwrap());
    let c = c.compute().unwrap();
    assert_eq!(c[0], -1.0);
    assert!(c[1].is_nan() && c[1].is_sign_negative());
    assert_eq!(c[2], -2.0);
    assert_eq!(c[3].to_bits(), 0.0f64.to_bits());
    let b = chunkwise::from_array(ndarray::arr1(&[-0.0, 0.0, neg_nan, f64::NAN, -inf, 3.0]), 4)
        .unwrap();
    let b = b.signbit().compute().unwrap();
    assert_eq!(
        b.as_slice().unwrap(),
        &[true, false, true, false, true, false]
    );
    // asinh and acosh of the largest values: ln(2x), not the overflow of 2x.
    for v in [f64::MAX, 1e300, 3e8] {
        let x = chunkwise::from_array(ndarray::arr1(&[v, -v]), 1).unwrap();
        let s = x.asinh().compute().unwrap();
        let want = v.ln() + std::f64::consts::LN_2;
        assert!(
            (s[0] - want).abs() <= 1e-15 * want && s[1] == -s[0],
            "asinh {v}: {s}"
        );
        assert_eq!(x.acosh().compute().unwrap()[0], s[0], "acosh {v}");
    }
    let big = chunkwise::from_array(ndarray::arr1(&[f32::MAX / 1.5]), 1).unwrap();
    let s = big.asinh().compute().unwrap()[0];
    let want = (2.0 * f64::from(f32::MAX / 1.5)).ln();
    assert!(
        (f64::from(s) - want).abs() < 1e-5 * want,
        "asinh f32: {s} against {want}"
    );
    // f32 has them too.
    let f = chunkwise::from_array(ndarray::arr1(&[1.0f32]), 1)
        .unwrap()
        .nextafter(2.0)
        .compute()
        .unwrap();
    assert_eq!(f[0], 1.0 + f32::EPSILON);
}

#[test]
fn every_elementwise_function_every_shape_every_chunking() {
    type F = fn(f64) -> f64;
    type Test = fn(f64) -> bool;
    type Lazy1 = fn(&ChunkedArray<f64>) -> ChunkedArray<f64>;
    type Lazy2 = fn(&ChunkedArray<f64>, &ChunkedArray<f64>) -> ChunkedArray<f64>;
    let unary: Vec<(&str, Lazy1, F)> = vec![
        ("tan", |x| x.tan(), f64::tan),
        ("asin", |x| x.asin(), f64::asin),
        ("acos", |x| x.acos(), f64::acos),
        ("atan", |x| x.atan(), f64::atan),
        ("sinh", |x| x.sinh(), f64::sinh),
        ("cosh", |x| x.cosh(), f64::cosh),
        ("tanh", |x| x.tanh(), f64::tanh),
        ("asinh", |x| x.asinh(), f64::asinh),
        ("acosh", |x| x.acosh(), f64::acosh),
        ("atanh", |x| x.atanh(), f64::atanh),
        ("log2", |x| x.log2(), f64::log2),
        ("log10", |x| x.log10(), f64::log10),
        ("ln_1p", |x| x.ln_1p(), f64::ln_1p),
        ("exp_m1", |x| x.exp_m1(), f64::exp_m1),
        ("exp2", |x| x.exp2(), f64::exp2),
        ("floor", |x| x.floor(), f64::floor),
        ("ceil", |x| x.ceil(), f64::ceil),
        ("round", |x| x.round(), f64::round_ties_even),
        ("trunc", |x| x.trunc(), f64::trunc),
        ("recip", |x| x.recip(), f64::recip),
        ("signum", |x| x.signum(), numpy_sign),
        // NaN propagates, as np.clip (Rust's f64::max would drop it).
        ("clip", |x| x.clip(-1.0, 2.0), |v| v.clamp(-1.0, 2.0)),
        (
            "nan_to_num",
            |x| x.nan_to_num(0.0, f64::MAX, f64::MIN),
            |v| {
                if v.is_nan() {
                    0.0
                } else if v == f64::INFINITY {
                    f64::MAX
                } else if v == f64::NEG_INFINITY {
                    f64::MIN
                } else {
                    v
                }
            },
        ),
    ];
    type G = fn(f64, f64) -> f64;
    let binary: Vec<(&str, Lazy2, G)> = vec![
        ("atan2", |a, b| a.atan2(b), f64::atan2),
        ("hypot", |a, b| a.hypot(b), f64::hypot),
        ("copysign", |a, b| a.copysign(b), f64::copysign),
        ("pow", |a, b| a.pow(b), f64::powf),
        ("logaddexp", |a, b| a.logaddexp(b), logaddexp_reference),
        ("nextafter", |a, b| a.nextafter(b), nextafter_reference),
    ];
    let mut cases = 0;
    for shape in shapes() {
        let a = special(&shape);
        // The second operand: the same values reversed, so specials meet other values.
        let b = ArrayD::from_shape_vec(
            IxDyn(&shape),
            a.iter()
                .copied()
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        )
        .unwrap();
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let y = chunkwise::from_array(b.clone(), chunks.clone()).unwrap();
            for (name, lazy, f) in &unary {
                same(
                    &lazy(&x).compute().unwrap(),
                    &a.mapv(f),
                    &format!("{name} {shape:?} {chunks:?}"),
                );
                cases += 1;
            }
            for (name, lazy, f) in &binary {
                let want = ndarray::Zip::from(&a).and(&b).map_collect(|&p, &q| f(p, q));
                same(
                    &lazy(&x, &y).compute().unwrap(),
                    &want,
                    &format!("{name} {shape:?} {chunks:?}"),
                );
                // And against a scalar.
                let want = a.mapv(|p| f(p, 0.75));
                let got = match *name {
                    "atan2" => x.atan2(0.75),
                    "hypot" => x.hypot(0.75),
                    "copysign" => x.copysign(0.75),
                    "logaddexp" => x.logaddexp(0.75),
                    "nextafter" => x.nextafter(0.75),
                    _ => x.pow(0.75),
                };
                same(
                    &got.compute().unwrap(),
                    &want,
                    &format!("{name} scalar {shape:?}"),
                );
                cases += 2;
            }
            let tests: [(&str, ChunkedArray<bool>, Test); 3] = [
                ("isnan", x.isnan(), f64::is_nan),
                ("isinf", x.isinf(), f64::is_infinite),
                ("isfinite", x.isfinite(), f64::is_finite),
            ];
            for (name, lazy, f) in tests {
                assert_eq!(
                    lazy.compute().unwrap(),
                    a.mapv(f),
                    "{name} {shape:?} {chunks:?}"
                );
            }
        }
    }
    assert!(cases > 2000, "{cases} cases");
}

#[test]
fn numpy_values_where_rust_differs() {
    let x =
        chunkwise::from_array(ndarray::arr1(&[0.5, 1.5, 2.5, -0.5, -2.5, 0.0, -0.0]), 3).unwrap();
    // Halves to even (np.round), not away from zero.
    let r = x.round().compute().unwrap();
    assert_eq!(
        r.as_slice().unwrap(),
        &[0.0, 2.0, 2.0, -0.0, -2.0, 0.0, -0.0]
    );
    // np.sign(0) is 0, Rust's signum(0.0) is 1.
    let s = x.signum().compute().unwrap();
    assert_eq!(
        s.as_slice().unwrap(),
        &[1.0, 1.0, 1.0, -1.0, -1.0, 0.0, 0.0]
    );
    // clip with lo > hi gives hi everywhere (minimum applied last); NaN stays NaN.
    let c = chunkwise::from_array(ndarray::arr1(&[f64::NAN, -5.0, 5.0]), 2).unwrap();
    let c = c.clip(3.0, 1.0).compute().unwrap();
    assert!(c[0].is_nan());
    assert_eq!(&c.as_slice().unwrap()[1..], &[1.0, 1.0]);
    // Integers clip too, and f32 has the float functions.
    let i = chunkwise::arange(10).clip(2, 5).compute().unwrap();
    assert_eq!(i.as_slice().unwrap(), &[2, 2, 2, 3, 4, 5, 5, 5, 5, 5]);
    let f = chunkwise::arange(4)
        .cast::<f32>()
        .exp2()
        .log2()
        .compute()
        .unwrap();
    assert_eq!(f.as_slice().unwrap(), &[0.0f32, 1.0, 2.0, 3.0]);
}

/// The reference of a NaN-aware reduction of `a` over `axes` (sorted), NaN left out, as NumPy.
fn nan_reference(
    a: &ArrayD<f64>,
    axes: &[usize],
    keepdims: bool,
    f: fn(&[f64]) -> f64,
) -> ArrayD<f64> {
    // Move the reduced axes last, then reduce each lane.
    let kept: Vec<usize> = (0..a.ndim()).filter(|d| !axes.contains(d)).collect();
    let order: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let t = a
        .view()
        .permuted_axes(order)
        .as_standard_layout()
        .into_owned();
    let out_shape: Vec<usize> = kept.iter().map(|&d| a.shape()[d]).collect();
    let per = axes.iter().map(|&d| a.shape()[d]).product::<usize>();
    let flat = t.as_slice().unwrap();
    let vals: Vec<f64> = (0..out_shape.iter().product::<usize>())
        .map(|o| {
            let lane: Vec<f64> = flat[o * per..(o + 1) * per]
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            f(&lane)
        })
        .collect();
    let r = ArrayD::from_shape_vec(IxDyn(&out_shape), vals).unwrap();
    if !keepdims {
        return r;
    }
    let shape: Vec<usize> = (0..a.ndim())
        .map(|d| if axes.contains(&d) { 1 } else { a.shape()[d] })
        .collect();
    r.into_shape_with_order(IxDyn(&shape)).unwrap()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn var(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64
}

#[test]
fn nan_reductions_against_numpy_semantics() {
    type R = fn(&ChunkedArray<f64>, &[isize], bool) -> chunkwise::Result<ChunkedArray<f64>>;
    type Reference = fn(&[f64]) -> f64;
    let cases: Vec<(&str, R, Reference)> = vec![
        ("nansum", |x, a, k| x.nansum_axes(a, k), |v| v.iter().sum()),
        (
            "nanprod",
            |x, a, k| x.nanprod_axes(a, k),
            |v| v.iter().product(),
        ),
        ("nanmean", |x, a, k| x.nanmean_axes(a, k), mean),
        (
            "nanmin",
            |x, a, k| x.nanmin_axes(a, k),
            |v| v.iter().copied().reduce(f64::min).unwrap_or(f64::NAN),
        ),
        (
            "nanmax",
            |x, a, k| x.nanmax_axes(a, k),
            |v| v.iter().copied().reduce(f64::max).unwrap_or(f64::NAN),
        ),
        ("nanvar", |x, a, k| x.nanvar_axes(a, k), var),
        ("nanstd", |x, a, k| x.nanstd_axes(a, k), |v| var(v).sqrt()),
    ];
    for shape in shapes() {
        // NaN only (no infinities: their sums are NaN or inf either way), and whole lanes of
        // NaN where a slice has no other element.
        let mut a = data_f64(&shape);
        for (i, v) in a.iter_mut().enumerate() {
            if i % 4 == 1 || i < 3 {
                *v = f64::NAN;
            }
        }
        let nd = shape.len();
        let mut axis_sets: Vec<Vec<usize>> = vec![(0..nd).collect()];
        axis_sets.extend((0..nd).map(|d| vec![d]));
        if nd == 3 {
            axis_sets.push(vec![0, 2]);
        }
        for chunks in chunkings(&shape).into_iter().step_by(3) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            for axes in &axis_sets {
                let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
                for keepdims in [false, true] {
                    for (name, lazy, f) in &cases {
                        let reduced: usize = axes.iter().map(|&d| shape[d]).product();
                        let got = lazy(&x, &iaxes, keepdims).unwrap().compute();
                        if reduced == 0 && (*name == "nanmin" || *name == "nanmax") {
                            // NumPy: a zero-size reduction with no identity is a ValueError.
                            assert!(got.is_err(), "{name} over nothing, {shape:?} axes {axes:?}");
                            continue;
                        }
                        let got = got.unwrap();
                        let want = nan_reference(&a, axes, keepdims, *f);
                        assert_close(
                            &got,
                            &want,
                            1e-12,
                            &format!(
                                "{name} {shape:?} {chunks:?} axes {axes:?} keepdims {keepdims}"
                            ),
                        );
                    }
                }
            }
            // The all-elements and one-axis forms are the same reductions.
            same(
                &x.nansum().compute().unwrap(),
                &x.nansum_axes(&(0..nd as isize).collect::<Vec<_>>(), false)
                    .unwrap()
                    .compute()
                    .unwrap(),
                "nansum forms",
            );
            if nd > 0 && shape[nd - 1] > 0 {
                same(
                    &x.nanmax_axis(-1).unwrap().compute().unwrap(),
                    &x.nanmax_axes(&[nd as isize - 1], false)
                        .unwrap()
                        .compute()
                        .unwrap(),
                    "nanmax forms",
                );
            }
        }
    }
}

#[test]
fn var_ddof_and_ptp() {
    for shape in shapes() {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let n = a.len();
            for ddof in [0usize, 1, 2] {
                if ddof > n {
                    assert!(matches!(
                        x.var_ddof(ddof),
                        Err(chunkwise::Error::InvalidParameter { .. })
                    ));
                    continue;
                }
                let got = x.var_ddof(ddof).unwrap().item().unwrap();
                let m = a.iter().sum::<f64>() / n as f64;
                let want =
                    a.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n as f64 - ddof as f64);
                let ok = (got.is_nan() && want.is_nan())
                    || got == want
                    || (got - want).abs() <= 1e-12 * want.abs().max(1.0);
                assert!(
                    ok,
                    "var_ddof({ddof}) {shape:?} {chunks:?}: {got} against {want}"
                );
                let s = x.std_ddof(ddof).unwrap().item().unwrap();
                assert!(
                    (s.is_nan() && got.is_nan()) || s == got.sqrt(),
                    "std_ddof({ddof})"
                );
            }
            for d in 0..shape.len() {
                if shape[d] == 0 {
                    continue;
                }
                let got = x.var_ddof_axis(d as isize, 1).unwrap().compute().unwrap();
                let want = a.var_axis(Axis(d), 1.0);
                assert_close(
                    &got,
                    &want,
                    1e-12,
                    &format!("var_ddof_axis {shape:?} {chunks:?} axis {d}"),
                );
                let got = x.ptp_axis(d as isize).unwrap().compute().unwrap();
                let want = a.map_axis(Axis(d), |l| {
                    l.iter().copied().fold(f64::MIN, f64::max)
                        - l.iter().copied().fold(f64::MAX, f64::min)
                });
                same(
                    &got,
                    &want,
                    &format!("ptp_axis {shape:?} {chunks:?} axis {d}"),
                );
            }
        }
    }
    let i = chunkwise::arange(10).rechunk(3).unwrap();
    assert_eq!(i.ptp().item().unwrap(), 9);
    assert!(
        chunkwise::arange(0).ptp().compute().is_err(),
        "ptp of nothing is an error, as min"
    );
    let err = chunkwise::arange(3).cast::<f64>().var_ddof(4).unwrap_err();
    assert!(err.to_string().contains("ddof"), "{err}");
    assert!(chunkwise::zeros::<f64>([2, 3]).var_ddof_axis(0, 3).is_err());
    assert!(
        chunkwise::zeros::<f64>([2, 3]).var_ddof_axis(2, 1).is_err(),
        "bad axis"
    );
    // ddof equal to the count divides by zero, as NumPy: infinity, or NaN for no spread.
    let x = chunkwise::from_array(ndarray::arr1(&[1.0, 2.0]), 1).unwrap();
    assert_eq!(x.var_ddof(2).unwrap().item().unwrap(), f64::INFINITY);
    assert!(chunkwise::zeros::<f64>([2])
        .var_ddof(2)
        .unwrap()
        .item()
        .unwrap()
        .is_nan());
}

#[test]
fn log10_clip_nansum_is_one_pass() {
    let x = chunkwise::arange(1_000_000)
        .rechunk(100_000)
        .unwrap()
        .cast::<f64>();
    let y = x.log10().clip(0.0, 1.0).nansum();
    let plan = y.plan().unwrap();
    assert_eq!(plan.passes.len(), 1, "{plan}");
    let fused = plan.stages()[0].fused.join(" -> ");
    assert!(
        fused.contains("log10 -> clip 0 1 -> nan_as 0 -> sum"),
        "{plan}"
    );
    let want: f64 = (0..1_000_000u32)
        .map(|v| (v as f64).log10().clamp(0.0, 1.0))
        .filter(|v| !v.is_nan())
        .sum();
    let got = y.item().unwrap();
    assert!((got - want).abs() <= 1e-9 * want, "{got} against {want}");
}

#[test]
fn bool_arrays_sum_to_counts_and_mean_to_fractions() {
    for shape in shapes() {
        let a = data_f64(&shape);
        for chunks in chunkings(&shape).into_iter().step_by(4) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let m = x.lt(0.5);
            let count = a.iter().filter(|&&v| v < 0.5).count();
            assert_eq!(
                m.sum().item().unwrap(),
                count as i64,
                "{shape:?} {chunks:?}"
            );
            let frac = m.mean().item().unwrap();
            if a.is_empty() {
                assert!(frac.is_nan());
            } else {
                assert_eq!(frac, count as f64 / a.len() as f64);
            }
            for d in 0..shape.len() {
                let want = a.map_axis(Axis(d), |l| l.iter().filter(|&&v| v < 0.5).count() as i64);
                assert_eq!(
                    m.sum_axis(d as isize).unwrap().compute().unwrap(),
                    want,
                    "sum_axis {d} {shape:?}"
                );
                let got = m.mean_axes(&[d as isize], true).unwrap();
                assert_eq!(got.ndim(), shape.len());
            }
        }
    }
}

/// NumPy's `%` and `//`: the remainder takes the divisor's sign, the quotient rounds down.
fn numpy_divmod(a: i64, b: i64) -> (i64, i64) {
    if b == 0 {
        return (0, 0);
    }
    let (q, r) = (a.wrapping_div(b), a.wrapping_rem(b));
    if r != 0 && ((r < 0) != (b < 0)) {
        (q - 1, r + b)
    } else {
        (q, r)
    }
}

#[test]
fn integer_division_remainder_bitwise_and_shifts() {
    let vals: Vec<i64> = vec![-7, -1, 0, 1, 7, 9, i64::MIN, i64::MAX, -2, 3];
    let divs: Vec<i64> = vec![2, -2, 3, -3, 0, 1, -1, 5, -4, 7];
    let a = ndarray::arr1(&vals).into_dyn();
    let b = ndarray::arr1(&divs).into_dyn();
    for chunk in [1usize, 3, 10] {
        let x = chunkwise::from_array(a.clone(), chunk).unwrap();
        let y = chunkwise::from_array(b.clone(), chunk).unwrap();
        let fd = x.floor_divide(&y).compute().unwrap();
        let rm = (&x % &y).compute().unwrap();
        for i in 0..vals.len() {
            let (q, r) = numpy_divmod(vals[i], divs[i]);
            assert_eq!((fd[i], rm[i]), (q, r), "{} divmod {}", vals[i], divs[i]);
        }
        let td = x.true_divide(&y).compute().unwrap();
        for i in 0..vals.len() {
            let want = vals[i] as f64 / divs[i] as f64;
            assert!(
                td[i] == want || (td[i].is_nan() && want.is_nan()),
                "{} / {}",
                vals[i],
                divs[i]
            );
        }
        let and = (&x & &y).compute().unwrap();
        let or = (&x | 6).compute().unwrap();
        let xor = (&x ^ &y).compute().unwrap();
        let not = (!&x).compute().unwrap();
        let shl = x.shl(3).compute().unwrap();
        let shr = x.shr(70).compute().unwrap();
        for i in 0..vals.len() {
            assert_eq!(and[i], vals[i] & divs[i]);
            assert_eq!(or[i], vals[i] | 6);
            assert_eq!(xor[i], vals[i] ^ divs[i]);
            assert_eq!(not[i], !vals[i]);
            assert_eq!(shl[i], vals[i].wrapping_shl(3));
            assert_eq!(
                shr[i],
                if vals[i] < 0 { -1 } else { 0 },
                "a shift past the width"
            );
        }
    }
    // Floats: the remainder has the divisor's sign, floor division rounds down.
    let f = chunkwise::from_array(ndarray::arr1(&[-7.5, 7.5, -1.0]), 2).unwrap();
    assert_eq!(
        (&f % 2.0).compute().unwrap().as_slice().unwrap(),
        &[0.5, 1.5, 1.0]
    );
    assert_eq!(
        f.floor_divide(2.0).compute().unwrap().as_slice().unwrap(),
        &[-4.0, 3.0, -1.0]
    );
    assert_eq!(chunkwise::arange(5).shl(64).sum().item().unwrap(), 0);
    let u = chunkwise::arange(4).cast::<u8>();
    assert_eq!(
        (!u).compute().unwrap().as_slice().unwrap(),
        &[255, 254, 253, 252]
    );
    let t = chunkwise::arange(4).lt(2);
    let v = t.xor(chunkwise::arange(4).lt(3)).compute().unwrap();
    assert_eq!(v.as_slice().unwrap(), &[false, false, true, false]);
    assert_eq!(
        (t ^ true).compute().unwrap().as_slice().unwrap(),
        &[false, false, true, true]
    );
}
