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
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pyperf

from mapbench.analysis.stats import compare, go_peers
from mapbench.analysis.stats.quiet_levels import (QUIET_FACTOR, Spread, compare_levels,
                                                  process_levels, spread_of)

SIGNIFICANT = "significant"
NOT_SIGNIFICANT = "not significant"
UNTESTED = "untested"                  # too few quiet processes for a test
MIXED = "significant at some sizes"    # a finding over sizes: which ones, its sentence says

TIMING_SOURCE = "pyperf timing of this run, tested as mapbench compare tests (method below)"
ALLOC_SOURCE = "allocs: native counting allocator"
COUNTED_KEY = "Ir"                     # counts.json per_element key: instructions executed
COUNT_SOURCE = "instructions: callgrind count pass (counts.json), exact, not tested"


@dataclass(frozen=True)
class Finding:
    """One answer: `sentence` carries the number and its uncertainty, `significance` is
    one of SIGNIFICANT / NOT_SIGNIFICANT / UNTESTED / MIXED (tested at several sizes),
    `source` says where the numbers came from."""
    topic: str
    sentence: str
    significance: str
    source: str


@dataclass
class RunData:
    """What the finders read: the run's pyperf suite, peers.json when Go ran, counts.json
    when the count pass ran ({"benchmarks": {name: {"per_element": {"Ir": ...}}}})."""
    suite: pyperf.BenchmarkSuite
    peers: dict | None = None
    method: compare.Method = field(default_factory=compare.Method)
    counts: dict | None = None
    lines: dict | None = None           # lines.json.gz, the count pass's per-line data (schema 1)
    _prior: Spread | None = None

    def instructions(self, name: str) -> float | None:
        """Instructions per element of a benchmark from counts.json, or None."""
        benches = self.counts.get("benchmarks") if isinstance(self.counts, dict) else None
        entry = benches.get(name) if isinstance(benches, dict) else None
        per = entry.get("per_element") if isinstance(entry, dict) else None
        value = per.get(COUNTED_KEY) if isinstance(per, dict) else None
        return float(value) if isinstance(value, (int, float)) and value > 0 else None

    def bench(self, name: str) -> pyperf.Benchmark | None:
        try:
            bench = self.suite.get_benchmark(name)
        except KeyError:
            return None
        return bench if bench.get_unit() == "second" and bench.get_values() else None

    @property
    def prior(self) -> Spread:
        """Spread of quiet process levels pooled over every timed benchmark of the run."""
        if self._prior is None:
            total = Spread()
            for bench in self.suite.get_benchmarks():
                if bench.get_unit() == "second":
                    total += spread_of(process_levels(bench)[0])
            self._prior = total
        return self._prior

    def sizes(self, family: str) -> list[int]:
        out = set()
        for name in self.suite.get_benchmark_names():
            head, _, n = name.rpartition("/n=")
            if head.split("/")[0] == family and n.isdigit():
                out.add(int(n))
        return sorted(out)

    def test(self, base: str, head: str) -> compare.TimingChange | None:
        """head vs base, both benchmarks of this run; None when either is missing."""
        b, h = self.bench(base), self.bench(head)
        if b is None or h is None:
            return None
        return compare.compare_timing(head, b, h, self.method, self.prior)


# -- wording ------------------------------------------------------------------------------

def size_label(n: int) -> str:
    return f"2^{n.bit_length() - 1}" if n > 0 and n & (n - 1) == 0 else str(n)


def significance(t: compare.TimingChange) -> str:
    if not math.isfinite(t.p_value):
        return UNTESTED
    return NOT_SIGNIFICANT if t.verdict == compare.UNCHANGED else SIGNIFICANT


def overall(words: list[str]) -> str:
    """One word for a finding tested at several sizes."""
    if all(w == SIGNIFICANT for w in words):
        return SIGNIFICANT
    if any(w == SIGNIFICANT for w in words):
        return MIXED
    return UNTESTED if all(w == UNTESTED for w in words) else NOT_SIGNIFICANT


def _why_not(t: compare.TimingChange, method: compare.Method) -> str:
    """Why a change is not called significant, when it is not."""
    if not math.isfinite(t.p_value):
        return "too few quiet processes to test"
    if t.p_value < method.alpha:
        return f"p = {t.p_value:.2g} but below the {method.min_effect:.0%} minimum effect"
    return f"p = {t.p_value:.2g}"


