"""The benchmark matrix: which (family, variant, size) the suite measures, and their names.

Every benchmark has a stable name `family/param=value/.../n=N`; other tools (compare,
history, report, calibrate) match on these names, so the patterns below are an
interface:

    iterate/storage={stack,heap,pool}/prefetch={0,D}/n=N
    iterate/storage=stack/prefetch=auto/n=N                  (the default: by size)
    iterate/storage=stack/prefetch=0/snapshot=atomic/n=N     (plain loads: no snapshot=)
    iterinit/storage={stack,heap,pool}/n=N
    iterate-growing/n=N
    insert/hint={0,1}/n=N
    lookup/{hit,miss}/n=N
    delete/n=N
    roofline/n=N
    python-iterate/{items,batched}/n=N                       (n <= PYTHON_MAX_N)
    dict-iterate/n=N                                         (n <= PYTHON_MAX_N)

Each benchmark also fixes its pyperf loop count by a rule of (family, n) alone, so two
runs of the same benchmark always time the same amount of work per value and can be
compared fairly (see `loops_for`). pyperf reports time per *element*: `inner_loops`
is the number of elements one loop processes (see `Benchmark.elements_per_loop`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mapbench.analysis.errors import InputError

STORAGES = ("stack", "heap", "pool")       # the same names as native.STORAGES

QUICK_SIZES = tuple(2 ** e for e in (10, 14, 18, 22))
FULL_SIZES = tuple(2 ** e for e in range(8, 25, 2))
# The Python-layer families stop at this n: per-element iteration from Python costs about
# 1.5 us per entry here (7 s per traversal at 2^22), and its per-element cost is set by
# the interpreter, not by the map's size. dict-iterate, their baseline, stops with them.
PYTHON_MAX_N = 2 ** 20
# Prefetch distances (in buckets) swept by --full on stack-storage iteration.
PREFETCH_SWEEP = (1, 2, 4, 8, 16, 32)

# Elements of work per pyperf value, by family: loops = ceil(WORK / elements per loop),
# rounded up to a power of two, at least 1. Chosen so a value takes roughly 5-40 ms on
# this machine (well above pyperf's 1 ms minimum raw value) whatever n is, and so that
# at n >= WORK one loop is one value. Fixed here, never calibrated: loops must be the
# same in every run for `compare` to be fair.
WORK_PER_VALUE = {
    "iterate": 2 ** 22,
    "iterate-growing": 2 ** 21,
    "iterinit": 2 ** 17,
    "insert": 2 ** 19,
    "lookup": 2 ** 20,
    "delete": 2 ** 19,
    "roofline": 2 ** 22,
    "python-iterate": 2 ** 17,
    "dict-iterate": 2 ** 19,
}

# What one loop of each family is (the "op" of allocs/op and bytes/op).
OP_OF_FAMILY = {
    "iterate": "one full traversal of the map",
    "iterate-growing": "one full traversal of a map whose grow is half done",
    "iterinit": "one iterator init + break",
    "insert": "n inserts into a fresh map",
    "lookup": "n lookups",
    "delete": "deleting all n keys of a prebuilt map",
    "roofline": "one sequential read of the bucket-array bytes",
    "python-iterate": "one full traversal from Python",
    "dict-iterate": "one full traversal of a CPython dict",
}


@dataclass(frozen=True)
class Benchmark:
    """One benchmark of the matrix: what to run and how to name and normalise it."""
    family: str
    n: int
    params: tuple[tuple[str, str], ...] = ()   # (key, value) in name order; flags as (value, "")

    @property
    def name(self) -> str:
        parts = [self.family]
        for key, value in self.params:
            parts.append(f"{key}={value}" if value != "" else key)
        parts.append(f"n={self.n}")
        return "/".join(parts)

    def param(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.params:
            if k == key:
                return v
        return default

    @property
    def elements_per_loop(self) -> int:
        """pyperf inner_loops: elements per loop, so pyperf's value is seconds per element.

        For iterinit an element is one iterator init; for every other family it is one
        map entry (roofline: the bucket-array bytes that hold one entry, on average)."""
        return 1 if self.family == "iterinit" else self.n

    @property
    def loops(self) -> int:
        return loops_for(self.family, self.elements_per_loop)

    @property
    def op(self) -> str:
        return OP_OF_FAMILY[self.family]


def loops_for(family: str, elements_per_loop: int) -> int:
    """The fixed pyperf loop count: WORK_PER_VALUE / elements per loop, as a power of two."""
    want = WORK_PER_VALUE[family] / max(1, elements_per_loop)
    return 1 if want <= 1 else 2 ** math.ceil(math.log2(want))


def build_matrix(best_prefetch: int, full: bool = False) -> list[Benchmark]:
    """Every benchmark of the quick (or --full) suite, in run order."""
    sizes = FULL_SIZES if full else QUICK_SIZES
    prefetches = sorted({0, best_prefetch} | (set(PREFETCH_SWEEP) if full else set()))
    out: list[Benchmark] = []
    for n in sizes:
        for storage in STORAGES:
            for d in ((0, best_prefetch) if storage != "stack" else prefetches):
                out.append(Benchmark("iterate", n, (("storage", storage), ("prefetch", str(d)))))
        out.append(Benchmark("iterate", n, (("storage", "stack"), ("prefetch", "auto"))))
        out.append(Benchmark("iterate", n, (("storage", "stack"), ("prefetch", "0"),
                                            ("snapshot", "atomic"))))
        out.append(Benchmark("roofline", n))
        for storage in STORAGES:
            out.append(Benchmark("iterinit", n, (("storage", storage),)))
        out.append(Benchmark("iterate-growing", n))
        for hint in ("0", "1"):
            out.append(Benchmark("insert", n, (("hint", hint),)))
        for kind in ("hit", "miss"):
            out.append(Benchmark("lookup", n, ((kind, ""),)))
        out.append(Benchmark("delete", n))
        if n <= PYTHON_MAX_N:
            for api in ("items", "batched"):
                out.append(Benchmark("python-iterate", n, ((api, ""),)))
            out.append(Benchmark("dict-iterate", n))
    # dedupe (best_prefetch may be 0) keeping order
    seen: set[str] = set()
    unique = []
    for b in out:
        if b.name not in seen:
            seen.add(b.name)
            unique.append(b)
    return unique


def select(benchmarks: list[Benchmark], pattern: str | None) -> list[Benchmark]:
    """Benchmarks whose name matches the regular expression (re.search); all if None."""
    if not pattern:
        return list(benchmarks)
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise InputError(f"--only {pattern!r} is not a valid regular expression: {exc}") from None
    chosen = [b for b in benchmarks if regex.search(b.name)]
    if not chosen:
        raise InputError(f"--only {pattern!r} matches no benchmark "
                         f"(names look like {benchmarks[0].name})")
    return chosen


_NAME_RE = re.compile(r"^(?P<family>[a-z-]+)(?P<params>(/[^/]+)*)/n=(?P<n>\d+)$")


def parse_name(name: str) -> Benchmark:
    """The Benchmark a name stands for; InputError if it is not a suite name."""
    match = _NAME_RE.match(name)
    if not match or match["family"] not in WORK_PER_VALUE:
        raise InputError(f"{name!r} is not a mapbench benchmark name "
                         f"(family/param=value/.../n=N)")
    params = []
    for part in match["params"].split("/")[1:]:
        key, _, value = part.partition("=")
        params.append((key, value))
    return Benchmark(match["family"], int(match["n"]), tuple(params))
