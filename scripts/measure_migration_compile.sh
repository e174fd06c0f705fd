#!/usr/bin/env bash
# What defining migrations costs at compile time.
#
#   bash scripts/measure_migration_compile.sh [compiler]      (default: g++)
#
# Generates two translation units in a temporary directory: one defines 50 migrations of
# about 2 KB of SQL each (about 100 KB in all) in a `constexpr` migration list and runs
# them through `migrator`; the other is the same program with an empty list. Compiles both
# with `-std=c++20 -O2` three times each and prints the best wall time and, where
# /usr/bin/time is available, the best CPU time and the peak memory of each. The budget (docs/migrations.md) is
# 2 s more for the TU with migrations.
set -euo pipefail
# shellcheck source=scripts/packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"  # sqlproof_first_line

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cxx=${1:-g++}
work=$(mktemp -d)
# KEEP=1 keeps the generated sources for a closer look.
if [[ -n ${KEEP:-} ]]; then echo "sources kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

count=50
generate() {  # generate <file> <with migrations: 1|0>
  local file=$1 with=$2
  {
    echo '#include <sqlproof/migration.hpp>'
    echo 'namespace sp = sqlproof;'
    echo 'constexpr auto schema = sp::migrations('
    if [[ $with == 1 ]]; then
      for ((v = 1; v <= count; v++)); do
        # About 2 KB: a table of 30 columns with CHECK constraints, and an index.
        local columns=""
        for ((c = 1; c <= 30; c++)); do
          columns+="  column_${c} INTEGER NOT NULL DEFAULT 0 CHECK (column_${c} >= 0),\\n"
        done
        local sep=","
        [[ $v == "$count" ]] && sep=""
        printf '  sp::migration<%d, "create table %d">(\n' "$v" "$v"
        printf '    sp::up("CREATE TABLE table_%d (\\n  id INTEGER PRIMARY KEY,\\n%s  note TEXT\\n)",\n' "$v" "$columns"
        printf '           "CREATE INDEX table_%d_c1 ON table_%d(column_1)"),\n' "$v" "$v"
        printf '    sp::down("DROP TABLE table_%d"))%s\n' "$v" "$sep"
      done
    fi
    echo ');'
    echo 'int main() {'
    echo '  sp::database db{":memory:"};'
    echo '  sp::migrator m{db, schema};'
    echo '  return static_cast<int>(m.migrate().steps.size() == schema.size ? 0 : 1);'
    echo '}'
  } >"$file"
}

generate "$work/with.cpp" 1
generate "$work/without.cpp" 0
sql_bytes=$(grep -o 'sp::up(.*' "$work/with.cpp" | wc -c)

have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then have_time=1; fi

# The compiler's CPU time (user + system) is the figure: unlike wall time it does not grow
# when other jobs share the machine. Without /usr/bin/time, wall time is used instead.
measure() {  # measure <file> -> "seconds peak_kib"
  local file=$1 best="" peak="n/a"
  for _ in 1 2 3; do
    local seconds
    if [[ $have_time == 1 ]]; then
      /usr/bin/time -v "$cxx" -std=c++20 -O2 -I "$root/include" -c "$file" -o "$work/out.o" 2>"$work/time.log"
      peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.log")
      seconds=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$work/time.log")
    else
      local start end
      start=$(date +%s.%N)
      "$cxx" -std=c++20 -O2 -I "$root/include" -c "$file" -o "$work/out.o"
      end=$(date +%s.%N)
      seconds=$(echo "$end - $start" | bc -l)
    fi
    if [[ -z $best ]] || (($(echo "$seconds < $best" | bc -l))); then best=$seconds; fi
  done
  printf '%.2f %s' "$best" "$peak"
}

read -r with_s with_kib <<<"$(measure "$work/with.cpp")"
read -r without_s without_kib <<<"$(measure "$work/without.cpp")"
extra=$(echo "$with_s - $without_s" | bc -l)

echo "compiler: $(sqlproof_first_line "$cxx" --version)"
echo "migrations: $count, up SQL in the source: about $((sql_bytes / 1024)) KB"
[[ $have_time == 1 ]] && unit="s CPU" || unit="s wall"
printf "with migrations:    %6.2f $unit  peak %s KiB\n" "$with_s" "$with_kib"
printf "without migrations: %6.2f $unit  peak %s KiB\n" "$without_s" "$without_kib"
printf 'difference:         %6.2f s  (budget 2.00 s)\n' "$extra"

# Also run the program once, so the figure is for code that works.
"$cxx" -std=c++20 -O2 -I "$root/include" "$work/with.cpp" -o "$work/with" -lsqlite3
"$work/with"
echo "the program with migrations ran and applied all $count"
(($(echo "$extra <= 2.0" | bc -l)))
