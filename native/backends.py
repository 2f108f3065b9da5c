"""The native functions behind each kind of map, so that ``Map``, its iterators and the
kernels speak to the classic Go 1.19 map and the Go 1.24 Swiss map through one table.

    classic  native/src/classic: buckets of 8, overflow chains, incremental evacuation
    swiss    native/src/swiss: groups of 8 with control bytes, tables of at most 1024
             slots behind an extendible-hashing directory (see swiss/swiss.h)
"""

from typing import Callable, NamedTuple

from ._ffi import as_u64, ffi, lib

KINDS = ("classic", "swiss")


class Backend(NamedTuple):
    kind: str
    new: Callable          # (hint, seed or None) -> native pointer or NULL
    destroy: Callable
    get: Callable          # (h, key, out) -> 1 found, 0 absent, <0 error
    put: Callable
    delete: Callable
    fill: Callable
    set_writing: Callable
    stats: Callable        # (h) -> dict
    count: Callable        # (h) -> entries, O(1)
    iter_type: str         # the cffi type of a native iterator
    iter_init: Callable    # (it, h, prefetch, atomic_snapshot) -> error code
    iter_batch: Callable
    iter_fill: Callable    # native/pyiter.py's batches: fill after saving, rewind
    iter_rewind: Callable
    iter_release: Callable
    auto_prefetch: Callable  # (h) -> the distance prefetch="auto" picks for the map now
    check_invariants: Callable  # (h, why, why_len) -> 0, or the broken invariant's number
    debug_corrupt: Callable     # (h, what: bytes) -> 0, or -1 (test hook, check.c)

    @property
    def iter_pair_type(self) -> str:
        """The cffi type of [live, saved] iterators (native/pyiter.py)."""
        return self.iter_type.rstrip(" *") + "[2]"


def _classic_new(hint, seed):
    if seed is None:
        return lib.makemap(hint, 0, True)
    return lib.makemap(hint, as_u64(seed, "seed") & 0xFFFFFFFF, False)  # Go's hash0: 32 bits


def _classic_stats(h):
    s = lib.map_get_stats(h)
    return {
        "kind": "classic",
        "count": s.count,
        "B": s.B,
        "noverflow": s.noverflow,
        "growing": bool(s.growing),
        "same_size_grow": bool(s.same_size_grow),
        "nevacuate": s.nevacuate,
        "buckets": s.buckets,
        "oldbuckets": s.oldbuckets,
        "bucket_bytes": s.bucket_bytes,
        "array_bytes": s.array_bytes,
        "overflow_malloced": s.overflow_malloced,
        "flags": s.flags,
        "hash0": s.hash0,
    }


def _swiss_new(hint, seed):
    if seed is None:
        return lib.swiss_new(hint, 0, True)
    return lib.swiss_new(hint, as_u64(seed, "seed"), False)  # Go's Map.seed: a uintptr


def _swiss_stats(h):
    s = lib.swiss_get_stats(h)
    return {
        "kind": "swiss",
        "count": s.count,
        "small": bool(s.small),
        "tables": s.tables,
        "global_depth": s.global_depth,
        "dir_len": s.dir_len,
        "groups": s.groups,
        "capacity": s.capacity,
        "tombstones": s.tombstones,
        "growth_left": s.growth_left,
        "min_growth_left": s.min_growth_left,
        "group_bytes": s.group_bytes,
        "grew_while_iterating": bool(s.grew_while_iterating),
        "live_iterators": s.live_iterators,
        "seed": s.seed,
    }


def _swiss_iter_init(it, h, prefetch, atomic_snapshot):
    return lib.swiss_iter_init(it, h, prefetch)


def _classic_count(h):
    return lib.map_get_stats(h).count


def _classic_auto_prefetch(h):
    return lib.prefetch_for(lib.map_get_stats(h).B)      # by the bucket array's size


def _swiss_auto_prefetch(h):
    return lib.swiss_prefetch_for(lib.swiss_len(h))      # by the number of entries


CLASSIC = Backend("classic", _classic_new, lib.map_destroy, lib.mapaccess, lib.mapassign,
                  lib.mapdelete, lib.map_fill, lib.map_debug_set_writing, _classic_stats,
                  _classic_count, "hiter *", lib.mapiterinit, lib.mapiter_batch,
                  lib.mapiter_fill, lib.mapiter_rewind, lib.mapiterrelease, _classic_auto_prefetch,
                  lib.map_check_invariants, lib.map_debug_corrupt)
SWISS = Backend("swiss", _swiss_new, lib.swiss_destroy, lib.swiss_get, lib.swiss_put,
                lib.swiss_delete, lib.swiss_fill, lib.swiss_debug_set_writing, _swiss_stats,
                lib.swiss_len, "swiss_iter *", _swiss_iter_init, lib.swiss_iter_batch,
                lib.swiss_iter_fill, lib.swiss_iter_rewind, lib.swiss_iter_release, _swiss_auto_prefetch,
                lib.swiss_check_invariants, lib.swiss_debug_corrupt)
BACKENDS = {"classic": CLASSIC, "swiss": SWISS}


def backend(kind):
    """The Backend of a map kind; ValueError for anything else."""
    try:
        return BACKENDS[kind]
    except (KeyError, TypeError):
        raise ValueError("kind must be one of %s, not %r" % (", ".join(KINDS), kind)) from None


__all__ = ["KINDS", "Backend", "backend", "ffi"]
