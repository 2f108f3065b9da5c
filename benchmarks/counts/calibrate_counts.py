"""The counted half of `mapbench calibrate`: A/A of counts, and injected *work* flagged.

The calibration benchmarks go through the count pass (benchmarks/counts/count_pass.py) four times:
A1 and A2 (the same code: an A/A), and with MAPBENCH_INJECT_WORK_PCT=1 and =10, which
makes the iteration kernels do that much more work per element (native/src/classic/
kernels.c: a partial extra traversal, or extra inits, inside the timed region). The
counted metric passes when A/A shows no count change beyond the threshold (on a
deterministic count: none at all) and both injected levels are flagged on every benchmark
by `mapbench compare`'s count comparison (analysis/stats/count_compare.py). The largest
A/A change is written to calibration.json (`counts.aa_max_change_pct`), where compare
takes its threshold from.
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mapbench.analysis.stats import count_compare
from mapbench.analysis.stats.verdict_words import verdict_word
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.counts.count_pass import count_pass

WORK_LEVELS = (1, 10)


@dataclass
class CountCalibration:
    aa: dict[str, count_compare.CountComparison]            # metric -> A1 vs A2
    injected: dict[int, count_compare.CountComparison] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def aa_max_change(self) -> float:
        changes = [abs(d.change) for c in self.aa.values() for d in c.deltas
                   if math.isfinite(d.change)]
        return max(changes, default=0.0)

    @property
    def aa_changed(self) -> list[count_compare.CountDelta]:
        """A/A rows whose counts differ at all (exact comparison, no threshold)."""
        return [d for c in self.aa.values() for d in c.deltas if d.base != d.head]

    def detected(self, pct: int) -> bool:
        c = self.injected.get(pct)
        return bool(c and c.deltas) and all(d.verdict == count_compare.SLOWER for d in c.deltas)

    @property
    def passed(self) -> bool:
        flagged_aa = [d for c in self.aa.values() for d in c.deltas
                      if d.verdict != count_compare.UNCHANGED]
        return (not self.failed and not flagged_aa and bool(self.injected)
                and all(self.detected(p) for p in self.injected))

    def lines(self) -> list[str]:
        c = self.aa["instructions"]
        out = [f"counts A/A (A1 vs A2, callgrind count pass twice): "
               f"{len(self.aa_changed)} count changes among {len(c.deltas)} benchmarks x "
               f"{len(self.aa)} metrics (instructions, estimated cycles; exact comparison); "
               f"largest A/A count change {self.aa_max_change:.4%}"]
        for d in c.deltas:
            out.append(f"  A/A  {d.name}: {d.base:.6g} -> {d.head:.6g} instructions/element "
                       f"({d.change:+.4%})")
        for pct, cmp in sorted(self.injected.items()):
            flagged = len(cmp.section(count_compare.SLOWER))
            out.append(f"counts: injected {pct}% work (MAPBENCH_INJECT_WORK_PCT={pct}): flagged "
                       f"on {flagged} of {len(cmp.deltas)} benchmarks (threshold "
                       f"{cmp.threshold:.2%})")
            for d in cmp.deltas:
                out.append(f"  +{pct}% work  {d.name}: {d.change:+.3%} instructions/element "
                           f"-> {verdict_word(d.verdict, d.metric)}")
        for name in self.failed:
            out.append(f"counts: {name} has no counts (failed under valgrind)")
        out.append(f"counts: {'PASS' if self.passed else 'FAIL'} ("
                   + ("A/A unchanged, injected work flagged on every benchmark"
                      if self.passed else "see above") + f"; {self.seconds:.0f} s)")
        return out

    def to_json(self) -> dict:
        return {"passed": self.passed, "aa_max_change_pct": self.aa_max_change * 100,
                "aa_count_changes": len(self.aa_changed),
                "threshold_pct": next(iter(self.injected.values())).threshold * 100
                if self.injected else None,
                "injected_work": {str(p): {"flagged": len(c.section(count_compare.SLOWER)),
                                           "benchmarks": len(c.deltas),
                                           "changes_pct": {d.name: d.change * 100
                                                           for d in c.deltas}}
                                  for p, c in sorted(self.injected.items())},
                "failed": self.failed, "seconds": round(self.seconds, 1)}


def evaluate(docs: dict[str, dict], levels=WORK_LEVELS) -> CountCalibration:
    """From the count documents of A1, A2 and W<pct>: the counted calibration."""
    aa = {m: count_compare.compare_counts(docs["A1"], docs["A2"], m, count_compare.FLOOR)
          for m in count_compare.METRICS}
    result = CountCalibration(aa)
    threshold = max(count_compare.FLOOR, count_compare.AA_MARGIN * result.aa_max_change)
    for pct in levels:
        result.injected[pct] = count_compare.compare_counts(
            docs["A1"], docs[f"W{pct}"], "instructions", threshold,
            f"{count_compare.AA_MARGIN:g} x this A/A's largest change, at least "
            f"{count_compare.FLOOR:.1%}")
    wanted = set(docs["A1"].get("benchmarks") or {}) | set((docs["A1"].get("failed") or {}))
    result.failed = sorted(n for d in docs.values() for n in (d.get("failed") or {})
                           if n in wanted)
    return result


def calibrate_counts(names: list[str], *, log=print) -> CountCalibration | None:
    """Run the four count passes; None (after one line) when there is no count pass here."""
    import time

    started = time.monotonic()
    benchmarks = [matrix.parse_name(n) for n in names]
    docs = {}
    with tempfile.TemporaryDirectory(prefix="mapbench-calibrate-counts-") as tmp:
        for label, pct in [("A1", 0), ("A2", 0)] + [(f"W{p}", p) for p in WORK_LEVELS]:
            log(f"calibrate: count pass {label}" + (f" (MAPBENCH_INJECT_WORK_PCT={pct})" if pct
                                                    else ""), flush=True)
            run_dir = Path(tmp) / label
            run_dir.mkdir()
            doc = count_pass(benchmarks, run_dir, log=log, inject_work_pct=pct, hardware=False)
            if doc is None:
                return None
            docs[label] = doc
    result = evaluate(docs)
    result.seconds = time.monotonic() - started
    return result
