"""Export records -> Bencher Metric Format (BMF) JSON, what `bencher run --adapter json` reads.

    {"<benchmark>": {"<measure>": {"value": v, "lower_value": lo, "upper_value": hi}}}

Benchmark keys are the suite's names (Go peers: `<go version>/<name>`). Measures, every one
per element:
  - `latency` (Bencher's built-in measure, nanoseconds): the mean of the pyperf values, with
    lower/upper the 95% confidence interval of that mean, mean +- t(0.975, n-1) x stdev /
    sqrt(n) over the pyperf values (Student's t; pyperf itself prints mean +- stdev, not an
    interval); one value has no interval, so no bounds;
  - `instructions`, `d1-misses`, `ll-misses`, `est-cycles` (callgrind simulation) and
    `bytes-allocated`, `allocations` (counting allocator): exact, value only, no bounds.
"""
from __future__ import annotations

import json
import math
import statistics

from mapbench.analysis.exports.export_records import OURS, ExportBenchmark

LATENCY = "latency"
CONFIDENCE = 0.95
MEASURES = {"instructions/op": "instructions", "D1-misses/op": "d1-misses",
            "LL-misses/op": "ll-misses", "est-cycles/op": "est-cycles",
            "B/op": "bytes-allocated", "allocs/op": "allocations"}


def latency(times_s: list[float]) -> dict:
    """{value, lower_value, upper_value} in ns: the mean and its 95% t interval."""
    ns = [t * 1e9 for t in times_s if math.isfinite(t)]
    mean = statistics.fmean(ns)
    if len(ns) < 2:
        return {"value": mean}
    from scipy import stats  # here, not at the top: it costs every `mapbench` command ~2 s and 100 MB

    half = stats.t.ppf(0.5 + CONFIDENCE / 2, len(ns) - 1) * statistics.stdev(ns) / math.sqrt(len(ns))
    return {"value": mean, "lower_value": mean - half, "upper_value": mean + half}


def metrics(bench: ExportBenchmark) -> dict:
    out = {}
    if bench.times:
        out[LATENCY] = latency([s for s, _ in bench.times])
    for unit, value in {**bench.counts, **bench.allocs}.items():
        if unit in MEASURES and math.isfinite(value):
            out[MEASURES[unit]] = {"value": value}
    return out


def document(benchmarks: list[ExportBenchmark]) -> dict:
    doc = {}
    for b in benchmarks:
        key = b.name if b.impl == OURS else f"{b.impl}/{b.name}"
        if found := metrics(b):
            doc[key] = found
    return doc


def render(benchmarks: list[ExportBenchmark]) -> str:
    return json.dumps(document(benchmarks), indent=2, sort_keys=True) + "\n"
