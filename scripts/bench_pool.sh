#!/usr/bin/env bash
# The pool's benchmark in one command: builds benchmarks/pool.cpp (Release, -O2) in
# build/bench and runs it: read throughput of 2 threads on a 2-reader pool against 1 thread
# on a 1-reader pool (target >= 1.8 on 2 free cores), and pool.write / submit_write against
# one connection writing the same INSERT in its own IMMEDIATE transaction (target >= 0.95).
# Prints the median and the best ratio over the repetitions. Other work on the machine
# lowers the read ratio first: run it on an otherwise idle machine.
#
# Usage: scripts/bench_pool.sh
# Env:   BENCH_REPETITIONS (default 5), BENCH_SECONDS (each read measurement, default 1),
#        BENCH_WRITES (transactions per write measurement, default 20000),
#        SQLPROOF_BENCH_DIR (where the database files go, default build/bench/data)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build/bench"

cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DSQLPROOF_BUILD_BENCHMARKS=ON \
  -DSQLPROOF_BUILD_TESTS=OFF -DSQLPROOF_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "${build}" --target bench_pool -j 2 >/dev/null

mkdir -p "${build}/data"
SQLPROOF_BENCH_DIR="${SQLPROOF_BENCH_DIR:-${build}/data}" "${build}/benchmarks/bench_pool"
