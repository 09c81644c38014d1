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
REDUCE = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "var": lambda x: np.var(x, ddof=1),
          "max": np.max, "min": np.min, "ptp": np.ptp, "argmax": np.argmax,
          "count_nonzero": lambda x: np.asarray(np.count_nonzero(x, axis=0)),
          "cumsum": np.cumsum, "median": np.median, "any": np.any}
UNARY = {"sqrt": np.sqrt, "floor": np.floor, "abs": np.abs, "negative": np.negative,
         "square": np.square, "invert": np.invert, "isnan": np.isnan, "exp": np.exp}
# Where chunkwise computes in another float type than NumPy because it has no float16: NumPy
# gives f16 for float functions of 8-bit integers and bool, chunkwise f32 (the values are
# NumPy's f32 results).
F16_AS_F32 = {"sqrt", "exp"}
WEAK = {"int": int, "float": float, "bool": lambda w: w == "true"}


def parse(text, dtype):
    words = text.strip().strip("[]").split(", ")
    if dtype == np.bool_:
        return np.array([w == "true" for w in words])
    return np.array([dtype.type(w) for w in words], dtype=dtype)


def check_dyn(line):
    """A `dyn op a b ...`, `weak op a kind value ...`, `reduce op a ...`, `unary op a ...` or
    `big op a b ...` line against NumPy 2."""
    head, _, vals = line.partition(":")
    words = head.split()
    x = np.array(A).astype(NAMES[words[2]])
    if words[0] in ("reduce", "unary"):
        f = (REDUCE if words[0] == "reduce" else UNARY)[words[1]]
        rest = words[3:]
        try:
            want = np.asarray(f(x))
        except (TypeError, OverflowError) as e:
            assert rest == ["error"], (line, "numpy raises", e)
            return
        if want.dtype == np.float16 and words[1] in F16_AS_F32:
            want = np.asarray(f(x.astype(np.float32)))
        assert rest != ["error"], (line, "numpy gives", want.dtype, want)
        assert want.dtype == np.dtype(NAMES[rest[0]]), (line, want.dtype)
        got = parse(vals, want.dtype)
        tol = 1e-6 if want.dtype == np.float32 else 1e-12
        if want.dtype.kind == "f":
            assert np.allclose(got, want.ravel(), rtol=tol, equal_nan=True), (line, want)
        else:
            assert np.array_equal(got, want.ravel()), (line, want)
        return
    if words[0] == "big":
        xs = {"u64": np.array([2**62 + 1, 2**63 + 5, 0], dtype=np.uint64),
              "i64": np.array([2**62, -1, 0], dtype=np.int64)}
        want = DYN_OPS[words[1]](xs[words[2]], xs[words[3]])
        assert words[4] == "bool" and np.array_equal(parse(vals, want.dtype), want), (line, want)
        return
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
            if words[0] in ("dyn", "weak", "reduce", "unary", "big"):
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
    assert dyn == 11 * 11 * 10 + 11 * 5 * 10 + 11 * (12 + 8) + 4, dyn
    print(f"numpy agrees with chunkwise's promotion on {n} lines (100 pairs: table, add, sub, mul)")
    print(f"numpy agrees with the DynArray on {dyn} lines (121 pairs and 5 weak scalars, 10 ops;"
          " 12 reductions and 8 unary functions of 11 dtypes; 64-bit comparisons)")


if __name__ == "__main__":
    main(sys.argv[1])
