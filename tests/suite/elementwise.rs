//! Every elementwise op against the eager ndarray result, over many shapes and chunkings.
use crate::common;

use chunkwise::prelude::*;
use common::*;
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

fn check_unary_f64(x: &ChunkedArray<f64>, a: &ArrayD<f64>, what: &str) {
    let cases: Vec<(&str, ChunkedArray<f64>, ArrayD<f64>)> = vec![
        ("identity", x.clone(), a.clone()),
        ("square", x.square(), a.mapv(|v| v * v)),
        ("abs", x.abs(), a.mapv(f64::abs)),
        ("neg", -x, a.mapv(|v| -v)),
        ("add scalar", x + 1.5, a.mapv(|v| v + 1.5)),
        ("scalar sub", 2.0 - x, a.mapv(|v| 2.0 - v)),
        ("mul scalar", x * 3.0, a.mapv(|v| v * 3.0)),
        (
            "scalar div",
            1.0 / (x.abs() + 1.0),
            a.mapv(|v| 1.0 / (v.abs() + 1.0)),
        ),
        ("sqrt", x.abs().sqrt(), a.mapv(|v| v.abs().sqrt())),
        ("exp", x.exp(), a.mapv(f64::exp)),
        ("ln", (x.abs() + 1.0).ln(), a.mapv(|v| (v.abs() + 1.0).ln())),
        ("sin", x.sin(), a.mapv(f64::sin)),
        ("cos", x.cos(), a.mapv(f64::cos)),
        ("powi", x.powi(3), a.mapv(|v| v.powi(3))),
        ("powf", x.abs().powf(0.5), a.mapv(|v| v.abs().powf(0.5))),
        ("maximum", x.maximum(0.5), a.mapv(|v| v.max(0.5))),
        ("minimum", x.minimum(x.square()), a.mapv(|v| v.min(v * v))),
        ("add self", x + x, a.mapv(|v| v + v)),
        ("sub", x - &x.square(), a.mapv(|v| v - v * v)),
        ("mul", x * &x.abs(), a.mapv(|v| v * v.abs())),
        ("div", x / &(x.abs() + 1.0), a.mapv(|v| v / (v.abs() + 1.0))),
        (
            "where",
            chunkwise::where_(&x.gt(0.0), x, 0.0).unwrap(),
            a.mapv(|v| if v > 0.0 { v } else { 0.0 }),
        ),
    ];
    for (name, lazy, want) in cases {
        let got = lazy.compute().unwrap();
        assert_eq!(got, want, "{what} {name}");
    }
    let cmp: Vec<(&str, ChunkedArray<bool>, ArrayD<bool>)> = vec![
        ("lt", x.lt(0.5), a.mapv(|v| v < 0.5)),
        ("le", x.le(0.5), a.mapv(|v| v <= 0.5)),
        ("gt", x.gt(x.square()), a.mapv(|v| v > v * v)),
        ("ge", x.ge(0.0), a.mapv(|v| v >= 0.0)),
        ("eq", x.eq(0.5), a.mapv(|v| v == 0.5)),
        ("ne", x.ne(x.abs()), a.mapv(|v| v != v.abs())),
        (
            "and",
            x.gt(0.0).and(x.lt(2.0)),
            a.mapv(|v| v > 0.0 && v < 2.0),
        ),
        (
            "or",
            x.lt(-1.0) | x.gt(1.0),
            a.mapv(|v| !(-1.0..=1.0).contains(&v)),
        ),
        ("not", !x.gt(0.0), a.mapv(|v| v <= 0.0)),
        ("cast bool", x.cast::<bool>(), a.mapv(|v| v != 0.0)),
    ];
    for (name, lazy, want) in cmp {
        assert_eq!(lazy.compute().unwrap(), want, "{what} {name}");
    }
    assert_eq!(
        x.cast::<i64>().compute().unwrap(),
        a.mapv(|v| v as i64),
        "{what} cast i64"
    );
    assert_eq!(
        x.cast::<f32>().compute().unwrap(),
        a.mapv(|v| v as f32),
        "{what} cast f32"
    );
    assert_eq!(
        x.cast::<u8>().compute().unwrap(),
        a.mapv(|v| v as u8),
        "{what} cast u8"
    );
}

