"""chunkwise from Python against the Rust examples, measured in one run: the same workloads on
the same engine, so the binding's cost is the difference.

    cargo build --release --examples            # the Rust side (target/release/examples)
    python against_rust.py                      # pi 1e8 and 1e9, arange(1e9).sum(), Dask docs
    python against_rust.py --quick              # pi 1e7, arange(1e8).sum(), docs n = 2000

Runs alternate (Rust, Python, Rust, ...) and each is a fresh process, so that its peak RSS is its
own; the figure is the median of `--repeats` runs of the compute alone (imports and set-up are
not timed, in either language). Also printed: Dask on the lesson's pi in the same run (where
installed), the peak RSS of each Python run against an interpreter that only imported NumPy,
block functions written in Python (a `map_overlap` stencil and a `map_blocks`, 20000^2 in
chunks of 2000) from chunkwise and from Dask alternating, and the cost of one small compute
from Python (`float(x[3])`) against the engine's own (`examples/compute_overhead.rs`).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the Python side, one workload per child process --------------------------------------------


def python_case(lib, case, n, workers):
    """A function running the workload as the lesson's (or Dask's docs') Python writes it."""
    if lib == "dask":
        import dask.array as da
    else:
        import chunkwise as da

    if case == "pi":
        def run():
            pts = da.random.uniform(-1, 1, (2, n))
            M = da.count_nonzero((pts**2).sum(axis=0) < 1)
            return float((4 * M / n).compute(num_workers=workers))
    elif case == "sum":
        def run():
            return int(da.arange(n).sum().compute(num_workers=workers))
    elif case == "docs":
        def run():
            x = da.random.random(size=(n, n), chunks=(n // 10, n // 10))
            return float((x + x.T - x.mean(axis=0)).sum().compute(num_workers=workers))
    elif case in ("overlap", "blocks"):
        import numpy as np

        def mean3x3(b):
            # `../shared/peers/ops_peers.py`'s stencil: the 3x3 mean of the block's inside, padded
            # back to the block's shape (map_overlap trims the halo off what it returns).
            o = b[1:-1, 1:-1].copy()
            for i in (0, 1, 2):
                for j in (0, 1, 2):
                    if (i, j) != (1, 1):
                        o += b[i:i + b.shape[0] - 2, j:j + b.shape[1] - 2]
            return np.pad(o / 9, 1)

        def run():
            x = da.random.default_rng(0).random((n, n), chunks=min(2000, n))
            if case == "overlap":
                y = x.map_overlap(mean3x3, depth=1, boundary="reflect")
            else:
                y = x.map_blocks(lambda b: b / 9)
            return float(y.sum().compute(num_workers=workers))
    else:
        raise ValueError(case)
    return run


def child(lib, case, n, workers):
    if case == "baseline":
        import numpy  # noqa: F401 - the interpreter with NumPy, nothing else

        print(json.dumps({"peak_rss_mib": peak_rss_mib()}))
        return
    if case == "overhead":
        import numpy as np

        import chunkwise as da

        x = da.from_array(np.arange(10.0), chunks=5)
        for _ in range(1000):
            float(x[3])
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(n):
                float(x[3])
            times.append((time.perf_counter() - t) / n)
        print(json.dumps({"us_per_call": statistics.median(times) * 1e6}))
        return
    run = python_case(lib, case, n, workers)
    # NumPy's OpenBLAS starts a thread per extra core at import, and each spins (sched_yield)
    # for about 0.1 s before it sleeps: a compute started at once shares the 2 cores with it
    # (measured 2026-12-03: arange(1e9).sum() 0.10-0.13 s, against 0.093 s after this pause or
    # with OPENBLAS_NUM_THREADS=1). The Rust examples have no such thread; wait it out, before
    # the pool exists: a pool that computed, then slept 0.3 s, ran its next computes slower
    # (measured 2026-12-05, the Dask docs example, in Rust alike: 74-82 ms against 67-71 ms
    # with the pause first; the next compute 70 ms either way).
    time.sleep(0.3)
    # Warm-up on a tiny input: imports, the pool's threads.
    python_case(lib, case, 20 if case in ("docs", "overlap", "blocks") else 1000, workers)()
    # Every worker busy right before the clock starts, as the Rust examples have them
    # (`rayon::broadcast` in `examples/common`): a compute of 64 small tasks.
    da_mod = sys.modules["dask.array" if lib == "dask" else "chunkwise"]
    da_mod.arange(1 << 20, chunks=1 << 14).sum().compute(num_workers=workers)
    t = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "result": result, "peak_rss_mib": peak_rss_mib()}))


def run_python(lib, case, n, workers):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", lib, case, str(n), str(workers)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"{lib} {case}: {p.stderr.strip()[-400:]}")
    return json.loads(lines[-1])


# --- the Rust side ------------------------------------------------------------------------------


