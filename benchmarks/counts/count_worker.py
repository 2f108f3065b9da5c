"""The count pass's worker: runs C-kernel benchmarks once each, for callgrind to count.

    valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no ... \\
        python -m mapbench.benchmarks.counts.count_worker NAME [NAME ...]

(benchmarks/counts/count_pass.py builds that command.) Per benchmark, the same workload as the timed
suite's worker (benchmarks/timing/suite_worker.py: the same n, map seed, key stream and kernel), with
COUNT loops instead of pyperf's:

  1. the map of that n is built once per process, uninstrumented (set-up is not simulated,
     which is most of what makes the pass affordable) and shared by the benchmarks that
     only read it (iterate, iterinit, lookup, roofline); each benchmark then runs in a
     child forked from that state, so its counts do not depend on the others (see run);
  2. a benchmark that builds its own maps first runs one loop uninstrumented (the
     allocator's free lists settle into the kernel's own pattern); instrumentation on; a
     benchmark on a shared map runs one warm-up call (1 loop), so the simulated caches
     hold what a timed value's caches hold after pyperf's warm-up;
  3. fastrand re-seeded (the iteration's random start bucket), then the counted call with
     collection armed: callgrind collects only inside the kernels' timed regions;
  4. a callgrind dump labelled with the benchmark's name; instrumentation off.

One process per map size. One JSON line per benchmark on stdout: name, loops, elements, checksum. Outside valgrind
it runs the same calls (the client requests do nothing), which the tests use.
"""
from __future__ import annotations

import json
import math
import os
import sys

from mapbench.benchmarks.catalog import families, matrix

# Counted: the families with a C kernel (benchmarks/catalog/families.py). The Python layers
# (python-iterate, dict-iterate) are left out: their cost is CPython's interpreter, whose
# count under callgrind says little about the map, and a traversal of 2^20 entries from
# Python costs about 2 minutes under callgrind.
# Elements per counted call: loops = COUNT_WORK / elements per loop, as a power of two, at
# least 1. Counts are per element; n is the timed suite's, so the cache behaviour is too.
COUNT_WORK = 2 ** 14
FASTRAND_SEED = 0x636F756E74          # "count": the iteration start of every counted call


def count_loops(bench: matrix.Benchmark) -> int:
    if bench.record.count_loops is not None:      # its own (a range that inserts: 1)
        return bench.record.count_loops
    want = COUNT_WORK / max(1, bench.elements_per_loop)
    return 1 if want <= 1 else 2 ** math.ceil(math.log2(want))


def is_counted(bench: matrix.Benchmark) -> bool:
    return bench.record.kernel is not None


def shares_map(bench: matrix.Benchmark) -> bool:
    """A C kernel that reads the worker's one prebuilt map (iterate, iterinit, lookup,
    roofline's byte count), rather than building its own."""
    return bench.record.kernel is not None and bench.record.builds_map


def kernel_call(bench: matrix.Benchmark, shared_map):
    """A function loops -> KernelResult running `bench`'s kernel as the timed suite's
    worker does (benchmarks/timing/suite_worker.py): the same arguments, seeds and map."""
    from mapbench.native import kernels

    fam = bench.record
    if fam.kernel is None:
        raise ValueError(f"{bench.name}: the count pass measures the C kernels only")
    if fam.kernel_input == "map_bytes":     # the bytes one full pass reads, as the suite's worker
        from mapbench.benchmarks.timing.suite_worker import map_metadata
        n = map_metadata(shared_map)["table_bytes"]
    else:
        n = bench.n
    fixed = {"n": n, "map": shared_map if fam.kernel_input == "map" else None,
             "seed": families.MAP_SEED, **families.call_args(bench)}
    return lambda loops: families.call_kernel(kernels, fam, families.KernelCall(loops, **fixed))


def elements_of(bench: matrix.Benchmark, result, loops: int) -> int:
    """Elements as the timed suite counts them (roofline: n map entries per loop, like
    pyperf's inner_loops, although the kernel reports 8-byte words)."""
    if bench.record.kernel_input == "map_bytes":
        return loops * bench.elements_per_loop
    return result.elements


def _order(names: list[str]) -> list[matrix.Benchmark]:
    """Fresh-map benchmarks first, then those on the shared map (built once, in between)."""
    benches = [matrix.parse_name(name) for name in names]
    sizes = {b.n for b in benches}
    if len(sizes) > 1:
        raise ValueError(f"one worker process per map size, not {sorted(sizes)}")
    kinds = {families.map_kind(b) for b in benches if shares_map(b)}
    if len(kinds) > 1:
        raise ValueError(f"one worker process per shared map kind, not {sorted(kinds)}")
    return [b for b in benches if not shares_map(b)] + [b for b in benches if shares_map(b)]


def _trim_heap() -> None:
    """glibc's malloc_trim(0): consolidate the free lists, so the allocator state a kernel
    meets depends less on what this process allocated before (no-op elsewhere)."""
    import ctypes
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def count_one(bench: matrix.Benchmark, shared_map, out, scale: int = 1) -> None:
    """Steps 2-4 for one benchmark (in a forked child: see run)."""
    from mapbench.native import count_region, seed_fastrand

    call = kernel_call(bench, shared_map)
    loops = count_loops(bench) * scale
    _trim_heap()
    if shared_map is None:
        # One uninstrumented loop first: it leaves the allocator's free lists as this
        # kernel's own pattern leaves them, so what malloc costs in the counted call
        # depends less on what the process did before (measured: insert's count moved
        # 0.8% with the benchmarks before it, without this).
        call(1)
    with count_region.instrumented():
        if shared_map is not None:
            seed_fastrand(FASTRAND_SEED)
            call(1)
        seed_fastrand(FASTRAND_SEED)
        with count_region.armed():
            result = call(loops)
        count_region.dump(bench.name)
    out.write(json.dumps({"name": bench.name, "loops": loops,
                          "elements": elements_of(bench, result, loops),
                          "checksum": result.checksum}) + "\n")
    out.flush()


def run(names: list[str], out=None, isolate: bool = True, scale: int = 1) -> int:
    """Count every benchmark (all of one n). With `isolate`, each runs in a child forked from
    this process, so what it finds (heap, simulated caches) does not depend on which other
    benchmarks ran before it: the counts of a benchmark are the same whatever --only chose.
    Returns the number of benchmarks whose child failed."""
    out = out or sys.stdout
    benches = _order(names)
    shared = None
    failed = 0
    for bench in benches:
        if shares_map(bench) and shared is None:
            shared = families.build_map(bench.n, families.map_kind(bench))
        target = shared if shares_map(bench) else None
        if not isolate:
            count_one(bench, target, out, scale)
            continue
        out.flush()
        pid = os.fork()
        if pid == 0:                                    # the child: count, then leave
            code = 0
            try:
                count_one(bench, target, out, scale)
            except BaseException as exc:                # noqa: BLE001 - reported, then exit
                print(f"count_worker: {bench.name}: {exc!r}", file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            failed += 1
            print(f"count_worker: {bench.name}: child exited with "
                  f"{os.waitstatus_to_exitcode(status)}", file=sys.stderr, flush=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m mapbench.benchmarks.counts.count_worker",
                                     description="run C-kernel benchmarks once each for counting")
    parser.add_argument("names", metavar="NAME", nargs="+", help="benchmarks of one map size")
    parser.add_argument("--scale", type=int, default=1,
                        help="multiply the count loops (the hardware path's difference of two runs)")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be at least 1")
    return 1 if run(args.names, scale=args.scale) else 0


if __name__ == "__main__":
    sys.exit(main())
