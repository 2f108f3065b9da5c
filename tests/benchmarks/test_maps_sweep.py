"""benchmarks/studies/maps_sweep.py: both maps, every operation, one table."""
import pytest

pytest.importorskip("mapbench.native._mapbench_native")

from mapbench.benchmarks.studies.maps_sweep import sweep_maps  # noqa: E402


def test_sweep_times_both_maps_and_prints_one_row_each(capsys):
    best = sweep_maps(sizes=(1024,), distance=4, rounds=1, work=2 ** 12)
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| classic") or
            line.startswith("| swiss")]
    whats = {"iterate prefetch=0", "iterate prefetch=4", "iterate prefetch=auto", "lookup hit", "lookup miss",
             "roofline (its table bytes)", "insert hint=0"}
    assert set(best) == {(kind, what, 1024) for kind in ("classic", "swiss") for what in whats}
    assert all(v > 0 for v in best.values()) and len(rows) == 14
