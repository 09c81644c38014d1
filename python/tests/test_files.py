"""`.npy` and Zarr files: written by chunkwise and read by NumPy / zarr-python, and back."""

import numpy as np
import pytest

import chunkwise as da
from conftest import DTYPES, assert_same


def sample(dtype, shape=(7, 5)):
    """Values of every dtype, including its extremes."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype.kind == "b":
        a = np.arange(n) % 3 == 0
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        a = (np.arange(n) * 37 % 200).astype(dtype)
        a[0], a[-1] = info.min, info.max
    else:
        a = np.linspace(-3, 5, n).astype(dtype)
        a[:4] = [np.nan, np.inf, -np.inf, -0.0]
    return a.reshape(shape)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_npy_round_trip_read_by_numpy(tmp_path, dtype):
    a = sample(dtype)
    path = str(tmp_path / "x.npy")
    da.to_npy(path, da.from_array(a, chunks=(3, 2)))
    back = np.load(path)
    assert back.dtype == a.dtype and back.shape == a.shape
    np.testing.assert_array_equal(back, a)
    # and chunkwise reads its own file
    x = da.from_npy(path, chunks=(2, 5))
    assert x.dtype == a.dtype and x.shape == a.shape
    assert x.chunks == ((2, 2, 2, 1), (5,))
    assert_same(x.compute(), a)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_npy_written_by_numpy(tmp_path, dtype):
    a = sample(dtype, shape=(4, 3, 6))
    path = tmp_path / "np.npy"
    np.save(path, a)
    x = da.from_npy(str(path))
    assert x.shape == a.shape and x.dtype == a.dtype
    assert_same(x.compute(), a)
    assert_same(x[1:, ::-2, 3].compute(), a[1:, ::-2, 3])


def test_npy_lazy_expression_written(tmp_path):
    path = str(tmp_path / "expr.npy")
    x = da.arange(10**6, chunks=10**5)
    da.to_npy(path, (x * 2).reshape(1000, 1000))
    np.testing.assert_array_equal(np.load(path), (np.arange(10**6) * 2).reshape(1000, 1000))


def test_npy_0d_and_empty(tmp_path):
    for name, a in [("s", np.array(3.5)), ("e", np.zeros((0, 4), dtype=np.int32))]:
        path = str(tmp_path / f"{name}.npy")
        da.to_npy(path, da.from_array(a))
        np.testing.assert_array_equal(np.load(path), a)
        assert_same(da.from_npy(path).compute(), a)


def test_npy_fortran_order_written_by_numpy(tmp_path):
    a = np.asfortranarray(np.arange(24, dtype=np.float64).reshape(4, 6))
    path = tmp_path / "f.npy"
    np.save(path, a)
    assert_same(da.from_npy(str(path)).compute(), np.ascontiguousarray(a))


def test_npy_pathlib_path(tmp_path):
    path = tmp_path / "p.npy"
    da.to_npy(path, da.arange(5))
    np.testing.assert_array_equal(da.from_npy(path).compute(), np.arange(5))


ZARR_DTYPES = ["bool", "int8", "uint16", "int32", "uint64", "float32", "float64"]


@pytest.mark.parametrize("dtype", ZARR_DTYPES)
def test_zarr_round_trip(tmp_path, dtype):
    a = sample(dtype, shape=(9, 4))
    path = str(tmp_path / "x.zarr")
    da.to_zarr(da.from_array(a, chunks=(4, 3)), path)
    x = da.from_zarr(path)
    assert x.shape == a.shape and x.dtype == a.dtype
    assert_same(x.compute(), a)


def test_zarr_read_by_zarr_python(tmp_path):
    zarr = pytest.importorskip("zarr")
    a = sample("float64", shape=(10, 6))
    path = str(tmp_path / "z.zarr")
    da.to_zarr(da.from_array(a, chunks=(4, 4)), path)
    z = zarr.open(path, mode="r")
    np.testing.assert_array_equal(z[...], a)


def test_zarr_written_by_zarr_python(tmp_path):
    zarr = pytest.importorskip("zarr")
    a = sample("int32", shape=(10, 6))
    path = str(tmp_path / "w.zarr")
    z = zarr.open(path, mode="w", shape=a.shape, chunks=(3, 4), dtype=a.dtype)
    z[...] = a
    x = da.from_zarr(path)
    assert_same(x.compute(), a)
    assert_same(x.sum(axis=0).compute(), a.sum(axis=0))
