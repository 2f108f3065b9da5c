"""Differential flame graphs and a table of the largest changes between two profiles.

The picture is the head (newer) profile's flame graph; each frame is coloured by
how much its share of its own profile changed: red grew, blue shrank, white did not
change, the deepest colour for the largest change shown. Shares are normalised to
each profile's total, so profiles of different lengths compare fairly.

Two meanings of "a frame's change" (both in percentage points of the total):
  leaf     FlameGraph's difffolded.pl + flamegraph.pl semantics: the change of the
           frame's *self* weight (samples of stacks ending exactly at that frame).
           A caller whose callees got slower stays white.
  subtree  the change of the frame's *inclusive* weight (the whole stack prefix),
           which is what most readers expect: the caller of a slower callee is red.
Frames that exist only in the base have no width in the head and are not drawn;
`diff_table` lists them.
"""
from __future__ import annotations

from typing import Mapping

from mapbench.analysis.errors import InputError
from mapbench.analysis.flame.flame_colors import diff_fill
from mapbench.analysis.flame.flame_layout import Frame, check_stacks, layout, reverse_stacks
from mapbench.analysis.flame.flame_svg import displayable, write_svg
from mapbench.analysis.flame.flamegraph import DEFAULT_MIN_WIDTH, check_geometry, min_count_for, one_line

MODES = ("leaf", "subtree")

_MODE_TEXT = {
    "leaf": "leaf mode: colour = change of self samples (FlameGraph difffolded semantics)",
    "subtree": "subtree mode: colour = change of inclusive samples",
}


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InputError(f"diff mode must be one of {', '.join(MODES)}, not {mode!r}")


def frame_delta(frame: Frame, total: int, base_total: int, mode: str) -> tuple[int, int]:
    """The change of the frame's share as an exact fraction (numerator, denominator).

    head/total - base/base_total == (head*base_total - base*total) / (total*base_total);
    integers keep "no change" exactly zero whatever the totals are.
    """
    if mode == "leaf":
        head, base = frame.self, frame.base_self
    else:
        head, base = frame.width, frame.base_width
    return head * base_total - base * total, total * base_total


def render_diff_svg(base: Mapping[str, int], head: Mapping[str, int], *, mode: str = "leaf",
                    title: str = "Differential Flame Graph", subtitle: str | None = None,
                    width: int = 1200, min_width: float = DEFAULT_MIN_WIDTH, inverted: bool = False,
                    reverse: bool = False, count_name: str = "samples") -> str:
    """The head's flame graph coloured by the per-frame change from `base` (see module doc)."""
    _check_mode(mode)
    check_geometry(width, min_width)
    base_total = check_stacks(base, "base profile")
    total = check_stacks(head, "head profile")
    if reverse:
        base, head = reverse_stacks(base), reverse_stacks(head)
    result = layout(head, min_count=min_count_for(total, width, min_width), base=base)
    count_name = one_line(count_name)

    deltas = {}
    for frame in result.frames:
        num, den = frame_delta(frame, total, base_total, mode)
        deltas[(frame.depth, frame.start)] = num / den
    max_delta = max((abs(d) for d in deltas.values()), default=0.0)

    def fill_of(frame: Frame) -> str:
        return diff_fill(deltas[(frame.depth, frame.start)], max_delta)

    def info_of(frame: Frame) -> str:
        what = "self" if mode == "leaf" else "total"
        head_share = (frame.self if mode == "leaf" else frame.width) / total
        base_share = (frame.base_self if mode == "leaf" else frame.base_width) / base_total
        delta = deltas[(frame.depth, frame.start)]
        return (f"{frame.width:,} {count_name}, {100 * frame.width / total:.2f}%; "
                f"{what} {100 * base_share:.2f}% -> {100 * head_share:.2f}%, "
                f"{100 * delta:+.2f} points")

    statement = (f"{_MODE_TEXT[mode]}, each profile normalised to its own total "
                 f"(base {base_total:,}, head {total:,} {count_name}); red grew, blue shrank")
    full_subtitle = f"{one_line(subtitle)} | {statement}" if subtitle else statement
    return write_svg(result.frames, total=result.total, max_depth=result.max_depth, width=width,
                     title=one_line(title or ""), subtitle=full_subtitle, inverted=inverted,
                     fill_of=fill_of, info_of=info_of)


def function_shares(stacks: Mapping[str, int], mode: str) -> dict[str, int]:
    """Weight per function name: self weight (leaf) or inclusive weight counted once
    per stack however often the function recurses in it (subtree)."""
    shares: dict[str, int] = {}
    for stack, count in stacks.items():
        if not count or not stack:
            continue
        frames = stack.split(";")
        names = (frames[-1],) if mode == "leaf" else set(frames)
        for name in names:
            shares[name] = shares.get(name, 0) + count
    return shares


def _cell(name: str) -> str:
    """A function name as a markdown table cell."""
    text = displayable(name).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r", " ").replace("\n", " ")


def diff_table(base: Mapping[str, int], head: Mapping[str, int], *, limit: int = 20,
               mode: str = "subtree") -> str:
    """Markdown table of the functions whose share changed most, largest |change| first."""
    _check_mode(mode)
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}")
    base_total = check_stacks(base, "base profile")
    total = check_stacks(head, "head profile")
    base_shares = function_shares(base, mode)
    head_shares = function_shares(head, mode)
    rows = []
    for name in base_shares.keys() | head_shares.keys():
        before = 100 * base_shares.get(name, 0) / base_total
        after = 100 * head_shares.get(name, 0) / total
        rows.append((after - before, name, before, after))
    rows.sort(key=lambda row: (-abs(row[0]), row[1]))
    weight = "self" if mode == "leaf" else "inclusive"
    lines = [
        f"Largest changes of {weight} share ({mode} mode; % of each profile's own total: "
        f"base {base_total:,}, head {total:,} samples from the folded profiles)",
        "",
        "| function | base % | head % | delta (points) |",
        "|---|---:|---:|---:|",
    ]
    for delta, name, before, after in rows[:limit]:
        lines.append(f"| {_cell(name)} | {before:.2f} | {after:.2f} | {delta:+.2f} |")
    return "\n".join(lines) + "\n"
