"""Where the table leaves each cache level: one finding per map (classic, Swiss).

Three witnesses, side by side:
  * simulation -- cache_levels.json (the profile pass's level sweep): for each level, the
    step where its read misses per element go from "holds the table" (below HOLDS x the
    table's lines per element) to "misses it" (at least MISSES x); exact, deterministic;
  * fill size -- the table's bytes against the level's size: measured where this run's
    bench.json has the iterate benchmarks' `table_bytes` (what the built map allocated;
    the ns/element plot marks the same sizes), else predicted from the layout
    (analysis/counters/cache_levels.py fill); the n where the table fills the level;
  * timing -- this run's bench.json: the steps where the median ns/element of full
    iteration (stack iterator, no prefetch) and of roofline rise by KNEE_RATIO or more.

  * hardware -- where this machine has counters, the same kernel under `perf stat`
    (cache_levels.json rows' `hardware_per_element`, the event per level in `hardware`):
    the same step rule on the counted misses, named "perf hardware counter"; where it has
    none, the finding's source says why in one line (never zeros).

They agree when the simulated step and a timing knee lie within one size step of the
timed suite (quick: 2^10, 2^14, 2^18, 2^22) of each other. A prediction between two of the
suite's sizes is said so ("falls between 2^14 and 2^18"). Timing knees are medians, not
tested: the finding's word is "untested". A run without cache_levels.json, or without the
iterate benchmarks, gets no finding.
"""
from __future__ import annotations

import statistics

from mapbench.analysis.counters import cache_levels
from mapbench.analysis.stats import finding_kit as findings

HOLDS = 0.25          # misses/elem below this x table lines/elem: the level holds the table
MISSES = 0.5          # at least this x: the level misses it
KNEE_RATIO = 1.15     # a median ns/element rise of 15% or more between two sizes is a knee
TOPIC = "Where the table leaves each cache level"
MAPS = {"classic": ("classic map", ""), "swiss": ("Swiss map", "map=swiss/")}


def label(n: float) -> str:
    n = int(round(n))
    return f"2^{n.bit_length() - 1}" if n > 0 and n & (n - 1) == 0 else f"{n:,}"


def _approx(n: float) -> str:
    return f"{n / 2**20:.1f}M" if n >= 2**20 else f"{n / 2**10:.1f}K" if n >= 2**10 else f"{n:.0f}"


def simulated_step(rows: list[dict], level: str) -> tuple[int | None, int | None] | None:
    """(last size that holds, first size that misses after it); (None, first) when the
    smallest already misses; None when no size misses (or no data)."""
    points = [(r["n"], r["per_element"].get(level), r.get("table_lines_per_element"))
              for r in sorted(rows, key=lambda r: r["n"])]
    points = [(n, v, lines) for n, v, lines in points if v is not None and lines]
    previous = None
    for n, v, lines in points:
        if v >= MISSES * lines:
            held = previous if previous is not None and previous[1] < HOLDS * previous[2] else None
            return (held[0] if held else None, n)
        previous = (n, v, lines)
    return None


def timing_knees(medians: dict[int, float]) -> list[tuple[int, int, float]]:
    """(a, b, ratio) for consecutive sizes whose median ns/element rises by KNEE_RATIO+."""
    sizes = sorted(medians)
    return [(a, b, medians[b] / medians[a]) for a, b in zip(sizes, sizes[1:])
            if medians[a] > 0 and medians[b] / medians[a] >= KNEE_RATIO]


def bracket(n: float, sizes: list[int]) -> str:
    """'between 2^14 and 2^18', 'at 2^14', 'below 2^10' or 'above 2^22'."""
    if n in sizes:
        return f"at {label(n)}"
    below = [s for s in sizes if s < n]
    above = [s for s in sizes if s > n]
    if not below:
        return f"below {label(sizes[0])}"
    if not above:
        return f"above {label(sizes[-1])}"
    return f"between {label(below[-1])} and {label(above[0])}"


def _step_index(n: int, sizes: list[int]) -> int:
    """The index of the first timed size at or above n (a simulated step's upper end)."""
    return next((i for i, s in enumerate(sizes) if s >= n), len(sizes))


def agrees(step: tuple[int | None, int], knees: list[tuple[int, int, float]], sizes: list[int]) -> bool:
    """True when a knee's upper size lies within one timed size step of the simulated one's."""
    at = _step_index(step[1], sizes)
    return any(abs(_step_index(b, sizes) - at) <= 1 for _, b, _ in knees)


