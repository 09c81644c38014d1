"""Differential check of chunkwise's type promotion against NumPy.

    cargo run --release --example numpy_promotion > lines.txt
    python .ci/promotion_check.py lines.txt

Each `promote a b c` line must be `np.promote_types(a, b) == c`; each `op a b dtype: values` line
must be NumPy's dtype and values of `op` between the same two arrays of types a and b. The
`dyn ...` lines are chunkwise's dtype-erased array on every pair of the eleven dtypes, and the
`weak ...` lines an array against a Python number (NEP 50): each must be NumPy 2's dtype and
values, and `error` must be where NumPy raises (TypeError, OverflowError).
"""
import sys

import numpy as np

A = [0, 1, 2, 3, 7, 100]
B = [5, 3, 1, 0, 9, 27]
NAMES = {"bool": "?", "f64": "f8", "f32": "f4", "i64": "i8", "i32": "i4", "i16": "i2", "i8": "i1",
         "u64": "u8", "u32": "u4", "u16": "u2", "u8": "u1"}
OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


DYN_OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
           "floor_divide": np.floor_divide, "rem": np.remainder, "maximum": np.maximum,
           "lt": np.less, "eq": np.equal, "bitand": np.bitwise_and}
WEAK = {"int": int, "float": float, "bool": lambda w: w == "true"}


def parse(text, dtype):
    words = text.strip().strip("[]").split(", ")
    if dtype == np.bool_:
        return np.array([w == "true" for w in words])
    return np.array([dtype.type(w) for w in words], dtype=dtype)


def check_dyn(line):
    """A `dyn op a b ...` or `weak op a kind value ...` line against NumPy 2."""
    head, _, vals = line.partition(":")
    words = head.split()
    x = np.array(A).astype(NAMES[words[2]])
    if words[0] == "dyn":
        y = np.array(B).astype(NAMES[words[3]])
        rest = words[4:]
    else:
        y = WEAK[words[3]](words[4])
        rest = words[5:]
    try:
        want = DYN_OPS[words[1]](x, y)
    except (TypeError, OverflowError) as e:
        assert rest == ["error"], (line, "numpy raises", e)
        return
    assert rest != ["error"], (line, "numpy gives", want.dtype, want)
    assert want.dtype == np.dtype(NAMES[rest[0]]), (line, want.dtype)
    got = parse(vals, want.dtype)
    assert np.array_equal(got, want, equal_nan=want.dtype.kind == "f"), (line, want)


def main(path):
    n = 0
    dyn = 0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        for line in open(path):
            words = line.split()
            if words[0] in ("dyn", "weak"):
                check_dyn(line)
                dyn += 1
                continue
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
    assert dyn == 11 * 11 * 10 + 11 * 5 * 10, dyn
    print(f"numpy agrees with chunkwise's promotion on {n} lines (100 pairs: table, add, sub, mul)")
    print(f"numpy agrees with the DynArray on {dyn} lines (121 pairs and 5 weak scalars, 10 ops)")


if __name__ == "__main__":
    main(sys.argv[1])
