"""The count pass's hardware path: the CPU's own instructions:u and cycles:u per element.

Where `perf stat -e instructions:u,cycles:u` counts (real hardware), each counted
benchmark's worker (benchmarks/counts/count_worker.py, natively, not under valgrind) runs twice,
with its count loops x1 and x SCALE; (long - short) / (elements long - elements short) is
the per-element count of the extra loops, so interpreter start, imports and building the
map cancel. Where the counters are `<not supported>` (a VM such as the one this suite was
built on), one line says so and the pass goes on with the simulation alone.
"""
from __future__ import annotations

import subprocess
import sys

from mapbench.analysis.counters import perf_stat_csv
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.catalog import matrix
from mapbench.benchmarks.profiling.collectors import find_tool, last_line, workload_report

EVENTS = ("instructions:u", "cycles:u")
SCALE = 5
SOURCE = "perf hardware counter"
METHOD = (f"perf stat -x, -e {','.join(EVENTS)} on the count worker run natively with its count "
          f"loops x1 and x{SCALE}: (long - short) / (elements long - elements short), so process "
          "start, imports and map set-up cancel")
TIMEOUT_S = 600


def _stat(perf: str, command: list[str], timeout: float = TIMEOUT_S):
    """(rows, the workload's stdout, the completed process) of one `perf stat -x,` run."""
    done = subprocess.run([perf, "stat", "-x", ",", "-e", ",".join(EVENTS), "--", *command],
                          capture_output=True, timeout=timeout)
    text = "\n".join(ln for ln in done.stderr.decode("utf-8", "replace").splitlines()
                     if perf_stat_csv.looks_like_perf_stat(ln))
    rows = perf_stat_csv.parse_perf_stat_csv(text) if text else []
    return rows, done.stdout.decode("utf-8", "replace"), done


def available(perf: str = "perf") -> str | None:
    """None when perf stat counts instructions:u and cycles:u here, else one line why not."""
    path = find_tool(perf)
    if path is None:
        return f"{perf} not found (install linux-perf)"
    try:
        rows, _, done = _stat(path, ["true"], 60)
    except (OSError, subprocess.TimeoutExpired, InputError) as exc:
        return f"perf stat did not run ({exc})"
    if not rows:
        return f"perf stat printed no counters ({last_line(done.stderr)})"
    missing = [r for r in rows if r.event in EVENTS and not r.counted]
    if missing or not any(r.event in EVENTS for r in rows):
        states = sorted({r.status for r in missing}) or ["missing"]
        return (f"{'/'.join('<' + s + '>' for s in states)} on this machine (a VM without "
                "hardware counters?)")
    return None


def _counts(rows) -> dict[str, float]:
    return {r.event: r.value for r in rows if r.event in EVENTS and r.counted}


def measure(name: str, perf: str) -> dict:
    """{event: per element} for one benchmark; InputError with one line when it fails."""
    runs = []
    for scale in (1, SCALE):
        cmd = [sys.executable, "-m", "mapbench.benchmarks.counts.count_worker", "--scale", str(scale),
               name]
        try:
            rows, stdout, done = _stat(perf, cmd)
        except subprocess.TimeoutExpired:
            raise InputError(f"perf stat timed out after {TIMEOUT_S} s") from None
        report = workload_report(stdout)
        counted = _counts(rows)
        if done.returncode != 0 or not report or len(counted) < len(EVENTS):
            raise InputError(f"perf stat failed (exit {done.returncode}: {last_line(done.stderr)})")
        runs.append((counted, report["elements"]))
    (short, short_elements), (long, long_elements) = runs
    elements = long_elements - short_elements
    if elements <= 0:
        raise InputError("the longer run processed no more elements")
    return {event: (long[event] - short[event]) / elements for event in EVENTS}


def hardware_pass(benchmarks: list[matrix.Benchmark], *, log=print, perf: str = "perf") -> dict:
    """counts.json's `hardware` section: status, source, method, per-benchmark values."""
    why = available(perf)
    if why:
        log(f"[counts] hardware counters: {why}; simulated counts only", flush=True)
        return {"status": f"not used: {why}", "events": list(EVENTS), "benchmarks": {}}
    path = find_tool(perf)
    values, failed = {}, {}
    for b in benchmarks:
        try:
            values[b.name] = measure(b.name, path)
        except InputError as exc:
            failed[b.name] = str(exc)
    log(f"[counts] hardware counters: {len(values)} benchmarks counted"
        + (f", {len(failed)} failed ({next(iter(failed.values()))})" if failed else ""), flush=True)
    return {"status": "counted", "source": SOURCE, "method": METHOD, "events": list(EVENTS),
            "benchmarks": values, "failed": failed}
