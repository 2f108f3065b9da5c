"""Flame-graph SVGs: what a reader sees (frames, widths, tooltips, colours) for known input."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mapbench.analysis.errors import InputError
from mapbench.analysis.flame.flame_colors import frame_fill, layer_of
from mapbench.analysis.flame.flame_layout import layout
from mapbench.analysis.flame.flame_svg import fit_label
from mapbench.analysis.flame.flamegraph import render_svg

NS = "{http://www.w3.org/2000/svg}"


def parse_frames(svg: str) -> list[dict]:
    """Every frame of an SVG as {name, info, x, y, w, fill, label}, in document order."""
    root = ET.fromstring(svg.encode("utf-8"))
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    frames = []
    for g in box.findall(f"{NS}g"):
        title = g.find(f"{NS}title").text
        name, info = title.rsplit("\n", 1)
        rect = g.find(f"{NS}rect")
        frames.append({"name": name, "info": info, "x": float(rect.get("x")), "y": float(rect.get("y")),
                       "w": float(rect.get("width")), "fill": rect.get("fill"),
                       "label": g.find(f"{NS}text").text or "", "root": g.get("class") == "root"})
    return frames


def by_name(frames: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in frames}


PROFILE = {
    "main;kernel_iterate;mapiternext": 60,
    "main;kernel_iterate;mapiternext;hash64": 20,
    "main;kernel_iterate": 10,
    "main;evacuate": 10,
}


def test_frames_widths_and_tooltips_follow_the_samples():
    frames = by_name(parse_frames(render_svg(PROFILE, title="t")))
    assert set(frames) == {"all", "main", "kernel_iterate", "mapiternext", "hash64", "evacuate"}
    assert frames["all"]["w"] == pytest.approx(1180)
    assert frames["main"]["w"] == pytest.approx(1180)
    assert frames["mapiternext"]["w"] == pytest.approx(1180 * 0.8)
    assert frames["hash64"]["w"] == pytest.approx(1180 * 0.2)
    assert frames["mapiternext"]["info"] == "80 samples, 80.00%"
    assert frames["all"]["info"] == "100 samples, 100.00%"
    # a child sits on its parent's row + 1, inside its parent's span
    assert frames["hash64"]["y"] == frames["mapiternext"]["y"] - 16
    assert frames["hash64"]["x"] >= frames["mapiternext"]["x"]
    # siblings in name order: evacuate before kernel_iterate
    assert frames["evacuate"]["x"] < frames["kernel_iterate"]["x"]


def test_title_subtitle_and_count_name_are_shown():
    svg = render_svg(PROFILE, title="Iterate <2^20>", subtitle="run abc & def", count_name="cycles")
    root = ET.fromstring(svg.encode())
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert "Iterate <2^20>" in texts and "run abc & def" in texts
    assert by_name(parse_frames(svg))["main"]["info"] == "100 cycles, 100.00%"


def test_same_input_gives_byte_identical_svg_whatever_the_dict_order():
    reordered = dict(reversed(list(PROFILE.items())))
    assert render_svg(PROFILE) == render_svg(reordered)


@pytest.mark.parametrize("name", [
    "</script><script>alert(1)</script>", "]]>", "a&b<c>\"d'", "<![CDATA[x]]>",
    "&amp", "x" * 5000, "bytes \udc80\udcff here", "ctrl \x01\x1b end", "tab\tcr\rend",
])
def test_hostile_names_are_escaped_and_intact_in_the_tooltip(name):
    svg = render_svg({f"main;{name}": 5, "main": 1})
    frames = by_name(parse_frames(svg))     # parses as XML: nothing escaped the text
    expected = name.replace("\udc80", "\ufffd").replace("\udcff", "\ufffd").replace("\x01", "\ufffd")
    expected = expected.replace("\x1b", "\ufffd")
    assert expected in frames
    root = ET.fromstring(svg.encode())
    scripts = list(root.iter(f"{NS}script"))
    assert len(scripts) == 1 and "alert" not in scripts[0].text
    label = frames[expected]["label"]
    assert len(label) <= 1180 / 7.08 and (label == expected or label.endswith("..") or label == "")


def test_labels_are_truncated_to_fit_their_box():
    assert fit_label("mapiternext", 200) == "mapiternext"
    assert fit_label("mapiternext", 50) == "mapi.."     # (50 - 6) / 7.08 = 6 characters
    assert fit_label("mapiternext", 20) == ""
    frames = by_name(parse_frames(render_svg({"a;" + "long_function_name" * 5: 1, "a;b": 30})))
    long_frame = frames["long_function_name" * 5]
    assert long_frame["label"].endswith("..")
    assert len(long_frame["label"]) * 7.08 <= long_frame["w"]


def test_min_width_leaves_out_narrow_frames():
    stacks = {"main;big": 100_000, "main;tiny": 1}
    assert "tiny" in by_name(parse_frames(render_svg(stacks, min_width=0)))
    frames = by_name(parse_frames(render_svg(stacks)))       # 1/100001 of 1180 px < 0.1 px
    assert "tiny" not in frames and "big" in frames
    assert frames["all"]["info"].startswith("100,001 samples")   # the total still counts it


def test_inverted_draws_roots_at_the_top():
    normal = by_name(parse_frames(render_svg(PROFILE)))
    icicle = by_name(parse_frames(render_svg(PROFILE, inverted=True)))
    assert normal["all"]["y"] > normal["main"]["y"] > normal["hash64"]["y"]
    assert icicle["all"]["y"] < icicle["main"]["y"] < icicle["hash64"]["y"]
    assert icicle["hash64"]["w"] == normal["hash64"]["w"]


def test_reverse_puts_leaves_at_the_bottom_and_merges_callers():
    stacks = {"main;a;hash64": 30, "main;b;hash64": 20, "main;b": 50}
    frames = parse_frames(render_svg(stacks, reverse=True))
    depth1 = {f["name"]: f for f in frames if f["y"] == max(g["y"] for g in frames) - 16}
    assert set(depth1) == {"hash64", "b"}
    assert depth1["hash64"]["info"] == "50 samples, 50.00%"
    callers = [f["name"] for f in frames if f["y"] == depth1["hash64"]["y"] - 16]
    assert sorted(callers) == ["a", "b", "main"]


def test_stacks_thousands_of_frames_deep_render():
    deep = ";".join(f"f{i}" for i in range(5000))
    frames = parse_frames(render_svg({deep: 3, "f0;other": 1}))
    assert len(frames) == 5000 + 1 + 1
    assert by_name(frames)["f4999"]["info"] == "3 samples, 75.00%"


def test_layout_keeps_widths_consistent():
    result = layout(PROFILE)
    children: dict[tuple, int] = {}
    spans = {}
    for f in result.frames:
        spans[(f.depth, f.start)] = f
    for f in result.frames:
        if f.depth:
            parent = max((p for p in result.frames if p.depth == f.depth - 1 and p.start <= f.start),
                         key=lambda p: p.start)
            children[(parent.depth, parent.start)] = children.get((parent.depth, parent.start), 0) + f.width
    for key, f in spans.items():
        assert f.self + children.get(key, 0) == f.width


@pytest.mark.parametrize("stacks, message", [
    ({}, "no samples"),
    ({"a": 0}, "no samples"),
    ({"a": -1}, "negative"),
    ({"a": 1.5}, "integer"),
])
def test_unusable_input_is_a_clear_error(stacks, message):
    with pytest.raises(InputError, match=message):
        render_svg(stacks)


@pytest.mark.parametrize("kwargs", [{"width": 5}, {"min_width": -1}, {"width": "wide"}])
def test_bad_geometry_is_a_clear_error(kwargs):
    with pytest.raises(InputError):
        render_svg(PROFILE, **kwargs)


@pytest.mark.parametrize("name, layer", [
    ("mapiternext", "map"), ("mapaccess2", "map"), ("hash64", "map"), ("evacuate", "map"),
    ("kernel_iterate", "map"), ("calibration_spin", "map"), ("mapiterinit (map.c:120)", "map"),
    ("mapiternext_slow", "map"), ("mapiter_step (iter.c:297)", "map"), ("iter_pool_get", "map"),
    ("map_fill", "map"), ("gen_release", "map"),
    ("_cffi_f_kernel_iterate", "map"), ("[_mapbench_native.cpython-311-x86_64-linux-gnu.so]", "map"),
    ("main (drive.py:12)", "python"), ("<module> (drive.py:14)", "python"),
    ("_PyEval_EvalFrameDefault", "python"), ("py::main:/x/drive.py", "python"),
    ("[unknown]", "runtime"), ("[libpython3.11.so.1.0]", "runtime"), ("PyObject_Call", "runtime"),
    ("__libc_start_main", "runtime"), ("0x7f7b4ec4524a (libc.so.6)", "runtime"), ("malloc", "runtime"),
    ("entry_SYSCALL_64_after_hwframe", "kernel"), ("asm_exc_page_fault", "kernel"),
    ("__x64_sys_openat", "kernel"), ("clear_page_erms_[k]", "kernel"), ("mapiternext_[k]", "kernel"),
    ("chase", "other"), ("main", "other"),
])
def test_layers_are_recognised_from_names(name, layer):
    assert layer_of(name) == layer


def test_colours_are_stable_and_differ_by_layer():
    assert frame_fill("mapiternext") == frame_fill("mapiternext")
    hues = {}
    import colorsys
    for name in ("mapiternext", "main (a.py:1)", "[unknown]", "asm_exc_page_fault", "chase"):
        r, g, b = (int(c) / 255 for c in frame_fill(name)[4:-1].split(","))
        hues[layer_of(name)] = colorsys.rgb_to_hls(r, g, b)[0] * 360
    ordered = sorted(hues.values())
    assert len(hues) == 5
    assert min(b - a for a, b in zip(ordered, ordered[1:])) > 10
