"""Classic vs Swiss map, interleaved in one process: the numbers behind native/README.md's
"Measured: classic vs Swiss" table.

    python -c 'from mapbench.benchmarks.studies.maps_sweep import sweep_maps; sweep_maps()'

Every round times, for every size, both maps' full iteration (stack iterator, prefetch 0,
D and auto, the default), lookups that hit and miss, inserts into a fresh map, and the roofline over each
map's own table bytes, so load drift on a shared machine hits both maps alike; the
result is the minimum ns/element over the rounds (the least disturbed value). Source:
the C kernels' CLOCK_MONOTONIC timing (native.kernels), the suite's benchmark maps
(families.build_map: the same seeds). The pyperf suite measures the same kernels with
its own statistics (`mapbench bench --only 'map=swiss|...'`).
"""
from __future__ import annotations

import os

from mapbench import names
from mapbench.benchmarks.catalog.families import build_map

SIZES = (2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22)


def sweep_maps(sizes=SIZES, distance: int = 16, rounds: int = 3, work: int = 2 ** 22,
               cpu: int | None = None) -> dict[tuple[str, str, int], float]:
    """{(map, what, n): min ns/element}; prints a markdown table. `cpu` pins the process."""
    from mapbench.native import kernels

    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    maps = {(kind, n): build_map(n, kind) for kind in ("classic", "swiss") for n in sizes}
    best: dict[tuple[str, str, int], float] = {}

    def note(key, result, per=None):
        ns = result.seconds * 1e9 / (per if per else result.elements)
        best[key] = min(best.get(key, float("inf")), ns)

    for _ in range(rounds):
        for n in sizes:
            loops = max(1, work // n)
            for kind in ("classic", "swiss"):
                m = maps[kind, n]
                for d in (0, distance, "auto"):
                    note((kind, f"iterate prefetch={d}", n), kernels.iterate(m, loops, prefetch=d))
                for hit in (True, False):
                    note((kind, "lookup " + ("hit" if hit else "miss"), n),
                         kernels.lookup(m, max(1, loops // 4), hit=hit))
                stats = m.stats()
                table_bytes = stats["group_bytes"] if kind == "swiss" else stats["bucket_bytes"]
                note((kind, "roofline (its table bytes)", n), kernels.roofline(table_bytes, loops),
                     per=n * loops)
                note((kind, "insert hint=0", n), kernels.insert(n, max(1, loops // 8), kind=kind, seed=3))
    whats = sorted({(kind, what) for kind, what, _ in best})
    print("| ns/element (min of %d rounds) | " % rounds
          + " | ".join(names.size_label(n) for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for kind, what in whats:
        print(f"| {kind}: {what} | " + " | ".join(f"{best[kind, what, n]:.2f}" for n in sizes) + " |")
    return best
