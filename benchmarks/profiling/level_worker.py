"""The level sweep's worker: full iteration of maps of several sizes in one process, for callgrind.

    valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no --cache-sim=yes --LL=... \\
        python -m mapbench.benchmarks.profiling.level_worker NAME [NAME ...]

The count pass's worker (benchmarks/counts/count_worker.py) takes one map size per process;
the sweep wants every size at one cache level, and a process start under valgrind costs
seconds, so this worker builds each benchmark's map in turn (uninstrumented), counts the
benchmark in a child forked from there (count_worker.count_one: one warm-up loop, then the
counted call, then a callgrind dump named after the benchmark), and frees the map before the
next. Only benchmarks that read a built map (iterate, roofline) are accepted.
"""
from __future__ import annotations

import gc
import os
import sys

from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.counts import count_worker


def run(names: list[str], out=None) -> int:
    out = out or sys.stdout
    failed = 0
    for name in names:
        bench = matrix.parse_name(name)
        if not count_worker.shares_map(bench):
            raise SystemExit(f"level_worker: {name}: not a benchmark on a built map")
        table = families.build_map(bench.n, families.map_kind(bench))
        out.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                count_worker.count_one(bench, table, out)
            except BaseException as exc:                # noqa: BLE001 - reported, then exit
                print(f"level_worker: {name}: {exc!r}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
        del table
        gc.collect()
    return failed


if __name__ == "__main__":
    sys.exit(1 if run(sys.argv[1:]) else 0)
