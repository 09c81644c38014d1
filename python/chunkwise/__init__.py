"""chunkwise: chunked, lazy N-d arrays with Dask's surface, computed by a Rust engine.

``import chunkwise as da`` runs Dask-array code such as::

    pts = da.random.uniform(-1, 1, (2, N))
    M = da.count_nonzero((pts**2).sum(axis=0) < 1)
    (4 * M / N).compute()

Arrays record their sources and operations lazily; ``compute()`` plans the graph and runs it
chunk by chunk on all cores, fused (no chunk-sized temporaries), with the GIL released. Results
are the same bits for any chunking and any ``num_workers``.
"""

from __future__ import annotations

import builtins
import collections
import functools
import itertools
import math
import operator
import os
from typing import Any, NamedTuple

import numpy as np

from . import _chunkwise
from ._chunkwise import (
    Array, Delayed, concatenate, from_npy, from_zarr, map_blocks, map_overlap, matmul, stack,
    to_npy, to_zarr,
)
from . import random

__all__ = [
    "Array", "Delayed", "delayed", "compute", "ProgressBar", "arange", "linspace", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "empty_like", "full_like", "from_array", "asarray", "concatenate", "stack",
    "where", "matmul", "transpose", "reshape", "ravel", "squeeze", "count_nonzero", "sum",
    "prod", "mean", "min", "max", "std", "var", "any", "all", "argmin", "argmax", "ptp",
    "nansum", "nanprod", "nanmean", "nanmin", "nanmax", "nanstd", "nanvar", "nanargmin",
    "nanargmax", "median", "nanmedian", "percentile", "nanpercentile", "quantile",
    "nanquantile", "cumsum", "cumprod", "sqrt", "exp", "log", "log2", "log10", "log1p",
    "expm1", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "tanh", "absolute", "abs",
    "negative", "positive", "square", "floor", "ceil", "round", "trunc", "isnan", "isfinite",
    "invert", "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
    "remainder", "power", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "bitwise_and", "bitwise_or", "bitwise_xor", "from_npy",
    "to_npy", "from_zarr", "to_zarr", "random", "map_blocks", "map_overlap", "take",
    "histogram", "topk", "argtopk", "einsum", "store", "Profiler", "ResourceProfiler",
    "TaskData", "ResourceData", "visualize",
    # The array API standard (2024.12) names: see `_array_api.py` and the end of this file.
    "__array_api_version__", "__array_namespace_info__", "bool", "int8", "int16", "int32",
    "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "e", "inf", "nan",
    "pi", "newaxis", "isdtype", "finfo", "iinfo", "result_type", "can_cast", "astype", "acos",
    "asin", "atan", "pow", "bitwise_invert", "concat", "permute_dims", "matrix_transpose",
    "unstack", "expand_dims", "vecdot", "conj", "real", "sinh", "cosh", "arcsinh", "arccosh",
    "arctanh", "reciprocal", "sign", "signbit", "isinf", "logical_not", "left_shift",
    "right_shift", "arctan2", "hypot", "copysign", "logaddexp", "nextafter", "logical_and",
    "logical_or", "logical_xor", "clip", "acosh", "asinh", "atanh", "atan2",
    "bitwise_left_shift", "bitwise_right_shift", "imag", "from_dlpack", "eye", "tril", "triu",
    "meshgrid", "broadcast_arrays", "broadcast_to", "flip", "moveaxis", "roll", "tile", "repeat",
    "diff", "cumulative_sum", "cumulative_prod", "sort", "argsort", "searchsorted", "nonzero",
    "unique_values", "unique_counts", "unique_inverse", "unique_all", "tensordot",
    "take_along_axis",
]

where = _chunkwise.where


class ProgressBar:
    """``with chunkwise.ProgressBar():`` shows a progress bar on stderr for the computes inside
    that run longer than ``minimum`` seconds (Dask's ``dask.diagnostics.ProgressBar``)."""

    def __init__(self, minimum: float = 0.0):
        self.minimum = minimum

    def __enter__(self):
        _chunkwise._set_progress(True, float(self.minimum))
        return self

    def __exit__(self, *exc):
        _chunkwise._set_progress(False, 0.0)
        return False


def compute(*args, num_workers=None):
    """Computes arrays and delayed values together (Dask's ``da.compute``): one tuple of
    results, in order; anything else passes through unchanged. Arrays share one pass over
    their common inputs; delayed values run as one task graph."""
    delayeds = [a for a in args if isinstance(a, Delayed)]
    others = [a for a in args if not isinstance(a, Delayed)]
    computed = iter(_chunkwise.compute(*others, num_workers=num_workers))
    values = iter(())
    if delayeds:
        values = iter(_chunkwise._delayed_call("compute", tuple, delayeds).compute(num_workers))
    return tuple(next(values) if isinstance(a, Delayed) else next(computed) for a in args)


