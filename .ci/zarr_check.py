"""Cross-check of chunkwise's Zarr stores with zarr-python (3.x).

    python .ci/zarr_check.py write DIR   # zarr-python writes zp_*.zarr: every dtype chunkwise
                                         # has with the default codecs (zstd), gzip, blosc,
                                         # sharded, big-endian, and Zarr v2 (blosc)
    cargo run --release --example copy_files -- DIR   # chunkwise reads each, writes rt_*.zarr
                                                      # and rt_*_sharded.zarr
    python .ci/zarr_check.py verify DIR  # zarr-python reads every rt_*: same values and dtype
"""
import pathlib
import sys

import numpy as np
import zarr

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import npy_check  # noqa: E402  (the same values as the .npy check)
from zarr.codecs import BloscCodec, BytesCodec, GzipCodec

DTYPES = npy_check.DTYPES
SHAPE = (7, 6, 5)
CHUNKS = (3, 4, 2)


def values(code):
    return npy_check.values(code, SHAPE)


def cases():
    """(name, dtype code, create_array keywords)"""
    for code in DTYPES:
        yield f"zp_{code}_default.zarr", code, {}
    yield "zp_f8_gzip.zarr", "f8", {"compressors": [GzipCodec(level=5)]}
    yield "zp_i4_blosc.zarr", "i4", {"compressors": [BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")]}
    yield "zp_f8_sharded.zarr", "f8", {"chunks": (2, 2, 2), "shards": (4, 4, 4)}
    yield "zp_f8_bigendian.zarr", "f8", {"serializer": BytesCodec(endian="big")}
    yield "zp_f8_v2.zarr", "f8", {"zarr_format": 2}
    yield "zp_u4_v2.zarr", "u4", {"zarr_format": 2}


def write(d):
    d.mkdir(parents=True, exist_ok=True)
    n = 0
    for name, code, kw in cases():
        kw = {"chunks": CHUNKS, **kw}
        a = zarr.create_array(d / name, shape=SHAPE, dtype=code, **kw)
        a[...] = values(code)
        n += 1
    print(f"zarr-python {zarr.__version__} wrote {n} stores")


def verify(d):
    n = 0
    for name, code, _ in cases():
        for suffix in ("", "_sharded"):
            path = d / ("rt_" + name[3:-5] + suffix + ".zarr")
            a = zarr.open_array(path, mode="r")
            got = a[...]
            want = values(code)
            assert a.metadata.zarr_format == 3, path
            assert got.dtype == want.dtype and got.shape == SHAPE, (path, got.dtype, got.shape)
            assert np.array_equal(got, want), path
            if code[0] == "f":
                assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), path
            if suffix:
                assert a.shards is not None, path
            n += 1
    print(f"zarr-python read {n} stores chunkwise wrote: identical values and dtypes")


if __name__ == "__main__":
    {"write": write, "verify": verify}[sys.argv[1]](pathlib.Path(sys.argv[2]))
