#!/usr/bin/env python3
"""Prints the table of docs/performance.md from the JSON of bench_workloads.

Times are medians over the repetitions (CPU time of the benchmark thread; wall time is in the
JSON too, and --real shows it instead: bench_postgres, whose operations wait for a server).
Each row's ratio divides its median by the median of "<workload>/raw"; W2 and W5
are divided by W1/raw, the point select with a statement held by hand.
Usage: scripts/bench_table.py build/bench/workloads.json [--markdown] [--real]
"""
import json
import sys

BASELINE = {"W2_as_documented": "W1_point_select/raw", "W5_dynamic_sql": "W1_point_select/raw"}
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") not in ("median", "stddev", "cv"):
            continue
        name = b["run_name"].split("/iterations:")[0].removesuffix("/real_time")
        entry = rows.setdefault(name, {})
        scale = TO_NS[b.get("time_unit", "ns")]
        entry[b["aggregate_name"]] = {
            "cpu": b["cpu_time"] * scale,
            "real": b["real_time"] * scale,
            "allocs": b.get("allocs/op"),
            "rows": b.get("rows/op", 1.0),
        }
    return data.get("context", {}), rows


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def main():
    path = sys.argv[1]
    markdown = "--markdown" in sys.argv
    clock = "real" if "--real" in sys.argv else "cpu"
    context, rows = load(path)
    header = ["benchmark", "median/op", "ns/row", "rows/s", "vs raw", "cv", "allocs/op"]
    table = []
    for name, agg in rows.items():
        m = agg["median"]
        workload = name.split("/")[0]
        base_name = BASELINE.get(workload, workload + "/raw")
        base = rows.get(base_name, {}).get("median")
        ratio = f"{m[clock] / base[clock]:.3f}" if base else "-"
        if base and base_name != workload + "/raw":
            ratio += " (W1 raw)"
        per_row = m[clock] / m["rows"]
        cv = agg.get("cv", {}).get(clock)
        cv_text = f"{cv * 100:.1f}%" if cv is not None else "-"
        allocs = m["allocs"]
        allocs_text = "-" if allocs is None else (f"{allocs:.2f}" if allocs < 1000 else f"{allocs:,.0f}")
        table.append([name, fmt_time(m[clock]), f"{per_row:.1f}", f"{1e9 / per_row:,.0f}", ratio,
                      cv_text, allocs_text])
    table.sort(key=lambda r: (r[0].split("/")[0], "/raw" not in r[0], r[0]))

    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        for r in table:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
        line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))
        print(line)
        print("-" * len(line))
        for r in table:
            print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                            for i, (c, w) in enumerate(zip(r, widths))))
    if context:
        print(f"\n{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
              f"load average {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}; "
              f"times are medians of {'wall' if clock == 'real' else 'CPU'} time, cv = coefficient of variation over repetitions")


if __name__ == "__main__":
    main()
