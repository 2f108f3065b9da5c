"""Plots of a bench.json (matplotlib, Agg): pure functions from results to SVG/PNG bytes.

  ns_per_element_figure: ns/element vs n (log x) for the iterate variants, the grow
      variant and the roofline, with vertical lines where the bucket array's bytes fill
      L1d, L2 and the LLC (the n at which bucket_bytes = cache size, interpolated from the
      benchmarks' own bucket_bytes metadata), and Go's `for range` from peers.json.
  prefetch_figure: prefetch speed-up ns(prefetch=0)/ns(prefetch=D) vs n, per storage
      (and per distance D when a --full sweep ran).
  storage_figure: iterator storage (stack, heap, pool) side by side: full traversal
      ns/element and iterator init ns per init, per n.
  classic_vs_swiss (maps_figure): both C maps, their rooflines and Go, when the run has
      Swiss benchmarks. The other figures show the classic map (names without map=).
Each figure names its source (pyperf timing) in its title or axis label.
"""
from __future__ import annotations

import io
import math
import statistics

from mapbench import names
from mapbench.analysis.counters import cache_levels
from mapbench.analysis.render import maps_figure
from mapbench.analysis.render.bench_results import STORAGES, Result, iterate_name, sizes
from mapbench.analysis.render.plotting import SOURCE, pyplot as _pyplot, series as _series
from mapbench.analysis.stats import go_peers


def cache_fill_points(results: dict[str, Result], caches: dict[str, int]) -> dict[str, float]:
    """For each cache: the n whose bucket array is as large as the cache (log-log interp.,
    cache_levels.measured_fill_size: the level finding's rule)."""
    points = sorted({(r.n, r.metadata["bucket_bytes"]) for r in results.values()
                     if isinstance(r.metadata.get("bucket_bytes"), (int, float))
                     and r.metadata["bucket_bytes"] > 0})
    if not points:
        return {}
    return {label: cache_levels.measured_fill_size(points, size) for label, size in caches.items()}


def _mark_caches(ax, results, caches):
    fills = cache_fill_points(results, caches or {})
    lo, hi = min(sizes(results)), max(sizes(results))
    for label, n in fills.items():
        if lo / 4 <= n <= hi * 4:
            ax.axvline(n, color="grey", linestyle=":", linewidth=1)
            size = caches[label]
            human = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
            ax.annotate(f"{label} {human}\n= bucket array", xy=(n, 1), xycoords=("data", "axes fraction"),
                        xytext=(3, -3), textcoords="offset points", va="top", fontsize=7, color="dimgrey")


