"""The array API standard's (2024.12) namespace items that chunkwise has so far: the version,
dtypes, constants, the inspection namespace, the dtype functions, the standard's spellings of
NumPy's functions (against NumPy 2, whose array API names they are), and the array object's
``mT``, ``device``, ``to_device`` and ``__array_namespace__``.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra.array_api import make_strategies_namespace

import chunkwise as da
from conftest import (
    DTYPES, assert_same, chunked, chunkings, compute, examples, float_dtypes, numeric_dtypes,
    shapes,
)

# The array API's own Hypothesis strategies over NumPy: arrays with NaN, infinities, signed zeros
# and subnormals among their values.
xps = make_strategies_namespace(np, api_version="2023.12")
api_shapes = xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)

SOME = examples(60)

KINDS = [
    "bool", "signed integer", "unsigned integer", "integral", "real floating",
    "complex floating", "numeric",
]


def test_version_constants_and_dtypes():
    assert da.__array_api_version__ == "2024.12"
    assert (da.e, da.pi) == (math.e, math.pi)
    assert da.inf == math.inf and math.isnan(da.nan)
    assert da.newaxis is None
    for d in DTYPES:
        assert getattr(da, d.name) == d
        # An array of each dtype reports the namespace's dtype object.
        assert da.zeros(3, dtype=getattr(da, d.name)).dtype == getattr(da, d.name)
    # Python's bool is still what the package's own code calls.
    assert da.linspace(0, 1, 5, endpoint=False).compute()[-1] == 0.8


@pytest.mark.parametrize("kind", KINDS)
def test_isdtype_matches_numpy(kind):
    for d in DTYPES:
        assert da.isdtype(d, kind) == np.isdtype(d, kind), (d, kind)
    for d in DTYPES:
        assert da.isdtype(d, (kind, "bool")) == np.isdtype(d, (kind, "bool"))
        assert da.isdtype(d, da.float64) == (d == np.float64)
    with pytest.raises(ValueError, match="unknown dtype kind"):
        da.isdtype(da.int8, "integer")


def test_finfo_and_iinfo():
    for d in (da.float32, da.float64):
        f = da.finfo(d)
        assert (f.bits, f.eps, f.max, f.min, f.smallest_normal) == (
            np.finfo(d).bits, np.finfo(d).eps, np.finfo(d).max, np.finfo(d).min,
            np.finfo(d).smallest_normal,
        )
        assert da.finfo(da.zeros(2, dtype=d)).dtype == d
    for d in DTYPES:
        if d.kind in "iu":
            i = da.iinfo(d)
            assert (i.bits, i.min, i.max) == (np.iinfo(d).bits, np.iinfo(d).min, np.iinfo(d).max)
    assert da.iinfo(da.arange(3, dtype=da.int16)).max == 32767
    with pytest.raises(ValueError):
        da.iinfo(da.float64)


def test_result_type_and_can_cast_are_numpys_promotion():
    for a in DTYPES:
        for b in DTYPES:
            assert da.result_type(a, b) == np.result_type(a, b), (a, b)
            x = da.zeros(2, dtype=a)
            assert da.result_type(x, b) == np.result_type(a, b)
            assert da.can_cast(a, b) == np.can_cast(a, b), (a, b)
            assert da.can_cast(x, b) == np.can_cast(a, b)
            # What the operators give, which result_type must predict.
            if a != np.bool_ or b != np.bool_:
                assert (x + da.zeros(2, dtype=b)).dtype == da.result_type(a, b)
        # Python scalars are weak, as in the operators.
        x = da.zeros(2, dtype=a)
        if a.kind in "iuf":
            assert da.result_type(x, 1) == (x + 1).dtype
            assert da.result_type(x, 1.0) == (x + 1.0).dtype
    with pytest.raises(ValueError):
        da.result_type()
    with pytest.raises(ValueError):
        da.result_type(1, 2.0)


def test_inspection_namespace():
    info = da.__array_namespace_info__()
    caps = info.capabilities()
    assert set(caps) == {"boolean indexing", "data-dependent shapes", "max dimensions"}
    assert info.default_device() == "cpu" and info.devices() == ["cpu"]
    defaults = info.default_dtypes()
    assert defaults["real floating"] == da.float64 and defaults["integral"] == da.int64
    assert defaults["indexing"] == da.int64 and defaults["complex floating"] is None
    assert set(info.dtypes()) == {d.name for d in DTYPES}
    assert set(info.dtypes(kind="integral")) == {d.name for d in DTYPES if d.kind in "iu"}
    assert set(info.dtypes(kind=("bool", "real floating"))) == {"bool", "float32", "float64"}
    assert info.dtypes(kind="complex floating") == {}
    with pytest.raises(ValueError, match="one device"):
        info.dtypes(device="gpu")


def test_array_object_items():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = da.from_array(a, chunks=(1, 2, 3))
    assert_same(compute(x.mT), np.swapaxes(a, -1, -2))
    assert_same(compute(da.matrix_transpose(x)), np.matrix_transpose(a))
    with pytest.raises(ValueError, match="two axes"):
        da.arange(3).mT
    assert x.device == "cpu"
    assert x.to_device("cpu") is x
    with pytest.raises(ValueError, match="one device"):
        x.to_device("cuda:0")
    assert x.__array_namespace__() is da
    assert x.__array_namespace__(api_version="2024.12") is da
    with pytest.raises(ValueError, match="2024.12"):
        x.__array_namespace__(api_version="2021.12")


# NumPy 2 has the standard's names too.
UNARY_ALIASES = ["acos", "asin", "atan", "bitwise_invert"]


@SOME
@given(st.data())
def test_unary_spellings_match_numpy(data):
    name = data.draw(st.sampled_from(UNARY_ALIASES))
    dtype = data.draw(float_dtypes if name != "bitwise_invert" else st.sampled_from(
        [d for d in DTYPES if d.kind in "biu"]))
    a, x, _ = data.draw(chunked(dtype=dtype))
    with np.errstate(all="ignore"):
        want = getattr(np, name)(a)
    assert_same(compute(getattr(da, name)(x)), want)


@SOME
@given(st.data())
def test_pow_astype_conj_real_match_numpy(data):
    a, x, _ = data.draw(chunked(dtype=data.draw(float_dtypes)))
    b, y, _ = data.draw(chunked(dtype=a.dtype, shape=a.shape))
    with np.errstate(all="ignore"):
        assert_same(compute(da.pow(x, y)), np.pow(a, b))
    # Casts that C defines for these values (from -50 to 50): not negative floats to unsigned.
    to = data.draw(st.sampled_from([d for d in DTYPES if d.kind != "u"]))
    with np.errstate(all="ignore"):
        assert_same(compute(da.astype(x, to)), np.astype(a, to))
    assert_same(compute(da.conj(x)), np.conj(a))
    assert_same(compute(da.real(x)), np.real(a))


@SOME
@given(st.data())
def test_concat_permute_unstack_expand_dims_match_numpy(data):
    a, x, _ = data.draw(chunked(dtype=data.draw(numeric_dtypes)))
    b, y, _ = data.draw(chunked(dtype=a.dtype, shape=a.shape))
    if a.ndim > 0:
        axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
        assert_same(compute(da.concat([x, y], axis=axis)), np.concat([a, b], axis=axis))
        parts = da.unstack(x, axis=axis)
        want = np.unstack(a, axis=axis)
        assert len(parts) == len(want)
        for p, w in zip(parts, want):
            assert_same(compute(p), w)
    assert_same(compute(da.concat([x, y], axis=None)), np.concat([a, b], axis=None))
    perm = data.draw(st.permutations(range(a.ndim)))
    assert_same(compute(da.permute_dims(x, perm)), np.permute_dims(a, perm))
    at = data.draw(st.integers(-a.ndim - 1, a.ndim))
    assert_same(compute(da.expand_dims(x, axis=at)), np.expand_dims(a, at))


def test_axis_errors_are_index_errors():
    x = da.zeros((2, 3))
    with pytest.raises(IndexError):
        da.unstack(x, axis=2)
    with pytest.raises(IndexError):
        da.expand_dims(x, axis=3)
    with pytest.raises(IndexError):
        da.expand_dims(x, axis=-4)


@SOME
@given(st.data())
def test_vecdot_matches_numpy(data):
    shape = data.draw(shapes.filter(lambda s: len(s) >= 1))
    dtype = data.draw(numeric_dtypes)
    a, x, _ = data.draw(chunked(dtype=dtype, shape=shape))
    # The second operand broadcasts on the leading axes.
    k = data.draw(st.integers(1, len(shape)))
    b, y, _ = data.draw(chunked(dtype=dtype, shape=shape[-k:]))
    axis = data.draw(st.integers(-k, -1))
    assert_same(compute(da.vecdot(x, y, axis=axis)), np.vecdot(a, b, axis=axis))


def test_vecdot_errors():
    x, y = da.ones((2, 3)), da.ones((2, 4))
    with pytest.raises(ValueError, match="differ"):
        da.vecdot(x, y)
    with pytest.raises(ValueError, match="out of range"):
        da.vecdot(x, da.ones(3), axis=-2)
    with pytest.raises(TypeError):
        da.vecdot(np.ones(3), da.ones(3))


@SOME
@given(st.data())
def test_asarray_with_dtype_and_copy(data):
    a, x, _ = data.draw(chunked(dtype=data.draw(numeric_dtypes)))
    to = data.draw(st.sampled_from([d for d in DTYPES if d.kind != "u"]))
    assert da.asarray(x) is x
    assert da.asarray(x, dtype=a.dtype) is x
    assert_same(compute(da.asarray(x, dtype=to)), a.astype(to))
    assert_same(compute(da.asarray(a, dtype=to)), np.asarray(a, dtype=to))
    with pytest.raises(ValueError, match="copy=False"):
        da.asarray(x, dtype=np.float64 if a.dtype != np.float64 else np.int8, copy=False)


def test_asarray_of_python_values_and_copies():
    assert_same(compute(da.asarray(float("nan"), dtype=da.float32)), np.asarray(np.nan, dtype=np.float32))
    assert_same(compute(da.asarray([[1, 2], [3, 4]])), np.asarray([[1, 2], [3, 4]]))
    assert_same(compute(da.asarray(True)), np.asarray(True))
    a = np.arange(4.0)
    kept = da.asarray(a, copy=True)
    shared = da.asarray(a, copy=False)
    a[0] = 100.0
    assert compute(kept)[0] == 0.0
    assert compute(shared)[0] == 100.0
    with pytest.raises(ValueError, match="copy=False"):
        da.asarray([1.0, 2.0], copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        da.asarray(np.ones((3, 3))[:, ::2], copy=False)
    with pytest.raises(ValueError, match="one device"):
        da.asarray(a, device="cuda")


def _from(data, a):
    """``a`` as a chunkwise array under a drawn chunking."""
    spec, _ = data.draw(chunkings(a.shape), label="chunks")
    return da.from_array(a, chunks=spec)


def _bits_same(got, want, zeros=True):
    """Equal values with the same dtype, NaN equal to NaN, and (with ``zeros``) the sign of
    zeros kept."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, got.dtype, want.dtype)
    if want.dtype.kind == "f":
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        assert same.all(), (got, want)
        if zeros:
            assert (np.signbit(got) == np.signbit(want))[got == 0].all(), (got, want)
    else:
        np.testing.assert_array_equal(got, want)


