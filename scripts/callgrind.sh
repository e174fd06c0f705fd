#!/usr/bin/env bash
# Instruction counts per operation, sqlproof against hand-written sqlite3_* code, for the
# workloads with a "within a few percent of raw" target (W1, W3 in memory, W4 both ways).
#
# Each workload's work is one [[gnu::noinline]] function in benchmarks/workloads.cpp
# (workloads::w1_raw, workloads::w1_sqlproof, ...). Callgrind collects only inside that
# function (--toggle-collect), the benchmark runs a fixed number of iterations
# (SQLPROOF_BENCH_ITERATIONS), and the total divided by the number of calls is the count per
# operation: setup, table population and Google Benchmark's own loop are excluded.
#
# Usage: scripts/callgrind.sh            (builds build/bench first, like scripts/bench.sh)
#        BENCH_BIN=path scripts/callgrind.sh
# Output: a table on stdout; raw callgrind files in build/bench/callgrind/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build/bench"
bin="${BENCH_BIN:-${build}/benchmarks/bench_workloads}"
out="${build}/callgrind"

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

if [[ -z "${BENCH_BIN:-}" ]]; then
  cmake -S "${root}" -B "${build}" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DSQLPROOF_BUILD_BENCHMARKS=ON \
    -DSQLPROOF_BUILD_TESTS=OFF -DSQLPROOF_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "${build}" --target bench_workloads >/dev/null
fi
mkdir -p "${out}"

# name | benchmark filter | function collected | iterations (calls of the function)
cases=(
  "W1 point select (raw)|W1_point_select/raw/|workloads::w1_raw(*|20000"
  "W1 point select (sqlproof)|W1_point_select/sqlproof/|workloads::w1_sqlproof(*|20000"
  "W1 point select (sqlproof, query stats on)|W1_point_select/sqlproof_query_stats/|workloads::w1_sqlproof_stats(*|20000"
  "W5 sqlproof prepare_cached|W5_dynamic_sql/sqlproof_prepare_cached/|workloads::w5_sqlproof_prepare_cached(*|20000"
  "W2 raw, prepare per call|W2_as_documented/raw_prepare_per_call/|workloads::w2_raw_prepare_per_call(*|5000"
  "W3 insert 100k, memory (raw)|W3_insert_memory/raw/|workloads::w3_raw(*|2"
  "W3 insert 100k, memory (sqlproof)|W3_insert_memory/sqlproof/|workloads::w3_sqlproof(*|2"
  "W4 scan 100k to vector (raw)|W4_scan_vector/raw/|workloads::w4_raw_vector(*|3"
  "W4 scan 100k to vector (sqlproof)|W4_scan_vector/sqlproof/|workloads::w4_sqlproof_vector(*|3"
  "W4 scan 100k, iter (raw)|W4_scan_iter/raw/|workloads::w4_raw_iter(*|3"
  "W4 scan 100k, iter (sqlproof)|W4_scan_iter/sqlproof/|workloads::w4_sqlproof_iter(*|3"
)

run_case() {
  local name="$1" filter="$2" fn="$3" iters="$4" file="$5"
  SQLPROOF_BENCH_ITERATIONS="${iters}" valgrind --tool=callgrind --callgrind-out-file="${file}" \
    --toggle-collect="${fn}" "${bin}" --benchmark_filter="${filter}" >/dev/null 2>"${file}.log"
}

# Two at a time (valgrind is single-threaded).
pids=()
for i in "${!cases[@]}"; do
  IFS='|' read -r name filter fn iters <<<"${cases[$i]}"
  run_case "${name}" "${filter}" "${fn}" "${iters}" "${out}/case${i}.out" &
  pids+=($!)
  if (( ${#pids[@]} == 2 )); then wait "${pids[@]}"; pids=(); fi
done
(( ${#pids[@]} )) && wait "${pids[@]}"

printf '%-36s %16s %10s\n' "operation" "instructions/op" "vs raw"
declare -A raw_of
for i in "${!cases[@]}"; do
  IFS='|' read -r name filter fn iters <<<"${cases[$i]}"
  total=$(awk '/^totals:/ {print $2}' "${out}/case${i}.out")
  per=$((total / iters))
  key="${name%% (*}"
  if [[ "${name}" == *"(raw)" ]]; then raw_of["${key}"]="${per}"; ratio="1.000"
  elif [[ -n "${raw_of[${key}]:-}" ]]; then ratio=$(awk -v a="${per}" -v b="${raw_of[${key}]}" 'BEGIN{printf "%.3f", a/b}')
  elif [[ -n "${raw_of[W1 point select]:-}" ]]; then ratio=$(awk -v a="${per}" -v b="${raw_of[W1 point select]}" 'BEGIN{printf "%.3f", a/b}')" (vs W1 raw)"
  else ratio="-"; fi
  printf '%-36s %16s %10s\n' "${name}" "${per}" "${ratio}"
done