def uncertainty(t: compare.TimingChange, method: compare.Method) -> str:
    """'95% CI [+40%, +52%], p = 0.0003' for the change (or what stands in for a missing part)."""
    ci = ("CI n/a" if not math.isfinite(t.ci_low)
          else f"{method.confidence:.0%} CI [{t.ci_low:+.0%}, {t.ci_high:+.0%}]")
    p = "p n/a" if not math.isfinite(t.p_value) else f"p = {t.p_value:.2g}"
    return f"{ci}, {p}"


def ranges(sizes: list[int], measured: list[int]) -> str:
    """`sizes` as spans of neighbours among the `measured` sizes: '2^10-2^18, 2^24'."""
    spans: list[list[int]] = []
    for n in sorted(sizes):
        if spans and measured.index(n) == measured.index(spans[-1][-1]) + 1:
            spans[-1].append(n)
        else:
            spans.append([n])
    return ", ".join(size_label(s[0]) if len(s) == 1 else
                     f"{size_label(s[0])}{'-' if len(s) > 2 else ', '}{size_label(s[-1])}"
                     for s in spans)


def _allocs(bench: pyperf.Benchmark | None) -> str | None:
    if bench is None:
        return None
    md = bench.get_metadata()
    allocs, nbytes = md.get("allocs_per_op"), md.get("alloc_bytes_per_op")
    if not isinstance(allocs, (int, float)):
        return None
    text = f"{allocs:.3g} alloc{'s' if allocs != 1 else ''}"
    return text + (f" of {nbytes / allocs:.3g} B" if allocs and isinstance(nbytes, (int, float))
                   else "")


def _source(data: RunData, counts: bool = False, instructions: bool = False) -> str:
    return (TIMING_SOURCE + ("; " + ALLOC_SOURCE if counts else "")
            + ("; " + COUNT_SOURCE if instructions else ""))


def _instructions(data: RunData, base: str, head: str) -> str:
    """'41.0 -> 45.2 instructions/element (+10.2%)' when counts.json has both, else ''."""
    b, h = data.instructions(base), data.instructions(head)
    if b is None or h is None:
        return ""
    return f"{b:.3g} -> {h:.3g} instructions/element ({h / b - 1:+.1%})"


def method_note(method: compare.Method) -> str:
    """The test behind every finding's significance word, said once under the list."""
    return (f"Method: two variants of one benchmark in this run, compared as mapbench compare "
            f"compares two runs (statistic {method.statistic}): a two-sided t test on one level "
            f"per worker process (the median of its values within {QUIET_FACTOR - 1:.0%} of the "
            f"benchmark's fastest), spread pooled over the run's benchmarks; significant when "
            f"p < {method.alpha:g} and the change is at least {method.min_effect:.0%}; "
            f"{method.confidence:.0%} t interval of the change.")


# -- the findings -----------------------------------------------------------------------

def _init_finding(data: RunData, topic: str, head: str, base: str) -> list[Finding]:
    """Iterator init of one storage against another: ns per init at the smallest size
    (init does not walk the map), the other sizes in brief, the allocator's counts."""
    tests = [(n, data.test(f"iterinit/storage={base}/n={n}", f"iterinit/storage={head}/n={n}"))
             for n in data.sizes("iterinit")]
    tests = [(n, t) for n, t in tests if t is not None]
    if not tests:
        return []
    n, t = tests[0]
    word = significance(t)
    ns = (t.head_median - t.base_median) * 1e9
    sentence = (f"{head} iterator: {ns:+.1f} ns per init over {base} at n={size_label(n)} "
                f"({t.change:+.0%}, {uncertainty(t, data.method)})")
    head_allocs = _allocs(data.bench(f"iterinit/storage={head}/n={n}"))
    base_allocs = _allocs(data.bench(f"iterinit/storage={base}/n={n}"))
    counted = head_allocs is not None and base_allocs is not None
    if counted:
        sentence += f"; {head_allocs} per init vs {base_allocs} for {base}"
    instructions = _instructions(data, f"iterinit/storage={base}/n={n}",
                                 f"iterinit/storage={head}/n={n}").replace("/element", " per init")
    if instructions:
        sentence += f"; {instructions}"
    if word == UNTESTED or (word == NOT_SIGNIFICANT and t.p_value < data.method.alpha):
        sentence += f"; {_why_not(t, data.method)}"
    others = [f"{size_label(m)} {(o.head_median - o.base_median) * 1e9:+.1f} ns "
              f"({significance(o)})" for m, o in tests[1:]]
    if others:
        sentence += "; other sizes: " + ", ".join(others)
    return [Finding(topic, sentence, word, _source(data, counted, bool(instructions)))]


