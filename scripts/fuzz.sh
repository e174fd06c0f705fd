#!/usr/bin/env bash
# Builds sqlproof's libFuzzer targets (tests/fuzz) with clang and runs each for a bounded time.
#
#   bash scripts/fuzz.sh                   # every fuzzer, 25 s each
#   bash scripts/fuzz.sh sql_shape_fuzzer  # only the named ones
#   SQLPROOF_FUZZ_SECONDS=120 bash scripts/fuzz.sh
#
# 1. installs the Debian packages it needs, if any are missing;
# 2. configures clang++, RelWithDebInfo, -fsanitize=fuzzer,address,undefined, -Werror in
#    build/fuzz and builds the fuzzers;
# 3. runs each fuzzer with -max_total_time, starting from a copy of its seed corpus
#    (tests/fuzz/corpus/<fuzzer>; the checked-in corpus is never written to) and its
#    dictionary (tests/fuzz/<fuzzer>.dict) where there is one.
#
# A crash, a sanitizer report, an oracle mismatch (the fuzzer aborts), a timeout or running
# out of memory fails that fuzzer: the reproducer's path and the log's tail are shown. Rerun a
# reproducer with `build/fuzz/tests/fuzz/<fuzzer> <file>`. Ends with one line,
# `N passed, M failed`, one count per fuzzer; exits non-zero when any failed or the build
# failed.
#
# Environment:
#   SQLPROOF_FUZZ_SECONDS   time for each fuzzer (default: 25)
#   SQLPROOF_BUILD_ROOT     where the build directory goes (default: <repo>/build)
#   SQLPROOF_JOBS           parallel build jobs (default: 2)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_root=${SQLPROOF_BUILD_ROOT:-$root/build}
build_dir=$build_root/fuzz
jobs=${SQLPROOF_JOBS:-2}
seconds=${SQLPROOF_FUZZ_SECONDS:-25}

if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "SQLPROOF_FUZZ_SECONDS must be a positive whole number of seconds, not '$seconds'" >&2
  exit 2
fi

# shellcheck source=scripts/packages.sh disable=SC1091  # followed with shellcheck -x
source "$root/scripts/packages.sh"

section() {
  printf '\n==================== %s ====================\n' "$*"
}

section "packages"
sqlproof_install_packages \
  clang cmake make libsqlite3-dev 'libboost1.81-dev|libboost-dev' 'libclang-rt-14-dev|libclang-rt-dev'

section "build ($build_dir)"
sqlproof_first_line clang++ --version
if ! cmake -S "$root" -B "$build_dir" \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSQLPROOF_BUILD_FUZZERS=ON \
  -DSQLPROOF_BUILD_TESTS=OFF \
  -DSQLPROOF_BUILD_EXAMPLES=OFF \
  -DSQLPROOF_INSTALL=OFF \
  -DSQLPROOF_WERROR=ON ||
  ! cmake --build "$build_dir" --parallel "$jobs"; then
  echo "FAILED: the fuzzers did not configure or build"
  echo "0 passed, 1 failed"
  exit 1
fi

fuzz_bin=$build_dir/tests/fuzz
if [[ $# -gt 0 ]]; then
  fuzzers=("$@")
else
  fuzzers=()
  for source in "$root"/tests/fuzz/*_fuzzer.cpp; do
    name=$(basename "$source" .cpp)
    fuzzers+=("$name")
  done
fi

# Each run works in a temporary directory: the copied corpus grows there, and anything a run
# writes by accident lands there. Logs and reproducers are kept in build/fuzz/runs/.
work=$(mktemp -d "${TMPDIR:-/tmp}/sqlproof-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
runs=$build_dir/runs
mkdir -p "$runs"

# Sanitizer reports abort with a stack; leaks count.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
failures=()

for name in "${fuzzers[@]}"; do
  section "$name (${seconds} s)"
  binary=$fuzz_bin/$name
  log=$runs/$name.log
  artifacts=$runs/$name
  rm -rf "$artifacts"
  mkdir -p "$artifacts" "$work/$name/corpus"
  if [[ ! -x $binary ]]; then
    echo "FAILED: $name: no such fuzzer ($binary)"
    failed=$((failed + 1))
    failures+=("$name")
    continue
  fi
  if [[ -d $root/tests/fuzz/corpus/$name ]]; then
    cp "$root/tests/fuzz/corpus/$name/." "$work/$name/corpus/" -R
  fi
  options=(
    "-max_total_time=$seconds"
    -timeout=10
    -rss_limit_mb=2048
    -print_final_stats=1
    "-artifact_prefix=$artifacts/"
  )
  if [[ -f $root/tests/fuzz/$name.dict ]]; then
    options+=("-dict=$root/tests/fuzz/$name.dict")
  fi
  status=0
  (cd "$work/$name" && "$binary" "${options[@]}" corpus) >"$log" 2>&1 || status=$?
  execs=$(grep -Eo 'number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "passed: $name, ${execs:-?} runs in ${seconds} s"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAILED: $name (exit $status); log: $log"
    for reproducer in "$artifacts"/*; do
      [[ -e $reproducer ]] || continue
      echo "reproducer: $reproducer (rerun: $binary $reproducer)"
    done
    echo "--- last lines of the log ---"
    tail -n 40 "$log"
  fi
done

section "summary"
for name in "${failures[@]}"; do
  echo "failed: $name"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
