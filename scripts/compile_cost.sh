#!/usr/bin/env bash
# What sqlproof costs to compile, as ratios to the same program written with the SQLite C API,
# measured in one run, with the budget printed beside each figure (docs/performance.md).
#
# 1. Translation units, compiled to an object file (-c), for g++ and clang++:
#      C API       benchmarks/compile_cost/raw_workloads.cpp (W1-W4 with sqlite3_*)
#      database    benchmarks/compile_cost/sqlproof_workloads.cpp (W1-W4, <sqlproof/database.hpp>)
#      umbrella    benchmarks/compile_cost/umbrella_workloads.cpp (the same, <sqlproof/sqlproof.hpp>)
#      quickstart  examples/quickstart.cpp (the README's program: umbrella, migrations, queries)
#      no queries  benchmarks/compile_cost/no_queries.cpp (the database file's set-up alone: open,
#                  a script, a transaction; no budget: what a file pays before its first query)
#    and the database, umbrella and no-queries files again with SQLPROOF_SEPARATE_COMPILATION
#    (docs/separate-compilation.md), against the same budgets, beside the implementation file
#    that such a program compiles once (benchmarks/compile_cost/implementation.cpp).
#    CPU seconds (user + sys) as minimum and median of RUNS compiles (run by run, every program
#    once, so that passing load affects all alike), the ratio of each minimum
#    to the C API's, and the compiler's peak memory (largest of the runs).
# 2. The per-query series: generated files with 1, 10 and 100 point-select queries, each
#    query a SELECT of its own text, all run in main:
#      shared signature  every query is User(std::int64_t)
#      new signature     every query has a row struct of its own (same five fields)
#    and the cost of each added query in milliseconds, from the minimum times. The same two
#    series written with the C API (c_shared: every query a function of its own reading the
#    row with one shared function; c_new: every query a function with a struct and a reading
#    function of its own) show what a hand-written program pays per added query, and the
#    ratio of sqlproof's cost to it.
#
# Budgets (g++ 12, -O2): database TU <= 1.8x the C API, umbrella TU <= 2.0x, peak <= 180 MB;
# <= 10 ms per added query of a shared signature, <= 20 ms of a new one. clang++ is reported
# against the same budgets. This is a benchmark, not a test: other load on the machine moves
# every figure (the ratios less), so run it on an otherwise idle machine.
#
# Usage: scripts/compile_cost.sh
# Env:   RUNS (default 3), COMPILERS (default "g++ clang++"), SERIES (default "1 10 100"),
#        OPT (default -O2)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${root}/benchmarks/compile_cost"
out="${root}/build/compile_cost"
runs="${RUNS:-3}"
read -r -a compilers <<< "${COMPILERS:-g++ clang++}"
read -r -a series <<< "${SERIES:-1 10 100}"
opt="${OPT:--O2}"
mkdir -p "${out}/series"

# compile_once KEY FILE [FLAG...]: compiles FILE once; appends the CPU seconds to times[KEY]
# and keeps the largest peak memory in peaks[KEY].
declare -A times peaks
compile_once() {
  local key=$1 file=$2 user sys kb
  shift 2
  /usr/bin/time -f '%U %S %M' -o "${out}/time.txt" \
    "${cxx}" -std=c++20 "${opt}" "$@" -I"${root}/include" -c "${file}" -o "${out}/unit.o"
  read -r user sys kb < "${out}/time.txt"
  times[${key}]+="$(awk -v u="${user}" -v s="${sys}" 'BEGIN { printf "%.2f", u + s }') "
  peaks[${key}]=$((kb > ${peaks[${key}]:-0} ? kb : ${peaks[${key}]:-0}))
}

# summary KEY: sets min_cpu, med_cpu (seconds) and peak_mb of KEY's runs.
summary() {
  local sorted
  sorted=$(tr ' ' '\n' <<< "${times[$1]}" | sed '/^$/d' | sort -g)
  min_cpu=$(head -n 1 <<< "${sorted}")
  med_cpu=$(sed -n "$(((runs + 1) / 2))p" <<< "${sorted}")
  peak_mb=$((peaks[$1] / 1024))
}

# verdict VALUE BUDGET: "met" when VALUE <= BUDGET.
verdict() { awk -v v="$1" -v b="$2" 'BEGIN { print (v <= b) ? "met" : "not met" }'; }

# per_added CPU FIRST_CPU N FIRST_N: milliseconds per query added between the two files.
per_added() {
  awk -v a="$1" -v b="$2" -v n="$3" -v f="$4" 'BEGIN { printf "%.1f", (a - b) * 1000 / (n - f) }'
}

# row_struct NAME: the series' row struct, five fields (the W1-W4 User).
row_struct() {
  printf 'struct %s {\n  std::int64_t id;\n  std::string name;\n' "$1"
  printf '  std::optional<std::string> email;\n  int age;\n  double score;\n};\n'
}

