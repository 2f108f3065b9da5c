"""compare.html: a Comparison (analysis/stats/compare.py) as one self-contained page,
rendered from templates/compare.html.j2 (autoescaped; mapbench.analysis.render.pages)."""
from __future__ import annotations

from markupsafe import Markup

from mapbench.analysis.render import pages
from mapbench.analysis.render.compare_markdown import (COUNTS_TITLE, TIMES_ARE, TIMING_HEADER,
                                                       summary_line, timing_cells)
from mapbench.analysis.stats.compare import DRIFT_MARGIN, FASTER, SLOWER, UNCHANGED, Comparison
from mapbench.analysis.stats.formats import format_change
from mapbench.analysis.stats.number_deltas import NumberDelta


def render_html(c: Comparison, *, flame_graphs: list[tuple[str, str]] = (),
                extra_html: list[tuple[str, str]] = ()) -> str:
    """compare.html. `flame_graphs` are (configuration, relative path of its differential
    SVG); `extra_html` are (title, HTML fragment) pairs, e.g. cache-miss deltas from
    `deltas_html`: fragments are HTML made by mapbench's own templates, inserted as is."""
    sections = []
    for verdict, title, anchor in ((SLOWER, "Slower", "slower"), (FASTER, "Faster", "faster"),
                                   (UNCHANGED, "No significant change", "unchanged")):
        rows = c.section(verdict)
        sections.append({"title": title, "anchor": anchor, "rows": rows,
                         "cells": [timing_cells(t) for t in rows],
                         "attrs": [{"data-benchmark": t.name, "data-change": f"{t.change:.6f}"}
                                   for t in rows]})
    changed = c.changed_counts
    drift_note = (f"For this comparison the minimum effect is {c.min_effect:.1%}: "
                  f"{DRIFT_MARGIN:g} x the control benchmarks' drift." if c.raised_by_drift else "")
    return pages.render(
        "compare.html.j2", title=f"{c.head_label} vs {c.base_label}", c=c,
        summary=summary_line(c), drift_note=drift_note, times_are=TIMES_ARE,
        sections=sections, header=TIMING_HEADER, counts_title=COUNTS_TITLE,
        changed=[(x.name, x.key, x.base, x.head) for x in changed],
        identical=len(c.counts) - len(changed), flame_graphs=list(flame_graphs),
        extra_html=[(title, Markup(fragment)) for title, fragment in extra_html])


def deltas_html(deltas: list[NumberDelta], *, source: str, limit: int = 60) -> str:
    rows = sorted(deltas, key=lambda d: -abs(d.change or 0.0))[:limit]
    return pages.render("deltas.html.j2", source=source,
                        rows=[(d.path, f"{d.base:.6g}", f"{d.head:.6g}",
                               "n/a" if d.change is None else format_change(d.change))
                              for d in rows])
