"""Timed C kernels: one FFI call per batch of ``loops`` repetitions.

Time is measured in C with clock_gettime(CLOCK_MONOTONIC) around the timed region
only; setup (building a fresh map, collecting keys) is outside it. Each kernel returns
a KernelResult; ns/element = seconds * 1e9 / elements; allocs and alloc_bytes come from
the counting allocator during the timed region (this thread only).

Every kernel runs on either kind of map: those that take a Map follow its kind, those
that build their own maps take ``kind="classic"`` or ``kind="swiss"``.
"""

import os
from typing import NamedTuple

from ._ffi import as_u64, check, lib
from .backends import backend

STORAGES = ("stack", "heap", "pool")
SLOWDOWN_ENV = "MAPBENCH_INJECT_SLOWDOWN_PCT"
WORK_ENV = "MAPBENCH_INJECT_WORK_PCT"


class KernelResult(NamedTuple):
    seconds: float
    elements: int
    checksum: int
    allocs: int
    alloc_bytes: int

    @property
    def ns_per_element(self):
        return self.seconds * 1e9 / self.elements if self.elements else float("nan")


def _storage(storage):
    try:
        return STORAGES.index(storage)
    except ValueError:
        raise ValueError("storage must be one of %s, not %r" % (", ".join(STORAGES), storage)) from None


def prefetch_distance(prefetch):
    """The native prefetch argument: a distance in [0, 65534] (0: off) in buckets (classic
    map) or groups (Swiss map), or "auto" (PREFETCH_AUTO): by size, the classic map 16
    buckets when its bucket array has at least 64 MiB, the Swiss map 64 groups from 2^16
    entries, else off; measured, see native/src/classic/map.h, native/src/swiss/swiss.h
    and docs/speed-of-the-map.md)."""
    if prefetch == "auto":
        return lib.PREFETCH_AUTO
    if isinstance(prefetch, bool) or not isinstance(prefetch, int):
        raise ValueError('prefetch must be "auto" or a bucket distance in [0, 65534]')
    if not 0 <= prefetch < lib.PREFETCH_AUTO:
        raise ValueError('prefetch must be "auto" or a bucket distance in [0, 65534]')
    return prefetch


def auto_prefetch(m):
    """The distance prefetch="auto" picks for the map m as it is now (either kind)."""
    with m._lock:
        return m._native.auto_prefetch(m._h)


def swiss_auto_distance(n):
    """The distance prefetch="auto" picks for a Swiss map of n entries (0: off)."""
    return lib.swiss_prefetch_for(as_u64(n, "n"))


_prefetch = prefetch_distance


def _loops(loops):
    loops = as_u64(loops, "loops")
    if loops < 1:
        raise ValueError("loops must be at least 1")
    return loops


def _result(r):
    check(r.error)
    return KernelResult(r.seconds, r.elements, r.checksum, r.allocs, r.alloc_bytes)


def _swiss(kind):
    return backend(kind).kind == "swiss"


def iterate(m, loops, storage="stack", prefetch=0, atomic_snapshot=False):
    """``loops`` full traversals of m (iterator init + next to the end)."""
    loops, st, pf = _loops(loops), _storage(storage), _prefetch(prefetch)
    if m.kind == "swiss":
        if atomic_snapshot:
            raise ValueError("atomic_snapshot is a classic-iterator variant")
        with m._lock:
            return _result(lib.swiss_kernel_iterate(m._h, loops, st, pf))
    with m._lock:
        return _result(lib.kernel_iterate(m._h, loops, st, pf, bool(atomic_snapshot)))


def iter_init(m, loops, storage="stack"):
    """``loops`` times: get an iterator, init it (which finds the first entry), break."""
    loops, st = _loops(loops), _storage(storage)
    run = lib.swiss_kernel_iter_init if m.kind == "swiss" else lib.kernel_iter_init
    with m._lock:
        return _result(run(m._h, loops, st))


def iterate_growing(n, loops, storage="stack", prefetch=0, seed=1, kind="classic"):
    """Full traversals of an n-entry map while it grows. Classic: a map whose doubling
    grow is half done (built untimed; iteration never evacuates, so every loop sees the
    same half-done grow). Swiss: per loop a fresh map (untimed) whose table under the
    iterator is made to grow or split halfway through (the inserts untimed), so the
    rest of that table is walked stale, with a lookup per entry; elements and checksum
    count the n original entries only (the inserted ones may or may not come back)."""
    run = lib.swiss_kernel_iterate_growing if _swiss(kind) else lib.kernel_iterate_growing
    return _result(run(as_u64(n, "n"), _loops(loops), _storage(storage), _prefetch(prefetch),
                       as_u64(seed, "seed")))


