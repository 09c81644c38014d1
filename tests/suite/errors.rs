//! Every bad input gets a typed error naming the op and the shapes, never a panic.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use chunkwise::prelude::*;
use chunkwise::Error;

fn msg<T: std::fmt::Debug>(r: Result<T, Error>) -> (Error, String) {
    let e = r.expect_err("expected an error");
    let s = e.to_string();
    (e, s)
}

#[test]
fn incompatible_broadcast() {
    let a = chunkwise::zeros::<f64>([3, 4]);
    let b = chunkwise::ones::<f64>([2, 4]);
    let (e, s) = msg((&a + &b).compute());
    assert!(matches!(e, Error::Broadcast { .. }));
    assert!(
        s.contains("add") && s.contains("[3, 4]") && s.contains("[2, 4]"),
        "{s}"
    );
    // The error travels through later ops and reductions to compute/item.
    let (e, _) = msg(((&a * &b).square().sum()).item());
    assert!(matches!(e, Error::Broadcast { .. }));
    let (e, s) = msg(a.lt(&b).compute());
    assert!(
        matches!(e, Error::Broadcast { .. }) && s.contains("lt"),
        "{s}"
    );
    // where_ checks at once.
    let (e, s) = msg(chunkwise::where_(&a.gt(0.0), &a, &b));
    assert!(
        matches!(e, Error::Broadcast { .. }) && s.contains("where"),
        "{s}"
    );
}

#[test]
fn axis_out_of_range() {
    let x = chunkwise::zeros::<f64>([3, 4]);
    let results: Vec<(&str, Result<(), Error>)> = vec![
        ("sum_axis", x.sum_axis(2).map(|_| ())),
        ("sum_axis", x.sum_axis(-3).map(|_| ())),
        ("prod_axis", x.prod_axis(5).map(|_| ())),
        ("min_axis", x.min_axis(2).map(|_| ())),
        ("max_axis", x.max_axis(2).map(|_| ())),
        ("mean_axis", x.mean_axis(2).map(|_| ())),
        ("var_axis", x.var_axis(2).map(|_| ())),
        ("std_axis", x.std_axis(2).map(|_| ())),
        ("count_nonzero_axis", x.count_nonzero_axis(2).map(|_| ())),
        ("any_axis", x.any_axis(2).map(|_| ())),
        ("all_axis", x.all_axis(2).map(|_| ())),
    ];
    for (op, r) in results {
        let (e, s) = msg(r);
        assert!(matches!(e, Error::AxisOutOfRange { .. }), "{op}");
        assert!(s.contains(op) && s.contains("[3, 4]"), "{s}");
    }
    let (e, _) = msg(chunkwise::zeros::<f64>(Vec::<usize>::new()).sum_axis(0));
    assert!(matches!(e, Error::AxisOutOfRange { .. }));
}

#[test]
fn bad_chunks() {
    let x = chunkwise::zeros::<f64>([10, 6]);
    for (spec, needle) in [
        (x.rechunk(0), "size 0"),
        (x.rechunk([-2i64, 3]), "-2"),
        (x.rechunk([0usize, 3]), "size 0"),
        (x.rechunk([5usize]), "1 block sizes"),
        (x.rechunk(vec![vec![5, 4], vec![6]]), "sum to 9"),
        (x.rechunk(vec![vec![10, 0], vec![6]]), "size 0"),
        (x.rechunk(vec![vec![10]]), "1 axes of chunks"),
    ] {
        let (e, s) = msg(spec);
        assert!(matches!(e, Error::InvalidChunks { .. }), "{s}");
        assert!(
            s.contains("rechunk") && s.contains("[10, 6]") && s.contains(needle),
            "{s}"
        );
    }
    let (e, s) = msg(chunkwise::from_array(
        ndarray::Array2::<f64>::zeros((2, 2)),
        [0, 1],
    ));
    assert!(
        matches!(e, Error::InvalidChunks { .. }) && s.contains("from_array"),
        "{s}"
    );
}

#[test]
fn item_on_a_non_scalar() {
    let (e, s) = msg(chunkwise::arange(3).item());
    assert!(
        matches!(e, Error::NotScalar { .. }) && s.contains("[3]"),
        "{s}"
    );
    let (e, _) = msg(chunkwise::zeros::<u8>([0]).item());
    assert!(matches!(e, Error::NotScalar { .. }));
    // Size-1 arrays of any rank are fine, as NumPy.
    assert_eq!(chunkwise::full([1, 1], 5u32).item().unwrap(), 5);
}

