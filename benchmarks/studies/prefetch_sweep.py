"""The sweep that chose suite.BEST_PREFETCH: interleaved in-process rounds over distances.

    python -c 'from mapbench.benchmarks.studies.prefetch_sweep import sweep_prefetch; sweep_prefetch()'
"""
from __future__ import annotations

from mapbench import names
from mapbench.benchmarks.catalog.families import build_map


def sweep_prefetch(sizes=(2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22), distances=(0, 1, 2, 4, 8, 16, 32),
                   rounds: int = 15, work: int = 2 ** 22) -> dict[int, dict[int, float]]:
    """Interleaved in-process sweep of the prefetch distance (stack storage): for each
    size, `rounds` rounds that time every distance once (in rotating order, so load drift
    hits them alike); returns {n: {distance: min ns/element}} (the minimum is the least
    disturbed value). How BEST_PREFETCH was chosen:
        python -c 'from mapbench.benchmarks.studies.prefetch_sweep import sweep_prefetch; sweep_prefetch()'
    """
    from mapbench.native import kernels

    out: dict[int, dict[int, float]] = {}
    for n in sizes:
        m = build_map(n)
        loops = max(1, work // n)
        best = {d: float("inf") for d in distances}
        for r in range(rounds):
            for i in range(len(distances)):
                d = distances[(i + r) % len(distances)]
                res = kernels.iterate(m, loops, storage="stack", prefetch=d)
                best[d] = min(best[d], res.seconds * 1e9 / res.elements)
        out[n] = best
        base = best[0]
        print(f"{names.size_column(n)}: " + "  ".join(
            f"d={d}: {v:.2f} ns ({base / v:.2f}x)" for d, v in best.items()), flush=True)
    return out
