"""The output store: run folder names, lookup by commit or folder, and clear errors."""
import json
import subprocess

import pytest

from mapbench.analysis.atomic import write_atomic
from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import runs as store


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.invalid")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "a.txt").write_text("one\n")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-qm", "first")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_name_marks_uncommitted_changes(repo):
    clean = store.current_revision(repo)
    assert len(clean.commit) == 40 and not clean.dirty
    assert clean.run_name == clean.commit[:12]
    (repo / "a.txt").write_text("two\n")
    dirty = store.current_revision(repo)
    assert dirty.dirty and dirty.run_name == clean.commit[:12] + "-dirty"


def test_outside_git_the_revision_is_unknown(tmp_path):
    assert store.current_revision(tmp_path).commit == "unknown"


def test_find_run_by_commitish_and_by_folder(repo):
    rev = store.current_revision(repo)
    run = store.run_dir(repo / "profiles", rev)
    write_atomic(run / "meta.json", json.dumps({"date": "2026-01-01T00:00:00"}))
    assert store.find_run("HEAD", repo / "profiles") == run
    assert store.find_run(str(run), repo / "profiles") == run
    assert store.newest_run(repo / "profiles") == run


def test_commit_without_results_says_so(repo):
    with pytest.raises(InputError, match="has no results"):
        store.find_run("HEAD", repo / "profiles")
    with pytest.raises(InputError, match="neither a run folder nor a commit"):
        store.find_run("no-such-branch", repo / "profiles")
    with pytest.raises(InputError, match="no runs"):
        store.newest_run(repo / "profiles")


def test_folder_without_meta_is_not_a_run(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(InputError, match="not a mapbench run"):
        store.find_run(str(tmp_path / "x"), tmp_path)


def test_list_runs_orders_by_meta_date(tmp_path):
    for name, date in [("b", "2026-02-01"), ("a", "2026-03-01"), ("c", "2026-01-01")]:
        write_atomic(tmp_path / name / "meta.json", json.dumps({"date": date}))
    (tmp_path / "junk").mkdir()
    assert [p.name for p in store.list_runs(tmp_path)] == ["c", "b", "a"]
