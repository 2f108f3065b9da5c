"""Tables and the plot of the range-loop questions (issue 27), from a run's results and
peers.json: yields/n of a range that inserts, per PER, ours on each map beside every Go
version (one table per n, and one plot); iteration after mass deletes (ns per live entry
against a copy of the same len, bytes walked per live entry, the copy's cost); iteration
at the load just after and just before a grow. Pure: Results (bench_results) and
peers.json in, markdown text and a matplotlib figure out; the numbers are gathered by
mapbench.analysis.stats.range_questions.
"""
from __future__ import annotations

from mapbench import names
from mapbench.analysis.render.plotting import pyplot
from mapbench.analysis.render.tables import fmt, table
from mapbench.analysis.stats import range_questions as rq

YIELDS_SOURCE = ("yields/n: exact counts of the C kernels, mean [min, max] over the worker's seeds "
                 "(bench.json metadata); Go: go test -bench metrics over its ops, each a draw of its "
                 "random hash seed and start (peers.json); no end: still going at the cap (64n entries); "
                 "ns per yield: pyperf timing of the timed seed's run / its yields")


def _metadata(results: dict) -> dict[str, dict]:
    return {name: r.metadata for name, r in results.items()}


def inserting_tables(results: dict, peers) -> list[str]:
    sides = rq.inserting_sides(_metadata(results), peers)
    out = []
    for n in sorted(sides):
        pers = sorted({p for s in sides[n] for p in s.per})
        rows = []
        for s in sides[n]:
            rows.append((s.label, [(f"{s.per[p].word()} [{s.per[p].low:.2f}, {s.per[p].high:.2f}]"
                                    if s.per[p].ended != 0 else s.per[p].word()) if p in s.per else "-"
                                   for p in pers]))
            if s.ours:
                cells = []
                for p in pers:
                    r = results.get(names.format_name(rq.INSERTING, [("map", s.design), ("per", str(p))], n))
                    y = r.metadata.get("yields_per_n") if r is not None else None
                    cells.append(fmt(r.ns / y if r is not None and isinstance(y, (int, float)) and y > 0
                                     else None, ".1f"))
                rows.append((f"  ns per yield, ours ({s.design})", cells))
        out.append(table(f"Does a range loop that inserts end? yields/n at {names.size_column(n)}",
                         YIELDS_SOURCE, [f"PER={p}" for p in pers], rows))
    return out


def inserting_figure(results: dict, peers):
    """yields/n against PER, one line per side (ours solid, Go dashed), the first n."""
    sides = rq.inserting_sides(_metadata(results), peers)
    if not sides:
        return None
    n = min(sides)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for s in sides[n]:
        pers = sorted(s.per)
        ys = [s.per[p].mean for p in pers]
        lo = [s.per[p].mean - s.per[p].low for p in pers]
        hi = [s.per[p].high - s.per[p].mean for p in pers]
        ax.errorbar(pers, ys, yerr=[lo, hi], fmt="-o" if s.ours else "--s", markersize=4, capsize=3,
                    label=s.label)
        for p in pers:
            if s.per[p].ended == 0:
                ax.annotate("no end", (p, s.per[p].mean), fontsize=7, textcoords="offset points", xytext=(4, 4))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("PER: fresh keys put after each yielded key")
    ax.set_ylabel("yields / n (log)")
    ax.set_title(f"Does a range that inserts end? n={names.size_label(n)}, cap 64n entries\n"
                 "ours: exact, mean [min, max] over seeds; Go: go test -bench over its draws", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    return fig


def delete_tables(results: dict, peers) -> list[str]:
    ns = {name: r.ns for name, r in results.items()}
    rows_ = rq.delete_rows(ns, _metadata(results))
    if not rows_:
        return []
    go = rq.go_shaped_ns(peers)
    columns = ["ns/live after", "ns/live on a copy", "x", "B walked/live after", "B walked/live copy",
               "copy ns/entry", "copy pays after (traversals)"]
    go_labels = sorted(go)
    columns += [f"{g}: after / copy ns" for g in go_labels]
    rows = []
    for r in rows_:
        cells = [fmt(r.after_ns, ".1f"), fmt(r.copied_ns, ".1f"), fmt(r.slowdown, ".1f"),
                 fmt(r.after_bytes, ".0f"), fmt(r.copied_bytes, ".0f"), fmt(r.copy_ns, ".1f"),
                 fmt(r.break_even, ".1f")]
        for g in go_labels:
            key = f"{rq.AFTER_DELETE}/deleted={r.deleted}/n={r.n}"
            a, c = go[g].get(key), go[g].get(key.replace("/n=", "/copied/n="))
            cells.append(f"{fmt(a, '.1f')} / {fmt(c, '.1f')}")
        rows.append((f"{r.design} {r.deleted}% deleted, n={names.size_label(r.n)}", cells))
    return [table("What does iteration cost after mass deletes? per live entry",
                  "pyperf timing, ns per live entry (copy: per entry copied, make(map, len(m)) + range + put); "
                  "bytes walked: the shaped map's buckets + overflow buckets (classic) or groups + directory "
                  "(Swiss), from the layout (bench.json metadata); Go: go test -bench (peers.json)",
                  columns, rows)]


def load_tables(results: dict, peers) -> list[str]:
    go = rq.go_shaped_ns(peers)
    go_labels = sorted(go)
    rows = []
    for name in sorted(results):
        parsed = names.parse_name(name)
        if parsed is None or parsed[0] != rq.LOAD:
            continue
        r, params = results[name], dict(parsed[1])
        meta = r.metadata
        key = f"{rq.LOAD}/fill={params.get('fill')}/n={parsed[2]}"
        rows.append((f"{names.map_of(parsed[1])} {params.get('fill')}, n={names.size_label(parsed[2])}",
                     [fmt(meta.get("live_entries"), "d"), fmt(r.ns, ".2f"),
                      fmt(meta.get("bytes_walked_per_live_entry"), ".1f")]
                     + [fmt(go[g].get(key), ".2f") for g in go_labels]))
    if not rows:
        return []
    return [table("Iteration across the load factor: just after a grow vs just before one",
                  "pyperf timing, ns per entry; entries and bytes walked per entry: the shaped map "
                  "(bench.json metadata); Go: go test -bench ns/op over entries/op (peers.json; the Swiss "
                  "counts are the C Swiss map's)",
                  ["entries", "ns/entry", "B walked/entry"] + [f"{g} ns/entry" for g in go_labels], rows)]


def range_question_sections(results: dict, peers) -> list[str]:
    return inserting_tables(results, peers) + delete_tables(results, peers) + load_tables(results, peers)
