"""`mapbench history` run from a venv made with `python -m venv` (no tox), pip's network denied.

The plain venv has its own pip and setuptools (what `python -m venv` gives) and sees the
installed mapbench and its dependencies through a .pth. Each commit of the toy repository
declares `historytoy-stamp>=2` as a build requirement, and its setup.py imports a function
only stamp 2.0 has. The plain venv holds stamp 1.0: at hand but too old, as a fresh venv's
setuptools 65.5 is for mapbench's `setuptools>=68` (issue 17).

1. A first history run finds stamp 2.0 through pip's find-links (standing in for PyPI)
   and keeps it in the wheel cache.
2. With no index, no find-links, no pip config and a dead proxy, two more commits build
   from the cache alone and land in the store; in the same run a commit that needs
   stamp>=3, which nothing has, fails with the backend's own error line in history.json
   and names the requirement that was missing.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests import history_toy as toy

STAMP_SRC = {
    "pyproject.toml": ('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
                       '[project]\nname = "historytoy-stamp"\nversion = "{version}"\n'
                       '[tool.setuptools]\npackages = ["historytoy_stamp"]\n'),
    "historytoy_stamp/__init__.py": "VERSION = {version}\n{extra}",
}

# Fails to build unless the stamp the commit needs is the one the build sees.
TOY_SETUP = "from historytoy_stamp import {function}\nfrom setuptools import setup\nsetup()\n"

def run(*command, **kwargs):
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{command}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout.strip()


def stamp_wheel(tmp: Path, version: int, out: Path) -> None:
    """A real wheel of historytoy-stamp, built by pip with this (tox) env's setuptools."""
    extra = "def stamp():\n    return VERSION\n" if version >= 2 else ""
    src = tmp / f"stamp-{version}"
    toy.write_tree(src, {name: text.format(version=version, extra=extra) for name, text in STAMP_SRC.items()})
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation",
        "--wheel-dir", out, src)


def toy_commit(repo: Path, needs: int, message: str) -> str:
    build_requires = ("setuptools>=40.8", "wheel", f"historytoy-stamp>={needs}")
    return toy.commit(repo, {"pyproject.toml": toy.pyproject(build_requires),
                             "setup.py": TOY_SETUP.format(function="stamp" if needs == 2 else "stamp3"),
                             **toy.package(1e-9), "CHANGES": message + "\n"}, message)


def pip_env(find_links: Path | None) -> dict:
    """The environment with none of the caller's pip settings; no index, and a proxy that
    answers nothing, so pip reaches no network; packages only from `find_links` if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and "proxy" not in k.lower()}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9")
    env.pop("PYTHONPATH", None)
    if find_links:
        env["PIP_FIND_LINKS"] = str(find_links)
    return env


@pytest.fixture(scope="module")
def plain_venv(tmp_path_factory):
    """`python -m venv` with stamp 1.0 installed; mapbench visible through a .pth."""
    if importlib.util.find_spec("ensurepip") is None:
        pytest.skip("needs `python -m venv` with pip (Debian: apt install python3-venv)")
    tmp = tmp_path_factory.mktemp("plainvenv")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"))
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (purelib / "tox-env.pth").write_text("\n".join(ours) + "\n")
    old = tmp / "old-stamp"
    stamp_wheel(tmp, 1, old)
    run(python, "-m", "pip", "install", "-q", "--no-deps", *old.glob("*.whl"), env=pip_env(None))
    return python


def test_history_from_a_plain_venv_builds_from_the_wheel_cache_offline(plain_venv, tmp_path):
    python = plain_venv
    repo = tmp_path / "repo"
    repo.mkdir()
    toy.init_repo(repo)
    first = toy_commit(repo, 2, "first")
    second = toy_commit(repo, 2, "second")
    third = toy_commit(repo, 2, "third")
    too_new = toy_commit(repo, 3, "needs a stamp nobody has")
    index = tmp_path / "index"
    stamp_wheel(tmp_path, 2, index)
    cache, store = tmp_path / "wheel-cache", tmp_path / "profiles"

    def history(rev_range, find_links=None):
        return subprocess.run([python, "-m", "mapbench", "history", rev_range, "--repo", repo,
                               "--out", store, "--wheel-cache", cache],
                              cwd=tmp_path, env=pip_env(find_links), capture_output=True, text=True)

    # 1. stamp 2.0 is not at hand (1.0 is): fetched once through pip, kept in the cache.
    proc = history(f"{first}~1..{first}", find_links=index)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fetching historytoy-stamp>=2 into the wheel cache" in proc.stdout
    assert [p.name for p in cache.glob("historytoy_stamp-*.whl")] == ["historytoy_stamp-2-py3-none-any.whl"]
    assert (store / first[:12] / "bench.json").is_file()

    # 2. Network denied, nothing to fetch from: two commits build from the cache; a third,
    #    whose requirement no source has, fails with the backend's error and what was missing.
    for wheel in index.iterdir():
        wheel.unlink()
    proc = history(f"{first}..{too_new}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 run, 0 skipped, 1 failed of 3 commits" in proc.stdout
    notes = json.loads((store / "history.json").read_text())
    for commit in (second, third):
        assert json.loads((store / commit[:12] / "meta.json").read_text())["commit"] == commit
        assert notes[commit]["status"] == "done"
        assert "historytoy-stamp 2 (wheel cache)" in notes[commit]["note"]
        assert re.search(r"setuptools \S+ \(this environment\)", notes[commit]["note"])
    # The plain venv itself still has its own stamp: the commits' venvs took the newer one.
    assert run(python, "-c", "import historytoy_stamp; print(historytoy_stamp.VERSION)") == "1"

    note = notes[too_new]
    assert note["status"] == "build failed"
    assert note["note"].startswith("ImportError: cannot import name 'stamp3'")
    assert "historytoy-stamp>=3: not in the wheel cache" in note["note"]
    assert "No matching distribution" in note["note"] or "Could not find a version" in note["note"]
    assert "'needs a stamp nobody has': build failed: ImportError" in proc.stdout
    log = store / "history-logs" / f"{too_new[:12]}.build.log"
    assert "[end of output]" in log.read_text()            # pip's whole output kept
    assert not (store / too_new[:12]).exists()
