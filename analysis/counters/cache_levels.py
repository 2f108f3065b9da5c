"""The machine's cache levels as valgrind can simulate them, and the sizes where a map fills each.

valgrind simulates two cache levels: D1 and one "LL". A machine with L1d, L2 and L3 needs
two passes to see every level: one with LL = the machine's L2 geometry ("L2 misses") and one
with LL = its L3 geometry ("L3 misses (to memory)"). A machine with L1d and L2 only needs one,
and its L2 is then the last level. Invariants:

  1. `simulated_levels` returns the data/unified levels above L1 in order, each with the
     geometry valgrind is given and `last` true for exactly the highest one;
  2. a level is called "last level" (and "to memory") only when it is the machine's last;
  3. `nearest_valgrind_geometry` returns a geometry valgrind accepts -- a power-of-two line
     and a power-of-two number of sets (valgrind 3.19 refuses e.g. --LL=314572800,12,64; it
     accepts any associativity, e.g. 20-way) -- the one nearest in size to the machine's,
     then nearest in associativity, and a note saying what changed ("" when nothing). It is
     the one rounding rule: the profile pass's cachegrind model and the count pass's
     options (collectors/cachegrind.py valgrind_geometry) call it too.

Where a map fills a level: the table's bytes per entry come from the layout (meta.json
`layout`, offsetof/sizeof of the build): the classic map has 2^B buckets of `bmap` size
(8 slots) with B the smallest at which n <= 6.5 * 2^B (Go's load factor; overflow buckets
left out), the Swiss map groups of `swiss_group` size (8 ctrl bytes + 8 slots) at an average
load of 7/8 * 3/4 (tables split at 7/8 full into halves, so a table's load lies between
7/16 and 7/8). Where a run measured its tables (bench.json metadata `table_bytes` of the
iterate benchmarks: what the built map allocated, `measured_table_points`), the fill size
comes from those bytes instead (`measured_fill_size`, log-log interpolation between the
measured sizes, the same numbers the ns/element plot marks): `fill` picks, and says which.
Pure: values in, values out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from mapbench.analysis.counters.cachegrind_out import CacheGeometry

CLASSIC_LOAD = 6.5                 # entries per 8-slot bucket at which Go 1.19 grows
SWISS_AVERAGE_LOAD = 7 / 8 * 3 / 4  # slots filled, on average over table splits
SLOTS = 8                          # per classic bucket and per Swiss group
CLASSIC_BUCKET_BYTES = 144         # used when meta.json has no layout
SWISS_GROUP_BYTES = 136


@dataclass(frozen=True)
class Level:
    name: str                      # "L1d", "L2", "L3", ...
    machine: CacheGeometry         # as sysfs says
    simulated: CacheGeometry       # as valgrind is told
    note: str                      # "" or what rounding did
    last: bool                     # the machine's last level: its misses go to memory

    @property
    def label(self) -> str:
        return level_label(self.name, self.last)

    def to_json(self) -> dict:
        return {"name": self.name, "label": self.label, "last": self.last,
                "size_bytes": self.machine.size, "ways": self.machine.assoc,
                "line_bytes": self.machine.line, "machine": self.machine.describe(),
                "simulated": self.simulated.describe(),
                "simulated_bytes": self.simulated.size, "rounding": self.note}


def level_label(name: str, last: bool) -> str:
    """What a column or sentence calls misses of a level: never 'last level' unless it is."""
    return f"{name} misses (last level, to memory)" if last else f"{name} misses"


def metric_key(name: str) -> str:
    """'L2' -> 'l2_read_misses_per_element' (L1d -> l1d_...)."""
    return f"{name.lower()}_read_misses_per_element"


def _is_pow2(x: int) -> bool:
    return x >= 1 and x & (x - 1) == 0


def nearest_valgrind_geometry(geometry: CacheGeometry) -> tuple[CacheGeometry, str]:
    """The geometry valgrind accepts nearest in size to `geometry`, and a note if it differs."""
    size, assoc, line = geometry.size, max(1, geometry.assoc), geometry.line
    if not _is_pow2(line):
        line = 1 << round(math.log2(max(line, 1)))
    sets = size / (assoc * line)
    if _is_pow2(int(sets)) and int(sets) == sets and line == geometry.line:
        return geometry, ""
    low = 1 << max(0, math.floor(math.log2(max(sets, 1))))
    candidates = []
    for s in (low, low * 2):
        for ways in {assoc, max(1, round(size / (s * line)))}:
            candidates.append(CacheGeometry(s * ways * line, line, ways))
    best = min(candidates, key=lambda g: (abs(g.size - size), abs(g.assoc - assoc), g.size))
    why = (f"{geometry.describe()} has {sets:g} sets, not a power of two" if line == geometry.line
           else f"{geometry.line} B lines are not a power of two")
    return best, f"{why}: simulated as {best.describe()}, the nearest geometry valgrind accepts"


def simulated_levels(caches: list[dict]) -> list[Level]:
    """Levels 2.. of meta.json-style `caches` (read_caches), data or unified, in order."""
    by_level: dict[int, dict] = {}
    for c in caches:
        if c.get("type") in ("Data", "Unified") and c.get("level", 0) >= 2 and c.get("size_bytes"):
            by_level.setdefault(int(c["level"]), c)
    top = max(by_level, default=None)
    out = []
    for level in sorted(by_level):
        c = by_level[level]
        machine = CacheGeometry(int(c["size_bytes"]), int(c.get("line_bytes") or 64), int(c.get("ways") or 1))
        simulated, note = nearest_valgrind_geometry(machine)
        out.append(Level(f"L{level}", machine, simulated, note, last=level == top))
    return out


def l1d(caches: list[dict]) -> CacheGeometry | None:
    for c in caches:
        if c.get("level") == 1 and c.get("type") in ("Data", "Unified") and c.get("size_bytes"):
            return CacheGeometry(int(c["size_bytes"]), int(c.get("line_bytes") or 64), int(c.get("ways") or 1))
    return None


def _struct_size(layout: dict | None, struct: str, default: int) -> int:
    entry = (layout or {}).get(struct)
    size = entry.get("size") if isinstance(entry, dict) else None
    return int(size) if isinstance(size, int) and size > 0 else default


def table_bytes(kind: str, n: int, layout: dict | None = None) -> float:
    """Predicted bytes of an n-entry map's table (classic: bucket array; Swiss: groups)."""
    if kind == "swiss":
        return n / (SLOTS * SWISS_AVERAGE_LOAD) * _struct_size(layout, "swiss_group", SWISS_GROUP_BYTES)
    buckets = 1
    while n > SLOTS and n > CLASSIC_LOAD * buckets:
        buckets *= 2
    return buckets * _struct_size(layout, "bmap", CLASSIC_BUCKET_BYTES)


