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
