"""valgrind --tool=callgrind --cache-sim=yes: call paths with cache events.

Gives a flame graph whose widths are simulated D1 (or LL) read misses instead of time: the
call paths are rebuilt from callgrind's caller->callee inclusive costs (see
mapbench.analysis.counters.callgrind_stacks.callgrind_stacks for the assumption). Same cache model as cachegrind.py.
"""
from __future__ import annotations

from pathlib import Path

from mapbench.analysis.stacks import callgrind_stacks
from mapbench.benchmarks.profiling.collectors import Capture
from mapbench.benchmarks.profiling.collectors.cachegrind import simulate

TOOL = "callgrind"


def record(config: dict, out_dir: Path, name: str, *, loops: int = 2, model: dict | None = None,
           event: str = "D1mr", binary: str = "valgrind", timeout: float = 600) -> Capture:
    capture = simulate(config, out_dir, name, loops=loops, model=model, tool="callgrind", binary=binary,
                       timeout=timeout)
    if not capture.ok:
        return capture
    op = config.get("op", "iterate")
    prefix = "swiss_" if config.get("map") == "swiss" else ""  # the Swiss map's kernels
    roots = [f for f in capture.data.self_costs if f == f"_cffi_f_{prefix}kernel_{op}"] or None
    stacks = callgrind_stacks.callgrind_stacks(capture.data, event, roots=roots)
    scope = f"subtree of {roots[0]} (the kernel's FFI call)" if roots else "whole process"
    capture.source = (f"{capture.source}; weight = {event} (simulated misses), {scope}; call paths rebuilt "
                      "from caller->callee inclusive costs")
    capture.data = (capture.data, stacks)
    return capture