def heap_vs_stack(data: RunData) -> list[Finding]:
    return _init_finding(data, "Heap vs stack iterator", "heap", "stack")


def pool_vs_heap(data: RunData) -> list[Finding]:
    return _init_finding(data, "Does pooling pay?", "pool", "heap")


def _by_size(data: RunData, topic: str, what: str, pairs: list[tuple[int, str, str]],
             as_speedup: bool) -> list[Finding]:
    """A variant against its baseline at every size: the significant sizes with their
    numbers, the others grouped as 'no significant effect at ...'."""
    tests = [(n, data.test(base, head)) for n, base, head in pairs]
    tests = [(n, t) for n, t in tests if t is not None]
    if not tests:
        return []
    significant = [(n, t) for n, t in tests if significance(t) == SIGNIFICANT]
    quiet = [n for n, t in tests if significance(t) != SIGNIFICANT]

    def effect(n, t, first):
        """The largest effect in full (times, interval, p); the others as value + interval."""
        times = f"{t.base_median * 1e9:.2f} -> {t.head_median * 1e9:.2f} ns/element, "
        if as_speedup and t.ratio > 0:
            faster = t.ratio < 1
            lo, hi = ((1 / (1 + t.ci_high), 1 / (1 + t.ci_low)) if faster
                      else (1 + t.ci_low, 1 + t.ci_high))
            ci = ("CI n/a" if not math.isfinite(t.ci_low) else
                  f"{data.method.confidence:.0%} CI [{lo:.2f}x, {hi:.2f}x]")
            value = f"{1 / t.ratio if faster else t.ratio:.2f}x {'faster' if faster else 'slower'}"
            detail = f"{times}{ci}, p = {t.p_value:.2g}" if first else ci
        else:
            value = f"{t.change:+.1%} per element"
            detail = (times if first else "") + (uncertainty(t, data.method) if first else
                                                  uncertainty(t, data.method).split(", p")[0])
        return f"{value} at {size_label(n)} ({detail})"

    ordered = sorted(significant, key=lambda nt: -abs(nt[1].change))
    parts = [effect(n, t, i == 0) for i, (n, t) in enumerate(ordered)]
    names = {n: (base, head) for n, base, head in pairs}
    at = ordered[0][0] if ordered else tests[-1][0]     # the headline size, else the largest
    instructions = _instructions(data, *names[at])
    if quiet:
        untested = [n for n, t in tests if significance(t) == UNTESTED]
        measured = [n for n, _ in tests]
        parts.append(f"no significant effect at {ranges(quiet, measured)}"
                     + (f" ({ranges(untested, measured)} untested: too few quiet processes)"
                        if untested else ""))
        if not significant:
            largest = max((t for _, t in tests), key=lambda t: abs(t.change))
            parts[-1] += f" (largest change {largest.change:+.1%}, {_why_not(largest, data.method)})"
    word = overall([significance(t) for _, t in tests])
    if instructions:
        parts.append(f"{instructions} at {size_label(at)}")
    return [Finding(topic, f"{what}: " + "; ".join(parts), word,
                    _source(data, instructions=bool(instructions)))]


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
    return _by_size(data, "Does prefetch help?", f"prefetch distance {d} (stack iterator)",
                    pairs, as_speedup=True)


def snapshot(data: RunData) -> list[Finding]:
    """Acquire-ordered snapshot of the bucket pointers against plain loads."""
    pairs = [(n, f"iterate/storage=stack/prefetch=0/n={n}",
              f"iterate/storage=stack/prefetch=0/snapshot=atomic/n={n}")
             for n in data.sizes("iterate")]
    return _by_size(data, "What does the acquire-ordered snapshot cost?",
                    "acquire-ordered snapshot (stack iterator, no prefetch)", pairs,
                    as_speedup=False)


def growing(data: RunData) -> list[Finding]:
    """Iteration over a map whose grow is half done against a settled map."""
    pairs = [(n, f"iterate/storage=stack/prefetch=0/n={n}", f"iterate-growing/n={n}")
             for n in data.sizes("iterate-growing")]
    return _by_size(data, "Iterating while the table grows",
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
    heap_vs_stack, pool_vs_heap, prefetch, snapshot, growing, ours_vs_go]

from mapbench.analysis.stats.swiss_findings import swiss_prefetch, swiss_vs_classic  # noqa: E402 (it reads this module)

FINDERS.append(swiss_vs_classic)
FINDERS.append(swiss_prefetch)
from mapbench.analysis.stats.miss_lines_findings import where_the_misses_are  # noqa: E402,I001
FINDERS.append(where_the_misses_are)


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
