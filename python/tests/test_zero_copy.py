"""No copies at the boundary: from_array reads NumPy's buffer in place, and compute hands over
the result's buffer without copying it."""

import gc

import numpy as np

import chunkwise as da


def owns_its_buffer(r):
    """The result is not a view of another NumPy array (its memory is its own, or held by a
    non-NumPy owner such as the Rust vector it was computed into)."""
    return r.flags.owndata or not isinstance(r.base, np.ndarray)


def test_compute_result_is_writeable_and_its_own():
    for x in [da.arange(10**6, chunks=10**5) * 2, da.ones((300, 200), chunks=(64, 64)),
              da.random.random((100, 100), chunks=30).T]:
        r = x.compute()
        assert isinstance(r, np.ndarray)
        assert r.flags.writeable
        assert r.flags.c_contiguous
        assert owns_its_buffer(r)
        r[...] = 0  # writing to it is allowed and does not change the lazy array
        assert x.sum().compute() != 0


def test_two_computes_give_two_buffers():
    x = da.arange(1000, chunks=100) + 1
    a, b = x.compute(), x.compute()
    assert not np.shares_memory(a, b)


def test_from_array_is_a_view_of_the_source():
    a = np.arange(10**7, dtype=np.float64)
    x = da.from_array(a, chunks=10**6)
    a[0] = 1e9
    a[-1] = -5.0
    assert x[0].compute() == 1e9
    assert x[-1].compute() == -5.0
    assert x.sum().compute() == a.sum()  # exact: integers below 2**53, plus the two edits


def test_from_array_of_a_strided_view_reads_the_view():
    base = np.arange(100, dtype=np.int64).reshape(10, 10)
    v = base[::2, 1::3]  # not C-contiguous: read (or copied) correctly either way
    np.testing.assert_array_equal(da.from_array(v, chunks=2).compute(), v)
    t = base.T
    np.testing.assert_array_equal(da.from_array(t, chunks=(3, 4)).compute(), t)


def test_from_array_keeps_the_source_alive():
    x = da.from_array(np.arange(10**5, dtype=np.int32) * 7, chunks=10**4)
    # the temporary NumPy array has no other reference: x must keep its buffer alive
    gc.collect()
    np.testing.assert_array_equal(x.compute(), np.arange(10**5, dtype=np.int32) * 7)


def test_asarray_and_array_protocol():
    x = da.arange(12, chunks=5).reshape(3, 4)
    r = np.asarray(x)
    assert isinstance(r, np.ndarray) and r.shape == (3, 4) and r.dtype == np.int64
    np.testing.assert_array_equal(r, np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(np.array(x, dtype=np.float32), np.arange(12.0).reshape(3, 4))
    y = da.asarray(np.arange(3))
    assert isinstance(y, da.Array)
    np.testing.assert_array_equal(y.compute(), np.arange(3))
    z = da.asarray(x)
    assert isinstance(z, da.Array) and z.shape == (3, 4)
    np.testing.assert_array_equal(z.compute(), r)
