#!/usr/bin/env bash
# sqlproof's test command: what CI runs, and what to run before sending a change.
#
#   bash scripts/test.sh                  everything (about 15 minutes on 2 cores)
#   SQLPROOF_TEST_QUICK=1 bash scripts/test.sh
#                                         the g++ sanitizer build and the package tests only
#                                         (no clang builds, no fuzzers)
#                                         (about 6 minutes)
#   bash scripts/test.sh --install-only   only step 1: install what the tests need, then stop
#
# 1. installs the Debian packages it needs, if any are missing (on a fresh Debian 12: about
#    140 packages, 215 MB to download, 1.1 GB installed), PostgreSQL and libpq-dev included;
# 2. checks the scripts and pages: shellcheck on every shell script, the package functions of
#    scripts/packages.sh under `set -euo pipefail` (tests/scripts/packages_test.sh), and the
#    links between the Markdown pages (tests/scripts/check_links.py);
#    then starts a throwaway PostgreSQL server (15 on Debian 12, 17 on Debian 13) for the
#    ctest sections: `source scripts/pg.sh; sqlproof_pg_start` (a fresh cluster under /tmp
#    on a Unix socket, no TCP, about 1-3 s) exports SQLPROOF_PG_CONNINFO, so the tests
#    labelled `postgres` run against it. `sqlproof_pg_stop` stops it and deletes its
#    directory once the last ctest section is done; pg.sh's EXIT trap does the same on every
#    other way out (a failure, Ctrl-C). A server that does not start counts as one failure,
#    and the `postgres` tests then report themselves skipped;
# 3. g++, Debug, AddressSanitizer + UBSan, -Werror (build/gcc-debug-asan): builds
#    everything, compiles every public header on its own, runs ctest;
# 4. clang++, Release, AddressSanitizer + UBSan, -Werror (build/clang-release-asan): the
#    same, and the benchmarks are built (not run) so they keep compiling;
#    then g++, Release, -Werror (build/gcc-release): the examples (built and run) and the
#    benchmarks (built), for the warnings only an optimised g++ build shows;
# 5. package tests: find_package, add_subdirectory, FetchContent and pkg-config consumers
#    (build/package);
# 6. the fuzzers (tests/fuzz, clang libFuzzer with ASan and UBSan), each for a bounded time
#    (scripts/fuzz.sh; build/fuzz).
#
# Before it starts it prints what the run costs; each section prints its number and the
# time so far. The build folders take about 1.5 GB under build/.
#
# Ends with one line, `N passed, M failed`, counting ctest tests, script checks and package
# tests; exits non-zero when anything failed. A configuration that fails to configure or
# build counts as one failure, and its tests are not run.
#
# Environment:
#   SQLPROOF_TEST_QUICK=1   skip the clang and optimised g++ builds (faster local iteration)
#   SQLPROOF_BUILD_ROOT     where the build directories go (default: <repo>/build)
#   SQLPROOF_JOBS           parallel build and test jobs (default: 2)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_root=${SQLPROOF_BUILD_ROOT:-$root/build}
jobs=${SQLPROOF_JOBS:-2}
quick=${SQLPROOF_TEST_QUICK:-0}
install_only=0

case ${1:-} in
  "") ;;
  --install-only) install_only=1 ;;
  -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "test.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

# shellcheck source=scripts/packages.sh
source "$root/scripts/packages.sh"

passed=0
failed=0
failures=()

# The numbered steps of this run, for the progress lines.
if [[ $install_only == 1 ]]; then
  steps=1
elif [[ $quick == 1 ]]; then
  steps=4
else
  steps=7
fi
step=0
started=$SECONDS

# step <title>: starts numbered step <title>, with the time since the start.
step() {
  step=$((step + 1))
  section "[$step/$steps] $* (at $(elapsed))"
}

