"""Cache-miss summaries from `perf stat -x,` CSV and from cachegrind/callgrind output.

Two sources, never mixed up:

* **perf hardware counter** -- `perf stat -x,` rows (see `man perf-stat`, CSV FORMAT):
  `[time,][cpu,]value,unit,event,[variance%,]run-time,percent-running,[metric,metric-unit]`.
  `value` is a number, `<not supported>` (the CPU or VM does not expose the event) or
  `<not counted>` (it was never scheduled). `percent-running` below 100 means perf
  multiplexed the counter and scaled the count: the row says so.
* **cachegrind simulation** -- valgrind's cachegrind or callgrind with `--cache-sim=yes`:
  deterministic counts from a simulated cache whose geometry (the `desc:` lines) is part
  of every number's source.

A *configuration* is one workload run (op, size, storage, prefetch, ...) with the number of
elements its timed region processed; `config_from_perf` and `config_from_cachegrind` turn a
capture into a JSON-ready dict whose `metrics` are per element and whose `source`/`method`
say where each number came from.

The parsers are perf_stat_csv.py and cachegrind_out.py beside this module; the markdown
and the plot are analysis/render/cachemiss_tables.py; callgrind's call graph as folded
stacks is analysis/stacks/callgrind_stacks.py.

Pure transforms only: values in, values out; no subprocesses.
"""
from __future__ import annotations

from mapbench.analysis.counters.cachegrind_out import CachegrindProfile
from mapbench.analysis.counters.perf_stat_csv import CounterRow
from mapbench.analysis.errors import InputError

SOURCE_PERF = "perf hardware counter"

# metric key -> (column header, what it is)
METRICS = {
    "instructions_per_element": ("instr/elem", "instructions executed per element"),
    "l1d_read_misses_per_element": ("L1d read misses/elem", "L1 data-cache read (load) misses per element"),
    "ll_read_misses_per_element": ("LL read misses/elem", "last-level-cache read (load) misses per element"),
    "l2_read_misses_per_element": ("L2 read misses/elem", "L2 read misses per element (simulated: "
                                   "valgrind's LL set to this machine's L2)"),
    "l3_read_misses_per_element": ("L3 read misses/elem", "L3 read misses per element (simulated: "
                                   "valgrind's LL set to this machine's L3)"),
    "l2_miss_rate": ("L2 miss rate", "L2 data misses / data accesses (global rate)"),
    "l1d_misses_per_element": ("L1d misses/elem", "L1 data-cache misses, reads + writes, per element"),
    "l1d_miss_rate": ("L1d miss rate", "L1d misses / L1d accesses"),
    "ll_miss_rate": ("LL miss rate", "LL data misses / data accesses (global rate)"),
    "cache_misses_per_element": ("cache-misses/elem", "perf's generic cache-misses event per element"),
    "table_lines_per_element": ("table lines/elem", "cache lines the map's buckets (incl. overflow) span, "
                                "per entry: one pass's streaming minimum, computed from map.stats() and "
                                "layout(), not measured"),
}

CACHEGRIND_EVENTS = ("Ir", "Dr", "Dw", "D1mr", "D1mw", "DLmr", "DLmw")


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def cachegrind_costs(profile: CachegrindProfile, functions: list[str] | None = None,
                     inclusive: bool = False) -> dict[str, int]:
    """Event totals: the whole program, or the summed costs of `functions`.

    With `inclusive` (callgrind only) each function counts with all it calls."""
    if functions is None:
        vector = profile.summary
    else:
        vector = [0] * len(profile.events)
        for name in functions:
            costs = profile.inclusive(name) if inclusive else profile.self_costs.get(name)
            if costs:
                vector = [a + b for a, b in zip(vector, costs)]
    return {event: vector[i] for i, event in enumerate(profile.events)}


def metrics_from_cachegrind_costs(costs: dict[str, int], elements: int) -> dict[str, float | None]:
    missing = [e for e in CACHEGRIND_EVENTS if e not in costs]
    if missing:
        raise InputError(f"cache events missing ({' '.join(missing)}): run with --cache-sim=yes")
    if elements <= 0:
        raise InputError("elements must be positive to give per-element numbers")
    accesses = costs["Dr"] + costs["Dw"]
    l1d = costs["D1mr"] + costs["D1mw"]
    ll = costs["DLmr"] + costs["DLmw"]
    return {
        "instructions_per_element": costs["Ir"] / elements,
        "l1d_read_misses_per_element": costs["D1mr"] / elements,
        "ll_read_misses_per_element": costs["DLmr"] / elements,
        "l1d_misses_per_element": l1d / elements,
        "l1d_miss_rate": _ratio(l1d, accesses),
        "ll_miss_rate": _ratio(ll, accesses),
        "cache_misses_per_element": None,
    }


