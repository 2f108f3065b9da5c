"""The pyperf suite: one benchmark of the matrix per invocation, timed in C.

    python -m benchmarks.suite --bench 'iterate/storage=stack/prefetch=0/n=1024' [pyperf options]

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

`mapbench bench` runs this script once per benchmark (benchmarks/commands/bench.py).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from mapbench.benchmarks import matrix

# Software prefetch distance (buckets ahead) used as "prefetch=D" in the quick suite.
# Chosen from measured sweeps of stack-storage iteration, distances 0,1,2,4,8,16,32 at
# n = 2^10, 2^14, 2^18, 2^22 (`sweep_prefetch()` below: interleaved rounds, min ns/element),
# on the 2-core dev VM (load average about 3 from other jobs), native at d72c373.
# Speed-up over no prefetch, two sweeps (20 and 30 rounds), 18:40 UTC 2026-11-26:
#   n=2^22 (151 MB of buckets, past L2):  d=4 1.07/1.05  d=8 1.12/1.10  d=16 1.16/1.12  d=32 1.14/1.12
#   n=2^18 (9.4 MB, past L2):             every distance 0.98-1.02 (6.8-7.0 ns)
#   n=2^14 (590 KB, fits L2):             every distance 0.99-1.04 (5.9-6.3 ns)
#   n=2^10 (37 KB, fits L1d):             every distance 1.19-1.22 (3.8-3.9 vs 4.6-4.7 ns)
# d=16 has the best geometric-mean speed-up over sizes and sweeps (d=8 and d=32 within 3%).
# Re-measure with the pyperf suite: mapbench bench --full --only 'iterate/storage=stack/prefetch='
BEST_PREFETCH = 16

MAP_SEED = 0x5EED_0001         # hash seed of every benchmark map (identical in every worker)
KEY_SEED = 1                   # key stream of Map.fill
BATCH_SIZE = 1024              # chunk size of python-iterate/batched

# pyperf settings per mode: `processes` worker processes per benchmark, which `mapbench
# bench` runs as that many rounds over the whole matrix (one process of every benchmark
# per round), each timing `values` values after `warmups` discarded ones. quick is what
# `tox -e bench` runs (about 7 min for the 77 benchmarks on 2 cores). Six processes: this
# VM's host slows a vCPU 1.6-2x in bursts, about a third of the time, and the quiet
# statistic of `mapbench compare` needs some processes outside any burst on both sides.
# Values are cheap next to a process start (15-20 ms for a C kernel against ~0.4 s), so
# each process times 5. Every mode pins loops by matrix.loops_for.
MODES = {
    "fast": {"processes": 3, "values": 3, "warmups": 1},
    "quick": {"processes": 6, "values": 5, "warmups": 1},
    "rigorous": {"processes": 10, "values": 5, "warmups": 2},
}

# Families whose kernel builds a fresh map (untimed) for every loop or call: nothing stays
# warm from one value to the next, so they run without warmup values (at 2^22 each call
# costs 1.5-4 s of untimed map building; a warmup would only add to it).
FRESH_MAP_FAMILIES = ("insert", "delete", "iterate-growing")

HOOK_NAME = "mapbench_alloc_counts"


class _Counts:
    """allocs, bytes and loops of the timed calls since the hook last reset them."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.allocs = 0
        self.alloc_bytes = 0
        self.loops = 0

    def add(self, allocs: int, alloc_bytes: int, loops: int) -> None:
        self.allocs += allocs
        self.alloc_bytes += alloc_bytes
        self.loops += loops


COUNTS = _Counts()


class AllocCountHook:
    """pyperf hook: pyperf makes one per batch of values (warmups, then timed values) and
    calls teardown(metadata) after it; the timed batch comes last, so its counts win."""

    def __init__(self) -> None:
        COUNTS.reset()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def teardown(self, metadata: dict) -> None:
        if COUNTS.loops:
            metadata["allocs_per_op"] = COUNTS.allocs / COUNTS.loops
            metadata["alloc_bytes_per_op"] = COUNTS.alloc_bytes / COUNTS.loops


class _HookEntry:
    """Looks like the importlib entry point pyperf expects for a hook."""
    name = HOOK_NAME

    @staticmethod
    def load():
        return AllocCountHook


# -- workloads (worker side) ---------------------------------------------------------

def _build_map(n: int):
    from mapbench.native import Map
    m = Map(hint=0, seed=MAP_SEED)
    m.fill(n, key_seed=KEY_SEED)
    return m


