#!/usr/bin/env bash
# Package tests: build and run tests/package/consumer/main.cpp the four ways a project can
# take sqlproof in, and check that a backend's consumer needs nothing of the other backend.
#
#   tests/package/run.sh <source-root> <work-dir>
#
#   find_package      cmake --install into <work-dir>/prefix, then find_package(sqlproof CONFIG)
#   add_subdirectory  add_subdirectory(<source-root> sqlproof)
#   fetch_content     FetchContent_Declare(sqlproof SOURCE_DIR <source-root>)
#   pkg_config        c++ -std=c++20 main.cpp $(pkg-config --cflags --libs sqlproof)
#   recipes           check_recipes.sh: the Conan and vcpkg recipes, without Conan or vcpkg
#   sqlite_only       tests/package/sqlite_only: the SQLite library alone, with libpq absent:
#                     a poisoned libpq-fe.h (tests/package/poison/libpq) first on the include
#                     path, and no libpq on the link command; once through find_package, once
#                     through add_subdirectory with libpq hidden from CMake
#                     (CMAKE_DISABLE_FIND_PACKAGE_PostgreSQL)
#   postgres_only     tests/package/postgres_only: the PostgreSQL library alone, with SQLite
#                     absent: a poisoned sqlite3.h (tests/package/poison/sqlite) first on the
#                     include path, and no sqlite3 on the link command; once through
#                     find_package(... COMPONENTS postgres), once through add_subdirectory
#                     with SQLPROOF_WITH_SQLITE=OFF. Left out when libpq is not installed.
#
# The install step also checks the PostgreSQL package files (sqlproofPostgresTargets.cmake,
# sqlproof-postgres.pc) when libpq is installed here.
#
# Prints one `package.<name>: passed|failed` line per case (with the log of a failure) and
# exits non-zero when any case failed. Honours CXX (compiler) and CMAKE_GENERATOR.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <source-root> <work-dir>" >&2
  exit 2
fi

source_root=$(cd "$1" && pwd)
mkdir -p "$2"
work=$(cd "$2" && pwd)
here="$source_root/tests/package"
prefix="$work/prefix"
jobs="${SQLPROOF_JOBS:-2}"

failures=0
status=0

# run_logged <log> <function>: runs the function in a subshell that stops at its first
# failing command, output to <log>; sets `status`. Never call this inside an `if`, `||` or
# `&&`: bash would then ignore errexit within the function.
run_logged() {
  local log=$1 fn=$2
  set +e
  ( set -euo pipefail; "$fn" ) >"$log" 2>&1
  status=$?
  set -e
}

# run_case <name> <function>: runs the function with its output in <work>/<name>.log.
run_case() {
  local name=$1 fn=$2 log="$work/$1.log"
  run_logged "$log" "$fn"
  if [[ $status -eq 0 ]]; then
    echo "package.$name: passed"
  else
    echo "package.$name: failed"
    echo "----- log of package.$name ($log) -----"
    cat "$log"
    echo "----- end of log -----"
    failures=$((failures + 1))
  fi
}

# check_program <executable>: runs a consumer and checks what it prints.
check_program() {
  local output
  output=$("$1")
  echo "$output"
  [[ "$output" == *"consumer ok"* ]]
}

# cmake_consumer <name> [cmake args...]: configures, builds and runs the CMake project
# tests/package/<name>.
cmake_consumer() {
  local name=$1
  shift
  rm -rf "${work:?}/${name:?}"
  cmake -S "$here/$name" -B "$work/$name" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$work/$name" -j "$jobs"
  check_program "$work/$name/consumer"
}

