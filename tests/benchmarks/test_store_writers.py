"""Real `mapbench bench` processes sharing one store: concurrent writers, subset passes
after a full one, --fresh, and two machines (issue 18)."""
import os
import re

import pytest

from mapbench.benchmarks.store import lock as store_lock
from mapbench.benchmarks.cli import main
from tests import store_runs as sr

pytest.importorskip("mapbench.native._mapbench_native")


def _locked(out):
    return lambda: any(store_lock.writer_of(p) for p in out.iterdir() if p.is_dir())


def test_second_writer_fails_at_once_and_the_first_keeps_everything(tmp_path):
    first = sr.start(tmp_path, sr.ITERATE, env=sr.SLOW_ENV)
    sr.wait_for(_locked(tmp_path), first, "lock taken by the first bench")
    second = sr.run(tmp_path, sr.LOOKUP)
    assert first.poll() is None, "the second did not fail while the first was running"
    out, err = first.communicate(timeout=180)
    assert first.returncode == 0, err
    assert second.returncode == 1, second.stderr
    lines = second.stderr.strip().splitlines()
    run = sr.run_folder(tmp_path)
    assert len(lines) == 1 and f"pid {first.pid}" in lines[0] and str(run) in lines[0]
    assert sorted(sr.passes_by_name(run)) == ["iterate/storage=stack/prefetch=0/n=1024",
                                              "iterate/storage=stack/prefetch=0/n=16384"]
    assert sr.meta(run)["bench"]["status"] == "complete"


def test_with_wait_both_passes_end_up_in_the_store(tmp_path):
    first = sr.start(tmp_path, sr.ITERATE, "--rounds", "1", env=sr.SLOW_ENV)
    sr.wait_for(_locked(tmp_path), first, "lock taken by the first bench")
    second = sr.run(tmp_path, sr.LOOKUP, "--rounds", "1", "--wait")
    first.communicate(timeout=180)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert f"waiting for pid {first.pid}" in second.stdout
    by_pass = sr.passes_by_name(sr.run_folder(tmp_path))
    assert len(by_pass) == 4 and len(set(by_pass.values())) == 2


def test_subset_pass_keeps_the_full_pass_and_compare_names_each_pass(tmp_path, capsys):
    full = sr.run(tmp_path / "a", sr.ITERATE, "--rounds", "2")
    assert full.returncode == 0, full.stderr
    run = sr.run_folder(tmp_path / "a")
    before = sr.passes_by_name(run)
    (full_pass,) = set(before.values())
    redo = "iterate/storage=stack/prefetch=0/n=1024"
    subset = sr.run(tmp_path / "a", f"^{redo}$", "--rounds", "2")
    assert subset.returncode == 0, subset.stderr
    after = sr.passes_by_name(run)
    assert sorted(after) == sorted(before)                       # nothing erased
    other = "iterate/storage=stack/prefetch=0/n=16384"
    assert after[other] == full_pass and after[redo] != full_pass
    meta = sr.meta(run)
    assert set(meta["passes"]) == {full_pass, after[redo]}
    assert meta["passes"][after[redo]]["only"] == f"^{redo}$"
    assert "mixes 2 passes" in (run / "summary.md").read_text()
    # compare against a run of the same machine in another store: it says where each came from
    base = sr.run(tmp_path / "b", sr.ITERATE, "--rounds", "2")
    assert base.returncode == 0, base.stderr
    assert main(["compare", str(sr.run_folder(tmp_path / "b")), str(run),
                 "--out", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "mixes 2 passes" in out and f"pass {full_pass}" in out and redo in out
    md = next((run / "compare").glob("*/compare.md")).read_text()
    assert f"| {redo} | " in md and f"| {after[redo]} |" in md and f"| {full_pass} |" in md
    # each compared benchmark stands in exactly one verdict section (Slower, Faster, or
    # No significant change), whichever the timings gave
    sections = re.split(r"^## ", md, flags=re.M)
    verdicts = [s for s in sections if s.startswith(("Slower (", "Faster (", "No significant change ("))]
    assert len(verdicts) == 3
    for name in (redo, other):
        assert sum(f"| {name} |" in s for s in verdicts) == 1, name
    assert main(["compare", str(sr.run_folder(tmp_path / "b")), str(run), "--out",
                 str(tmp_path / "a"), "--pass", "latest"]) == 0
    out = capsys.readouterr().out
    assert "1 no significant change" in out or "1 slower" in out or "1 faster" in out
    assert "only pass" in out
    # --fresh starts over: only its own benchmark is left
    fresh = sr.run(tmp_path / "a", f"^{other}$", "--rounds", "1", "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    (only_pass,) = set(sr.passes_by_name(run).values())
    assert list(sr.passes_by_name(run)) == [other] and list(sr.meta(run)["passes"]) == [only_pass]


def test_two_machines_write_two_folders_of_one_store(tmp_path, capsys):
    runs = {}
    for name in ("box-a", "box-b"):
        proc = sr.run(tmp_path, sr.LOOKUP, "--rounds", "1",
                      env=dict(os.environ, MAPBENCH_MACHINE=name))
        assert proc.returncode == 0, proc.stderr
    for run in tmp_path.iterdir():
        if run.is_dir():
            runs[run.name.rsplit("@", 1)[1]] = run
    assert sorted(runs) == ["box-a", "box-b"]
    assert all(sr.meta(r)["machine"]["id"] == m for m, r in runs.items())
    os.environ["MAPBENCH_MACHINE"] = "box-a"
    try:
        assert main(["report", "--out", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "box-a 1, box-b 1" in out and str(runs["box-a"] / "report.html") in out
        index = (tmp_path / "index.html").read_text()
        assert "box-a (1 run)" in index and "box-b (1 run)" in index
        # both runs are of one commit: by commit, compare finds only this machine's run
        assert main(["compare", "HEAD", "--out", str(tmp_path)]) == 2
        assert "same run" in capsys.readouterr().err
        assert main(["compare", str(runs["box-b"]), str(runs["box-a"]), "--out", str(tmp_path)]) == 0
        assert "two machine ids, box-b and box-a" in capsys.readouterr().out
    finally:
        del os.environ["MAPBENCH_MACHINE"]