class _Slot:
    """Where a delayed argument's value goes back."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


def _replace(v, f):
    if isinstance(v, list):
        return [_replace(i, f) for i in v]
    if isinstance(v, tuple):
        return tuple(_replace(i, f) for i in v)
    if isinstance(v, dict):
        return {k: _replace(i, f) for k, i in v.items()}
    return f(v)


_names = itertools.count()


def delayed(obj=None, *, name=None, pure=None, nout=None):
    """Dask's ``delayed``: a function whose calls build a task graph, or a value as a task.

    ``delayed(f)(x, y)`` is a ``Delayed``: nothing runs until ``.compute()`` (or
    ``chunkwise.compute(a, b)``), which runs independent tasks at once on the engine's workers.
    Delayed arguments, also inside lists, tuples and dicts, are replaced by their values. Python
    functions hold the GIL while they run; those that release it (``time.sleep``, I/O, NumPy)
    overlap. An exception in a task comes back as itself. ``pure`` and ``nout`` are accepted
    for compatibility and ignored.
    """
    if obj is None:
        return functools.partial(delayed, name=name, pure=pure, nout=nout)
    if isinstance(obj, Delayed):
        return obj
    if not callable(obj):
        return _chunkwise._delayed_call(name or f"value-{next(_names)}", lambda values: obj, [])

    @functools.wraps(obj)
    def call(*args, **kwargs):
        deps = []

        def slot(v):
            if isinstance(v, Delayed):
                deps.append(v)
                return _Slot(len(deps) - 1)
            return v

        a, k = _replace(args, slot), _replace(kwargs, slot)

        def run(values):
            def put(v):
                return values[v.i] if isinstance(v, _Slot) else v

            return obj(*_replace(a, put), **_replace(k, put))

        key = name or f"{getattr(obj, '__name__', 'task')}-{next(_names)}"
        return _chunkwise._delayed_call(key, run, deps)

    return call


def _delayed_op(name, *args):
    """``operator.<name>(*args)`` as a task: Delayed operators, items and attributes."""
    if name == "pow3":
        op = builtins.pow  # pow(d, exponent, modulo)
    else:
        op = getattr(builtins, name) if name == "getattr" else getattr(operator, name)
    return delayed(op, name=f"{name}-{next(_names)}")(*args)


def _delayed_call_value(f, *args, **kwargs):
    """A delayed call of a delayed value (``d.method(x)``, or a delayed function)."""
    return delayed(lambda g, *a, **k: g(*a, **k), name=f"call-{next(_names)}")(f, *args, **kwargs)


def arange(start, stop=None, step=1, *, chunks="auto", dtype=None, device=None) -> Array:
    """Evenly spaced values in ``[start, stop)``, as ``np.arange``.

    The dtype is int64 for integer arguments and float64 when any is a float, unless ``dtype``
    is given.
    """
    _check_device(device)
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        floats = builtins.any(isinstance(v, (float, np.floating)) for v in (start, stop, step))
        dtype = np.float64 if floats else np.int64
    return _chunkwise._arange(start, stop, step, dtype, chunks)


def linspace(start, stop, num=50, *, endpoint=True, chunks="auto", dtype=None, device=None) -> Array:
    """``num`` evenly spaced values from ``start`` to ``stop`` (included when ``endpoint``)."""
    _check_device(device)
    return _chunkwise._linspace(float(start), float(stop), int(num), builtins.bool(endpoint), dtype, chunks)


def zeros(shape, dtype=float, chunks="auto", *, device=None) -> Array:
    """An array of zeros (``False`` for bool)."""
    _check_device(device)
    return _chunkwise.zeros(shape, dtype, chunks)


def ones(shape, dtype=float, chunks="auto", *, device=None) -> Array:
    """An array of ones (``True`` for bool)."""
    _check_device(device)
    return _chunkwise.ones(shape, dtype, chunks)


def empty(shape, dtype=float, chunks="auto", *, device=None) -> Array:
    """An array whose values are not to be relied on (zeros here, as computing them is free)."""
    _check_device(device)
    return _chunkwise.zeros(shape, dtype, chunks)


def full(shape, fill_value, dtype=None, chunks="auto", *, device=None) -> Array:
    """An array filled with ``fill_value`` (its dtype unless ``dtype`` is given)."""
    _check_device(device)
    return _chunkwise.full(shape, fill_value, dtype, chunks)


def _like(x, dtype, chunks, shape):
    shape = x.shape if shape is None else shape
    dtype = x.dtype if dtype is None else dtype
    if chunks is None:
        chunks = x.chunks if isinstance(x, Array) and tuple(shape) == x.shape else "auto"
    return shape, dtype, chunks


def zeros_like(x, dtype=None, chunks=None, shape=None, *, device=None) -> Array:
    """Zeros of ``x``'s shape, dtype and chunks."""
    _check_device(device)
    shape, dtype, chunks = _like(x, dtype, chunks, shape)
    return zeros(shape, dtype, chunks)


def ones_like(x, dtype=None, chunks=None, shape=None, *, device=None) -> Array:
    """Ones of ``x``'s shape, dtype and chunks."""
    _check_device(device)
    shape, dtype, chunks = _like(x, dtype, chunks, shape)
    return ones(shape, dtype, chunks)


def empty_like(x, dtype=None, chunks=None, shape=None, *, device=None) -> Array:
    """Like ``zeros_like``."""
    return zeros_like(x, dtype, chunks, shape, device=device)


def full_like(x, fill_value, dtype=None, chunks=None, shape=None, *, device=None) -> Array:
    """``fill_value`` in ``x``'s shape, dtype and chunks."""
    _check_device(device)
    shape, dtype, chunks = _like(x, dtype, chunks, shape)
    return full(shape, fill_value, dtype, chunks)


def from_array(x, chunks="auto") -> Array:
    """A NumPy array (or anything ``np.asarray`` takes) as a chunked array.

    A C-contiguous NumPy array of a supported dtype is read in place, without a copy: writes to
    it after this call are seen by later computes, as with Dask.
    """
    return _chunkwise.from_array(x, chunks)


