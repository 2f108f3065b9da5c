"""Bisection over a commit sequence: which commits to measure next, and what they tell.

The sequence is GOOD, then the commits of GOOD..BAD oldest first; index 0 is GOOD, the
last is BAD. `lo` is the newest index known to measure like GOOD, `hi` the oldest known
to differ from GOOD by at least the threshold; the culprit is hi once hi == lo + 1.
With k free workers each step measures k commits that split (lo, hi) into k+1 nearly
equal parts (k = 1: plain binary search), so a range of n commits needs about
log_{k+1}(n) steps. A commit that could not be measured (failed build, no such
benchmark) is left out of later steps, as `git bisect skip` does; when only such
commits lie between lo and hi, the answer is the range, not one commit.

Assumes one step in the range (the metric changes once between GOOD and BAD); with
several, it finds one of them, not necessarily the first.

Pure: numbers in, indices out.
"""
from __future__ import annotations


def differs(base: float, value: float, threshold: float) -> bool:
    """|value / base - 1| >= threshold (a fraction, e.g. 0.001 for 0.1%)."""
    if base == value:
        return False
    if base == 0:
        return True
    return abs(value / base - 1.0) >= threshold


def candidates(lo: int, hi: int, unmeasurable: set[int]) -> list[int]:
    return [i for i in range(lo + 1, hi) if i not in unmeasurable]


def probes(lo: int, hi: int, k: int, unmeasurable: set[int]) -> list[int]:
    """Up to k indices strictly between lo and hi, splitting the measurable ones into k+1
    nearly equal parts; [] when none is left to measure."""
    left = candidates(lo, hi, unmeasurable)
    if not left:
        return []
    k = max(1, min(k, len(left)))
    picks = [left[(len(left) * j) // (k + 1)] for j in range(1, k + 1)]
    return sorted(set(picks))


def narrow(lo: int, hi: int, measured: dict[int, float], base: float,
           threshold: float) -> tuple[int, int]:
    """(lo, hi) after the measured indices between them: hi moves down to the first index
    that differs from `base`, lo up to the last index before it that does not."""
    for i in sorted(i for i in measured if lo < i < hi):
        if differs(base, measured[i], threshold):
            return lo, i
        lo = i
    return lo, hi
