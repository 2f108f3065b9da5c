"""The workload: one process that runs one kernel configuration, the target of every collector.

    python -m mapbench.benchmarks.profiling.workload --op iterate --n 262144 --storage stack --prefetch 0 --seconds 2
    python -m mapbench.benchmarks.profiling.workload --op iterate --n 16384 --loops 4          # a fixed count
    python -m mapbench.benchmarks.profiling.workload --op iterate --layer python --n 65536 --seconds 1
    python -m mapbench.benchmarks.profiling.workload --op iterate --map swiss --n 262144 --seconds 2  # Go 1.24's map

Layers:
  native  -- the timed C kernel (`native.kernels.*`), one FFI call per batch of loops;
  python  -- the map iterated per element from Python (`for k, v in m.items()`), so
             Python frames sit above the FFI calls into the map;
  driver  -- a pyperf-driver-like Python loop that calls the native kernel one loop at a
             time, as the benchmark suite's inner loop does.

Set-up (building the map) happens before the measured part and is reported separately.
The last line on stdout is one JSON object saying what ran: op, map_kind, n, storage,
prefetch, layer, loops, elements processed (so a collector can give misses per element), the kernels' own
C-measured seconds, wall seconds of the measured part, set-up seconds and the pid.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from mapbench.benchmarks.catalog import families
from mapbench.benchmarks.catalog.families import STORAGES

OPS = families.KERNELS                     # one per C kernel of the family table
MAP_KINDS = ("classic", "swiss")           # native.KINDS (imported late: see _import_native)
LAYERS = ("native", "python", "driver")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mapbench.benchmarks.profiling.workload", description=__doc__.splitlines()[0])
    p.add_argument("--op", choices=OPS, default="iterate")
    p.add_argument("--n", type=int, default=1 << 14, help="map size (entries); bytes for roofline")
    p.add_argument("--storage", choices=STORAGES, default="stack", help="where the iterator lives")
    p.add_argument("--prefetch", type=int, default=0, help="software prefetch distance in buckets (0: off)")
    p.add_argument("--layer", choices=LAYERS, default="native")
    p.add_argument("--map", choices=MAP_KINDS, default="classic",
                   help="the map: Go 1.19's classic map or Go 1.24's Swiss table")
    p.add_argument("--seed", type=int, default=1)
    amount = p.add_mutually_exclusive_group()
    amount.add_argument("--seconds", type=float, help="run the measured part for about this long")
    amount.add_argument("--loops", type=int, help="run exactly this many loops (full passes)")
    return p


def _check(args) -> None:
    if args.n <= 0:
        raise SystemExit("workload: error: --n must be positive")
    if args.prefetch < 0:
        raise SystemExit("workload: error: --prefetch must be 0 (off) or a positive distance")
    if args.loops is not None and args.loops <= 0:
        raise SystemExit("workload: error: --loops must be positive")
    if args.seconds is not None and args.seconds <= 0:
        raise SystemExit("workload: error: --seconds must be positive")
    if args.layer != "native" and args.op not in ("iterate",):
        raise SystemExit(f"workload: error: --layer {args.layer} is implemented for --op iterate only")


def _import_native():
    try:
        from mapbench import native
        return native
    except ImportError as exc:
        raise SystemExit(f"workload: error: the native map is not importable ({exc}); "
                         "build it with `pip install .`") from None


class Workload:
    """One configuration, ready to run: `step(loops)` runs the measured part and returns
    (kernel_seconds or None, elements)."""

    def __init__(self, native, args):
        self.native = native
        self.args = args
        self.map = None
        self.checksum = 0
        self.family = families.of_kernel(args.op)
        if self.family.kernel_input == "map":
            self.map = native.Map(seed=args.seed, prefetch=args.prefetch, kind=args.map)
            self.map.fill(args.n, key_seed=args.seed)

    def step(self, loops: int) -> tuple[float | None, int]:
        a, k, m = self.args, self.native.kernels, self.map
        if a.layer == "python":
            total = 0
            for _ in range(loops):
                for key, value in m.items():
                    total += value
            self.checksum ^= total & 0xFFFFFFFFFFFFFFFF
            return None, loops * len(m)
        if a.layer == "driver":
            seconds, elements = 0.0, 0
            for _ in range(loops):
                r = k.iterate(m, 1, storage=a.storage, prefetch=a.prefetch)
                seconds += r.seconds
                elements += r.elements
                self.checksum ^= r.checksum
            return seconds, elements
        # --n is the byte count for a kernel that reads bytes (roofline).
        r = families.call_kernel(k, self.family, families.KernelCall(
            loops, n=a.n, map=m, storage=a.storage, prefetch=a.prefetch, seed=a.seed, kind=a.map))
        self.checksum ^= r.checksum
        return r.seconds, r.elements


def run(args) -> dict:
    native = _import_native()
    t0 = time.perf_counter()
    workload = Workload(native, args)
    setup = time.perf_counter() - t0
    kernel_seconds = 0.0
    elements = loops_done = 0
    start = time.perf_counter()
    if args.loops is not None:
        seconds, elements = workload.step(args.loops)
        kernel_seconds = seconds
        loops_done = args.loops
    else:
        budget = args.seconds if args.seconds is not None else 1.0
        batch = 1
        while True:
            t = time.perf_counter()
            seconds, done = workload.step(batch)
            took = time.perf_counter() - t
            loops_done += batch
            elements += done
            kernel_seconds = None if seconds is None else (kernel_seconds or 0.0) + seconds
            left = budget - (time.perf_counter() - start)
            if left <= 0:
                break
            # Grow the batch towards ~0.1 s per step so FFI/loop overhead stays small,
            # but never overshoot the remaining budget by much.
            per_loop = max(took / batch, 1e-7)
            batch = max(1, min(int(0.1 / per_loop), int(left / per_loop) + 1))
    wall = time.perf_counter() - start
    table = map_table(native, workload.map)
    return {"map": table, "map_kind": args.map,
            "op": args.op, "n": args.n, "storage": args.storage, "prefetch": args.prefetch,
            "layer": args.layer, "seed": args.seed, "loops": loops_done, "elements": elements,
            "kernel_seconds": kernel_seconds, "wall_seconds": wall, "setup_seconds": setup,
            "checksum": workload.checksum, "pid": os.getpid(),
            "timing_source": "C CLOCK_MONOTONIC around the kernel" if kernel_seconds is not None
            else "none (python layer: see wall_seconds, time.perf_counter)"}


def map_table(native, m) -> dict | None:
    """The map's table (for a cache-line count per element), or None without a map:
    table_bytes is the classic map's buckets (incl. overflow) or the Swiss map's groups."""
    if m is None:
        return None
    try:
        stats = m.stats()
        if stats.get("kind") == "swiss":
            return {"kind": "swiss", "count": stats["count"], "tables": stats["tables"],
                    "groups": stats["groups"], "group_size": native.layout()["swiss_group"]["size"],
                    "table_bytes": stats["group_bytes"]}
        bucket_size = native.layout()["bmap"]["size"]
    except (AttributeError, KeyError, TypeError):
        return None
    return {"kind": "classic", "count": stats["count"], "B": stats["B"], "buckets": stats["buckets"],
            "noverflow": stats["noverflow"], "bucket_size": bucket_size,
            "table_bytes": (stats["buckets"] + stats["noverflow"]) * bucket_size}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _check(args)
    result = run(args)
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