def asarray(x, chunks="auto", *, dtype=None, device=None, copy=None) -> Array:
    """``x`` as an ``Array``: itself if it is one (converted when ``dtype`` differs), else
    ``from_array(np.asarray(x, dtype=dtype))`` (Python scalars and nested sequences included).

    ``copy=True`` copies a NumPy array first, so that later writes to it are not seen;
    ``copy=False`` raises where a copy would be needed (a conversion of dtype, values that are
    not a C-contiguous NumPy array already). An ``Array`` is never copied: with ``copy=True``
    the result is a new ``Array`` object over the same lazy values, so that an assignment
    (``x[i] = v``) to one is not seen by the other."""
    _check_device(device)
    if isinstance(x, Array):
        if dtype is None or np.dtype(dtype) == x.dtype:
            # astype to its own dtype: a new object over the same node.
            return x.astype(x.dtype) if copy else x
        if copy is False:
            raise ValueError("asarray: converting the dtype needs a copy, and copy=False")
        return x.astype(dtype)
    if copy is False:
        if (
            not isinstance(x, np.ndarray)
            or not x.flags.c_contiguous
            or (dtype is not None and np.dtype(dtype) != x.dtype)
        ):
            raise ValueError("asarray: these values need a copy, and copy=False")
        return from_array(x, chunks)
    a = np.array(x, dtype=dtype, copy=True) if copy else np.asarray(x, dtype=dtype)
    return from_array(a, chunks)


def take(a, indices, axis=None) -> Array:
    """The elements at ``indices`` along ``axis`` (of the flattened array when None)."""
    a = asarray(a)
    if axis is None:
        return a.ravel()[list(np.asarray(indices).ravel())]
    key = [slice(None)] * a.ndim
    key[axis] = list(np.asarray(indices).ravel())
    return a[tuple(key)]


def transpose(a, axes=None) -> Array:
    """The axes permuted (reversed by default)."""
    a = asarray(a)
    return a.transpose() if axes is None else a.transpose(*axes)


def reshape(a, shape, *, copy=None) -> Array:
    """The same values in a new shape (never a copy: the new array is a lazy view, whatever
    ``copy`` says)."""
    return asarray(a).reshape(shape)


def ravel(a) -> Array:
    """The values as one axis, in C order."""
    return asarray(a).ravel()


def squeeze(a, axis=None) -> Array:
    """Axes of length one removed."""
    return asarray(a).squeeze(axis)


def _reduction(name, doc):
    def f(a, axis=None, keepdims=False, *, dtype=None):
        if dtype is None:
            return _chunkwise._reduce(name, a, axis, keepdims, 0)
        # Summed in the dtype's accumulator, then back to the dtype: integers wrap as they would
        # have summed in it (modular arithmetic), as NumPy's sum(dtype=) does.
        r = _chunkwise._reduce(name, asarray(a).astype(dtype), axis, keepdims, 0)
        return r if r.dtype == np.dtype(dtype) else r.astype(dtype)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + "\n\nOver ``axis`` (None: every axis; an int or a tuple of ints), keeping the reduced axes as length one when ``keepdims``; ``dtype`` converts the values first."
    return f


def _spread(name, doc):
    def f(a, axis=None, keepdims=False, *, ddof=None, correction=None):
        if ddof is not None and correction is not None:
            raise TypeError(f"{name}: give ddof or correction, not both")
        c = correction if correction is not None else (ddof if ddof is not None else 0)
        a = asarray(a)
        axes = range(a.ndim) if axis is None else ((axis,) if isinstance(axis, int) else axis)
        n = math.prod(a.shape[i] for i in axes)
        if c == int(c) and (c < n or name.startswith("nan")):
            return _chunkwise._reduce(name, a, axis, keepdims, int(c))
        # A fractional correction (the array API allows one), or one of at least n (NumPy's
        # inf, or NaN for no spread): the population variance rescaled by n / (n - c).
        if name.startswith("nan"):
            # n is the count of values that are not NaN, lane by lane.
            n = sum(logical_not(isnan(a)), axis=axis, keepdims=keepdims).astype(np.float64)
            factor = where(greater(n, c), divide(n, subtract(n, c)), math.inf)
            v = multiply(_chunkwise._reduce("nanvar", a, axis, keepdims, 0), factor)
        else:
            v = _chunkwise._reduce("var", a, axis, keepdims, 0) * (n / (n - c) if n > c else math.inf)
        return sqrt(v) if name.endswith("std") else v

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + "\n\nOver ``axis`` (None: every axis), keeping the reduced axes when ``keepdims``: the sum of squared deviations over ``n - correction`` (``ddof`` is NumPy's name for ``correction``)."
    return f


sum = _reduction("sum", "The sum.")
prod = _reduction("prod", "The product.")
mean = _reduction("mean", "The arithmetic mean.")
min = _reduction("min", "The smallest value.")
max = _reduction("max", "The largest value.")
std = _spread("std", "The standard deviation.")
var = _spread("var", "The variance.")
any = _reduction("any", "Whether any value is nonzero.")
all = _reduction("all", "Whether every value is nonzero.")
argmin = _reduction("argmin", "The index of the smallest value.")
argmax = _reduction("argmax", "The index of the largest value.")
ptp = _reduction("ptp", "The range, largest minus smallest.")
count_nonzero = _reduction("count_nonzero", "The number of nonzero values (int64).")
nansum = _reduction("nansum", "The sum, NaNs counted as zero.")
nanprod = _reduction("nanprod", "The product, NaNs counted as one.")
nanmean = _reduction("nanmean", "The mean of the values that are not NaN.")
nanmin = _reduction("nanmin", "The smallest value that is not NaN.")
nanmax = _reduction("nanmax", "The largest value that is not NaN.")
nanstd = _spread("nanstd", "The standard deviation of the values that are not NaN.")
nanvar = _spread("nanvar", "The variance of the values that are not NaN.")
nanargmin = _reduction("nanargmin", "The index of the smallest value that is not NaN.")
nanargmax = _reduction("nanargmax", "The index of the largest value that is not NaN.")
median = _reduction("median", "The median (exact, as ``np.median``).")
nanmedian = _reduction("nanmedian", "The median of the values that are not NaN.")


