"""HTML views of the store: report.html for one run, index.html over all runs.

Pure: the caller reads the run folder into a `RunView` (contents and relative paths of
its files) and writes the strings these functions return. The pages come from the
Jinja2 templates in templates/ (autoescaped; mapbench.analysis.render.pages), the .md
files through markdown-it-py (mapbench.analysis.render.markdown). Pages are
self-contained (inline style, no network, no scripts) and link to the run's own files
by relative path (flame/*.svg, plots/*, bench.json, ...), so they open from the folder.

report.html reads top down as a performance engineer asks: the findings (answers with
their numbers, uncertainty, source and significance: mapbench.analysis.stats.findings),
the headline plot (ns/element vs size), then the details.

Numbers and their sources, as each page says:
  ns/element       pyperf timing: median of the timed values (pyperf already divided by
                   inner_loops = elements per loop), C kernels timed with CLOCK_MONOTONIC;
  allocs/op, B/op  the native counting allocator (benchmark metadata);
  cache misses     cachemiss.md as the profiling pass wrote it (perf counters or cachegrind);
  layout           native.layout(): offsetof/sizeof from the compiled C structs.
"""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass, field

import pyperf

from mapbench.analysis.render import pages
from mapbench.analysis.stats import count_steps, time_steps as time_step_fit
from mapbench.analysis.render import findings_glance
from mapbench.analysis.stats.findings import Finding

PLOT_SUFFIXES = (".svg", ".png")
HEADLINE_PLOT = "ns_per_element"       # plots/<stem>.svg|png shown under the findings
LEVELS_PLOT = "cache_levels"           # misses/element per cache level, shown beside it


@dataclass
class RunView:
    """What report.html shows of one run folder; paths are relative to the folder."""
    name: str
    meta: dict
    suite: pyperf.BenchmarkSuite | None = None
    summary_md: str | None = None            # bench summary tables (mapbench.analysis.render.benchsummary)
    cachemiss_md: str | None = None
    counts_md: str | None = None             # the count pass (counts.json), as summary.md has it
    layout: dict | None = None               # native.layout() shape
    layout_source: str = "meta.json layout"
    plots: list[str] = field(default_factory=list)
    flames: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)      # other links: bench.json, pprof, ...
    compares: list[str] = field(default_factory=list)   # compare/*/compare.html
    notes: list[str] = field(default_factory=list)      # profile.json messages etc.
    findings: list[Finding] = field(default_factory=list)
    findings_method: str = ""                           # the test behind their significance words

    @property
    def headline_plot(self) -> str | None:
        stems = {p.rsplit("/", 1)[-1].rsplit(".", 1)[0]: p for p in self.plots}
        return stems.get(HEADLINE_PLOT)

    @property
    def levels_plot(self) -> str | None:
        stems = {p.rsplit("/", 1)[-1].rsplit(".", 1)[0]: p for p in self.plots}
        return stems.get(LEVELS_PLOT)


# -- one run ----------------------------------------------------------------------------

def ns_per_element(bench: pyperf.Benchmark) -> float:
    """Median pyperf value in ns: seconds per element for mapbench suites."""
    return statistics.median(bench.get_values()) * 1e9


def benchmark_rows(suite: pyperf.BenchmarkSuite) -> list[tuple]:
    rows = []
    for bench in suite.get_benchmarks():
        values = bench.get_values()
        if not values:
            continue
        md = bench.get_metadata()
        spread = (statistics.stdev(values) / statistics.mean(values) * 100
                  if len(values) > 1 else math.nan)
        processes = sum(1 for r in bench.get_runs() if r.values)
        rows.append((bench.get_name(), f"{ns_per_element(bench):.3f}",
                     "n/a" if math.isnan(spread) else f"{spread:.1f}%",
                     f"{processes} x {len(values) // max(1, processes)}",
                     _count(md.get("allocs_per_op")), _count(md.get("alloc_bytes_per_op"))))
    return rows


def _count(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def layout_structs(layout: dict) -> list[dict]:
    """[{name, size, rows: (field, offset, size, cache line)}] sorted by struct name."""
    return [{"name": struct, "size": layout[struct].get("size", "?"),
             "rows": [(f["name"], f["offset"], f["size"], f.get("cache_line", f["offset"] // 64))
                      for f in layout[struct].get("fields", [])]}
            for struct in sorted(layout)]


def environment_rows(meta: dict) -> list[tuple[str, str, bool]]:
    """(key, value text, preformatted?) per meta.json key; nested values as JSON."""
    return [(str(k), json.dumps(v, indent=1, sort_keys=True), True)
            if isinstance(v, (dict, list)) else (str(k), str(v), False)
            for k, v in sorted(meta.items())]


def render_run_report(view: RunView) -> str:
    meta = view.meta
    return pages.render(
        "report.html.j2", title=f"mapbench run {view.name}",
        commit=str(meta.get("commit", "unknown")), dirty=bool(meta.get("dirty")),
        date=str(meta.get("date", "unknown")),
        cpu=str((meta.get("cpu") or {}).get("model", "unknown")),
        findings=view.findings, glance=findings_glance.glance_rows(view.findings),
        findings_method=view.findings_method, notes=view.notes, headline_plot=view.headline_plot,
        levels_plot=view.levels_plot, summary_md=view.summary_md, compares=view.compares,
        plots=[p for p in view.plots if p not in (view.headline_plot, view.levels_plot)], flames=view.flames,
        cachemiss_md=view.cachemiss_md, counts_md=view.counts_md,
        benchmark_rows=benchmark_rows(view.suite) if view.suite is not None else [],
        layout=layout_structs(view.layout) if view.layout else [],
        layout_source=view.layout_source, files=view.files,
        environment=environment_rows(meta))


# -- the index over the store -----------------------------------------------------------

@dataclass
class IndexRun:
    name: str                                 # run folder name
    meta: dict
    suite: pyperf.BenchmarkSuite | None
    has_report: bool
    compares: list[str] = field(default_factory=list)   # <run>/compare/*/compare.html, from the root
    counted: int = 0                          # benchmarks in the run's counts.json


def _machine_of(run: IndexRun) -> str:
    machine = run.meta.get("machine")
    return str(machine.get("id", "unrecorded")) if isinstance(machine, dict) else "unrecorded"


def _index_row(run: IndexRun) -> dict:
    meta = run.meta
    bench = meta.get("bench") if isinstance(meta.get("bench"), dict) else {}
    return {"name": run.name, "has_report": run.has_report,
            "commit": str(meta.get("commit", "?"))[:12],
            "dirty": "yes" if meta.get("dirty") else "no", "date": str(meta.get("date", "?")),
            "machine": _machine_of(run),
            "cpu": str((meta.get("cpu") or {}).get("model", "?")), "mode": str(bench.get("mode", "")),
            "benchmarks": benchmarks_cell(run),
            "compares": [{"path": c, "label": c.split("/")[-2]} for c in run.compares]}


def benchmarks_cell(run: IndexRun) -> str:
    """What the run measured: `12 timed, 40 counted`, `40 counted (no timings)`, `none`."""
    timed = len(run.suite.get_benchmarks()) if run.suite is not None else 0
    parts = [f"{timed} timed"] if timed else []
    if run.counted:
        parts.append(f"{run.counted} counted" + ("" if timed else " (no timings)"))
    return ", ".join(parts) or "none"


def render_index(runs: list[IndexRun], plots: list[tuple[str, str]], *,
                 plots_machine: str | None = None, steps: list | None = None,
                 steps_threshold: str = "", time_steps=None) -> str:
    """index.html: `runs` oldest first (as the store lists them), shown newest first with
    the machine each ran on, and the per-family history plots (family, path relative to
    the root) -- of the runs of `plots_machine` only, when given -- and the count steps
    (analysis/stats/count_steps.py) and time steps (analysis/stats/time_steps.py
    `TimeSteps`) among those runs."""
    machines: dict[str, int] = {}
    for run in runs:
        key = _machine_of(run)
        machines[key] = machines.get(key, 0) + 1
    return pages.render("index.html.j2", title="mapbench runs",
                        runs=[_index_row(r) for r in reversed(runs)], plots=plots,
                        machines=sorted(machines.items()), plots_machine=plots_machine,
                        steps=steps or [], steps_threshold=steps_threshold,
                        steps_source=count_steps.SOURCE,
                        time_steps=time_steps or time_step_fit.TimeSteps(),
                        time_source=time_step_fit.SOURCE, time_min_points=time_step_fit.MIN_POINTS)
