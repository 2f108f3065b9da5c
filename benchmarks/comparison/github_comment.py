"""`mapbench compare BASE HEAD --format github`: the comparison as a pull-request comment.

The comparison runs as usual (compare.md/.html into HEAD's run folder, the console lines,
the gate's exit status), with its console lines sent to stderr; stdout gets only the
comment's Markdown (mapbench.analysis.render.compare_github), ready for `gh pr comment
--body-file -`. The verdict is that of the deciding metric (`--metric`; counts when both
runs have them).
"""
from __future__ import annotations

import contextlib
import sys

from mapbench.analysis.counters import counts as countmetrics
from mapbench.analysis.render import compare_github
from mapbench.analysis.render.compare_markdown import summary_line
from mapbench.analysis.stats import formats

FORMATS = ("text", "github")


def add_arguments(parser) -> None:
    parser.add_argument("--format", dest="output_format", choices=FORMATS, default="text",
                        help="github: print the Markdown of a pull-request comment on stdout "
                             "(the usual lines go to stderr)")


def _count_verdict(side, cmp, base, head, pct) -> compare_github.Verdict:
    decided = side.comparisons[side.decided_by]
    rows = [compare_github.Row(d.name, f"{d.base:.6g}", f"{d.head:.6g}", d.change, d.verdict)
            for d in decided.deltas]
    details = [f"Deciding metric: {countmetrics.METRIC_LABELS[decided.metric]}, "
               f"{side.decided_label()}; changed when |change| >= {decided.threshold:.2%} "
               f"({decided.threshold_origin})."]
    details += [f"Counts, {c.summary_line()}." for m, c in side.comparisons.items() if m != side.decided_by]
    if cmp is not None:
        details.append(f"Time (pyperf timing, not deciding): {summary_line(cmp)}.")
    details += [f"Warning: {w}" for c in side.comparisons.values() for w in c.warnings]
    return compare_github.Verdict(
        base.name, head.name, f"{decided.metric}/element (callgrind count, exact)",
        ("do more work", "do less work", "does less work"), rows, pct,
        [d.name for d in side.regressions(pct)] if pct is not None else [], details)


def _time_verdict(cmp, base, head, pct) -> compare_github.Verdict:
    rows = [compare_github.Row(t.name, formats.format_seconds(t.base_median),
                               formats.format_seconds(t.head_median), t.change, t.verdict)
            for t in cmp.timings]
    details = [f"Time: {summary_line(cmp)}.", f"Method: {cmp.method.describe()}."]
    details += [f"Warning: {w}" for w in cmp.warnings]
    bad = [t.name for t in cmp.regressions(pct)] if pct is not None else []
    return compare_github.Verdict(base.name, head.name, "time/element (pyperf timing)",
                                  ("are slower", "are faster", "is faster"), rows, pct, bad, details)


def run_github(args, compare_run) -> int:
    """Run `compare_run(args, found)` with its console on stderr; print the comment."""
    found: dict = {}
    with contextlib.redirect_stdout(sys.stderr):
        rc = compare_run(args, found)
    side, cmp = found["side"], found.get("cmp")
    pct = args.fail_on_regression
    if side.decides:
        verdict = _count_verdict(side, cmp, found["base"], found["head"], pct)
    else:
        verdict = _time_verdict(cmp, found["base"], found["head"], pct)
    if found.get("where"):
        verdict.where = (found["where"][0], found["where"][1])
    if rc == 0 and verdict.gate_failed:         # the exit status is the gate's, always
        verdict.gate_failed = []
    sys.stdout.write(compare_github.render(verdict))
    return rc
