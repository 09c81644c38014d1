"""Property tests of chunkwise's Python surface against NumPy 2.

Every test draws NumPy arrays of the eleven dtypes (0-d to 4-d, zero-length axes included), cuts
them into random chunks with `da.from_array`, runs the same expression in chunkwise and NumPy
and compares dtypes and values. Where NumPy raises, chunkwise must raise the same kind of error.
"""

import math
import operator

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chunkwise as da
from conftest import (
    assert_same,
    chunked,
    chunkings,
    compute,
    dtypes,
    examples,
    expect_error_like,
    float_dtypes,
    np_arrays,
    numeric_dtypes,
    numpy_or_error,
    shapes,
    tolerance,
)

FAST = examples(60)
MANY = examples(120)

ARITH = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
}
COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
BITWISE = {"&": operator.and_, "|": operator.or_, "^": operator.xor}
BINARY = {**ARITH, **COMPARE, **BITWISE}


def block_sums(chunks):
    return tuple(sum(c) for c in chunks)


def check_binary(op, a, b, got_fn):
    """Compare got_fn() (a chunkwise expression) with op(a, b) in NumPy.

    Integer // and % by zero are compared only where the divisor is not zero (NumPy gives 0
    with a warning there)."""
    want, err = numpy_or_error(BINARY[op], a, b)
    if err is not None:
        expect_error_like(err, got_fn)
        return
    got = got_fn()
    assert isinstance(got, da.Array), f"{op} gave {type(got)}, not a chunkwise Array"
    got = compute(got)
    want = np.asarray(want)
    assert np.asarray(got).dtype == want.dtype, (op, np.asarray(got).dtype, want.dtype)
    if op in ("//", "%") and want.dtype.kind in "iub":
        keep = np.broadcast_to(np.asarray(b) != 0, want.shape)
        got, want = np.asarray(got)[keep], want[keep]
    assert_same(got, want)


# ---------------------------------------------------------------------------------------------
# Attributes and chunks
# ---------------------------------------------------------------------------------------------


@MANY
@given(chunked(kind="full"))
def test_attributes_and_round_trip(case):
    a, x, want_chunks = case
    assert x.shape == a.shape and isinstance(x.shape, tuple)
    assert x.ndim == a.ndim
    assert x.size == a.size
    assert x.dtype == a.dtype and isinstance(x.dtype, np.dtype)
    assert x.itemsize == a.itemsize
    assert x.nbytes == a.nbytes
    assert x.chunks == want_chunks
    assert x.numblocks == tuple(len(c) for c in want_chunks)
    assert x.chunksize == tuple(max(c) for c in want_chunks)
    assert x.npartitions == math.prod(len(c) for c in want_chunks)
    if a.ndim:
        assert len(x) == a.shape[0]
    assert x.T.shape == a.T.shape
    assert_same(compute(x), a)


@MANY
@given(st.data())
def test_creation_chunks_follow_dask(data):
    shape = data.draw(shapes)
    dtype = data.draw(dtypes)
    spec, want = data.draw(chunkings(shape))
    kind = data.draw(st.sampled_from(["zeros", "ones", "empty", "full", "random", "rechunk"]))
    if kind == "zeros":
        x = da.zeros(shape, dtype=dtype, chunks=spec)
    elif kind == "ones":
        x = da.ones(shape, dtype=dtype, chunks=spec)
    elif kind == "empty":
        x = da.empty(shape, dtype=dtype, chunks=spec)
    elif kind == "full":
        x = da.full(shape, 1, dtype=dtype, chunks=spec)
    elif kind == "random":
        x = da.random.random(shape, chunks=spec)
        dtype = np.dtype("float64")
    else:
        x = da.ones(shape, dtype=dtype).rechunk(spec)
    assert x.chunks == want, (kind, shape, spec)
    assert x.shape == shape and x.dtype == dtype
    r = compute(x)
    assert r.shape == shape and r.dtype == dtype
    if kind in ("zeros", "ones", "full"):
        assert np.all(r == (0 if kind == "zeros" else 1))


@MANY
@given(st.data())
def test_chunks_mixing_ints_and_blocks(data):
    # Dask takes a tuple with an int for some axes and explicit blocks for others.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6))
    spec, want = data.draw(chunkings(shape, mixed=True))
    x = da.arange(math.prod(shape)).reshape(shape).rechunk(spec)
    assert x.chunks == want, (shape, spec)
    assert_same(compute(x), np.arange(math.prod(shape)).reshape(shape))


