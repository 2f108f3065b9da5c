"""The counts plot: ns/element beside instructions, estimated cycles and simulated misses per
element, against n, for the iteration variants (matplotlib, Agg; pure: data in, bytes out).

Panels sharing the x axis (map size n, log scale); each names its source in its title:
pyperf timing (bench.json, when the run has one), callgrind Ir, callgrind's estimated
cycles (a model), simulated D1 data misses, simulated data misses of the pinned LL model.
"""
from __future__ import annotations

import re

from mapbench.analysis.counters import counts as countmetrics
from mapbench.analysis.render.benchplots import _pyplot, render

_N = re.compile(r"/n=(\d+)$")
# The series shown: the iterate variants (and the grow and roofline references).
SERIES = re.compile(r"^(iterate|iterate-growing|roofline)(/|$)")


def _series_of(names) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for name in names:
        m = _N.search(name)
        if m and SERIES.match(name):
            out.setdefault(name[:m.start()], {})[int(m[1])] = name
    return out


def counts_figure(doc: dict, ns_per_element: dict[str, float] | None = None):
    plt = _pyplot()
    ns = ns_per_element or {}
    benches = doc.get("benchmarks") or {}
    panels = [("ns/element (pyperf timing)", lambda name: ns.get(name)),
              ("instructions/element (callgrind Ir)",
               lambda name: benches.get(name, {}).get("per_element", {}).get("Ir")),
              ("estimated cycles/element (callgrind model)",
               lambda name: benches.get(name, {}).get("per_element", {}).get(countmetrics.CYCLES)),
              ("simulated D1 data misses/element",
               lambda name: _misses(benches.get(name), ("D1mr", "D1mw"))),
              ("simulated LL-model data misses/element (pinned model)",
               lambda name: _misses(benches.get(name), ("DLmr", "DLmw")))]
    if not ns:
        panels = panels[1:]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 4.6), squeeze=False)
    series = _series_of(set(benches) | set(ns))
    for ax, (title, value) in zip(axes[0], panels):
        for label, by_n in sorted(series.items()):
            points = [(n, value(by_n[n])) for n in sorted(by_n)]
            points = [(n, v) for n, v in points if v is not None]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("map size n (entries)")
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=7, frameon=False)
    model = ", ".join(f"{k} {v}" for k, v in (doc.get("cache_model") or {}).items())
    fig.suptitle(f"per element: time beside counts (simulated caches: {model})", fontsize=9)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    return fig


def _misses(entry: dict | None, events: tuple[str, ...]) -> float | None:
    if not entry:
        return None
    pe = entry.get("per_element") or {}
    return sum(pe.get(k, 0) for k in events)


def count_plots(doc: dict, ns_per_element: dict[str, float] | None = None) -> dict[str, dict[str, bytes]]:
    """{'counts_per_element': {'svg','png'}} when the counts have an iteration series."""
    if not _series_of(doc.get("benchmarks") or {}):
        return {}
    return {"counts_per_element": render(counts_figure(doc, ns_per_element))}
