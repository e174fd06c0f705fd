#!/usr/bin/env bash
# What checking queries against the schema the migrations build (schema_of.hpp) costs at
# compile time. Generates into a temporary directory:
#
#   checked:    20 tables made by migrations (and altered by some) and 100 typed queries
#               (selects with joins and WHERE, inserts, updates, deletes) checked against
#               sqlproof::schema_of<migrations>
#   unchecked:  the same migrations and queries, as sqlproof::query<Sql, Signature> (the
#               text checks only)
#   derived:    50 migrations and one query checked against their schema_of
#   underived:  the same 50 migrations and query without a schema
#
# compiles each with `$CXX -std=c++20 -O2 -c` three times, interleaved, and takes the median
# CPU time (user + sys). Prints the ratio checked/unchecked and the difference
# derived - underived, and fails when the ratio is above 1.2 or the difference above 1 s
# (docs/performance.md).
#
#   bash scripts/compile_cost_schema.sh [runs]      (default 3; environment: CXX, default g++)
set -euo pipefail
# shellcheck source=scripts/packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"  # sqlproof_first_line

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
cxx=${CXX:-g++}
flags=(-std=c++20 -O2)
max_ratio=1.2
max_difference=1.0
work=$(mktemp -d)
# KEEP=1 keeps the generated sources for a closer look.
if [[ -n ${KEEP:-} ]]; then echo "sources kept in $work" >&2; else trap 'rm -rf "$work"' EXIT; fi

header() {
  cat <<'EOF'
#include <sqlproof/sqlproof.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

namespace sp = sqlproof;
EOF
}

# 20 migrations, one table each, the first five altered by a 21st.
twenty_tables() {
  local t sep
  echo 'constexpr auto migrations = sp::migrations('
  for ((t = 0; t < 20; ++t)); do
    printf '  sp::migration<%d, "create t%d">(\n' $((t + 1)) "$t"
    printf '    sp::up("CREATE TABLE t%d (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES t0(id), "\n' "$t"
    printf '           "name TEXT NOT NULL, note TEXT, amount REAL NOT NULL DEFAULT 0, flag BOOLEAN NOT NULL DEFAULT 0, "\n'
    printf '           "created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, UNIQUE (owner_id, name))",\n'
    printf '           "CREATE INDEX t%d_owner ON t%d(owner_id)"),\n' "$t" "$t"
    printf '    sp::down("DROP TABLE t%d")),\n' "$t"
  done
  echo '  sp::migration<21, "tags">('
  sep=""
  printf '    sp::up('
  for ((t = 0; t < 5; ++t)); do
    printf '%s"ALTER TABLE t%d ADD COLUMN tag TEXT"' "$sep" "$t"
    sep=", "
  done
  echo '),'
  echo '    sp::irreversible()));'
}

queries() {  # queries <query alias>: 100 queries and a function running each
  local q=$1 i t u
  for ((i = 0; i < 100; ++i)); do
    t=$((i % 20))
    u=$(((i + 7) % 20))
    case $((i % 5)) in
      0) echo "using q$i = $q<\"SELECT a.name, a.amount, b.note FROM t$t AS a JOIN t$u AS b ON b.owner_id = a.id WHERE a.owner_id = ? AND a.amount > $i ORDER BY a.name\", std::tuple<std::string, double, std::optional<std::string>>(std::int64_t)>;"
         echo "void run$i(sp::database& db) { (void)db.all<q$i>(std::int64_t{$i}); }" ;;
      1) echo "using q$i = $q<\"INSERT INTO t$t (owner_id, name, note, amount, flag) VALUES (?, ?, ?, ?, ?) RETURNING id\", std::int64_t(std::int64_t, std::string, std::optional<std::string>, double, bool)>;"
         echo "void run$i(sp::database& db) { (void)db.one<q$i>(std::int64_t{1}, std::string(\"n\"), std::nullopt, 1.5, true); }" ;;
      2) echo "using q$i = $q<\"UPDATE t$t SET note = ?, amount = amount + ? WHERE id = ? AND flag = ?\", void(std::optional<std::string>, double, std::int64_t, bool)>;"
         echo "void run$i(sp::database& db) { db.exec<q$i>(std::nullopt, 2.0, std::int64_t{$i}, false); }" ;;
      3) echo "using q$i = $q<\"SELECT id, name, created FROM t$t WHERE name LIKE ? AND amount BETWEEN ? AND ? LIMIT $((i + 1))\", std::tuple<std::int64_t, std::string, std::string>(std::string, double, double)>;"
         echo "void run$i(sp::database& db) { (void)db.all<q$i>(std::string(\"a%\"), 1.0, 2.0); }" ;;
      4) echo "using q$i = $q<\"DELETE FROM t$t WHERE owner_id IN (?, ?) AND amount < $i RETURNING name\", std::string(std::int64_t, std::int64_t)>;"
         echo "void run$i(sp::database& db) { (void)db.all<q$i>(std::int64_t{1}, std::int64_t{$i}); }" ;;
    esac
  done
  echo "int main() {"
  for ((i = 0; i < 100; ++i)); do echo "  (void)&run$i;"; done
  echo "}"
}