@FAST
@given(st.integers(0, 100), st.integers(1, 40))
def test_arange_chunks(n, c):
    x = da.arange(n, chunks=c)
    want = (c,) * (n // c) + ((n % c,) if n % c else ())
    assert x.chunks == (want or (0,),)
    assert_same(compute(x), np.arange(n))


@FAST
@given(chunked(), st.data())
def test_rechunk_keeps_values(case, data):
    a, x, _ = case
    spec, want = data.draw(chunkings(a.shape))
    y = x.rechunk(spec)
    assert y.chunks == want
    assert_same(compute(y), a)


# ---------------------------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------------------------


@MANY
@given(st.data())
def test_binary_array_array(data):
    op = data.draw(st.sampled_from(sorted(BINARY)))
    shapes2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    kind = "small" if op == "**" else data.draw(st.sampled_from(["small", "full"]))
    a = data.draw(np_arrays(shape=shapes2.input_shapes[0], kind=kind))
    b = data.draw(np_arrays(shape=shapes2.input_shapes[1], kind=kind))
    if op == "**" and b.dtype.kind in "iu":
        b = np.abs(b)  # NumPy refuses negative integer powers; tested in test_errors
    sa, _ = data.draw(chunkings(a.shape))
    sb, _ = data.draw(chunkings(b.shape))
    x, y = da.from_array(a, chunks=sa), da.from_array(b, chunks=sb)
    check_binary(op, a, b, lambda: BINARY[op](x, y))


python_scalars = st.one_of(
    st.integers(-3, 300),
    st.integers(-400, 400).map(lambda k: k / 4),
    st.booleans(),
)


@MANY
@given(st.data())
def test_binary_with_python_scalars(data):
    # NEP 50: a Python number is "weak" and takes the array's dtype when it fits.
    op = data.draw(st.sampled_from(sorted(BINARY)))
    a, x, _ = data.draw(chunked())
    s = data.draw(python_scalars)
    reflected = data.draw(st.booleans())
    if op in ("//", "%") and not reflected:
        assume(s != 0)
    if op == "**" and reflected and a.dtype.kind in "iu":
        a = np.abs(a)  # NumPy refuses negative integer powers; tested in test_errors
        x = da.from_array(a, chunks=x.chunks)
    if reflected:
        check_binary(op, s, a, lambda: BINARY[op](s, x))
    else:
        check_binary(op, a, s, lambda: BINARY[op](x, s))


def test_power_operator_and_function_of_bools():
    """NumPy's ``x ** 2`` squares (bools give int8); ``np.power`` promotes with the Python int
    (int64); an empty integer array takes a negative power without an error."""
    a = np.array([True, False, True])
    x = da.from_array(a, chunks=2)
    for got, want in ((x ** 2, a ** 2), (da.power(x, 2), np.power(a, 2)), (x ** 3, a ** 3),
                      (2 ** x, 2 ** a), (da.power(2, x), np.power(2, a))):
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        np.testing.assert_array_equal(got.compute(), want)
    e = np.array([], dtype=np.int16)
    got = da.from_array(e) ** -1
    assert got.dtype == (e ** -1).dtype and got.compute().shape == (0,)


def test_true_division_by_python_ints_out_of_the_integer_range():
    # Integers divide in float64, so the Python int needs not fit the array's dtype; a float
    # array takes any Python int (NumPy converts it).
    for dtype in (np.int8, np.uint8, np.int64, np.bool_, np.float32, np.float64):
        a = np.array([1, 3], dtype=dtype)
        x = da.from_array(a, chunks=1)
        for s in (128, -129, 2**63, 2**70, -(2**70)):
            check_binary("/", a, s, lambda: x / s)
            check_binary("/", s, a, lambda: s / x)


# np.float64 (a subclass of Python's float, yet strong in NumPy 2) has its own test below.
numpy_scalars = st.sampled_from(
    [np.float32(1.5), np.int8(3), np.int64(-2), np.uint8(7), np.uint64(5),
     np.int32(2), np.bool_(True)]
)


@MANY
@given(st.data())
def test_binary_with_numpy_scalars_and_arrays(data):
    # NumPy scalars and arrays are "strong": their dtype promotes with the array's.
    op = data.draw(st.sampled_from(sorted(BINARY)))
    a, x, _ = data.draw(chunked())
    if data.draw(st.booleans()):
        other = data.draw(numpy_scalars)
    else:
        shape = data.draw(hnp.broadcastable_shapes(a.shape, max_dims=3, max_side=4))
        other = data.draw(np_arrays(shape=shape))
    if data.draw(st.booleans()):
        # reflected: NumPy's operand on the left defers to the Array (__array_ufunc__)
        if op == "**" and a.dtype.kind in "iu":
            a = np.abs(a)
            x = da.from_array(a, chunks=x.chunks)
        check_binary(op, other, a, lambda: BINARY[op](other, x))
        return
    if op == "**" and np.asarray(other).dtype.kind in "iu":
        other = np.abs(other)
    if op in ("//", "%") and np.ndim(other) == 0:
        assume(other != 0)
    check_binary(op, a, other, lambda: BINARY[op](x, other))


def test_numpy_float64_scalar_is_strong():
    # np.float64 subclasses Python's float, but NumPy 2 promotes it as a float64 (NEP 50).
    for s in (np.float64(0.25), np.float64(2.0)):
        assert (da.ones(3, dtype="float32") * s).dtype == np.float64
        assert (s + da.ones(3, dtype="float32")).dtype == np.float64
        assert (da.arange(3, dtype="int8") % s).dtype == np.float64
    # while a plain Python float is weak
    assert (da.ones(3, dtype="float32") * 0.25).dtype == np.float32


def test_round_of_bool():
    # NumPy 2 rounds bool to float16 (round has no bool loop); chunkwise has no float16 and
    # gives float32 where NumPy gives float16.
    assert np.round(np.ones(3, dtype=bool)).dtype == np.float16
    r = da.round(da.from_array(np.array([True, False]))).compute()
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r, [1.0, 0.0])


