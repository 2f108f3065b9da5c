"""The counted half of `mapbench calibrate`: A/A of counts and injected work, and the exit rule."""
from types import SimpleNamespace

from mapbench.analysis.counters import counts
from mapbench.benchmarks.timing import calibration as calibrate
from mapbench.benchmarks.counts.calibrate_counts import evaluate

NAMES = ["iterate/storage=stack/prefetch=0/n=1024", "iterinit/storage=stack/n=1024"]


def doc(factor: dict[str, float] | float = 1.0, failed=()) -> dict:
    f = factor if isinstance(factor, dict) else {n: factor for n in NAMES}
    return {"cache_model": {}, "failed": {n: "crashed" for n in failed},
            "benchmarks": {n: counts.benchmark_entry({"Ir": int(56_000 * f[n]), "Dr": 9000}, 1, 1000)
                           for n in NAMES if n not in failed}}


def test_exact_a_a_and_flagged_work_pass():
    result = evaluate({"A1": doc(), "A2": doc(), "W1": doc(1.012), "W10": doc(1.11)})
    assert result.passed and result.aa_max_change == 0 and not result.aa_changed
    text = "\n".join(result.lines())
    assert "0 count changes" in text and "flagged on 2 of 2 benchmarks" in text
    assert result.to_json()["aa_max_change_pct"] == 0


def test_work_missed_on_one_benchmark_or_a_failed_one_fails():
    missed = evaluate({"A1": doc(), "A2": doc(), "W1": doc({NAMES[0]: 1.012, NAMES[1]: 1.0}),
                       "W10": doc(1.11)})
    assert not missed.passed and not missed.detected(1) and missed.detected(10)
    crashed = evaluate({"A1": doc(), "A2": doc(failed=[NAMES[1]]), "W1": doc(1.012), "W10": doc(1.11)})
    assert not crashed.passed and crashed.failed == [NAMES[1]]


def test_a_drifting_count_raises_the_threshold_and_is_reported():
    result = evaluate({"A1": doc(), "A2": doc({NAMES[0]: 1.0005, NAMES[1]: 1.0}),
                       "W1": doc(1.012), "W10": doc(1.11)})
    assert len(result.aa_changed) >= 1 and result.passed      # 0.05% < the 0.1% floor
    assert result.injected[1].threshold == 0.001


def test_exit_rule_counts_and_a_clean_timed_a_a_or_the_timed_verdict_alone():
    quiet_runs = SimpleNamespace(aa=SimpleNamespace(contended=[]), injected={})
    busy_runs = SimpleNamespace(aa=SimpleNamespace(contended=["A1"]), injected={})
    clean = SimpleNamespace(false_positives=[], passed=False, **vars(quiet_runs))  # no power at 10%
    noisy = SimpleNamespace(false_positives=["x"], passed=False, **vars(quiet_runs))
    noisy_busy = SimpleNamespace(false_positives=["x"], passed=False, **vars(busy_runs))
    good = evaluate({"A1": doc(), "A2": doc(), "W1": doc(1.012), "W10": doc(1.11)})
    assert calibrate.overall_pass(clean, good)
    assert not calibrate.overall_pass(noisy, good)
    assert "FLAGGED 1" in calibrate.overall_reason(noisy, good)
    assert calibrate.overall_pass(noisy_busy, good)          # busy: reported, not judged
    assert "not judged" in calibrate.overall_reason(noisy_busy, good)
    assert not calibrate.overall_pass(clean, None)                # no valgrind: time decides
    assert calibrate.overall_pass(SimpleNamespace(false_positives=[], passed=True), None)