def _medians(data: "findings.RunData", template: str) -> dict[int, float]:
    out = {}
    for n in data.sizes(template.split("/")[0]):
        bench = data.bench(template.format(n=n))
        if bench is not None:
            out[n] = statistics.median(bench.get_values()) * 1e9
    return out


def map_finding(data: "findings.RunData", kind: str) -> list["findings.Finding"]:
    doc = data.levels or {}
    rows = [r for r in doc.get("rows", []) if r.get("map") == kind]
    levels = [lv for lv in doc.get("levels", []) if lv.get("name")]
    if not rows or not levels:
        return []
    title, prefix = MAPS[kind]
    iterate = _medians(data, f"iterate/{prefix}storage=stack/prefetch=0/n={{n}}")
    roofline = _medians(data, f"roofline/{prefix}n={{n}}")
    timed_sizes = sorted(iterate) or sorted(r["n"] for r in rows)
    knees = timing_knees(iterate)
    roof_knees = timing_knees(roofline)
    parts, verdicts = [], []
    measured = cache_levels.measured_table_points(data.suite)
    for lv in levels:
        fill, fill_source = cache_levels.fill(kind, int(lv["size_bytes"]), data.layout, measured)
        step = simulated_step(rows, lv["name"])
        size = lv.get("machine", f"{lv['size_bytes']} B")
        text = step_text(f"{lv['label']} ({size})", step, rows)
        how = "measured table bytes" if fill_source == cache_levels.MEASURED else "predicted"
        text += f"; the table fills it at n~{_approx(fill)} ({how}, {bracket(fill, timed_sizes)})"
        if step is not None and step[0] is not None and iterate:
            ok = agrees(step, knees, timed_sizes)
            verdicts.append(ok)
            text += "; timing knee " + ("agrees (within one size step)" if ok else "does not agree")
        parts.append(text)
    knee_text = ("ns/element knees (iterate, stack, no prefetch): "
                 + (", ".join(f"{label(a)}->{label(b)} x{r:.2f}" for a, b, r in knees) or "none")
                 if iterate else "no iterate timings in this run's bench.json")
    if roofline:
        knee_text += ("; roofline knees: "
                      + (", ".join(f"{label(a)}->{label(b)} x{r:.2f}" for a, b, r in roof_knees) or "none"))
    hardware = _hardware_parts(doc, rows)
    sentence = f"{title}: " + "; ".join(parts) + f"; {knee_text}" + (f"; {hardware}" if hardware else "")
    record = doc.get("hardware") if isinstance(doc.get("hardware"), dict) else {}
    counters = ("" if not record or record.get("events")
                else f"; perf hardware counters: {record.get('why_not') or 'none'}")
    source = (f"misses: {doc.get('source', 'callgrind simulation')} (cache_levels.json){counters}, step = "
              f"misses/elem from below {HOLDS:g}x to at least {MISSES:g}x the table's lines/elem; "
              f"fill sizes: {'bench.json table_bytes' if measured.get(kind) else 'table bytes from the layout'} against each level; knees: median pyperf "
              f"ns/element rising {KNEE_RATIO - 1:.0%}+ between sizes, not tested")
    return [findings.Finding(TOPIC, sentence, findings.UNTESTED, source)]


def step_text(name: str, step, rows: list[dict]) -> str:
    """'NAME: step up between 2^14 and 2^18', '...: already high at 2^10' or '...: no step
    up by 2^22', from simulated_step's answer over rows."""
    if step is None:
        return f"{name}: no step up by {label(max(r['n'] for r in rows))}"
    if step[0] is None:
        return f"{name}: already high at {label(step[1])}"
    return f"{name}: step up between {label(step[0])} and {label(step[1])}"


def _hardware_parts(doc: dict, rows: list[dict]) -> str:
    """'perf hardware counter L2 (l2_rqsts.miss): step up between 2^14 and 2^18; ...' or ""."""
    record = doc.get("hardware") if isinstance(doc.get("hardware"), dict) else {}
    events = record.get("events") if isinstance(record.get("events"), dict) else {}
    counted = [dict(r, per_element=r["hardware_per_element"]) for r in rows
               if isinstance(r.get("hardware_per_element"), dict)]
    if not events or not counted:
        return ""
    parts = []
    for level, event in events.items():
        parts.append(step_text(f"{level} ({event})", simulated_step(counted, level), counted))
    return "perf hardware counter misses/elem: " + "; ".join(parts)


def cache_level_crossovers(data: "findings.RunData") -> list["findings.Finding"]:
    return map_finding(data, "classic") + map_finding(data, "swiss")