# generate N shared|new FILE: the per-query series' source.
generate() {
  local n=$1 kind=$2 file=$3 i row
  {
    printf '#include <sqlproof/database.hpp>\n\n#include <cstdint>\n#include <cstdio>\n'
    printf '#include <optional>\n#include <string>\n\nnamespace sp = sqlproof;\n\n'
    for ((i = 0; i < n; ++i)); do
      row=User
      if [[ ${kind} == new ]]; then row="User${i}"; fi
      if [[ ${kind} == new || ${i} == 0 ]]; then row_struct "${row}"; fi
      printf 'using q%d = sp::query<"SELECT id, name, email, age, score FROM users WHERE id = ? AND age > %d",\n' "${i}" "${i}"
      printf '                      %s(std::int64_t)>;\n' "${row}"
    done
    printf '\nint main() {\n  sp::database db(":memory:");\n'
    printf '  db.exec_script("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "\n'
    printf '                 "email TEXT, age INTEGER NOT NULL, score REAL NOT NULL)");\n'
    printf '  long long sum = 0;\n'
    for ((i = 0; i < n; ++i)); do
      printf '  if (auto u = db.one<q%d>(std::int64_t{%d})) sum += u->age;\n' "${i}" "${i}"
    done
    printf '  std::printf("%%lld\\n", sum);\n}\n'
  } > "${file}"
}

# generate_c N shared|new FILE: the same series written with the C API.
generate_c() {
  local n=$1 kind=$2 file=$3 i row
  {
    printf '#include <sqlite3.h>\n\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n'
    printf '#include <optional>\n#include <string>\n\n'
    printf 'static void check(sqlite3* db, int rc) {\n'
    printf '  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {\n'
    printf '    std::fprintf(stderr, "%%s\\n", sqlite3_errmsg(db));\n    std::exit(1);\n  }\n}\n'
    for ((i = 0; i < n; ++i)); do
      row=User
      if [[ ${kind} == new ]]; then row="User${i}"; fi
      if [[ ${kind} == new || ${i} == 0 ]]; then
        printf '\n'
        row_struct "${row}"
        printf '\nstatic %s read_%s(sqlite3_stmt* s) {\n  %s u;\n' "${row}" "${row}" "${row}"
        printf '  u.id = sqlite3_column_int64(s, 0);\n'
        printf '  const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));\n'
        printf '  u.name.assign(name != nullptr ? name : "", static_cast<std::size_t>(sqlite3_column_bytes(s, 1)));\n'
        printf '  if (sqlite3_column_type(s, 2) != SQLITE_NULL) {\n'
        printf '    const auto* email = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));\n'
        printf '    u.email.emplace(email, static_cast<std::size_t>(sqlite3_column_bytes(s, 2)));\n  }\n'
        printf '  u.age = sqlite3_column_int(s, 3);\n  u.score = sqlite3_column_double(s, 4);\n'
        printf '  return u;\n}\n'
      fi
      printf '\nstatic std::optional<%s> q%d(sqlite3* db, std::int64_t id) {\n' "${row}" "${i}"
      printf '  static sqlite3_stmt* s = nullptr;\n'
      printf '  if (s == nullptr) {\n    check(db, sqlite3_prepare_v2(db, "SELECT id, name, email, age, score FROM users WHERE id = ? AND age > %d",\n' "${i}"
      printf '                                 -1, &s, nullptr));\n  }\n'
      printf '  sqlite3_bind_int64(s, 1, id);\n  const int rc = sqlite3_step(s);\n  check(db, rc);\n'
      printf '  std::optional<%s> row;\n  if (rc == SQLITE_ROW) row = read_%s(s);\n' "${row}" "${row}"
      printf '  sqlite3_reset(s);\n  return row;\n}\n'
    done
    printf '\nint main() {\n  sqlite3* db = nullptr;\n  check(db, sqlite3_open(":memory:", &db));\n'
    printf '  check(db, sqlite3_exec(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "\n'
    printf '                         "email TEXT, age INTEGER NOT NULL, score REAL NOT NULL)",\n'
    printf '                         nullptr, nullptr, nullptr));\n  long long sum = 0;\n'
    for ((i = 0; i < n; ++i)); do
      printf '  if (auto u = q%d(db, %d)) sum += u->age;\n' "${i}" "${i}"
    done
    printf '  std::printf("%%lld\\n", sum);\n}\n'
  } > "${file}"
}

for kind in shared new; do
  for n in "${series[@]}"; do
    generate "${n}" "${kind}" "${out}/series/${kind}_${n}.cpp"
    generate_c "${n}" "${kind}" "${out}/series/c_${kind}_${n}.cpp"
  done
done
programs=(raw database umbrella quickstart no_queries database_sep umbrella_sep no_queries_sep
  implementation)
