"""What a count depends on besides the code: the fingerprint in counts.json.

callgrind counts do not depend on load, but they do depend on what runs them. Two runs'
counts compare across machines only when these agree:
  compiler, cflags   the native module's build (mapbench.native.build_info)
  valgrind           the simulator's version
  cache_model        the simulated geometry (the count pass's pinned model)
  python             the interpreter (its allocator and calls sit around the region)
  isa                the CPU features glibc and valgrind may dispatch on (memset/memcpy
                     variants by CPUID): the subset of /proc/cpuinfo's flags in cpu_facts.ISA_FLAGS
On one machine the fingerprint is not checked: a commit that changes the flags is exactly
what a comparison of two commits is for.
"""
from __future__ import annotations

import platform

from mapbench.benchmarks.store import cpu_facts, meta


def fingerprint(valgrind_version: str, cache_model: dict) -> dict:
    """The fingerprint of counts made here, now."""
    build = meta.build_info()                 # {"error": ...} when the module is not built
    return {"compiler": build.get("compiler") or f"unknown ({build.get('error')})",
            "cflags": list(build.get("cflags") or []),
            "valgrind": valgrind_version, "cache_model": dict(cache_model),
            "python": platform.python_version(), "isa": cpu_facts.isa_features()}


def difference(base: dict | None, head: dict | None) -> str | None:
    """None when two fingerprints agree, else the first field that differs, in words."""
    if not base or not head:
        missing = "BASE" if not base else "HEAD"
        return f"{missing}'s counts.json records no fingerprint (counted before fingerprints)"
    for field in ("compiler", "cflags", "valgrind", "cache_model", "python", "isa"):
        if base.get(field) != head.get(field):
            return f"{field} differs ({base.get(field)} vs {head.get(field)})"
    return None