# 50 migrations of an application's life: 30 tables of 10 to 19 columns with constraints,
# then columns added and renamed, indexes, views and a table rebuild.
fifty_migrations() {
  local v c columns
  echo 'constexpr auto migrations = sp::migrations('
  for ((v = 1; v <= 30; ++v)); do
    columns=""
    for ((c = 1; c <= 5 + v % 10; ++c)); do
      columns+="c${c} INTEGER NOT NULL DEFAULT 0 CHECK (c${c} >= 0), "
    done
    printf '  sp::migration<%d, "create m%d">(\n' "$v" "$v"
    printf '    sp::up("CREATE TABLE m%d (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES m1(id), "\n' "$v"
    printf '           "title TEXT NOT NULL, body TEXT, %s"\n' "$columns"
    printf '           "score REAL, CONSTRAINT m%d_title UNIQUE (parent_id, title))",\n' "$v"
    printf '           "CREATE INDEX m%d_parent ON m%d(parent_id)"),\n' "$v" "$v"
    printf '    sp::down("DROP TABLE m%d")),\n' "$v"
  done
  for ((v = 31; v <= 50; ++v)); do
    printf '  sp::migration<%d, "change %d">(\n' "$v" "$v"
    case $((v % 4)) in
      0) printf '    sp::up("ALTER TABLE m%d ADD COLUMN extra_%d TEXT NOT NULL DEFAULT \x27\x27"),\n' $((v - 30)) "$v" ;;
      1) printf '    sp::up("ALTER TABLE m%d RENAME COLUMN body TO content"),\n' $((v - 30)) ;;
      2) printf '    sp::up("CREATE VIEW v%d AS SELECT a.id, a.title, b.title AS parent_title FROM m%d a LEFT JOIN m1 b ON b.id = a.parent_id"),\n' "$v" $((v - 30)) ;;
      3) printf '    sp::up("CREATE TABLE m%d_new (id INTEGER PRIMARY KEY, title TEXT NOT NULL, score REAL NOT NULL DEFAULT 0)",\n' $((v - 30))
         printf '           "INSERT INTO m%d_new (id, title, score) SELECT id, title, coalesce(score, 0) FROM m%d",\n' $((v - 30)) $((v - 30))
         printf '           "DROP TABLE m%d", "ALTER TABLE m%d_new RENAME TO m%d"),\n' $((v - 30)) $((v - 30)) $((v - 30)) ;;
    esac
    if ((v == 50)); then echo '    sp::irreversible()));'; else echo '    sp::irreversible()),'; fi
  done
}

one_query() {  # one_query <schema>
  echo "using titles = sp::query<\"SELECT id, title FROM m30 WHERE parent_id = ? ORDER BY title\", std::tuple<std::int64_t, std::string>(std::int64_t), $1>;"
  echo 'int main() { sp::database db{":memory:"}; sp::migrator{db, migrations}.migrate(); (void)db.all<titles>(std::int64_t{1}); }'
}

{
  header
  twenty_tables
  echo 'using app_schema = sp::schema_of<migrations>;'
  echo 'template <sp::fixed_string Sql, class Signature> using app_query = sp::query<Sql, Signature, app_schema>;'
  queries app_query
} >"$work/checked.cpp"
{
  header
  twenty_tables
  echo 'template <sp::fixed_string Sql, class Signature> using plain_query = sp::query<Sql, Signature>;'
  queries plain_query
} >"$work/unchecked.cpp"
{ header; fifty_migrations; one_query 'sp::schema_of<migrations>'; } >"$work/derived.cpp"
{ header; fifty_migrations; one_query 'sp::schema<>'; } >"$work/underived.cpp"

cpu_seconds() {  # cpu_seconds <file>: user + sys seconds of one compile
  local TIMEFORMAT='%3U %3S' times
  if ! times=$({ time "$cxx" "${flags[@]}" -I "$root/include" -c "$1" -o "$work/out.o" \
                 2>"$work/errors.txt"; } 2>&1); then
    head -n 40 "$work/errors.txt" >&2
    echo "$1 does not compile" >&2
    return 1
  fi
  echo "$times" | awk '{ printf "%.3f\n", $1 + $2 }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "compiler: $(sqlproof_first_line "$cxx" --version)"
echo "flags:    ${flags[*]}"
echo "runs:     $runs of each, interleaved (median of CPU time, user + sys)"
declare -A samples=()
for ((r = 0; r < runs; ++r)); do
  for variant in unchecked checked underived derived; do
    samples[$variant]+="$(cpu_seconds "$work/$variant.cpp") "
  done
done
declare -A m=()
for variant in unchecked checked underived derived; do
  # shellcheck disable=SC2086  # the samples are words
  m[$variant]=$(median ${samples[$variant]})
  printf '%-10s %6.2f s   (runs: %s)\n' "$variant" "${m[$variant]}" "${samples[$variant]% }"
done
ratio=$(awk -v a="${m[checked]}" -v b="${m[unchecked]}" 'BEGIN { printf "%.3f", a / b }')
difference=$(awk -v a="${m[derived]}" -v b="${m[underived]}" 'BEGIN { printf "%.2f", a - b }')
echo "100 queries against schema_of<20 tables> / unchecked: $ratio (budget $max_ratio)"
echo "schema_of<50 migrations> adds:                        $difference s (budget $max_difference s)"
fail=0
if awk -v r="$ratio" -v m="$max_ratio" 'BEGIN { exit !(r > m) }'; then
  echo "over budget: ratio $ratio > $max_ratio" >&2
  fail=1
fi
if awk -v d="$difference" -v m="$max_difference" 'BEGIN { exit !(d > m) }'; then
  echo "over budget: $difference s > $max_difference s" >&2
  fail=1
fi
exit "$fail"
