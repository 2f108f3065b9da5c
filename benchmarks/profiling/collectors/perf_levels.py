"""perf hardware counters at each cache level, beside the level sweep's simulated misses.

    events_for(levels, binary) -> LevelEvents(events={level: event}, why="" or one line)
    measure(events, kind, n, binary) -> {level: misses per element} or one line why not

Which events: what this machine's `perf list` offers (analysis/counters/perf_list.py
chooses per level; no vendor's event names are written here). Then one probe, `perf stat
-x, -e <events> -- true`: where the counters are `<not supported>` (a VM without a PMU,
like the 2-vCPU guest these tests run on) or `<not counted>`, `why` says so in one line
naming the events and their states, and nothing is measured. Where perf list offers no
cache event at all, the probe asks for perf's generic ones (L1-dcache-load-misses,
LLC-load-misses) so the line still says what the machine answers.

Per (map, n): the profiling workload (full iteration, stack iterator, no prefetch, as the
level sweep's kernel) runs twice under `perf stat -x,`, with LOOPS[0] and LOOPS[1] loops;
the difference of the counts over the difference of the elements is what the extra
loops cost, so process start, imports and building the map cancel (perf_stat.py's
method). A level whose event perf multiplexed (percent-running < 100) is scaled by perf;
the result says so.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field

from mapbench.analysis.counters import perf_list, perf_stat_csv
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.profiling.collectors import (find_tool, last_line, run_tool,
                                                      workload_args, workload_report)
from mapbench.benchmarks.profiling.collectors.perf_stat import difference

SOURCE = "perf hardware counter (perf stat -x,; two runs, their difference per element)"
GENERIC_PROBE = (perf_list.L1D_EVENT, perf_list.LAST_LEVEL_EVENTS[0])
LOOPS = (2, 10)


@dataclass
class LevelEvents:
    events: dict[str, str] = field(default_factory=dict)    # level -> event, counted here
    why: str = ""                                            # "" when they count
    asked: dict[str, str] = field(default_factory=dict)     # event -> its probe state

    def to_json(self) -> dict:
        return {"events": dict(self.events), "status": "counted" if not self.why else "unavailable",
                "why_not": self.why, "probe": dict(self.asked), "source": SOURCE}


def _perf_list(path: str) -> str:
    try:
        done = run_tool([path, "list", "--no-desc"], 60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def _stat(path: str, events: list[str], command: list[str], timeout: float):
    done = run_tool([path, "stat", "-x", ",", "-e", ",".join(events), "--", *command], timeout)
    text = "\n".join(line for line in done.stderr.decode("utf-8", "replace").splitlines()
                     if perf_stat_csv.looks_like_perf_stat(line))
    rows = perf_stat_csv.parse_perf_stat_csv(text) if text.strip() else []
    return rows, done


def states_line(rows: list[perf_stat_csv.CounterRow]) -> str:
    """'L1-dcache-load-misses <not supported>, LLC-load-misses <not supported>'."""
    return ", ".join(f"{r.event} " + ("counted" if r.counted else f"<{r.status}>") for r in rows)


def events_for(levels: list[str], binary: str = "perf") -> LevelEvents:
    path = find_tool(binary)
    if path is None:
        return LevelEvents(why=f"{binary} not found (install linux-perf): no perf hardware counters")
    chosen = perf_list.level_events(perf_list.offered(_perf_list(path)), levels)
    probe = list(dict.fromkeys(chosen.values())) or list(GENERIC_PROBE)
    try:
        rows, done = _stat(path, probe, ["true"], 30)
    except (OSError, subprocess.TimeoutExpired, InputError) as exc:
        return LevelEvents(why=f"perf stat did not run ({exc})")
    asked = {r.event: "counted" if r.counted else r.status for r in rows}
    if not rows:
        return LevelEvents(why=f"perf stat gave no counts ({last_line(done.stderr)})", asked=asked)
    if not chosen:
        return LevelEvents(why="perf list offers no cache-miss event here; perf stat -e "
                               + ",".join(probe) + ": " + states_line(rows), asked=asked)
    counted = {level: event for level, event in chosen.items() if asked.get(event) == "counted"}
    if not counted:
        return LevelEvents(why="perf hardware counters " + states_line(rows) + " on this machine",
                           asked=asked)
    return LevelEvents(events=counted, asked=asked)


def measure(events: dict[str, str], kind: str, n: int, binary: str = "perf",
            timeout: float = 600) -> tuple[dict[str, float | None], str]:
    """({level: misses per element (None: not counted)}, "" or one line on what went wrong)."""
    path = find_tool(binary)
    config = {"op": "iterate", "n": n, "storage": "stack", "prefetch": 0, "map": kind}
    runs = []
    for loops in LOOPS:
        try:
            rows, done = _stat(path, list(dict.fromkeys(events.values())),
                               workload_args(config, ["--loops", str(loops)]), timeout)
        except (OSError, subprocess.TimeoutExpired, InputError) as exc:
            return {}, f"perf stat failed for {kind} n={n}: {exc}"
        report = workload_report(done.stdout)
        if done.returncode != 0 or not report:
            return {}, f"perf stat failed for {kind} n={n}: {last_line(done.stderr)}"
        runs.append((rows, report))
    (short, short_report), (long, long_report) = runs
    elements = long_report["elements"] - short_report["elements"]
    by_event = {r.event: r for r in difference(long, short)}
    out, scaled = {}, []
    for level, event in events.items():
        row = by_event.get(event)
        out[level] = row.value / elements if row is not None and row.counted and elements > 0 else None
        if row is not None and row.scaled:
            scaled.append(event)
    return out, (f"scaled by perf (multiplexed): {', '.join(scaled)}" if scaled else "")
