"""The answers a run gives to the article's questions, each with its number, uncertainty,
source and a significance word: the top of report.html and summary.md.

A finding compares two variants of one benchmark *within one run* (heap vs stack
iterator init at the same n, prefetch=D vs prefetch=0, ...) with the statistics of
`mapbench compare` (mapbench.analysis.stats.compare.compare_timing, default Method: the
quiet statistic, two-sided t test on one level per worker process, significant when
p < alpha AND the change is at least the minimum effect). The spread of levels is pooled
over every timed benchmark of the run, as compare pools it over its two runs. Counts
(allocs/op, bytes/op from the native counting allocator; instructions per element from
counts.json, the callgrind count pass) are quoted beside the times where the run has
them; they are exact, never tested. Go's `for range` comes from peers.json.

Each finder is a small function from a `RunData` to a list of `Finding`s and returns
[] when its benchmarks are not in the run, so a run with a subset of the suite (or
a new family another part of the suite adds) gets exactly the answers it has data for.
Add a finder by appending it to FINDERS.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from mapbench.analysis.stats import compare, go_peers  # noqa: F401
from mapbench.analysis.stats.finding_kit import (ALLOC_SOURCE, COUNTED_KEY, COUNT_SOURCE, Finding,  # noqa: F401 (the findings' public names)
                                                 MIXED, NOT_SIGNIFICANT, RunData, SIGNIFICANT,
                                                 TIMING_SOURCE, UNTESTED, alloc_note, init_finding,
                                                 instructions_note, source_line, why_not, by_size,
                                                 method_note, overall, ranges, significance,
                                                 size_label, uncertainty)
from mapbench.analysis.stats.quiet_levels import Spread, compare_levels, process_levels
from mapbench.analysis.stats.swiss_findings import swiss_prefetch, swiss_vs_classic
from mapbench.analysis.stats.level_findings import cache_level_crossovers
from mapbench.analysis.stats.miss_lines_findings import where_the_misses_are
from mapbench.analysis.stats.question_findings import does_inserting_end, iteration_after_deletes


def heap_vs_stack(data: RunData) -> list[Finding]:
    return init_finding(data, "Heap vs stack iterator", "heap", "stack")


def pool_vs_heap(data: RunData) -> list[Finding]:
    return init_finding(data, "Does pooling pay?", "pool", "heap")


def prefetch(data: RunData) -> list[Finding]:
    """Software prefetch at the suite's distance D against none, stack storage."""
    def distances_of(storage: str) -> list[int]:
        found = {name.split("/prefetch=")[1].split("/")[0] for name in data.suite.get_benchmark_names()
                 if name.startswith(f"iterate/storage={storage}/prefetch=")}
        return sorted({int(d) for d in found if d.isdigit()} - {0})

    # D is the distance every storage runs (--full); the stack iterator alone sweeps more.
    # A quick run has D on the stack iterator only.
    distances = distances_of("heap") or distances_of("stack")
    if len(distances) != 1 and not distances_of("heap"):
        return []
    d = distances[0]
    pairs = [(n, f"iterate/storage=stack/prefetch=0/n={n}",
              f"iterate/storage=stack/prefetch={d}/n={n}") for n in data.sizes("iterate")]
    return by_size(data, "Does prefetch help?", f"prefetch distance {d} (stack iterator)",
                    pairs, as_speedup=True)


def snapshot(data: RunData) -> list[Finding]:
    """Acquire-ordered snapshot of the bucket pointers against plain loads."""
    pairs = [(n, f"iterate/storage=stack/prefetch=0/n={n}",
              f"iterate/storage=stack/prefetch=0/snapshot=atomic/n={n}")
             for n in data.sizes("iterate")]
    return by_size(data, "What does the acquire-ordered snapshot cost?",
                    "acquire-ordered snapshot (stack iterator, no prefetch)", pairs,
                    as_speedup=False)


def growing(data: RunData) -> list[Finding]:
    """Iteration over a map whose grow is half done against a settled map."""
    pairs = [(n, f"iterate/storage=stack/prefetch=0/n={n}", f"iterate-growing/n={n}")
             for n in data.sizes("iterate-growing")]
    return by_size(data, "Iterating while the table grows",
                    "iteration during a half-done grow", pairs, as_speedup=False)


def ours_vs_go(data: RunData) -> list[Finding]:
    """Our full iteration against Go's `for k, v := range m` (peers.json), per Go version
    and size: ratio of ns/element (ours / Go), tested as our quiet process levels against
    Go's -count values (log units; a lone Go mean is tested against our spread alone)."""
    versions = go_peers.go_range(data.peers)
    ours = {n: process_levels(b)[0] for n in data.sizes("iterate")
            if (b := data.bench(f"iterate/storage=stack/prefetch=0/n={n}")) is not None}
    parts, words = [], []
    for version, go in versions:
        cells = []
        for n in sorted(set(go) & set(ours)):
            t = compare_levels(np.log(np.asarray(go[n])), ours[n], Spread(), data.method.confidence)
            if not math.isfinite(t.change):
                continue
            ok = math.isfinite(t.p_value)
            words.append(SIGNIFICANT if ok and t.p_value < data.method.alpha else
                         NOT_SIGNIFICANT if ok else UNTESTED)
            ci = (f"CI [{1 + t.ci_low:.2f}x, {1 + t.ci_high:.2f}x]" if math.isfinite(t.ci_low)
                  else "CI n/a")
            cells.append(f"{1 + t.change:.2f}x at {size_label(n)} ({ci}"
                         + ("" if words[-1] == SIGNIFICANT else f", {words[-1]}") + ")")
        if cells:
            parts.append(f"{version}: " + ", ".join(cells))
    if not parts:
        return []
    sentence = "ours / Go for-range, ns/element (below 1: ours is faster): " + "; ".join(parts)
    source = (f"ours: pyperf timing, quiet process levels; Go: "
              f"{data.peers.get('source', 'go test -bench')} (peers.json), one value per -count "
              f"run; t test of the log levels, p < {data.method.alpha:g}, "
              f"{data.method.confidence:.0%} CI")
    return [Finding("Ours against Go's map", sentence, overall(words), source)]


FINDERS: list[Callable[[RunData], list[Finding]]] = [
    heap_vs_stack, pool_vs_heap, prefetch, snapshot, growing, ours_vs_go,
    swiss_vs_classic, swiss_prefetch, cache_level_crossovers,
    where_the_misses_are, does_inserting_end, iteration_after_deletes]


def findings(data: RunData) -> list[Finding]:
    """Every finding the run has data for, in FINDERS order."""
    out = []
    for finder in FINDERS:
        out += finder(data)
    return out


def findings_markdown(found: list[Finding], method: compare.Method = compare.Method()) -> str:
    """The findings as a markdown list (the top of summary.md); '' when there are none."""
    if not found:
        return ""
    lines = ["## Findings", ""]
    lines += [f"- **{f.topic}**: {f.sentence}; **{f.significance}**. _Source: {f.source}._"
              for f in found]
    return "\n".join(lines + ["", method_note(method)]) + "\n"