elapsed() {
  local s=$((SECONDS - started))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

section() {
  printf '\n==================== %s ====================\n' "$*"
}

fail_step() {
  failed=$((failed + 1))
  failures+=("$1")
  echo "FAILED: $1"
}

# run_ctest <name> <build-dir>: runs the tests and adds their counts to the totals.
run_ctest() {
  local name=$1 dir=$2 log status=0 summary total=0 failed_here=0
  log="$dir/ctest-summary.log"
  set +e
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e

  summary=$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -n $summary ]]; then
    failed_here=$(awk '{print $1}' <<<"$summary")
    total=$(awk '{print $NF}' <<<"$summary")
  elif grep -q 'No tests were found' "$log"; then
    total=0
  else
    fail_step "$name: ctest printed no summary (exit status $status)"
    return
  fi

  add_counts "$name" $((total - failed_here)) "$failed_here" "$status"
}

# add_counts <name> <passed> <failed> <exit status>: adds the counts of a part that counts its
# own cases (package tests, fuzzers); a non-zero exit with nothing failed is one failure.
add_counts() {
  local name=$1 part_passed=$2 part_failed=$3 status=$4
  passed=$((passed + part_passed))
  failed=$((failed + part_failed))
  if [[ $part_failed -gt 0 ]]; then
    failures+=("$name: $part_failed of $((part_passed + part_failed))")
  elif [[ $status -ne 0 ]]; then
    fail_step "$name: exited with status $status"
  fi
}

# check <name> <command...>: runs one script check, counted like a test.
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "scripts.$name: passed"
  else
    fail_step "scripts.$name"
  fi
}

# The shell scripts of the repository, for shellcheck.
shell_scripts() {
  local file
  for file in "$root"/scripts/*.sh "$root"/.ci/run "$root"/tests/*/*.sh; do
    [[ -f $file ]] && echo "$file"
  done
}

# build_and_test <name> <cmake configure args...>
build_and_test() {
  local name=$1 dir="$build_root/$1"
  shift

  step "$name"
  section "$name: configure"
  if ! cmake -S "$root" -B "$dir" "$@"; then
    fail_step "$name: configure"
    return
  fi

  section "$name: build (at $(elapsed))"
  if ! cmake --build "$dir" -j "$jobs"; then
    fail_step "$name: build"
    return
  fi

  section "$name: every public header on its own (at $(elapsed))"
  if ! cmake --build "$dir" -j "$jobs" --target all_verify_interface_header_sets; then
    fail_step "$name: header self-containment"
    return
  fi

  section "$name: tests (at $(elapsed))"
  run_ctest "$name" "$dir"
}

section "sqlproof test command"
if [[ $install_only == 1 ]]; then
  echo "Installs the Debian packages the tests need (on a fresh Debian 12: about 140 packages,"
  echo "215 MB to download, 1.1 GB installed, a few minutes), then stops."
elif [[ $quick == 1 ]]; then
  echo "Quick run (SQLPROOF_TEST_QUICK=1): the g++ sanitizer build and the package tests;"
  echo "about 6 minutes on 2 cores once the packages are installed, about 0.6 GB under $build_root."
else
  echo "Full run: three compiler configurations, the package tests and the fuzzers; about 15"
  echo "minutes on 2 cores once the packages are installed, about 1.5 GB under $build_root."
  echo "SQLPROOF_TEST_QUICK=1 runs only the g++ sanitizer build (about 6 minutes)."
fi
echo "On a fresh Debian 12 the first step installs about 140 packages (215 MB to download,"
echo "1.1 GB installed), which adds a few minutes."

step "packages"
sqlproof_install_packages \
  build-essential g++ clang cmake make pkg-config ca-certificates python3 git shellcheck \
  libsqlite3-dev 'libboost1.81-dev|libboost1.88-dev|libboost-dev' catch2 libbenchmark-dev \
  libsqlitecpp-dev 'libclang-rt-14-dev|libclang-rt-dev?' \
  'postgresql-15|postgresql-17' libpq-dev

if [[ $install_only == 1 ]]; then
  section "summary"
  echo "packages: installed; stopping here (--install-only)"
  exit 0
fi

section "tools"
sqlproof_first_line g++ --version
if [[ $quick != 1 ]]; then sqlproof_first_line clang++ --version; fi
sqlproof_first_line cmake --version