# Exact in both: the sign, the sign bit, infinity and truth tests.
EXACT_FLOAT_UNARY = ["sign", "signbit", "isinf", "logical_not"]
# Libm's functions: within a few ulps of NumPy's.
LIBM_UNARY = ["sinh", "cosh", "asinh", "acosh", "atanh", "reciprocal"]
EXACT_FLOAT_BINARY = ["copysign", "nextafter", "logical_and", "logical_or", "logical_xor"]
LIBM_BINARY = ["atan2", "hypot", "logaddexp"]


@examples(150)
@given(st.data())
def test_elementwise_functions_of_floats_match_numpy(data):
    name = data.draw(st.sampled_from(
        EXACT_FLOAT_UNARY + LIBM_UNARY + EXACT_FLOAT_BINARY + LIBM_BINARY), label="function")
    dtype = data.draw(xps.floating_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, api_shapes), label="x1")
    args = [a]
    if name in EXACT_FLOAT_BINARY + LIBM_BINARY:
        shape = data.draw(xps.broadcastable_shapes(a.shape, max_dims=3, min_side=0), label="x2 shape")
        args.append(data.draw(xps.arrays(dtype, shape), label="x2"))
    with np.errstate(all="ignore"):
        want = getattr(np, name)(*args)
    got = compute(getattr(da, name)(*[_from(data, v) for v in args]))
    if name in LIBM_UNARY + LIBM_BINARY:
        # NumPy's SIMD loops and Rust's libm round a few of these differently.
        assert_same(got, want, rtol=4 * np.finfo(dtype).eps, atol=0.0)
    else:
        _bits_same(got, want)


