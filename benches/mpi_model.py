#!/usr/bin/env python3
"""A model of a chunkwise run on many MPI nodes, from figures measured on one machine.

    python3 benches/mpi_model.py --pi-core-s S --docs-core-s S --latency-us A --bandwidth-mib-s B

Inputs (all measured here, see BENCHMARKS.md, "MPI"):
  --pi-core-s     seconds of pi at 1e9 on 1 rank x 1 worker (compute only)
  --docs-core-s   seconds of the Dask docs example at 1e4 on 1 rank x 1 worker
  --latency-us    seconds of one all-gather of 8 bytes between 2 ranks (pi_mpi --workload exchange)
  --bandwidth-mib-s  bytes a rank receives per second in a large all-gather

What a pass costs on P nodes (one rank each) x C cores:
  compute   = core seconds / min(P*C, tasks)   (a task is the unit of work; fewer tasks than
              cores leave cores idle), times the load imbalance of ceil(tasks/(P*C))*(P*C)/tasks
  exchange  = 2 all-gathers (counts, then bytes) of log2(P) rounds each (recursive doubling):
              2 * ceil(log2 P) * latency + (bytes every rank receives) / bandwidth
Bytes per pass come from the plan: a rank sends the partials of the largest subtrees of each
output chunk's tree that lie in its share, at most 2*log2(groups) + 1 per output chunk it
touches, each an output chunk of partials (16 bytes per value for compensated sums); the
ranks' shares of a reduction pass are contiguous, so a rank touches its output chunks plus one.
"""

import argparse
import math


def allgather(p, nbytes_per_rank, lat, bw):
    if p == 1:
        return 0.0
    rounds = math.ceil(math.log2(p))
    return 2 * rounds * lat + (p - 1) * nbytes_per_rank / bw


def run(name, core_s, passes, p, c, lat, bw):
    """passes: list of (share of the core seconds, tasks, output chunks, groups per output,
    bytes per output-chunk partial)."""
    cores = p * c
    total = 0.0
    comm = 0.0
    for share, tasks, outs, groups, part_bytes in passes:
        waves = math.ceil(tasks / cores)
        compute = core_s * share / tasks * waves  # every core does `waves` tasks at most
        per_rank_outs = math.ceil(outs / p) + 1
        subtrees = min(per_rank_outs * (2 * math.ceil(math.log2(max(groups, 2))) + 1), tasks)
        sent = subtrees * part_bytes
        x = allgather(p, sent, lat, bw)
        comm += x
        total += compute + x
    ideal = core_s / cores
    return total, comm, ideal / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pi-core-s", type=float, required=True)
    ap.add_argument("--docs-core-s", type=float, required=True)
    ap.add_argument("--latency-us", type=float, required=True)
    ap.add_argument("--bandwidth-mib-s", type=float, required=True)
    ap.add_argument("--nodes", type=int, default=64)
    ap.add_argument("--cores", type=int, default=32)
    a = ap.parse_args()
    lat = a.latency_us * 1e-6
    bw = a.bandwidth_mib_s * 2**20
    print(f"# model: {a.nodes} nodes x {a.cores} cores, latency {a.latency_us} us, "
          f"bandwidth {a.bandwidth_mib_s} MiB/s")
    print(f"{'workload':<28} {'tasks':>7} {'seconds':>9} {'exchange_s':>10} {'efficiency':>10}")
    n = 1e9
    for chunk in (1e6, 1e5, 1e4):
        tasks = int(n / chunk)
        # pi: one reduction pass (count_nonzero), one output chunk, u64 partials.
        passes = [(1.0, tasks, 1, tasks, 8)]
        t, x, e = run("pi", a.pi_core_s, passes, a.nodes, a.cores, lat, bw)
        print(f"{'pi 1e9, chunk %.0e' % chunk:<28} {tasks:>7} {t:>9.5f} {x:>10.6f} {e:>10.2f}")
    # Dask docs at 1e4 with chunks of 1e3: a mean over axis 0 (100 tasks, 10 output chunks of
    # 1000 compensated partials) and the final sum (100 tasks, one scalar); the sum pass does
    # about twice the work of the mean pass (it reads x, x.T and the mean).
    for chunk in (1000, 250):
        k = 10_000 // chunk
        passes = [(1 / 3, k * k, k, k, 16 * chunk), (2 / 3, k * k, 1, k * k, 16)]
        t, x, e = run("docs", a.docs_core_s, passes, a.nodes, a.cores, lat, bw)
        print(f"{'dask docs 1e4, chunk %d' % chunk:<28} {k * k:>7} {t:>9.5f} {x:>10.6f} {e:>10.2f}")


if __name__ == "__main__":
    main()
