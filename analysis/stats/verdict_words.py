"""The word a verdict is written with, by what the metric measures.

A timed metric (pyperf time per element) measures speed: "slower", "faster". A counted
metric (instructions or estimated cycles per element, from the callgrind count pass)
measures work, not speed: "more work", "less work". The comparisons keep one verdict
code (analysis/stats/compare.py SLOWER/FASTER/UNCHANGED, which `--fail-on-regression`
reads the same way for both); every page, table and terminal line writes it through
`verdict_word`, so no counted verdict ever reads "faster".

TIME_VS_COUNTS is the one sentence that says why time and counts can disagree; a page
writes it once.
"""
from __future__ import annotations

from mapbench.analysis.stats.compare import FASTER, SLOWER, UNCHANGED

TIMED_METRICS = ("time",)
_TIMED = {SLOWER: "slower", FASTER: "faster", UNCHANGED: "no significant change"}
_COUNTED = {SLOWER: "more work", FASTER: "less work", UNCHANGED: "unchanged"}

TIME_VS_COUNTS = (
    "Time and counts can disagree: counts are exact but simulate no hardware prefetcher and "
    "no memory-level parallelism, and treat software prefetch as no memory access, so a change "
    "that hides memory latency shows in time only; time sees everything the CPU does but "
    "wanders with the machine's load. Counts say how much work, not how fast.")


def is_counted(metric: str) -> bool:
    return metric not in TIMED_METRICS


def verdict_word(verdict: str, metric: str) -> str:
    """"slower"/"faster"/"no significant change" for time; "more work"/"less work"/"unchanged"
    for a counted metric."""
    words = _COUNTED if is_counted(metric) else _TIMED
    if verdict not in words:
        raise ValueError(f"unknown verdict {verdict!r}")
    return words[verdict]