@examples(100)
@given(st.data())
def test_shifts_logical_and_sign_of_integers_match_numpy(data):
    dtype = data.draw(xps.integer_dtypes() | xps.unsigned_integer_dtypes(), label="dtype")
    bits = np.iinfo(dtype).bits
    a = data.draw(xps.arrays(dtype, api_shapes), label="x1")
    # Counts from 0 to past the width (the standard leaves negative counts undefined).
    counts = data.draw(xps.arrays(dtype, a.shape, elements=st.integers(0, bits + 2)), label="x2")
    x, n = _from(data, a), _from(data, counts)
    _bits_same(compute(da.bitwise_left_shift(x, n)), np.left_shift(a, counts))
    _bits_same(compute(da.bitwise_right_shift(x, n)), np.right_shift(a, counts))
    _bits_same(compute(x << 1), a << 1)
    _bits_same(compute(x >> n), a >> counts)
    _bits_same(compute(da.sign(x)), np.sign(a))
    _bits_same(compute(da.signbit(x)), np.signbit(a))
    _bits_same(compute(da.logical_xor(x, n)), np.logical_xor(a, counts))
    _bits_same(compute(da.logical_not(x)), np.logical_not(a))


@examples(100)
@given(st.data())
def test_clip_matches_numpy(data):
    dtype = data.draw(xps.real_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, api_shapes), label="x")
    bound = st.none() | xps.arrays(dtype, xps.broadcastable_shapes(a.shape, max_dims=a.ndim, min_side=0))
    lo, hi = data.draw(bound, label="min"), data.draw(bound, label="max")
    if lo is not None and hi is not None:
        try:
            np.broadcast_shapes(a.shape, lo.shape, hi.shape)
        except ValueError:
            hi = None
    if lo is not None and hi is not None:
        # The standard leaves min > max undefined.
        with np.errstate(invalid="ignore"):
            if np.any(np.broadcast_to(lo, np.broadcast_shapes(lo.shape, hi.shape))
                      > np.broadcast_to(hi, np.broadcast_shapes(lo.shape, hi.shape))):
                lo = None
    want = np.clip(a, lo, hi)
    got = da.clip(_from(data, a), None if lo is None else _from(data, lo),
                  None if hi is None else _from(data, hi))
    _bits_same(compute(got), want, zeros=False)
    # Python numbers, out of an integer dtype's range too.
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        _bits_same(compute(da.clip(_from(data, a), int(info.min) - 5, 3)), np.clip(a, info.min, 3))
    else:
        _bits_same(compute(da.clip(_from(data, a), 0.5, None)), np.clip(a, 0.5, None), zeros=False)


