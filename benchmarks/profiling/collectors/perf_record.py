"""perf record -g on the workload process: sampled call stacks of the native code.

`perf record -e cpu-clock -F HZ -g` (frame pointers; `--call-graph dwarf` as an option) runs
the workload; `perf script` text is kept gzipped under raw/, then folded with the kernel frames
kept and marked (`_[k]`) and filtered to the workload's process (its pid).
"""
from __future__ import annotations

import gzip
import os
import re
import subprocess
from pathlib import Path

from mapbench.analysis.atomic import write_atomic
from mapbench.benchmarks.profiling.collectors import (Capture, find_tool, last_line, run_tool,
                                                      workload_args, workload_report)

TOOL = "perf record"


def available(binary: str = "perf") -> str | None:
    """None when `perf record` can sample here, else one line why not."""
    path = find_tool(binary)
    if path is None:
        return f"{binary} not found (install linux-perf)"
    try:
        paranoid = int(Path("/proc/sys/kernel/perf_event_paranoid").read_text())
    except (OSError, ValueError):
        paranoid = None
    if paranoid is not None and paranoid > 1 and os.geteuid() != 0:
        return (f"kernel.perf_event_paranoid is {paranoid}: perf cannot sample as a normal user "
                "(lower it: sysctl kernel.perf_event_paranoid=1, or run as root)")
    return None


def record(config: dict, out_dir: Path, name: str, *, seconds: float = 1.0, frequency: int = 999,
           call_graph: str = "fp", binary: str = "perf", timeout: float = 300) -> Capture:
    why = available(binary)
    if why:
        return Capture(TOOL, False, message=f"perf record: {why}; no native flame graph for {name}")
    raw = Path(out_dir) / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    data = raw / f"{name}.perf.data"
    graph = ["-g"] if call_graph == "fp" else ["--call-graph", "dwarf,16384"]
    cmd = [find_tool(binary), "record", "-e", "cpu-clock", "-F", str(frequency), *graph, "-q",
           "-o", str(data), "--", *workload_args(config, ["--seconds", str(seconds)])]
    try:
        done = run_tool(cmd, timeout)
        if done.returncode != 0:
            return Capture(TOOL, False, message=f"perf record failed for {name}: {last_line(done.stderr)}")
        report = workload_report(done.stdout)
        script = subprocess.run([find_tool(binary), "script", "-i", str(data)], capture_output=True,
                                timeout=timeout)
        if script.returncode != 0 or not script.stdout.strip():
            return Capture(TOOL, False, message=f"perf script gave nothing for {name}: {last_line(script.stderr)}")
    except subprocess.TimeoutExpired:
        return Capture(TOOL, False, message=f"perf record timed out after {timeout:.0f} s for {name}")
    finally:
        data.unlink(missing_ok=True)
        Path(str(data) + ".old").unlink(missing_ok=True)
    text_path = write_atomic(raw / f"{name}.perf-script.txt.gz", gzip.compress(script.stdout, mtime=0))
    stacks = fold_for_pid(script.stdout, report.get("pid") if report else None)
    if not stacks:
        return Capture(TOOL, False, files={"perf_script": text_path},
                       message=f"perf record: no samples of the workload process for {name}")
    source = (f"perf sample (perf record -e cpu-clock -F {frequency} "
              f"{'-g' if call_graph == 'fp' else '--call-graph dwarf'}; weight = samples, "
              f"{1e9 / frequency / 1e6:.3f} ms of CPU each)")
    return Capture(TOOL, True, source=source, files={"perf_script": text_path}, workload=report, data=stacks)


def fold_for_pid(script: bytes, pid: int | None) -> dict[str, int]:
    """Folded stacks of the workload process only; kernel frames kept, marked `_[k]`."""
    from mapbench.analysis.stacks.fold import fold_perf_script

    if pid is None:
        return fold_perf_script(script, kernel=True)
    # With --tid the root frame is `comm-PID/TID` (or `comm-?/TID` when perf script prints
    # one number, as stackcollapse-perf.pl does); the workload's threads carry its pid.
    by_thread = fold_perf_script(script, kernel=True, tid=True)
    ours = re.compile(rf"^(.*)-(?:{pid}/\d+|\?/{pid})$")
    stacks: dict[str, int] = {}
    for stack, count in by_thread.items():
        root, _, rest = stack.partition(";")
        match = ours.match(root)
        if match:
            key = match.group(1) + (";" + rest if rest else "")
            stacks[key] = stacks.get(key, 0) + count
    return stacks
