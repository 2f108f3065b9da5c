"""Differential flame graphs: head's shape, colours by normalised change, leaf vs subtree, change table."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mapbench.analysis.flame.diffflame import diff_table, render_diff_svg
from mapbench.analysis.errors import InputError

NS = "{http://www.w3.org/2000/svg}"

BASE = {"main;kernel_iterate;mapiternext": 50, "main;kernel_iterate;hash64": 50}
# twice as many samples in all; mapiternext's share grew from 50% to 75%
HEAD = {"main;kernel_iterate;mapiternext": 150, "main;kernel_iterate;hash64": 40, "main;evacuate": 10}


def frames(svg: str) -> dict[str, dict]:
    root = ET.fromstring(svg.encode())
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    out = {}
    for g in box.findall(f"{NS}g"):
        name, info = g.find(f"{NS}title").text.rsplit("\n", 1)
        rect = g.find(f"{NS}rect")
        out[name] = {"info": info, "fill": rect.get("fill"), "w": float(rect.get("width"))}
    return out


def subtitle(svg: str) -> str:
    root = ET.fromstring(svg.encode())
    return next(t.text for t in root.iter(f"{NS}text") if t.get("class") == "subtitle")


def test_shape_is_the_heads_and_colours_follow_the_normalised_change():
    shown = frames(render_diff_svg(BASE, HEAD, mode="leaf"))
    assert shown["mapiternext"]["w"] == pytest.approx(1180 * 0.75)
    assert shown["mapiternext"]["fill"].startswith("rgb(255,")     # grew: red
    assert shown["hash64"]["fill"].endswith(",255)")               # 50% -> 20%: blue
    assert shown["hash64"]["fill"] != "rgb(255,255,255)"
    assert "+25.00 points" in shown["mapiternext"]["info"]
    assert "-30.00 points" in shown["hash64"]["info"]


def test_leaf_mode_colours_self_changes_only():
    shown = frames(render_diff_svg(BASE, HEAD, mode="leaf"))
    # kernel_iterate has no self samples in either profile: white, although its callees moved
    assert shown["kernel_iterate"]["fill"] == "rgb(255,255,255)"
    assert shown["evacuate"]["fill"].startswith("rgb(255,")       # new in head: grew
    assert "leaf mode" in subtitle(render_diff_svg(BASE, HEAD, mode="leaf"))


def test_subtree_mode_colours_inclusive_changes():
    svg = render_diff_svg(BASE, HEAD, mode="subtree", subtitle="abc..def")
    shown = frames(svg)
    assert shown["kernel_iterate"]["fill"].endswith(",255)")       # 100% -> 95%: shrank
    assert "-5.00 points" in shown["kernel_iterate"]["info"]
    assert shown["main"]["fill"] == "rgb(255,255,255)"              # 100% -> 100%
    text = subtitle(svg)
    assert text.startswith("abc..def") and "subtree mode" in text and "normalised" in text


def test_identical_proportions_are_all_white():
    doubled = {k: 2 * v for k, v in BASE.items()}
    for mode in ("leaf", "subtree"):
        assert {f["fill"] for f in frames(render_diff_svg(BASE, doubled, mode=mode)).values()} == \
            {"rgb(255,255,255)"}


def test_largest_change_is_the_deepest_colour():
    shown = frames(render_diff_svg(BASE, HEAD, mode="leaf"))
    assert shown["hash64"]["fill"] == "rgb(0,0,255)"       # -30 points: the largest change


def test_diff_table_lists_largest_changes_first():
    table = diff_table(BASE, HEAD, limit=3, mode="subtree")
    lines = table.strip().splitlines()
    assert lines[2] == "| function | base % | head % | delta (points) |"
    rows = lines[4:]
    assert len(rows) == 3
    assert rows[0] == "| hash64 | 50.00 | 20.00 | -30.00 |"
    assert rows[1] == "| mapiternext | 50.00 | 75.00 | +25.00 |"
    assert rows[2] == "| evacuate | 0.00 | 5.00 | +5.00 |"


def test_diff_table_counts_recursion_once_and_escapes_cells():
    base = {"a|b;rec;rec": 10}
    head = {"a|b;rec;rec": 10, "x": 10}
    table = diff_table(base, head, mode="subtree")
    assert "| rec | 100.00 | 50.00 | -50.00 |" in table
    assert "| a\\|b | 100.00 | 50.00 | -50.00 |" in table
    leaf = diff_table(base, head, mode="leaf")
    assert "| a\\|b |" not in leaf          # no self samples anywhere: no change


@pytest.mark.parametrize("call", [
    lambda: render_diff_svg(BASE, HEAD, mode="both"),
    lambda: render_diff_svg({}, HEAD),
    lambda: render_diff_svg(BASE, {"a": 0}),
    lambda: diff_table(BASE, HEAD, limit=0),
])
def test_bad_requests_are_clear_errors(call):
    with pytest.raises(InputError):
        call()
