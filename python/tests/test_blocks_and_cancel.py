"""map_blocks / map_overlap with Python functions, advanced indexing, and Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import chunkwise as da


def test_map_blocks_python_function_matches_numpy():
    a = np.arange(24, dtype=np.float64).reshape(4, 6)
    x = da.from_array(a, chunks=(2, 4))
    seen = []

    def f(block):
        seen.append(block.shape)
        return block * 2 + 1

    y = x.map_blocks(f)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.compute(), a * 2 + 1)
    # Inferring the dtype calls f once on a tiny block; then one call per block.
    assert sorted(seen[1:]) == sorted([(2, 4), (2, 2), (2, 4), (2, 2)])


def test_map_blocks_several_arrays_dtype_and_kwargs():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.arange(3, dtype=np.int32)
    z = da.map_blocks(lambda p, q, k: (p + q * k).astype(np.int64), da.from_array(a, chunks=1),
                      da.from_array(b), k=10)
    assert z.dtype == np.int64
    np.testing.assert_array_equal(z.compute(), a + b * 10)
    w = da.map_blocks(lambda p: p, da.from_array(a), dtype=np.float32)
    assert w.dtype == np.float32 and w.compute().dtype == np.float32


def test_map_blocks_gives_each_array_in_its_own_dtype():
    """Dask passes each block in its array's dtype: a bool mask indexes, an int8 stays int8."""
    rng = np.random.default_rng(7)
    a = rng.normal(size=(5, 7))
    m = a > 0
    small = np.arange(7, dtype=np.int8)
    seen = set()

    def f(v, keep, k):
        seen.add((v.dtype, keep.dtype, k.dtype))
        out = np.zeros_like(v)
        out[keep] = (v * k)[keep]
        return out

    x, mask, ks = da.from_array(a, chunks=(2, 3)), da.from_array(m, chunks=(3, 4)), da.from_array(small)
    y = da.map_blocks(f, x, mask, ks)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y.compute(), np.where(m, a * small, 0.0))
    assert seen == {(np.dtype(np.float64), np.dtype(bool), np.dtype(np.int8))}
    # The inferred dtype comes from the arrays' own dtypes too: int8 + uint8 is int16.
    u = da.from_array(np.arange(7, dtype=np.uint8))
    s = da.map_blocks(lambda p, q: p + q, ks, u)
    assert s.dtype == np.int16
    np.testing.assert_array_equal(s.compute(), small.astype(np.int16) + np.arange(7, dtype=np.uint8))
    # Blocks are the engine's buffers handed over (no copy, no view of another NumPy array):
    # writable, and the function may keep them.
    kept = []
    z = da.map_blocks(lambda p: (kept.append(p), p)[1], ks, dtype=np.int8).compute()
    np.testing.assert_array_equal(z, small)
    assert all(k.flags.writeable and not isinstance(k.base, np.ndarray) for k in kept)
    np.testing.assert_array_equal(kept[-1], small)


def test_map_blocks_drop_axis():
    a = np.arange(12).reshape(3, 4)
    x = da.from_array(a, chunks=(3, 2))
    s = da.map_blocks(lambda b: b.sum(axis=0), x, drop_axis=[0])
    np.testing.assert_array_equal(s.compute(), a.sum(axis=0))


def test_exception_in_map_blocks_comes_back_as_itself():
    class Boom(Exception):
        pass

    def f(block):
        if block.size > 1:
            raise Boom("from a block")
        return block

    x = da.ones((4, 4), chunks=2)
    y = x.map_blocks(f, dtype=float)
    with pytest.raises(Boom, match="from a block"):
        y.compute()


def test_map_overlap_matches_a_numpy_stencil():
    a = np.arange(20, dtype=np.float64) ** 2
    x = da.from_array(a, chunks=5)

    def diff(b):
        out = np.zeros_like(b)
        out[1:-1] = b[2:] - 2 * b[1:-1] + b[:-2]
        return out

    y = x.map_overlap(diff, depth=1, boundary="nearest").compute()
    padded = np.concatenate([a[:1], a, a[-1:]])
    np.testing.assert_array_equal(y, diff(padded)[1:-1])


