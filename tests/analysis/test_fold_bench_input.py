"""The synthetic input of benchmarks/studies/analysis_speed.py is real-looking perf script that folds whole."""
from __future__ import annotations

from mapbench.analysis.stacks.fold import detect_format, fold_perf_script_detailed
from mapbench.benchmarks.studies.analysis_speed import write_synthetic_perf_script


def test_synthetic_perf_script_folds_every_sample(tmp_path):
    path = tmp_path / "synthetic.txt"
    size = write_synthetic_perf_script(path, samples=300, seed=7)
    data = path.read_bytes()
    assert size == len(data) and detect_format(data) == "perf"
    result = fold_perf_script_detailed(data)
    assert result.samples == 300 and not result.incomplete_tail
    assert sum(result.stacks.values()) == 300 and result.periods == {2004008}
    depths = [stack.count(";") for stack in result.stacks]
    assert min(depths) >= 15 and max(depths) <= 35
    assert all(stack.startswith("python;") and "+0x" not in stack for stack in result.stacks)


def test_same_seed_same_text(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    write_synthetic_perf_script(first, samples=50, seed=3)
    write_synthetic_perf_script(second, samples=50, seed=3)
    assert first.read_bytes() == second.read_bytes()
