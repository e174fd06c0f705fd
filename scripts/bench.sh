#!/usr/bin/env bash
# The benchmark suite in one command: builds benchmarks/workloads.cpp (Release, -O2) in
# build/bench, runs every workload 5 times (repetitions interleaved in random order, so that
# drift in machine load spreads over all libraries alike), writes the JSON and prints the table of
# docs/performance.md (medians; ratio to the hand-written sqlite3_* code of the same
# workload, measured in the same binary).
#
# Usage: scripts/bench.sh [extra Google Benchmark flags, e.g. --benchmark_filter=W1]
# Env:   BENCH_JSON (default build/bench/workloads.json), BENCH_REPETITIONS (default 5),
#        BENCH_POSTGRES=1 also runs scripts/bench_postgres.sh (the PostgreSQL backend against
#        hand-written libpq, on a throwaway server) after the SQLite table
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build/bench"
json="${BENCH_JSON:-${build}/workloads.json}"
reps="${BENCH_REPETITIONS:-5}"

cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DSQLPROOF_BUILD_BENCHMARKS=ON \
  -DSQLPROOF_BUILD_TESTS=OFF -DSQLPROOF_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "${build}" --target bench_workloads -j 2 >/dev/null

mkdir -p "${build}/data"
SQLPROOF_BENCH_DIR="${build}/data" "${build}/benchmarks/bench_workloads" \
  --benchmark_repetitions="${reps}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="${json}" --benchmark_out_format=json \
  "$@" >/dev/null

python3 "${root}/scripts/bench_table.py" "${json}"
echo
echo "JSON: ${json}"

if [[ "${BENCH_POSTGRES:-0}" == 1 ]]; then
  echo
  BENCH_REPETITIONS="${reps}" bash "${root}/scripts/bench_postgres.sh"
fi
