"""chunkwise.delayed (the pea-soup recipe's Python functions), ProgressBar, the Jupyter view."""

import time

import numpy as np
import pytest

import chunkwise as da


def test_delayed_recipe_runs_as_a_task_graph_with_overlap():
    @da.delayed
    def prepare(item, seconds):
        time.sleep(seconds)  # releases the GIL, as I/O does
        return f"{item} ready"

    @da.delayed
    def cook(*parts):
        return " + ".join(parts)

    steps = [prepare(i, 0.3) for i in ("peas", "water", "onion", "ham")]
    soup = cook(*steps)
    assert isinstance(soup, da.Delayed)
    t = time.perf_counter()
    assert soup.compute() == "peas ready + water ready + onion ready + ham ready"
    elapsed = time.perf_counter() - t
    # Four 0.3 s steps one after the other take 1.2 s; on two or more workers they overlap.
    assert elapsed < 1.0, elapsed


def test_delayed_arguments_inside_containers_and_values():
    add = da.delayed(lambda a, b: a + b)
    total = da.delayed(sum)
    x = da.delayed(10)
    r = total([add(x, 1), add(2, x), 3])
    assert r.compute() == 26
    a, b, c = da.compute(r, da.arange(4).sum(), "unchanged")
    assert (a, int(b), c) == (26, 6, "unchanged")


def test_exception_in_a_delayed_task_comes_back_as_itself():
    class Spoiled(Exception):
        pass

    @da.delayed
    def bad(x):
        raise Spoiled(f"spoiled {x}")

    @da.delayed
    def after(x):
        return x

    with pytest.raises(Spoiled, match="spoiled 3"):
        after(bad(3)).compute()


def test_progress_bar_context_gives_the_same_results():
    x = da.random.default_rng(1).random((1000, 100), chunks=100)
    plain = x.sum().compute()
    with da.ProgressBar() as bar:
        assert isinstance(bar, da.ProgressBar)
        inside = x.sum().compute()
    assert inside == plain


def test_repr_html_shows_table_and_chunks():
    x = da.ones((1000, 600), dtype="float32", chunks=(250, 300))
    h = x._repr_html_()
    assert "(1000, 600)" in h and "(250, 300)" in h and "float32" in h
    assert h.count("<line") == 5 + 3  # 4 row blocks, 2 column blocks: their boundaries
    assert "2.29 MiB" in h
    assert repr(x) == "chunkwise.Array<shape=(1000, 600), dtype=float32, chunksize=(250, 300), blocks=8, nbytes=2400000>"


def test_delayed_operators_items_attributes_and_calls():
    a, b = da.delayed(6), da.delayed(4)
    assert (a + b).compute() == 10 and (1 + a).compute() == 7
    assert (a - b).compute() == 2 and (10 - a).compute() == 4
    assert (a * b).compute() == 24 and (a / b).compute() == 1.5 and (a // b).compute() == 1
    assert (a % b).compute() == 2 and (a**2).compute() == 36 and (2**b).compute() == 16
    assert (-a).compute() == -6 and (a > b).compute() is True and (a <= b).compute() is False
    # The three-argument pow: 6**4 % 5, also with a delayed modulo.
    assert pow(a, b, 5).compute() == 1 and pow(a, 4, da.delayed(7)).compute() == 1296 % 7
    assert pow(2, b, 5).compute() == 1  # through __rpow__: 2**4 % 5
    words = da.delayed("peas and ham")
    assert words.upper().compute() == "PEAS AND HAM"
    assert words.split()[2].compute() == "ham"
    assert da.delayed({"k": [1, 2]})["k"][1].compute() == 2
    with pytest.raises(TypeError):
        bool(a)
    with pytest.raises(AttributeError):
        a._private
    # An error inside a delayed operator comes back as itself.
    with pytest.raises(ZeroDivisionError):
        (a / 0).compute()
