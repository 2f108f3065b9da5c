"""Flame graphs that open on their content: unknown towers collapsed, deep graphs drawn as icicles.

perf cannot unwind through CPython's libpython (no frame pointers): a few samples then
carry a tower of 100+ `[unknown]` frames, and a flame graph as tall as its deepest stack
puts the map's frames 1500 px below the top of a blank page. Three transforms fix that:

  - `collapse_unknown_runs`: a run of k >= 2 identical `[unknown]` frames in a stack
    becomes one frame named `[unknown] ×k`; `collapsed_note` gives that frame's tooltip
    line ("126 [unknown] frames shown as one"). The sample weights are unchanged, so
    every frame keeps its width; only the unknown runs lose height.
  - `truncate_depth`: stacks cut after `max_depth` frames (a cut stack's weight becomes
    the self weight of its last kept frame), for `mapbench flamegraph --max-depth`.
  - `draw_inverted`: whether a graph drawn the usual way (root at the bottom) would put
    its root below the first screen (FIRST_SCREEN_PX: what a 1400x900 browser window
    shows of a page once its own bars are drawn; headless Chromium at 1400x900 gives the
    page 757 px); then the profile pass draws it as an icicle, root and widest frames at
    the top.

Pure functions of folded stacks; `mapbench fold` applies none of them unless asked
(`--collapse-unknown`), so its stackcollapse-perf.pl-compatible output stays as it was.
"""
from __future__ import annotations

import re
from typing import Mapping

from mapbench.analysis.flame.flame_svg import svg_height

UNKNOWN = "[unknown]"
FIRST_SCREEN_PX = 740   # px of a page a 1400x900 window shows (headless Chromium: 757)
_COLLAPSED = re.compile(r"^\[unknown\] ×(\d+)$")


def collapsed_name(count: int) -> str:
    return f"{UNKNOWN} ×{count}"


def collapsed_note(name: str) -> str | None:
    """The tooltip line of a collapsed frame ("126 [unknown] frames ..."), None for others."""
    match = _COLLAPSED.match(name)
    if match is None:
        return None
    return (f"{match.group(1)} {UNKNOWN} frames in a row, shown as one "
            "(perf could not unwind these frames: no frame pointers)")


def _collapse(stack: str) -> str:
    if UNKNOWN + ";" + UNKNOWN not in stack:
        return stack
    out: list[str] = []
    run = 0
    for frame in stack.split(";") + [""]:
        if frame == UNKNOWN:
            run += 1
            continue
        if run:
            out.append(UNKNOWN if run == 1 else collapsed_name(run))
            run = 0
        out.append(frame)
    return ";".join(out[:-1])


def collapse_unknown_runs(stacks: Mapping[str, int]) -> dict[str, int]:
    """`stacks` with each run of k >= 2 `[unknown]` frames as one frame `[unknown] ×k`."""
    out: dict[str, int] = {}
    for stack, count in stacks.items():
        key = _collapse(stack)
        out[key] = out.get(key, 0) + count
    return out


def truncate_depth(stacks: Mapping[str, int], max_depth: int) -> dict[str, int]:
    """`stacks` cut after their first `max_depth` frames (root first), weights merged."""
    out: dict[str, int] = {}
    for stack, count in stacks.items():
        key = ";".join(stack.split(";")[:max_depth]) if stack.count(";") >= max_depth else stack
        out[key] = out.get(key, 0) + count
    return out


def stack_depth(stacks: Mapping[str, int]) -> int:
    """Frames in the deepest stack with a weight (the graph's max depth, before pruning)."""
    return max((stack.count(";") + 1 for stack, count in stacks.items() if count and stack), default=0)


def draw_inverted(stacks: Mapping[str, int], *, has_subtitle: bool = True,
                  screen_px: int = FIRST_SCREEN_PX) -> bool:
    """True when the usual layout would put the root row below the first `screen_px` pixels."""
    return svg_height(stack_depth(stacks), has_subtitle) > screen_px
