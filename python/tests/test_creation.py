"""Creation functions, random arrays, and the rest of the Array object's surface (conversions,
compute, persist, explain, repr)."""

import math

import numpy as np
import pytest

import chunkwise as da
from conftest import DTYPES, assert_same


# ---------------------------------------------------------------------------------------------
# arange, linspace, zeros, ones, full, *_like, from_array
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kw",
    [
        ((10,), {}),
        ((0,), {}),
        ((2, 20, 3), {}),
        ((10, 0, -3), {}),
        ((5, 2), {}),
        ((-4, 4), {"chunks": 3}),
        ((7,), {"dtype": "float32"}),
        ((7,), {"dtype": "uint8", "chunks": 2}),
        ((0, 1, 0.1), {}),
        ((1.5, 6), {}),
        ((0, 10, 2.5), {"chunks": 1}),
    ],
)
def test_arange(args, kw):
    x = da.arange(*args, **kw)
    want = np.arange(*args, dtype=kw.get("dtype"))
    assert x.shape == want.shape
    assert sum(x.chunks[0]) == want.shape[0]
    assert_same(x.compute(), want, rtol=1e-12, atol=1e-12)


def test_arange_dtype_follows_numpy():
    assert da.arange(3).dtype == np.int64
    assert da.arange(3.0).dtype == np.float64
    assert da.arange(0, 3, 0.5).dtype == np.float64
    assert da.arange(10**9).chunks[0][0] < 10**9  # automatic chunks cut a large array


@pytest.mark.parametrize(
    "args, kw",
    [
        ((0, 1), {}),
        ((0, 1, 7), {}),
        ((0, 1, 7), {"endpoint": False}),
        ((-3.5, 10, 1), {}),
        ((2, -2, 0), {}),
        ((0, 100, 1001), {"chunks": 100}),
        ((0, 1, 11), {"dtype": "float32"}),
        ((1, 5, 5), {"dtype": "int64"}),
    ],
)
def test_linspace(args, kw):
    x = da.linspace(*args, **kw)
    want = np.linspace(*args, **{k: v for k, v in kw.items() if k != "chunks"})
    if "chunks" in kw:
        assert x.chunks == ((kw["chunks"],) * 10 + (1,),)
    assert_same(x.compute(), want, rtol=1e-12, atol=1e-12)
    if want.size and want.dtype.kind == "f":
        r = x.compute()
        assert r[0] == want[0] and (r[-1] == want[-1])  # the ends are exact


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_zeros_ones_full_empty(dtype):
    shape = (3, 0, 2) if dtype == np.int16 else (4, 5)
    assert_same(da.zeros(shape, dtype=dtype, chunks=2).compute(), np.zeros(shape, dtype))
    assert_same(da.ones(shape, dtype=dtype).compute(), np.ones(shape, dtype))
    assert_same(da.full(shape, 1, dtype=dtype).compute(), np.full(shape, 1, dtype))
    e = da.empty(shape, dtype=dtype).compute()
    assert e.shape == shape and e.dtype == dtype


def test_creation_defaults():
    assert da.zeros(3).dtype == np.float64
    assert da.ones((2, 2)).dtype == np.float64
    assert da.empty(4).dtype == np.float64
    assert da.zeros(()).shape == ()
    assert da.full(3, 5).dtype == np.int64
    assert da.full(3, 5.5).dtype == np.float64
    assert da.full(3, True).dtype == np.bool_
    assert_same(da.full((2, 3), -7, dtype="int8").compute(), np.full((2, 3), -7, np.int8))
    assert_same(da.full(4, 2.5, dtype="float32").compute(), np.full(4, 2.5, np.float32))


def test_like_functions_keep_dtype_and_chunks():
    x = da.arange(10, chunks=4, dtype="int16")
    for f, want in [(da.zeros_like, np.zeros(10, np.int16)), (da.ones_like, np.ones(10, np.int16))]:
        y = f(x)
        assert y.dtype == np.int16 and y.chunks == x.chunks
        assert_same(y.compute(), want)
    y = da.full_like(x, 7)
    assert y.dtype == np.int16 and y.chunks == x.chunks
    assert_same(y.compute(), np.full(10, 7, np.int16))
    assert_same(da.ones_like(x, dtype="float32").compute(), np.ones(10, np.float32))
    assert_same(da.zeros_like(da.ones((2, 3))).compute(), np.zeros((2, 3)))