def insert(n, loops, hint=False, seed=1, kind="classic"):
    """n inserts into a fresh map (made untimed, with hint n if hint), per loop."""
    run = lib.swiss_kernel_insert if _swiss(kind) else lib.kernel_insert
    return _result(run(as_u64(n, "n"), _loops(loops), bool(hint), as_u64(seed, "seed")))


def lookup(m, loops, hit=True):
    """len(m) lookups per loop in a shuffled order: keys of m (hit) or absent keys (miss)."""
    loops = _loops(loops)
    run = lib.swiss_kernel_lookup if m.kind == "swiss" else lib.kernel_lookup
    with m._lock:
        return _result(run(m._h, loops, bool(hit)))


def delete(n, loops, seed=1, kind="classic"):
    """Delete all n keys of a map built untimed, per loop."""
    run = lib.swiss_kernel_delete if _swiss(kind) else lib.kernel_delete
    return _result(run(as_u64(n, "n"), _loops(loops), as_u64(seed, "seed")))


# -- the range-loop questions (range_kernels.c of each map) -----------------------------

# A range that inserts stops at CAP_FACTOR * n entries: "did not end within the cap".
CAP_FACTOR = 64
# Shapes of the shaped traversals (common.h's SHAPE_* enum).
SHAPES = {"deleted": 0, "copied": 1, "before-grow": 2, "after-grow": 3}
LOAD_FILLS = ("after-grow", "before-grow")


class InsertingRun(NamedTuple):
    yields: int      # entries the range produced
    entries: int     # len(m) when it stopped
    ended: bool      # False: stopped at the cap
    cap: int         # the cap of entries
    n: int           # entries before the range

    @property
    def yields_per_n(self):
        return self.yields / self.n


def _per(per):
    if isinstance(per, bool) or not isinstance(per, int) or not 1 <= per <= 1024:
        raise ValueError("per must be an int in [1, 1024], not %r" % (per,))
    return per


def _cap(n, cap_factor):
    if isinstance(cap_factor, bool) or not isinstance(cap_factor, int) or not 1 <= cap_factor <= 4096:
        raise ValueError("cap_factor must be an int in [1, 4096], not %r" % (cap_factor,))
    return n * cap_factor


def _n(n):
    n = as_u64(n, "n")
    if not 1 <= n <= 1 << 26:
        raise ValueError("n must be in [1, 2^26], not %d" % n)
    return n


def range_inserting(n, per, cap_factor=CAP_FACTOR, seed=1, kind="classic"):
    """One range over a fresh map of n keys (the hash seed, keys and random start all fixed
    by seed) that puts `per` fresh keys after each key it yields, stopped once another
    `per` would pass cap_factor * n entries: an InsertingRun (ended False at the cap)."""
    n, per = _n(n), _per(per)
    cap = _cap(n, cap_factor)
    run = (lib.swiss_range_inserting if _swiss(kind) else lib.map_range_inserting)(
        n, per, cap, as_u64(seed, "seed"))
    check(run.error)
    return InsertingRun(run.yields, run.entries, bool(run.ended), cap, n)


def iterate_inserting(n, loops, per=1, cap_factor=CAP_FACTOR, seed=1, kind="classic"):
    """Per loop the range_inserting loop (the map built untimed, the range and its inserts
    timed): elements count the n starting entries per loop, checksum adds up the yields."""
    n, per = _n(n), _per(per)
    run = lib.swiss_kernel_iterate_inserting if _swiss(kind) else lib.kernel_iterate_inserting
    return _result(run(n, _loops(loops), per, _cap(n, cap_factor), as_u64(seed, "seed")))


def _shape(deleted, copied, fill):
    if fill is not None:
        if fill not in LOAD_FILLS:
            raise ValueError("fill must be one of %s, not %r" % (", ".join(LOAD_FILLS), fill))
        return SHAPES[fill], 0
    if isinstance(deleted, bool) or not isinstance(deleted, int) or not 0 <= deleted <= 100:
        raise ValueError("deleted must be a percentage in [0, 100], not %r" % (deleted,))
    return SHAPES["copied" if copied else "deleted"], deleted


