"""Time steps: the runs where a benchmark's ns/element changes level, by a change-point
fit (analysis/stats/time_steps.py, asv step_detect's penalized L1 fit), and the index and
history plots that mark them beside the count steps (benchmarks/report/run_report.py).
"""
import json
import random

import pyperf

from mapbench.analysis.stats import time_steps
from mapbench.benchmarks.report.run_report import write_index

NAME = "iterate/storage=stack/prefetch=0/n=1024"


def noisy(levels: list[float], seed: int, noise: float = 0.03) -> list[float]:
    rng = random.Random(seed)
    return [level * (1 + rng.gauss(0, noise)) for level in levels]


def test_a_synthetic_step_is_marked_at_the_commit_where_it_happens():
    for seed in range(5):
        y = noisy([2.0] * 7 + [2.5] * 7, seed)
        runs = [(f"c{i}", {NAME: v}) for i, v in enumerate(y)]
        found = time_steps.time_steps(runs)
        assert [(s.benchmark, s.index, s.run, s.before_run) for s in found.steps] == \
            [(NAME, 7, "c7", "c6")], seed
        assert 0.15 < found.steps[0].change < 0.35
        assert found.short == {}


def test_a_flat_noisy_series_is_not_marked():
    for seed in range(20):
        y = noisy([2.0] * 14, seed, noise=0.05)
        assert time_steps.time_steps([(f"c{i}", {NAME: v}) for i, v in enumerate(y)]).steps == [], seed


def test_runs_without_the_benchmark_are_skipped_not_zero():
    y = noisy([2.0] * 6 + [3.0] * 6, 1)
    runs = [(f"c{i}", {NAME: v}) for i, v in enumerate(y)]
    runs.insert(6, ("counted-only", None))
    runs.insert(3, ("other", {"insert/n=1024": 1.0}))
    found = time_steps.time_steps(runs)
    assert [(s.run, s.before_run) for s in found.steps] == [("c6", "c5")]
    assert found.short == {"insert/n=1024": 1}


def test_a_series_shorter_than_the_method_needs_is_not_searched_and_says_so():
    short = time_steps.MIN_POINTS - 1
    y = [1.0] * (short // 2) + [5.0] * (short - short // 2)    # an obvious step
    found = time_steps.time_steps([(f"c{i}", {NAME: v}) for i, v in enumerate(y)])
    assert found.steps == [] and found.short == {NAME: short}


def _run(root, name, commit, date, ns):
    run = root / name
    run.mkdir(parents=True)
    (run / "meta.json").write_text(json.dumps({"commit": commit, "date": date}))
    bench = pyperf.Benchmark([pyperf.Run([ns * 1e-9] * 3, metadata={"name": NAME, "loops": 1},
                                         collect_metadata=False)])
    pyperf.BenchmarkSuite([bench]).dump(str(run / "bench.json"))


def test_the_index_and_the_plot_mark_time_steps_labelled_as_timing(tmp_path):
    y = noisy([40.0] * 6 + [50.0] * 6, 3)
    for i, ns in enumerate(y):
        _run(tmp_path, f"r{i:02d}", f"{i:040x}", f"2026-12-{i + 1:02d}T10:00:00+00:00", ns)
    page = write_index(tmp_path).read_text()
    assert "Time steps (1)" in page and "Count steps (0)" in page
    assert f"<tr><td>{NAME}</td><td>r05</td><td>r06</td>" in page
    assert "Timing (pyperf)" in page and "Counts (callgrind)" in page
    assert "asv step_detect" in page
    svg = (tmp_path / "history" / "iterate.svg").read_text()
    assert "time step (pyperf" in svg and "count step" not in svg


def test_the_index_says_when_series_are_too_short(tmp_path):
    for i, ns in enumerate([40.0, 50.0, 50.0]):
        _run(tmp_path, f"r{i}", f"{i:040x}", f"2026-12-0{i + 1}T10:00:00+00:00", ns)
    page = write_index(tmp_path).read_text()
    assert "Time steps (0)" in page
    assert (f"Too short to search: 1 benchmark with fewer than {time_steps.MIN_POINTS} timed runs"
            in page and f"{NAME} (3)" in page)
