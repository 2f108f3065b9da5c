"""Benchmark names: the one grammar every room reads and writes (the ground floor).

A benchmark's name is `family/param=value/.../n=N`: the family (`iterate`, `roofline`, ...),
then its parameters in a fixed order (a flag without a value is just `key`), then the size.
Tools outside the suite (compare, history, report, calibrate, benchstat exports) match on
these names, so the grammar is an interface:

    iterate/storage=stack/prefetch=0/n=1024
    iterate/map=swiss/storage=stack/prefetch=auto/n=4194304   (map= right after the family;
                                                               no map= means the classic map)
    roofline/n=16384

Invariants: `format_name(*parse_name(s)) == s` for every name this module accepts; a size
is a positive integer; labels of sizes are `2^k` for powers of two, the number otherwise.
This module imports nothing of ours: `mapbench.analysis` and `mapbench.benchmarks` both
build on it. (native/ keeps its own STORAGES, the C API's; a test holds the two equal.)
"""
from __future__ import annotations

import re

NAME_RE = re.compile(r"^(?P<family>[a-z-]+)(?P<params>(/[^/]+)*)/n=(?P<n>\d+)$")

STORAGES = ("stack", "heap", "pool")        # the iterator storages, in the tables' order
MAPS = ("classic", "swiss")                 # map= values; classic is the unnamed default
DEFAULT_MAP = "classic"
AUTO_PREFETCH = "auto"                      # prefetch=auto: the iterator picks by size


def parse_name(name: str) -> tuple[str, tuple[tuple[str, str], ...], int] | None:
    """(family, ((key, value), ...) in name order, n), or None if `name` is not a suite name."""
    match = NAME_RE.match(name)
    if not match or int(match["n"]) <= 0:
        return None
    params = []
    for part in match["params"].split("/")[1:]:
        key, _, value = part.partition("=")
        params.append((key, value))
    return match["family"], tuple(params), int(match["n"])


def format_name(family: str, params, n: int) -> str:
    """The name of (family, params, n); params are (key, value) pairs, value "" for a flag."""
    parts = [family, *(f"{k}={v}" if v != "" else k for k, v in params), f"n={n}"]
    return "/".join(parts)


def map_of(params) -> str:
    """Which map a benchmark ran on: its map= parameter, else the classic map."""
    return dict(params).get("map", DEFAULT_MAP)


def iterate_name(storage: str, prefetch, n: int, *, atomic: bool = False, map_kind: str = DEFAULT_MAP) -> str:
    """The full-iteration benchmark of (storage, prefetch distance or "auto", n)."""
    params = [] if map_kind == DEFAULT_MAP else [("map", map_kind)]
    params += [("storage", storage), ("prefetch", str(prefetch))]
    if atomic:
        params.append(("snapshot", "atomic"))
    return format_name("iterate", params, n)


def roofline_name(n: int, *, map_kind: str = DEFAULT_MAP) -> str:
    """The sequential read of the same bytes as the map of n entries."""
    return format_name("roofline", [] if map_kind == DEFAULT_MAP else [("map", map_kind)], n)


def size_label(n: int) -> str:
    """`2^k` for a power of two, else the number: how every table and plot names a size."""
    return f"2^{n.bit_length() - 1}" if n > 0 and n & (n - 1) == 0 else str(n)


def size_column(n: int) -> str:
    """A size as a table column: `n=2^k` (or `n=N`)."""
    return f"n={size_label(n)}"
