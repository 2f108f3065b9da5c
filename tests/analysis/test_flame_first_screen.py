"""Flame graphs open on their content: on the suite's real profiles, in headless Chromium at
1400x900, the root and the map's kernel frame lie within the first screen; runs of
`[unknown]` frames show as one frame that says how many it replaced; `--max-depth` cuts.

Fixtures: a perf profile of the Swiss map's iteration with 126-frame `[unknown]` towers, and
a py-spy --native profile 56 frames deep (tests/fixtures/README.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mapbench.analysis.flame.first_screen import (FIRST_SCREEN_PX, collapse_unknown_runs, draw_inverted,
                                                  stack_depth, truncate_depth)
from mapbench.analysis.flame.flame_svg import svg_height
from mapbench.analysis.flame.flamegraph import render_first_screen_svg, render_svg
from mapbench.analysis.stacks.folded import decode, read_folded
from mapbench.benchmarks.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROFILES = {  # fixture -> the map's kernel frame in it
    "flame-perf-swiss-iterate.folded": "swiss_kernel_iterate",
    "flame-pyspy-driver-iterate.folded": "_cffi_f_kernel_iterate (mapbench.native._mapbench_native.c:1468)",
}


def stacks_of(name: str) -> dict[str, int]:
    return read_folded(decode((FIXTURES / name).read_bytes()))


def test_unknown_towers_collapse_into_one_frame_keeping_every_sample():
    stacks = stacks_of("flame-perf-swiss-iterate.folded")
    shown = collapse_unknown_runs(stacks)
    assert stack_depth(stacks) > 100 and stack_depth(shown) < 30
    assert sum(shown.values()) == sum(stacks.values())
    tower = [s for s in shown if "[unknown] ×126" in s]
    assert tower and all("[unknown];[unknown]" not in s for s in shown)
    svg = render_first_screen_svg(stacks, title="t", subtitle="perf")
    assert "126 [unknown] frames in a row, shown as one" in svg


def test_fold_output_stays_perl_compatible_unless_asked(tmp_path, capsys):
    source = FIXTURES / "perf-script-python-cffi.txt"
    plain, collapsed = tmp_path / "plain", tmp_path / "collapsed"
    # the fixture holds sample-count weights (tests/fixtures/README.md)
    assert main(["fold", str(source), "--weight", "samples", "-o", str(plain)]) == 0
    assert plain.read_bytes() == (FIXTURES / "perf-script-python-cffi.perl.folded").read_bytes()
    assert main(["fold", str(source), "--weight", "samples", "--collapse-unknown", "-o", str(collapsed)]) == 0
    assert "[unknown];[unknown]" in plain.read_text()
    assert "[unknown];[unknown]" not in collapsed.read_text() and "[unknown] ×" in collapsed.read_text()


def test_max_depth_cuts_stacks_and_the_picture(tmp_path):
    stacks = stacks_of("flame-pyspy-driver-iterate.folded")
    cut = truncate_depth(stacks, 10)
    assert stack_depth(cut) == 10 and sum(cut.values()) == sum(stacks.values())
    source = tmp_path / "deep.folded"
    source.write_bytes((FIXTURES / "flame-pyspy-driver-iterate.folded").read_bytes())
    out = tmp_path / "cut.svg"
    assert main(["flamegraph", str(source), "--max-depth", "10", "-o", str(out)]) == 0
    assert f'height="{svg_height(10, False)}"' in out.read_text()
    assert main(["flamegraph", str(source), "--max-depth", "0", "-o", str(out)]) == 2


def test_deep_profiles_are_drawn_as_icicles_and_shallow_ones_as_usual():
    deep = stacks_of("flame-pyspy-driver-iterate.folded")
    shallow = collapse_unknown_runs(stacks_of("flame-perf-swiss-iterate.folded"))
    assert draw_inverted(deep) and not draw_inverted(shallow)
    assert 'data-inverted="1"' in render_first_screen_svg(deep, title="t", subtitle="py-spy")


def _bottom_of(driver, name: str) -> float:
    """The bottom edge, in window pixels, of the widest frame named `name` (-1: none)."""
    return driver.execute_script(
        "var b = -1, w = -1; for (var i = 0; i < fg.frames.length; i++) if (fg.frames[i].name === arguments[0]) {"
        " var r = fg.frames[i].g.getElementsByTagName('rect')[0].getBoundingClientRect();"
        " if (r.width > w) { w = r.width; b = r.bottom; } } return b;", name)


def _widest_child_of_root(stacks: dict[str, int]) -> str:
    first: dict[str, int] = {}
    for stack, count in stacks.items():
        first[stack.split(";")[0]] = first.get(stack.split(";")[0], 0) + count
    return max(first, key=first.get)


def _open(browser, path: Path):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(path.as_uri())
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return typeof fg !== 'undefined' && fg.frames.length > 0"))
    return browser.execute_script("return window.innerHeight;")


@pytest.mark.parametrize("fixture", sorted(PROFILES))
def test_root_and_kernel_frame_are_on_the_first_screen(browser, tmp_path, fixture):
    stacks = stacks_of(fixture)
    path = tmp_path / "flame.svg"
    path.write_text(render_first_screen_svg(stacks, title=fixture, subtitle="a real profile"),
                    encoding="utf-8")
    screen = _open(browser, path)
    assert 0 < screen <= 900
    for name in ("all", PROFILES[fixture], _widest_child_of_root(stacks)):
        bottom = _bottom_of(browser, name)
        assert 0 < bottom <= screen, (name, bottom, screen)
    # without the first-screen defaults, this profile's root lies below the first screen
    path.write_text(render_svg(stacks, title=fixture, subtitle="a real profile"), encoding="utf-8")
    _open(browser, path)
    assert _bottom_of(browser, "all") > screen
