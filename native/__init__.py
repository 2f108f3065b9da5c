"""native: the system under test, a C11 reimplementation of Go 1.19's hash map
(uint64 -> uint64) and its iterator, built with cffi in API mode, with timed C kernels.

    from mapbench.native import Map, kernels, layout, build_info, alloc_totals, STORAGES

See native/src/classic/map.h for the data structure and its memory invariants.
"""

from . import count_region, kernels
from .hashmap import Map
from .introspect import alloc_totals, build_info, hash64, layout, seed_fastrand
from .kernels import STORAGES, KernelResult

__all__ = ["Map", "kernels", "count_region", "KernelResult", "STORAGES", "layout", "build_info",
           "alloc_totals", "hash64", "seed_fastrand"]
