"""Compare two runs' counted metrics (counts.json): exact numbers and a threshold, no test.

Counts from the count pass are deterministic (the same commit gives the same counts, run
after run), so there is no sampling noise to test against: a change is the ratio of the
per-element values, head / base - 1, and it counts as "changed" when its size reaches the
threshold. The threshold is what an A/A of counts showed on this machine (`mapbench
calibrate`, twice the largest A/A change), never below FLOOR: 0.1%. A count that grew has
the verdict code SLOWER, one that shrank FASTER, the codes of the timed comparison, so
`--fail-on-regression` reads the same for both; they are written "more work" and "less
work" (analysis/stats/verdict_words.py), never "slower" or "faster".

Pure transform: two counts.json documents in, a CountComparison out (its tables:
analysis/render/count_tables.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from mapbench.analysis.counters import counts as countmetrics
from mapbench.analysis.stats.compare import FASTER, SLOWER, UNCHANGED

FLOOR = 0.001                       # 0.1%: the smallest threshold, whatever A/A showed
AA_MARGIN = 2.0                     # threshold = AA_MARGIN x the largest A/A count change
METRICS = tuple(countmetrics.METRIC_KEYS)      # ("instructions", "cycles")


@dataclass(frozen=True)
class CountDelta:
    name: str
    metric: str
    base: float
    head: float
    verdict: str

    @property
    def change(self) -> float:
        return self.head / self.base - 1.0 if self.base else (0.0 if self.head == 0 else math.inf)


@dataclass
class CountComparison:
    metric: str
    threshold: float
    threshold_origin: str
    deltas: list[CountDelta] = field(default_factory=list)
    only_base: list[str] = field(default_factory=list)
    only_head: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def section(self, verdict: str) -> list[CountDelta]:
        return [d for d in self.deltas if d.verdict == verdict]

    def regressions(self, pct: float) -> list[CountDelta]:
        return [d for d in self.section(SLOWER) if d.change * 100 > pct]

    def summary_line(self) -> str:
        return (f"{len(self.section(SLOWER))} more work, {len(self.section(FASTER))} less work, "
                f"{len(self.section(UNCHANGED))} unchanged (of {len(self.deltas)} benchmarks; "
                f"{countmetrics.METRIC_LABELS[self.metric]}, changed when |change| >= "
                f"{self.threshold:.2%})")


def threshold_from_calibration(calibration: dict | None) -> tuple[float, str]:
    """(threshold, where it came from): AA_MARGIN x the A/A count change calibrate measured,
    at least FLOOR; FLOOR when no calibration of counts is known."""
    aa = ((calibration or {}).get("counts") or {}).get("aa_max_change_pct")
    if isinstance(aa, (int, float)) and math.isfinite(aa):
        value = max(FLOOR, AA_MARGIN * aa / 100)
        return value, (f"{AA_MARGIN:g} x the largest A/A count change `mapbench calibrate` "
                       f"measured ({aa:.4g}%), at least {FLOOR:.1%}")
    return FLOOR, f"default {FLOOR:.1%} (no calibration of counts in this store)"


def _verdict(base: float, head: float, threshold: float) -> str:
    if base == head:
        return UNCHANGED
    change = head / base - 1.0 if base else math.inf
    if abs(change) < threshold:
        return UNCHANGED
    return SLOWER if change > 0 else FASTER


def compare_counts(base_doc: dict, head_doc: dict, metric: str, threshold: float,
                   threshold_origin: str = "") -> CountComparison:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    cmp = CountComparison(metric, threshold, threshold_origin or f"{threshold:.2%}")
    base, head = base_doc.get("benchmarks") or {}, head_doc.get("benchmarks") or {}
    cmp.only_base = sorted(set(base) - set(head))
    cmp.only_head = sorted(set(head) - set(base))
    if base_doc.get("cache_model") != head_doc.get("cache_model"):
        cmp.warnings.append(f"the runs simulated different caches ({base_doc.get('cache_model')} "
                            f"vs {head_doc.get('cache_model')}): misses and estimated cycles "
                            "are not comparable; instructions are")
    for label, doc in (("base", base_doc), ("head", head_doc)):
        if doc.get("inject_work_pct"):
            cmp.warnings.append(f"the {label} run's counts include injected calibration work "
                                f"(MAPBENCH_INJECT_WORK_PCT={doc['inject_work_pct']})")
    for name in sorted(set(base) & set(head)):
        b = countmetrics.metric_value(base[name], metric)
        h = countmetrics.metric_value(head[name], metric)
        if b is None or h is None:
            continue
        cmp.deltas.append(CountDelta(name, metric, b, h, _verdict(b, h, threshold)))
    return cmp