def fill_size(kind: str, level_bytes: int, layout: dict | None = None) -> float:
    """The n from which the predicted table is larger than a level. Classic: the first n
    whose power-of-two bucket array exceeds it (a growth doubles it at n = 6.5 * 2^B + 1);
    Swiss: continuous, at the average load."""
    if kind == "swiss":
        per_entry = _struct_size(layout, "swiss_group", SWISS_GROUP_BYTES) / (SLOTS * SWISS_AVERAGE_LOAD)
        return level_bytes / per_entry
    bucket = _struct_size(layout, "bmap", CLASSIC_BUCKET_BYTES)
    buckets = 1
    while buckets * bucket <= level_bytes:
        buckets *= 2
    return max(SLOTS + 1, math.floor(CLASSIC_LOAD * buckets / 2) + 1)


def lines_per_element(kind: str, n: int, line: int = 64, layout: dict | None = None) -> float:
    """Cache lines one pass over the predicted table spans, per entry."""
    return table_bytes(kind, n, layout) / line / n


def name_simulated_ll(summary: dict, level: Level) -> dict:
    """A cachegrind summary (analysis/counters/cachemiss.py) whose LL was `level`, with its LL
    metrics, attribution and source named for the level: 'll_*' -> 'l2_*' etc."""
    key = level.name.lower()
    metrics = summary.get("metrics", {})
    for old, new in (("ll_read_misses_per_element", f"{key}_read_misses_per_element"),
                     ("ll_miss_rate", f"{key}_miss_rate")):
        if old in metrics:
            metrics[new] = metrics.pop(old)
    tail = " (last level, to memory)" if level.last else ""
    summary["metric_labels"] = {f"{key}_read_misses_per_element": f"{level.name} read misses/elem{tail}",
                                f"{key}_miss_rate": f"{level.name} miss rate{tail}"}
    for row in summary.get("functions") or []:
        if "LL read misses" in row:
            row[f"{level.name} read misses"] = row.pop("LL read misses")
    for field_name in ("source_detail",):
        if isinstance(summary.get(field_name), str):
            summary[field_name] = summary[field_name].replace("; LL ", f"; {level.name} (valgrind's LL) ")
    summary["simulated_level"] = level.to_json()
    return summary


MEASURED = "measured table bytes (bench.json table_bytes)"
PREDICTED = "table bytes predicted from the layout"


def measured_table_points(suite) -> dict[str, list[tuple[int, float]]]:
    """{map kind: [(n, table bytes)]} from a pyperf suite's full-iteration benchmarks
    (stack iterator, no prefetch), whose metadata records what the built map allocated."""
    out: dict[str, list[tuple[int, float]]] = {}
    for bench in suite.get_benchmarks() if suite is not None else ():
        name = bench.get_name()
        for kind, prefix in (("classic", "iterate/storage=stack/prefetch=0/n="),
                             ("swiss", "iterate/map=swiss/storage=stack/prefetch=0/n=")):
            if name.startswith(prefix) and name[len(prefix):].isdigit():
                value = bench.get_metadata().get("table_bytes")
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                    out.setdefault(kind, []).append((int(name[len(prefix):]), float(value)))
    return {kind: sorted(points) for kind, points in out.items()}


def measured_fill_size(points: list[tuple[int, float]], level_bytes: int) -> float | None:
    """The n at which the measured table is as large as the level: log-log interpolation
    between measured (n, bytes) points; beyond them, the nearest end's bytes per entry."""
    points = sorted((n, b) for n, b in points if n > 0 and b > 0)
    if not points:
        return None
    logs = [(math.log2(b), math.log2(n)) for n, b in points]
    target = math.log2(level_bytes)
    if target <= logs[0][0] or len(logs) == 1:
        b0, n0 = logs[0] if target <= logs[0][0] else logs[-1]
        return 2 ** (n0 + target - b0)
    if target >= logs[-1][0]:
        b0, n0 = logs[-1]
        return 2 ** (n0 + target - b0)
    for (b0, n0), (b1, n1) in zip(logs, logs[1:]):
        if b0 <= target <= b1:
            t = 0 if b1 == b0 else (target - b0) / (b1 - b0)
            return 2 ** (n0 + t * (n1 - n0))
    return None


def fill(kind: str, level_bytes: int, layout: dict | None = None,
         measured: dict[str, list[tuple[int, float]]] | None = None) -> tuple[float, str]:
    """(n where the table fills the level, where that came from: MEASURED or PREDICTED)."""
    found = measured_fill_size((measured or {}).get(kind) or [], level_bytes)
    if found is not None:
        return found, MEASURED
    return fill_size(kind, level_bytes, layout), PREDICTED
