"""Passes in a run folder without running the suite: a folder from before passes, a pass
whose process died, passes on other uncommitted code, and picking one pass."""
import json

import pyperf
import pytest

from mapbench.analysis.errors import InputError
from mapbench.benchmarks.store import passes


def _bench(name, processes, pass_id=None):
    runs = [pyperf.Run([1e-9, 1.1e-9], metadata={"name": name, "loops": 8},
                       collect_metadata=False) for _ in range(processes)]
    bench = pyperf.Benchmark(runs)
    return passes.tag(bench, pass_id) if pass_id else bench


def _folder(tmp_path, benches, meta):
    run = tmp_path / "run"
    run.mkdir()
    (run / "bench.json").write_text(passes.dump_suite(benches))
    (run / "meta.json").write_text(json.dumps(meta))
    return run


def test_a_folder_from_before_passes_becomes_one_legacy_pass(tmp_path):
    old = {"started": "2026-01-01T00:00:00+00:00", "status": "complete", "mode": "quick", "rounds": 6}
    run = _folder(tmp_path, [_bench("a", 6), _bench("b", 6)], {"bench": old})
    found = passes.groups(run, pyperf.BenchmarkSuite.load(str(run / "bench.json")))
    assert len(found) == 1 and found[0].record == old and passes.lines("x", found) == []
    previous = passes.prepare(run, fresh=False, log=lambda *a, **k: None)
    (legacy,) = previous.ids_on_disk
    assert legacy.startswith(passes.LEGACY_PREFIX) and sorted(previous.keep) == ["a", "b"]
    assert all(passes.pass_of(b) == legacy for b in previous.keep.values())
    assert json.loads((run / "meta.json").read_text())["passes"][legacy]["mode"] == "quick"
    assert passes.prepare(run, fresh=True, log=lambda *a, **k: None).keep == {}


def test_a_running_pass_nobody_holds_died_and_is_filed_as_killed(tmp_path):
    records = {"p1": {"started": "1", "status": "complete", "rounds": 3},
               "p2": {"started": "2", "status": "running", "rounds": 3}}
    run = _folder(tmp_path, [_bench("a", 3, "p1"), _bench("b", 1, "p2"), _bench("c", 3, "p2")],
                  {"bench": records["p2"], "passes": records})
    found = passes.groups(run, pyperf.BenchmarkSuite.load(str(run / "bench.json")))
    text = "\n".join(passes.lines("bench.json", found))
    assert "mixes 2 passes" in text and "died while running" in text
    said = []
    passes.prepare(run, fresh=False, log=lambda *a, **k: said.append(a[0]))
    filed = json.loads((run / "meta.json").read_text())["passes"]["p2"]
    assert filed["status"] == "killed" and filed["partial"] == ["b"]
    assert "pass p2" in said[0] and "1 of them with fewer than 3" in said[0]


def test_passes_on_other_uncommitted_code_are_called_out(tmp_path):
    records = {"p1": {"started": "1", "status": "complete", passes.DIFF_KEY: "aaa"},
               "p2": {"started": "2", "status": "complete", passes.DIFF_KEY: "bbb"}}
    run = _folder(tmp_path, [_bench("a", 1, "p1"), _bench("b", 1, "p2")], {"passes": records})
    found = passes.groups(run, pyperf.BenchmarkSuite.load(str(run / "bench.json")))
    assert "different uncommitted changes" in passes.lines("bench.json", found)[-1]
    said = []
    passes.prepare(run, fresh=False, log=lambda *a, **k: said.append(a[0]), diff_hash="bbb")
    assert any("1 benchmarks kept" in line and "uncommitted" in line for line in said)


def test_select_one_pass_by_latest_id_or_prefix(tmp_path):
    records = {"20260101T000000Z-1": {"started": "1"}, "20260102T000000Z-2": {"started": "2"}}
    run = _folder(tmp_path, [_bench("a", 1, "20260101T000000Z-1"), _bench("b", 1, "20260102T000000Z-2")],
                  {"passes": records})
    suite = pyperf.BenchmarkSuite.load(str(run / "bench.json"))
    found = passes.groups(run, suite)
    assert passes.select(suite, found, "latest", "x")[0].get_benchmark_names() == ["b"]
    assert passes.select(suite, found, "20260101", "x")[0].get_benchmark_names() == ["a"]
    with pytest.raises(InputError, match="more than one pass '2026'"):
        passes.select(suite, found, "2026", "x")
    with pytest.raises(InputError, match="no pass 'nope'"):
        passes.select(suite, found, "nope", "x")
