"""The lesson's Dask cells, run unchanged with `import chunkwise as da`."""

import math

import numpy as np

import chunkwise as da


def calc_pi_dask(N):
    # the lesson's cell, verbatim
    pts = da.random.uniform(-1, 1, (2, N))
    M = da.count_nonzero((pts**2).sum(axis=0) < 1)
    return 4 * M / N


def test_calc_pi_dask():
    estimate = calc_pi_dask(10**6)
    assert isinstance(estimate, da.Array)  # lazy until .compute()
    assert estimate.shape == ()
    result = estimate.compute()
    assert isinstance(result, np.floating)
    assert abs(result - math.pi) < 0.01


def test_calc_pi_pieces_are_lazy():
    N = 10**4
    pts = da.random.uniform(-1, 1, (2, N))
    assert isinstance(pts, da.Array) and pts.shape == (2, N) and pts.dtype == np.float64
    M = da.count_nonzero((pts**2).sum(axis=0) < 1)
    assert isinstance(M, da.Array) and M.dtype == np.int64
    p = pts.compute()
    assert p.min() >= -1 and p.max() < 1
    # M counts the points of pts inside the circle (the same lazy pts: the same draw)
    assert M.compute() == np.count_nonzero((p**2).sum(axis=0) < 1)


def test_arange_sum():
    result = da.arange(10**9).sum().compute(num_workers=2)
    assert result == 499999999500000000
    assert isinstance(result, np.int64)


def test_power_of_two_is_computed_as_a_square():
    # NumPy computes x**2 as square (its fast path for the scalar exponent 2). The lesson's
    # pts**2 as a general pow costs about 15x the rest of the pi pipeline.
    pts = da.random.uniform(-1, 1, (2, 1000))
    plan = (pts**2).sum(axis=0).explain()
    assert "square" in plan and "pow" not in plan, plan
    np.testing.assert_array_equal((pts**2).compute(), pts.compute() ** 2)


def test_dask_docs_example():
    # x = da.random.random((10000, 10000), chunks=(1000, 1000)), at 2000 x 2000 in blocks of 250
    n, c = 2000, 250
    x = da.random.random((n, n), chunks=(c, c))
    y = x + x.T
    z = y[::2, n // 2 :].mean(axis=1)
    assert isinstance(z, da.Array) and z.shape == (n // 2,)
    assert z.chunks == ((c // 2,) * (n // c),)  # every other row of each block of 250
    r = z.compute()
    assert r.shape == (n // 2,)
    # Each is a mean of 1000 sums of two uniforms (sd 0.41 / sqrt(1000) = 0.013): within 6 sd
    # of 1 (0.05 was under 4 sd, which 1000 unseeded rows cross about one run in ten).
    assert np.all(np.abs(r - 1.0) < 0.08)
    # against NumPy on the same values
    xs = x.compute()
    want = (xs + xs.T)[::2, n // 2 :].mean(axis=1)
    np.testing.assert_allclose(r, want, rtol=1e-12)


def test_dask_docs_example_shape_at_full_size():
    # The docs' sizes build lazily; only the shape is checked here (computing is the case above).
    x = da.random.random((10000, 10000), chunks=(1000, 1000))
    y = x + x.T
    z = y[::2, 5000:].mean(axis=1)
    assert z.shape == (5000,)
    assert x.numblocks == (10, 10)