def test_numpy_array_on_the_left_stays_lazy():
    # Dask's behaviour: ndarray + Array is an Array (NumPy defers to it).
    a = np.arange(6.0).reshape(2, 3)
    x = da.from_array(a, chunks=2)
    for r, want in [(a + x, a + a), (a * x, a * a), (np.float32(2) * x, 2 * a), (a < x, a < a)]:
        assert isinstance(r, da.Array), type(r)
        assert_same(compute(r), want)


def test_weak_scalars_keep_the_array_dtype():
    assert (da.ones(3, dtype="float32") * 2.5).compute().dtype == np.float32
    assert (da.arange(3, dtype="int8") + 1).dtype == np.int8
    assert (da.arange(3, dtype="uint16") * 2).compute().dtype == np.uint16
    assert (da.arange(3) / 2).dtype == np.float64
    assert (da.arange(3, dtype="int8") * 0.5).dtype == np.float64
    assert_same(compute(da.arange(4, dtype="int8") / 2), np.arange(4, dtype="int8") / 2)


@MANY
@given(st.data())
def test_unary_operators(data):
    a, x, _ = data.draw(chunked(kind="full"))
    name = data.draw(st.sampled_from(["-", "abs", "~"]))
    f = {"-": operator.neg, "abs": abs, "~": operator.invert}[name]
    want, err = numpy_or_error(f, a)
    if err is not None:
        expect_error_like(err, lambda: f(x))
        return
    assert_same(compute(f(x)), want)


UNARY_UFUNCS = [
    "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "tanh", "absolute", "abs", "negative", "square", "floor", "ceil", "round",
    "trunc", "isnan", "isfinite",
]
BINARY_UFUNCS = [
    "maximum", "minimum", "add", "subtract", "multiply", "divide", "floor_divide", "power", "mod",
]


@MANY
@given(st.data())
def test_unary_ufuncs(data):
    name = data.draw(st.sampled_from(UNARY_UFUNCS))
    a, x, _ = data.draw(chunked())
    assume(not (name == "round" and a.dtype == np.bool_))  # test_round_of_bool
    if a.dtype.kind == "f" and data.draw(st.booleans()):
        a = a.copy()
        a.flat[: data.draw(st.integers(0, 2))] = data.draw(
            st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 0.5, 2.5, -1.5])
        )
        x = da.from_array(a, chunks=x.chunks)
    f_np = getattr(np, name)
    want, err = numpy_or_error(f_np, a)
    if err is not None:
        expect_error_like(err, lambda: getattr(da, name)(x))
        return
    want = np.asarray(want)
    if want.dtype == np.float16:
        # chunkwise has no float16: float functions of 8-bit integers and bool give float32,
        # NumPy's float32 values.
        want = np.asarray(numpy_or_error(f_np, a.astype(np.float32))[0])
    got = getattr(da, name)(x)
    assert isinstance(got, da.Array)
    assert_same(compute(got), want)


