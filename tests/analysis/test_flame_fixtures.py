"""Flame graphs of the real captures: every frame drawn, layers coloured as a reader expects."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mapbench.analysis.flame.flame_colors import layer_of
from mapbench.analysis.flame.flamegraph import render_svg
from mapbench.analysis.stacks.folded import read_folded

_ROOT = Path(__file__).resolve().parents[2]
# The project's own captures (tests/fixtures/record.sh made them; README.md there says how).
FIXTURES = _ROOT / "tests" / "fixtures"
NS = "{http://www.w3.org/2000/svg}"


def drawn(svg: str) -> dict[str, str]:
    root = ET.fromstring(svg.encode())
    box = next(g for g in root.iter(f"{NS}g") if g.get("id") == "frames")
    return {g.find(f"{NS}title").text.rsplit("\n", 1)[0]: g.find(f"{NS}rect").get("fill")
            for g in box.findall(f"{NS}g")}


def test_pyspy_native_profile_draws_every_frame_in_its_layer():
    stacks = read_folded((FIXTURES / "pyspy-native-raw.txt").read_bytes())
    frames = drawn(render_svg(stacks, min_width=0))
    names = {name for stack in stacks for name in stack.split(";")}
    assert names <= set(frames)
    named = {name.split(" (")[0]: name for name in names}
    assert layer_of(named["Workload.step"]) == "python"
    assert layer_of(named["_cffi_f_mapiter_step"]) == "map" and layer_of(named["mapiter_step"]) == "map"
    assert layer_of(next(n for n in names if n.endswith("(libc.so.6)"))) == "runtime"
    # frames of one layer share a hue family: python frames are green-dominant
    for name in names:
        if layer_of(name) == "python":
            r, g, b = map(int, frames[name][4:-1].split(","))
            assert g > r and g > b


def test_perf_profile_of_python_and_cffi_marks_kernel_and_libpython():
    fold = pytest.importorskip("mapbench.analysis.stacks.fold")
    stacks = fold.fold_perf_script((FIXTURES / "perf-script-python-cffi.txt").read_bytes())
    names = {name for stack in stacks for name in stack.split(";")}
    layers = {layer_of(n) for n in names}
    assert {"kernel", "runtime", "python", "map"} <= layers
    assert layer_of("entry_SYSCALL_64_after_hwframe") == "kernel"
    assert layer_of("handle_mm_fault") == "kernel"
    assert layer_of("_Py_NewReference@plt") == "runtime"
    assert layer_of("gc_collect_main") == "runtime"
    frames = drawn(render_svg(stacks, min_width=0, reverse=True))
    assert names <= set(frames)
