"""The Python array API standard's (2024.12) namespace items that are metadata rather than array
logic: the version, the dtypes as attributes, the constants, the inspection namespace and the
dtype functions. chunkwise's dtypes are NumPy's, and its type promotion is NumPy 2's (checked
against NumPy's table by ``.ci/promotion_check.py``), so these answer with NumPy's dtype
objects and rules. There are no complex dtypes (so no ``fft`` transforms: see
``python/README.md``).
"""

from __future__ import annotations

import builtins
import math
from typing import NamedTuple

import numpy as np

from ._chunkwise import Array

__array_api_version__ = "2024.12"

bool = np.dtype("bool")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
uint16 = np.dtype("uint16")
uint32 = np.dtype("uint32")
uint64 = np.dtype("uint64")
float32 = np.dtype("float32")
float64 = np.dtype("float64")

#: Every dtype chunkwise has, by name.
_DTYPES = {
    d.name: d
    for d in (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64)
}

e = math.e
inf = math.inf
nan = math.nan
pi = math.pi
newaxis = None

_KINDS = {
    "bool": lambda d: d.kind == "b",
    "signed integer": lambda d: d.kind == "i",
    "unsigned integer": lambda d: d.kind == "u",
    "integral": lambda d: d.kind in "iu",
    "real floating": lambda d: d.kind == "f",
    "complex floating": lambda d: d.kind == "c",
    "numeric": lambda d: d.kind in "iufc",
}


def _dtype(x):
    """The NumPy dtype of an array or a dtype-like."""
    return x.dtype if isinstance(x, Array) else np.dtype(x)


def isdtype(dtype, kind) -> builtins.bool:
    """Whether ``dtype`` is of ``kind``: a dtype, one of ``"bool"``, ``"signed integer"``,
    ``"unsigned integer"``, ``"integral"``, ``"real floating"``, ``"complex floating"``,
    ``"numeric"``, or a tuple of those (any of them)."""
    d = np.dtype(dtype)
    if isinstance(kind, tuple):
        return builtins.any(isdtype(d, k) for k in kind)
    if isinstance(kind, str):
        try:
            return _KINDS[kind](d)
        except KeyError:
            raise ValueError(f"unknown dtype kind {kind!r}; one of {sorted(_KINDS)}") from None
    return d == np.dtype(kind)


class _FInfo(NamedTuple):
    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: np.dtype


def finfo(type):
    """Machine limits of a floating dtype (or an array's): ``bits``, ``eps``, ``max``, ``min``,
    ``smallest_normal`` (Python floats, as the standard asks) and ``dtype``."""
    f = np.finfo(_dtype(type))
    return _FInfo(
        int(f.bits), float(f.eps), float(f.max), float(f.min), float(f.smallest_normal), f.dtype,
    )


def iinfo(type):
    """Machine limits of an integer dtype (or an array's): ``bits``, ``max``, ``min``,
    ``dtype``, as NumPy's ``iinfo``."""
    return np.iinfo(_dtype(type))


def result_type(*arrays_and_dtypes):
    """The dtype of an operation over these arrays, dtypes and Python scalars: NumPy 2's
    promotion, Python scalars weak (as chunkwise's operators promote)."""
    if not arrays_and_dtypes:
        raise ValueError("result_type needs at least one array or dtype")
    args = [a.dtype if isinstance(a, Array) else a for a in arrays_and_dtypes]
    if builtins.all(isinstance(a, (builtins.bool, int, float, complex)) for a in args):
        raise ValueError("result_type needs at least one array or dtype, not only Python scalars")
    return np.result_type(*args)


def can_cast(from_, to, /) -> builtins.bool:
    """Whether ``from_`` (a dtype or an array) converts to ``to`` without loss under the type
    promotion rules (NumPy's ``"safe"`` casting)."""
    return builtins.bool(np.can_cast(_dtype(from_), np.dtype(to)))


class _Info:
    """What ``__array_namespace_info__()`` returns: the inspection namespace of the standard."""

    def capabilities(self) -> dict:
        # Boolean masks index only when they have the array's whole shape, and the functions of
        # data-dependent shape (nonzero, unique_*) are not bound yet: both False until they are.
        return {"boolean indexing": False, "data-dependent shapes": False, "max dimensions": None}

    def default_device(self) -> str:
        return "cpu"

    def devices(self) -> list:
        return ["cpu"]

    def default_dtypes(self, *, device=None) -> dict:
        _check_device(device)
        # No complex dtypes: the key says so with None.
        return {"real floating": float64, "complex floating": None, "integral": int64, "indexing": int64}

    def dtypes(self, *, device=None, kind=None) -> dict:
        _check_device(device)
        if kind is None:
            return dict(_DTYPES)
        return {name: d for name, d in _DTYPES.items() if isdtype(d, kind)}


def _check_device(device):
    if device is not None and device != "cpu":
        raise ValueError(f'chunkwise has one device, "cpu", not {device!r}')


def __array_namespace_info__() -> _Info:
    """The inspection namespace: capabilities, devices and default dtypes."""
    return _Info()