@examples(80)
@given(st.data())
def test_rearrangements_match_numpy(data):
    dtype = data.draw(xps.real_dtypes() | xps.boolean_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, api_shapes), label="x")
    x = _from(data, a)
    _bits_same(compute(da.flip(x)), np.flip(a))
    _bits_same(compute(da.roll(x, 3)), np.roll(a, 3))
    if a.ndim:
        axes = data.draw(st.lists(st.integers(-a.ndim, a.ndim - 1), min_size=1, max_size=2,
                                  unique_by=lambda i: i % a.ndim), label="axes")
        _bits_same(compute(da.flip(x, axis=tuple(axes))), np.flip(a, axis=tuple(axes)))
        shifts = tuple(data.draw(st.integers(-7, 7)) for _ in axes)
        _bits_same(compute(da.roll(x, shifts, axis=tuple(axes))), np.roll(a, shifts, axis=tuple(axes)))
        dest = data.draw(st.permutations(range(a.ndim)), label="dest")[: len(axes)]
        _bits_same(compute(da.moveaxis(x, tuple(axes), tuple(dest))), np.moveaxis(a, axes, dest))
        axis = axes[0]
        counts = data.draw(xps.arrays(np.int64, a.shape[axis], elements=st.integers(0, 3)), label="counts")
        _bits_same(compute(da.repeat(x, da.asarray(counts), axis=axis)), np.repeat(a, counts, axis=axis))
        _bits_same(compute(da.repeat(x, 2, axis=axis)), np.repeat(a, 2, axis=axis))
        if np.dtype(dtype).kind != "b":
            # Chunked scans combine the blocks' running values, so floats differ from NumPy's
            # one sequential pass by rounding (and a zero sum by its sign: the standard does not
            # say); integers are exact.
            with np.errstate(all="ignore"):
                want_s = np.cumulative_sum(a, axis=axis, include_initial=True)
                want_p = np.cumulative_prod(a, axis=axis)
            rtol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-12
            # Past an overflow, where an inf meets a 0 depends on the association (NaN or not).
            if np.isfinite(want_s).all():
                assert_same(compute(da.cumulative_sum(x, axis=axis, include_initial=True)), want_s, rtol=rtol)
            if np.isfinite(want_p).all():
                assert_same(compute(da.cumulative_prod(x, axis=axis)), want_p, rtol=rtol)
            pre = np.zeros(a.shape[:axis % a.ndim] + (1,) + a.shape[axis % a.ndim + 1:], dtype)
            with np.errstate(over="ignore"):
                want = np.diff(a, axis=axis, prepend=pre)
            _bits_same(compute(da.diff(x, axis=axis, prepend=da.asarray(pre))), want, zeros=False)
        else:
            _bits_same(compute(da.diff(x, axis=axis)), np.diff(a, axis=axis))
    _bits_same(compute(da.repeat(x, 2)), np.repeat(a, 2))
    reps = tuple(data.draw(st.lists(st.integers(0, 2), max_size=3), label="reps"))
    _bits_same(compute(da.tile(x, reps)), np.tile(a, reps))
    if a.ndim >= 2:
        k = data.draw(st.integers(-3, 3), label="k")
        _bits_same(compute(da.tril(x, k=k)), np.tril(a, k))
        _bits_same(compute(da.triu(x, k=k)), np.triu(a, k))