def _quantile(name, doc):
    def f(a, q, axis=None, keepdims=False, method="linear"):
        if method != "linear":
            raise ValueError(f"{name}: method {method!r} is not supported (only 'linear')")
        if np.ndim(q) == 0:
            return _chunkwise._reduce(name, a, axis, keepdims, 0, float(q))
        if np.ndim(q) != 1:
            raise ValueError(f"{name}: q must be a number or a 1-d sequence of numbers")
        qs = [float(v) for v in np.asarray(q, dtype=float)]
        if name in ("quantile", "percentile"):
            # Every q in one pass over the data.
            scale = 100.0 if name == "percentile" else 1.0
            if builtins.any(not (0.0 <= v <= scale) for v in qs):
                raise ValueError(f"{name}: q must be in [0, {scale:g}], not {q!r}")
            return _chunkwise._quantiles(a, [v / scale for v in qs], axis, keepdims)
        # The NaN-aware forms: one selection per q, stacked as NumPy's.
        return stack([f(a, v, axis, keepdims) for v in qs], axis=0)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


quantile = _quantile("quantile", "The ``q``-th quantile (0 <= q <= 1), exact, linear interpolation.")
nanquantile = _quantile("nanquantile", "``quantile`` of the values that are not NaN.")
percentile = _quantile("percentile", "The ``q``-th percentile (0 <= q <= 100), exact, linear interpolation.")
nanpercentile = _quantile("nanpercentile", "``percentile`` of the values that are not NaN.")


def histogram(a, bins=10, range=None, density=False, weights=None):
    """``np.histogram`` of a chunked array: ``(counts, edges)``, both lazy (Dask's
    ``da.histogram``). ``bins`` is a number of equal bins over ``range`` (without a range the
    data's min and max are computed first, a pass of its own; Dask asks for the range
    instead), or the bins' edges as a sequence (then ``range`` is not used, as in NumPy).
    ``density`` divides the counts by the total and the bin width (float64). ``weights``, of
    ``a``'s shape, are summed in each bin instead of counting (in the weights' dtype, as
    NumPy; each bin's sum is exact, rounded once to float64 and then to the weights' dtype,
    so the same at any chunking; bool weights are a ``TypeError``)."""
    if weights is not None:
        weights = asarray(weights)
    if np.ndim(bins) == 1:
        edges = np.asarray(bins)
        if edges.dtype.kind not in "biuf":
            raise TypeError(f"histogram: bins must be numbers, not {edges.dtype}")
        counts, got = _chunkwise._histogram_edges(asarray(a), [float(e) for e in edges], weights)
        # NumPy returns the edges as given (int64 for integer edges).
        edges = got if edges.dtype == np.float64 else from_array(edges.copy(), chunks=-1)
    elif np.ndim(bins) != 0:
        raise ValueError("histogram: bins must be an integer or a 1-d sequence of edges")
    else:
        if isinstance(bins, (builtins.bool, np.bool_)) or not isinstance(bins, (int, np.integer)):
            raise TypeError(f"histogram: bins must be an integer, not {type(bins).__name__}")
        if bins < 1:
            raise ValueError(f"histogram: bins must be at least 1, not {bins}")
        a = asarray(a)
        if range is None:
            if a.size == 0:
                range = (0.0, 1.0)
            else:
                lo, hi = compute(a.min(), a.max())
                range = (float(lo), float(hi))
        lo, hi = (float(v) for v in range)
        counts, edges = _chunkwise._histogram(a, int(bins), (lo, hi), weights)
    if density:
        # As NumPy: the widths in the edges' dtype, then as float64.
        widths = (edges[1:] - edges[:-1]).astype(np.float64)
        counts = counts / (counts.sum() * widths)
    return counts, edges


def topk(a, k, axis=-1):
    """The ``k`` largest values along ``axis``, largest first; a negative ``k`` gives the
    ``|k|`` smallest, smallest first (Dask's ``da.topk``). ``axis=None`` takes them of the
    flattened array."""
    return _chunkwise._topk("topk", a, int(k), axis)


def argtopk(a, k, axis=-1):
    """The positions along ``axis`` of ``topk``'s values (Dask's ``da.argtopk``)."""
    return _chunkwise._topk("argtopk", a, int(k), axis)