def run_rust(bin_dir, case, n, workers):
    exe, extra = {
        "pi": ("pi", []),
        "sum": ("arange_sum", ["--variant", "chunked"]),
        "docs": ("dask_docs", []),
        "overhead": ("compute_overhead", ["--repeats", "5"]),
    }[case]
    cmd = [os.path.join(bin_dir, exe), "--n", str(n), *extra]
    if case != "overhead":
        cmd += ["--workers", str(workers)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{exe}: {p.stderr.strip()[-400:]}")
    report = {}
    for line in p.stdout.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            report[key.strip()] = value.strip()
    return report


def blocks_against_dask(args):
    """Block functions written in Python (NumPy), from chunkwise and from Dask, alternating: the
    stencil of `examples/stencil` as `map_overlap`, and `map_blocks(b / 9)`, summed."""
    n = 4000 if args.quick else args.blocks_n
    print(f"Python block functions, {n}^2 random, chunks of {min(2000, n)}, chunkwise and Dask "
          f"alternating (median of {args.repeats}):")
    for case in ("overlap", "blocks"):
        ours, theirs, ours_mib, theirs_mib = [], [], [], []
        try:
            for _ in range(args.repeats):
                q = run_python("chunkwise", case, n, args.workers)
                ours.append(q["seconds"])
                ours_mib.append(q["peak_rss_mib"])
                d = run_python("dask", case, n, args.workers)
                theirs.append(d["seconds"])
                theirs_mib.append(d["peak_rss_mib"])
        except RuntimeError as e:
            print(f"  {case}: not measured: {str(e).splitlines()[-1][:120]}")
            continue
        cs, ds = statistics.median(ours), statistics.median(theirs)
        print(f"  {case:<8} chunkwise {cs:.3f} s ({min(ours):.3f}-{max(ours):.3f}), "
              f"{max(ours_mib):.0f} MiB; Dask {ds:.3f} s ({min(theirs):.3f}-{max(theirs):.3f}), "
              f"{max(theirs_mib):.0f} MiB; Dask / chunkwise {ds / cs:.2f}", flush=True)


def show(n):
    k = len(str(n)) - 1
    return f"1e{k}" if n == 10**k and k >= 3 else str(n)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "examples"),
                   help="the Rust examples (cargo build --release --examples)")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--no-dask", action="store_true", help="leave Dask out")
    p.add_argument("--blocks-n", type=int, default=20000,
                   help="side of the block functions' array, against Dask")
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        lib, case, n, workers = args.child
        child(lib, case, int(n), int(workers))
        return

    cases = [("pi", 10**7), ("sum", 10**8), ("docs", 2000)] if args.quick else [
        ("pi", 10**8), ("pi", 10**9), ("sum", 10**9), ("docs", 10_000)]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, workers = {args.workers}, "
          f"median of {args.repeats} runs each, Rust and Python alternating")
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f}")
    base = run_python("none", "baseline", 0, 1)["peak_rss_mib"]
    print(f"peak RSS of python with numpy imported: {base:.1f} MiB")
    header = (f"{'workload':<22} {'Rust s':>9} {'Python s':>9} {'Py/Rust':>8} "
              f"{'Rust MiB':>9} {'Py MiB':>8} {'Py-base':>8}")
    print(header)
    print("-" * len(header))
    python_pi_1e8 = None
    for case, n in cases:
        rust, py, rust_mib, py_mib = [], [], [], []
        for _ in range(args.repeats):
            r = run_rust(args.bin, case, n, args.workers)
            rust.append(float(r["seconds"]))
            rust_mib.append(float(r.get("peak_rss_mib", "nan")))
            q = run_python("chunkwise", case, n, args.workers)
            py.append(q["seconds"])
            py_mib.append(q["peak_rss_mib"])
        rs, ps = statistics.median(rust), statistics.median(py)
        if case == "pi" and n == 10**8 or args.quick and case == "pi":
            python_pi_1e8 = (n, ps)
        name = {"pi": f"pi, N = {show(n)}", "sum": f"arange({show(n)}).sum()",
                "docs": f"Dask docs, n = {n}"}[case]
        print(f"{name:<22} {rs:>9.3f} {ps:>9.3f} {ps / rs:>8.3f} {max(rust_mib):>9.1f} "
              f"{max(py_mib):>8.1f} {max(py_mib) - base:>8.1f}", flush=True)
    if python_pi_1e8 and not args.no_dask:
        n, ps = python_pi_1e8
        try:
            d = statistics.median(run_python("dask", "pi", n, args.workers)["seconds"]
                                  for _ in range(max(1, args.repeats // 2)))
            print(f"Dask, pi N = {show(n)}: {d:.3f} s, {d / ps:.1f}x chunkwise from Python")
        except RuntimeError as e:
            print(f"Dask not measured: {str(e).splitlines()[-1][:120]}")
    if not args.no_dask:
        blocks_against_dask(args)
    calls = 2000 if args.quick else 20000
    r = run_rust(args.bin, "overhead", calls, 1)
    q = run_python("chunkwise", "overhead", calls, 1)
    engine = float(r["us_per_call"])
    print(f"float(x[3]) from Python: {q['us_per_call']:.1f} us per call; the engine's own "
          f"(DynArray slice + item): {engine:.1f} us; binding cost {q['us_per_call'] - engine:.1f} us")


if __name__ == "__main__":
    main()
