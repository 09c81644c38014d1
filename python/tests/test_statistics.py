"""histogram, topk/argtopk, einsum, several quantiles at once and nanvar/nanstd with ddof,
against NumPy over random shapes, dtypes and chunkings."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chunkwise as da
from conftest import NUMERIC_DTYPES, assert_same, chunked, examples, numeric_dtypes


@examples(60)
@given(st.data())
def test_histogram_against_numpy(data):
    dtype = data.draw(numeric_dtypes)
    a, x, _ = data.draw(chunked(dtype))
    bins = data.draw(st.sampled_from([1, 2, 4, 5, 8, 10]))
    if data.draw(st.booleans()) or a.size == 0:
        rng = (-50.0, 50.0)
        counts, edges = da.histogram(x, bins=bins, range=rng)
        want_c, want_e = np.histogram(a, bins=bins, range=rng)
    else:
        counts, edges = da.histogram(x, bins=bins)
        want_c, want_e = np.histogram(a.astype(np.float64), bins=bins)
    assert_same(counts.compute(), want_c)
    assert_same(edges.compute(), want_e, check_dtype=False, rtol=1e-12)


@examples(60)
@given(st.data())
def test_weighted_histogram_against_numpy(data):
    dtype = data.draw(numeric_dtypes)
    a, x, _ = data.draw(chunked(dtype))
    # Weights whose bins' sums stay in range (NumPy wraps a bin past its dtype; chunkwise
    # converts the exact sum as astype does).
    wdtype = data.draw(st.sampled_from([np.int64, np.int32, np.float64, np.float32]))
    w = data.draw(chunked(wdtype, shape=a.shape))
    wa, wx = w[0], w[1]
    bins = data.draw(st.sampled_from([1, 3, 8]))
    density = data.draw(st.booleans())
    if data.draw(st.booleans()):
        kw = dict(bins=bins, range=(-50.0, 50.0))
    else:
        kw = dict(bins=list(np.linspace(-40.0, 60.0, bins + 1)))
    sums, _ = da.histogram(x, weights=wx, density=density, **kw)
    want, _ = np.histogram(a, weights=wa, density=density, **kw)
    # chunkwise's sums are exact; NumPy's in f64 (f32 weights: rounded to f32 at the end).
    # With density NumPy divides by float32 widths for float32 values (its edges take the
    # values' dtype; chunkwise's are float64).
    f32 = wdtype == np.float32 or (density and a.dtype == np.float32)
    assert_same(sums.compute(), want, rtol=1e-6 if f32 else 1e-12)


def test_weighted_histogram_is_exact_at_any_chunking():
    a = np.tile([0.5, 1.5], 3000)
    w = np.tile([1e16, 1e16, 1.0, 1.0, -1e16, -1e16], 1000)
    got = [
        da.histogram(da.from_array(a, chunks=c), bins=2, range=(0, 2), weights=da.from_array(w, chunks=7))[0].compute()
        for c in (1, 5, 64, 6000)
    ]
    for g in got:
        assert_same(g, np.array([1000.0, 1000.0]))


def test_histogram_density_and_errors():
    a = np.array([0.5, 1.5, 1.5, 2.5, 3.75, 9.0])
    x = da.from_array(a, chunks=4)
    counts, edges = da.histogram(x, bins=4, range=(0, 4), density=True)
    want_c, want_e = np.histogram(a, bins=4, range=(0, 4), density=True)
    assert_same(counts.compute(), want_c, rtol=1e-12)
    assert_same(edges.compute(), want_e, rtol=1e-12)
    with pytest.raises(ValueError):
        da.histogram(x, bins=0, range=(0, 1))
    with pytest.raises(ValueError):
        da.histogram(x, bins=3, range=(2, 1))
    with pytest.raises(ValueError):
        da.histogram(x, bins=3, range=(0, np.inf))
    with pytest.raises(TypeError):
        da.histogram(x, bins=2.5, range=(0, 1))
    with pytest.raises(ValueError):
        da.histogram(x, bins=[0, 2, 1])
    with pytest.raises(ValueError):
        da.histogram(x, bins=[0, np.nan])
    with pytest.raises(ValueError):
        da.histogram(x, bins=[[0, 1], [2, 3]])
    with pytest.raises(TypeError):
        da.histogram(x, bins=["a", "b"])
    with pytest.raises(ValueError):
        da.histogram(x, bins=3, range=(0, 1), weights=x[:3])
    with pytest.raises(TypeError):
        da.histogram(x, bins=3, range=(0, 1), weights=x > 1)
    counts, edges = da.histogram(x, bins=[0, 1, 4], density=True)
    want_c, want_e = np.histogram(a, bins=[0, 1, 4], density=True)
    assert_same(counts.compute(), want_c, rtol=1e-12)
    assert_same(edges.compute(), want_e)
    # One edge: no bins; infinite edges; integer edges whose width overflows int64 times a count.
    for bins in ([1], [-np.inf, 1, np.inf], [0, 2**62]):
        counts, edges = da.histogram(x, bins=bins)
        want_c, want_e = np.histogram(a, bins=bins)
        assert_same(counts.compute(), want_c)
        assert_same(edges.compute(), want_e)
    counts, _ = da.histogram(x, bins=[0, 2**62], density=True)
    assert_same(counts.compute(), np.histogram(a, bins=[0, 2**62], density=True)[0], rtol=1e-12)


@examples(60)
@given(st.data())
def test_histogram_of_given_edges_against_numpy(data):
    dtype = data.draw(numeric_dtypes)
    a, x, _ = data.draw(chunked(dtype))
    # Edges that repeat (an empty bin), lie on values, or leave values out on either side.
    edges = sorted(
        data.draw(
            st.lists(
                st.sampled_from([-60.0, -7.5, -1.0, 0.0, 0.0, 0.5, 1.0, 3.0, 30.0, 1e300]),
                min_size=2,
                max_size=7,
            )
        )
    )
    counts, got_edges = da.histogram(x, bins=edges)
    want_c, want_e = np.histogram(a.astype(np.float64), bins=np.array(edges))
    assert_same(counts.compute(), want_c)
    assert_same(got_edges.compute(), want_e)


def numpy_topk(a, k, axis):
    """Dask's topk: the k largest along axis, largest first (negative k: smallest first)."""
    s = np.sort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    idx = np.arange(n - 1, n - 1 - k, -1) if k > 0 else np.arange(-k)
    return np.take(s, idx, axis=axis)