def einsum(subscripts, *operands, dtype=None, **kwargs):
    """``np.einsum`` of chunked arrays (``"ij,jk->ik"``, ``"bij,bjk->bik"``, ``"ii->i"``,
    ellipses): lazy; the operands meet at their common dtype, or are cast to ``dtype`` when
    given (as NumPy's ``casting="unsafe"``). Pairs of operands become block matrix products.
    Of bools the result is bool (any product true), as NumPy's."""
    optimize = kwargs.pop("optimize", None)
    kwargs.pop("split_every", None)
    if kwargs:
        raise TypeError(f"einsum() got unexpected keyword arguments {sorted(kwargs)}")
    del optimize  # the contraction order is the engine's (two operands at a time)
    arrays = [asarray(o) for o in operands]
    if dtype is not None:
        # The operands cast to ``dtype`` first (NumPy's ``casting="unsafe"``).
        arrays = [x.astype(dtype) for x in arrays]
    return _chunkwise.einsum(subscripts, *arrays)


def _target_kind(t):
    """``"npy"`` or ``"zarr"`` for a file path target, None for an array-like one."""
    if isinstance(t, (str, os.PathLike)):
        path = os.fspath(t)
        return "npy" if path.endswith(".npy") else "zarr"
    return None


def store(sources, targets, lock=True, regions=None, compute=True, return_stored=False, num_workers=None, **kwargs):
    """Writes arrays to targets (Dask's ``da.store``). Targets are file paths (``.npy``, else
    a Zarr store) or array-likes that take ``target[region] = values`` (NumPy arrays, zarr-python
    arrays, h5py datasets).

    Every path target is written in one compute that reads shared inputs once, and its file
    appears only when all are written. Array-like targets get the computed arrays (computed
    together, one whole result at a time: their memory is the result's, not a chunk's; write to
    a path for chunk-bounded memory). ``regions`` places each source inside its target.
    ``compute=False`` returns a ``Delayed`` that stores when computed; ``return_stored``
    returns the sources. ``lock`` is accepted and unused (the engine writes each chunk once)."""
    if kwargs:
        raise TypeError(f"store() got unexpected keyword arguments {sorted(kwargs)}")
    single = isinstance(sources, Array)
    sources = [sources] if single else list(sources)
    targets = [targets] if single or not isinstance(targets, (list, tuple)) else list(targets)
    if len(sources) != len(targets):
        raise ValueError(f"store: {len(sources)} sources for {len(targets)} targets")
    if regions is not None:
        regions = [regions] if not isinstance(regions, list) else regions
        if len(regions) == 1 and len(sources) > 1:
            regions = regions * len(sources)
        if len(regions) != len(sources):
            raise ValueError(f"store: {len(regions)} regions for {len(sources)} sources")
    sources = [asarray(s) for s in sources]

    def run():
        files = [(s, t) for s, t in zip(sources, targets) if _target_kind(t)]
        others = [(i, s, t) for i, (s, t) in enumerate(zip(sources, targets)) if not _target_kind(t)]
        if files and regions is not None:
            raise ValueError("store: regions need array-like targets, not file paths")
        for _, _, t in others:
            if not hasattr(t, "__setitem__"):
                raise TypeError(f"store: a target must be a path or support item assignment, not {type(t).__name__}")
        if files:
            _chunkwise._store(
                [s for s, _ in files], [os.fspath(t) for _, t in files],
                [_target_kind(t) for _, t in files], num_workers,
            )
        if others:
            values = _chunkwise.compute(*[s for _, s, _ in others], num_workers=num_workers)
            for (i, _, t), v in zip(others, values):
                t[regions[i] if regions is not None else ...] = v

    if not compute:
        return delayed(run, name="store")()
    run()
    return (sources[0] if single else sources) if return_stored else None


class Profiler:
    """``with chunkwise.Profiler() as prof:`` records every compute inside the block (from any
    thread): its tasks (Dask's ``Profiler``) and the process's memory and CPU sampled every
    ``interval`` seconds (Dask's ``ResourceProfiler``).

    ``prof.results`` lists the tasks as ``TaskData(key, task, start_time, end_time,
    worker_id, elements, nbytes, ok)``, times in seconds from the profiler's creation;
    ``prof.resources`` lists ``ResourceData(time, mem, cpu)`` (MiB, percent of one core).
    ``prof.visualize(filename)`` writes a compute's timeline as SVG (tasks per worker, memory
    and CPU beneath); ``prof.to_json()`` gives its record."""

    def __init__(self, interval: float = 0.01, dt: float | None = None):
        # ``dt`` is Dask's ResourceProfiler's name for the interval.
        self._rec = _chunkwise._Profiler(float(interval if dt is None else dt))

    def __enter__(self):
        self._rec._open()
        return self

    def __exit__(self, *exc):
        self._rec._close()
        return False

    @property
    def results(self):
        return [TaskData(*t) for t in self._rec._tasks()]

    @property
    def resources(self):
        return [ResourceData(t, b / 2**20, c) for t, b, c in self._rec._resources()]

    @property
    def computes(self) -> int:
        """How many computes were recorded."""
        return self._rec._computes()

    def visualize(self, filename="profile.svg", index=-1) -> str:
        """Writes compute ``index``'s timeline (the last by default) as SVG; returns the path."""
        path = os.fspath(filename)
        if not path.endswith(".svg"):
            path += ".svg"
        self._rec._write_svg(path, index)
        return path

    def to_json(self, index=-1) -> str:
        """Compute ``index``'s record (the last by default) as JSON."""
        return self._rec._json(index)


class ResourceProfiler(Profiler):
    """Dask's ``ResourceProfiler``: a ``Profiler`` whose ``results`` are the memory and CPU
    samples (``ResourceData(time, mem, cpu)``, MiB and percent of one core)."""

    @property
    def results(self):
        return self.resources


