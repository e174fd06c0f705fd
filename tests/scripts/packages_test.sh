#!/usr/bin/env bash
# Tests for scripts/packages.sh, run the way the test and demo commands run it: sourced
# under `set -euo pipefail`.
#
#   bash tests/scripts/packages_test.sh
#
# Uses the real apt and dpkg for a package that exists and one that does not, and stand-in
# commands whose output is long enough that a reader stopping at its first match would
# kill them with SIGPIPE. Installs the small `hello` package when it is missing (and
# removes it again), so it needs root or sudo. Prints `ok`/`FAIL` per check and exits
# non-zero when any check failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/packages.sh
source "$root/scripts/packages.sh"

failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok: $*"; }
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect <description> <command...>: the command must succeed.
expect() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# expect_not <description> <command...>: the command must fail.
expect_not() {
  local what=$1
  shift
  if "$@"; then fail "$what"; else ok "$what"; fi
}

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "packages_test: needs root or sudo (it installs and removes a package)" >&2
    exit 1
  fi
fi

# --- long output from the package tools ----------------------------------------------------
# The answer comes first and is followed by more than a pipe's buffer (64 KiB): a pipeline
# into `grep -q` under pipefail fails here although the package is there.
mkdir -p "$work/bin"
cat >"$work/bin/apt-cache" <<'STUB'
#!/usr/bin/env bash
printf '%s:\n  Installed: (none)\n  Candidate: 1.0-1\n' "$2"
for ((i = 0; i < 4000; i++)); do printf '        500 http://mirror.invalid/debian bookworm/main amd64 Packages\n'; done
STUB
chmod +x "$work/bin/apt-cache"

# shellcheck disable=SC2016  # $1 is expanded by the inner shell
expect "a candidate followed by 300 KB of apt-cache output is available" \
  env PATH="$work/bin:$PATH" bash -c 'set -euo pipefail; source "$1"; sqlproof_package_available some-package' \
  _ "$root/scripts/packages.sh"

# --- the real apt and dpkg -----------------------------------------------------------------
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$work/update.log" 2>&1 ||
  { cat "$work/update.log"; fail "apt-get update"; }

expect "bash is installed" sqlproof_package_installed bash
expect_not "a package that does not exist is not installed" sqlproof_package_installed sqlproof-no-such-package
expect "hello is available" sqlproof_package_available hello
expect_not "a package that does not exist is not available" sqlproof_package_available sqlproof-no-such-package

# A package that is missing but available: installed, and the function says what it does.
if sqlproof_package_installed hello; then
  echo "skipped: hello is installed already, so the install of a missing package is not tried"
else
  if (set -euo pipefail; sqlproof_install_packages bash hello) >"$work/install.log" 2>&1; then
    expect "a missing package is installed" sqlproof_package_installed hello
    expect "it says which package is missing" grep -q 'packages: missing hello; installing' "$work/install.log"
  else
    cat "$work/install.log"
    fail "installing the missing package hello"
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q hello >/dev/null 2>&1 ||
    fail "removing hello again"
fi

# A package that does not exist: the function fails, and apt says why.
if (set -euo pipefail; sqlproof_install_packages sqlproof-no-such-package) >"$work/missing.log" 2>&1; then
  fail "installing a package that does not exist must fail"
else
  expect "apt's own reason is shown" grep -q 'Unable to locate package sqlproof-no-such-package' "$work/missing.log"
  expect "the function names what failed" grep -q 'packages: apt-get install sqlproof-no-such-package failed' "$work/missing.log"
fi

# An optional package that does not exist is skipped.
if (set -euo pipefail; sqlproof_install_packages 'sqlproof-no-such-package?') >"$work/optional.log" 2>&1; then
  expect "an optional package apt cannot provide is skipped with a word" \
    grep -q 'sqlproof-no-such-package is not available here; going on without it' "$work/optional.log"
else
  cat "$work/optional.log"
  fail "an optional package apt cannot provide must not fail the install"
fi

if [[ $failures -gt 0 ]]; then
  echo "packages_test: $failures check(s) failed"
  exit 1
fi
echo "packages_test: all checks passed"
