"""The lesson's table, measured in one run: Monte-Carlo pi and arange(N).sum() in NumPy, Dask,
Numba and chunkwise (the lesson's Dask code with `import chunkwise as da`).

    python lesson.py                      # pi at N = 1e8, arange(1e9).sum(), all cores
    python lesson.py --n 1e7 --sum-n 1e8 --workers 2

Each (workload, system) runs in a fresh Python process (`python lesson.py --one SYSTEM --case
CASE ...`), so that its peak RSS (ru_maxrss at its end, imports included) is its own. The time
is one call, measured with time.perf_counter after a warm-up call on a tiny input (imports and
Numba's compilation are not timed). A system whose package is missing is "not installed"; NumPy
is skipped when it would need more than 80% of the available memory.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time

SYSTEMS = ["numpy", "dask", "numba", "chunkwise"]
CASES = ["pi", "sum"]


# --- the lesson's code ------------------------------------------------------------------------


def calc_pi(N):
    """The lesson's pure-Python loop, compiled by Numba."""
    M = 0
    for i in range(N):
        # Simulate impact coordinates
        x = random.uniform(-1, 1)
        y = random.uniform(-1, 1)
        # True if impact happens inside the circle
        if x**2 + y**2 < 1.0:
            M += 1
    return 4 * M / N


def calc_pi_numpy(N):
    import numpy as np

    # Simulate impact coordinates
    pts = np.random.uniform(-1, 1, (2, N))
    # Count number of impacts inside the circle
    M = np.count_nonzero((pts**2).sum(axis=0) < 1)
    return 4 * M / N


def make_calc_pi_dask(da):
    def calc_pi_dask(N):
        # Simulate impact coordinates
        pts = da.random.uniform(-1, 1, (2, N))
        # Count number of impacts inside the circle
        M = da.count_nonzero((pts**2).sum(axis=0) < 1)
        return 4 * M / N

    return calc_pi_dask


def sum_range(a):
    """The lesson's loop for Numba: the sum of range(a)."""
    x = 0
    for i in range(a):
        x += i
    return x


# --- one measurement, in a child process ------------------------------------------------------


def build(system, case, workers):
    """A function of N doing the work, or None when the system is not installed."""
    try:
        if system == "numpy":
            import numpy as np

            if case == "pi":
                return calc_pi_numpy
            return lambda n: np.arange(n).sum()
        if system in ("dask", "chunkwise"):
            if system == "dask":
                import dask.array as da
            else:
                import chunkwise as da
            if case == "pi":
                calc_pi_dask = make_calc_pi_dask(da)
                return lambda n: calc_pi_dask(n).compute(num_workers=workers)
            return lambda n: da.arange(n).sum().compute(num_workers=workers)
        if system == "numba":
            import numba

            f = numba.jit(nopython=True, nogil=True)(calc_pi if case == "pi" else sum_range)
            return f
    except ImportError:
        return None
    raise ValueError(system)


def child(system, case, n, workers):
    run = build(system, case, workers)
    if run is None:
        print(json.dumps({"status": "not installed"}))
        return
    # NumPy's OpenBLAS threads spin for about 0.1 s after the import before they sleep; every
    # system here imports NumPy, and a call started at once shares the cores with them. The
    # pause comes before the warm-up: a thread pool that worked, then slept 0.3 s, ran its next
    # call slower (see python/examples/against_rust.py).
    time.sleep(0.3)
    run(1000)  # warm-up: imports, JIT, the thread pool
    t0 = time.perf_counter()
    result = run(n)
    seconds = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"status": "ok", "result": float(result) if case == "pi" else int(result),
                      "seconds": seconds, "peak_rss_mib": peak_mib}))


# --- the table --------------------------------------------------------------------------------


def available_bytes():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def numpy_bytes(case, n):
    # pi holds pts, pts**2 (2N float64 each) and the row sums; sum holds arange(N) (int64)
    return 40 * n if case == "pi" else 8 * n


def measure(system, case, n, workers):
    if system == "numpy":
        avail = available_bytes()
        if avail is not None and numpy_bytes(case, n) > 0.8 * avail:
            return {"status": f"skipped (needs ~{numpy_bytes(case, n) / 2**30:.1f} GiB)"}
    cmd = [sys.executable, os.path.abspath(__file__), "--one", system, "--case", case,
           "--n", str(n), "--workers", str(workers)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    if p.returncode != 0 or not lines:
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed: {tail[:60]}"}
    return json.loads(lines[-1])


def correct(case, n, result):
    if case == "pi":
        return abs(result - 3.141592653589793) < 10 / n**0.5  # about 6 sigma
    return result == n * (n - 1) // 2


def parse_n(text):
    return int(float(text))


def show_n(n):
    """1e8 for 100000000, the digits otherwise."""
    k = len(str(n)) - 1
    return f"1e{k}" if n == 10**k and k >= 3 else str(n)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=parse_n, default=10**8, help="points for pi (default 1e8)")
    p.add_argument("--sum-n", type=parse_n, default=10**9,
                   help="N of arange(N).sum() (default 1e9)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="threads for Dask and chunkwise (default: all cores)")
    p.add_argument("--one", choices=SYSTEMS, help=argparse.SUPPRESS)
    p.add_argument("--case", choices=CASES, default="pi", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.one:
        child(args.one, args.case, args.n, args.workers)
        return

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, workers = {args.workers}")
    header = f"{'workload':<24} {'system':<10} {'seconds':>9} {'peak RSS MiB':>13}  result"
    print(header)
    print("-" * len(header))
    for case, n in (("pi", args.n), ("sum", args.sum_n)):
        name = f"pi, N = {show_n(n)}" if case == "pi" else f"arange({show_n(n)}).sum()"
        for system in SYSTEMS:
            r = measure(system, case, n, args.workers)
            if r["status"] != "ok":
                print(f"{name:<24} {system:<10} {r['status']}")
                continue
            ok = "" if correct(case, n, r["result"]) else "  (WRONG)"
            print(f"{name:<24} {system:<10} {r['seconds']:>9.3f} {r['peak_rss_mib']:>13.1f}  "
                  f"{r['result']}{ok}", flush=True)


if __name__ == "__main__":
    main()
