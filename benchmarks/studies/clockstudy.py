"""The clock study: is this machine's time noise stolen time or a slower CPU?

    python -m mapbench.benchmarks.studies.clockstudy [--seconds 60] [--n 16384] [--cpu 1] [--out FILE]

Times the iterate kernel (stack iterator, no prefetch) on one pinned CPU, call after call,
with CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID and the TSC read back to back around each call
(native/src/common/clocks.c), and per call the pinned CPU's steal ticks from /proc/stat and
this thread's run_delay from /proc/self/task/<tid>/schedstat. Prints the summary of
analysis/stats/clock_bursts.py (which clock sees the bursts, how much steal they hold) and
writes every sample and the summary as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.stats import clock_bursts


def steal_ticks(cpu: int) -> int:
    """The 8th value of /proc/stat's `cpuN` line (steal, USER_HZ ticks); 0 when unreadable."""
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith(f"cpu{cpu} "):
                return int(line.split()[8])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_delay_ns() -> int:
    """This thread's time waiting on a run queue (schedstat's 2nd field); 0 when unreadable."""
    try:
        text = Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text()
        return int(text.split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def study(seconds: float, n: int, cpu: int, loops: int | None = None) -> list[dict]:
    from mapbench.benchmarks.catalog.families import build_map
    from mapbench.native import kernels
    from mapbench.native._ffi import ffi, lib

    os.sched_setaffinity(0, {cpu})
    m = build_map(n)
    loops = loops or max(1, (1 << 20) // n)
    kernels.iterate(m, loops)                                 # warm-up
    before, after = ffi.new("uint64_t[3]"), ffi.new("uint64_t[3]")
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s0, d0 = steal_ticks(cpu), run_delay_ns()
        lib.clocks_read(before)
        result = kernels.iterate(m, loops)
        lib.clocks_read(after)
        s1, d1 = steal_ticks(cpu), run_delay_ns()
        per = result.elements
        samples.append({"t": time.monotonic(), "elements": per,
                        "monotonic_ns": (after[0] - before[0]) / per,
                        "thread_cpu_ns": (after[1] - before[1]) / per,
                        "tsc": (after[2] - before[2]) / per,
                        "kernel_ns": result.seconds * 1e9 / per,
                        "steal_ticks": s1 - s0, "run_delay_ns": d1 - d0})
    return samples


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mapbench.benchmarks.studies.clockstudy",
                                description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--n", type=int, default=1 << 14)
    p.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)))
    p.add_argument("--out", default="clockstudy.json")
    args = p.parse_args(argv)
    samples = study(args.seconds, args.n, args.cpu)
    summary = clock_bursts.summarize(samples)
    print(json.dumps(summary, indent=2))
    write_atomic(Path(args.out), json.dumps({"n": args.n, "cpu": args.cpu, "summary": summary,
                                             "samples": samples}) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
