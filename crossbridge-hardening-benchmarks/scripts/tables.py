#!/usr/bin/env python3
"""Turns a JMH JSON result of RateLimiterBenchmark into the Markdown table of BENCHMARKS.md.

Usage: ratelimit-table.py result.json
Each row is one scenario; each library cell is ns/op +- error (99.9%) and bytes allocated per op;
the last column is crossbridge's time over the fastest peer's in the same run.
"""
import json
import sys

LIBRARIES = ["crossbridge", "bucket4j", "resilience4j", "guava"]
PEERS = LIBRARIES[1:]


def main(path):
    results = {}
    for entry in json.load(open(path)):
        threads = entry["benchmark"].rsplit(".", 1)[1]
        params = entry["params"]
        scenario = (threads, int(params["keys"]), params["path"])
        alloc = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        metric = entry["primaryMetric"]
        results.setdefault(scenario, {})[params["library"]] = (metric["score"], metric["scoreError"], alloc)

    print("| threads | keys | path | " + " | ".join(LIBRARIES) + " | crossbridge / fastest peer |")
    print("|---|---:|---|" + "---:|" * (len(LIBRARIES) + 1))
    for scenario in sorted(results, key=lambda s: (s[0] != "oneThread", s[1], s[2])):
        row = results[scenario]
        cells = []
        for library in LIBRARIES:
            if library not in row:
                cells.append("-")
                continue
            score, error, alloc = row[library]
            alloc_text = "" if alloc is None else " (%d B)" % round(alloc)
            cells.append("%.1f ± %.1f%s" % (score, error, alloc_text))
        peers = [row[p][0] for p in PEERS if p in row]
        if "crossbridge" in row and peers:
            fastest = min(peers)
            fastest_name = [p for p in PEERS if p in row and row[p][0] == fastest][0]
            ratio = "%.2fx (%s)" % (row["crossbridge"][0] / fastest, fastest_name)
        else:
            ratio = "-"
        threads = "1" if scenario[0] == "oneThread" else "2"
        print("| %s | %s | %s | %s | %s |" % (threads, format(scenario[1], ","), scenario[2], " | ".join(cells), ratio))


if __name__ == "__main__":
    main(sys.argv[1])
