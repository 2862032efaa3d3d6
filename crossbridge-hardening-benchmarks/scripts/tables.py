#!/usr/bin/env python3
"""Turns a JMH JSON result into the Markdown tables of BENCHMARKS.md.

Usage: tables.py result.json

Rate limiter: each row is one scenario; each library cell is ns/op +- error (99.9%) and bytes
allocated per op; the last column is crossbridge's time over the fastest peer's in the same run.
Retry: each library's time and allocation, and its overhead over the direct call.
Annotations: each proxied method's time and allocation, and its overhead over the bare method.
"""
import json
import sys

LIBRARIES = ["crossbridge", "bucket4j", "resilience4j", "guava"]
PEERS = LIBRARIES[1:]
RETRY_ROWS = ["direct", "crossbridge", "resilience4j", "springRetryTemplate"]
ANNOTATION_ROWS = ["bare", "proxied", "rateLimitedAndRetried", "retryWithBackoff", "springRetryable",
                   "concurrencyLimited", "springConcurrencyLimit"]


def alloc_of(entry):
    return entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")


def rate_limiter_table(entries):
    results = {}
    for entry in entries:
        threads = entry["benchmark"].rsplit(".", 1)[1]
        params = entry["params"]
        scenario = (threads, int(params["keys"]), params["path"])
        metric = entry["primaryMetric"]
        results.setdefault(scenario, {})[params["library"]] = (metric["score"], metric["scoreError"], alloc_of(entry))

    print("| threads | keys | path | " + " | ".join(LIBRARIES) + " | crossbridge / fastest peer |")
    print("|---|---:|---|" + "---:|" * (len(LIBRARIES) + 1))
    for scenario in sorted(results, key=lambda s: (s[0] != "oneThread", s[1], s[2])):
        row = results[scenario]
        cells = []
        for library in LIBRARIES:
            score, error, alloc = row[library]
            alloc_text = "" if alloc is None else " (%d B)" % round(alloc)
            cells.append("%.1f ± %.1f%s" % (score, error, alloc_text))
        fastest_name = min(PEERS, key=lambda p: row[p][0])
        ratio = "%.2fx (%s)" % (row["crossbridge"][0] / row[fastest_name][0], fastest_name)
        threads = "1" if scenario[0] == "oneThread" else "2"
        print("| %s | %s | %s | %s | %s |" % (threads, format(scenario[1], ","), scenario[2], " | ".join(cells), ratio))


def overhead_table(entries, baseline, rows, label):
    """Each row's time and allocation, and its overhead over the baseline row."""
    results = {}
    for entry in entries:
        metric = entry["primaryMetric"]
        results[entry["benchmark"].rsplit(".", 1)[1]] = (metric["score"], metric["scoreError"], alloc_of(entry))
    base = results[baseline][0]
    print("| %s | ns/op | B/op | overhead over %s, ns |" % (label, baseline))
    print("|---|---:|---:|---:|")
    for name in rows:
        if name not in results:
            # A run of some of the benchmarks only (a regex on the command line).
            continue
        score, error, alloc = results[name]
        overhead = "-" if name == baseline else "%.1f" % (score - base)
        print("| %s | %.1f ± %.1f | %d | %s |" % (name, score, error, round(alloc or 0), overhead))


def main(path):
    entries = json.load(open(path))
    limiter = [e for e in entries if ".RateLimiterBenchmark." in e["benchmark"]]
    retry = [e for e in entries if ".RetryBenchmark." in e["benchmark"]]
    annotation = [e for e in entries if ".AnnotationBenchmark." in e["benchmark"]]
    if limiter:
        rate_limiter_table(limiter)
    if retry:
        print()
        overhead_table(retry, "direct", RETRY_ROWS, "call")
    if annotation:
        print()
        overhead_table(annotation, "bare", ANNOTATION_ROWS, "method")


if __name__ == "__main__":
    main(sys.argv[1])