install_sqlproof() {
  rm -rf "$work/sqlproof-build" "$prefix"
  cmake -S "$source_root" -B "$work/sqlproof-build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DSQLPROOF_BUILD_TESTS=OFF \
    -DSQLPROOF_BUILD_EXAMPLES=OFF \
    -DSQLPROOF_BUILD_BENCHMARKS=OFF \
    -DSQLPROOF_INSTALL=ON
  cmake --build "$work/sqlproof-build" -j "$jobs"
  cmake --install "$work/sqlproof-build"
  local postgres_files=()
  if pkg-config --exists 'libpq >= 14'; then
    postgres_files=(share/cmake/sqlproof/sqlproofPostgresTargets.cmake
      share/pkgconfig/sqlproof-postgres.pc)
  fi
  # What a consumer relies on must be there.
  local file
  for file in \
    include/sqlproof/sqlproof.hpp \
    include/sqlproof/implementation.hpp \
    share/cmake/sqlproof/sqlproofConfig.cmake \
    share/cmake/sqlproof/sqlproofConfigVersion.cmake \
    share/cmake/sqlproof/sqlproofTargets.cmake \
    share/pkgconfig/sqlproof.pc \
    "${postgres_files[@]}"; do
    if [[ ! -f "$prefix/$file" ]]; then
      echo "install: $prefix/$file is missing"
      return 1
    fi
  done
  if [[ ${#postgres_files[@]} -gt 0 ]]; then
    # sqlproof-postgres.pc must bring libpq's flags with it.
    local libpq_cflags flags
    libpq_cflags=$(pkg-config --cflags libpq)
    flags=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags --libs sqlproof-postgres)
    echo "pkg-config --cflags --libs sqlproof-postgres: $flags"
    [[ $flags == *-lpq* && $flags == *"$libpq_cflags"* ]]
  fi
}

case_find_package() {
  cmake_consumer find_package -DCMAKE_PREFIX_PATH="$prefix"
  check_program "$work/find_package/consumer_separate"
}

case_add_subdirectory() {
  cmake_consumer add_subdirectory -DSQLPROOF_SOURCE_DIR="$source_root"
}

case_fetch_content() {
  cmake_consumer fetch_content -DSQLPROOF_SOURCE_DIR="$source_root"
}

case_pkg_config() {
  rm -rf "$work/pkg_config"
  mkdir -p "$work/pkg_config"
  local flags
  flags=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
    pkg-config --cflags --libs sqlproof)
  echo "pkg-config --cflags --libs sqlproof: $flags"
  # shellcheck disable=SC2086  # the flags are meant to be split into words
  "${CXX:-c++}" -std=c++20 "$here/consumer/main.cpp" $flags -lsqlite3 \
    -o "$work/pkg_config/consumer"
  check_program "$work/pkg_config/consumer"
}

# link_command <build-dir>: the link command of the target `consumer`, from the Makefile or
# Ninja build files.
link_command() {
  local dir=$1
  if [[ -f $dir/CMakeFiles/consumer.dir/link.txt ]]; then
    cat "$dir/CMakeFiles/consumer.dir/link.txt"
  elif [[ -f $dir/build.ninja ]]; then
    grep -A 8 '^build consumer:' "$dir/build.ninja"
  else
    echo "no link command found under $dir" >&2
    return 1
  fi
}

# sqlite_only_consumer <name> [cmake args...]: builds and runs tests/package/sqlite_only into
# <work>/<name>, then checks its link command: SQLite yes, libpq no.
sqlite_only_consumer() {
  local name=$1 dir="$work/$1" link
  shift
  rm -rf "$dir"
  cmake -S "$here/sqlite_only" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    -DSQLPROOF_POISON_DIR="$here/poison/libpq" "$@"
  cmake --build "$dir" -j "$jobs"
  check_program "$dir/consumer"
  link=$(link_command "$dir")
  echo "link command: $link"
  if [[ $link != *sqlite3* ]]; then
    echo "sqlite_only: the link command names no sqlite3, so the libpq check below proves nothing"
    return 1
  fi
  if [[ $link == *libpq* || $link =~ (^|[[:space:]])-lpq([[:space:]]|$) ]]; then
    echo "sqlite_only: libpq is on the link command of a SQLite-only consumer"
    return 1
  fi
}

case_sqlite_only() {
  # The poison works: including libpq-fe.h with that directory first does not compile.
  if "${CXX:-c++}" -fsyntax-only -I"$here/poison/libpq" -x c++ - <<<'#include <libpq-fe.h>' \
    >/dev/null 2>&1; then
    echo "sqlite_only: the poisoned libpq-fe.h compiled"
    return 1
  fi
  sqlite_only_consumer sqlite_only_find_package -DCMAKE_PREFIX_PATH="$prefix"
  sqlite_only_consumer sqlite_only_add_subdirectory -DSQLPROOF_SOURCE_DIR="$source_root" \
    -DCMAKE_DISABLE_FIND_PACKAGE_PostgreSQL=ON
}

# postgres_only_consumer <name> [cmake args...]: builds and runs tests/package/postgres_only
# into <work>/<name>, then checks its link command: libpq yes, SQLite no.
postgres_only_consumer() {
  local name=$1 dir="$work/$1" link
  shift
  rm -rf "$dir"
  cmake -S "$here/postgres_only" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
    -DSQLPROOF_POISON_DIR="$here/poison/sqlite" "$@"
  cmake --build "$dir" -j "$jobs"
  check_program "$dir/consumer"
  link=$(link_command "$dir")
  echo "link command: $link"
  if [[ $link != *libpq* && ! $link =~ (^|[[:space:]])-lpq([[:space:]]|$) ]]; then
    echo "postgres_only: the link command names no libpq, so the sqlite3 check below proves nothing"
    return 1
  fi
  if [[ $link == *sqlite3* ]]; then
    echo "postgres_only: sqlite3 is on the link command of a PostgreSQL-only consumer"
    return 1
  fi
}

case_postgres_only() {
  if "${CXX:-c++}" -fsyntax-only -I"$here/poison/sqlite" -x c++ - <<<'#include <sqlite3.h>' \
    >/dev/null 2>&1; then
    echo "postgres_only: the poisoned sqlite3.h compiled"
    return 1
  fi
  postgres_only_consumer postgres_only_find_package -DCMAKE_PREFIX_PATH="$prefix"
  postgres_only_consumer postgres_only_add_subdirectory -DSQLPROOF_SOURCE_DIR="$source_root" \
    -DSQLPROOF_WITH_SQLITE=OFF -DSQLPROOF_WITH_POSTGRES=ON -DSQLPROOF_BUILD_TESTS=OFF \
    -DSQLPROOF_BUILD_EXAMPLES=OFF
}

case_recipes() {
  # The installed prefix, when there is one, lets it check the vcpkg port's CONFIG_PATH.
  local installed=()
  if [[ -d $prefix ]]; then installed=("$prefix"); fi
  bash "$here/check_recipes.sh" "$source_root" "${installed[@]}"
}

run_logged "$work/install.log" install_sqlproof
install_status=$status
if [[ $install_status -eq 0 ]]; then
  run_case find_package case_find_package
  run_case pkg_config case_pkg_config
else
  echo "cmake --install of $source_root failed:"
  cat "$work/install.log"
  echo "package.find_package: failed"
  echo "package.pkg_config: failed"
  failures=$((failures + 2))
fi
run_case add_subdirectory case_add_subdirectory
run_case fetch_content case_fetch_content
run_case recipes case_recipes
if [[ $install_status -eq 0 ]]; then
  run_case sqlite_only case_sqlite_only
else
  echo "package.sqlite_only: failed (the install above failed)"
  failures=$((failures + 1))
fi
if [[ ! -f $prefix/share/cmake/sqlproof/sqlproofPostgresTargets.cmake && $install_status -eq 0 ]]; then
  echo "package.postgres_only: skipped (libpq is not installed here, so sqlproof::postgres was not)"
elif [[ $install_status -eq 0 ]]; then
  run_case postgres_only case_postgres_only
else
  echo "package.postgres_only: failed (the install above failed)"
  failures=$((failures + 1))
fi

if [[ $failures -ne 0 ]]; then
  echo "package tests: $failures failed"
  exit 1
fi
echo "package tests: all passed"
