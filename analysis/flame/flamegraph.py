"""Folded stacks to an interactive flame-graph SVG (flamegraph.pl's view, reproducibly).

    render_svg({"main;mapiternext": 90, "main;hash64": 10}, title="iterate 2^20")

The work is split by concern: `flame_layout` turns stacks into frames, `flame_colors`
picks a colour per name, `flame_svg` writes the document with the viewer script from
`flame_assets`. `diffflame` reuses all three for differential graphs.
"""
from __future__ import annotations

from typing import Mapping

from mapbench.analysis.errors import InputError
from mapbench.analysis.flame.flame_colors import frame_fill
from mapbench.analysis.flame.flame_layout import Frame, check_stacks, layout, reverse_stacks
from mapbench.analysis.flame.flame_svg import XPAD, format_info, write_svg
from mapbench.analysis.flame.first_screen import (collapse_unknown_runs, collapsed_note, draw_inverted,
                                                  truncate_depth)

DEFAULT_MIN_WIDTH = 0.1    # px: narrower frames are left out, as flamegraph.pl does


def check_geometry(width: int, min_width: float) -> None:
    if isinstance(width, bool) or not isinstance(width, int) or width <= 2 * XPAD + 10:
        raise InputError(f"width must be a whole number of pixels above {2 * XPAD + 10}, not {width!r}")
    if not min_width >= 0:
        raise InputError(f"min width must be 0 or more pixels, not {min_width!r}")


def one_line(text: str) -> str:
    """Text for a single-line slot (title, count name): line breaks become spaces."""
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def min_count_for(total: int, width: int, min_width: float) -> float:
    """The weight below which a frame would be narrower than `min_width` pixels."""
    return min_width * total / (width - 2 * XPAD)


def render_svg(stacks: Mapping[str, int], *, title: str = "Flame Graph", subtitle: str | None = None,
               width: int = 1200, min_width: float = DEFAULT_MIN_WIDTH, inverted: bool = False,
               reverse: bool = False, count_name: str = "samples", collapse_unknown: bool = False,
               max_depth: int | None = None) -> str:
    """One self-contained SVG flame graph of `stacks` (folded stack -> weight).

    inverted: icicle layout (roots at the top). reverse: the callers view, every stack
    read leaf first, so the root row shows where time was spent and the rows above
    show who called it. collapse_unknown: each run of `[unknown]` frames drawn as one
    frame whose tooltip says how many it replaced. max_depth: stacks cut after that many
    frames. (mapbench.analysis.flame.first_screen.) Raises InputError when there is
    nothing to draw.
    """
    check_geometry(width, min_width)
    if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int)
                                  or max_depth < 1):
        raise InputError(f"max depth must be a whole number of frames, 1 or more, not {max_depth!r}")
    if collapse_unknown:
        stacks = collapse_unknown_runs(stacks)
    if reverse:
        stacks = reverse_stacks(stacks)
    if max_depth is not None:
        stacks = truncate_depth(stacks, max_depth)
    total = check_stacks(stacks)
    result = layout(stacks, min_count=min_count_for(total, width, min_width))
    count_name = one_line(count_name)
    fills: dict[str, str] = {}

    def fill_of(frame: Frame) -> str:
        if frame.depth == 0:
            return "rgb(200,200,200)"
        fill = fills.get(frame.name)
        if fill is None:
            fill = fills[frame.name] = frame_fill(frame.name)
        return fill

    def info_of(frame: Frame) -> str:
        info = format_info(frame.width, result.total, count_name)
        note = collapsed_note(frame.name) if collapse_unknown else None
        return f"{info}; {note}" if note else info

    return write_svg(result.frames, total=result.total, max_depth=result.max_depth, width=width,
                     title=one_line(title or ""), subtitle=one_line(subtitle) if subtitle else None,
                     inverted=inverted, fill_of=fill_of, info_of=info_of)


def render_first_screen_svg(stacks: Mapping[str, int], *, title: str, subtitle: str | None = None,
                            count_name: str = "samples", width: int = 1200) -> str:
    """The suite's own flame graphs (`mapbench profile`): runs of `[unknown]` frames drawn as
    one, and an icicle (root on top) where the usual layout would put the root below the
    first screen of a 1400x900 window (mapbench.analysis.flame.first_screen)."""
    shown = collapse_unknown_runs(stacks)
    return render_svg(shown, title=title, subtitle=subtitle, count_name=count_name, width=width,
                      collapse_unknown=True, inverted=draw_inverted(shown, has_subtitle=bool(subtitle)))
