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
    iterate-inserting/map={classic,swiss}/per={1,2,4,8}/n=N   (the range-loop questions: both
    iterate-after-delete/map=M/deleted={50,90,99}[/copied]/n=N  maps named; a few sizes,
    copy-after-delete/map=M/deleted={50,90,99}/n=N              families.INSERTING_SIZES
    iterate-load/map=M/fill={after-grow,before-grow}/n=N       and SHAPED_SIZES)

The C-kernel families run on Go 1.24's Swiss map too, named with map=swiss right after
the family (`iterate/map=swiss/storage=stack/prefetch=0/n=N`, `roofline/map=swiss/n=N`,
...; no snapshot=atomic variant); a name without map= means the classic map.

Each benchmark also fixes its pyperf loop count by a rule of (family, n) alone, so two
runs of the same benchmark always time the same amount of work per value and can be
compared fairly (see `loops_for`). pyperf reports time per *element*: `inner_loops`
is the number of elements one loop processes (see `Benchmark.elements_per_loop`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mapbench import names
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import families
from mapbench.benchmarks.catalog.families import PREFETCH_SWEEP, PYTHON_MAX_N  # noqa: F401 (re-exported)

QUICK_SIZES = tuple(2 ** e for e in (10, 14, 18, 22))
FULL_SIZES = tuple(2 ** e for e in range(8, 25, 2))

# Views of the family table (benchmarks/catalog/families.py), by family name.
WORK_PER_VALUE = {f.name: f.work_per_value for f in families.FAMILIES}
OP_OF_FAMILY = {f.name: f.op for f in families.FAMILIES}


@dataclass(frozen=True)
class Benchmark:
    """One benchmark of the matrix: what to run and how to name and normalise it."""
    family: str
    n: int
    params: tuple[tuple[str, str], ...] = ()   # (key, value) in name order; flags as (value, "")

    @property
    def name(self) -> str:
        return names.format_name(self.family, self.params, self.n)

    def param(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.params:
            if k == key:
                return v
        return default

    @property
    def elements_per_loop(self) -> int:
        """pyperf inner_loops: elements per loop, so pyperf's value is seconds per element.

        An element is what the family's record says: one map entry (roofline: the
        bucket-array bytes that hold one entry, on average) or one iterator init."""
        if self.record.elements is not None:
            return self.record.elements(self)
        return self.n if self.record.per_entry else 1

    @property
    def loops(self) -> int:
        return loops_for(self.family, self.elements_per_loop)

    @property
    def op(self) -> str:
        return self.record.op

    @property
    def record(self) -> families.Family:
        """The family's record (benchmarks/catalog/families.py)."""
        return families.family(self.family)


def loops_for(family: str, elements_per_loop: int) -> int:
    """The fixed pyperf loop count: WORK_PER_VALUE / elements per loop, as a power of two."""
    want = families.family(family).work_per_value / max(1, elements_per_loop)
    return 1 if want <= 1 else 2 ** math.ceil(math.log2(want))


def build_matrix(best_prefetch: int, full: bool = False) -> list[Benchmark]:
    """Every benchmark of the quick (or --full) suite, in run order."""
    sizes = FULL_SIZES if full else QUICK_SIZES
    out: list[Benchmark] = []
    for n in sizes:
        for fam in families.FAMILIES:
            if fam.max_n is None or n <= fam.max_n:
                out.extend(Benchmark(fam.name, n, params)
                           for params in fam.name_params(n, best_prefetch, full))
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


def parse_name(name: str) -> Benchmark:
    """The Benchmark a name stands for (grammar: mapbench.names); InputError if it is not
    a suite name."""
    parsed = names.parse_name(name)
    if parsed is None or parsed[0] not in families.BY_NAME:
        raise InputError(f"{name!r} is not a mapbench benchmark name "
                         f"(family/param=value/.../n=N)")
    family, params, n = parsed
    return Benchmark(family, n, params)