def ns_per_element_figure(results: dict[str, Result], caches: dict[str, int] | None = None,
                          prefetch: int | None = None, peers: dict | None = None):
    ns_ = sizes(results)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5))
    variants = []
    for storage in STORAGES:
        for p in sorted({0, prefetch or 0}):
            variants.append((f"iterate {storage} prefetch={p}",
                             [(n, iterate_name(storage, p, n)) for n in ns_]))
    variants.append(("iterate stack snapshot=atomic",
                     [(n, iterate_name("stack", 0, n, atomic=True)) for n in ns_]))
    variants.append(("iterate-growing", [(n, f"iterate-growing/n={n}") for n in ns_]))
    variants.append(("roofline (sequential read)", [(n, f"roofline/n={n}") for n in ns_]))
    for label, names_by_n in variants:
        xs, ys, es = _series(results, names_by_n)
        if xs:
            style = "k--" if label.startswith("roofline") else "-o"
            ax.errorbar(xs, ys, yerr=es, fmt=style, markersize=3, capsize=2, label=label)
    for version, go in go_peers.go_range(peers):
        ns = sorted(go)
        ax.plot(ns, [statistics.fmean(go[n]) * 1e9 for n in ns], "s-.", markersize=4,
                label=f"{version} for range (go test -bench)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("n (map entries)")
    ax.set_ylabel("ns per element")
    ax.set_ylim(bottom=0)
    ax.set_title("Full iteration cost vs map size\n" + SOURCE, fontsize=10)
    _mark_caches(ax, results, caches)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig


def prefetch_figure(results: dict[str, Result], caches: dict[str, int] | None = None):
    ns_ = sizes(results)
    params = {r.params.get("prefetch", "0") for r in results.values() if r.family == "iterate"}
    distances = sorted(int(p) for p in params if p.isdigit() and p != "0")
    if "auto" in params:                      # the default: a distance chosen by size
        distances.append("auto")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    for storage in STORAGES:
        for d in distances:
            xs, ys = [], []
            for n in ns_:
                base, pre = results.get(iterate_name(storage, 0, n)), results.get(iterate_name(storage, d, n))
                if base and pre:
                    xs.append(n)
                    ys.append(base.mean / pre.mean)
            if xs:
                label = f"{storage}, auto (the default, by size)" if d == "auto" else f"{storage}, distance {d}"
                ax.plot(xs, ys, "--s" if d == "auto" else "-o", markersize=3, label=label)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("n (map entries)")
    ax.set_ylabel("speed-up: ns(prefetch=0) / ns(prefetch=D)")
    ax.set_title("Software prefetch speed-up vs map size (above 1 = prefetch helps)\n"
                 "derived from pyperf timings", fontsize=10)
    _mark_caches(ax, results, caches)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def storage_figure(results: dict[str, Result]):
    ns_ = sizes(results)
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.5))
    width = 0.8 / len(STORAGES)
    for i, storage in enumerate(STORAGES):
        for ax, template in ((ax1, "iterate/storage={s}/prefetch=0/n={n}"),
                             (ax2, "iterinit/storage={s}/n={n}")):
            xs, ys, es = [], [], []
            for j, n in enumerate(ns_):
                r = results.get(template.format(s=storage, n=n))
                if r is not None:
                    xs.append(j + (i - 1) * width)
                    ys.append(r.ns)
                    es.append(r.stdev * 1e9)
            if xs:
                ax.bar(xs, ys, width, yerr=es, capsize=2, label=storage)
    labels = [names.size_label(n) for n in ns_]
    for ax, title, ylabel in ((ax1, "full traversal (prefetch=0)", "ns per element"),
                              (ax2, "iterator init + break", "ns per init")):
        ax.set_xticks(range(len(ns_)), labels)
        ax.set_xlabel("n (map entries)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle("Iterator storage: caller's stack vs heap per traversal vs pool\n" + SOURCE, fontsize=10)
    fig.tight_layout()
    return fig


def render(fig) -> dict[str, bytes]:
    """{'svg': ..., 'png': ...} bytes of a figure; closes it."""
    out = {}
    for fmt in ("svg", "png"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=110 if fmt == "png" else None,
                    metadata={"Date": None} if fmt == "svg" else None)
        out[fmt] = buf.getvalue()
    _pyplot().close(fig)
    return out


def all_plots(results: dict[str, Result], caches: dict[str, int] | None = None,
              prefetch: int | None = None, peers: dict | None = None) -> dict[str, dict[str, bytes]]:
    """stem -> {'svg','png'} for each plot that has data; Go's line from peers.json."""
    plots = {}
    if maps_figure.has_swiss(results):
        plots["classic_vs_swiss"] = render(maps_figure.maps_figure(results, prefetch, peers))
    if any(r.family in ("iterate", "roofline", "iterate-growing") for r in results.values()):
        plots["ns_per_element"] = render(ns_per_element_figure(results, caches, prefetch, peers))
    if any(r.family == "iterate" and r.params.get("prefetch", "0") != "0" for r in results.values()):
        plots["prefetch_speedup"] = render(prefetch_figure(results, caches))
    if any(r.family in ("iterate", "iterinit") for r in results.values()):
        plots["storage"] = render(storage_figure(results))
    return plots
