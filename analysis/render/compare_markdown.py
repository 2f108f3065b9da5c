"""compare.md: a Comparison (analysis/stats/compare.py) as markdown, and its text pieces
(summary line, table cells) that the HTML page and the console share."""
from __future__ import annotations

import math

from mapbench.analysis.stats.compare import (DRIFT_MARGIN, FASTER, SLOWER, UNCHANGED, Comparison,
                                             TimingChange)
from mapbench.analysis.stats.formats import format_change, format_p, format_seconds
from mapbench.analysis.stats.number_deltas import NumberDelta


def format_ci(t: TimingChange) -> str:
    if not math.isfinite(t.ci_low):
        return "n/a"
    return f"[{t.ci_low * 100:+.1f}%, {t.ci_high * 100:+.1f}%]"


def summary_line(c: Comparison) -> str:
    gm = c.geometric_mean
    gm_text = "n/a" if gm is None else f"{gm:.3f}x ({format_change(gm - 1)})"
    reasons = c.unreliable_reasons
    busy = f" (UNRELIABLE: {'; '.join(reasons)})" if reasons else ""
    if c.raised_by_drift:
        busy += (f"; minimum effect {c.min_effect:.1%}, raised from {c.method.min_effect:.1%} "
                 f"by the control benchmarks' drift of {c.control_drift:.1%}")
    return (f"{len(c.section(SLOWER))} slower, {len(c.section(FASTER))} faster, "
            f"{len(c.section(UNCHANGED))} no significant change; "
            f"geometric mean of head/base time ratios: {gm_text}{busy}")


COUNTS_TITLE = ("Counts, compared exactly (allocs/op and bytes/op: counting allocator; "
                "n, bucket bytes, load factor, overflow buckets: map stats)")

TIMES_ARE = ("Times are pyperf timings (pyperf divides by its inner loops, so for mapbench "
             "suites a time is per element): the median of the sample the test ranked, or the "
             "fastest value with the min statistic, the geometric mean of the process levels "
             "with the quiet statistic (column 'test on'; for quiet processes, quiet/all "
             "worker processes of base vs head).")

TIMING_HEADER = ("benchmark", "base", "head", "change", "CI of change", "p",
                  "processes base/head", "test on")


def _sample_cell(t: TimingChange) -> str:
    if t.kept is None:
        return t.sample
    kb, nb, kh, nh = t.kept
    return f"{t.sample} {kb}/{nb} vs {kh}/{nh}"


def timing_cells(t: TimingChange) -> tuple[str, ...]:
    return (t.name, format_seconds(t.base_median), format_seconds(t.head_median),
            format_change(t.change), format_ci(t), format_p(t.p_value),
            f"{t.base_processes}/{t.head_processes}", _sample_cell(t))


def md_table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines


def render_markdown(c: Comparison, *, extra_sections: list[tuple[str, str]] = ()) -> str:
    """compare.md: the verdict sections, counts, warnings; `extra_sections` are
    (title, markdown body) pairs appended at the end (diff flame graphs, cache deltas)."""
    out = [f"# {c.head_label} vs {c.base_label}", "",
           f"{TIMES_ARE} Base = {c.base_label}, head = {c.head_label}.", "",
           f"**Summary:** {summary_line(c)}", "",
           f"**Method:** {c.method.describe()}"
           + (f" For this comparison the minimum effect is {c.min_effect:.1%}: "
              f"{DRIFT_MARGIN:g} x the control benchmarks' drift." if c.raised_by_drift else ""),
           ""]
    if c.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in c.warnings] + [""]
    for verdict, title in ((SLOWER, "Slower"), (FASTER, "Faster"),
                           (UNCHANGED, "No significant change")):
        rows = c.section(verdict)
        out += [f"## {title} ({len(rows)})", ""]
        out += (md_table(TIMING_HEADER, [timing_cells(t) for t in rows]) if rows
                else ["(none)"]) + [""]
    out += [f"## {COUNTS_TITLE}", ""]
    changed = c.changed_counts
    if changed:
        out += md_table(("benchmark", "count", "base", "head"),
                         [(x.name, x.key, x.base, x.head) for x in changed]) + [""]
    out += [f"{len(c.counts) - len(changed)} of {len(c.counts)} counts identical.", ""]
    if c.only_base or c.only_head:
        out += ["## Not in both runs", ""]
        out += [f"- only in {c.base_label}: {n}" for n in c.only_base]
        out += [f"- only in {c.head_label}: {n}" for n in c.only_head] + [""]
    for title, body in extra_sections:
        out += [f"## {title}", "", body.rstrip(), ""]
    return "\n".join(out)


def deltas_markdown(deltas: list[NumberDelta], *, source: str, limit: int = 60) -> str:
    rows = sorted(deltas, key=lambda d: -abs(d.change or 0.0))[:limit]
    lines = [f"Source: {source}. Largest relative changes first"
             f"{f' (top {limit} of {len(deltas)})' if len(deltas) > limit else ''}.", ""]
    return "\n".join(lines + md_table(("value", "base", "head", "change"),
                                       [(d.path, f"{d.base:.6g}", f"{d.head:.6g}",
                                         "n/a" if d.change is None else format_change(d.change))
                                        for d in rows]))
