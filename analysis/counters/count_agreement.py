"""Do two sets of counts agree? Exactly on the layout-free events; the rest are reported.

    differences(one, many) -> Differences(exact=[...], layout=[...])
        one, many: {run: {benchmark: counts.json entry}} (loops, elements, totals, per_element)

The count pass is deterministic for a given address layout of the counted process (ASLR
off, a fixed environment and working folder, fixed seeds). Even so the layout is not
fixed across installations: the interpreter's path and the byte lengths of its import
path change what malloc and mmap hand out before the map is built, and where the native
module is loaded. Interpreter paths of equal length give equal counts (a history's
temporary venvs are such paths). Measured (2026-12-07, docs/counted-metrics.md): the same
checkout counted from interpreters at an 18- and a 77-character path gives equal Ir, Dr,
Dw and Bc, but D1mr 11217 vs 10695 for lookup/n=1024 (-4.7%) and Bcm 1613 vs 1617 for
iterate/storage=heap/prefetch=0/n=1024; and a benchmark whose timed region allocates
(that heap iterator, insert) moves its Ir too, by 0.014% (654035 vs 654124, paths of 21
and 22 characters), under the 0.1% floor of every count threshold.

So:
  LAYOUT_FREE: Ir, Dr, Dw, Bc (what the code executes), and loops and elements -- two
      runs of one commit from interpreters at paths of equal length must agree on these
      number for number;
  LAYOUT_SENSITIVE: the simulated cache misses (I1mr, D1mr, D1mw, ILmr, DLmr, DLmw), the
      simulated mispredictions (Bcm, which callgrind's predictor indexes by instruction
      address), and estimated_cycles (made from the misses) -- equal within one layout,
      and may differ by a few percent (more at small n, where misses are few) between
      layouts. They are listed, not judged.

Pure: dicts in, lines out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

LAYOUT_FREE = ("Ir", "Dr", "Dw", "Bc")
LAYOUT_SENSITIVE = ("I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw", "Bcm", "estimated_cycles")
ENTRY_KEYS = ("loops", "elements")


@dataclass
class Differences:
    exact: list[str] = field(default_factory=list)     # layout-free: a real disagreement
    layout: list[str] = field(default_factory=list)    # layout-sensitive: reported only

    @property
    def agree(self) -> bool:
        return not self.exact


def _totals(entry) -> dict:
    totals = entry.get("totals") if isinstance(entry, dict) else None
    return totals if isinstance(totals, dict) else {}


def differences(one: dict, many: dict) -> Differences:
    """`run benchmark key: a != b` lines, layout-free ones apart from layout-sensitive ones.
    A run or benchmark that only one side has is an exact difference."""
    out = Differences()
    for run in sorted(set(one) | set(many)):
        a, b = one.get(run) or {}, many.get(run) or {}
        for bench in sorted(set(a) | set(b)):
            if bench not in a or bench not in b:
                out.exact.append(f"{run} {bench}: counted on one side only")
                continue
            ea, eb = a[bench] or {}, b[bench] or {}
            for key in ENTRY_KEYS:
                if ea.get(key) != eb.get(key):
                    out.exact.append(f"{run} {bench} {key}: {ea.get(key)!r} != {eb.get(key)!r}")
            ta, tb = _totals(ea), _totals(eb)
            for event in sorted(set(ta) | set(tb)):
                if ta.get(event) == tb.get(event):
                    continue
                line = f"{run} {bench} totals.{event}: {ta.get(event)!r} != {tb.get(event)!r}"
                (out.layout if event in LAYOUT_SENSITIVE else out.exact).append(line)
    return out
