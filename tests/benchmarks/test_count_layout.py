"""How far the count pass's numbers depend on where the interpreter lives
(analysis/counters/count_agreement.py; docs/counted-metrics.md, "Address layout").

Real valgrind, one benchmark counted by this checkout from two venvs: paths of equal
length (what two `mapbench history` workers' temporary venvs are) give every event
equal; paths of different length (two users' installations) keep the layout-free events
of a benchmark whose timed region does not allocate equal.
"""
import json
import shutil
import site
import subprocess
import sys

import pytest

from tests.count_child import count_in

from mapbench.analysis.counters import count_agreement

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None,
                                    reason="valgrind not installed (Debian: valgrind)")
BENCH = "iterate/storage=stack/prefetch=0/n=1024"      # its timed region does not allocate


def venv(folder):
    """A venv without pip that sees this interpreter's packages (mapbench included)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    paths = [p for p in site.getsitepackages() + sys.path if p.endswith("site-packages")]
    pth = next(folder.glob("lib/python*/site-packages")) / "parent.pth"
    pth.write_text("import site; " + "; ".join(f"site.addsitedir({p!r})" for p in paths) + "\n")
    return folder / "bin" / "python"


def count_from(python, bench: str) -> dict:
    return {"run": {bench: count_in(python, bench)}}


@needs_valgrind
def test_every_event_is_equal_from_interpreters_at_paths_of_equal_length(tmp_path):
    bench = "iterate/storage=heap/prefetch=0/n=1024"       # allocates in its timed region
    one, two = (count_from(venv(tmp_path / name), bench) for name in ("va", "vb"))
    assert one == two


@needs_valgrind
def test_layout_free_events_are_equal_from_interpreters_at_paths_of_different_length(tmp_path):
    one = count_from(venv(tmp_path / "v"), BENCH)
    two = count_from(venv(tmp_path / ("a_much_longer_folder_name_" * 3) / "venv"), BENCH)
    found = count_agreement.differences(one, two)
    assert found.agree, found.exact
    for event in count_agreement.LAYOUT_FREE:
        assert one["run"][BENCH]["totals"][event] == two["run"][BENCH]["totals"][event]


def test_layout_sensitive_events_are_listed_not_judged():
    entry = {"loops": 16, "elements": 16384,
             "totals": {"Ir": 654107, "Dr": 1, "Dw": 2, "Bc": 74338, "D1mr": 5647, "Bcm": 1613}}
    moved = json.loads(json.dumps(entry))
    moved["totals"].update(D1mr=5799, Bcm=1617)
    found = count_agreement.differences({"r": {BENCH: entry}}, {"r": {BENCH: moved}})
    assert found.agree and len(found.layout) == 2
    assert f"r {BENCH} totals.Bcm: 1613 != 1617" in found.layout
    moved["totals"]["Ir"] = 654108
    found = count_agreement.differences({"r": {BENCH: entry}}, {"r": {BENCH: moved}})
    assert not found.agree and found.exact == [f"r {BENCH} totals.Ir: 654107 != 654108"]
    assert not count_agreement.differences({"r": {BENCH: entry}}, {"r": {}}).agree
