"""The pyperf suite: one benchmark of the matrix per invocation, timed in C.

    python -m mapbench.benchmarks.timing.suite --bench 'iterate/storage=stack/prefetch=0/n=1024' [pyperf options]

A pyperf `Runner` with `bench_time_func`: the master spawns worker processes; each worker
builds its map once (fixed hash seed and key stream, so every worker times an identical
map), then calls one C kernel per value with pyperf's loop count. The kernel measures
its timed region with CLOCK_MONOTONIC in C and returns the seconds, so the number is
native time with one FFI call per value. `inner_loops` is the number of elements one
loop processes (`matrix.Benchmark.elements_per_loop`), so the value pyperf stores and
shows is seconds per element (shown as ns): pyperf does the division, we never do.

The Python-layer families (python-iterate, dict-iterate) are timed in Python with
time.perf_counter around the loop, since their cost *is* the Python layer.

Loops are fixed by `matrix.loops_for` (never calibrated) unless --loops is given, so two
runs time the same work per value. allocs/op and bytes/op come from native's counting
allocator during the timed values, and reach the run's metadata through a pyperf hook
(never a timing: they are metadata, so nothing t-tests them).

`mapbench bench` runs this script once per benchmark (benchmarks/timing/run_engine.py). The
worker side (workloads, timers, allocation counts) is benchmarks/timing/suite_worker.py; what
each family runs is its record in benchmarks/catalog/families.py; the CPU choice is cpu_pick.py.
"""
from __future__ import annotations

import argparse
import os
import sys

from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.timing.cpu_pick import quietest_cpu
from mapbench.benchmarks.timing.suite_worker import COUNTS, HOOK_NAME, HookEntry, make_workload  # noqa: F401

# Software prefetch distance (buckets ahead) used as "prefetch=D" in the quick suite.
# Chosen from measured sweeps of stack-storage iteration, distances 0,1,2,4,8,16,32 at
# n = 2^10, 2^14, 2^18, 2^22 (`prefetch_sweep.sweep_prefetch()`: interleaved rounds, min ns/element),
# on the 2-core dev VM (load average about 3 from other jobs), native at d72c373.
# Speed-up over no prefetch, two sweeps (20 and 30 rounds), 18:40 UTC 2026-11-26:
#   n=2^22 (151 MB of buckets, past L2):  d=4 1.07/1.05  d=8 1.12/1.10  d=16 1.16/1.12  d=32 1.14/1.12
#   n=2^18 (9.4 MB, past L2):             every distance 0.98-1.02 (6.8-7.0 ns)
#   n=2^14 (590 KB, fits L2):             every distance 0.99-1.04 (5.9-6.3 ns)
#   n=2^10 (37 KB, fits L1d):             every distance 1.19-1.22 (3.8-3.9 vs 4.6-4.7 ns)
# d=16 has the best geometric-mean speed-up over sizes and sweeps (d=8 and d=32 within 3%).
# Re-measure with the pyperf suite: mapbench bench --full --only 'iterate/storage=stack/prefetch='
BEST_PREFETCH = 16

# pyperf settings per mode: `processes` worker processes per benchmark, which `mapbench
# bench` runs as that many rounds over the whole matrix (one process of every benchmark
# per round), each timing `values` values after `warmups` discarded ones. quick is what
# `tox -e bench` runs. Four processes: the quiet statistic of `mapbench compare` needs some
# processes outside any burst on both sides (on the 2-vCPU KVM guest measured 2026-11-26
# the host slowed a vCPU 1.6-2x in bursts about a third of the time), and no number of
# rounds that fits `tox -e bench`'s 12 minutes sees a 10% change in time there (about 20
# were needed): the count pass (counts.json) answers that question exactly, so quick
# spends its time on breadth (both maps, the Go peers, the counts), and `--rounds N` or
# --rigorous buys timed power (2026-12-02: at 6 rounds `tox -e bench` took 12 minutes
# before the count pass joined it; at 4, with it, 12m09s).
# Values are cheap next to a process start (15-20 ms for a C kernel against ~0.4 s), so
# each process times 5. Every mode pins loops by matrix.loops_for.
MODES = {
    "fast": {"processes": 3, "values": 3, "warmups": 1},
    "quick": {"processes": 4, "values": 5, "warmups": 1},
    "rigorous": {"processes": 10, "values": 5, "warmups": 2},
}

# -- the pyperf script ---------------------------------------------------------------

def _add_cmdline_args(cmd: list[str], args) -> None:
    """Custom options a worker needs: pyperf calls this when it spawns one."""
    cmd.extend(["--bench", args.bench, "--mode", args.mode])


def _never_called(loops):                                   # master side: workers time
    raise RuntimeError("the pyperf master does not run benchmarks")


def main(argv: list[str] | None = None) -> None:
    import pyperf

    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--bench")
    pre.add_argument("--mode", default="quick", choices=sorted(MODES))
    pre_args, _ = pre.parse_known_args(argv)
    if not pre_args.bench:
        print("usage: python -m mapbench.benchmarks.timing.suite --bench NAME [pyperf options]", file=sys.stderr)
        sys.exit(2)
    bench = matrix.parse_name(pre_args.bench)

    if not any(a in ("-l", "--loops") or a.startswith("--loops=") for a in argv):
        argv += ["--loops", str(bench.loops)]
    if bench.record.fresh_map and not any(
            a in ("-w", "--warmups") or a.startswith("--warmups=") for a in argv):
        argv += ["--warmups", "0"]
    if HOOK_NAME not in argv:
        argv += ["--hook", HOOK_NAME]
    inherit = sorted(k for k in os.environ if k.startswith("MAPBENCH_"))
    if inherit and not any(a.startswith("--inherit-environ") for a in argv):
        argv += ["--inherit-environ", ",".join(inherit)]

    # One CPU for every worker: unpinned workers migrate between CPUs, and on a 2-vCPU KVM
    # guest about one process in five then ran 20-60% slower (measured: n=2^14 iterate, 12
    # processes unpinned 4.1-6.5 ns/element, pinned 3.95-4.15), an outlier that three
    # processes cannot outvote. Which CPU: the quietest one right now (see quietest_cpu).
    if not any(a.startswith("--affinity") for a in argv) and hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > 1:
            argv += ["--affinity", str(quietest_cpu(cpus))]

    settings = MODES[pre_args.mode]
    runner = pyperf.Runner(processes=settings["processes"], values=settings["values"],
                           warmups=settings["warmups"],
                           program_args=("-m", "mapbench.benchmarks.timing.suite"),
                           add_cmdline_args=_add_cmdline_args, hooks=[HookEntry])
    runner.argparser.add_argument("--bench", required=True,
                                  help="the one benchmark to run (a matrix name)")
    runner.argparser.add_argument("--mode", default="quick", choices=sorted(MODES),
                                  help="pyperf processes/values/warmups preset")
    args = runner.parse_args(argv)
    runner.metadata["mapbench_mode"] = args.mode

    if args.worker or args.in_process:
        func, meta = make_workload(bench)
    else:
        func, meta = _never_called, {}
    runner.bench_time_func(bench.name, func, inner_loops=bench.elements_per_loop, metadata=meta)


if __name__ == "__main__":
    main()

