"""compare.html: a Comparison (analysis/stats/compare.py) as one self-contained page."""
from __future__ import annotations

import html

from mapbench.analysis.render.compare_markdown import (COUNTS_TITLE, TIMES_ARE, TIMING_HEADER,
                                                       summary_line, timing_cells)
from mapbench.analysis.render.html_page import html_table, page
from mapbench.analysis.stats.compare import DRIFT_MARGIN, FASTER, SLOWER, UNCHANGED, Comparison
from mapbench.analysis.stats.formats import format_change
from mapbench.analysis.stats.number_deltas import NumberDelta


def render_html(c: Comparison, *, flame_graphs: list[tuple[str, str]] = (),
                extra_html: list[tuple[str, str]] = ()) -> str:
    """compare.html. `flame_graphs` are (configuration, relative path of its differential
    SVG); `extra_html` are (title, HTML fragment) pairs, e.g. cache-miss deltas."""
    body = [f"<h1>{html.escape(c.head_label)} vs {html.escape(c.base_label)}</h1>",
            f"<p id=\"summary\"><b>Summary:</b> {html.escape(summary_line(c))}</p>",
            f"<p class=\"method\"><b>Method:</b> {html.escape(c.method.describe())} "
            + (html.escape(f"For this comparison the minimum effect is {c.min_effect:.1%}: "
                           f"{DRIFT_MARGIN:g} x the control benchmarks' drift. ")
               if c.raised_by_drift else "")
            + f"{html.escape(TIMES_ARE)}</p>"]
    if c.warnings:
        body.append("<div class=\"warn\" id=\"warnings\"><b>Warnings</b><ul>"
                    + "".join(f"<li>{html.escape(w)}</li>" for w in c.warnings) + "</ul></div>")
    for verdict, title, anchor in ((SLOWER, "Slower", "slower"), (FASTER, "Faster", "faster"),
                                   (UNCHANGED, "No significant change", "unchanged")):
        rows = c.section(verdict)
        body.append(f"<h2 id=\"{anchor}\">{title} ({len(rows)})</h2>")
        if rows:
            body.append(html_table(TIMING_HEADER, [timing_cells(t) for t in rows],
                                   row_classes=[anchor] * len(rows),
                                   row_attrs=[{"data-benchmark": t.name,
                                               "data-change": f"{t.change:.6f}"} for t in rows]))
        else:
            body.append("<p>(none)</p>")
    changed = c.changed_counts
    body.append(f"<h2 id=\"counts\">{COUNTS_TITLE}</h2>")
    if changed:
        body.append(html_table(("benchmark", "count", "base", "head"),
                               [(x.name, x.key, x.base, x.head) for x in changed]))
    body.append(f"<p>{len(c.counts) - len(changed)} of {len(c.counts)} counts identical.</p>")
    if flame_graphs:
        body.append("<h2 id=\"flame\">Differential flame graphs</h2>"
                    "<p>Red: more samples in head than base; blue: fewer.</p>")
        for config, rel in flame_graphs:
            src = html.escape(rel)
            body.append(f"<h3>{html.escape(config)}</h3><p><a href=\"{src}\">"
                        f"<img class=\"flame\" src=\"{src}\" alt=\"differential flame graph "
                        f"{html.escape(config)}\"></a></p>")
    for title, fragment in extra_html:
        body.append(f"<h2>{html.escape(title)}</h2>\n{fragment}")
    return page(f"{c.head_label} vs {c.base_label}", "\n".join(body))


def deltas_html(deltas: list[NumberDelta], *, source: str, limit: int = 60) -> str:
    rows = sorted(deltas, key=lambda d: -abs(d.change or 0.0))[:limit]
    return (f"<p>Source: {html.escape(source)}. Largest relative changes first.</p>"
            + html_table(("value", "base", "head", "change"),
                         [(d.path, f"{d.base:.6g}", f"{d.head:.6g}",
                           "n/a" if d.change is None else format_change(d.change))
                          for d in rows]))
