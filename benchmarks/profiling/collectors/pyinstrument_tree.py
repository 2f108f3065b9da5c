"""pyinstrument call tree (HTML and JSON) of the Python-layer workload.

The workload runs once under `pyinstrument -r pyisession`; the saved session is rendered to
HTML and JSON with `pyinstrument --load`, so both views describe the same run.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mapbench.benchmarks.profiling.collectors import Capture, last_line, run_tool, workload_args

TOOL = "pyinstrument"


def available(python: str | None = None) -> str | None:
    try:
        done = subprocess.run([python or sys.executable, "-c", "import pyinstrument"], capture_output=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} does not run ({exc.__class__.__name__})"
    return None if done.returncode == 0 else "pyinstrument is not installed (pip install pyinstrument)"


def record(config: dict, out_dir: Path, name: str, *, seconds: float = 1.0, interval: float = 0.001,
           python: str | None = None, timeout: float = 300) -> Capture:
    python = python or sys.executable
    why = available(python)
    if why:
        return Capture(TOOL, False, message=f"pyinstrument: {why}; no call tree for {name}")
    out_dir = Path(out_dir)
    raw = out_dir / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    session = raw / f"{name}.pyisession"
    work = workload_args(config, ["--seconds", str(seconds)])[1:]      # ["-m", "mapbench.benchmarks.profiling.workload", ...]
    cmd = [python, "-m", "pyinstrument", "-i", str(interval), "-r", "pyisession", "-o", str(session), *work]
    try:
        done = run_tool(cmd, timeout)
        if done.returncode != 0 or not session.is_file():
            return Capture(TOOL, False, message=f"pyinstrument failed for {name}: {last_line(done.stderr)}")
        files = {"session": session}
        tree = out_dir / "pyinstrument"
        tree.mkdir(parents=True, exist_ok=True)
        for renderer in ("html", "json"):
            target = tree / f"{name}.{renderer}"
            render = run_tool([python, "-m", "pyinstrument", "--load", str(session), "-r", renderer,
                               "-o", str(target)], timeout)
            if render.returncode != 0:
                return Capture(TOOL, False, files=files,
                               message=f"pyinstrument could not render {renderer}: {last_line(render.stderr)}")
            files[renderer] = target
    except subprocess.TimeoutExpired:
        return Capture(TOOL, False, message=f"pyinstrument timed out after {timeout:.0f} s for {name}")
    return Capture(TOOL, True, source=f"pyinstrument statistical profiler (interval {interval * 1e3:g} ms, "
                                      "wall-clock call tree)", files=files)
