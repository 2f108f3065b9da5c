"""The benchmark families: one record per family, the only place a family is described.

A family is the first part of a benchmark name (`iterate` in
`iterate/storage=stack/prefetch=0/n=1024`). Its record says everything the suite, the
bench command, the profiling workload and the collectors need to know about it:

  name             the benchmark name's first part (stable: stored runs are matched on it)
  op               what one pyperf loop is (the "op" of allocs/op and bytes/op)
  work_per_value   elements of work per pyperf value; loops = work / elements per loop,
                   rounded up to a power of two (`matrix.loops_for`)
  name_params      the name parameters of its benchmarks at one size: (n, best prefetch
                   distance, --full) -> a list of ((key, value), ...) in name order; a flag
                   is (key, ""). A family that runs on both maps lists the classic map's
                   parameters as before (its names keep meaning the classic map) and the
                   Swiss map's with ("map", "swiss") first (`_on_both_maps`)
  cost             a rough cost model (ns), only for `mapbench bench`'s "estimate left"
  kernel           the C kernel it times: the `native.kernels` function, the workload's
                   `--op` and the op part of a profile name (`iter_init-n16384-...`);
                   None for the Python-layer families, which time a Python loop. It is
                   called by `call_kernel`: its first argument is what kernel_input says,
                   then loops, then those of its keyword parameters that KernelCall names
                   (storage, prefetch, atomic_snapshot, hint, hit, seed, kind)
  kernel_input     what the kernel is given: "map" (the worker's prebuilt n-entry map),
                   "entries" (n: the kernel builds its own maps, untimed) or "map_bytes"
                   (a byte count: in the suite the table bytes of the n-entry map, the
                   classic map's bucket array or the Swiss map's groups)
  kernel_functions regex of the C functions that are the kernel's timed region (cachegrind
                   and callgrind count only these; map set-up runs none of them)
  builds_map       the worker builds the n-entry map once, untimed, and records its shape
  fresh_map        the kernel builds a fresh map per loop or call: no warmup values
  iterator         storage and prefetch are parameters of its workload (they appear in
                   its profile names)
  element          what pyperf's per-element value is per ("map entry", "iterator init");
                   one loop is n map entries, or 1 iterator init
  max_n            the largest n it runs at (None: every size)
  python_loop      the Python-layer families: (bench, worker map, metadata) -> the loop
                   body timed (it may add to the run's metadata)
  elements         (bench) -> elements one loop processes, where that is not n (the
                   shaped traversals: the live entries of the shaped map)
  count_loops      the count pass's loops, where COUNT_WORK / elements would be too many
                   (a range that inserts up to 64n entries per loop)

Invariants: names and kernels are unique; a family has either a kernel or a python_loop;
kernel_input is "map", "entries" or "map_bytes";
table order is the matrix's run order within one size. Adding a family is one record
here plus its kernel (a C kernel in native.kernels, or a python_loop).
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Callable, NamedTuple

from mapbench import names

# The iterator storages of native.kernels (its C enum order; native imports nothing of
# ours, so it keeps its own copy, and tests hold the two equal).
STORAGES = names.STORAGES

# The Python-layer families stop at this n: per-element iteration from Python costs
# 30-150 ns per entry (batched, see native/pyiter.py), set by the interpreter, not by the
# map's size. dict-iterate, their baseline, stops with them.
PYTHON_MAX_N = 2 ** 20
# Prefetch distances (in buckets) swept by --full on stack-storage iteration.
PREFETCH_SWEEP = (1, 2, 4, 8, 16, 32)

MAP_SEED = 0x5EED_0001         # hash seed of every benchmark map (identical in every worker)
KEY_SEED = 1                   # key stream of Map.fill
BATCH_SIZE = 1024              # chunk size of python-iterate/batched

Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Cost:
    """Rough seconds model of one benchmark process, in ns (see run_engine.estimate_seconds)."""
    ns_per_element: float
    build_ns_per_entry: float = 0          # the worker's one untimed map build (and dict)
    loop_build_ns_per_entry: float = 0     # a fresh map built untimed on every loop
    call_build_ns_per_entry: float = 0     # a fresh map built untimed on every kernel call


class KernelCall(NamedTuple):
    """The arguments of one kernel call; the defaults are native.kernels' own."""
    loops: int
    n: int = 0                  # entries (kernel_input "entries") or bytes ("map_bytes")
    map: object = None          # the prebuilt map (kernel_input "map")
    storage: str = "stack"
    prefetch: int | str = 0     # a distance, or "auto" (native.kernels.prefetch_distance)
    atomic_snapshot: bool = False
    hint: bool = False
    hit: bool = True
    seed: int = 1
    kind: str = "classic"       # the map kind of the kernels that build their own maps
    per: int = 1                # iterate-inserting: fresh keys put after each yielded key
    deleted: int = 0            # the shaped traversals: percent of the n keys deleted
    copied: bool = False        # ... and what is left copied into a map made with hint len
    fill: str = "before-grow"   # iterate-load: where the load factor sits


