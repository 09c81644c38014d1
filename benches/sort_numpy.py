"""NumPy's side of `examples/sort.rs`: `np.sort` (default `quicksort`, and `kind="stable"`) and
`np.argsort(kind="stable")` of N uniform float64 along their only axis and along the last axis
of a side x side array, values made before the clock starts.

    python3 benches/sort_numpy.py --n 1e8 --side 1e4 --repeats 3

Prints `key: value` lines per case, as the example does, and NumPy's version.
"""
import argparse
import resource
import time

import numpy as np


def timed(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=float, default=1e8)
    p.add_argument("--side", type=float, default=1e4)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    print(f"numpy: {np.__version__}")
    rng = np.random.default_rng(42)
    for name, shape in [("one axis", (int(a.n),)), ("last axis", (int(a.side), int(a.side)))]:
        x = rng.random(shape)
        print(f"case: {name}")
        print(f"shape: {list(shape)}")
        print(f"seconds: {timed(lambda: np.sort(x, kind='stable'), a.repeats):.6f}")
        print(f"unstable_seconds: {timed(lambda: np.sort(x), a.repeats):.6f}")
        print(f"argsort_seconds: {timed(lambda: np.argsort(x, kind='stable'), a.repeats):.6f}")
        del x
    print(f"peak_rss_mib: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main()
