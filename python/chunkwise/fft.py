"""The real-valued part of the array API standard's ``fft`` extension (2024.12), as
``chunkwise.fft``: ``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift``.

The transforms themselves (``fft``, ``ifft``, ``fftn``, ``ifftn``, ``rfft``, ``irfft``,
``rfftn``, ``irfftn``, ``hfft``, ``ihfft``) are not here: they return or take complex arrays,
and chunkwise has no complex dtypes.
"""

from __future__ import annotations

import builtins

import numpy as np

from . import arange, asarray, roll, where
from ._chunkwise import Array

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _check_n(n, d, op):
    if isinstance(n, builtins.bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{op}: n must be a positive integer, not {n!r}")
    if d == 0:
        raise ValueError(f"{op}: the sample spacing d must not be 0")


def fftfreq(n, /, *, d=1.0, dtype=None, device=None) -> Array:
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``:
    ``[0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d * n)`` (NumPy's ``fftfreq``)."""
    _check_n(n, d, "fftfreq")
    k = arange(n, dtype=np.int64)
    freqs = where(k < (n + 1) // 2, k, k - n)
    out = np.dtype(dtype) if dtype is not None else np.dtype(np.float64)
    return (asarray(freqs).astype(np.float64) * (1.0 / (n * d))).astype(out)


def rfftfreq(n, /, *, d=1.0, dtype=None, device=None) -> Array:
    """The sample frequencies of an ``n``-point real transform: ``[0, 1, ..., n // 2] / (d *
    n)`` (NumPy's ``rfftfreq``)."""
    _check_n(n, d, "rfftfreq")
    out = np.dtype(dtype) if dtype is not None else np.dtype(np.float64)
    return (arange(n // 2 + 1, dtype=np.float64) * (1.0 / (n * d))).astype(out)


def _shifts(x, axes, sign):
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    axes = tuple(axes)
    return [sign * (x.shape[a] // 2) for a in axes], list(axes)


def fftshift(x, /, *, axes=None) -> Array:
    """The zero frequency moved to the middle of ``axes`` (every axis by default)."""
    shift, axes = _shifts(x, axes, 1)
    return roll(x, tuple(shift), axis=tuple(axes)) if axes else x


def ifftshift(x, /, *, axes=None) -> Array:
    """The inverse of ``fftshift``."""
    shift, axes = _shifts(x, axes, -1)
    return roll(x, tuple(shift), axis=tuple(axes)) if axes else x
