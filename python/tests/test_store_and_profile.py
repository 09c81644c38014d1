"""da.store (files and array-likes), visualize(filename=) and the profiler."""

import json
import os
import threading
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import chunkwise as da
from conftest import assert_same


def test_store_to_files_in_one_compute(tmp_path):
    x = da.random.default_rng(3).random((300, 40), chunks=(70, 40))
    want = x.compute()
    targets = [str(tmp_path / "x.npy"), tmp_path / "y.zarr"]
    assert da.store([x, 2 * x], targets) is None
    assert_same(np.load(targets[0]), want)
    back = da.from_zarr(str(targets[1])).compute()
    assert_same(back, 2 * want, rtol=0)
    # No temporaries are left beside the files.
    assert sorted(os.listdir(tmp_path)) == ["x.npy", "y.zarr"]


def test_store_into_numpy_arrays_with_regions_and_return_stored():
    x = da.arange(12, chunks=5).reshape(3, 4)
    target = np.zeros((5, 4), dtype=np.int64)
    stored = da.store(x, target, regions=(slice(1, 4), slice(None)), return_stored=True)
    assert stored is x
    want = np.zeros((5, 4), dtype=np.int64)
    want[1:4] = np.arange(12).reshape(3, 4)
    assert_same(target, want)
    a, b = np.empty(3), np.empty((2, 2))
    da.store([da.ones(3), da.full((2, 2), 7.0)], [a, b])
    assert_same(a, np.ones(3))
    assert_same(b, np.full((2, 2), 7.0))


def test_store_compute_false_is_delayed(tmp_path):
    path = str(tmp_path / "late.npy")
    d = da.store(da.arange(10, chunks=3), path, compute=False)
    assert isinstance(d, da.Delayed) and not os.path.exists(path)
    d.compute()
    assert_same(np.load(path), np.arange(10))


def test_store_errors_leave_nothing(tmp_path):
    with pytest.raises(ValueError):
        da.store([da.ones(3), da.ones(3)], [np.empty(3)])
    with pytest.raises(TypeError):
        da.store(da.ones(3), 42)
    with pytest.raises(ValueError):
        da.store(da.ones(3), str(tmp_path / "r.npy"), regions=(slice(0, 3),))
    # A failing compute writes no file (the source's values are an error).
    bad = da.from_array(np.array([1.0, np.nan]), chunks=1)
    with pytest.raises(ValueError):
        da.store([da.ones(2), da.nanargmax(bad.reshape(1, 2) * np.nan, axis=1)],
                 [str(tmp_path / "a.npy"), str(tmp_path / "b.npy")])
    assert os.listdir(tmp_path) == []


def test_visualize_writes_the_graph(tmp_path):
    pts = da.random.uniform(-1, 1, (2, 10_000), chunks=(2, 2_500))
    inside = da.count_nonzero((pts**2).sum(axis=0) < 1)
    with pytest.warns(RuntimeWarning) if _no_graphviz() else _quiet():
        path = inside.visualize(filename=str(tmp_path / "pi"))
    assert os.path.exists(path) and os.path.exists(tmp_path / "pi.dot")
    dot = open(tmp_path / "pi.dot").read()
    assert "count_nonzero" in dot and "uniform" in dot
    if path.endswith(".svg"):
        ET.parse(path)  # well-formed SVG
    tasks = inside.visualize(filename=str(tmp_path / "pi_tasks"), tasks=True)
    assert open(tmp_path / "pi_tasks.dot").read().count("->") > open(tmp_path / "pi.dot").read().count("->")
    assert tasks.startswith(str(tmp_path / "pi_tasks"))
    fused = da.visualize(inside, filename=str(tmp_path / "pi_fused"), optimize_graph=True)
    assert os.path.exists(fused)
    d = da.delayed(sum)([da.delayed(1), da.delayed(2)])
    assert os.path.exists(d.visualize(str(tmp_path / "soup")))


def _no_graphviz():
    import shutil

    return shutil.which("dot") is None


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_profiler_records_every_compute_in_its_block(tmp_path):
    x = da.random.default_rng(0).random((400_000,), chunks=50_000)
    outside = x.sum().compute()
    with da.Profiler(interval=0.002) as prof:
        assert x.sum().compute() == outside
        x.mean().compute(num_workers=1)
    x.max().compute()  # after the block: not recorded
    assert prof.computes == 2
    tasks = prof.results
    assert len(tasks) >= 16  # 8 chunks, twice, plus the combines
    assert all(isinstance(t, da.TaskData) for t in tasks)
    assert all(t.end_time >= t.start_time >= 0 for t in tasks) and all(t.ok for t in tasks)
    # Each task names its compute: two computes, two names.
    assert len({t.task for t in tasks}) == 2
    assert sum(t.elements for t in tasks) >= 2 * 400_000
    res = prof.resources
    assert res and all(r.mem > 0 for r in res)
    svg = prof.visualize(str(tmp_path / "timeline"))
    assert svg.endswith("timeline.svg")
    ET.parse(svg)
    rec = json.loads(prof.to_json(0))
    assert rec["tasks"] and rec["name"]
    with pytest.raises(ValueError):
        prof.to_json(5)
    with pytest.raises(ValueError):
        da.Profiler(interval=0)


def test_resource_profiler_and_threads():
    with da.ResourceProfiler(interval=0.001) as rprof:
        # A compute from another thread is recorded too.
        t = threading.Thread(target=lambda: da.ones((1000, 1000), chunks=250).sum().compute())
        t.start()
        t.join()
    assert rprof.computes == 1
    assert all(isinstance(r, da.ResourceData) for r in rprof.results)
    empty = da.Profiler()
    assert empty.results == [] and empty.computes == 0
    with pytest.raises(ValueError):
        empty.visualize("nothing.svg")
