"""`mapbench history` over a real git repository of a small package: worktrees, venvs,
pip builds, build failures noted and skipped, and resuming where a run stopped.
The package at each commit is the toy of tests/history_toy.py: its `mapbench bench`
writes a one-benchmark pyperf suite with the commit it ran at, in seconds.
"""
import json

import pyperf
import pytest

from mapbench.benchmarks.cli import main
from tests.history_toy import commit, git, init_repo, package, pyproject


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("toyrepo")
    root = init_repo(repo)
    no_bench = commit(repo, {"pyproject.toml": pyproject(), **package(1, bench_command=False)},
                      "package without a bench command")
    good1 = commit(repo, {"pyproject.toml": pyproject(), **package(2e-9)}, "first good")
    broken = commit(repo, {"pyproject.toml": "[build-system\nthis is not toml"}, "broken build")
    good2 = commit(repo, {"pyproject.toml": pyproject(), **package(3e-9)}, "second good, slower")
    return repo, root, {"no_bench": no_bench, "good1": good1, "broken": broken, "good2": good2}


def test_history_builds_each_commit_notes_failures_and_resumes(repo, tmp_path, capsys):
    repo, root_commit, commits = repo
    store = tmp_path / "profiles"
    rc = main(["history", f"{root_commit}..HEAD", "--repo", str(repo), "--out", str(store),
               "--bench-args", "--fast --only '^iterate/'"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "commit 1 of 4" in out and "commit 4 of 4" in out
    for key in ("good1", "good2"):
        run = store / commits[key][:12]
        meta = json.loads((run / "meta.json").read_text())
        assert meta["commit"] == commits[key]           # benched in its own worktree
        assert meta["bench"]["args"] == ["--fast", "--only", "^iterate/"]
    values = {key: pyperf.BenchmarkSuite.load(str(store / commits[key][:12] / "bench.json"))
              .get_benchmarks()[0].get_values()[0] for key in ("good1", "good2")}
    assert values == {"good1": 2e-9, "good2": 3e-9}     # each commit's own code ran
    assert not (store / commits["broken"][:12]).exists()
    notes = json.loads((store / "history.json").read_text())
    assert notes[commits["broken"]]["status"] == "build failed"
    assert notes[commits["no_bench"]]["status"] == "no mapbench bench at this commit"
    assert f"{commits['broken'][:12]} 'broken build': build failed" in out
    assert "2 run, 0 skipped, 2 failed of 4 commits" in out
    worktrees = git(repo, "worktree", "list")
    assert len(worktrees.splitlines()) == 1                 # temporary worktrees removed

    # Run it again: everything is skipped, nothing is rebuilt.
    (store / commits["good2"][:12] / "bench.json").unlink()  # as if stopped mid-run
    rc = main(["history", f"{root_commit}..HEAD", "--repo", str(repo), "--out", str(store)])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"{commits['good1'][:12]} 'first good': already in" in out
    assert "build failed before" in out
    assert f"{commits['good2'][:12]} 'second good, slower': done" in out
    assert "1 run, 3 skipped, 0 failed of 4 commits" in out


def test_bad_range_and_bench_args_are_clear_errors(repo, tmp_path, capsys):
    repo, _, _ = repo
    assert main(["history", "no-such-branch..HEAD", "--repo", str(repo),
                 "--out", str(tmp_path)]) == 2
    assert "mapbench history: error: git log" in capsys.readouterr().err
    assert main(["history", "HEAD..HEAD", "--repo", str(repo), "--out", str(tmp_path)]) == 2
    assert "names no commits" in capsys.readouterr().err
    assert main(["history", "HEAD~1..HEAD", "--repo", str(repo), "--out", str(tmp_path),
                 "--bench-args", "'unclosed"]) == 2
    assert "--bench-args" in capsys.readouterr().err
