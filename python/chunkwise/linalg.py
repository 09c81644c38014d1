"""The array API standard's ``linalg`` extension (2024.12), as ``chunkwise.linalg``.

The decompositions (``cholesky``, ``det``, ``slogdet``, ``inv``, ``solve``, ``eigh``,
``eigvalsh``, ``svd``, ``svdvals``, ``qr``, ``pinv``, ``matrix_rank``) act on the last two
axes, the leading ones a stack of matrices: each matrix is made whole in one block and the
workers decompose the blocks' matrices in parallel (faer, in the Rust core), one worker per
matrix. Integer arrays are decomposed as float64, as NumPy's ``linalg`` does. A function with
several results returns a named tuple of lazy arrays, each of which decomposes the matrices
when computed (compute ``svdvals`` alone for the values). A singular matrix (``inv``,
``solve``) or one that is not positive definite (``cholesky``) raises ``ValueError`` at
compute, where NumPy raises ``LinAlgError`` (a ``ValueError``) at the call.
"""

from __future__ import annotations

from typing import NamedTuple

from . import _chunkwise
from ._chunkwise import Array

__all__ = [
    "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul",
    "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer", "pinv", "qr",
    "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
]


class EighResult(NamedTuple):
    """``eigh``'s results: the eigenvalues (ascending) and the eigenvectors (columns)."""

    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    """``qr``'s results: ``x = Q @ R``."""

    Q: Array
    R: Array


class SlogdetResult(NamedTuple):
    """``slogdet``'s results: the determinant is ``sign * exp(logabsdet)``."""

    sign: Array
    logabsdet: Array


class SVDResult(NamedTuple):
    """``svd``'s results: ``x = U @ diag(S) @ Vh``, ``S`` descending."""

    U: Array
    S: Array
    Vh: Array


def cholesky(x, /, *, upper=False) -> Array:
    """The Cholesky factor of each symmetric positive definite matrix (its lower triangle is
    read): ``L`` with ``x = L @ L.mT``, or with ``upper`` ``U = L.mT``."""
    return _chunkwise.linalg_cholesky(x, upper=upper)


def det(x, /) -> Array:
    """The determinant of each square matrix (LU with partial pivoting)."""
    return _chunkwise.linalg_det(x)


def slogdet(x, /) -> SlogdetResult:
    """The sign and the natural log of the absolute value of each determinant: ``(0, -inf)``
    for a singular matrix."""
    return SlogdetResult(*_chunkwise.linalg__slogdet(x))


def inv(x, /) -> Array:
    """The inverse of each square matrix."""
    return _chunkwise.linalg_inv(x)


def solve(x1, x2, /) -> Array:
    """``x`` with ``x1 @ x = x2`` for each square matrix of ``x1``: ``x2`` is a stack of
    ``(..., M, K)`` matrices (the stacks broadcast) or one ``(M,)`` vector."""
    return _chunkwise.linalg_solve(x1, x2)


def eigh(x, /) -> EighResult:
    """The eigenvalues (ascending) and eigenvectors of each symmetric matrix (its lower
    triangle is read)."""
    return EighResult(*_chunkwise.linalg__eigh(x))


def eigvalsh(x, /) -> Array:
    """The eigenvalues of each symmetric matrix, ascending."""
    return _chunkwise.linalg_eigvalsh(x)


def svd(x, /, *, full_matrices=True) -> SVDResult:
    """The singular value decomposition of each matrix."""
    return SVDResult(*_chunkwise.linalg__svd(x, full_matrices=full_matrices))


def svdvals(x, /) -> Array:
    """The singular values of each matrix, descending (the vectors are not computed)."""
    return _chunkwise.linalg_svdvals(x)


def qr(x, /, *, mode="reduced") -> QRResult:
    """The QR decomposition of each matrix (``mode`` ``'reduced'`` or ``'complete'``)."""
    return QRResult(*_chunkwise.linalg__qr(x, mode=mode))


def pinv(x, /, *, rtol=None) -> Array:
    """The pseudo-inverse of each matrix: singular values at most ``rtol`` times the largest
    are cut (``None``: ``max(M, N)`` times the dtype's epsilon; an array is one value per
    matrix of the stack)."""
    return _chunkwise.linalg_pinv(x, rtol=rtol)


def matrix_rank(x, /, *, rtol=None) -> Array:
    """The rank of each matrix (int64): the count of singular values above ``rtol`` times the
    largest."""
    return _chunkwise.linalg_matrix_rank(x, rtol=rtol)


def matrix_power(x, n, /) -> Array:
    """Each square matrix to the integer power ``n`` (negative: of the inverse; 0: the
    identity)."""
    return _chunkwise.linalg_matrix_power(x, n)


def matrix_norm(x, /, *, keepdims=False, ord="fro") -> Array:
    """A norm of each matrix: ``'fro'``, ``'nuc'``, ``1``, ``-1``, ``2``, ``-2``, ``inf`` or
    ``-inf`` (NumPy's ``norm`` of matrices)."""
    return _chunkwise.linalg_matrix_norm(x, keepdims=keepdims, ord=ord)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2) -> Array:
    """The ``ord``-norm of the vectors along ``axis`` (every axis by default)."""
    return _chunkwise.linalg_vector_norm(x, axis=axis, keepdims=keepdims, ord=float(ord))


def diagonal(x, /, *, offset=0) -> Array:
    """The ``offset``-th diagonal of each matrix."""
    return _chunkwise.linalg_diagonal(x, offset=offset)


def trace(x, /, *, offset=0, dtype=None) -> Array:
    """The sum of each matrix's ``offset``-th diagonal (summed as ``sum`` sums)."""
    return _chunkwise.linalg_trace(x, offset=offset, dtype=dtype)


def outer(x1, x2, /) -> Array:
    """The outer product of two 1-d arrays."""
    return _chunkwise.linalg_outer(x1, x2)


def cross(x1, x2, /, *, axis=-1) -> Array:
    """The cross product of the 3-vectors along ``axis``."""
    return _chunkwise.linalg_cross(x1, x2, axis=axis)


# The namespace's own functions, under linalg's names too (as NumPy's).
from . import matmul, matrix_transpose, tensordot, vecdot  # noqa: E402
