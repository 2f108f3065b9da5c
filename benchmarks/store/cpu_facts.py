"""What the machine says of its CPU: the cache hierarchy (sysfs) and the model (/proc).

Read, never assumed: the CPU under this VM changes between sessions. meta.json records
these facts, and the machine id (machine.py) is derived from them.
"""
from __future__ import annotations

import platform
from pathlib import Path

SYS_CACHE = Path("/sys/devices/system/cpu/cpu0/cache")


def parse_size(text: str) -> int:
    """'48K' -> 49152 (the /sys cache `size` format: K, M or G suffix)."""
    text = text.strip()
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
    digits = text[:-1] if scale != 1 else text
    return int(digits) * scale


def read_caches(root: Path = SYS_CACHE) -> list[dict]:
    """The cache hierarchy of cpu0 from sysfs, one dict per level/type; [] if unreadable."""
    caches = []
    for index in sorted(Path(root).glob("index*")):
        def field(name: str) -> str | None:
            try:
                return (index / name).read_text().strip()
            except OSError:
                return None
        level, ctype, size = field("level"), field("type"), field("size")
        if not (level and ctype and size):
            continue
        ways, line = field("ways_of_associativity"), field("coherency_line_size")
        caches.append({
            "level": int(level), "type": ctype, "size_bytes": parse_size(size),
            "ways": int(ways) if ways and ways.isdigit() else None,
            "line_bytes": int(line) if line and line.isdigit() else None,
        })
    return caches


def cache_sizes(caches: list[dict]) -> dict[str, int]:
    """{'L1d', 'L2', 'LLC'} sizes in bytes from `read_caches` output (missing ones left out)."""
    out: dict[str, int] = {}
    data = [c for c in caches if c["type"] in ("Data", "Unified")]
    for c in data:
        if c["level"] == 1:
            out["L1d"] = c["size_bytes"]
        elif c["level"] == 2:
            out["L2"] = c["size_bytes"]
    if data:
        last = max(data, key=lambda c: c["level"])
        if last["level"] >= 2:
            out["LLC"] = last["size_bytes"]
    return out


CPUINFO = Path("/proc/cpuinfo")
# The CPUID features that pick glibc's string/memory routines or change valgrind's decoding
# (the count pass's fingerprint records which of them this CPU has).
ISA_FLAGS = ("sse4_2", "avx", "avx2", "avx512f", "avx512bw", "avx512vl", "bmi2", "erms", "fsrm")


def _cpuinfo_field(name: str, cpuinfo: Path) -> str | None:
    """The value of the first `name` line of /proc/cpuinfo, or None."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.lower().startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    return _cpuinfo_field("model name", cpuinfo) or platform.processor() or "unknown"


def isa_features(cpuinfo: Path = CPUINFO) -> list[str]:
    """Which of ISA_FLAGS this CPU has, in ISA_FLAGS order ([] when unreadable)."""
    have = set((_cpuinfo_field("flags", cpuinfo) or "").split())
    return [f for f in ISA_FLAGS if f in have]