@pytest.mark.parametrize(
    "boundary, mode",
    [("reflect", "symmetric"), ("periodic", "wrap"), ("nearest", "edge"), (7.9, "constant")],
)
def test_map_overlap_gives_each_block_owned_and_writable(boundary, mode):
    a = np.arange(42, dtype=np.int32).reshape(6, 7) * 3
    x = da.from_array(a, chunks=(4, 3))
    kept = []

    def laplace(b):
        # The block is the function's own: kept past the call and changed in place.
        kept.append(b)
        b *= 2
        out = np.zeros_like(b)
        out[1:-1, 1:-1] = b[2:, 1:-1] + b[:-2, 1:-1] + b[1:-1, 2:] + b[1:-1, :-2] - 4 * b[1:-1, 1:-1]
        return out

    y = da.map_overlap(laplace, x, depth=1, boundary=boundary, dtype=np.int32).compute()
    blocks = list(kept)
    # A constant is taken in the array's dtype (7.9 -> 7), as np.pad does.
    pad = {"constant_values": 7} if mode == "constant" else {}
    padded = np.pad(a, 1, mode=mode, **pad)
    want = laplace(padded.copy())[1:-1, 1:-1]
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, want)
    assert len(blocks) == 6 and all(k.flags.writeable and k.dtype == np.int32 for k in blocks)
    # Over the buffer the core made, not a copy of it.
    assert not any(k.flags.owndata for k in blocks)


def test_integer_list_and_mask_indexing():
    a = np.arange(30).reshape(5, 6)
    x = da.from_array(a, chunks=(2, 4))
    np.testing.assert_array_equal(x[[4, 0, -1]].compute(), a[[4, 0, -1]])
    np.testing.assert_array_equal(x[1:, [5, 1]].compute(), a[1:, [5, 1]])
    np.testing.assert_array_equal(x[None, :, np.array([2, 3])].compute(), a[None, :, np.array([2, 3])])
    np.testing.assert_array_equal(x[x % 7 == 0].compute(), a[a % 7 == 0])
    np.testing.assert_array_equal(x[a > 20].compute(), a[a > 20])
    with pytest.raises(IndexError):
        x[[0, 9]]
    with pytest.raises(IndexError):
        x[np.ones(3, dtype=bool)]


def test_ctrl_c_stops_a_long_compute_quickly():
    """A SIGINT during a compute raises KeyboardInterrupt within 0.5 s and leaves nothing running."""
    code = textwrap.dedent(
        """
        import sys, time, signal, threading, os
        import chunkwise as da
        x = da.random.random(10**11, chunks=10**6)   # minutes of work
        def interrupt():
            time.sleep(1.0)
            global sent
            sent = time.perf_counter()
            os.kill(os.getpid(), signal.SIGINT)
        threading.Thread(target=interrupt).start()
        try:
            x.sum().compute()
            print("FINISHED")
        except KeyboardInterrupt:
            print(f"INTERRUPTED {time.perf_counter() - sent:.3f}")
        # The engine is idle again: a small compute runs at once.
        t = time.perf_counter()
        assert da.arange(1000).sum().compute() == 499500
        print(f"NEXT {time.perf_counter() - t:.3f}")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = dict(line.split() for line in out.stdout.split("\n") if line)
    assert "INTERRUPTED" in lines, out.stdout
    assert float(lines["INTERRUPTED"]) < 0.5
    assert float(lines["NEXT"]) < 0.5


CTRL_C_IN_PYTHON = """
import sys, time, signal, threading, os
import numpy as np
import chunkwise as da

def spin(seconds):
    # Pure Python: an interrupt lands between its instructions.
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n

def interrupt_after(delay):
    def go():
        time.sleep(delay)
        global sent
        sent = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=go).start()

def attempt(label, run):
    try:
        run()
        print(label, "FINISHED")
    except KeyboardInterrupt:
        print(label, f"{time.perf_counter() - sent:.3f}")

