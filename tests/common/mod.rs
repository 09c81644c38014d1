//! Shared helpers: small shapes, their chunkings, deterministic data and comparisons.
#![allow(dead_code)]

pub mod exact;

use ndarray::{ArrayD, IxDyn};

/// Shapes that cover the corner cases: 0-d, empty axes, size-1 axes, 1 to 3 dims.
pub fn shapes() -> Vec<Vec<usize>> {
    vec![
        vec![],
        vec![0],
        vec![1],
        vec![7],
        vec![3, 4],
        vec![1, 5],
        vec![4, 1],
        vec![0, 3],
        vec![3, 0],
        vec![2, 3, 4],
        vec![2, 1, 3],
    ]
}

/// Block lists for one axis of extent `n`: every regular size, plus an irregular split.
pub fn axis_options(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![0]];
    }
    let mut v: Vec<Vec<usize>> = (1..=n)
        .map(|s| {
            let mut b = vec![s; n / s];
            if !n.is_multiple_of(s) {
                b.push(n % s);
            }
            b
        })
        .collect();
    if n >= 3 {
        v.push(vec![n - 2, 1, 1]);
    }
    v
}

/// Every combination of per-axis options (capped, evenly spread, to keep runs short).
pub fn chunkings(shape: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<Vec<usize>>> = vec![vec![]];
    for &n in shape {
        let opts = axis_options(n);
        let mut next = Vec::new();
        for prefix in &out {
            for o in &opts {
                let mut p = prefix.clone();
                p.push(o.clone());
                next.push(p);
            }
        }
        out = next;
    }
    if out.len() > 40 {
        let step = out.len() / 40 + 1;
        out = out.into_iter().step_by(step).collect();
    }
    out
}

/// Deterministic data with negatives, fractions and a few zeros.
pub fn data_f64(shape: &[usize]) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|i| (((i * 7919 + 13) % 97) as f64 - 48.0) / 8.0)
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

pub fn data_i64(shape: &[usize]) -> ArrayD<i64> {
    let n: usize = shape.iter().product();
    let v: Vec<i64> = (0..n).map(|i| ((i * 7919 + 13) % 23) as i64 - 11).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Equal within a relative tolerance (shapes must match exactly; NaN equals NaN).
pub fn assert_close(got: &ArrayD<f64>, want: &ArrayD<f64>, rtol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want.iter()) {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= rtol * w.abs().max(1.0);
        assert!(ok, "{what}: got {g}, want {w}\n got {got:?}\nwant {want:?}");
    }
}
