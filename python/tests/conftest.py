"""Shared strategies and checks for the chunkwise test suite.

Every property test draws a NumPy array, a chunking of it (in one of the forms Dask takes) and
the `.chunks` Dask would give for that chunking, then compares chunkwise with NumPy.
"""

import importlib.machinery
import os
import sys
import warnings

# `python -m pytest` from python/ puts python/ first on sys.path, where chunkwise/ is the source
# package; without a built extension there (maturin develop puts one), use the installed one.
_SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if not any(
    os.path.exists(os.path.join(_SRC, "chunkwise", "_chunkwise" + suffix))
    for suffix in importlib.machinery.EXTENSION_SUFFIXES
):
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _SRC]

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import chunkwise as da  # noqa: E402

settings.register_profile(
    "chunkwise",
    deadline=None,
    database=None,  # no .hypothesis/ directory in the tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("chunkwise")

# CHUNKWISE_TEST_SCALE=10 runs ten times the examples of every property test (a longer hunt).
SCALE = float(os.environ.get("CHUNKWISE_TEST_SCALE", "1"))


def examples(n):
    """Hypothesis settings with n examples (times CHUNKWISE_TEST_SCALE)."""
    return settings(max_examples=max(1, int(n * SCALE)))

DTYPES = [
    np.dtype(n)
    for n in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float32",
        "float64",
    )
]
INT_DTYPES = [d for d in DTYPES if d.kind in "iu"]
FLOAT_DTYPES = [d for d in DTYPES if d.kind == "f"]
NUMERIC_DTYPES = INT_DTYPES + FLOAT_DTYPES

dtypes = st.sampled_from(DTYPES)
numeric_dtypes = st.sampled_from(NUMERIC_DTYPES)
float_dtypes = st.sampled_from(FLOAT_DTYPES)

# 0-d to 4-d, zero-length axes included; at most 5**4 = 625 elements.
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)


def dask_chunks(spec, shape):
    """Dask's normalize_chunks for the forms the tests pass: an int (-1 = whole axis) for every
    axis, or a tuple with one entry per axis (an int, -1, or a tuple of block sizes)."""
    if not isinstance(spec, tuple):
        spec = (spec,) * len(shape)
    out = []
    for c, n in zip(spec, shape):
        if isinstance(c, tuple):
            out.append(c)
        elif n == 0:
            out.append((0,))
        else:
            c = n if c == -1 else min(c, n)
            out.append((c,) * (n // c) + ((n % c,) if n % c else ()))
    return tuple(out)


def axis_blocks(n):
    """Explicit blocks summing to n (Dask's form for one axis: a tuple of block sizes)."""
    if n == 0:
        return st.just((0,))
    cuts = st.lists(st.integers(1, n - 1), max_size=3, unique=True) if n > 1 else st.just([])
    return cuts.map(lambda c: tuple(b - a for a, b in zip([0] + sorted(c), sorted(c) + [n])))


def axis_int(n):
    """One axis's chunk size: an int from 1 to past the extent, or -1 (the whole axis)."""
    return st.one_of(st.just(-1), st.integers(1, max(n, 1) + 1))


@st.composite
def chunkings(draw, shape, mixed=False):
    """(chunks argument, the .chunks Dask gives for it): one int for every axis, a tuple of
    per-axis ints, or a tuple of per-axis block tuples (with mixed=True, ints and block tuples
    in one tuple, which Dask also takes)."""
    shape = tuple(shape)
    forms = ["one int", "ints", "blocks"] + (["mixed"] if mixed else [])
    form = draw(st.sampled_from(forms))
    if form == "one int" or len(shape) == 0:
        spec = draw(axis_int(max(shape, default=1)))
    elif form == "ints":
        spec = tuple(draw(axis_int(n)) for n in shape)
    elif form == "blocks":
        spec = tuple(draw(axis_blocks(n)) for n in shape)
    else:
        spec = tuple(draw(st.one_of(axis_int(n), axis_blocks(n))) for n in shape)
    return spec, dask_chunks(spec, shape)


def elements(dtype, kind="small"):
    """Values for arrays of `dtype`.

    "small": integers in [-50, 50] (clipped to the dtype) and floats that are multiples of 1/8
    in [-50, 50], so that float sums are exact and reductions compare tightly with NumPy.
    "full": the dtype's whole range (floats finite).
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return st.booleans()
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if kind == "full":
            return st.integers(int(info.min), int(info.max))
        return st.integers(max(int(info.min), -50), min(int(info.max), 50))
    if kind == "full":
        return st.floats(allow_nan=False, allow_infinity=False, width=dtype.itemsize * 8)
    return st.integers(-400, 400).map(lambda k: k / 8)


@st.composite
def np_arrays(draw, dtype=None, shape=None, kind="small"):
    dtype = np.dtype(draw(dtypes) if dtype is None else dtype)
    shape = draw(shapes) if shape is None else tuple(shape)
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype, kind)))


@st.composite
def chunked(draw, dtype=None, shape=None, kind="small"):
    """(numpy array, da.from_array of it with a random chunking, expected .chunks)."""
    a = draw(np_arrays(dtype, shape, kind))
    spec, want = draw(chunkings(a.shape))
    return a, da.from_array(a, chunks=spec), want


def tolerance(dtype):
    return 1e-4 if np.dtype(dtype) == np.float32 else 1e-6


def compute(x, **kw):
    """x.compute(), checked to be an ndarray or, for 0-d, a NumPy scalar."""
    assert isinstance(x, da.Array), type(x)
    r = x.compute(**kw)
    assert isinstance(r, (np.ndarray, np.generic)), type(r)
    return r


def assert_same(got, want, *, rtol=None, atol=0.0, check_dtype=True):
    """got (from chunkwise) against want (from NumPy): shape, dtype and values; floats within
    rtol/atol (NaN equal to NaN), everything else exactly."""
    want = np.asarray(want)
    got_a = np.asarray(got)
    assert got_a.shape == want.shape, f"shape {got_a.shape}, NumPy {want.shape}"
    if check_dtype:
        assert got_a.dtype == want.dtype, f"dtype {got_a.dtype}, NumPy {want.dtype}"
    if want.dtype.kind == "f" or got_a.dtype.kind == "f":
        if rtol is None:
            rtol = tolerance(want.dtype)
        np.testing.assert_allclose(
            got_a.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol,
            equal_nan=True,
        )
    else:
        np.testing.assert_array_equal(got_a, want)


def numpy_or_error(f, *args, **kw):
    """(result, None) or (None, the exception NumPy raised); NumPy's warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return f(*args, **kw), None
        except Exception as e:  # noqa: BLE001 - the test compares the type
            return None, e


def expect_error_like(numpy_error, fn):
    """NumPy raised numpy_error for this input: chunkwise must raise the same kind
    (ValueError, TypeError, OverflowError or IndexError), when building or computing."""
    kinds = {
        TypeError: (TypeError,),
        # NumPy's AxisError is a ValueError and an IndexError; chunkwise promises ValueError.
        ValueError: (ValueError,),
        OverflowError: (OverflowError, ValueError, TypeError),
        IndexError: (IndexError,),
    }
    for base, accepted in kinds.items():
        if isinstance(numpy_error, base):
            with pytest.raises(accepted):
                r = fn()
                if isinstance(r, da.Array):
                    r.compute()
            return
    raise AssertionError(f"unexpected NumPy error {numpy_error!r}")
