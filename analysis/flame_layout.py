"""Lay out folded stacks as flame-graph frames: one rectangle per distinct stack prefix.

The method is flamegraph.pl's "flow": sort the stacks so that every stack prefix is
a contiguous run, walk them once, and keep a column of open frames. When the next
stack shares only its first `i` frames with the previous one, the open frames
deeper than `i` are closed (their end is the running sample offset) and the new
stack's remaining frames are opened at that offset. No tree of nodes is built and
nothing recurses, so 100,000 unique stacks or stacks 10,000 frames deep cost only
one pass over the frames and memory for the frames that are kept.

Invariants of the result (`Layout.frames`, sorted by (depth, start)):
  - depth 0 is the single root frame "all", spanning [0, total);
  - a frame at depth d+1 lies inside exactly one frame at depth d (its parent), and
    siblings are disjoint and ordered by name (the sort of the stacks);
  - `width` is the inclusive weight of the prefix; `self` is the weight of stacks
    that end exactly there, so width == self + sum(children's widths) before pruning;
  - frames narrower than `min_count` are dropped with all their descendants (a
    child is never wider than its parent), which is what keeps big profiles light.

With a `base` profile the same walk runs over the union of both profiles' stacks:
the geometry comes from the head (the profile passed as `stacks`), and each frame
also carries the base's inclusive and self weight of the same prefix, which is all
a differential flame graph needs. Stacks only in the base have head width 0 and
are dropped like any frame narrower than `min_count` (and always when width is 0).
"""
from __future__ import annotations

from typing import Mapping, NamedTuple

from analysis.errors import InputError

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

    weights: dict[str, list[int]] = {}
    for stack, count in stacks.items():
        if count:
            weights[stack] = [count, 0]
    if base is not None:
        for stack, count in base.items():
            if count:
                weights.setdefault(stack, [0, 0])[1] += count

    # Sorting on stack + ";" (not on the bare stack) makes every frame prefix a
    # contiguous run: "a" and "a;b" stay together even when "a!" exists, because
    # "a;" < "a;b;" while "a!;" sorts before both.
    order = sorted(weights, key=lambda s: s + ";")

    kept: list[Frame] = []
    names: list[str] = []           # open frames, outermost first
    starts: list[int] = []          # head offset where each open frame began
    base_starts: list[int] = []     # base offset where each open frame began
    selfs: list[int] = []
    base_selfs: list[int] = []
    pos = 0
    base_pos = 0
    min_keep = max(min_count, 1e-300)   # zero-width frames are never drawn

    def close_down_to(level: int) -> None:
        while len(names) > level:
            depth = len(names)
            name = names.pop()
            start = starts.pop()
            width = pos - start
            own = selfs.pop()
            base_width = base_pos - base_starts.pop()
            base_own = base_selfs.pop()
            if width >= min_keep:
                kept.append(Frame(depth, start, width, name, own, base_width, base_own))

    for stack in order:
        head_count, base_count = weights[stack]
        frames = stack.split(";") if stack else []
        common = 0
        limit = min(len(frames), len(names))
        while common < limit and frames[common] == names[common]:
            common += 1
        close_down_to(common)
        for name in frames[common:]:
            names.append(name)
            starts.append(pos)
            base_starts.append(base_pos)
            selfs.append(0)
            base_selfs.append(0)
        if frames:
            selfs[-1] += head_count
            base_selfs[-1] += base_count
        pos += head_count
        base_pos += base_count
    close_down_to(0)

    root_self = weights.get("", [0, 0])
    kept.append(Frame(0, 0, total, ROOT_NAME, root_self[0], base_total, root_self[1]))
    kept.sort(key=lambda f: (f.depth, f.start))
    max_depth = kept[-1].depth
    return Layout(kept, total, base_total, max_depth)
