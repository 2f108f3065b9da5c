"""Which commits `mapbench history RANGE` visits: the mainline, oldest first, as asv's
ranges (`git rev-list --first-parent`) and `mapbench bisect` walk it. A merged branch's
own commits are not visited (its merge commit is), so `HEAD~12..HEAD` is 12 commits."""
import subprocess

import pytest

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.history.commit_history import commits_in


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo, name):
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-qm", name)
    return git(repo, "rev-parse", "HEAD")


def test_a_range_walks_first_parents_and_skips_a_merged_branchs_own_commits(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    base = commit(tmp_path, "base")
    git(tmp_path, "checkout", "-qb", "side")
    side = [commit(tmp_path, f"side{i}") for i in range(3)]
    git(tmp_path, "checkout", "-q", "main")
    first = commit(tmp_path, "main1")
    git(tmp_path, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    merge = git(tmp_path, "rev-parse", "HEAD")
    last = commit(tmp_path, "main2")
    got = commits_in(f"{base}..HEAD", tmp_path)
    assert [sha for sha, _ in got] == [first, merge, last]
    assert not set(side) & {sha for sha, _ in got}
    assert [subject for _, subject in got] == ["main1", "merge side", "main2"]
    assert len(commits_in("HEAD~3..HEAD", tmp_path)) == 3
    with pytest.raises(InputError, match="names no commits"):
        commits_in("HEAD..HEAD", tmp_path)
