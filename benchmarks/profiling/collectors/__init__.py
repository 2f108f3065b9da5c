"""Collectors: one module per profiling tool, each running the workload process under its tool.

Every collector has the same shape: `available(binary)` says whether the tool exists and works
here (None, or one clear line why not); a run function takes a workload configuration and an
output folder, keeps the tool's raw output under `raw/`, and returns a `Capture` with the paths
and a `source` line saying what produced the numbers. A missing tool, a denied ptrace or
unsupported counters give `Capture(ok=False, message=...)`, never an exception: the caller
prints the line, uses the stated fallback and goes on.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path



@dataclass
class Capture:
    tool: str
    ok: bool
    source: str = ""                              # what produced the numbers, in words
    files: dict[str, Path] = field(default_factory=dict)   # raw outputs kept, by kind
    message: str = ""                             # one line: why not ok / what fell back
    workload: dict | None = None                  # the workload's own JSON report
    data: object = None                           # parsed result (stacks, rows, profile)


def find_tool(binary: str) -> str | None:
    """Absolute path of `binary` (a name looked up on PATH, or a path), or None."""
    if os.sep in binary:
        return binary if os.access(binary, os.X_OK) else None
    return shutil.which(binary)


def workload_args(config: dict, amount: list[str]) -> list[str]:
    """`python -m mapbench.benchmarks.profiling.workload ...` for a configuration dict (op, n, storage, prefetch,
    layer, map)."""
    args = [sys.executable, "-m", "mapbench.benchmarks.profiling.workload"]
    for key in ("op", "n", "storage", "prefetch", "layer", "seed", "map"):
        if key in config and config[key] is not None:
            args += [f"--{key}", str(config[key])]
    return args + amount


def workload_report(stdout: bytes | str) -> dict | None:
    """The workload's JSON report: the last line of its stdout that parses as an object."""
    text = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def run_tool(cmd: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, timeout=timeout, env=kwargs.pop("env", None),
                          **kwargs)


def last_line(stderr: bytes | str) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no message"


def table_lines_per_element(report: dict | None, line: int = 64) -> float | None:
    """Cache lines the map's buckets (regular + overflow) span, per entry: what one full pass
    must bring in at least when the table does not fit the cache. From the workload's report."""
    table = (report or {}).get("map")
    if not table or not table.get("count"):
        return None
    if "table_bytes" in table:  # the classic map's buckets + overflow, or the Swiss map's groups
        return table["table_bytes"] / line / table["count"]
    return (table["buckets"] + table["noverflow"]) * table["bucket_size"] / line / table["count"]
