"""The counted side of `mapbench compare`: `--metric`, the count tables, the count gate.

`mapbench compare BASE [HEAD] --metric {time,instructions,cycles}`: every metric both runs
have is shown; the verdict and `--fail-on-regression` use `--metric` (default: instructions
when both runs have counts.json, else time). Counts are compared exactly against a
threshold (analysis/stats/count_compare.py); time keeps its statistics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mapbench.analysis.errors import InputError
from mapbench.analysis.render import count_tables
from mapbench.analysis.stats import count_compare
from mapbench.analysis.stats.verdict_words import verdict_word
from mapbench.benchmarks.store.calibration_file import read_calibration
from mapbench.benchmarks.counts.count_pass import COUNTS_FILE, load_counts
from mapbench.benchmarks.counts import fingerprint
from mapbench.benchmarks.store import runs as store

METRIC_CHOICES = ("time",) + count_compare.METRICS


def add_arguments(parser) -> None:
    parser.add_argument("--metric", choices=METRIC_CHOICES, default=None,
                        help="what the verdict and --fail-on-regression use (default: "
                             "instructions when both runs have counts.json, else time); every "
                             "metric both runs have is shown")


@dataclass
class CountSide:
    """The count comparisons of two runs and which metric decides."""
    decided_by: str
    why: str
    comparisons: dict[str, count_compare.CountComparison] = field(default_factory=dict)

    @property
    def decides(self) -> bool:
        return self.decided_by in self.comparisons

    def regressions(self, pct: float) -> list[count_compare.CountDelta]:
        return self.comparisons[self.decided_by].regressions(pct) if self.decides else []

    def markdown(self) -> str:
        # The time-vs-counts caveat is the tables' own note, written once.
        return count_tables.render_markdown(list(self.comparisons.values()), self.decided_label())

    def html(self) -> str:
        return count_tables.render_html(list(self.comparisons.values()), self.decided_label())

    def decided_label(self) -> str:
        return f"{self.decided_by} ({self.why})"


def choose_metric(requested: str | None, base: Path, head: Path, base_counts, head_counts) -> tuple[str, str]:
    """(metric, why): the requested one, checked against what the runs have, or the default."""
    both = base_counts is not None and head_counts is not None
    if requested in count_compare.METRICS and not both:
        missing = [str(p) for p, d in ((base, base_counts), (head, head_counts)) if d is None]
        raise InputError(f"--metric {requested} needs {COUNTS_FILE} in both runs; "
                         f"{', '.join(missing)} has none (run `mapbench bench` without "
                         f"--no-counts, or --counts-only)")
    if requested:
        return requested, "--metric"
    if both:
        return "instructions", "default: both runs have counts, which are exact"
    return "time", "default: not both runs have counts.json"


def count_side(base: Path, head: Path, root: Path, requested: str | None) -> CountSide:
    base_counts, head_counts = load_counts(base), load_counts(head)
    metric, why = choose_metric(requested, base, head, base_counts, head_counts)
    side = CountSide(metric, why)
    if base_counts is None or head_counts is None:
        return side
    check_fingerprints(base, head, base_counts, head_counts)
    threshold, origin = count_compare.threshold_from_calibration(read_calibration(root))
    for m in count_compare.METRICS:
        side.comparisons[m] = count_compare.compare_counts(base_counts, head_counts, m,
                                                           threshold, origin)
    return side


def check_fingerprints(base: Path, head: Path, base_counts: dict, head_counts: dict) -> None:
    """Counts of two machines compare only when what they depend on agrees (fingerprint.py);
    InputError naming the difference otherwise. One machine's runs are not checked."""
    on = store.run_machine(base), store.run_machine(head)
    if None in on or on[0] == on[1]:
        return
    why = fingerprint.difference(base_counts.get("fingerprint"), head_counts.get("fingerprint"))
    if why:
        raise InputError(f"counts of {base.name} ({on[0]}) and {head.name} ({on[1]}) are not "
                         f"comparable across machines: {why}")


def print_side(side: CountSide) -> None:
    for m, c in side.comparisons.items():
        print(f"counts, {c.summary_line()}")
        for w in c.warnings:
            print(f"warning: {w}")
        if m != side.decided_by:
            continue
        for d in c.section(count_compare.SLOWER) + c.section(count_compare.FASTER):
            print(f"  {verdict_word(d.verdict, m)}  {d.name}: "
                  f"{d.change:+.3%} ({d.base:.6g} -> {d.head:.6g} {m}/element, callgrind count)")
    print(f"verdict metric: {side.decided_label()}")
