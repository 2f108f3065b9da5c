"""Callgrind call paths -> folded stacks weighted by a cache event (e.g. D1 read misses)."""
from __future__ import annotations

from mapbench.analysis.counters.cachegrind_out import CachegrindProfile


def callgrind_stacks(profile: CachegrindProfile, event: str = "D1mr", min_fraction: float = 1e-4,
                     max_depth: int = 64, roots: list[str] | None = None) -> dict[str, int]:
    """Folded stacks (root first) whose weights are `event` counts, from callgrind's call graph.

    Callgrind keeps costs per caller->callee edge, not per full call path, so the paths are
    rebuilt from the roots down by the gprof assumption: a function's inclusive cost splits
    over its callees in the same proportions whatever called it (exact for functions with a
    single caller, such as the map kernels and their helpers; an estimate elsewhere). Then
    each function's paths are scaled so they sum to its own (self) cost exactly, which undoes
    the double counting callgrind's cycles (e.g. `(below main)`) bring in. Branches under
    `min_fraction` of the total and recursive re-entries are not expanded; a function reached
    by none of the kept paths shows under `[path not rebuilt]`.

    With `roots`, only the subtrees of those functions are shown (each root at its inclusive
    cost; e.g. the cffi wrapper of a kernel), which skips the interpreter's recursive frames
    where the proportional assumption is weakest."""
    i = profile.index(event)
    own = {f: c[i] for f, c in profile.self_costs.items()}
    inclusive = dict(own)
    callees: dict[str, list[tuple[str, int]]] = {}
    called: set[str] = set()
    for (caller, callee), cost in profile.calls.items():
        inclusive[caller] = inclusive.get(caller, 0) + cost[i]
        callees.setdefault(caller, []).append((callee, cost[i]))
        if caller != callee:
            called.add(callee)
    total = sum(own.values())
    if total <= 0:
        return {}
    floor = total * min_fraction
    paths: dict[tuple[str, ...], float] = {}

    def expand(path: tuple[str, ...], weight: float) -> None:
        function = path[-1]
        whole = inclusive.get(function, 0)
        if whole <= 0:
            return
        scale = weight / whole
        if own.get(function):
            paths[path] = paths.get(path, 0.0) + own[function] * scale
        if len(path) >= max_depth:
            return
        for callee, cost in sorted(callees.get(function, ())):
            share = cost * scale
            if share >= floor and callee not in path:
                expand(path + (callee,), share)

    if roots is not None:
        floor = sum(inclusive.get(r, 0) for r in roots) * min_fraction
        for root in roots:
            expand((root,), inclusive.get(root, 0))
        out_subtree: dict[str, int] = {}
        for path, weight in paths.items():
            if round(weight) > 0:
                out_subtree[";".join(path)] = round(weight)
        return out_subtree
    for root in sorted(f for f in inclusive if f not in called and inclusive[f] > 0):
        expand((root,), inclusive[root])
    reached: dict[str, float] = {}
    for path, weight in paths.items():
        reached[path[-1]] = reached.get(path[-1], 0.0) + weight
    out: dict[str, int] = {}
    for path, weight in paths.items():
        value = round(weight * own[path[-1]] / reached[path[-1]])
        if value > 0:
            key = ";".join(path)
            out[key] = out.get(key, 0) + value
    for function, cost in own.items():
        if cost > 0 and function not in reached:
            key = f"[path not rebuilt];{function}"
            out[key] = out.get(key, 0) + cost
    return out
