"""FlameGraph's own regression suite (its test.sh) against `mapbench fold`, case for case.

test.sh folds each test/*.txt with `stackcollapse-perf.pl --OPT` for OPT in pid, tid,
kernel, jit, all, addrs and diffs the output against test/results/NAME-collapsed-OPT.txt.
The files are vendored, gzipped, in tests/fixtures/flamegraph/ (its README: commit,
license, and why the results need `--weight period --java-names exact`). Every case runs
three ways: the `mapbench fold` command (C folder), and the library with the C folder
and with the Python folder; all must equal FlameGraph's expected bytes.
"""
from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mapbench.analysis.stacks.fold import fold_perf_script
from mapbench.analysis.stacks.folded import encode_folded, format_folded
from mapbench.benchmarks.cli import main
from mapbench.native.perf_folder import PerfFolder

SUITE = Path(__file__).resolve().parents[1] / "fixtures" / "flamegraph"
CAPTURES = sorted(p.name[: -len(".txt.gz")] for p in (SUITE / "test").glob("*.txt.gz"))
OPTIONS = ("pid", "tid", "kernel", "jit", "all", "addrs")


def test_options_and_captures_are_test_sh_s():
    """The matrix below is the one test.sh loops over, read from test.sh itself."""
    script = (SUITE / "test.sh").read_text()
    assert re.search(r"^for opt in (.+); do$", script, re.M)[1].split() == list(OPTIONS)
    assert len(CAPTURES) == 13 and len(list((SUITE / "test" / "results").glob("*.txt.gz"))) == 13 * 6



def _gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _expected(name: str, option: str) -> bytes:
    return _gunzip(SUITE / "test" / "results" / f"{name}-collapsed-{option}.txt.gz")


def _library_options(option: str) -> dict:
    return {"kernel": True, "jit": True} if option == "all" else {option: True}


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """{name: path of the gunzipped capture} (the command reads a file, as test.sh does)."""
    folder = tmp_path_factory.mktemp("flamegraph-test")
    paths = {}
    for name in CAPTURES:
        paths[name] = folder / f"{name}.txt"
        paths[name].write_bytes(_gunzip(SUITE / "test" / f"{name}.txt.gz"))
    return paths


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", CAPTURES)
def test_mapbench_fold_passes_the_case(captures, name, option, tmp_path):
    out = tmp_path / "out.folded"
    assert main(["fold", f"--{option}", "--java-names", "exact", str(captures[name]), "-o", str(out)]) == 0
    assert out.read_bytes() == _expected(name, option)


@pytest.mark.parametrize("engine", [PerfFolder, None], ids=["C", "Python"])
@pytest.mark.parametrize("option", OPTIONS)
def test_both_folders_pass_every_capture(captures, option, engine):
    for name in CAPTURES:
        stacks = fold_perf_script(captures[name].read_bytes(), weight="period", java_exact=True,
                                  engine=engine, **_library_options(option))
        assert encode_folded(format_folded(stacks)) == _expected(name, option), name


JAVA_ROOTS = [(n, o) for n in CAPTURES for o in ("pid", "tid") if "java" in n or "vertx" in n]


@pytest.mark.skipif(not shutil.which("perl"), reason="needs perl")
@pytest.mark.parametrize("name,option", JAVA_ROOTS)
def test_the_default_java_rule_is_today_s_script(captures, name, option):
    """Where FlameGraph's results are stale (the 8 Java --pid/--tid cases), the default
    `--java-names prefix` prints what the pinned stackcollapse-perf.pl prints today."""
    perl = subprocess.run(["perl", str(SUITE / "stackcollapse-perf.pl"), f"--{option}", str(captures[name])],
                          capture_output=True, check=True).stdout
    assert perl != _expected(name, option)  # the stale case: else this test is moot
    for engine in (PerfFolder, None):
        stacks = fold_perf_script(captures[name].read_bytes(), weight="period", engine=engine, **{option: True})
        assert encode_folded(format_folded(stacks)) == perl
