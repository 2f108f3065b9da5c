"""The classic vs Swiss plot of a bench.json (matplotlib, Agg): full iteration ns/element
vs n for both C maps (prefetch off, at the run's distance and the default, auto), each map's roofline (the
sequential read of its own table bytes), and Go's `for range` from peers.json, one line
per Go toolchain (Go 1.24+ is Go's Swiss map). Source: pyperf timing (C kernels, C
CLOCK_MONOTONIC); Go: go test -bench, ns/op / n."""
from __future__ import annotations

from mapbench.analysis.render.bench_results import Result, sizes
from mapbench.analysis.render.plotting import pyplot as _pyplot, series as _series
from mapbench.analysis.render.maps_summary import go_runs, swiss_name


def has_swiss(results: dict[str, Result]) -> bool:
    return any(r.params.get("map") == "swiss" for r in results.values())


def maps_figure(results: dict[str, Result], prefetch: int | None = None, peers: dict | None = None):
    ns_ = sizes(results)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5))
    for kind, name_of, color in (("classic", lambda nm: nm, "tab:blue"), ("Swiss", swiss_name, "tab:red")):
        for p, style in ((0, "-o"), (prefetch, "-s"), ("auto", "-D")):
            if p is None or (p == 0 and style != "-o"):
                continue
            xs, ys, es = _series(results, [(n, name_of(f"iterate/storage=stack/prefetch={p}/n={n}"))
                                           for n in ns_])
            if xs:
                ax.errorbar(xs, ys, yerr=es, fmt=style, color=color, markersize=3, capsize=2,
                            alpha=1.0 if p in (0, "auto") else 0.6,
                            label=f"{kind}: iterate stack prefetch={p}" + (" (the default)" if p == "auto" else ""))
        xs, ys, es = _series(results, [(n, name_of(f"roofline/n={n}")) for n in ns_])
        if xs:
            ax.plot(xs, ys, "--", color=color, linewidth=1, label=f"{kind}: roofline (its table bytes)")
    for label, _, by_name in go_runs(peers):
        pts = [(n, by_name[f"iterate/n={n}"]["ns_per_element"]) for n in ns_
               if isinstance(by_name.get(f"iterate/n={n}", {}).get("ns_per_element"), (int, float))]
        if pts:
            ax.plot([x for x, _ in pts], [y for _, y in pts], ":^", markersize=4, label=f"{label}: for range")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("n (map entries)")
    ax.set_ylabel("ns per element")
    ax.set_ylim(bottom=0)
    ax.set_title("Classic (Go 1.19) vs Swiss (Go 1.24) map in C, full iteration\n"
                 "pyperf timing (C kernels, CLOCK_MONOTONIC), mean ± stdev; Go: go test -bench",
                 fontsize=10)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig
