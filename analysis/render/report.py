"""HTML views of the store: report.html for one run, index.html over all runs.

Pure: the caller reads the run folder into a `RunView` (contents and relative paths of
its files) and writes the strings these functions return. Pages are self-contained
(inline style, no network, no scripts) and link to the run's own files by relative path
(flame/*.svg, plots/*, bench.json, ...), so they open straight from the folder.

Numbers and their sources, as each page says:
  ns/element       pyperf timing: median of the timed values (pyperf already divided by
                   inner_loops = elements per loop), C kernels timed with CLOCK_MONOTONIC;
  allocs/op, B/op  the native counting allocator (benchmark metadata);
  cache misses     cachemiss.md as the profiling pass wrote it (perf counters or cachegrind);
  layout           native.layout(): offsetof/sizeof from the compiled C structs.
"""
from __future__ import annotations

import html
import io
import json
import math
import re
import statistics
from dataclasses import dataclass, field

import pyperf

from mapbench.analysis.render.html_page import html_table, page

NAME_RE = re.compile(r"^(?P<series>.+)/n=(?P<n>\d+)$")
PLOT_SUFFIXES = (".svg", ".png")


@dataclass
class RunView:
    """What report.html shows of one run folder; paths are relative to the folder."""
    name: str
    meta: dict
    suite: pyperf.BenchmarkSuite | None = None
    summary_md: str | None = None            # bench summary tables (mapbench.analysis.render.benchsummary)
    cachemiss_md: str | None = None
    layout: dict | None = None               # native.layout() shape
    layout_source: str = "meta.json layout"
    plots: list[str] = field(default_factory=list)
    flames: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)      # other links: bench.json, pprof, ...
    compares: list[str] = field(default_factory=list)   # compare/*/compare.html
    notes: list[str] = field(default_factory=list)      # profile.json messages etc.


# -- small markdown subset -> HTML (the tables other steps write as .md) --------------

def _md_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w/])_(\S(?:.*?\S)?)_(?![\w/])", r"<i>\1</i>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def markdown_to_html(md: str) -> str:
    """Headings, pipe tables, bullet lists and paragraphs: what mapbench's .md files use."""
    out, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(_md_row(lines[i]))
                i += 1
            rows = [r for r in block if not all(re.fullmatch(r":?-+:?", c) for c in r if c)]
            if rows:
                head, body = rows[0], rows[1:]
                out.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head)
                           + "</tr>" + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>"
                                                                for c in r) + "</tr>"
                                               for r in body) + "</table>")
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level = min(6, len(heading.group(1)) + 1)       # the page's h1 is the run
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith(("- ", "* ")):
            items = []
            while i < len(lines) and lines[i].startswith(("- ", "* ")):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
            continue
        elif line.strip():
            para = [line]
            while (i + 1 < len(lines) and lines[i + 1].strip()
                   and not lines[i + 1].startswith(("|", "#", "- ", "* "))):
                i += 1
                para.append(lines[i])
            out.append(f"<p>{_inline(' '.join(para))}</p>")
        i += 1
    return "\n".join(out)


# -- one run ----------------------------------------------------------------------------

def ns_per_element(bench: pyperf.Benchmark) -> float:
    """Median pyperf value in ns: seconds per element for mapbench suites."""
    return statistics.median(bench.get_values()) * 1e9


def benchmark_rows(suite: pyperf.BenchmarkSuite) -> list[tuple]:
    rows = []
    for bench in suite.get_benchmarks():
        values = bench.get_values()
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


def layout_html(layout: dict) -> str:
    parts = []
    for struct in sorted(layout):
        info = layout[struct]
        rows = [(f["name"], f["offset"], f["size"], f.get("cache_line", f["offset"] // 64))
                for f in info.get("fields", [])]
        parts.append(f"<h3>{html.escape(struct)} ({info.get('size', '?')} bytes)</h3>")
        parts.append(html_table(("field", "offset (B)", "size (B)", "cache line"), rows))
    return "\n".join(parts)


def _meta_value(value) -> str:
    if isinstance(value, (dict, list)):
        return f"<pre>{html.escape(json.dumps(value, indent=1, sort_keys=True))}</pre>"
    return html.escape(str(value))


def environment_html(meta: dict) -> str:
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td style=\"text-align:left\">"
                   f"{_meta_value(v)}</td></tr>" for k, v in sorted(meta.items()))
    return f"<table class=\"env\">{rows}</table>"


def _link_list(paths: list[str]) -> str:
    return "<ul>" + "".join(f"<li><a href=\"{html.escape(p)}\">{html.escape(p)}</a></li>"
                            for p in paths) + "</ul>"


def render_run_report(view: RunView) -> str:
    meta = view.meta
    commit = str(meta.get("commit", "unknown"))
    title = f"mapbench run {view.name}"
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p>commit <code>{html.escape(commit)}</code>"
            f"{' (with uncommitted changes)' if meta.get('dirty') else ''}, "
            f"date {html.escape(str(meta.get('date', 'unknown')))}, "
            f"CPU {html.escape(str((meta.get('cpu') or {}).get('model', 'unknown')))}. "
            f"<a href=\"../index.html\">All runs</a></p>",
            "<nav><a href=\"#summary\">summary</a> | <a href=\"#benchmarks\">benchmarks</a> | "
            "<a href=\"#plots\">plots</a> | <a href=\"#flame\">flame graphs</a> | "
            "<a href=\"#cache\">cache misses</a> | <a href=\"#layout\">layout</a> | "
            "<a href=\"#environment\">environment</a></nav>"]
    if view.notes:
        body.append("<div class=\"warn\"><ul>" + "".join(f"<li>{html.escape(n)}</li>"
                                                          for n in view.notes) + "</ul></div>")
    body.append("<h2 id=\"summary\">Summary</h2>")
    body.append(markdown_to_html(view.summary_md) if view.summary_md
                else "<p>No summary (bench.json missing or not a mapbench suite).</p>")
    body.append("<h2 id=\"benchmarks\">All benchmarks</h2>")
    if view.suite is not None:
        body.append("<p>ns/element: pyperf timing, median of the timed values; spread: "
                    "stdev/mean of the values; allocs/op and bytes/op: native counting "
                    "allocator. Raw data: <a href=\"bench.json\">bench.json</a> "
                    "(<code>python -m pyperf show bench.json</code>).</p>")
        body.append(html_table(("benchmark", "ns/element", "spread", "processes x values",
                                "allocs/op", "bytes/op"), benchmark_rows(view.suite)))
    else:
        body.append("<p>No bench.json in this run.</p>")
    if view.compares:
        body.append("<h2 id=\"compare\">Comparisons</h2>" + _link_list(view.compares))
    body.append("<h2 id=\"plots\">Plots</h2>")
    body.append("".join(f"<figure><a href=\"{html.escape(p)}\"><img class=\"plot\" "
                        f"src=\"{html.escape(p)}\" alt=\"{html.escape(p)}\"></a>"
                        f"<figcaption>{html.escape(p)}</figcaption></figure>"
                        for p in view.plots) or "<p>No plots.</p>")
    body.append("<h2 id=\"flame\">Flame graphs</h2>")
    if view.flames:
        body.append("<p>Click a graph to open it on its own (interactive: zoom, search).</p>")
        body.append("".join(f"<figure><a href=\"{html.escape(p)}\"><img class=\"flame\" "
                            f"src=\"{html.escape(p)}\" alt=\"flame graph {html.escape(p)}\">"
                            f"</a><figcaption>{html.escape(p)}</figcaption></figure>"
                            for p in view.flames))
    else:
        body.append("<p>No flame graphs (run <code>mapbench profile</code>).</p>")
    body.append("<h2 id=\"cache\">Cache misses</h2>")
    body.append(markdown_to_html(view.cachemiss_md) if view.cachemiss_md
                else "<p>No cachemiss.md in this run.</p>")
    body.append("<h2 id=\"layout\">Native data layout</h2>")
    if view.layout:
        body.append(f"<p>Source: {html.escape(view.layout_source)} (offsetof/sizeof of the "
                    f"compiled C structs; cache line = offset // 64).</p>")
        body.append(layout_html(view.layout))
    else:
        body.append("<p>No layout recorded.</p>")
    if view.files:
        body.append("<h2 id=\"files\">Files</h2>" + _link_list(view.files))
    body.append("<h2 id=\"environment\">Environment (meta.json)</h2>")
    body.append(environment_html(meta))
    return page(title, "\n".join(body))


