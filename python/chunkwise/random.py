"""Random arrays: Dask's ``da.random`` and NumPy's ``default_rng``.

chunkwise draws from its own counter-based stream (SplitMix64 keyed by position), so a seed
gives the same values for any chunks and any number of workers. The values are not NumPy's or
Dask's numbers; their distributions are the same.
"""

from __future__ import annotations

from ._chunkwise import Generator

__all__ = ["Generator", "default_rng", "random", "uniform", "normal", "standard_normal", "seed"]

_global = Generator()


def default_rng(seed: int | None = None) -> Generator:
    """A generator seeded with ``seed`` (fresh entropy when None), as ``np.random.default_rng``."""
    return Generator(seed)


def seed(seed: int | None = None) -> None:
    """Reseeds the module's generator (used by ``random``, ``uniform``, ...)."""
    global _global
    _global = Generator(seed)


def random(size=None, chunks="auto", dtype=None):
    """Uniform values in [0, 1) of shape ``size``."""
    return _global.random(size, dtype, chunks)


def uniform(low=0.0, high=1.0, size=None, chunks="auto"):
    """Uniform values in [low, high) of shape ``size``."""
    return _global.uniform(low, high, size, chunks)


def normal(loc=0.0, scale=1.0, size=None, chunks="auto"):
    """Normal values of mean ``loc`` and standard deviation ``scale``."""
    return _global.normal(loc, scale, size, chunks)


def standard_normal(size=None, chunks="auto", dtype=None):
    """Standard normal values of shape ``size``."""
    return _global.standard_normal(size, dtype, chunks)
