"""compute() releases the GIL, and computes from several Python threads at once are correct."""

import threading
import time

import numpy as np

import chunkwise as da


class Counter(threading.Thread):
    """Counts as fast as Python can, recording when, until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.count = 0
        self.stop = False
        self.stamps = []  # perf_counter() at every 1000th increment

    def run(self):
        while not self.stop:
            self.count += 1
            if self.count % 1000 == 0:
                self.stamps.append(time.perf_counter())

    def counted_between(self, t0, t1):
        return 1000 * sum(1 for t in self.stamps if t0 <= t <= t1)


def test_compute_releases_the_gil():
    counter = Counter()
    counter.start()
    try:
        time.sleep(0.2)  # calibrate: the counter's rate with the GIL all to itself
        t0 = time.perf_counter()
        time.sleep(0.2)
        t1 = time.perf_counter()
        rate = counter.counted_between(t0, t1) / (t1 - t0)
        assert rate > 0

        x = da.random.random(10**8, chunks=10**6).sum()
        t0 = time.perf_counter()
        total = x.compute(num_workers=1)  # leaves a core free for the counter
        t1 = time.perf_counter()
    finally:
        counter.stop = True
        counter.join()
    assert abs(total / 10**8 - 0.5) < 1e-3
    seconds = t1 - t0
    during = counter.counted_between(t0, t1)
    # With the GIL held through the compute, the counter would run only in the switch intervals
    # (5 ms) around it; released, it counts at about its calibrated rate.
    assert during > 0.1 * rate * seconds, (during, rate, seconds)


def test_two_threads_compute_at_once():
    want_sum = 10**8 * (10**8 - 1) // 2
    want_random = da.random.default_rng(5).standard_normal(10**6, chunks=10**5).sum().compute()
    results = {}
    errors = []
    start = threading.Barrier(2)

    def summing():
        try:
            start.wait()
            results["sum"] = da.arange(10**8).sum().compute()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def drawing():
        try:
            start.wait()
            rng = da.random.default_rng(5)
            results["random"] = rng.standard_normal(10**6, chunks=10**5).sum().compute()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=summing), threading.Thread(target=drawing)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert results["sum"] == want_sum
    assert np.asarray(results["random"]).tobytes() == np.asarray(want_random).tobytes()


def test_many_threads_share_one_array():
    x = da.arange(10**6, chunks=10**5)
    want = np.arange(10**6) * 3
    y = x * 3
    out = [None] * 4

    def work(k):
        out[k] = y.compute()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for r in out:
        np.testing.assert_array_equal(r, want)
