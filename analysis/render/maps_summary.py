"""Classic vs Swiss vs Go: the summary table that puts the two C maps side by side.

Input: the results of benchsummary (bench.json) and the Go peers (peers.json). The
classic map's benchmarks are the names without `map=`; the Swiss map's carry
`map=swiss` right after the family (`iterate/map=swiss/storage=stack/prefetch=0/n=N`).
Go's rows come from every Go version peers.json holds (analysis/render/peers.py reads
it); each row says whether that Go runs the classic or the Swiss map. Derived numbers: Swiss / classic
(below 1 = the Swiss map is faster), Swiss / its own roofline (the sequential read of
its groups' bytes; the goal, at most 2 at 2^22, is the default iteration's), Swiss / Go
for range on a Go that has the Swiss map (the goal, at most 0.5, is the default
iteration's: prefetch="auto"; prefetch=0 is shown beside it).
"""
from __future__ import annotations

import re

from mapbench.analysis.render.bench_results import Result
from mapbench.analysis.render.tables import fmt as _fmt, table
from mapbench.analysis.render.peers import versions as peer_versions

SWISS_GO = (1, 24)  # the first Go whose runtime map is the Swiss table


def swiss_name(name: str) -> str:
    """The Swiss map's benchmark for a classic name: map=swiss after the family."""
    family, _, rest = name.partition("/")
    return f"{family}/map=swiss/{rest}"


def go_runs(peers: dict | None) -> list[tuple[str, bool, dict]]:
    """(label, has the Swiss map, {"iterate/n=N": entry, ...}) per Go version in peers.json
    (read by analysis/render/peers.py, which knows both of its formats). A version whose
    `map` is not stated is told by its number: Go 1.24 and later run the Swiss map."""
    out = []
    for version in peer_versions(peers):
        go = str(version.get("go_version") or version.get("label") or "go ?")
        kind = version.get("map")
        if kind not in ("classic", "swiss"):
            match = re.match(r"go(\d+)\.(\d+)", go)
            kind = "swiss" if match and (int(match[1]), int(match[2])) >= SWISS_GO else "classic"
        prefix = f"{version.get('label')}/"
        by_name = {b["name"][len(prefix):] if b["name"].startswith(prefix) else b["name"]: b
                   for b in version.get("benchmarks", []) if isinstance(b, dict) and "name" in b}
        if by_name:
            out.append((f"{go} ({'Swiss' if kind == 'swiss' else 'classic'} map)", kind == "swiss", by_name))
    return out


def _ns(results: dict[str, Result], name: str) -> float | None:
    r = results.get(name)
    return None if r is None else r.ns


def _div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def classic_vs_swiss(results: dict[str, Result], ns_: list[int], cols: list[str],
                     prefetch: int | None, peers: dict | None = None) -> str | None:
    """The markdown table, or None when the run has no Swiss benchmark."""
    if not any(r.params.get("map") == "swiss" for r in results.values()):
        return None
    rows: list[tuple[str, list[str]]] = []
    ops = [(f"iterate stack prefetch={p}", f"iterate/storage=stack/prefetch={p}/n={{n}}")
           for p in sorted({0, prefetch or 0})]
    ops.append(("iterate stack prefetch=auto (the default)", "iterate/storage=stack/prefetch=auto/n={n}"))
    ops += [("iterinit stack (ns per init)", "iterinit/storage=stack/n={n}"),
            ("iterate-growing", "iterate-growing/n={n}"),
            ("insert hint=0", "insert/hint=0/n={n}"),
            ("lookup hit", "lookup/hit/n={n}"), ("lookup miss", "lookup/miss/n={n}"),
            ("delete", "delete/n={n}"),
            ("roofline: sequential read of its table bytes", "roofline/n={n}")]
    for label, template in ops:
        classic = [_ns(results, template.format(n=n)) for n in ns_]
        swiss = [_ns(results, swiss_name(template.format(n=n))) for n in ns_]
        if not any(v is not None for v in swiss):
            continue
        rows.append((f"classic: {label}", [_fmt(v, ".2f") for v in classic]))
        rows.append((f"Swiss: {label}", [_fmt(v, ".2f") for v in swiss]))
        if not label.startswith("roofline"):
            rows.append(("  Swiss / classic", [_fmt(_div(s, c), ".2f") for s, c in zip(swiss, classic)]))
    # The goals are the default iteration's (prefetch="auto", what Map and `for k, v in
    # m.items()` use); prefetch=0 is shown beside them, without a goal.
    # (label, ns per size, whether the goals are this variant's)
    iterate = [(label, [_ns(results, swiss_name(f"iterate/storage=stack/prefetch={p}/n={n}")) for n in ns_],
                p == "auto")
               for label, p in (("prefetch=auto (default)", "auto"), ("prefetch=0", "0"))]
    roof = [_ns(results, swiss_name(f"roofline/n={n}")) for n in ns_]
    if any(v is not None for v in roof):
        for label, values, goals in iterate:
            goal = " (goal <= 2 at 2^22)" if goals else ""
            rows.append((f"Swiss iterate {label} / its roofline{goal}",
                         [_fmt(_div(i, r), ".2f") for i, r in zip(values, roof)]))
    for label, swiss_go, by_name in go_runs(peers):
        go = [by_name.get(f"iterate/n={n}", {}).get("ns_per_element") for n in ns_]
        if not any(v is not None for v in go):
            continue
        rows.append((f"{label}: for k, v := range m", [_fmt(v, ".2f") for v in go]))
        if swiss_go:
            for it_label, values, goals in iterate:
                goal = " (goal <= 0.5)" if goals else ""
                rows.append((f"  Swiss iterate {it_label} / Go{goal}",
                             [_fmt(_div(s, g), ".2f") for s, g in zip(values, go)]))
    source = ("pyperf timing, mean of the timed values, ns per map entry (iterinit: per init), "
              "C kernels timed in C with CLOCK_MONOTONIC; Go: go test -bench from peers.json, "
              "ns/op divided by n; ratios derived from those")
    return table("Classic vs Swiss map (Go 1.19 vs Go 1.24 designs in C), ns/element", source, cols, rows)
