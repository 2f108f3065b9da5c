"""Comparing counts: exact values against a threshold, and where the threshold comes from."""
import pytest

from mapbench.analysis.counters import counts
from mapbench.analysis.render import count_tables
from mapbench.analysis.stats import count_compare as cc


def doc(values: dict[str, float], model="D1 32 KiB", work=0) -> dict:
    return {"cache_model": {"D1": model}, "inject_work_pct": work,
            "benchmarks": {name: counts.benchmark_entry({"Ir": int(v * 1000), "Dr": 100}, 1, 1000)
                           for name, v in values.items()}}


def test_identical_counts_are_unchanged_and_pass_a_gate():
    base = doc({"a/n=1": 50.0, "b/n=1": 80.0})
    c = cc.compare_counts(base, doc({"a/n=1": 50.0, "b/n=1": 80.0}), "instructions", cc.FLOOR)
    assert [d.verdict for d in c.deltas] == [cc.UNCHANGED] * 2
    assert all(d.change == 0 for d in c.deltas)
    assert c.regressions(0.0) == []


def test_a_change_below_the_threshold_is_not_a_change_and_one_above_is():
    base = doc({"a/n=1": 100.0, "b/n=1": 100.0, "c/n=1": 100.0})
    head = doc({"a/n=1": 100.05, "b/n=1": 102.0, "c/n=1": 97.0})
    c = cc.compare_counts(base, head, "instructions", cc.FLOOR)
    verdicts = {d.name: d.verdict for d in c.deltas}
    assert verdicts == {"a/n=1": cc.UNCHANGED, "b/n=1": cc.SLOWER, "c/n=1": cc.FASTER}
    assert [d.name for d in c.regressions(0.5)] == ["b/n=1"]
    assert c.regressions(2.5) == []


def test_cycles_metric_uses_the_estimate_and_other_cache_models_warn():
    base, head = doc({"a/n=1": 10.0}), doc({"a/n=1": 10.0}, model="D1 48 KiB", work=2)
    c = cc.compare_counts(base, head, "cycles", cc.FLOOR)
    assert c.deltas[0].base == counts.metric_value(base["benchmarks"]["a/n=1"], "cycles")
    assert any("different caches" in w for w in c.warnings)
    assert any("INJECT_WORK_PCT=2" in w for w in c.warnings)
    with pytest.raises(ValueError):
        cc.compare_counts(base, head, "time", cc.FLOOR)


def test_only_one_side_benchmarks_are_listed_not_compared():
    c = cc.compare_counts(doc({"a/n=1": 1.0, "b/n=1": 1.0}), doc({"a/n=1": 1.0, "c/n=1": 1.0}),
                          "instructions", cc.FLOOR)
    assert [d.name for d in c.deltas] == ["a/n=1"]
    assert c.only_base == ["b/n=1"] and c.only_head == ["c/n=1"]


def test_threshold_is_calibrated_a_a_times_margin_never_below_the_floor():
    assert cc.threshold_from_calibration(None)[0] == cc.FLOOR
    assert cc.threshold_from_calibration({"counts": {"aa_max_change_pct": 0.0}})[0] == cc.FLOOR
    value, origin = cc.threshold_from_calibration({"counts": {"aa_max_change_pct": 0.2}})
    assert value == pytest.approx(0.004) and "calibrate" in origin


def test_rendered_tables_say_which_metric_decided():
    base, head = doc({"a/n=1": 100.0}), doc({"a/n=1": 110.0})
    cmps = [cc.compare_counts(base, head, m, cc.FLOOR) for m in cc.METRICS]
    md = count_tables.render_markdown(cmps, "instructions (default)")
    assert "used **instructions (default)**" in md and "+10.000%" in md
    assert "prefetch" in md
    assert "<table>" in count_tables.render_html(cmps, "instructions")