@MANY
@given(st.data())
def test_binary_ufuncs(data):
    name = data.draw(st.sampled_from(BINARY_UFUNCS))
    shapes2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
    a = data.draw(np_arrays(shape=shapes2.input_shapes[0]))
    b = data.draw(np_arrays(shape=shapes2.input_shapes[1]))
    if name == "power" and b.dtype.kind in "iu":
        b = np.abs(b)
    if name in ("maximum", "minimum") and a.dtype.kind == "f" and a.size:
        a = a.copy()
        a.flat[0] = np.nan  # NaN propagates, as NumPy's
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    other = da.from_array(b, chunks=data.draw(chunkings(b.shape))[0])
    f_np = getattr(np, name)
    want, err = numpy_or_error(f_np, a, b)
    if err is not None:
        expect_error_like(err, lambda: getattr(da, name)(x, other))
        return
    got = compute(getattr(da, name)(x, other))
    want = np.asarray(want)
    if name in ("floor_divide", "mod") and want.dtype.kind in "iub":
        keep = np.broadcast_to(b != 0, want.shape)
        got, want = np.asarray(got)[keep], want[keep]
        assert np.asarray(got).dtype == want.dtype
    assert_same(got, want)


@FAST
@given(chunked(dtype="float64"), st.sampled_from([0, 2.5, -1]))
def test_ufunc_with_a_scalar(case, s):
    a, x, _ = case
    assert_same(compute(da.maximum(x, s)), np.maximum(a, s))
    assert_same(compute(da.minimum(s, x)), np.minimum(s, a))


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------


@st.composite
def axes(draw, ndim, single=False):
    """None, an int (negative too) or a tuple of distinct axes."""
    options = [st.none()]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if not single:
            options.append(
                st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
                    lambda ax: st.tuples(*[st.sampled_from([k, k - ndim]) for k in ax])
                )
            )
    return draw(st.one_of(*options))


def reduced_count(shape, axis):
    if axis is None:
        return math.prod(shape)
    ax = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[k] for k in ax)


def scale(a, power=1):
    """Magnitude for the absolute tolerance of float reductions."""
    m = float(np.max(np.abs(a), initial=0.0)) if a.size else 0.0
    return (1.0 + m) ** power


REDUCTIONS = ["sum", "prod", "mean", "min", "max", "std", "var", "any", "all", "count_nonzero",
              "ptp"]
METHODS = {"sum", "prod", "mean", "min", "max", "std", "var", "any", "all"}


@examples(200)
@given(st.data())
def test_reductions(data):
    name = data.draw(st.sampled_from(REDUCTIONS))
    a = data.draw(np_arrays())
    if name == "prod" and a.dtype.kind == "f":
        a = (a / 50).astype(a.dtype)  # no overflow: the order of a float product then matters
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    axis = data.draw(axes(a.ndim))
    kw = {"axis": axis, "keepdims": data.draw(st.booleans())}
    if name in ("std", "var"):
        kw["ddof"] = data.draw(st.sampled_from([0, 1]))
        assume(reduced_count(a.shape, axis) > kw["ddof"])
    want, err = numpy_or_error(getattr(np, name), a, **kw)
    method = name in METHODS and data.draw(st.booleans())
    fn = (lambda: getattr(x, name)(**kw)) if method else (lambda: getattr(da, name)(x, **kw))
    if name in ("min", "max") and a.dtype == np.bool_:
        assume(reduced_count(a.shape, axis) > 0)  # test_errors: min-empty-bool
    if name == "ptp" and a.dtype == np.bool_:
        # NumPy refuses bool (TypeError), except that an empty array fails first as empty
        err = TypeError("ptp of bool")
    if err is not None:
        expect_error_like(err, fn)
        return
    want = np.asarray(want)
    if name == "count_nonzero":
        want = want.astype(np.int64)
    got = compute(fn())
    if want.ndim == 0:
        assert isinstance(got, np.generic), f"0-d result {type(got)}, not a NumPy scalar"
    power = 2 if name == "var" else 1
    assert_same(got, want, atol=tolerance(want.dtype) * scale(a, power))