#[test]
fn memory_limit_is_checked_before_work() {
    let cfg = Config::default().memory_limit(1 << 20);
    let (e, s) = msg(chunkwise::zeros::<f64>([1000, 1000]).compute_with(&cfg));
    assert!(matches!(e, Error::MemoryLimit { .. }), "{s}");
    assert!(
        s.contains("[1000, 1000]") && s.contains("memory_limit"),
        "{s}"
    );
    // A reduction of the same array fits.
    assert_eq!(
        chunkwise::zeros::<f64>([1000, 1000])
            .sum()
            .item_with(&cfg)
            .unwrap(),
        0.0
    );
    // An array of 10^15 elements computes nothing before failing.
    let (e, _) = msg(chunkwise::zeros::<f64>([1_000_000, 1_000_000_000]).compute_with(&cfg));
    assert!(matches!(e, Error::MemoryLimit { .. }));
}

#[test]
fn bad_distribution_parameters() {
    let mut g = chunkwise::random::default_rng(0);
    for (r, param) in [
        (g.uniform(f64::NAN, 1.0, 10).compute(), "lo"),
        (g.uniform(0.0, f64::INFINITY, 10).compute(), "hi"),
        (g.uniform(1.0, 0.0, 10).compute(), "hi"),
        (g.normal(f64::NAN, 1.0, 10).compute(), "mean"),
        (g.normal(0.0, -1.0, 10).compute(), "std"),
        (g.normal(0.0, f64::INFINITY, 10).compute(), "std"),
    ] {
        let (e, s) = msg(r);
        assert!(matches!(e, Error::InvalidParameter { .. }), "{s}");
        assert!(s.contains(param), "{s}");
    }
}

#[test]
fn bad_ranges() {
    let (e, s) = msg(chunkwise::arange_step(0.0, 1.0, 0.0).compute());
    assert!(
        matches!(e, Error::InvalidParameter { .. }) && s.contains("step"),
        "{s}"
    );
    let (e, _) = msg(chunkwise::arange_step(f64::NAN, 1.0, 0.1).compute());
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let (e, _) = msg(chunkwise::arange_step(0.0, 1.0, f64::NAN).sum().item());
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let (e, _) = msg(chunkwise::linspace(0.0, f64::INFINITY, 5).compute());
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let (e, s) = msg(chunkwise::arange(5).powi(-1).compute());
    assert!(
        matches!(e, Error::InvalidParameter { .. }) && s.contains("powi"),
        "{s}"
    );
}

#[test]
fn empty_reductions_without_identity() {
    let (e, s) = msg(chunkwise::zeros::<f64>([0]).min().item());
    assert!(
        matches!(e, Error::EmptyReduction { .. }) && s.contains("min"),
        "{s}"
    );
    let (e, _) = msg(chunkwise::zeros::<i32>([0, 3])
        .max_axis(0)
        .unwrap()
        .compute());
    assert!(matches!(e, Error::EmptyReduction { .. }));
    // Reducing the non-empty axis of an empty array is fine: an empty result.
    assert_eq!(
        chunkwise::zeros::<i32>([0, 3])
            .max_axis(1)
            .unwrap()
            .compute()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn oversized_shapes_and_bad_workers() {
    let (e, s) = msg(chunkwise::zeros::<f64>([usize::MAX, 2]).compute());
    assert!(
        matches!(e, Error::TooLarge { .. }) && s.contains("zeros"),
        "{s}"
    );
    let (e, _) = msg(chunkwise::arange(10)
        .sum()
        .compute_with(&Config::default().workers(0)));
    assert!(matches!(e, Error::Pool { .. }));
}

#[test]
fn integer_arithmetic_does_not_panic() {
    let x = chunkwise::full([4], i64::MIN);
    let r = (&x / -1i64).compute().unwrap();
    assert_eq!(r[0], i64::MIN);
    assert_eq!((&x / 0i64).compute().unwrap()[0], 0);
    assert_eq!((&x * 2i64).compute().unwrap()[0], 0);
    assert_eq!((-&x).compute().unwrap()[0], i64::MIN);
}
