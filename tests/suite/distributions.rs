//! The distributions of `random::Generator` beyond uniform and normal: position-keyed (the same
//! bits for every chunking), with NumPy's parameterization (checked through moments on 2e5
//! draws), and typed errors for bad parameters.
use chunkwise::prelude::*;

fn moments(v: &ndarray::ArrayD<f64>) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.sum() / n;
    (m, v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n)
}

#[test]
fn moments_follow_numpy_parameters() {
    let n = 200_000usize;
    let mut g = chunkwise::random::default_rng(11);
    let f = |x: ChunkedArray<f64>| moments(&x.compute().unwrap());
    let i = |x: ChunkedArray<i64>| moments(&x.cast::<f64>().compute().unwrap());
    // (name, (mean, variance) drawn, (mean, variance) expected)
    type Moments = (f64, f64);
    let cases: Vec<(&str, Moments, Moments)> = vec![
        ("exponential(2)", f(g.exponential(2.0, [n])), (2.0, 4.0)),
        ("gamma(3, 2)", f(g.gamma(3.0, 2.0, [n])), (6.0, 12.0)),
        (
            "beta(2, 5)",
            f(g.beta(2.0, 5.0, [n])),
            (2.0 / 7.0, 10.0 / (49.0 * 8.0)),
        ),
        ("poisson(4.5)", i(g.poisson(4.5, [n])), (4.5, 4.5)),
        ("binomial(20, 0.3)", i(g.binomial(20, 0.3, [n])), (6.0, 4.2)),
        (
            "lognormal(0, 0.5)",
            f(g.lognormal(0.0, 0.5, [n])),
            ((0.125f64).exp(), (0.25f64.exp() - 1.0) * 0.25f64.exp()),
        ),
        ("standard_t(10)", f(g.standard_t(10.0, [n])), (0.0, 1.25)),
        ("chisquare(3)", f(g.chisquare(3.0, [n])), (3.0, 6.0)),
        (
            "integers(-3, 5)",
            i(g.integers(-3, 5, [n])),
            (0.5, (64.0 - 1.0) / 12.0),
        ),
    ];
    for (name, (m, v), (want_m, want_v)) in cases {
        // Five standard errors of the mean, and 5% of the variance.
        let se = (want_v / n as f64).sqrt();
        assert!(
            (m - want_m).abs() < 5.0 * se + 1e-12,
            "{name}: mean {m}, want {want_m}"
        );
        assert!(
            (v - want_v).abs() < 0.05 * want_v,
            "{name}: variance {v}, want {want_v}"
        );
    }
}

#[test]
fn every_distribution_is_chunking_and_worker_invariant() {
    type Draw = fn(&mut chunkwise::random::Generator) -> ChunkedArray<f64>;
    let draws: Vec<(&str, Draw)> = vec![
        ("exponential", |g| g.exponential(1.5, [3, 700])),
        ("gamma", |g| g.gamma(0.7, 1.0, [3, 700])),
        ("beta", |g| g.beta(0.5, 0.5, [3, 700])),
        ("poisson", |g| g.poisson(30.0, [3, 700]).cast::<f64>()),
        ("binomial", |g| {
            g.binomial(1000, 0.01, [3, 700]).cast::<f64>()
        }),
        ("lognormal", |g| g.lognormal(1.0, 2.0, [3, 700])),
        ("standard_t", |g| g.standard_t(2.5, [3, 700])),
        ("chisquare", |g| g.chisquare(1.0, [3, 700])),
        ("integers", |g| {
            g.integers(i64::MIN, i64::MAX, [3, 700]).cast::<f64>()
        }),
    ];
    for (name, draw) in draws {
        let whole = draw(&mut chunkwise::random::default_rng(5))
            .compute()
            .unwrap();
        for (chunks, workers) in [([1, 1], 1), ([2, 333], 2), ([3, 1024], 3), ([1, 1025], 2)] {
            let x = draw(&mut chunkwise::random::default_rng(5))
                .rechunk(chunks)
                .unwrap();
            let got = x.compute_with(&Config::default().workers(workers)).unwrap();
            assert_eq!(
                got, whole,
                "{name} with chunks {chunks:?} on {workers} workers"
            );
        }
    }
    // Two draws of one generator differ; the same draw of two generators of one seed agree.
    let mut g = chunkwise::random::default_rng(9);
    let a = g.poisson(3.0, [100]).compute().unwrap();
    let b = g.poisson(3.0, [100]).compute().unwrap();
    assert_ne!(a, b);
}

#[test]
fn bad_parameters_are_typed_errors() {
    let mut g = chunkwise::random::default_rng(0);
    let f: Vec<ChunkedArray<f64>> = vec![
        g.exponential(0.0, [3]),
        g.exponential(f64::NAN, [3]),
        g.gamma(-1.0, 1.0, [3]),
        g.beta(0.0, 1.0, [3]),
        g.lognormal(0.0, -1.0, [3]),
        g.standard_t(0.0, [3]),
        g.chisquare(-2.0, [3]),
    ];
    for x in f {
        let err = x.compute().unwrap_err();
        assert!(
            matches!(err, chunkwise::Error::InvalidParameter { .. }),
            "{err}"
        );
    }
    for x in [
        g.poisson(-1.0, [3]),
        g.binomial(10, 1.5, [3]),
        g.integers(5, 5, [3]),
        g.integers(5, 1, [3]),
    ] {
        let err = x.compute().unwrap_err();
        assert!(
            matches!(err, chunkwise::Error::InvalidParameter { .. }),
            "{err}"
        );
    }
}
