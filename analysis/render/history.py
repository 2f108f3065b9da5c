"""Trend plots over the store: one SVG per benchmark family, across the stored runs.

    family -> variant -> n -> [Point(run index, ns, {count label: value})]

`family` is the first part of a suite name (`iterate`), the variant the parts between
it and `/n=N` (`storage=stack/prefetch=0`; "" for a family without parameters). Run
indexes count the runs in the order given (oldest first), so a plot's x axis is time;
a run that lacks a benchmark leaves a gap in that line, never a zero.

Numbers: ns is the median of the run's timed values (pyperf timing, per element, per
init for iterinit), None for a benchmark the run only counted. Counts, each a row of
panels under the times, only for a family where some run has a non-zero one: allocs/op,
the native counting allocator's count (benchmark metadata), and instructions/element and
estimated cycles/element from the run's counts.json (the callgrind count pass), when it
ran. A run with counts and no timings (`mapbench bench --counts-only`, the mode a long
`mapbench history` runs in) still draws its counts: a benchmark of counts.json is a point
whether or not bench.json times it. The time row is drawn only where some run has times;
time and counts never share a panel (different units, different noise).
"""
from __future__ import annotations

import io
import math
import re
import statistics
from dataclasses import dataclass

import pyperf

from mapbench import names

NAME_RE = re.compile(r"^(?P<family>[^/]+)(?:/(?P<variant>.+))?/n=(?P<n>\d+)$")
MAX_COLUMNS = 4


ALLOCS = "allocs/op (counting allocator)"
INSTRUCTIONS = "instructions/element (callgrind)"
CYCLES = "estimated cycles/element (callgrind model)"
COUNT_LABELS = (ALLOCS, INSTRUCTIONS, CYCLES)
COUNT_STEP_LABEL = "count step (callgrind)"
TIME_STEP_LABEL = "time step (pyperf, change-point fit)"
_COUNTED_KEYS = {INSTRUCTIONS: "Ir", CYCLES: "estimated_cycles"}   # counts.json per_element keys


@dataclass(frozen=True)
class Point:
    run: int                  # index of the run, oldest first
    ns: float | None          # median timed value, ns; None where the run only counted
    counts: dict              # COUNT_LABELS -> value, for the counts this run has


History = dict[str, dict[str, dict[int, list[Point]]]]


def _per_element(counts: dict | None, name: str, key: str) -> float | None:
    """counts.json's per-element `key` (Ir, cycles) of benchmark `name`, or None."""
    benches = counts.get("benchmarks") if isinstance(counts, dict) else None
    entry = benches.get(name) if isinstance(benches, dict) else None
    per = entry.get("per_element") if isinstance(entry, dict) else None
    value = per.get(key) if isinstance(per, dict) else None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _counted(counts: dict | None, name: str) -> dict:
    found = {label: _per_element(counts, name, key) for label, key in _COUNTED_KEYS.items()}
    return {k: v for k, v in found.items() if v is not None}


def _add(out: dict, name: str, point: Point) -> None:
    match = NAME_RE.match(name)
    if match:
        (out.setdefault(match["family"], {}).setdefault(match["variant"] or "", {})
         .setdefault(int(match["n"]), []).append(point))


def family_history(suites: list[pyperf.BenchmarkSuite | None],
                   counts: list[dict | None] | None = None) -> History:
    """The suites' timed benchmarks grouped as the module says (suites oldest first);
    `counts` are the runs' counts.json documents, in the same order, where they exist."""
    out: History = {}
    runs = max(len(suites), len(counts or ()))
    for index in range(runs):
        suite = suites[index] if index < len(suites) else None
        run_counts = counts[index] if counts and index < len(counts) else None
        timed = set()
        for bench in suite.get_benchmarks() if suite is not None else ():
            values = bench.get_values()
            if not values or bench.get_unit() != "second":
                continue
            timed.add(bench.get_name())
            allocs = bench.get_metadata().get("allocs_per_op")
            found = {ALLOCS: float(allocs)} if isinstance(allocs, (int, float)) else {}
            found.update(_counted(run_counts, bench.get_name()))
            _add(out, bench.get_name(), Point(index, statistics.median(values) * 1e9, found))
        benches = run_counts.get("benchmarks") if isinstance(run_counts, dict) else None
        for name in sorted(benches) if isinstance(benches, dict) else ():
            found = _counted(run_counts, name)
            if name not in timed and found:
                _add(out, name, Point(index, None, found))
    return {family: dict(sorted(variants.items())) for family, variants in sorted(out.items())}