@examples(40)
@given(st.data())
def test_creation_and_broadcasting_match_numpy(data):
    n, m = data.draw(st.integers(0, 6)), data.draw(st.none() | st.integers(0, 6))
    k = data.draw(st.integers(-4, 4))
    dtype = data.draw(xps.real_dtypes() | xps.boolean_dtypes())
    _bits_same(compute(da.eye(n, m, k=k, dtype=dtype)), np.eye(n, m, k=k, dtype=dtype))
    # Each input of its own dtype: each output keeps it, as NumPy's.
    vs = [data.draw(xps.arrays(xps.real_dtypes() | xps.boolean_dtypes(), st.integers(0, 4)))
          for _ in range(data.draw(st.integers(1, 3)))]
    indexing = data.draw(st.sampled_from(["xy", "ij"]))
    got, want = da.meshgrid(*[da.asarray(v) for v in vs], indexing=indexing), np.meshgrid(*vs, indexing=indexing)
    for g, w in zip(got, want, strict=True):
        _bits_same(compute(g), w)
    shapes_ = data.draw(xps.mutually_broadcastable_shapes(3, min_side=0)).input_shapes
    arrays = [np.zeros(s, dtype) for s in shapes_]
    for g, w in zip(da.broadcast_arrays(*[da.asarray(v) for v in arrays]), np.broadcast_arrays(*arrays), strict=True):
        _bits_same(compute(g), w)
    _bits_same(compute(da.broadcast_to(da.asarray(arrays[0]), (2,) + arrays[0].shape)),
               np.broadcast_to(arrays[0], (2,) + arrays[0].shape))


