"""Steps in a counted series: the runs where a benchmark's instructions per element change.

    steps([(run label, counts.json document or None), ...] oldest first, threshold)
        -> [Step(benchmark, index, run, before, after, change)]

A step is a change between a benchmark's value in one run and its value in the next run
that has it, of at least `threshold` (a fraction; the caller passes the calibrated count
threshold of count_compare.threshold_from_calibration, never below its 0.1% floor).
Counts are deterministic, so any change past the threshold is a change of the code (or
of the toolchain that built it), not noise: no statistics are needed, unlike time.
A run without the benchmark is skipped, never read as zero.

Pure: documents in, steps out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from mapbench.analysis.stats.bisection import differs
from mapbench.analysis.stats.count_compare import FLOOR

SOURCE = "instructions/element, callgrind simulation (counts.json Ir)"


@dataclass(frozen=True)
class Step:
    benchmark: str
    index: int            # of the run (in the order given) where the new value first shows
    run: str              # its label
    before_run: str       # the run before it that has the benchmark
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after / self.before - 1.0 if self.before else math.inf


def _ir(doc: dict | None) -> dict[str, float]:
    benches = doc.get("benchmarks") if isinstance(doc, dict) else None
    out = {}
    for name, entry in (benches or {}).items():
        per = entry.get("per_element") if isinstance(entry, dict) else None
        value = per.get("Ir") if isinstance(per, dict) else None
        if isinstance(value, (int, float)) and math.isfinite(value):
            out[name] = float(value)
    return out


def steps(runs: list[tuple[str, dict | None]], threshold: float) -> list[Step]:
    """Every step of every benchmark, by benchmark name, then run order."""
    threshold = max(threshold, FLOOR)
    last: dict[str, tuple[int, str, float]] = {}
    found: list[Step] = []
    for index, (label, doc) in enumerate(runs):
        for name, value in _ir(doc).items():
            if name in last and differs(last[name][2], value, threshold):
                found.append(Step(name, index, label, last[name][1], last[name][2], value))
            last[name] = (index, label, value)
    return sorted(found, key=lambda s: (s.benchmark, s.index))
