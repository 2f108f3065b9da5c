"""The worker side of the pyperf suite: one benchmark's workload, timed, with its counts.

`make_workload` turns a benchmark into pyperf's time function and the metadata of its
run, from the family's record (benchmarks/catalog/families.py): a C kernel is timed in C
(CLOCK_MONOTONIC around its timed region, one FFI call per value) and checked to have
processed exactly loops x elements; a Python-layer family is timed with
time.perf_counter around its loop. allocs and bytes of the timed calls accumulate in
COUNTS and reach the run's metadata through AllocCountHook (a pyperf hook: metadata,
never a timing).
"""
from __future__ import annotations

import json
import time

from mapbench.benchmarks.catalog import families, matrix
from mapbench.benchmarks.catalog.families import KEY_SEED, MAP_SEED, build_map

HOOK_NAME = "mapbench_alloc_counts"
C_TIMER = "C CLOCK_MONOTONIC around the kernel's timed region"
PY_TIMER = "Python time.perf_counter around the loop"


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


class HookEntry:
    """Looks like the importlib entry point pyperf expects for a hook."""
    name = HOOK_NAME

    @staticmethod
    def load():
        return AllocCountHook


def map_metadata(m) -> dict:
    """The shape of the benchmark map. table_bytes: what one full pass reads at least
    (the roofline's byte count): the classic bucket array, or the Swiss map's groups."""
    stats = m.stats()
    count = int(stats["count"])
    if stats["kind"] == "swiss":
        return {
            "map": "swiss",
            "table_bytes": int(stats["group_bytes"]),
            "load_factor": round(count / max(1, int(stats["capacity"])), 4),  # slots used (Go: <= 7/8)
            "tables": int(stats["tables"]),
            "global_depth": int(stats["global_depth"]),
        }
    b = int(stats["B"])
    return {
        "bucket_bytes": int(stats["bucket_bytes"]),
        "table_bytes": int(stats["bucket_bytes"]),
        "load_factor": round(count / (1 << b), 4),     # entries per bucket (Go: at most 6.5)
        "overflow_buckets": int(stats["noverflow"]),
        "B": b,
    }


def _check(result, what: str):
    error = getattr(result, "error", 0)
    if error:
        raise RuntimeError(f"{what}: the C kernel reported error {error}")
    return result


def c_timer(call, elements_per_loop: int, what: str = "kernel", unit: str = "elements"):
    """A pyperf time func around a C kernel call: returns the C-measured seconds, after
    checking the kernel processed exactly loops x elements_per_loop elements."""

    def time_func(loops: int) -> float:
        result = _check(call(loops), what)
        expected = loops * elements_per_loop
        if result.elements != expected:
            verb = "read" if unit == "words" else "processed"
            raise RuntimeError(f"{what} {verb} {result.elements} {unit}, "
                               f"expected {expected} ({loops} loops)")
        COUNTS.add(result.allocs, result.alloc_bytes, loops)
        return result.seconds

    return time_func


def py_timer(loop_body):
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


def _kernel_timer(bench: matrix.Benchmark, fam: families.Family, m, meta: dict):
    from mapbench.native import kernels

    args = families.call_args(bench)
    n, per_loop, what, unit = bench.n, bench.elements_per_loop, "kernel", "elements"
    if fam.kernel_input == "map_bytes":
        # Timed per map entry (inner_loops = n): the read of the bytes that hold n entries.
        n = meta["table_bytes"]
        per_loop = meta["roofline_words"] = n // 8
        what, unit = fam.name, "words"
    if args.get("prefetch") == "auto" and m is not None:   # the distance auto picks here
        meta["prefetch_auto_distance"] = kernels.auto_prefetch(m)
    fixed = {"n": n, "map": m if fam.kernel_input == "map" else None, "seed": MAP_SEED, **args}
    return c_timer(lambda loops: families.call_kernel(kernels, fam, families.KernelCall(loops, **fixed)),
                   per_loop, what, unit)


def question_metadata(bench: matrix.Benchmark) -> dict:
    """What the range-loop questions record beside their time (exact, untimed, the same in
    every worker): iterate-inserting its yields/n for each of families.INSERTING_SEEDS and
    for the timed seed, with whether each run ended within the cap; the shaped traversals
    the shaped map's live entries and the bytes a full traversal walks (its buckets and
    overflow buckets, or its groups and directory), per live entry."""
    from mapbench.native import kernels

    args = families.call_args(bench)
    if bench.family == "iterate-inserting":
        runs = {seed: kernels.range_inserting(bench.n, args["per"], seed=seed, kind=args["kind"])
                for seed in families.INSERTING_SEEDS}
        timed = kernels.range_inserting(bench.n, args["per"], seed=MAP_SEED, kind=args["kind"])
        return {"per": args["per"], "cap_entries": timed.cap, "cap_factor": kernels.CAP_FACTOR,
                "yields_per_n": round(timed.yields_per_n, 6), "ended": int(timed.ended),
                "yields_per_n_by_seed": json.dumps({str(s): round(r.yields_per_n, 6) for s, r in runs.items()}),
                "ended_by_seed": json.dumps({str(s): int(r.ended) for s, r in runs.items()})}
    if bench.family in ("iterate-after-delete", "copy-after-delete", "iterate-load"):
        shape = kernels.shape_probe(bench.n, deleted=args["deleted"], copied=args["copied"],
                                    fill=args["fill"] if bench.family == "iterate-load" else None,
                                    seed=MAP_SEED, kind=args["kind"])
        live = max(1, shape["live"])
        meta = {"live_entries": shape["live"], "walk_bytes": shape["walk_bytes"],
                "bytes_walked_per_live_entry": round(shape["walk_bytes"] / live, 3),
                "buckets_or_groups": shape["units"]}
        meta.update({k: shape[k] for k in ("overflow", "tombstones") if k in shape})
        return meta
    return {}


def make_workload(bench: matrix.Benchmark):
    """(time_func, metadata) for one benchmark; builds its map once."""
    fam = bench.record
    meta: dict = {}
    m = None
    if fam.builds_map:
        m = build_map(bench.n, families.map_kind(bench))
        meta.update(map_metadata(m))
    meta.update(question_metadata(bench))
    if fam.python_loop is not None:
        func, timer = py_timer(fam.python_loop(bench, m, meta)), PY_TIMER
    else:
        func, timer = _kernel_timer(bench, fam, m, meta), C_TIMER
    meta.update({"n": bench.n, "op": bench.op, "timer": timer, "map_seed": MAP_SEED,
                 "key_seed": KEY_SEED, "element": fam.element})
    return func, meta
