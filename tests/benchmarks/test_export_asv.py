"""`mapbench export STORE --format asv`, then the real `asv publish` on a 3-commit store: the
site's data lists every benchmark with a value per commit."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mapbench.benchmarks.cli import main

from tests.benchmarks.test_compare_cmd import MACHINE, NAMES, write_run
from tests.benchmarks.test_compare_counts_cmd import write_counts

ASV = Path(sys.executable).parent / "asv"
MACHINE_ID = "ci-box"


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def history(tmp_path):
    """A git repository of 3 commits and a store with one run of each (instructions fall)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    root = tmp_path / "profiles"
    commits = []
    for i in range(3):
        (repo / "f.txt").write_text(str(i))
        git(repo, "add", "f.txt")
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", f"c{i}")
        commits.append(git(repo, "rev-parse", "HEAD"))
    for i, commit in enumerate(commits):
        run = write_run(root, f"{commit[:12]}@{MACHINE_ID}", seed=i,
                        date=f"2026-01-0{i + 1}T00:00:00+00:00",
                        machine={**MACHINE, "machine": {"id": MACHINE_ID}})
        meta = json.loads((run / "meta.json").read_text())
        (run / "meta.json").write_text(json.dumps({**meta, "commit": commit, "python": {"version": "3.11.7"}}))
        write_counts(run, {n: 60.0 - i for n in NAMES})
    return repo, root, commits


def test_asv_publish_builds_the_site_with_every_commit(history, tmp_path, capsys, monkeypatch):
    repo, root, commits = history
    out = tmp_path / "asv"
    monkeypatch.chdir(repo)
    assert main(["export", str(root), "--format", "asv", "--to", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"3 commits of machine {MACHINE_ID}" in err
    results = sorted((out / "results" / MACHINE_ID).glob("*-mapbench-py3.11.json"))
    assert [p.name[:8] for p in results] == sorted(c[:8] for c in commits)
    done = subprocess.run([str(ASV), "publish", "--config", str(out / "asv.conf.json")],
                          cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    index = json.loads((out / "html" / "index.json").read_text())
    name = "iterate/storage=stack/prefetch=0/n=1024"
    expected = {f"{m}.{n}" for n in NAMES for m in ("time", "instructions", "d1_misses", "ll_misses", "est_cycles")}
    assert expected <= set(index["benchmarks"])
    assert index["benchmarks"][f"instructions.{name}"]["type"] == "track"
    assert set(index["revision_to_hash"].values()) == set(commits)
    for measure in ("time", "instructions"):
        (graph,) = [p for p in (out / "html" / "graphs").rglob(f"{measure}.{name.replace('/', '_')}.json")
                    if f"machine-{MACHINE_ID}" in p.parts and "branch-main" in p.parts]
        points = json.loads(graph.read_text())
        assert len(points) == 3 and all(v is not None for _, v in points)
        if measure == "instructions":
            assert [v for _, v in sorted(points)] == [60.0, 59.0, 58.0]   # in git order


def test_asv_needs_to_and_never_writes_into_the_store(history, tmp_path, capsys):
    repo, root, _ = history
    assert main(["export", str(root), "--format", "asv"]) == 2
    assert main(["export", str(root), "--format", "asv", "--to", str(root / "asv")]) == 2
    err = capsys.readouterr().err
    assert "needs --to DIR" in err and "never writes into the store" in err
    assert not (root / "asv").exists()
