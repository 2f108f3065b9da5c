"""A commit's venv (benchmarks/history/commit_build.py) gets the same import path whatever
the process that makes it added to its own sys.path at run time: a Dask worker puts its
scratch folders and the client's working folder (/tmp, say) there. A folder on the counted
process's import path moves its simulated misses by what the folder holds (every import
lists it), so a `--workers 2` history counted D1mw 37 where `--workers 1` counted 35.

Real valgrind: two venvs made while this process's path carries a crowded or an empty
folder count one benchmark with every event equal.
"""
import shutil
import site
import subprocess
import sys

import pytest

from tests.count_child import count_in

from mapbench.benchmarks.history import commit_build

needs_valgrind = pytest.mark.skipif(shutil.which("valgrind") is None,
                                    reason="valgrind not installed (Debian: valgrind)")
BENCH = "iterate/storage=stack/prefetch=0/n=1024"


def worker_like_path(monkeypatch, folder):
    """sys.path as a Dask worker has it: its own folders first, then the client's."""
    monkeypatch.setattr(sys, "path", [str(folder / "worker"), str(folder), *sys.path])


def crowded(folder, files: int):
    (folder / "worker").mkdir(parents=True)
    for i in range(files):
        (folder / f"file-{i:04d}.txt").touch()
    return folder


def test_a_folder_this_process_added_to_its_path_is_not_in_the_commit_venv(tmp_path, monkeypatch):
    extra = crowded(tmp_path / "scratch", 3)
    worker_like_path(monkeypatch, extra)
    python = commit_build.make_venv(tmp_path / "venv")
    pth = next((tmp_path / "venv").glob(f"lib/python*/site-packages/{commit_build.PARENT_PTH}"))
    lines = pth.read_text().split()
    assert str(extra) not in lines and str(extra / "worker") not in lines
    seen = subprocess.run([str(python), "-c", "import sys; print('\\n'.join(sys.path))"],
                          capture_output=True, text=True, check=True).stdout.split()
    assert str(extra) not in seen
    parent_site = [p for p in site.getsitepackages() if p.endswith("site-packages")]
    assert any(line in parent_site or line.endswith("site-packages") for line in lines)


def counted_from_venv(tmp_path, monkeypatch, name: str, files: int) -> dict:
    with monkeypatch.context() as patch:
        worker_like_path(patch, crowded(tmp_path / name, files))
        python = commit_build.make_venv(tmp_path / f"venv-{name}")
    # mapbench itself: this environment's site-packages with their .pth files (an
    # editable install's finder), after the venv's own .pth, the same in both venvs.
    parents = [p for p in site.getsitepackages() + sys.path if p.endswith("site-packages")]
    site_dir = next((tmp_path / f"venv-{name}").glob("lib/python*/site-packages"))
    (site_dir / "zz-test-parent.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in parents) + "\n")
    return count_in(python, BENCH, cwd="/")["totals"]


@needs_valgrind
def test_counts_do_not_depend_on_folders_the_venv_maker_had_on_its_path(tmp_path, monkeypatch):
    # equal-length names: only what the folders hold differs (300 files moved D1mr and D1mw)
    full = counted_from_venv(tmp_path, monkeypatch, "crowd", 300)
    empty = counted_from_venv(tmp_path, monkeypatch, "empty", 0)
    assert full == empty
