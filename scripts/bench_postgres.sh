#!/usr/bin/env bash
# The PostgreSQL benchmark in one command: builds benchmarks/postgres.cpp (Release, -O2) in
# build/bench, runs it against a throwaway server (scripts/pg.sh: a fresh cluster, Unix socket
# only, deleted afterwards) and prints
#   1. time: the median of BENCH_REPETITIONS (default 5) interleaved repetitions of each
#      benchmark, wall time (the round trip is most of an operation), ratio to the hand-written
#      libpq code of the same workload, measured in the same binary against the same server;
#   2. client instructions per operation (callgrind, which sees only this process: sqlproof,
#      libpq and the row's allocations, not the server), sqlproof against hand-written libpq.
#      Collected inside the operation's function only (--toggle-collect) from the start of the
#      timed loop (--zero-before), so connecting, preparing and the warm-up are excluded.
#
# Usage: scripts/bench_postgres.sh [extra Google Benchmark flags, e.g. --benchmark_filter=PG_insert]
# Env:   SQLPROOF_PG_CONNINFO  use this server instead of starting one (the benchmark works in a
#                              schema of its own, sqlproof_bench_<pid>, and drops it)
#        BENCH_BIN             a bench_postgres binary to run instead of building one
#        BENCH_JSON            (default build/bench/postgres.json)
#        BENCH_REPETITIONS     (default 5)
#        BENCH_CALLGRIND       0 skips the instruction counts (they need valgrind)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -z "${SQLPROOF_PG_CONNINFO:-}" ]]; then
  exec bash "${root}/scripts/pg.sh" -- bash "${BASH_SOURCE[0]}" "$@"
fi

build="${root}/build/bench"
bin="${BENCH_BIN:-${build}/benchmarks/bench_postgres}"
json="${BENCH_JSON:-${build}/postgres.json}"
reps="${BENCH_REPETITIONS:-5}"
out="${build}/callgrind_postgres"

if [[ -z "${BENCH_BIN:-}" ]]; then
  cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DSQLPROOF_BUILD_BENCHMARKS=ON \
    -DSQLPROOF_BUILD_TESTS=OFF -DSQLPROOF_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "${build}" --target bench_postgres -j 2 >/dev/null
fi
[[ -x "${bin}" ]] || { echo "no ${bin}: is libpq-dev installed (sqlproof::postgres)?" >&2; exit 1; }
mkdir -p "$(dirname "${json}")" "${out}"

echo "== time (median of ${reps} interleaved repetitions, wall time per operation)"
"${bin}" \
  --benchmark_repetitions="${reps}" \
  --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="${json}" --benchmark_out_format=json \
  "$@" >/dev/null
python3 "${root}/scripts/bench_table.py" "${json}" --real
echo "JSON: ${json}"

if [[ "${BENCH_CALLGRIND:-1}" == 0 ]]; then exit 0; fi
if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed: no instruction counts (apt-get install valgrind)" >&2
  exit 0
fi

echo
echo "== client instructions per operation (callgrind)"
# name | benchmark filter | function collected | benchmark body (zeroed before) | calls | rows
cases=(
  "point select (raw)|PG_point_select/raw/|pgbench::one_raw(*|pgbench::bm_one_raw(*|2000|1"
  "point select (sqlproof)|PG_point_select/sqlproof/|pgbench::one_sqlproof(*|pgbench::bm_one_sqlproof(*|2000|1"
  "insert (raw)|PG_insert/raw/|pgbench::insert_raw(*|pgbench::bm_insert_raw(*|2000|1"
  "insert (sqlproof)|PG_insert/sqlproof/|pgbench::insert_sqlproof(*|pgbench::bm_insert_sqlproof(*|2000|1"
  "scan 10k to vector (raw)|PG_scan_vector/raw/|pgbench::scan_raw_vector(*|pgbench::bm_scan_vector_raw(*|5|10000"
  "scan 10k to vector (sqlproof)|PG_scan_vector/sqlproof/|pgbench::scan_sqlproof_vector(*|pgbench::bm_scan_vector_sqlproof(*|5|10000"
  "scan 10k, iter (raw)|PG_scan_iter/raw/|pgbench::scan_raw_iter(*|pgbench::bm_scan_iter_raw(*|5|10000"
  "scan 10k, iter (sqlproof)|PG_scan_iter/sqlproof/|pgbench::scan_sqlproof_iter(*|pgbench::bm_scan_iter_sqlproof(*|5|10000"
)

run_case() {
  local filter="$1" fn="$2" body="$3" iters="$4" file="$5"
  SQLPROOF_BENCH_ITERATIONS="${iters}" valgrind --tool=callgrind --callgrind-out-file="${file}" \
    --toggle-collect="${fn}" --zero-before="${body}" \
    "${bin}" --benchmark_filter="${filter}" >/dev/null 2>"${file}.log"
}

# Two at a time (valgrind is single-threaded; the server is another process).
pids=()
for i in "${!cases[@]}"; do
  IFS='|' read -r name filter fn body iters rows <<<"${cases[$i]}"
  run_case "${filter}" "${fn}" "${body}" "${iters}" "${out}/case${i}.out" &
  pids+=($!)
  if (( ${#pids[@]} == 2 )); then wait "${pids[@]}"; pids=(); fi
done
if (( ${#pids[@]} )); then wait "${pids[@]}"; fi

printf '%-32s %16s %12s %8s\n' "operation" "instructions/op" "per row" "vs raw"
raw=0
for i in "${!cases[@]}"; do
  IFS='|' read -r name filter fn body iters rows <<<"${cases[$i]}"
  total=$(awk '/^totals:/ {print $2}' "${out}/case${i}.out")
  per=$((total / iters))
  if [[ "${name}" == *"(raw)" ]]; then raw="${per}"; ratio="1.000"
  else ratio=$(awk -v a="${per}" -v b="${raw}" 'BEGIN{printf "%.3f", a/b}'); fi
  printf '%-32s %16s %12s %8s\n' "${name}" "${per}" "$((per / rows))" "${ratio}"
done
echo "callgrind files: ${out}"
