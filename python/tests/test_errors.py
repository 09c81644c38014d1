"""Errors are Python's built-in exceptions, and their messages name the operation.

An operator may raise when it is applied or when the result is computed (chunkwise records some
errors in the graph); each check below accepts either, by computing inside the `raises` block.
"""

import numpy as np
import pytest

import chunkwise as da


def run(f):
    r = f()
    if isinstance(r, da.Array):
        r.compute()
    return r


# (id, callable, exception, regex the message must match: the operation's name)
CASES = [
    # shapes, axes, chunks, values -> ValueError
    ("broadcast", lambda: da.ones((2, 3)) + da.ones((4,)), ValueError, r"add|broadcast"),
    ("broadcast-compare", lambda: da.ones((2, 3)) < da.ones((2,)), ValueError,
     r"less|lt|broadcast|compar"),
    ("sum-axis", lambda: da.ones(3).sum(axis=5), ValueError, r"sum"),
    ("mean-axis-negative", lambda: da.mean(da.ones((2, 2)), axis=-3), ValueError, r"mean"),
    ("sum-axis-repeated", lambda: da.ones((2, 2)).sum(axis=(0, 0)), ValueError, r"sum"),
    ("rechunk-zero", lambda: da.arange(5).rechunk(0), ValueError, r"rechunk|chunk"),
    ("rechunk-bad-blocks", lambda: da.arange(5).rechunk(((2, 2),)), ValueError,
     r"rechunk|chunk"),
    ("chunks-negative", lambda: da.ones(4, chunks=-3), ValueError, r"chunk"),
    ("from-array-chunks", lambda: da.from_array(np.zeros(4), chunks=((1, 1),)), ValueError,
     r"from_array|chunk"),
    ("reshape-size", lambda: da.ones(6).reshape(4, 2), ValueError, r"reshape"),
    ("reshape-two-unknown", lambda: da.ones(6).reshape(-1, -1), ValueError, r"reshape"),
    ("transpose-axes", lambda: da.ones((2, 3)).transpose(0, 0), ValueError, r"transpose"),
    ("concatenate-shapes", lambda: da.concatenate([da.ones((2, 3)), da.ones((2, 4))]),
     ValueError, r"concatenate"),
    ("concatenate-empty", lambda: da.concatenate([]), ValueError, r"concatenate"),
    ("stack-shapes", lambda: da.stack([da.ones(2), da.ones(3)]), ValueError, r"stack"),
    ("where-shapes", lambda: da.where(da.ones(2, dtype=bool), da.ones(3), 0), ValueError,
     r"where|broadcast"),
    ("matmul-shapes", lambda: da.ones((2, 3)) @ da.ones((4, 2)), ValueError, r"matmul"),
    ("matmul-0d", lambda: da.matmul(da.ones(()), da.ones(3)), ValueError, r"matmul"),
    ("min-empty", lambda: da.zeros(0).min(), ValueError, r"min"),
    ("argmax-empty", lambda: da.zeros((0,)).argmax(), ValueError, r"argmax"),
    ("min-empty-bool", lambda: da.zeros(0, dtype=bool).min(), ValueError, r"min"),
    ("max-empty-axis-bool", lambda: da.zeros((0, 3), dtype=bool).max(axis=0), ValueError,
     r"max"),
    ("var-ddof", lambda: da.ones(3).var(ddof=4), ValueError, r"var|ddof"),
    ("quantile-q", lambda: da.quantile(da.ones(3), 1.5), ValueError, r"quantile"),
    ("percentile-q", lambda: da.percentile(da.ones(3), -1), ValueError, r"percentile"),
    ("squeeze-not-one", lambda: da.ones((2, 3)).squeeze(axis=0), ValueError, r"squeeze"),
    # NumPy raises ZeroDivisionError here; ValueError is the promise for bad values
    ("arange-step-zero", lambda: da.arange(0, 5, 0), (ValueError, ZeroDivisionError),
     r"arange|step"),
    ("linspace-num", lambda: da.linspace(0, 1, -1), ValueError, r"linspace|num"),
    ("zeros-negative", lambda: da.zeros((2, -1)), ValueError, r"zeros|shape|negative"),
    ("integer-negative-power", lambda: da.arange(3) ** -1, ValueError, r"pow"),
    ("normal-nan-scale", lambda: da.random.normal(0.0, float("nan"), 3), ValueError,
     r"normal|scale"),
    ("float-of-array", lambda: float(da.ones(3)), TypeError, r"size|scalar|length|item"),
    # dtypes -> TypeError
    ("complex", lambda: da.ones(3, dtype="complex128"), TypeError, r"complex"),
    ("float16", lambda: da.zeros(3, dtype=np.float16), TypeError, r"float16"),
    ("from-array-complex", lambda: da.from_array(np.ones(3, dtype=complex)), TypeError,
     r"complex"),
    ("from-array-object", lambda: da.from_array(np.array(["a", "b"], dtype=object)), TypeError,
     r"object|dtype"),
    ("astype-complex", lambda: da.ones(3).astype("complex64"), TypeError, r"complex"),
    ("and-float", lambda: da.ones(3) & da.ones(3), TypeError, r"and|bitwise"),
    ("or-float-int", lambda: da.ones(3) | 1, TypeError, r"or|bitwise"),
    ("xor-float", lambda: da.arange(3) ^ da.ones(3), TypeError, r"xor|bitwise"),
    ("invert-float", lambda: ~da.ones(3), TypeError, r"invert|not|bitwise"),
    ("bool-subtract", lambda: da.ones(3, dtype=bool) - da.ones(3, dtype=bool), TypeError,
     r"sub"),
    ("bool-negative", lambda: -da.ones(3, dtype=bool), TypeError, r"neg"),
    ("len-0d", lambda: len(da.ones(())), TypeError, r"len|0-d|unsized|scalar|dimension"),
    # indices -> IndexError
    ("index-past-end", lambda: da.ones(3)[5], IndexError, r"index|bounds|range"),
    ("index-before-start", lambda: da.ones(3)[-4], IndexError, r"index|bounds|range"),
    ("index-second-axis", lambda: da.ones((2, 3))[0, 3], IndexError, r"index|bounds|range"),
    ("too-many-indices", lambda: da.ones(3)[0, 0], IndexError, r"index|indices|dimension"),
    # too large / memory -> MemoryError
    ("too-large", lambda: da.zeros((10**10, 10**10)).compute(), MemoryError,
     r"zeros|large|memory|compute"),
    ("result-past-memory", lambda: da.zeros((10**6, 10**6)).compute(), MemoryError,
     r"large|memory|compute"),
    # files
    ("missing-npy", lambda: da.from_npy("/nonexistent.npy"), FileNotFoundError,
     r"from_npy|nonexistent"),
    ("missing-zarr", lambda: da.from_zarr("/nonexistent.zarr"), FileNotFoundError,
     r"from_zarr|nonexistent"),
]