@examples(60)
@given(st.data())
def test_topk_and_argtopk_against_numpy(data):
    dtype = data.draw(st.sampled_from(NUMERIC_DTYPES + [np.dtype(bool)]))
    shape = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple))
    a, x, _ = data.draw(chunked(dtype, shape))
    axis = data.draw(st.sampled_from([None] + list(range(-a.ndim, a.ndim))))
    n = a.size if axis is None else a.shape[axis]
    k = data.draw(st.integers(1, n)) * data.draw(st.sampled_from([1, -1]))
    flat = a.ravel() if axis is None else a
    ax = 0 if axis is None else axis
    t = da.topk(x, k, axis=axis).compute()
    assert_same(t, numpy_topk(flat, k, ax))
    pos = da.argtopk(x, k, axis=axis).compute()
    assert pos.dtype == np.int64 and pos.shape == t.shape
    # The positions hold those values, each position once.
    assert_same(np.take_along_axis(flat, pos, axis=ax), t)
    assert (np.diff(np.sort(pos, axis=ax), axis=ax) > 0).all()
    # The method is Dask's, axis=-1 by default.
    if a.ndim >= 1 and abs(k) <= a.shape[-1]:
        assert_same(x.topk(k).compute(), numpy_topk(a, k, -1))


def test_topk_errors():
    x = da.arange(5, chunks=2)
    for k in (0, 6, -6):
        with pytest.raises(ValueError):
            da.topk(x, k)
    with pytest.raises(ValueError):
        da.topk(da.zeros((2, 3)), 1, axis=2)


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 3)]),
    ("ij->ji", [(3, 5)]),
    ("ij->", [(4, 3)]),
    ("ij->j", [(4, 3)]),
    ("i,i->", [(7,), (7,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("subscripts,shapes", EINSUMS, ids=[e[0] for e in EINSUMS])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "uint8"])
def test_einsum_against_numpy(subscripts, shapes, dtype):
    rng = np.random.default_rng(len(subscripts))
    # Small values: no integer sum overflows (NumPy's would wrap).
    arrays = [rng.integers(0, 3, size=s).astype(dtype) for s in shapes]
    xs = [da.from_array(a, chunks=2) for a in arrays]
    got = da.einsum(subscripts, *xs).compute()
    want = np.einsum(subscripts, *arrays)
    assert_same(got, want)


def test_einsum_mixed_dtypes_and_errors():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.arange(3, dtype=np.float32)
    got = da.einsum("ij,j->i", da.from_array(a, chunks=1), b).compute()
    assert_same(got, np.einsum("ij,j->i", a, b))
    got = da.einsum("ij,j->i", a, b, dtype=np.float32).compute()
    assert_same(got, np.einsum("ij,j->i", a, b, dtype=np.float32, casting="unsafe"))
    with pytest.raises(ValueError):
        da.einsum("ij,jk->ik", da.ones((2, 3)), da.ones((4, 2)))
    with pytest.raises(ValueError):
        da.einsum("ij,j->i", da.ones((2, 3)))
    t, f = np.array([True, False, True]), np.array([False, True, False])
    for a, b in ((t, t), (t, f)):
        got = da.einsum("i,i->", da.from_array(a, chunks=2), b).compute()
        assert_same(got, np.einsum("i,i->", a, b))


@examples(40)
@given(st.data())
def test_several_quantiles_at_once(data):
    dtype = data.draw(numeric_dtypes)
    shape = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple))
    a, x, _ = data.draw(chunked(dtype, shape))
    axis = data.draw(st.sampled_from([None] + list(range(a.ndim))))
    keepdims = data.draw(st.booleans())
    qs = data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0]), min_size=1, max_size=4))
    want = np.quantile(a, qs, axis=axis, keepdims=keepdims)
    got = da.quantile(x, qs, axis=axis, keepdims=keepdims).compute()
    assert_same(got, want, check_dtype=False, rtol=1e-6)
    got = da.percentile(x, [100 * q for q in qs], axis=axis, keepdims=keepdims).compute()
    assert_same(got, want, check_dtype=False, rtol=1e-6)
    if a.dtype.kind == "f":
        b = a.copy()
        b.flat[0] = np.nan
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # all-NaN slices
            want = np.nanquantile(b, qs, axis=axis, keepdims=keepdims)
        got = da.nanquantile(da.from_array(b, chunks=2), qs, axis=axis, keepdims=keepdims).compute()
        assert_same(got, want, check_dtype=False, rtol=1e-6)


def test_quantile_errors():
    x = da.arange(10, chunks=3)
    with pytest.raises(ValueError):
        da.quantile(x, [0.5, 1.5])
    with pytest.raises(ValueError):
        da.percentile(x, [50, 101])
    with pytest.raises(ValueError):
        da.quantile(x, [[0.5]])


@pytest.mark.parametrize("ddof", [0, 1, 2, 5])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
def test_nanvar_and_nanstd_take_ddof(name, axis, ddof):
    a = np.array([[1.0, np.nan, 3.0, -2.5], [np.nan, np.nan, 7.25, 0.5], [4.0, np.nan, -1.0, 2.0]])
    for chunks in (1, 2, (3, 4)):
        x = da.from_array(a, chunks=chunks)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy warns of slices with too few values
            want = getattr(np, name)(a, axis=axis, ddof=ddof)
        got = getattr(da, name)(x, axis=axis, ddof=ddof).compute()
        assert_same(got, want, rtol=1e-12)
    # integers: the plain variance, as NumPy's
    i = np.arange(12).reshape(3, 4)
    assert_same(getattr(da, name)(da.from_array(i, chunks=2), axis=axis, ddof=1).compute(),
                getattr(np, name)(i, axis=axis, ddof=1), rtol=1e-12)