TaskData = collections.namedtuple(
    "TaskData", "key task start_time end_time worker_id elements nbytes ok"
)
ResourceData = collections.namedtuple("ResourceData", "time mem cpu")


def visualize(*args, filename="mydask", optimize_graph=False, **kwargs):
    """Draws the graph of an array or a delayed value (Dask's ``dask.visualize``): DOT, and SVG
    where Graphviz is installed; returns the picture's path. One object at a time."""
    if len(args) != 1:
        raise NotImplementedError("visualize: one array or delayed value at a time")
    x = args[0]
    if isinstance(x, Delayed):
        return x.visualize(filename)
    return asarray(x).visualize(filename, optimize_graph, **kwargs)


def cumsum(a, axis=None) -> Array:
    """Running sums along ``axis`` (the flattened array when None)."""
    return _chunkwise._scan("cumsum", a, axis)


def cumprod(a, axis=None) -> Array:
    """Running products along ``axis`` (the flattened array when None)."""
    return _chunkwise._scan("cumprod", a, axis)


def _unary(name, doc):
    def f(x):
        return _chunkwise._unary(name, x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + " Elementwise and lazy; integer inputs give floats as NumPy's do."
    return f


sqrt = _unary("sqrt", "The square root.")
exp = _unary("exp", "e to the power x.")
log = _unary("log", "The natural logarithm.")
log2 = _unary("log2", "The base-2 logarithm.")
log10 = _unary("log10", "The base-10 logarithm.")
log1p = _unary("log1p", "log(1 + x).")
expm1 = _unary("expm1", "exp(x) - 1.")
sin = _unary("sin", "The sine.")
cos = _unary("cos", "The cosine.")
tan = _unary("tan", "The tangent.")
arcsin = _unary("arcsin", "The inverse sine.")
arccos = _unary("arccos", "The inverse cosine.")
arctan = _unary("arctan", "The inverse tangent.")
tanh = _unary("tanh", "The hyperbolic tangent.")
absolute = _unary("absolute", "The absolute value.")
abs = absolute
negative = _unary("negative", "-x.")
positive = _unary("positive", "+x.")
square = _unary("square", "x * x.")
floor = _unary("floor", "Rounded down.")
ceil = _unary("ceil", "Rounded up.")
round = _unary("round", "Rounded to the nearest integer, halves to even.")
trunc = _unary("trunc", "Rounded toward zero.")
isnan = _unary("isnan", "Whether the value is NaN.")
isfinite = _unary("isfinite", "Whether the value is finite.")
invert = _unary("invert", "Bitwise not (logical not of bools).")
sinh = _unary("sinh", "The hyperbolic sine.")
cosh = _unary("cosh", "The hyperbolic cosine.")
arcsinh = _unary("arcsinh", "The inverse hyperbolic sine.")
arccosh = _unary("arccosh", "The inverse hyperbolic cosine.")
arctanh = _unary("arctanh", "The inverse hyperbolic tangent.")
reciprocal = _unary("reciprocal", "1 / x.")
sign = _unary("sign", "-1, 0 or 1 (NaN for NaN), in x's dtype.")
signbit = _unary("signbit", "Whether the sign bit is set (-0.0 included).")
isinf = _unary("isinf", "Whether the value is infinite.")
logical_not = _unary("logical_not", "Whether the value is zero (false).")


def _binary(name, doc):
    def f(x1, x2):
        return _chunkwise._binary(name, x1, x2)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc + " Elementwise, broadcast, with NumPy 2's promotion rules."
    return f


add = _binary("add", "x1 + x2.")
subtract = _binary("subtract", "x1 - x2.")
multiply = _binary("multiply", "x1 * x2.")
divide = _binary("divide", "x1 / x2.")
true_divide = divide
floor_divide = _binary("floor_divide", "x1 // x2.")
mod = _binary("mod", "x1 % x2.")
remainder = mod
power = _binary("power", "x1 ** x2.")
maximum = _binary("maximum", "The larger of the two (NaN if either is).")
minimum = _binary("minimum", "The smaller of the two (NaN if either is).")
equal = _binary("equal", "x1 == x2.")
not_equal = _binary("not_equal", "x1 != x2.")
less = _binary("less", "x1 < x2.")
less_equal = _binary("less_equal", "x1 <= x2.")
greater = _binary("greater", "x1 > x2.")
greater_equal = _binary("greater_equal", "x1 >= x2.")
bitwise_and = _binary("bitwise_and", "x1 & x2.")
bitwise_or = _binary("bitwise_or", "x1 | x2.")
bitwise_xor = _binary("bitwise_xor", "x1 ^ x2.")
left_shift = _binary("left_shift", "x1 << x2 (0 once x2 reaches the width).")
right_shift = _binary("right_shift", "x1 >> x2 (arithmetic for signed integers).")
arctan2 = _binary("arctan2", "The angle of the point (x2, x1), in [-pi, pi].")
hypot = _binary("hypot", "sqrt(x1**2 + x2**2) without undue overflow.")
copysign = _binary("copysign", "|x1| with the sign bit of x2.")
logaddexp = _binary("logaddexp", "log(exp(x1) + exp(x2)) without overflow.")
nextafter = _binary("nextafter", "The next representable value after x1 toward x2.")
logical_and = _binary("logical_and", "Whether both are true (non-zero).")
logical_or = _binary("logical_or", "Whether either is true (non-zero).")
logical_xor = _binary("logical_xor", "Whether exactly one is true (non-zero).")
clip = _chunkwise.clip

_UFUNCS = {
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod",
    "power", "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "bitwise_and", "bitwise_or", "bitwise_xor", "sqrt", "exp", "log", "log2",
    "log10", "log1p", "expm1", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "tanh",
    "absolute", "negative", "positive", "square", "floor", "ceil", "trunc", "isnan", "isfinite",
    "invert", "rint", "sinh", "cosh", "arcsinh", "arccosh", "arctanh", "sign",
    "signbit", "isinf", "logical_not", "left_shift", "right_shift", "arctan2", "hypot",
    "copysign", "logaddexp", "nextafter", "logical_and", "logical_or", "logical_xor",
}


def _array_ufunc(ufunc, method, inputs, kwargs) -> Any:
    """NumPy's ``__array_ufunc__`` protocol: ufuncs of chunkwise arrays stay lazy."""
    if method != "__call__" or kwargs or ufunc.__name__ not in _UFUNCS:
        return NotImplemented
    name = "round" if ufunc.__name__ == "rint" else ufunc.__name__
    return globals()[name](*inputs)


# The array API standard's spellings (2024.12) of what is above, and its metadata.

from ._array_api import (  # noqa: E402  (after the functions the aliases name)
    __array_api_version__, __array_namespace_info__, _check_device, bool, can_cast, e, finfo,
    float32, float64, iinfo, inf, int8, int16, int32, int64, isdtype, nan, newaxis, pi,
    result_type, uint8, uint16, uint32, uint64,
)

acos = arccos
asin = arcsin
atan = arctan
acosh = arccosh
asinh = arcsinh
atanh = arctanh
atan2 = arctan2
pow = power
bitwise_invert = invert
bitwise_left_shift = left_shift
bitwise_right_shift = right_shift


def astype(x, dtype, /, *, copy=True, device=None) -> Array:
    """``x`` converted to ``dtype`` (a new lazy array whatever ``copy`` says: arrays are never
    written in place)."""
    _check_device(device)
    return x.astype(dtype)


def concat(arrays, /, *, axis=0) -> Array:
    """The arrays joined along an existing ``axis``; with ``axis=None``, each flattened first."""
    if axis is None:
        return concatenate([ravel(a) for a in arrays], 0)
    return concatenate(arrays, axis)


def permute_dims(x, /, axes) -> Array:
    """The axes of ``x`` permuted: axis ``i`` of the result is axis ``axes[i]`` of ``x``."""
    return transpose(x, tuple(axes))


def matrix_transpose(x, /) -> Array:
    """The last two axes swapped (``x.mT``)."""
    return x.mT


def _axis_index(axis, n, op):
    if not -n <= axis < n:
        raise IndexError(f"{op}: axis {axis} is out of range for {n} axes")
    return axis % n


def unstack(x, /, *, axis=0) -> tuple:
    """The slices of ``x`` along ``axis``, as a tuple of arrays with one axis fewer."""
    a = _axis_index(axis, x.ndim, "unstack")
    lead = (slice(None),) * a
    return tuple(x[lead + (i,)] for i in range(x.shape[a]))


def expand_dims(x, /, axis=0) -> Array:
    """``x`` with a new axis of length 1 at ``axis`` (from ``-ndim - 1`` to ``ndim``)."""
    a = _axis_index(axis, x.ndim + 1, "expand_dims")
    return x[(slice(None),) * a + (None, Ellipsis)]


def vecdot(x1, x2, /, *, axis=-1) -> Array:
    """The dot product of ``x1`` and ``x2`` along ``axis`` of their broadcast shape, as
    ``sum(x1 * x2, axis=axis)`` (no conjugation: chunkwise's dtypes are real). The axis is not
    broadcast: both arrays must have it, with one length."""
    if not isinstance(x1, Array) or not isinstance(x2, Array):
        raise TypeError("vecdot takes two chunkwise arrays")
    if axis >= 0:
        # Counted in the broadcast shape, as NumPy's vecdot.
        axis -= builtins.max(x1.ndim, x2.ndim)
    if not -builtins.min(x1.ndim, x2.ndim) <= axis < 0:
        raise ValueError(f"vecdot: axis {axis} is out of range for arrays of {x1.ndim} and {x2.ndim} axes")
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(f"vecdot: lengths {x1.shape[axis]} and {x2.shape[axis]} along axis {axis} differ")
    products = multiply(x1, x2)
    dot = sum(products, axis=axis)
    # The standard's dtype is the operands' promoted one; integer sums promote (as NumPy's
    # sum), and wrap back modulo the dtype's range as NumPy's vecdot does.
    return dot if dot.dtype == products.dtype else dot.astype(products.dtype)


def conj(x, /) -> Array:
    """The complex conjugate: ``x`` itself, as chunkwise's dtypes are real."""
    return x


def real(x, /) -> Array:
    """The real part: ``x`` itself, as chunkwise's dtypes are real."""
    return x


def imag(x, /) -> Array:
    """The imaginary part: zeros of ``x``'s shape and dtype, as chunkwise's dtypes are real."""
    return zeros_like(x)


def from_dlpack(x, /, *, device=None, copy=None) -> Array:
    """An array from any object with ``__dlpack__`` (through ``np.from_dlpack``, which reads it
    in place when it can; ``copy=True`` copies it)."""
    _check_device(device)
    # (copy= is NumPy 2.1's; the package takes NumPy 2.0 too.)
    a = np.from_dlpack(x) if copy is None else np.from_dlpack(x, copy=copy)
    return from_array(a)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None, chunks="auto") -> Array:
    """Ones on the ``k``-th diagonal of an ``n_rows x n_cols`` array, zeros elsewhere."""
    _check_device(device)
    n_cols = n_rows if n_cols is None else n_cols
    # A diagonal past either edge is empty however far: clamped, any Python int is taken.
    k = builtins.max(-n_rows - 1, builtins.min(operator.index(k), n_cols + 1))
    return _chunkwise._eye(n_rows, n_cols, k, dtype, chunks)


