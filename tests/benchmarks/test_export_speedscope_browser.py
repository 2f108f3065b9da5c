"""An exported speedscope file opened in speedscope 1.25 (npm) in headless Chromium: the
profile loads under its configuration's name and the Sandwich view lists each frame with
the self and total weights of the folded stacks.

Skipped when chromium/chromedriver are missing, or when speedscope 1.25.0 is neither in
$MAPBENCH_SPEEDSCOPE_DIR nor installable with npm into ~/.cache/mapbench/."""
import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from mapbench.analysis.stacks.folded import read_folded
from mapbench.benchmarks.cli import main

VERSION = "1.25.0"
FOLDED = Path(__file__).resolve().parents[1] / "fixtures" / "perf-script-c.perl.folded"
ROW = re.compile(r"^(\d+) \([^)]*\)\s*\n\t(\d+) \([^)]*\)\s*\n\t(.+)$", re.M)


def speedscope_release() -> Path:
    given = os.environ.get("MAPBENCH_SPEEDSCOPE_DIR")
    if given:
        return Path(given)
    prefix = Path.home() / ".cache" / "mapbench" / f"speedscope-{VERSION}"
    release = prefix / "node_modules" / "speedscope" / "dist" / "release"
    if not (release / "index.html").is_file():
        if not shutil.which("npm"):
            pytest.skip("needs npm (or MAPBENCH_SPEEDSCOPE_DIR) for speedscope")
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix),
                               f"speedscope@{VERSION}"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"npm could not install speedscope {VERSION}: {done.stderr.strip()[-200:]}")
    return release


def expected_weights(stacks: dict[str, int]) -> dict[str, tuple[int, int]]:
    """{frame: (total, self)} as speedscope's Sandwich view counts them."""
    total, self_ = {}, {}
    for stack, weight in stacks.items():
        frames = stack.split(";")
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + weight
        self_[frames[-1]] = self_.get(frames[-1], 0) + weight
    return {f: (total[f], self_.get(f, 0)) for f in total}


def test_speedscope_opens_the_export_and_shows_its_frames(browser, tmp_path):
    release = speedscope_release()
    site = tmp_path / "site"
    shutil.copytree(release, site)
    run = tmp_path / "profiles" / "aaaaaaaaaaaa"
    (run / "folded").mkdir(parents=True)
    (run / "meta.json").write_text("{}")
    shutil.copy(FOLDED, run / "folded" / "iterate-n1024.folded")
    assert main(["export", str(run), "--format", "speedscope", "--to", str(site / "p.json"),
                 "--out", str(tmp_path / "profiles")]) == 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from selenium.webdriver.support.ui import WebDriverWait
        base = f"http://127.0.0.1:{server.server_address[1]}"
        browser.get(f"{base}/index.html#profileURL={base}/p.json")
        WebDriverWait(browser, 30).until(lambda d: "iterate-n1024" in d.execute_script(
            "return document.body.innerText"))
        assert browser.title == "aaaaaaaaaaaa - speedscope"
        browser.find_element("xpath", "//*[text()='Sandwich']").click()
        WebDriverWait(browser, 30).until(lambda d: "Symbol Name" in d.execute_script(
            "return document.body.innerText"))
        text = browser.execute_script("return document.body.innerText")
    finally:
        server.shutdown()
    shown = {name.strip(): (int(t), int(s)) for t, s, name in ROW.findall(text)}
    want = expected_weights({k: v for k, v in read_folded(FOLDED.read_text()).items() if k})
    assert len(shown) >= 5
    for name, weights in shown.items():
        assert want[name] == weights, name
    top = max(want, key=lambda f: want[f][1])
    assert shown[top] == want[top]                 # the frame with the most self weight is listed
