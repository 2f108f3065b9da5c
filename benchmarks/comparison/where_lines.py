"""`mapbench compare`'s "Where" section: the source lines that account for each changed count.

Both runs' lines.json.gz (benchmarks/counts/line_data.py) -> the benchmarks whose per-line
totals changed, their lines matched by function and source text
(mapbench.analysis.stats.line_delta), rendered by mapbench.analysis.render.line_listing.
A run without per-line data gives no section and one note naming what to run; it never
stops the comparison.
"""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.analysis.render import line_listing
from mapbench.analysis.stats import line_delta
from mapbench.benchmarks.counts import line_data

TITLE = "Where: the source lines that account for each change (callgrind, per element)"
TOP_LINES = 10
TERMINAL_BENCHMARKS = 10      # changed benchmarks named on the terminal; all in compare.md


def where_section(base: Path, head: Path, metric: str = "Ir") -> tuple[tuple[str, str, str] | None, list[str]]:
    """((title, markdown, html) or None, terminal lines)."""
    try:
        base_doc, head_doc = line_data.load_lines(base), line_data.load_lines(head)
    except InputError as exc:
        return None, [f"note: no per-line section: {exc}"]
    if base_doc is None or head_doc is None:
        if base_doc is None and head_doc is None:
            return None, []
        missing = base if base_doc is None else head
        return None, [f"note: no per-line section: {missing.name} has no {line_data.LINES_FILE}; "
                      f"{line_data.NO_LINES_HINT}"]
    deltas = line_delta.changed_benchmarks(base_doc, head_doc)
    if not deltas:
        return None, []
    source = head_doc.get("source", "callgrind")
    md = line_listing.where_markdown(deltas, metric, TOP_LINES, source)
    body = line_listing.where_html(deltas, metric, TOP_LINES, source)
    lines = ["where (callgrind, per element; lines matched by function and source text):"]
    for bd in deltas[:TERMINAL_BENCHMARKS]:
        top = bd.top(metric, 1)
        if top:
            d = top[0]
            lines.append(f"  {bd.name}: {metric} {line_listing.fmt_delta(bd.total_delta(metric))}, "
                         f"top line {d.where} ({d.fn}) {line_listing.fmt_delta(d.delta(metric))}; "
                         f"residual {bd.residual(metric):+.2g}")
    if len(deltas) > TERMINAL_BENCHMARKS:
        lines.append(f"  ... and {len(deltas) - TERMINAL_BENCHMARKS} more benchmarks in compare.md")
    return (TITLE, md, body), lines
