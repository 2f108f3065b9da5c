"""Count steps: the runs where a benchmark's instructions per element change past the
threshold (analysis/stats/count_steps.py), and the index and history plots that mark
them in commit order (benchmarks/report/run_report.py write_index, history/run_order.py).
"""
import json

import pyperf

from mapbench.analysis.stats import count_steps
from mapbench.benchmarks.report.run_report import write_index

NAME = "iterate/storage=stack/prefetch=0/n=1024"


def counts(ir: float | None) -> dict | None:
    return None if ir is None else {"benchmarks": {NAME: {"per_element": {"Ir": ir}}}}


def test_a_step_is_a_change_past_the_threshold_to_the_next_run_that_has_the_benchmark():
    runs = [("a", counts(41.56)), ("b", counts(41.56)), ("c", None), ("d", counts(39.56)),
            ("e", counts(39.57)), ("f", counts(40.0))]
    found = count_steps.steps(runs, 0.001)
    assert [(s.run, s.before_run, s.index) for s in found] == [("d", "b", 3), ("f", "e", 5)]
    assert round(found[0].change * 100, 1) == -4.8
    # 39.56 -> 39.57 (+0.025%) is under the 0.1% floor, even when a lower threshold is asked.
    assert [s.run for s in count_steps.steps(runs, 0.0)] == ["d", "f"]
    assert count_steps.steps(runs, 0.05) == []


def _run(root, name, commit, date, ir):
    run = root / name
    run.mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"commit": commit, "date": date}))
    (run / "counts.json").write_text(json.dumps(counts(ir)))
    bench = pyperf.Benchmark([pyperf.Run([1e-9] * 3, metadata={"name": NAME, "loops": 1},
                                         collect_metadata=False)])
    pyperf.BenchmarkSuite([bench]).dump(str(run / "bench.json"))


def test_the_index_lists_steps_in_commit_order_and_the_plot_marks_them(tmp_path):
    # A parallel history: the benches ran in another order than the commits.
    commits = {"c1": ("1" * 40, 41.56, "2026-12-01T10:00:00+00:00", "2026-12-06T10:00:09+00:00"),
               "c2": ("2" * 40, 41.56, "2026-12-02T10:00:00+01:00", "2026-12-06T10:00:01+00:00"),
               "c3": ("3" * 40, 39.56, "2026-12-03T10:00:00-05:00", "2026-12-06T10:00:05+00:00")}
    notes = {}
    for name, (sha, ir, commit_date, ran) in commits.items():
        _run(tmp_path, name, sha, ran, ir)
        notes[sha] = {"status": "done", "commit_date": commit_date}
    (tmp_path / "history.json").write_text(json.dumps(notes))
    page = write_index(tmp_path).read_text()
    assert "Count steps (1)" in page
    assert (f"<tr><td>{NAME}</td><td>c2</td><td>c3</td><td>41.56</td><td>39.56</td>"
            "<td>-4.81%</td></tr>") in page
    assert "0.10% (default 0.1%" in page
    svg = (tmp_path / "history" / "iterate.svg").read_text()
    assert "count step" in svg
    # Without history.json, the bench dates order the runs: c2, c3, c1 -> two steps.
    (tmp_path / "history.json").unlink()
    assert "Count steps (2)" in write_index(tmp_path).read_text()