def _map_metadata(m) -> dict:
    stats = m.stats()
    count, b = int(stats["count"]), int(stats["B"])
    return {
        "bucket_bytes": int(stats["bucket_bytes"]),
        "load_factor": round(count / (1 << b), 4),     # entries per bucket (Go: at most 6.5)
        "overflow_buckets": int(stats["noverflow"]),
        "B": b,
    }


def _check(result, what: str):
    error = getattr(result, "error", 0)
    if error:
        raise RuntimeError(f"{what}: the C kernel reported error {error}")
    return result


def _c_timer(call, elements_per_loop: int):
    """A pyperf time func around a C kernel call: returns the C-measured seconds, after
    checking the kernel processed exactly loops x elements_per_loop elements."""

    def time_func(loops: int) -> float:
        result = _check(call(loops), "kernel")
        expected = loops * elements_per_loop
        if result.elements != expected:
            raise RuntimeError(f"kernel processed {result.elements} elements, "
                               f"expected {expected} ({loops} loops)")
        COUNTS.add(result.allocs, result.alloc_bytes, loops)
        return result.seconds

    return time_func


def _py_timer(loop_body):
    """A pyperf time func that times a Python loop with perf_counter; allocations come
    from the counting allocator's process totals around the loop."""
    from mapbench.native import alloc_totals

    def time_func(loops: int) -> float:
        before = alloc_totals()
        t0 = time.perf_counter()
        for _ in range(loops):
            loop_body()
        elapsed = time.perf_counter() - t0
        after = alloc_totals()
        COUNTS.add(after["allocs"] - before["allocs"], after["bytes"] - before["bytes"], loops)
        return elapsed

    return time_func


def make_workload(bench: matrix.Benchmark):
    """(time_func, metadata) for one benchmark; builds its map once."""
    from mapbench.native import kernels

    n, family = bench.n, bench.family
    meta: dict = {}
    timer = "C CLOCK_MONOTONIC around the kernel's timed region"
    if family in ("iterate", "iterinit", "lookup", "roofline"):
        m = _build_map(n)
        meta.update(_map_metadata(m))
    if family == "iterate":
        storage, prefetch = bench.param("storage"), bench.param("prefetch")
        prefetch = prefetch if prefetch == "auto" else int(prefetch)
        if prefetch == "auto":
            meta["prefetch_auto_distance"] = kernels.auto_prefetch(m)
        atomic = bench.param("snapshot") == "atomic"
        func = _c_timer(lambda loops: kernels.iterate(m, loops, storage=storage, prefetch=prefetch,
                                                      atomic_snapshot=atomic), n)
    elif family == "iterinit":
        storage = bench.param("storage")
        func = _c_timer(lambda loops: kernels.iter_init(m, loops, storage=storage), 1)
    elif family == "lookup":
        hit = bench.param("hit") is not None
        func = _c_timer(lambda loops: kernels.lookup(m, loops, hit=hit), n)
    elif family == "roofline":
        nbytes = meta["bucket_bytes"]
        words = nbytes // 8

        def func(loops: int) -> float:
            # Timed per map entry (inner_loops = n): the read of the bytes that hold n entries.
            result = _check(kernels.roofline(nbytes, loops), "roofline")
            if result.elements != loops * words:
                raise RuntimeError(f"roofline read {result.elements} words, "
                                   f"expected {loops * words} ({loops} loops)")
            COUNTS.add(result.allocs, result.alloc_bytes, loops)
            return result.seconds
        meta["roofline_words"] = words
    elif family == "iterate-growing":
        func = _c_timer(lambda loops: kernels.iterate_growing(n, loops, storage="stack",
                                                              prefetch=0, seed=MAP_SEED), n)
    elif family == "insert":
        hint = bench.param("hint") == "1"
        func = _c_timer(lambda loops: kernels.insert(n, loops, hint=hint, seed=MAP_SEED), n)
    elif family == "delete":
        func = _c_timer(lambda loops: kernels.delete(n, loops, seed=MAP_SEED), n)
    elif family == "python-iterate":
        m = _build_map(n)
        meta.update(_map_metadata(m))
        timer = "Python time.perf_counter around the loop"
        if bench.param("items") is not None:
            def body():
                for k, v in m.items():
                    pass
        else:
            def body():
                for keys, values in m.batches(BATCH_SIZE):
                    for k, v in zip(keys, values):
                        pass
            meta["batch_size"] = BATCH_SIZE
        func = _py_timer(body)
    elif family == "dict-iterate":
        d = {}
        for keys, values in _build_map(n).batches(1 << 16):   # the same entries as our map
            d.update(zip(keys, values))
        timer = "Python time.perf_counter around the loop"

        def body():
            for k, v in d.items():
                pass
        func = _py_timer(body)
    else:                                                   # pragma: no cover - matrix guards
        raise ValueError(f"unknown family {family}")
    meta.update({"n": n, "op": bench.op, "timer": timer, "map_seed": MAP_SEED,
                 "key_seed": KEY_SEED,
                 "element": "iterator init" if family == "iterinit" else "map entry"})
    return func, meta