def family_slug(family: str) -> str:
    return re.sub(r"[^A-Za-z0-9=._-]+", "_", family).strip("_") or "family"


def _size_label(n: int) -> str:
    return names.size_column(n)


def bench_name(family: str, variant: str, n: int) -> str:
    return f"{family}/{variant}/n={n}" if variant else f"{family}/n={n}"


def plot_family_svg(family: str, variants: dict[str, dict[int, list[Point]]],
                    labels: list[str], steps: set[tuple[str, int]] = frozenset(),
                    time_steps: set[tuple[str, int]] = frozenset()) -> str:
    """Small multiples: a panel per n; a time row, then a row per count the family has.
    `steps`: (benchmark, run index) pairs whose instructions stepped (count_steps),
    marked with a red triangle on the instructions row, labelled "count step (callgrind)";
    `time_steps`: those where the time series steps (time_steps: a change-point fit),
    marked with an orange downward triangle on the time row, "time step (pyperf)"."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    sizes = sorted({n for by_n in variants.values() for n in by_n})
    counted = [label for label in COUNT_LABELS
               if any(p.counts.get(label) for by_n in variants.values()
                      for pts in by_n.values() for p in pts)]
    timed = any(p.ns is not None for by_n in variants.values() for pts in by_n.values() for p in pts)
    if not timed and not counted:              # counted, all zero: draw the zeros
        counted = [label for label in COUNT_LABELS
                   if any(label in p.counts for by_n in variants.values()
                          for pts in by_n.values() for p in pts)]
    per_block = int(timed) + len(counted)      # a time row (if timed), then one row per count
    columns = min(MAX_COLUMNS, len(sizes))
    blocks = math.ceil(len(sizes) / columns)
    rows = blocks * per_block
    fig = Figure(figsize=(3.4 * columns + 2.6, 2.4 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    palette = matplotlib.colormaps["tab10" if len(variants) <= 10 else "tab20"]
    unit = "ns per init" if family == "iterinit" else "ns/element"
    for i, n in enumerate(sizes):
        block, col = divmod(i, columns)
        time_ax = axes[block * per_block][col] if timed else None
        count_axes = {label: axes[block * per_block + int(timed) + j][col]
                      for j, label in enumerate(counted)}
        for k, (variant, by_n) in enumerate(variants.items()):
            color = palette(k % palette.N)     # one colour per variant in every panel
            points = by_n.get(n)
            if not points:
                continue
            label = variant or family
            have_time = [p for p in points if p.ns is not None]
            if time_ax is not None and have_time:
                time_ax.plot([p.run for p in have_time], [p.ns for p in have_time], marker="o",
                             markersize=3, label=label, color=color)
                moved = [p for p in have_time if (bench_name(family, variant, n), p.run) in time_steps]
                if moved:
                    time_ax.plot([p.run for p in moved], [p.ns for p in moved], linestyle="none",
                                 marker="v", markersize=7, color="darkorange",
                                 label=TIME_STEP_LABEL)
            for count, ax in count_axes.items():
                have = [p for p in points if count in p.counts]
                if have:
                    ax.plot([p.run for p in have], [p.counts[count] for p in have],
                            marker="s", markersize=3, label=label, color=color)
                stepped = [p for p in have if count == INSTRUCTIONS
                           and (bench_name(family, variant, n), p.run) in steps]
                if stepped:
                    ax.plot([p.run for p in stepped], [p.counts[count] for p in stepped],
                            linestyle="none", marker="^", markersize=7, color="red",
                            label=COUNT_STEP_LABEL)
        panels = ([time_ax] if time_ax is not None else []) + list(count_axes.values())
        panels[0].set_title(_size_label(n), fontsize=9)
        if time_ax is not None:
            time_ax.set_ylabel(f"{unit} (pyperf)", fontsize=7)
        for count, ax in count_axes.items():
            ax.set_ylabel(count, fontsize=7)
        for ax in panels:
            ax.set_ylim(bottom=0)
            ax.set_xticks(range(len(labels)))
            ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=6)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(alpha=0.3)
    for j in range(len(sizes), blocks * columns):
        block, col = divmod(j, columns)
        for r in range(block * per_block, (block + 1) * per_block):
            axes[r][col].set_visible(False)
    legend = {}
    for ax in axes.flat:
        for handle, name in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(name, handle)
    fig.suptitle(f"{family}: across the stored runs (oldest left)", fontsize=10)
    if legend:
        fig.legend(list(legend.values()), list(legend), fontsize=7, loc="outside right upper")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