# -- the index over the store -----------------------------------------------------------

@dataclass
class IndexRun:
    name: str                                 # run folder name
    meta: dict
    suite: pyperf.BenchmarkSuite | None
    has_report: bool


def history_series(runs: list[IndexRun]) -> dict[str, dict[int, list[tuple[int, float]]]]:
    """series (name without /n=N) -> n -> [(run index, ns/element)] over the runs in order."""
    series: dict[str, dict[int, list[tuple[int, float]]]] = {}
    for index, run in enumerate(runs):
        if run.suite is None:
            continue
        for bench in run.suite.get_benchmarks():
            match = NAME_RE.match(bench.get_name())
            if not match:
                continue
            series.setdefault(match["series"], {}).setdefault(int(match["n"]), []).append(
                (index, ns_per_element(bench)))
    return dict(sorted(series.items()))


def series_slug(series: str) -> str:
    return re.sub(r"[^A-Za-z0-9=._-]+", "_", series).strip("_")


def plot_history_svg(series: str, points: dict[int, list[tuple[int, float]]],
                     labels: list[str]) -> str:
    """One small SVG: ns/element of each map size across the runs (x: runs, oldest first)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    for n in sorted(points):
        xs, ys = zip(*points[n])
        ax.plot(xs, ys, marker="o", label=f"n=2^{int(math.log2(n))}" if n & (n - 1) == 0
                else f"n={n}")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("ns/element (pyperf)")
    ax.set_title(series, fontsize=9)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def render_index(runs: list[IndexRun], plots: list[tuple[str, str]]) -> str:
    """index.html: runs by commit (oldest first) and the per-series history plots."""
    rows = []
    for run in runs:
        meta = run.meta
        link = (f"<a href=\"{html.escape(run.name)}/report.html\">{html.escape(run.name)}</a>"
                if run.has_report else html.escape(run.name))
        nbench = len(run.suite.get_benchmarks()) if run.suite is not None else 0
        mode = (meta.get("bench") or {}).get("mode", "") if isinstance(meta.get("bench"), dict) else ""
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in (
            link, html.escape(str(meta.get("commit", "?"))[:12]),
            "yes" if meta.get("dirty") else "no", html.escape(str(meta.get("date", "?"))),
            html.escape(str((meta.get("cpu") or {}).get("model", "?"))), html.escape(str(mode)),
            str(nbench))) + "</tr>")
    table = ("<table><tr><th>run</th><th>commit</th><th>dirty</th><th>date (UTC)</th>"
             "<th>CPU</th><th>mode</th><th>benchmarks</th></tr>" + "".join(rows) + "</table>")
    figures = "".join(f"<figure><img class=\"plot\" src=\"{html.escape(rel)}\" "
                      f"alt=\"{html.escape(series)}\"><figcaption>{html.escape(series)}"
                      f"</figcaption></figure>" for series, rel in plots)
    body = ["<h1>mapbench runs</h1>",
            f"<h2 id=\"runs\">Runs by commit ({len(runs)}, oldest first)</h2>", table,
            "<h2 id=\"history\">ns/element across runs</h2>",
            "<p>pyperf timing: median of each run's timed values, per element; one plot per "
            "benchmark variant, one line per map size.</p>", figures or "<p>No results.</p>"]
    return page("mapbench runs", "\n".join(body))