step "scripts and links"
mapfile -t scripts < <(shell_scripts)
check shellcheck shellcheck --external-sources "${scripts[@]}"
check packages bash "$root/tests/scripts/packages_test.sh"
check links python3 "$root/tests/scripts/check_links.py" "$root"

# The PostgreSQL server for the ctest sections below (the tests labelled `postgres`).
# shellcheck source=scripts/pg.sh
source "$root/scripts/pg.sh"
section "postgres server"
if ! sqlproof_pg_start; then
  fail_step "postgres server: did not start (the postgres tests will be skipped)"
fi

# Sanitizer reports must fail the run, with a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# SQLPROOF_TSAN_TESTS: the threaded tests (pool, pg::pool) also run under ThreadSanitizer,
# as programs of their own (TSan cannot share one with ASan).
build_and_test gcc-debug-asan \
  -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=Debug \
  -DSQLPROOF_SANITIZE=ON \
  -DSQLPROOF_WERROR=ON \
  -DSQLPROOF_BUILD_TESTS=ON \
  -DSQLPROOF_BUILD_EXAMPLES=ON \
  -DSQLPROOF_TSAN_TESTS=ON

# Optimised builds, both -Werror: clang++ runs everything again, optimised and under ASan and
# UBSan (so every test runs under the sanitizers with both compilers); g++ with optimisation
# warns about things its Debug build cannot see (-Wmaybe-uninitialized after inlining), and
# users build with -O2, so it builds the examples (and runs them) and the benchmarks.
release_flags=(-DCMAKE_BUILD_TYPE=Release -DSQLPROOF_WERROR=ON
  -DSQLPROOF_BUILD_EXAMPLES=ON -DSQLPROOF_BUILD_BENCHMARKS=ON)
if [[ $quick == 1 ]]; then
  section "clang-release-asan, gcc-release: skipped (SQLPROOF_TEST_QUICK=1)"
else
  # The compile-fail corrections compile the same with either compiler: g++ checks them.
  build_and_test clang-release-asan -DCMAKE_CXX_COMPILER=clang++ -DSQLPROOF_BUILD_TESTS=ON \
    -DSQLPROOF_SANITIZE=ON -DSQLPROOF_COMPILE_FAIL_CHECK_FIXED=OFF "${release_flags[@]}"
  build_and_test gcc-release -DCMAKE_CXX_COMPILER=g++ -DSQLPROOF_BUILD_TESTS=OFF \
    -DSQLPROOF_SANITIZE=OFF "${release_flags[@]}"
fi

section "postgres server: stop"
sqlproof_pg_stop

step "package tests"
package_log="$build_root/package-tests.log"
mkdir -p "$build_root"
set +e
bash "$root/tests/package/run.sh" "$root" "$build_root/package" 2>&1 | tee "$package_log"
package_status=${PIPESTATUS[0]}
set -e
package_passed=$(grep -Ec '^package\.[a-z_]+: passed$' "$package_log" || true)
package_failed=$(grep -Ec '^package\.[a-z_]+: failed$' "$package_log" || true)
add_counts "package tests" "$package_passed" "$package_failed" "$package_status"

# The fuzzers need clang's libFuzzer; they run in the full configuration only.
if [[ $quick != 1 ]]; then
  step "fuzzers"
  fuzz_log="$build_root/fuzz.log"
  set +e
  SQLPROOF_BUILD_ROOT=$build_root bash "$root/scripts/fuzz.sh" 2>&1 | tee "$fuzz_log"
  fuzz_status=${PIPESTATUS[0]}
  set -e
  fuzz_summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$fuzz_log" | tail -n 1 || true)
  if [[ -z $fuzz_summary ]]; then
    fail_step "fuzzers: scripts/fuzz.sh printed no summary (exit status $fuzz_status)"
  else
    read -r fuzz_passed _ fuzz_failed _ <<<"${fuzz_summary//,/}"
    add_counts fuzzers "$fuzz_passed" "$fuzz_failed" "$fuzz_status"
  fi
fi

section "summary (after $(elapsed))"
for failure in "${failures[@]}"; do
  echo "failed: $failure"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
