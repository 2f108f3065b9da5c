"""The Go peers of a run (peers.json) -> export records named like ours, for one benchstat table.

A Go record (benchmarks/peers/go_output.py) becomes an ExportBenchmark whose `impl` is its
version label (go1.19) and whose name is the suite's name of the same work:

  iterate       -> iterate/storage=stack/prefetch=0/n=N   (`for range`: Go's hiter lives on
                   the stack; mapiternext issues no software prefetch)
  iterate-heap  -> iterate/storage=heap/prefetch=0/n=N    (reflect.MapRange: a heap iterator)
  iterate-pool  -> iterate/storage=pool/prefetch=0/n=N    (reflect.MapIter from a sync.Pool)
  any other     -> <family>/<params>/n=N, as Go named it

Go reaches a heap or pooled iterator only through reflect, so those two rows include
reflect's per-entry copies. A version gets `map=swiss` when its map is the Swiss table
(peers.json `map`), as the suite names its Swiss benchmarks. Values are per element, like ours: ns/op / entries
(iterinit: per op, one set-up), one value per `-count` run, iterations x entries elements;
B/op and allocs/op (their mean over the runs) / entries.
"""
from __future__ import annotations

from mapbench import names
from mapbench.analysis.exports.export_records import ExportBenchmark
from mapbench.benchmarks.peers.go_output import PER_OP_FAMILIES

AS_OURS = {"iterate": "stack", "iterate-heap": "heap", "iterate-pool": "pool"}


def suite_name(record: dict, map_kind: str) -> str | None:
    family, n = record.get("family"), record.get("n")
    if not isinstance(family, str) or not isinstance(n, int) or n <= 0:
        return None
    if family in AS_OURS:
        return names.iterate_name(AS_OURS[family], 0, n, map_kind=map_kind)
    params = [("map", map_kind)] if map_kind != names.DEFAULT_MAP else []
    for part in str(record.get("params") or "").split("/"):
        if part:
            key, _, value = part.partition("=")
            params.append((key, value))
    return names.format_name(family, params, n)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def peer_records(peers: dict | None) -> list[ExportBenchmark]:
    """Every usable Go record of peers.json (form 2, several versions), in file order."""
    out = []
    versions = (peers or {}).get("versions") if isinstance(peers, dict) else None
    for version in versions if isinstance(versions, list) else []:
        if not isinstance(version, dict):
            continue
        impl = str(version.get("label") or version.get("go_version") or "go")
        map_kind = names.MAPS[1] if version.get("map") == names.MAPS[1] else names.DEFAULT_MAP
        for record in version.get("benchmarks") or []:
            name = suite_name(record, map_kind) if isinstance(record, dict) else None
            per_op, iters = record.get("ns_per_op") if name else None, record.get("iterations") or []
            if not isinstance(per_op, list) or not per_op or not all(_number(v) for v in per_op):
                continue
            per = 1 if record["family"] in PER_OP_FAMILIES else max(1, int(record.get("entries") or record["n"]))
            iters = iters if isinstance(iters, list) and len(iters) == len(per_op) else [1] * len(per_op)
            bench = ExportBenchmark(name, impl=impl)
            bench.times = [(v * 1e-9 / per, int(i) * per) for v, i in zip(per_op, iters)]
            for unit, key in (("B/op", "bytes_per_op"), ("allocs/op", "allocs_per_op")):
                if _number(record.get(key)):
                    bench.allocs[unit] = record[key] / per
            out.append(bench)
    return out