fn check_unary_i64(x: &ChunkedArray<i64>, a: &ArrayD<i64>, what: &str) {
    let cases: Vec<(&str, ChunkedArray<i64>, ArrayD<i64>)> = vec![
        ("square", x.square(), a.mapv(|v| v * v)),
        ("abs", x.abs(), a.mapv(i64::abs)),
        ("neg", -x, a.mapv(|v| -v)),
        ("add", x + 7, a.mapv(|v| v + 7)),
        ("sub", 3 - x, a.mapv(|v| 3 - v)),
        ("mul", x * x, a.mapv(|v| v * v)),
        // Integer division by zero gives 0, as NumPy (with a warning there).
        (
            "div",
            x / &x.abs(),
            a.mapv(|v| if v == 0 { 0 } else { v / v.abs() }),
        ),
        ("div scalar", x / 3, a.mapv(|v| v / 3)),
        ("powi", x.powi(3), a.mapv(|v| v.pow(3))),
        ("maximum", x.maximum(0), a.mapv(|v| v.max(0))),
        ("minimum", x.minimum(x.abs()), a.mapv(|v| v.min(v.abs()))),
    ];
    for (name, lazy, want) in cases {
        assert_eq!(lazy.compute().unwrap(), want, "{what} {name}");
    }
    assert_eq!(
        x.cast::<f64>().compute().unwrap(),
        a.mapv(|v| v as f64),
        "{what} cast f64"
    );
    assert_eq!(
        x.cast::<u32>().compute().unwrap(),
        a.mapv(|v| v as u32),
        "{what} cast u32"
    );
    assert_eq!(x.lt(0).compute().unwrap(), a.mapv(|v| v < 0), "{what} lt");
}

#[test]
fn every_op_every_shape_every_chunking() {
    for shape in shapes() {
        let a = data_f64(&shape);
        let ai = data_i64(&shape);
        for chunks in chunkings(&shape) {
            let what = format!("shape {shape:?} chunks {chunks:?}");
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            assert_eq!(x.chunks().to_blocks(), chunks);
            check_unary_f64(&x, &a, &what);
            let xi = chunkwise::from_array(ai.clone(), chunks.clone()).unwrap();
            check_unary_i64(&xi, &ai, &what);
        }
    }
}

#[test]
fn other_element_types() {
    let a = data_i64(&[5, 6]);
    let x = chunkwise::from_array(a.mapv(|v| v as i32), [2, 4]).unwrap();
    assert_eq!((&x * 2).compute().unwrap(), a.mapv(|v| v as i32 * 2));
    let u = chunkwise::from_array(a.mapv(|v| (v + 11) as u32), [3, 3]).unwrap();
    assert_eq!((&u + 1).compute().unwrap(), a.mapv(|v| (v + 12) as u32));
    let u64a = chunkwise::from_array(a.mapv(|v| (v + 11) as u64), [3, 3]).unwrap();
    assert_eq!(
        u64a.square().compute().unwrap(),
        a.mapv(|v| ((v + 11) * (v + 11)) as u64)
    );
    let b = chunkwise::from_array(a.mapv(|v| (v + 11) as u8), [1, 6]).unwrap();
    // u8 wraps like NumPy's uint8.
    assert_eq!(
        (&b * 20).compute().unwrap(),
        a.mapv(|v| ((v + 11) as u8).wrapping_mul(20))
    );
    let f = chunkwise::from_array(a.mapv(|v| v as f32), [5, 1]).unwrap();
    assert_eq!(
        f.abs().sqrt().compute().unwrap(),
        a.mapv(|v| (v as f32).abs().sqrt())
    );
    let t = chunkwise::from_array(a.mapv(|v| v > 0), [2, 2]).unwrap();
    assert_eq!(
        t.not().cast::<u8>().compute().unwrap(),
        a.mapv(|v| (v <= 0) as u8)
    );
}

