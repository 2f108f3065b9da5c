"""Counted metrics: callgrind dumps of the count pass -> per-element counts, and their table.

The count pass (benchmarks/counts/count_pass.py) leaves one callgrind dump per benchmark, holding only
the events of the kernel's timed regions (collection toggled by client requests). A dump
is the callgrind format (https://valgrind.org/docs/manual/cl-format.html): header lines
(`events:`, `desc: Trigger: Client Request: NAME`, `desc: I1 cache: ...`), then cost lines
per function; `totals:` is the sum of every cost line, the whole dump. (Its `summary:` line
is not used: callgrind computes it as a difference against the previous dump's totals,
which is wrong, even negative, in a process whose collection was toggled.)

Per element, for each benchmark: Ir (instructions), Dr/Dw (data reads/writes), I1mr, D1mr,
D1mw (L1 misses), ILmr, DLmr, DLmw (last-level misses), Bc/Bcm (conditional branches and
mispredicted ones, simulated), and *estimated cycles*:

    L1 hits + 5 x LL hits + 35 x RAM accesses
    L1 hits  = Ir + Dr + Dw - (I1mr + D1mr + D1mw)
    LL hits  = (I1mr + D1mr + D1mw) - (ILmr + DLmr + DLmw)
    RAM      = ILmr + DLmr + DLmw

iai-callgrind's (now Gungraun's) "Estimated Cycles", after Itamar Turner-Trauring's
cachegrind-in-CI method. It is a model, not a CPU's cycles: no pipelining, no memory-level
parallelism, no hardware prefetcher, and software prefetches are not memory accesses to
the simulator. So it is labelled an estimate wherever it is shown.

Pure transforms: text and dicts in, dicts and text out.
"""
from __future__ import annotations

import math
import re

from mapbench.analysis.errors import InputError

EVENTS = ("Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw", "Bc", "Bcm")
EVENT_MEANING = {
    "Ir": "instructions executed", "Dr": "data reads", "Dw": "data writes",
    "I1mr": "L1 instruction read misses", "D1mr": "L1 data read misses",
    "D1mw": "L1 data write misses", "ILmr": "LL-model instruction read misses",
    "DLmr": "LL-model data read misses", "DLmw": "LL-model data write misses",
    "Bc": "conditional branches", "Bcm": "mispredicted conditional branches (simulated)",
}
CYCLES = "estimated_cycles"
LL_HIT_CYCLES = 5
RAM_CYCLES = 35
CYCLES_FORMULA = (f"L1 hits + {LL_HIT_CYCLES} x LL hits + {RAM_CYCLES} x RAM accesses, "
                  "L1 hits = Ir + Dr + Dw - (I1mr + D1mr + D1mw), LL hits = (I1mr + D1mr + "
                  "D1mw) - (ILmr + DLmr + DLmw), RAM = ILmr + DLmr + DLmw")
CYCLES_SOURCE = ("iai-callgrind (Gungraun) 'Estimated Cycles', after Itamar Turner-Trauring's "
                 "cachegrind method: a model without pipelining, memory-level parallelism or "
                 "prefetch, not a CPU's cycle count")
SOURCE = "callgrind simulation"
# The two counted metrics `mapbench compare --metric` can judge, and their key per element.
METRIC_KEYS = {"instructions": "Ir", "cycles": CYCLES}
METRIC_LABELS = {"instructions": "instructions/element (callgrind Ir)",
                 "cycles": "estimated cycles/element (callgrind model)"}
SIMULATION_NOTE = (
    "Simulated counts model no hardware prefetcher and treat software prefetch instructions "
    "as no memory access: prefetch on/off changes the instruction count, not the misses, and "
    "memory-level parallelism (many misses in flight) does not exist in the model. So time "
    "and counts can disagree: a change that hides latency shows in time only, and a change "
    "in work that the CPU overlaps shows in counts more than in time.")


def parse_dump(text: str) -> dict:
    """One callgrind dump -> {"trigger", "events": {name: total}, "caches": {I1/D1/LL: desc}}.
    InputError when the text is not a callgrind dump with totals."""
    names: list[str] | None = None
    totals: list[str] | None = None
    trigger = None
    caches: dict[str, str] = {}
    sums: list[int] | None = None
    after_call = False
    for line in text.splitlines():
        if line.startswith("events:"):
            names = line.split()[1:]
            sums = [0] * len(names)
        elif line.startswith("totals:"):
            totals = line.split()[1:]
        elif line.startswith("desc: Trigger:"):
            trigger = line.split(":", 2)[2].strip()
        elif m := re.match(r"desc: (I1|D1|LL) cache:\s*(.*)$", line):
            caches[m[1]] = m[2].strip()
        elif line.startswith("calls="):
            after_call = True                # the next cost line is the call's inclusive cost
        elif sums is not None and line[:1] and (line[0].isdigit() or line[0] in "+-*"):
            if after_call:
                after_call = False
                continue
            for i, value in enumerate(line.split()[1:len(sums) + 1]):
                sums[i] += int(value)
    if names is None or sums is None:
        raise InputError("not a callgrind dump (no 'events:' line)")
    if totals is not None:
        values = [int(v) for v in totals] + [0] * (len(names) - len(totals))
        if values[:len(sums)] != sums:
            raise InputError("callgrind dump: 'totals:' is not the sum of its cost lines "
                             "(a truncated file?)")
    return {"trigger": trigger, "events": dict(zip(names, sums)), "caches": caches}


