"""Where the time noise comes from: the same kernel timed by three clocks, per call.

Input: one sample per kernel call with the call's CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID
and TSC deltas, and what /proc said around it: the pinned CPU's steal ticks (/proc/stat,
time the host ran something else on this vCPU) and this thread's run_delay
(/proc/self/task/<tid>/schedstat: time it waited on the guest's run queue).

A call is *in a burst* by a clock when that clock's per-call time is more than
BURST_FACTOR x that clock's fastest decile (the quiet level). The question: do the bursts
of wall time show in thread CPU time too (the thread was running, so the CPU itself was
slower: a neighbour on the core, memory bandwidth) or not (the thread was not running:
stolen by the host, or waiting in the guest)? `summarize` answers with counts.

Pure: samples in, a dict out.
"""
from __future__ import annotations

import math
import statistics

BURST_FACTOR = 1.3
CLOCKS = ("monotonic_ns", "thread_cpu_ns", "tsc")


def _quiet(values: list[float]) -> float:
    ordered = sorted(values)
    decile = ordered[: max(1, len(ordered) // 10)]
    return statistics.median(decile)


def _rounds_needed(values: list[float], effect: float = 0.10, z: float = 2.576 + 1.282) -> int | None:
    """Processes needed per side to see `effect` (two-sided alpha 0.01, power 0.9), taking
    each value as one process level (normal approximation, log units): a rough comparison
    of the clocks' noise, not compare's own estimate."""
    logs = [math.log(v) for v in values if v > 0]
    if len(logs) < 3:
        return None
    sd = statistics.stdev(logs)
    return max(2, math.ceil(2 * (z * sd / math.log(1 + effect)) ** 2))


def summarize(samples: list[dict]) -> dict:
    if not samples:
        return {"calls": 0}
    out: dict = {"calls": len(samples), "burst_factor": BURST_FACTOR, "clocks": {}}
    bursts = {}
    for clock in CLOCKS:
        values = [s[clock] for s in samples if s.get(clock)]
        if not values:
            continue
        quiet = _quiet(values)
        flagged = [i for i, s in enumerate(samples) if s.get(clock) and s[clock] > BURST_FACTOR * quiet]
        bursts[clock] = set(flagged)
        out["clocks"][clock] = {
            "quiet_level": quiet, "median": statistics.median(values),
            "median_over_quiet": statistics.median(values) / quiet,
            "calls_in_bursts": len(flagged), "share_in_bursts": len(flagged) / len(samples),
            "sd_of_log_pct": 100 * statistics.stdev([math.log(v) for v in values])
            if len(values) > 2 else None,
            "rounds_for_10pct": _rounds_needed(values)}
    mono = bursts.get("monotonic_ns", set())
    if mono:
        in_burst = [samples[i] for i in sorted(mono)]
        out["monotonic_bursts"] = {
            "calls": len(mono),
            "also_in_thread_cpu_bursts": len(mono & bursts.get("thread_cpu_ns", set())),
            "also_in_tsc_bursts": len(mono & bursts.get("tsc", set())),
            "median_thread_cpu_over_monotonic": statistics.median(
                s["thread_cpu_ns"] / s["monotonic_ns"] for s in in_burst if s["monotonic_ns"]),
            "steal_ticks": sum(s.get("steal_ticks", 0) for s in in_burst),
            "run_delay_ns": sum(s.get("run_delay_ns", 0) for s in in_burst)}
    quiet_calls = [s for i, s in enumerate(samples) if i not in mono]
    out["quiet_calls"] = {"calls": len(quiet_calls),
                          "steal_ticks": sum(s.get("steal_ticks", 0) for s in quiet_calls),
                          "run_delay_ns": sum(s.get("run_delay_ns", 0) for s in quiet_calls)}
    return out