declare -A files=(
  [raw]="${src}/raw_workloads.cpp" [database]="${src}/sqlproof_workloads.cpp"
  [umbrella]="${src}/umbrella_workloads.cpp" [quickstart]="${root}/examples/quickstart.cpp"
  [no_queries]="${src}/no_queries.cpp" [database_sep]="${src}/sqlproof_workloads.cpp"
  [umbrella_sep]="${src}/umbrella_workloads.cpp" [no_queries_sep]="${src}/no_queries.cpp"
  [implementation]="${src}/implementation.cpp")
# The programs compiled with separate compilation.
declare -A separate=([database_sep]=1 [umbrella_sep]=1 [no_queries_sep]=1 [implementation]=1)
for kind in shared new c_shared c_new; do
  for n in "${series[@]}"; do
    programs+=("${kind}_${n}")
    files[${kind}_${n}]="${out}/series/${kind}_${n}.cpp"
  done
done

for cxx in "${compilers[@]}"; do
  command -v "${cxx}" >/dev/null || { echo "${cxx}: not found, skipped"; continue; }
  times=() peaks=()
  # Run by run, every program once: load that comes and goes affects them all alike.
  for ((run = 0; run < runs; ++run)); do
    for prog in "${programs[@]}"; do
      if [[ -n ${separate[${prog}]:-} ]]; then
        compile_once "${prog}" "${files[${prog}]}" -DSQLPROOF_SEPARATE_COMPILATION
      else
        compile_once "${prog}" "${files[${prog}]}"
      fi
    done
  done

  version=$("${cxx}" -dumpfullversion -dumpversion 2>/dev/null | head -n 1)
  echo "${cxx} ${version}, -std=c++20 ${opt} -c, ${runs} runs each (CPU seconds: min / median)"
  printf '  %-14s %7s %7s %7s %9s %-9s %9s %9s %s\n' program min median ratio budget "" "peak MB" \
    budget ""
  summary raw
  raw=${min_cpu}
  printf '  %-14s %7s %7s %7s %9s %9s %9s\n' "C API" "${min_cpu}" "${med_cpu}" 1.00 "" "" "${peak_mb}"
  for prog in database umbrella quickstart no_queries separate database_sep umbrella_sep \
    no_queries_sep implementation; do
    if [[ ${prog} == separate ]]; then
      echo "  with SQLPROOF_SEPARATE_COMPILATION (the implementation file is compiled once):"
      continue
    fi
    summary "${prog}"
    name=${prog%_sep}
    name=${name//_/ }
    ratio=$(awk -v a="${min_cpu}" -v b="${raw}" 'BEGIN { printf "%.2f", a / b }')
    case ${prog} in
      database | database_sep) budget=1.8 ;;
      umbrella | umbrella_sep) budget=2.0 ;;
      *) budget="" ;;
    esac
    if [[ -n ${budget} ]]; then
      printf '  %-14s %7s %7s %7s %9s %-9s %9s %9s %s\n' "${name}" "${min_cpu}" "${med_cpu}" \
        "${ratio}" "<= ${budget}" "$(verdict "${ratio}" "${budget}")" "${peak_mb}" "<= 180" \
        "$(verdict "${peak_mb}" 180)"
    else
      printf '  %-14s %7s %7s %7s %9s %9s %9s\n' "${name}" "${min_cpu}" "${med_cpu}" "${ratio}" \
        "" "" "${peak_mb}"
    fi
  done

  for kind in shared new; do
    budget=10
    label="shared signature, User(std::int64_t)"
    if [[ ${kind} == new ]]; then budget=20 label="new signature, a row struct per query"; fi
    echo "  per-query series, ${label}:"
    printf '    %8s %7s %7s %9s %17s %9s %-9s %13s %7s\n' queries min median "peak MB" \
      "ms per added one" budget "" "C API ms" ratio
    first_n=""
    for n in "${series[@]}"; do
      summary "c_${kind}_${n}"
      c_cpu=${min_cpu}
      summary "${kind}_${n}"
      if [[ -z ${first_n} ]]; then
        first_n=${n}
        first_cpu=${min_cpu}
        first_c_cpu=${c_cpu}
        printf '    %8s %7s %7s %9s\n' "${n}" "${min_cpu}" "${med_cpu}" "${peak_mb}"
        continue
      fi
      per=$(per_added "${min_cpu}" "${first_cpu}" "${n}" "${first_n}")
      c_per=$(per_added "${c_cpu}" "${first_c_cpu}" "${n}" "${first_n}")
      # Within the noise a step can come out at or below zero: no ratio then.
      ratio=$(awk -v a="${per}" -v b="${c_per}" \
        'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }')
      printf '    %8s %7s %7s %9s %17s %9s %-9s %13s %7s\n' "${n}" "${min_cpu}" "${med_cpu}" \
        "${peak_mb}" "${per}" "<= ${budget}" "$(verdict "${per}" "${budget}")" "${c_per}" "${ratio}"
    done
  done
  echo
done
