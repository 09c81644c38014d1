#!/usr/bin/env bash
# Runs chunkwise's examples and the Python peers (../shared/peers/peers.py) at the same N in one
# run and prints one table: workload, system, seconds, peak RSS, ratio to chunkwise.
#
#   bash benches/compare_peers.sh               # N = 1e8, 3 repeats
#   bash benches/compare_peers.sh --n 1e7 --repeats 5 --workers 2
#
# The peers need numpy, dask and numba in a Python (PEERS_PYTHON, else /tmp/peers-venv/bin/python,
# else python3): see ../shared/peers/README.md. Without them the table has chunkwise's rows only.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --examples
RUSTFLAGS="-C target-cpu=native" cargo build --release --quiet --example rayon_reference --target-dir target/native
exec target/release/examples/compare_peers "$@"