@dataclass(frozen=True)
class Family:
    name: str
    op: str
    work_per_value: int
    name_params: Callable[[int, int, bool], list[Params]]
    cost: Cost
    kernel: str | None = None
    kernel_input: str = "map"
    kernel_functions: str | None = None
    builds_map: bool = False
    fresh_map: bool = False
    iterator: bool = False
    element: str = "map entry"
    max_n: int | None = None
    python_loop: Callable | None = None          # (Benchmark, map or None, meta) -> body()
    elements: Callable | None = None             # (Benchmark) -> elements per loop, if not n
    count_loops: int | None = None

    @property
    def per_entry(self) -> bool:
        """One loop processes n elements (map entries); else one (an iterator init)."""
        return self.element == "map entry"

    @property
    def element_word(self) -> str:
        """The short word for the per-element unit in progress lines ("element", "init")."""
        return "element" if self.per_entry else self.element.split()[-1]


def call_kernel(kernels, fam: Family, call: KernelCall):
    """Run fam's C kernel (a function of `kernels`, i.e. native.kernels) on `call`: the map
    or the size first, as kernel_input says, then loops, then the keyword parameters the
    kernel has, by name, from the call."""
    kernel = getattr(kernels, fam.kernel)
    first = call.map if fam.kernel_input == "map" else call.n
    accepted = inspect.signature(kernel).parameters
    options = {k: v for k, v in call._asdict().items()
               if k in accepted and k not in ("loops", "n", "map")}
    return kernel(first, call.loops, **options)


def call_args(bench) -> dict:
    """KernelCall fields from a benchmark's name parameters (one meaning per key)."""
    prefetch = bench.param("prefetch", "0")
    return {"storage": bench.param("storage", "stack"),
            "prefetch": prefetch if prefetch == "auto" else int(prefetch),
            "atomic_snapshot": bench.param("snapshot") == "atomic",
            "hint": bench.param("hint") == "1",
            "hit": bench.param("miss") is None,
            "kind": map_kind(bench),
            "per": int(bench.param("per", "1")),
            "deleted": int(bench.param("deleted", "0")),
            "copied": bench.param("copied") is not None,
            "fill": bench.param("fill", "before-grow")}


def map_kind(bench) -> str:
    """The map a benchmark runs on: its map= parameter, else the classic map (every name
    from before the Swiss map means the classic one)."""
    return bench.param("map", "classic")


# -- name parameters ----------------------------------------------------------------------

def _none(n: int, best_prefetch: int, full: bool) -> list[Params]:
    return [()]


def _iterate_params(n: int, best_prefetch: int, full: bool) -> list[Params]:
    prefetches = sorted({0, best_prefetch} | (set(PREFETCH_SWEEP) if full else set()))
    # Where the iterator lives is asked without prefetch, prefetch on the stack iterator;
    # the heap and pool iterators with prefetch are --full only (tox -e bench's time budget).
    others = (0, best_prefetch) if full else (0,)
    out = [(("storage", storage), ("prefetch", str(d)))
           for storage in STORAGES for d in (others if storage != "stack" else prefetches)]
    out.append((("storage", "stack"), ("prefetch", "auto")))      # the default, by size
    out.append((("storage", "stack"), ("prefetch", "0"), ("snapshot", "atomic")))
    return out


def _storage_params(n: int, best_prefetch: int, full: bool) -> list[Params]:
    return [(("storage", storage),) for storage in STORAGES]


def _choice(key: str, values: tuple[str, ...]):
    def params(n: int, best_prefetch: int, full: bool) -> list[Params]:
        return [((key, v),) for v in values]
    return params


