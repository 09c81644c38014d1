"""Differential check of chunkwise's type promotion against NumPy.

    cargo run --release --example numpy_promotion > lines.txt
    python .ci/promotion_check.py lines.txt

Each `promote a b c` line must be `np.promote_types(a, b) == c`; each `op a b dtype: values` line
must be NumPy's dtype and values of `op` between the same two arrays of types a and b.
"""
import sys

import numpy as np

A = [0, 1, 2, 3, 7, 100]
B = [5, 3, 1, 0, 9, 27]
NAMES = {"f64": "f8", "f32": "f4", "i64": "i8", "i32": "i4", "i16": "i2", "i8": "i1",
         "u64": "u8", "u32": "u4", "u16": "u2", "u8": "u1"}
OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


def main(path):
    n = 0
    with np.errstate(over="ignore"):
        for line in open(path):
            words = line.split()
            if words[0] == "promote":
                a, b, c = (np.dtype(NAMES[w]) for w in words[1:4])
                assert np.promote_types(a, b) == c, line
            else:
                head, vals = line.split(":")
                op, a, b, dt = head.split()
                x = np.array(A).astype(NAMES[a])
                y = np.array(B).astype(NAMES[b])
                want = OPS[op](x, y)
                assert want.dtype == np.dtype(NAMES[dt]), (line, want.dtype)
                got = np.array([want.dtype.type(v) for v in vals.split()], dtype=want.dtype)
                assert np.array_equal(got, want), (line, want)
            n += 1
    assert n == 400, n
    print(f"numpy agrees with chunkwise's promotion on {n} lines (100 pairs: table, add, sub, mul)")


if __name__ == "__main__":
    main(sys.argv[1])