def test_reductions_take_the_standards_arguments():
    a = np.arange(-6, 6, dtype=np.int16).reshape(3, 4)
    x = da.asarray(a)
    _bits_same(compute(da.sum(x, axis=1, dtype=np.uint8)), np.sum(a, axis=1, dtype=np.uint8))
    _bits_same(compute(da.prod(x, dtype=np.int8)), np.prod(a, dtype=np.int8))
    f = a.astype(np.float64)
    for c in (0, 1, 1.5, 4, 7):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's "Degrees of freedom <= 0"
            want_v, want_s = np.var(f, axis=0, correction=c), np.std(f, axis=0, correction=c)
        assert_same(compute(da.var(da.asarray(f), axis=0, correction=c)), want_v, rtol=1e-12)
        assert_same(compute(da.std(da.asarray(f), axis=0, correction=c)), want_s, rtol=1e-12)
    with pytest.raises(TypeError):
        da.var(x, ddof=1, correction=1)
    # NaN-skipping spreads count the values that are not NaN.
    g = f.copy()
    g[0, 1] = g[2, 3] = np.nan
    for c in (0.5, 2, 3):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = np.nanvar(g, axis=0, ddof=c)
        assert_same(compute(da.nanvar(da.asarray(g), axis=0, correction=c)), want, rtol=1e-12)
    assert isinstance(da.finfo(da.float32).eps, float)
    assert_same(compute(da.imag(x)), np.zeros_like(a))
    _bits_same(compute(da.from_dlpack(f)), f)
    _bits_same(compute(da.cumulative_sum(x, axis=0, dtype=np.uint8)),
               np.cumulative_sum(a, axis=0, dtype=np.uint8))


@examples(100)
@given(st.data())
def test_setitem_matches_numpy(data):
    dtype = data.draw(xps.real_dtypes() | xps.boolean_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, api_shapes), label="x")
    x = _from(data, a)
    before = x + 0 if np.dtype(dtype).kind != "b" else x | False
    want = a.copy()
    if data.draw(st.booleans(), label="mask"):
        key = data.draw(xps.arrays(np.bool_, a.shape), label="mask")
        value = data.draw(xps.from_dtype(dtype), label="value")
        want[key] = value
        x[da.asarray(key)] = value
    else:
        key = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True), label="key")
        region = want[key].shape
        vshape = data.draw(xps.broadcastable_shapes(region, min_side=0, max_dims=len(region)).filter(
            lambda s: np.broadcast_shapes(s, region) == region), label="value shape")
        value = data.draw(xps.arrays(dtype, vshape), label="value")
        want[key] = value
        x[key] = da.asarray(value)
    assert x.dtype == a.dtype and x.shape == a.shape
    _bits_same(compute(x), want)
    # Arrays built from x before keep its old values.
    _bits_same(compute(before), a if np.dtype(dtype).kind == "b" else a + 0)


def test_setitem_errors():
    x = da.arange(6)
    with pytest.raises(IndexError):
        x[da.asarray(np.ones(5, bool))] = 1
    with pytest.raises(ValueError):
        x[np.arange(6) > 2] = da.arange(3)
    with pytest.raises(TypeError):
        x[[0, 1]] = 3
    with pytest.raises(IndexError):
        x[7] = 1
    with pytest.raises(ValueError):
        x[:2] = da.arange(3)
    # A Python integer out of the dtype's range, as NumPy 2's OverflowError.
    with pytest.raises(ValueError):
        x.astype(np.uint8)[0] = 300
    assert compute(x).tolist() == list(range(6))


def test_asarray_copies_are_separate_objects():
    x = da.arange(4)
    y, z = da.asarray(x, copy=True), da.asarray(x, copy=False)
    assert z is x and y is not x
    y[0] = 9
    x[1] = 8
    assert compute(x).tolist() == [0, 8, 2, 3] == compute(z).tolist()
    assert compute(y).tolist() == [9, 1, 2, 3]


