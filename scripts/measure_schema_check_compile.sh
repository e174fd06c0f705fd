#!/usr/bin/env bash
# Measures what the checks against mapped tables (include/sqlproof/schema.hpp) cost at
# compile time: generates one translation unit with 100 distinct queries over mapped tables,
# each run through database::all/exec, and compiles it twice with g++ -O2:
#
#   on:  the queries name sqlproof::schema<user, post> (every check runs)
#   off: the same queries with sqlproof::schema<> (the analysis never runs)
#
# The row types are tuples and scalars, so that `schema<>` switches the analysis off
# entirely (a mapped row type is always checked against its own table).
#
#   bash scripts/measure_schema_check_compile.sh [runs]
#
# Prints the best of `runs` (default 3, interleaved) wall-clock times for each, their ratio and the cost
# per query. Environment: CXX (default g++), CXXFLAGS (default -std=c++20 -O2).
set -euo pipefail
# shellcheck source=scripts/packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"  # sqlproof_first_line

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
cxx=${CXX:-g++}
flags=${CXXFLAGS:--std=c++20 -O2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() {  # generate <schema type> <file>
  local schema=$1 out=$2 i
  {
    cat <<'HEADER'
#include <sqlproof/sqlproof.hpp>

#include "support/mapped_tables.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

namespace sp = sqlproof;

using sqlproof_test::post;
using sqlproof_test::user;
HEADER
    echo "using app_schema = ${schema};"
    cat <<'HEADER'
template <sp::fixed_string Sql, class Signature>
using app_query = sp::query<Sql, Signature, app_schema>;
HEADER
    for ((i = 0; i < 100; ++i)); do
      case $((i % 5)) in
        0) echo "using q$i = app_query<\"SELECT name, age, email FROM users WHERE id = ? AND age > $i ORDER BY name\", std::tuple<std::string, int, std::optional<std::string>>(std::int64_t)>;"
           echo "void run$i(sp::database& db) { (void)db.all<q$i>(std::int64_t{$i}); }" ;;
        1) echo "using q$i = app_query<\"UPDATE users SET age = ?, email = ? WHERE id = ? AND age <> $i\", void(int, std::optional<std::string>, std::int64_t)>;"
           echo "void run$i(sp::database& db) { db.exec<q$i>($i, std::nullopt, std::int64_t{$i}); }" ;;
        2) echo "using q$i = app_query<\"INSERT INTO posts (author_id, title, body, score, published) VALUES (?, ?, ?, ?, $((i % 2)))\", void(std::int64_t, std::string, std::optional<std::string>, double)>;"
           echo "void run$i(sp::database& db) { db.exec<q$i>(std::int64_t{$i}, std::string(\"t\"), std::nullopt, 1.5); }" ;;
        3) echo "using q$i = app_query<\"SELECT p.title, u.name, p.score FROM posts AS p JOIN users AS u ON u.id = p.author_id WHERE p.score > ? AND u.age BETWEEN ? AND ? LIMIT $((i + 1))\", std::tuple<std::string, std::string, double>(double, int, int)>;"
           echo "void run$i(sp::database& db) { (void)db.all<q$i>(1.0, 20, $i); }" ;;
        4) echo "using q$i = app_query<\"DELETE FROM posts WHERE author_id IN (?, ?) AND score < $i RETURNING id\", std::int64_t(std::int64_t, std::int64_t)>;"
           echo "void run$i(sp::database& db) { (void)db.all<q$i>(std::int64_t{1}, std::int64_t{$i}); }" ;;
      esac
    done
    echo "int main() {"
    echo "  sp::database db{\":memory:\"};"
    for ((i = 0; i < 100; ++i)); do echo "  (void)&run$i;"; done
    echo "  (void)db; }"
  } >"$out"
}

generate "sp::schema<user, post>" "$work/on.cpp"
generate "sp::schema<>" "$work/off.cpp"

compile_seconds() {  # compile_seconds <file>: wall-clock seconds of one compile
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  if ! "$cxx" $flags -I "$root/include" -I "$root/tests" -c "$1" -o "$work/out.o" 2>"$work/errors.txt"; then
    head -n 40 "$work/errors.txt" >&2
    return 1
  fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

min() { if [[ -z $1 ]] || (($(echo "$2 < $1" | bc))); then echo "$2"; else echo "$1"; fi; }

echo "compiler: $(sqlproof_first_line "$cxx" --version)"
echo "flags:    $flags"
echo "runs:     $runs of each, interleaved (best of)"
# Interleaved, so that load from other processes falls on both variants alike.
off="" on=""
for ((r = 0; r < runs; ++r)); do
  t=$(compile_seconds "$work/off.cpp") || { echo "the generated file does not compile" >&2; exit 1; }
  off=$(min "$off" "$t")
  t=$(compile_seconds "$work/on.cpp") || { echo "the generated file does not compile" >&2; exit 1; }
  on=$(min "$on" "$t")
done
printf 'schema checks off (schema<>): %.2f s\n' "$off"
printf 'schema checks on:             %.2f s\n' "$on"
printf 'ratio on/off:                 %.3f\n' "$(echo "$on / $off" | bc -l)"
printf 'cost per checked query:       %.1f ms\n' "$(echo "($on - $off) * 1000 / 100" | bc -l)"