x = da.ones((4, 10), chunks=(1, 10))
interrupt_after(1.0)
attempt("BLOCKS", lambda: x.map_blocks(lambda b: b * spin(5), dtype=float).sum().compute())
interrupt_after(1.0)
attempt("DELAYED", lambda: da.compute(da.delayed(spin)(3), da.delayed(spin)(3)))
# A block function running a nested compute of spinning functions: interrupted too.
inner = da.ones(4, chunks=1).map_blocks(lambda c: c * spin(5), dtype=float)
interrupt_after(1.0)
attempt("NESTED", lambda: x.map_blocks(lambda b: b * float(inner.sum().compute()), dtype=float).sum().compute())
# Another thread's compute, running beside the one Ctrl-C stops, is not interrupted.
results = {}
def other():
    try:
        results["v"] = float(x.map_blocks(lambda b: b + 0 * spin(0.3), dtype=float).sum().compute())
    except BaseException as e:
        results["v"] = repr(e)
beside = threading.Thread(target=other)
interrupt_after(1.0)
beside.start()
attempt("CONCURRENT", lambda: x.map_blocks(lambda b: b * spin(5), dtype=float).sum().compute())
beside.join()
print("OTHER", results["v"])
# No worker is still spinning, and no interrupt is left pending on a worker thread: a
# compute calling Python functions on every worker runs at once and gives its answer.
t = time.perf_counter()
assert float(x.map_blocks(lambda b: b + 0 * spin(0.01)).sum().compute()) == 40.0
assert da.compute(da.delayed(spin)(0.01), da.delayed(sum)([1, 2]))[1] == 3
print("NEXT", f"{time.perf_counter() - t:.3f}")
"""


def test_ctrl_c_interrupts_python_functions_in_blocks_and_delayed_tasks():
    """A SIGINT while workers run pure-Python block functions or delayed tasks interrupts
    them: KeyboardInterrupt within 0.5 s, and the workers are free at once after."""
    out = subprocess.run(
        [sys.executable, "-c", CTRL_C_IN_PYTHON], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    lines = dict(line.split() for line in out.stdout.split("\n") if line)
    assert lines.get("OTHER") == "40.0", out.stdout
    for label in ("BLOCKS", "DELAYED", "NESTED", "CONCURRENT"):
        assert lines.get(label) not in (None, "FINISHED"), out.stdout
        assert float(lines[label]) < 0.5, out.stdout
    assert float(lines["NEXT"]) < 0.5, out.stdout


def test_review_fixes():
    # where with a scalar branch keeps inf and NaN of the array branch; bools stay bool
    a = np.array([1.0, np.inf, np.nan, -2.0])
    x = da.from_array(a)
    np.testing.assert_array_equal(da.where(da.isnan(x), 0, x).compute(), np.where(np.isnan(a), 0, a))
    np.testing.assert_array_equal(da.where(da.isfinite(x), x, 0).compute(), np.where(np.isfinite(a), a, 0))
    b = da.from_array(np.array([True, False]))
    assert da.where(b, b, False).dtype == np.bool_
    # a Python scalar on the left of maximum/minimum is weak
    f32 = da.ones(3, dtype="float32")
    assert da.maximum(0, f32).dtype == np.float32 and da.minimum(0.5, f32).dtype == np.float32
    # float index arrays are an IndexError
    with pytest.raises(IndexError):
        da.arange(5)[[0.5, 1.0]]
    # chunks: None is the whole axis; a flat tuple of blocks for one axis
    assert da.ones((4, 6), chunks=(2, None)).chunks == ((2, 2), (6,))
    assert da.from_array(np.arange(5), chunks=(3, 2)).chunks == ((3, 2),)


def test_from_array_of_misaligned_and_odd_bool_buffers():
    raw = np.zeros(8 * 10 + 1, dtype=np.uint8)
    mis = raw[1:].view(np.float64)
    mis[:] = np.arange(10.0)
    assert not mis.flags.aligned
    np.testing.assert_array_equal(da.from_array(mis, chunks=3).compute(), np.arange(10.0))
    odd = np.array([0, 2, 24, 1], dtype=np.uint8).view(bool)
    got = da.from_array(odd).compute()
    assert got.tolist() == [False, True, True, True]
    assert da.from_array(odd).sum().compute() == 3


def test_compute_inside_a_delayed_task_does_not_deadlock():
    inner = da.delayed(lambda: int(da.arange(10).sum().compute()))
    assert inner().compute(num_workers=1) == 45
    assert da.map_blocks(lambda b: b + da.arange(1).sum().compute(), da.ones(4, chunks=2), dtype=float).compute(num_workers=1).tolist() == [1.0] * 4