def client_request_name(trigger: str | None) -> str | None:
    """The label of a `Client Request: NAME` trigger, else None (program termination)."""
    prefix = "Client Request:"
    if trigger and trigger.startswith(prefix):
        return trigger[len(prefix):].strip()
    return None


def estimated_cycles(events: dict) -> int:
    """iai-callgrind's estimate from totals (see the module docstring)."""
    get = lambda key: int(events.get(key, 0))          # noqa: E731
    l1_misses = get("I1mr") + get("D1mr") + get("D1mw")
    ram = get("ILmr") + get("DLmr") + get("DLmw")
    l1_hits = get("Ir") + get("Dr") + get("Dw") - l1_misses
    ll_hits = l1_misses - ram
    return l1_hits + LL_HIT_CYCLES * ll_hits + RAM_CYCLES * ram


def per_element(events: dict, elements: int) -> dict:
    """Every event and the estimated cycles, divided by the elements of the counted call."""
    if elements <= 0:
        raise InputError("a counted benchmark processed no elements")
    out = {key: events.get(key, 0) / elements for key in EVENTS}
    out[CYCLES] = estimated_cycles(events) / elements
    return out


def benchmark_entry(events: dict, loops: int, elements: int) -> dict:
    """counts.json's entry for one benchmark (schema in profiles/README.md)."""
    totals = {key: int(events.get(key, 0)) for key in EVENTS}
    totals[CYCLES] = estimated_cycles(events)
    return {"loops": loops, "elements": elements, "totals": totals,
            "per_element": per_element(events, elements), "source": SOURCE}


def metric_value(entry: dict, metric: str) -> float | None:
    """The per-element value of `metric` (instructions, cycles) in a counts.json entry."""
    value = (entry.get("per_element") or {}).get(METRIC_KEYS[metric])
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 100 else f"{value:,.0f}"


def summary_markdown(doc: dict, ns_per_element: dict[str, float] | None = None) -> str:
    """The counts table: per element, ns (pyperf, when known) beside the counted metrics."""
    ns = ns_per_element or {}
    lines = ["| benchmark | ns/element (pyperf timing) | instructions/element | estimated "
             "cycles/element | D1 misses/element | LL-model misses/element | branch mispredicts/element |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, entry in sorted((doc.get("benchmarks") or {}).items()):
        pe = entry.get("per_element") or {}
        d1 = sum(pe.get(k, 0) for k in ("D1mr", "D1mw"))
        ll = sum(pe.get(k, 0) for k in ("DLmr", "DLmw"))
        t = ns.get(name)
        lines.append(f"| {name} | {'-' if t is None else f'{t:.3f}'} | {_fmt(pe.get('Ir'))} | "
                     f"{_fmt(pe.get(CYCLES))} | {_fmt(d1)} | {_fmt(ll)} | {_fmt(pe.get('Bcm'))} |")
    notes = [f"Counts: {doc.get('source', SOURCE)}; simulated caches "
             + ", ".join(f"{k} {v}" for k, v in (doc.get("cache_model") or {}).items()) + ".",
             f"Estimated cycles: {CYCLES_FORMULA} ({CYCLES_SOURCE}).", SIMULATION_NOTE,
             "LL-model misses: the pinned LL of the cache model above, the same on every machine "
             "so that runs compare; a model, not this machine's last level (mapbench profile "
             "simulates each of this machine's levels: cachemiss.md)."]
    for name, why in sorted((doc.get("skipped") or {}).items()):
        notes.append(f"No counts for {name}: {why}.")
    for name, why in sorted((doc.get("failed") or {}).items()):
        notes.append(f"Count pass failed for {name}: {why}.")
    hw = doc.get("hardware") or {}
    if hw.get("status"):
        notes.append(f"Hardware counters (perf stat -e instructions:u,cycles:u): {hw['status']}.")
    return "\n".join(lines + [""] + [f"- {n}" for n in notes]) + "\n"