def metrics_from_perf(rows: list[CounterRow], elements: int) -> tuple[dict[str, float | None], list[str]]:
    """Per-element metrics from perf counters, and a note per counter that gave no number."""
    if elements <= 0:
        raise InputError("elements must be positive to give per-element numbers")
    values: dict[str, float] = {}
    notes = []
    for row in rows:
        if row.counted:
            values[row.event] = row.value  # type: ignore[assignment]
            if row.scaled:
                notes.append(f"{row.event}: counted {row.percent_running:.2f}% of the time, scaled by perf")
        else:
            notes.append(f"{row.event}: {row.status}")

    def per(event: str) -> float | None:
        v = values.get(event)
        return None if v is None else v / elements

    return {
        "instructions_per_element": per("instructions"),
        "l1d_read_misses_per_element": per("L1-dcache-load-misses"),
        "ll_read_misses_per_element": per("LLC-load-misses"),
        "l1d_misses_per_element": None,
        "l1d_miss_rate": _ratio(values.get("L1-dcache-load-misses"), values.get("L1-dcache-loads")),
        "ll_miss_rate": _ratio(values.get("LLC-load-misses"), values.get("LLC-loads")),
        "cache_misses_per_element": per("cache-misses"),
    }, notes


def subtract_costs(long: dict[str, int], short: dict[str, int]) -> dict[str, int]:
    """Costs of the extra work of the longer run: cancels set-up common to both runs."""
    return {k: long[k] - short.get(k, 0) for k in long}


def config_from_perf(config: dict, rows: list[CounterRow], elements: int,
                     method: str = "whole workload process (set-up included)") -> dict:
    metrics, notes = metrics_from_perf(rows, elements)
    counted = any(r.counted and r.event not in ("task-clock", "cpu-clock") for r in rows)
    return {**config, "elements": elements, "source": SOURCE_PERF,
            "source_detail": "perf stat -x, " + ",".join(r.event for r in rows),
            "method": method, "metrics": metrics, "notes": notes,
            "hardware_counters": counted,
            "counters": [{"event": r.event, "value": r.value, "unit": r.unit, "status": r.status,
                          "percent_running": r.percent_running} for r in rows]}


def config_from_cachegrind(config: dict, profile: CachegrindProfile, elements: int,
                           functions: list[str] | None = None, inclusive: bool = False,
                           method: str | None = None, attribution_limit: int = 8,
                           attribution_functions: list[str] | None = None) -> dict:
    costs = cachegrind_costs(profile, functions, inclusive)
    if method is None:
        if functions is None:
            method = "whole program (set-up included)"
        else:
            kind = "inclusive" if inclusive else "self"
            method = f"{kind} costs of {', '.join(functions)} only (set-up excluded)"
    return {**config, "elements": elements, "source": profile.source().split(" (")[0],
            "source_detail": profile.source(), "method": method,
            "metrics": metrics_from_cachegrind_costs(costs, elements), "notes": [],
            "costs": costs, "functions": function_attribution(profile, elements, limit=attribution_limit,
                                                               functions=attribution_functions),
            "attribution_scope": "whole process" if attribution_functions is None else "map code only"}


def function_attribution(profile: CachegrindProfile, elements: int, limit: int = 8,
                         event: str = "D1mr", functions: list[str] | None = None) -> list[dict]:
    """Functions (all, or those in `functions`) with the most `event` (self cost), with their
    misses per element; shares are of the whole program's `event`."""
    i = profile.index(event)
    total = profile.summary[i] or 1
    pool = profile.self_costs if functions is None else [f for f in functions if f in profile.self_costs]
    names = sorted(pool, key=lambda f: (-profile.self_costs[f][i], f))[:limit]
    out = []
    for name in names:
        costs = dict(zip(profile.events, profile.self_costs[name]))
        if costs[event] == 0:
            break
        out.append({"function": name, "file": profile.files.get(name, ""), "Ir": costs.get("Ir", 0),
                    "D1 read misses": costs.get("D1mr", 0), "LL read misses": costs.get("DLmr", 0),
                    "D1 read misses/elem": costs.get("D1mr", 0) / elements if elements else None,
                    f"share of {event}": costs[event] / total})
    return out
