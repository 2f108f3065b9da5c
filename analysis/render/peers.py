"""Go peers beside ours: markdown tables of peers.json next to a bench.json's results.

peers.json (benchmarks/peers/go_run.py) holds one entry per Go version, each with records
named `<label>/<family>/n=N` (`go1.23/iterate/n=1024`) whose ns_per_element is go test's
ns/op divided by the entries an op touches. An older peers.json (one Go, names like
`range/n=1024`) reads as one version whose `range` is `iterate`.

Each family gets one table: ours (pyperf timing, the mean), every Go version, and ours / Go
per version (below 1: ours takes less time). Peer numbers are context: they come from
another harness (go test picks its own b.N) and another process, so no table here tests
a difference for significance. Then allocs/op (B/op) of both sides, and where Go's CPU
profile of the iteration benchmarks spends its samples.
"""
from __future__ import annotations

from mapbench import names
from mapbench.analysis.render.tables import fmt as _fmt

import re

# (Go family, what Go runs, our benchmark name template, what ours is)
PAIRS = (
    ("iterate", "for k, v := range m", "iterate/storage=stack/prefetch=0/n={n}", "iterate stack prefetch=0"),
    ("iterinit", "range + break, ns per set-up", "iterinit/storage=stack/n={n}", "iterinit stack"),
    ("iterate-growing", "range while a grow is in progress",
     "iterate-growing/n={n}", "iterate-growing (grow half done)"),
    ("iterate-heap", "reflect MapRange(): heap iterator", "iterate/storage=heap/prefetch=0/n={n}",
     "iterate heap (malloc'd iterator)"),
    ("iterate-pool", "reflect.MapIter from a sync.Pool", "iterate/storage=pool/prefetch=0/n={n}",
     "iterate pool"),
    ("iterate-func", "range over maps.All(m)", "iterate/storage=stack/prefetch=0/n={n}",
     "iterate stack (C has no range-over-func)"),
    ("insert/hint=0", "n inserts, make(map)", "insert/hint=0/n={n}", "insert hint=0"),
    ("insert/hint=1", "n inserts, make(map, n)", "insert/hint=1/n={n}", "insert hint=1"),
    ("lookup/hit", "n lookups, present keys", "lookup/hit/n={n}", "lookup hit"),
    ("lookup/miss", "n lookups, absent keys", "lookup/miss/n={n}", "lookup miss"),
    ("delete", "n deletes", "delete/n={n}", "delete"),
)
# More of ours in a family's table: the iterator storages next to Go's set-up (issue 14).
MORE_OURS = {"iterinit": (("iterinit heap", "iterinit/storage=heap/n={n}"),
                          ("iterinit pool", "iterinit/storage=pool/n={n}"))}
# The goals a family's ours / Go rows are read against (issue 14), said under its table.
GOALS = {"iterate": "goal: ours / go1.19 at most 0.33",
         "iterinit": "goal: ours / go1.19 at most 1 for stack, 1.5 for heap and pool"}
# What a family's numbers mean beyond its title, said under its table.
NOTES = {"iterate-growing": "a Swiss map (Go 1.24+) grows a table all at once, so nothing is in progress: its row is a "
                            "plain range over a map of that fill, the nearest state Go's API can make"}
ALLOC_FAMILIES = ("iterate", "iterate-heap", "iterate-pool", "iterate-func", "insert/hint=0", "insert/hint=1")
_LABEL = re.compile(r"^go\d+\.\d+")


def _label_of(version: str | None) -> str:
    match = _LABEL.match(version or "")
    return match.group() if match else "go"


def versions(peers: dict | None) -> list[dict]:
    """The per-version entries of peers.json, the old one-version form included."""
    if not isinstance(peers, dict):
        return []
    if isinstance(peers.get("versions"), list):
        return [v for v in peers["versions"] if isinstance(v, dict) and v.get("label")]
    if isinstance(peers.get("benchmarks"), list):                 # format 1: one Go, range/n=N
        label = _label_of(peers.get("go_version"))
        records = []
        for b in peers["benchmarks"]:
            name = str(b.get("name", ""))
            name = "iterate" + name[len("range"):] if name.startswith("range/") else name
            records.append({**b, "name": f"{label}/{name}"})
        return [{"label": label, "go_version": peers.get("go_version") or "go (unknown version)",
                 "map": "classic", "benchmarks": records}]
    return []


def _who(version: dict) -> str:
    return f"{version.get('go_version', version['label'])} ({version.get('map', '?')})"