/// The public fused map and zip_map against ndarray's `mapv` and `Zip`, over every shape and
/// chunking of the common cases, and their errors.
#[test]
fn user_closures_map_and_zip_map() {
    for shape in shapes() {
        let a = data_f64(&shape);
        let b = data_i64(&shape);
        for chunks in chunkings(&shape) {
            let x = chunkwise::from_array(a.clone(), chunks.clone()).unwrap();
            let y = chunkwise::from_array(b.clone(), chunks).unwrap();
            let f = |v: f64| (v * 3.0).round() as i32 - 1;
            assert_eq!(x.map("f", f).compute().unwrap(), a.mapv(f), "{shape:?}");
            let g = |v: f64, k: i64| v.is_sign_negative() == (k % 2 == 0);
            let want = ndarray::Zip::from(&a).and(&b).map_collect(|&v, &k| g(v, k));
            let got = x.zip_map(&y.rechunk(chunkwise::ChunkSpec::Auto).unwrap(), "g", g);
            assert_eq!(got.compute().unwrap(), want, "{shape:?}");
        }
    }
    // A row broadcast against a matrix; shapes that do not broadcast fail at compute.
    let m = chunkwise::arange(12).reshape([3, 4]).unwrap();
    let row = chunkwise::arange(4).map("as f32", |v: i64| v as f32);
    let got = m
        .zip_map(&row, "h", |i: i64, r: f32| i as f32 * r)
        .compute()
        .unwrap();
    assert_eq!(got[[2, 3]], 33.0);
    let bad = m.zip_map(&chunkwise::arange(5), "h", |i: i64, j: i64| i + j);
    assert!(matches!(
        bad.compute(),
        Err(chunkwise::Error::Broadcast { .. })
    ));
}

#[test]
fn broadcasting_against_ndarray() {
    let pairs: Vec<(Vec<usize>, Vec<usize>)> = vec![
        (vec![3, 4], vec![4]),
        (vec![3, 1], vec![1, 4]),
        (vec![2, 3, 4], vec![3, 1]),
        (vec![], vec![3]),
        (vec![5], vec![]),
        (vec![1], vec![0]),
        (vec![2, 1, 3], vec![2, 4, 1]),
    ];
    for (sa, sb) in pairs {
        let a = data_f64(&sa);
        let b = data_f64(&sb).mapv(|v| v * 0.5 + 1.0);
        let want = &a + &b;
        let want_max = ndarray::Zip::from(&a.broadcast(want.shape()).unwrap())
            .and(&b.broadcast(want.shape()).unwrap())
            .map_collect(|&x, &y| x.max(y));
        for ca in chunkings(&sa).into_iter().take(6) {
            for cb in chunkings(&sb).into_iter().take(6) {
                let x = chunkwise::from_array(a.clone(), ca.clone()).unwrap();
                let y = chunkwise::from_array(b.clone(), cb.clone()).unwrap();
                let what = format!("{sa:?}{ca:?} + {sb:?}{cb:?}");
                assert_eq!((&x + &y).compute().unwrap(), want, "{what}");
                assert_eq!((&y + &x).compute().unwrap(), want, "{what} (swapped)");
                assert_eq!(x.maximum(&y).compute().unwrap(), want_max, "{what} maximum");
                let w = chunkwise::where_(&x.gt(&y), &x, &y)
                    .unwrap()
                    .compute()
                    .unwrap();
                assert_eq!(w, want_max, "{what} where");
            }
        }
    }
}