def _flags(*flags: str):
    def params(n: int, best_prefetch: int, full: bool) -> list[Params]:
        return [((flag, ""),) for flag in flags]
    return params


def _on_both_maps(classic, quick: Callable[[Params], bool] = lambda p: True,
                  quick_max_n: int | None = None):
    """The classic map's parameters, then the same with ("map", "swiss") first, except
    the atomic-snapshot variant (a classic-iterator variant: the Swiss iterator takes no
    snapshot). The quick suite runs the Swiss variants that `quick` keeps, up to
    quick_max_n: `tox -e bench` must stay within 12 minutes, and the classic suite
    alone takes about 8; --full runs them all."""
    def params(n: int, best_prefetch: int, full: bool) -> list[Params]:
        plain = classic(n, best_prefetch, full)
        swiss = [(("map", "swiss"),) + p for p in plain if ("snapshot", "atomic") not in p]
        if not full:
            swiss = [p for p in swiss if quick(p)] if quick_max_n is None or n <= quick_max_n else []
        return plain + swiss
    return params


def _stack_only(p: Params) -> bool:
    """Iterator storage is the classic suite's question; the Swiss quick suite keeps the
    stack iterator without prefetch and with the default, prefetch="auto" (the Swiss
    map's own distance: 64 groups from 2^16 entries, native/src/swiss/swiss.h); the
    classic distance D and the sweep are --full."""
    return dict(p).get("storage", "stack") == "stack" and dict(p).get("prefetch") in (None, "0", "auto")


def _no_hint(p: Params) -> bool:
    """The Swiss quick suite inserts without a hint (hint=1: --full)."""
    return ("hint", "0") in p


# The quick suite's largest n for the Swiss families that build a fresh map per loop:
# at 2^22 each costs 15-35 s of untimed map building over the quick suite's processes.
SWISS_QUICK_FRESH_MAX_N = 2 ** 18


# -- the range-loop questions (issue 27) -----------------------------------------------------

INSERTING_PERS = (1, 2, 4, 8)
DELETED_PCTS = (50, 90, 99)
LOAD_FILLS = ("after-grow", "before-grow")
# The sizes the questions run at: quick keeps one (tox -e bench's 12 minutes), --full more.
# A range that inserts puts up to 64n entries per loop, so it stays small.
INSERTING_SIZES = {"quick": (2 ** 10,), "full": (2 ** 8, 2 ** 10, 2 ** 12, 2 ** 14)}
SHAPED_SIZES = {"quick": (2 ** 14,), "full": (2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22)}
# yields/n of a range that inserts is exact for a seed: the suite's worker records it for
# these seeds (the hash seed, the keys and the random start all follow the seed).
INSERTING_SEEDS = tuple(range(1, 17))


def _maps_explicit(params_of, sizes: dict):
    """params_of(n) on each map, named map=classic and map=swiss (the question families
    name both), at the sizes of the mode."""
    def params(n: int, best_prefetch: int, full: bool) -> list[Params]:
        if n not in sizes["full" if full else "quick"]:
            return []
        return [(("map", kind),) + p for kind in names.MAPS for p in params_of(n)]
    return params


def _inserting_params(n: int) -> list[Params]:
    return [(("per", str(p)),) for p in INSERTING_PERS]


def _after_delete_params(n: int) -> list[Params]:
    return [(("deleted", str(d)),) + copied for d in DELETED_PCTS for copied in ((), (("copied", ""),))]


def _copy_params(n: int) -> list[Params]:
    return [(("deleted", str(d)),) for d in DELETED_PCTS]


def _load_params(n: int) -> list[Params]:
    return [(("fill", f),) for f in LOAD_FILLS]


def _live_after_delete(bench) -> int:
    """Entries left of n after deleting deleted% (the kernels delete n * d // 100 keys)."""
    return bench.n - bench.n * int(bench.param("deleted", "0")) // 100


@functools.lru_cache(maxsize=None)
def _load_live(n: int, fill: str, kind: str) -> int:
    from mapbench.native import kernels
    return kernels.shape_probe(n, fill=fill, seed=MAP_SEED, kind=kind)["live"]


def _live_at_load(bench) -> int:
    """Entries of the load shape (the kernel's own rule, asked of the map: it depends on
    where the tables of this seed grow)."""
    return _load_live(bench.n, bench.param("fill", "before-grow"), map_kind(bench))