@pytest.mark.parametrize("f, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error(f, error, message):
    with pytest.raises(error, match=f"(?i){message}"):
        run(f)


def test_axis_error_is_a_value_error_and_raised_at_once():
    # A reduction's axis is checked when the reduction is built (Dask raises there too).
    with pytest.raises(ValueError):
        da.ones((2, 3)).sum(axis=2)


def test_overflowing_python_integer():
    # NEP 50: a Python int that does not fit the array's dtype is an error (NumPy: OverflowError).
    with pytest.raises((OverflowError, ValueError, TypeError)):
        run(lambda: da.arange(3, dtype="uint8") + 300)
    with pytest.raises((OverflowError, ValueError, TypeError)):
        run(lambda: da.arange(3, dtype="uint8") + -1)


def test_unsupported_dtype_in_binary_op_with_numpy_array():
    with pytest.raises(TypeError):
        run(lambda: da.ones(3) + np.ones(3, dtype=np.complex128))


def test_npy_directory_is_os_error(tmp_path):
    with pytest.raises(OSError):
        da.from_npy(str(tmp_path)).compute()


def test_npy_garbage_is_an_error(tmp_path):
    p = tmp_path / "bad.npy"
    p.write_bytes(b"not a numpy file at all")
    with pytest.raises((OSError, ValueError)):
        da.from_npy(str(p)).compute()


def test_npy_of_unsupported_dtype_is_type_error(tmp_path):
    p = tmp_path / "c.npy"
    np.save(p, np.ones(3, dtype=np.complex128))
    with pytest.raises(TypeError):
        da.from_npy(str(p)).compute()


def test_write_to_missing_directory(tmp_path):
    with pytest.raises(OSError):
        da.to_npy(str(tmp_path / "no" / "such" / "dir" / "x.npy"), da.ones(3))


def test_errors_leave_the_library_usable():
    with pytest.raises(ValueError):
        run(lambda: da.ones((2, 3)) + da.ones((4,)))
    assert da.arange(10).sum().compute() == 45