@MANY
@given(st.data())
def test_arg_reductions(data):
    name = data.draw(st.sampled_from(["argmin", "argmax"]))
    a = data.draw(np_arrays())
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    axis = data.draw(axes(a.ndim, single=True))
    want, err = numpy_or_error(getattr(np, name), a, axis=axis)
    method = data.draw(st.booleans())
    fn = (lambda: getattr(x, name)(axis=axis)) if method else (
        lambda: getattr(da, name)(x, axis=axis))
    if err is not None:
        expect_error_like(err, fn)
        return
    assert_same(compute(fn()), np.asarray(want))


@st.composite
def with_nans(draw, dtype=None):
    a = draw(np_arrays(dtype=draw(float_dtypes) if dtype is None else dtype))
    if a.size:
        mask = draw(hnp.arrays(np.bool_, a.shape))
        a = np.where(mask, np.nan, a).astype(a.dtype)
    return a


NAN_REDUCTIONS = ["nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanstd", "nanvar"]


@MANY
@given(st.data())
def test_nan_reductions(data):
    name = data.draw(st.sampled_from(NAN_REDUCTIONS))
    a = data.draw(with_nans())
    if name == "nanprod":
        a = (a / 50).astype(a.dtype)
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    kw = {"axis": data.draw(axes(a.ndim)), "keepdims": data.draw(st.booleans())}
    want, err = numpy_or_error(getattr(np, name), a, **kw)
    fn = lambda: getattr(da, name)(x, **kw)  # noqa: E731
    if err is not None:
        expect_error_like(err, fn)
        return
    power = 2 if name == "nanvar" else 1
    assert_same(compute(fn()), np.asarray(want),
                atol=tolerance(a.dtype) * scale(np.nan_to_num(a), power))


@MANY
@given(st.data())
def test_quantiles(data):
    name = data.draw(st.sampled_from(["median", "percentile", "quantile", "nanmedian"]))
    if name == "nanmedian":
        a = data.draw(with_nans())
    else:
        a = data.draw(np_arrays(dtype=data.draw(numeric_dtypes)))
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    axis = data.draw(axes(a.ndim, single=True))
    assume(reduced_count(a.shape, axis) > 0)
    keepdims = data.draw(st.booleans())
    k = data.draw(st.integers(0, 64))
    args = {"percentile": (25 * k / 16,), "quantile": (k / 64,)}.get(name, ())
    want, err = numpy_or_error(getattr(np, name), a, *args, axis=axis, keepdims=keepdims)
    fn = lambda: getattr(da, name)(x, *args, axis=axis, keepdims=keepdims)  # noqa: E731
    if err is not None:
        expect_error_like(err, fn)
        return
    got = compute(fn())
    # NumPy's dtype (float32 for float32, float64 otherwise); the values against NumPy's on the
    # float64 values (chunkwise selects exactly, then rounds a float32 result once).
    assert np.asarray(got).dtype == np.asarray(want).dtype
    ref = numpy_or_error(getattr(np, name), a.astype(np.float64), *args, axis=axis,
                         keepdims=keepdims)[0]
    rtol = 1e-6 if a.dtype == np.float32 else 1e-9
    assert_same(got, np.asarray(ref), rtol=rtol,
                atol=rtol * scale(np.nan_to_num(a.astype(np.float64))), check_dtype=False)


@MANY
@given(st.data())
def test_scans(data):
    name = data.draw(st.sampled_from(["cumsum", "cumprod"]))
    a = data.draw(np_arrays())
    if name == "cumprod" and a.dtype.kind == "f":
        a = (a / 50).astype(a.dtype)
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    axis = data.draw(axes(a.ndim, single=True))
    want, err = numpy_or_error(getattr(np, name), a, axis=axis)
    method = data.draw(st.booleans())
    fn = (lambda: getattr(x, name)(axis=axis)) if method else (
        lambda: getattr(da, name)(x, axis=axis))
    if err is not None:
        expect_error_like(err, fn)
        return
    assert_same(compute(fn()), want, atol=tolerance(a.dtype) * scale(a))