def question_sizes(benchmarks) -> dict[str, list[int]]:
    """The sizes the question families ran at, for the Go peers (go_run.question_env)."""
    return {"inserting": sorted({b.n for b in benchmarks if b.family == "iterate-inserting"}),
            "shaped": sorted({b.n for b in benchmarks
                              if b.family in ("iterate-after-delete", "copy-after-delete", "iterate-load")})}


# -- the Python-layer loops -----------------------------------------------------------------

def build_map(n: int, kind: str = "classic"):
    """The benchmark map of n entries: the same seeds in every worker, so every worker
    times an identical map."""
    from mapbench.native import Map
    m = Map(hint=0, seed=MAP_SEED, kind=kind)
    m.fill(n, key_seed=KEY_SEED)
    return m


def _python_iterate_loop(bench, m, meta: dict):
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
    return body


def _dict_iterate_loop(bench, m, meta: dict):
    d = {}
    for keys, values in build_map(bench.n).batches(1 << 16):   # the same entries as our map
        d.update(zip(keys, values))

    def body():
        for k, v in d.items():
            pass
    return body


_ITERATOR_FUNCTIONS = (r"mapiter(init|next\w*|release)|prefetch_for|iter_pool_(get|put)|calibration_spin"
                       r"|swiss_iter_(init|next\w*|release|pool_(get|put))|swiss_prefetch_for|swiss_get_with_key")

