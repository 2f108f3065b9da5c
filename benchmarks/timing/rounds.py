"""Interleaved rounds: how `mapbench bench` and `mapbench calibrate` order their worker processes.

Round r runs one process of every benchmark still in the pass, so a benchmark's processes
are spread over the whole pass instead of back to back: a shared host slows a CPU in
bursts, and a burst then hits one process of several benchmarks (or of every label being
compared) instead of every process of one. Invariants: every round visits the items in
the same order, less those `skip` drops; `rotated(seq, r)` is a rotation of seq, so over
len(seq) rounds each element leads once.
"""
from __future__ import annotations

from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")


def rotated(seq: Sequence[T], round_index: int) -> list[T]:
    """seq started at position round_index (mod its length): which label runs first."""
    if not seq:
        return []
    k = round_index % len(seq)
    return list(seq[k:]) + list(seq[:k])


def interleave(items: Sequence[T], rounds: int, *,
               skip: Callable[[T], bool] = lambda item: False) -> Iterator[tuple[int, int, int, T]]:
    """(round 1..rounds, position 1..len(todo), len(todo), item) for every item of every
    round; `skip` is asked at the start of each round (a benchmark that failed drops out)."""
    for round_no in range(1, rounds + 1):
        todo = [item for item in items if not skip(item)]
        for position, item in enumerate(todo, 1):
            yield round_no, position, len(todo), item
