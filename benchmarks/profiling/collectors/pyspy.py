"""py-spy record on the Python-layer workload: Python and C frames in one stack (`--native`).

Raw folded output (`-f raw`) is kept under raw/ and read with mapbench.analysis.stacks.fold.fold_pyspy_raw.
If `--native` fails (no unwinding info, an unsupported build), the run is retried without it
and the source says so; a denied ptrace gives one line and no profile.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mapbench.benchmarks.profiling.collectors import (Capture, find_tool, last_line, run_tool,
                                                      workload_args, workload_report)

TOOL = "py-spy"


def default_binary() -> str:
    """py-spy next to this interpreter (it is a dependency), else whatever PATH has."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else "py-spy"


def available(binary: str | None = None) -> str | None:
    binary = binary or default_binary()
    if find_tool(binary) is None:
        return f"{binary} not found (pip install py-spy)"
    return None


def record(config: dict, out_dir: Path, name: str, *, seconds: float = 1.0, rate: int = 250,
           native: bool = True, binary: str | None = None, timeout: float = 300) -> Capture:
    binary = binary or default_binary()
    why = available(binary)
    if why:
        return Capture(TOOL, False, message=f"py-spy: {why}; no Python-layer flame graph for {name}")
    raw = Path(out_dir) / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    out = raw / f"{name}.pyspy.txt"
    attempts = [True, False] if native else [False]
    message = ""
    for use_native in attempts:
        cmd = [find_tool(binary), "record", "-r", str(rate), "-f", "raw", "-o", str(out)]
        cmd += ["--native"] if use_native else []
        cmd += ["--", *workload_args(config, ["--seconds", str(seconds)])]
        try:
            done = run_tool(cmd, timeout)
        except subprocess.TimeoutExpired:
            return Capture(TOOL, False, message=f"py-spy timed out after {timeout:.0f} s for {name}")
        err = done.stderr.decode("utf-8", "replace")
        if done.returncode == 0 and out.is_file() and out.stat().st_size:
            break
        if "ptrace" in err.lower() or "permission denied" in err.lower() or "Operation not permitted" in err:
            return Capture(TOOL, False, message=f"py-spy: ptrace denied ({last_line(err)}); run as root or "
                                                "set kernel.yama.ptrace_scope=0; no Python-layer profile")
        message = f"py-spy --native failed ({last_line(err)}); retried without --native" if use_native else \
            f"py-spy failed for {name}: {last_line(err)}"
    else:
        return Capture(TOOL, False, message=message)
    from mapbench.analysis.stacks.fold import fold_pyspy_raw

    stacks = fold_pyspy_raw(out.read_bytes())
    source = f"py-spy sample (py-spy record -r {rate}{' --native' if use_native else ''}; weight = samples)"
    return Capture(TOOL, True, source=source, files={"pyspy_raw": out}, workload=workload_report(done.stdout),
                   data=stacks, message=message if not use_native else "")
