"""Lay out folded stacks as flame-graph frames: one rectangle per distinct stack prefix.

The stacks, each with ";" appended, are sorted as strings. Then every stack prefix
"f1;...;fk;" is a contiguous run of the sorted keys (any string between two strings
that start with "P;" starts with "P;" too), siblings come in name order, and the
end of a run is one binary search away: the first key >= "f1;...;fk<" (`<` is the
character after `;`). With prefix sums of the weights, a run's inclusive weight is
one subtraction. So the layout walks only the frames it keeps, plus one look at each
child run it drops, and never looks inside a dropped frame: 100,000 unique stacks
whose deep frames are all narrower than `min_count` cost a few thousand steps, not
one step per frame of input. A work list replaces recursion, so stacks 10,000 frames
deep need no recursion limit.

Invariants of the result (`Layout.frames`, sorted by (depth, start)):
  - depth 0 is the single root frame "all", spanning [0, total);
  - a frame at depth d+1 lies inside exactly one frame at depth d (its parent), and
    siblings are disjoint and ordered by the sort of the keys;
  - `width` is the inclusive weight of the prefix; `self` is the weight of the stack
    that ends exactly there, so width == self + sum(children's widths) before pruning;
  - frames narrower than `min_count` are dropped with all their descendants (a
    child is never wider than its parent), which is what keeps big profiles light.

With a `base` profile the walk runs over the union of both profiles' stacks: the
geometry comes from the head (the profile passed as `stacks`), and each frame also
carries the base's inclusive and self weight of the same prefix, which is all a
differential flame graph needs. Stacks only in the base have head width 0 and are
dropped like any frame narrower than `min_count` (and always when width is 0).
"""
from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import Mapping, NamedTuple

from mapbench.analysis.errors import InputError

ROOT_NAME = "all"


class Frame(NamedTuple):
    depth: int        # 0 for the root, 1 for the outermost frame of a stack
    start: int        # offset in head samples from the left edge
    width: int        # inclusive head samples
    name: str
    self: int         # head samples of stacks ending here
    base_width: int   # inclusive base samples of the same prefix (0 without a base)
    base_self: int    # base samples of stacks ending here (0 without a base)


class Layout(NamedTuple):
    frames: list[Frame]
    total: int        # head samples in all
    base_total: int   # base samples in all (0 without a base)
    max_depth: int    # deepest kept frame


def check_stacks(stacks: Mapping[str, int], what: str = "profile") -> int:
    """Validate weights; returns the total. Raises InputError for unusable input."""
    total = 0
    for stack, count in stacks.items():
        if not isinstance(stack, str):
            raise InputError(f"{what}: a stack is not text: {stack!r:.80}")
        if isinstance(count, bool) or not isinstance(count, int):
            raise InputError(f"{what}: the weight of a stack is not an integer: {count!r:.80}")
        if count < 0:
            raise InputError(f"{what}: negative weight {count} for a stack")
        total += count
    if total == 0:
        raise InputError(f"{what}: no samples (empty input or all weights are 0)")
    return total


def reverse_stacks(stacks: Mapping[str, int]) -> dict[str, int]:
    """The callers view: every stack leaf first, merged where reversed stacks coincide."""
    out: dict[str, int] = {}
    for stack, count in stacks.items():
        key = ";".join(reversed(stack.split(";"))) if stack else stack
        out[key] = out.get(key, 0) + count
    return out


def layout(stacks: Mapping[str, int], *, min_count: float = 0.0,
           base: Mapping[str, int] | None = None) -> Layout:
    """Frames of the flame graph of `stacks` (and base weights when `base` is given)."""
    total = check_stacks(stacks, "profile")
    base_total = check_stacks(base, "base profile") if base is not None else 0

    head_of: dict[str, int] = {}
    base_of: dict[str, int] = {}
    for stack, count in stacks.items():
        if count:
            head_of[stack + ";"] = count
    if base is not None:
        for stack, count in base.items():
            if count:
                base_of[stack + ";"] = count
    # The empty stack (samples without frames) only adds to the root's self weight.
    root_self = head_of.pop(";", 0)
    root_base_self = base_of.pop(";", 0)
    keys = sorted(head_of.keys() | base_of.keys()) if base_of else sorted(head_of)
    head_cum = [0, *accumulate(head_of.get(k, 0) for k in keys)]
    base_cum = [0, *accumulate(base_of.get(k, 0) for k in keys)] if base_of else None
    min_keep = max(min_count, 1e-300)   # zero-width frames are never drawn

    kept = [Frame(0, 0, total, ROOT_NAME, root_self, base_total, root_base_self)]
    # Work list of runs still to split: (depth of their frames, lo, hi, length of the
    # parent's prefix). keys[lo:hi] all start with the same parent prefix.
    work = [(1, 0, len(keys), 0)]
    while work:
        depth, i, hi, plen = work.pop()
        while i < hi:
            key = keys[i]
            end = key.find(";", plen)
            # The run of this child: keys that start with key[:end + 1]. When the last
            # key of the parent's run has the same frame here, the run is all of it
            # (the common case along a deep chain, no copy of the long prefix).
            if hi - i == 1 or keys[hi - 1].startswith(key[plen:end + 1], plen):
                j = hi
            else:
                j = bisect_left(keys, key[:end] + "<", i + 1, hi)
            width = head_cum[j] - head_cum[i]
            if width >= min_keep:
                ends_here = len(key) == end + 1     # the stack that stops at this frame
                own = head_of.get(key, 0) if ends_here else 0
                if base_cum is None:
                    base_width = base_own = 0
                else:
                    base_width = base_cum[j] - base_cum[i]
                    base_own = base_of.get(key, 0) if ends_here else 0
                kept.append(Frame(depth, head_cum[i], width, key[plen:end], own, base_width, base_own))
                if j - i > (1 if ends_here else 0):
                    work.append((depth + 1, i + 1 if ends_here else i, j, end + 1))
            i = j
    kept.sort(key=lambda f: (f.depth, f.start))
    max_depth = kept[-1].depth
    return Layout(kept, total, base_total, max_depth)
