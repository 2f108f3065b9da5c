"""native: the systems under test, C11 reimplementations of Go's hash maps
(uint64 -> uint64) and their iterators: Go 1.19's classic map and Go 1.24's Swiss table
(``Map(kind="swiss")``), built with cffi in API mode, with timed C kernels.

    from mapbench.native import Map, KINDS, kernels, layout, build_info, alloc_totals, STORAGES

Map.check_invariants() checks a map's numbered invariants in native code and raises
InvariantViolation (an AssertionError) naming the first that broke.

See native/src/classic/map.h and native/src/swiss/swiss.h for the data structures and
their memory invariants.
"""

from . import count_region, kernels
from ._ffi import InvariantViolation
from .backends import KINDS
from .hashmap import Map
from .introspect import alloc_totals, build_info, hash64, layout, seed_fastrand
from .kernels import STORAGES, KernelResult

__all__ = ["Map", "KINDS", "InvariantViolation", "kernels", "count_region", "KernelResult", "STORAGES", "layout", "build_info",
           "alloc_totals", "hash64", "seed_fastrand"]
