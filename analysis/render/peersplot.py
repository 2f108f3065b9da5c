"""Plot of ours beside every Go version (peers.json): ns/element vs n, one panel per family.

Pure: results (mapbench.analysis.render.benchsummary.Result by name) and peers.json in,
a matplotlib figure out (benchplots.render turns it into SVG/PNG bytes). Ours: pyperf
timing, mean ± stdev; Go: go test -bench, mean ± stdev over -count of ns/op / entries.
"""
from __future__ import annotations

import statistics

from mapbench.analysis.render.benchplots import _pyplot
from mapbench.analysis.render.peers import PAIRS, versions

PANELS = ("iterate", "iterate-heap", "iterinit", "lookup/hit")


def _go_point(record: dict) -> tuple[float, float]:
    per = 1 if record.get("family") == "iterinit" else max(1, int(record.get("entries") or record["n"]))
    values = [v / per for v in record.get("ns_per_op") or [record["ns_per_element"] * per]]
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def has_peers(peers: dict | None) -> bool:
    return any(v.get("benchmarks") for v in versions(peers))


def peers_figure(results: dict, peers: dict):
    """ours and each Go version per family; a panel with no data on either side says so."""
    vs = versions(peers)
    ns_ = sorted({int(b["n"]) for v in vs for b in v.get("benchmarks", []) if "n" in b}
                 | {r.n for r in results.values()})
    plt = _pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    for ax, family in zip(axes.flat, PANELS):
        _, what, ours_t, ours_label = next(p for p in PAIRS if p[0] == family)
        xs, ys, es = [], [], []
        for n in ns_:
            r = results.get(ours_t.format(n=n))
            if r is not None:
                xs.append(n), ys.append(r.ns), es.append(r.stdev * 1e9)
        if xs:
            ax.errorbar(xs, ys, yerr=es, fmt="k-o", markersize=3, capsize=2, label=f"ours: {ours_label}")
        for v in vs:
            by_name = {b["name"]: b for b in v.get("benchmarks", []) if "name" in b}
            points = [(n, _go_point(by_name[f"{v['label']}/{family}/n={n}"])) for n in ns_
                      if f"{v['label']}/{family}/n={n}" in by_name]
            if points:
                ax.errorbar([n for n, _ in points], [m for _, (m, _) in points],
                            yerr=[s for _, (_, s) in points], fmt="-o", markersize=3, capsize=2,
                            label=f"{v.get('go_version', v['label'])} ({v.get('map', '?')})")
        ax.set_xscale("log", base=2)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("n (map entries)")
        ax.set_ylabel("ns per set-up" if family == "iterinit" else "ns per element")
        ax.set_title(f"{family}: {what}", fontsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center")
        ax.grid(True, alpha=0.3)
    fig.suptitle("Ours beside Go's map, per Go version (context: different harnesses)\n"
                 "ours: pyperf timing, mean ± stdev; Go: go test -bench, mean ± stdev over -count",
                 fontsize=10)
    fig.tight_layout()
    return fig
