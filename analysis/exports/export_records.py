"""The record every exporter reads: one benchmark's timings, counts and allocations, per element.

An export unit is per *element* (one map entry visited), the unit of the suite's pyperf
values (pyperf divides by its inner loops, which are the elements of one loop). So `op`
in every exported unit means one element:

  - times: one (seconds per element, elements timed) pair per pyperf value (pyperf timing);
  - counts: per element, exact (callgrind simulation, counts.json `per_element`):
      instructions = Ir, D1-misses = D1mr + D1mw, LL-misses = DLmr + DLmw (data misses, as
      the counts table shows them), est-cycles = the estimated-cycles model;
  - allocations: bytes and allocations per element (the counting allocator's per-loop
    numbers, pyperf metadata `alloc_bytes_per_op` / `allocs_per_op`, divided by the
    elements of one loop).

Invariant: a record has times, or counts, or both; `impl` names whose code ran
(`mapbench`, or a Go version for a peer).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mapbench.analysis.counters import counts as countmetrics

OURS = "mapbench"
# Counted units (benchstat spelling) and how each comes from a counts.json per_element entry.
COUNTED_UNITS = {
    "instructions/op": ("Ir",),
    "D1-misses/op": ("D1mr", "D1mw"),
    "LL-misses/op": ("DLmr", "DLmw"),
    "est-cycles/op": (countmetrics.CYCLES,),
}
TIME_UNIT = "ns/op"
ALLOC_UNITS = ("B/op", "allocs/op")
UNIT_SOURCES = {
    TIME_UNIT: "pyperf timing, nanoseconds per element",
    "instructions/op": "callgrind simulation (Ir), per element",
    "D1-misses/op": "callgrind simulation (D1mr + D1mw), per element",
    "LL-misses/op": "callgrind simulation (DLmr + DLmw), per element",
    "est-cycles/op": "callgrind simulation, estimated cycles model, per element",
    "B/op": "counting allocator, bytes per element",
    "allocs/op": "counting allocator, allocations per element",
}


@dataclass
class ExportBenchmark:
    name: str                                   # the suite's name (mapbench.names grammar)
    times: list[tuple[float, int]] = field(default_factory=list)   # (s/element, elements timed)
    counts: dict[str, float] = field(default_factory=dict)         # counted unit -> per element
    allocs: dict[str, float] = field(default_factory=dict)         # B/op, allocs/op -> per element
    impl: str = OURS


def counted_units(per_element: dict) -> dict[str, float]:
    """{counted unit: per-element value} from a counts.json `per_element` entry; units whose
    events the entry lacks are left out."""
    out = {}
    for unit, keys in COUNTED_UNITS.items():
        values = [per_element.get(k) for k in keys]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            out[unit] = float(sum(values))
    return out
