"""Differential check of chunkwise's exact quantiles against NumPy's `np.quantile`.

    cargo run --release --example quantile -- --n 1e6 --write x.npy > out.txt
    python .ci/quantile_check.py x.npy out.txt

The example writes its values to `x.npy` and prints `quantiles: a b c` for q = 0.5, 0.01 and
0.9; NumPy's `np.quantile` (method `linear`) of the same values must give the same bits, as
must `np.median` for the `median:` line.
"""
import sys

import numpy as np


def main(npy, report):
    x = np.load(npy)
    lines = dict(line.split(": ", 1) for line in open(report) if ": " in line)
    got = [float(v) for v in lines["quantiles"].split()]
    want = np.quantile(x, [0.5, 0.01, 0.9])
    assert [g.hex() for g in got] == [float(w).hex() for w in want], (got, want)
    m = float(lines["median"])
    assert m.hex() == float(np.median(x)).hex(), (m, np.median(x))
    print(f"quantiles of {x.size} values: the bits of np.quantile and np.median {got} {m}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
