"""``chunkwise.linalg`` and ``chunkwise.fft`` against NumPy: stacks of matrices of Hypothesis'
shapes under random chunkings, each decomposition checked by what defines it (NumPy's signs and
orders of vectors are LAPACK's choice, not the standard's), the values (determinants, singular
values, eigenvalues, inverses, solutions, norms) against NumPy's, and the errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chunkwise as da
from chunkwise import linalg as la
from conftest import assert_same, chunkings, compute, examples

SOME = examples(40)


@st.composite
def stacks(draw, square=False, dtype=np.float64, spd=False, symmetric=False):
    """(NumPy stack of matrices, chunkwise array of it with a random chunking)."""
    stack = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    m = draw(st.integers(1, 5))
    n = m if square or spd or symmetric else draw(st.integers(1, 5))
    values = st.floats(-10, 10, allow_nan=False, width=32 if dtype == np.float32 else 64)
    a = np.asarray(draw(st.lists(values, min_size=int(np.prod(stack, dtype=int)) * m * n,
                                 max_size=int(np.prod(stack, dtype=int)) * m * n)), dtype=dtype)
    a = a.reshape(tuple(stack) + (m, n))
    if spd:
        a = a @ np.swapaxes(a, -1, -2) + m * 10 * np.eye(m, dtype=dtype)
    if symmetric:
        a = a + np.swapaxes(a, -1, -2)
    spec, _ = draw(chunkings(a.shape))
    return a, da.from_array(a, chunks=spec)


def tol(dtype):
    return 1e-3 if dtype == np.float32 else 1e-8


@SOME
@given(stacks(spd=True), st.booleans())
def test_cholesky(xs, upper):
    a, x = xs
    got = compute(la.cholesky(x, upper=upper))
    want = np.linalg.cholesky(a, upper=upper)
    assert_same(got, want, rtol=1e-8, atol=1e-8)


@SOME
@given(stacks(square=True), st.sampled_from([np.float64, np.float32]))
def test_det_slogdet_inv(xs, dtype):
    a, x = xs
    a, x = a.astype(dtype), x.astype(dtype)
    assert_same(compute(la.det(x)), np.linalg.det(a), rtol=tol(dtype) * 10, atol=tol(dtype) * 10)
    sign, logabs = la.slogdet(x)
    want = np.linalg.slogdet(a)
    assert (sign.dtype, logabs.dtype) == (np.dtype(dtype), np.dtype(dtype))
    nonsingular = np.abs(np.linalg.det(a.astype(np.float64))) > 1e-3
    assert_same(compute(sign)[nonsingular], want.sign[nonsingular])
    assert_same(compute(logabs)[nonsingular], want.logabsdet[nonsingular], rtol=tol(dtype), atol=tol(dtype))
    if nonsingular.all() and np.linalg.cond(a.astype(np.float64)).max() < 1e6:
        assert_same(compute(la.inv(x)), np.linalg.inv(a), rtol=tol(dtype) * 100, atol=tol(dtype) * 100)


@SOME
@given(stacks(spd=True), st.booleans(), st.integers(1, 3))
def test_solve(xs, vector, k):
    a, x = xs
    m = a.shape[-1]
    b = np.arange(m * k, dtype=np.float64).reshape(m, k) - 2.5
    if vector:
        b = b[:, 0]
        want = np.linalg.solve(a, b[..., None])[..., 0] if a.ndim > 2 else np.linalg.solve(a, b)
    else:
        want = np.linalg.solve(a, b)
    assert_same(compute(la.solve(x, da.asarray(b))), want, rtol=1e-8, atol=1e-8)


@SOME
@given(stacks(symmetric=True))
def test_eigh(xs):
    a, x = xs
    w, v = la.eigh(x)
    assert_same(compute(w), np.linalg.eigvalsh(a), rtol=1e-8, atol=1e-8)
    assert_same(compute(la.eigvalsh(x)), np.linalg.eigvalsh(a), rtol=1e-8, atol=1e-8)
    vv = compute(v)
    # a v = v diag(w), v orthonormal (the vectors' signs are the solver's).
    assert np.allclose(a @ vv, vv * compute(w)[..., None, :], atol=1e-7)
    assert np.allclose(np.swapaxes(vv, -1, -2) @ vv, np.eye(a.shape[-1]), atol=1e-8)


@SOME
@given(stacks(), st.booleans())
def test_svd_svdvals_pinv_rank(xs, full):
    a, x = xs
    u, s, vh = (compute(t) for t in la.svd(x, full_matrices=full))
    wu, ws, wvh = np.linalg.svd(a, full_matrices=full)
    assert (u.shape, s.shape, vh.shape) == (wu.shape, ws.shape, wvh.shape)
    assert_same(s, ws, rtol=1e-8, atol=1e-8)
    assert_same(compute(la.svdvals(x)), ws, rtol=1e-8, atol=1e-8)
    k = s.shape[-1]
    assert np.allclose((u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :], a, atol=1e-7)
    # The pseudo-inverse's values are compared at its own scale (they are sums of products).
    # Where the pseudo-inverse overflows (a subnormal singular value), NumPy's has NaNs from
    # 0 * inf as well: those matrices are compared for shape only.
    with np.errstate(over="ignore", invalid="ignore"):
        pinv = np.linalg.pinv(a)
    got = compute(la.pinv(x))
    assert got.shape == pinv.shape
    if np.isfinite(pinv).all():
        assert_same(got, pinv, rtol=1e-6, atol=1e-9 * max(1.0, np.abs(pinv).max()))
    assert_same(compute(la.matrix_rank(x)), np.linalg.matrix_rank(a))


@SOME
@given(stacks(), st.sampled_from(["reduced", "complete"]))
def test_qr(xs, mode):
    a, x = xs
    q, r = (compute(t) for t in la.qr(x, mode=mode))
    wq, wr = np.linalg.qr(a, mode=mode)
    assert (q.shape, r.shape) == (wq.shape, wr.shape)
    assert np.allclose(q @ r, a, atol=1e-8)
    assert np.array_equal(r, np.triu(r))
    assert np.allclose(np.swapaxes(q, -1, -2) @ q, np.eye(q.shape[-1]), atol=1e-8)


@SOME
@given(stacks(), st.sampled_from(["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]), st.booleans())
def test_matrix_norm(xs, ord, keepdims):
    a, x = xs
    got = compute(la.matrix_norm(x, ord=ord, keepdims=keepdims))
    assert_same(got, np.linalg.matrix_norm(a, ord=ord, keepdims=keepdims), rtol=1e-8, atol=1e-8)


@SOME
@given(stacks(), st.sampled_from([2, 1, 0, -1, 3, 0.5, np.inf, -np.inf]), st.booleans(),
       st.sampled_from([None, -1, (0, -1), 0]))
def test_vector_norm(xs, ord, keepdims, axis):
    a, x = xs
    if axis == (0, -1) and a.ndim < 2 or axis == 0 and a.ndim < 1:
        return
    got = compute(la.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord))
    with np.errstate(divide="ignore"):
        want = np.linalg.vector_norm(a, axis=axis, keepdims=keepdims, ord=ord)
    assert_same(got, want, rtol=1e-8, atol=1e-8)


@SOME
@given(stacks(square=True), st.integers(-3, 6))
def test_matrix_power(xs, n):
    a, x = xs
    if n < 0 and np.abs(np.linalg.det(a)).min() < 1e-2:
        return
    got = compute(la.matrix_power(x, n))
    assert_same(got, np.linalg.matrix_power(a, n), rtol=1e-6, atol=1e-6)
    ints = np.round(a).astype(np.int64)
    if n >= 0:
        assert_same(compute(la.matrix_power(da.asarray(ints), n)), np.linalg.matrix_power(ints, n))


@SOME
@given(stacks(), st.integers(-6, 6), st.sampled_from([None, np.float32, np.int64]))
def test_diagonal_and_trace(xs, offset, dtype):
    a, x = xs
    ints = np.round(a).astype(np.int16)
    assert_same(compute(la.diagonal(da.asarray(ints), offset=offset)),
                np.diagonal(ints, offset, -2, -1))
    got = compute(la.trace(da.asarray(ints), offset=offset, dtype=dtype))
    assert_same(got, np.trace(ints, offset, -2, -1, dtype=dtype))


@SOME
@given(st.integers(0, 6), st.integers(0, 6), st.sampled_from([np.int8, np.uint16, np.float32]))
def test_outer(n, m, dtype):
    a = (np.arange(n) - 2).astype(dtype)
    b = (np.arange(m) * 3).astype(np.int64)
    assert_same(compute(la.outer(da.asarray(a), da.asarray(b))), np.outer(a, b))


@SOME
@given(st.integers(0, 3), st.integers(0, 1), st.sampled_from([np.int32, np.float64]))
def test_cross(lead, where, dtype):
    shape = [2] * lead
    shape.insert(where if where <= lead else lead, 3)
    a = (np.arange(np.prod(shape)).reshape(shape) % 7 - 3).astype(dtype)
    b = (np.arange(np.prod(shape)).reshape(shape)[::-1] % 5 - 1).astype(dtype)
    axis = (where if where <= lead else lead) - len(shape)
    assert_same(compute(la.cross(da.asarray(a), da.asarray(b), axis=axis)),
                np.cross(a, b, axis=axis))


def test_namespace_and_results():
    assert da.linalg.matmul is da.matmul and da.linalg.vecdot is da.vecdot
    assert da.linalg.tensordot is da.tensordot
    x = da.asarray(np.array([[2.0, 1.0], [1.0, 2.0]]))
    for res, fields in [(la.eigh(x), ("eigenvalues", "eigenvectors")), (la.qr(x), ("Q", "R")),
                        (la.slogdet(x), ("sign", "logabsdet")), (la.svd(x), ("U", "S", "Vh"))]:
        assert type(res) is not tuple and res._fields == fields
    # Integers are decomposed as float64, float32 stays float32.
    assert la.det(da.asarray(np.eye(2, dtype=np.int8))).dtype == np.float64
    assert la.inv(x.astype(np.float32)).dtype == np.float32


def test_errors():
    singular = da.asarray(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(ValueError, match="singular"):
        la.inv(singular).compute()
    with pytest.raises(ValueError, match="positive definite"):
        la.cholesky(da.asarray(np.array([[1.0, 2.0], [2.0, 1.0]]))).compute()
    with pytest.raises(ValueError, match="square"):
        la.det(da.ones((2, 3)))
    with pytest.raises(ValueError, match="stack of matrices"):
        la.svd(da.ones(3))
    with pytest.raises(ValueError):
        la.qr(singular, mode="r")
    with pytest.raises(ValueError):
        la.matrix_norm(singular, ord=3)
    with pytest.raises(TypeError):
        la.matrix_power(singular, 1.5)
    with pytest.raises(ValueError):
        la.solve(singular, da.ones(3))
    with pytest.raises(ValueError):
        la.cross(da.ones((2, 4)), da.ones((2, 4)))
    with pytest.raises(ValueError):
        la.outer(da.ones((2, 2)), da.ones(2))
    assert la.slogdet(singular).sign.compute() == 0.0


@SOME
@given(st.integers(1, 12), st.sampled_from([1.0, 0.5, 3.0]))
def test_fft_helpers(n, d):
    assert_same(compute(da.fft.fftfreq(n, d=d)), np.fft.fftfreq(n, d=d))
    assert_same(compute(da.fft.rfftfreq(n, d=d)), np.fft.rfftfreq(n, d=d))
    assert da.fft.fftfreq(n, dtype=da.float32).dtype == np.float32
    a = np.arange(n * 3).reshape(n, 3)
    for axes in [None, 0, (1,), (0, 1)]:
        assert_same(compute(da.fft.fftshift(da.asarray(a), axes=axes)), np.fft.fftshift(a, axes=axes))
        assert_same(compute(da.fft.ifftshift(da.asarray(a), axes=axes)), np.fft.ifftshift(a, axes=axes))
    with pytest.raises(ValueError):
        da.fft.fftfreq(0)
