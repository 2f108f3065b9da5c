"""End to end in a real headless Chromium: open a flame-graph SVG, search, zoom, reset.

Needs Debian's `chromium` and `chromedriver` (`.ci/run` installs them); skipped with a
reason when either is missing. The browser runs with a fresh profile folder and no
network features, as root-safe flags (--no-sandbox) require in CI containers.
"""
from __future__ import annotations

import shutil

import pytest

from mapbench.analysis.flame.flamegraph import render_svg

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# the `browser` fixture (one headless Chromium per module) is in tests/conftest.py

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs chromium and chromedriver (apt install chromium chromium-driver)")

PROFILE = {
    "main;kernel_iterate;mapiternext;hash64": 30,
    "main;kernel_iterate;mapiternext": 30,
    "main;other;hash64": 20,
    "main;helper (drive.py:7)": 20,
}
HIGHLIGHT = "rgb(230,0,230)"


@pytest.fixture
def page(browser, tmp_path, request):
    inverted = getattr(request, "param", False)
    path = tmp_path / "flame.svg"
    path.write_text(render_svg(PROFILE, title="browser test", subtitle="search and zoom", inverted=inverted),
                    encoding="utf-8")
    browser.get(path.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return typeof fg !== 'undefined' && fg.frames.length > 0"))
    return browser


def frame_groups(driver, name):
    """The <g> elements of frames called `name` (read from their tooltip's first line)."""
    return driver.execute_script(
        "var out = [];"
        "for (var i = 0; i < fg.frames.length; i++) if (fg.frames[i].name === arguments[0]) out.push(fg.frames[i].g);"
        "return out;", name)


def rect_of(group):
    from selenium.webdriver.common.by import By

    return group.find_element(By.TAG_NAME, "rect")


def text_of(driver, element_id):
    return driver.execute_script("return document.getElementById(arguments[0]).textContent;", element_id)


def test_search_from_the_ui_highlights_matches_and_states_the_share(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page.find_element(By.ID, "search").click()
    WebDriverWait(page, 10).until(lambda d: d.switch_to.alert)
    prompt = page.switch_to.alert
    prompt.send_keys("mapiternext|hash64")
    prompt.accept()
    # mapiternext (60) contains one hash64 (30): counted once; the other hash64 adds 20
    assert text_of(page, "matched").startswith("Matched: 80.00%")
    for name in ("mapiternext", "hash64"):
        for group in frame_groups(page, name):
            assert rect_of(group).get_attribute("fill") == HIGHLIGHT
    for name in ("main", "kernel_iterate", "other"):
        assert rect_of(frame_groups(page, name)[0]).get_attribute("fill") != HIGHLIGHT
    assert text_of(page, "search") == "Reset Search"

    page.find_element(By.ID, "search").click()         # the same button resets
    assert text_of(page, "matched").strip() == ""
    assert all(rect_of(g).get_attribute("fill") != HIGHLIGHT for g in frame_groups(page, "hash64"))


def test_search_function_and_a_bad_regex(page):
    assert page.execute_script("return fg_search('^helper ');") == pytest.approx(20.0)
    assert page.execute_script("return fg_search('(');") is None
    assert text_of(page, "matched").startswith("Bad regex")


def test_hover_shows_the_frame_details(page):
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(page).move_to_element(rect_of(frame_groups(page, "kernel_iterate")[0])).perform()
    assert text_of(page, "details") == "kernel_iterate 60 samples, 60.00%"


@pytest.mark.parametrize("page", [False, True], ids=["flame", "icicle"], indirect=True)
def test_click_zooms_into_a_frame_and_reset_restores(page):
    from selenium.webdriver.common.by import By

    kernel = frame_groups(page, "kernel_iterate")[0]
    hash64_under_kernel = [g for g in frame_groups(page, "hash64")
                           if float(rect_of(g).get_attribute("x")) < float(rect_of(kernel).get_attribute("x"))
                           + float(rect_of(kernel).get_attribute("width"))
                           and float(rect_of(g).get_attribute("x")) >= float(rect_of(kernel).get_attribute("x"))][0]
    before = float(rect_of(hash64_under_kernel).get_attribute("width"))
    other = frame_groups(page, "other")[0]
    unzoom = page.find_element(By.ID, "unzoom")
    assert unzoom.value_of_css_property("opacity") == "0"

    rect_of(kernel).click()

    assert float(rect_of(kernel).get_attribute("width")) == pytest.approx(1180, abs=0.01)
    after = float(rect_of(hash64_under_kernel).get_attribute("width"))
    assert after == pytest.approx(before * 100 / 60, abs=0.05)      # 60% of the graph now fills it
    assert not other.is_displayed()
    assert "zoom-parent" in frame_groups(page, "main")[0].get_attribute("class")
    assert unzoom.value_of_css_property("opacity") == "1"
    label = hash64_under_kernel.find_element(By.TAG_NAME, "text").text
    assert label == "hash64"

    unzoom.click()

    assert float(rect_of(hash64_under_kernel).get_attribute("width")) == pytest.approx(before, abs=0.01)
    assert other.is_displayed()
    assert "zoom-parent" not in (frame_groups(page, "main")[0].get_attribute("class") or "")


def test_clicking_a_faded_ancestor_zooms_out_to_it_and_all_resets(page):
    mapiternext = frame_groups(page, "mapiternext")[0]
    other = frame_groups(page, "other")[0]
    rect_of(mapiternext).click()
    assert not other.is_displayed()
    assert float(rect_of(mapiternext).get_attribute("width")) == pytest.approx(1180, abs=0.01)

    rect_of(frame_groups(page, "main")[0]).click()       # faded ancestor: zoom to it
    assert other.is_displayed()
    assert float(rect_of(other).get_attribute("width")) == pytest.approx(1180 * 0.2, abs=0.05)

    rect_of(frame_groups(page, "all")[0]).click()        # the root resets the zoom
    assert float(rect_of(mapiternext).get_attribute("width")) == pytest.approx(1180 * 0.6, abs=0.05)
    assert page.execute_script("return fg.zoomed;") is None