def test_from_array_auto_chunks_and_dtypes():
    for dtype in DTYPES:
        a = (np.arange(24) % 5).astype(dtype).reshape(2, 3, 4)
        x = da.from_array(a)
        assert x.dtype == dtype
        assert tuple(sum(c) for c in x.chunks) == a.shape
        assert_same(x.compute(), a)
    big = np.zeros(3 * 10**6)
    assert len(da.from_array(big, chunks="auto").chunks[0]) > 1  # 24 MB is cut


def test_from_array_of_numpy_scalar_and_0d():
    x = da.from_array(np.array(2.5))
    assert x.shape == () and x.chunks == ()
    assert x.compute() == 2.5
    assert isinstance(x.compute(), np.float64)


def test_asarray_of_a_list():
    x = da.asarray([[1, 2], [3, 4]])
    assert isinstance(x, da.Array) and x.dtype == np.int64
    assert_same(x.compute(), np.array([[1, 2], [3, 4]]))


# ---------------------------------------------------------------------------------------------
# Random arrays (chunkwise's own stream: tested by distribution, not against NumPy's values)
# ---------------------------------------------------------------------------------------------


def test_random_module_functions():
    n = 10**6
    r = da.random.random(n, chunks=10**5).compute()
    assert r.dtype == np.float64 and r.shape == (n,)
    assert r.min() >= 0 and r.max() < 1 and abs(r.mean() - 0.5) < 0.01
    u = da.random.uniform(-2, 3, (2, n // 2), chunks=(1, 10**5)).compute()
    assert u.shape == (2, n // 2) and u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    g = da.random.normal(5.0, 2.0, n, chunks=10**5).compute()
    assert abs(g.mean() - 5) < 0.02 and abs(g.std() - 2) < 0.02
    s = da.random.standard_normal((1000, 1000), chunks=250).compute()
    assert abs(s.mean()) < 0.01 and abs(s.std() - 1) < 0.01
    assert da.random.uniform(size=10).compute().min() >= 0
    assert da.random.normal(size=(3, 4)).shape == (3, 4)


def test_random_without_seed_differs_between_calls():
    a = da.random.random(1000).compute()
    b = da.random.random(1000).compute()
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("method", ["random", "uniform", "normal", "standard_normal"])
def test_seeded_generator_is_independent_of_chunks_and_workers(method):
    def draw(chunks):
        rng = da.random.default_rng(42)
        if method == "random":
            return rng.random((300, 701), chunks=chunks)
        if method == "uniform":
            return rng.uniform(-1, 1, (300, 701), chunks=chunks)
        if method == "normal":
            return rng.normal(3.0, 0.5, (300, 701), chunks=chunks)
        return rng.standard_normal((300, 701), chunks=chunks)

    ref = draw(-1).compute(num_workers=1)
    for chunks in [(300, 701), (7, 100), ((100, 200), (1, 700)), 64]:
        for workers in (1, 2):
            got = draw(chunks).compute(num_workers=workers)
            assert got.tobytes() == ref.tobytes(), (chunks, workers)
    # and the same bits as a whole-array draw later sliced
    np.testing.assert_array_equal(draw(64)[5:9, ::-7].compute(), ref[5:9, ::-7])


def test_seeds_and_draws_differ():
    a = da.random.default_rng(1).random(1000).compute()
    b = da.random.default_rng(2).random(1000).compute()
    assert not np.array_equal(a, b)
    rng = da.random.default_rng(1)
    first, second = rng.random(1000).compute(), rng.random(1000).compute()
    np.testing.assert_array_equal(first, a)  # a new generator with the same seed repeats
    assert not np.array_equal(first, second)  # each draw of one generator is a new stream


def test_a_lazy_random_array_is_the_same_each_compute():
    x = da.random.random(10**5, chunks=10**4)
    np.testing.assert_array_equal(x.compute(), x.compute())
    assert math.isclose(x.sum().compute(), x.compute().sum(), rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# Compute, persist, explain, repr, conversions
# ---------------------------------------------------------------------------------------------


def test_0d_results_are_numpy_scalars():
    r = da.arange(10).sum().compute()
    assert r == np.int64(45) and isinstance(r, np.int64)
    m = da.arange(10).mean().compute()
    assert isinstance(m, np.float64) and m == 4.5
    b = da.arange(10).any().compute()
    assert isinstance(b, np.bool_) and b
    assert isinstance(da.ones(3, dtype="float32").max().compute(), np.float32)


def test_compute_many():
    x = da.arange(100, chunks=7)
    s, m, y = da.compute(x.sum(), x.max(), x * 2)
    assert s == 4950 and m == 99
    np.testing.assert_array_equal(y, np.arange(100) * 2)
    (only,) = da.compute(x.min(), num_workers=1)
    assert only == 0
    assert isinstance(da.compute(x, x), tuple)


def test_persist():
    x = da.random.default_rng(3).random((50, 40), chunks=(20, 15))
    p = x.persist()
    assert isinstance(p, da.Array)
    assert p.shape == x.shape and p.dtype == x.dtype and p.chunks == x.chunks
    np.testing.assert_array_equal(p.compute(), x.compute())
    np.testing.assert_array_equal((p + 1).compute(), x.compute() + 1)


def test_explain_and_repr():
    x = da.ones((400, 600), chunks=(100, 200), dtype="float32")
    e = (x * 2).sum().explain()
    assert isinstance(e, str) and "sum" in e
    for y in (x, da.arange(7, chunks=3)):
        r = repr(y)
        assert r.startswith("chunkwise.Array<")
        # shape, dtype and chunk size as Python and NumPy print them (Dask's repr does too)
        assert str(y.shape) in r and str(y.dtype) in r and str(y.chunksize) in r, r


def test_python_scalar_conversions():
    assert float(da.arange(5).sum()) == 10.0 and isinstance(float(da.arange(5).sum()), float)
    assert int(da.ones((1, 1)) * 3) == 3
    assert int(da.arange(5)[3]) == 3
    assert bool(da.zeros(1).sum()) is False
    assert bool(da.ones(())) is True
    x = da.linspace(0, 1, 5)
    assert float(x[2]) == 0.5


def test_len_and_attributes_of_results():
    x = da.ones((6, 4), chunks=(4, 3))
    assert len(x) == 6
    assert x.T.shape == (4, 6) and x.T.chunks == ((3, 1), (4, 2))
    assert x.numblocks == (2, 2) and x.npartitions == 4 and x.chunksize == (4, 3)
    assert x.nbytes == 6 * 4 * 8 and x.itemsize == 8 and x.size == 24 and x.ndim == 2


def test_arrays_of_different_chunks_combine():
    a = np.arange(60.0).reshape(6, 10)
    x = da.from_array(a, chunks=(4, 3))
    y = da.from_array(a, chunks=(5, 7))
    assert_same((x + y).compute(), a + a)
    assert_same((x * y.T.T).sum(axis=1).compute(), (a * a).sum(axis=1))


def test_big_lazy_arrays_build_instantly():
    x = da.arange(10**15)
    assert x.shape == (10**15,)
    np.testing.assert_array_equal(x[:5].compute(), np.arange(5))
    assert x[-1].compute() == 10**15 - 1


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64", "int8", "int64", "float32"])
@pytest.mark.parametrize("start,stop,step", [(10, 0, -1), (9, 2, -3), (5, 5, -1), (0, 7, 2)])
def test_arange_negative_step_in_every_integer_dtype(dtype, start, stop, step):
    got = da.arange(start, stop, step, dtype=dtype, chunks=2).compute()
    assert_same(got, np.arange(start, stop, step, dtype=dtype))


def test_full_of_a_big_python_int_is_uint64_and_linspace_floors():
    x = da.full((3,), 2**63)
    assert x.dtype == np.full((3,), 2**63).dtype == np.uint64
    assert_same(x.compute(), np.full((3,), 2**63))
    assert da.full((2,), 5).dtype == np.int64
    # (Not unsigned: NumPy casts the negative floats by C rules, which differ by platform.)
    for dtype in ("int64", "int8", "int32"):
        assert_same(da.linspace(-3, 7, 9, dtype=dtype, chunks=4).compute(),
                    np.linspace(-3, 7, 9, dtype=dtype))
    assert_same(da.linspace(0, 1, 4, dtype=bool).compute(), np.linspace(0, 1, 4, dtype=bool))


def test_rechunk_none_and_dicts_keep_axes():
    x = da.ones((10, 12), chunks=(3, 5))
    assert x.rechunk((None, 4)).chunks == ((3, 3, 3, 1), (4, 4, 4))
    assert x.rechunk({1: 6}).chunks == ((3, 3, 3, 1), (6, 6))
    assert x.rechunk({0: -1, -1: None}).chunks == ((10,), (5, 5, 2))
    assert x.rechunk({0: 5}).compute().sum() == 120
    with pytest.raises(ValueError):
        x.rechunk({2: 3})
