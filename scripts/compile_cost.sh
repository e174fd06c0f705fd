#!/usr/bin/env bash
# Compile cost and size of the same program (W1-W4: insert, point select, scan to a vector,
# streamed scan) written with sqlproof and with the SQLite C API:
# benchmarks/compile_cost/{sqlproof,raw}_workloads.cpp; and of the README's program,
# examples/quickstart.cpp (the umbrella header, one migration, four queries, a transaction),
# the figure the README and docs/getting-started.md quote.
#
# For g++ and clang++ at -O2 -std=c++20, one translation unit compiled and linked (SQLite linked
# dynamically): wall seconds, user+sys CPU seconds, peak memory (/usr/bin/time -v, the
# compiler's largest process) and the stripped binary size. Each compile runs RUNS times
# (default 3); the table shows the minimum time (least disturbed by other load) and the
# maximum peak memory.
# Usage: scripts/compile_cost.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${root}/benchmarks/compile_cost"
out="${root}/build/compile_cost"
runs="${RUNS:-3}"
mkdir -p "${out}"

printf '%-10s %-9s %9s %9s %11s %13s\n' compiler program "wall s" "cpu s" "peak MB" "stripped KB"
for cxx in g++ clang++; do
  command -v "${cxx}" >/dev/null || continue
  for prog in raw sqlproof quickstart; do
    source_file="${src}/${prog}_workloads.cpp"
    [[ ${prog} == quickstart ]] && source_file="${root}/examples/quickstart.cpp"
    best_wall=999; best_cpu=999; peak=0
    for ((i = 0; i < runs; ++i)); do
      /usr/bin/time -v "${cxx}" -std=c++20 -O2 -I"${root}/include" "${source_file}" \
        -o "${out}/${prog}_${cxx}" -lsqlite3 2>"${out}/time.txt"
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "${out}/time.txt")
      user=$(awk -F': ' '/User time/ {print $2}' "${out}/time.txt")
      sys=$(awk -F': ' '/System time/ {print $2}' "${out}/time.txt")
      kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "${out}/time.txt")
      cpu=$(awk -v u="${user}" -v s="${sys}" 'BEGIN{printf "%.2f", u+s}')
      best_wall=$(awk -v a="${best_wall}" -v b="${wall}" 'BEGIN{print (b<a)?b:a}')
      best_cpu=$(awk -v a="${best_cpu}" -v b="${cpu}" 'BEGIN{print (b<a)?b:a}')
      peak=$(( kb > peak ? kb : peak ))
    done
    strip -o "${out}/${prog}_${cxx}.stripped" "${out}/${prog}_${cxx}"
    size=$(stat -c %s "${out}/${prog}_${cxx}.stripped")
    (cd "${out}" && "${out}/${prog}_${cxx}" >/dev/null)  # quickstart writes its database here
    printf '%-10s %-9s %9.2f %9.2f %11.0f %13.1f\n' "${cxx}" "${prog}" "${best_wall}" "${best_cpu}" \
      "$(awk -v k="${peak}" 'BEGIN{print k/1024}')" "$(awk -v b="${size}" 'BEGIN{print b/1024}')"
  done
done
