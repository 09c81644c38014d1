"""Cross-check of chunkwise's .npy files with NumPy.

    python .ci/npy_check.py write DIR    # NumPy writes np_*.npy: every dtype chunkwise has,
                                         # C and Fortran order, little and big endian
    cargo run --release --example copy_files -- DIR   # chunkwise reads each, writes rt_*.npy
    python .ci/npy_check.py verify DIR   # NumPy reads rt_*.npy: same values and dtype
"""
import pathlib
import sys

import numpy as np

DTYPES = ["f8", "f4", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"]
SHAPE = (3, 4, 5)


def values(code, shape=SHAPE):
    """Distinct values of every kind for dtype `code` (also used by zarr_check.py)."""
    i = np.arange(np.prod(shape)).reshape(shape)
    if code == "b1":
        return (i % 3) == 1
    if code[0] == "f":
        return (i * 0.37 - 7.5).astype(code)
    if code[0] == "i":
        return (i * 977 - 20000).astype(code)
    return (i * 977 + 13).astype(code)


def cases():
    for code in DTYPES:
        for order in "CF":
            for end in ("<", ">"):
                if code in ("u1", "i1", "b1") and end == ">":
                    continue
                yield f"np_{code}_{order}_{'le' if end == '<' else 'be'}.npy", code, order, end


def write(d):
    d.mkdir(parents=True, exist_ok=True)
    for name, code, order, end in cases():
        a = values(code).astype(np.dtype(code).newbyteorder(end) if code not in ("u1", "i1", "b1") else code)
        a = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
        np.save(d / name, a)
        assert np.load(d / name).flags.f_contiguous == (order == "F")
    print(f"numpy wrote {len(list(cases()))} files")


def verify(d):
    n = 0
    for name, code, _, _ in cases():
        got = np.load(d / ("rt_" + name[3:]))
        want = values(code)
        assert got.dtype == np.dtype(code).newbyteorder("<") or got.dtype == np.dtype(code), (name, got.dtype)
        assert got.shape == SHAPE and got.flags.c_contiguous, name
        assert np.array_equal(got, want), name
        if code[0] == "f":
            assert np.array_equal(got.view(np.uint8), want.astype(got.dtype).view(np.uint8)), name
        n += 1
    print(f"numpy read {n} files chunkwise wrote: identical values and dtypes")


if __name__ == "__main__":
    {"write": write, "verify": verify}[sys.argv[1]](pathlib.Path(sys.argv[2]))