# -- the pyperf script ---------------------------------------------------------------

def _add_cmdline_args(cmd: list[str], args) -> None:
    """Custom options a worker needs: pyperf calls this when it spawns one."""
    cmd.extend(["--bench", args.bench, "--mode", args.mode])


def _never_called(loops):                                   # master side: workers time
    raise RuntimeError("the pyperf master does not run benchmarks")


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
    OS and the parent tend to run). On this KVM guest the host slows one vCPU at a time,
    for minutes, by up to 1.8x (pinned iterate at n=2^10: cpu0 7.4 ns, cpu1 4.1 ns in the
    same minute; both 4.0 ten minutes earlier), so a fixed choice can sit on the slow one."""
    timings = {cpu: probe(cpu) for cpu in cpus}
    best = min(timings.values())
    return max(cpu for cpu, t in timings.items() if t <= best * 1.05)


def main(argv: list[str] | None = None) -> None:
    import pyperf

    argv = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--bench")
    pre.add_argument("--mode", default="quick", choices=sorted(MODES))
    pre_args, _ = pre.parse_known_args(argv)
    if not pre_args.bench:
        print("usage: python -m benchmarks.suite --bench NAME [pyperf options]", file=sys.stderr)
        sys.exit(2)
    bench = matrix.parse_name(pre_args.bench)

    if not any(a in ("-l", "--loops") or a.startswith("--loops=") for a in argv):
        argv += ["--loops", str(bench.loops)]
    if bench.family in FRESH_MAP_FAMILIES and not any(
            a in ("-w", "--warmups") or a.startswith("--warmups=") for a in argv):
        argv += ["--warmups", "0"]
    if HOOK_NAME not in argv:
        argv += ["--hook", HOOK_NAME]
    inherit = sorted(k for k in os.environ if k.startswith("MAPBENCH_"))
    if inherit and not any(a.startswith("--inherit-environ") for a in argv):
        argv += ["--inherit-environ", ",".join(inherit)]

    # One CPU for every worker: unpinned workers migrate between this VM's 2 vCPUs and
    # about one process in five then runs 20-60% slower (measured: n=2^14 iterate, 12
    # processes unpinned 4.1-6.5 ns/element, pinned 3.95-4.15), an outlier that three
    # processes cannot outvote. Which CPU: the quietest one right now (see quietest_cpu).
    if not any(a.startswith("--affinity") for a in argv) and hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > 1:
            argv += ["--affinity", str(quietest_cpu(cpus))]

    settings = MODES[pre_args.mode]
    runner = pyperf.Runner(processes=settings["processes"], values=settings["values"],
                           warmups=settings["warmups"],
                           program_args=("-m", "mapbench.benchmarks.suite"),
                           add_cmdline_args=_add_cmdline_args, hooks=[_HookEntry])
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


def sweep_prefetch(sizes=(2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22), distances=(0, 1, 2, 4, 8, 16, 32),
                   rounds: int = 15, work: int = 2 ** 22) -> dict[int, dict[int, float]]:
    """Interleaved in-process sweep of the prefetch distance (stack storage): for each
    size, `rounds` rounds that time every distance once (in rotating order, so load drift
    hits them alike); returns {n: {distance: min ns/element}} (the minimum is the least
    disturbed value). How BEST_PREFETCH was chosen:
        python -c 'from mapbench.benchmarks.suite import sweep_prefetch; sweep_prefetch()'
    """
    from mapbench.native import kernels

    out: dict[int, dict[int, float]] = {}
    for n in sizes:
        m = _build_map(n)
        loops = max(1, work // n)
        best = {d: float("inf") for d in distances}
        for r in range(rounds):
            for i in range(len(distances)):
                d = distances[(i + r) % len(distances)]
                res = kernels.iterate(m, loops, storage="stack", prefetch=d)
                best[d] = min(best[d], res.seconds * 1e9 / res.elements)
        out[n] = best
        base = best[0]
        print(f"n=2^{n.bit_length() - 1}: " + "  ".join(
            f"d={d}: {v:.2f} ns ({base / v:.2f}x)" for d, v in best.items()), flush=True)
    return out
