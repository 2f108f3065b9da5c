"""Which CPU the suite's workers run on: the quietest one right now.

Workers are pinned to one CPU (`suite.main`); a fixed choice can sit on the CPU that the
host is slowing, so the suite probes each allowed CPU with a short fixed loop first.
"""
from __future__ import annotations

import os
import time


def probe_cpu(cpu: int, rounds: int = 5) -> float:
    """Fastest of `rounds` timings of a fixed pure-Python loop (~2 ms) on `cpu`."""
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            sum(range(100_000))
            best = min(best, time.perf_counter() - t0)
        return best
    finally:
        os.sched_setaffinity(0, previous)


def quietest_cpu(cpus: list[int], probe=probe_cpu) -> int:
    """The CPU where a fixed loop runs fastest now, ties to the last (the first is where the
    OS and the parent tend to run). A shared host can slow one CPU at a time for minutes
    (on a 2-vCPU KVM guest, 2026-11: pinned iterate at n=2^10, cpu0 7.4 ns and cpu1 4.1 ns
    in the same minute, both 4.0 ten minutes earlier), so a fixed choice can sit on the
    slow one."""
    timings = {cpu: probe(cpu) for cpu in cpus}
    best = min(timings.values())
    return max(cpu for cpu, t in timings.items() if t <= best * 1.05)