#[test]
fn sources_against_numpy_semantics() {
    assert_eq!(
        chunkwise::arange(10).rechunk(3).unwrap().compute().unwrap(),
        ArrayD::from_shape_vec(IxDyn(&[10]), (0..10).collect()).unwrap()
    );
    let x = chunkwise::arange_step(1.0, 2.0, 0.3).compute().unwrap();
    // NumPy: ceil((stop - start) / step) elements, element i = start + i * step.
    let want: Vec<f64> = (0..4).map(|i| 1.0 + i as f64 * 0.3).collect();
    assert_eq!(x.as_slice().unwrap(), want.as_slice());
    assert_eq!(chunkwise::arange_step(2.0, 1.0, 0.5).len(), 0);
    assert_eq!(
        chunkwise::arange_step(2.0, 1.0, -0.5)
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[2.0, 1.5]
    );
    let l = chunkwise::linspace(-1.0, 1.0, 7)
        .rechunk(2)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(l[6], 1.0);
    assert_eq!(l[0], -1.0);
    assert!((l[3]).abs() < 1e-15);
    assert_eq!(
        chunkwise::linspace(3.0, 4.0, 1)
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[3.0]
    );
    assert_eq!(
        chunkwise::zeros::<u32>([2, 2]).compute().unwrap(),
        ArrayD::<u32>::zeros(IxDyn(&[2, 2]))
    );
    assert_eq!(
        chunkwise::ones::<f32>([3]).compute().unwrap(),
        ArrayD::<f32>::ones(IxDyn(&[3]))
    );
    assert!(chunkwise::full(vec![2, 3], true).all().item().unwrap());
    assert_eq!(
        chunkwise::full(Vec::<usize>::new(), 4i32).item().unwrap(),
        4
    );
    // A non-standard-layout ndarray goes in as its logical values.
    let t = data_f64(&[3, 4]).reversed_axes();
    let x = chunkwise::from_array(t.clone(), [2, 2]).unwrap();
    assert_eq!(x.compute().unwrap(), t);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chained_ops_match_ndarray_for_random_chunkings(
        shape in prop::collection::vec(1usize..6, 0..4),
        seeds in prop::collection::vec(1usize..100, 4),
    ) {
        let a = data_f64(&shape);
        // Random explicit blocks per axis from the seeds.
        let chunks: Vec<Vec<usize>> = shape.iter().enumerate().map(|(d, &n)| {
            let mut left = n;
            let mut blocks = Vec::new();
            let mut k = seeds[d % seeds.len()];
            while left > 0 {
                let b = 1 + k % left;
                blocks.push(b);
                left -= b;
                k = k * 31 + 7;
            }
            blocks
        }).collect();
        let x = chunkwise::from_array(a.clone(), chunks).unwrap();
        let got = ((&x * 2.0 - 1.0).square() + x.abs().sqrt()).compute().unwrap();
        let want = a.mapv(|v| (v * 2.0 - 1.0).powi(2) + v.abs().sqrt());
        prop_assert_eq!(got, want);
    }
}

/// A broadcast operand is made once for each run of tiles that reads the same box of it, not
/// once per tile: the Dask docs example's `x - x.mean(0)` read its 2000 column means again for
/// every row of 2000 it subtracted them from. Counted through `map`, whose function is called
/// once per element made; the sum has the same bits as with the means held as an array.
#[test]
fn a_broadcast_operand_is_made_once_per_run_of_tiles() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    for (shape, chunks) in [
        // Leaves are rows of 2000 in cells of 2000 rows: a box of the means per cell.
        ([4000, 6000], [1000, 1000]),
        ([3000, 5000], [700, 1300]),
        // Rows shorter than a tile: leaves of several rows, one box per leaf.
        ([6000, 500], [1000, 250]),
    ] {
        let x = chunkwise::random::default_rng(3)
            .random(shape)
            .rechunk(chunks)
            .unwrap();
        let means = x.mean_with(0, ReduceOptions::default()).unwrap();
        let held = chunkwise::from_array(means.compute().unwrap(), shape[1]).unwrap();
        for workers in 1..=3 {
            let config = Config::default().workers(workers);
            let made = Arc::new(AtomicUsize::new(0));
            let counter = made.clone();
            let counted = means.map("counted", move |v: f64| {
                counter.fetch_add(1, Ordering::Relaxed);
                v
            });
            let got = (&x - &counted).sum().compute_with(&config).unwrap();
            let want = (&x - &held).sum().compute_with(&config).unwrap();
            let at = format!("{shape:?} {chunks:?} {workers} workers");
            assert_eq!(
                got.first().unwrap().to_bits(),
                want.first().unwrap().to_bits(),
                "{at}"
            );
            let made = made.load(Ordering::Relaxed);
            let elements = shape[0] * shape[1];
            // Each mean at least once; at most a few boxes per task (once per row of the
            // matrix, as before, would be `elements`).
            assert!(made >= shape[1], "{at}: {made}");
            assert!(made * 50 <= elements, "{at}: {made} of {elements}");
        }
    }
}