def test_integer_sums_wrap_like_numpy():
    a = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    assert_same(compute(da.from_array(a, chunks=1).sum()), a.sum())
    b = np.array([200, 100], dtype=np.uint8)
    assert_same(compute(da.from_array(b, chunks=1).sum()), b.sum())  # uint64, no wrap
    c = np.array([100, 100], dtype=np.int8)
    assert_same(compute(da.from_array(c, chunks=1) + da.from_array(c, chunks=1)), c + c)
    assert_same(compute(da.from_array(c, chunks=1) * 3), c * 3)


# ---------------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------------


@examples(200)
@given(st.data())
def test_basic_indexing(data):
    a, x, _ = data.draw(chunked(kind="full"))
    if a.ndim == 0:
        index = data.draw(st.sampled_from([(), ..., None, (None, ...), (..., None)]))
    else:
        index = data.draw(hnp.basic_indices(a.shape, allow_newaxis=True))
    want = np.asarray(a[index])
    y = x[index]
    assert isinstance(y, da.Array), (index, type(y))
    assert y.shape == want.shape, index
    assert block_sums(y.chunks) == want.shape
    assert_same(compute(y), want)


@MANY
@given(st.integers(0, 12), st.data())
def test_slices_any_step(n, data):
    a = np.arange(n, dtype=np.int64) * 3
    spec, _ = data.draw(chunkings((n,)))
    x = da.from_array(a, chunks=spec)
    bound = st.one_of(st.none(), st.integers(-n - 3, n + 3))
    step = st.one_of(st.none(), st.integers(-4, 4).filter(lambda s: s != 0))
    sl = slice(data.draw(bound), data.draw(bound), data.draw(step))
    assert_same(compute(x[sl]), a[sl])
    if n:
        i = data.draw(st.integers(-n, n - 1))
        assert_same(compute(x[i]), a[i])


# ---------------------------------------------------------------------------------------------
# Shape manipulation
# ---------------------------------------------------------------------------------------------


@st.composite
def reshape_targets(draw, size):
    if size == 0:
        dims = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
        dims[draw(st.integers(0, len(dims) - 1))] = 0
        return tuple(dims)
    ndim = draw(st.integers(0 if size == 1 else 1, 4))
    dims, rest = [], size
    for _ in range(max(ndim - 1, 0)):
        d = draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        dims.append(d)
        rest //= d
    if ndim:
        dims.append(rest)
    draw(st.randoms()).shuffle(dims)
    if dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@MANY
@given(st.data())
def test_reshape(data):
    a, x, _ = data.draw(chunked())
    target = data.draw(reshape_targets(a.size))
    want = a.reshape(target)
    form = data.draw(st.sampled_from(["tuple", "args", "function"]))
    if form == "args" and target:
        y = x.reshape(*target)
    elif form == "function":
        y = da.reshape(x, target)
    else:
        y = x.reshape(target)
    assert y.shape == want.shape
    assert block_sums(y.chunks) == want.shape
    assert_same(compute(y), want)
    assert_same(compute(x.ravel()), a.ravel())
    assert_same(compute(da.ravel(x)), a.ravel())


@MANY
@given(st.data())
def test_transpose_and_squeeze(data):
    a, x, _ = data.draw(chunked())
    perm = tuple(data.draw(st.permutations(range(a.ndim))))
    assert_same(compute(x.T), a.T)
    assert_same(compute(x.transpose()), a.transpose())
    if perm:
        assert_same(compute(x.transpose(*perm)), a.transpose(perm))
    assert_same(compute(da.transpose(x, axes=perm)), np.transpose(a, perm))
    assert_same(compute(x.squeeze()), a.squeeze())
    ones = [k for k, n in enumerate(a.shape) if n == 1]
    if ones:
        k = data.draw(st.sampled_from(ones))
        assert_same(compute(x.squeeze(axis=k)), a.squeeze(axis=k))


@MANY
@given(st.data())
def test_concatenate_and_stack(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    dtype = data.draw(dtypes)
    count = data.draw(st.integers(1, 3))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    pieces = []
    for _ in range(count):
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 4))
        pieces.append(data.draw(np_arrays(dtype=dtype, shape=tuple(s))))
    xs = [da.from_array(p, chunks=data.draw(chunkings(p.shape))[0]) for p in pieces]
    y = da.concatenate(xs, axis=axis)
    assert block_sums(y.chunks) == y.shape
    assert_same(compute(y), np.concatenate(pieces, axis=axis))

    same = [data.draw(np_arrays(dtype=dtype, shape=shape)) for _ in range(count)]
    xs = [da.from_array(p, chunks=data.draw(chunkings(p.shape))[0]) for p in same]
    sax = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert_same(compute(da.stack(xs, axis=sax)), np.stack(same, axis=sax))


