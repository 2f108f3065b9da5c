"""Count comparisons (analysis/stats/count_compare.py) as markdown and HTML tables."""
from __future__ import annotations

from mapbench.analysis.counters import counts as countmetrics
from mapbench.analysis.render import pages
from mapbench.analysis.stats.count_compare import UNCHANGED, CountComparison, CountDelta
from mapbench.analysis.stats.verdict_words import TIME_VS_COUNTS, verdict_word

# The one note under the count tables: where counts come from and why they can disagree
# with time (a page writes it once).
NOTE = ("Counts come from the count pass (callgrind simulation, deterministic) and are "
        f"compared exactly; times are sampled and tested. {TIME_VS_COUNTS}")


def _cells(d: CountDelta) -> tuple[str, ...]:
    return (d.name, f"{d.base:.6g}", f"{d.head:.6g}", f"{d.change:+.3%}", verdict_word(d.verdict, d.metric))


HEADER = ("benchmark", "base", "head", "change", "verdict")


def render_markdown(comparisons: list[CountComparison], decided_by: str) -> str:
    """One table per counted metric, changed rows first; which metric decided and why."""
    out = [f"The verdict and `--fail-on-regression` used **{decided_by}**.", ""]
    for c in comparisons:
        rows = sorted(c.deltas, key=lambda d: (d.verdict == UNCHANGED, -abs(d.change), d.name))
        out += [f"#### {countmetrics.METRIC_LABELS[c.metric]}", "",
                f"{c.summary_line()}. Threshold: {c.threshold_origin}.", "",
                "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        out += ["| " + " | ".join(_cells(d)) + " |" for d in rows]
        out += [""] + [f"- warning: {w}" for w in c.warnings] + [""]
    out.append(NOTE)
    return "\n".join(out) + "\n"


def render_html(comparisons: list[CountComparison], decided_by: str) -> str:
    """The same tables as HTML (templates/count_tables.html.j2), escaped."""
    tables = []
    for c in comparisons:
        rows = sorted(c.deltas, key=lambda d: (d.verdict == UNCHANGED, -abs(d.change), d.name))
        tables.append({"label": countmetrics.METRIC_LABELS[c.metric], "summary": c.summary_line(),
                       "origin": c.threshold_origin, "rows": [_cells(d) for d in rows],
                       "warnings": c.warnings})
    return pages.render("count_tables.html.j2", decided_by=decided_by, tables=tables,
                        header=HEADER, note=NOTE)