def tril(x, /, *, k=0) -> Array:
    """The elements at and below the ``k``-th diagonal of the last two axes, zeros above."""
    return _chunkwise._rearrange("tril", x, [k])


def triu(x, /, *, k=0) -> Array:
    """The elements at and above the ``k``-th diagonal of the last two axes, zeros below."""
    return _chunkwise._rearrange("triu", x, [k])


def meshgrid(*arrays, indexing="xy") -> list:
    """Coordinate arrays from 1-d coordinate arrays (``"xy"``: the first two axes swapped)."""
    return _chunkwise._meshgrid(list(arrays), indexing)


def broadcast_arrays(*arrays) -> list:
    """The arrays broadcast to their common shape (views: nothing is copied)."""
    return _chunkwise._broadcast_arrays(list(arrays))


def broadcast_to(x, /, shape) -> Array:
    """``x`` broadcast to ``shape`` (a view)."""
    return _chunkwise._broadcast_to(x, tuple(shape))


def _axes(axis):
    return None if axis is None else ([axis] if isinstance(axis, int) else list(axis))


def flip(x, /, *, axis=None) -> Array:
    """The elements in reverse order along ``axis`` (an int, a tuple, or None for every axis)."""
    return _chunkwise._rearrange("flip", x, [], _axes(axis))


