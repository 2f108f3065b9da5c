"""Property tests: any frame name is escaped and kept intact; output is deterministic; widths add up."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.diffflame import render_diff_svg
from analysis.flame_layout import layout
from analysis.flame_svg import displayable
from analysis.flamegraph import render_svg

NS = "{http://www.w3.org/2000/svg}"

# Any code point, lone surrogates included (what surrogateescape makes of non-UTF-8
# bytes), except the two characters the folded format itself reserves.
frame_names = st.text(st.characters(blacklist_characters=";\n", blacklist_categories=()),
                      min_size=1, max_size=40)
stacks_strategy = st.dictionaries(
    st.lists(frame_names, min_size=1, max_size=6).map(";".join),
    st.integers(min_value=1, max_value=1000), min_size=1, max_size=12)


def tooltip_names(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    return [g.find(f"{NS}title").text.rsplit("\n", 1)[0] for g in box.findall(f"{NS}g")]


@settings(max_examples=150, deadline=None)
@given(stacks_strategy, frame_names)
def test_every_name_parses_and_reaches_its_tooltip_intact(stacks, title):
    svg = render_svg(stacks, title=title, subtitle=title, min_width=0)
    shown = set(tooltip_names(svg))
    for stack in stacks:
        for name in stack.split(";"):
            assert displayable(name) in shown
    root = ET.fromstring(svg.encode("utf-8"))
    assert [s.text for s in root.iter(f"{NS}script")] == [s.text for s in ET.fromstring(
        render_svg({"a": 1}).encode()).iter(f"{NS}script")]       # the script never changes


@settings(max_examples=60, deadline=None)
@given(stacks_strategy, stacks_strategy)
def test_diff_svg_parses_for_any_names(base, head):
    svg = render_diff_svg(base, head, mode="subtree", min_width=0)
    assert len(tooltip_names(svg)) >= 2


@settings(max_examples=100, deadline=None)
@given(stacks_strategy, st.booleans(), st.booleans())
def test_same_stacks_in_any_order_give_identical_bytes(stacks, inverted, reverse):
    shuffled = dict(sorted(stacks.items(), reverse=True))
    assert render_svg(stacks, inverted=inverted, reverse=reverse) == \
        render_svg(shuffled, inverted=inverted, reverse=reverse)


@settings(max_examples=150, deadline=None)
@given(stacks_strategy)
def test_children_fill_their_parent_exactly_less_its_self_weight(stacks):
    result = layout(stacks)
    assert result.frames[0].width == sum(stacks.values())
    rows: dict[int, list] = {}
    for frame in result.frames:
        rows.setdefault(frame.depth, []).append(frame)
    for depth, frames in rows.items():
        # siblings and cousins never overlap
        for left, right in zip(frames, frames[1:]):
            assert left.start + left.width <= right.start
        if depth == 0:
            continue
        for parent in rows[depth - 1]:
            inside = [f for f in frames if parent.start <= f.start < parent.start + parent.width]
            assert all(f.start + f.width <= parent.start + parent.width for f in inside)
            assert parent.self + sum(f.width for f in inside) == parent.width
    # every stack's weight ends up as self weight of exactly its leaf frame
    assert sum(f.self for f in result.frames) == sum(stacks.values())