def peers_sections(results: dict, peers: dict | None, ns_: list[int], cols: list[str], table) -> list[str]:
    """Markdown sections: one table per family, allocs/op, Go profile leaders. `results` maps
    our benchmark names to objects with .ns and .metadata; ns_/cols are our sizes and their
    column labels (Go's other sizes are added); `table` is benchsummary.table."""
    vs = versions(peers)
    if not vs:
        return []
    by_name = {b["name"]: b for v in vs for b in v.get("benchmarks", []) if isinstance(b, dict) and "name" in b}
    go_sizes = {int(b["n"]) for b in by_name.values() if isinstance(b.get("n"), int)}
    if not go_sizes <= set(ns_):                # Go ran at sizes ours did not: show them too
        ns_ = sorted(set(ns_) | go_sizes)
        cols = [names.size_column(n) for n in ns_]
    repeats = (peers or {}).get("count")
    go_source = ("go test -bench -benchmem" + (f", mean of {repeats} runs (-count)" if repeats else "")
                 + ", ns/op divided by the entries an op touches (iterinit: ns/op, one set-up per op)")
    sections = [table("Go peers: the Go versions", "peers.json (`mapbench peers`, `mapbench bench --go`); "
                      "one go test process per version and group of families, after ours",
                      ["map", "toolchain", "benchmarks", "seconds", "problems"],
                      [(v.get("go_version", v["label"]),
                        [v.get("map", "?"), v.get("toolchain", "?"), str(len(v.get("benchmarks", []))),
                         _fmt(v.get("elapsed_s"), ".0f"), "; ".join(v.get("problems") or []).replace("|", "/") or "-"])
                       for v in vs])]
    for family, what, ours_t, ours_label in PAIRS:
        go_rows = []
        for v in vs:
            cells = [by_name.get(f"{v['label']}/{family}/n={n}") for n in ns_]
            go_rows.append((v, cells))
        if not any(c for _, cells in go_rows for c in cells):
            continue
        variants = [(ours_label, ours_t)] + [
            (label, t) for label, t in MORE_OURS.get(family, ())
            if any(t.format(n=n) in results for n in ns_)]
        ours_of = [(label, [results.get(t.format(n=n)) for n in ns_]) for label, t in variants]
        rows = [(f"ours: {label}", [_fmt(r.ns if r else None, ".2f") for r in ours])
                for label, ours in ours_of]
        for v, cells in go_rows:
            rows.append((_who(v), [_fmt(c["ns_per_element"] if c else None, ".2f") for c in cells]))
        for label, ours in ours_of:
            prefix = "ours" if label == ours_label else f"ours {label.split()[-1]}"
            for v, cells in go_rows:
                rows.append((f"{prefix} / {v['label']}",
                             [_fmt(r.ns / c["ns_per_element"] if r and c and c["ns_per_element"] else None,
                                   ".2f") for r, c in zip(ours, cells)]))
        unit = "ns per set-up" if family == "iterinit" else "ns/element"
        note = ""
        entries = [c for _, cells in go_rows for c in cells if c and c.get("entries") not in (None, c.get("n"))]
        if entries:
            note = ("; Go's maps hold " + ", ".join(sorted({f"{c['entries']} entries at n={c['n']}" for c in entries},
                                                        key=lambda s: int(s.split('=')[-1])))
                    + " (the fill where the classic map starts a grow)")
        if family in NOTES and any(v.get("map") == "swiss" for v in vs):
            note += "; " + NOTES[family]
        if family in GOALS:
            note += "; " + GOALS[family]
        sections.append(table(f"Go peers: {family} ({what}), {unit}; ours / Go below 1 = ours faster",
                              f"ours: pyperf timing (mean); Go: {go_source}{note}. Context, not a verdict",
                              cols, rows))

    rows = []
    for family in ALLOC_FAMILIES:
        ours_t = next(p[2] for p in PAIRS if p[0] == family)
        if family != "iterate-func":
            cells = []
            for n in ns_:
                r = results.get(ours_t.format(n=n))
                a = None if r is None else r.metadata.get("allocs_per_op")
                b = None if r is None else r.metadata.get("alloc_bytes_per_op")
                cells.append("-" if a is None else f"{a:.3g}" + ("" if b is None else f" ({b:.3g} B)"))
            rows.append((f"ours: {family}", cells))
        for v in vs:
            cells = []
            for n in ns_:
                c = by_name.get(f"{v['label']}/{family}/n={n}")
                a = None if c is None else c.get("allocs_per_op")
                b = None if c is None else c.get("bytes_per_op")
                cells.append("-" if a is None else f"{a:.3g}" + ("" if b is None else f" ({b:.3g} B)"))
            rows.append((f"{v['label']}: {family}", cells))
    rows = [r for r in rows if any(c != "-" for c in r[1])]
    if any(label.startswith("go") for label, _ in rows):
        sections.append(table("Go peers: allocs/op (bytes/op)",
                              "ours: native counting allocator (run metadata); Go: go test -benchmem "
                              "(mean over -count; an op is one traversal or n inserts)", cols, rows))

    profiled = [v for v in vs if isinstance(v.get("profile"), dict) and v["profile"].get("top_self")]
    if profiled:
        width = max(len(v["profile"]["top_self"]) for v in profiled[:1])
        width = min(width, 4)
        rows = [(_who(v), [f"{name} {share * 100:.0f}%" for name, share in v["profile"]["top_self"][:width]]
                 + ["-"] * (width - len(v["profile"]["top_self"][:width]))) for v in profiled]
        flames = ", ".join(v["profile"]["flame"] for v in profiled if v["profile"].get("flame"))
        sections.append(table("Go CPU profiles of the iteration benchmarks: functions with the most self samples",
                              "go test -cpuprofile, folded by mapbench, the untimed map building left out, "
                              f"shares of the remaining samples; flame graphs: {flames}",
                              [f"#{i + 1}" for i in range(width)], rows))
    return sections