@examples(80)
@given(st.data())
def test_sorting_searching_and_sets_match_numpy(data):
    dtype = data.draw(xps.real_dtypes() | xps.boolean_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, xps.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6)), label="x")
    x = _from(data, a)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = a.shape[axis]
    # Ascending: NumPy's stable sort; descending: the standard's stable descending order (equal
    # values in their order, NaNs first), as array-api-strict builds it from NumPy's.
    _bits_same(compute(da.sort(x, axis=axis)), np.sort(a, axis=axis, kind="stable"))
    want = np.flip(np.sort(np.flip(a, axis), axis=axis, kind="stable"), axis)
    _bits_same(compute(da.sort(x, axis=axis, descending=True, stable=False)), want)
    _bits_same(compute(da.argsort(x, axis=axis)), np.argsort(a, axis=axis, kind="stable"))
    want = (n - 1) - np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)
    _bits_same(compute(da.argsort(x, axis=axis, descending=True)), want)
    # searchsorted into the sorted flattened values, from both sides, and with a sorter.
    flat = a.ravel()
    values = data.draw(xps.arrays(dtype, xps.array_shapes(min_dims=0, max_dims=2, max_side=4)), label="v")
    side = data.draw(st.sampled_from(["left", "right"]), label="side")
    s = np.sort(flat, kind="stable")
    _bits_same(compute(da.searchsorted(da.asarray(s), _from(data, values), side=side)),
               np.searchsorted(s, values, side=side))
    order = np.argsort(flat, kind="stable")
    _bits_same(compute(da.searchsorted(_from(data, flat), da.asarray(values), side=side, sorter=da.asarray(order))),
               np.searchsorted(flat, values, side=side, sorter=order))
    # The set functions: NumPy 2's unique_all, each NaN its own value.
    got, want = da.unique_all(x), np.unique_all(a)
    assert_same(compute(got.values), want.values)
    _bits_same(compute(got.indices), want.indices)
    _bits_same(compute(got.inverse_indices), want.inverse_indices.reshape(a.shape))
    _bits_same(compute(got.counts), want.counts)
    # NumPy 2.3's unique_values no longer sorts (a hash table); chunkwise's values ascend.
    assert_same(compute(da.unique_values(x)), np.sort(np.unique_values(a)))
    for g, w in zip(da.nonzero(x), np.nonzero(a)):
        _bits_same(compute(g), w)


def test_sorting_and_set_errors():
    with pytest.raises(Exception, match="axis"):
        da.sort(da.asarray(np.float64(1.0)))
    with pytest.raises(ValueError):
        da.nonzero(da.asarray(np.float64(1.0)))
    with pytest.raises(ValueError, match="1-d"):
        da.searchsorted(da.zeros((2, 2)), da.zeros(3))
    with pytest.raises(ValueError, match="side"):
        da.searchsorted(da.zeros(2), da.zeros(3), side="middle")
    # An empty array has no distinct values and no nonzero ones.
    u = da.unique_all(da.zeros(0))
    assert [compute(p).shape for p in u] == [(0,), (0,), (0,), (0,)]
    assert compute(da.nonzero(da.zeros((0, 3)))[1]).shape == (0,)


@examples(40)
@given(st.data())
def test_take_along_axis_and_tensordot_match_numpy(data):
    dtype = data.draw(xps.real_dtypes(), label="dtype")
    a = data.draw(xps.arrays(dtype, xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)), label="x")
    x = _from(data, a)
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1), label="axis")
    n = a.shape[axis]
    # Indices of another extent along the axis, broadcast (extent 1) along the others.
    ishape = tuple(data.draw(st.sampled_from([1, s])) for s in a.shape)
    ishape = ishape[: axis % a.ndim] + (data.draw(st.integers(0, 4)),) + ishape[axis % a.ndim + 1:]
    idx = data.draw(xps.arrays(np.int64, ishape, elements=st.integers(-n, n - 1)), label="indices")
    _bits_same(compute(da.take_along_axis(x, _from(data, idx), axis=axis)), np.take_along_axis(a, idx, axis=axis))
    order = da.argsort(x, axis=axis)
    _bits_same(compute(da.take_along_axis(x, order, axis=axis)), np.sort(a, axis=axis, kind="stable"))
    # tensordot: the last k axes of x with the first k of a second array.
    k = data.draw(st.integers(0, a.ndim), label="k")
    b = data.draw(xps.arrays(dtype, a.shape[a.ndim - k:] + (2,), elements={"allow_nan": False, "min_value": -8, "max_value": 8} if np.dtype(dtype).kind == "f" else {"min_value": 0, "max_value": 3}), label="y")
    a2 = np.clip(a, -8, 8) if np.dtype(dtype).kind == "f" else a % 4
    with np.errstate(all="ignore"):
        want = np.tensordot(a2, b, axes=k)
    got = compute(da.tensordot(_from(data, a2), _from(data, b), axes=k))
    assert_same(got, want, rtol=1e-4 if np.dtype(dtype) == np.float32 else 1e-9, atol=1e-3)


