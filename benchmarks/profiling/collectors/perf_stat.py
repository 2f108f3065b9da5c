"""perf stat -x, hardware cache counters on the workload, set-up cancelled by two runs.

The workload runs twice with different loop counts under `perf stat -x,`; the difference of
the counts over the difference of the elements is what the extra loops cost, so process
start, imports and building the map cancel out. Where the CPU (or VM) does not expose the
counters (`<not supported>`), `available()` says so and the caller falls back to cachegrind.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from mapbench.analysis.counters import cachemiss
from mapbench.analysis.counters import perf_stat_csv
from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.profiling.collectors import (Capture, find_tool, last_line, run_tool,
                                                      table_lines_per_element, workload_args,
                                                      workload_report)

TOOL = "perf stat"
EVENTS = ("cycles", "instructions", "cache-references", "cache-misses", "L1-dcache-loads",
          "L1-dcache-load-misses", "LLC-loads", "LLC-load-misses")
SOFTWARE_EVENTS = ("task-clock", "cpu-clock")


def _stat(binary: str, command: list[str], timeout: float, events=EVENTS) -> tuple[str, subprocess.CompletedProcess]:
    cmd = [binary, "stat", "-x", ",", "-e", ",".join(events), "--", *command]
    done = run_tool(cmd, timeout)
    # perf stat writes its CSV to stderr (the workload's own stdout stays on stdout).
    lines = [ln for ln in done.stderr.decode("utf-8", "replace").splitlines()
             if perf_stat_csv.looks_like_perf_stat(ln)]
    return "\n".join(lines) + "\n", done


def available(binary: str = "perf") -> str | None:
    """None when perf stat counts hardware cache events here, else one line why not."""
    path = find_tool(binary)
    if path is None:
        return f"{binary} not found (install linux-perf)"
    try:
        text, done = _stat(path, ["true"], 30)
        rows = perf_stat_csv.parse_perf_stat_csv(text)
    except (InputError, subprocess.TimeoutExpired, OSError):
        return f"perf stat did not run ({last_line(done.stderr) if 'done' in locals() else 'error'})"
    if not any(r.counted and r.event not in SOFTWARE_EVENTS for r in rows):
        states = sorted({r.status for r in rows if not r.counted})
        return f"hardware counters are {'/'.join('<' + s + '>' for s in states)} on this machine"
    return None


def stat(config: dict, out_dir: Path, name: str, *, loops: tuple[int, int] = (1, 5),
         binary: str = "perf", timeout: float = 300) -> Capture:
    why = available(binary)
    if why:
        return Capture(TOOL, False, message=f"perf stat: {why}")
    raw = Path(out_dir) / "raw"
    results = []
    for count in loops:
        try:
            text, done = _stat(find_tool(binary), workload_args(config, ["--loops", str(count)]), timeout)
        except subprocess.TimeoutExpired:
            return Capture(TOOL, False, message=f"perf stat timed out after {timeout:.0f} s for {name}")
        if done.returncode != 0:
            return Capture(TOOL, False, message=f"perf stat failed for {name}: {last_line(done.stderr)}")
        path = write_atomic(raw / f"{name}.loops{count}.perf-stat.csv", text)
        results.append((path, perf_stat_csv.parse_perf_stat_csv(text), workload_report(done.stdout)))
    (short_path, short, short_report), (long_path, long, long_report) = results
    if not short_report or not long_report:
        return Capture(TOOL, False, message=f"perf stat: the workload gave no report for {name}")
    elements = long_report["elements"] - short_report["elements"]
    rows = difference(long, short)
    method = (f"difference of two runs ({loops[1]} and {loops[0]} loops): "
              "process start, imports and map set-up cancel")
    summary = cachemiss.config_from_perf(dict(config), rows, elements, method=method)
    summary["metrics"]["table_lines_per_element"] = table_lines_per_element(long_report)
    return Capture(TOOL, True, source=cachemiss.SOURCE_PERF, files={"short": short_path, "long": long_path},
                   workload=long_report, data=summary)


def difference(long: list[perf_stat_csv.CounterRow], short: list[perf_stat_csv.CounterRow]) -> list[perf_stat_csv.CounterRow]:
    """Per-event `long - short`; an event not counted in either run stays not counted."""
    before = {r.event: r for r in short}
    out = []
    for row in long:
        other = before.get(row.event)
        if row.counted and other is not None and other.counted:
            out.append(perf_stat_csv.CounterRow(event=row.event, value=row.value - other.value, unit=row.unit,
                                            status="counted", percent_running=min(row.percent_running or 100,
                                                                                  other.percent_running or 100)))
        else:
            status = row.status if not row.counted else (other.status if other else "not counted")
            out.append(perf_stat_csv.CounterRow(event=row.event, value=None, unit=row.unit, status=status))
    return out
