"""What every finder shares: the Finding record, the run it reads (RunData), the
significance words, and the two shapes of a finding (an init pair, a pair by size).

A finding compares two variants of one benchmark within one run with the statistics of
`mapbench compare`; the finders themselves live in findings.py (the classic map and Go)
and swiss_findings.py (the Swiss map), which both build on this module.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyperf

from mapbench import names
from mapbench.analysis.stats import compare
from mapbench.analysis.stats.quiet_levels import (QUIET_FACTOR, Spread, process_levels, spread_of)

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
    levels: dict | None = None          # cache_levels.json (the profile pass's level sweep)
    layout: dict | None = None          # meta.json layout (sizes of bmap, swiss_group, ...)
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
    return names.size_label(n)


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


def why_not(t: compare.TimingChange, method: compare.Method) -> str:
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


def alloc_note(bench: pyperf.Benchmark | None) -> str | None:
    if bench is None:
        return None
    md = bench.get_metadata()
    allocs, nbytes = md.get("allocs_per_op"), md.get("alloc_bytes_per_op")
    if not isinstance(allocs, (int, float)):
        return None
    text = f"{allocs:.3g} alloc{'s' if allocs != 1 else ''}"
    return text + (f" of {nbytes / allocs:.3g} B" if allocs and isinstance(nbytes, (int, float))
                   else "")


def source_line(data: RunData, counts: bool = False, instructions: bool = False) -> str:
    return (TIMING_SOURCE + ("; " + ALLOC_SOURCE if counts else "")
            + ("; " + COUNT_SOURCE if instructions else ""))


def instructions_note(data: RunData, base: str, head: str) -> str:
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

def init_finding(data: RunData, topic: str, head: str, base: str) -> list[Finding]:
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
    head_allocs = alloc_note(data.bench(f"iterinit/storage={head}/n={n}"))
    base_allocs = alloc_note(data.bench(f"iterinit/storage={base}/n={n}"))
    counted = head_allocs is not None and base_allocs is not None
    if counted:
        sentence += f"; {head_allocs} per init vs {base_allocs} for {base}"
    instructions = instructions_note(data, f"iterinit/storage={base}/n={n}",
                                 f"iterinit/storage={head}/n={n}").replace("/element", " per init")
    if instructions:
        sentence += f"; {instructions}"
    if word == UNTESTED or (word == NOT_SIGNIFICANT and t.p_value < data.method.alpha):
        sentence += f"; {why_not(t, data.method)}"
    others = [f"{size_label(m)} {(o.head_median - o.base_median) * 1e9:+.1f} ns "
              f"({significance(o)})" for m, o in tests[1:]]
    if others:
        sentence += "; other sizes: " + ", ".join(others)
    return [Finding(topic, sentence, word, source_line(data, counted, bool(instructions)))]


def by_size(data: RunData, topic: str, what: str, pairs: list[tuple[int, str, str]],
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
    instructions = instructions_note(data, *names[at])
    if quiet:
        untested = [n for n, t in tests if significance(t) == UNTESTED]
        measured = [n for n, _ in tests]
        parts.append(f"no significant effect at {ranges(quiet, measured)}"
                     + (f" ({ranges(untested, measured)} untested: too few quiet processes)"
                        if untested else ""))
        if not significant:
            largest = max((t for _, t in tests), key=lambda t: abs(t.change))
            parts[-1] += f" (largest change {largest.change:+.1%}, {why_not(largest, data.method)})"
    word = overall([significance(t) for _, t in tests])
    if instructions:
        parts.append(f"{instructions} at {size_label(at)}")
    return [Finding(topic, f"{what}: " + "; ".join(parts), word,
                    source_line(data, instructions=bool(instructions)))]