def shape_probe(n, deleted=0, copied=False, fill=None, seed=1, kind="classic"):
    """The shaped map a shaped kernel walks, built and measured: {"live": entries,
    "walk_bytes": bytes a full traversal walks, "units": buckets or groups, "overflow":
    overflow buckets (classic), "tombstones": (Swiss)}. fill ("after-grow",
    "before-grow") picks a load shape, else `deleted` percent of n are deleted (and the
    rest copied into a new map made with hint len, if copied)."""
    shape, arg = _shape(deleted, copied, fill)
    s = (lib.swiss_shape_probe if _swiss(kind) else lib.map_shape_probe)(_n(n), shape, arg, as_u64(seed, "seed"))
    check(s.error)
    extra = "tombstones" if _swiss(kind) else "overflow"
    return {"live": s.live, "walk_bytes": s.walk_bytes, "units": s.units, extra: s.extra}


def iterate_shaped(n, loops, deleted=0, copied=False, fill=None, seed=1, kind="classic"):
    """``loops`` full traversals (stack iterator, no prefetch: Go's range) of the shaped
    map of shape_probe, built untimed once per call; elements: live entries per loop."""
    shape, arg = _shape(deleted, copied, fill)
    run = lib.swiss_kernel_iterate_shaped if _swiss(kind) else lib.kernel_iterate_shaped
    return _result(run(_n(n), _loops(loops), shape, arg, as_u64(seed, "seed")))


def copy_shaped(n, loops, deleted=0, fill=None, seed=1, kind="classic"):
    """``loops`` copies of the shaped map (built untimed once per call) into a map made
    with hint len(m), Go's make + range + put; elements: entries copied."""
    shape, arg = _shape(deleted, False, fill)
    run = lib.swiss_kernel_copy_shaped if _swiss(kind) else lib.kernel_copy_shaped
    return _result(run(_n(n), _loops(loops), shape, arg, as_u64(seed, "seed")))


def iterate_after_delete(n, loops, deleted=50, copied=False, seed=1, kind="classic"):
    """iterate_shaped of a map of n keys after deleting `deleted` percent (copied: of the
    copy made with hint len, Go's way to shrink a map)."""
    _shape(deleted, copied, None)
    run = lib.swiss_kernel_iterate_after_delete if _swiss(kind) else lib.kernel_iterate_after_delete
    return _result(run(_n(n), _loops(loops), deleted, bool(copied), as_u64(seed, "seed")))


def copy_after_delete(n, loops, deleted=50, seed=1, kind="classic"):
    """copy_shaped of a map of n keys after deleting `deleted` percent."""
    _shape(deleted, False, None)
    run = lib.swiss_kernel_copy_after_delete if _swiss(kind) else lib.kernel_copy_after_delete
    return _result(run(_n(n), _loops(loops), deleted, as_u64(seed, "seed")))


def iterate_load(n, loops, fill="before-grow", seed=1, kind="classic"):
    """iterate_shaped of the map filled to just after its last grow at or before n
    (fill="after-grow") or just before its first grow past n ("before-grow")."""
    _shape(0, False, fill)
    run = lib.swiss_kernel_iterate_load if _swiss(kind) else lib.kernel_iterate_load
    return _result(run(_n(n), _loops(loops), fill == "before-grow", as_u64(seed, "seed")))


def roofline(nbytes, loops):
    """Sequential 8-byte reads over nbytes (elements = nbytes // 8 per loop)."""
    return _result(lib.kernel_roofline(as_u64(nbytes, "nbytes"), _loops(loops)))


def _read_pct_env(name):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return 0
    try:
        pct = int(raw)
    except ValueError:
        raise ValueError("%s must be an integer percentage, not %r" % (name, raw)) from None
    if not 0 <= pct <= 100000:
        raise ValueError("%s must be in [0, 100000], not %d" % (name, pct))
    return pct


def set_inject_slowdown_pct(pct):
    """Set the calibration slowdown (percent of measured loop time spent in
    calibration_spin inside the iteration kernels' timed region)."""
    lib.set_inject_slowdown_pct(int(pct))


def set_inject_work_pct(pct):
    """Set the calibration work (the iteration kernels traverse ceil(count * pct / 100) more
    entries per loop, iterinit does ceil(loops * pct / 100) more inits, inside the timed
    region: more instructions and memory reads per element, for the counted comparison)."""
    lib.set_inject_work_pct(int(pct))


set_inject_slowdown_pct(_read_pct_env(SLOWDOWN_ENV))
set_inject_work_pct(_read_pct_env(WORK_ENV))