def moveaxis(x, source, destination, /) -> Array:
    """Axes ``source`` moved to ``destination`` (ints or tuples of one length)."""
    return _chunkwise._rearrange("moveaxis", x, _axes(source), _axes(destination))


def roll(x, /, shift, *, axis=None) -> Array:
    """The elements shifted along ``axis`` with wrap-around (the flattened array when None)."""
    return _chunkwise._rearrange("roll", x, _axes(shift), _axes(axis))


def tile(x, repetitions, /) -> Array:
    """``x`` repeated ``repetitions[i]`` times along each axis."""
    return _chunkwise._rearrange("tile", x, list(repetitions))


def repeat(x, repeats, /, *, axis=None) -> Array:
    """Each element repeated ``repeats`` times along ``axis`` (the flattened array when None);
    ``repeats`` one count or one per element (an array of counts is computed here: the result's
    shape depends on it)."""
    return _chunkwise._repeat(x, repeats, axis)


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None) -> Array:
    """The ``n``-th differences along ``axis``, after ``prepend`` and ``append`` are joined to
    ``x`` along it."""
    if prepend is not None or append is not None:
        parts = [p for p in (prepend, x, append) if p is not None]
        x = concat([asarray(p) for p in parts], axis=axis)
    return _chunkwise._rearrange("diff", x, [n], [axis])


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    """Running sums along ``axis`` (needed past one dimension), led by 0 when
    ``include_initial``; small integers sum as int64, ``dtype`` converts the values first."""
    return _cumulative("cumulative_sum", x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    """Running products along ``axis``, led by 1 when ``include_initial``."""
    return _cumulative("cumulative_prod", x, axis, dtype, include_initial)


def _cumulative(name, x, axis, dtype, include_initial):
    if dtype is None:
        return _chunkwise._cumulative(name, x, axis, include_initial)
    # In the dtype's accumulator, then back to the dtype (integers wrap as they would in it).
    r = _chunkwise._cumulative(name, asarray(x).astype(dtype), axis, include_initial)
    return r if r.dtype == np.dtype(dtype) else r.astype(dtype)


# Sorting, searching and sets (the array API's forms; the logic is the Rust core's).

from ._chunkwise import (  # noqa: E402
    argsort, nonzero, searchsorted, sort, take_along_axis, tensordot,
)


class UniqueAllResult(NamedTuple):
    """``unique_all``'s result: the distinct values, each one's first flat position, each
    element's value position (``x``'s shape) and each value's count."""

    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    """``unique_counts``'s result."""

    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    """``unique_inverse``'s result."""

    values: Array
    inverse_indices: Array


def unique_all(x, /) -> UniqueAllResult:
    """The distinct values, ascending, with their first positions, the inverse and the counts.
    Each NaN is a distinct value (count 1), as the standard asks; NumPy's ``unique`` merges
    them. The distinct values are counted when this is called (their number sets the shape)."""
    return UniqueAllResult(*_chunkwise._unique_all(x))


def unique_counts(x, /) -> UniqueCountsResult:
    """The distinct values, ascending (each NaN its own), and how often each occurs."""
    u = unique_all(x)
    return UniqueCountsResult(u.values, u.counts)


def unique_inverse(x, /) -> UniqueInverseResult:
    """The distinct values, ascending (each NaN its own), and for each element of ``x`` the
    position of its value among them (``x``'s shape)."""
    u = unique_all(x)
    return UniqueInverseResult(u.values, u.inverse_indices)


def unique_values(x, /) -> Array:
    """The distinct values, ascending, each NaN its own."""
    return unique_all(x).values


# The array API's extensions: linalg (the decompositions are the Rust core's, through faer)
# and the real-valued part of fft.
from . import fft, linalg  # noqa: E402