def test_concatenate_promotes_like_numpy():
    a = np.arange(3, dtype=np.int8)
    b = np.linspace(0, 1, 4, dtype=np.float32)
    got = da.concatenate([da.from_array(a), da.from_array(b)])
    assert_same(compute(got), np.concatenate([a, b]))


@MANY
@given(st.data())
def test_where(data):
    s = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    c = data.draw(np_arrays(dtype=np.bool_, shape=s.input_shapes[0]))
    a = data.draw(np_arrays(shape=s.input_shapes[1]))
    b = data.draw(np_arrays(shape=s.input_shapes[2]))
    cx, ax, bx = (da.from_array(v, chunks=data.draw(chunkings(v.shape))[0]) for v in (c, a, b))
    assert_same(compute(da.where(cx, ax, bx)), np.where(c, a, b))
    # scalars for the branches: Python numbers are weak
    assert_same(compute(da.where(cx, ax, 0)), np.where(c, a, 0))


@MANY
@given(st.data())
def test_astype(data):
    a = data.draw(np_arrays())
    to = data.draw(dtypes)
    if a.dtype.kind == "f" and to.kind == "u":
        a = np.abs(a)  # NumPy's negative float to unsigned cast is undefined (chunkwise: 0)
    x = da.from_array(a, chunks=data.draw(chunkings(a.shape))[0])
    spelled = data.draw(st.sampled_from([to, to.name, to.type]))
    y = x.astype(spelled)
    assert y.dtype == to
    assert_same(compute(y), a.astype(to))


@MANY
@given(st.data())
def test_matmul(data):
    dtype = data.draw(numeric_dtypes)
    n, k, m = (data.draw(st.integers(1, 5)) for _ in range(3))
    form = data.draw(st.sampled_from(["2d", "1d-left", "1d-right", "batched"]))
    sa = {"2d": (n, k), "1d-left": (k,), "1d-right": (n, k), "batched": (2, n, k)}[form]
    sb = {"2d": (k, m), "1d-left": (k, m), "1d-right": (k,), "batched": (k, m)}[form]
    a = data.draw(np_arrays(dtype=dtype, shape=sa))
    b = data.draw(np_arrays(dtype=data.draw(numeric_dtypes), shape=sb))
    x = da.from_array(a, chunks=data.draw(chunkings(sa))[0])
    y = da.from_array(b, chunks=data.draw(chunkings(sb))[0])
    want = a @ b
    assert_same(compute(x @ y), want, atol=tolerance(want.dtype) * scale(a) * scale(b) * k)
    assert_same(compute(da.matmul(x, y)), want,
                atol=tolerance(want.dtype) * scale(a) * scale(b) * k)


# ---------------------------------------------------------------------------------------------
# The same bits for any number of workers and any chunking
# ---------------------------------------------------------------------------------------------


def bits(r):
    return np.asarray(r).tobytes()


@examples(25)
@given(st.integers(0, 2**32), st.integers(1, 200_000), st.integers(1000, 50_000),
       st.sampled_from(["sum", "mean", "var", "std", "cumsum", "max", "prod"]))
def test_worker_and_chunk_invariance(seed, n, c, name):
    rng = da.random.default_rng(seed)
    x = rng.standard_normal(n, chunks=c)
    if name == "prod":
        x = 1 + x / 1000
    f = (lambda v: v.cumsum(axis=0)) if name == "cumsum" else (lambda v: getattr(v, name)())
    one = f(x).compute(num_workers=1)
    two = f(x).compute(num_workers=2)
    assert bits(one) == bits(two), name
    if name != "cumsum":
        # reductions: the same bits for another chunking too (chunkwise's promise)
        other = f(x.rechunk(max(1, c // 3 + 7))).compute(num_workers=2)
        assert bits(other) == bits(one), name


@FAST
@given(chunked(dtype="float64"), st.sampled_from([1, 2]))
def test_compute_many_matches_compute(case, workers):
    a, x, _ = case
    s, m = x.sum(), (x * 2)
    rs, rm = da.compute(s, m, num_workers=workers)
    assert_same(rs, a.sum(), atol=1e-9 * scale(a))
    assert_same(rm, a * 2)
    assert bits(rs) == bits(s.compute())