def test_take_along_axis_tensordot_and_dlpack_errors_and_conversions():
    x = da.asarray(np.arange(6.0).reshape(2, 3))
    with pytest.raises(IndexError):
        da.take_along_axis(x, da.asarray(np.array([[3]])), axis=1)
    with pytest.raises(ValueError):
        da.take_along_axis(x, da.asarray(np.array([1])), axis=0)
    with pytest.raises(TypeError):
        da.take_along_axis(x, da.asarray(np.array([[1.0]])), axis=0)
    with pytest.raises(ValueError, match="axes"):
        da.tensordot(x, x, axes=3)
    assert complex(da.asarray(np.float32(2.5))) == 2.5 + 0j
    assert x.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(x), np.arange(6.0).reshape(2, 3))


@examples(60)
@given(st.data())
def test_integer_array_and_mask_indexing_match_numpy(data):
    a = data.draw(xps.arrays(np.int32, xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)), label="x")
    x = _from(data, a)
    # One entry per leading axis: integers and integer arrays of broadcastable shapes.
    k = data.draw(st.integers(1, a.ndim), label="k")
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=k, min_dims=0, max_dims=2, max_side=3), label="shapes")
    key = []
    for d, s in enumerate(shapes.input_shapes):
        n = a.shape[d]
        if data.draw(st.booleans(), label="array?"):
            key.append(data.draw(hnp.arrays(np.int64, s, elements=st.integers(-n, n - 1)), label="index"))
        else:
            key.append(data.draw(st.integers(-n, n - 1), label="int"))
    if not any(isinstance(i, np.ndarray) for i in key):
        key[0] = np.asarray([key[0]])
    key = tuple(da.asarray(i) if isinstance(i, np.ndarray) and data.draw(st.booleans()) else i for i in key)
    want = a[tuple(np.asarray(i) if isinstance(i, da.Array) else i for i in key)]
    _bits_same(compute(x[key]), want)
    # One n-d integer array among slices takes along its axis.
    idx = data.draw(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), elements=st.integers(0, a.shape[-1] - 1)), label="nd")
    _bits_same(compute(x[..., da.asarray(idx)]), a[..., idx])
    # Masks: of the whole shape, of the leading axes, 0-d.
    lead = data.draw(st.integers(0, a.ndim), label="mask dims")
    m = data.draw(hnp.arrays(np.bool_, a.shape[:lead]), label="mask")
    _bits_same(compute(x[da.asarray(m)]), a[m])


def test_mask_and_point_index_errors():
    x = da.asarray(np.arange(6).reshape(2, 3))
    with pytest.raises(IndexError):
        x[da.asarray(np.ones(3, bool))]
    with pytest.raises(IndexError):
        x[da.asarray(np.array([2])), 0]
    with pytest.raises(IndexError):
        x[da.asarray(np.array([0.5]))]
    # The standard's tests allow a mask axis of extent 0: nothing selected.
    assert compute(x[da.asarray(np.ones((2, 0), bool))]).shape == (0,)
    assert compute(da.eye(3, k=2**70)).sum() == 0


def test_point_indexing_edge_cases_match_numpy():
    a = np.arange(60, dtype=np.int32).reshape(3, 4, 5)
    x = da.asarray(a)
    # An int and an array apart (a slice between): NumPy puts the index's axes first.
    for key in [(0, slice(None), [1, 2]), (0, slice(None), np.array([[1], [2]])),
                (slice(None), 1, [0, 4]), (Ellipsis, [1, 2])]:
        want = a[key]
        got = compute(x[tuple(da.asarray(np.asarray(k)) if isinstance(k, (list, np.ndarray)) else k for k in key)])
        _bits_same(got, want)
    # uint64 indices past int64 are out of range, not negative.
    with pytest.raises(IndexError):
        x[da.asarray(np.array([2**64 - 1], dtype=np.uint64))]
    with pytest.raises(IndexError):
        x[da.asarray(np.array([2**64 - 1], dtype=np.uint64)), 0]
    # A Python bool is not an integer index.
    with pytest.raises((IndexError, TypeError)):
        x[da.asarray(np.array([0, 1])), True]
    with pytest.raises(ValueError, match="sorter"):
        da.searchsorted(da.asarray(np.array([1, 2, 3])), da.asarray(np.array([2])), sorter=da.asarray(np.array([0])))
    with pytest.raises(TypeError, match="sorter"):
        da.searchsorted(da.asarray(np.array([1, 2])), da.asarray(np.array([2])), sorter=da.asarray(np.array([0.0, 1.0])))