# Run order within one size. work_per_value is chosen so a value takes roughly 5-40 ms
# (well above pyperf's 1 ms minimum raw value) whatever n is, and so that at n >= work one
# loop is one value; fixed here, never calibrated: loops must be the same in every run for
# `compare` to be fair. The costs are guesses that the finished benchmarks rescale.
FAMILIES = (
    Family("iterate", "one full traversal of the map", 2 ** 22, _on_both_maps(_iterate_params, _stack_only),
           Cost(ns_per_element=8, build_ns_per_entry=200), kernel="iterate", builds_map=True,
           iterator=True, kernel_functions=rf"^((swiss_)?kernel_iterate|{_ITERATOR_FUNCTIONS})$"),
    Family("roofline", "one sequential read of the bucket-array bytes (Swiss: of its groups)",
           2 ** 22, _on_both_maps(_none),
           Cost(ns_per_element=1, build_ns_per_entry=200, call_build_ns_per_entry=30),
           kernel="roofline", kernel_input="map_bytes", builds_map=True,
           kernel_functions=r"^kernel_roofline$"),
    Family("iterinit", "one iterator init + break", 2 ** 17, _on_both_maps(_storage_params, _stack_only),
           Cost(ns_per_element=60, build_ns_per_entry=200), kernel="iter_init", builds_map=True,
           iterator=True, element="iterator init",
           # mapiterinit calls mapiternext_slow when the start bucket is empty or the map
           # is growing: the init's own work, counted with it (swiss_iter_init: its Next).
           kernel_functions=rf"^((swiss_)?kernel_iter_init|{_ITERATOR_FUNCTIONS})$"),
    Family("iterate-growing", "one full traversal of a map whose grow is half done (Swiss: "
           "during which the table under the iterator grows or splits)", 2 ** 21,
           _on_both_maps(_none, quick_max_n=SWISS_QUICK_FRESH_MAX_N),
           Cost(ns_per_element=12, call_build_ns_per_entry=200), kernel="iterate_growing",
           kernel_input="entries", fresh_map=True, iterator=True,
           kernel_functions=rf"^((swiss_)?kernel_iterate_growing|{_ITERATOR_FUNCTIONS})$"),
    Family("insert", "n inserts into a fresh map", 2 ** 19,
           _on_both_maps(_choice("hint", ("0", "1")), _no_hint, SWISS_QUICK_FRESH_MAX_N),
           Cost(ns_per_element=80, loop_build_ns_per_entry=30), kernel="insert", kernel_input="entries",
           fresh_map=True, kernel_functions=r"^((swiss_)?kernel_insert|mapassign|hash64|evacuate|growWork"
                                            r"|hashGrow|swiss_(put|table_\w+|grow_to_table|unchecked_put_slot))"),
    Family("lookup", "n lookups", 2 ** 20, _on_both_maps(_flags("hit", "miss")),
           Cost(ns_per_element=40, build_ns_per_entry=250), kernel="lookup", builds_map=True,
           kernel_functions=r"^((swiss_)?kernel_lookup|mapaccess|swiss_get)"),
    Family("delete", "deleting all n keys of a prebuilt map", 2 ** 19,
           _on_both_maps(_none, quick_max_n=SWISS_QUICK_FRESH_MAX_N),
           Cost(ns_per_element=60, loop_build_ns_per_entry=200), kernel="delete", kernel_input="entries",
           fresh_map=True, kernel_functions=r"^((swiss_)?kernel_delete|mapdelete|swiss_delete)"),
    Family("iterate-inserting", "a range over a fresh map of n keys that puts per fresh keys after "
           "each key it yields, to its end or to the cap of 64n entries (timed per starting entry)",
           2 ** 12, _maps_explicit(_inserting_params, INSERTING_SIZES),
           Cost(ns_per_element=400, loop_build_ns_per_entry=100), kernel="iterate_inserting",
           kernel_input="entries", fresh_map=True, count_loops=1,
           kernel_functions=r"^((swiss_)?kernel_iterate_inserting|range_inserting|mapassign|mapiter(init|next\w*|release)"
                            r"|hash64|evacuate|growWork|hashGrow|hash_grow|newoverflow"
                            r"|swiss_(put|iter_(init|next\w*|release)|table_\w+|grow_to_table|unchecked_put_slot))$"),
    Family("iterate-after-delete", "one full traversal of a map of n keys after deleting deleted% of them "
           "(copied: of the copy Go's advice makes; timed per live entry)",
           2 ** 18, _maps_explicit(_after_delete_params, SHAPED_SIZES),
           Cost(ns_per_element=20, call_build_ns_per_entry=300), kernel="iterate_after_delete",
           kernel_input="entries", elements=_live_after_delete, max_n=2 ** 22,
           kernel_functions=rf"^((swiss_)?kernel_iterate_(after_delete|shaped)|{_ITERATOR_FUNCTIONS})$"),
    Family("copy-after-delete", "make(map, len(m)) and a range that puts every entry of the map "
           "after the deletes (Go's way to shrink a map; timed per entry copied)",
           2 ** 18, _maps_explicit(_copy_params, SHAPED_SIZES),
           Cost(ns_per_element=80, call_build_ns_per_entry=300), kernel="copy_after_delete",
           kernel_input="entries", elements=_live_after_delete, max_n=2 ** 22,
           kernel_functions=r"^((swiss_)?kernel_copy_(after_delete|shaped)|mapassign|mapiter(init|next\w*|release)"
                            r"|makemap|hash64|swiss_(new|put|iter_(init|next\w*|release)|table_\w+"
                            r"|unchecked_put_slot))$"),
    Family("iterate-load", "one full traversal of the map filled to just after its last grow at or "
           "before n, or just before its first grow past n (timed per entry)",
           2 ** 20, _maps_explicit(_load_params, SHAPED_SIZES),
           Cost(ns_per_element=10, call_build_ns_per_entry=400), kernel="iterate_load",
           kernel_input="entries", elements=_live_at_load, max_n=2 ** 22,
           kernel_functions=rf"^((swiss_)?kernel_iterate_(load|shaped)|{_ITERATOR_FUNCTIONS})$"),
    Family("python-iterate", "one full traversal from Python", 2 ** 17, _flags("items", "batched"),
           Cost(ns_per_element=100, build_ns_per_entry=200),
           builds_map=True, max_n=PYTHON_MAX_N, python_loop=_python_iterate_loop),
    Family("dict-iterate", "one full traversal of a CPython dict", 2 ** 19, _none,
           Cost(ns_per_element=40, build_ns_per_entry=500),
           max_n=PYTHON_MAX_N, python_loop=_dict_iterate_loop),
)

BY_NAME = {f.name: f for f in FAMILIES}
BY_KERNEL = {f.kernel: f for f in FAMILIES if f.kernel}
# The workload's --op choices: every C kernel, in table order.
KERNELS = tuple(BY_KERNEL)


def family(name: str) -> Family:
    """The record of a family name (KeyError if there is none)."""
    return BY_NAME[name]


def of_kernel(kernel: str) -> Family | None:
    """The record whose C kernel (workload --op) this is, or None."""
    return BY_KERNEL.get(kernel)
