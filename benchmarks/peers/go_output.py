"""The Go peers' numbers: `go test -bench -benchmem` output to benchmark records.

benchmarks/peers/gomap/map_test.go names its sub-benchmarks like the suite's
(`BenchmarkMap/iterate/n=1024-2`); a record carries the version label as prefix
(`go1.23/iterate/n=1024`) and every metric of its line, the -count repeats merged:

  {"name": "go1.23/iterate/n=1024", "family": "iterate", "params": "", "n": 1024,
   "entries": 1024,             # map entries an op touches (iterate-growing: entries/op)
   "ns_per_op": [..one per -count..], "iterations": [...],
   "ns_per_element": mean ns/op / entries (iterinit: mean ns/op, one set-up per op),
   "bytes_per_op": mean B/op, "allocs_per_op": mean allocs/op (None without -benchmem),
   "metrics": {"yields/n": mean, ...}    # only where the line has EXTRA_METRICS (iterate-inserting)}

An older Go peer named its benchmarks `BenchmarkRange/n=N`: read as family `range`.
"""
from __future__ import annotations

import re
import statistics

# Families and what one op is, as map_test.go measures them.
FAMILIES = {
    "iterate": "for k, v := range m over the whole map (op = 1 traversal)",
    "iterinit": "for k, v := range m { break }: iterator set-up and first entry (op = 1 set-up)",
    "iterate-growing": "range over a map filled just past a grow trigger of the classic map (6.5 x 2^B + 1 "
                       "entries, the grow left in progress); Swiss maps grow all at once, so there it is a "
                       "plain range over a map of that many entries",
    "iterate-heap": "reflect.Value.MapRange(): a heap-allocated iterator per traversal (the article's new(hiter))",
    "iterate-pool": "reflect.MapIter from a sync.Pool, Reset per traversal (the article's 4.3)",
    "iterate-func": "for k, v := range maps.All(m): range-over-func (Go 1.23+)",
    "insert": "n inserts into make(map, 0) (hint=0) or make(map, n) (hint=1); n <= 2^18",
    "lookup": "n lookups of present (hit) or absent (miss) keys",
    "delete": "n deletes from a full map built outside the timer; n <= 2^18",
    "iterate-inserting": "for k := range m { put per fresh keys }, over a fresh map of n keys, stopped at 64n "
                         "entries (op = 1 range); yields/n is the mean over the ops, each a draw of Go's random "
                         "hash seed and start",
    "iterate-after-delete": "range over a map of n keys after deleting deleted% of them (copied: over a copy "
                            "made with make(map, len(m))); per live entry",
    "copy-after-delete": "c := make(map, len(m)); for k, v := range m { c[k] = v }, of the map after the "
                         "deletes; per entry copied",
    "iterate-load": "range over a map filled to just after its last grow at or before n, or just before its "
                    "first grow past n; per entry",
}
# Metrics of a family beyond ns/op, B/op, allocs/op and entries/op, kept in "metrics".
EXTRA_METRICS = ("yields/n", "yields-min/n", "yields-max/n", "ended/op")
PER_OP_FAMILIES = ("iterinit",)     # ns per op, not per element

# BenchmarkMap/iterate-growing/n=1024-2   1592   15407 ns/op   833.0 entries/op   0 B/op   0 allocs/op
LINE_RE = re.compile(r"^Benchmark(?P<top>\w+)/(?P<sub>\S+?)(?:-\d+)?\s+(?P<iters>\d+)\s+(?P<metrics>.*)$")
METRIC_RE = re.compile(r"([-+\d.eE]+) (\S+)")
SIZE_RE = re.compile(r"^(?P<family>[^/]+)(?P<params>(?:/[^/]+)*?)/n=(?P<n>\d+)$")


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def parse_go_bench(text: str, label: str | None = None) -> list[dict]:
    """Benchmark records of `go test -bench` output, in first-seen order. label (go1.23)
    prefixes each name; lines that are not size-named benchmark results are ignored."""
    runs: dict[str, dict] = {}
    metrics: dict[str, dict[str, list[float]]] = {}
    for line in text.splitlines():
        match = LINE_RE.match(line.strip())
        if not match:
            continue
        sub = match["sub"] if match["top"] == "Map" else f"{match['top'].lower()}/{match['sub']}"
        sized = SIZE_RE.match(sub)
        values = {unit: float(value) for value, unit in METRIC_RE.findall(match["metrics"])}
        if not sized or "ns/op" not in values:
            continue
        name = f"{label}/{sub}" if label else sub
        if name not in runs:
            n = int(sized["n"])
            runs[name] = {"name": name, "family": sized["family"], "params": sized["params"].lstrip("/"),
                          "n": n, "entries": n, "ns_per_op": [], "iterations": []}
            metrics[name] = {}
        runs[name]["ns_per_op"].append(values["ns/op"])
        runs[name]["iterations"].append(int(match["iters"]))
        for unit, value in values.items():
            metrics[name].setdefault(unit, []).append(value)
    for name, entry in runs.items():
        got = metrics[name]
        if "entries/op" in got:
            entry["entries"] = int(round(statistics.fmean(got["entries/op"])))
        entry["bytes_per_op"] = _mean(got.get("B/op", []))
        entry["allocs_per_op"] = _mean(got.get("allocs/op", []))
        extra = {unit: _mean(got[unit]) for unit in EXTRA_METRICS if unit in got}
        if extra:
            entry["metrics"] = extra
        per = 1 if entry["family"] in PER_OP_FAMILIES else entry["entries"]
        entry["ns_per_element"] = statistics.fmean(entry["ns_per_op"]) / per
    return list(runs.values())
