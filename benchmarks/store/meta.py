"""meta.json: what machine, code and tools produced a run folder.

Fields (all written by `collect_meta`; `counters` and `bench` are updated later):
  schema, commit, dirty, run_name, date (UTC ISO 8601), hostname,
  machine: {id, source} (benchmarks/store/machine.py; the run folder is named by it),
  cpu: {model, logical_cpus}, caches: [{level, type, size_bytes, ways, line_bytes}],
  cache_sizes: {L1d, L2, LLC} in bytes,
  build: native.build_info() (compiler, cflags, sanitized) or {"error": ...},
  python: {version, implementation, executable}, packages: {pyperf, cffi, matplotlib, ...},
  tools: {perf, valgrind, py-spy, go, gcc}: first line of `--version`, or null if absent,
  pyperf_metadata: `python -m pyperf collect_metadata` as a dict, pyperf_system: `pyperf system show`,
  counters: which hardware counters were available -- filled by the profiling step;
            kept as found when meta.json is rewritten (null until then),
  bench: the newest benchmark pass (mode, pyperf settings, planned/done/failed, status),
  passes: every pass whose results bench.json still holds, by pass id
          (benchmarks/store/passes.py); kept as found when meta.json is rewritten.
"""
from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.benchmarks.store import machine
from mapbench.benchmarks.store.cpu_facts import (  # noqa: F401 (meta.json's readers)
    SYS_CACHE, cache_sizes, cpu_model, parse_size, read_caches)
from mapbench.benchmarks.store import run_folder

SCHEMA = 1
PACKAGES = ("pyperf", "cffi", "matplotlib", "scipy", "protobuf", "py-spy", "pyinstrument")
TOOLS = {                       # tool -> command printing its version
    "perf": ["perf", "--version"],
    "valgrind": ["valgrind", "--version"],
    "py-spy": ["py-spy", "--version"],
    "go": ["go", "version"],
    "gcc": ["gcc", "--version"],
}
PRESERVED = ("counters", "passes")      # fields other steps own: a rewrite keeps them


def _first_line(cmd: list[str]) -> str | None:
    # Tools installed in this Python's environment (py-spy) may not be on PATH.
    exe = shutil.which(cmd[0]) or shutil.which(cmd[0], path=os.path.dirname(sys.executable))
    if exe is None:
        return None
    cmd = [exe, *cmd[1:]]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (result.stdout or result.stderr).strip()
    return text.splitlines()[0] if result.returncode == 0 and text else None


def tool_versions() -> dict[str, str | None]:
    return {name: _first_line(cmd) for name, cmd in TOOLS.items()}


def package_versions() -> dict[str, str | None]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def pyperf_metadata() -> dict[str, str]:
    """`python -m pyperf collect_metadata` (pyperf's own system facts) as a dict."""
    result = subprocess.run([sys.executable, "-m", "pyperf", "collect_metadata"],
                            capture_output=True, text=True, timeout=60)
    out = {}
    for line in result.stdout.splitlines():
        if line.startswith("- ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            out[key.strip()] = value.strip()
    return out


def pyperf_system() -> list[str]:
    """`python -m pyperf system show`: how tuned the system is, as pyperf sees it."""
    result = subprocess.run([sys.executable, "-m", "pyperf", "system", "show"],
                            capture_output=True, text=True, timeout=60)
    return [line for line in result.stdout.splitlines() if line.strip()]


def build_info() -> dict:
    try:
        from mapbench import native
        return dict(native.build_info())
    except Exception as exc:        # the native module not built: say so, do not fail
        return {"error": f"{type(exc).__name__}: {exc}"}


def native_layout() -> dict:
    """Sizes and field offsets of hmap, bmap and hiter as this build laid them out."""
    try:
        from mapbench import native
        return dict(native.layout())
    except Exception as exc:        # the native module not built: say so, do not fail
        return {"error": f"{type(exc).__name__}: {exc}"}


def collect_meta(revision, *, bench: dict | None = None) -> dict:
    """Everything meta.json records about this machine, checkout and toolchain."""
    caches = read_caches()
    return {
        "schema": SCHEMA,
        "commit": revision.commit,
        "dirty": revision.dirty,
        "run_name": revision.run_name,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "hostname": socket.gethostname(),
        "machine": machine.this_machine(),
        "cpu": {"model": cpu_model(), "logical_cpus": os.cpu_count()},
        "caches": caches,
        "cache_sizes": cache_sizes(caches),
        "build": build_info(),
        "layout": native_layout(),
        "python": {"version": platform.python_version(),
                   "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "packages": package_versions(),
        "tools": tool_versions(),
        "pyperf_metadata": pyperf_metadata(),
        "pyperf_system": pyperf_system(),
        "counters": None,
        "bench": bench,
    }


def read_meta(run_dir: str | os.PathLike) -> dict | None:
    path = Path(run_dir) / run_folder.META
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:
        return None                 # a damaged meta.json is replaced, not trusted


def write_meta(run_dir: str | os.PathLike, meta: dict) -> Path:
    """Write meta.json atomically, keeping the fields other steps own (PRESERVED)."""
    old = read_meta(run_dir) or {}
    merged = dict(meta)
    for key in PRESERVED:
        if old.get(key) is not None and merged.get(key) is None:
            merged[key] = old[key]
    return write_atomic(Path(run_dir) / run_folder.META, json.dumps(merged, indent=2, sort_keys=True) + "\n")


def update_meta(run_dir: str | os.PathLike, **fields) -> dict:
    """Set top-level fields of an existing meta.json (atomically)."""
    meta = read_meta(run_dir) or {}
    meta.update(fields)
    write_atomic(Path(run_dir) / run_folder.META, json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return meta
