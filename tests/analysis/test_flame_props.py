"""Property tests: any frame name is escaped and kept intact; output is deterministic; widths add up."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from mapbench.analysis.flame.diffflame import render_diff_svg
from mapbench.analysis.flame.flame_layout import layout
from mapbench.analysis.flame.flame_svg import displayable
from mapbench.analysis.flame.flamegraph import render_svg

NS = "{http://www.w3.org/2000/svg}"

# Any code point, lone surrogates included (what surrogateescape makes of non-UTF-8
# bytes), except the two characters the folded format itself reserves.
any_names = st.text(st.characters(blacklist_characters=";\n", blacklist_categories=()),
                    min_size=1, max_size=40)
# Mostly a few short names, so that stacks share prefixes and end inside each other.
frame_names = st.one_of(st.sampled_from(["a", "b", "a!", "main", "<x>", "]]>", "\udc80"]), any_names)
stacks_strategy = st.dictionaries(
    st.lists(frame_names, min_size=1, max_size=6).map(";".join),
    st.integers(min_value=1, max_value=1000), min_size=1, max_size=12)


def tooltip_names(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    return [g.find(f"{NS}title").text.rsplit("\n", 1)[0] for g in box.findall(f"{NS}g")]


@settings(max_examples=150, deadline=None)
@given(stacks_strategy, any_names)
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


def naive_frames(stacks, min_count, base=None):
    """Reference layout: aggregate every prefix in a dict, then place children in key order."""
    inclusive: dict[tuple, list[int]] = {}
    for which, profile in ((0, stacks), (1, base or {})):
        for stack, count in profile.items():
            frames = tuple(stack.split(";")) if stack else ()
            for depth in range(1, len(frames) + 1):
                cell = inclusive.setdefault(frames[:depth], [0, 0, 0, 0])
                cell[which] += count
                if depth == len(frames):
                    cell[2 + which] += count
    out = set()
    # place: children of a prefix ordered by (name + ";"), starting at the parent's start
    starts = {(): 0}
    for path in sorted(inclusive, key=lambda p: ";".join(p) + ";"):
        parent = path[:-1]
        if parent not in starts:
            continue      # parent was dropped
        head, base_w, own, base_own = inclusive[path]
        start = starts[parent]
        starts[parent] = start + head
        if head > 0 and head >= min_count:
            out.add((len(path), start, head, path[-1], own, base_w, base_own))
            starts[path] = start + own     # the stack ending here comes first, then children
    return out


@settings(max_examples=200, deadline=None)
@given(stacks_strategy, stacks_strategy, st.sampled_from([0, 2, 50]))
def test_layout_equals_a_naive_prefix_aggregation(stacks, base, min_count):
    result = layout(stacks, min_count=min_count, base=base)
    got = {tuple(f) for f in result.frames if f.depth > 0}
    assert got == naive_frames(stacks, min_count, base)
