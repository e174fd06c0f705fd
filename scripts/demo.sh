#!/usr/bin/env bash
# sqlproof's demo: builds examples/quickstart.cpp and runs it.
#
#   bash scripts/demo.sh
#
# Installs the few Debian packages it needs if missing, builds in build/demo (tests off)
# and runs the program from build/demo/run/, where it creates its database file.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build="$root/build/demo"

if [[ ! -f "$root/examples/quickstart.cpp" ]]; then
  echo "demo: examples/quickstart.cpp is missing" >&2
  exit 1
fi

# shellcheck source=scripts/packages.sh
source "$root/scripts/packages.sh"
sqlproof_install_packages g++ cmake make libsqlite3-dev 'libboost1.81-dev|libboost-dev'

cmake -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DSQLPROOF_BUILD_TESTS=OFF \
  -DSQLPROOF_BUILD_EXAMPLES=ON \
  -DSQLPROOF_BUILD_BENCHMARKS=OFF
cmake --build "$build" -j "${SQLPROOF_JOBS:-2}" --target example_quickstart

# A fresh directory on every run, so the demo starts from an empty database.
rm -rf "$build/run"
mkdir -p "$build/run"
cd "$build/run"
echo "---- running examples/quickstart.cpp in $build/run ----"
"$build/examples/example_quickstart"
